"""``build_report``: an analyst's export in, a client report (HTML) out.

Steps (each announced through ``progress``):

1. read, map and clean the file (:mod:`insights.ingest.intake`); a problem with the file stops
   here with :class:`ReportError` (``status`` 2) and nothing is written;
2. write the cleaned table, the cleaning log and the options to ``<out>_files/inputs/``
   (:func:`insights.reporting.analyses.write_inputs`);
3. run the template notebook (package data, ``insights/reporting/templates/client-report.ipynb``)
   on them with `papermill <https://papermill.readthedocs.io>`_, the well-kept notebook executor
   that injects parameters and shows a progress bar per cell; the executed notebook (with its
   code) is kept as ``<out>_files/report.ipynb`` for audit;
4. render it to ``<out>`` with nbconvert, code cells left out, figures embedded; the client
   tables (spreadsheet-safe CSV and Excel) go to ``<out>_files/tables/``.

The input file is only ever read. The command line (:mod:`insights.reporting.cli`) is a thin
layer over :func:`build_report`; a notebook or a script can call it directly::

    from insights.reporting import build_report
    build_report("creators.csv", out="acme.html", platform="instagram")
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import sys
import time
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path

__all__ = ["ReportError", "build_report", "template_path", "DEFAULT_SEED"]

#: The bootstrap seed used unless the caller gives one (reports rerun identically).
DEFAULT_SEED = 20261122


class ReportError(Exception):
    """The report could not be built; ``status`` 2 = a problem with the input or an option
    (nothing was analysed), 1 = the analysis failed (the partial notebook is kept)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def template_path() -> Path:
    """The client-report template notebook shipped with the package.

    Examples
    --------
    >>> template_path().name
    'client-report.ipynb'
    >>> template_path().is_file()
    True
    """
    return Path(str(resources.files("insights.reporting").joinpath(
        "templates", "client-report.ipynb")))


def _quiet(message: str) -> None:
    """The default progress callback: say nothing."""


def build_report(
    path: str | os.PathLike,
    *,
    out: str | os.PathLike | None = None,
    platform: str | None = None,
    mapping: Mapping[str, str] | None = None,
    scheme: str = "industry",
    pricing: str = "all",
    level: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    seed: int = DEFAULT_SEED,
    resamples: int = 1000,
    template: str | os.PathLike | None = None,
    progress: Callable[[str], None] = _quiet,
    progress_bar: bool = False,
) -> Path:
    """Turn an export (CSV, TSV, Excel, JSON) into a client report; return the HTML path.

    Parameters
    ----------
    path : path-like
        The analyst's export; it is only read.
    out : path-like, optional
        The HTML file to write (default ``<path stem>-report.html`` in the current folder; a
        suffix other than ``.html`` is replaced). The folder ``<out stem>_files/`` beside it
        holds the executed notebook, the cleaned inputs and the client tables.
    platform : str, optional
        Platform of every row when the file has none (:data:`insights.schemas.PLATFORMS`).
    mapping : mapping of str to str, optional
        Field -> column of the file, beating the alias table (``{"followers": "Fans"}``).
    scheme : str
        Follower tier scheme (:data:`insights.tiers.SCHEMES`).
    pricing : str
        ``"all"`` or one name of :func:`insights.pricing.pricing_models`.
    level : {"posts", "creators"}, optional
        What a row is (default: detected).
    encoding, sheet : str, optional
        Text encoding of a text file; sheet of an Excel workbook (default: detected / first).
    seed, resamples : int
        Bootstrap seed and resamples per interval (at least 100).
    template : path-like, optional
        Another template notebook (default :func:`template_path`).
    progress : callable, optional
        Receives one line per step (default: silent).
    progress_bar : bool
        Show papermill's per-cell progress bar on stderr.

    Raises
    ------
    ReportError
        With ``status`` 2 for a problem with the file or an argument, 1 when the analysis
        notebook failed.
    """
    source = Path(path)
    out = Path(out) if out is not None else Path.cwd() / f"{source.stem}-report.html"
    if source.exists() and out.resolve() == source.resolve():  # before the suffix is fixed
        raise ReportError(f"out {out} is the input file itself; the input is never written", 2)
    out = out if out.suffix.lower() in (".html", ".htm") else out.with_suffix(".html")
    files = out.with_name(out.stem + "_files")
    template = Path(template) if template is not None else template_path()
    if resamples < 100:
        raise ReportError(f"resamples {resamples}: use at least 100", 2)
    if source.exists() and source.resolve().is_relative_to(files.resolve()):
        raise ReportError(f"the input lies inside {files}, which the report writes; move it", 2)
    if not template.is_file():
        raise ReportError(f"template notebook not found: {template}", 2)

    start = time.perf_counter()
    inputs = files / "inputs"
    tables = files / "tables"
    _prepare(source, inputs, start, progress=progress, mapping=mapping, platform=platform,
             level=level, encoding=encoding, sheet=sheet,
             options={"scheme": scheme, "pricing": pricing, "seed": seed,
                      "resamples": resamples})

    progress("[3/4] running the analysis notebook (papermill)")
    notebook = files / "report.ipynb"
    executed = _execute(template, notebook, progress_bar=progress_bar, parameters={
        "WORKDIR": str(inputs.resolve()), "EXPORT_DIR": str(tables.resolve()),
        "SCHEME": scheme, "PRICING": pricing, "SEED": seed, "N_RESAMPLES": resamples,
    })

    progress(f"[4/4] rendering {out.name}")
    from insights.nbtools.notebooks import render_html

    render_html(executed, out, title=f"Engagement report: {source.name}", hide_code=True)
    progress(f"wrote {out} ({out.stat().st_size / 1024:,.0f} KiB) and {files.name}/ in "
             f"{time.perf_counter() - start:.1f} s")
    return out


def _prepare(source: Path, inputs: Path, start: float, *, progress, mapping, platform, level,
             encoding, sheet, options: dict) -> None:
    """Steps 1 and 2: read, map and clean the file, then write the notebook's inputs."""
    from insights.ingest import intake
    from insights.reporting.analyses import write_inputs

    progress(f"[1/4] reading {source.name}")
    try:
        raw = intake.read_table(source, encoding=encoding, sheet=sheet)
        progress(f"      {len(raw.frame):,} rows, {raw.frame.shape[1]} columns "
                 f"({raw.format}{', ' + raw.encoding if raw.encoding else ''})")
        colmap = intake.map_columns(raw.frame.columns, dict(mapping or {}))
        cleaned = intake.clean(raw, colmap, level=level, platform=platform)
    except intake.InputError as exc:
        raise ReportError(str(exc), 2) from None
    for row in colmap.table().itertuples():
        progress(f"      {row.field:<12} <- {row.column!r} ({row.how})")
    steps = cleaned.log.steps()
    progress(f"      {cleaned.level}: {cleaned.level_reason}; {len(cleaned.table):,} rows "
             f"kept, {steps['dropped'].sum():,} dropped, {steps['repaired'].sum():,} values "
             f"repaired ({time.perf_counter() - start:.1f} s)")
    progress(f"[2/4] writing the cleaned inputs to {inputs}")
    generated = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    write_inputs(cleaned, inputs, extra={"generated": generated, **options})


def _execute(template: Path, notebook: Path, *, progress_bar: bool, parameters: dict):
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from insights.nbtools.notebooks import current_env_kernel_manager_class

    notebook.parent.mkdir(parents=True, exist_ok=True)
    env_backend = os.environ.pop("MPLBACKEND", None)  # keep figures inline in the kernel
    try:
        with contextlib.redirect_stdout(sys.stderr):
            papermill.execute_notebook(
                str(template), str(notebook), parameters=parameters,
                progress_bar=progress_bar, kernel_name="python3",
                kernel_manager_class=current_env_kernel_manager_class(),
                cwd=str(notebook.parent), log_output=False, request_save_on_cell_execute=False,
            )
    except PapermillExecutionError as exc:
        raise ReportError(
            f"the analysis failed in cell {exc.exec_count}: {exc.ename}: "
            f"{' '.join(str(exc.evalue).split())} (the partial notebook is {notebook})", 1
        ) from None
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    return nbformat.read(notebook, as_version=4)
