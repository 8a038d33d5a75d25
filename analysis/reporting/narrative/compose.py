"""The township's annual summary: its sections in the document's order, and its renderings."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html import escape

import pandas as pd

from analysis.core.catalog import Catalog, default_catalog
from analysis.core.labels import check_lang, label
from analysis.pipeline.store import Tables
from analysis.reporting.narrative.plan import CATEGORIES, plan_paragraphs
from analysis.reporting.narrative.sentences import (
    as_of,
    projects_paragraph,
    sentence,
    town_name,
)
from analysis.reporting.narrative.wording import PHRASES, TEMPLATES
from analysis.reporting.tables import values


@dataclass
class Section:
    """One section of the summary: a title, its paragraphs, and the tables that follow some of
    them (by the paragraph's position: a lead sentence, then its table of places)."""

    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: dict[int, pd.DataFrame] = field(default_factory=dict)

    def blocks(self) -> Iterator[str | pd.DataFrame]:
        """The paragraphs, each followed by its table where it has one, in reading order."""
        for position, paragraph in enumerate(self.paragraphs):
            yield paragraph
            if position in self.tables:
                yield self.tables[position]


def _plain_table(table: pd.DataFrame) -> str:
    """A table as an escaped HTML table (where the page's own renderer is not given)."""
    head = "".join(f"<th>{escape(str(c))}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _markdown_escape(text: str) -> str:
    text = escape(text, quote=False)
    return "".join(f"\\{c}" if c in "\\`*_[]#|" else c for c in text)


@dataclass
class Summary:
    """The township's annual summary; ``sample_note`` is set when the data is the sample."""

    title: str
    sections: list[Section]
    lang: str = "zh"
    sample_note: str = ""

    def to_text(self) -> str:
        """Plain text: the title, the sample note, then each section's title and paragraphs."""
        lines = [self.title]
        if self.sample_note:
            lines.append(self.sample_note)
        for section in self.sections:
            lines += ["", section.title]
            for block in section.blocks():
                lines += (
                    [block]
                    if isinstance(block, str)
                    else ["\t".join(map(str, row)) for row in [block.columns, *block.to_numpy()]]
                )
        return "\n".join(lines) + "\n"

    def to_markdown(self) -> str:
        """Markdown, with names and figures escaped so that none can become markup."""
        parts = [f"## {_markdown_escape(self.title)}"]
        if self.sample_note:
            parts.append(f"**{_markdown_escape(self.sample_note)}**")
        for section in self.sections:
            parts.append(f"### {_markdown_escape(section.title)}")
            for block in section.blocks():
                if isinstance(block, str):
                    parts.append(_markdown_escape(block))
                    continue
                rows = [block.columns, ["---"] * len(block.columns), *block.to_numpy()]
                parts.append(
                    "\n".join(
                        "| " + " | ".join(_markdown_escape(str(v)) for v in r) + " |" for r in rows
                    )
                )
        return "\n\n".join(parts) + "\n"

    def to_html(self, table_html: Callable[[pd.DataFrame], str] = _plain_table) -> str:
        """An HTML fragment; every value is escaped. ``table_html`` renders a table (the
        page's own renderer, so that it scrolls on a phone as the page's other tables do)."""
        parts = [f'<section class="minsheng-summary" lang="{escape(self.lang)}">']
        parts.append(f"<h2>{escape(self.title)}</h2>")
        if self.sample_note:
            parts.append(f'<p class="sample">{escape(self.sample_note)}</p>')
        for section in self.sections:
            parts.append(f"<h3>{escape(section.title)}</h3>")
            parts += [
                f"<p>{escape(block)}</p>" if isinstance(block, str) else table_html(block)
                for block in section.blocks()
            ]
        parts.append("</section>")
        return "\n".join(parts) + "\n"


def summary(
    year: int, tables: Tables, *, lang: str = "zh", catalog: Catalog | None = None
) -> Summary:
    """The township's annual livelihood summary for ``year``, written from the tables.

    Parameters
    ----------
    year : int
        The year summarised; the year before gives the year-on-year changes.
    tables : Tables
        The processed tables: ``township`` for the figures, ``indicators`` for the village
        breakdowns, ``projects`` for the project list, ``targets`` and ``projections`` for the
        plan, ``villages`` for names.
    lang : {'zh', 'en'}, default 'zh'
        Language of the text.
    catalog : Catalog, optional
        Indicator definitions; defaults to the package catalog.

    Returns
    -------
    Summary
        Sections 一、脱贫攻坚, 二、社会保障, 三、人居环境, 四、产业发展 and
        五、{year + 1}年工作打算, each where it has something to say (numbered in order). A figure
        that is absent or NaN produces no sentence, nor does a zero that was zero the year
        before where zero is no achievement (全镇有0个扶贫车间). The plan uses the projections
        table for the latest year and projects again from the data up to ``year`` for an
        earlier one.
    """
    check_lang(lang)
    catalog = catalog or default_catalog()
    return summary_as_of(year, as_of(tables, year), catalog, lang)


def summary_as_of(year: int, tables: Tables, catalog: Catalog, lang: str) -> Summary:
    """:func:`summary` for tables whose projections are already as of ``year``."""
    words = PHRASES[lang]
    now = values(tables.township, year)
    before = values(tables.township, year - 1)
    contents: list[tuple[str, list[str], dict[int, pd.DataFrame]]] = []
    for category in CATEGORIES:
        paragraphs = [
            text
            for template in TEMPLATES[lang][category]
            if (text := sentence(template, year, now, before, tables, catalog, lang))
        ]
        if category == "poverty" and (projects := projects_paragraph(year, tables, lang)):
            paragraphs.append(projects)
        if paragraphs:
            contents.append((label(f"section.{category}", lang), paragraphs, {}))
    plan, plan_tables = plan_paragraphs(tables, catalog, lang, year)
    if plan:
        contents.append((label("summary.plan", lang, year=year + 1), plan, plan_tables))
    numerals = words["numerals"]
    level, _ = tables.place()
    own = data_texts(tables)
    contents = [
        (title, [for_level(p, level, lang, own) for p in ps], shown)
        for title, ps, shown in contents
    ]
    return Summary(
        title=label("summary.title", lang, town=town_name(tables), year=year),
        sections=[
            Section(
                words["section"].format(number=numerals[i] if numerals else i + 1, title=title),
                paragraphs,
                shown,
            )
            for i, (title, paragraphs, shown) in enumerate(contents)
        ],
        lang=lang,
        sample_note=label("summary.sample", lang) if tables.sample else "",
    )


def for_level(text: str, level: str, lang: str, own: Iterable[str] = ()) -> str:
    """A sentence of the templates, which speak for a town (全镇, the township), as the summary
    of a county or a prefecture says it (全县, the county). The data's own texts quoted in it
    (``own``: a batch of projects named 2019年全镇整合资金项目) stay as they are written."""
    if level == "town":
        return text
    town, whole = label("whole.town", lang), label(f"whole.{level}", lang)
    quoted = sorted({t for t in own if town in t}, key=len, reverse=True)
    if not quoted:
        return text.replace(town, whole)
    # Split around the quoted texts (captured, at the odd places) and change only the rest.
    pieces = re.split("(" + "|".join(map(re.escape, quoted)) + ")", text)
    return "".join(p if i % 2 else p.replace(town, whole) for i, p in enumerate(pieces))


def data_texts(tables: Tables) -> set[str]:
    """The data's own words a summary may quote: the names of places, scopes and batches."""
    columns = (
        (tables.villages, ("name", "short_name", "town_name")),
        (tables.targets, ("scope_name",)),
        (tables.projects, ("batch", "project")),
    )
    return {
        str(text)
        for frame, names in columns
        for name in names
        if name in frame.columns
        for text in frame[name].dropna().unique()
    }
