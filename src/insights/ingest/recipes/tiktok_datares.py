"""Recipe for ``tiktok-datares-2020``: TikTok videos with their authors' follower counts.

The data set (UCLA DataRes "How to Become TikTok Famous", November 2020; see its
PROVENANCE.md) has 31 CSV files in three *parts*, read in this priority order:

``by_user``
    recent videos of suggested and top creators (5 files);
``by_sound``
    the top-ranked videos of 22 popular sounds, one sound per file (19 files + 3 in
    ``not_songs/``);
``trending``
    four snapshots of the trending feed (2, 6, 7 and 10 November 2020).

Outputs
-------
``posts``
    one row per unique video id, canonical columns plus ``part``, ``sound`` (the ``song``
    column: in ``by_sound`` files it is the file's sound), ``song_id`` (``by_sound`` only),
    ``video_length`` (seconds; not in ``by_sound``), ``hashtags`` (the raw Python-list string;
    not in ``by_sound``), ``author_total_likes``, ``author_total_videos``, ``age_days``
    (collection time minus upload time, in days), ``also_in`` (sorted, comma-joined other parts
    in which the same id was seen; empty when none), ``source_file`` and ``source_row``.
``creators``
    one row per author over all of that author's kept posts, snapshot ``2020-11``:
    ``followers`` from the author's latest collected row, ``posts`` = the author's total number
    of videos (``n_total_vids``) from that row, ``avg_*`` = means over the kept posts,
    ``engagement_rate`` missing (the source states none; analyses compute their own), plus
    ``total_likes`` (``n_total_likes``), ``parts`` (sorted, comma-joined parts in which the
    author has a valid row, duplicates included), ``n_posts_observed`` (kept posts) and
    ``followers_collected_at``. ``posts`` and ``total_likes`` come from the latest row where they
    are not missing.

Collection times
----------------
The source records no collection time, so ``collected_at`` is a fixed constant per part (per
file for ``trending``): the *end* of the collection day in US Pacific time (UTC-8 in November
2020), the students' time zone. The trending file names are Pacific dates (``trending_11_6``
holds a video uploaded at 2020-11-07 03:20 UTC, i.e. 19:20 on 6 November in Los Angeles). For
``by_user`` and ``by_sound`` the collection day is taken as the Pacific date of the part's
newest upload, the earliest day on which the part can have been collected:

============================  ================  ===========================
part / file                   collection day    ``collected_at`` (UTC)
============================  ================  ===========================
``by_user/*``                 2020-11-07        2020-11-08 08:00
``by_sound/**``               2020-11-16        2020-11-17 08:00
``trending/trending_11_2``    2020-11-02        2020-11-03 08:00
``trending/trending_11_6``    2020-11-06        2020-11-07 08:00
``trending/trending_11_7``    2020-11-07        2020-11-08 08:00
``trending/trending_11_10``   2020-11-10        2020-11-11 08:00
============================  ================  ===========================

``age_days`` is therefore an upper bound of a video's age at collection for most rows; the
``song_data_<n>`` files of ``by_sound`` end on 9 November and were probably collected about a
week before the ``song_data<id>`` files, so their ages may be overstated by up to ~8 days.

Cleaning steps (each logged in the :class:`~insights.ingest.cleanlog.CleaningLog`)
--------------------------------------------------------------------------
1. Read every file (strings), check its header, tag ``part`` and ``collected_at``.
2. Drop rows without a video id or an author handle (keys of the canonical tables).
3. Parse every count, ``video_length`` and ``create_time`` with :mod:`insights.ingest.parsing`:
   an unparseable, negative or non-finite value is logged as a repair and set to missing
   (the real files have three negative ``n_total_vids``).
4. Drop posts whose author has ``n_followers == 0`` (parse failures of the display string,
   PROVENANCE.md) or a missing/unparseable follower count (useless for per-follower work and
   required by the creators table).
5. ``create_time`` before 2014-01-01 (before musical.ly, TikTok's predecessor, existed) or
   after the row's ``collected_at`` (a negative age) cannot be a real upload time: logged as a
   repair that sets ``posted_at`` (and so ``age_days``) to missing; the post is kept, as its
   counts are still valid. A missing ``create_time`` is kept as missing and counted in a note.
6. Deduplicate on the video id across the whole data set, *after* the row-quality drops so
   that a valid copy is never lost to an invalid one. The first row in priority order is kept:
   ``by_user`` over ``by_sound`` over ``trending``; within a part, the file order of
   :data:`FILES` (registry order: ``sug_users_vids1``-``4``, ``top_users_vids``; trending by
   date); within a file, the first row (``trending_11_6`` repeats most of its videos). Each
   dropped copy is logged with the file that kept the video; ``also_in`` records the other parts.
7. Aggregate the creators table (a note in the log, with how many authors' follower counts
   vary between their rows).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from insights.ingest.cleanlog import CleaningLog
from insights.ingest.recipes import CleanResult
from insights.ingest.recipes._common import parse_column, read_csv_rows

__all__ = ["NAME", "FILES", "PARTS", "COLLECTED_AT", "SNAPSHOT", "clean"]

NAME = "tiktok-datares-2020"
PLATFORM = "tiktok"
SNAPSHOT = "2020-11"

#: Parts in priority order (a video seen in several parts is kept from the first).
PARTS = ("by_user", "by_sound", "trending")

#: Every file of the data set, in priority order (registry order within a part).
FILES = (
    "by_user/sug_users_vids1.csv",
    "by_user/sug_users_vids2.csv",
    "by_user/sug_users_vids3.csv",
    "by_user/sug_users_vids4.csv",
    "by_user/top_users_vids.csv",
    "by_sound/song_data6736930971020528389.csv",
    "by_sound/song_data6738439639826287365.csv",
    "by_sound/song_data6744446812653947654.csv",
    "by_sound/song_data6746368108098784006.csv",
    "by_sound/song_data6755145210856016645.csv",
    "by_sound/song_data6763054442704145158.csv",
    "by_sound/song_data6778286560891718406.csv",
    "by_sound/song_data6800996740322297858.csv",
    "by_sound/song_data6801699011402156806.csv",
    "by_sound/song_data6839497849235950341.csv",
    "by_sound/song_data_0.csv",
    "by_sound/song_data_10.csv",
    "by_sound/song_data_11.csv",
    "by_sound/song_data_3.csv",
    "by_sound/song_data_4.csv",
    "by_sound/song_data_5.csv",
    "by_sound/song_data_6.csv",
    "by_sound/song_data_8.csv",
    "by_sound/song_data_9.csv",
    "by_sound/not_songs/song_data_1.csv",
    "by_sound/not_songs/song_data_2.csv",
    "by_sound/not_songs/song_data_7.csv",
    "trending/trending_11_2.csv",
    "trending/trending_11_6.csv",
    "trending/trending_11_7.csv",
    "trending/trending_11_10.csv",
)

_COMMON_COLUMNS = [
    "id",
    "create_time",
    "user_name",
    "song",
    "n_likes",
    "n_shares",
    "n_comments",
    "n_plays",
    "n_followers",
    "n_total_likes",
    "n_total_vids",
]
#: Header of the files of each part (order not checked).
COLUMNS = {
    "by_user": [*_COMMON_COLUMNS, "hashtags", "video_length"],
    "by_sound": [*_COMMON_COLUMNS, "song_id"],
    "trending": [*_COMMON_COLUMNS, "hashtags", "video_length"],
}

#: Source column → output column, all parsed as counts.
NUMERIC = {
    "create_time": "create_time_s",
    "n_likes": "likes",
    "n_comments": "comments",
    "n_shares": "shares",
    "n_plays": "views",
    "n_followers": "followers",
    "n_total_likes": "author_total_likes",
    "n_total_vids": "author_total_videos",
    "video_length": "video_length",
}

#: Collection day (US Pacific date) per part, and per file for the trending snapshots.
COLLECTION_DAY = {
    "by_user": "2020-11-07",
    "by_sound": "2020-11-16",
    "trending/trending_11_2.csv": "2020-11-02",
    "trending/trending_11_6.csv": "2020-11-06",
    "trending/trending_11_7.csv": "2020-11-07",
    "trending/trending_11_10.csv": "2020-11-10",
}


def _end_of_pacific_day(day: str) -> pd.Timestamp:
    """Return the end (24:00) of a November-2020 Pacific date (UTC-8) as a UTC timestamp."""
    start = pd.Timestamp(f"{day}T00:00:00-08:00")
    return (start + pd.Timedelta(days=1)).tz_convert("UTC").as_unit("us")


def _collected_at(file: str) -> pd.Timestamp:
    part = file.split("/", 1)[0]
    return _end_of_pacific_day(COLLECTION_DAY.get(file, COLLECTION_DAY.get(part, "")))


#: ``collected_at`` of every file (see the module docstring for the rule).
COLLECTED_AT = {file: _collected_at(file) for file in FILES}

#: Uploads before this are not real (musical.ly, TikTok's predecessor, launched in 2014).
EARLIEST_UPLOAD = pd.Timestamp("2014-01-01", tz="UTC")

_POST_COLUMNS = [
    "platform",
    "creator",
    "post_id",
    "posted_at",
    "likes",
    "comments",
    "shares",
    "views",
    "followers",
    "collected_at",
    "dataset",
    "part",
    "sound",
    "song_id",
    "video_length",
    "hashtags",
    "author_total_likes",
    "author_total_videos",
    "age_days",
    "also_in",
    "source_file",
    "source_row",
]


def _read_file(raw: Path, file: str) -> pd.DataFrame:
    """Read one file as strings with provenance, ``part`` and ``collected_at`` columns."""
    part = file.split("/", 1)[0]
    frame = read_csv_rows(raw / file, raw, encoding="utf-8")
    expected = COLUMNS[part]
    if set(frame.columns) - {"source_file", "source_row"} != set(expected):
        found = [c for c in frame.columns if c not in ("source_file", "source_row")]
        raise ValueError(
            f"{NAME}: {file} has columns {found}; expected {expected} for part {part!r}"
        )
    return frame.assign(part=part, collected_at=COLLECTED_AT[file])


def _read(raw: Path, log: CleaningLog) -> pd.DataFrame:
    """Read all files in priority order into one frame with a fresh RangeIndex."""
    frames = [_read_file(raw, file) for file in FILES]
    frame = pd.concat(frames, ignore_index=True)
    per_part = frame["part"].value_counts().reindex(list(PARTS), fill_value=0)
    counts = ", ".join(f"{part} {n:,}" for part, n in per_part.items())
    log.note(table="posts", step="read", rows_in=len(frame), rows_out=len(frame),
             description=f"read {len(FILES)} files as text ({counts} rows)")
    return frame


def _blank(values: pd.Series) -> pd.Series:
    """Return a mask of missing or white-space-only cells."""
    return values.isna() | values.astype("str").str.strip().eq("")


def _keys(frame: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    """Add stripped ``post_id`` and ``creator``; drop rows lacking either (logged)."""
    frame = frame.assign(post_id=frame["id"].str.strip(), creator=frame["user_name"].str.strip())
    no_id = _blank(frame["post_id"])
    frame = log.drop(frame, no_id, table="posts", step="missing-id",
                     reason="video id is empty (post_id is a key)")
    no_user = _blank(frame["creator"])
    return log.drop(frame, no_user, table="posts", step="missing-creator",
                    reason="user_name is empty (creator is a key)")


def _parse(frame: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    """Parse the numeric columns (invalid values logged and set to missing); note the gaps."""
    for source, target in NUMERIC.items():
        frame = parse_column(frame, source, target, log, table="posts")
    missing = []
    for source, target in NUMERIC.items():
        present = frame[source].notna()  # NaN only where the column is not in the row's file
        n_missing = int((present & frame[target].isna()).sum())
        if n_missing:
            missing.append(f"{source} {n_missing}")
    detail = ", ".join(missing) if missing else "none"
    log.note(table="posts", step="missing-values", rows_in=len(frame), rows_out=len(frame),
             description=f"values missing after parsing: {detail} (empty cells, and the "
                         "unparseable values logged by the parse-* steps; video_length is not "
                         "in by_sound files)")
    return frame


def _followers(frame: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    """Drop posts whose author's follower count is zero or missing (logged)."""
    zero = frame["followers"].eq(0).to_numpy()
    frame = log.drop(frame, zero, table="posts", step="zero-followers",
                     reason="n_followers == 0: parse failure of the author's follower count")
    missing = frame["followers"].isna().to_numpy()
    return log.drop(frame, missing, table="posts", step="missing-followers",
                    reason="n_followers missing or unparseable (see parse-followers)")


def _timestamps(frame: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    """Add ``posted_at`` and ``age_days``; impossible upload times are logged and set missing."""
    seconds = frame["create_time_s"]
    collected = frame["collected_at"].astype("datetime64[us, UTC]")
    collected_s = (collected - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    earliest_s = (EARLIEST_UPLOAD - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1)
    too_early = (seconds < earliest_s).to_numpy()
    too_late = (seconds > collected_s).to_numpy()
    shown = frame.assign(posted_at=frame["create_time"])  # log the raw text as the old value
    missing = pd.Series(pd.NA, index=frame.index, dtype="string")
    log.repair(shown, too_early, column="posted_at", new_values=missing, table="posts",
               step="create-time-too-early",
               reason="create_time before 2014-01-01 (not a real upload time); posted_at and "
                      "age_days set to missing")
    log.repair(shown, too_late, column="posted_at", new_values=missing, table="posts",
               step="create-time-after-collection",
               reason="create_time after the file's collection time (negative age); posted_at "
                      "and age_days set to missing")
    no_time = int((seconds.isna() & frame["create_time"].notna()).sum())
    log.note(table="posts", step="missing-create-time", rows_in=len(frame), rows_out=len(frame),
             description=f"{no_time} posts without a parseable create_time kept with posted_at "
                         "and age_days missing")
    valid = seconds.where(~(too_early | too_late))
    posted_at = pd.to_datetime(valid, unit="s", utc=True).astype("datetime64[us, UTC]")
    return frame.assign(
        posted_at=posted_at,
        collected_at=collected,
        age_days=(collected - posted_at) / pd.Timedelta(days=1),
    )


def _join_flags(flags: pd.DataFrame) -> pd.Series:
    """Join the column names whose flag is True, in column order, with commas (vectorised)."""
    joined = pd.Series("", index=flags.index, dtype="str")
    for name in flags.columns:
        joined = joined + np.where(flags[name].to_numpy(dtype=bool), f"{name},", "")
    return joined.str.removesuffix(",")


def _part_flags(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """Return, per row, whether any row with the same ``key`` is in each part (sorted)."""
    return pd.DataFrame(
        {part: frame[key].isin(frame.loc[frame["part"].eq(part), key]) for part in sorted(PARTS)}
    )


def _deduplicate(frame: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    """Keep the first row of every video id in priority order; log each dropped copy."""
    in_parts = _part_flags(frame, "post_id")
    own = pd.DataFrame({part: frame["part"].eq(part) for part in sorted(PARTS)})
    frame = frame.assign(also_in=_join_flags(in_parts & ~own))
    kept_file = frame.groupby("post_id", sort=False)["source_file"].transform("first")
    reason = "duplicate video id; kept the row from " + kept_file.astype("str")
    order = ", ".join(PARTS)
    within = frame.duplicated(["part", "post_id"], keep="first").to_numpy()
    frame = log.drop(frame, within, table="posts", step="duplicate-id-in-part", reason=reason,
                     description="same video id twice in one part: first row kept (file order "
                                 f"of FILES, then row order); priority {order}")
    across = frame.duplicated(["post_id"], keep="first").to_numpy()
    return log.drop(frame, across, table="posts", step="duplicate-id-across-parts",
                    reason=reason,
                    description=f"same video id in several parts: kept from the first of {order}")


def _posts(frame: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    """Return the posts table in output column order."""
    song = frame["song"].str.strip()
    no_song = _blank(song) & frame["song"].notna()
    log.note(table="posts", step="sound", rows_in=len(frame), rows_out=len(frame),
             description=f"{int(no_song.sum())} posts with an empty song kept with sound missing")
    posts = frame.assign(
        platform=PLATFORM,
        dataset=NAME,
        sound=song.where(~no_song),
        song_id=frame["song_id"].str.strip().where(~_blank(frame["song_id"])),
    )
    return posts[_POST_COLUMNS].reset_index(drop=True)


def _creators(posts: pd.DataFrame, seen: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    """Aggregate the kept posts into one row per creator (followers from the latest row).

    ``seen`` holds the valid rows before deduplication (``creator`` and ``part``), from which
    ``parts`` is taken, so a creator whose trending video was kept from ``by_user`` still
    lists ``trending``.
    """
    ordered = posts.assign(_order=np.arange(len(posts))).sort_values(
        ["creator", "collected_at", "_order"], ascending=[True, False, True], kind="stable"
    )
    grouped = ordered.groupby("creator", sort=True)
    latest = grouped[["followers", "author_total_videos", "author_total_likes",
                      "collected_at"]].first()
    means = grouped[["likes", "comments", "shares", "views"]].mean()
    parts = _join_flags(_part_flags(seen, "creator")).set_axis(seen["creator"].to_numpy())
    parts = parts[~parts.index.duplicated()]
    varying = int((grouped["followers"].nunique() > 1).sum())
    creators = pd.DataFrame(
        {
            "platform": PLATFORM,
            "creator": latest.index,
            "followers": latest["followers"].to_numpy(),
            "posts": latest["author_total_videos"].to_numpy(),
            "avg_likes": means["likes"].to_numpy(),
            "avg_comments": means["comments"].to_numpy(),
            "avg_shares": means["shares"].to_numpy(),
            "avg_views": means["views"].to_numpy(),
            "engagement_rate": np.nan,
            "snapshot": SNAPSHOT,
            "dataset": NAME,
            "total_likes": latest["author_total_likes"].to_numpy(),
            "parts": parts.reindex(latest.index).to_numpy(),
            "n_posts_observed": grouped.size().to_numpy(dtype="int64"),
            "followers_collected_at": latest["collected_at"].to_numpy(),
        }
    )
    log.note(
        table="creators", step="aggregate", rows_in=len(posts), rows_out=len(creators),
        description=(
            "one row per creator over all kept posts: followers, posts (n_total_vids) and "
            "total_likes from the latest collected row (first in priority order on ties), "
            "avg_* = means over kept posts, engagement_rate missing (not stated by the source); "
            f"{varying} creators have follower counts that vary between their rows"
        ),
    )
    return creators


def clean(raw: Path) -> CleanResult:
    """Clean the TikTok DataRes files into canonical posts and creators tables.

    Parameters
    ----------
    raw : Path
        ``data/raw/tiktok-datares-2020``, holding every file of :data:`FILES`.

    Returns
    -------
    CleanResult
        ``tables["posts"]`` (one row per unique video id), ``tables["creators"]`` (one row per
        author) and the log of every dropped or repaired row.

    Raises
    ------
    FileNotFoundError
        If a file of :data:`FILES` is missing.
    ValueError
        If a file's header is not the one expected for its part.

    Examples
    --------
    >>> from insights import paths
    >>> result = clean(paths.raw_dir(NAME))  # doctest: +SKIP
    >>> result.tables["posts"]["post_id"].is_unique  # doctest: +SKIP
    True
    """
    log = CleaningLog(NAME)
    frame = _read(raw, log)
    frame = _keys(frame, log)
    frame = _parse(frame, log)
    frame = _followers(frame, log)
    valid = _timestamps(frame, log)
    posts = _posts(_deduplicate(valid, log), log)
    creators = _creators(posts, valid[["creator", "part"]], log)
    return CleanResult(tables={"posts": posts, "creators": creators}, log=log)
