"""The maps of the pages: the township's and the village's (the charts of each indicator are
:mod:`analysis.reporting.indicator_charts`).

Each map is first a :class:`MapDrawing`, everything it is drawn from (``*_drawing``), and then
a matplotlib ``Figure`` (``*_figure``), or None where the layers it needs are missing; titles
and legends come from :mod:`analysis.core.labels`. A page or document that kept the picture
of a drawing does not draw it again (:mod:`analysis.reporting.pictures`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from analysis.core import numbers
from analysis.core.catalog import default_catalog
from analysis.core.labels import indicator_name, label, unit_header
from analysis.geo import maps
from analysis.geo.points import compare_points, shown_points
from analysis.pipeline.store import Tables
from analysis.reporting.reads import LAYERS, REGISTRY, TARGETS, VILLAGE_ROWS, reads


@dataclass(frozen=True)
class MapDrawing:
    """A map before it is drawn: the :mod:`analysis.geo.maps` function that draws it and all
    it is given (layers, values, words). Its digest names the map's kept pictures, so a map
    whose inputs are what they were is not drawn again."""

    function: Callable[..., Figure]
    arguments: tuple
    options: Mapping[str, object]

    @classmethod
    def of(cls, function: Callable[..., Figure], *arguments: object, **options: object):
        """The drawing ``function(*arguments, **options)`` makes."""
        return cls(function, arguments, options)

    def draw(self) -> Figure:
        return self.function(*self.arguments, **self.options)


def drawn(drawing: MapDrawing | None) -> Figure | None:
    """The figure of ``drawing``; None where there is no map."""
    return None if drawing is None else drawing.draw()


@reads(LAYERS, REGISTRY)
def corridor_drawing(
    tables: Tables, *, width_km: float = 2.0, lang: str = "zh"
) -> MapDrawing | None:
    """The G357 corridor map of the township, or None where the layers are missing."""
    road, bases = tables.layer("g357"), tables.layer("industry_bases")
    if road is None or bases is None or not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    return MapDrawing.of(
        maps.corridor_map,
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


@reads(LAYERS, REGISTRY)
def corridor_figure(tables: Tables, *, width_km: float = 2.0, lang: str = "zh") -> Figure | None:
    """:func:`corridor_drawing`, drawn."""
    return drawn(corridor_drawing(tables, width_km=width_km, lang=lang))


@reads(VILLAGE_ROWS)
def toilets_per_100_households(tables: Tables, year: int) -> pd.Series:
    """Household toilets upgraded up to ``year`` per 100 households, by village code."""
    rows = tables.indicators[tables.indicators["year"] <= year]
    upgraded = rows[rows["indicator"] == "toilets_upgraded"].groupby("village_code")["value"].sum()
    households = rows[(rows["indicator"] == "households") & (rows["year"] == year)].set_index(
        "village_code"
    )["value"]
    return (upgraded / households * 100).rename("toilets_per_100")


@reads(LAYERS, VILLAGE_ROWS, REGISTRY)
def sanitation_drawing(tables: Tables, year: int, *, lang: str = "zh") -> MapDrawing | None:
    """Toilets upgraded per 100 households (classes from the data's range) with the public
    toilets, sewage sites and household toilets a map of ``year`` shows, each legend entry
    saying which years' points it counts and, where the ledger's figure for the same thing
    differs, both figures (the build records that as a problem too)."""
    points = tables.layer("sanitation_points")
    if points is None or not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    villages = tables.villages.merge(
        toilets_per_100_households(tables, year), left_on="code", right_index=True, how="left"
    )
    return MapDrawing.of(
        maps.sanitation_map,
        villages,
        "toilets_per_100",
        shown_points(points, year),
        point_labels=point_labels(tables, points, year, lang=lang),
        title=label("map.sanitation_year", lang, year=year),
        legend_title=label("map.toilets_to_date", lang),
        label_column="short_name",
        source=label("chart.villages_source", lang),
        sample=tables.sample,
        lang=lang,
    )


@reads(LAYERS, VILLAGE_ROWS, REGISTRY)
def sanitation_figure(tables: Tables, year: int, *, lang: str = "zh") -> Figure | None:
    """:func:`sanitation_drawing`, drawn."""
    return drawn(sanitation_drawing(tables, year, lang=lang))


def point_labels(tables: Tables, points, year: int, *, lang: str = "zh") -> dict[str, str]:
    """The legend words of each kind of sanitation point on a map of ``year``: what the points
    are, how many, and the ledger's figure where it differs (:func:`compare_points`)."""
    catalog = default_catalog()
    words = {}
    for row in compare_points(points, tables.indicators, year, catalog).itertuples(index=False):
        ind = catalog[row.indicator]
        scope = label(
            "map.scope_year" if row.scope == "year" else "map.scope_to_date", lang, year=year
        )
        kind = label(f"map.{row.kind}", lang)
        if row.agree:
            words[row.kind] = label(
                "map.points_dated",
                lang,
                label=kind,
                scope=scope,
                n=numbers.figure(row.points, ind, lang),
            )
        else:
            words[row.kind] = label(
                "map.points_vs_ledger",
                lang,
                label=kind,
                scope=scope,
                n=row.points,
                ledger=numbers.figure(row.ledger, ind, lang),
            )
    return words


#: The sanitation indicator with a target, mapped by village on the township's page.
SANITARY_RATE = "sanitary_toilet_rate"


@reads(VILLAGE_ROWS, TARGETS, REGISTRY)
def sanitary_rate_drawing(tables: Tables, year: int, *, lang: str = "zh") -> MapDrawing | None:
    """卫生厕所普及率 by village in ``year`` (classes from the data's range), with the target of
    the place whose target it is in the legend; None without village geometry."""
    if not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    ind = default_catalog()[SANITARY_RATE]
    rows = tables.indicators[
        (tables.indicators["indicator"] == SANITARY_RATE) & (tables.indicators["year"] == year)
    ]
    rates = rows.groupby("village_code")["value"].mean()
    legend_title = label(
        "map.heading", lang, title=indicator_name(ind, lang), unit=unit_header(ind.unit, lang)
    )
    targets = tables.targets[
        (tables.targets["indicator"] == SANITARY_RATE) & (tables.targets["scope"] == "township")
    ]
    if len(targets):
        target = targets.iloc[0]
        legend_title += "\n" + label(
            "map.target_note",
            lang,
            place=target["scope_name"],
            year=int(target["target_year"]),
            target=numbers.figure(target["target_value"], ind, lang),
        )
    return MapDrawing.of(
        maps.choropleth,
        tables.villages.assign(rate=tables.villages["code"].astype(str).map(rates)),
        "rate",
        scheme=maps.DATA_SCHEME,
        title=label("map.sanitary_rate_year", lang, year=year),
        legend_title=legend_title,
        label_column="short_name",
        source=label("chart.villages_source", lang),
        sample=tables.sample,
        cmap="YlGn",
        lang=lang,
    )


@reads(VILLAGE_ROWS, TARGETS, REGISTRY)
def sanitary_rate_figure(tables: Tables, year: int, *, lang: str = "zh") -> Figure | None:
    """:func:`sanitary_rate_drawing`, drawn."""
    return drawn(sanitary_rate_drawing(tables, year, lang=lang))


#: Beyond this many villages the locator shows the village's own town, not the whole layer:
#: 300 labelled villages are unreadable at page size and cost seconds to draw.
LOCATOR_MAX_VILLAGES = 40


@reads(REGISTRY)
def locator_drawing(tables: Tables, code: str, *, lang: str = "zh") -> MapDrawing | None:
    """The village highlighted among its neighbours (its town, in a large county)."""
    villages = tables.measured_villages()
    if villages is None:
        return None
    if len(villages) > LOCATOR_MAX_VILLAGES and "town_code" in villages.columns:
        town = villages.loc[villages["code"] == str(code), "town_code"]
        villages = villages[villages["town_code"].isin(town)]
    return MapDrawing.of(
        maps.locator_map,
        villages,
        str(code),
        label_column="short_name",
        sample=tables.sample,
        lang=lang,
    )


@reads(REGISTRY)
def locator_figure(tables: Tables, code: str, *, lang: str = "zh") -> Figure | None:
    """:func:`locator_drawing`, drawn."""
    return drawn(locator_drawing(tables, code, lang=lang))
