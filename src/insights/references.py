"""The published figures: engagement rates and prices per sponsored post, by follower tier.

Two tables ship as package data, one row per (source, tier); ``docs/sources.md`` lists every
source with its grade and address. Figures and citations are as published; the notes are the
project's own words.

``reference_rates.tsv`` (:func:`reference_rates`)
    Engagement rates of the published tier tables graded better than D: Markerly 2016 (I1),
    Mediakix 2017 (I2), Mavrck c.2018 (I3), InfluencerDB 2019 (I5), HypeAuditor 2026 (I9) and
    The Influencer Marketing Factory 2019 (T1).
``price_tables.tsv`` (:func:`price_tables`)
    Prices per sponsored post: a rate card (P1), a fee survey (P3), marketplace payments (P4),
    a creator database (P5) and a field study (P10). :mod:`insights.pricing` fits a power law
    to each.

Columns of the rate table
-------------------------
``ref_id``, ``source``, ``year``, ``platform``, ``grade``
    The source's id in ``docs/sources.md``, a short source name, the year of the study, the
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

The price table has the same identification and tier columns, then ``price_low``,
``price_high`` and ``statistic`` (``range``, ``mean``, ``point``, ``typical``, ``ratio``).

Both tables are checked on load by one validator built on pandera schemas
(:func:`validate_reference_rates`, :func:`validate_price_tables`): a bad value stops with one
line naming the table, the row, its ``ref_id`` and tier, the column and the value.

:func:`tier_midpoints` is the one rule for closing open tiers, and :func:`implied_elasticity`
turns each rate table into the log-log slope of rate on followers, the quantity the notebooks
estimate from account-level data (``docs/design.md``, "The key quantity").

Examples
--------
>>> table = reference_rates()
>>> sorted(table["ref_id"].unique())
['I1', 'I2', 'I3', 'I5', 'I9', 'T1']
>>> implied_elasticity(table).set_index("ref_id")["rate_slope"].round(2).sort_index().to_dict()
{'I1': -0.17, 'I2': -0.02, 'I3': -0.24, 'I9': -0.22, 'T1': -0.13}
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import pandera.pandas as pa

__all__ = [
    "PLATFORMS",
    "DENOMINATORS",
    "COLUMNS",
    "PRICE_COLUMNS",
    "reference_rates",
    "validate_reference_rates",
    "price_tables",
    "validate_price_tables",
    "close_tiers",
    "tier_midpoints",
    "implied_elasticity",
]

PLATFORMS = ("instagram", "tiktok", "youtube")
DENOMINATORS = ("followers", "views")
STATISTICS = ("mean", "median", "unknown")
POSTS = ("all", "organic", "sponsored")
COLUMNS = (
    "ref_id", "source", "year", "platform", "grade", "tier", "lower", "upper", "rate",
    "denominator", "engagement", "statistic", "posts", "second_hand", "url", "note",
)
PRICE_COLUMNS = (
    "ref_id", "source", "year", "platform", "grade", "tier", "lower", "upper", "price_low",
    "price_high", "statistic", "second_hand", "url", "note",
)
PRICE_PLATFORMS = ("instagram", "tiktok", "youtube", "facebook", "all")
PRICE_STATISTICS = ("range", "mean", "point", "typical", "ratio")
_SINGLE_VALUE = ("mean", "point", "typical", "ratio")
_NUMBERS = ("year", "lower", "upper", "rate", "price_low", "price_high")
_GRADE = r"[ABC][+-]?\Z"
_URL = r"https?://\S+\Z"
_BOOLEANS = {"true": True, "false": False}
_GROUP = ["ref_id", "source", "platform", "denominator"]


# ---------------------------------------------------------------------------------------------
# one validator for both published tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    """One check of a published table: the column a failure is reported on, and why.

    ``check`` receives the parsed column (or, with ``whole=True``, the parsed table) and
    returns True where a row is valid. ``why`` may name parsed values of the failing row in
    ``str.format`` style (``"is not above lower {lower:g}"``).
    """

    column: str
    why: str
    check: Callable[[pd.Series | pd.DataFrame], pd.Series]
    whole: bool = False


def _one_of(values: Sequence[str]) -> str:
    return f"is not one of {', '.join(values)}"


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("").str.strip()


def _parse(raw: pd.DataFrame) -> pd.DataFrame:
    """Text columns stripped, numbers parsed (NaN when unreadable), ``upper`` empty -> inf."""
    out = pd.DataFrame(index=raw.index)
    for column in raw.columns:
        text = _text(raw[column])
        if column in _NUMBERS:
            numbers = pd.to_numeric(text.mask(text == ""), errors="coerce")
            out[column] = numbers.to_numpy(dtype=float, na_value=np.nan)
        elif column == "second_hand":
            out[column] = text.str.lower()
        else:
            out[column] = text
    out["upper"] = out["upper"].mask(_text(raw["upper"]) == "", np.inf)
    return out


def _same_within(column: str, by: str = "ref_id") -> Callable[[pd.DataFrame], pd.Series]:
    return lambda t: t.groupby(by)[column].transform("nunique") <= 1


def _validate_table(frame: pd.DataFrame, *, title: str, columns: Sequence[str],
                    rules: Sequence[_Rule]) -> pd.DataFrame:
    """Check ``frame`` against ``rules`` with pandera; return the parsed table.

    Raises a ValueError on the first failing rule (in ``rules`` order) at its first row:
    ``"<title> row R (<ref_id> '<tier>'): <column> <raw value> <why> (and N more rows)"``.
    """
    missing = [c for c in columns if c not in frame.columns]
    extra = [c for c in frame.columns if c not in columns]
    if missing or extra:
        raise ValueError(
            f"{title}: missing columns {missing}, unexpected columns {extra}; expected "
            f"{list(columns)}"
        )
    raw = frame.loc[:, list(columns)]
    parsed = _parse(raw)
    names = [f"rule {k}" for k in range(len(rules))]
    by_name = dict(zip(names, rules, strict=True))
    column_checks: dict[str, list[pa.Check]] = {c: [] for c in columns}
    frame_checks = []
    for name, rule in by_name.items():
        check = pa.Check(rule.check, name=name, error=name, ignore_na=False)
        (frame_checks if rule.whole else column_checks[rule.column]).append(check)
    schema = pa.DataFrameSchema(
        {c: pa.Column(checks=checks, nullable=True) for c, checks in column_checks.items()},
        checks=frame_checks, name=title,
    )
    try:
        schema.validate(parsed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        failures = exc.failure_cases.dropna(subset=["index"])
        first_rule = min(failures["check"], key=names.index)
        rule = by_name[first_rule]
        failing = set(failures.loc[failures["check"] == first_rule, "index"])
        rows = [label for label in raw.index if label in failing]  # in the table's order
        first = rows[0]
        value = raw.at[first, rule.column]
        value = value.item() if isinstance(value, np.generic) else value
        why = rule.why.format(**parsed.loc[first].to_dict())
        more = f" (and {len(rows) - 1} more rows)" if len(rows) > 1 else ""
        raise ValueError(
            f"{title} row {first} ({raw.at[first, 'ref_id']} {raw.at[first, 'tier']!r}): "
            f"{rule.column} {value!r} {why}{more}"
        ) from None
    return parsed


def _whole_year(year: pd.Series) -> pd.Series:
    return (year % 1 == 0) & year.between(1990, 2100)


_RATE_RULES = (
    _Rule("ref_id", "is not an id like I1 or T1", lambda s: s.str.fullmatch(r"[A-Z]+[0-9]+")),
    _Rule("source", "is empty", lambda s: s != ""),
    _Rule("tier", "is empty", lambda s: s != ""),
    _Rule("engagement", "is empty", lambda s: s != ""),
    _Rule("year", "is not a whole year between 1990 and 2100", _whole_year),
    _Rule("platform", _one_of(PLATFORMS), lambda s: s.isin(PLATFORMS)),
    _Rule("grade", "is not A, B or C with an optional + or - (grade D sources are not "
          "benchmarks)", lambda s: s.str.match(_GRADE)),
    _Rule("lower", "is not a finite follower count >= 0", lambda s: np.isfinite(s) & (s >= 0)),
    _Rule("upper", "is not a follower count or empty", lambda s: s.notna()),
    _Rule("upper", "is not above lower {lower:g}", lambda t: t["lower"] < t["upper"],
          whole=True),
    _Rule("rate", "is not a fraction in (0, 1)", lambda s: (s > 0) & (s < 1)),
    _Rule("denominator", _one_of(DENOMINATORS), lambda s: s.isin(DENOMINATORS)),
    _Rule("statistic", _one_of(STATISTICS), lambda s: s.isin(STATISTICS)),
    _Rule("posts", _one_of(POSTS), lambda s: s.isin(POSTS)),
    _Rule("second_hand", "is not true or false", lambda s: s.isin(list(_BOOLEANS))),
    _Rule("url", "is not a single http(s) URL", lambda s: s.str.match(_URL)),
    *(_Rule(c, "differs between rows of the same ref_id", _same_within(c), whole=True)
      for c in ("source", "year", "platform")),
    _Rule("tier", "appears twice for the same ref_id",
          lambda t: ~t.duplicated(["ref_id", "tier"]), whole=True),
)

_PRICE_RULES = (
    _Rule("ref_id", "is not an id like P4", lambda s: s.str.fullmatch(r"P[0-9]+")),
    _Rule("source", "is empty", lambda s: s != ""),
    _Rule("tier", "is empty", lambda s: s != ""),
    _Rule("year", "is not a whole year between 1990 and 2100", _whole_year),
    _Rule("platform", _one_of(PRICE_PLATFORMS), lambda s: s.isin(PRICE_PLATFORMS)),
    _Rule("grade", "is not A, B or C with an optional + or -", lambda s: s.str.match(_GRADE)),
    _Rule("lower", "is not a follower count >= 0", lambda s: np.isfinite(s) & (s >= 0)),
    _Rule("upper", "is not empty or >= lower",
          lambda t: t["upper"].notna() & ~(t["upper"] < t["lower"]), whole=True),
    _Rule("lower", "is a point at 0 followers",
          lambda t: ~((t["lower"] == t["upper"]) & (t["lower"] == 0)), whole=True),
    _Rule("statistic", _one_of(PRICE_STATISTICS), lambda s: s.isin(PRICE_STATISTICS)),
    _Rule("price_low", "is not a positive price", lambda s: s > 0),
    _Rule("price_high", "is given, but a mean/point/typical/ratio figure has one price "
          "(price_low)",
          lambda t: ~(t["statistic"].isin(_SINGLE_VALUE) & t["price_high"].notna()),
          whole=True),
    _Rule("price_high", "is below price_low",
          lambda t: t["price_high"].isna() | (t["price_high"] >= t["price_low"]), whole=True),
    _Rule("second_hand", "is not true or false", lambda s: s.isin(list(_BOOLEANS))),
    _Rule("url", "is not a single http(s) URL", lambda s: s.str.match(_URL)),
    *(_Rule(c, "differs between rows of the same ref_id", _same_within(c), whole=True)
      for c in ("source", "year", "grade")),
    _Rule("tier", "appears twice for the same ref_id and platform",
          lambda t: ~t.duplicated(["ref_id", "platform", "tier"]), whole=True),
)


def _typed(parsed: pd.DataFrame, columns: Sequence[str], sort: list[str]) -> pd.DataFrame:
    text = [c for c in columns if c not in _NUMBERS and c != "second_hand"]
    typed = parsed.assign(
        year=parsed["year"].astype("int64"),
        second_hand=parsed["second_hand"].map(_BOOLEANS).astype(bool),
    )
    typed = typed.loc[:, list(columns)].astype({c: str for c in text})
    return typed.sort_values(sort, kind="stable", ignore_index=True)


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
        when open), ``second_hand`` bool, the rest str; sorted by platform, source, year and
        lower bound, with a fresh index. The input is not modified.

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
    parsed = _validate_table(frame, title="reference rates", columns=COLUMNS, rules=_RATE_RULES)
    return _typed(parsed, COLUMNS, ["platform", "source", "year", "lower"])


def validate_price_tables(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a price table (the shipped TSV, or one of the same columns) and type it.

    Parameters
    ----------
    frame : DataFrame
        Exactly the columns :data:`PRICE_COLUMNS`. ``upper`` empty means an open top tier;
        ``lower == upper`` marks a quoted point rather than a tier. ``price_high`` is given
        only for ``statistic == "range"`` (empty there means "price_low and up").

    Returns
    -------
    DataFrame
        A new frame: ``year`` int64, bounds and prices float64 (``upper`` inf when open),
        ``second_hand`` bool, text columns as str; sorted by ``ref_id``, platform and lower
        bound.

    Raises
    ------
    ValueError
        Naming the first bad row, its ``ref_id`` and tier, the column and the value.

    Examples
    --------
    >>> table = price_tables().astype({"year": str})
    >>> bad = table.assign(price_low=table["price_low"].where(table.index != 0, -5.0))
    >>> validate_price_tables(bad)
    Traceback (most recent call last):
    ...
    ValueError: price tables row 0 (P1 'nano'): price_low -5.0 is not a positive price
    """
    parsed = _validate_table(frame, title="price tables", columns=PRICE_COLUMNS,
                             rules=_PRICE_RULES)
    return _typed(parsed, PRICE_COLUMNS, ["ref_id", "platform", "lower"])


@cache
def _shipped(name: str) -> pd.DataFrame:
    path = resources.files("insights").joinpath(f"data/{name}.tsv")
    with path.open("rb") as handle:
        raw = pd.read_csv(handle, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8")
    if name == "reference_rates":
        return validate_reference_rates(raw)
    return validate_price_tables(raw)


def _table() -> pd.DataFrame:
    return _shipped("reference_rates")


def price_tables(ref_id: str | None = None) -> pd.DataFrame:
    """Return the published price tables, one row per source and tier (``docs/sources.md``).

    Examples
    --------
    >>> sorted(price_tables()["ref_id"].unique())
    ['P1', 'P10', 'P3', 'P4', 'P5']
    >>> price_tables("P4")[["tier", "price_low"]].head(2).to_dict("list")
    {'tier': ['nano (<10k)', 'micro (10k-50k)'], 'price_low': [1105.0, 1674.0]}
    """
    table = _shipped("price_tables")
    if ref_id is not None:
        if ref_id not in set(table["ref_id"]):
            known = sorted(set(table["ref_id"]))
            raise KeyError(f"unknown price table {ref_id!r}; known: {known}")
        table = table.loc[table["ref_id"] == ref_id].reset_index(drop=True)
    return table.copy()


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


def close_tiers(lower, upper) -> tuple[np.ndarray, np.ndarray]:
    """Close open follower tiers: the project's one rule (``docs/sources.md``, "Conventions").

    A tier starting at 0 starts one decade below its upper bound (``upper / 10``: 0-1k becomes
    100-1k); an open top tier (``upper`` infinite) ends at ``10 * lower``.

    Raises
    ------
    ValueError
        For a tier open at both ends (0 to inf), or one whose bounds are not increasing.

    Examples
    --------
    >>> low, high = close_tiers([0, 1_000, 1e6], [1_000, 10_000, np.inf])
    >>> low.tolist(), high.tolist()
    ([100.0, 1000.0, 1000000.0], [1000.0, 10000.0, 10000000.0])
    """
    low = np.atleast_1d(np.asarray(lower, dtype=float))
    high = np.atleast_1d(np.asarray(upper, dtype=float))
    both = (low == 0) & np.isinf(high)
    if both.any():
        raise ValueError(f"{int(both.sum())} tier(s) are open at both ends (0 to inf)")
    closed_low = np.where(low == 0, high / 10, low)
    closed_high = np.where(np.isinf(high), 10 * low, high)
    if np.any(~(closed_low < closed_high)):
        raise ValueError("every tier needs lower < upper")
    return closed_low, closed_high


def tier_midpoints(lower, upper) -> pd.Series:
    """Return the geometric midpoint of each follower tier, closing open ends by one rule.

    The project's one rule for open tiers (``docs/sources.md``, "Conventions"): a tier
    starting at 0 starts one decade below its upper bound
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
    closed_low, closed_high = close_tiers(low, high)
    return pd.Series(np.sqrt(closed_low * closed_high), index=index, name="midpoint")


def implied_elasticity(table: pd.DataFrame) -> pd.DataFrame:
    """Return the log-log slope of rate on follower count implied by each published tier table.

    For each (``ref_id``, ``source``, ``platform``, ``denominator``) group with at least two
    tiers of distinct midpoint (:func:`tier_midpoints`), the ordinary least squares slope of
    ``log(rate)`` on ``log(midpoint)``: ``rate_slope`` is the exponent ``b`` of
    ``rate ∝ followers^b``, and ``elasticity = 1 + rate_slope`` is the
    engagement elasticity, the slope of log engagements on log followers (``docs/design.md``, "The
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
