"""The plausibility review's flags on the pages (核实性审核): a value the review flagged and no
核实说明 confirms is shown marked 待核实 with the flag's words wherever the page states it; a
confirmed value carries its explanation as a note. A page never hides or replaces a flagged value.
"""

from __future__ import annotations

from html import escape

import pandas as pd
from IPython.display import HTML, display

from analysis.core import numbers
from analysis.core.aggregate import PENDING_REVIEW
from analysis.core.catalog import Catalog, Indicator, default_catalog
from analysis.core.labels import glossed, indicator_label, indicator_name, label
from analysis.ingest.cells import decimals_of
from analysis.pipeline.store import Tables
from analysis.reporting.reads import REVIEW_FLAGS, reads

#: (village code, year, indicator) → the flag's row of ``review.parquet``.
Flags = dict[tuple[str, int, str], pd.Series]
#: (year, indicator) → how many of a total's village values are pending review (none: absent).
Pending = dict[tuple[int, str], int]
#: Where a table carries the notes on its marked totals (:func:`with_notes`), for whoever
#: shows it (the pages' :func:`analysis.reporting.sections.table_html`, Word's table).
NOTES = "review_notes"


def village_flags(tables: Tables, code: str | None = None) -> Flags:
    """The flags of one village's values (of every village of the tables when None)."""
    return flags_of(tables.review, code)


def flags_of(review: pd.DataFrame, code: str | None = None) -> Flags:
    """The flags of ``review.parquet``: one village's (every village's when None)."""
    if review.empty:
        return {}
    mine = review if code is None else review[review["village_code"].astype(str) == str(code)]
    return {
        (str(row["village_code"]), int(row["year"]), str(row["indicator"])): row
        for _, row in mine.iterrows()
    }


def mark_history(shown: pd.DataFrame, flags: Flags, catalog: Catalog, lang: str) -> pd.DataFrame:
    """A history table of formatted figures (a row per indicator label, a column per year)
    with its flagged figures marked."""
    if not flags:
        return shown
    shown = shown.copy()
    for (_, year, indicator), flag in flags.items():
        row = indicator_label(catalog[indicator], lang)
        if row in shown.index and str(year) in shown:
            shown.loc[row, str(year)] = marked(
                shown.loc[row, str(year)], flag, catalog[indicator], lang
            )
    return shown


def marked(text: str, flag: pd.Series | None, ind: Indicator, lang: str = "zh") -> str:
    """A figure as a page states it, marked 待核实 where its flag is not confirmed, and
    pointing to its note (※) where it is. A flagged figure is stated to every decimal it was
    written with (8.96, not the catalog's 9.0): the reader sees what is to be confirmed."""
    if flag is None:
        return text
    text = figure_as_written(flag, ind, lang)
    if bool(flag["confirmed"]):
        return f"{text} ※"
    return label("review.marked", lang).format(figure=text)


def figure_as_written(flag: pd.Series, ind: Indicator, lang: str = "zh") -> str:
    """A flagged figure to every decimal it was written with."""
    value = float(flag["value"])
    return numbers.number(value, ind, lang, context="column", places=decimals_of(value))


def flag_lines(
    flags: Flags,
    lang: str = "zh",
    *,
    catalog: Catalog | None = None,
    names: dict[str, str] | None = None,
    year: int | None = None,
) -> list[tuple[bool, str]]:
    """Each flag as a line a reader can act on, in year order: (confirmed, text), the text its
    figure and either the flag's words or its 核实说明. With ``names`` (code → name) the village
    is named; with ``year``, flags of later years are left out."""
    catalog = catalog or default_catalog()
    lines = []
    for (code, flag_year, indicator), flag in sorted(
        flags.items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2])
    ):
        if year is not None and flag_year > year:
            continue
        ind = catalog[indicator]
        what = label("review.figure", lang).format(
            year=flag_year,
            indicator=indicator_name(ind, lang),
            figure=figure_as_written(flag, ind, lang),
        )
        if names is not None:
            what = label("review.of_village", lang).format(village=names.get(code, code), what=what)
        if bool(flag["confirmed"]):
            text = label("review.confirmed", lang).format(explanation=flag["explanation"])
        else:
            text = str(flag["message_zh"] if lang == "zh" else flag["message_en"])
        lines.append(
            (bool(flag["confirmed"]), label("review.item", lang).format(what=what, text=text))
        )
    return lines


@reads(REVIEW_FLAGS)
def show_review_notes(
    tables: Tables, code: str, *, lang: str = "zh", catalog: Catalog | None = None
) -> None:
    """The village's flagged values: each 待核实 with the flag's words, each confirmed with its
    核实说明. Nothing where the review flagged none of the village's values."""
    lines = flag_lines(village_flags(tables, code), lang, catalog=catalog)
    if not lines:
        return
    items = [
        f'<li class="review-confirmed">{label("review.confirmed_line", lang, line=escape(line))}</li>'
        if confirmed
        else f'<li class="review-open"><strong>{escape(label("review.to_confirm", lang))}'
        f"</strong> {escape(line)}</li>"
        for confirmed, line in lines
    ]
    display(HTML(f"<h3>{escape(glossed('heading.review', lang))}</h3>"))
    display(HTML(f'<ul class="review">{"".join(items)}</ul>'))


# --- totals --------------------------------------------------------------------------------------


def pending_of(figures: pd.DataFrame, code: str | None = None) -> Pending:
    """How many village values pending review each total of ``figures`` counts (``area``, or
    one unit's rows of ``aggregates`` by ``code``): only the totals that count one."""
    if PENDING_REVIEW not in figures.columns or figures.empty:
        return {}
    rows = figures[figures[PENDING_REVIEW] > 0]
    if code is not None:
        rows = rows[rows["code"].astype(str) == str(code)]
    return {
        (int(year), str(indicator)): int(n)
        for year, indicator, n in zip(
            rows["year"], rows["indicator"], rows[PENDING_REVIEW], strict=True
        )
    }


def marked_total(text: str, pending: int, lang: str = "zh") -> str:
    """A total as a page states it, marked 待核实 as a village's value is where it counts a
    village value pending review (``pending`` of them)."""
    return label("review.marked", lang).format(figure=text) if pending else text


def noted_total(
    text: str,
    year: int,
    ind: Indicator,
    pending: int,
    notes: list[str] | None,
    lang: str = "zh",
    *,
    of: str = "",
) -> str:
    """A total as a table states it (:func:`marked_total`), its note (:func:`total_note`)
    added to ``notes`` where it is marked (none where ``notes`` is None: a figure made of a
    total already noted)."""
    if pending and notes is not None:
        notes.append(total_note(year, ind, text, pending, lang, of=of))
    return marked_total(text, pending, lang)


def change_pending(pending: Pending, year: int, indicator: str) -> int:
    """How many village values pending review a change on the year before counts: those of
    ``year``'s total and of the year before's, which it is worked out from."""
    return pending.get((year, indicator), 0) + pending.get((year - 1, indicator), 0)


def total_note(
    year: int, ind: Indicator, figure: str, pending: int, lang: str = "zh", *, of: str = ""
) -> str:
    """The note under a table on a marked total: 2019年医疗保险参保率 76.8%，含待核实村数据 1 个
    (``of``: the place it is the total of, where the table has several)."""
    what = label(
        "review.figure", lang, year=year, indicator=indicator_name(ind, lang), figure=figure
    )
    if of:
        what = label("review.of_village", lang, village=of, what=what)
    return label("review.pending_total", lang, what=what, n=pending)


def with_notes(table: pd.DataFrame, notes: list[str], lang: str = "zh") -> pd.DataFrame:
    """``table`` carrying ``notes`` on its marked totals (in ``lang``), for whoever shows it;
    the table as it is where there is none."""
    if notes:
        table.attrs[NOTES] = (lang, list(dict.fromkeys(notes)))
    return table


def notes_of(table: pd.DataFrame) -> tuple[str, list[str]]:
    """The language and the notes on a table's marked totals (:func:`with_notes`)."""
    lang, notes = table.attrs.get(NOTES, ("zh", []))
    return lang, list(notes)


def notes_lines(table: pd.DataFrame) -> list[str]:
    """The notes on a table's marked totals as Word states them: 【待核实】…"""
    lang, notes = notes_of(table)
    return [label("review.open_line", lang, line=note) for note in notes]


def notes_html(table: pd.DataFrame) -> str:
    """The notes on a table's marked totals as a page lists a village's flagged values: each
    待核实 with what it counts; '' where there is none."""
    lang, notes = notes_of(table)
    if not notes:
        return ""
    items = "".join(
        f'<li class="review-open"><strong>{escape(label("review.to_confirm", lang))}'
        f"</strong> {escape(note)}</li>"
        for note in notes
    )
    return f'<ul class="review">{items}</ul>'
