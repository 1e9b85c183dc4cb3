"""Registry of the public data sets: names, files, checksums, citations, designs; fetch.

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
from collections.abc import Iterable
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
    "file_sha256",
    "HAZARDS",
    "design_hazards",
    "where_hazard",
    "design_class",
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


#: Sampling designs that the simulations of notebook 05 ("can we trust the tests")
#: show to bias the claim tests; a matching design adds its warning to a result's notes.
HAZARDS = {
    "selected_on_outcome": (
        "rows were selected on their engagement (top posts, engagement-ranked list): this "
        "biases the elasticity towards 0 or below, so a C1 'supported' here is manufactured "
        "by the selection (notebook 05)"
    ),
    "top_n": (
        "only the largest accounts (a top-N list): the narrow follower range makes the "
        "elasticity imprecise and says nothing about small creators (notebook 05)"
    ),
    "follower_floor": "accounts below a follower floor are absent (no bias on b, less range)",
    "display_rounding": (
        "counts are display-rounded (e.g. 87.2K); the bias this adds was measured as "
        "negligible for b in notebook 05"
    ),
}


def design_hazards(frame: pd.DataFrame) -> tuple[str, ...]:
    """The known design hazards of the registered data set(s) a table comes from.

    Looks up the ``dataset`` column in the registry (``datasets.json``, key ``designs``),
    and the part or platform column the design is keyed by; returns the union, in
    :data:`HAZARDS` order. Tables from unregistered sources (an analyst's own file) have none:
    pass ``hazards=`` to the claim functions instead.

    Examples
    --------
    >>> design_hazards(pd.DataFrame({"dataset": ["top-insta-influencers-200"]}))
    ('top_n', 'display_rounding')
    >>> design_hazards(pd.DataFrame({"dataset": ["my-export"]}))
    ()
    """
    if "dataset" not in frame.columns:
        return ()
    found: set[str] = set()
    for name in frame["dataset"].dropna().astype(str).unique():
        if name not in names():
            continue
        design = info(name).get("designs") or {}
        by, table = design.get("by"), design.get("hazards", {})
        if by is None:
            found.update(table.get("*", []))
        elif by in frame.columns:
            for value in frame[by].dropna().astype(str).unique():
                found.update(table.get(value, []))
    return tuple(h for h in HAZARDS if h in found)


def where_hazard(hazard: str) -> list[str]:
    """The registered data sets (and parts) whose sampling design has ``hazard``.

    Examples
    --------
    >>> where_hazard("top_n")[:1]
    ['global-youtube-statistics-2023']
    >>> where_hazard("nothing")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: unknown design hazard 'nothing'; known: selected_on_outcome, top_n, ...
    """
    if hazard not in HAZARDS:
        raise ValueError(f"unknown design hazard {hazard!r}; known: {', '.join(HAZARDS)}")
    places = []
    for name in names():
        design = info(name).get("designs") or {}
        for key, hazards in sorted(design.get("hazards", {}).items()):
            if hazard in hazards:
                places.append(name if key == "*" else f"{name} ({key})")
    return places


def design_class(hazards: Iterable[str]) -> tuple[str, str]:
    """The design class a sample's hazards put it in, with the reason (``docs/analysis-plan.md``).

    ``selected_on_outcome`` makes a sample ``not evidence``; ``top_n`` makes it
    ``range-restricted``; anything else is ``evidence``.

    Examples
    --------
    >>> design_class(["selected_on_outcome", "display_rounding"])[0]
    'not evidence'
    >>> design_class(["top_n"])[0], design_class([])
    ('range-restricted', ('evidence', ''))
    """
    hazards = set(hazards)
    unknown = sorted(hazards - set(HAZARDS))
    if unknown:
        raise ValueError(f"unknown design hazards {unknown}; known: {list(HAZARDS)}")
    if "selected_on_outcome" in hazards:
        return "not evidence", "selected on the outcome: " + HAZARDS["selected_on_outcome"]
    if "top_n" in hazards:
        return "range-restricted", HAZARDS["top_n"]
    return "evidence", ""

