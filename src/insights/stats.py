"""Statistics for "how does engagement scale with size": elasticities, medians, bootstraps.

The key quantity (``docs/design.md``, "The key quantity") is the elasticity ``b`` in

    log(y) = a + b * log(x) + controls

where ``y`` is an engagement count (or a ratio such as comments per like) and ``x`` is the
follower count. Engagement *rate* per follower falls with size iff ``b < 1``.

Functions here take a DataFrame and column *names*, take logs themselves, and drop rows they
cannot use (missing, zero or negative ``y``/``x``, non-finite controls); the number dropped is
returned with every result, never hidden. Results are small frozen dataclasses.

Library choices
---------------
* Point estimates and robust or cluster-robust standard errors come from statsmodels ``OLS``
  (``HC3`` for creator-level data, ``cluster`` for posts clustered by creator) and
  ``QuantReg`` for the median regression: well-kept, well-tested implementations.
* Confidence intervals use Student's t with ``n - k`` degrees of freedom for HC errors and
  ``G - 1`` for ``G`` clusters (statsmodels' robust default is the normal, which is too narrow
  with few clusters).
* The bootstrap is written here because it must be vectorised: every resample is a vector of
  unit counts, and the normal equations of all resamples are formed with one matrix product
  over per-unit sufficient statistics (``X'X`` and ``X'y`` summed within each resampling unit).
  A resample costs O(G k^2) instead of a refit over n rows. :func:`bootstrap_elasticity_loop`
  is the plain loop of refits over the same resamples, kept for tests and the benchmark.

Fixed effects (e.g. one per TikTok sound) enter as dummy columns, so the degrees of freedom
are right by construction; more than :data:`MAX_FIXED_EFFECT_LEVELS` levels is refused.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import sparse
from scipy import stats as sps

# statsmodels' estimators from their modules: ``statsmodels.api`` imports every model and
# data set it has (about 1 s more in each report's kernel)
from statsmodels.genmod import families
from statsmodels.genmod.generalized_linear_model import GLM
from statsmodels.regression.linear_model import OLS
from statsmodels.regression.quantile_regression import QuantReg

from insights import moments
from insights.tiers import TierScheme, assign_tiers, scheme, tier_bands

__all__ = [
    "MAX_FIXED_EFFECT_LEVELS",
    "InsufficientDataError",
    "Elasticity",
    "BootstrapResult",
    "fit_elasticity",
    "fit_ppml",
    "fit_glm",
    "tost_p",
    "MetaAnalysis",
    "meta_analysis",
    "ElasticityCurve",
    "local_elasticity",
    "quantile_elasticity",
    "piecewise_elasticity",
    "bootstrap_elasticity",
    "Shrinkage",
    "shrink_means",
    "shrink_unit_means",
    "bootstrap_elasticity_loop",
    "fit_line",
    "bootstrap_median",
    "group_medians",
    "tier_medians",
    "binned_medians",
    "GroupRatio",
    "group_ratio",
    "t_quantile",
    "ols_arrays",
    "ppml_arrays",
    "ppml_weighted",
    "PPMLArrays",
    "ppml_design",
    "power_ratio_draws",
    "percentile_interval",
    "ratio_interval",
    "GroupContrasts",
    "group_contrasts",
    "MAX_JACKKNIFE_COEFFICIENTS",
    "cluster_jackknife_cov",
]

MAX_FIXED_EFFECT_LEVELS = 500
"""Most levels a fixed effect may have (each is one dummy column)."""


class InsufficientDataError(ValueError):
    """Too few usable rows (or no spread in x) to estimate what was asked.

    ``counts`` holds the usable units per group when the estimate compares groups (else None).
    """

    def __init__(self, message: str, *, counts: tuple[int, ...] | None = None) -> None:
        super().__init__(message)
        self.counts = counts


@dataclass(frozen=True)
class Elasticity:
    """One elasticity estimate with its interval and what went into it.

    Attributes
    ----------
    estimate, se, ci_low, ci_high : float
        Slope of log(y) on log(x), its standard error and the ``level`` confidence interval.
    n : int
        Rows used.
    n_clusters : int or None
        Clusters, when errors are clustered.
    dropped : int
        Rows of the input left out (missing, non-positive y or x, non-finite controls).
    intercept : float
        ``a`` at the mean of the controls (controls and dummies are centred), so that
        ``exp(intercept + estimate * log(x))`` is the fitted geometric-mean line.
    cov_ab : tuple of float
        ``(var(a), cov(a, b), var(b))`` for the CI band of the line (:func:`fit_line`).
    method : str
        Human-readable description: estimator, errors, controls, fixed effects.
    level : float
        Confidence level.
    y, x : str
        Column names.
    x_min, x_max : float
        Range of x among the rows used (an elasticity says nothing outside it).
    df : float
        Degrees of freedom of the t distribution behind the interval (``inf``: normal).
    n_zero : int
        Rows left out only because ``y`` was 0 (a log model cannot use them; PPML keeps them
        and reports 0 here).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_clusters: int | None
    dropped: int
    intercept: float
    cov_ab: tuple[float, float, float]
    method: str
    level: float
    y: str
    x: str
    x_min: float
    x_max: float
    df: float = math.inf
    n_zero: int = 0


@dataclass(frozen=True)
class BootstrapResult:
    """A bootstrap percentile interval for an elasticity.

    ``estimate`` is the full-sample OLS slope; ``se`` is the standard deviation of the
    resampled slopes; ``draws`` holds them (``NaN`` where a resample was singular, counted in
    ``n_failed``). ``n_units`` is the number of resampling units (rows, or clusters).
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n: int
    n_units: int
    n_resamples: int
    n_failed: int
    dropped: int
    level: float
    method: str
    draws: np.ndarray = field(repr=False, compare=False)


# --------------------------------------------------------------------------------------------
# design matrices


@dataclass(frozen=True)
class _Design:
    X: np.ndarray  # (n, k): const, log x, centred controls, centred dummies
    y: np.ndarray  # (n,)
    log_x: np.ndarray
    clusters: np.ndarray | None  # integer codes, or None
    n_clusters: int | None
    dropped: int
    description: str
    n_zero: int = 0
    offset: np.ndarray | None = None  # log of the offset column (count outcome only)
    keep: np.ndarray | None = None  # which rows of the frame the fit uses


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame.columns:
        raise KeyError(f"column {column!r} not in the table; columns are {list(frame.columns)}")
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float, na_value=np.nan)


def _design(
    frame: pd.DataFrame,
    *,
    y: str,
    x: str,
    controls: Sequence[str] = (),
    fe: str | None = None,
    cluster: str | None = None,
    extra_columns: int = 0,
    outcome: str = "log",
    offset: str | None = None,
) -> _Design:
    """Rows and columns of a fit. ``outcome="log"``: y must be positive and is logged (zeros
    are counted in ``n_zero``); ``outcome="count"``: y must be >= 0 and is kept as it is."""
    yv = _numeric(frame, y)
    xv = _numeric(frame, x)
    control_values = [_numeric(frame, c) for c in controls]
    offset_values = _numeric(frame, offset) if offset is not None else None
    if outcome not in ("log", "count"):
        raise ValueError(f"outcome must be 'log' or 'count', got {outcome!r}")
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.isfinite(yv) & np.isfinite(xv) & (yv >= 0) & (xv > 0)
        if offset_values is not None:
            keep &= np.isfinite(offset_values) & (offset_values > 0)
    for values in control_values:
        keep &= np.isfinite(values)
    for column in (fe, cluster):
        if column is not None:
            if column not in frame.columns:
                raise KeyError(
                    f"column {column!r} not in the table; columns are {list(frame.columns)}"
                )
            keep &= frame[column].notna().to_numpy()
    n_zero = 0
    if outcome == "log":  # zero cannot be logged: count the rows lost only for that
        n_zero = int((keep & (yv == 0)).sum())
        keep &= yv > 0
    n = int(keep.sum())
    log_y = np.log(yv[keep]) if outcome == "log" else yv[keep]
    log_x = np.log(xv[keep])
    blocks = [np.ones(n), log_x]
    for values in control_values:
        kept = values[keep]
        blocks.append(kept - kept.mean() if n else kept)
    parts = [f"log({y}) on log({x})"]
    if controls:
        parts.append("controls " + ", ".join(controls))
    if fe is not None:
        codes, levels = pd.factorize(frame.loc[keep, fe], sort=True)
        if len(levels) > MAX_FIXED_EFFECT_LEVELS:
            raise ValueError(
                f"fixed effect {fe!r} has {len(levels)} levels; at most "
                f"{MAX_FIXED_EFFECT_LEVELS} are supported as dummies"
            )
        dummies = np.eye(len(levels))[codes][:, 1:] if len(levels) > 1 else np.empty((n, 0))
        blocks.extend((dummies - dummies.mean(axis=0)).T)
        parts.append(f"{fe} fixed effects ({len(levels)})")
    X = np.column_stack(blocks) if n else np.empty((0, len(blocks)))
    clusters = None
    n_clusters = None
    if cluster is not None:
        clusters, cluster_levels = pd.factorize(frame.loc[keep, cluster], sort=True)
        n_clusters = len(cluster_levels)
    k = X.shape[1] + extra_columns
    if n <= k + 1:
        needed = "positive" if outcome == "log" else "non-negative"
        raise InsufficientDataError(
            f"{n} usable rows for log({y}) on log({x}) with {k} parameters; need at least "
            f"{k + 2} rows with {needed} {y!r} and positive {x!r}"
            + (f" (dropped {len(frame) - n})" if len(frame) > n else "")
        )
    if np.ptp(log_x) == 0:
        raise InsufficientDataError(f"all usable rows have the same {x!r}; no slope to fit")
    if n_clusters is not None and n_clusters < 3:
        raise InsufficientDataError(f"{n_clusters} clusters of {cluster!r}; need at least 3")
    return _Design(
        X=X,
        y=log_y,
        log_x=log_x,
        clusters=clusters,
        n_clusters=n_clusters,
        dropped=len(frame) - n,
        description="; ".join(parts),
        n_zero=n_zero,
        offset=np.log(offset_values[keep]) if offset_values is not None else None,
        keep=keep,
    )


def t_quantile(level: float, df: float) -> float:
    """The two-sided critical value of a ``level`` interval: the t quantile at
    ``0.5 + level / 2`` with ``df`` degrees of freedom (``inf``: the normal's).

    Examples
    --------
    >>> round(t_quantile(0.95, math.inf), 3), round(t_quantile(0.95, 9), 3)
    (1.96, 2.262)
    """
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    return float(sps.t.ppf(0.5 + level / 2, df))


# --------------------------------------------------------------------------------------------
# fits


def fit_elasticity(
    frame: pd.DataFrame,
    *,
    y: str,
    x: str = "followers",
    controls: Sequence[str] = (),
    fe: str | None = None,
    cluster: str | None = None,
    cov: str = "HC3",
    level: float = 0.95,
    cluster_cov: str = "CR1",
) -> Elasticity:
    """Fit ``log(y) = a + b log(x) + controls`` by OLS; return ``b`` with a robust CI.

    Parameters
    ----------
    frame : DataFrame
        One row per creator (use ``cov="HC3"``) or per post (pass ``cluster="creator"``).
    y, x : str
        Columns of positive counts; logs are taken here. Rows where either is missing, zero
        or negative are dropped and counted in ``dropped`` (zero engagement cannot be logged;
        say so when it is common).
    controls : sequence of str
        Columns entered linearly as they are (transform them first, e.g. log of post age).
    fe : str, optional
        Categorical column entered as fixed effects (dummies), e.g. ``"sound"``.
    cluster : str, optional
        Cluster-robust errors by this column (e.g. ``"creator"`` for post-level data);
        overrides ``cov``. The interval uses t with ``G - 1`` degrees of freedom.
    cov : {"HC3", "HC1", "HC0", "nonrobust"}
        Covariance when not clustering. ``HC3`` is the safe default for heteroskedastic
        creator-level data.
    level : float
        Confidence level of the interval.
    cluster_cov : {"CR1", "CR2", "CR3"}
        With ``cluster``: statsmodels' cluster-robust sandwich with its small-sample factor
        (``CR1``), Bell and McCaffrey's bias-reduced sandwich with their degrees of freedom
        (``CR2``, :func:`cluster_cr2`), or the cluster jackknife (``CR3``,
        :func:`cluster_jackknife_cov`); the last two allow for clusters that pull the fit (a
        few big creators with many posts).

    Returns
    -------
    Elasticity

    Raises
    ------
    InsufficientDataError
        Too few usable rows, fewer than 3 clusters, or no spread in ``x``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> followers = 10 ** rng.uniform(3, 7, 500)
    >>> likes = 0.05 * followers**0.8 * np.exp(rng.normal(0, 0.3, 500))
    >>> fit = fit_elasticity(pd.DataFrame({"likes": likes, "followers": followers}), y="likes")
    >>> round(fit.estimate, 2), fit.ci_low < 0.8 < fit.ci_high, fit.n
    (0.8, True, 500)
    """
    _check_cluster_cov(cluster_cov)
    design = _design(frame, y=y, x=x, controls=controls, fe=fe, cluster=cluster)
    result, df = _ols(design, design.X, cluster=cluster, cov=cov)
    covariance = None
    if cluster is not None:
        errors = f"errors clustered by {cluster} ({design.n_clusters})"
        if cluster_cov == "CR3":
            residual = design.y - design.X @ np.asarray(result.params)
            covariance = cluster_jackknife_cov(design.X, residual, np.ones_like(residual),
                                               design.clusters)
            errors += ", cluster jackknife (CR3)"
        elif cluster_cov == "CR2":
            residual = design.y - design.X @ np.asarray(result.params)
            covariance, df = cluster_cr2(design.X, residual, np.ones_like(residual),
                                         design.clusters)
            errors += f", CR2 with Bell-McCaffrey degrees of freedom ({df:.1f})"
    else:
        errors = f"{cov} errors"
    return _elasticity_from(result, design, df, level, f"OLS {design.description}; {errors}", y, x,
                            covariance=covariance)


def _check_cluster_cov(cluster_cov: str) -> None:
    if cluster_cov not in ("CR1", "CR2", "CR3"):
        raise ValueError(f"cluster_cov must be 'CR1', 'CR2' or 'CR3', got {cluster_cov!r}")


def _cluster_sums(values: np.ndarray, codes: np.ndarray, groups: int) -> np.ndarray:
    """Column sums of ``values`` (n, k) per cluster code ``0 .. groups - 1``: (groups, k)."""
    return np.column_stack([np.bincount(codes, values[:, a], minlength=groups)
                            for a in range(values.shape[1])])


def _cluster_blocks(X: np.ndarray, residual: np.ndarray, weight: np.ndarray,
                    clusters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per cluster: the score ``X_g' r_g`` (G, k) and ``X_g' W_g X_g`` (G, k, k)."""
    groups = int(clusters.max()) + 1
    k = X.shape[1]
    scores = _cluster_sums(X * np.asarray(residual, dtype=float)[:, None], clusters, groups)
    weighted = X * np.asarray(weight, dtype=float)[:, None]
    blocks = np.empty((groups, k, k))
    for a in range(k):
        for c in range(a, k):
            blocks[:, a, c] = blocks[:, c, a] = np.bincount(clusters, X[:, a] * weighted[:, c],
                                                             minlength=groups)
    return scores, blocks


def cluster_cr2(X: np.ndarray, residual: np.ndarray, weight: np.ndarray, clusters: np.ndarray,
                *, coefficient: int = 1) -> tuple[np.ndarray, float]:
    """CR2 covariance and Bell-McCaffrey degrees of freedom of a linear or GLM fit.

    The bias-reduced linearisation of Bell and McCaffrey (2002): each cluster's residuals are
    scaled by ``A_g = (I - H_gg)^{-1/2}``, ``H_gg`` the cluster's block of the hat matrix of
    the working regression (rows ``sqrt(w) x``, ``w`` the working weights: 1 for OLS, the
    fitted mean for Poisson), so that a cluster with high leverage, whose residuals the fit has
    pulled toward zero, counts fully. The t interval of one coefficient then uses the
    Bell-McCaffrey degrees of freedom ``tr(A)^2 / tr(A^2)`` of that contrast, as Imbens and
    Kolesár (2016, "Robust standard errors in small samples") recommend: with a few
    dominant clusters they fall far below ``G - 1``. ``H_gg`` has rank at most ``k``, so every
    cluster's part is computed from ``k x k`` matrices (no ``n_g x n_g`` matrix is built).

    Parameters
    ----------
    X, residual, weight, clusters
        As in :func:`cluster_jackknife_cov` (``residual`` is ``y - mu``).
    coefficient : int
        The coefficient whose degrees of freedom are returned (default the slope).

    Returns
    -------
    (covariance, df)

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(np.arange(30), 4)
    >>> X = np.column_stack([np.ones(120), rng.normal(size=120)])
    >>> y = X @ [1.0, 0.5] + rng.normal(size=120)
    >>> r = y - X @ np.linalg.lstsq(X, y, rcond=None)[0]
    >>> V, df = cluster_cr2(X, r, np.ones(120), g)
    >>> bool(V[1, 1] > 0), bool(1 < df < 29)
    (True, True)
    """
    X = np.asarray(X, dtype=float)
    k = X.shape[1]
    clusters = np.asarray(clusters)
    scores, blocks = _cluster_blocks(X, np.asarray(residual, dtype=float), weight, clusters)
    bread = np.linalg.inv(blocks.sum(axis=0))
    values, vectors = np.linalg.eigh(bread)
    root = vectors @ np.diag(np.sqrt(np.clip(values, 0.0, None))) @ vectors.T  # bread^(1/2)
    lam, Q = np.linalg.eigh(root @ blocks @ root)  # B'B per cluster (batched matmul)
    lam = np.clip(lam, 0.0, 1.0 - 1e-12)
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(lam > 1e-12, ((1.0 - lam) ** -0.5 - 1.0) / lam, 0.5)
    inner = (Q * phi[:, None, :]) @ np.swapaxes(Q, 1, 2)
    # A_g X~_g = X~_g T_g with T_g = I + root Q phi Q' root S_g
    T = np.eye(k)[None] + root @ inner @ root @ blocks
    adjusted = (np.swapaxes(T, 1, 2) @ scores[:, :, None])[:, :, 0]  # T_g' s_g
    covariance = bread @ (adjusted.T @ adjusted) @ bread
    contrast = bread[:, coefficient]
    TMc = T @ contrast  # (G, k)
    w = (blocks @ TMc[:, :, None])[:, :, 0]  # X~_g' v_g = S_g T_g M c
    length = np.sum(TMc * w, axis=1)  # |v_g|^2
    small = w.T @ w  # W'W
    trace = length.sum() - np.trace(bread @ small)
    square = (np.sum(length**2) - 2 * np.sum(length * np.sum((w @ bread) * w, axis=1))
              + np.trace(bread @ small @ bread @ small))
    return covariance, float(trace**2 / square)


#: Most coefficients for which :func:`cluster_jackknife_cov` builds per-cluster matrices.
MAX_JACKKNIFE_COEFFICIENTS = 60


def cluster_jackknife_cov(X: np.ndarray, residual: np.ndarray, weight: np.ndarray,
                          clusters: np.ndarray) -> np.ndarray:
    """The cluster jackknife (CR3) covariance of a linear or GLM fit, without refitting.

    For cluster ``g`` the fit without it moves by ``Delta_g = (H - H_g)^{-1} s_g``, with
    ``H_g = X_g' W_g X_g`` (``W`` the working weights: 1 for OLS, the fitted mean for a
    Poisson log-link fit) and ``s_g = X_g' r_g`` (``r`` the residuals ``y - mu``). This is
    exact for OLS and one Newton step from the full fit for a GLM. The covariance is
    ``(G - 1) / G * sum_g (Delta_g - mean)(Delta_g - mean)'``; unlike the sandwich (CR1), it
    accounts for clusters with high leverage, whose residuals the full fit has pulled toward
    zero (MacKinnon, Nielsen and Webb, 2023, "Cluster-robust inference: a guide to empirical
    practice").

    Parameters
    ----------
    X : (n, k) array
    residual : (n,) array
        ``y - fitted`` on the scale the fit was made on.
    weight : (n,) array
        Working weights (ones for OLS, the fitted mean for Poisson).
    clusters : (n,) int array
        Cluster codes ``0 .. G - 1``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> g = np.repeat(np.arange(40), 5)
    >>> X = np.column_stack([np.ones(200), rng.normal(size=200)])
    >>> e = rng.normal(size=200)
    >>> V = cluster_jackknife_cov(X, e - X @ np.linalg.lstsq(X, e, rcond=None)[0],
    ...                           np.ones(200), g)
    >>> V.shape, bool(V[1, 1] > 0)
    ((2, 2), True)
    """
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    if k > MAX_JACKKNIFE_COEFFICIENTS:
        raise ValueError(f"the cluster jackknife is built for at most "
                         f"{MAX_JACKKNIFE_COEFFICIENTS} coefficients; this fit has {k}")
    scores, blocks = _cluster_blocks(X, residual, weight, np.asarray(clusters))
    groups = len(scores)
    total = blocks.sum(axis=0)
    try:
        moves = np.linalg.solve(total[None, :, :] - blocks, scores[:, :, None])[:, :, 0]
    except np.linalg.LinAlgError:  # a cluster alone identifies a coefficient
        moves = np.einsum("gab,gb->ga", np.linalg.pinv(total[None, :, :] - blocks), scores)
    moves -= moves.mean(axis=0)
    return (groups - 1) / groups * moves.T @ moves


def _ols(design: _Design, X: np.ndarray, *, cluster: str | None, cov: str):
    """OLS of the design's log y on ``X``; returns (statsmodels result, t degrees of freedom).

    Clustered errors use ``G - 1`` degrees of freedom, the others ``n - k``.
    """
    model = OLS(design.y, X)
    if cluster is not None:
        result = model.fit(cov_type="cluster", cov_kwds={"groups": design.clusters})
        return result, design.n_clusters - 1
    result = model.fit() if cov == "nonrobust" else model.fit(cov_type=cov)
    return result, result.df_resid


def _elasticity_from(result, design, df, level, method, y, x, *,
                     covariance: np.ndarray | None = None) -> Elasticity:
    params = np.asarray(result.params)
    cov_matrix = np.asarray(result.cov_params()) if covariance is None else covariance
    se = float(np.sqrt(cov_matrix[1, 1]))
    half = t_quantile(level, df) * se
    return Elasticity(
        estimate=float(params[1]),
        se=se,
        ci_low=float(params[1] - half),
        ci_high=float(params[1] + half),
        n=len(design.y),
        n_clusters=design.n_clusters,
        dropped=design.dropped,
        intercept=float(params[0]),
        cov_ab=(float(cov_matrix[0, 0]), float(cov_matrix[0, 1]), float(cov_matrix[1, 1])),
        method=method,
        level=level,
        y=y,
        x=x,
        x_min=float(np.exp(design.log_x.min())),
        x_max=float(np.exp(design.log_x.max())),
        df=float(df),
        n_zero=design.n_zero,
    )


def _glm(design: _Design, family, *, scale: float, cluster: str | None, cov: str):
    """Fit a GLM of ``design.y / scale`` (with the design's offset); return (result, t
    degrees of freedom, errors text). Clustered errors use ``G - 1`` degrees of freedom."""
    model = GLM(design.y / scale, design.X, family=family, offset=design.offset)
    if cluster is not None:
        result = model.fit(cov_type="cluster", cov_kwds={"groups": design.clusters})
        return result, design.n_clusters - 1, (f"errors clustered by {cluster} "
                                               f"({design.n_clusters})")
    result = model.fit(cov_type=cov)
    return result, result.df_resid, f"{cov} errors"


def fit_ppml(
    frame: pd.DataFrame,
    *,
    y: str,
    x: str = "followers",
    controls: Sequence[str] = (),
    fe: str | None = None,
    cluster: str | None = None,
    offset: str | None = None,
    cov: str = "HC1",
    level: float = 0.95,
    cluster_cov: str = "CR1",
) -> Elasticity:
    """Elasticity of the *expected* value of ``y``: Poisson pseudo-likelihood (PPML).

    Fits ``E[y | x] = exp(a + b log(x) + controls)`` by Poisson quasi-maximum likelihood
    (statsmodels ``GLM``, log link). Unlike log-OLS it keeps rows with ``y = 0`` and estimates
    the elasticity of the mean, not of the geometric mean; it needs only the mean to be right,
    not the Poisson variance (Santos Silva & Tenreyro, "The log of gravity", 2006). ``y`` may
    be any non-negative number (an average per post, a share), not only a count.

    Parameters
    ----------
    frame, y, x, controls, fe, cluster, level
        As in :func:`fit_elasticity`. Clustered errors use a t(G - 1) interval.
    offset : str, optional
        A positive column entered as ``log(offset)`` with coefficient 1: the slope is then the
        elasticity of ``E[y] / offset`` (e.g. comments per like with ``offset="likes"``).
    cov : {"HC1", "HC0"}
        Robust covariance when not clustering (interval from t(n - k)).
    cluster_cov : {"CR1", "CR2", "CR3"}
        With ``cluster``: the sandwich (``CR1``), Bell and McCaffrey's bias-reduced sandwich
        with their degrees of freedom (``CR2``, :func:`cluster_cr2`), or the cluster
        jackknife (``CR3``, :func:`cluster_jackknife_cov`, one Newton step per left-out
        cluster).

    Returns
    -------
    Elasticity
        ``intercept`` gives the fitted mean line, ``exp(intercept + estimate * log(x))``.

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> f = 10 ** rng.uniform(3, 7, 3000)
    >>> mean = 0.05 * f**0.8
    >>> y = rng.poisson(mean * rng.gamma(0.5, 2.0, 3000))  # overdispersed, with zeros
    >>> fit = fit_ppml(pd.DataFrame({"y": y, "followers": f}), y="y")
    >>> round(fit.estimate, 1), fit.ci_low < 0.8 < fit.ci_high, fit.n == 3000
    (0.8, True, True)
    """
    _check_cluster_cov(cluster_cov)
    design = _design(frame, y=y, x=x, controls=controls, fe=fe, cluster=cluster,
                     outcome="count", offset=offset)
    if not np.any(design.y > 0):
        raise InsufficientDataError(f"every usable {y!r} is 0; there is no mean to model")
    if cluster is None and cov not in ("HC0", "HC1"):
        raise ValueError(f"cov must be 'HC0' or 'HC1' for PPML, got {cov!r}")
    scale = float(design.y.mean())  # the slope does not depend on the unit of y
    result, df, errors = _glm(design, families.Poisson(), scale=scale, cluster=cluster,
                              cov=cov)
    if not result.converged:
        raise InsufficientDataError(f"the PPML fit of {y!r} did not converge")
    covariance = None
    if cluster is not None and cluster_cov == "CR3":
        mu = np.asarray(result.fittedvalues)
        covariance = cluster_jackknife_cov(design.X, design.y / scale - mu, mu,
                                           design.clusters)
        errors += ", cluster jackknife (CR3)"
    elif cluster is not None and cluster_cov == "CR2":
        mu = np.asarray(result.fittedvalues)
        covariance, df = cluster_cr2(design.X, design.y / scale - mu, mu, design.clusters)
        errors += f", CR2 with Bell-McCaffrey degrees of freedom ({df:.1f})"
    details = design.description.partition(f"log({x})")[2]
    with_offset = f"; offset log({offset})" if offset else ""
    fitted = _elasticity_from(
        result, design, df, level,
        f"PPML (Poisson pseudo-likelihood) of {y} on log({x}){details}{with_offset}; {errors}",
        y, x, covariance=covariance,
    )
    return replace(fitted, intercept=fitted.intercept + math.log(scale))


def fit_glm(
    frame: pd.DataFrame,
    *,
    y: str,
    family: str,
    x: str = "followers",
    controls: Sequence[str] = (),
    fe: str | None = None,
    cluster: str | None = None,
    level: float = 0.95,
) -> Elasticity:
    """Check estimators of the expected value: a Gamma GLM or a fractional logit on ``log(x)``.

    ``family="gamma"``: Gamma GLM with a log link; like PPML it estimates the elasticity of
    ``E[y | x]`` but weights observations differently (rows need ``y > 0``).
    ``family="fractional-logit"``: binomial quasi-likelihood with a logit link for a share in
    [0, 1] (Papke & Wooldridge); its slope is on the logit scale, not an elasticity: read its
    sign and interval. Errors are robust (HC1) or clustered by ``cluster``.

    Examples
    --------
    >>> rng = np.random.default_rng(6)
    >>> f = 10 ** rng.uniform(3, 7, 2000)
    >>> y = 0.05 * f**0.9 * rng.gamma(2.0, 0.5, 2000)
    >>> fit = fit_glm(pd.DataFrame({"y": y, "followers": f}), y="y", family="gamma")
    >>> fit.ci_low < 0.9 < fit.ci_high
    True
    """
    known = {"gamma": families.Gamma(families.links.Log()),
             "fractional-logit": families.Binomial()}
    if family not in known:
        raise ValueError(f"family must be one of {list(known)}, got {family!r}")
    design = _design(frame, y=y, x=x, controls=controls, fe=fe, cluster=cluster,
                     outcome="count")
    values = design.y
    if family == "gamma" and not np.all(values > 0):
        keep = values > 0
        raise InsufficientDataError(f"the Gamma GLM needs positive {y!r}; {int((~keep).sum())} "
                                    "rows are 0 (use PPML, which keeps them)")
    if family == "fractional-logit" and (values.min() < 0 or values.max() > 1):
        raise ValueError(f"a fractional logit needs shares in [0, 1]; {y!r} runs from "
                         f"{values.min():g} to {values.max():g}")
    scale = float(values.mean()) if family == "gamma" else 1.0
    result, df, errors = _glm(design, known[family], scale=scale, cluster=cluster,
                              cov="HC1")
    name = "Gamma GLM (log link)" if family == "gamma" else "fractional logit (logit scale)"
    fitted = _elasticity_from(result, design, df, level,
                              f"{name} of {y} on log({x}); {errors}", y, x)
    return replace(fitted, intercept=fitted.intercept + math.log(scale))


# --------------------------------------------------------------------------------------------
# array-level fits for simulation studies


def ols_arrays(y, X, *, cluster=None,
               cluster_cov: str = "CR1") -> tuple[np.ndarray, np.ndarray, float]:
    """OLS on arrays: ``(coefficients, covariance, t degrees of freedom)``.

    The same estimator and errors as :func:`fit_elasticity` (statsmodels) without building a
    model: HC3 errors and ``n - k`` degrees of freedom, or, with ``cluster`` (one label per
    row), the CR1 sandwich with statsmodels' small-sample factor
    ``G / (G - 1) * (n - 1) / (n - k)`` and ``G - 1`` degrees of freedom. For simulation
    studies, which refit thousands of samples: a statsmodels fit of 50,000 rows costs about
    ten times as much. Tests check both agree to 1e-8. ``cluster_cov="CR2"`` gives
    :func:`cluster_cr2` and its Bell-McCaffrey degrees of freedom instead.

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), [0.0, 1.0, 2.0, 3.0]])
    >>> coef, cov, df = ols_arrays(np.array([1.0, 3.0, 5.0, 7.5]), X)
    >>> coef.round(2).tolist(), df
    ([0.9, 2.15], 2.0)
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    coef, bread = moments.ols_solve(moments.ols_moments(X, y))  # the chunked path's code
    residual = y - X @ coef
    if cluster is None:
        leverage = np.einsum("ij,jk,ik->i", X, bread, X)
        scores = X * (residual / (1 - leverage))[:, None]
        return coef, bread @ (scores.T @ scores) @ bread, float(n - k)
    if cluster_cov == "CR2":
        codes = pd.factorize(np.asarray(cluster))[0]
        cov, df = cluster_cr2(X, residual, np.ones(n), codes)
        return coef, cov, df
    cov, df = moments.cluster_covariance(
        bread, moments.cluster_scores(X, residual, np.asarray(cluster)), n=n)
    return coef, cov, df


def ppml_arrays(y, X, *, cluster=None, cluster_cov: str = "CR1", offset=None,
                tol: float = 1e-10, max_iter: int = 100) -> tuple[np.ndarray, np.ndarray, float]:
    """PPML on arrays: ``(coefficients, covariance, t degrees of freedom)``.

    The estimator and errors of :func:`fit_ppml` (Poisson quasi-likelihood by Newton steps,
    ``y`` scaled by its mean, which moves only the intercept): the robust sandwich that
    statsmodels' GLM calls HC1 and ``n - k`` degrees of freedom, or, with ``cluster``, the
    CR1 sandwich with statsmodels' factor and ``G - 1`` degrees of freedom, or
    (``cluster_cov="CR2"``) :func:`cluster_cr2` with its Bell-McCaffrey degrees of freedom.
    ``offset`` (already logged) enters with coefficient 1, as ``fit_ppml(offset=...)``'s
    ``log(offset)`` does. For simulation studies (see :func:`ols_arrays`). Raises
    :class:`InsufficientDataError` when it does not converge.

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), np.log([1.0, 10.0, 100.0, 1000.0])])
    >>> coef, cov, df = ppml_arrays(np.array([1.0, 10.0, 100.0, 1000.0]), X)
    >>> round(float(coef[1]), 6)
    1.0
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n, k = X.shape
    scale = float(y.mean())
    if not scale > 0:
        raise InsufficientDataError("every usable outcome is 0; there is no mean to model")
    target = y / scale
    shift = np.zeros(n) if offset is None else np.asarray(offset, dtype=float)
    start = np.zeros(k)
    start[0] = -float(np.log(np.mean(np.exp(shift))))  # start at the scaled mean, 1
    try:  # the chunked path's code, on one chunk
        beta, at = moments.newton(lambda b: moments.poisson_moments(X, target, b, shift),
                                  start, tol=tol, max_iter=max_iter)
    except moments.NotConverged:
        raise InsufficientDataError("the PPML fit did not converge") from None
    mu = np.exp(X @ beta + shift)
    bread = np.linalg.inv(at.xtx)
    scores = X * (target - mu)[:, None]
    if cluster is None:  # statsmodels' GLM "HC1" applies no n / (n - k) factor
        cov = bread @ (scores.T @ scores) @ bread
        df = float(n - k)
    elif cluster_cov == "CR2":
        cov, df = cluster_cr2(X, target - mu, mu, pd.factorize(np.asarray(cluster))[0])
    else:
        cov, df = moments.cluster_covariance(
            bread, moments.cluster_scores(X, target - mu, np.asarray(cluster)), n=n)
    beta[0] += math.log(scale)
    return beta, cov, df


class PPMLArrays(NamedTuple):
    """What :func:`fit_ppml` fits, as arrays (:func:`ppml_design`)."""

    y: np.ndarray
    X: np.ndarray
    offset: np.ndarray | None  # already logged
    keep: np.ndarray  # which rows of the frame are used (boolean, one per row)


def ppml_design(frame: pd.DataFrame, *, y: str, x: str = "followers",
                controls: Sequence[str] = (), fe: str | None = None,
                cluster: str | None = None, offset: str | None = None) -> PPMLArrays:
    """The rows and columns :func:`fit_ppml` fits with the same arguments, for
    :func:`ppml_weighted` (the slope is the second column of ``X``).

    Examples
    --------
    >>> frame = pd.DataFrame({"y": [1.0, 4.0, None, 9.0, 0.0, 2.0],
    ...                       "followers": [10, 100, 1000, 0, 10, 1000]})
    >>> arrays = ppml_design(frame, y="y")
    >>> arrays.keep.tolist(), arrays.y.tolist()
    ([True, True, False, False, True, True], [1.0, 4.0, 0.0, 2.0])
    """
    design = _design(frame, y=y, x=x, controls=controls, fe=fe, cluster=cluster,
                     outcome="count", offset=offset)
    return PPMLArrays(design.y, design.X, design.offset, design.keep)


def ppml_weighted(y, X, weights, *, offset=None, cluster=None, tol: float = 1e-10,
                  max_iter: int = 100) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """PPML on many resamples of one table at once: ``(coefficients, covariances, df)``.

    Row ``i`` counts ``weights[b, i]`` times in resample ``b`` (``weights`` is B x n, whole
    non-negative counts, as a bootstrap draws them). Each resample's answer is that of
    :func:`ppml_arrays` on the table with its rows repeated that many times: the same Newton
    steps and the same errors, the robust sandwich with ``n - k`` degrees of freedom
    (``n`` the resample's rows), or, with ``cluster`` (one label per row; every row of a
    cluster must carry the cluster's count), CR1 with a cluster drawn twice counted as two
    clusters. On a list of 1,000 creators a resample costs about 0.2 ms this way, against
    0.7 ms for :func:`ppml_arrays` and 5 ms for statsmodels one resample at a time
    (``benchmarks/bench_resampled_ppml.py``); a double bootstrap (the ledger's widening
    checked, notebook 07) needs 100,000 of them per interval.

    Returns arrays of shape (B, k), (B, k, k) and (B,); a resample whose fit is singular or
    does not settle gets NaN throughout (the caller counts them).

    Examples
    --------
    >>> X = np.column_stack([np.ones(4), np.log([1.0, 10.0, 100.0, 1000.0])])
    >>> y = np.array([2.0, 10.0, 60.0, 900.0])
    >>> coef, cov, df = ppml_weighted(y, X, np.array([[1, 1, 1, 1], [2, 0, 1, 1]]))
    >>> doubled, _, _ = ppml_arrays(y[[0, 0, 2, 3]], X[[0, 0, 2, 3]])
    >>> bool(np.isclose(coef[1, 1], doubled[1])), df.tolist()
    (True, [2.0, 2.0])
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    W = np.atleast_2d(np.asarray(weights, dtype=float))
    n, k = X.shape
    if y.shape != (n,) or W.shape[1] != n:
        raise ValueError(f"y has {y.size} rows, X {n} and weights {W.shape[1]} columns: they "
                         "must match")
    if not (np.isfinite(y).all() and np.isfinite(X).all() and (y >= 0).all()):
        bad = np.flatnonzero(~(np.isfinite(y) & np.isfinite(X).all(axis=1) & (y >= 0)))
        raise ValueError(f"rows {bad[:5].tolist()} have a missing or negative value: pass the "
                         "usable rows only")
    if (W < 0).any() or not np.isfinite(W).all():
        raise ValueError("weights must be finite counts of 0 or more")
    shift = np.zeros(n) if offset is None else np.asarray(offset, dtype=float)
    scale = float(y.mean()) if y.mean() > 0 else 1.0
    target = y / scale
    B = len(W)
    outer = (X[:, :, None] * X[:, None, :]).reshape(n, k * k)  # x x' per row, for one matmul
    with np.errstate(divide="ignore", invalid="ignore"):
        start = np.log((W @ target) / (W @ np.exp(shift)))
    beta = np.zeros((B, k))
    beta[:, 0] = np.where(np.isfinite(start), start, 0.0)
    live = np.ones(B, dtype=bool)
    settled = np.zeros(B, dtype=bool)
    for _ in range(max_iter):
        rows = np.flatnonzero(live & ~settled)
        if not rows.size:
            break
        mu = np.exp(np.clip(beta[rows] @ X.T + shift, -700, 700))
        hessian = ((W[rows] * mu) @ outer).reshape(-1, k, k)
        gradient = (W[rows] * (target - mu)) @ X
        singular = np.linalg.cond(hessian) > 1e12
        live[rows[singular]] = False
        ok = ~singular
        step = np.linalg.solve(hessian[ok], gradient[ok][..., None])[..., 0]
        beta[rows[ok]] += step
        settled[rows[ok]] = np.abs(step).max(axis=1) < tol
    good = live & settled
    coef = np.full((B, k), np.nan)
    cov = np.full((B, k, k), np.nan)
    df = np.full(B, np.nan)
    if good.any():
        Wg = W[good]
        mu = np.exp(beta[good] @ X.T + shift)
        bread = np.linalg.inv(((Wg * mu) @ outer).reshape(-1, k, k))
        residual = target - mu
        rows_n = Wg.sum(axis=1)
        if cluster is None:
            meat = ((Wg * residual**2) @ outer).reshape(-1, k, k)
            cov[good] = bread @ meat @ bread
            df[good] = rows_n - k
        else:
            codes, uniques = pd.factorize(np.asarray(cluster))
            if (codes < 0).any():
                raise ValueError("cluster has missing labels")
            groups = len(uniques)
            first = np.full(groups, n)
            np.minimum.at(first, codes, np.arange(n))
            counts = W[:, first]
            if not (W == counts[:, codes]).all():
                raise ValueError("every row of a cluster must carry the cluster's count")
            counts = counts[good]
            member = sparse.csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(groups, n))
            b = int(good.sum())
            scores = (residual[:, :, None] * X[None]).transpose(1, 0, 2).reshape(n, b * k)
            sums = np.asarray(member @ scores).reshape(groups, b, k).transpose(1, 0, 2)
            meat = np.einsum("bg,bgj,bgl->bjl", counts, sums, sums, optimize=True)
            clusters = counts.sum(axis=1)
            factor = clusters / (clusters - 1) * (rows_n - 1) / (rows_n - k)
            cov[good] = factor[:, None, None] * (bread @ meat @ bread)
            df[good] = clusters - 1
        coef[good] = beta[good]
        coef[good, 0] += math.log(scale)
    return coef, cov, df


def tost_p(fit: Elasticity, *, low: float, high: float) -> float:
    """Two one-sided tests that the parameter lies inside ``(low, high)``: the larger p-value.

    A p-value below α means the (1 − 2α) interval lies inside the bounds: the estimate is
    practically equivalent to anything in between. Uses the fit's standard error and t
    degrees of freedom.

    Examples
    --------
    >>> fit = Elasticity(1.01, 0.013, 0.985, 1.035, 500, None, 0, 0.0, (0, 0, 0), "toy",
    ...                  0.95, "y", "x", 1.0, 10.0, df=499)
    >>> round(tost_p(fit, low=0.95, high=1.05), 4)  # (1.01 - 1.05) / 0.013 = -3.08 se
    0.0011
    >>> tost_p(fit, low=0.99, high=1.01) > 0.05
    True
    """
    if not low < high:
        raise ValueError(f"low must be below high, got {low} and {high}")
    if not (np.isfinite(fit.estimate) and np.isfinite(fit.se) and fit.se > 0):
        return math.nan
    lower = sps.t.sf((fit.estimate - low) / fit.se, fit.df)
    upper = sps.t.cdf((fit.estimate - high) / fit.se, fit.df)
    return float(max(lower, upper))


def quantile_elasticity(
    frame: pd.DataFrame,
    *,
    y: str,
    x: str = "followers",
    q: float = 0.5,
    controls: Sequence[str] = (),
    fe: str | None = None,
    level: float = 0.95,
) -> Elasticity:
    """Quantile (default: median) regression of ``log(y)`` on ``log(x)``.

    The median line is not pulled by viral outliers. Standard errors are statsmodels'
    kernel sandwich (robust to heteroskedasticity, but they assume independent rows: use it on
    creator-level data, not on posts clustered by creator).

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> followers = 10 ** rng.uniform(3, 7, 400)
    >>> likes = followers**0.9 * np.exp(rng.standard_t(2, 400))  # heavy tails
    >>> fit = quantile_elasticity(pd.DataFrame({"likes": likes, "followers": followers}),
    ...                           y="likes")
    >>> fit.ci_low < 0.9 < fit.ci_high
    True
    """
    if not 0 < q < 1:
        raise ValueError(f"q must be in (0, 1), got {q}")
    design = _design(frame, y=y, x=x, controls=controls, fe=fe)
    result = QuantReg(design.y, design.X).fit(q=q, max_iter=5000)
    return _elasticity_from(
        result,
        design,
        result.df_resid,
        level,
        f"quantile regression (q={q:g}) {design.description}; kernel sandwich errors",
        y,
        x,
    )


def piecewise_elasticity(
    frame: pd.DataFrame,
    *,
    y: str,
    x: str = "followers",
    knots: Sequence[float] = (1e4, 1e5, 1e6),
    controls: Sequence[str] = (),
    fe: str | None = None,
    cluster: str | None = None,
    cov: str = "HC3",
    level: float = 0.95,
    min_segment: int = 20,
) -> pd.DataFrame:
    """Piecewise-linear elasticity: a separate slope between consecutive knots of ``x``.

    The model is one continuous linear spline in ``log(x)`` with hinges at ``log(knots)``,
    fitted by OLS like :func:`fit_elasticity`. Knots are dropped (and the neighbouring
    segments merged) while a segment holds fewer than ``min_segment`` rows, so every slope
    rests on data.

    Returns
    -------
    DataFrame
        One row per segment: ``lower``, ``upper`` (x bounds; the outer ones are the data
        range), ``n``, ``slope``, ``ci_low``, ``ci_high``, and ``change``, ``change_low``,
        ``change_high``: the slope minus the previous segment's, with its CI (NaN for the
        first segment). A change whose CI excludes 0 is where the slope bends.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> f = 10 ** rng.uniform(3, 7, 2000)
    >>> lf = np.log(f)
    >>> y = np.exp(0.6 * lf + 0.4 * np.maximum(lf - np.log(1e5), 0) + rng.normal(0, .2, 2000))
    >>> table = piecewise_elasticity(pd.DataFrame({"y": y, "followers": f}), y="y", knots=[1e5])
    >>> table["slope"].round(1).tolist()
    [0.6, 1.0]
    """
    knot_values = np.sort(np.asarray([k for k in knots if k > 0], dtype=float))
    base = _design(
        frame, y=y, x=x, controls=controls, fe=fe, cluster=cluster,
        extra_columns=len(knot_values),
    )
    log_knots = np.log(knot_values)
    while True:
        edges = np.concatenate(([-np.inf], log_knots, [np.inf]))
        counts = np.histogram(base.log_x, bins=edges)[0]
        if len(log_knots) == 0 or counts.min() >= min_segment:
            break
        smallest = int(np.argmin(counts))
        # drop the knot that bounds the smallest segment on its inner side
        drop = min(smallest, len(log_knots) - 1)
        log_knots = np.delete(log_knots, drop)
        knot_values = np.delete(knot_values, drop)
    hinges = np.column_stack([np.maximum(base.log_x - k, 0.0) for k in log_knots]) if len(
        log_knots
    ) else np.empty((len(base.y), 0))
    X = np.column_stack([base.X, hinges])
    result, df = _ols(base, X, cluster=cluster, cov=cov)
    params = np.asarray(result.params)
    cov_matrix = np.asarray(result.cov_params())
    k0 = base.X.shape[1]
    n_seg = len(log_knots) + 1
    # slope of segment j = b + sum of hinge coefficients 0..j-1
    contrast = np.zeros((n_seg, X.shape[1]))
    contrast[:, 1] = 1.0
    for j in range(1, n_seg):
        contrast[j, k0 : k0 + j] = 1.0
    slopes = contrast @ params
    slope_se = np.sqrt(np.einsum("ij,jk,ik->i", contrast, cov_matrix, contrast))
    t = t_quantile(level, df)
    change = np.full(n_seg, np.nan)
    change_se = np.full(n_seg, np.nan)
    if n_seg > 1:
        change[1:] = params[k0 : k0 + n_seg - 1]
        change_se[1:] = np.sqrt(np.diag(cov_matrix)[k0 : k0 + n_seg - 1])
    # the knots themselves are reported exactly as given (no exp(log(k)) round trip)
    bounds = np.concatenate(
        ([np.exp(base.log_x.min())], knot_values, [np.exp(base.log_x.max())])
    )
    return pd.DataFrame(
        {
            "lower": bounds[:-1],
            "upper": bounds[1:],
            "n": counts.astype("int64"),
            "slope": slopes,
            "ci_low": slopes - t * slope_se,
            "ci_high": slopes + t * slope_se,
            "change": change,
            "change_low": change - t * change_se,
            "change_high": change + t * change_se,
        }
    )


def fit_line(fit: Elasticity, x: Sequence[float] | np.ndarray | None = None, *,
             points: int = 50) -> pd.DataFrame:
    """The fitted line ``exp(a + b log x)`` with its pointwise CI band, on the original scale.

    Parameters
    ----------
    fit : Elasticity
    x : array-like, optional
        Where to evaluate; default ``points`` log-spaced values over the fitted range.

    Returns
    -------
    DataFrame
        ``x``, ``fit``, ``ci_low``, ``ci_high`` (geometric-mean line at the mean controls).

    Examples
    --------
    >>> fit = Elasticity(0.8, 0.01, 0.78, 0.82, 100, None, 0, 0.0, (0.0, 0.0, 0.0001),
    ...                  "toy", 0.95, "likes", "followers", 1e3, 1e6)
    >>> fit_line(fit, [1e3, 1e6])["fit"].round(1).tolist()
    [251.2, 63095.7]
    """
    if x is None:
        xs = np.logspace(np.log10(fit.x_min), np.log10(fit.x_max), points)
    else:
        xs = np.asarray(x, dtype=float)
    lx = np.log(xs)
    centre = fit.intercept + fit.estimate * lx
    var_a, cov_ab, var_b = fit.cov_ab
    se = np.sqrt(np.maximum(var_a + 2 * lx * cov_ab + lx**2 * var_b, 0.0))
    # the same critical value as the fit's own interval (t with its degrees of freedom)
    if np.isfinite(fit.se) and fit.se > 0:
        t = (fit.ci_high - fit.ci_low) / (2 * fit.se)
    else:
        t = float(sps.norm.ppf(0.5 + fit.level / 2))
    return pd.DataFrame(
        {"x": xs, "fit": np.exp(centre), "ci_low": np.exp(centre - t * se),
         "ci_high": np.exp(centre + t * se)}
    )


# --------------------------------------------------------------------------------------------
# bootstrap


def _chunks(total: int, units: int, budget: int) -> Iterator[int]:
    """Resample batch sizes keeping a batch's index matrix near ``budget`` entries."""
    size = max(1, budget // max(units, 1))
    done = 0
    while done < total:
        step = min(size, total - done)
        yield step
        done += step


def _resample_counts(rng: np.random.Generator, units: int, batch: int) -> np.ndarray:
    """(batch, units) matrix: how often each unit is drawn in each resample."""
    draws = rng.integers(0, units, size=(batch, units))
    offsets = (np.arange(batch) * units)[:, None]
    return np.bincount((draws + offsets).ravel(), minlength=batch * units).reshape(batch, units)


_COND_LIMIT = 1e10


def _normalised(xtx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scale a stack of normal matrices to unit diagonal (returns matrices and scales)."""
    scale = np.sqrt(np.einsum("bii->bi", xtx))
    scale[scale == 0] = 1.0
    return xtx / scale[:, :, None] / scale[:, None, :], scale


def _well_conditioned(xtx: np.ndarray) -> np.ndarray:
    return np.linalg.cond(_normalised(xtx)[0]) < _COND_LIMIT


def _solve_slopes(xtx: np.ndarray, xty: np.ndarray) -> np.ndarray:
    """Slope (coefficient 1) of each stacked normal system ``xtx beta = xty``.

    Well-conditioned systems are solved directly. A rank-deficient resample (e.g. one that
    misses a fixed-effect level, whose dummy is then collinear with the intercept) still
    identifies the slope if dropping the slope column lowers the rank by one; then the
    minimum-norm least-squares solution has the right slope. Otherwise the slope is NaN.
    """
    slopes = np.full(len(xtx), np.nan)
    good = _well_conditioned(xtx)
    if good.any():
        slopes[good] = np.linalg.solve(xtx[good], xty[good][:, :, None])[:, 1, 0]
    bad = ~good
    if bad.any():
        normed, scale = _normalised(xtx[bad])
        rhs = xty[bad] / scale
        tol = 1.0 / _COND_LIMIT * normed.shape[-1]
        full = np.linalg.matrix_rank(normed, tol=tol)
        reduced = np.delete(np.delete(normed, 1, axis=1), 1, axis=2)
        estimable = full == np.linalg.matrix_rank(reduced, tol=tol) + 1
        solution = (np.linalg.pinv(normed, rcond=1.0 / _COND_LIMIT) @ rhs[:, :, None])[:, :, 0]
        slopes[bad] = np.where(estimable, solution[:, 1] / scale[:, 1], np.nan)
    return slopes


def _bootstrap_setup(frame, y, x, controls, fe, cluster, n_resamples, rng, level):
    if rng is None or not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed): the bootstrap is random")
    if n_resamples < 2:
        raise ValueError(f"n_resamples must be at least 2, got {n_resamples}")
    t_quantile(level, 10)  # validates level
    design = _design(frame, y=y, x=x, controls=controls, fe=fe, cluster=cluster)
    units = design.clusters if design.clusters is not None else np.arange(len(design.y))
    return design, units, int(units.max()) + 1


def _percentile_result(design, draws, n_units, n_resamples, level, method) -> BootstrapResult:
    full = np.linalg.lstsq(design.X, design.y, rcond=None)[0][1]
    ok = draws[np.isfinite(draws)]
    low, high = (
        np.quantile(ok, [0.5 - level / 2, 0.5 + level / 2]) if len(ok) else (np.nan, np.nan)
    )
    return BootstrapResult(
        estimate=float(full),
        se=float(ok.std(ddof=1)) if len(ok) > 1 else np.nan,
        ci_low=float(low),
        ci_high=float(high),
        n=len(design.y),
        n_units=n_units,
        n_resamples=n_resamples,
        n_failed=int(n_resamples - len(ok)),
        dropped=design.dropped,
        level=level,
        method=method,
        draws=draws,
    )


def bootstrap_elasticity(
    frame: pd.DataFrame,
    *,
    y: str,
    x: str = "followers",
    controls: Sequence[str] = (),
    fe: str | None = None,
    cluster: str | None = None,
    n_resamples: int = 2000,
    rng: np.random.Generator,
    level: float = 0.95,
    batch_budget: int = 4_000_000,
) -> BootstrapResult:
    """Percentile bootstrap CI for the OLS elasticity, all resamples solved at once.

    Rows (or, with ``cluster``, whole clusters: a creator and all their posts) are drawn with
    replacement. Each resample is a count vector ``w`` over units; its normal equations are
    ``sum_u w_u X_u'X_u`` and ``sum_u w_u X_u'y_u``, formed for a batch of resamples with one
    matrix product and solved with one batched ``numpy.linalg.solve``. A resample that misses
    a fixed-effect level is rank-deficient but still identifies the slope (the minimum-norm
    solution is used); resamples where the slope itself is not identified (e.g. every drawn
    row has the same x) give NaN and are counted in ``n_failed``.

    Parameters
    ----------
    frame, y, x, controls, fe, cluster
        As :func:`fit_elasticity`.
    n_resamples : int
    rng : numpy.random.Generator
        The only source of randomness; the same seed gives the same interval.
    level : float
    batch_budget : int
        Resamples are processed in batches of about ``batch_budget / units`` to bound memory
        (the count matrix is ``batch x units`` integers).

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> f = 10 ** rng.uniform(3, 7, 300)
    >>> frame = pd.DataFrame({"likes": f**0.7 * np.exp(rng.normal(0, .5, 300)), "followers": f})
    >>> boot = bootstrap_elasticity(frame, y="likes", n_resamples=500,
    ...                             rng=np.random.default_rng(0))
    >>> boot.ci_low < 0.7 < boot.ci_high, boot.n_failed
    (True, 0)
    """
    design, units, n_units = _bootstrap_setup(
        frame, y, x, controls, fe, cluster, n_resamples, rng, level
    )
    X, yv = design.X, design.y
    k = X.shape[1]
    # per-unit sufficient statistics: (G, k*k) and (G, k)
    outer = (X[:, :, None] * X[:, None, :]).reshape(len(yv), k * k)
    xx_unit = np.zeros((n_units, k * k))
    xy_unit = np.zeros((n_units, k))
    np.add.at(xx_unit, units, outer)
    np.add.at(xy_unit, units, X * yv[:, None])
    draws = np.empty(n_resamples)
    done = 0
    for batch in _chunks(n_resamples, n_units, batch_budget):
        counts = _resample_counts(rng, n_units, batch).astype(float)
        xtx = (counts @ xx_unit).reshape(batch, k, k)
        xty = counts @ xy_unit
        draws[done : done + batch] = _solve_slopes(xtx, xty)
        done += batch
    unit_name = f"clusters of {cluster}" if cluster else "rows"
    return _percentile_result(
        design, draws, n_units, n_resamples, level,
        f"OLS {design.description}; percentile bootstrap over {unit_name} "
        f"({n_resamples} resamples)",
    )


def bootstrap_elasticity_loop(
    frame: pd.DataFrame,
    *,
    y: str,
    x: str = "followers",
    controls: Sequence[str] = (),
    fe: str | None = None,
    cluster: str | None = None,
    n_resamples: int = 2000,
    rng: np.random.Generator,
    level: float = 0.95,
    batch_budget: int = 4_000_000,
) -> BootstrapResult:
    """The same bootstrap as :func:`bootstrap_elasticity`, refitting each resample in a loop.

    It draws the very same resamples from ``rng`` (same batches), builds each resampled data
    set row by row and refits it with ``numpy.linalg.lstsq``. It exists to check the
    vectorised version and to measure the speed-up (``benchmarks/bench_bootstrap.py``).

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> f = 10 ** rng.uniform(3, 7, 50)
    >>> frame = pd.DataFrame({"likes": f**0.7 * np.exp(rng.normal(0, .5, 50)), "followers": f})
    >>> a = bootstrap_elasticity(frame, y="likes", n_resamples=20, rng=np.random.default_rng(1))
    >>> b = bootstrap_elasticity_loop(frame, y="likes", n_resamples=20,
    ...                               rng=np.random.default_rng(1))
    >>> bool(np.allclose(a.draws, b.draws))
    True
    """
    design, units, n_units = _bootstrap_setup(
        frame, y, x, controls, fe, cluster, n_resamples, rng, level
    )
    rows_of_unit = pd.Series(np.arange(len(units))).groupby(units).indices
    draws = np.empty(n_resamples)
    done = 0
    for batch in _chunks(n_resamples, n_units, batch_budget):
        counts = _resample_counts(rng, n_units, batch)
        for b in range(batch):
            rows = np.concatenate(
                [np.repeat(rows_of_unit[u], c) for u, c in enumerate(counts[b]) if c]
            )
            X_b, y_b = design.X[rows], design.y[rows]
            xtx = X_b.T @ X_b
            if _well_conditioned(xtx[None])[0]:
                draws[done + b] = np.linalg.lstsq(X_b, y_b, rcond=None)[0][1]
            else:  # the same rank-deficient rule as the vectorised version
                draws[done + b] = _solve_slopes(xtx[None], (X_b.T @ y_b)[None])[0]
        done += batch
    return _percentile_result(
        design, draws, n_units, n_resamples, level,
        f"OLS {design.description}; percentile bootstrap, loop of refits",
    )


# --------------------------------------------------------------------------------------------
# medians with bootstrap CIs


def bootstrap_median(
    values: Sequence[float] | np.ndarray | pd.Series,
    *,
    rng: np.random.Generator,
    n_resamples: int = 2000,
    level: float = 0.95,
    min_n: int = 5,
    batch_budget: int = 4_000_000,
) -> tuple[float, float, float]:
    """Median of the finite values and its percentile-bootstrap CI.

    Returns ``(median, ci_low, ci_high)``; the interval is NaN when fewer than ``min_n``
    finite values exist (a bootstrap of three numbers is not an interval), the median NaN when
    there are none.

    Examples
    --------
    >>> med, low, high = bootstrap_median(np.arange(101.0), rng=np.random.default_rng(0))
    >>> med, low < 50 < high
    (50.0, True)
    >>> bootstrap_median([1.0, 2.0], rng=np.random.default_rng(0))
    (1.5, nan, nan)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed): the bootstrap is random")
    arr = np.asarray(pd.to_numeric(pd.Series(values), errors="coerce"), dtype=float)
    arr = arr[np.isfinite(arr)]
    n = len(arr)
    if n == 0:
        return (np.nan, np.nan, np.nan)
    median = float(np.median(arr))
    if n < min_n:
        return (median, np.nan, np.nan)
    medians = np.empty(n_resamples)
    done = 0
    for batch in _chunks(n_resamples, n, batch_budget):
        medians[done : done + batch] = np.median(arr[rng.integers(0, n, size=(batch, n))], axis=1)
        done += batch
    low, high = np.quantile(medians, [0.5 - level / 2, 0.5 + level / 2])
    return (median, float(low), float(high))


def group_medians(
    frame: pd.DataFrame,
    *,
    value: str,
    group: str,
    rng: np.random.Generator,
    n_resamples: int = 2000,
    level: float = 0.95,
    min_n: int = 5,
) -> pd.DataFrame:
    """Median of ``value`` per level of ``group`` with bootstrap CIs.

    Groups are processed in sorted order (categorical order for categoricals, empty
    categories included with n = 0), so a seed gives the same table every time.

    Returns
    -------
    DataFrame
        ``group`` column (named as the input), ``n``, ``median``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> frame = pd.DataFrame({"g": ["a"] * 50 + ["b"] * 3, "v": list(range(50)) + [7, 8, 9]})
    >>> group_medians(frame, value="v", group="g", rng=np.random.default_rng(0))[
    ...     ["g", "n", "median"]]
       g   n  median
    0  a  50    24.5
    1  b   3     8.0
    """
    if value not in frame.columns or group not in frame.columns:
        missing = [c for c in (value, group) if c not in frame.columns]
        raise KeyError(f"columns {missing} not in the table; columns are {list(frame.columns)}")
    values = pd.to_numeric(frame[value], errors="coerce")
    keys = frame[group]
    if isinstance(keys.dtype, pd.CategoricalDtype):
        levels = list(keys.cat.categories)
    else:
        levels = sorted(keys.dropna().unique())
    by_group = values.groupby(keys, observed=False, sort=False)
    members = {k: v for k, v in by_group}
    rows = []
    for level_key in levels:
        member = members.get(level_key, pd.Series(dtype=float))
        member = member[np.isfinite(member.to_numpy(dtype=float, na_value=np.nan))]
        median, low, high = bootstrap_median(
            member, rng=rng, n_resamples=n_resamples, level=level, min_n=min_n
        )
        rows.append((level_key, len(member), median, low, high))
    out = pd.DataFrame(rows, columns=[group, "n", "median", "ci_low", "ci_high"])
    return out.astype({"n": "int64", "median": float, "ci_low": float, "ci_high": float})


def tier_medians(
    frame: pd.DataFrame,
    *,
    value: str,
    followers: str = "followers",
    tier_scheme: str | TierScheme = "industry",
    rng: np.random.Generator,
    n_resamples: int = 2000,
    level: float = 0.95,
    min_n: int = 5,
) -> pd.DataFrame:
    """Median of ``value`` in each follower tier, with bootstrap CIs and the tier bounds.

    Returns
    -------
    DataFrame
        ``tier``, ``lower``, ``upper`` (half-open ``[lower, upper)``), ``n``, ``median``,
        ``ci_low``, ``ci_high``; every tier of the scheme is listed, empty ones with n = 0.

    Examples
    --------
    >>> frame = pd.DataFrame({"followers": [2e3] * 10 + [2e4] * 10,
    ...                       "er": [0.05] * 10 + [0.02] * 10})
    >>> table = tier_medians(frame, value="er", rng=np.random.default_rng(0))
    >>> table[["tier", "n", "median"]].head(3).to_dict("list")
    {'tier': ['<1k', 'nano', 'micro'], 'n': [0, 10, 10], 'median': [nan, 0.05, 0.02]}
    """
    s = scheme(tier_scheme)
    work = pd.DataFrame(
        {"tier": assign_tiers(frame[followers], s), "value": frame[value].to_numpy()}
    )
    table = group_medians(
        work, value="value", group="tier", rng=rng, n_resamples=n_resamples, level=level,
        min_n=min_n,
    )
    bands = tier_bands(s).rename(columns={"label": "tier"})
    table["tier"] = table["tier"].astype(str)
    return bands.merge(table, on="tier", how="left")[
        ["tier", "lower", "upper", "n", "median", "ci_low", "ci_high"]
    ]


def binned_medians(
    frame: pd.DataFrame,
    *,
    x: str,
    y: str,
    bins_per_decade: int = 2,
    rng: np.random.Generator,
    n_resamples: int = 2000,
    level: float = 0.95,
    min_n: int = 10,
) -> pd.DataFrame:
    """Median of ``y`` in log-spaced bins of ``x`` (bins with fewer than ``min_n`` rows left out).

    Bins are ``[10^(j/bins_per_decade), 10^((j+1)/bins_per_decade))`` over the range of the
    positive ``x`` values; ``x_mid`` is the bin's geometric midpoint.

    Returns
    -------
    DataFrame
        ``lower``, ``upper``, ``x_mid``, ``n``, ``median``, ``ci_low``, ``ci_high``.

    Examples
    --------
    >>> frame = pd.DataFrame({"f": [2e3] * 20 + [2e4] * 20, "er": [0.04] * 20 + [0.02] * 20})
    >>> table = binned_medians(frame, x="f", y="er", bins_per_decade=1,
    ...                        rng=np.random.default_rng(0))
    >>> table[["lower", "n", "median"]].to_dict("list")
    {'lower': [1000.0, 10000.0], 'n': [20, 20], 'median': [0.04, 0.02]}
    """
    if bins_per_decade < 1:
        raise ValueError(f"bins_per_decade must be >= 1, got {bins_per_decade}")
    xv = _numeric(frame, x)
    yv = _numeric(frame, y)
    keep = np.isfinite(xv) & (xv > 0) & np.isfinite(yv)
    columns = ["lower", "upper", "x_mid", "n", "median", "ci_low", "ci_high"]
    if not keep.any():
        return pd.DataFrame(columns=columns)
    bin_index = np.floor(np.log10(xv[keep]) * bins_per_decade + 1e-9).astype(int)
    work = pd.DataFrame({"bin": bin_index, "y": yv[keep]})
    table = group_medians(
        work, value="y", group="bin", rng=rng, n_resamples=n_resamples, level=level,
        min_n=min_n,
    )
    table = table[table["n"] >= min_n].reset_index(drop=True)
    lower = 10.0 ** (table["bin"].to_numpy() / bins_per_decade)
    upper = 10.0 ** ((table["bin"].to_numpy() + 1) / bins_per_decade)
    table.insert(0, "lower", lower)
    table.insert(1, "upper", upper)
    table.insert(2, "x_mid", np.sqrt(lower * upper))
    return table.drop(columns="bin")[columns]


# --------------------------------------------------------------------------------------------
# ratio of two groups' typical per-unit ratios (cost per engagement, engagement rate)

_GROUP_STATS = ("median", "pooled")


@dataclass(frozen=True)
class GroupRatio:
    """``stat(group a) / stat(group b)`` of a per-unit ratio, with a bootstrap interval.

    ``stat_a`` and ``stat_b`` are each group's statistic (the median of ``num / den`` over
    units, or the pooled ``sum(num) / sum(den)``); ``estimate = stat_a / stat_b``. The
    interval resamples units within each group independently (a stratified bootstrap); it is
    NaN when a group has fewer than ``min_n`` units or the estimate is undefined, and it can
    be infinite (a unit with a zero ``den`` has an infinite ratio, and so can a resample's
    median). Resamples whose ratio is undefined (0/0, inf/inf) are left out of the
    percentiles.
    """

    estimate: float
    ci_low: float
    ci_high: float
    stat_a: float
    stat_b: float
    n_a: int
    n_b: int
    stat: str
    n_resamples: int
    level: float
    draws: np.ndarray = field(repr=False, compare=False)


def _group_arrays(num, den, name: str) -> tuple[np.ndarray, np.ndarray]:
    n = np.asarray(num, dtype=float)
    d = np.asarray(den, dtype=float)
    if n.shape != d.shape or n.ndim != 1:
        raise ValueError(f"group {name}: num and den must be 1-d of equal length, "
                         f"got {n.shape} and {d.shape}")
    bad = ~(np.isfinite(n) & np.isfinite(d)) | (n < 0) | (d < 0)
    if bad.any():
        at = np.flatnonzero(bad)[:5].tolist()
        raise ValueError(
            f"group {name}: num and den must be finite and >= 0; rows {at} are not "
            f"(num {n[at].tolist()}, den {d[at].tolist()})"
        )
    return n, d


def _group_stat(num: np.ndarray, den: np.ndarray, stat: str) -> float:
    if stat == "pooled":
        total = den.sum()
        return float(num.sum() / total) if total > 0 else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.median(num / den))


def _group_draws(num, den, stat, rng, n_resamples, budget) -> np.ndarray:
    units = len(num)
    out = np.empty(n_resamples)
    done = 0
    for batch in _chunks(n_resamples, units, budget):
        if stat == "pooled":
            counts = _resample_counts(rng, units, batch).astype(float)
            with np.errstate(divide="ignore", invalid="ignore"):
                out[done : done + batch] = (counts @ num) / (counts @ den)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                values = num / den
            out[done : done + batch] = np.median(
                values[rng.integers(0, units, size=(batch, units))], axis=1
            )
        done += batch
    return out


def group_ratio(
    num_a,
    den_a,
    num_b,
    den_b,
    *,
    stat: str = "median",
    rng: np.random.Generator,
    n_resamples: int = 2000,
    level: float = 0.95,
    min_n: int = 5,
    batch_budget: int = 4_000_000,
) -> GroupRatio:
    """Compare a per-unit ratio ``num / den`` between two groups of units.

    Used for cost per engagement (``num`` fee, ``den`` engagements) and engagement rate
    (``num`` engagements, ``den`` followers) of micro-creators (group a) against larger ones
    (group b).

    Parameters
    ----------
    num_a, den_a, num_b, den_b : array-like of float
        Finite, non-negative values, one per unit (creator).
    stat : {"median", "pooled"}
        ``"median"``: the typical unit's ratio, robust to a few extreme units (a zero ``den``
        gives an infinite ratio, which still sorts). ``"pooled"``: ``sum(num) / sum(den)``,
        e.g. the cost per engagement of buying one post from every creator in the group.
    rng : numpy.random.Generator
    n_resamples, level, min_n, batch_budget
        Bootstrap resamples, confidence level, smallest group given an interval, and the
        number of index entries drawn per batch (memory).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> result = group_ratio([10, 20, 30, 40, 50], [10] * 5, [8, 9, 10, 11, 12], [1] * 5,
    ...                      rng=rng)
    >>> result.stat_a, result.stat_b, result.estimate
    (3.0, 10.0, 0.3)
    >>> result.ci_low <= 0.3 <= result.ci_high
    True
    """
    if stat not in _GROUP_STATS:
        raise ValueError(f"stat must be one of {list(_GROUP_STATS)}, got {stat!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed): the bootstrap is random")
    na, da = _group_arrays(num_a, den_a, "a")
    nb, db = _group_arrays(num_b, den_b, "b")
    if len(na) == 0 or len(nb) == 0:
        raise InsufficientDataError(
            f"both groups need units: group a has {len(na)}, group b has {len(nb)}",
            counts=(len(na), len(nb)),
        )
    stat_a, stat_b = _group_stat(na, da, stat), _group_stat(nb, db, stat)
    with np.errstate(divide="ignore", invalid="ignore"):  # b = 0: inf, or NaN for 0 / 0
        estimate = np.float64(stat_a) / np.float64(stat_b)
    low = high = np.nan
    draws = np.full(0, np.nan)
    if min(len(na), len(nb)) >= min_n and not np.isnan(estimate):
        with np.errstate(divide="ignore", invalid="ignore"):
            draws = (_group_draws(na, da, stat, rng, n_resamples, batch_budget)
                     / _group_draws(nb, db, stat, rng, n_resamples, batch_budget))
        # NaN only where a resample's ratio is undefined; infinite draws (a zero
        # denominator) count as infinite
        low, high = percentile_interval(draws, level=level)
    return GroupRatio(
        float(estimate), low, high, stat_a, stat_b, len(na), len(nb), stat, n_resamples, level,
        draws,
    )


def percentile_interval(draws, *, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of bootstrap draws, NaN draws left out, infinite ones kept.

    No interpolation (``inverted_cdf``), so that infinite draws count as infinite; NaN when no
    draw is defined.

    Examples
    --------
    >>> percentile_interval(np.arange(1, 101), level=0.9)
    (5.0, 95.0)
    """
    values = np.asarray(draws, dtype=float)
    defined = values[~np.isnan(values)]
    if not len(defined):
        return np.nan, np.nan
    low, high = np.quantile(defined, [0.5 - level / 2, 0.5 + level / 2], method="inverted_cdf")
    return float(low), float(high)


def power_ratio_draws(
    x_a, den_a, x_b, den_b, exponents, *, stat: str = "median", rng: np.random.Generator,
) -> np.ndarray:
    """Bootstrap draws of a group ratio of ``x ** p / den`` with its own ``p`` in every resample.

    The :func:`group_ratio` bootstrap (units resampled within each group) for a numerator that
    is a power of ``x`` whose exponent is itself uncertain: resample ``r`` draws units and uses
    ``exponents[r]``. A cost per engagement under a power-law price ``k x ** p`` is the case in
    point: ``k`` cancels in the ratio, so the draws carry both the creators' sampling error
    and the price law's.

    Parameters
    ----------
    x_a, den_a, x_b, den_b : array-like of float
        Positive ``x`` and non-negative ``den`` per unit, per group.
    exponents : array-like of float
        One exponent per resample (its length is the number of resamples).
    stat : {"median", "pooled"}

    Examples
    --------
    >>> draws = power_ratio_draws([1, 1], [1, 1], [4, 4], [1, 1], [0.5, 1.0],
    ...                           rng=np.random.default_rng(0))
    >>> draws.tolist()  # every unit alike: (1 / 4) ** p
    [0.5, 0.25]
    """
    if stat not in _GROUP_STATS:
        raise ValueError(f"stat must be one of {list(_GROUP_STATS)}, got {stat!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed): the bootstrap is random")
    xa, da = _group_arrays(x_a, den_a, "a")
    xb, db = _group_arrays(x_b, den_b, "b")
    p = np.asarray(exponents, dtype=float)
    if p.ndim != 1 or not len(p) or not np.isfinite(p).all():
        raise ValueError("exponents must be a non-empty 1-d array of finite numbers")
    if not (len(xa) and len(xb)):
        raise InsufficientDataError(
            f"both groups need units: group a has {len(xa)}, group b has {len(xb)}",
            counts=(len(xa), len(xb)))

    def one_group(x, den):
        idx = rng.integers(0, len(x), size=(len(p), len(x)))
        with np.errstate(divide="ignore", invalid="ignore"):
            num = x[idx] ** p[:, None]
            if stat == "pooled":
                return num.sum(axis=1) / den[idx].sum(axis=1)
            return np.median(num / den[idx], axis=1)

    a = one_group(xa, da)
    with np.errstate(divide="ignore", invalid="ignore"):
        return a / one_group(xb, db)


def ratio_interval(
    num,
    den,
    *,
    stat: str = "pooled",
    rng: np.random.Generator,
    n_resamples: int = 2000,
    level: float = 0.95,
    batch_budget: int = 4_000_000,
) -> tuple[float, float, float]:
    """One group's median or pooled ``num / den`` and its percentile-bootstrap interval.

    The single-group counterpart of :func:`group_ratio` (same statistics, same resampling of
    units); returns ``(estimate, ci_low, ci_high)``. Resamples whose ratio is undefined are
    left out; the interval is NaN when the estimate is.

    Examples
    --------
    >>> estimate, low, high = ratio_interval([3.0, 1.0, 2.0, 2.0], [1.0, 1.0, 2.0, 4.0],
    ...                                      rng=np.random.default_rng(0), n_resamples=200)
    >>> estimate, bool(low <= estimate <= high)
    (1.0, True)
    """
    if stat not in _GROUP_STATS:
        raise ValueError(f"stat must be one of {list(_GROUP_STATS)}, got {stat!r}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError("pass rng=np.random.default_rng(seed): the bootstrap is random")
    n, d = _group_arrays(num, den, "a")
    if len(n) == 0:
        return (np.nan, np.nan, np.nan)
    estimate = _group_stat(n, d, stat)
    if np.isnan(estimate):
        return (estimate, np.nan, np.nan)
    low, high = percentile_interval(_group_draws(n, d, stat, rng, n_resamples, batch_budget),
                                    level=level)
    return (estimate, low, high)


# --------------------------------------------------------------------------------------------
# pooling independent samples


@dataclass(frozen=True)
class MetaAnalysis:
    """A random-effects pooled estimate over independent samples.

    ``estimate``, ``se``, ``ci_low``, ``ci_high``: the DerSimonian–Laird pooled value and its
    interval (normal); ``tau2``: the between-sample variance; ``i2``: the share of the spread
    that is between samples rather than sampling error; ``q``: Cochran's Q; ``pi_low``,
    ``pi_high``: the prediction interval for a new sample's value, ``estimate ± t(k − 2)
    sqrt(tau2 + se²)`` (NaN below three samples); ``k``: samples pooled.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    tau2: float
    i2: float
    q: float
    pi_low: float
    pi_high: float
    k: int
    level: float
    method: str = "DL"


def meta_analysis(estimates: Sequence[float], ses: Sequence[float], *,
                  level: float = 0.95, method: str = "DL") -> MetaAnalysis:
    """Pool estimates of independent samples with a random-effects model (DerSimonian–Laird).

    The method-of-moments estimate of the between-sample variance ``tau2`` (truncated at 0),
    inverse-variance weights ``1 / (se² + tau2)``, a normal interval for the pooled value and
    the prediction interval for a new sample. The formulas are written out here (a dozen lines,
    checked against a hand computation in the tests) because statsmodels' ``combine_effects``
    returned a negative ``tau2`` and NaN errors for perfectly homogeneous samples. Only
    independent samples may be pooled: repeated snapshots of the same accounts are one sample
    (pool them in one model, clustered by account, instead).

    ``method="HKSJ"`` keeps the pooled value and replaces its interval by the
    Hartung-Knapp-Sidik-Jonkman one with the usual safeguard against a too-short interval
    (Röver, Knapp and Friede, 2015): ``se² = max(q, 1) / sum w*`` with
    ``q = sum w* (y - pooled)² / (k - 1)``, and a t(k - 1) quantile. With a handful of
    heterogeneous samples the normal DerSimonian-Laird interval is known to under-cover
    (IntHout, Ioannidis and Borm, 2014); notebook 05 measures both at the real configuration.

    Examples
    --------
    >>> meta = meta_analysis([1.01, 0.90, 0.50], [0.013, 0.05, 0.10])
    >>> round(meta.estimate, 3), round(meta.i2, 2), meta.k
    (0.829, 0.93, 3)
    >>> meta.pi_low < meta.ci_low < meta.estimate < meta.ci_high < meta.pi_high
    True
    >>> wide = meta_analysis([1.01, 0.90, 0.50], [0.013, 0.05, 0.10], method="HKSJ")
    >>> wide.estimate == meta.estimate, wide.ci_high - wide.ci_low > meta.ci_high - meta.ci_low
    (True, True)
    """
    if method not in ("DL", "HKSJ"):
        raise ValueError(f"method must be 'DL' or 'HKSJ', got {method!r}")
    y = np.asarray(estimates, dtype=float)
    se = np.asarray(ses, dtype=float)
    if y.shape != se.shape or y.ndim != 1:
        raise ValueError(f"estimates and ses must be 1-d and of equal length, got {y.shape} "
                         f"and {se.shape}")
    if len(y) < 2:
        raise InsufficientDataError(f"{len(y)} samples; pooling needs at least 2")
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(se)) and np.all(se > 0)):
        raise ValueError("every estimate must be finite and every standard error positive")
    k = len(y)
    w = 1.0 / se**2
    fixed = float((w * y).sum() / w.sum())
    q = float((w * (y - fixed) ** 2).sum())
    c = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (q - (k - 1)) / c)
    i2 = max(0.0, (q - (k - 1)) / q) if q > 0 else 0.0
    w_star = 1.0 / (se**2 + tau2)
    pooled = float((w_star * y).sum() / w_star.sum())
    pooled_se = float(math.sqrt(1.0 / w_star.sum()))
    z = float(sps.norm.ppf(0.5 + level / 2))
    if k >= 3:
        half = float(sps.t.ppf(0.5 + level / 2, k - 2)) * math.sqrt(tau2 + pooled_se**2)
        pi = (pooled - half, pooled + half)
    else:
        pi = (math.nan, math.nan)
    if method == "HKSJ":
        spread = float((w_star * (y - pooled) ** 2).sum() / (k - 1))
        pooled_se = float(math.sqrt(max(spread, 1.0) / w_star.sum()))
        z = float(sps.t.ppf(0.5 + level / 2, k - 1))
    return MetaAnalysis(pooled, pooled_se, pooled - z * pooled_se, pooled + z * pooled_se,
                        tau2, i2, q, pi[0], pi[1], k, level, method)


# --------------------------------------------------------------------------------------------
# the local elasticity curve


@dataclass(frozen=True)
class ElasticityCurve:
    """The local elasticity along ``x``, with pointwise and simultaneous bands.

    ``table`` has one row per grid point: ``x``, ``elasticity``, ``se``, ``ci_low``,
    ``ci_high`` (pointwise) and ``band_low``, ``band_high`` (simultaneous: the whole curve lies
    inside with probability ``level``). A statement about a range of ``x`` needs the
    simultaneous band.
    """

    table: pd.DataFrame
    critical: float
    df: int
    n: int
    n_clusters: int | None
    method: str
    level: float


def local_elasticity(
    frame: pd.DataFrame,
    *,
    y: str,
    x: str = "followers",
    controls: Sequence[str] = (),
    cluster: str | None = None,
    df: int = 4,
    n_grid: int = 60,
    level: float = 0.95,
    rng: np.random.Generator,
    n_draws: int = 20_000,
) -> ElasticityCurve:
    """A smooth elasticity curve: log-OLS of ``log(y)`` on a natural cubic spline of ``log(x)``.

    The spline (patsy's ``cr``, ``df`` degrees of freedom, knots at quantiles of ``log(x)``)
    replaces decade-by-decade slopes: its derivative is the local elasticity of the typical
    post at every follower count, with cluster-robust (or HC3) errors. The simultaneous band
    uses the sup-t critical value, the ``level`` quantile of the largest ``|t|`` along the grid
    under the estimated covariance, drawn with ``rng``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = 10 ** rng.uniform(3, 7, 3000)
    >>> y = np.exp(0.9 * np.log(f) + rng.normal(0, 0.5, 3000))
    >>> curve = local_elasticity(pd.DataFrame({"y": y, "followers": f}), y="y",
    ...                          rng=np.random.default_rng(1))
    >>> bool(((curve.table["band_low"] < 0.9) & (0.9 < curve.table["band_high"])).all())
    True
    >>> curve.critical > 1.96
    True
    """
    import patsy

    if df < 3:
        raise ValueError(f"df must be at least 3, got {df}")
    design = _design(frame, y=y, x=x, controls=controls, cluster=cluster, extra_columns=df)
    log_x = design.log_x
    basis = patsy.dmatrix(f"cr(lx, df={df}) - 1", {"lx": log_x}, return_type="matrix")
    info = basis.design_info
    X = np.column_stack([np.ones(len(log_x)), np.asarray(basis)[:, 1:],
                         design.X[:, 2:]])  # intercept, spline (one column absorbed), controls
    result, t_df = _ols(design, X, cluster=cluster, cov="HC3")
    params = np.asarray(result.params)
    cov = np.asarray(result.cov_params())
    grid = np.linspace(log_x.min(), log_x.max(), n_grid)
    h = 1e-4 * (log_x.max() - log_x.min())
    lo = np.clip(grid - h, log_x.min(), log_x.max())
    hi = np.clip(grid + h, log_x.min(), log_x.max())
    (b_lo,) = patsy.build_design_matrices([info], {"lx": lo})
    (b_hi,) = patsy.build_design_matrices([info], {"lx": hi})
    k = np.asarray(b_hi).shape[1] - 1
    derivative = np.zeros((n_grid, X.shape[1]))
    step = (hi - lo)[:, None]
    derivative[:, 1:1 + k] = (np.asarray(b_hi)[:, 1:] - np.asarray(b_lo)[:, 1:]) / step
    slope = derivative @ params
    slope_cov = derivative @ cov @ derivative.T
    se = np.sqrt(np.clip(np.diag(slope_cov), 0, None))
    t_point = t_quantile(level, t_df)
    draws = rng.multivariate_normal(np.zeros(n_grid), slope_cov, size=n_draws,
                                    method="eigh", check_valid="ignore")
    with np.errstate(divide="ignore", invalid="ignore"):
        sup = np.nanmax(np.abs(draws) / np.where(se > 0, se, np.nan), axis=1)
    critical = float(np.quantile(sup, level))
    table = pd.DataFrame({
        "x": np.exp(grid), "elasticity": slope, "se": se,
        "ci_low": slope - t_point * se, "ci_high": slope + t_point * se,
        "band_low": slope - critical * se, "band_high": slope + critical * se,
    })
    errors = (f"errors clustered by {cluster} ({design.n_clusters})" if cluster is not None
              else "HC3 errors")
    method = (f"OLS of log({y}) on a natural cubic spline of log({x}) (df {df})"
              + (f", controls {', '.join(controls)}" if controls else "")
              + f"; {errors}; simultaneous band by sup-t ({n_draws} draws)")
    return ElasticityCurve(table, critical, df, len(design.y), design.n_clusters, method, level)


# --------------------------------------------------------------------------------------------
# groups compared at equal size (moderators, strata, memberships)


@dataclass(frozen=True)
class GroupContrasts:
    """Groups compared at equal follower count, from one model with a level per group.

    ``table`` has one row per group: ``group, n, ratio, ratio_low, ratio_high`` (the group's
    engagement relative to the reference group at ``at`` followers: a ratio of geometric means
    for the typical estimand, of means for the expected one) and ``slope, slope_low,
    slope_high`` (the group's own elasticity when slopes were allowed to differ, else the
    common one). ``wald_p`` tests that all groups have equal slopes (``tested="equal
    slopes"``) or equal levels (``"equal levels"``). ``n_zero`` counts the rows a log model
    left out for a zero outcome.
    """

    table: pd.DataFrame
    wald_p: float
    tested: str
    at: float
    reference: str
    method: str
    n: int
    n_zero: int = 0


def group_contrasts(
    frame: pd.DataFrame,
    *,
    y: str,
    group: str,
    x: str = "followers",
    reference: str | None = None,
    interaction: bool = False,
    estimand: str = "typical",
    controls: Sequence[str] = (),
    cluster: str | None = None,
    at: float | None = None,
    min_size: int = 0,
    other: str = "other",
    level: float = 0.95,
) -> GroupContrasts:
    """Compare groups (categories, topics, memberships) at equal follower count.

    Fits ``log(y)`` by OLS (``estimand="typical"``; rows with ``y = 0`` are left out) or
    ``E[y]`` by PPML (``"expected"``; zeros kept) on ``log(x / at)``, the controls (centred),
    one dummy per group other than the reference and, with ``interaction=True``, each dummy
    times ``log(x / at)``. The dummy of a group is then its log level relative to the reference
    *at* ``at`` followers; its slope is the common slope plus its interaction.

    Parameters
    ----------
    frame : DataFrame
    y, x : str
        Outcome and size columns.
    group : str
        The grouping column; rows without a group are left out.
    reference : str, optional
        Reference group; default the largest.
    interaction : bool
        Let each group have its own slope (a moderator test) and test that the slopes are equal.
    estimand : {"typical", "expected"}
    controls : sequence of str
    cluster : str, optional
        Cluster-robust errors by this column (t(G - 1) intervals); otherwise HC3 for OLS and
        HC1 for PPML (t(n - k)).
    at : float, optional
        Follower count at which levels are compared; default the sample's geometric median.
    min_size : int
        Groups with fewer rows are pooled into ``other`` before fitting.
    level : float

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = 10 ** rng.uniform(3, 6, 400)
    >>> g = np.where(np.arange(400) % 2 == 0, "a", "b")
    >>> y = np.where(g == "a", 2.0, 1.0) * f ** 0.8 * np.exp(rng.normal(0, 0.1, 400))
    >>> out = group_contrasts(pd.DataFrame({"y": y, "followers": f, "g": g}), y="y", group="g",
    ...                       reference="b")
    >>> round(float(out.table.set_index("group").loc["a", "ratio"]), 1)
    2.0
    """
    if estimand not in ("typical", "expected"):
        raise ValueError(f"estimand must be 'typical' or 'expected', got {estimand!r}")
    for column in (y, x, group, *controls, *([cluster] if cluster else [])):
        if column not in frame.columns:
            raise KeyError(f"column {column!r} not in the table; columns are "
                           f"{list(frame.columns)}")
    yv, xv = _numeric(frame, y), _numeric(frame, x)
    with np.errstate(invalid="ignore"):
        keep = np.isfinite(xv) & (xv > 0) & np.isfinite(yv) & (yv >= 0)
    keep &= frame[group].notna().to_numpy()
    control_values = [_numeric(frame, c) for c in controls]
    for values in control_values:
        keep &= np.isfinite(values)
    if cluster is not None:
        keep &= frame[cluster].notna().to_numpy()
    n_zero = 0
    if estimand == "typical":  # zero cannot be logged: count the rows lost only for that
        n_zero = int((keep & (yv == 0)).sum())
        keep &= yv > 0
    labels = frame.loc[keep, group].astype(str)
    sizes = labels.value_counts()
    small = sizes.index[sizes < min_size]
    if len(small):
        labels = labels.where(~labels.isin(small), other)
        sizes = labels.value_counts()
    if reference is None:
        reference = str(sizes.sort_values(ascending=False, kind="stable").index[0])
    if reference not in sizes.index:
        raise ValueError(f"reference group {reference!r} has no usable rows; groups are "
                         f"{sorted(sizes.index)}")
    others = sorted(g for g in sizes.index if g != reference)
    if not others:
        raise InsufficientDataError(f"only one group ({reference!r}) has usable rows")
    log_x = np.log(xv[keep])
    at = float(np.exp(np.median(log_x))) if at is None else float(at)
    z = log_x - math.log(at)
    n = int(keep.sum())
    columns = {"const": np.ones(n), "slope": z}
    for name, values in zip(controls, control_values, strict=True):
        kept = values[keep]
        columns[name] = kept - kept.mean()
    label_values = labels.to_numpy()
    for g in others:
        columns[f"level:{g}"] = (label_values == g).astype(float)
    if interaction:
        for g in others:
            columns[f"slope:{g}"] = columns[f"level:{g}"] * z
    X = pd.DataFrame(columns)
    if n <= X.shape[1] + 1:
        raise InsufficientDataError(f"{n} usable rows for {X.shape[1]} parameters")
    groups = pd.factorize(frame.loc[keep, cluster])[0] if cluster is not None else None
    if estimand == "typical":
        model = OLS(np.log(yv[keep]), X)
        cov = "HC3"
    else:
        scale = float(yv[keep].mean())
        if scale == 0:
            raise InsufficientDataError(f"every usable {y!r} is 0; there is no mean to model")
        model = GLM(yv[keep] / scale, X, family=families.Poisson())
        cov = "HC1"
    if groups is not None:
        result = model.fit(cov_type="cluster", cov_kwds={"groups": groups})
        df = float(len(np.unique(groups)) - 1)
        errors = f"errors clustered by {cluster} ({int(df) + 1})"
    else:
        result = model.fit(cov_type=cov)
        df = float(result.df_resid)
        errors = f"{cov} errors"
    params, covariance = result.params, result.cov_params()
    t = t_quantile(level, df)
    rows = []
    for g in [reference, *others]:
        if g == reference:
            ratio, r_low, r_high = 1.0, np.nan, np.nan
            slope_var, slope = covariance.loc["slope", "slope"], params["slope"]
        else:
            b, se = params[f"level:{g}"], math.sqrt(covariance.loc[f"level:{g}", f"level:{g}"])
            ratio, r_low, r_high = math.exp(b), math.exp(b - t * se), math.exp(b + t * se)
            if interaction:
                key = f"slope:{g}"
                slope = params["slope"] + params[key]
                slope_var = (covariance.loc["slope", "slope"] + covariance.loc[key, key]
                             + 2 * covariance.loc["slope", key])
            else:
                slope_var, slope = covariance.loc["slope", "slope"], params["slope"]
        half = t * math.sqrt(slope_var)
        rows.append({"group": g, "n": int(sizes[g]), "ratio": ratio, "ratio_low": r_low,
                     "ratio_high": r_high, "slope": float(slope),
                     "slope_low": float(slope - half), "slope_high": float(slope + half)})
    tested_terms = [f"{'slope' if interaction else 'level'}:{g}" for g in others]
    restriction = np.zeros((len(tested_terms), X.shape[1]))
    for row, term in enumerate(tested_terms):
        restriction[row, X.columns.get_loc(term)] = 1.0
    wald = result.wald_test(restriction, use_f=estimand == "typical", scalar=True)
    what = "log-OLS" if estimand == "typical" else "PPML"
    method = (f"{what} of {y} on log({x}/{at:,.0f}), {group} levels"
              + (" and slopes" if interaction else "") + f"; {errors}")
    return GroupContrasts(pd.DataFrame(rows), float(wald.pvalue),
                          "equal slopes" if interaction else "equal levels", at, reference,
                          method, n, n_zero)


# --------------------------------------------------------------------------------------------
# empirical-Bayes shrinkage of unit means


@dataclass(frozen=True)
class Shrinkage:
    """Unit means shrunk toward their common level, with intervals (:func:`shrink_means`).

    ``table`` has one row per unit (in order of first appearance): ``unit``, ``n`` (values),
    ``mean`` (the raw mean), ``shrunk``, ``ci_low``, ``ci_high`` and ``weight`` (the share of
    the unit's own data in its shrunk value, 1 - B). ``prior`` is the common level (geometric,
    on the values' scale), ``tau`` the spread of the units' true levels (SD of their logs),
    ``cv`` the pooled coefficient of variation of one value within a unit.
    """

    table: pd.DataFrame
    prior: float
    tau: float
    cv: float
    k: int
    level: float


def shrink_means(values: Sequence[float] | np.ndarray, units: Sequence | np.ndarray, *,
                 level: float = 0.95) -> Shrinkage:
    """Empirical-Bayes shrinkage of each unit's mean of non-negative values, on the log scale.

    Made for "how does this creator perform relative to expectation": ``values`` are a
    post's engagements divided by what the fitted model expects for its creator (1 = as
    expected; zeros kept), ``units`` the creators. A creator with six posts and one lucky hit
    should not top a ranking; shrinkage pulls each mean toward the common level by how little
    data it rests on.

    Model (normal-normal on the log scale, Morris 1983): the log of a unit's mean is its true
    log level plus noise of variance ``cv² / n``, where ``cv`` is the within-unit coefficient
    of variation pooled over units with two or more values (degrees of freedom ``n - 1``);
    its bias ``-cv² / 2n`` (the log of a mean of few skewed values sits below the log of the
    true mean) is added back. True log levels are normal around ``mu`` with variance
    ``tau²`` (method of moments, DerSimonian-Laird). Shrinkage uses Morris's corrected factor
    ``B = (k-3)/(k-1) · s²/(s² + tau²)`` and his variance, which adds the uncertainty of
    ``mu`` and ``tau²`` (so intervals do not collapse when ``tau²`` is estimated as 0). The
    interval is normal on the log scale, exponentiated. A unit whose values are all 0 enters
    at half the smallest positive unit mean.

    The intervals' coverage is an *average over units* (the empirical-Bayes guarantee): measured
    by simulation in ``tests/test_stats_shrinkage.py`` and stated in ``docs/analysis-plan.md``.

    Parameters
    ----------
    values : array-like
        Non-negative values (posts' relative performance).
    units : array-like
        The unit of each value (creator).
    level : float
        Confidence level of the intervals.

    Raises
    ------
    ValueError
        Negative or non-finite values, or lengths that differ.
    InsufficientDataError
        Fewer than 4 units, no unit with two or more values, or no positive mean.

    Examples
    --------
    >>> values = [1, 1.2, 0.8, 3, 2.5, 3.5, 0.5, 0.6, 0.4, 1, 1, 1, 9]
    >>> units = list("aaabbbcccdddx")
    >>> out = shrink_means(values, units).table.set_index("unit")
    >>> float(out.loc["x", "mean"]), bool(out.loc["x", "shrunk"] < 9)
    (9.0, True)
    """
    x = np.asarray(values, dtype=float)
    u = np.asarray(units)
    if x.shape != u.shape or x.ndim != 1:
        raise ValueError(f"values and units must be 1-d and of equal length, got {x.shape} and "
                         f"{u.shape}")
    bad = ~np.isfinite(x) | (x < 0)
    if bad.any():
        rows = np.flatnonzero(bad)[:5].tolist()
        raise ValueError(f"values must be finite and non-negative; rows {rows} hold "
                         f"{x[bad][:5].tolist()}")
    frame = pd.DataFrame({"unit": u, "value": x})
    groups = frame.groupby("unit", sort=False)["value"]
    return shrink_unit_means(groups.size().index.to_numpy(), groups.size().to_numpy(),
                             groups.mean().to_numpy(), groups.var(ddof=1).to_numpy(),
                             level=level)


def shrink_unit_means(units: np.ndarray, n: np.ndarray, mean: np.ndarray, var: np.ndarray, *,
                      level: float = 0.95) -> Shrinkage:
    """:func:`shrink_means` from each unit's count, mean and variance (``ddof=1``; NaN for a
    unit with one value): what a table too large for memory gives from a group-by per unit.

    Examples
    --------
    >>> out = shrink_unit_means(np.array(list("abcde")), np.array([3, 3, 3, 3, 1]),
    ...                         np.array([1.0, 3.0, 0.5, 1.0, 9.0]),
    ...                         np.array([0.04, 0.25, 0.01, 0.0, np.nan]))
    >>> out.k, bool(out.table.set_index("unit").loc["e", "shrunk"] < 9)
    (5, True)
    """
    n = np.asarray(n)
    mean = np.asarray(mean, dtype=float)
    var = np.asarray(var, dtype=float)
    k = len(n)
    usable = (n > 1) & (mean > 0)
    if k < 4:
        raise InsufficientDataError(f"{k} units; shrinkage needs at least 4")
    if not usable.any():
        raise InsufficientDataError("no unit has two or more values with a positive mean, so "
                                    "the spread within a unit cannot be measured")
    df = (n - 1)[usable]
    cv2 = float(np.sum(df * (np.sqrt(var[usable]) / mean[usable]) ** 2) / df.sum())
    floor = max(0.5 * mean[mean > 0].min(), np.finfo(float).tiny)
    s2 = np.maximum(cv2, 1e-12) / n
    log_mean = np.log(np.maximum(mean, floor)) + s2 / 2
    weights = 1.0 / s2
    mu = float(np.sum(weights * log_mean) / weights.sum())
    q = float(np.sum(weights * (log_mean - mu) ** 2))
    c = float(weights.sum() - (weights**2).sum() / weights.sum())
    tau2 = max(0.0, (q - (k - 1)) / c)
    w_star = 1.0 / (s2 + tau2)
    mu = float(np.sum(w_star * log_mean) / w_star.sum())
    b = (k - 3) / (k - 1) * s2 / (s2 + tau2)
    centre = mu + (1 - b) * (log_mean - mu)
    sd = np.sqrt(s2 * (1 - (k - 1) / k * b) + 2 / (k - 3) * b**2 * (log_mean - mu) ** 2)
    z = float(sps.norm.ppf(0.5 + level / 2))
    table = pd.DataFrame({
        "unit": np.asarray(units), "n": n, "mean": mean,
        "shrunk": np.exp(centre), "ci_low": np.exp(centre - z * sd),
        "ci_high": np.exp(centre + z * sd), "weight": 1 - b,
    })
    return Shrinkage(table, math.exp(mu), math.sqrt(tau2), math.sqrt(cv2), k, level)
