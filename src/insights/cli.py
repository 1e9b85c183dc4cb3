"""The ``insights`` command: ``insights report FILE`` turns an export into an HTML report.

Steps (each announced on stderr, unless ``--quiet``):

1. read, map and clean the file (:mod:`insights.ingest.intake`); problems with the file stop here
   with a one-line message and exit status 2;
2. write the cleaned table, the cleaning log and the options to ``<out>_files/inputs/``
   (:func:`insights.clientreport.write_inputs`);
3. run the template notebook ``notebooks/templates/client-report.ipynb`` on them with
   `papermill <https://papermill.readthedocs.io>`_, the well-kept notebook executor that
   injects parameters and shows a progress bar per cell; the executed notebook (with its
   code) is kept as ``<out>_files/report.ipynb`` for audit;
4. render it to ``<out>`` with nbconvert, code cells left out, figures embedded; the client
   tables (spreadsheet-safe CSV and Excel) go to ``<out>_files/tables/``.

The input file is only ever read. Errors are one line on stderr, never a traceback
(``--debug`` shows it).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from insights import paths, pricing

__all__ = ["TEMPLATE", "build_parser", "main", "report"]

#: The template notebook, relative to the project root.
TEMPLATE = Path("notebooks") / "templates" / "client-report.ipynb"

_DESCRIPTION = """\
insights: test influencer-marketing claims on real data.

Commands:
  report   turn a creator list or post export into a client-ready HTML report
"""
_EPILOG = """\
examples:
  insights report creators.csv
  insights report posts.xlsx --out acme-q3.html --platform tiktok
  insights report --help          (every option of the report command)
"""
_REPORT_DESCRIPTION = """\
Read PATH (CSV, TSV, TXT, Excel .xlsx, JSON or JSON lines; the text encoding is detected),
recognise its columns (handle, followers, likes, comments, shares, views, fee, revenue,
posting date, ...) from the alias table insights/data/column_aliases.tsv, decide whether rows
are posts or creators, clean it with a log of every repaired or dropped row, and write an HTML
report: summary of findings, data quality, C1 (engagement elasticity with CI and figure),
engagement rate by tier with CIs, C2 (cost per engagement under pricing models, or the file's
own ROI/ROAS/CPE by tier when it has fee and revenue columns), and a methods appendix.

Beside the report, OUT_files/ holds the executed notebook (with its code), the cleaned inputs,
and tables/ (CSV and Excel, safe to open in a spreadsheet). PATH is never modified.
"""
_REPORT_EPILOG = """\
examples:
  insights report creators.csv
      report next to where you are, as creators-report.html
  insights report export.xlsx --out acme.html --platform instagram
      an Excel export; every row is an Instagram creator
  insights report posts.csv --map followers="Fans (total)" --map creator=Account
      name columns the alias table does not know
  insights report list.csv --scheme micro-10k-500k --pricing klear-2019
      "micro" = 10k-500k followers; fees from the Klear 2019 price table
  insights report campaign.csv
      with fee and revenue columns: actual ROI, ROAS and CPE by tier

exit status: 0 report written; 2 a problem with the file or the options (one line on stderr);
1 the analysis failed (the partial notebook is kept for inspection).
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like the command's other errors."""

    def error(self, message: str) -> None:
        self.exit(2, f"insights: error: {message} (see: {self.prog} --help)\n")


class _Formatter(argparse.RawDescriptionHelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30, width=96)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``insights`` command."""
    from insights import schemas, tiers
    from insights.ingest import intake

    parser = _Parser(
        prog="insights", description=_DESCRIPTION, epilog=_EPILOG, formatter_class=_Formatter
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    rep = commands.add_parser(
        "report", help="turn an export into a client-ready HTML report",
        description=_REPORT_DESCRIPTION, epilog=_REPORT_EPILOG, formatter_class=_Formatter,
    )
    rep.add_argument("path", metavar="PATH", help="the export to analyse (read only)")
    rep.add_argument(
        "--out", metavar="FILE.html", type=Path,
        help="where to write the report (default: PATH's name + '-report.html' in the current "
        "folder); the folder FILE_files/ is written beside it. Example: --out acme.html",
    )
    rep.add_argument(
        "--platform", choices=schemas.PLATFORMS, metavar="NAME",
        help=f"platform of every row when the file has no platform column: "
        f"{', '.join(schemas.PLATFORMS)} (default: other). Example: --platform tiktok",
    )
    rep.add_argument(
        "--map", action="append", default=[], metavar="FIELD=COLUMN",
        help="use COLUMN of the file for FIELD, beating the alias table; repeat for several. "
        f"Fields: {', '.join(intake.FIELDS)}. Example: --map followers='Fans (total)'",
    )
    rep.add_argument(
        "--scheme", default="industry", choices=sorted(tiers.SCHEMES), metavar="NAME",
        help=f"follower tiers: {', '.join(sorted(tiers.SCHEMES))} (default: industry = nano "
        "1k-10k, micro 10k-100k, mid 100k-500k, macro 500k-1M, mega 1M+). "
        "Example: --scheme micro-10k-500k",
    )
    rep.add_argument(
        "--pricing", default="all", metavar="NAME",
        choices=["all", *pricing.pricing_models()],
        help="pricing model for C2 when the file has no fees: all (default: every model, the "
        f"verdict is 'depends' when they disagree) or one of {', '.join(pricing.pricing_models())}"
        ". Example: --pricing rate-card",
    )
    rep.add_argument(
        "--level", choices=["posts", "creators"],
        help="treat rows as posts or as creators (default: detected; a handle on several rows "
        "means posts). Example: --level posts",
    )
    rep.add_argument("--encoding", metavar="NAME",
                     help="text encoding of PATH (default: detected). Example: --encoding cp1252")
    rep.add_argument("--sheet", metavar="NAME",
                     help="Excel sheet to read (default: the first). Example: --sheet Creators")
    rep.add_argument("--seed", type=int, default=20261122,
                     help="seed of the bootstrap, for identical reruns (default: %(default)s)")
    rep.add_argument("--resamples", type=int, default=1000, metavar="N",
                     help="bootstrap resamples per interval (default: %(default)s)")
    rep.add_argument("--template", type=Path, metavar="NOTEBOOK",
                     help=f"template notebook (default: {TEMPLATE} of the insights checkout)")
    rep.add_argument("--quiet", action="store_true", help="no progress messages")
    rep.add_argument("--debug", action="store_true",
                     help="show the Python traceback of an unexpected error")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``insights`` console command; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        report(args)
    except _Failure as exc:
        print(f"insights: error: {exc}", file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        print("insights: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        text = " ".join(str(exc).split()) or type(exc).__name__
        print(f"insights: internal error: {type(exc).__name__}: {text} "
              "(rerun with --debug for the traceback)", file=sys.stderr)
        return 1
    return 0


class _Failure(Exception):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


def _say(args, message: str) -> None:
    if not args.quiet:
        print(message, file=sys.stderr, flush=True)


def report(args: argparse.Namespace) -> Path:
    """Run ``insights report`` with parsed arguments; returns the HTML path."""
    source = Path(args.path)
    out = args.out or Path.cwd() / f"{source.stem}-report.html"
    if source.exists() and out.resolve() == source.resolve():  # before the suffix is fixed
        raise _Failure(f"--out {out} is the input file itself; the input is never written", 2)
    out = out if out.suffix.lower() in (".html", ".htm") else out.with_suffix(".html")
    files = out.with_name(out.stem + "_files")
    template = args.template or paths.project_root() / TEMPLATE
    if args.resamples < 100:
        raise _Failure(f"--resamples {args.resamples}: use at least 100", 2)
    if source.exists() and source.resolve().is_relative_to(files.resolve()):
        raise _Failure(f"the input lies inside {files}, which the report writes; move it", 2)
    if not template.is_file():
        raise _Failure(f"template notebook not found: {template} (run insights from its "
                       "source checkout, or pass --template)", 2)

    start = time.perf_counter()
    inputs = files / "inputs"
    tables = files / "tables"
    _prepare(args, source, inputs, start)  # the cleaned table is on disk and freed here

    _say(args, "[3/4] running the analysis notebook (papermill)")
    notebook = files / "report.ipynb"
    executed = _execute(template, notebook, args, parameters={
        "WORKDIR": str(inputs.resolve()), "EXPORT_DIR": str(tables.resolve()),
        "SCHEME": args.scheme, "PRICING": args.pricing, "SEED": args.seed,
        "N_RESAMPLES": args.resamples,
    })

    _say(args, f"[4/4] rendering {out.name}")
    from insights.nbtools.notebooks import render_html

    render_html(executed, out, title=f"Engagement report: {source.name}", hide_code=True)
    _say(args, f"wrote {out} ({out.stat().st_size / 1024:,.0f} KiB) and {files.name}/ in "
               f"{time.perf_counter() - start:.1f} s")
    return out


def _prepare(args, source: Path, inputs: Path, start: float) -> None:
    """Steps 1 and 2: read, map and clean the file, then write the notebook's inputs."""
    from insights import clientreport
    from insights.ingest import intake

    _say(args, f"[1/4] reading {source.name}")
    try:
        mapping = intake.parse_map_options(args.map)
        raw = intake.read_table(source, encoding=args.encoding, sheet=args.sheet)
        _say(args, f"      {len(raw.frame):,} rows, {raw.frame.shape[1]} columns "
                   f"({raw.format}{', ' + raw.encoding if raw.encoding else ''})")
        colmap = intake.map_columns(raw.frame.columns, mapping)
        cleaned = intake.clean(raw, colmap, level=args.level, platform=args.platform)
    except intake.InputError as exc:
        raise _Failure(str(exc), 2) from None
    for row in colmap.table().itertuples():
        _say(args, f"      {row.field:<12} <- {row.column!r} ({row.how})")
    steps = cleaned.log.steps()
    _say(args, f"      {cleaned.level}: {cleaned.level_reason}; {len(cleaned.table):,} rows "
               f"kept, {steps['dropped'].sum():,} dropped, {steps['repaired'].sum():,} values "
               f"repaired ({time.perf_counter() - start:.1f} s)")
    _say(args, f"[2/4] writing the cleaned inputs to {inputs}")
    generated = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    clientreport.write_inputs(cleaned, inputs, extra={
        "generated": generated, "scheme": args.scheme, "pricing": args.pricing,
        "seed": args.seed, "resamples": args.resamples,
    })


def _execute(template: Path, notebook: Path, args, *, parameters: dict):
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
                progress_bar=not args.quiet, kernel_name="python3",
                kernel_manager_class=current_env_kernel_manager_class(),
                cwd=str(notebook.parent), log_output=False, request_save_on_cell_execute=False,
            )
    except PapermillExecutionError as exc:
        raise _Failure(
            f"the analysis failed in cell {exc.exec_count}: {exc.ename}: "
            f"{' '.join(str(exc.evalue).split())} (the partial notebook is {notebook})", 1
        ) from None
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    return nbformat.read(notebook, as_version=4)


if __name__ == "__main__":
    raise SystemExit(main())
