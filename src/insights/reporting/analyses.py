"""The analyses behind ``insights report``: what the client-report template notebook calls.

The template (package data, ``insights/reporting/templates/client-report.ipynb``) is kept thin:
every number it shows comes from a function here, tested like the rest of the library, and the
notebook only lays the results out with :mod:`insights.reporting.document`.
:func:`insights.reporting.build_report` writes the cleaned file into a work folder with
:func:`write_inputs`; the notebook reads it back with :func:`read_inputs`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights import claims, costs, formatting, metrics, schemas, stats
from insights.pricing import PriceModel, fit_fees, price_model, pricing_models
from insights.reporting.inputs import (
    ReportInputs,
    read_inputs,
    write_inputs,
    write_large_inputs,
)
from insights.tiers import assign_tiers, tier_bands
from insights.tiers import scheme as tier_scheme
from insights.verdicts import ClaimResult, combine_pricing_models

__all__ = [
    "RevenueSection",
    "claim_needs",
    "cleaning_appendix",
    "revenue_section",
    "roster_creators",
    "roster_summary",
    "C2Section",
    "CreatorTable",
    "creator_table",
    "executive_summary",
    "roster_table",
    "ReportInputs",
    "SUMMARY_COLUMNS",
    "c1_fit",
    "c2_section",
    "c2_table",
    "creator_rates",
    "creator_rates_of",
    "platforms_of",
    "posts_per_creator",
    "data_quality",
    "pricing_choice",
    "quality_headline",
    "reading",
    "read_inputs",
    "results_table",
    "selection_limits",
    "summary_table",
    "tier_table",
    "write_inputs",
    "write_large_inputs",
]

#: Columns of :func:`summary_table`.
SUMMARY_COLUMNS = ["question", "estimate", "ci_low", "ci_high", "n", "verdict", "reading"]
#: Fewer creators than this in a tier: its median is shown but flagged as thin.
THIN_TIER = 10

_QUESTIONS = {
    "C1": "Does the typical post's engagement rate fall as follower count grows? (elasticity b "
          "of the typical post; claim: b < 1)",
    "C1-expected": "Does engagement per post on average fall relative to followers? (elasticity "
                   "b of the mean; claim: b < 1)",
    "C1-tiers": "Is the micro tier's engagement rate above the big tiers'? (ratio; claim: > 1)",
    "C2": "Are micro-creators cheaper per engagement than big ones? (CPE ratio; claim: < 1)",
}


# --------------------------------------------------------------------------------------------
# the work folder between the command and the notebook: :mod:`insights.reporting.inputs`
# (kept light, so that the command does not import the statistics to write it)

# --------------------------------------------------------------------------------------------
# analyses


def creator_rates(table: pd.DataFrame, components: Sequence[str]) -> pd.DataFrame:
    """One row per creator: followers, mean engagements per post and engagement rate.

    A posts table is reduced with :func:`insights.metrics.creator_engagement` (mean per
    post, rate per median follower count); a creators table uses its averages.

    Examples
    --------
    >>> creators = pd.DataFrame({"creator": ["a", "b"], "followers": [1e4, 1e6],
    ...                          "avg_likes": [500.0, 9000.0], "posts": np.nan})
    >>> creator_rates(creators, ["avg_likes"])[["creator", "engagement_rate"]]
      creator  engagement_rate
    0       a            0.050
    1       b            0.009
    """
    if schemas.table_kind(table) == "posts":
        out = metrics.creator_engagement(table, components=tuple(components), stat="mean")
        return out[["creator", "followers", "engagement", "engagement_rate"]].reset_index(
            drop=True)
    engagement = metrics.engagement(table, components=tuple(components))
    rate = metrics.engagement_rate(table, components=tuple(components), per="followers")
    return pd.DataFrame({
        "creator": table["creator"].to_numpy(),
        "followers": table["followers"].to_numpy(dtype=float),
        "engagement": engagement["value"].to_numpy(),
        "engagement_rate": rate["value"].to_numpy(),
    })


def creator_rates_of(inputs: ReportInputs) -> pd.DataFrame:
    """:func:`creator_rates` of the report's file: of its cleaned table, or for a file read in
    blocks of the creator rows the command computed (the same columns and values)."""
    if inputs.scaled:
        return inputs.creators[["creator", "followers", "engagement", "engagement_rate"]]\
            .reset_index(drop=True)
    return creator_rates(inputs.table, inputs.components)


def posts_per_creator(inputs: ReportInputs) -> pd.Series | None:
    """Posts per creator of a posts file (``None`` for a creator list)."""
    if inputs.scaled:
        return inputs.creators["n_posts"]
    if schemas.table_kind(inputs.table) != "posts" or not len(inputs.table):
        return None
    return inputs.table.groupby("creator", observed=True).size()


def _stored_fit(stored: Mapping, level: float) -> stats.Elasticity:
    """An elasticity written by the command, its interval at ``level``."""
    fit = stats.Elasticity(**{k: (tuple(v) if k == "cov_ab" else v)
                              for k, v in stored.items()})
    if level != fit.level:
        half = stats.t_quantile(level, fit.df) * fit.se
        fit = dataclasses.replace(fit, ci_low=fit.estimate - half,
                                  ci_high=fit.estimate + half, level=level)
    return fit


def _scaled_c1_fit(inputs: ReportInputs, *, level: float, estimand: str) -> claims.C1Fit:
    stored = inputs.fits[estimand]
    fit = _stored_fit(stored["fit"], level) if "fit" in stored else None
    notes = [f"estimand: {claims.ESTIMANDS.get(estimand, estimand)}",
             f"engagement = {' + '.join(inputs.components)}",
             *(["controls log(1 + post age in days)"] if stored.get("control_age") else []),
             f"fitted on all {inputs.rows:,} posts, read in blocks (sums over blocks with "
             "Dask; the same estimates as in memory)"]
    if stored.get("zero"):
        notes.append(f"{stored['zero']} rows with zero engagement (a log model leaves them "
                     "out, PPML keeps them)")
    data = claims.engagement_model_data(inputs.table, components=inputs.components)
    result = claims.c1_from_fit(fit, dataset=inputs.label, notes=notes,
                                n_usable=int(stored.get("usable", 0)), estimand=estimand,
                                failure=stored.get("failure"), hazards=())
    return claims.C1Fit(result, data, fit)


def c1_fit(inputs: ReportInputs, *, level: float = 0.95,
           estimand: str = "typical") -> claims.C1Fit:
    """C1 on the file (:func:`insights.claims.c1_fit`): the result, its model data and fit.

    ``estimand`` is ``"typical"`` (the typical post, log-OLS; zero-engagement rows are counted
    and, above 5% of the rows, the verdict is withheld) or ``"expected"`` (engagement per post
    on average, PPML, zeros kept). No design hazards are assumed (the file is not a registered
    data set); the selection caveat is stated by :func:`selection_limits` instead.

    For a file read in blocks the fit is the command's (:func:`insights.scale.c1_elasticities`,
    equal to the in-memory one) and ``data`` holds the sample of posts the figure shows.
    """
    if inputs.scaled:
        return _scaled_c1_fit(inputs, level=level, estimand=estimand)
    return claims.c1_fit(inputs.table, components=inputs.components, dataset=inputs.label,
                         hazards=(), level=level, estimand=estimand)


def tier_table(
    rates: pd.DataFrame,
    *,
    scheme: str = "industry",
    rng: np.random.Generator,
    n_resamples: int = 1000,
    level: float = 0.95,
) -> pd.DataFrame:
    """Median engagement rate per follower tier with bootstrap CIs (creators as units).

    Adds ``note``: ``no creators``, ``too few for an interval`` (fewer than 5) or ``thin``
    (fewer than :data:`THIN_TIER`).
    """
    table = stats.tier_medians(rates, value="engagement_rate", tier_scheme=scheme, rng=rng,
                               n_resamples=n_resamples, level=level)
    n = table["n"].fillna(0).astype(int)
    note = np.select([n == 0, n < 5, n < THIN_TIER],
                     ["no creators", "too few for an interval", "thin"], default="")
    return table.assign(n=n, note=note)


def tiers_claim(
    inputs: ReportInputs, *, scheme: str, rng: np.random.Generator, n_resamples: int,
    level: float = 0.95,
) -> ClaimResult:
    """C1 in tier form (:func:`insights.claims.micro_engagement_rate`), or why not."""
    try:
        return claims.micro_engagement_rate(
            inputs.table, scheme=scheme, rng=rng, components=inputs.components,
            n_resamples=n_resamples, level=level, dataset=inputs.label, hazards=(),
            means=inputs.creators if inputs.scaled else None,
        )
    except ValueError as exc:  # a scheme without micro, or nothing above it
        return ClaimResult("C1", inputs.label, np.nan, np.nan, np.nan, 0, "inconclusive",
                           "tier ratio", (f"not computed: {exc}",))


def pricing_choice(name: str) -> list[str]:
    """The pricing models a ``pricing`` choice stands for (``all`` = every named model).

    Examples
    --------
    >>> pricing_choice("klear-2019")
    ['klear-2019']
    >>> len(pricing_choice("all"))
    7
    """
    if name == "all":
        return list(pricing_models())
    price_model(name)  # raises KeyError naming the known models
    return [name]


@dataclass
class C2Section:
    """C2 on the file.

    ``mode`` is ``returns`` (fee and revenue: actual ROI/ROAS/CPE by tier), ``fees`` (fees
    only: observed CPE) or ``models`` (no fees: published pricing models).
    """

    mode: str
    result: ClaimResult
    by_model: dict[str, ClaimResult] = field(default_factory=dict)
    returns: pd.DataFrame | None = None
    fees: PriceModel | None = None
    notes: list[str] = field(default_factory=list)


def c2_section(
    inputs: ReportInputs,
    *,
    pricing: str = "all",
    scheme: str = "industry",
    rng: np.random.Generator,
    n_resamples: int = 1000,
    level: float = 0.95,
) -> C2Section:
    """C2 with the file's own fees when it has them, else under published pricing models."""
    table = inputs.table
    has_fee = "fee" in table.columns and table["fee"].notna().any()
    has_revenue = "revenue" in table.columns and table["revenue"].notna().any()
    notes: list[str] = []
    # the table reduced to creator means once for every published model (not per model);
    # a table that cannot be reduced fails in each model's run below, as it would alone
    means = None
    if inputs.scaled:
        has_fee = has_revenue = False  # a file read in blocks has no fees (the command checks)
        means = inputs.creators
    elif not has_fee:
        with contextlib.suppress(ValueError):
            means = claims.creator_means(table, components=inputs.components)

    def run(model):
        # a published table is used only for the follower counts it prices, with its own
        # uncertainty drawn (docs/analysis-plan.md, amendment 7); the file's own fees as given
        published = model != claims.OBSERVED
        try:
            return claims.micro_cost_per_engagement(
                table, pricing=model, scheme=scheme, rng=rng, components=inputs.components,
                n_resamples=n_resamples, level=level, dataset=inputs.label, hazards=(),
                within_support=published, price_uncertainty=published,
                means=means if published else None,
            )
        except ValueError as exc:
            return ClaimResult("C2", inputs.label, np.nan, np.nan, np.nan, 0, "inconclusive",
                               "CPE ratio", (f"not computed: {exc}",))

    if not has_fee:
        by_model = {name: run(name) for name in pricing_choice(pricing)}
        result = combine_pricing_models(by_model)
        notes.append("the file has no fees, so fees come from published pricing models, each "
                     "used only for the follower counts its table prices (no published table "
                     "prices an account of 1M followers or more); the answer is only as good "
                     "as the models")
        return C2Section("models", result, by_model, notes=notes)

    result = run(claims.OBSERVED)
    fees = None
    try:
        fees = fit_fees(table.assign(currency=inputs.meta.get("currency") or "USD"),
                              name="the file's fees")
    except ValueError as exc:
        notes.append(f"fee exponent not estimated: {exc}")
    measures = ("roi", "roas", "cpe") if has_revenue else ("cpe",)
    campaigns = _campaign_rows(inputs)
    returns = costs.campaign_returns(campaigns, rng=rng, tier_scheme=scheme, measures=measures,
                                     n_resamples=n_resamples, level=level)
    return C2Section("returns" if has_revenue else "fees", result, returns=returns, fees=fees,
                     notes=notes)


def c2_table(section: C2Section) -> pd.DataFrame:
    """The C2 results as a table: one row per pricing model, or the file's own fees."""
    if section.by_model:
        rows = [{"pricing": name, **_result_row(r)} for name, r in section.by_model.items()]
    else:
        rows = [{"pricing": "the file's fees", **_result_row(section.result)}]
    return pd.DataFrame(rows)


def results_table(results: Sequence[ClaimResult]) -> pd.DataFrame:
    """Claim results side by side: estimand, estimate, CI, n, zeros left out, verdict, method.

    Examples
    --------
    >>> r = ClaimResult("C1", "f.csv", 0.8, 0.7, 0.9, 500, "supported", "OLS")
    >>> results_table([r])[["estimate", "n", "verdict"]]
       estimate    n    verdict
    0       0.8  500  supported
    """
    return pd.DataFrame([{"estimand": r.estimand, **_result_row(r),
                          "n_zero_dropped": r.n_zero_dropped} for r in results],
                        columns=["estimand", "estimate", "ci_low", "ci_high", "n",
                                 "n_zero_dropped", "verdict", "method"])


def _result_row(result: ClaimResult) -> dict:
    return {"estimate": result.estimate, "ci_low": result.ci_low, "ci_high": result.ci_high,
            "n": result.n, "verdict": result.verdict, "method": result.method}


def _campaign_rows(inputs: ReportInputs) -> pd.DataFrame:
    table = inputs.table
    engagement = metrics.engagement(table, components=inputs.components)["value"]
    frame = pd.DataFrame({
        "campaign": inputs.label,
        "creator": table["creator"].to_numpy(),
        "platform": table["platform"].to_numpy(),
        "followers": table["followers"].to_numpy(dtype=float),
        "fee": table["fee"].to_numpy(dtype=float),
        "engagements": engagement.to_numpy(),
        "revenue": (table["revenue"].to_numpy(dtype=float) if "revenue" in table.columns
                    else np.nan),
        "currency": inputs.meta.get("currency") or "USD",
    })
    if schemas.table_kind(table) == "posts":
        frame["campaign"] = inputs.label + " / " + table["post_id"].astype(str).to_numpy()
    return costs.campaign_table(frame)


# --------------------------------------------------------------------------------------------
# the roster and its creators

#: Most creators the report's table shows (half from each end); all are exported.
CREATOR_ROWS_SHOWN = 500
#: Flags of :func:`creator_table`.
FLAGS = ("above expectation", "in line", "below expectation", "implausible")
#: Above this pooled within-creator CV with fewer than 10 posts per creator (median), the
#: shrinkage intervals cover less than 95% in simulation (``docs/analysis-plan.md``).
SHRINKAGE_CV_LIMIT = 1.6


@dataclass
class CreatorTable:
    """One row per kept creator (:func:`creator_table`), the shrinkage behind it and notes."""

    table: pd.DataFrame
    shrinkage: stats.Shrinkage | None
    notes: list[str] = field(default_factory=list)


def _expected_engagement(fit: stats.Elasticity | None, followers: np.ndarray) -> np.ndarray:
    if fit is None or not np.isfinite(fit.estimate):
        return np.full(len(followers), np.nan)
    return stats.fit_line(fit, np.maximum(followers, 1.0))["fit"].to_numpy()


def creator_table(inputs: ReportInputs, rates: pd.DataFrame, expected: claims.C1Fit, *,
                  scheme: str = "industry", level: float = 0.95) -> CreatorTable:
    """Each creator against what the fitted model expects for their size.

    Columns: ``creator``, ``followers``, ``tier``, ``posts`` (posts files), ``engagement_rate``
    (mean engagements per post / followers), ``expected_rate`` (the rate of a typical creator
    of that size in this file: the C1 line of the *expected* estimand, engagement per post on
    average, at the creator's follower count, set to the level of the roster's typical
    creator, the geometric mean of creators' rates relative to the line), ``shrunk_rate``
    with ``shrunk_low``/``shrunk_high`` (posts files: the empirical-Bayes rate of
    :func:`insights.stats.shrink_means` on each post's engagements relative to the line, so a
    creator with few posts and one lucky hit is pulled toward the typical creator),
    ``vs_expected`` (shrunk, or for creator lists observed, rate / expected) and ``flag``:

    - posts files: ``above expectation`` / ``below expectation`` when the whole shrunk
      interval is above / below the expected rate, else ``in line``;
    - creator lists (one rate per creator, no post-to-post spread to shrink by): ``above``
      / ``below`` when the rate is more than one residual SD (of log rate / expected, over the
      roster) above / below the line, else ``in line``: a position in this roster, not a test;
    - ``implausible`` when engagements per post exceed the follower count.

    Sorted by ``vs_expected``, highest first.
    """
    notes: list[str] = []
    followers = rates["followers"].to_numpy(dtype=float)
    line = _expected_engagement(expected.fit, followers) / followers
    out = pd.DataFrame({
        "creator": rates["creator"].astype(str).to_numpy(),
        "followers": followers,
        "tier": assign_tiers(rates["followers"], scheme).astype(str).to_numpy(),
        "engagement_rate": rates["engagement_rate"].to_numpy(dtype=float),
    })
    shrinkage = None
    posts = inputs.scaled or schemas.table_kind(inputs.table) == "posts"
    if inputs.scaled:  # the per-creator sums the command computed over every post
        rows = inputs.creators.assign(creator=inputs.creators["creator"].astype(str))
        out.insert(3, "posts", out["creator"].map(rows.set_index("creator")["posts"])
                   .fillna(0).astype(int))
        units = rows[rows["rel_n"] > 0]
        try:
            shrinkage = stats.shrink_unit_means(
                units["creator"].to_numpy(), units["rel_n"].to_numpy(),
                units["rel_mean"].to_numpy(dtype=float), units["rel_var"].to_numpy(dtype=float),
                level=level)
        except (stats.InsufficientDataError, ValueError) as exc:
            notes.append(f"shrunk rates not computed: {exc}")
    elif posts:
        per_post = metrics.engagement(inputs.table, components=inputs.components)["value"]
        frame = pd.DataFrame({"creator": inputs.table["creator"].astype(str).to_numpy(),
                              "engagement": per_post.to_numpy(dtype=float),
                              "followers": inputs.table["followers"].to_numpy(dtype=float)})
        frame = frame[np.isfinite(frame["engagement"]) & (frame["followers"] > 0)]
        frame["relative"] = frame["engagement"] / _expected_engagement(
            expected.fit, frame["followers"].to_numpy())
        counts = frame.groupby("creator", sort=False).size()
        out.insert(3, "posts", out["creator"].map(counts).fillna(0).astype(int))
        usable = frame[np.isfinite(frame["relative"])]
        try:
            shrinkage = stats.shrink_means(usable["relative"], usable["creator"], level=level)
        except (stats.InsufficientDataError, ValueError) as exc:
            notes.append(f"shrunk rates not computed: {exc}")
    if shrinkage is not None:
        # the typical creator of a size: the fitted line at the roster's typical level
        out["expected_rate"] = shrinkage.prior * line
        shrunk = shrinkage.table.set_index("unit")
        for column, source in (("shrunk_rate", "shrunk"), ("shrunk_low", "ci_low"),
                               ("shrunk_high", "ci_high")):
            out[column] = out["creator"].map(shrunk[source]).to_numpy(dtype=float) * line
        out["vs_expected"] = out["shrunk_rate"] / out["expected_rate"]
        flag = np.select([out["shrunk_low"] > out["expected_rate"],
                          out["shrunk_high"] < out["expected_rate"]],
                         ["above expectation", "below expectation"], default="in line")
        median_posts = float(out["posts"].median())
        if shrinkage.cv > SHRINKAGE_CV_LIMIT and median_posts < 10:
            notes.append(f"posts vary a lot within a creator (CV {shrinkage.cv:.2f}) and a "
                         f"creator has {median_posts:.0f} posts at the median: in simulation, "
                         "intervals at that spread cover less than 95%, so read the flags as "
                         "indicative")
    else:
        ratio = out["engagement_rate"] / line
        log_ratio = np.log(ratio.where(ratio > 0))
        level_log = float(log_ratio.mean()) if log_ratio.notna().any() else np.nan
        out["expected_rate"] = np.exp(level_log) * line
        out["shrunk_rate"] = out["shrunk_low"] = out["shrunk_high"] = np.nan
        out["vs_expected"] = out["engagement_rate"] / out["expected_rate"]
        spread = float(log_ratio.std(ddof=1)) if log_ratio.notna().sum() > 2 else np.nan
        deviation = log_ratio - level_log
        flag = np.select([deviation > spread, (deviation < -spread) | (ratio == 0)],
                         ["above expectation", "below expectation"], default="in line")
        if np.isfinite(spread):
            notes.append(f"a creator list has one rate per creator and no post-to-post spread "
                         f"to shrink by; the flag marks rates more than one residual SD "
                         f"(x{np.exp(spread):.2f}) above or below the typical creator of "
                         "their size: a position in this roster, not a test")
    flag = np.where(out["expected_rate"].isna(), "", flag)
    out["flag"] = np.where(out["engagement_rate"] > 1, "implausible", flag)
    if out["expected_rate"].isna().all():
        notes.append("expected rates not computed: the C1 fit of engagement per post on "
                     "average failed (see its notes)")
    out = out.sort_values(["vs_expected", "engagement_rate"], ascending=False,
                          na_position="last", kind="stable").reset_index(drop=True)
    return CreatorTable(out, shrinkage, notes)


def roster_table(rates: pd.DataFrame, *, scheme: str = "industry") -> pd.DataFrame:
    """The roster's tier mix: per tier its follower band, creators, share and median rate
    (missing when ``rates`` has no ``engagement_rate``, as in a roster without engagement).

    Examples
    --------
    >>> rates = pd.DataFrame({"followers": [2e3, 5e3, 2e4, 3e6],
    ...                       "engagement_rate": [0.1, 0.08, 0.05, 0.01]})
    >>> roster_table(rates)[["tier", "creators", "share"]]
        tier  creators  share
    0    <1k         0   0.00
    1   nano         2   0.50
    2  micro         1   0.25
    3    mid         0   0.00
    4  macro         0   0.00
    5   mega         1   0.25
    """
    bands = tier_bands(scheme)
    tiers = assign_tiers(rates["followers"], scheme)
    labels = bands["label"].astype(str)
    counts = tiers.astype(str).value_counts().reindex(labels).fillna(0).astype(int)
    medians = (rates.groupby(tiers.astype(str))["engagement_rate"].median()
               if "engagement_rate" in rates.columns else pd.Series(dtype=float))
    return pd.DataFrame({
        "tier": labels.to_numpy(),
        "followers_from": bands["lower"].to_numpy(dtype=float),
        "followers_to": bands["upper"].to_numpy(dtype=float),
        "creators": counts.to_numpy(),
        "share": counts.to_numpy() / max(int(counts.sum()), 1),
        "median_rate": medians.reindex(labels).to_numpy(dtype=float),
    })


# --------------------------------------------------------------------------------------------
# files without engagement: a roster, or revenue per follower


def roster_creators(inputs: ReportInputs) -> pd.DataFrame:
    """One row per creator: ``creator``, ``followers`` (the median over a creator's rows) and,
    when the file has revenue, ``revenue`` (mean per row) and ``revenue_per_follower``.

    Examples
    --------
    >>> table = pd.DataFrame({"creator": ["a", "a", "b"], "followers": [100.0, 300.0, 50.0],
    ...                       "revenue": [10.0, 30.0, 5.0], "post_id": ["1", "2", "3"]})
    >>> roster_creators(ReportInputs(table, pd.DataFrame(), pd.DataFrame(), {}))
      creator  followers  revenue  revenue_per_follower
    0       a      200.0     20.0                   0.1
    1       b       50.0      5.0                   0.1
    """
    table = inputs.table
    columns = ["followers", *(["revenue"] if "revenue" in table.columns else [])]
    grouped = table.groupby(table["creator"].astype(str), sort=False)
    out = grouped[columns].agg({"followers": "median",
                                **({"revenue": "mean"} if "revenue" in columns else {})})
    out = out.reset_index()
    if "revenue" in out.columns:
        out["revenue_per_follower"] = out["revenue"] / out["followers"]
    return out


@dataclass
class RevenueSection:
    """Revenue against followers: per tier and as an elasticity under both estimands."""

    by_tier: pd.DataFrame
    fits: pd.DataFrame
    typical: stats.Elasticity | None
    expected: stats.Elasticity | None
    currency: str
    notes: list[str] = field(default_factory=list)


def _revenue_reading(b: float, lo: float, hi: float) -> str:
    if not np.isfinite(b):
        return "not estimated"
    if lo > 1:
        return "revenue per follower rises with size"
    if hi < 1:
        return "revenue per follower falls with size"
    return "the data cannot tell whether revenue per follower rises or falls with size"


def revenue_section(inputs: ReportInputs, *, scheme: str = "industry",
                    rng: np.random.Generator, n_resamples: int = 1000,
                    level: float = 0.95) -> RevenueSection:
    """Revenue per follower by tier (medians, bootstrap CIs over creators) and the elasticity
    of revenue on followers: of the typical creator (log-OLS, HC3; creators with no revenue
    cannot enter and are counted) and of revenue on average (PPML, HC1; zeros kept). An
    elasticity below 1 means revenue per follower falls with size."""
    creators = roster_creators(inputs)
    usable = creators[np.isfinite(creators["revenue"]) & (creators["followers"] > 0)]
    notes = []
    missing = len(creators) - len(usable)
    if missing:
        notes.append(f"{missing:,} creator{' has' if missing == 1 else 's have'} no revenue "
                     "value and " + ("is" if missing == 1 else "are") + " left out")
    by_tier = stats.tier_medians(usable, value="revenue_per_follower", tier_scheme=scheme,
                                 rng=rng, n_resamples=n_resamples, level=level)
    fits, rows = {}, []
    for name, fitter in (("typical", stats.fit_elasticity), ("expected", stats.fit_ppml)):
        try:
            fit = fitter(usable, y="revenue", x="followers", level=level)
        except (stats.InsufficientDataError, ValueError) as exc:
            fit = None
            notes.append(f"{name}: not estimated: {exc}")
        fits[name] = fit
        b, lo, hi = ((fit.estimate, fit.ci_low, fit.ci_high) if fit is not None
                     else (np.nan, np.nan, np.nan))
        rows.append({"estimand": name, "estimate": b, "ci_low": lo, "ci_high": hi,
                     "n": fit.n if fit is not None else 0,
                     "n_zero_dropped": fit.n_zero if fit is not None else 0,
                     "reading": _revenue_reading(b, lo, hi),
                     "method": fit.method if fit is not None else ""})
    return RevenueSection(by_tier, pd.DataFrame(rows), fits["typical"], fits["expected"],
                          inputs.meta.get("currency") or "the file's currency", notes)


def roster_summary(inputs: ReportInputs, creators: pd.DataFrame, *, scheme: str = "industry",
                   revenue: RevenueSection | None = None) -> list[str]:
    """Three sentences for a file without engagement: what was analysed, what the roster (or
    revenue) looks like, and what the claims would need.

    Examples
    --------
    >>> inputs = ReportInputs(pd.DataFrame({"creator": list("abcd"), "platform": "youtube"}),
    ...                       pd.DataFrame(), pd.DataFrame(),
    ...                       {"file": "list.csv", "level": "creators", "rows_read": 4,
    ...                        "mode": "roster"})
    >>> creators = pd.DataFrame({"followers": [2e3, 5e4, 6e4, 3e6]})
    >>> for sentence in roster_summary(inputs, creators):
    ...     print(sentence)  # doctest: +NORMALIZE_WHITESPACE
    We described 4 YouTube creators from list.csv, with 2,000 to 3,000,000 followers (4 rows
    read, 0 left out).
    Half of them (2) are micro (10k to 100k followers); the median creator has 55,000
    followers.
    The file has no engagement counts, so whether engagement falls with size or
    micro-creators are cheaper cannot be tested on it; add average likes and comments per
    creator, or a post export, and run the report again.
    """
    table = inputs.table
    platform = _platform_word(table)
    followers = creators["followers"].dropna()
    read = int(inputs.meta.get("rows_read", len(table)))
    first = (f"We described {len(creators):,} {platform}creators from {inputs.label}, with "
             f"{followers.min():,.0f} to {followers.max():,.0f} followers ({read:,} rows read, "
             f"{read - len(table):,} left out).")
    mix = roster_table(creators, scheme=scheme)
    top = mix.loc[mix["creators"].idxmax()]
    share = float(top["share"])
    words = ("All of them" if share == 1 else "Half of them" if share == 0.5 else
             f"{share:.0%} of them")
    band = (f"{formatting.count_label(top['followers_from'])} to "
            f"{formatting.count_label(top['followers_to'])} followers"
            if np.isfinite(top["followers_to"]) else
            f"{formatting.count_label(top['followers_from'])} followers or more")
    second = (f"{words} ({int(top['creators']):,}) are {top['tier']} ({band}); the median "
              f"creator has {followers.median():,.0f} followers.")
    if revenue is not None and revenue.expected is not None:
        fit = revenue.expected
        second += (f" Revenue on average grows as followers^{fit.estimate:.2f} (95% CI "
                   f"{fit.ci_low:.2f} to {fit.ci_high:.2f}): "
                   f"{_revenue_reading(fit.estimate, fit.ci_low, fit.ci_high)}.")
    third = ("The file has no engagement counts, so whether engagement falls with size or "
             "micro-creators are cheaper cannot be tested on it; add average likes and "
             "comments per creator, or a post export, and run the report again.")
    return [first, second, third]


def claim_needs(inputs: ReportInputs) -> list[str]:
    """What each claim would need that this file does not have (for roster reports).

    Examples
    --------
    >>> inputs = ReportInputs(pd.DataFrame({"creator": ["a"], "followers": [1.0]}),
    ...                       pd.DataFrame(), pd.DataFrame(), {"mode": "roster"})
    >>> claim_needs(inputs)[0]  # doctest: +NORMALIZE_WHITESPACE
    'C1 (engagement rate falls with size): engagement per creator or per post (likes,
    comments, shares or views with an engagement rate), for creators across the range of
    sizes.'
    """
    table = inputs.table
    has = {c for c in ("fee", "revenue", "category") if c in table.columns
           and table[c].notna().any()}
    needs = [
        "C1 (engagement rate falls with size): engagement per creator or per post (likes, "
        "comments, shares or views with an engagement rate), for creators across the range of "
        "sizes.",
        "C2 (micro-creators are cheaper per engagement): the same engagement counts, and fees "
        + ("(the file has them)." if "fee" in has else
           "(without them, published price tables are used)."),
        "C5 (small creators hold conversations): comments and likes counted separately.",
        "C7 (niche creators outperform): engagement and a category per creator"
        + (" (the file has categories)." if "category" in has else "."),
        "A list chosen by engagement (top performers) cannot test C1 whatever its columns: say "
        "how the creators were picked.",
    ]
    return needs


# --------------------------------------------------------------------------------------------
# words

_PLATFORM_NAMES = {"instagram": "Instagram", "tiktok": "TikTok", "youtube": "YouTube",
                   "twitter": "Twitter", "facebook": "Facebook", "twitch": "Twitch"}


def platforms_of(inputs: ReportInputs) -> list[str]:
    """The platforms of the file's rows (of every post, for a file read in blocks)."""
    if "platforms" in inputs.meta:
        return list(inputs.meta["platforms"])
    table = inputs.table
    return (sorted(table["platform"].dropna().astype(str).unique())
            if "platform" in table.columns else [])


def _platform_word(table: pd.DataFrame, platforms: Sequence[str] | None = None) -> str:
    """``"TikTok "`` when every row is from one named platform, else ``""``."""
    if platforms is None:
        platforms = (table["platform"].dropna().unique() if "platform" in table.columns
                     else [])
    if len(platforms) != 1 or platforms[0] == "other":
        return ""
    return _PLATFORM_NAMES.get(platforms[0], platforms[0]) + " "


def _fmt(value: float, digits: int = 3) -> str:
    return "n/a" if not np.isfinite(value) else f"{value:.{digits}g}"


def reading(result: ClaimResult, question: str = "C1") -> str:
    """One plain-English sentence for a client, from a claim result.

    Parameters
    ----------
    result : ClaimResult
    question : {"C1", "C1-expected", "C1-tiers", "C2"}
        Which test produced it: the elasticity of the typical post or of engagement per post
        on average, the tier ratio of engagement rates, or the ratio of costs per engagement.

    Examples
    --------
    >>> r = ClaimResult("C1", "f.csv", 0.8, 0.7, 0.9, 500, "supported", "OLS")
    >>> print(reading(r))  # doctest: +NORMALIZE_WHITESPACE
    Supported for the typical post: engagement rate falls with size. Doubling followers
    multiplies the typical post by 1.74 (1.62 to 1.87), so the rate per follower falls by 13%
    (7% to 19%).
    >>> c2 = ClaimResult("C2", "f.csv", 0.5, 0.4, 0.6, 80, "supported", "ratio")
    >>> print(reading(c2, "C2"))  # doctest: +NORMALIZE_WHITESPACE
    Supported: micro-creators are cheaper per engagement; micro CPE is 0.5 times the big
    tiers' (0.4 to 0.6).
    """
    if question not in _QUESTIONS:
        raise ValueError(f"question must be one of {list(_QUESTIONS)}, got {question!r}")
    b, lo, hi = result.estimate, result.ci_low, result.ci_high
    if not np.isfinite(b) and result.verdict != "depends":
        return "Not computed: " + _why(result)
    if result.verdict == "not evidence":
        return ("Not evidence: the rows were selected on their engagement, which manufactures "
                "this answer; the estimate is shown but says nothing about the claim.")
    if question in ("C1", "C1-expected"):
        what = "the typical post" if question == "C1" else "engagement per post on average"
        fall = [1 - 2 ** (v - 1) for v in (b, hi, lo)]
        change = (f"Doubling followers multiplies {what} by {2 ** b:.3g} "
                  f"({2 ** lo:.3g} to {2 ** hi:.3g}), so the rate per follower "
                  + (f"falls by {fall[0]:.0%} ({fall[1]:.0%} to {fall[2]:.0%})."
                     if b < 1 else f"rises by {-fall[0]:.0%} ({-fall[2]:.0%} to {-fall[1]:.0%})."))
        lead = {"supported": f"Supported for {what}: engagement rate falls with size.",
                "contradicted": f"Contradicted for {what}: engagement rate rises with size.",
                "equivalent": f"Equivalent for {what}: the engagement rate is practically flat "
                              "(b within 1 ± 0.05).",
                "inconclusive": f"Inconclusive for {what}: the interval includes a flat rate "
                                "(b = 1)."}
        return f"{lead[result.verdict]} {change}"
    if question == "C1-tiers":
        lead = {"supported": "Supported: micro-creators engage more of their followers.",
                "contradicted": "Contradicted: micro-creators engage fewer of their followers.",
                "inconclusive": "Inconclusive: the interval includes equal rates (ratio 1)."}
        return (f"{lead[result.verdict]} The micro tier's median engagement rate is {_fmt(b)} "
                f"times the bigger tiers' ({_fmt(lo)} to {_fmt(hi)}).")
    if result.verdict == "depends":
        return ("Depends on the pricing model: micro-creators' cost per engagement relative "
                f"to big creators ranges over {_fmt(lo)} to {_fmt(hi)} across the models "
                "(below 1 = micro cheaper).")
    side = {"supported": "micro-creators are cheaper per engagement",
            "contradicted": "micro-creators are dearer per engagement",
            "inconclusive": "the data cannot tell which is cheaper per engagement"}
    return (f"{result.verdict.capitalize()}: {side[result.verdict]}; micro CPE is "
            f"{_fmt(b)} times the big tiers' ({_fmt(lo)} to {_fmt(hi)}).")


def _why(result: ClaimResult) -> str:
    if result.group_sizes is not None and min(result.group_sizes) == 0:
        micro, bigger = result.group_sizes
        return (f"the file has {micro} usable creators in the micro tier and {bigger} in the "
                "tiers it is compared with; both groups are needed.")
    reasons = [n for n in result.notes if "not computed" in n or "cannot" in n
               or "too few" in n or "fewer" in n or "empty" in n or "no " in n[:3]]
    reason = (reasons or list(result.notes[-1:]) or ["too little usable data"])[0]
    return re.sub(r"^not computed:\s*", "", reason)


def executive_summary(inputs: ReportInputs, rates: pd.DataFrame, c1: ClaimResult,
                      c1_expected: ClaimResult, c2: ClaimResult) -> list[str]:
    """Three sentences for a client: what was analysed, what was found, what it means.

    The finding is the elasticity of engagement per post on average (what a brand buying
    posts gets), or of the typical post when that could not be estimated; the meaning is C2.

    Examples
    --------
    >>> inputs = ReportInputs(pd.DataFrame({"creator": list("abc"), "platform": "tiktok"}),
    ...                       pd.DataFrame(), pd.DataFrame(),
    ...                       {"file": "q3.csv", "level": "creators", "rows_read": 4})
    >>> rates = pd.DataFrame({"followers": [2e3, 5e4, 3e6]})
    >>> c1 = ClaimResult("C1", "q3.csv", 0.8, 0.7, 0.9, 3, "supported", "OLS")
    >>> c2 = ClaimResult("C2", "q3.csv", 0.5, 0.4, 0.6, 3, "supported", "ratio")
    >>> for sentence in executive_summary(inputs, rates, c1, c1, c2):
    ...     print(sentence)  # doctest: +NORMALIZE_WHITESPACE
    We analysed 3 TikTok creators from q3.csv, with 2,000 to 3,000,000 followers (4 rows read,
    1 left out).
    Engagement per post on average grows more slowly than audience size: doubling followers
    multiplies it by 1.74 (95% CI 1.62 to 1.87), so the engagement rate falls by 13% per
    doubling (7% to 19%).
    Per engagement, micro-creators cost 0.5 times what bigger creators cost (95% CI 0.4 to
    0.6): for engagement, a budget goes further with micro-creators; this describes the
    creators in this file, not all creators.
    """
    platform = _platform_word(inputs.table, platforms_of(inputs))
    followers = rates["followers"].dropna()
    kept = inputs.rows
    read = int(inputs.meta.get("rows_read", kept))
    what = (f"{len(rates):,} {platform}creators ({kept:,} posts)"
            if inputs.level == "posts" else f"{len(rates):,} {platform}creators")
    first = (f"We analysed {what} from {inputs.label}, with {followers.min():,.0f} to "
             f"{followers.max():,.0f} followers ({read:,} rows read, {read - kept:,} left out).")
    use = c1_expected if np.isfinite(c1_expected.estimate) else c1
    subject = ("Engagement per post on average" if use is c1_expected
               else "Engagement of the typical post")
    b, lo, hi = use.estimate, use.ci_low, use.ci_high
    if not np.isfinite(b):
        second = f"How engagement changes with size could not be estimated: {_why(use)}"
    else:
        pace = {"supported": "grows more slowly than audience size",
                "contradicted": "grows faster than audience size",
                "equivalent": "grows in proportion to audience size (a flat engagement rate)",
                "inconclusive": "cannot be told apart from growing in proportion to audience "
                                "size"}[use.verdict if use.verdict in (
                                    "supported", "contradicted", "equivalent") else
                                    "inconclusive"]
        fall = [1 - 2 ** (v - 1) for v in (b, hi, lo)]
        rate = (f"the engagement rate falls by {fall[0]:.0%} per doubling ({fall[1]:.0%} to "
                f"{fall[2]:.0%})" if b < 1 else
                f"the engagement rate rises by {-fall[0]:.0%} per doubling ({-fall[2]:.0%} to "
                f"{-fall[1]:.0%})")
        second = (f"{subject} {pace}: doubling followers multiplies it by {2 ** b:.3g} (95% CI "
                  f"{2 ** lo:.3g} to {2 ** hi:.3g}), so {rate}.")
    if c2.verdict == "depends":
        third = ("Whether micro-creators are the cheaper buy per engagement depends on the "
                 f"price of a post: across published price tables their cost per engagement "
                 f"runs from {_fmt(c2.ci_low)} to {_fmt(c2.ci_high)} times the bigger "
                 "creators'; with your own fees in the file the report can answer it")
    elif not np.isfinite(c2.estimate):
        third = f"Cost per engagement could not be compared: {_why(c2).rstrip('.')}"
    else:
        meaning = {"supported": "for engagement, a budget goes further with micro-creators",
                   "contradicted": "for engagement, a budget goes further with bigger creators",
                   }.get(c2.verdict, "the data cannot tell which buys engagement more cheaply")
        third = (f"Per engagement, micro-creators cost {_fmt(c2.estimate)} times what bigger "
                 f"creators cost (95% CI {_fmt(c2.ci_low)} to {_fmt(c2.ci_high)}): {meaning}")
    third += "; this describes the creators in this file, not all creators."
    return [first, second, third]


def summary_table(results: Mapping[str, ClaimResult]) -> pd.DataFrame:
    """The findings at a glance: one row per question, with estimate, CI, verdict, reading.

    ``results`` maps a key of the questions (``C1``, ``C1-tiers``, ``C2``) to its result.
    """
    rows = []
    for key, result in results.items():
        rows.append({"question": _QUESTIONS.get(key, key), "estimate": result.estimate,
                     "ci_low": result.ci_low, "ci_high": result.ci_high, "n": result.n,
                     "verdict": result.verdict, "reading": reading(result, key)})
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def data_quality(inputs: ReportInputs) -> dict[str, pd.DataFrame]:
    """What was read, mapped, repaired and dropped, as tables for the report.

    Returns ``overview`` (one row per cleaning step), ``reasons`` (events counted by action
    and reason) and ``mapping`` (field <- column).
    """
    steps = inputs.steps
    overview = steps[["step", "rows_in", "rows_out", "dropped", "repaired", "description"]]
    events = inputs.events
    if inputs.counts is not None:  # a file read in blocks: every event counted by step
        reasons = inputs.counts.rename(columns={"step": "reason"})[["action", "reason", "rows"]]
    elif len(events):
        reasons = (events.groupby(["action", "reason"], sort=False, observed=True)
                   .size().rename("rows").reset_index())
    else:
        reasons = pd.DataFrame({"action": [], "reason": [], "rows": []})
    mapping = pd.DataFrame(inputs.meta.get("mapping", []))
    return {"overview": overview.reset_index(drop=True), "reasons": reasons, "mapping": mapping}


def cleaning_appendix(inputs: ReportInputs, *, rows: int = 20) -> str:
    """The cleaning-log appendix as HTML: the column mapping, the cleaning steps, the events
    counted by reason and the first ``rows`` events (all of them are exported)."""
    from insights.reporting import document

    quality = data_quality(inputs)
    parts = [
        document.table(quality["mapping"],
                       labels={"how": "matched by", "also_matched": "also matched"},
                       missing={"per": "a count per post", "also_matched": "no other column",
                                "column": "derived"}),
        document.table(quality["overview"], counts=["rows_in", "rows_out", "dropped", "repaired"],
                       labels={"rows_in": "rows in", "rows_out": "rows out"}),
    ]
    if not len(quality["reasons"]):
        return "".join(parts) + document.paragraph("No row was repaired or dropped.")
    shown = ["source_row", "creator", "action", "column", "old_value", "reason"]
    total = int(quality["reasons"]["rows"].sum())
    kept = ("" if inputs.counts is None else
            f"; a file read in blocks keeps up to {inputs.meta.get('events_per_step', 100)} "
            "per step, exported in cleaning_log")
    parts += [
        document.table(quality["reasons"], counts=["rows"],
                       labels={"reason": "step"} if inputs.counts is not None else None),
        document.table(inputs.events[shown].head(rows), counts=["source_row"],
                       caption=f"First rows of the cleaning log ({total:,} in all{kept})",
                       labels={"source_row": "row of the file", "old_value": "value"},
                       missing={"creator": "no handle", "column": "the whole row",
                                "old_value": "the whole row", "source_row": "not from one row"}),
    ]
    return "".join(parts)


def quality_headline(inputs: ReportInputs) -> str:
    """The data-quality headline in one paragraph: rows read and kept, why rows were left out
    (implausible values named first), and the warnings of the cleaning.

    Examples
    --------
    >>> events = pd.DataFrame({"action": ["dropped", "dropped", "repaired"],
    ...                        "step": ["implausible-followers", "no-followers", "parse-likes"],
    ...                        "reason": ["'F' is 1e+30, above 1,000,000,000", "no count",
    ...                                   "not a number"]})
    >>> inputs = ReportInputs(pd.DataFrame({"creator": ["a", "b"]}), pd.DataFrame(), events,
    ...                       {"file": "list.csv", "rows_read": 5, "level": "creators",
    ...                        "notes": ["check the likes column"]})
    >>> print(quality_headline(inputs))  # doctest: +NORMALIZE_WHITESPACE
    list.csv: 5 rows read; 2 creators analysed. 2 rows left out: 1 with a value no real account
    or post has (implausible-followers), 1 no-followers. 1 value repaired. Note: check the
    likes column.
    """
    meta = inputs.meta
    if inputs.counts is not None:  # a file read in blocks: the events counted by step
        counts = inputs.counts
        by_step = counts[counts["action"] == "dropped"].groupby("step", sort=False)["rows"].sum()
        repaired = int(counts.loc[counts["action"] == "repaired", "rows"].sum())
    else:
        events = inputs.events
        dropped = events[events["action"] == "dropped"] if len(events) else events
        by_step = (dropped["step"].value_counts(sort=False) if len(dropped)
                   else pd.Series(dtype="int64"))
        repaired = int((events["action"] == "repaired").sum()) if len(events) else 0
    text = (f"{meta.get('file', 'the file')}: {meta.get('rows_read', 0):,} rows read; "
            f"{inputs.rows:,} {meta.get('level', 'rows')} analysed.")
    if int(by_step.sum()):
        steps = by_step[by_step > 0]
        implausible = steps[steps.index.str.startswith("implausible")]
        parts = []
        if len(implausible):
            parts.append(f"{int(implausible.sum()):,} with a value no real account or post has "
                         f"({', '.join(implausible.index)})")
        parts += [f"{n:,} {step}" for step, n in steps.items() if step not in implausible.index]
        text += f" {int(steps.sum()):,} rows left out: {', '.join(parts)}."
    if repaired:
        text += f" {repaired:,} value{'s' * (repaired != 1)} repaired."
    for note in meta.get("notes", []):
        text += f" Note: {note}."
    return text


def selection_limits(table: pd.DataFrame, rates: pd.DataFrame, *, scheme: str,
                     per_creator: pd.Series | None = None) -> list[str]:
    """What this file can and cannot speak for: range, thin tiers, selection.

    ``per_creator``: posts per creator (:func:`posts_per_creator`), when ``table`` is not the
    whole posts table (a file read in blocks); by default counted from ``table``.

    Examples
    --------
    >>> rates = pd.DataFrame({"creator": list("abc"), "followers": [2e4, 3e4, 4e6]})
    >>> print(selection_limits(pd.DataFrame(), rates, scheme="industry")[0])
    ... # doctest: +NORMALIZE_WHITESPACE
    Follower counts run from 20,000 to 4,000,000 (3 creators); nothing is said about accounts
    outside that range.
    """
    followers = rates["followers"].dropna()
    notes = [f"Follower counts run from {followers.min():,.0f} to {followers.max():,.0f} "
             f"({len(rates):,} creators); nothing is said about accounts outside that range."]
    tiers = assign_tiers(followers, scheme).value_counts()
    labels = list(tier_scheme(scheme).categories)
    empty = [t for t in labels if tiers.get(t, 0) == 0]
    thin = [f"{t} ({tiers[t]})" for t in labels if 0 < tiers.get(t, 0) < THIN_TIER]
    if empty:
        notes.append(f"No creators in tiers {', '.join(empty)}: those tiers are not compared.")
    if thin:
        notes.append(f"Thin tiers (fewer than {THIN_TIER} creators): {', '.join(thin)}; their "
                     "medians are imprecise.")
    if per_creator is None and schemas.table_kind(table) == "posts" and len(table):
        per_creator = table.groupby("creator", observed=True).size()
    if per_creator is not None and len(per_creator):
        per = per_creator
        notes.append(f"{int(per.sum()):,} posts from {len(per):,} creators (median "
                     f"{per.median():.0f} posts per creator, max {per.max():,}).")
    notes.append(
        "How the file was assembled decides what it can show. A list picked by engagement "
        "(top performers, a platform's 'best' creators) makes engagement appear to fall with "
        "size even when it does not, and a shortlist of big names says nothing about small "
        "creators (simulated in notebook 05 of insights). Treat the verdicts as statements "
        "about these creators, not about all creators."
    )
    return notes


