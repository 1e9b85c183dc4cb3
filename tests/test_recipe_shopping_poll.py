"""Tests of the recipe for social-influence-on-shopping-poll: a crafted sheet and the real one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from insights import schemas
from insights.ingest.recipes import recipe
from insights.ingest.recipes.shopping_poll import ANSWERS, COLUMNS, FILE, NAME, clean

SHARED_DATA = Path("/work/shared/data")
QUESTION = "What social platform has influenced your online shopping most?"


def _sheet(blocks):
    rows = []
    for kind, segment, counts, shares in blocks:
        for answer, count, share in zip(ANSWERS, counts, shares, strict=True):
            rows.append({"index": len(rows), "Question": QUESTION, "Segment Type": kind,
                         "Segment Description": segment, "Answer": answer, "Count": count,
                         "Percentage": share})
    return pd.DataFrame(rows, columns=list(COLUMNS))


BLOCKS = [
    ("Mobile", "Global results", [2, 3, 0, 1, 4], [0.2, 0.3, 0.0, 0.1, 0.4]),
    ("Custom", "Other", [1, 0, 0, 0, 1], [0.5, 0.0, 0.0, 0.0, 0.5]),
    ("Web", "Web", [0, 0, 0, 0, 0], [0.0, 0.0, 0.0, 0.0, 0.0]),
    ("Custom", "Other", [0, 2, 0, 0, 0], [0.0, 0.9, 0.0, 0.0, 0.0]),
]


@pytest.fixture
def crafted(tmp_path) -> Path:
    raw = tmp_path / "raw" / NAME
    raw.mkdir(parents=True)
    _sheet(BLOCKS).to_excel(raw / FILE, sheet_name="Sheet1", index=False)
    return raw


def test_recipe_is_registered():
    assert recipe(NAME) is clean


def test_crafted_table(crafted):
    table = clean(crafted).tables["poll"]
    assert table["segment_id"].tolist() == [0] * 5 + [1] * 5 + [2] * 5 + [3] * 5
    assert table["answer"].tolist()[:5] == list(ANSWERS)  # "None" is an answer, not missing
    assert table["segment_total"].tolist() == [10] * 5 + [2] * 5 + [0] * 5 + [2] * 5
    assert table["count"].tolist()[:5] == [2, 3, 0, 1, 4]
    assert table["source_row"].tolist() == list(range(1, 21))
    schemas.validate(schemas.conform(table, "poll"), "poll")


def test_crafted_notes(crafted):
    steps = clean(crafted).log.steps().set_index("step")
    assert steps.loc["repeated-label", "description"].startswith(
        "2 segments share a label (Custom / Other)")
    assert steps.loc["share-check", "description"].startswith("1 published shares differ")


def test_a_broken_block_is_refused(tmp_path):
    raw = tmp_path / NAME
    raw.mkdir()
    sheet = _sheet(BLOCKS)
    sheet.loc[7, "Answer"] = "TikTok"
    sheet.to_excel(raw / FILE, sheet_name="Sheet1", index=False)
    with pytest.raises(ValueError, match=r"column 'Answer', rows \[7\], values \['TikTok'\]"):
        clean(raw)


def test_a_bad_index_is_refused(tmp_path):
    raw = tmp_path / NAME
    raw.mkdir()
    sheet = _sheet(BLOCKS)
    sheet.loc[3, "index"] = 99
    sheet.to_excel(raw / FILE, sheet_name="Sheet1", index=False)
    with pytest.raises(ValueError,
                       match=r"'index' does not number the rows 0, 1, ...: rows \[3\]"):
        clean(raw)


@pytest.fixture(scope="module")
def real(clean_real):
    return clean_real(NAME, clean, FILE)


def test_real_counts(real):
    poll = real.tables["poll"]
    assert len(poll) == 1_445 and poll["segment_id"].nunique() == 289
    everyone = poll[poll["segment"] == "Global results"].set_index("answer")["count"]
    assert everyone.to_dict() == {"Facebook": 548, "Instagram": 916, "Snapchat": 86,
                                  "Twitter": 179, "None": 947}
    assert poll.groupby("segment_type")["segment_id"].nunique().to_dict() == {
        "Custom": 111, "Gender": 2, "Mobile": 1, "University": 174, "Web": 1}
