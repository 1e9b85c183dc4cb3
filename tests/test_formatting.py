"""Tests for insights.formatting: labels, counts, percentages, estimates and table styling."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from insights import formatting


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0"), (950, "950"), (999, "999"), (1_000, "1k"), (12_000, "12k"), (12_345, "12.3k"),
     (3_500_000, "3.5M"), (1.2e9, "1.2B"), (-2_500, "-2.5k"), (0.5, "0.5")],
)
def test_count_label(value, expected):
    assert formatting.count_label(value) == expected


def test_count_label_digits():
    assert formatting.count_label(12_345, digits=5) == "12.345k"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3_100_000.0, "3,100,000"), (1.0, "1"), (1816.4, "1,816"), (np.nan, "–"), (None, "–"),
     (np.inf, "–"), ("x", "–")],
)
def test_count(value, expected):
    assert formatting.count(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.0237, "2.37%"), (0.5, "50%"), (1.0, "100%"), (0.000123, "0.0123%"), (-0.05, "-5%"),
     (np.nan, "–")],
)
def test_percent(value, expected):
    assert formatting.percent(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.94512, "0.945"), (1.0, "1"), (-0.0312, "-0.0312"), (999.4, "999"), (1234.5, "1,234"),
     (1.2e-5, "1.2e-05"), (np.inf, "–"), (np.nan, "–")],
)
def test_estimate(value, expected):
    assert formatting.estimate(value) == expected


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False))
def test_count_label_round_trips_to_three_significant_figures(value):
    label = formatting.count_label(value)
    scale = {"k": 1e3, "M": 1e6, "B": 1e9}.get(label[-1], 1.0)
    number = float(label[:-1] if label[-1] in "kMB" else label) * scale
    assert math.isclose(number, value, rel_tol=5e-3, abs_tol=5e-3)


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_count_reads_back_as_the_rounded_value(value):
    assert float(formatting.count(value).replace(",", "")) == round(value)


def test_table_formats_by_kind_and_leaves_the_frame_alone():
    frame = pd.DataFrame({"creator": ["a"], "n": [3_100_000.0], "rate": [0.0237],
                          "b": [0.94512], "ci_low": [np.nan]})
    before = frame.copy()
    html = formatting.table(frame, counts=["n"], percents=["rate"], index=False).to_html()
    for text in ("3,100,000", "2.37%", "0.945", "–", "T_insights"):
        assert text in html
    assert "3100000.0" not in html and "0.0237" not in html
    pd.testing.assert_frame_equal(frame, before)


def test_table_html_is_the_same_on_every_run():
    frame = pd.DataFrame({"b": [0.5, 0.25]})
    assert formatting.table(frame).to_html() == formatting.table(frame).to_html()


def test_table_names_unknown_columns():
    with pytest.raises(KeyError, match=r"columns \['nope'\] not in the table"):
        formatting.table(pd.DataFrame({"b": [1.0]}), counts=["nope"])
