"""Tests for insights.metrics: engagement counts, rates, safe division and creator aggregates."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_index_equal, assert_series_equal

from insights import metrics
from insights.metrics import (
    STATUSES,
    comments_per_like,
    creator_engagement,
    engagement,
    engagement_rate,
    ratio,
)

STATUS_DTYPE = pd.CategoricalDtype(["ok", "missing", "negative", "zero_denominator"])
NAN = np.nan


def make_expected(value, status, index=None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": np.asarray(value, dtype="float64"),
            "status": pd.Categorical(status, dtype=STATUS_DTYPE),
        },
        index=index,
    )


def test_statuses_are_fixed():
    assert STATUSES == ("ok", "missing", "negative", "zero_denominator")


# ---------------------------------------------------------------------------------------------
# ratio
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("numerator", "denominator", "value", "status"),
    [
        (30, 1000, 0.03, "ok"),
        (0, 1000, 0.0, "ok"),
        (5, 0, NAN, "zero_denominator"),
        (0, 0, NAN, "zero_denominator"),
        (5, -0.0, NAN, "zero_denominator"),
        (-5, 10, NAN, "negative"),
        (5, -10, NAN, "negative"),
        (-5, 0, NAN, "negative"),  # negative > zero_denominator
        (NAN, 10, NAN, "missing"),
        (5, NAN, NAN, "missing"),
        (None, 10, NAN, "missing"),
        (pd.NA, 10, NAN, "missing"),
        (NAN, -10, NAN, "missing"),  # missing > negative
        (NAN, 0, NAN, "missing"),  # missing > zero_denominator
        (np.inf, 10, NAN, "missing"),
        (5, np.inf, NAN, "missing"),
        (-np.inf, 10, NAN, "missing"),
        (1e308, 1e-308, NAN, "missing"),  # overflows float64
        ("12", "4", 3.0, "ok"),
        ("abc", 4, NAN, "missing"),
        ("3.3k", 4, NAN, "missing"),  # display strings belong to insights.ingest.parsing
        (True, 4, 0.25, "ok"),
    ],
)
def test_ratio_rules(numerator, denominator, value, status):
    result = ratio(
        pd.Series([numerator], dtype=object), pd.Series([denominator], dtype=object)
    )
    expected = make_expected([value], [status])
    assert_frame_equal(result, expected)


def test_ratio_docstring_example():
    result = ratio(pd.Series([30, 5, 5, None, -1]), pd.Series([1000, 0, -10, 100, 0]))
    expected = make_expected(
        [0.03, NAN, NAN, NAN, NAN], ["ok", "zero_denominator", "negative", "missing", "negative"]
    )
    assert_frame_equal(result, expected)


@pytest.mark.parametrize(
    "index",
    [
        pd.Index(["cristiano", "rkive", "leomessi"], name="creator"),
        pd.Index([30, 10, 20]),
        pd.RangeIndex(5, 8),
    ],
)
def test_ratio_preserves_index(index):
    result = ratio(pd.Series([1, 2, 3], index=index), pd.Series([4, 0, 6], index=index))
    expected = make_expected([0.25, NAN, 0.5], ["ok", "zero_denominator", "ok"], index=index)
    assert_frame_equal(result, expected)


def test_ratio_aligns_on_index():
    numerator = pd.Series([10.0, 20.0, 30.0], index=["a", "b", "c"])
    denominator = pd.Series([4.0, 100.0, 5.0], index=["c", "b", "d"])
    result = ratio(numerator, denominator)
    expected = make_expected(
        [NAN, 0.2, 7.5, NAN],
        ["missing", "ok", "ok", "missing"],
        index=pd.Index(["a", "b", "c", "d"]),
    )
    assert_frame_equal(result, expected)


def test_ratio_of_a_metric_frame_keeps_its_status():
    posts = pd.DataFrame(
        {"likes": [10, -1, None, 5], "comments": [0, 1, 1, 5], "views": [100, 100, 100, 0]}
    )
    result = ratio(engagement(posts, components=("likes", "comments")), posts["views"])
    expected = make_expected(
        [0.1, NAN, NAN, NAN], ["ok", "negative", "missing", "zero_denominator"]
    )
    assert_frame_equal(result, expected)


def test_ratio_rejects_a_frame_that_is_not_a_metric():
    with pytest.raises(TypeError, match=r"'value' and 'status'.*\['likes'\]"):
        ratio(pd.DataFrame({"likes": [1]}), pd.Series([1]))


def test_ratio_accepts_lists():
    result = ratio([1, 2], [2, 0])
    assert_frame_equal(result, make_expected([0.5, NAN], ["ok", "zero_denominator"]))


def test_ratio_empty():
    result = ratio(pd.Series([], dtype="float64"), pd.Series([], dtype="float64"))
    assert_frame_equal(result, make_expected([], []))


def test_ratio_nullable_and_string_dtypes():
    numerator = pd.Series([1, None, 3], dtype="Int64")
    denominator = pd.Series(["2", "4", None], dtype="string")
    result = ratio(numerator, denominator)
    assert_frame_equal(result, make_expected([0.5, NAN, NAN], ["ok", "missing", "missing"]))


def test_ratio_does_not_mutate_inputs():
    numerator = pd.Series([1, None, -3, "x"], index=[9, 8, 7, 6], dtype=object)
    denominator = pd.Series([0.0, 2.0, 3.0, 4.0], index=[9, 8, 7, 6])
    before = numerator.copy(), denominator.copy()
    ratio(numerator, denominator)
    assert_series_equal(numerator, before[0])
    assert_series_equal(denominator, before[1])


# ---------------------------------------------------------------------------------------------
# engagement
# ---------------------------------------------------------------------------------------------


def test_engagement_docstring_example():
    posts = pd.DataFrame(
        {"likes": [120, 80, None, -3], "comments": [4, 0, 2, 1]}, index=[10, 11, 12, 13]
    )
    result = engagement(posts, components=("likes", "comments"))
    expected = make_expected(
        [124.0, 80.0, NAN, NAN], ["ok", "ok", "missing", "negative"], index=[10, 11, 12, 13]
    )
    assert_frame_equal(result, expected)


def test_engagement_three_components():
    posts = pd.DataFrame({"likes": [10, 20], "comments": [1, 2], "shares": [0, 5]})
    result = engagement(posts, components=("likes", "comments", "shares"))
    assert_frame_equal(result, make_expected([11.0, 27.0], ["ok", "ok"]))


def test_engagement_creator_level_columns():
    creators = pd.DataFrame(
        {"avg_likes": [1_500.0, 87_200.0], "avg_comments": [12.5, NAN]},
        index=pd.Index(["ana", "bo"], name="creator"),
    )
    result = engagement(creators, components=("avg_likes", "avg_comments"))
    expected = make_expected([1_512.5, NAN], ["ok", "missing"], index=creators.index)
    assert_frame_equal(result, expected)


def test_engagement_single_string_component():
    posts = pd.DataFrame({"likes": [3, -1]})
    result = engagement(posts, components="likes")
    assert_frame_equal(result, make_expected([3.0, NAN], ["ok", "negative"]))


@pytest.mark.parametrize(
    ("likes", "comments", "value", "status"),
    [
        (0, 0, 0.0, "ok"),
        (None, -1, NAN, "missing"),  # missing > negative
        (-1, None, NAN, "missing"),
        (-1, -2, NAN, "negative"),
        (np.inf, 1, NAN, "missing"),
        (-np.inf, 1, NAN, "missing"),
        ("12", " 3 ", 15.0, "ok"),
        ("twelve", 3, NAN, "missing"),
        ("", 3, NAN, "missing"),
        (1e308, 1e308, NAN, "missing"),  # the sum overflows float64
        (10**400, 1, NAN, "missing"),  # a Python int beyond float64
    ],
)
def test_engagement_rules(likes, comments, value, status):
    posts = pd.DataFrame(
        {
            "likes": pd.Series([likes], dtype=object),
            "comments": pd.Series([comments], dtype=object),
        }
    )
    result = engagement(posts, components=("likes", "comments"))
    assert_frame_equal(result, make_expected([value], [status]))


@pytest.mark.parametrize(
    "column",
    [
        pd.Series([1, None, 3], dtype="Int64"),
        pd.Series([1.0, NAN, 3.0]),
        pd.Series(["1", None, "3"], dtype="string"),
        pd.Series(["1", "n/a", "3"], dtype="category"),
        pd.Series([1, None, 3.0], dtype=object),
    ],
    ids=["Int64", "float", "string", "category", "object"],
)
def test_engagement_input_dtypes(column):
    posts = pd.DataFrame({"likes": column, "comments": [1, 1, 1]})
    result = engagement(posts, components=("likes", "comments"))
    assert_frame_equal(result, make_expected([2.0, NAN, 4.0], ["ok", "missing", "ok"]))


def test_engagement_dates_are_not_counts():
    posts = pd.DataFrame({"likes": pd.to_datetime(["2024-01-01"]), "comments": [1]})
    result = engagement(posts, components=("likes", "comments"))
    assert_frame_equal(result, make_expected([NAN], ["missing"]))


def test_engagement_missing_column_names_it_and_the_available_columns():
    posts = pd.DataFrame({"likes": [1], "comments": [2]})
    with pytest.raises(KeyError) as excinfo:
        engagement(posts, components=("likes", "shares", "saves"))
    message = str(excinfo.value)
    assert "['shares', 'saves']" in message
    assert "available columns: ['likes', 'comments']" in message


def test_engagement_components_are_required():
    with pytest.raises(TypeError, match="components"):
        engagement(pd.DataFrame({"likes": [1]}))  # type: ignore[call-arg]


@pytest.mark.parametrize("components", [(), []])
def test_engagement_empty_components(components):
    with pytest.raises(ValueError, match="components is empty"):
        engagement(pd.DataFrame({"likes": [1]}), components=components)


def test_engagement_duplicate_components():
    with pytest.raises(ValueError, match=r"more than once: \['likes'\]"):
        engagement(pd.DataFrame({"likes": [1]}), components=("likes", "likes"))


def test_engagement_empty_frame():
    posts = pd.DataFrame({"likes": pd.Series([], dtype="float64"), "comments": []})
    result = engagement(posts, components=("likes", "comments"))
    assert_frame_equal(result, make_expected([], []))


def test_engagement_does_not_mutate_input():
    posts = pd.DataFrame(
        {"likes": ["1", None, -2], "comments": [1, 2, 3]}, index=pd.Index(list("zyx"))
    )
    before = posts.copy()
    result = engagement(posts, components=("likes", "comments"))
    assert_frame_equal(posts, before)
    assert_index_equal(result.index, before.index)
    assert result is not posts


# ---------------------------------------------------------------------------------------------
# engagement_rate
# ---------------------------------------------------------------------------------------------


def test_engagement_rate_docstring_example():
    posts = pd.DataFrame(
        {"likes": [120, 80, 5], "comments": [4, 0, 1], "followers": [10_000, 0, None]}
    )
    result = engagement_rate(posts, components=("likes", "comments"), per="followers")
    expected = make_expected([0.0124, NAN, NAN], ["ok", "zero_denominator", "missing"])
    assert_frame_equal(result, expected)


def test_engagement_rate_is_a_fraction_per_follower_by_default():
    posts = pd.DataFrame({"likes": [139], "comments": [0], "followers": [10_000]})
    result = engagement_rate(posts, components=("likes", "comments"))
    assert result["value"].iloc[0] == pytest.approx(0.0139)  # 1.39 %, as a fraction


def test_engagement_rate_per_view():
    posts = pd.DataFrame(
        {
            "likes": [50, 10, 1],
            "comments": [10, 0, 0],
            "shares": [40, 0, 0],
            "views": [1_000, 0, -5],
            "followers": [1, 1, 1],
        },
        index=[7, 3, 5],
    )
    result = engagement_rate(posts, components=("likes", "comments", "shares"), per="views")
    expected = make_expected(
        [0.1, NAN, NAN], ["ok", "zero_denominator", "negative"], index=[7, 3, 5]
    )
    assert_frame_equal(result, expected)


@pytest.mark.parametrize(
    ("likes", "followers", "status"),
    [
        (-1, 0, "negative"),  # negative > zero_denominator
        (None, -5, "missing"),  # missing > negative
        (None, 0, "missing"),
        (1, -5, "negative"),
        (1, "n/a", "missing"),
    ],
)
def test_engagement_rate_precedence(likes, followers, status):
    posts = pd.DataFrame(
        {
            "likes": pd.Series([likes], dtype=object),
            "comments": [1],
            "followers": pd.Series([followers], dtype=object),
        }
    )
    result = engagement_rate(posts, components=("likes", "comments"))
    assert_frame_equal(result, make_expected([NAN], [status]))


def test_engagement_rate_missing_denominator_column():
    posts = pd.DataFrame({"likes": [1], "comments": [2]})
    with pytest.raises(KeyError, match=r"\['views'\].*available columns: \['likes', 'comments'\]"):
        engagement_rate(posts, components=("likes", "comments"), per="views")


def test_engagement_rate_components_are_required():
    with pytest.raises(TypeError, match="components"):
        engagement_rate(pd.DataFrame({"likes": [1], "followers": [1]}))  # type: ignore[call-arg]


def test_engagement_rate_empty_frame():
    posts = pd.DataFrame({"likes": [], "comments": [], "followers": []}, dtype="float64")
    result = engagement_rate(posts, components=("likes", "comments"))
    assert_frame_equal(result, make_expected([], []))


def test_engagement_rate_does_not_mutate_input():
    posts = pd.DataFrame({"likes": [1, None], "comments": [2, 3], "followers": [0, 10]})
    before = posts.copy()
    engagement_rate(posts, components=("likes", "comments"))
    assert_frame_equal(posts, before)


# ---------------------------------------------------------------------------------------------
# comments_per_like
# ---------------------------------------------------------------------------------------------


def test_comments_per_like_docstring_example():
    posts = pd.DataFrame({"likes": [200, 0, 50], "comments": [10, 3, "n/a"]})
    result = comments_per_like(posts)
    expected = make_expected([0.05, NAN, NAN], ["ok", "zero_denominator", "missing"])
    assert_frame_equal(result, expected)


def test_comments_per_like_creator_columns_and_index():
    creators = pd.DataFrame(
        {"avg_likes": [400.0, 10.0, -1.0], "avg_comments": [20.0, 0.0, 3.0]},
        index=pd.Index(["ana", "bo", "cy"], name="creator"),
    )
    result = comments_per_like(creators, comments="avg_comments", likes="avg_likes")
    expected = make_expected([0.05, 0.0, NAN], ["ok", "ok", "negative"], index=creators.index)
    assert_frame_equal(result, expected)


def test_comments_per_like_missing_column():
    with pytest.raises(KeyError, match=r"\['comments'\].*available columns: \['likes'\]"):
        comments_per_like(pd.DataFrame({"likes": [1]}))


# ---------------------------------------------------------------------------------------------
# creator_engagement
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def posts() -> pd.DataFrame:
    """Two platforms; 'ana' has one viral post; 'bo' has only bad posts; rows out of order."""
    return pd.DataFrame(
        {
            "platform": ["tiktok", "instagram", "instagram", "instagram", "instagram",
                         "instagram", "tiktok"],
            "creator": ["ana", "cy", "ana", "bo", "ana", "bo", "ana"],
            "post_id": ["t1", "c1", "a1", "b1", "a2", "b2", "t2"],
            "likes": [90, 30, 100, -1, 2_040, None, 10],
            "comments": [10, 0, 10, 1, 100, 2, 0],
            "shares": [0, 0, 0, 0, 0, 0, 0],
            "views": [1_000, 300, 2_000, 100, 9_000, 100, 0],
            "followers": [5_000, 0, 10_000, 800, 10_500, 800, 5_000],
        },
        index=[70, 60, 50, 40, 30, 20, 10],
    )


def make_creators(rows, **extra_columns) -> pd.DataFrame:
    columns = list(zip(*rows, strict=True)) or [()] * 8
    platform, creator, followers, n_posts, n_used, eng, rate, status = columns
    frame = pd.DataFrame(
        {
            "platform": list(platform),
            "creator": list(creator),
            "followers": np.asarray(followers, dtype="float64"),
            **extra_columns,
            "n_posts": np.asarray(n_posts, dtype="int64"),
            "n_used": np.asarray(n_used, dtype="int64"),
            "engagement": np.asarray(eng, dtype="float64"),
            "engagement_rate": np.asarray(rate, dtype="float64"),
            "status": pd.Categorical(status, dtype=STATUS_DTYPE),
        }
    )
    return frame.astype({"platform": "str", "creator": "str"})


def test_creator_engagement_mean(posts):
    result = creator_engagement(posts, components=("likes", "comments"), stat="mean")
    expected = make_creators(
        [
            ("instagram", "ana", 10_250, 2, 2, 1_125.0, 1_125 / 10_250, "ok"),
            ("instagram", "bo", 800, 2, 0, NAN, NAN, "missing"),
            ("instagram", "cy", 0, 1, 1, 30.0, NAN, "zero_denominator"),
            ("tiktok", "ana", 5_000, 2, 2, 55.0, 0.011, "ok"),
        ]
    )
    assert_frame_equal(result, expected)


def test_creator_engagement_median_is_robust_to_a_viral_post(posts):
    viral = pd.DataFrame(
        {
            "platform": "instagram",
            "creator": "ana",
            "likes": [100, 140, 2_040],
            "comments": [10, 10, 100],
            "followers": [10_000, 10_000, 10_500],
        }
    )
    mean = creator_engagement(viral, components=("likes", "comments"), stat="mean")
    median = creator_engagement(viral, components=("likes", "comments"), stat="median")
    assert mean["engagement"].tolist() == [800.0]
    assert median["engagement"].tolist() == [150.0]
    assert median["engagement_rate"].tolist() == [0.015]


def test_creator_engagement_median(posts):
    result = creator_engagement(posts, components=("likes", "comments"), stat="median")
    expected = make_creators(
        [
            ("instagram", "ana", 10_250, 2, 2, 1_125.0, 1_125 / 10_250, "ok"),
            ("instagram", "bo", 800, 2, 0, NAN, NAN, "missing"),
            ("instagram", "cy", 0, 1, 1, 30.0, NAN, "zero_denominator"),
            ("tiktok", "ana", 5_000, 2, 2, 55.0, 0.011, "ok"),
        ]
    )
    assert_frame_equal(result, expected)  # two used posts: median == mean


def test_creator_engagement_per_view(posts):
    result = creator_engagement(
        posts, components=("likes", "comments"), stat="mean", per="views"
    )
    expected = make_creators(
        [
            ("instagram", "ana", 10_250, 2, 2, 1_125.0, 1_125 / 5_500, "ok"),
            ("instagram", "bo", 800, 2, 0, NAN, NAN, "missing"),
            ("instagram", "cy", 0, 1, 1, 30.0, 0.1, "ok"),
            ("tiktok", "ana", 5_000, 2, 2, 55.0, 55 / 500, "ok"),
        ],
        views=[5_500.0, NAN, 300.0, 500.0],
    )
    assert_frame_equal(result, expected)


def test_creator_engagement_per_view_needs_a_usable_view_count():
    posts = pd.DataFrame(
        {
            "creator": ["ana", "ana", "bo"],
            "likes": [10, 1_000, 5],
            "comments": [0, 0, 0],
            "views": [100, None, 0],
            "followers": [50, 50, 50],
        }
    )
    result = creator_engagement(posts, components="likes", per="views")
    assert result["n_used"].tolist() == [1, 1]
    assert result["engagement"].tolist() == [10.0, 5.0]
    assert_series_equal(result["engagement_rate"], pd.Series([0.1, NAN], name="engagement_rate"))
    assert result["status"].tolist() == ["ok", "zero_denominator"]


def test_creator_engagement_without_platform_groups_by_creator():
    posts = pd.DataFrame(
        {
            "handle": ["bo", "ana", "bo"],
            "likes": [1, 2, 3],
            "comments": [0, 0, 1],
            "followers": [100, 200, 300],
        }
    )
    result = creator_engagement(posts, components=("likes", "comments"), creator="handle")
    expected = pd.DataFrame(
        {
            "handle": pd.Series(["ana", "bo"], dtype="str"),
            "followers": [200.0, 200.0],
            "n_posts": np.array([1, 2], dtype="int64"),
            "n_used": np.array([1, 2], dtype="int64"),
            "engagement": [2.0, 2.5],
            "engagement_rate": [0.01, 0.0125],
            "status": pd.Categorical(["ok", "ok"], dtype=STATUS_DTYPE),
        }
    )
    assert_frame_equal(result, expected)


def test_creator_engagement_followers_median_ignores_bad_counts():
    posts = pd.DataFrame(
        {
            "creator": ["ana"] * 4 + ["bo"],
            "likes": [10, 10, 10, 10, 1],
            "comments": [0, 0, 0, 0, 0],
            "followers": [1_000, None, -1, 3_000, "n/a"],
        }
    )
    result = creator_engagement(posts, components=("likes", "comments"))
    assert result["followers"].tolist()[0] == 2_000.0
    assert math.isnan(result["followers"].iloc[1])
    assert result["status"].tolist() == ["ok", "missing"]


def test_creator_engagement_keeps_posts_without_a_creator():
    posts = pd.DataFrame(
        {"creator": ["ana", None], "likes": [1, 2], "comments": [0, 0], "followers": [10, 10]}
    )
    result = creator_engagement(posts, components=("likes", "comments"))
    assert result["n_posts"].sum() == len(posts)
    assert result["creator"].iloc[0] == "ana"
    assert pd.isna(result["creator"].iloc[1])


def test_creator_engagement_fresh_index_and_no_mutation(posts):
    before = posts.copy()
    result = creator_engagement(posts, components=("likes", "comments"))
    assert_frame_equal(posts, before)
    assert_index_equal(result.index, pd.RangeIndex(4))


def test_creator_engagement_empty():
    posts = pd.DataFrame(
        {
            "platform": pd.Series([], dtype="str"),
            "creator": pd.Series([], dtype="str"),
            "likes": pd.Series([], dtype="float64"),
            "comments": pd.Series([], dtype="float64"),
            "followers": pd.Series([], dtype="float64"),
        }
    )
    result = creator_engagement(posts, components=("likes", "comments"))
    assert_frame_equal(result, make_creators([]))
    assert_index_equal(result.index, pd.RangeIndex(0))


@pytest.mark.parametrize("stat", ["average", "sum", "Mean", None])
def test_creator_engagement_rejects_unknown_stat(posts, stat):
    with pytest.raises(ValueError, match="stat must be one of"):
        creator_engagement(posts, components=("likes", "comments"), stat=stat)


def test_creator_engagement_missing_columns(posts):
    with pytest.raises(KeyError, match=r"\['saves'\]"):
        creator_engagement(posts, components=("likes", "saves"))
    with pytest.raises(KeyError, match=r"\['impressions'\]"):
        creator_engagement(posts, components=("likes",), per="impressions")
    with pytest.raises(KeyError, match=r"\['followers'\]"):
        creator_engagement(posts.drop(columns="followers"), components=("likes",))


def test_creator_engagement_components_are_required(posts):
    with pytest.raises(TypeError, match="components"):
        creator_engagement(posts)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="components is empty"):
        creator_engagement(posts, components=())


# ---------------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------------

ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)
SPECIAL = [0.0, -0.0, NAN, np.inf, -np.inf, -1.0, 1e308, 1e-308, 5e-324]


def input_status(x: float) -> str:
    if not math.isfinite(x):
        return "missing"
    return "negative" if x < 0 else "ok"


def worst(*statuses: str) -> str:
    for status in ("missing", "negative", "zero_denominator"):
        if status in statuses:
            return status
    return "ok"


def reference_ratio(n: float, d: float) -> tuple[float, str]:
    """One row of ratio, written out with Python scalars."""
    status = worst(input_status(n), input_status(d), "zero_denominator" if d == 0 else "ok")
    if status != "ok":
        return NAN, status
    quotient = n / d
    return (quotient, "ok") if math.isfinite(quotient) else (NAN, "missing")


def reference_engagement(row: list[float]) -> tuple[float, str]:
    status = worst(*(input_status(x) for x in row))
    if status != "ok":
        return NAN, status
    total = sum(row, 0.0)  # left to right, as in the module
    return (total, "ok") if math.isfinite(total) else (NAN, "missing")


def check_invariants(result: pd.DataFrame) -> None:
    """value is never ±inf; value is finite iff status is ok; dtypes are fixed."""
    assert result["value"].dtype == "float64"
    assert result["status"].dtype == STATUS_DTYPE
    value = result["value"].to_numpy()
    assert not np.isinf(value).any()
    assert np.array_equal(np.isfinite(value), (result["status"] == "ok").to_numpy())


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=0, max_value=1e12),
            st.floats(min_value=1e-12, max_value=1e12),
        ),
        max_size=40,
    )
)
@example([(0.0, 1e-12), (1e12, 1e-12), (30.0, 1000.0)])
def test_property_ratio_of_valid_inputs_is_the_quotient(pairs):
    numerator = pd.Series([n for n, _ in pairs], dtype="float64")
    denominator = pd.Series([d for _, d in pairs], dtype="float64")
    result = ratio(numerator, denominator)
    assert (result["status"] == "ok").all()
    expected = pd.Series([n / d for n, d in pairs], dtype="float64", name="value")
    assert_series_equal(result["value"], expected, check_exact=True)


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(ANY_FLOAT, st.sampled_from(SPECIAL)),
            st.one_of(ANY_FLOAT, st.sampled_from(SPECIAL)),
        ),
        max_size=40,
    )
)
@example([(1e308, 1e-308), (NAN, -1.0), (-1.0, 0.0), (0.0, 0.0), (-np.inf, 0.0), (1.0, -0.0)])
def test_property_ratio_matches_reference_for_any_floats(pairs):
    numerator = pd.Series([n for n, _ in pairs], dtype="float64")
    denominator = pd.Series([d for _, d in pairs], dtype="float64")
    result = ratio(numerator, denominator)
    check_invariants(result)
    reference = [reference_ratio(n, d) for n, d in pairs]
    expected = make_expected([v for v, _ in reference], [s for _, s in reference])
    assert_frame_equal(result, expected, check_exact=True)


@settings(deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 2**40), st.integers(0, 2**40), st.integers(0, 2**40))),
)
def test_property_engagement_of_counts_is_their_sum(rows):
    posts = pd.DataFrame(rows, columns=["likes", "comments", "shares"], dtype="int64")
    result = engagement(posts, components=("likes", "comments", "shares"))
    expected = make_expected([float(sum(row)) for row in rows], ["ok"] * len(rows))
    assert_frame_equal(result, expected, check_exact=True)


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(ANY_FLOAT, st.sampled_from(SPECIAL)),
            st.one_of(ANY_FLOAT, st.sampled_from(SPECIAL)),
        ),
        max_size=40,
    )
)
@example([(1e308, 1e308), (NAN, -1.0), (-np.inf, 2.0), (-1.0, 2.0)])
def test_property_engagement_matches_reference_for_any_floats(rows):
    posts = pd.DataFrame(rows, columns=["likes", "comments"], dtype="float64")
    result = engagement(posts, components=("likes", "comments"))
    check_invariants(result)
    reference = [reference_engagement(list(row)) for row in rows]
    expected = make_expected([v for v, _ in reference], [s for _, s in reference])
    assert_frame_equal(result, expected, check_exact=True)


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(ANY_FLOAT, st.sampled_from(SPECIAL)),
            st.one_of(ANY_FLOAT, st.sampled_from(SPECIAL)),
            st.one_of(ANY_FLOAT, st.sampled_from(SPECIAL)),
        ),
        max_size=40,
    )
)
@example([(-1.0, 2.0, 0.0), (NAN, 1.0, -1.0), (1.0, 1.0, 0.0), (1e308, 1e308, 2.0)])
def test_property_engagement_rate_matches_reference(rows):
    posts = pd.DataFrame(rows, columns=["likes", "comments", "followers"], dtype="float64")
    result = engagement_rate(posts, components=("likes", "comments"))
    check_invariants(result)
    reference = []
    for likes, comments, followers in rows:
        total, status = reference_engagement([likes, comments])
        if status == "ok":
            reference.append(reference_ratio(total, followers))
        else:
            zero = "zero_denominator" if followers == 0 else "ok"
            reference.append((NAN, worst(status, input_status(followers), zero)))
    expected = make_expected([v for v, _ in reference], [s for _, s in reference])
    assert_frame_equal(result, expected, check_exact=True)


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["ana", "bo", "cy"]),
            st.one_of(st.integers(-2, 1_000), st.none()),
            st.integers(0, 100),
            st.one_of(st.integers(-1, 10_000), st.none()),
        ),
        max_size=30,
    ),
    st.sampled_from(["mean", "median"]),
)
@example([("ana", None, 1, 10), ("ana", -1, 1, 10), ("bo", 5, 5, 0)], "mean")
def test_property_creator_engagement_matches_groupwise_reference(rows, stat):
    posts = pd.DataFrame(
        {
            "creator": pd.Series([r[0] for r in rows], dtype="str"),
            "likes": pd.Series([r[1] for r in rows], dtype="Int64"),
            "comments": pd.Series([r[2] for r in rows], dtype="int64"),
            "followers": pd.Series([r[3] for r in rows], dtype="Int64"),
        }
    )
    result = creator_engagement(posts, components=("likes", "comments"), stat=stat)
    assert result["creator"].tolist() == sorted({r[0] for r in rows})
    assert result["n_posts"].sum() == len(rows)
    assert (result["n_used"] <= result["n_posts"]).all()
    rate = result["engagement_rate"].to_numpy()
    assert not np.isinf(rate).any()
    assert np.array_equal(np.isfinite(rate), (result["status"] == "ok").to_numpy())
    summarise = statistics.fmean if stat == "mean" else statistics.median
    for row in result.itertuples(index=False):
        mine = [r for r in rows if r[0] == row.creator]
        used = [r[1] + r[2] for r in mine if r[1] is not None and r[1] >= 0]
        counts = [r[3] for r in mine if r[3] is not None and r[3] >= 0]
        assert row.n_posts == len(mine)
        assert row.n_used == len(used)
        if used:
            assert row.engagement == pytest.approx(summarise(used), rel=1e-12)
        else:
            assert math.isnan(row.engagement)
        if counts:
            assert row.followers == statistics.median(counts)
        else:
            assert math.isnan(row.followers)


# ---------------------------------------------------------------------------------------------
# default_components: the one engagement rule
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        # posts tables (have post_id)
        ({"post_id": [1], "likes": [3.0], "comments": [1.0]}, ("likes", "comments")),
        ({"post_id": [1], "likes": [3.0], "comments": [np.nan]}, ("likes",)),
        ({"post_id": [1], "comments": [2.0], "shares": [9.0]}, ("comments",)),
        ({"post_id": [1], "likes": [3.0], "comments": [1.0], "avg_likes": [5.0]},
         ("likes", "comments")),
        ({"post_id": [1], "likes": [None], "engagements": [4.0], "shares": [9.0]},
         ("engagements",)),
        ({"post_id": [1], "shares": [3.0], "avg_engagement": [9.0]}, ("shares",)),
        # creators tables
        ({"avg_likes": [3.0], "avg_comments": [1.0]}, ("avg_likes", "avg_comments")),
        ({"avg_likes": [1.0], "avg_comments": [None]}, ("avg_likes",)),
        ({"avg_likes": [3.0], "avg_comments": [1.0], "avg_engagement": [9.0]},
         ("avg_likes", "avg_comments")),
        ({"avg_engagement": [9.0], "followers": [100.0]}, ("avg_engagement",)),
        ({"avg_likes": [np.nan], "avg_comments": [np.nan], "avg_engagement": [9.0]},
         ("avg_engagement",)),
        ({"followers": [100.0], "avg_shares": [3.0]}, ("avg_shares",)),
    ],
)
def test_default_components(columns, expected):
    assert metrics.default_components(pd.DataFrame(columns)) == expected


def test_default_components_kind_overrides_the_table_kind():
    frame = pd.DataFrame({"likes": [1.0], "avg_likes": [2.0]})
    assert metrics.default_components(frame) == ("avg_likes",)
    assert metrics.default_components(frame, kind="posts") == ("likes",)


@pytest.mark.parametrize(
    "columns",
    [
        {"followers": [100.0], "views": [3.0]},
        {"avg_likes": [np.nan], "avg_engagement": [np.nan]},
        {"post_id": [1], "avg_likes": [3.0]},  # posts do not read creator averages
        {"post_id": [1], "likes": [np.nan], "comments": [None]},
    ],
)
def test_default_components_without_engagement_columns_names_the_columns(columns):
    frame = pd.DataFrame(columns)
    with pytest.raises(ValueError, match="no engagement columns") as info:
        metrics.default_components(frame)
    assert str(list(frame.columns)) in str(info.value)


@given(st.permutations(["likes", "comments", "shares", "engagements", "views"]))
def test_default_components_ignore_column_order(order):
    frame = pd.DataFrame({c: [1.0] for c in order}).assign(post_id="p")
    assert metrics.default_components(frame) == ("likes", "comments")


# ---------------------------------------------------------------------------------------------
# metric-frame algebra: scale and add
# ---------------------------------------------------------------------------------------------


def test_scale_multiplies_ok_values_and_keeps_statuses():
    frame = metrics.ratio(pd.Series([2.0, 1.0, -1.0, None]), pd.Series([4.0, 0.0, 1.0, 1.0]))
    result = metrics.scale(frame, 10.0)
    expected = pd.DataFrame(
        {"value": [5.0, np.nan, np.nan, np.nan],
         "status": pd.Categorical(["ok", "zero_denominator", "negative", "missing"],
                                  dtype=metrics.STATUS_DTYPE)}
    )
    assert_frame_equal(result, expected)


def test_scale_overflow_is_missing():
    frame = metrics.ratio(pd.Series([1e300]), pd.Series([1.0]))
    result = metrics.scale(frame, 1e300)
    assert result["status"].tolist() == ["missing"] and np.isnan(result["value"].iloc[0])


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("ok", "ok", "ok"),
        ("ok", "zero_denominator", "zero_denominator"),
        ("zero_denominator", "negative", "negative"),
        ("negative", "missing", "missing"),
        ("missing", "ok", "missing"),
    ],
)
def test_add_status_follows_precedence(left, right, expected):
    def frame(status):
        value = 1.0 if status == "ok" else np.nan
        return pd.DataFrame({"value": [value],
                             "status": pd.Categorical([status], dtype=metrics.STATUS_DTYPE)})
    result = metrics.add(frame(left), frame(right))
    assert result["status"].tolist() == [expected]
    assert (result["value"].iloc[0] == 2.0) == (expected == "ok")


@given(st.lists(st.sampled_from(list(metrics.STATUSES)), min_size=2, max_size=2))
def test_add_is_symmetric_in_status(pair):
    def frame(status):
        return pd.DataFrame({"value": [1.0 if status == "ok" else np.nan],
                             "status": pd.Categorical([status], dtype=metrics.STATUS_DTYPE)})
    a, b = frame(pair[0]), frame(pair[1])
    assert metrics.add(a, b)["status"].tolist() == metrics.add(b, a)["status"].tolist()
    worst = max(pair, key=metrics.PRECEDENCE.get)
    assert metrics.add(a, b)["status"].tolist() == [worst]


def test_add_refuses_frames_of_different_lengths():
    one = metrics.ratio(pd.Series([1.0]), pd.Series([1.0]))
    two = metrics.ratio(pd.Series([1.0, 2.0]), pd.Series([1.0, 1.0]))
    with pytest.raises(ValueError, match="different lengths: 1 and 2"):
        metrics.add(one, two)
