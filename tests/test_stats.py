"""Tests for insights.stats: elasticity fits, bootstraps and medians with CIs.

Every data set is generated here from a seeded ``numpy.random.Generator`` with a known
elasticity, so each check is deterministic. Sizes are kept small so the file runs in seconds.
"""

import math

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from insights import stats
from insights.stats import (
    MAX_FIXED_EFFECT_LEVELS,
    BootstrapResult,
    Elasticity,
    InsufficientDataError,
    binned_medians,
    bootstrap_elasticity,
    bootstrap_elasticity_loop,
    bootstrap_median,
    fit_elasticity,
    fit_line,
    group_medians,
    piecewise_elasticity,
    quantile_elasticity,
    tier_medians,
)
from insights.tiers import custom_scheme

LOG_1K, LOG_10M = math.log(1e3), math.log(1e7)
A_LIKES = math.log(0.05)  # intercept of the simulated creators


def creators(rng, n, *, b=0.8, a=A_LIKES, sigma=0.4, het=0.0):
    """``n`` creators: followers log-uniform 1k-10M, likes = e^a * followers^b * noise.

    ``het`` > 0 makes the noise grow with log followers (heteroskedastic).
    """
    lx = rng.uniform(LOG_1K, LOG_10M, n)
    scale = sigma * (1 + het * (lx - LOG_1K) / (LOG_10M - LOG_1K))
    ly = a + b * lx + rng.normal(0, 1, n) * scale
    return pd.DataFrame({"likes": np.exp(ly), "followers": np.exp(lx)})


def posts(rng, n_creators, per_creator, *, b=0.8, creator_sd=0.6, post_sd=0.3):
    """Posts clustered by creator: a random creator effect shared by all their posts."""
    lx = rng.uniform(LOG_1K, LOG_10M, n_creators)
    effect = rng.normal(0, creator_sd, n_creators)
    creator = np.repeat(np.arange(n_creators), per_creator)
    ly = 1.0 + b * lx[creator] + effect[creator] + rng.normal(0, post_sd, len(creator))
    return pd.DataFrame(
        {"creator": [f"c{c:03d}" for c in creator], "likes": np.exp(ly),
         "followers": np.exp(lx[creator])}
    )


# --------------------------------------------------------------------------------------------
# fit_elasticity


def test_fit_recovers_elasticity_creator_level_hc3():
    frame = creators(np.random.default_rng(1), 2000, b=0.8, het=1.0)
    result = fit_elasticity(frame, y="likes")
    assert isinstance(result, Elasticity)
    assert abs(result.estimate - 0.8) < 0.03
    assert result.ci_low < 0.8 < result.ci_high
    assert abs(result.intercept - A_LIKES) < 0.3
    assert (result.n, result.n_clusters, result.dropped) == (2000, None, 0)
    assert "HC3" in result.method
    assert (result.y, result.x, result.level) == ("likes", "followers", 0.95)
    assert result.cov_ab[2] == pytest.approx(result.se**2)
    assert result.x_min == pytest.approx(frame["followers"].min())
    assert result.x_max == pytest.approx(frame["followers"].max())
    # CI is t with n - 2 degrees of freedom
    t = sps.t.ppf(0.975, 2000 - 2)
    assert result.ci_high - result.estimate == pytest.approx(t * result.se)


def test_fit_does_not_mutate_input():
    frame = creators(np.random.default_rng(2), 50)
    frame.loc[3, "likes"] = 0.0
    before = frame.copy()
    fit_elasticity(frame, y="likes")
    tm.assert_frame_equal(frame, before)


def test_clustered_post_level_fit_recovers_b_and_widens_the_se():
    frame = posts(np.random.default_rng(3), n_creators=80, per_creator=15, b=0.8)
    clustered = fit_elasticity(frame, y="likes", cluster="creator")
    naive = fit_elasticity(frame, y="likes", cov="nonrobust")
    assert clustered.ci_low < 0.8 < clustered.ci_high
    assert clustered.estimate == pytest.approx(naive.estimate)
    # design effect 1 + (m - 1) * rho = 1 + 14 * 0.8: the clustered SE is about 3x the naive
    assert clustered.se > 2 * naive.se
    assert (clustered.n, clustered.n_clusters) == (1200, 80)
    assert "clustered by creator (80)" in clustered.method
    t = sps.t.ppf(0.975, 80 - 1)  # G - 1 degrees of freedom
    assert clustered.ci_high - clustered.estimate == pytest.approx(t * clustered.se)


def test_control_correlated_with_x_must_be_included():
    rng = np.random.default_rng(4)
    n = 600
    lx = rng.uniform(LOG_1K, LOG_10M, n)
    z = 0.8 * lx + rng.normal(0, 1, n)  # e.g. log views, correlated with log followers
    ly = 0.6 * lx + 0.5 * z + rng.normal(0, 0.3, n)
    frame = pd.DataFrame({"likes": np.exp(ly), "followers": np.exp(lx), "z": z})
    without = fit_elasticity(frame, y="likes")
    with_control = fit_elasticity(frame, y="likes", controls=["z"])
    assert not without.ci_low < 0.6 < without.ci_high  # omitted-variable bias: ~0.6 + 0.4
    assert without.estimate > 0.9
    assert with_control.ci_low < 0.6 < with_control.ci_high
    assert abs(with_control.estimate - 0.6) < 0.05
    assert "controls z" in with_control.method


def test_fixed_effects_absorb_group_shifts_correlated_with_x():
    rng = np.random.default_rng(5)
    n_sounds, per_sound = 20, 30
    sound = np.repeat(np.arange(n_sounds), per_sound)
    # popular sounds are used by bigger creators and add engagement of their own
    lx = LOG_1K + 0.35 * sound + rng.uniform(0, 2, len(sound))
    ly = 0.5 * lx + 0.3 * sound + rng.normal(0, 0.3, len(sound))
    frame = pd.DataFrame(
        {"likes": np.exp(ly), "followers": np.exp(lx), "sound": [f"s{s}" for s in sound]}
    )
    pooled = fit_elasticity(frame, y="likes")
    within = fit_elasticity(frame, y="likes", fe="sound")
    assert pooled.estimate > 0.9  # biased up by the sound effects
    assert within.ci_low < 0.5 < within.ci_high
    assert abs(within.estimate - 0.5) < 0.05
    assert "sound fixed effects (20)" in within.method
    # dummies are centred: the line passes through the means, at the average sound
    expected_intercept = ly.mean() - within.estimate * lx.mean()
    assert within.intercept == pytest.approx(expected_intercept, rel=1e-9)


def test_too_many_fixed_effect_levels_is_refused():
    n = MAX_FIXED_EFFECT_LEVELS + 1
    frame = creators(np.random.default_rng(6), n).assign(sound=[f"s{i}" for i in range(n)])
    with pytest.raises(ValueError, match=f"{n} levels") as info:
        fit_elasticity(frame, y="likes", fe="sound")
    assert not isinstance(info.value, InsufficientDataError)


def test_coverage_of_the_hc3_interval():
    # 500 small data sets (n = 30, heteroskedastic noise) with true b = 0.8. A correct 95%
    # interval covers b in Binomial(500, ~0.95) of them; 4,000 replications of this design
    # gave 0.950-0.953. Bounds [0.90, 0.99] fail with probability < 2e-6 at p = 0.95
    # (scipy.stats.binom: P(X <= 449) = 1.6e-6, P(X >= 496) = 1.7e-7) and still < 2e-4 at
    # p = 0.94 or 0.96, while an interval that ignores heteroskedasticity or uses the wrong
    # quantile moves the rate well outside them.
    rng = np.random.default_rng(7)
    reps = 500
    covered = 0
    for _ in range(reps):
        fit = fit_elasticity(creators(rng, 30, b=0.8, het=1.0), y="likes")
        covered += fit.ci_low <= 0.8 <= fit.ci_high
    assert 0.90 <= covered / reps <= 0.99


# --------------------------------------------------------------------------------------------
# dropping rules and errors


def test_unusable_rows_are_dropped_and_counted():
    rng = np.random.default_rng(8)
    good = creators(rng, 50).assign(z=rng.normal(size=50))
    bad = pd.DataFrame(
        {
            "likes": [0.0, -1.0, np.nan, 10.0, 10.0, 10.0, 10.0, 10.0, 10.0, np.inf],
            "followers": [1e4, 1e4, 1e4, 0.0, -5.0, np.nan, np.inf, 1e4, 1e4, 1e4],
            "z": [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, np.nan, np.inf, 0.0],
        }
    )
    frame = pd.concat([good, bad], ignore_index=True)
    result = fit_elasticity(frame, y="likes", controls=["z"])
    expected = fit_elasticity(good, y="likes", controls=["z"])
    assert (result.n, result.dropped) == (50, 10)
    assert result.estimate == pytest.approx(expected.estimate, rel=1e-12)
    assert result.se == pytest.approx(expected.se, rel=1e-12)


def test_text_values_are_coerced_and_dropped():
    good = creators(np.random.default_rng(9), 20)
    frame = pd.DataFrame(
        {"likes": [*good["likes"].tolist(), "n/a", "12k"],
         "followers": [*good["followers"].tolist(), 1e4, 1e4]}
    )
    result = fit_elasticity(frame, y="likes")
    assert (result.n, result.dropped) == (20, 2)


def test_missing_fixed_effect_or_cluster_label_drops_the_row():
    frame = posts(np.random.default_rng(10), 10, 5)
    frame["sound"] = np.where(np.arange(len(frame)) % 7 == 0, None, "s1")
    frame.loc[[1, 2], "creator"] = None
    result = fit_elasticity(frame, y="likes", fe="sound", cluster="creator")
    expected_dropped = int(frame["sound"].isna().sum() + frame["creator"].isna().sum())
    assert expected_dropped == 10  # rows 1, 2 and every 7th, no overlap
    assert (result.n, result.dropped) == (50 - expected_dropped, expected_dropped)


@pytest.mark.parametrize(
    "fit",
    [
        lambda f, **kw: fit_elasticity(f, y="likes", **kw),
        lambda f, **kw: quantile_elasticity(f, y="likes", **kw),
        lambda f, **kw: piecewise_elasticity(f, y="likes", **kw),
        lambda f, **kw: bootstrap_elasticity(
            f, y="likes", n_resamples=10, rng=np.random.default_rng(0), **kw
        ),
    ],
    ids=["fit", "quantile", "piecewise", "bootstrap"],
)
def test_too_few_rows_or_no_spread_raise(fit):
    rng = np.random.default_rng(11)
    three = creators(rng, 3)
    three.loc[3] = [0.0, 1e4]  # a fourth row that is dropped
    with pytest.raises(InsufficientDataError, match="3 usable rows"):
        fit(three)
    constant = pd.DataFrame({"likes": rng.uniform(1, 100, 10), "followers": [5e4] * 10})
    with pytest.raises(InsufficientDataError, match="same 'followers'"):
        fit(constant)
    assert issubclass(InsufficientDataError, ValueError)


def test_fewer_than_three_clusters_raise():
    frame = posts(np.random.default_rng(12), 2, 20)
    with pytest.raises(InsufficientDataError, match="2 clusters"):
        fit_elasticity(frame, y="likes", cluster="creator")
    with pytest.raises(InsufficientDataError, match="2 clusters"):
        bootstrap_elasticity(
            frame, y="likes", cluster="creator", n_resamples=10, rng=np.random.default_rng(0)
        )
    three = posts(np.random.default_rng(12), 3, 20)
    assert fit_elasticity(three, y="likes", cluster="creator").n_clusters == 3


@pytest.mark.parametrize(
    "kwargs",
    [{"y": "nope"}, {"y": "likes", "x": "nope"}, {"y": "likes", "controls": ["nope"]},
     {"y": "likes", "fe": "nope"}, {"y": "likes", "cluster": "nope"}],
    ids=["y", "x", "control", "fe", "cluster"],
)
def test_missing_column_raises_keyerror_naming_it(kwargs):
    frame = creators(np.random.default_rng(13), 20)
    with pytest.raises(KeyError, match="'nope'"):
        fit_elasticity(frame, **kwargs)


def test_invalid_level_and_q_raise():
    frame = creators(np.random.default_rng(14), 30)
    with pytest.raises(ValueError, match="level"):
        fit_elasticity(frame, y="likes", level=1.5)
    with pytest.raises(ValueError, match="q must be"):
        quantile_elasticity(frame, y="likes", q=1.0)
    with pytest.raises(ValueError, match="level"):
        bootstrap_elasticity(frame, y="likes", level=0.0, rng=np.random.default_rng(0))


# --------------------------------------------------------------------------------------------
# quantile_elasticity


def test_median_regression_resists_heavy_tails_that_pull_ols():
    rng = np.random.default_rng(15)
    n = 1000
    lx = rng.uniform(LOG_1K, LOG_10M, n)
    noise = 0.3 * rng.standard_t(3, n)
    # contamination: 10% of the upper half of creators get a viral boost of e^8
    viral = (lx > np.median(lx)) & (rng.random(n) < 0.10)
    ly = 0.7 * lx + noise + 8.0 * viral
    frame = pd.DataFrame({"likes": np.exp(ly), "followers": np.exp(lx)})
    ols = fit_elasticity(frame, y="likes")
    median = quantile_elasticity(frame, y="likes")
    assert ols.ci_low > 0.75  # pulled up by about 0.8 * 1.5 / 9.2 = 0.13
    assert median.ci_low < 0.7 < median.ci_high
    assert abs(median.estimate - 0.7) < 0.03
    assert "quantile regression (q=0.5)" in median.method
    assert (median.n, median.dropped) == (n, 0)


def test_upper_quantile_line_sits_above_the_median_line():
    frame = creators(np.random.default_rng(16), 500, sigma=0.5)
    q50 = quantile_elasticity(frame, y="likes")
    q90 = quantile_elasticity(frame, y="likes", q=0.9)
    assert abs(q90.estimate - 0.8) < 0.08
    # homoskedastic noise: the lines are 1.28 sigma apart (compare them mid-range)
    mid = np.log(frame["followers"]).mean()
    gap = (q90.intercept + q90.estimate * mid) - (q50.intercept + q50.estimate * mid)
    assert gap == pytest.approx(1.28 * 0.5, abs=0.1)


# --------------------------------------------------------------------------------------------
# piecewise_elasticity

PIECEWISE_COLUMNS = ["lower", "upper", "n", "slope", "ci_low", "ci_high", "change",
                     "change_low", "change_high"]


def _bent(rng, n, knot=1e5, low=0.9, high=0.5, keep_above=None):
    lx = rng.uniform(LOG_1K, LOG_10M, n)
    if keep_above is not None:  # keep only a few creators above keep_above[0]
        above = np.flatnonzero(lx > math.log(keep_above[0]))
        lx = np.delete(lx, above[keep_above[1]:])
    ly = low * lx + (high - low) * np.maximum(lx - math.log(knot), 0) + rng.normal(0, 0.3, len(lx))
    return pd.DataFrame({"likes": np.exp(ly), "followers": np.exp(lx)})


def test_piecewise_recovers_two_slopes_and_the_bend():
    frame = _bent(np.random.default_rng(17), 2000)
    result = piecewise_elasticity(frame, y="likes", knots=[1e5])
    assert result.columns.tolist() == PIECEWISE_COLUMNS
    assert result["n"].sum() == 2000
    assert result["upper"].iloc[0] == pytest.approx(1e5)
    assert result["lower"].iloc[0] == pytest.approx(frame["followers"].min())
    assert result["upper"].iloc[-1] == pytest.approx(frame["followers"].max())
    low, high = result.iloc[0], result.iloc[1]
    assert low["ci_low"] < 0.9 < low["ci_high"]
    assert high["ci_low"] < 0.5 < high["ci_high"]
    assert math.isnan(low["change"]) and math.isnan(low["change_low"])
    assert high["change_high"] < 0  # the bend is detected
    assert high["change_low"] < -0.4 < high["change_high"]
    assert high["change"] == pytest.approx(high["slope"] - low["slope"])


def test_piecewise_merges_knots_with_thin_segments():
    # about 100 creators per decade up to 1M, then only 5 above it; knot 1e9 is off the data
    frame = _bent(np.random.default_rng(18), 400, keep_above=(1e6, 5))
    result = piecewise_elasticity(frame, y="likes", knots=(1e4, 1e5, 1e6, 1e9), min_segment=20)
    assert len(result) == 3
    assert result["upper"].iloc[:2].tolist() == pytest.approx([1e4, 1e5])
    assert result["n"].iloc[-1] == int((frame["followers"] >= 1e5).sum())
    assert result["n"].iloc[-1] > 100
    assert result["n"].sum() == len(frame)


def test_piecewise_without_surviving_knots_is_the_plain_fit():
    frame = creators(np.random.default_rng(19), 60)
    result = piecewise_elasticity(frame, y="likes", knots=(1e4, 1e5, 1e6), min_segment=100)
    plain = fit_elasticity(frame, y="likes")
    assert len(result) == 1
    row = result.iloc[0]
    assert row["n"] == 60 and math.isnan(row["change"])
    assert row["slope"] == pytest.approx(plain.estimate)
    assert row["ci_low"] == pytest.approx(plain.ci_low)
    assert row["ci_high"] == pytest.approx(plain.ci_high)


def test_piecewise_clustered_uses_cluster_errors():
    frame = posts(np.random.default_rng(20), 60, 8)
    clustered = piecewise_elasticity(frame, y="likes", knots=[1e5], cluster="creator",
                                     min_segment=10)
    naive = piecewise_elasticity(frame, y="likes", knots=[1e5], cov="nonrobust",
                                 min_segment=10)
    tm.assert_series_equal(clustered["slope"], naive["slope"])
    width = clustered["ci_high"] - clustered["ci_low"]
    assert (width > 1.5 * (naive["ci_high"] - naive["ci_low"])).all()


# --------------------------------------------------------------------------------------------
# fit_line

Z975 = 1.959963984540054  # the normal 97.5% quantile: large-sample CI


def _toy_fit(**changes):
    values = dict(
        estimate=0.8, se=0.01, ci_low=0.8 - Z975 * 0.01, ci_high=0.8 + Z975 * 0.01, n=10_000,
        n_clusters=None, dropped=0, intercept=-3.0, cov_ab=(0.04, -0.0015, 0.0001),
        method="toy", level=0.95, y="likes", x="followers", x_min=1e3, x_max=1e6,
    )
    values.update(changes)
    return Elasticity(**values)


def test_fit_line_values_and_band_by_hand():
    result = fit_line(_toy_fit(), [1e3, 1e5])
    rows = []
    for x in (1e3, 1e5):
        lx = math.log(x)
        centre = -3.0 + 0.8 * lx
        se = math.sqrt(0.04 + 2 * lx * -0.0015 + lx**2 * 0.0001)
        rows.append((x, math.exp(centre), math.exp(centre - Z975 * se),
                     math.exp(centre + Z975 * se)))
    expected = pd.DataFrame(rows, columns=["x", "fit", "ci_low", "ci_high"])
    tm.assert_frame_equal(result, expected, rtol=1e-12)


def test_fit_line_default_grid_covers_the_fitted_range():
    result = fit_line(_toy_fit(), points=7)
    expected_x = pd.Series([1e3, 10**3.5, 1e4, 10**4.5, 1e5, 10**5.5, 1e6], name="x")
    tm.assert_series_equal(result["x"], expected_x, rtol=1e-12)
    assert (result["ci_low"] < result["fit"]).all() and (result["fit"] < result["ci_high"]).all()


def test_fit_line_of_a_real_fit_passes_through_the_geometric_means():
    frame = creators(np.random.default_rng(21), 400)
    fit = fit_elasticity(frame, y="likes")
    line = fit_line(fit, [np.exp(np.log(frame["followers"]).mean())])
    assert line["fit"].iloc[0] == pytest.approx(np.exp(np.log(frame["likes"]).mean()))


def test_fit_line_band_uses_the_same_critical_value_as_the_fit():
    rng = np.random.default_rng(22)
    frame = posts(rng, 5, 30)
    frame["followers"] *= np.exp(rng.normal(0, 0.5, len(frame)))  # x varies within creators
    fit = fit_elasticity(frame, y="likes", cluster="creator")
    critical = (fit.ci_high - fit.estimate) / fit.se  # t with 4 df, about 2.78
    xs = np.array([1e3, 1e5, 1e7])
    line = fit_line(fit, xs)
    var_a, cov_ab, var_b = fit.cov_ab
    lx = np.log(xs)
    se = np.sqrt(var_a + 2 * lx * cov_ab + lx**2 * var_b)
    half_width = np.log(line["ci_high"] / line["fit"]).to_numpy()
    np.testing.assert_allclose(half_width, critical * se, rtol=1e-9)


# --------------------------------------------------------------------------------------------
# bootstrap_elasticity


def _boot_frame(rng, n=60):
    frame = creators(rng, n, sigma=0.5)
    frame["z"] = 0.3 * np.log(frame["followers"]) + rng.normal(0, 1, n)
    frame["group"] = np.array(["a", "b", "c"])[rng.integers(0, 3, n)]
    return frame


BOOT_CASES = {
    "rows": dict(),
    "rows+controls": dict(controls=["z"]),
    "rows+controls+fe": dict(controls=["z"], fe="group"),
    "clusters": dict(cluster="creator"),
    "clusters+controls": dict(cluster="creator", controls=["z"]),
}


@pytest.mark.parametrize("case", list(BOOT_CASES))
def test_vectorised_bootstrap_equals_the_loop_draw_for_draw(case):
    kwargs = BOOT_CASES[case]
    rng = np.random.default_rng(23)
    if "cluster" in kwargs:
        frame = posts(rng, 15, 4)
        frame["z"] = rng.normal(0, 1, len(frame))
    else:
        frame = _boot_frame(rng)
    common = dict(y="likes", n_resamples=40, batch_budget=7 * 60, **kwargs)  # several batches
    fast = bootstrap_elasticity(frame, rng=np.random.default_rng(99), **common)
    slow = bootstrap_elasticity_loop(frame, rng=np.random.default_rng(99), **common)
    np.testing.assert_allclose(fast.draws, slow.draws, rtol=1e-9, atol=1e-12)  # NaN == NaN
    assert fast.n_failed == slow.n_failed
    assert fast.ci_low == pytest.approx(slow.ci_low, rel=1e-9)
    assert fast.ci_high == pytest.approx(slow.ci_high, rel=1e-9)
    assert (fast.n, fast.n_units, fast.n_resamples) == (slow.n, slow.n_units, 40)
    assert fast.n_units == (15 if "cluster" in kwargs else len(frame))


def test_bootstrap_same_seed_same_result_and_other_seed_differs():
    frame = _boot_frame(np.random.default_rng(24), 80)
    first = bootstrap_elasticity(frame, y="likes", n_resamples=50, rng=np.random.default_rng(1))
    again = bootstrap_elasticity(frame, y="likes", n_resamples=50, rng=np.random.default_rng(1))
    other = bootstrap_elasticity(frame, y="likes", n_resamples=50, rng=np.random.default_rng(2))
    assert isinstance(first, BootstrapResult)
    assert first == again
    np.testing.assert_array_equal(first.draws, again.draws)
    assert not np.array_equal(first.draws, other.draws)
    assert (first.ci_low, first.ci_high) != (other.ci_low, other.ci_high)
    assert first.estimate == other.estimate  # the full-sample slope does not depend on rng
    assert first.estimate == pytest.approx(fit_elasticity(frame, y="likes").estimate)


def test_bootstrap_batch_budget():
    frame = _boot_frame(np.random.default_rng(25), 61)
    run = dict(y="likes", n_resamples=50)
    base = bootstrap_elasticity(frame, rng=np.random.default_rng(3), batch_budget=61 * 7, **run)
    same = bootstrap_elasticity(frame, rng=np.random.default_rng(3), batch_budget=61 * 7, **run)
    np.testing.assert_array_equal(base.draws, same.draws)
    # Promised: the same budget gives the same result. Observed (numpy 2.4, PCG64): the
    # integer stream does not depend on how it is split into batches, so other budgets give
    # the same resamples and draws equal up to rounding in the batched matrix product.
    one_batch = bootstrap_elasticity(frame, rng=np.random.default_rng(3), **run)
    np.testing.assert_allclose(base.draws, one_batch.draws, rtol=1e-10)


@pytest.mark.parametrize("rng", [None, 0, np.random.RandomState(0)], ids=["None", "int", "legacy"])
def test_bootstrap_requires_a_generator(rng):
    frame = creators(np.random.default_rng(26), 20)
    with pytest.raises(TypeError, match="default_rng"):
        bootstrap_elasticity(frame, y="likes", n_resamples=10, rng=rng)
    with pytest.raises(TypeError, match="default_rng"):
        bootstrap_elasticity_loop(frame, y="likes", n_resamples=10, rng=rng)
    with pytest.raises(TypeError, match="default_rng"):
        bootstrap_median([1.0, 2.0, 3.0], rng=rng)


def test_bootstrap_needs_two_resamples():
    frame = creators(np.random.default_rng(27), 20)
    with pytest.raises(ValueError, match="n_resamples"):
        bootstrap_elasticity(frame, y="likes", n_resamples=1, rng=np.random.default_rng(0))


def test_singular_resamples_are_counted_and_nan():
    # 8 creators at only two follower counts, one of them held by a single creator:
    # a resample misses it with probability (7/8)^8 = 0.34 and then has no spread in x.
    frame = pd.DataFrame(
        {"likes": [10.0, 12.0, 9.0, 11.0, 13.0, 10.5, 9.5, 200.0],
         "followers": [1e4] * 7 + [1e6]}
    )
    kwargs = dict(y="likes", n_resamples=200)
    fast = bootstrap_elasticity(frame, rng=np.random.default_rng(5), **kwargs)
    slow = bootstrap_elasticity_loop(frame, rng=np.random.default_rng(5), **kwargs)
    assert 40 < fast.n_failed < 110
    assert int(np.isnan(fast.draws).sum()) == fast.n_failed
    np.testing.assert_array_equal(np.isnan(fast.draws), np.isnan(slow.draws))
    np.testing.assert_allclose(fast.draws, slow.draws, rtol=1e-9)
    assert np.isfinite([fast.ci_low, fast.ci_high, fast.se]).all()
    ok = fast.draws[np.isfinite(fast.draws)]
    assert fast.ci_low == pytest.approx(np.quantile(ok, 0.025))
    assert fast.ci_high == pytest.approx(np.quantile(ok, 0.975))
    assert fast.se == pytest.approx(ok.std(ddof=1))


def test_bootstrap_ci_is_close_to_the_hc_ci_on_a_large_sample():
    frame = creators(np.random.default_rng(28), 2000, het=1.0)
    boot = bootstrap_elasticity(frame, y="likes", n_resamples=1000, rng=np.random.default_rng(0))
    hc = fit_elasticity(frame, y="likes")
    half = hc.ci_high - hc.estimate
    assert boot.n_failed == 0
    assert boot.estimate == pytest.approx(hc.estimate)
    assert boot.se == pytest.approx(hc.se, rel=0.1)
    assert abs(boot.ci_low - hc.ci_low) < 0.15 * half
    assert abs(boot.ci_high - hc.ci_high) < 0.15 * half


def test_cluster_bootstrap_resamples_whole_creators():
    frame = posts(np.random.default_rng(29), 40, 10)
    boot = bootstrap_elasticity(frame, y="likes", cluster="creator", n_resamples=400,
                                rng=np.random.default_rng(0))
    rows = bootstrap_elasticity(frame, y="likes", n_resamples=400, rng=np.random.default_rng(0))
    clustered = fit_elasticity(frame, y="likes", cluster="creator")
    assert (boot.n, boot.n_units, boot.dropped) == (400, 40, 0)
    assert "clusters of creator" in boot.method
    assert boot.se == pytest.approx(clustered.se, rel=0.25)
    assert boot.se > 2 * rows.se  # resampling rows ignores the creator effect


def test_bootstrap_reports_dropped_rows():
    frame = creators(np.random.default_rng(30), 30)
    frame.loc[[0, 1], "likes"] = 0.0
    boot = bootstrap_elasticity(frame, y="likes", n_resamples=20, rng=np.random.default_rng(0))
    assert (boot.n, boot.n_units, boot.dropped) == (28, 28, 2)


# --------------------------------------------------------------------------------------------
# bootstrap_median


@pytest.mark.parametrize(
    ("values", "expected_median"),
    [([5.0, 1.0, 3.0, 2.0, 4.0], 3.0), ([6.0, 1.0, 3.0, 2.0, 4.0, 5.0], 3.5),
     ([1.0, np.nan, 2.0, np.inf, 3.0, -np.inf, 10.0, 20.0], 3.0),
     (pd.Series(["1", "2", "x", "3", "4", "5"]), 3.0)],
    ids=["odd", "even", "non-finite-ignored", "text-coerced"],
)
def test_bootstrap_median_exact_median_and_bracketing_ci(values, expected_median):
    median, low, high = bootstrap_median(values, rng=np.random.default_rng(0), n_resamples=300)
    assert median == expected_median
    assert low <= median <= high
    assert low < high


def test_bootstrap_median_small_and_empty():
    assert bootstrap_median([4.0, 1.0], rng=np.random.default_rng(0)) == (2.5, pytest.approx(
        np.nan, nan_ok=True), pytest.approx(np.nan, nan_ok=True))
    median, low, high = bootstrap_median([1.0, 2.0, 3.0, 4.0], rng=np.random.default_rng(0),
                                         min_n=5)
    assert median == 2.5 and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in bootstrap_median([], rng=np.random.default_rng(0)))
    assert all(math.isnan(v) for v in bootstrap_median([np.nan], rng=np.random.default_rng(0)))


def test_bootstrap_median_is_seeded():
    values = np.random.default_rng(31).lognormal(0, 1, 51)
    first = bootstrap_median(values, rng=np.random.default_rng(7), n_resamples=200)
    again = bootstrap_median(values, rng=np.random.default_rng(7), n_resamples=200)
    small_batches = bootstrap_median(values, rng=np.random.default_rng(7), n_resamples=200,
                                     batch_budget=51 * 3)
    assert first == again == small_batches


@settings(deadline=None, max_examples=60)
@given(
    st.lists(st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False), min_size=5,
             max_size=40),
    st.integers(0, 2**32 - 1),
)
def test_bootstrap_median_ci_contains_the_median_within_the_data_range(values, seed):
    median, low, high = bootstrap_median(values, rng=np.random.default_rng(seed),
                                         n_resamples=200)
    assert median == np.median(values)
    assert min(values) <= low <= median <= high <= max(values)


# --------------------------------------------------------------------------------------------
# group_medians

COLUMNS = ["n", "median", "ci_low", "ci_high"]


def test_group_medians_table():
    # constant groups have a degenerate (exact) bootstrap interval
    frame = pd.DataFrame(
        {"g": ["b"] * 6 + ["a"] * 5 + ["c"] * 2 + [None],
         "v": [2.0] * 6 + [7.0, 7.0, 7.0, np.nan, 7.0] + [1.0, 3.0] + [100.0]}
    )
    before = frame.copy()
    result = group_medians(frame, value="v", group="g", rng=np.random.default_rng(0),
                           n_resamples=100, min_n=3)
    expected = pd.DataFrame(
        {"g": ["a", "b", "c"], "n": [4, 6, 2], "median": [7.0, 2.0, 2.0],
         "ci_low": [7.0, 2.0, np.nan], "ci_high": [7.0, 2.0, np.nan]}
    )
    expected["n"] = expected["n"].astype("int64")
    tm.assert_frame_equal(result, expected)
    tm.assert_frame_equal(frame, before)


def test_group_medians_keep_categorical_order_and_empty_categories():
    keys = pd.Categorical(["low"] * 5 + ["high"] * 5, categories=["high", "mid", "low"],
                          ordered=True)
    frame = pd.DataFrame({"size": keys, "er": [0.05] * 5 + [0.01] * 5})
    result = group_medians(frame, value="er", group="size", rng=np.random.default_rng(0),
                           n_resamples=50)
    assert result["size"].tolist() == ["high", "mid", "low"]
    tm.assert_frame_equal(
        result[COLUMNS],
        pd.DataFrame({"n": np.array([5, 0, 5], dtype="int64"), "median": [0.01, np.nan, 0.05],
                      "ci_low": [0.01, np.nan, 0.05], "ci_high": [0.01, np.nan, 0.05]}),
    )


def test_group_medians_ci_brackets_the_median():
    rng = np.random.default_rng(32)
    frame = pd.DataFrame({"g": rng.integers(0, 3, 300), "v": rng.lognormal(0, 1, 300)})
    result = group_medians(frame, value="v", group="g", rng=np.random.default_rng(0),
                           n_resamples=300)
    tm.assert_series_equal(
        result.set_index("g")["median"], frame.groupby("g")["v"].median().rename("median")
    )
    assert (result["ci_low"] < result["median"]).all()
    assert (result["median"] < result["ci_high"]).all()


def test_group_medians_missing_column():
    frame = pd.DataFrame({"g": ["a"], "v": [1.0]})
    with pytest.raises(KeyError, match="'nope'"):
        group_medians(frame, value="nope", group="g", rng=np.random.default_rng(0))
    with pytest.raises(KeyError, match="'nope'"):
        group_medians(frame, value="v", group="nope", rng=np.random.default_rng(0))


@settings(deadline=None, max_examples=50)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", None]),
                  st.one_of(st.floats(-1e3, 1e3, allow_subnormal=False), st.just(np.nan))),
        min_size=1, max_size=40,
    )
)
def test_group_medians_n_counts_every_finite_value_once(rows):
    frame = pd.DataFrame(rows, columns=["g", "v"])
    result = group_medians(frame, value="v", group="g", rng=np.random.default_rng(0),
                           n_resamples=30)
    finite = frame["g"].notna() & np.isfinite(frame["v"])
    assert result["n"].sum() == finite.sum()
    expected = frame[finite].groupby("g")["v"].median()
    tm.assert_series_equal(
        result.set_index("g")["median"].dropna(), expected.rename("median"), check_index=False,
        check_dtype=len(expected) > 0,  # an empty table has object columns
    )
    assert result["g"].tolist() == sorted(frame["g"].dropna().unique())


def test_group_medians_n_excludes_infinite_values():
    # e.g. an engagement rate computed with zero followers
    frame = pd.DataFrame({"g": ["a"] * 6, "v": [1.0, 2.0, 3.0, 4.0, 5.0, np.inf]})
    result = group_medians(frame, value="v", group="g", rng=np.random.default_rng(0),
                           n_resamples=50, min_n=6)
    assert result["median"].iloc[0] == 3.0  # median of the five finite values
    assert result["n"].iloc[0] == 5
    assert math.isnan(result["ci_low"].iloc[0])  # 5 finite values < min_n


# --------------------------------------------------------------------------------------------
# tier_medians


def test_tier_medians_lists_every_tier_with_bounds():
    frame = pd.DataFrame(
        {"followers": [500.0] * 2 + [2e3] * 5 + [1e4] * 5 + [2e6] * 6 + [np.nan],
         "er": [0.2] * 2 + [0.05] * 5 + [0.03] * 5 + [0.01, 0.01, 0.01, 0.02, 0.02, 0.02]
         + [0.9]}
    )
    result = tier_medians(frame, value="er", rng=np.random.default_rng(0), n_resamples=100)
    expected = pd.DataFrame(
        {"tier": ["<1k", "nano", "micro", "mid", "macro", "mega"],
         "lower": [0.0, 1e3, 1e4, 1e5, 5e5, 1e6],
         "upper": [1e3, 1e4, 1e5, 5e5, 1e6, np.inf],
         "n": np.array([2, 5, 5, 0, 0, 6], dtype="int64"),
         "median": [0.2, 0.05, 0.03, np.nan, np.nan, 0.015],
         "ci_low": [np.nan, 0.05, 0.03, np.nan, np.nan, np.nan],
         "ci_high": [np.nan, 0.05, 0.03, np.nan, np.nan, np.nan]}
    )
    mega = result.iloc[5]
    assert 0.01 <= mega["ci_low"] <= 0.015 <= mega["ci_high"] <= 0.02
    result.loc[5, ["ci_low", "ci_high"]] = np.nan
    tm.assert_frame_equal(result, expected)


def test_tier_medians_custom_scheme():
    scheme = custom_scheme("two", [0, 5e4], ["small", "large"], below="none")
    frame = pd.DataFrame({"followers": [1e3, 2e3, 5e4, 6e4], "er": [0.1, 0.3, 0.02, 0.04]})
    result = tier_medians(frame, value="er", tier_scheme=scheme, rng=np.random.default_rng(0),
                          n_resamples=20)
    assert result["tier"].tolist() == ["none", "small", "large"]
    assert result["n"].tolist() == [0, 2, 2]
    assert result["median"].tolist()[1:] == pytest.approx([0.2, 0.03])


# --------------------------------------------------------------------------------------------
# binned_medians


def test_binned_medians_table():
    frame = pd.DataFrame(
        {"f": [2e3] * 10 + [1e4] * 10 + [5e4] * 3 + [0.0, -1.0, np.nan] + [2e5] * 10,
         "er": [0.04] * 10 + [0.02] * 10 + [0.5] * 3 + [9.0] * 3 + [0.01] * 9 + [np.nan]}
    )
    result = binned_medians(frame, x="f", y="er", bins_per_decade=1,
                            rng=np.random.default_rng(0), n_resamples=50, min_n=5)
    expected = pd.DataFrame(
        {"lower": [1e3, 1e4], "upper": [1e4, 1e5], "x_mid": [10**3.5, 10**4.5],
         "n": np.array([10, 13], dtype="int64"), "median": [0.04, 0.02],
         "ci_low": [0.04, 0.02], "ci_high": [0.04, 0.5]}
    )
    # the [1e5, 1e6) bin has 9 usable rows (one NaN y): with min_n=10 it is left out
    result10 = binned_medians(frame, x="f", y="er", bins_per_decade=1,
                              rng=np.random.default_rng(0), n_resamples=50, min_n=10)
    assert result10["lower"].tolist() == [1e3, 1e4]
    assert result["lower"].tolist() == [1e3, 1e4, 1e5]
    assert result["n"].iloc[2] == 9
    tm.assert_frame_equal(result.iloc[:2].drop(columns=["ci_low", "ci_high"]),
                          expected.drop(columns=["ci_low", "ci_high"]), rtol=1e-12)
    assert result["ci_low"].iloc[0] == result["ci_high"].iloc[0] == 0.04
    assert result["ci_low"].iloc[1] <= 0.02 <= result["ci_high"].iloc[1] <= 0.5


def test_binned_medians_edges_are_half_open_with_two_bins_per_decade():
    frame = pd.DataFrame({"f": [1e3] * 10 + [10**3.5] * 10 + [1e4] * 10,
                          "er": [1.0] * 10 + [2.0] * 10 + [3.0] * 10})
    result = binned_medians(frame, x="f", y="er", rng=np.random.default_rng(0),
                            n_resamples=20)
    assert result["lower"].tolist() == pytest.approx([1e3, 10**3.5, 1e4])
    assert result["median"].tolist() == [1.0, 2.0, 3.0]
    assert result["n"].tolist() == [10, 10, 10]


def test_binned_medians_empty_and_invalid():
    frame = pd.DataFrame({"f": [0.0, np.nan], "er": [1.0, 2.0]})
    result = binned_medians(frame, x="f", y="er", rng=np.random.default_rng(0))
    assert result.empty
    assert result.columns.tolist() == ["lower", "upper", "x_mid", "n", "median", "ci_low",
                                       "ci_high"]
    with pytest.raises(ValueError, match="bins_per_decade"):
        binned_medians(frame, x="f", y="er", bins_per_decade=0, rng=np.random.default_rng(0))
    with pytest.raises(KeyError, match="'nope'"):
        binned_medians(frame, x="nope", y="er", rng=np.random.default_rng(0))


def test_bootstrap_with_fixed_effects_keeps_resamples_that_miss_a_level():
    # 20 levels x 5 rows: many resamples miss a level; its dummy is then collinear with the
    # intercept, but the slope is still identified and must be estimated, not dropped.
    rng = np.random.default_rng(31)
    group = np.repeat(np.arange(20), 5)
    followers = 10 ** rng.uniform(3, 6, 100)
    likes = followers**0.8 * np.exp(rng.normal(0, 0.3, 100) + 0.5 * group / 20)
    frame = pd.DataFrame({"likes": likes, "followers": followers, "g": group})
    vec = bootstrap_elasticity(frame, y="likes", fe="g", n_resamples=200,
                               rng=np.random.default_rng(5))
    loop = bootstrap_elasticity_loop(frame, y="likes", fe="g", n_resamples=200,
                                     rng=np.random.default_rng(5))
    assert vec.n_failed == 0
    np.testing.assert_allclose(vec.draws, loop.draws, rtol=1e-8, atol=1e-10)
    assert vec.ci_low < 0.8 < vec.ci_high


# ratio_interval


def test_ratio_interval_pooled_and_median_estimates():
    num, den = [3.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 4.0]
    pooled = stats.ratio_interval(num, den, rng=np.random.default_rng(0), n_resamples=300)
    median = stats.ratio_interval(num, den, stat="median", rng=np.random.default_rng(0),
                                  n_resamples=300)
    assert pooled[0] == 1.0  # 8 / 8
    assert median[0] == 1.0  # median of 3, 1, 1, 0.5
    assert pooled[1] <= pooled[0] <= pooled[2]


def test_ratio_interval_matches_group_ratio_draws_for_one_group():
    num, den = np.arange(1.0, 21.0), np.full(20, 2.0)
    result = stats.ratio_interval(num, den, rng=np.random.default_rng(5), n_resamples=400)
    expected = (10.5 / 2, *np.quantile(
        stats._group_draws(num, den, "pooled", np.random.default_rng(5), 400, 4_000_000),
        [0.025, 0.975], method="inverted_cdf"))
    np.testing.assert_allclose(result, expected)


def test_ratio_interval_undefined_and_empty():
    assert np.isnan(stats.ratio_interval([], [], rng=np.random.default_rng(0))).all()
    estimate, low, high = stats.ratio_interval([0.0, 0.0], [0.0, 0.0],
                                               rng=np.random.default_rng(0))
    assert np.isnan([estimate, low, high]).all()


def test_ratio_interval_rejects_bad_input():
    with pytest.raises(ValueError, match="stat must be"):
        stats.ratio_interval([1.0], [1.0], stat="mean", rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng"):
        stats.ratio_interval([1.0], [1.0], rng=0)
    with pytest.raises(ValueError, match=r"rows \[1\]"):
        stats.ratio_interval([1.0, -1.0], [1.0, 1.0], rng=np.random.default_rng(0))


# ---------------------------------------------------------------------------------------------
# fit_ppml: the expected-engagement estimand
# ---------------------------------------------------------------------------------------------


def _overdispersed(rng, n=4000, b=0.8, zero_share=0.0):
    followers = 10 ** rng.uniform(3, 7, n)
    mean = 0.05 * followers**b
    y = rng.poisson(mean * rng.gamma(0.5, 2.0, n)).astype(float)
    y[rng.random(n) < zero_share] = 0.0
    return pd.DataFrame({"y": y, "followers": followers,
                         "creator": [f"c{i % 400}" for i in range(n)]})


def test_ppml_equals_statsmodels_poisson_glm():
    import statsmodels.api as sm

    frame = _overdispersed(np.random.default_rng(0))
    result = stats.fit_ppml(frame, y="y")
    X = sm.add_constant(np.log(frame["followers"].to_numpy()))
    expected = sm.GLM(frame["y"].to_numpy(), X, family=sm.families.Poisson()).fit(cov_type="HC1")
    assert result.estimate == pytest.approx(expected.params[1], rel=1e-8)
    assert result.se == pytest.approx(expected.bse[1], rel=1e-6)
    assert result.intercept == pytest.approx(expected.params[0], rel=1e-8)
    assert result.n == len(frame) and result.n_zero == 0


def test_ppml_keeps_zeros_that_log_ols_drops():
    frame = _overdispersed(np.random.default_rng(1), zero_share=0.3)
    zeros = int((frame["y"] == 0).sum())
    ppml = stats.fit_ppml(frame, y="y", cluster="creator")
    ols = stats.fit_elasticity(frame, y="y", cluster="creator")
    assert ppml.n == len(frame) and ppml.n_zero == 0
    assert ols.n == len(frame) - zeros and ols.n_zero == zeros
    # zeros at random leave the mean's elasticity unbiased
    assert ppml.ci_low < 0.8 < ppml.ci_high
    assert ppml.n_clusters == 400 and ppml.df == 399


def test_ppml_offset_gives_the_elasticity_of_the_ratio():
    rng = np.random.default_rng(2)
    likes = 10 ** rng.uniform(1, 5, 3000)
    followers = likes * 20
    comments = rng.poisson(0.02 * likes * (followers / 1e4) ** -0.1)
    frame = pd.DataFrame({"comments": comments, "likes": likes, "followers": followers})
    fit = stats.fit_ppml(frame, y="comments", offset="likes")
    assert fit.ci_low < -0.1 < fit.ci_high


def test_ppml_scale_of_y_changes_only_the_intercept():
    frame = _overdispersed(np.random.default_rng(3))
    a = stats.fit_ppml(frame, y="y")
    b = stats.fit_ppml(frame.assign(y=frame["y"] * 1000), y="y")
    assert a.estimate == pytest.approx(b.estimate, rel=1e-9)
    assert b.intercept - a.intercept == pytest.approx(np.log(1000), rel=1e-9)


def test_ppml_all_zero_is_insufficient_and_bad_cov_raises():
    frame = _overdispersed(np.random.default_rng(4)).assign(y=0.0)
    with pytest.raises(InsufficientDataError, match="every usable 'y' is 0"):
        stats.fit_ppml(frame, y="y")
    with pytest.raises(ValueError, match="cov must be 'HC0' or 'HC1'"):
        stats.fit_ppml(_overdispersed(np.random.default_rng(4)), y="y", cov="HC3")


# ---------------------------------------------------------------------------------------------
# tost_p
# ---------------------------------------------------------------------------------------------


def _fit(estimate, se, df=math.inf):
    return stats.Elasticity(estimate, se, estimate - 2 * se, estimate + 2 * se, 100, None, 0,
                            0.0, (0.0, 0.0, 0.0), "toy", 0.95, "y", "x", 1.0, 10.0, df=df)


def test_tost_known_answer_normal():
    # estimate 1.0, se 0.02, bounds +-0.05: both one-sided z = 2.5, p = 1 - Phi(2.5)
    assert stats.tost_p(_fit(1.0, 0.02), low=0.95, high=1.05) == pytest.approx(0.0062097, rel=1e-4)


def test_tost_agrees_with_the_90_percent_interval():
    fit = _fit(0.03, 0.01, df=50)
    from scipy import stats as sps
    half = sps.t.ppf(0.95, 50) * 0.01
    inside = (0.03 - half > -0.05) and (0.03 + half < 0.05)
    assert (stats.tost_p(fit, low=-0.05, high=0.05) < 0.05) == inside


@given(st.floats(-1, 1), st.floats(0.001, 1), st.floats(0.01, 1))
def test_tost_is_symmetric_and_monotone_in_the_margin(estimate, se, margin):
    p = stats.tost_p(_fit(estimate, se), low=-margin, high=margin)
    mirrored = stats.tost_p(_fit(-estimate, se), low=-margin, high=margin)
    wider = stats.tost_p(_fit(estimate, se), low=-2 * margin, high=2 * margin)
    assert p == pytest.approx(mirrored, abs=1e-12)
    assert wider <= p + 1e-12


def test_tost_refuses_an_empty_margin_and_skips_a_missing_se():
    with pytest.raises(ValueError, match="low must be below high"):
        stats.tost_p(_fit(1.0, 0.1), low=1.0, high=1.0)
    assert math.isnan(stats.tost_p(_fit(1.0, float("nan")), low=0.9, high=1.1))


# ---------------------------------------------------------------------------------------------
# meta_analysis (DerSimonian-Laird)
# ---------------------------------------------------------------------------------------------


def test_meta_analysis_matches_the_dersimonian_laird_formulas():
    y = np.array([1.01, 0.90, 0.50])
    se = np.array([0.013, 0.05, 0.10])
    w = 1 / se**2
    fixed = (w * y).sum() / w.sum()
    q = (w * (y - fixed) ** 2).sum()
    tau2 = max(0.0, (q - 2) / (w.sum() - (w**2).sum() / w.sum()))
    w_star = 1 / (se**2 + tau2)
    pooled = (w_star * y).sum() / w_star.sum()
    pooled_se = np.sqrt(1 / w_star.sum())
    result = stats.meta_analysis(y, se)
    assert result.estimate == pytest.approx(pooled, rel=1e-10)
    assert result.se == pytest.approx(pooled_se, rel=1e-10)
    assert result.tau2 == pytest.approx(tau2, rel=1e-10)
    assert result.q == pytest.approx(q, rel=1e-10)
    assert result.i2 == pytest.approx((q - 2) / q, rel=1e-10)
    half = sps.t.ppf(0.975, 1) * np.sqrt(tau2 + pooled_se**2)
    assert (result.pi_low, result.pi_high) == pytest.approx((pooled - half, pooled + half))


def test_meta_analysis_of_agreeing_samples_has_no_heterogeneity():
    result = stats.meta_analysis([0.9, 0.9, 0.9, 0.9], [0.05, 0.1, 0.05, 0.2])
    assert result.tau2 == 0 and result.i2 == 0
    assert result.estimate == pytest.approx(0.9)


def test_meta_analysis_two_samples_have_no_prediction_interval_and_bad_input_raises():
    two = stats.meta_analysis([1.0, 0.8], [0.1, 0.1])
    assert math.isnan(two.pi_low) and two.k == 2
    with pytest.raises(InsufficientDataError, match="at least 2"):
        stats.meta_analysis([1.0], [0.1])
    with pytest.raises(ValueError, match="standard error positive"):
        stats.meta_analysis([1.0, 0.9], [0.1, 0.0])
    with pytest.raises(ValueError, match="equal length"):
        stats.meta_analysis([1.0, 0.9], [0.1])


@given(st.lists(st.tuples(st.floats(-2, 2), st.floats(0.01, 1)), min_size=2, max_size=8),
       st.permutations(range(8)))
def test_meta_analysis_is_invariant_to_the_order_of_samples(pairs, order):
    y, se = map(np.array, zip(*pairs, strict=True))
    perm = [i for i in order if i < len(y)]
    a = stats.meta_analysis(y, se)
    b = stats.meta_analysis(y[perm], se[perm])
    assert a.estimate == pytest.approx(b.estimate, rel=1e-9, abs=1e-12)
    assert a.tau2 == pytest.approx(b.tau2, rel=1e-9, abs=1e-12)


# ---------------------------------------------------------------------------------------------
# local_elasticity: the spline curve with a simultaneous band
# ---------------------------------------------------------------------------------------------


def _kinked(rng, n=6000):
    f = 10 ** rng.uniform(3, 7, n)
    lf = np.log(f)
    y = np.exp(0.6 * lf + 0.4 * np.maximum(lf - np.log(1e5), 0) + rng.normal(0, 0.3, n))
    return pd.DataFrame({"y": y, "followers": f, "creator": [f"c{i % 600}" for i in range(n)]})


def test_local_elasticity_follows_a_bend():
    curve = stats.local_elasticity(_kinked(np.random.default_rng(0)), y="y",
                                   rng=np.random.default_rng(1), df=6).table
    low = curve[curve["x"] < 2e4]
    high = curve[curve["x"] > 1e6]
    assert (low["band_high"] < 0.85).all() and (high["band_low"] > 0.85).all()
    assert low["elasticity"].mean() == pytest.approx(0.6, abs=0.05)
    assert high["elasticity"].mean() == pytest.approx(1.0, abs=0.05)


def test_local_elasticity_band_is_wider_than_pointwise_and_reproducible():
    frame = _kinked(np.random.default_rng(2))
    a = stats.local_elasticity(frame, y="y", cluster="creator", rng=np.random.default_rng(3))
    b = stats.local_elasticity(frame, y="y", cluster="creator", rng=np.random.default_rng(3))
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.critical > sps.t.ppf(0.975, a.n_clusters - 1)
    band = a.table["band_high"] - a.table["band_low"]
    assert (band > a.table["ci_high"] - a.table["ci_low"]).all()
    assert a.n_clusters == 600 and "clustered by creator" in a.method


def test_local_elasticity_constant_truth_lies_in_the_band():
    rng = np.random.default_rng(4)
    f = 10 ** rng.uniform(3, 7, 4000)
    frame = pd.DataFrame({"y": np.exp(0.9 * np.log(f) + rng.normal(0, 0.5, 4000)),
                          "followers": f})
    table = stats.local_elasticity(frame, y="y", rng=np.random.default_rng(5)).table
    assert ((table["band_low"] < 0.9) & (0.9 < table["band_high"])).all()


def test_local_elasticity_refuses_too_few_degrees_of_freedom():
    with pytest.raises(ValueError, match="df must be at least 3"):
        stats.local_elasticity(_kinked(np.random.default_rng(0)), y="y", df=2,
                               rng=np.random.default_rng(0))


# ---------------------------------------------------------------------------------------------
# fit_glm: Gamma and fractional-logit checks
# ---------------------------------------------------------------------------------------------


def test_gamma_glm_equals_statsmodels():
    import statsmodels.api as sm

    rng = np.random.default_rng(7)
    f = 10 ** rng.uniform(3, 7, 1500)
    frame = pd.DataFrame({"y": 0.05 * f**0.85 * rng.gamma(2.0, 0.5, 1500), "followers": f})
    result = stats.fit_glm(frame, y="y", family="gamma")
    X = sm.add_constant(np.log(f))
    expected = sm.GLM((frame["y"] / frame["y"].mean()).to_numpy(), X,
                      family=sm.families.Gamma(sm.families.links.Log())).fit(cov_type="HC1")
    assert result.estimate == pytest.approx(expected.params[1], rel=1e-8)
    assert result.ci_low < 0.85 < result.ci_high


def test_fractional_logit_sign_of_a_falling_share():
    rng = np.random.default_rng(8)
    f = 10 ** rng.uniform(5, 8, 2000)
    share = 1 / (1 + np.exp(-(2.0 - 0.3 * np.log(f / 1e6)))) + rng.normal(0, 0.02, 2000)
    frame = pd.DataFrame({"share": np.clip(share, 0, 1), "followers": f})
    fit = stats.fit_glm(frame, y="share", family="fractional-logit")
    assert fit.ci_high < 0 and fit.estimate == pytest.approx(-0.3, abs=0.05)


def test_fit_glm_refuses_bad_inputs():
    frame = pd.DataFrame({"y": [0.0, 1.0, 2.0, 3.0, 4.0], "followers": [1e3, 1e4, 1e5, 1e6, 1e7]})
    with pytest.raises(InsufficientDataError, match="needs positive 'y'"):
        stats.fit_glm(frame, y="y", family="gamma")
    with pytest.raises(ValueError, match=r"shares in \[0, 1\]"):
        stats.fit_glm(frame, y="y", family="fractional-logit")
    with pytest.raises(ValueError, match="family must be one of"):
        stats.fit_glm(frame, y="y", family="tweedie")


# ---------------------------------------------------------------------------------------------
# coverage of the new intervals, by simulation (a simple world; notebook 05 and the calibrated
# world of the next issue take this further)
# ---------------------------------------------------------------------------------------------


def test_ppml_interval_covers_the_mean_elasticity_at_the_nominal_rate():
    """300 overdispersed data sets whose mean elasticity is 0.8 by construction."""
    rng = np.random.default_rng(2026)
    covered = []
    for child in rng.spawn(300):
        f = 10 ** child.uniform(3, 7, 600)
        y = child.poisson(0.05 * f**0.8 * child.gamma(1.0, 1.0, 600))
        fit = stats.fit_ppml(pd.DataFrame({"y": y, "followers": f}), y="y")
        covered.append(fit.ci_low <= 0.8 <= fit.ci_high)
    coverage = np.mean(covered)
    # nominal 95% within 3 Monte-Carlo standard errors (sqrt(.95 * .05 / 300) = 0.0126)
    assert abs(coverage - 0.95) < 3 * 0.0126, coverage


def test_tost_false_equivalence_rate_at_the_margin_is_at_most_alpha():
    """With the truth exactly at the margin (b = 1.05), 'equivalent' must be rare (<= 5%)."""
    rng = np.random.default_rng(7)
    equivalent = []
    for child in rng.spawn(300):
        f = 10 ** child.uniform(3, 7, 400)
        y = np.exp(1.05 * np.log(f) + child.normal(0, 0.5, 400))
        fit = stats.fit_elasticity(pd.DataFrame({"y": y, "followers": f}), y="y")
        equivalent.append(stats.tost_p(fit, low=0.95, high=1.05) < 0.05)
    rate = np.mean(equivalent)
    assert rate < 0.05 + 3 * np.sqrt(0.05 * 0.95 / 300), rate


# --------------------------------------------------------------------------------------------
# the cluster jackknife (CR3)


def _clustered(seed=0, groups=30):
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(groups), rng.integers(2, 9, groups))
    f = 10 ** rng.uniform(2, 6, groups)[g]
    u = rng.normal(0, 0.5, groups)[g]
    y = np.exp(1 + 0.8 * np.log(f) + u + rng.normal(0, 0.5, g.size))
    counts = rng.poisson(np.exp(-2 + 0.7 * np.log(f) + u))
    return pd.DataFrame({"y": y, "count": counts, "followers": f, "c": g})


def _leave_one_cluster_out_se(frame, column, fit):
    X = np.column_stack([np.ones(len(frame)), np.log(frame["followers"])])
    slopes = []
    for cluster in np.unique(frame["c"]):
        keep = (frame["c"] != cluster).to_numpy()
        slopes.append(fit(X[keep], frame[column].to_numpy()[keep]))
    slopes = np.array(slopes)
    groups = len(slopes)
    return np.sqrt((groups - 1) / groups * ((slopes - slopes.mean()) ** 2).sum())


def test_cluster_jackknife_is_exact_for_ols():
    frame = _clustered()
    result = stats.fit_elasticity(frame, y="y", cluster="c", cluster_cov="CR3")
    expected = _leave_one_cluster_out_se(
        frame, "y", lambda X, y: np.linalg.lstsq(X, np.log(y), rcond=None)[0][1])
    assert result.se == pytest.approx(expected, rel=1e-10)
    assert "cluster jackknife (CR3)" in result.method
    crude = stats.fit_elasticity(frame, y="y", cluster="c")
    assert result.estimate == crude.estimate and result.se > crude.se


def test_cluster_jackknife_is_one_newton_step_for_ppml():
    import statsmodels.api as sm

    frame = _clustered()
    result = stats.fit_ppml(frame, y="count", cluster="c", cluster_cov="CR3")
    expected = _leave_one_cluster_out_se(
        frame, "count",
        lambda X, y: sm.GLM(y, X, family=sm.families.Poisson()).fit().params[1])
    assert result.se == pytest.approx(expected, rel=0.05)  # one step, not a full refit
    assert result.se > stats.fit_ppml(frame, y="count", cluster="c").se


def test_cluster_cov_is_checked():
    with pytest.raises(ValueError, match="cluster_cov must be 'CR1', 'CR2' or 'CR3', got 'CR4'"):
        stats.fit_ppml(_clustered(), y="count", cluster="c", cluster_cov="CR4")
    X = np.ones((10, stats.MAX_JACKKNIFE_COEFFICIENTS + 1))
    with pytest.raises(ValueError, match="at most 60 coefficients"):
        stats.cluster_jackknife_cov(X, np.zeros(10), np.ones(10), np.arange(10) % 3)


# ---------------------------------------------------------------------------------------------
# ols_arrays / ppml_arrays: the library's fits on arrays, for simulation studies
# ---------------------------------------------------------------------------------------------


def _clustered_counts(seed: int, n: int = 2000, groups: int = 150):
    rng = np.random.default_rng(seed)
    g = rng.integers(0, groups, n)
    f = 10 ** rng.uniform(3, 7, groups)[g]
    age = rng.uniform(0, 400, n)
    y = rng.poisson(0.05 * f**0.8 * np.exp(rng.normal(0, 1, groups)[g] + rng.normal(0, 1, n)))
    frame = pd.DataFrame({"y": y.astype(float), "followers": f, "log_age": np.log1p(age),
                          "c": g})
    X = np.column_stack([np.ones(n), np.log(f), np.log1p(age)])
    return frame, X, y.astype(float), g


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31), clustered=st.booleans())
def test_ppml_arrays_equal_fit_ppml(seed, clustered):
    frame, X, y, g = _clustered_counts(seed)
    cluster = "c" if clustered else None
    expected = stats.fit_ppml(frame, y="y", controls=("log_age",), cluster=cluster)
    coef, cov, df = stats.ppml_arrays(y, X, cluster=g if clustered else None)
    assert coef[1] == pytest.approx(expected.estimate, rel=1e-8)
    assert math.sqrt(cov[1, 1]) == pytest.approx(expected.se, rel=1e-8)
    assert df == expected.df


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31), clustered=st.booleans())
def test_ols_arrays_equal_fit_elasticity(seed, clustered):
    frame, X, y, g = _clustered_counts(seed)
    keep = y > 0
    cluster = "c" if clustered else None
    expected = stats.fit_elasticity(frame[keep], y="y", controls=("log_age",), cluster=cluster)
    coef, cov, df = stats.ols_arrays(np.log(y[keep]), X[keep],
                                     cluster=g[keep] if clustered else None)
    assert coef[1] == pytest.approx(expected.estimate, rel=1e-8)
    assert math.sqrt(cov[1, 1]) == pytest.approx(expected.se, rel=1e-8)
    assert df == expected.df


def test_ppml_arrays_all_zero_outcome():
    with pytest.raises(stats.InsufficientDataError, match="every usable outcome is 0"):
        stats.ppml_arrays(np.zeros(5), np.column_stack([np.ones(5), np.arange(5.0)]))


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**31), clustered=st.booleans(), with_offset=st.booleans())
def test_ppml_weighted_equals_ppml_arrays_on_the_repeated_rows(seed, clustered, with_offset):
    frame, X, y, g = _clustered_counts(seed, n=300, groups=40)
    rng = np.random.default_rng(seed)
    offset = rng.normal(0, 0.5, len(y)) if with_offset else None
    if clustered:  # whole clusters drawn with replacement: every row carries its cluster's count
        counts = np.stack([np.bincount(rng.integers(0, 40, 40), minlength=40) for _ in range(3)])
        weights = counts[:, g]
    else:
        weights = np.stack([np.bincount(rng.integers(0, len(y), len(y)), minlength=len(y))
                            for _ in range(3)])
    coef, cov, df = stats.ppml_weighted(y, X, weights, offset=offset,
                                        cluster=g if clustered else None)
    for b in range(3):
        rows = np.repeat(np.arange(len(y)), weights[b])
        # a cluster drawn twice is two clusters: label each copy apart
        copy = np.concatenate([np.arange(c) for c in weights[b]])
        labels = g[rows] * 1000 + copy if clustered else None
        expected_coef, expected_cov, expected_df = stats.ppml_arrays(
            y[rows], X[rows], cluster=labels,
            offset=None if offset is None else offset[rows])
        np.testing.assert_allclose(coef[b], expected_coef, rtol=1e-8, atol=1e-10)
        np.testing.assert_allclose(cov[b], expected_cov, rtol=1e-7, atol=1e-14)
        assert df[b] == expected_df


def test_ppml_weighted_known_answer_and_errors():
    X = np.column_stack([np.ones(4), np.log([1.0, 10.0, 100.0, 1000.0])])
    y = np.array([1.0, 10.0, 100.0, 1000.0])  # exactly proportional: slope 1
    coef, cov, df = stats.ppml_weighted(y, X, np.ones((2, 4)))
    np.testing.assert_allclose(coef[:, 1], [1.0, 1.0], rtol=1e-10)
    np.testing.assert_allclose(df, [2.0, 2.0])
    # a resample with one distinct row cannot identify a slope: NaN, the others are fitted
    coef, cov, df = stats.ppml_weighted(y, X, np.array([[4, 0, 0, 0], [1, 1, 1, 1]]))
    assert np.isnan(coef[0]).all() and np.isnan(df[0]) and coef[1, 1] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="must match"):
        stats.ppml_weighted(y, X, np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"rows \[1\] have a missing or negative value"):
        stats.ppml_weighted(np.array([1.0, np.nan, 3.0, 4.0]), X, np.ones((1, 4)))
    with pytest.raises(ValueError, match="counts of 0 or more"):
        stats.ppml_weighted(y, X, -np.ones((1, 4)))
    with pytest.raises(ValueError, match="cluster's count"):
        stats.ppml_weighted(y, X, np.array([[1, 2, 1, 1]]), cluster=[0, 0, 1, 1])


# ---------------------------------------------------------------------------------------------
# cluster_cr2: Bell-McCaffrey CR2 and degrees of freedom, against the dense formulas
# ---------------------------------------------------------------------------------------------


def _dense_cr2(X, y, w, g, c):
    """CR2 and BM df built from the n x n hat matrix, cluster by cluster (the definition)."""
    from scipy.linalg import sqrtm

    Xt, yt = X * np.sqrt(w)[:, None], y * np.sqrt(w)
    coef = np.linalg.lstsq(Xt, yt, rcond=None)[0]
    ut = yt - Xt @ coef
    M = np.linalg.inv(Xt.T @ Xt)
    H = Xt @ M @ Xt.T
    meat, columns = np.zeros((X.shape[1],) * 2), []
    for k in np.unique(g):
        idx = np.flatnonzero(g == k)
        A = np.real(np.linalg.inv(sqrtm(np.eye(len(idx)) - H[np.ix_(idx, idx)])))
        s = Xt[idx].T @ A @ ut[idx]
        meat += np.outer(s, s)
        column = np.zeros(len(y))
        column[idx] = A @ Xt[idx] @ M @ c
        columns.append((np.eye(len(y)) - H) @ column)
    lam = np.linalg.eigvalsh(np.column_stack(columns).T @ np.column_stack(columns))
    return M @ meat @ M, lam.sum() ** 2 / (lam**2).sum(), ut * np.sqrt(w)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**31), groups=st.integers(4, 15))
def test_cluster_cr2_equals_the_dense_definition(seed, groups):
    rng = np.random.default_rng(seed)
    g = np.repeat(np.arange(groups), rng.integers(1, 6, groups))
    n = len(g)
    X = np.column_stack([np.ones(n), rng.normal(size=n) * np.where(g == 0, 4.0, 1.0),
                         rng.normal(size=n)])
    if np.linalg.matrix_rank(X) < 3 or n < 6:
        return
    w = rng.uniform(0.5, 3.0, n)
    expected_cov, expected_df, residual = _dense_cr2(X, rng.normal(size=n), w, g,
                                                     np.array([0.0, 1.0, 0.0]))
    if np.any(np.linalg.eigvalsh(np.eye(n) - X * np.sqrt(w)[:, None] @ np.linalg.inv(
            (X * w[:, None]).T @ X) @ (X * np.sqrt(w)[:, None]).T) < 1e-8):
        return  # a cluster that alone fixes a coefficient has no CR2 (I - H_gg is singular)
    result_cov, result_df = stats.cluster_cr2(X, residual, w, g)
    np.testing.assert_allclose(result_cov, expected_cov, rtol=1e-7, atol=1e-12)
    assert result_df == pytest.approx(expected_df, rel=1e-7)


def test_cluster_cr2_one_row_per_cluster_is_hc2():
    rng = np.random.default_rng(1)
    X = np.column_stack([np.ones(50), rng.normal(size=50)])
    y = X @ [1.0, 2.0] + rng.normal(size=50)
    coef, *_ = np.linalg.lstsq(X, y, rcond=None)
    residual = y - X @ coef
    bread = np.linalg.inv(X.T @ X)
    leverage = np.einsum("ij,jk,ik->i", X, bread, X)
    scores = X * (residual / np.sqrt(1 - leverage))[:, None]
    expected = bread @ scores.T @ scores @ bread
    result, df = stats.cluster_cr2(X, residual, np.ones(50), np.arange(50))
    np.testing.assert_allclose(result, expected, rtol=1e-10)
    assert 1 < df < 48


def test_fit_functions_reject_an_unknown_cluster_cov():
    frame, *_ = _clustered_counts(0)
    with pytest.raises(ValueError, match="cluster_cov must be 'CR1', 'CR2' or 'CR3'"):
        stats.fit_ppml(frame, y="y", cluster="c", cluster_cov="CR9")


@pytest.mark.parametrize("fit", ["ppml", "ols"])
def test_fits_with_cr2_equal_the_array_fits(fit):
    frame, X, y, g = _clustered_counts(11)
    if fit == "ppml":
        result = stats.fit_ppml(frame, y="y", controls=("log_age",), cluster="c",
                                cluster_cov="CR2")
        coef, cov, df = stats.ppml_arrays(y, X, cluster=g, cluster_cov="CR2")
    else:
        keep = y > 0
        result = stats.fit_elasticity(frame[keep], y="y", controls=("log_age",), cluster="c",
                                      cluster_cov="CR2")
        coef, cov, df = stats.ols_arrays(np.log(y[keep]), X[keep], cluster=g[keep],
                                         cluster_cov="CR2")
    assert result.se == pytest.approx(math.sqrt(cov[1, 1]), rel=1e-6)
    assert result.df == pytest.approx(df, rel=1e-6) and df < 149
    assert "CR2 with Bell-McCaffrey degrees of freedom" in result.method
    half = result.ci_high - result.estimate
    assert half == pytest.approx(sps.t.ppf(0.975, df) * result.se, rel=1e-6)


def test_meta_analysis_hksj_by_hand():
    y, se = np.array([1.01, 0.90, 0.50]), np.array([0.013, 0.05, 0.10])
    dl = stats.meta_analysis(y, se)
    result = stats.meta_analysis(y, se, method="HKSJ")
    w = 1.0 / (se**2 + dl.tau2)
    expected_se = math.sqrt(max((w * (y - dl.estimate) ** 2).sum() / 2, 1.0) / w.sum())
    assert result.se == pytest.approx(expected_se, rel=1e-12)
    half = sps.t.ppf(0.975, 2) * expected_se
    assert (result.ci_low, result.ci_high) == pytest.approx((dl.estimate - half,
                                                             dl.estimate + half))
    assert (result.estimate, result.tau2, result.method) == (dl.estimate, dl.tau2, "HKSJ")
    with pytest.raises(ValueError, match="method must be 'DL' or 'HKSJ', got 'REML'"):
        stats.meta_analysis(y, se, method="REML")
    # homogeneous samples: q < 1, and the safeguard keeps the interval at least the DL width
    close = stats.meta_analysis([1.0, 1.001, 0.999], [0.1, 0.1, 0.1], method="HKSJ")
    assert close.se == pytest.approx(stats.meta_analysis([1.0, 1.001, 0.999], [0.1] * 3).se)
