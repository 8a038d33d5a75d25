"""Every level of the hierarchy adds up: village sums = town = county; rates weighted (issue 14)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.core.aggregate import aggregate_levels, hierarchy
from analysis.core.catalog import default_catalog


@pytest.fixture(scope="module")
def two_counties() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Five villages in three towns of two counties, two years, a count and a weighted rate."""
    codes = ["360722103201", "360722103202", "360722104200", "360723100200", "360723100201"]
    villages = pd.DataFrame(
        {
            "code": codes,
            "name": ["甲村委会", "乙村委会", "丙村委会", "丁村委会", "戊村委会"],
            "town_name": ["大桥镇", "大桥镇", "新田镇", "", "南安镇"],
        }
    )
    rng = np.random.default_rng(7)
    rows = []
    for year in (2018, 2019):
        for code in codes:
            population = float(rng.integers(500, 3000))
            rows += [
                (code, year, "population", population),
                (code, year, "poor_households_remaining", float(rng.integers(0, 20))),
                (code, year, "medical_insurance_rate", float(rng.uniform(70, 99))),
            ]
    indicators = pd.DataFrame(rows, columns=["village_code", "year", "indicator", "value"])
    return indicators, villages


def _value(table, level, code, year, indicator) -> float:
    row = table[
        (table["level"] == level)
        & (table["code"] == code)
        & (table["year"] == year)
        & (table["indicator"] == indicator)
    ]
    assert len(row) == 1, (level, code, year, indicator)
    return float(row["value"].iloc[0])


def test_sums_add_up_level_by_level(two_counties):
    indicators, villages = two_counties
    table = aggregate_levels(indicators, villages, default_catalog())
    assert set(table["level"]) == {"village", "town", "county", "prefecture"}
    for year in (2018, 2019):
        poor = indicators[
            (indicators["year"] == year) & (indicators["indicator"] == "poor_households_remaining")
        ].set_index("village_code")["value"]
        towns = {t: poor[poor.index.str[:9] == t].sum() for t in {c[:9] for c in poor.index}}
        for town, total in towns.items():
            assert _value(table, "town", town, year, "poor_households_remaining") == total
        for county in ("360722", "360723"):
            town_sum = sum(v for t, v in towns.items() if t.startswith(county))
            assert _value(table, "county", county, year, "poor_households_remaining") == town_sum
        assert _value(table, "prefecture", "3607", year, "poor_households_remaining") == poor.sum()


def test_rates_are_population_weighted_at_every_level(two_counties):
    indicators, villages = two_counties
    table = aggregate_levels(indicators, villages, default_catalog())
    year = indicators[indicators["year"] == 2019]
    wide = year.pivot(index="village_code", columns="indicator", values="value")
    for level, width in (("town", 9), ("county", 6), ("prefecture", 4)):
        for code, group in wide.groupby(wide.index.str[:width]):
            expected = np.average(group["medical_insurance_rate"], weights=group["population"])
            got = _value(table, level, code, 2019, "medical_insurance_rate")
            assert got == pytest.approx(expected, rel=1e-12)
            if len(group) > 1:  # an unweighted mean would differ
                assert got != pytest.approx(group["medical_insurance_rate"].mean(), rel=1e-9)


def test_names_come_from_the_registry_or_the_code_never_the_sample(two_counties):
    _, villages = two_counties
    places = hierarchy(villages).set_index("village_code")
    assert places.at["360722103201", "town_name"] == "大桥镇"
    assert places.at["360723100200", "town_name"] == "南安镇"  # a blank row takes the town's name
    assert places.at["360722103201", "county_name"] == "360722"


def test_a_village_outside_the_registry_counts_nowhere(two_counties):
    indicators, villages = two_counties
    stray = indicators[indicators["village_code"] == "360722103201"].assign(
        village_code="360722103299", value=1e6
    )
    table = aggregate_levels(pd.concat([indicators, stray], ignore_index=True), villages)
    assert "360722103299" not in set(table["code"])
    pd.testing.assert_frame_equal(table, aggregate_levels(indicators, villages))


def test_rows_in_any_order_give_the_same_table(two_counties):
    """The rows in order are taken as they are, in any other order sorted: the same table
    (its sums added in another order, so equal to the last bits)."""
    indicators, villages = two_counties
    expected = aggregate_levels(indicators, villages)
    shuffled = indicators.sample(frac=1, random_state=3).reset_index(drop=True)
    backwards = indicators.iloc[::-1].reset_index(drop=True)
    for rows in (shuffled, backwards):
        found = aggregate_levels(rows, villages)
        pd.testing.assert_frame_equal(found, expected, check_exact=False, rtol=1e-12)
    empty = aggregate_levels(indicators.iloc[:0], villages)
    assert empty.empty and list(empty.columns) == list(expected.columns)
