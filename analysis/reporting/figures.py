"""The maps of the pages: the township's and the village's (the charts of each indicator are
:mod:`analysis.reporting.indicator_charts`).

Each takes the processed tables and the page's language and returns a matplotlib ``Figure``
(or None where the layers it needs are missing); titles and legends come from
:mod:`analysis.core.labels`.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from analysis.core.labels import label
from analysis.geo import maps
from analysis.pipeline.store import Tables


def corridor_figure(tables: Tables, *, width_km: float = 2.0, lang: str = "zh"):
    """The G357 corridor map of the township, or None where the layers are missing."""
    road, bases = tables.layer("g357"), tables.layer("industry_bases")
    if road is None or bases is None or not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    return maps.corridor_map(
        tables.villages,
        road,
        bases,
        width_km=width_km,
        label_column="short_name",
        title=label("map.corridor_title", lang),
        source=label("chart.villages_source", lang),
        sample=tables.sample,
        lang=lang,
    )


def toilets_per_100_households(tables: Tables, year: int) -> pd.Series:
    """Household toilets upgraded up to ``year`` per 100 households, by village code."""
    rows = tables.indicators[tables.indicators["year"] <= year]
    upgraded = rows[rows["indicator"] == "toilets_upgraded"].groupby("village_code")["value"].sum()
    households = rows[(rows["indicator"] == "households") & (rows["year"] == year)].set_index(
        "village_code"
    )["value"]
    return (upgraded / households * 100).rename("toilets_per_100")


#: Fixed classes (upper bounds) for household toilets upgraded since the first year per 100
#: households: the same legend every year, so maps of two years compare at a glance.
TOILET_CLASSES_PER_100 = (2.0, 4.0, 6.0, 8.0, 100.0)


def sanitation_figure(tables: Tables, year: int, *, lang: str = "zh"):
    """Toilets upgraded per 100 households (fixed classes) with public toilets and sewage sites."""
    points = tables.layer("sanitation_points")
    if points is None or not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    villages = tables.villages.merge(
        toilets_per_100_households(tables, year), left_on="code", right_index=True, how="left"
    )
    return maps.sanitation_map(
        villages,
        "toilets_per_100",
        points,
        bins=TOILET_CLASSES_PER_100,
        title=label("map.sanitation_year", lang, year=year),
        legend_title=label("map.toilets_to_date", lang),
        label_column="short_name",
        source=label("chart.villages_source", lang),
        sample=tables.sample,
        lang=lang,
    )


#: Beyond this many villages the locator shows the village's own town, not the whole layer:
#: 300 labelled villages are unreadable at page size and cost seconds to draw.
LOCATOR_MAX_VILLAGES = 40


def locator_figure(tables: Tables, code: str, *, lang: str = "zh"):
    """The village highlighted among its neighbours (its town, in a large county)."""
    villages = tables.measured_villages()
    if villages is None:
        return None
    if len(villages) > LOCATOR_MAX_VILLAGES and "town_code" in villages.columns:
        town = villages.loc[villages["code"] == str(code), "town_code"]
        villages = villages[villages["town_code"].isin(town)]
    return maps.locator_map(
        villages, str(code), label_column="short_name", sample=tables.sample, lang=lang
    )
