"""Maps of the township: choropleths, the G357 industry corridor, sanitation, village locators.

Every map is drawn in EPSG:4547 (metres), so the scale bar is a plain length in data units, and
carries a title, a legend with units, a north arrow and a source line ("示例数据" when drawn
from the synthetic sample), in Chinese or English (``lang``; the words are
:mod:`analysis.core.labels`'). No national or provincial outline is ever drawn: context stops
at the county. Figures are built without pyplot (``matplotlib.figure.Figure``), so a notebook or
a worker process can draw hundreds of them without leaking; Jupyter still displays them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.offsetbox import (
    AnchoredOffsetbox,
    AuxTransformBox,
    DrawingArea,
    TextArea,
    VPacker,
)
from matplotlib.patches import Patch, Polygon, Rectangle
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from analysis import config
from analysis.core.labels import check_lang, label, unit_header
from analysis.core.style import COLORS, measuring_renderer, use_house_style
from analysis.geo import layers as geo
from analysis.iorw import atomic_path

#: Kinds of industry base (their legend words are the labels ``map.<kind>``).
BASE_KINDS = ("greenhouse", "orange")
#: Kinds of sanitation point: marker, colour, size (legend words: the labels ``map.<kind>``).
POINT_KINDS = {
    "public_toilet": ("s", "#1f4e79", 28),
    "sewage_site": ("^", "#7d3c98", 36),
    "household_toilet": ("o", "#555555", 6),
}
_MISSING_STYLE = {"facecolor": "#e5e5e5", "hatch": "////", "edgecolor": "#aaaaaa"}
_HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]
# Largest greenhouse symbol, in points² (matplotlib scatter's size unit).
_MAX_SYMBOL_PT2 = 600.0
_SAVE_FORMATS = {".png", ".svg", ".pdf"}


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
    ax: Axes | None = None,
    figsize: tuple[float, float] = (7.0, 6.0),
    lang: str = "zh",
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
        ``"equal_interval"``, ``"natural_breaks"``, ``"user_defined"`` (needs ``bins``), …
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
    ax
        Draw into this Axes (in a figure you manage) instead of a new figure.
    figsize
        Size of the new figure, inches.
    lang
        ``"zh"`` or ``"en"``: the language of the legend, source line and furniture.

    Returns
    -------
    matplotlib.figure.Figure
    """
    use_house_style()
    check_lang(lang)
    ax_given = ax is not None
    fig, ax = _figure(ax, figsize)
    shapes = geo.to_measure(gdf)
    values = pd.to_numeric(shapes[column]).to_numpy(dtype=float)
    codes, edges = _classify(values, scheme, k=k, bins=bins)
    colors = _class_colors(cmap, len(edges) - 1)
    handles = _draw_classes(ax, shapes, codes, colors, _class_labels(edges, fmt), lang)
    if label_column is not None:
        _label_features(ax, shapes, label_column, fontsize=7)
    _set_extent(ax, shapes)
    _legend(ax, handles, _heading(legend_title or column, unit, lang))
    _finish(ax, shapes, title=title, source=source, sample=sample, lang=lang)
    _settle(fig, ax_given)
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
    figsize: tuple[float, float] = (7.0, 6.0),
    lang: str = "zh",
) -> Figure:
    """The industry corridor along G357, greenhouse bases sized by area, and orange belts.

    Parameters
    ----------
    villages
        Village polygons (labelled from ``label_column``).
    road
        The G357 line(s).
    bases
        Industry bases with ``kind`` in {"greenhouse", "orange"} and ``area_mu`` (亩; computed
        from the geometry when the column is absent). Greenhouse bases get a circle whose area
        is proportional to ``area_mu``; orange belts are drawn as their polygons.
    width_km
        Total corridor width, km (``width_km/2`` either side of the road).
    title
        Default: "G357 蔬菜产业走廊与脐橙基地" (or its English).
    label_column, source, sample, ax, figsize, lang
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
    fig, ax = _figure(ax, figsize)
    shapes = geo.to_measure(villages)
    road_m = geo.to_measure(road)
    # The band stops at the township's edge like every other layer.
    band = geo.to_measure(geo.corridor(road, width_km)).clip(shapes)
    bases_m = geo.to_measure(bases)
    sizes = bases_m["area_mu"] if "area_mu" in bases_m.columns else geo.area_mu(bases_m)

    shapes.plot(ax=ax, facecolor=COLORS["village_fill"], edgecolor="none", zorder=1)
    band.plot(ax=ax, facecolor=COLORS["corridor"], edgecolor="none", alpha=0.7, zorder=2)
    shapes.plot(ax=ax, facecolor="none", edgecolor=COLORS["village_edge"], lw=0.7, zorder=3)
    band_label = label("map.corridor_band", lang, width=f"{width_km:g}")
    handles = [Patch(facecolor=COLORS["corridor"], alpha=0.7, label=band_label)]
    orange = bases_m[bases_m["kind"] == "orange"]
    if len(orange):
        orange.plot(ax=ax, facecolor=COLORS["orange"], edgecolor="white", lw=0.4, zorder=4)
        handles.append(Patch(facecolor=COLORS["orange"], label=label("map.orange", lang)))
    road_m.plot(ax=ax, color=COLORS["road"], lw=2.2, zorder=5)
    handles.insert(0, Line2D([], [], color=COLORS["road"], lw=2.2, label=label("map.road", lang)))
    greenhouse = bases_m["kind"] == "greenhouse"
    if greenhouse.any():
        handles += _proportional_circles(
            ax, bases_m[greenhouse], sizes[greenhouse].to_numpy(), lang
        )
    _label_features(ax, shapes, label_column, fontsize=8)
    _set_extent(ax, shapes)
    # Room for the largest circle (~25 pt across) beside and between the entries.
    _legend(
        ax,
        handles,
        label("map.legend", lang),
        labelspacing=1.8,
        handlelength=2.6,
        handletextpad=1.0,
    )
    title = title if title is not None else label("map.corridor_title", lang)
    _finish(ax, shapes, title=title, source=source, sample=sample, lang=lang)
    _settle(fig, ax_given)
    return fig


def sanitation_map(
    villages: gpd.GeoDataFrame,
    rate_column: str,
    points: gpd.GeoDataFrame,
    *,
    bins: Sequence[float],
    lowest: float = 0.0,
    title: str | None = None,
    legend_title: str | None = None,
    unit: str = "座/百户",
    label_column: str = "name",
    source: str | None = None,
    sample: bool = False,
    cmap: str = "YlGn",
    ax: Axes | None = None,
    figsize: tuple[float, float] = (7.0, 6.0),
    lang: str = "zh",
) -> Figure:
    """Sanitary toilets per 100 households in FIXED classes, with toilets and sewage sites.

    The classes are ``[lowest, bins[0]]``, ``(bins[0], bins[1]]``, … whatever the data, so
    two years' maps share one legend. A value outside ``[lowest, bins[-1]]`` raises rather than
    letting mapclassify add a class of its own.

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
        Upper class bounds and the lower bound of the first class: keep them the same for
        every year mapped.
    title, legend_title
        Default: "卫生厕所改造与污水处理设施" and "卫生厕所改造" (or their English).
    unit, label_column, source, sample, cmap, ax, figsize, lang
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
    fig, ax = _figure(ax, figsize)
    shapes = geo.to_measure(villages)
    values = pd.to_numeric(shapes[rate_column]).to_numpy(dtype=float)
    outside = (values < lowest) | (values > bins[-1])
    if outside.any():
        names = shapes.loc[outside, label_column].tolist() if label_column in shapes else []
        raise ValueError(
            f"{rate_column} outside the fixed classes [{lowest:g}, {bins[-1]:g}] for {names}; "
            "widen bins rather than letting the classes change between maps"
        )
    codes, edges = _classify(values, "user_defined", bins=bins, lowest=lowest)
    colors = _class_colors(cmap, len(edges) - 1)
    handles = _draw_classes(ax, shapes, codes, colors, _class_labels(edges, "{:.0f}"), lang)
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
                    label=label(
                        "map.points", lang, label=label(f"map.{kind}", lang), n=len(chosen)
                    ),
                )
            )
    _label_features(ax, shapes, label_column, fontsize=8)
    _set_extent(ax, shapes)
    legend_title = (
        legend_title if legend_title is not None else label("map.sanitation_legend", lang)
    )
    _legend(ax, handles, _heading(legend_title, unit, lang))
    title = title if title is not None else label("map.sanitation_title", lang)
    _finish(ax, shapes, title=title, source=source, sample=sample, lang=lang)
    _settle(fig, ax_given)
    return fig


def locator_map(
    villages: gpd.GeoDataFrame,
    code: str,
    *,
    code_column: str = "code",
    label_column: str = "name",
    title: str | None = None,
    source: str | None = None,
    sample: bool = False,
    ax: Axes | None = None,
    figsize: tuple[float, float] = (4.5, 4.0),
    lang: str = "zh",
) -> Figure:
    """The township's villages with one village highlighted.

    Parameters
    ----------
    villages
        Village polygons.
    code
        The village to highlight, matched as text against ``code_column``.
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
    shapes = geo.to_measure(villages)
    chosen = shapes[code_column].astype(str) == str(code)
    if not chosen.any():
        raise ValueError(f"no village with {code_column} == {code!r}")
    name = str(shapes.loc[chosen, label_column].iloc[0])
    ax_given = ax is not None
    fig, ax = _figure(ax, figsize)
    shapes.plot(ax=ax, facecolor=COLORS["village_fill"], edgecolor=COLORS["village_edge"], lw=0.6)
    shapes[chosen].plot(ax=ax, facecolor=COLORS["highlight"], edgecolor=COLORS["ink"], lw=1.0)
    _label_features(ax, shapes[~chosen], label_column, fontsize=7, color=COLORS["muted"])
    _label_features(ax, shapes[chosen], label_column, fontsize=10)
    _set_extent(ax, shapes)
    handles = [
        Patch(facecolor=COLORS["highlight"], edgecolor=COLORS["ink"], label=name),
        Patch(
            facecolor=COLORS["village_fill"],
            edgecolor=COLORS["village_edge"],
            label=label("map.other_villages", lang),
        ),
    ]
    _legend(ax, handles, label("map.legend", lang))
    title = title or label("map.location", lang, name=name)
    _finish(ax, shapes, title=title, source=source, sample=sample, lang=lang)
    _settle(fig, ax_given)
    return fig


def save_figure(fig: Figure, path: str | PathLike[str], *, dpi: float | None = None) -> Path:
    """Write a figure atomically: PNG for reports, SVG or PDF for print, chosen by suffix.

    The file is written beside ``path`` under a temporary name and moved into place, so a
    reader never sees half an image. SVG and PDF carry no creation date and SVG ids are
    salted with a constant, so the same figure gives the same bytes.

    Parameters
    ----------
    fig
        The figure.
    path
        Target ending in ``.png``, ``.svg`` or ``.pdf``; folders are created.
    dpi
        Resolution for PNG (default: the house style's ``savefig.dpi``).

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _SAVE_FORMATS:
        raise ValueError(f"{path}: unsupported figure format; use .png, .svg or .pdf")
    metadata = {".png": None, ".svg": {"Date": None}, ".pdf": {"CreationDate": None}}[suffix]
    with atomic_path(path) as tmp, matplotlib.rc_context({"svg.hashsalt": "minsheng"}):
        resolution = dpi if dpi is not None else matplotlib.rcParams["savefig.dpi"]
        fig.savefig(tmp, format=suffix[1:], dpi=resolution, metadata=metadata)
    return path


# --------------------------------------------------------------------------------------------
# Classes and legends


def _classify(values, scheme, *, k=5, bins=None, lowest=None):
    """Class code per value (-1 where missing) and class edges (k+1 of them) from mapclassify."""
    present = ~np.isnan(values)
    codes = np.full(values.shape, -1)
    fixed = scheme.lower().replace("_", "") == "userdefined"
    if fixed and bins is None:
        raise ValueError("scheme='user_defined' needs bins=")
    if not present.any():
        if not fixed:
            raise ValueError("no values to classify")
        return codes, [lowest if lowest is not None else -math.inf, *bins]
    # Imported here: mapclassify brings scipy.stats and scikit-learn, seconds of start-up that
    # a build with every page current never needs (warm kernels import it beforehand).
    import mapclassify

    y = values[present]
    if fixed:
        binning = mapclassify.classify(y, "user_defined", bins=list(bins), lowest=lowest)
    else:
        binning = mapclassify.classify(y, scheme, k=min(k, len(np.unique(y))))
    codes[present] = binning.yb
    first = binning.lowest if getattr(binning, "lowest", None) is not None else y.min()
    return codes, [first, *binning.bins]


def _class_colors(cmap, n):
    # Skip the palest end of the colormap: its first colour is nearly the background.
    return [matplotlib.colormaps[cmap](x) for x in np.linspace(0.15, 0.9, n)] if n else []


def _class_labels(edges, fmt):
    fmt = fmt or _auto_format(edges)
    labels = []
    for i, (low, high) in enumerate(itertools.pairwise(edges)):
        opening = "[" if i == 0 else "("
        labels.append(f"{opening}{fmt.format(low)}, {fmt.format(high)}]")
    return labels


def _auto_format(edges):
    finite = np.abs([e for e in edges if np.isfinite(e)])
    if np.allclose(finite, np.round(finite)) or finite.max() >= 100:
        return "{:,.0f}"
    return "{:,.1f}" if finite.max() >= 10 else "{:,.2f}"


def _heading(title, unit, lang):
    return label("map.heading", lang, title=title, unit=unit_header(unit, lang)) if unit else title


def _draw_classes(ax, shapes, codes, colors, class_labels, lang):
    handles = []
    for i, (color, text) in enumerate(zip(colors, class_labels, strict=True)):
        chosen = shapes[codes == i]
        if len(chosen):
            chosen.plot(ax=ax, facecolor=color, edgecolor="white", lw=0.6)
        handles.append(Patch(facecolor=color, edgecolor=COLORS["village_edge"], lw=0.4, label=text))
    if (codes < 0).any():
        shapes[codes < 0].plot(ax=ax, lw=0.6, **_MISSING_STYLE)
        handles.append(Patch(label=label("map.no_data", lang), lw=0.4, **_MISSING_STYLE))
    return handles


def _proportional_circles(ax, bases, area, lang):
    """The bases' footprints with translucent circles (area ∝ 亩) over them; legend handles.

    At township scale a 300-亩 base is a few pixels across, so the circle carries the size and
    the footprint (when the base is a polygon) shows where it really lies.
    """
    largest = float(np.nanmax(area))
    scale = _MAX_SYMBOL_PT2 / largest if largest > 0 else 0.0
    face = (*matplotlib.colors.to_rgb(COLORS["greenhouse"]), 0.35)
    polygonal = shapely.area(np.asarray(bases.geometry.values)) > 0
    if polygonal.any():
        bases[polygonal].plot(ax=ax, facecolor=COLORS["greenhouse"], edgecolor="none", zorder=6)
    anchor = bases.geometry.representative_point()
    ax.scatter(
        anchor.x,
        anchor.y,
        s=area * scale,
        facecolor=face,
        edgecolor=COLORS["greenhouse"],
        linewidth=0.8,
        zorder=7,
    )
    return [
        Line2D(
            [],
            [],
            linestyle="",
            marker="o",
            markersize=math.sqrt(value * scale),
            markerfacecolor=face,
            markeredgecolor=COLORS["greenhouse"],
            label=label(
                "map.greenhouse_size",
                lang,
                kind=label("map.greenhouse", lang),
                value=f"{value:,.0f}",
            ),
        )
        for value in _legend_values(largest)
    ]


def _legend_values(largest):
    """Two round reference sizes for proportional symbols: about the largest and a quarter."""
    if largest <= 0:
        return []
    big = _round_nice(largest)
    small = _round_nice(big / 4)
    return [small, big] if small < big else [big]


def _round_nice(value):
    exponent = math.floor(math.log10(value))
    step = 10**exponent
    return max(1.0, float(min((1, 2, 2.5, 5, 10), key=lambda m: abs(m * step - value)) * step))


def _legend(ax, handles, title, **kwargs):
    ax.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=8,
        title_fontsize=9,
        alignment="left",
        **kwargs,
    )


# --------------------------------------------------------------------------------------------
# Furniture: extent, labels, scale bar, north arrow, source line


def _figure(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize)
    return fig, fig.add_subplot()


#: Space kept around a map's content, inches (a tight bounding box's default pad).
_MARGIN_IN = 0.1
#: Room assumed for the title above the map and the source line under it, inches, when
#: sizing the map; the figure is trimmed to what they really take.
_TITLE_ROOM_IN = 0.35
_SOURCE_ROOM_IN = 0.2
#: Between the map and its legend, inches (the legend's anchor and its own padding).
_LEGEND_GAP_IN = 0.15


def _frame_artists(ax):
    """What is drawn around the map rather than on it: title, legend, furniture, source line.

    The map's own labels are placed in data coordinates; the frame in axes fractions."""
    artists = [ax.title] if ax.get_title() else []
    if ax.get_legend() is not None:
        artists.append(ax.get_legend())
    artists += [a for a in ax.artists if isinstance(a, AnchoredOffsetbox)]
    artists += [t for t in ax.texts if isinstance(t, Annotation) and t.xycoords == "axes fraction"]
    return artists


def _keep_furniture_clear_of_legend(ax, renderer):
    """Move the north arrow and scale bar from the map's foot to under the legend where a
    long legend beside a wide, low map would reach down to them, and the source line under
    them where they then reach below the map."""
    legend = ax.get_legend()
    if legend is None:
        return
    legend_box = legend.get_window_extent(renderer)
    gap = renderer.points_to_pixels(14)
    lowest = ax.bbox.y0
    for furniture in (a for a in ax.artists if isinstance(a, AnchoredOffsetbox)):
        if furniture.get_window_extent(renderer).y1 + gap > legend_box.y0:
            x_anchor = furniture.get_bbox_to_anchor().transformed(ax.transAxes.inverted()).x0
            below = (legend_box.y0 - gap - ax.bbox.y0) / ax.bbox.height
            furniture.loc = AnchoredOffsetbox.codes["upper left"]
            furniture.set_bbox_to_anchor((x_anchor, below), transform=ax.transAxes)
        lowest = min(lowest, furniture.get_window_extent(renderer).y0)
    drop = (ax.bbox.y0 - lowest) * 72 / renderer.dpi  # points
    if drop > 0:
        for note in (t for t in ax.texts if isinstance(t, Annotation)):
            if note.xycoords == "axes fraction":
                note.xyann = (note.xyann[0], note.xyann[1] - drop)


def _settle(fig, ax_given):
    """Lay out a figure this module created, once, and size it to its content.

    The map gets the largest box of its data's aspect that fits in ``figsize`` beside its
    legend; the figure is then trimmed to the map and its frame (title, legend, furniture,
    source line), a few texts measured once. The labels on the map are never measured, and
    nothing is laid out again when the figure is drawn, so its PNG, SVG and PDF agree.
    """
    if ax_given:
        return
    ax = fig.axes[0]
    renderer = measuring_renderer(fig.dpi)
    frame = _frame_artists(ax)
    legend = ax.get_legend()
    legend_in = legend.get_window_extent(renderer).width / fig.dpi if legend is not None else 0.0
    width, height = fig.get_size_inches()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    aspect = (y1 - y0) / (x1 - x0)
    room_w = width - 2 * _MARGIN_IN - _LEGEND_GAP_IN - legend_in
    room_h = height - 2 * _MARGIN_IN - _TITLE_ROOM_IN - _SOURCE_ROOM_IN
    map_w = max(min(room_w, room_h / aspect), 1.0)
    map_h = map_w * aspect
    ax.set_position([0.0, 0.0, map_w / width, map_h / height])
    _keep_furniture_clear_of_legend(ax, renderer)
    box = Bbox.union([ax.bbox, *(a.get_window_extent(renderer) for a in frame)])
    # Extents relative to the map's lower left corner, inches; the same at any figure size.
    left, bottom = (box.x0 - ax.bbox.x0) / fig.dpi, (box.y0 - ax.bbox.y0) / fig.dpi
    right, top = (box.x1 - ax.bbox.x0) / fig.dpi, (box.y1 - ax.bbox.y0) / fig.dpi
    width = right - left + 2 * _MARGIN_IN
    height = top - bottom + 2 * _MARGIN_IN
    fig.set_size_inches(width, height)
    ax.set_position(
        [
            (_MARGIN_IN - left) / width,
            (_MARGIN_IN - bottom) / height,
            map_w / width,
            map_h / height,
        ]
    )


def _set_extent(ax, shapes):
    xmin, ymin, xmax, ymax = shapes.total_bounds
    pad = 0.03 * max(xmax - xmin, ymax - ymin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal")


def _label_features(ax, shapes, column, *, fontsize, color=None):
    points = shapes.geometry.representative_point()
    for point, text in zip(points, shapes[column], strict=True):
        if point is None or point.is_empty or pd.isna(text):
            continue
        ax.annotate(
            str(text),
            (point.x, point.y),
            ha="center",
            va="center",
            fontsize=fontsize,
            color=color or COLORS["ink"],
            path_effects=_HALO,
            zorder=8,
        )


def _finish(ax, shapes, *, title, source, sample, lang):
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    # North arrow and scale bar sit under the legend, beside the map, so they hide no feature.
    furniture = VPacker(
        children=[_north_arrow(_grid_convergence(shapes), lang), _scale_bar(ax, lang)],
        align="left",
        pad=0,
        sep=10,
    )
    ax.add_artist(
        AnchoredOffsetbox(
            loc="lower left",
            child=furniture,
            bbox_to_anchor=(1.03, 0.0),
            bbox_transform=ax.transAxes,
            frameon=False,
            borderpad=0,
        )
    )
    parts = [label("chart.source", lang, source=source) if source else ""]
    if sample:
        parts.append(label("map.sample", lang))
    parts.append(label("map.crs", lang))
    ax.annotate(
        label("map.separator", lang).join(p for p in parts if p),
        (0, 0),
        xycoords="axes fraction",
        xytext=(0, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=7,
        color=COLORS["muted"],
    )


def _scale_bar(ax, lang):
    """A two-tone bar about a fifth of the map wide, in round kilometres or metres.

    The map is in EPSG:4547 metres, so the bar's length is simply ``length`` data units (grid
    and ground distance differ by less than 0.02 % in Ganzhou).
    """
    width = ax.get_xlim()[1] - ax.get_xlim()[0]
    length = _round_nice(width / 5)
    height = (ax.get_ylim()[1] - ax.get_ylim()[0]) / 80
    bar = AuxTransformBox(ax.transData)
    for i, face in enumerate((COLORS["ink"], "white")):
        bar.add_artist(
            Rectangle(
                (i * length / 2, 0),
                length / 2,
                height,
                facecolor=face,
                edgecolor=COLORS["ink"],
                lw=0.6,
            )
        )
    if length >= 1000:
        words = label("map.km", lang, n=f"{length / 1000:g}")
    else:
        words = label("map.m", lang, n=f"{length:g}")
    text = TextArea(words, textprops={"fontsize": 8, "color": COLORS["ink"]})
    return VPacker(children=[bar, text], align="center", pad=0, sep=2)


def _grid_convergence(shapes):
    """Angle (degrees, clockwise) from grid north to true north at the map's centre."""
    xmin, ymin, xmax, ymax = shapes.total_bounds
    centre = gpd.GeoSeries([shapely.Point((xmin + xmax) / 2, (ymin + ymax) / 2)], crs=shapes.crs)
    lonlat = centre.to_crs(config.STORAGE_CRS).iloc[0]
    north = gpd.GeoSeries([shapely.Point(lonlat.x, lonlat.y + 0.01)], crs=config.STORAGE_CRS)
    tip = north.to_crs(shapes.crs).iloc[0]
    start = centre.iloc[0]
    return math.degrees(math.atan2(tip.x - start.x, tip.y - start.y))


def _north_arrow(angle, lang):
    """An arrow pointing to true north (rotated by the grid convergence) with "北" above it."""
    size = 26.0
    shape = np.array([(0, 0.5), (0.28, -0.5), (0, -0.25), (-0.28, -0.5)]) * size
    rad = math.radians(angle)
    rotation = np.array([[math.cos(rad), math.sin(rad)], [-math.sin(rad), math.cos(rad)]])
    verts = shape @ rotation.T + size / 2
    area = DrawingArea(size, size)
    area.add_artist(Polygon(verts, closed=True, facecolor=COLORS["ink"], edgecolor="none"))
    letter = TextArea(label("map.north", lang), textprops={"fontsize": 9, "color": COLORS["ink"]})
    return VPacker(children=[letter, area], align="center", pad=0, sep=1)
