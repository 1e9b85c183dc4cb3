"""Tests for insights.nbtools.findings: the primary results and the front page's table."""

import numpy as np
import pandas as pd

from insights import claims
from insights.nbtools import findings
from insights.verdicts import ClaimResult


def _result(claim, dataset, estimand, verdict, design="evidence", estimate=1.0):
    return ClaimResult(claim, dataset, estimate, estimate - 0.1, estimate + 0.1, 50, verdict,
                       "m", estimand=estimand, design=design)


def test_findings_html_counts_evidence_and_lists_the_rest():
    results = [
        _result("C1", "by_user", "typical", "equivalent"),
        _result("C1", "by_user", "expected", "supported", estimate=0.83),
        _result("C1", "by_sound <top>", "typical", "not evidence", design="not evidence"),
    ]
    page = findings.findings_html(results)
    counted, excluded = page.split("not counted")
    assert "equivalent" in counted and "supported" in counted and "0.83 (0.73 to 0.93)" in counted
    assert "by_sound" not in counted
    assert "by_sound &lt;top&gt;" in excluded  # data text is escaped
    assert 'href="02-engagement-vs-followers.html#Verdicts"' in counted


def test_findings_table_puts_estimands_side_by_side():
    table = findings.findings_table([_result("C6", "ig", "typical", "equivalent", estimate=0.015),
                                     _result("C6", "ig", "expected", "equivalent", estimate=0.03)])
    assert len(table) == 1
    assert table.loc[0, "typical estimate"] == 0.015
    assert table.loc[0, "expected verdict"] == "equivalent"


def test_primary_results_follow_the_plan_on_the_registered_data():
    results = findings.primary_results()
    by_key = {(r.claim, r.dataset, r.estimand): r for r in results}
    assert by_key[("C1", "TikTok by_user", "typical")].verdict == "equivalent"
    by_user = by_key[("C1", "TikTok by_user", "expected")]
    assert by_user.verdict == "supported"
    assert "calibrated bootstrap-t" in by_user.method  # plan, amendment 9
    assert by_key[("C1", "TikTok by_sound", "typical")].verdict == "not evidence"
    assert by_key[("C6", "instagram 2022, five snapshots", "typical")].verdict == "equivalent"
    twitter = by_key[("C1", findings.TWITTER, "expected")]
    assert twitter.n >= 19_000  # zero-engagement tweets kept
    # the calibrated interval reaches above 1 (the clustered one did not)
    assert "calibrated bootstrap-t" in twitter.method
    assert twitter.verdict == "inconclusive" and twitter.ci_low < 1 < twitter.ci_high
    assert by_key[("C1", findings.TWITTER, "typical")].verdict == "inconclusive"  # 5% zero rule
    assert by_key[("C1", findings.TWITTER, "typical")].n_zero_dropped > 6_000
    assert by_key[("C5", findings.TWITTER, "expected")].design == "evidence"
    assert all(r.estimand in ("typical", "expected") for r in results)
    assert len(results) == len(by_key)  # one result per claim, data set and estimand
    assert np.isfinite([r.estimate for r in results]).all()


def test_price_results_and_their_section():
    results = findings.price_results(n_resamples=200)
    assert [r.claim for r in results] == ["C2", "C2", "C4", "C4", "C3"]
    # inside the prices micro is dearer under every table that can test it (notebook 03)
    assert [r.verdict for r in results[:4]] == ["contradicted", "contradicted", "untestable",
                                                "depends"]
    assert results[4].verdict == "contradicted" and results[4].estimate == 0
    page = findings.findings_html([_result("C1", "x", "typical", "equivalent")], results)
    assert "Claims that turn on prices" in page
    assert "0 tier verdicts change" in page
    assert "no published price table prices this comparison" in page
    assert "the table drawn in each resample" in page
    assert page.count("<tr>") == 2 + 1 + len(results)  # two headers, one C1 row, three price rows


def test_other_results_and_their_section():
    other = findings.other_results()
    assert list(other.columns) == ["claim", "test", "dataset", "design", "estimand", "verdict",
                                   "shown"]
    assert other["claim"].tolist()[0] == "C6 ground truth"
    assert other.loc[other["claim"] == "C8", "verdict"].tolist() == ["untestable"]
    assert "179 of 2,676" in other.loc[other["claim"] == "C8", "shown"].item()
    assert set(other.loc[other["claim"] == "C7", "verdict"]) <= {
        "depends", "inconclusive", "supported", "contradicted", "not evidence", "untestable"}
    tiktok = other[(other["claim"] == "C7") & other["dataset"].str.startswith("tiktok")]
    assert set(tiktok["verdict"]) == {"untestable", "not evidence"}  # no categories; ranked list
    page = findings.findings_html([_result("C1", "x", "typical", "equivalent")], (), other)
    assert "Fake followers, niche and cross-platform creators" in page
    assert page.count("<tr>") == 1 + 1 + 1 + len(other)  # two headers, one C1 row, other rows
    assert 'href="06-fake-followers-niche-and-the-40-percent.html#3.-C8:-the-%2240%25%22"' in page


def test_primary_results_withhold_the_verdicts_whose_interval_failed_its_check():
    checked = {(r.claim, r.dataset, r.estimand): r for r in findings.primary_results()}
    rule = {(r.claim, r.dataset, r.estimand): r
            for r in findings.primary_results(checked=False)}
    assert checked.keys() == rule.keys()
    changed = {key for key in rule if checked[key].verdict != rule[key].verdict}
    # amendment 12: the three supported verdicts on failing intervals become inconclusive
    assert changed == {("C1", "instagram top-1,000 2022-12", "expected"),
                       ("C5", findings.TWITTER, "expected"),
                       ("C5", "youtube top-1,000 2022-12", "expected")}
    for key in changed:
        assert rule[key].verdict == "supported" and checked[key].verdict == "inconclusive"
        assert (checked[key].estimate, checked[key].ci_low) == (rule[key].estimate,
                                                               rule[key].ci_low)
        note = checked[key].notes[-1]
        assert note.startswith(f"verdict withheld: its interval covered "
                               f"{findings.FAILED_CHECKS[key]:.1%}")
        assert note.endswith("the rule gives 'supported' on this interval")
    # the failing intervals whose verdict was inconclusive keep it, with the shortfall noted
    for key in set(findings.FAILED_CHECKS) - changed:
        assert checked[key].verdict == rule[key].verdict == "inconclusive"
        assert checked[key].notes[:-1] == rule[key].notes
        assert checked[key].notes[-1].endswith("the interval understates the uncertainty")
    # every failing interval is a counted verdict's; the others are left as the rule gives them
    assert set(findings.FAILED_CHECKS) <= set(rule)
    for key in set(rule) - set(findings.FAILED_CHECKS):
        assert checked[key] == rule[key]


def test_checked_reads_a_passing_widened_interval(monkeypatch):
    """The replacement path of amendment 12 (no interval takes it on today's data)."""
    key = ("C5", "toy list", "expected")
    rng = np.random.default_rng(0)
    f = 10 ** rng.uniform(5, 8, 300)
    likes = 0.05 * f * np.exp(rng.normal(0, 0.5, 300))
    frame = pd.DataFrame({"followers": f, "avg_likes": likes,
                          "avg_comments": likes * 0.02 * (f / 1e6) ** -0.2
                          * np.exp(rng.normal(0, 0.5, 300))})
    result = claims.comments_per_like_vs_followers(frame, dataset="toy list",
                                                   estimand="expected")
    other = _result("C1", "toy list", "expected", "supported", estimate=0.5)
    monkeypatch.setattr(findings, "FAILED_CHECKS",
                        {key: 0.88, ("C1", "toy list", "expected"): 0.85})
    monkeypatch.setattr(findings, "WIDENED", {key: 0.951})
    monkeypatch.setattr(findings, "resampled_fits",
                        lambda: {key: claims.resampled_fit(frame, "C5")})
    replaced, withheld = findings.apply_checks([result, other], seed=1)
    assert replaced.estimate == result.estimate and replaced.verdict == "supported"
    assert replaced.ci_low < result.ci_low and result.ci_high < replaced.ci_high
    assert "interval widened" in replaced.method and "95.1% in its own" in replaced.method
    assert withheld.verdict == "inconclusive" and "covered 85.0%" in withheld.notes[-1]


def test_findings_html_says_which_verdicts_are_withheld():
    from insights.verdicts import withhold

    held = withhold(_result("C5", "list", "expected", "supported", estimate=-0.25),
                    "its interval covered 86.0% in its coverage check")
    table = findings.findings_table([_result("C5", "list", "typical", "inconclusive"), held])
    assert table.loc[0, "expected withheld"] == "supported"
    assert table.loc[0, "typical withheld"] == ""
    page = findings.findings_html([_result("C5", "list", "typical", "inconclusive"), held])
    assert ("-0.25 (-0.35 to -0.15); withheld: the rule gives supported on this interval, "
            "which covered too rarely in its check") in page.replace("−", "-")
