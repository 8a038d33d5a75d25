"""analysis.geo.maps: baselines for each map kind, fixed classes, furniture, saving, real boundaries.

Baselines live in tests/geo/baseline/ and are compared as geopandas compares its plots, with
``matplotlib.testing.compare.compare_images``. After an intended change, rewrite them with
``MINSHENG_REGEN_BASELINES=1`` and look at every image before committing it.
"""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from shapely.geometry import LineString, Point, box

from analysis.geo import classes, furniture, maps
from analysis.geo import layers as geo

FIGSIZE = (6.0, 5.0)
DPI = 70

X0, Y0 = 500_000.0, 2_810_000.0  # EPSG:4547 metres near 信丰
#: Fixed classes (upper bounds, per 100 households) of the sanitation maps drawn here.
BINS = (20.0, 40.0, 60.0, 80.0, 100.0)


@pytest.fixture(autouse=True)
def _missing_glyphs_are_errors():
    # pyproject.toml already turns these into errors; this keeps it so under any -W option.
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*Glyph.*")
        warnings.filterwarnings("error", message=".*missing from font.*")
        yield


def _png(fig: Figure):
    """What the ``baseline`` fixture saves: the map as the package saves it."""
    return lambda path: maps.save_figure(fig, path, dpi=DPI)


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _legend_labels(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


# --------------------------------------------------------------------------------------------
# Small hand-made layers (stored CRS, as the package keeps them)


@pytest.fixture(scope="module")
def villages():
    names = ["青光村", "新圩", "老圩", "八角村", "竹村村", "新塘村"]
    cells = [
        box(X0 + i * 3000, Y0 + j * 3000, X0 + (i + 1) * 3000, Y0 + (j + 1) * 3000)
        for j in range(2)
        for i in range(3)
    ]
    layer = gpd.GeoDataFrame(
        {
            "code": [f"36072210320{i}" for i in range(6)],
            "name": names,
            "toilets_per_100": [12.0, 35.0, 58.0, 71.0, 96.0, np.nan],
        },
        geometry=cells,
        crs="EPSG:4547",
    )
    return geo.to_storage(layer)


@pytest.fixture(scope="module")
def road():
    line = LineString([(X0 - 500, Y0 + 2600), (X0 + 4500, Y0 + 3100), (X0 + 9500, Y0 + 3300)])
    return geo.to_storage(gpd.GeoDataFrame({"name": ["G357"]}, geometry=[line], crs="EPSG:4547"))


@pytest.fixture(scope="module")
def bases():
    layer = gpd.GeoDataFrame(
        {
            "name": ["青光村蔬菜基地", "老圩蔬菜基地", "八角村脐橙基地", "竹村村脐橙基地"],
            "village_code": ["360722103200", "360722103202", "360722103203", "360722103204"],
            "kind": ["greenhouse", "greenhouse", "orange", "orange"],
            "area_mu": [150.0, 600.0, 1700.0, 1300.0],
        },
        geometry=[
            box(X0 + 1200, Y0 + 2300, X0 + 1600, Y0 + 2550),
            box(X0 + 6400, Y0 + 2900, X0 + 7300, Y0 + 3350),
            box(X0 + 300, Y0 + 3700, X0 + 2000, Y0 + 4400),
            box(X0 + 3600, Y0 + 4200, X0 + 4900, Y0 + 4900),
        ],
        crs="EPSG:4547",
    )
    return geo.to_storage(layer)


@pytest.fixture(scope="module")
def points():
    layer = gpd.GeoDataFrame(
        {"kind": ["public_toilet", "public_toilet", "sewage_site", *["household_toilet"] * 4]},
        geometry=[
            Point(X0 + 1500, Y0 + 1500),
            Point(X0 + 4400, Y0 + 4200),
            Point(X0 + 7600, Y0 + 1100),
            Point(X0 + 700, Y0 + 600),
            Point(X0 + 2300, Y0 + 900),
            Point(X0 + 5200, Y0 + 2400),
            Point(X0 + 8100, Y0 + 5200),
        ],
        crs="EPSG:4547",
    )
    return geo.to_storage(layer)


# --------------------------------------------------------------------------------------------
# Baselines


def test_choropleth_baseline(villages, baseline):
    fig = maps.choropleth(
        villages,
        "toilets_per_100",
        scheme="quantiles",
        k=3,
        title="卫生厕所普及情况",
        legend_title="卫生厕所",
        unit="座/百户",
        source="村级台账",
        sample=True,
        label_column="name",
        figsize=FIGSIZE,
    )
    baseline(_png(fig), "choropleth")


def test_corridor_map_baseline(villages, road, bases, baseline):
    fig = maps.corridor_map(
        villages, road, bases, width_km=2.0, source="县农业农村局", sample=True, figsize=FIGSIZE
    )
    baseline(_png(fig), "corridor_map")


def test_sanitation_map_baseline(villages, points, baseline):
    fig = maps.sanitation_map(
        villages,
        "toilets_per_100",
        points,
        bins=BINS,
        source="镇卫生院",
        sample=True,
        figsize=FIGSIZE,
    )
    baseline(_png(fig), "sanitation_map")


def test_locator_map_baseline(villages, baseline):
    fig = maps.locator_map(villages, "360722103204", figsize=FIGSIZE)
    baseline(_png(fig), "locator_map")


# --------------------------------------------------------------------------------------------
# Behaviour


def test_every_map_carries_title_units_source_north_arrow_and_scale_bar(
    villages, road, bases, points
):
    figures = {
        "choropleth": maps.choropleth(
            villages, "toilets_per_100", unit="座/百户", title="标题", source="台账", sample=True
        ),
        "corridor": maps.corridor_map(
            villages, road, bases, title="标题", source="台账", sample=True
        ),
        "sanitation": maps.sanitation_map(
            villages, "toilets_per_100", points, bins=BINS, title="标题", source="台账", sample=True
        ),
        "locator": maps.locator_map(villages, "360722103200", source="台账", sample=True),
    }
    for kind, fig in figures.items():
        texts = " ".join(_texts(fig))
        assert fig.axes[0].get_title(), kind
        assert "资料来源：台账" in texts and "示例数据" in texts, kind
        assert "北" in texts and "公里" in texts, kind
        assert fig.axes[0].get_legend() is not None, kind
    assert "（座/百户）" in figures["choropleth"].axes[0].get_legend().get_title().get_text()
    assert any("亩" in label for label in _legend_labels(figures["corridor"]))
    plain = maps.locator_map(villages, "360722103200")
    assert "示例数据" not in " ".join(_texts(plain))


def test_maps_speak_english_when_asked(villages, road, bases, points):
    figures = [
        maps.corridor_map(villages, road, bases, source="ledger", sample=True, lang="en"),
        maps.sanitation_map(villages, "toilets_per_100", points, bins=BINS, lang="en"),
        maps.locator_map(villages, "360722103200", lang="en"),
    ]
    for fig in figures:
        # English, but for the village names and the sample mark.
        texts = [t.replace("示例数据", "") for t in _texts(fig)]
        for name in villages["name"]:
            texts = [t.replace(name, "") for t in texts]
        assert not [t for t in texts if re.search(r"[\u3400-\u9fff]", t)]
    corridor = " ".join(_texts(figures[0]))
    assert "Source: ledger" in corridor and "km" in corridor and "Legend" in corridor
    assert "(per 100 households)" in figures[1].axes[0].get_legend().get_title().get_text()
    assert figures[2].axes[0].get_title() == "Location of 青光村"


def test_maps_are_drawn_in_metres(villages):
    fig = maps.locator_map(villages, "360722103200")
    xmin, xmax = fig.axes[0].get_xlim()
    assert X0 - 1000 < xmin < X0 and X0 + 9000 < xmax < X0 + 10_000


def test_sanitation_classes_are_fixed_across_years(villages, points):
    later = villages.assign(toilets_per_100=[88.0, 91.0, 95.0, 97.0, 99.0, 100.0])
    first = _legend_labels(maps.sanitation_map(villages, "toilets_per_100", points, bins=BINS))
    second = _legend_labels(maps.sanitation_map(later, "toilets_per_100", points, bins=BINS))
    classes = ["[0, 20]", "(20, 40]", "(40, 60]", "(60, 80]", "(80, 100]"]
    assert first[:5] == second[:5] == classes
    assert "无数据" in first and "无数据" not in second
    with pytest.raises(ValueError, match="outside the fixed classes"):
        maps.sanitation_map(
            villages.assign(toilets_per_100=120.0), "toilets_per_100", points, bins=BINS
        )
    with pytest.raises(ValueError, match="unknown point kinds"):
        maps.sanitation_map(villages, "toilets_per_100", points.assign(kind="well"), bins=BINS)


def test_choropleth_user_defined_keeps_empty_classes_and_their_colours(villages):
    def legend(layer):
        fig = maps.choropleth(
            layer, "toilets_per_100", scheme="user_defined", bins=[25, 50, 75, 100]
        )
        handles = fig.axes[0].get_legend().legend_handles
        return _legend_labels(fig), [h.get_facecolor() for h in handles]

    low = villages.assign(toilets_per_100=[1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    labels_low, colours_low = legend(low)
    labels_mixed, colours_mixed = legend(villages)
    assert labels_low[1:] == labels_mixed[1:4] == ["(25, 50]", "(50, 75]", "(75, 100]"]
    assert colours_low == colours_mixed[:4]


def test_choropleth_into_a_given_axes(villages):
    fig = Figure(figsize=(8, 4))
    left, right = fig.subplots(1, 2)
    assert maps.choropleth(villages, "toilets_per_100", k=2, ax=right) is fig
    assert right.get_legend() is not None and left.get_legend() is None


def test_bad_inputs_raise_clear_errors(villages, road, bases):
    with pytest.raises(ValueError, match="no village with code == '999'"):
        maps.locator_map(villages, "999")
    with pytest.raises(ValueError, match="unknown base kinds"):
        maps.corridor_map(villages, road, bases.assign(kind="tea"))
    with pytest.raises(ValueError, match="needs bins"):
        maps.choropleth(villages, "toilets_per_100", scheme="user_defined")


def test_save_figure_writes_each_format_atomically(villages, tmp_path):
    fig = maps.locator_map(villages, "360722103200", figsize=(3, 3))
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}
    for suffix, start in magic.items():
        path = maps.save_figure(fig, tmp_path / "out" / f"map.{suffix}", dpi=40)
        assert path.read_bytes().startswith(start)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["map.pdf", "map.png", "map.svg"]
    # Same figure, same bytes: no dates, no random ids.
    first = (tmp_path / "out" / "map.svg").read_bytes()
    assert maps.save_figure(fig, tmp_path / "out" / "map.svg").read_bytes() == first
    with pytest.raises(ValueError, match="unsupported figure format"):
        maps.save_figure(fig, tmp_path / "map.jpg")
    assert not (tmp_path / "map.jpg").exists()


# --------------------------------------------------------------------------------------------
# Real boundaries (../shared; licence unclear, so no baseline image of them is stored)


@pytest.mark.shared
@pytest.mark.filterwarnings("ignore:Numba not installed:UserWarning")
def test_choropleth_of_ganzhou_counties(shared_dir, tmp_path):
    path = shared_dir / "realdata" / "ganzhou_counties_datav.geojson"
    # DataV boundaries come from AMap: GCJ-02 lon/lat although GeoJSON declares WGS84.
    counties = geo.read_layer(path, coord_sys="gcj02")
    as_declared = geo.read_layer(path)
    shift_m = geo.to_measure(as_declared).centroid.distance(geo.to_measure(counties).centroid)
    assert shift_m.between(300, 1000).all()  # the GCJ-02 offset here is ~600 m

    counties["area_km2"] = geo.to_measure(counties).area / 1e6
    assert len(counties) == 18
    # Published: 赣州市 39,379 km², 信丰县 2,878 km²; the DataV outline is simplified.
    assert counties["area_km2"].sum() == pytest.approx(39_379, rel=0.01)
    xinfeng = counties.loc[counties["name"] == "信丰县", "area_km2"].iloc[0]
    assert xinfeng == pytest.approx(2_878, rel=0.02)

    fig = maps.choropleth(
        counties,
        "area_km2",
        scheme="fisher_jenks",
        k=5,
        title="赣州市各县（市、区）面积",
        legend_title="面积",
        unit="平方公里",
        source="DataV.GeoAtlas（经 anzhou99/GeoJsons）",
        label_column="name",
        figsize=FIGSIZE,
    )
    texts = _texts(fig)
    assert set(counties["name"]) <= set(texts)
    assert len(_legend_labels(fig)) == 5
    # Rendering is where a missing glyph would surface (as an error, see the fixture above).
    maps.save_figure(fig, tmp_path / "ganzhou.png", dpi=DPI)


def test_a_map_is_sized_to_its_frame_which_nothing_overlaps(villages, road, bases, points):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.offsetbox import AnchoredOffsetbox

    figures = [
        maps.corridor_map(villages, road, bases, source="台账", sample=True, figsize=FIGSIZE),
        maps.sanitation_map(
            villages, "toilets_per_100", points, bins=BINS, source="台账", figsize=FIGSIZE
        ),
        maps.locator_map(villages, "360722103204", source="台账", figsize=(4.5, 4.0)),
    ]
    for fig in figures:
        renderer = FigureCanvasAgg(fig).get_renderer()
        fig.draw(renderer)
        ax = fig.axes[0]
        legend = ax.get_legend().get_window_extent(renderer)
        (furniture,) = [a.get_window_extent(renderer) for a in ax.artists]
        assert isinstance(ax.artists[0], AnchoredOffsetbox)
        source = next(t for t in ax.texts if "台账" in t.get_text())
        source = source.get_window_extent(renderer)
        title = ax.title.get_window_extent(renderer)
        frame = [ax.bbox, legend, furniture, source, title]
        # Everything on the figure, within a pixel; no more than the margin of white around.
        assert all(fig.bbox.x0 - 1 <= b.x0 and b.x1 <= fig.bbox.x1 + 1 for b in frame)
        assert all(fig.bbox.y0 - 1 <= b.y0 and b.y1 <= fig.bbox.y1 + 1 for b in frame)
        margin = 0.1 * fig.dpi + 1
        assert min(b.x0 for b in frame) <= margin and min(b.y0 for b in frame) <= margin
        assert fig.bbox.x1 - max(b.x1 for b in frame) <= margin
        assert fig.bbox.y1 - max(b.y1 for b in frame) <= margin
        # The legend, the furniture and the source line keep apart.
        assert not legend.overlaps(furniture)
        assert source.y1 <= min(furniture.y0, ax.bbox.y0)
        assert fig.get_layout_engine() is None


def test_a_corridor_map_of_villages_the_road_misses_lists_no_road(villages, road, bases):
    far = road.assign(geometry=road.geometry.translate(xoff=0.0, yoff=1.0))  # a degree north
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # geopandas warns when asked to plot an empty band
        fig = maps.corridor_map(villages, far, bases, lang="zh")
    labels = _legend_labels(fig)
    assert not [t for t in labels if "G357" in t or "走廊" in t]
    assert any("亩" in t for t in labels)
    assert any("G357" in t for t in _legend_labels(maps.corridor_map(villages, road, bases)))


# --------------------------------------------------------------------------------------------
# Labels that fit, numbered keys, target classes, locators (issue 28)


def _grid(columns: int, rows: int, size: float = 1500.0, names=None) -> gpd.GeoDataFrame:
    cells = [
        box(X0 + i * size, Y0 + j * size, X0 + (i + 1) * size, Y0 + (j + 1) * size)
        for j in range(rows)
        for i in range(columns)
    ]
    n = len(cells)
    names = names or [f"第{i}号示例村" for i in range(n)]
    layer = gpd.GeoDataFrame(
        {
            "code": [f"360722103{200 + i:03d}" for i in range(n)],
            "name": names,
            "value": np.linspace(60.0, 95.0, n),
        },
        geometry=cells,
        crs="EPSG:4547",
    )
    return geo.to_storage(layer)


def _label_boxes(fig: Figure):
    from analysis.core.style import measuring_renderer

    ax = fig.axes[0]
    renderer = measuring_renderer(fig.dpi)
    return [
        (t.get_text(), t.get_window_extent(renderer))
        for t in ax.texts
        if isinstance(t, Text) and getattr(t, "xycoords", "data") == "data"
    ]


def test_a_map_of_twenty_villages_or_more_numbers_them_with_a_key_and_no_label_overlaps():
    layer = _grid(6, 5)  # 30 villages
    fig = maps.choropleth(
        layer, "value", scheme=maps.DATA_SCHEME, label_column="name", label_fit=True
    )
    keys = [a for a in fig.axes[0].artists if isinstance(a, furniture.NumberKey)]
    assert len(keys) == 1
    key_texts = [line for t in keys[0].findobj(Text) for line in t.get_text().split("\n")]
    assert "1 第24号示例村" in key_texts  # the top left village is read first
    assert len(key_texts) == 30
    labels = _label_boxes(fig)
    assert sorted(int(text) for text, _ in labels) == list(range(1, 31))
    assert not [name for name in layer["name"] if name in _texts(fig) and name not in key_texts]
    boxes = [b for _, b in labels]
    assert not [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b)]


def test_a_town_map_names_a_village_only_where_its_name_fits():
    names = ["甲村", "一个名字非常非常长以至于放不下的村", "乙村", "丙村", "丁村", "戊村"]
    layer = _grid(6, 1, size=2500.0, names=names)
    fig = maps.choropleth(
        layer, "value", scheme=maps.DATA_SCHEME, label_column="name", label_fit=True
    )
    texts = _texts(fig)
    assert {"甲村", "乙村", "丙村", "丁村", "戊村"} <= set(texts)
    assert names[1] not in texts
    assert not [a for a in fig.axes[0].artists if isinstance(a, furniture.NumberKey)]
    # Without the fit test (a county's towns) every name is drawn.
    assert names[1] in _texts(maps.choropleth(layer, "value", label_column="name"))


def test_classes_with_a_target_split_at_it_and_never_colour_a_short_value_as_reaching_it():
    values = np.array([80.2, 81.0, 82.4, 83.0, 84.96, np.nan])
    codes, colors, words = classes.target_classes(values, 85.0, decimals=1)
    assert all("未达目标" in w for w in words)  # none reaches 85: no class reads as reached
    assert "85.0)" in words[-1]  # the nearest class ends before the target, not at it
    greens = set(classes.class_colors(classes.REACHED_CMAP, 3))
    assert not greens & set(colors)
    assert codes[-1] == -1
    reached = np.array([70.0, 86.0, 90.0, 99.0])
    codes, colors, words = classes.target_classes(reached, 85.0, decimals=1)
    assert sum("未达目标" in w for w in words) == 1
    assert "未达目标" in words[codes[0]] and "达到目标" in words[codes[1]]
    # Lower is better: a value at or below the target reaches it.
    codes, _, words = classes.target_classes(np.array([3.0, 5.0, 8.0]), 5.0, higher_is_better=False)
    assert "达到目标" in words[codes[1]] and "未达目标" in words[codes[2]]


def test_a_locator_shows_the_town_with_its_neighbours_and_no_further():
    town = _grid(4, 4, size=1000.0)  # 4 km square town
    around = gpd.GeoDataFrame(
        {"name": ["东邻镇", "北邻镇"]},
        geometry=[
            box(X0 + 4000, Y0, X0 + 20000, Y0 + 7000),
            box(X0, Y0 + 4000, X0 + 4000, Y0 + 20000),
        ],
        crs="EPSG:4547",
    )
    fig = maps.locator_map(town, town["code"].iloc[5], neighbours=geo.to_storage(around))
    ax = fig.axes[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    minx, miny, maxx, maxy = geo.to_measure(town).total_bounds
    # The town in view, with a margin, but nothing beyond the town and its neighbours.
    assert x0 <= minx and x1 >= maxx and y0 <= miny and y1 >= maxy
    assert x0 >= minx - 1 and y0 >= miny - 1  # no neighbour west or south: the view stops there
    assert x1 <= maxx + 0.2 * 4000 + 1 and y1 <= maxy + 0.2 * 4000 + 1
    assert "相邻乡镇" in _legend_labels(fig)


def test_a_corridor_map_is_not_titled_by_a_road_it_does_not_draw(villages, bases):
    far = LineString([(X0, Y0 + 90_000), (X0 + 9000, Y0 + 90_000)])
    road = geo.to_storage(gpd.GeoDataFrame({"name": ["G357"]}, geometry=[far], crs="EPSG:4547"))
    fig = maps.corridor_map(villages, road, bases)
    assert fig.axes[0].get_title() == "蔬菜与脐橙产业基地"
    assert "G357" not in " ".join(_texts(fig))


def test_a_maps_text_is_9_points_or_more_on_a_figure_no_wider_than_a_word_page(
    villages, road, bases
):
    for fig in (
        maps.corridor_map(villages, road, bases, sample=True),
        maps.choropleth(_grid(6, 5), "value", label_column="name", label_fit=True, source="台账"),
    ):
        ax = fig.axes[0]
        hidden = {ax.xaxis.label, ax.yaxis.label}  # the axes are off: never drawn
        sizes = {t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t not in hidden}
        assert min(sizes) >= furniture.MAP_TEXT_PT == 9
        assert fig.get_size_inches()[0] <= 156 / 25.4  # the Word summary's text width
