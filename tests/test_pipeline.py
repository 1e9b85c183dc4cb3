"""End-to-end tests of insights.ingest.pipeline: fetch (from the mirror), clean, write, load."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from insights import schemas
from insights.ingest import datasets, pipeline
from insights.ingest.cleanlog import EVENT_COLUMNS, STEP_COLUMNS

#: The local data mirror, when one is configured (``.ci/run`` sets it from the CI machine).
SHARED_DATA = Path(os.environ.get("INSIGHTS_DATA_MIRROR") or "no-data-mirror-configured")
NAME = "top-insta-influencers-200"
OUTPUTS = ["build.json", "cleaning_events.csv", "cleaning_steps.csv", "creators.parquet"]


@pytest.fixture
def mirror() -> Path:
    if not (SHARED_DATA / NAME).is_dir():
        pytest.skip(f"{SHARED_DATA / NAME} is not available")
    return SHARED_DATA


@pytest.fixture
def data_dir(tmp_path, monkeypatch, mirror) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("INSIGHTS_DATA_DIR", str(folder))
    monkeypatch.setenv("INSIGHTS_DATA_MIRROR", str(mirror))
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """One build of the top-200 data set, shared by the read-only tests of this module."""
    if not (SHARED_DATA / NAME).is_dir():
        pytest.skip(f"{SHARED_DATA / NAME} is not available")
    folder = tmp_path_factory.mktemp("built") / "data"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INSIGHTS_DATA_DIR", str(folder))
        patch.setenv("INSIGHTS_DATA_MIRROR", str(SHARED_DATA))
        counts = pipeline.build(NAME, progress=False)
    assert counts == {"creators": 200}
    return folder / "processed" / NAME


def digests(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder``, by relative path."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


# ---------------------------------------------------------------------------------------------
# build outputs
# ---------------------------------------------------------------------------------------------


def test_build_writes_every_output(built):
    assert sorted(p.name for p in built.iterdir()) == OUTPUTS


def test_build_json(built):
    result = json.loads((built / "build.json").read_text())
    expected = {
        "dataset": NAME,
        "inputs": [
            {
                "file": "top_insta_influencers_data.csv",
                "sha256": "0d821ec5fa643b13bfef7197ee7c0566a69e4ddd9c8b28bcb1345098af4521e3",
                "bytes": 12_628,
            }
        ],
        "tables": {"creators": 200},
    }
    assert result == expected


def test_cleaning_steps_file(built):
    steps = pd.read_csv(built / "cleaning_steps.csv")
    assert list(steps.columns) == STEP_COLUMNS
    assert (steps["dataset"] == NAME).all()
    assert steps["rows_in"].iloc[0] == 200
    assert steps["rows_out"].iloc[-1] == 200
    assert int(steps["dropped"].sum()) == 0
    assert int(steps["repaired"].sum()) == 1


def test_cleaning_events_file(built):
    events = pd.read_csv(built / "cleaning_events.csv", dtype=str, keep_default_na=False)
    assert list(events.columns) == EVENT_COLUMNS
    assert len(events) == 1
    event = events.iloc[0]
    assert event["creator"] == "rkive"
    assert event["source_file"] == "top_insta_influencers_data.csv"
    assert event["source_row"] == "168"
    assert event["column"] == "engagement_rate"
    assert event["action"] == "repaired"


def test_parquet_is_the_validated_canonical_table(built):
    table = pd.read_parquet(built / "creators.parquet")
    schemas.validate(table, "creators")
    canonical = list(schemas.CANONICAL_COLUMNS["creators"])
    assert list(table.columns[: len(canonical)]) == canonical
    assert table.index.equals(pd.RangeIndex(200))
    assert table["creator"].is_monotonic_increasing  # sorted by key within one snapshot


def test_no_temporary_files_left(built):
    leftovers = [p.name for p in built.parent.parent.rglob("tmp*")]
    assert leftovers == []


def test_clean_writes_nothing(data_dir):
    result = pipeline.clean(NAME, progress=False)
    assert sorted(result.tables) == ["creators"]
    assert len(result.tables["creators"]) == 200
    assert not (data_dir / "processed").exists()
    assert (data_dir / "raw" / NAME / "top_insta_influencers_data.csv").is_file()


# ---------------------------------------------------------------------------------------------
# load
# ---------------------------------------------------------------------------------------------


def test_load_builds_when_missing(data_dir):
    path = pipeline.table_path(NAME, "creators")
    assert path == data_dir / "processed" / NAME / "creators.parquet"
    assert not path.exists()
    table = datasets.load(NAME, "creators")
    assert path.is_file()
    assert len(table) == 200
    assert schemas.validate(table, "creators") is table
    assert (table["dataset"] == NAME).all()
    assert (table["platform"] == "instagram").all()


def test_load_reads_existing_table(data_dir):
    first = datasets.load(NAME)
    mtime = pipeline.table_path(NAME, "creators").stat().st_mtime_ns
    second = datasets.load(NAME, "creators")
    assert pipeline.table_path(NAME, "creators").stat().st_mtime_ns == mtime
    pd.testing.assert_frame_equal(first, second)


def test_load_unknown_table_names_available_tables(data_dir):
    with pytest.raises(ValueError, match=r"has no 'posts' table; it has \['creators'\]"):
        datasets.load(NAME, "posts")
    assert not (data_dir / "processed").exists()


def test_load_unknown_data_set(data_dir):
    with pytest.raises(datasets.UnknownDatasetError, match="registered data sets"):
        datasets.load("nope")


# ---------------------------------------------------------------------------------------------
# determinism
# ---------------------------------------------------------------------------------------------


def test_build_is_byte_identical_across_data_dirs(tmp_path, monkeypatch, mirror):
    monkeypatch.setenv("INSIGHTS_DATA_MIRROR", str(mirror))
    results = []
    for run in ("a", "b"):
        monkeypatch.setenv("INSIGHTS_DATA_DIR", str(tmp_path / run))
        pipeline.build(NAME, progress=False)
        results.append(digests(tmp_path / run / "processed"))
    assert sorted(results[0]) == [f"{NAME}/{name}" for name in OUTPUTS]
    assert results[0] == results[1]


def test_rebuild_in_place_is_byte_identical(data_dir):
    pipeline.build(NAME, progress=False)
    first = digests(data_dir / "processed")
    pipeline.build(NAME, progress=False)
    assert digests(data_dir / "processed") == first


@pytest.mark.slow
def test_all_data_sets_build_byte_identical(tmp_path, monkeypatch):
    if not SHARED_DATA.is_dir():
        pytest.skip(f"{SHARED_DATA} is not available")
    monkeypatch.setenv("INSIGHTS_DATA_MIRROR", str(SHARED_DATA))
    results = []
    for run in ("a", "b"):
        monkeypatch.setenv("INSIGHTS_DATA_DIR", str(tmp_path / run))
        counts = pipeline.build_all(progress=False)
        assert sorted(counts) == datasets.names()
        results.append(digests(tmp_path / run / "processed"))
    for name in datasets.names():
        assert f"{name}/build.json" in results[0], name
        assert f"{name}/cleaning_steps.csv" in results[0], name
    assert results[0] == results[1]


# ---------------------------------------------------------------------------------------------
# command line
# ---------------------------------------------------------------------------------------------


def run_cli(args: list[str], data: Path, mirror: Path | None) -> subprocess.CompletedProcess:
    env = dict(os.environ, INSIGHTS_DATA_DIR=str(data))
    env.pop("INSIGHTS_DATA_MIRROR", None)
    if mirror is not None:
        env["INSIGHTS_DATA_MIRROR"] = str(mirror)
    return subprocess.run(
        [sys.executable, "-m", "insights.ingest.pipeline", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.e2e
def test_cli_builds_and_prints_summary(tmp_path, mirror):
    data = tmp_path / "data"
    result = run_cli([NAME], data, mirror)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert f"[insights] {NAME}: fetching and cleaning ..." in result.stderr
    assert f"[insights] {NAME}: creators 200 rows; 0 dropped, 1 repaired" in result.stderr
    assert sorted(p.name for p in (data / "processed" / NAME).iterdir()) == OUTPUTS


@pytest.mark.e2e
def test_cli_unknown_name_lists_valid_names(tmp_path):
    data = tmp_path / "data"
    result = run_cli(["top-insta", NAME], data, None)
    assert result.returncode != 0
    assert "unknown data set(s) ['top-insta']" in result.stderr
    for name in datasets.names():
        assert name in result.stderr
    assert not data.exists()
