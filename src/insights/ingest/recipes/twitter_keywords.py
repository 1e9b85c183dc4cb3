"""Recipe for ``twitter-keywords-2021``: original geotagged tweets found by keyword, 2020-2021.

Three files of one collection (Twitter API v2 full-archive search, newest first, query
``'<keyword> has:geo lang:en -is:retweet -is:reply'``), one keyword each; the keyword is kept
as ``topic``, the stratum of the claim tests:

============  =================  ==================================================
file          ``topic``          note
============  =================  ==================================================
``df1.csv``   ``5G``             7,269 rows, all distinct ids
``df7.csv``   ``Mars``           7,371 rows, only 3,969 distinct ids (pages read twice)
``df10.csv``  ``climate change`` 8,366 rows, all distinct ids
============  =================  ==================================================

Outputs
-------
``posts``
    one row per distinct tweet id: platform ``twitter``, ``creator`` = the author id,
    ``post_id`` = the tweet id, ``posted_at``, ``likes``, ``comments`` = replies,
    ``shares`` = retweets + quotes, ``followers`` = the author's follower count, plus
    ``topic``, ``topics`` (every topic whose file holds the id, comma-joined in file order),
    ``replies``, ``retweets``, ``quotes``, ``following``, ``author_tweets``, ``listed``,
    ``author_created_at``, ``country_code``, ``place_type``, ``age_days``, ``source_file``
    and ``source_row``.

**Tweet text never enters the table**, nor do place names, coordinates, bounding boxes or the
author's free-text location: the analyses need none of them, and Twitter's developer terms
restrict redistributing tweet content. Only ids, counts, dates, the country code and the
place type are kept.

Collection time
---------------
The counts were read once, after the search window closed (2021-04-30) and before the files
were committed (2021-06-12); the moment is not recorded, so ``collected_at`` is missing.
``age_days`` is the time from the tweet to the end of the window (2021-05-01 00:00 UTC): a
lower bound of its age at collection that is off by the same unknown amount (0-43 days) for
every tweet.

Cleaning steps (each logged)
----------------------------
1. Read the three files (strings) in the order above, check the header, tag ``topic``.
2. Parse every count with :func:`insights.ingest.parsing.parse_column` (a value that is not a
   non-negative count is logged and set to missing; the real files have none).
3. Deduplicate on the tweet id: first within a file (``df7.csv`` repeats 3,402 ids; 3,394 of
   the copies are identical rows, 8 differ by a like or retweet or two, being a second read),
   then across files (3 tweets match two or three keywords). The first row in file order is
   kept; each dropped copy is logged with the row it repeats and the columns that differ.
4. Authors with 0 followers are **kept** (a real count; a log model of followers leaves them
   out, and the claim functions say how many): a note counts them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from insights.ingest.cleanlog import CleaningLog
from insights.ingest.recipes import CleanResult
from insights.ingest.recipes._common import parse_column, read_csv_rows

__all__ = ["NAME", "FILES", "TOPICS", "WINDOW_END", "COLUMNS", "clean"]

NAME = "twitter-keywords-2021"
PLATFORM = "twitter"

#: The files, in priority order, with their keyword (checked on the texts: PROVENANCE.md).
TOPICS = {"df1.csv": "5G", "df7.csv": "Mars", "df10.csv": "climate change"}
FILES = tuple(TOPICS)

#: End of the search window; ``age_days`` counts from the tweet to this instant.
WINDOW_END = pd.Timestamp("2021-05-01T00:00:00Z")

#: The header every file must have.
COLUMNS = (
    "created_at", "text", "id", "author_id", "geo.name", "geo.country_code", "geo.country",
    "geo.place_type", "geo.geo.bbox", "geo.full_name", "public_metrics.retweet_count",
    "public_metrics.reply_count", "public_metrics.like_count", "public_metrics.quote_count",
    "author.created_at", "author.public_metrics.followers_count",
    "author.public_metrics.following_count", "author.public_metrics.tweet_count",
    "author.public_metrics.listed_count", "author.location", "lon", "lat", "lon1", "lat2",
)

#: Source column -> kept column, for the counts.
_COUNTS = {
    "public_metrics.like_count": "likes",
    "public_metrics.reply_count": "replies",
    "public_metrics.retweet_count": "retweets",
    "public_metrics.quote_count": "quotes",
    "author.public_metrics.followers_count": "followers",
    "author.public_metrics.following_count": "following",
    "author.public_metrics.tweet_count": "author_tweets",
    "author.public_metrics.listed_count": "listed",
}

#: What leaves the table: the text and everything that places a person.
_DROPPED = ("text", "geo.name", "geo.country", "geo.geo.bbox", "geo.full_name",
            "author.location", "lon", "lat", "lon1", "lat2")


def _read(raw: Path, log: CleaningLog) -> pd.DataFrame:
    frames = []
    for file, topic in TOPICS.items():
        frame = read_csv_rows(raw / file, raw)
        if tuple(frame.columns[:-2]) != COLUMNS:
            raise ValueError(
                f"{NAME}/{file}: unexpected header {list(frame.columns[:-2])}; expected "
                f"{list(COLUMNS)}"
            )
        log.note(table="posts", step="read", rows_in=len(frame), rows_out=len(frame),
                 description=f"read {file} (topic {topic!r})")
        frames.append(frame.drop(columns=list(_DROPPED)).assign(topic=topic))
    frame = pd.concat(frames, ignore_index=True)
    log.note(table="posts", step="drop-text", rows_in=len(frame), rows_out=len(frame),
             description="tweet text, place names, coordinates and author locations dropped "
                         "(never kept)")
    return frame


def _differences(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Per row, the columns whose value differs from the first row of the same id."""
    first = frame.groupby("post_id", sort=False)[columns].transform("first")
    differs = frame[columns].ne(first)
    names = np.array(columns, dtype=object)
    return pd.Series(
        [", ".join(names[row]) for row in differs.to_numpy()], index=frame.index, dtype=object
    )


def _deduplicate(frame: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    compared = [c for c in frame.columns if c not in ("source_file", "source_row", "topic")]
    kept_at = frame.groupby("post_id", sort=False)[["source_file", "source_row"]].transform(
        "first"
    )
    where = kept_at["source_file"] + " row " + kept_at["source_row"].astype(str)
    differs = _differences(frame, compared)
    detail = np.where(differs.eq(""), "identical row", "differs in " + differs)
    reason = pd.Series("repeats tweet id kept at " + where + " (" + detail + ")",
                       index=frame.index)
    pairs = frame[["post_id", "topic"]].drop_duplicates()
    topics = pairs.groupby("post_id", sort=False)["topic"].agg(", ".join)
    frame = frame.assign(topics=frame["post_id"].map(topics))
    within = frame.duplicated(["source_file", "post_id"], keep="first").to_numpy()
    frame = log.drop(frame, within, table="posts", step="duplicate-in-file", reason=reason,
                     description="tweet id repeated within a file (df7.csv holds pages read "
                                 "twice); the first row is kept")
    across = frame.duplicated("post_id", keep="first").to_numpy()
    return log.drop(frame, across, table="posts", step="duplicate-across-files", reason=reason,
                    description="tweet matching several keywords; kept under the first file's "
                                "topic, all topics listed in 'topics'")


def clean(raw: Path) -> CleanResult:
    """Clean the three keyword files into one canonical posts table (no text).

    Parameters
    ----------
    raw : Path
        ``data/raw/twitter-keywords-2021``.

    Returns
    -------
    CleanResult
        ``tables["posts"]`` (19,601 tweets by 12,245 authors in the registered files) and the
        log.
    """
    log = CleaningLog(NAME)
    frame = _read(raw, log)
    frame = frame.rename(columns={"id": "post_id", "author_id": "creator"})
    for source, target in _COUNTS.items():
        frame = parse_column(frame, source, target, log, table="posts")
    frame = _deduplicate(frame.drop(columns=list(_COUNTS)), log)
    posted = pd.to_datetime(frame["created_at"], utc=True, format="ISO8601")
    frame = frame.assign(
        platform=PLATFORM,
        posted_at=posted,
        author_created_at=pd.to_datetime(frame["author.created_at"], utc=True,
                                         format="ISO8601"),
        comments=frame["replies"],
        shares=frame["retweets"] + frame["quotes"],
        country_code=frame["geo.country_code"].str.strip().replace("", None),
        place_type=frame["geo.place_type"].str.strip().replace("", None),
        age_days=(WINDOW_END - posted).dt.total_seconds() / 86400.0,
        collected_at=pd.NaT,
        dataset=NAME,
    ).drop(columns=["created_at", "author.created_at", "geo.country_code",
                    "geo.place_type"])
    zero = frame["followers"].eq(0)
    log.note(table="posts", step="zero-followers", rows_in=len(frame), rows_out=len(frame),
             description=f"{int(zero.sum())} tweets by {frame.loc[zero, 'creator'].nunique()} "
                         "authors with 0 followers kept (a log model of followers leaves them "
                         "out)")
    return CleanResult(tables={"posts": frame.reset_index(drop=True)}, log=log)
