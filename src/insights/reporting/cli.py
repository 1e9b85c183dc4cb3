"""The ``insights`` command line: argument parsing over :func:`insights.reporting.build_report`.

``insights report FILE`` turns an export into an HTML report. This module only parses the
options, prints progress on stderr (unless ``--quiet``) and turns errors into one line and an
exit status: 0 report written; 2 a problem with the file or an option; 1 the analysis failed
(the partial notebook is kept); 130 interrupted. ``--debug`` shows the traceback of an
unexpected error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from insights.reporting.build import DEFAULT_SEED, DEFAULT_TITLE, ReportError, build_report

__all__ = ["build_parser", "main", "report"]

_DESCRIPTION = """\
insights: test influencer-marketing claims on real data.

Commands:
  report   turn a creator list or post export into a client-ready HTML report
  convert  clean a large post export once into a folder of canonical Parquet files
"""
_EPILOG = """\
examples:
  insights report creators.csv
  insights report posts.xlsx --out acme-q3.html --platform tiktok
  insights convert crawl-*.csv --to crawl/
  insights report --help          (every option of the report command)
"""
_REPORT_DESCRIPTION = """\
Read PATH (CSV, TSV, TXT, Excel .xlsx, JSON or JSON lines; the text encoding is detected),
recognise its columns (handle, followers, likes, comments, shares, views, fee, revenue,
posting date, ...) from the alias table insights/data/column_aliases.tsv, decide whether rows
are posts or creators, clean it with a log of every repaired or dropped row, and write an HTML
report: a cover, a three-sentence executive summary, the findings with their verdicts, data
quality in one paragraph, C1 (engagement elasticity with CI and figure), engagement rate by tier,
every creator against the typical creator of their size (shrunk rates with intervals), the
roster's tier mix, C2 (cost per engagement under pricing models, or the file's own ROI/ROAS/CPE
by tier when it has fee and revenue columns), and appendices (methods, cleaning log, software).
The page is self-contained (it loads nothing); --pdf prints the same document to a PDF.

PATH may also be a posts export too large for memory: a folder of Parquet files, a glob
('crawl/*.parquet'), a Parquet file, or a CSV/TSV/JSON-lines file above 1 GB. It is then read
in blocks with Dask (--engine dask, chosen automatically and announced): each block cleaned
by the same rules, C1 fitted from sums over the blocks, one row per creator from a group-by;
the report is the same as for the file read whole (the figures draw a sample of posts; the
cleaning log counts every event and keeps up to 100 per step).

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
  insights report roster.xlsx --title "Q3 roster" --client "Acme Ltd" --pdf
      a cover for the client, and roster.pdf beside roster-report.html
  insights report crawl/ --engine dask --workers 2
      a folder of Parquet files, read in blocks on a local cluster of 2 worker processes

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


_CONVERT_DESCRIPTION = """\
Read one or more post exports of one kind (CSV, TSV, JSON lines or Parquet; files, folders or
globs) in blocks, clean every block by the rules of 'insights report' (the same column
aliases, parsing, repairs and drops; repeated posts across blocks dropped, the first kept), and
write FOLDER: one Parquet file per block with the canonical posts columns, and FOLDER/_cleaning/
with the log (steps.csv; counts.csv, every event counted by step; events.csv, up to 100 per
step) and conversion.json. A large export is then parsed once: 'insights report FOLDER' and
any Parquet reader read it fast. FOLDER must not exist; it appears only when complete.
"""
_CONVERT_EPILOG = """\
examples:
  insights convert crawl.csv --to crawl/
  insights convert 'exports/*.jsonl' --to crawl/ --platform tiktok --workers 2
  insights report crawl/ --workers 2

exit status: 0 written; 2 a problem with the files or the options (one line on stderr).
"""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``insights`` command."""
    from insights import pricing, schemas, tiers
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
        choices=["all", *pricing.MODEL_NAMES],
        help="pricing model for C2 when the file has no fees: all (default: every model, the "
        f"verdict is 'depends' when they disagree) or one of {', '.join(pricing.MODEL_NAMES)}"
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
                     help="Excel sheet to read (default: the sheets holding handles and "
                     "follower counts, combined when their columns agree). Example: --sheet "
                     "Creators")
    rep.add_argument("--header-row", type=int, metavar="N",
                     help="line (or sheet row) of the header, counted from 1 (default: "
                     "detected past titles and notes above the table). Example: --header-row 4")
    rep.add_argument("--decimal", choices=[".", ","], metavar="MARK",
                     help="decimal mark of the file's numbers, '.' or ',' (default: detected; "
                     "a file with 1.234,5 or 12,5K is read with a comma). Example: --decimal ,")
    rep.add_argument("--title", metavar="TEXT",
                     help=f"the cover's title (default: {DEFAULT_TITLE!r}). Example: --title "
                     "'Q3 creator roster'")
    rep.add_argument("--client", metavar="NAME",
                     help="the cover's 'prepared for' line (default: none). Example: --client "
                     "'Acme Ltd'")
    rep.add_argument("--pdf", action="store_true",
                     help="also write FILE.pdf, the same document printed by headless Chromium "
                     "(Debian: apt-get install chromium; or set INSIGHTS_CHROMIUM)")
    rep.add_argument("--seed", type=int, default=DEFAULT_SEED,
                     help="seed of the bootstrap, for identical reruns (default: %(default)s)")
    rep.add_argument("--resamples", type=int, default=1000, metavar="N",
                     help="bootstrap resamples per interval (default: %(default)s)")
    rep.add_argument("--template", type=Path, metavar="NOTEBOOK",
                     help="another template notebook (default: the one shipped with insights)")
    rep.add_argument("--engine", choices=["auto", "pandas", "dask"], default="auto",
                     help="pandas: read PATH whole; dask: read a posts file in blocks, for "
                     "files larger than memory (default auto: dask for a folder, a glob, a "
                     "Parquet file or a file above 1 GB, announced). Example: --engine dask")
    rep.add_argument("--workers", type=int, metavar="N",
                     help="with --engine dask: a local cluster of N worker processes "
                     "(default: threads in one process). Example: --workers 2")
    rep.add_argument("--scheduler", metavar="ADDRESS",
                     help="with --engine dask: the Dask cluster to run on; its workers must "
                     "see PATH and the report's folder. Example: --scheduler tcp://10.0.0.5:8786")
    rep.add_argument("--quiet", action="store_true", help="no progress messages")
    rep.add_argument("--debug", action="store_true",
                     help="show the Python traceback of an unexpected error")

    conv = commands.add_parser(
        "convert", help="clean a large post export once into canonical Parquet files",
        description=_CONVERT_DESCRIPTION, epilog=_CONVERT_EPILOG, formatter_class=_Formatter,
    )
    conv.add_argument("paths", nargs="+", metavar="PATH",
                      help="export files, folders or globs of one kind (read only)")
    conv.add_argument("--to", required=True, type=Path, metavar="FOLDER",
                      help="the folder to write (must not exist). Example: --to crawl/")
    conv.add_argument("--platform", choices=schemas.PLATFORMS, metavar="NAME",
                      help="platform of every row when the files have no platform column")
    conv.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                      help="use COLUMN for FIELD, beating the alias table; repeat for several")
    conv.add_argument("--decimal", choices=[".", ","], metavar="MARK",
                      help="decimal mark of the numbers (default: detected)")
    conv.add_argument("--encoding", metavar="NAME",
                      help="text encoding of the files (default: utf-8)")
    conv.add_argument("--workers", type=int, metavar="N",
                      help="a local Dask cluster of N worker processes (default: threads)")
    conv.add_argument("--scheduler", metavar="ADDRESS",
                      help="an existing Dask cluster; its workers must see the files")
    conv.add_argument("--quiet", action="store_true", help="no progress messages")
    conv.add_argument("--debug", action="store_true",
                      help="show the Python traceback of an unexpected error")
    return parser


def _skip_slow_optional_imports() -> None:
    """Keep ``rfc3987_syntax`` from being imported by this process.

    jsonschema imports it, when installed, to check the "iri" string format; it compiles a
    grammar at import and costs about 2 s of a small report's 10 s, in the command alone
    (nbformat imports jsonschema). Notebooks never hold that format, so the command marks the
    module as absent, which jsonschema's optional import expects; nothing else changes.
    """
    sys.modules.setdefault("rfc3987_syntax", None)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``insights`` console command; returns the exit status."""
    _skip_slow_optional_imports()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "convert":
            convert(args)
        else:
            report(args)
    except ReportError as exc:
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


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def convert(args: argparse.Namespace) -> Path:
    """Run ``insights convert`` with parsed arguments; returns the folder written."""
    from insights.ingest import intake
    from insights.reporting.convert import convert as run

    say = (lambda message: None) if args.quiet else _say
    try:
        run(args.paths, args.to, mapping=intake.parse_map_options(args.map),
            platform=args.platform, decimal=args.decimal, encoding=args.encoding,
            workers=args.workers, scheduler=args.scheduler, progress=say,
            progress_bar=not args.quiet)
    except (intake.InputError, ValueError) as exc:
        raise ReportError(" ".join(str(exc).split()), 2) from None
    return args.to


def report(args: argparse.Namespace) -> Path:
    """Run ``insights report`` with parsed arguments; returns the HTML path."""
    from insights.ingest import intake

    try:
        mapping = intake.parse_map_options(args.map)
    except intake.InputError as exc:
        raise ReportError(str(exc), 2) from None
    return build_report(
        args.path, out=args.out, platform=args.platform, mapping=mapping, scheme=args.scheme,
        pricing=args.pricing, level=args.level, encoding=args.encoding, sheet=args.sheet,
        header_row=args.header_row, decimal=args.decimal, seed=args.seed, resamples=args.resamples,
        title=args.title, client=args.client, pdf=args.pdf, template=args.template,
        progress=(lambda message: None) if args.quiet else _say, progress_bar=not args.quiet,
        engine=args.engine, workers=args.workers, scheduler=args.scheduler,
    )


if __name__ == "__main__":
    raise SystemExit(main())
