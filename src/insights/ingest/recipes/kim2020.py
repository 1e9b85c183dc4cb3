"""Recipe for ``kim2020-instagram-influencers``: Kim et al. (WWW 2020) influencer list + posts.

Two inputs, two tables:

``influencers.tsv`` → ``creators``
    The full influencer list (33,935 accounts, snapshot ``"2019"``, the authors' crawl): one
    row per account with ``creator`` (``Username``), ``category``, ``followers``
    (``#Followers``), ``posts`` (``#Posts``) and the extra ``followees`` (``#Followees``). The
    list has **no engagement columns**, so every ``avg_*`` column and ``engagement_rate`` stay
    missing (a note in the log says so).
``post_metadata_sample/*.json`` → ``posts``
    104 raw Instagram GraphQL ``shortcode_media`` objects (one post per file) from 11 accounts.
    ``post_id`` is the ``shortcode`` (the id in the post's URL; the numeric media id is kept as
    the extra ``media_id``), ``likes`` = ``edge_media_preview_like.count``, ``comments`` =
    ``edge_media_to_parent_comment.count``, ``posted_at`` = ``taken_at_timestamp`` (UTC),
    ``views`` = ``video_view_count`` (videos only; none in the sample). ``followers`` is joined
    from ``influencers.tsv`` by username: it is the account's count at the list's crawl, not at
    the post's date. ``collected_at`` is **unknown** (the crawl date of each file was not
    kept; likes and comments are cumulative at that unknown moment), so it is left missing.
    Extras: ``media_id``, ``media_type`` (``__typename``), ``is_video``, ``sponsored`` (True
    when ``edge_media_to_sponsor_user`` has edges, i.e. a paid-partnership tag),
    ``caption_chars`` (length of the caption; 0 without caption) and ``comments_field``
    (which GraphQL field the comment count came from).

Quirks handled (see the data set's PROVENANCE.md):

- header names start with ``#``: the file is read with no comment character, and the expected
  columns are checked so that a reader that swallowed the header fails loudly;
- line 2 of ``influencers.tsv`` is blank (a separator line in the original): the reader skips
  it and a note records how many blank lines were skipped (``source_row`` counts data rows,
  so ``source_row`` 1 is line 3 of the file);
- two typo category labels, ``fasion`` and ``fashion 0.5`` (one row each), are repaired to
  ``fashion`` and logged;
- seven of the 104 JSON files come from an older version of the GraphQL response that has no
  ``edge_media_to_parent_comment``; their comment count is read from
  ``edge_media_to_comment.count`` instead (``comments_field`` says which) and a note counts
  them;
- a post whose owner is not in ``influencers.tsv`` keeps a missing ``followers`` and is
  logged (none in the real sample).

JSON files are read in sorted file-name order, so the build is deterministic.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from insights.ingest.cleanlog import CleaningLog
from insights.ingest.recipes import CleanResult
from insights.ingest.recipes._common import drop_duplicates_logged, parse_column, read_csv_rows

__all__ = ["clean", "read_creators", "read_posts"]

NAME = "kim2020-instagram-influencers"
INFLUENCERS = "influencers.tsv"
POSTS_DIR = "post_metadata_sample"
SNAPSHOT = "2019"
PLATFORM = "instagram"

#: Source header → column name in the creators table.
CREATOR_COLUMNS = {
    "Username": "creator",
    "Category": "category",
    "#Followers": "followers",
    "#Followees": "followees",
    "#Posts": "posts",
}

#: Typo category labels in the source → the label they stand for.
CATEGORY_REPAIRS = {"fasion": "fashion", "fashion 0.5": "fashion"}

#: JSON fields (``pandas.json_normalize`` names, one level deep) used for the posts table.
POST_FIELDS = [
    "shortcode",
    "id",
    "__typename",
    "owner.username",
    "taken_at_timestamp",
    "edge_media_preview_like.count",
    "edge_media_to_parent_comment.count",
    "edge_media_to_comment.count",
    "video_view_count",
    "is_video",
    "edge_media_to_caption.edges",
    "edge_media_to_sponsor_user.edges",
]


def _blank_lines(path: Path) -> int:
    """Return the number of blank lines after the header line of a text file."""
    lines = pd.Series(path.read_text(encoding="utf-8").splitlines()[1:], dtype="str")
    return int(lines.str.strip().eq("").sum())


def read_creators(raw: Path, log: CleaningLog) -> pd.DataFrame:
    """Read and clean ``influencers.tsv`` into a creators table.

    Parameters
    ----------
    raw : Path
        The data set's raw folder.
    log : CleaningLog
        Receives the read note, category repairs and any dropped rows.

    Returns
    -------
    DataFrame
        One row per account: ``platform, creator, category, followers, posts, followees,
        snapshot, dataset, source_file, source_row``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "influencers.tsv").write_text(
    ...     "Username\\tCategory\\t#Followers\\t#Followees\\t#Posts\\n\\n"
    ...     "ann\\tfasion\\t1500\\t20\\t300\\n")
    >>> read_creators(folder, CleaningLog(NAME))[["creator", "category", "followers"]]
      creator category  followers
    0     ann  fashion     1500.0
    """
    path = raw / INFLUENCERS
    frame = read_csv_rows(path, raw, sep="\t", comment=None, encoding="utf-8")
    missing = sorted(set(CREATOR_COLUMNS) - set(frame.columns))
    if missing:
        raise ValueError(
            f"{INFLUENCERS}: expected columns {list(CREATOR_COLUMNS)}, missing {missing}; "
            f"got {list(frame.columns)}"
        )
    blank = _blank_lines(path)
    log.note(
        table="creators",
        step="read",
        rows_in=len(frame) + blank,
        rows_out=len(frame),
        description=(
            f"read {INFLUENCERS} (tab-separated; '#' in header names is not a comment); "
            f"skipped {blank} blank line(s) (line 2 is an empty separator line in the source); "
            "source_row counts data rows only"
        ),
    )
    log.note(
        table="creators",
        step="no-engagement",
        rows_in=len(frame),
        rows_out=len(frame),
        description=(
            "the influencer list has no engagement columns (likes/comments exist only in the "
            "post-metadata files, 104 of which are in the posts table); avg_* and "
            "engagement_rate are left missing"
        ),
    )
    frame = frame.rename(columns=CREATOR_COLUMNS)
    frame = frame.assign(
        creator=frame["creator"].str.strip(),
        category=frame["category"].str.strip(),
    )
    typo = frame["category"].isin(list(CATEGORY_REPAIRS)).to_numpy()
    frame = log.repair(
        frame,
        typo,
        column="category",
        new_values=frame["category"].map(CATEGORY_REPAIRS),
        table="creators",
        step="category-typo",
        reason="typo category label ('fasion' / 'fashion 0.5') repaired to 'fashion'",
    )
    for column in ["followers", "followees", "posts"]:
        frame = parse_column(frame, column, column, log, table="creators")
    frame = log.drop(
        frame,
        frame["creator"].fillna("").eq("").to_numpy(),
        table="creators",
        step="no-username",
        reason="empty Username",
    )
    frame = log.drop(
        frame,
        frame["followers"].isna().to_numpy(),
        table="creators",
        step="no-followers",
        reason="#Followers missing or not a count",
    )
    frame = drop_duplicates_logged(
        frame,
        ["creator"],
        log,
        table="creators",
        step="duplicate-username",
        reason="Username repeats an earlier row (kept the first)",
    )
    return frame.assign(platform=PLATFORM, snapshot=SNAPSHOT, dataset=NAME)


def _list_len(values: pd.Series) -> pd.Series:
    """Return the length of each list in ``values`` (missing where there is no list)."""
    return values.astype("object").str.len()


def read_posts(raw: Path, creators: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    """Read the post-metadata JSON files into a posts table, joining followers from the list.

    Parameters
    ----------
    raw : Path
        The data set's raw folder.
    creators : DataFrame
        Output of :func:`read_creators` (``creator`` → ``followers``); not modified.
    log : CleaningLog
        Receives the read note and any logged rows.

    Returns
    -------
    DataFrame
        One row per post, canonical post columns plus the extras listed in the module
        docstring and ``source_file`` / ``source_row`` (always 1: one object per file).

    Raises
    ------
    FileNotFoundError
        If ``post_metadata_sample/`` holds no JSON file.
    """
    files = sorted((raw / POSTS_DIR).glob("*.json"), key=lambda p: p.name)
    if not files:
        raise FileNotFoundError(f"no JSON files in {raw / POSTS_DIR}")
    records = [json.loads(p.read_text(encoding="utf-8")) for p in files]
    meta = pd.json_normalize(records, max_level=1)
    meta = meta.reindex(columns=POST_FIELDS)  # a field absent from every file: all missing
    log.note(
        table="posts",
        step="read",
        rows_in=len(files),
        rows_out=len(meta),
        description=(
            f"read {len(files)} Instagram GraphQL shortcode_media JSON files from {POSTS_DIR}/ "
            "in sorted file-name order (one post per file)"
        ),
    )
    parent = meta["edge_media_to_parent_comment.count"]
    legacy = parent.isna() & meta["edge_media_to_comment.count"].notna()
    sponsor_edges = _list_len(meta["edge_media_to_sponsor_user.edges"])
    caption = (
        meta["edge_media_to_caption.edges"].astype("object")
        .str.get(0).str.get("node").str.get("text")
    )
    frame = pd.DataFrame(
        {
            "platform": PLATFORM,
            "creator": meta["owner.username"].astype("str").str.strip(),
            "post_id": meta["shortcode"].astype("str"),
            "media_id": meta["id"].astype("str"),
            "media_type": meta["__typename"].astype("str"),
            "posted_at": pd.to_datetime(
                pd.to_numeric(meta["taken_at_timestamp"]), unit="s", utc=True
            ),
            "likes_raw": meta["edge_media_preview_like.count"],
            "comments_raw": parent.where(~legacy, meta["edge_media_to_comment.count"]),
            "views_raw": meta["video_view_count"],
            "collected_at": pd.Series(pd.NaT, index=meta.index, dtype="datetime64[us, UTC]"),
            "is_video": meta["is_video"].astype("boolean"),
            "sponsored": (sponsor_edges > 0).where(sponsor_edges.notna()).astype("boolean"),
            "caption_chars": caption.str.len().fillna(0).astype("int64"),
            "comments_field": pd.Series(
                np.select(
                    [parent.notna().to_numpy(), legacy.to_numpy()],
                    ["edge_media_to_parent_comment", "edge_media_to_comment"],
                    default=None,
                ),
                index=meta.index,
                dtype="str",
            ),
            "dataset": NAME,
            "source_file": [p.relative_to(raw).as_posix() for p in files],
            "source_row": np.ones(len(files), dtype="int64"),
        }
    )
    log.note(
        table="posts",
        step="comments-field",
        rows_in=len(frame),
        rows_out=len(frame),
        description=(
            f"{int(legacy.sum())} file(s) have the older response format without "
            "edge_media_to_parent_comment; comments read from edge_media_to_comment.count"
        ),
    )
    for source, target in [("likes_raw", "likes"), ("comments_raw", "comments"),
                           ("views_raw", "views")]:
        frame = parse_column(frame, source, target, log, table="posts")
    frame = frame.drop(columns=["likes_raw", "comments_raw", "views_raw"])
    frame = log.drop(
        frame,
        (frame["creator"].fillna("").eq("") | frame["post_id"].fillna("").eq("")).to_numpy(),
        table="posts",
        step="no-owner-or-shortcode",
        reason="owner.username or shortcode missing",
    )
    frame = drop_duplicates_logged(
        frame,
        ["post_id"],
        log,
        table="posts",
        step="duplicate-post",
        reason="shortcode repeats an earlier file (kept the first in file-name order)",
    )
    followers = creators.drop_duplicates("creator").set_index("creator")["followers"]
    frame = frame.assign(followers=frame["creator"].map(followers).astype("float64"))
    unknown = frame["followers"].isna().to_numpy()
    frame = log.repair(
        frame,
        unknown,
        column="followers",
        new_values=pd.Series(np.nan, index=frame.index),
        table="posts",
        step="owner-not-in-list",
        reason=f"owner.username not in {INFLUENCERS}; followers left missing",
    )
    return frame


def clean(raw: Path) -> CleanResult:
    """Clean the Kim et al. influencer list and post sample into creators and posts tables.

    Parameters
    ----------
    raw : Path
        ``data/raw/kim2020-instagram-influencers``.

    Returns
    -------
    CleanResult
        ``tables["creators"]`` (33,935 rows on the real data), ``tables["posts"]`` (104 rows)
        and the log.
    """
    log = CleaningLog(NAME)
    creators = read_creators(raw, log)
    posts = read_posts(raw, creators, log)
    return CleanResult(tables={"creators": creators, "posts": posts}, log=log)
