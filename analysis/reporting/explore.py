"""Interactive exploration for JupyterLab (the explore notebook): widgets for village,
indicator and year driving a trend chart and a map, and a table of one indicator by village.

Everything draws locally with matplotlib, so it works with no network; the words are
:mod:`analysis.core.labels`'.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from matplotlib.figure import Figure

from analysis import config
from analysis.core import numbers
from analysis.core.catalog import Catalog, default_catalog
from analysis.core.labels import indicator_label, indicator_name, label, unit_header
from analysis.core.style import COLORS, use_house_style
from analysis.geo import maps
from analysis.pipeline.store import Tables


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
    town = tables.township[tables.township["indicator"] == indicator].sort_values("year")
    name = str(tables.village(code)["name"])
    fig = Figure(figsize=(6.5, 3.6))
    ax = fig.add_subplot()
    ax.plot(village["year"], village["value"], marker="o", color=COLORS["highlight"], label=name)
    if ind.kind == "rate":
        township = label("chart.township", lang)
        ax.plot(town["year"], town["value"], marker="s", color=COLORS["muted"], label=township)
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
