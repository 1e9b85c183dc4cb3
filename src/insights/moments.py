"""Sums in, estimates out: the C1 and C5 estimators written over additive sums of rows.

Log-OLS and PPML with cluster-robust errors need only sums over rows, so a table can be cut
into chunks (a ``dask.dataframe``'s partitions, or one in-memory array) and each chunk reduced
on its own:

* **OLS**: ``X'X`` and ``X'y`` (:class:`Moments`, which add) give the coefficients; one more
  pass gives each cluster's score ``sum_i x_i e_i`` (:func:`cluster_scores`), and the
  cluster-robust covariance is the sandwich of those (:func:`cluster_covariance`).
* **PPML** (Poisson quasi-likelihood): each Newton step needs ``X' diag(mu) X`` and
  ``X'(y - mu)`` at the current coefficients (:func:`poisson_moments`, which add too);
  :func:`newton` iterates on any function that returns those sums, whether it loops over
  arrays or over a cluster's partitions. The outcome is scaled by its mean first (one more
  sum), which moves only the intercept and keeps ``exp`` in range.

A cluster's rows may sit in several chunks (a creator's posts split by a partition boundary):
:func:`cluster_scores` returns one row per cluster *key*, and the chunks' tables are added by
key (:func:`add_scores`) before the sandwich is formed. Nothing here depends on how the chunks
are produced; :func:`insights.stats.ols_arrays` and :func:`insights.stats.ppml_arrays` are these
functions applied to one chunk, and the tests check them against statsmodels to 1e-8.

The covariance is CR1 with statsmodels' small-sample factor ``G / (G - 1) * (n - 1) / (n - k)``
and ``G - 1`` degrees of freedom for the t interval (``docs/analysis-plan.md``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "Moments",
    "ols_moments",
    "ols_solve",
    "poisson_moments",
    "newton",
    "cluster_scores",
    "add_scores",
    "cluster_covariance",
    "NotConverged",
]


class NotConverged(ArithmeticError):
    """Newton's iterations did not settle within ``max_iter`` steps."""


@dataclass(frozen=True)
class Moments:
    """Sums over rows: ``n``, ``X'WX`` (``xtx``, k x k) and ``X'Wy`` (``xty``, k); they add.

    For OLS ``W`` is the identity and ``y`` the outcome; for a Newton step of PPML they are
    the Hessian ``X' diag(mu) X`` and the gradient ``X'(y - mu)`` (:func:`poisson_moments`).

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> y = np.array([1.0, 3.0, 5.0, 7.5])
    >>> whole = ols_moments(X, y)
    >>> split = ols_moments(X[:1], y[:1]) + ols_moments(X[1:], y[1:])
    >>> bool(np.allclose(whole.xtx, split.xtx)) and whole.n == split.n == 4
    True
    """

    n: int
    xtx: np.ndarray
    xty: np.ndarray

    def __add__(self, other: Moments) -> Moments:
        if not isinstance(other, Moments):
            return NotImplemented
        if self.xtx.shape != other.xtx.shape:
            raise ValueError(f"cannot add moments of {self.xtx.shape[0]} and "
                             f"{other.xtx.shape[0]} columns")
        return Moments(self.n + other.n, self.xtx + other.xtx, self.xty + other.xty)

    @classmethod
    def zero(cls, k: int) -> Moments:
        """The sums of no rows (what an empty chunk contributes)."""
        return cls(0, np.zeros((k, k)), np.zeros(k))


def _matrix(X) -> np.ndarray:
    X = np.asarray(X, dtype=float)
    if X.ndim != 2:
        raise ValueError(f"X must be a 2-d array (rows x columns), got {X.ndim} dimensions")
    return X


def ols_moments(X, y) -> Moments:
    """``X'X`` and ``X'y`` of one chunk of rows.

    Examples
    --------
    >>> m = ols_moments(np.column_stack([np.ones(3), [1.0, 2.0, 3.0]]), [2.0, 4.0, 6.0])
    >>> m.n, m.xtx.tolist(), m.xty.tolist()
    (3, [[3.0, 6.0], [6.0, 14.0]], [12.0, 28.0])
    """
    X = _matrix(X)
    y = np.asarray(y, dtype=float)
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} rows and y {len(y)}")
    return Moments(len(X), X.T @ X, X.T @ y)


def ols_solve(moments: Moments) -> tuple[np.ndarray, np.ndarray]:
    """The OLS coefficients and the bread ``(X'X)^-1`` from the summed moments.

    Raises
    ------
    numpy.linalg.LinAlgError
        When ``X'X`` is singular (a column without variation, or fewer rows than columns).

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> coef, bread = ols_solve(ols_moments(X, [1.0, 3.0, 5.0, 7.5]))
    >>> coef.round(2).tolist()
    [0.9, 2.15]
    """
    bread = np.linalg.inv(moments.xtx)
    return bread @ moments.xty, bread


def poisson_moments(X, target, beta, offset=None) -> Moments:
    """One chunk's Newton sums for PPML at ``beta``: ``X' diag(mu) X`` and ``X'(target - mu)``
    with ``mu = exp(X beta + offset)`` (``offset`` already logged; default none).

    Examples
    --------
    >>> X = np.column_stack([np.ones(2), [0.0, 1.0]])
    >>> m = poisson_moments(X, [1.0, 1.0], np.zeros(2))  # mu = 1: the gradient is zero
    >>> m.xtx.tolist(), m.xty.tolist()
    ([[2.0, 1.0], [1.0, 1.0]], [0.0, 0.0])
    """
    X = _matrix(X)
    target = np.asarray(target, dtype=float)
    eta = X @ np.asarray(beta, dtype=float)
    if offset is not None:
        eta = eta + np.asarray(offset, dtype=float)
    mu = np.exp(np.clip(eta, -700, 700))
    return Moments(len(X), X.T @ (X * mu[:, None]), X.T @ (target - mu))


def newton(moments_at: Callable[[np.ndarray], Moments], start, *, tol: float = 1e-10,
           max_iter: int = 100) -> tuple[np.ndarray, Moments]:
    """Newton's method for PPML over summed moments: from ``start``, step by
    ``H^-1 g`` with ``(H, g) = moments_at(beta)`` until the largest step is below ``tol``.

    ``moments_at`` is where the data live: it returns the sum of :func:`poisson_moments` over
    every chunk (a loop, or one pass of a cluster). Returns the coefficients and the moments
    at them (``xtx`` is the Hessian the sandwich's bread inverts).

    Raises
    ------
    NotConverged
        If the steps do not settle within ``max_iter``.

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), np.log([1.0, 10.0, 100.0, 1000.0])])
    >>> y = np.array([1.0, 10.0, 100.0, 1000.0]) / 277.75
    >>> beta, _ = newton(lambda b: poisson_moments(X, y, b), np.zeros(2))
    >>> round(float(beta[1]), 6)
    1.0
    """
    beta = np.array(start, dtype=float)
    for _ in range(max_iter):
        moments = moments_at(beta)
        step = np.linalg.solve(moments.xtx, moments.xty)
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            return beta, moments_at(beta)
    raise NotConverged(f"Newton's method did not converge in {max_iter} steps")


def cluster_scores(X, residual, keys) -> pd.DataFrame:
    """One chunk's score sums per cluster: ``sum_i x_i r_i`` over the rows of each key.

    Returns a frame indexed by the cluster key with one column per column of ``X``; the
    chunks' frames add by key (:func:`add_scores`), so a cluster split over chunks is summed
    once before the sandwich.

    Examples
    --------
    >>> X = np.column_stack([np.ones(3), [1.0, 2.0, 3.0]])
    >>> cluster_scores(X, [0.5, -0.5, 1.0], ["a", "a", "b"])
         0    1
    a  0.0 -0.5
    b  1.0  3.0
    """
    X = _matrix(X)
    residual = np.asarray(residual, dtype=float)
    if not isinstance(keys, (pd.Series, pd.Index, pd.api.extensions.ExtensionArray)):
        keys = np.asarray(keys)  # a pandas array (Arrow strings) factorizes as it is, faster
    codes, uniques = pd.factorize(keys, use_na_sentinel=False)
    scores = X * residual[:, None]
    summed = np.column_stack([np.bincount(codes, scores[:, a], minlength=len(uniques))
                              for a in range(X.shape[1])]) if len(X) else np.zeros((0, X.shape[1]))
    return pd.DataFrame(summed, index=pd.Index(uniques))


def add_scores(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """The chunks' :func:`cluster_scores` added by cluster key (one row per cluster).

    Examples
    --------
    >>> a = pd.DataFrame([[1.0, 2.0]], index=["x"])
    >>> b = pd.DataFrame([[3.0, 4.0], [5.0, 6.0]], index=["x", "y"])
    >>> add_scores([a, b])
         0    1
    x  4.0  6.0
    y  5.0  6.0
    """
    parts = list(parts)
    if not parts:
        raise ValueError("no score table to add: pass at least one")
    filled = [p for p in parts if len(p)]
    if len(filled) <= 1:  # nothing to join (every other chunk had no usable row)
        return filled[0] if filled else parts[0]
    return pd.concat(filled).groupby(level=0, sort=False).sum()


def cluster_covariance(bread: np.ndarray, scores, *, n: int) -> tuple[np.ndarray, float]:
    """CR1: ``c * B M B`` with ``M = S'S`` over the clusters' score sums ``S`` (G x k),
    ``c = G / (G - 1) * (n - 1) / (n - k)`` (statsmodels' factor), and ``G - 1`` degrees of
    freedom for the t interval.

    Raises
    ------
    ValueError
        With fewer than two clusters (no cluster-robust error exists).

    Examples
    --------
    >>> cov, df = cluster_covariance(np.eye(1), np.array([[1.0], [-1.0]]), n=4)
    >>> cov.tolist(), df  # 2 / 1 * 3 / 3 * (1 + 1)
    ([[4.0]], 1.0)
    """
    S = np.asarray(scores, dtype=float)
    groups, k = S.shape
    if groups < 2:
        raise ValueError(f"a cluster-robust covariance needs at least 2 clusters, got {groups}")
    factor = groups / (groups - 1) * (n - 1) / (n - k)
    return factor * bread @ (S.T @ S) @ bread, float(groups - 1)
