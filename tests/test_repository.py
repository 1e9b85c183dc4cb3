"""The repository stands alone: nothing in it points to a file outside it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Pointers to documents that live outside the repository (written so as not to match here).
OUTSIDE = re.compile("|".join([r"\.\./" + "shared", r"\bDES" + r"IGN\b", "shared/" + "research",
                               "benchmarks" + r"\.md"]))


def test_sources_do_not_reach_outside_the_repository():
    """src/, notebooks/, tests/ and the README name no file outside the repository."""
    hits = []
    files = [p for folder in ("src", "notebooks", "tests") for p in (ROOT / folder).rglob("*")]
    for path in [*files, ROOT / "README.md"]:
        if path.suffix in (".py", ".ipynb", ".md", ".tsv", ".json") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            hits += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in OUTSIDE.finditer(text)]
    assert hits == []


def test_the_check_finds_a_pointer():
    assert OUTSIDE.search("see ../" + "shared" + "/data") is not None
    assert OUTSIDE.search("as DES" + "IGN.md says") is not None
    assert OUTSIDE.search("verdicts.DESIGNS") is None
