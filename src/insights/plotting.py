"""Figures in one house style. Every plot function takes an ``ax`` and returns it.

Nothing here calls ``plt.show()`` or saves files; notebooks decide that. :func:`use_style`
sets the rcParams explicitly (it is the only function with a global effect, and it is never
called at import).
"""

from __future__ import annotations

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from insights.tiers import TierScheme, tier_bands

__all__ = ["use_style", "format_count", "plot_follower_distribution"]

_BAND_COLOURS = ("#e9e9e9", "#ffffff")


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
    """Format a count for axis labels: 950, 12k, 3.5M, 1.2B.

    Examples
    --------
    >>> [format_count(v) for v in (950, 12_000, 3_500_000, 1.2e9)]
    ['950', '12k', '3.5M', '1.2B']
    """
    for threshold, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= threshold:
            return f"{value / threshold:.3g}{suffix}"
    return f"{value:.3g}"


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
    low = np.floor(np.log10(values.min())) if len(values) else 2.0
    high = np.ceil(np.log10(values.max())) if len(values) else 9.0
    high = max(high, low + 1)
    bins = np.logspace(low, high, int((high - low) * bins_per_decade) + 1)
    ax.hist(values, bins=bins, color="#1f5c99", alpha=0.85, label=label, zorder=2)
    ax.set_xscale("log")
    ax.set_xlim(10**low, 10**high)
    bands = tier_bands(tier_scheme)
    for i, band in enumerate(bands.itertuples(index=False)):
        lower = max(band.lower, 10**low)
        upper = min(band.upper, 10**high)
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
    ax.xaxis.set_major_locator(LogLocator(base=10, numticks=15))
    ax.xaxis.set_major_formatter(FuncFormatter(format_count))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("followers (log scale)")
    ax.set_ylabel("accounts")
    return ax
