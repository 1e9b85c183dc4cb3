"""Empirical-Bayes shrinkage of creators' means (stats.shrink_means) and its coverage."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights import simulate, stats


def test_identical_units_are_shrunk_to_their_common_level():
    values = np.tile([0.5, 1.0, 1.5], 6)  # six units with the same three posts
    units = np.repeat(list("abcdef"), 3)
    result = stats.shrink_means(values, units)
    table = result.table
    # every unit has mean 1, cv = 0.5; the log mean gets its bias cv^2 / 2n back
    expected_level = math.exp(math.log(1.0) + 0.25 / 3 / 2)
    assert result.tau == 0.0
    assert result.cv == pytest.approx(0.5)
    np.testing.assert_allclose(table["shrunk"], expected_level)
    np.testing.assert_allclose(table["mean"], 1.0)
    assert result.prior == pytest.approx(expected_level)
    # Morris's factor keeps a share 1 - (k-3)/(k-1) = 2/5 of the unit's own data
    np.testing.assert_allclose(table["weight"], 2 / 5)
    assert (table["ci_low"] < table["shrunk"]).all() and (table["shrunk"] < table["ci_high"]).all()


def test_a_lucky_unit_with_one_post_is_pulled_most():
    rng = np.random.default_rng(3)
    units = np.repeat([f"c{i}" for i in range(30)], 20)
    values = rng.gamma(1.0, 1.0, len(units))
    values = np.append(values, [12.0, 12.0] + [12.0] * 19)
    units = np.append(units, ["lucky", "solid"] + ["solid"] * 19)
    table = stats.shrink_means(values, units).table.set_index("unit")
    assert table.loc["lucky", "mean"] == table.loc["solid", "mean"] == 12.0
    assert table.loc["lucky", "shrunk"] < table.loc["solid", "shrunk"] < 12.0 * 1.1
    assert table.loc["lucky", "weight"] < table.loc["solid", "weight"]
    assert (table.loc["lucky", "ci_high"] - table.loc["lucky", "ci_low"]
            > table.loc["solid", "ci_high"] - table.loc["solid", "ci_low"])


def test_units_keep_the_order_of_first_appearance_and_count_zeros():
    values = [0, 0, 1, 2, 3, 1, 1, 1, 2, 2]
    units = ["z", "z", "a", "a", "b", "b", "c", "c", "d", "d"]
    table = stats.shrink_means(values, units).table
    result = table[["unit", "n", "mean"]]
    expected = pd.DataFrame({"unit": list("zabcd"), "n": [2] * 5,
                             "mean": [0.0, 1.5, 2.0, 1.0, 2.0]})
    pd.testing.assert_frame_equal(result, expected)
    assert table.loc[0, "shrunk"] > 0  # all-zero unit enters at half the smallest positive mean


@pytest.mark.parametrize(("values", "units", "phrase"), [
    ([1, -1, 2, 3], list("abcd"), "non-negative; rows [1]"),
    ([1, float("nan"), 2, 3], list("abcd"), "rows [1]"),
    ([1, 2, 3], list("abcd"), "equal length"),
    ([1, 2, 3, 4, 5, 6], list("aabbcc"), "3 units"),
    ([1, 2, 3, 4], list("abcd"), "two or more values"),
])
def test_bad_input_is_refused_with_a_reason(values, units, phrase):
    with pytest.raises(ValueError, match=phrase.replace("[", r"\[").replace("]", r"\]")):
        stats.shrink_means(values, units)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 7), st.floats(0, 1e4)), min_size=8, max_size=60))
def test_shrunk_lies_between_the_units_own_level_and_the_prior(pairs):
    units = [f"u{u}" for u, _ in pairs]
    values = [v for _, v in pairs]
    try:
        result = stats.shrink_means(values, units)
    except stats.InsufficientDataError:
        return
    table = result.table
    assert np.isfinite(table[["shrunk", "ci_low", "ci_high"]].to_numpy()).all()
    assert ((table["weight"] > 0) & (table["weight"] <= 1)).all()
    assert (table["ci_low"] <= table["shrunk"] * (1 + 1e-9)).all()
    assert (table["shrunk"] <= table["ci_high"] * (1 + 1e-9)).all()
    floor = max(0.5 * table.loc[table["mean"] > 0, "mean"].min(), np.finfo(float).tiny)
    own = np.log(np.maximum(table["mean"], floor))
    own = own + result.cv**2 / table["n"] / 2
    shrunk, prior = np.log(table["shrunk"]), math.log(result.prior)
    low, high = np.minimum(own, prior) - 1e-9, np.maximum(own, prior) + 1e-9
    assert ((shrunk >= low) & (shrunk <= high)).all()


@pytest.mark.parametrize("world", [
    {"tau": 0.5, "cv": 1.2, "posts": (3, 40)},       # about the real TikTok/Twitter spread
    {"tau": 0.05, "cv": 1.0, "posts": (3, 40)},      # creators barely differ (tau near 0)
    {"tau": 0.8, "cv": 0.4, "posts": (5, 15), "creators": 30},  # a small, steady roster
])
def test_intervals_cover_95_percent_of_creators_in_simulated_rosters(world):
    result = simulate.shrinkage_coverage(np.random.default_rng(11), replicates=200, **world)
    assert 0.93 <= result.coverage <= 0.985, result
    assert result.top_coverage >= 0.93, result  # the lucky top of the ranking is covered too


def test_very_skewed_posts_with_few_per_creator_undercover_as_documented():
    result = simulate.shrinkage_coverage(np.random.default_rng(11), replicates=200, cv=2.0,
                                         posts=(2, 10))
    assert result.coverage < 0.92 and result.miss_high > result.miss_low, result
