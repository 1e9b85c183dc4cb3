"""Tests for the ``global-youtube-statistics-2023`` recipe, on a tiny crafted Latin-1 file."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from insights import schemas
from insights.ingest.recipes import youtube_2023 as recipe

MIRROR = Path(
    os.environ.get("INSIGHTS_DATA_MIRROR", Path(__file__).resolve().parents[2] / "shared" / "data")
)
REAL = MIRROR / recipe.NAME

HEADER = [
    "rank", "Youtuber", "subscribers", "video_views", "category", "Title", "uploads", "Country",
    "Abbreviation", "channel_type", "video_views_rank", "country_rank", "channel_type_rank",
    "video_views_for_the_last_30_days", "lowest_monthly_earnings", "highest_monthly_earnings",
    "lowest_yearly_earnings", "highest_yearly_earnings", "subscribers_for_last_30_days",
    "created_year", "created_month", "created_date", "Gross tertiary education enrollment (%)",
    "Population", "Unemployment rate", "Urban_population", "Latitude", "Longitude",
]

# Crafted rows reproducing the quirks: scientific notation, 'nan', a 1970 epoch year, a
# zero-view topic channel, a zero-upload channel with views, a Latin-1 name and a repeated
# name. Country statistics are the same for every row (they are left out anyway).
ROWS = [
    ["1", "T-Series", "245000000", "2.28E+11", "Music", "T-Series", "20082", "India", "IN",
     "Music", "1", "1", "1", "2258000000", "564600", "9000000", "6800000", "108400000",
     "2000000", "2006", "Mar", "13"],
    ["2", "YouTube Movies", "170000000", "0", "Film & Animation", "youtubemovies", "1",
     "United States", "US", "Games", "4055159", "7670", "7423", "12", "0", "0.05", "0.04",
     "0.58", "nan", "2006", "Mar", "5"],
    ["3", "Music", "119000000", "0", "nan", "Music", "0", "nan", "nan", "Music", "4057944",
     "nan", "nan", "nan", "0", "0", "0", "0", "nan", "2013", "Sep", "24"],
    ["4", "YouTube", "36300000", "3010784935", "News & Politics", "YouTube", "744",
     "United States", "US", "Entertainment", "2860", "32", "5", "21103000", "5300", "84400",
     "63300", "1000000", "300000", "1970", "Jan", "1"],
    ["5", "Dhar Mann", "18400000", "11280732382", "People & Blogs", "Dhar Mann", "0",
     "United States", "US", "nan", "", "nan", "nan", "nan", "1", "2", "3", "4", "nan",
     "2018", "Feb", "30"],
    ["6", "Pok\u00e9mon ýýý", "15000000", "1000", "Gaming", "Pokemon", "10", "Japan", "JP",
     "Games", "9", "9", "9", "9", "9", "9", "9", "9", "nan", "nan", "nan", "nan"],
    ["7", "T-Series", "14000000", "2000", "Music", "T-Series 2", "20", "India", "IN", "Music",
     "9", "9", "9", "9", "9", "9", "9", "9", "nan", "2010", "Jan", "1"],
]
COUNTRY_STATS = ["28.1", "1366417754", "5.36", "471031528", "20.593684", "78.96288"]


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    lines = [",".join(HEADER)] + [",".join(row + COUNTRY_STATS) for row in ROWS]
    # Latin-1 bytes and CRLF line endings, as in the real file.
    (folder / recipe.FILE).write_bytes(("\r\n".join(lines) + "\r\n").encode("latin-1"))
    return folder


def test_values(raw: Path) -> None:
    result = recipe.clean(raw).tables["creators"]
    columns = ["creator", "followers", "posts", "avg_views", "video_views", "category",
               "country", "created_year", "created", "auto_generated", "uploads_unreported",
               "source_row"]
    expected = pd.DataFrame(
        {
            "creator": ["T-Series", "YouTube Movies", "Music", "YouTube", "Dhar Mann",
                        "Pok\u00e9mon ýýý"],
            "followers": [245e6, 170e6, 119e6, 36.3e6, 18.4e6, 15e6],
            "posts": [20082.0, 1.0, 0.0, 744.0, np.nan, 10.0],
            "avg_views": [2.28e11 / 20082, np.nan, np.nan, 3010784935 / 744, np.nan, 100.0],
            "video_views": [2.28e11, 0.0, 0.0, 3010784935.0, 11280732382.0, 1000.0],
            "category": ["Music", "Film & Animation", None, "News & Politics",
                         "People & Blogs", "Gaming"],
            "country": ["India", "United States", None, "United States", "United States",
                        "Japan"],
            "created_year": [2006.0, 2006.0, 2013.0, np.nan, 2018.0, np.nan],
            "created": pd.to_datetime(
                ["2006-03-13", "2006-03-05", "2013-09-24", None, None, None]
            ).astype("datetime64[s]"),
            "auto_generated": [False, True, True, False, True, False],
            "uploads_unreported": [False, False, False, False, True, False],
            "source_row": np.array([1, 2, 3, 4, 5, 6], dtype="int64"),
        }
    ).astype({"category": "str", "country": "str"})
    assert_frame_equal(result[columns], expected)


def test_money_columns_are_named_in_usd(raw: Path) -> None:
    result = recipe.clean(raw).tables["creators"]
    got = result.loc[result["creator"] == "YouTube Movies",
                     [c for c in result.columns if c.endswith("_earnings_usd")]]
    expected = pd.DataFrame(
        {"lowest_monthly_earnings_usd": [0.0], "highest_monthly_earnings_usd": [0.05],
         "lowest_yearly_earnings_usd": [0.04], "highest_yearly_earnings_usd": [0.58]},
        index=[1],
    )
    assert_frame_equal(got, expected)
    assert not set(recipe.COUNTRY_STATISTICS) & set(result.columns)


def test_every_drop_and_repair_is_logged(raw: Path) -> None:
    events = recipe.clean(raw).log.events()
    got = events[["step", "action", "source_row", "creator", "column", "old_value",
                  "new_value"]]
    expected = pd.DataFrame(
        {
            "step": ["duplicate-name", "epoch-year", "created-date", "uploads-unreported"],
            "action": ["dropped", "repaired", "repaired", "repaired"],
            "source_row": pd.array([7, 4, 5, 5], dtype="Int64"),
            "creator": ["T-Series", "YouTube", "Dhar Mann", "Dhar Mann"],
            "column": [None, "created_year", "created", "posts"],
            "old_value": [None, "1970.0", "2018-Feb-30", "0.0"],
            "new_value": [None, None, None, None],
        }
    ).astype({c: "string" for c in ["step", "action", "creator", "column", "old_value",
                                     "new_value"]})
    assert_frame_equal(got, expected)


def test_notes_count_the_flagged_rows(raw: Path) -> None:
    steps = recipe.clean(raw).log.steps().set_index("step")
    assert steps.loc["auto-generated", "description"].startswith(
        "kept and flagged 3 rows with 0 uploads or 0 video views"
    )
    assert "2 with 0 views" in steps.loc["auto-generated", "description"]
    assert steps.loc["read", "rows_in"] == 7


def test_table_conforms_and_validates(raw: Path) -> None:
    table = recipe.clean(raw).tables["creators"]
    conformed = schemas.validate(schemas.conform(table, "creators"), "creators")
    assert conformed["platform"].unique().tolist() == ["youtube"]
    assert conformed["snapshot"].unique().tolist() == ["2023"]


def test_input_file_is_not_changed(raw: Path) -> None:
    before = (raw / recipe.FILE).read_bytes()
    recipe.clean(raw)
    assert (raw / recipe.FILE).read_bytes() == before


@pytest.mark.slow
def test_real_data() -> None:
    if not (REAL / recipe.FILE).is_file():
        pytest.skip(f"real data not found at {REAL}")
    result = recipe.clean(REAL)
    table = schemas.validate(schemas.conform(result.tables["creators"], "creators"),
                             "creators")
    assert len(table) == 995
    assert table["followers"].min() == 12_300_000
    assert table["followers"].median() == 17_700_000
    assert table["followers"].max() == 245_000_000
    assert table["highest_yearly_earnings_usd"].max() == 163_400_000
    assert table["lowest_monthly_earnings_usd"].median() == 13_300
    assert int((table["video_views"] == 0).sum()) == 8
    assert int(table["auto_generated"].sum()) == 46
    assert int(table["uploads_unreported"].sum()) == 38
    assert int(table["category"].isna().sum()) == 46
    assert int(table["country"].isna().sum()) == 122
    assert int(table["channel_type"].isna().sum()) == 30
    assert int(table["created"].isna().sum()) == 6  # 5 'nan' dates + the 1970 epoch
    assert table["created_year"].min() == 2005
    steps = result.log.steps()
    assert int(steps["dropped"].sum()) == 0
    assert int(steps["repaired"].sum()) == 1 + 38
    assert not result.log.events()["step"].str.startswith("parse-").any()
