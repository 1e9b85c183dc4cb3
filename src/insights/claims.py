"""Claim tests: one function per claim, each returning a :class:`~insights.verdicts.ClaimResult`.

The verdicts and their rule live in :mod:`insights.verdicts`. Every result carries the data set,
n, the method and notes (what counted as engagement, rows dropped and why, the follower range
the estimate covers, the sampling design's hazards from :mod:`insights.ingest.registry`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy import stats as sps

from insights import costs, metrics, simulate, stats
from insights.formatting import count_label
from insights.ingest.registry import HAZARDS, design_class, design_hazards
from insights.metrics import default_components
from insights.pricing import (
    REFERENCE_FOLLOWERS,
    PriceModel,
    in_support,
    price,
    price_law_draws,
    price_model,
)
from insights.schemas import table_kind
from insights.tiers import TierScheme, assign_tiers, tier_bands
from insights.tiers import scheme as tier_scheme_named
from insights.verdicts import (
    ESTIMANDS,
    MARGIN,
    MAX_ZERO_SHARE,
    ClaimResult,
    combine_pricing_models,
    verdict,
)

__all__ = [
    "ModelData",
    "engagement_model_data",
    "engagement_vs_followers",
    "C1Fit",
    "c1_fit",
    "c1_from_fit",
    "comments_per_like_vs_followers",
    "ResampledFit",
    "resampled_fit",
    "authenticity_vs_followers",
    "OBSERVED",
    "creator_costs",
    "creator_means",
    "comparison_groups",
    "micro_cost_per_engagement",
    "cpe_ratio_across_tables",
    "micro_engagement_rate",
    "cost_per_engagement_elasticity",
    "tier_tests",
    "micro_definition_dependence",
    "group_versus_one",
    "SPEC_ESTIMATORS",
    "DEFAULT_GRID",
    "specification_curve",
    "C5_SPEC_ESTIMATORS",
    "C5_GRID",
]

def _hazard_notes(frame: pd.DataFrame, hazards: Sequence[str] | None) -> list[str]:
    chosen = _hazards(frame, hazards)
    return [f"design: {HAZARDS[h]}" for h in chosen]


def _hazards(frame: pd.DataFrame, hazards: Sequence[str] | None) -> tuple[str, ...]:
    chosen = design_hazards(frame) if hazards is None else tuple(hazards)
    unknown = [h for h in chosen if h not in HAZARDS]
    if unknown:
        raise ValueError(f"unknown design hazards {unknown}; known: {list(HAZARDS)}")
    return chosen


# --------------------------------------------------------------------------------------------
# shared pieces


def _dataset_name(frame: pd.DataFrame, dataset: str | None) -> str:
    if dataset is not None:
        return dataset
    if "dataset" in frame.columns and frame["dataset"].notna().any():
        return ", ".join(sorted(frame["dataset"].dropna().astype(str).unique()))
    return "unnamed"


def _has_values(frame: pd.DataFrame, column: str) -> bool:
    return column in frame.columns and frame[column].notna().any()


def _drop_note(status: pd.Series, what: str) -> str | None:
    counts = status[status != "ok"].value_counts()
    counts = counts[counts > 0]
    if counts.empty:
        return None
    detail = ", ".join(f"{n} {reason}" for reason, n in counts.items())
    return f"{int(counts.sum())} rows without a usable {what} ({detail})"


def _range_note(fit: stats.Elasticity) -> str:
    return f"followers {fit.x_min:,.0f} to {fit.x_max:,.0f}"


def _missing_note(values: pd.Series | np.ndarray, what: str, *, positive: bool) -> str | None:
    """Note how many rows lack a usable value (missing, or not positive if ``positive``)."""
    arr = pd.to_numeric(pd.Series(np.asarray(values)), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    bad = ~np.isfinite(arr)
    if positive:
        bad |= np.isfinite(arr) & (arr <= 0)
    count = int(bad.sum())
    if not count:
        return None
    kind = "missing or not positive" if positive else "missing"
    return f"{count} rows without a usable {what} ({kind})"


def _fit_or_none(
    work: pd.DataFrame,
    *,
    y: str,
    controls: Sequence[str],
    fe: str | None,
    cluster: str | None,
    method: str,
    ci: str,
    rng: np.random.Generator | None,
    n_resamples: int,
    level: float,
    estimand: str = "typical",
    offset: str | None = None,
) -> tuple[stats.Elasticity | None, tuple[float, float] | None, str, str | None]:
    """Fit and (optionally) bootstrap; return (fit, interval, method text, failure note)."""
    if estimand not in ESTIMANDS:
        raise ValueError(f"estimand must be one of {list(ESTIMANDS)}, got {estimand!r}")
    if estimand == "expected":
        if method != "ols" or ci != "robust":
            raise ValueError("the expected estimand is fitted by PPML with robust errors; "
                             "method='median' and ci='bootstrap' belong to the typical one")
        try:
            fit = stats.fit_ppml(work, y=y, controls=controls, fe=fe, cluster=cluster,
                                 offset=offset, level=level)
        except stats.InsufficientDataError as error:
            return None, None, "not estimated (PPML)", str(error)
        return fit, (fit.ci_low, fit.ci_high), fit.method, None
    if ci not in ("robust", "bootstrap"):
        raise ValueError(f"ci must be 'robust' or 'bootstrap', got {ci!r}")
    if method not in ("ols", "median"):
        raise ValueError(f"method must be 'ols' or 'median', got {method!r}")
    if method == "median" and (cluster is not None or ci == "bootstrap"):
        raise ValueError("method='median' is for creator-level tables with robust intervals")
    if ci == "bootstrap" and not isinstance(rng, np.random.Generator):
        raise TypeError("ci='bootstrap' needs rng=np.random.default_rng(seed)")
    try:
        if method == "median":
            fit = stats.quantile_elasticity(work, y=y, controls=controls, fe=fe, level=level)
        else:
            fit = stats.fit_elasticity(
                work, y=y, controls=controls, fe=fe, cluster=cluster, level=level
            )
        interval = (fit.ci_low, fit.ci_high)
        text = fit.method
        if ci == "bootstrap":
            boot = stats.bootstrap_elasticity(
                work, y=y, controls=controls, fe=fe, cluster=cluster,
                n_resamples=n_resamples, rng=rng, level=level,
            )
            interval = (boot.ci_low, boot.ci_high)
            text = boot.method
            if boot.n_failed:
                text += (f"; {boot.n_failed} of {boot.n_resamples} resamples had no "
                         "identified slope and are left out")
        return fit, interval, text, None
    except stats.InsufficientDataError as error:
        return None, None, f"not estimated ({method})", str(error)


def _claim_result(
    claim: str,
    dataset: str,
    fit: stats.Elasticity | None,
    interval: tuple[float, float] | None,
    method: str,
    failure: str | None,
    notes: list[str],
    *,
    line: float,
    claim_side: str,
    n_usable: int,
    estimand: str = "",
    hazards: Sequence[str] = (),
    margin: float | None = None,
    tost: float | None = None,
) -> ClaimResult:
    """``tost``: the equivalence p-value when the interval is not the fit's own (default
    :func:`insights.stats.tost_p` of the fit)."""
    notes = [n for n in notes if n]
    design, _ = design_class(hazards)
    margin = float("nan") if margin is None else float(margin)
    labels = {"estimand": estimand, "design": design, "margin": margin}
    if fit is None:
        outcome = "not evidence" if design == "not evidence" else "inconclusive"
        return ClaimResult(claim, dataset, np.nan, np.nan, np.nan, n_usable, outcome, method,
                           tuple([*notes, f"could not estimate: {failure}"]), **labels)
    low, high = interval
    if fit.dropped:
        notes.append(f"the fit uses {fit.n} of {fit.n + fit.dropped} rows")
    notes.append(_range_note(fit))
    if tost is None:
        tost = (stats.tost_p(fit, low=line - margin, high=line + margin)
                if np.isfinite(margin) else float("nan"))
    outcome = verdict(low, high, line=line, claim_side=claim_side, tost_p=tost, design=design)
    zero_share = fit.n_zero / (fit.n + fit.n_zero) if fit.n_zero else 0.0
    if fit.n_zero:
        notes.append(f"{fit.n_zero} rows with a zero outcome are left out of the log model "
                     f"({zero_share:.1%} of the usable rows)")
    if zero_share > MAX_ZERO_SHARE and outcome != "not evidence":
        outcome = "inconclusive"
        notes.append(f"no typical-post verdict: the log model dropped {zero_share:.0%} of the "
                     f"rows for a zero outcome (more than {MAX_ZERO_SHARE:.0%}); read the "
                     "expected estimand, which keeps them")
    return ClaimResult(
        claim, dataset, fit.estimate, float(low), float(high), fit.n, outcome, method,
        tuple(notes), tost_p=tost, n_zero_dropped=fit.n_zero, **labels,
    )


def _log_age(frame: pd.DataFrame) -> np.ndarray:
    """The post-age control, log(1 + age in days); NaN where the age is missing or negative."""
    age = pd.to_numeric(frame["age_days"], errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(age >= 0, np.log1p(age), np.nan)


def _creator_means(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Per-creator mean of each column over a posts table (one row per platform, creator)."""
    merged = None
    for column in columns:
        table = metrics.creator_engagement(frame, components=(column,), stat="mean")
        table = table.rename(columns={"engagement": column})
        keep = [c for c in ("platform", "creator", "followers", "n_posts") if c in table.columns]
        table = table[[*keep, column]]
        merged = table if merged is None else merged.merge(table, on=keep, how="outer")
    return merged


def _stratum_means(frame: pd.DataFrame, stratum: str, columns: Sequence[str]) -> pd.DataFrame:
    """:func:`_creator_means` per creator *and* stratum value, with the stratum as a column."""
    sep = "\x1f"
    key = frame["creator"].astype(str) + sep + frame[stratum].astype(str)
    means = _creator_means(frame.assign(creator=key), columns)
    parts = means["creator"].str.split(sep, n=1, expand=True)
    return means.assign(creator=parts[0], **{stratum: parts[1]})


@dataclass(frozen=True)
class ModelData:
    """What a C1 fit runs on: the model frame and how to fit it.

    ``frame`` has ``y`` (engagements, NaN where not computable), ``followers`` and, as
    needed, ``creator`` (the cluster), ``log_age`` (control) and the fixed-effect column.
    Pass the fields to :func:`insights.stats.fit_elasticity` (or the bootstrap) to get the
    fit behind :func:`engagement_vs_followers`, e.g. to draw its line.
    """

    frame: pd.DataFrame
    y: str
    controls: tuple[str, ...]
    fe: str | None
    cluster: str | None
    notes: tuple[str, ...]


def engagement_model_data(
    frame: pd.DataFrame,
    *,
    components: Sequence[str] | None = None,
    control_age: bool = True,
    fe: str | None = None,
    aggregate: str | None = None,
) -> ModelData:
    """Build the model frame of :func:`engagement_vs_followers` (same arguments).

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["1", "2", "3"], "creator": ["a", "a", "b"],
    ...                       "likes": [10, 0, 5], "comments": [1, 0, None],
    ...                       "followers": [100, 100, 50], "age_days": [1.0, 3.0, 7.0]})
    >>> data = engagement_model_data(posts)
    >>> data.frame["engagement"].tolist(), data.controls, data.cluster
    ([11.0, 0.0, nan], ('log_age',), 'creator')
    >>> data.notes[-1]
    '1 rows with zero engagement (a log model leaves them out, PPML keeps them)'
    """
    kind = table_kind(frame)
    if isinstance(components, str):
        components = (components,)
    components = tuple(components) if components is not None else default_components(frame)
    notes = [f"engagement = {' + '.join(components)}"]
    if aggregate is not None:
        if kind != "posts":
            raise ValueError("aggregate= applies to posts tables; this is a creators table")
        if fe is not None:
            raise ValueError("aggregate= gives one row per creator; fixed effects do not apply")
        per_creator = metrics.creator_engagement(frame, components=components, stat=aggregate)
        engagement = pd.DataFrame(
            {"value": per_creator["engagement"], "status": per_creator["status"]}
        )
        source = per_creator
        kind = "creators"
        notes.append(f"creator {aggregate} engagement per post over {len(frame)} posts")
    else:
        engagement = metrics.engagement(frame, components=components)
        source = frame
    if "followers" not in source.columns:
        raise KeyError(f"no 'followers' column; columns are {list(source.columns)}")
    work = pd.DataFrame(
        {"engagement": engagement["value"].to_numpy(),
         "followers": source["followers"].to_numpy()}
    )
    cluster = None
    controls: list[str] = []
    if kind == "posts":
        if "creator" not in frame.columns:
            raise KeyError("a posts table needs a 'creator' column to cluster errors by creator")
        work["creator"] = frame["creator"].to_numpy()
        cluster = "creator"
        if control_age and _has_values(frame, "age_days"):
            work["log_age"] = _log_age(frame)
            controls.append("log_age")
            notes.append("controls log(1 + post age in days)")
            notes.append(_missing_note(work["log_age"], "post age", positive=False))
    if fe is not None:
        if fe not in frame.columns:
            raise KeyError(f"fixed-effect column {fe!r} not in the table")
        work[fe] = frame[fe].to_numpy()
        notes.append(f"{fe} fixed effects")
        missing_fe = int(work[fe].isna().sum())
        if missing_fe:
            notes.append(f"{missing_fe} rows without a {fe} (left out)")
    notes.append(_missing_note(work["followers"], "follower count", positive=True))
    notes.append(_drop_note(engagement["status"], "engagement"))
    zero = int((work["engagement"] == 0).sum())
    if zero:
        notes.append(f"{zero} rows with zero engagement (a log model leaves them out, PPML "
                     "keeps them)")
    return ModelData(work, "engagement", tuple(controls), fe, cluster,
                     tuple(n for n in notes if n))


# --------------------------------------------------------------------------------------------
# C1


def engagement_vs_followers(
    frame: pd.DataFrame,
    *,
    rng: np.random.Generator | None = None,
    components: Sequence[str] | None = None,
    control_age: bool = True,
    fe: str | None = None,
    aggregate: str | None = None,
    method: str = "ols",
    ci: str = "robust",
    n_resamples: int = 2000,
    level: float = 0.95,
    dataset: str | None = None,
    hazards: Sequence[str] | None = None,
    estimand: str = "typical",
    margin: float | None = MARGIN,
) -> ClaimResult:
    """C1: does engagement rate fall as follower count grows?

    The estimate is the elasticity ``b`` of engagements with respect to followers. Engagement
    *rate* per follower scales as ``followers^(b - 1)``. Two estimands (``docs/analysis-plan.md``):

    * ``estimand="typical"``, *the typical post*: ``log(engagements) = a + b log(followers) +
      controls`` by OLS (or median regression with ``method="median"``); rows with zero
      engagement cannot be logged and are counted;
    * ``estimand="expected"``, *engagement per post on average*: the elasticity of
      ``E[engagements | followers]`` by PPML (:func:`insights.stats.fit_ppml`), zeros kept.

    The verdict (:func:`insights.verdicts.verdict`):

    * ``not evidence`` for a sample selected on the outcome (its design hazards);
    * ``equivalent`` iff two one-sided tests put ``b`` within ``1 ± margin`` (the rate is
      practically flat);
    * ``supported`` iff the whole 95% CI of ``b`` lies **below 1** (rate falls with size);
    * ``contradicted`` iff it lies **above 1** (rate rises with size);
    * ``inconclusive`` otherwise, when nothing could be estimated, or when a typical-post
      model had to drop more than 5% of its rows for zero engagement.

    Note that ``b < 1`` with ``b > 0`` still means bigger accounts get *more* engagements in
    total; the claim is about the rate.

    Parameters
    ----------
    frame : DataFrame
        A canonical posts table (has ``post_id``; one row per post, errors clustered by
        ``creator``) or creators table (one row per creator, HC3 errors).
    rng : numpy.random.Generator, optional
        Needed only for ``ci="bootstrap"``.
    components : sequence of str, optional
        Columns summed into engagements; default :func:`default_components` (likes +
        comments).
    control_age : bool, default True
        On posts tables with ``age_days``, control for ``log(1 + age_days)`` (older posts
        have had longer to collect engagement).
    fe : str, optional
        Fixed effects column, e.g. ``"sound"`` for TikTok videos sampled per sound.
    aggregate : {"mean", "median"}, optional
        On a posts table, first reduce to one row per creator (the creator's mean or median
        engagement per post, :func:`insights.metrics.creator_engagement`) and fit at creator
        level with HC3 errors; no age control or fixed effects then.
    method : {"ols", "median"}
        ``"median"`` is a median (quantile) regression, creator tables only.
    ci : {"robust", "bootstrap", "calibrated"}
        Analytic robust/cluster-robust interval, a percentile bootstrap (by creator for
        posts) driven by ``rng``, or (expected estimand on a posts table with ages) the
        calibrated bootstrap-t interval of :func:`insights.simulate.calibrated_interval`,
        from ``n_resamples`` samples of a world calibrated to the table (the plan's primary
        for the post samples uses 300), with the equivalence test read from the same
        simulated t distribution.
    n_resamples : int
    level : float
    dataset : str, optional
        Label for the result; default the table's ``dataset`` column.
    hazards : sequence of str, optional
        Design hazards (keys of :data:`HAZARDS`) whose warnings go into the notes and which
        set the design class; default :func:`design_hazards` of the table (registered data
        sets only; an analyst's own file has none).
    estimand : {"typical", "expected"}
        Which elasticity (above).
    margin : float or None
        Equivalence margin around 1 (default the plan's 0.05); None for no equivalence test.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = 10 ** rng.uniform(3, 7, 400)
    >>> creators = pd.DataFrame({"followers": f, "avg_likes": 0.1 * f**0.85,
    ...                          "avg_comments": 0.002 * f**0.85})
    >>> creators["avg_likes"] *= np.exp(rng.normal(0, 0.4, 400))
    >>> result = engagement_vs_followers(creators, dataset="toy")
    >>> result.claim, round(result.estimate, 2), result.verdict
    ('C1', 0.85, 'supported')
    """
    return c1_fit(
        frame, rng=rng, components=components, control_age=control_age, fe=fe,
        aggregate=aggregate, method=method, ci=ci, n_resamples=n_resamples, level=level,
        dataset=dataset, hazards=hazards, estimand=estimand, margin=margin,
    ).result


@dataclass(frozen=True)
class C1Fit:
    """The C1 result with what it was computed from: the model data and the fit.

    ``fit`` is the analytic fit behind the estimate (None when nothing could be estimated);
    :func:`insights.stats.fit_line` turns it into the line a figure draws. Notebooks and the
    client report draw from this one object, so the line is the fit the verdict comes from.
    """

    result: ClaimResult
    data: ModelData
    fit: stats.Elasticity | None


def c1_fit(
    frame: pd.DataFrame,
    *,
    rng: np.random.Generator | None = None,
    components: Sequence[str] | None = None,
    control_age: bool = True,
    fe: str | None = None,
    aggregate: str | None = None,
    method: str = "ols",
    ci: str = "robust",
    n_resamples: int = 2000,
    level: float = 0.95,
    dataset: str | None = None,
    hazards: Sequence[str] | None = None,
    estimand: str = "typical",
    margin: float | None = MARGIN,
) -> C1Fit:
    """C1 with its model data and fit (:class:`C1Fit`); same arguments as
    :func:`engagement_vs_followers`, whose result is ``c1_fit(...).result``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> f = 10 ** rng.uniform(3, 7, 300)
    >>> creators = pd.DataFrame({"followers": f, "avg_likes": 0.1 * f**0.9})
    >>> out = c1_fit(creators, dataset="toy")
    >>> round(out.fit.estimate, 3) == round(out.result.estimate, 3), out.data.y
    (True, 'engagement')
    """
    calibrated = ci == "calibrated"
    if calibrated:
        if estimand != "expected" or aggregate is not None or method != "ols":
            raise ValueError("ci='calibrated' is the interval of the expected estimand's "
                             "post-level PPML fit (estimand='expected', no aggregate=)")
        if not isinstance(rng, np.random.Generator):
            raise TypeError("ci='calibrated' needs rng=np.random.default_rng(seed)")
    data = engagement_model_data(
        frame, components=components, control_age=control_age, fe=fe, aggregate=aggregate
    )
    if calibrated and (data.cluster is None or "log_age" not in data.controls):
        raise ValueError("ci='calibrated' needs a posts table with post ages (its world "
                         "draws engagement for each post's age)")
    chosen = _hazards(frame, hazards)
    notes = [f"estimand: {ESTIMANDS.get(estimand, estimand)}", *data.notes,
             *(f"design: {HAZARDS[h]}" for h in chosen)]
    fit, interval, text, failure = _fit_or_none(
        data.frame, y=data.y, controls=data.controls, fe=data.fe, cluster=data.cluster,
        method=method, ci="robust" if calibrated else ci, rng=rng, n_resamples=n_resamples,
        level=level, estimand=estimand,
    )
    tost = None
    if calibrated and fit is not None:
        check = _calibrated(frame, data, fit, rng=rng, n=n_resamples, level=level)
        interval = (check.low, check.high)
        text += (f"; calibrated bootstrap-t interval: t quantiles {check.q_low:.2f} and "
                 f"{check.q_high:+.2f} from {check.replicates} samples of a world calibrated "
                 "to this table (docs/analysis-plan.md, amendment 9)")
        notes.append(f"the clustered interval, not used: {fit.ci_low:.3f} to {fit.ci_high:.3f}")
        if margin is not None:
            tost = check.tost_p(1.0 - margin, 1.0 + margin)
    usable = data.frame[data.y] >= 0 if estimand == "expected" else data.frame[data.y] > 0
    result = c1_from_fit(fit, dataset=_dataset_name(frame, dataset), notes=notes,
                         n_usable=int(usable.sum()), estimand=estimand, interval=interval,
                         method=text, failure=failure, hazards=chosen, margin=margin, tost=tost)
    return C1Fit(result, data, fit)


def c1_from_fit(
    fit: stats.Elasticity | None,
    *,
    dataset: str,
    notes: Sequence[str],
    n_usable: int,
    estimand: str,
    interval: tuple[float, float] | None = None,
    method: str | None = None,
    failure: str | None = None,
    hazards: Sequence[str] = (),
    margin: float | None = MARGIN,
    tost: float | None = None,
) -> ClaimResult:
    """C1's verdict from a fit made elsewhere (:func:`c1_fit` uses it; so does a fit of a
    table too large for memory, :mod:`insights.scale`): the claim result of ``fit`` with its
    own interval unless ``interval`` (and ``method``) are given; ``fit=None`` with the
    ``failure`` that stopped it. ``notes`` come first; the creators, rows used and range are
    added.

    Examples
    --------
    >>> fit = stats.Elasticity(0.8, 0.05, 0.7, 0.9, 500, 40, 0, 0.0, (0.0, 0.0, 0.0025),
    ...                        "OLS", 0.95, "engagement", "followers", 1e3, 1e6, df=39.0)
    >>> result = c1_from_fit(fit, dataset="toy", notes=[], n_usable=500, estimand="typical")
    >>> result.verdict, result.notes[0]
    ('supported', '40 creators')
    """
    notes = list(notes)
    if fit is not None and fit.n_clusters is not None:
        notes.append(f"{fit.n_clusters} creators")
    if fit is not None and interval is None:
        interval = (fit.ci_low, fit.ci_high)
    if method is None:
        method = fit.method if fit is not None else "not estimated"
    return _claim_result(
        "C1", dataset, fit, interval, method, failure, notes, line=1.0, claim_side="below",
        n_usable=n_usable, estimand=estimand, hazards=tuple(hazards), margin=margin, tost=tost,
    )


def _calibrated(frame: pd.DataFrame, data: ModelData, fit: stats.Elasticity, *,
                rng: np.random.Generator, n: int, level: float) -> simulate.CalibratedInterval:
    """The calibrated bootstrap-t interval of a post-level PPML fit (``ci='calibrated'``): the
    world is fitted to the rows the model used."""
    posts = pd.DataFrame({"creator": data.frame[data.cluster].to_numpy(),
                          "followers": pd.to_numeric(data.frame["followers"], errors="coerce"),
                          "age_days": pd.to_numeric(frame["age_days"], errors="coerce").to_numpy(),
                          "engagement": data.frame[data.y].to_numpy()})
    used = posts.notna().all(axis=1) & (posts["followers"] > 0) & (posts["age_days"] >= 0)
    if data.fe is not None:
        used &= data.frame[data.fe].notna().to_numpy()
    return simulate.calibrated_interval(posts[used], fit.estimate, fit.se, n=n, rng=rng,
                                        level=level)


# --------------------------------------------------------------------------------------------
# C5 and C6: elasticity of a ratio with respect to followers, claimed to be negative


def _ratio_claim(
    claim: str,
    frame: pd.DataFrame,
    ratio: pd.DataFrame,
    followers: pd.Series,
    *,
    name: str,
    what: str,
    definition: str,
    zero_note: str,
    extra_notes: Sequence[str],
    hazards: Sequence[str] | None,
    rng: np.random.Generator | None,
    ci: str,
    n_resamples: int,
    level: float,
    dataset: str | None,
    estimand: str = "typical",
    margin: float | None = MARGIN,
    parts: tuple[pd.Series, pd.Series] | None = None,
    groups: Mapping[str, pd.Series] | None = None,
    fe: str | None = None,
    cluster: str | None = None,
) -> ClaimResult:
    """Elasticity of a ratio with respect to followers, with the 'below 0' verdict rule.

    Typical: log(ratio) on log(followers) by OLS. Expected: PPML of the numerator with the
    log of the denominator as an offset (the elasticity of the ratio of means). ``parts`` is
    (numerator, denominator); ``groups`` holds extra columns for ``fe`` and ``cluster``.
    """
    work = pd.DataFrame({name: ratio["value"].to_numpy(), "followers": followers.to_numpy()})
    for column, values in (groups or {}).items():
        work[column] = values.to_numpy()
    offset = None
    y = name
    if estimand == "expected":
        if parts is None:
            raise ValueError(f"{claim}: the expected estimand needs the ratio's two parts")
        work["numerator"] = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float)
        work["denominator"] = pd.to_numeric(parts[1], errors="coerce").to_numpy(dtype=float)
        y, offset = "numerator", "denominator"
    chosen = _hazards(frame, hazards)
    notes = [f"estimand: {ESTIMANDS.get(estimand, estimand)}", definition,
             _missing_note(work["followers"], "follower count", positive=True),
             _drop_note(ratio["status"], what),
             *(f"design: {HAZARDS[h]}" for h in chosen), *extra_notes]
    zero = int((work[name] == 0).sum())
    if zero and estimand == "typical":
        notes.append(f"{zero} {zero_note}")
    if fe is not None:
        notes.append(f"{fe} fixed effects")
    fit, interval, text, failure = _fit_or_none(
        work, y=y, controls=(), fe=fe, cluster=cluster, method="ols", ci=ci,
        rng=rng, n_resamples=n_resamples, level=level, estimand=estimand, offset=offset,
    )
    if fit is not None and fit.n_clusters is not None:
        notes.append(f"{fit.n_clusters} {cluster} clusters")
    usable = work[y] >= 0 if estimand == "expected" else work[name] > 0
    return _claim_result(
        claim, _dataset_name(frame, dataset), fit, interval, text, failure, notes,
        line=0.0, claim_side="below", n_usable=int(usable.sum()), estimand=estimand,
        hazards=chosen, margin=margin,
    )


# C5


def _c5_units(frame: pd.DataFrame, fe: str | None):
    """C5's units: ``(table, likes, comments, groups, cluster, note)``. A posts table becomes
    one row per creator (or per creator and ``fe`` value, clustered by creator); a creators
    table is used as it is."""
    groups, cluster = None, None
    if fe is not None and fe not in frame.columns:
        raise KeyError(f"fixed-effect column {fe!r} not in the table")
    if table_kind(frame) == "posts":
        likes, comments = "likes", "comments"
        if fe is None:
            creators = _creator_means(frame, ("likes", "comments"))
            level_note = "creator means over posts"
        else:
            creators = _stratum_means(frame, fe, ("likes", "comments"))
            groups = {fe: creators[fe], "creator": creators["creator"]}
            cluster = "creator"
            level_note = f"means per creator and {fe} over posts"
    else:
        creators = frame
        likes, comments = "avg_likes", "avg_comments"
        level_note = "creator averages"
        if fe is not None:
            groups = {fe: frame[fe]}
    return creators, likes, comments, groups, cluster, level_note


def comments_per_like_vs_followers(
    frame: pd.DataFrame,
    *,
    rng: np.random.Generator | None = None,
    ci: str = "robust",
    n_resamples: int = 2000,
    level: float = 0.95,
    dataset: str | None = None,
    hazards: Sequence[str] | None = None,
    estimand: str = "typical",
    margin: float | None = MARGIN,
    fe: str | None = None,
) -> ClaimResult:
    """C5: do small creators get more comments per like?

    The estimate is the elasticity ``c`` of comments-per-like with respect to followers,
    at creator level (a posts table is first reduced to each creator's mean likes and mean
    comments, which keeps posts with zero comments in the means). ``c`` equals the comments
    elasticity minus the likes elasticity. ``estimand="typical"``: ``log(comments / likes) =
    a + c log(followers)`` by OLS; ``estimand="expected"``: PPML of mean comments with
    ``log(mean likes)`` as an offset, the elasticity of the ratio of means.

    * ``equivalent`` iff two one-sided tests put ``c`` within ``± margin`` of 0;
    * ``supported`` iff the 95% CI of ``c`` lies **below 0** (comments per like fall with
      size);
    * ``contradicted`` iff it lies **above 0**;
    * ``inconclusive`` otherwise; ``not evidence`` for a sample selected on the outcome.

    ``hazards`` works as in :func:`engagement_vs_followers`. ``fe`` names a stratum column
    (e.g. ``"topic"``) with one fixed effect per value; on a posts table the unit is then the
    creator within a stratum (means per creator and stratum) and errors are clustered by
    creator.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = 10 ** rng.uniform(3, 7, 300)
    >>> creators = pd.DataFrame({"followers": f, "avg_likes": 0.05 * f,
    ...                          "avg_comments": 0.01 * f**0.8 * np.exp(rng.normal(0, .3, 300))})
    >>> result = comments_per_like_vs_followers(creators, dataset="toy")
    >>> round(result.estimate, 1), result.verdict
    (-0.2, 'supported')
    """
    creators, likes, comments, groups, cluster, level_note = _c5_units(frame, fe)
    ratio = metrics.comments_per_like(creators, comments=comments, likes=likes)
    return _ratio_claim(
        "C5", frame, ratio, creators["followers"], name="comments_per_like",
        what="comments-per-like ratio",
        definition=f"comments per like = {comments} / {likes} ({level_note})",
        zero_note="creators with zero comments are left out of the log model",
        extra_notes=(), hazards=hazards, rng=rng, ci=ci, n_resamples=n_resamples,
        level=level, dataset=dataset, estimand=estimand, margin=margin,
        parts=(creators[comments], creators[likes]), groups=groups, fe=fe, cluster=cluster,
    )


@dataclass(frozen=True)
class ResampledFit:
    """The expected estimand's PPML fit of a C1 or C5 result, refitted on many resamples of
    its units at once (:func:`resampled_fit`).

    Called with a ``(B, n_units)`` array of unit counts (:func:`insights.calibration.
    resample_counts`), it returns the slope and its interval for each resample, as the claim
    function would give them on the resampled table: ``(estimate, ci_low, ci_high)``. Row
    ``i`` belongs to unit ``units[i]``; units are the table's rows for a creators table, the
    creators for a posts table (whole creators with all their rows, as
    :func:`insights.calibration.resample_units` draws them).
    """

    y: np.ndarray
    X: np.ndarray
    offset: np.ndarray | None
    units: np.ndarray
    n_units: int
    clustered: bool
    level: float = 0.95
    labels: tuple = ()  # the units in count order: row positions, or creator labels

    def __call__(self, counts) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        weights = np.atleast_2d(np.asarray(counts))[:, self.units]
        coef, cov, df = stats.ppml_weighted(self.y, self.X, weights, offset=self.offset,
                                            cluster=self.units if self.clustered else None)
        with np.errstate(invalid="ignore"):
            half = sps.t.ppf(0.5 + self.level / 2, df) * np.sqrt(cov[:, 1, 1])
        return coef[:, 1], coef[:, 1] - half, coef[:, 1] + half


def resampled_fit(frame: pd.DataFrame, claim: str, *, fe: str | None = None,
                  level: float = 0.95) -> ResampledFit:
    """The expected-estimand fit of ``claim`` (``"C1"`` on a creators table, ``"C5"`` on a
    creators table or on a posts table with ``fe``) as a :class:`ResampledFit`: what
    :func:`insights.calibration.widened_interval` and :func:`insights.calibration.
    double_bootstrap` refit (``docs/analysis-plan.md``, amendment 12). Called with one count
    per unit, it gives the claim function's own estimate and interval.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = 10 ** rng.uniform(3, 7, 200)
    >>> creators = pd.DataFrame({"followers": f, "avg_likes": 0.1 * f**0.85})
    >>> fit = resampled_fit(creators, "C1")
    >>> estimate, low, high = fit(np.ones((1, fit.n_units)))
    >>> round(float(estimate[0]), 3) == round(engagement_vs_followers(
    ...     creators, dataset="toy", estimand="expected").estimate, 3)
    True
    """
    if claim == "C1":
        data = engagement_model_data(frame, fe=fe)
        if data.cluster is not None:
            raise ValueError("resampled_fit('C1') refits a creators table (one row per "
                             "creator); this is a posts table")
        work, y, offset, cluster = data.frame, data.y, None, None
    elif claim == "C5":
        creators, likes, comments, groups, cluster, _ = _c5_units(frame, fe)
        work = pd.DataFrame({
            "numerator": pd.to_numeric(creators[comments], errors="coerce").to_numpy(float),
            "denominator": pd.to_numeric(creators[likes], errors="coerce").to_numpy(float),
            "followers": creators["followers"].to_numpy()})
        for column, values in (groups or {}).items():
            work[column] = values.to_numpy()
        y, offset = "numerator", "denominator"
    else:
        raise ValueError(f"claim must be 'C1' or 'C5', got {claim!r}")
    arrays = stats.ppml_design(work, y=y, fe=fe, cluster=cluster, offset=offset)
    if cluster is None:
        units, labels = np.flatnonzero(arrays.keep), tuple(range(len(work)))
    else:
        codes, uniques = pd.factorize(work[cluster])
        units, labels = codes[arrays.keep], tuple(uniques)
    return ResampledFit(arrays.y, arrays.X, arrays.offset, units, len(labels),
                        clustered=cluster is not None, level=level, labels=labels)


# --------------------------------------------------------------------------------------------
# C6


def authenticity_vs_followers(
    frame: pd.DataFrame,
    *,
    authentic: str = "authentic_engagement",
    total: str = "avg_engagement",
    rng: np.random.Generator | None = None,
    ci: str = "robust",
    n_resamples: int = 2000,
    level: float = 0.95,
    dataset: str | None = None,
    hazards: Sequence[str] | None = None,
    estimand: str = "typical",
    margin: float | None = MARGIN,
    fe: str | None = None,
    cluster: str | None = None,
) -> ClaimResult:
    """C6: do big accounts have a lower share of authentic engagement?

    The estimate is the elasticity ``s`` of the authentic share with respect to followers
    (creator level). ``estimand="typical"``: ``log(authentic / total) = a + s log(followers)``
    by OLS (HC3 errors); ``estimand="expected"``: PPML of ``authentic`` with ``log(total)`` as an
    offset, the elasticity of the share of means. Repeated snapshots of the same accounts are
    pooled with ``fe="snapshot", cluster="creator"`` (errors clustered by account), never
    counted as separate samples.

    * ``equivalent`` iff two one-sided tests put ``s`` within ``± margin`` of 0;
    * ``supported`` iff the 95% CI of ``s`` lies **below 0** (the share falls with size);
    * ``contradicted`` iff it lies **above 0**;
    * ``inconclusive`` otherwise.

    The share is the data provider's classification of engagement as coming from real
    accounts; the verdict can be no better than that classifier. Shares above 1 are impossible
    by definition and are counted in the notes. ``hazards`` works as in
    :func:`engagement_vs_followers`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = 10 ** rng.uniform(6, 8, 300)
    >>> total = 0.02 * f
    >>> share = np.clip(0.8 * (f / 1e6) ** -0.05 * np.exp(rng.normal(0, 0.1, 300)), 0, 1)
    >>> frame = pd.DataFrame({"followers": f, "avg_engagement": total,
    ...                       "authentic_engagement": total * share})
    >>> authenticity_vs_followers(frame, dataset="toy").verdict
    'supported'
    """
    for column in (authentic, total, "followers"):
        if column not in frame.columns:
            raise KeyError(
                f"column {column!r} not in the table; columns are {list(frame.columns)}"
            )
    share = metrics.ratio(frame[authentic], frame[total])
    above_one = int((share["value"] > 1).sum())
    return _ratio_claim(
        "C6", frame, share, frame["followers"], name="authentic_share",
        what="authentic share",
        definition=f"authentic share = {authentic} / {total}",
        zero_note="rows with zero authentic engagement are left out of the log model",
        extra_notes=(
            [f"{above_one} rows have authentic > total engagement (kept as given)"]
            if above_one else []
        ),
        hazards=hazards, rng=rng, ci=ci, n_resamples=n_resamples, level=level,
        dataset=dataset, estimand=estimand, margin=margin,
        parts=(frame[authentic], frame[total]),
        groups={c: frame[c] for c in (fe, cluster) if c is not None}, fe=fe, cluster=cluster,
    )


# --------------------------------------------------------------------------------------------
# C2 (and the tier form of C1): micro-creators against larger ones, under a pricing model

#: ``pricing=OBSERVED`` uses the table's own ``fee`` column instead of a pricing model.
OBSERVED = "observed"

_BIG = ("macro", "mega")


def _pricing_label(pricing: str | PriceModel) -> str:
    return pricing.name if isinstance(pricing, PriceModel) else str(pricing)


def _creator_table(
    frame: pd.DataFrame, components: Sequence[str], fee: str | None
) -> pd.DataFrame:
    """Creator keys, followers, mean engagements per post (and mean fee if ``fee``)."""
    if fee is not None and fee not in frame.columns:
        raise KeyError(f"pricing='observed' needs a {fee!r} column; columns are "
                       f"{list(frame.columns)}")
    if table_kind(frame) == "posts":
        per_creator = metrics.creator_engagement(frame, components=components, stat="mean")
        keys = [c for c in ("platform", "creator") if c in per_creator.columns]
        out = per_creator[[*keys, "followers", "engagement"]].copy()
        if fee is not None:
            fees = (frame[keys].assign(__fee=pd.to_numeric(frame[fee], errors="coerce"))
                    .groupby(keys, sort=True, dropna=False)["__fee"].mean()
                    .rename("fee").reset_index())
            out = out.merge(fees, on=keys, how="left")
        return out.reset_index(drop=True)
    keys = [c for c in ("platform", "creator") if c in frame.columns]
    out = pd.DataFrame({
        **{k: frame[k].to_numpy() for k in keys},
        "followers": pd.to_numeric(frame["followers"], errors="coerce")
        .to_numpy(dtype=float, na_value=np.nan),
        "engagement": metrics.engagement(frame, components=components)["value"].to_numpy(),
    })
    if fee is not None:
        out["fee"] = pd.to_numeric(frame[fee], errors="coerce").to_numpy(dtype=float,
                                                                         na_value=np.nan)
    return out


def creator_means(frame: pd.DataFrame, *,
                  components: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per creator: keys, ``followers`` and ``engagement``, the expected engagements
    per post that :func:`creator_costs` prices (creator means of a posts table, the averages
    of a creators table).

    On a large posts table this reduction is most of a C2 run; pass the result as ``means=``
    to :func:`creator_costs` or :func:`micro_cost_per_engagement` to price one frame under
    several models without reducing it again.

    Examples
    --------
    >>> posts = pd.DataFrame({"creator": ["a", "a", "b"], "post_id": ["1", "2", "3"],
    ...                       "followers": [1e4, 1e4, 1e6], "likes": [100, 300, 5000]})
    >>> creator_means(posts, components=["likes"])
      creator  followers  engagement
    0       a    10000.0       200.0
    1       b  1000000.0      5000.0
    """
    components = tuple(components) if components is not None else default_components(frame)
    return _creator_table(frame, components, None)


def creator_costs(
    frame: pd.DataFrame,
    *,
    pricing: str | PriceModel,
    components: Sequence[str] | None = None,
    fee: str = "fee",
    means: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per creator: followers, expected engagements per post, fee and cost per engagement.

    A brand buying one sponsored post pays the fee and gets that post's engagements, whose
    expectation is the creator's **mean** engagements per post; so a posts table is reduced
    to creator means (:func:`insights.metrics.creator_engagement`), and a creators table uses
    its averages (``avg_likes + avg_comments`` by default, :func:`default_components`).

    Parameters
    ----------
    frame : DataFrame
        Canonical posts or creators table.
    pricing : str or PriceModel
        A pricing model (:func:`insights.pricing.pricing_models`) giving the fee from the follower
        count, or :data:`OBSERVED` to use the table's own ``fee`` column (the creator's mean
        fee per post on a posts table).
    components : sequence of str, optional
        What counts as an engagement.
    means : DataFrame, optional
        ``creator_means(frame, components=components)`` when already computed (a pricing
        model only: observed fees are reduced with the frame).

    Returns
    -------
    DataFrame
        ``platform`` (if present), ``creator`` (if present), ``followers``, ``engagement``,
        ``fee``, ``cpe`` (fee per engagement) and ``cpe_status`` (why a CPE is missing, see
        :mod:`insights.metrics`), on a fresh index.

    Examples
    --------
    >>> creators = pd.DataFrame({"creator": ["a", "b"], "followers": [1e4, 1e6],
    ...                          "avg_likes": [400.0, 9000.0], "avg_comments": [100.0, 1000.0]})
    >>> creator_costs(creators, pricing="rate-card")[["creator", "engagement", "fee", "cpe"]]
      creator  engagement      fee  cpe
    0       a       500.0    100.0  0.2
    1       b     10000.0  10000.0  1.0
    """
    components = tuple(components) if components is not None else default_components(frame)
    if means is not None:
        if pricing == OBSERVED:
            raise ValueError("means= is for pricing models: observed fees are averaged with "
                             "the frame's engagement, pass the frame alone")
        out = means[[c for c in ("platform", "creator", "followers", "engagement")
                     if c in means.columns]].copy()
    else:
        out = _creator_table(frame, components, fee if pricing == OBSERVED else None)
    if pricing != OBSERVED:
        out["fee"] = price(out["followers"], pricing).to_numpy()
    out = out.reset_index(drop=True)
    unit = costs.cpe(out["fee"], out["engagement"])
    out["cpe"] = unit["value"]
    out["cpe_status"] = unit["status"]
    return out


def comparison_groups(
    tier_scheme: str | TierScheme, versus: Sequence[str] | None = None
) -> tuple[str, tuple[str, ...]]:
    """The micro tier and the tiers it is compared with under a scheme.

    Default comparison: the scheme's ``macro`` and ``mega`` tiers where it has them (the
    industry scheme), otherwise every tier above ``micro`` (the three-tier write-up schemes).

    Examples
    --------
    >>> comparison_groups("industry")
    ('micro', ('macro', 'mega'))
    >>> comparison_groups("micro-1k-50k")
    ('micro', ('above',))
    """
    s = tier_scheme_named(tier_scheme)
    if "micro" not in s.labels:
        raise ValueError(f"tier scheme {s.name!r} has no 'micro' tier: {list(s.labels)}")
    if versus is None:
        versus = tuple(t for t in s.labels if t in _BIG)
        if not versus:
            versus = s.labels[s.labels.index("micro") + 1:]
        if not versus:
            raise ValueError(f"tier scheme {s.name!r}: 'micro' is the top tier, so there is "
                             "nothing bigger to compare it with; pass versus=")
    unknown = [t for t in versus if t not in s.labels]
    if unknown or "micro" in versus or not versus:
        raise ValueError(f"versus must name tiers of {s.name!r} other than micro, "
                         f"from {list(s.labels)}; got {list(versus)}")
    return "micro", tuple(versus)


def _tier_groups(
    table: pd.DataFrame, *, num: str, den: str, what: str, s: TierScheme,
    versus: Sequence[str] | None, stat: str,
) -> tuple[np.ndarray, np.ndarray, str, list[str]]:
    """Usable creators of the micro tier and of the comparison tiers, and what was left out."""
    micro, big = comparison_groups(s, versus)
    usable = (np.isfinite(table[num]) & np.isfinite(table[den]) & (table[num] >= 0)
              & (table[den] >= 0) & np.isfinite(table["followers"]) & (table["followers"] > 0))
    notes = []
    unusable = int((~usable).sum())
    if unusable:
        notes.append(f"{unusable} creators without a usable {num}, {den} or follower count "
                     "are left out")
    undefined = usable & (table[num] == 0) & (table[den] == 0)
    if stat == "median" and undefined.any():
        usable &= ~undefined
        notes.append(f"{int(undefined.sum())} creators with zero {num} and zero {den} have no "
                     f"{what} and are left out")
    tiers = assign_tiers(table["followers"], s)
    in_a = (usable & (tiers == micro).to_numpy()).to_numpy()
    in_b = (usable & tiers.isin(big).to_numpy()).to_numpy()
    bands = {r.label: (r.lower, r.upper) for r in tier_bands(s).itertuples()}
    group_b = " + ".join(big)
    ordered = sorted(big, key=lambda t: bands[t][0])
    contiguous = all(bands[a][1] == bands[b][0]
                     for a, b in zip(ordered, ordered[1:], strict=False))
    spans = (_span(bands[ordered[0]][0], bands[ordered[-1]][1]) if contiguous
             else ", ".join(f"{t} {_span(*bands[t])}" for t in ordered))
    notes.append(f"tier scheme {s.name}: micro = {_span(*bands[micro])}, versus {group_b} = "
                 f"{spans}; {int(in_a.sum())} vs {int(in_b.sum())} creators")
    zero = int(((in_a | in_b) & (table[den] == 0).to_numpy()).sum())
    if zero and stat == "median":
        notes.append(f"{zero} creators with zero {den} count as an infinite {what}")
    return in_a, in_b, group_b, notes


def _tier_ratio(
    claim: str,
    frame: pd.DataFrame,
    table: pd.DataFrame,
    *,
    num: str,
    den: str,
    what: str,
    tier_scheme: str | TierScheme,
    versus: Sequence[str] | None,
    stat: str,
    claim_side: str,
    rng: np.random.Generator | None,
    n_resamples: int,
    level: float,
    dataset: str | None,
    notes: list[str],
    hazards: Sequence[str] = (),
    exponents: np.ndarray | None = None,
) -> ClaimResult:
    """Ratio of a per-creator quantity, micro over the comparison tiers, and its verdict.

    With ``exponents`` (one per resample), ``num`` is a power-law price of followers and the
    interval draws the price law's exponent in every resample
    (:func:`insights.stats.power_ratio_draws`).
    """
    design, _ = design_class(hazards)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"{claim}: the interval is a bootstrap; pass rng=np.random.default_rng(seed)"
        )
    s = tier_scheme_named(tier_scheme)
    in_a, in_b, group_b, group_notes = _tier_groups(table, num=num, den=den, what=what, s=s,
                                                    versus=versus, stat=stat)
    notes = [*notes, *group_notes]
    method = (f"{stat} {what} per creator, micro / {group_b}; stratified percentile "
              f"bootstrap ({n_resamples} resamples)")
    if exponents is not None:
        method += ", the price law's exponent drawn in every resample"
    dataset_name = _dataset_name(frame, dataset)
    try:
        result = stats.group_ratio(
            table.loc[in_a, num], table.loc[in_a, den], table.loc[in_b, num],
            table.loc[in_b, den], stat=stat, rng=rng, n_resamples=n_resamples, level=level,
        )
    except stats.InsufficientDataError as error:
        return ClaimResult(claim, dataset_name, np.nan, np.nan, np.nan,
                           int(in_a.sum() + in_b.sum()),
                           "not evidence" if design == "not evidence" else "inconclusive",
                           method, tuple([*notes, f"could not estimate: {error}"]),
                           group_sizes=error.counts, design=design)
    low, high = result.ci_low, result.ci_high
    if exponents is not None and np.isfinite(low):
        low, high = stats.percentile_interval(_price_draws(table, in_a, in_b, den, exponents,
                                                           stat, rng), level=level)
    if not np.isfinite(low):
        notes.append("no interval: a group has fewer than 5 creators")
    notes.append(f"{stat} {what}: micro {result.stat_a:.4g}, {group_b} {result.stat_b:.4g}")
    outcome = verdict(low, high, line=1.0, claim_side=claim_side, design=design)
    return ClaimResult(claim, dataset_name, result.estimate, low, high,
                       result.n_a + result.n_b, outcome, method, tuple(notes),
                       group_sizes=(result.n_a, result.n_b), design=design)


def _price_draws(table, in_a, in_b, den, exponents, stat, rng) -> np.ndarray:
    x = table["followers"].to_numpy(dtype=float) / REFERENCE_FOLLOWERS
    d = table[den].to_numpy(dtype=float)
    return stats.power_ratio_draws(x[in_a], d[in_a], x[in_b], d[in_b], exponents, stat=stat,
                                   rng=rng)


def _span(lower: float, upper: float) -> str:
    if np.isinf(upper):
        return f"{count_label(lower)}+"
    return f"{count_label(lower)}-{count_label(upper)}"


def _is_many(pricing) -> bool:
    return not isinstance(pricing, str | PriceModel)


def _over_models(pricing, run, *, claim: str = "C2") -> ClaimResult:
    """Run a C2 test once per pricing model and combine the results."""
    models = list(pricing)
    if not models:
        raise ValueError("pricing is empty: pass at least one pricing model")
    return combine_pricing_models({_pricing_label(m): run(m) for m in models}, claim=claim)


def _cost_notes(frame, pricing, components, hazards) -> list[str]:
    return [f"engagement = {' + '.join(components or default_components(frame))} "
            "(creator mean per post)", *_pricing_notes(pricing),
            *_hazard_notes(frame, hazards)]


def _pricing_notes(pricing: str | PriceModel) -> list[str]:
    if pricing == OBSERVED:
        return ["fees: the table's own fee column"]
    model = price_model(pricing)
    return [f"pricing {model.describe()}"]


def micro_cost_per_engagement(
    frame: pd.DataFrame,
    *,
    pricing,
    scheme: str | TierScheme = "industry",
    rng: np.random.Generator | None = None,
    versus: Sequence[str] | None = None,
    stat: str = "median",
    components: Sequence[str] | None = None,
    n_resamples: int = 2000,
    level: float = 0.95,
    dataset: str | None = None,
    hazards: Sequence[str] | None = None,
    within_support: bool = False,
    price_uncertainty: bool = False,
    means: pd.DataFrame | None = None,
) -> ClaimResult:
    """C2: are micro-creators cheaper per engagement than macro and mega creators?

    The estimate is ``CPE(micro) / CPE(macro + mega)``: the ``stat`` (default the median over
    creators) of fee per expected engagement per post (:func:`creator_costs`) in the micro
    tier, divided by the same in the comparison tiers (:func:`comparison_groups`). The 95%
    interval is a stratified bootstrap over creators; the fees are taken as given unless
    ``price_uncertainty``.

    * ``supported`` iff the interval lies **below 1** (micro is cheaper per engagement);
    * ``contradicted`` iff it lies **above 1**;
    * ``inconclusive`` otherwise, or if a group is empty;
    * ``untestable`` (``within_support`` only) iff fewer than 5 creators of the comparison
      group lie inside the price table's support;
    * with several pricing models: their common verdict among the testable ones, or
      ``depends`` when the verdict changes with the model. The combined result's estimate is
      NaN, its interval the envelope of the models' intervals, and its notes list each
      model's ratio. The verdict is only as robust as the set of models passed
      (:func:`cpe_ratio_across_tables` draws the model instead).

    Parameters
    ----------
    frame : DataFrame
        Canonical posts or creators table.
    pricing : str, PriceModel, or sequence of them
        Pricing model name(s) (:func:`insights.pricing.pricing_models`), model(s), or
        :data:`OBSERVED` for the table's own ``fee`` column.
    scheme : str or TierScheme
        Tier scheme; ``versus`` overrides the comparison tiers.
    rng : numpy.random.Generator
        Required: the interval is a bootstrap.
    stat : {"median", "pooled"}
        ``"pooled"`` is total fees / total engagements per group: the CPE of buying one post
        from every creator of the group.
    components, n_resamples, level, dataset, hazards
        As in :func:`engagement_vs_followers`.
    within_support : bool
        Keep only the creators whose follower count the price table prices
        (:attr:`insights.pricing.PriceModel.support`; ``docs/analysis-plan.md``, amendment 7)
        and report the share of the comparison group left out. The default compares with the
        power law extrapolated to every creator.
    price_uncertainty : bool
        Draw the price law's exponent in every bootstrap resample
        (:func:`insights.pricing.price_law_draws`), so that the interval holds the price
        table's uncertainty as well as the creators'.
    means : DataFrame, optional
        ``creator_means(frame, components=components)`` when already computed: a report
        that prices one large posts table under several models reduces it once.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> f = 10 ** rng.uniform(3, 7, 600)
    >>> creators = pd.DataFrame({"followers": f, "avg_likes": 0.05 * f ** 0.9
    ...                          * np.exp(rng.normal(0, 0.3, 600))})
    >>> linear = micro_cost_per_engagement(creators, pricing="rate-card", rng=rng,
    ...                                    n_resamples=500, dataset="toy")
    >>> round(linear.estimate, 2), linear.verdict  # CPE grows as followers^(1 - 0.9)
    (0.66, 'supported')
    >>> both = micro_cost_per_engagement(creators, pricing=["rate-card", "izea-2022"], rng=rng,
    ...                                  n_resamples=500, dataset="toy")
    >>> both.verdict
    'depends'
    >>> inside = micro_cost_per_engagement(creators, pricing="izea-2022", rng=rng,
    ...                                    n_resamples=500, dataset="toy", within_support=True)
    >>> print(inside.notes[-3].replace(": ", ":\\n"))  # IZEA prices nothing above 1M followers
    price table izea-2022 prices 0-1M followers:
    149 of the 191 macro + mega creators (78%) and 0 micro creators lie outside and are left out
    """
    if _is_many(pricing):
        if means is None and not any(m == OBSERVED for m in pricing):  # reduce the frame once
            means = creator_means(frame, components=components)
        return _over_models(pricing, lambda m: micro_cost_per_engagement(
            frame, pricing=m, scheme=scheme, rng=rng, versus=versus, stat=stat,
            components=components, n_resamples=n_resamples, level=level, dataset=dataset,
            hazards=hazards, within_support=within_support,
            price_uncertainty=price_uncertainty, means=means))
    table, notes, untestable = _c2_table(frame, pricing, scheme=scheme, versus=versus,
                                         components=components, hazards=hazards,
                                         within_support=within_support, means=means)
    if untestable is not None:
        return dataclasses.replace(untestable, dataset=_dataset_name(frame, dataset))
    exponents = None
    if price_uncertainty:
        if pricing == OBSERVED:
            raise ValueError("price_uncertainty needs a pricing model; observed fees have none")
        if not isinstance(rng, np.random.Generator):
            raise TypeError("C2: the interval is a bootstrap; pass "
                            "rng=np.random.default_rng(seed)")
        exponents = price_law_draws(pricing, n_resamples, rng=rng)["exponent"].to_numpy()
    return _tier_ratio(
        "C2", frame, table, num="fee", den="engagement", what="cost per engagement",
        tier_scheme=scheme, versus=versus, stat=stat, claim_side="below", rng=rng,
        n_resamples=n_resamples, level=level, dataset=dataset, notes=notes,
        hazards=_hazards(frame, hazards), exponents=exponents,
    )


def _inside_support(table: pd.DataFrame, pricing) -> tuple[PriceModel, np.ndarray]:
    """The pricing model and which creators of a cost table its price table prices."""
    if pricing == OBSERVED:
        raise ValueError("within_support needs a pricing model; observed fees are the "
                         "creators' own and have no support to stay inside")
    model = price_model(pricing)
    return model, in_support(table["followers"], model)


def _c2_table(frame, pricing, *, scheme, versus, components, hazards, within_support,
              means=None):
    """Creator costs under one model, kept inside its support if asked; untestable if empty."""
    table = creator_costs(frame, pricing=pricing, components=components, means=means)
    notes = _cost_notes(frame, pricing, components, hazards)
    if not within_support:
        return table, notes, None
    model, inside = _inside_support(table, pricing)
    s = tier_scheme_named(scheme)
    micro, big = comparison_groups(s, versus)
    tiers = assign_tiers(table["followers"], s)
    is_big = tiers.isin(big).to_numpy()
    is_micro = (tiers == micro).to_numpy()
    out_big = int((is_big & ~inside).sum())
    n_big = int(is_big.sum())
    low, high = model.support
    notes.append(
        f"price table {model.name} prices {_span(low, high)} followers: {out_big} of the "
        f"{n_big} {' + '.join(big)} creators ({out_big / max(n_big, 1):.0%}) and "
        f"{int((is_micro & ~inside).sum())} micro creators lie outside and are left out")
    if int((is_big & inside).sum()) < 5:
        reason = (f"untestable with {model.name}: fewer than 5 {' + '.join(big)} creators "
                  f"inside its support ({_span(low, high)} followers)")
        return table, notes, ClaimResult(
            "C2", "", np.nan, np.nan, np.nan, 0, "untestable",
            f"median cost per engagement, micro / {' + '.join(big)}, inside the price "
            "table's support", tuple([*notes, reason]),
            design=design_class(_hazards(frame, hazards))[0])
    return table.loc[inside].reset_index(drop=True), notes, None


def cpe_ratio_across_tables(
    frame: pd.DataFrame,
    *,
    pricing: Sequence[str | PriceModel],
    rng: np.random.Generator,
    scheme: str | TierScheme = "industry",
    versus: Sequence[str] | None = None,
    stat: str = "median",
    components: Sequence[str] | None = None,
    n_resamples: int = 2000,
    level: float = 0.95,
    dataset: str | None = None,
    hazards: Sequence[str] | None = None,
) -> ClaimResult:
    """C2 with the price table itself uncertain: one interval across the tables that can test it.

    Every bootstrap resample picks one of the testable price tables (equal weight), one power
    law that table is consistent with (:func:`insights.pricing.price_law_draws`) and creators
    inside that table's support (:func:`micro_cost_per_engagement` with ``within_support``
    and ``price_uncertainty``). The percentiles of these draws are the interval; the estimate
    is their median (there is no single price law to compute a point estimate under). Tables
    that price fewer than 5 creators of the comparison group are left out and named in the
    notes; if none is left the result is ``untestable``. ``docs/analysis-plan.md``,
    amendment 7.

    * ``supported`` iff the interval lies **below 1**, ``contradicted`` iff **above 1**,
      ``inconclusive`` otherwise (the tables disagree, or the creators are too few).

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> f = 10 ** rng.uniform(3, 7, 2000)
    >>> creators = pd.DataFrame({"followers": f, "avg_likes": 0.05 * f ** 0.95
    ...                          * np.exp(rng.normal(0, 0.3, 2000))})
    >>> result = cpe_ratio_across_tables(creators, pricing=["izea-2022", "klear-2019"],
    ...                                  rng=rng, n_resamples=400, dataset="toy")
    >>> result.verdict, result.notes[0]
    ('contradicted', 'tables drawn: izea-2022')
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("C2: the interval is a bootstrap; pass rng=np.random.default_rng(seed)")
    models = list(pricing)
    if not models:
        raise ValueError("pricing is empty: pass at least one pricing model")
    s = tier_scheme_named(scheme)
    design = design_class(_hazards(frame, hazards))[0]
    draws, names, left_out, n_used = [], [], [], 0
    means = (None if any(m == OBSERVED for m in models)
             else creator_means(frame, components=components))  # the frame reduced once
    for model in models:
        table, _, untestable = _c2_table(frame, model, scheme=s, versus=versus,
                                         components=components, hazards=hazards,
                                         within_support=True, means=means)
        name = _pricing_label(model)
        if untestable is not None:
            left_out.append(name)
            continue
        in_a, in_b, group_b, _ = _tier_groups(table, num="fee", den="engagement",
                                              what="cost per engagement", s=s,
                                              versus=versus, stat=stat)
        if min(in_a.sum(), in_b.sum()) < 5:
            left_out.append(name)
            continue
        exponents = price_law_draws(model, n_resamples, rng=rng)["exponent"].to_numpy()
        draws.append(_price_draws(table, in_a, in_b, "engagement", exponents, stat, rng))
        names.append(name)
        n_used = max(n_used, int(in_a.sum() + in_b.sum()))
    notes = [f"tables drawn: {', '.join(names) or 'none'}"]
    if left_out:
        notes.append(f"untestable inside their support, left out: {', '.join(left_out)}")
    method = (f"{stat} cost per engagement per creator, micro / comparison tiers, inside each "
              f"price table's support; each of {n_resamples} resamples draws a table, a price "
              "law and creators; estimate = median of the draws")
    dataset_name = _dataset_name(frame, dataset)
    if not draws:
        return ClaimResult("C2", dataset_name, np.nan, np.nan, np.nan, 0, "untestable", method,
                           tuple(notes), design=design)
    pick = rng.integers(0, len(draws), size=n_resamples)
    mixed = np.stack(draws)[pick, np.arange(n_resamples)]
    low, high = stats.percentile_interval(mixed, level=level)
    estimate = float(np.nanmedian(mixed))
    outcome = verdict(low, high, line=1.0, claim_side="below", design=design)
    return ClaimResult("C2", dataset_name, estimate, low, high, n_used, outcome, method,
                       tuple(notes), design=design)


def micro_engagement_rate(
    frame: pd.DataFrame,
    *,
    scheme: str | TierScheme = "industry",
    rng: np.random.Generator | None = None,
    versus: Sequence[str] | None = None,
    stat: str = "median",
    components: Sequence[str] | None = None,
    n_resamples: int = 2000,
    level: float = 0.95,
    dataset: str | None = None,
    hazards: Sequence[str] | None = None,
    means: pd.DataFrame | None = None,
) -> ClaimResult:
    """C1 in tier form: is the micro tier's engagement rate above that of bigger tiers?

    The estimate is ``ER(micro) / ER(macro + mega)``, the ``stat`` over creators of mean
    engagements per post per follower. This is how vendors state C1; the tier-free test is
    :func:`engagement_vs_followers`.

    * ``supported`` iff the interval lies **above 1** (micro has the higher rate);
    * ``contradicted`` iff it lies **below 1**; ``inconclusive`` otherwise.

    ``means``: :func:`creator_means` of ``frame`` when already computed (a table too large for
    memory is reduced per creator elsewhere, :func:`insights.scale.creator_summary`).

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> f = 10 ** rng.uniform(3, 7, 600)
    >>> creators = pd.DataFrame({"followers": f, "avg_likes": 0.05 * f ** 0.9})
    >>> result = micro_engagement_rate(creators, rng=rng, n_resamples=200, dataset="toy")
    >>> result.verdict, result.estimate > 1
    ('supported', True)
    """
    components = tuple(components) if components is not None else default_components(frame)
    if means is not None:  # the creator means, already reduced (as for C2's means=)
        table = means[[c for c in ("platform", "creator", "followers", "engagement")
                       if c in means.columns]].reset_index(drop=True)
    else:
        table = _creator_table(frame, components, None)
    notes = [f"engagement = {' + '.join(components)} (creator mean per post)",
             *_hazard_notes(frame, hazards)]
    return _tier_ratio(
        "C1", frame, table, num="engagement", den="followers", what="engagement rate",
        tier_scheme=scheme, versus=versus, stat=stat, claim_side="above", rng=rng,
        n_resamples=n_resamples, level=level, dataset=dataset, notes=notes,
        hazards=_hazards(frame, hazards),
    )


def cost_per_engagement_elasticity(
    frame: pd.DataFrame,
    *,
    pricing,
    rng: np.random.Generator | None = None,
    components: Sequence[str] | None = None,
    ci: str = "robust",
    n_resamples: int = 2000,
    level: float = 0.95,
    dataset: str | None = None,
    hazards: Sequence[str] | None = None,
    within_support: bool = False,
) -> ClaimResult:
    """C2 without tiers: does cost per engagement rise with follower count?

    Fits ``log(CPE) = a + e log(followers)`` over creators (:func:`creator_costs`, HC3
    errors). Under a power-law price ``followers^p`` the slope is ``e = p - b`` exactly, where
    ``b`` is the creator-level engagement elasticity; with observed fees it is whatever the
    fees say.

    * ``supported`` iff the CI of ``e`` lies **above 0** (bigger creators cost more per
      engagement, so micro is cheaper);
    * ``contradicted`` iff it lies **below 0**; ``inconclusive`` otherwise;
    * several pricing models: common verdict or ``depends``, as in
      :func:`micro_cost_per_engagement`.

    ``within_support`` fits only the creators whose follower count the price table prices
    (:func:`insights.pricing.in_support`): the slope is then ``p - b`` with ``b`` local to
    that range.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> f = 10 ** rng.uniform(3, 7, 400)
    >>> creators = pd.DataFrame({"followers": f, "avg_likes": 0.05 * f ** 0.8
    ...                          * np.exp(rng.normal(0, 0.3, 400))})
    >>> result = cost_per_engagement_elasticity(creators, pricing="izea-2022", dataset="toy")
    >>> round(result.estimate, 2), result.verdict  # p - b = 0.32 - 0.8
    (-0.48, 'contradicted')
    """
    if _is_many(pricing):
        return _over_models(pricing, lambda m: cost_per_engagement_elasticity(
            frame, pricing=m, rng=rng, components=components, ci=ci,
            n_resamples=n_resamples, level=level, dataset=dataset, hazards=hazards,
            within_support=within_support))
    table = creator_costs(frame, pricing=pricing, components=components)
    notes = [*_cost_notes(frame, pricing, components, hazards)]
    if within_support:
        model, inside = _inside_support(table, pricing)
        low, high = model.support
        notes.append(f"price table {model.name} prices {_span(low, high)} "
                     f"followers: {int((~inside).sum())} of {len(table)} creators lie outside "
                     "and are left out")
        table = table.loc[inside].reset_index(drop=True)
    notes.append(_drop_note(table["cpe_status"], "cost per engagement"))
    fit, interval, text, failure = _fit_or_none(
        table, y="cpe", controls=(), fe=None, cluster=None, method="ols", ci=ci, rng=rng,
        n_resamples=n_resamples, level=level,
    )
    return _claim_result(
        "C2", _dataset_name(frame, dataset), fit, interval, text, failure, notes,
        line=0.0, claim_side="above", n_usable=int((table["cpe"] > 0).sum()),
        hazards=_hazards(frame, hazards),
    )


# --------------------------------------------------------------------------------------------
# C3: does a verdict depend on the definition of "micro"?


def tier_tests(
    frame: pd.DataFrame,
    *,
    scheme: str | TierScheme,
    pricing: Sequence[str] = (),
    rng: np.random.Generator,
    n_resamples: int = 2000,
    level: float = 0.95,
    dataset: str | None = None,
    hazards: Sequence[str] | None = None,
) -> dict[str, ClaimResult]:
    """The tier forms of C1 and C2 under one tier scheme, keyed by test.

    ``"C1: ER ratio"`` is :func:`micro_engagement_rate`; ``"C2: CPE ratio, <model>"`` is
    :func:`micro_cost_per_engagement` under each pricing model of ``pricing``. These are the
    tests whose verdicts :func:`micro_definition_dependence` compares across schemes.
    """
    tests = {"C1: ER ratio": micro_engagement_rate(
        frame, scheme=scheme, rng=rng, n_resamples=n_resamples, level=level, dataset=dataset,
        hazards=hazards)}
    for name in pricing:
        tests[f"C2: CPE ratio, {name}"] = micro_cost_per_engagement(
            frame, pricing=name, scheme=scheme, rng=rng, n_resamples=n_resamples, level=level,
            dataset=dataset, hazards=hazards)
    return tests


def micro_definition_dependence(
    by_scheme: Mapping[str, Mapping[str, ClaimResult]],
    *,
    dataset: str | None = None,
) -> ClaimResult:
    """C3: does any verdict change when only the definition of "micro" changes?

    Parameters
    ----------
    by_scheme : mapping of scheme name to {test: ClaimResult}
        The same tests (e.g. :func:`tier_tests`) run under each definition of micro. Every
        scheme must hold the same tests.
    dataset : str, optional
        Label of the result (default: the tests' data set).

    Returns
    -------
    ClaimResult
        ``estimate`` is the number of tests whose verdict differs between definitions. It is a
        count of verdicts, each of which carries its own interval, so there is no sampling
        interval here (``ci_low``/``ci_high`` are NaN).

        * ``supported`` iff at least one test's verdict changes with the definition;
        * ``contradicted`` iff every test keeps one verdict under every definition;
        * ``inconclusive`` if fewer than two schemes are given.

        The notes give each test's verdicts by scheme and the range of its estimate.

    Examples
    --------
    >>> from insights.verdicts import ClaimResult as R
    >>> a = {"C1": R("C1", "toy", 1.1, 0.9, 1.3, 50, "inconclusive", "ratio")}
    >>> b = {"C1": R("C1", "toy", 1.6, 1.2, 2.0, 50, "supported", "ratio")}
    >>> result = micro_definition_dependence({"1k-50k": a, "10k-500k": b})
    >>> result.claim, result.estimate, result.verdict
    ('C3', 1.0, 'supported')
    """
    schemes = list(by_scheme)
    tests = list(next(iter(by_scheme.values()), {}))
    for name, results in by_scheme.items():
        if list(results) != tests:
            raise ValueError(f"scheme {name!r} holds tests {list(results)}; every scheme must "
                             f"hold the same tests {tests}")
    first = by_scheme[schemes[0]][tests[0]] if schemes and tests else None
    label = dataset or (first.dataset if first is not None else "unnamed")
    n = max((r.n for results in by_scheme.values() for r in results.values()), default=0)
    method = (f"verdicts of {len(tests)} tier tests under {len(schemes)} definitions of micro "
              f"({', '.join(schemes)}); a test flips if its verdict differs between them")
    if len(schemes) < 2 or not tests:
        return ClaimResult("C3", label, np.nan, np.nan, np.nan, n, "inconclusive", method,
                           ("needs the same tests under at least two definitions of micro",))
    notes = []
    flips = 0
    for test in tests:
        seen = [by_scheme[s][test] for s in schemes]
        changed = len({r.verdict for r in seen}) > 1
        flips += changed
        estimates = [r.estimate for r in seen if np.isfinite(r.estimate)]
        spread = (f"; estimate {min(estimates):.3g} to {max(estimates):.3g}" if estimates
                  else "")
        by = ", ".join(f"{s}: {r.verdict}" for s, r in zip(schemes, seen, strict=True))
        notes.append(f"{test}: {'flips' if changed else 'same verdict'} ({by}){spread}")
    verdict = "supported" if flips else "contradicted"
    return ClaimResult("C3", label, float(flips), np.nan, np.nan, n, verdict, method,
                       tuple(notes))


# --------------------------------------------------------------------------------------------
# C4: for one budget, a group of micro-creators against one big creator


def group_versus_one(
    frame: pd.DataFrame,
    *,
    pricing,
    budget: float | None = None,
    scheme: str | TierScheme = "industry",
    versus: Sequence[str] = ("mega",),
    rng: np.random.Generator,
    components: Sequence[str] | None = None,
    n_resamples: int = 2000,
    level: float = 0.95,
    dataset: str | None = None,
    hazards: Sequence[str] | None = None,
    within_support: bool = False,
    price_uncertainty: bool = False,
) -> ClaimResult:
    """C4: for one budget, does a group of micro-creators buy engagement more cheaply?

    The estimate is the pooled cost per engagement of the micro tier divided by that of the
    ``versus`` tiers (default mega): total fees / total expected engagements per post of each
    group, the CPE of spending a budget across the whole group
    (:func:`micro_cost_per_engagement` with ``stat="pooled"``). With ``budget``, only creators
    whose one post costs at most the budget under the pricing model count (a budget cannot buy
    a post it cannot afford). The interval is a stratified bootstrap over creators.

    * ``supported`` iff the interval lies **below 1** (the micro group buys engagement more
      cheaply);
    * ``contradicted`` iff it lies **above 1**;
    * ``inconclusive`` otherwise;
    * ``untestable`` with ``within_support`` when the price table prices fewer than 5 of the
      ``versus`` creators (no published table prices a mega account: use ``versus=("macro",)``
      inside the support, ``docs/analysis-plan.md``, amendment 7);
    * with several pricing models: their common verdict among the testable ones, or
      ``depends``.

    ``within_support`` and ``price_uncertainty`` are those of
    :func:`micro_cost_per_engagement`; the budget is applied at the model's own price law.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> f = 10 ** rng.uniform(3, 7.5, 800)
    >>> creators = pd.DataFrame({"followers": f, "avg_likes": 0.05 * f ** 0.9
    ...                          * np.exp(rng.normal(0, 0.3, 800))})
    >>> result = group_versus_one(creators, pricing="rate-card", budget=100_000, rng=rng,
    ...                           n_resamples=300, dataset="toy")
    >>> result.claim, result.verdict
    ('C4', 'supported')
    """
    if _is_many(pricing):
        return _over_models(pricing, lambda m: group_versus_one(
            frame, pricing=m, budget=budget, scheme=scheme, versus=versus, rng=rng,
            components=components, n_resamples=n_resamples, level=level, dataset=dataset,
            hazards=hazards, within_support=within_support,
            price_uncertainty=price_uncertainty), claim="C4")
    work = frame
    if budget is not None:
        if not (np.isfinite(budget) and budget > 0):
            raise ValueError(f"budget must be a positive amount, got {budget!r}")
        affordable = (price(frame["followers"], pricing) <= budget).to_numpy()
        work = frame.loc[affordable]
    result = micro_cost_per_engagement(
        work, pricing=pricing, scheme=scheme, rng=rng, versus=tuple(versus), stat="pooled",
        components=components, n_resamples=n_resamples, level=level, dataset=dataset,
        hazards=hazards, within_support=within_support, price_uncertainty=price_uncertainty)
    extra = ()
    if budget is not None:
        left_out = int((~affordable).sum())
        extra = (f"budget {budget:,.0f}: {left_out} rows priced above it are left out",)
    return dataclasses.replace(result, claim="C4", notes=(*result.notes, *extra))


# --------------------------------------------------------------------------------------------
# the specification curve


#: Estimators of the specification curve: (name, estimand, level, how).
SPEC_ESTIMATORS = {
    "post log-OLS": ("typical", "posts"),
    "creator median, log-OLS": ("typical", "creators"),
    "post PPML": ("expected", "posts"),
    "creator mean, log-OLS": ("expected", "creators"),
}

#: The default grid of analyst choices (``docs/analysis-plan.md``, "The specification curve").
DEFAULT_GRID = {
    "estimator": tuple(SPEC_ESTIMATORS),
    "engagement": (("likes", "comments"), ("likes",), ("likes", "comments", "shares")),
    "zeros": ("drop", "log1p"),
    "age_control": (True, False),
    "window": ("all posts", "without seed creators", "posts <= 180 days", "posts <= 90 days",
               "posts <= 30 days"),
}

#: Estimators of the C5 curve: (estimand, level).
C5_SPEC_ESTIMATORS = {
    "post log-ratio OLS": ("typical", "posts"),
    "creator log-ratio OLS": ("typical", "creators"),
    "post PPML, offset likes": ("expected", "posts"),
    "creator PPML, offset mean likes": ("expected", "creators"),
}

#: The declared C5 grid (``docs/analysis-plan.md``, amendment 3).
C5_GRID = {
    "estimator": tuple(C5_SPEC_ESTIMATORS),
    "zeros": ("drop", "+0.5"),
    "age_control": (True, False),
    "window": DEFAULT_GRID["window"],
}

_SPEC_COLUMNS = ["estimand", "estimator", "engagement", "zeros", "age_control", "window",
                 "estimate", "ci_low", "ci_high", "n", "n_zero", "tost_p", "verdict"]


def _window(frame: pd.DataFrame, name: str, seeds: Sequence[str] | None) -> pd.DataFrame:
    if name == "all posts":
        return frame
    if name == "without seed creators":
        if seeds is None:
            raise ValueError("window 'without seed creators' needs seeds=[creator, ...]")
        return frame.loc[~frame["creator"].isin(set(seeds))]
    if name.startswith("posts <= ") and name.endswith(" days"):
        days = float(name.removeprefix("posts <= ").removesuffix(" days"))
        if "age_days" not in frame.columns:
            raise KeyError(f"window {name!r} needs an 'age_days' column")
        return frame.loc[pd.to_numeric(frame["age_days"], errors="coerce") <= days]
    raise ValueError(f"unknown window {name!r}; use 'all posts', 'without seed creators' or "
                     "'posts <= N days'")


def _spec_row(row: dict, fit: Callable[[], stats.Elasticity], *, line: float,
              margin: float | None, design: str) -> dict:
    """One specification's row: its choices, the fit (NaN if it cannot be estimated) and the
    verdict against ``line`` with the equivalence margin."""
    try:
        result = fit()
    except stats.InsufficientDataError:
        return {**row, "estimate": np.nan, "ci_low": np.nan, "ci_high": np.nan, "n": 0,
                "n_zero": 0, "tost_p": np.nan, "verdict": "inconclusive"}
    tost = (stats.tost_p(result, low=line - margin, high=line + margin)
            if margin is not None else np.nan)
    outcome = verdict(result.ci_low, result.ci_high, line=line, claim_side="below",
                      tost_p=tost, design=design)
    if result.n_zero > MAX_ZERO_SHARE * (result.n + result.n_zero) and outcome != "not evidence":
        outcome = "inconclusive"
    return {**row, "estimate": result.estimate, "ci_low": result.ci_low,
            "ci_high": result.ci_high, "n": result.n, "n_zero": result.n_zero, "tost_p": tost,
            "verdict": outcome}


def _spec_fit(frame: pd.DataFrame, estimator: str, components: tuple[str, ...], zeros: str,
              age_control: bool, level: float, cache: dict,
              fe: str | None = None) -> stats.Elasticity:
    """One specification's fit; model frames are built once and shared through ``cache``."""
    estimand, level_name = SPEC_ESTIMATORS[estimator]
    if level_name == "creators":
        stat = "median" if estimand == "typical" else "mean"
        key = (id(frame), components, stat)
        if key not in cache:
            cache[key] = engagement_model_data(frame, components=components, aggregate=stat)
        data = cache[key]
        return stats.fit_elasticity(data.frame, y=data.y, level=level)
    key = (id(frame), components, age_control)
    if key not in cache:
        cache[key] = engagement_model_data(frame, components=components,
                                           control_age=age_control, fe=fe)
    data = cache[key]
    work = data.frame
    if estimand == "expected":
        return stats.fit_ppml(work, y=data.y, controls=data.controls, fe=data.fe,
                              cluster=data.cluster, level=level)
    if zeros == "log1p":
        work = work.assign(**{data.y: work[data.y] + 1.0})
    return stats.fit_elasticity(work, y=data.y, controls=data.controls, fe=data.fe,
                                cluster=data.cluster, level=level)


def specification_curve(
    frame: pd.DataFrame,
    *,
    claim: str = "C1",
    grid: Mapping[str, Sequence] | None = None,
    seeds: Sequence[str] | None = None,
    margin: float | None = MARGIN,
    level: float = 0.95,
    hazards: Sequence[str] | None = None,
    fe: str | None = None,
) -> pd.DataFrame:
    """C1 (or C5) over a declared grid of analyst choices: one row per specification.

    The grid (default :data:`DEFAULT_GRID`) crosses the estimator (and with it the estimand:
    post log-OLS and the creator median estimate the typical post; post PPML and the creator
    mean estimate engagement per post on average), the engagement definition, the handling of
    zeros (post log-OLS only: drop them, or log(1 + y)), the age control (post level only) and
    the sample window (all posts, without the ``seeds`` creators, posts at most N days old).
    Choices that do not apply to an estimator are not crossed with it (``"n/a"``).

    Every row's verdict follows :func:`insights.verdicts.verdict` with the margin and the
    table's design class, and the 5% zero rule of the primaries: a row whose log model left out
    more than :data:`MAX_ZERO_SHARE` of its rows for a zero outcome is ``inconclusive`` (its
    estimate is kept, ``n_zero`` says how many). The curve is exploratory
    (``docs/analysis-plan.md``).

    Parameters
    ----------
    frame : DataFrame
        A canonical posts table with ``creator``, ``followers`` and the engagement columns.
    claim : {"C1", "C5"}
        The claim. C5's grid (:data:`C5_GRID`) crosses the estimators of comments per like
        (:data:`C5_SPEC_ESTIMATORS`), zeros (dropped, or 0.5 added to comments and likes), the
        age control and the windows; its line is 0.
    grid : mapping, optional
        Replaces entries of the claim's declared grid.
    seeds : sequence of str, optional
        Creators left out by the window ``"without seed creators"`` (required when it is in the
        grid).
    fe : str, optional
        A stratum column (e.g. ``"topic"``) with one fixed effect per value in every post-level
        specification; creator-level C1 specifications pool a creator's posts without it, and
        creator-level C5 specifications use the creator within a stratum (as
        :func:`comments_per_like_vs_followers` with ``fe``).

    Returns
    -------
    DataFrame
        ``estimand, estimator, engagement, zeros, age_control, window, estimate, ci_low,
        ci_high, n, n_zero, tost_p, verdict``; a specification that cannot be estimated has NaN
        and ``inconclusive``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = np.repeat(10 ** rng.uniform(3, 7, 60), 8)
    >>> posts = pd.DataFrame({"creator": np.repeat(np.arange(60).astype(str), 8),
    ...                       "post_id": np.arange(480).astype(str), "followers": f,
    ...                       "likes": np.round(0.05 * f * np.exp(rng.normal(0, 1, 480))),
    ...                       "comments": 1.0, "shares": 0.0,
    ...                       "age_days": rng.uniform(1, 200, 480)})
    >>> curve = specification_curve(posts, grid={"window": ("all posts", "posts <= 90 days")})
    >>> len(curve), sorted(curve["estimand"].unique())
    (48, ['expected', 'typical'])
    """
    if claim not in ("C1", "C5"):
        raise ValueError(f"the specification curve is declared for C1 and C5, got {claim!r}")
    if table_kind(frame) != "posts":
        raise ValueError("the specification curve needs a posts table (with post_id)")
    declared, estimators = ((DEFAULT_GRID, SPEC_ESTIMATORS) if claim == "C1"
                            else (C5_GRID, C5_SPEC_ESTIMATORS))
    choices = {**declared, **(grid or {})}
    unknown = sorted(set(choices) - set(declared))
    if unknown:
        raise ValueError(f"unknown grid entries {unknown}; known: {list(declared)}")
    bad = sorted(set(choices["estimator"]) - set(estimators))
    if bad:
        raise ValueError(f"unknown estimators {bad}; known: {list(estimators)}")
    design, _ = design_class(_hazards(frame, hazards))
    windows = {name: _window(frame, name, seeds) for name in choices["window"]}
    if fe is not None and fe not in frame.columns:
        raise KeyError(f"fixed-effect column {fe!r} not in the table")
    if claim == "C5":
        return _c5_curve(choices, windows, design=design, margin=margin, level=level, fe=fe)
    cache: dict = {}
    rows = []
    for estimator in choices["estimator"]:
        estimand, level_name = SPEC_ESTIMATORS[estimator]
        post_ols = estimator == "post log-OLS"
        for components in choices["engagement"]:
            components = tuple(components)
            for zeros in (choices["zeros"] if post_ols else ("n/a",)):
                for age in (choices["age_control"] if level_name == "posts" else ("n/a",)):
                    for window, sample in windows.items():
                        row = {"estimand": estimand, "estimator": estimator,
                               "engagement": " + ".join(components), "zeros": zeros,
                               "age_control": age, "window": window}
                        fit = partial(_spec_fit, sample, estimator, components, zeros,
                                      bool(age) if age != "n/a" else False, level, cache,
                                      fe)
                        rows.append(_spec_row(row, fit, line=1.0, margin=margin,
                                              design=design))
    return pd.DataFrame(rows, columns=_SPEC_COLUMNS)


def _c5_fit(frame: pd.DataFrame, estimator: str, zeros: str, age_control: bool,
            level: float, fe: str | None = None) -> stats.Elasticity:
    estimand, level_name = C5_SPEC_ESTIMATORS[estimator]
    shift = 0.5 if zeros == "+0.5" else 0.0
    if level_name == "creators":
        if fe is None:
            means, cluster = _creator_means(frame, ("likes", "comments")), None
        else:
            means, cluster = _stratum_means(frame, fe, ("likes", "comments")), "creator"
        work = means.assign(ratio=(means["comments"] + shift) / (means["likes"] + shift))
        if estimand == "expected":
            return stats.fit_ppml(work, y="comments", offset="likes", fe=fe, cluster=cluster,
                                  level=level)
        return stats.fit_elasticity(work, y="ratio", fe=fe, cluster=cluster, level=level)
    work = pd.DataFrame({
        "comments": pd.to_numeric(frame["comments"], errors="coerce").to_numpy(dtype=float),
        "likes": pd.to_numeric(frame["likes"], errors="coerce").to_numpy(dtype=float),
        "followers": frame["followers"].to_numpy(dtype=float),
        "creator": frame["creator"].to_numpy(),
    })
    if fe is not None:
        work[fe] = frame[fe].to_numpy()
    controls: tuple[str, ...] = ()
    if age_control and _has_values(frame, "age_days"):
        work["log_age"] = _log_age(frame)
        controls = ("log_age",)
    if estimand == "expected":
        return stats.fit_ppml(work, y="comments", offset="likes", controls=controls, fe=fe,
                              cluster="creator", level=level)
    with np.errstate(divide="ignore", invalid="ignore"):
        work["ratio"] = np.where(work["likes"] + shift > 0,
                                 (work["comments"] + shift) / (work["likes"] + shift), np.nan)
    return stats.fit_elasticity(work, y="ratio", controls=controls, fe=fe, cluster="creator",
                                level=level)


def _c5_curve(choices: Mapping[str, Sequence], windows: Mapping[str, pd.DataFrame], *,
              design: str, margin: float | None, level: float,
              fe: str | None = None) -> pd.DataFrame:
    rows = []
    for estimator in choices["estimator"]:
        estimand, level_name = C5_SPEC_ESTIMATORS[estimator]
        for zeros in (choices["zeros"] if estimand == "typical" else ("n/a",)):
            for age in (choices["age_control"] if level_name == "posts" else ("n/a",)):
                for window, sample in windows.items():
                    row = {"estimand": estimand, "estimator": estimator,
                           "engagement": "comments / likes", "zeros": zeros,
                           "age_control": age, "window": window}
                    fit = partial(_c5_fit, sample, estimator, zeros, age is True, level, fe)
                    rows.append(_spec_row(row, fit, line=0.0, margin=margin, design=design))
    return pd.DataFrame(rows, columns=_SPEC_COLUMNS)

