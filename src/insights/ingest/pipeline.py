"""Build ``data/processed/`` from ``data/raw/``: fetch, clean, conform, validate, write.

For each data set the pipeline writes, under ``data/processed/<name>/``:

``<table>.parquet``
    each canonical table (see :mod:`insights.schemas`), rows sorted by key;
``cleaning_steps.csv``
    one row per cleaning step: rows in, rows out, dropped, repaired;
``cleaning_events.csv``
    one row per dropped or repaired source row, with its reason and source line;
``build.json``
    the input files with their sha256 and the row count of every table.

The build is deterministic: the same inputs give byte-identical outputs (no timestamps, sorted
rows, fixed column order). Run it with ``make data`` or::

    python -m insights.ingest.pipeline [NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from insights import paths, schemas
from insights.ingest import registry
from insights.ingest.recipes import CleanResult, recipe

__all__ = ["build", "build_all", "table_path", "log_paths", "main"]


def table_path(name: str, table: str) -> Path:
    """Return the path of a processed table: ``data/processed/<name>/<table>.parquet``."""
    return paths.processed_dir(name) / f"{table}.parquet"


def log_paths(name: str) -> dict[str, Path]:
    """Return the paths of a data set's cleaning steps and events files."""
    folder = paths.processed_dir(name)
    return {"steps": folder / "cleaning_steps.csv", "events": folder / "cleaning_events.csv"}


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=path.suffix, delete=False) as tmp:
        tmp_path = Path(tmp.name)
    try:
        write(tmp_path)
        tmp_path.chmod(0o644)
        os.replace(tmp_path, path)
    finally:
        tmp_path.unlink(missing_ok=True)


def clean(name: str, *, progress: bool | None = None) -> CleanResult:
    """Fetch and clean one data set without writing anything; return tables and log.

    Tables are conformed to their canonical schema and validated.
    """
    registry.fetch(name, progress=progress)
    result = recipe(name)(paths.raw_dir(name))
    tables = {}
    for table, frame in sorted(result.tables.items()):
        conformed = schemas.conform(frame, table)
        tables[table] = schemas.validate(conformed, table)
    return CleanResult(tables=tables, log=result.log)


def build(name: str, *, progress: bool | None = None) -> dict[str, int]:
    """Build the processed tables and cleaning log of one data set.

    Parameters
    ----------
    name : str
        A registered data set name.
    progress : bool, optional
        Show download progress bars (default: when stderr is a terminal).

    Returns
    -------
    dict
        Rows per written table.
    """
    result = clean(name, progress=progress)
    counts = {}
    for table, frame in result.tables.items():
        _atomic_write(table_path(name, table), lambda p, f=frame: f.to_parquet(p, index=False))
        counts[table] = len(frame)
    logs = log_paths(name)
    _atomic_write(logs["steps"], lambda p: result.log.steps().to_csv(p, index=False))
    _atomic_write(logs["events"], lambda p: result.log.events().to_csv(p, index=False))
    inputs = registry.files(name)[["file", "sha256", "bytes"]].to_dict(orient="records")
    manifest = {"dataset": name, "inputs": inputs, "tables": counts}
    _atomic_write(
        paths.processed_dir(name) / "build.json",
        lambda p: p.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n"),
    )
    return counts


def build_all(names: Iterable[str] | None = None, *, progress: bool | None = None) -> dict:
    """Build every (or the named) data set; return rows per table per data set."""
    return {name: build(name, progress=progress) for name in (names or registry.names())}


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point: ``python -m insights.ingest.pipeline [NAME ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m insights.ingest.pipeline",
        description="Fetch, verify and clean the registered data sets into data/processed/.",
    )
    parser.add_argument("names", nargs="*", help=f"data sets (default: all of {registry.names()})")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(registry.names()))
    if unknown:
        parser.error(f"unknown data set(s) {unknown}; choose from {registry.names()}")
    for name in args.names or registry.names():
        print(f"[insights] {name}: fetching and cleaning ...", file=sys.stderr, flush=True)
        counts = build(name)
        steps = pd.read_csv(log_paths(name)["steps"])
        dropped, repaired = int(steps["dropped"].sum()), int(steps["repaired"].sum())
        tables = ", ".join(f"{t} {n:,} rows" for t, n in counts.items())
        print(f"[insights] {name}: {tables}; {dropped:,} dropped, {repaired:,} repaired "
              f"(see {log_paths(name)['events']})",
              file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
