"""Operating characteristics of the claim tests, measured on simulated data with a known truth.

:mod:`insights.simulate` makes data sets whose elasticity is known; this module runs a test on
many of them and summarises how it behaves: how often its 95% interval covers the truth
(coverage, with its Monte-Carlo standard error), how often it returns each verdict, its bias.
It also holds the method most published notebooks use — correlating the engagement *rate* with
follower count — so that it can be compared with the elasticity on the same simulated data.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats as sps

from insights.verdicts import ClaimResult, results_table

__all__ = ["replicate", "summarise", "sweep", "rate_correlation", "IntervalCheck",
           "interval_check", "consistent_with", "coverage_table", "holdout_coverage",
           "resample_units", "map_streams", "map_generators", "calibrated_t", "UnitIndex",
           "unit_index", "widening", "resample_counts", "WidenedInterval", "widened_interval",
           "double_bootstrap", "leave_one_out"]


def replicate(
    test: Callable[[np.random.Generator], ClaimResult],
    n: int,
    *,
    rng: np.random.Generator,
    workers: int = 1,
) -> pd.DataFrame:
    """Run ``test`` on ``n`` independent streams spawned from ``rng``; stack the results.

    ``test`` receives its own child generator (``rng.spawn``), draws a data set with it and
    returns a :class:`~insights.verdicts.ClaimResult`. Replicate ``i`` always gets the same
    stream for the same parent seed, whatever ``n`` is. ``workers > 1`` runs the replicates
    in forked processes (:func:`map_streams`: ``test`` must then be importable by name, e.g.
    a ``functools.partial`` of a top-level function); the table does not change.

    Returns
    -------
    DataFrame
        :func:`insights.verdicts.results_table` of the ``n`` results, plus ``replicate``.

    Examples
    --------
    >>> def toy(r):
    ...     low = r.normal()
    ...     return ClaimResult("C1", "toy", low + 1, low, low + 2, 10, "inconclusive", "toy")
    >>> table = replicate(toy, 3, rng=np.random.default_rng(0))
    >>> table["replicate"].tolist(), len(table)
    ([0, 1, 2], 3)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed)")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    table = results_table(map_streams(test, n, rng=rng, workers=workers))
    table.insert(0, "replicate", np.arange(n))
    return table


def summarise(table: pd.DataFrame, *, truth: float) -> dict[str, float]:
    """Coverage, verdict rates and bias of a table of replicated results.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`replicate` (columns ``estimate``, ``ci_low``, ``ci_high``,
        ``verdict``).
    truth : float
        The value that generated the data.

    Returns
    -------
    dict
        ``n`` (replicates with an estimate), ``coverage`` (share of intervals containing
        ``truth``) and ``coverage_se`` (its Monte-Carlo standard error,
        ``sqrt(p (1 - p) / n)``), the share of each verdict (``supported``, ``contradicted``,
        ``equivalent``, ``inconclusive``), ``mean_estimate``, ``bias`` (mean estimate − truth) and
        ``bias_se``, and ``mean_width`` of the interval.

    Examples
    --------
    >>> table = pd.DataFrame({"estimate": [0.9, 1.1, 1.3], "ci_low": [0.8, 1.0, 1.2],
    ...                       "ci_high": [1.0, 1.2, 1.4],
    ...                       "verdict": ["inconclusive", "inconclusive", "contradicted"]})
    >>> out = summarise(table, truth=1.0)
    >>> round(out["coverage"], 3), round(out["contradicted"], 3), round(out["bias"], 3)
    (0.667, 0.333, 0.1)
    """
    ok = table[np.isfinite(table["estimate"].to_numpy(dtype=float))]
    n = len(ok)
    if n == 0:
        raise ValueError("no replicate produced an estimate")
    covered = ((ok["ci_low"] <= truth) & (truth <= ok["ci_high"])).to_numpy()
    p = float(covered.mean())
    estimates = ok["estimate"].to_numpy(dtype=float)
    out = {
        "n": float(n),
        "coverage": p,
        "coverage_se": float(np.sqrt(p * (1 - p) / n)),
    }
    for verdict in ("supported", "contradicted", "equivalent", "inconclusive"):
        out[verdict] = float((ok["verdict"] == verdict).mean())
    out["mean_estimate"] = float(estimates.mean())
    out["bias"] = float(estimates.mean() - truth)
    out["bias_se"] = float(estimates.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    out["mean_width"] = float((ok["ci_high"] - ok["ci_low"]).mean())
    return out


def sweep(
    tests: Mapping[Hashable, Callable[[np.random.Generator], ClaimResult]],
    n: int,
    *,
    rng: np.random.Generator,
    truth: float | Mapping[Hashable, float],
    label: str = "setting",
    workers: int = 1,
) -> pd.DataFrame:
    """Replicate each test ``n`` times and summarise it: one row per setting.

    The settings run in the order given, each on its own block of streams spawned from
    ``rng`` (:func:`replicate`), so a sweep gives the same numbers as the same calls made one
    after the other.

    Parameters
    ----------
    tests : mapping of setting label to test
        Each test as in :func:`replicate`.
    n : int
        Replicates per setting.
    truth : float or mapping of setting label to float
        The true value each setting's estimates are compared with.
    label : str
        Name of the first column, which holds the setting labels.
    workers : int
        Processes per setting (:func:`replicate`).

    Returns
    -------
    DataFrame
        ``label`` and the columns of :func:`summarise`.

    Examples
    --------
    >>> def toy(shift):
    ...     def test(r):
    ...         low = r.normal() + shift
    ...         return ClaimResult("C1", "toy", low + 1, low, low + 2, 10, "inconclusive", "t")
    ...     return test
    >>> table = sweep({0.0: toy(0.0), 5.0: toy(5.0)}, 200, rng=np.random.default_rng(0),
    ...               truth=1.0, label="shift")
    >>> table["shift"].tolist(), table["coverage"].round(1).tolist()
    ([0.0, 5.0], [0.7, 0.0])
    """
    rows = []
    for setting, test in tests.items():
        value = truth[setting] if isinstance(truth, Mapping) else truth
        table = replicate(test, n, rng=rng, workers=workers)
        rows.append({label: setting, **summarise(table, truth=value)})
    return pd.DataFrame(rows)


def rate_correlation(
    frame: pd.DataFrame,
    *,
    engagement: str,
    followers: str = "followers",
    method: str = "spearman",
) -> tuple[float, float]:
    """The usual notebook test of C1: correlate engagement *rate* with follower count.

    Computes ``rate = engagement / followers`` and its Spearman (or Pearson, on log
    followers) correlation with followers over rows where both are positive. Returns
    ``(r, p_value)``. It is kept to be compared with the elasticity, not to be used: the rate
    shares its denominator with the regressor, so noise in the follower count alone makes
    the correlation negative (the ratio artefact, ``docs/sources.md``).

    Examples
    --------
    >>> f = np.array([1e3, 1e4, 1e5, 1e6])
    >>> r, p = rate_correlation(pd.DataFrame({"e": f**0.8, "followers": f}), engagement="e")
    >>> round(r, 3)
    -1.0
    """
    if method not in ("spearman", "pearson"):
        raise ValueError(f"method must be 'spearman' or 'pearson', got {method!r}")
    for column in (engagement, followers):
        if column not in frame.columns:
            raise KeyError(f"column {column!r} not in the table; columns are "
                           f"{list(frame.columns)}")
    e = pd.to_numeric(frame[engagement], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    f = pd.to_numeric(frame[followers], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    keep = np.isfinite(e) & np.isfinite(f) & (e > 0) & (f > 0)
    if keep.sum() < 3:
        return (np.nan, np.nan)
    rate = e[keep] / f[keep]
    if method == "spearman":
        result = sps.spearmanr(rate, f[keep])
    else:
        result = sps.pearsonr(rate, np.log(f[keep]))
    return (float(result.statistic), float(result.pvalue))


@dataclass(frozen=True)
class IntervalCheck:
    """How an interval behaves on a world with a known truth (:func:`interval_check`)."""

    replicates: int
    truth: float
    coverage: float
    mc_se: float
    critical: float
    mean: float
    sd: float
    mean_se: float

    def widened(self, estimate: float, se: float) -> tuple[float, float]:
        """``estimate ± critical * se``: an interval whose critical value makes it cover at the
        nominal rate on the world it was checked on."""
        return estimate - self.critical * se, estimate + self.critical * se


def interval_check(
    draw: Callable[[np.random.Generator], pd.DataFrame],
    fit: Callable[[pd.DataFrame], object],
    *,
    truth: float,
    n: int,
    rng: np.random.Generator,
    level: float = 0.95,
) -> IntervalCheck:
    """Coverage of ``fit``'s interval on ``n`` samples from ``draw``, and the calibrated
    critical value.

    ``draw(rng)`` returns a data set; ``fit(frame)`` returns an object with ``estimate``,
    ``se``, ``ci_low`` and ``ci_high`` (an :class:`insights.stats.Elasticity`). The critical
    value is the ``level`` quantile of ``|estimate - truth| / se``: the multiple of the
    standard error that would have covered the truth at the nominal rate on this world.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> def draw(r):
    ...     return pd.DataFrame({"x": r.normal(0, 1, 400)})
    >>> def fit(frame):
    ...     m, se = frame["x"].mean(), frame["x"].std() / 20
    ...     return SimpleNamespace(estimate=m, se=se, ci_low=m - 1.96 * se, ci_high=m + 1.96 * se)
    >>> check = interval_check(draw, fit, truth=0.0, n=2000, rng=np.random.default_rng(0))
    >>> round(check.coverage, 2), round(check.critical, 1)
    (0.95, 2.0)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed)")
    if n < 2:
        raise ValueError(f"n must be at least 2, got {n}")
    estimates, ses, hits = np.empty(n), np.empty(n), np.empty(n, dtype=bool)
    for i, child in enumerate(rng.spawn(n)):
        result = fit(draw(child))
        estimates[i], ses[i] = result.estimate, result.se
        hits[i] = result.ci_low <= truth <= result.ci_high
    coverage = float(hits.mean())
    return IntervalCheck(
        replicates=n, truth=float(truth), coverage=coverage,
        mc_se=float(np.sqrt(coverage * (1 - coverage) / n)),
        critical=float(np.quantile(np.abs(estimates - truth) / ses, level)),
        mean=float(estimates.mean()), sd=float(estimates.std(ddof=1)),
        mean_se=float(ses.mean()),
    )


def consistent_with(table: pd.DataFrame, estimate: float, se: float, *,
                    level: float = 0.95) -> pd.Series:
    """Which settings of a :func:`sweep` could have produced a real ``estimate``.

    A setting is consistent when the real estimate lies within the central ``level`` range of
    what the setting produces, allowing for the real estimate's own error: ``|estimate -
    mean_estimate| <= z * sqrt(sd^2 + se^2)``, with ``sd`` the spread of the setting's
    estimates over its replicates (``bias_se * sqrt(n)``).

    Examples
    --------
    >>> table = pd.DataFrame({"mean_estimate": [0.1, 0.5, 0.9], "bias_se": [0.01] * 3,
    ...                       "n": [100] * 3})
    >>> consistent_with(table, 0.45, 0.05).tolist()
    [False, True, False]
    """
    z = sps.norm.ppf(0.5 + level / 2)
    spread = table["bias_se"] * np.sqrt(table["n"])
    return (table["mean_estimate"] - estimate).abs() <= z * np.sqrt(spread**2 + se**2)


def _intervals(fits: pd.DataFrame, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Each row's interval: its ``ci_low``/``ci_high`` if given, else ``estimate ± t se``."""
    if {"ci_low", "ci_high"} <= set(fits.columns):
        return fits["ci_low"].to_numpy(dtype=float), fits["ci_high"].to_numpy(dtype=float)
    df = fits["df"].to_numpy(dtype=float) if "df" in fits.columns else np.full(len(fits), np.inf)
    half = sps.t.ppf(0.5 + level / 2, df) * fits["se"].to_numpy(dtype=float)
    estimate = fits["estimate"].to_numpy(dtype=float)
    return estimate - half, estimate + half


def coverage_table(fits: pd.DataFrame, truths: Mapping[Hashable, float], *,
                   by: str = "estimator", level: float = 0.95) -> pd.DataFrame:
    """How each interval of a simulation study behaves: coverage with its Monte-Carlo error.

    Parameters
    ----------
    fits : DataFrame
        One row per replicate and interval: ``by`` (which interval), ``estimate`` and either
        ``ci_low``/``ci_high`` (e.g. a bootstrap interval) or ``se`` (with ``df`` for a t
        interval, else normal).
    truths : mapping
        The true value of each ``by`` group's estimand.

    Returns
    -------
    DataFrame
        Per group: ``replicates``, ``coverage``, ``coverage_se`` (``sqrt(c (1 - c) / n)``),
        ``truth``, ``mean``, ``bias``, ``bias_se``, ``sd`` (of the estimates), ``mean_se``,
        ``se_ratio`` (mean SE / SD: below 1, the SEs are too small on average) and
        ``critical`` (the ``level`` quantile of ``|estimate - truth| / se``: the multiple of
        the SE that would have covered at the nominal rate; NaN without ``se``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> est = rng.normal(1.0, 0.1, 4000)
    >>> fits = pd.DataFrame({"estimator": "a", "estimate": est, "se": 0.1})
    >>> row = coverage_table(fits, {"a": 1.0}).iloc[0]
    >>> round(float(row["coverage"]), 2), round(float(row["se_ratio"]), 1)
    (0.95, 1.0)
    """
    missing = [g for g in fits[by].unique() if g not in truths]
    if missing:
        raise KeyError(f"no truth for {missing}; truths are given for {list(truths)}")
    low, high = _intervals(fits, level)
    work = fits.assign(__low=low, __high=high, __truth=fits[by].map(truths).astype(float))
    rows = []
    for group, part in work.groupby(by, sort=False):
        estimate = part["estimate"].to_numpy(dtype=float)
        truth = float(part["__truth"].iloc[0])
        hit = (part["__low"] <= truth) & (truth <= part["__high"])
        n = len(part)
        coverage = float(hit.mean())
        se = part["se"].to_numpy(dtype=float) if "se" in part.columns else np.full(n, np.nan)
        sd = float(estimate.std(ddof=1)) if n > 1 else np.nan
        with np.errstate(invalid="ignore", divide="ignore"):
            critical = (float(np.quantile(np.abs(estimate - truth) / se, level))
                        if np.isfinite(se).all() else np.nan)
        rows.append({
            by: group, "replicates": n, "coverage": coverage,
            "coverage_se": float(np.sqrt(coverage * (1 - coverage) / n)), "truth": truth,
            "mean": float(estimate.mean()), "bias": float(estimate.mean() - truth),
            "bias_se": sd / np.sqrt(n), "sd": sd, "mean_se": float(np.mean(se)),
            "se_ratio": float(np.mean(se)) / sd, "critical": critical,
        })
    return pd.DataFrame(rows)


def calibrated_t(estimate, se, truth: float, *, level: float = 0.95) -> tuple[float, float]:
    """The quantiles of ``t = (estimate - truth) / se`` that make an interval cover.

    Returns ``(q_low, q_high)``, the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles;
    the calibrated interval of a new estimate is ``[estimate - q_high se, estimate - q_low
    se]`` (a bootstrap-t interval whose t distribution is the world's): unlike a symmetric
    critical value it also holds each tail at ``(1 - level) / 2`` when the t distribution is
    skewed.

    Examples
    --------
    >>> calibrated_t(np.array([-2.0, 0.0, 1.0, 3.0]), np.ones(4), 0.0, level=0.5)
    (-2.0, 1.0)
    """
    t = (np.asarray(estimate, dtype=float) - truth) / np.asarray(se, dtype=float)
    low, high = np.quantile(t, [(1 - level) / 2, (1 + level) / 2], method="inverted_cdf")
    return float(low), float(high)


def holdout_coverage(estimate, se, truth: float, *, level: float = 0.95,
                     symmetric: bool = True) -> tuple[float, float]:
    """Out-of-sample coverage of an interval calibrated on the world's t distribution.

    The replicates are split in two halves; the calibration is estimated on one half and the
    interval is checked on the other, and the other way round. ``symmetric``: the critical
    value is the ``level`` quantile of ``|estimate - truth| / se`` and the interval
    ``estimate ± critical * se`` (:class:`IntervalCheck`); otherwise the two quantiles of
    :func:`calibrated_t`. Returns the coverage over both checks and its Monte-Carlo standard
    error: what the calibrated interval achieves on samples it was not calibrated on.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> est = rng.standard_t(3, 4000) * 0.1  # heavy tails: a 1.96 SE interval under-covers
    >>> coverage, se = holdout_coverage(est, np.full(4000, 0.1), 0.0)
    >>> abs(coverage - 0.95) < 3 * se
    True
    """
    estimate = np.asarray(estimate, dtype=float)
    se = np.asarray(se, dtype=float)
    n = len(estimate)
    if n < 4 or se.shape != estimate.shape:
        raise ValueError(f"need at least 4 replicates and one se per estimate, got {n} and "
                         f"{se.shape}")
    t = (estimate - truth) / se
    halves = (np.arange(n) < n // 2, np.arange(n) >= n // 2)
    hits = []
    for fit, check in (halves, halves[::-1]):
        if symmetric:
            hits.append(np.abs(t[check]) <= np.quantile(np.abs(t[fit]), level))
        else:
            low, high = calibrated_t(estimate[fit], se[fit], truth, level=level)
            hits.append((t[check] >= low) & (t[check] <= high))
    hit = np.concatenate(hits)
    coverage = float(hit.mean())
    return coverage, float(np.sqrt(coverage * (1 - coverage) / n))


class UnitIndex(NamedTuple):
    """Where each unit's rows are in a table (:func:`unit_index`)."""

    order: np.ndarray  #: row positions sorted by unit, stable
    starts: np.ndarray  #: unit ``u``'s rows are ``order[starts[u]:starts[u + 1]]``

    def rows(self, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(owner, rows)`` for the units ``chosen`` (repeats allowed), in draw order: the
        row positions of every chosen unit and, per row, the position of its draw.

        Examples
        --------
        >>> unit_index(np.array([1, 0, 1])).rows(np.array([1, 1, 0]))
        (array([0, 0, 1, 1, 2]), array([0, 2, 0, 2, 1]))
        """
        sizes = self.starts[chosen + 1] - self.starts[chosen]
        owner = np.repeat(np.arange(len(chosen)), sizes)
        offsets = np.arange(owner.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return owner, self.order[np.repeat(self.starts[chosen], sizes) + offsets]


def unit_index(codes: np.ndarray) -> UnitIndex:
    """Index a table's rows by unit code ``0 .. G - 1`` (e.g. from ``pandas.factorize``), so
    that drawing units with all their rows (:meth:`UnitIndex.rows`) needs no sort per draw."""
    codes = np.asarray(codes)
    return UnitIndex(np.argsort(codes, kind="stable"), np.r_[0, np.cumsum(np.bincount(codes))])


def resample_units(frame: pd.DataFrame, unit: str, *, rng: np.random.Generator) -> pd.DataFrame:
    """The table with its units (creators, accounts) drawn with replacement, all rows of each.

    A world that is the sample itself: as many units as it has, each drawn with all its rows;
    a unit drawn twice appears as two units (``unit`` is renumbered ``0 .. G - 1`` in draw
    order), so errors clustered by ``unit`` treat the copies as the independent draws they
    are. The truth of any estimand in this world is the full table's own estimate.

    Examples
    --------
    >>> table = pd.DataFrame({"creator": ["a", "a", "b"], "likes": [1, 2, 3]})
    >>> resample_units(table, "creator", rng=np.random.default_rng(3))
       creator  likes
    0        0      3
    1        1      1
    2        1      2
    """
    if unit not in frame.columns:
        raise KeyError(f"column {unit!r} not in the table; columns are {list(frame.columns)}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed)")
    codes, groups = pd.factorize(frame[unit])
    if (codes < 0).any():
        rows = np.flatnonzero(codes < 0)[:5].tolist()
        raise ValueError(f"column {unit!r} is missing in rows {rows}; every row needs a unit")
    index = unit_index(codes)
    owner, rows = index.rows(rng.integers(0, len(groups), len(groups)))
    out = frame.iloc[rows].reset_index(drop=True)
    out[unit] = owner
    return out


def _run_block(function, children):
    return [function(child) for child in children]


def map_streams(function: Callable[[np.random.Generator], object], n: int, *,
                rng: np.random.Generator, workers: int = 1) -> list:
    """``[function(child) for child in rng.spawn(n)]``, in blocks over forked processes.

    Each call gets its own spawned stream, so the list is the same whatever ``workers`` is.
    With ``workers > 1`` the streams are split into that many blocks, each run in a process
    forked from this one (it sees the caller's objects without copying them by hand; the
    function must be importable by name, e.g. defined at the top level of a module or a
    notebook, and so must its results be picklable). Where the platform cannot fork, the
    blocks run one after the other. :func:`map_generators` runs a chosen subset of streams.

    Examples
    --------
    >>> draws = map_streams(lambda r: round(float(r.random()), 3), 3,
    ...                     rng=np.random.default_rng(0))
    >>> draws == map_streams(lambda r: round(float(r.random()), 3), 3,
    ...                      rng=np.random.default_rng(0))
    True
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed)")
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n!r}")
    return map_generators(function, rng.spawn(int(n)), workers=workers)


def map_generators(function: Callable[[np.random.Generator], object],
                   generators: Sequence[np.random.Generator], *, workers: int = 1) -> list:
    """``[function(g) for g in generators]``, in blocks over forked processes as
    :func:`map_streams` runs them (the same list whatever ``workers`` is).

    Given some of the streams ``rng.spawn(n)`` would give, it computes those calls alone, each
    exactly as inside the full run: a long study can be run in pieces, resumed, or checked
    row by row.

    Examples
    --------
    >>> children = np.random.default_rng(0).spawn(3)
    >>> full = map_streams(lambda r: round(float(r.random()), 3), 3,
    ...                    rng=np.random.default_rng(0))
    >>> map_generators(lambda r: round(float(r.random()), 3), children[1:]) == full[1:]
    True
    """
    if isinstance(workers, bool) or not isinstance(workers, int | np.integer) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    children = list(generators)
    if not all(isinstance(child, np.random.Generator) for child in children):
        raise TypeError("generators must be numpy Generators, e.g. rng.spawn(n)")
    n = len(children)
    if workers == 1 or n < 2 * workers or "fork" not in multiprocessing.get_all_start_methods():
        return _run_block(function, children)
    bounds = np.linspace(0, n, workers + 1).astype(int)
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        blocks = [pool.submit(_run_block, function, children[a:b])
                  for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
        return [result for block in blocks for result in block.result()]


def widening(estimate, low, high, truth, *, coverage: float = 0.95,
             sides: bool = False) -> float | tuple[float, float]:
    """How far intervals had to be widened to cover ``truth`` in ``coverage`` of the draws.

    For each draw, the multiple of its half-width on the side where the truth lies
    (``(estimate - truth) / (estimate - low)`` when the truth is below the estimate, else
    ``(truth - estimate) / (high - estimate)``); the result is its ``coverage`` quantile: the
    widening of the ledger (``docs/analysis-plan.md``, amendment 11). ``sides=True`` gives one
    multiple per side instead, ``(k_low, k_high)``, each the ``1 - (1 - coverage) / 2`` quantile
    of that side's multiple (0 for draws whose truth lies on the other side). Draws without an
    estimate (NaN) are left out.

    Examples
    --------
    >>> est = np.array([0.0, 0.0, 0.0, 0.0])
    >>> widening(est, est - 1, est + 1, truth=np.array([0.5, -1.5, 2.0, 0.1]), coverage=0.5)
    1.0
    >>> widening(est, est - 1, est + 2, truth=1.0, coverage=1.0, sides=True)
    (0.0, 0.5)
    """
    estimate, low, high = (np.asarray(v, dtype=float) for v in (estimate, low, high))
    truth = np.broadcast_to(np.asarray(truth, dtype=float), estimate.shape)
    if not 0 < coverage <= 1:
        raise ValueError(f"coverage must be in (0, 1], got {coverage}")
    keep = np.isfinite(estimate) & np.isfinite(low) & np.isfinite(high)
    if not keep.any():
        raise ValueError("no draw has an estimate and an interval")
    estimate, low, high, truth = estimate[keep], low[keep], high[keep], truth[keep]
    below = truth < estimate
    with np.errstate(divide="ignore", invalid="ignore"):
        need_low = np.where(below, (estimate - truth) / (estimate - low), 0.0)
        need_high = np.where(below, 0.0, (truth - estimate) / (high - estimate))
    if not sides:
        return float(np.quantile(np.maximum(need_low, need_high), coverage))
    tail = 1 - (1 - coverage) / 2
    return float(np.quantile(need_low, tail)), float(np.quantile(need_high, tail))


def resample_counts(n_units: int, size: int, *, rng: np.random.Generator,
                    of: np.ndarray | None = None) -> np.ndarray:
    """How often each unit is drawn in ``size`` resamples of ``n_units`` units with
    replacement, as :func:`resample_units` draws them: a ``(size, n_units)`` array of counts
    summing to ``n_units`` per row. ``of`` (counts of one resample) draws the resample's own
    resamples: ``n_units`` draws from its units, each as often as it appears there.

    Examples
    --------
    >>> counts = resample_counts(4, 3, rng=np.random.default_rng(0))
    >>> counts.shape, counts.sum(axis=1).tolist()
    ((3, 4), [4, 4, 4])
    >>> again = resample_counts(4, 2, rng=np.random.default_rng(1), of=np.array([0, 0, 4, 0]))
    >>> again.tolist()  # a resample that holds one unit four times can only draw that unit
    [[0, 0, 4, 0], [0, 0, 4, 0]]
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed)")
    if n_units < 1 or size < 1:
        raise ValueError(f"n_units and size must be at least 1, got {n_units} and {size}")
    if of is None:
        drawn = rng.integers(0, n_units, (size, n_units))
    else:
        of = np.asarray(of)
        if of.shape != (n_units,) or of.sum() != n_units or (of < 0).any():
            raise ValueError(f"of must hold {n_units} counts of 0 or more summing to {n_units}")
        pool = np.repeat(np.arange(n_units), of)
        drawn = pool[rng.integers(0, n_units, (size, n_units))]
    flat = (drawn + n_units * np.arange(size)[:, None]).ravel()
    return np.bincount(flat, minlength=size * n_units).reshape(size, n_units)


class WidenedInterval(NamedTuple):
    """A fit's interval with both half-widths multiplied by ``k`` (:func:`widened_interval`)."""

    estimate: float
    low: float
    high: float
    k: float
    ci_low: float
    ci_high: float
    resamples: int


def _widen(estimate, low, high, k):
    return estimate - k * (estimate - low), estimate + k * (high - estimate)


def _fit_one(fit: Callable[[np.ndarray], tuple], counts: np.ndarray) -> tuple[float, ...]:
    """``fit`` on one row of counts: its estimate, low and high as floats."""
    return tuple(float(np.asarray(v).ravel()[0]) for v in fit(counts))


def widened_interval(fit: Callable[[np.ndarray], tuple], n_units: int, *, n: int,
                     rng: np.random.Generator, coverage: float = 0.95) -> WidenedInterval:
    """The interval of ``fit`` widened by the multiple ``k`` that covered ``coverage`` of
    ``n`` resamples of the sample's units (:func:`widening`, the sample's own estimate as the
    truth): ``docs/analysis-plan.md``, amendment 12. ``fit(counts)`` refits the sample for each
    row of a ``(B, n_units)`` count matrix (:func:`resample_counts`) and returns three arrays,
    ``(estimate, ci_low, ci_high)``; :func:`double_bootstrap` checks the procedure.

    Examples
    --------
    >>> values = np.random.default_rng(0).normal(size=30)
    >>> def mean_fit(counts):  # the mean with a deliberately short interval (0.5 SE)
    ...     m = counts @ values / 30
    ...     half = 0.5 * np.sqrt(np.maximum(counts @ values**2 / 30 - m**2, 0) / 30)
    ...     return m, m - half, m + half
    >>> out = widened_interval(mean_fit, 30, n=400, rng=np.random.default_rng(1))
    >>> 3 < out.k < 5  # about 1.96 / 0.5
    True
    """
    estimate, low, high = _fit_one(fit, np.ones((1, n_units)))
    draws = fit(resample_counts(n_units, n, rng=rng))
    k = widening(*draws, truth=estimate, coverage=coverage)
    wide_low, wide_high = _widen(estimate, low, high, k)
    return WidenedInterval(estimate, wide_low, wide_high, k, low, high, n)


def _double_row(child: np.random.Generator, *, fit, n_units: int, n_inner: int,
                coverage: float) -> dict:
    counts = resample_counts(n_units, 1, rng=child)
    estimate, low, high = _fit_one(fit, counts)
    inner = fit(resample_counts(n_units, n_inner, rng=child, of=counts[0]))
    if not np.isfinite(estimate):
        return {"estimate": estimate, "low": low, "high": high, "k": np.nan,
                "k_low": np.nan, "k_high": np.nan}
    k = widening(*inner, truth=estimate, coverage=coverage)
    k_low, k_high = widening(*inner, truth=estimate, coverage=coverage, sides=True)
    return {"estimate": estimate, "low": low, "high": high, "k": k, "k_low": k_low,
            "k_high": k_high}


def double_bootstrap(fit: Callable[[np.ndarray], tuple], n_units: int, *, n_outer: int,
                     n_inner: int, rng: np.random.Generator, coverage: float = 0.95,
                     workers: int = 1) -> pd.DataFrame:
    """Check :func:`widened_interval` as it is used: on ``n_outer`` resamples of the sample
    (each on its own spawned stream, :func:`map_streams`), the widening ``k`` from ``n_inner``
    resamples *of that resample*, and the widened interval against the sample's own estimate
    (the truth of the world that is the sample).

    Returns one row per outer resample: ``estimate, low, high`` (the fit's own interval),
    ``k`` (one multiple, :func:`widening`) and ``k_low, k_high`` (one per side,
    ``sides=True``), and whether each interval covers the truth: ``covered`` (the fit's),
    ``covered_widened`` and ``covered_sides``. ``attrs["truth"]`` holds the truth.

    Examples
    --------
    >>> values = np.random.default_rng(0).normal(size=40)
    >>> def mean_fit(counts):
    ...     m = counts @ values / 40
    ...     half = 0.5 * np.sqrt(np.maximum(counts @ values**2 / 40 - m**2, 0) / 40)
    ...     return m, m - half, m + half
    >>> table = double_bootstrap(mean_fit, 40, n_outer=200, n_inner=100,
    ...                          rng=np.random.default_rng(2))
    >>> bool(table["covered"].mean() < 0.5 < 0.85 < table["covered_widened"].mean())
    True
    """
    for name, value in (("n_outer", n_outer), ("n_inner", n_inner)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 2:
            raise ValueError(f"{name} must be a whole number >= 2, got {value!r}")
    truth = _fit_one(fit, np.ones((1, n_units)))[0]
    rows = map_streams(partial(_double_row, fit=fit, n_units=n_units, n_inner=n_inner,
                               coverage=coverage), n_outer, rng=rng, workers=workers)
    table = pd.DataFrame(rows)
    e, low, high = table["estimate"], table["low"], table["high"]
    table["covered"] = (low <= truth) & (truth <= high)
    wide_low, wide_high = _widen(e, low, high, table["k"])
    table["covered_widened"] = (wide_low <= truth) & (truth <= wide_high)
    table["covered_sides"] = ((e - table["k_low"] * (e - low) <= truth)
                              & (truth <= e + table["k_high"] * (high - e)))
    table.attrs["truth"] = truth
    return table


def leave_one_out(fit: Callable[[np.ndarray], tuple], n_units: int, *,
                  chunk: int = 500) -> np.ndarray:
    """The estimate of ``fit`` (as :func:`widened_interval` takes it) with each unit left out
    in turn: an array of ``n_units`` estimates, ``chunk`` refits at a time. How far one
    account moves an estimate says how much of it that account carries.

    Examples
    --------
    >>> values = np.array([1.0, 2.0, 3.0, 10.0])
    >>> def mean_fit(counts):
    ...     m = (counts @ values) / counts.sum(axis=1)
    ...     return m, m, m
    >>> leave_one_out(mean_fit, 4).tolist()
    [5.0, 4.666666666666667, 4.333333333333333, 2.0]
    """
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, got {chunk}")
    out = np.empty(n_units)
    for start in range(0, n_units, chunk):
        units = np.arange(start, min(start + chunk, n_units))
        counts = np.ones((units.size, n_units))
        counts[np.arange(units.size), units] = 0
        out[units] = np.asarray(fit(counts)[0], dtype=float)
    return out
