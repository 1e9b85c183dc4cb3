"""The findings front page: every claim's primary verdicts, by data set and estimand.

:func:`primary_results` runs the primary specification of each claim, data set and estimand of
``docs/analysis-plan.md`` on the registered data sets (C1, C5, C6; C2, C3 and C4 are read in
notebooks 03 and 04, whose verdicts turn on prices). Notebook 02 and the front page
(``reports/index.html``, written by ``make report``) both use it, so they cannot disagree.
:func:`findings_html` turns the results into the page's table: counted verdicts first, then the
samples that are not evidence, with the reason.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import pandas as pd

from insights import claims, formatting
from insights.ingest import datasets
from insights.verdicts import ESTIMANDS, ClaimResult, results_table

__all__ = ["SECTIONS", "primary_results", "findings_table", "findings_html"]

#: Where each claim is read: notebook page and the section heading's anchor.
SECTIONS = {
    "C1": ("02-engagement-vs-followers.html", "Verdicts"),
    "C5": ("02-engagement-vs-followers.html", "C5:-comments-per-like"),
    "C6": ("02-engagement-vs-followers.html",
           "C6:-share-of-authentic-engagement-(Instagram-2022)"),
}


def primary_results() -> list[ClaimResult]:
    """The primary results of C1, C5 and C6 on the registered data sets, both estimands.

    Builds the processed tables on first use (:func:`insights.ingest.datasets.load`).
    """
    posts = datasets.load("tiktok-datares-2020", "posts")
    lists = datasets.load("social-media-influencers-2022", "creators")
    top200 = datasets.load("top-insta-influencers-200", "creators")
    parts = {part: frame for part, frame in posts.groupby("part", sort=True)}
    latest = {platform: frame for (platform, snapshot), frame
              in lists.groupby(["platform", "snapshot"]) if snapshot == "2022-12"}
    options = {"by_user": {}, "by_sound": {"fe": "sound"}, "trending": {}}
    results = []
    for estimand in ESTIMANDS:
        for part, extra in options.items():
            results.append(claims.engagement_vs_followers(
                parts[part], dataset=f"TikTok {part}", estimand=estimand, **extra))
        for platform in ("instagram", "youtube", "tiktok"):
            results.append(claims.engagement_vs_followers(
                latest[platform], dataset=f"{platform} top-1,000 2022-12", estimand=estimand))
        results.append(claims.engagement_vs_followers(top200, dataset="top-200 Instagram",
                                                      estimand=estimand))
        for part in options:
            results.append(claims.comments_per_like_vs_followers(
                parts[part], dataset=f"TikTok {part}", estimand=estimand))
        for platform in ("youtube", "tiktok"):
            results.append(claims.comments_per_like_vs_followers(
                latest[platform], dataset=f"{platform} top-1,000 2022-12", estimand=estimand))
        results.append(claims.authenticity_vs_followers(
            lists[lists["platform"] == "instagram"], dataset="instagram 2022, five snapshots",
            fe="snapshot", cluster="creator", estimand=estimand))
    return results


def findings_table(results: Sequence[ClaimResult]) -> pd.DataFrame:
    """One row per claim and data set, the two estimands side by side.

    Examples
    --------
    >>> from insights.verdicts import ClaimResult as R
    >>> rows = [R("C1", "toy", 1.01, 0.99, 1.03, 90, "equivalent", "m", estimand="typical"),
    ...         R("C1", "toy", 0.83, 0.74, 0.92, 90, "supported", "m", estimand="expected")]
    >>> findings_table(rows)[["claim", "dataset", "typical verdict", "expected verdict"]].values
    array([['C1', 'toy', 'equivalent', 'supported']], dtype=object)
    """
    table = results_table(results)
    wide = table.pivot_table(index=["claim", "dataset", "design"], columns="estimand",
                             values=["estimate", "ci_low", "ci_high", "verdict"],
                             aggfunc="first", sort=False)
    out = pd.DataFrame(index=wide.index)
    for estimand in ESTIMANDS:
        for column in ("estimate", "ci_low", "ci_high", "verdict"):
            key = (column, estimand)
            out[f"{estimand} {column}"] = wide[key] if key in wide.columns else None
    return out.reset_index()


def _cell(row: pd.Series, estimand: str) -> str:
    verdict = row[f"{estimand} verdict"]
    if not isinstance(verdict, str):
        return "<td>–</td>"
    interval = (f"{formatting.estimate(row[f'{estimand} estimate'])} "
                f"({formatting.estimate(row[f'{estimand} ci_low'])} to "
                f"{formatting.estimate(row[f'{estimand} ci_high'])})")
    return (f'<td><span class="verdict {html.escape(verdict.replace(" ", "-"))}">'
            f"{html.escape(verdict)}</span><br>{html.escape(interval)}</td>")


def findings_html(results: Sequence[ClaimResult]) -> str:
    """The front page's findings section: counted verdicts, then samples that are not evidence."""
    table = findings_table(results)
    head = ("<tr><th>Claim</th><th>Data set (design)</th>"
            + "".join(f"<th>{html.escape(name)}</th>" for name in ESTIMANDS.values())
            + "</tr>")
    rows, excluded = [], []
    for _, row in table.iterrows():
        page, anchor = SECTIONS.get(row["claim"], ("", ""))
        link = (f'<a href="{html.escape(page)}#{html.escape(anchor)}">{html.escape(row["claim"])}'
                "</a>" if page else html.escape(row["claim"]))
        if row["design"] == "not evidence":
            excluded.append(f"<li>{link} on {html.escape(row['dataset'])}: selected on the "
                            "outcome (top posts or an engagement-ranked list), so its estimate "
                            "cannot answer the claim</li>")
            continue
        rows.append(f"<tr><td>{link}</td><td>{html.escape(row['dataset'])} "
                    f"({html.escape(row['design'])})</td>"
                    + "".join(_cell(row, estimand) for estimand in ESTIMANDS) + "</tr>")
    return (
        "<h2>Findings</h2>\n"
        "<p>The primary verdict of each claim, data set and estimand "
        "(<code>docs/analysis-plan.md</code>): estimate and 95% confidence interval. "
        "Equivalent means the effect lies within the declared margin (the engagement rate "
        "changes by at most 3.5% per doubling of followers). C2, C3 and C4 turn on prices: "
        "see notebooks 03 and 04.</p>\n"
        f"<table class=\"findings\">\n{head}\n" + "\n".join(rows) + "\n</table>\n"
        "<h3>Shown in the notebooks, not counted</h3>\n<ul>\n" + "\n".join(excluded)
        + "\n</ul>\n"
    )
