"""Tests for insights.simulate's campaign tables: CampaignWorld and simulate_campaigns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from insights.costs import campaign_returns, campaign_table
from insights.pricing import PriceModel, price
from insights.schemas import CANONICAL_COLUMNS, validate
from insights.simulate import DATASET, PLATFORM, CampaignWorld, simulate_campaigns

NAN = np.nan


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------------------------
# CampaignWorld
# ---------------------------------------------------------------------------------------------


def test_describe_says_simulated_and_prints_the_parameters():
    world = CampaignWorld(b=0.7, engagement_at_10k=250.0, engagement_sd=0.5,
                          followers_low=5e3, followers_high=2e6,
                          pricing=PriceModel("izea-2022", 0.32, 1300.0, currency="EUR"),
                          fee_sd=0.1, click_rate=0.03, conversion_rate=0.02, order_value=55.0,
                          currency="EUR", n_campaigns=6)
    assert world.describe() == (
        "simulated campaigns: b=0.7, 250 engagements per post at 10k followers (sd 0.5), "
        "followers 5k to 2M, fees izea-2022 x LN(0, 0.1), clicks 0.03/engagement, "
        "conversion 0.02/click, order value 55 EUR, 6 campaigns"
    )


def test_default_world_is_valid_and_described():
    world = CampaignWorld()
    assert world.describe().startswith(f"simulated campaigns: b={world.b:g}, ")
    assert f"fees {world.pricing} x LN(0, {world.fee_sd:g})" in world.describe()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("engagement_at_10k", 0.0),
        ("engagement_at_10k", NAN),
        ("engagement_sd", -0.1),
        ("followers_low", 0.0),
        ("followers_low", 2e7),  # above followers_high
        ("reach_rate", 0.0),
        ("fee_sd", -0.1),
        ("fee_sd", NAN),
        ("click_rate", -0.01),
        ("conversion_rate", 1.5),
        ("conversion_rate", -0.1),
        ("order_value", 0.0),
        ("n_campaigns", 0),
    ],
)
def test_invalid_parameters_raise_naming_the_field(field, value):
    with pytest.raises(ValueError, match=rf"CampaignWorld: invalid \['{field}'\]"):
        CampaignWorld(**{field: value})


def test_several_invalid_parameters_are_listed_together():
    with pytest.raises(ValueError, match=r"invalid \['reach_rate', 'order_value'\]"):
        CampaignWorld(reach_rate=-1.0, order_value=-1.0)


@pytest.mark.parametrize(
    ("field", "value"),
    [("b", NAN), ("b", np.inf), ("followers_high", np.inf), ("n_campaigns", 1.5),
     ("currency", "dollars")],
)
def test_unchecked_parameters_should_raise(field, value):
    with pytest.raises(ValueError, match=field):
        CampaignWorld(**{field: value})


def test_unknown_pricing_raises_key_error():
    with pytest.raises(KeyError, match=r"unknown pricing model 'cheap'; known: rate-card"):
        CampaignWorld(pricing="cheap")


# ---------------------------------------------------------------------------------------------
# simulate_campaigns: shape, types, reproducibility
# ---------------------------------------------------------------------------------------------


def test_same_seed_same_table_other_seed_other_table():
    world = CampaignWorld()
    first = simulate_campaigns(world, 200, rng=rng(3))
    again = simulate_campaigns(world, 200, rng=rng(3))
    other = simulate_campaigns(world, 200, rng=rng(4))
    assert_frame_equal(first, again)
    assert not first["followers"].equals(other["followers"])


def test_table_is_canonical_and_marked_simulated():
    table = simulate_campaigns(CampaignWorld(), 60, rng=rng(0))
    canonical = CANONICAL_COLUMNS["campaigns"]
    assert list(table.columns) == [*canonical, "dataset"]
    assert {c: str(table[c].dtype) for c in canonical} == {c: str(t)
                                                           for c, t in canonical.items()}
    assert set(table["dataset"]) == {DATASET} == {"simulated"}
    assert set(table["platform"]) == {PLATFORM}
    assert set(table["currency"]) == {"USD"}
    assert table.index.equals(pd.RangeIndex(60))
    validate(table, "campaigns")
    assert_frame_equal(campaign_table(table), table)


def test_one_post_per_creator_spread_over_the_campaigns():
    table = simulate_campaigns(CampaignWorld(n_campaigns=3), 10, rng=rng(1))
    assert table["creator"].is_unique
    assert sorted(table["creator"]) == [f"creator{i:02d}" for i in range(10)]
    result = table["campaign"].value_counts().sort_index()
    expected = pd.Series([4, 3, 3], name="count",
                         index=pd.Index(["campaign-1", "campaign-2", "campaign-3"],
                                        name="campaign"))
    pd.testing.assert_series_equal(result, expected, check_index_type=False)


def test_counts_are_whole_and_within_bounds():
    world = CampaignWorld(followers_low=5e3, followers_high=5e5)
    table = simulate_campaigns(world, 500, rng=rng(2))
    for column in ("followers", "impressions", "engagements", "clicks", "conversions"):
        values = table[column].to_numpy()
        assert np.isfinite(values).all() and (values >= 0).all()
        np.testing.assert_array_equal(values, np.round(values))
    assert table["followers"].between(5e3, 5e5).all()
    assert (table["fee"] > 0).all()
    np.testing.assert_array_equal(table["fee"], table["fee"].round(2))


def test_currency_is_the_worlds():
    world = CampaignWorld(currency="EUR", pricing=PriceModel("eur-card", 1.0, 90.0,
                                                             currency="EUR"))
    table = simulate_campaigns(world, 20, rng=rng(0))
    assert set(table["currency"]) == {"EUR"}


def test_pricing_in_another_currency_is_refused():
    with pytest.raises(ValueError, match="pricing model 'rate-card' is in USD, the world in EUR"):
        CampaignWorld(currency="EUR")


# ---------------------------------------------------------------------------------------------
# simulate_campaigns: the generating model
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("pricing", ["rate-card", "izea-2022", "beichert-2024"])
def test_fees_without_negotiation_are_the_price_model(pricing):
    table = simulate_campaigns(CampaignWorld(pricing=pricing, fee_sd=0.0), 100, rng=rng(5))
    expected = price(table["followers"], pricing).round(2).rename("fee")
    pd.testing.assert_series_equal(table["fee"], expected)


@pytest.mark.parametrize("pricing", ["rate-card", "izea-2022"])
def test_fees_follow_the_price_model(pricing):
    world = CampaignWorld(pricing=pricing, fee_sd=0.05)
    table = simulate_campaigns(world, 2000, rng=rng(6))
    ratio = table["fee"] / price(table["followers"], pricing)
    assert ratio.median() == pytest.approx(1.0, abs=0.01)
    assert np.log(ratio).std() == pytest.approx(0.05, rel=0.1)


def test_fees_under_a_custom_price_model():
    model = PriceModel("flat", 0.0, 250.0)
    table = simulate_campaigns(CampaignWorld(pricing=model, fee_sd=0.0), 30, rng=rng(0))
    assert set(table["fee"]) == {250.0}


@pytest.mark.parametrize("b", [0.6, 0.95, 1.2])
def test_engagement_elasticity_is_recovered(b):
    world = CampaignWorld(b=b, engagement_sd=0.05)
    table = simulate_campaigns(world, 3000, rng=rng(7))
    assert (table["engagements"] > 0).all()
    slope, intercept = np.polyfit(np.log(table["followers"] / 1e4),
                                  np.log(table["engagements"]), 1)
    assert slope == pytest.approx(b, abs=0.02)
    assert np.exp(intercept) == pytest.approx(world.engagement_at_10k, rel=0.05)


def test_impressions_are_reach_rate_times_followers():
    table = simulate_campaigns(CampaignWorld(reach_rate=0.2), 3000, rng=rng(8))
    ratio = table["impressions"] / table["followers"]
    assert ratio.median() == pytest.approx(0.2, rel=0.05)


def test_funnel_clicks_conversions_revenue():
    world = CampaignWorld(click_rate=0.05, conversion_rate=0.1, order_value=25.0)
    table = simulate_campaigns(world, 3000, rng=rng(9))
    assert (table["conversions"] <= table["clicks"]).all()
    no_sale = table["conversions"] == 0
    assert no_sale.any() and (~no_sale).any()
    assert (table.loc[no_sale, "revenue"] == 0).all()
    assert (table.loc[~no_sale, "revenue"] > 0).all()
    assert table["clicks"].sum() / table["engagements"].sum() == pytest.approx(0.05, rel=0.05)
    assert table["conversions"].sum() / table["clicks"].sum() == pytest.approx(0.1, rel=0.1)
    per_order = table["revenue"].sum() / table["conversions"].sum()
    assert per_order == pytest.approx(25.0, rel=0.1)


def test_no_clicks_means_no_conversions_or_revenue():
    table = simulate_campaigns(CampaignWorld(click_rate=0.0), 200, rng=rng(10))
    assert (table[["clicks", "conversions", "revenue"]] == 0).all().all()
    table = simulate_campaigns(CampaignWorld(conversion_rate=0.0), 200, rng=rng(10))
    assert (table["clicks"] > 0).any()
    assert (table[["conversions", "revenue"]] == 0).all().all()


def test_the_table_feeds_campaign_returns():
    table = simulate_campaigns(CampaignWorld(), 300, rng=rng(11))
    result = campaign_returns(table, rng=rng(12), measures=("roas", "cpe"), n_resamples=200)
    assert set(result["currency"]) == {"USD"}
    assert result["n"].sum() == 2 * 300
    assert result.loc[result["n_used"] >= 5, "ci_low"].notna().all()


# ---------------------------------------------------------------------------------------------
# simulate_campaigns: argument checks
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"world": object()}, TypeError, "world must be a CampaignWorld, got object"),
        ({"n_creators": 0}, ValueError, "n_creators must be >= 1, got 0"),
        ({"n_creators": 2.5}, TypeError, "n_creators must be an integer, got 2.5"),
        ({"n_creators": True}, TypeError, "n_creators must be an integer, got True"),
        ({"rng": 0}, TypeError, "rng must be a numpy.random.Generator"),
        ({"rng": None}, TypeError, "got NoneType"),
    ],
)
def test_bad_arguments(kwargs, error, match):
    args = {"world": CampaignWorld(), "n_creators": 5, "rng": rng(0)} | kwargs
    with pytest.raises(error, match=match):
        simulate_campaigns(args["world"], args["n_creators"], rng=args["rng"])
