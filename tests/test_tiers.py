"""Tests for insights.tiers: named schemes, half-open edges, custom schemes."""

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given
from hypothesis import strategies as st

from insights.tiers import SCHEMES, assign_tiers, custom_scheme, scheme, tier_bands


@pytest.mark.parametrize(
    ("followers", "expected"),
    [
        (0, "<1k"),
        (999, "<1k"),
        (1_000, "nano"),
        (9_999, "nano"),
        (10_000, "micro"),
        (99_999, "micro"),
        (100_000, "mid"),
        (499_999, "mid"),
        (500_000, "macro"),
        (999_999, "macro"),
        (1_000_000, "mega"),
        (5e8, "mega"),
    ],
)
def test_industry_edges_are_half_open(followers, expected):
    result = assign_tiers(pd.Series([followers]), "industry").iloc[0]
    assert result == expected


@pytest.mark.parametrize(
    ("name", "followers", "expected"),
    [
        ("micro-1k-50k", [999, 1_000, 49_999, 50_000], ["<1k", "micro", "micro", "above"]),
        ("micro-1k-100k", [999, 1_000, 99_999, 100_000], ["<1k", "micro", "micro", "above"]),
        ("micro-10k-500k", [9_999, 10_000, 499_999, 500_000], ["<10k", "micro", "micro", "above"]),
    ],
)
def test_writeup_definitions(name, followers, expected):
    result = assign_tiers(pd.Series(followers, dtype=float), name)
    expected = pd.Series(
        pd.Categorical(expected, categories=scheme(name).categories, ordered=True), name="tier"
    )
    tm.assert_series_equal(result, expected)


def test_missing_negative_and_infinite_get_no_tier_and_index_is_kept():
    followers = pd.Series([np.nan, -5.0, np.inf, 2e4], index=[10, 11, 12, 13])
    result = assign_tiers(followers)
    assert result.index.tolist() == [10, 11, 12, 13]
    assert result.isna().tolist() == [True, True, True, False]
    assert result.iloc[3] == "micro"


def test_input_is_not_mutated():
    followers = pd.Series([5.0, 5e4])
    before = followers.copy()
    assign_tiers(followers)
    tm.assert_series_equal(followers, before)


def test_custom_scheme_and_bands():
    custom = custom_scheme("two", [0, 5e4], ["small", "large"], below="none")
    result = assign_tiers(pd.Series([0.0, 49_999.0, 5e4]), custom).tolist()
    assert result == ["small", "small", "large"]
    bands = tier_bands(custom)
    expected = pd.DataFrame(
        {"label": ["none", "small", "large"], "lower": [0.0, 0.0, 5e4],
         "upper": [0.0, 5e4, np.inf]}
    )
    tm.assert_frame_equal(bands, expected)


@pytest.mark.parametrize(
    ("edges", "labels", "match"),
    [
        ([1e3, 1e3], ["a", "b"], "strictly increasing"),
        ([1e4, 1e3], ["a", "b"], "strictly increasing"),
        ([-1, 1e3], ["a", "b"], ">= 0"),
        ([1e3], ["a", "b"], "one label per edge"),
        ([1e3, 1e4], ["a", "a"], "distinct"),
    ],
)
def test_invalid_custom_schemes_raise(edges, labels, match):
    with pytest.raises(ValueError, match=match):
        custom_scheme("bad", edges, labels)


def test_unknown_scheme_lists_names():
    with pytest.raises(KeyError, match="industry"):
        scheme("nope")


@given(st.floats(min_value=0, max_value=1e10, allow_nan=False))
def test_property_tier_interval_contains_value(value):
    for tier_scheme in SCHEMES.values():
        label = assign_tiers(pd.Series([value]), tier_scheme).iloc[0]
        band = tier_bands(tier_scheme).set_index("label").loc[label]
        assert band["lower"] <= value < band["upper"] or (label == tier_scheme.below
                                                          and value < tier_scheme.edges[0])
