"""insights.scale: C1 from chunks (in memory and on Dask) equals the in-memory claim test."""

from __future__ import annotations

import dask
import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights import claims, stats
from insights.scale import (
    c1_elasticities,
    c1_elasticity,
    chunk_design,
    creator_rows,
    creator_summary,
    in_memory,
    on_dask,
)
from insights.stats import InsufficientDataError

COMPONENTS = ("likes", "comments")


def make_posts(seed: int = 0, creators: int = 60, posts: int = 900) -> pd.DataFrame:
    """Posts in random creator order (a creator's posts spread over every chunk), with zero
    engagement, a missing like, a negative age and a post without a follower count."""
    rng = np.random.default_rng(seed)
    owner = rng.integers(0, creators, posts)
    f = (10 ** rng.uniform(3, 6.5, creators))[owner]
    age = rng.uniform(0, 60, posts)
    mean = 0.05 * f**0.85 * (1 + age) ** 0.2 * rng.lognormal(0, 0.6, creators)[owner]
    likes = rng.poisson(mean * rng.lognormal(0, 0.8, posts)).astype(float)
    frame = pd.DataFrame({
        "platform": "tiktok",
        "creator": [f"creator{j:03d}" for j in owner],
        "post_id": [f"p{i}" for i in range(posts)],
        "followers": f,
        "likes": likes,
        "comments": rng.poisson(likes * 0.02).astype(float),
        "age_days": age,
    })
    frame.loc[0:9, ["likes", "comments"]] = 0.0
    frame.loc[10, "likes"] = np.nan
    frame.loc[11, "age_days"] = -1.0
    frame.loc[12, "followers"] = np.nan
    return frame


def in_memory_claim(posts: pd.DataFrame, estimand: str):
    return claims.c1_fit(posts, components=COMPONENTS, estimand=estimand).fit


def assert_same_fit(result, expected, rtol=1e-8):
    for name in ("estimate", "se", "ci_low", "ci_high"):
        np.testing.assert_allclose(getattr(result, name), getattr(expected, name), rtol=rtol,
                                   err_msg=name)
    assert (result.n, result.n_clusters, result.df) == (expected.n, expected.n_clusters,
                                                        expected.df)
    # the fitted line (intercept at the controls' means) and its band
    np.testing.assert_allclose(result.intercept, expected.intercept, rtol=rtol, atol=1e-10,
                               err_msg="intercept")
    np.testing.assert_allclose(result.cov_ab, expected.cov_ab, rtol=1e-6, err_msg="cov_ab")


# ---------------------------------------------------------------------------------------------
# one chunk's design


def test_chunk_design_keeps_the_rows_a_fit_uses():
    posts = pd.DataFrame({"creator": ["a", "a", "b", None, "c"],
                          "followers": [100.0, 100.0, 50.0, 10.0, 0.0],
                          "likes": [10.0, 0.0, 5.0, 3.0, 4.0],
                          "age_days": [1.0, 3.0, -1.0, 2.0, 2.0]})
    typical = chunk_design(posts, components=["likes"], estimand="typical", control_age=True)
    np.testing.assert_allclose(typical.X, [[1.0, np.log(100.0), np.log(2.0)]])
    np.testing.assert_allclose(typical.y, [np.log(10.0)])
    assert typical.creators.tolist() == ["a"] and typical.zero == 1 and typical.rows == 5
    expected = chunk_design(posts, components=["likes"], estimand="expected", control_age=False)
    assert expected.y.tolist() == [10.0, 0.0, 5.0] and expected.zero == 0
    assert expected.creators.tolist() == ["a", "a", "b"]


def test_chunk_design_names_a_missing_column_and_a_bad_estimand():
    with pytest.raises(KeyError, match="needs a 'age_days' column"):
        chunk_design(pd.DataFrame({"creator": ["a"], "followers": [1.0], "likes": [1.0]}),
                     components=["likes"], estimand="typical", control_age=True)
    with pytest.raises(ValueError, match="estimand must be one of"):
        chunk_design(pd.DataFrame(), components=["likes"], estimand="mean", control_age=False)


# ---------------------------------------------------------------------------------------------
# equal to the in-memory claim test (statsmodels)


@pytest.mark.parametrize("estimand", ["typical", "expected"])
@pytest.mark.parametrize("rows", [None, 37])
def test_chunked_c1_equals_the_claim_test(estimand, rows):
    posts = make_posts(1)
    result = c1_elasticity(in_memory(posts, rows=rows), estimand=estimand,
                           components=COMPONENTS)
    expected = in_memory_claim(posts, estimand)
    assert_same_fit(result, expected)
    assert result.n_zero == expected.n_zero
    assert result.dropped == expected.dropped


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 400), st.integers(0, 20), st.sampled_from(["typical", "expected"]))
def test_any_chunk_size_gives_the_whole_tables_fit(rows, seed, estimand):
    posts = make_posts(seed, creators=20, posts=300)
    whole = c1_elasticity(in_memory(posts), estimand=estimand, components=COMPONENTS)
    chunked = c1_elasticity(in_memory(posts, rows=rows), estimand=estimand,
                            components=COMPONENTS)
    assert_same_fit(chunked, whole)


@pytest.mark.parametrize("estimand", ["typical", "expected"])
def test_dask_partitions_give_the_in_memory_fit(estimand):
    """Seven partitions (creators split over them) and one empty partition, on Dask's
    threaded scheduler: the in-memory estimates to 1e-8."""
    posts = make_posts(2)
    ddf = dd.concat([dd.from_pandas(posts, npartitions=7, sort=False),
                     dd.from_pandas(posts.iloc[:0], npartitions=1)])
    assert ddf.npartitions == 8
    with dask.config.set(scheduler="threads"):
        result = c1_elasticity(on_dask(ddf), estimand=estimand, components=COMPONENTS)
    assert_same_fit(result, c1_elasticity(in_memory(posts), estimand=estimand,
                                          components=COMPONENTS))


def test_a_partitioned_parquet_folder_gives_the_in_memory_fit(tmp_path):
    posts = make_posts(7)
    dd.from_pandas(posts, npartitions=5, sort=False).to_parquet(tmp_path / "posts")
    assert len(list((tmp_path / "posts").glob("*.parquet"))) == 5
    with dask.config.set(scheduler="threads"):
        result = c1_elasticity(on_dask(dd.read_parquet(tmp_path / "posts")),
                               estimand="expected", components=COMPONENTS)
    assert_same_fit(result, in_memory_claim(posts, "expected"))


@pytest.mark.e2e
def test_dask_on_a_local_cluster_of_two_worker_processes():
    from distributed import Client, LocalCluster

    posts = make_posts(3)
    ddf = dd.from_pandas(posts, npartitions=4, sort=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        results = {e: c1_elasticity(on_dask(ddf), estimand=e, components=COMPONENTS)
                   for e in ("typical", "expected")}
    for estimand, result in results.items():
        assert_same_fit(result, in_memory_claim(posts, estimand))


def test_both_estimands_at_once_equal_each_alone():
    """Shared passes change nothing: each estimand as when fitted alone, to 1e-8."""
    posts = make_posts(8)
    both = c1_elasticities(in_memory(posts, rows=100), components=COMPONENTS)
    assert list(both) == ["typical", "expected"]
    for estimand, fit in both.items():
        assert_same_fit(fit, c1_elasticity(in_memory(posts), estimand=estimand,
                                           components=COMPONENTS))
    with pytest.raises(ValueError, match="estimands must be some of"):
        c1_elasticities(in_memory(posts), estimands=("mean",))


# ---------------------------------------------------------------------------------------------
# too little to fit


def test_too_few_creators_or_no_spread_in_followers_is_said():
    posts = make_posts(4, creators=2, posts=40)
    with pytest.raises(InsufficientDataError, match="2 creators; need at least 3"):
        c1_elasticity(in_memory(posts), components=COMPONENTS)
    same = make_posts(5).assign(followers=1000.0)
    with pytest.raises(InsufficientDataError, match="same follower count"):
        c1_elasticity(in_memory(same), components=COMPONENTS)
    with pytest.raises(InsufficientDataError, match="0 usable rows"):
        c1_elasticity(in_memory(make_posts(6).iloc[:0]), components=COMPONENTS)
    with pytest.raises(ValueError, match="rows must be at least 1"):
        in_memory(make_posts(6), rows=0)


# ---------------------------------------------------------------------------------------------
# one row per creator


def test_creator_rows_add_the_shrinkage_inputs_to_the_creator_means():
    posts = pd.DataFrame({"platform": "tiktok", "creator": ["a", "a", "a", "b", "b"],
                          "followers": [100.0, 100.0, 300.0, 50.0, np.nan],
                          "likes": [10.0, 20.0, 30.0, 5.0, 7.0]})
    line = claims.c1_fit(make_posts(1), components=COMPONENTS, estimand="expected").fit
    result = creator_rows(posts, components=["likes"], expected=line)
    expected_line = stats.fit_line(line, [100.0, 100.0, 300.0, 50.0])["fit"].to_numpy()
    relative = np.array([10.0, 20.0, 30.0, 5.0]) / expected_line
    expected = pd.DataFrame({
        "creator": ["a", "b"], "followers": [100.0, 50.0], "n_posts": [3, 2],
        "engagement": [20.0, 6.0], "posts": [3, 1], "rel_n": [3, 1],
        "rel_mean": [relative[:3].mean(), relative[3]],
        "rel_var": [relative[:3].var(ddof=1), np.nan],
        "followers_min": [100.0, 50.0], "followers_max": [300.0, 50.0],
    })
    pd.testing.assert_frame_equal(result[expected.columns], expected, check_dtype=False)
    without = creator_rows(posts, components=["likes"])
    assert without["rel_mean"].isna().all() and without["posts"].tolist() == [3, 1]


def test_creator_summary_on_dask_equals_the_rows_of_the_whole_table():
    """Creators split over seven partitions and an empty one: after the shuffle, each
    creator's row is the whole table's."""
    posts = make_posts(9)
    line = claims.c1_fit(posts, components=COMPONENTS, estimand="expected").fit
    ddf = dd.concat([dd.from_pandas(posts, npartitions=7, sort=False),
                     dd.from_pandas(posts.iloc[:0], npartitions=1)])
    with dask.config.set(scheduler="threads"):
        result = creator_summary(ddf, components=COMPONENTS, expected=line)
    expected = creator_rows(posts, components=COMPONENTS, expected=line)
    pd.testing.assert_frame_equal(result, expected, check_dtype=False)
    assert result["creator"].is_monotonic_increasing


def test_both_estimands_take_five_passes_from_log_ols_start():
    """The first pass (sums), Newton from log-OLS's fit (the first step with log-OLS's
    scores), and the last step's pass bringing PPML's scores and Hessian: five passes here,
    where Newton from zero with a separate pass for the scores took ten."""
    posts = make_posts(10, creators=80, posts=4000)
    passes = []
    chunks = in_memory(posts, rows=1000)

    def counted(function, combine):
        passes.append(function)
        return chunks(function, combine)

    fits = c1_elasticities(counted, components=COMPONENTS)
    assert len(passes) <= 6
    for estimand, fit in fits.items():
        assert_same_fit(fit, in_memory_claim(posts, estimand))


def test_the_warm_start_needs_a_solvable_log_ols():
    from insights import moments
    from insights.scale import _warm_start

    assert _warm_start(None) is None
    few = moments.ols_moments(np.ones((2, 3)), [1.0, 2.0])
    assert _warm_start((2, 0, (0.0, 1.0), few, 3.0, 5.0)) is None
    X = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    y = np.array([0.0, 1.0, 2.0, 3.5])
    start = _warm_start((4, 0, (0.0, 3.0), moments.ols_moments(X, y), y.sum(), y @ y))
    coef = np.linalg.lstsq(X, y, rcond=None)[0]
    variance = np.sum((y - X @ coef) ** 2) / 2
    np.testing.assert_allclose(start, coef + [variance / 2, 0.0])


@pytest.mark.parametrize("estimand", ["typical", "expected"])
def test_c5_on_the_creator_rows_of_dask_equals_c5_on_the_posts(estimand):
    """C5 is a creator-level test: the creator means of likes and comments from Dask's
    group-by, as a creators table, give the posts table's C5 (estimate, interval, verdict)."""
    posts = make_posts(11)
    posts.loc[20:25, "comments"] = np.nan  # a mean over each column's own valid posts
    ddf = dd.from_pandas(posts, npartitions=5, sort=False)
    with dask.config.set(scheduler="threads"):
        rows = creator_summary(ddf, components=COMPONENTS, means_of=("likes", "comments"))
    creators = rows[["platform", "creator", "followers", "avg_likes", "avg_comments"]]
    result = claims.comments_per_like_vs_followers(creators, estimand=estimand, hazards=())
    expected = claims.comments_per_like_vs_followers(posts, estimand=estimand, hazards=())
    for name in ("estimate", "ci_low", "ci_high"):
        assert getattr(result, name) == pytest.approx(getattr(expected, name), rel=1e-10)
    assert (result.n, result.verdict) == (expected.n, expected.verdict)
