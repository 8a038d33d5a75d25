"""The summary as a Word document (.docx): its text, the key figures and the target table.

The key figures and target tables are the township page's
(:func:`analysis.reporting.tables.key_figures`, :func:`analysis.reporting.tables.status_table`
with the note that states the status rule), so a figure reads the same on the page, in the
text and in Word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from analysis.core.catalog import Catalog, default_catalog
from analysis.core.labels import check_lang, label
from analysis.iorw import atomic_path
from analysis.pipeline.store import Tables
from analysis.reporting.narrative.compose import summary_as_of
from analysis.reporting.narrative.plan import target_rows, target_years
from analysis.reporting.narrative.sentences import as_of, village_names
from analysis.reporting.tables import key_figures, status_note, status_table

#: Fonts of the Word document: 宋体 body and 黑体 headings, as township documents are set.
BODY_FONT_ZH, HEADING_FONT_ZH, LATIN_FONT = "宋体", "黑体", "Times New Roman"
#: First-line indent of a paragraph, points: two characters of 10.5 pt in Chinese, none in English.
FIRST_LINE_INDENT_PT = {"zh": 21, "en": 0}


def _set_fonts(document: Any) -> None:
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
    apply(defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts")), BODY_FONT_ZH)
    for name in ("Normal", "Title", "Heading 1"):
        font = BODY_FONT_ZH if name == "Normal" else HEADING_FONT_ZH
        apply(document.styles[name].element.get_or_add_rPr().get_or_add_rFonts(), font)


def _add_table(document: Any, frame: pd.DataFrame) -> None:
    table = document.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, column in zip(table.rows[0].cells, frame.columns, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(str(column)).bold = True
    for values in frame.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = str(value)


def write_docx(
    path: Path | str,
    year: int,
    tables: Tables,
    *,
    lang: str = "zh",
    catalog: Catalog | None = None,
    accepted_errors: int = 0,
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

    Returns
    -------
    Path
        ``path``. The document has the title (e.g. 大桥镇2019年民生工作总结), 示例数据 on the first
        page when the data is the sample, the summary's sections, the township's key figures
        for ``year`` beside the year before (the township page's table), and the target table;
        Chinese is set in 宋体/黑体 through the w:eastAsia font slot.
    """
    from docx import Document
    from docx.shared import Pt

    check_lang(lang)
    catalog = catalog or default_catalog()
    tables = as_of(tables, year)
    text = summary_as_of(year, tables, catalog, lang)
    document = Document()
    _set_fonts(document)
    document.add_heading(text.title, level=0)
    if accepted_errors:
        warning = label("page.accepted_errors", lang, n=accepted_errors)
        document.add_paragraph().add_run(warning).bold = True
    if tables.sample:
        note = label("docx.sample", lang, note=text.sample_note)
        document.add_paragraph().add_run(note).bold = True
    indent = FIRST_LINE_INDENT_PT[lang]
    for section in text.sections:
        document.add_heading(section.title, level=1)
        for paragraph in section.paragraphs:
            added = document.add_paragraph(paragraph)
            if indent:
                added.paragraph_format.first_line_indent = Pt(indent)
    figures = key_figures(tables.township, year, lang=lang, catalog=catalog)
    if not figures.empty:
        heading = label("docx.key_figures", lang, year=year, previous=year - 1)
        document.add_heading(heading, level=1)
        _add_table(document, figures)
    rows = target_rows(tables, catalog)
    if not rows.empty:
        document.add_heading(label("docx.targets", lang, year=target_years(rows, lang)), level=1)
        table = status_table(rows, village_names(tables), lang=lang, catalog=catalog)
        _add_table(document, table)
        document.add_paragraph(status_note(table, lang))
    with atomic_path(path) as tmp:
        document.save(str(tmp))
    return Path(path)
