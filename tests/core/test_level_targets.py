"""Targets at every level: a town's or county's target is assessed on that level's aggregation,
and reaches the units below it only as it stands (issue 14)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.core import trends
from analysis.core.aggregate import aggregate_levels

TOWN_A, TOWN_B, COUNTY = "360722103", "360722104", "360722"
YEARS = range(2014, 2020)


@pytest.fixture(scope="module")
def county() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two towns of three villages each, six years of a summed and a weighted indicator."""
    codes = [f"{TOWN_A}20{i}" for i in range(3)] + [f"{TOWN_B}20{i}" for i in range(3)]
    villages = pd.DataFrame(
        {
            "code": codes,
            "name": [f"村{i}" for i in range(6)],
            "town_name": ["大桥镇"] * 3 + ["新田镇"] * 3,
            "county_name": ["信丰县"] * 6,
        }
    )
    rng = np.random.default_rng(3)
    rows = []
    for code in codes:
        road, rate = float(rng.uniform(2, 8)), float(rng.uniform(60, 80))
        for step, year in enumerate(YEARS):
            rows += [
                (code, year, "population", float(rng.integers(800, 2000))),
                (code, year, "hardened_road_km", road + step * float(rng.uniform(0.5, 1.5))),
                (code, year, "medical_insurance_rate", min(99.0, rate + step * 2.5)),
            ]
    return pd.DataFrame(rows, columns=["village_code", "year", "indicator", "value"]), villages


def _targets(*rows: tuple[str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [(scope, ind, 2020, value, "") for scope, ind, value in rows],
        columns=["scope", "indicator", "target_year", "target_value", "source"],
    )


def test_scope_level_reads_every_level_and_refuses_the_rest():
    assert trends.batch.scope_level("township") == ("township", [])
    assert trends.batch.scope_level(COUNTY) == ("county", [COUNTY])
    assert trends.batch.scope_level(TOWN_A) == ("town", [TOWN_A])
    assert trends.batch.scope_level(f"{TOWN_A}201;{TOWN_B}200") == (
        "village",
        [f"{TOWN_A}201", f"{TOWN_B}200"],
    )
    for bad in ("", "3607", "大桥镇", f"{TOWN_A};{TOWN_B}", f"{COUNTY};{TOWN_A}201"):
        with pytest.raises(ValueError, match="target scope"):
            trends.batch.scope_level(bad)


def test_town_and_county_series_are_the_aggregates_of_their_level(county):
    indicators, villages = county
    table = aggregate_levels(indicators, villages)
    for level, code in (("town", TOWN_B), ("county", COUNTY)):
        for indicator in ("hardened_road_km", "medical_insurance_rate"):
            series = trends.scope_series(indicators, code, indicator)
            expected = table[
                (table["level"] == level)
                & (table["code"] == code)
                & (table["indicator"] == indicator)
            ].set_index("year")["value"]
            assert list(series.index) == list(YEARS)
            assert np.allclose(series.to_numpy(), expected.loc[list(YEARS)].to_numpy())


def test_many_scopes_at_once_are_each_scopes_own_series(county):
    # A county page's dozens of charts take their series in one call: each must be the one
    # a single call gives, whatever else is asked with it (a year a sum is incomplete in one
    # town included).
    indicators, _ = county
    thinner = indicators.drop(
        indicators[
            (indicators["village_code"] == f"{TOWN_A}200")
            & (indicators["year"] == 2016)
            & (indicators["indicator"] == "hardened_road_km")
        ].index
    )
    pairs = [
        (scope, indicator)
        for scope in (
            "township",
            COUNTY,
            TOWN_A,
            TOWN_B,
            f"{TOWN_A}201",
            f"{TOWN_A}201;{TOWN_B}200",
        )
        for indicator in ("hardened_road_km", "medical_insurance_rate", "population")
    ]
    together = trends.scopes_series(thinner, pairs)
    for (scope, indicator), series in zip(pairs, together, strict=True):
        pd.testing.assert_series_equal(series, trends.scope_series(thinner, scope, indicator))


def test_an_incomplete_year_is_left_out_of_that_town_only(county):
    indicators, _ = county
    gap = (indicators["village_code"] == f"{TOWN_A}201") & (indicators["year"] == 2016)
    thinner = indicators[~(gap & (indicators["indicator"] == "hardened_road_km"))]
    assert 2016 not in trends.scope_series(thinner, TOWN_A, "hardened_road_km").index
    assert 2016 in trends.scope_series(thinner, TOWN_B, "hardened_road_km").index
    assert 2016 not in trends.scope_series(thinner, COUNTY, "hardened_road_km").index


def test_targets_at_every_level_are_assessed_and_reach_below_only_as_they_stand(county):
    indicators, _ = county
    targets = _targets(
        (COUNTY, "hardened_road_km", 120.0),
        (COUNTY, "medical_insurance_rate", 90.0),
        (TOWN_A, "hardened_road_km", 60.0),
        (TOWN_A, "medical_insurance_rate", 95.0),
    )
    result = trends.assess_targets(indicators, targets)
    own = result[result["row_type"] == "target"].set_index(["scope", "indicator"])
    assert len(own) == 4
    assert own.loc[(COUNTY, "hardened_road_km"), "last_value"] == pytest.approx(
        trends.scope_series(indicators, COUNTY, "hardened_road_km").iloc[-1]
    )
    assert own.loc[(TOWN_A, "medical_insurance_rate"), "last_value"] == pytest.approx(
        trends.scope_series(indicators, TOWN_A, "medical_insurance_rate").iloc[-1]
    )
    # The county's targets reach each town: its rate as it stands, its total not at all.
    towns = result[result["row_type"] == "town"]
    assert set(towns["scope"]) == {TOWN_A, TOWN_B}
    by = towns.set_index(["scope", "indicator"])
    assert by.loc[(TOWN_B, "medical_insurance_rate"), "target"] == 90.0
    assert math.isnan(by.loc[(TOWN_B, "hardened_road_km"), "target"])
    assert by.loc[(TOWN_B, "hardened_road_km"), "status_en"] == "no target"
    # A town's targets reach its own villages only: the rate as it stands, the total not.
    villages = result[result["row_type"] == "village"]
    assert set(villages["scope"].str[:9]) == {TOWN_A}
    rows = villages.set_index(["scope", "indicator"])
    assert rows.loc[(f"{TOWN_A}202", "medical_insurance_rate"), "target"] == 95.0
    assert math.isnan(rows.loc[(f"{TOWN_A}202", "hardened_road_km"), "target"])
    assert rows.loc[(f"{TOWN_A}202", "hardened_road_km"), "status_en"] == "no target"


def test_every_level_target_is_assessed_on_its_scope_series(county):
    indicators, _ = county
    targets = _targets((COUNTY, "medical_insurance_rate", 90.0), (TOWN_B, "hardened_road_km", 40.0))
    result = trends.assess_targets(indicators, targets)
    for row in result.itertuples():
        series = trends.scope_series(indicators, row.scope, row.indicator)
        assert row.n_points == len(series), (row.scope, row.indicator)
        assert row.last_value == pytest.approx(series.iloc[-1])
