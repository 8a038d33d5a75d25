"""A county's maps are drawn by town (issue 28): town polygons dissolved from the villages, town
names only, never a village's; a village's locator shows its own town and the towns around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from matplotlib.text import Text

from analysis.geo.furniture import NumberKey
from analysis.geo.layers import to_measure
from analysis.pipeline.prepare import prepare
from analysis.pipeline.store import load_tables
from analysis.reporting import page_maps
from analysis.tools import sample

YEAR = 2019


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Path:
    """The processed tables of a synthetic county of four towns."""
    root = tmp_path_factory.mktemp("county")
    raw = sample.write_sample(root / "raw", sample.synthetic_villages(72))
    prepare(raw, root / "processed")
    return root / "processed"


def _texts(fig) -> set[str]:
    return {t.get_text() for t in fig.findobj(Text) if t.get_text()}


def _drawings(tables):
    return {
        "corridor": page_maps.corridor_drawing(tables),
        "sanitation": page_maps.sanitation_drawing(tables, YEAR),
        "sanitary_rate": page_maps.sanitary_rate_drawing(tables, YEAR),
    }


def test_a_countys_maps_name_its_towns_and_no_village(county):
    tables = load_tables(county)
    villages = set(tables.villages["short_name"]) | set(tables.villages["name"])
    towns = set(tables.towns()["name"])
    for name, drawing in _drawings(tables).items():
        fig = drawing.draw()
        texts = _texts(fig)
        assert not texts & villages, name
        assert towns <= texts, name
        # One polygon a town, not one a village.
        assert len(drawing.arguments[0]) == len(towns), name


def test_a_towns_maps_still_name_its_villages(county):
    tables = load_tables(county).town(load_tables(county).towns()["code"].iloc[0])
    fig = page_maps.sanitary_rate_drawing(tables, YEAR).draw()
    assert _texts(fig) & set(tables.villages["short_name"])
    # 18 villages: named where they fit, without a numbered key.
    assert not [a for a in fig.axes[0].artists if isinstance(a, NumberKey)]


def test_a_locator_zooms_on_the_villages_town_and_stays_within_it_and_its_neighbours(county):
    whole = load_tables(county)
    code = whole.villages["code"].iloc[20]  # in the second town
    drawing = page_maps.locator_drawing(whole, code)
    own = drawing.arguments[0]
    assert set(own["code"].str[:9]) == {code[:9]}
    neighbours = drawing.options["neighbours"]
    assert len(neighbours) and code[:9] not in set(neighbours["code"])
    fig = drawing.draw()
    (x0, x1), (y0, y1) = fig.axes[0].get_xlim(), fig.axes[0].get_ylim()
    minx, miny, maxx, maxy = to_measure(own).total_bounds
    assert x0 <= minx and maxx <= x1 and y0 <= miny and maxy <= y1
    around = to_measure(neighbours).total_bounds
    assert x0 >= min(minx, around[0]) - 1 and x1 <= max(maxx, around[2]) + 1
    assert y0 >= min(miny, around[1]) - 1 and y1 <= max(maxy, around[3]) + 1
    # Far less than the county: the town, a margin and no more.
    county_width = to_measure(whole.villages).total_bounds
    assert (x1 - x0) < 0.8 * (county_width[2] - county_width[0])


def test_the_word_summarys_maps_and_charts_print_their_text_at_9_points_or_more(county, tmp_path):
    """Word never shrinks a map (its figure is no wider than the text), so a map's smallest
    text, :data:`~analysis.geo.furniture.MAP_TEXT_PT`, prints at 9 pt or more; every text of a
    target chart prints at 9 pt or more too, two charts to a page; and the print maps beside
    it are set on A4 or A3 pages."""
    import io
    import re
    import zipfile

    import PIL.Image

    from analysis.core.style import PageCanvas
    from analysis.geo.furniture import MAP_TEXT_PT
    from analysis.reporting import index_page, print_documents

    print_documents.write_documents(county, tmp_path, YEAR, "zh")
    docx, maps_dir = index_page.document_paths(tmp_path)
    with zipfile.ZipFile(docx) as archive:
        document = archive.read("word/document.xml").decode()
        rels = archive.read("word/_rels/document.xml.rels").decode()
        targets = {
            rid: target for target, rid in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels)
        } | dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
        placed = re.findall(
            r'<wp:extent cx="(\d+)" cy="(\d+)".*?r:embed="(rId\d+)"', document, re.S
        )
        # The first three pictures are the maps (corridor, sanitation, 卫生厕所普及率).
        for width_emu, _, rid in placed[:3]:
            png = PIL.Image.open(io.BytesIO(archive.read("word/" + targets[rid])))
            figure_in = png.size[0] / print_documents.PRINT_DPI
            printed_pt = MAP_TEXT_PT * int(width_emu) / 914400 / figure_in
            assert printed_pt >= 9 - 1e-6
        # The target charts after them, as print_fans draws them: every text of each (title,
        # axis labels, ticks, legend, source line, sample mark) at its size on the figure times
        # the printed width over the drawn width.
        fans = print_documents.print_fans(load_tables(county), "zh")
        assert fans and len(placed) == 3 + len(fans)
        for (width_emu, height_emu, rid), fan in zip(placed[3:], fans, strict=True):
            # Two to a page: each under half the text's height (225 mm), with a line's room.
            assert int(height_emu) / 36000 <= 225 / 2 - 5
            png = PIL.Image.open(io.BytesIO(archive.read("word/" + targets[rid])))
            figure = fan.draw()
            PageCanvas(figure).draw()  # tick labels are written as the figure is drawn
            drawn_in = figure.get_figwidth()
            assert abs(png.size[0] - drawn_in * print_documents.PRINT_DPI) < 1  # this figure
            texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip()]
            assert len({t.get_fontsize() for t in texts}) >= 3  # ticks, legend, title, mark…
            printed = {
                t.get_text(): t.get_fontsize() * int(width_emu) / 914400 / drawn_in for t in texts
            }
            assert min(printed.values()) >= 9 - 1e-6, min(printed.items(), key=lambda i: i[1])
    for pdf in maps_dir.glob("*.pdf"):
        box = re.search(rb"/MediaBox \[ ?([\d.\s]+)\]", pdf.read_bytes()).group(1).split()
        size_mm = sorted(round(float(v) / 72 * 25.4) for v in box[2:])
        assert size_mm in ([210, 297], [297, 420]), pdf.name


def test_the_county_pages_town_map_splits_its_classes_at_the_countys_target(county):
    from analysis.reporting import county as county_page

    tables = load_tables(county)
    fig = county_page.town_map_drawing(tables, YEAR).draw()
    legend = fig.axes[0].get_legend()
    assert "目标" in legend.get_title().get_text()
    target = float(
        tables.targets.query("indicator == 'sanitary_toilet_rate' and scope.str.len() == 6")[
            "target_value"
        ].iloc[0]
    )
    rates = tables.aggregates.query(
        "level == 'town' and year == @YEAR and indicator == 'sanitary_toilet_rate'"
    )["value"]
    words = [t.get_text() for t in legend.get_texts()]
    reached = [w for w in words if "达到目标" in w]
    assert bool(reached) == bool((rates >= target).any())
    assert all("未达目标" in w or "达到目标" in w for w in words)
