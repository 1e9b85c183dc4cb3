"""Tests for the ``social-media-influencers-2022`` recipe, on tiny crafted copies of each file.

The crafted files use the exact header cells listed in the data set's PROVENANCE.md (line
breaks and stray spaces included) and put each value in the position that header says, so the
tests check the recipe's header table against an independent reading of the files.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

from insights import schemas
from insights.ingest.recipes import social_media_2022 as recipe

MIRROR = Path(
    os.environ.get("INSIGHTS_DATA_MIRROR", Path(__file__).resolve().parents[2] / "shared" / "data")
)
REAL = MIRROR / recipe.NAME

IG = "social media influencers - instagram.csv"
IG_JUN = "social media influencers-instagram june 2022 - june 2022.csv"
IG_SEP = "social media influencers - instagram sep-2022.csv"
IG_NOV = "social media influencers-instagram - -nov 2022.csv"
IG_DEC = "social media influencers-INSTAGRAM - -DEC 2022.csv"
TT = "social media influencers - tiktok.csv"
TT_JUN = "social media influencers-tiktok june 2022 - june 2022.csv"
TT_SEP = "social media influencers - Tiktok sep 2022.csv"
TT_NOV = "social media influencers-tiktok - ---nov 2022.csv"
TT_DEC = "social media influencers-TIKTOK - ---DEC 2022.csv"
YT = "social media influencers - youtube.csv"
YT_JUN = "social media influencers-youtube june 2022 - june 2022.csv"
YT_SEP = "social media influencers - Youtube sep-2022.csv"
YT_NOV = "social media influencers-youtube - --nov 2022.csv"
YT_DEC = "social media influencers-YOUTUBE - --DEC 2022.csv"

#: file → (platform, snapshot, [(exact header cell, meaning)]), from PROVENANCE.md.
LAYOUT = {
    IG: ("instagram", "2022-03", [
        ("Influencer insta name", "handle"), ("instagram name", "display"),
        ("category_1", "cat"), ("category_2", "cat2"), ("Followers", "followers"),
        ("Audience country(mostly)", "country"), ("Authentic engagement\r\n", "auth"),
        ("Engagement avg\r\n", "eng")]),
    IG_JUN: ("instagram", "2022-06", [
        ("instagram name", "handle"), ("influencer name ", "display"), ("Category_1", "cat"),
        ("Category_2", "cat2"), ("followers", "followers"), ("country", "country"),
        ("Eng. (Auth.)", "auth"), ("Eng. (Avg.)", "eng")]),
    IG_SEP: ("instagram", "2022-09", [
        ("S.no", "rank"), ("Instagram name", "handle"), (" Name", "display"),
        ("Subscribers", "followers"), ("Audience country", "country"),
        ("Authentic engagement\n", "auth"), ("Engagement average\r\n", "eng"),
        ("Category_1", "cat"), ("Category_2", "cat2")]),
    IG_NOV: ("instagram", "2022-11", [
        ("s.no", "rank"), ("Name", "handle"), ("Instagram Name", "display"),
        ("Category-1", "cat"), ("Followers", "followers"), ("\nCountry", "country"),
        ("Eng. (Auth.)", "auth"), ("Eng. (Avg.)", "eng"), ("Category-2", "cat2")]),
    IG_DEC: ("instagram", "2022-12", [
        ("Rank", "rank"), ("name", "handle"), ("instagram name", "display"),
        ("Category_1", "cat"), ("Category_2", "cat2"), ("followers", "followers"),
        ("country", "country"), ("Eng. (Auth.)", "auth"), ("Eng. (Avg.)", "eng")]),
    TT: ("tiktok", "2022-03", [
        ("Tiktoker name", "handle"), ("Tiktok name", "display"),
        ("Subscribers count", "followers"), ("Views avg.", "views"), ("Likes avg", "likes"),
        ("Comments avg.", "comments"), ("Shares avg", "shares")]),
    TT_JUN: ("tiktok", "2022-06", [
        ("Tiktoker", "handle"), ("influencer name", "display"),
        ("Subscribers count", "followers"), ("Views avg.", "views"), ("Likes avg", "likes"),
        ("Comments avg.", "comments"), ("Shares avg", "shares")]),
    TT_SEP: ("tiktok", "2022-09", [
        ("S.no", "rank"), ("Tiktoker name", "handle"), ("Tiktok name", "display"),
        ("Subscribers", "followers"), ("Views avg.", "views"), ("Likes avg.", "likes"),
        ("Comments avg.", "comments"), ("Shares avg.", "shares")]),
    TT_NOV: ("tiktok", "2022-11", [
        ("row-cell", "rank"), ("Tiktoker name", "handle"), ("Tiktok name", "display"),
        ("\nFollowers", "followers"), ("Views (Avg.)", "views"), ("Likes (Avg.)", "likes"),
        ("Comments (Avg.)", "comments"), ("Shares (Avg.)", "shares")]),
    TT_DEC: ("tiktok", "2022-12", [
        ("Rank", "rank"), ("Tiktoker name", "handle"), ("Tiktok name", "display"),
        ("followers", "followers"), ("views(avg)", "views"), ("likes(avg.)", "likes"),
        ("comments(avg.)", "comments"), ("shares(avg.)", "shares")]),
    YT: ("youtube", "2022-03", [
        ("youtuber name", "handle"), ("channel name", "display"), ("Category", "cat"),
        ("Subscribers", "followers"), ("Audience Country", "country"), ("avg views", "views"),
        ("avg likes", "likes"), ("avg comments", "comments")]),
    YT_JUN: ("youtube", "2022-06", [
        ("channel name", "handle"), ("youTuber", "display"), ("Category", "cat"),
        ("Category_2", "cat2"), ("Subscribers count", "followers"), ("Country", "country"),
        ("Views avg.", "views"), ("Likes avg", "likes"), ("Comments avg.", "comments")]),
    YT_SEP: ("youtube", "2022-09", [
        ("S.no", "rank"), ("Name", "display"), ("Youtuber", "handle"), ("Country", "country"),
        (" Subscribers", "followers"), ("Category_2", "cat"), ("Avg. views\r\n", "views"),
        ("Avg. likes", "likes"), ("Avg Comments", "comments"), ("Category_3", "cat2")]),
    YT_NOV: ("youtube", "2022-11", [
        ("s.no", "rank"), ("Youtube channel", "handle"), ("youtuber name", "display"),
        ("Category", "cat"), ("Followers", "followers"), ("Country", "country"),
        ("\nViews (Avg.)", "views"), ("Likes (Avg.)", "likes"),
        ("Comments (Avg.)", "comments"), ("Category-2", "cat2")]),
    YT_DEC: ("youtube", "2022-12", [
        ("s.no", "rank"), ("Youtube channel", "handle"), ("youtuber name", "display"),
        ("Category", "cat"), ("Followers", "followers"), ("Country", "country"),
        ("\nViews (Avg.)", "views"), ("Likes (Avg.)", "likes"),
        ("Comments (Avg.)", "comments"), ("Category-2", "cat2")]),
}


def _write(raw: Path, name: str, rows: list[dict[str, str]], *, bom: bool = False) -> None:
    """Write ``rows`` (meaning → text) under the file's exact header, CRLF line endings."""
    header = [cell for cell, _ in LAYOUT[name][2]]
    meanings = [meaning for _, meaning in LAYOUT[name][2]]
    with open(raw / name, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows([[row.get(m, "") for m in meanings] for row in rows])


def _default_row(name: str) -> dict[str, str]:
    platform, snapshot, _ = LAYOUT[name]
    return {
        "handle": f" {platform.title()}_{snapshot} ",
        "display": f"Display {snapshot}",
        "rank": "7",
        "cat": "Music",
        "cat2": "Humor",
        "followers": "1.5M",
        "country": "India",
        "auth": "10K",
        "eng": "12.5K",
        "views": "2M",
        "likes": "300K",
        "comments": "1.2K",
        "shares": "800",
    }


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    for name in LAYOUT:
        _write(folder, name, [_default_row(name)])
    return folder


def _rows(result, columns: list[str], **where) -> pd.DataFrame:
    frame = result.tables["creators"]
    for column, value in where.items():
        frame = frame[frame[column] == value]
    return frame[columns].reset_index(drop=True)


def test_every_header_variant_maps_to_the_same_columns(raw: Path) -> None:
    result = recipe.clean(raw)
    columns = ["platform", "snapshot", "creator", "handle", "display_name", "followers",
               "rank", "category", "category_2", "country"]
    got = result.tables["creators"][columns].sort_values(["platform", "snapshot"])
    platforms = [LAYOUT[n][0] for n in LAYOUT]
    snapshots = [LAYOUT[n][1] for n in LAYOUT]
    meanings = [{m for _, m in LAYOUT[n][2]} for n in LAYOUT]
    expected = pd.DataFrame(
        {
            "platform": platforms,
            "snapshot": snapshots,
            "creator": [f"{p}_{s}" for p, s in zip(platforms, snapshots, strict=True)],
            "handle": [f"{p.title()}_{s}" for p, s in zip(platforms, snapshots, strict=True)],
            "display_name": [f"Display {s}" for s in snapshots],
            "followers": 1_500_000.0,
            "rank": [7.0 if "rank" in m else np.nan for m in meanings],
            "category": [None if p == "tiktok" else "Music" for p in platforms],
            "category_2": ["Humor" if "cat2" in m else None for m in meanings],
            "country": [None if p == "tiktok" else "India" for p in platforms],
        }
    ).astype({c: "str" for c in ["category", "category_2", "country"]})
    expected = expected.sort_values(["platform", "snapshot"])
    assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True))


def test_metrics_per_platform(raw: Path) -> None:
    result = recipe.clean(raw)
    metrics = ["authentic_engagement", "avg_engagement", "avg_views", "avg_likes",
               "avg_comments", "avg_shares"]
    got = (result.tables["creators"].groupby("platform")[metrics].first()
           .reset_index())
    expected = pd.DataFrame(
        {
            "platform": ["instagram", "tiktok", "youtube"],
            "authentic_engagement": [10_000.0, np.nan, np.nan],
            "avg_engagement": [12_500.0, np.nan, np.nan],
            "avg_views": [np.nan, 2_000_000.0, 2_000_000.0],
            "avg_likes": [np.nan, 300_000.0, 300_000.0],  # Instagram does not split likes
            "avg_comments": [np.nan, 1_200.0, 1_200.0],
            "avg_shares": [np.nan, 800.0, np.nan],
        }
    )
    assert_frame_equal(got, expected, check_index_type=False)


def test_number_formats_and_missing_markers(raw: Path) -> None:
    values = ["48.5M", "637K", "1.2B", "348.5", "N/A", "N/A'", "-", "", "12 views"]
    rows = [dict(_default_row(YT_JUN), handle=f"ch{i}", views=v, country=c)
            for i, (v, c) in enumerate(zip(values, ["India", "N/A", "-", ""] + ["x"] * 5,
                                           strict=True))]
    _write(raw, YT_JUN, rows)
    result = recipe.clean(raw)
    got = _rows(result, ["creator", "avg_views", "country"], snapshot="2022-06",
                platform="youtube")
    expected = pd.DataFrame(
        {
            "creator": [f"ch{i}" for i in range(9)],
            "avg_views": [48_500_000.0, 637_000.0, 1_200_000_000.0, 348.5,
                          np.nan, np.nan, np.nan, np.nan, np.nan],
            "country": ["India", None, None, None, "x", "x", "x", "x", "x"],
        }
    ).astype({"country": "str"})
    assert_frame_equal(got, expected)
    events = result.log.events()
    invalid = events[events["step"] == "parse-avg_views"]
    assert invalid[["action", "creator", "old_value", "source_row"]].to_numpy().tolist() == [
        ["repaired", "ch8", "12 views", 9]
    ]


def test_empty_first_row_of_the_november_tiktok_file(raw: Path) -> None:
    _write(raw, TT_NOV, [{}, dict(_default_row(TT_NOV), rank="1")])
    result = recipe.clean(raw)
    events = result.log.events()
    dropped = events[events["step"] == "empty-row"]
    assert dropped[["source_file", "source_row", "reason"]].to_numpy().tolist() == [
        [TT_NOV, 1, "entirely empty row (every cell blank)"]
    ]
    got = _rows(result, ["creator", "rank", "source_row"], snapshot="2022-11",
                platform="tiktok")
    expected = pd.DataFrame({"creator": ["tiktok_2022-11"], "rank": [1.0],
                             "source_row": np.array([2], dtype="int64")})
    assert_frame_equal(got, expected)


def test_exact_duplicates_then_duplicate_handles_within_a_file(raw: Path) -> None:
    base = _default_row(IG_SEP)
    rows = [
        dict(base, rank="1", handle="Alpha", followers="3M"),
        dict(base, rank="2", handle="beta", followers="2M"),
        dict(base, rank="1", handle="Alpha", followers="3M"),   # exact copy of row 1
        dict(base, rank="4", handle=" alpha ", followers="2.9M"),  # same handle, new data
    ]
    _write(raw, IG_SEP, rows)
    # The same handle in another file is a different snapshot and is kept.
    _write(raw, IG_DEC, [dict(_default_row(IG_DEC), handle="alpha")])
    result = recipe.clean(raw)
    got = _rows(result, ["snapshot", "creator", "followers", "source_row"],
                platform="instagram")
    got = got[got["creator"].isin(["alpha", "beta"])].reset_index(drop=True)
    expected = pd.DataFrame(
        {
            "snapshot": ["2022-09", "2022-09", "2022-12"],
            "creator": ["alpha", "beta", "alpha"],
            "followers": [3_000_000.0, 2_000_000.0, 1_500_000.0],
            "source_row": np.array([1, 2, 1], dtype="int64"),
        }
    )
    assert_frame_equal(got.sort_values(["snapshot", "creator"]).reset_index(drop=True),
                       expected)
    events = result.log.events()
    dropped = events[events["action"] == "dropped"]
    assert dropped[["step", "source_row", "creator", "reason"]].to_numpy().tolist() == [
        ["exact-duplicate", 3, "alpha",
         "identical in every column to source_row 1 of the same file"],
        ["duplicate-handle", 4, "alpha",
         "handle repeats source_row 1 of the same file (kept the first)"],
    ]


def test_rows_without_handle_or_followers_are_logged_drops(raw: Path) -> None:
    rows = [dict(_default_row(TT), handle="  "), dict(_default_row(TT), followers="N/A"),
            dict(_default_row(TT), handle="ok")]
    _write(raw, TT, rows)
    result = recipe.clean(raw)
    events = result.log.events()
    dropped = events[events["action"] == "dropped"]
    assert dropped[["step", "source_file", "source_row"]].to_numpy().tolist() == [
        ["no-handle", TT, 1], ["no-followers", TT, 2]
    ]
    assert _rows(result, ["creator"], platform="tiktok", snapshot="2022-03")[
        "creator"].tolist() == ["ok"]


def test_byte_order_mark_is_tolerated(raw: Path) -> None:
    _write(raw, YT, [_default_row(YT)], bom=True)
    result = recipe.clean(raw)
    assert _rows(result, ["creator"], platform="youtube", snapshot="2022-03")[
        "creator"].tolist() == ["youtube_2022-03"]


def test_unexpected_header_is_an_error(raw: Path) -> None:
    (raw / TT_DEC).write_text("Rank,handle,followers\r\n1,a,1M\r\n", encoding="utf-8")
    with pytest.raises(ValueError, match="does not match the expected"):
        recipe.clean(raw)


def test_missing_file_is_an_error(raw: Path) -> None:
    (raw / YT_DEC).unlink()
    with pytest.raises(FileNotFoundError, match="DEC 2022"):
        recipe.clean(raw)


def test_table_conforms_validates_and_has_a_unique_key(raw: Path) -> None:
    rows = [dict(_default_row(IG), handle=h) for h in ["A", "a", "B"]]
    _write(raw, IG, rows)
    table = recipe.clean(raw).tables["creators"]
    conformed = schemas.validate(schemas.conform(table, "creators"), "creators")
    assert not conformed.duplicated(schemas.KEYS["creators"]).any()
    assert len(conformed) == 15 + 1


@pytest.mark.slow
def test_real_data() -> None:
    if not all((REAL / name).is_file() for name in LAYOUT):
        pytest.skip(f"real data not found at {REAL}")
    result = recipe.clean(REAL)
    table = schemas.validate(schemas.conform(result.tables["creators"], "creators"),
                             "creators")
    assert not table.duplicated(schemas.KEYS["creators"]).any()
    steps = result.log.steps()
    read = steps[steps["step"] == "read"]
    assert int(read["rows_in"].sum()) == 15_151  # "data rows" of PROVENANCE.md, all files
    events = result.log.events()
    exact = events[events["step"] == "exact-duplicate"].groupby("source_file").size()
    assert exact.to_dict() == {
        YT_SEP: 47, IG_SEP: 50, IG_JUN: 27, YT_JUN: 21, TT_JUN: 15, TT: 11, YT_DEC: 3, YT: 1
    }
    assert events[events["step"] == "empty-row"]["source_file"].tolist() == [TT_NOV]
    assert int((events["step"] == "duplicate-handle").sum()) == 79
    assert not events["step"].str.startswith("parse-").any()
    assert len(table) == 15_151 - 1 - 175 - 79
    by_file = table.groupby(["platform", "snapshot"])["followers"]
    assert by_file.min().to_dict() == {
        ("instagram", "2022-03"): 2_600_000.0, ("instagram", "2022-06"): 2_200_000.0,
        ("instagram", "2022-09"): 1_900_000.0, ("instagram", "2022-11"): 1_900_000.0,
        ("instagram", "2022-12"): 2_200_000.0, ("tiktok", "2022-03"): 2_100.0,
        ("tiktok", "2022-06"): 3_000.0, ("tiktok", "2022-09"): 5_100.0,
        ("tiktok", "2022-11"): 20_400.0, ("tiktok", "2022-12"): 10_300.0,
        ("youtube", "2022-03"): 9_200_000.0, ("youtube", "2022-06"): 9_300_000.0,
        ("youtube", "2022-09"): 9_900_000.0, ("youtube", "2022-11"): 10_100_000.0,
        ("youtube", "2022-12"): 10_100_000.0,
    }
    assert by_file.max().max() == 579_800_000.0
    instagram = table[table["platform"] == "instagram"]
    assert instagram["avg_likes"].isna().all()
    assert instagram["avg_engagement"].notna().mean() > 0.99
    ronaldo = table[(table["creator"] == "cristiano") & (table["snapshot"] == "2022-12")]
    assert ronaldo["country"].tolist() == ["India"]  # the audience's country, not his own
