"""Long simulation studies, run once by a script and read by the notebooks, with their rows
checked in every build.

Some checks are too long for a notebook's run: the nested coverage of the calibrated interval
(:func:`insights.simulate.nested_coverage`) at 500 recalibrated samples of 300 inner samples
each is about half an hour per world on two cores. ``studies/nested_coverage.py`` runs it
(:func:`run_nested`) and writes, per world, ``studies/results/nested-<slug>.csv`` (one row per
outer sample) and ``nested-<slug>.json`` (the settings, the world's description and truth, the
package versions, the time it took). The run can stop and resume: rows are written after each
chunk of outer samples, atomically, and a rerun computes only the missing ones.

A notebook reads the table with :func:`load_nested`, which refuses a table made with other
settings or another world, and recomputes a few of its rows with :func:`check_nested`: each
outer sample has its own random stream, so a row recomputed alone must equal the stored one.
A study whose code, data or world changed therefore breaks the build instead of being read as
if it still held.
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from insights import paths, simulate

__all__ = ["NestedStudy", "NESTED", "results_dir", "run_nested", "load_nested", "check_nested",
           "StudyError"]

#: Columns whose recomputed value must equal the stored one to this relative tolerance.
TOLERANCE = 1e-9


class StudyError(RuntimeError):
    """A stored study cannot be read as the one asked for (missing, incomplete, other
    settings or another world)."""


@dataclass(frozen=True)
class NestedStudy:
    """The settings of one nested coverage study: the world's name (a key of
    :func:`insights.nbtools.findings.evidence_worlds`), the parent seed, the number of outer
    (recalibrated) samples and of inner samples per recalibrated world, the level and the fit.
    """

    world: str
    seed: int
    n_outer: int
    n_inner: int
    level: float = 0.95
    fit: str = "post PPML, clustered"

    def __post_init__(self) -> None:
        for name in ("seed", "n_outer", "n_inner"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < (name != "seed"):
                raise ValueError(f"{name} must be a whole number >= {int(name != 'seed')}, "
                                 f"got {value!r}")
        if not 0 < self.level < 1:
            raise ValueError(f"level must be between 0 and 1, got {self.level!r}")
        post_level = sorted(name for name, (_, level) in simulate.PRIMARY_FITS.items()
                            if level == "posts")
        if self.fit not in post_level:
            raise ValueError(f"fit must be one of {post_level}, got {self.fit!r}")

    @property
    def slug(self) -> str:
        """``TikTok by_user`` -> ``tiktok-by-user``: the files' name."""
        return "".join(c if c.isalnum() else "-" for c in self.world.lower()).strip("-")

    def settings(self) -> dict:
        return asdict(self)


#: The studies notebook 07 reads: 500 outer samples (a Monte-Carlo error of about 1 point at
#: 95%), each with the 300 inner samples the real analysis uses.
NESTED = (NestedStudy("TikTok by_user", seed=20261204, n_outer=500, n_inner=300),
          NestedStudy("Twitter", seed=20261205, n_outer=500, n_inner=300))


def results_dir() -> Path:
    """``studies/results`` of the project."""
    return paths.project_root() / "studies" / "results"


def _files(study: NestedStudy, folder: Path) -> tuple[Path, Path]:
    folder = Path(folder)
    return folder / f"nested-{study.slug}.csv", folder / f"nested-{study.slug}.json"


def _write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    temporary = path.with_name(f".{path.name}.partial")
    write(temporary)
    os.replace(temporary, path)


def _versions() -> dict:
    names = ("numpy", "pandas", "scipy", "statsmodels")
    return {"python": platform.python_version(), **{n: metadata.version(n) for n in names}}


def _describe(world: simulate.CalibratedWorld, study: NestedStudy) -> dict:
    return {"world_description": world.describe(),
            "truth": simulate.fit_truth(world, study.fit)}


def _read(study: NestedStudy, folder: Path) -> tuple[pd.DataFrame | None, dict | None]:
    table_path, meta_path = _files(study, folder)
    if not meta_path.exists() or not table_path.exists():
        return None, None
    meta = json.loads(meta_path.read_text())
    table = pd.read_csv(table_path, index_col="outer")
    return table, meta


def _same_study(meta: dict, study: NestedStudy, world: dict | None) -> str | None:
    """Why a stored study is not ``study`` (on ``world``), or None."""
    stored = meta.get("settings", {})
    differ = [f"{key} {stored.get(key)!r} (asked {value!r})"
              for key, value in study.settings().items() if stored.get(key) != value]
    if differ:
        return "its settings differ: " + "; ".join(differ)
    if world is not None and meta.get("world_description") != world["world_description"]:
        return (f"its world was {meta.get('world_description')!r}, the world is now "
                f"{world['world_description']!r}")
    return None


def run_nested(study: NestedStudy, world: simulate.CalibratedWorld, folder: Path | str, *,
               workers: int = 1, chunk: int = 20, restart: bool = False,
               progress: Callable[[str], None] | None = print) -> pd.DataFrame:
    """Run (or resume) ``study`` on ``world`` into ``folder``; returns the whole table.

    Outer samples are computed in chunks of ``chunk`` (each split over ``workers``
    processes); after each chunk the rows so far are written atomically with the settings, so
    an interrupted run loses at most one chunk and a rerun computes only what is missing. A
    stored table made with other settings or another world is refused unless ``restart``.
    ``progress`` receives one line per chunk (done, elapsed, estimated time left).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if chunk < 1:
        raise ValueError(f"chunk must be a whole number >= 1, got {chunk!r}")
    about = _describe(world, study)
    table, meta = _read(study, folder)
    if table is not None and not restart:
        why = _same_study(meta, study, about)
        if why:
            raise StudyError(f"{_files(study, folder)[0]} is another study: {why}; pass "
                             "restart=True (--restart) to replace it")
    else:
        table, meta = None, {"seconds": 0.0}
    done = set() if table is None else {int(i) for i in table.index}
    missing = [i for i in range(study.n_outer) if i not in done]
    seconds = float(meta.get("seconds", 0.0))
    tables = [] if table is None else [table]
    started = time.perf_counter()
    for first in range(0, len(missing), chunk):
        positions = missing[first:first + chunk]
        tables.append(simulate.nested_coverage(
            world, n_outer=study.n_outer, n_inner=study.n_inner,
            rng=np.random.default_rng(study.seed), fit=study.fit, level=study.level,
            workers=workers, only=positions))
        table = pd.concat(tables).sort_index()
        tables = [table]
        elapsed = seconds + time.perf_counter() - started
        _store(study, folder, table, about, elapsed)
        if progress is not None:
            this_run = time.perf_counter() - started
            left = this_run / (first + len(positions)) * (len(missing) - first - len(positions))
            progress(f"{study.world}: {len(table)}/{study.n_outer} outer samples, "
                     f"{this_run / 60:.1f} min, about {left / 60:.1f} min left")
    return table


def _store(study: NestedStudy, folder: Path, table: pd.DataFrame, about: dict,
           seconds: float) -> None:
    table_path, meta_path = _files(study, folder)
    _write_atomically(table_path, lambda p: table.to_csv(p, float_format="%.17g"))
    meta = {"settings": study.settings(), **about, "rows": len(table),
            "complete": len(table) == study.n_outer, "seconds": round(seconds, 1),
            "versions": _versions()}
    _write_atomically(meta_path, lambda p: p.write_text(json.dumps(meta, indent=2) + "\n"))


def load_nested(study: NestedStudy, folder: Path | str | None = None, *,
                world: simulate.CalibratedWorld | None = None) -> tuple[pd.DataFrame, dict]:
    """The stored table of ``study`` and its settings file; refused (:class:`StudyError`,
    one line) when missing, incomplete, made with other settings, or, given ``world``, made
    on a world whose description differs."""
    folder = results_dir() if folder is None else Path(folder)
    table, meta = _read(study, folder)
    table_path = _files(study, folder)[0]
    if table is None:
        raise StudyError(f"{table_path} (or its .json) is missing: run "
                         f"python studies/nested_coverage.py --world {study.world!r}")
    why = _same_study(meta, study, None if world is None else _describe(world, study))
    if why:
        raise StudyError(f"{table_path} is not this study: {why}")
    if len(table) != study.n_outer or list(table.index) != list(range(study.n_outer)):
        raise StudyError(f"{table_path} holds {len(table)} of {study.n_outer} outer samples: "
                         "resume it with python studies/nested_coverage.py")
    return table, meta


def check_nested(study: NestedStudy, world: simulate.CalibratedWorld, table: pd.DataFrame,
                 positions: Sequence[int], *, workers: int = 1) -> pd.DataFrame:
    """Recompute the rows ``positions`` of a stored ``table`` and compare.

    Returns one row per position and column: ``stored``, ``recomputed`` and ``equal``
    (numbers within a relative :data:`TOLERANCE`, flags identical).
    """
    again = simulate.nested_coverage(
        world, n_outer=study.n_outer, n_inner=study.n_inner,
        rng=np.random.default_rng(study.seed), fit=study.fit, level=study.level,
        workers=workers, only=list(positions))
    rows = []
    for position in again.index:
        for column in again.columns:
            stored, recomputed = table.loc[position, column], again.loc[position, column]
            if isinstance(recomputed, (bool, np.bool_)):
                equal = bool(stored) == bool(recomputed)
            else:
                equal = bool(np.isclose(stored, recomputed, rtol=TOLERANCE, atol=0.0))
            rows.append({"outer": position, "column": column, "stored": stored,
                         "recomputed": recomputed, "equal": equal})
    return pd.DataFrame(rows)
