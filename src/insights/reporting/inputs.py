"""The work folder between ``insights report`` and its template notebook.

:func:`write_inputs` (the command) writes the cleaned table, its cleaning log and how the file
was read; :func:`read_inputs` (the notebook) reads them back as :class:`ReportInputs`. This
module imports only pandas, so the command does not pay for the statistics it never runs;
:mod:`insights.reporting.analyses` re-exports all three.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["ReportInputs", "read_inputs", "write_inputs"]

_FILES = {"table": "table.parquet", "steps": "steps.parquet", "events": "events.parquet",
          "meta": "intake.json"}


@dataclass
class ReportInputs:
    """What the template notebook works on: the cleaned table, its log and how it was read."""

    table: pd.DataFrame
    steps: pd.DataFrame
    events: pd.DataFrame
    meta: dict = field(default_factory=dict)

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


def read_inputs(folder: str | Path) -> ReportInputs:
    """Read what :func:`write_inputs` wrote."""
    folder = Path(folder)
    missing = [name for name in _FILES.values() if not (folder / name).exists()]
    if missing:
        raise FileNotFoundError(
            f"{folder}: missing {missing}; write them with write_inputs (build_report does)"
        )
    return ReportInputs(
        table=pd.read_parquet(folder / _FILES["table"]),
        steps=pd.read_parquet(folder / _FILES["steps"]),
        events=pd.read_parquet(folder / _FILES["events"]),
        meta=json.loads((folder / _FILES["meta"]).read_text(encoding="utf-8")),
    )


