"""``build_report``: an analyst's export in, a client report (HTML) out.

Steps (each announced through ``progress``):

1. read, map and clean the file (:mod:`insights.ingest.intake`); a problem with the file stops
   here with :class:`ReportError` (``status`` 2) and nothing is written;
2. write the cleaned table, the cleaning log and the options to ``<out>_files/inputs/``
   (:func:`insights.reporting.inputs.write_inputs`);
3. run the template notebook (package data: ``insights/reporting/templates/client-report.ipynb``,
   or ``roster-report.ipynb`` for a file without engagement counts, :func:`template_path`)
   on them with `papermill <https://papermill.readthedocs.io>`_, the well-kept notebook executor
   that injects parameters and shows a progress bar per cell; the executed notebook (with its
   code) is kept as ``<out>_files/report.ipynb`` for audit, the kernel's own log (its stderr) as
   ``<out>_files/kernel.log``. The kernel is started before step 1 and imports the scientific
   stack while this process reads and cleans the file (:func:`_early_kernel`): on two cores
   the two overlap, so its start and imports (3-5 s) cost a small report almost nothing;
4. render it to ``<out>`` (:func:`insights.reporting.document.render`: nbconvert's ``basic``
   template, code left out, figures embedded, the package's style sheet inline: a page that
   loads nothing from anywhere); the client tables (spreadsheet-safe CSV and Excel) go to
   ``<out>_files/tables/``;
5. with ``pdf=True``, print it to ``<out stem>.pdf`` with headless Chromium
   (:mod:`insights.reporting.pdf`).

Output is all or nothing. Before any work a lock ``.<out name>.lock`` is taken beside
``<out>`` (a second run to the same ``<out>`` stops with one line; a lock left by a killed run is
taken over), which also checks that the folder is writable. Every file is written into a hidden
folder beside ``<out>`` and moved into place only when the report is complete; on an error or
Ctrl-C that folder is removed, and an earlier report at ``<out>`` is left as it was. When the
analysis fails, the partial notebook is kept as ``<out stem>-failed.ipynb``.

The input file is only ever read. The command line (:mod:`insights.reporting.cli`) is a thin
layer over :func:`build_report`; a notebook or a script can call it directly::

    from insights.reporting import build_report
    build_report("creators.csv", out="acme.html", platform="instagram")
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import shutil
import sys
import time
from collections.abc import Callable, Mapping
from importlib import resources
from pathlib import Path

__all__ = ["ReportError", "build_report", "template_path", "DEFAULT_SEED", "DEFAULT_TITLE",
           "TEMPLATES"]

#: The bootstrap seed used unless the caller gives one (reports rerun identically).
DEFAULT_SEED = 20261122
#: The cover's title unless the caller gives one ("Roster report" for a file without
#: engagement counts).
DEFAULT_TITLE = "Engagement report"


class ReportError(Exception):
    """The report could not be built; ``status`` 2 = a problem with the input or an option
    (nothing was analysed), 1 = the analysis failed (the partial notebook is kept)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


#: The template notebook for each mode of a cleaned file (:data:`insights.ingest.intake.MODES`).
TEMPLATES = {"engagement": "client-report.ipynb", "revenue": "roster-report.ipynb",
             "roster": "roster-report.ipynb"}


def template_path(mode: str = "engagement") -> Path:
    """The template notebook shipped with the package for a file of this ``mode``: the
    client report (engagement), or the roster report (followers only, or revenue without
    engagement).

    Examples
    --------
    >>> template_path().name, template_path("roster").name
    ('client-report.ipynb', 'roster-report.ipynb')
    >>> template_path().is_file() and template_path("revenue").is_file()
    True
    """
    return Path(str(resources.files("insights.reporting").joinpath(
        "templates", TEMPLATES[mode])))


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
    header_row: int | None = None,
    decimal: str | None = None,
    seed: int = DEFAULT_SEED,
    resamples: int = 1000,
    title: str | None = None,
    client: str | None = None,
    pdf: bool = False,
    template: str | os.PathLike | None = None,
    progress: Callable[[str], None] = _quiet,
    progress_bar: bool = False,
    engine: str = "auto",
    workers: int | None = None,
    scheduler: str | None = None,
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
    header_row : int, optional
        Line (or sheet row) of the header, from 1 (default: detected past titles and notes).
    decimal : {".", ","}, optional
        Decimal mark of the file's numbers (default: detected).
    seed, resamples : int
        Bootstrap seed and resamples per interval (at least 100).
    title, client : str, optional
        The cover's title (default "Engagement report") and "prepared for" line (default:
        none).
    pdf : bool
        Also write ``<out stem>.pdf``, the same document printed by headless Chromium
        (:mod:`insights.reporting.pdf`); a missing browser is found before any work.
    template : path-like, optional
        Another template notebook (default :func:`template_path` of the file's mode: the
        client report, or the roster report for a file without engagement counts).
    progress : callable, optional
        Receives one line per step (default: silent).
    progress_bar : bool
        Show papermill's per-cell progress bar on stderr (and Dask's, for a file read in
        blocks on threads).
    engine : {"auto", "pandas", "dask"}
        ``pandas``: read the file whole. ``dask``: read a posts file in blocks
        (:mod:`insights.reporting.large`; a Parquet folder, glob or file, or a large CSV/TSV/
        JSON-lines file), so that it need not fit in memory. ``auto`` (default): ``dask`` for
        a folder, a glob, a Parquet file or a file above 1 GB
        (:func:`insights.ingest.blocks.is_large`), announced; else ``pandas``.
    workers, scheduler : optional
        With the block engine: a local Dask cluster of ``workers`` processes, or the Dask
        cluster at ``scheduler`` (default: threads in this process).

    Raises
    ------
    ReportError
        With ``status`` 2 for a problem with the file or an argument, 1 when the analysis
        notebook failed.
    """
    source = Path(path)
    stem = source.parent.name if any(ch in source.name for ch in "*?[") else source.stem
    out = Path(out) if out is not None else Path.cwd() / f"{stem}-report.html"
    if source.exists() and out.resolve() == source.resolve():  # before the suffix is fixed
        raise ReportError(f"out {out} is the input file itself; the input is never written", 2)
    out = out if out.suffix.lower() in (".html", ".htm") else out.with_suffix(".html")
    files = out.with_name(out.stem + "_files")
    template = Path(template) if template is not None else None
    if resamples < 100:
        raise ReportError(f"resamples {resamples}: use at least 100", 2)
    if source.exists() and source.resolve().is_relative_to(files.resolve()):
        raise ReportError(f"the input lies inside {files}, which the report writes; move it", 2)
    if template is not None and not template.is_file():
        raise ReportError(f"template notebook not found: {template}", 2)

    if engine not in ("auto", "pandas", "dask"):
        raise ReportError(f"engine {engine!r}: choose auto, pandas or dask", 2)
    if engine == "auto":
        from insights.ingest.blocks import is_large

        engine = "dask" if is_large(path) else "pandas"
        if engine == "dask":
            progress("      a folder, a glob, a Parquet file or a file above 1 GB: read in "
                     "blocks (--engine dask; --engine pandas to read it whole)")
    if engine == "pandas" and (workers is not None or scheduler is not None):
        raise ReportError("--workers and --scheduler belong to the block engine: add "
                          "--engine dask", 2)
    if workers is not None and scheduler is not None:
        raise ReportError("give --workers (a local cluster) or --scheduler (an existing one), "
                          "not both", 2)
    if workers is not None and workers < 1:
        raise ReportError(f"--workers {workers}: give at least 1", 2)
    if engine == "dask" and (sheet is not None or header_row is not None):
        raise ReportError("--sheet and --header-row are for a file read whole (--engine "
                          "pandas); a file read in blocks has its header on line 1", 2)
    if out.is_dir():
        raise ReportError(f"out {out} is a folder; give a file name such as {out / 'report.html'}",
                          2)
    if title is not None and not title.strip():
        raise ReportError("--title is empty; give the report a title or leave the option out", 2)
    client = " ".join((client or "").split())
    browser = None
    if pdf:
        from insights.reporting import pdf as printing

        try:
            browser = printing.find_browser()
        except printing.BrowserMissing as exc:
            raise ReportError(f"--pdf: {exc}", 2) from None
    steps = 5 if pdf else 4

    start = time.perf_counter()
    with _locked(out), _staging(out) as stage, _early_kernel(stage / files.name) as kernel:
        staged_files = stage / files.name
        options = {"scheme": scheme, "pricing": pricing, "seed": seed, "resamples": resamples}
        if engine == "dask":
            mode = _prepare_large(source, staged_files / "inputs", stage / "blocks", start,
                                  steps, progress=progress, mapping=mapping, platform=platform,
                                  level=level, encoding=encoding, decimal=decimal,
                                  options=options, workers=workers, scheduler=scheduler,
                                  progress_bar=progress_bar)
        else:
            mode = _prepare(source, staged_files / "inputs", start, steps, progress=progress,
                            mapping=mapping, platform=platform, level=level, encoding=encoding,
                            sheet=sheet, header_row=header_row, decimal=decimal,
                            options=options)
        title = " ".join(title.split()) if title else (
            DEFAULT_TITLE if mode == "engagement" else "Roster report")
        if template is None:
            template = template_path(mode)
            if mode != "engagement":
                progress(f"      no engagement column: a roster report"
                         f"{' with revenue per follower' if mode == 'revenue' else ''}")

        progress(f"[3/{steps}] running the analysis notebook (papermill)")
        # Paths relative to the notebook's folder, so the kept notebook reruns where it lies.
        executed = _execute(template, staged_files / "report.ipynb", kernel,
                            progress_bar=progress_bar,
                            failed=out.with_name(out.stem + "-failed.ipynb"), parameters={
                                "WORKDIR": "inputs", "EXPORT_DIR": "tables", "SCHEME": scheme,
                                "PRICING": pricing, "SEED": seed, "N_RESAMPLES": resamples,
                                "TITLE": title, "CLIENT": client,
                            })

        progress(f"[4/{steps}] rendering {out.name}")
        from insights.reporting.document import render

        render(executed, stage / out.name, title=f"{title}: {source.name}")
        printed = out.with_suffix(".pdf")
        if pdf:
            progress(f"[5/{steps}] printing {printed.name} (headless Chromium)")
            try:
                printing.print_pdf(stage / out.name, stage / printed.name, browser=browser)
            except printing.PrintError as exc:
                raise ReportError(f"--pdf: {exc}", 1) from None
        _publish(stage, out, files, printed if pdf else None)
    written = f"{out} ({out.stat().st_size / 1024:,.0f} KiB)"
    if pdf:
        written += f", {printed.name} ({printed.stat().st_size / 1024:,.0f} KiB)"
    progress(f"wrote {written} and {files.name}/ in {time.perf_counter() - start:.1f} s")
    return out


def _lock_owner(lock: Path) -> int | None:
    try:
        return int(lock.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


@contextlib.contextmanager
def _locked(out: Path):
    """Hold ``.<out name>.lock`` beside ``out`` while the report is built: a second run to
    the same ``out`` stops with one line instead of overwriting this one. A lock left by a
    process that no longer runs (killed) is taken over. Creating it is also the check that
    ``out``'s folder is writable, before any work."""
    made = [folder for folder in [out.parent, *out.parent.parents] if not folder.exists()]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot create the folder of --out {out}: "
                          f"{exc.strerror or exc}", 2) from None
    lock = out.with_name(f".{out.name}.lock")
    claim = out.with_name(f".{out.name}.lock.{os.getpid()}")
    try:
        try:  # the lock appears with its owner written: os.link is atomic and exclusive
            claim.write_text(str(os.getpid()), encoding="ascii")
            _take(lock, claim, out)
        except OSError as exc:
            raise ReportError(f"cannot write to {out.parent}: {exc.strerror or exc}",
                              2) from None
        finally:
            claim.unlink(missing_ok=True)
        try:
            yield lock
        finally:
            if _lock_owner(lock) == os.getpid():
                lock.unlink(missing_ok=True)
    finally:
        for folder in made:  # folders made for a report that was never written go again
            with contextlib.suppress(OSError):
                folder.rmdir()  # only if empty: a finished report stays


def _link_or_create(claim: Path, lock: Path) -> None:
    """Create ``lock`` holding ``claim``'s content, failing if it exists: a hard link where
    the file system has them, else an exclusive create (a brief window with no content)."""
    try:
        os.link(claim, lock)
    except FileExistsError:
        raise
    except OSError:  # no hard links here
        descriptor = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(claim.read_text(encoding="ascii"))


def _take(lock: Path, claim: Path, out: Path) -> None:
    for _ in range(2):
        try:
            _link_or_create(claim, lock)
            return
        except FileExistsError:
            owner = _lock_owner(lock)
            if owner is not None and owner != os.getpid() and _alive(owner):
                raise ReportError(
                    f"another insights report (process {owner}) is writing {out}; wait for it "
                    f"to finish or choose another --out (lock: {lock})", 2) from None
            lock.unlink(missing_ok=True)  # left by a run that no longer exists
    raise ReportError(f"could not take the lock {lock}; remove it if no report is running", 2)


@contextlib.contextmanager
def _staging(out: Path):
    """A hidden folder beside ``out`` that receives everything; removed at the end, whether
    the run succeeded, failed or was interrupted, so no half-written report is ever left."""
    import tempfile

    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{out.stem}-", suffix=".partial", dir=out.parent))
    except OSError as exc:
        raise ReportError(f"cannot write to {out.parent}: {exc.strerror or exc}", 2) from None
    try:
        yield stage
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _publish(stage: Path, out: Path, files: Path, printed: Path | None = None) -> None:
    """Move the finished report into place: the folder by two renames (the old one aside
    first), the HTML and the PDF each by one atomic replace."""
    if files.exists():
        os.replace(files, stage / (files.name + ".previous"))
    os.replace(stage / files.name, files)
    if printed is not None:
        os.replace(stage / printed.name, printed)
    os.replace(stage / out.name, out)


def _prepare(source: Path, inputs: Path, start: float, steps: int, *, progress, mapping,
             platform, level, encoding, sheet, header_row, decimal, options: dict) -> str:
    """Steps 1 and 2: read, map and clean the file, then write the notebook's inputs; return
    the file's mode (:data:`insights.ingest.intake.MODES`)."""
    from insights.ingest import intake
    from insights.reporting.inputs import write_inputs

    progress(f"[1/{steps}] reading {source.name}")
    try:
        raw = intake.read_table(source, encoding=encoding, sheet=sheet, header_row=header_row)
        progress(f"      {len(raw.frame):,} rows, {raw.frame.shape[1]} columns "
                 f"({raw.format}{', ' + raw.encoding if raw.encoding else ''})")
        colmap = intake.map_columns(raw.frame.columns, dict(mapping or {}), raw.frame)
        cleaned = intake.clean(raw, colmap, level=level, platform=platform, decimal=decimal)
    except intake.InputError as exc:
        raise ReportError(str(exc), 2) from None
    for row in colmap.table().itertuples():
        progress(f"      {row.field:<12} <- {row.column!r} ({row.how})")
    counts = cleaned.log.steps()
    progress(f"      {cleaned.level}: {cleaned.level_reason}; {len(cleaned.table):,} rows "
             f"kept, {counts['dropped'].sum():,} dropped, {counts['repaired'].sum():,} values "
             f"repaired ({time.perf_counter() - start:.1f} s)")
    progress(f"[2/{steps}] writing the cleaned inputs (to {inputs.parent.name}/{inputs.name}/ "
             "when the report is complete)")
    generated = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    write_inputs(cleaned, inputs, extra={"generated": generated, **options})
    return cleaned.mode


def _prepare_large(source: Path, inputs: Path, scratch: Path, start: float, steps: int, *,
                   progress, mapping, platform, level, encoding, decimal, options: dict,
                   workers, scheduler, progress_bar) -> str:
    """Steps 1 and 2 for a posts file read in blocks (:mod:`insights.reporting.large`)."""
    from insights.ingest import intake
    from insights.reporting import large

    progress(f"[1/{steps}] reading {source.name} in blocks (Dask)")
    generated = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    try:
        with large.dask_engine(workers=workers, scheduler=scheduler,
                               progress_bar=progress_bar, say=progress):
            return large.prepare_large(source, inputs, scratch, progress=progress,
                                       mapping=mapping, platform=platform, level=level,
                                       encoding=encoding, decimal=decimal, options=options,
                                       generated=generated, steps=steps, start=start)
    except intake.InputError as exc:
        raise ReportError(str(exc), 2) from None


#: What the kernel imports while the command reads and cleans the file: the templates' imports
#: (:func:`_early_kernel`). Importing is all it does; the notebook imports them again (free).
_WARM_UP = ("import matplotlib.pyplot, numpy, pandas, IPython.display\n"
            "import insights.plotting, insights.references, insights.stats\n"
            "import insights.reporting.analyses, insights.reporting.document")


class _Kernel:
    """A kernel started early (:func:`_early_kernel`): its manager, and the request that
    imports the scientific stack in it."""

    def __init__(self, manager) -> None:
        self.manager, self.client, self.request = manager, None, ""

    def ready(self, timeout: float = 120.0) -> None:
        """Wait until the kernel has answered the warm-up request (or died, or ``timeout``
        seconds passed: the notebook's own run then reports what is wrong)."""
        import queue

        if self.client is None:
            return
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                try:
                    reply = self.client.get_shell_msg(timeout=1.0)
                except queue.Empty:
                    if not _run(self.manager.is_alive()):
                        return
                    continue
                if reply.get("parent_header", {}).get("msg_id") == self.request:
                    return
        finally:
            self.client.stop_channels()
            self.client = None

    def shutdown(self) -> None:
        """Stop the kernel at once (the notebook has run, nothing in the kernel is kept) and
        close every client's channels."""
        for client in self.manager.clients:
            client.stop_channels()
        self.manager.clients = []
        if self.manager.has_kernel:
            _run(self.manager.shutdown_kernel(now=True))


def _run(awaitable):
    """Wait for a kernel manager's coroutine, as nbclient does (jupyter_core's ``run_sync``:
    this thread's event loop, or a helper thread when a loop already runs here, such as in a
    notebook that calls :func:`build_report`)."""
    from jupyter_core.utils import run_sync

    return run_sync(_awaited)(awaitable)


async def _awaited(awaitable):
    return await awaitable


@contextlib.contextmanager
def _early_kernel(folder: Path):
    """Start the analysis kernel in ``folder`` now and have it import the scientific stack
    (:data:`_WARM_UP`) while this process reads and cleans the file: the two overlap, which
    saves the kernel's start and imports (3-5 s) on every report. The kernel is stopped on the
    way out, whatever happened. Its stderr goes to ``folder/kernel.log``."""
    folder.mkdir(parents=True, exist_ok=True)
    env_backend = os.environ.pop("MPLBACKEND", None)  # keep figures inline in the kernel
    with open(folder / "kernel.log", "w") as log:
        manager = _logged_kernel_manager(log)(kernel_name="python3")
        try:
            _run(manager.start_kernel(cwd=str(folder)))
        finally:
            if env_backend is not None:
                os.environ["MPLBACKEND"] = env_backend
        kernel = _Kernel(manager)
        try:
            kernel.client = manager.blocking_client()
            # the shell channel alone: the warm-up's reply comes there (no heartbeat thread
            # that could still be opening its socket when a bad file stops everything at once)
            kernel.client.start_channels(iopub=False, stdin=False, hb=False, control=False)
            # sent now; the kernel runs it as soon as it is up, while the file is cleaned
            kernel.request = kernel.client.execute(_WARM_UP, silent=True, store_history=False)
            yield kernel
        finally:
            if kernel.client is not None:
                kernel.client.stop_channels()
            kernel.shutdown()


def _logged_kernel_manager(log) -> type:
    """The current environment's kernel manager, with the kernel's own stderr (its log lines,
    and its tracebacks when Ctrl-C interrupts it) written to ``log`` instead of the terminal,
    where the command prints one line per error. The notebook keeps every error of a cell.

    It remembers the clients it hands out (``clients``): nbclient leaves its client's channels
    open when the manager is not its own, and :meth:`_Kernel.shutdown` closes them (five
    sockets and a thread per report otherwise, until a long session runs out of files)."""
    from insights.nbtools.notebooks import current_env_kernel_manager_class

    base = current_env_kernel_manager_class()

    class LoggedKernelManager(base):
        clients: list = []

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw["stderr"] = log
            return await super()._async_launch_kernel(kernel_cmd, **kw)

        def client(self, **kw):
            made = super().client(**kw)
            self.clients = [*self.clients, made]
            return made

    return LoggedKernelManager


def _execute(template: Path, notebook: Path, kernel: _Kernel, *, progress_bar: bool,
             failed: Path, parameters: dict):
    """Run the template with papermill in the kernel started early (:func:`_early_kernel`),
    then stop the kernel."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    notebook.parent.mkdir(parents=True, exist_ok=True)
    from nbconvert import HTMLExporter  # noqa: F401 - imported while the kernel still warms up,
    # for the rendering step after it (about 1 s)

    kernel.ready()
    try:
        with contextlib.redirect_stdout(sys.stderr):
            papermill.execute_notebook(
                str(template), str(notebook), parameters=parameters,
                progress_bar=progress_bar, kernel_name="python3", km=kernel.manager,
                cwd=str(notebook.parent), log_output=False, request_save_on_cell_execute=False,
            )
    except PapermillExecutionError as exc:
        if exc.ename == "KeyboardInterrupt":  # Ctrl-C reached the kernel first
            raise KeyboardInterrupt from None
        shutil.copyfile(notebook, failed)
        raise ReportError(
            f"the analysis failed in cell {exc.exec_count}: {exc.ename}: "
            f"{' '.join(str(exc.evalue).split())} (the partial notebook is {failed})", 1
        ) from None
    finally:
        kernel.shutdown()
    return nbformat.read(notebook, as_version=4)
