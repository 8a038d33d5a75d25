"""What surrounds a map: its legend, labels, north arrow, scale bar and source line, and the
layout that sizes a figure to them (:func:`settle`).

Used by :mod:`analysis.geo.maps`; every word is a label of :mod:`analysis.core.labels`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import geopandas as gpd
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
    HPacker,
    TextArea,
    VPacker,
)
from matplotlib.patches import Polygon, Rectangle
from matplotlib.text import Annotation, Text
from matplotlib.transforms import Bbox

from analysis import config
from analysis.core import numbers
from analysis.core.labels import label, unit_word
from analysis.core.style import COLORS, measuring_renderer

HALO = [patheffects.withStroke(linewidth=2.5, foreground="white")]
#: The size of a map's smallest text (legend, labels, key, scale bar, source line), points: a
#: map laid out no wider than the Word summary's text (:data:`MAP_FIGSIZE`) prints it at 9 pt.
MAP_TEXT_PT = 9.0
#: The size a map is laid out in, inches: its width no more than the Word summary's text
#: (156 mm, 6.14 in), so Word never shrinks it and its text prints at :data:`MAP_TEXT_PT`.
MAP_FIGSIZE = (6.1, 5.5)


def legend(ax: Axes, handles: list, title: str, **kwargs: object) -> None:
    """The map's legend, beside it at the upper right, unframed."""
    ax.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        fontsize=MAP_TEXT_PT,
        title_fontsize=MAP_TEXT_PT + 1,
        alignment="left",
        **kwargs,
    )


def new_figure(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    """The figure of ``ax``, or a new pyplot-free figure with one axes."""
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
    key = next((a for a in ax.artists if isinstance(a, NumberKey)), None)
    if legend is None and key is None:
        return
    gap = renderer.points_to_pixels(14)
    lowest = ax.bbox.y0
    furnitures = [
        a for a in ax.artists if isinstance(a, AnchoredOffsetbox) and not isinstance(a, NumberKey)
    ]
    for furniture in furnitures:
        if legend is not None:
            legend_box = legend.get_window_extent(renderer)
            if furniture.get_window_extent(renderer).y1 + gap > legend_box.y0:
                x_anchor = furniture.get_bbox_to_anchor().transformed(ax.transAxes.inverted()).x0
                below = (legend_box.y0 - gap - ax.bbox.y0) / ax.bbox.height
                furniture.loc = AnchoredOffsetbox.codes["upper left"]
                furniture.set_bbox_to_anchor((x_anchor, below), transform=ax.transAxes)
        lowest = min(lowest, furniture.get_window_extent(renderer).y0)
    if key is not None:
        # Under the map and its furniture, the source line under the key.
        top = (lowest - renderer.points_to_pixels(8) - ax.bbox.y0) / ax.bbox.height
        key.set_bbox_to_anchor((0.0, top), transform=ax.transAxes)
        lowest = key.get_window_extent(renderer).y0 - renderer.points_to_pixels(4)
    drop = (ax.bbox.y0 - lowest) * 72 / renderer.dpi  # points
    if drop > 0:
        for note in (t for t in ax.texts if isinstance(t, Annotation)):
            if note.xycoords == "axes fraction":
                note.xyann = (note.xyann[0], note.xyann[1] - drop)


def settle(fig: Figure, ax_given: bool) -> None:
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
    # The north arrow and scale bar stand beside the map too, and can be the wider (a short
    # legend); the scale bar's length follows the map's, about what it is here.
    for furniture in ax.artists:
        if isinstance(furniture, AnchoredOffsetbox) and not isinstance(furniture, NumberKey):
            box = furniture.get_window_extent(renderer)
            legend_in = max(legend_in, (box.x1 - ax.bbox.x1) / fig.dpi - _LEGEND_GAP_IN)
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


def set_extent(ax: Axes, shapes: gpd.GeoDataFrame) -> None:
    """The map's extent: the shapes with 3 % around, metres equal both ways."""
    xmin, ymin, xmax, ymax = shapes.total_bounds
    pad = 0.03 * max(xmax - xmin, ymax - ymin)
    ax.set_xlim(xmin - pad, xmax + pad)
    ax.set_ylim(ymin - pad, ymax + pad)
    ax.set_aspect("equal")


def label_features(
    ax: Axes,
    shapes: gpd.GeoDataFrame,
    column: str,
    *,
    fontsize: float,
    color: str | None = None,
    avoid: list[tuple[float, float, float]] | None = None,
    fit: bool = False,
    numbered: Sequence[int] | None = None,
    taken: list[Bbox] | None = None,
) -> list[Text]:
    """Name each feature at a point inside it, with a white halo, above every symbol.

    ``avoid`` are symbols drawn on the map, ``(x, y, radius in points)``: a label then goes
    where its polygon is clear of them (the text taken as a disc of half its width), or at the
    polygon's usual point where no such place is left. With ``fit``, a label is kept only where
    it fits: its text's window extent (as matplotlib measures it) lies within its polygon and
    clear of the labels kept before it (and of ``taken``, window boxes already on the map, which
    the kept labels' boxes are added to). With ``numbered`` each feature is marked by its number
    in a key instead of its name, kept wherever it is clear of the other numbers. Call it once
    the map has its final size (after :func:`settle`): the scale from points to metres is read
    from the axes. Returns the labels drawn.
    """
    points = list(shapes.geometry.representative_point())
    if avoid:
        points = _clear_points(ax, shapes, column, points, avoid, fontsize)
    texts = shapes[column] if numbered is None else pd.Series([str(n) for n in numbered])
    fit = fit or numbered is not None
    renderer = measuring_renderer(ax.figure.dpi) if fit else None
    kept = taken if taken is not None else []
    drawn = []
    for polygon, point, text in zip(shapes.geometry, points, texts, strict=True):
        if point is None or point.is_empty or pd.isna(text):
            continue
        # A plain text, not an annotation: measuring one asks no more than its own extent.
        note = ax.text(
            point.x,
            point.y,
            str(text),
            ha="center",
            va="center",
            fontsize=fontsize,
            color=color or COLORS["ink"],
            path_effects=HALO,
            zorder=8,
        )
        if renderer is not None:
            box = note.get_window_extent(renderer)
            inside = numbered is not None or _box_within(ax, box, polygon)
            if not inside or any(box.overlaps(other) for other in kept):
                note.remove()
                continue
            kept.append(box)
        drawn.append(note)
    return drawn


def _box_within(ax: Axes, box: Bbox, polygon) -> bool:
    """Whether a text's window box lies within ``polygon`` (data coordinates)."""
    (x0, y0), (x1, y1) = ax.transData.inverted().transform([[box.x0, box.y0], [box.x1, box.y1]])
    return bool(shapely.box(x0, y0, x1, y1).within(polygon))


#: From this many features a map marks them by number, with a key of the numbers beside it.
KEY_FROM = 20


def reading_order(shapes: gpd.GeoDataFrame) -> list[int]:
    """Positions of ``shapes`` in reading order, by bands of rows from the top, each read from
    the left: the numbers of a key follow the map as it is read."""
    points = shapes.geometry.representative_point()
    _, ymin, _, ymax = shapes.total_bounds
    rows = max(1, round(math.sqrt(len(shapes))))
    band = ((ymax - points.y) / max(ymax - ymin, 1e-9) * rows).astype(int).clip(0, rows - 1)
    order = sorted(range(len(shapes)), key=lambda i: (band.iloc[i], points.x.iloc[i]))
    return order


#: Between the columns of a key, points.
_KEY_GAP_PT = 12


class NumberKey(AnchoredOffsetbox):
    """The key of a map's numbered features ("1 青光村"), in columns under the map; placed by
    :func:`settle` under the map and its furniture, with the source line under it."""


def number_key(
    ax: Axes, names: Sequence[str], *, width_in: float, fontsize: float = MAP_TEXT_PT
) -> NumberKey:
    """Add the key of numbered features (numbers 1…n in the order of ``names``), in as many
    columns as ``width_in`` inches hold."""
    entries = [f"{i} {name}" for i, name in enumerate(names, start=1)]
    longest = max(entries, key=len)
    entry_in = (
        Text(0, 0, longest, fontsize=fontsize, figure=ax.figure)
        .get_window_extent(measuring_renderer(ax.figure.dpi))
        .width
        / ax.figure.dpi
    )
    columns = max(1, int((width_in + _KEY_GAP_PT / 72) // (entry_in + _KEY_GAP_PT / 72)))
    rows = -(-len(entries) // columns)
    # A column is one text of several lines: one artist to measure and draw, not one a line.
    packed = HPacker(
        children=[
            TextArea(
                "\n".join(entries[c * rows : (c + 1) * rows]),
                textprops={"fontsize": fontsize, "color": COLORS["ink"], "linespacing": 1.4},
            )
            for c in range(columns)
            if entries[c * rows : (c + 1) * rows]
        ],
        align="top",
        pad=0,
        sep=_KEY_GAP_PT,
    )
    key = NumberKey(
        loc="upper left",
        child=packed,
        bbox_to_anchor=(0.0, 0.0),
        bbox_transform=ax.transAxes,
        frameon=False,
        borderpad=0,
    )
    ax.add_artist(key)
    return key


def _clear_points(ax, shapes, column, points, avoid, fontsize):
    """Label points moved off the symbols ``avoid`` where the polygon leaves room."""
    width_pt = ax.bbox.width * 72 / ax.figure.dpi
    metres_per_pt = (ax.get_xlim()[1] - ax.get_xlim()[0]) / width_pt
    x, y, radius = (np.asarray(v, dtype=float) for v in zip(*avoid, strict=True))
    centres = shapely.points(x, y)
    moved = []
    for polygon, point, text in zip(shapes.geometry, points, shapes[column], strict=True):
        # A CJK character is about as wide as the font size is high.
        half_text = 0.5 * fontsize * max(len(str(text)), 1)
        reach = (radius + half_text) * metres_per_pt
        if point is None or point.is_empty or not (shapely.distance(centres, point) < reach).any():
            moved.append(point)
            continue
        # Only the discs that reach the polygon can take room from it: the union of a few
        # instead of a county's hundreds.
        near = shapely.distance(centres, polygon) < reach
        room = polygon.difference(shapely.union_all(shapely.buffer(centres[near], reach[near])))
        moved.append(room.representative_point() if not room.is_empty else point)
    return moved


def finish(
    ax: Axes,
    shapes: gpd.GeoDataFrame,
    *,
    title: str | None,
    source: str | None,
    sample: bool,
    lang: str,
) -> None:
    """Title, north arrow and scale bar beside the map, and the source line under it (the
    source named once: "资料来源：" is the label's, never the caller's)."""
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
    # The coordinate system on a line of its own: one line would be wider than the map.
    source_line = label("map.separator", lang).join(p for p in parts if p)
    ax.annotate(
        "\n".join(line for line in (source_line, label("map.crs", lang)) if line),
        (0, 0),
        xycoords="axes fraction",
        xytext=(0, -4),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=MAP_TEXT_PT,
        color=COLORS["muted"],
    )


def nice_number(value: float) -> float:
    """The number of the form 1, 2, 2.5 or 5 × 10ⁿ nearest ``value`` (> 0)."""
    step = 10.0 ** math.floor(math.log10(value))
    return float(min((1, 2, 2.5, 5, 10), key=lambda m: abs(m * step - value)) * step)


def scale_ticks(width_m: float) -> list[float]:
    """The scale bar's ticks in metres: 0, half and a round length about a fifth of
    ``width_m`` (the map's width), e.g. 0 / 2,500 / 5,000."""
    length = nice_number(width_m / 5)
    return [0.0, length / 2, length]


def _scale_bar(ax, lang):
    """A two-tone bar about a fifth of the map wide with ticks at 0, half and its length,
    labelled in kilometres (公里 / km, the one unit word of every map).

    The map is in EPSG:4547 metres, so the bar's length is simply ``length`` data units (grid
    and ground distance differ by less than 0.02 % in Ganzhou).
    """
    ticks = scale_ticks(ax.get_xlim()[1] - ax.get_xlim()[0])
    height = (ax.get_ylim()[1] - ax.get_ylim()[0]) / 80
    bar = _MeasuredOnce(ax.transData)
    for i, face in enumerate((COLORS["ink"], "white")):
        bar.add_artist(
            Rectangle(
                (ticks[i], 0),
                ticks[i + 1] - ticks[i],
                height,
                facecolor=face,
                edgecolor=COLORS["ink"],
                lw=0.6,
            )
        )
    text = {"fontsize": MAP_TEXT_PT, "color": COLORS["ink"]}
    # The three ticks as one line broken by NaNs: one artist to measure and draw, not three.
    tick_x = [x for tick in ticks for x in (tick, tick, math.nan)]
    tick_y = [y for _ in ticks for y in (0.0, -height * 0.6, math.nan)]
    bar.add_artist(Line2D(tick_x, tick_y, color=COLORS["ink"], lw=0.6))
    # The ends labelled, not the middle: on a small map three numbers would run together.
    for tick in (ticks[0], ticks[-1]):
        bar.add_artist(
            Text(
                tick,
                -height * 0.9,
                numbers.number(tick / 1000, "km", lang, places=0),  # 0 and 2.5, not 0.00
                ha="center",
                va="top",
                **text,
            )
        )
    # The unit once, after the bar, rather than after every number.
    unit = unit_word("km", lang)
    bar.add_artist(Text(ticks[-1] * 1.04, height / 2, unit, ha="left", va="center", **text))
    return bar


class _MeasuredOnce(AuxTransformBox):
    """An :class:`AuxTransformBox` that measures its children once per renderer and scale.

    Laying a map out and drawing it ask the scale bar's extent several times over; its texts
    are measured each time otherwise, which a village page pays for on every locator map.
    """

    def __init__(self, aux_transform):
        super().__init__(aux_transform)
        self._measured = None

    def get_bbox(self, renderer):
        key = (id(renderer), renderer.dpi, self.aux_transform.get_affine().get_matrix().tobytes())
        if self._measured is None or self._measured[0] != key:
            bbox = super().get_bbox(renderer)
            self._measured = (key, bbox, self.ref_offset_transform.get_matrix().copy())
        else:
            self.ref_offset_transform.set_matrix(self._measured[2])
        return self._measured[1]

    def __getstate__(self) -> dict:
        # A measurement for one renderer (keyed by its id) is no part of what the box shows.
        return {**super().__getstate__(), "_measured": None}


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
