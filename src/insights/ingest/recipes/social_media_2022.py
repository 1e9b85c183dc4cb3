"""Recipe for ``social-media-influencers-2022``: monthly top-1000 lists, three platforms.

Fifteen CSV files (Instagram, TikTok and YouTube; an undated spring release plus June,
September, November and December 2022) become **one** creators table with one row per
``(platform, snapshot, creator)``:

``creator``
    the handle, stripped and lower-cased (the column that holds it changes name from file to
    file; see :data:`FILES`). ``handle`` keeps it as published and ``display_name`` the
    display name.
``snapshot``
    the month of the file: ``"2022-06"``, ``"2022-09"``, ``"2022-11"``, ``"2022-12"``; the
    three undated files get ``"2022-03"``, an **approximation**: they are the earliest
    release, a copy existed by 2022-06-21, so they date from spring 2022 (probably March).
``followers``
    ``Followers`` / ``followers`` / ``Subscribers`` / ``Subscribers count`` (all mean
    followers or subscribers), parsed from display strings such as ``48.5M``.
``country``
    on Instagram files this is the **audience's main country** (HypeAuditor's "audience
    country": Cristiano Ronaldo → India), not the creator's nationality; on YouTube the
    undated file labels it ``Audience Country`` and later files ``Country``; TikTok files
    have none.
``category`` / ``category_2``
    first and second category label as published (the September YouTube file calls them
    ``Category_2`` / ``Category_3``).
Instagram extras
    ``avg_engagement`` = average likes + comments per recent post as published (``Engagement
    avg`` / ``Eng. (Avg.)``) and ``authentic_engagement`` = the part of it HypeAuditor judges
    to come from real accounts. The files do not split likes from comments, so ``avg_likes``
    and ``avg_comments`` stay missing for Instagram.
TikTok / YouTube
    ``avg_views``, ``avg_likes``, ``avg_comments`` (and ``avg_shares`` on TikTok), per recent
    video as published.
``rank``
    the file's ``Rank`` / ``S.no`` / ``s.no`` / ``row-cell`` column where it has one (missing
    for the undated and June files, which have no rank column).

No file states an engagement rate, so ``engagement_rate`` stays missing: compute it as
average engagement ÷ followers.

Quirks handled (see the data set's PROVENANCE.md):

- five header layouts with line breaks inside cells (``"Authentic engagement\\r\\n"``,
  ``"\\nCountry"``) and leading/trailing spaces: headers are stripped and mapped through a
  per-file table (:data:`FILES`); a header that does not match the table is an error, never
  a guess;
- handle and display-name columns swap names between files (``Influencer insta name`` holds
  the handle in the undated Instagram file, ``Name`` in November, ``name`` in December ...);
- numbers are display strings (``48.5M``, ``637K``, ``1.2B``, ``348.5``) with missing markers
  ``N/A``, ``N/A'``, ``-`` and empty cells; they are parsed by
  :func:`insights.ingest.recipes._common.parse_column`, which logs any invalid value;
- the November TikTok file starts with an entirely empty data row (dropped, logged) and names
  its rank column ``row-cell``;
- drops, in this order, each logged with its reason and source row: entirely empty rows;
  rows identical in every column to an earlier row of the same file; rows without a handle;
  rows without a parseable follower count; then repeated handles (case-insensitive) within
  one file, keeping the first row (the reason names the row it repeats). The same handle in
  different files is kept: those are different snapshots.

Selection warning: every file is a top-1000 list (Instagram ≥ 1.9M and YouTube ≥ 9.2M
followers; TikTok ranked by an engagement-based score), so follower–engagement slopes read off
these rows are biased by selection.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from insights.ingest.cleanlog import CleaningLog
from insights.ingest.parsing import MISSING_TOKENS
from insights.ingest.recipes import CleanResult
from insights.ingest.recipes._common import drop_duplicates_logged, parse_column, read_csv_rows

__all__ = ["FILES", "SourceFile", "clean"]

NAME = "social-media-influencers-2022"
TABLE = "creators"


@dataclass(frozen=True)
class SourceFile:
    """One monthly file: its platform, snapshot month and header map.

    ``columns`` maps each header cell, stripped of surrounding white space, to the column it
    becomes (``handle``, ``display_name``, ``rank``, ``category``, ``category_2``,
    ``followers``, ``country``, ``authentic_engagement``, ``avg_engagement``, ``avg_views``,
    ``avg_likes``, ``avg_comments``, ``avg_shares``).
    """

    platform: str
    snapshot: str
    columns: dict[str, str]


#: The November and December YouTube files share one header.
_YOUTUBE_NOV_DEC_HEADER = {
    "s.no": "rank",
    "Youtube channel": "handle",
    "youtuber name": "display_name",
    "Category": "category",
    "Followers": "followers",
    "Country": "country",
    "Views (Avg.)": "avg_views",
    "Likes (Avg.)": "avg_likes",
    "Comments (Avg.)": "avg_comments",
    "Category-2": "category_2",
}

#: Every file of the data set, with its exact (stripped) header and what each cell means.
FILES: dict[str, SourceFile] = {
    "social media influencers - instagram.csv": SourceFile(
        "instagram",
        "2022-03",
        {
            "Influencer insta name": "handle",
            "instagram name": "display_name",
            "category_1": "category",
            "category_2": "category_2",
            "Followers": "followers",
            "Audience country(mostly)": "country",
            "Authentic engagement": "authentic_engagement",
            "Engagement avg": "avg_engagement",
        },
    ),
    "social media influencers-instagram june 2022 - june 2022.csv": SourceFile(
        "instagram",
        "2022-06",
        {
            "instagram name": "handle",
            "influencer name": "display_name",
            "Category_1": "category",
            "Category_2": "category_2",
            "followers": "followers",
            "country": "country",
            "Eng. (Auth.)": "authentic_engagement",
            "Eng. (Avg.)": "avg_engagement",
        },
    ),
    "social media influencers - instagram sep-2022.csv": SourceFile(
        "instagram",
        "2022-09",
        {
            "S.no": "rank",
            "Instagram name": "handle",
            "Name": "display_name",
            "Subscribers": "followers",
            "Audience country": "country",
            "Authentic engagement": "authentic_engagement",
            "Engagement average": "avg_engagement",
            "Category_1": "category",
            "Category_2": "category_2",
        },
    ),
    "social media influencers-instagram - -nov 2022.csv": SourceFile(
        "instagram",
        "2022-11",
        {
            "s.no": "rank",
            "Name": "handle",
            "Instagram Name": "display_name",
            "Category-1": "category",
            "Followers": "followers",
            "Country": "country",
            "Eng. (Auth.)": "authentic_engagement",
            "Eng. (Avg.)": "avg_engagement",
            "Category-2": "category_2",
        },
    ),
    "social media influencers-INSTAGRAM - -DEC 2022.csv": SourceFile(
        "instagram",
        "2022-12",
        {
            "Rank": "rank",
            "name": "handle",
            "instagram name": "display_name",
            "Category_1": "category",
            "Category_2": "category_2",
            "followers": "followers",
            "country": "country",
            "Eng. (Auth.)": "authentic_engagement",
            "Eng. (Avg.)": "avg_engagement",
        },
    ),
    "social media influencers - tiktok.csv": SourceFile(
        "tiktok",
        "2022-03",
        {
            "Tiktoker name": "handle",
            "Tiktok name": "display_name",
            "Subscribers count": "followers",
            "Views avg.": "avg_views",
            "Likes avg": "avg_likes",
            "Comments avg.": "avg_comments",
            "Shares avg": "avg_shares",
        },
    ),
    "social media influencers-tiktok june 2022 - june 2022.csv": SourceFile(
        "tiktok",
        "2022-06",
        {
            "Tiktoker": "handle",
            "influencer name": "display_name",
            "Subscribers count": "followers",
            "Views avg.": "avg_views",
            "Likes avg": "avg_likes",
            "Comments avg.": "avg_comments",
            "Shares avg": "avg_shares",
        },
    ),
    "social media influencers - Tiktok sep 2022.csv": SourceFile(
        "tiktok",
        "2022-09",
        {
            "S.no": "rank",
            "Tiktoker name": "handle",
            "Tiktok name": "display_name",
            "Subscribers": "followers",
            "Views avg.": "avg_views",
            "Likes avg.": "avg_likes",
            "Comments avg.": "avg_comments",
            "Shares avg.": "avg_shares",
        },
    ),
    "social media influencers-tiktok - ---nov 2022.csv": SourceFile(
        "tiktok",
        "2022-11",
        {
            "row-cell": "rank",
            "Tiktoker name": "handle",
            "Tiktok name": "display_name",
            "Followers": "followers",
            "Views (Avg.)": "avg_views",
            "Likes (Avg.)": "avg_likes",
            "Comments (Avg.)": "avg_comments",
            "Shares (Avg.)": "avg_shares",
        },
    ),
    "social media influencers-TIKTOK - ---DEC 2022.csv": SourceFile(
        "tiktok",
        "2022-12",
        {
            "Rank": "rank",
            "Tiktoker name": "handle",
            "Tiktok name": "display_name",
            "followers": "followers",
            "views(avg)": "avg_views",
            "likes(avg.)": "avg_likes",
            "comments(avg.)": "avg_comments",
            "shares(avg.)": "avg_shares",
        },
    ),
    "social media influencers - youtube.csv": SourceFile(
        "youtube",
        "2022-03",
        {
            "youtuber name": "handle",
            "channel name": "display_name",
            "Category": "category",
            "Subscribers": "followers",
            "Audience Country": "country",
            "avg views": "avg_views",
            "avg likes": "avg_likes",
            "avg comments": "avg_comments",
        },
    ),
    "social media influencers-youtube june 2022 - june 2022.csv": SourceFile(
        "youtube",
        "2022-06",
        {
            "channel name": "handle",
            "youTuber": "display_name",
            "Category": "category",
            "Category_2": "category_2",
            "Subscribers count": "followers",
            "Country": "country",
            "Views avg.": "avg_views",
            "Likes avg": "avg_likes",
            "Comments avg.": "avg_comments",
        },
    ),
    "social media influencers - Youtube sep-2022.csv": SourceFile(
        "youtube",
        "2022-09",
        {
            "S.no": "rank",
            "Name": "display_name",
            "Youtuber": "handle",
            "Country": "country",
            "Subscribers": "followers",
            "Category_2": "category",
            "Avg. views": "avg_views",
            "Avg. likes": "avg_likes",
            "Avg Comments": "avg_comments",
            "Category_3": "category_2",
        },
    ),
    "social media influencers-youtube - --nov 2022.csv": SourceFile(
        "youtube",
        "2022-11",
        _YOUTUBE_NOV_DEC_HEADER,
    ),
    "social media influencers-YOUTUBE - --DEC 2022.csv": SourceFile(
        "youtube",
        "2022-12",
        _YOUTUBE_NOV_DEC_HEADER,
    ),
}

#: Columns every file's rows are mapped into (missing where a file has no such column).
DATA_COLUMNS = [
    "handle",
    "display_name",
    "rank",
    "category",
    "category_2",
    "followers",
    "country",
    "authentic_engagement",
    "avg_engagement",
    "avg_views",
    "avg_likes",
    "avg_comments",
    "avg_shares",
]
TEXT_COLUMNS = ["display_name", "category", "category_2", "country"]
NUMBER_COLUMNS = [c for c in DATA_COLUMNS if c not in ["handle", *TEXT_COLUMNS]]


def _read_file(raw: Path, name: str, spec: SourceFile, log: CleaningLog) -> pd.DataFrame:
    """Read one file, check its header against ``spec`` and map it to :data:`DATA_COLUMNS`."""
    frame = read_csv_rows(raw / name, raw, encoding="utf-8-sig")
    source = [c for c in frame.columns if c not in ("source_file", "source_row")]
    stripped = [c.strip() for c in source]
    if sorted(stripped) != sorted(spec.columns):
        raise ValueError(
            f"{name!r}: header {stripped} does not match the expected {list(spec.columns)}"
        )
    mapped = frame.rename(columns=dict(zip(source, [spec.columns[c] for c in stripped],
                                           strict=True)))
    log.note(
        table=TABLE,
        step="read",
        rows_in=len(frame),
        rows_out=len(frame),
        description=(
            f"read {name!r} ({spec.platform}, snapshot {spec.snapshot}); header "
            + ", ".join(f"{c!r}→{spec.columns[c]}" for c in stripped)
        ),
    )
    mapped = mapped.reindex(columns=[*DATA_COLUMNS, "source_file", "source_row"])
    return mapped.astype(dict.fromkeys(DATA_COLUMNS, "str")).assign(
        platform=spec.platform, snapshot=spec.snapshot
    )


def _read_all(raw: Path, log: CleaningLog) -> pd.DataFrame:
    """Read every file of :data:`FILES` (sorted by name) into one frame of raw strings."""
    missing = sorted(name for name in FILES if not (raw / name).is_file())
    if missing:
        raise FileNotFoundError(f"{raw}: missing file(s) {missing}")
    others = sorted(p.name for p in raw.glob("*.csv") if p.name not in FILES)
    if others:
        log.note(table=TABLE, step="unknown-files", rows_in=0, rows_out=0,
                 description=f"ignored CSV files not in the recipe's file table: {others}")
    frames = [_read_file(raw, name, FILES[name], log) for name in sorted(FILES)]
    return pd.concat(frames, ignore_index=True)


def _blank_to_missing(values: pd.Series) -> pd.Series:
    """Strip text and turn explicit missing markers (``N/A``, ``-``, empty ...) into NA."""
    text = values.str.strip()
    token = text.str.strip("'\"").str.strip().str.lower()
    return text.where(~token.isin(sorted(MISSING_TOKENS)).fillna(False) & text.notna())


def clean(raw: Path) -> CleanResult:
    """Clean the fifteen monthly files into one creators table.

    Parameters
    ----------
    raw : Path
        ``data/raw/social-media-influencers-2022``.

    Returns
    -------
    CleanResult
        ``tables["creators"]`` (one row per platform, snapshot and handle) and the log.

    Raises
    ------
    FileNotFoundError
        If a file of :data:`FILES` is missing.
    ValueError
        If a file's header is not the one :data:`FILES` expects.
    """
    log = CleaningLog(NAME)
    frame = _read_all(raw, log)
    frame = frame.assign(creator=frame["handle"].str.strip().str.lower())
    frame = frame.assign(creator=frame["creator"].where(frame["creator"] != ""))

    cells = frame[DATA_COLUMNS].apply(lambda col: col.str.strip())
    empty = (cells.isna() | cells.eq("")).all(axis=1).to_numpy()
    frame = log.drop(frame, empty, table=TABLE, step="empty-row",
                     reason="entirely empty row (every cell blank)")

    frame = drop_duplicates_logged(
        frame,
        ["source_file", *DATA_COLUMNS],
        log,
        table=TABLE,
        step="exact-duplicate",
        reason=lambda kept: "identical in every column to source_row " + kept
        + " of the same file",
        description="row identical in every column to an earlier row of the same file",
    )

    frame = log.drop(frame, frame["creator"].isna().to_numpy(), table=TABLE,
                     step="no-handle", reason="no handle")
    for column in NUMBER_COLUMNS:
        frame = parse_column(frame, column, column, log, table=TABLE)
    frame = log.drop(frame, frame["followers"].isna().to_numpy(), table=TABLE,
                     step="no-followers", reason="follower count missing or not a count")

    frame = drop_duplicates_logged(
        frame,
        ["source_file", "creator"],
        log,
        table=TABLE,
        step="duplicate-handle",
        reason=lambda kept: "handle repeats source_row " + kept
        + " of the same file (kept the first)",
        description="handle repeats an earlier row of the same file (kept the first)",
    )

    text = frame[TEXT_COLUMNS].apply(_blank_to_missing)
    markers = (text.isna() & frame[TEXT_COLUMNS].notna()).sum()
    log.note(
        table=TABLE,
        step="text-missing",
        rows_in=len(frame),
        rows_out=len(frame),
        description="explicit missing markers (empty, N/A, -) kept as missing: "
        + ", ".join(f"{c} {int(markers[c])}" for c in TEXT_COLUMNS),
    )
    frame = frame.assign(
        **{c: text[c] for c in TEXT_COLUMNS},
        handle=frame["handle"].str.strip(),
        dataset=NAME,
    )
    order = ["platform", "creator", "snapshot", "dataset", *DATA_COLUMNS,
             "source_file", "source_row"]
    return CleanResult(tables={TABLE: frame[order].reset_index(drop=True)}, log=log)
