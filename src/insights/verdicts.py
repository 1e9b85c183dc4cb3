"""Verdicts: the result type of every claim test, the verdict rule and the results table.

A verdict is never a bare p-value: it is a rule applied to a 95% confidence interval of an
effect size whose meaning each claim function states in its docstring, together with an
equivalence margin and the sample's design (``docs/analysis-plan.md``). The verdicts, in the
order the rule checks them:

``not evidence``
    the sample's design cannot identify the estimand (selected on the outcome); shown, never
    counted;
``equivalent``
    two one-sided tests put the effect inside the declared margin around the line: the claimed
    effect is practically absent;
``supported``
    the whole interval lies on the side of the line the claim predicts;
``contradicted``
    the whole interval lies on the other side;
``inconclusive``
    the interval contains the line, or nothing could be estimated (``notes`` say why);
``depends``
    the answer turns on an assumption the data cannot fix (used by the pricing claims).

This module is a leaf of the analysis layer: :mod:`insights.claims` produces
:class:`ClaimResult` objects, and the calibration, audit and reporting code reads them without
importing the claim tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd

__all__ = [
    "CLAIMS",
    "VERDICTS",
    "ClaimResult",
    "DESIGNS",
    "ESTIMANDS",
    "MARGIN",
    "MAX_ZERO_SHARE",
    "verdict_for_interval",
    "verdict",
    "ELASTICITY_LINES",
    "withhold",
    "withheld_verdict",
    "reread",
    "results_table",
    "combine_pricing_models",
]


#: The claims under test (``docs/design.md``), short form.
CLAIMS = {
    "C1": "engagement rate falls as followers grow",
    "C2": "micro-creators have lower cost per engagement / higher ROI",
    "C3": "verdicts depend on the definition of 'micro'",
    "C4": "a group of micro-creators beats one big creator for one budget",
    "C5": "small creators get more comments per like",
    "C6": "big accounts have a lower share of authentic engagement",
    "C7": "niche / cross-platform creators outperform",
    "C8": "40% of Twitter users bought because of an influencer's tweet",
}

VERDICTS = ("supported", "contradicted", "equivalent", "inconclusive", "depends",
            "not evidence", "untestable")

#: Sampling designs (``docs/analysis-plan.md``): verdicts of ``not evidence`` samples are never
#: counted; ``range-restricted`` ones speak only for the follower range they cover.
DESIGNS = ("evidence", "range-restricted", "not evidence")

#: The two estimands of an elasticity claim, with their plain-language names.
ESTIMANDS = {
    "typical": "the typical post",
    "expected": "engagement per post on average",
}

#: The declared equivalence margin of the elasticity claims (``docs/analysis-plan.md``).
MARGIN = 0.05

#: A typical-post (log model) verdict is not drawn when the model had to drop more than this
#: share of the rows it could otherwise use because their outcome was 0 (docs/analysis-plan.md).
MAX_ZERO_SHARE = 0.05

#: Level of the two one-sided tests of equivalence.
TOST_ALPHA = 0.05



@dataclass(frozen=True)
class ClaimResult:
    """The answer to one claim on one data set.

    Attributes
    ----------
    claim : str
        Claim id (``"C1"`` …, see :data:`CLAIMS`).
    dataset : str
        Which data (and which part of it) the estimate comes from.
    estimate, ci_low, ci_high : float
        The effect size and its confidence interval (NaN when not computable).
    n : int
        Rows the estimate rests on (posts or creators; ``method`` says which).
    verdict : str
        One of :data:`VERDICTS`.
    method : str
        Estimator, errors, controls.
    notes : tuple of str
        Caveats: engagement definition, rows dropped, follower range, selection warnings.
    group_sizes : tuple of int, optional
        For a comparison of two groups (micro against bigger tiers): the usable units in the
        claimed group and in the comparison group. None for other estimates.
    estimand : str
        ``"typical"`` or ``"expected"`` for elasticity claims (:data:`ESTIMANDS`), else "".
    design : str
        The sample's design class (:data:`DESIGNS`).
    margin : float
        The equivalence margin around the line (NaN where none applies).
    tost_p : float
        The larger p-value of the two one-sided tests of equivalence (NaN where not computed).
    n_zero_dropped : int
        Rows a log model left out because their outcome was 0 (0 for models that keep zeros).
    """

    claim: str
    dataset: str
    estimate: float
    ci_low: float
    ci_high: float
    n: int
    verdict: str
    method: str
    notes: tuple[str, ...] = ()
    group_sizes: tuple[int, int] | None = None
    estimand: str = ""
    design: str = "evidence"
    margin: float = float("nan")
    tost_p: float = float("nan")
    n_zero_dropped: int = 0

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.design not in DESIGNS:
            raise ValueError(f"design must be one of {DESIGNS}, got {self.design!r}")
        if self.estimand not in ("", *ESTIMANDS):
            raise ValueError(f"estimand must be one of {list(ESTIMANDS)} or '', got "
                             f"{self.estimand!r}")


def verdict_for_interval(ci_low: float, ci_high: float, *, line: float, claim_side: str) -> str:
    """Apply the verdict rule: which side of ``line`` the whole interval lies on.

    Parameters
    ----------
    ci_low, ci_high : float
    line : float
        The value that separates the claim from its opposite (1 for the C1 elasticity).
    claim_side : {"below", "above"}
        Where the claim puts the effect.

    Examples
    --------
    >>> verdict_for_interval(0.80, 0.90, line=1.0, claim_side="below")
    'supported'
    >>> verdict_for_interval(1.02, 1.10, line=1.0, claim_side="below")
    'contradicted'
    >>> verdict_for_interval(0.95, 1.05, line=1.0, claim_side="below")
    'inconclusive'
    """
    if claim_side not in ("below", "above"):
        raise ValueError(f"claim_side must be 'below' or 'above', got {claim_side!r}")
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return "inconclusive"
    below, above = ci_high < line, ci_low > line
    if claim_side == "below":
        return "supported" if below else "contradicted" if above else "inconclusive"
    return "supported" if above else "contradicted" if below else "inconclusive"


def verdict(
    ci_low: float,
    ci_high: float,
    *,
    line: float,
    claim_side: str,
    tost_p: float = float("nan"),
    design: str = "evidence",
    alpha: float = TOST_ALPHA,
) -> str:
    """The full verdict rule: design first, then equivalence, then the side of the line.

    ``not evidence`` for a design that cannot identify the estimand; ``equivalent`` when the
    two one-sided tests reject both ends of the margin (``tost_p < alpha``); otherwise
    :func:`verdict_for_interval`.

    Examples
    --------
    >>> verdict(0.986, 1.038, line=1.0, claim_side="below", tost_p=0.002)
    'equivalent'
    >>> verdict(0.74, 0.92, line=1.0, claim_side="below", tost_p=0.99)
    'supported'
    >>> verdict(0.10, 0.16, line=1.0, claim_side="below", design="not evidence")
    'not evidence'
    """
    if design not in DESIGNS:
        raise ValueError(f"design must be one of {DESIGNS}, got {design!r}")
    if design == "not evidence":
        return "not evidence"
    if np.isfinite(tost_p) and tost_p < alpha:
        return "equivalent"
    return verdict_for_interval(ci_low, ci_high, line=line, claim_side=claim_side)


#: The line each elasticity claim is read against; each claims the effect lies below it.
ELASTICITY_LINES = {"C1": 1.0, "C5": 0.0, "C6": 0.0}

#: Verdicts that claim nothing, so withholding leaves them as they are.
_NO_CLAIM = ("inconclusive", "not evidence", "untestable", "depends")

#: How :func:`withhold`'s note begins (:func:`withheld_verdict` reads it back).
_WITHHELD = "verdict withheld:"


def withhold(result: ClaimResult, reason: str) -> ClaimResult:
    """The result with its verdict withheld (``docs/analysis-plan.md``, amendment 12): a
    verdict that claims something becomes ``inconclusive``, and a note says why and keeps the
    verdict the rule gave; a verdict that claims nothing is returned unchanged.

    Examples
    --------
    >>> r = ClaimResult("C1", "toy", 0.4, 0.2, 0.6, 900, "supported", "PPML")
    >>> held = withhold(r, "coverage 89%")
    >>> held.verdict, held.notes[-1]
    ('inconclusive', "verdict withheld: coverage 89%; the rule gives 'supported' on this interval")
    >>> withhold(held, "again") is held
    True
    """
    if result.verdict in _NO_CLAIM:
        return result
    note = (f"{_WITHHELD} {reason}; the rule gives {result.verdict!r} on this interval")
    return replace(result, verdict="inconclusive", notes=(*result.notes, note))


def withheld_verdict(result: ClaimResult) -> str | None:
    """The verdict :func:`withhold` withheld from ``result`` (None if it withheld none).

    Examples
    --------
    >>> r = ClaimResult("C1", "toy", 0.4, 0.2, 0.6, 900, "supported", "PPML")
    >>> withheld_verdict(withhold(r, "coverage 89%")), withheld_verdict(r)
    ('supported', None)
    """
    for note in result.notes:
        if note.startswith(_WITHHELD) and result.verdict == "inconclusive":
            held = note.rsplit("the rule gives ", 1)[-1].split("'")[1]
            if held in VERDICTS:
                return held
    return None


def reread(result: ClaimResult, ci_low: float, ci_high: float, *, note: str) -> ClaimResult:
    """The result read from another 95% interval of the same estimate (amendment 12's
    checked replacement): the rule of section 2 on ``(ci_low, ci_high)`` against the claim's
    line (:data:`ELASTICITY_LINES`, claimed below it), with ``equivalent`` read from this 95%
    interval lying inside the margin (stricter than the 90% interval of TOST, which the new
    interval does not give; ``tost_p`` becomes NaN). The 5% zero rule and the design class
    still apply. ``note`` says where the interval comes from; the replaced interval is kept in
    the notes.

    Examples
    --------
    >>> r = ClaimResult("C5", "toy", -0.10, -0.15, -0.05, 900, "supported", "PPML",
    ...                 estimand="expected", margin=0.05, tost_p=0.9)
    >>> wide = reread(r, -0.2, 0.01, note="widened 2.1 times")
    >>> wide.verdict, wide.ci_high, wide.notes[-1]
    ('inconclusive', 0.01, 'the interval before: -0.15 to -0.05')
    """
    if result.claim not in ELASTICITY_LINES:
        raise ValueError(f"reread applies to the elasticity claims {list(ELASTICITY_LINES)}, "
                         f"got {result.claim!r}")
    if not ci_low <= result.estimate <= ci_high:
        raise ValueError(f"the interval ({ci_low:g}, {ci_high:g}) must hold the estimate "
                         f"{result.estimate:g}")
    line = ELASTICITY_LINES[result.claim]
    outcome = verdict_for_interval(ci_low, ci_high, line=line, claim_side="below")
    margin = result.margin
    if np.isfinite(margin) and line - margin < ci_low and ci_high < line + margin:
        outcome = "equivalent"
    dropped = result.n_zero_dropped
    if dropped and dropped / (result.n + dropped) > MAX_ZERO_SHARE:
        outcome = "inconclusive"  # the 5% zero rule holds whatever the interval
    if result.design == "not evidence":
        outcome = "not evidence"
    return replace(result, ci_low=float(ci_low), ci_high=float(ci_high), verdict=outcome,
                   tost_p=float("nan"), method=f"{result.method}; {note}",
                   notes=(*result.notes, f"the interval before: {result.ci_low:.3g} to "
                                         f"{result.ci_high:.3g}"))


def results_table(
    results: Iterable[ClaimResult] | Mapping[str, ClaimResult], *, label: str = "test"
) -> pd.DataFrame:
    """Stack results into a table (notes joined with "; "), in the order given.

    A mapping's keys become a first column named ``label`` (the test or setting each result
    belongs to), so that a notebook labels its rows without a loop.

    Examples
    --------
    >>> r = ClaimResult("C1", "toy", 0.8, 0.7, 0.9, 50, "supported", "OLS", ("a", "b"))
    >>> results_table([r])[["claim", "verdict", "notes"]].to_dict("records")
    [{'claim': 'C1', 'verdict': 'supported', 'notes': 'a; b'}]
    >>> results_table({"posts": r})[["test", "claim"]].to_dict("records")
    [{'test': 'posts', 'claim': 'C1'}]
    """
    labels = None
    if isinstance(results, Mapping):
        labels = list(results)
        results = list(results.values())
    rows = []
    for result in results:
        row = asdict(result)
        row["notes"] = "; ".join(result.notes)
        rows.append(row)
    columns = ["claim", "dataset", "estimand", "estimate", "ci_low", "ci_high", "n", "verdict",
               "design", "tost_p", "n_zero_dropped", "method", "notes"]
    table = pd.DataFrame(rows, columns=columns)
    if labels is not None:
        table.insert(0, label, labels)
    return table


def _across_models(claim: str, results: list[tuple[str, ClaimResult]]) -> ClaimResult:
    if len(results) == 1:
        return results[0][1]
    # a model that cannot test the claim (outside its price table's support) has no vote
    verdicts = [r.verdict for _, r in results if r.verdict != "untestable"] or ["untestable"]
    verdict = verdicts[0] if len(set(verdicts)) == 1 else "depends"
    lows = [r.ci_low for _, r in results]
    highs = [r.ci_high for _, r in results]
    per_model = [f"{name}: {r.estimate:.3g} ({r.ci_low:.3g} to {r.ci_high:.3g}), {r.verdict}"
                 for name, r in results]
    first = results[0][1]
    shared = [n for n in first.notes if all(n in r.notes for _, r in results)]
    return ClaimResult(
        claim, first.dataset, np.nan,
        float(np.nanmin(lows)) if np.isfinite(lows).any() else np.nan,
        float(np.nanmax(highs)) if np.isfinite(highs).any() else np.nan,
        first.n, verdict,
        f"{len(results)} pricing models (interval = envelope of their intervals); "
        + first.method,
        tuple([*per_model, *shared]),
    )


def combine_pricing_models(results: dict[str, ClaimResult], *, claim: str = "C2") -> ClaimResult:
    """Combine results computed one pricing model at a time, as ``pricing=[...]`` does.

    One result is returned as it is. Otherwise the combined result is labelled ``claim``.

    The verdict is the models' common verdict or ``depends`` (a model whose result is
    ``untestable`` has no vote; all untestable: ``untestable``); the estimate is NaN and the
    interval the envelope of the models' intervals; the notes list each model's result.

    Examples
    --------
    >>> a = ClaimResult("C2", "toy", 0.7, 0.6, 0.8, 90, "supported", "median ratio")
    >>> b = ClaimResult("C2", "toy", 1.4, 1.2, 1.6, 90, "contradicted", "median ratio")
    >>> both = combine_pricing_models({"rate-card": a, "izea-2022": b})
    >>> both.verdict, both.ci_low, both.ci_high
    ('depends', 0.6, 1.6)
    >>> none = ClaimResult("C2", "toy", np.nan, np.nan, np.nan, 0, "untestable", "median ratio")
    >>> combine_pricing_models({"rate-card": a, "beichert-2024": none}).verdict
    'supported'
    """
    if not results:
        raise ValueError("results is empty: pass at least one pricing model's result")
    return _across_models(claim, list(results.items()))
