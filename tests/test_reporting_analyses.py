"""insights.reporting.analyses and .document: what the client-report template notebook calls.

Inputs are built the way ``insights report`` builds them: a CSV in ``tmp_path`` read with
:func:`insights.ingest.intake.load`, written with ``write_inputs``, read back with ``read_inputs``.
"""

from __future__ import annotations

import dataclasses
import html
import platform
import re

import numpy as np
import openpyxl
import pandas as pd
import pandas.testing as tm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from insights import claims
from insights.ingest import intake
from insights.pricing import PriceModel, pricing_models
from insights.reporting import analyses, document
from insights.tiers import assign_tiers, custom_scheme
from insights.verdicts import ClaimResult, combine_pricing_models

N_RESAMPLES = 200
TRUE_B = 0.8  # engagement elasticity of the synthetic creators
TRUE_P = 0.6  # fee exponent of the synthetic creators
COLUMNS_C2 = ["pricing", "estimate", "ci_low", "ci_high", "n", "verdict", "method"]


def make_inputs(folder, name: str, text: str, **extra) -> analyses.ReportInputs:
    """Write ``text`` as ``name`` in ``folder``, load it and round-trip the work folder."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return analyses.read_inputs(analyses.write_inputs(intake.load(path), folder / f"work-{name}",
                                          extra=extra))


def synthetic_creators(n: int = 300, seed: int = 7) -> pd.DataFrame:
    """Creators with engagement = 0.05 f^0.8 and fees = 20 (f/1e4)^0.6, lognormal noise."""
    rng = np.random.default_rng(seed)
    f = np.round(10 ** rng.uniform(3, 7, n))
    likes = np.round(0.05 * f**TRUE_B * np.exp(rng.normal(0, 0.3, n)))
    fee = np.round(20 * (f / 1e4) ** TRUE_P * np.exp(rng.normal(0, 0.2, n)), 2)
    revenue = np.round(fee * np.exp(rng.normal(0.5, 0.3, n)), 2)
    return pd.DataFrame({"Handle": [f"c{i}" for i in range(n)], "Followers": f.astype(int),
                         "Likes (Avg.)": likes.astype(int), "Fee": fee, "Revenue": revenue})


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    """Three work folders from the same creators: fee + revenue, fee only, no money."""
    folder = tmp_path_factory.mktemp("synthetic")
    frame = synthetic_creators()
    variants = {"returns": frame, "fees": frame.drop(columns="Revenue"),
                "models": frame.drop(columns=["Fee", "Revenue"])}
    return {key: make_inputs(folder, f"{key}.csv", table.to_csv(index=False))
            for key, table in variants.items()}


CREATORS_CSV = ("Handle,Followers,Likes (Avg.),Comments (Avg.)\n"
                "@a,10000,500,20\n@b,2000000,9000,1000\n@d,50000,1000,50\n")
POSTS_CSV = ("Handle,Followers,Likes,Comments\n"
             "a,1000,10,1\na,1200,20,2\na,1100,30,3\n"
             "b,50000,1000,0\nb,50000,2000,100\n"
             "c,2000000,5000,50\nc,2000000,7000,150\n")
# @b has a negative comment count (repaired to missing), @c has 0 followers (dropped)
DIRTY_CSV = ("Handle,Followers,Likes (Avg.),Comments (Avg.)\n"
             "@a,10000,500,20\n@b,2000000,9000,-5\n@c,0,10,1\n@d,50000,1000,50\n")


# --------------------------------------------------------------------------------------------
# work folder


def test_write_read_inputs_round_trip(tmp_path):
    path = tmp_path / "dirty.csv"
    path.write_text(DIRTY_CSV, encoding="utf-8")
    loaded = intake.load(path)
    folder = analyses.write_inputs(loaded, tmp_path / "work",
                                   extra={"seed": 3, "scheme": "industry"})
    result = analyses.read_inputs(folder)

    assert folder == tmp_path / "work"
    tm.assert_frame_equal(result.table, loaded.table)
    tm.assert_frame_equal(result.steps, loaded.log.steps())
    tm.assert_frame_equal(result.events, loaded.log.events())
    assert result.meta["file"] == "dirty.csv"
    assert result.meta["level"] == "creators"
    assert result.meta["components"] == ["avg_likes", "avg_comments"]
    assert result.meta["mapping"] == loaded.colmap.table().to_dict("records")
    assert result.meta["rows_read"] == 4
    assert (result.meta["seed"], result.meta["scheme"]) == (3, "industry")
    assert (result.level, result.components, result.label) == (
        "creators", ("avg_likes", "avg_comments"), "dirty.csv")


def test_report_inputs_label_defaults_when_meta_has_no_file():
    empty = pd.DataFrame()
    assert analyses.ReportInputs(empty, empty, empty, {}).label == "the file"


def test_read_inputs_names_missing_files(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text(CREATORS_CSV, encoding="utf-8")
    folder = analyses.write_inputs(intake.load(path), tmp_path / "work")
    (folder / "steps.parquet").unlink()
    (folder / "intake.json").unlink()
    with pytest.raises(FileNotFoundError, match=r"missing \['steps.parquet', 'intake.json'\]"):
        analyses.read_inputs(folder)
    with pytest.raises(FileNotFoundError, match="table.parquet.*events.parquet"):
        analyses.read_inputs(tmp_path / "nowhere")


# --------------------------------------------------------------------------------------------
# analyses


def test_creator_rates_creators_table(tmp_path):
    inputs = make_inputs(tmp_path, "c.csv", CREATORS_CSV)
    result = analyses.creator_rates(inputs.table, inputs.components)
    expected = pd.DataFrame({
        "creator": ["@a", "@b", "@d"],
        "followers": [10_000.0, 2_000_000.0, 50_000.0],
        "engagement": [520.0, 10_000.0, 1050.0],
        "engagement_rate": [0.052, 0.005, 0.021],
    })
    tm.assert_frame_equal(result, expected)


def test_creator_rates_posts_table_mean_per_post_and_median_followers(tmp_path):
    inputs = make_inputs(tmp_path, "posts.csv", POSTS_CSV)
    assert inputs.level == "posts"
    result = analyses.creator_rates(inputs.table, inputs.components)
    # a: (11 + 22 + 33) / 3 = 22 per post over median(1000, 1200, 1100) = 1100 followers
    expected = pd.DataFrame({
        "creator": ["a", "b", "c"],
        "followers": [1100.0, 50_000.0, 2_000_000.0],
        "engagement": [22.0, 1550.0, 6100.0],
        "engagement_rate": [22 / 1100, 1550 / 50_000, 6100 / 2_000_000],
    })
    tm.assert_frame_equal(result, expected)


def test_c1_fit_recovers_known_elasticity(synthetic):
    result = analyses.c1_fit(synthetic["models"])
    assert abs(result.result.estimate - TRUE_B) < 0.03
    assert result.result.ci_low < TRUE_B < result.result.ci_high
    assert (result.result.claim, result.result.verdict, result.result.n) == ("C1", "supported",
                                                                             300)
    assert result.fit is not None
    assert result.fit.estimate == result.result.estimate
    assert len(result.data.frame) == 300


def test_c1_fit_two_creators_is_inconclusive_without_fit(tmp_path):
    inputs = make_inputs(tmp_path, "two.csv", "Handle,Followers,Likes (Avg.)\na,1000,50\n"
                         "b,200000,900\n")
    result = analyses.c1_fit(inputs)
    assert np.isnan(result.result.estimate)
    assert result.result.verdict == "inconclusive"
    assert result.fit is None


def rates_frame(counts: dict[float, int]) -> pd.DataFrame:
    followers = np.concatenate([np.full(n, f) for f, n in counts.items()])
    engagement = np.arange(1.0, len(followers) + 1) * 10
    return pd.DataFrame({"creator": [f"c{i}" for i in range(len(followers))],
                         "followers": followers, "engagement": engagement,
                         "engagement_rate": engagement / followers})


def test_tier_table_notes_by_tier_size():
    # <1k: 0, nano: 4, micro: 5, mid: 9, macro: 10, mega: 0
    rates = rates_frame({2e3: 4, 2e4: 5, 2e5: 9, 6e5: 10})
    result = analyses.tier_table(rates, rng=np.random.default_rng(0), n_resamples=N_RESAMPLES)
    assert result["tier"].tolist() == ["<1k", "nano", "micro", "mid", "macro", "mega"]
    expected = pd.Series(["no creators", "too few for an interval", "thin", "thin", "",
                          "no creators"], name="note")
    tm.assert_series_equal(result["note"], expected)
    tm.assert_series_equal(result["n"], pd.Series([0, 4, 5, 9, 10, 0], name="n"))
    tiers = assign_tiers(rates["followers"])
    medians = [np.median(rates.loc[(tiers == t).to_numpy(), "engagement_rate"])
               for t in ["nano", "micro", "mid", "macro"]]
    tm.assert_series_equal(result["median"],
                           pd.Series([np.nan, *medians, np.nan], name="median"))
    assert result["ci_low"].isna().tolist() == [True, True, False, False, False, True]


def test_tier_table_three_creators_gives_too_few_note():
    rates = rates_frame({2e4: 3})
    result = analyses.tier_table(rates, rng=np.random.default_rng(0), n_resamples=N_RESAMPLES)
    assert result.loc[result["tier"] == "micro", "note"].tolist() == ["too few for an interval"]


def test_tiers_claim_empty_comparison_group_is_inconclusive(tmp_path):
    rows = "".join(f"m{i},{20_000 + 1000 * i},{400 + i}\n" for i in range(8))
    inputs = make_inputs(tmp_path, "micro.csv", "Handle,Followers,Likes (Avg.)\n" + rows)
    result = analyses.tiers_claim(inputs, scheme="industry", rng=np.random.default_rng(0),
                            n_resamples=N_RESAMPLES)
    assert np.isnan(result.estimate)
    assert (result.claim, result.verdict, result.dataset) == ("C1", "inconclusive", "micro.csv")
    assert "could not estimate: both groups need units: group a has 8, group b has 0" in (
        result.notes)
    assert analyses.reading(result, "C1-tiers") == (
        "Not computed: the file has 8 usable creators in the micro tier and 0 in the tiers it "
        "is compared with; both groups are needed.")


@pytest.mark.parametrize("scheme, message", [
    (custom_scheme("two", [0, 1e5], ["small", "big"]), "has no 'micro' tier"),
    (custom_scheme("top", [0, 1e4], ["small", "micro"]), "'micro' is the top tier"),
])
def test_tiers_claim_scheme_error_becomes_not_computed(synthetic, scheme, message):
    result = analyses.tiers_claim(synthetic["models"], scheme=scheme, rng=np.random.default_rng(0),
                            n_resamples=N_RESAMPLES)
    assert np.isnan(result.estimate)
    assert (result.verdict, result.n, result.method) == ("inconclusive", 0, "tier ratio")
    assert len(result.notes) == 1
    assert result.notes[0].startswith("not computed: tier scheme")
    assert message in result.notes[0]


def test_reading_of_not_computed_fallback_says_it_once():
    result = ClaimResult("C1", "f.csv", np.nan, np.nan, np.nan, 0, "inconclusive", "tier ratio",
                         ("not computed: tier scheme 'two' has no 'micro' tier",))
    text = analyses.reading(result, "C1-tiers")
    assert text.startswith("Not computed: ")
    assert text.lower().count("not computed") == 1


def test_pricing_choice():
    assert analyses.pricing_choice("all") == list(pricing_models())
    assert analyses.pricing_choice("klear-2019") == ["klear-2019"]
    with pytest.raises(KeyError, match="unknown pricing model 'cheap'"):
        analyses.pricing_choice("cheap")


def test_c2_section_returns_mode(synthetic):
    inputs = synthetic["returns"]
    section = analyses.c2_section(inputs, rng=np.random.default_rng(0), n_resamples=N_RESAMPLES)
    expected = claims.micro_cost_per_engagement(
        inputs.table, pricing=claims.OBSERVED, rng=np.random.default_rng(0),
        components=inputs.components, n_resamples=N_RESAMPLES, dataset="returns.csv",
        hazards=())
    assert section.mode == "returns"
    assert section.result == expected
    assert section.by_model == {}
    assert section.notes == []
    assert abs(section.fees.exponent - TRUE_P) < 0.05
    returns = section.returns
    tiers = ["<1k", "nano", "micro", "mid", "macro", "mega"]
    assert returns["tier"].tolist() == [t for t in tiers for _ in range(3)]
    assert returns["measure"].tolist() == ["roi", "roas", "cpe"] * 6
    # pooled per tier: total revenue / total fees, total fees / total engagements
    table = inputs.table.assign(tier=assign_tiers(inputs.table["followers"]).astype(str))
    sums = table.groupby("tier")[["revenue", "fee", "avg_likes"]].sum()
    roas = returns[returns["measure"] == "roas"].set_index("tier")["estimate"]
    cpe = returns[returns["measure"] == "cpe"].set_index("tier")["estimate"]
    roi = returns[returns["measure"] == "roi"].set_index("tier")["estimate"]
    filled = tiers[1:]
    tm.assert_series_equal(roas[filled], (sums["revenue"] / sums["fee"])[filled],
                           check_names=False)
    tm.assert_series_equal(cpe[filled], (sums["fee"] / sums["avg_likes"])[filled],
                           check_names=False)
    tm.assert_series_equal(roi[filled], roas[filled] - 1)
    assert returns.loc[returns["tier"] == "<1k", "n"].tolist() == [0, 0, 0]


def test_c2_section_fees_mode(synthetic):
    section = analyses.c2_section(synthetic["fees"], rng=np.random.default_rng(0),
                            n_resamples=N_RESAMPLES)
    assert section.mode == "fees"
    assert section.returns["measure"].unique().tolist() == ["cpe"]
    assert len(section.returns) == 6
    assert isinstance(section.fees, PriceModel)
    assert abs(section.fees.exponent - TRUE_P) < 0.05
    assert section.fees.exponent_ci[0] < TRUE_P < section.fees.exponent_ci[1]
    assert (section.fees.currency, section.fees.n_points) == ("USD", 300)
    # fees grow slower (0.6) than engagement (0.8): micro is dearer per engagement
    assert (section.result.claim, section.result.verdict) == ("C2", "contradicted")
    result = analyses.c2_table(section)
    expected = pd.DataFrame([{"pricing": "the file's fees", "estimate": section.result.estimate,
                              "ci_low": section.result.ci_low, "ci_high": section.result.ci_high,
                              "n": section.result.n, "verdict": section.result.verdict,
                              "method": section.result.method}])
    tm.assert_frame_equal(result, expected)


def test_c2_section_fees_too_few_for_the_fee_fit(tmp_path):
    inputs = make_inputs(tmp_path, "f3.csv", "Handle,Followers,Likes (Avg.),Fee\na,1000,50,5\n"
                         "b,20000,900,80\nc,2000000,5000,3000\n")
    section = analyses.c2_section(inputs, rng=np.random.default_rng(0), n_resamples=N_RESAMPLES)
    assert (section.mode, section.fees) == ("fees", None)
    assert len(section.notes) == 1
    assert section.notes[0].startswith("fee exponent not estimated: 3 usable rows")


def test_c2_section_models_mode(synthetic):
    section = analyses.c2_section(synthetic["models"], rng=np.random.default_rng(0),
                            n_resamples=N_RESAMPLES)
    assert section.mode == "models"
    assert list(section.by_model) == analyses.pricing_choice("all")
    assert (section.returns, section.fees) == (None, None)
    combined = combine_pricing_models(section.by_model)
    assert section.result.verdict == combined.verdict
    assert (section.result.ci_low, section.result.ci_high) == (combined.ci_low,
                                                               combined.ci_high)
    assert section.notes[0].startswith("the file has no fees")
    result = analyses.c2_table(section)
    assert result.columns.tolist() == COLUMNS_C2
    assert result["pricing"].tolist() == analyses.pricing_choice("all")
    assert result["verdict"].tolist() == [r.verdict for r in section.by_model.values()]
    tm.assert_series_equal(
        result["estimate"],
        pd.Series([r.estimate for r in section.by_model.values()], name="estimate"))


def test_c2_section_one_pricing_model(synthetic):
    section = analyses.c2_section(synthetic["models"], pricing="rate-card",
                            rng=np.random.default_rng(0), n_resamples=N_RESAMPLES)
    assert list(section.by_model) == ["rate-card"]
    assert section.result == section.by_model["rate-card"]
    assert analyses.c2_table(section)["pricing"].tolist() == ["rate-card"]
    with pytest.raises(KeyError, match="cheap"):
        analyses.c2_section(synthetic["models"], pricing="cheap", rng=np.random.default_rng(0))


# --------------------------------------------------------------------------------------------
# words


def claim(estimate, low, high, verdict, claim_id="C1", notes=()):
    return ClaimResult(claim_id, "f.csv", estimate, low, high, 100, verdict, "m", notes)


@pytest.mark.parametrize("result, question, expected", [
    (claim(0.8, 0.7, 0.9, "supported"), "C1",
     "Supported for the typical post: engagement rate falls with size. Doubling followers "
     "multiplies the typical post by 1.74 (1.62 to 1.87), so the rate per follower falls by "
     "13% (7% to 19%)."),
    (claim(1.2, 1.1, 1.3, "contradicted"), "C1",
     "Contradicted for the typical post: engagement rate rises with size. Doubling followers "
     "multiplies the typical post by 2.3 (2.14 to 2.46), so the rate per follower rises by 15% "
     "(7% to 23%)."),
    (claim(1.01, 0.99, 1.03, "equivalent"), "C1",
     "Equivalent for the typical post: the engagement rate is practically flat (b within 1 ± "
     "0.05). Doubling followers multiplies the typical post by 2.01 (1.99 to 2.04), so the rate "
     "per follower rises by 1% (-1% to 2%)."),
    (claim(0.83, 0.74, 0.92, "supported"), "C1-expected",
     "Supported for engagement per post on average: engagement rate falls with size. Doubling "
     "followers multiplies engagement per post on average by 1.78 (1.67 to 1.89), so the rate "
     "per follower falls by 11% (5% to 16%)."),
    (claim(0.14, 0.11, 0.16, "not evidence"), "C1",
     "Not evidence: the rows were selected on their engagement, which manufactures this answer; "
     "the estimate is shown but says nothing about the claim."),
    (claim(2.34, 2.0, 2.78, "supported", "C1"), "C1-tiers",
     "Supported: micro-creators engage more of their followers. The micro tier's median "
     "engagement rate is 2.34 times the bigger tiers' (2 to 2.78)."),
    (claim(0.5, 0.4, 0.6, "contradicted"), "C1-tiers",
     "Contradicted: micro-creators engage fewer of their followers. The micro tier's median "
     "engagement rate is 0.5 times the bigger tiers' (0.4 to 0.6)."),
    (claim(1.1, 0.9, 1.3, "inconclusive"), "C1-tiers",
     "Inconclusive: the interval includes equal rates (ratio 1). The micro tier's median "
     "engagement rate is 1.1 times the bigger tiers' (0.9 to 1.3)."),
    (claim(0.5, 0.4, 0.6, "supported", "C2"), "C2",
     "Supported: micro-creators are cheaper per engagement; micro CPE is 0.5 times the big "
     "tiers' (0.4 to 0.6)."),
    (claim(2.39, 2.13, 2.69, "contradicted", "C2"), "C2",
     "Contradicted: micro-creators are dearer per engagement; micro CPE is 2.39 times the big "
     "tiers' (2.13 to 2.69)."),
    (claim(0.9, 0.7, 1.2, "inconclusive", "C2"), "C2",
     "Inconclusive: the data cannot tell which is cheaper per engagement; micro CPE is 0.9 "
     "times the big tiers' (0.7 to 1.2)."),
    (claim(0.119, np.nan, np.nan, "inconclusive", "C2"), "C2",
     "Inconclusive: the data cannot tell which is cheaper per engagement; micro CPE is 0.119 "
     "times the big tiers' (n/a to n/a)."),
    (claim(np.nan, 0.6, 1.6, "depends", "C2"), "C2",
     "Depends on the pricing model: micro-creators' cost per engagement relative to big "
     "creators ranges over 0.6 to 1.6 across the models (below 1 = micro cheaper)."),
])
def test_reading_sentences(result, question, expected):
    assert analyses.reading(result, question) == expected


def test_reading_c1_inconclusive_lead():
    result = analyses.reading(claim(0.95, 0.85, 1.05, "inconclusive"))
    assert result.startswith("Inconclusive for the typical post: the interval includes a flat "
                             "rate (b = 1). Doubling followers multiplies the typical post by "
                             "1.93 (1.8 to 2.07)")


@pytest.mark.parametrize("question", ["C1", "C1-tiers", "C2"])
def test_reading_not_computed(question):
    result = claim(np.nan, np.nan, np.nan, "inconclusive",
                   notes=("engagement = avg_likes", "could not estimate: too few rows"))
    assert analyses.reading(result, question) == "Not computed: could not estimate: too few rows"
    bare = claim(np.nan, np.nan, np.nan, "inconclusive")
    assert analyses.reading(bare, question) == "Not computed: too little usable data"


def test_reading_turns_group_sizes_into_a_sentence():
    result = dataclasses.replace(
        claim(np.nan, np.nan, np.nan, "inconclusive", "C2", notes=("any wording",)),
        group_sizes=(0, 200))
    assert analyses.reading(result, "C2") == (
        "Not computed: the file has 0 usable creators in the micro tier and 200 in the tiers it "
        "is compared with; both groups are needed.")
    # the sentence comes from the structured field, not from the wording of a note
    worded = claim(np.nan, np.nan, np.nan, "inconclusive", "C2",
                   notes=("could not estimate: group a has 0, group b has 200",))
    assert "usable creators in the micro tier" not in analyses.reading(worded, "C2")


def test_reading_unknown_question():
    with pytest.raises(ValueError, match="question must be one of"):
        analyses.reading(claim(0.8, 0.7, 0.9, "supported"), "C9")


def test_summary_table():
    results = {"C1": claim(0.8, 0.7, 0.9, "supported"),
               "C1-tiers": dataclasses.replace(
                   claim(np.nan, np.nan, np.nan, "inconclusive",
                         notes=("could not estimate: group a has 3, group b has 0",)),
                   group_sizes=(3, 0)),
               "C2": claim(np.nan, 0.6, 1.6, "depends", "C2")}
    result = analyses.summary_table(results)
    expected = pd.DataFrame({
        "question": [
            "Does the typical post's engagement rate fall as follower count grows? (elasticity b "
            "of the typical post; claim: b < 1)",
            "Is the micro tier's engagement rate above the big tiers'? (ratio; claim: > 1)",
            "Are micro-creators cheaper per engagement than big ones? (CPE ratio; claim: < 1)"],
        "estimate": [0.8, np.nan, np.nan], "ci_low": [0.7, np.nan, 0.6],
        "ci_high": [0.9, np.nan, 1.6], "n": [100, 100, 100],
        "verdict": ["supported", "inconclusive", "depends"],
        "reading": [analyses.reading(r, k) for k, r in results.items()],
    })
    assert result.columns.tolist() == analyses.SUMMARY_COLUMNS
    tm.assert_frame_equal(result, expected)
    assert "3 usable creators in the micro tier" in result.loc[1, "reading"]


def test_summary_table_empty_has_columns():
    result = analyses.summary_table({})
    assert result.columns.tolist() == analyses.SUMMARY_COLUMNS
    assert len(result) == 0


def test_paragraph_escapes():
    assert document.paragraph("<b>@ann</b> & \"co\" 'x'") == (
        "<p>&lt;b&gt;@ann&lt;/b&gt; &amp; &quot;co&quot; &#x27;x&#x27;</p>")
    assert document.paragraph(42, tag="li") == "<li>42</li>"
    with pytest.raises(ValueError, match="tag 'script' not allowed"):
        document.paragraph("x", tag="script")


@settings(deadline=None, max_examples=200)
@given(text=st.text(), tag=st.sampled_from(["p", "h1", "h2", "h3", "li", "strong"]))
def test_paragraph_never_lets_markup_through(text, tag):
    result = document.paragraph(text, tag=tag)
    assert result.startswith(f"<{tag}>") and result.endswith(f"</{tag}>")
    inner = result[len(tag) + 2:-(len(tag) + 3)]
    assert "<" not in inner and ">" not in inner
    assert html.unescape(inner) == text


@pytest.mark.parametrize("value, expected", [
    (0.0, "0"), (2.5, "2.5"), (0.012345, "0.01235"), (-0.5, "-0.5"), (999.5, "999.5"),
    (-999.5, "-999.5"), (1000.0, "1,000"), (-1234.5, "-1,234"), (12345.678, "12,346"),
    (10_000.0, "10,000"), (float("nan"), "nan"), (float("inf"), "inf"),
    (float("-inf"), "-inf"),
])
def test_format_number(value, expected):
    assert document.format_number(value) == expected


@pytest.mark.parametrize("value, expected", [(999.96, "1,000"), (-999.99, "-1,000")])
def test_format_number_rounding_up_to_a_thousand(value, expected):
    assert document.format_number(value) == expected


def test_data_quality(tmp_path):
    inputs = make_inputs(tmp_path, "dirty.csv", DIRTY_CSV)
    result = analyses.data_quality(inputs)
    overview = result["overview"]
    expected = pd.DataFrame({
        "step": ["read", "no-creator", "negative-comments", "no-followers", "zero-followers",
                 "duplicate-creators"],
        "rows_in": [4, 4, 4, 4, 4, 3], "rows_out": [4, 4, 4, 4, 3, 3],
        "dropped": [0, 0, 0, 0, 1, 0], "repaired": [0, 0, 1, 0, 0, 0],
    })
    tm.assert_frame_equal(overview.drop(columns="description"), expected)
    assert overview.loc[4, "description"] == "0 followers: engagement per follower is undefined"
    reasons = pd.DataFrame({
        "action": pd.array(["repaired", "dropped"], dtype="string"),
        "reason": pd.array(["'Comments (Avg.)' is negative: a count cannot be; set to missing",
                            "0 followers: engagement per follower is undefined"],
                           dtype="string"),
        "rows": np.array([1, 1], dtype=np.int64),
    })
    tm.assert_frame_equal(result["reasons"], reasons)
    assert result["mapping"][["field", "column"]].to_dict("list") == {
        "field": ["creator", "followers", "likes", "comments"],
        "column": ["Handle", "Followers", "Likes (Avg.)", "Comments (Avg.)"],
    }
    rates = analyses.creator_rates(inputs.table, inputs.components)
    assert rates["creator"].tolist() == ["@a", "@b", "@d"]
    assert np.isnan(rates.loc[1, "engagement_rate"])  # its comment count is missing now


def test_data_quality_clean_file_has_no_reasons(tmp_path):
    result = analyses.data_quality(make_inputs(tmp_path, "c.csv", CREATORS_CSV))
    assert result["reasons"].columns.tolist() == ["action", "reason", "rows"]
    assert len(result["reasons"]) == 0
    assert result["overview"][["dropped", "repaired"]].to_numpy().sum() == 0


CAVEAT = "How the file was assembled decides what it can show."


def test_selection_limits_posts_table(tmp_path):
    inputs = make_inputs(tmp_path, "posts.csv", POSTS_CSV)
    rates = analyses.creator_rates(inputs.table, inputs.components)
    result = analyses.selection_limits(inputs.table, rates, scheme="industry")
    assert result[:4] == [
        "Follower counts run from 1,100 to 2,000,000 (3 creators); nothing is said about "
        "accounts outside that range.",
        "No creators in tiers <1k, mid, macro: those tiers are not compared.",
        "Thin tiers (fewer than 10 creators): nano (1), micro (1), mega (1); their medians are "
        "imprecise.",
        "7 posts from 3 creators (median 2 posts per creator, max 3).",
    ]
    assert len(result) == 5
    assert result[-1].startswith(CAVEAT)


def test_selection_limits_full_tiers_only_range_and_caveat():
    rates = rates_frame({500.0: 10, 2e4: 12, 2e5: 10})
    result = analyses.selection_limits(pd.DataFrame(), rates, scheme="micro-1k-50k")
    assert len(result) == 2
    assert result[0] == ("Follower counts run from 500 to 200,000 (32 creators); nothing is "
                         "said about accounts outside that range.")
    assert result[1].startswith(CAVEAT)


def test_package_versions():
    result = document.package_versions()
    assert result.columns.tolist() == ["package", "version"]
    versions = dict(zip(result["package"], result["version"], strict=True))
    assert versions["python"] == platform.python_version()
    assert versions["numpy"] == np.__version__
    assert versions["pandas"] == pd.__version__
    assert all(isinstance(v, str) and v for v in result["version"])


# --------------------------------------------------------------------------------------------
# exports


def unsafe_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "s": pd.array(["=1+1", "ok", None], dtype="string"),
        "o": pd.Series(["+x", None, "-3"], dtype=object),
        "c": pd.Categorical(["@a", "b", None]),
        "n": [-1, 2, 3],
        "f": [-1.5, np.nan, 2.0],
        "=bad": pd.Series(["\tq", "\rz", "a'"], dtype=object),
    })


def test_spreadsheet_safe():
    frame = unsafe_frame()
    before = frame.copy(deep=True)
    result = document.spreadsheet_safe(frame)
    expected = pd.DataFrame({
        "s": pd.array(["'=1+1", "ok", None], dtype="string"),
        "o": ["'+x", np.nan, "'-3"],
        "c": ["'@a", "b", np.nan],
        "n": [-1, 2, 3],
        "f": [-1.5, np.nan, 2.0],
        "'=bad": pd.Series(["'\tq", "'\rz", "a'"], dtype=object),
    })
    tm.assert_frame_equal(result, expected, check_dtype=False)
    assert result["s"].dtype == "string"
    assert result["n"].dtype == np.int64 and result["f"].dtype == np.float64
    missing = {c: result[c].isna().tolist() for c in ["s", "o", "c", "f"]}
    assert missing == {"s": [False, False, True], "o": [False, True, False],
                       "c": [False, False, True], "f": [False, True, False]}
    tm.assert_frame_equal(frame, before)


def test_spreadsheet_safe_leaves_numbers_in_object_columns():
    frame = pd.DataFrame({"mixed": pd.Series([-5, "-5", 2.5, "@x"], dtype=object)})
    result = document.spreadsheet_safe(frame)
    assert result["mixed"].tolist() == [-5, "'-5", 2.5, "'@x"]


FORMULA_TEXT = st.one_of(
    st.text(),
    st.tuples(st.sampled_from(document.FORMULA_PREFIXES), st.text()).map("".join),
)


@settings(deadline=None, max_examples=100)
@given(cells=st.lists(FORMULA_TEXT, min_size=1, max_size=8),
       dtype=st.sampled_from([object, "string", "category"]))
def test_spreadsheet_safe_property(cells, dtype):
    frame = pd.DataFrame({"text": pd.Series(cells, dtype=dtype)})
    result = document.spreadsheet_safe(frame)["text"].tolist()
    assert not any(cell.startswith(document.FORMULA_PREFIXES) for cell in result)
    restored = [new[1:] if new != old else new for new, old in zip(result, cells, strict=True)]
    assert restored == cells
    assert all(new == "'" + old for new, old in zip(result, cells, strict=True) if new != old)


def test_export_tables(tmp_path):
    long_name = "returns_by_tier_and_measure_for_the_client"
    tables = {"summary": pd.DataFrame({"creator": ["=HYPERLINK(\"x\")", "ann"], "n": [-1, 2]}),
              long_name: pd.DataFrame({"=col": ["@SUM(A1)", "+1"], "v": [1.5, -2.0]})}
    folder = tmp_path / "export"
    written = document.export_tables(tables, folder)
    assert written == [folder / "summary.csv", folder / f"{long_name}.csv",
                       folder / "tables.xlsx"]

    result = pd.read_csv(folder / "summary.csv", dtype=str)
    expected = pd.DataFrame({"creator": ["'=HYPERLINK(\"x\")", "ann"], "n": ["-1", "2"]},
                            dtype=str)
    tm.assert_frame_equal(result, expected)
    result = pd.read_csv(folder / f"{long_name}.csv", dtype=str)
    expected = pd.DataFrame({"'=col": ["'@SUM(A1)", "'+1"], "v": ["1.5", "-2.0"]}, dtype=str)
    tm.assert_frame_equal(result, expected)

    sheets = pd.read_excel(folder / "tables.xlsx", sheet_name=None)
    assert list(sheets) == ["summary", long_name[:31]]
    tm.assert_frame_equal(sheets["summary"],
                          pd.DataFrame({"creator": ["'=HYPERLINK(\"x\")", "ann"], "n": [-1, 2]}))
    tm.assert_frame_equal(sheets[long_name[:31]],
                          pd.DataFrame({"'=col": ["'@SUM(A1)", "'+1"], "v": [1.5, -2.0]}))
    book = openpyxl.load_workbook(folder / "tables.xlsx")
    types = [cell.data_type for sheet in book for row in sheet.iter_rows() for cell in row]
    assert "f" not in types
    assert book["summary"]["A2"].value == "'=HYPERLINK(\"x\")"
    assert book["summary"]["B2"].value == -1


def test_export_tables_long_names_sharing_a_prefix(tmp_path):
    stem = "x" * 31
    tables = {stem + "_one": pd.DataFrame({"v": [1, 2]}),
              stem + "_two": pd.DataFrame({"w": ["a"]})}
    try:
        document.export_tables(tables, tmp_path)
    except ValueError:
        return  # refusing is also correct
    sheets = pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None)
    assert list(sheets) == [stem, stem[:29] + "~2"]
    for (_, frame), (_, back) in zip(tables.items(), sheets.items(), strict=True):
        tm.assert_frame_equal(back, frame)


def test_export_tables_of_real_report_tables(tmp_path, synthetic):
    inputs = synthetic["returns"]
    section = analyses.c2_section(inputs, rng=np.random.default_rng(0), n_resamples=N_RESAMPLES)
    tables = {"c2": analyses.c2_table(section), "returns_by_tier": section.returns,
              "cleaning_steps": inputs.steps, "cleaning_log": inputs.events}
    written = document.export_tables(tables, tmp_path)
    assert [p.name for p in written] == ["c2.csv", "returns_by_tier.csv", "cleaning_steps.csv",
                                         "cleaning_log.csv", "tables.xlsx"]
    back = pd.read_csv(tmp_path / "returns_by_tier.csv")
    tm.assert_series_equal(back["estimate"], section.returns["estimate"].reset_index(drop=True))
    sheets = pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None)
    assert list(sheets) == list(tables)
    assert sheets["c2"]["verdict"].tolist() == [section.result.verdict]
    assert re.fullmatch(r"\d+", str(sheets["cleaning_steps"]["rows_in"].iloc[0]))


def test_c1_on_a_file_with_many_zero_engagement_posts(tmp_path):
    """Like a tweet export where a third of posts have no engagement: the typical-post verdict
    is withheld (the log model would drop them) and the expected estimand keeps every post."""
    rng = np.random.default_rng(9)
    creators = 120
    followers = np.repeat(np.round(10 ** rng.uniform(3, 7, creators)), 6)
    likes = np.round(0.01 * followers**0.9 * np.exp(rng.normal(0, 1, followers.size)))
    likes[rng.random(followers.size) < 1 / 3] = 0
    frame = pd.DataFrame({"Handle": np.repeat([f"u{i}" for i in range(creators)], 6),
                          "Followers": followers.astype(int), "Likes": likes.astype(int),
                          "Replies": 0})
    inputs = make_inputs(tmp_path, "tweets.csv", frame.to_csv(index=False))
    typical = analyses.c1_fit(inputs).result
    expected = analyses.c1_fit(inputs, estimand="expected").result
    zeros = int((likes == 0).sum())
    assert typical.n_zero_dropped == zeros and typical.n == followers.size - zeros
    assert typical.verdict == "inconclusive"
    assert any("no typical-post verdict" in note for note in typical.notes)
    assert expected.n == followers.size and expected.n_zero_dropped == 0
    assert expected.ci_low < 0.9 < expected.ci_high


# --------------------------------------------------------------------------------------------
# the creators, the roster, the executive summary


def posts_with_known_levels(n_creators: int = 40, seed: int = 2) -> tuple[str, dict]:
    """Posts of creators whose engagement is 0.05 f^0.8 times a level known per creator."""
    rng = np.random.default_rng(seed)
    lines, levels = ["Handle,Followers,Likes"], {}
    for i in range(n_creators):
        followers = round(10 ** rng.uniform(3.5, 6.5))
        level = 4.0 if i == 0 else 0.25 if i == 1 else 1.0
        levels[f"c{i:02d}"] = level
        for _ in range(30 if i < 2 else int(rng.integers(3, 9))):
            likes = 0.05 * followers**0.8 * level * rng.gamma(2.0, 0.5)
            lines.append(f"c{i:02d},{followers},{likes:.0f}")
    lines += ["lucky,20000,25000"]  # one post, and it beat the follower count
    return "\n".join(lines) + "\n", levels


def test_creator_table_posts_flags_and_shrinks(tmp_path):
    text, _ = posts_with_known_levels()
    inputs = make_inputs(tmp_path, "posts.csv", text)
    rates = analyses.creator_rates(inputs.table, inputs.components)
    expected = analyses.c1_fit(inputs, estimand="expected")
    result = analyses.creator_table(inputs, rates, expected)
    table = result.table.set_index("creator")
    assert len(table) == len(rates) == 41
    assert table.loc["c00", "flag"] == "above expectation"  # 4x the line on 30 posts
    assert table.loc["c01", "flag"] == "below expectation"  # a quarter of it on 30 posts
    assert table.loc["lucky", "flag"] == "implausible"  # engagement above the follower count
    assert table.loc["lucky", "posts"] == 1
    # one post shrinks hard toward the typical creator; 30 posts hardly move
    lucky, steady = table.loc["lucky"], table.loc["c00"]
    assert lucky["shrunk_rate"] < 0.5 * lucky["engagement_rate"]
    assert steady["shrunk_rate"] == pytest.approx(steady["engagement_rate"], rel=0.15)
    assert (table["shrunk_low"] <= table["shrunk_rate"]).all()
    assert (table["shrunk_rate"] <= table["shrunk_high"]).all()
    # the expected rate is the fitted line at the roster's typical level
    followers = result.table["followers"].to_numpy()
    line = analyses._expected_engagement(expected.fit, followers) / followers
    ratio = result.table["expected_rate"].to_numpy() / line
    np.testing.assert_allclose(ratio, result.shrinkage.prior)
    assert result.table["vs_expected"].is_monotonic_decreasing
    assert set(result.table["flag"]) <= set(analyses.FLAGS)


def test_creator_table_creator_list_flags_by_residual_spread(tmp_path):
    rows = ["Handle,Followers,Likes (Avg.)"]
    rng = np.random.default_rng(5)
    for i in range(60):
        followers = round(10 ** rng.uniform(3, 6.5))
        rows.append(f"c{i},{followers},{0.05 * followers**0.8 * rng.lognormal(0, 0.3):.0f}")
    rows += ["star,100000,50000", "flop,100000,5"]
    inputs = make_inputs(tmp_path, "list.csv", "\n".join(rows) + "\n")
    rates = analyses.creator_rates(inputs.table, inputs.components)
    result = analyses.creator_table(inputs, rates, analyses.c1_fit(inputs, estimand="expected"))
    table = result.table.set_index("creator")
    assert "posts" not in table.columns and table["shrunk_rate"].isna().all()
    assert table.loc["star", "flag"] == "above expectation"
    assert table.loc["flop", "flag"] == "below expectation"
    assert result.table["creator"].iloc[0] == "star" and result.table["creator"].iloc[-1] == "flop"
    assert any("no post-to-post spread" in note for note in result.notes)
    # the roster's typical creator sits at its line: geometric mean of vs_expected is 1
    vs = table["vs_expected"][table["vs_expected"] > 0]
    assert np.exp(np.log(vs).mean()) == pytest.approx(1.0)


def test_creator_table_without_a_fit_says_so(tmp_path):
    inputs = make_inputs(tmp_path, "two.csv", "Handle,Followers,Likes\na,1000,10\nb,5000,40\n")
    rates = analyses.creator_rates(inputs.table, inputs.components)
    fit = analyses.c1_fit(inputs, estimand="expected")
    result = analyses.creator_table(inputs, rates, fit)
    assert result.table["expected_rate"].isna().all()
    assert (result.table["flag"] == "").all()
    assert any("expected rates not computed" in note for note in result.notes)


def test_roster_table_counts_shares_and_medians():
    rates = pd.DataFrame({"followers": [500.0, 2e3, 5e3, 2e4, 3e6],
                          "engagement_rate": [0.2, 0.1, 0.08, 0.05, 0.01]})
    result = analyses.roster_table(rates)
    expected = pd.DataFrame({
        "tier": ["<1k", "nano", "micro", "mid", "macro", "mega"],
        "followers_from": [0.0, 1e3, 1e4, 1e5, 5e5, 1e6],
        "followers_to": [1e3, 1e4, 1e5, 5e5, 1e6, np.inf],
        "creators": [1, 2, 1, 0, 0, 1],
        "share": [0.2, 0.4, 0.2, 0.0, 0.0, 0.2],
        "median_rate": [0.2, 0.09, 0.05, np.nan, np.nan, 0.01],
    })
    tm.assert_frame_equal(result, expected)


def test_results_table_keeps_estimands_and_zeros():
    typical = dataclasses.replace(claim(0.8, 0.7, 0.9, "supported"), estimand="typical",
                                  n_zero_dropped=4)
    mean = dataclasses.replace(claim(0.9, 0.85, 0.95, "supported"), estimand="expected")
    result = analyses.results_table([typical, mean])
    assert result["estimand"].tolist() == ["typical", "expected"]
    assert result["n_zero_dropped"].tolist() == [4, 0]
    assert result.columns.tolist() == ["estimand", "estimate", "ci_low", "ci_high", "n",
                                       "n_zero_dropped", "verdict", "method"]


def summary_inputs(level: str = "creators", rows_read: int = 12) -> analyses.ReportInputs:
    table = pd.DataFrame({"creator": list("abcde"), "platform": "instagram"})
    return analyses.ReportInputs(table, pd.DataFrame(), pd.DataFrame(),
                                 {"file": "roster.xlsx", "level": level,
                                  "rows_read": rows_read})


def test_executive_summary_is_three_sentences_in_client_words():
    rates = pd.DataFrame({"followers": [1500.0, 2e4, 9e6]})
    c1 = claim(1.0, 0.99, 1.01, "equivalent")
    mean = claim(0.7, 0.6, 0.8, "supported")
    c2 = claim(1.8, 1.2, 2.5, "contradicted", claim_id="C2")
    result = analyses.executive_summary(summary_inputs(), rates, c1, mean, c2)
    assert len(result) == 3 and all(s.endswith(".") for s in result)
    assert result[0] == ("We analysed 3 Instagram creators from roster.xlsx, with 1,500 to "
                         "9,000,000 followers (12 rows read, 7 left out).")
    assert result[1].startswith("Engagement per post on average grows more slowly than "
                                "audience size: doubling followers multiplies it by 1.62")
    assert "falls by 19% per doubling (13% to 24%)" in result[1]
    assert "a budget goes further with bigger creators" in result[2]
    assert "not all creators" in result[2]


def test_executive_summary_falls_back_to_the_typical_post_and_says_depends():
    rates = pd.DataFrame({"followers": [1500.0, 2e4, 9e6]})
    c1 = claim(1.1, 1.05, 1.15, "contradicted")
    mean = claim(np.nan, np.nan, np.nan, "inconclusive", notes=("not computed: too few",))
    depends = claim(np.nan, 0.4, 3.0, "depends", claim_id="C2")
    result = analyses.executive_summary(summary_inputs(), rates, c1, mean, depends)
    assert result[1].startswith("Engagement of the typical post grows faster than audience "
                                "size")
    assert "rises by 7% per doubling" in result[1]
    assert result[2].startswith("Whether micro-creators are the cheaper buy per engagement "
                                "depends on the price of a post")
    assert "0.4 to 3 times" in result[2]


# --------------------------------------------------------------------------------------------
# the document


def test_document_table_formats_each_kind_and_explains_missing_values():
    frame = pd.DataFrame({"creator": ["<b>ann</b>", None], "followers": [12_000.0, 3.1e6],
                          "rate": [0.0237, np.nan], "vs": [1.84, 0.5], "b": [0.94512, 1.0]})
    result = document.table(frame, counts=["followers"], percents=["rate"], ratios=["vs"],
                            labels={"vs": "vs expected"}, missing={"rate": "one post only"},
                            caption="Creators", notes=["sorted by rate"])
    cells = re.findall(r"<td[^>]*>(.*?)</td>", result)
    assert cells == ["&lt;b&gt;ann&lt;/b&gt;", "12,000", "2.37%", "1.84x", "0.945",
                     "–", "3,100,000", "–", "0.5x", "1"]
    headers = re.findall(r"<th>(.*?)</th>", result)
    assert headers == ["creator", "followers", "rate", "vs expected", "b"]
    notes = re.findall(r'<p class="footnote">(.*?)</p>', result)
    assert notes == ["– in “creator”: not available.", "– in “rate”: one post only.",
                     "sorted by rate"]
    assert "<caption>Creators</caption>" in result
    assert "index" not in result and "nan" not in result.lower()


def test_document_table_refuses_unknown_columns():
    with pytest.raises(KeyError, match=r"\['rate'\] not in the table"):
        document.table(pd.DataFrame({"n": [1]}), percents=["rate"])


def test_document_table_long_text_wraps_short_text_does_not():
    frame = pd.DataFrame({"short": ["ok"], "long": ["x" * (document.LONG_TEXT + 1)]})
    result = document.table(frame)
    assert '<td class="text">ok</td>' in result
    assert '<td class="text long">' in result


def test_cover_leaves_out_empty_lines_and_escapes():
    result = document.cover(title="<Q3>", client=None, file="a&b.csv", generated="",
                            analysed="3 creators")
    assert "&lt;Q3&gt;" in result and "a&amp;b.csv" in result
    assert "Prepared for" not in result and "Date" not in result
    assert 'class="client"' not in result


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.none(),
                          st.text(max_size=8)), min_size=1, max_size=6))
def test_document_table_never_shows_nan_or_raw_markup(values):
    frame = pd.DataFrame({"value": pd.Series(values, dtype=object)})
    result = document.table(frame)
    shown = re.findall(r"<td[^>]*>(.*?)</td>", result, re.S)
    assert len(shown) == len(values)
    assert "<" not in "".join(shown)
    assert not any(cell.strip().lower() in ("nan", "none") for cell in shown)


def test_render_writes_a_page_that_loads_nothing(tmp_path):
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

    nb = new_notebook(cells=[
        new_markdown_cell("## Findings\n\nText $x$."),
        new_code_cell("import secret_module", outputs=[new_output(
            "display_data", data={"text/html": "<p>shown</p>", "text/plain": "x"})]),
    ])
    nbformat.validator.normalize(nb)
    path = document.render(nb, tmp_path / "r.html", title="T <1>")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<title>T &lt;1&gt;</title>" in page
    assert "<p>shown</p>" in page and "Findings" in page
    assert "secret_module" not in page
    assert "<script" not in page and "<link" not in page
    assert not re.search(r"(?:src|href)=\"(?:https?:)?//", page)
    assert "@media print" in page  # the print style sheet is inline


# --------------------------------------------------------------------------------------------
# files without engagement


def test_revenue_section_recovers_a_known_elasticity(tmp_path):
    rng = np.random.default_rng(9)
    followers = np.round(10 ** rng.uniform(3, 6.5, 200))
    revenue = 0.5 * followers**0.6 * rng.lognormal(0, 0.3, 200)
    lines = ["Creator,Followers,GMV"] + [f"s{i},{f:.0f},{r:.4f}" for i, (f, r)
                                           in enumerate(zip(followers, revenue, strict=True))]
    lines.append("nothing,5000,")  # no revenue: left out and counted
    inputs = make_inputs(tmp_path, "gmv.csv", "\n".join(lines) + "\n")
    assert inputs.mode == "revenue"
    result = analyses.revenue_section(inputs, rng=np.random.default_rng(1), n_resamples=200)
    fits = result.fits.set_index("estimand")
    expected_b = np.polyfit(np.log(followers), np.log(np.round(revenue, 4)), 1)[0]
    assert fits.loc["typical", "estimate"] == pytest.approx(expected_b, rel=1e-9)
    for name in ("typical", "expected"):
        assert fits.loc[name, "ci_low"] < 0.6 < fits.loc[name, "ci_high"]
        assert fits.loc[name, "reading"] == "revenue per follower falls with size"
        assert fits.loc[name, "n"] == 200
    assert result.notes == ["1 creator has no revenue value and is left out"]
    micro = result.by_tier.set_index("tier").loc["micro"]
    in_micro = (followers >= 1e4) & (followers < 1e5)
    assert micro["n"] == in_micro.sum()
    assert micro["median"] == pytest.approx(np.median(np.round(revenue, 4)[in_micro]
                                                      / followers[in_micro]))


def test_revenue_reading_needs_the_whole_interval_on_one_side():
    assert analyses._revenue_reading(1.2, 1.05, 1.3) == "revenue per follower rises with size"
    assert analyses._revenue_reading(0.8, 0.7, 0.95) == "revenue per follower falls with size"
    assert analyses._revenue_reading(0.9, 0.7, 1.1).startswith("the data cannot tell")
    assert analyses._revenue_reading(np.nan, np.nan, np.nan) == "not estimated"


def test_claim_needs_says_what_the_file_already_has():
    table = pd.DataFrame({"creator": ["a"], "followers": [1.0], "fee": [10.0],
                          "category": ["food"]})
    needs = analyses.claim_needs(analyses.ReportInputs(table, pd.DataFrame(), pd.DataFrame(),
                                                       {"mode": "roster"}))
    assert "(the file has them)" in needs[1] and "(the file has categories)" in needs[3]


def test_export_tables_keeps_long_tables_out_of_the_workbook(tmp_path):
    tables = {"short": pd.DataFrame({"n": [1, 2]}), "long": pd.DataFrame({"n": range(7)})}
    written = document.export_tables(tables, tmp_path, excel_rows=5)
    assert sorted(p.name for p in written) == ["long.csv", "short.csv", "tables.xlsx"]
    assert openpyxl.load_workbook(tmp_path / "tables.xlsx").sheetnames == ["short"]
    tm.assert_frame_equal(pd.read_csv(tmp_path / "long.csv"), tables["long"])
