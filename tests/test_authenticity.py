"""Tests for insights.authenticity: fake-follower rules, their metrics, ROC and AUC."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from scipy import stats as sstats

from insights import authenticity


def _accounts():
    return pd.DataFrame({
        "followers": [10, 500, 0, 40, 3],
        "following": [2000, 300, 0, 400, 10],
        "posts": [0, 40, 2, 4, 100],
        "has_profile_picture": pd.array([False, True, True, True, False], dtype="boolean"),
    })


def test_flag_known_answers():
    result = authenticity.flag(_accounts())
    expected = pd.DataFrame({
        "R1": [True, False, False, False, True],
        "R2": [True, False, False, True, False],   # 400 >= 10 x 40; 0 following never flagged
        "R3": [True, False, True, True, False],
        "R4": [True, False, False, True, False],
        "R5": [True, False, False, True, False],
        "R6": [True, False, True, True, True],
    })
    assert_frame_equal(result, expected)


def test_score_known_answers():
    result = authenticity.score(_accounts())
    expected = pd.Series([np.log10(2001 / 11) - 0 + 1, np.log10(301 / 501) - np.log10(41),
                          0 - np.log10(3), np.log10(401 / 41) - np.log10(5),
                          np.log10(11 / 4) - np.log10(101) + 1], name="score")
    pd.testing.assert_series_equal(result, expected)


def test_bad_input_names_column_rows_and_values():
    accounts = _accounts().astype({"following": float})
    accounts.loc[[1, 3], "following"] = [-1, np.nan]
    with pytest.raises(ValueError, match=r"column 'following': missing or negative values in "
                                         r"rows \[1, 3\]: \[-1.0, nan\]"):
        authenticity.flag(accounts)
    with pytest.raises(KeyError, match=r"lacks \['posts'\]"):
        authenticity.score(_accounts().drop(columns="posts"))


def test_rule_metrics_known_answers():
    labels = pd.Series([True, True, True, False, False, False, False, False])
    flags = pd.DataFrame({"R1": [True, True, False, True, False, False, False, False],
                          "R2": [False] * 8})
    result = authenticity.rule_metrics(labels, flags).set_index("rule")
    assert result.loc["R1", "precision"] == pytest.approx(2 / 3)
    assert result.loc["R1", "recall"] == pytest.approx(2 / 3)
    assert result.loc["R1", "flagged_share"] == pytest.approx(3 / 8)
    assert result.loc["R1", "labelled_share"] == pytest.approx(3 / 8)
    assert result.loc["R1", "flags"] == "no profile picture"
    # Wilson 2 of 3 at 95%, by its formula
    z = sstats.norm.ppf(0.975)
    p, n = 2 / 3, 3
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z / (1 + z**2 / n) * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert result.loc["R1", "precision_low"] == pytest.approx(centre - half)
    assert result.loc["R1", "precision_high"] == pytest.approx(centre + half)
    assert np.isnan(result.loc["R2", "precision"]) and result.loc["R2", "recall"] == 0


def test_rule_metrics_refuses_missing_labels():
    labels = pd.Series([True, None, False], dtype="boolean")
    with pytest.raises(ValueError, match=r"labels: missing values in rows \[1\]"):
        authenticity.rule_metrics(labels, pd.DataFrame({"R1": [True, False, True]}))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=60))
def test_rule_metrics_properties(pairs):
    labels = pd.Series([p[0] for p in pairs])
    flags = pd.DataFrame({"R": [p[1] for p in pairs]})
    row = authenticity.rule_metrics(labels, flags).iloc[0]
    for value, low, high in [("precision", "precision_low", "precision_high"),
                             ("recall", "recall_low", "recall_high"),
                             ("flagged_share", "share_low", "share_high")]:
        if np.isfinite(row[value]):
            assert 0 <= row[low] <= row[value] <= row[high] <= 1
    assert row["true_positives"] <= min(row["flagged"], labels.sum())


def test_roc_curve_known_answer_and_ties():
    curve = authenticity.roc_curve([0.5, 0.5, 0.2, 0.9], [True, False, False, True])
    assert curve.values.tolist() == [[np.inf, 0.0, 0.0], [0.9, 0.0, 0.5], [0.5, 0.5, 1.0],
                                     [0.2, 1.0, 1.0]]
    with pytest.raises(ValueError, match="both fake and real"):
        authenticity.roc_curve([0.1, 0.2], [True, True])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 5), st.booleans()), min_size=4, max_size=40)
       .filter(lambda p: 2 <= sum(b for _, b in p) <= len(p) - 2))
def test_auc_equals_the_area_under_the_curve_and_mann_whitney(pairs):
    values = np.array([v for v, _ in pairs], dtype=float)
    labels = np.array([b for _, b in pairs])
    result = authenticity.auc(values, labels)
    curve = authenticity.roc_curve(values, labels)
    trapezoid = float(np.trapezoid(curve["tpr"], curve["fpr"]))
    u = sstats.mannwhitneyu(values[labels], values[~labels]).statistic
    assert result.estimate == pytest.approx(trapezoid)
    assert result.estimate == pytest.approx(u / (labels.sum() * (~labels).sum()))
    assert 0 <= result.ci_low <= result.estimate <= result.ci_high <= 1


def test_auc_delong_variance_known_answer():
    """DeLong's variance by its definition (pairwise kernel), on a small example with ties."""
    x = np.array([3.0, 2.0, 2.0, 5.0])  # fakes
    y = np.array([1.0, 2.0, 0.5, 4.0, 2.5])  # reals
    kernel = (x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])
    v10, v01 = kernel.mean(axis=1), kernel.mean(axis=0)
    se = np.sqrt(v10.var(ddof=1) / 4 + v01.var(ddof=1) / 5)
    result = authenticity.auc(np.r_[x, y], np.r_[[True] * 4, [False] * 5])
    assert result.estimate == pytest.approx(kernel.mean())
    assert result.se == pytest.approx(se)


def test_wilson_coverage_at_the_srf_sizes():
    """Coverage of the Wilson interval by simulation, at the counts the notebook meets
    (98 fakes, about 100-200 flagged accounts, 975 accounts, 2,676 poll respondents)."""
    rng = np.random.default_rng(11)
    for n, p in [(98, 0.07), (98, 0.64), (121, 0.52), (180, 0.40), (975, 0.10), (2676, 0.067)]:
        draws = rng.binomial(n, p, size=20_000)
        low, high = authenticity.wilson(draws, n)
        coverage = np.mean((low <= p) & (p <= high))
        assert 0.93 <= coverage <= 0.975, (n, p, coverage)


def test_auc_delong_coverage_on_a_binormal_world():
    """Coverage of DeLong's interval at the SRF sizes (98 fakes, 877 reals), true AUC 0.90."""
    rng = np.random.default_rng(12)
    shift = np.sqrt(2) * sstats.norm.ppf(0.90)  # binormal AUC = Phi(shift / sqrt 2)
    labels = np.r_[np.ones(98, bool), np.zeros(877, bool)]
    hits = []
    for _ in range(600):
        values = np.r_[rng.normal(shift, 1, 98), rng.normal(0, 1, 877)]
        result = authenticity.auc(values, labels)
        hits.append(result.ci_low <= 0.90 <= result.ci_high)
    coverage = np.mean(hits)
    mc_se = np.sqrt(0.95 * 0.05 / len(hits))
    assert abs(coverage - 0.95) < 3 * mc_se, coverage
