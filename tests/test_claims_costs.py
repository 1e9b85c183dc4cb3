"""Tests for the C2 claim functions of insights.claims and for insights.stats.group_ratio.

Creators are generated here with a KNOWN engagement elasticity ``b`` and priced with power-law
models of KNOWN exponent ``p``, so cost per engagement scales as ``followers ** (p - b)`` and
every expected ratio and verdict follows from the data-generating process. Noise-free tables
give closed-form estimates; noisy ones check that the verdict lands on the right side.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_series_equal

from insights import metrics
from insights.claims import (
    OBSERVED,
    comparison_groups,
    cost_per_engagement_elasticity,
    cpe_ratio_across_tables,
    creator_costs,
    creator_means,
    group_versus_one,
    micro_cost_per_engagement,
    micro_definition_dependence,
    micro_engagement_rate,
    tier_tests,
)
from insights.pricing import PriceModel, price, price_model
from insights.stats import (
    GroupRatio,
    InsufficientDataError,
    group_ratio,
    percentile_interval,
    power_ratio_draws,
)
from insights.tiers import custom_scheme
from insights.verdicts import ClaimResult

B = 0.8  # engagement elasticity of the constructed creators


def linear_price(p: float, name: str | None = None) -> PriceModel:
    """``fee = 100 * (followers / 10,000) ** p``."""
    return PriceModel(name or f"p{p:g}", p, 100.0, source="test")


def make_creators(rng: np.random.Generator, *, n: int, b: float, sigma: float = 0.3,
                  decades: tuple[float, float] = (3, 7)) -> pd.DataFrame:
    """Creators table with ``avg_likes = 0.05 * followers**b * exp(N(0, sigma))``."""
    followers = 10 ** rng.uniform(*decades, n)
    likes = 0.05 * followers**b * np.exp(rng.normal(0, sigma, n))
    return pd.DataFrame({"creator": [f"c{i:04d}" for i in range(n)], "followers": followers,
                         "avg_likes": likes})


# industry scheme: 5 micro creators (10k-100k, median 50k) and 5 macro/mega ones
# (500k+, median 2M); a nano and a mid creator that neither group includes
MICRO_F = [2e4, 3e4, 5e4, 7e4, 9e4]
BIG_F = [6e5, 8e5, 2e6, 4e6, 8e6]
OTHER_F = [5e3, 2e5]


def exact_creators(b: float = B) -> pd.DataFrame:
    """Noise-free creators: engagement is exactly ``0.05 * followers ** b``."""
    followers = np.array(OTHER_F[:1] + MICRO_F + OTHER_F[1:] + BIG_F)
    return pd.DataFrame({"creator": [f"c{i}" for i in range(len(followers))],
                         "followers": followers, "avg_likes": 0.05 * followers**b})


def posts_table() -> pd.DataFrame:
    return pd.DataFrame({
        "platform": "instagram",
        "creator": ["b", "a", "a", "c", "c", "a"],
        "post_id": ["p1", "p2", "p3", "p4", "p5", "p6"],
        "likes": [100.0, 10.0, 30.0, np.nan, 40.0, 20.0],
        "comments": [0.0, 0.0, 2.0, 1.0, 0.0, 1.0],
        "followers": [2e5, 1e4, 1e4, 5e4, 5e4, 1e4],
        "fee": [500.0, 50.0, 70.0, 300.0, 100.0, 240.0],
    })


# ---------------------------------------------------------------------------------------------
# group_ratio
# ---------------------------------------------------------------------------------------------

# ratios a: [3, 1, 2, 1, 1] (median 1, pooled 14 / 10); b: [2, 3, 5, 2, 3] (median 3, 31 / 10)
NUM_A, DEN_A = [3.0, 1.0, 4.0, 1.0, 5.0], [1.0, 1.0, 2.0, 1.0, 5.0]
NUM_B, DEN_B = [2.0, 6.0, 10.0, 4.0, 9.0], [1.0, 2.0, 2.0, 2.0, 3.0]


@pytest.mark.parametrize(
    ("stat", "stat_a", "stat_b"), [("median", 1.0, 3.0), ("pooled", 1.4, 3.1)]
)
def test_group_ratio_hand_computed(stat, stat_a, stat_b):
    result = group_ratio(NUM_A, DEN_A, NUM_B, DEN_B, stat=stat, rng=np.random.default_rng(0),
                         n_resamples=200)
    assert isinstance(result, GroupRatio)
    assert result.stat_a == pytest.approx(stat_a, rel=1e-12)
    assert result.stat_b == pytest.approx(stat_b, rel=1e-12)
    assert result.estimate == pytest.approx(stat_a / stat_b, rel=1e-12)
    assert (result.n_a, result.n_b, result.stat, result.n_resamples, result.level) == (
        5, 5, stat, 200, 0.95)
    assert result.draws.shape == (200,)
    assert result.ci_low <= result.estimate <= result.ci_high


def test_group_ratio_accepts_series_and_ignores_their_index():
    as_series = group_ratio(pd.Series(NUM_A, index=[9, 8, 7, 6, 5]), pd.Series(DEN_A),
                            pd.Series(NUM_B), pd.Series(DEN_B, index=list("vwxyz")),
                            rng=np.random.default_rng(1), n_resamples=100)
    as_lists = group_ratio(NUM_A, DEN_A, NUM_B, DEN_B, rng=np.random.default_rng(1),
                           n_resamples=100)
    assert as_series == as_lists
    np.testing.assert_array_equal(as_series.draws, as_lists.draws)


def test_group_ratio_constant_groups_have_an_exact_interval():
    result = group_ratio([2.0] * 6, [1.0] * 6, [8.0] * 5, [2.0] * 5,
                         rng=np.random.default_rng(0), n_resamples=50)
    assert (result.estimate, result.ci_low, result.ci_high) == (0.5, 0.5, 0.5)


@pytest.mark.parametrize("stat", ["median", "pooled"])
def test_group_ratio_swapping_groups_gives_the_reciprocal(stat):
    ab = group_ratio(NUM_A, DEN_A, NUM_B, DEN_B, stat=stat, rng=np.random.default_rng(0),
                     n_resamples=100)
    ba = group_ratio(NUM_B, DEN_B, NUM_A, DEN_A, stat=stat, rng=np.random.default_rng(0),
                     n_resamples=100)
    assert ba.estimate == pytest.approx(1 / ab.estimate, rel=1e-12)
    assert (ba.stat_a, ba.stat_b) == (ab.stat_b, ab.stat_a)


def test_group_ratio_median_draws_resample_every_unit():
    # group b is constant (ratio 2): each draw is a resampled median of group a over 2, and
    # with 400 resamples every unit of a is the median of some resample
    result = group_ratio([1.0, 2.0, 3.0, 4.0, 5.0], [1.0] * 5, [2.0] * 5, [1.0] * 5,
                         rng=np.random.default_rng(0), n_resamples=400)
    assert set(result.draws) == {0.5, 1.0, 1.5, 2.0, 2.5}
    assert (result.ci_low, result.ci_high) == (0.5, 2.5)


def test_group_ratio_zero_denominator_sorts_as_infinite_in_the_median():
    # one unit of group a has an infinite ratio; the median of 5 is still the third value
    result = group_ratio([1.0, 2.0, 3.0, 4.0, 5.0], [0.0, 1.0, 1.0, 1.0, 1.0], [1.0], [1.0],
                         rng=np.random.default_rng(0), n_resamples=50)
    assert result.stat_a == 4.0
    assert result.estimate == 4.0


units = st.lists(
    st.tuples(st.floats(0.01, 1e4, allow_subnormal=False),
              st.floats(0.01, 1e4, allow_subnormal=False)),
    min_size=5, max_size=25,
)


@settings(deadline=None, max_examples=40)
@given(a=units, b=units, k=st.floats(1e-3, 1e3), stat=st.sampled_from(["median", "pooled"]),
       seed=st.integers(0, 2**32 - 1))
def test_group_ratio_is_unchanged_when_every_numerator_is_scaled(a, b, k, stat, seed):
    (na, da), (nb, db) = (np.array(a).T, np.array(b).T)
    base = group_ratio(na, da, nb, db, stat=stat, rng=np.random.default_rng(seed),
                       n_resamples=50)
    scaled = group_ratio(k * na, da, k * nb, db, stat=stat, rng=np.random.default_rng(seed),
                         n_resamples=50)
    assert scaled.estimate == pytest.approx(base.estimate, rel=1e-9)
    assert scaled.stat_a == pytest.approx(k * base.stat_a, rel=1e-9)
    # same seed, same resamples: the interval is unchanged too
    assert scaled.ci_low == pytest.approx(base.ci_low, rel=1e-9)
    assert scaled.ci_high == pytest.approx(base.ci_high, rel=1e-9)


@settings(deadline=None, max_examples=40)
@given(a=units, b=units, seed=st.integers(0, 2**32 - 1))
def test_group_ratio_median_interval_contains_the_estimate(a, b, seed):
    (na, da), (nb, db) = (np.array(a).T, np.array(b).T)
    result = group_ratio(na, da, nb, db, rng=np.random.default_rng(seed), n_resamples=200)
    assert result.estimate == pytest.approx(np.median(na / da) / np.median(nb / db),
                                            rel=1e-12)
    assert result.ci_low <= result.estimate * (1 + 1e-12)
    assert result.estimate <= result.ci_high * (1 + 1e-12)


def test_group_ratio_pooled_interval_contains_the_estimate():
    rng = np.random.default_rng(5)
    num_a, den_a = rng.lognormal(0, 1, 30), rng.lognormal(3, 1, 30)
    num_b, den_b = rng.lognormal(1, 1, 40), rng.lognormal(3, 1, 40)
    result = group_ratio(num_a, den_a, num_b, den_b, stat="pooled",
                         rng=np.random.default_rng(0), n_resamples=300)
    expected = (num_a.sum() / den_a.sum()) / (num_b.sum() / den_b.sum())
    assert result.estimate == pytest.approx(expected, rel=1e-12)
    assert result.ci_low < result.estimate < result.ci_high


def test_group_ratio_no_interval_below_min_n():
    small = group_ratio(NUM_A[:4], DEN_A[:4], NUM_B, DEN_B, rng=np.random.default_rng(0),
                        n_resamples=50)
    assert math.isfinite(small.estimate)
    assert math.isnan(small.ci_low) and math.isnan(small.ci_high)
    assert small.draws.size == 0
    lowered = group_ratio(NUM_A[:4], DEN_A[:4], NUM_B, DEN_B, rng=np.random.default_rng(0),
                          n_resamples=50, min_n=4)
    assert math.isfinite(lowered.ci_low) and math.isfinite(lowered.ci_high)
    assert lowered.estimate == small.estimate


def test_group_ratio_is_deterministic_with_a_seed_and_batch_size_free():
    kwargs = dict(rng=None, n_resamples=120)
    runs = []
    for budget in (4_000_000, 5, 17):
        kwargs["rng"] = np.random.default_rng(11)
        runs.append(group_ratio(NUM_A, DEN_A, NUM_B, DEN_B, batch_budget=budget, **kwargs))
    assert runs[0] == runs[1] == runs[2]
    for run in runs[1:]:
        np.testing.assert_array_equal(run.draws, runs[0].draws)
    other = group_ratio(NUM_A, DEN_A, NUM_B, DEN_B, rng=np.random.default_rng(12),
                        n_resamples=120)
    assert not np.array_equal(other.draws, runs[0].draws)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (([1.0, -2.0, 3.0], [1.0, 1.0, 1.0], NUM_B, DEN_B),
         r"group a: num and den must be finite and >= 0; rows \[1\] are not "
         r"\(num \[-2.0\], den \[1.0\]\)"),
        ((NUM_A, DEN_A, NUM_B, [1.0, 2.0, np.nan, 2.0, -3.0]),
         r"group b: .*rows \[2, 4\] are not"),
        ((NUM_A, DEN_A, [np.inf, 1.0], [1.0, 1.0]), r"group b: .*rows \[0\]"),
        (([1.0, 2.0, 3.0], [1.0, 1.0], NUM_B, DEN_B),
         r"group a: num and den must be 1-d of equal length, got \(3,\) and \(2,\)"),
        (([[1.0, 2.0]], [[1.0, 2.0]], NUM_B, DEN_B), r"group a: .*1-d"),
    ],
)
def test_group_ratio_bad_values_name_the_group_and_rows(args, match):
    with pytest.raises(ValueError, match=match):
        group_ratio(*args, rng=np.random.default_rng(0))


@pytest.mark.parametrize(
    ("args", "match"),
    [(([], [], NUM_B, DEN_B), "group a has 0, group b has 5"),
     ((NUM_A, DEN_A, [], []), "group a has 5, group b has 0")],
)
def test_group_ratio_empty_group_is_insufficient_data(args, match):
    with pytest.raises(InsufficientDataError, match=match) as info:
        group_ratio(*args, rng=np.random.default_rng(0))
    assert sorted(info.value.counts) == [0, 5]


def test_group_ratio_bad_stat_and_missing_rng():
    with pytest.raises(ValueError, match=r"stat must be one of \['median', 'pooled'\], "
                                         r"got 'mean'"):
        group_ratio(NUM_A, DEN_A, NUM_B, DEN_B, stat="mean", rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"rng=np.random.default_rng\(seed\)"):
        group_ratio(NUM_A, DEN_A, NUM_B, DEN_B, rng=None)
    with pytest.raises(TypeError, match="rng="):
        group_ratio(NUM_A, DEN_A, NUM_B, DEN_B, rng=42)


def test_group_ratio_interval_counts_resamples_with_an_infinite_median():
    den_a = [0.0] * 5 + [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    result = group_ratio([1.0] * 11, den_a, [1.0] * 11, [1.0] * 11,
                         rng=np.random.default_rng(0), n_resamples=1000)
    assert result.estimate == 1.0  # the median unit has ratio 1 / 1
    assert np.isinf(result.draws).mean() > 0.1  # far more than the 2.5% tail
    assert result.ci_high == np.inf


def test_group_ratio_never_gives_an_interval_without_an_estimate():
    result = group_ratio([0.0, 1.0, 1.0, 1.0, 1.0], [0.0, 1.0, 1.0, 1.0, 1.0], [1.0] * 5,
                         [1.0] * 5, rng=np.random.default_rng(0), n_resamples=100)
    assert math.isfinite(result.estimate) == math.isfinite(result.ci_low)


# ---------------------------------------------------------------------------------------------
# creator_costs
# ---------------------------------------------------------------------------------------------


def test_creator_costs_creators_table_by_hand():
    creators = pd.DataFrame({"creator": ["a", "b", "c"], "followers": [1e4, 1e6, 4e4],
                             "avg_likes": [400.0, 9000.0, 0.0],
                             "avg_comments": [100.0, 1000.0, 0.0]}, index=[10, 20, 30])
    result = creator_costs(creators, pricing=linear_price(1.0))
    expected = pd.DataFrame({
        "creator": ["a", "b", "c"],
        "followers": [1e4, 1e6, 4e4],
        "engagement": [500.0, 10000.0, 0.0],
        "fee": [100.0, 10000.0, 400.0],
        "cpe": [0.2, 1.0, np.nan],
    })
    assert_frame_equal(result.drop(columns="cpe_status"), expected)
    assert result["cpe_status"].astype(str).tolist() == ["ok", "ok", "zero_denominator"]


@pytest.mark.parametrize("pricing", ["rate-card", "izea-2022", linear_price(0.5)])
def test_creator_costs_fee_is_the_pricing_models_price(pricing):
    creators = make_creators(np.random.default_rng(0), n=50, b=B)
    result = creator_costs(creators, pricing=pricing)
    expected = price(creators["followers"], pricing)
    assert_series_equal(result["fee"], expected)
    assert_series_equal(result["cpe"], (expected / creators["avg_likes"]).rename("cpe"))


def test_creator_costs_posts_table_uses_creator_means():
    posts = posts_table()
    result = creator_costs(posts, pricing="rate-card")
    means = metrics.creator_engagement(posts, components=("likes", "comments"), stat="mean")
    assert list(result.columns) == ["platform", "creator", "followers", "engagement", "fee",
                                    "cpe", "cpe_status"]
    assert_frame_equal(result[["platform", "creator", "followers", "engagement"]],
                       means[["platform", "creator", "followers", "engagement"]])
    assert result["creator"].tolist() == ["a", "b", "c"]
    # a: (10 + 32 + 21) / 3; c: its one usable post
    assert result["engagement"].tolist() == [21.0, 100.0, 40.0]
    assert_series_equal(result["fee"], price(means["followers"], "rate-card"))


def test_creator_means_by_hand():
    result = creator_means(posts_table())
    expected = pd.DataFrame({"platform": ["instagram"] * 3, "creator": ["a", "b", "c"]})
    assert_frame_equal(result[["platform", "creator"]], expected, check_dtype=False)
    # a: (10 + 32 + 21) / 3; c: its one usable post
    assert result["engagement"].tolist() == [21.0, 100.0, 40.0]


@pytest.mark.parametrize("pricing", ["rate-card", "izea-2022", linear_price(0.5)])
def test_creator_costs_with_means_equals_without(pricing):
    posts = posts_table()
    result = creator_costs(posts, pricing=pricing, means=creator_means(posts))
    expected = creator_costs(posts, pricing=pricing)
    assert_frame_equal(result, expected)


def test_creator_costs_refuses_means_with_observed_fees():
    posts = posts_table()
    with pytest.raises(ValueError, match="means= is for pricing models"):
        creator_costs(posts, pricing=OBSERVED, means=creator_means(posts))


def test_micro_cost_per_engagement_with_means_equals_without():
    """The reduction passed in (as a report does for several models) changes nothing: the
    same estimate, interval, verdict and notes from the same seed."""
    rng = np.random.default_rng(3)
    creators = make_creators(rng, n=300, b=B, decades=(3.5, 6.5))
    posts = pd.DataFrame({
        "platform": "instagram",
        "creator": np.repeat(creators["creator"].to_numpy(), 4),
        "followers": np.repeat(creators["followers"].to_numpy(), 4),
        "likes": np.round(np.repeat(creators["avg_likes"].to_numpy(), 4)
                          * rng.lognormal(0, 0.5, 1200)),
        "comments": rng.poisson(5, 1200).astype(float),
    })
    posts["post_id"] = [f"p{i}" for i in range(len(posts))]
    means = creator_means(posts, components=("likes", "comments"))
    for model in ("rate-card", ["rate-card", "izea-2022"]):
        kwargs = dict(pricing=model, components=("likes", "comments"), n_resamples=200,
                      within_support=True, price_uncertainty=True, dataset="toy")
        result = micro_cost_per_engagement(posts, rng=np.random.default_rng(5), means=means,
                                           **kwargs)
        expected = micro_cost_per_engagement(posts, rng=np.random.default_rng(5), **kwargs)
        assert result == expected


def test_creator_costs_observed_fee_is_the_creator_mean_on_posts():
    result = creator_costs(posts_table(), pricing=OBSERVED)
    # the mean fee (a: 120, not the median 70); every post's fee counts, also that of c's
    # post without a usable engagement
    assert result["fee"].tolist() == [120.0, 500.0, 200.0]
    np.testing.assert_allclose(result["cpe"], [120 / 21, 5.0, 5.0])


def test_creator_costs_observed_on_creators_and_custom_fee_column():
    creators = pd.DataFrame({"creator": ["a", "b"], "followers": [1e4, 1e6],
                             "avg_engagement": [50.0, 0.0], "price_usd": ["25", None]})
    result = creator_costs(creators, pricing=OBSERVED, fee="price_usd")
    expected = pd.DataFrame({"creator": ["a", "b"], "followers": [1e4, 1e6],
                             "engagement": [50.0, 0.0], "fee": [25.0, np.nan],
                             "cpe": [0.5, np.nan]})
    assert_frame_equal(result.drop(columns="cpe_status"), expected)
    assert result["cpe_status"].astype(str).tolist() == ["ok", "missing"]


@pytest.mark.parametrize("frame", [posts_table().drop(columns="fee"), exact_creators()])
def test_creator_costs_observed_without_fee_column(frame):
    with pytest.raises(KeyError, match=r"pricing='observed' needs a 'fee' column; "
                                       r"columns are \[.*'followers'"):
        creator_costs(frame, pricing=OBSERVED)


def test_creator_costs_explicit_components_and_unknown_model():
    posts = posts_table()
    result = creator_costs(posts, pricing="rate-card", components=("likes",))
    assert result["engagement"].tolist() == [20.0, 100.0, 40.0]
    with pytest.raises(KeyError, match="unknown pricing model 'cheap'"):
        creator_costs(posts, pricing="cheap")


# ---------------------------------------------------------------------------------------------
# comparison_groups
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "versus", "expected"),
    [
        ("industry", None, ("micro", ("macro", "mega"))),
        ("micro-1k-50k", None, ("micro", ("above",))),
        ("micro-1k-100k", None, ("micro", ("above",))),
        ("micro-10k-500k", None, ("micro", ("above",))),
        ("industry", ["mid", "macro", "mega"], ("micro", ("mid", "macro", "mega"))),
        ("industry", ("nano",), ("micro", ("nano",))),
        (custom_scheme("four", [0, 1e4, 1e5, 1e6], ["small", "micro", "large", "huge"]), None,
         ("micro", ("large", "huge"))),
    ],
)
def test_comparison_groups(scheme, versus, expected):
    assert comparison_groups(scheme, versus) == expected


@pytest.mark.parametrize(
    ("scheme", "versus", "match"),
    [
        (custom_scheme("two", [0, 5e4], ["small", "large"]), None,
         r"tier scheme 'two' has no 'micro' tier: \['small', 'large'\]"),
        ("industry", ("micro", "mega"), r"other than micro, from \['nano', 'micro', 'mid', "
                                       r"'macro', 'mega'\]; got \['micro', 'mega'\]"),
        ("industry", ("huge",), r"versus must name tiers of 'industry'.*got \['huge'\]"),
        ("industry", (), r"got \[\]"),
        (custom_scheme("top", [0, 1e4], ["small", "micro"]), None,
         r"'top': 'micro' is the top tier, so there is nothing bigger"),
    ],
)
def test_comparison_groups_errors(scheme, versus, match):
    with pytest.raises(ValueError, match=match):
        comparison_groups(scheme, versus)


def test_comparison_groups_unknown_scheme():
    with pytest.raises(KeyError, match="unknown tier scheme 'tiny'"):
        comparison_groups("tiny")


# ---------------------------------------------------------------------------------------------
# micro_cost_per_engagement
# ---------------------------------------------------------------------------------------------


def cpe_of(followers: float, p: float, b: float = B) -> float:
    return 100 * (followers / 1e4) ** p / (0.05 * followers**b)


@pytest.mark.parametrize(("p", "verdict"), [(0.3, "contradicted"), (1.2, "supported")])
def test_c2_noise_free_median_ratio_is_the_closed_form(p, verdict):
    result = micro_cost_per_engagement(exact_creators(), pricing=linear_price(p),
                                       rng=np.random.default_rng(0), n_resamples=200)
    # medians of 5 creators are the middle creators: 50k over 2M followers
    expected = (5e4 / 2e6) ** (p - B)
    assert result.estimate == pytest.approx(expected, rel=1e-9)
    assert result.estimate == pytest.approx(cpe_of(5e4, p) / cpe_of(2e6, p), rel=1e-9)
    # no noise: every micro creator is cheaper (p > b) or dearer (p < b) than every big one
    assert result.verdict == verdict
    assert result.ci_low <= result.estimate <= result.ci_high
    assert (result.claim, result.n, result.dataset) == ("C2", 10, "unnamed")
    assert result.method == ("median cost per engagement per creator, micro / macro + mega; "
                             "stratified percentile bootstrap (200 resamples)")
    assert (f"median cost per engagement: micro {cpe_of(5e4, p):.4g}, macro + mega "
            f"{cpe_of(2e6, p):.4g}") in result.notes


def test_c2_noise_free_on_the_line_is_inconclusive():
    result = micro_cost_per_engagement(exact_creators(), pricing=linear_price(B),
                                       rng=np.random.default_rng(0), n_resamples=100)
    assert result.estimate == pytest.approx(1.0, rel=1e-9)
    assert result.verdict == "inconclusive"


def test_c2_pooled_is_total_fee_over_total_engagement():
    frame = exact_creators()
    p = 1.0
    result = micro_cost_per_engagement(frame, pricing=linear_price(p), stat="pooled",
                                       rng=np.random.default_rng(0), n_resamples=100)
    micro, big = np.array(MICRO_F), np.array(BIG_F)
    fee_micro, fee_big = 100 * micro / 1e4, 100 * big / 1e4
    expected = ((fee_micro.sum() / (0.05 * micro**B).sum())
                / (fee_big.sum() / (0.05 * big**B).sum()))
    assert result.estimate == pytest.approx(expected, rel=1e-9)
    assert result.method.startswith("pooled cost per engagement per creator")
    assert result.verdict == "supported"


def test_c2_notes_say_the_engagement_pricing_spans_and_counts():
    result = micro_cost_per_engagement(exact_creators(), pricing="rate-card",
                                       rng=np.random.default_rng(0), n_resamples=50,
                                       dataset="toy")
    assert result.dataset == "toy"
    assert result.notes[0] == "engagement = avg_likes (creator mean per post)"
    assert result.notes[1] == f"pricing {price_model('rate-card').describe()}"
    assert ("tier scheme industry: micro = 10k-100k, versus macro + mega = 500k+; "
            "5 vs 5 creators") in result.notes


def test_c2_three_tier_scheme_compares_with_above():
    result = micro_cost_per_engagement(exact_creators(), pricing=linear_price(1.0),
                                       scheme="micro-1k-50k", rng=np.random.default_rng(0),
                                       n_resamples=50)
    # micro 1k-50k: 5k, 20k, 30k; above: 50k ... 8M (9 creators, median 600k)
    assert "micro / above" in result.method
    assert ("tier scheme micro-1k-50k: micro = 1k-50k, versus above = 50k+; 3 vs 9 creators"
            in result.notes)
    assert "no interval: a group has fewer than 5 creators" in result.notes
    assert math.isnan(result.ci_low) and result.verdict == "inconclusive"
    assert result.estimate == pytest.approx((2e4 / 6e5) ** (1.0 - B), rel=1e-9)


def test_c2_versus_overrides_the_comparison_tiers():
    result = micro_cost_per_engagement(exact_creators(), pricing=linear_price(1.0),
                                       versus=["mid", "macro", "mega"],
                                       rng=np.random.default_rng(0), n_resamples=50)
    assert result.n == 11  # the mid creator joins the comparison group
    assert "micro / mid + macro + mega" in result.method
    # six comparison creators: their median CPE is the mean of the middle two (800k, 2M)
    expected = cpe_of(5e4, 1.0) / ((cpe_of(8e5, 1.0) + cpe_of(2e6, 1.0)) / 2)
    assert result.estimate == pytest.approx(expected, rel=1e-9)


def test_c2_note_span_does_not_depend_on_the_order_of_versus():
    result = micro_cost_per_engagement(exact_creators(), pricing=linear_price(1.0),
                                       versus=("mega", "macro"), rng=np.random.default_rng(0),
                                       n_resamples=20)
    assert any("versus mega + macro = 500k+" in note for note in result.notes)


@pytest.mark.parametrize(("p", "verdict"), [(1.0, "supported"), (0.3, "contradicted")])
def test_c2_noisy_creators_verdict_follows_p_minus_b(p, verdict):
    creators = make_creators(np.random.default_rng(3), n=600, b=0.7, sigma=0.4)
    result = micro_cost_per_engagement(creators, pricing=linear_price(p),
                                       rng=np.random.default_rng(0), n_resamples=200)
    assert result.verdict == verdict
    assert result.ci_low < result.estimate < result.ci_high


def test_c2_posts_table_is_reduced_to_creators():
    rng = np.random.default_rng(4)
    creators = make_creators(rng, n=200, b=0.6, sigma=0.3)
    posts = creators.loc[creators.index.repeat(3)].reset_index(drop=True)
    posts["post_id"] = [f"p{i}" for i in range(len(posts))]
    posts["likes"] = posts.pop("avg_likes") * rng.lognormal(0, 0.2, len(posts))
    result = micro_cost_per_engagement(posts, pricing="rate-card",
                                       rng=np.random.default_rng(0), n_resamples=100)
    table = creator_costs(posts, pricing="rate-card")
    assert result.n == int(table["followers"].between(1e4, 1e5, inclusive="left").sum()
                           + (table["followers"] >= 5e5).sum())
    assert result.notes[0] == "engagement = likes (creator mean per post)"
    assert result.verdict == "supported"


def test_c2_observed_fees():
    frame = exact_creators()
    frame["fee"] = np.where(frame["followers"] < 1e5, 2.0, 5.0) * frame["avg_likes"]
    result = micro_cost_per_engagement(frame, pricing=OBSERVED, rng=np.random.default_rng(0),
                                       n_resamples=50)
    assert (result.estimate, result.ci_low, result.ci_high) == pytest.approx((0.4, 0.4, 0.4))
    assert result.verdict == "supported"
    assert "fees: the table's own fee column" in result.notes


def test_c2_zero_engagement_creators_are_noted():
    frame = exact_creators()
    frame.loc[frame["followers"] == 2e4, "avg_likes"] = 0.0
    result = micro_cost_per_engagement(frame, pricing="rate-card",
                                       rng=np.random.default_rng(0), n_resamples=50)
    assert "1 creators with zero engagement count as an infinite cost per engagement" in (
        result.notes)
    assert result.n == 10


def test_c2_zero_engagement_micro_creators_cannot_make_micro_look_cheap():
    followers = np.concatenate([np.linspace(2e4, 9e4, 11), np.linspace(6e5, 5e6, 11)])
    likes = np.concatenate([[0.0] * 5 + [1e4] * 6, [1e3] * 11])
    frame = pd.DataFrame({"followers": followers, "avg_likes": likes})
    result = micro_cost_per_engagement(frame, pricing="rate-card",
                                       rng=np.random.default_rng(0), n_resamples=500)
    assert result.verdict != "supported"


def test_c2_verdict_is_inconclusive_when_there_is_no_estimate():
    frame = pd.DataFrame({
        "followers": [2e4, 3e4, 4e4, 5e4, 6e4, 6e5, 7e5, 2e6, 3e6, 4e6],
        "avg_likes": [0.0] + [100.0] * 9,
        "fee": [0.0] + [10.0] * 4 + [1000.0] * 5,
    })
    result = micro_cost_per_engagement(frame, pricing=OBSERVED, rng=np.random.default_rng(0),
                                       n_resamples=200)
    assert not (math.isnan(result.estimate) and result.verdict == "supported")


def test_c2_several_models_with_different_verdicts_depend():
    frame = make_creators(np.random.default_rng(6), n=400, b=B)
    models = [linear_price(1.2, "steep"), linear_price(0.3, "flat")]
    result = micro_cost_per_engagement(frame, pricing=models, rng=np.random.default_rng(1),
                                       n_resamples=100)
    # the same generator, consumed in the same order, gives each model's own result
    rng = np.random.default_rng(1)
    each = [micro_cost_per_engagement(frame, pricing=m, rng=rng, n_resamples=100)
            for m in models]
    assert [r.verdict for r in each] == ["supported", "contradicted"]
    assert result.verdict == "depends"
    assert math.isnan(result.estimate)
    assert result.ci_low == min(r.ci_low for r in each)
    assert result.ci_high == max(r.ci_high for r in each)
    assert result.n == each[0].n
    assert result.method.startswith("2 pricing models (interval = envelope of their "
                                    "intervals); median cost per engagement")
    assert result.notes[0] == (f"steep: {each[0].estimate:.3g} ({each[0].ci_low:.3g} to "
                               f"{each[0].ci_high:.3g}), supported")
    assert result.notes[1].startswith("flat: ") and result.notes[1].endswith("contradicted")
    # notes common to both models are kept, the per-model pricing notes are not
    assert "engagement = avg_likes (creator mean per post)" in result.notes
    assert not any(n.startswith("pricing ") for n in result.notes)


def test_c2_several_models_with_one_verdict_keep_it():
    frame = make_creators(np.random.default_rng(6), n=400, b=B)
    result = micro_cost_per_engagement(frame, pricing=("rate-card", linear_price(1.3)),
                                       rng=np.random.default_rng(1), n_resamples=100)
    assert result.verdict == "supported"
    assert math.isnan(result.estimate)
    assert result.notes[0].startswith("rate-card: ")
    assert result.notes[1].startswith("p1.3: ")


def test_c2_a_list_of_one_model_is_that_models_result():
    frame = exact_creators()
    one = micro_cost_per_engagement(frame, pricing=["rate-card"],
                                    rng=np.random.default_rng(0), n_resamples=50)
    plain = micro_cost_per_engagement(frame, pricing="rate-card",
                                      rng=np.random.default_rng(0), n_resamples=50)
    assert one == plain


def test_c2_empty_micro_group_is_inconclusive():
    frame = exact_creators()
    frame = frame[frame["followers"] >= 5e5]
    result = micro_cost_per_engagement(frame, pricing="rate-card",
                                       rng=np.random.default_rng(0), n_resamples=50)
    assert result.verdict == "inconclusive"
    assert math.isnan(result.estimate) and math.isnan(result.ci_low)
    assert result.n == 5
    assert result.notes[-1] == ("could not estimate: both groups need units: group a has 0, "
                                "group b has 5")
    assert result.group_sizes == (0, 5)


def test_c2_unusable_creators_are_counted():
    frame = exact_creators()
    frame.loc[0, "avg_likes"] = np.nan
    frame.loc[1, "followers"] = -5.0
    result = micro_cost_per_engagement(frame, pricing="rate-card",
                                       rng=np.random.default_rng(0), n_resamples=50)
    assert ("2 creators without a usable fee, engagement or follower count are left out"
            in result.notes)
    assert result.n == 9


def test_c2_design_hazards_are_noted():
    result = micro_cost_per_engagement(exact_creators(), pricing="rate-card",
                                       rng=np.random.default_rng(0), n_resamples=20,
                                       hazards=("top_n",))
    assert any(n.startswith("design: only the largest accounts") for n in result.notes)
    with pytest.raises(ValueError, match="unknown design hazards"):
        micro_cost_per_engagement(exact_creators(), pricing="rate-card",
                                  rng=np.random.default_rng(0), hazards=("tiny",))


@pytest.mark.parametrize("rng", [None, 0])
def test_c2_needs_a_generator(rng):
    with pytest.raises(TypeError, match=r"C2: the interval is a bootstrap; pass "
                                        r"rng=np.random.default_rng\(seed\)"):
        micro_cost_per_engagement(exact_creators(), pricing="rate-card", rng=rng)


def test_c2_bad_arguments():
    frame = exact_creators()
    with pytest.raises(ValueError, match="pricing is empty: pass at least one pricing model"):
        micro_cost_per_engagement(frame, pricing=[], rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"stat must be one of \['median', 'pooled'\]"):
        micro_cost_per_engagement(frame, pricing="rate-card", stat="mean",
                                  rng=np.random.default_rng(0))
    with pytest.raises(KeyError, match="needs a 'fee' column"):
        micro_cost_per_engagement(frame, pricing=OBSERVED, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="other than micro"):
        micro_cost_per_engagement(frame, pricing="rate-card", versus=["micro"],
                                  rng=np.random.default_rng(0))


def test_c2_is_reproducible_and_does_not_mutate_its_input():
    frame = make_creators(np.random.default_rng(8), n=200, b=B)
    before = frame.copy()
    first = micro_cost_per_engagement(frame, pricing="izea-2022",
                                      rng=np.random.default_rng(3), n_resamples=100)
    again = micro_cost_per_engagement(frame, pricing="izea-2022",
                                      rng=np.random.default_rng(3), n_resamples=100)
    assert first == again
    assert_frame_equal(frame, before)


# ---------------------------------------------------------------------------------------------
# micro_engagement_rate (C1 in tier form)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("b", [0.6, 1.0, 1.3])
def test_c1_tier_noise_free_ratio_is_the_closed_form(b):
    result = micro_engagement_rate(exact_creators(b), rng=np.random.default_rng(0),
                                   n_resamples=100)
    assert result.estimate == pytest.approx((5e4 / 2e6) ** (b - 1), rel=1e-9)
    assert result.claim == "C1"
    assert result.method.startswith("median engagement rate per creator, micro / macro + mega")
    expected = {0.6: "supported", 1.0: "inconclusive", 1.3: "contradicted"}[b]
    assert result.verdict == expected


@pytest.mark.parametrize(("b", "verdict"), [(0.6, "supported"), (1.3, "contradicted")])
def test_c1_tier_noisy_verdict(b, verdict):
    creators = make_creators(np.random.default_rng(9), n=500, b=b, sigma=0.4)
    result = micro_engagement_rate(creators, rng=np.random.default_rng(0), n_resamples=200)
    assert result.verdict == verdict
    assert result.notes[0] == "engagement = avg_likes (creator mean per post)"


def test_c1_tier_needs_a_generator():
    with pytest.raises(TypeError, match="C1: the interval is a bootstrap"):
        micro_engagement_rate(exact_creators())


# ---------------------------------------------------------------------------------------------
# cost_per_engagement_elasticity
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("p", "verdict"), [(0.3, "contradicted"), (1.0, "supported")])
def test_cpe_elasticity_noise_free_is_p_minus_b(p, verdict):
    creators = make_creators(np.random.default_rng(10), n=60, b=B, sigma=0.0)
    result = cost_per_engagement_elasticity(creators, pricing=linear_price(p))
    assert result.estimate == pytest.approx(p - B, abs=1e-9)
    assert result.verdict == verdict
    assert result.claim == "C2"
    assert result.n == 60


@settings(deadline=None, max_examples=15)
@given(p=st.floats(0.0, 1.5), b=st.floats(0.2, 1.2), seed=st.integers(0, 2**32 - 1))
def test_cpe_elasticity_recovers_p_minus_b(p, b, seed):
    creators = make_creators(np.random.default_rng(seed), n=30, b=b, sigma=0.0)
    result = cost_per_engagement_elasticity(creators, pricing=linear_price(p))
    assert result.estimate == pytest.approx(p - b, abs=1e-8)


@pytest.mark.parametrize(("p", "verdict"), [(1.0, "supported"), (0.3, "contradicted")])
def test_cpe_elasticity_noisy_verdict(p, verdict):
    creators = make_creators(np.random.default_rng(12), n=300, b=0.7, sigma=0.5)
    result = cost_per_engagement_elasticity(creators, pricing=linear_price(p))
    assert result.verdict == verdict
    assert result.ci_low < p - 0.7 < result.ci_high


def test_cpe_elasticity_bootstrap_needs_a_generator_and_works_with_one():
    creators = make_creators(np.random.default_rng(13), n=120, b=B)
    with pytest.raises(TypeError, match="ci='bootstrap' needs rng"):
        cost_per_engagement_elasticity(creators, pricing="rate-card", ci="bootstrap")
    result = cost_per_engagement_elasticity(creators, pricing="rate-card", ci="bootstrap",
                                            rng=np.random.default_rng(0), n_resamples=100)
    assert result.verdict == "supported"
    assert "bootstrap" in result.method.lower()


def test_cpe_elasticity_several_models():
    creators = make_creators(np.random.default_rng(14), n=200, b=B)
    models = ["rate-card", "izea-2022"]
    result = cost_per_engagement_elasticity(creators, pricing=models)
    each = [cost_per_engagement_elasticity(creators, pricing=m) for m in models]
    assert [r.verdict for r in each] == ["supported", "contradicted"]
    assert result.verdict == "depends"
    assert math.isnan(result.estimate)
    assert (result.ci_low, result.ci_high) == (each[1].ci_low, each[0].ci_high)
    assert result.notes[0].startswith("rate-card: ")
    assert result.notes[1].startswith("izea-2022: ")
    agree = cost_per_engagement_elasticity(creators, pricing=["rate-card",
                                                              linear_price(1.2)])
    assert agree.verdict == "supported"
    with pytest.raises(ValueError, match="pricing is empty"):
        cost_per_engagement_elasticity(creators, pricing=[])


def test_cpe_elasticity_observed_fees_and_unusable_rows():
    creators = make_creators(np.random.default_rng(15), n=80, b=B, sigma=0.0)
    creators["fee"] = 3.0 * creators["followers"] ** 0.5
    creators.loc[:2, "avg_likes"] = 0.0
    result = cost_per_engagement_elasticity(creators, pricing=OBSERVED)
    assert result.estimate == pytest.approx(0.5 - B, abs=1e-9)
    assert result.n == 77
    assert ("3 rows without a usable cost per engagement (3 zero_denominator)"
            in result.notes)
    assert "fees: the table's own fee column" in result.notes


def test_cpe_elasticity_too_few_creators_is_inconclusive():
    creators = make_creators(np.random.default_rng(16), n=2, b=B)
    result = cost_per_engagement_elasticity(creators, pricing="rate-card")
    assert result.verdict == "inconclusive"
    assert math.isnan(result.estimate)
    assert any(n.startswith("could not estimate: ") for n in result.notes)


# ---------------------------------------------------------------------------------------------
# C4 group_versus_one
# ---------------------------------------------------------------------------------------------


def test_c4_known_pooled_ratio_against_mega():
    # linear prices: fee = 0.01 * followers, engagement = 0.05 * followers**B
    creators = exact_creators()
    result = group_versus_one(creators, pricing=linear_price(1.0), rng=np.random.default_rng(0),
                              n_resamples=200, dataset="toy")
    micro = np.array(MICRO_F)
    mega = np.array([f for f in BIG_F if f >= 1e6])
    expected = (micro.sum() / (0.05 * micro**B).sum()) / (mega.sum() / (0.05 * mega**B).sum())
    assert result.claim == "C4"
    assert result.estimate == pytest.approx(expected, rel=1e-12)
    # three mega creators are too few for an interval
    assert (result.verdict, result.group_sizes) == ("inconclusive", (5, 3))


def test_c4_linear_prices_favour_the_micro_group():
    creators = make_creators(np.random.default_rng(6), n=600, b=B)
    result = group_versus_one(creators, pricing=linear_price(1.0), rng=np.random.default_rng(0),
                              n_resamples=300)
    assert result.verdict == "supported"  # p = 1 > b: micro cheaper per engagement
    assert result.ci_high < 1


def test_c4_budget_leaves_out_creators_it_cannot_afford():
    creators = exact_creators()
    model = linear_price(1.0)  # fee = 100 * followers / 10,000
    budget = 500_000.0  # affords up to 5e7 followers: every creator
    everyone = group_versus_one(creators, pricing=model, budget=budget,
                                rng=np.random.default_rng(0), n_resamples=200)
    small = group_versus_one(creators, pricing=model, budget=30_000.0,  # up to 3M followers
                             rng=np.random.default_rng(0), n_resamples=200)
    assert everyone.notes[-1] == "budget 500,000: 0 rows priced above it are left out"
    assert small.notes[-1] == "budget 30,000: 2 rows priced above it are left out"
    assert small.group_sizes == (5, 1)  # only the 2M mega creator is affordable


def test_c4_several_pricing_models_combine_as_c4():
    creators = make_creators(np.random.default_rng(3), n=400, b=B)
    result = group_versus_one(creators, pricing=[linear_price(1.0), linear_price(0.3, "flat")],
                              rng=np.random.default_rng(0), n_resamples=200)
    assert (result.claim, result.verdict) == ("C4", "depends")


@pytest.mark.parametrize("budget", [0.0, -5.0, np.nan, np.inf])
def test_c4_bad_budget(budget):
    with pytest.raises(ValueError, match="budget must be a positive amount"):
        group_versus_one(exact_creators(), pricing="rate-card", budget=budget,
                         rng=np.random.default_rng(0))


# ---------------------------------------------------------------------------------------------
# C3 micro_definition_dependence
# ---------------------------------------------------------------------------------------------


def _result(verdict, estimate=1.0, claim="C2"):
    return ClaimResult(claim, "toy", estimate, estimate - 0.1, estimate + 0.1, 40, verdict, "x")


def test_c3_no_flip_is_contradicted():
    by_scheme = {"a": {"t1": _result("supported", 0.5), "t2": _result("inconclusive")},
                 "b": {"t1": _result("supported", 0.25), "t2": _result("inconclusive")}}
    result = micro_definition_dependence(by_scheme)
    assert (result.claim, result.estimate, result.verdict) == ("C3", 0.0, "contradicted")
    assert np.isnan(result.ci_low) and np.isnan(result.ci_high)
    assert result.notes[0] == ("t1: same verdict (a: supported, b: supported); estimate 0.25 "
                               "to 0.5")


def test_c3_one_flip_is_supported_and_named():
    by_scheme = {"a": {"t1": _result("supported"), "t2": _result("inconclusive")},
                 "b": {"t1": _result("supported"), "t2": _result("contradicted")},
                 "c": {"t1": _result("supported"), "t2": _result("inconclusive")}}
    result = micro_definition_dependence(by_scheme, dataset="label")
    assert (result.estimate, result.verdict, result.dataset) == (1.0, "supported", "label")
    assert result.notes[1].startswith("t2: flips (a: inconclusive, b: contradicted, c: ")


def test_c3_needs_two_schemes_and_the_same_tests():
    one = micro_definition_dependence({"a": {"t1": _result("supported")}})
    assert one.verdict == "inconclusive"
    with pytest.raises(ValueError, match="every scheme must hold the same tests"):
        micro_definition_dependence({"a": {"t1": _result("supported")},
                                     "b": {"t2": _result("supported")}})


@given(st.lists(st.sampled_from(["supported", "contradicted", "inconclusive"]), min_size=2,
                max_size=6))
def test_c3_verdict_is_invariant_to_scheme_order(verdict_list):
    by_scheme = {f"s{i}": {"t": _result(v)} for i, v in enumerate(verdict_list)}
    forward = micro_definition_dependence(by_scheme)
    backward = micro_definition_dependence(dict(reversed(list(by_scheme.items()))))
    assert forward.verdict == backward.verdict
    assert (forward.verdict == "supported") == (len(set(verdict_list)) > 1)


def test_tier_tests_runs_c1_and_c2_per_model():
    creators = make_creators(np.random.default_rng(4), n=300, b=B)
    tests = tier_tests(creators, scheme="industry", pricing=["rate-card", "izea-2022"],
                       rng=np.random.default_rng(0), n_resamples=100)
    assert list(tests) == ["C1: ER ratio", "C2: CPE ratio, rate-card", "C2: CPE ratio, izea-2022"]
    assert [r.claim for r in tests.values()] == ["C1", "C2", "C2"]


# ---------------------------------------------------------------------------------------------
# power_ratio_draws and percentile_interval
# ---------------------------------------------------------------------------------------------


def test_power_ratio_draws_identical_units_give_the_closed_form():
    p = np.array([0.2, 0.5, 1.0, 1.5])
    result = power_ratio_draws([2.0] * 4, [1.0] * 4, [8.0] * 3, [2.0] * 3, p,
                               rng=np.random.default_rng(0))
    expected = (2.0 / 1.0) ** p / ((8.0**p) / 2.0)
    np.testing.assert_allclose(result, expected, rtol=1e-12)


@pytest.mark.parametrize("stat", ["median", "pooled"])
def test_power_ratio_draws_with_one_exponent_match_group_ratio_draws(stat):
    # the same exponent in every resample: the draws are group_ratio's bootstrap of x**p / den
    rng = np.random.default_rng(5)
    xa, da = 10 ** rng.uniform(0, 1, 40), rng.uniform(1, 3, 40)
    xb, db = 10 ** rng.uniform(1, 2, 30), rng.uniform(1, 3, 30)
    power = power_ratio_draws(xa, da, xb, db, np.full(20_000, 0.7), stat=stat,
                              rng=np.random.default_rng(6))
    plain = group_ratio(xa**0.7, da, xb**0.7, db, stat=stat, rng=np.random.default_rng(7),
                        n_resamples=20_000).draws
    np.testing.assert_allclose(np.quantile(power, [0.05, 0.5, 0.95]),
                               np.quantile(plain, [0.05, 0.5, 0.95]), rtol=0.02)


def test_power_ratio_draws_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="exponents must be a non-empty 1-d array"):
        power_ratio_draws([1.0], [1.0], [1.0], [1.0], [np.nan], rng=rng)
    with pytest.raises(ValueError, match="stat must be one of"):
        power_ratio_draws([1.0], [1.0], [1.0], [1.0], [1.0], stat="mean", rng=rng)
    with pytest.raises(InsufficientDataError, match="group a has 0"):
        power_ratio_draws([], [], [1.0], [1.0], [1.0], rng=rng)
    with pytest.raises(ValueError, match=r"group b: num and den must be finite and >= 0; "
                                         r"rows \[0\]"):
        power_ratio_draws([1.0], [1.0], [-1.0], [1.0], [1.0], rng=rng)


def test_percentile_interval_keeps_infinite_draws_and_drops_nan():
    result = percentile_interval([1.0, 2.0, np.nan, np.inf, 3.0], level=0.9)
    assert result == (1.0, np.inf)
    assert np.isnan(percentile_interval([np.nan])).all()


# ---------------------------------------------------------------------------------------------
# C2 / C4 inside the price table's support, with price uncertainty (analysis plan, amendment 7)
# ---------------------------------------------------------------------------------------------


def priced_to(high: float, p: float = 0.5, name: str = "to") -> PriceModel:
    return PriceModel(name, p, 100.0, source="test", support=(1e3, high))


def test_c2_within_support_keeps_only_priced_creators_and_reports_the_share_left_out():
    # support up to 1M: five big creators stay, 2M, 4M and 8M are left out
    followers = np.array([*MICRO_F, 5.5e5, 6e5, 7e5, 8e5, 9e5, 2e6, 4e6, 8e6])
    frame = pd.DataFrame({"followers": followers, "avg_likes": 0.05 * followers**B})
    result = micro_cost_per_engagement(frame, pricing=priced_to(1e6, p=0.3), n_resamples=200,
                                       rng=np.random.default_rng(0), within_support=True)
    # noise-free: the medians are the middle creators, 50k and 700k
    assert result.estimate == pytest.approx((5e4 / 7e5) ** (0.3 - B), rel=1e-9)
    assert result.group_sizes == (5, 5)
    assert result.verdict == "contradicted"
    assert ("price table to prices 1k-1M followers: 3 of the 8 macro + mega creators (38%) "
            "and 0 micro creators lie outside and are left out") in result.notes


def test_c2_within_support_below_five_comparison_creators_inside_is_untestable():
    result = micro_cost_per_engagement(exact_creators(), pricing=priced_to(5e5), dataset="toy",
                                       rng=np.random.default_rng(0), n_resamples=100,
                                       within_support=True)
    assert (result.verdict, result.dataset, result.n) == ("untestable", "toy", 0)
    assert np.isnan([result.estimate, result.ci_low, result.ci_high]).all()
    assert result.notes[-1] == ("untestable with to: fewer than 5 macro + mega creators "
                                "inside its support (1k-500k followers)")


def test_c2_untestable_models_have_no_vote_in_the_combined_verdict():
    creators = make_creators(np.random.default_rng(3), n=3000, b=0.8)
    models = [priced_to(5e5, p=0.3, name="short"), priced_to(1e7, p=0.3, name="long")]
    result = micro_cost_per_engagement(creators, pricing=models, rng=np.random.default_rng(4),
                                       n_resamples=300, within_support=True)
    assert result.verdict == "contradicted"  # p 0.3 < b 0.8, and "short" cannot say
    assert any(n.startswith("short: nan (nan to nan), untestable") for n in result.notes)


def test_c2_price_uncertainty_widens_the_interval_and_keeps_the_estimate():
    creators = make_creators(np.random.default_rng(8), n=3000, b=0.8)
    kwargs = {"pricing": "klear-2019", "n_resamples": 2000, "within_support": True,
              "versus": ("mid",)}
    fixed = micro_cost_per_engagement(creators, rng=np.random.default_rng(9), **kwargs)
    drawn = micro_cost_per_engagement(creators, rng=np.random.default_rng(9),
                                      price_uncertainty=True, **kwargs)
    assert drawn.estimate == fixed.estimate
    assert drawn.ci_high - drawn.ci_low > 1.5 * (fixed.ci_high - fixed.ci_low)
    assert drawn.method.endswith("the price law's exponent drawn in every resample")


def test_c2_support_and_uncertainty_need_a_pricing_model():
    frame = posts_table()
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="within_support needs a pricing model"):
        micro_cost_per_engagement(frame, pricing=OBSERVED, rng=rng, within_support=True)
    with pytest.raises(ValueError, match="price_uncertainty needs a pricing model"):
        micro_cost_per_engagement(frame, pricing=OBSERVED, rng=rng, price_uncertainty=True)


def test_c4_within_support_mega_is_untestable_with_every_published_table():
    creators = make_creators(np.random.default_rng(10), n=4000, b=0.9)
    names = ["rate-card", "rate-card-tiktok", "inzpire-2020", "klear-2019", "beichert-2024",
             "izea-2022"]
    result = group_versus_one(creators, pricing=names, rng=np.random.default_rng(11),
                              n_resamples=100, within_support=True)
    assert (result.claim, result.verdict) == ("C4", "untestable")
    macro = group_versus_one(creators, pricing="izea-2022", versus=("macro",),
                             rng=np.random.default_rng(11), n_resamples=300,
                             within_support=True, price_uncertainty=True)
    assert (macro.claim, macro.verdict) == ("C4", "contradicted")  # p 0.32 < b 0.9


def test_cpe_ratio_across_tables_draws_each_testable_table():
    # two tables on either side of b: the mixture's interval spans 1, each alone does not
    creators = make_creators(np.random.default_rng(12), n=4000, b=0.8)
    cheap, dear = priced_to(1e7, p=0.3, name="cheap"), priced_to(1e7, p=1.3, name="dear")
    rng = np.random.default_rng(13)
    result = cpe_ratio_across_tables(creators, pricing=[cheap, dear, priced_to(5e5)],
                                     rng=rng, n_resamples=4000, dataset="toy")
    alone = [micro_cost_per_engagement(creators, pricing=m, rng=np.random.default_rng(14),
                                       n_resamples=500).estimate for m in (cheap, dear)]
    assert result.verdict == "inconclusive"
    assert result.ci_low < min(alone) * 1.1 and result.ci_high > max(alone) / 1.1
    assert result.notes == ("tables drawn: cheap, dear",
                            "untestable inside their support, left out: to")
    one = cpe_ratio_across_tables(creators, pricing=[cheap], rng=rng, n_resamples=2000)
    assert one.verdict == "contradicted"
    assert one.estimate == pytest.approx(alone[0], rel=0.05)


def test_cpe_ratio_across_tables_nothing_testable():
    result = cpe_ratio_across_tables(exact_creators(), pricing=[priced_to(5e5)],
                                     rng=np.random.default_rng(0), n_resamples=50)
    assert result.verdict == "untestable"
    with pytest.raises(ValueError, match="pricing is empty"):
        cpe_ratio_across_tables(exact_creators(), pricing=[], rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="pass rng=np.random.default_rng"):
        cpe_ratio_across_tables(exact_creators(), pricing=["izea-2022"], rng=None)
