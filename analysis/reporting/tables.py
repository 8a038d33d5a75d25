"""The tables of the pages and the Word document, as DataFrames of text ready to show.

Every header comes from :mod:`analysis.core.labels` and every number from
:mod:`analysis.core.numbers`, in the language asked for, so a figure reads the same in a page's
table, in the written summary and in Word. Nothing here is HTML-escaped: that is the job of
whoever displays the table (:func:`analysis.reporting.sections.show_table`, python-docx).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from analysis.core import numbers, trends
from analysis.core.aggregate import LEVELS
from analysis.core.catalog import Catalog, Indicator, default_catalog
from analysis.core.labels import (
    check_lang,
    glossed,
    indicator_label,
    indicator_name,
    label,
    unit_header,
    unit_self,
)
from analysis.ingest.cells import decimals_of
from analysis.pipeline.reconcile import STATUSES, explain
from analysis.pipeline.store import Tables
from analysis.reporting.changes import mark_estimated
from analysis.reporting.reads import (
    BOUNDARY_CHANGES,
    PLACE_FIGURES,
    PROJECTS,
    RECONCILIATION,
    REGISTRY,
    REVIEW_FLAGS,
    SCOPE_PROJECTIONS,
    TOWN_FIGURES_OF_YEAR,
    VILLAGE_ROWS,
    reads,
)
from analysis.reporting.review import (
    change_pending,
    mark_history,
    marked,
    marked_total,
    noted_total,
    pending_of,
    village_flags,
    with_notes,
)

MISSING = numbers.MISSING


def values(frame: pd.DataFrame, year: int) -> dict[str, float]:
    """Indicator id → value in ``year`` from year/indicator/value rows; NaN is left out."""
    rows = frame[(frame["year"] == year) & frame["value"].notna()]
    return dict(zip(rows["indicator"].astype(str), rows["value"].astype(float), strict=True))


def change_cell(now: float, before: float | None, ind: Indicator, lang: str) -> str:
    """The year-on-year change in a table: 增加43, 提高1.4个百分点, 持平 (the header has the unit)."""
    if before is None or math.isnan(before):
        return MISSING
    diff = now - before
    if numbers.is_zero(diff, ind):
        return label("change.same", lang)
    rising = "rate_up" if ind.kind == "rate" else "up"
    falling = "rate_down" if ind.kind == "rate" else "down"
    verb = label(f"change.{rising if diff > 0 else falling}", lang)
    return label(
        "join.change",
        lang,
        verb=verb,
        amount=numbers.change(diff, ind, lang, unit=False, context="column"),
    )


@reads()
def key_figures(
    table: pd.DataFrame, year: int, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """Each indicator's value in ``year`` beside the year before, with the change, by section.

    ``table`` has columns year, indicator, value (the township table, or one village's rows).
    An indicator with a value the year before but none in ``year`` reads 无数据 for ``year``
    (never the year before's figure); one with neither has no row. Each section is named once,
    on its first row. The township page and the Word document show this same table. A total
    that counts a village value pending review is marked 待核实, with a note under the table.
    """
    catalog = catalog or default_catalog()
    now, before = values(table, year), values(table, year - 1)
    pending = pending_of(table)
    notes: list[str] = []

    def stated(value: float | None, ind: Indicator, of_year: int) -> str:
        text = numbers.number(value, ind, lang, context="column")
        count = pending.get((of_year, ind.id), 0) if value is not None else 0
        return noted_total(text, of_year, ind, count, notes, lang)

    def change(current: float, ind: Indicator) -> str:
        """The change on the year before, marked as a total it is worked out from is."""
        text = change_cell(current, before.get(ind.id), ind, lang)
        count = change_pending(pending, year, ind.id) if text != MISSING else 0
        return marked_total(text, count, lang)

    columns = [
        label("column.section", lang),
        label("column.indicator", lang),
        str(year - 1),
        str(year),
        label("column.change", lang),
    ]
    no_data = label("cell.no_data", lang)
    rows, named = [], set()
    for ind in catalog:
        if ind.id not in now and ind.id not in before:
            continue
        section = "" if ind.category in named else label(f"section.{ind.category}", lang)
        named.add(ind.category)
        current = now.get(ind.id)
        rows.append(
            (
                section,
                indicator_label(ind, lang),
                stated(before.get(ind.id), ind, year - 1),
                no_data if current is None else stated(current, ind, year),
                MISSING if current is None else change(current, ind),
            )
        )
    return with_notes(pd.DataFrame(rows, columns=columns), notes, lang)


def _history(
    rows: pd.DataFrame, catalog: Catalog, lang: str, *, every: bool = False
) -> pd.DataFrame:
    """Indicators over the years from year/indicator/value rows: a row per indicator (every
    catalog indicator when ``every``, else those with a figure), a column per year."""
    wide = rows.pivot_table(index="indicator", columns="year", values="value", aggfunc="first")
    order = [catalog[i] for i in catalog.ids if every or i in wide.index]
    # Cells by position in one array: wide.at per cell was most of a page's history table.
    position = {indicator_id: i for i, indicator_id in enumerate(wide.index)}
    cells = wide.to_numpy()
    shown = pd.DataFrame(
        {
            str(year): [
                numbers.number(
                    cells[position[ind.id], j] if ind.id in position else None,
                    ind,
                    lang,
                    context="column",
                )
                for ind in order
            ]
            for j, year in enumerate(wide.columns)
        },
        index=[indicator_label(ind, lang) for ind in order],
    )
    shown.index.name = label("column.indicator", lang)
    return shown


@reads(VILLAGE_ROWS, REVIEW_FLAGS, BOUNDARY_CHANGES)
def village_history(
    tables: Tables, code: str, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """One village's indicators over the years: a row per indicator, a column per year; a
    figure the review flagged is marked (:mod:`analysis.reporting.review`)."""
    catalog = catalog or default_catalog()
    rows = tables.indicators[tables.indicators["village_code"] == str(code)]
    shown = mark_history(_history(rows, catalog, lang), village_flags(tables, code), catalog, lang)
    return mark_estimated(shown, tables, code, catalog, lang)


@reads(PLACE_FIGURES)
def area_history(
    tables: Tables, year: int, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """The township's (or town's) figures up to ``year``: a row for every catalog indicator
    (— where it has no figure), a column per year; a total that counts a village value pending
    review marked 待核实, with a note under the table."""
    catalog = catalog or default_catalog()
    rows = tables.area[tables.area["year"] <= year]
    shown = _history(rows, catalog, lang, every=True)
    notes = []
    order = {ind_id: i for i, ind_id in enumerate(catalog.ids)}
    pending = pending_of(rows)
    for of_year, indicator in sorted(pending, key=lambda key: (key[0], order[key[1]])):
        count = pending[(of_year, indicator)]
        ind = catalog[indicator]
        row, column = indicator_label(ind, lang), str(of_year)
        shown.loc[row, column] = noted_total(
            shown.loc[row, column], of_year, ind, count, notes, lang
        )
    return with_notes(shown, notes, lang)


def self_word(tables: Tables, code: str, lang: str = "zh") -> str:
    """How a village-level unit's page names it: 本村, or 本社区 for a 居委会 (the registry's
    kind)."""
    return unit_self(tables.derived("village_kinds", _village_kinds).get(str(code)), lang)


def _village_kinds(tables: Tables) -> dict[str, object]:
    """Village code → the registry's kind (居委会, 村委会, …), the first row of a code kept."""
    villages = tables.villages
    if "kind" not in villages:
        return {}
    kinds = {}
    for code, kind in zip(villages["code"].astype(str), villages["kind"], strict=True):
        kinds.setdefault(code, kind)
    return kinds


@reads(VILLAGE_ROWS, TOWN_FIGURES_OF_YEAR, REGISTRY, REVIEW_FLAGS)
def village_vs_area(
    tables: Tables, code: str, year: int, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """The village's figure for ``year`` beside the township's, with its share or difference."""
    catalog = catalog or default_catalog()
    village = tables.indicators[
        (tables.indicators["village_code"] == str(code)) & (tables.indicators["year"] == year)
    ].set_index("indicator")["value"]
    town = tables.area[tables.area["year"] == year].set_index("indicator")["value"]
    flags = village_flags(tables, code)
    pending = pending_of(tables.area)
    rows, notes = [], []
    for ind in catalog:
        if ind.id not in village.index or ind.id not in town.index:
            continue
        v, t = village[ind.id], town[ind.id]
        if ind.kind == "rate":
            relation = numbers.change(v - t, ind, lang, signed=True)
        else:
            relation = numbers.percent(v / t) if t else MISSING
        count = pending.get((int(year), ind.id), 0)
        shown = noted_total(
            numbers.number(t, ind, lang, context="column"),
            int(year),
            ind,
            count,
            notes,
            lang,
            of=label("column.township", lang),
        )
        # Worked out from the total, the share or difference is as much to confirm.
        relation = marked_total(relation, count if relation != MISSING else 0, lang)
        rows.append(
            (
                indicator_label(ind, lang),
                marked(
                    numbers.number(v, ind, lang, context="column"),
                    flags.get((str(code), int(year), ind.id)),
                    ind,
                    lang,
                ),
                shown,
                relation,
            )
        )
    itself = self_word(tables, code, lang)
    columns = [label(f"column.{k}", lang) for k in ("indicator", "township", "share_or_difference")]
    return with_notes(pd.DataFrame(rows, columns=[columns[0], itself, *columns[1:]]), notes, lang)


@reads(PROJECTS)
def village_projects(tables: Tables, code: str, *, lang: str = "zh") -> pd.DataFrame:
    """The village's projects from the project list."""
    if tables.projects.empty:
        return pd.DataFrame()
    mine = tables.projects[tables.projects["village_code"] == str(code)]
    yes_no = {True: label("cell.yes", lang), False: label("cell.no", lang)}
    return pd.DataFrame(
        {
            label("column.project", lang): mine["project"],
            label("column.batch", lang): mine["batch"],
            label("column.funds", lang): mine["amount_wan"].map(
                lambda x: numbers.number(x, "万元", lang, context="column")
            ),
            label("column.started", lang): mine["started"].map(yes_no),
            label("column.completed", lang): mine["completed"].map(yes_no),
        }
    ).reset_index(drop=True)


# --- targets -----------------------------------------------------------------------------------

_STATUS_COLUMNS = (
    "indicator",
    "latest",
    "target",
    "projected",
    "interval",
    "probability",
    "remaining",
    "escap",
    "eurostat",
    "status",
)


def status_headers(lang: str = "zh") -> list[str]:
    """Headers of :func:`status_table`, in order."""
    return [label(f"column.{key}", lang) for key in _STATUS_COLUMNS]


def scope_names(scope: str, names: Mapping[str, str] | None, lang: str) -> str:
    """A scope of village codes ('a;b') as their names: 青光村、竹村村 / 青光村 and 竹村村."""
    return label("join.names", lang).join(
        (names or {}).get(code, code) for code in str(scope).split(";")
    )


def _rated(value: float, word: str) -> str:
    return word if not math.isfinite(value) else f"{numbers.ratio(value)} {word}"


def _finite(row: Mapping, key: str) -> float:
    """A number of a projections row, NaN where the row has none (a target never assessed)."""
    value = row.get(key)
    return math.nan if value is None or pd.isna(value) else float(value)


def _supporting(row: Mapping, measure: str, lang: str) -> str:
    """An ESCAP or Eurostat cell, marked * where its word differs from the status."""
    category = row.get(f"{measure}_category" if measure == "escap" else f"{measure}_band")
    if not isinstance(category, str):
        return MISSING
    value = _finite(row, "escap_measure" if measure == "escap" else "eurostat_ratio")
    cell = _rated(value, label(f"{measure}.{category}", lang))
    if trends.contradicts(str(row["status_en"]), category):
        return label("cell.contradicts", lang, cell=cell)
    return cell


def _remaining(row: Mapping, ind: Indicator, lang: str) -> str:
    """Still to go from the latest value, and the pace a year it takes: 42.15亩（年均42.15亩）."""
    remaining, pace = _finite(row, "remaining"), _finite(row, "required_change_per_year")
    sign = 1 if ind.higher_is_better else -1
    if row["status_en"] in ("achieved", "no target") or not sign * remaining > 0:
        return MISSING
    return label(
        "cell.remaining",
        lang,
        remaining=numbers.change(remaining, ind, lang),
        pace=numbers.change(pace, ind, lang),
    )


def status_table(
    df: pd.DataFrame,
    names: Mapping[str, str] | None = None,
    *,
    lang: str = "zh",
    catalog: Catalog | None = None,
    own: str = "township",
) -> pd.DataFrame:
    """Target status for pages and Word: the latest value beside target and projection, the
    interval, probability, what is still to go, the supporting measures and the status.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of :func:`analysis.core.trends.assess_targets` (filter to ``row_type == 'target'``
        for the target table), or targets never assessed (status_en 'not assessed', no
        projection columns).
    names : mapping, optional
        Village, town or county code → name, to show a scope by name rather than by code.
    lang : {'zh', 'en'}
        Language of headers and words.
    catalog : Catalog, optional
        Indicator definitions; defaults to the package catalog.

    Returns
    -------
    pandas.DataFrame
        Columns :func:`status_headers`, all text. A scope other than ``own`` (the page's own
        place: 'township', or the county's code on the county page) is appended to the
        indicator name. A plan shows works done of works planned instead of a projection; an
        ESCAP or Eurostat word that differs from the status is marked * (:func:`status_note`
        says why). Every figure is read from the projections table as it stands.
    """
    catalog = catalog or default_catalog()
    records = []
    for row in df.to_dict("records"):
        ind = catalog[row["indicator"]]
        name = indicator_name(ind, lang)
        if row["scope"] != own:
            name = label(
                "join.scoped", lang, name=name, scope=scope_names(row["scope"], names, lang)
            )
        last, lower, upper = (_finite(row, k) for k in ("last_value", "lower", "upper"))
        latest = MISSING
        if math.isfinite(last):
            latest = label(
                "join.dated",
                lang,
                value=numbers.figure(last, ind, lang),
                year=int(row["last_year"]),
            )
        interval = MISSING
        if math.isfinite(lower) and math.isfinite(upper):
            interval = label(
                "join.interval_level",
                lang,
                interval=numbers.interval(lower, upper, ind, lang),
                level=numbers.percent(_finite(row, "level")),
            )
        projected = numbers.figure(_finite(row, "projected"), ind, lang)
        if row.get("tracking") == "plan":
            projected = label(
                "cell.plan_done",
                lang,
                year=int(row["target_year"]),
                done=numbers.figure(_finite(row, "done"), ind, lang),
                target=numbers.figure(row["target"], ind, lang),
            )
        records.append(
            [
                name,
                latest,
                numbers.figure(row["target"], ind, lang),
                projected,
                interval,
                numbers.probability(_finite(row, "probability")),
                _remaining(row, ind, lang),
                _supporting(row, "escap", lang),
                _supporting(row, "eurostat", lang),
                label(f"status.{row['status_en']}", lang),
            ]
        )
    return pd.DataFrame(records, columns=status_headers(lang))


def status_note(table: pd.DataFrame, lang: str = "zh") -> str:
    """The note under a target table (:func:`status_table`): the one status rule, what the
    ESCAP and Eurostat columns measure where they show a figure, and why a word of theirs
    marked * differs from the status."""
    note = label("note.status", lang)
    columns = [label(f"column.{k}", lang) for k in ("escap", "eurostat")]
    if not set(columns) <= set(table.columns):
        return note  # the supporting measures are the appendix's (analysis.reporting.appendix)
    supporting = table[columns]
    if len(table) and (supporting != MISSING).any().any():
        note = label(
            "note.with_contradicts", lang, note=note, contradicts=label("note.supporting", lang)
        )
    if not (len(table) and supporting.apply(lambda c: c.str.endswith("*")).any().any()):
        return note
    return label(
        "note.with_contradicts", lang, note=note, contradicts=label("note.contradicts", lang)
    )


def place_names(tables: Tables) -> dict[str, str]:
    """Code → name of every place a scope can name: villages (the name villagers write: the
    short name, else the official one), towns and counties (from the aggregates)."""
    return dict(tables.derived("place_names", _place_names))


def _place_names(tables: Tables) -> dict[str, str]:
    villages = tables.villages
    short = villages["name"]
    if "short_name" in villages.columns:
        short = villages["short_name"].fillna(short)
    names = tables.unit_names()
    names.update(zip(villages["code"].astype(str), short.astype(str), strict=True))
    return names


def scope_rows(projections: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The projection rows shown for a scope: the targets for 'township', else the rows whose
    scope includes the village, town or county code (a village's own projections and
    multi-village targets; a town's or county's targets)."""
    if projections.empty:
        return projections
    if scope == "township":
        return projections[projections["row_type"] == "target"]
    includes = projections["scope"].astype(str).str.split(";").map(lambda codes: scope in codes)
    return projections[includes]


@reads(SCOPE_PROJECTIONS, REGISTRY)
def target_table(tables: Tables, scope: str, *, lang: str = "zh") -> pd.DataFrame:
    """The target status table of one scope ('township', a county's code or a village code).

    For a village, its own targets and its projections of the township-scoped indicators.
    """
    scope = str(scope)
    rows = page_order(scope_rows(tables.projections, scope))
    if rows.empty:
        return pd.DataFrame()
    # A county's or town's page names its own targets plainly, as a township page does.
    own = scope if len(scope) in (LEVELS["county"], LEVELS["town"]) else "township"
    return status_table(rows, place_names(tables), lang=lang, own=own)


def page_order(rows: pd.DataFrame, catalog: Catalog | None = None) -> pd.DataFrame:
    """Projection rows in the order of the written summary and Word: the township's targets,
    then the villages', each in catalog order (the sections of the summary)."""
    if rows.empty:
        return rows
    order = (catalog or default_catalog()).order
    rank = pd.DataFrame(
        {
            "village": (rows["scope"] != "township").astype(int),
            "order": rows["indicator"].map(order),
        }
    ).sort_values(["village", "order"], kind="stable")
    return rows.loc[rank.index].reset_index(drop=True)


# --- checks: validation, quarantine, reconciliation ---------------------------------------------


def validation_overview(result, *, lang: str = "zh") -> pd.DataFrame:
    """Per file and sheet: rows read, accepted, quarantined, structural, and whether they add up."""
    keys = ("file", "sheet", "read", "accepted", "quarantined", "structural", "adds_up")
    rows = [
        (
            f["file"],
            f.get("sheet", ""),
            f["rows_read"],
            f["rows_accepted"],
            f["rows_quarantined"],
            f["rows_structural"],
            "✓" if f["check"] else "✗",
        )
        for f in result.summary["files"]
        if f.get("kind") != "documentation"
    ]
    return pd.DataFrame(rows, columns=[glossed(f"column.{k}", lang) for k in keys])


def _nothing(cell: str, lang: str) -> pd.DataFrame:
    """A one-cell table saying there is nothing to show."""
    return pd.DataFrame({glossed("column.result", lang): [glossed(cell, lang, sep=" / ")]})


def quarantine_table(result, limit: int = 200, *, lang: str = "zh") -> pd.DataFrame:
    """The quarantined rows with the message a clerk acts on (first ``limit``)."""
    q = result.quarantine
    if q.empty:
        return _nothing("cell.none_quarantined", lang)
    # Errors first: they were not ingested; warnings were, but deserve a look.
    shown = q.sort_values("severity", key=lambda s: s.ne("error"), kind="stable")
    message = f"message_{check_lang(lang)}"
    columns = {
        "severity": "severity",
        "file": "file",
        "sheet": "sheet",
        "row": "row",
        "column": "column",
        "value": "value",
        "rule": "rule",
        message: "message",
    }
    return (
        shown[list(columns)]
        .head(limit)
        .rename(columns={c: label(f"column.{k}", lang) for c, k in columns.items()})
    )


@reads(RECONCILIATION)
def reconciliation_table(
    tables: Tables, *, lang: str = "zh", checked: bool = False
) -> pd.DataFrame:
    """Every published figure against the data, differences first, then by fact; ``checked``
    leaves out those not checked (未核对), which a county's or town's page states in its
    appendix (:func:`analysis.reporting.appendix.unchecked_table`).

    The published figure is written to its own precision, the computed figure and the
    difference to the finest precision the document writes that quantity with (118.35 beside
    118); a figure not checked says why, and every note the check produced or the published
    file carries (建设村 read as 新塘村) stands beside it.
    """
    rows = tables.reconciliation
    if checked and not rows.empty:
        rows = rows[rows["status"] != "not checked"]
    if rows.empty:
        return _nothing("cell.no_published", lang)
    return reconciliation_rows(rows, lang=lang)


def reconciliation_rows(r: pd.DataFrame, *, lang: str = "zh") -> pd.DataFrame:
    """:func:`reconciliation_table` of some rows of the reconciliation (the problems page
    lists those that differ)."""
    catalog = default_catalog()
    order = r["status"].map({status: i for i, status in enumerate(STATUSES)})
    r = r.assign(_order=order).sort_values(["_order", "fact_id"], kind="stable")
    keys = (
        "fact",
        "scope",
        "indicator",
        "unit",
        "published",
        "computed",
        "difference",
        "check",
        "note",
        "quote",
    )
    rows = []
    for row in r.to_dict("records"):
        ind = catalog.by_id.get(row["indicator"])
        what = ind if ind is not None else str(row["unit"])
        published = numbers.number(
            row["published"], what, lang, places=decimals_of(row["published_text"])
        )
        computed = difference = MISSING
        if row["compared_with"]:
            places = int(row["decimals"])
            computed = numbers.number(row["computed"], what, lang, places=places)
            difference = numbers.number(row["difference"], what, lang, places=places)
        rows.append(
            (
                row["fact_id"],
                label("cell.township", lang)
                if row["scope"] == "township"
                else label("join.names", lang).join(str(row["scope"]).split(";")),
                indicator_name(ind, lang) if ind is not None else row[f"indicator_{lang}"],
                unit_header(str(row["unit"]), lang),
                published,
                computed,
                difference,
                label(f"reconciliation.{row['status']}", lang),
                explain(row, lang),
                row["quote"],
            )
        )
    return pd.DataFrame(rows, columns=[label(f"column.{k}", lang) for k in keys])
