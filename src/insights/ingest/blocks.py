"""Post exports larger than memory: read in blocks, clean each block, keep a log at scale.

:func:`open_posts` reads a partitioned Parquet folder, a glob of Parquet files, one Parquet file,
or a large CSV/TSV/JSON-lines file in blocks, as a ``dask.dataframe`` of text (`Dask
<https://dask.org>`_: its readers split the files into partitions of about 64 MB and its
schedulers run them on local threads, local worker processes or a cluster).
:func:`clean_blocks` cleans every partition with :func:`insights.ingest.intake.clean` (the same
rules as a file that fits in memory, ``whole=False``) and writes it as one Parquet file of the
canonical posts schema; then it does what needs every block at once:

* **duplicate posts across blocks**: the (platform, post id) keys are hashed; only keys whose
  hash occurs twice are compared exactly, in file order, and the later copies are dropped
  (the first is kept, as in memory);
* **the choice of engagement components** (:func:`insights.metrics.default_components`'s rule
  over all blocks);
* **the cleaning log at scale** (:class:`BlockLog`): the steps summed over blocks, every event
  *counted* by step and action, and the events themselves only up to ``cap`` per step (the
  first in file order): a file with millions of repaired values keeps a log of kilobytes.

``source_row`` is the row of the whole file (blocks are numbered in file order), so a logged
row points to the same line as it would in memory. An input of several files (a folder, a
glob) is one table of their rows in sorted file order: ``source_row`` counts on across files,
and ``source_file`` names the input as given.
"""

from __future__ import annotations

import glob as _glob
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from insights import metrics
from insights.ingest import intake
from insights.ingest.cleanlog import EVENT_COLUMNS, STEP_COLUMNS

__all__ = ["BlockLog", "Blocks", "CLEAN_BLOCKS", "EVENTS_PER_STEP", "SMALLEST_BLOCK",
           "clean_blocks", "first_rows", "is_large", "open_posts", "source_files"]

#: Events kept per cleaning step (every event is counted; these are the first in file order).
EVENTS_PER_STEP = 100
#: Largest and smallest block of a text file: a file is cut into about four blocks per core
#: within these bounds (so a 60 MB export is cleaned on every core).
CLEAN_BLOCKS = "64MB"
SMALLEST_BLOCK = "8MB"
#: Above this size a single file is read in blocks by default (``insights report``'s
#: ``--engine auto``); a folder or a glob always is.
LARGE_FILE_BYTES = 1_000_000_000

_PARQUET = (".parquet", ".pq", ".parq")
_TEXT = {".csv": ",", ".tsv": "\t", ".tab": "\t", ".txt": None, ".jsonl": "json",
         ".ndjson": "json"}


def source_files(path: str | Path) -> list[Path]:
    """The files a path stands for: a file, the Parquet files of a folder (recursively, as
    written by partitioned writers), or a glob pattern; sorted.

    Raises
    ------
    intake.InputError
        When nothing matches, naming the path.
    """
    text = str(path)
    if any(ch in text for ch in "*?["):
        found = sorted(Path(p) for p in _glob.glob(text, recursive=True) if Path(p).is_file())
    elif Path(text).is_dir():
        found = sorted(p for p in Path(text).rglob("*") if p.suffix.lower() in _PARQUET
                       and not any(part.startswith((".", "_")) for part in p.parts[-1:]))
    elif Path(text).is_file():
        found = [Path(text)]
    else:
        raise intake.InputError(f"{text}: no such file, folder or pattern")
    if not found:
        raise intake.InputError(f"{text}: no Parquet files in the folder, or nothing matches "
                                "the pattern")
    return found


def is_large(path: str | Path) -> bool:
    """Whether ``insights report --engine auto`` reads ``path`` in blocks: a folder, a glob,
    a Parquet file, or a file above :data:`LARGE_FILE_BYTES`."""
    text = str(path)
    if any(ch in text for ch in "*?[") or Path(text).is_dir():
        return True
    p = Path(text)
    return p.is_file() and (p.suffix.lower() in _PARQUET or p.stat().st_size > LARGE_FILE_BYTES)


def open_posts(path, *, blocksize: str | None = None, encoding: str = "utf-8"):
    """Read ``path`` (a file, folder or glob: :func:`source_files`; or a list of files of
    one kind) as a ``dask.dataframe`` of text cells (strings or missing), one partition per
    block, in file order; returns ``(ddf, format)``.

    Parquet (a file, a folder, a glob) keeps its row groups as blocks; CSV/TSV are split
    every ``blocksize`` bytes (default: about four blocks per core, between
    :data:`SMALLEST_BLOCK` and :data:`CLEAN_BLOCKS`) with a header on line 1 (the separator of
    a ``.txt`` or ``.csv`` is detected on its first 64 kB, as in memory); JSON lines likewise.
    """
    import dask.dataframe as dd

    files = ([Path(f) for f in path] if isinstance(path, list | tuple)
             else source_files(path))
    if not files:
        raise intake.InputError("no input files")
    kinds = {f.suffix.lower() for f in files}
    if blocksize is None:
        import os

        share = sum(f.stat().st_size for f in files) // (4 * (os.cpu_count() or 1))
        blocksize = str(int(min(max(share, _bytes(SMALLEST_BLOCK)), _bytes(CLEAN_BLOCKS))))
    if kinds <= set(_PARQUET):
        ddf = dd.read_parquet([str(f) for f in files])
        fmt = "Parquet"
    elif len(kinds) == 1 and next(iter(kinds)) in _TEXT:
        kind = _TEXT[next(iter(kinds))]
        names = [str(f) for f in files]
        if kind == "json":
            ddf = dd.read_json(names, lines=True, blocksize=_bytes(blocksize), dtype=False,
                               encoding=encoding)
            fmt = "JSON lines"
        else:
            sep = kind or _sniff(files[0], encoding)
            ddf = dd.read_csv(names, sep=sep, dtype=str, keep_default_na=False,
                              blocksize=blocksize, encoding=encoding)
            fmt = "CSV" if sep == "," else "TSV" if sep == "\t" else f"text ({sep!r})"
    else:
        raise intake.InputError(
            f"{path}: files of one kind are read in blocks (Parquet, or CSV/TSV, or JSON "
            f"lines); found {', '.join(sorted(kinds))}")
    return ddf.map_partitions(_as_text, meta=_as_text(ddf._meta)), fmt


def _bytes(size: str) -> int:
    from dask.utils import parse_bytes

    return int(parse_bytes(size))


def _sniff(path: Path, encoding: str) -> str:
    import csv

    with open(path, encoding=encoding, errors="replace") as handle:
        sample = handle.read(65536)
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","
    header = sample.splitlines()[0] if sample else ""
    return "," if sep != "," and header.count(",") > header.count(sep) else sep


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text, as the in-memory reader gives it (a whole float such as 12.0 as
    "12", as a spreadsheet writes it; other numbers in full), missing kept as ``None``."""
    out = {}
    for name in frame.columns:
        column = frame[name]
        text = column.astype("string")
        if pd.api.types.is_float_dtype(column.dtype):
            values = column.to_numpy(dtype=float, na_value=np.nan)
            with np.errstate(invalid="ignore"):
                whole = (np.isfinite(values) & (values == np.round(values))
                         & (np.abs(values) < 2**53))
            text = text.mask(whole, pd.Series(values[whole].astype(np.int64).astype(str),
                                              index=column.index[whole]))
        out[name] = text.astype(object).where(column.notna().to_numpy(), None)
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


@dataclass
class BlockLog:
    """The cleaning log of a file cleaned in blocks.

    ``steps``: one row per step, summed over blocks (columns of
    :data:`insights.ingest.cleanlog.STEP_COLUMNS`); ``counts``: every event counted by step and
    action (``step``, ``action``, ``rows``); ``events``: the first :data:`EVENTS_PER_STEP`
    events of each step in file order (columns of :data:`EVENT_COLUMNS`).
    """

    steps: pd.DataFrame
    counts: pd.DataFrame
    events: pd.DataFrame

    @property
    def capped(self) -> bool:
        """Whether some step has more events than are kept."""
        kept = self.events.groupby(["step", "action"]).size()
        total = self.counts.set_index(["step", "action"])["rows"]
        return bool((total.reindex(kept.index).fillna(0) > kept).any()
                    or len(total) > len(kept))


@dataclass
class Blocks:
    """A posts file cleaned in blocks (:func:`clean_blocks`): the folder of canonical Parquet
    files, what was read and kept, the log, the engagement components and notes."""

    folder: Path
    files: list[Path]
    rows_read: int
    rows: int
    log: BlockLog
    components: tuple[str, ...]
    currency: str | None
    format: str
    notes: list[str] = field(default_factory=list)

    def frame(self, columns=None):
        """The cleaned posts as a ``dask.dataframe`` (one partition per block)."""
        import dask.dataframe as dd

        return dd.read_parquet([str(f) for f in self.files], columns=columns)


def _block_summary(intake_, cap: int) -> dict:
    """What one cleaned block reports back: its log (events capped per step), the components
    that hold values, its currency and notes."""
    events = intake_.log.events()
    counts = (events.groupby(["step", "action"], sort=False).size().rename("rows")
              .reset_index() if len(events) else
              pd.DataFrame({"step": [], "action": [], "rows": []}))
    kept = events.groupby("step", sort=False).head(cap) if len(events) else events
    table = intake_.table
    present = {c: bool(table[c].notna().any()) for c in intake.ENGAGEMENT_FIELDS
               if c in table.columns}
    return {"steps": intake_.log.steps(), "counts": counts, "events": kept, "present": present,
            "currency": intake_.currency, "notes": list(intake_.notes), "rows": len(table)}


def _clean_one(part: pd.DataFrame, number: int, first_row: int, *, colmap, platform, decimal,
               dataset, label, fmt, encoding, folder: Path, cap: int) -> dict:
    raw = intake.RawTable(part.reset_index(drop=True), Path(label), fmt, encoding)
    cleaned = intake.clean(raw, colmap, level="posts", platform=platform, decimal=decimal,
                           dataset=dataset, first_row=first_row, whole=False)
    target = folder / f"part-{number:05d}.parquet"
    # in file order (the cleaning's reshapes may move rows), so the folder reads as the file
    cleaned.table.sort_values("source_row", kind="stable").to_parquet(target, index=False)
    return {**_block_summary(cleaned, cap), "file": target, "number": number}


def _step_order(frames: list[pd.DataFrame]) -> list[str]:
    """The steps of every block in one order: each block logs a subsequence of the same
    sequence (a step that changed nothing in a block may be missing from it), so the blocks'
    orders are merged (a topological sort, ties by first appearance)."""
    first: dict[str, int] = {}
    after: dict[str, set[str]] = {}
    for frame in frames:
        names = list(dict.fromkeys(frame["step"]))
        for name in names:
            first.setdefault(name, len(first))
            after.setdefault(name, set())
        for a, b in zip(names, names[1:], strict=False):
            after[a].add(b)
    waiting = {name: 0 for name in first}
    for nexts in after.values():
        for b in nexts:
            waiting[b] += 1
    ready = sorted((n for n, w in waiting.items() if w == 0), key=first.get)
    order = []
    while ready:
        name = ready.pop(0)
        order.append(name)
        for b in after[name]:
            waiting[b] -= 1
            if waiting[b] == 0:
                ready = sorted([*ready, b], key=first.get)
    return order + [n for n in first if n not in order]  # a cycle cannot arise; kept safe


def _sum_steps(frames: list[pd.DataFrame], rows_read: int) -> pd.DataFrame:
    """The blocks' steps as one log: drops and repairs summed, rows in and out chained
    from the rows read (what the whole file's log says)."""
    if not frames:
        return pd.DataFrame(columns=STEP_COLUMNS)
    steps = pd.concat(frames, ignore_index=True)
    keys = ["dataset", "table", "step"]
    first = steps.drop_duplicates("step").set_index("step")[["dataset", "table",
                                                            "description"]]
    sums = steps.groupby("step", sort=False)[["dropped", "repaired"]].sum()
    out = first.join(sums).loc[_step_order(frames)].reset_index()
    rows_in = rows_read - np.concatenate([[0], np.cumsum(out["dropped"].to_numpy())[:-1]])
    out["rows_in"] = rows_in.astype("int64")
    out["rows_out"] = out["rows_in"] - out["dropped"]
    return out[[*keys, *STEP_COLUMNS[3:]]].reset_index(drop=True)


def first_rows(ddf, n: int = 1000) -> pd.DataFrame:
    """The first ``n`` rows (from the first block, or more blocks when it is shorter)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "fewer than n rows in the first block"
        head = ddf.head(n, npartitions=1)
    return head if len(head) >= n else ddf.head(n, npartitions=-1)


def clean_blocks(
    ddf,
    colmap: intake.ColumnMap,
    folder: str | Path,
    *,
    label: str,
    fmt: str = "Parquet",
    encoding: str | None = None,
    platform: str | None = None,
    decimal: str | None = None,
    dataset: str | None = None,
    cap: int = EVENTS_PER_STEP,
    progress: Callable[[str], None] = lambda message: None,
) -> Blocks:
    """Clean every partition of ``ddf`` (text, from :func:`open_posts`) into ``folder`` as
    canonical posts, then drop duplicate posts across blocks and choose the components.

    Raises
    ------
    intake.InputError
        As :func:`insights.ingest.intake.clean` for a file in memory: a needed column missing,
        no engagement column, no row with a handle or a follower count, all followers zero,
        fewer than two creators, one follower count for everyone.
    """
    import dask

    intake._check_needed(colmap)
    if not intake._has_engagement(colmap):
        raise intake.InputError(
            "the file has no engagement column (likes, comments, shares, engagements or an "
            "engagement rate); a file read in blocks is analysed as posts with engagement "
            "(a roster fits in memory: --engine pandas)")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    dataset = dataset or label
    if decimal is None:
        head = first_rows(ddf, 5000)
        numeric = [colmap.columns[n] for n in (*intake.COUNT_FIELDS, *intake.MONEY_FIELDS)
                   if n in colmap.columns]
        sample = pd.concat([intake._text(head[c]).dropna() for c in numeric]) if numeric \
            else pd.Series(dtype="string")
        decimal = intake.detect_decimal(sample)
    progress(f"      {ddf.npartitions:,} blocks; counting their rows")
    lengths = ddf.map_partitions(len, meta=(None, "int64")).compute()
    lengths = [int(n) for n in np.asarray(lengths).ravel()]
    starts = np.concatenate([[1], 1 + np.cumsum(lengths)[:-1]]).astype(int).tolist()
    tasks = [dask.delayed(_clean_one)(part, i, starts[i], colmap=colmap, platform=platform,
                                      decimal=decimal, dataset=dataset, label=label, fmt=fmt,
                                      encoding=encoding or "columnar", folder=folder, cap=cap)
             for i, part in enumerate(ddf.to_delayed())]
    progress(f"      cleaning {sum(lengths):,} rows in {len(tasks):,} blocks")
    summaries = sorted(dask.compute(*tasks), key=lambda s: s["number"])
    currencies = sorted({s["currency"] for s in summaries if s["currency"]})
    if len(currencies) > 1:
        raise intake.InputError(f"the blocks hold amounts in {currencies}; convert to one "
                                "currency first (mixed units are never summed)")
    files = [s["file"] for s in summaries]
    steps = _sum_steps([s["steps"] for s in summaries], sum(lengths))
    counts = [s["counts"] for s in summaries if len(s["counts"])]
    events = [s["events"] for s in summaries if len(s["events"])]
    notes = list(dict.fromkeys(n for s in summaries for n in s["notes"]))
    present = {}
    for s in summaries:
        for c, has in s["present"].items():
            present[c] = present.get(c, False) or has
    rows = sum(s["rows"] for s in summaries)
    extra_counts, extra_events, dropped = _drop_repeats(files, dataset, colmap, progress)
    if dropped:
        rows -= dropped
        counts.append(extra_counts)
        events.append(extra_events)
        step = steps["step"] == "duplicate-posts"
        steps.loc[step, "dropped"] += dropped
        steps.loc[step, "rows_out"] -= dropped
    counts = (pd.concat(counts).groupby(["step", "action"], sort=False)["rows"].sum()
              .reset_index() if counts else pd.DataFrame({"step": [], "action": [], "rows": []}))
    events = (pd.concat(events, ignore_index=True).sort_values("source_row", kind="stable")
              .groupby("step", sort=False).head(cap).reset_index(drop=True)
              if events else pd.DataFrame(columns=EVENT_COLUMNS))
    log = BlockLog(steps, counts.astype({"rows": "int64"}), events)
    if rows == 0:
        raise intake.InputError(f"no row of {label} has a creator handle and a usable follower "
                                "count")
    groups = metrics.DEFAULT_COMPONENTS["posts"]
    components = next((tuple(c for c in g if present.get(c)) for g in groups
                       if any(present.get(c) for c in g)), ())
    if not components:
        listed = ", ".join(f"{f} ({colmap.columns[f]!r})" for f in intake.ENGAGEMENT_FIELDS
                           if f in colmap.columns)
        raise intake.InputError(f"no usable engagement values: {listed} hold no valid count "
                                "in any row with followers")
    return Blocks(folder, files, sum(lengths), rows, log, components,
                  currencies[0] if currencies else None, fmt, notes)


def _drop_repeats(files: list[Path], dataset: str, colmap, progress):
    """Drop posts whose (platform, post id) repeats one in an earlier block; the first in
    file order is kept. Returns (counts, events, rows dropped); the files are rewritten in
    place only when they lose rows."""
    import dask
    import dask.dataframe as dd

    keys = dd.read_parquet([str(f) for f in files], columns=["platform", "post_id"])
    hashed = keys.map_partitions(
        lambda f: pd.Series(pd.util.hash_pandas_object(f, index=False).to_numpy(),
                            dtype="uint64"), meta=(None, "uint64"))
    counts = hashed.value_counts(split_out=max(1, len(files) // 8))
    repeated = set(counts[counts > 1].compute().index.to_numpy().tolist())
    empty = (pd.DataFrame({"step": [], "action": [], "rows": []}),
             pd.DataFrame(columns=EVENT_COLUMNS), 0)
    if not repeated:
        return empty

    wanted = np.fromiter(repeated, dtype="uint64", count=len(repeated))
    logged = ["platform", "post_id", "creator", "source_file", "source_row"]

    def candidates(path: Path, number: int) -> pd.DataFrame:
        # the key and what the log names of each row, not the whole block
        frame = pd.read_parquet(path, columns=logged)
        h = pd.util.hash_pandas_object(frame[["platform", "post_id"]], index=False).to_numpy()
        return frame[np.isin(h, wanted)].assign(__block=number)

    found = pd.concat(dask.compute(*[dask.delayed(candidates)(f, i)
                                     for i, f in enumerate(files)]), ignore_index=True)
    found = found.sort_values("source_row", kind="stable")
    later = found.duplicated(["platform", "post_id"], keep="first").to_numpy()
    # copies inside one block were dropped by its own cleaning; these repeat another block
    drop = found[later]
    if not len(drop):
        return empty
    from insights.ingest.cleanlog import CleaningLog

    log = CleaningLog(dataset)
    log.drop(drop, np.ones(len(drop), dtype=bool), table="posts", step="duplicate-posts",
             reason=f"repeats a post id in {colmap.columns.get('post_id', 'post_id')!r}")
    for number, rows in drop.groupby("__block"):
        path = files[int(number)]
        frame = pd.read_parquet(path)
        frame[~frame["source_row"].isin(rows["source_row"])].to_parquet(path, index=False)
    progress(f"      {len(drop):,} posts repeat a post of an earlier block: dropped")
    events = log.events()
    return (pd.DataFrame({"step": ["duplicate-posts"], "action": ["dropped"],
                          "rows": [len(drop)]}), events, len(drop))

