"""Tests for insights.simulate: the simulator reproduces its parameters; selection rules."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from scipy import stats as sps

from insights.schemas import CANONICAL_COLUMNS, validate
from insights.simulate import (
    DATASET,
    PLATFORM,
    REFERENCE_TIME,
    World,
    display_round,
    draw_noise,
    follower_floor,
    simulate_creators,
    simulate_posts,
    top_k_per_group,
    top_n_by_followers,
)
from insights.stats import fit_elasticity

NAN = np.nan


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def fit_posts(posts: pd.DataFrame, *, x: str = "true_followers", fe: str | None = None):
    """The C1 post-level fit: log(likes + comments) on log(x), log(1 + age), by creator."""
    work = pd.DataFrame(
        {
            "engagement": posts["likes"] + posts["comments"],
            "x": posts[x],
            "creator": posts["creator"],
            "log_age": np.log1p(posts["age_days"]),
        }
    )
    if fe is not None:
        work[fe] = posts[fe]
    return fit_elasticity(
        work, y="engagement", x="x", controls=["log_age"], cluster="creator", fe=fe
    )


# ---------------------------------------------------------------------------------------------
# World
# ---------------------------------------------------------------------------------------------


def test_world_defaults_give_a_realistic_rate():
    world = World()
    assert (world.b, world.followers_low, world.followers_high) == (1.0, 1e3, 1e7)
    assert (world.creator_sd, world.post_sd, world.noise_df, world.sound_sd) == (0.8, 1.0, 3, 0.5)
    assert (world.comment_share, world.age_days_max, world.age_elasticity) == (0.01, 180, 0.3)
    assert (world.follower_error_sd, world.display_rounding) == (0.0, False)
    assert 0.03 <= world.typical_rate(10_000) <= 0.05


def test_world_is_frozen_and_replace_returns_a_copy():
    world = World()
    with pytest.raises(AttributeError):
        world.b = 2.0  # type: ignore[misc]
    changed = world.replace(b=0.8, display_rounding=True)
    assert (changed.b, changed.display_rounding, world.b) == (0.8, True, 1.0)


def test_describe_is_one_line_naming_the_parameters():
    text = World(b=0.85, noise_df=None, follower_error_sd=0.2, display_rounding=True).describe()
    assert "\n" not in text
    for part in ("b=0.85", "1k to 10M", "normal", "follower error sd 0.2", "rounding on"):
        assert part in text


@pytest.mark.parametrize("b", [0.7, 1.0, 1.2])
def test_calibrated_sets_the_rate_at_the_pivot(b):
    world = World.calibrated(b=b, rate=0.03, at=5e4)
    assert world.b == b
    assert world.typical_rate(5e4) == pytest.approx(0.03, rel=1e-12)
    assert world.typical_rate(5e5) == pytest.approx(0.03 * 10 ** (b - 1), rel=1e-12)
    with pytest.raises(TypeError, match="sets the intercept"):
        World.calibrated(intercept=0.0)


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"followers_low": 1e5, "followers_high": 1e5}, ValueError, "must be below"),
        ({"followers_low": 1e6, "followers_high": 1e5}, ValueError, "must be below"),
        ({"followers_low": 0.5}, ValueError, "followers_low must be >= 1"),
        ({"creator_sd": -0.1}, ValueError, "creator_sd must be >= 0"),
        ({"post_sd": -1.0}, ValueError, "post_sd must be >= 0"),
        ({"sound_sd": -1.0}, ValueError, "sound_sd must be >= 0"),
        ({"follower_error_sd": -0.2}, ValueError, "follower_error_sd must be >= 0"),
        ({"comment_share": -0.01}, ValueError, "comment_share must be >= 0"),
        ({"age_days_max": 0.0}, ValueError, "age_days_max must be > 0"),
        ({"noise_df": 0}, ValueError, "noise_df must be > 0"),
        ({"noise_df": "3"}, TypeError, "noise_df must be a number"),
        ({"b": math.inf}, ValueError, "b must be finite"),
        ({"intercept": NAN}, ValueError, "intercept must be finite"),
        ({"b": "1"}, TypeError, "b must be a number"),
        ({"display_rounding": "yes"}, TypeError, "display_rounding"),
    ],
)
def test_world_rejects_bad_parameters(changes, error, message):
    with pytest.raises(error, match=message):
        World(**changes)


# ---------------------------------------------------------------------------------------------
# bad inputs to the simulators
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad_rng", [0, None, np.random.RandomState(0), "seed"])
def test_rng_must_be_a_generator(bad_rng):
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        simulate_creators(World(), 5, rng=bad_rng)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        simulate_posts(World(), 5, 2, rng=bad_rng)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        draw_noise(World(), 5, rng=bad_rng)


def test_rng_is_keyword_only():
    with pytest.raises(TypeError):
        simulate_creators(World(), 5, rng(0))  # type: ignore[misc]


@pytest.mark.parametrize("n", [0, -3])
def test_counts_below_one_are_refused(n):
    with pytest.raises(ValueError, match="n must be >= 1"):
        simulate_creators(World(), n, rng=rng())
    with pytest.raises(ValueError, match="n_creators must be >= 1"):
        simulate_posts(World(), n, 2, rng=rng())
    with pytest.raises(ValueError, match="posts_per_creator must be >= 1"):
        simulate_posts(World(), 3, n, rng=rng())
    with pytest.raises(ValueError, match="n_sounds must be >= 1"):
        simulate_posts(World(), 3, 2, rng=rng(), n_sounds=n)


@pytest.mark.parametrize(
    ("posts_per_creator", "error", "message"),
    [
        ((5, 2), ValueError, r"low \(5\) must be <= high \(2\)"),
        ((0, 2), ValueError, "low must be >= 1"),
        ((1, 2, 3), ValueError, "int or a"),
        (2.5, TypeError, "must be an integer"),
    ],
)
def test_bad_posts_per_creator(posts_per_creator, error, message):
    with pytest.raises(error, match=message):
        simulate_posts(World(), 3, posts_per_creator, rng=rng())


def test_non_integer_and_non_world_arguments():
    with pytest.raises(TypeError, match="n must be an integer"):
        simulate_creators(World(), 2.0, rng=rng())
    with pytest.raises(TypeError, match="world must be a World"):
        simulate_posts({"b": 1.0}, 3, 2, rng=rng())


# ---------------------------------------------------------------------------------------------
# canonical tables, ids, determinism
# ---------------------------------------------------------------------------------------------


def test_tables_are_canonical_and_validate():
    posts = simulate_posts(World(), 40, (1, 4), rng=rng(1), n_sounds=3)
    creators = simulate_creators(World(), 40, rng=rng(1))
    for table, name, extras in (
        (posts, "posts", ["true_followers", "age_days", "sound"]),
        (creators, "creators", ["true_followers"]),
    ):
        canonical = list(CANONICAL_COLUMNS[name])
        assert list(table.columns) == canonical + extras
        validate(table, name)
        assert (table["platform"] == PLATFORM).all()
        assert (table["dataset"] == DATASET).all()
        assert isinstance(table.index, pd.RangeIndex)
    assert creators["creator"].iloc[:2].tolist() == ["c00001", "c00002"]
    assert posts["post_id"].is_unique
    assert posts[["shares", "views"]].isna().all().all()
    assert (posts["collected_at"] == REFERENCE_TIME).all()
    assert creators[["avg_shares", "avg_views", "engagement_rate"]].isna().all().all()


def test_counts_are_whole_and_non_negative_with_some_zeros():
    posts = simulate_posts(World(b=0.6), 300, 10, rng=rng(2))
    for column in ("likes", "comments"):
        values = posts[column].to_numpy()
        assert (values >= 0).all()
        assert (values == np.round(values)).all()
    assert (posts["comments"] == 0).any()  # realistic: many posts have no comments


def test_same_seed_same_frames_and_different_seeds_differ():
    world = World(follower_error_sd=0.1)
    a = simulate_posts(world, 50, (2, 5), rng=rng(7), n_sounds=4)
    b = simulate_posts(world, 50, (2, 5), rng=rng(7), n_sounds=4)
    assert_frame_equal(a, b)
    assert_frame_equal(simulate_creators(world, 50, rng=rng(7)),
                       simulate_creators(world, 50, rng=rng(7)))
    c = simulate_posts(world, 50, (2, 5), rng=rng(8), n_sounds=4)
    assert not a["true_followers"].head(10).equals(c["true_followers"].head(10))
    assert not simulate_creators(world, 50, rng=rng(8)).equals(
        simulate_creators(world, 50, rng=rng(7))
    )


def test_posts_and_creators_from_one_seed_share_the_creators():
    world = World(follower_error_sd=0.3)
    creators = simulate_creators(world, 30, rng=rng(3), posts_per_creator=(1, 6))
    posts = simulate_posts(world, 30, (1, 6), rng=rng(3))
    per_creator = posts.groupby("creator").agg(
        n=("post_id", "size"), followers=("followers", "first"),
        true_followers=("true_followers", "first"),
    )
    assert per_creator.index.tolist() == creators["creator"].tolist()
    np.testing.assert_array_equal(creators["posts"].to_numpy(), per_creator["n"].to_numpy())
    np.testing.assert_array_equal(
        creators["followers"].to_numpy(), per_creator["followers"].to_numpy()
    )
    np.testing.assert_array_equal(
        creators["true_followers"].to_numpy(), per_creator["true_followers"].to_numpy()
    )


def test_posts_per_creator_range_is_inclusive():
    posts = simulate_posts(World(), 400, (2, 4), rng=rng(4))
    counts = posts.groupby("creator").size()
    assert len(counts) == 400
    assert set(counts.unique()) == {2, 3, 4}


def test_vectorised_simulation_of_ten_thousand_creators():
    posts = simulate_posts(World(), 10_000, 30, rng=rng(5), n_sounds=50)
    assert len(posts) == 300_000
    assert posts["creator"].nunique() == 10_000
    assert posts["creator"].iloc[-1] == "c10000"
    assert posts["sound"].nunique() == 50


# ---------------------------------------------------------------------------------------------
# the simulator reproduces its parameters
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("b", [0.7, 1.0, 1.2])
def test_post_level_fit_recovers_b(b):
    # The calibrated intercept keeps counts realistic at every b (few zeros to drop).
    posts = simulate_posts(World.calibrated(b=b), 1500, 20, rng=rng(11))
    fit = fit_posts(posts)
    assert fit.se < 0.02  # the check below is sharp, not vacuous
    # 4 SE: a false failure has probability ~6e-5 under a correct simulator.
    assert abs(fit.estimate - b) < 4 * fit.se, (fit.estimate, fit.se)
    assert fit.dropped < 0.01 * len(posts)


@pytest.mark.parametrize("b", [0.7, 1.2])
def test_creator_table_has_slope_b_and_residual_sd_creator_sd(b):
    world = World(b=b, creator_sd=0.6)
    creators = simulate_creators(world, 4000, rng=rng(12))
    log_engagement = np.log(creators["avg_likes"] + creators["avg_comments"])
    log_f = np.log(creators["true_followers"])
    slope, intercept = np.polyfit(log_f, log_engagement, 1)
    residual = log_engagement - (intercept + slope * log_f)
    se = 0.6 / (log_f.std() * math.sqrt(len(creators)))
    assert abs(slope - b) < 4 * se
    assert residual.std() == pytest.approx(0.6, abs=0.03)
    # the level: log(typical engagement) - b log(F) averages the intercept of typical_rate
    level = (log_engagement - b * log_f).mean()
    assert abs(level - math.log(world.typical_rate(1.0))) < 4 * 0.6 / math.sqrt(len(creators))


@pytest.mark.parametrize("df", [4.0, 6.0, None])
def test_noise_has_the_requested_sd(df):
    noise = draw_noise(World(noise_df=df, post_sd=0.7), 400_000, rng=rng(13))
    # sd of the sample sd: large for t4 (infinite kurtosis), hence the loose tolerance
    assert noise.std() == pytest.approx(0.7, rel=0.05 if df == 4 else 0.01)
    assert abs(noise.mean()) < 0.01


@pytest.mark.parametrize(("df", "post_sd"), [(3.0, 1.0), (2.0, 0.5), (1.5, 1.0)])
def test_noise_has_the_t_shape(df, post_sd):
    # The sample sd of t3 converges too slowly to test; the quantiles identify the scale.
    noise = draw_noise(World(noise_df=df, post_sd=post_sd), 200_000, rng=rng(14))
    scale = post_sd * math.sqrt((df - 2) / df) if df > 2 else post_sd
    result = sps.kstest(noise / scale, sps.t(df).cdf)
    assert result.pvalue > 1e-3
    q = np.quantile(noise, [0.25, 0.75])
    assert q[1] - q[0] == pytest.approx(2 * scale * sps.t(df).ppf(0.75), rel=0.02)


def test_noise_size_zero_and_sd_zero():
    assert draw_noise(World(), 0, rng=rng()).shape == (0,)
    assert (draw_noise(World(post_sd=0.0), 10, rng=rng()) == 0).all()


@pytest.mark.parametrize("share", [0.01, 0.08])
def test_comment_share_is_recovered(share):
    posts = simulate_posts(World(comment_share=share, noise_df=None), 500, 20, rng=rng(15))
    comments, likes = posts["comments"].sum(), posts["likes"].sum()
    # comments given the total are binomial: relative error ~ 1 / sqrt(comments)
    assert comments / likes == pytest.approx(share, rel=4 / math.sqrt(comments) + 1e-3)
    creators = simulate_creators(World(comment_share=share), 10, rng=rng(15))
    np.testing.assert_allclose(creators["avg_comments"] / creators["avg_likes"], share)


@pytest.mark.parametrize("age_max", [1.0, 30.0, 180.0])
def test_ages_lie_in_the_half_open_interval(age_max):
    posts = simulate_posts(World(age_days_max=age_max), 200, 50, rng=rng(16))
    age = posts["age_days"].to_numpy()
    assert (age > 0).all() and (age <= age_max).all()
    assert age.mean() == pytest.approx(age_max / 2, rel=0.03)
    implied = (posts["collected_at"] - posts["posted_at"]) / pd.Timedelta(days=1)
    np.testing.assert_allclose(implied, age, rtol=0, atol=1e-9)


def test_age_elasticity_is_recovered():
    posts = simulate_posts(World.calibrated(noise_df=None, age_elasticity=0.5), 800, 20,
                           rng=rng(17))
    work = pd.DataFrame({"engagement": posts["likes"] + posts["comments"],
                         "x": 1 + posts["age_days"], "creator": posts["creator"],
                         "log_f": np.log(posts["true_followers"])})
    fit = fit_elasticity(work, y="engagement", x="x", controls=["log_f"], cluster="creator")
    assert abs(fit.estimate - 0.5) < 4 * fit.se


def test_follower_error_sd_is_recovered_and_attenuates_b():
    world = World.calibrated(follower_error_sd=0.8)
    creators = simulate_creators(world, 20_000, rng=rng(18))
    log_ratio = np.log(creators["followers"] / creators["true_followers"])
    assert log_ratio.std() == pytest.approx(0.8, rel=0.02)
    assert abs(log_ratio.mean()) < 0.02
    # errors in variables: the slope on recorded followers shrinks by var(x) / var(x + error)
    posts = simulate_posts(world, 2000, 10, rng=rng(18))
    var_log_f = math.log(1e4) ** 2 / 12
    attenuation = var_log_f / (var_log_f + 0.8**2)
    fit = fit_posts(posts, x="followers")
    assert abs(fit.estimate - attenuation) < 4 * fit.se
    assert fit.ci_high < 1.0  # a naive test would call C1 "supported" on a world with b = 1


def test_without_error_recorded_equals_true():
    creators = simulate_creators(World(), 100, rng=rng(19))
    assert (creators["followers"] == creators["true_followers"]).all()
    assert creators["followers"].between(1e3, 1e7).all()
    log_f = np.log10(creators["true_followers"])
    assert log_f.min() < 3.5 and log_f.max() > 6.5  # spread over the whole range


def test_sound_effects_have_sound_sd():
    # many followers, so that Poisson noise and zero counts do not blur the log scale
    world = World(noise_df=None, creator_sd=0.3, sound_sd=0.5, age_elasticity=0.0,
                  followers_low=1e5)
    posts = simulate_posts(world, 3000, 20, rng=rng(20), n_sounds=200)
    assert posts["sound"].str.fullmatch(r"s\d{3}").all()
    residual = np.log(posts["likes"] + posts["comments"]) - np.log(posts["true_followers"])
    by_sound = residual.groupby(posts["sound"]).mean()
    assert by_sound.std() == pytest.approx(0.5, abs=0.07)
    assert simulate_posts(world, 5, 2, rng=rng(20))["sound"].isna().all()


def test_display_rounding_world_records_rounded_counts():
    world = World(display_rounding=True)
    posts = simulate_posts(world, 300, 5, rng=rng(21))
    creators = simulate_creators(world, 300, rng=rng(21))
    for values in (posts["likes"], posts["followers"], creators["followers"],
                   creators["avg_likes"]):
        np.testing.assert_array_equal(display_round(values), values.to_numpy())
    big = posts["followers"] >= 1e3
    assert (posts.loc[big, "followers"] % 100 == 0).all()
    assert (posts["true_followers"] != posts["followers"]).any()


# ---------------------------------------------------------------------------------------------
# display_round
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, 0),
        (999, 999),
        (999.6, 999.6),
        (1000, 1000),
        (1049, 1000),
        (1050, 1100),  # halves round up
        (87_249, 87_200),
        (87_250, 87_300),
        (999_949, 999_900),
        (999_950, 1_000_000),
        (1_000_000, 1_000_000),
        (4_251_000, 4_300_000),
        (4_249_999, 4_200_000),
        (1.26e9, 1.3e9),
        (2.5e10, 2.5e10),
        (-87_249, -87_200),
    ],
)
def test_display_round_examples(value, expected):
    assert display_round(value) == expected


def test_display_round_keeps_nan_inf_and_shape():
    out = display_round(np.array([[NAN, 1234.0], [np.inf, 5.0]]))
    assert out.shape == (2, 2)
    assert np.isnan(out[0, 0]) and out[0, 1] == 1200.0 and out[1, 0] == np.inf
    assert out[1, 1] == 5.0
    series = pd.Series([87_249.0, NAN])
    np.testing.assert_array_equal(display_round(series), [87_200.0, NAN])
    assert series.iloc[0] == 87_249.0  # input not modified


def _unit(value: float) -> float:
    return 1e9 if value >= 1e9 else 1e6 if value >= 1e6 else 1e3


@given(st.floats(min_value=0, max_value=1e15, allow_nan=False))
@example(999_950.0)
@example(999.999)
@example(1.0e9 - 1)
def test_display_round_properties(value):
    rounded = float(display_round(value))
    if value < 1000:
        assert rounded == value
    else:
        assert abs(rounded - value) <= 0.05 * _unit(value) * (1 + 1e-12)
    assert float(display_round(rounded)) == rounded  # idempotent


@given(st.lists(st.floats(min_value=0, max_value=1e13, allow_nan=False), min_size=2))
def test_display_round_is_monotone(values):
    ordered = np.sort(np.asarray(values))
    assert (np.diff(display_round(ordered)) >= 0).all()


# ---------------------------------------------------------------------------------------------
# selection rules
# ---------------------------------------------------------------------------------------------


def test_top_n_by_followers_keeps_the_n_largest():
    creators = simulate_creators(World(), 500, rng=rng(30))
    before = creators.copy()
    top = top_n_by_followers(creators, 25)
    assert len(top) == 25
    assert isinstance(top.index, pd.RangeIndex)
    assert top["followers"].min() >= creators["followers"].nlargest(25).min()
    assert set(top["creator"]) == set(creators.nlargest(25, "followers")["creator"])
    assert top["creator"].is_monotonic_increasing  # original order kept
    assert_frame_equal(creators, before)  # input untouched
    assert len(top_n_by_followers(creators, 10_000)) == 500


def test_top_n_by_followers_ties_and_missing():
    table = pd.DataFrame({"creator": list("abcde"), "followers": [5.0, NAN, 7.0, 5.0, 5.0]})
    assert top_n_by_followers(table, 2)["creator"].tolist() == ["a", "c"]
    assert top_n_by_followers(table, 10)["creator"].tolist() == ["a", "c", "d", "e"]
    with pytest.raises(ValueError, match="n must be >= 1"):
        top_n_by_followers(table, 0)
    with pytest.raises(KeyError, match="not in the table"):
        top_n_by_followers(table.drop(columns="followers"), 1)


def test_top_k_per_group_keeps_the_top_k_of_each_group():
    posts = simulate_posts(World(), 200, 10, rng=rng(31), n_sounds=7)
    before = posts.copy()
    top = top_k_per_group(posts, 15)
    assert_frame_equal(posts, before)
    counts = top.groupby("sound").size()
    assert len(counts) == 7 and (counts <= 15).all()
    engagement = posts["likes"] + posts["comments"]
    kept = posts["post_id"].isin(top["post_id"])
    for sound, group in engagement.groupby(posts["sound"]):
        in_group = kept[group.index]
        assert in_group.sum() == min(15, len(group))
        if (~in_group).any():
            assert group[in_group].min() >= group[~in_group].max(), sound


def test_top_k_per_group_details():
    posts = pd.DataFrame(
        {
            "sound": ["x", "x", "x", "y", None, "y"],
            "likes": [1.0, 9.0, 9.0, NAN, 99.0, NAN],
            "comments": [0.0, 0.0, 0.0, 2.0, 0.0, NAN],
        }
    )
    top = top_k_per_group(posts, 1)
    # ties go to the earlier row; a missing component counts as 0; all-missing never kept
    assert top["sound"].tolist() == ["x", "y"]
    assert top["comments"].tolist() == [0.0, 2.0]
    assert top["likes"].iloc[0] == 9.0 and np.isnan(top["likes"].iloc[1])
    assert top_k_per_group(posts, 5, by="likes")["likes"].tolist() == [1.0, 9.0, 9.0]
    with pytest.raises(ValueError, match="k must be >= 1"):
        top_k_per_group(posts, 0)
    with pytest.raises(KeyError, match="not in the table"):
        top_k_per_group(posts, 1, group="song")
    with pytest.raises(ValueError, match="at least one"):
        top_k_per_group(posts, 1, by=())


def test_follower_floor():
    table = pd.DataFrame({"creator": list("abcd"), "followers": [999.0, 1000.0, NAN, 5e4]},
                         index=[10, 11, 12, 13])
    out = follower_floor(table, 1000)
    assert out["creator"].tolist() == ["b", "d"]
    assert isinstance(out.index, pd.RangeIndex)
    assert table.shape == (4, 2)
    assert follower_floor(table, 1e9).empty
    with pytest.raises(ValueError, match="finite number"):
        follower_floor(table, NAN)


def test_selection_on_followers_keeps_b_but_selection_on_outcome_breaks_it():
    posts = simulate_posts(World.calibrated(b=1.0), 10_000, 5, rng=rng(32), n_sounds=20)
    full = fit_posts(posts, x="followers", fe="sound")
    floor = fit_posts(follower_floor(posts, 1e5), x="followers", fe="sound")
    top = fit_posts(top_k_per_group(posts, 50), x="followers", fe="sound")
    assert abs(full.estimate - 1.0) < 4 * full.se
    assert abs(floor.estimate - 1.0) < 4 * floor.se  # selection on x: no bias
    assert top.ci_high < 0.5  # selection on y: b is grossly understated
