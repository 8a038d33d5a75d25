"""Maps of the township: choropleths, the G357 industry corridor, sanitation, village locators.

Every map is drawn in EPSG:4547 (metres), so the scale bar is a plain length in data units, and
carries a title, a legend with units, a north arrow and a source line ("示例数据" when drawn
from the synthetic sample), in Chinese or English (``lang``; the words are
:mod:`analysis.core.labels`'). No national or provincial outline is ever drawn: context stops
at the county. Figures are built without pyplot (``matplotlib.figure.Figure``), so a notebook or
a worker process can draw hundreds of them without leaking; Jupyter still displays them.
"""

from __future__ import annotations

import contextlib
import io
import math
from collections.abc import Iterator, Mapping, Sequence
from os import PathLike
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.text import Text

from analysis.core.glyphs import WINDOWS_EXT_B_FONT
from analysis.core.labels import BRACKETS, check_lang, label, unit_word
from analysis.core.style import (
    COLORS,
    SvgCanvas,
    measuring_renderer,
    rare_characters,
    use_house_style,
)
from analysis.core.truetype import truetype_family
from analysis.geo import layers as geo
from analysis.geo.classes import (
    MAX_SYMBOL_PT2,
    class_colors,
    class_labels,
    classify,
    data_classes,
    draw_classes,
    heading,
    proportional_symbols,
    target_classes,
)
from analysis.geo.furniture import (
    KEY_FROM,
    MAP_FIGSIZE,
    MAP_TEXT_PT,
    finish,
    label_features,
    legend,
    new_figure,
    number_key,
    reading_order,
    set_extent,
    settle,
)
from analysis.geo.shelf import Shelf
from analysis.iorw import atomic_path

#: Kinds of industry base (their legend words are the labels ``map.<kind>``).
BASE_KINDS = ("greenhouse", "orange")
#: Kinds of sanitation point: marker, colour, size (legend words: the labels ``map.<kind>``).
POINT_KINDS = {
    "public_toilet": ("s", "#1f4e79", 28),
    "sewage_site": ("^", "#7d3c98", 36),
    "household_toilet": ("o", "#555555", 6),
}
#: The ``scheme`` of :func:`choropleth` whose classes come from the data's own range.
DATA_SCHEME = "data"
_SAVE_FORMATS = {".png", ".svg", ".pdf"}
#: How print maps keep their text editable: TrueType-keyed (Type 42) fonts in PDF, never
#: Type 3 outlines; real text in SVG, its font family named (Noto Sans SC first).
_EDITABLE_TEXT = {"pdf.fonttype": 42, "svg.fonttype": "none"}
#: Named after the house font in an SVG, for a reader without it: the CJK fonts of Windows,
#: macOS and Linux desktops, in that order.
SVG_FALLBACK_FONTS = ("Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "SimHei")
#: The paper a print map is set on (ISO 216), short side by long side, inches: the smallest
#: whose printable area holds the map, on its side where the map is wider than high.
PAPER_IN = {"A4": (210 / 25.4, 297 / 25.4), "A3": (297 / 25.4, 420 / 25.4)}
#: The margin kept on every side of a print map's page, inches (15 mm).
PAPER_MARGIN_IN = 15 / 25.4


# --------------------------------------------------------------------------------------------
# Public maps


def choropleth(
    gdf: gpd.GeoDataFrame,
    column: str,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    title: str = "",
    legend_title: str | None = None,
    unit: str | None = None,
    source: str | None = None,
    sample: bool = False,
    label_column: str | None = None,
    cmap: str = "YlGnBu",
    fmt: str | None = None,
    decimals: int = 1,
    ax: Axes | None = None,
    figsize: tuple[float, float] = MAP_FIGSIZE,
    lang: str = "zh",
    label_fit: bool = False,
    target: float | None = None,
    higher_is_better: bool = True,
) -> Figure:
    """Classed choropleth of one numeric column.

    Classification is mapclassify's (as ``GeoDataFrame.plot(scheme=...)`` uses): ``bins`` are
    class *upper* bounds, classes are closed on the right, and for ``"user_defined"`` a further
    class up to the maximum is added when the data exceed ``bins[-1]``. Every class keeps its
    colour and legend entry even when no feature falls in it, and missing values are drawn
    hatched as "无数据" / "No data" (geopandas' own legend keeps empty classes too, but labels
    them with ``{:.2f}`` and no unit).

    Parameters
    ----------
    gdf
        Polygons in any CRS.
    column
        Numeric column to classify.
    scheme
        Any ``mapclassify.classify`` scheme: ``"quantiles"``, ``"fisher_jenks"``,
        ``"equal_interval"``, ``"natural_breaks"``, ``"user_defined"`` (needs ``bins``), …;
        or ``"data"``: classes from the data's own range, none empty, bounds to ``decimals``
        (:func:`analysis.geo.classes.data_classes`).
    k
        Number of classes for data-driven schemes; lowered to the number of distinct values.
    bins
        Upper class bounds for ``"user_defined"``.
    title, legend_title, unit
        Title; legend heading (default: ``column``) and the catalog unit shown after it.
    source
        Where the data come from, printed under the map.
    sample
        Mark the map "示例数据".
    label_column
        Column of feature names to print on the map.
    cmap
        A sequential matplotlib colormap name.
    fmt
        Format for class bounds, e.g. ``"{:.1f}"``; chosen from the data's magnitude if None.
    decimals
        Decimals of the class bounds of the ``"data"`` scheme (the figures' own decimals).
    ax
        Draw into this Axes (in a figure you manage) instead of a new figure.
    figsize
        Size of the new figure, inches.
    lang
        ``"zh"`` or ``"en"``: the language of the legend, source line and furniture.
    label_fit
        Name a feature only where its name fits (:func:`label_features`), and number them with
        a key from :data:`~analysis.geo.furniture.KEY_FROM` features on (a town's villages);
        False (the default) names every feature (a county's towns).
    target, higher_is_better
        A target the values are measured against: the classes are then split at it, those
        short of it in oranges and those that reach it in greens
        (:func:`analysis.geo.classes.target_classes`), so no class short of it reads as good.

    Returns
    -------
    matplotlib.figure.Figure
    """
    use_house_style()
    check_lang(lang)
    ax_given = ax is not None
    fig, ax = new_figure(ax, figsize)
    shapes = geo.to_measure(gdf)
    values = pd.to_numeric(shapes[column]).to_numpy(dtype=float)
    if target is not None:
        codes, colors, names = target_classes(
            values, target, higher_is_better=higher_is_better, decimals=decimals, lang=lang
        )
    else:
        if scheme == DATA_SCHEME:
            codes, edges = data_classes(values, k=k, decimals=decimals)
            fmt = fmt or f"{{:,.{decimals}f}}"
        else:
            codes, edges = classify(values, scheme, k=k, bins=bins)
        colors = class_colors(cmap, max(len(edges) - 1, 0))
        names = class_labels(edges, fmt)
    handles = draw_classes(ax, shapes, codes, colors, names, lang)
    set_extent(ax, shapes)
    order = _plan_labels(ax, shapes, label_column, figsize) if label_fit else None
    legend(ax, handles, heading(legend_title or column, unit, lang))
    finish(ax, shapes, title=title, source=source, sample=sample, lang=lang)
    settle(fig, ax_given)
    if label_column is not None:
        _labels(ax, shapes, label_column, order, fontsize=MAP_TEXT_PT, fit=label_fit)
    return fig


def corridor_map(
    villages: gpd.GeoDataFrame,
    road: gpd.GeoDataFrame | gpd.GeoSeries,
    bases: gpd.GeoDataFrame,
    *,
    width_km: float = 2.0,
    label_column: str = "name",
    title: str | None = None,
    source: str | None = None,
    sample: bool = False,
    ax: Axes | None = None,
    figsize: tuple[float, float] = MAP_FIGSIZE,
    lang: str = "zh",
    label_fit: bool = False,
) -> Figure:
    """The industry corridor along G357 with its industry bases as symbols sized by area.

    Parameters
    ----------
    villages
        Village polygons (labelled from ``label_column``).
    road
        The G357 line(s).
    bases
        Industry bases with ``kind`` in {"greenhouse", "orange"} and ``area_mu`` (亩; computed
        from the geometry when the column is absent). Each base is drawn as its footprint under
        a translucent symbol whose area is proportional to ``area_mu`` (circles for greenhouse
        bases, squares for orange belts, one scale for both), with two or three reference
        sizes of each kind in the legend. Village names are drawn above the symbols and moved
        off them where the village leaves room.
    width_km
        Total corridor width, km (``width_km/2`` either side of the road).
    title
        Default: "G357 蔬菜产业走廊与脐橙基地" (or its English); where the road does not
        cross the area mapped, "蔬菜与脐橙产业基地": a map's title names only what it draws.
    label_column, source, sample, ax, figsize, lang, label_fit
        As in :func:`choropleth`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    use_house_style()
    check_lang(lang)
    unknown = sorted(set(bases["kind"]) - set(BASE_KINDS))
    if unknown:
        raise ValueError(f"unknown base kinds {unknown}; expected {sorted(BASE_KINDS)}")
    ax_given = ax is not None
    fig, ax = new_figure(ax, figsize)
    shapes = geo.to_measure(villages)
    road_m = geo.to_measure(road)
    # The band stops at the township's edge like every other layer.
    band = geo.to_measure(geo.corridor(road, width_km)).clip(shapes)
    bases_m = geo.to_measure(bases)
    sizes = bases_m["area_mu"] if "area_mu" in bases_m.columns else geo.area_mu(bases_m)

    # A town the road does not cross has no band: the legend then lists neither.
    crossed = not band.is_empty.all()
    _plot_polygons(ax, shapes, facecolor=COLORS["village_fill"], edgecolor="none", zorder=1)
    if crossed:
        band.plot(ax=ax, facecolor=COLORS["corridor"], edgecolor="none", alpha=0.7, zorder=2)
        road_m.plot(ax=ax, color=COLORS["road"], lw=2.2, zorder=5)
    _plot_polygons(ax, shapes, facecolor="none", edgecolor=COLORS["village_edge"], lw=0.7, zorder=3)
    band_label = label("map.corridor_band", lang, width=f"{width_km:g}", km=unit_word("km", lang))
    road_handles = [
        Line2D([], [], color=COLORS["road"], lw=2.2, label=label("map.road", lang)),
        Patch(facecolor=COLORS["corridor"], alpha=0.7, label=band_label),
    ]
    handles = road_handles if crossed else []
    largest = float(np.nanmax(sizes)) if len(sizes) else 0.0
    scale = MAX_SYMBOL_PT2 / largest if largest > 0 else 0.0
    symbols = []
    for kind in BASE_KINDS:
        chosen = (bases_m["kind"] == kind).to_numpy()
        if chosen.any() and scale > 0:
            kind_handles, drawn = proportional_symbols(
                ax, bases_m[chosen], sizes[chosen].to_numpy(), scale=scale, kind=kind, lang=lang
            )
            handles += kind_handles
            symbols += drawn
    set_extent(ax, shapes)
    order = _plan_labels(ax, shapes, label_column, figsize) if label_fit else None
    # Room for the largest symbol (~25 pt across) beside and between the entries.
    legend(
        ax,
        handles,
        label("map.legend", lang),
        labelspacing=1.8,
        handlelength=2.6,
        handletextpad=1.0,
    )
    if title is None:
        title = label("map.corridor_title" if crossed else "map.bases_title", lang)
    finish(ax, shapes, title=title, source=source, sample=sample, lang=lang)
    settle(fig, ax_given)
    _labels(ax, shapes, label_column, order, fontsize=MAP_TEXT_PT, fit=label_fit, avoid=symbols)
    return fig


def sanitation_map(
    villages: gpd.GeoDataFrame,
    rate_column: str,
    points: gpd.GeoDataFrame,
    *,
    bins: Sequence[float] | None = None,
    lowest: float = 0.0,
    point_labels: Mapping[str, str] | None = None,
    title: str | None = None,
    legend_title: str | None = None,
    unit: str = "座/百户",
    label_column: str = "name",
    source: str | None = None,
    sample: bool = False,
    cmap: str = "YlGn",
    ax: Axes | None = None,
    figsize: tuple[float, float] = MAP_FIGSIZE,
    lang: str = "zh",
    label_fit: bool = False,
) -> Figure:
    """Sanitary toilets per 100 households by village, with toilets and sewage sites.

    Without ``bins`` the classes come from the data's own range by the rule of
    :func:`analysis.geo.classes.data_classes` (no empty class, none beyond the data; villages
    without a value get a 无数据 class). With ``bins`` they are FIXED: ``[lowest, bins[0]]``,
    ``(bins[0], bins[1]]``, … whatever the data, so two years' maps share one legend, and a
    value outside ``[lowest, bins[-1]]`` raises rather than letting mapclassify add a class.

    Parameters
    ----------
    villages
        Village polygons with ``rate_column``.
    rate_column
        Toilets upgraded per 100 households.
    points
        Points with ``kind`` in {"public_toilet", "sewage_site", "household_toilet"}; filter
        them to the year mapped before calling.
    bins, lowest
        Fixed upper class bounds and the lower bound of the first class (None: from the data).
    point_labels
        Legend words of a kind of point, replacing "公共厕所（4 处）": what the points are
        (built in which years) and, where it differs, the ledger's figure for the same thing.
    title, legend_title
        Default: "卫生厕所改造与污水处理设施" and "卫生厕所改造" (or their English).
    unit, label_column, source, sample, cmap, ax, figsize, lang, label_fit
        As in :func:`choropleth`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    use_house_style()
    check_lang(lang)
    unknown = sorted(set(points["kind"]) - set(POINT_KINDS))
    if unknown:
        raise ValueError(f"unknown point kinds {unknown}; expected {sorted(POINT_KINDS)}")
    ax_given = ax is not None
    fig, ax = new_figure(ax, figsize)
    shapes = geo.to_measure(villages)
    values = pd.to_numeric(shapes[rate_column]).to_numpy(dtype=float)
    outside = (values < lowest) | (values > bins[-1]) if bins is not None else False
    if np.any(outside):
        names = shapes.loc[outside, label_column].tolist() if label_column in shapes else []
        raise ValueError(
            f"{rate_column} outside the fixed classes [{lowest:g}, {bins[-1]:g}] for {names}; "
            "widen bins rather than letting the classes change between maps"
        )
    if bins is None:
        codes, edges = data_classes(values, decimals=1)
        fmt = "{:.1f}"
    else:
        codes, edges = classify(values, "user_defined", bins=bins, lowest=lowest)
        fmt = "{:.0f}"
    colors = class_colors(cmap, max(len(edges) - 1, 0))
    handles = draw_classes(ax, shapes, codes, colors, class_labels(edges, fmt), lang)
    pts = geo.to_measure(points)
    for kind, (marker, color, size) in POINT_KINDS.items():
        chosen = pts[pts["kind"] == kind]
        if len(chosen):
            ax.scatter(
                chosen.geometry.x,
                chosen.geometry.y,
                s=size,
                marker=marker,
                color=color,
                edgecolor="white",
                linewidth=0.5,
                zorder=6,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    linestyle="",
                    marker=marker,
                    markersize=math.sqrt(size),
                    color=color,
                    markeredgecolor="white",
                    label=_two_lines(
                        (point_labels or {}).get(kind)
                        or label(
                            "map.points", lang, label=label(f"map.{kind}", lang), n=len(chosen)
                        )
                    ),
                )
            )
    set_extent(ax, shapes)
    order = _plan_labels(ax, shapes, label_column, figsize) if label_fit else None
    legend_title = (
        legend_title if legend_title is not None else label("map.sanitation_legend", lang)
    )
    legend(ax, handles, heading(legend_title, unit, lang))
    title = title if title is not None else label("map.sanitation_title", lang)
    finish(ax, shapes, title=title, source=source, sample=sample, lang=lang)
    settle(fig, ax_given)
    _labels(ax, shapes, label_column, order, fontsize=MAP_TEXT_PT, fit=label_fit)
    return fig


def _two_lines(words: str) -> str:
    """A legend entry's words with what is in brackets on a line of its own: a long entry
    beside the map would take the map's room."""
    for bracket in BRACKETS:
        if bracket in words:
            name, rest = words.split(bracket, 1)
            return f"{name}\n{bracket.strip()}{rest}"
    return words


def locator_map(
    villages: gpd.GeoDataFrame,
    code: str,
    *,
    neighbours: gpd.GeoDataFrame | None = None,
    code_column: str = "code",
    label_column: str = "name",
    title: str | None = None,
    source: str | None = None,
    sample: bool = False,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (4.5, 4.0),
    lang: str = "zh",
) -> Figure:
    """The village's town with the village highlighted, its neighbouring towns around it.

    A figure handed back by :func:`release_locator` is drawn on again by the next call for the
    same ``villages`` and ``neighbours`` (the same objects) and ``figsize``, the town's layers
    kept: a worker draws a town's villages one after another. The map is the same either way.

    Parameters
    ----------
    villages
        The polygons of the villages of the village's own town.
    code
        The village to highlight, matched as text against ``code_column``.
    neighbours
        The polygons of the neighbouring towns, named in a column ``name``; the map then shows
        the town with as much of them as a margin of a fifth of the town's size takes in, and
        never beyond them.
    code_column, label_column
        Columns of village codes and names.
    title
        Default: "<name>位置" / "Location of <name>".
    source, sample, ax, figsize, lang
        As in :func:`choropleth`.

    Returns
    -------
    matplotlib.figure.Figure
    """
    use_house_style()
    check_lang(lang)
    ax_given = ax is not None
    town = None if ax_given else _TOWNS.take(lambda t: t.draws(villages, neighbours, figsize))
    if town is not None:
        town.clear()
    shapes = geo.to_measure(villages) if town is None else town.shapes
    chosen = shapes[code_column].astype(str) == str(code)
    if not chosen.any():
        raise ValueError(f"no village with {code_column} == {code!r}")
    name = str(shapes.loc[chosen, label_column].iloc[0])
    if town is None:
        fig, ax = new_figure(ax, figsize)
        around = geo.to_measure(neighbours) if neighbours is not None and len(neighbours) else None
        if around is not None:
            _plot_polygons(
                ax, around, facecolor=COLORS["neighbour_fill"], edgecolor=COLORS["muted"], lw=0.8
            )
        _plot_polygons(
            ax, shapes, facecolor=COLORS["village_fill"], edgecolor=COLORS["village_edge"], lw=0.6
        )
        town = _LocatorTown((villages, neighbours), tuple(figsize), shapes, around, fig)
    fig, ax, around = town.figure, town.figure.axes[0], town.around
    _plot_polygons(
        ax, shapes[chosen], facecolor=COLORS["highlight"], edgecolor=COLORS["ink"], lw=1.0
    )
    if around is None:
        set_extent(ax, shapes)
    else:
        _set_locator_extent(ax, shapes, around)
    handles = [
        Patch(facecolor=COLORS["highlight"], edgecolor=COLORS["ink"], label=name),
        Patch(
            facecolor=COLORS["village_fill"],
            edgecolor=COLORS["village_edge"],
            label=label("map.other_villages", lang),
        ),
    ]
    if around is not None:
        handles.append(
            Patch(
                facecolor=COLORS["neighbour_fill"],
                edgecolor=COLORS["muted"],
                label=label("map.neighbour_towns", lang),
            )
        )
    legend(ax, handles, label("map.legend", lang))
    title = title or label("map.location", lang, name=name)
    finish(ax, shapes, title=title, source=source, sample=sample, lang=lang)
    settle(fig, ax_given)
    # The village named, over its town's other villages (a town of 50 names would bury it),
    # and the neighbouring towns named where their names fit beside it.
    taken = [
        text.get_window_extent(measuring_renderer(fig.dpi))
        for text in label_features(ax, shapes[chosen], label_column, fontsize=10)
    ]
    if around is not None:
        _label_neighbours(ax, around, taken)
    return fig if ax_given else _TOWNS.lend(fig, town)


class _LocatorTown:
    """A town's locator map as its villages share it: the neighbouring towns and the town's
    villages drawn, the figure's size, resolution and axes' place as when it was made."""

    def __init__(self, layers: tuple, figsize: tuple, shapes, around, figure: Figure) -> None:
        self.layers, self.figsize, self.shapes, self.around = layers, figsize, shapes, around
        self.figure, self.dpi = figure, figure.dpi
        self.shared = len(figure.axes[0].collections)
        self.position = figure.axes[0].get_position(original=True).frozen()

    def draws(self, villages, neighbours, figsize) -> bool:
        """Whether this is the town of ``villages`` and ``neighbours`` at ``figsize``."""
        layers = self.layers
        return layers[0] is villages and layers[1] is neighbours and self.figsize == tuple(figsize)

    def clear(self) -> None:
        """Take the last village's map off the town's: as it was when made."""
        ax = self.figure.axes[0]
        for artist in (*ax.collections[self.shared :], *ax.artists, *ax.texts):
            artist.remove()
        if ax.get_legend() is not None:
            ax.get_legend().remove()
        self.figure.set_dpi(self.dpi)
        self.figure.set_size_inches(self.figsize)
        ax.set_position(self.position)


#: Locator maps' towns, by the figures lent out; the last few handed back.
_TOWNS: Shelf[_LocatorTown] = Shelf(keep=4)


def release_locator(fig: Figure) -> None:
    """Hand back a figure of :func:`locator_map` once drawn for good: the next map of the same
    town draws on it again. Other figures are left alone."""
    _TOWNS.release(fig)


def _set_locator_extent(ax: Axes, town: gpd.GeoDataFrame, around: gpd.GeoDataFrame) -> None:
    """The town with a margin of a fifth of its size, within the town and its neighbours."""
    xmin, ymin, xmax, ymax = town.total_bounds
    pad = 0.2 * max(xmax - xmin, ymax - ymin)
    axmin, aymin, axmax, aymax = pd.concat([town.geometry, around.geometry]).total_bounds
    ax.set_xlim(max(xmin - pad, axmin), min(xmax + pad, axmax))
    ax.set_ylim(max(ymin - pad, aymin), min(ymax + pad, aymax))
    ax.set_aspect("equal")


def _label_neighbours(ax: Axes, around: gpd.GeoDataFrame, taken: list) -> None:
    """Each neighbouring town named at a point of its part in view, where the name fits."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    in_view = around.assign(geometry=around.geometry.intersection(shapely.box(x0, y0, x1, y1)))
    in_view = in_view[~in_view.geometry.is_empty]
    label_features(
        ax, in_view, "name", fontsize=MAP_TEXT_PT, color=COLORS["muted"], fit=True, taken=taken
    )


def _plan_labels(
    ax: Axes, shapes: gpd.GeoDataFrame, column: str | None, figsize: tuple[float, float]
) -> list[int] | None:
    """Where a map shows :data:`~analysis.geo.furniture.KEY_FROM` features or more, the order
    they are numbered in (reading order), with the key of the numbers added under the map;
    None where they are named."""
    if column is None or len(shapes) < KEY_FROM:
        return None
    order = reading_order(shapes)
    # As many columns as the figure's width holds, the margins apart.
    number_key(ax, [str(shapes[column].iloc[i]) for i in order], width_in=figsize[0] - 0.3)
    return order


def _labels(
    ax: Axes,
    shapes: gpd.GeoDataFrame,
    column: str | None,
    order: list[int] | None,
    *,
    fontsize: float,
    fit: bool,
    avoid: list[tuple[float, float, float]] | None = None,
) -> None:
    """The features' names where they fit, or their numbers in the key of :func:`_plan_labels`;
    every name where ``fit`` is False."""
    if column is None:
        return
    if order is None:
        label_features(ax, shapes, column, fontsize=fontsize, avoid=avoid, fit=fit)
        return
    numbered = [0] * len(shapes)
    for number, position in enumerate(order, start=1):
        numbered[position] = number
    label_features(ax, shapes, column, fontsize=fontsize, avoid=avoid, numbered=numbered)


def _plot_polygons(ax: Axes, shapes: gpd.GeoDataFrame, **style: object) -> None:
    """``shapes.plot(ax=ax, **style)`` for a projected layer of (multi)polygons, drawn the same
    (the same paths in one collection, aspect, axis labels and limits) at a fraction of the cost:
    geopandas' plot makes a new collection class and several frames each call, which a page's
    locator map paid twice."""
    # Normalised as geopandas does: a hole's ring runs against its shell's, or it is filled.
    geoms = shapes.geometry.normalize()
    geoms = geoms[~(geoms.isna() | geoms.is_empty)]
    if not len(geoms):
        return
    crs = shapes.crs
    names = [f"{axis.name} [{axis.unit_name}]" for axis in crs.axis_info[:2]]
    if crs.axis_info[0].direction == "north":
        names.reverse()
    if ax.get_xlabel() == "":
        ax.set_xlabel(names[0], fontsize="small")
    if ax.get_ylabel() == "":
        ax.set_ylabel(names[1], fontsize="small")
    ax.set_aspect("equal")
    patches = []
    for geom in geoms:
        rings = [
            ring
            for part in (geom.geoms if geom.geom_type == "MultiPolygon" else [geom])
            for ring in (part.exterior, *part.interiors)
        ]
        paths = [MplPath(np.asarray(ring.coords)[:, :2], closed=True) for ring in rings]
        patches.append(PathPatch(MplPath.make_compound_path(*paths)))
    ax.add_collection(PatchCollection(patches, cmap=None, **style), autolim=True)
    ax.autoscale_view()


def paper_size(width: float, height: float) -> tuple[str, tuple[float, float]]:
    """The paper (:data:`PAPER_IN`) a figure of ``width`` × ``height`` inches is printed on, and
    the page's size in inches: A4, or A3 where A4's printable area is too small."""
    landscape = width > height
    for name, (short, long) in PAPER_IN.items():
        page = (long, short) if landscape else (short, long)
        if width + 2 * PAPER_MARGIN_IN <= page[0] and height + 2 * PAPER_MARGIN_IN <= page[1]:
            return name, page
    return name, page


@contextlib.contextmanager
def _on_paper(fig: Figure):
    """The figure set in the middle of its paper (:func:`paper_size`) while in the context: the
    page grows around the map, whose content keeps its size in inches."""
    width, height = fig.get_size_inches()
    _, (page_w, page_h) = paper_size(width, height)
    # The positions as set, not as the aspect made them: restored, they give the same figure.
    positions = [(ax, ax.get_position(original=True).frozen()) for ax in fig.axes]
    left, bottom = (page_w - width) / 2, (page_h - height) / 2
    fig.set_size_inches(page_w, page_h)
    for ax, box in positions:
        ax.set_position(
            [
                (left + box.x0 * width) / page_w,
                (bottom + box.y0 * height) / page_h,
                box.width * width / page_w,
                box.height * height / page_h,
            ]
        )
    try:
        yield
    finally:
        fig.set_size_inches(width, height)
        for ax, box in positions:
            ax.set_position(box)


def save_figure(
    fig: Figure, path: str | PathLike[str], *, dpi: float | None = None, paper: bool = False
) -> Path:
    """Write a figure atomically: PNG for reports, SVG or PDF for print, chosen by suffix.

    The file is written beside ``path`` under a temporary name and moved into place, so a
    reader never sees half an image. SVG and PDF carry no creation date and SVG ids are
    salted with a constant, so the same figure gives the same bytes. Their text stays text that
    an editor can change: the PDF embeds a TrueType copy of the house font holding the map's
    characters (Type 42, :mod:`analysis.core.truetype`), never Type 3 drawings; the SVG keeps
    ``<text>`` with its font named (``font-family: 'Noto Sans SC', 'Microsoft YaHei', …``).

    Parameters
    ----------
    fig
        The figure.
    path
        Target ending in ``.png``, ``.svg`` or ``.pdf``; folders are created.
    dpi
        Resolution for PNG (default: the house style's ``savefig.dpi``).
    paper
        Set the map in the middle of a real A4 page (A3 where it needs one), with margins of
        at least 15 mm: a print map, not a picture cut to its content.

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _SAVE_FORMATS:
        raise ValueError(f"{path}: unsupported figure format; use .png, .svg or .pdf")
    with atomic_path(path) as tmp, _on_paper(fig) if paper else contextlib.nullcontext():
        _save(fig, tmp, suffix[1:], dpi)
    return path


def svg_bytes(fig: Figure) -> bytes:
    """The figure as :func:`save_figure` writes an SVG: its text kept as text, in the house font
    with the fonts of Windows, macOS and Linux named after it, the same bytes each time."""
    buffer = io.BytesIO()
    _save(fig, buffer, "svg", None)
    return buffer.getvalue()


def _drawn_texts(artist: Artist) -> Iterator[Text]:
    """The texts ``artist`` draws. The axis of a map drawn without axes is passed over: its
    ticks are never drawn, and asking for them (as ``findobj`` does) makes a dozen, each with
    its labels, a quarter of a locator map's time."""
    if isinstance(artist, Axis) and not artist.axes.axison:
        return
    if isinstance(artist, Text):
        yield artist
    for child in artist.get_children():
        yield from _drawn_texts(child)


def _save(fig: Figure, target: Path | io.BytesIO, kind: str, dpi: float | None) -> None:
    metadata = {"png": None, "svg": {"Date": None}, "pdf": {"CreationDate": None}}[kind]
    settings = {"svg.hashsalt": "minsheng", **_EDITABLE_TEXT}
    house, *others = matplotlib.rcParams["font.sans-serif"]
    text = "".join(t.get_text() for t in _drawn_texts(fig))
    if kind == "pdf":
        settings["font.sans-serif"] = [truetype_family(text), house, *others]
    elif kind == "svg":
        # Text is laid out in the house font (the first found); the others are only named. A
        # text with a rare character names the fallback fonts after them (:mod:`analysis.core.
        # style`); the figure's stack then names Windows' font of Extension B too.
        rare = [WINDOWS_EXT_B_FONT] if rare_characters(text) else []
        settings["font.sans-serif"] = [house, *SVG_FALLBACK_FONTS, *rare, *others]
    canvas = fig.canvas
    if kind == "svg":
        SvgCanvas(fig)  # the figure's canvas while it is saved: text measured once a process
    try:
        with matplotlib.rc_context(settings):
            resolution = dpi if dpi is not None else matplotlib.rcParams["savefig.dpi"]
            fig.savefig(target, format=kind, dpi=resolution, metadata=metadata)
    finally:
        fig.set_canvas(canvas)
