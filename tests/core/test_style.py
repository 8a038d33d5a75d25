"""analysis.core.style: the page canvas draws what matplotlib draws, however often it has drawn."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from shapely.geometry import box

from analysis.core import style
from analysis.core.trends import project
from analysis.geo import maps
from analysis.reporting.charts import fan_chart


def _pixels(canvas_class, figure) -> np.ndarray:
    canvas = canvas_class(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def _figures():
    names = ["青光村", "新圩", "老圩", "八角村"]
    layer = gpd.GeoDataFrame(
        {"code": [f"36072210320{i}" for i in range(4)], "name": names},
        geometry=[
            box(500_000 + i * 3000, 2_810_000, 503_000 + i * 3000, 2_813_000) for i in range(4)
        ],
        crs="EPSG:4547",
    )
    history = pd.Series([120, 80, 55, 30, 18, 10], index=range(2014, 2020), dtype=float)
    return [
        maps.locator_map(layer, "360722103201", sample=True),  # haloed labels: text as paths
        fan_chart(history, project(history, 2020, kind="count"), title="未脱贫户数", unit="户"),
    ]


def test_page_canvas_draws_the_pixels_of_matplotlibs_canvas_again_and_again():
    for _ in range(2):  # the second time from the kept metrics and outlines
        for figure in _figures():
            np.testing.assert_array_equal(
                _pixels(style.PageCanvas, figure), _pixels(FigureCanvasAgg, figure)
            )
    assert style._METRICS and style._TEXT_TO_PATH._memo


def test_kept_text_metrics_tell_fonts_and_sizes_apart():
    renderer = style.measuring_renderer(100)
    prop = style.FontProperties(family="sans-serif", size=8)
    small = renderer.get_text_width_height_descent("新新村", prop, False)
    prop.set_size(16)
    large = renderer.get_text_width_height_descent("新新村", prop, False)
    assert large[0] > 1.8 * small[0]
    assert renderer.get_text_width_height_descent("新新村民委员会", prop, False)[0] > large[0]
