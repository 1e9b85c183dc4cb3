"""``insights convert``: a large post export prepared once, as canonical Parquet.

The export (CSV/TSV/JSON lines, possibly several files, or Parquet) is read in blocks and each
block cleaned by the rules of ``insights report`` (:func:`insights.ingest.blocks.clean_blocks`),
so a crawl of 10^8 posts is parsed once and then read many times, fast and typed, by
``insights report FOLDER`` or by Dask/DuckDB/pandas directly. The folder holds one Parquet
file per block (``part-00000.parquet``, ...: the canonical posts columns of
:mod:`insights.schemas`, ``source_file``/``source_row`` pointing to each row's line of the
export) and ``_cleaning/`` with the log at scale (``steps.csv``, ``counts.csv`` and the capped
``events.csv``) and ``conversion.json`` (what was read, mapped and kept).

All or nothing: the folder is written beside ``to`` under a hidden name and renamed when
complete; an existing ``to`` is never overwritten.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from insights.ingest import blocks, intake

__all__ = ["convert"]


def convert(
    paths: Sequence[str | os.PathLike],
    to: str | os.PathLike,
    *,
    mapping: Mapping[str, str] | None = None,
    platform: str | None = None,
    decimal: str | None = None,
    encoding: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: Callable[[str], None] = lambda message: None,
    progress_bar: bool = False,
) -> blocks.Blocks:
    """Clean ``paths`` (files, folders or globs of one kind) in blocks into the folder ``to``.

    Raises
    ------
    intake.InputError
        For an input that cannot be read or cleaned (named), or a ``to`` that exists.
    """
    from insights.reporting.large import dask_engine

    target = Path(to)
    if target.exists():
        raise intake.InputError(f"--to {target} exists; choose a new folder (a conversion "
                                "never overwrites)")
    files = [f for p in paths for f in blocks.source_files(p)]
    inside = [f for f in files if f.resolve().is_relative_to(target.resolve())]
    if inside:
        raise intake.InputError(f"{inside[0]} lies inside --to {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    stage = Path(tempfile.mkdtemp(prefix=f".{target.name}-", suffix=".partial",
                                  dir=target.parent))
    try:
        with dask_engine(workers=workers, scheduler=scheduler, progress_bar=progress_bar,
                         say=progress):
            ddf, fmt = blocks.open_posts(files, encoding=encoding or "utf-8")
            progress(f"reading {len(files):,} file{'s' * (len(files) > 1)} ({fmt}) in "
                     f"{ddf.npartitions:,} blocks")
            colmap = intake.map_columns(list(ddf.columns), dict(mapping or {}),
                                        blocks.first_rows(ddf))
            for row in colmap.table().itertuples():
                progress(f"  {row.field:<12} <- {row.column!r} ({row.how})")
            label = files[0].name if len(files) == 1 else files[0].parent.name
            cleaned = blocks.clean_blocks(
                ddf, colmap, stage, label=label, fmt=fmt,
                encoding=None if fmt == "Parquet" else (encoding or "utf-8"),
                platform=platform, decimal=decimal, progress=progress)
        log = stage / "_cleaning"
        log.mkdir()
        cleaned.log.steps.to_csv(log / "steps.csv", index=False)
        cleaned.log.counts.to_csv(log / "counts.csv", index=False)
        cleaned.log.events.to_csv(log / "events.csv", index=False)
        (log / "conversion.json").write_text(json.dumps({
            "sources": [str(f) for f in files], "format": fmt, "rows_read": cleaned.rows_read,
            "rows": cleaned.rows, "blocks": len(cleaned.files),
            "mapping": colmap.table().to_dict("records"),
            "components": list(cleaned.components), "currency": cleaned.currency,
            "notes": cleaned.notes, "events_per_step": blocks.EVENTS_PER_STEP,
        }, indent=2), encoding="utf-8")
        os.replace(stage, target)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    counts = cleaned.log.counts
    progress(f"wrote {target}/: {cleaned.rows:,} posts of {cleaned.rows_read:,} rows in "
             f"{len(cleaned.files):,} Parquet files "
             f"({int(counts.loc[counts['action'] == 'dropped', 'rows'].sum()):,} rows dropped, "
             f"{int(counts.loc[counts['action'] == 'repaired', 'rows'].sum()):,} values "
             f"repaired; log in {target.name}/_cleaning/) in "
             f"{time.perf_counter() - start:.1f} s")
    return dataclasses.replace(cleaned, folder=target,
                               files=[target / f.name for f in cleaned.files])
