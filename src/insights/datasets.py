"""Registry of the public data sets: names, files, checksums, citations; fetch and load.

The registry (``insights/data/registry.tsv`` and ``insights/data/datasets.json``) pins every
file of every data set to a commit of a public repository, with its sha256, size, URL,
citation and licence note. The data files themselves are never part of the project.

Fetching uses `pooch <https://www.fatiando.org/pooch>`_, a well-kept downloader that verifies
a known hash and shows a progress bar, instead of hand-written HTTP code. Files land in
``data/raw/<name>/`` under their registry path. ``INSIGHTS_DATA_MIRROR=<dir>`` makes
:func:`fetch` copy from a local folder of the same layout (``<dir>/<name>/<file>``) instead of
downloading, for offline machines and CI. In both modes every file's sha256 is checked, and a
file whose hash does not match is refused with :class:`ChecksumError`, naming the file, the
expected and the actual hash; it is never used.

Examples
--------
>>> names()[:2]
['global-youtube-statistics-2023', 'kim2020-instagram-influencers']
>>> info("top-insta-influencers-200")["platforms"]
['instagram']
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import sys
import tempfile
from functools import cache
from importlib import resources
from pathlib import Path

import pandas as pd

from insights import paths

__all__ = [
    "ChecksumError",
    "UnknownDatasetError",
    "names",
    "info",
    "files",
    "fetch",
    "load",
    "cleaning_log",
    "file_sha256",
]


class ChecksumError(ValueError):
    """Raised when a file's sha256 does not match the registry; the file is not used."""


class UnknownDatasetError(KeyError):
    """Raised for a data set name that is not in the registry."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0])


@cache
def _registry() -> pd.DataFrame:
    with resources.files("insights").joinpath("data/registry.tsv").open("rb") as handle:
        table = pd.read_csv(handle, sep="\t", dtype=str, keep_default_na=False)
    return table.astype({"bytes": "int64"}).sort_values(["dataset", "file"], ignore_index=True)


@cache
def _metadata() -> dict[str, dict]:
    text = resources.files("insights").joinpath("data/datasets.json").read_text("utf-8")
    return json.loads(text)


def names() -> list[str]:
    """Return the registered data set names, sorted."""
    return sorted(_metadata())


def _check_name(name: str) -> None:
    if name not in _metadata():
        raise UnknownDatasetError(
            f"unknown data set {name!r}; registered data sets: {', '.join(names())}"
        )


def info(name: str) -> dict:
    """Return the metadata of a data set: title, platforms, tables, citation, licence, selection.

    Parameters
    ----------
    name : str
        A name from :func:`names`.

    Returns
    -------
    dict
        A copy; editing it does not change the registry.
    """
    _check_name(name)
    meta = copy.deepcopy(_metadata()[name])
    meta["name"] = name
    meta["files"] = int((_registry()["dataset"] == name).sum())
    meta["bytes"] = int(_registry().loc[_registry()["dataset"] == name, "bytes"].sum())
    return meta


def files(name: str) -> pd.DataFrame:
    """Return the registry rows of a data set: file, sha256, bytes, source and URL.

    Examples
    --------
    >>> files("top-insta-influencers-200")["file"].tolist()
    ['top_insta_influencers_data.csv']
    """
    _check_name(name)
    table = _registry()
    return table.loc[table["dataset"] == name].reset_index(drop=True)


def file_sha256(path: str | Path) -> str:
    """Return the hex sha256 of a file (pooch's hashing, read in chunks)."""
    import pooch  # imported on use: pooch loads tqdm.auto, which warns inside Jupyter kernels

    return pooch.file_hash(str(path), alg="sha256")


def _mirror() -> Path | None:
    value = os.environ.get("INSIGHTS_DATA_MIRROR")
    return Path(value).expanduser().resolve() if value else None


def _refuse(name: str, file: str, expected: str, actual: str, origin: str) -> ChecksumError:
    return ChecksumError(
        f"{name}/{file}: sha256 mismatch ({origin}); expected {expected}, got {actual}. "
        "The file was not used."
    )


def _copy_from_mirror(name: str, row: pd.Series, target: Path, mirror: Path) -> None:
    source = mirror / name / row["file"]
    if not source.is_file():
        raise FileNotFoundError(
            f"{name}/{row['file']}: not found in INSIGHTS_DATA_MIRROR ({source}); the mirror must "
            "have the layout <mirror>/<data set>/<file>"
        )
    actual = file_sha256(source)
    if actual != row["sha256"]:
        raise _refuse(name, row["file"], row["sha256"], actual, f"mirror copy {source}")
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        shutil.copyfile(source, tmp.name)
    os.chmod(tmp.name, 0o644)  # NamedTemporaryFile creates 0600; raw files are plain data
    os.replace(tmp.name, target)


def _download(name: str, row: pd.Series, target: Path, progress: bool) -> None:
    import pooch

    try:
        pooch.retrieve(
            row["url"],
            known_hash=f"sha256:{row['sha256']}",
            fname=target.name,
            path=target.parent,
            progressbar=progress,
        )
    except ValueError as exc:
        match = re.search(r"but got ([0-9a-f]+)", str(exc))
        if match is None:
            raise
        raise _refuse(name, row["file"], row["sha256"], match.group(1), row["url"]) from None


def fetch(name: str, *, progress: bool | None = None) -> list[Path]:
    """Fetch every file of a data set into ``data/raw/<name>/``, verifying each sha256.

    Files already present with the right hash are kept; a present file with a wrong hash is
    fetched again. With ``INSIGHTS_DATA_MIRROR`` set, files are copied from
    ``<mirror>/<name>/<file>`` (hash-checked before copying) instead of downloaded.

    Parameters
    ----------
    name : str
        A name from :func:`names`.
    progress : bool, optional
        Show pooch's progress bar per download (default: when stderr is a terminal).

    Returns
    -------
    list of pathlib.Path
        Verified local paths, in registry order.

    Raises
    ------
    UnknownDatasetError
        For a name not in the registry.
    ChecksumError
        When a downloaded or mirrored file does not match its registered sha256.
    """
    _check_name(name)
    if progress is None:
        progress = sys.stderr.isatty()
    mirror = _mirror()
    out = []
    for _, row in files(name).iterrows():
        target = paths.raw_dir(name) / row["file"]
        if not (target.is_file() and file_sha256(target) == row["sha256"]):
            if mirror is not None:
                _copy_from_mirror(name, row, target, mirror)
            else:
                _download(name, row, target, progress)
        out.append(target)
    return out


def load(name: str, table: str = "creators") -> pd.DataFrame:
    """Return a canonical table of a data set from ``data/processed/``, building it if missing.

    Parameters
    ----------
    name : str
        A name from :func:`names`.
    table : {"posts", "creators"}
        Which canonical table (see :mod:`insights.schemas`). ``info(name)["tables"]`` lists the
        tables a data set has.

    Returns
    -------
    DataFrame
        The validated canonical table, rows sorted by key.
    """
    from insights import pipeline  # local import: pipeline imports the recipes

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

    See :mod:`insights.cleanlog` for their columns.
    """
    from insights import pipeline

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
