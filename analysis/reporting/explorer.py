"""The explorer page, ``reports/<year>/explore.html``: any indicator for any place, as a chart,
a map or a table, its view in the URL, working from a folder opened with ``file://``.

The page is drawn by Vega-Lite (vendored in ``static/vendor/``, copied beside the page) from
the specs written here with altair: the notebook draws the same specs with the data filled in
(:func:`trend_chart`, :func:`map_chart`). The page's own script is ``static/explore.js``.

The data are compact JSON wrapped in small scripts that register themselves
(``MinshengExplore.register(name, data)``): a page opened from disk may load a script of its
folder under the pages' CSP (``script-src 'self'``), while Chromium refuses it a ``fetch`` of
a local JSON file. ``explore/data/index.js`` holds the catalog, every place's name and the
county's and towns' figures; each town's villages (figures, targets, shapes) are a file of
their own, loaded when a view needs them, so that a province of 17,000 villages loads one
town at a time.

Every figure is written as the pages write it in a table's column
(:func:`analysis.core.numbers.number`, ``context="column"``): rounded here, so that the page
only groups thousands and pads decimals (its ``formatNumber`` does what ``number`` does to a
rounded figure: tests/reporting/test_explorer.py compares them).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from analysis import config
from analysis.core import numbers
from analysis.core.aggregate import LEVELS, PENDING_REVIEW, VALUE_KEY, is_pending
from analysis.core.catalog import Catalog, Indicator, default_catalog
from analysis.core.labels import LANGS, indicator_label, indicator_name, label, unit_header
from analysis.geo.classes import class_colors, data_classes
from analysis.iorw import atomic_write_bytes, atomic_write_text
from analysis.pipeline import store
from analysis.reporting import publish
from analysis.version import code_fingerprint, fingerprint_files

if TYPE_CHECKING:  # altair takes seconds to import: a build reads the specs it wrote instead
    import altair as alt

PAGE = "explore.html"
#: The explorer's files beside the page: its script, the vendored library and the data.
FOLDER = "explore"
STATIC = Path(__file__).parent / "static"
VENDOR = STATIC / "vendor"
#: The vendored scripts in the order the page loads them (vega-interpreter needs vega).
VENDOR_SCRIPTS = ("vega.min.js", "vega-lite.min.js", "vega-embed.min.js", "vega-interpreter.min.js")
SCRIPT = "explore.js"
#: The indicator a first view shows where the data have it; else the catalog's first.
DEFAULT_INDICATOR = "medical_insurance_rate"
#: The print maps' colours (analysis/reporting/page_maps.py) and their number of classes.
MAP_CMAP = "YlGn"
MAP_CLASSES = 5
NO_DATA_COLOR = "#e5e5e5"
#: Metres of simplification of the shapes drawn on the map (in the measuring CRS), and the
#: decimals of a degree kept (1e-5° ≈ 1 m).
SIMPLIFY_M = 30.0
DEGREE_DECIMALS = 5
#: The words the page's script writes (the page's own markup is written here).
SCRIPT_WORDS = (
    "review.marked",
    "explore.remove",
    "explore.target",
    "explore.projection",
    "explore.no_data",
    "explore.too_many",
    "explore.not_found",
    "explore.loading",
    "explore.code",
    "explore.name",
    "explore.level",
    "explore.year",
    "explore.value",
    "explore.pending_count",
    "explore.pending_years",
    "places.county",
    "places.town",
    "places.village",
    "places.prefecture",
)


# --- the specs ---------------------------------------------------------------------------------


def trend_chart(lang: str = "zh") -> alt.LayerChart:
    """One indicator over the years for the places chosen: a line each, the projection band
    and the target where there are some. Its data are the named datasets ``series`` (place,
    year, value, text), ``band`` (place, year, lower, upper) and ``target`` (place, target,
    text); :func:`with_data` fills them, and the page does the same."""
    import altair as alt

    x = alt.X("year:O", title=label("explore.year", lang), axis=alt.Axis(labelAngle=0))
    # The places in the order chosen; the lines come first, so that the legend is theirs.
    legend = alt.Legend(orient="bottom", columns=2, symbolType="stroke", symbolStrokeWidth=3)
    place = alt.Color("place:N", title=None, sort=None, legend=legend)
    band = (
        alt.Chart(alt.NamedData("band"))
        .mark_area(opacity=0.18)
        .encode(x=x, y="lower:Q", y2="upper:Q", color=place)
    )
    lines = (
        alt.Chart(alt.NamedData("series"))
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("value:Q", title="", scale=alt.Scale(zero=False)),
            color=place,
            tooltip=[
                alt.Tooltip("place:N", title=label("explore.name", lang)),
                alt.Tooltip("year:O", title=label("explore.year", lang)),
                alt.Tooltip("text:N", title=label("explore.value", lang)),
            ],
        )
    )
    target = (
        alt.Chart(alt.NamedData("target"))
        .mark_rule(strokeDash=[6, 4])
        .encode(
            y="target:Q",
            color=place,
            tooltip=[
                alt.Tooltip("place:N", title=label("explore.name", lang)),
                alt.Tooltip("text:N", title=label("explore.target", lang)),
            ],
        )
    )
    return alt.layer(lines, band, target).properties(width="container", height=320)


def map_chart(lang: str = "zh") -> alt.Chart:
    """The values of a year by place on the map, in the print maps' classes: its data are
    the named dataset ``shapes`` (GeoJSON features whose properties hold name, value and
    text); the class bounds and colours are set with :func:`with_classes`."""
    import altair as alt

    return (
        alt.Chart(alt.NamedData("shapes"))
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.6)
        .encode(
            color=alt.condition(
                "datum.properties.value == null",
                alt.value(NO_DATA_COLOR),
                alt.Color(
                    "properties.value:Q",
                    title="",
                    scale=alt.Scale(type="threshold", domain=[0], range=["#000", "#fff"]),
                    legend=alt.Legend(orient="bottom"),
                ),
            ),
            tooltip=[
                alt.Tooltip("properties.name:N", title=label("explore.name", lang)),
                alt.Tooltip("properties.text:N", title=label("explore.value", lang)),
            ],
        )
        .project("mercator")
        .properties(width="container", height=420)
    )


#: The specs as the page receives them, in each language (:func:`page_specs`), written by
#: ``make vendor`` from the functions above; tests/reporting/test_explorer.py holds them equal.
SPECS = STATIC / "specs.json"


def written_specs() -> dict:
    """Language → the page's specs, from the functions above (what :data:`SPECS` holds)."""
    return {
        lang: {"trend": template(trend_chart(lang)), "map": template(map_chart(lang))}
        for lang in LANGS
    }


@functools.cache
def page_specs(lang: str) -> dict:
    """The page's specs in ``lang``, as :data:`SPECS` holds them."""
    return json.loads(SPECS.read_text(encoding="utf-8"))[lang]


def template(chart: alt.TopLevelMixin) -> dict:
    """The spec as the page receives it: no data, no theme config of altair's own."""
    spec = chart.to_dict(validate=True)
    spec.pop("config", None)
    return spec


def with_data(chart: alt.TopLevelMixin, **datasets: Sequence[Mapping]) -> alt.TopLevelMixin:
    """``chart`` with its named datasets filled (the notebook's way of drawing a spec)."""
    filled = chart.copy()
    filled.datasets = {name: list(rows) for name, rows in datasets.items()}
    return filled


def with_classes(chart: alt.Chart, edges: Sequence[float], decimals: int) -> alt.Chart:
    """The map ``chart`` coloured by the class ``edges`` (lowest, then each upper bound)."""
    import altair as alt

    spec = template(chart)
    inner = list(edges[1:-1])
    color = spec["encoding"]["color"]
    field = {k: v for k, v in color.items() if k not in ("condition", "value")}
    field["scale"] = {"type": "threshold", "domain": inner, "range": map_colors(len(inner) + 1)}
    field["legend"] = {"orient": "bottom", "format": f",.{decimals}f"}
    spec["encoding"]["color"] = {"condition": color["condition"], **field}
    return alt.Chart.from_dict(spec)


def map_colors(n: int) -> list[str]:
    """The print maps' class colours, as CSS."""
    return [to_hex(c) for c in class_colors(MAP_CMAP, n)]


# --- the data ----------------------------------------------------------------------------------


def shown_value(value: float | None, ind: Indicator) -> float | None:
    """The figure as a table's column shows it, as a number (86.25 → 86.2), or None."""
    text = numbers.number(value, ind, context="column")
    return None if text == numbers.MISSING else float(text.replace(",", ""))


def shown_values(values: Sequence[float], ind: Indicator) -> np.ndarray:
    """:func:`shown_value` of many figures at once (NaN where missing): the same rounding,
    :func:`analysis.core.numbers.number`'s, without its grouping (tests hold them equal)."""
    places = numbers.decimals(ind)
    # + 0.0 makes -0.0 plain 0.0, as number() writes "0.0" for -0.04.
    return np.array(
        [float(f"{v:.{places}f}") + 0.0 if math.isfinite(v) else np.nan for v in values],
        dtype=float,
    )


def _with_shown(rows: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """``rows`` (indicator, value) with the column ``shown``: each value as pages show it."""
    shown = pd.Series(np.nan, index=rows.index)
    for indicator, group in rows.groupby("indicator", sort=False):
        shown[group.index] = shown_values(group["value"].to_numpy(dtype=float), catalog[indicator])
    return rows.assign(shown=shown)


def _listed(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


def _series(rows: pd.DataFrame, years: Sequence[int]) -> dict:
    """indicator → code → [the shown value of each year, None where missing]."""
    out: dict[str, dict[str, list]] = {}
    if rows.empty:
        return out
    wide = rows.pivot_table(
        index=["indicator", "code"], columns="year", values="shown", aggfunc="first", dropna=False
    ).reindex(columns=list(years))
    for (indicator, code), values in zip(wide.index, wide.to_numpy(), strict=True):
        if np.isnan(values).all():
            continue
        out.setdefault(str(indicator), {})[str(code)] = [_listed(v) for v in values]
    return out


def _pending_series(rows: pd.DataFrame, years: Sequence[int]) -> dict:
    """indicator → code → [how many village values pending review each year's figure counts]:
    only the places with one, beside :func:`_series`'s values; none where ``rows`` has no
    count."""
    if PENDING_REVIEW not in rows.columns:
        return {}
    counted = rows[rows[PENDING_REVIEW] > 0]
    out: dict[str, dict[str, list]] = {}
    for (indicator, code), mine in counted.groupby(["indicator", "code"], sort=True):
        counts = dict(zip(mine["year"].astype(int), mine[PENDING_REVIEW].astype(int), strict=True))
        out.setdefault(str(indicator), {})[str(code)] = [counts.get(int(y), 0) for y in years]
    return out


def pending_counts(tables: store.Tables) -> pd.DataFrame:
    """The tables' ``aggregates`` with the column :data:`PENDING_REVIEW` as
    :func:`~analysis.pipeline.store.load_tables` gives it (a town's, county's or prefecture's
    figure as ``pending_review.parquet`` counts), and a village's value 1 where the review
    flagged it and no 核实说明 confirms it, or a former unit's flagged value is among those
    it is restated from (``restated.parquet``'s sources)."""
    counted = tables.aggregates
    if PENDING_REVIEW not in counted.columns:
        counted = store.with_pending(counted, pd.DataFrame())
    review = tables.review
    if not len(review):
        return counted
    keys = restated_keys(review.loc[~review["confirmed"].astype(bool), VALUE_KEY], tables.restated)
    village = counted["level"] == "village"
    flagged = is_pending(counted[village].rename(columns={"code": "village_code"}), keys)
    counts = counted[PENDING_REVIEW].copy()
    counts[village] = flagged.astype("int64").to_numpy()
    return counted.assign(**{PENDING_REVIEW: counts})


def restated_keys(keys: pd.DataFrame, restated: pd.DataFrame) -> pd.DataFrame:
    """``keys`` (``village_code``, ``year``, ``indicator``: values pending review as reported)
    with every value of today made from one of them (``restated``: each restated value and the
    units it was made of, ``;``-joined in ``sources``)."""
    if restated.empty or keys.empty:
        return keys
    parts = restated.assign(source=restated["sources"].astype(str).str.split(";")).explode("source")
    made = parts[["village_code", "year", "indicator", "source"]].astype(
        {"village_code": str, "year": "int64", "indicator": str, "source": str}
    )
    wanted = keys.astype({"village_code": str, "year": "int64", "indicator": str})
    carried = made.merge(
        wanted.rename(columns={"village_code": "source"}), on=["source", "year", "indicator"]
    )
    return pd.concat([wanted, carried[VALUE_KEY]], ignore_index=True).drop_duplicates(
        ignore_index=True
    )


def target_paths(paths: pd.DataFrame, codes: set[str], catalog: Catalog) -> dict:
    """indicator → code → the target and projection band its target page draws."""
    out: dict[str, dict[str, dict]] = {}
    if paths.empty:
        return out
    chosen = paths[paths["scope"].isin(codes) & paths["indicator"].isin([i.id for i in catalog])]
    columns = ["indicator", "scope", "target_year", "target", "year", "observed"]
    groups: dict[tuple[str, str], list] = {}
    for row in chosen[[*columns, "projected", "lower", "upper"]].itertuples(index=False):
        groups.setdefault((str(row.indicator), str(row.scope)), []).append(row)
    for (indicator, code), rows in sorted(groups.items()):
        ind = catalog[indicator]
        # A place with targets of two scopes (its own and its county's) draws its own first.
        first = rows[0]
        rows = [r for r in rows if r.target_year == first.target_year and r.target == first.target]
        ahead: dict[int, tuple[float, float]] = {}
        for r in sorted(rows, key=lambda r: r.year):
            if not math.isnan(r.projected):
                ahead.setdefault(int(r.year), (r.lower, r.upper))
        band = sorted(ahead.items())
        seen = [r for r in rows if not math.isnan(r.observed) and ahead and r.year < min(ahead)]
        if seen:
            # The band opens from the last figure observed, as the target pages' fan does.
            last = max(seen, key=lambda r: r.year)
            band.insert(0, (int(last.year), (last.observed, last.observed)))
        out.setdefault(indicator, {})[code] = {
            "target": shown_value(first.target, ind),
            "targetYear": int(first.target_year),
            "band": [[y, shown_value(lo, ind), shown_value(hi, ind)] for y, (lo, hi) in band],
        }
    return out


def _within(by_indicator: dict, codes: set[str]) -> dict:
    """``by_indicator`` (indicator → code → …) limited to ``codes``."""
    out = {}
    for indicator, by_code in by_indicator.items():
        mine = {code: value for code, value in by_code.items() if code in codes}
        if mine:
            out[indicator] = mine
    return out


def _classes(rows: pd.DataFrame, year: int, catalog: Catalog) -> dict:
    """indicator → the class edges the print maps' rule gives the places of ``rows`` in the
    report ``year`` (the print maps' own): kept while the slider moves the year, so that a
    colour means the same in every year."""
    out: dict[str, list[float]] = {}
    for indicator, group in rows[rows["year"] == year].groupby("indicator", sort=True):
        decimals = numbers.decimals(catalog[indicator])
        # Classed as shown (a town's sum may carry float noise past its decimals).
        shown = group["shown"].to_numpy(dtype=float)
        _, edges = data_classes(shown, k=MAP_CLASSES, decimals=decimals)
        out[str(indicator)] = [float(e) for e in edges]
    return out


def features(shapes: gpd.GeoDataFrame) -> list[dict]:
    """GeoJSON features (code in properties), simplified and in degrees."""
    if shapes.empty:
        return []
    measured = shapes.to_crs(config.MEASURE_CRS).simplify(SIMPLIFY_M)
    degrees = gpd.GeoSeries(measured, crs=config.MEASURE_CRS).to_crs(4326)
    degrees = degrees.set_precision(10.0**-DEGREE_DECIMALS)
    geojson = json.loads(degrees.to_json())
    return [
        {"type": "Feature", "properties": {"code": str(code)}, "geometry": f["geometry"]}
        for code, f in zip(shapes["code"], geojson["features"], strict=True)
    ]


def town_file(code: str) -> str:
    return f"town-{publish.safe_filename(code)}.js"


@dataclass
class ExplorerData:
    """The page's data: the index (catalog, places, county and towns) and each town's villages."""

    index: dict
    towns: dict[str, dict]


def explorer_data(
    aggregates: pd.DataFrame,
    villages: pd.DataFrame,
    paths: pd.DataFrame,
    year: int,
    *,
    lang: str = "zh",
    catalog: Catalog | None = None,
) -> ExplorerData:
    """The explorer's data from the processed tables (``aggregates``: every level's figures,
    with the column :data:`PENDING_REVIEW` where the figures pending review are to be marked
    (:func:`pending_counts`); ``villages``: the registry, with shapes where there are some;
    ``paths``: the targets' projection paths)."""
    catalog = catalog or default_catalog()
    # Plain strings: grouping on pyarrow's takes most of the time here.
    aggregates = aggregates[aggregates["indicator"].isin([i.id for i in catalog])].astype(
        {"level": object, "code": object, "name": object, "indicator": object}
    )
    if not paths.empty:
        paths = paths.astype({"scope": object, "indicator": object})
    years = sorted(int(y) for y in aggregates["year"].unique())
    shown_year = int(year) if int(year) in years else years[-1]
    present = set(aggregates["indicator"])
    indicators = [i for i in catalog if i.id in present]
    units = aggregates.drop_duplicates("code")[["level", "code", "name"]]
    towns = units[units["level"] == "town"]["code"].astype(str).tolist()
    # A one-town data set's targets read 'township': they are its town's.
    if len(towns) == 1 and not paths.empty:
        paths = paths.assign(scope=paths["scope"].astype(str).replace("township", towns[0]))
    aggregates = _with_shown(aggregates, catalog)
    upper = aggregates[aggregates["level"] != "village"]
    every_path = target_paths(paths, set(aggregates["code"]), catalog)
    lower = aggregates[aggregates["level"] == "village"]
    places = [
        [str(code), str(name), str(level), _parent(str(code), str(level))]
        for level, code, name in units.itertuples(index=False)
    ]
    index = {
        "lang": lang,
        "year": shown_year,
        "years": years,
        "defaultIndicator": DEFAULT_INDICATOR if DEFAULT_INDICATOR in present else indicators[0].id,
        "top": top_place(units),
        "words": {key: label(key, lang) for key in SCRIPT_WORDS},
        "indicators": [
            {
                "id": i.id,
                "name": indicator_name(i, lang),
                "label": indicator_label(i, lang),
                "other": indicator_name(i, "en" if lang == "zh" else "zh"),
                "category": label(f"section.{i.category}", lang),
                "unit": unit_header(i.unit, lang),
                "decimals": numbers.decimals(i),
            }
            for i in indicators
        ],
        "places": places,
        "townFiles": {code: town_file(code) for code in towns},
        "values": _series(upper, years),
        "pending": _pending_series(upper, years),
        "paths": _within(every_path, set(upper["code"])),
        "classes": _classes(upper[upper["level"] == "town"], shown_year, catalog),
        "colors": {str(n): map_colors(n) for n in range(1, MAP_CLASSES + 1)},
        "noData": NO_DATA_COLOR,
        "charts": page_specs(lang),
        "shapes": [],
    }
    shaped = isinstance(villages, gpd.GeoDataFrame) and villages.geometry.notna().any()
    if shaped and len(towns) > 1:
        town_shapes = villages.assign(code=villages["code"].astype(str).str[: LEVELS["town"]])
        index["shapes"] = features(town_shapes.dissolve("code", as_index=False))
    by_town: dict[str, dict] = {}
    codes = lower["code"].astype(str)
    for town in towns:
        mine = lower[codes.str[: LEVELS["town"]] == town]
        own = villages[villages["code"].astype(str).str[: LEVELS["town"]] == town]
        by_town[town] = {
            "values": _series(mine, years),
            "pending": _pending_series(mine, years),
            "paths": _within(every_path, set(mine["code"])),
            "classes": _classes(mine, shown_year, catalog),
            "shapes": features(own) if shaped else [],
        }
    return ExplorerData(index, by_town)


def top_place(units: pd.DataFrame) -> str:
    """The code of the data set's place (``units``: level and code of each): its one town, else
    the widest place of its towns (the prefecture of several counties, else the county)."""
    towns = units[units["level"] == "town"]
    if len(towns) == 1:
        return str(towns["code"].iloc[0])
    for level in ("prefecture", "county", "town"):
        found = units[units["level"] == level]
        if len(found):
            return str(found.iloc[0]["code"])
    return str(units.iloc[0]["code"])


def _parent(code: str, level: str) -> str | None:
    """The code of the unit a place belongs to (a village's town, a town's county)."""
    widths = list(LEVELS.values())
    width = LEVELS.get(level, len(code))
    shorter = [w for w in widths if w < width]
    return code[: shorter[-1]] if shorter else None


# --- the page ----------------------------------------------------------------------------------


def script_text(name: str, payload: Mapping) -> str:
    """A data file: the JSON wrapped in a call that registers it with the page's script."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return f"MinshengExplore.register({json.dumps(name)},{body});\n"


def page_body(title: str, lang: str) -> str:
    """The page's markup: the pickers, the tabs and the panel the script fills."""

    def word(key: str) -> str:
        return escape(label(key, lang))

    tabs = "".join(
        f'<button type="button" role="tab" id="ex-tab-{tab}" aria-controls="ex-panel" '
        f'aria-selected="false" data-tab="{tab}">{word(f"explore.tab_{tab}")}</button>'
        for tab in ("chart", "map", "table")
    )
    downloads = "".join(
        f'<button type="button" data-download="{kind}">{word(f"explore.download_{kind}")}</button>'
        for kind in ("csv", "svg", "png")
    )
    return (
        f"<h1>{escape(title)}</h1>"
        f'<noscript><p class="failed">{word("explore.noscript")}</p></noscript>'
        '<div class="explore" id="explore" hidden>'
        '<div class="ex-controls">'
        f'<p><label for="ex-filter">{word("explore.filter")}</label> '
        '<input type="search" id="ex-filter" autocomplete="off"></p>'
        f'<p><label for="ex-indicator">{word("explore.indicator")}</label> '
        '<select id="ex-indicator"></select></p>'
        f'<p><label for="ex-place">{word("explore.place")}</label> '
        f'<input type="search" id="ex-place" list="ex-places" autocomplete="off" '
        f'placeholder="{word("explore.place_hint")}">'
        f'<button type="button" id="ex-add">{word("explore.add")}</button></p>'
        '<datalist id="ex-places"></datalist>'
        f'<ul id="ex-chosen" class="ex-chosen" aria-label="{word("explore.chosen")}"></ul>'
        "</div>"
        f'<div role="tablist" class="ex-tabs" aria-label="{word("explore.view")}">{tabs}</div>'
        '<p id="ex-year-box" hidden>'
        f'<label for="ex-year">{word("explore.year")}</label> '
        '<input type="range" id="ex-year" step="1"> <output id="ex-year-out" for="ex-year"></output></p>'
        '<div id="ex-panel" role="tabpanel" tabindex="0">'
        '<h2 id="ex-heading"></h2><div id="ex-view" class="ex-view"></div>'
        '<div id="ex-table" class="scroll" tabindex="0" hidden></div></div>'
        f'<p class="ex-downloads">{word("explore.download")} {downloads}</p>'
        '<p id="ex-status" role="status" aria-live="polite"></p>'
        "</div>"
    )


EXPLORE_CSS = """
.pending { border: 2px solid #b7950b; background: #fef9e7; color: #5d4a00; padding: .6rem 1rem; }
.ex-controls p { margin: .3rem 0; } .ex-controls input, .ex-controls select { max-width: 100%; font: inherit; }
#ex-indicator { width: 30rem; } #ex-place { width: 18rem; }
.ex-chosen { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .3rem; }
.ex-chosen li { border: 1px solid #9ab; border-radius: 3px; padding: 0 .2rem 0 .5rem; }
.ex-chosen button { border: 0; background: none; cursor: pointer; font: inherit; color: #1f4e79; }
.ex-tabs { display: flex; gap: .2rem; border-bottom: 1px solid #ccc; margin-top: .6rem; }
.ex-tabs button { font: inherit; padding: .3rem .9rem; border: 1px solid #ccc; border-bottom: 0;
  background: #f2f4f7; cursor: pointer; }
.ex-tabs button[aria-selected="true"] { background: #fff; font-weight: bold; color: #1f4e79; }
.ex-view { width: 100%; min-height: 2rem; } .ex-view > div { width: 100%; }
#ex-panel:focus-visible, .ex-tabs button:focus-visible { outline: 2px solid #1f4e79; outline-offset: 2px; }
.ex-downloads button { font: inherit; margin-right: .3rem; }
th button { font: inherit; font-weight: bold; border: 0; background: none; cursor: pointer; padding: 0; }
td.child { padding-left: 1.2rem; }
@media (max-width: 640px) { #ex-indicator, #ex-place { width: 100%; } }
"""


def explorer_page(
    title: str, provenance: publish.Provenance, lang: str = "zh", *, notice: str = ""
) -> str:
    """``explore.html``: the page frame, its markup and its scripts (all in its folder), with
    ``notice`` (HTML) above the pickers."""
    scripts = [f"{FOLDER}/vendor/{name}" for name in VENDOR_SCRIPTS]
    scripts += [f"{FOLDER}/{SCRIPT}", f"{FOLDER}/data/index.js"]
    return publish.page(
        title,
        notice + page_body(title, lang),
        provenance,
        home="index.html",
        scripts=scripts,
        extra_css=EXPLORE_CSS,
        lang=lang,
    )


def pending_notice(tables: store.Tables, lang: str = "zh") -> str:
    """A notice where figures the explorer shows are pending review: village values the
    review flagged and no 核实说明 confirms, and the town and county figures that count them,
    each marked 待核实 where it is shown (:func:`pending_counts`); nothing where there are
    none."""
    review = tables.review
    villages = int((~review["confirmed"].astype(bool)).sum()) if len(review) else 0
    totals = int((tables.area[PENDING_REVIEW] > 0).sum()) if PENDING_REVIEW in tables.area else 0
    if PENDING_REVIEW in tables.aggregates:
        units = tables.aggregates[tables.aggregates["level"] != "village"]
        totals += int((units[PENDING_REVIEW] > 0).sum())
    if not villages and not totals:
        return ""
    return publish.alert(
        "pending",
        "explore.pending",
        publish.PROBLEMS_PAGE,
        lang,
        villages=villages,
        totals=totals,
    )


def _write_if_changed(path: Path, data: bytes) -> bool:
    if path.exists() and path.read_bytes() == data:
        return False
    atomic_write_bytes(path, data)
    return True


def _stamp(
    processed_dir: Path, year: int, sample: bool, lang: str, accepted_errors: int
) -> tuple[str, str]:
    """The fingerprint of the processed tables, and the explorer's stamp: the tables, the code
    and the settings it is written from."""
    tables_fingerprint = store.fingerprint_dir(processed_dir)
    stamp = json.dumps(
        {
            "tables": tables_fingerprint,
            "code": code_fingerprint(),
            "static": fingerprint_files(sorted(STATIC.rglob("*.*")), root=STATIC),
            "settings": [year, sample, lang, accepted_errors],
        }
    )
    return tables_fingerprint, stamp


def _current(year_dir: Path, stamp: str) -> bool:
    marker = year_dir / FOLDER / ".fingerprint"
    return (
        (year_dir / PAGE).exists()
        and (year_dir / FOLDER / "data" / "index.js").exists()
        and marker.exists()
        and marker.read_text(encoding="utf-8") == stamp
    )


def is_current(
    processed_dir: Path,
    year_dir: Path,
    year: int,
    sample: bool,
    lang: str = "zh",
    accepted_errors: int = 0,
) -> bool:
    """Whether the explorer in ``year_dir`` was written from these tables, code and settings
    (:func:`write_explorer` would write nothing)."""
    return _current(year_dir, _stamp(processed_dir, year, sample, lang, accepted_errors)[1])


def write_explorer(
    processed_dir: Path,
    year_dir: Path,
    year: int,
    sample: bool,
    lang: str = "zh",
    accepted_errors: int = 0,
) -> Path:
    """Write ``explore.html`` and its folder (script, library, data) into ``year_dir``; files
    whose content is unchanged are left as they are, and nothing is done when the tables, the
    code and the settings are those of the last time (a stamp in the folder says whose).

    The tables are this process's loaded ones (:func:`~analysis.pipeline.store.load_tables`):
    in a build's worker, those its pages read."""
    tables_fingerprint, stamp = _stamp(processed_dir, year, sample, lang, accepted_errors)
    page = year_dir / PAGE
    if _current(year_dir, stamp):
        return page
    tables = store.load_tables(processed_dir)
    data = explorer_data(
        pending_counts(tables), tables.villages, tables.projection_paths, year, lang=lang
    )
    folder = year_dir / FOLDER
    wanted = {folder / "data" / "index.js": script_text("index", data.index).encode("utf-8")}
    for town, payload in data.towns.items():
        name = f"town:{town}"
        wanted[folder / "data" / town_file(town)] = script_text(name, payload).encode("utf-8")
    for name in VENDOR_SCRIPTS:
        wanted[folder / "vendor" / name] = (VENDOR / name).read_bytes()
    for licence in [*sorted(VENDOR.glob("*.LICENSE")), VENDOR / "VERSIONS.json"]:
        wanted[folder / "vendor" / licence.name] = licence.read_bytes()
    wanted[folder / SCRIPT] = (STATIC / SCRIPT).read_bytes()
    for path, content in wanted.items():
        _write_if_changed(path, content)
    for stale in (folder / "data").glob("*.js"):
        if stale not in wanted:
            stale.unlink()
    provenance = publish.Provenance(
        data_fingerprint=tables_fingerprint,
        parameters={"year": year},
        sample=sample,
        accepted_errors=accepted_errors,
    )
    title = label("explore.title", lang, place=tables.place_name(), year=year)
    notice = pending_notice(tables, lang)
    publish.write_page(page, explorer_page(title, provenance, lang, notice=notice))
    atomic_write_text(folder / ".fingerprint", stamp)
    return page


__all__ = [
    "PAGE",
    "ExplorerData",
    "explorer_data",
    "map_chart",
    "trend_chart",
    "with_classes",
    "with_data",
    "write_explorer",
]
