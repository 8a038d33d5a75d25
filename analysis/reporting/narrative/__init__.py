"""The annual livelihood summary (民生工作总结), written from the processed tables.

A township writes the same document by hand every year: section after section of figures, then
a plan for the next year. Here every figure sentence is rendered from the tables, so the text
cannot disagree with the data: a figure that is absent (or NaN) produces no sentence, and a
figure that changes in the raw data changes in the text.

* :func:`summary` — the township summary in the document's own structure (一、脱贫攻坚 …
  五、下一年工作打算), as a :class:`Summary` with text, Markdown and escaped-HTML renderings.
* :func:`village_paragraph` — a short paragraph for one village's report.
* :func:`write_docx` — the summary and its key tables as a Word document.

The package's modules: ``wording`` (the sentence templates and the words around them),
``sentences`` (the figure sentences, and reading the tables), ``plan`` (the next year's plan
from the projections), ``village`` (the village paragraph), ``compose`` (the summary composed
of its sections, and its renderings) and ``word`` (the .docx). Headings, section names, status words and units come from
:mod:`analysis.core.labels`, numbers from :mod:`analysis.core.numbers`.
"""

from __future__ import annotations

from analysis.core.labels import LANGS
from analysis.reporting.narrative.compose import Section, Summary, summary
from analysis.reporting.narrative.plan import CATEGORIES
from analysis.reporting.narrative.sentences import BREAKDOWN_LIMIT
from analysis.reporting.narrative.village import VILLAGE_KEYS, village_paragraph
from analysis.reporting.narrative.word import (
    BODY_FONT_ZH,
    FONT_FALLBACKS,
    HEADING_FONT_ZH,
    LATIN_FONT,
    TITLE_FONT_ZH,
    Picture,
    write_docx,
)
from analysis.reporting.narrative.wording import PHRASES, TEMPLATES, Sentence

__all__ = [
    "BODY_FONT_ZH",
    "BREAKDOWN_LIMIT",
    "CATEGORIES",
    "FONT_FALLBACKS",
    "HEADING_FONT_ZH",
    "LANGS",
    "LATIN_FONT",
    "PHRASES",
    "TEMPLATES",
    "TITLE_FONT_ZH",
    "VILLAGE_KEYS",
    "Picture",
    "Section",
    "Sentence",
    "Summary",
    "summary",
    "village_paragraph",
    "write_docx",
]
