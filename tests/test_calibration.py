"""Tests for insights.calibration: replicate, summarise and rate_correlation.

``summarise`` is checked against numbers computed by hand on a small table; ``replicate`` on a
toy test whose result is a known function of its stream; ``rate_correlation`` on data whose
correlation is exact. The last section ties them together on :mod:`insights.simulate` data
with a known elasticity (b = 1) and noisy follower counts.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from insights import calibration
from insights.calibration import rate_correlation, replicate, summarise
from insights.claims import engagement_vs_followers
from insights.simulate import World, simulate_creators
from insights.verdicts import ClaimResult, results_table

NAN = np.nan
TABLE_COLUMNS = list(results_table([]).columns)
SUMMARY_KEYS = ["n", "coverage", "coverage_se", "supported", "contradicted", "equivalent",
                "inconclusive", "mean_estimate", "bias", "bias_se", "mean_width"]


def toy(r: np.random.Generator) -> ClaimResult:
    """A 'test' whose result is a function of its stream only: estimate ~ N(1, 1), CI ± 1."""
    estimate = float(r.normal(1.0, 1.0))
    verdict = "supported" if estimate + 1 < 1 else "inconclusive"
    return ClaimResult("C1", "toy", estimate, estimate - 1, estimate + 1, 10, verdict, "toy",
                       ("drawn",))


def table_of(estimate, ci_low, ci_high, verdict) -> pd.DataFrame:
    return pd.DataFrame({"estimate": estimate, "ci_low": ci_low, "ci_high": ci_high,
                         "verdict": verdict})


# ---------------------------------------------------------------------------------------------
# replicate
# ---------------------------------------------------------------------------------------------


def test_replicate_columns_are_replicate_then_results_table():
    result = replicate(toy, 4, rng=np.random.default_rng(0))
    assert list(result.columns) == ["replicate", *TABLE_COLUMNS]
    assert result["replicate"].tolist() == [0, 1, 2, 3]
    assert result.index.tolist() == [0, 1, 2, 3]
    assert (result["claim"] == "C1").all()
    assert (result["notes"] == "drawn").all()


def test_replicate_stacks_what_the_test_returns_on_spawned_streams():
    result = replicate(toy, 3, rng=np.random.default_rng(7))
    expected = results_table(toy(child) for child in np.random.default_rng(7).spawn(3))
    expected.insert(0, "replicate", np.arange(3))
    assert_frame_equal(result, expected)


def test_replicate_same_parent_seed_gives_the_same_table():
    first = replicate(toy, 5, rng=np.random.default_rng(123))
    second = replicate(toy, 5, rng=np.random.default_rng(123))
    assert_frame_equal(first, second)


def test_replicate_does_not_depend_on_draws_from_the_parent():
    used = np.random.default_rng(123)
    used.normal(size=10)  # draws from the parent do not move its spawned streams
    assert_frame_equal(replicate(toy, 3, rng=used),
                       replicate(toy, 3, rng=np.random.default_rng(123)))


def test_replicate_i_does_not_depend_on_n():
    small = replicate(toy, 3, rng=np.random.default_rng(42))
    large = replicate(toy, 5, rng=np.random.default_rng(42))
    assert_frame_equal(large.iloc[:3], small)
    assert len(large) == 5


def test_replicate_streams_are_distinct():
    result = replicate(toy, 20, rng=np.random.default_rng(0))
    assert result["estimate"].nunique() == 20


def test_replicate_different_seeds_differ():
    first = replicate(toy, 5, rng=np.random.default_rng(1))
    second = replicate(toy, 5, rng=np.random.default_rng(2))
    assert not np.isin(first["estimate"].to_numpy(), second["estimate"].to_numpy()).any()


def test_replicate_second_call_on_one_generator_gets_fresh_streams():
    rng = np.random.default_rng(9)
    first = replicate(toy, 3, rng=rng)
    second = replicate(toy, 3, rng=rng)  # spawning advances the parent's SeedSequence
    assert not np.isin(first["estimate"].to_numpy(), second["estimate"].to_numpy()).any()


def test_replicate_gives_each_call_its_own_generator():
    seen = []

    def record(r):
        seen.append(r)
        return toy(r)

    parent = np.random.default_rng(0)
    replicate(record, 3, rng=parent)
    assert len(seen) == 3
    assert all(isinstance(r, np.random.Generator) for r in seen)
    assert len({id(r) for r in seen}) == 3
    assert all(r is not parent for r in seen)


@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0), np.random.PCG64(0)])
def test_replicate_without_a_generator_raises_type_error(rng):
    calls = []
    with pytest.raises(TypeError, match="default_rng"):
        replicate(lambda r: calls.append(r) or toy(r), 3, rng=rng)
    assert calls == []


@pytest.mark.parametrize("n", [0, -1, -10])
def test_replicate_n_below_one_raises_value_error(n):
    with pytest.raises(ValueError, match="n must be at least 1"):
        replicate(toy, n, rng=np.random.default_rng(0))


def test_replicate_n_of_one():
    result = replicate(toy, 1, rng=np.random.default_rng(0))
    assert result["replicate"].tolist() == [0]
    assert list(result.columns) == ["replicate", *TABLE_COLUMNS]


# ---------------------------------------------------------------------------------------------
# summarise
# ---------------------------------------------------------------------------------------------


def test_summarise_hand_computed():
    # truth 1.0. Rows 1-2 touch the truth with an endpoint (covered), rows 3-4 miss it,
    # row 5 has no estimate and is left out of everything.
    table = table_of(
        estimate=[0.9, 1.2, 0.7, 1.5, NAN],
        ci_low=[0.8, 1.0, 0.6, 1.1, NAN],
        ci_high=[1.0, 1.4, 0.8, 1.9, NAN],
        verdict=["inconclusive", "inconclusive", "supported", "contradicted", "inconclusive"],
    )
    result = summarise(table, truth=1.0)
    # estimates 0.9, 1.2, 0.7, 1.5: mean 1.075; deviations -.175, .125, -.375, .425,
    # squares sum to .3675, sample var .1225, sd .35, se .35 / 2; widths .2, .4, .2, .8.
    expected = {
        "n": 4.0,
        "coverage": 0.5,
        "coverage_se": 0.25,  # sqrt(.5 * .5 / 4)
        "supported": 0.25,
        "contradicted": 0.25,
        "equivalent": 0.0,
        "inconclusive": 0.5,
        "mean_estimate": 1.075,
        "bias": 0.075,
        "bias_se": 0.175,
        "mean_width": 0.4,
    }
    assert list(result) == SUMMARY_KEYS
    assert result == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert all(type(v) is float for v in result.values())


def test_summarise_docstring_example():
    table = table_of([0.9, 1.1, 1.3], [0.8, 1.0, 1.2], [1.0, 1.2, 1.4],
                     ["inconclusive", "inconclusive", "contradicted"])
    result = summarise(table, truth=1.0)
    assert result["coverage"] == pytest.approx(2 / 3)
    assert result["coverage_se"] == pytest.approx(np.sqrt(2 / 9 / 3))
    assert result["contradicted"] == pytest.approx(1 / 3)
    assert result["bias"] == pytest.approx(0.1)


def test_summarise_accepts_replicate_output():
    table = replicate(toy, 50, rng=np.random.default_rng(0))
    result = summarise(table, truth=1.0)
    estimates = table["estimate"].to_numpy()
    expected_coverage = np.mean(np.abs(estimates - 1.0) <= 1.0)
    assert result["n"] == 50.0
    assert result["coverage"] == pytest.approx(expected_coverage)
    assert result["bias"] == pytest.approx(estimates.mean() - 1.0)
    assert result["bias_se"] == pytest.approx(estimates.std(ddof=1) / np.sqrt(50))
    assert result["mean_width"] == pytest.approx(2.0)


@pytest.mark.parametrize("bad", [NAN, np.inf, -np.inf])
def test_summarise_rows_without_a_finite_estimate_are_left_out(bad):
    kept = table_of([1.0, 2.0], [0.5, 1.5], [1.5, 2.5], ["inconclusive", "contradicted"])
    with_bad = table_of([1.0, bad, 2.0], [0.5, 0.0, 1.5], [1.5, 9.0, 2.5],
                        ["inconclusive", "supported", "contradicted"])
    result = summarise(with_bad, truth=1.0)
    assert result["n"] == 2.0
    assert result == pytest.approx(summarise(kept, truth=1.0), nan_ok=True)
    assert result["supported"] == 0.0  # the dropped row's verdict is not counted either


def test_summarise_missing_estimates_given_as_none_or_object_dtype():
    table = table_of(pd.Series([1.0, None, 3.0], dtype=object), [0.0, NAN, 2.0],
                     [2.0, NAN, 4.0], ["inconclusive", "inconclusive", "contradicted"])
    result = summarise(table, truth=1.5)
    assert result["n"] == 2.0
    assert result["mean_estimate"] == pytest.approx(2.0)
    assert result["coverage"] == 0.5  # [0, 2] covers 1.5, [2, 4] does not


@pytest.mark.parametrize(
    "table",
    [
        table_of([NAN, NAN], [0.0, 0.0], [1.0, 1.0], ["inconclusive", "inconclusive"]),
        table_of([NAN], [NAN], [NAN], ["inconclusive"]),
        table_of([], [], [], []),
    ],
    ids=["all-nan", "one-nan", "empty"],
)
def test_summarise_without_any_estimate_raises_value_error(table):
    with pytest.raises(ValueError, match="no replicate produced an estimate"):
        summarise(table, truth=1.0)


@pytest.mark.parametrize(
    ("ci_low", "ci_high"),
    [(0.25, 1.0), (1.0, 1.75), (1.0, 1.0)],
    ids=["upper-endpoint", "lower-endpoint", "zero-width"],
)
def test_summarise_endpoint_equal_to_truth_is_covered(ci_low, ci_high):
    result = summarise(table_of([1.0], [ci_low], [ci_high], ["inconclusive"]), truth=1.0)
    assert result["coverage"] == 1.0
    assert result["coverage_se"] == 0.0


def test_summarise_just_outside_is_not_covered():
    table = table_of([0.9, 1.1], [0.5, np.nextafter(1.0, 2.0)], [np.nextafter(1.0, 0.0), 1.5],
                     ["supported", "contradicted"])
    assert summarise(table, truth=1.0)["coverage"] == 0.0


def test_summarise_single_replicate_has_nan_bias_se():
    result = summarise(table_of([1.2], [1.0], [1.4], ["inconclusive"]), truth=1.0)
    assert result["n"] == 1.0
    assert result["bias"] == pytest.approx(0.2)
    assert np.isnan(result["bias_se"])


def test_summarise_does_not_mutate_the_table():
    table = table_of([0.9, NAN, 1.3], [0.8, NAN, 1.2], [1.0, NAN, 1.4],
                     ["inconclusive", "inconclusive", "contradicted"])
    before = table.copy()
    summarise(table, truth=1.0)
    assert_frame_equal(table, before)


rows = st.tuples(
    st.one_of(st.floats(-10, 10), st.just(NAN)),  # estimate
    st.floats(-10, 10),  # ci_low
    st.floats(0, 10),  # width
    st.sampled_from(["supported", "contradicted", "inconclusive"]),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(rows, min_size=1, max_size=40), st.floats(-10, 10))
@example([(0.0, 0.0, 1.0, "supported"), (0.0, 5.0, 1.0, "contradicted")], 0.5)  # p = 1/2
@example([(0.0, 0.0, 1.0, "supported")] * 3, 0.5)  # p = 1: se = 0
def test_summarise_coverage_properties(table_rows, truth):
    estimate, low, width, verdict = (list(c) for c in zip(*table_rows, strict=True))
    table = table_of(estimate, low, np.add(low, width), verdict)
    n_finite = int(np.isfinite(estimate).sum())
    if n_finite == 0:
        with pytest.raises(ValueError):
            summarise(table, truth=truth)
        return
    result = summarise(table, truth=truth)
    assert result["n"] == n_finite
    assert 0.0 <= result["coverage"] <= 1.0
    assert 0.0 <= result["coverage_se"] <= 0.5 / np.sqrt(n_finite) * (1 + 1e-12)
    assert result["coverage"] * n_finite == pytest.approx(round(result["coverage"] * n_finite))
    shares = result["supported"] + result["contradicted"] + result["inconclusive"]
    assert shares == pytest.approx(1.0)
    assert result["mean_width"] >= 0.0


# ---------------------------------------------------------------------------------------------
# rate_correlation
# ---------------------------------------------------------------------------------------------

FOLLOWERS = np.array([1e3, 3e3, 1e4, 3e4, 1e5, 1e6])


@pytest.mark.parametrize("method", ["spearman", "pearson"])
def test_rate_correlation_exact_minus_one_and_plus_one(method):
    f = np.array([100.0, 300.0, 1e3, 3e3, 1e4])
    # rate linear in log f, so both Spearman and Pearson (on log f) are exactly -1 / +1
    falling = pd.DataFrame({"e": f * (12.0 - np.log(f)), "followers": f})
    rising = pd.DataFrame({"e": f * (1.0 + np.log(f)), "followers": f})
    r_down, p_down = rate_correlation(falling, engagement="e", method=method)
    r_up, p_up = rate_correlation(rising, engagement="e", method=method)
    assert r_down == pytest.approx(-1.0, abs=1e-12)
    assert r_up == pytest.approx(1.0, abs=1e-12)
    assert 0.0 <= p_down < 0.05
    assert 0.0 <= p_up < 0.05


def test_rate_correlation_spearman_is_rank_based_pearson_is_not():
    # rate = f^-0.5 falls monotonically but is convex in log f: ranks are perfectly
    # anti-ordered (Spearman -1), the linear correlation with log f is not -1.
    frame = pd.DataFrame({"e": FOLLOWERS**0.5, "followers": FOLLOWERS})
    spearman, _ = rate_correlation(frame, engagement="e", method="spearman")
    pearson, _ = rate_correlation(frame, engagement="e", method="pearson")
    assert spearman == pytest.approx(-1.0, abs=1e-12)
    assert -1.0 < pearson < -0.8
    assert pearson == pytest.approx(
        np.corrcoef(FOLLOWERS**-0.5, np.log(FOLLOWERS))[0, 1], rel=1e-12
    )


def test_rate_correlation_default_is_spearman_and_followers():
    rng = np.random.default_rng(0)
    f = 10 ** rng.uniform(3, 7, 50)
    frame = pd.DataFrame({"eng": f**0.9 * np.exp(rng.normal(0, 1, 50)), "followers": f})
    assert rate_correlation(frame, engagement="eng") == rate_correlation(
        frame, engagement="eng", followers="followers", method="spearman"
    )


def test_rate_correlation_matches_scipy():
    from scipy import stats as sps

    rng = np.random.default_rng(3)
    f = 10 ** rng.uniform(3, 7, 40)
    e = f**0.9 * np.exp(rng.normal(0, 1, 40))
    frame = pd.DataFrame({"e": e, "fans": f})
    spearman = sps.spearmanr(e / f, f)
    pearson = sps.pearsonr(e / f, np.log(f))
    assert rate_correlation(frame, engagement="e", followers="fans") == pytest.approx(
        (spearman.statistic, spearman.pvalue), rel=1e-12)
    assert rate_correlation(frame, engagement="e", followers="fans",
                            method="pearson") == pytest.approx(
        (pearson.statistic, pearson.pvalue), rel=1e-12)


@pytest.mark.parametrize("method", ["spearman", "pearson"])
def test_rate_correlation_drops_zero_negative_and_missing_rows(method):
    rng = np.random.default_rng(1)
    f = 10 ** rng.uniform(3, 7, 12)
    e = f**0.8 * np.exp(rng.normal(0, 0.5, 12))
    clean = pd.DataFrame({"e": e, "followers": f})
    bad = pd.DataFrame(
        {
            "e": [0.0, -5.0, NAN, 10.0, 10.0, 10.0, np.inf, 10.0, "n/a"],
            "followers": [1e4, 1e4, 1e4, 0.0, -1e4, NAN, 1e4, np.inf, 1e4],
        }
    )
    dirty = pd.concat([bad.iloc[:5], clean, bad.iloc[5:]], ignore_index=True)
    assert rate_correlation(dirty, engagement="e", method=method) == rate_correlation(
        clean, engagement="e", method=method
    )


def test_rate_correlation_nullable_and_string_columns():
    frame = pd.DataFrame(
        {
            "e": pd.array([10, 30, None, 50, 80], dtype="Int64"),
            "followers": ["100", "1000", "1000", "10000", "100000"],
        }
    )
    clean = pd.DataFrame({"e": [10.0, 30.0, 50.0, 80.0],
                          "followers": [100.0, 1000.0, 10000.0, 100000.0]})
    assert rate_correlation(frame, engagement="e") == rate_correlation(clean, engagement="e")


@pytest.mark.parametrize("method", ["spearman", "pearson"])
@pytest.mark.parametrize(
    ("e", "f"),
    [
        ([], []),
        ([1.0], [10.0]),
        ([1.0, 2.0], [10.0, 100.0]),
        ([1.0, 2.0, 0.0, NAN], [10.0, 100.0, 1000.0, 1e4]),  # 2 usable of 4
        ([1.0, 2.0, 3.0], [10.0, -100.0, NAN]),
    ],
    ids=["empty", "one", "two", "two-usable-of-four", "one-usable-of-three"],
)
def test_rate_correlation_fewer_than_three_usable_rows_is_nan(e, f, method):
    frame = pd.DataFrame({"e": pd.Series(e, dtype=float), "followers": pd.Series(f, dtype=float)})
    r, p = rate_correlation(frame, engagement="e", method=method)
    assert np.isnan(r) and np.isnan(p)


def test_rate_correlation_three_usable_rows_is_enough():
    frame = pd.DataFrame({"e": [5.0, 20.0, 50.0, 0.0], "followers": [10.0, 100.0, 1e3, 1e4]})
    r, p = rate_correlation(frame, engagement="e")
    assert r == pytest.approx(-1.0)
    assert np.isfinite(p)


@pytest.mark.parametrize(
    ("kwargs", "missing"),
    [({"engagement": "likes"}, "likes"),
     ({"engagement": "e", "followers": "fans"}, "fans")],
)
def test_rate_correlation_missing_column_raises_key_error(kwargs, missing):
    frame = pd.DataFrame({"e": [1.0, 2.0, 3.0], "followers": [10.0, 100.0, 1e3]})
    with pytest.raises(KeyError, match=missing):
        rate_correlation(frame, **kwargs)


@pytest.mark.parametrize("method", ["kendall", "Spearman", "", "log"])
def test_rate_correlation_bad_method_raises_value_error(method):
    frame = pd.DataFrame({"e": [1.0, 2.0, 3.0], "followers": [10.0, 100.0, 1e3]})
    with pytest.raises(ValueError, match="method must be"):
        rate_correlation(frame, engagement="e", method=method)


def test_rate_correlation_does_not_mutate_the_input():
    frame = pd.DataFrame(
        {"e": [5.0, 0.0, 20.0, NAN, 50.0, 70.0],
         "followers": [10.0, 50.0, 100.0, 500.0, 1e3, -1.0],
         "other": list("abcdef")},
        index=[10, 11, 12, 13, 14, 15],
    )
    before = frame.copy()
    rate_correlation(frame, engagement="e")
    rate_correlation(frame, engagement="e", method="pearson")
    assert_frame_equal(frame, before)


# ---------------------------------------------------------------------------------------------
# together: the ratio artefact on simulated data with a known elasticity
# ---------------------------------------------------------------------------------------------

N_CREATORS, N_REPLICATES = 1000, 20


def elasticity_test(world: World):
    def test(r: np.random.Generator) -> ClaimResult:
        return engagement_vs_followers(simulate_creators(world, N_CREATORS, rng=r),
                                       dataset="simulated")
    return test


def correlation_test(world: World):
    """The rate correlation packed into a ClaimResult so that ``summarise`` can average it."""
    def test(r: np.random.Generator) -> ClaimResult:
        creators = simulate_creators(world, N_CREATORS, rng=r)
        creators["engagement"] = creators["avg_likes"] + creators["avg_comments"]
        rho, _ = rate_correlation(creators, engagement="engagement")
        return ClaimResult("C1", "simulated", rho, NAN, NAN, len(creators), "inconclusive",
                           "Spearman correlation of engagement rate with followers")
    return test


def both_summaries(world: World, seed: int) -> tuple[dict, dict]:
    # the same parent seed gives both tests the same simulated data sets
    elasticity = replicate(elasticity_test(world), N_REPLICATES, rng=np.random.default_rng(seed))
    correlation = replicate(correlation_test(world), N_REPLICATES,
                            rng=np.random.default_rng(seed))
    assert (elasticity["n"] == correlation["n"]).all()
    # at b = 1 the rate does not depend on true followers: the truths are b = 1 and rho = 0
    return summarise(elasticity, truth=1.0), summarise(correlation, truth=0.0)


# Checked on seeds 0-59 before writing the bounds: with follower error sd 0.5 the elasticity's
# bias ranged over [-0.039, -0.029] (attenuation, theory -0.25 / (var log F + 0.25) = -0.034),
# the correlation's over [-0.105, -0.074], its ratio to the elasticity's over [2.57, 2.79],
# both more than 10 Monte-Carlo se from 0. Without the error: |bias| <= 0.0065 and <= 0.021.
@pytest.mark.parametrize("seed", [0, 1])
def test_follower_error_makes_rate_correlation_negative_and_elasticity_less_biased(seed):
    world = World.calibrated(b=1.0, follower_error_sd=0.5)
    elasticity, correlation = both_summaries(world, seed)
    assert elasticity["n"] == correlation["n"] == N_REPLICATES
    # the rate correlation is negative on average although the true rate is flat
    assert correlation["bias"] < -0.05
    assert correlation["bias"] + 5 * correlation["bias_se"] < 0
    # the elasticity is attenuated too, but by far less
    assert -0.05 < elasticity["bias"] < -0.02
    assert abs(elasticity["bias"]) < abs(correlation["bias"]) / 2


def test_without_follower_error_neither_method_is_biased():
    world = World.calibrated(b=1.0, follower_error_sd=0.0)
    elasticity, correlation = both_summaries(world, 0)
    assert abs(elasticity["bias"]) < 0.01
    assert abs(correlation["bias"]) < 0.03


def test_sweep_equals_the_same_calls_one_after_the_other():
    def toy(shift):
        def test(r):
            low = r.normal() + shift
            return ClaimResult("C1", "toy", low + 1, low, low + 2, 10, "inconclusive", "t")
        return test

    tests = {"a": toy(0.0), "b": toy(0.5)}
    result = calibration.sweep(tests, 50, rng=np.random.default_rng(7), truth={"a": 1.0,
                                                                                "b": 0.0})
    rng = np.random.default_rng(7)
    expected = pd.DataFrame([
        {"setting": "a", **calibration.summarise(calibration.replicate(tests["a"], 50, rng=rng),
                                                 truth=1.0)},
        {"setting": "b", **calibration.summarise(calibration.replicate(tests["b"], 50, rng=rng),
                                                 truth=0.0)},
    ])
    pd.testing.assert_frame_equal(result, expected)


# ------------------------------------------------------------------------------ interval_check


def _mean_fit(z=1.96):
    from types import SimpleNamespace

    def fit(frame):
        m = frame["x"].mean()
        se = frame["x"].std(ddof=1) / np.sqrt(len(frame))
        return SimpleNamespace(estimate=m, se=se, ci_low=m - z * se, ci_high=m + z * se)
    return fit


def _draw(r):
    return pd.DataFrame({"x": r.normal(3.0, 2.0, 200)})


def test_interval_check_known_answers():
    check = calibration.interval_check(_draw, _mean_fit(), truth=3.0, n=4000,
                                       rng=np.random.default_rng(1))
    assert abs(check.coverage - 0.95) < 3 * check.mc_se
    assert check.critical == pytest.approx(1.97, abs=0.08)
    assert check.mean == pytest.approx(3.0, abs=0.01)
    assert check.sd == pytest.approx(2.0 / np.sqrt(200), rel=0.05)
    assert check.mc_se == pytest.approx(np.sqrt(check.coverage * (1 - check.coverage) / 4000))
    # an interval half as wide covers far less, and its calibrated critical value says so
    narrow = calibration.interval_check(_draw, _mean_fit(z=0.98), truth=3.0, n=4000,
                                        rng=np.random.default_rng(1))
    assert narrow.coverage < 0.7 and narrow.critical == pytest.approx(check.critical)
    assert narrow.widened(3.0, 0.1) == pytest.approx((3.0 - narrow.critical * 0.1,
                                                     3.0 + narrow.critical * 0.1))


def test_interval_check_bad_arguments():
    with pytest.raises(TypeError, match="rng"):
        calibration.interval_check(_draw, _mean_fit(), truth=0, n=10, rng=1)
    with pytest.raises(ValueError, match="at least 2"):
        calibration.interval_check(_draw, _mean_fit(), truth=0, n=1,
                                   rng=np.random.default_rng(0))


def test_consistent_with_known_answers():
    table = pd.DataFrame({"mean_estimate": [0.0, 0.2, 0.4, 0.6], "bias_se": [0.01] * 4,
                          "n": [25] * 4})  # replicate sd 0.05
    result = calibration.consistent_with(table, 0.3, 0.0)
    assert result.tolist() == [False, False, False, False]  # 0.1 away, 1.96 * 0.05 = 0.098
    wider = calibration.consistent_with(table, 0.3, 0.03)  # 1.96 * sqrt(0.05^2 + 0.03^2) = 0.114
    assert wider.tolist() == [False, True, True, False]
    assert calibration.consistent_with(table, 0.3, 0.03, level=0.5).tolist() == [False] * 4


# ---------------------------------------------------------------------------------------------
# coverage_table and holdout_coverage
# ---------------------------------------------------------------------------------------------


def test_coverage_table_hand_computed_with_given_intervals_and_with_se():
    fits = pd.DataFrame({
        "estimator": ["boot"] * 4 + ["t"] * 4,
        "estimate": [0.9, 1.1, 1.5, 1.0, 0.8, 1.2, 1.0, 1.6],
        "ci_low": [0.8, 0.95, 1.2, 0.7, np.nan, np.nan, np.nan, np.nan],
        "ci_high": [1.05, 1.3, 1.8, 1.2, np.nan, np.nan, np.nan, np.nan],
    })
    boot = calibration.coverage_table(fits.iloc[:4], {"boot": 1.0})
    assert boot[["replicates", "coverage"]].iloc[0].tolist() == [4, 0.75]  # 1.5's misses
    assert boot["coverage_se"].iloc[0] == pytest.approx(math.sqrt(0.75 * 0.25 / 4))
    assert boot["bias"].iloc[0] == pytest.approx(0.125)
    assert np.isnan(boot["critical"].iloc[0])
    t_rows = fits.iloc[4:].drop(columns=["ci_low", "ci_high"]).assign(se=0.2, df=10.0)
    result = calibration.coverage_table(t_rows, {"t": 1.0}).iloc[0]
    # half-width t(10) * 0.2 = 0.4456: only 1.6 misses
    assert result["coverage"] == 0.75
    expected_critical = np.quantile(np.abs(t_rows["estimate"] - 1.0) / 0.2, 0.95)
    assert result["critical"] == pytest.approx(expected_critical)
    assert result["se_ratio"] == pytest.approx(0.2 / t_rows["estimate"].std(ddof=1))


def test_coverage_table_needs_every_truth():
    fits = pd.DataFrame({"estimator": ["a", "b"], "estimate": [1.0, 2.0], "se": [0.1, 0.1]})
    with pytest.raises(KeyError, match=r"no truth for \['b'\]"):
        calibration.coverage_table(fits, {"a": 1.0})


def test_holdout_coverage_known_answer():
    # |t| = 1..8 in the first half, 1..8 in the second: the 0.75 quantile of one half is 6.25,
    # so six of each other half's eight replicates are inside
    t = np.r_[np.arange(1.0, 9.0), np.arange(1.0, 9.0)]
    coverage, se = calibration.holdout_coverage(t * 0.1, np.full(16, 0.1), 0.0, level=0.75)
    assert coverage == 0.75
    assert se == pytest.approx(math.sqrt(0.75 * 0.25 / 16))
    with pytest.raises(ValueError, match="need at least 4 replicates"):
        calibration.holdout_coverage([1.0, 2.0], [0.1, 0.1], 0.0)


def test_resample_units_keeps_whole_units_and_renumbers_copies():
    table = pd.DataFrame({"creator": ["a", "b", "a", "c", "b"], "x": [1, 2, 3, 4, 5]})
    result = calibration.resample_units(table, "creator", rng=np.random.default_rng(0))
    # three units drawn; each drawn unit brings all its rows in their original order
    assert result["creator"].nunique() == 3
    by_unit = result.groupby("creator")["x"].apply(tuple)
    assert set(by_unit) <= {(1, 3), (2, 5), (4,)}
    assert result["creator"].is_monotonic_increasing


def test_resample_units_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(KeyError, match="column 'handle' not in the table"):
        calibration.resample_units(pd.DataFrame({"creator": ["a"]}), "handle", rng=rng)
    with pytest.raises(ValueError, match=r"column 'creator' is missing in rows \[1\]"):
        calibration.resample_units(pd.DataFrame({"creator": ["a", None]}), "creator", rng=rng)
    with pytest.raises(TypeError, match="pass rng"):
        calibration.resample_units(pd.DataFrame({"creator": ["a"]}), "creator", rng=1)


def _two_draws(r: np.random.Generator) -> tuple[float, float]:
    return float(r.random()), float(r.normal())


def test_map_streams_same_list_whatever_the_workers():
    serial = calibration.map_streams(_two_draws, 7, rng=np.random.default_rng(3))
    forked = calibration.map_streams(_two_draws, 7, rng=np.random.default_rng(3), workers=2)
    assert serial == forked
    assert len(set(serial)) == 7  # every call had its own stream
    expected = [_two_draws(child) for child in np.random.default_rng(3).spawn(7)]
    assert serial == expected


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"n": 0}, ValueError, "n must be a whole number >= 1, got 0"),
    ({"n": 2, "workers": 0}, ValueError, "workers must be a whole number >= 1, got 0"),
    ({"n": 2, "rng": 5}, TypeError, "pass rng"),
])
def test_map_streams_bad_input(kwargs, error, match):
    arguments = {"rng": np.random.default_rng(0)} | kwargs
    with pytest.raises(error, match=match):
        calibration.map_streams(_two_draws, **arguments)


def test_map_generators_computes_a_subset_as_the_full_run_does():
    full = calibration.map_streams(_two_draws, 6, rng=np.random.default_rng(4))
    children = np.random.default_rng(4).spawn(6)
    result = calibration.map_generators(_two_draws, [children[5], children[2], children[0]],
                                        workers=2)
    expected = [full[5], full[2], full[0]]
    assert result == expected
    assert calibration.map_generators(_two_draws, []) == []


@pytest.mark.parametrize(("generators", "workers", "error", "match"), [
    ([np.random.default_rng(0)], 0, ValueError, "workers must be a whole number >= 1, got 0"),
    ([1, 2], 1, TypeError, "generators must be numpy Generators"),
])
def test_map_generators_bad_input(generators, workers, error, match):
    with pytest.raises(error, match=match):
        calibration.map_generators(_two_draws, generators, workers=workers)


def test_calibrated_t_and_its_holdout_on_a_skewed_world():
    # t is skewed (exponential minus 1): symmetric and quantile calibrations both cover, but only
    # the quantiles hold each tail near 2.5%
    rng = np.random.default_rng(7)
    t = rng.exponential(1.0, 8000) - 1.0
    low, high = calibration.calibrated_t(t, np.ones_like(t), 0.0)
    assert low == pytest.approx(np.log(1 / 0.975) - 1, abs=0.02)
    assert high == pytest.approx(np.log(1 / 0.025) - 1, abs=0.15)
    for symmetric in (True, False):
        coverage, se = calibration.holdout_coverage(t, np.ones_like(t), 0.0, symmetric=symmetric)
        assert abs(coverage - 0.95) < 3 * se
    symmetric_c = np.quantile(np.abs(t), 0.95)
    # the symmetric interval puts every miss in the upper tail, the quantiles split them
    assert np.mean(t > symmetric_c) == pytest.approx(0.05, abs=0.005)
    assert np.mean(t < -symmetric_c) == 0.0
    assert np.mean(t > high) == pytest.approx(0.025, abs=0.005)
    assert np.mean(t < low) == pytest.approx(0.025, abs=0.005)


# ---------------------------------------------------------------------------------------------
# widening, resample_counts, widened_interval, double_bootstrap (docs/analysis-plan.md,
# amendments 11 and 12)
# ---------------------------------------------------------------------------------------------


def test_widening_known_answers():
    estimate = np.zeros(4)
    low, high = estimate - 1.0, estimate + 2.0
    truth = np.array([-0.5, -3.0, 1.0, 4.0])  # needed: 0.5 (low side), 3.0, 0.5, 2.0 (high)
    assert calibration.widening(estimate, low, high, truth, coverage=0.5) == 1.25
    assert calibration.widening(estimate, low, high, truth, coverage=1.0) == 3.0
    # per side: low side needs [0.5, 3, 0, 0], high side [0, 0, 0.5, 2]
    result = calibration.widening(estimate, low, high, truth, coverage=1.0, sides=True)
    assert result == (3.0, 2.0)
    # a draw without an estimate is left out
    with_nan = calibration.widening(np.append(estimate, np.nan), np.append(low, 0),
                                    np.append(high, 0), np.append(truth, 0), coverage=1.0)
    assert with_nan == 3.0


@pytest.mark.parametrize("kwargs, match", [
    ({"coverage": 0.0}, "coverage must be in"),
    ({"coverage": 1.5}, "coverage must be in"),
])
def test_widening_bad_coverage(kwargs, match):
    with pytest.raises(ValueError, match=match):
        calibration.widening([0.0], [-1.0], [1.0], 0.0, **kwargs)


def test_widening_needs_one_draw():
    with pytest.raises(ValueError, match="no draw has an estimate"):
        calibration.widening([np.nan], [np.nan], [np.nan], 0.0)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(5, 200),
       coverage=st.floats(0.5, 0.99))
def test_widening_is_the_multiple_that_covers(seed, n, coverage):
    rng = np.random.default_rng(seed)
    estimate = rng.normal(size=n)
    low = estimate - rng.uniform(0.1, 2, n)
    high = estimate + rng.uniform(0.1, 2, n)
    k = calibration.widening(estimate, low, high, 0.0, coverage=coverage)
    covered = ((estimate - k * (estimate - low) <= 1e-12)
               & (-1e-12 <= estimate + k * (high - estimate)))
    assert k >= 0
    assert covered.mean() >= coverage - 1 / n  # the quantile interpolates between two draws
    k_low, k_high = calibration.widening(estimate, low, high, 0.0, coverage=coverage, sides=True)
    missed_low = (estimate + k_high * (high - estimate) < -1e-12).mean()
    missed_high = (estimate - k_low * (estimate - low) > 1e-12).mean()
    tail = (1 - coverage) / 2
    assert missed_low <= tail + 1 / n and missed_high <= tail + 1 / n


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_units=st.integers(1, 30), size=st.integers(1, 20))
def test_resample_counts_draw_whole_samples(seed, n_units, size):
    rng = np.random.default_rng(seed)
    counts = calibration.resample_counts(n_units, size, rng=rng)
    assert counts.shape == (size, n_units) and (counts >= 0).all()
    assert (counts.sum(axis=1) == n_units).all()
    inner = calibration.resample_counts(n_units, size, rng=rng, of=counts[0])
    assert (inner.sum(axis=1) == n_units).all()
    assert (inner[:, counts[0] == 0] == 0).all()  # a resample's resamples draw only its units


def test_resample_counts_match_resample_units_in_distribution():
    # each unit's count is Binomial(n, 1/n): mean 1, variance 1 - 1/n
    counts = calibration.resample_counts(10, 20_000, rng=np.random.default_rng(4))
    assert counts.mean() == pytest.approx(1.0, abs=0.01)
    assert counts.var() == pytest.approx(0.9, abs=0.02)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_units": 0, "size": 3}, ValueError, "at least 1"),
    ({"n_units": 3, "size": 2, "of": np.array([1, 1])}, ValueError, "3 counts"),
    ({"n_units": 3, "size": 2, "of": np.array([1, 1, 2])}, ValueError, "summing to 3"),
])
def test_resample_counts_bad_input(kwargs, error, match):
    with pytest.raises(error, match=match):
        calibration.resample_counts(rng=np.random.default_rng(0), **kwargs)


class _ShortMeanFit:
    """The mean of ``values`` per resample with an interval of ``factor`` standard errors (a
    top-level class, so that forked workers can receive it)."""

    def __init__(self, values, factor):
        self.values, self.factor = np.asarray(values, dtype=float), factor

    def __call__(self, counts):
        counts = np.atleast_2d(counts)
        n = len(self.values)
        mean = counts @ self.values / n
        se = np.sqrt(np.maximum(counts @ self.values**2 / n - mean**2, 0) / n)
        return mean, mean - self.factor * se, mean + self.factor * se


_short_mean_fit = _ShortMeanFit


def test_widened_interval_known_answer():
    values = np.random.default_rng(0).normal(size=200)
    fit = _short_mean_fit(values, 1.0)  # a 68% interval: needs about 1.96 times its width
    result = calibration.widened_interval(fit, 200, n=2000, rng=np.random.default_rng(1))
    assert result.k == pytest.approx(1.96, abs=0.12)
    mean, se = values.mean(), values.std() / np.sqrt(200)
    assert result.estimate == pytest.approx(mean)
    assert (result.ci_low, result.ci_high) == pytest.approx((mean - se, mean + se))
    assert (result.low, result.high) == pytest.approx((mean - result.k * se,
                                                       mean + result.k * se))
    assert result.resamples == 2000


def test_double_bootstrap_fixes_a_short_interval_and_not_a_heavy_tail():
    rng = np.random.default_rng(3)
    normal = _short_mean_fit(rng.normal(size=100), 1.0)
    table = calibration.double_bootstrap(normal, 100, n_outer=300, n_inner=200,
                                         rng=np.random.default_rng(4))
    assert list(table.columns) == ["estimate", "low", "high", "k", "k_low", "k_high",
                                   "covered", "covered_widened", "covered_sides"]
    assert table["covered"].mean() < 0.75  # a 68% interval
    assert table["covered_widened"].mean() == pytest.approx(0.95, abs=0.035)
    # a mean carried by one giant: a resample without it cannot know how wide to be
    giant = _short_mean_fit(np.append(rng.normal(size=99), 60.0), 1.96)
    heavy = calibration.double_bootstrap(giant, 100, n_outer=300, n_inner=200,
                                         rng=np.random.default_rng(5))
    assert heavy["covered_widened"].mean() < 0.85
    assert heavy.attrs["truth"] == pytest.approx(giant.values.mean())


def test_double_bootstrap_same_rows_whatever_the_workers():
    fit = _short_mean_fit(np.random.default_rng(0).normal(size=50), 1.0)
    one = calibration.double_bootstrap(fit, 50, n_outer=8, n_inner=20,
                                       rng=np.random.default_rng(9))
    two = calibration.double_bootstrap(fit, 50, n_outer=8, n_inner=20,
                                       rng=np.random.default_rng(9), workers=2)
    assert_frame_equal(one, two)


@pytest.mark.parametrize("kwargs, match", [({"n_outer": 1}, "n_outer"),
                                           ({"n_inner": 1.5}, "n_inner")])
def test_double_bootstrap_bad_counts(kwargs, match):
    fit = _short_mean_fit(np.zeros(5), 1.0)
    options = {"n_outer": 10, "n_inner": 10} | kwargs
    with pytest.raises(ValueError, match=match):
        calibration.double_bootstrap(fit, 5, rng=np.random.default_rng(0), **options)


def test_leave_one_out_known_answer_and_chunks():
    values = np.arange(1.0, 8.0)
    fit = _ShortMeanFit(values * 7 / 6, 1.0)  # counts @ v / 7 with one unit left out: the mean
    expected = np.array([(values.sum() - v) / 6 for v in values])
    np.testing.assert_allclose(calibration.leave_one_out(fit, 7, chunk=3), expected)
    np.testing.assert_allclose(calibration.leave_one_out(fit, 7, chunk=1), expected)
    with pytest.raises(ValueError, match="chunk must be at least 1"):
        calibration.leave_one_out(fit, 7, chunk=0)
