"""Prices, cost metrics and campaign returns: money, always with its denominator.

No public data set records what brands paid creators, so the claim "micro-creators are cheaper
per engagement" (C2) turns on how prices scale with followers. This module makes that
assumption explicit and swappable.

Pricing models
--------------
A :class:`PriceModel` is a power law, ``fee = fee_at_10k * (followers / 10,000) ** exponent``,
per sponsored post, in one currency, with the source it comes from. The *exponent* ``p`` is
the price elasticity: cost per engagement scales as ``followers ** (p - b)`` where ``b`` is
the engagement elasticity (``DESIGN.md``), so micro-creators are cheaper per engagement iff
``p > b``.

The published price tables of ``../shared/research/benchmarks.md`` §3 are kept as data
(``insights/data/price_tables.tsv``, read by :func:`price_tables`) and each is turned into a
model by a least-squares fit of log price on log follower count (:func:`fit_price_model`) at
the tiers' geometric midpoints (open tiers closed as in
:func:`insights.references.tier_midpoints`). The named models (:func:`pricing_models`) are

``rate-card``
    Influencer Marketing Hub's Instagram card: $10 per 1,000 followers, ``p = 1`` (the
    "1 cent per follower" rule; a rule of thumb, grade C).
``rate-card-tiktok``, ``rate-card-youtube``
    The same card's TikTok and YouTube ranges.
``inzpire-2020``, ``klear-2019``, ``beichert-2024``, ``izea-2022``
    Sublinear prices from a creator database (two quoted points), a self-reported fee survey
    (nano vs celebrity means), a field study (macro about 18 times nano) and realised
    marketplace payments (five tier means), ``p`` from about 0.8 down to about 0.3.

An analyst's own fees give a model with a confidence interval on ``p``
(:func:`fit_fees`), or can be used row by row (``pricing="observed"`` in the claim
functions). A price tied to engagement (Ainfluencer's "$0.14 per average engagement", P8)
makes cost per engagement constant by construction, so it is not a model here: it would
answer C2 by assumption.

Cost metrics
------------
Each says its denominator: :func:`cpe` (per engagement), :func:`cpm` (per 1,000 impressions),
:func:`cpv` (per view), :func:`cpa` (per conversion). :func:`roi` is
``(revenue - cost) / cost`` and :func:`roas` is ``revenue / cost``: a ROAS of 3 is a ROI of 2.
:func:`emv` (earned media value) exists only with an explicit :class:`EMVRateCard`, because
EMV is a cost avoided under an assumed rate card, not revenue (benchmarks.md §5). Like
:mod:`insights.metrics`, every metric returns ``value`` and ``status`` columns.

Campaigns
---------
:func:`campaign_table` checks an analyst's campaigns table (``DESIGN.md``: one currency,
non-negative money and counts) and :func:`campaign_returns` gives ROI, ROAS, CPE, CPM and CPA
by follower tier with bootstrap confidence intervals.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from insights import metrics, schemas, stats
from insights.references import tier_midpoints
from insights.tiers import TierScheme, assign_tiers, scheme, tier_bands

__all__ = [
    "REFERENCE_FOLLOWERS",
    "PRICE_COLUMNS",
    "PriceModel",
    "price_tables",
    "validate_price_tables",
    "price_points",
    "fit_price_model",
    "pricing_models",
    "price_model",
    "fit_fees",
    "price",
    "cpe",
    "cpm",
    "cpv",
    "cpa",
    "roi",
    "roas",
    "EMVRateCard",
    "EMV_RATE_CARDS",
    "emv",
    "campaign_table",
    "campaign_returns",
]

#: Follower count at which a model's fee is quoted (``fee_at_10k``).
REFERENCE_FOLLOWERS = 10_000.0

PRICE_COLUMNS = (
    "ref_id", "source", "year", "platform", "grade", "tier", "lower", "upper", "price_low",
    "price_high", "statistic", "second_hand", "url", "note",
)
_PLATFORMS = ("instagram", "tiktok", "youtube", "facebook", "all")
_STATISTICS = ("range", "mean", "point", "typical", "ratio")
_SINGLE_VALUE = ("mean", "point", "typical", "ratio")
_GRADE = re.compile(r"[ABC][+-]?")
_REF_ID = re.compile(r"P[0-9]+")
_URL = re.compile(r"https?://\S+")


# ---------------------------------------------------------------------------------------------
# price tables and models
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceModel:
    """A power-law price per sponsored post: ``fee_at_10k * (followers / 1e4) ** exponent``.

    Attributes
    ----------
    name : str
        Identifier (``"rate-card"``, ``"izea-2022"``, ``"fees"`` …).
    exponent : float
        Price elasticity ``p`` with respect to followers (1 = linear rate card; an analyst's
        fees may even give a negative one).
    fee_at_10k : float
        Fee for an account with 10,000 followers, in ``currency``.
    currency : str
        ISO code of the fee; money of different currencies is never mixed.
    source : str
        Where the numbers come from (citation, or "analyst's fees").
    grade : str
        Trust grade of the source (benchmarks.md), or "own data".
    n_points : int
        Tier points (published tables) or creators (own fees) behind the fit.
    exponent_ci : tuple of float
        95% CI of ``exponent`` where one exists (own fees); NaN for published tables, whose
        few tier points give no sampling interval.
    note : str
        What kind of figure it is and its limits.
    """

    name: str
    exponent: float
    fee_at_10k: float
    currency: str = "USD"
    source: str = ""
    grade: str = ""
    n_points: int = 0
    exponent_ci: tuple[float, float] = (np.nan, np.nan)
    note: str = ""

    def __post_init__(self) -> None:
        if not np.isfinite(self.exponent):
            raise ValueError(
                f"price model {self.name!r}: exponent must be a finite number, got "
                f"{self.exponent!r}"
            )
        if not (np.isfinite(self.fee_at_10k) and self.fee_at_10k > 0):
            raise ValueError(
                f"price model {self.name!r}: fee_at_10k must be a positive number, got "
                f"{self.fee_at_10k!r}"
            )
        if not re.fullmatch(r"[A-Z]{3}", self.currency):
            raise ValueError(
                f"price model {self.name!r}: currency must be a 3-letter ISO code such as "
                f"'USD', got {self.currency!r}"
            )

    def describe(self) -> str:
        """One line: name, exponent, fee at 10k and 1M followers, source.

        Examples
        --------
        >>> PriceModel("linear", 1.0, 100.0, source="rule").describe()
        'linear: p = 1.00; USD 100 at 10k followers, USD 10,000 at 1M (rule)'
        """
        at_1m = self.fee_at_10k * 100.0**self.exponent
        ci = ""
        if np.all(np.isfinite(self.exponent_ci)):
            ci = f" ({self.exponent_ci[0]:.2f} to {self.exponent_ci[1]:.2f})"
        return (
            f"{self.name}: p = {self.exponent:.2f}{ci}; {self.currency} "
            f"{self.fee_at_10k:,.0f} at 10k followers, {self.currency} {at_1m:,.0f} at 1M "
            f"({self.source})"
        )


def _fail(frame: pd.DataFrame, bad: pd.Series, column: str, why: str) -> None:
    if not bad.any():
        return
    rows = list(bad.index[bad.to_numpy()])
    first = rows[0]
    more = f" (and {len(rows) - 1} more rows)" if len(rows) > 1 else ""
    value = frame.at[first, column]
    value = value.item() if isinstance(value, np.generic) else value
    raise ValueError(
        f"price tables row {first} ({frame.at[first, 'ref_id']} {frame.at[first, 'tier']!r}): "
        f"{column} {value!r} {why}{more}"
    )


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("").str.strip()


def _number(values: pd.Series) -> pd.Series:
    text = _text(values)
    out = pd.to_numeric(text.mask(text == ""), errors="coerce")
    return pd.Series(out.to_numpy(dtype=float, na_value=np.nan), index=values.index)


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
    missing = [c for c in PRICE_COLUMNS if c not in frame.columns]
    extra = [c for c in frame.columns if c not in PRICE_COLUMNS]
    if missing or extra:
        raise ValueError(
            f"price tables: missing columns {missing}, unexpected columns {extra}; expected "
            f"{list(PRICE_COLUMNS)}"
        )
    raw = frame.loc[:, list(PRICE_COLUMNS)]
    text_columns = ("ref_id", "source", "platform", "grade", "tier", "statistic", "url", "note")
    out = pd.DataFrame({c: _text(raw[c]) for c in text_columns}, index=raw.index)
    _fail(raw, ~out["ref_id"].str.fullmatch(_REF_ID), "ref_id", "is not an id like P4")
    for column in ("source", "tier"):
        _fail(raw, out[column] == "", column, "is empty")
    year = _number(raw["year"])
    _fail(raw, ~((year % 1 == 0) & year.between(1990, 2100)), "year",
          "is not a whole year between 1990 and 2100")
    _fail(raw, ~out["platform"].isin(_PLATFORMS), "platform",
          f"is not one of {', '.join(_PLATFORMS)}")
    _fail(raw, ~out["grade"].str.fullmatch(_GRADE), "grade",
          "is not A, B or C with an optional + or -")
    lower = _number(raw["lower"])
    _fail(raw, ~(np.isfinite(lower) & (lower >= 0)), "lower", "is not a follower count >= 0")
    upper = _number(raw["upper"]).mask(_text(raw["upper"]) == "", np.inf)
    _fail(raw, upper.isna() | (upper < lower), "upper", "is not empty or >= lower")
    _fail(raw, (lower == upper) & (lower == 0), "lower", "is a point at 0 followers")
    _fail(raw, ~out["statistic"].isin(_STATISTICS), "statistic",
          f"is not one of {', '.join(_STATISTICS)}")
    low = _number(raw["price_low"])
    high = _number(raw["price_high"])
    _fail(raw, ~(low > 0), "price_low", "is not a positive price")
    single = out["statistic"].isin(_SINGLE_VALUE)
    _fail(raw, single & high.notna(), "price_high",
          "is given, but a mean/point/typical/ratio figure has one price (price_low)")
    _fail(raw, high.notna() & ~(high >= low), "price_high", "is below price_low")
    flags = _text(raw["second_hand"]).str.lower()
    _fail(raw, ~flags.isin(["true", "false"]), "second_hand", "is not true or false")
    _fail(raw, ~out["url"].str.fullmatch(_URL), "url", "is not a single http(s) URL")
    for column in ("source", "year", "grade"):
        values = year if column == "year" else out[column]
        clash = values.groupby(out["ref_id"]).transform("nunique") > 1
        _fail(raw, clash, column, "differs between rows of the same ref_id")
    repeated = out.duplicated(["ref_id", "platform", "tier"])
    _fail(raw, repeated, "tier", "appears twice for the same ref_id and platform")
    typed = out.assign(
        year=year.astype("int64"), lower=lower, upper=upper, price_low=low, price_high=high,
        second_hand=flags.eq("true").to_numpy(dtype=bool),
    )
    typed = typed.loc[:, list(PRICE_COLUMNS)].astype({c: str for c in text_columns})
    return typed.sort_values(["ref_id", "platform", "lower"], kind="stable", ignore_index=True)


@cache
def _shipped() -> pd.DataFrame:
    path = resources.files("insights").joinpath("data/price_tables.tsv")
    with path.open("rb") as handle:
        raw = pd.read_csv(handle, sep="\t", dtype=str, keep_default_na=False, encoding="utf-8")
    return validate_price_tables(raw)


def price_tables(ref_id: str | None = None) -> pd.DataFrame:
    """Return the published price tables (benchmarks.md §3), one row per source and tier.

    Examples
    --------
    >>> sorted(price_tables()["ref_id"].unique())
    ['P1', 'P10', 'P3', 'P4', 'P5']
    >>> price_tables("P4")[["tier", "price_low"]].head(2).to_dict("list")
    {'tier': ['nano (<10k)', 'micro (10k-50k)'], 'price_low': [1105.0, 1674.0]}
    """
    table = _shipped()
    if ref_id is not None:
        if ref_id not in set(table["ref_id"]):
            known = sorted(set(table["ref_id"]))
            raise KeyError(f"unknown price table {ref_id!r}; known: {known}")
        table = table.loc[table["ref_id"] == ref_id].reset_index(drop=True)
    return table.copy()


def price_points(table: pd.DataFrame) -> pd.DataFrame:
    """Turn price-table rows into (followers, price) points for a power-law fit.

    A tier's follower value is its geometric midpoint (:func:`insights.references.tier_midpoints`:
    a tier from 0 starts a decade below its upper bound, an open top tier ends at 10× its
    lower bound); a quoted point (``lower == upper``) is used as it is. A price range's value
    is the geometric mean of its ends; an open range ("$10,000+") has no value and is marked
    unused, because closing it would be a guess.

    Returns
    -------
    DataFrame
        The input rows with ``followers``, ``price`` and ``used`` (bool) added.

    Examples
    --------
    >>> points = price_points(price_tables("P1").query("platform == 'instagram'"))
    >>> points[["tier", "followers", "price", "used"]].round(0).head(2)
        tier  followers  price  used
    0   nano     3162.0   32.0  True
    1  micro    22361.0  224.0  True
    """
    lower = table["lower"].to_numpy(dtype=float)
    upper = table["upper"].to_numpy(dtype=float)
    is_point = lower == upper
    followers = np.where(
        is_point, lower,
        tier_midpoints(np.where(is_point, 0.0, lower), np.where(is_point, 1.0, upper)).to_numpy(),
    )
    low = table["price_low"].to_numpy(dtype=float)
    high = table["price_high"].to_numpy(dtype=float)
    is_range = table["statistic"].to_numpy() == "range"
    price = np.where(is_range, np.sqrt(low * high), low)
    out = table.copy()
    out["followers"] = followers
    out["price"] = price
    out["used"] = np.isfinite(price) & np.isfinite(followers) & (followers > 0)
    return out


def fit_price_model(
    table: pd.DataFrame,
    name: str,
    *,
    currency: str = "USD",
    note: str = "",
) -> PriceModel:
    """Fit ``log(price) = log(fee_at_10k) + p log(followers / 1e4)`` to price-table rows.

    Ordinary least squares over the usable points of :func:`price_points` (at least two
    distinct follower values). With tier *means* or rule-of-thumb ranges the fit describes
    the table; it is not a sample, so no interval is attached.

    Examples
    --------
    >>> model = fit_price_model(price_tables("P1").query("platform == 'instagram'"),
    ...                         "rate-card")
    >>> round(model.exponent, 3), round(model.fee_at_10k, 2), model.n_points
    (1.0, 100.0, 4)
    """
    points = price_points(table)
    points = points.loc[points["used"]]
    x = np.log(points["followers"].to_numpy() / REFERENCE_FOLLOWERS)
    y = np.log(points["price"].to_numpy())
    if len(np.unique(x)) < 2:
        raise ValueError(
            f"price model {name!r}: need prices at two or more distinct follower counts, got "
            f"{len(np.unique(x))}"
        )
    slope, intercept = np.polyfit(x, y, 1)
    sources = sorted(set(points["source"] + " " + points["year"].astype(str)))
    grades = sorted(set(points["grade"]))
    return PriceModel(
        name=name,
        exponent=float(slope),
        fee_at_10k=float(np.exp(intercept)),
        currency=currency,
        source="; ".join(sources),
        grade="/".join(grades),
        n_points=len(points),
        note=note,
    )


_MODELS = (
    # name, ref_id, platform, note
    ("rate-card", "P1", "instagram",
     "Influencer Marketing Hub's Instagram rate card: $10 per 1,000 followers (the '1 cent "
     "per follower' rule, also USA Today's '$100 per 10,000'); a rule of thumb"),
    ("rate-card-tiktok", "P1", "tiktok", "the same card's TikTok ranges; a rule of thumb"),
    ("rate-card-youtube", "P1", "youtube", "the same card's YouTube ranges; a rule of thumb"),
    ("inzpire-2020", "P5", "instagram",
     "two rates quoted from a 12,000-creator database (41k and 500k followers)"),
    ("klear-2019", "P3", "instagram",
     "self-reported mean fees of nano (500-5k) vs celebrity (500k+) Instagram creators"),
    ("beichert-2024", "P10", "instagram",
     "field study: macro (>100k) creators cost about 18x nano (<10k, paid ~$50 in product)"),
    ("izea-2022", "P4", "all",
     "realised mean payments per post on the IZEA marketplace, 2022, five tiers, all "
     "platforms"),
)


@cache
def _named_models() -> dict[str, PriceModel]:
    models = {}
    for name, ref_id, platform, note in _MODELS:
        rows = price_tables(ref_id)
        rows = rows.loc[rows["platform"] == platform]
        models[name] = fit_price_model(rows, name, note=note)
    return models


def pricing_models(names: Iterable[str] | None = None) -> dict[str, PriceModel]:
    """The named pricing models fitted to the shipped price tables, in a fixed order.

    Parameters
    ----------
    names : iterable of str, optional
        Which ones (default all); unknown names raise a KeyError listing the known ones.

    Examples
    --------
    >>> for name, model in pricing_models().items():
    ...     print(f"{name:18} p = {model.exponent:.2f}")
    rate-card          p = 1.00
    rate-card-tiktok   p = 0.94
    rate-card-youtube  p = 1.00
    inzpire-2020       p = 0.78
    klear-2019         p = 0.63
    beichert-2024      p = 0.63
    izea-2022          p = 0.32
    """
    models = _named_models()
    if names is None:
        return dict(models)
    return {name: price_model(name) for name in names}


def price_model(name: str | PriceModel) -> PriceModel:
    """Return a named pricing model (or pass a :class:`PriceModel` through).

    Examples
    --------
    >>> price_model("izea-2022").source
    'IZEA 2022'
    >>> price_model("cheap")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    KeyError: "unknown pricing model 'cheap'; known: rate-card, rate-card-tiktok, ..."
    """
    if isinstance(name, PriceModel):
        return name
    models = _named_models()
    if name not in models:
        raise KeyError(f"unknown pricing model {name!r}; known: {', '.join(models)}")
    return models[name]


def fit_fees(
    frame: pd.DataFrame,
    *,
    fee: str = "fee",
    followers: str = "followers",
    currency: str | None = None,
    name: str = "fees",
    level: float = 0.95,
) -> PriceModel:
    """Fit a price model to an analyst's own fees, with a robust CI on the exponent.

    OLS of ``log(fee)`` on ``log(followers)`` with HC3 errors
    (:func:`insights.stats.fit_elasticity`); rows with a missing or non-positive fee or
    follower count are left out (the fit needs at least four: two coefficients and enough
    residual degrees of freedom for HC3 errors).

    Parameters
    ----------
    frame : DataFrame
        One row per paid post (or per creator), with ``fee`` and ``followers``.
    currency : str, optional
        Default the frame's single ``currency`` value; mixed currencies raise.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = 10 ** rng.uniform(3, 6, 200)
    >>> fees = pd.DataFrame({"followers": f, "fee": 50 * (f / 1e4) ** 0.5
    ...                      * np.exp(rng.normal(0, 0.2, 200)), "currency": "EUR"})
    >>> model = fit_fees(fees)
    >>> round(model.exponent, 1), model.currency, model.exponent_ci[0] < 0.5 < model.exponent_ci[1]
    (0.5, 'EUR', True)
    """
    for column in (fee, followers):
        if column not in frame.columns:
            raise KeyError(
                f"column {column!r} not in the table; columns are {list(frame.columns)}"
            )
    currency = _single_currency(frame, currency)
    fit = stats.fit_elasticity(frame, y=fee, x=followers, level=level)
    fee_at_10k = float(np.exp(fit.intercept + fit.estimate * np.log(REFERENCE_FOLLOWERS)))
    return PriceModel(
        name=name,
        exponent=fit.estimate,
        fee_at_10k=fee_at_10k,
        currency=currency,
        source="analyst's fees",
        grade="own data",
        n_points=fit.n,
        exponent_ci=(fit.ci_low, fit.ci_high),
        note=f"{fit.method}; followers {fit.x_min:,.0f} to {fit.x_max:,.0f}",
    )


def price(followers, model: str | PriceModel) -> pd.Series:
    """Fee per sponsored post under a pricing model.

    Parameters
    ----------
    followers : array-like or Series
        Follower counts; missing, non-finite, zero or negative counts get a NaN fee (there is
        no price for an account without an audience).
    model : str or PriceModel
        A name from :func:`pricing_models` or a model.

    Returns
    -------
    Series
        float64 fees in ``model.currency``, on the input's index, named ``fee``.

    Examples
    --------
    >>> price([1_000, 10_000, 1_000_000, 0], "rate-card").round(2).tolist()
    [10.0, 100.0, 10000.0, nan]
    """
    m = price_model(model)
    series = followers if isinstance(followers, pd.Series) else pd.Series(followers)
    values = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    usable = np.isfinite(values) & (values > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        fees = m.fee_at_10k * (np.where(usable, values, 1.0) / REFERENCE_FOLLOWERS) ** m.exponent
    return pd.Series(np.where(usable, fees, np.nan), index=series.index, name="fee")


# ---------------------------------------------------------------------------------------------
# cost metrics: each names its denominator
# ---------------------------------------------------------------------------------------------


def cpe(cost, engagements) -> pd.DataFrame:
    """Cost per engagement: ``cost / engagements`` (value/status frame, see :mod:`metrics`).

    Examples
    --------
    >>> cpe(pd.Series([100.0, 50.0]), pd.Series([400, 0]))["value"].tolist()
    [0.25, nan]
    """
    return metrics.ratio(cost, engagements)


def cpm(cost, impressions) -> pd.DataFrame:
    """Cost per mille: ``1000 * cost / impressions`` (per 1,000 impressions).

    Examples
    --------
    >>> cpm(pd.Series([50.0]), pd.Series([10_000]))["value"].tolist()
    [5.0]
    """
    return _scaled(metrics.ratio(cost, impressions), 1000.0)


def cpv(cost, views) -> pd.DataFrame:
    """Cost per view: ``cost / views``.

    Examples
    --------
    >>> cpv(pd.Series([30.0]), pd.Series([600]))["value"].tolist()
    [0.05]
    """
    return metrics.ratio(cost, views)


def cpa(cost, conversions) -> pd.DataFrame:
    """Cost per acquisition: ``cost / conversions`` (conversions as the analyst defines them).

    Examples
    --------
    >>> cpa(pd.Series([300.0]), pd.Series([12]))["value"].tolist()
    [25.0]
    """
    return metrics.ratio(cost, conversions)


def roas(revenue, cost) -> pd.DataFrame:
    """Return on ad spend: ``revenue / cost`` (1 = break-even). Not ROI.

    Examples
    --------
    >>> roas(pd.Series([300.0]), pd.Series([100.0]))["value"].tolist()
    [3.0]
    """
    return metrics.ratio(revenue, cost)


def roi(revenue, cost) -> pd.DataFrame:
    """Return on investment: ``(revenue - cost) / cost`` (0 = break-even), i.e. ROAS - 1.

    Revenue here is what the analyst's data call revenue (tracked sales, not EMV).

    Examples
    --------
    >>> roi(pd.Series([300.0, 50.0]), pd.Series([100.0, 100.0]))["value"].tolist()
    [2.0, -0.5]
    """
    out = metrics.ratio(revenue, cost)
    return out.assign(value=out["value"] - 1.0)


@dataclass(frozen=True)
class EMVRateCard:
    """Money assumed per action for earned media value; there is no default card.

    Attributes
    ----------
    name, source : str
        Identifier and the citation the values come from (required).
    values : mapping of str to float
        Money per unit of each column, e.g. ``{"impressions": 0.005}`` for a $5 CPM.
    currency : str
    """

    name: str
    source: str
    values: Mapping[str, float] = field(default_factory=dict)
    currency: str = "USD"

    def __post_init__(self) -> None:
        if not self.source.strip():
            raise ValueError(f"EMV rate card {self.name!r} needs a source: EMV is an assumption")
        if not self.values:
            raise ValueError(f"EMV rate card {self.name!r} has no values")
        bad = {k: v for k, v in self.values.items() if not (np.isfinite(v) and v >= 0)}
        if bad:
            raise ValueError(f"EMV rate card {self.name!r}: values must be >= 0, got {bad}")


#: Documented EMV cards (benchmarks.md §3, CPM guidance; grade C opinions and tool defaults).
EMV_RATE_CARDS = {
    "influencerdb-cpm5": EMVRateCard(
        "influencerdb-cpm5",
        "InfluencerDB's EMV assumption of a $5 CPM (range $3-10), via eMarketer",
        {"impressions": 5.0 / 1000.0},
    ),
    "mightyscout-instagram": EMVRateCard(
        "mightyscout-instagram",
        "MightyScout's EMV CPM of $10 for Instagram impressions",
        {"impressions": 10.0 / 1000.0},
    ),
}


def emv(frame: pd.DataFrame, *, rate_card: EMVRateCard | str) -> pd.DataFrame:
    """Earned media value: the sum over the card's columns of ``count * value per unit``.

    EMV is what the same exposure *would have cost* at the card's prices. It is not revenue,
    and an EMV-per-dollar figure is not ROI (benchmarks.md §5).

    Examples
    --------
    >>> emv(pd.DataFrame({"impressions": [20_000, None]}), rate_card="influencerdb-cpm5")
       value   status
    0  100.0       ok
    1    NaN  missing
    """
    if isinstance(rate_card, str):
        if rate_card not in EMV_RATE_CARDS:
            raise KeyError(f"unknown EMV rate card {rate_card!r}; known: {list(EMV_RATE_CARDS)}")
        rate_card = EMV_RATE_CARDS[rate_card]
    missing = [c for c in rate_card.values if c not in frame.columns]
    if missing:
        raise KeyError(f"EMV card {rate_card.name!r} needs columns {missing}; "
                       f"columns are {list(frame.columns)}")
    total = None
    one = pd.Series(1.0, index=frame.index)
    for column, unit in rate_card.values.items():
        part = _scaled(metrics.ratio(frame[column], one), unit)  # the count, its status
        total = part if total is None else _add(total, part)
    return total


# status precedence of insights.metrics: missing > negative > zero_denominator > ok
_PRECEDENCE = {"ok": 0, "zero_denominator": 1, "negative": 2, "missing": 3}


def _scaled(frame: pd.DataFrame, factor: float) -> pd.DataFrame:
    """Multiply a metric frame's values; a result that overflows becomes ``missing``."""
    with np.errstate(over="ignore", invalid="ignore"):
        value = frame["value"].to_numpy() * factor
    status = frame["status"].astype(str).to_numpy()
    status = np.where((status == "ok") & ~np.isfinite(value), "missing", status)
    return pd.DataFrame(
        {"value": np.where(status == "ok", value, np.nan),
         "status": pd.Categorical(status, dtype=metrics.STATUS_DTYPE)},
        index=frame.index,
    )


def _add(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Sum two metric frames; the status is the worse of the two by metrics' precedence."""
    rank_a = a["status"].astype(str).map(_PRECEDENCE).to_numpy()
    rank_b = b["status"].astype(str).map(_PRECEDENCE).to_numpy()
    status = np.where(rank_b > rank_a, b["status"].astype(str), a["status"].astype(str))
    with np.errstate(over="ignore", invalid="ignore"):
        total = a["value"].to_numpy() + b["value"].to_numpy()
    frame = pd.DataFrame(
        {"value": total, "status": pd.Categorical(status, dtype=metrics.STATUS_DTYPE)},
        index=a.index,
    )
    return _scaled(frame, 1.0)


# ---------------------------------------------------------------------------------------------
# campaigns
# ---------------------------------------------------------------------------------------------


def _single_currency(frame: pd.DataFrame, currency: str | None) -> str:
    if "currency" not in frame.columns:
        return currency or "USD"
    values = frame["currency"].astype("string").str.strip().str.upper()
    present = sorted(values.dropna().unique())
    if len(present) > 1:
        counts = values.value_counts()
        rare = values[values != counts.index[0]]
        raise ValueError(
            f"column 'currency' mixes {present}: money of different currencies is never "
            f"summed; convert first (rows {list(rare.index[:10])} are not {counts.index[0]})"
        )
    if currency is not None and present and present[0] != currency.upper():
        raise ValueError(f"column 'currency' is {present[0]}, not the {currency} asked for")
    return present[0] if present else (currency or "USD")


def campaign_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a campaigns table and return it in canonical form.

    Canonical columns (``DESIGN.md``): ``campaign, creator, platform, followers, fee,
    impressions, engagements, clicks, conversions, revenue, currency``. Missing ones are
    added empty; money and counts must be non-negative; one currency only.

    Raises
    ------
    insights.schemas.SchemaViolation
        Naming the column, rows and values that break the schema.
    ValueError
        For mixed currencies, naming rows.

    Examples
    --------
    >>> table = campaign_table(pd.DataFrame({"campaign": "c1", "creator": ["a", "b"],
    ...                                      "platform": "tiktok", "fee": [100, 250],
    ...                                      "currency": "usd"}))
    >>> table[["creator", "fee", "currency"]].to_dict("list")
    {'creator': ['a', 'b'], 'fee': [100.0, 250.0], 'currency': ['USD', 'USD']}
    """
    work = frame.copy()
    if "currency" in work.columns:
        work["currency"] = work["currency"].astype("string").str.strip().str.upper()
    _single_currency(work, None)
    table = schemas.conform(work, "campaigns")
    return schemas.validate(table, "campaigns")


_RETURN_METRICS = {
    # name: (numerator, denominator, multiplier, offset, description)
    "roi": ("revenue", "fee", 1.0, -1.0, "(revenue - fee) / fee"),
    "roas": ("revenue", "fee", 1.0, 0.0, "revenue / fee"),
    "cpe": ("fee", "engagements", 1.0, 0.0, "fee per engagement"),
    "cpm": ("fee", "impressions", 1000.0, 0.0, "fee per 1,000 impressions"),
    "cpa": ("fee", "conversions", 1.0, 0.0, "fee per conversion"),
}


def campaign_returns(
    campaigns: pd.DataFrame,
    *,
    rng: np.random.Generator,
    tier_scheme: str | TierScheme = "industry",
    measures: Sequence[str] = ("roi", "roas", "cpe", "cpm", "cpa"),
    n_resamples: int = 2000,
    level: float = 0.95,
    min_n: int = 5,
) -> pd.DataFrame:
    """ROI, ROAS and costs per engagement, impression and conversion by follower tier.

    Each measure is *pooled* over the tier's rows: ROAS = total revenue / total fees, CPE =
    total fees / total engagements, and so on: what the tier returned per unit of money spent
    on it. The interval is a percentile bootstrap over rows (creator placements) within the
    tier; it is NaN for tiers with fewer than ``min_n`` usable rows. Rows without the measure's
    inputs (missing values) are left out of that measure; ``n_used`` counts the rows kept. A
    row with a zero denominator stays in: a paid post that brought no engagement raises the
    tier's pooled CPE, as it raised the real cost.

    Parameters
    ----------
    campaigns : DataFrame
        A campaigns table (checked by :func:`campaign_table`).
    rng : numpy.random.Generator
    tier_scheme : str or TierScheme
    measures : sequence of {"roi", "roas", "cpe", "cpm", "cpa"}

    Returns
    -------
    DataFrame
        Long format: ``tier``, ``lower``, ``upper``, ``measure``, ``definition``, ``n``
        (rows in tier), ``n_used``, ``estimate``, ``ci_low``, ``ci_high``, ``currency``;
        tiers in scheme order (empty tiers listed with n = 0), measures in the order asked.

    Examples
    --------
    >>> table = pd.DataFrame({"campaign": "c", "creator": [f"c{i}" for i in range(10)],
    ...                       "platform": "instagram", "followers": [2e4] * 10,
    ...                       "fee": [100.0] * 10, "revenue": [300.0] * 10,
    ...                       "engagements": [50.0] * 10, "currency": "USD"})
    >>> out = campaign_returns(table, rng=np.random.default_rng(0), measures=("roi", "cpe"))
    >>> out.query("tier == 'micro'")[["measure", "n", "estimate", "ci_low"]]
      measure   n  estimate  ci_low
    4     roi  10       2.0     2.0
    5     cpe  10       2.0     2.0
    """
    unknown = [m for m in measures if m not in _RETURN_METRICS]
    if unknown:
        raise ValueError(f"unknown measures {unknown}; choose from {list(_RETURN_METRICS)}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed): the bootstrap is random")
    table = campaign_table(campaigns)
    currency = _single_currency(table, None)
    s = scheme(tier_scheme)
    tiers = assign_tiers(table["followers"], s)
    bands = tier_bands(s).rename(columns={"label": "tier"})
    rows = []
    for _, band in bands.iterrows():
        in_tier = (tiers == band["tier"]).to_numpy()
        for measure in measures:
            num_col, den_col, scale, offset, definition = _RETURN_METRICS[measure]
            num = table[num_col].to_numpy(dtype=float)[in_tier]
            den = table[den_col].to_numpy(dtype=float)[in_tier]
            usable = np.isfinite(num) & np.isfinite(den)
            num, den = num[usable], den[usable]
            n_used = int(usable.sum())
            estimate = low = high = np.nan
            if n_used and den.sum() > 0:
                if n_used >= min_n:
                    estimate, low, high = stats.ratio_interval(
                        num, den, stat="pooled", rng=rng, n_resamples=n_resamples, level=level)
                else:
                    estimate = num.sum() / den.sum()
                # scale > 0, so the interval of the scaled ratio is the scaled interval
                estimate, low, high = (scale * v + offset for v in (estimate, low, high))
            rows.append((band["tier"], band["lower"], band["upper"], measure, definition,
                         int(in_tier.sum()), n_used, estimate, low, high, currency))
    return pd.DataFrame(rows, columns=["tier", "lower", "upper", "measure", "definition", "n",
                                       "n_used", "estimate", "ci_low", "ci_high", "currency"])
