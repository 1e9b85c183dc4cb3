"""Tests for insights.ingest.parsing: display counts, percentages and require_ok."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_index_equal, assert_series_equal

from insights.ingest.parsing import (
    MISSING_TOKENS,
    STATUSES,
    ParseError,
    parse_counts,
    parse_percent,
    require_ok,
)

STATUS_DTYPE = pd.CategoricalDtype(["ok", "missing", "invalid"])
POWER = {"k": 3, "m": 6, "b": 9}


def make_expected(value, resolution, status, index=None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": np.asarray(value, dtype="float64"),
            "resolution": np.asarray(resolution, dtype="float64"),
            "status": pd.Categorical(status, dtype=STATUS_DTYPE),
        },
        index=index,
    )


def values_of(frame: pd.DataFrame) -> np.ndarray:
    return frame["value"].to_numpy(dtype="float64")


# ---------------------------------------------------------------------------------------------
# parse_counts: formats
# ---------------------------------------------------------------------------------------------

VALID_COUNTS = [
    # raw, value, resolution
    ("3.3k", 3_300.0, 50.0),
    ("0.89k", 890.0, 5.0),
    ("87.2K", 87_200.0, 50.0),
    ("475.8m", 475_800_000.0, 50_000.0),
    ("29.0b", 29_000_000_000.0, 50_000_000.0),
    ("1,234", 1_234.0, 0.5),
    ("12,345,678", 12_345_678.0, 0.5),
    ("2.28E+11", 228_000_000_000.0, 5e8),
    ("2.28e11", 228_000_000_000.0, 5e8),
    ("1e3", 1_000.0, 500.0),
    ("1.2M", 1_200_000.0, 50_000.0),
    ("1.2 M", 1_200_000.0, 50_000.0),
    ("1.2 m", 1_200_000.0, 50_000.0),
    ("5769", 5_769.0, 0.5),
    ("0", 0.0, 0.5),
    ("1.5k", 1_500.0, 50.0),
    ("630k", 630_000.0, 500.0),
    ("15.5k", 15_500.0, 50.0),
    (".5k", 500.0, 50.0),
    ("1,234.5k", 1_234_500.0, 50.0),
    ("  4.2m ", 4_200_000.0, 50_000.0),
    ("'3k'", 3_000.0, 500.0),
    ('"3k"', 3_000.0, 500.0),
    ("\t12\n", 12.0, 0.5),
]


@pytest.mark.parametrize(("raw", "value", "resolution"), VALID_COUNTS)
def test_parse_counts_valid_formats(raw, value, resolution):
    result = parse_counts([raw])
    expected = make_expected([value], [resolution], ["ok"])
    assert_frame_equal(result, expected, check_exact=False, rtol=1e-12)
    # The value itself must be exact, not merely close.
    assert values_of(result)[0] == value


def test_parse_counts_whole_column_at_once():
    raw = pd.Series([r for r, _, _ in VALID_COUNTS])
    result = parse_counts(raw)
    expected = make_expected(
        [v for _, v, _ in VALID_COUNTS], [r for _, _, r in VALID_COUNTS], ["ok"] * len(raw)
    )
    assert_frame_equal(result, expected, check_exact=False, rtol=1e-12)
    assert_series_equal(result["value"], expected["value"], check_exact=True)


def test_parse_counts_docstring_example():
    result = parse_counts(["3.3k", "0.89k", "475.8m", "1,234", "2.28E+11", "N/A", "1,2k"])
    expected = make_expected(
        [3300.0, 890.0, 475_800_000.0, 1234.0, 2.28e11, np.nan, np.nan],
        [50.0, 5.0, 50_000.0, 0.5, 5e8, np.nan, np.nan],
        ["ok", "ok", "ok", "ok", "ok", "missing", "invalid"],
    )
    assert_frame_equal(result, expected)


def test_parse_counts_output_shape_and_dtypes():
    result = parse_counts(["1k"])
    assert list(result.columns) == ["value", "resolution", "status"]
    assert result["value"].dtype == np.float64
    assert result["resolution"].dtype == np.float64
    assert result["status"].dtype == STATUS_DTYPE
    assert tuple(result["status"].cat.categories) == STATUSES


def test_parse_counts_empty_input():
    result = parse_counts(pd.Series([], dtype="str"))
    expected = make_expected([], [], [])
    assert_frame_equal(result, expected)


# ---------------------------------------------------------------------------------------------
# parse_counts: missing and invalid
# ---------------------------------------------------------------------------------------------

MISSING_RAW = [
    "nan",
    "NaN",
    "N/A",
    "n/a",
    "N/A'",
    "-",
    "--",
    "—",
    "",
    "   ",
    None,
    np.nan,
    pd.NA,
    "null",
    "None",
    "#N/A",
]


@pytest.mark.parametrize("raw", MISSING_RAW)
def test_parse_counts_missing_markers(raw):
    result = parse_counts(pd.Series([raw], dtype=object))
    expected = make_expected([np.nan], [np.nan], ["missing"])
    assert_frame_equal(result, expected)


@pytest.mark.parametrize("token", sorted(MISSING_TOKENS))
def test_every_missing_token_is_missing_in_both_parsers(token):
    assert parse_counts([token])["status"].tolist() == ["missing"]
    assert parse_percent([token])["status"].tolist() == ["missing"]
    assert parse_percent([token + "%"])["status"].tolist() == ["missing"]


def test_nan_percent_marker():
    # ``NaN%`` is an explicit missing marker of a percentage column ...
    assert_frame_equal(parse_percent(["NaN%"]), make_expected([np.nan], [np.nan], ["missing"]))
    # ... but the ``%`` strip is only for percentages (see MISSING_TOKENS): in a count column
    # a percentage marker means the columns are mislabelled, so it is flagged, not ignored.
    assert_frame_equal(parse_counts(["NaN%"]), make_expected([np.nan], [np.nan], ["invalid"]))


INVALID_COUNTS = [
    "1,2k",  # European decimal comma: never 12,000
    "12,34",
    "1,2345",
    "12 fans",
    "12 followers",
    "1.5.3",
    "-5",  # negative counts
    "-1.2k",
    "1e999",  # overflows to inf
    "1e1000",
    "1 234",
    "1.5kk",
    "k",
    "e5",
    "1.2e3k",
    "1.",
    "+5",
    "inf",
    "infinity",
    "0x10",
    "1_000",
    "１２",  # full-width digits
    "abc",
]


@pytest.mark.parametrize("raw", INVALID_COUNTS)
def test_parse_counts_invalid(raw):
    result = parse_counts([raw])
    expected = make_expected([np.nan], [np.nan], ["invalid"])
    assert_frame_equal(result, expected)


@pytest.mark.parametrize(
    ("raw", "value", "status"),
    [
        ("-5", -5.0, "ok"),
        ("-1.2k", -1_200.0, "ok"),
        ("1.2k", 1_200.0, "ok"),
        ("-", np.nan, "missing"),
        ("--5", np.nan, "invalid"),
    ],
)
def test_parse_counts_allow_negative(raw, value, status):
    result = parse_counts([raw], allow_negative=True)
    expected = pd.Series([value], name="value")
    assert_series_equal(result["value"], expected)
    assert result["status"].tolist() == [status]


# ---------------------------------------------------------------------------------------------
# parse_counts: index, input types
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "index",
    [
        pd.Index([10, 20, 30, 40]),
        pd.Index(["cristiano", "kyliejenner", "leomessi", "rkive"], name="creator"),
        pd.RangeIndex(5, 9),
        pd.Index([3, 1, 2, 0]),
    ],
)
def test_index_is_preserved(index):
    raw = pd.Series(["3.3", "N/A", "oops", "1,234"], index=index, name="followers")
    for result in (parse_counts(raw), parse_percent(raw)):
        assert_index_equal(result.index, index)
        assert result["status"].tolist() == ["ok", "missing", "invalid", "ok"]


def test_input_is_not_mutated():
    raw = pd.Series([" 3.3K ", "N/A'", "1,2k"], index=[5, 6, 7], name="followers")
    before = raw.copy()
    parse_counts(raw)
    parse_percent(raw)
    assert_series_equal(raw, before)


@pytest.mark.parametrize(
    "raw",
    [
        ["1k", "2.5M"],
        ("1k", "2.5M"),
        np.array(["1k", "2.5M"]),
        pd.Series(["1k", "2.5M"], dtype=object),
        pd.Series(["1k", "2.5M"], dtype="str"),
        pd.Series(["1k", "2.5M"], dtype="string"),
        pd.Series(["1k", "2.5M"], dtype="category"),
    ],
    ids=["list", "tuple", "ndarray", "object", "str", "string", "category"],
)
def test_input_containers(raw):
    result = parse_counts(raw)
    expected = make_expected([1_000.0, 2_500_000.0], [500.0, 50_000.0], ["ok", "ok"])
    assert_frame_equal(result, expected)


def test_numeric_float_input_passes_through():
    raw = pd.Series([1.0, np.nan, 3e10, 2.5, 0.1 + 0.2, 1e300], index=list("abcdef"))
    result = parse_counts(raw)
    expected_value = pd.Series(
        [1.0, np.nan, 3e10, 2.5, 0.1 + 0.2, 1e300], index=list("abcdef"), name="value"
    )
    assert_series_equal(result["value"], expected_value, check_exact=True)
    assert result["status"].tolist() == ["ok", "missing", "ok", "ok", "ok", "ok"]


@pytest.mark.parametrize(
    ("raw", "values", "statuses"),
    [
        (pd.Series([1, 2, 5769], dtype="int64"), [1.0, 2.0, 5769.0], ["ok"] * 3),
        (pd.Series([1, None], dtype="Int64"), [1.0, np.nan], ["ok", "missing"]),
        (pd.Series([1.5, -1.0]), [1.5, np.nan], ["ok", "invalid"]),
        (pd.Series([2**62], dtype="int64"), [float(2**62)], ["ok"]),
    ],
)
def test_numeric_input_dtypes(raw, values, statuses):
    result = parse_counts(raw)
    assert_series_equal(result["value"], pd.Series(values, name="value"), check_exact=True)
    assert result["status"].tolist() == statuses


def test_numeric_percent_input_is_percentage_points():
    result = parse_percent(pd.Series([1.39, np.nan, 0.5]))
    expected = pd.Series([0.0139, np.nan, 0.005], name="value")
    assert_series_equal(result["value"], expected, check_exact=True)


# ---------------------------------------------------------------------------------------------
# resolution
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "resolution"),
    [
        ("87.2K", 50.0),
        ("2.28E+11", 5e8),
        ("5769", 0.5),
        ("0.89k", 5.0),
        ("475.8m", 5e4),
        ("29.0b", 5e7),
        ("1b", 5e8),
        ("1.234k", 0.5),
        ("1e-3", 5e-4),
    ],
)
def test_count_resolution(raw, resolution):
    result = parse_counts([raw])["resolution"]
    assert result.iloc[0] == pytest.approx(resolution, rel=1e-12)


@pytest.mark.parametrize(
    ("raw", "resolution"),
    [("1.39%", 5e-5), ("26.41 %", 5e-5), ("1%", 5e-3), ("0.5", 5e-4), ("0.125%", 5e-6)],
)
def test_percent_resolution(raw, resolution):
    result = parse_percent([raw])["resolution"]
    assert result.iloc[0] == pytest.approx(resolution, rel=1e-12)


def test_resolution_interval_contains_true_value():
    # 87.2K stands for [87,150, 87,250): the true count lies within value ± resolution.
    parsed = parse_counts(["87.2K"])
    low = parsed["value"] - parsed["resolution"]
    high = parsed["value"] + parsed["resolution"]
    assert low.iloc[0] == 87_150.0
    assert high.iloc[0] == 87_250.0


# ---------------------------------------------------------------------------------------------
# parse_percent
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "value", "status"),
    [
        ("1.39%", 0.0139, "ok"),
        ("26.41 %", 0.2641, "ok"),
        ("0.5", 0.005, "ok"),
        ("-0.5%", -0.005, "ok"),
        ("+2%", 0.02, "ok"),
        ("1,234%", 12.34, "ok"),
        ("100%", 1.0, "ok"),
        ("NaN%", np.nan, "missing"),
        ("nan", np.nan, "missing"),
        ("N/A", np.nan, "missing"),
        ("N/A'", np.nan, "missing"),
        ("-", np.nan, "missing"),
        ("", np.nan, "missing"),
        ("%", np.nan, "missing"),
        (None, np.nan, "missing"),
        ("abc", np.nan, "invalid"),
        ("5%%", np.nan, "invalid"),
        ("1,2%", np.nan, "invalid"),
        ("1.5.3%", np.nan, "invalid"),
        ("12 percent", np.nan, "invalid"),
    ],
)
def test_parse_percent(raw, value, status):
    result = parse_percent(pd.Series([raw], dtype=object))
    assert_series_equal(result["value"], pd.Series([value], name="value"), check_exact=True)
    assert result["status"].tolist() == [status]


def test_parse_percent_docstring_example():
    result = parse_percent(["1.39%", "NaN%", "-0.5%", "abc"])
    expected = make_expected(
        [0.0139, np.nan, -0.005, np.nan],
        [0.00005, np.nan, 0.0005, np.nan],
        ["ok", "missing", "ok", "invalid"],
    )
    assert_frame_equal(result, expected)


# ---------------------------------------------------------------------------------------------
# require_ok
# ---------------------------------------------------------------------------------------------


def test_require_ok_returns_values():
    raw = pd.Series(["1k", "N/A", "2.5m"], index=[4, 5, 6])
    result = require_ok(parse_counts(raw), raw, column="followers")
    expected = pd.Series([1_000.0, np.nan, 2_500_000.0], index=[4, 5, 6], name="value")
    assert_series_equal(result, expected)


def test_require_ok_error_names_column_rows_and_values():
    raw = pd.Series(["1k", "oops", "2k", "1,2k"], index=[10, 11, 12, 13])
    with pytest.raises(ParseError) as excinfo:
        require_ok(parse_counts(raw), raw, column="followers")
    assert str(excinfo.value) == (
        "column 'followers': 2 value(s) could not be parsed as numbers; "
        "rows [11, 13]: ['oops', '1,2k']"
    )


def test_require_ok_error_uses_index_labels():
    raw = pd.Series(["1k", "12 fans"], index=pd.Index(["cristiano", "rkive"], name="creator"))
    with pytest.raises(ParseError, match=r"rows \['rkive'\]: \['12 fans'\]"):
        require_ok(parse_counts(raw), raw, column="followers")


def test_require_ok_is_a_value_error():
    raw = pd.Series(["oops"])
    with pytest.raises(ValueError, match="column 'likes'"):
        require_ok(parse_counts(raw), raw, column="likes")


def test_require_ok_disallow_missing():
    raw = pd.Series(["1k", None, "N/A", "2k"])
    parsed = parse_counts(raw)
    assert_series_equal(
        require_ok(parsed, raw, column="posts"),
        pd.Series([1_000.0, np.nan, np.nan, 2_000.0], name="value"),
    )
    with pytest.raises(ParseError) as excinfo:
        require_ok(parsed, raw, column="posts", allow_missing=False)
    assert str(excinfo.value) == (
        "column 'posts': 2 value(s) could not be parsed as numbers; rows [1, 2]: [None, 'N/A']"
    )


def test_require_ok_lists_at_most_max_listed():
    raw = pd.Series([f"bad{i}" for i in range(13)])
    with pytest.raises(ParseError) as excinfo:
        require_ok(parse_counts(raw), raw, column="views", max_listed=3)
    assert str(excinfo.value) == (
        "column 'views': 13 value(s) could not be parsed as numbers; "
        "rows [0, 1, 2] (and 10 more): ['bad0', 'bad1', 'bad2']"
    )


def test_require_ok_works_for_percentages():
    raw = pd.Series(["1.39%", "NaN%", "x%"])
    with pytest.raises(ParseError, match=r"column 'rate': 1 value\(s\).*rows \[2\]: \['x%'\]"):
        require_ok(parse_percent(raw), raw, column="rate")


# ---------------------------------------------------------------------------------------------
# Property tests
# ---------------------------------------------------------------------------------------------


@st.composite
def decimal_literals(draw, max_int=10**12):
    """A non-negative decimal with up to three decimals, e.g. '1,234.5' or '630' or '0.89'."""
    whole = draw(st.integers(0, max_int))
    places = draw(st.integers(0, 3))
    digits = f"{whole:,}" if draw(st.booleans()) else str(whole)
    if places:
        digits += "." + f"{draw(st.integers(0, 10**places - 1)):0{places}d}"
    return digits, places


@st.composite
def display_counts(draw):
    """A display string such as '15.5k', '630 K' or '1,234.567b', with its exact value."""
    (digits, places) = draw(decimal_literals())
    suffix = draw(st.sampled_from("kmbKMB"))
    space = draw(st.sampled_from(["", " "]))
    power = POWER[suffix.lower()]
    exact = float(Decimal(f"{digits.replace(',', '')}e{power}"))
    resolution = 0.5 * 10.0 ** (power - places)
    return f"{digits}{space}{suffix}", exact, resolution


@settings(deadline=None)
@given(st.lists(display_counts(), min_size=1, max_size=40))
@example([("1.5k", 1_500.0, 50.0), ("630k", 630_000.0, 500.0), ("15.5k", 15_500.0, 50.0)])
@example([("0.89k", 890.0, 5.0), ("475.8m", 475_800_000.0, 50_000.0)])
def test_property_suffixed_counts_round_trip_exactly(items):
    texts = [text for text, _, _ in items]
    result = parse_counts(pd.Series(texts))
    assert result["status"].eq("ok").all(), result.assign(raw=texts)
    expected = pd.Series([exact for _, exact, _ in items], name="value")
    assert_series_equal(result["value"], expected, check_exact=True)
    expected_resolution = pd.Series([r for _, _, r in items], name="resolution")
    assert_series_equal(result["resolution"], expected_resolution, rtol=1e-12)


@settings(deadline=None)
@given(st.lists(st.integers(0, 10**21), min_size=1, max_size=40))
@example([1_234, 12_345_678, 0, 999, 1_000])
def test_property_thousands_separators_round_trip_exactly(numbers):
    result = parse_counts([f"{n:,}" for n in numbers])
    expected = pd.Series([float(n) for n in numbers], name="value")
    assert_series_equal(result["value"], expected, check_exact=True)
    assert result["status"].eq("ok").all()
    assert result["resolution"].eq(0.5).all()


@settings(deadline=None)
@given(st.lists(st.floats(min_value=0, allow_nan=False, allow_infinity=False), max_size=40))
def test_property_numbers_pass_through_exactly(numbers):
    result = parse_counts(pd.Series(numbers, dtype="float64"))
    assert_series_equal(
        result["value"], pd.Series(numbers, dtype="float64", name="value"), check_exact=True
    )
    assert result["status"].eq("ok").all()


PARSERS = {
    "counts": parse_counts,
    "signed-counts": lambda values: parse_counts(values, allow_negative=True),
    "percent": parse_percent,
}


@pytest.mark.parametrize("parser", PARSERS.values(), ids=PARSERS.keys())
@settings(deadline=None)
@given(texts=st.lists(st.one_of(st.text(), st.none()), max_size=30))
def test_property_arbitrary_text_never_raises(parser, texts):
    result = parser(pd.Series(texts, dtype=object))
    assert len(result) == len(texts)
    assert result["status"].notna().all()
    assert set(result["status"].unique()) <= set(STATUSES)
    not_ok = (result["status"] != "ok").to_numpy()
    assert_series_equal(
        result["value"].isna(), pd.Series(not_ok, name="value"), check_names=False
    )
    assert np.array_equal(result["resolution"].isna().to_numpy(), not_ok)
    assert np.isfinite(result.loc[~not_ok, "value"]).all()


@settings(deadline=None)
@given(
    st.lists(
        st.tuples(
            decimal_literals(max_int=10**6),
            st.sampled_from(["", "-", "+"]),
            st.sampled_from(["%", " %", ""]),
        ),
        min_size=1,
        max_size=40,
    )
)
@example([(("1.39", 2), "", "%"), (("26.41", 2), "", " %"), (("0.5", 1), "-", "%")])
def test_property_percent_round_trip(items):
    texts = [f"{sign}{digits}{pct}" for (digits, _), sign, pct in items]
    result = parse_percent(texts)
    expected = pd.Series(
        [float(Decimal(f"{sign}{digits.replace(',', '')}e-2")) for (digits, _), sign, _ in items],
        name="value",
    )
    assert result["status"].eq("ok").all(), result.assign(raw=texts)
    assert_series_equal(result["value"], expected, check_exact=True)
    for ((_, places), _, _), resolution in zip(items, result["resolution"], strict=True):
        assert math.isclose(resolution, 0.5 * 10.0 ** (-2 - places), rel_tol=1e-12)


# ---------------------------------------------------------------------------------------------
# parse_column: the one logged parser of the ingest wing
# ---------------------------------------------------------------------------------------------


def _logged(values, kind="count", label=None):
    from insights.ingest.cleanlog import CleaningLog
    from insights.ingest.parsing import parse_column

    log = CleaningLog("test")
    frame = pd.DataFrame({"raw": values, "source_row": range(2, 2 + len(values))})
    out = parse_column(frame, "raw", "value", log, table="posts", kind=kind, label=label)
    return out, log.events()


def test_parse_column_logs_negative_and_unparsed_apart():
    out, events = _logged(["12", "-3", "n/a", "abc", "1.5K"])
    assert out["value"].tolist()[:1] == [12.0] and out["value"].iloc[4] == 1500.0
    assert out["value"].iloc[1:4].isna().all()
    expected = pd.DataFrame({"step": ["negative-value", "parse-value"],
                             "source_row": [3, 5], "old_value": ["-3", "abc"]})
    result = events[["step", "source_row", "old_value"]].astype({"source_row": "int64"})
    pd.testing.assert_frame_equal(result.reset_index(drop=True), expected,
                                  check_dtype=False)


def test_parse_column_reason_names_the_label():
    _, events = _logged(["x"], label="Likes (export)")
    assert events["reason"].tolist() == ["'Likes (export)' is not a valid count; set to missing"]


def test_parse_column_percent_has_no_negative_step():
    out, events = _logged(["4.5%", "-2%", "lots"], kind="percent")
    assert out["value"].iloc[0] == pytest.approx(0.045)
    assert set(events["step"]) <= {"parse-value"}


def test_parse_column_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="kind must be 'count' or 'percent'"):
        _logged(["1"], kind="money")


@given(st.lists(st.one_of(st.integers(-10**6, 10**6).map(str), st.sampled_from(["", "abc"])),
                max_size=30))
def test_parse_column_never_loses_a_value_silently(values):
    out, events = _logged(values)
    unusable = out["value"].isna() & pd.Series([v.strip() != "" for v in values], dtype=bool)
    assert len(events) == int(unusable.sum())
    assert (out["value"].dropna() >= 0).all()


# --------------------------------------------------------------------------------------------
# the plain-digits fast path


@given(st.lists(st.text(alphabet="0123456789", min_size=1, max_size=25), min_size=1, max_size=30))
def test_plain_digit_path_equals_the_general_path(digits):
    """Plain digit strings take Arrow's cast directly; the same strings with a space in front
    take the general path (normalised, matched, cast): the results must be identical."""
    fast = parse_counts(pd.Series(digits, dtype="str"))
    general = parse_counts(pd.Series([" " + d for d in digits], dtype="str"))
    pd.testing.assert_frame_equal(fast, general)


def test_plain_digit_path_mixed_with_other_rows_keeps_order_and_statuses():
    values = pd.Series(["5769", "87.2K", "N/A", "0012", "1,2k", "9" * 400, None], dtype="str",
                       index=list("abcdefg"))
    result = parse_counts(values)
    assert result["value"].tolist()[:2] == [5769.0, 87200.0]
    assert result["value"].loc["d"] == 12.0 and result["resolution"].loc["d"] == 0.5
    assert result["status"].tolist() == ["ok", "ok", "missing", "ok", "invalid", "invalid",
                                         "missing"]
    assert list(result.index) == list("abcdefg")


# --------------------------------------------------------------------------------------------
# the compiled single pass against the Arrow kernels

_PIECES = ["0", "1", "5", "9", "12", "007", "123", ",", ",000", ",12", ".", ".5", "k", "K", "m",
           "M", "b", "B", " ", "  ", "\t", "\v", "e", "E", "e+", "e-", "3", "1234", "%", "-",
           "+", "'", '"', "n/a", "N/A", "nan", "NONE", "null", "—", "é", "\x1c", "x", "#value!"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=6).map("".join), min_size=1,
                max_size=40),
       st.booleans())
def test_single_pass_equals_the_arrow_kernels(strings, allow_negative):
    """Display-count grammar pieces in any order: the compiled pass (with its declines handed
    to Arrow) and the Arrow kernels give identical values, resolutions and statuses."""
    series = pd.Series(strings + [None], dtype="str")
    fast = parse_counts(series, allow_negative=allow_negative, engine="compiled")
    arrow = parse_counts(series, allow_negative=allow_negative, engine="arrow")
    pd.testing.assert_frame_equal(fast, arrow)


@given(st.floats(min_value=0, max_value=1e15, allow_nan=False),
       st.sampled_from(["", "k", "m", "b", "e3", "e-2", " k"]), st.integers(0, 6))
def test_single_pass_is_correctly_rounded(number, suffix, places):
    text = f"{number:.{places}f}{suffix}"
    fast = parse_counts(pd.Series([text], dtype="str"), engine="compiled")
    arrow = parse_counts(pd.Series([text], dtype="str"), engine="arrow")
    pd.testing.assert_frame_equal(fast, arrow)


def test_engine_is_checked():
    with pytest.raises(ValueError,
                       match="engine must be 'auto', 'compiled' or 'arrow', got 'numba'"):
        parse_counts(["1"], engine="numba")


def test_auto_engine_compiles_only_large_columns(monkeypatch):
    """``engine="auto"`` leaves numba unloaded for a column under COMPILED_MIN strings and
    takes the compiled pass from there up; the values are the same either way."""
    from insights.ingest import parsing

    loaded = []
    real = parsing._compiled

    def spy():
        loaded.append(True)
        return real()

    monkeypatch.setattr(parsing, "_compiled", spy)
    series = pd.Series(["1.2K", "3,400", "n/a", "7m", "x"], dtype="str")
    small = parse_counts(series)
    assert loaded == []
    monkeypatch.setattr(parsing, "COMPILED_MIN", len(series))
    large = parse_counts(series)
    assert loaded == [True]
    pd.testing.assert_frame_equal(small, large)
    expected = pd.Series([1200.0, 3400.0, np.nan, 7e6, np.nan], name="value")
    pd.testing.assert_series_equal(large["value"], expected)
