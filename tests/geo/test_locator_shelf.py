"""A locator map drawn on its town's figure handed back (maps.release_locator) is the map a new
figure gives, pixel for pixel; a figure not handed back is never drawn on again."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

from analysis.geo import layers as geo
from analysis.geo import maps
from analysis.geo.shelf import Shelf
from analysis.reporting.pictures import png_bytes
from analysis.reporting.sections import figure_alt

X0, Y0 = 500_000.0, 2_810_000.0  # EPSG:4547 metres near 信丰
#: Names of every length: the legend's width, and with it the figure's size, changes.
NAMES = ["青光村", "新圩", "八角村村民委员会", "竹村", "新塘村", "老圩居委会"]


def _town() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    cells = [
        box(X0 + i * 1500, Y0 + j * 1500, X0 + (i + 1) * 1500, Y0 + (j + 1) * 1500)
        for j in range(2)
        for i in range(3)
    ]
    villages = gpd.GeoDataFrame(
        {"code": [f"360722103{200 + i:03d}" for i in range(6)], "short_name": NAMES},
        geometry=cells,
        crs="EPSG:4547",
    )
    around = gpd.GeoDataFrame(
        {"code": ["360722104", "360722105"], "name": ["东邻镇", "北邻镇"]},
        geometry=[
            box(X0 + 4500, Y0, X0 + 20000, Y0 + 7000),
            box(X0, Y0 + 3000, X0 + 4500, Y0 + 9000),
        ],
        crs="EPSG:4547",
    )
    return geo.to_storage(villages), geo.to_storage(around)


def _shown(fig, lang: str) -> tuple:
    """What a page shows of a map: its PNG, alternative text and size."""
    return png_bytes(fig, dpi=100), figure_alt(fig, lang), tuple(fig.get_size_inches())


def test_a_locator_on_its_towns_figure_handed_back_is_the_map_a_new_figure_draws():
    villages, around = _town()
    codes = list(villages["code"])
    for lang in ("zh", "en"):
        options = {"neighbours": around, "label_column": "short_name", "sample": True, "lang": lang}
        new = {code: _shown(maps.locator_map(villages, code, **options), lang) for code in codes}
        # The longest name first, then shorter and longer ones, each on the last one's figure.
        order = [codes[2], codes[3], codes[0], codes[5], codes[1], codes[4], codes[2]]
        figures = set()
        for code in order:
            fig = maps.locator_map(villages, code, **options)
            figures.add(id(fig))
            assert _shown(fig, lang) == new[code], code
            maps.release_locator(fig)
        assert len(figures) == 1  # drawn on again each time


def test_a_locator_not_handed_back_is_never_drawn_on_again():
    villages, around = _town()
    options = {"neighbours": around, "label_column": "short_name"}
    first = maps.locator_map(villages, villages["code"].iloc[0], **options)
    kept = _shown(first, "zh")
    second = maps.locator_map(villages, villages["code"].iloc[1], **options)
    assert second is not first and _shown(first, "zh") == kept
    maps.release_locator(second)
    # Another town's layers (other objects, the same figures) are drawn on a new figure.
    other, _ = _town()
    third = maps.locator_map(other, other["code"].iloc[1], **options)
    assert third is not second
    fourth = maps.locator_map(villages, villages["code"].iloc[3], **options)
    assert fourth is second


def test_a_shelf_gives_back_only_what_was_handed_back_and_keeps_the_last_few():
    shelf: Shelf[str] = Shelf(keep=2)
    figures = [maps.Figure() for _ in range(3)]
    for figure, held in zip(figures, "abc", strict=True):
        shelf.lend(figure, held)
    assert shelf.take(lambda held: True) is None
    for figure in figures:
        shelf.release(figure)
    shelf.release(figures[0])  # twice, or one it did not lend: left alone
    assert shelf.take(lambda held: held == "a") is None  # the oldest, no longer kept
    assert shelf.take(lambda held: True) == "c"
    assert shelf.take(lambda held: True) == "b"
    assert shelf.take(lambda held: True) is None
