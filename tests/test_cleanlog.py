"""Tests for insights.ingest.cleanlog: every dropped or repaired row is recorded."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from insights.ingest.cleanlog import EVENT_COLUMNS, STEP_COLUMNS, CleaningLog

EVENT_DTYPES = {c: "string" for c in EVENT_COLUMNS} | {"source_row": "Int64"}


@pytest.fixture
def creators() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "creator": ["alice", "bob", "carol", "dave"],
            "followers": [1_000.0, 0.0, 50_000.0, np.nan],
            "country": ["India", "", "Brazil", ""],
            "source_file": "creators.csv",
            "source_row": np.array([1, 2, 3, 4], dtype="int64"),
        },
        index=[10, 11, 12, 13],
    )


@pytest.fixture
def posts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "post_id": ["p1", "p2", "p3"],
            "creator": ["alice", "alice", "bob"],
            "likes": np.array([5, 7, 9], dtype="int64"),
            "source_file": ["by_user/a.csv", "by_user/a.csv", "by_user/b.csv"],
            "source_row": np.array([1, 2, 1], dtype="int64"),
        }
    )


def expected_events(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=EVENT_COLUMNS).astype(EVENT_DTYPES)


def expected_steps(rows: list[dict]) -> pd.DataFrame:
    counts = {c: "int64" for c in ["rows_in", "rows_out", "dropped", "repaired"]}
    text = {c: "str" for c in ["dataset", "table", "step", "description"]}
    return pd.DataFrame(rows, columns=STEP_COLUMNS).astype(text | counts)


# ---------------------------------------------------------------------------------------------
# drop
# ---------------------------------------------------------------------------------------------


def test_drop_returns_kept_rows_with_index(creators):
    log = CleaningLog("demo")
    result = log.drop(
        creators, creators["followers"] == 0, table="creators", step="zero", reason="no followers"
    )
    expected = creators.loc[[10, 12, 13]]
    assert_frame_equal(result, expected)


def test_drop_logs_step_and_events(creators):
    log = CleaningLog("demo")
    log.drop(
        creators,
        creators["followers"].isna() | (creators["followers"] == 0),
        table="creators",
        step="no-followers",
        reason="followers missing or zero",
    )
    expected = expected_steps(
        [
            {
                "dataset": "demo",
                "table": "creators",
                "step": "no-followers",
                "rows_in": 4,
                "rows_out": 2,
                "dropped": 2,
                "repaired": 0,
                "description": "followers missing or zero",
            }
        ]
    )
    assert_frame_equal(log.steps(), expected)
    base = {
        "dataset": "demo",
        "table": "creators",
        "step": "no-followers",
        "action": "dropped",
        "reason": "followers missing or zero",
        "source_file": "creators.csv",
        "post_id": None,
        "column": None,
        "old_value": None,
        "new_value": None,
    }
    expected = expected_events(
        [base | {"source_row": 2, "creator": "bob"}, base | {"source_row": 4, "creator": "dave"}]
    )
    assert_frame_equal(log.events(), expected)


def test_drop_per_row_reasons_from_series(creators):
    log = CleaningLog("demo")
    reasons = pd.Series(
        ["unused", "followers == 0", "unused", "followers missing"], index=creators.index
    )
    mask = creators["followers"].isna() | (creators["followers"] == 0)
    log.drop(creators, mask, table="creators", step="followers", reason=reasons)
    result = log.events()["reason"]
    expected = pd.Series(["followers == 0", "followers missing"], name="reason", dtype="string")
    assert_series_equal(result, expected)
    # Without a str reason the step is described by its name.
    assert log.steps()["description"].tolist() == ["followers"]


def test_drop_reason_series_is_aligned_on_index(creators):
    log = CleaningLog("demo")
    # Same labels, shuffled order: the reason must follow the label, not the position.
    reasons = pd.Series(["r13", "r12", "r11", "r10"], index=[13, 12, 11, 10])
    log.drop(creators, [False, True, False, True], table="creators", step="s", reason=reasons)
    assert log.events()["reason"].tolist() == ["r11", "r13"]


def test_drop_description_overrides_reason(creators):
    log = CleaningLog("demo")
    log.drop(
        creators,
        [True, False, False, False],
        table="creators",
        step="s",
        reason="why",
        description="what the step does",
    )
    assert log.steps()["description"].tolist() == ["what the step does"]
    assert log.events()["reason"].tolist() == ["why"]


@pytest.mark.parametrize(
    "mask",
    [
        np.array([False, True, False, False]),
        [False, True, False, False],
        pd.Series([False, True, False, False], index=[10, 11, 12, 13]),
    ],
    ids=["ndarray", "list", "series"],
)
def test_drop_mask_types(creators, mask):
    log = CleaningLog("demo")
    result = log.drop(creators, mask, table="creators", step="s", reason="r")
    assert result.index.tolist() == [10, 12, 13]


def test_drop_nothing_records_a_step_without_events(creators):
    log = CleaningLog("demo")
    result = log.drop(creators, np.zeros(4, dtype=bool), table="creators", step="s", reason="r")
    assert_frame_equal(result, creators)
    assert log.steps()[["rows_in", "rows_out", "dropped"]].iloc[0].tolist() == [4, 4, 0]
    assert log.events().empty


def test_drop_and_repair_do_not_mutate_input(creators):
    before = creators.copy()
    log = CleaningLog("demo")
    log.drop(creators, creators["followers"] == 0, table="creators", step="d", reason="r")
    log.repair(
        creators,
        creators["country"] == "",
        column="country",
        new_values="unknown",
        table="creators",
        step="c",
        reason="empty",
    )
    log.repair(
        creators,
        creators["followers"].isna(),
        column="followers",
        new_values=0.0,
        table="creators",
        step="f",
        reason="missing",
    )
    assert_frame_equal(creators, before)


# ---------------------------------------------------------------------------------------------
# repair
# ---------------------------------------------------------------------------------------------


def test_repair_scalar(creators):
    log = CleaningLog("demo")
    result = log.repair(
        creators,
        creators["country"] == "",
        column="country",
        new_values="unknown",
        table="creators",
        step="country",
        reason="empty country",
    )
    expected = creators.assign(country=["India", "unknown", "Brazil", "unknown"])
    assert_frame_equal(result, expected)
    assert log.steps()[["rows_in", "rows_out", "dropped", "repaired"]].iloc[0].tolist() == [
        4,
        4,
        0,
        2,
    ]
    base = {
        "dataset": "demo",
        "table": "creators",
        "step": "country",
        "action": "repaired",
        "reason": "empty country",
        "source_file": "creators.csv",
        "post_id": None,
        "column": "country",
        "old_value": "",
        "new_value": "unknown",
    }
    expected = expected_events(
        [base | {"source_row": 2, "creator": "bob"}, base | {"source_row": 4, "creator": "dave"}]
    )
    assert_frame_equal(log.events(), expected)


def test_repair_series_aligned_on_index(creators):
    log = CleaningLog("demo")
    new = pd.Series([999.0, 111.0], index=[13, 11])
    result = log.repair(
        creators,
        creators.index.isin([11, 13]),
        column="followers",
        new_values=new,
        table="creators",
        step="fix",
        reason="re-read from profile",
    )
    expected = creators.assign(followers=[1_000.0, 111.0, 50_000.0, 999.0])
    assert_frame_equal(result, expected)
    events = log.events()
    assert events["old_value"].tolist() == ["0.0", pd.NA]
    assert events["new_value"].tolist() == ["111.0", "999.0"]


def test_repair_new_column(posts):
    log = CleaningLog("demo")
    result = log.repair(
        posts,
        [False, True, False],
        column="flag",
        new_values="checked",
        table="posts",
        step="flag",
        reason="flagged",
    )
    assert result["flag"].tolist()[1] == "checked"
    assert result["flag"].isna().tolist() == [True, False, True]
    assert "flag" not in posts
    assert log.events()["old_value"].isna().all()


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
def test_repair_str_column_to_missing(creators, missing):
    log = CleaningLog("demo")
    result = log.repair(
        creators,
        creators["country"] == "",
        column="country",
        new_values=missing,
        table="creators",
        step="country",
        reason="empty country is missing",
    )
    assert result["country"].dtype == creators["country"].dtype
    assert result["country"].isna().tolist() == [False, True, False, True]
    assert result["country"].tolist()[::2] == ["India", "Brazil"]
    assert log.events()["new_value"].isna().all()


def test_repair_int_column_to_missing_widens_to_float(posts):
    log = CleaningLog("demo")
    result = log.repair(
        posts,
        [True, False, False],
        column="likes",
        new_values=np.nan,
        table="posts",
        step="likes",
        reason="likes hidden",
    )
    expected = posts.assign(likes=[np.nan, 7.0, 9.0])
    assert_frame_equal(result, expected)
    assert log.events()["old_value"].tolist() == ["5"]


def test_repair_nothing(creators):
    log = CleaningLog("demo")
    result = log.repair(
        creators,
        np.zeros(4, dtype=bool),
        column="country",
        new_values="x",
        table="creators",
        step="s",
        reason="r",
    )
    assert_frame_equal(result, creators)
    assert log.steps()["repaired"].tolist() == [0]
    assert log.events().empty


# ---------------------------------------------------------------------------------------------
# note, events provenance, ordering, summary
# ---------------------------------------------------------------------------------------------


def test_note_records_step_only():
    log = CleaningLog("demo")
    log.note(table="posts", step="read", rows_in=3, rows_out=3, description="read a.csv")
    log.note(table="posts", step="concat", rows_in=np.int64(6), rows_out=5, description="join")
    expected = expected_steps(
        [
            {
                "dataset": "demo",
                "table": "posts",
                "step": "read",
                "rows_in": 3,
                "rows_out": 3,
                "dropped": 0,
                "repaired": 0,
                "description": "read a.csv",
            },
            {
                "dataset": "demo",
                "table": "posts",
                "step": "concat",
                "rows_in": 6,
                "rows_out": 5,
                "dropped": 0,
                "repaired": 0,
                "description": "join",
            },
        ]
    )
    assert_frame_equal(log.steps(), expected)
    assert log.events().empty


def test_events_carry_source_file_row_creator_and_post_id(posts):
    log = CleaningLog("tiktok")
    log.drop(posts, posts["likes"] > 6, table="posts", step="s", reason="r")
    result = log.events()[["source_file", "source_row", "creator", "post_id"]]
    expected = pd.DataFrame(
        {
            "source_file": ["by_user/a.csv", "by_user/b.csv"],
            "source_row": [2, 1],
            "creator": ["alice", "bob"],
            "post_id": ["p2", "p3"],
        }
    ).astype({"source_file": "string", "source_row": "Int64", "creator": "string",
              "post_id": "string"})
    assert_frame_equal(result, expected)


def test_events_without_provenance_columns_are_missing():
    frame = pd.DataFrame({"x": [1, 2]})
    log = CleaningLog("demo")
    log.drop(frame, [True, False], table="t", step="s", reason="r")
    events = log.events()
    assert events[["source_file", "source_row", "creator", "post_id"]].isna().all().all()
    assert events.dtypes.to_dict() == {c: pd.Series(dtype=d).dtype
                                       for c, d in EVENT_DTYPES.items()}


def test_steps_and_events_keep_order_across_tables(creators, posts):
    log = CleaningLog("demo")
    log.note(table="creators", step="read", rows_in=4, rows_out=4, description="read")
    kept = log.drop(creators, creators["followers"] == 0, table="creators", step="zero",
                    reason="zero followers")
    log.repair(kept, kept["country"] == "", column="country", new_values="?",
               table="creators", step="country", reason="empty country")
    log.drop(posts, [True, False, False], table="posts", step="first", reason="first post")
    steps = log.steps()
    assert steps["step"].tolist() == ["read", "zero", "country", "first"]
    assert steps["rows_in"].tolist() == [4, 4, 3, 3]
    assert steps["rows_out"].tolist() == [4, 3, 3, 2]
    events = log.events()
    assert list(events.columns) == EVENT_COLUMNS
    assert events[["step", "action", "creator"]].to_dict("list") == {
        "step": ["zero", "country", "first"],
        "action": ["dropped", "repaired", "dropped"],
        "creator": ["bob", "dave", "alice"],
    }
    assert events.index.equals(pd.RangeIndex(3))


def test_summary_counts_rows_per_reason(creators):
    log = CleaningLog("demo")
    reasons = pd.Series(["a", "b", "a", "b"], index=creators.index)
    log.drop(creators, [True, True, True, False], table="creators", step="s", reason=reasons)
    log.repair(creators, [False, False, False, True], column="country", new_values="x",
               table="creators", step="c", reason="fill")
    result = log.summary()
    expected = pd.DataFrame(
        {
            "table": ["creators", "creators", "creators"],
            "step": ["c", "s", "s"],
            "action": ["repaired", "dropped", "dropped"],
            "reason": ["fill", "a", "b"],
            "rows": [1, 2, 1],
        }
    ).astype({"table": "string", "step": "string", "action": "string", "reason": "string"})
    assert_frame_equal(result, expected)


# ---------------------------------------------------------------------------------------------
# empty log
# ---------------------------------------------------------------------------------------------


def test_empty_log_shapes():
    log = CleaningLog("demo")
    assert_frame_equal(log.steps(), expected_steps([]))
    assert_frame_equal(log.events(), expected_events([]))
    expected = pd.DataFrame(
        {
            "table": pd.Series(dtype="string"),
            "step": pd.Series(dtype="string"),
            "action": pd.Series(dtype="string"),
            "reason": pd.Series(dtype="string"),
            "rows": pd.Series(dtype="int64"),
        }
    )
    assert_frame_equal(log.summary(), expected)


def test_empty_and_filled_logs_have_the_same_dtypes(creators):
    empty = CleaningLog("demo")
    full = CleaningLog("demo")
    full.drop(creators, [True, False, False, False], table="creators", step="s", reason="r")
    for method in ("steps", "events", "summary"):
        assert_series_equal(
            getattr(empty, method)().dtypes, getattr(full, method)().dtypes, obj=method
        )


def test_steps_and_events_are_fresh_frames(creators):
    log = CleaningLog("demo")
    log.drop(creators, [True, False, False, False], table="creators", step="s", reason="r")
    events, steps = log.events(), log.steps()
    events.loc[0, "reason"] = "changed"
    steps.loc[0, "dropped"] = 99
    assert log.events()["reason"].tolist() == ["r"]
    assert log.steps()["dropped"].tolist() == [1]


def test_repr_hides_the_tables():
    assert repr(CleaningLog("demo")) == "CleaningLog(dataset='demo')"
