"""The report as a PDF: the HTML page printed by headless Chromium.

Why Chromium: the report is one self-contained HTML page with a print style sheet (A4, page
breaks, the cover on its own page); printing it with a real browser engine gives the same
document as the screen, figures and tables included, without a second layout to maintain.
Chromium is a system package (Debian: ``apt-get install chromium``), not a Python one; the
command looks for ``chromium``, ``chromium-browser``, ``google-chrome`` and
``google-chrome-stable`` on the ``PATH``, or takes the program named by the environment
variable ``INSIGHTS_CHROMIUM``.

The browser runs with a fresh profile in a temporary folder and with its background
networking off, so printing contacts nothing; the page itself loads nothing (no scripts,
fonts or images from outside).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["BROWSERS", "BrowserMissing", "PrintError", "find_browser", "browser_flags",
           "print_pdf"]

#: Programs tried, in order, when ``INSIGHTS_CHROMIUM`` is not set.
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class BrowserMissing(RuntimeError):
    """No Chromium-family browser was found."""


class PrintError(RuntimeError):
    """The browser ran but did not produce a PDF."""


def find_browser() -> str:
    """The Chromium program to print with; :class:`BrowserMissing` (one line) when none."""
    named = os.environ.get("INSIGHTS_CHROMIUM")
    if named:
        found = shutil.which(named)
        if found is None:
            raise BrowserMissing(f"INSIGHTS_CHROMIUM={named} is not an executable program")
        return found
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing(
        "a PDF needs Chromium and none was found (looked for "
        f"{', '.join(BROWSERS)}); install it (Debian/Ubuntu: apt-get install chromium) or "
        "set INSIGHTS_CHROMIUM to its path")


def browser_flags(profile: str | os.PathLike) -> list[str]:
    """Flags for a headless, offline, throw-away Chromium (also used by the browser tests)."""
    return ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--mute-audio", f"--user-data-dir={profile}"]


def print_pdf(page: str | os.PathLike, pdf: str | os.PathLike, *, browser: str | None = None,
              timeout: float = 180.0) -> Path:
    """Print the HTML file ``page`` to ``pdf`` with headless Chromium; return ``pdf``.

    Raises :class:`BrowserMissing` when there is no browser and :class:`PrintError` when it
    fails or writes nothing.
    """
    browser = browser or find_browser()
    page, pdf = Path(page).resolve(), Path(pdf).resolve()
    with tempfile.TemporaryDirectory(prefix="insights-chromium-") as profile:
        command = [browser, *browser_flags(profile), "--no-pdf-header-footer",
                   f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, check=False)
        except subprocess.TimeoutExpired:
            raise PrintError(f"{Path(browser).name} did not finish printing {page.name} "
                             f"within {timeout:.0f} s") from None
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
        raise PrintError(f"{Path(browser).name} could not print {page.name} (exit "
                         f"{done.returncode}): {lines[-1] if lines else 'no message'}")
    return pdf
