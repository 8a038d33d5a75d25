"""Classes of a choropleth and sizes of proportional symbols, with their legend entries.

Classification is mapclassify's; :func:`data_classes` is the rule for maps whose classes come
from the data's own range (no empty class, no class beyond the data).
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence

import geopandas as gpd
import matplotlib
import numpy as np
import shapely
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from analysis.core import numbers
from analysis.core.labels import label, unit_header
from analysis.core.style import COLORS
from analysis.geo.furniture import nice_number

MISSING_STYLE = {"facecolor": "#e5e5e5", "hatch": "////", "edgecolor": "#aaaaaa"}
#: Largest proportional symbol, in points² (matplotlib scatter's size unit).
MAX_SYMBOL_PT2 = 600.0
#: The marker of each kind of industry base: circles for greenhouses, squares for orange belts.
BASE_MARKERS = {"greenhouse": "o", "orange": "s"}


def _mapclassify():
    """mapclassify, imported when a map is classified: it brings scipy.stats and scikit-learn,
    seconds of start-up that a build with every page current never needs (warm kernels import
    it beforehand)."""
    import mapclassify

    return mapclassify


def classify(
    values: np.ndarray,
    scheme: str,
    *,
    k: int = 5,
    bins: Sequence[float] | None = None,
    lowest: float | None = None,
) -> tuple[np.ndarray, list[float]]:
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
    y = values[present]
    if fixed:
        binning = _mapclassify().classify(y, "user_defined", bins=list(bins), lowest=lowest)
    else:
        binning = _mapclassify().classify(y, scheme, k=min(k, len(np.unique(y))))
    codes[present] = binning.yb
    first = binning.lowest if getattr(binning, "lowest", None) is not None else y.min()
    return codes, [first, *binning.bins]


def class_colors(cmap: str, n: int) -> list[tuple[float, float, float, float]]:
    """``n`` colours of a sequential colormap, one a class."""
    # Skip the palest end of the colormap: its first colour is nearly the background.
    return [matplotlib.colormaps[cmap](x) for x in np.linspace(0.15, 0.9, n)] if n else []


def class_labels(edges: Sequence[float], fmt: str | None) -> list[str]:
    """Legend words of the classes: "[low, high]" for the first, "(low, high]" after it."""
    if len(edges) < 2:
        return []
    fmt = fmt or _auto_format(edges)
    labels = []
    for i, (low, high) in enumerate(itertools.pairwise(edges)):
        if i == 0 and low == high:  # a first class of one value: "11", not "[11, 11]"
            labels.append(fmt.format(low))
            continue
        opening = "[" if i == 0 else "("
        labels.append(f"{opening}{fmt.format(low)}, {fmt.format(high)}]")
    return labels


def _auto_format(edges):
    finite = np.abs([e for e in edges if np.isfinite(e)])
    if np.allclose(finite, np.round(finite)) or finite.max() >= 100:
        return "{:,.0f}"
    return "{:,.1f}" if finite.max() >= 10 else "{:,.2f}"


def heading(title: str, unit: str | None, lang: str) -> str:
    """A legend heading with its unit: 卫生厕所普及率（%）."""
    return label("map.heading", lang, title=title, unit=unit_header(unit, lang)) if unit else title


def draw_classes(
    ax: Axes,
    shapes: gpd.GeoDataFrame,
    codes: np.ndarray,
    colors: Sequence,
    class_labels: Sequence[str],
    lang: str,
) -> list[Patch]:
    """Fill each class (and the missing, hatched as 无数据); its legend handles, every class
    kept."""
    handles = []
    for i, (color, text) in enumerate(zip(colors, class_labels, strict=True)):
        chosen = shapes[codes == i]
        if len(chosen):
            chosen.plot(ax=ax, facecolor=color, edgecolor="white", lw=0.6)
        handles.append(Patch(facecolor=color, edgecolor=COLORS["village_edge"], lw=0.4, label=text))
    if (codes < 0).any():
        shapes[codes < 0].plot(ax=ax, lw=0.6, **MISSING_STYLE)
        handles.append(Patch(label=label("map.no_data", lang), lw=0.4, **MISSING_STYLE))
    return handles


#: How near a step of the last decimal shown a value is on it (in steps): float noise.
NOISE = 1e-9


def data_classes(
    values: np.ndarray, *, k: int = 5, decimals: int = 1
) -> tuple[np.ndarray, list[float]]:
    """Classes from the data's own range: class code per value (-1 where missing) and edges.

    The rule: Fisher–Jenks natural breaks (``mapclassify.FisherJenks``) with ``k`` classes, or
    as many as there are distinct values if fewer; the bounds are then rounded outwards to
    ``decimals`` (the lowest down, every upper bound up) so the legend shows the numbers the
    classes really use, and any class the rounding leaves empty is merged away. So every class
    holds at least one village, the first starts at the lowest value and the last ends at the
    highest: there is no empty class and none beyond the data.
    """
    values = np.asarray(values, dtype=float)
    codes = np.full(values.shape, -1)
    present = ~np.isnan(values)
    if not present.any():
        return codes, []
    y = values[present]
    factor = 10.0**decimals
    # In steps of the last decimal, a value within NOISE of a step is on it: float noise
    # beyond the decimals (0.1 * 846 = 84.60000000000001) is the value shown (84.6), for the
    # bounds and for the class a value falls in alike.
    scaled = y * factor
    lowest = math.floor(scaled.min() + NOISE) / factor
    classes = min(k, len(np.unique(y)))
    if classes < 2:
        upper = [math.ceil(scaled.max() - NOISE) / factor]
    else:
        # Without numba mapclassify says it uses its pure Python version: at a few hundred
        # villages that takes well under a second, so the warning is noise on a page.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Numba not installed")
            breaks = _mapclassify().FisherJenks(y, k=classes).bins
        upper = sorted({math.ceil(b * factor - NOISE) / factor for b in breaks})
    upper[-1] = max(upper[-1], math.ceil(scaled.max() - NOISE) / factor)
    steps = np.round(np.asarray(upper) * factor)
    found = np.searchsorted(steps, scaled - NOISE, side="left")
    used = sorted(set(found.tolist()))
    upper = [upper[i] for i in used]
    codes[present] = np.searchsorted(steps[used], scaled - NOISE, side="left")
    return codes, [lowest, *upper]


#: The palettes of classes split at a target: short of it, and reaching it.
SHORT_CMAP, REACHED_CMAP = "Oranges", "Greens"


def target_classes(
    values: np.ndarray,
    target: float,
    *,
    higher_is_better: bool = True,
    decimals: int = 1,
    lang: str = "zh",
) -> tuple[np.ndarray, list, list[str]]:
    """Classes split at a target: class code per value (-1 where missing), a colour and a
    legend word per class.

    The values short of the target and those reaching it are classed apart, each by
    :func:`data_classes` (at most 3 classes each), so no class holds both. Classes short of it
    are oranges, darker the further from it; classes that reach it are greens, darker the
    further beyond it. A class's bounds are the rounded bounds of :func:`data_classes`, except
    that the nearest class short of the target ends before it ("(80.1, 85.0)").
    """
    values = np.asarray(values, dtype=float)
    present = ~np.isnan(values)
    reached = present & ((values >= target) if higher_is_better else (values <= target))
    short = present & ~reached
    codes = np.full(values.shape, -1)
    fmt = f"{{:,.{decimals}f}}"
    short_codes, short_edges = data_classes(np.where(short, values, np.nan), k=3, decimals=decimals)
    reached_codes, reached_edges = data_classes(
        np.where(reached, values, np.nan), k=3, decimals=decimals
    )
    short_words = class_labels(short_edges, fmt)
    if short_words:
        # The edge nearest the target: a rounded bound at the target would read as reaching it.
        bound = short_edges[-1] if higher_is_better else short_edges[0]
        if (bound >= target) if higher_is_better else (bound <= target):
            closing = fmt.format(target)
            if higher_is_better:
                short_words[-1] = short_words[-1].rsplit(",", 1)[0] + f", {closing})"
            else:
                first = short_words[0]
                short_words[0] = f"({closing}," + first.split(",", 1)[1]
    n_short, n_reached = len(short_words), len(class_labels(reached_edges, fmt))
    # Darker the further from the target: the short classes' palette runs the other way.
    short_colors = class_colors(SHORT_CMAP, n_short)
    reached_colors = class_colors(REACHED_CMAP, n_reached)
    if higher_is_better:
        short_colors = short_colors[::-1]
    else:
        reached_colors = reached_colors[::-1]
    codes[short] = short_codes[short]
    codes[reached] = reached_codes[reached] + n_short
    colors = short_colors + reached_colors
    words = [label("map.below_target", lang, range=w) for w in short_words]
    words += [label("map.reached_target", lang, range=w) for w in class_labels(reached_edges, fmt)]
    return codes, colors, words


def proportional_symbols(
    ax: Axes,
    bases: gpd.GeoDataFrame,
    sizes: np.ndarray,
    *,
    scale: float,
    kind: str,
    lang: str,
) -> tuple[list[Line2D], list[tuple[float, float, float]]]:
    """One kind of base: its footprints, and translucent symbols (area ∝ 亩) over them.

    At township scale a 300-亩 base is a few pixels across, so the symbol carries the size and
    the footprint (when the base is a polygon) shows where it really lies. ``scale`` is points²
    per 亩, the same for every kind on a map so that their sizes compare. Returns the legend
    handles (two or three reference sizes) and the symbols drawn as ``(x, y, radius in
    points)``, for labels to keep clear of.
    """
    color = COLORS[kind]
    marker = BASE_MARKERS[kind]
    face = (*matplotlib.colors.to_rgb(color), 0.35)
    polygonal = shapely.area(np.asarray(bases.geometry.values)) > 0
    if polygonal.any():
        bases[polygonal].plot(ax=ax, facecolor=color, edgecolor="none", zorder=6)
    anchor = bases.geometry.representative_point()
    area = np.asarray(sizes, dtype=float) * scale
    ax.scatter(
        anchor.x,
        anchor.y,
        s=area,
        marker=marker,
        facecolor=face,
        edgecolor=color,
        linewidth=0.8,
        zorder=7,
    )
    # A square's corner reaches √2 of its half side from the centre.
    reach = np.sqrt(area) / 2 * (math.sqrt(2) if marker == "s" else 1.0)
    drawn = list(zip(anchor.x, anchor.y, reach, strict=True))
    handles = [
        Line2D(
            [],
            [],
            linestyle="",
            marker=marker,
            markersize=math.sqrt(value * scale),
            markerfacecolor=face,
            markeredgecolor=color,
            label=label(
                "map.base_size",
                lang,
                kind=label(f"map.{kind}", lang),
                value=numbers.figure(value, "亩", lang, places=0),  # a round size: 100亩
            ),
        )
        for value in legend_values(np.asarray(sizes, dtype=float))
    ]
    return handles, drawn


def legend_values(sizes: np.ndarray) -> list[float]:
    """Two or three round reference sizes for the symbols drawn: about the largest, about a
    quarter of it, and about a sixteenth of it when symbols that small are on the map."""
    sizes = sizes[np.isfinite(sizes) & (sizes > 0)]
    if not len(sizes):
        return []
    big = nice_number(float(sizes.max()))
    values = [big, nice_number(big / 4)]
    if sizes.min() < big / 8:
        values.append(nice_number(big / 16))
    return sorted(set(values))
