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

import datetime as _dt
import html
import platform as _platform
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path

import pandas as pd

from insights import formatting
from insights.nbtools import provenance

__all__ = [
    "FORMULA_PREFIXES",
    "cover",
    "interval",
    "table",
    "render",
    "format_number",
    "paragraph",
    "bullets",
    "package_versions",
    "spreadsheet_safe",
    "export_note",
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
# the document: tables, cover and page

def _count(value: object) -> str:
    """A count; an infinite one is the open end of a band ("and up")."""
    try:
        if float(value) == float("inf"):
            return "and up"
    except (TypeError, ValueError):
        pass
    return formatting.count(value)


def _ratio(value: object) -> str:
    """A multiple: ``1.8x``."""
    shown = formatting.estimate(value)
    return shown if shown == formatting.MISSING else shown + "x"


_KINDS: dict[str, Callable[[object], str]] = {
    "count": _count,
    "percent": formatting.percent,
    "estimate": formatting.estimate,
    "ratio": _ratio,
}


TEXT_CELL = '<td class="text">'
LONG_TEXT_CELL = '<td class="text long">'
#: Text columns with a value longer than this wrap; every other cell stays on one line.
LONG_TEXT = 32


def _text(value: object) -> str:
    return formatting.MISSING if value is None or (
        not isinstance(value, str) and pd.isna(value)) else str(value)


def table(
    frame: pd.DataFrame,
    *,
    counts: Sequence[str] = (),
    percents: Sequence[str] = (),
    ratios: Sequence[str] = (),
    labels: Mapping[str, str] | None = None,
    missing: Mapping[str, str] | None = None,
    caption: str | None = None,
    notes: Sequence[str] = (),
) -> str:
    """A table for the client report as HTML: no index, every column formatted by its kind.

    ``counts`` are whole numbers with separators (an infinite one, the open end of a tier
    band, reads "and up"), ``percents`` fractions shown as percentages,
    ``ratios`` multiples (``1.8x``); other numbers get three significant figures and text is
    escaped. A missing value is shown as :data:`insights.formatting.MISSING` and explained in
    a footnote below the table: ``missing`` maps a column to the reason (default: "not
    available"). Column names are shown with ``labels`` (default: underscores as spaces).

    Examples
    --------
    >>> t = pd.DataFrame({"creator": ["<ann>", "bo"], "followers": [12000.0, 3.1e6],
    ...                   "rate": [0.0237, float("nan")]})
    >>> html_table = table(t, counts=["followers"], percents=["rate"],
    ...                    missing={"rate": "fewer than 2 posts"})
    >>> "&lt;ann&gt;" in html_table, "3,100,000" in html_table, "2.37%" in html_table
    (True, True, True)
    >>> "nan" in html_table.lower(), "fewer than 2 posts" in html_table
    (False, True)
    """
    kinds = {**{c: "count" for c in counts}, **{c: "percent" for c in percents},
             **{c: "ratio" for c in ratios}}
    unknown = [c for c in kinds if c not in frame.columns]
    if unknown:
        raise KeyError(f"columns {unknown} not in the table; columns are {list(frame.columns)}")
    labels = dict(labels or {})
    missing = dict(missing or {})
    cells: dict[str, list[str]] = {}
    footnotes: list[str] = []
    text_columns: dict[str, str] = {}
    for column in frame.columns:
        values = frame[column]
        numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(
            values)
        kind = kinds.get(column, "estimate" if numeric else "text")
        shown = [(_text if kind == "text" else _KINDS[kind])(v) for v in values]
        cells[column] = shown
        if kind == "text":
            long = any(len(v) > LONG_TEXT for v in shown)
            text_columns[column] = LONG_TEXT_CELL if long else TEXT_CELL
        if any(v == formatting.MISSING for v in shown):
            name = labels.get(column, str(column).replace("_", " "))
            footnotes.append(f"{formatting.MISSING} in \u201c{name}\u201d: "
                             f"{missing.get(column, 'not available')}.")
    header = "".join(f"<th>{html.escape(labels.get(c, str(c).replace('_', ' ')))}</th>"
                     for c in frame.columns)
    rows = []
    for i in range(len(frame)):
        row = "".join(
            text_columns.get(c, "<td>") + html.escape(cells[c][i]) + "</td>"
            for c in frame.columns)
        rows.append(f"<tr>{row}</tr>")
    out = ['<table class="data">']
    if caption:
        out.append(f"<caption>{html.escape(caption)}</caption>")
    out.append(f"<thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    for note in [*footnotes, *notes]:
        out.append(f'<p class="footnote">{html.escape(note)}</p>')
    return "".join(out)


def interval(value: float, low: float, high: float) -> str:
    """A rate with its interval as one cell: ``3.1% (2.4% to 4%)``; missing parts as
    :data:`insights.formatting.MISSING`.

    Examples
    --------
    >>> interval(0.031, 0.024, 0.04), interval(float("nan"), 0.1, 0.2)
    ('3.1% (2.4% to 4%)', '–')
    """
    if formatting._finite(value) is None:
        return formatting.MISSING
    return (f"{formatting.percent(value)} ({formatting.percent(low)} to "
            f"{formatting.percent(high)})")


def cover(*, title: str, client: str | None, file: str, generated: str,
          analysed: str) -> str:
    """The report's first page: title, client, date, file and what was analysed (escaped).

    Examples
    --------
    >>> page = cover(title="Q3 roster", client="Acme & Co", file="q3.csv",
    ...              generated="2026-12-03 10:00 UTC", analysed="120 creators")
    >>> "Acme &amp; Co" in page and "q3.csv" in page
    True
    """
    rows = [("Date", generated), ("File", file), ("Analysed", analysed)]
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows
                    if v)
    client_line = (f'<p class="client">Prepared for {html.escape(client)}</p>' if client
                   else "")
    return (f'<section class="cover"><h1>{html.escape(title)}</h1>{client_line}'
            f"<dl>{items}</dl></section>")


def stylesheet() -> str:
    """The report's CSS (package data ``insights/reporting/templates/report.css``)."""
    return resources.files("insights.reporting").joinpath(
        "templates", "report.css").read_text(encoding="utf-8")


def render(nb, path: str | Path, *, title: str) -> Path:
    """Write an executed report notebook as one self-contained HTML page.

    nbconvert's ``basic`` template gives the cells' HTML only (no scripts, no links to a CDN);
    code is left out, figures are embedded as data URIs, and the page gets this package's
    style sheet inline. The page loads nothing from anywhere.
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="basic", embed_images=True, exclude_input=True,
                            exclude_input_prompt=True, exclude_output_prompt=True,
                            anchor_link_text="")
    body, _ = exporter.from_notebook_node(nb)
    page = ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="insights">\n<title>{html.escape(title)}</title>\n'
            f"<style>\n{stylesheet()}</style>\n</head>\n<body>\n<main class=\"report\">\n"
            f"{body}\n</main>\n</body>\n</html>\n")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def today() -> str:
    """Today's date as the cover prints it (UTC), e.g. ``3 December 2026``."""
    now = _dt.datetime.now(_dt.UTC)
    return f"{now.day} {now:%B %Y}"


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


#: Tables longer than this are written as CSV only, not into ``tables.xlsx`` (writing a
#: workbook cell by cell costs about 9 s per 250,000 cells; a CSV of the same is instant).
EXCEL_ROWS = 5000


def export_note(tables: Mapping[str, pd.DataFrame], written: Sequence[Path]) -> str:
    """One paragraph naming the exported files, and the tables left out of the workbook.

    Examples
    --------
    >>> tables = {"a": pd.DataFrame({"n": [1]}), "b": pd.DataFrame({"n": range(EXCEL_ROWS + 1)})}
    >>> print(export_note(tables, [Path("a.csv"), Path("b.csv"), Path("tables.xlsx")]))
    ... # doctest: +NORMALIZE_WHITESPACE
    <p>Tables for spreadsheets: a.csv, b.csv, tables.xlsx (b.csv as CSV only: more than
    5,000 rows)</p>
    """
    csv_only = [p.name for p in written
                if p.suffix == ".csv" and len(tables.get(p.stem, ())) > EXCEL_ROWS]
    text = "Tables for spreadsheets: " + ", ".join(p.name for p in written)
    if csv_only:
        text += f" ({', '.join(csv_only)} as CSV only: more than {EXCEL_ROWS:,} rows)"
    return paragraph(text)


def export_tables(tables: Mapping[str, pd.DataFrame], folder: str | Path, *,
                  excel_rows: int = EXCEL_ROWS) -> list[Path]:
    """Write each table as ``<name>.csv``, and those of at most ``excel_rows`` rows also as
    sheets of ``tables.xlsx``.

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
            if len(frame) > excel_rows:
                continue
            sheet, k = name[:31], 1
            while sheet.casefold() in sheets:  # Excel's 31-character limit; never overwrite
                k += 1
                sheet = f"{name[:31 - len(str(k)) - 1]}~{k}"
            sheets.add(sheet.casefold())
            frame.to_excel(writer, sheet_name=sheet, index=False)
    written.append(workbook)
    return written
