"""C1 on post tables of any size: both estimands from chunks of rows, in memory or on Dask.

The elasticity of engagements per post with respect to followers (``docs/analysis-plan.md``)
needs only sums over rows (:mod:`insights.moments`): the *typical* estimand is log-OLS, the
*expected* one PPML, both with errors clustered by creator (CR1, ``G - 1`` degrees of
freedom), the design of :func:`insights.claims.engagement_model_data` (``log(1 + age)`` as a
control when the table has post ages). :func:`c1_elasticity` computes them from a *chunk
mapper*: a function that applies a per-chunk function to every chunk and returns the results.
The estimator code is the same whatever the chunks are:

* :func:`in_memory` -- a pandas frame, whole or cut into row blocks;
* :func:`on_dask` -- the partitions of a ``dask.dataframe`` (`Dask <https://dask.org>`_, the
  well-kept parallel engine of the PyData stack, chosen over a home-made one for its Parquet
  and CSV readers, its local and distributed schedulers and their diagnostics). Each pass
  sends one small task per partition and brings back ``k x k`` sums (and, for the errors, one
  row of ``k`` sums per creator), so the traffic does not grow with the number of posts.

A creator's posts may lie in several chunks: their score sums are added by creator before
the sandwich. The tests check that the chunked result equals
:func:`insights.claims.c1_fit`'s (statsmodels) on the same table to 1e-8.

Passes over the data: log-OLS two (sums, then scores); PPML one for the outcome's mean, one
per Newton step (about 5-8) and one for the scores.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights import metrics, moments
from insights.stats import Elasticity, InsufficientDataError, t_quantile

__all__ = ["ESTIMANDS", "Mapper", "ChunkDesign", "chunk_design", "c1_elasticity", "in_memory",
           "on_dask"]

#: The two C1 estimands and the estimator of each.
ESTIMANDS = {"typical": "log-OLS", "expected": "PPML"}

#: ``mapper(function, combine)``: applies ``function`` to every chunk (a pandas frame) and
#: folds the results with ``combine(a, b)`` (associative) into one.
Mapper = Callable[[Callable[[pd.DataFrame], object], Callable[[object, object], object]],
                  object]


@dataclass(frozen=True)
class ChunkDesign:
    """One chunk's usable rows: the design ``X`` (1, log followers, controls), the outcome
    (log engagement or engagement), the creator of each row, and the row counts."""

    X: np.ndarray
    y: np.ndarray
    creators: object
    rows: int
    zero: int
    log_x: tuple[float, float] = field(default=(math.inf, -math.inf))


def chunk_design(chunk: pd.DataFrame, *, components: Sequence[str], estimand: str,
                 control_age: bool) -> ChunkDesign:
    """The rows of ``chunk`` a C1 fit uses, as arrays (see :func:`c1_elasticity`).

    A row is used when its engagement (the sum of ``components``, :func:`insights.metrics.
    engagement`) is a valid count, its follower count positive, its creator known and, with
    ``control_age``, its age at least 0; the typical estimand also needs engagement above 0
    (those zero rows are counted in ``zero``).

    Examples
    --------
    >>> posts = pd.DataFrame({"creator": ["a", "a", "b"], "followers": [100, 100, 50],
    ...                       "likes": [10, 0, 5], "age_days": [1.0, 3.0, -1.0]})
    >>> d = chunk_design(posts, components=["likes"], estimand="typical", control_age=True)
    >>> d.y.round(3).tolist(), d.creators.tolist(), d.zero
    ([2.303], ['a'], 1)
    """
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be one of {list(ESTIMANDS)}, got {estimand!r}")
    for column in ("creator", "followers", *(("age_days",) if control_age else ())):
        if column not in chunk.columns:
            raise KeyError(f"C1 on posts needs a {column!r} column; columns are "
                           f"{list(chunk.columns)}")
    engagement = metrics.engagement(chunk, components=components)
    value = np.where((engagement["status"] == "ok").to_numpy(),
                     engagement["value"].to_numpy(dtype=float), np.nan)
    followers = pd.to_numeric(chunk["followers"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        keep = (np.isfinite(value) & (value >= 0) & np.isfinite(followers) & (followers > 0)
                & chunk["creator"].notna().to_numpy())
        blocks = [np.log(followers)]
        if control_age:
            age = pd.to_numeric(chunk["age_days"], errors="coerce").to_numpy(dtype=float)
            keep &= np.isfinite(age) & (age >= 0)
            blocks.append(np.log1p(age))
    zero = 0
    if estimand == "typical":
        zero = int((keep & (value == 0)).sum())
        keep &= value > 0
    n = int(keep.sum())
    X = np.column_stack([np.ones(n), *(b[keep] for b in blocks)])
    y = np.log(value[keep]) if estimand == "typical" else value[keep]
    log_x = (float(X[:, 1].min()), float(X[:, 1].max())) if n else (math.inf, -math.inf)
    # the creators stay a pandas array (Arrow strings factorize without Python objects)
    return ChunkDesign(X, y, chunk["creator"].array[keep], int(len(chunk)), zero, log_x)


def in_memory(frame: pd.DataFrame, *, rows: int | None = None) -> Mapper:
    """Chunks of an in-memory frame: the whole frame, or blocks of ``rows`` rows.

    Examples
    --------
    >>> mapper = in_memory(pd.DataFrame({"a": range(5)}), rows=2)
    >>> mapper(len, lambda a, b: f"{a}+{b}")
    '2+2+1'
    """
    if rows is not None and rows < 1:
        raise ValueError(f"rows must be at least 1, got {rows}")
    step = len(frame) if rows is None else rows
    starts = range(0, max(len(frame), 1), max(step, 1))

    def mapper(function, combine):
        return functools.reduce(combine, (function(frame.iloc[start:start + step])
                                          for start in starts))

    return mapper


def on_dask(ddf) -> Mapper:
    """Chunks of a ``dask.dataframe``: one task per partition, the results folded pairwise
    in a tree of tasks (so no worker, nor this process, holds more than two partial results),
    computed on the current scheduler (threads by default; a ``distributed.Client``'s cluster
    when one is active).

    Examples
    --------
    >>> import dask.dataframe as dd
    >>> ddf = dd.from_pandas(pd.DataFrame({"a": range(5)}), npartitions=3)
    >>> on_dask(ddf)(len, lambda a, b: a + b)
    5
    """
    import dask

    partitions = ddf.to_delayed()

    def mapper(function, combine):
        level = [dask.delayed(function)(part) for part in partitions]
        while len(level) > 1:
            folded = [dask.delayed(combine)(a, b) for a, b in zip(level[::2], level[1::2],
                                                                   strict=False)]
            level = folded + ([level[-1]] if len(level) % 2 else [])
        return level[0].compute()

    return mapper


def c1_elasticity(mapper: Mapper, *, estimand: str = "typical",
                  components: Sequence[str] = ("likes", "comments"), control_age: bool = True,
                  level: float = 0.95, tol: float = 1e-10, max_iter: int = 100) -> Elasticity:
    """C1's elasticity ``b`` of engagements per post with respect to followers, from chunks.

    Parameters
    ----------
    mapper : Mapper
        The chunks (:func:`in_memory`, :func:`on_dask`); each is a canonical posts table with
        ``creator``, ``followers``, the ``components`` and, with ``control_age``, ``age_days``.
    estimand : {"typical", "expected"}
        Log-OLS of engagement (rows with zero engagement counted and left out) or PPML
        (zeros kept).
    components : sequence of str
        What counts as an engagement.
    control_age : bool
        Control for ``log(1 + age in days)`` (rows without an age are left out).
    level : float
        Confidence level of the t interval (``G - 1`` degrees of freedom).

    Returns
    -------
    Elasticity
        As :func:`insights.stats.fit_elasticity` and :func:`insights.stats.fit_ppml` return
        it; the intercept is for the uncentred control.

    Raises
    ------
    InsufficientDataError
        Too few usable rows or creators, no spread in followers, or a PPML fit that does not
        converge.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> creator = np.repeat(np.arange(50), 8)
    >>> f = (10 ** rng.uniform(3, 6, 50))[creator]
    >>> posts = pd.DataFrame({"creator": creator.astype(str), "followers": f,
    ...                       "likes": np.round(0.1 * f**0.8 * rng.lognormal(0, 0.5, 400))})
    >>> fit = c1_elasticity(in_memory(posts, rows=64), components=["likes"], control_age=False)
    >>> round(fit.estimate, 2), fit.n_clusters, fit.df
    (0.79, 50, 49.0)
    """
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be one of {list(ESTIMANDS)}, got {estimand!r}")
    components = tuple(components)

    def design(chunk):
        return chunk_design(chunk, components=components, estimand=estimand,
                            control_age=control_age)

    # pass 1: counts and, for OLS, X'X and X'y; for PPML, the outcome's sum (its scale)
    def first(chunk):
        d = design(chunk)
        return (d.rows, d.zero, d.log_x, moments.ols_moments(d.X, d.y), float(d.y.sum()))

    def fold(a, b):
        return (a[0] + b[0], a[1] + b[1], (min(a[2][0], b[2][0]), max(a[2][1], b[2][1])),
                a[3] + b[3], a[4] + b[4])

    rows, zero, (log_min, log_max), total, y_sum = mapper(first, fold)
    n, k = total.n, total.xtx.shape[0]
    if n <= k + 1:
        raise InsufficientDataError(f"{n} usable rows for C1 with {k} parameters; need at "
                                    f"least {k + 2}")
    if not log_max > log_min:
        raise InsufficientDataError("all usable rows have the same follower count; no slope")

    if estimand == "typical":
        coef, bread = moments.ols_solve(total)

        def residuals(chunk):
            d = design(chunk)
            return moments.cluster_scores(d.X, d.y - d.X @ coef, d.creators)

        scale = 1.0
        method = "log-OLS of engagement on log(followers)"
    else:
        scale = y_sum / n
        if not scale > 0:
            raise InsufficientDataError("every usable post has zero engagement; no mean to "
                                        "model")
        start = np.zeros(k)

        def newton_sums(beta):
            def at(chunk):
                d = design(chunk)
                return moments.poisson_moments(d.X, d.y / scale, beta)
            return mapper(at, operator.add)

        try:
            coef, at_coef = moments.newton(newton_sums, start, tol=tol, max_iter=max_iter)
        except moments.NotConverged:
            raise InsufficientDataError("the PPML fit did not converge") from None
        bread = np.linalg.inv(at_coef.xtx)

        def residuals(chunk):
            d = design(chunk)
            return moments.cluster_scores(d.X, d.y / scale - np.exp(d.X @ coef), d.creators)

        method = "PPML (Poisson quasi-likelihood) of engagement on log(followers)"
    scores = mapper(residuals, lambda a, b: moments.add_scores([a, b]))
    groups = len(scores)
    if groups < 3:
        raise InsufficientDataError(f"{groups} creators; need at least 3 to cluster by creator")
    cov, df = moments.cluster_covariance(bread, scores.to_numpy(), n=n)
    se = float(np.sqrt(cov[1, 1]))
    half = t_quantile(level, df) * se
    controls = "; controls log(1 + post age in days)" if control_age else ""
    return Elasticity(
        estimate=float(coef[1]), se=se, ci_low=float(coef[1] - half),
        ci_high=float(coef[1] + half), n=n, n_clusters=groups, dropped=rows - n,
        intercept=float(coef[0] + math.log(scale)),
        cov_ab=(float(cov[0, 0]), float(cov[0, 1]), float(cov[1, 1])),
        method=f"{method}{controls}; errors clustered by creator ({groups}), chunked sums",
        level=level, y="engagement", x="followers", x_min=float(np.exp(log_min)),
        x_max=float(np.exp(log_max)), df=df, n_zero=zero,
    )

