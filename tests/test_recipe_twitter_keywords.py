"""Tests of the recipe for twitter-keywords-2021: crafted files and the real ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from insights import schemas
from insights.ingest.recipes import recipe
from insights.ingest.recipes.twitter_keywords import COLUMNS, NAME, TOPICS, WINDOW_END, clean

SHARED_DATA = Path("/work/shared/data")
HEADER = ",".join(COLUMNS)


def _row(tweet_id, author, *, likes=0, replies=0, retweets=0, quotes=0, followers=10,
         text="hello, world", created="2021-04-29T12:00:00.000Z"):
    return (f'{created},"{text}",{tweet_id},{author},Paris,FR,France,city,'
            f'"2.2, 48.8, 2.4, 48.9","Paris, France",{retweets},{replies},{likes},{quotes},'
            f"2015-01-01T00:00:00.000Z,{followers},50,1000,2,\"Somewhere, Earth\","
            "2.2,48.8, 2.4, 48.9")


@pytest.fixture
def crafted(tmp_path) -> Path:
    raw = tmp_path / "raw" / NAME
    raw.mkdir(parents=True)
    files = {
        "df1.csv": [_row("101", "a1", likes=3, replies=1, retweets=2, quotes=1,
                         text="5G secret, line\nbreak"),
                    _row("102", "a2", followers=0),
                    _row("900", "a3", likes=7)],
        "df7.csv": [_row("201", "a1", likes=5),
                    _row("201", "a1", likes=5),            # identical copy
                    _row("202", "a4", likes=1, retweets=4),
                    _row("202", "a4", likes=2, retweets=4),  # second read: one more like
                    _row("900", "a3", likes=8)],           # also in df1
        "df10.csv": [_row("301", "a5", likes=0, created="2021-04-30T00:00:00.000Z")],
    }
    for file, rows in files.items():
        (raw / file).write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return raw


def test_recipe_is_registered():
    assert recipe(NAME) is clean


def test_crafted_table(crafted):
    result = clean(crafted).tables["posts"].set_index("post_id").sort_index()
    expected = pd.DataFrame(
        {
            "creator": ["a1", "a2", "a1", "a4", "a5", "a3"],
            "likes": [3.0, 0.0, 5.0, 1.0, 0.0, 7.0],
            "comments": [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
            "shares": [3.0, 0.0, 0.0, 4.0, 0.0, 0.0],
            "followers": [10.0, 0.0, 10.0, 10.0, 10.0, 10.0],
            "topic": ["5G", "5G", "Mars", "Mars", "climate change", "5G"],
            "topics": ["5G", "5G", "Mars", "Mars", "climate change", "5G, Mars"],
            "source_file": ["df1.csv", "df1.csv", "df7.csv", "df7.csv", "df10.csv", "df1.csv"],
            "source_row": np.array([1, 2, 1, 3, 1, 3], dtype="int64"),
        },
        index=pd.Index(["101", "102", "201", "202", "301", "900"], name="post_id"),
    )
    assert_frame_equal(result[expected.columns], expected, check_dtype=False)
    assert (result["platform"] == "twitter").all()
    assert result["collected_at"].isna().all()
    assert result.loc["301", "age_days"] == pytest.approx(1.0)
    assert result.loc["101", "age_days"] == pytest.approx(1.5)


def test_crafted_keeps_no_text_and_no_place(crafted):
    table = clean(crafted).tables["posts"]
    dropped = {"text", "geo.name", "geo.country", "geo.geo.bbox", "geo.full_name",
               "author.location", "lon", "lat", "lon1", "lat2"}
    assert not dropped & set(table.columns)
    as_text = [str(cell) for cell in table.to_numpy().ravel()]
    assert not any("hello" in cell or "secret" in cell or "Paris" in cell
                   or "Somewhere" in cell for cell in as_text)
    assert table["country_code"].tolist() == ["FR"] * len(table)


def test_crafted_duplicates_are_logged_with_the_kept_row(crafted):
    log = clean(crafted).log
    events = log.events()
    dropped = events[events["action"] == "dropped"].set_index(["source_file", "source_row"])
    assert sorted(dropped.index) == [("df7.csv", 2), ("df7.csv", 4), ("df7.csv", 5)]
    assert dropped.loc[("df7.csv", 2), "reason"] == (
        "repeats tweet id kept at df7.csv row 1 (identical row)")
    assert dropped.loc[("df7.csv", 4), "reason"] == (
        "repeats tweet id kept at df7.csv row 3 (differs in likes)")
    assert dropped.loc[("df7.csv", 5), "step"] == "duplicate-across-files"
    assert dropped.loc[("df7.csv", 5), "reason"].startswith(
        "repeats tweet id kept at df1.csv row 3")
    steps = log.steps().set_index("step")
    assert steps.loc["zero-followers", "description"].startswith("1 tweets by 1 authors")


def test_crafted_conforms_to_the_posts_schema(crafted):
    table = schemas.conform(clean(crafted).tables["posts"], "posts")
    schemas.validate(table, "posts")


def test_wrong_header_is_refused(crafted):
    text = (crafted / "df7.csv").read_text().replace("created_at,text", "created,text", 1)
    (crafted / "df7.csv").write_text(text)
    with pytest.raises(ValueError, match="df7.csv: unexpected header"):
        clean(crafted)


def test_topics_cover_the_three_files():
    assert TOPICS == {"df1.csv": "5G", "df7.csv": "Mars", "df10.csv": "climate change"}
    assert WINDOW_END == pd.Timestamp("2021-05-01", tz="UTC")


# ---------------------------------------------------------------------------------------------
# the real files
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(clean_real):
    return clean_real(NAME, clean, "df7.csv")


def test_real_counts(real):
    posts = real.tables["posts"]
    assert len(posts) == 19_601
    assert posts["creator"].nunique() == 12_245
    assert posts["post_id"].is_unique
    assert posts["topic"].value_counts().to_dict() == {
        "climate change": 8_364, "5G": 7_269, "Mars": 3_968}
    steps = real.log.steps().set_index("step")
    assert steps.loc["duplicate-in-file", "dropped"] == 3_402
    assert steps.loc["duplicate-across-files", "dropped"] == 3
    zero = posts["followers"].eq(0)
    assert int(zero.sum()) == 130 and posts.loc[zero, "creator"].nunique() == 95


def test_real_has_no_text_column(real):
    posts = real.tables["posts"]
    raw = pd.read_csv(SHARED_DATA / NAME / "df1.csv", dtype=str, keep_default_na=False)
    texts = set(raw["text"])
    for column in posts.columns:
        if posts[column].dtype == object or pd.api.types.is_string_dtype(posts[column]):
            assert not set(posts[column].dropna().astype(str)) & texts, column
    assert "text" not in posts.columns


def test_real_known_row(real):
    """df10.csv row 1, read by hand from the raw file."""
    posts = real.tables["posts"].set_index("post_id")
    row = posts.loc["1387016167299092481"]
    assert row["creator"] == "2293664650"
    assert (row["likes"], row["comments"], row["shares"], row["followers"]) == (25, 2, 20, 804)
    assert row["posted_at"] == pd.Timestamp("2021-04-27T12:09:58Z")
    assert row["topic"] == "climate change" and row["country_code"] == "PL"


def test_real_zeros_are_kept(real):
    posts = real.tables["posts"]
    engagement = posts["likes"] + posts["comments"]
    assert 0.3 < (engagement == 0).mean() < 0.4
