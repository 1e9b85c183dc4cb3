"""Tests of the ``tiktok-datares-2020`` recipe on tiny crafted files and on the real data."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest

from insights import schemas
from insights.ingest import datasets
from insights.ingest.recipes import recipe
from insights.ingest.recipes import tiktok_datares as tiktok

REAL = Path(os.environ.get("INSIGHTS_DATA_MIRROR", "/work/shared/data")) / tiktok.NAME

T0 = 1604649600  # 2020-11-06 08:00 UTC
DAY = 86400

USER_COLUMNS = [
    "id", "create_time", "user_name", "hashtags", "song", "video_length", "n_likes",
    "n_shares", "n_comments", "n_plays", "n_followers", "n_total_likes", "n_total_vids",
]
SOUND_COLUMNS = [
    "id", "create_time", "user_name", "song", "song_id", "n_likes", "n_shares", "n_comments",
    "n_plays", "n_followers", "n_total_likes", "n_total_vids",
]


def _row(
    id_, user, followers, *, create_time=T0, likes=100, shares=1, song="Song A", total_vids=50
):
    return {
        "id": id_, "create_time": create_time, "user_name": user, "hashtags": "['fyp']",
        "song": song, "song_id": "685", "video_length": 15, "n_likes": likes,
        "n_shares": shares, "n_comments": 10, "n_plays": 1000, "n_followers": followers,
        "n_total_likes": 5000, "n_total_vids": total_vids,
    }


#: Crafted rows per file; every other file of the data set is header-only.
ROWS = {
    "by_user/sug_users_vids1.csv": [
        _row("1", "alice", 1000),
        _row("2", "bob", 0),  # zero followers: dropped
        _row("3", "alice", 1000, create_time=T0 - DAY, likes="abc", total_vids="-5"),
        _row("4", "carol", 2000, create_time=T0 + 2 * DAY + 1),  # after collection
        _row("5", "carol", 2000, create_time="", song=""),  # no create_time, no song
    ],
    "by_user/sug_users_vids2.csv": [
        _row("1", "alice", 1000, likes=999),  # duplicate in part
        _row("6", "dave", ""),  # missing followers
        _row("7", "erin", "1.2x"),  # unparseable followers
        _row("", "erin", 10),  # no id
    ],
    "by_sound/song_data_0.csv": [
        _row("1", "alice", 1100),  # duplicate across parts
        _row("8", "alice", 1200, likes=300, shares="1e400", total_vids=52),  # not finite
        _row("9", "  ", 10),  # no creator
        _row("14", "gina", 50, create_time=1000),  # before 2014
    ],
    "trending/trending_11_2.csv": [
        _row("11", "frank", 4000, create_time=T0 - 4 * DAY),
    ],
    "trending/trending_11_6.csv": [
        _row("10", "frank", 5000),
        _row("10", "frank", 5000, likes=120),  # duplicate in the same file
        _row("1", "alice", 900),  # duplicate across parts
    ],
}


def _write(raw: Path, rows: dict[str, list[dict]]) -> Path:
    for file in tiktok.FILES:
        columns = SOUND_COLUMNS if file.startswith("by_sound/") else USER_COLUMNS
        path = raw / file
        path.parent.mkdir(parents=True, exist_ok=True)
        frame = pd.DataFrame(rows.get(file, []), columns=columns).reindex(columns=columns)
        frame.to_csv(path, index=False)
    return raw


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    return _write(tmp_path / "raw", ROWS)


@pytest.fixture
def result(raw: Path):
    return tiktok.clean(raw)


def _utc(values: list) -> pd.Series:
    return pd.Series(pd.to_datetime(values, utc=True)).astype("datetime64[us, UTC]")


def test_recipe_is_registered():
    assert recipe(tiktok.NAME) is tiktok.clean


def test_files_match_the_registry():
    result = sorted(tiktok.FILES)
    expected = sorted(datasets.files(tiktok.NAME)["file"])
    assert result == expected
    assert len(set(tiktok.FILES)) == len(tiktok.FILES)


def test_collection_times_are_end_of_pacific_day():
    result = {file: str(tiktok.COLLECTED_AT[file]) for file in [
        "by_user/top_users_vids.csv",
        "by_sound/not_songs/song_data_7.csv",
        "trending/trending_11_2.csv",
        "trending/trending_11_6.csv",
        "trending/trending_11_7.csv",
        "trending/trending_11_10.csv",
    ]}
    expected = {
        "by_user/top_users_vids.csv": "2020-11-08 08:00:00+00:00",
        "by_sound/not_songs/song_data_7.csv": "2020-11-17 08:00:00+00:00",
        "trending/trending_11_2.csv": "2020-11-03 08:00:00+00:00",
        "trending/trending_11_6.csv": "2020-11-07 08:00:00+00:00",
        "trending/trending_11_7.csv": "2020-11-08 08:00:00+00:00",
        "trending/trending_11_10.csv": "2020-11-11 08:00:00+00:00",
    }
    assert result == expected


def test_posts_table(result):
    posts = result.tables["posts"]
    columns = [
        "post_id", "creator", "part", "posted_at", "likes", "followers", "collected_at",
        "sound", "song_id", "video_length", "author_total_videos", "age_days", "also_in",
        "source_file", "source_row",
    ]
    user_at, sound_at = "2020-11-08 08:00", "2020-11-17 08:00"
    expected = pd.DataFrame(
        {
            "post_id": ["1", "3", "4", "5", "8", "14", "11", "10"],
            "creator": ["alice", "alice", "carol", "carol", "alice", "gina", "frank", "frank"],
            "part": ["by_user"] * 4 + ["by_sound"] * 2 + ["trending"] * 2,
            "posted_at": _utc(["2020-11-06 08:00", "2020-11-05 08:00", None, None,
                               "2020-11-06 08:00", None, "2020-11-02 08:00",
                               "2020-11-06 08:00"]),
            "likes": [100.0, np.nan, 100.0, 100.0, 300.0, 100.0, 100.0, 100.0],
            "followers": [1000.0, 1000.0, 2000.0, 2000.0, 1200.0, 50.0, 4000.0, 5000.0],
            "collected_at": _utc([user_at] * 4 + [sound_at] * 2
                                 + ["2020-11-03 08:00", "2020-11-07 08:00"]),
            "sound": ["Song A", "Song A", "Song A", None, "Song A", "Song A", "Song A",
                      "Song A"],
            "song_id": [None] * 4 + ["685", "685"] + [None] * 2,
            "video_length": [15.0] * 4 + [np.nan] * 2 + [15.0] * 2,
            "author_total_videos": [50.0, np.nan, 50.0, 50.0, 52.0, 50.0, 50.0, 50.0],
            "age_days": [2.0, 3.0, np.nan, np.nan, 11.0, np.nan, 1.0, 1.0],
            "also_in": ["by_sound,trending", "", "", "", "", "", "", ""],
            "source_file": ["by_user/sug_users_vids1.csv"] * 4
            + ["by_sound/song_data_0.csv"] * 2
            + ["trending/trending_11_2.csv", "trending/trending_11_6.csv"],
            "source_row": np.array([1, 3, 4, 5, 2, 4, 1, 1], dtype="int64"),
        }
    ).astype({"sound": "str", "song_id": "str"})
    tm.assert_frame_equal(posts[columns], expected)
    assert set(posts["platform"]) == {"tiktok"}
    assert set(posts["dataset"]) == {tiktok.NAME}
    assert posts["hashtags"].tolist()[:4] == ["['fyp']"] * 4
    assert posts.loc[posts["part"] == "by_sound", "hashtags"].isna().all()


def test_creators_table(result):
    creators = result.tables["creators"]
    expected = pd.DataFrame(
        {
            "platform": "tiktok",
            "creator": ["alice", "carol", "frank", "gina"],
            "followers": [1200.0, 2000.0, 5000.0, 50.0],
            "posts": [52.0, 50.0, 50.0, 50.0],
            "avg_likes": [200.0, 100.0, 100.0, 100.0],
            "avg_comments": [10.0, 10.0, 10.0, 10.0],
            "avg_shares": [1.0, 1.0, 1.0, 1.0],
            "avg_views": [1000.0, 1000.0, 1000.0, 1000.0],
            "engagement_rate": np.nan,
            "snapshot": "2020-11",
            "dataset": tiktok.NAME,
            "total_likes": [5000.0] * 4,
            "parts": ["by_sound,by_user,trending", "by_user", "trending", "by_sound"],
            "n_posts_observed": np.array([3, 2, 2, 1], dtype="int64"),
            "followers_collected_at": _utc(["2020-11-17 08:00", "2020-11-08 08:00",
                                            "2020-11-07 08:00", "2020-11-17 08:00"]),
        }
    ).astype({"platform": "str", "snapshot": "str", "dataset": "str"})
    tm.assert_frame_equal(creators, expected)


def test_every_dropped_and_repaired_row_is_logged(result):
    events = result.log.events()
    columns = ["step", "action", "source_file", "source_row", "post_id", "column", "old_value"]
    kept_first = "duplicate video id; kept the row from by_user/sug_users_vids1.csv"
    expected = pd.DataFrame(
        [
            ("missing-id", "dropped", "by_user/sug_users_vids2.csv", 4, "", None, None),
            ("missing-creator", "dropped", "by_sound/song_data_0.csv", 3, "9", None, None),
            ("parse-likes", "repaired", "by_user/sug_users_vids1.csv", 3, "3", "likes", "abc"),
            ("parse-shares", "repaired", "by_sound/song_data_0.csv", 2, "8", "shares",
             "1e400"),
            ("parse-followers", "repaired", "by_user/sug_users_vids2.csv", 3, "7", "followers",
             "1.2x"),
            ("negative-author_total_videos", "repaired", "by_user/sug_users_vids1.csv", 3, "3",
             "author_total_videos", "-5"),
            ("zero-followers", "dropped", "by_user/sug_users_vids1.csv", 2, "2", None, None),
            ("missing-followers", "dropped", "by_user/sug_users_vids2.csv", 2, "6", None, None),
            ("missing-followers", "dropped", "by_user/sug_users_vids2.csv", 3, "7", None, None),
            ("create-time-too-early", "repaired", "by_sound/song_data_0.csv", 4, "14",
             "posted_at", "1000"),
            ("create-time-after-collection", "repaired", "by_user/sug_users_vids1.csv", 4, "4",
             "posted_at", str(T0 + 2 * DAY + 1)),
            ("duplicate-id-in-part", "dropped", "by_user/sug_users_vids2.csv", 1, "1", None,
             None),
            ("duplicate-id-in-part", "dropped", "trending/trending_11_6.csv", 2, "10", None,
             None),
            ("duplicate-id-across-parts", "dropped", "by_sound/song_data_0.csv", 1, "1", None,
             None),
            ("duplicate-id-across-parts", "dropped", "trending/trending_11_6.csv", 3, "1", None,
             None),
        ],
        columns=columns,
    ).astype({c: "string" for c in columns if c != "source_row"} | {"source_row": "Int64"})
    tm.assert_frame_equal(events[columns], expected)
    reasons = events.loc[events["step"].str.startswith("duplicate"), "reason"].tolist()
    assert reasons == [
        kept_first,
        "duplicate video id; kept the row from trending/trending_11_6.csv",
        kept_first,
        kept_first,
    ]


def test_steps_account_for_every_row(result):
    steps = result.log.steps().set_index("step")
    posts_steps = steps[steps["table"] == "posts"]
    result_rows = posts_steps["rows_in"].iloc[0] - posts_steps["dropped"].sum()
    assert posts_steps.loc["read", "rows_in"] == 17
    assert result_rows == len(result.tables["posts"]) == 8
    assert (posts_steps["rows_in"] - posts_steps["dropped"] == posts_steps["rows_out"]).all()
    assert steps.loc["missing-create-time", "description"].startswith("1 posts")
    assert steps.loc["sound", "description"].startswith("1 posts with an empty song")
    assert "2 creators have follower counts that vary" in steps.loc["aggregate", "description"]
    assert steps.loc["aggregate", "rows_out"] == 4


@pytest.mark.parametrize("table", ["posts", "creators"])
def test_tables_conform_and_validate(result, table):
    frame = result.tables[table]
    before = frame.copy()
    conformed = schemas.validate(schemas.conform(frame, table), table)
    assert conformed[schemas.KEYS[table]].duplicated().sum() == 0
    tm.assert_frame_equal(frame, before)


def test_clean_is_deterministic(raw):
    first, second = tiktok.clean(raw), tiktok.clean(raw)
    for table in ("posts", "creators"):
        tm.assert_frame_equal(first.tables[table], second.tables[table])
    tm.assert_frame_equal(first.log.events(), second.log.events())


def test_unexpected_header_is_refused(tmp_path):
    raw = _write(tmp_path / "raw", ROWS)
    (raw / "trending/trending_11_7.csv").write_text("id,create_time,user\n1,2,x\n")
    with pytest.raises(ValueError, match="trending_11_7.csv has columns"):
        tiktok.clean(raw)


def test_missing_file_is_an_error(tmp_path):
    raw = _write(tmp_path / "raw", ROWS)
    (raw / "by_sound/song_data_9.csv").unlink()
    with pytest.raises(FileNotFoundError):
        tiktok.clean(raw)


@pytest.mark.slow
@pytest.mark.skipif(not REAL.is_dir(), reason=f"real data not found at {REAL}")
def test_real_files_match_provenance():
    result = tiktok.clean(REAL)
    posts, creators = result.tables["posts"], result.tables["creators"]
    steps = result.log.steps().set_index("step")
    events = result.log.events()
    part_of = events["source_file"].str.split("/").str[0]

    # PROVENANCE.md: 54,261 + 10,856 + 363 video rows.
    assert steps.loc["read", "rows_in"] == 54_261 + 10_856 + 363
    # PROVENANCE.md: authors with n_followers == 0: 3 in by_user, 6 in by_sound. One by_user
    # author (laibakhanofficial) also has rows with a real count, so 8 authors vanish.
    zero = events[events["step"] == "zero-followers"]
    result_zero = zero.groupby(part_of.loc[zero.index])["creator"].nunique().to_dict()
    assert result_zero == {"by_sound": 6, "by_user": 3}
    assert len(zero) == 76
    # Unique ids per part (PROVENANCE: 50,124 / 10,847 / 192), less the ids seen only on
    # zero-follower rows (70 in by_user, 6 in by_sound): kept here or dropped across parts.
    across = events[events["step"] == "duplicate-id-across-parts"]
    result_ids = (
        posts["part"].value_counts()
        .add(part_of.loc[across.index].value_counts(), fill_value=0)
        .astype("int64").sort_index().to_dict()
    )
    assert result_ids == {"by_sound": 10_847 - 6, "by_user": 50_124 - 70, "trending": 192}
    assert posts["post_id"].is_unique
    assert len(posts) == 60_897
    # Unique authors per part (PROVENANCE: 1,794 / 8,197 / 98), less the zero-follower ones.
    result_authors = creators["parts"].str.split(",").explode().value_counts().to_dict()
    assert result_authors == {"by_user": 1_794 - 2, "by_sound": 8_197 - 6, "trending": 98}
    assert len(creators) == creators["creator"].nunique() == 9_621
    assert creators["n_posts_observed"].sum() == len(posts)
    # 44 by_user rows have no song (PROVENANCE); 42 remain after deduplication.
    assert posts["sound"].isna().sum() == 42
    # Three negative n_total_vids are logged and set to missing; no upload is after collection.
    assert steps.loc["negative-author_total_videos", "repaired"] == 3
    assert steps.loc["create-time-after-collection", "repaired"] == 0
    assert (posts["age_days"] >= 0).all()
    for table, frame in result.tables.items():
        schemas.validate(schemas.conform(frame, table), table)
