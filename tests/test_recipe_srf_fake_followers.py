"""Tests of the recipe for srf-instagram-fake-followers-2017: a crafted file and the real one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pandas.testing import assert_series_equal

from insights import schemas
from insights.ingest.recipes import recipe
from insights.ingest.recipes.srf_fake_followers import COLUMNS, FILE, NAME, clean, parse_flag

SHARED_DATA = Path("/work/shared/data")
HEADER = ",".join(f'"{c}"' for c in COLUMNS)
CRAFTED = "\n".join([
    HEADER,
    '"https://instagram.com/anna",TRUE,"anna",0,7500,12,FALSE,"FALSE"',
    '"https://instagram.com/ben",FALSE,"ben",30,272,174,TRUE,TRUE',
    '"https://instagram.com/cleo","false","cleo",5,61,79,"true",maybe',
    '"https://instagram.com/anna",TRUE,"anna",1,1,1,TRUE,TRUE',
]) + "\n"


@pytest.fixture
def crafted(tmp_path) -> Path:
    raw = tmp_path / "raw" / NAME
    raw.mkdir(parents=True)
    (raw / FILE).write_text(CRAFTED, encoding="utf-8")
    return raw


def test_recipe_is_registered():
    assert recipe(NAME) is clean


def test_crafted_table(crafted):
    result = clean(crafted)
    table = result.tables["accounts"]
    assert table["account"].tolist() == ["srf-0001", "srf-0002", "srf-0003"]
    assert_series_equal(table["fake"], pd.Series([True, False, False], dtype="boolean",
                                                 name="fake"))
    assert table["followers"].tolist() == [12.0, 174.0, 79.0]
    assert table["following"].tolist() == [7500.0, 272.0, 61.0]
    assert table["posts"].tolist() == [0.0, 30.0, 5.0]
    assert table["has_profile_picture"].tolist() == [False, True, True]
    assert table["private"].tolist()[:2] == [False, True]
    assert table["private"].isna().tolist() == [False, False, True]
    schemas.validate(schemas.conform(table, "accounts"), "accounts")


def test_crafted_keeps_no_handle(crafted):
    table = clean(crafted).tables["accounts"]
    cells = {str(cell) for cell in table.to_numpy().ravel()}
    assert not cells & {"anna", "ben", "cleo"}
    assert not any("instagram.com" in cell for cell in cells)


def test_crafted_log(crafted):
    log = clean(crafted).log
    events = log.events().set_index("step")
    assert events.loc["duplicate-handle", "source_row"] == 4
    assert events.loc["duplicate-handle", "reason"] == "repeats the handle of source row 1"
    repaired = events.loc["flag-private"]
    assert (repaired["source_row"], repaired["old_value"]) == (3, "maybe")


def test_wrong_header_is_refused(crafted):
    (crafted / FILE).write_text(CRAFTED.replace('"rating"', '"label"'))
    with pytest.raises(ValueError, match="unexpected header"):
        clean(crafted)


@given(st.sampled_from(["TRUE", "FALSE"]), st.sampled_from([str.lower, str.upper, str.title]),
       st.sampled_from(["", '"']), st.sampled_from(["", " ", "  "]))
def test_parse_flag_reads_any_spelling(word, case, quote, space):
    result = parse_flag(pd.Series([f"{space}{quote}{case(word)}{quote}{space}"]))
    assert bool(result.iloc[0]) == (word == "TRUE") and not result.isna().any()


@given(st.text(max_size=8).filter(lambda s: s.strip().strip('"').strip().upper()
                                  not in ("TRUE", "FALSE")))
def test_parse_flag_anything_else_is_missing(text):
    assert parse_flag(pd.Series([text])).isna().all()


@pytest.fixture(scope="module")
def real(clean_real):
    return clean_real(NAME, clean, FILE)


def test_real_counts(real):
    accounts = real.tables["accounts"]
    assert len(accounts) == 975
    assert int(accounts["fake"].sum()) == 98
    assert int(accounts["private"].sum()) == 212
    assert int((~accounts["has_profile_picture"]).sum()) == 12
    assert accounts[["fake", "private", "has_profile_picture"]].notna().all().all()
    assert real.log.events().empty


def test_real_known_row(real):
    """Row 2 of the raw file, read by hand (handle _alex.ti)."""
    row = real.tables["accounts"].set_index("account").loc["srf-0002"]
    assert (row["posts"], row["following"], row["followers"]) == (30, 272, 174)
    assert not row["fake"] and row["has_profile_picture"] and row["private"]
