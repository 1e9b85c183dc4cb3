"""Tests for insights.references: the shipped table, its validation, midpoints, elasticities."""

from importlib import resources

import numpy as np
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given
from hypothesis import strategies as st

from insights import paths, references
from insights.references import (
    COLUMNS,
    PLATFORMS,
    implied_elasticity,
    reference_rates,
    tier_midpoints,
    validate_reference_rates,
)


def _text_rows() -> pd.DataFrame:
    """Two valid rows as text, the way the TSV is read."""
    base = {
        "ref_id": "X9", "source": "Example", "year": "2020", "platform": "instagram",
        "grade": "B-", "lower": "1000", "rate": "0.05", "denominator": "followers",
        "engagement": "likes", "statistic": "mean", "posts": "all", "second_hand": "false",
        "url": "https://example.org/report", "note": "made up",
    }
    return pd.DataFrame(
        [base | {"tier": "small", "upper": "10000"},
         base | {"tier": "large", "lower": "10000", "upper": "", "rate": "0.02"}]
    ).loc[:, list(COLUMNS)]


# -- the shipped table ---------------------------------------------------------------------


def test_shipped_file_is_tab_separated_utf8_with_the_documented_header():
    text = resources.files("insights").joinpath("data/reference_rates.tsv").read_text("utf-8")
    lines = text.splitlines()
    assert lines[0].split("\t") == list(COLUMNS)
    assert all(len(line.split("\t")) == len(COLUMNS) for line in lines)
    assert text.endswith("\n") and "\r" not in text
    assert all(cell == cell.strip() for line in lines for cell in line.split("\t"))


def test_rows_are_the_chosen_sources_and_tiers():
    table = reference_rates()
    result = table.groupby("ref_id")["tier"].apply(list).to_dict()
    expected = {
        "I1": ["<1k", "1k-10k", "10k-100k", "100k-1M", "1M-10M"],
        "I2": ["micro (10k-100k)", "macro (>100k)"],
        "I3": ["1k-5k", "5k-10k", "10k-50k", "50k-100k", "100k-500k"],
        "I5": ["1k-5k"],
        "I9": ["nano (1k-10k)", "micro (10k-50k)", "mega (>1M)"],
        "T1": ["0-10k", "10k-100k", "100k-500k", "500k-1M", "1M-5M", "5M+", "10M+"],
    }
    assert result == expected


def test_dtypes_and_order():
    table = reference_rates()
    numeric = {"year": "int64", "lower": "float64", "upper": "float64", "rate": "float64",
               "second_hand": "bool"}
    result = table.dtypes.astype(str).to_dict()
    assert {c: result[c] for c in numeric} == numeric
    assert all(pd.api.types.is_string_dtype(table[c]) for c in COLUMNS if c not in numeric)
    sort_key = ["platform", "source", "year", "lower"]
    tm.assert_frame_equal(table, table.sort_values(sort_key, ignore_index=True))
    assert table.index.equals(pd.RangeIndex(len(table)))


def test_published_figures_are_encoded_as_fractions():
    table = reference_rates().set_index(["ref_id", "tier"])
    result = table.loc[
        [("I1", "10k-100k"), ("I3", "100k-500k"), ("I9", "mega (>1M)"), ("I2", "macro (>100k)"),
         ("T1", "10M+"), ("I5", "1k-5k")],
        ["rate", "lower", "upper"],
    ]
    expected = pd.DataFrame(
        {"rate": [0.0237, 0.0221, 0.0033, 0.0265, 0.0307, 0.088],
         "lower": [1e4, 1e5, 1e6, 1e5, 1e7, 1e3],
         "upper": [1e5, 5e5, np.inf, np.inf, np.inf, 5e3]},
        index=result.index,
    )
    tm.assert_frame_equal(result, expected)


def test_second_hand_and_sponsored_flags():
    table = reference_rates()
    assert table.loc[table["second_hand"], ["ref_id", "tier"]].values.tolist() == [
        ["I1", "100k-1M"]
    ]
    assert set(table.loc[table["posts"] == "sponsored", "ref_id"]) == {"I2"}
    assert set(table["grade"]) <= {"C+", "B-"}
    assert set(table["denominator"]) == {"followers"}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_platform_filter(platform):
    result = reference_rates(platform)
    assert set(result["platform"]) <= {platform}
    assert result.index.equals(pd.RangeIndex(len(result)))
    expected = reference_rates()
    expected = expected.loc[expected["platform"] == platform].reset_index(drop=True)
    tm.assert_frame_equal(result, expected)


def test_platform_filter_without_rows_keeps_dtypes():
    result = reference_rates("youtube")
    assert result.empty
    tm.assert_series_equal(result.dtypes, reference_rates().dtypes)


def test_unknown_platform_lists_the_known_ones():
    with pytest.raises(ValueError, match="instagram, tiktok, youtube"):
        reference_rates("twitter")


def test_returned_table_is_a_copy():
    first = reference_rates()
    first.loc[0, "rate"] = 0.5
    assert reference_rates().loc[0, "rate"] != 0.5


# -- validation ------------------------------------------------------------------------------


def test_validation_types_text_rows():
    result = validate_reference_rates(_text_rows())
    expected = pd.DataFrame(
        {"tier": ["small", "large"], "lower": [1e3, 1e4], "upper": [1e4, np.inf],
         "rate": [0.05, 0.02], "year": [2020, 2020], "second_hand": [False, False]}
    )
    tm.assert_frame_equal(result[expected.columns], expected)


def test_validation_does_not_mutate_input():
    frame = _text_rows()
    before = frame.copy()
    validate_reference_rates(frame)
    tm.assert_frame_equal(frame, before)


def test_validation_accepts_typed_table():
    table = reference_rates()
    tm.assert_frame_equal(validate_reference_rates(table), table)


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("rate", "2.37", r"row 1 \(X9 'large'\): rate '2.37' is not a fraction in \(0, 1\)"),
        ("rate", "0", "rate '0' is not a fraction"),
        ("rate", "", "rate '' is not a fraction"),
        ("rate", "n/a", "rate 'n/a' is not a fraction"),
        ("upper", "500", r"row 1 \(X9 'large'\): upper '500' is not above lower 10000"),
        ("upper", "10000", "upper '10000' is not above lower 10000"),
        ("upper", "lots", "upper 'lots' is not a follower count"),
        ("lower", "-1", "lower '-1' is not a finite follower count"),
        ("lower", "", "lower '' is not a finite follower count"),
        ("denominator", "reach", "denominator 'reach' is not one of followers, views"),
        ("platform", "Instagram", "platform 'Instagram' is not one of"),
        ("grade", "D", "grade 'D' is not A, B or C"),
        ("grade", "B−", "grade 'B−' is not A, B or C"),  # a Unicode minus, not ASCII
        ("statistic", "average", "statistic 'average' is not one of mean, median, unknown"),
        ("posts", "paid", "posts 'paid' is not one of all, organic, sponsored"),
        ("second_hand", "yes", "second_hand 'yes' is not true or false"),
        ("url", "digiday.com", "url 'digiday.com' is not a single http"),
        ("year", "c.2018", "year 'c.2018' is not a whole year"),
        ("year", "2018.5", "year '2018.5' is not a whole year"),
        ("ref_id", "", "ref_id '' is not an id"),
        ("engagement", " ", "engagement ' ' is empty"),
        ("tier", "small", "tier 'small' appears twice"),
        ("year", "2021", r"year '202[01]' differs between rows of the same ref_id"),
    ],
)
def test_bad_values_name_the_row_and_value(column, value, match):
    frame = _text_rows()
    frame.loc[1, column] = value
    with pytest.raises(ValueError, match=match):
        validate_reference_rates(frame)


def test_several_bad_rows_are_counted():
    frame = _text_rows().assign(rate="7")
    with pytest.raises(ValueError, match=r"row 0 .*\(and 1 more rows\)"):
        validate_reference_rates(frame)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda f: f.drop(columns="note"), r"missing columns \['note'\]"),
        (lambda f: f.assign(extra=1), r"unexpected columns \['extra'\]"),
    ],
)
def test_column_set_is_checked(change, match):
    with pytest.raises(ValueError, match=match):
        validate_reference_rates(change(_text_rows()))


def test_second_hand_accepts_any_case_and_bools():
    frame = _text_rows().assign(second_hand=["TRUE", False])
    result = validate_reference_rates(frame)["second_hand"].tolist()
    assert result == [True, False]


# -- midpoints -------------------------------------------------------------------------------


def test_midpoints_follow_section_2_7():
    lower = pd.Series([0, 0, 1e3, 1e6], index=[7, 8, 9, 10])
    upper = [1e3, 1e4, 5e3, np.inf]
    result = tier_midpoints(lower, upper)
    expected = pd.Series(
        [np.sqrt(100 * 1e3), np.sqrt(1e3 * 1e4), np.sqrt(1e3 * 5e3), np.sqrt(1e6 * 1e7)],
        index=[7, 8, 9, 10], name="midpoint",
    )
    tm.assert_series_equal(result, expected)


def test_midpoints_of_plain_lists_get_a_range_index():
    result = tier_midpoints([1.0, 4.0], [4.0, 16.0])
    expected = pd.Series([2.0, 8.0], name="midpoint")
    tm.assert_series_equal(result, expected)


def test_midpoints_do_not_mutate_input():
    lower = pd.Series([0.0, 1e3])
    upper = pd.Series([1e3, np.inf])
    tier_midpoints(lower, upper)
    tm.assert_series_equal(lower, pd.Series([0.0, 1e3]))
    tm.assert_series_equal(upper, pd.Series([1e3, np.inf]))


@pytest.mark.parametrize(
    ("lower", "upper", "match"),
    [
        ([1e3], [1e3], "not below upper"),
        ([1e4], [1e3], "not below upper"),
        ([-1.0], [1e3], "negative"),
        ([np.inf], [np.inf], "negative or infinite"),
        ([np.nan], [1e3], "missing"),
        ([0.0], [np.inf], "open at both ends"),
        ([1.0, 2.0], [3.0], "equal length"),
    ],
)
def test_bad_midpoint_bounds_raise(lower, upper, match):
    with pytest.raises(ValueError, match=match):
        tier_midpoints(lower, upper)


# -- implied elasticity ----------------------------------------------------------------------


def test_reproduces_section_2_7_slopes():
    result = implied_elasticity(reference_rates()).set_index("ref_id")
    expected = pd.DataFrame(
        {"n_tiers": [5, 2, 5, 3, 7], "rate_slope": [-0.17, -0.02, -0.24, -0.22, -0.13]},
        index=pd.Index(["I1", "I2", "I3", "I9", "T1"], name="ref_id"),
    )
    tm.assert_frame_equal(
        result.loc[expected.index, ["n_tiers", "rate_slope"]].round(2), expected
    )
    tm.assert_series_equal(result["elasticity"], 1 + result["rate_slope"], check_names=False)
    assert "I5" not in result.index  # a single tier has no slope


def test_markerly_without_the_smallest_tier_matches_section_2_7():
    table = reference_rates("instagram")
    table = table.loc[(table["ref_id"] == "I1") & (table["lower"] > 0)]
    result = implied_elasticity(table)["rate_slope"].round(2).tolist()
    assert result == [-0.13]


def _pairwise_slopes(table: pd.DataFrame) -> list[float]:
    """Slope between each pair of adjacent tiers, via implied_elasticity on two-row groups."""
    table = table.reset_index(drop=True)
    pairs = pd.concat(
        [table.iloc[[i, i + 1]].assign(ref_id=f"P{i}") for i in range(len(table) - 1)]
    )
    result = implied_elasticity(pairs)
    return result.sort_values("ref_id", key=lambda s: s.str[1:].astype(int))[
        "rate_slope"
    ].round(2).tolist()


@pytest.mark.parametrize(
    ("ref_id", "expected"),
    [
        ("I1", [-0.30, -0.23, -0.14, -0.01]),
        ("I3", [-0.47, -0.23, -0.24, -0.05]),
        ("I9", [-0.61, -0.10]),
        ("T1", [-0.05, -0.08, -0.34, 0.02, -0.35, -0.06]),
    ],
)
def test_pairwise_slopes_match_section_2_7(ref_id, expected):
    table = reference_rates()
    assert _pairwise_slopes(table.loc[table["ref_id"] == ref_id]) == expected


def test_groups_are_split_by_denominator_and_small_groups_dropped():
    table = pd.DataFrame(
        {"ref_id": ["A1"] * 4 + ["B1"], "source": ["A"] * 4 + ["B"],
         "platform": ["tiktok"] * 5,
         "denominator": ["followers", "followers", "views", "views", "views"],
         "lower": [1e3, 1e4, 1e3, 1e4, 1e3], "upper": [1e4, 1e5, 1e4, 1e5, 1e4],
         "rate": [0.1, 0.01, 0.1, 0.1, 0.2]}
    )
    result = implied_elasticity(table)
    expected = pd.DataFrame(
        {"ref_id": ["A1", "A1"], "source": ["A", "A"], "platform": ["tiktok", "tiktok"],
         "denominator": ["followers", "views"], "n_tiers": [2, 2],
         "rate_slope": [-1.0, 0.0], "elasticity": [0.0, 1.0]}
    )
    tm.assert_frame_equal(result, expected)


def test_tiers_with_the_same_midpoint_give_no_slope():
    table = pd.DataFrame(
        {"ref_id": ["A1", "A1"], "source": ["A", "A"], "platform": ["instagram"] * 2,
         "denominator": ["followers"] * 2, "lower": [1e3, 1e3], "upper": [1e4, 1e4],
         "rate": [0.1, 0.2]}
    )
    result = implied_elasticity(table)
    assert result.empty
    assert list(result.columns) == [
        "ref_id", "source", "platform", "denominator", "n_tiers", "rate_slope", "elasticity"
    ]


def test_empty_table_gives_empty_result():
    result = implied_elasticity(reference_rates("youtube"))
    assert result.empty
    assert result["rate_slope"].dtype == float and result["n_tiers"].dtype == "int64"


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda t: t.drop(columns="rate"), r"missing columns \['rate'\]"),
        (lambda t: t.assign(rate=0.0), "not positive"),
        (lambda t: t.assign(rate=np.nan), "not positive"),
    ],
)
def test_implied_elasticity_rejects_bad_input(change, match):
    with pytest.raises(ValueError, match=match):
        implied_elasticity(change(reference_rates("tiktok")))


def test_implied_elasticity_does_not_mutate_input():
    table = reference_rates()
    before = table.copy()
    implied_elasticity(table)
    tm.assert_frame_equal(table, before)


@st.composite
def _tier_tables(draw):
    """Contiguous tiers on a log grid (optionally from 0, optionally open at the top)."""
    n = draw(st.integers(min_value=2, max_value=8))
    steps = draw(
        st.lists(st.floats(min_value=0.1, max_value=2.0), min_size=n, max_size=n)
    )
    start = draw(st.floats(min_value=1.0, max_value=4.0))
    edges = 10 ** (start + np.concatenate([[0.0], np.cumsum(steps)]))
    lower, upper = edges[:-1].copy(), edges[1:].copy()
    if draw(st.booleans()):
        lower[0] = 0.0
    if draw(st.booleans()):
        upper[-1] = np.inf
    return lower, upper


@given(
    tiers=_tier_tables(),
    slope=st.floats(min_value=-1.5, max_value=1.5),
    level=st.floats(min_value=-8.0, max_value=3.0),
)
def test_property_exact_power_law_is_recovered(tiers, slope, level):
    lower, upper = tiers
    midpoint = tier_midpoints(lower, upper).to_numpy()
    rate = np.exp(level) * midpoint**slope
    table = pd.DataFrame(
        {"ref_id": "P1", "source": "power law", "platform": "instagram",
         "denominator": "followers", "lower": lower, "upper": upper, "rate": rate}
    )
    result = implied_elasticity(table)
    assert result["n_tiers"].tolist() == [len(lower)]
    assert result["rate_slope"].iloc[0] == pytest.approx(slope, abs=1e-9)
    assert result["elasticity"].iloc[0] == pytest.approx(1 + slope, abs=1e-9)


def test_every_source_in_the_package_data_is_documented():
    """docs/sources.md lists every source id and address of the two published tables."""
    doc = (paths.project_root() / "docs" / "sources.md").read_text(encoding="utf-8")
    tables = [reference_rates(), references.price_tables()]
    missing = sorted(
        {f"{row.ref_id} {row.url}" for table in tables for row in table.itertuples()
         if f"| {row.ref_id} |" not in doc or row.url not in doc}
    )
    assert missing == []


# -- closing open tiers ----------------------------------------------------------------------


def test_close_tiers_known_answer():
    low, high = references.close_tiers([0, 1e3, 1e6], [1e3, 1e4, np.inf])
    np.testing.assert_array_equal(low, [100.0, 1e3, 1e6])
    np.testing.assert_array_equal(high, [1e3, 1e4, 1e7])


@pytest.mark.parametrize(("lower", "upper", "match"),
                         [([0.0], [np.inf], "open at both ends"), ([5.0], [5.0], "lower < upper")])
def test_close_tiers_refuses_bad_tiers(lower, upper, match):
    with pytest.raises(ValueError, match=match):
        references.close_tiers(lower, upper)


@given(st.floats(min_value=1.0, max_value=1e9), st.floats(min_value=1.01, max_value=100.0))
def test_midpoints_lie_inside_the_closed_tier(lower, ratio):
    low, high = references.close_tiers([lower, 0.0], [lower * ratio, lower])
    mid = tier_midpoints([lower, 0.0], [lower * ratio, lower]).to_numpy()
    assert np.all((low <= mid * (1 + 1e-12)) & (mid <= high * (1 + 1e-12)))
