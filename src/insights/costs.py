"""Cost metrics and campaign returns: money, always with its denominator.

Prices per sponsored post (assumed, or fitted to an analyst's fees) are
:mod:`insights.pricing`; this module turns fees and counts into cost metrics and returns.

Cost metrics
------------
Each says its denominator: :func:`cpe` (per engagement), :func:`cpm` (per 1,000 impressions),
:func:`cpv` (per view), :func:`cpa` (per conversion). :func:`roi` is
``(revenue - cost) / cost`` and :func:`roas` is ``revenue / cost``: a ROAS of 3 is a ROI of 2.
:func:`emv` (earned media value) exists only with an explicit :class:`EMVRateCard`, because
EMV is a cost avoided under an assumed rate card, not revenue (``docs/sources.md``). Like
:mod:`insights.metrics`, every metric returns ``value`` and ``status`` columns.

Campaigns
---------
:func:`campaign_table` checks an analyst's campaigns table (``docs/design.md``: one currency,
non-negative money and counts) and :func:`campaign_returns` gives ROI, ROAS, CPE, CPM and CPA
by follower tier with bootstrap confidence intervals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from insights import metrics, schemas, stats
from insights.pricing import single_currency
from insights.tiers import TierScheme, assign_tiers, scheme, tier_bands

__all__ = [
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
    return metrics.scale(metrics.ratio(cost, impressions), 1000.0)


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


#: Documented EMV cards (``docs/sources.md``: CPM guidance; grade C opinions and tool defaults).
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
    and an EMV-per-dollar figure is not ROI (``docs/sources.md``).

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
        part = metrics.scale(metrics.ratio(frame[column], one), unit)  # the count, its status
        total = part if total is None else metrics.add(total, part)
    return total


# ---------------------------------------------------------------------------------------------
# campaigns
# ---------------------------------------------------------------------------------------------


def campaign_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Check a campaigns table and return it in canonical form.

    Canonical columns (``docs/design.md``): ``campaign, creator, platform, followers, fee,
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
    single_currency(work, None)
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
    currency = single_currency(table, None)
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
