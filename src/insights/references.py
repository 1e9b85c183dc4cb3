"""Published engagement rates by follower tier, to set beside the project's own estimates.

The table ``insights/data/reference_rates.tsv`` holds one row per (source, tier) of the
published tier tables graded better than D in ``../shared/research/benchmarks.md`` (§2.1,
§2.2): Markerly 2016 (I1), Mediakix 2017 (I2), Mavrck c.2018 (I3), InfluencerDB 2019 (I5),
HypeAuditor 2026 (I9) and The Influencer Marketing Factory 2019 (T1). Figures and citations are
as published; the notes are the project's own words.

Columns
-------
``ref_id``, ``source``, ``year``, ``platform``, ``grade``
    The benchmark's id in benchmarks.md, a short source name, the year of the study, the
    platform (``instagram``, ``tiktok``, ``youtube``) and the trust grade (``A`` to ``C`` with
    an optional ``+`` or ``-``).
``tier``, ``lower``, ``upper``
    The source's tier label and its follower bounds; ``upper`` is ``inf`` for an open top tier.
``rate``, ``denominator``, ``engagement``, ``statistic``, ``posts``
    The engagement rate as a fraction (0.0237, not 2.37%), what it is divided by
    (``followers`` or ``views``), what is counted as an engagement (``likes``,
    ``likes+comments``, ``unknown``), how accounts are summarised (``mean``, ``median``,
    ``unknown``) and which posts (``all``, ``organic``, ``sponsored``).
``second_hand``, ``url``, ``note``
    Whether the figure is known only from a page quoting the source, one URL, a short note.

:func:`implied_elasticity` turns each tier table into the log-log slope of rate on followers,
the quantity the notebooks estimate from account-level data (``DESIGN.md``, "The key
quantity").

Examples
--------
>>> table = reference_rates()
>>> sorted(table["ref_id"].unique())
['I1', 'I2', 'I3', 'I5', 'I9', 'T1']
>>> implied_elasticity(table).set_index("ref_id")["rate_slope"].round(2).sort_index().to_dict()
{'I1': -0.17, 'I2': -0.02, 'I3': -0.24, 'I9': -0.22, 'T1': -0.13}
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

__all__ = [
    "PLATFORMS",
    "DENOMINATORS",
    "COLUMNS",
    "reference_rates",
    "validate_reference_rates",
    "tier_midpoints",
    "implied_elasticity",
]

PLATFORMS = ("instagram", "tiktok", "youtube")
DENOMINATORS = ("followers", "views")
STATISTICS = ("mean", "median", "unknown")
POSTS = ("all", "organic", "sponsored")
COLUMNS = (
    "ref_id",
    "source",
    "year",
    "platform",
    "grade",
    "tier",
    "lower",
    "upper",
    "rate",
    "denominator",
    "engagement",
    "statistic",
    "posts",
    "second_hand",
    "url",
    "note",
)
_TEXT = [c for c in COLUMNS if c not in ("year", "lower", "upper", "rate", "second_hand")]
_SORT = ["platform", "source", "year", "lower"]
_GROUP = ["ref_id", "source", "platform", "denominator"]
_GRADE = re.compile(r"[ABC][+-]?")
_REF_ID = re.compile(r"[A-Z]+[0-9]+")
_URL = re.compile(r"https?://\S+")
_BOOLEANS = {"true": True, "false": False}


@cache
def _raw_table() -> pd.DataFrame:
    path = resources.files("insights").joinpath("data/reference_rates.tsv")
    with path.open("rb") as handle:
        return pd.read_csv(handle, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8")


@cache
def _table() -> pd.DataFrame:
    return validate_reference_rates(_raw_table())


def _fail(frame: pd.DataFrame, bad: pd.Series, column: str, values: pd.Series, why: str) -> None:
    """Raise a ValueError naming the first row flagged in ``bad`` (and how many others)."""
    if not bad.any():
        return
    labels = bad.index[bad.to_numpy()]
    first = labels[0]
    ref_id, tier = frame.at[first, "ref_id"], frame.at[first, "tier"]
    value = values[first]
    value = value.item() if isinstance(value, np.generic) else value
    more = f" (and {len(labels) - 1} more rows)" if len(labels) > 1 else ""
    raise ValueError(
        f"reference rates row {first} ({ref_id} {tier!r}): {column} {value!r} {why}{more}"
    )


def _as_text(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("").str.strip()


def _as_float(values: pd.Series) -> pd.Series:
    text = _as_text(values)
    numbers = pd.to_numeric(text.mask(text == ""), errors="coerce")
    return pd.Series(numbers.to_numpy(dtype=float, na_value=np.nan), index=values.index)


def validate_reference_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a reference-rate table and return it typed and sorted.

    Used on the shipped table at load; any table with the same columns (as text, as read from
    the TSV, or already typed) can be checked the same way.

    Parameters
    ----------
    frame : DataFrame
        Exactly the columns of :data:`COLUMNS`. ``upper`` may be empty (or ``inf``) for an open
        top tier; ``second_hand`` is ``true``/``false`` (any case) or bool.

    Returns
    -------
    DataFrame
        A new frame: ``year`` int64, ``lower``/``upper``/``rate`` float64 (``upper`` is ``inf``
        when open), ``second_hand`` bool, the rest pandas' default string dtype; sorted by
        platform, source, year and lower bound, with a fresh index. The input is not modified.

    Raises
    ------
    ValueError
        For missing or unexpected columns, or for the first bad value, naming its row (the
        input's index label; row 0 is the first line after the header of the TSV), the
        ``ref_id`` and tier, the column and the value. Checked: ids, year, platform, grade (A
        to C, never D), follower bounds (``0 <= lower < upper``), rate in (0, 1), denominator,
        statistic, posts, second_hand, URL, one source, year and platform per ``ref_id``, and
        no repeated (``ref_id``, tier).

    Examples
    --------
    >>> good = reference_rates().astype({"year": str})
    >>> len(validate_reference_rates(good))
    23
    >>> bad = good.assign(rate=good["rate"].where(good.index != 0, 2.37))
    >>> validate_reference_rates(bad)
    Traceback (most recent call last):
    ...
    ValueError: reference rates row 0 (I9 'nano (1k-10k)'): rate 2.37 is not a fraction in (0, 1)
    """
    missing = [c for c in COLUMNS if c not in frame.columns]
    extra = [c for c in frame.columns if c not in COLUMNS]
    if missing or extra:
        raise ValueError(
            f"reference rates: missing columns {missing}, unexpected columns {extra}; "
            f"expected {list(COLUMNS)}"
        )
    raw = frame.loc[:, list(COLUMNS)]
    out = pd.DataFrame({c: _as_text(raw[c]) for c in _TEXT}, index=raw.index)

    _fail(raw, ~out["ref_id"].str.fullmatch(_REF_ID), "ref_id", raw["ref_id"],
          "is not an id like I1 or T1")
    for column in ("source", "tier", "engagement"):
        _fail(raw, out[column] == "", column, raw[column], "is empty")

    year = _as_float(raw["year"])
    _fail(raw, ~((year % 1 == 0) & year.between(1990, 2100)), "year", raw["year"],
          "is not a whole year between 1990 and 2100")
    _fail(raw, ~out["platform"].isin(PLATFORMS), "platform", raw["platform"],
          f"is not one of {', '.join(PLATFORMS)}")
    _fail(raw, ~out["grade"].str.fullmatch(_GRADE), "grade", raw["grade"],
          "is not A, B or C with an optional + or - (grade D sources are not benchmarks)")

    lower = _as_float(raw["lower"])
    _fail(raw, ~(np.isfinite(lower) & (lower >= 0)), "lower", raw["lower"],
          "is not a finite follower count >= 0")
    upper_text = _as_text(raw["upper"])
    upper = _as_float(raw["upper"]).mask(upper_text == "", np.inf)
    _fail(raw, upper.isna(), "upper", raw["upper"], "is not a follower count or empty")
    inverted = ~(lower < upper)
    first_lower = lower[inverted].iloc[0] if inverted.any() else np.nan
    _fail(raw, inverted, "upper", raw["upper"], f"is not above lower {first_lower:g}")

    rate = _as_float(raw["rate"])
    _fail(raw, ~((rate > 0) & (rate < 1)), "rate", raw["rate"], "is not a fraction in (0, 1)")
    _fail(raw, ~out["denominator"].isin(DENOMINATORS), "denominator", raw["denominator"],
          f"is not one of {', '.join(DENOMINATORS)}")
    _fail(raw, ~out["statistic"].isin(STATISTICS), "statistic", raw["statistic"],
          f"is not one of {', '.join(STATISTICS)}")
    _fail(raw, ~out["posts"].isin(POSTS), "posts", raw["posts"],
          f"is not one of {', '.join(POSTS)}")
    second_hand = _as_text(raw["second_hand"]).str.lower()
    _fail(raw, ~second_hand.isin(list(_BOOLEANS)), "second_hand", raw["second_hand"],
          "is not true or false")
    _fail(raw, ~out["url"].str.fullmatch(_URL), "url", raw["url"],
          "is not a single http(s) URL")

    typed = out.assign(
        year=year.fillna(0).astype("int64"),
        lower=lower,
        upper=upper,
        rate=rate,
        second_hand=second_hand.map(_BOOLEANS).astype(bool),
    )
    for column in ("source", "year", "platform"):
        clash = typed.groupby("ref_id")[column].transform("nunique") > 1
        _fail(raw, clash, column, raw[column], "differs between rows of the same ref_id")
    repeated = typed.duplicated(["ref_id", "tier"], keep="first")
    _fail(raw, repeated, "tier", raw["tier"], "appears twice for the same ref_id")

    typed = typed.loc[:, list(COLUMNS)].astype({c: str for c in _TEXT})
    return typed.sort_values(_SORT, kind="stable", ignore_index=True)


def reference_rates(platform: str | None = None) -> pd.DataFrame:
    """Return the published engagement rates by follower tier (one row per source and tier).

    Parameters
    ----------
    platform : {None, "instagram", "tiktok", "youtube"}
        Keep only this platform (default: all).

    Returns
    -------
    DataFrame
        A new copy of the validated table (see the module docstring for the columns), sorted
        by platform, source, year and lower bound. ``rate`` is a fraction; check
        ``denominator``, ``engagement``, ``statistic`` and ``posts`` before setting a rate
        beside an estimate.

    Raises
    ------
    ValueError
        For an unknown platform (the message lists the known ones), or if the shipped table
        fails :func:`validate_reference_rates`.

    Examples
    --------
    >>> tiktok = reference_rates("tiktok")
    >>> tiktok["tier"].tolist()[:3]
    ['0-10k', '10k-100k', '100k-500k']
    >>> float(tiktok["rate"].iloc[0]), float(tiktok["upper"].iloc[-1])
    (0.0938, inf)
    """
    table = _table()
    if platform is not None:
        if platform not in PLATFORMS:
            raise ValueError(
                f"unknown platform {platform!r}; known platforms: {', '.join(PLATFORMS)}"
            )
        table = table.loc[table["platform"] == platform].reset_index(drop=True)
    return table.copy()


def tier_midpoints(lower, upper) -> pd.Series:
    """Return the geometric midpoint of each follower tier, closing open ends as in §2.7.

    benchmarks.md §2.7 takes "<1k as 100-1k" and closes "open top tiers at 10x the lower
    bound". Accordingly a tier starting at 0 starts one decade below its upper bound
    (``upper / 10``, so 0-1k becomes 100-1k and 0-10k becomes 1k-10k), and an open top tier
    (``upper`` infinite) ends at ``10 * lower``. The midpoint is ``sqrt(lower * upper)``.

    Parameters
    ----------
    lower, upper : array-like of float
        Follower bounds of each tier, same length; ``upper`` may be ``inf``.

    Returns
    -------
    Series
        Float64 named ``midpoint``, with the index of ``lower`` if it is a Series.

    Raises
    ------
    ValueError
        For different lengths, missing or negative bounds, ``lower >= upper``, or a tier open
        at both ends (0 to inf).

    Examples
    --------
    >>> tier_midpoints([0, 1_000, 1e6], [1_000, 10_000, np.inf]).round(1).tolist()
    [316.2, 3162.3, 3162277.7]
    """
    index = lower.index if isinstance(lower, pd.Series) else None
    low = np.atleast_1d(np.asarray(lower, dtype=float))
    high = np.atleast_1d(np.asarray(upper, dtype=float))
    if low.ndim != 1 or low.shape != high.shape:
        raise ValueError(
            f"lower and upper must be 1-d and of equal length, got {low.shape} and {high.shape}"
        )
    problems = {
        "missing bound": np.isnan(low) | np.isnan(high),
        "negative or infinite lower bound": (low < 0) | np.isinf(low),
        "lower bound not below upper bound": ~(low < high),
        "tier open at both ends (0 to inf)": (low == 0) & np.isinf(high),
    }
    for problem, bad in problems.items():
        if bad.any():
            at = int(np.flatnonzero(bad)[0])
            raise ValueError(f"tier {at} ({low[at]:g} to {high[at]:g}): {problem}")
    closed_low = np.where(low == 0, high / 10, low)
    closed_high = np.where(np.isinf(high), 10 * low, high)
    return pd.Series(np.sqrt(closed_low * closed_high), index=index, name="midpoint")


def implied_elasticity(table: pd.DataFrame) -> pd.DataFrame:
    """Return the log-log slope of rate on follower count implied by each published tier table.

    For each (``ref_id``, ``source``, ``platform``, ``denominator``) group with at least two
    tiers of distinct midpoint (:func:`tier_midpoints`), the ordinary least squares slope of
    ``log(rate)`` on ``log(midpoint)``: ``rate_slope`` is the exponent ``b`` of
    ``rate ∝ followers^b`` in benchmarks.md §2.7, and ``elasticity = 1 + rate_slope`` is the
    engagement elasticity, the slope of log engagements on log followers (``DESIGN.md``, "The
    key quantity"). Engagement rate falls with size iff ``elasticity < 1``. These are
    computations from tier means, not published estimates, and they inherit every caveat of the
    tier table (denominator, statistic, post type, sample).

    Parameters
    ----------
    table : DataFrame
        Columns ``ref_id``, ``source``, ``platform``, ``denominator``, ``lower``, ``upper`` and
        ``rate`` (positive), e.g. :func:`reference_rates`.

    Returns
    -------
    DataFrame
        Columns ``ref_id``, ``source``, ``platform``, ``denominator``, ``n_tiers`` (int64),
        ``rate_slope`` and ``elasticity`` (float64); one row per group, sorted by platform,
        source and ref_id. Groups with fewer than two distinct midpoints are left out.

    Raises
    ------
    ValueError
        For missing columns, a rate that is not positive, or bad tier bounds.

    Examples
    --------
    >>> result = implied_elasticity(reference_rates("instagram"))
    >>> result[["source", "n_tiers", "rate_slope", "elasticity"]].round(3)
            source  n_tiers  rate_slope  elasticity
    0  HypeAuditor        3      -0.216       0.784
    1     Markerly        5      -0.174       0.826
    2       Mavrck        5      -0.243       0.757
    3     Mediakix        2      -0.016       0.984
    """
    needed = [*_GROUP, "lower", "upper", "rate"]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise ValueError(f"implied_elasticity: missing columns {missing}")
    rate = table["rate"].to_numpy(dtype=float)
    if not np.all(rate > 0):
        at = int(np.flatnonzero(~(rate > 0))[0])
        raise ValueError(f"implied_elasticity: rate {rate[at]!r} in row {at} is not positive")
    midpoint = tier_midpoints(table["lower"].to_numpy(), table["upper"].to_numpy())
    work = table.loc[:, _GROUP].reset_index(drop=True)
    work = work.assign(x=np.log(midpoint.to_numpy()), y=np.log(rate))
    groups = work.groupby(_GROUP, sort=True, dropna=False)
    dx = work["x"] - groups["x"].transform("mean")
    dy = work["y"] - groups["y"].transform("mean")
    sums = (
        work.loc[:, _GROUP]
        .assign(sxy=dx * dy, sxx=dx * dx, n_tiers=1)
        .groupby(_GROUP, sort=True, dropna=False)
        .agg(sxy=("sxy", "sum"), sxx=("sxx", "sum"), n_tiers=("n_tiers", "sum"))
        .assign(distinct=groups["x"].nunique())
    )
    sums = sums.loc[sums["distinct"] >= 2]
    slope = (sums["sxy"] / sums["sxx"]).astype(float)
    result = (
        sums.assign(rate_slope=slope, elasticity=1 + slope)
        .reset_index()
        .loc[:, [*_GROUP, "n_tiers", "rate_slope", "elasticity"]]
        .astype({"n_tiers": "int64", "rate_slope": float, "elasticity": float})
    )
    return result.sort_values(["platform", "source", "ref_id"], ignore_index=True)
