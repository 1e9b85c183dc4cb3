"""Document helpers for the client report: escaped HTML snippets, numbers, safe exports.

Safety
------
Text from the data (handles, captions, file names) reaches the HTML report only through
pandas tables, which escape it, or through :func:`paragraph`, which escapes it. Tables
exported for clients go through :func:`spreadsheet_safe`, which neutralises spreadsheet
formulas (OWASP "CSV injection"): a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return gets a leading apostrophe, so Excel and LibreOffice show it as text.

Examples
--------
>>> spreadsheet_safe(pd.DataFrame({"creator": ["=HYPERLINK(1)", "ann"], "n": [-1, 2]}))
          creator  n
0  '=HYPERLINK(1) -1
1             ann  2
"""

from __future__ import annotations

import html
import platform as _platform
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from insights import formatting
from insights.nbtools import provenance

__all__ = [
    "FORMULA_PREFIXES",
    "format_number",
    "paragraph",
    "bullets",
    "package_versions",
    "spreadsheet_safe",
    "export_tables",
]

#: First characters that make a spreadsheet treat a cell as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def format_number(value: float) -> str:
    """How the report prints a float (:func:`insights.formatting.number`).

    Examples
    --------
    >>> [format_number(v) for v in (10000.0, 0.012345, 2.5, float("inf"))]
    ['10,000', '0.01235', '2.5', 'inf']
    """
    return formatting.number(value)


def paragraph(text: str, *, tag: str = "p") -> str:
    """Wrap text in an HTML element, escaping it (data text never becomes markup).

    Examples
    --------
    >>> paragraph("<b>@ann</b> & co")
    '<p>&lt;b&gt;@ann&lt;/b&gt; &amp; co</p>'
    """
    if tag not in ("p", "h1", "h2", "h3", "li", "strong"):
        raise ValueError(f"tag {tag!r} not allowed")
    return f"<{tag}>{html.escape(str(text))}</{tag}>"


def bullets(items: Sequence[str]) -> str:
    """An HTML list of the items, each escaped; an empty string for no items.

    Examples
    --------
    >>> bullets(["b < 1", "n = 3"])
    '<ul><li>b &lt; 1</li><li>n = 3</li></ul>'
    """
    if not items:
        return ""
    return "<ul>" + "".join(paragraph(item, tag="li") for item in items) + "</ul>"


def package_versions() -> pd.DataFrame:
    """Versions of Python, the platform and the packages the report was computed with."""
    names = ["insights", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "papermill",
             "nbconvert", "openpyxl", "charset-normalizer"]
    table = provenance.package_versions(names)
    platform_row = pd.DataFrame([{"package": "platform",
                                  "version": _platform.platform(terse=True)}])
    return pd.concat([table.iloc[:1], platform_row, table.iloc[1:]], ignore_index=True)


# --------------------------------------------------------------------------------------------
# exports


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy in which no text cell can run as a spreadsheet formula.

    Text cells (in object, string or category columns, and the column names) that start with
    one of :data:`FORMULA_PREFIXES` get a leading apostrophe. Numbers are left alone (a
    negative number is a number, not a formula).
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            values = values.astype("object")
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            out[column] = values.map(_safe_cell, na_action="ignore")
    out.columns = [_safe_cell(str(c)) for c in out.columns]
    return out


def _safe_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def export_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write each table as ``<name>.csv`` and all of them as sheets of ``tables.xlsx``.

    Every table passes through :func:`spreadsheet_safe` first. Sheet names are cut to Excel's
    31 characters, with ``~2``, ``~3`` ... where two names would collide. Returns the written
    paths.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    safe = {name: spreadsheet_safe(frame) for name, frame in tables.items()}
    for name, frame in safe.items():
        path = folder / f"{name}.csv"
        frame.to_csv(path, index=False)
        written.append(path)
    workbook = folder / "tables.xlsx"
    sheets: set[str] = set()
    with pd.ExcelWriter(workbook, engine="openpyxl") as writer:
        for name, frame in safe.items():
            sheet, k = name[:31], 1
            while sheet.casefold() in sheets:  # Excel's 31-character limit; never overwrite
                k += 1
                sheet = f"{name[:31 - len(str(k)) - 1]}~{k}"
            sheets.add(sheet.casefold())
            frame.to_excel(writer, sheet_name=sheet, index=False)
    written.append(workbook)
    return written
