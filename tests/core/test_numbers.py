"""The one number formatter (analysis.core.numbers): decimals and grouping from the catalog."""

from __future__ import annotations

import math

import pytest

from analysis.core import numbers
from analysis.core.catalog import default_catalog
from analysis.errors import ParameterError

CATALOG = default_catalog()


@pytest.mark.parametrize(
    ("indicator", "value", "zh", "en"),
    [
        ("population", 25277.0, "25277", "25,277"),  # counts: whole, grouped only in English
        ("medical_insurance_rate", 86.0, "86.0", "86.0"),  # rates: one decimal, even a zero
        ("medical_insurance_rate", 86.44, "86.4", "86.4"),
        ("medical_reimbursement_wan", 335.26, "335.26", "335.26"),  # 万元: two decimals
        ("environment_investment_wan", 101.0, "101.00", "101.00"),
        ("pension_paid_wan", 268.4, "268.40", "268.40"),
        ("industry_subsidy_yuan", 13329.4, "13329", "13,329"),  # 元: whole yuan
        ("vegetable_greenhouse_area_mu", 118.35, "118.35", "118.35"),  # 亩: two decimals
        ("hardened_road_km", 64.974, "64.97", "64.97"),  # km: two decimals
        ("vegetable_greenhouses", 2.9, "3", "3"),  # a projected count is a whole number
    ],
)
def test_number_takes_decimals_from_the_catalog(indicator, value, zh, en):
    assert numbers.number(value, CATALOG[indicator], "zh") == zh
    assert numbers.number(value, CATALOG[indicator], "en") == en


@pytest.mark.parametrize(
    ("indicator", "value", "written"),
    [
        ("medical_insurance_rate", 82.0, "82.0"),  # beside 81.6, not 82
        ("vegetable_greenhouse_area_mu", 498.0, "498.00"),
        ("population", 1314871.0, "1,314,871"),  # grouped in Chinese too
        ("medical_insurance_rate", -0.04, "0.0"),  # never -0.0
    ],
)
def test_a_tables_column_has_one_number_of_decimals_and_reads_alike_in_both_languages(
    indicator, value, written
):
    assert numbers.number(value, CATALOG[indicator], "zh", context="column") == written
    assert numbers.number(value, CATALOG[indicator], "en", context="column") == written


def test_a_unit_stands_for_the_indicators_measured_in_it():
    for ind in CATALOG:
        assert numbers.decimals(ind.unit) == numbers.decimals(ind), ind.id
    assert numbers.number(21.5, "万元") == "21.50"
    assert numbers.decimals("件") == numbers.DEFAULT_DECIMALS  # no indicator uses it


@pytest.mark.parametrize("value", [None, math.nan, math.inf])
def test_missing_is_a_dash(value):
    ind = CATALOG["population"]
    assert numbers.number(value, ind) == numbers.figure(value, ind) == "—"
    assert numbers.interval(value, 3.0, ind) == numbers.probability(value) == "—"


def test_figure_writes_the_unit_as_a_document_does():
    assert numbers.figure(1544, CATALOG["medical_reimbursement_visits"]) == "1544人次"
    assert numbers.figure(86.4, CATALOG["medical_insurance_rate"]) == "86.4%"
    assert numbers.figure(61.3, CATALOG["hardened_road_km"]) == "61.30公里"
    assert numbers.figure(335.26, CATALOG["medical_reimbursement_wan"]) == "335.26万元"
    # English has no 万: with its unit, a 万元 figure is written in yuan, exactly.
    assert numbers.figure(335.26, CATALOG["medical_reimbursement_wan"], "en") == "3,352,600 yuan"
    assert numbers.figure(1, CATALOG["households"], "en") == "1 household"
    assert numbers.figure(7, CATALOG["households"], "en") == "7 households"
    assert numbers.figure(86.4, CATALOG["medical_insurance_rate"], "en") == "86.4%"
    assert numbers.figure(2, CATALOG["workshops"], "en") == "2"  # 个 has no English noun


def test_change_is_in_points_for_rates_and_never_signs_a_zero():
    rate, households = CATALOG["medical_insurance_rate"], CATALOG["households"]
    assert numbers.change(1.44, rate) == "1.4个百分点"
    assert numbers.change(-1.44, rate, "en") == "1.4 percentage points"
    assert numbers.change(-1.25, rate, signed=True) == "-1.2个百分点"
    assert numbers.change(0.02, rate, signed=True) == "0.0个百分点"
    assert numbers.change(-12, households) == "12户"
    assert numbers.change(-12, households, unit=False, signed=True) == "-12"
    assert numbers.change(-19.0, CATALOG["environment_investment_wan"], "en") == "190,000 yuan"


def test_a_large_chinese_figure_reads_in_wan_or_yi_in_a_sentence_and_in_full_in_a_table():
    population, subsidy = CATALOG["population"], CATALOG["industry_subsidy_yuan"]
    assert numbers.figure(1314871, population) == "131.5万人"
    assert numbers.figure(99999, population) == "99999人"
    assert numbers.figure(1_400_000, subsidy) == "140.00万元"
    assert numbers.figure(190_905, subsidy) == "190905元"  # as a township's documents write it
    assert numbers.figure(13_500, CATALOG["environment_investment_wan"]) == "1.35亿元"
    assert numbers.change(-1314871, population, signed=True) == "-131.5万人"
    assert numbers.interval(1250000, 1314871, population) == "125.0–131.5万人"
    assert numbers.number(1314871, population, context="column") == "1,314,871"
    assert numbers.figure(1314871, population, "en") == "1,314,871 people"


def test_interval_writes_the_unit_once_except_for_percentages():
    assert numbers.interval(86.94, 89.31, CATALOG["medical_insurance_rate"]) == "86.9%–89.3%"
    assert numbers.interval(1.04, 4.8, CATALOG["road_hardening_works"]) == "1–5条"
    wan = CATALOG["medical_reimbursement_wan"]
    assert numbers.interval(300.1, 335.26, wan) == "300.10–335.26万元"
    assert numbers.interval(300.1, 335.26, wan, "en") == "3,001,000–3,352,600 yuan"


def test_zero_is_what_is_written_as_zero():
    assert numbers.is_zero(0.004, CATALOG["vegetable_greenhouse_area_mu"])
    assert not numbers.is_zero(0.006, CATALOG["vegetable_greenhouse_area_mu"])
    assert numbers.is_zero(0.4, CATALOG["households"])


def test_probability_never_promises_certainty():
    assert numbers.probability(0.0) == numbers.probability(0.009) == "<1%"
    assert numbers.probability(1.0) == numbers.probability(0.995) == ">99%"
    assert numbers.probability(0.235) == "24%"
    assert numbers.percent(0.8) == "80%"
    assert numbers.ratio(0.8) == "0.80"


def test_a_spread_of_counts_keeps_a_decimal():
    households = CATALOG["households"]
    assert numbers.number(0.43, households, context="spread") == "0.4"
    assert numbers.number(0.43, households) == "0"
    assert numbers.number(86.0104, CATALOG["medical_insurance_rate"], places=3) == "86.01"
    with pytest.raises(ValueError, match="context"):
        numbers.number(1.0, households, context="change")


def test_unknown_language_is_refused():
    with pytest.raises(ParameterError, match="lang"):
        numbers.number(1.0, CATALOG["households"], "fr")


def test_an_error_carries_its_unit_and_a_rate_s_is_in_points():
    assert numbers.error(13.75, "亩") == "13.75亩"
    assert numbers.error(0.4, "户") == "0.4户"
    assert numbers.error(1.26, "%") == "1.3个百分点"
    assert numbers.error(659.3, "元", "en") == "659.3 yuan"
    assert numbers.error(float("nan"), "户") == numbers.MISSING
