"""The processed data sets, as notebooks use them: ``load`` and ``cleaning_log``.

Both build ``data/processed/<name>/`` on demand through :mod:`insights.ingest.pipeline` when a
table or log is missing. The registry's lookups (``names``, ``info``, ``files``, ``fetch``) are
re-exported from :mod:`insights.ingest.registry`, so a notebook needs this one import::

    from insights.ingest import datasets
    datasets.load("tiktok-datares-2020", "posts")
"""

from __future__ import annotations

import pandas as pd

from insights.ingest import pipeline
from insights.ingest.registry import (
    ChecksumError,
    UnknownDatasetError,
    _check_name,
    _metadata,
    fetch,
    file_sha256,
    files,
    info,
    names,
)

__all__ = [
    "ChecksumError",
    "UnknownDatasetError",
    "names",
    "info",
    "files",
    "fetch",
    "file_sha256",
    "load",
    "cleaning_log",
]


def load(name: str, table: str = "creators") -> pd.DataFrame:
    """Return a canonical table of a data set from ``data/processed/``, building it if missing.

    Parameters
    ----------
    name : str
        A name from :func:`names`.
    table : {"posts", "creators", "accounts", "poll"}
        Which canonical table (see :mod:`insights.schemas`). ``info(name)["tables"]`` lists the
        tables a data set has.

    Returns
    -------
    DataFrame
        The validated canonical table, rows sorted by key.
    """
    _check_name(name)
    available = _metadata()[name]["tables"]
    if table not in available:
        raise ValueError(f"data set {name!r} has no {table!r} table; it has {available}")
    path = pipeline.table_path(name, table)
    if not path.is_file():
        pipeline.build(name)
    return pd.read_parquet(path)


def cleaning_log(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the cleaning ``steps`` and ``events`` tables of a data set, building if missing.

    See :mod:`insights.ingest.cleanlog` for their columns.
    """
    _check_name(name)
    logs = pipeline.log_paths(name)
    if not (logs["steps"].is_file() and logs["events"].is_file()):
        pipeline.build(name)
    steps = pd.read_csv(logs["steps"], dtype={"description": "string"})
    events = pd.read_csv(
        logs["events"],
        dtype={c: "string" for c in ["reason", "creator", "post_id", "old_value", "new_value"]}
        | {"source_row": "Int64"},
    )
    return steps, events
