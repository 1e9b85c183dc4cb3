"""Record what every cleaning step did, so that nothing disappears silently.

A :class:`CleaningLog` collects two tables:

``steps``
    one row per step: dataset, table, step, rows_in, rows_out, dropped, repaired, description.
``events``
    one row per dropped or repaired source row: dataset, table, step, action (``dropped`` or
    ``repaired``), reason, source_file, source_row, creator, post_id, column, old_value,
    new_value.

Raw frames carry ``source_file`` (path inside the data set) and ``source_row`` (1-based data
row in that file, header excluded) so that every event points back to the exact input line.

Recipes use :meth:`CleaningLog.drop` and :meth:`CleaningLog.repair`, which both return a *new*
frame and never mutate their input, and :meth:`CleaningLog.note` for steps that only reshape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["CleaningLog", "EVENT_COLUMNS", "STEP_COLUMNS"]

STEP_COLUMNS = [
    "dataset",
    "table",
    "step",
    "rows_in",
    "rows_out",
    "dropped",
    "repaired",
    "description",
]
EVENT_COLUMNS = [
    "dataset",
    "table",
    "step",
    "action",
    "reason",
    "source_file",
    "source_row",
    "creator",
    "post_id",
    "column",
    "old_value",
    "new_value",
]


def _column_or_na(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name].astype("string")
    return pd.Series(pd.NA, index=frame.index, dtype="string")


def _as_text(values: pd.Series) -> pd.Series:
    return values.astype("string").where(values.notna(), pd.NA)


@dataclass
class CleaningLog:
    """Accumulate cleaning steps and per-row events for one data set.

    Parameters
    ----------
    dataset : str
        Registry name of the data set.

    Examples
    --------
    >>> log = CleaningLog("demo")
    >>> frame = pd.DataFrame({"creator": ["a", "b"], "followers": [10, 0],
    ...                       "source_file": "f.csv", "source_row": [1, 2]})
    >>> kept = log.drop(frame, frame["followers"] == 0, table="creators",
    ...                 step="zero-followers", reason="followers == 0 (parse failure)")
    >>> len(kept), log.events()["reason"].tolist()
    (1, ['followers == 0 (parse failure)'])
    """

    dataset: str
    _steps: list[dict] = field(default_factory=list, repr=False)
    _events: list[pd.DataFrame] = field(default_factory=list, repr=False)

    def _record_step(
        self, *, table: str, step: str, rows_in: int, dropped: int, repaired: int,
        description: str, rows_out: int | None = None,
    ) -> None:
        self._steps.append(
            {
                "dataset": self.dataset,
                "table": table,
                "step": step,
                "rows_in": int(rows_in),
                "rows_out": int(rows_in) - int(dropped) if rows_out is None else int(rows_out),
                "dropped": int(dropped),
                "repaired": int(repaired),
                "description": description,
            }
        )

    def note(
        self, *, table: str, step: str, rows_in: int, rows_out: int, description: str
    ) -> None:
        """Record a step that neither drops nor repairs rows individually (a read, a reshape)."""
        self._record_step(
            table=table, step=step, rows_in=rows_in, rows_out=rows_out, dropped=0, repaired=0,
            description=description,
        )

    def _event_frame(
        self,
        rows: pd.DataFrame,
        *,
        table: str,
        step: str,
        action: str,
        reason: str | pd.Series,
        column: str | None = None,
        old: pd.Series | None = None,
        new: pd.Series | None = None,
    ) -> pd.DataFrame:
        empty = pd.Series(pd.NA, index=rows.index, dtype="string")
        reasons = reason if isinstance(reason, pd.Series) else pd.Series(reason, index=rows.index)
        return pd.DataFrame(
            {
                "dataset": self.dataset,
                "table": table,
                "step": step,
                "action": action,
                "reason": reasons.astype("string"),
                "source_file": _column_or_na(rows, "source_file"),
                "source_row": (
                    rows["source_row"].astype("Int64")
                    if "source_row" in rows
                    else pd.Series(pd.NA, index=rows.index, dtype="Int64")
                ),
                "creator": _column_or_na(rows, "creator"),
                "post_id": _column_or_na(rows, "post_id"),
                "column": column if column is not None else pd.NA,
                "old_value": _as_text(old) if old is not None else empty,
                "new_value": _as_text(new) if new is not None else empty,
            },
            index=rows.index,
        ).reset_index(drop=True).astype({"dataset": "string", "table": "string", "step": "string",
                  "action": "string", "column": "string"})

    def drop(
        self,
        frame: pd.DataFrame,
        mask: pd.Series | np.ndarray,
        *,
        table: str,
        step: str,
        reason: str | pd.Series,
        description: str | None = None,
    ) -> pd.DataFrame:
        """Return ``frame`` without the rows where ``mask`` is True, logging each one.

        Parameters
        ----------
        frame : DataFrame
            Input rows (not modified).
        mask : bool Series or array
            True for rows to drop.
        table, step : str
            Where the step belongs.
        reason : str or Series
            Why each row is dropped; a Series gives a per-row reason (aligned on the index).
        description : str, optional
            Step description for the steps table (defaults to ``reason`` when it is a str).

        Returns
        -------
        DataFrame
            The kept rows, index unchanged.
        """
        mask = np.asarray(mask, dtype=bool)
        dropped = frame.loc[mask]
        if isinstance(reason, pd.Series):
            reason = reason.loc[dropped.index]
        self._events.append(
            self._event_frame(dropped, table=table, step=step, action="dropped", reason=reason)
        )
        self._record_step(
            table=table, step=step, rows_in=len(frame), dropped=int(mask.sum()), repaired=0,
            description=description or (reason if isinstance(reason, str) else step),
        )
        return frame.loc[~mask]

    def repair(
        self,
        frame: pd.DataFrame,
        mask: pd.Series | np.ndarray,
        *,
        column: str,
        new_values: pd.Series | object,
        table: str,
        step: str,
        reason: str,
    ) -> pd.DataFrame:
        """Return a copy of ``frame`` with ``column`` replaced where ``mask`` is True, logged.

        Parameters
        ----------
        frame : DataFrame
            Input rows (not modified).
        mask : bool Series or array
            True for rows to repair.
        column : str
            Column to change.
        new_values : scalar or Series
            Replacement values (a Series is aligned on the index).
        table, step, reason : str
            Where the step belongs and why.

        Returns
        -------
        DataFrame
            A new frame with the repaired values.
        """
        mask = np.asarray(mask, dtype=bool)
        rows = frame.loc[mask]
        if isinstance(new_values, pd.Series):
            replacement = new_values.loc[rows.index]
        else:
            replacement = pd.Series(new_values, index=rows.index)
        old = rows[column] if column in rows else pd.Series(pd.NA, index=rows.index)
        self._events.append(
            self._event_frame(
                rows,
                table=table,
                step=step,
                action="repaired",
                reason=reason,
                column=column,
                old=old,
                new=replacement,
            )
        )
        self._record_step(
            table=table, step=step, rows_in=len(frame), dropped=0, repaired=int(mask.sum()),
            description=reason,
        )
        out = frame.copy()
        if column not in out.columns:
            out[column] = pd.Series(pd.NA, index=out.index, dtype=replacement.dtype)
        if len(replacement) and replacement.isna().all():
            # Setting values to missing: let the column keep its own missing value (NaN, NA,
            # NaT), widening int to float; pandas 3 refuses NaN in int64 or a float array in str.
            out[column] = out[column].mask(mask)
        elif len(replacement):
            out.loc[rows.index, column] = replacement.to_numpy()
        return out

    def steps(self) -> pd.DataFrame:
        """Return the steps table, one row per recorded step, in order."""
        text = {c: "str" for c in ["dataset", "table", "step", "description"]}
        counts = {c: "int64" for c in ["rows_in", "rows_out", "dropped", "repaired"]}
        return pd.DataFrame(self._steps, columns=STEP_COLUMNS).astype(text | counts)

    def events(self) -> pd.DataFrame:
        """Return the events table, one row per dropped or repaired source row."""
        frames = [f for f in self._events if len(f)]
        if not frames:
            return pd.DataFrame({c: pd.Series(dtype="string") for c in EVENT_COLUMNS}).astype(
                {"source_row": "Int64"}
            )
        return pd.concat(frames, ignore_index=True)[EVENT_COLUMNS]

    def summary(self) -> pd.DataFrame:
        """Return dropped and repaired row counts per table, step and reason."""
        events = self.events()
        if events.empty:
            columns = {c: pd.Series(dtype="string") for c in ["table", "step", "action", "reason"]}
            return pd.DataFrame(columns | {"rows": pd.Series(dtype="int64")})
        return (
            events.groupby(["table", "step", "action", "reason"], sort=True, observed=True)
            .size()
            .rename("rows")
            .reset_index()
        )
