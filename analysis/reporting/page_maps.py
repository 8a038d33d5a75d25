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
from analysis.core.aggregate import LEVELS, aggregate_area
from analysis.core.catalog import Indicator, default_catalog
from analysis.core.labels import indicator_name, label, unit_header
from analysis.geo import maps
from analysis.geo.layers import area_mu, to_measure
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


def town_shapes(tables: Tables) -> gpd.GeoDataFrame | None:
    """Town polygons, dissolved from the village polygons, once for the page's maps (shared:
    don't change them); None without village geometry."""
    if not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    return tables.derived("town_shapes", _town_shapes)


def _town_shapes(tables: Tables) -> gpd.GeoDataFrame:
    villages = tables.villages.assign(town_code=_town_of(tables.villages["code"]))
    towns = villages.dissolve(by="town_code", as_index=False)[["town_code", "geometry"]]
    names = tables.towns().set_index("code")["name"]
    return towns.assign(code=towns["town_code"], name=towns["town_code"].map(names))


def _measured_town_shapes(tables: Tables) -> gpd.GeoDataFrame:
    """:func:`town_shapes` in the measuring CRS, dissolved from the measured villages: what
    every village locator of a county draws around its town, projected once."""
    villages = tables.measured_villages()
    towns = villages.assign(code=_town_of(villages["code"])).dissolve(by="code", as_index=False)
    names = tables.towns().set_index("code")["name"]
    return towns[["code", "geometry"]].assign(name=towns["code"].map(names))


def by_town(tables: Tables) -> bool:
    """Whether the tables are a county's, whose maps are drawn by town (town polygons, town
    names): several towns, not limited to one."""
    return tables.scope is None and _town_of(tables.villages["code"]).nunique() > 1


def _town_of(codes: pd.Series) -> pd.Series:
    return codes.astype(str).str[: LEVELS["town"]]


def town_bases(bases: gpd.GeoDataFrame, towns: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The industry bases of each town as one point of each kind, its area the town's total
    (亩), at a point inside the town: greenhouses left of it, orange belts right of it."""
    measured = to_measure(bases)
    sizes = measured["area_mu"] if "area_mu" in measured.columns else area_mu(measured)
    town_m = to_measure(towns)
    found = gpd.sjoin(
        gpd.GeoDataFrame(
            {"kind": measured["kind"].to_numpy(), "area_mu": sizes.to_numpy()},
            geometry=measured.geometry.representative_point().to_numpy(),
            crs=measured.crs,
        ),
        town_m[["code", "geometry"]],
        predicate="within",
    )
    totals = found.groupby(["code", "kind"], as_index=False)["area_mu"].sum()
    anchor = town_m.set_index("code").geometry.representative_point()
    width = town_m.set_index("code").geometry.bounds
    shift = (width["maxx"] - width["minx"]) / 8
    side = totals["kind"].map({"greenhouse": -1.0, "orange": 1.0}).fillna(0.0).to_numpy()
    x = anchor.loc[totals["code"]].x.to_numpy() + side * shift.loc[totals["code"]].to_numpy()
    y = anchor.loc[totals["code"]].y.to_numpy()
    return gpd.GeoDataFrame(totals, geometry=gpd.points_from_xy(x, y), crs=town_m.crs)


@reads(LAYERS, REGISTRY)
def corridor_drawing(
    tables: Tables, *, width_km: float = 2.0, lang: str = "zh"
) -> MapDrawing | None:
    """The G357 corridor map of the township, or None where the layers are missing."""
    road, bases = tables.layer("g357"), tables.layer("industry_bases")
    if road is None or bases is None or not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    shapes, names = tables.villages, "short_name"
    if by_town(tables):
        shapes, names = town_shapes(tables), "name"
        bases = town_bases(bases, shapes)
    return MapDrawing.of(
        maps.corridor_map,
        shapes,
        road,
        bases,
        width_km=width_km,
        label_column=names,
        source=label("chart.villages_source", lang),
        sample=tables.sample,
        lang=lang,
        label_fit=names == "short_name",
    )


@reads(LAYERS, REGISTRY)
def corridor_figure(tables: Tables, *, width_km: float = 2.0, lang: str = "zh") -> Figure | None:
    """:func:`corridor_drawing`, drawn."""
    return drawn(corridor_drawing(tables, width_km=width_km, lang=lang))


@reads(VILLAGE_ROWS)
def toilets_per_100_households(tables: Tables, year: int, *, towns: bool = False) -> pd.Series:
    """Household toilets upgraded up to ``year`` per 100 households, by village code (by town
    code with ``towns``: the town's toilets per 100 of its households)."""
    rows = tables.indicators[tables.indicators["year"] <= year]
    key = _town_of(rows["village_code"]) if towns else rows["village_code"]
    upgraded = rows[rows["indicator"] == "toilets_upgraded"].groupby(key)["value"].sum()
    current = rows[(rows["indicator"] == "households") & (rows["year"] == year)]
    households = current.groupby(key[current.index])["value"].sum()
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
    towns = by_town(tables)
    shapes = town_shapes(tables) if towns else tables.villages
    shapes = shapes.merge(
        toilets_per_100_households(tables, year, towns=towns),
        left_on="code",
        right_index=True,
        how="left",
    )
    return MapDrawing.of(
        maps.sanitation_map,
        shapes,
        "toilets_per_100",
        shown_points(points, year),
        point_labels=point_labels(tables, points, year, lang=lang),
        title=label("map.sanitation_year", lang, year=year),
        legend_title=label("map.toilets_to_date", lang),
        label_column="name" if towns else "short_name",
        source=label("chart.villages_source", lang),
        sample=tables.sample,
        lang=lang,
        label_fit=not towns,
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
    """卫生厕所普及率 by village in ``year`` (by town in a county), with the target of the
    place whose target it is in the legend and the classes split at it (classes from the
    data's range where there is no target); None without village geometry."""
    if not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    ind = default_catalog()[SANITARY_RATE]
    rows = tables.indicators[tables.indicators["year"] == year]
    towns = by_town(tables)
    if towns:
        keyed = rows.assign(code=_town_of(rows["village_code"]))
        figures = aggregate_area(keyed, by=("code", "year"), weights=rows)
        rates = figures[figures["indicator"] == SANITARY_RATE].set_index("code")["value"]
        shapes = town_shapes(tables)
    else:
        rates = rows[rows["indicator"] == SANITARY_RATE].groupby("village_code")["value"].mean()
        shapes = tables.villages
    legend_title = label(
        "map.heading", lang, title=indicator_name(ind, lang), unit=unit_header(ind.unit, lang)
    )
    # The place's own target: a town's ("township" in its tables) or, mapped by town, the
    # county's (its code the first digits of its villages').
    scopes = {"township"}
    if towns:
        scopes |= set(tables.villages["code"].astype(str).str[: LEVELS["county"]])
    targets = tables.targets[
        (tables.targets["indicator"] == SANITARY_RATE)
        & tables.targets["scope"].astype(str).isin(scopes)
    ]
    legend_title, target = with_target(legend_title, targets, ind, first_scope_name, lang)
    return MapDrawing.of(
        maps.choropleth,
        shapes.assign(rate=shapes["code"].astype(str).map(rates)),
        "rate",
        scheme=maps.DATA_SCHEME,
        title=label(
            "map.sanitary_rate_towns" if towns else "map.sanitary_rate_year", lang, year=year
        ),
        legend_title=legend_title,
        label_column="name" if towns else "short_name",
        source=label("chart.villages_source", lang),
        sample=tables.sample,
        cmap="YlGn",
        lang=lang,
        label_fit=not towns,
        target=target,
        higher_is_better=ind.direction != "lower",
    )


@reads(VILLAGE_ROWS, TARGETS, REGISTRY)
def sanitary_rate_figure(tables: Tables, year: int, *, lang: str = "zh") -> Figure | None:
    """:func:`sanitary_rate_drawing`, drawn."""
    return drawn(sanitary_rate_drawing(tables, year, lang=lang))


def first_scope_name(targets: pd.DataFrame) -> str:
    """The name of the first target's scope, as the targets file gives it."""
    return str(targets.iloc[0]["scope_name"])


def with_target(
    legend_title: str,
    targets: pd.DataFrame,
    ind: Indicator,
    place: Callable[[pd.DataFrame], str],
    lang: str,
) -> tuple[str, float | None]:
    """A map legend's title with the first of ``targets`` under it (its place named by
    ``place``), and that target's value, for classes split at it; the title alone and None
    where there is no target."""
    if not len(targets):
        return legend_title, None
    first = targets.iloc[0]
    note = label(
        "map.target_note",
        lang,
        place=place(targets),
        year=int(first["target_year"]),
        target=numbers.figure(first["target_value"], ind, lang),
    )
    return f"{legend_title}\n{note}", float(first["target_value"])


@reads(REGISTRY)
def locator_drawing(tables: Tables, code: str, *, lang: str = "zh") -> MapDrawing | None:
    """The village highlighted in its own town, the neighbouring towns around it (where the
    tables hold more than one town: give a village page's locator the whole data set's)."""
    if tables.measured_villages() is None:
        return None
    town = str(code)[: LEVELS["town"]]
    # The same for every village of the town: found once for a worker's pages of it.
    villages, neighbours = tables.derived(f"locator:{town}", lambda t: _locator_layers(t, town))
    return MapDrawing.of(
        maps.locator_map,
        villages,
        str(code),
        neighbours=neighbours,
        label_column="short_name",
        sample=tables.sample,
        lang=lang,
    )


def _locator_layers(tables: Tables, town: str) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame | None]:
    """What a locator of a village of ``town`` draws: the town's villages, and the towns
    around it where the tables hold several (None where they do not)."""
    villages = tables.measured_villages()
    if _town_of(villages["code"]).nunique() <= 1:
        return villages, None
    neighbours = None
    towns = tables.derived("measured_town_shapes", _measured_town_shapes)
    own = towns.loc[towns["code"] == town, "geometry"]
    if len(own):
        # Dissolved from the same villages, neighbours share their boundary exactly.
        near = towns.geometry.intersects(own.iloc[0])
        neighbours = towns.loc[near & (towns["code"] != town), ["code", "name", "geometry"]]
    return villages[_town_of(villages["code"]) == town], neighbours


@reads(REGISTRY)
def locator_figure(tables: Tables, code: str, *, lang: str = "zh") -> Figure | None:
    """:func:`locator_drawing`, drawn."""
    return drawn(locator_drawing(tables, code, lang=lang))
