"""Describe what a cleaned data set holds and which claims it can test.

Pure functions over canonical tables and cleaning logs; the data-audit notebook calls them for
every registered data set. Nothing here reads files (see :func:`insights.ingest.datasets.load` and
:func:`insights.ingest.datasets.cleaning_log`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from insights import metrics
from insights.tiers import assign_tiers
from insights.verdicts import CLAIMS

__all__ = [
    "CLAIMS",
    "engagement_columns",
    "follower_profile",
    "tier_counts",
    "coverage",
    "log_overview",
    "reason_counts",
    "step_counts",
    "capabilities",
    "claim_coverage",
]


MIN_CREATORS = 30


def engagement_columns(frame: pd.DataFrame, table: str) -> list[str]:
    """The columns counted as engagement in a canonical table: :func:`metrics.default_components`.

    Empty when the table has no engagement values. Views measure reach, not engagement, so they
    never count here.

    Examples
    --------
    >>> engagement_columns(pd.DataFrame({"avg_likes": [1.0], "avg_shares": [2.0]}), "creators")
    ['avg_likes']
    """
    try:
        return list(metrics.default_components(frame, kind=table))
    except ValueError:
        return []


def _per_creator(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (platform, creator) with the creator's largest follower count."""
    return (
        frame[["platform", "creator", "followers"]]
        .groupby(["platform", "creator"], sort=True, observed=True)["followers"]
        .max()
        .reset_index()
    )


def follower_profile(frame: pd.DataFrame) -> pd.Series:
    """Summarise follower counts per unique creator.

    Parameters
    ----------
    frame : DataFrame
        A canonical posts or creators table.

    Returns
    -------
    Series
        ``creators, min, median, max, under_10k, under_100k, at_least_1m`` (counts of unique
        creators, by their largest follower count in the table).

    Examples
    --------
    >>> t = pd.DataFrame({"platform": "tiktok", "creator": ["a", "a", "b"],
    ...                   "followers": [5e3, 5e3, 2e6]})
    >>> int(follower_profile(t)["under_10k"])
    1
    """
    followers = _per_creator(frame)["followers"]
    return pd.Series(
        {
            "creators": np.int64(followers.notna().sum()),
            "min": followers.min(),
            "median": followers.median(),
            "max": followers.max(),
            "under_10k": np.int64((followers < 1e4).sum()),
            "under_100k": np.int64((followers < 1e5).sum()),
            "at_least_1m": np.int64((followers >= 1e6).sum()),
        }
    )


def tier_counts(frame: pd.DataFrame, tier_scheme: str = "industry") -> pd.Series:
    """Count unique creators per tier (all tiers listed, zeros included)."""
    tiers = assign_tiers(_per_creator(frame)["followers"], tier_scheme)
    return tiers.value_counts(sort=False).rename("creators")


def coverage(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Count rows and unique creators per group (e.g. platform × snapshot), sorted."""
    grouped = frame.groupby(by, sort=True, observed=True, dropna=False)
    return pd.DataFrame(
        {"rows": grouped.size(), "creators": grouped["creator"].nunique()}
    ).reset_index()


def log_overview(steps: pd.DataFrame, table_rows: dict[str, int]) -> pd.DataFrame:
    """Rows read, dropped, repaired and kept per table, from a cleaning steps table.

    ``rows_read`` is the sum of the ``read`` steps (a data set read from several files has
    one per file), or the first step's ``rows_in`` where there is none. A table built by an
    ``aggregate`` step (creators summarised from posts) reads its input rows from that step.
    ``balanced`` checks the arithmetic: read − dropped = kept, or for an aggregate table, the
    aggregate step's output = kept.

    Parameters
    ----------
    steps : DataFrame
        ``cleaning_steps`` of one data set.
    table_rows : dict
        Rows of each final table.

    Returns
    -------
    DataFrame
        ``table, rows_read, dropped, repaired, rows_kept, balanced, source``.
    """
    rows = []
    for table, kept in sorted(table_rows.items()):
        own = steps.loc[steps["table"] == table]
        reads = own.loc[own["step"] == "read"]
        aggregate = own.loc[own["step"] == "aggregate"]
        if len(aggregate):
            read = int(aggregate["rows_in"].iloc[0])
            after = own.loc[aggregate.index[0]:]
            balanced = int(after["rows_out"].iloc[-1]) == kept
            source = "aggregated from rows of another table"
        else:
            read = int(reads["rows_out"].sum()) if len(reads) else int(own["rows_in"].iloc[0])
            balanced = read - int(own["dropped"].sum()) == kept
            source = f"{max(len(reads), 1)} read step(s)"
        rows.append(
            {
                "table": table,
                "rows_read": read,
                "dropped": int(own["dropped"].sum()),
                "repaired": int(own["repaired"].sum()),
                "rows_kept": int(kept),
                "balanced": bool(balanced),
                "source": source,
            }
        )
    return pd.DataFrame(rows)


def reason_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Count dropped and repaired rows per table, action and reason, largest first."""
    if events.empty:
        return pd.DataFrame(columns=["table", "action", "reason", "rows"])
    counts = (
        events.groupby(["table", "action", "reason"], sort=True, observed=True)
        .size()
        .rename("rows")
        .reset_index()
    )
    return counts.sort_values(
        ["table", "rows", "action", "reason"], ascending=[True, False, True, True],
        kind="stable", ignore_index=True,
    )


def step_counts(steps: pd.DataFrame) -> pd.DataFrame:
    """Return the steps that dropped or repaired rows: table, step, counts and description.

    Examples
    --------
    >>> steps = pd.DataFrame({"table": ["posts", "posts"], "step": ["read", "dedupe"],
    ...                       "dropped": [0, 3], "repaired": [0, 0],
    ...                       "description": ["read", "duplicate id"]})
    >>> step_counts(steps)["step"].tolist()
    ['dedupe']
    """
    changed = steps.loc[(steps["dropped"] > 0) | (steps["repaired"] > 0)]
    return changed[["table", "step", "dropped", "repaired", "description"]].reset_index(drop=True)


def capabilities(frame: pd.DataFrame, table: str) -> dict:
    """Measure what a canonical table can support: engagement, comments, authenticity, fees.

    Returns
    -------
    dict
        ``engaged_creators`` (creators with followers and a value in the engagement columns
        of :func:`engagement_columns` for their platform),
        ``decades`` (log10 span of their follower counts), ``under_50k`` / ``over_500k``
        (engaged creators on each side of the widest "micro" boundaries),
        ``comments_and_likes``, ``authentic``, ``fee``, ``category`` (the name of a category or
        topic column with values, or ``""``), ``platforms``.
    """
    followers = frame["followers"]
    # The claim tests run per platform, and each platform's rows get their own default
    # engagement columns (an Instagram list may have only a total, a TikTok one likes).
    measured = pd.Series(False, index=frame.index)
    for _, rows in frame.groupby("platform", sort=False):
        cols = engagement_columns(rows, table)
        if cols:
            measured[rows.index] = rows[cols].notna().any(axis=1)
    engaged = followers.gt(0) & measured
    sub = frame.loc[engaged]
    per_creator = _per_creator(sub)["followers"] if len(sub) else pd.Series(dtype=float)
    likes, comments = ("likes", "comments") if table == "posts" else ("avg_likes", "avg_comments")
    both = (
        frame[likes].notna() & frame[comments].notna()
        if {likes, comments} <= set(frame.columns)
        else pd.Series(False, index=frame.index)
    )
    decades = (
        float(np.log10(per_creator.max() / per_creator.min())) if len(per_creator) else 0.0
    )
    return {
        "engaged_creators": int(len(per_creator)),
        "decades": decades,
        "under_50k": int((per_creator < 5e4).sum()),
        "over_500k": int((per_creator >= 5e5).sum()),
        "comments_and_likes": int(_per_creator(frame.loc[both])["creator"].size),
        "authentic": bool(
            "authentic_engagement" in frame and frame["authentic_engagement"].notna().any()
        ),
        "fee": bool("fee" in frame and frame["fee"].notna().any()),
        "category": next((c for c in ("category", "topic")
                          if c in frame and frame[c].notna().any()), ""),
        "platforms": int(frame["platform"].nunique()),
    }


def _verdicts(cap: dict) -> dict[str, str]:
    n, decades = cap["engaged_creators"], cap["decades"]
    c1 = n >= MIN_CREATORS and decades >= 1.0
    if n == 0:
        c1_text = "no: no engagement measure"
    elif c1:
        c1_text = f"yes: {n:,} creators over {decades:.1f} decades of followers"
    else:
        c1_text = f"no: {n:,} creators over {decades:.1f} decades (need {MIN_CREATORS}, 1.0)"
    small, big = cap["under_50k"], cap["over_500k"]
    return {
        "C1": c1_text,
        "C2": (
            "yes: real fees" if cap["fee"] and c1
            else "assumed prices only: no fees" if c1 else "no: C1 not testable"
        ),
        "C3": (
            f"yes: {small:,} engaged creators <50k, {big:,} >=500k"
            if c1 and small >= 10 and big >= 10
            else f"no: {small:,} engaged creators <50k, {big:,} >=500k (need 10 each)"
        ),
        "C4": "assumed prices only: no fees" if c1 else "no: C1 not testable",
        "C5": (
            f"yes: {cap['comments_and_likes']:,} creators with likes and comments"
            if cap["comments_and_likes"] >= MIN_CREATORS and c1
            else "no: too few creators with both likes and comments"
        ),
        "C6": "yes: authentic engagement" if cap["authentic"] and c1 else "no: no authenticity",
        "C7": (
            f"niche only: has {cap['category']}" if cap["category"] and c1
            else f"no: {cap['category']} but no engagement" if cap["category"]
            else "no: no category or topic"
        ),
        "C8": "no: no purchase data",
    }


def claim_coverage(tables: dict[tuple[str, str], pd.DataFrame]) -> pd.DataFrame:
    """Say which claims each data set table can test, and why not where it cannot.

    Parameters
    ----------
    tables : dict
        ``{(data set, table name): canonical frame}``.

    Returns
    -------
    DataFrame
        One row per (data set, table); one column per claim with ``yes: …``, ``no: …`` or a
        qualified answer, computed from the data (see :func:`capabilities`).
    """
    rows = []
    for (name, table), frame in sorted(tables.items()):
        row = {"dataset": name, "table": table}
        if table in _OTHER_TABLES:
            row.update(_OTHER_TABLES[table])
        else:
            row.update(_verdicts(capabilities(frame, table)))
        rows.append(row)
    claims = [f"C{i}" for i in range(1, 9)]
    return pd.DataFrame(rows, columns=["dataset", "table", *claims])


#: Tables that hold no creators: what each can say about the claims.
_OTHER_TABLES = {
    "accounts": {
        **{claim: "no: follower accounts, not creators" for claim in
           ("C1", "C2", "C3", "C4", "C5", "C7", "C8")},
        "C6": "ground truth only: labelled fake followers, no creator sizes",
    },
    "poll": {
        **{claim: "no: aggregated poll answers" for claim in
           ("C1", "C2", "C3", "C4", "C5", "C6", "C7")},
        "C8": "nearest evidence only: a different question on a different base",
    },
}
