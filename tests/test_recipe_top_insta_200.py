"""Tests of the recipe for top-insta-influencers-200: a crafted file and the real one."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from insights import paths, schemas
from insights.ingest import datasets
from insights.ingest.cleanlog import EVENT_COLUMNS, STEP_COLUMNS
from insights.ingest.recipes import recipe
from insights.ingest.recipes.top_insta_200 import FILE, NAME, clean

SHARED_DATA = Path("/work/shared/data")

CRAFTED = (
    "\ufeffrank,channel_info,influence_score,posts,followers,avg_likes,60_day_eng_rate,"
    "new_post_avg_like,total_likes,country\r\n"
    "1,cristiano,92,3.3k,475.8m,8.7m,1.39%,6.5m,29.0b,Spain\r\n"
    "2,leomessi,90,0.89k,357.3m,6.8m,1.24%,4.4m,6.0b,\r\n"
    "3,rkive,83,110,37.0m,10.9m,NaN%,0,1.2b,\r\n"
    "4, smallone ,80,1.5k,32.8m,630k,15.5%,15.5k,12 fans, India \r\n"
)


@pytest.fixture
def crafted(tmp_path) -> Path:
    raw = tmp_path / "raw" / NAME
    raw.mkdir(parents=True)
    (raw / FILE).write_bytes(CRAFTED.encode("utf-8"))
    return raw


@pytest.fixture
def real_raw(tmp_path, monkeypatch) -> Path:
    if not (SHARED_DATA / NAME / FILE).is_file():
        pytest.skip(f"{SHARED_DATA / NAME / FILE} is not available")
    monkeypatch.setenv("INSIGHTS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("INSIGHTS_DATA_MIRROR", str(SHARED_DATA))
    datasets.fetch(NAME, progress=False)
    return paths.raw_dir(NAME)


def test_recipe_is_registered():
    assert recipe(NAME) is clean


# ---------------------------------------------------------------------------------------------
# crafted file
# ---------------------------------------------------------------------------------------------


def test_crafted_table(crafted):
    result = clean(crafted).tables["creators"]
    expected = pd.DataFrame(
        {
            "rank": [1.0, 2.0, 3.0, 4.0],
            "creator": pd.Series(["cristiano", "leomessi", "rkive", "smallone"], dtype="str"),
            "influence_score": [92.0, 90.0, 83.0, 80.0],
            "posts": [3_300.0, 890.0, 110.0, 1_500.0],
            "followers": [475_800_000.0, 357_300_000.0, 37_000_000.0, 32_800_000.0],
            "avg_likes": [8_700_000.0, 6_800_000.0, 10_900_000.0, 630_000.0],
            "engagement_rate": [0.0139, 0.0124, np.nan, 0.155],
            "new_post_avg_likes": [6_500_000.0, 4_400_000.0, 0.0, 15_500.0],
            "total_likes": [29_000_000_000.0, 6_000_000_000.0, 1_200_000_000.0, np.nan],
            "country": pd.Series(["Spain", None, None, "India"], dtype="str"),
            "source_file": pd.Series([FILE] * 4, dtype="str"),
            "source_row": np.array([1, 2, 3, 4], dtype="int64"),
            "platform": pd.Series(["instagram"] * 4, dtype="str"),
            "snapshot": pd.Series(["2022"] * 4, dtype="str"),
            "dataset": pd.Series([NAME] * 4, dtype="str"),
        }
    )
    assert sorted(result.columns) == sorted(expected.columns)
    assert_frame_equal(result[expected.columns], expected, check_exact=True)


def test_crafted_bom_is_not_in_the_header(crafted):
    result = clean(crafted).tables["creators"]
    assert not any(column.startswith("\ufeff") for column in result.columns)
    assert "60_day_eng_rate" not in result.columns
    assert "engagement_rate_raw" not in result.columns


def test_crafted_steps(crafted):
    result = clean(crafted).log.steps()
    expected = pd.DataFrame(
        [
            ["read", 4, 4, 0, 0, f"read {FILE} (UTF-8 with byte-order mark)"],
            [
                "parse-total_likes",
                4,
                4,
                0,
                1,
                "'total_likes' is not a valid count; set to missing",
            ],
            [
                "nan-percent",
                4,
                4,
                0,
                1,
                "60_day_eng_rate is the literal 'NaN%'; kept as a missing engagement rate",
            ],
            ["country", 4, 4, 0, 0, "2 empty country cells kept as missing"],
        ],
        columns=["step", "rows_in", "rows_out", "dropped", "repaired", "description"],
    )
    expected.insert(0, "dataset", NAME)
    expected.insert(1, "table", "creators")
    expected = expected.astype({c: "str" for c in ["dataset", "table", "step", "description"]})
    assert list(result.columns) == STEP_COLUMNS
    assert_frame_equal(result, expected)


def test_crafted_events(crafted):
    result = clean(crafted).log.events()
    expected = pd.DataFrame(
        {
            "dataset": [NAME, NAME],
            "table": ["creators", "creators"],
            "step": ["parse-total_likes", "nan-percent"],
            "action": ["repaired", "repaired"],
            "reason": [
                "'total_likes' is not a valid count; set to missing",
                "60_day_eng_rate is the literal 'NaN%'; kept as a missing engagement rate",
            ],
            "source_file": [FILE, FILE],
            "source_row": [4, 3],
            "creator": [" smallone ", "rkive"],
            "post_id": [None, None],
            "column": ["total_likes", "engagement_rate"],
            "old_value": ["12 fans", None],
            "new_value": [None, None],
        },
        columns=EVENT_COLUMNS,
    ).astype({c: "string" for c in EVENT_COLUMNS} | {"source_row": "Int64"})
    assert_frame_equal(result, expected)


def test_crafted_conforms_and_validates(crafted):
    table = schemas.conform(clean(crafted).tables["creators"], "creators")
    assert schemas.validate(table, "creators") is table
    assert table["creator"].tolist() == ["cristiano", "leomessi", "rkive", "smallone"]


def test_crafted_input_file_unchanged(crafted):
    before = (crafted / FILE).read_bytes()
    clean(crafted)
    assert (crafted / FILE).read_bytes() == before
    assert sorted(p.name for p in crafted.iterdir()) == [FILE]


# ---------------------------------------------------------------------------------------------
# real file
# ---------------------------------------------------------------------------------------------


def test_real_file(real_raw):
    result = clean(real_raw)
    table = result.tables["creators"]
    assert len(table) == 200
    assert table["creator"].is_unique
    assert table["source_row"].tolist() == list(range(1, 201))
    assert table["rank"].tolist() == [float(r) for r in range(1, 201)]
    # no account under 32.8 million followers; Cristiano Ronaldo at 475.8m on top
    assert table["followers"].min() == 32_800_000.0
    assert table["followers"].max() == 475_800_000.0
    assert table["followers"].median() == 50_050_000.0
    assert table.loc[table["followers"].idxmax(), "creator"] == "cristiano"
    assert table["followers"].notna().all()
    assert table["avg_likes"].notna().all()
    # 62 empty country cells, kept as missing
    assert int(table["country"].isna().sum()) == 62
    # engagement rate: 199 values between 0.01% and 26.41%, rkive's missing
    rate = table["engagement_rate"]
    assert int(rate.notna().sum()) == 199
    assert rate.min() == 0.0001
    assert rate.max() == 0.2641
    rkive = table.loc[table["creator"] == "rkive"].iloc[0]
    assert np.isnan(rkive["engagement_rate"])
    assert rkive["source_row"] == 168


def test_real_file_log(real_raw):
    log = clean(real_raw).log
    events = log.events()
    assert len(events) == 1
    event = events.iloc[0]
    assert (event["creator"], event["source_row"], event["step"]) == ("rkive", 168, "nan-percent")
    assert (event["action"], event["column"]) == ("repaired", "engagement_rate")
    steps = log.steps()
    assert steps["step"].tolist() == ["read", "nan-percent", "country"]
    assert steps["description"].iloc[-1] == "62 empty country cells kept as missing"
    assert int(steps["dropped"].sum()) == 0


def test_real_file_from_a_copy_without_bom_still_reads(real_raw, tmp_path):
    # utf-8-sig also reads a file without a byte-order mark: the recipe does not depend on it.
    copy = tmp_path / "nobom"
    copy.mkdir()
    data = (real_raw / FILE).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    (copy / FILE).write_bytes(data[3:])
    result = clean(copy).tables["creators"]
    assert_frame_equal(result, clean(real_raw).tables["creators"])
    shutil.rmtree(copy)
