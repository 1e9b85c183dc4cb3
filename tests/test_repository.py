"""The repository stands alone: nothing in it points to a file outside it."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_sources_do_not_reach_outside_the_repository():
    """src/, notebooks/, tests/ and the README name no file outside the repository."""
    pattern = ("../" + "shared", "DES" + "IGN", "shared/" + "research", "benchmarks" + ".md")
    hits = []
    for folder in ("src", "notebooks", "tests"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".ipynb", ".md", ".tsv", ".json") and path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                hits += [f"{path.relative_to(ROOT)}: {p}" for p in pattern if p in text]
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    hits += [f"README.md: {p}" for p in pattern if p in readme]
    assert hits == []
