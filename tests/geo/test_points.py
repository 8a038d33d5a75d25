"""analysis.geo.points: what a map of a year shows of the sanitation points, and the ledger's
figure for the same thing."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from analysis.geo.points import compare_points, ledger_figure, shown_points


def _points(rows):
    return gpd.GeoDataFrame(
        {"kind": [k for k, _ in rows], "year": [y for _, y in rows]},
        geometry=[Point(i, i) for i in range(len(rows))],
        crs="EPSG:4490",
    )


def _ledger(rows):
    return pd.DataFrame(rows, columns=["village_code", "year", "indicator", "value"])


POINTS = _points(
    [
        ("public_toilet", 2016),
        ("public_toilet", 2018),
        ("public_toilet", 2019),
        ("sewage_site", 2017),
        ("sewage_site", 2019),
        ("household_toilet", 2018),
        ("household_toilet", 2019),
        ("household_toilet", 2019),
    ]
)
LEDGER = _ledger(
    [
        ("A", 2016, "public_toilets_built", 1),
        ("A", 2018, "public_toilets_built", 1),
        ("B", 2019, "public_toilets_built", 1),
        ("A", 2017, "sewage_sites", 1),
        ("A", 2019, "sewage_sites", 1),
        ("B", 2019, "sewage_sites", 1),
        ("A", 2018, "toilets_upgraded", 1),
        ("A", 2019, "toilets_upgraded", 2),
    ]
)


def test_a_map_of_a_year_shows_facilities_to_date_and_that_years_household_toilets():
    shown = shown_points(POINTS, 2018)
    assert sorted(shown["kind"].value_counts().items()) == [
        ("household_toilet", 1),
        ("public_toilet", 2),
        ("sewage_site", 1),
    ]
    assert len(shown_points(POINTS.drop(columns="year"), 2018)) == len(POINTS)


def test_ledger_figures_sum_flows_to_date_and_take_stocks_as_they_are():
    assert ledger_figure(LEDGER, "public_toilets_built", "to_date", 2019) == 3
    assert ledger_figure(LEDGER, "public_toilets_built", "year", 2019) == 1
    # sewage_sites is a stock: the 2019 figure is the sites there are, not a sum of years.
    assert ledger_figure(LEDGER, "sewage_sites", "to_date", 2019) == 2
    assert math.isnan(ledger_figure(LEDGER, "toilets_upgraded", "year", 2015))


def test_points_agree_with_the_ledger_or_the_difference_is_stated():
    found = compare_points(POINTS, LEDGER, 2019).set_index("kind")
    assert found.loc["public_toilet", ["points", "ledger"]].tolist() == [3, 3]
    assert found.loc["sewage_site", ["points", "ledger"]].tolist() == [2, 2]
    assert found.loc["household_toilet", ["points", "ledger"]].tolist() == [2, 2]
    assert found["agree"].all()
    # Four public toilets dated 2019 where the ledger built one in 2019 and three to date.
    misdated = _points([("public_toilet", 2019)] * 4)
    found = compare_points(misdated, LEDGER, 2019).set_index("kind")
    assert found.loc["public_toilet", ["points", "ledger", "agree"]].tolist() == [4, 3, False]
    # No ledger figure: nothing to disagree with.
    assert compare_points(misdated, LEDGER.iloc[:0], 2019)["agree"].all()
