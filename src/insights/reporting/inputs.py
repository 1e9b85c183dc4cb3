"""The work folder between ``insights report`` and its template notebook.

:func:`write_inputs` (the command) writes the cleaned table, its cleaning log and how the file
was read; :func:`read_inputs` (the notebook) reads them back as :class:`ReportInputs`. This
module imports only pandas, so the command does not pay for the statistics it never runs;
:mod:`insights.reporting.analyses` re-exports all three.

A posts file read in blocks (``--engine dask``) never comes to the notebook whole: the command
writes what the report needs from it instead (:func:`write_large_inputs`): one row per
creator (``creators.parquet``), the two C1 fits (``fits.json``), the cleaning log at scale
(``counts.parquet`` beside a capped ``events.parquet``) and, as ``table.parquet``, a seeded
sample of the cleaned posts for the figures.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["ReportInputs", "read_inputs", "write_inputs", "write_large_inputs"]

_FILES = {"table": "table.parquet", "steps": "steps.parquet", "events": "events.parquet",
          "meta": "intake.json"}
#: Written only for a file read in blocks (:func:`write_large_inputs`).
_LARGE = {"creators": "creators.parquet", "counts": "counts.parquet", "fits": "fits.json"}


@dataclass
class ReportInputs:
    """What the template notebook works on: the cleaned table, its log and how it was read."""

    table: pd.DataFrame
    steps: pd.DataFrame
    events: pd.DataFrame
    meta: dict = field(default_factory=dict)
    #: A file read in blocks: one row per creator (:func:`insights.scale.creator_summary`),
    #: the C1 fits by estimand, and every cleaning event counted by step and action;
    #: ``table`` is then a sample of the posts (``meta["sample"]`` rows).
    creators: pd.DataFrame | None = None
    fits: dict | None = None
    counts: pd.DataFrame | None = None

    @property
    def scaled(self) -> bool:
        """Whether the file was read in blocks (``table`` is a sample of its posts)."""
        return self.creators is not None

    @property
    def rows(self) -> int:
        """Rows analysed: the cleaned table's, or for a file read in blocks all its posts."""
        return int(self.meta["rows"]) if self.scaled else len(self.table)

    @property
    def level(self) -> str:
        return self.meta["level"]

    @property
    def components(self) -> tuple[str, ...]:
        return tuple(self.meta["components"])

    @property
    def label(self) -> str:
        return self.meta.get("file", "the file")

    @property
    def mode(self) -> str:
        """``engagement``, ``revenue`` or ``roster`` (:data:`insights.ingest.intake.MODES`)."""
        return self.meta.get("mode", "engagement")


def write_inputs(intake, folder: str | Path, *, extra: Mapping | None = None) -> Path:
    """Write an :class:`insights.ingest.intake.Intake` to ``folder`` for the template notebook.

    Returns the folder. ``extra`` is merged into ``intake.json`` (the command adds its
    options there).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    intake.table.to_parquet(folder / _FILES["table"], index=False)
    intake.log.steps().to_parquet(folder / _FILES["steps"], index=False)
    intake.log.events().to_parquet(folder / _FILES["events"], index=False)
    meta = {
        "file": intake.raw.path.name,
        "format": intake.raw.format,
        "encoding": intake.raw.encoding,
        "rows_read": intake.rows_read,
        "columns_found": list(intake.colmap.found),
        "mapping": intake.colmap.table().to_dict("records"),
        "level": intake.level,
        "level_reason": intake.level_reason,
        "currency": intake.currency,
        "components": list(intake.components),
        "mode": intake.mode,
        "notes": list(intake.notes),
        **dict(extra or {}),
    }
    (folder / _FILES["meta"]).write_text(json.dumps(meta, indent=2, default=str),
                                        encoding="utf-8")
    return folder


def write_large_inputs(folder: str | Path, *, sample: pd.DataFrame, creators: pd.DataFrame,
                       fits: Mapping, steps: pd.DataFrame, counts: pd.DataFrame,
                       events: pd.DataFrame, meta: Mapping) -> Path:
    """Write what the report needs from a posts file read in blocks (see the module's text).

    ``fits`` maps each C1 estimand to the fields of its :class:`insights.stats.Elasticity`,
    or to ``{"failure": why}``; ``meta`` must hold ``rows`` (posts analysed) and ``sample``.
    """
    for key in ("rows", "sample"):
        if key not in meta:
            raise ValueError(f"meta needs {key!r} for a file read in blocks")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sample.to_parquet(folder / _FILES["table"], index=False)
    steps.to_parquet(folder / _FILES["steps"], index=False)
    events.to_parquet(folder / _FILES["events"], index=False)
    creators.to_parquet(folder / _LARGE["creators"], index=False)
    counts.to_parquet(folder / _LARGE["counts"], index=False)
    (folder / _LARGE["fits"]).write_text(json.dumps(dict(fits), indent=2), encoding="utf-8")
    (folder / _FILES["meta"]).write_text(json.dumps(dict(meta), indent=2, default=str),
                                        encoding="utf-8")
    return folder


def read_inputs(folder: str | Path) -> ReportInputs:
    """Read what :func:`write_inputs` wrote."""
    folder = Path(folder)
    missing = [name for name in _FILES.values() if not (folder / name).exists()]
    if missing:
        raise FileNotFoundError(
            f"{folder}: missing {missing}; write them with write_inputs (build_report does)"
        )
    large = {}
    if (folder / _LARGE["creators"]).exists():
        large = {"creators": pd.read_parquet(folder / _LARGE["creators"]),
                 "counts": pd.read_parquet(folder / _LARGE["counts"]),
                 "fits": json.loads((folder / _LARGE["fits"]).read_text(encoding="utf-8"))}
    return ReportInputs(
        table=pd.read_parquet(folder / _FILES["table"]),
        steps=pd.read_parquet(folder / _FILES["steps"]),
        events=pd.read_parquet(folder / _FILES["events"]),
        meta=json.loads((folder / _FILES["meta"]).read_text(encoding="utf-8")),
        **large,
    )


