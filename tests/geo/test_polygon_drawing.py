"""The locator map draws its polygons itself: the same pixels, limits and axis labels as
``GeoDataFrame.plot`` gives, for polygons, multipolygons and holes."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from matplotlib.figure import Figure
from shapely.geometry import MultiPolygon, Polygon

from analysis import config
from analysis.core.style import PageCanvas
from analysis.geo import maps

STYLE = {"facecolor": "#dfe8d0", "edgecolor": "#555555", "lw": 0.6}


def _shapes() -> gpd.GeoDataFrame:
    square = Polygon([(0, 0), (1000, 0), (1000, 1000), (0, 1000)])
    holed = Polygon(
        [(1200, 0), (2400, 0), (2400, 900), (1200, 900)],
        holes=[[(1500, 200), (2000, 200), (2000, 600), (1500, 600)]],
    )
    islands = MultiPolygon(
        [
            Polygon([(0, 1200), (600, 1200), (300, 1800)]),
            Polygon([(900, 1300), (1500, 1300), (1200, 1900)]),
        ]
    )
    return gpd.GeoDataFrame(
        {"code": ["a", "b", "c", "d"]},
        geometry=[square, holed, islands, None],
        crs=config.MEASURE_CRS,
    )


def _drawn(plot) -> tuple[np.ndarray, tuple, tuple]:
    figure = Figure(figsize=(3, 3))
    ax = figure.add_subplot()
    plot(ax)
    canvas = PageCanvas(figure)
    canvas.draw()
    labels = (ax.get_xlabel(), ax.get_ylabel(), ax.get_aspect())
    return np.asarray(canvas.buffer_rgba()).copy(), (ax.get_xlim(), ax.get_ylim()), labels


def test_polygons_are_drawn_as_geopandas_draws_them():
    shapes = _shapes()
    ours = _drawn(lambda ax: maps._plot_polygons(ax, shapes, **STYLE))
    theirs = _drawn(lambda ax: shapes.plot(ax=ax, **STYLE))
    assert np.array_equal(ours[0], theirs[0])
    assert ours[1:] == theirs[1:]
    # Something was drawn: not the empty axes.
    assert not np.array_equal(ours[0], _drawn(lambda ax: None)[0])
