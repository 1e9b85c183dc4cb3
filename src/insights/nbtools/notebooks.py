"""Execute the notebooks and render them as HTML findings; regenerate the committed references.

Two jobs, both driven from the command line (``make report``, ``make notebooks``):

*Render the findings.* :func:`render_all` executes every notebook under ``notebooks/``
(templates and scratch folders excluded) in a fresh kernel, writes the executed copy and an
HTML page for each under ``reports/``, and a ``reports/index.html`` that lists them with their
title and whether they ran cleanly. The committed notebooks are read, never written.

*Regenerate the references.* :func:`regenerate_notebook` re-executes a committed notebook in
place (a clean "Restart & Run All") and normalises its metadata with
:func:`normalise_notebook`, keeping outputs and execution counts: that stored run is what
nbval compares against.

Notebooks are executed with `nbclient <https://nbclient.readthedocs.io>`_, and rendered with
nbconvert's ``HTMLExporter``. The kernel is always an ipykernel of the Python running this
code (whatever the notebook's metadata names), started in the notebook's own folder, with
``PYTHONHASHSEED=0`` and without ``MPLBACKEND`` so that figures stay inline; nbval runs with
the same settings.

Command line::

    python -m insights.nbtools.notebooks [--notebooks DIR] [--out DIR]     # render to reports/
    python -m insights.nbtools.notebooks --inplace [NOTEBOOK ...]          # regenerate references

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook()
>>> nb.cells = [nbformat.v4.new_markdown_cell("# Claim: bigger means lower engagement")]
>>> notebook_title(nb, default="untitled")
'Claim: bigger means lower engagement'
"""

from __future__ import annotations

import argparse
import copy
import functools
import html
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import nbformat

from insights import paths
from insights.nbtools.hygiene import find_notebooks

__all__ = [
    "KERNELSPEC",
    "ExecutionResult",
    "current_env_kernel_manager_class",
    "NotebookReport",
    "execute",
    "execute_notebook",
    "main",
    "normalise_notebook",
    "notebook_title",
    "regenerate_notebook",
    "render_all",
    "render_html",
    "write_index",
]

#: The kernelspec stored in every committed notebook.
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

#: Default time limits, in seconds (the same as the nbval run in the Makefile).
CELL_TIMEOUT = 600
STARTUP_TIMEOUT = 120

_CELL_METADATA_DROPPED = ("papermill", "execution", "ExecuteTime")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True, eq=False)
class ExecutionResult:
    """The outcome of executing one notebook.

    Attributes
    ----------
    source : pathlib.Path or None
        The notebook file that was executed (None for an in-memory notebook).
    notebook : nbformat.NotebookNode
        The executed notebook, with outputs up to the failing cell if execution stopped.
    error : str or None
        ``"<ExceptionName>: <message>"`` if execution stopped, else None.
    seconds : float
        Wall-clock time of the execution, kernel start included.
    output : pathlib.Path or None
        Where the executed copy was written, if it was.
    """

    source: Path | None
    notebook: nbformat.NotebookNode
    error: str | None
    seconds: float
    output: Path | None = None

    @property
    def status(self) -> str:
        """Return ``"failed"``, ``"stderr"`` (ran, but wrote to stderr) or ``"ok"``."""
        if self.error is not None:
            return "failed"
        if _has_stderr(self.notebook):
            return "stderr"
        return "ok"

    @property
    def clean(self) -> bool:
        """Return whether the notebook ran without error and wrote nothing to stderr."""
        return self.status == "ok"


@dataclass(frozen=True)
class NotebookReport:
    """One line of the findings index: a notebook, its title, its HTML page and its status.

    Attributes
    ----------
    source : pathlib.Path
        The committed notebook.
    title : str
        The text of its first markdown heading (the file name if it has none).
    status : str
        ``"ok"``, ``"stderr"`` or ``"failed"`` (see :attr:`ExecutionResult.status`).
    html : pathlib.Path
        The rendered page.
    executed : pathlib.Path
        The executed copy of the notebook under the reports folder.
    error : str or None
        The error that stopped execution, if any.
    seconds : float
        Execution time.
    """

    source: Path
    title: str
    status: str
    html: Path
    executed: Path
    error: str | None
    seconds: float

    @property
    def clean(self) -> bool:
        """Return whether the notebook ran without error and wrote nothing to stderr."""
        return self.status == "ok"


def normalise_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Return a copy of a notebook with machine- and run-specific metadata removed.

    Outputs and execution counts are kept (they are nbval's reference). The copy has:

    - ``metadata.kernelspec`` set to :data:`KERNELSPEC` (name ``python3``);
    - no ``metadata.papermill`` and no ``metadata.language_info.version``;
    - no ``papermill``, ``execution`` (nbclient timing) or ``ExecuteTime`` cell metadata;
    - no execution count or outputs on blank code cells, which executors skip.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        A version-4 notebook. It is not modified.

    Returns
    -------
    nbformat.NotebookNode
        The normalised copy.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(metadata={
    ...     "kernelspec": {"name": "conda-env-x-py", "display_name": "Python [conda env:x]"},
    ...     "papermill": {"duration": 1.5}})
    >>> nb.cells = [nbformat.v4.new_code_cell("1 + 1", execution_count=1)]
    >>> nb.cells[0].metadata["papermill"] = {"status": "completed"}
    >>> clean = normalise_notebook(nb)
    >>> clean.metadata.kernelspec.name, "papermill" in clean.metadata
    ('python3', False)
    >>> dict(clean.cells[0].metadata), clean.cells[0].execution_count
    ({}, 1)
    >>> nb.metadata.kernelspec.name  # the input is unchanged
    'conda-env-x-py'
    """
    out = copy.deepcopy(nb)
    out.metadata["kernelspec"] = nbformat.from_dict(dict(KERNELSPEC))
    out.metadata.pop("papermill", None)
    language_info = out.metadata.get("language_info")
    if isinstance(language_info, dict):
        language_info.pop("version", None)
    for cell in out.cells:
        for key in _CELL_METADATA_DROPPED:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code" and not _cell_source(cell).strip():
            cell.execution_count = None
            cell.outputs = []
    return out


def notebook_title(nb: nbformat.NotebookNode, *, default: str) -> str:
    """Return the text of a notebook's first markdown heading, or ``default``.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook.
    default : str
        The title to use when no markdown cell has a heading (usually the file name).

    Returns
    -------
    str
        The heading text without its ``#`` marks.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> notebook_title(nb, default="02-engagement")
    '02-engagement'
    """
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        match = _HEADING.search(_cell_source(cell))
        if match:
            return match.group(1).strip()
    return default


def execute(
    nb: nbformat.NotebookNode,
    *,
    cwd: str | Path,
    timeout: int = CELL_TIMEOUT,
    startup_timeout: int = STARTUP_TIMEOUT,
) -> ExecutionResult:
    """Execute a copy of an in-memory notebook from top to bottom in a fresh kernel.

    The kernel is an ipykernel of the Python running this function (``sys.executable``),
    whatever kernel the notebook's metadata names, started in ``cwd`` with
    ``PYTHONHASHSEED=0`` and ``MPLBACKEND`` unset. Execution stops at the first cell that
    raises, unless the cell is tagged ``raises-exception``; cells tagged ``skip-execution``
    are skipped.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook. It is not modified.
    cwd : str or pathlib.Path
        The kernel's working directory (the notebook's folder, as under nbval and Jupyter).
    timeout : int, default 600
        Seconds one cell may run.
    startup_timeout : int, default 120
        Seconds the kernel may take to start.

    Returns
    -------
    ExecutionResult
        The executed copy, with ``error`` set if execution stopped.
    """
    from nbclient import NotebookClient

    work = copy.deepcopy(nb)
    client = NotebookClient(
        work,
        kernel_manager_class=current_env_kernel_manager_class(),
        kernel_name=KERNELSPEC["name"],
        timeout=timeout,
        startup_timeout=startup_timeout,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
    )
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env.pop("MPLBACKEND", None)
    start = time.perf_counter()
    error = None
    try:
        client.execute(env=env)
    except Exception as exc:  # any failure is reported, not raised: the report lists it
        error = _describe(exc)
    return ExecutionResult(
        source=None, notebook=work, error=error, seconds=time.perf_counter() - start
    )


def execute_notebook(
    path: str | Path,
    out_dir: str | Path | None = None,
    *,
    timeout: int = CELL_TIMEOUT,
    startup_timeout: int = STARTUP_TIMEOUT,
) -> ExecutionResult:
    """Execute a notebook file in its own folder; optionally write the executed copy.

    The file at ``path`` is never written: see :func:`regenerate_notebook` for that.

    Parameters
    ----------
    path : str or pathlib.Path
        The notebook to execute.
    out_dir : str or pathlib.Path, optional
        If given, the executed (and normalised) copy is written there under the same file
        name. It must not be the notebook's own folder.
    timeout, startup_timeout : int
        See :func:`execute`.

    Returns
    -------
    ExecutionResult
        With ``source`` set to ``path`` and ``output`` to the written copy, if any.

    Raises
    ------
    ValueError
        If ``out_dir`` would overwrite the notebook itself.
    """
    path = Path(path)
    target = None
    if out_dir is not None:
        target = Path(out_dir) / path.name
        if target.resolve() == path.resolve():
            raise ValueError(f"{path}: out_dir would overwrite the notebook itself")
    nb = nbformat.read(path, as_version=4)
    result = execute(
        nb, cwd=path.resolve().parent, timeout=timeout, startup_timeout=startup_timeout
    )
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(normalise_notebook(result.notebook), target)
    return ExecutionResult(
        source=path,
        notebook=result.notebook,
        error=result.error,
        seconds=result.seconds,
        output=target,
    )


def regenerate_notebook(
    path: str | Path,
    *,
    timeout: int = CELL_TIMEOUT,
    startup_timeout: int = STARTUP_TIMEOUT,
) -> ExecutionResult:
    """Re-execute a committed notebook in place and normalise it, as nbval's new reference.

    This is a clean "Restart & Run All" followed by :func:`normalise_notebook`. If any cell
    fails, the file is left untouched.

    Parameters
    ----------
    path : str or pathlib.Path
        The notebook to regenerate.
    timeout, startup_timeout : int
        See :func:`execute`.

    Returns
    -------
    ExecutionResult
        With ``output`` set to ``path`` if the file was rewritten, else None.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    result = execute(
        nb, cwd=path.resolve().parent, timeout=timeout, startup_timeout=startup_timeout
    )
    written = None
    if result.error is None:
        nbformat.write(normalise_notebook(result.notebook), path)
        written = path
    return ExecutionResult(
        source=path,
        notebook=result.notebook,
        error=result.error,
        seconds=result.seconds,
        output=written,
    )


def render_html(
    nb: nbformat.NotebookNode, path: str | Path, *, title: str | None = None,
    hide_code: bool = False,
) -> Path:
    """Render a notebook to one self-contained HTML page.

    Figures are embedded as data URIs (nbconvert's ``HTMLExporter`` with ``embed_images``).

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The (executed) notebook.
    path : str or pathlib.Path
        The HTML file to write; its folder is created if needed.
    title : str, optional
        The page title (default: :func:`notebook_title`, or the file name).
    hide_code : bool, default False
        Leave out code cells' input and the In/Out prompts (a report for readers who do not
        read code); outputs and markdown stay.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from nbconvert import HTMLExporter

    path = Path(path)
    if title is None:
        title = notebook_title(nb, default=path.stem)
    exporter = HTMLExporter(embed_images=True, exclude_input=hide_code,
                            exclude_input_prompt=hide_code, exclude_output_prompt=hide_code)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(body, encoding="utf-8")
    return path


def render_all(
    notebook_dir: str | Path,
    reports_dir: str | Path,
    *,
    timeout: int = CELL_TIMEOUT,
    startup_timeout: int = STARTUP_TIMEOUT,
    progress: Callable[[str], None] | None = None,
    findings: str | None = None,
) -> list[NotebookReport]:
    """Execute and render every notebook under a folder, then write the index page.

    Templates (``templates/``) and scratch folders are skipped. A notebook that fails is still
    rendered, up to and including the failing cell, and listed as failed.

    Parameters
    ----------
    notebook_dir : str or pathlib.Path
        The folder of notebooks (searched recursively).
    reports_dir : str or pathlib.Path
        Where ``<name>.html``, the executed ``<name>.ipynb`` and ``index.html`` are written,
        mirroring sub-folders of ``notebook_dir``.
    timeout, startup_timeout : int
        See :func:`execute`.
    progress : callable, optional
        Called with one line of text before and after each notebook.
    findings : str, optional
        The findings section of the index page (:func:`write_index`).

    Returns
    -------
    list of NotebookReport
        One per notebook, in file-name order.
    """
    notebook_dir, reports_dir = Path(notebook_dir), Path(reports_dir)
    sources = find_notebooks(notebook_dir, include_templates=False)
    say = progress or (lambda line: None)
    reports = []
    for number, source in enumerate(sources, start=1):
        relative = source.relative_to(notebook_dir)
        say(f"[{number}/{len(sources)}] {relative}: executing ...")
        result = execute_notebook(
            source,
            reports_dir / relative.parent,
            timeout=timeout,
            startup_timeout=startup_timeout,
        )
        title = notebook_title(result.notebook, default=source.stem)
        page = render_html(result.notebook, reports_dir / relative.with_suffix(".html"),
                           title=title)
        report = NotebookReport(
            source=source,
            title=title,
            status=result.status,
            html=page,
            executed=result.output or reports_dir / relative,
            error=result.error,
            seconds=result.seconds,
        )
        detail = f": {report.error}" if report.error else ""
        say(f"[{number}/{len(sources)}] {relative}: {report.status} "
            f"({report.seconds:.1f} s) -> {page}{detail}")
        reports.append(report)
    write_index(reports, reports_dir, findings=findings)
    return reports


def write_index(reports: Sequence[NotebookReport], reports_dir: str | Path, *,
                findings: str | None = None) -> Path:
    """Write ``index.html``: the findings table, then one row per notebook with its status.

    Parameters
    ----------
    reports : sequence of NotebookReport
        As returned by :func:`render_all`.
    reports_dir : str or pathlib.Path
        The folder holding the pages; links are relative to it.
    findings : str, optional
        An HTML section placed first (:func:`insights.nbtools.findings.findings_html`).

    Returns
    -------
    pathlib.Path
        The index file.
    """
    reports_dir = Path(reports_dir)
    labels = {"ok": "ran cleanly", "stderr": "ran, with output on stderr", "failed": "failed"}
    rows = []
    for report in reports:
        page = quote(report.html.relative_to(reports_dir).as_posix())
        executed = quote(report.executed.relative_to(reports_dir).as_posix())
        note = f"<br><code>{html.escape(report.error)}</code>" if report.error else ""
        rows.append(
            f'    <tr class="{report.status}">\n'
            f'      <td><a href="{page}">{html.escape(report.title)}</a></td>\n'
            f"      <td><code>{html.escape(report.source.name)}</code> "
            f'(<a href="{executed}">executed notebook</a>)</td>\n'
            f"      <td>{labels.get(report.status, report.status)}{note}</td>\n"
            f'      <td class="num">{report.seconds:.1f}</td>\n'
            "    </tr>"
        )
    clean = sum(report.clean for report in reports)
    body = "\n".join(rows) if rows else '    <tr><td colspan="4">No notebooks.</td></tr>'
    page_html = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>insights: findings</title>
  <style>
    body {{ font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; }}
    table {{ border-collapse: collapse; width: 100%; }}
    th, td {{ border-bottom: 1px solid #ddd; padding: 0.4rem 0.6rem; text-align: left;
              vertical-align: top; }}
    td.num {{ text-align: right; }}
    tr.failed td {{ background: #fde8e8; }}
    tr.stderr td {{ background: #fff6dd; }}
    .verdict {{ font-weight: 600; }}
    .supported {{ color: #2f7a2f; }} .contradicted {{ color: #b22; }}
    .equivalent {{ color: #1f5c99; }} .inconclusive {{ color: #666; }}
  </style>
</head>
<body>
  <h1>insights: findings</h1>
{findings or ""}
  <h2>Notebooks</h2>
  <p>{clean} of {len(reports)} notebooks ran cleanly.</p>
  <table>
    <tr><th>Notebook</th><th>File</th><th>Run</th><th>Seconds</th></tr>
{body}
  </table>
</body>
</html>
"""
    reports_dir.mkdir(parents=True, exist_ok=True)
    index = reports_dir / "index.html"
    index.write_text(page_html, encoding="utf-8")
    return index


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``python -m insights.nbtools.notebooks``.

    Returns
    -------
    int
        0 if every notebook ran cleanly (no error, nothing on stderr), else 1.
    """
    parser = argparse.ArgumentParser(
        prog="python -m insights.nbtools.notebooks",
        description="Execute the notebooks and render them to HTML under reports/ "
        "(the committed notebooks are not modified), or, with --inplace, regenerate the "
        "committed notebooks as nbval references.",
    )
    parser.add_argument(
        "paths", nargs="*", type=Path,
        help="with --inplace: the notebooks to regenerate (default: all under --notebooks)",
    )
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="notebook folder (default: <project>/notebooks)")
    parser.add_argument("--out", type=Path, default=None,
                        help="reports folder (default: <project>/reports)")
    parser.add_argument("--findings", action="store_true",
                        help="open the index page with the findings table (needs the data)")
    parser.add_argument("--inplace", action="store_true",
                        help="re-execute notebooks in place and normalise their metadata")
    parser.add_argument("--timeout", type=int, default=CELL_TIMEOUT,
                        help=f"seconds per cell (default {CELL_TIMEOUT})")
    parser.add_argument("--startup-timeout", type=int, default=STARTUP_TIMEOUT,
                        help=f"seconds for the kernel to start (default {STARTUP_TIMEOUT})")
    args = parser.parse_args(argv)
    if args.paths and not args.inplace:
        parser.error("notebook paths are only accepted with --inplace")
    notebook_dir = args.notebooks or paths.project_root() / "notebooks"

    def say(line: str) -> None:
        print(f"[report] {line}", file=sys.stderr, flush=True)

    if args.inplace:
        targets = args.paths or find_notebooks(notebook_dir, include_templates=False)
        if not targets:
            say(f"no notebooks under {notebook_dir}")
        failures = 0
        for number, target in enumerate(targets, start=1):
            say(f"[{number}/{len(targets)}] {target}: executing in place ...")
            result = regenerate_notebook(
                target, timeout=args.timeout, startup_timeout=args.startup_timeout
            )
            if result.error:
                failures += 1
                say(f"[{number}/{len(targets)}] {target}: FAILED, file left unchanged: "
                    f"{result.error}")
            else:
                say(f"[{number}/{len(targets)}] {target}: {result.status} "
                    f"({result.seconds:.1f} s), rewritten")
                failures += not result.clean
        return 1 if failures else 0

    reports_dir = args.out or paths.reports_dir()
    findings_section = None
    if args.findings:
        from insights.nbtools.findings import (
            findings_html,
            other_results,
            price_results,
            primary_results,
        )

        say("computing the findings table (primary specifications of docs/analysis-plan.md)")
        findings_section = findings_html(primary_results(), price_results(), other_results())
    reports = render_all(notebook_dir, reports_dir, timeout=args.timeout,
                         startup_timeout=args.startup_timeout, progress=say,
                         findings=findings_section)
    clean = sum(report.clean for report in reports)
    say(f"{clean} of {len(reports)} notebooks ran cleanly; index: {reports_dir / 'index.html'}")
    return 0 if clean == len(reports) else 1


@functools.cache
def current_env_kernel_manager_class() -> type:
    """Return a kernel manager class whose kernels are ipykernel in ``sys.executable``.

    Whatever kernel a notebook's metadata names, and whatever kernelspecs the machine has,
    kernels started by this manager run in the Python (and so the packages) of this process:
    used by :func:`execute` and by papermill in ``insights report``.
    """
    import zmq
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class CurrentEnvKernelSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
            return KernelSpec(
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name=KERNELSPEC["display_name"],
                language=KERNELSPEC["language"],
                resource_dir="",
                metadata={"supported_encryption": ["curve"]},
            )

    class CurrentEnvKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _current_env_specs(self) -> KernelSpecManager:
            return CurrentEnvKernelSpecs(data_dir=self.data_dir)

        @default("transport_encryption")
        def _encrypt_when_possible(self) -> str:
            # ipykernel supports CurveZMQ; encrypting the local sockets also avoids its
            # "running over TCP without encryption" warning on every start.
            return "auto" if zmq.has("curve") else "disabled"

    return CurrentEnvKernelManager


def _describe(exc: BaseException) -> str:
    ename = getattr(exc, "ename", None)
    evalue = getattr(exc, "evalue", None)
    if ename:
        text = f"{ename}: {evalue}" if evalue else str(ename)
    else:
        lines = [line for line in str(exc).splitlines() if line.strip()]
        text = f"{type(exc).__name__}: {lines[-1] if lines else ''}".rstrip(": ")
    return _ANSI.sub("", text)


def _has_stderr(nb: nbformat.NotebookNode) -> bool:
    return any(
        output.get("output_type") == "stream" and output.get("name") == "stderr"
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    )


def _cell_source(cell: nbformat.NotebookNode) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


if __name__ == "__main__":
    raise SystemExit(main())
