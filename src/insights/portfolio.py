"""Budget portfolios (claim C4): many micro-creators or one big name for the same money?

A portfolio spends a budget across follower tiers. Within a tier, creators are bought in a
random order, resampled from a pool of real creators, for as long as the next fee still fits
the tier's budget. Only creators whose fee fits the tier's budget at all are candidates (a
planner with $30,000 does not draw a $200,000 celebrity). Each purchase brings the engagements
of one sponsored post: a random post of the creator when the pool holds posts, the creator's
average otherwise. Repeating this ``n_draws`` times gives the distribution of what the budget
buys: its mean and its 5th to 95th percentiles.

Audience overlap
----------------
Total engagements double-count people who engage with several creators of a portfolio. With
``audience=M`` (the number of people in the target market who might engage), each creator's
``e`` engaged people are taken as a random subset of the ``M``, so the expected number of
*distinct* engaged people is ``M * (1 - prod(1 - e_i / M))``. Smaller ``M`` means more overlap;
``audience=None`` means none. Random overlap is the least overlap a shared niche can have, so
this is an optimistic bound for many-creator portfolios.

The draws are fixed once per pool (:class:`PortfolioDraws`): every allocation is evaluated on
the same random numbers (common random numbers), so differences between mixes are not noise
between runs, and :func:`best_mix` can search over the micro share with
``scipy.optimize.minimize_scalar``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from insights import metrics, schemas
from insights.pricing import PriceModel, price, price_model
from insights.tiers import TierScheme, assign_tiers, scheme

__all__ = [
    "MAX_CELLS",
    "portfolio_pool",
    "PortfolioDraws",
    "portfolio_draws",
    "summarise_portfolios",
    "BestMix",
    "best_mix",
]

#: Largest random-number matrix (draws x purchases) one tier may need.
MAX_CELLS = 40_000_000


def portfolio_pool(
    frame: pd.DataFrame, *, components: Sequence[str] | None = None
) -> pd.DataFrame:
    """The units a portfolio is resampled from: one row per post (or per creator).

    Parameters
    ----------
    frame : DataFrame
        Canonical posts table (rows are posts; each creator is drawn with equal probability,
        then one of their posts) or creators table (rows are creators; engagement is the
        average per post).
    components : sequence of str, optional
        What counts as an engagement (default likes + comments).

    Returns
    -------
    DataFrame
        ``creator``, ``followers``, ``engagement`` and ``weight`` (drawing probability up to a
        constant); rows without a usable engagement or follower count are left out.

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["1", "2", "3"], "creator": ["a", "a", "b"],
    ...                       "likes": [10, 30, 5], "comments": [0, 0, 1],
    ...                       "followers": [1e4, 1e4, 2e5]})
    >>> portfolio_pool(posts)
      creator  followers  engagement  weight
    0       a    10000.0        10.0     0.5
    1       a    10000.0        30.0     0.5
    2       b   200000.0         6.0     1.0
    """
    components = tuple(components) if components is not None else metrics.default_components(frame)
    value = metrics.engagement(frame, components=components)["value"].to_numpy()
    followers = pd.to_numeric(frame["followers"], errors="coerce").to_numpy(
        dtype=float, na_value=np.nan
    )
    creator = (frame["creator"].astype(str).to_numpy() if "creator" in frame.columns
               else np.arange(len(frame)).astype(str))
    keep = np.isfinite(value) & np.isfinite(followers) & (followers > 0)
    pool = pd.DataFrame({"creator": creator[keep], "followers": followers[keep],
                         "engagement": value[keep]})
    if schemas.table_kind(frame) == "posts":
        pool["weight"] = 1.0 / pool.groupby("creator")["creator"].transform("size")
    else:
        pool["weight"] = 1.0
    return pool.reset_index(drop=True)


@dataclass(frozen=True)
class _Tier:
    fee: np.ndarray  # candidates sorted by fee
    engagement: np.ndarray
    cum_weight: np.ndarray
    uniforms: np.ndarray  # (n_draws, k_max)
    n_creators: int
    # purchase sequences per number of affordable candidates: (cumulative fees, engagements)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass(frozen=True)
class PortfolioDraws:
    """Fixed random draws for evaluating budget allocations on one pool and pricing model.

    Build with :func:`portfolio_draws`; evaluate allocations with :meth:`evaluate`.
    """

    budget: float
    pricing: PriceModel
    tier_scheme: TierScheme
    n_draws: int
    tiers: Mapping[str, _Tier]

    def evaluate(
        self, allocation: Mapping[str, float], *, audience: float | None = None
    ) -> pd.DataFrame:
        """Spend the budget as ``allocation`` says, once per draw.

        Parameters
        ----------
        allocation : mapping of tier to share
            Shares of the budget, non-negative, summing to 1 (tiers given to
            :func:`portfolio_draws`).
        audience : float, optional
            Target-market size ``M`` for the overlap model (module docstring); None for no
            overlap.

        Returns
        -------
        DataFrame
            One row per draw: ``creators`` bought, ``spent``, ``engagements`` (total) and
            ``reach`` (distinct engaged people; equals ``engagements`` without overlap).
        """
        shares = _check_allocation(allocation, self.tiers)
        if audience is not None and not (np.isfinite(audience) and audience > 0):
            raise ValueError(f"audience must be a positive number of people, got {audience!r}")
        creators = np.zeros(self.n_draws, dtype=np.int64)
        spent = np.zeros(self.n_draws)
        engagements = np.zeros(self.n_draws)
        log_missed = np.zeros(self.n_draws)
        for name, share in shares.items():
            if share <= 0:
                continue
            bought, cum_fee, cum_eng, eng = _spend(self.tiers[name], share * self.budget)
            rows = np.arange(self.n_draws)
            last = np.maximum(bought - 1, 0)
            has = bought > 0
            creators += bought
            spent += np.where(has, cum_fee[rows, last], 0.0)
            engagements += np.where(has, cum_eng[rows, last], 0.0)
            if audience is not None:
                taken = np.arange(eng.shape[1])[None, :] < bought[:, None]
                fraction = np.minimum(eng / audience, 1.0 - 1e-12)
                log_missed += np.where(taken, np.log1p(-fraction), 0.0).sum(axis=1)
        reach = engagements if audience is None else audience * -np.expm1(log_missed)
        return pd.DataFrame({"creators": creators, "spent": spent,
                             "engagements": engagements, "reach": reach})


def _check_allocation(allocation: Mapping[str, float], tiers: Mapping[str, _Tier]) -> dict:
    unknown = [t for t in allocation if t not in tiers]
    if unknown:
        raise KeyError(f"allocation names tiers {unknown} that have no draws; "
                       f"tiers drawn: {list(tiers)}")
    shares = {t: float(w) for t, w in allocation.items()}
    if any(not np.isfinite(w) or w < 0 for w in shares.values()):
        raise ValueError(f"allocation shares must be >= 0, got {shares}")
    if not np.isclose(sum(shares.values()), 1.0):
        raise ValueError(f"allocation shares must sum to 1, got {sum(shares.values()):.6g}")
    return shares


def _sequence(tier: _Tier, affordable: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Drawn purchase order among the ``affordable`` cheapest candidates (cached)."""
    if affordable not in tier._cache:
        if len(tier._cache) >= 8:
            tier._cache.clear()
        total = tier.cum_weight[affordable - 1]
        index = np.searchsorted(tier.cum_weight[:affordable], tier.uniforms * total,
                                side="right")
        index = np.minimum(index, affordable - 1)
        engagement = tier.engagement[index]
        tier._cache[affordable] = (np.cumsum(tier.fee[index], axis=1),
                                   np.cumsum(engagement, axis=1), engagement)
    return tier._cache[affordable]


def _spend(
    tier: _Tier, budget: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Buy candidates in drawn order while the running total fits ``budget``.

    Returns the number bought per draw, and the cumulative fees, cumulative engagements and
    engagements of the drawn sequence (only the first ``bought`` entries of a row are
    purchases).
    """
    n_draws = tier.uniforms.shape[0]
    budget = budget * (1 + 1e-9)  # a fee equal to the budget is affordable despite rounding
    affordable = int(np.searchsorted(tier.fee, budget, side="right"))
    if affordable == 0:
        zeros = np.zeros((n_draws, 1))
        return np.zeros(n_draws, dtype=np.int64), zeros, zeros, zeros
    cum_fee, cum_engagement, engagement = _sequence(tier, affordable)
    bought = (cum_fee <= budget).sum(axis=1)  # cumulative fees increase along a row
    return bought, cum_fee, cum_engagement, engagement


def portfolio_draws(
    pool: pd.DataFrame,
    *,
    budget: float,
    pricing: str | PriceModel,
    tiers: Sequence[str] = ("micro", "mega"),
    tier_scheme: str | TierScheme = "industry",
    n_draws: int = 2000,
    rng: np.random.Generator,
) -> PortfolioDraws:
    """Draw the random purchase orders for each tier once, for any later allocation.

    Parameters
    ----------
    pool : DataFrame
        From :func:`portfolio_pool`.
    budget : float
        Total budget, in the pricing model's currency.
    pricing : str or PriceModel
        Fee of each creator from their follower count (:func:`insights.pricing.price`).
    tiers : sequence of str
        Tiers a portfolio may buy from.
    n_draws : int
        Portfolios simulated per allocation.
    rng : numpy.random.Generator

    Examples
    --------
    >>> pool = pd.DataFrame({"creator": ["a", "b", "c"], "followers": [2e4, 5e4, 2e6],
    ...                      "engagement": [800.0, 1500.0, 40_000.0], "weight": 1.0})
    >>> draws = portfolio_draws(pool, budget=20_000, pricing="rate-card", n_draws=500,
    ...                         rng=np.random.default_rng(0))
    >>> out = draws.evaluate({"micro": 1.0})
    >>> bool(out["spent"].max() <= 20_000), int(out["creators"].min()) >= 40
    (True, True)
    >>> int(draws.evaluate({"mega": 1.0})["creators"].max())  # a 2M account costs 20,000
    1
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed): the portfolios are random")
    if not (np.isfinite(budget) and budget > 0):
        raise ValueError(f"budget must be a positive amount, got {budget!r}")
    if n_draws < 1:
        raise ValueError(f"n_draws must be >= 1, got {n_draws}")
    missing = [c for c in ("followers", "engagement", "weight") if c not in pool.columns]
    if missing:
        raise KeyError(f"pool lacks columns {missing}; build it with portfolio_pool()")
    model = price_model(pricing)
    s = scheme(tier_scheme)
    unknown = [t for t in tiers if t not in s.categories]
    if unknown:
        raise ValueError(f"tiers {unknown} are not in scheme {s.name!r}: {s.categories}")
    assigned = assign_tiers(pool["followers"], s).to_numpy()
    fee = price(pool["followers"], model).to_numpy()
    drawn = {}
    for name in tiers:
        members = (assigned == name) & np.isfinite(fee)
        order = np.argsort(fee[members], kind="stable")
        tier_fee = fee[members][order]
        weights = pool["weight"].to_numpy(dtype=float)[members][order]
        k_max = int(np.ceil(budget / tier_fee[0])) if len(tier_fee) else 1
        if n_draws * k_max > MAX_CELLS:
            raise ValueError(
                f"tier {name!r}: the budget buys up to {k_max:,} creators per portfolio; "
                f"{n_draws:,} draws would need {n_draws * k_max:,} random numbers (limit "
                f"{MAX_CELLS:,}). Use fewer draws or a smaller budget."
            )
        drawn[name] = _Tier(
            fee=tier_fee,
            engagement=pool["engagement"].to_numpy(dtype=float)[members][order],
            cum_weight=np.cumsum(weights),
            uniforms=rng.random((n_draws, k_max)),
            n_creators=int(pool.loc[members, "creator"].nunique()) if "creator" in pool
            else int(members.sum()),
        )
    return PortfolioDraws(float(budget), model, s, int(n_draws), drawn)


def summarise_portfolios(draws: pd.DataFrame, *, quantiles=(0.05, 0.95)) -> dict[str, float]:
    """Mean and percentiles of engagements and reach, mean creators and spend, cost per engagement.

    ``cost_per_engagement`` is mean spend / mean engagements.

    Examples
    --------
    >>> out = pd.DataFrame({"creators": [2, 4], "spent": [90.0, 100.0],
    ...                     "engagements": [100.0, 300.0], "reach": [100.0, 250.0]})
    >>> summarise_portfolios(out)["engagements_mean"], summarise_portfolios(out)["p_empty"]
    (200.0, 0.0)
    """
    low, high = quantiles
    out = {
        "creators_mean": float(draws["creators"].mean()),
        "spent_mean": float(draws["spent"].mean()),
        "p_empty": float((draws["creators"] == 0).mean()),
    }
    for column in ("engagements", "reach"):
        values = draws[column].to_numpy(dtype=float)
        out[f"{column}_mean"] = float(values.mean())
        out[f"{column}_p{round(low * 100):02d}"] = float(np.quantile(values, low))
        out[f"{column}_p{round(high * 100):02d}"] = float(np.quantile(values, high))
    mean_eng = out["engagements_mean"]
    out["cost_per_engagement"] = out["spent_mean"] / mean_eng if mean_eng > 0 else np.nan
    return out


@dataclass(frozen=True)
class BestMix:
    """The best share of the budget for the small tier under an objective.

    ``share`` goes to ``small``, ``1 - share`` to ``big``; ``value`` is the objective there,
    ``grid`` the objective on an 11-point grid of shares (the search is checked against it).
    """

    share: float
    value: float
    small: str
    big: str
    objective: str
    audience: float | None
    grid: pd.DataFrame


_OBJECTIVES = {
    "mean_reach": lambda r: float(r.mean()),
    "p05_reach": lambda r: float(np.quantile(r, 0.05)),
}


def best_mix(
    draws: PortfolioDraws,
    *,
    small: str = "micro",
    big: str = "mega",
    objective: str = "mean_reach",
    audience: float | None = None,
) -> BestMix:
    """Find the share of the budget for ``small`` (the rest to ``big``) that maximises reach.

    Objectives: ``"mean_reach"`` (expected distinct engaged people) or ``"p05_reach"`` (the
    5th percentile: the bad case a cautious planner guards against). Bounded Brent search
    (``scipy.optimize.minimize_scalar``) on the common random numbers of ``draws``; because
    purchases are whole posts the objective is a fine staircase, so the search result is
    compared with an 11-point grid and the better one is returned.

    Examples
    --------
    >>> pool = pd.DataFrame({"creator": list("abcdef"), "followers": [2e4, 3e4, 5e4, 2e6,
    ...                      3e6, 5e6], "engagement": [900.0, 1000, 2000, 30000, 40000, 50000],
    ...                      "weight": 1.0})
    >>> draws = portfolio_draws(pool, budget=100_000, pricing="izea-2022", n_draws=300,
    ...                         rng=np.random.default_rng(0))
    >>> best = best_mix(draws)
    >>> best.share < 0.5  # under sublinear prices the big tier buys more engagement
    True
    """
    if objective not in _OBJECTIVES:
        raise ValueError(f"objective must be one of {list(_OBJECTIVES)}, got {objective!r}")
    score = _OBJECTIVES[objective]

    def value(share: float) -> float:
        allocation = {small: share, big: 1.0 - share}
        return score(draws.evaluate(allocation, audience=audience)["reach"].to_numpy())

    grid_shares = np.linspace(0.0, 1.0, 11)
    grid = pd.DataFrame({"share": grid_shares, "value": [value(w) for w in grid_shares]})
    found = optimize.minimize_scalar(lambda w: -value(w), bounds=(0.0, 1.0), method="bounded",
                                     options={"xatol": 1e-3})
    best_share, best_value = float(found.x), -float(found.fun)
    top = grid.loc[grid["value"].idxmax()]
    if top["value"] > best_value:
        best_share, best_value = float(top["share"]), float(top["value"])
    return BestMix(best_share, best_value, small, big, objective, audience, grid)
