"""How numbers are shown: one formatter for labels, notes, report text and notebook tables.

Counts read as counts (``3,100,000`` in a table, ``3.1M`` in a label), rates given as fractions
read as percentages (``2.4%``), and estimates get three significant figures (``0.945``,
``1.2e-05`` never ``0.000``). Nothing here changes a value: these functions return text, or a
pandas ``Styler`` that formats a table for display while the frame keeps its numbers.

Examples
--------
>>> count_label(3_100_000), count(3_100_000.0), percent(0.0237), estimate(0.94512)
('3.1M', '3,100,000', '2.37%', '0.945')
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "count_label",
    "count",
    "percent",
    "estimate",
    "number",
    "table",
    "MISSING",
]

#: What a missing or undefined value is shown as.
MISSING = "–"

_SUFFIXES = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


def _finite(value: object) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) else None


def count_label(value: float, digits: int = 3) -> str:
    """A short count for axis labels, titles and notes: 950, 12k, 3.5M, 1.2B.

    Examples
    --------
    >>> [count_label(v) for v in (950, 12_000, 3_500_000, 1.2e9, 10_000_000_000)]
    ['950', '12k', '3.5M', '1.2B', '10B']
    >>> count_label(float("inf")), count_label(float("nan"))
    ('inf', 'nan')
    """
    value = float(value)
    if not np.isfinite(value):
        return str(value)
    for threshold, suffix in _SUFFIXES:
        if abs(value) >= threshold:
            return f"{value / threshold:.{digits}g}{suffix}"
    return f"{value:.{digits}g}"


def count(value: float) -> str:
    """A count in a table: rounded to a whole number, with thousands separators.

    Examples
    --------
    >>> [count(v) for v in (3_100_000.0, 1.0, 0.4, None)]
    ['3,100,000', '1', '0', '–']
    """
    number = _finite(value)
    return MISSING if number is None else f"{number:,.0f}"


def percent(value: float, digits: int = 3) -> str:
    """A rate given as a fraction, as a percentage with ``digits`` significant figures.

    Examples
    --------
    >>> [percent(v) for v in (0.0237, 0.5, 1.0, 0.000123, float("nan"), 420.0)]
    ['2.37%', '50%', '100%', '0.0123%', '–', '42,000%']
    """
    number = _finite(value)
    if number is None:
        return MISSING
    if abs(number * 100) >= 10**digits:  # 42,000%, never 4.2e+04%
        return f"{number * 100:,.0f}%"
    return f"{number * 100:.{digits}g}%"


def estimate(value: float, digits: int = 3) -> str:
    """An estimate with ``digits`` significant figures; large values get separators.

    Examples
    --------
    >>> [estimate(v) for v in (0.94512, 1.0, -0.0312, 1234.5, 1.2e-5, float("inf"))]
    ['0.945', '1', '-0.0312', '1,234', '1.2e-05', '–']
    """
    number = _finite(value)
    if number is None:
        return MISSING
    if abs(number) >= 10 ** digits:
        return f"{number:,.0f}"
    return f"{number:.{digits}g}"


def number(value: float) -> str:
    """How the client report prints a float: separators for big values, 4 digits else.

    Examples
    --------
    >>> [number(v) for v in (10000.0, 0.012345, 2.5, float("inf"), 999.96)]
    ['10,000', '0.01235', '2.5', 'inf', '1,000']
    """
    short = f"{value:.4g}"
    if not np.isfinite(value) or abs(float(short)) < 1000:  # 999.96 is "1,000", not "1000"
        return short
    return f"{value:,.0f}"


def _columns(frame: pd.DataFrame, names: Iterable[str]) -> list[str]:
    names = list(names)
    unknown = [n for n in names if n not in frame.columns]
    if unknown:
        raise KeyError(f"columns {unknown} not in the table; columns are {list(frame.columns)}")
    return names


def table(
    frame: pd.DataFrame,
    *,
    counts: Iterable[str] = (),
    percents: Iterable[str] = (),
    estimates: Iterable[str] | None = None,
    index: bool = True,
    caption: str | None = None,
) -> pd.io.formats.style.Styler:
    """A display of ``frame`` with every numeric column formatted by its kind.

    Parameters
    ----------
    frame : DataFrame
        The table; it is not changed.
    counts : column names
        Shown as whole numbers with separators (:func:`count`).
    percents : column names
        Fractions shown as percentages (:func:`percent`).
    estimates : column names, optional
        Shown with three significant figures (:func:`estimate`); default every other
        numeric column.
    index : bool, default True
        Show the index (hide a meaningless RangeIndex with ``index=False``).
    caption : str, optional

    Returns
    -------
    pandas.io.formats.style.Styler
        With a fixed table id (``T_insights``), so that its HTML is the same on every run.

    Examples
    --------
    >>> t = pd.DataFrame({"n": [3100000.0], "rate": [0.0237], "b": [0.94512]})
    >>> styled = table(t, counts=["n"], percents=["rate"], index=False)
    >>> html = styled.to_html()
    >>> "3,100,000" in html and "2.37%" in html and "0.945" in html
    True
    """
    counts = _columns(frame, counts)
    percents = _columns(frame, percents)
    if estimates is None:
        numeric = frame.select_dtypes("number").columns
        estimates = [c for c in numeric if c not in counts and c not in percents]
    else:
        estimates = _columns(frame, estimates)
    styler = frame.style.set_uuid("insights")
    styler = styler.format(count, subset=counts).format(percent, subset=percents)
    styler = styler.format(estimate, subset=list(estimates), na_rep=MISSING)
    if not index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return styler
