"""Recipe for ``social-influence-on-shopping-poll``: aggregated answers to one poll question.

"What social platform has influenced your online shopping most?", five answers (Facebook,
Instagram, Snapchat, Twitter, None), counted per segment: the whole sample ("Mobile / Global
results", 2,676 respondents), gender, university and self-reported custom segments. There are
no respondent rows.

Outputs
-------
``poll``
    one row per segment and answer: ``question``, ``segment_type``, ``segment_id`` (the
    segment's block of rows, numbered in file order from 0), ``segment``, ``answer``,
    ``count``, ``share`` (the published fraction), ``segment_total`` (the block's summed count),
    ``source_file`` and ``source_row`` (1-based data row of the sheet).

Cleaning steps (each logged)
----------------------------
1. Read ``Sheet1`` with openpyxl; the answer ``None`` is text, not a missing value.
2. Check the header, that ``index`` numbers the rows 0, 1, 2, ... and that every segment is one
   block of the five answers (an error otherwise: the segment ids would be wrong).
3. A segment label used by two blocks (``Custom`` / "What's your major? Other" in the
   registered file) is kept as two segments with their own ids, and noted.
4. Published shares that disagree with count ÷ segment total by more than rounding (0.0005)
   are noted; the published share is kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from insights.ingest.cleanlog import CleaningLog
from insights.ingest.recipes import CleanResult

__all__ = ["NAME", "FILE", "ANSWERS", "COLUMNS", "clean"]

NAME = "social-influence-on-shopping-poll"
FILE = "Online_platform_dataset.xlsx"
ANSWERS = ("Facebook", "Instagram", "Snapchat", "Twitter", "None")
COLUMNS = ("index", "Question", "Segment Type", "Segment Description", "Answer", "Count",
           "Percentage")
_ROUNDING = 0.0005


def _check(frame: pd.DataFrame) -> None:
    if tuple(frame.columns) != COLUMNS:
        raise ValueError(f"{NAME}/{FILE}: unexpected header {list(frame.columns)}; expected "
                         f"{list(COLUMNS)}")
    index = pd.to_numeric(frame["index"], errors="coerce")
    bad = np.flatnonzero(index.to_numpy() != np.arange(len(frame)))
    if len(bad):
        raise ValueError(f"{NAME}/{FILE}: column 'index' does not number the rows 0, 1, ...: "
                         f"rows {bad[:10].tolist()}")
    answers = frame["Answer"].to_numpy(dtype=object)
    expected = np.resize(np.array(ANSWERS, dtype=object), len(frame))
    bad = np.flatnonzero(answers != expected)
    if len(frame) % len(ANSWERS) or len(bad):
        raise ValueError(f"{NAME}/{FILE}: segments are not blocks of the answers {ANSWERS}: "
                         f"column 'Answer', rows {bad[:10].tolist()}, values "
                         f"{answers[bad[:10]].tolist()}")


def clean(raw: Path) -> CleanResult:
    """Clean the poll sheet into a canonical ``poll`` table.

    Parameters
    ----------
    raw : Path
        ``data/raw/social-influence-on-shopping-poll``.

    Returns
    -------
    CleanResult
        ``tables["poll"]`` (1,445 rows, 289 segments in the registered file) and the log.
    """
    log = CleaningLog(NAME)
    frame = pd.read_excel(raw / FILE, sheet_name="Sheet1", dtype=object, keep_default_na=False,
                          engine="openpyxl")
    log.note(table="poll", step="read", rows_in=len(frame), rows_out=len(frame),
             description=f"read {FILE}, sheet 'Sheet1' (the answer 'None' kept as text)")
    _check(frame)
    segment_id = np.arange(len(frame)) // len(ANSWERS)
    counts = pd.to_numeric(frame["Count"], errors="raise").astype("int64")
    totals = counts.groupby(segment_id).transform("sum")
    out = pd.DataFrame({
        "question": frame["Question"].astype(str).str.strip(),
        "segment_type": frame["Segment Type"].astype(str).str.strip(),
        "segment_id": segment_id.astype("int64"),
        "segment": frame["Segment Description"].astype(str).str.strip(),
        "answer": frame["Answer"].astype(str),
        "count": counts,
        "share": pd.to_numeric(frame["Percentage"], errors="raise").astype(float),
        "segment_total": totals.astype("int64"),
        "dataset": NAME,
        "source_file": FILE,
        "source_row": np.arange(1, len(frame) + 1, dtype="int64"),
    })
    labels = out.drop_duplicates("segment_id")
    repeated = labels[labels.duplicated(["segment_type", "segment"], keep=False)]
    if len(repeated):
        names = sorted(set(repeated["segment_type"] + " / " + repeated["segment"]))
        log.note(table="poll", step="repeated-label", rows_in=len(out), rows_out=len(out),
                 description=f"{len(repeated)} segments share a label ({'; '.join(names)}) "
                             "with different counts: kept apart by segment_id")
    with np.errstate(invalid="ignore", divide="ignore"):
        computed = np.where(out["segment_total"] > 0, out["count"] / out["segment_total"], 0.0)
    off = np.abs(computed - out["share"].to_numpy()) > _ROUNDING
    log.note(table="poll", step="share-check", rows_in=len(out), rows_out=len(out),
             description=f"{int(off.sum())} published shares differ from count / segment total "
                         f"by more than {_ROUNDING}; published shares kept")
    return CleanResult(tables={"poll": out}, log=log)
