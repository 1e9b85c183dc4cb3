"""insights.ingest.blocks: a posts file cleaned block by block equals the file cleaned whole."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.ingest import blocks, intake

HEADER = "handle,post id,followers,likes,comments,posted,collected\n"


def export(rows: int = 400, seed: int = 0) -> pd.DataFrame:
    """A display-string post export with the faults the cleaning repairs or drops: display
    counts, a missing handle, a text follower count, an implausible like count, a negative
    comment count, and post ids repeated within and across blocks."""
    rng = np.random.default_rng(seed)
    owner = rng.integers(0, 25, rows)
    followers = (10 ** rng.uniform(3, 6.5, 25)).round()[owner]
    likes = rng.poisson(0.05 * followers**0.9).astype(int)
    frame = pd.DataFrame({
        "handle": [f"@c{j:02d}" for j in owner],
        "post id": [f"p{i}" for i in range(rows)],
        "followers": [f"{f / 1000:.1f}K" if f > 10_000 and i % 3 == 0 else str(int(f))
                      for i, f in enumerate(followers)],
        "likes": likes.astype(str),
        "comments": rng.poisson(likes * 0.03).astype(str),
        "posted": (pd.Timestamp("2026-01-01")
                   + pd.to_timedelta(rng.uniform(0, 50, rows), unit="D")).strftime("%Y-%m-%d"),
        "collected": "2026-03-01",
    })
    frame.loc[3, "handle"] = ""
    frame.loc[5, "followers"] = "n/a"
    frame.loc[7, "likes"] = "1e30"
    frame.loc[9, "comments"] = "-4"
    frame.loc[11, "post id"] = "p10"  # next to its copy
    frame.loc[rows - 2, "post id"] = "p20"  # far from it: another block
    frame.loc[rows - 1, "post id"] = "p0"
    return frame


def whole(path, **kw) -> intake.Intake:
    raw = intake.read_table(path)
    colmap = intake.map_columns(raw.frame.columns, {}, raw.frame)
    return intake.clean(raw, colmap, level="posts", **kw)


def in_blocks(path, tmp_path, blocksize="4kB", cap=blocks.EVENTS_PER_STEP, **kw):
    ddf, fmt = blocks.open_posts(path, blocksize=blocksize)
    colmap = intake.map_columns(list(ddf.columns), {}, blocks.first_rows(ddf))
    return blocks.clean_blocks(ddf, colmap, tmp_path / "clean", label=path.name, fmt=fmt,
                               cap=cap, **kw)


def assert_same_posts(result: pd.DataFrame, expected: pd.DataFrame) -> None:
    result = result.sort_values("source_row").reset_index(drop=True)
    expected = expected.sort_values("source_row").reset_index(drop=True)
    pd.testing.assert_frame_equal(result, expected[result.columns], check_dtype=False)


@pytest.fixture
def csv_export(tmp_path):
    path = tmp_path / "posts.csv"
    export().to_csv(path, index=False)
    return path


def test_a_csv_cleaned_in_blocks_equals_the_file_cleaned_whole(csv_export, tmp_path):
    expected = whole(csv_export)
    result = in_blocks(csv_export, tmp_path)
    assert len(result.files) > 3  # really in blocks
    assert_same_posts(result.frame().compute(), expected.table)
    assert result.rows == len(expected.table) and result.rows_read == 400
    assert result.components == expected.components


def test_the_log_at_scale_counts_every_event_of_the_whole_log(csv_export, tmp_path):
    expected = whole(csv_export)
    result = in_blocks(csv_export, tmp_path)
    events = expected.log.events()
    counts = events.groupby(["step", "action"]).size().rename("rows").reset_index()
    got = result.log.counts.sort_values(["step", "action"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, counts.sort_values(["step", "action"])
                                  .reset_index(drop=True), check_dtype=False)
    steps = expected.log.steps().set_index("step")[["rows_in", "rows_out", "dropped",
                                                      "repaired"]]
    summed = result.log.steps.set_index("step")[steps.columns]
    pd.testing.assert_frame_equal(summed.loc[steps.index], steps, check_dtype=False)
    # the events themselves, each pointing to its line of the file
    kept = result.log.events.sort_values("source_row").reset_index(drop=True)
    whole_events = events.sort_values("source_row").reset_index(drop=True)
    pd.testing.assert_frame_equal(kept[["step", "action", "source_row", "creator", "post_id"]],
                                  whole_events[["step", "action", "source_row", "creator",
                                                "post_id"]], check_dtype=False)


def test_repeated_posts_across_blocks_keep_the_first_in_file_order(csv_export, tmp_path):
    result = in_blocks(csv_export, tmp_path)
    dropped = result.log.events[result.log.events["step"] == "duplicate-posts"]
    assert sorted(dropped["source_row"].tolist()) == [12, 399, 400]
    posts = result.frame().compute()
    assert posts["post_id"].is_unique
    assert posts.loc[posts["post_id"] == "p0", "source_row"].tolist() == [1]


def test_the_sample_of_events_is_capped_per_step(tmp_path):
    frame = export(600)
    frame.loc[frame.index % 4 == 0, "likes"] = "lots"  # 150 unparseable values
    path = tmp_path / "posts.csv"
    frame.to_csv(path, index=False)
    result = in_blocks(path, tmp_path, cap=20)
    counts = result.log.counts.set_index(["step", "action"])["rows"]
    assert counts[("parse-likes", "repaired")] == 150
    kept = result.log.events[result.log.events["step"] == "parse-likes"]
    assert len(kept) == 20 and result.log.capped
    assert kept["source_row"].tolist() == sorted(kept["source_row"])[:20]
    assert kept["source_row"].min() == 1  # the first in file order


def test_a_parquet_folder_with_numbers_reads_as_the_csv_does(tmp_path):
    frame = export(300)
    csv = tmp_path / "posts.csv"
    frame.to_csv(csv, index=False)
    numbers = frame.assign(likes=pd.to_numeric(frame["likes"], errors="coerce"))
    folder = tmp_path / "pq"
    folder.mkdir()
    for i, part in enumerate(np.array_split(np.arange(len(frame)), 3)):
        numbers.iloc[part].to_parquet(folder / f"part-{i}.parquet", index=False)
    pd.DataFrame(columns=frame.columns).astype(str).to_parquet(folder / "part-9.parquet",
                                                               index=False)  # empty
    result = in_blocks(folder, tmp_path)
    expected = whole(csv)
    posts = result.frame().compute()
    assert_same_posts(posts.drop(columns=["source_file", "dataset"]),
                      expected.table.drop(columns=["source_file", "dataset"]))


@settings(max_examples=15, deadline=None)
@given(st.integers(1, 9), st.integers(0, 1000))
def test_any_split_into_blocks_gives_the_same_posts(tmp_path_factory, parts, seed):
    folder = tmp_path_factory.mktemp("split")
    frame = export(120, seed)
    csv = folder / "posts.csv"
    frame.to_csv(csv, index=False)
    cuts = np.sort(np.random.default_rng(seed).choice(np.arange(1, 120), parts - 1,
                                                      replace=False)) if parts > 1 else []
    (folder / "pq").mkdir()
    for i, part in enumerate(np.split(np.arange(120), cuts)):
        frame.iloc[part].to_parquet(folder / "pq" / f"part-{i:02d}.parquet", index=False)
    result = in_blocks(folder / "pq", folder)
    expected = whole(csv)
    posts = result.frame().compute()
    assert_same_posts(posts.drop(columns=["source_file", "dataset"]),
                      expected.table.drop(columns=["source_file", "dataset"]))
    assert result.log.counts["rows"].sum() == len(expected.log.events())


def test_text_cells_of_a_parquet_file_read_as_a_spreadsheet_shows_them():
    frame = pd.DataFrame({"a": [12.0, 0.1, np.nan, 1e20], "b": pd.array([1, None, 3, 4],
                                                                          dtype="Int64"),
                          "c": ["x", None, "y", ""]})
    result = blocks._as_text(frame)
    expected = pd.DataFrame({"a": ["12", "0.1", None, "1e+20"],
                             "b": ["1", None, "3", "4"], "c": ["x", None, "y", ""]},
                            dtype=object)
    pd.testing.assert_frame_equal(result, expected)


def test_block_errors_name_the_problem(tmp_path):
    no_engagement = tmp_path / "roster.csv"
    pd.DataFrame({"handle": ["a", "b"], "followers": ["10", "20"],
                  "post id": ["1", "2"]}).to_csv(no_engagement, index=False)
    with pytest.raises(intake.InputError, match="no engagement column"):
        in_blocks(no_engagement, tmp_path)
    with pytest.raises(intake.InputError, match="no such file, folder or pattern"):
        blocks.source_files(tmp_path / "missing")
    with pytest.raises(intake.InputError, match="no Parquet files"):
        blocks.source_files(tmp_path / "*.parquet")
    nothing = tmp_path / "bad.csv"
    pd.DataFrame({"handle": ["a", "b"], "followers": ["x", "y"], "likes": ["1", "2"],
                  "post id": ["1", "2"]}).to_csv(nothing, index=False)
    with pytest.raises(intake.InputError, match="no row of bad.csv has a creator handle"):
        in_blocks(nothing, tmp_path)


def test_a_block_is_cleaned_as_posts_with_a_given_decimal_mark(csv_export):
    raw = intake.read_table(csv_export)
    colmap = intake.map_columns(raw.frame.columns, {}, raw.frame)
    with pytest.raises(ValueError, match="pass level='posts' and decimal"):
        intake.clean(raw, colmap, whole=False)


def test_what_counts_as_large(tmp_path):
    small = tmp_path / "a.csv"
    small.write_text(HEADER)
    (tmp_path / "b.parquet").write_bytes(b"")
    assert not blocks.is_large(small)
    assert blocks.is_large(tmp_path) and blocks.is_large(tmp_path / "*.csv")
    assert blocks.is_large(tmp_path / "b.parquet")
