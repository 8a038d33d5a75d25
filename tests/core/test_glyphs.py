"""Rare characters (issue 31): names with CJK Extension B characters the house font lacks are
drawn from the fallback fonts, or spelled by their components where no font has them; never a
box. The equivalence table is the one source of the spellings."""

from __future__ import annotations

import csv
import subprocess
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from matplotlib._text_helpers import layout
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.text import Text
from shapely.geometry import box

from analysis.core import glyphs, style
from analysis.core.trends import project
from analysis.geo import maps
from analysis.reporting.charts import fan_chart

ZHU, BA = "\U00023d66", "\U00020bb7"  # 𣵦 (氵甸), 𠮷 (土口)
NAMES = [f"竹{ZHU}村", f"八{BA}村", "青光村", "新圩"]
HANAMIN_B = style.FALLBACK_FONTS["HanaMinB"]

needs_fallback = pytest.mark.skipif(
    not HANAMIN_B.exists(), reason="fonts-hanazono is not installed (.ci/run installs it)"
)


@pytest.fixture
def without_fallback(monkeypatch):
    """The chain as on a machine without fonts-hanazono."""
    monkeypatch.setattr(style, "fallback_families", lambda: ())


def _map(code: str = "360722103200") -> Figure:
    """A locator of the village ``code`` (竹…村 by default): a locator names its own village."""
    layer = gpd.GeoDataFrame(
        {"code": [f"36072210320{i}" for i in range(4)], "name": NAMES},
        geometry=[
            box(500_000 + i * 3000, 2_810_000, 503_000 + i * 3000, 2_813_000) for i in range(4)
        ],
        crs="EPSG:4547",
    )
    return maps.locator_map(layer, code, sample=True)


def _chart() -> Figure:
    history = pd.Series([120, 80, 55, 30, 18, 10], index=range(2014, 2020), dtype=float)
    return fan_chart(
        history, project(history, 2020, kind="count"), title=f"{NAMES[0]}未脱贫户数", unit="户"
    )


def _texts_with(figure: Figure, char: str) -> list[Text]:
    return [t for t in figure.findobj(Text) if char in t.get_text()]


def _glyph_pixels(**font) -> np.ndarray:
    """The pixels of 𣵦 drawn alone on a small canvas."""
    figure = Figure(figsize=(1, 1), dpi=100)
    FigureCanvasAgg(figure)
    figure.text(0.1, 0.2, ZHU, fontsize=40, **font)
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba()).copy()


def test_the_table_spells_each_character_by_its_components_and_names_its_code_point():
    with glyphs.TABLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    codes = {r["character"]: r["code_point"] for r in rows}
    assert codes.items() >= {ZHU: "U+23D66", BA: "U+20BB7"}.items()
    assert glyphs.spelled_out(ZHU) == "（氵甸）"
    assert glyphs.fold_components("小（氵甸）村委会") == f"小{ZHU}村委会"
    assert glyphs.fold_components("八(土口)村") == f"八{BA}村"
    # Brackets that are no component spelling of the table stay as they are.
    assert glyphs.fold_components("青光村（一组）") == "青光村（一组）"


def test_a_row_whose_code_point_is_not_its_character_is_refused(tmp_path, monkeypatch):
    table = tmp_path / "rare.csv"
    table.write_text("character,code_point,components,example\n𣵦,U+23D67,氵甸,x\n", "utf-8")
    monkeypatch.setattr(glyphs, "TABLE", table)
    glyphs.component_forms.cache_clear()
    try:
        with pytest.raises(ValueError, match="U\\+23D67"):
            glyphs.component_forms()
    finally:
        glyphs.component_forms.cache_clear()


@needs_fallback
def test_a_rare_character_is_drawn_with_the_fallback_fonts_glyph():
    style.use_house_style()
    chained = _glyph_pixels()
    # The same text drawn in the fallback font itself: the same pixels.
    assert np.array_equal(chained, _glyph_pixels(fontproperties=FontProperties(fname=HANAMIN_B)))
    # Not the house font's empty box.
    with pytest.warns(UserWarning, match="missing from font"):
        boxed = _glyph_pixels(fontproperties=FontProperties(fname=style.font_path()))
    assert not np.array_equal(chained, boxed)


@needs_fallback
@pytest.mark.parametrize("make", [_map, _chart], ids=["map", "chart"])
def test_maps_and_charts_draw_the_names_rare_characters_from_the_fallback_font(make):
    figure = make()
    texts = _texts_with(figure, ZHU)
    assert texts, "the name is on the figure as written"
    for text in texts:
        # The fonts Agg draws this text with, and the font each of its characters comes from.
        chain = get_font(fontManager._find_fonts_by_props(text.get_fontproperties()))
        used = {item.char: item.ft_object.fname for item in layout(text.get_text(), chain)}
        assert used[ZHU] == str(HANAMIN_B)
        assert used["竹"] == str(style.font_path())  # the rest stays in the house font
    FigureCanvasAgg(figure).draw()  # and no missing-glyph warning (an error in the tests)


#: Pixels per point the label tests draw at: every character cell then starts on a whole pixel.
_PX_PER_PT = 2


def _ink(rgba: np.ndarray) -> np.ndarray:
    """The darkness of the drawn part of ``rgba``, cropped to its ink."""
    dark = 255.0 - rgba[..., :3].mean(axis=2)
    ys, xs = np.nonzero(dark > 55)
    return dark[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def _cell(figure: Figure, text: Text, index: int) -> tuple[np.ndarray, tuple[float, float]]:
    """The ink of the ``index``-th character (all full width) of ``text`` as ``figure`` draws
    it, and where that character's cell starts, in pixels."""
    figure.set_dpi(72 * _PX_PER_PT)
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    box = text.get_window_extent(canvas.get_renderer())
    em = round(text.get_fontsize() * _PX_PER_PT)
    if text.get_ha() == "center":
        box.x0 = box.x0 + (box.width - len(text.get_text()) * em) / 2
    x, top = round(box.x0 + index * em), rgba.shape[0]
    crop = rgba[int(top - box.y1) : int(np.ceil(top - box.y0)), x : x + em]
    return _ink(crop), (box.x0 + index * em, box.y0)


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Normalised correlation of two inks, at the best of the shifts up to a pixel."""
    height, width = max(a.shape[0], b.shape[0]) + 2, max(a.shape[1], b.shape[1]) + 2
    first = np.zeros((height, width))
    first[1 : 1 + a.shape[0], 1 : 1 + a.shape[1]] = a
    best = 0.0
    for dy in range(3):
        for dx in range(3):
            second = np.zeros((height, width))
            second[dy : dy + b.shape[0], dx : dx + b.shape[1]] = b[: height - dy, : width - dx]
            norm = np.sqrt((first * first).sum() * (second * second).sum())
            best = max(best, float((first * second).sum() / norm))
    return best


def _drawn_alone(figure: Figure, where: tuple[float, float], char: str, font: Path, size: float):
    """``char`` alone in the font file ``font``, where the label's cell starts."""
    reference = Figure(figsize=figure.get_size_inches(), dpi=72 * _PX_PER_PT)
    width, height = figure.get_size_inches() * 72 * _PX_PER_PT
    text = reference.text(
        where[0] / width,
        where[1] / height,
        char,
        fontproperties=FontProperties(fname=font, size=size),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the house font's box is drawn on purpose
        return _cell(reference, text, 0)[0]


@needs_fallback
@pytest.mark.parametrize("make", [_map, _chart], ids=["map", "chart"])
def test_a_labels_rare_character_has_the_pixels_of_the_fallback_fonts_rendering(make):
    figure = make()
    label = _texts_with(figure, ZHU)[0]
    drawn, where = _cell(figure, label, label.get_text().index(ZHU))
    size = label.get_fontsize()
    assert _similarity(drawn, _drawn_alone(figure, where, ZHU, HANAMIN_B, size)) > 0.9
    # Neither the house font's box nor another character of the fallback font looks like it.
    assert _similarity(drawn, _drawn_alone(figure, where, ZHU, style.font_path(), size)) < 0.7
    assert _similarity(drawn, _drawn_alone(figure, where, BA, HANAMIN_B, size)) < 0.7


def test_texts_without_rare_characters_keep_the_house_font_alone():
    figure = _map("360722103202")  # 青光村
    families = {
        tuple(t.get_fontproperties().get_family())
        for t in figure.findobj(Text)
        if "青光" in t.get_text()
    }
    assert families == {("sans-serif",)}


def test_without_the_fallback_a_picture_shows_the_component_form(without_fallback):
    for make in (_map, _chart):
        figure = make()
        shown = " ".join(t.get_text() for t in figure.findobj(Text))
        assert ZHU not in shown and "竹（氵甸）村" in shown
        FigureCanvasAgg(figure).draw()  # no box: no missing-glyph warning


def test_without_the_fallback_the_notice_names_the_character_its_code_point_and_the_font(
    without_fallback,
):
    notice = style.glyph_notice([*NAMES, NAMES[0]])
    lines = notice.splitlines()
    assert len(lines) == 4  # one character, one line in Chinese and one in English, each
    assert f"“{ZHU}”（U+23D66，见于竹{ZHU}村）" in lines[0] and "竹（氵甸）村" in lines[0]
    assert "fonts-hanazono" in lines[0] and "U+23D66" in lines[1] and "fonts-hanazono" in lines[1]
    assert "U+20BB7" in lines[2]
    # A character the table does not spell says where to add it.
    assert "rare_characters.csv" in style.glyph_notice(["\U00024b62村"])


@needs_fallback
def test_with_the_fallback_there_is_nothing_to_tell():
    assert style.glyph_notice(NAMES) is None


def _titled_map() -> Figure:
    """A map whose name is text in its files (its labels are outlines, haloed)."""
    figure = _map()
    figure.suptitle(f"{NAMES[0]}位置图")
    return figure


@needs_fallback
def test_the_print_pdf_embeds_the_fallback_subset_and_the_svg_names_it(tmp_path):
    pdf = maps.save_figure(_titled_map(), tmp_path / "map.pdf")
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    hanamin = [line for line in fonts.splitlines() if "HanaMin" in line]
    assert hanamin and all(" yes " in line.split("TrueType")[-1] for line in hanamin), fonts
    svg = maps.svg_bytes(_titled_map()).decode()
    stacks = [s for s in svg.split("font-family: ")[1:] if ZHU in s.split("</text>")[0]]
    assert stacks and all(
        "'HanaMinB'" in s.split(";")[0] and "SimSun-ExtB" in s.split(";")[0] for s in stacks
    )
    # A text without rare characters names neither.
    assert any("HanaMin" not in s.split(";")[0] for s in svg.split("font-family: ")[1:])


def test_a_pictures_digest_counts_the_fallback_fonts_only_where_it_has_rare_characters(
    monkeypatch,
):
    """Pictures of plain names keep their digests whatever fonts are installed; one with a rare
    name is drawn again when the fallback comes or goes."""
    from analysis.reporting import pictures

    plain, rare = ["青光村", "中塅村"], ["青光村", NAMES[0]]
    before = pictures.digest(plain), pictures.digest(rare)
    monkeypatch.setattr(style, "fallback_families", lambda: ())
    monkeypatch.setattr(pictures, "fallback_families", lambda: ())
    after = pictures.digest(plain), pictures.digest(rare)
    assert before[0] == after[0]
    assert before[1] != after[1] or not HANAMIN_B.exists()
