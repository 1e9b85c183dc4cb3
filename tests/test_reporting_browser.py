"""The client report in a real browser: headless Chromium opens the HTML and prints the PDF.

Chromium is a system package (Debian: ``apt-get install chromium``); ``.ci/run`` installs it
on a fresh CI machine. Without it these tests are skipped locally, with the reason, and fail
under ``CI=true`` (a CI run must not pass by skipping them). The page is driven with
Playwright's Python package using that system browser (Playwright's own browser download is
never used).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from insights.reporting import pdf as printing

pytestmark = pytest.mark.e2e

INSIGHTS = Path(sys.executable).parent / "insights"
TITLE = "Q3 TikTok roster"
CLIENT = "Acme & Co"


def browser() -> str:
    try:
        return printing.find_browser()
    except printing.BrowserMissing as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI=true and no browser: {exc}")
        pytest.skip(f"{exc} (the browser and PDF tests need it)")


def posts_export(n_creators: int = 40, seed: int = 21) -> pd.DataFrame:
    """A post export with a few creators of very few posts (shrinkage has work to do)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_creators):
        followers = round(10 ** rng.uniform(np.log10(3e3), np.log10(4e6)))
        level = rng.lognormal(0, 0.5)
        for j in range(int(rng.integers(1, 12))):
            likes = 0.06 * followers**0.85 * level * rng.gamma(0.8, 1 / 0.8)
            rows.append({"Username": f"creator.{i:02d}", "Followers": f"{followers:,}",
                         "Likes": f"{likes:.0f}", "Comments": f"{likes * 0.02:.0f}",
                         "Posted date": f"2024-{1 + j:02d}-{1 + i % 28:02d}"})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    chromium = browser()
    folder = tmp_path_factory.mktemp("browser")
    source = folder / "posts.csv"
    frame = posts_export()
    frame.to_csv(source, index=False)
    out = folder / "acme.html"
    proc = subprocess.run(
        [str(INSIGHTS), "report", str(source), "--out", str(out), "--resamples", "200",
         "--quiet", "--platform", "tiktok", "--title", TITLE, "--client", CLIENT, "--pdf"],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=folder, timeout=900,
        env={**os.environ, "INSIGHTS_CHROMIUM": chromium})
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, frame


@pytest.fixture(scope="module")
def page_facts(report):
    """Open the HTML in headless Chromium and record what the page did."""
    from playwright.sync_api import sync_playwright

    out, _ = report
    facts = {"console": [], "errors": [], "requests": []}
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=browser(), args=[a for a in printing.browser_flags("x")
                                             if not a.startswith(("--headless",
                                                                  "--user-data-dir"))])
        page = chromium.new_page()
        page.on("console", lambda m: facts["console"].append((m.type, m.text)))
        page.on("pageerror", lambda e: facts["errors"].append(str(e)))
        page.on("request", lambda r: facts["requests"].append(r.url))
        page.goto(out.as_uri(), wait_until="load")
        facts["images"] = page.evaluate(
            "Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight])")
        facts["title"] = page.title()
        facts["text"] = page.inner_text("body")
        facts["creator_rows"] = page.evaluate(
            "(() => { const nodes = Array.from(document.querySelectorAll('h2, table.data'));"
            " const i = nodes.findIndex(e => e.tagName === 'H2'"
            " && e.textContent.startsWith('Your creators'));"
            " const t = nodes.slice(i + 1).find(e => e.tagName === 'TABLE');"
            " return t ? Array.from(t.querySelectorAll('tbody tr td:first-child'))"
            ".map(td => td.textContent) : []; })()")
        chromium.close()
    return facts


def test_page_loads_nothing_and_logs_no_error(report, page_facts):
    out, _ = report
    assert page_facts["errors"] == []
    assert [m for m in page_facts["console"] if m[0] in ("error", "warning")] == []
    assert page_facts["requests"] == [out.as_uri()]  # the page itself, nothing else


def test_every_figure_is_decoded(page_facts):
    images = page_facts["images"]
    assert len(images) >= 3  # C1, tiers, roster
    assert all(complete and width > 100 and height > 100 for complete, width, height in images)


def test_page_reads_as_a_client_document(page_facts):
    text = page_facts["text"]
    assert page_facts["title"] == f"{TITLE}: posts.csv"
    assert text.index(TITLE) < text.index(CLIENT) < text.index("Executive summary")
    for heading in ["Findings at a glance", "Data quality", "Your creators against expectation",
                    "The roster", "Appendix B: cleaning log"]:
        assert heading in text
    assert not re.search(r"\bnan\b|\bNaN\b|None\b|e\+0\d%", text)
    assert "import " not in text and "display(" not in text  # no code reaches the client


def test_per_creator_table_lists_every_creator(report, page_facts):
    _, frame = report
    assert sorted(page_facts["creator_rows"]) == sorted(frame["Username"].unique())


def test_pdf_has_the_document(report):
    from pypdf import PdfReader

    out, _ = report
    printed = out.with_suffix(".pdf")
    reader = PdfReader(printed)
    pages = [page.extract_text() for page in reader.pages]
    assert len(pages) >= 5
    assert TITLE in pages[0] and CLIENT in pages[0] and "Executive summary" not in pages[0]
    whole = "\n".join(pages)
    for heading in ["Executive summary", "Your creators against expectation",
                    "Appendix A: methods", "Appendix B: cleaning log", "Appendix C: software"]:
        assert heading in whole
    assert "NaN" not in whole and str(out.parent) not in whole  # no file paths
    assert pages[0].count("\n") < 20  # the cover stands alone on its page


def test_pdf_needs_a_browser_and_says_so_before_any_work(tmp_path, capsys, monkeypatch):
    from insights.reporting import cli

    source = tmp_path / "list.csv"
    source.write_text("Handle,Followers,Likes\nann,1000,50\nbob,20000,600\n", encoding="utf-8")
    monkeypatch.setenv("INSIGHTS_CHROMIUM", "no-such-browser-here")
    out = tmp_path / "r.html"
    rc = cli.main(["report", str(source), "--out", str(out), "--pdf", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1
    assert "--pdf" in err and "INSIGHTS_CHROMIUM=no-such-browser-here" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.csv"]
