"""Tests for insights.segments (C7, C8) and insights.stats.group_contrasts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights import segments, stats

# Several tests fit exact power laws (no noise) to get known answers: a perfect fit.
pytestmark = pytest.mark.filterwarnings("ignore:Perfect separation")


def _groups(slopes=None, levels=None, n_each=40, seed=0, noise=0.0):
    slopes = slopes or {"a": 0.8, "b": 0.8, "c": 0.8}
    levels = levels or {"a": 1.0, "b": 2.0, "c": 0.5}
    rng = np.random.default_rng(seed)
    rows = []
    for g in slopes:
        f = 10 ** rng.uniform(3, 7, n_each)
        noise_term = np.exp(rng.normal(0, noise, n_each)) if noise else 1.0
        y = levels[g] * (f / 1e5) ** slopes[g] * noise_term
        rows.append(pd.DataFrame({"g": g, "followers": f, "y": y}))
    return pd.concat(rows, ignore_index=True)


@pytest.mark.parametrize("estimand", ["typical", "expected"])
def test_group_contrasts_recovers_levels_and_slopes(estimand):
    frame = _groups(slopes={"a": 0.8, "b": 0.5, "c": 1.1})
    result = stats.group_contrasts(frame, y="y", group="g", reference="a", interaction=True,
                                   at=1e5, estimand=estimand)
    table = result.table.set_index("group")
    np.testing.assert_allclose(table["ratio"], [1.0, 2.0, 0.5], rtol=1e-6)
    np.testing.assert_allclose(table["slope"], [0.8, 0.5, 1.1], atol=1e-6)
    assert result.tested == "equal slopes" and result.reference == "a" and result.at == 1e5
    assert table["n"].tolist() == [40, 40, 40] and result.n == 120
    assert np.isnan(table.loc["a", "ratio_low"])


def test_group_contrasts_wald_test_and_intervals():
    same = stats.group_contrasts(_groups(noise=0.3), y="y", group="g", interaction=True)
    differ = stats.group_contrasts(_groups(slopes={"a": 0.8, "b": 0.4, "c": 1.2}, noise=0.3),
                                   y="y", group="g", interaction=True)
    assert same.wald_p > 0.01 and differ.wald_p < 1e-6
    table = differ.table
    assert (table["slope_low"] < table["slope"]).all()
    assert (table["slope"] < table["slope_high"]).all()
    levels = stats.group_contrasts(_groups(noise=0.3), y="y", group="g")
    assert levels.tested == "equal levels" and levels.wald_p < 1e-6


def test_group_contrasts_default_reference_at_and_pooling():
    frame = _groups(n_each=40)
    frame = pd.concat([frame, _groups(slopes={"d": 0.8}, levels={"d": 3.0}, n_each=5)],
                      ignore_index=True)
    result = stats.group_contrasts(frame, y="y", group="g", min_size=10)
    table = result.table.set_index("group")
    assert list(table.index) == ["a", "b", "c", "other"]  # largest first; 'd' pooled
    assert table.loc["other", "n"] == 5
    log_f = np.log(frame["followers"])
    assert result.at == pytest.approx(np.exp(np.median(log_f)))


def test_group_contrasts_typical_leaves_zeros_out_expected_keeps_them():
    frame = _groups()
    frame.loc[::10, "y"] = 0.0
    assert stats.group_contrasts(frame, y="y", group="g").n == 108
    assert stats.group_contrasts(frame, y="y", group="g", estimand="expected").n == 120


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"group": "nope"}, KeyError, "column 'nope' not in the table"),
        ({"group": "g", "reference": "zz"}, ValueError, "reference group 'zz' has no usable rows"),
        ({"group": "g", "estimand": "mean"}, ValueError, "estimand must be"),
    ],
)
def test_group_contrasts_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        stats.group_contrasts(_groups(), y="y", **kwargs)


def test_group_contrasts_needs_two_groups():
    with pytest.raises(stats.InsufficientDataError, match="only one group"):
        stats.group_contrasts(_groups(slopes={"a": 0.8}), y="y", group="g")


# ------------------------------------------------------------------------------- C7 verdicts


def _contrasts(lows, highs):
    table = pd.DataFrame({"group": ["ref", *[f"g{i}" for i in range(len(lows))]],
                          "ratio": 1.0, "ratio_low": [np.nan, *lows],
                          "ratio_high": [np.nan, *highs]})
    return stats.GroupContrasts(table, 0.5, "equal levels", 1e6, "ref", "m", 10)


@pytest.mark.parametrize(
    ("lows", "highs", "expected"),
    [
        ([1.2], [2.0], "supported"),
        ([0.2], [0.8], "contradicted"),
        ([0.8], [1.3], "inconclusive"),
        ([0.8, 1.1], [1.3, 1.5], "depends"),
        ([0.8, 0.3], [1.3, 0.9], "depends"),
        ([0.8, 0.7], [1.3, 1.1], "inconclusive"),
    ],
)
def test_c7_verdict_known_answers(lows, highs, expected):
    assert segments.c7_verdict(_contrasts(lows, highs)) == expected
    assert segments.c7_verdict(_contrasts(lows, highs), "not evidence") == "not evidence"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.floats(0.01, 10), st.floats(0.01, 10)), min_size=1, max_size=6))
def test_c7_verdict_is_a_verdict_and_symmetric(bounds):
    lows = [min(a, b) for a, b in bounds]
    highs = [max(a, b) for a, b in bounds]
    result = segments.c7_verdict(_contrasts(lows, highs))
    assert result in {"supported", "contradicted", "inconclusive", "depends"}
    mirrored = segments.c7_verdict(_contrasts([1 / h for h in highs], [1 / lo for lo in lows]))
    swap = {"supported": "contradicted", "contradicted": "supported"}
    assert mirrored == swap.get(result, result)


# ------------------------------------------------------------------------------- C7 helpers


def _lists():
    return pd.DataFrame({
        "platform": ["instagram", "instagram", "instagram", "tiktok", "tiktok", "youtube",
                     "youtube"],
        "creator": ["MrBeast", "abc", "solo.one", "@mrbeast", "abc", "Mr Beast", "other"],
        "display_name": ["MrBeast", "A", "Solo", "MrBeast", "B", "Jimmy", "Other"],
        "followers": [1e7, 2e6, 3e6, 5e6, 1e6, 9e7, 2e7],
        "avg_likes": [1e5, 2e4, 3e4, 1e5, 1e4, 1e6, 2e5],
    })


def test_cross_platform_membership_known_answers():
    result = segments.cross_platform_membership(_lists())
    table = result.table
    assert table["key"].tolist() == ["mrbeast", "abc", "solo.one", "mrbeast", "abc", "mrbeast",
                                     "other"]
    assert table["cross_platform"].tolist() == [True, False, False, True, False, True, False]
    assert table["ambiguous"].tolist() == [False, True, False, False, True, False, False]
    assert result.counts.loc["instagram"].tolist() == [3, 1, 1]
    assert result.names_differ == 1  # "MrBeast", "MrBeast" and "Jimmy" share no word


def test_cross_platform_membership_names_check_and_duplicates():
    lists = _lists()
    lists.loc[5, "display_name"] = "Jimmy"
    lists.loc[0, "display_name"] = "Jimmy Donaldson"
    lists.loc[3, "display_name"] = "Jimmy D"
    assert segments.cross_platform_membership(lists).names_differ == 0
    lists.loc[3, "display_name"] = "Someone else"
    assert segments.cross_platform_membership(lists).names_differ == 1
    twice = pd.concat([lists, lists.iloc[[6]]], ignore_index=True)  # 'other' twice on youtube
    result = segments.cross_platform_membership(twice)
    assert result.table.loc[result.table["key"] == "other", "ambiguous"].all()


def test_membership_contrasts_leaves_ambiguous_out():
    rng = np.random.default_rng(3)
    n = 120
    f = 10 ** rng.uniform(6, 8, n)
    frame = pd.DataFrame({"platform": "youtube", "creator": [f"c{i:03d}" for i in range(n)],
                          "followers": f, "cross_platform": np.arange(n) % 4 == 0,
                          "ambiguous": np.arange(n) % 10 == 1})
    frame["avg_likes"] = np.where(frame["cross_platform"], 3.0, 1.0) * (f / 1e7) ** 0.6 * 1e4
    result = segments.membership_contrasts(frame)
    table = result.table.set_index("group")
    assert table.loc["on two or more lists", "ratio"] == pytest.approx(3.0, rel=1e-6)
    assert result.n == n - 12
    assert segments.c7_verdict(result) == "supported"


def test_topic_and_breadth_contrasts():
    rng = np.random.default_rng(4)
    n = 600
    creator = rng.integers(0, 150, n).astype(str)
    topic = np.where(rng.random(n) < 0.5, "x", "y")
    f = (10 ** rng.uniform(1, 5, 150))[creator.astype(int)]
    mean = np.where(topic == "x", 2.0, 1.0) * f ** 0.7 * 0.05
    posts = pd.DataFrame({"post_id": np.arange(n).astype(str), "creator": creator,
                          "topic": topic, "followers": f, "likes": mean, "comments": 0.0,
                          "age_days": rng.uniform(1, 50, n)})
    result = segments.topic_contrasts(posts, reference="y")
    assert result.table.set_index("group").loc["x", "ratio"] == pytest.approx(2.0, rel=1e-6)
    assert "errors clustered by creator" in result.method
    breadth = segments.breadth_contrasts(posts)
    assert set(breadth.table["group"]) == {"one topic", "several topics"}
    # equal expected engagement at equal size and topic for broad and single-topic creators
    several = breadth.table.set_index("group").loc["several topics", "ratio"]
    assert several == pytest.approx(1.0, rel=1e-6)


def test_category_contrasts_refuses_a_list_without_categories():
    frame = _lists().assign(category=None)
    with pytest.raises(ValueError, match="no 'category' values in this table: C7 by category"):
        segments.category_contrasts(frame)


# ------------------------------------------------------------------------------- C8


def test_poll_share_known_answer_and_errors():
    poll = pd.DataFrame({"segment_id": [0, 0, 0, 1, 1, 2, 2], "segment_type": "x",
                         "segment": ["all", "all", "all", "dup", "dup", "dup", "dup"],
                         "answer": ["Twitter", "Instagram", "None", "Twitter", "None",
                                    "Twitter", "None"],
                         "count": [179, 916, 1581, 1, 1, 2, 2]})
    result = segments.poll_share(poll, answer="Twitter", segment="all")
    assert (result.count, result.respondents) == (179, 2676)
    assert result.share == pytest.approx(179 / 2676)
    assert result.ci_low == pytest.approx(0.0580, abs=1e-4)
    assert result.ci_high == pytest.approx(0.0770, abs=1e-4)
    with pytest.raises(ValueError, match="names 2 segments"):
        segments.poll_share(poll, answer="Twitter", segment="dup")
    with pytest.raises(ValueError, match="no segment 'nope'"):
        segments.poll_share(poll, answer="Twitter", segment="nope")
    with pytest.raises(ValueError, match="no answer 'TikTok'"):
        segments.poll_share(poll, answer="TikTok", segment="all")


@pytest.mark.parametrize("estimand", ["typical", "expected"])
def test_group_contrasts_ratio_interval_coverage(estimand):
    """Coverage of the ratio interval by simulation on a world like the 2022 lists: 990
    creators, a group of 90 with twice the engagement at equal size, log-normal noise (sd 1),
    so that the mean and the geometric mean differ by the same factor in both groups."""
    rng = np.random.default_rng(21)
    n, reps, truth = 990, 400, 2.0
    group = np.where(np.arange(n) < 90, "cross", "one")
    hits = []
    for _ in range(reps):
        f = 10 ** rng.uniform(6, 8, n)
        y = np.where(group == "cross", truth, 1.0) * (f / 1e7) ** 0.5 * np.exp(rng.normal(0, 1, n))
        frame = pd.DataFrame({"y": y * 1e4, "followers": f, "g": group})
        table = stats.group_contrasts(frame, y="y", group="g", reference="one",
                                      estimand=estimand).table.set_index("group")
        hits.append(table.loc["cross", "ratio_low"] <= truth <= table.loc["cross", "ratio_high"])
    coverage = np.mean(hits)
    assert abs(coverage - 0.95) < 3 * np.sqrt(0.95 * 0.05 / reps), coverage


def test_group_contrasts_clustered_ratio_coverage():
    """Coverage of the clustered PPML ratio (topic contrasts on Twitter): 1,500 authors with
    1 to 4 posts, an author effect, Poisson counts with many zeros, a topic 1.4 times the
    other at equal size."""
    rng = np.random.default_rng(22)
    authors, reps, truth = 1500, 300, 1.4
    hits = []
    for _ in range(reps):
        posts = rng.integers(1, 5, authors)
        author = np.repeat(np.arange(authors), posts)
        f = (10 ** rng.uniform(1, 5, authors))[author]
        topic = np.where(rng.random(authors) < 0.4, "x", "y")[author]
        effect = rng.normal(0, 0.8, authors)[author]
        mean = np.where(topic == "x", truth, 1.0) * 0.02 * f ** 0.7 * np.exp(effect - 0.32)
        frame = pd.DataFrame({"y": rng.poisson(mean), "followers": f, "topic": topic,
                              "creator": author})
        table = stats.group_contrasts(frame, y="y", group="topic", reference="y",
                                      estimand="expected", cluster="creator").table
        row = table.set_index("group").loc["x"]
        hits.append(row["ratio_low"] <= truth <= row["ratio_high"])
    coverage = np.mean(hits)
    assert abs(coverage - 0.95) < 3 * np.sqrt(0.95 * 0.05 / reps), coverage


def test_c7_verdict_applies_the_zero_rule():
    frame = _groups(noise=0.3, levels={"a": 1.0, "b": 5.0, "c": 0.2})
    frame.loc[::8, "y"] = 0.0
    typical = stats.group_contrasts(frame, y="y", group="g")
    assert typical.n_zero == 15 and typical.n == 105
    assert segments.c7_verdict(typical) == "inconclusive"
    expected = stats.group_contrasts(frame, y="y", group="g", estimand="expected")
    assert expected.n_zero == 0 and segments.c7_verdict(expected) == "depends"
