"""Helpers shared by the recipes: reading with row provenance, parsing columns with a log."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from insights.ingest.cleanlog import CleaningLog
from insights.ingest.parsing import parse_column

__all__ = ["read_csv_rows", "parse_column", "drop_duplicates_logged"]

# parse_column is the one logged parser of the ingest wing; it lives in insights.ingest.parsing.


def read_csv_rows(path: Path, raw: Path, **kwargs) -> pd.DataFrame:
    """Read a CSV/TSV as strings and add ``source_file`` and ``source_row`` columns.

    Parameters
    ----------
    path : Path
        File to read.
    raw : Path
        The data set's raw folder; ``source_file`` is ``path`` relative to it (POSIX style).
    **kwargs
        Passed to :func:`pandas.read_csv` (``dtype=str`` and ``keep_default_na=False`` are
        the defaults, so that parsing and missing markers are decided by the recipe).

    Returns
    -------
    DataFrame
        One row per data row; ``source_row`` is 1-based, header excluded, counting only the
        rows pandas returns (blank lines skipped by the reader are not counted).
    """
    kwargs.setdefault("dtype", str)
    kwargs.setdefault("keep_default_na", False)
    frame = pd.read_csv(path, **kwargs)
    return frame.assign(
        source_file=path.relative_to(raw).as_posix(),
        source_row=np.arange(1, len(frame) + 1, dtype="int64"),
    )


def drop_duplicates_logged(
    frame: pd.DataFrame,
    subset: list[str],
    log: CleaningLog,
    *,
    table: str,
    step: str,
    reason: str | Callable[[pd.Series], pd.Series],
    description: str | None = None,
) -> pd.DataFrame:
    """Drop rows that repeat ``subset`` (keeping the first in current order), logging each.

    Parameters
    ----------
    reason : str or callable
        A fixed reason, or a function that receives, for every row, the ``source_row`` of the
        kept row it repeats (as text) and returns the per-row reason, so that each dropped
        row's log entry points at the row that was kept.
    description : str, optional
        Step description (needed when ``reason`` is a callable).
    """
    mask = frame.duplicated(subset=subset, keep="first").to_numpy()
    if callable(reason):
        kept = frame.groupby(subset, sort=False, dropna=False)["source_row"].transform("first")
        reason = reason(kept.astype("str"))
    return log.drop(frame, mask, table=table, step=step, reason=reason, description=description)
