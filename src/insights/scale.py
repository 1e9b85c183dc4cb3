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

C5 (comments per like) is a creator-level test: :func:`creator_summary` with
``means_of=("likes", "comments")`` gives each creator's mean likes and comments (a group-by
after a shuffle), a creators table on which
:func:`insights.claims.comments_per_like_vs_followers` gives the posts table's result (the
tests check it).

Passes over the data: log-OLS two (sums, then scores). PPML: one for the outcome's mean (and
log-OLS's sums, its starting point: the log-OLS fit raised by half its residual variance),
then one per Newton step; once a step is below :data:`CLOSE` the next pass also brings the
scores and the Hessian at the estimate, and ends the loop when its own step is below ``tol``
(Newton converges quadratically). Both estimands at once (:func:`c1_elasticities`) share the
first two: about five passes in all, where Newton from zero with a pass of its own for the
scores took about ten.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights import metrics, moments
from insights.stats import Elasticity, InsufficientDataError, fit_line, t_quantile

__all__ = ["ESTIMANDS", "Mapper", "ChunkDesign", "chunk_design", "chunk_designs",
           "c1_elasticity", "c1_elasticities", "creator_rows", "creator_summary", "in_memory",
           "on_dask"]

#: The two C1 estimands and the estimator of each.
ESTIMANDS = {"typical": "log-OLS", "expected": "PPML"}
#: A Newton step below this: the next is at the estimate's precision (quadratic convergence),
#: so its pass also brings the scores and the Hessian at the estimate.
CLOSE = 1e-5

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
    return chunk_designs(chunk, components=components, estimands=(estimand,),
                         control_age=control_age)[estimand]


def chunk_designs(chunk: pd.DataFrame, *, components: Sequence[str],
                  estimands: Sequence[str], control_age: bool) -> dict[str, ChunkDesign]:
    """:func:`chunk_design` for several estimands, reading the chunk's engagement, followers
    and ages once (the two designs differ only in the zero rows and the logged outcome)."""
    estimands = tuple(dict.fromkeys(estimands))  # each once, in order
    for estimand in estimands:
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
    out = {}
    for estimand in estimands:
        used, zero = keep, 0
        if estimand == "typical":
            zero = int((keep & (value == 0)).sum())
            used = keep & (value > 0)
        n = int(used.sum())
        X = np.column_stack([np.ones(n), *(b[used] for b in blocks)])
        y = np.log(value[used]) if estimand == "typical" else value[used]
        log_x = (float(X[:, 1].min()), float(X[:, 1].max())) if n else (math.inf, -math.inf)
        # the creators stay a pandas array (Arrow strings factorize without Python objects)
        out[estimand] = ChunkDesign(X, y, chunk["creator"].array[used], int(len(chunk)), zero,
                                    log_x)
    return out


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
    return c1_elasticities(mapper, estimands=(estimand,), components=components,
                           control_age=control_age, level=level, tol=tol,
                           max_iter=max_iter)[estimand]


def c1_elasticities(mapper: Mapper, *, estimands: Sequence[str] = ("typical", "expected"),
                    components: Sequence[str] = ("likes", "comments"),
                    control_age: bool = True, level: float = 0.95, tol: float = 1e-10,
                    max_iter: int = 100) -> dict[str, Elasticity]:
    """:func:`c1_elasticity` for several estimands at once, sharing the passes over the data:
    the first gives the OLS sums and the outcome's mean, the OLS scores ride on the first
    Newton step, and the last pass gives PPML's Hessian and scores together (both estimands:
    two passes plus one per Newton step, against four plus one per step one at a time).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> creator = np.repeat(np.arange(40), 10)
    >>> f = (10 ** rng.uniform(3, 6, 40))[creator]
    >>> posts = pd.DataFrame({"creator": creator.astype(str), "followers": f,
    ...                       "likes": rng.poisson(0.1 * f**0.8).astype(float)})
    >>> fits = c1_elasticities(in_memory(posts), components=["likes"], control_age=False)
    >>> sorted(fits), round(fits["typical"].estimate, 1), round(fits["expected"].estimate, 1)
    (['expected', 'typical'], 0.8, 0.8)
    """
    estimands = tuple(dict.fromkeys(estimands))
    unknown = [e for e in estimands if e not in ESTIMANDS]
    if unknown or not estimands:
        raise ValueError(f"estimands must be some of {list(ESTIMANDS)}, got {list(estimands)}")
    components = tuple(components)

    def designs(chunk, which=estimands):
        return chunk_designs(chunk, components=components, estimands=which,
                             control_age=control_age)

    # the first pass also gives log-OLS's sums when only PPML is asked for: they start Newton
    first_of = tuple(dict.fromkeys([*estimands, *(["typical"] if "expected" in estimands
                                                   else [])]))

    def first(chunk):  # counts, OLS sums, the outcome's sum and sum of squares
        return {e: (d.rows, d.zero, d.log_x, moments.ols_moments(d.X, d.y), float(d.y.sum()),
                    float(d.y @ d.y))
                for e, d in designs(chunk, first_of).items()}

    def fold_first(a, b):
        return {e: (a[e][0] + b[e][0], a[e][1] + b[e][1],
                    (min(a[e][2][0], b[e][2][0]), max(a[e][2][1], b[e][2][1])),
                    a[e][3] + b[e][3], a[e][4] + b[e][4], a[e][5] + b[e][5]) for e in a}

    totals = mapper(first, fold_first)
    start = _warm_start(totals.get("typical"))
    totals = {e: totals[e] for e in estimands}
    for e, (_, _, (log_min, log_max), total, _, _) in totals.items():
        n, k = total.n, total.xtx.shape[0]
        if n <= k + 1:
            raise InsufficientDataError(f"{n} usable rows for C1 ({e}) with {k} parameters; "
                                        f"need at least {k + 2}")
        if not log_max > log_min:
            raise InsufficientDataError("all usable rows have the same follower count; no "
                                        "slope")
    coef, bread, scale = {}, {}, {e: 1.0 for e in estimands}
    if "typical" in estimands:
        coef["typical"], bread["typical"] = moments.ols_solve(totals["typical"][3])
    if "expected" in estimands:
        n = totals["expected"][3].n
        scale["expected"] = totals["expected"][4] / n
        if not scale["expected"] > 0:
            raise InsufficientDataError("every usable post has zero engagement; no mean to "
                                        "model")
        coef["expected"] = np.zeros(totals["expected"][3].xtx.shape[0])
        if start is not None:
            coef["expected"] = start - np.r_[math.log(scale["expected"]),
                                             np.zeros(len(start) - 1)]

    def residual(e, d):
        if e == "typical":
            return d.y - d.X @ coef[e]
        return d.y / scale[e] - np.exp(np.clip(d.X @ coef[e], -700, 700))

    def one_pass(scores_of, newton_of):
        """Per chunk: the score tables of ``scores_of`` and PPML's moments if ``newton_of``."""
        def per_chunk(chunk):
            ds = designs(chunk, [*scores_of, *(["expected"] if newton_of else [])])
            out = {e: moments.cluster_scores(ds[e].X, residual(e, ds[e]), ds[e].creators)
                   for e in scores_of}
            if newton_of:
                d = ds["expected"]
                out["newton"] = moments.poisson_moments(d.X, d.y / scale["expected"],
                                                        coef["expected"])
            return out

        def fold(a, b):
            return {key: (a[key] + b[key] if key == "newton"
                          else moments.add_scores([a[key], b[key]])) for key in a}

        return mapper(per_chunk, fold)

    scores: dict[str, pd.DataFrame] = {}
    pending = ["typical"] if "typical" in estimands else []
    if "expected" in estimands:
        # Newton's steps shrink quadratically: once a step is below CLOSE the next one is at
        # the estimate's precision, so that pass also brings PPML's scores and Hessian (the
        # sandwich at the estimate) and, when its own step is below ``tol``, ends the loop.
        close, started, restarted = False, coef["expected"].copy(), False
        for _ in range(max_iter):
            with_scores = [*pending, *(["expected"] if close else [])]
            result = one_pass(with_scores, newton_of=True)
            scores.update({e: result[e] for e in pending})
            pending = []
            at = result["newton"]
            step = np.linalg.solve(at.xtx, at.xty)
            if not np.all(np.isfinite(step)) and not restarted and start is not None:
                # a warm start too far away (a degenerate log-OLS): once more from zero
                coef["expected"], close, restarted = np.zeros_like(started), False, True
                continue
            coef["expected"] = coef["expected"] + step
            size = float(np.max(np.abs(step)))
            if close and size < tol:
                scores["expected"] = result["expected"]
                bread["expected"] = np.linalg.inv(at.xtx)
                break
            close = size < CLOSE
        else:
            raise InsufficientDataError("the PPML fit did not converge")
    elif pending:
        scores.update(one_pass(pending, newton_of=False))
    return {e: _elasticity(e, totals[e], coef[e], bread[e], scores[e], scale[e],
                           level=level, control_age=control_age) for e in estimands}


def _warm_start(typical) -> np.ndarray | None:
    """PPML's starting point from the log-OLS sums: the log-OLS slopes, and its intercept
    raised by half the residual variance (the mean of a log-normal), on the scale of the
    outcome itself; ``None`` when log-OLS cannot be solved."""
    if typical is None:
        return None
    total, y_squares = typical[3], typical[5]
    k = total.xtx.shape[0]
    if total.n <= k:
        return None
    try:
        coef, _ = moments.ols_solve(total)
    except np.linalg.LinAlgError:
        return None
    variance = max((y_squares - coef @ total.xty) / (total.n - k), 0.0)
    if not (np.all(np.isfinite(coef)) and np.isfinite(variance)):
        return None
    return coef + np.r_[variance / 2, np.zeros(k - 1)]


def _elasticity(estimand: str, totals, coef, bread, scores: pd.DataFrame, scale: float, *,
                level: float, control_age: bool) -> Elasticity:
    rows, zero, (log_min, log_max), total, _, _ = totals
    groups = len(scores)
    if groups < 3:
        raise InsufficientDataError(f"{groups} creators; need at least 3 to cluster by creator")
    cov, df = moments.cluster_covariance(bread, scores.to_numpy(), n=total.n)
    # the intercept at the controls' means, as insights.stats reports it (it centres them):
    # a + c'm, with its variance and covariance with b moved accordingly
    means = total.xtx[0, 2:] / total.n
    shift = np.concatenate([[1.0, 0.0], means])
    intercept = float(coef[0] + coef[2:] @ means)
    var_a = float(shift @ cov @ shift)
    cov_ab = float(shift @ cov[:, 1])
    se = float(np.sqrt(cov[1, 1]))
    half = t_quantile(level, df) * se
    method = ("log-OLS of engagement on log(followers)" if estimand == "typical"
              else "PPML (Poisson quasi-likelihood) of engagement on log(followers)")
    controls = "; controls log(1 + post age in days)" if control_age else ""
    return Elasticity(
        estimate=float(coef[1]), se=se, ci_low=float(coef[1] - half),
        ci_high=float(coef[1] + half), n=total.n, n_clusters=groups, dropped=rows - total.n,
        intercept=intercept + math.log(scale),
        cov_ab=(var_a, cov_ab, float(cov[1, 1])),
        method=f"{method}{controls}; errors clustered by creator ({groups}), chunked sums",
        level=level, y="engagement", x="followers", x_min=float(np.exp(log_min)),
        x_max=float(np.exp(log_max)), df=df, n_zero=zero,
    )


# --------------------------------------------------------------------------------------------
# one row per creator: a group-by whose groups are whole in one partition after a shuffle

#: Columns of :func:`creator_rows` after those of :func:`insights.metrics.creator_engagement`.
CREATOR_EXTRA = ("posts", "rel_n", "rel_mean", "rel_var", "followers_min", "followers_max")


def creator_rows(posts: pd.DataFrame, *, components: Sequence[str],
                 expected: Elasticity | None = None,
                 means_of: Sequence[str] = ()) -> pd.DataFrame:
    """One row per creator of ``posts`` (all of each creator's posts): the columns of
    :func:`insights.metrics.creator_engagement` (``stat="mean"``), then ``posts`` (posts with
    an engagement value and a positive follower count), ``rel_n``, ``rel_mean`` and
    ``rel_var`` (count, mean and variance, ``ddof=1``, of each such post's engagement over
    the ``expected`` line at its follower count: the inputs of
    :func:`insights.stats.shrink_unit_means`; NaN without a line) and the creator's least and
    most followers over their posts. ``means_of`` adds ``avg_<column>`` for each column named:
    its mean over the creator's posts where it is a valid count (C5 reduces likes and comments
    so, :func:`insights.claims.comments_per_like_vs_followers`; with ``followers`` these make a
    creators table).

    Examples
    --------
    >>> posts = pd.DataFrame({"platform": "tiktok", "creator": ["a", "a", "b"],
    ...                       "followers": [100.0, 120.0, 50.0], "likes": [10.0, 30.0, None]})
    >>> creator_rows(posts, components=["likes"])[["creator", "engagement", "posts",
    ...                                            "followers_max"]]
      creator  engagement  posts  followers_max
    0       a        20.0      2          120.0
    1       b         NaN      0           50.0
    """
    out = metrics.creator_engagement(posts, components=tuple(components), stat="mean")
    value = metrics.engagement(posts, components=tuple(components))["value"].to_numpy(
        dtype=float)
    followers = pd.to_numeric(posts["followers"], errors="coerce").to_numpy(dtype=float)
    creator = posts["creator"].astype(str).to_numpy()
    with np.errstate(invalid="ignore"):
        usable = np.isfinite(value) & (followers > 0)
    if expected is not None and np.isfinite(expected.estimate):
        line = np.full(len(value), np.nan)
        line[usable] = fit_line(expected, np.maximum(followers[usable], 1.0))["fit"].to_numpy()
        relative = value / line
    else:
        relative = np.full(len(value), np.nan)
    frame = pd.DataFrame({"creator": creator, "usable": usable,
                          "relative": np.where(usable, relative, np.nan),
                          "followers": np.where(followers > 0, followers, np.nan)})
    grouped = frame.groupby("creator", sort=False)
    rel = frame[np.isfinite(frame["relative"])].groupby("creator", sort=False)["relative"]
    stats_ = pd.DataFrame({"posts": grouped["usable"].sum().astype("int64"),
                           "followers_min": grouped["followers"].min(),
                           "followers_max": grouped["followers"].max()})
    stats_["rel_n"] = rel.size().reindex(stats_.index).fillna(0).astype("int64")
    stats_["rel_mean"] = rel.mean().reindex(stats_.index)
    stats_["rel_var"] = rel.var(ddof=1).reindex(stats_.index)
    extra = stats_.reindex(out["creator"].astype(str).to_numpy())
    for column in CREATOR_EXTRA:
        out[column] = extra[column].to_numpy()
    for column in means_of:
        one = metrics.creator_engagement(posts, components=(column,), stat="mean")
        out[f"avg_{column}"] = one["engagement"].to_numpy()
    return out


def creator_summary(ddf, *, components: Sequence[str],
                    expected: Elasticity | None = None,
                    means_of: Sequence[str] = ()) -> pd.DataFrame:
    """:func:`creator_rows` over a ``dask.dataframe`` of posts: the posts are shuffled so
    that each creator's lie in one partition (Dask's shuffle: on disk with the threaded
    scheduler, peer to peer on a cluster), each partition is reduced in pandas, and the rows
    come back sorted by platform and creator, as :func:`insights.metrics.creator_engagement`
    sorts them. Equal to :func:`creator_rows` on the whole table (the test checks it)."""
    columns = list(dict.fromkeys(c for c in ("platform", "creator", "followers", *components,
                                             *means_of) if c in ddf.columns))
    work = ddf[columns]
    meta = creator_rows(work._meta, components=components, expected=expected,
                        means_of=means_of)
    rows = (work.shuffle(on="creator")
            .map_partitions(creator_rows, components=components, expected=expected,
                            means_of=means_of, meta=meta)
            .compute())
    keys = [c for c in ("platform", "creator") if c in rows.columns]
    return rows.sort_values(keys, kind="stable").reset_index(drop=True)
