"""Tests for insights.schemas: conform to the canonical tables, validate with clear errors."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_index_equal, assert_series_equal

from insights import schemas
from insights.schemas import (
    CANONICAL_COLUMNS,
    KEYS,
    SchemaViolation,
    conform,
    schema,
    validate,
)

TABLES = sorted(CANONICAL_COLUMNS)


@pytest.fixture
def raw_creators() -> pd.DataFrame:
    """A recipe's output: canonical columns in any order, some missing, extras mixed in."""
    return pd.DataFrame(
        {
            "rank": [3, 1, 2],
            "creator": ["leomessi", "cristiano", "kyliejenner"],
            "followers": [357_300_000, 475_800_000, 366_200_000],
            "platform": "instagram",
            "country": ["", "Spain", "United States"],
            "snapshot": "2022",
            "dataset": "top-insta-influencers-200",
            "engagement_rate": [0.0124, 0.0139, 0.0162],
            "source_row": [3, 1, 2],
        },
        index=[7, 8, 9],
    )


@pytest.fixture
def creators(raw_creators) -> pd.DataFrame:
    return conform(raw_creators, "creators")


@pytest.fixture
def posts() -> pd.DataFrame:
    raw = pd.DataFrame(
        {
            "post_id": ["v2", "v1", "v3"],
            "creator": ["a", "a", "b"],
            "platform": "tiktok",
            "dataset": "demo",
            "posted_at": ["2020-11-02 10:00:00", "2020-11-01 09:30:00", "2020-11-03 00:00:00"],
            "likes": [10, 20, 30],
            "views": [100.0, np.nan, 300.0],
        }
    )
    return conform(raw, "posts")


# ---------------------------------------------------------------------------------------------
# conform
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", TABLES)
def test_conform_empty_frame_gives_canonical_columns_and_dtypes(table):
    result = conform(pd.DataFrame(), table)
    assert list(result.columns) == list(CANONICAL_COLUMNS[table])
    for name, dtype in CANONICAL_COLUMNS[table].items():
        assert result[name].dtype == pd.Series(dtype=dtype).dtype, name
    assert len(result) == 0


def test_conform_column_order_extras_after(creators):
    canonical = list(CANONICAL_COLUMNS["creators"])
    assert list(creators.columns) == canonical + ["rank", "source_row"]


def test_conform_dtypes(creators):
    result = creators.dtypes.iloc[: len(CANONICAL_COLUMNS["creators"])]
    spec = CANONICAL_COLUMNS["creators"]
    expected = pd.Series({name: pd.Series(dtype=dtype).dtype for name, dtype in spec.items()})
    assert_series_equal(result, expected)
    # extras keep their own dtype
    assert creators["rank"].dtype == np.int64


def test_conform_adds_missing_canonical_columns_as_missing(creators):
    for name in ["posts", "avg_likes", "avg_comments", "avg_shares", "avg_views", "category"]:
        assert creators[name].isna().all(), name
    assert creators["category"].dtype == pd.Series(dtype="str").dtype
    # an empty string is a value, not a missing one: conform does not guess
    assert creators["country"].tolist() == ["Spain", "United States", ""]


def test_conform_sorts_by_key_with_fresh_index(creators):
    assert creators["creator"].tolist() == ["cristiano", "kyliejenner", "leomessi"]
    assert creators["followers"].tolist() == [475_800_000.0, 366_200_000.0, 357_300_000.0]
    assert creators["rank"].tolist() == [1, 2, 3]  # extras move with their rows
    assert_index_equal(creators.index, pd.RangeIndex(3))


def test_conform_sort_uses_whole_key():
    raw = pd.DataFrame(
        {
            "creator": ["b", "a", "a", "a"],
            "followers": [1, 2, 3, 4],
            "platform": ["tiktok", "youtube", "instagram", "instagram"],
            "snapshot": ["s", "s", "s2", "s1"],
            "dataset": ["d2", "d1", "d1", "d1"],
        }
    )
    result = conform(raw, "creators")[KEYS["creators"]]
    expected = pd.DataFrame(
        {
            "dataset": ["d1", "d1", "d1", "d2"],
            "platform": ["instagram", "instagram", "youtube", "tiktok"],
            "snapshot": ["s1", "s2", "s", "s"],
            "creator": ["a", "a", "a", "b"],
        }
    ).astype("str")
    assert_frame_equal(result, expected)


def test_conform_does_not_depend_on_input_order(raw_creators):
    shuffled = raw_creators.sample(frac=1, random_state=np.random.default_rng(0)).iloc[
        :, ::-1
    ]
    result = conform(shuffled, "creators")
    expected = conform(raw_creators, "creators")
    # extras keep *their* input order, so compare canonical columns only
    canonical = list(CANONICAL_COLUMNS["creators"])
    assert_frame_equal(result[canonical], expected[canonical])


def test_conform_does_not_mutate_input(raw_creators):
    before = raw_creators.copy()
    conform(raw_creators, "creators")
    assert_frame_equal(raw_creators, before)


def test_conform_posts_timestamps_are_utc(posts):
    assert posts["posted_at"].dtype == pd.DatetimeTZDtype("us", "UTC")
    assert posts["collected_at"].isna().all()
    assert posts["post_id"].tolist() == ["v1", "v2", "v3"]
    assert posts["posted_at"].iloc[0] == pd.Timestamp("2020-11-01 09:30:00", tz="UTC")


def test_conform_converts_other_timezones_to_utc():
    raw = pd.DataFrame(
        {
            "post_id": ["1"],
            "creator": "a",
            "platform": "tiktok",
            "dataset": "d",
            "posted_at": pd.to_datetime(["2020-11-01 10:00"]).tz_localize("Europe/Paris"),
        }
    )
    result = conform(raw, "posts")["posted_at"]
    assert result.iloc[0] == pd.Timestamp("2020-11-01 09:00", tz="UTC")


def test_conform_is_idempotent(creators):
    assert_frame_equal(conform(creators, "creators"), creators)


def test_conform_unknown_table():
    with pytest.raises(ValueError, match=r"unknown table 'videos'.*'campaigns', 'creators'"):
        conform(pd.DataFrame(), "videos")


# ---------------------------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------------------------


def test_validate_valid_table_returns_it(creators, posts):
    assert validate(creators, "creators") is creators
    assert validate(posts, "posts") is posts


@pytest.mark.parametrize("table", TABLES)
def test_validate_empty_conformed_table(table):
    frame = conform(pd.DataFrame(), table)
    assert validate(frame, table) is frame


def test_validate_does_not_mutate(creators):
    bad = creators.assign(followers=[-1.0, 2.0, 3.0])
    before = bad.copy()
    with pytest.raises(SchemaViolation):
        validate(bad, "creators")
    assert_frame_equal(bad, before)


def test_validate_negative_count(creators):
    bad = creators.assign(avg_likes=[1.0, -5.0, -7.5])
    with pytest.raises(SchemaViolation) as excinfo:
        validate(bad, "creators")
    assert str(excinfo.value) == (
        "creators table breaks its schema:\n"
        "column 'avg_likes' fails must be >= 0: rows [1, 2]; values [-5.0, -7.5]"
    )


def test_validate_infinite_count(creators):
    bad = creators.assign(followers=[1.0, np.inf, 3.0])
    with pytest.raises(SchemaViolation) as excinfo:
        validate(bad, "creators")
    message = str(excinfo.value)
    assert "column 'followers' fails must be finite: rows [1]; values [inf]" in message


def test_validate_unknown_platform(creators):
    bad = creators.assign(platform=["instagram", "myspace", "instagram"])
    with pytest.raises(SchemaViolation) as excinfo:
        validate(bad, "creators")
    message = str(excinfo.value)
    assert message.startswith("creators table breaks its schema:\ncolumn 'platform' fails must")
    assert message.endswith(": rows [1]; values ['myspace']")


def test_validate_duplicate_keys(creators):
    bad = creators.assign(creator=["cristiano", "leomessi", "leomessi"])
    with pytest.raises(SchemaViolation) as excinfo:
        validate(bad, "creators")
    message = str(excinfo.value)
    assert "column 'creator' fails multiple_fields_uniqueness: rows [1, 2]; " in message
    assert "values ['leomessi', 'leomessi']" in message


def test_validate_duplicate_post_ids(posts):
    bad = posts.assign(post_id=["v1", "v1", "v3"])
    with pytest.raises(SchemaViolation, match=r"column 'post_id' fails .*rows \[0, 1\]"):
        validate(bad, "posts")


@pytest.mark.parametrize("column", ["creator", "followers", "platform", "snapshot", "dataset"])
def test_validate_null_required_column(creators, column):
    bad = creators.copy()
    bad[column] = bad[column].where(bad.index != 2)
    with pytest.raises(SchemaViolation) as excinfo:
        validate(bad, "creators")
    line = f"column {column!r} fails not_nullable: rows [2]; values [nan]"
    assert line in str(excinfo.value).splitlines()


def test_validate_optional_columns_may_be_null(creators):
    assert creators["category"].isna().all()
    assert creators["posts"].isna().all()
    validate(creators, "creators")


def test_validate_reports_every_failure_at_once(creators):
    bad = creators.assign(
        followers=[-1.0, 2.0, 3.0], platform=["instagram", "instagram", "friendster"]
    )
    with pytest.raises(SchemaViolation) as excinfo:
        validate(bad, "creators")
    lines = str(excinfo.value).splitlines()
    assert lines[0] == "creators table breaks its schema:"
    assert lines[1] == "column 'followers' fails must be >= 0: rows [0]; values [-1.0]"
    assert lines[2].startswith("column 'platform' fails must be one of")
    assert len(lines) == 3


def test_validate_lists_at_most_max_listed(creators):
    many = conform(
        pd.DataFrame(
            {
                "creator": [f"c{i:02d}" for i in range(15)],
                "followers": -np.arange(1.0, 16.0),
                "platform": "youtube",
                "snapshot": "2023",
                "dataset": "d",
            }
        ),
        "creators",
    )
    with pytest.raises(SchemaViolation) as excinfo:
        validate(many, "creators", max_listed=2)
    assert str(excinfo.value).splitlines()[1] == (
        "column 'followers' fails must be >= 0: rows [0, 1] (and 13 more); values [-1.0, -2.0]"
    )


def test_validate_unconformed_frame_names_columns(raw_creators):
    with pytest.raises(SchemaViolation) as excinfo:
        validate(raw_creators, "creators")
    message = str(excinfo.value)
    assert "column_in_dataframe" in message
    assert re.search(r"'avg_likes'", message)


def test_validate_wrong_dtype(creators):
    bad = creators.assign(followers=creators["followers"].astype("int64"))
    with pytest.raises(SchemaViolation, match=r"column 'followers' fails dtype\('float64'\)"):
        validate(bad, "creators")


def test_schema_allows_extra_columns_and_checks_order():
    result = schema("posts")
    assert result.strict is False
    assert result.ordered is True
    assert list(result.columns) == list(CANONICAL_COLUMNS["posts"])
    assert result.unique == KEYS["posts"]


def test_schema_unknown_table():
    with pytest.raises(ValueError, match="unknown table"):
        schema("videos")


def test_conform_refuses_numeric_timestamps():
    # Epoch seconds would otherwise be read as nanoseconds and land in January 1970.
    frame = pd.DataFrame(
        {"platform": ["tiktok"], "creator": ["a"], "post_id": ["1"], "dataset": ["demo"],
         "posted_at": [1_604_000_000]}
    )
    with pytest.raises(TypeError, match="'posted_at' holds numbers"):
        conform(frame, "posts")


@pytest.mark.parametrize(
    ("columns", "expected"),
    [(["creator", "post_id"], "posts"), (["creator", "avg_likes"], "creators"),
     (["post_id"], "posts"), ([], "creators")],
)
def test_table_kind(columns, expected):
    assert schemas.table_kind(pd.DataFrame(columns=columns)) == expected
