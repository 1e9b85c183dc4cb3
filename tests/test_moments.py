"""insights.moments: OLS and PPML over additive sums of chunks, with CR1 errors by cluster.

Known answers by hand, agreement with statsmodels on one chunk, and the property the chunked
engine relies on: however the rows are cut into chunks (a cluster split over several, empty
chunks), the estimates are those of the whole table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from insights import moments
from insights.moments import (
    Moments,
    add_scores,
    cluster_covariance,
    cluster_scores,
    newton,
    ols_moments,
    ols_solve,
    poisson_moments,
)


def toy(seed: int = 0, n: int = 400, groups: int = 40):
    rng = np.random.default_rng(seed)
    g = rng.integers(0, groups, n)
    x = rng.uniform(3, 7, n) * np.log(10)
    X = np.column_stack([np.ones(n), x])
    y = np.exp(-3 + 0.85 * x + rng.normal(0, 0.5, groups)[g] + rng.normal(0, 1, n))
    return X, y, np.array([f"creator{j}" for j in g])


def chunked_ols(X, y, keys, cuts):
    """Fit OLS chunk by chunk at the given cut points, as a partitioned table would be."""
    edges = [0, *sorted(cuts), len(y)]
    chunks = [slice(a, b) for a, b in zip(edges, edges[1:], strict=False)]
    total = Moments.zero(X.shape[1])
    for c in chunks:
        total = total + ols_moments(X[c], y[c])
    coef, bread = ols_solve(total)
    scores = add_scores(cluster_scores(X[c], y[c] - X[c] @ coef, keys[c]) for c in chunks)
    return coef, cluster_covariance(bread, scores, n=total.n)


# ---------------------------------------------------------------------------------------------
# known answers


def test_ols_moments_and_solve_by_hand():
    X = np.column_stack([np.ones(3), [1.0, 2.0, 3.0]])
    result = ols_moments(X, [2.0, 4.0, 6.0])
    assert result.n == 3
    np.testing.assert_array_equal(result.xtx, [[3.0, 6.0], [6.0, 14.0]])
    np.testing.assert_array_equal(result.xty, [12.0, 28.0])
    coef, bread = ols_solve(result)
    np.testing.assert_allclose(coef, [0.0, 2.0], atol=1e-12)
    np.testing.assert_allclose(bread, np.linalg.inv([[3.0, 6.0], [6.0, 14.0]]))


def test_moments_add_and_refuse_other_shapes():
    a = Moments(2, np.eye(2), np.ones(2))
    result = a + Moments.zero(2) + a
    assert result.n == 4
    np.testing.assert_array_equal(result.xtx, 2 * np.eye(2))
    with pytest.raises(ValueError, match="cannot add moments of 2 and 3 columns"):
        a + Moments.zero(3)


def test_cluster_scores_sum_per_key_in_first_seen_order():
    X = np.column_stack([np.ones(4), [1.0, 2.0, 3.0, 4.0]])
    result = cluster_scores(X, [1.0, 2.0, -1.0, 0.5], ["b", "a", "b", "a"])
    expected = pd.DataFrame([[0.0, -2.0], [2.5, 6.0]], index=pd.Index(["b", "a"]))
    assert_frame_equal(result, expected)


def test_add_scores_joins_a_cluster_split_over_chunks():
    first = pd.DataFrame([[1.0, 1.0]], index=["a"])
    second = pd.DataFrame([[2.0, 3.0], [4.0, 5.0]], index=["b", "a"])
    result = add_scores([first, pd.DataFrame(columns=[0, 1], dtype=float), second])
    expected = pd.DataFrame([[5.0, 6.0], [2.0, 3.0]], index=["a", "b"])
    assert_frame_equal(result, expected)
    empty = pd.DataFrame(columns=[0, 1], dtype=float)
    assert_frame_equal(add_scores([empty, first]), first)
    assert add_scores([empty, empty]).empty
    with pytest.raises(ValueError, match="no score table to add"):
        add_scores([])


def test_cluster_covariance_by_hand_and_needs_two_clusters():
    cov, df = cluster_covariance(np.eye(1), np.array([[1.0], [-1.0], [2.0]]), n=6)
    # 3 / 2 * 5 / 5 * (1 + 1 + 4)
    np.testing.assert_allclose(cov, [[9.0]])
    assert df == 2.0
    with pytest.raises(ValueError, match="at least 2 clusters, got 1"):
        cluster_covariance(np.eye(1), np.array([[1.0]]), n=3)


def test_newton_recovers_an_exact_power_law_and_says_when_it_does_not_converge():
    X = np.column_stack([np.ones(4), np.log([1.0, 10.0, 100.0, 1000.0])])
    y = np.array([1.0, 10.0, 100.0, 1000.0])
    beta, at = newton(lambda b: poisson_moments(X, y / y.mean(), b), np.zeros(2))
    np.testing.assert_allclose(beta, [-np.log(y.mean()), 1.0], atol=1e-9)
    np.testing.assert_allclose(at.xty, 0.0, atol=1e-9)  # the score is zero at the optimum
    with pytest.raises(moments.NotConverged, match="did not converge in 2 steps"):
        newton(lambda b: poisson_moments(X, y / y.mean(), b), np.zeros(2), max_iter=2)


def test_poisson_moments_with_an_offset():
    X = np.column_stack([np.ones(2), [0.0, 1.0]])
    result = poisson_moments(X, [2.0, 2.0], np.zeros(2), offset=np.log([2.0, 2.0]))
    np.testing.assert_allclose(result.xtx, [[4.0, 2.0], [2.0, 2.0]])
    np.testing.assert_allclose(result.xty, [0.0, 0.0], atol=1e-12)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match="X must be a 2-d array"):
        ols_moments(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="X has 3 rows and y 2"):
        ols_moments(np.ones((3, 1)), np.ones(2))


# ---------------------------------------------------------------------------------------------
# one chunk against statsmodels


def test_ols_with_cluster_errors_equals_statsmodels():
    X, y, keys = toy(1)
    coef, (cov, df) = chunked_ols(X, np.log(y), keys, [])
    fit = sm.OLS(np.log(y), X).fit(cov_type="cluster",
                                   cov_kwds={"groups": pd.factorize(keys)[0]})
    np.testing.assert_allclose(coef, fit.params, rtol=1e-10)
    np.testing.assert_allclose(cov, fit.cov_params(), rtol=1e-8)
    assert df == 39.0


def test_ppml_with_cluster_errors_equals_statsmodels():
    X, y, keys = toy(2)
    target = y / y.mean()
    beta, at = newton(lambda b: poisson_moments(X, target, b), np.zeros(2))
    residual = target - np.exp(X @ beta)
    cov, _ = cluster_covariance(np.linalg.inv(at.xtx), cluster_scores(X, residual, keys),
                                n=len(y))
    fit = sm.GLM(target, X, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(keys)[0]})
    np.testing.assert_allclose(beta, fit.params, rtol=1e-8)
    np.testing.assert_allclose(cov, fit.cov_params(), rtol=1e-8)


# ---------------------------------------------------------------------------------------------
# chunking changes nothing


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 400), max_size=8), st.integers(0, 50))
def test_ols_is_the_same_however_the_rows_are_cut(cuts, seed):
    """Any cut points (repeated ones make empty chunks; a creator's rows fall on both sides
    of a cut): the same coefficients and covariance as one chunk, to 1e-8 relative."""
    X, y, keys = toy(seed, n=400, groups=25)
    whole_coef, (whole_cov, whole_df) = chunked_ols(X, np.log(y), keys, [])
    coef, (cov, df) = chunked_ols(X, np.log(y), keys, cuts)
    np.testing.assert_allclose(coef, whole_coef, rtol=1e-8)
    np.testing.assert_allclose(cov, whole_cov, rtol=1e-8)
    assert df == whole_df


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 300), max_size=6), st.integers(0, 50))
def test_ppml_is_the_same_however_the_rows_are_cut(cuts, seed):
    X, y, keys = toy(seed, n=300, groups=20)
    target = y / y.mean()
    edges = [0, *sorted(cuts), len(y)]
    chunks = [slice(a, b) for a, b in zip(edges, edges[1:], strict=False)]

    def summed(b):
        total = Moments.zero(2)
        for c in chunks:
            total = total + poisson_moments(X[c], target[c], b)
        return total

    beta, at = newton(summed, np.zeros(2))
    whole, whole_at = newton(lambda b: poisson_moments(X, target, b), np.zeros(2))
    np.testing.assert_allclose(beta, whole, rtol=1e-8)
    np.testing.assert_allclose(at.xtx, whole_at.xtx, rtol=1e-8)
