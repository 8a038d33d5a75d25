"""Print maps an office can edit: the PDF's text in TrueType fonts (Type 42, never Type 3), the
SVG's text as ``<text>`` with its CJK font named."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import geopandas as gpd
import pytest
from fontTools.ttLib import TTFont
from shapely.geometry import box

from analysis.geo import layers as geo
from analysis.geo import maps

X0, Y0 = 500_000.0, 2_810_000.0


@pytest.fixture(scope="module")
def figure():
    cells = [box(X0 + i * 3000, Y0, X0 + (i + 1) * 3000, Y0 + 3000) for i in range(3)]
    villages = gpd.GeoDataFrame(
        {
            "code": ["360722103200", "360722103201", "360722103202"],
            "name": ["青光村", "新圩", "老圩"],
        },
        geometry=cells,
        crs="EPSG:4547",
    )
    return maps.locator_map(geo.to_storage(villages), "360722103201", source="村级台账")


def _streams(pdf: bytes) -> dict[int, bytes]:
    """The PDF's objects that carry a stream, inflated, by object number."""
    found = {}
    for chunk in pdf.split(b"endobj"):
        match = re.search(rb"(\d+) 0 obj(.*?)stream\r?\n(.*)endstream", chunk, re.S)
        if match:
            number, header, data = match.groups()
            found[int(number)] = zlib.decompress(data) if b"FlateDecode" in header else data
    return found


def test_pdf_text_is_truetype_not_type3(figure, tmp_path):
    pdf = maps.save_figure(figure, tmp_path / "map.pdf").read_bytes()
    assert b"/Type3" not in pdf
    assert re.findall(rb"/Subtype /CIDFontType2", pdf)
    programs = [int(n) for n in re.findall(rb"/FontFile2 (\d+) 0 R", pdf)]
    assert programs
    streams = _streams(pdf)
    for number in programs:
        font = TTFont(io.BytesIO(streams[number]))
        # TrueType outlines: what a CIDFontType2 declares (a CFF program here is the mismatch
        # poppler warns about and editors refuse).
        assert "glyf" in font and "CFF " not in font
    assert b"/FontName /" in pdf and b"NotoSansSC-Regular" in pdf


@pytest.mark.skipif(
    shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) not installed"
)
def test_pdffonts_lists_embedded_truetype_fonts_only(figure, tmp_path):
    path = maps.save_figure(figure, tmp_path / "map.pdf")
    run = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = run.stdout.splitlines()[2:]
    assert rows and all("CID TrueType" in row for row in rows), run.stdout
    assert all(row.split()[-5:-2] == ["yes", "yes", "yes"] for row in rows)  # emb sub uni
    assert "Mismatch" not in run.stderr and "Error" not in run.stderr, run.stderr
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    assert "新圩位置" in text.stdout and "资料来源：村级台账" in text.stdout


def test_svg_text_is_text_in_a_named_cjk_font(figure, tmp_path):
    svg = maps.save_figure(figure, tmp_path / "map.svg").read_text(encoding="utf-8")
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert "新圩位置" in texts and "资料来源：村级台账" in " ".join(texts)
    families = set(re.findall(r"font-family: ([^;\"]+)", svg))
    assert families == {
        "'Noto Sans SC', 'Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'SimHei', "
        "'DejaVu Sans', sans-serif"
    }


def test_the_same_figure_gives_the_same_pdf(figure, tmp_path):
    first = maps.save_figure(figure, tmp_path / "a.pdf").read_bytes()
    assert maps.save_figure(figure, tmp_path / "b.pdf").read_bytes() == first


def test_pdf_copies_of_the_font_are_made_once_per_set_of_characters(tmp_path):
    from analysis.core import truetype

    family = truetype.truetype_family("新圩位置")
    assert family == truetype.truetype_family("位置新圩新")
    assert family != truetype.truetype_family("老圩位置")
    path = truetype.FONT_DIR / f"{family.rsplit(' ', 1)[-1]}.ttf"
    assert Path(path).exists()


def _media_box_mm(pdf: bytes) -> tuple[float, float]:
    x0, y0, x1, y1 = map(float, re.search(rb"/MediaBox \[ ?([\d.\s]+)\]", pdf).group(1).split())
    return round((x1 - x0) / 72 * 25.4), round((y1 - y0) / 72 * 25.4)


def test_a_print_map_is_set_on_an_a4_page_and_left_as_it_was(figure, tmp_path):
    size = tuple(figure.get_size_inches())
    position = figure.axes[0].get_position().bounds
    pdf = maps.save_figure(figure, tmp_path / "map.pdf", paper=True).read_bytes()
    width, height = _media_box_mm(pdf)
    assert sorted((width, height)) == [210, 297]
    assert (width > height) == (size[0] > size[1])  # on its side for a wide map
    svg = maps.save_figure(figure, tmp_path / "map.svg", paper=True).read_text()
    svg_pt = re.search(r'<svg [^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups()
    assert sorted(round(float(v) / 72 * 25.4) for v in svg_pt) == [210, 297]
    # The figure itself is not changed: the page's own picture and the Word picture keep it.
    assert tuple(figure.get_size_inches()) == size
    assert figure.axes[0].get_position().bounds == pytest.approx(position, abs=1e-12)
    # Without paper, the figure as laid out: no page around it.
    assert sorted(_media_box_mm(maps.save_figure(figure, tmp_path / "bare.pdf").read_bytes())) != [
        210,
        297,
    ]


def test_a_map_too_large_for_a4_goes_on_a3():
    assert maps.paper_size(7.0, 5.0)[0] == "A4"
    assert maps.paper_size(12.0, 8.0) == ("A3", (420 / 25.4, 297 / 25.4))
