"""Price models: what a sponsored post is assumed to cost, as a power law of followers.

No public data set records what brands paid creators, so the claim "micro-creators are cheaper
per engagement" (C2) turns on how prices scale with followers. This module makes that
assumption explicit and swappable.

A :class:`PriceModel` is a power law, ``fee = fee_at_10k * (followers / 10,000) ** exponent``,
per sponsored post, in one currency, with the source it comes from. The *exponent* ``p`` is
the price elasticity: cost per engagement scales as ``followers ** (p - b)`` where ``b`` is
the engagement elasticity (``docs/design.md``, "The key quantity"), so micro-creators are
cheaper per engagement iff ``p > b``.

The published price tables (:func:`insights.references.price_tables`, sources in
``docs/sources.md``) are each turned into a model by a least-squares fit of log price on log
follower count (:func:`fit_price_model`) at the tiers' geometric midpoints (open tiers closed
by :func:`insights.references.tier_midpoints`). The named models (:func:`pricing_models`) are

``rate-card``
    Influencer Marketing Hub's Instagram card: $10 per 1,000 followers, ``p = 1`` (the
    "1 cent per follower" rule; a rule of thumb, grade C).
``rate-card-tiktok``, ``rate-card-youtube``
    The same card's TikTok and YouTube ranges.
``inzpire-2020``, ``klear-2019``, ``beichert-2024``, ``izea-2022``
    Sublinear prices from a creator database (two quoted points), a self-reported fee survey
    (nano vs celebrity means), a field study (macro about 18 times nano) and realised
    marketplace payments (five tier means), ``p`` from about 0.8 down to about 0.3.

An analyst's own fees give a model with a confidence interval on ``p`` (:func:`fit_fees`), or
can be used row by row (``pricing="observed"`` in the claim functions). A price tied to
engagement ("$0.14 per average engagement") makes cost per engagement constant by
construction, so it is not a model here: it would answer C2 by assumption.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from insights import references

__all__ = [
    "REFERENCE_FOLLOWERS",
    "PriceModel",
    "price_points",
    "fit_price_model",
    "MODEL_NAMES",
    "pricing_models",
    "price_model",
    "fit_fees",
    "price",
    "single_currency",
    "price_support",
    "price_law_draws",
    "in_support",
]

#: Follower count at which a model's fee is quoted (``fee_at_10k``).
REFERENCE_FOLLOWERS = 10_000.0


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
        Trust grade of the source (``docs/sources.md``), or "own data".
    n_points : int
        Tier points (published tables) or creators (own fees) behind the fit.
    exponent_ci : tuple of float
        95% CI of ``exponent`` where one exists (own fees); NaN for published tables, whose
        few tier points give no sampling interval.
    note : str
        What kind of figure it is and its limits.
    support : tuple of float
        The follower counts the prices behind the model cover (:func:`price_support`; own
        fees: the smallest and largest account). Outside it the power law is an
        extrapolation. ``(0, inf)`` for a model written by hand, which claims to hold
        everywhere.
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
    support: tuple[float, float] = (0.0, np.inf)

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
        low, high = (float(v) for v in self.support)
        if not (low >= 0 and high > low):
            raise ValueError(
                f"price model {self.name!r}: support must be (low, high) with 0 <= low < high, "
                f"got {self.support!r}"
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


def single_currency(frame: pd.DataFrame, currency: str | None = None) -> str:
    """The one currency of a table's ``currency`` column (or ``currency``, default USD).

    Money of different currencies is never summed: a column that mixes them raises, naming
    the rows that differ from the most common one; so does a column that differs from the
    ``currency`` asked for.

    Examples
    --------
    >>> single_currency(pd.DataFrame({"currency": ["eur", "EUR "]}))
    'EUR'
    >>> single_currency(pd.DataFrame({"fee": [1.0]}))
    'USD'
    """
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
    >>> points = price_points(references.price_tables("P1").query("platform == 'instagram'"))
    >>> points[["tier", "followers", "price", "used"]].round(0).head(2)
        tier  followers  price  used
    0   nano     3162.0   32.0  True
    1  micro    22361.0  224.0  True
    """
    lower = table["lower"].to_numpy(dtype=float)
    upper = table["upper"].to_numpy(dtype=float)
    is_point = lower == upper
    midpoints = references.tier_midpoints(np.where(is_point, 0.0, lower),
                                          np.where(is_point, 1.0, upper))
    followers = np.where(is_point, lower, midpoints.to_numpy())
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
    >>> model = fit_price_model(references.price_tables("P1").query("platform == 'instagram'"),
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
    support = price_support(table)
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
        support=support,
    )


def price_support(table: pd.DataFrame) -> tuple[float, float]:
    """The follower counts a price table prices: ``(lowest, highest)``.

    From the lowest priced row's lower bound to the highest priced row's upper bound, where a
    quoted point (``lower == upper``) counts as itself and an open top tier ("500k+") only up
    to its lower bound: its price says nothing about how far above the bound it holds. Rows
    without a usable price (:func:`price_points`, e.g. "$10,000+") price nothing
    (``docs/analysis-plan.md``, amendment 7).

    Examples
    --------
    >>> price_support(references.price_tables("P1").query("platform == 'instagram'"))
    (1000.0, 1000000.0)
    >>> price_support(references.price_tables("P10"))  # "> 100k" is open
    (0.0, 100000.0)
    """
    points = price_points(table)
    points = points.loc[points["used"]]
    if points.empty:
        raise ValueError("no row of the price table has a usable price, so it prices nothing")
    lower = points["lower"].to_numpy(dtype=float)
    upper = points["upper"].to_numpy(dtype=float)
    top = np.where(np.isfinite(upper), upper, lower)
    return float(lower.min()), float(top.max())


def in_support(followers, model: str | PriceModel) -> np.ndarray:
    """Boolean mask: which follower counts lie inside a model's support.

    The support is half-open, ``low <= followers < high``, as the tiers are
    (:func:`insights.tiers.assign_tiers`): a 500k-1M tier prices accounts below 1M, and an
    account of exactly 1M is a mega creator no table prices.

    Examples
    --------
    >>> in_support([5_000, 500_000, 1_000_000, 2_000_000], "izea-2022").tolist()
    [True, True, False, False]
    """
    low, high = price_model(model).support
    values = np.asarray(pd.to_numeric(pd.Series(followers), errors="coerce"), dtype=float)
    return (values >= low) & (values < high)


def _model_rows(name: str) -> pd.DataFrame | None:
    """The price-table rows a named model is fitted to (None for any other name)."""
    for model_name, ref_id, platform, _ in _MODELS:
        if model_name == name:
            rows = references.price_tables(ref_id)
            return rows.loc[rows["platform"] == platform]
    return None


def price_law_draws(
    model: str | PriceModel, n_draws: int, *, rng: np.random.Generator,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Power laws a price table is consistent with: one refitted exponent and fee per draw.

    For a named model (:func:`pricing_models`), every priced tier's follower location is drawn
    log-uniformly inside the tier (open ends closed by
    :func:`insights.references.close_tiers`); a quoted price *range* moves with it (the same
    relative position in the range: the range spans the prices of the tier's smallest to its
    largest accounts), a quoted point's range is drawn log-uniformly on its own; means,
    typical values and ratios are kept as published; and the law is refitted by least squares
    on each draw (``docs/analysis-plan.md``, amendment 7).
    ``table`` (price-table rows, :func:`insights.references.price_tables`) draws from
    those rows instead, for a model fitted by :func:`fit_price_model`.
    For an analyst's fees (:func:`fit_fees`) the exponent is drawn from the normal
    distribution its confidence interval implies. A model written by hand has nothing to draw
    from: its one law is repeated.

    Returns
    -------
    DataFrame
        ``exponent`` and ``fee_at_10k``, ``n_draws`` rows.

    Examples
    --------
    >>> draws = price_law_draws("klear-2019", 2000, rng=np.random.default_rng(0))
    >>> bool(draws["exponent"].min() < price_model("klear-2019").exponent
    ...      < draws["exponent"].max())
    True
    >>> price_law_draws(PriceModel("linear", 1.0, 100.0), 3, rng=np.random.default_rng(0))
       exponent  fee_at_10k
    0       1.0       100.0
    1       1.0       100.0
    2       1.0       100.0
    """
    n_draws = int(n_draws)
    if n_draws < 1:
        raise ValueError(f"n_draws must be a positive whole number, got {n_draws!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed): the draws are random")
    rows = table
    if rows is None and not isinstance(model, PriceModel):
        rows = _model_rows(price_model(model).name)
    if rows is not None:
        points = price_points(rows)
        points = points.loc[points["used"]]
        lower = points["lower"].to_numpy(dtype=float)
        upper = points["upper"].to_numpy(dtype=float)
        is_point = lower == upper
        low, high = references.close_tiers(np.where(is_point, 0.0, lower),
                                           np.where(is_point, 1.0, upper))
        low = np.where(is_point, lower, low)
        high = np.where(is_point, lower, high)
        is_range = (points["statistic"] == "range").to_numpy()
        price_low = np.where(is_range, points["price_low"], points["price"]).astype(float)
        price_high = np.where(is_range, points["price_high"], points["price"]).astype(float)
        # one uniform per row and draw: a tier's price range spans the prices of its smallest
        # to its largest accounts, so where the row sits in the tier is where it sits in the
        # range (a rate card's "$10 per 1,000 followers" stays exactly linear)
        u = rng.random((n_draws, len(low)))
        x = np.log(low) + u * np.log(high / low) - np.log(REFERENCE_FOLLOWERS)
        y = np.log(price_low) + u * np.log(price_high / price_low)
        xc = x - x.mean(axis=1, keepdims=True)
        slope = (xc * (y - y.mean(axis=1, keepdims=True))).sum(axis=1) / (xc**2).sum(axis=1)
        intercept = y.mean(axis=1) - slope * x.mean(axis=1)
        return pd.DataFrame({"exponent": slope, "fee_at_10k": np.exp(intercept)})
    m = price_model(model)
    exponent = np.full(n_draws, m.exponent)
    if np.all(np.isfinite(m.exponent_ci)):
        se = (m.exponent_ci[1] - m.exponent_ci[0]) / (2 * 1.959963984540054)
        exponent = rng.normal(m.exponent, se, n_draws)
    return pd.DataFrame({"exponent": exponent, "fee_at_10k": np.full(n_draws, m.fee_at_10k)})


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

#: The names of the pricing models, in :func:`pricing_models`' order (no fitting needed).
MODEL_NAMES = tuple(name for name, *_ in _MODELS)


@cache
def _named_models() -> dict[str, PriceModel]:
    return {name: fit_price_model(_model_rows(name), name, note=note)
            for name, _, _, note in _MODELS}


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
    from insights import stats  # here, not at the top: the command's --pricing choices
    # (MODEL_NAMES) must not pull statsmodels into a process that only parses arguments

    currency = single_currency(frame, currency)
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
        # the fit reports its range through logs: widen by a hair so both ends stay inside
        support=(float(fit.x_min) * (1 - 1e-9), float(fit.x_max) * (1 + 1e-9)),
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
