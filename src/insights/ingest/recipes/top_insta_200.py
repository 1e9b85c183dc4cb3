"""Recipe for ``top-insta-influencers-200``: the 200 largest Instagram accounts of a ranking.

Quirks handled (see the data set's PROVENANCE.md):

- the file starts with a UTF-8 byte-order mark (read with ``utf-8-sig``);
- numbers are display strings with ``k``/``m``/``b`` suffixes and ``%`` (parsed, with any
  unparseable value logged and set to missing);
- ``60_day_eng_rate`` is the literal ``NaN%`` for one account (rank 168, ``rkive``): kept as a
  missing engagement rate, logged as a repair so the gap is visible;
- ``country`` is empty for 62 accounts (kept as missing).

The source's ``60_day_eng_rate`` definition is undocumented, so it is kept as
``engagement_rate`` (a fraction per follower, as published) and ``avg_likes`` is kept
separately: analyses compute their own rate from counts.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from insights.ingest.cleanlog import CleaningLog
from insights.ingest.recipes import CleanResult
from insights.ingest.recipes._common import parse_column, read_csv_rows

NAME = "top-insta-influencers-200"
FILE = "top_insta_influencers_data.csv"
SNAPSHOT = "2022"


def clean(raw: Path) -> CleanResult:
    """Clean the top-200 Instagram table into a canonical creators table.

    Parameters
    ----------
    raw : Path
        ``data/raw/top-insta-influencers-200``.

    Returns
    -------
    CleanResult
        ``tables["creators"]`` (200 rows) and the log.
    """
    log = CleaningLog(NAME)
    frame = read_csv_rows(raw / FILE, raw, encoding="utf-8-sig")
    log.note(table="creators", step="read", rows_in=len(frame), rows_out=len(frame),
             description=f"read {FILE} (UTF-8 with byte-order mark)")
    frame = frame.rename(columns={"channel_info": "creator"})
    for source, target in [
        ("followers", "followers"),
        ("posts", "posts"),
        ("avg_likes", "avg_likes"),
        ("new_post_avg_like", "new_post_avg_likes"),
        ("total_likes", "total_likes"),
        ("influence_score", "influence_score"),
        ("rank", "rank"),
    ]:
        frame = parse_column(frame, source, target, log, table="creators")
    frame = frame.rename(columns={"60_day_eng_rate": "engagement_rate_raw"})
    frame = parse_column(
        frame, "engagement_rate_raw", "engagement_rate", log, table="creators", kind="percent"
    )
    nan_rate = frame["engagement_rate_raw"].str.strip().str.lower().eq("nan%").to_numpy()
    frame = log.repair(
        frame,
        nan_rate,
        column="engagement_rate",
        new_values=pd.Series(float("nan"), index=frame.index),
        table="creators",
        step="nan-percent",
        reason="60_day_eng_rate is the literal 'NaN%'; kept as a missing engagement rate",
    )
    empty_country = frame["country"].str.strip().eq("").to_numpy()
    frame = frame.assign(
        country=frame["country"].str.strip().where(~empty_country, None),
        creator=frame["creator"].str.strip(),
        platform="instagram",
        snapshot=SNAPSHOT,
        dataset=NAME,
    )
    log.note(table="creators", step="country", rows_in=len(frame), rows_out=len(frame),
             description=f"{int(empty_country.sum())} empty country cells kept as missing")
    frame = frame.drop(columns=["engagement_rate_raw", "new_post_avg_like"])
    return CleanResult(tables={"creators": frame}, log=log)
