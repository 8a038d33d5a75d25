"""The Word summary as offices use it: A4 with GB/T 9704's margins, office fonts in the East
Asian slot with fallbacks, the maps and charts embedded at print resolution, and the same
numbers, rounded the same way, as the township page."""

from __future__ import annotations

import shutil
from pathlib import Path

import docx
import lxml.html
import pytest
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.shared import Mm

from analysis import config
from analysis.reporting import index_page, narrative
from analysis.reporting.narrative import word
from analysis.runs import runner

YEAR = config.DEFAULT_YEAR
VILLAGE = "360722103203"
#: A picture printed at less than this many pixels an inch looks soft on an office printer.
MIN_PRINT_DPI = 290


@pytest.fixture(scope="module")
def built(prepared_sample, tmp_path_factory) -> Path:
    """The township page, one village and the Word summary of the sample, built once."""
    root = tmp_path_factory.mktemp("word")
    processed = root / "processed"
    shutil.copytree(prepared_sample, processed)
    result = runner.build(
        config.RAW_DIR,
        root / "reports",
        processed_dir=processed,
        villages=[VILLAGE],
        workers=1,
        progress=False,
    )
    assert result.ok, [(r.key, r.where, r.error) for r in result.failed]
    return result.out_dir


@pytest.fixture(scope="module")
def summary(built) -> docx.document.Document:
    return docx.Document(str(built / index_page.SUMMARY_DOCX))


def _mm(length) -> float:
    return round(length.mm, 1)


def test_the_page_is_a4_with_office_margins(summary):
    first = summary.sections[0]
    assert (_mm(first.page_width), _mm(first.page_height)) == word.PAGE_MM == (210, 297)
    margins = (first.top_margin, first.bottom_margin, first.left_margin, first.right_margin)
    assert tuple(_mm(m) for m in margins) == word.MARGINS_MM == (37, 35, 28, 26)
    # The target table's section lies on its side, still A4.
    turned = [s for s in summary.sections if s.orientation == WD_ORIENT.LANDSCAPE]
    assert turned
    assert all((_mm(s.page_width), _mm(s.page_height)) == (297, 210) for s in turned)


def test_title_headings_and_body_are_set_in_office_fonts_with_fallbacks(summary):
    def east_asian(style: str) -> str:
        return summary.styles[style].element.rPr.rFonts.get(qn("w:eastAsia"))

    assert east_asian("Title") == "方正小标宋简体"
    assert east_asian("Heading 1") == "黑体"
    assert east_asian("Normal") == "仿宋_GB2312"
    assert summary.paragraphs[0].style.name == "Title"
    assert summary.styles["Title"].font.size.pt == 22  # 二号
    assert summary.styles["Normal"].font.size.pt == 16  # 三号
    # Each office font is listed with the stock font Word takes where it is missing.
    table = parse_xml(summary.part.part_related_by(RT.FONT_TABLE).blob)
    fallbacks = {
        font.get(qn("w:name")): font.find(qn("w:altName")).get(qn("w:val"))
        for font in table.findall(qn("w:font"))
        if font.find(qn("w:altName")) is not None
    }
    assert fallbacks == {"方正小标宋简体": "宋体", "黑体": "SimHei", "仿宋_GB2312": "仿宋"}
    # A substitute is chosen for Simplified Chinese.
    defaults = summary.styles.element.find(qn("w:docDefaults"))
    language = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang"))
    assert language.get(qn("w:eastAsia")) == "zh-CN"


def test_table_rows_never_split_and_headers_repeat(summary, page_tables):
    _, detail = page_tables(summary)
    figures, targets = detail
    for table, landscape in ((figures, False), (targets, True)):
        rows = [row._tr.trPr for row in table.rows]
        assert all(p is not None and p.find(qn("w:cantSplit")) is not None for p in rows)
        assert rows[0].find(qn("w:tblHeader")) is not None
        # Columns share the text width by their texts: a name column is wider than a figure's.
        widths = [column.width for column in table.columns]
        assert abs(sum(widths) - _text_width(summary, landscape)) < Mm(1)
    assert figures.columns[1].width > figures.columns[2].width


def _text_width(document, landscape: bool) -> int:
    """The text width of the upright pages, or of the turned one (the target table's)."""
    section = next(
        s for s in document.sections if (s.orientation == WD_ORIENT.LANDSCAPE) == landscape
    )
    return section.page_width - section.left_margin - section.right_margin


def test_maps_and_charts_are_embedded_at_print_resolution(summary, page_tables):
    shapes = list(summary.inline_shapes)
    # The corridor, sanitation and 卫生厕所普及率 maps and a chart per target, as on the
    # township page.
    targets = page_tables(summary)[1][1]
    assert len(shapes) == 3 + len(targets.rows) - 1
    for shape in shapes:
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        image = summary.part.related_parts[blip.embed].image
        assert image.content_type == "image/png"
        assert image.px_width / shape.width.inches >= MIN_PRINT_DPI
        assert shape._inline.docPr.get("descr")
    headings = [p.text for p in summary.paragraphs if p.style.name == "Heading 1"]
    assert "G357 蔬菜产业走廊" in headings and "厕所革命与污水处理" in headings


def test_the_charts_are_the_pages_with_their_alternative_text(built, summary):
    page = lxml.html.parse(str(built / "township.html"))
    alts = {img.get("alt") for img in page.xpath("//img")}
    described = [s._inline.docPr.get("descr") for s in summary.inline_shapes]
    maps, charts = described[:3], described[3:]
    assert charts and all(text in alts for text in charts)
    # The maps too: the page's description of each, title and legend as drawn.
    assert all(text.startswith("地图：") and text in alts for text in maps), maps


def test_pictures_fit_inside_the_text_box(summary):
    # Pictures are on upright pages: 210 - 28 - 26 mm wide, 297 - 37 - 35 mm high.
    for shape in summary.inline_shapes:
        assert shape.width.mm <= 156 + 0.1 and shape.height.mm <= 225 + 0.1


def _html_rows(page: Path) -> list[list[str]]:
    tree = lxml.html.parse(str(page))
    return [
        [cell.text_content().strip() for cell in row.xpath("./th|./td")]
        for row in tree.xpath("//table//tr")
    ]


def test_word_tables_read_as_the_township_page(built, summary, page_tables):
    """Every row of Word's key figures and target tables is a row of the page, cell by cell:
    the same numbers, rounded the same way (intervals such as 86.8%–87.7% included). The
    target table's ESCAP and Eurostat cells are on the page's appendix, beside the status."""
    page = {tuple(row) for row in _html_rows(built / "township.html")}
    figures, targets = page_tables(summary)[1]
    for table in (figures, targets):
        # A bracketed year or share starts its own line in Word (（2019年） never broken).
        rows = [tuple(c.text.replace("\n", "") for c in row.cells) for row in table.rows[1:]]
        if table is targets:
            escap, eurostat = 7, 8  # the body shows the status alone, the appendix the measures
            measures = [(r[0], r[escap], r[eurostat], r[-1]) for r in rows]
            assert [m for m in measures if m not in page] == []
            rows = [r[:escap] + r[eurostat + 1 :] for r in rows]
        assert rows and [r for r in rows if r not in page] == []
    intervals = [row.cells[4].text for row in targets.rows[1:] if "–" in row.cells[4].text]
    assert intervals  # the comparison covers the intervals


def test_pictures_of_unknown_sections_are_refused(prepared_sample, tmp_path):
    from analysis.pipeline.store import load_tables

    tables = load_tables(prepared_sample)
    with pytest.raises(ValueError, match="unknown sections"):
        narrative.write_docx(tmp_path / "s.docx", YEAR, tables, pictures={"cover": [(b"", "")]})


def test_a_bracketed_year_is_never_broken_and_the_footer_numbers_pages(summary, page_tables):
    """GB/T 9704: "— 1 —" on every page; a cell's （2019年） on a line of its own, in a column
    wide enough for it."""
    footer = summary.sections[0].footer.paragraphs[0]
    written = "".join(node.text for node in footer._p.iter(qn("w:t")))
    assert written == "— 1 —" and 'w:instr="PAGE"' in footer._p.xml
    # The landscape and later sections keep the first section's footer.
    assert all(section.footer.is_linked_to_previous for section in summary.sections[1:])
    _, targets = page_tables(summary)[1]
    latest = [row.cells[1] for row in targets.rows[1:]]
    assert all(c.text.endswith("\n（2019年）") for c in latest), [c.text for c in latest]
    room = min(c.width.mm for c in latest)
    assert room >= 5.4 * 10.5 * 25.4 / 72  # （2019年）: 5.4 characters of 10.5 pt


def test_each_chart_sits_alone_at_the_texts_width(prepared_sample, tmp_path):
    """One chart per indicator, each in a paragraph of its own as wide as the text (156 mm), so
    its legend prints at 9 pt or more; no table of pictures."""
    import io

    from PIL import Image

    from analysis.pipeline.store import load_tables

    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), "white").save(buffer, format="png")
    charts = [(buffer.getvalue(), f"chart {n}") for n in range(3)]
    path = narrative.write_docx(
        tmp_path / "s.docx", YEAR, load_tables(prepared_sample), pictures={"targets": charts}
    )
    document = docx.Document(str(path))
    shapes = list(document.inline_shapes)
    assert [s._inline.docPr.get("descr") for s in shapes] == ["chart 0", "chart 1", "chart 2"]
    assert all(abs(shape.width.mm - 156) < 0.5 for shape in shapes)
    assert not any(t._tbl.xpath(".//pic:pic") for t in document.tables)


def test_a_picture_given_twice_is_stored_once(prepared_sample, tmp_path):
    """A picture given twice is one part of the file, its bytes as given."""
    import io
    import zipfile

    from PIL import Image

    from analysis.pipeline.store import load_tables

    def png(colour: str) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (1200, 900), colour).save(buffer, format="png")
        return buffer.getvalue()

    red, blue = png("red"), png("blue")
    charts = [(red, "red"), (blue, "blue"), (red, "red again")]
    path = narrative.write_docx(
        tmp_path / "s.docx", YEAR, load_tables(prepared_sample), pictures={"targets": charts}
    )
    document = docx.Document(str(path))
    parts = [
        document.part.related_parts[s._inline.graphic.graphicData.pic.blipFill.blip.embed]
        for s in document.inline_shapes
    ]
    assert [p.blob for p in parts] == [red, blue, red]
    assert parts[0] is parts[2] and parts[0] is not parts[1]
    with zipfile.ZipFile(path) as archive:
        media = [name for name in archive.namelist() if name.startswith("word/media/")]
    assert len(media) == 2


def test_the_built_pages_have_no_rowless_table_and_no_multiplied_chart(built, page_checks):
    """Issue 28 on the sample's township page and village page (as on the county's), and no
    template sentence more than three times in the township's top and summary."""
    pages = [built / "township.html", built / "villages" / f"{VILLAGE}.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        charts, under_multiplier = page_checks.multiplied(text)
        assert charts and under_multiplier == [], page.name
        assert page_checks.rowless(text) == [], page.name
    shapes = page_checks.sentence_shapes(pages[0].read_text(encoding="utf-8"))
    assert shapes and shapes.most_common(1)[0][1] <= 3, shapes.most_common(1)


def test_many_places_are_counted_on_the_first_page_and_tabled_after_it(
    prepared_sample, tmp_path, page_tables, monkeypatch
):
    """For more places than a page holds, the first page counts them by status for each
    target; the table of each place follows on the next page."""
    from analysis.pipeline.store import load_tables
    from analysis.reporting import leader

    monkeypatch.setattr(leader, "GRID_PLACES_SHOWN", 5)
    tables = load_tables(prepared_sample)
    path = narrative.write_docx(tmp_path / "s.docx", YEAR, tables)
    first, detail = page_tables(docx.Document(str(path)))
    _, counts = first  # the key figures, then the counts
    assert counts.rows[0].cells[0].text == "目标"
    villages = len(tables.villages)
    for row in counts.rows[1:]:
        assert sum(int(c.text) for c in row.cells[1:]) == villages
    grid = detail[0]
    assert len(grid.rows) == villages + 1 and grid.rows[0].cells[0].text == "村（居）"
