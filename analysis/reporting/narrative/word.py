"""The summary as a Word document (.docx), set as township offices set their documents.

The key figures and target tables are the township page's
(:func:`analysis.reporting.tables.key_figures`, :func:`analysis.reporting.tables.status_table`
with the note that states the status rule), so a figure reads the same on the page, in the
text and in Word. The page follows GB/T 9704 (党政机关公文格式): A4, its margins, 方正小标宋简体
for the title, 黑体 for headings and 仿宋_GB2312 for the body, each with the stock font Word
falls back to where it is missing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.catalog import Catalog, default_catalog
from analysis.core.glyphs import RARE_IDEOGRAPH, WINDOWS_EXT_B_FONT
from analysis.core.labels import check_lang, label
from analysis.iorw import atomic_path
from analysis.pipeline.store import Tables
from analysis.reporting import leader
from analysis.reporting.narrative.compose import summary_as_of
from analysis.reporting.narrative.plan import target_rows, target_years
from analysis.reporting.narrative.sentences import as_of, village_names
from analysis.reporting.publish import STATUS_COLOURS
from analysis.reporting.review import flag_lines, notes_lines, village_flags
from analysis.reporting.tables import key_figures, status_note, status_table

#: Fonts of the Word document as GB/T 9704 sets them: title, headings, body (East Asian slot).
TITLE_FONT_ZH, HEADING_FONT_ZH, BODY_FONT_ZH = "方正小标宋简体", "黑体", "仿宋_GB2312"
LATIN_FONT = "Times New Roman"
#: The font Word uses where the named one is not installed (fontTable.xml's w:altName): the
#: fonts every Chinese Windows has. Elsewhere (LibreOffice on Linux) fontconfig substitutes a
#: CJK face of the same kind (Noto Serif/Sans CJK SC on this project's machines).
FONT_FALLBACKS = {TITLE_FONT_ZH: "宋体", HEADING_FONT_ZH: "SimHei", BODY_FONT_ZH: "仿宋"}

#: The language of the text by the document's language (w:lang: the Latin slot, East Asian
#: slot): a reader's substitute font is chosen for Simplified Chinese, not a Japanese face.
TEXT_LANG = {"zh": ("zh-CN", "zh-CN"), "en": ("en-GB", "zh-CN")}
#: A4 and GB/T 9704's margins (top, bottom, left, right), millimetres.
PAGE_MM = (210, 297)
MARGINS_MM = (37, 35, 28, 26)
#: Sizes in points by language: title, heading, body, table text. 二号/三号/三号/五号 in Chinese.
SIZES_PT = {"zh": (22, 16, 16, 10.5), "en": (18, 14, 12, 10)}
#: Body line pitch, points: GB/T 9704's 22 lines a page in Chinese; single spacing in English.
LINE_PT = {"zh": 28.0, "en": None}
#: First-line indent of a paragraph, in body characters: two in Chinese, none in English.
FIRST_LINE_INDENT_CHARS = {"zh": 2, "en": 0}
#: The style of table cells: a smaller size than the body, single spacing.
TABLE_STYLE = "Table Text"
#: The style of the first page's sentences for a leader: 四号 (14 pt), single spacing, so that
#: they, the key figures and a county's 17 towns against its targets share one A4 page.
TOP_STYLE = "Top Text"
TOP_PT = {"zh": 12, "en": 11}
#: The style of the first page's tables: 小五 (9 pt), the least a printed page is read at.
TOP_TABLE_STYLE = "Top Table Text"
TOP_TABLE_PT = 9
#: The sections whose picture a caller may hand in, in the order they appear.
PICTURE_SECTIONS = ("corridor", "sanitation", "targets")


def _set_fonts(document: Any, lang: str) -> None:
    """Name the Chinese font explicitly in the defaults and every style the document uses.

    python-docx's ``font.name`` sets only the Latin slots (w:ascii, w:hAnsi); Word draws Chinese
    from w:eastAsia, and a theme attribute (w:eastAsiaTheme, in the default template) overrides
    an explicit name, so the theme attributes are removed and every slot is set.
    """
    from docx.oxml.ns import qn

    def apply(rfonts: Any, east_asia: str) -> None:
        for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(theme), None)
        rfonts.set(qn("w:ascii"), LATIN_FONT)
        rfonts.set(qn("w:hAnsi"), LATIN_FONT)
        rfonts.set(qn("w:eastAsia"), east_asia)

    defaults = document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    apply(run_defaults.find(qn("w:rFonts")), BODY_FONT_ZH)
    language = run_defaults.find(qn("w:lang"))
    latin, east_asian = TEXT_LANG[lang]
    language.set(qn("w:val"), latin)
    language.set(qn("w:eastAsia"), east_asian)
    for name, font in (
        ("Normal", BODY_FONT_ZH),
        (TABLE_STYLE, BODY_FONT_ZH),
        (TOP_STYLE, BODY_FONT_ZH),
        (TOP_TABLE_STYLE, BODY_FONT_ZH),
        ("Title", TITLE_FONT_ZH),
        ("Heading 1", HEADING_FONT_ZH),
    ):
        apply(document.styles[name].element.get_or_add_rPr().get_or_add_rFonts(), font)


def _load_font_table_as_xml() -> None:
    """Have python-docx load the font table as an XML part, with an element to add to and
    written from it: by default it is a part of plain bytes, with no XML API of its own.
    ``PartFactory.part_type_for`` is python-docx's way for client code to choose the class of
    a part by its content type; the document's other parts are python-docx's own already."""
    from docx.opc.constants import CONTENT_TYPE as CT
    from docx.opc.part import PartFactory, XmlPart

    PartFactory.part_type_for[CT.WML_FONT_TABLE] = XmlPart


def _declare_fallbacks(document: Any) -> None:
    """List each Chinese font in the font table with the font Word takes in its place."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    table = document.part.part_related_by(RT.FONT_TABLE).element
    for font, fallback in FONT_FALLBACKS.items():
        entry = OxmlElement("w:font")
        entry.set(qn("w:name"), font)
        for tag, value in (("w:altName", fallback), ("w:charset", "86"), ("w:family", "auto")):
            child = OxmlElement(tag)
            child.set(qn("w:val"), value)
            entry.append(child)
        table.append(entry)


def _set_rare_fonts(document: Any) -> None:
    """Set the East Asian font of each rare character (竹𣵦村's 𣵦, CJK Extension B) to
    SimSun-ExtB, which the body fonts lack and every Chinese Windows has: the run holding it is
    split so that the text around it keeps the document's fonts."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    for run in list(document.element.body.iter(qn("w:r"))):
        texts = run.findall(qn("w:t"))
        if len(texts) != 1 or len(run) - (run.find(qn("w:rPr")) is not None) != 1:
            continue
        text = texts[0].text or ""
        if not RARE_IDEOGRAPH.search(text):
            continue
        for piece in re.split(f"({RARE_IDEOGRAPH.pattern}+)", text):
            if not piece:
                continue
            part = copy.deepcopy(run)
            part.find(qn("w:t")).text = piece
            if RARE_IDEOGRAPH.match(piece):
                properties = part.get_or_add_rPr()
                fonts = properties.find(qn("w:rFonts"))
                if fonts is None:
                    fonts = OxmlElement("w:rFonts")
                    properties.insert(0, fonts)
                fonts.set(qn("w:eastAsia"), WINDOWS_EXT_B_FONT)
                fonts.set(qn("w:hint"), "eastAsia")
            run.addprevious(part)
        run.getparent().remove(run)


def _set_page_and_styles(document: Any, lang: str) -> None:
    """A4 with GB/T 9704's margins; black title and headings, body on a fixed line pitch."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    section = document.sections[0]
    section.page_width, section.page_height = (Mm(v) for v in PAGE_MM)
    top, bottom, left, right = (Mm(v) for v in MARGINS_MM)
    section.top_margin, section.bottom_margin = top, bottom
    section.left_margin, section.right_margin = left, right

    _add_page_numbers(section)

    title, heading, body, table = SIZES_PT[lang]
    normal = document.styles["Normal"]
    normal.font.size = Pt(body)
    if LINE_PT[lang]:
        normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        normal.paragraph_format.line_spacing = Pt(LINE_PT[lang])
    normal.paragraph_format.space_after = Pt(0)
    for name, size, centred in (("Title", title, True), ("Heading 1", heading, False)):
        style = document.styles[name]
        style.font.size = Pt(size)
        style.font.bold = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.space_before = Pt(size / 2)
        style.paragraph_format.space_after = Pt(size / 2)
        if centred:
            style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        # The default template underlines its title with a blue rule; offices do not.
        border = style.element.get_or_add_pPr().find(qn("w:pBdr"))
        if border is not None:
            border.getparent().remove(border)
    top = document.styles.add_style(TOP_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    top.base_style = normal
    top.font.size = Pt(TOP_PT[lang])
    top.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    top.paragraph_format.first_line_indent = Pt(FIRST_LINE_INDENT_CHARS[lang] * TOP_PT[lang])
    top.paragraph_format.space_after = Pt(TOP_PT[lang] / 3)
    for name, size in ((TABLE_STYLE, table), (TOP_TABLE_STYLE, TOP_TABLE_PT)):
        cells = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        cells.base_style = normal
        cells.font.size = Pt(size)
        cells.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        cells.paragraph_format.first_line_indent = Pt(0)


#: GB/T 9704's page number: 4号 (14 pt) Arabic figures between em dashes, "— 1 —".
PAGE_NUMBER_PT = 14
MM_PER_PT = 25.4 / 72


def _add_page_numbers(section: Any) -> None:
    """Page numbers, "— 1 —", centred in the footer of every page (the later sections,
    landscape or not, keep this footer: python-docx links them to the previous one)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement
    from docx.shared import Pt

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, number, after = (paragraph.add_run(t) for t in ("— ", "1", " —"))
    for run in (before, number, after):
        run.font.size = Pt(PAGE_NUMBER_PT)
    # The number is a PAGE field: Word and LibreOffice put each page's own number in it.
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number._r.addprevious(field)
    field.append(number._r)


#: A column's share of the table's width follows its longest text, within these bounds (in
#: Chinese characters, plus the cell's margins): a long name column does not crowd the others.
COLUMN_CHARS = (3, 10)
CELL_MARGIN_CHARS = 1.5
#: The width of a Latin letter or digit, in Chinese characters (a serif face, generously).
LATIN_CHAR = 0.6


#: What a line must not break inside: a bracketed year or share (（2019年）, （80%）) or a run
#: of figures and Latin letters.
_ASIDE = r"[\uff08(]\d[0-9.]*[%\u5e74]?[\uff09)]"
_UNBROKEN = re.compile(rf"{_ASIDE}|[0-9A-Za-z.,%+\-–<>]+")
#: A bracketed year or share after a figure starts a line of its own in a Word cell, where the
#: line would otherwise break inside it (86.1% / （2019年）).
_BEFORE_ASIDE = re.compile(rf"(?<=\S)(?={_ASIDE})")


def _chars(text: str) -> float:
    """The width of a text, in Chinese characters."""
    return sum(1 if ord(c) > 0x2E80 else LATIN_CHAR for c in text)


def _column_weights(frame: pd.DataFrame) -> tuple[list[float], list[float]]:
    """How wide each column should be relative to the others (its longest text, bounded),
    and how wide it must be so that nothing unbreakable in it is broken (:data:`_UNBROKEN`)."""
    low, high = COLUMN_CHARS
    weights, least = [], []
    for position, column in enumerate(frame.columns):
        texts = [str(column), *(str(v) for v in frame.iloc[:, position])]
        longest = max(_chars(t) for t in texts)
        token = max((_chars(m) for t in texts for m in _UNBROKEN.findall(t)), default=0.0)
        weights.append(min(max(longest, low), high) + CELL_MARGIN_CHARS)
        least.append(max(token, low) + CELL_MARGIN_CHARS)
    return weights, least


def _column_widths(frame: pd.DataFrame, width_mm: float, char_mm: float) -> list[float]:
    """Column widths filling ``width_mm``: each column first gets what it must have, then the
    width left is shared in proportion to what each would like beyond that."""
    weights, least = _column_weights(frame)
    must = [min(w, m) * char_mm for w, m in zip(weights, least, strict=True)]
    if sum(must) >= width_mm:
        return [width_mm * m / sum(must) for m in must]
    wish = [max(w * char_mm - m, 0.0) for w, m in zip(weights, must, strict=True)]
    left = width_mm - sum(must)
    if sum(wish) == 0:
        return [m + left / len(must) for m in must]
    return [m + left * w / sum(wish) for m, w in zip(must, wish, strict=True)]


def _add_table(document: Any, frame: pd.DataFrame, style: str = TABLE_STYLE) -> Any:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml.parser import OxmlElement
    from docx.shared import Mm

    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, column in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(column)).bold = True
    for values in frame.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = _BEFORE_ASIDE.sub("\n", str(value))
    width, _ = _text_box_mm(document)
    char_mm = document.styles[style].font.size.pt * MM_PER_PT
    widths = [Mm(w) for w in _column_widths(frame, width, char_mm)]
    for column, column_width in zip(table.columns, widths, strict=True):
        column.width = column_width
    style_id = _style_id(document, style)
    for number, row in enumerate(table.rows):
        # No row split across pages; the header row repeated on each page the table runs onto.
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if number == 0:
            properties.append(OxmlElement("w:tblHeader"))
        # Word reads the width of each cell, LibreOffice the column's. Row by row: python-docx
        # makes every cell of the table again for each column's cells asked for.
        for cell, cell_width in zip(row.cells, widths, strict=True):
            cell.width = cell_width
            for paragraph in cell.paragraphs:
                paragraph._p.style = style_id
    # The notes on its totals marked 待核实, as under a page's table.
    for line in notes_lines(frame):
        document.add_paragraph(line)
    return table


def _style_id(document: Any, name: str) -> str:
    """The id of the paragraph style ``name``, to set on paragraphs directly: python-docx's
    setter searches every style for it, and for the default one, at each paragraph (seconds
    in a county's tables)."""
    return document.styles[name].style_id


def _start_section(document: Any, *, landscape: bool) -> None:
    """A new page in the given orientation, with the same margins turned with it: the target
    table's eleven columns need the width of an A4 page on its side."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Mm

    section = document.add_section(WD_SECTION.NEW_PAGE)
    width, height = PAGE_MM
    top, bottom, left, right = MARGINS_MM
    if landscape:
        width, height = height, width
        # Turned clockwise: the binding edge (left) goes to the top.
        top, right, bottom, left = left, top, right, bottom
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.top_margin, section.bottom_margin = Mm(top), Mm(bottom)
    section.left_margin, section.right_margin = Mm(left), Mm(right)


def _text_box_mm(document: Any) -> tuple[float, float]:
    """Width and height of the text on the current (last) section's page, millimetres."""
    from docx.shared import Length

    section = document.sections[-1]
    width = Length(section.page_width - section.left_margin - section.right_margin)
    height = Length(section.page_height - section.top_margin - section.bottom_margin)
    return width.mm, height.mm


#: A picture for the document: PNG bytes and what it shows (its alternative text).
Picture = tuple[bytes, str]


def _fit_mm(png: bytes, box_width: float, box_height: float) -> float:
    """The width, mm, at which a picture fills ``box_width`` without being taller than
    ``box_height``."""
    import io

    import PIL.Image

    width_px, height_px = PIL.Image.open(io.BytesIO(png)).size
    return min(box_width, box_height * width_px / height_px)


def _place(paragraph: Any, picture: Picture, width_mm: float) -> None:
    """A picture in its own centred paragraph on single spacing (a fixed line pitch would cut
    it off), with its alternative text."""
    import io

    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Mm

    png, description = picture
    paragraph._p.style = _style_id(paragraph.part.document, TABLE_STYLE)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    shape = paragraph.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))
    shape._inline.docPr.set("descr", description)


def _add_picture(document: Any, picture: Picture) -> None:
    """A picture as wide as the text (smaller where it would be taller than the page), in a
    paragraph of its own: the charts are drawn at that width with every text at 9 pt or more,
    and half the text's height, so two share a page (two to a row printed them at 5 pt)."""
    box_width, box_height = _text_box_mm(document)
    # A few millimetres short of the text height, so a picture shares its page with a line.
    box_height -= 10
    _place(document.add_paragraph(), picture, _fit_mm(picture[0], box_width, box_height))


def _shade(cell: Any, fill: str) -> None:
    """Fill a table cell with a colour (#rrggbb), as Word's shading does."""
    from docx.oxml.ns import qn
    from docx.oxml.parser import OxmlElement

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill.lstrip("#").upper())
    cell._tc.get_or_add_tcPr().append(shading)


def _add_top(document: Any, tables: Tables, year: int, lang: str, catalog: Catalog) -> None:
    """The first page, for a leader (:mod:`analysis.reporting.leader`): three to five
    sentences, the key figures with their change on the year before, the table of the places
    against the targets coloured by status (for more places than a page holds, the places
    counted by status for each target, the table on the pages after it); then a new page for
    the detail."""
    from docx.enum.text import WD_BREAK

    grid = leader.status_grid(tables, catalog=catalog)
    figures = leader.headlines(tables.area, year, lang=lang, catalog=catalog)
    said = leader.sentences(tables, year, grid, figures, lang=lang, catalog=catalog)
    if not (said or figures or grid.columns):
        return
    style_id = _style_id(document, TOP_STYLE)
    for text in said:
        document.add_paragraph(text)._p.style = style_id
    if figures:
        _add_table(document, leader.headline_table(figures, year, lang=lang), TOP_TABLE_STYLE)
    if grid.columns:
        _add_top_heading(document, label(f"heading.status_grid.{grid.kind}", lang))
        if len(grid.places) > leader.GRID_PLACES_SHOWN:
            # Summed up by target on the first page; the whole table on the pages after it.
            places = label(f"places.{grid.kind}", lang)
            counts = leader.counts_table(grid, tables, lang=lang, catalog=catalog)
            summed = _add_table(document, counts.astype(str), TOP_TABLE_STYLE)
            statuses = leader.counted_statuses(grid)
            for row, values in zip(summed.rows[1:], counts.itertuples(index=False), strict=True):
                for cell, status, n in zip(row.cells[1:], statuses, values[1:], strict=True):
                    if n and status in STATUS_COLOURS:
                        _shade(cell, STATUS_COLOURS[status][0])
            note = document.add_paragraph(label("top.counts_note", lang, places=places))
            note._p.style = _style_id(document, TOP_TABLE_STYLE)
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            _add_top_heading(document, label(f"heading.status_grid.{grid.kind}", lang))
        table = _add_table(
            document, leader.grid_table(grid, tables, lang=lang, catalog=catalog), TOP_TABLE_STYLE
        )
        for row, (code, _) in zip(table.rows[1:], grid.places, strict=True):
            for cell, column in zip(row.cells[1:], grid.columns, strict=True):
                status = grid.cell(code, column)
                if status in STATUS_COLOURS:
                    _shade(cell, STATUS_COLOURS[status][0])
        note = document.add_paragraph(
            label("top.grid_note_docx", lang, places=label(f"places.{grid.kind}", lang))
        )
        note._p.style = _style_id(document, TOP_TABLE_STYLE)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _add_top_heading(document: Any, text: str) -> None:
    """A heading of the first page: bold, in the first page's style, not indented."""
    heading = document.add_paragraph()
    heading._p.style = _style_id(document, TOP_STYLE)
    heading.paragraph_format.first_line_indent = 0
    heading.add_run(text).bold = True


def _add_review(document: Any, tables: Tables, year: int, lang: str, catalog: Catalog) -> None:
    """The values the plausibility review flagged up to ``year``, each 待核实 with the flag's
    words or ※ with its 核实说明 (:mod:`analysis.reporting.review`); nothing where none is."""
    lines = flag_lines(
        village_flags(tables), lang, catalog=catalog, names=village_names(tables), year=year
    )
    if not lines:
        return
    document.add_heading(label("heading.review", lang), level=1)
    for confirmed, line in lines:
        key = "review.confirmed_line" if confirmed else "review.open_line"
        document.add_paragraph(label(key, lang).format(line=line))


def write_docx(
    path: Path | str,
    year: int,
    tables: Tables,
    *,
    lang: str = "zh",
    catalog: Catalog | None = None,
    accepted_errors: int = 0,
    pictures: Mapping[str, Sequence[Picture]] | None = None,
) -> Path:
    """Write the summary and its key tables as a Word document (.docx), atomically.

    Parameters
    ----------
    path : Path or str
        The .docx file to write; its folder is created if needed.
    year : int
        The year summarised.
    tables : Tables
        The processed tables.
    lang : {'zh', 'en'}, default 'zh'
        Language of the document.
    catalog : Catalog, optional
        Indicator definitions; defaults to the package catalog.
    accepted_errors : int, default 0
        Errors published with ``--accept-errors``: the first page then says so, as every
        page of the reports does.
    pictures : mapping of str to sequence of (bytes, str), optional
        PNG images with their alternative text, by section (:data:`PICTURE_SECTIONS`: the
        corridor and sanitation maps, the target charts), placed under the section's heading,
        several side by side; sections without one have no picture.

    Returns
    -------
    Path
        ``path``. The document is A4 with GB/T 9704's margins and has the title (e.g.
        大桥镇2019年民生工作总结), 示例数据 on the first page when the data is the sample, the
        summary's sections, the township's key figures for ``year`` beside the year before
        (the township page's table), the maps, and the target table and charts; Chinese is
        set through the w:eastAsia font slot.
    """
    from docx import Document
    from docx.shared import Pt

    check_lang(lang)
    catalog = catalog or default_catalog()
    pictures = pictures or {}
    unknown = set(pictures) - set(PICTURE_SECTIONS)
    if unknown:
        raise ValueError(f"pictures for unknown sections {sorted(unknown)}; use {PICTURE_SECTIONS}")
    tables = as_of(tables, year)
    text = summary_as_of(year, tables, catalog, lang)
    _load_font_table_as_xml()
    document = Document()
    _set_page_and_styles(document, lang)
    _set_fonts(document, lang)
    _declare_fallbacks(document)
    document.add_heading(text.title, level=0)
    if accepted_errors:
        warning = label("page.accepted_errors", lang, n=accepted_errors)
        document.add_paragraph().add_run(warning).bold = True
    if tables.sample:
        note = label("docx.sample", lang, note=text.sample_note)
        document.add_paragraph().add_run(note).bold = True
    _add_top(document, tables, year, lang, catalog)
    indent = FIRST_LINE_INDENT_CHARS[lang] * SIZES_PT[lang][2]
    for section in text.sections:
        document.add_heading(section.title, level=1)
        for block in section.blocks():
            if not isinstance(block, str):
                _add_table(document, block)
                continue
            added = document.add_paragraph(block)
            if indent:
                added.paragraph_format.first_line_indent = Pt(indent)
    _add_review(document, tables, year, lang, catalog)
    figures = key_figures(tables.area, year, lang=lang, catalog=catalog)
    if not figures.empty:
        heading = label("docx.key_figures", lang, year=year, previous=year - 1)
        document.add_heading(heading, level=1)
        _add_table(document, figures)
    for key in ("corridor", "sanitation"):
        if pictures.get(key):
            document.add_heading(label(f"heading.{key}", lang), level=1)
            # Maps are read whole: each takes the text's width, one under the other.
            for picture in pictures[key]:
                _add_picture(document, picture)
    rows = target_rows(tables, catalog)
    if not rows.empty:
        heading = label("docx.targets", lang, year=target_years(rows, lang))
        _start_section(document, landscape=True)
        document.add_heading(heading, level=1)
        table = status_table(rows, village_names(tables), lang=lang, catalog=catalog)
        _add_table(document, table)
        document.add_paragraph(status_note(table, lang))
        if pictures.get("targets"):
            _start_section(document, landscape=False)
            for picture in pictures["targets"]:
                _add_picture(document, picture)
    _set_rare_fonts(document)
    with atomic_path(path) as tmp:
        document.save(str(tmp))
    return Path(path)
