"""Interactive exploration for JupyterLab (the explore notebook, the analyst's workbench):
the explorer page's own charts (:mod:`analysis.reporting.explorer`'s Vega-Lite specs) for any
place, ranked lists and outliers of a year, and widgets for village, indicator and year driving
a matplotlib trend and map.

Everything draws locally: JupyterLab renders Vega-Lite itself (:func:`offline_charts` makes
altair hand it the spec rather than HTML that loads a script from the network); the words are
:mod:`analysis.core.labels`'.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from analysis import config
from analysis.core import numbers
from analysis.core.aggregate import LEVELS
from analysis.core.catalog import Catalog, default_catalog
from analysis.core.labels import glossed, indicator_label, indicator_name, label, unit_header
from analysis.core.style import COLORS, use_house_style
from analysis.errors import ParameterError
from analysis.geo import classes, maps
from analysis.pipeline.store import Tables
from analysis.reporting import explorer as site

#: The most places a chart compares, as on the explorer page.
MAX_PLACES = 8
#: A value this many robust standard deviations (1.4826 × MAD) from its peers' median is an
#: outlier (Iglewicz and Hoaglin's 3.5).
OUTLIER_Z = 3.5
MAD_TO_SD = 1.4826


#: The Vega-Lite display type JupyterLab 4 draws itself (its vega5 extension): altair 6 writes
#: another, which JupyterLab does not know and nbformat refuses as a notebook output.
JUPYTERLAB_VEGALITE = "application/vnd.vegalite.v5+json"
VEGALITE_V5_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def jupyterlab_bundle(spec: dict, **_options: object) -> dict:
    """A chart's display bundle: the spec for JupyterLab to draw, and its title as text."""
    shown = {**spec, "$schema": VEGALITE_V5_SCHEMA}
    return {JUPYTERLAB_VEGALITE: shown, "text/plain": str(spec.get("title", "chart"))}


def offline_charts() -> None:
    """Let altair hand JupyterLab the Vega-Lite spec itself (which JupyterLab draws with no
    network), not HTML that would fetch vega from a CDN."""
    import altair as alt

    alt.renderers.register("minsheng", jupyterlab_bundle)
    alt.renderers.enable("minsheng")


def _places(tables: Tables, place: str | None) -> list[str]:
    """The place and the units within it (a county's towns, a town's villages), at most
    :data:`MAX_PLACES` in all; the whole data set's place where ``place`` is None."""
    units = tables.aggregates.drop_duplicates("code")[["level", "code"]]
    codes = units["code"].astype(str).tolist()
    place = str(place) if place is not None else site.top_place(units)
    if place not in codes:
        raise ParameterError(glossed("explore.unknown_place", "zh", sep=" / ", code=place))
    within = [c for c in codes if c != place and c.startswith(place)]
    width = min((len(c) for c in within), default=0)
    return [place, *[c for c in within if len(c) == width]][:MAX_PLACES]


def trend(tables: Tables, indicator: str, place: str | None = None, *, lang: str = "zh"):
    """The explorer's chart of ``indicator`` for ``place`` and the units within it (up to
    eight in all): the same Vega-Lite spec the page draws, with its target and band."""
    ind = default_catalog()[indicator]
    codes = _places(tables, place)
    rows = tables.aggregates[
        tables.aggregates["code"].isin(codes) & (tables.aggregates["indicator"] == indicator)
    ]
    shown = site.shown_values(rows["value"].to_numpy(dtype=float), ind)
    unit = unit_header(ind.unit, lang)
    series = [
        {
            "place": name,
            "year": int(year),
            "value": float(value),
            "text": f"{numbers.number(value, ind, context='column')} {unit}",
        }
        for name, year, value in zip(rows["name"], rows["year"], shown, strict=True)
        if value == value
    ]
    names = dict(zip(rows["code"], rows["name"], strict=False))
    band, target = _band_and_target(tables, indicator, codes, names, lang)
    chart = site.with_data(site.trend_chart(lang), series=series, band=band, target=target)
    lines = next(layer for layer in chart.layer if layer.data.name == "series")
    lines.encoding.y.title = unit
    return chart.properties(title=indicator_name(ind, lang))


def _band_and_target(
    tables: Tables, indicator: str, codes: list[str], names: dict, lang: str
) -> tuple[list[dict], list[dict]]:
    paths = tables.projection_paths
    if paths.empty:
        return [], []
    scope = paths["scope"].astype(str)
    if len(tables.towns()) == 1:
        scope = scope.replace("township", str(tables.towns()["code"].iloc[0]))
    found = site.target_paths(paths.assign(scope=scope), set(codes), default_catalog())
    found = found.get(indicator, {})
    ind = default_catalog()[indicator]
    band, target = [], []
    for code in codes:
        path = found.get(code)
        if path is None:
            continue
        band += [
            {"place": names[code], "year": y, "lower": lo, "upper": hi}
            for y, lo, hi in path["band"]
        ]
        if path["target"] is not None:
            number = numbers.number(path["target"], ind, context="column")
            text = f"{path['targetYear']} {number} {unit_header(ind.unit, lang)}"
            target.append({"place": names[code], "target": path["target"], "text": text})
    return band, target


def village_map(tables: Tables, indicator: str, year: int, *, lang: str = "zh"):
    """The explorer's map: ``indicator`` in ``year`` by village, in the print maps' classes."""
    if not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    ind = default_catalog()[indicator]
    rows = tables.frame(indicator=indicator, level="village", years=[year])
    shown = dict(
        zip(rows["code"], site.shown_values(rows["value"].to_numpy(float), ind), strict=True)
    )
    features = site.features(tables.villages)
    names = dict(zip(tables.villages["code"], tables.villages["name"], strict=True))
    for feature in features:
        code = feature["properties"]["code"]
        value = shown.get(code, float("nan"))
        present = value == value
        feature["properties"].update(
            name=names[code],
            value=float(value) if present else None,
            text=numbers.number(value, ind, context="column") if present else numbers.MISSING,
        )
    _, edges = classes.data_classes(
        [f["properties"]["value"] or float("nan") for f in features],
        k=site.MAP_CLASSES,
        decimals=numbers.decimals(ind),
    )
    chart = site.with_classes(site.map_chart(lang), edges, numbers.decimals(ind))
    chart = site.with_data(chart, shapes=features)
    return chart.properties(
        title=label("chart.year_indicator", lang, year=year, indicator=indicator_name(ind, lang))
    )


def ranked(
    tables: Tables, indicator: str, year: int, *, level: str = "village", lang: str = "zh"
) -> pd.DataFrame:
    """The places of ``level`` ranked by ``indicator`` in ``year``, best first (by the
    indicator's direction), each figure as the pages write it."""
    ind = default_catalog()[indicator]
    rows = tables.frame(indicator=indicator, level=level, years=[year]).dropna(subset=["value"])
    rows = rows.sort_values("value", ascending=not ind.higher_is_better, kind="stable")
    return pd.DataFrame(
        {
            label("column.code", lang): rows["code"].to_numpy(),
            label("explore.name", lang): rows["name"].to_numpy(),
            indicator_label(ind, lang): [
                numbers.number(v, ind, lang, context="column") for v in rows["value"]
            ],
        },
        index=pd.RangeIndex(1, len(rows) + 1, name=label("explore.rank", lang)),
    )


def outliers(tables: Tables, indicator: str, year: int, *, lang: str = "zh") -> pd.DataFrame:
    """The villages whose ``indicator`` in ``year`` lies far from their town's villages:
    more than :data:`OUTLIER_Z` robust standard deviations from the town's median."""
    ind = default_catalog()[indicator]
    rows = tables.frame(indicator=indicator, level="village", years=[year]).dropna(subset=["value"])
    town = rows["code"].str[: LEVELS["town"]]
    median = rows.groupby(town)["value"].transform("median")
    spread = (rows["value"] - median).abs().groupby(town).transform("median") * MAD_TO_SD
    z = (rows["value"] - median) / spread.where(spread > 0)
    far = rows.assign(median=median, z=z)[z.abs() > OUTLIER_Z].sort_values(
        "z", key=abs, ascending=False
    )
    return pd.DataFrame(
        {
            label("column.code", lang): far["code"].to_numpy(),
            label("explore.name", lang): far["name"].to_numpy(),
            indicator_label(ind, lang): [
                numbers.number(v, ind, lang, context="column") for v in far["value"]
            ],
            label("explore.town_median", lang): [
                numbers.number(v, ind, lang, context="column") for v in far["median"]
            ],
            label("explore.robust_z", lang): far["z"].round(1).to_numpy(),
        }
    )


def trend_figure(
    tables: Tables,
    code: str,
    indicator: str,
    *,
    catalog: Catalog | None = None,
    lang: str = "zh",
) -> Figure:
    """One indicator over the years for a village beside the township (rates) or its share."""
    use_house_style()
    catalog = catalog or default_catalog()
    ind = catalog[indicator]
    rows = tables.indicators
    village = rows[(rows["village_code"] == code) & (rows["indicator"] == indicator)].sort_values(
        "year"
    )
    town = tables.area[tables.area["indicator"] == indicator].sort_values("year")
    name = str(tables.village(code)["name"])
    fig = Figure(figsize=(6.5, 3.6))
    ax = fig.add_subplot()
    ax.plot(village["year"], village["value"], marker="o", color=COLORS["highlight"], label=name)
    if ind.kind == "rate":
        area = label("chart.township", lang)
        ax.plot(town["year"], town["value"], marker="s", color=COLORS["muted"], label=area)
    ax.set_title(
        label("chart.village_indicator", lang, name=name, indicator=indicator_name(ind, lang))
    )
    ax.set_ylabel(unit_header(ind.unit, lang))
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend()
    return fig


def map_figure(
    tables: Tables, indicator: str, year: int, code: str | None = None, *, lang: str = "zh"
) -> Figure | None:
    """The chosen indicator by village for ``year``, the chosen village outlined."""
    if not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    ind = default_catalog()[indicator]
    rows = tables.indicators
    values = rows[(rows["indicator"] == indicator) & (rows["year"] == year)].set_index(
        "village_code"
    )["value"]
    layer = tables.villages.merge(
        values.rename("value"), left_on="code", right_index=True, how="left"
    )
    fig = maps.choropleth(
        layer,
        "value",
        k=min(5, max(2, int(layer["value"].nunique()))),
        title=label("chart.year_indicator", lang, year=year, indicator=indicator_name(ind, lang)),
        unit=ind.unit,
        label_column="short_name",
        sample=tables.sample,
        lang=lang,
    )
    if code is not None:
        # maps draw in the measuring CRS; outline the village in the same coordinates.
        chosen = layer[layer["code"] == code].to_crs(config.MEASURE_CRS)
        chosen.boundary.plot(ax=fig.axes[0], color=COLORS["road"], linewidth=2.5)
    return fig


def explorer(tables: Tables, *, lang: str = "zh"):
    """A widget panel: pick a village, an indicator and a year; see its trend and map."""
    import ipywidgets as widgets
    from IPython.display import display

    catalog = default_catalog()
    present = set(tables.indicators["indicator"].unique())
    years = sorted(int(y) for y in tables.indicators["year"].unique())
    village = widgets.Dropdown(
        options=[
            (label("explore.option", lang, name=n, code=c), c)
            for c, n in zip(tables.villages["code"], tables.villages["name"], strict=True)
        ],
        description=label("explore.village", lang),
    )
    indicator = widgets.Dropdown(
        options=[(indicator_label(i, lang), i.id) for i in catalog if i.id in present],
        description=label("explore.indicator", lang),
    )
    year = widgets.SelectionSlider(
        options=years, value=years[-1], description=label("explore.year", lang)
    )
    output = widgets.Output()

    def redraw(_change=None) -> None:
        output.clear_output(wait=True)
        with output:
            for fig in (
                trend_figure(tables, village.value, indicator.value, lang=lang),
                map_figure(tables, indicator.value, year.value, village.value, lang=lang),
            ):
                if fig is not None:
                    display(fig)

    for control in (village, indicator, year):
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([widgets.HBox([village, indicator, year]), output])


def indicator_table(tables: Tables, indicator: str, year: int, *, lang: str = "zh") -> pd.DataFrame:
    """Every village's value of one indicator in one year, largest first."""
    ind = default_catalog()[indicator]
    rows = tables.indicators
    chosen = rows[(rows["indicator"] == indicator) & (rows["year"] == year)]
    chosen = chosen.sort_values("value", ascending=False, kind="stable")
    names = dict(zip(tables.villages["code"], tables.villages["name"], strict=True))
    return pd.DataFrame(
        {
            label("explore.village", lang): chosen["village_code"].map(names).to_numpy(),
            indicator_label(ind, lang): [
                numbers.number(v, ind, lang, context="column") for v in chosen["value"]
            ],
        }
    )
