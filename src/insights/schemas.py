"""Canonical tables and their schemas: one vocabulary across the library.

The schemas are written with `pandera <https://pandera.readthedocs.io>`_, a well-kept
DataFrame validator, rather than hand-rolled checks: it checks dtypes, nullability, ranges and
uniqueness in one lazy pass and reports every failure case with its row. :func:`validate`
turns those failure cases into one :class:`SchemaViolation` whose message names the column,
the check, the rows and the offending values.

Tables
------
posts
    ``platform, creator, post_id, posted_at, likes, comments, shares, views, followers,
    collected_at, dataset`` (+ source-specific extras). Counts are per post, cumulative at
    ``collected_at``; ``followers`` is the author's follower count at collection time.
creators
    ``platform, creator, followers, posts, avg_likes, avg_comments, avg_shares, avg_views,
    engagement_rate, category, country, snapshot, dataset`` (+ extras). ``avg_*`` are means per
    recent post as the source reports them; ``engagement_rate`` is per follower, as a fraction
    (0.0139, not 1.39), and only where the source states one.
campaigns
    ``campaign, creator, platform, followers, fee, impressions, engagements, clicks,
    conversions, revenue, currency`` (an analyst's own data; money in one ``currency``).
accounts
    ``platform, account, fake, followers, following, posts, has_profile_picture, private,
    dataset``: accounts labelled by hand as fake or real (a ground truth for fake-follower
    rules); ``account`` is a pseudonymous id, never a handle.
poll
    ``question, segment_type, segment_id, segment, answer, count, share, dataset``: aggregated
    answers of a poll, one row per segment and answer (``share`` as published, a fraction).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

__all__ = [
    "table_kind",
    "CANONICAL_COLUMNS",
    "KEYS",
    "SchemaViolation",
    "conform",
    "schema",
    "validate",
]

PLATFORMS = ["instagram", "tiktok", "youtube", "twitter", "facebook", "twitch", "other"]
_TS = pd.DatetimeTZDtype("us", "UTC")

#: Canonical columns per table, in order, with their dtype.
CANONICAL_COLUMNS: dict[str, dict[str, object]] = {
    "posts": {
        "platform": "str",
        "creator": "str",
        "post_id": "str",
        "posted_at": _TS,
        "likes": "float64",
        "comments": "float64",
        "shares": "float64",
        "views": "float64",
        "followers": "float64",
        "collected_at": _TS,
        "dataset": "str",
    },
    "creators": {
        "platform": "str",
        "creator": "str",
        "followers": "float64",
        "posts": "float64",
        "avg_likes": "float64",
        "avg_comments": "float64",
        "avg_shares": "float64",
        "avg_views": "float64",
        "engagement_rate": "float64",
        "category": "str",
        "country": "str",
        "snapshot": "str",
        "dataset": "str",
    },
    "campaigns": {
        "campaign": "str",
        "creator": "str",
        "platform": "str",
        "followers": "float64",
        "fee": "float64",
        "impressions": "float64",
        "engagements": "float64",
        "clicks": "float64",
        "conversions": "float64",
        "revenue": "float64",
        "currency": "str",
    },
    "accounts": {
        "platform": "str",
        "account": "str",
        "fake": "boolean",
        "followers": "float64",
        "following": "float64",
        "posts": "float64",
        "has_profile_picture": "boolean",
        "private": "boolean",
        "dataset": "str",
    },
    "poll": {
        "question": "str",
        "segment_type": "str",
        "segment_id": "int64",
        "segment": "str",
        "answer": "str",
        "count": "int64",
        "share": "float64",
        "dataset": "str",
    },
}

#: Columns that identify one row; unique within a table of one data set.
KEYS: dict[str, list[str]] = {
    "posts": ["dataset", "platform", "post_id"],
    "creators": ["dataset", "platform", "snapshot", "creator"],
    "campaigns": ["campaign", "creator", "platform"],
    "accounts": ["dataset", "platform", "account"],
    "poll": ["dataset", "segment_id", "answer"],
}

_NON_NEGATIVE = {
    "posts": ["likes", "comments", "shares", "views", "followers"],
    "creators": [
        "followers",
        "posts",
        "avg_likes",
        "avg_comments",
        "avg_shares",
        "avg_views",
        "engagement_rate",
    ],
    "campaigns": [
        "followers",
        "fee",
        "impressions",
        "engagements",
        "clicks",
        "conversions",
        "revenue",
    ],
    "accounts": ["followers", "following", "posts"],
    "poll": ["count", "share"],
}
_REQUIRED = {
    "posts": ["platform", "creator", "post_id", "dataset"],
    "creators": ["platform", "creator", "followers", "snapshot", "dataset"],
    "campaigns": ["campaign", "creator", "currency"],
    "accounts": ["platform", "account", "fake", "dataset"],
    "poll": ["question", "segment_type", "segment_id", "segment", "answer", "count", "dataset"],
}


def table_kind(frame: pd.DataFrame) -> str:
    """Whether a table holds posts or creators: a ``post_id`` column marks a posts table.

    This is the one test of it in the library; a creators table never carries a post id.

    Examples
    --------
    >>> table_kind(pd.DataFrame(columns=["creator", "post_id", "likes"]))
    'posts'
    >>> table_kind(pd.DataFrame(columns=["creator", "avg_likes"]))
    'creators'
    """
    return "posts" if "post_id" in frame.columns else "creators"


class SchemaViolation(ValueError):
    """Raised when a table breaks its schema; the message names columns, rows and values."""


def _check_table(table: str) -> None:
    if table not in CANONICAL_COLUMNS:
        raise ValueError(f"unknown table {table!r}; expected one of {sorted(CANONICAL_COLUMNS)}")


def schema(table: str) -> pa.DataFrameSchema:
    """Return the pandera schema of a canonical table.

    Parameters
    ----------
    table : {"posts", "creators", "campaigns", "accounts", "poll"}

    Returns
    -------
    pandera.DataFrameSchema
        Extra columns are allowed; canonical columns are required, typed and range-checked.

    Examples
    --------
    >>> sorted(schema("creators").columns)[:3]
    ['avg_comments', 'avg_likes', 'avg_shares']
    """
    _check_table(table)
    columns = {}
    for name, dtype in CANONICAL_COLUMNS[table].items():
        checks = []
        if name in _NON_NEGATIVE[table]:
            checks.append(pa.Check.ge(0, error="must be >= 0"))
            checks.append(
                pa.Check(lambda s: np.isfinite(s) | s.isna(), element_wise=False,
                         error="must be finite")
            )
        if name == "platform":
            checks.append(pa.Check.isin(PLATFORMS, error=f"must be one of {PLATFORMS}"))
        columns[name] = pa.Column(dtype, checks=checks, nullable=name not in _REQUIRED[table])
    return pa.DataFrameSchema(
        columns,
        strict=False,
        ordered=True,
        unique=KEYS[table],
        report_duplicates="all",
        name=table,
    )


def conform(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Return ``frame`` with the canonical columns first, typed, extras after, rows sorted.

    Missing canonical columns are added as missing values; extras keep their order. Rows are
    sorted by the table's key so that outputs do not depend on input order.

    Parameters
    ----------
    frame : DataFrame
        A recipe's output.
    table : {"posts", "creators", "campaigns", "accounts", "poll"}

    Returns
    -------
    DataFrame
        A new frame with a fresh RangeIndex.

    Examples
    --------
    >>> out = conform(pd.DataFrame({"creator": ["b", "a"], "followers": [2, 1],
    ...                             "platform": "tiktok", "snapshot": "2020-11",
    ...                             "dataset": "demo"}), "creators")
    >>> out["creator"].tolist(), str(out["followers"].dtype)
    (['a', 'b'], 'float64')
    """
    _check_table(table)
    spec = CANONICAL_COLUMNS[table]
    out = {}
    for name, dtype in spec.items():
        if name in frame.columns:
            col = frame[name]
            if isinstance(dtype, pd.DatetimeTZDtype):
                if pd.api.types.is_numeric_dtype(col) and not col.isna().all():
                    raise TypeError(
                        f"column {name!r} holds numbers, not timestamps; convert epoch values "
                        "explicitly, e.g. pd.to_datetime(values, unit='s', utc=True)"
                    )
                col = pd.to_datetime(col, utc=True).astype(dtype)
            else:
                col = col.astype(dtype)
        else:
            col = pd.Series(np.nan if dtype == "float64" else None, index=frame.index)
            col = col.astype(dtype)
        out[name] = col
    extras = [c for c in frame.columns if c not in spec]
    result = pd.concat([pd.DataFrame(out, index=frame.index), frame[extras]], axis=1)
    return result.sort_values(KEYS[table], kind="stable").reset_index(drop=True)


def _describe_failures(failures: pd.DataFrame, max_listed: int) -> list[str]:
    lines = []
    failures = failures.assign(column=failures["column"].fillna("<table>"))
    for (column, check), group in failures.groupby(["column", "check"], sort=True, dropna=False):
        rows = [int(i) for i in group["index"].dropna().tolist()]
        values = group["failure_case"].tolist()
        shown_rows, shown_values = rows[:max_listed], values[:max_listed]
        more = f" (and {len(values) - max_listed} more)" if len(values) > max_listed else ""
        where = f"rows {shown_rows}{more}" if rows else "column"
        lines.append(f"column {column!r} fails {check}: {where}; values {shown_values}")
    return lines


def validate(frame: pd.DataFrame, table: str, *, max_listed: int = 10) -> pd.DataFrame:
    """Validate ``frame`` against the canonical schema of ``table``.

    Parameters
    ----------
    frame : DataFrame
        Table to check (not modified).
    table : {"posts", "creators", "campaigns", "accounts", "poll"}
    max_listed : int, default 10
        Offending rows quoted per column and check.

    Returns
    -------
    DataFrame
        ``frame`` itself, when valid.

    Raises
    ------
    SchemaViolation
        One line per failing column and check: the check, the row positions and the values.

    Examples
    --------
    >>> bad = conform(pd.DataFrame({"creator": ["a"], "followers": [-5.0],
    ...                             "platform": "tiktok", "snapshot": "2020-11",
    ...                             "dataset": "demo"}), "creators")
    >>> validate(bad, "creators")
    Traceback (most recent call last):
    ...
    insights.schemas.SchemaViolation: creators table breaks its schema:
    column 'followers' fails must be >= 0: rows [0]; values [-5.0]
    """
    try:
        schema(table).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        lines = _describe_failures(exc.failure_cases, max_listed)
        raise SchemaViolation(f"{table} table breaks its schema:\n" + "\n".join(lines)) from None
    return frame
