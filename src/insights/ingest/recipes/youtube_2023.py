"""Recipe for ``global-youtube-statistics-2023``: ~1,000 of the largest YouTube channels.

One creators table (platform ``youtube``, snapshot ``"2023"``), one row per channel:

- ``creator`` = ``Youtuber`` (the channel name as published, stripped), ``followers`` =
  ``subscribers``, ``posts`` = ``uploads``, ``category``, ``country`` = ``Country`` (the
  channel's country as the source gives it);
- ``avg_views`` = ``video_views / uploads``: **lifetime channel views per upload**, not views
  of recent videos as in other data sets; missing where the upload count is 0 or unreported,
  or where the channel reports 0 views (see ``auto_generated``);
- there are no likes or comments, so ``avg_likes``, ``avg_comments`` and ``engagement_rate``
  stay missing.

Extras: ``title`` (``Title``), ``country_code`` (``Abbreviation``), ``channel_type``,
``rank``, ``video_views`` (lifetime), ``video_views_rank``, ``country_rank``,
``channel_type_rank``, ``video_views_last_30_days``, ``subscribers_last_30_days``,
``created_year``, ``created`` (creation date where year, month and day parse),
``auto_generated``, ``uploads_unreported`` and four money columns
``lowest_monthly_earnings_usd``, ``highest_monthly_earnings_usd``,
``lowest_yearly_earnings_usd``, ``highest_yearly_earnings_usd``. These are **estimated ad
revenue of the channel in US dollars** (Social Blade-style ranges: recent views times an
assumed revenue per view). They are **not** what a brand pays for a sponsored video, not
fees, and not campaign ROI.

The six country-statistics columns (``Gross tertiary education enrollment (%)``,
``Population``, ``Unemployment rate``, ``Urban_population``, ``Latitude``, ``Longitude``) are
country-level figures joined onto the rows upstream, not channel data; they are left out (a
note in the log says so).

Quirks handled (see the data set's PROVENANCE.md):

- Latin-1 encoding and CRLF line endings; non-Latin channel names were destroyed upstream
  (``ýýý Kids Diana Show``) and are kept as they are;
- ``video_views`` uses scientific notation for some values (``2.28E+11``), so the largest
  view counts are rounded to three significant digits;
- missing values are the literal string ``nan`` (read as missing, never as a name);
- ``created_year`` 1970 (the Unix-epoch default, impossible for YouTube, launched 2005) is
  repaired to missing, logged; its creation date is then missing too;
- ``auto_generated`` is True where ``uploads == 0`` or ``video_views == 0`` in the source (46
  rows): the 8 zero-view rows are auto-generated topic channels (``YouTube Movies``,
  ``Music``, ``Gaming`` ...), kept but flagged, with ``avg_views`` missing. Most zero-upload
  rows, however, are ordinary channels with billions of views (``Dhar Mann``, ``Chris
  Brown``): an upload count of 0 beside positive views is impossible, so for those rows
  (``uploads_unreported``) ``posts`` is repaired to missing, logged;
- a repeated ``Youtuber`` name keeps its first (best-ranked) row; the others are logged;
- three pairs of rows share a ``Title`` (``Preston`` / ``PrestonPlayz``, ``Like Nastya`` /
  ``Like Nastya Vlog``, ``#Refugio Mental`` / a mangled copy of that name) with different
  subscriber counts but identical uploads and creation dates, which suggests columns copied
  between channels upstream; they are kept (different channels) and a note counts them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from insights.ingest.cleanlog import CleaningLog
from insights.ingest.parsing import MISSING_TOKENS
from insights.ingest.recipes import CleanResult
from insights.ingest.recipes._common import drop_duplicates_logged, parse_column, read_csv_rows

__all__ = ["clean"]

NAME = "global-youtube-statistics-2023"
FILE = "Global YouTube Statistics.csv"
SNAPSHOT = "2023"
TABLE = "creators"
EPOCH_YEAR = 1970
FIRST_YOUTUBE_YEAR = 2005

#: Numeric source columns → output column.
NUMBERS = {
    "subscribers": "followers",
    "uploads": "posts",
    "video_views": "video_views",
    "rank": "rank",
    "video_views_rank": "video_views_rank",
    "country_rank": "country_rank",
    "channel_type_rank": "channel_type_rank",
    "video_views_for_the_last_30_days": "video_views_last_30_days",
    "subscribers_for_last_30_days": "subscribers_last_30_days",
    "lowest_monthly_earnings": "lowest_monthly_earnings_usd",
    "highest_monthly_earnings": "highest_monthly_earnings_usd",
    "lowest_yearly_earnings": "lowest_yearly_earnings_usd",
    "highest_yearly_earnings": "highest_yearly_earnings_usd",
    "created_year": "created_year",
}
#: Text source columns → output column (``nan`` and other missing markers become missing).
TEXTS = {
    "category": "category",
    "Country": "country",
    "Abbreviation": "country_code",
    "channel_type": "channel_type",
    "Title": "title",
}
COUNTRY_STATISTICS = [
    "Gross tertiary education enrollment (%)",
    "Population",
    "Unemployment rate",
    "Urban_population",
    "Latitude",
    "Longitude",
]
REQUIRED = ["Youtuber", *NUMBERS, *TEXTS, "created_month", "created_date"]
OUTPUT = [
    "platform",
    "creator",
    "followers",
    "posts",
    "avg_views",
    "category",
    "country",
    "snapshot",
    "dataset",
    "title",
    "country_code",
    "channel_type",
    "rank",
    "video_views",
    "video_views_rank",
    "country_rank",
    "channel_type_rank",
    "video_views_last_30_days",
    "subscribers_last_30_days",
    "lowest_monthly_earnings_usd",
    "highest_monthly_earnings_usd",
    "lowest_yearly_earnings_usd",
    "highest_yearly_earnings_usd",
    "created_year",
    "created",
    "auto_generated",
    "uploads_unreported",
    "source_file",
    "source_row",
]


def _text(values: pd.Series) -> pd.Series:
    """Strip text and turn missing markers (``nan``, ``N/A``, empty ...) into missing."""
    text = values.str.strip()
    return text.where(~text.str.lower().isin(sorted(MISSING_TOKENS)).fillna(False))


def _created(frame: pd.DataFrame, log: CleaningLog) -> pd.DataFrame:
    """Add ``created`` (a date) from year, month name and day; log parts that do not parse."""
    year = frame["created_year"].astype("Int64").astype("str")
    literal = year + "-" + _text(frame["created_month"]).str.title() + "-" + _text(
        frame["created_date"]
    )
    parse = {"format": "%Y-%b-%d", "errors": "coerce"}
    bad = (literal.notna() & pd.to_datetime(literal, **parse).isna()).to_numpy()
    out = log.repair(
        frame.assign(created=literal),
        bad,
        column="created",
        new_values=pd.Series(pd.NA, index=frame.index, dtype="str"),
        table=TABLE,
        step="created-date",
        reason="created_year/created_month/created_date is not a calendar date; left missing",
    )
    return out.assign(created=pd.to_datetime(out["created"], **parse).astype("datetime64[s]"))


def clean(raw: Path) -> CleanResult:
    """Clean the Global YouTube Statistics 2023 file into a canonical creators table.

    Parameters
    ----------
    raw : Path
        ``data/raw/global-youtube-statistics-2023``.

    Returns
    -------
    CleanResult
        ``tables["creators"]`` (995 rows on the real data) and the log.

    Raises
    ------
    ValueError
        If an expected column is missing from the file.
    """
    log = CleaningLog(NAME)
    frame = read_csv_rows(raw / FILE, raw, encoding="latin-1")
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise ValueError(f"{FILE}: missing column(s) {missing}; got {list(frame.columns)}")
    log.note(table=TABLE, step="read", rows_in=len(frame), rows_out=len(frame),
             description=f"read {FILE} (Latin-1, CRLF; 'nan' strings are missing values)")
    log.note(table=TABLE, step="country-statistics", rows_in=len(frame), rows_out=len(frame),
             description="left out the country-level columns joined upstream: "
             + ", ".join(COUNTRY_STATISTICS))

    frame = frame.assign(
        creator=frame["Youtuber"].str.strip(),
        **{target: _text(frame[source]) for source, target in TEXTS.items()},
    )
    frame = log.drop(frame, frame["creator"].fillna("").eq("").to_numpy(), table=TABLE,
                     step="no-name", reason="empty Youtuber name")
    for source, target in NUMBERS.items():
        frame = parse_column(frame, source, target, log, table=TABLE)
    frame = log.drop(frame, frame["followers"].isna().to_numpy(), table=TABLE,
                     step="no-followers", reason="subscribers missing or not a count")
    frame = drop_duplicates_logged(
        frame, ["creator"], log, table=TABLE, step="duplicate-name",
        reason="Youtuber name repeats an earlier (better-ranked) row; kept the first",
    )

    shared_title = frame["title"].notna() & frame.duplicated(["title"], keep=False)
    log.note(
        table=TABLE,
        step="shared-title",
        rows_in=len(frame),
        rows_out=len(frame),
        description=(
            f"kept {int(shared_title.sum())} rows whose Title repeats another row's under a "
            "different Youtuber name and subscriber count; some of their columns (uploads, "
            "creation date) look copied between channels upstream"
        ),
    )
    epoch = (frame["created_year"] < FIRST_YOUTUBE_YEAR).to_numpy()
    frame = log.repair(
        frame,
        epoch,
        column="created_year",
        new_values=pd.Series(np.nan, index=frame.index),
        table=TABLE,
        step="epoch-year",
        reason=f"created_year before {FIRST_YOUTUBE_YEAR} (the {EPOCH_YEAR} Unix-epoch "
        "default); creation date set to missing",
    )
    frame = _created(frame, log)

    zero_views = frame["video_views"].eq(0)
    zero_uploads = frame["posts"].eq(0)
    unreported = (zero_uploads & frame["video_views"].gt(0)).to_numpy()
    frame = frame.assign(
        auto_generated=(zero_views | zero_uploads).to_numpy(),
        uploads_unreported=unreported,
    )
    log.note(
        table=TABLE,
        step="auto-generated",
        rows_in=len(frame),
        rows_out=len(frame),
        description=(
            f"kept and flagged {int(frame['auto_generated'].sum())} rows with 0 uploads or 0 "
            f"video views (auto_generated): {int(zero_views.sum())} with 0 views "
            f"(auto-generated topic channels), {int(zero_uploads.sum())} with 0 uploads"
        ),
    )
    frame = log.repair(
        frame,
        unreported,
        column="posts",
        new_values=pd.Series(np.nan, index=frame.index),
        table=TABLE,
        step="uploads-unreported",
        reason="uploads is 0 but video_views > 0 (impossible): upload count unreported, "
        "set to missing",
    )
    usable = frame["posts"].gt(0) & frame["video_views"].gt(0)
    frame = frame.assign(
        avg_views=(frame["video_views"] / frame["posts"]).where(usable),
        platform="youtube",
        snapshot=SNAPSHOT,
        dataset=NAME,
    )
    log.note(
        table=TABLE,
        step="avg-views",
        rows_in=len(frame),
        rows_out=len(frame),
        description=(
            "avg_views = lifetime video_views / uploads; missing for "
            f"{int((~usable).sum())} rows with 0 or unreported uploads or 0 views"
        ),
    )
    return CleanResult(tables={TABLE: frame[OUTPUT].reset_index(drop=True)}, log=log)
