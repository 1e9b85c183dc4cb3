"""Fake-follower rules against a hand-labelled ground truth: precision, recall, ROC.

Vendors sell a "fake follower %" without saying how it is computed. With accounts labelled fake
or real by people (the ``accounts`` table, :mod:`insights.schemas`), transparent rules can be
scored instead. The rules and the score are the ones fixed in ``docs/analysis-plan.md``
(amendment 4) before they were run:

===========  ==============================================================================
``R1``       no profile picture
``R2``       following at least 10 × followers (an account following nobody is never flagged)
``R3``       fewer than 5 posts
``R4``       R2 and R3
``R5``       any two of R1–R3
``R6``       any of R1–R3
===========  ==============================================================================

Intervals: Wilson score intervals for precision, recall and the flagged share
(``statsmodels.stats.proportion.proportion_confint``, a well-kept implementation, rather than a
hand-written one; it keeps near-nominal coverage at the small counts of fake accounts, where the
Wald interval does not), and DeLong's interval for the area under the ROC curve, computed from
midranks (:func:`scipy.stats.rankdata`). The tests check the coverage of both by simulation at
the sample sizes of the SRF file.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sstats
from statsmodels.stats.proportion import proportion_confint

__all__ = ["RULES", "REQUIRED", "flag", "score", "wilson", "rule_metrics", "roc_curve", "AUC",
           "auc"]

#: Rule id -> what it flags (``docs/analysis-plan.md``, amendment 4).
RULES = {
    "R1": "no profile picture",
    "R2": "following >= 10 x followers",
    "R3": "fewer than 5 posts",
    "R4": "R2 and R3",
    "R5": "any two of R1-R3",
    "R6": "any of R1-R3",
}

#: Columns the rules read.
REQUIRED = ("followers", "following", "posts", "has_profile_picture")


def _check(accounts: pd.DataFrame, columns=REQUIRED) -> None:
    missing = [c for c in columns if c not in accounts.columns]
    if missing:
        raise KeyError(f"accounts table lacks {missing}; columns are {list(accounts.columns)}")
    for column in columns:
        values = accounts[column]
        bad = values.isna().to_numpy(copy=True)
        if column != "has_profile_picture":
            bad |= ~(pd.to_numeric(values, errors="coerce") >= 0).to_numpy()
        if bad.any():
            rows = np.flatnonzero(bad)[:10].tolist()
            raise ValueError(f"column {column!r}: missing or negative values in rows {rows}: "
                             f"{values.iloc[rows].tolist()}")


def flag(accounts: pd.DataFrame) -> pd.DataFrame:
    """Which rule flags which account: one boolean column per rule of :data:`RULES`.

    Examples
    --------
    >>> accounts = pd.DataFrame({"followers": [10, 500, 0], "following": [2000, 300, 0],
    ...                          "posts": [0, 40, 2], "has_profile_picture": [False, True, True]})
    >>> flag(accounts).astype(int).to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'R1': [1, 0, 0], 'R2': [1, 0, 0], 'R3': [1, 0, 1], 'R4': [1, 0, 0], 'R5': [1, 0, 0],
     'R6': [1, 0, 1]}
    """
    _check(accounts)
    followers = accounts["followers"].to_numpy(dtype=float)
    following = accounts["following"].to_numpy(dtype=float)
    r1 = ~accounts["has_profile_picture"].to_numpy(dtype=bool)
    r2 = (following > 0) & (following >= 10 * followers)
    r3 = accounts["posts"].to_numpy(dtype=float) < 5
    hits = r1.astype(int) + r2 + r3
    return pd.DataFrame({"R1": r1, "R2": r2, "R3": r3, "R4": r2 & r3, "R5": hits >= 2,
                         "R6": hits >= 1}, index=accounts.index)


def score(accounts: pd.DataFrame) -> pd.Series:
    """The declared fake-follower score (higher = more likely fake).

    ``log10((following + 1) / (followers + 1)) − log10(posts + 1) + 1[no profile picture]``.

    Examples
    --------
    >>> accounts = pd.DataFrame({"followers": [9], "following": [999], "posts": [0],
    ...                          "has_profile_picture": [False]})
    >>> float(score(accounts).iloc[0])
    3.0
    """
    _check(accounts)
    followers = accounts["followers"].to_numpy(dtype=float)
    following = accounts["following"].to_numpy(dtype=float)
    posts = accounts["posts"].to_numpy(dtype=float)
    no_picture = ~accounts["has_profile_picture"].to_numpy(dtype=bool)
    value = np.log10((following + 1) / (followers + 1)) - np.log10(posts + 1) + no_picture
    return pd.Series(value, index=accounts.index, name="score")


def wilson(successes, n, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval(s) for ``successes`` out of ``n`` (arrays allowed).

    ``n == 0`` gives NaN bounds.

    Examples
    --------
    >>> low, high = wilson(179, 2676)
    >>> round(float(low), 4), round(float(high), 4)
    (0.058, 0.077)
    """
    successes = np.asarray(successes, dtype=float)
    n = np.asarray(n, dtype=float)
    if np.any(successes < 0) or np.any(successes > n):
        raise ValueError(f"successes must lie in 0..n; got {successes} of {n}")
    safe = np.where(n > 0, n, 1.0)
    low, high = proportion_confint(successes, safe, alpha=1 - level, method="wilson")
    # exact at the edges (the formula gives 0 and 1 there, up to rounding)
    low = np.where(successes == 0, 0.0, np.clip(low, 0.0, 1.0))
    high = np.where(successes == n, 1.0, np.clip(high, 0.0, 1.0))
    return np.where(n > 0, low, np.nan), np.where(n > 0, high, np.nan)


def rule_metrics(labels: pd.Series, flags: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Precision, recall and flagged share of each rule, with Wilson intervals.

    Parameters
    ----------
    labels : bool Series
        True for an account labelled fake (the ground truth); no missing values.
    flags : DataFrame
        One boolean column per rule (:func:`flag`), aligned with ``labels``.
    level : float

    Returns
    -------
    DataFrame
        One row per rule: ``rule, flags, flagged, true_positives, precision, precision_low,
        precision_high, recall, recall_low, recall_high, flagged_share, share_low,
        share_high, labelled_share``. Precision is NaN when a rule flags nothing.

    Examples
    --------
    >>> labels = pd.Series([True, True, False, False])
    >>> flags = pd.DataFrame({"R": [True, False, True, False]})
    >>> rule_metrics(labels, flags)[["precision", "recall", "flagged_share"]].values.tolist()
    [[0.5, 0.5, 0.5]]
    """
    if labels.isna().any():
        rows = np.flatnonzero(labels.isna().to_numpy())[:10].tolist()
        raise ValueError(f"labels: missing values in rows {rows}")
    if not labels.index.equals(flags.index):
        raise ValueError("labels and flags must share their index")
    truth = labels.to_numpy(dtype=bool)
    rows = []
    for rule in flags.columns:
        flagged = flags[rule].to_numpy(dtype=bool)
        tp = int((flagged & truth).sum())
        n_flagged, n_fake, n = int(flagged.sum()), int(truth.sum()), len(truth)
        p_low, p_high = wilson(tp, n_flagged, level)
        r_low, r_high = wilson(tp, n_fake, level)
        s_low, s_high = wilson(n_flagged, n, level)
        rows.append({
            "rule": rule, "flags": RULES.get(rule, rule), "flagged": n_flagged,
            "true_positives": tp,
            "precision": tp / n_flagged if n_flagged else np.nan,
            "precision_low": float(p_low), "precision_high": float(p_high),
            "recall": tp / n_fake if n_fake else np.nan,
            "recall_low": float(r_low), "recall_high": float(r_high),
            "flagged_share": n_flagged / n if n else np.nan,
            "share_low": float(s_low), "share_high": float(s_high),
            "labelled_share": n_fake / n if n else np.nan,
        })
    return pd.DataFrame(rows)


def roc_curve(values: pd.Series | np.ndarray, labels: pd.Series | np.ndarray) -> pd.DataFrame:
    """The ROC curve of a score: false and true positive rates at every distinct threshold.

    Returns
    -------
    DataFrame
        ``threshold, fpr, tpr``, from (0, 0) at threshold +inf to (1, 1); an account is
        flagged when its score is at least the threshold.

    Examples
    --------
    >>> roc_curve([0.9, 0.8, 0.3, 0.1], [True, False, True, False]).values.tolist()
    [[inf, 0.0, 0.0], [0.9, 0.0, 0.5], [0.8, 0.5, 0.5], [0.3, 0.5, 1.0], [0.1, 1.0, 1.0]]
    """
    values = np.asarray(values, dtype=float)
    truth = np.asarray(labels, dtype=bool)
    if values.shape != truth.shape or not np.isfinite(values).all():
        raise ValueError("score and labels must have the same length and finite scores")
    if truth.all() or not truth.any():
        raise ValueError("a ROC curve needs both fake and real accounts")
    order = np.argsort(-values, kind="stable")
    sorted_values, sorted_truth = values[order], truth[order]
    last = np.r_[np.flatnonzero(np.diff(sorted_values)), len(values) - 1]  # end of each tie run
    tp = np.cumsum(sorted_truth)[last]
    fp = np.cumsum(~sorted_truth)[last]
    return pd.DataFrame({"threshold": np.r_[np.inf, sorted_values[last]],
                         "fpr": np.r_[0.0, fp / (~truth).sum()],
                         "tpr": np.r_[0.0, tp / truth.sum()]})


@dataclass(frozen=True)
class AUC:
    """Area under the ROC curve with its DeLong standard error and interval."""

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    n_positive: int
    n_negative: int


def auc(values: pd.Series | np.ndarray, labels: pd.Series | np.ndarray, *,
        level: float = 0.95) -> AUC:
    """The AUC of a score (the probability that a fake account outscores a real one, ties
    counted half) with DeLong's variance and a Wald interval clipped to [0, 1].

    Examples
    --------
    >>> result = auc([0.9, 0.8, 0.3, 0.1], [True, False, True, False])
    >>> result.estimate
    0.75
    """
    values = np.asarray(values, dtype=float)
    truth = np.asarray(labels, dtype=bool)
    if values.shape != truth.shape or not np.isfinite(values).all():
        raise ValueError("score and labels must have the same length and finite scores")
    m, n = int(truth.sum()), int((~truth).sum())
    if m < 2 or n < 2:
        raise ValueError(f"DeLong's interval needs at least 2 fake and 2 real accounts; got "
                         f"{m} and {n}")
    x, y = values[truth], values[~truth]
    ranks_all = sstats.rankdata(values)
    ranks_x, ranks_y = sstats.rankdata(x), sstats.rankdata(y)
    estimate = (ranks_all[truth].sum() - m * (m + 1) / 2) / (m * n)
    v10 = (ranks_all[truth] - ranks_x) / n  # per fake: share of real accounts it outscores
    v01 = 1 - (ranks_all[~truth] - ranks_y) / m  # per real: share of fakes that outscore it
    se = float(np.sqrt(np.var(v10, ddof=1) / m + np.var(v01, ddof=1) / n))
    z = sstats.norm.ppf(0.5 + level / 2)
    return AUC(float(estimate), se, float(max(0.0, estimate - z * se)),
               float(min(1.0, estimate + z * se)), m, n)
