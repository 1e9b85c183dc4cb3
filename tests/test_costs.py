"""Tests for insights.costs: price tables and models, cost metrics, EMV and campaign returns."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal, assert_series_equal

from insights import metrics
from insights.costs import (
    EMV_RATE_CARDS,
    PRICE_COLUMNS,
    REFERENCE_FOLLOWERS,
    EMVRateCard,
    PriceModel,
    campaign_returns,
    campaign_table,
    cpa,
    cpe,
    cpm,
    cpv,
    emv,
    fit_fees,
    fit_price_model,
    price,
    price_model,
    price_points,
    price_tables,
    pricing_models,
    roas,
    roi,
    validate_price_tables,
)
from insights.schemas import CANONICAL_COLUMNS, SchemaViolation
from insights.stats import InsufficientDataError

NAN = np.nan
STATUS_DTYPE = pd.CategoricalDtype(["ok", "missing", "negative", "zero_denominator"])
MODEL_NAMES = [
    "rate-card", "rate-card-tiktok", "rate-card-youtube", "inzpire-2020", "klear-2019",
    "beichert-2024", "izea-2022",
]


def make_expected(value, status, index=None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "value": np.asarray(value, dtype="float64"),
            "status": pd.Categorical(status, dtype=STATUS_DTYPE),
        },
        index=index,
    )


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
    assert round(model.exponent, 2) == 0.32  # benchmarks.md: price ~ F^0.32
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
# cost metrics
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "numerator", "denominator", "value"),
    [
        (cpe, [100.0, 50.0, 10.0, NAN], [400, 0, -1, 5], [0.25, NAN, NAN, NAN]),
        (cpm, [50.0, 50.0, 10.0, NAN], [10_000, 0, -1, 5], [5.0, NAN, NAN, NAN]),
        (cpv, [30.0, 30.0, 10.0, NAN], [600, 0, -1, 5], [0.05, NAN, NAN, NAN]),
        (cpa, [300.0, 30.0, 10.0, NAN], [12, 0, -1, 5], [25.0, NAN, NAN, NAN]),
        (roas, [300.0, 30.0, 10.0, NAN], [100.0, 0, -1, 5], [3.0, NAN, NAN, NAN]),
        (roi, [300.0, 30.0, 10.0, NAN], [100.0, 0, -1, 5], [2.0, NAN, NAN, NAN]),
    ],
)
def test_cost_metrics_values_and_statuses(metric, numerator, denominator, value):
    index = pd.Index([10, 11, 12, 13])
    result = metric(pd.Series(numerator, index=index), pd.Series(denominator, index=index))
    expected = make_expected(value, ["ok", "zero_denominator", "negative", "missing"], index)
    assert_frame_equal(result, expected)


def test_roi_of_a_loss():
    result = roi(pd.Series([50.0, 0.0]), pd.Series([100.0, 100.0]))
    expected = make_expected([-0.5, -1.0], ["ok", "ok"])
    assert_frame_equal(result, expected)


def test_cost_metrics_accept_a_metric_frame():
    spend = pd.DataFrame({"value": [10.0, NAN],
                          "status": pd.Categorical(["ok", "negative"], dtype=STATUS_DTYPE)})
    result = cpe(spend, pd.Series([4.0, 4.0]))
    assert_frame_equal(result, make_expected([2.5, NAN], ["ok", "negative"]))


# magnitudes kept in [1e-6, 1e12] so that no quotient comes near float64's limit (see the
# overflow tests below)
FINITE = st.one_of(st.floats(min_value=1e-6, max_value=1e12),
                   st.floats(min_value=-1e12, max_value=-1e-6))
SPECIAL = st.sampled_from([0.0, -0.0, NAN, np.inf, -np.inf, -1.0])
PAIRS = st.lists(st.tuples(st.one_of(FINITE, SPECIAL), st.one_of(FINITE, SPECIAL)),
                 max_size=30)


def _series(pairs):
    return (pd.Series([a for a, _ in pairs], dtype="float64"),
            pd.Series([b for _, b in pairs], dtype="float64"))


@settings(max_examples=60, deadline=None)
@given(PAIRS)
@example([(300.0, 100.0), (0.0, 0.0), (-1.0, 0.0), (NAN, -1.0)])
def test_property_cost_metrics_follow_metrics_ratio(pairs):
    num, den = _series(pairs)
    reference = metrics.ratio(num, den)
    for metric in (cpe, cpv, cpa, roas):
        assert_frame_equal(metric(num, den), reference, check_exact=True)
    for metric in (cpm, roi):
        result = metric(num, den)
        assert_series_equal(result["status"], reference["status"])
        assert np.array_equal(np.isfinite(result["value"]), (result["status"] == "ok"))


@settings(max_examples=60, deadline=None)
@given(PAIRS)
def test_property_roi_is_roas_minus_one(pairs):
    revenue, cost = _series(pairs)
    r, s = roi(revenue, cost), roas(revenue, cost)
    assert_series_equal(r["status"], s["status"])
    ok = (s["status"] == "ok").to_numpy()
    np.testing.assert_array_equal(r["value"].to_numpy()[ok], s["value"].to_numpy()[ok] - 1.0)
    assert r["value"][~ok].isna().all()


@settings(max_examples=60, deadline=None)
@given(PAIRS)
def test_property_cpm_is_a_thousand_cpv(pairs):
    cost, impressions = _series(pairs)
    m, v = cpm(cost, impressions), cpv(cost, impressions)
    assert_series_equal(m["status"], v["status"])
    expected = (v["value"] * 1000.0).rename("value")
    assert_series_equal(m["value"], expected, check_exact=True)


def test_cpm_overflow_is_missing_not_inf():
    result = cpm(pd.Series([1e306]), pd.Series([1.0]))
    expected = make_expected([NAN], ["missing"])
    assert_frame_equal(result, expected)


# ---------------------------------------------------------------------------------------------
# EMV
# ---------------------------------------------------------------------------------------------


def test_emv_with_a_named_card():
    frame = pd.DataFrame({"impressions": [20_000, None, -5, 0]})
    result = emv(frame, rate_card="influencerdb-cpm5")
    expected = make_expected([100.0, NAN, NAN, 0.0], ["ok", "missing", "negative", "ok"])
    assert_frame_equal(result, expected)
    result = emv(frame, rate_card=EMV_RATE_CARDS["mightyscout-instagram"])
    expected = make_expected([200.0, NAN, NAN, 0.0], ["ok", "missing", "negative", "ok"])
    assert_frame_equal(result, expected)


def test_emv_with_a_custom_card_sums_columns_and_propagates_statuses():
    card = EMVRateCard("mine", "made up for the test", {"impressions": 0.005, "clicks": 0.5})
    frame = pd.DataFrame(
        {"impressions": [10_000.0, NAN, 1000.0, -1.0], "clicks": [4.0, 2.0, NAN, 3.0]},
        index=["a", "b", "c", "d"],
    )
    result = emv(frame, rate_card=card)
    expected = make_expected([52.0, NAN, NAN, NAN], ["ok", "missing", "missing", "negative"],
                             index=["a", "b", "c", "d"])
    assert_frame_equal(result, expected)


def test_emv_status_follows_metrics_precedence_whatever_the_column_order():
    frame = pd.DataFrame({"impressions": [-1.0], "clicks": [NAN]})
    for values in ({"impressions": 0.005, "clicks": 0.5}, {"clicks": 0.5, "impressions": 0.005}):
        result = emv(frame, rate_card=EMVRateCard("m", "made up", values))
        assert_frame_equal(result, make_expected([NAN], ["missing"]))


def test_emv_overflow_is_missing_not_inf():
    card = EMVRateCard("m", "made up", {"impressions": 1.0, "clicks": 1.0})
    frame = pd.DataFrame({"impressions": [1e308], "clicks": [1e308]})
    with np.errstate(over="ignore"):
        result = emv(frame, rate_card=card)
    assert_frame_equal(result, make_expected([NAN], ["missing"]))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.one_of(st.floats(min_value=-1e9, max_value=1e12), SPECIAL), max_size=20),
    st.floats(min_value=0.0, max_value=100.0),
)
def test_property_emv_of_one_column_is_count_times_unit(counts, unit):
    frame = pd.DataFrame({"views": pd.Series(counts, dtype="float64")})
    result = emv(frame, rate_card=EMVRateCard("m", "made up", {"views": unit}))
    reference = metrics.ratio(frame["views"], pd.Series(1.0, index=frame.index))
    assert_series_equal(result["status"], reference["status"])
    expected = (reference["value"] * unit).rename("value")
    assert_series_equal(result["value"], expected, check_exact=True)


def test_emv_unknown_card_and_missing_columns():
    with pytest.raises(KeyError, match=r"unknown EMV rate card 'cpm3'; known: "
                                       r"\['influencerdb-cpm5', 'mightyscout-instagram'\]"):
        emv(pd.DataFrame({"impressions": [1]}), rate_card="cpm3")
    with pytest.raises(KeyError, match=r"EMV card 'influencerdb-cpm5' needs columns "
                                       r"\['impressions'\]; columns are \['views'\]"):
        emv(pd.DataFrame({"views": [1]}), rate_card="influencerdb-cpm5")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"source": ""}, r"EMV rate card 'c' needs a source: EMV is an assumption"),
        ({"source": "   "}, r"needs a source"),
        ({"values": {}}, r"EMV rate card 'c' has no values"),
        ({"values": {"impressions": -0.001}},
         r"EMV rate card 'c': values must be >= 0, got \{'impressions': -0.001\}"),
        ({"values": {"views": NAN, "clicks": 1.0}}, r"values must be >= 0, got \{'views': nan\}"),
        ({"values": {"views": np.inf}}, r"got \{'views': inf\}"),
    ],
)
def test_emv_rate_card_validation(kwargs, match):
    fields = {"name": "c", "source": "somewhere", "values": {"impressions": 0.005}} | kwargs
    with pytest.raises(ValueError, match=match):
        EMVRateCard(**fields)


def test_emv_rate_cards_are_documented_cpms():
    assert EMV_RATE_CARDS["influencerdb-cpm5"].values == {"impressions": 0.005}
    assert EMV_RATE_CARDS["mightyscout-instagram"].values == {"impressions": 0.01}
    assert all(card.source and card.currency == "USD" for card in EMV_RATE_CARDS.values())


# ---------------------------------------------------------------------------------------------
# campaign_table
# ---------------------------------------------------------------------------------------------


def _campaigns() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "campaign": "spring",
            "creator": ["a", "b", "c", "d", "e"],
            "platform": "instagram",
            "followers": [2e3, 2e4, 4e4, 1e5, 2e6],
            "fee": [100.0, 200.0, 300.0, 1000.0, 3000.0],
            "impressions": [1000.0, 3000.0, 6000.0, 5e4, 1.5e5],
            "engagements": [40.0, 60.0, 100.0, 500.0, 1500.0],
            "conversions": [1.0, 3.0, NAN, 10.0, 20.0],
            "revenue": [150.0, 750.0, 0.0, 5000.0, 3000.0],
            "currency": " eur",
        }
    )


def test_campaign_table_is_canonical():
    frame = pd.DataFrame({"campaign": "c1", "creator": ["b", "a"], "platform": "tiktok",
                          "fee": [250, 100], "currency": "usd", "brief": ["x", "y"]})
    result = campaign_table(frame)
    assert list(result.columns) == [*CANONICAL_COLUMNS["campaigns"], "brief"]
    expected = pd.DataFrame(
        {"creator": ["a", "b"], "fee": [100.0, 250.0], "currency": ["USD", "USD"],
         "brief": ["y", "x"]}
    )
    assert_frame_equal(result[expected.columns], expected, check_dtype=False)
    assert result["clicks"].isna().all() and result["clicks"].dtype == "float64"


def test_campaign_table_does_not_mutate_input():
    frame = _campaigns()
    before = frame.copy()
    campaign_table(frame)
    assert_frame_equal(frame, before)


def test_campaign_table_mixed_currencies_names_rows():
    frame = _campaigns().assign(currency=["usd", "USD", "EUR", " usd", "GBP"])
    with pytest.raises(ValueError, match=r"column 'currency' mixes \['EUR', 'GBP', 'USD'\].*"
                                         r"rows \[2, 4\] are not USD"):
        campaign_table(frame)


@pytest.mark.parametrize("column", ["fee", "revenue", "engagements", "followers"])
def test_campaign_table_negative_money_or_counts(column):
    frame = _campaigns()
    frame.loc[3, column] = -5.0
    with pytest.raises(SchemaViolation,
                       match=rf"column '{column}' fails must be >= 0: rows \[3\]; values "
                             r"\[-5.0\]"):
        campaign_table(frame)


def test_campaign_table_requires_a_currency():
    with pytest.raises(SchemaViolation, match="currency"):
        campaign_table(_campaigns().drop(columns="currency"))


# ---------------------------------------------------------------------------------------------
# campaign_returns
# ---------------------------------------------------------------------------------------------

DEFINITIONS = {
    "roi": "(revenue - fee) / fee", "roas": "revenue / fee", "cpe": "fee per engagement",
    "cpm": "fee per 1,000 impressions", "cpa": "fee per conversion",
}


def test_campaign_returns_pooled_by_hand():
    result = campaign_returns(_campaigns(), rng=np.random.default_rng(0),
                              tier_scheme="micro-1k-50k")
    # micro (a, b, c): fees 600, revenue 900, engagements 200, impressions 10,000, and
    # conversions 4 on the fees of a and b (c has none recorded).
    # above (d, e): fees 4000, revenue 8000, engagements 2000, impressions 200,000, conv. 30.
    measures = ["roi", "roas", "cpe", "cpm", "cpa"]
    expected = pd.DataFrame(
        {
            "tier": ["<1k"] * 5 + ["micro"] * 5 + ["above"] * 5,
            "lower": [0.0] * 5 + [1e3] * 5 + [5e4] * 5,
            "upper": [1e3] * 5 + [5e4] * 5 + [np.inf] * 5,
            "measure": measures * 3,
            "definition": [DEFINITIONS[m] for m in measures] * 3,
            "n": [0] * 5 + [3] * 5 + [2] * 5,
            "n_used": [0] * 5 + [3, 3, 3, 3, 2] + [2] * 5,
            "estimate": [NAN] * 5 + [0.5, 1.5, 3.0, 60.0, 75.0]
                        + [1.0, 2.0, 2.0, 20.0, 4000.0 / 30.0],
            "ci_low": [NAN] * 15,  # every tier is below min_n = 5
            "ci_high": [NAN] * 15,
            "currency": ["EUR"] * 15,
        }
    )
    assert_frame_equal(result, expected, check_dtype=False)
    assert result["n"].dtype.kind == "i" and result["n_used"].dtype.kind == "i"


def test_campaign_returns_measures_in_the_order_asked():
    result = campaign_returns(_campaigns(), rng=np.random.default_rng(0),
                              tier_scheme="micro-1k-50k", measures=("cpe", "roas"))
    assert result["measure"].tolist() == ["cpe", "roas"] * 3
    assert result["tier"].tolist() == ["<1k", "<1k", "micro", "micro", "above", "above"]


def test_campaign_returns_industry_tiers_listed_even_when_empty():
    result = campaign_returns(_campaigns(), rng=np.random.default_rng(0), measures=("roas",))
    assert result["tier"].tolist() == ["<1k", "nano", "micro", "mid", "macro", "mega"]
    assert result["n"].tolist() == [0, 1, 2, 1, 0, 1]
    assert result["estimate"].isna().tolist() == [True, False, False, False, True, False]


def test_campaign_returns_constant_ratio_has_a_degenerate_ci():
    table = pd.DataFrame({"campaign": "c", "creator": [f"c{i}" for i in range(10)],
                          "platform": "instagram", "followers": [2e4] * 10,
                          "fee": [100.0] * 10, "revenue": [300.0] * 10,
                          "engagements": [50.0] * 10, "currency": "USD"})
    result = campaign_returns(table, rng=np.random.default_rng(0), measures=("roi", "cpe"))
    micro = result.loc[result["tier"] == "micro", ["measure", "n", "estimate", "ci_low",
                                                    "ci_high"]]
    expected = pd.DataFrame({"measure": ["roi", "cpe"], "n": [10, 10], "estimate": [2.0, 2.0],
                             "ci_low": [2.0, 2.0], "ci_high": [2.0, 2.0]}, index=[4, 5])
    assert_frame_equal(micro, expected, check_dtype=False)


def _random_campaigns(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    followers = np.round(10 ** rng.uniform(3, 7, n))
    fee = np.round(0.01 * followers * np.exp(rng.normal(0, 0.5, n)), 2)
    engagements = rng.poisson(0.03 * followers).astype(float)
    return pd.DataFrame(
        {
            "campaign": "c", "creator": [f"k{i}" for i in range(n)], "platform": "tiktok",
            "followers": followers, "fee": fee,
            "impressions": np.round(0.3 * followers), "engagements": engagements,
            "conversions": rng.poisson(0.001 * engagements + 0.5).astype(float),
            "revenue": np.round(fee * rng.gamma(2.0, 1.0, n), 2), "currency": "USD",
        }
    )


def test_campaign_returns_ci_contains_the_estimate():
    result = campaign_returns(_random_campaigns(300, 1), rng=np.random.default_rng(1),
                              n_resamples=500)
    with_ci = result.loc[result["n_used"] >= 5]
    assert len(with_ci) >= 20
    assert (with_ci["ci_low"] <= with_ci["estimate"]).all()
    assert (with_ci["estimate"] <= with_ci["ci_high"]).all()
    assert (with_ci["ci_low"] < with_ci["ci_high"]).all()
    assert result.loc[result["n_used"] < 5, ["ci_low", "ci_high"]].isna().all().all()


def test_campaign_returns_narrower_ci_at_lower_level():
    table = _random_campaigns(200, 2)
    wide = campaign_returns(table, rng=np.random.default_rng(3), n_resamples=500, level=0.95)
    narrow = campaign_returns(table, rng=np.random.default_rng(3), n_resamples=500, level=0.5)
    ok = wide["n_used"] >= 5
    assert ((narrow["ci_high"] - narrow["ci_low"])[ok]
            <= (wide["ci_high"] - wide["ci_low"])[ok]).all()
    assert_series_equal(narrow["estimate"], wide["estimate"])


def test_campaign_returns_min_n():
    table = _random_campaigns(100, 4)
    result = campaign_returns(table, rng=np.random.default_rng(0), n_resamples=200,
                              min_n=1000)
    assert result["ci_low"].isna().all() and result["ci_high"].isna().all()
    assert result["estimate"].notna().sum() > 0


def test_campaign_returns_reproducible_with_the_same_seed():
    table = _random_campaigns(120, 5)
    first = campaign_returns(table, rng=np.random.default_rng(7), n_resamples=300)
    again = campaign_returns(table, rng=np.random.default_rng(7), n_resamples=300)
    other = campaign_returns(table, rng=np.random.default_rng(8), n_resamples=300)
    assert_frame_equal(first, again)
    assert_series_equal(first["estimate"], other["estimate"])
    assert not first["ci_low"].equals(other["ci_low"])


def test_campaign_returns_unknown_measure():
    with pytest.raises(ValueError, match=r"unknown measures \['irr'\]; choose from \['roi', "):
        campaign_returns(_campaigns(), rng=np.random.default_rng(0), measures=("roi", "irr"))


@pytest.mark.parametrize("rng", [None, 42, np.random.RandomState(0)])
def test_campaign_returns_requires_a_generator(rng):
    with pytest.raises(TypeError, match=r"pass rng=np.random.default_rng\(seed\)"):
        campaign_returns(_campaigns(), rng=rng)


def test_campaign_returns_checks_the_table():
    frame = _campaigns()
    frame.loc[0, "fee"] = -1.0
    with pytest.raises(SchemaViolation, match="column 'fee' fails must be >= 0"):
        campaign_returns(frame, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="mixes"):
        campaign_returns(_campaigns().assign(currency=["EUR"] * 4 + ["USD"]),
                         rng=np.random.default_rng(0))


def test_campaign_returns_keeps_zero_denominators_in_the_pooled_cost():
    frame = _campaigns()
    frame.loc[1, "engagements"] = 0.0  # creator b, micro under micro-1k-50k
    result = campaign_returns(frame, rng=np.random.default_rng(0), measures=("cpe",),
                              tier_scheme="micro-1k-50k")
    micro = result.loc[result["tier"] == "micro"].iloc[0]
    # the zero-engagement post was paid for: its fee stays in the pooled cost
    assert micro["n_used"] == 3
    assert micro["estimate"] == pytest.approx((100.0 + 200.0 + 300.0) / (40.0 + 0.0 + 100.0))
