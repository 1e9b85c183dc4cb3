"""Steps 1-2 of ``insights report`` for a posts file read in blocks (``--engine dask``).

The file never has to fit in memory: :mod:`insights.ingest.blocks` cleans it block by block
into canonical Parquet files (in the report's staging folder, removed at the end), the C1 fits
of both estimands come from sums over the blocks (:func:`insights.scale.c1_elasticities`), the
creator rows from a group-by after a shuffle (:func:`insights.scale.creator_summary`), and a
seeded sample of posts is kept for the figures. The notebook then runs on those
(:func:`insights.reporting.inputs.write_large_inputs`) and gives the same tables as the file
read whole.

Where the work runs: by default Dask's threads in this process (all cores); ``workers=N`` a
local cluster of ``N`` worker processes (``distributed.LocalCluster``); ``scheduler=ADDRESS``
an existing Dask cluster, whose workers must see the input and the report's folder (a shared
file system).
"""

from __future__ import annotations

import contextlib
import dataclasses
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from insights import scale
from insights.ingest import blocks, intake
from insights.reporting.inputs import write_large_inputs
from insights.stats import InsufficientDataError

__all__ = ["SAMPLE_POSTS", "dask_engine", "prepare_large"]

#: Posts kept as a seeded sample for the figures of a file read in blocks.
SAMPLE_POSTS = 20_000


@contextlib.contextmanager
def dask_engine(*, workers: int | None = None, scheduler: str | None = None,
                progress_bar: bool = False, say: Callable[[str], None] = lambda m: None):
    """Run the Dask work inside on threads (default, with Dask's progress bar on stderr
    when ``progress_bar``), on a local cluster of ``workers`` processes, or on the cluster at
    ``scheduler``."""
    if workers is not None and scheduler is not None:
        raise ValueError("give --workers (a local cluster) or --scheduler (an existing one), "
                         "not both")
    if workers is not None and workers < 1:
        raise ValueError(f"--workers {workers}: give at least 1")
    if scheduler is not None or workers is not None:
        from distributed import Client, LocalCluster

        if scheduler is not None:
            try:
                client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError) as exc:
                raise intake.InputError(f"--scheduler {scheduler}: cannot connect "
                                        f"({' '.join(str(exc).split())})") from None
            cluster = None
            say(f"      Dask cluster at {scheduler}: "
                f"{len(client.scheduler_info()['workers'])} workers")
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
            say(f"      a local Dask cluster of {workers} worker processes")
        try:
            yield
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
        return
    import dask
    from dask.diagnostics import ProgressBar

    with dask.config.set(scheduler="threads"):
        if progress_bar:
            with ProgressBar(out=sys.stderr, minimum=2.0):
                yield
        else:
            yield


def _fit_fields(fit) -> dict:
    return {k: (list(v) if isinstance(v, tuple) else v)
            for k, v in dataclasses.asdict(fit).items()}


def _fits(frame, components: tuple[str, ...], control_age: bool):
    """Both C1 estimands over the blocks (together: shared passes; alone when one fails):
    what ``fits.json`` holds, and the expected estimand's fit (or ``None``)."""
    mapper = scale.on_dask(frame)
    try:
        fitted = scale.c1_elasticities(mapper, components=components, control_age=control_age)
        found = {e: (f, None) for e, f in fitted.items()}
    except InsufficientDataError:
        found = {}
        for estimand in scale.ESTIMANDS:
            try:
                found[estimand] = (scale.c1_elasticity(mapper, estimand=estimand,
                                                       components=components,
                                                       control_age=control_age), None)
            except InsufficientDataError as exc:
                found[estimand] = (None, str(exc))
    out = {}
    for estimand, (fit, failure) in found.items():
        entry = {"control_age": control_age}
        if fit is not None:
            entry |= {"fit": _fit_fields(fit), "zero": fit.n_zero,
                      "usable": fit.n + fit.n_zero}
        else:
            entry |= {"failure": failure, "usable": 0}
        out[estimand] = entry
    return out, found["expected"][0]


def prepare_large(source: Path, inputs: Path, scratch: Path, *, progress, mapping: Mapping,
                  platform: str | None, level: str | None, encoding: str | None,
                  decimal: str | None, options: Mapping, generated: str,
                  steps: int, start: float) -> str:
    """Read, clean and reduce ``source`` in blocks; write the notebook's inputs to ``inputs``
    (cleaned blocks go to ``scratch``). Returns the mode (always ``engagement``).

    Raises
    ------
    intake.InputError
        For a file the block engine cannot analyse (creator lists, fees or revenue, no
        engagement) or a problem with its contents, as for a file read whole.
    """
    if level == "creators":
        raise intake.InputError("a file read in blocks is analysed as posts; a creator list "
                                "fits in memory (--engine pandas)")
    ddf, fmt = blocks.open_posts(source, encoding=encoding or "utf-8")
    progress(f"      {fmt}, {ddf.npartitions:,} blocks, {len(ddf.columns)} columns (read in "
             "blocks with Dask)")
    head = blocks.first_rows(ddf)
    colmap = intake.map_columns(list(ddf.columns), dict(mapping or {}), head)
    money = [f for f in intake.MONEY_FIELDS if f in colmap.columns]
    if money:
        columns = ", ".join(repr(colmap.columns[f]) for f in money)
        raise intake.InputError(
            f"the file has {' and '.join(money)} ({columns}): the block engine tests the "
            "engagement claims only; a campaign file with fees fits in memory (--engine pandas)")
    for row in colmap.table().itertuples():
        progress(f"      {row.field:<12} <- {row.column!r} ({row.how})")
    text_encoding = None if fmt == "Parquet" else (encoding or "utf-8")
    cleaned = blocks.clean_blocks(ddf, colmap, scratch, label=source.name, fmt=fmt,
                                  encoding=text_encoding, platform=platform, decimal=decimal,
                                  progress=progress)
    frame = cleaned.frame()
    components = cleaned.components
    control_age = ("age_days" in frame.columns
                   and bool(frame["age_days"].count().compute() > 0))
    progress(f"      C1, both estimands, over {cleaned.rows:,} posts "
             f"({time.perf_counter() - start:.1f} s)")
    # each C1 pass hands whole partitions to its function: read only the columns it uses
    used = ["creator", "followers", *components, *(["age_days"] if control_age else [])]
    fits, expected = _fits(cleaned.frame(columns=used), components, control_age)
    progress("      one row per creator (a shuffle by creator)")
    creators = scale.creator_summary(frame, components=components, expected=expected)
    _check_creators(creators, colmap)
    seed = int(options.get("seed", 0))
    share = min(1.0, SAMPLE_POSTS / max(cleaned.rows, 1))
    sample = (frame.sample(frac=share, random_state=seed).compute() if share < 1
              else frame.compute())
    sample = sample.sort_values("source_row", kind="stable").reset_index(drop=True)
    notes = [*cleaned.notes, *_notes(creators, sample, components, colmap)]
    counts = cleaned.log.counts
    progress(f"      posts: {cleaned.rows:,} kept of {cleaned.rows_read:,}, "
             f"{int(counts.loc[counts['action'] == 'dropped', 'rows'].sum()):,} dropped, "
             f"{int(counts.loc[counts['action'] == 'repaired', 'rows'].sum()):,} values "
             f"repaired; {len(creators):,} creators ({time.perf_counter() - start:.1f} s)")
    progress(f"[2/{steps}] writing the notebook's inputs (creator rows, fits, a sample of "
             f"{len(sample):,} posts)")
    meta = {
        "file": source.name, "format": fmt, "encoding": text_encoding,
        "rows_read": cleaned.rows_read,
        "columns_found": list(colmap.found), "mapping": colmap.table().to_dict("records"),
        "level": "posts", "level_reason": "read in blocks: each row is a post",
        "currency": cleaned.currency, "components": list(components), "mode": "engagement",
        "notes": notes, "engine": "dask", "rows": cleaned.rows, "sample": len(sample),
        "blocks": len(cleaned.files), "events_per_step": blocks.EVENTS_PER_STEP,
        "platforms": sorted(creators["platform"].dropna().astype(str).unique()),
        "generated": generated, **dict(options),
    }
    write_large_inputs(inputs, sample=sample, creators=creators, fits=fits,
                       steps=cleaned.log.steps, counts=counts, events=cleaned.log.events,
                       meta=meta)
    return "engagement"


def _check_creators(creators: pd.DataFrame, colmap) -> None:
    """The checks of a file read whole that need every post (see intake.clean)."""
    if len(creators) < 2:
        who = creators["creator"].iloc[0] if len(creators) else "none"
        raise intake.InputError(
            f"only one creator ({who!r}) has usable data: the claims compare creators of "
            "different sizes, so the file needs at least two (ideally 30 or more)")
    sizes = creators["followers"].dropna()
    if sizes.nunique() < 2:
        raise intake.InputError(
            f"all {len(creators):,} creators have the same follower count ({sizes.iloc[0]:,.0f} "
            f"in column {colmap.columns['followers']!r}): nothing can be said about how "
            "engagement changes with size")


def _notes(creators: pd.DataFrame, sample: pd.DataFrame, components, colmap) -> list[str]:
    """The consistency warnings of a file read whole, from the creator rows (follower counts
    that differ between a creator's posts) and the sample (engagement that looks like
    totals)."""
    notes = []
    engagement = sum(pd.to_numeric(sample[c], errors="coerce").fillna(0) for c in components)
    rate = float(np.nanmedian(engagement / sample["followers"])) if len(sample) else np.nan
    if rate > 1:
        mapped = ", ".join(f"{c} <- {colmap.columns[c]!r}" for c in components
                           if c in colmap.columns)
        notes.append(f"the median post's engagement (in a sample of {len(sample):,}) is "
                     f"{rate:,.1f} times its follower count: the engagement columns ({mapped}) "
                     "may hold totals (such as lifetime views) rather than counts per post; "
                     "check them, or name others with --map")
    varied = creators[creators["followers_max"] > 2 * creators["followers_min"]]
    if len(varied):
        first = varied.iloc[0]
        notes.append(f"{len(varied):,} creators have follower counts that differ more than "
                     f"twofold between their posts (e.g. {first['creator']!r}: "
                     f"{first['followers_min']:,.0f} to {first['followers_max']:,.0f}); each "
                     "post keeps its own count")
    return notes
