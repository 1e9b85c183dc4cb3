"""Tests for insights.ingest.intake: reading an analyst's export, mapping, cleaning with a log."""

from __future__ import annotations

import hashlib
import json
import random
import string
import warnings

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights.ingest import intake
from insights.ingest.intake import (
    InputError,
    aliases,
    load,
    map_columns,
    normalise_name,
    read_table,
)
from insights.paths import raw_dir

EVENT_DTYPES = {
    "step": "string", "action": "string", "source_row": "Int64", "creator": "string",
    "column": "string", "old_value": "string", "new_value": "string",
}
STEP_COUNTS = ["step", "rows_in", "rows_out", "dropped", "repaired"]
CREATORS_CSV = "Handle,Followers,Likes,Comments\na,100,1,2\nb,200,3,4\nc,300,5,6\n"


def write(folder, name, content):
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def one_line_error(func, *args, phrase, **kwargs) -> str:
    """Call ``func``, expect an InputError whose message is one line holding ``phrase``."""
    with pytest.raises(InputError) as info:
        func(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    assert phrase in message, message
    return message


def events_of(result, step) -> pd.DataFrame:
    events = result.log.events()
    rows = events.loc[events["step"] == step, list(EVENT_DTYPES)]
    return rows.reset_index(drop=True)


def expected_events(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(EVENT_DTYPES)).astype(EVENT_DTYPES)


def by_creator(result, column) -> pd.Series:
    return result.table.set_index("creator")[column].rename_axis(None).rename(None).sort_index()


# --- alias table ----------------------------------------------------------------------------


def test_alias_table_loads_and_validates():
    table = aliases()
    assert list(table.columns) == ["field", "alias", "per", "note"]
    assert len(table) > 100
    assert set(table["field"]) <= set(intake.FIELDS)
    assert set(table["per"]) <= {"post", "average", "any"}
    intake._validate_aliases(table)  # raises on a bad table


def test_aliases_are_normalised_and_unique():
    table = aliases()
    result = table["alias"].map(normalise_name)
    tm.assert_series_equal(result, table["alias"])
    assert table["alias"].is_unique
    table.loc[0, "field"] = "changed"
    assert aliases().loc[0, "field"] != "changed"  # a copy


REAL_NAMES = {
    ("followers", "any"): ["Followers", "followers_count", "Subscribers", "user_followers",
                           "#Followers"],
    ("likes", "post"): ["favorites", "n_likes", "diggCount"],
    ("likes", "average"): ["Likes (Avg.)", "avg_likes", "likes(avg.)"],
    ("views", "post"): ["n_plays", "playCount"],
    ("views", "average"): ["Views (Avg.)", "\nViews (Avg.)"],
    ("comments", "average"): ["Comments (Avg.)"],
    ("creator", "any"): ["channel_info", "Youtuber", "user_name", "Instagram name",
                         "Tiktoker name", "Youtube channel"],
    ("fee", "any"): ["fee", "Cost"],
    ("revenue", "any"): ["revenue"],
    ("posted_at", "post"): ["create_time", "Posted date"],
}


@pytest.mark.parametrize(
    ("column", "field", "per"),
    [(column, f, per) for (f, per), columns in REAL_NAMES.items() for column in columns],
)
def test_real_column_names_map_to_their_field(column, field, per):
    result = map_columns([column])
    assert result.columns == {field: column}
    assert result.per == {field: per}
    assert result.ignored == {}


def _good_table() -> pd.DataFrame:
    return pd.DataFrame(
        {"field": ["creator", "followers"], "alias": ["handle", "followers"],
         "per": ["any", "any"], "note": ["", ""]}
    )


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda t: t.assign(field=["creator", "fans_total"]), "unknown fields"),
        (lambda t: t.assign(per=["any", "sometimes"]), "'per' must be one of"),
        (lambda t: t.assign(alias=["handle", "handle"]), "appear twice"),
        (lambda t: t.assign(alias=["handle", "Followers_Count"]), "must be written normalised"),
        (lambda t: t.rename(columns={"note": "comment"}), "expected"),
    ],
)
def test_validate_aliases_rejects_bad_table(change, match):
    intake._validate_aliases(_good_table())
    with pytest.raises(ValueError, match=match):
        intake._validate_aliases(change(_good_table()))


# --- normalise_name -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Likes (Avg.)", "likes avg"), ("followers_count", "followers count"),
        ("diggCount", "digg count"), ("#Followers", "followers"), ("n_plays", "n plays"),
        (" Engagement average\n", "engagement average"), ("authorMeta.fans", "author meta fans"),
        ("user__name--", "user name"), ("ÉCOLE", "école"), ("60_day_eng_rate", "60 day eng rate"),
        (42, "42"), ("", ""), ("!!!", ""),
    ],
)
def test_normalise_name_examples(name, expected):
    assert normalise_name(name) == expected


@settings(deadline=None, max_examples=300, derandomize=True)
@given(st.text())
def test_normalise_name_is_idempotent_and_clean(name):
    result = normalise_name(name)
    assert normalise_name(result) == result
    assert result == result.strip()
    assert "  " not in result
    assert all(c.isalnum() or c == " " for c in result)
    assert result.casefold() == result  # no upper case left (Unicode case folding)
    assert not any(c in string.ascii_uppercase for c in result)


@settings(deadline=None, max_examples=200, derandomize=True)
@given(
    st.sampled_from(aliases()["alias"].tolist()),
    st.lists(st.booleans(), min_size=8, max_size=8),
    st.sampled_from([" ", "_", "-", ".", " _ "]),
    st.sampled_from(["", "#", " "]),
)
def test_decorated_alias_maps_to_its_field(alias, upper, sep, prefix):
    words = [w.upper() if up else w for w, up in zip(alias.split(), upper, strict=False)]
    column = prefix + sep.join(words) + " "
    table = aliases().set_index("alias")
    assert normalise_name(column) == alias
    assert map_columns([column]).columns == {table.loc[alias, "field"]: column}


# --- map_columns / parse_map_options --------------------------------------------------------


def test_handle_column_beats_display_name():
    result = map_columns(["Instagram name", "Name", "Followers", "Likes"])
    assert result.columns == {"creator": "Instagram name", "followers": "Followers",
                              "likes": "Likes"}
    assert result.ignored == {"creator": ["Name"]}
    assert result.how["creator"] == "alias 'instagram name'"
    assert result.found == ("Instagram name", "Name", "Followers", "Likes")


def test_earlier_alias_of_a_field_wins():
    assert map_columns(["Name", "Followers"]).columns["creator"] == "Name"  # no handle column
    result = map_columns(["Likes (Avg.)", "Likes"])
    assert result.columns == {"likes": "Likes"}
    assert result.per == {"likes": "post"}
    assert result.ignored == {"likes": ["Likes (Avg.)"]}


def test_tie_raises_naming_both_columns():
    message = one_line_error(map_columns, ["Handle", "Followers", "#Followers"],
                             phrase="--map followers=COLUMN")
    assert "'Followers'" in message and "'#Followers'" in message


def test_override_wins_over_alias():
    result = map_columns(["Handle", "Followers", "Fans (total)"], {"followers": "Fans (total)"})
    assert result.columns == {"creator": "Handle", "followers": "Fans (total)"}
    assert result.how["followers"] == "--map"
    assert result.per["followers"] == "any"
    assert result.ignored == {"followers": ["Followers"]}
    tie = map_columns(["Followers", "#Followers"], {"followers": "#Followers"})
    assert tie.columns == {"followers": "#Followers"}


def test_override_of_missing_column_lists_found():
    message = one_line_error(map_columns, ["Handle", "Fans"], {"followers": "Followers"},
                             phrase="the file has no column 'Followers'")
    assert "columns found: 'Handle', 'Fans'" in message
    one_line_error(map_columns, ["Handle"], {"fans": "Handle"}, phrase="unknown field 'fans'")


def test_column_map_table():
    result = map_columns(["Instagram name", "Name", "Subscribers", "Likes (Avg.)"]).table()
    expected = pd.DataFrame({
        "field": ["creator", "followers", "likes"],
        "column": ["Instagram name", "Subscribers", "Likes (Avg.)"],
        "how": ["alias 'instagram name'", "alias 'subscribers'", "alias 'likes avg'"],
        "per": ["any", "any", "average"], "also_matched": ["Name", "", ""],
    })
    tm.assert_frame_equal(result, expected)


def test_parse_map_options_good():
    result = intake.parse_map_options(["followers=Fans (total)", " creator = Handle", "likes=a=b"])
    assert result == {"followers": "Fans (total)", "creator": "Handle", "likes": "a=b"}
    assert intake.parse_map_options(None) == {}
    assert intake.parse_map_options([]) == {}


@pytest.mark.parametrize(
    ("items", "phrase"),
    [(["followers"], "expected FIELD=COLUMN"), (["=Fans"], "expected FIELD=COLUMN"),
     (["followers= "], "expected FIELD=COLUMN"), (["fans=Fans"], "unknown field 'fans'"),
     (["likes=a", "likes=b"], "names field 'likes' twice")],
)
def test_parse_map_options_bad(items, phrase):
    one_line_error(intake.parse_map_options, items, phrase=phrase)


# --- read_table: formats and encodings ------------------------------------------------------

EXPECTED_TEXT = pd.DataFrame({"Handle": ["a", "b"], "Followers": ["1,000", "2K"],
                              "Likes": ["5", ""]})


@pytest.mark.parametrize(
    ("name", "content", "note"),
    [
        ("list.csv", 'Handle,Followers,Likes\na,"1,000",5\nb,2K,\n', None),
        ("list.csv", "Handle;Followers;Likes\na;1,000;5\nb;2K;\n", "columns separated by ';'"),
        ("list.tsv", "Handle\tFollowers\tLikes\na\t1,000\t5\nb\t2K\t\n", None),
        ("list.txt", "Handle\tFollowers\tLikes\na\t1,000\t5\nb\t2K\t\n",
         "columns separated by '\\t'"),
    ],
)
def test_read_delimited(tmp_path, name, content, note):
    result = read_table(write(tmp_path, name, content))
    tm.assert_frame_equal(result.frame, EXPECTED_TEXT, check_dtype=False)
    assert result.format == "delimited"
    assert result.encoding == "utf-8"
    assert result.notes == (() if note is None else (note,))


def xlsx(tmp_path, frame, sheets=("one",)):
    path = tmp_path / "list.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for i, sheet in enumerate(sheets):
            frame.head(len(frame) - i).to_excel(writer, index=False, sheet_name=sheet)
    return path


def test_read_xlsx(tmp_path):
    frame = pd.DataFrame({"Handle": ["a", "b"], "Followers": [1000, 12.5], "Likes": [3, None]})
    path = xlsx(tmp_path, frame, sheets=("one", "two"))
    result = read_table(path, sheet="one")
    expected = pd.DataFrame({"Handle": ["a", "b"], "Followers": ["1000", "12.5"],
                             "Likes": ["3", np.nan]})
    tm.assert_frame_equal(result.frame, expected, check_dtype=False)
    assert (result.format, result.encoding) == ("excel", None)
    assert result.notes == ("read sheet 'one' of ['one', 'two']",)
    assert read_table(path, sheet="two").frame["Handle"].tolist() == ["a"]
    combined = read_table(path)  # the same columns on both sheets: one table
    tm.assert_frame_equal(combined.frame, pd.DataFrame({
        "Handle": ["a", "b", "a"], "Followers": ["1000", "12.5", "1000"],
        "Likes": ["3", np.nan, "3"], "sheet": ["one", "one", "two"]}), check_dtype=False)
    assert combined.notes == ("combined sheets 'one', 'two' (the same columns; column 'sheet' "
                              "says which)",)
    one_line_error(read_table, path, sheet="three", phrase="no sheet 'three'")
    loaded = load(path, sheet="one")
    assert loaded.table["followers"].tolist() == [1000.0, 12.5]
    assert "read excel (Excel)" in loaded.log.steps()["description"].iloc[0]


def test_read_xlsx_uses_no_deprecated_pandas_api(tmp_path):
    path = xlsx(tmp_path, pd.DataFrame({"Handle": ["a"]}))
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        assert read_table(path).frame["Handle"].tolist() == ["a"]


def test_read_xlsx_bad_sheet_index_is_input_error(tmp_path):
    path = xlsx(tmp_path, pd.DataFrame({"Handle": ["a"]}))
    one_line_error(read_table, path, sheet=5, phrase="sheet")


def test_read_xlsx_header_only(tmp_path):
    path = xlsx(tmp_path, pd.DataFrame({"Handle": [], "Followers": []}))
    one_line_error(read_table, path, phrase="has a header ('Handle', 'Followers') but no data")


RECORDS = [{"Handle": "a", "Followers": 1000, "Likes": 1.5}, {"Handle": "b", "Followers": "2K",
                                                              "Likes": None}]
EXPECTED_JSON = pd.DataFrame({"Handle": ["a", "b"], "Followers": ["1000", "2K"],
                              "Likes": ["1.5", None]}, dtype="str")


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("list.json", json.dumps(RECORDS), "json"),
        ("list.json", json.dumps({"meta": {"n": 2}, "data": RECORDS}), "json"),
        ("list.jsonl", "\n".join(json.dumps(r) for r in RECORDS) + "\n\n", "jsonl"),
        ("list.ndjson", "\n".join(json.dumps(r) for r in RECORDS), "jsonl"),
    ],
)
def test_read_json(tmp_path, name, content, kind):
    result = read_table(write(tmp_path, name, content))
    tm.assert_frame_equal(result.frame, EXPECTED_JSON)
    assert result.format == kind


def test_read_nested_json_is_flattened(tmp_path):
    records = [{"authorMeta": {"name": "a", "fans": 10}, "diggCount": 5, "tags": [1, 2]},
               {"authorMeta": {"name": "b", "fans": 20}, "diggCount": 6, "tags": None}]
    path = write(tmp_path, "scrape.json", json.dumps(records))
    result = read_table(path).frame
    expected = pd.DataFrame({"diggCount": ["5", "6"], "tags": ["[1, 2]", None],
                             "authorMeta.name": ["a", "b"], "authorMeta.fans": ["10", "20"]})
    tm.assert_frame_equal(result, expected, check_dtype=False)
    # "authorMeta.fans" normalises to "author meta fans", not an alias; its last word is
    assert "author meta fans" not in set(aliases()["alias"])
    mapping = map_columns(result.columns)  # "name" alone is too generic to be the handle
    assert mapping.columns == {"likes": "diggCount", "followers": "authorMeta.fans"}
    assert mapping.how["followers"] == "alias 'fans' (the end of the name)"
    one_line_error(load, path, phrase="no creator handle")
    loaded = load(path, mapping={"creator": "authorMeta.name"})
    tm.assert_series_equal(by_creator(loaded, "followers"), pd.Series([10.0, 20.0], ["a", "b"]))


@pytest.mark.parametrize(
    ("column", "field"),
    [("authorStats.followerCount", "followers"), ("stats.diggCount", "likes"),
     ("public_metrics.like_count", "likes"), ("public_metrics.reply_count", "comments"),
     ("statistics.subscriberCount", "followers"), ("edge_followed_by.count", "followers"),
     ("edge_liked_by.count", "likes"), ("edge_media_to_comment.count", "comments"),
     ("author.uniqueId", "creator")],
)
def test_nested_api_keys_map_by_their_last_words(column, field):
    assert map_columns([column]).columns == {field: column}


def test_a_whole_name_beats_the_end_of_a_name():
    result = map_columns(["music.likes", "likes"]).columns
    assert result == {"likes": "likes"}
    # fewer words dropped wins: stats.diggCount (1 dropped) over video.stats.diggCount (2)
    assert map_columns(["video.stats.diggCount", "stats.diggCount"]).columns == {
        "likes": "stats.diggCount"}


@pytest.mark.parametrize("column", ["userId", "author.name", "growth rate", "conversion rate",
                                    "music.title", "upload.when", "owner.id"])
def test_one_generic_last_word_maps_nothing(column):
    assert map_columns([column]).columns == {}


def test_exact_numbers_beat_display_strings_for_a_count():
    frame = pd.DataFrame({"followers": ["2K", "1.5M"], "followerCount": ["2013", "1498765"],
                          "handle": ["a", "b"], "likes": ["5", "6"]})
    result = map_columns(frame.columns, frame=frame)
    assert result.columns["followers"] == "followerCount"
    assert result.how["followers"].endswith("exact numbers preferred over display strings")
    assert map_columns(frame.columns).columns["followers"] == "followers"  # without the rows


TEXT = "Handle,Followers,Likes\nZoë,1000,5\nCafé,2000,7\nMüller,3000,9\n"
HANDLES = ["Zoë", "Café", "Müller"]


@pytest.mark.parametrize(
    ("codec", "used"),
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("utf-16", "utf-16"),
     ("utf-16-le", None), ("cp1252", None), ("latin-1", None)],
)
def test_encoding_detected(tmp_path, codec, used):
    result = read_table(write(tmp_path, "list.csv", TEXT.encode(codec)))
    assert list(result.frame.columns) == ["Handle", "Followers", "Likes"]
    assert result.frame["Handle"].tolist() == HANDLES
    if used is not None:
        assert result.encoding == used
    if result.encoding not in ("utf-8", "utf-8-sig"):
        assert f"text encoding detected as {result.encoding}" in result.notes


def test_ascii_utf16_without_bom_is_not_read_as_utf8(tmp_path):
    data = "Handle,Followers,Likes\na,1000,5\nb,2000,7\n".encode("utf-16-le")
    result = read_table(write(tmp_path, "list.csv", data))
    assert list(result.frame.columns) == ["Handle", "Followers", "Likes"]


def test_forced_encoding(tmp_path):
    data = TEXT.encode("cp1252")
    path = write(tmp_path, "list.csv", data)
    assert read_table(path, encoding="cp1252").frame["Handle"].tolist() == HANDLES
    offset = data.index(b"\xeb")
    one_line_error(read_table, path, encoding="utf-8",
                   phrase=f"not valid utf-8 (byte {offset} is 0xeb)")
    one_line_error(read_table, path, encoding="klingon", phrase="unknown encoding 'klingon'")


# --- read_table / load: bad input, each a one-line InputError -------------------------------


BINARY = random.Random(0).randbytes(4096)  # holds NUL bytes, not a zip


@pytest.mark.parametrize(
    ("name", "content", "phrase"),
    [
        ("empty.csv", b"", "the file is empty (0 bytes)"),
        ("blank.csv", " \n\t\n  ", "only whitespace"),
        ("header.csv", "Handle,Followers,Likes\n", "has a header ('Handle', 'Followers', "
         "'Likes') but no data rows"),
        ("list.pdf", b"%PDF-1.4", "unknown format '.pdf'"),
        ("list", "Handle,Followers\na,1\n", "(no extension)"),
        ("binary.csv", BINARY, "could not detect the text encoding"),
        ("book.csv", b"PK\x03\x04" + bytes(60), "this is a zip archive"),
        ("bad.json", '[{"Handle": "a",', "not valid JSON (line 1"),
        ("scalar.json", "42", "expected a JSON list of records"),
        ("lists.json", "[[1, 2], [3, 4]]", "expected a JSON list of records"),
        ("two.json", '{"a": [], "b": []}', "a JSON object with 2 lists"),
        ("none.json", "[]", "no columns found"),
        ("fieldless.json", "[{}, {}]", "the JSON records have no fields"),
        ("broken.xlsx", "Handle,Followers\na,1\n", "cannot open as an Excel workbook"),
    ],
)
def test_bad_file(tmp_path, name, content, phrase):
    path = write(tmp_path, name, content)
    message = one_line_error(read_table, path, phrase=phrase)
    assert message.startswith(f"{path}: ")


def test_missing_path_and_folder(tmp_path):
    one_line_error(read_table, tmp_path / "nope.csv", phrase="no such file")
    one_line_error(read_table, tmp_path, phrase="is a folder, not a file")
    one_line_error(load, str(tmp_path / "nope.csv"), phrase="no such file")


def test_json_lines_error_names_the_line(tmp_path):
    path = write(tmp_path, "list.jsonl", '{"a": 1}\n{"a": 2}\n{"a": 3,\n')
    one_line_error(read_table, path, phrase="line 3")


@pytest.mark.parametrize(
    ("header", "phrase"),
    [
        ("Followers,Likes", "--map creator='Handle'"),
        ("Handle,Likes", "--map followers='Followers'"),
    ],
)
def test_missing_needed_column(tmp_path, header, phrase):
    row = ",".join(["1"] * len(header.split(",")))
    path = write(tmp_path, "list.csv", f"{header}\n{row}\n{row}\n")
    message = one_line_error(load, path, phrase=phrase)
    columns = ", ".join(repr(c) for c in header.split(","))
    assert f"columns found: {columns}" in message


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        ("Handle,Followers,Likes,fee\na,100,1,$100\nb,100,1,€90\nc,1,1,$1\n",
         "column 'fee' mixes currencies (EUR in rows [2]; USD in rows [1, 3])"),
        ("Handle,Followers,Likes,currency\na,100,1,USD\nb,100,1,eur\n",
         "column 'currency' mixes currencies ['EUR', 'USD']"),
        ("Handle,Followers,Likes,currency,fee\na,10,1,EUR,$5\nb,5,3,EUR,$4\n",
         "column 'currency' says EUR but the amounts are marked USD"),
        ("Handle,Followers,Likes,fee,revenue\na,10,1,$5,€5\nb,5,3,$4,€4\n",
         "fee is in USD but revenue in EUR"),
        ("Handle,Followers,Likes\na,0,1\nb,0,1\n", "all 2 rows have 0 followers"),
        ("Handle,Followers,Likes\na,x,1\nb,,1\n",
         "no row has a usable follower count in column 'Followers' (values such as 'x'"),
        ("Handle,Followers,Likes,post_id\na,10,1,p1\na,10,2,p2\n", "only one creator ('a')"),
        ("Handle,Followers,Likes\na,10,x\nb,10,\n",
         "no usable engagement values: likes ('Likes')"),
        ("Handle,Followers,Likes\n  ,10,1\n,5,3\n", "no row has a creator handle in column"),
        ("Handle,Followers,#Followers,Likes\na,1,1,1\n", "--map followers=COLUMN"),
    ],
)
def test_unusable_content(tmp_path, content, phrase):
    one_line_error(load, write(tmp_path, "list.csv", content), phrase=phrase)


def test_empty_followers_message_says_empty(tmp_path):
    path = write(tmp_path, "list.csv", "Handle,Followers,Likes\na,,1\nb,,2\n")
    message = one_line_error(load, path, phrase="no row has a usable follower count")
    assert "the column is empty" in message


@pytest.mark.parametrize(
    ("kwargs", "phrase"),
    [({"platform": "myspace"}, "platform 'myspace'"), ({"level": "videos"}, "level 'videos'")],
)
def test_bad_arguments(tmp_path, kwargs, phrase):
    one_line_error(load, write(tmp_path, "list.csv", CREATORS_CSV), phrase=phrase, **kwargs)


# --- clean / load ---------------------------------------------------------------------------


def test_counts_parsed_and_repaired(tmp_path):
    path = write(tmp_path, "list.csv", 'Handle,Followers,Likes,Comments\na,12.5K,1,2\n'
                 'b,1.2M,-5,3\nc,"1,234",abc,4\nd,0,1,1\n,50,1,1\ne,100,1,1\nf,n/a,1,1\n')
    result = load(path)
    assert (result.level, result.components) == ("creators", ("avg_likes", "avg_comments"))
    assert result.rows_read == 7
    tm.assert_series_equal(by_creator(result, "followers"),
                           pd.Series([12_500.0, 1_200_000.0, 1_234.0, 100.0], list("abce")))
    tm.assert_series_equal(by_creator(result, "avg_likes"),
                           pd.Series([1.0, np.nan, np.nan, 1.0], list("abce")))
    result_events = pd.concat([events_of(result, s) for s in ("negative-likes", "parse-likes")],
                              ignore_index=True)
    expected = expected_events([
        {"step": "negative-likes", "action": "repaired", "source_row": 2, "creator": "b",
         "column": "likes", "old_value": "-5", "new_value": pd.NA},
        {"step": "parse-likes", "action": "repaired", "source_row": 3, "creator": "c",
         "column": "likes", "old_value": "abc", "new_value": pd.NA},
    ])
    tm.assert_frame_equal(result_events, expected)
    reasons = result.log.events().set_index("step")["reason"]
    assert "negative" in reasons["negative-likes"]
    assert "not a valid count" in reasons["parse-likes"]
    assert reasons["zero-followers"] == "0 followers: engagement per follower is undefined"
    assert reasons["no-creator"] == "no handle in 'Handle'"
    assert reasons["no-followers"] == "no usable follower count in 'Followers'"
    dropped = result.log.events().query("action == 'dropped'")[["step", "source_row"]]
    assert dropped.values.tolist() == [["no-creator", 5], ["no-followers", 7],
                                       ["zero-followers", 4]]
    steps = result.log.steps()[STEP_COUNTS]
    expected_steps = pd.DataFrame(
        [("read", 7, 7, 0, 0), ("no-creator", 7, 6, 1, 0), ("negative-likes", 6, 6, 0, 1),
         ("parse-likes", 6, 6, 0, 1), ("no-followers", 6, 5, 1, 0),
         ("zero-followers", 5, 4, 1, 0), ("duplicate-creators", 4, 4, 0, 0)],
        columns=STEP_COUNTS,
    ).astype({"step": "str"})
    tm.assert_frame_equal(steps, expected_steps)
    assert "followers<-'Followers'" in result.log.steps()["description"].iloc[0]


def test_duplicate_creators_dropped_when_level_forced(tmp_path):
    path = write(tmp_path, "list.csv", "Handle,Followers,Likes\na,10,1\na,10,2\nb,5,3\n")
    assert load(path).level == "posts"
    result = load(path, level="creators")
    assert (result.level, result.level_reason) == ("creators", "level given by the caller")
    tm.assert_series_equal(by_creator(result, "avg_likes"), pd.Series([1.0, 3.0], ["a", "b"]))
    expected = expected_events([{"step": "duplicate-creators", "action": "dropped",
                                 "source_row": 2, "creator": "a"}])
    tm.assert_frame_equal(events_of(result, "duplicate-creators"), expected)


def test_duplicate_post_ids_dropped(tmp_path):
    path = write(tmp_path, "posts.csv",
                 "Handle,Followers,Likes,post_id\na,10,1,p1\na,10,2,p1\nb,5,3,p2\nb,5,4,\n")
    result = load(path)
    assert result.table["post_id"].tolist() == ["p1", "p2", "row 4"]
    assert result.table["likes"].tolist() == [1.0, 3.0, 4.0]
    events = events_of(result, "duplicate-posts")
    assert events[["action", "source_row", "creator"]].values.tolist() == [["dropped", 2, "a"]]
    assert result.log.events()["reason"].tolist() == ["repeats a post id in 'post_id'"]


@pytest.mark.parametrize(
    ("fees", "amounts", "currency"),
    [
        (['"$1,200.50"', "$5"], [1200.5, 5.0], "USD"),
        (["EUR 300", "300 EUR"], [300.0, 300.0], "EUR"),
        (["300 GBP", ""], [300.0, np.nan], "GBP"),
        (["€1.2K", "€ 7"], [1200.0, 7.0], "EUR"),
        (["300", "40"], [300.0, 40.0], None),
    ],
)
def test_money_parsed_with_currency(tmp_path, fees, amounts, currency):
    content = "Handle,Followers,Likes,fee\n" + "".join(
        f"{h},{n},1,{f}\n" for h, n, f in zip("ab", (100, 200), fees, strict=True))
    result = load(write(tmp_path, "list.csv", content))
    assert result.currency == currency
    tm.assert_series_equal(by_creator(result, "fee"), pd.Series(amounts, ["a", "b"]))


def test_currency_column_agrees_and_is_dropped(tmp_path):
    content = "Handle,Followers,Likes,Fee,Currency\na,10,1,$5,usd\nb,20,2,7,USD\n"
    result = load(write(tmp_path, "list.csv", content))
    assert result.currency == "USD"
    assert "currency" not in result.table.columns
    assert result.table["fee"].tolist() == [5.0, 7.0]


def test_posted_at_parsed_and_age_days(tmp_path):
    content = ("Handle,Followers,Likes,Posted date,collected_at\n"
               "a,100,1,1604768557,2021-01-01\n"
               "a,100,2,2020-11-07T12:00:00Z,2021-01-01\n"
               "b,200,3,5 Mar 2021,2021-01-01\n"
               "b,200,4,not a date,2021-01-01\n"
               "b,200,5,,\n")
    result = load(write(tmp_path, "posts.csv", content))
    table = result.table.set_index("post_id").sort_index()
    expected = pd.Series(
        pd.to_datetime(["2020-11-07T17:02:37", "2020-11-07T12:00", "2021-03-05", None, None],
                       utc=True, format="ISO8601").astype("datetime64[us, UTC]"),
        index=pd.Index([f"row {i}" for i in range(1, 6)], dtype=table.index.dtype,
                       name="post_id"), name="posted_at",
    )
    tm.assert_series_equal(table["posted_at"], expected)
    expected_age = pd.Series([54 + (6 * 3600 + 57 * 60 + 23) / 86400, 54.5] + [np.nan] * 3,
                             index=expected.index, name="age_days")
    # row 3 was posted after collection (negative age) -> missing
    tm.assert_series_equal(table["age_days"], expected_age)
    expected_log = expected_events([{"step": "parse-posted_at", "action": "repaired",
                                     "source_row": 4, "creator": "b", "column": "posted_at",
                                     "old_value": "not a date"}])
    tm.assert_frame_equal(events_of(result, "parse-posted_at"), expected_log)
    assert result.log.events()["reason"].tolist() == [
        "'Posted date' is not a date; set to missing"]


def test_unparseable_dates_alone_are_logged(tmp_path):
    content = "Handle,Followers,Likes,Posted date\na,1,1,2021-01-02\nb,2,1,not a date\n"
    result = load(write(tmp_path, "posts.csv", content))
    assert result.table["posted_at"].isna().tolist() == [False, True]
    assert events_of(result, "parse-posted_at")["old_value"].tolist() == ["not a date"]


@pytest.mark.parametrize("values", [["1604768557000", "1604619960000"],
                                    ["1604768557", "1604619960"],
                                    ["1604768557", "1604619960000"]])
def test_posted_at_unix_seconds_and_milliseconds(tmp_path, values):
    content = "Handle,Followers,Likes,create_time\n" + "".join(
        f"{h},{n},1,{v}\n" for h, n, v in zip("ab", (10, 20), values, strict=True))
    result = load(write(tmp_path, "posts.csv", content))
    expected = pd.Series(pd.to_datetime(["2020-11-07 17:02:37", "2020-11-05 23:46:00"],
                                        utc=True), index=["a", "b"]).astype("datetime64[us, UTC]")
    tm.assert_series_equal(by_creator(result, "posted_at"), expected)
    assert "age_days" not in result.table.columns  # no collected_at
    assert result.level == "posts"


def test_platform_column_values_mapped(tmp_path):
    content = ("Handle,Followers,Likes,Platform\na,1,1,IG\nb,2,1,TikTok\nc,3,1, yt \n"
               "d,4,1,YouTube Shorts\ne,5,1,X\n")
    result = load(write(tmp_path, "list.csv", content))
    expected = pd.Series(["instagram", "tiktok", "youtube", "youtube", "twitter"], list("abcde"))
    tm.assert_series_equal(by_creator(result, "platform"), expected, check_dtype=False)
    assert result.log.events().empty


def test_unknown_platform_value_logged(tmp_path):
    content = "Handle,Followers,Likes,Platform\na,1,1,twitter\nb,2,1,myspace\nc,3,1,\n"
    result = load(write(tmp_path, "list.csv", content))
    expected = pd.Series(["twitter", "other", "other"], list("abc"))
    tm.assert_series_equal(by_creator(result, "platform"), expected, check_dtype=False)
    repaired = {"step": "platform", "action": "repaired", "column": "platform",
                "new_value": "other"}
    expected_log = expected_events([
        repaired | {"source_row": 2, "creator": "b", "old_value": "myspace"},
        repaired | {"source_row": 3, "creator": "c", "old_value": pd.NA},
    ])
    tm.assert_frame_equal(events_of(result, "platform"), expected_log)
    fallback = load(write(tmp_path, "list.csv", content), platform="tiktok")
    assert by_creator(fallback, "platform").tolist() == ["twitter", "tiktok", "tiktok"]
    no_column = write(tmp_path, "plain.csv", CREATORS_CSV)
    assert set(load(no_column, platform="tiktok").table["platform"]) == {"tiktok"}
    assert set(load(no_column).table["platform"]) == {"other"}


def test_platform_aliases_kept_next_to_unknown_values(tmp_path):
    content = ("Handle,Followers,Likes,Platform\na,1,1,IG\nb,2,1,TikTok\nc,3,1,yt\n"
               "d,4,1,myspace\n")
    result = load(write(tmp_path, "list.csv", content))
    assert by_creator(result, "platform").tolist() == ["instagram", "tiktok", "youtube", "other"]


def test_creators_and_posts_components(tmp_path):
    creators = load(write(tmp_path, "creators.csv", CREATORS_CSV))
    assert creators.components == ("avg_likes", "avg_comments")
    assert "likes" not in creators.table.columns
    assert creators.table["avg_likes"].tolist() == [1.0, 3.0, 5.0]
    assert set(creators.table["snapshot"]) == {"file"}
    assert set(creators.table["dataset"]) == {"creators.csv"}
    posts = load(write(tmp_path, "posts.csv", CREATORS_CSV + "a,100,7,8\n"))
    assert (posts.level, posts.components) == ("posts", ("likes", "comments"))
    assert posts.table["likes"].tolist() == [1.0, 3.0, 5.0, 7.0]  # sorted by post id
    content = "Handle,Followers,Engagements\na,1,1\nb,2,3\n"
    assert load(write(tmp_path, "e.csv", content)).components == ("avg_engagements",)


def test_clean_does_not_modify_raw(tmp_path):
    raw = read_table(write(tmp_path, "list.csv", CREATORS_CSV.replace("a,100,1", "a,100,-1")))
    before = raw.frame.copy()
    result = intake.clean(raw, map_columns(raw.frame.columns), dataset="demo")
    tm.assert_frame_equal(raw.frame, before)
    assert set(result.table["dataset"]) == {"demo"}
    assert result.raw is raw


def test_input_file_is_never_modified(tmp_path):
    path = write(tmp_path, "list.csv",
                 "Handle,Followers,Likes\na,12.5K,-5\nb,0,1\nc,1M,abc\nd,5,1\nd,5,1\n")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    mtime = path.stat().st_mtime_ns
    result = load(path)
    assert len(result.log.events()) > 0
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert path.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.csv"]


# --- detect_level ---------------------------------------------------------------------------


def _level(columns: dict) -> tuple[str, str]:
    frame = pd.DataFrame(columns)
    return intake.detect_level(frame, map_columns(frame.columns))


BASE = {"Handle": ["a", "b"], "Followers": [1, 2], "Likes": [1, 2]}


@pytest.mark.parametrize(
    ("columns", "level", "reason"),
    [
        ({"Handle": ["a", "a"], "Followers": [1, 1], "avg_likes": [1, 2]}, "creators",
         "column 'avg_likes' holds averages per creator"),
        ({"Handle": ["a", "a ", "b"], "Followers": [1, 1, 2], "Likes": [1, 2, 3]}, "posts",
         "2 creators on 3 rows: handles repeat, so rows are posts"),
        ({"Handle": ["a", "", "", None, "b"], "Followers": [1] * 5, "Likes": [1] * 5},
         "creators", "one row per handle and no post columns"),
        (BASE | {"video_id": ["v1", "v2"]}, "posts",
         "column 'video_id' is a post id; each row is a post"),
        (BASE | {"Posted date": ["2021-01-01", "2021-01-02"]}, "posts",
         "column 'Posted date' is a "),
        (BASE, "creators", "one row per handle and no post columns"),
    ],
    ids=["averages", "repeats", "blank-handles", "post-id", "posted-date", "unique"],
)
def test_detect_level(columns, level, reason):
    result_level, result_reason = _level(columns)
    assert result_level == level
    assert result_reason.startswith(reason), result_reason


def test_level_posting_date_reason_is_readable():
    _, reason = _level(BASE | {"Posted date": ["2021-01-01", "2021-01-02"]})
    assert "is a when" not in reason


# --- registered raw data --------------------------------------------------------------------


def raw_file(dataset: str, name: str):
    path = raw_dir(dataset) / name
    if not path.is_file():
        pytest.skip(f"raw data not fetched: {path}")
    return path


def assert_rows_accounted(result):
    dropped = result.log.steps()["dropped"].sum()
    assert len(result.table) == result.rows_read - dropped


def test_real_tiktok_posts():
    result = load(raw_file("tiktok-datares-2020", "by_user/sug_users_vids1.csv"))
    assert result.level == "posts"
    columns = result.colmap.columns
    assert (columns["creator"], columns["followers"], columns["views"]) == (
        "user_name", "n_followers", "n_plays")
    assert (columns["likes"], columns["posted_at"]) == ("n_likes", "create_time")
    assert result.components == ("likes", "comments")
    assert_rows_accounted(result)
    assert result.table["posted_at"].notna().all()
    assert result.table["posted_at"].dt.year.between(2015, 2021).all()


def test_real_top_insta_creators():
    result = load(raw_file("top-insta-influencers-200", "top_insta_influencers_data.csv"))
    assert (result.level, len(result.table)) == ("creators", 200)
    assert result.colmap.columns["creator"] == "channel_info"
    assert result.colmap.per["likes"] == "average"
    top = result.table.set_index("creator").loc["cristiano"]
    assert (top["followers"], top["avg_likes"]) == (475.8e6, 8.7e6)


def test_real_social_media_youtube_creators():
    result = load(raw_file("social-media-influencers-2022",
                           "social media influencers-YOUTUBE - --DEC 2022.csv"))
    assert result.level == "creators"
    assert result.colmap.columns["likes"] == "Likes (Avg.)"
    assert result.colmap.columns["creator"] == "Youtube channel"
    assert result.components[0] == "avg_likes"
    assert_rows_accounted(result)


def test_real_global_youtube_has_no_engagement_column_so_it_is_a_roster():
    path = raw_file("global-youtube-statistics-2023", "Global YouTube Statistics.csv")
    result = load(path)
    assert (result.mode, result.components, result.level) == ("roster", (), "creators")
    note = next(n for n in result.notes if "no engagement column" in n)
    assert "'Youtuber'" in note and "--map likes=COLUMN" in note
    assert_rows_accounted(result)


@pytest.mark.parametrize(("text", "mode"), [
    ("Username,Followers\nann,1200\nbob,54000\ncy,2.1M\n", "roster"),
    ("Handle,Followers,Views\nann,1200,5\nbob,54000,60\ncy,2.1M,900\n", "roster"),
    ("Creator,Followers,GMV\nann,1200,$30\nbob,54000,$500\ncy,2.1M,$9000\n", "revenue"),
    ("Creator,Followers,GMV\nann,1200,\nbob,54000,\ncy,2.1M,\n", "roster"),
    ("Creator,Followers,GMV,Likes\nann,1200,$3,10\nbob,54000,$5,90\ncy,2.1M,$9,900\n",
     "engagement"),
])
def test_mode_follows_the_columns(tmp_path, text, mode):
    result = load(write(tmp_path, "f.csv", text))
    assert result.mode == mode
    assert (result.components == ()) == (mode != "engagement")


def test_mapped_engagement_with_no_valid_value_is_still_an_error(tmp_path):
    path = write(tmp_path, "f.csv", "Handle,Followers,Likes\nann,1000,n/a\nbob,2000,-\n")
    one_line_error(load, path, phrase="no usable engagement values")


def test_forced_creators_level_keeps_no_post_id(tmp_path):
    # A post id marks a posts table throughout the library (schemas.table_kind), so rows read
    # as creators must not carry one, or they would be analysed as posts.
    content = "id,Handle,Followers,Likes\n1,a,1000,5\n2,a,2000,6\n3,b,300,4\n"
    result = load(write(tmp_path, "list.csv", content), level="creators")
    assert "post_id" not in result.table.columns
    assert result.table["creator"].tolist() == ["a", "b"]
    assert result.components == ("avg_likes",)


# --- implausible values, duplicates and level by the share of repeats -----------------------


def test_implausible_counts_are_dropped_and_logged(tmp_path):
    content = ("Handle,Followers,Likes\na,1000,10\nb,1e30,20\nc,5000,1e18\nd,9000,90\n"
               "e,999999999,5\n")
    result = load(write(tmp_path, "list.csv", content))
    assert result.table["creator"].tolist() == ["a", "d", "e"]  # 999,999,999 is below the bound
    result_events = result.log.events()[["source_row", "creator", "step", "reason"]]
    expected = pd.DataFrame({
        "source_row": [2, 3], "creator": ["b", "c"],
        "step": ["implausible-followers", "implausible-likes"],
        "reason": ["'Followers' is 1e+30, above 1,000,000,000: more than any real account or "
                   "post has (a unit or mapping error)",
                   "'Likes' is 1e+18, above 1,000,000,000: more than any real account or post "
                   "has (a unit or mapping error)"]})
    tm.assert_frame_equal(result_events.reset_index(drop=True), expected, check_dtype=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([1e3, 5e4, 7e8, 1e9, 1.0000001e9, 3e12, 1e30]), min_size=3,
                max_size=12))
def test_rows_are_kept_exactly_when_followers_are_within_the_bound(tmp_path_factory, followers):
    folder = tmp_path_factory.mktemp("bound")
    content = "Handle,Followers,Likes\n" + "".join(
        f"h{i},{f!r},{i + 1}\n" for i, f in enumerate(followers))
    kept = [f"h{i}" for i, f in enumerate(followers) if f <= intake.IMPLAUSIBLE["followers"]]
    if len(set(f for f in followers if f <= 1e9)) < 2:
        with pytest.raises(InputError):
            load(write(folder, "list.csv", content))
        return
    result = load(write(folder, "list.csv", content))
    assert sorted(result.table["creator"]) == sorted(kept)
    dropped = (result.log.events()["step"] == "implausible-followers").sum()
    assert dropped == len(followers) - len(kept)


def test_one_duplicate_in_a_creator_list_is_a_duplicate_not_posts(tmp_path):
    rows = [f"c{i:03d},{1000 + 37 * i},{10 + i}" for i in range(200)]
    rows.append("c007,999999,5")  # the same handle again, with another follower count
    result = load(write(tmp_path, "list.csv", "Handle,Followers,Likes\n" + "\n".join(rows)))
    assert result.level == "creators"
    assert result.level_reason.startswith("1 of 201 rows repeat a handle (fewer than 10%)")
    event = result.log.events().iloc[0]
    assert (event["creator"], event["step"], event["source_row"]) == ("c007", "duplicate-creators",
                                                                       201)
    assert event["reason"] == ("repeats a creator of an earlier row with a different follower "
                               "count (the first row is kept, with 1,259 followers)")
    assert len(result.table) == 200


def test_many_repeats_are_posts(tmp_path):
    rows = [f"c{i % 20:02d},{1000 * (1 + i % 20)},{i}" for i in range(60)]
    result = load(write(tmp_path, "posts.csv", "Handle,Followers,Likes\n" + "\n".join(rows)))
    assert result.level == "posts" and len(result.table) == 60


def test_equal_followers_everywhere_is_one_clear_error(tmp_path):
    content = "Handle,Followers,Likes\na,5000,10\nb,5000,20\nc,5K,30\n"
    assert one_line_error(load, write(tmp_path, "list.csv", content), phrase="same follower") == (
        "all 3 creators have the same follower count (5,000 in column 'Followers'): nothing "
        "can be said about how engagement changes with size")


def test_engagement_that_looks_like_totals_is_headlined(tmp_path):
    content = "Handle,Followers,Likes\na,1000,400000\nb,2000,900000\nc,3000,5\n"
    result = load(write(tmp_path, "list.csv", content))
    assert result.notes == [
        "the median creator's engagement is 400.0 times its follower count: the engagement "
        "columns (likes <- 'Likes') may hold totals (such as lifetime views) rather than "
        "counts per post; check them, or name others with --map"]
    assert len(result.table) == 3  # kept: a warning, not a bound


def test_posts_with_diverging_follower_counts_are_noted(tmp_path):
    content = ("Handle,Followers,Likes,post_id\na,1000,1,p1\na,3000,2,p2\nb,500,3,p3\n"
               "b,600,4,p4\n")
    result = load(write(tmp_path, "posts.csv", content))
    assert result.notes == ["1 creators have follower counts that differ more than twofold "
                            "between their posts (e.g. 'a': 1,000 to 3,000); each post keeps "
                            "its own count"]


def test_a_refusal_lists_every_column(tmp_path):
    columns = ["Handle", "Likes", *[f"metric_{i:02d}" for i in range(77)]]
    content = ",".join(columns) + "\n" + ",".join(["a"] + ["1"] * 78) + "\n"
    message = one_line_error(load, write(tmp_path, "wide.csv", content), phrase="no follower")
    assert all(repr(c) in message for c in columns)
    assert "in all)" not in message


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=string.ascii_lowercase, min_size=1, max_size=6), max_size=3),
       st.sampled_from(sorted(aliases()["alias"])))
def test_alias_key_finds_the_longest_alias_at_the_end(prefix, alias):
    table = aliases()
    rank = {a: i for i, a in enumerate(table["alias"])}
    key = " ".join([*prefix, alias])
    order, found = intake._alias_key(key, rank, set(rank))
    assert key.endswith(found) and found in rank
    assert len(found.split()) >= len(alias.split())  # never a shorter tail than the alias
    dropped = len(key.split()) - len(found.split())
    assert order == dropped * len(rank) + rank[found]
    assert intake._alias_key("zzz qqq", rank) is None
    if prefix and " " not in alias:  # a one-word tail needs to be allowed
        result = intake._alias_key(key, rank, ())
        assert result is None or result[1] == key or " " in result[1]


def test_junk_lines_above_the_header_of_a_csv(tmp_path):
    content = ("Creator export,,\nGenerated 2024-03-01 by Tool\n\n"
               "Handle,Followers,Likes\na,1000,10\nb,2000,30\nc,5000,40\n")
    raw = read_table(write(tmp_path, "export.csv", content))
    expected = pd.DataFrame({"Handle": ["a", "b", "c"], "Followers": ["1000", "2000", "5000"],
                             "Likes": ["10", "30", "40"]})
    tm.assert_frame_equal(raw.frame, expected)
    assert "the header is line 4" in raw.notes[-1]
    plain = read_table(write(tmp_path, "plain.csv", CREATORS_CSV))
    assert list(plain.frame.columns) == ["Handle", "Followers", "Likes", "Comments"]
    assert plain.notes == ()


def test_junk_rows_above_the_header_of_a_workbook(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Q3 shortlist for ACME"])
    sheet.append([])
    sheet.append(["Handle", "Followers", "Likes", "Likes"])
    for row in (["a", 1000, 10, 11], ["b", 2000, 30, 31], ["c", 5000, 40, 41]):
        sheet.append(row)
    path = tmp_path / "list.xlsx"
    book.save(path)
    raw = read_table(path)
    assert list(raw.frame.columns) == ["Handle", "Followers", "Likes", "Likes.1"]
    assert raw.frame["Followers"].tolist() == ["1000", "2000", "5000"]
    assert "the header is row 2 of the sheet's filled rows" in raw.notes[-1]


def test_a_workbook_column_without_a_name_is_kept(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Handle", "Followers", "Likes"])
    for row in (["a", 1000, 10, "x"], ["b", 2000, 30, "y"]):
        sheet.append(row)
    path = tmp_path / "list.xlsx"
    book.save(path)
    raw = read_table(path)
    assert list(raw.frame.columns) == ["Handle", "Followers", "Likes", "Unnamed: 3"]
    assert raw.frame["Unnamed: 3"].tolist() == ["x", "y"]


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 6), st.integers(2, 6), st.integers(1, 8))
def test_header_row_is_found_below_narrow_lines(junk, width, rows):
    widths = [1] * junk + [width] * (rows + 1)
    assert intake._header_row(widths, [w > 1 for w in widths]) == junk


def test_header_row_forced(tmp_path):
    content = "Handle,Followers,Likes\nreal header below,,\nHandle,Followers,Likes\na,1,2\nb,3,4\n"
    path = write(tmp_path, "odd.csv", content)
    raw = read_table(path, header_row=3)
    assert raw.frame["Handle"].tolist() == ["a", "b"]
    assert read_table(path).frame["Handle"].tolist()[0] == "real header below"  # detected: line 1
    message = one_line_error(read_table, path, header_row=9, phrase="--header-row 9")
    assert message.endswith("is outside the file's 5 rows (counted from 1)")


def test_a_header_with_an_empty_index_cell_is_still_the_header(tmp_path):
    content = ",Handle,Followers,Likes\n0,a,1000,10\n1,b,2000,30\n2,c,5000,40\n"
    raw = read_table(write(tmp_path, "indexed.csv", content))
    assert list(raw.frame.columns) == ["Unnamed: 0", "Handle", "Followers", "Likes"]
    assert raw.notes == ()


def test_decimal_commas_are_detected_and_read(tmp_path):
    content = ("Handle;Followers;Likes;Fee\na;1.234,5;12,5K;€1.200,50\nb;2.000;300;€99\n"
               "c;15,2K;4,5;€1.000\n")
    result = load(write(tmp_path, "eu.csv", content))
    assert by_creator(result, "followers").tolist() == [1234.5, 2000.0, 15200.0]
    assert by_creator(result, "avg_likes").tolist() == [12500.0, 300.0, 4.5]
    assert by_creator(result, "fee").tolist() == [1200.5, 99.0, 1000.0]
    assert result.currency == "EUR"
    assert any(n.startswith("numbers are written with a decimal comma") for n in result.notes)
    steps = result.log.steps()
    assert "decimal-comma" in steps["step"].tolist()
    forced = load(write(tmp_path, "us.csv", "Handle,Followers,Likes\na,\"1,234\",5\nb,900,3\n"),
                  decimal=",")
    assert by_creator(forced, "followers").tolist() == [1.234, 900.0]


@pytest.mark.parametrize(
    ("values", "mark"),
    [(["1,234", "56,789", "12"], "."), (["12.5K", "3,4"], "."), (["3,75"], ","),
     (["1.234.567,8"], ","), (["$1,200.50"], "."), (["€1.200,50"], ","), ([], ".")],
)
def test_detect_decimal(values, mark):
    assert intake.detect_decimal(values) == mark


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**9), st.integers(0, 99))
def test_a_comma_decimal_number_reads_as_its_point_twin(whole, cents):
    eu = f"{whole:,}".replace(",", ".") + f",{cents:02d}"
    result = intake._comma_to_point(pd.Series([eu], dtype="string")).iloc[0]
    assert float(result) == float(f"{whole}.{cents:02d}")


def _workbook(path, sheets):
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, index=False, sheet_name=name)
    return path


def test_a_readme_first_workbook_reads_its_table(tmp_path):
    path = _workbook(tmp_path / "book.xlsx", {
        "README": pd.DataFrame({"About": ["exported by a tool", "see the next sheet"]}),
        "Creators": pd.DataFrame({"Handle": ["a", "b", "c"], "Followers": [10, 20, 30],
                                  "Likes": [1, 2, 3]}),
        "Posts": pd.DataFrame({"Caption": ["hi"], "Likes": [5]}),
    })
    raw = read_table(path)
    assert raw.frame["Handle"].tolist() == ["a", "b", "c"]
    assert raw.notes == ("read sheet 'Creators', the one with handles and follower counts; "
                         "not used: ['README', 'Posts'] (--sheet to choose)",)


def test_different_tables_on_two_sheets_the_larger_is_read(tmp_path):
    path = _workbook(tmp_path / "book.xlsx", {
        "Top": pd.DataFrame({"Handle": ["a"], "Followers": [10], "Likes": [1]}),
        "All": pd.DataFrame({"Handle": ["a", "b"], "Followers": [10, 20], "Likes": [1, 2],
                             "Fee": [5, 6]}),
    })
    raw = read_table(path)
    assert raw.frame["Handle"].tolist() == ["a", "b"] and "sheet" not in raw.frame.columns
    assert "read sheet 'All', the largest with handles" in raw.notes[0]


def test_a_workbook_without_a_creator_table_names_every_sheet(tmp_path):
    path = _workbook(tmp_path / "book.xlsx", {
        "README": pd.DataFrame({"About": ["x"]}),
        "Data": pd.DataFrame({"Name of thing": ["a"], "Size": [10]}),
    })
    message = one_line_error(read_table, path, phrase="no sheet has both")
    assert "'README': 'About'" in message and "'Data': 'Name of thing', 'Size'" in message
    assert message.endswith("choose one with --sheet NAME and name its columns with --map")


def test_an_engagement_rate_only_list_derives_engagements(tmp_path):
    content = ("Handle,Followers,Engagement Rate %\na,10K,3.5%\nb,2M,1.2%\nc,500K,bad\n"
               "d,80K,2\n")
    result = load(write(tmp_path, "shortlist.csv", content))
    assert result.components == ("avg_engagements",)
    assert by_creator(result, "avg_engagements").tolist() == pytest.approx(
        [350.0, 24000.0, np.nan, 1600.0], nan_ok=True)
    assert result.notes == [
        "engagement is derived from the engagement rate in 'Engagement Rate %' times followers "
        "(the file has no engagement counts): C1 then measures how that rate changes with "
        "size, as the file's source computed it"]
    assert "derived-engagements" in result.log.steps()["step"].tolist()
    assert events_of(result, "parse-engagement_rate")["old_value"].tolist() == ["bad"]


def test_an_engagement_rate_beside_counts_is_not_used(tmp_path):
    content = "Handle,Followers,Likes,ER\na,1000,10,5%\nb,2000,30,1%\n"
    result = load(write(tmp_path, "list.csv", content))
    assert result.components == ("avg_likes",)
    assert result.table["engagement_rate"].isna().all() and result.notes == []
