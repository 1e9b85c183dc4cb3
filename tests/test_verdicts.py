"""Tests of insights.verdicts: ClaimResult, the verdict rule, results table, combining models."""

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from insights.verdicts import (
    VERDICTS,
    ClaimResult,
    combine_pricing_models,
    reread,
    results_table,
    verdict,
    verdict_for_interval,
    withhold,
)

COLUMNS = ["claim", "dataset", "estimand", "estimate", "ci_low", "ci_high", "n", "verdict",
           "design", "tost_p", "n_zero_dropped", "method", "notes"]
MIRROR = {"supported": "contradicted", "contradicted": "supported", "inconclusive": "inconclusive"}


def result_of(**overrides) -> ClaimResult:
    fields = dict(claim="C1", dataset="toy", estimate=0.8, ci_low=0.7, ci_high=0.9, n=50,
                  verdict="supported", method="OLS", notes=("a", "b"))
    return ClaimResult(**(fields | overrides))


# ---------------------------------------------------------------------------------------------
# ClaimResult and results_table
# ---------------------------------------------------------------------------------------------


def test_claim_result_is_frozen():
    result = result_of()
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.verdict = "contradicted"
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.estimate = 0.0


@pytest.mark.parametrize("verdict", ["Supported", "yes", "", "unknown"])
def test_claim_result_rejects_unknown_verdict(verdict):
    with pytest.raises(ValueError, match="verdict must be one of"):
        result_of(verdict=verdict)


@pytest.mark.parametrize("verdict", VERDICTS)
def test_claim_result_accepts_every_verdict_and_notes_default_empty(verdict):
    result = ClaimResult("C2", "toy", 0.1, 0.0, 0.2, 10, verdict, "m")
    assert result.verdict == verdict
    assert result.notes == ()


def test_results_table_columns_order_and_joined_notes():
    first = result_of(claim="C6", notes=("x",))
    second = result_of(claim="C1", estimate=1.2, ci_low=1.1, ci_high=1.3,
                       verdict="contradicted", notes=("a", "b", "c"))
    third = result_of(claim="C5", verdict="depends", notes=())
    result = results_table(iter([first, second, third]))
    expected = pd.DataFrame(
        {
            "claim": ["C6", "C1", "C5"],
            "dataset": ["toy", "toy", "toy"],
            "estimand": ["", "", ""],
            "estimate": [0.8, 1.2, 0.8],
            "ci_low": [0.7, 1.1, 0.7],
            "ci_high": [0.9, 1.3, 0.9],
            "n": [50, 50, 50],
            "verdict": ["supported", "contradicted", "depends"],
            "design": ["evidence"] * 3,
            "tost_p": [np.nan] * 3,
            "n_zero_dropped": [0, 0, 0],
            "method": ["OLS", "OLS", "OLS"],
            "notes": ["x", "a; b; c", ""],
        }
    )
    assert_frame_equal(result, expected, check_dtype=False)
    assert list(result.columns) == COLUMNS


def test_results_table_of_nothing_has_the_columns():
    result = results_table([])
    assert result.empty
    assert list(result.columns) == COLUMNS


# ---------------------------------------------------------------------------------------------
# verdict_for_interval
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ci_low", "ci_high", "line", "side", "expected"),
    [
        (0.80, 0.90, 1.0, "below", "supported"),
        (1.02, 1.10, 1.0, "below", "contradicted"),
        (0.95, 1.05, 1.0, "below", "inconclusive"),
        (0.80, 0.90, 1.0, "above", "contradicted"),
        (1.02, 1.10, 1.0, "above", "supported"),
        (0.95, 1.05, 1.0, "above", "inconclusive"),
        (-0.3, -0.1, 0.0, "below", "supported"),
        (0.1, 0.3, 0.0, "below", "contradicted"),
        (0.1, 0.3, 0.0, "above", "supported"),
        # the rule is strict: an interval that touches the line does not exclude it
        (0.80, 1.00, 1.0, "below", "inconclusive"),
        (1.00, 1.20, 1.0, "below", "inconclusive"),
        (0.80, 1.00, 1.0, "above", "inconclusive"),
        (1.00, 1.20, 1.0, "above", "inconclusive"),
        (1.00, 1.00, 1.0, "below", "inconclusive"),  # zero-width interval on the line
        (1.00, 1.00, 1.0, "above", "inconclusive"),
        # just off the line is enough
        (0.8, np.nextafter(1.0, 0.0), 1.0, "below", "supported"),
        (np.nextafter(1.0, 2.0), 1.2, 1.0, "below", "contradicted"),
        (0.9, 0.9, 1.0, "below", "supported"),  # zero-width interval off the line
    ],
)
def test_verdict_branches(ci_low, ci_high, line, side, expected):
    result = verdict_for_interval(ci_low, ci_high, line=line, claim_side=side)
    assert result == expected


@pytest.mark.parametrize("side", ["below", "above"])
@pytest.mark.parametrize(
    ("ci_low", "ci_high"),
    [(np.nan, 0.5), (0.5, np.nan), (np.nan, np.nan), (-np.inf, 0.5), (1.5, np.inf),
     (-np.inf, np.inf), (np.inf, np.inf)],
)
def test_verdict_non_finite_interval_is_inconclusive(ci_low, ci_high, side):
    assert verdict_for_interval(ci_low, ci_high, line=1.0, claim_side=side) == "inconclusive"


@pytest.mark.parametrize("side", ["Below", "under", "", None, "less"])
def test_verdict_bad_claim_side_raises(side):
    with pytest.raises(ValueError, match="claim_side"):
        verdict_for_interval(0.1, 0.2, line=1.0, claim_side=side)


def test_verdict_bad_claim_side_raises_even_for_nan_interval():
    with pytest.raises(ValueError, match="claim_side"):
        verdict_for_interval(np.nan, np.nan, line=1.0, claim_side="sideways")


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(deadline=None, max_examples=200)
@given(a=finite, b=finite, line=finite)
@example(a=0.8, b=1.0, line=1.0)
@example(a=1.0, b=1.0, line=1.0)
@example(a=-0.0, b=0.0, line=0.0)
def test_verdict_sides_are_mirror_images(a, b, line):
    low, high = min(a, b), max(a, b)
    below = verdict_for_interval(low, high, line=line, claim_side="below")
    above = verdict_for_interval(low, high, line=line, claim_side="above")
    # same interval, opposite claim: supported <-> contradicted
    assert below == MIRROR[above]
    # mirrored interval and line (negation is exact in floating point), opposite claim: same
    mirrored = verdict_for_interval(-high, -low, line=-line, claim_side="above")
    assert below == mirrored
    # and the rule itself
    assert (below == "supported") == (high < line)
    assert (below == "contradicted") == (low > line)
    assert (below == "inconclusive") == (low <= line <= high)


# ---------------------------------------------------------------------------------------------
# combine_pricing_models
# ---------------------------------------------------------------------------------------------


def test_combine_pricing_models_agreeing_models_keep_the_verdict_and_envelope():
    a = result_of(claim="C2", estimate=0.5, ci_low=0.4, ci_high=0.6, notes=("shared", "a"))
    b = result_of(claim="C2", estimate=0.7, ci_low=0.65, ci_high=0.9, notes=("shared",))
    result = combine_pricing_models({"m1": a, "m2": b})
    assert result.verdict == "supported"
    assert np.isnan(result.estimate)
    assert (result.ci_low, result.ci_high) == (0.4, 0.9)
    assert result.method.startswith("2 pricing models")
    expected_notes = ("m1: 0.5 (0.4 to 0.6), supported", "m2: 0.7 (0.65 to 0.9), supported",
                      "shared")
    assert result.notes == expected_notes


def test_combine_pricing_models_disagreeing_models_depend():
    a = result_of(verdict="supported")
    b = result_of(verdict="contradicted", estimate=1.5, ci_low=1.2, ci_high=1.8)
    result = combine_pricing_models({"m1": a, "m2": b}, claim="C4")
    assert (result.claim, result.verdict) == ("C4", "depends")


def test_combine_pricing_models_one_model_is_returned_as_it_is():
    a = result_of()
    assert combine_pricing_models({"only": a}) is a


def test_combine_pricing_models_non_finite_intervals_stay_nan():
    a = result_of(ci_low=np.nan, ci_high=np.nan, verdict="inconclusive")
    b = result_of(ci_low=np.nan, ci_high=np.nan, verdict="inconclusive")
    result = combine_pricing_models({"m1": a, "m2": b})
    assert np.isnan(result.ci_low) and np.isnan(result.ci_high)


def test_combine_pricing_models_refuses_nothing():
    with pytest.raises(ValueError, match="results is empty"):
        combine_pricing_models({})


def test_results_table_of_a_mapping_labels_the_rows():
    results = {"posts": result_of(), "creators": result_of(verdict="inconclusive")}
    table = results_table(results, label="level")
    assert table.columns[0] == "level"
    assert table["level"].tolist() == ["posts", "creators"]
    assert table["verdict"].tolist() == ["supported", "inconclusive"]
    pd.testing.assert_frame_equal(table.drop(columns="level"),
                                  results_table(list(results.values())))


# ---------------------------------------------------------------------------------------------
# verdict: design, equivalence, then the side of the line
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "tost", "design", "expected"),
    [
        (0.10, 0.16, np.nan, "not evidence", "not evidence"),
        (0.98, 1.02, 0.001, "not evidence", "not evidence"),
        (0.986, 1.038, 0.002, "evidence", "equivalent"),
        (0.97, 0.99, 0.01, "evidence", "equivalent"),  # below 1 but practically null
        (0.74, 0.92, 0.9, "evidence", "supported"),
        (1.02, 1.10, 0.3, "range-restricted", "contradicted"),
        (0.90, 1.10, 0.4, "evidence", "inconclusive"),
        (0.90, 1.10, np.nan, "evidence", "inconclusive"),
    ],
)
def test_verdict_known_answers(low, high, tost, design, expected):
    assert verdict(low, high, line=1.0, claim_side="below", tost_p=tost, design=design) == expected


def test_verdict_refuses_an_unknown_design():
    with pytest.raises(ValueError, match="design must be one of"):
        verdict(0.1, 0.2, line=1.0, claim_side="below", design="random")


@given(a=finite, b=finite, line=finite, tost=st.floats(0, 1))
def test_verdict_is_the_interval_rule_unless_equivalent(a, b, line, tost):
    low, high = min(a, b), max(a, b)
    result = verdict(low, high, line=line, claim_side="below", tost_p=tost)
    if tost < 0.05:
        assert result == "equivalent"
    else:
        assert result == verdict_for_interval(low, high, line=line, claim_side="below")


def test_claim_result_checks_design_and_estimand():
    with pytest.raises(ValueError, match="design must be one of"):
        result_of(design="random")
    with pytest.raises(ValueError, match="estimand must be one of"):
        result_of(estimand="median")
    assert result_of(estimand="expected", design="range-restricted").design == "range-restricted"


# ---------------------------------------------------------------------------------------------
# withhold and reread (docs/analysis-plan.md, amendment 12)


def _c1(verdict_, low=0.2, high=0.6, estimate=0.4, design="range-restricted"):
    return ClaimResult("C1", "toy", estimate, low, high, 900, verdict_, "PPML", ("n1",),
                       estimand="expected", design=design, margin=0.05, tost_p=0.8)


def test_withhold_known_answer():
    result = withhold(_c1("supported"), "its interval covered 89.2% in its check")
    expected = dataclasses.replace(_c1("supported"), verdict="inconclusive", notes=(
        "n1", "verdict withheld: its interval covered 89.2% in its check; the rule gives "
        "'supported' on this interval"))
    assert result == expected


@given(verdict_=st.sampled_from(VERDICTS), reason=st.text(min_size=1, max_size=30))
def test_withhold_never_claims_and_keeps_the_rest(verdict_, reason):
    original = _c1(verdict_)
    result = withhold(original, reason)
    assert result.verdict not in ("supported", "contradicted", "equivalent")
    if verdict_ in ("supported", "contradicted", "equivalent"):
        assert result.verdict == "inconclusive" and result.notes[:-1] == original.notes
        assert f"the rule gives {verdict_!r}" in result.notes[-1]
    else:
        assert result is original
    assert withhold(result, reason) is result  # withholding twice changes nothing more
    assert (result.estimate, result.ci_low, result.ci_high) == (0.4, 0.2, 0.6)


def test_reread_known_answers():
    wide = reread(_c1("supported"), 0.05, 0.9, note="widened")
    assert (wide.verdict, wide.ci_low, wide.ci_high) == ("supported", 0.05, 0.9)
    assert wide.method == "PPML; widened" and np.isnan(wide.tost_p)
    assert wide.notes == ("n1", "the interval before: 0.2 to 0.6")
    assert reread(_c1("supported"), 0.1, 1.2, note="w").verdict == "inconclusive"
    near = _c1("equivalent", low=0.98, high=1.02, estimate=1.0)
    assert reread(near, 0.97, 1.03, note="w").verdict == "equivalent"  # inside 1 +- 0.05
    assert reread(near, 0.94, 1.03, note="w").verdict == "inconclusive"
    shown = _c1("not evidence", design="not evidence")
    assert reread(shown, 0.1, 0.7, note="w").verdict == "not evidence"
    # the 5% zero rule holds whatever the interval: 60 of 960 usable rows dropped (6.25%)
    zeros = dataclasses.replace(_c1("inconclusive"), n=900, n_zero_dropped=60)
    assert reread(zeros, 0.1, 0.7, note="w").verdict == "inconclusive"
    few = dataclasses.replace(_c1("supported"), n=900, n_zero_dropped=40)  # 4.3%: allowed
    assert reread(few, 0.1, 0.7, note="w").verdict == "supported"


@pytest.mark.parametrize("result, low, high, match", [
    (dataclasses.replace(_c1("supported"), claim="C2"), 0.1, 0.7, "elasticity claims"),
    (_c1("supported"), 0.5, 0.7, "must hold the estimate"),
])
def test_reread_bad_input(result, low, high, match):
    with pytest.raises(ValueError, match=match):
        reread(result, low, high, note="w")


@settings(max_examples=200)
@given(estimate=st.floats(0.0, 2.0), inner=st.tuples(st.floats(0.001, 1), st.floats(0.001, 1)),
       extra=st.tuples(st.floats(0, 1), st.floats(0, 1)))
def test_reread_a_wider_interval_is_never_surer(estimate, inner, extra):
    result = _c1("inconclusive", estimate=estimate, low=estimate - inner[0],
                 high=estimate + inner[1], design="evidence")
    narrow = reread(result, estimate - inner[0], estimate + inner[1], note="n")
    wide = reread(result, estimate - inner[0] - extra[0], estimate + inner[1] + extra[1],
                  note="w")
    # widening never adds certainty: what the wide interval says, the narrow one says too
    # (a narrow interval inside the margin is `equivalent` first, the rule's order, even when
    # it also lies on one side of the line, as its widened version may then be read)
    if wide.verdict == "equivalent":
        assert narrow.verdict == "equivalent"
    if wide.verdict in ("supported", "contradicted"):
        assert narrow.verdict in (wide.verdict, "equivalent")
        assert verdict_for_interval(narrow.ci_low, narrow.ci_high, line=1.0,
                                    claim_side="below") == wide.verdict
