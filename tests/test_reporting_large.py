"""``insights report --engine dask``: a posts file read in blocks gives the report of the file
read whole (tables/summary.csv to 1e-6, and the creator, tier and C2 tables)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from insights.reporting import analyses, cli
from insights.stats import Elasticity

INSIGHTS = Path(sys.executable).parent / "insights"
FAST = ["--resamples", "200", "--quiet", "--seed", "3"]
NUMBERS = ["estimate", "ci_low", "ci_high"]


def export(n_creators: int = 160, seed: int = 4) -> pd.DataFrame:
    """A post export across the tiers, with display counts, zero-engagement posts, a post
    without a follower count, a repeated post id (in another block) and an unparseable
    like count."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n_creators):
        followers = round(10 ** rng.uniform(3.2, 6.7))
        level = rng.lognormal(0, 0.5)
        for j in range(int(rng.integers(2, 9))):
            likes = rng.poisson(0.06 * followers**0.85 * level * rng.lognormal(0, 0.7))
            rows.append({"Username": f"user{i:03d}", "Post ID": f"{i}-{j}",
                         "Followers": f"{followers / 1e6:.2f}M" if followers > 2e6
                         else f"{followers:,}",
                         "Likes": str(likes), "Comments": str(rng.poisson(likes * 0.02)),
                         "Posted": f"2025-{1 + j:02d}-{1 + i % 28:02d}",
                         "Collected": "2025-12-31"})
    frame = pd.DataFrame(rows)
    frame.loc[5, "Followers"] = ""
    frame.loc[8, "Likes"] = "many"
    frame.loc[len(frame) - 1, "Post ID"] = frame.loc[2, "Post ID"]
    return frame


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("large")
    frame = export()
    csv = folder / "posts.csv"
    frame.to_csv(csv, index=False)
    parquet = folder / "crawl"
    parquet.mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(frame)), 4)):
        frame.iloc[rows].to_parquet(parquet / f"part-{i}.parquet", index=False)
    return {"csv": csv, "parquet": parquet}


def run(folder: Path, source: Path, *options) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / "report.html"
    proc = subprocess.run([str(INSIGHTS), "report", str(source), "--out", str(out), *FAST,
                           *options], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, cwd=folder, timeout=900)
    assert proc.returncode == 0, proc.stderr[-4000:]
    return out.with_name("report_files") / "tables"


@pytest.fixture(scope="module")
def whole(files, tmp_path_factory) -> Path:
    return run(tmp_path_factory.mktemp("whole"), files["csv"], "--engine", "pandas")


def assert_same_tables(result: Path, expected: Path) -> None:
    summary, reference = (pd.read_csv(p / "summary.csv") for p in (result, expected))
    np.testing.assert_allclose(summary[NUMBERS].to_numpy(dtype=float),
                               reference[NUMBERS].to_numpy(dtype=float), rtol=1e-6)
    pd.testing.assert_frame_equal(summary.drop(columns=NUMBERS),
                                  reference.drop(columns=NUMBERS))
    for name in ("creators", "tiers", "c2"):
        pd.testing.assert_frame_equal(pd.read_csv(result / f"{name}.csv"),
                                      pd.read_csv(expected / f"{name}.csv"), rtol=1e-6,
                                      obj=name)


@pytest.mark.e2e
def test_a_parquet_folder_on_two_worker_processes_gives_the_csv_report(files, whole,
                                                                       tmp_path):
    tables = run(tmp_path, files["parquet"], "--engine", "dask", "--workers", "2")
    assert_same_tables(tables, whole)
    summary = pd.read_csv(tables / "summary.csv")
    assert summary["estimate"].notna().sum() >= 3  # C1 both ways and a tier ratio, at least
    counts = pd.read_csv(tables / "cleaning_counts.csv").set_index(["step", "action"])
    log = pd.read_csv(whole / "cleaning_log.csv")
    assert counts["rows"].sum() == len(log)
    assert counts.loc[("duplicate-posts", "dropped"), "rows"] == 1
    html = (tables.parent.parent / "report.html").read_text(encoding="utf-8")
    assert "read in blocks (sums over blocks with Dask" in html  # the fit's note


@pytest.mark.e2e
def test_the_csv_read_in_blocks_on_threads_gives_the_same_report(files, whole, tmp_path):
    assert_same_tables(run(tmp_path, files["csv"], "--engine", "dask"), whole)


# --------------------------------------------------------------------------------------------
# what stops before any work (in process: no kernel is started)


def error_of(capsys, *args, command: str = "report") -> str:
    assert cli.main([command, *map(str, args), "--quiet"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_block_options_without_the_block_engine_are_refused(capsys, files, tmp_path):
    out = tmp_path / "r.html"
    assert "add --engine dask" in error_of(capsys, files["csv"], "--out", out,
                                           "--engine", "pandas", "--workers", "2")
    assert "--sheet and --header-row" in error_of(capsys, files["parquet"], "--out", out,
                                                  "--header-row", "2")
    assert "not both" in error_of(capsys, files["parquet"], "--out", out, "--workers", "2",
                                  "--scheduler", "tcp://127.0.0.1:1")
    assert "give at least 1" in error_of(capsys, files["parquet"], "--out", out,
                                         "--workers", "0")
    assert not list(tmp_path.iterdir())  # nothing written


def test_what_the_block_engine_cannot_analyse_is_said(capsys, tmp_path):
    fees = tmp_path / "fees"
    fees.mkdir()
    pd.DataFrame({"handle": ["a", "b"], "followers": ["10", "20"], "likes": ["1", "2"],
                  "fee": ["100", "200"]}).to_parquet(fees / "p.parquet")
    out = tmp_path / "r.html"
    assert "a campaign file with fees fits in memory" in error_of(capsys, fees, "--out", out)
    assert "analysed as posts" in error_of(capsys, fees, "--out", out, "--level", "creators")
    assert "no Parquet files" in error_of(capsys, tmp_path / "none" / "*.parquet", "--out",
                                          out)
    one = tmp_path / "one"
    one.mkdir()
    pd.DataFrame({"handle": ["a", "a"], "followers": ["10", "10"], "likes": ["1", "2"],
                  "post": ["1", "2"]}).to_parquet(one / "p.parquet")
    assert "only one creator ('a')" in error_of(capsys, one, "--out", out)


def test_a_stored_fit_is_read_back_at_the_notebooks_level():
    fit = Elasticity(0.8, 0.05, 0.7, 0.9, 500, 40, 0, 1.0, (0.01, 0.0, 0.0025), "m", 0.95,
                     "engagement", "followers", 1e3, 1e6, df=39.0)
    stored = {k: (list(v) if isinstance(v, tuple) else v) for k, v in fit.__dict__.items()}
    same = analyses._stored_fit(stored, 0.95)
    assert same == fit
    wider = analyses._stored_fit(stored, 0.99)
    half = 2.7079 * 0.05  # t(0.995, 39)
    assert wider.ci_low == pytest.approx(0.8 - half, abs=1e-4) and wider.level == 0.99


# --------------------------------------------------------------------------------------------
# insights convert


def test_convert_writes_one_canonical_parquet_file_per_block_and_the_log(files, tmp_path,
                                                                         capsys):
    target = tmp_path / "crawl"
    assert cli.main(["convert", str(files["parquet"]), "--to", str(target), "--quiet"]) == 0
    parts = sorted(target.glob("part-*.parquet"))
    assert len(parts) == 4
    posts = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    assert posts["post_id"].is_unique and posts["source_row"].is_monotonic_increasing
    assert str(posts["followers"].dtype) == "float64"
    conversion = json.loads((target / "_cleaning" / "conversion.json").read_text())
    assert conversion["rows"] == len(posts) == conversion["rows_read"] - 2
    counts = pd.read_csv(target / "_cleaning" / "counts.csv")
    assert counts["rows"].sum() == len(pd.read_csv(target / "_cleaning" / "events.csv"))
    assert not capsys.readouterr().err
    # never over an existing folder, and nothing half-written on an error
    assert "exists" in error_of(capsys, "--to", target, files["csv"], command="convert")
    fees = tmp_path / "roster.csv"
    pd.DataFrame({"handle": ["a"], "followers": ["1"]}).to_csv(fees, index=False)
    assert "no engagement column" in error_of(capsys, fees, "--to", tmp_path / "new",
                                              command="convert")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crawl", "roster.csv"]


@pytest.mark.e2e
def test_a_converted_folder_gives_the_report_of_the_export(files, whole, tmp_path):
    target = tmp_path / "crawl"
    assert cli.main(["convert", str(files["csv"]), "--to", str(target), "--quiet"]) == 0
    assert_same_tables(run(tmp_path / "report", target), whole)


# --------------------------------------------------------------------------------------------
# the notebook's analyses on the command's creator rows and fits (no kernel)


@pytest.fixture(scope="module")
def both_inputs(files, tmp_path_factory):
    """The template's inputs for the CSV read whole and read in blocks (on threads)."""
    import dask

    from insights.ingest import intake
    from insights.reporting import large
    from insights.reporting.inputs import read_inputs, write_inputs

    folder = tmp_path_factory.mktemp("inputs")
    raw = intake.read_table(files["csv"])
    cleaned = intake.clean(raw, intake.map_columns(raw.frame.columns, {}, raw.frame))
    write_inputs(cleaned, folder / "whole", extra={"seed": 3})
    with dask.config.set(scheduler="threads"):
        large.prepare_large(files["csv"], folder / "blocks", folder / "scratch",
                            progress=lambda m: None, mapping={}, platform=None, level=None,
                            encoding=None, decimal=None, options={"seed": 3}, generated="now",
                            steps=4, start=0.0)
    return read_inputs(folder / "whole"), read_inputs(folder / "blocks")


def test_the_analyses_on_creator_rows_equal_those_on_the_whole_table(both_inputs):
    whole, scaled = both_inputs
    assert scaled.scaled and not whole.scaled and scaled.rows == whole.rows
    assert len(scaled.table) == min(whole.rows, large_sample())
    rates = analyses.creator_rates_of(whole)
    pd.testing.assert_frame_equal(analyses.creator_rates_of(scaled), rates, check_dtype=False)
    fits = {}
    for estimand in ("typical", "expected"):
        a = analyses.c1_fit(whole, estimand=estimand)
        b = analyses.c1_fit(scaled, estimand=estimand)
        for name in ("estimate", "ci_low", "ci_high"):
            assert getattr(b.result, name) == pytest.approx(getattr(a.result, name), rel=1e-8)
        assert (b.result.n, b.result.verdict) == (a.result.n, a.result.verdict)
        assert b.fit.intercept == pytest.approx(a.fit.intercept, rel=1e-8)
        fits[estimand] = (a, b)
    for inputs, which in ((whole, 0), (scaled, 1)):
        rng = np.random.default_rng(5)
        tiers = analyses.tiers_claim(inputs, scheme="industry", rng=rng, n_resamples=200)
        c2 = analyses.c2_section(inputs, rng=rng, n_resamples=200)
        table = analyses.creator_table(inputs, rates, fits["expected"][which]).table
        if which == 0:
            reference = (tiers, c2.result, table)
    assert (tiers.estimate, tiers.ci_low) == pytest.approx(
        (reference[0].estimate, reference[0].ci_low), rel=1e-10)
    assert tiers.verdict == reference[0].verdict
    assert c2.result.verdict == reference[1].verdict
    assert (c2.result.estimate, c2.result.ci_low, c2.result.ci_high) == pytest.approx(
        (reference[1].estimate, reference[1].ci_low, reference[1].ci_high), rel=1e-10,
        nan_ok=True)
    pd.testing.assert_frame_equal(table, reference[2], rtol=1e-7)
    assert analyses.quality_headline(scaled) == analyses.quality_headline(whole).replace(
        whole.label, scaled.label)
    pd.testing.assert_series_equal(
        analyses.posts_per_creator(scaled).reset_index(drop=True).rename(None),
        analyses.posts_per_creator(whole).reset_index(drop=True).rename(None),
        check_dtype=False)


def large_sample() -> int:
    from insights.reporting.large import SAMPLE_POSTS

    return SAMPLE_POSTS


@pytest.mark.e2e
def test_an_existing_cluster_given_by_its_address_gives_the_same_report(files, whole,
                                                                       tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        tables = run(tmp_path, files["parquet"], "--scheduler", cluster.scheduler_address)
    assert_same_tables(tables, whole)
