"""What the report notebooks display: titles, section headings, tables, figures, the summary.

Notebooks stay thin (parameters, then a call per section); what they show is built in
:mod:`analysis.reporting.tables`, :mod:`analysis.reporting.page_maps` and
:mod:`analysis.reporting.narrative`, and displayed here as escaped HTML or embedded PNG, so
names never become markup and every front end shows the same thing.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import re
from collections.abc import Iterable
from html import escape

import pandas as pd
from IPython.display import HTML, display
from matplotlib.figure import Figure

from analysis.core.labels import forms, glossed, label
from analysis.geo.maps import svg_bytes
from analysis.pipeline.store import Tables
from analysis.reporting import appendix, leader, narrative
from analysis.reporting.changes import (
    county_change_line,
    town_change_lines,
    village_change_lines,
)
from analysis.reporting.charts import release
from analysis.reporting.indicator_charts import Chart, Fan, Trend, target_fans, trend_inputs
from analysis.reporting.page_maps import MapDrawing, by_town
from analysis.reporting.pictures import page_map, page_svg, png_bytes
from analysis.reporting.publish import STATUS_COLOURS, scroll_box
from analysis.reporting.reads import (
    BOUNDARY_CHANGES,
    PLACE_FIGURES,
    PROJECTIONS_AS_OF,
    PROJECTS,
    RECONCILIATION,
    REGISTRY,
    SCOPE_PROJECTIONS,
    TARGETS,
    VILLAGE_ROWS,
    reads,
)
from analysis.reporting.review import notes_html
from analysis.reporting.tables import self_word, status_note, target_table, village_projects


@reads()
def heading(text: str, level: int = 2) -> HTML:
    """An escaped HTML heading for a notebook output (names never become markup)."""
    return HTML(f"<h{level}>{escape(str(text))}</h{level}>")


@reads()
def section_heading(key: str, lang: str = "zh") -> HTML:
    """A page section's heading by its label key (``"key_figures"`` → 主要指标 Key figures).

    A Chinese page glosses its headings in English; an English page is English only.
    """
    return heading(glossed(f"heading.{key}", lang))


@reads()
def paragraph(text: str) -> HTML:
    """An escaped HTML paragraph."""
    return HTML(f"<p>{escape(str(text))}</p>")


#: Resolution of a page's maps, pixels an inch.
PAGE_DPI = 100


@reads()
def show(fig: Figure | MapDrawing | None, *, lang: str = "zh", dpi: int = PAGE_DPI) -> None:
    """Display a figure, or a map from its drawing, as an embedded PNG with its alternative
    text, once (no-op for None).

    The maps are plain ``Figure`` objects (no pyplot), which IPython would print as text;
    rendering the PNG here also keeps the image identical in every front end. The figures lay
    themselves out, so the image is the figure as it is, not cropped again. A chart grid is
    then handed back to be drawn on again (:func:`analysis.reporting.charts.release`): the
    figure is not to be used after this. A map's drawing (:class:`MapDrawing`) is drawn only
    where the page's pictures do not keep it (:func:`analysis.reporting.pictures.page_map`).
    """
    if fig is None:
        return
    if isinstance(fig, Figure):
        alt = figure_alt(fig, lang)
        png = png_bytes(fig, dpi=dpi)
        size = fig.get_size_inches()
        release(fig)
    else:
        png, alt, size = page_map(fig, dpi, lang, functools.partial(figure_alt, lang=lang))
    width, height = (round(x * dpi) for x in size)
    display(HTML(map_html(png, alt, width, height, lang)))


def map_html(png: bytes, alt: str, width: int, height: int, lang: str = "zh") -> str:
    """A map as a page shows it: its image, which a tap opens full size over the page (the
    figure made the page's target, by a link to itself: CSS alone, no script), and a link that
    closes it again, back at the map's place. Its id is the picture's digest: the same map
    gives the same page."""
    name = f"map-{hashlib.sha256(png).hexdigest()[:12]}"
    return (
        f'<span class="map-spot" id="{name}-spot"></span>'
        f'<figure class="map" id="{name}"><a href="#{name}" '
        f'title="{escape(label("map.open", lang))}">{_img(png, "image/png", alt, width, height)}'
        f'</a><a class="map-close" href="#{name}-spot">{escape(label("map.close", lang))}</a>'
        "</figure>"
    )


def figure_alt(fig, lang: str = "zh") -> str:
    """What a map shows, for a reader who cannot see it: its title and its legend's entries
    (classes with their counts, symbols with what they stand for), as drawn."""
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    entries = [
        text.get_text()
        for ax in fig.axes
        for legend in ([ax.get_legend()] if ax.get_legend() else [])
        for text in [legend.get_title(), *legend.get_texts()]
        if text.get_text()
    ]
    alt = label("alt.map", lang, title=label("alt.separator", lang).join(titles))
    if entries:
        alt += label("alt.legend", lang, entries=label("alt.separator", lang).join(entries))
    return alt


def _img(picture: bytes, kind: str, alt: str, width: int, height: int) -> str:
    source = base64.b64encode(picture).decode("ascii")
    return (
        f'<img src="data:{kind};base64,{source}" alt="{escape(alt)}" '
        f'width="{width}" height="{height}">'
    )


def chart_html(chart: Chart | Fan | Trend, *, dpi: int = 100) -> str:
    """One chart as a page figure: its image (SVG, shown ``dpi`` pixels an inch) with its
    alternative text, and its figures as a table that opens under it. A drawn :class:`Chart`'s
    figure is handed back once encoded (:func:`show`); a chart given by what it is drawn from
    (:class:`Fan`, :class:`Trend`) is drawn only where its picture is not kept
    (:func:`analysis.reporting.pictures.page_svg`)."""
    if isinstance(chart, Chart):
        svg = svg_bytes(chart.figure)
        size = chart.figure.get_size_inches()
        release(chart.figure)
    else:
        svg, size = page_svg(chart), chart.size
    width, height = (round(x * dpi) for x in size)
    return (
        f'<figure class="chart">{_img(svg, "image/svg+xml", chart.alt, width, height)}'
        f"<figcaption><details><summary>{escape(chart.caption)}</summary>"
        f"{table_html(chart.data)}</details></figcaption></figure>"
    )


def show_charts(charts: Iterable[Chart | Fan | Trend], *, small: bool = False) -> None:
    """Charts side by side in a grid that wraps to the page's width (one column on a phone);
    nothing where there are none. ``small`` for the trend charts' narrower grid."""
    figures = "".join(chart_html(chart) for chart in charts)
    if figures:
        kind = "charts small" if small else "charts"
        display(HTML(f'<div class="{kind}">{figures}</div>'))


@reads(SCOPE_PROJECTIONS, REGISTRY)
def show_target_charts(tables: Tables, scope: str, *, lang: str = "zh") -> None:
    """A fan chart per target of the scope ('township' or a village code), each its own image."""
    show_charts(target_fans(tables, scope, lang=lang))


@reads(PLACE_FIGURES, SCOPE_PROJECTIONS)
def show_trend_charts(tables: Tables, year: int, *, lang: str = "zh") -> None:
    """A small trend chart per indicator of the township (or town) without a target."""
    show_charts(trend_inputs(tables, year, lang=lang), small=True)


#: A cell that holds a figure (right-aligned, never wrapped): 3035, 86.4%, -3.9个百分点, <1%, —,
#: and a figure marked 待核实 (76.8（待核实）) as a figure.
_POINTS = "|".join(re.escape(w.format(n="").strip()) for w in forms("change.points", "zh"))
_MARKED = "|".join(re.escape(label("review.marked", lang, figure="")) for lang in ("zh", "en"))
_FIGURE = re.compile(rf"^[<>+\-−]?\d[\d,.]*\s*(%|‰|{_POINTS})?({_MARKED})?$|^—$")


#: A cell of this many characters or fewer is one word (有望达成, 青光村, 持平): never broken.
_WORD_CHARS = 4


def table_html(table: pd.DataFrame) -> str:
    """A table as plain escaped HTML: text left, figures right, no row numbers; it scrolls
    sideways on a phone rather than wrapping a character per line. The notes on its totals
    marked 待核实 follow it (:func:`analysis.reporting.review.notes_html`)."""
    notes = notes_html(table)
    if table.index.name is not None:
        table = table.reset_index()
    header = "".join(f"<th>{escape(str(c))}</th>" for c in table.columns)
    rows = []
    # Column by column, as itertuples reads them, without its per-column indexing cost.
    for record in zip(*(column.tolist() for _, column in table.items()), strict=True):
        cells = []
        for value in record:
            text = (
                "—"
                if value is None or (isinstance(value, float) and value != value)
                else str(value)
            )
            kind = (
                ' class="num"'
                if _FIGURE.match(text)
                else ' class="word"'
                if len(text) <= _WORD_CHARS
                else ""
            )
            cells.append(f"<td{kind}>{escape(text)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return (
        scroll_box(f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
        + notes
    )


@reads()
def show_table(table: pd.DataFrame) -> None:
    """Display a table (:func:`table_html`)."""
    display(HTML(table_html(table)))


@reads(SCOPE_PROJECTIONS, REGISTRY)
def show_target_table(
    tables: Tables, scope: str, *, lang: str = "zh", supporting: bool = True
) -> None:
    """A scope's target table (:func:`analysis.reporting.tables.target_table`) with the note
    that states the status rule under it; nothing where the scope has no targets.
    ``supporting=False`` leaves the ESCAP and Eurostat columns to the page's appendix
    (:func:`show_appendix`)."""
    table = (
        target_table(tables, scope, lang=lang)
        if supporting
        else appendix.body_target_table(tables, scope, lang=lang)
    )
    if table.empty:
        return
    show_table(table)
    display(paragraph(status_note(table, lang)))


@reads(PROJECTS, REGISTRY)
def show_village_projects(tables: Tables, code: str, year: int, *, lang: str = "zh") -> None:
    """The village's projects (:func:`analysis.reporting.tables.village_projects`), or the
    sentence that it has none (本村2019年无扶贫项目): never a table of headers alone."""
    projects = village_projects(tables, code, lang=lang)
    if projects.empty:
        display(
            paragraph(label("projects.none", lang, self=self_word(tables, code, lang), year=year))
        )
        return
    show_table(projects)


@reads(REGISTRY)
def area_title(tables: Tables, year: int, lang: str = "zh") -> str:
    """大桥镇2019年民生工作总览 / 大桥镇: livelihood overview 2019."""
    return label("title.township", lang, town=tables.place_name(), year=year)


@reads()
def village_title(village: pd.Series, year: int, lang: str = "zh") -> str:
    """青光村委会 2019年民生工作报告 / 青光村委会: livelihood report 2019."""
    return label("title.village", lang, name=village["name"], year=year)


@reads(
    PLACE_FIGURES, VILLAGE_ROWS, PROJECTS, TARGETS, PROJECTIONS_AS_OF, REGISTRY, BOUNDARY_CHANGES
)
def show_summary(tables: Tables, year: int, *, lang: str = "zh") -> None:
    """The written township summary (analysis.reporting.narrative), as escaped HTML; then the
    boundary changes, where there were any: a town's each, a county's how many."""
    display(HTML(narrative.summary(year, tables, lang=lang).to_html(table_html)))
    county = by_town(tables)
    lines = [county_change_line(tables, lang)] if county else town_change_lines(tables, None, lang)
    lines = [line for line in lines if line]
    if lines:
        display(heading(glossed("change.heading", lang), 3))
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        display(HTML(f'<ul class="boundary-changes">{items}</ul>'))


@reads(VILLAGE_ROWS, PROJECTIONS_AS_OF, REGISTRY, BOUNDARY_CHANGES)
def show_village_paragraph(tables: Tables, code: str, year: int, *, lang: str = "zh") -> None:
    """The village's paragraph (analysis.reporting.narrative), as an escaped HTML paragraph."""
    display(paragraph(narrative.village_paragraph(code, year, tables, lang=lang)))
    # How the village was formed, where a boundary change did: its early years are others'.
    for line in village_change_lines(tables, code, lang):
        display(paragraph(line))


def _cards(headlines: list[leader.Headline], lang: str) -> str:
    """The key figures as cards: name, figure, change on the year before (two to a row on a
    phone)."""
    direction = {1: " better", -1: " worse", 0: ""}
    cards = "".join(
        f'<div><dt>{escape(h.name)}</dt><dd class="figure">{escape(h.figure)}</dd>'
        + (
            f'<dd class="change{direction[h.direction]}">'
            f"{escape(label('top.change', lang, change=h.change))}</dd>"
            if h.change
            else ""
        )
        + "</div>"
        for h in headlines
    )
    return f'<dl class="cards">{cards}</dl>' if cards else ""


def status_grid_html(grid: leader.StatusGrid, tables: Tables, *, lang: str = "zh") -> str:
    """The status table: a row per place, a column per target, each cell coloured by its status
    and linking to the place's page (:func:`analysis.reporting.leader.place_href`)."""
    header = "".join(f"<th>{escape(c)}</th>" for c in leader.grid_headers(grid, tables, lang=lang))
    rows = []
    for code, name in grid.places:
        href = escape(leader.place_href(tables, code))
        cells = [f'<td><a href="{href}">{escape(name)}</a></td>']
        for column in grid.columns:
            status = grid.cell(code, column)
            kind = f' class="s-{status.replace(" ", "-")}"' if status in STATUS_COLOURS else ""
            word = escape(leader.status_word(status, lang))
            cells.append(f'<td{kind}><a href="{href}">{word}</a></td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return scroll_box(
        f'<table class="status-grid"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def status_counts_html(grid: leader.StatusGrid, tables: Tables, *, lang: str = "zh") -> str:
    """The status table summed up by target (:func:`analysis.reporting.leader.counts_table`):
    each count of places coloured by its status where it is not 0."""
    table = leader.counts_table(grid, tables, lang=lang)
    statuses = leader.counted_statuses(grid)
    header = "".join(f"<th>{escape(str(c))}</th>" for c in table.columns)
    rows = []
    for target, *counts in table.itertuples(index=False):
        cells = [f"<td>{escape(target)}</td>"]
        for status, n in zip(statuses, counts, strict=True):
            kind = f" s-{status.replace(' ', '-')}" if n and status in STATUS_COLOURS else ""
            cells.append(f'<td class="num{kind}">{n}</td>')
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return scroll_box(
        f'<table class="status-counts"><thead><tr>{header}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


@reads(PLACE_FIGURES, PROJECTIONS_AS_OF, SCOPE_PROJECTIONS, REGISTRY)
def show_top(tables: Tables, year: int, *, lang: str = "zh") -> None:
    """The top of a county's or town's page, for a leader (:mod:`analysis.reporting.leader`):
    three to five sentences, the key figures as cards with their change on the year before,
    and the table of the places (towns, or villages) against the targets, each cell coloured
    by status and linking to the place's page: for more places than fit a screen
    (:data:`~analysis.reporting.leader.GRID_PLACES_SHOWN`), summed up by target, the table
    itself opening under it on a click."""
    tables = narrative.sentences.as_of(tables, year)
    grid = leader.status_grid(tables)
    figures = leader.headlines(tables.area, year, lang=lang)
    parts = [f'<section class="top" lang="{escape(lang)}">']
    parts += [
        f'<p class="lead">{escape(text)}</p>'
        for text in leader.sentences(tables, year, grid, figures, lang=lang)
    ]
    parts.append(_cards(figures, lang))
    if grid.columns:
        places = label(f"places.{grid.kind}", lang)
        parts.append(f"<h3>{escape(glossed(f'heading.status_grid.{grid.kind}', lang))}</h3>")
        whole = [
            status_grid_html(grid, tables, lang=lang),
            f"<p>{escape(label('top.grid_note', lang, places=places))}</p>",
        ]
        if len(grid.places) > leader.GRID_PLACES_SHOWN:
            # Summed up by target, so that the top stays one screen; the whole on a click.
            n = len(grid.places)
            parts += [
                status_counts_html(grid, tables, lang=lang),
                f"<p>{escape(label('top.counts_note', lang, places=places))}</p>",
                '<details class="status-detail"><summary>'
                f"{escape(label('top.grid_details', lang, places=places, n=n))}</summary>",
                *whole,
                "</details>",
            ]
        else:
            parts += whole
    parts.append("</section>")
    display(HTML("\n".join(parts)))


@reads(SCOPE_PROJECTIONS, REGISTRY, RECONCILIATION)
def show_appendix(tables: Tables, *, lang: str = "zh") -> None:
    """The appendix at the foot of a county's or town's page (:mod:`analysis.reporting.
    appendix`): the ESCAP and Eurostat measures, the projection models with their back-tests,
    and the published figures not checked, each with one plain sentence saying what it means;
    nothing where none of them has a row."""
    parts = []
    supporting = appendix.supporting_table(tables, lang=lang)
    if not supporting.empty:
        parts += [
            heading(glossed("heading.appendix_supporting", lang), 3).data,
            paragraph(label("appendix.supporting", lang)).data,
            table_html(supporting),
            paragraph(appendix.supporting_note(supporting, lang)).data,
        ]
    for key, table in (
        ("models", appendix.model_table(tables, lang=lang)),
        ("unchecked", appendix.unchecked_table(tables, lang=lang)),
    ):
        if not table.empty:
            parts += [
                heading(glossed(f"heading.appendix_{key}", lang), 3).data,
                paragraph(label(f"appendix.{key}", lang)).data,
                table_html(table),
            ]
    if parts:
        display(HTML(heading(glossed("heading.appendix", lang)).data + "".join(parts)))
