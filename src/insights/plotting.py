"""Figures in one house style. Every plot function takes an ``ax`` and returns it.

Nothing here calls ``plt.show()`` or saves files; notebooks decide that. :func:`use_style`
sets the rcParams explicitly (it is the only function with a global effect, and it is never
called at import).

The plot functions take plain DataFrames (columns named in each docstring), so they do not
depend on the modules that compute the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from insights.formatting import count_label, percent
from insights.references import close_tiers
from insights.tiers import TierScheme, tier_bands

__all__ = [
    "plot_specification_curve",
    "use_style",
    "format_count",
    "format_percent",
    "plot_follower_distribution",
    "plot_loglog_fit",
    "plot_binned_medians",
    "plot_forest",
    "plot_tier_rates",
    "plot_break_even",
    "plot_bands",
    "plot_roc",
]

_BAND_COLOURS = ("#e9e9e9", "#ffffff")
_SCATTER_COLOUR = "#1f5c99"
_FIT_COLOUR = "#c23b3b"
_REFERENCE_COLOURS = ("#1b9e77", "#e7298a", "#e6ab02", "#666666", "#a6761d", "#7570b3", "#d95f02")
_REFERENCE_DASHES = ("--", "-.", ":")
_VERDICT_COLOURS = {
    "supported": "#3a923a",
    "contradicted": "#c23b3b",
    "inconclusive": "#777777",
    "depends": "#d9822b",
    "equivalent": "#1f5c99",
    "not evidence": "#aaaaaa",
    "untestable": "#aaaaaa",
}


def use_style() -> None:
    """Set the house style: white grid, readable fonts, fixed figure size and resolution."""
    mpl.rcParams.update(
        {
            "figure.figsize": (8.0, 4.0),
            "figure.dpi": 100,
            "savefig.dpi": 100,
            "font.size": 10,
            "axes.titlesize": 11,
            "axes.titleweight": "bold",
            "axes.labelsize": 10,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "grid.color": "#dddddd",
            "grid.linewidth": 0.6,
            "legend.frameon": False,
            "axes.prop_cycle": mpl.cycler(
                color=["#1f5c99", "#d9822b", "#3a923a", "#c23b3b", "#7b5ea7", "#8c6d46"]
            ),
        }
    )


def format_count(value: float, _pos: object = None) -> str:
    """Format a count for axis labels (:func:`insights.formatting.count_label`): 950, 12k, 3.5M.

    Examples
    --------
    >>> [format_count(v) for v in (950, 12_000, 3_500_000, 1.2e9)]
    ['950', '12k', '3.5M', '1.2B']
    """
    return count_label(value)


def format_percent(value: float, _pos: object = None) -> str:
    """Format a rate given as a fraction for axis labels: 0.035 -> '3.5%'.

    Examples
    --------
    >>> [format_percent(v) for v in (0.001, 0.035, 0.1, 1.0, 420.0)]
    ['0.1%', '3.5%', '10%', '100%', '42,000%']
    """
    return percent(value)


# --------------------------------------------------------------------------- helpers


def _require_columns(table: pd.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(
            f"{name}: missing column(s) {missing}; expected {list(columns)}, "
            f"got {list(table.columns)}"
        )


def _numeric(values: object) -> np.ndarray:
    """Coerce to a float array; anything unparseable becomes NaN."""
    series = pd.Series(np.asarray(values, dtype=object))
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _decade_limits(values: np.ndarray) -> tuple[float, float]:
    """Exponents of the whole decades enclosing the positive finite ``values`` (2..9 if none)."""
    values = values[np.isfinite(values) & (values > 0)]
    low = float(np.floor(np.log10(values.min()))) if len(values) else 2.0
    high = float(np.ceil(np.log10(values.max()))) if len(values) else 9.0
    return low, max(high, low + 1)


def _format_log_axis(axis: Axis, formatter=format_count, subs: Sequence[float] = (1.0,)) -> None:
    axis.set_major_locator(LogLocator(base=10, subs=subs, numticks=15))
    axis.set_major_formatter(FuncFormatter(formatter))
    axis.set_minor_formatter(NullFormatter())


def _draw_tier_bands(ax: Axes, tier_scheme: str | TierScheme, xmin: float, xmax: float) -> None:
    """Shade the tiers of ``tier_scheme`` as alternating vertical bands within [xmin, xmax].

    Each visible band is labelled just above the top of the axes. Bands sit at zorder 0,
    behind the data.
    """
    bands = tier_bands(tier_scheme)
    for i, band in enumerate(bands.itertuples(index=False)):
        lower = max(band.lower, xmin)
        upper = min(band.upper, xmax)
        if lower >= upper:
            continue
        ax.axvspan(lower, upper, color=_BAND_COLOURS[i % 2], zorder=0)
        ax.text(
            np.sqrt(lower * upper),
            1.0,
            band.label,
            transform=ax.get_xaxis_transform(),
            ha="center",
            va="bottom",
            fontsize=8,
            color="#555555",
        )


def _close_tiers(lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Close open tiers for drawing by the one rule, :func:`insights.references.close_tiers`."""
    lower = np.asarray(lower, dtype=float)
    upper = np.asarray(upper, dtype=float)
    return close_tiers(np.where(lower > 0, lower, 0.0),
                       np.where(np.isfinite(upper), upper, np.inf))


def _year_text(year: object) -> str:
    """'2021' for 2021 or 2021.0, '' for missing, other values as text."""
    if pd.isna(year):
        return ""
    if isinstance(year, float | np.floating) and float(year).is_integer():
        return str(int(year))
    return str(year)


# --------------------------------------------------------------------------- plots


def plot_follower_distribution(
    ax: Axes,
    followers: pd.Series,
    *,
    tier_scheme: str | TierScheme = "industry",
    bins_per_decade: int = 8,
    label: str | None = None,
) -> Axes:
    """Draw a histogram of follower counts on a log axis with the tiers as shaded bands.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    followers : Series
        Follower counts; values <= 0 or missing are left out (say so in the caller's text).
    tier_scheme : str or TierScheme, default "industry"
        Tiers drawn as alternating bands with their labels.
    bins_per_decade : int, default 8
        Histogram resolution.
    label : str, optional
        Legend label.

    Returns
    -------
    Axes
    """
    values = pd.to_numeric(followers, errors="coerce").to_numpy(dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    low, high = _decade_limits(values)
    bins = np.logspace(low, high, int((high - low) * bins_per_decade) + 1)
    ax.hist(values, bins=bins, color=_SCATTER_COLOUR, alpha=0.85, label=label, zorder=2)
    ax.set_xscale("log")
    ax.set_xlim(10**low, 10**high)
    _draw_tier_bands(ax, tier_scheme, 10**low, 10**high)
    _format_log_axis(ax.xaxis)
    ax.set_xlabel("followers (log scale)")
    ax.set_ylabel("accounts")
    return ax


def plot_loglog_fit(
    ax: Axes,
    x: pd.Series | np.ndarray,
    y: pd.Series | np.ndarray,
    *,
    line: pd.DataFrame | None = None,
    tier_scheme: str | TierScheme | None = "industry",
    label: str | None = None,
    line_label: str | None = None,
    max_points: int = 20000,
    rng: np.random.Generator | None = None,
) -> Axes:
    """Scatter ``y`` against ``x`` on log-log axes, tiers shaded behind, optional fitted line.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    x, y : Series or array-like
        Follower counts and the outcome (e.g. engagements per post), paired by position (not
        by index). Pairs where either value is missing, non-numeric or <= 0 are left out
        (say so in the caller's text).
    line : DataFrame, optional
        Fitted curve on the original (not log) scale, columns ``x, fit, ci_low, ci_high``.
        Drawn as a line over a shaded band from ``ci_low`` to ``ci_high``; rows with
        ``x`` or ``fit`` <= 0 or missing are left out.
    tier_scheme : str, TierScheme or None, default "industry"
        Tiers shaded as alternating bands behind the points; ``None`` draws no bands.
    label : str, optional
        Legend label of the points.
    line_label : str, optional
        Legend label of the fitted line (its band is labelled ``"<line_label>: CI"``).
    max_points : int, default 20000
        Most points drawn. With more valid pairs, a random subset of ``max_points`` is drawn
        (chosen with ``rng``) and the legend label says ``"n shown of N"``. The axis limits
        and the fitted line always use all pairs.
    rng : numpy.random.Generator, optional
        Required when there are more than ``max_points`` valid pairs.

    Returns
    -------
    Axes

    Raises
    ------
    ValueError
        If ``x`` and ``y`` differ in length, ``line`` lacks a column, ``max_points < 1``, or
        a subset is needed and ``rng`` is None.
    """
    xs, ys = _numeric(x), _numeric(y)
    if len(xs) != len(ys):
        raise ValueError(f"x and y differ in length: {len(xs)} != {len(ys)}")
    if max_points < 1:
        raise ValueError(f"max_points must be >= 1, got {max_points}")
    keep = np.isfinite(xs) & np.isfinite(ys) & (xs > 0) & (ys > 0)
    xs, ys = xs[keep], ys[keep]
    total = len(xs)
    points_label = label
    if total > max_points:
        if rng is None:
            raise ValueError(
                f"{total} points exceed max_points={max_points}: pass rng (a "
                "numpy.random.Generator) to draw a reproducible random subset"
            )
        chosen = np.sort(rng.choice(total, size=max_points, replace=False))
        shown_x, shown_y = xs[chosen], ys[chosen]
        note = f"{max_points:,} shown of {total:,}"
        points_label = f"{label} ({note})" if label else note
    else:
        shown_x, shown_y = xs, ys

    curve = None
    if line is not None:
        _require_columns(line, ["x", "fit", "ci_low", "ci_high"], "line")
        curve = pd.DataFrame({c: _numeric(line[c]) for c in ("x", "fit", "ci_low", "ci_high")})
        curve = curve[(curve["x"] > 0) & (curve["fit"] > 0)].sort_values("x")

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.scatter(
        shown_x,
        shown_y,
        s=6,
        alpha=0.25,
        linewidths=0,
        color=_SCATTER_COLOUR,
        label=points_label,
        zorder=2,
        rasterized=True,
    )
    if curve is not None and len(curve):
        band_label = f"{line_label}: CI" if line_label else None
        ax.fill_between(
            curve["x"].to_numpy(),
            curve["ci_low"].to_numpy(),
            curve["ci_high"].to_numpy(),
            color=_FIT_COLOUR,
            alpha=0.2,
            linewidth=0,
            label=band_label,
            zorder=3,
        )
        ax.plot(curve["x"], curve["fit"], color=_FIT_COLOUR, lw=1.8, label=line_label, zorder=4)

    span = xs if curve is None else np.concatenate([xs, curve["x"].to_numpy()])
    low, high = _decade_limits(span)
    xmin, xmax = 10**low, 10**high
    ax.set_xlim(xmin, xmax)
    if tier_scheme is not None:
        _draw_tier_bands(ax, tier_scheme, xmin, xmax)
    _format_log_axis(ax.xaxis)
    _format_log_axis(ax.yaxis)
    ax.set_xlabel("followers (log scale)")
    y_name = getattr(y, "name", None)
    if y_name:
        ax.set_ylabel(f"{y_name} (log scale)")
    return ax


def plot_binned_medians(
    ax: Axes,
    table: pd.DataFrame,
    *,
    label: str | None = None,
    color: str | None = None,
) -> Axes:
    """Draw binned medians with vertical CI bars on log-log axes, joined by a thin line.

    Meant to overlay :func:`plot_loglog_fit` (it leaves the axis limits and labels alone).

    Parameters
    ----------
    ax : Axes
        Where to draw.
    table : DataFrame
        One row per bin, columns ``x_mid, median, ci_low, ci_high, n`` (``n`` is the bin's
        count; it is required so the table is self-describing but is not drawn). Rows with a
        missing median, or ``x_mid`` / ``median`` <= 0, are skipped. A missing CI bound draws
        no bar on that side.
    label : str, optional
        Legend label.
    color : str, optional
        Colour of points, bars and line (default: next in the house cycle).

    Returns
    -------
    Axes
    """
    _require_columns(table, ["x_mid", "median", "ci_low", "ci_high", "n"], "table")
    x_mid = _numeric(table["x_mid"])
    median = _numeric(table["median"])
    keep = np.isfinite(x_mid) & np.isfinite(median) & (x_mid > 0) & (median > 0)
    x_mid, median = x_mid[keep], median[keep]
    below = np.clip(median - _numeric(table["ci_low"])[keep], 0, None)
    above = np.clip(_numeric(table["ci_high"])[keep] - median, 0, None)
    yerr = np.vstack([np.nan_to_num(below), np.nan_to_num(above)])
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.errorbar(
        x_mid,
        median,
        yerr=yerr,
        fmt="o-",
        color=color,
        markersize=4,
        linewidth=0.8,
        elinewidth=1.0,
        capsize=2,
        label=label,
        zorder=5,
    )
    _format_log_axis(ax.xaxis)
    _format_log_axis(ax.yaxis)
    return ax


def plot_forest(
    ax: Axes,
    table: pd.DataFrame,
    *,
    reference: float | None = None,
    reference_label: str | None = None,
    xlabel: str = "estimate",
) -> Axes:
    """Draw a forest plot: one row per estimate, a point with its horizontal CI line.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    table : DataFrame
        Columns ``label, estimate, ci_low, ci_high``; optionally ``group`` (rows coloured by
        group, with a legend, groups in order of first appearance) and ``verdict`` (written at
        the right edge of each row, coloured for supported / contradicted / inconclusive /
        depends). Rows run top to bottom in table order; their labels are the y tick labels.
        A missing estimate leaves the row empty but labelled.
    reference : float, optional
        Position of a dashed vertical reference line, e.g. ``1.0`` for an elasticity
        ("engagement proportional to followers").
    reference_label : str, optional
        Legend label of the reference line.
    xlabel : str, default "estimate"
        Label of the x axis.

    Returns
    -------
    Axes
    """
    _require_columns(table, ["label", "estimate", "ci_low", "ci_high"], "table")
    n = len(table)
    rows = np.arange(n)
    estimate = _numeric(table["estimate"])
    xerr = np.vstack(
        [
            np.nan_to_num(np.clip(estimate - _numeric(table["ci_low"]), 0, None)),
            np.nan_to_num(np.clip(_numeric(table["ci_high"]) - estimate, 0, None)),
        ]
    )
    handles = []
    if "group" in table.columns:
        groups = table["group"].astype(str).to_numpy()
        for group in pd.unique(groups):
            mask = groups == group
            handle = ax.errorbar(
                estimate[mask],
                rows[mask],
                xerr=xerr[:, mask],
                fmt="o",
                capsize=3,
                markersize=5,
                label=group,
                zorder=3,
            )
            handles.append(handle)
    else:
        ax.errorbar(
            estimate,
            rows,
            xerr=xerr,
            fmt="o",
            capsize=3,
            markersize=5,
            color=_SCATTER_COLOUR,
            zorder=3,
        )
    if reference is not None:
        reference_line = ax.axvline(
            reference,
            color="#555555",
            linestyle="--",
            linewidth=1.0,
            label=reference_label,
            zorder=2,
        )
        if reference_label:
            handles.append(reference_line)
    ax.set_yticks(rows, labels=table["label"].astype(str).tolist())
    ax.set_ylim(n - 0.5, -0.5)
    ax.grid(False, axis="y")
    ax.set_xlabel(xlabel)
    if "verdict" in table.columns:
        for row, verdict in zip(rows, table["verdict"], strict=True):
            if pd.isna(verdict):
                continue
            text = str(verdict)
            ax.text(
                1.01,
                row,
                text,
                transform=ax.get_yaxis_transform(),
                ha="left",
                va="center",
                fontsize=9,
                color=_VERDICT_COLOURS.get(text.lower(), "#333333"),
            )
    if handles:
        ax.legend(handles=handles, loc="best")
    return ax


def plot_tier_rates(
    ax: Axes,
    ours: pd.DataFrame,
    references: pd.DataFrame | None = None,
    *,
    tier_scheme: str | TierScheme | None = None,
) -> Axes:
    """Set our per-tier engagement-rate medians beside published tier figures.

    Followers on a log x axis, rate (a fraction, labelled as percent) on a log y axis. Our
    series are points at each tier's geometric midpoint with a vertical CI bar and a
    horizontal bar spanning the tier (several series are nudged apart slightly so they do
    not hide each other; the horizontal bar still spans the exact tier). Each published
    figure is a dashed horizontal segment over its tier, one colour per source.

    Open tiers are closed **for drawing only**: an upper bound of inf (or missing) becomes
    ``10 x lower``, and a lower bound of 0 becomes ``upper / 10``. A tier open at both ends
    cannot be drawn and raises ValueError.

    Parameters
    ----------
    ax : Axes
        Where to draw.
    ours : DataFrame
        Columns ``label`` (series name, e.g. "TikTok by_user"), ``lower``, ``upper`` (tier
        follower bounds), ``median``, ``ci_low``, ``ci_high`` (engagement rate as a
        fraction). Rows with a missing or non-positive median are skipped.
    references : DataFrame, optional
        Published figures, columns ``source, year, grade, lower, upper, rate`` (rate as a
        fraction). Each ``source, year, grade`` gets one legend entry
        ``"source year (grade)"``. Rows with a missing or non-positive rate are skipped.
    tier_scheme : str, TierScheme or None, default None
        If given, its tiers are shaded behind as bands.

    Returns
    -------
    Axes
    """
    _require_columns(ours, ["label", "lower", "upper", "median", "ci_low", "ci_high"], "ours")
    ax.set_xscale("log")
    ax.set_yscale("log")
    lower, upper = _close_tiers(_numeric(ours["lower"]), _numeric(ours["upper"]))
    median = _numeric(ours["median"])
    ci_low, ci_high = _numeric(ours["ci_low"]), _numeric(ours["ci_high"])
    names = ours["label"].astype(str).to_numpy()
    series = pd.unique(names)
    spans = [lower, upper]
    handles = []
    for i, name in enumerate(series):
        mask = (names == name) & np.isfinite(median) & (median > 0)
        nudge = 10 ** ((i - (len(series) - 1) / 2) * 0.04)
        mid = np.sqrt(lower[mask] * upper[mask]) * nudge
        yerr = np.vstack(
            [
                np.nan_to_num(np.clip(median[mask] - ci_low[mask], 0, None)),
                np.nan_to_num(np.clip(ci_high[mask] - median[mask], 0, None)),
            ]
        )
        xerr = np.clip(np.vstack([mid - lower[mask], upper[mask] - mid]), 0, None)
        handle = ax.errorbar(
            mid,
            median[mask],
            xerr=xerr,
            yerr=yerr,
            fmt="o",
            markersize=5,
            capsize=2,
            elinewidth=1.0,
            label=name,
            zorder=4,
        )
        handles.append(handle)

    if references is not None and len(references):
        _require_columns(
            references, ["source", "year", "grade", "lower", "upper", "rate"], "references"
        )
        ref_lower, ref_upper = _close_tiers(
            _numeric(references["lower"]), _numeric(references["upper"])
        )
        spans += [ref_lower, ref_upper]
        rate = _numeric(references["rate"])
        valid = np.isfinite(rate) & (rate > 0)
        sources = references["source"].astype(str).to_numpy()
        years = references["year"].map(lambda y: f" {_year_text(y)}".rstrip())
        grades = references["grade"].map(lambda g: "" if pd.isna(g) else f" ({g})")
        entries = (references["source"].astype(str) + years + grades).to_numpy(dtype=str)
        colours = {
            s: _REFERENCE_COLOURS[k % len(_REFERENCE_COLOURS)]
            for k, s in enumerate(pd.unique(sources))
        }
        drawn_per_source: dict[str, int] = {}
        for entry in pd.unique(entries):
            rows = entries == entry
            source = sources[rows][0]
            dash_index = drawn_per_source.get(source, 0)
            drawn_per_source[source] = dash_index + 1
            mask = rows & valid
            handle = ax.hlines(
                rate[mask],
                ref_lower[mask],
                ref_upper[mask],
                colors=colours[source],
                linestyles=_REFERENCE_DASHES[dash_index % len(_REFERENCE_DASHES)],
                linewidth=1.8,
                label=entry,
                zorder=3,
            )
            handles.append(handle)

    low, high = _decade_limits(np.concatenate(spans))
    xmin, xmax = 10**low, 10**high
    ax.set_xlim(xmin, xmax)
    if tier_scheme is not None:
        _draw_tier_bands(ax, tier_scheme, xmin, xmax)
    _format_log_axis(ax.xaxis)
    _format_log_axis(ax.yaxis, formatter=format_percent, subs=(1.0, 2.0, 5.0))
    ax.set_xlabel("followers (log scale)")
    ax.set_ylabel("engagement rate (log scale)")
    ax.legend(handles=handles, loc="best", fontsize=8)
    return ax


def plot_break_even(
    ax: Axes,
    elasticities: pd.DataFrame,
    prices: pd.DataFrame,
    *,
    p_range: tuple[float, float] = (0.0, 1.4),
    b_range: tuple[float, float] | None = None,
) -> Axes:
    """Draw the (p, b) plane of claim C2 with its verdict regions.

    Cost per engagement scales as ``followers^(p - b)``: above the diagonal ``b = p``
    micro-creators cost *more* per engagement (C2 contradicted), below it they cost less (C2
    supported). Each engagement elasticity ``b`` is drawn as a horizontal band (its CI) with a
    line at the estimate; each price elasticity ``p`` as a vertical dashed line. Where a
    band crosses a price line tells the verdict under that pricing.

    Parameters
    ----------
    ax : Axes
    elasticities : DataFrame
        Columns ``label, estimate, ci_low, ci_high`` (engagement elasticities b).
    prices : DataFrame
        Columns ``label, exponent`` (price elasticities p).
    p_range, b_range : tuple of float
        Axis limits; ``b_range`` defaults to cover the bands and the diagonal.

    Returns
    -------
    Axes
    """
    _require_columns(elasticities, ["label", "estimate", "ci_low", "ci_high"], "elasticities")
    _require_columns(prices, ["label", "exponent"], "prices")
    estimate = _numeric(elasticities["estimate"])
    low = _numeric(elasticities["ci_low"])
    high = _numeric(elasticities["ci_high"])
    if b_range is None:
        values = np.concatenate([low[np.isfinite(low)], high[np.isfinite(high)], p_range])
        b_range = (min(values.min(), 0.0) - 0.05, values.max() + 0.1)
    p0, p1 = p_range
    b0, b1 = b_range
    line = np.array([min(p0, b0), max(p1, b1)])
    ax.fill_between(line, line, b1 + 10, color=_VERDICT_COLOURS["contradicted"], alpha=0.08,
                    lw=0)
    ax.fill_between(line, b0 - 10, line, color=_VERDICT_COLOURS["supported"], alpha=0.08, lw=0)
    ax.plot(line, line, color="#555555", lw=1.0, ls="--")
    ax.text(0.02, 0.5, "above the diagonal: micro costs more\nper engagement (C2 contradicted)",
            transform=ax.transAxes, va="center", fontsize=8,
            color=_VERDICT_COLOURS["contradicted"])
    ax.text(0.98, 0.03, "below: micro costs less per engagement\n(C2 supported)",
            transform=ax.transAxes, ha="right", va="bottom", fontsize=8,
            color=_VERDICT_COLOURS["supported"])
    colours = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (label, est, lo, hi) in enumerate(
        zip(elasticities["label"].astype(str), estimate, low, high, strict=True)
    ):
        colour = colours[i % len(colours)]
        if np.isfinite(lo) and np.isfinite(hi):
            ax.axhspan(lo, hi, color=colour, alpha=0.25, lw=0)
        if np.isfinite(est):
            ax.axhline(est, color=colour, lw=1.5, label=f"b: {label}")
    for j, (label, p) in enumerate(zip(prices["label"].astype(str),
                                       _numeric(prices["exponent"]), strict=True)):
        ax.axvline(p, color="#333333", lw=0.9, ls=_REFERENCE_DASHES[j % len(_REFERENCE_DASHES)])
        ax.text(p, 0.99, f"{label} ", transform=ax.get_xaxis_transform(), fontsize=7,
                rotation=90, ha="right", va="top", color="#333333")
    ax.set_xlim(p0, p1)
    ax.set_ylim(b0, b1)
    ax.set_xlabel("price elasticity p (fee \u221d followers^p)")
    ax.set_ylabel("engagement elasticity b")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8)
    return ax


def plot_bands(
    ax: Axes,
    table: pd.DataFrame,
    *,
    x: str,
    y: str,
    low: str,
    high: str,
    group: str | None = None,
    logx: bool = False,
    logy: bool = False,
    reference: float | None = None,
) -> Axes:
    """Draw lines of ``y`` against ``x`` with a shaded ``low``-``high`` band, one per group.

    Used for a sweep (a ratio with its CI as a tier boundary moves) and for portfolio mixes
    (mean with 5th-95th percentiles as the micro share grows). Groups keep their order of
    first appearance; rows are sorted by ``x`` within a group.

    Returns
    -------
    Axes
    """
    _require_columns(table, [x, y, low, high, *([group] if group else [])], "table")
    groups = [(None, table)] if group is None else [
        (name, table.loc[table[group] == name]) for name in pd.unique(table[group])
    ]
    for name, part in groups:
        part = part.sort_values(x)
        xs = _numeric(part[x])
        (drawn,) = ax.plot(xs, _numeric(part[y]), marker="o", markersize=3,
                           label=None if name is None else str(name))
        ax.fill_between(xs, _numeric(part[low]), _numeric(part[high]),
                        color=drawn.get_color(), alpha=0.18, lw=0)
    if reference is not None:
        ax.axhline(reference, color="#555555", ls="--", lw=1.0)
    if logx:
        ax.set_xscale("log")
        _format_log_axis(ax.xaxis)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    if group is not None:
        ax.legend(loc="best", fontsize=8)
    return ax


_ESTIMAND_COLOURS = {"typical": "#1f5c99", "expected": "#c23b3b"}


def plot_specification_curve(
    axes: Sequence[Axes],
    curve: pd.DataFrame,
    *,
    line: float = 1.0,
    margin: float | None = 0.05,
    choices: Sequence[str] = ("estimator", "engagement", "zeros", "age_control", "window"),
) -> Sequence[Axes]:
    """Draw a specification curve: sorted estimates with CIs over a panel of the choices.

    Parameters
    ----------
    axes : two Axes
        The curve (top) and the indicator panel (bottom), sharing x.
    curve : DataFrame
        :func:`insights.claims.specification_curve` output.
    line, margin : float
        The claim's line and the equivalence margin drawn as a band around it.
    choices : sequence of str
        Columns shown in the indicator panel, one row per value.

    Returns
    -------
    the two Axes
    """
    _require_columns(curve, ["estimand", "estimate", "ci_low", "ci_high", *choices],
                     "specification curve")
    top, bottom = axes
    table = curve.dropna(subset=["estimate"]).sort_values("estimate", kind="stable")
    table = table.reset_index(drop=True)
    x = np.arange(len(table))
    for estimand, rows in table.groupby("estimand", sort=True):
        colour = _ESTIMAND_COLOURS.get(estimand, "#333333")
        top.vlines(rows.index, rows["ci_low"], rows["ci_high"], color=colour, alpha=0.35, lw=1)
        top.scatter(rows.index, rows["estimate"], s=9, color=colour, zorder=3,
                    label=f"{estimand}: {len(rows)} specifications")
    top.axhline(line, color="#333333", lw=0.8)
    if margin is not None:
        top.axhspan(line - margin, line + margin, color="#999999", alpha=0.15, lw=0,
                    label=f"equivalence margin ({line:g} ± {margin:g})")
    top.set_ylabel("estimate (95% CI)")
    top.legend(fontsize=7, loc="upper left")
    labels = []
    for choice in choices:
        for value in table[choice].astype(str).unique():
            labels.append((choice, value))
    for row, (choice, value) in enumerate(labels):
        used = (table[choice].astype(str) == value).to_numpy()
        bottom.scatter(x[used], np.full(used.sum(), row), s=5, marker="s", color="#333333")
    bottom.set_yticks(range(len(labels)), [f"{c}: {v}" for c, v in labels], fontsize=6)
    bottom.set_ylim(len(labels) - 0.5, -0.5)
    bottom.set_xlabel("specifications, sorted by estimate")
    top.set_xlim(-1, len(table))
    return top, bottom


def plot_roc(
    ax: Axes,
    curve: pd.DataFrame,
    *,
    auc_text: str | None = None,
    points: pd.DataFrame | None = None,
) -> Axes:
    """Draw a ROC curve (``fpr``, ``tpr`` columns), the chance diagonal and, optionally, rules
    as labelled points (``points`` with ``label``, ``fpr``, ``tpr``).

    Parameters
    ----------
    ax : Axes
    curve : DataFrame
        From :func:`insights.authenticity.roc_curve`.
    auc_text : str, optional
        Legend text of the curve (e.g. the AUC with its interval).
    points : DataFrame, optional
        One row per rule: its false and true positive rates.
    """
    _require_columns(curve, ["fpr", "tpr"], "ROC curve")
    ax.step(curve["fpr"], curve["tpr"], where="post", color=_SCATTER_COLOUR, lw=1.6,
            label=auc_text or "score")
    ax.plot([0, 1], [0, 1], color="#999999", lw=0.8, ls="--", label="chance")
    if points is not None:
        _require_columns(points, ["label", "fpr", "tpr"], "ROC points")
        ax.scatter(points["fpr"], points["tpr"], color=_FIT_COLOUR, s=22, zorder=3,
                   label="rules")
        # rules that flag the same accounts share a point: one label, "R4, R5"
        merged = points.groupby(["fpr", "tpr"], sort=False)["label"].agg(", ".join)
        for (fpr, tpr), label in merged.items():
            ax.annotate(label, (fpr, tpr), xytext=(4, -10), textcoords="offset points",
                        fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_aspect("equal")
    ax.xaxis.set_major_formatter(format_percent)
    ax.yaxis.set_major_formatter(format_percent)
    ax.set_xlabel("real accounts flagged (false positive rate)")
    ax.set_ylabel("fake accounts flagged (recall)")
    ax.legend(fontsize=8, loc="lower right")
    return ax
