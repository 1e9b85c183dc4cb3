"""Tests for insights.plotting: house style, axes returned, tier bands drawn."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from insights import plotting  # noqa: E402


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def test_use_style_sets_rcparams():
    plotting.use_style()
    assert matplotlib.rcParams["figure.dpi"] == 100
    assert matplotlib.rcParams["axes.spines.top"] is False


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, "0"), (950, "950"), (1_000, "1k"), (12_500, "12.5k"), (3.5e6, "3.5M"), (1.2e9, "1.2B")],
)
def test_format_count(value, expected):
    assert plotting.format_count(value) == expected


def test_follower_distribution_returns_ax_with_bands_and_counts(ax):
    followers = pd.Series([2e3, 5e3, 2e4, 3e5, 2e6, 0.0, None])
    result = plotting.plot_follower_distribution(ax, followers)
    assert result is ax
    assert ax.get_xscale() == "log"
    (bars,) = ax.containers  # the histogram; the tier bands are spans, not bars
    assert sum(bar.get_height() for bar in bars) == 5  # zero and missing are left out
    labels = {text.get_text() for text in ax.texts}
    assert {"nano", "micro", "mid", "macro", "mega"} <= labels
