"""Tests for insights.costs: cost metrics, EMV and campaign returns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_series_equal

from insights import metrics
from insights.costs import (
    EMV_RATE_CARDS,
    EMVRateCard,
    campaign_returns,
    campaign_table,
    cpa,
    cpe,
    cpm,
    cpv,
    emv,
    roas,
    roi,
)
from insights.schemas import CANONICAL_COLUMNS, SchemaViolation

NAN = np.nan
STATUS_DTYPE = pd.CategoricalDtype(["ok", "missing", "negative", "zero_denominator"])


def make_expected(value, status, index=None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": np.asarray(value, dtype="float64"),
            "status": pd.Categorical(status, dtype=STATUS_DTYPE),
        },
        index=index,
    )


# ---------------------------------------------------------------------------------------------
# cost metrics
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "numerator", "denominator", "value"),
    [
        (cpe, [100.0, 50.0, 10.0, NAN], [400, 0, -1, 5], [0.25, NAN, NAN, NAN]),
        (cpm, [50.0, 50.0, 10.0, NAN], [10_000, 0, -1, 5], [5.0, NAN, NAN, NAN]),
        (cpv, [30.0, 30.0, 10.0, NAN], [600, 0, -1, 5], [0.05, NAN, NAN, NAN]),
        (cpa, [300.0, 30.0, 10.0, NAN], [12, 0, -1, 5], [25.0, NAN, NAN, NAN]),
        (roas, [300.0, 30.0, 10.0, NAN], [100.0, 0, -1, 5], [3.0, NAN, NAN, NAN]),
        (roi, [300.0, 30.0, 10.0, NAN], [100.0, 0, -1, 5], [2.0, NAN, NAN, NAN]),
    ],
)
def test_cost_metrics_values_and_statuses(metric, numerator, denominator, value):
    index = pd.Index([10, 11, 12, 13])
    result = metric(pd.Series(numerator, index=index), pd.Series(denominator, index=index))
    expected = make_expected(value, ["ok", "zero_denominator", "negative", "missing"], index)
    assert_frame_equal(result, expected)


def test_roi_of_a_loss():
    result = roi(pd.Series([50.0, 0.0]), pd.Series([100.0, 100.0]))
    expected = make_expected([-0.5, -1.0], ["ok", "ok"])
    assert_frame_equal(result, expected)


def test_cost_metrics_accept_a_metric_frame():
    spend = pd.DataFrame({"value": [10.0, NAN],
                          "status": pd.Categorical(["ok", "negative"], dtype=STATUS_DTYPE)})
    result = cpe(spend, pd.Series([4.0, 4.0]))
    assert_frame_equal(result, make_expected([2.5, NAN], ["ok", "negative"]))


# magnitudes kept in [1e-6, 1e12] so that no quotient comes near float64's limit (see the
# overflow tests below)
FINITE = st.one_of(st.floats(min_value=1e-6, max_value=1e12),
                   st.floats(min_value=-1e12, max_value=-1e-6))
SPECIAL = st.sampled_from([0.0, -0.0, NAN, np.inf, -np.inf, -1.0])
PAIRS = st.lists(st.tuples(st.one_of(FINITE, SPECIAL), st.one_of(FINITE, SPECIAL)),
                 max_size=30)


def _series(pairs):
    return (pd.Series([a for a, _ in pairs], dtype="float64"),
            pd.Series([b for _, b in pairs], dtype="float64"))


@settings(max_examples=60, deadline=None)
@given(PAIRS)
@example([(300.0, 100.0), (0.0, 0.0), (-1.0, 0.0), (NAN, -1.0)])
def test_property_cost_metrics_follow_metrics_ratio(pairs):
    num, den = _series(pairs)
    reference = metrics.ratio(num, den)
    for metric in (cpe, cpv, cpa, roas):
        assert_frame_equal(metric(num, den), reference, check_exact=True)
    for metric in (cpm, roi):
        result = metric(num, den)
        assert_series_equal(result["status"], reference["status"])
        assert np.array_equal(np.isfinite(result["value"]), (result["status"] == "ok"))


@settings(max_examples=60, deadline=None)
@given(PAIRS)
def test_property_roi_is_roas_minus_one(pairs):
    revenue, cost = _series(pairs)
    r, s = roi(revenue, cost), roas(revenue, cost)
    assert_series_equal(r["status"], s["status"])
    ok = (s["status"] == "ok").to_numpy()
    np.testing.assert_array_equal(r["value"].to_numpy()[ok], s["value"].to_numpy()[ok] - 1.0)
    assert r["value"][~ok].isna().all()


@settings(max_examples=60, deadline=None)
@given(PAIRS)
def test_property_cpm_is_a_thousand_cpv(pairs):
    cost, impressions = _series(pairs)
    m, v = cpm(cost, impressions), cpv(cost, impressions)
    assert_series_equal(m["status"], v["status"])
    expected = (v["value"] * 1000.0).rename("value")
    assert_series_equal(m["value"], expected, check_exact=True)


def test_cpm_overflow_is_missing_not_inf():
    result = cpm(pd.Series([1e306]), pd.Series([1.0]))
    expected = make_expected([NAN], ["missing"])
    assert_frame_equal(result, expected)


# ---------------------------------------------------------------------------------------------
# EMV
# ---------------------------------------------------------------------------------------------


def test_emv_with_a_named_card():
    frame = pd.DataFrame({"impressions": [20_000, None, -5, 0]})
    result = emv(frame, rate_card="influencerdb-cpm5")
    expected = make_expected([100.0, NAN, NAN, 0.0], ["ok", "missing", "negative", "ok"])
    assert_frame_equal(result, expected)
    result = emv(frame, rate_card=EMV_RATE_CARDS["mightyscout-instagram"])
    expected = make_expected([200.0, NAN, NAN, 0.0], ["ok", "missing", "negative", "ok"])
    assert_frame_equal(result, expected)


def test_emv_with_a_custom_card_sums_columns_and_propagates_statuses():
    card = EMVRateCard("mine", "made up for the test", {"impressions": 0.005, "clicks": 0.5})
    frame = pd.DataFrame(
        {"impressions": [10_000.0, NAN, 1000.0, -1.0], "clicks": [4.0, 2.0, NAN, 3.0]},
        index=["a", "b", "c", "d"],
    )
    result = emv(frame, rate_card=card)
    expected = make_expected([52.0, NAN, NAN, NAN], ["ok", "missing", "missing", "negative"],
                             index=["a", "b", "c", "d"])
    assert_frame_equal(result, expected)


def test_emv_status_follows_metrics_precedence_whatever_the_column_order():
    frame = pd.DataFrame({"impressions": [-1.0], "clicks": [NAN]})
    for values in ({"impressions": 0.005, "clicks": 0.5}, {"clicks": 0.5, "impressions": 0.005}):
        result = emv(frame, rate_card=EMVRateCard("m", "made up", values))
        assert_frame_equal(result, make_expected([NAN], ["missing"]))


def test_emv_overflow_is_missing_not_inf():
    card = EMVRateCard("m", "made up", {"impressions": 1.0, "clicks": 1.0})
    frame = pd.DataFrame({"impressions": [1e308], "clicks": [1e308]})
    with np.errstate(over="ignore"):
        result = emv(frame, rate_card=card)
    assert_frame_equal(result, make_expected([NAN], ["missing"]))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.floats(min_value=-1e9, max_value=1e12), SPECIAL), max_size=20),
    st.floats(min_value=0.0, max_value=100.0),
)
def test_property_emv_of_one_column_is_count_times_unit(counts, unit):
    frame = pd.DataFrame({"views": pd.Series(counts, dtype="float64")})
    result = emv(frame, rate_card=EMVRateCard("m", "made up", {"views": unit}))
    reference = metrics.ratio(frame["views"], pd.Series(1.0, index=frame.index))
    assert_series_equal(result["status"], reference["status"])
    expected = (reference["value"] * unit).rename("value")
    assert_series_equal(result["value"], expected, check_exact=True)


def test_emv_unknown_card_and_missing_columns():
    with pytest.raises(KeyError, match=r"unknown EMV rate card 'cpm3'; known: "
                                       r"\['influencerdb-cpm5', 'mightyscout-instagram'\]"):
        emv(pd.DataFrame({"impressions": [1]}), rate_card="cpm3")
    with pytest.raises(KeyError, match=r"EMV card 'influencerdb-cpm5' needs columns "
                                       r"\['impressions'\]; columns are \['views'\]"):
        emv(pd.DataFrame({"views": [1]}), rate_card="influencerdb-cpm5")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"source": ""}, r"EMV rate card 'c' needs a source: EMV is an assumption"),
        ({"source": "   "}, r"needs a source"),
        ({"values": {}}, r"EMV rate card 'c' has no values"),
        ({"values": {"impressions": -0.001}},
         r"EMV rate card 'c': values must be >= 0, got \{'impressions': -0.001\}"),
        ({"values": {"views": NAN, "clicks": 1.0}}, r"values must be >= 0, got \{'views': nan\}"),
        ({"values": {"views": np.inf}}, r"got \{'views': inf\}"),
    ],
)
def test_emv_rate_card_validation(kwargs, match):
    fields = {"name": "c", "source": "somewhere", "values": {"impressions": 0.005}} | kwargs
    with pytest.raises(ValueError, match=match):
        EMVRateCard(**fields)


def test_emv_rate_cards_are_documented_cpms():
    assert EMV_RATE_CARDS["influencerdb-cpm5"].values == {"impressions": 0.005}
    assert EMV_RATE_CARDS["mightyscout-instagram"].values == {"impressions": 0.01}
    assert all(card.source and card.currency == "USD" for card in EMV_RATE_CARDS.values())


# ---------------------------------------------------------------------------------------------
# campaign_table
# ---------------------------------------------------------------------------------------------


def _campaigns() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "campaign": "spring",
            "creator": ["a", "b", "c", "d", "e"],
            "platform": "instagram",
            "followers": [2e3, 2e4, 4e4, 1e5, 2e6],
            "fee": [100.0, 200.0, 300.0, 1000.0, 3000.0],
            "impressions": [1000.0, 3000.0, 6000.0, 5e4, 1.5e5],
            "engagements": [40.0, 60.0, 100.0, 500.0, 1500.0],
            "conversions": [1.0, 3.0, NAN, 10.0, 20.0],
            "revenue": [150.0, 750.0, 0.0, 5000.0, 3000.0],
            "currency": " eur",
        }
    )


def test_campaign_table_is_canonical():
    frame = pd.DataFrame({"campaign": "c1", "creator": ["b", "a"], "platform": "tiktok",
                          "fee": [250, 100], "currency": "usd", "brief": ["x", "y"]})
    result = campaign_table(frame)
    assert list(result.columns) == [*CANONICAL_COLUMNS["campaigns"], "brief"]
    expected = pd.DataFrame(
        {"creator": ["a", "b"], "fee": [100.0, 250.0], "currency": ["USD", "USD"],
         "brief": ["y", "x"]}
    )
    assert_frame_equal(result[expected.columns], expected, check_dtype=False)
    assert result["clicks"].isna().all() and result["clicks"].dtype == "float64"


def test_campaign_table_does_not_mutate_input():
    frame = _campaigns()
    before = frame.copy()
    campaign_table(frame)
    assert_frame_equal(frame, before)


def test_campaign_table_mixed_currencies_names_rows():
    frame = _campaigns().assign(currency=["usd", "USD", "EUR", " usd", "GBP"])
    with pytest.raises(ValueError, match=r"column 'currency' mixes \['EUR', 'GBP', 'USD'\].*"
                                         r"rows \[2, 4\] are not USD"):
        campaign_table(frame)


@pytest.mark.parametrize("column", ["fee", "revenue", "engagements", "followers"])
def test_campaign_table_negative_money_or_counts(column):
    frame = _campaigns()
    frame.loc[3, column] = -5.0
    with pytest.raises(SchemaViolation,
                       match=rf"column '{column}' fails must be >= 0: rows \[3\]; values "
                             r"\[-5.0\]"):
        campaign_table(frame)


def test_campaign_table_requires_a_currency():
    with pytest.raises(SchemaViolation, match="currency"):
        campaign_table(_campaigns().drop(columns="currency"))


# ---------------------------------------------------------------------------------------------
# campaign_returns
# ---------------------------------------------------------------------------------------------

DEFINITIONS = {
    "roi": "(revenue - fee) / fee", "roas": "revenue / fee", "cpe": "fee per engagement",
    "cpm": "fee per 1,000 impressions", "cpa": "fee per conversion",
}


def test_campaign_returns_pooled_by_hand():
    result = campaign_returns(_campaigns(), rng=np.random.default_rng(0),
                              tier_scheme="micro-1k-50k")
    # micro (a, b, c): fees 600, revenue 900, engagements 200, impressions 10,000, and
    # conversions 4 on the fees of a and b (c has none recorded).
    # above (d, e): fees 4000, revenue 8000, engagements 2000, impressions 200,000, conv. 30.
    measures = ["roi", "roas", "cpe", "cpm", "cpa"]
    expected = pd.DataFrame(
        {
            "tier": ["<1k"] * 5 + ["micro"] * 5 + ["above"] * 5,
            "lower": [0.0] * 5 + [1e3] * 5 + [5e4] * 5,
            "upper": [1e3] * 5 + [5e4] * 5 + [np.inf] * 5,
            "measure": measures * 3,
            "definition": [DEFINITIONS[m] for m in measures] * 3,
            "n": [0] * 5 + [3] * 5 + [2] * 5,
            "n_used": [0] * 5 + [3, 3, 3, 3, 2] + [2] * 5,
            "estimate": [NAN] * 5 + [0.5, 1.5, 3.0, 60.0, 75.0]
                        + [1.0, 2.0, 2.0, 20.0, 4000.0 / 30.0],
            "ci_low": [NAN] * 15,  # every tier is below min_n = 5
            "ci_high": [NAN] * 15,
            "currency": ["EUR"] * 15,
        }
    )
    assert_frame_equal(result, expected, check_dtype=False)
    assert result["n"].dtype.kind == "i" and result["n_used"].dtype.kind == "i"


def test_campaign_returns_measures_in_the_order_asked():
    result = campaign_returns(_campaigns(), rng=np.random.default_rng(0),
                              tier_scheme="micro-1k-50k", measures=("cpe", "roas"))
    assert result["measure"].tolist() == ["cpe", "roas"] * 3
    assert result["tier"].tolist() == ["<1k", "<1k", "micro", "micro", "above", "above"]


def test_campaign_returns_industry_tiers_listed_even_when_empty():
    result = campaign_returns(_campaigns(), rng=np.random.default_rng(0), measures=("roas",))
    assert result["tier"].tolist() == ["<1k", "nano", "micro", "mid", "macro", "mega"]
    assert result["n"].tolist() == [0, 1, 2, 1, 0, 1]
    assert result["estimate"].isna().tolist() == [True, False, False, False, True, False]


def test_campaign_returns_constant_ratio_has_a_degenerate_ci():
    table = pd.DataFrame({"campaign": "c", "creator": [f"c{i}" for i in range(10)],
                          "platform": "instagram", "followers": [2e4] * 10,
                          "fee": [100.0] * 10, "revenue": [300.0] * 10,
                          "engagements": [50.0] * 10, "currency": "USD"})
    result = campaign_returns(table, rng=np.random.default_rng(0), measures=("roi", "cpe"))
    micro = result.loc[result["tier"] == "micro", ["measure", "n", "estimate", "ci_low",
                                                    "ci_high"]]
    expected = pd.DataFrame({"measure": ["roi", "cpe"], "n": [10, 10], "estimate": [2.0, 2.0],
                             "ci_low": [2.0, 2.0], "ci_high": [2.0, 2.0]}, index=[4, 5])
    assert_frame_equal(micro, expected, check_dtype=False)


def _random_campaigns(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(3, 7, n))
    fee = np.round(0.01 * followers * np.exp(rng.normal(0, 0.5, n)), 2)
    engagements = rng.poisson(0.03 * followers).astype(float)
    return pd.DataFrame(
        {
            "campaign": "c", "creator": [f"k{i}" for i in range(n)], "platform": "tiktok",
            "followers": followers, "fee": fee,
            "impressions": np.round(0.3 * followers), "engagements": engagements,
            "conversions": rng.poisson(0.001 * engagements + 0.5).astype(float),
            "revenue": np.round(fee * rng.gamma(2.0, 1.0, n), 2), "currency": "USD",
        }
    )


def test_campaign_returns_ci_contains_the_estimate():
    result = campaign_returns(_random_campaigns(300, 1), rng=np.random.default_rng(1),
                              n_resamples=500)
    with_ci = result.loc[result["n_used"] >= 5]
    assert len(with_ci) >= 20
    assert (with_ci["ci_low"] <= with_ci["estimate"]).all()
    assert (with_ci["estimate"] <= with_ci["ci_high"]).all()
    assert (with_ci["ci_low"] < with_ci["ci_high"]).all()
    assert result.loc[result["n_used"] < 5, ["ci_low", "ci_high"]].isna().all().all()


def test_campaign_returns_narrower_ci_at_lower_level():
    table = _random_campaigns(200, 2)
    wide = campaign_returns(table, rng=np.random.default_rng(3), n_resamples=500, level=0.95)
    narrow = campaign_returns(table, rng=np.random.default_rng(3), n_resamples=500, level=0.5)
    ok = wide["n_used"] >= 5
    assert ((narrow["ci_high"] - narrow["ci_low"])[ok]
            <= (wide["ci_high"] - wide["ci_low"])[ok]).all()
    assert_series_equal(narrow["estimate"], wide["estimate"])


def test_campaign_returns_min_n():
    table = _random_campaigns(100, 4)
    result = campaign_returns(table, rng=np.random.default_rng(0), n_resamples=200,
                              min_n=1000)
    assert result["ci_low"].isna().all() and result["ci_high"].isna().all()
    assert result["estimate"].notna().sum() > 0


def test_campaign_returns_reproducible_with_the_same_seed():
    table = _random_campaigns(120, 5)
    first = campaign_returns(table, rng=np.random.default_rng(7), n_resamples=300)
    again = campaign_returns(table, rng=np.random.default_rng(7), n_resamples=300)
    other = campaign_returns(table, rng=np.random.default_rng(8), n_resamples=300)
    assert_frame_equal(first, again)
    assert_series_equal(first["estimate"], other["estimate"])
    assert not first["ci_low"].equals(other["ci_low"])


def test_campaign_returns_unknown_measure():
    with pytest.raises(ValueError, match=r"unknown measures \['irr'\]; choose from \['roi', "):
        campaign_returns(_campaigns(), rng=np.random.default_rng(0), measures=("roi", "irr"))


@pytest.mark.parametrize("rng", [None, 42, np.random.RandomState(0)])
def test_campaign_returns_requires_a_generator(rng):
    with pytest.raises(TypeError, match=r"pass rng=np.random.default_rng\(seed\)"):
        campaign_returns(_campaigns(), rng=rng)


def test_campaign_returns_checks_the_table():
    frame = _campaigns()
    frame.loc[0, "fee"] = -1.0
    with pytest.raises(SchemaViolation, match="column 'fee' fails must be >= 0"):
        campaign_returns(frame, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="mixes"):
        campaign_returns(_campaigns().assign(currency=["EUR"] * 4 + ["USD"]),
                         rng=np.random.default_rng(0))


def test_campaign_returns_keeps_zero_denominators_in_the_pooled_cost():
    frame = _campaigns()
    frame.loc[1, "engagements"] = 0.0  # creator b, micro under micro-1k-50k
    result = campaign_returns(frame, rng=np.random.default_rng(0), measures=("cpe",),
                              tier_scheme="micro-1k-50k")
    micro = result.loc[result["tier"] == "micro"].iloc[0]
    # the zero-engagement post was paid for: its fee stays in the pooled cost
    assert micro["n_used"] == 3
    assert micro["estimate"] == pytest.approx((100.0 + 200.0 + 300.0) / (40.0 + 0.0 + 100.0))
