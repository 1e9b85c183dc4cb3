"""Tests for the calibrated bootstrap-t interval (docs/analysis-plan.md, amendment 9):
simulate.calibrated_interval, simulate.nested_coverage and claims.c1_fit(ci="calibrated")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from insights import calibration, claims, simulate
from insights.simulate import CalibratedInterval, CalibratedWorld, World, simulate_posts
from insights.verdicts import verdict


def _posts(n=250, seed=0, b=0.8):
    world = World.calibrated(b=b, rate=0.05, at=1e4, creator_sd=0.6, post_sd=0.5,
                             noise_df=None, age_elasticity=0.3)
    posts = simulate_posts(world, n, (3, 8), rng=np.random.default_rng(seed))
    return posts.assign(engagement=posts["likes"] + posts["comments"])


@pytest.fixture(scope="module")
def posts():
    return _posts()


@pytest.fixture(scope="module")
def world(posts):
    return CalibratedWorld.calibrated_to(posts, match=False)


def test_the_interval_is_read_from_the_worlds_t_quantiles(posts, world):
    result = simulate.calibrated_interval(posts, 0.9, 0.05, n=40, rng=np.random.default_rng(5),
                                          world=world)
    fits = simulate.replicate_primaries(world, 40, rng=np.random.default_rng(5),
                                        fits=["post PPML, clustered"])
    truth = world.expected_elasticity()
    q_low, q_high = calibration.calibrated_t(fits["estimate"], fits["se"], truth)
    expected = CalibratedInterval(0.9, 0.05, 0.9 - q_high * 0.05, 0.9 - q_low * 0.05, q_low,
                                  q_high, truth, np.empty(0))
    assert result == expected  # t and world are not compared
    np.testing.assert_allclose(result.t, (fits["estimate"] - truth) / fits["se"])
    assert result.replicates == 40 and result.world is world


def test_typical_fit_uses_the_typical_truth(posts, world):
    result = simulate.calibrated_interval(posts, 0.8, 0.02, n=10, rng=np.random.default_rng(1),
                                          world=world, fit="post log-OLS, clustered")
    assert result.truth == pytest.approx(world.typical_elasticity())


def test_a_world_is_calibrated_when_none_is_given(posts):
    result = simulate.calibrated_interval(posts, 0.9, 0.05, n=5, rng=np.random.default_rng(2))
    expected = simulate.calibrated_interval(posts, 0.9, 0.05, n=5, rng=np.random.default_rng(2),
                                            world=CalibratedWorld.calibrated_to(posts))
    assert result == expected
    assert result.world.describe() == expected.world.describe()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [({"estimate": np.nan}, ValueError, "finite estimate"),
     ({"se": 0.0}, ValueError, "positive se"),
     ({"level": 1.5}, ValueError, "level must be between"),
     ({"fit": "creator mean, log-OLS HC3"}, ValueError, "creator level"),
     ({"fit": "nope"}, KeyError, "nope")],
)
def test_bad_arguments_are_named(posts, world, kwargs, error, message):
    arguments = {"estimate": 0.9, "se": 0.05, "n": 3, "rng": np.random.default_rng(0),
                 "world": world, **kwargs}
    with pytest.raises(error, match=message):
        simulate.calibrated_interval(posts, **arguments)


@given(st.floats(-5, 5), st.floats(0.01, 2), st.lists(st.floats(-6, 6), min_size=5,
                                                      max_size=60))
def test_tost_p_is_a_probability_and_falls_as_the_margin_widens(estimate, se, t):
    ci = CalibratedInterval(estimate, se, 0.0, 1.0, -2.0, 2.0, 0.0, np.asarray(t))
    narrow, wide = ci.tost_p(estimate - 0.1, estimate + 0.1), ci.tost_p(estimate - 5, estimate + 5)
    assert 0 < wide <= narrow <= 1


def test_tost_p_needs_ordered_bounds():
    ci = CalibratedInterval(1.0, 0.1, 0.8, 1.2, -2.0, 2.0, 1.0, np.zeros(3))
    with pytest.raises(ValueError, match="low must be below high"):
        ci.tost_p(1.2, 0.8)


def test_nested_coverage_recalibrates_each_sample(world):
    table = simulate.nested_coverage(world, n_outer=2, n_inner=6, rng=np.random.default_rng(9))
    assert list(table.columns) == [
        "estimate", "se", "ci_low", "ci_high", "calibrated_low", "calibrated_high", "q_low",
        "q_high", "recalibrated_truth", "covered", "covered_calibrated"]
    # the first row is the calibrated interval of the first outer sample, by hand
    outer, inner = np.random.default_rng(9).spawn(2)[0].spawn(2)
    sample = world.draw(rng=outer)
    fit = simulate.primary_fits(sample, ["post PPML, clustered"]).iloc[0]
    expected = simulate.calibrated_interval(simulate.sample_table(sample), fit["estimate"],
                                            fit["se"], n=6, rng=inner)
    row = table.iloc[0]
    assert (row["calibrated_low"], row["calibrated_high"]) == pytest.approx(
        (expected.low, expected.high))
    truth = world.expected_elasticity()
    assert row["covered_calibrated"] == (expected.low <= truth <= expected.high)
    assert row["covered"] == (row["ci_low"] <= truth <= row["ci_high"])
    forked = simulate.nested_coverage(world, n_outer=4, n_inner=3, rng=np.random.default_rng(2),
                                      workers=2)
    serial = simulate.nested_coverage(world, n_outer=4, n_inner=3, rng=np.random.default_rng(2))
    pd.testing.assert_frame_equal(forked, serial)


def test_nested_coverage_only_recomputes_chosen_rows(world):
    full = simulate.nested_coverage(world, n_outer=4, n_inner=3, rng=np.random.default_rng(5))
    result = simulate.nested_coverage(world, n_outer=4, n_inner=3, rng=np.random.default_rng(5),
                                      only=[3, 1])
    expected = full.loc[[3, 1]]
    pd.testing.assert_frame_equal(result, expected)
    assert list(full.index) == [0, 1, 2, 3] and full.index.name == "outer"


@pytest.mark.parametrize("only", [[4], [-1], [1, 1]])
def test_nested_coverage_only_refuses_positions_outside_the_run(world, only):
    with pytest.raises(ValueError, match="only must list distinct positions in 0..3"):
        simulate.nested_coverage(world, n_outer=4, n_inner=3, rng=np.random.default_rng(5),
                                 only=only)


def test_sample_table_columns(world):
    sample = world.draw(rng=np.random.default_rng(0), n_creators=5)
    result = simulate.sample_table(sample)
    expected = pd.DataFrame({"creator": sample.owner, "followers": sample.followers,
                             "age_days": sample.age_days, "engagement": sample.engagement})
    pd.testing.assert_frame_equal(result, expected)


def test_c1_fit_with_the_calibrated_interval(posts):
    plain = claims.c1_fit(posts, estimand="expected", dataset="toy", hazards=()).fit
    result = claims.engagement_vs_followers(posts, estimand="expected", ci="calibrated",
                                            n_resamples=30, rng=np.random.default_rng(4),
                                            dataset="toy", hazards=())
    assert result.estimate == pytest.approx(plain.estimate, rel=1e-12)
    check = simulate.calibrated_interval(
        posts[["creator", "followers", "age_days", "engagement"]], plain.estimate, plain.se,
        n=30, rng=np.random.default_rng(4))
    assert (result.ci_low, result.ci_high) == pytest.approx((check.low, check.high), rel=1e-12)
    assert result.tost_p == pytest.approx(check.tost_p(0.95, 1.05), rel=1e-12)
    assert result.verdict == verdict(check.low, check.high, line=1.0, claim_side="below",
                                            tost_p=result.tost_p)
    assert "calibrated bootstrap-t" in result.method
    assert f"the clustered interval, not used: {plain.ci_low:.3f} to {plain.ci_high:.3f}" in (
        result.notes)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [({"estimand": "typical"}, ValueError, "expected estimand"),
     ({"aggregate": "mean"}, ValueError, "expected estimand"),
     ({"rng": None}, TypeError, "needs rng"),
     ({"control_age": False}, ValueError, "post ages")],
)
def test_c1_fit_calibrated_refuses_what_it_cannot_calibrate(posts, kwargs, error, message):
    arguments = {"estimand": "expected", "ci": "calibrated", "n_resamples": 3,
                 "rng": np.random.default_rng(0), "dataset": "toy", "hazards": (), **kwargs}
    with pytest.raises(error, match=message):
        claims.engagement_vs_followers(posts, **arguments)
