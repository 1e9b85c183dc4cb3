"""Tests for insights.simulate.CalibratedWorld: a world fitted to a real posts table."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from insights import simulate
from insights.simulate import CalibratedWorld, World, _primary_estimates, simulate_posts

SHARED_DATA = Path("/work/shared/data")


def _known_posts(b=0.8, creator_sd=0.6, post_sd=0.5, n=600, seed=0):
    """Posts from the classic World with normal noise and large counts: known b and sds."""
    world = World.calibrated(b=b, rate=0.05, at=1e4, creator_sd=creator_sd, post_sd=post_sd,
                             noise_df=None, age_elasticity=0.3)
    posts = simulate_posts(world, n, (5, 15), rng=np.random.default_rng(seed))
    return posts.assign(engagement=posts["likes"] + posts["comments"])


def test_calibrated_to_recovers_a_known_world():
    posts = _known_posts()
    world = CalibratedWorld.calibrated_to(posts, curvature=False, source="known")
    assert world.b == pytest.approx(0.8, abs=0.03)
    assert world.age_elasticity == pytest.approx(0.3, abs=0.05)
    np.testing.assert_allclose(np.sqrt(world.post_variance[1]), 0.5, atol=0.08)
    np.testing.assert_allclose(np.sqrt(np.mean(world.creator_variance[1])), 0.6, atol=0.1)
    assert world.zero_logit is None  # no zeros in the table: none in the world
    assert world.describe().startswith("calibrated to known: 600 creators")


def test_the_design_is_the_real_one():
    posts = _known_posts(n=200)
    world = CalibratedWorld.calibrated_to(posts, match=False)
    sample = world.simulate(rng=np.random.default_rng(1))
    assert sample["creator"].nunique() == 200
    real_sizes = np.sort(posts.groupby("creator").size().to_numpy())
    drawn = sample.groupby("creator").agg(n=("post_id", "size"), f=("followers", "first"))
    # every simulated creator is a real creator: its follower count and its number of posts
    real = posts.groupby("creator").agg(n=("post_id", "size"), f=("followers", "first"))
    pairs = set(zip(real["f"], real["n"], strict=True))
    assert all((f, n) in pairs for f, n in zip(drawn["f"], drawn["n"], strict=True))
    assert np.isin(sample["age_days"], posts["age_days"]).all()
    assert drawn["n"].sum() == len(sample) and real_sizes.sum() == len(posts)
    bigger = world.simulate(rng=np.random.default_rng(1), n_creators=500)
    assert bigger["creator"].nunique() == 500


def test_estimands_coincide_without_heteroskedasticity_and_differ_with_it():
    posts = _known_posts()
    world = CalibratedWorld.calibrated_to(posts, curvature=False, match=False)
    flat = world.replace(creator_variance=((0.0,), (0.36,)), post_variance=((0.0,), (0.25,)))
    assert flat.expected_elasticity() == pytest.approx(flat.b, abs=1e-9)
    assert flat.typical_elasticity() == pytest.approx(flat.b, abs=1e-9)
    # a variance that falls by 0.5 per unit of z lowers the mean's slope by 0.25
    falling = flat.replace(post_variance=((-5.0, 5.0), (2.75, 0.0001)))
    z = np.log(posts["followers"]) - falling.centre
    assert (z.min() > -5) and (z.max() < 5)
    assert falling.expected_elasticity() == pytest.approx(flat.b - 0.1375, abs=1e-3)


def test_zero_share_is_matched_and_structural_zeros_fall_with_size():
    posts = _known_posts(n=400)
    z = np.log(posts["followers"].to_numpy())
    rng = np.random.default_rng(3)
    drop = rng.random(len(posts)) < 1 / (1 + np.exp(-(8 - z)))  # more zeros for small accounts
    posts.loc[drop, "engagement"] = 0.0
    world = CalibratedWorld.calibrated_to(posts)
    assert world.zero_logit is not None and world.zero_logit[1] < 0
    assert world._zero_share() == pytest.approx(drop.mean(), abs=1e-3)
    sample = world.simulate(rng=np.random.default_rng(4), n_creators=4_000)
    assert (sample["engagement"] == 0).mean() == pytest.approx(drop.mean(), abs=0.02)


def test_creator_selection_keeps_the_successful():
    world = CalibratedWorld.calibrated_to(_known_posts(n=300), match=False)
    plain = world.simulate(rng=np.random.default_rng(5), n_creators=3_000)
    selected = world.replace(creator_selection=3.0).simulate(rng=np.random.default_rng(5),
                                                             n_creators=3_000)
    assert np.log1p(selected["engagement"]).mean() > np.log1p(plain["engagement"]).mean() + 0.2


def test_bad_input():
    with pytest.raises(KeyError, match=r"calibrated_to needs columns \['age_days'\]"):
        CalibratedWorld.calibrated_to(_known_posts(n=20).drop(columns="age_days"))
    with pytest.raises(ValueError, match="at least 50 usable posts"):
        CalibratedWorld.calibrated_to(_known_posts(n=20).head(30))


@pytest.fixture(scope="module")
def by_user():
    from insights.ingest import datasets

    if not (SHARED_DATA / "tiktok-datares-2020").is_dir():
        pytest.skip("the TikTok data set is not available")
    posts = datasets.load("tiktok-datares-2020", "posts")
    posts = posts[posts["part"] == "by_user"]
    return posts.assign(engagement=posts["likes"] + posts["comments"])


def test_a_world_calibrated_to_by_user_reproduces_its_moments(by_user):
    world = CalibratedWorld.calibrated_to(by_user, source="TikTok by_user")
    real_typical, real_expected = _primary_estimates(by_user)
    sims = [_primary_estimates(world.simulate(rng=np.random.default_rng(seed)))
            for seed in range(4)]
    typical, expected = np.mean(sims, axis=0)
    assert typical == pytest.approx(real_typical, abs=0.03)
    # the mean's elasticity is not fitted: it follows from the spread shrinking with size
    assert expected == pytest.approx(real_expected, abs=0.08)
    assert world.typical_elasticity() - world.expected_elasticity() > 0.1  # the estimand gap
    sample = world.simulate(rng=np.random.default_rng(9))
    real_spread = np.log(by_user.loc[by_user["engagement"] > 0, "engagement"]).std()
    assert np.log(sample.loc[sample["engagement"] > 0, "engagement"]).std() == pytest.approx(
        real_spread, rel=0.1)


def test_sounds_are_assigned_without_effect():
    world = CalibratedWorld.calibrated_to(_known_posts(n=200), match=False)
    plain = world.simulate(rng=np.random.default_rng(6))
    with_sounds = world.simulate(rng=np.random.default_rng(6), n_sounds=22)
    assert with_sounds["sound"].nunique() == 22
    pd.testing.assert_series_equal(plain["engagement"], with_sounds["engagement"])


def test_top_share_per_group():
    from insights.simulate import top_share_per_group

    posts = pd.DataFrame({"sound": ["x"] * 10 + ["y"] * 3,
                          "likes": np.r_[np.arange(10.0), [5.0, 1.0, 3.0]], "comments": 0.0})
    result = top_share_per_group(posts, 0.2)
    assert result["likes"].tolist() == [8.0, 9.0, 5.0]  # 2 of x, ceil(0.6) = 1 of y
    assert len(top_share_per_group(posts, 1.0)) == 13
    with pytest.raises(ValueError, match=r"share must be in \(0, 1\]"):
        top_share_per_group(posts, 0.0)


def test_array_fits_equal_the_claim_functions(by_user):
    from insights import claims

    world = simulate.CalibratedWorld.calibrated_to(
        by_user.assign(engagement=by_user["likes"] + by_user["comments"]), match=False)
    posts = world.simulate(rng=np.random.default_rng(3), n_creators=300, n_sounds=7)
    expected = claims.engagement_vs_followers(posts, fe="sound", dataset="s", hazards=(),
                                              margin=None)
    estimate, se, df = simulate.typical_fit(posts["creator"], posts["followers"],
                                            posts["age_days"], posts["likes"], fe=posts["sound"])
    assert estimate == pytest.approx(expected.estimate, rel=1e-9)
    half = expected.ci_high - expected.estimate
    assert se * sps.t.ppf(0.975, df) == pytest.approx(half, rel=1e-8)
    means = posts.groupby("creator").agg(followers=("followers", "first"),
                                         avg_likes=("likes", "mean")).reset_index()
    expected = claims.engagement_vs_followers(means, components=("avg_likes",), dataset="s",
                                              hazards=(), margin=None)
    estimate, se, df = simulate.creator_fit(means["followers"], means["avg_likes"])
    assert estimate == pytest.approx(expected.estimate, rel=1e-9)
    assert se * sps.t.ppf(0.975, df) == pytest.approx(expected.ci_high - expected.estimate,
                                                      rel=1e-8)


def test_primary_fits_rows_and_replicates(by_user):
    world = simulate.CalibratedWorld.calibrated_to(
        by_user.assign(engagement=by_user["likes"] + by_user["comments"]), match=False)
    result = simulate.replicate_primaries(world, 3, rng=np.random.default_rng(0),
                                          n_creators=200)
    k = len(simulate.PRIMARY_FITS)
    assert result["replicate"].tolist() == [0] * k + [1] * k + [2] * k
    assert result["estimator"].tolist()[:k] == list(simulate.PRIMARY_FITS)
    again = simulate.replicate_primaries(world, 3, rng=np.random.default_rng(0), n_creators=200)
    pd.testing.assert_frame_equal(result, again)
    sample = world.draw(rng=np.random.default_rng(1), n_creators=200)
    table = world.simulate(rng=np.random.default_rng(1), n_creators=200)
    np.testing.assert_array_equal(table["engagement"], sample.engagement)
    assert sample.n_creators == 200 and sample.owner.max() == 199


def test_replicates_are_the_same_whatever_the_number_of_workers(by_user):
    world = simulate.ResampledWorld(by_user)
    serial = simulate.replicate_primaries(world, 6, rng=np.random.default_rng(4),
                                          n_creators=150, fits=["post PPML, clustered"])
    forked = simulate.replicate_primaries(world, 6, rng=np.random.default_rng(4),
                                          n_creators=150, fits=["post PPML, clustered"],
                                          workers=2)
    pd.testing.assert_frame_equal(serial, forked)
    assert serial["estimator"].unique().tolist() == ["post PPML, clustered"]
    with pytest.raises(KeyError, match="unknown fits"):
        simulate.primary_fits(world.observed(), ["post PPML"])


def test_resampled_world_draws_whole_creators(by_user):
    world = simulate.ResampledWorld(by_user)
    observed = world.observed()
    assert observed.n_creators == by_user["creator"].nunique()
    np.testing.assert_array_equal(observed.engagement,
                                  (by_user["likes"] + by_user["comments"]).to_numpy())
    sample = world.draw(rng=np.random.default_rng(0), n_creators=50)
    assert sample.n_creators == 50 and set(np.unique(sample.owner)) == set(range(50))
    # every drawn creator has one follower count, as in the table
    per_owner = pd.Series(sample.followers).groupby(sample.owner).nunique()
    assert (per_owner == 1).all()
    with pytest.raises(ValueError, match="column 'creator' is missing in rows"):
        simulate.ResampledWorld(by_user.assign(creator=None))
