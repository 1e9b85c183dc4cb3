"""The nested coverage study of the calibrated interval (notebook 07 reads its tables).

    python studies/nested_coverage.py [--world NAME ...] [--workers 2] [--chunk 20] [--restart]

For each world of ``insights.nbtools.studies.NESTED`` (TikTok by_user, Twitter: 500 outer
samples of 300 inner samples each), every outer sample is treated as the real data: a world is
calibrated to it alone, its calibrated bootstrap-t interval computed, and both that interval and
the clustered one checked against the outer world's truth
(``insights.simulate.nested_coverage``). Rows are written to ``studies/results/`` after each
chunk; a rerun resumes where it stopped. About 30 minutes for TikTok by_user and 15 for Twitter
on two cores. Notebook 07 recomputes a few rows in every build and fails if they differ.
"""

from __future__ import annotations

import argparse
import sys

from insights.nbtools import findings, studies


def main(argv: list[str] | None = None) -> int:
    names = [study.world for study in studies.NESTED]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world", action="append", choices=names,
                        help="a world to run (repeatable; default: every world)")
    parser.add_argument("--workers", type=int, default=2, help="processes (default 2)")
    parser.add_argument("--chunk", type=int, default=20,
                        help="outer samples computed between two writes (default 20)")
    parser.add_argument("--restart", action="store_true",
                        help="replace a stored study made with other settings or another world")
    parser.add_argument("--out", default=None, help="folder (default studies/results)")
    args = parser.parse_args(argv)
    if args.workers < 1 or args.chunk < 1:
        parser.error("--workers and --chunk must be at least 1")
    worlds = findings.evidence_worlds()
    folder = studies.results_dir() if args.out is None else args.out
    for study in studies.NESTED:
        if args.world and study.world not in args.world:
            continue
        print(worlds[study.world].describe(), flush=True)
        try:
            table = studies.run_nested(study, worlds[study.world], folder, workers=args.workers,
                                       chunk=args.chunk, restart=args.restart,
                                       progress=lambda line: print(line, flush=True))
        except studies.StudyError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        print(f"{study.world}: coverage {table['covered_calibrated'].mean():.3f} calibrated, "
              f"{table['covered'].mean():.3f} clustered, {len(table)} samples", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
