"""Tests for insights.audit: profiles, coverage, log overview and claim coverage."""

import numpy as np
import pandas as pd
import pandas.testing as tm

from insights import audit


def _creators(n_small=40, n_big=40, authentic=False):
    followers = np.concatenate([np.geomspace(2e3, 4e4, n_small), np.geomspace(6e5, 5e7, n_big)])
    frame = pd.DataFrame(
        {
            "platform": "instagram",
            "creator": [f"c{i:03d}" for i in range(len(followers))],
            "followers": followers,
            "avg_likes": followers * 0.02,
            "avg_comments": followers * 0.001,
            "category": "fashion",
        }
    )
    if authentic:
        frame = frame.assign(authentic_engagement=frame["avg_likes"] * 0.5)
    return frame


def test_follower_profile_counts_unique_creators_by_max_followers():
    frame = pd.DataFrame(
        {"platform": "tiktok", "creator": ["a", "a", "b", "c"],
         "followers": [9e3, 1.1e4, 2e6, 50.0]}
    )
    result = audit.follower_profile(frame)
    assert int(result["creators"]) == 3
    assert int(result["under_10k"]) == 1  # a counts once, at its largest count (11k)
    assert int(result["under_100k"]) == 2
    assert int(result["at_least_1m"]) == 1
    assert result["median"] == 1.1e4


def test_tier_counts_lists_every_tier():
    frame = pd.DataFrame({"platform": "x", "creator": ["a", "b"], "followers": [500.0, 2e6]})
    frame = frame.assign(platform="tiktok")
    result = audit.tier_counts(frame)
    expected = pd.Series(
        [1, 0, 0, 0, 0, 1],
        index=pd.CategoricalIndex(
            ["<1k", "nano", "micro", "mid", "macro", "mega"],
            categories=["<1k", "nano", "micro", "mid", "macro", "mega"],
            ordered=True, name="tier",
        ),
        name="creators",
    )
    tm.assert_series_equal(result, expected)


def test_coverage_counts_rows_and_creators():
    frame = pd.DataFrame(
        {"platform": ["tiktok", "tiktok", "youtube"], "snapshot": ["2022-06"] * 3,
         "creator": ["a", "a", "b"]}
    )
    result = audit.coverage(frame, ["platform", "snapshot"])
    expected = pd.DataFrame(
        {"platform": ["tiktok", "youtube"], "snapshot": ["2022-06", "2022-06"],
         "rows": [2, 1], "creators": [1, 1]}
    )
    tm.assert_frame_equal(result, expected, check_dtype=False)


def test_log_overview_balances_read_dropped_and_kept():
    steps = pd.DataFrame(
        {"table": ["posts", "posts", "posts", "creators"],
         "step": ["read", "read", "dedupe", "read"],
         "rows_in": [6, 4, 10, 4], "rows_out": [6, 4, 7, 4],
         "dropped": [0, 0, 3, 0], "repaired": [2, 0, 0, 1]}
    )
    result = audit.log_overview(steps, {"posts": 7, "creators": 5})
    expected = pd.DataFrame(
        {"table": ["creators", "posts"], "rows_read": [4, 10], "dropped": [0, 3],
         "repaired": [1, 2], "rows_kept": [5, 7], "balanced": [False, True],
         "source": ["1 read step(s)", "2 read step(s)"]}
    )
    tm.assert_frame_equal(result, expected)


def test_log_overview_aggregate_table():
    steps = pd.DataFrame(
        {"table": ["creators"], "step": ["aggregate"], "rows_in": [100], "rows_out": [9],
         "dropped": [0], "repaired": [0]}
    )
    result = audit.log_overview(steps, {"creators": 9})
    assert result["rows_read"].tolist() == [100]
    assert result["balanced"].tolist() == [True]
    assert result["source"].tolist() == ["aggregated from rows of another table"]


def test_reason_counts_sorted_largest_first():
    events = pd.DataFrame(
        {"table": ["posts"] * 3, "action": ["dropped"] * 3, "reason": ["dup", "zero", "dup"]}
    )
    result = audit.reason_counts(events)
    assert result["reason"].tolist() == ["dup", "zero"]
    assert result["rows"].tolist() == [2, 1]
    assert audit.reason_counts(events.iloc[0:0]).empty


def test_claim_coverage_from_data():
    tables = {
        ("wide", "creators"): _creators(authentic=True),
        ("mega-only", "creators"): _creators(n_small=0),
        ("no-engagement", "creators"): _creators().drop(columns=["avg_likes", "avg_comments"]),
    }
    result = audit.claim_coverage(tables).set_index("dataset")
    assert result.loc["wide", "C1"].startswith("yes: 80 creators")
    assert result.loc["wide", "C3"].startswith("yes: 40 engaged creators <50k, 40 >=500k")
    assert result.loc["wide", "C6"].startswith("yes")
    assert result.loc["wide", "C2"].startswith("assumed prices only")
    assert result.loc["mega-only", "C3"].startswith("no: 0 engaged creators <50k")
    assert result.loc["mega-only", "C6"].startswith("no")
    assert result.loc["no-engagement", "C1"] == "no: no engagement measure"
    assert (result["C8"] == "no: no purchase data").all()
    assert result.loc["wide", "C7"] == "niche only: has category"
    assert result.loc["no-engagement", "C7"] == "no: category but no engagement"


def test_claim_coverage_of_tables_without_creators():
    tables = {
        ("labels", "accounts"): pd.DataFrame({"account": ["a"], "fake": [True]}),
        ("poll", "poll"): pd.DataFrame({"answer": ["Twitter"], "count": [3]}),
        ("topics", "posts"): _creators().rename(columns={"avg_likes": "likes",
                                                         "avg_comments": "comments"})
        .drop(columns=["category"]).assign(topic="5G", post_id=lambda f: f.index.astype(str)),
    }
    result = audit.claim_coverage(tables).set_index("dataset")
    assert result.loc["labels", "C6"] == (
        "ground truth only: labelled fake followers, no creator sizes")
    assert result.loc["labels", "C1"] == "no: follower accounts, not creators"
    assert result.loc["poll", "C8"] == (
        "nearest evidence only: a different question on a different base")
    assert result.loc["poll", "C6"] == "no: aggregated poll answers"
    assert result.loc["topics", "C7"] == "niche only: has topic"
    assert list(result.columns) == ["table", "C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"]


def test_capabilities_ignores_zero_followers():
    frame = _creators(n_small=5, n_big=5)
    frame = frame.assign(followers=frame["followers"].where(frame.index > 0, 0.0))
    result = audit.capabilities(frame, "creators")
    assert result["engaged_creators"] == 9


def test_capabilities_use_each_platforms_own_engagement_columns():
    # one platform reports likes, the other only a total: both count as measured
    likes = _creators(n_small=5, n_big=5).assign(platform="tiktok")
    totals = _creators(n_small=5, n_big=5).assign(platform="instagram", creator=lambda f:
                                                  "ig" + f["creator"].astype(str))
    totals = totals.assign(avg_engagement=totals["avg_likes"], avg_likes=np.nan,
                           avg_comments=np.nan)
    result = audit.capabilities(pd.concat([likes, totals], ignore_index=True), "creators")
    assert result["engaged_creators"] == 20
    assert audit.engagement_columns(totals, "creators") == ["avg_engagement"]
