"""Tests for insights.portfolio: budget portfolios of micro vs big creators (claim C4).

Pools are built here by hand, priced with power-law models of KNOWN exponent (``fee = 100 *
(followers / 10,000) ** p``, so with ``p = 1`` a creator costs followers / 100), so what a
budget can buy, and which mix of tiers buys the most engagement, follows from the pool.
"""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_series_equal

from insights import portfolio
from insights.portfolio import (
    MAX_CELLS,
    BestMix,
    PortfolioDraws,
    best_mix,
    portfolio_draws,
    portfolio_pool,
    summarise_portfolios,
)
from insights.pricing import PriceModel, price, price_model
from insights.tiers import scheme

LINEAR = PriceModel("linear", 1.0, 100.0, source="test")
FLAT = PriceModel("flat", 0.3, 100.0, source="test")


def pool_of(followers, engagement, weight=1.0, creator=None) -> pd.DataFrame:
    followers = np.asarray(followers, dtype=float)
    return pd.DataFrame({
        "creator": creator if creator is not None else [f"c{i}" for i in range(len(followers))],
        "followers": followers,
        "engagement": np.asarray(engagement, dtype=float),
        "weight": weight,
    })


# micro (10k-100k) fees 120 ... 800 and mega (1M+) fees 15,000 ... 40,000 under LINEAR;
# no nano creators, so "nano" is an empty tier (a way to leave part of a budget unspent)
MICRO_F = [1.2e4, 2e4, 3.5e4, 5e4, 8e4]
MEGA_F = [1.5e6, 2e6, 4e6]


def mixed_pool() -> pd.DataFrame:
    followers = np.array(MICRO_F + MEGA_F)
    return pool_of(followers, 0.05 * followers**0.8)


def mixed_draws(budget: float = 60_000, *, n_draws: int = 40, seed: int = 0,
                pricing=LINEAR) -> PortfolioDraws:
    return portfolio_draws(mixed_pool(), budget=budget, pricing=pricing,
                           tiers=("nano", "micro", "mega"), n_draws=n_draws,
                           rng=np.random.default_rng(seed))


# ---------------------------------------------------------------------------------------------
# portfolio_pool
# ---------------------------------------------------------------------------------------------


def test_pool_from_posts_weights_each_creator_equally():
    posts = pd.DataFrame({
        "post_id": ["1", "2", "3", "4", "5", "6", "7"],
        "creator": ["a", "a", "a", "b", "c", "c", "d"],
        "likes": [10, 30, 20, 5, None, 7, -1],
        "comments": [0, 0, 1, 1, 1, 1, 1],
        "followers": [1e4, 1e4, 1e4, 2e5, 3e4, 3e4, 5e4],
    })
    result = portfolio_pool(posts)
    # c keeps one usable post (its weight is 1, not 1/2); d's only post is negative
    expected = pd.DataFrame({
        "creator": ["a", "a", "a", "b", "c"],
        "followers": [1e4, 1e4, 1e4, 2e5, 3e4],
        "engagement": [10.0, 30.0, 21.0, 6.0, 8.0],
        "weight": [1 / 3, 1 / 3, 1 / 3, 1.0, 1.0],
    })
    assert_frame_equal(result, expected)
    assert result.groupby("creator")["weight"].sum().tolist() == pytest.approx([1.0] * 3)


def test_pool_drops_rows_without_usable_followers():
    posts = pd.DataFrame({"post_id": ["1", "2", "3", "4"], "creator": ["a", "a", "b", "c"],
                          "likes": [1.0, 2.0, 3.0, 4.0], "comments": [0.0, 0.0, 0.0, 0.0],
                          "followers": [2e4, 0.0, np.nan, "many"]})
    result = portfolio_pool(posts)
    expected = pd.DataFrame({"creator": ["a"], "followers": [2e4], "engagement": [1.0],
                             "weight": [1.0]})
    assert_frame_equal(result, expected)


def test_pool_from_creators_table_weighs_one_each():
    creators = pd.DataFrame({"creator": ["x", "y", "z", "w"],
                             "followers": [1e4, np.nan, 5e4, 2e6],
                             "avg_likes": [1.0, 2.0, 3.0, 0.0],
                             "avg_comments": [1.0, 1.0, np.nan, 0.0]}, index=[7, 8, 9, 10])
    result = portfolio_pool(creators)
    # zero engagement is usable; a missing follower count or component is not
    expected = pd.DataFrame({"creator": ["x", "w"], "followers": [1e4, 2e6],
                             "engagement": [2.0, 0.0], "weight": [1.0, 1.0]})
    assert_frame_equal(result, expected)


def test_pool_without_creator_column_and_explicit_components():
    creators = pd.DataFrame({"followers": [1e4, 5e4], "avg_likes": [4.0, 6.0],
                             "avg_comments": [1.0, 2.0], "avg_shares": [10.0, 20.0]})
    result = portfolio_pool(creators, components=["avg_likes", "avg_shares"])
    expected = pd.DataFrame({"creator": ["0", "1"], "followers": [1e4, 5e4],
                             "engagement": [14.0, 26.0], "weight": [1.0, 1.0]})
    assert_frame_equal(result, expected)


def test_pool_errors_name_the_columns():
    with pytest.raises(ValueError, match="no engagement columns with values"):
        portfolio_pool(pd.DataFrame({"followers": [1e4], "views": [5]}))
    with pytest.raises(KeyError, match="nope"):
        portfolio_pool(pd.DataFrame({"followers": [1e4], "avg_likes": [1.0]}),
                       components=("nope",))


# ---------------------------------------------------------------------------------------------
# portfolio_draws
# ---------------------------------------------------------------------------------------------


def test_draws_fields_and_tiers():
    draws = mixed_draws(budget=50_000, n_draws=7, pricing="rate-card")
    assert draws.budget == 50_000.0
    assert draws.pricing == price_model("rate-card")
    assert draws.tier_scheme == scheme("industry")
    assert draws.n_draws == 7
    assert list(draws.tiers) == ["nano", "micro", "mega"]
    assert [t.n_creators for t in draws.tiers.values()] == [0, 5, 3]
    micro = draws.tiers["micro"]
    np.testing.assert_allclose(micro.fee, price(MICRO_F, "rate-card"))  # sorted by fee
    assert micro.uniforms.shape[0] == 7
    with pytest.raises(dataclasses.FrozenInstanceError):
        draws.budget = 1.0


def test_draws_are_deterministic_with_a_seed():
    allocation = {"micro": 0.3, "mega": 0.7}
    first = mixed_draws(seed=5)
    again = mixed_draws(seed=5)
    assert_frame_equal(first.evaluate(allocation), again.evaluate(allocation))
    # evaluating is pure: twice on one object gives identical frames
    assert_frame_equal(first.evaluate(allocation, audience=1e5),
                       first.evaluate(allocation, audience=1e5))
    other = mixed_draws(seed=6)
    assert not other.evaluate(allocation).equals(first.evaluate(allocation))


@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0)])
def test_draws_need_a_generator(rng):
    with pytest.raises(TypeError, match=r"rng=np.random.default_rng\(seed\): the portfolios "
                                        r"are random"):
        portfolio_draws(mixed_pool(), budget=1e4, pricing=LINEAR, rng=rng)


@pytest.mark.parametrize("budget", [0, -5.0, np.nan, np.inf])
def test_draws_need_a_positive_budget(budget):
    with pytest.raises(ValueError, match=r"budget must be a positive amount, got"):
        portfolio_draws(mixed_pool(), budget=budget, pricing=LINEAR,
                        rng=np.random.default_rng(0))


@pytest.mark.parametrize("n_draws", [0, -3])
def test_draws_need_at_least_one_draw(n_draws):
    with pytest.raises(ValueError, match=f"n_draws must be >= 1, got {n_draws}"):
        portfolio_draws(mixed_pool(), budget=1e4, pricing=LINEAR, n_draws=n_draws,
                        rng=np.random.default_rng(0))


@pytest.mark.parametrize("missing", [["weight"], ["followers", "engagement"]])
def test_draws_need_the_pool_columns(missing):
    pool = mixed_pool().drop(columns=missing)
    message = f"pool lacks columns {missing}; build it with portfolio_pool()"
    with pytest.raises(KeyError, match=re.escape(message)):
        portfolio_draws(pool, budget=1e4, pricing=LINEAR, rng=np.random.default_rng(0))


def test_draws_refuse_unknown_tiers_and_pricing():
    with pytest.raises(ValueError, match=r"tiers \['huge'\] are not in scheme 'industry': "
                                         r"\['<1k', 'nano'"):
        portfolio_draws(mixed_pool(), budget=1e4, pricing=LINEAR, tiers=("micro", "huge"),
                        rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"tiers \['mega'\] are not in scheme "
                                         r"'micro-1k-50k'"):
        portfolio_draws(mixed_pool(), budget=1e4, pricing=LINEAR,
                        tier_scheme="micro-1k-50k", rng=np.random.default_rng(0))
    with pytest.raises(KeyError, match="unknown pricing model 'cheap'"):
        portfolio_draws(mixed_pool(), budget=1e4, pricing="cheap",
                        rng=np.random.default_rng(0))


def test_draws_other_scheme():
    draws = portfolio_draws(mixed_pool(), budget=1e4, pricing=LINEAR,
                            tier_scheme="micro-1k-50k", tiers=("micro", "above"), n_draws=5,
                            rng=np.random.default_rng(0))
    assert [t.n_creators for t in draws.tiers.values()] == [3, 5]


def test_max_cells_guard_message():
    # the cheapest micro creator costs 100 (10k followers): 1M buys up to 10,000 of them
    pool = pool_of([1e4, 5e4], [50.0, 80.0])
    with pytest.raises(ValueError, match=(
        r"tier 'micro': the budget buys up to 10,000 creators per portfolio; 5,000 draws "
        r"would need 50,000,000 random numbers \(limit 40,000,000\). Use fewer draws or a "
        r"smaller budget."
    )):
        portfolio_draws(pool, budget=1e6, pricing=LINEAR, n_draws=5000,
                        rng=np.random.default_rng(0))
    assert MAX_CELLS == 40_000_000


def test_max_cells_guard_boundary(monkeypatch):
    monkeypatch.setattr(portfolio, "MAX_CELLS", 100)
    pool = pool_of([1e4, 5e4], [50.0, 80.0])
    kwargs = dict(budget=1_000, pricing=LINEAR, tiers=("micro",))  # up to 10 per portfolio
    draws = portfolio_draws(pool, n_draws=10, rng=np.random.default_rng(0), **kwargs)
    assert draws.tiers["micro"].uniforms.shape == (10, 10)
    with pytest.raises(ValueError, match="would need 110 random numbers"):
        portfolio_draws(pool, n_draws=11, rng=np.random.default_rng(0), **kwargs)


# ---------------------------------------------------------------------------------------------
# PortfolioDraws.evaluate
# ---------------------------------------------------------------------------------------------


@settings(deadline=None, max_examples=40)
@given(budget=st.floats(50, 2e5), share=st.floats(0, 1), seed=st.integers(0, 2**32 - 1))
def test_evaluate_spends_within_each_tier_budget(budget, share, seed):
    draws = mixed_draws(budget, n_draws=20, seed=seed)
    mix = draws.evaluate({"micro": share, "mega": 1 - share})
    # the empty nano tier absorbs the rest, so each tier's own spend can be seen alone
    micro = draws.evaluate({"micro": share, "nano": 1 - share})
    mega = draws.evaluate({"mega": 1 - share, "nano": share})
    for part, tier_budget, fees in [(micro, share * budget, price(MICRO_F, LINEAR)),
                                    (mega, (1 - share) * budget, price(MEGA_F, LINEAR))]:
        assert (part["spent"] <= tier_budget * (1 + 1e-9)).all()
        affordable = fees[fees <= tier_budget * (1 + 1e-9)]
        if len(affordable):
            # buying stops at the first drawn fee that no longer fits
            assert (part["spent"] > tier_budget - affordable.max() - 1e-6).all()
            assert (part["creators"] >= 1).all()
        else:
            assert (part["creators"] == 0).all() and (part["spent"] == 0).all()
    # tiers are bought independently: the mix is the sum of its parts
    for column in ("creators", "spent", "engagements"):
        np.testing.assert_allclose(mix[column], micro[column] + mega[column], rtol=1e-12)
    assert (mix["spent"] <= budget * (1 + 1e-9)).all()
    assert_series_equal(mix["reach"], mix["engagements"], check_names=False)


def test_evaluate_frame_shape_and_types():
    result = mixed_draws(n_draws=9).evaluate({"micro": 0.5, "mega": 0.5})
    assert list(result.columns) == ["creators", "spent", "engagements", "reach"]
    assert result.index.equals(pd.RangeIndex(9))
    assert result["creators"].dtype == np.int64
    assert (result.dtypes.iloc[1:] == np.float64).all()


def test_evaluate_buys_only_from_tiers_with_a_positive_share():
    draws = mixed_draws(budget=30_000)
    only_mega = draws.evaluate({"micro": 0.0, "mega": 1.0})
    assert_frame_equal(only_mega, draws.evaluate({"mega": 1.0}))
    # affordable mega posts cost 15,000 or 20,000; a second fits only after two 15,000s
    assert set(only_mega["spent"]) == {15_000.0, 20_000.0, 30_000.0}
    assert only_mega["creators"].between(1, 2).all()
    nothing = draws.evaluate({"nano": 1.0})
    assert (nothing.to_numpy() == 0).all()


def test_evaluate_exact_purchases_of_a_single_creator():
    # one creator at 10k followers costs exactly 100: a budget of 300 buys three posts
    draws = portfolio_draws(pool_of([1e4], [50.0]), budget=300, pricing=LINEAR,
                            tiers=("micro",), n_draws=4, rng=np.random.default_rng(0))
    result = draws.evaluate({"micro": 1.0}, audience=100)
    expected = pd.DataFrame({"creators": np.full(4, 3, dtype=np.int64),
                             "spent": [300.0] * 4, "engagements": [150.0] * 4,
                             "reach": [100 * (1 - 0.5**3)] * 4})
    assert_frame_equal(result, expected)


def test_evaluate_tier_where_nothing_is_affordable_buys_nothing():
    # the cheapest mega creator costs 15,000; half of 20,000 does not reach it
    draws = mixed_draws(budget=20_000)
    result = draws.evaluate({"micro": 0.5, "mega": 0.5})
    micro_only = draws.evaluate({"micro": 0.5, "nano": 0.5})
    assert_frame_equal(result, micro_only)
    assert (draws.evaluate({"mega": 1.0})["creators"] == 1).all()


def test_evaluate_candidates_are_the_affordable_creators_only():
    # a 30M account costs 300,000: never a candidate for a 50,000 budget, so every portfolio
    # buys two posts of the 2M account (20,000 each), none stops at the celebrity
    pool = pool_of([2e6, 3e7], [1_000.0, 1e6])
    draws = portfolio_draws(pool, budget=50_000, pricing=LINEAR, tiers=("mega",),
                            n_draws=200, rng=np.random.default_rng(0))
    result = draws.evaluate({"mega": 1.0})
    assert (result["creators"] == 2).all()
    assert (result["engagements"] == 2_000.0).all()
    assert (result["spent"] == 40_000.0).all()


@pytest.mark.parametrize(("pool", "expected"), [
    # posts pool: creator a has three posts (weights 1/3), b one: b is half the draws
    (portfolio_pool(pd.DataFrame({"post_id": list("1234"), "creator": list("aaab"),
                                  "likes": [1, 2, 3, 100], "followers": 2e4})), 0.5),
    # creators table: every row weighs 1, the 100-engagement row is a quarter of the draws
    (pool_of([2e4] * 4, [1.0, 2.0, 3.0, 100.0]), 0.25),
])
def test_evaluate_draws_follow_the_pool_weights(pool, expected):
    # every fee is 200 and the budget 200: one purchase per portfolio
    draws = portfolio_draws(pool, budget=200, pricing=LINEAR, tiers=("micro",),
                            n_draws=4000, rng=np.random.default_rng(1))
    result = draws.evaluate({"micro": 1.0})
    assert (result["creators"] == 1).all()
    share = (result["engagements"] == 100.0).mean()
    assert share == pytest.approx(expected, abs=0.04)


@settings(deadline=None, max_examples=25)
@given(share=st.floats(0, 1), audience=st.floats(1e2, 1e7), seed=st.integers(0, 2**32 - 1))
def test_reach_is_at_most_engagements_and_grows_with_the_audience(share, audience, seed):
    draws = mixed_draws(budget=60_000, n_draws=20, seed=seed)
    allocation = {"micro": share, "mega": 1 - share}
    plain = draws.evaluate(allocation)
    small = draws.evaluate(allocation, audience=audience)
    large = draws.evaluate(allocation, audience=audience * 10)
    huge = draws.evaluate(allocation, audience=1e15)
    for frame in (small, large, huge):
        assert_frame_equal(frame.drop(columns="reach"), plain.drop(columns="reach"))
    assert (small["reach"] <= small["engagements"] * (1 + 1e-9)).all()
    assert (small["reach"] <= audience * (1 + 1e-9)).all()
    assert (small["reach"] <= large["reach"] * (1 + 1e-9)).all()
    np.testing.assert_allclose(huge["reach"], plain["engagements"], rtol=1e-6)


def test_reach_matches_the_overlap_formula_across_tiers():
    # micro: one creator at 10k (fee 100, 50 engaged); mega: one at 1M (fee 10,000, 200)
    draws = portfolio_draws(pool_of([1e4, 1e6], [50.0, 200.0]), budget=10_200,
                            pricing=LINEAR, n_draws=3, rng=np.random.default_rng(0))
    result = draws.evaluate({"micro": 200 / 10_200, "mega": 10_000 / 10_200}, audience=1_000)
    # two micro posts and one mega post: M * (1 - (1 - 50/M)^2 * (1 - 200/M))
    expected = pd.DataFrame({"creators": np.full(3, 3, dtype=np.int64),
                             "spent": [10_200.0] * 3, "engagements": [300.0] * 3,
                             "reach": [1_000 * (1 - 0.95**2 * 0.8)] * 3})
    assert_frame_equal(result, expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("allocation", "error", "match"),
    [
        ({"micro": 0.5, "mega": 0.4}, ValueError, "allocation shares must sum to 1, got 0.9"),
        ({"micro": 1.5, "mega": -0.5}, ValueError, "allocation shares must be >= 0, got"),
        ({"micro": np.nan, "mega": 1.0}, ValueError, "allocation shares must be >= 0"),
        ({}, ValueError, "must sum to 1, got 0"),
        ({"macro": 1.0}, KeyError, r"allocation names tiers \['macro'\] that have no draws; "
                                   r"tiers drawn: \['nano', 'micro', 'mega'\]"),
    ],
)
def test_evaluate_bad_allocations(allocation, error, match):
    with pytest.raises(error, match=match):
        mixed_draws(n_draws=3).evaluate(allocation)


@pytest.mark.parametrize("audience", [0, -10.0, np.nan, np.inf])
def test_evaluate_bad_audience(audience):
    with pytest.raises(ValueError, match=r"audience must be a positive number of people, got"):
        mixed_draws(n_draws=3).evaluate({"micro": 1.0}, audience=audience)


# ---------------------------------------------------------------------------------------------
# summarise_portfolios
# ---------------------------------------------------------------------------------------------

OUTCOMES = pd.DataFrame({"creators": [0, 2, 4, 6], "spent": [0.0, 90.0, 100.0, 110.0],
                         "engagements": [0.0, 100.0, 300.0, 500.0],
                         "reach": [0.0, 100.0, 250.0, 400.0]})


def test_summarise_by_hand():
    result = summarise_portfolios(OUTCOMES)
    # linear-interpolated quantiles of 4 values: position q * 3
    expected = {
        "creators_mean": 3.0, "spent_mean": 75.0, "p_empty": 0.25,
        "engagements_mean": 225.0, "engagements_p05": 15.0, "engagements_p95": 470.0,
        "reach_mean": 187.5, "reach_p05": 15.0, "reach_p95": 377.5,
        "cost_per_engagement": 75.0 / 225.0,
    }
    assert list(result) == list(expected)
    assert result == pytest.approx(expected, rel=1e-12)
    assert all(type(v) is float for v in result.values())


def test_summarise_other_quantiles_and_no_engagement():
    result = summarise_portfolios(OUTCOMES, quantiles=(0.1, 0.9))
    assert result["engagements_p10"] == pytest.approx(30.0)
    assert result["reach_p90"] == pytest.approx(355.0)
    assert "engagements_p05" not in result
    empty = summarise_portfolios(OUTCOMES.assign(engagements=0.0, creators=0))
    assert math.isnan(empty["cost_per_engagement"])
    assert empty["p_empty"] == 1.0


def test_summarise_a_real_evaluation():
    out = mixed_draws(n_draws=50).evaluate({"micro": 0.5, "mega": 0.5})
    result = summarise_portfolios(out)
    assert result["engagements_p05"] <= result["engagements_mean"] <= result["engagements_p95"]
    assert result["cost_per_engagement"] == pytest.approx(
        out["spent"].mean() / out["engagements"].mean())


# ---------------------------------------------------------------------------------------------
# best_mix
# ---------------------------------------------------------------------------------------------


def best_mix_pool() -> pd.DataFrame:
    """15 micro creators (12k-90k) and 10 mega ones (1.5M-8M), engagement 0.05 * F**0.8."""
    followers = np.concatenate([np.geomspace(1.2e4, 9e4, 15), np.geomspace(1.5e6, 8e6, 10)])
    return pool_of(followers, 0.05 * followers**0.8)


def test_best_mix_linear_prices_favour_micro():
    # p = 1 > b = 0.8: cost per engagement rises with followers, micro is ~2.4x cheaper
    draws = portfolio_draws(best_mix_pool(), budget=400_000, pricing=LINEAR, n_draws=60,
                            rng=np.random.default_rng(0))
    best = best_mix(draws)
    assert isinstance(best, BestMix)
    assert best.share >= 0.95
    assert (best.small, best.big, best.objective, best.audience) == (
        "micro", "mega", "mean_reach", None)
    assert best.value >= best.grid["value"].max()
    assert best.grid["value"].idxmax() == 10  # all micro on the grid
    expected = draws.evaluate({"micro": best.share, "mega": 1 - best.share})["reach"].mean()
    assert best.value == expected


def test_best_mix_sublinear_prices_favour_the_big_tier():
    # p = 0.3 < b = 0.8: the big tier buys ~9x more engagement per dollar
    draws = portfolio_draws(best_mix_pool(), budget=100_000, pricing=FLAT, n_draws=60,
                            rng=np.random.default_rng(0))
    best = best_mix(draws, objective="p05_reach")
    assert best.share <= 0.05
    assert best.grid["value"].idxmax() == 0
    assert best.objective == "p05_reach"
    reach = draws.evaluate({"micro": best.share, "mega": 1 - best.share})["reach"]
    assert best.value == float(np.quantile(reach, 0.05))


def test_best_mix_falls_back_to_the_grid_when_the_search_misses_an_end():
    # one micro creator at 100 a post, a mega one never affordable: the reach is a staircase
    # that peaks only at share 1 exactly (10 posts), which a bounded search never evaluates
    pool = pool_of([1e4, 1e6], [50.0, 1.0])
    draws = portfolio_draws(pool, budget=1_000, pricing=LINEAR, n_draws=5,
                            rng=np.random.default_rng(0))
    best = best_mix(draws)
    assert (best.share, best.value) == (1.0, 500.0)
    np.testing.assert_allclose(best.grid["value"], 50.0 * np.arange(11))


def test_best_mix_grid_and_audience():
    draws = portfolio_draws(best_mix_pool(), budget=100_000, pricing=LINEAR, n_draws=30,
                            rng=np.random.default_rng(0))
    best = best_mix(draws, audience=1e5)
    assert best.audience == 1e5
    assert list(best.grid.columns) == ["share", "value"]
    np.testing.assert_allclose(best.grid["share"], np.linspace(0, 1, 11))
    expected = [draws.evaluate({"micro": w, "mega": 1 - w}, audience=1e5)["reach"].mean()
                for w in np.linspace(0, 1, 11)]
    np.testing.assert_allclose(best.grid["value"], expected, rtol=1e-12)
    assert best.value >= max(expected)
    assert (best.grid["value"] <= 1e5).all()


def test_best_mix_other_tiers():
    pool = best_mix_pool()
    draws = portfolio_draws(pool, budget=100_000, pricing=FLAT, tiers=("micro", "above"),
                            tier_scheme="micro-10k-500k", n_draws=20,
                            rng=np.random.default_rng(0))
    best = best_mix(draws, big="above")
    assert best.big == "above"
    assert best.share <= 0.05


def test_best_mix_bad_objective_and_tiers():
    draws = mixed_draws(n_draws=5)
    with pytest.raises(ValueError, match=r"objective must be one of \['mean_reach', "
                                         r"'p05_reach'\], got 'median'"):
        best_mix(draws, objective="median")
    with pytest.raises(KeyError, match=r"allocation names tiers \['macro'\]"):
        best_mix(draws, big="macro")
