"""Tests for the ``kim2020-instagram-influencers`` recipe, on tiny crafted copies of each quirk."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from insights import schemas
from insights.ingest.recipes import kim2020

MIRROR = Path(
    os.environ.get("INSIGHTS_DATA_MIRROR", Path(__file__).resolve().parents[2] / "shared" / "data")
)
REAL = MIRROR / kim2020.NAME

HEADER = "Username\tCategory\t#Followers\t#Followees\t#Posts\n"


def _post(owner: str, shortcode: str, likes: int, comments: int | None, *, ts: int,
          legacy_comments: int | None = None, sponsors: int = 0,
          caption: str | None = "hi") -> dict:
    """Return a minimal GraphQL ``shortcode_media`` object."""
    post = {
        "__typename": "GraphImage",
        "id": f"{ts}0",
        "shortcode": shortcode,
        "owner": {"username": owner, "id": "1"},
        "taken_at_timestamp": ts,
        "edge_media_preview_like": {"count": likes, "edges": []},
        "edge_media_to_caption": {
            "edges": [] if caption is None else [{"node": {"text": caption}}]
        },
        "edge_media_to_sponsor_user": {
            "edges": [{"node": {"sponsor": {"username": "brand"}}}] * sponsors
        },
        "is_video": False,
    }
    if comments is not None:
        post["edge_media_to_parent_comment"] = {"count": comments, "edges": []}
    if legacy_comments is not None:
        post["edge_media_to_comment"] = {"count": legacy_comments, "edges": []}
    return post


def _write(raw: Path, rows: list[str], posts: dict[str, dict]) -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    # Line 2 is blank, as in the real file; header names start with '#'.
    (raw / "influencers.tsv").write_text(HEADER + "\n" + "".join(r + "\n" for r in rows),
                                         encoding="utf-8")
    sample = raw / "post_metadata_sample"
    sample.mkdir(exist_ok=True)
    for name, post in posts.items():
        (sample / name).write_text(json.dumps(post), encoding="utf-8")
    return raw


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    rows = [
        "makeupbynvs\tbeauty\t1432\t1089\t363",
        "cina\tfasion\t213515\t597\t590",
        "gio\tfashion 0.5\t721857\t866\t607",
        "__.izu\tfashion\t7410\t300\t1200",
    ]
    posts = {
        # Deliberately written out of name order: the recipe must sort by file name.
        "gio-2.info.json": _post("gio", "BBB", 900, None, ts=1_500_000_000,
                                 legacy_comments=12, sponsors=1, caption=None),
        "__.izu-1.info.json": _post("__.izu", "AAA", 1029, 8, ts=1_522_058_335,
                                    caption="hello"),
        "stranger-3.json": _post("stranger", "CCC", 5, 0, ts=1_400_000_000),
    }
    return _write(tmp_path / "raw", rows, posts)


def test_creators_values(raw: Path) -> None:
    result = kim2020.clean(raw).tables["creators"][
        ["platform", "creator", "category", "followers", "posts", "followees", "snapshot",
         "dataset", "source_file", "source_row"]
    ].reset_index(drop=True)
    expected = pd.DataFrame(
        {
            "platform": "instagram",
            "creator": ["makeupbynvs", "cina", "gio", "__.izu"],
            "category": ["beauty", "fashion", "fashion", "fashion"],
            "followers": [1432.0, 213515.0, 721857.0, 7410.0],
            "posts": [363.0, 590.0, 607.0, 1200.0],
            "followees": [1089.0, 597.0, 866.0, 300.0],
            "snapshot": "2019",
            "dataset": kim2020.NAME,
            "source_file": "influencers.tsv",
            "source_row": np.array([1, 2, 3, 4], dtype="int64"),
        }
    )
    assert_frame_equal(result, expected)


def test_category_typos_are_logged_repairs(raw: Path) -> None:
    events = kim2020.clean(raw).log.events()
    result = events.loc[events["step"] == "category-typo",
                        ["action", "creator", "column", "old_value", "new_value", "source_row"]]
    expected = pd.DataFrame(
        {
            "action": ["repaired", "repaired"],
            "creator": ["cina", "gio"],
            "column": ["category", "category"],
            "old_value": ["fasion", "fashion 0.5"],
            "new_value": ["fashion", "fashion"],
            "source_row": pd.array([2, 3], dtype="Int64"),
        }
    ).astype({c: "string" for c in ["action", "creator", "column", "old_value", "new_value"]})
    assert_frame_equal(result.reset_index(drop=True), expected)


def test_blank_line_and_missing_engagement_are_noted(raw: Path) -> None:
    steps = kim2020.clean(raw).log.steps().set_index(["table", "step"])
    assert steps.loc[("creators", "read"), "rows_in"] == 5
    assert steps.loc[("creators", "read"), "rows_out"] == 4
    assert "skipped 1 blank line" in steps.loc[("creators", "read"), "description"]
    assert "no engagement columns" in steps.loc[("creators", "no-engagement"), "description"]


def test_hash_header_is_not_a_comment(tmp_path: Path) -> None:
    # A reader treating '#' as a comment would lose the count columns; the recipe must not.
    raw = _write(tmp_path / "raw", ["a\tpet\t1,000\t#5\t100"],
                 {"a-1.json": _post("a", "X", 1, 1, ts=1)})
    result = kim2020.clean(raw)
    creators = result.tables["creators"]
    assert creators[["followers", "posts"]].to_numpy().tolist() == [[1000.0, 100.0]]
    # '#5' is not a count: set to missing and logged, never dropped silently.
    events = result.log.events()
    assert events[["step", "old_value"]].to_numpy().tolist() == [["parse-followees", "#5"]]
    assert np.isnan(creators["followees"].iloc[0])


def test_missing_header_column_is_an_error(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "influencers.tsv").write_text("Username\tCategory\n\na\tpet\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing"):
        kim2020.clean(raw)


def test_duplicate_and_unusable_creators_are_logged_drops(tmp_path: Path) -> None:
    rows = ["a\tpet\t1000\t1\t100", "a\tfood\t2000\t1\t100", "b\tpet\tN/A\t1\t100",
            "\tpet\t3000\t1\t100"]
    result = kim2020.clean(_write(tmp_path / "raw", rows, {"a-1.json": _post("a", "X", 1, 1,
                                                                             ts=1)}))
    assert result.tables["creators"]["creator"].tolist() == ["a"]
    assert result.tables["creators"]["category"].tolist() == ["pet"]
    events = result.log.events()
    dropped = events.loc[events["action"] == "dropped", ["step", "source_row"]]
    expected = pd.DataFrame(
        {"step": ["no-username", "no-followers", "duplicate-username"],
         "source_row": pd.array([4, 3, 2], dtype="Int64")}
    ).astype({"step": "string"})
    assert_frame_equal(dropped.reset_index(drop=True), expected)


def test_posts_values(raw: Path) -> None:
    result = kim2020.clean(raw).tables["posts"][
        ["creator", "post_id", "media_id", "posted_at", "likes", "comments", "views",
         "followers", "collected_at", "is_video", "sponsored", "caption_chars",
         "comments_field", "source_file"]
    ].reset_index(drop=True)
    expected = pd.DataFrame(
        {
            "creator": ["__.izu", "gio", "stranger"],
            "post_id": ["AAA", "BBB", "CCC"],
            "media_id": ["15220583350", "15000000000", "14000000000"],
            "posted_at": pd.to_datetime(
                ["2018-03-26 09:58:55", "2017-07-14 02:40:00", "2014-05-13 16:53:20"], utc=True
            ).as_unit("us"),
            "likes": [1029.0, 900.0, 5.0],
            "comments": [8.0, 12.0, 0.0],
            "views": [np.nan, np.nan, np.nan],
            "followers": [7410.0, 721857.0, np.nan],
            "collected_at": pd.Series([pd.NaT] * 3, dtype="datetime64[us, UTC]"),
            "is_video": pd.array([False, False, False], dtype="boolean"),
            "sponsored": pd.array([False, True, False], dtype="boolean"),
            "caption_chars": np.array([5, 0, 2], dtype="int64"),
            "comments_field": ["edge_media_to_parent_comment", "edge_media_to_comment",
                               "edge_media_to_parent_comment"],
            "source_file": ["post_metadata_sample/__.izu-1.info.json",
                            "post_metadata_sample/gio-2.info.json",
                            "post_metadata_sample/stranger-3.json"],
        }
    )
    assert_frame_equal(result, expected)


def test_post_owner_not_in_list_is_logged(raw: Path) -> None:
    result = kim2020.clean(raw)
    events = result.log.events()
    unknown = events[events["step"] == "owner-not-in-list"]
    assert unknown[["creator", "post_id", "column"]].to_numpy().tolist() == [
        ["stranger", "CCC", "followers"]
    ]
    steps = result.log.steps().set_index(["table", "step"])
    assert steps.loc[("posts", "comments-field"), "description"].startswith("1 file(s)")


def test_duplicate_shortcode_is_a_logged_drop(tmp_path: Path) -> None:
    posts = {"a-1.json": _post("a", "X", 1, 1, ts=1), "a-2.json": _post("a", "X", 2, 1, ts=1)}
    result = kim2020.clean(_write(tmp_path / "raw", ["a\tpet\t1000\t1\t100"], posts))
    assert result.tables["posts"]["likes"].tolist() == [1.0]
    events = result.log.events()
    assert events[["step", "source_file"]].to_numpy().tolist() == [
        ["duplicate-post", "post_metadata_sample/a-2.json"]
    ]


def test_tables_conform_and_validate(raw: Path) -> None:
    for table, frame in kim2020.clean(raw).tables.items():
        schemas.validate(schemas.conform(frame, table), table)


@pytest.mark.slow
def test_real_data() -> None:
    if not (REAL / "influencers.tsv").is_file():
        pytest.skip(f"real data not found at {REAL}")
    result = kim2020.clean(REAL)
    creators = schemas.validate(schemas.conform(result.tables["creators"], "creators"),
                                "creators")
    posts = schemas.validate(schemas.conform(result.tables["posts"], "posts"), "posts")
    assert len(creators) == 33_935
    assert creators["creator"].is_unique
    assert creators["followers"].min() == 1_000
    assert creators["followers"].median() == 16_125
    assert creators["followers"].max() == 96_476_007
    assert int((creators["followers"] < 100_000).sum()) == 28_460
    assert creators["posts"].min() == 100
    assert creators["posts"].max() == 127_520
    counts = creators["category"].value_counts()
    assert counts["fashion"] == 11_911 + 2
    assert set(counts.index) == {"fashion", "other", "travel", "family", "food", "beauty",
                                 "interior", "fitness", "pet"}
    assert len(posts) == 104
    assert posts["creator"].nunique() == 11
    assert posts["followers"].notna().all()
    assert posts["likes"].min() == 16
    assert posts["likes"].max() == 22_665
    assert posts["comments"].max() == 828
    assert not posts["sponsored"].any()
    assert posts["posted_at"].min().strftime("%Y-%m-%d") == "2015-05-25"
    assert posts["posted_at"].max().strftime("%Y-%m-%d") == "2019-04-12"
    steps = result.log.steps()
    assert int(steps["dropped"].sum()) == 0
    assert int(steps["repaired"].sum()) == 2
