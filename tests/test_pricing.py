"""Tests for insights.pricing (price models) and the price tables of insights.references."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_series_equal

from insights.pricing import (
    REFERENCE_FOLLOWERS,
    PriceModel,
    fit_fees,
    fit_price_model,
    in_support,
    price,
    price_law_draws,
    price_model,
    price_points,
    price_support,
    pricing_models,
)
from insights.references import PRICE_COLUMNS, price_tables, validate_price_tables
from insights.stats import InsufficientDataError

NAN = np.nan
MODEL_NAMES = [
    "rate-card", "rate-card-tiktok", "rate-card-youtube", "inzpire-2020", "klear-2019",
    "beichert-2024", "izea-2022",
]


def _price_rows() -> pd.DataFrame:
    """Two valid price-table rows as text, the way the TSV is read."""
    base = {
        "ref_id": "P99", "source": "Example", "year": "2020", "platform": "instagram",
        "grade": "B-", "statistic": "mean", "price_high": "", "second_hand": "false",
        "url": "https://example.org/rates", "note": "made up",
    }
    return pd.DataFrame(
        [base | {"tier": "small", "lower": "1000", "upper": "10000", "price_low": "50"},
         base | {"tier": "large", "lower": "10000", "upper": "", "price_low": "200"}]
    ).loc[:, list(PRICE_COLUMNS)]


def _point_table(followers, prices) -> pd.DataFrame:
    """A typed price table of quoted points (lower == upper), one per follower count."""
    base = {
        "ref_id": "P98", "source": "Synthetic", "year": "2024", "platform": "all",
        "grade": "C", "statistic": "point", "price_high": "", "second_hand": "false",
        "url": "https://example.org/points", "note": "",
    }
    rows = [
        base | {"tier": f"t{i}", "lower": repr(float(f)), "upper": repr(float(f)),
                "price_low": repr(float(p))}
        for i, (f, p) in enumerate(zip(followers, prices, strict=True))
    ]
    return validate_price_tables(pd.DataFrame(rows).loc[:, list(PRICE_COLUMNS)])


# ---------------------------------------------------------------------------------------------
# validate_price_tables
# ---------------------------------------------------------------------------------------------


def test_validation_types_text_rows():
    result = validate_price_tables(_price_rows())
    expected = pd.DataFrame(
        {
            "year": np.array([2020, 2020], dtype="int64"),
            "lower": [1e3, 1e4],
            "upper": [1e4, np.inf],
            "price_low": [50.0, 200.0],
            "price_high": [NAN, NAN],
        }
    )
    assert_frame_equal(result[expected.columns], expected)
    assert list(result.columns) == list(PRICE_COLUMNS)
    assert result["second_hand"].tolist() == [False, False]
    assert result["tier"].tolist() == ["small", "large"]
    assert result.index.equals(pd.RangeIndex(2))


def test_validation_second_hand_is_numpy_bool():
    result = validate_price_tables(_price_rows())
    assert result["second_hand"].dtype == np.dtype(bool)


def test_validation_strips_text_and_reads_flags_in_any_case():
    frame = _price_rows()
    frame.loc[0, ["source", "second_hand"]] = [" Example ", "TRUE"]
    frame.loc[1, ["source", "second_hand"]] = ["Example", "False"]
    result = validate_price_tables(frame)
    assert result["source"].tolist() == ["Example", "Example"]
    assert result["second_hand"].tolist() == [True, False]


def test_validation_sorts_by_ref_id_platform_and_lower():
    frame = _price_rows().iloc[::-1].reset_index(drop=True)
    result = validate_price_tables(frame)
    assert result["tier"].tolist() == ["small", "large"]
    assert result.index.equals(pd.RangeIndex(2))


def test_validation_does_not_mutate_input():
    frame = _price_rows()
    before = frame.copy()
    validate_price_tables(frame)
    assert_frame_equal(frame, before)


def test_validation_accepts_typed_table():
    table = price_tables()
    assert_frame_equal(validate_price_tables(table), table)


def test_validation_accepts_open_price_range():
    frame = _price_rows()
    frame.loc[1, ["statistic", "price_high"]] = ["range", ""]
    frame.loc[0, ["statistic", "price_high"]] = ["range", "60"]
    result = validate_price_tables(frame)
    assert_series_equal(result["price_high"], pd.Series([60.0, NAN], name="price_high"))


@pytest.mark.parametrize(
    ("column", "value", "match"),
    [
        ("ref_id", "X9", r"row 1 \(X9 'large'\): ref_id 'X9' is not an id like P4"),
        ("ref_id", "", r"ref_id '' is not an id like P4"),
        ("source", " ", r"row 1 \(P99 'large'\): source ' ' is empty"),
        ("tier", "", r"tier '' is empty"),
        ("year", "c.2018", r"year 'c.2018' is not a whole year between 1990 and 2100"),
        ("year", "2020.5", r"year '2020.5' is not a whole year"),
        ("year", "1989", r"year '1989' is not a whole year"),
        ("platform", "Instagram", r"platform 'Instagram' is not one of instagram, tiktok"),
        ("grade", "D", r"grade 'D' is not A, B or C"),
        ("lower", "-1", r"row 1 \(P99 'large'\): lower '-1' is not a follower count >= 0"),
        ("lower", "", r"lower '' is not a follower count >= 0"),
        ("upper", "500", r"upper '500' is not empty or >= lower"),
        ("upper", "lots", r"upper 'lots' is not empty or >= lower"),
        ("statistic", "median", r"statistic 'median' is not one of range, mean, point"),
        ("price_low", "0", r"row 1 \(P99 'large'\): price_low '0' is not a positive price"),
        ("price_low", "-3", r"price_low '-3' is not a positive price"),
        ("price_low", "", r"price_low '' is not a positive price"),
        ("price_high", "300", r"price_high '300' is given, but a mean/point/typical/ratio"),
        ("second_hand", "yes", r"second_hand 'yes' is not true or false"),
        ("url", "example.org", r"url 'example.org' is not a single http\(s\) URL"),
        ("source", "Other", r"row 0 \(P99 'small'\): source 'Example' differs between rows "
                            r"of the same ref_id \(and 1 more rows\)"),
        ("year", "2021", r"year '2020' differs between rows of the same ref_id"),
        ("grade", "A", r"grade 'B-' differs between rows of the same ref_id"),
        ("tier", "small", r"row 1 \(P99 'small'\): tier 'small' appears twice for the same "
                          r"ref_id and platform"),
    ],
)
def test_validation_bad_values_name_row_column_and_value(column, value, match):
    frame = _price_rows()
    frame.loc[1, column] = value
    with pytest.raises(ValueError, match=match):
        validate_price_tables(frame)


def test_validation_price_high_below_price_low():
    frame = _price_rows()
    frame.loc[1, ["statistic", "price_high"]] = ["range", "100"]
    with pytest.raises(ValueError, match=r"row 1 \(P99 'large'\): price_high '100' is below "
                                         r"price_low"):
        validate_price_tables(frame)


def test_validation_point_at_zero_followers():
    frame = _price_rows()
    frame.loc[1, ["lower", "upper"]] = ["0", "0"]
    with pytest.raises(ValueError, match=r"lower '0' is a point at 0 followers"):
        validate_price_tables(frame)


def test_validation_same_tier_on_other_platform_is_fine():
    frame = _price_rows()
    frame.loc[1, ["tier", "platform"]] = ["small", "tiktok"]
    result = validate_price_tables(frame)
    assert result[["platform", "tier"]].values.tolist() == [
        ["instagram", "small"], ["tiktok", "small"]
    ]


def test_validation_counts_further_bad_rows():
    with pytest.raises(ValueError, match=r"row 0 .*price_low '0'.*\(and 1 more rows\)"):
        validate_price_tables(_price_rows().assign(price_low="0"))


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda f: f.drop(columns="note"), r"missing columns \['note'\]"),
        (lambda f: f.assign(extra=1), r"unexpected columns \['extra'\]"),
    ],
)
def test_validation_checks_the_column_set(change, match):
    with pytest.raises(ValueError, match=match):
        validate_price_tables(change(_price_rows()))


# ---------------------------------------------------------------------------------------------
# price_tables
# ---------------------------------------------------------------------------------------------


def test_price_tables_sources_and_dtypes():
    table = price_tables()
    assert sorted(table["ref_id"].unique()) == ["P1", "P10", "P3", "P4", "P5"]
    assert list(table.columns) == list(PRICE_COLUMNS)
    assert table["year"].dtype == "int64"
    for column in ("lower", "upper", "price_low", "price_high"):
        assert table[column].dtype == "float64"
    assert table.groupby("ref_id")["source"].nunique().eq(1).all()


@pytest.mark.parametrize("ref_id", ["P1", "P3", "P4", "P5", "P10"])
def test_price_tables_filter(ref_id):
    result = price_tables(ref_id)
    table = price_tables()
    expected = table.loc[table["ref_id"] == ref_id].reset_index(drop=True)
    assert_frame_equal(result, expected)
    assert len(result) > 0


def test_price_tables_izea_rows():
    result = price_tables("P4")[["tier", "lower", "upper", "price_low"]]
    expected = pd.DataFrame(
        {
            "tier": ["nano (<10k)", "micro (10k-50k)", "mid (50k-200k)", "macro (200k-500k)",
                     "mega (500k-1M)"],
            "lower": [0.0, 1e4, 5e4, 2e5, 5e5],
            "upper": [1e4, 5e4, 2e5, 5e5, 1e6],
            "price_low": [1105.0, 1674.0, 3396.0, 4992.0, 5497.0],
        }
    )
    assert_frame_equal(result, expected, check_dtype=False)


def test_price_tables_unknown_id():
    with pytest.raises(KeyError, match=r"unknown price table 'P2'; known: \['P1', 'P10'"):
        price_tables("P2")


def test_price_tables_returns_a_copy():
    first = price_tables()
    first.loc[0, "price_low"] = -1.0
    assert price_tables().loc[0, "price_low"] > 0


# ---------------------------------------------------------------------------------------------
# price_points
# ---------------------------------------------------------------------------------------------


def test_price_points_midpoints_ranges_points_and_open_prices():
    base = {
        "ref_id": "P97", "source": "Mixed", "year": "2022", "platform": "all", "grade": "C",
        "second_hand": "false", "url": "https://example.org/mixed", "note": "",
    }
    rows = [
        # tier from 0: starts a decade below its upper bound (1k-10k)
        base | {"tier": "a", "lower": "0", "upper": "10000", "price_low": "10",
                "price_high": "1000", "statistic": "range"},
        base | {"tier": "b", "lower": "10000", "upper": "40000", "price_low": "300",
                "price_high": "", "statistic": "mean"},
        # a quoted point is used as it is
        base | {"tier": "c", "lower": "70000", "upper": "70000", "price_low": "900",
                "price_high": "", "statistic": "point"},
        # an open top tier ends at 10x its lower bound; an open price range is unused
        base | {"tier": "d", "lower": "100000", "upper": "", "price_low": "5000",
                "price_high": "", "statistic": "range"},
        base | {"tier": "e", "lower": "200000", "upper": "", "price_low": "8000",
                "price_high": "", "statistic": "typical"},
    ]
    table = validate_price_tables(pd.DataFrame(rows).loc[:, list(PRICE_COLUMNS)])
    result = price_points(table)
    assert_frame_equal(result[list(PRICE_COLUMNS)], table)
    expected = pd.DataFrame(
        {
            "followers": [math.sqrt(1e3 * 1e4), math.sqrt(1e4 * 4e4), 7e4,
                          math.sqrt(1e5 * 1e6), math.sqrt(2e5 * 2e6)],
            "price": [math.sqrt(10 * 1000), 300.0, 900.0, NAN, 8000.0],
            "used": [True, True, True, False, True],
        }
    )
    assert_frame_equal(result[["followers", "price", "used"]], expected)


def test_price_points_keeps_index_and_does_not_mutate():
    table = price_tables("P1").query("platform == 'youtube'")
    before = table.copy()
    result = price_points(table)
    assert_frame_equal(table, before)
    assert result.index.equals(table.index)
    # $20 per 1,000 subscribers at each closed tier's geometric midpoint
    used = result.loc[result["used"]]
    np.testing.assert_allclose(used["price"], 0.02 * used["followers"], rtol=1e-12)
    assert result["used"].tolist() == [True, True, True, True, False]


# ---------------------------------------------------------------------------------------------
# fit_price_model
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("exponent", "fee_at_10k"), [(0.7, 80.0), (1.0, 100.0), (0.0, 42.0)])
def test_fit_price_model_recovers_an_exact_power_law(exponent, fee_at_10k):
    followers = [2e3, 1.5e4, 3e5, 4e6]
    prices = [fee_at_10k * (f / REFERENCE_FOLLOWERS) ** exponent for f in followers]
    model = fit_price_model(_point_table(followers, prices), "synthetic", currency="EUR",
                            note="made up")
    assert model.exponent == pytest.approx(exponent, abs=1e-12)
    assert model.fee_at_10k == pytest.approx(fee_at_10k, rel=1e-12)
    assert (model.name, model.currency, model.note) == ("synthetic", "EUR", "made up")
    assert (model.source, model.grade, model.n_points) == ("Synthetic 2024", "C", 4)
    assert np.isnan(model.exponent_ci).all()


def test_fit_price_model_leaves_out_open_price_ranges():
    rows = price_tables("P1").query("platform == 'instagram'")
    model = fit_price_model(rows, "card")
    assert model.n_points == 4  # the "$10,000+" mega row has no price
    assert model.exponent == pytest.approx(1.0, abs=1e-12)
    assert model.fee_at_10k == pytest.approx(100.0, rel=1e-12)


@pytest.mark.parametrize(
    ("followers", "prices"),
    [([5e4, 5e4], [100.0, 200.0]), ([5e4], [100.0])],
)
def test_fit_price_model_needs_two_distinct_follower_counts(followers, prices):
    table = _point_table(followers, prices)
    with pytest.raises(ValueError, match=r"price model 'x': need prices at two or more "
                                         r"distinct follower counts, got 1"):
        fit_price_model(table, "x")


def test_fit_price_model_unused_rows_do_not_count_as_points():
    rows = price_tables("P1").query("platform == 'instagram'")
    rows = rows.loc[rows["tier"].isin(["nano", "mega"])]  # mega's open range is unused
    with pytest.raises(ValueError, match="got 1"):
        fit_price_model(rows, "x")


# ---------------------------------------------------------------------------------------------
# pricing_models / price_model
# ---------------------------------------------------------------------------------------------


def _geo(lower: float, upper: float) -> float:
    return math.sqrt(lower * upper)


def test_pricing_models_names_in_fixed_order():
    models = pricing_models()
    assert list(models) == MODEL_NAMES
    assert all(isinstance(m, PriceModel) and m.name == n for n, m in models.items())
    assert {m.currency for m in models.values()} == {"USD"}


def test_rate_cards_are_linear():
    models = pricing_models(["rate-card", "rate-card-youtube"])
    assert list(models) == ["rate-card", "rate-card-youtube"]
    assert models["rate-card"].exponent == pytest.approx(1.0, abs=1e-12)
    assert models["rate-card"].fee_at_10k == pytest.approx(100.0, rel=1e-12)
    assert models["rate-card-youtube"].exponent == pytest.approx(1.0, abs=1e-12)
    assert models["rate-card-youtube"].fee_at_10k == pytest.approx(200.0, rel=1e-12)
    assert models["rate-card"].source == "IMH rate card 2021"
    assert models["rate-card"].grade == "C"


def test_beichert_exponent_is_log18_over_log100():
    # nano 0-10k -> 1k-10k, midpoint 10**3.5; macro 100k+ -> 100k-1M, midpoint 10**5.5; 18x
    model = price_model("beichert-2024")
    assert model.exponent == pytest.approx(math.log(18) / math.log(100), rel=1e-12)
    assert model.fee_at_10k == pytest.approx(50 * (1e4 / 10**3.5) ** model.exponent, rel=1e-12)
    assert model.n_points == 2


def test_klear_and_inzpire_exponents_from_their_two_points():
    klear = price_model("klear-2019")
    expected = math.log(3138 / 41) / math.log(_geo(5e5, 5e6) / _geo(500, 5000))
    assert klear.exponent == pytest.approx(expected, rel=1e-12)
    inzpire = price_model("inzpire-2020")
    expected = math.log(5000 / math.sqrt(500 * 1000)) / math.log(500_000 / 41_000)
    assert inzpire.exponent == pytest.approx(expected, rel=1e-12)


def test_izea_exponent_is_the_benchmarks_fit():
    model = price_model("izea-2022")
    x = np.log(np.array([_geo(1e3, 1e4), _geo(1e4, 5e4), _geo(5e4, 2e5), _geo(2e5, 5e5),
                         _geo(5e5, 1e6)]) / 1e4)
    y = np.log([1105.0, 1674.0, 3396.0, 4992.0, 5497.0])
    slope, intercept = np.polyfit(x, y, 1)
    assert model.exponent == pytest.approx(slope, rel=1e-12)
    assert model.fee_at_10k == pytest.approx(math.exp(intercept), rel=1e-12)
    assert round(model.exponent, 2) == 0.32  # IZEA 2022 (P4): price ~ F^0.32
    assert (model.source, model.grade, model.n_points) == ("IZEA 2022", "B-", 5)


def test_published_exponents_are_sublinear_and_ordered():
    result = pd.Series({n: m.exponent for n, m in pricing_models().items()}).round(2)
    expected = pd.Series(
        {"rate-card": 1.00, "rate-card-tiktok": 0.94, "rate-card-youtube": 1.00,
         "inzpire-2020": 0.78, "klear-2019": 0.63, "beichert-2024": 0.63, "izea-2022": 0.32}
    )
    assert_series_equal(result, expected)


def test_price_model_passes_a_model_through():
    model = PriceModel("mine", 0.5, 20.0)
    assert price_model(model) is model


def test_unknown_pricing_model():
    with pytest.raises(KeyError, match=r"unknown pricing model 'cheap'; known: rate-card, "):
        price_model("cheap")
    with pytest.raises(KeyError, match="unknown pricing model 'cheap'"):
        pricing_models(["rate-card", "cheap"])


def test_pricing_models_returns_a_new_dict():
    first = pricing_models()
    first.pop("rate-card")
    assert "rate-card" in pricing_models()


# ---------------------------------------------------------------------------------------------
# PriceModel
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"exponent": np.inf}, r"price model 'm': exponent must be a finite number, got inf"),
        ({"exponent": NAN}, r"exponent must be a finite number, got nan"),
        ({"fee_at_10k": 0.0}, r"price model 'm': fee_at_10k must be a positive number, got 0.0"),
        ({"fee_at_10k": -5.0}, r"fee_at_10k must be a positive number, got -5.0"),
        ({"fee_at_10k": NAN}, r"fee_at_10k must be a positive number, got nan"),
        ({"currency": "usd"}, r"currency must be a 3-letter ISO code such as 'USD', got 'usd'"),
        ({"currency": "US"}, r"got 'US'"),
        ({"currency": "USDX"}, r"got 'USDX'"),
        ({"support": (-1.0, 10.0)}, r"support must be \(low, high\) with 0 <= low < high, got "
                                    r"\(-1.0, 10.0\)"),
        ({"support": (10.0, 10.0)}, r"support must be"),
    ],
)
def test_price_model_validation(kwargs, match):
    fields = {"name": "m", "exponent": 0.5, "fee_at_10k": 100.0} | kwargs
    with pytest.raises(ValueError, match=match):
        PriceModel(**fields)


def test_price_model_describe():
    assert PriceModel("linear", 1.0, 100.0, source="rule").describe() == (
        "linear: p = 1.00; USD 100 at 10k followers, USD 10,000 at 1M (rule)"
    )
    model = PriceModel("own", 0.5, 50.0, currency="EUR", source="analyst's fees",
                       exponent_ci=(0.4, 0.6))
    assert model.describe() == (
        "own: p = 0.50 (0.40 to 0.60); EUR 50 at 10k followers, EUR 500 at 1M (analyst's fees)"
    )


def test_price_model_is_frozen():
    model = PriceModel("m", 0.5, 10.0)
    with pytest.raises(AttributeError):
        model.exponent = 2.0


# ---------------------------------------------------------------------------------------------
# fit_fees
# ---------------------------------------------------------------------------------------------


def _fees(n: int, exponent: float, fee_at_10k: float, seed: int, sd: float = 0.3):
    rng = np.random.default_rng(seed)
    followers = 10 ** rng.uniform(3, 6.5, n)
    fee = fee_at_10k * (followers / 1e4) ** exponent * np.exp(rng.normal(0, sd, n))
    return pd.DataFrame({"followers": followers, "fee": fee})


@pytest.mark.parametrize(("exponent", "seed"), [(0.3, 1), (0.6, 2), (1.0, 3)])
def test_fit_fees_recovers_the_exponent_with_a_covering_ci(exponent, seed):
    frame = _fees(400, exponent, 120.0, seed).assign(currency="GBP")
    model = fit_fees(frame, name="mine")
    low, high = model.exponent_ci
    assert low < exponent < high
    assert low < model.exponent < high
    assert high - low < 0.1
    assert model.exponent == pytest.approx(exponent, abs=0.05)
    assert model.fee_at_10k == pytest.approx(120.0, rel=0.1)
    assert (model.name, model.currency, model.n_points) == ("mine", "GBP", 400)
    assert (model.source, model.grade) == ("analyst's fees", "own data")
    assert "HC3" in model.note


def test_fit_fees_exact_data_and_custom_columns():
    followers = np.array([1e3, 1e4, 1e5, 1e6, 3e6])
    frame = pd.DataFrame({"subs": followers, "paid": 7.0 * (followers / 1e4) ** 0.4})
    model = fit_fees(frame, fee="paid", followers="subs", currency="EUR")
    assert model.exponent == pytest.approx(0.4, abs=1e-9)
    assert model.fee_at_10k == pytest.approx(7.0, rel=1e-9)
    assert model.currency == "EUR"


def test_fit_fees_leaves_out_unusable_rows():
    followers = [1e3, 1e4, 1e5, 1e6, NAN, 0.0, 5e4, 2e4]
    fee = [10.0, 100.0, 1000.0, 10_000.0, 5.0, 5.0, -1.0, 0.0]
    model = fit_fees(pd.DataFrame({"followers": followers, "fee": fee}))
    assert model.n_points == 4
    assert model.exponent == pytest.approx(1.0, abs=1e-9)
    assert model.currency == "USD"


def test_fit_fees_normalises_a_single_currency():
    frame = _fees(20, 0.5, 50.0, 4).assign(currency=["eur", " EUR"] * 10)
    assert fit_fees(frame).currency == "EUR"
    assert fit_fees(frame, currency="eur").currency == "EUR"


def test_fit_fees_mixed_currencies():
    frame = _fees(20, 0.5, 50.0, 5).assign(currency=["USD"] * 17 + ["EUR"] * 3)
    with pytest.raises(ValueError, match=r"column 'currency' mixes \['EUR', 'USD'\].*"
                                         r"rows \[17, 18, 19\] are not USD"):
        fit_fees(frame)


def test_fit_fees_currency_other_than_asked():
    frame = _fees(20, 0.5, 50.0, 6).assign(currency="EUR")
    with pytest.raises(ValueError, match=r"column 'currency' is EUR, not the USD asked for"):
        fit_fees(frame, currency="USD")


@pytest.mark.parametrize("column", ["fee", "followers"])
def test_fit_fees_missing_column(column):
    frame = _fees(20, 0.5, 50.0, 7).drop(columns=column)
    with pytest.raises(KeyError, match=rf"column '{column}' not in the table; columns are"):
        fit_fees(frame)


def test_fit_fees_too_few_rows():
    frame = pd.DataFrame({"followers": [1e3, 1e4], "fee": [10.0, 100.0]})
    with pytest.raises(InsufficientDataError, match="usable rows"):
        fit_fees(frame)


def test_fit_fees_four_rows_are_enough_as_documented():
    frame = pd.DataFrame({"followers": [1e3, 1e4, 1e5, 1e6],
                          "fee": [10.0, 110.0, 1000.0, 9000.0]})
    assert fit_fees(frame).n_points == 4
    with pytest.raises(ValueError):
        fit_fees(frame.iloc[:3])


def test_fit_fees_exponent_lies_in_its_interval_for_falling_prices():
    frame = _fees(200, 0.5, 50.0, 8)
    frame["fee"] = 1e5 / frame["fee"]  # fees that fall with followers
    model = fit_fees(frame)
    assert model.exponent_ci[0] <= model.exponent <= model.exponent_ci[1]
    assert model.exponent == pytest.approx(-0.5, abs=0.1)


def test_a_falling_price_model_is_allowed():
    model = PriceModel("falling", -0.2, 100.0)
    result = price([1e4, 1e6], model)
    expected = pd.Series([100.0, 100.0 * 100.0**-0.2], name="fee")
    assert_series_equal(result, expected, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# price
# ---------------------------------------------------------------------------------------------


def test_price_rate_card():
    result = price([1_000, 10_000, 1_000_000, 0], "rate-card")
    expected = pd.Series([10.0, 100.0, 10_000.0, NAN], name="fee")
    assert_series_equal(result, expected, rtol=1e-12)


def test_price_keeps_the_index_and_reads_text():
    followers = pd.Series(["10000", "abc", None, "-5", "inf"], index=list("abcde"))
    model = PriceModel("m", 0.5, 40.0)
    result = price(followers, model)
    expected = pd.Series([40.0, NAN, NAN, NAN, NAN], index=list("abcde"), name="fee")
    assert_series_equal(result, expected)


def test_price_nullable_integers():
    result = price(pd.Series([40_000, pd.NA], dtype="Int64"), PriceModel("m", 0.5, 40.0))
    expected = pd.Series([80.0, NAN], name="fee")
    assert_series_equal(result, expected)


def test_price_unknown_model():
    with pytest.raises(KeyError, match="unknown pricing model 'free'"):
        price([1e4], "free")


MODELS = st.builds(
    PriceModel,
    name=st.just("h"),
    exponent=st.floats(min_value=0.0, max_value=2.0),
    fee_at_10k=st.floats(min_value=1e-2, max_value=1e5),
)


@settings(max_examples=60, deadline=None)
@given(
    model=st.one_of(MODELS, st.sampled_from(MODEL_NAMES)),
    followers=st.floats(min_value=1.0, max_value=1e9),
    k=st.floats(min_value=1e-3, max_value=1e3),
)
@example(model="izea-2022", followers=1e4, k=100.0)
def test_property_price_scales_as_a_power_law(model, followers, k):
    p = price_model(model).exponent
    fees = price([followers, k * followers], model)
    assert fees.iloc[1] / fees.iloc[0] == pytest.approx(k**p, rel=1e-9)


@settings(max_examples=60, deadline=None)
@given(
    model=st.one_of(
        st.builds(PriceModel, name=st.just("h"), exponent=st.floats(0.05, 2.0),
                  fee_at_10k=st.floats(1e-2, 1e5)),
        st.sampled_from(MODEL_NAMES),
    ),
    followers=st.lists(st.floats(min_value=1.0, max_value=1e9), min_size=2, max_size=20),
)
def test_property_price_is_monotone_in_followers(model, followers):
    ordered = sorted(followers)
    fees = price(ordered, model).to_numpy()
    assert np.all(np.diff(fees) >= 0)
    distinct = np.diff(ordered) > 0
    big_steps = np.diff(np.log(ordered)) > 1e-6
    assert np.all(np.diff(fees)[distinct & big_steps] > 0)


@settings(max_examples=60, deadline=None)
@given(
    model=st.one_of(MODELS, st.sampled_from(MODEL_NAMES)),
    followers=st.lists(
        st.one_of(st.floats(min_value=-1e12, max_value=1e12),
                  st.sampled_from([0.0, -0.0, -1.0, NAN, np.inf, -np.inf])),
        max_size=20,
    ),
)
def test_property_price_is_nan_exactly_without_an_audience(model, followers):
    result = price(pd.Series(followers, dtype="float64"), model)
    values = np.asarray(followers, dtype=float)
    usable = np.isfinite(values) & (values > 0)
    assert np.array_equal(np.isnan(result.to_numpy()), ~usable)
    assert (result.to_numpy()[usable] >= 0).all()




# ---------------------------------------------------------------------------------------------
# support and price-law draws (docs/analysis-plan.md, amendment 7)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("rate-card", (1e3, 1e6)),  # the open "$10,000+" mega price prices nothing
        ("rate-card-tiktok", (1e3, 1e6)),
        ("izea-2022", (0.0, 1e6)),
        ("inzpire-2020", (41e3, 5e5)),  # two quoted points
        ("klear-2019", (500.0, 5e5)),  # "500k+" is open: up to its lower bound only
        ("beichert-2024", (0.0, 1e5)),  # "> 100k" likewise
    ],
)
def test_named_models_carry_their_tables_support(name, expected):
    result = price_model(name).support
    assert result == expected


def test_price_support_leaves_out_rows_without_a_price():
    rows = price_tables("P1").query("platform == 'instagram'")
    result = price_support(rows.loc[rows["tier"].isin(["nano", "mega"])])
    assert result == (1e3, 1e4)
    with pytest.raises(ValueError, match="no row of the price table has a usable price"):
        price_support(rows.loc[rows["tier"] == "mega"])


def test_in_support_is_half_open_like_the_tiers():
    result = in_support(pd.Series([999, 1_000, 999_999, 1_000_000, np.nan, -5]), "rate-card")
    expected = np.array([False, True, True, False, False, False])
    np.testing.assert_array_equal(result, expected)


def test_hand_written_model_holds_everywhere_and_own_fees_cover_their_accounts():
    assert PriceModel("linear", 1.0, 100.0).support == (0.0, np.inf)
    fees = pd.DataFrame({"followers": [2e3, 1e4, 5e4, 3e5, 8e5],
                         "fee": [30.0, 90.0, 400.0, 2000.0, 5000.0]})
    model = fit_fees(fees)
    assert model.support == pytest.approx((2e3, 8e5), rel=1e-8)
    assert in_support([2e3, 8e5, 8.0001e5], model).tolist() == [True, True, False]


def test_price_law_draws_keep_a_rate_card_exactly_linear():
    result = price_law_draws("rate-card", 500, rng=np.random.default_rng(0))
    np.testing.assert_allclose(result["exponent"], 1.0, atol=1e-12)
    np.testing.assert_allclose(result["fee_at_10k"], 100.0, rtol=1e-9)


def test_price_law_draws_of_two_tier_means_stay_inside_the_tiers_bounds():
    # Klear: means 41 (500-5k) and 3,138 (500k+, closed at 5M); the slope is largest when the
    # two locations are closest (5k and 500k) and smallest when farthest (500 and 5M)
    rise = math.log(3138 / 41)
    result = price_law_draws("klear-2019", 4000, rng=np.random.default_rng(1))["exponent"]
    assert result.min() >= rise / math.log(5e6 / 500) - 1e-12
    assert result.max() <= rise / math.log(5e5 / 5e3) + 1e-12
    assert result.min() < 0.52 and result.max() > 0.85  # the draws reach near both ends
    assert result.median() == pytest.approx(price_model("klear-2019").exponent, abs=0.02)


def test_price_law_draws_of_own_fees_follow_the_exponents_interval():
    rng = np.random.default_rng(2)
    f = 10 ** rng.uniform(3, 6, 300)
    fees = pd.DataFrame({"followers": f, "fee": 80 * (f / 1e4) ** 0.6
                         * np.exp(rng.normal(0, 0.3, 300))})
    model = fit_fees(fees)
    result = price_law_draws(model, 20_000, rng=np.random.default_rng(3))
    se = (model.exponent_ci[1] - model.exponent_ci[0]) / (2 * 1.959963984540054)
    assert result["exponent"].mean() == pytest.approx(model.exponent, abs=4 * se / 141)
    assert result["exponent"].std() == pytest.approx(se, rel=0.03)
    assert (result["fee_at_10k"] == model.fee_at_10k).all()


def test_price_law_draws_bad_input():
    with pytest.raises(ValueError, match="n_draws must be a positive whole number, got 0"):
        price_law_draws("izea-2022", 0, rng=np.random.default_rng(0))
    with pytest.raises(TypeError, match="pass rng=np.random.default_rng"):
        price_law_draws("izea-2022", 5, rng=0)


@settings(max_examples=40, deadline=None)
@given(exponent=st.floats(-0.5, 1.5), fee=st.floats(1.0, 1e4), seed=st.integers(0, 2**32 - 1))
def test_price_law_draws_of_a_power_law_card_are_that_law(exponent, fee, seed):
    # tier price ranges that are the law at the tier bounds: every draw lies on the law
    bounds = [(1e3, 1e4), (1e4, 5e4), (5e4, 5e5), (5e5, 1e6)]
    law = [fee * (b / REFERENCE_FOLLOWERS) ** exponent for pair in bounds for b in pair]
    table = pd.DataFrame({
        "ref_id": "X", "source": "Synthetic", "year": 2024, "platform": "instagram",
        "grade": "C", "tier": ["a", "b", "c", "d"], "lower": [b[0] for b in bounds],
        "upper": [b[1] for b in bounds], "price_low": law[0::2], "price_high": law[1::2],
        "statistic": "range"})
    result = price_law_draws("card", 9, rng=np.random.default_rng(seed), table=table)
    np.testing.assert_allclose(result["exponent"], exponent, atol=1e-9)
    np.testing.assert_allclose(result["fee_at_10k"], fee, rtol=1e-9)


def test_model_names_list_the_models_in_order_without_fitting():
    from insights.pricing import MODEL_NAMES

    assert MODEL_NAMES == tuple(pricing_models())
