"""Tests for insights.plotting: house style, axes returned, what each figure draws."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402

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


# --------------------------------------------------------------------------- helpers


def _scatter_offsets(ax):
    (collection,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    return collection.get_offsets()


def _legend_texts(ax):
    legend = ax.get_legend()
    assert legend is not None
    return [text.get_text() for text in legend.get_texts()]


# --------------------------------------------------------------------------- loglog fit


def test_loglog_fit_leaves_out_nonpositive_and_missing_pairs(ax):
    x = pd.Series([1e3, 1e4, 1e5, 0.0, -5.0, None, 2e6, 3e4])
    y = pd.Series([50.0, 300.0, 2e3, 10.0, 10.0, 10.0, None, 0.0], name="likes")
    result = plotting.plot_loglog_fit(ax, x, y, label="posts")
    assert result is ax
    offsets = _scatter_offsets(ax)
    assert len(offsets) == 3
    np.testing.assert_allclose(np.asarray(offsets), [[1e3, 50.0], [1e4, 300.0], [1e5, 2e3]])
    assert ax.get_xscale() == "log"
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "likes (log scale)"
    assert ax.xaxis.get_major_formatter()(1e4, 0) == "10k"  # format_count on the axis
    bands = {t.get_text() for t in ax.texts}  # tier bands behind, clipped to the x range
    assert ax.get_xlim() == pytest.approx((1e3, 1e5))
    assert bands == {"nano", "micro"}


def test_loglog_fit_draws_line_and_ci_band(ax):
    x = np.logspace(3, 6, 50)
    line = pd.DataFrame({"x": [1e3, 1e4, 1e5, 1e6], "fit": [40.0, 250.0, 1.6e3, 1e4]})
    line["ci_low"] = line["fit"] * 0.8
    line["ci_high"] = line["fit"] * 1.25
    plotting.plot_loglog_fit(
        ax, x, 0.05 * x**0.8, line=line, line_label="fit b=0.8", tier_scheme=None
    )
    (fitted,) = [ln for ln in ax.lines if ln.get_label() == "fit b=0.8"]
    np.testing.assert_allclose(fitted.get_xdata(), line["x"])
    np.testing.assert_allclose(fitted.get_ydata(), line["fit"])
    bands = [c for c in ax.collections if not isinstance(c, PathCollection)]
    assert len(bands) == 1 and bands[0].get_label() == "fit b=0.8: CI"
    assert len(ax.texts) == 0  # tier_scheme=None draws no bands


def test_loglog_fit_subset_needs_rng_and_is_reproducible():
    gen = np.random.default_rng(0)
    x = pd.Series(10 ** gen.uniform(3, 7, 500))
    y = pd.Series(10 ** gen.uniform(1, 5, 500))
    y.iloc[:10] = np.nan  # left out before the subset is chosen: N = 490

    fig, axes = plt.subplots(1, 3)
    try:
        with pytest.raises(ValueError, match="rng"):
            plotting.plot_loglog_fit(axes[0], x, y, max_points=100)
        plotting.plot_loglog_fit(
            axes[1], x, y, max_points=100, rng=np.random.default_rng(42), label="posts"
        )
        plotting.plot_loglog_fit(
            axes[2], x, y, max_points=100, rng=np.random.default_rng(42), label="posts"
        )
        first, second = _scatter_offsets(axes[1]), _scatter_offsets(axes[2])
        assert len(first) == 100
        np.testing.assert_array_equal(np.asarray(first), np.asarray(second))
        assert len({tuple(p) for p in np.asarray(first)}) == 100  # drawn without replacement
        (scatter,) = [c for c in axes[1].collections if isinstance(c, PathCollection)]
        assert scatter.get_label() == "posts (100 shown of 490)"
        # all valid pairs fix the axis limits, not only the subset
        assert axes[1].get_xlim() == pytest.approx((1e3, 1e7))
    finally:
        plt.close(fig)


def test_loglog_fit_no_subset_when_within_max_points(ax):
    x = pd.Series(np.logspace(3, 6, 30))
    plotting.plot_loglog_fit(ax, x, x / 10, max_points=30, label="posts")  # rng not needed
    (scatter,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(scatter.get_offsets()) == 30
    assert scatter.get_label() == "posts"


def test_loglog_fit_rejects_bad_line_and_lengths(ax):
    with pytest.raises(ValueError, match="differ in length"):
        plotting.plot_loglog_fit(ax, [1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="ci_high"):
        plotting.plot_loglog_fit(
            ax, [1, 2], [1, 2], line=pd.DataFrame({"x": [1], "fit": [1], "ci_low": [1]})
        )


# --------------------------------------------------------------------------- binned medians


def test_binned_medians_skips_nan_rows_and_draws_ci_bars(ax):
    table = pd.DataFrame(
        {
            "x_mid": [3e3, 3e4, 3e5, 3e6],
            "median": [100.0, np.nan, 2e3, 9e3],
            "ci_low": [80.0, np.nan, 1.5e3, np.nan],
            "ci_high": [130.0, np.nan, 2.6e3, np.nan],
            "n": [40, 0, 25, 3],
        }
    )
    result = plotting.plot_binned_medians(ax, table, label="binned median", color="#123456")
    assert result is ax
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    (container,) = ax.containers
    data_line, _caps, (bars,) = container
    np.testing.assert_allclose(data_line.get_xdata(), [3e3, 3e5, 3e6])
    np.testing.assert_allclose(data_line.get_ydata(), [100.0, 2e3, 9e3])
    assert data_line.get_linestyle() == "-"  # points joined by a line
    segments = [np.asarray(s) for s in bars.get_segments()]
    assert len(segments) == 3  # one vertical bar per drawn point
    np.testing.assert_allclose(segments[0][:, 1], [80.0, 130.0])
    np.testing.assert_allclose(segments[2][:, 1], [9e3, 9e3])  # missing CI: no bar
    assert container.get_label() == "binned median"


def test_binned_medians_requires_columns(ax):
    with pytest.raises(ValueError, match="'n'"):
        plotting.plot_binned_medians(
            ax, pd.DataFrame({"x_mid": [1], "median": [1], "ci_low": [1], "ci_high": [1]})
        )


# --------------------------------------------------------------------------- forest


def _forest_table():
    return pd.DataFrame(
        {
            "label": ["TikTok", "YouTube", "Instagram top 200"],
            "estimate": [0.82, 1.03, 0.65],
            "ci_low": [0.78, 0.95, 0.50],
            "ci_high": [0.86, 1.11, 0.80],
            "group": ["posts", "creators", "creators"],
            "verdict": ["supported", "inconclusive", "supported"],
        }
    )


def test_forest_rows_labels_reference_and_verdicts(ax):
    table = _forest_table()
    result = plotting.plot_forest(
        ax, table, reference=1.0, reference_label="proportional (b = 1)", xlabel="elasticity b"
    )
    assert result is ax
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == table["label"].tolist()
    # rows run top to bottom in table order: row 0 at the top of an inverted axis
    bottom, top = ax.get_ylim()
    assert bottom > top
    assert list(ax.get_yticks()) == [0, 1, 2]
    points = {
        float(y): float(x)
        for container in ax.containers
        for x, y in zip(container[0].get_xdata(), container[0].get_ydata(), strict=True)
    }
    assert points == {0.0: 0.82, 1.0: 1.03, 2.0: 0.65}
    references = [ln for ln in ax.lines if list(ln.get_xdata()) == [1.0, 1.0]]
    assert len(references) == 1
    assert references[0].get_linestyle() == "--"
    texts = [t.get_text() for t in ax.texts]
    assert texts == ["supported", "inconclusive", "supported"]
    assert _legend_texts(ax) == ["posts", "creators", "proportional (b = 1)"]
    assert ax.get_xlabel() == "elasticity b"


def test_forest_without_optional_columns(ax):
    table = _forest_table().drop(columns=["group", "verdict"])
    table.loc[1, "estimate"] = np.nan  # the row stays, labelled, with no point
    plotting.plot_forest(ax, table)
    ax.figure.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == table["label"].tolist()
    assert len(ax.texts) == 0
    assert ax.get_legend() is None
    (container,) = ax.containers
    assert np.isfinite(container[0].get_xdata()).sum() == 2


# --------------------------------------------------------------------------- tier rates


def _ours():
    return pd.DataFrame(
        {
            "label": ["TikTok by_user"] * 3 + ["YouTube"] * 3,
            "lower": [1e3, 1e4, 1e6] * 2,
            "upper": [1e4, 1e5, np.inf] * 2,
            "median": [0.08, 0.06, 0.04, 0.03, np.nan, 0.01],
            "ci_low": [0.07, 0.05, 0.03, 0.025, np.nan, 0.008],
            "ci_high": [0.09, 0.07, 0.05, 0.035, np.nan, 0.012],
        }
    )


def _references():
    return pd.DataFrame(
        {
            "source": ["Later x Fohr", "Later x Fohr", "HypeAuditor", "HypeAuditor"],
            "year": [2021, 2021, 2023.0, 2023.0],
            "grade": ["B", "B", "C", "C"],
            "lower": [0.0, 1e4, 1e3, 1e6],
            "upper": [1e4, 1e5, 1e4, np.inf],
            "rate": [0.05, 0.03, 0.04, 0.01],
        }
    )


def test_tier_rates_ours_and_references(ax):
    result = plotting.plot_tier_rates(ax, _ours(), _references(), tier_scheme="industry")
    assert result is ax
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert ax.yaxis.get_major_formatter()(0.035, 0) == "3.5%"
    tiktok, youtube = ax.containers[:2]
    assert len(tiktok[0].get_xdata()) == 3
    assert len(youtube[0].get_xdata()) == 2  # the NaN median is skipped
    # points near the geometric midpoints; horizontal bars span the tier exactly
    mids = np.asarray(tiktok[0].get_xdata())
    np.testing.assert_allclose(mids, np.sqrt([1e7, 1e9, 1e13]), rtol=0.1)
    xbars = [np.asarray(s)[:, 0] for s in tiktok[2][0].get_segments()]
    np.testing.assert_allclose(xbars, [[1e3, 1e4], [1e4, 1e5], [1e6, 1e7]])  # inf -> 10 x lower
    ybars = [np.asarray(s)[:, 1] for s in tiktok[2][1].get_segments()]
    np.testing.assert_allclose(ybars[0], [0.07, 0.09])
    labels = _legend_texts(ax)
    assert labels[:2] == ["TikTok by_user", "YouTube"]
    assert labels[2:] == ["Later x Fohr 2021 (B)", "HypeAuditor 2023 (C)"]
    later, hype = [c for c in ax.collections if c.get_label() in labels[2:]]
    np.testing.assert_allclose(
        [np.asarray(s)[:, 0] for s in later.get_segments()], [[1e3, 1e4], [1e4, 1e5]]
    )  # lower 0 -> upper / 10
    assert later.get_linestyle()[0][1] is not None  # dashed
    assert not np.allclose(later.get_color(), hype.get_color())  # one colour per source
    assert {"nano", "micro", "mega"} <= {t.get_text() for t in ax.texts}


def test_tier_rates_without_references(ax):
    plotting.plot_tier_rates(ax, _ours())
    assert _legend_texts(ax) == ["TikTok by_user", "YouTube"]
    assert len(ax.texts) == 0  # no tier_scheme, no bands


def test_tier_rates_rejects_tier_open_at_both_ends(ax):
    ours = _ours().iloc[:1].assign(lower=0.0, upper=np.inf)
    with pytest.raises(ValueError, match="open at both ends"):
        plotting.plot_tier_rates(ax, ours)


# plot_break_even and plot_bands


def _elasticities():
    return pd.DataFrame({"label": ["ours", "published"], "estimate": [0.95, 0.8],
                         "ci_low": [0.92, np.nan], "ci_high": [0.98, np.nan]})


def _prices():
    return pd.DataFrame({"label": ["card", "izea"], "exponent": [1.0, 0.32]})


def test_break_even_draws_bands_price_lines_and_diagonal(ax):
    result = plotting.plot_break_even(ax, _elasticities(), _prices(), p_range=(0.2, 1.2),
                                      b_range=(0.0, 1.2))
    assert result is ax
    assert ax.get_xlim() == (0.2, 1.2) and ax.get_ylim() == (0.0, 1.2)
    vertical = [line.get_xdata()[0] for line in ax.get_lines()
                if len(set(line.get_xdata())) == 1]
    assert sorted(vertical) == [0.32, 1.0]
    diagonal = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert any(np.allclose(line.get_xdata(), line.get_ydata()) for line in diagonal)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["b: ours", "b: published"]
    texts = " ".join(t.get_text() for t in ax.texts)
    assert "C2 contradicted" in texts and "C2 supported" in texts
    assert "card" in texts and "izea" in texts
    # one CI band (the published row has none)
    assert sum(1 for p in ax.patches) == 1


def test_break_even_default_b_range_covers_the_bands(ax):
    plotting.plot_break_even(ax, _elasticities().assign(ci_low=[-0.3, np.nan]), _prices())
    low, high = ax.get_ylim()
    assert low < -0.3 and high > 1.4


def test_break_even_requires_columns(ax):
    with pytest.raises(ValueError, match="exponent"):
        plotting.plot_break_even(ax, _elasticities(), _prices().drop(columns="exponent"))


def test_bands_one_line_and_band_per_group_sorted_by_x(ax):
    table = pd.DataFrame({"x": [3, 1, 2, 1, 2, 3], "y": [3.0, 1.0, 2.0, 5.0, 5.0, 5.0],
                          "lo": [2.0, 0.5, 1.5, 4.0, 4.0, 4.0],
                          "hi": [4.0, 1.5, 2.5, 6.0, 6.0, 6.0], "g": list("aaabbb")})
    result = plotting.plot_bands(ax, table, x="x", y="y", low="lo", high="hi", group="g",
                                 logx=True, reference=1.0)
    assert result is ax
    lines = [line for line in ax.get_lines() if line.get_label() in ("a", "b")]
    assert [line.get_label() for line in lines] == ["a", "b"]
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(lines[0].get_ydata(), [1.0, 2.0, 3.0])
    assert len(ax.collections) == 2  # one band per group
    assert ax.get_xscale() == "log" and ax.get_yscale() == "linear"
    assert any(np.allclose(line.get_ydata(), 1.0) for line in ax.get_lines()
               if line.get_label() not in ("a", "b"))


def test_bands_without_group_has_no_legend(ax):
    table = pd.DataFrame({"x": [1, 2], "y": [1.0, 2.0], "lo": [0.5, 1.5], "hi": [1.5, 2.5]})
    plotting.plot_bands(ax, table, x="x", y="y", low="lo", high="hi", logy=True)
    assert ax.get_legend() is None and ax.get_yscale() == "log"


def test_bands_requires_columns(ax):
    with pytest.raises(ValueError, match="hi"):
        plotting.plot_bands(ax, pd.DataFrame({"x": [1], "y": [1.0], "lo": [1.0]}), x="x",
                            y="y", low="lo", high="hi")


def test_plot_specification_curve_draws_every_specification():
    import matplotlib.pyplot as plt

    from insights import claims

    rng = np.random.default_rng(0)
    f = np.repeat(10 ** rng.uniform(3, 7, 40), 6)
    posts = pd.DataFrame({"creator": np.repeat(np.arange(40).astype(str), 6),
                          "post_id": np.arange(240).astype(str), "followers": f,
                          "likes": np.round(0.05 * f * np.exp(rng.normal(0, 1, 240))),
                          "comments": 1.0, "shares": 0.0, "age_days": rng.uniform(1, 200, 240)})
    curve = claims.specification_curve(posts, grid={"window": ("all posts",)})
    fig, axes = plt.subplots(2, 1, sharex=True)
    top, bottom = plotting.plot_specification_curve(axes, curve)
    points = sum(len(c.get_offsets()) for c in top.collections if hasattr(c, "get_offsets")
                 and len(c.get_offsets()) and c.get_offsets().shape[1] == 2)
    assert points >= len(curve)
    assert len(bottom.get_yticks()) == sum(curve[c].astype(str).nunique() for c in
                                           ("estimator", "engagement", "zeros", "age_control",
                                            "window"))
    plt.close(fig)


def test_plot_roc_draws_the_curve_the_diagonal_and_the_rules():
    import matplotlib.pyplot as plt

    from insights import authenticity

    curve = authenticity.roc_curve([0.9, 0.8, 0.3, 0.1], [True, False, True, False])
    points = pd.DataFrame({"label": ["R1", "R4", "R5"], "fpr": [0.25, 0.5, 0.5],
                           "tpr": [0.5, 0.75, 0.75]})
    fig, ax = plt.subplots()
    plotting.plot_roc(ax, curve, auc_text="AUC 0.75", points=points)
    step, diagonal = ax.lines[0], ax.lines[1]
    assert list(step.get_xdata()) == curve["fpr"].tolist()
    assert list(diagonal.get_xdata()) == [0, 1]
    assert [t.get_text() for t in ax.texts] == ["R1", "R4, R5"]  # coincident rules: one label
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["AUC 0.75", "chance", "rules"]
    with pytest.raises(ValueError, match="fpr"):
        plotting.plot_roc(ax, curve.drop(columns="fpr"))
    plt.close(fig)
