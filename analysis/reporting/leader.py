"""The top of a county's or a town's page, and of its Word summary: what a leader reads first.

As a 统计公报 or an Open SDG reporting-status page opens, it opens with a few sentences (what was
achieved, what is at risk, and where), a table of each place below it against each target,
coloured by status, and the place's key figures with their change on the year before. The
places are the county's towns on the county page and a town's villages on the town's page;
everything below the top is the detail.

Nothing here is HTML: :func:`analysis.reporting.sections.show_top` shows it on a page and
:func:`analysis.reporting.narrative.write_docx` sets it on the Word summary's first page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analysis.core import numbers
from analysis.core.aggregate import LEVELS
from analysis.core.catalog import Catalog, Indicator, default_catalog
from analysis.core.labels import STATUSES, indicator_name, label
from analysis.pipeline.store import Tables
from analysis.reporting.publish import PAGE_DIRS, safe_filename
from analysis.reporting.review import change_pending, marked_total, pending_of
from analysis.reporting.tables import page_order, place_names, values

#: The key figures a leader is shown first, where the data has them: poverty, the insurance
#: rates, sanitation, roads and the two industries (the detail lists every indicator).
HEADLINE = (
    "poor_households_remaining",
    "medical_insurance_rate",
    "pension_insurance_rate",
    "sanitary_toilet_rate",
    "hardened_road_km",
    "vegetable_greenhouse_area_mu",
)
#: The statuses a "where" sentence names the places of, in the order the sentences come.
WHERE_STATUSES = ("achieved", "acceleration needed", "deteriorating")
#: Places a "where" sentence names before it says how many (嘉定镇、大塘埠镇等17个乡镇).
NAMED_PLACES = 2
#: Targets a "where" sentence names as the main ones (主要是医疗保险参保率、卫生厕所普及率).
NAMED_TARGETS = 2
#: A cell of the status table without a target for its place.
NO_STATUS = "no target"
#: The most places whose status table stands whole at the top of a page: its rows, the
#: sentences and the key figures fill one screen of 1280 × 1024 px (a county's 17 towns,
#: a town's 18 villages). A status table of more (嘉定镇's 58 villages ran over three screens)
#: is summed up there by target, its places counted by status (:func:`counts_table`), and
#: follows whole: on a click on a page (printed open), after the first page's break in Word.
GRID_PLACES_SHOWN = 18


@dataclass(frozen=True)
class Column:
    """A target of the status table: the target of the page's place applied to each place
    (``whole``: 医疗保险参保率 90% for each town), or each place's own target of an indicator."""

    indicator: str
    whole: bool
    target: float = math.nan


@dataclass(frozen=True)
class StatusGrid:
    """Each place of the page (town or village) against each target, by status (status_en)."""

    #: "town" on a county's page, "village" on a town's.
    kind: str
    #: (code, name) of each place, in the registry's order.
    places: list[tuple[str, str]]
    columns: list[Column]
    #: (place code, column) → status_en; a cell not in it has no target.
    status: dict[tuple[str, Column], str]

    def cell(self, code: str, column: Column) -> str:
        return self.status.get((code, column), NO_STATUS)

    def header(self, column: Column, whole: str, lang: str, catalog: Catalog) -> str:
        """医疗保险参保率（全县目标90%） or 硬化公路里程（乡镇目标）."""
        ind = catalog[column.indicator]
        if column.whole:
            return label(
                "column.whole_target",
                lang,
                name=indicator_name(ind, lang),
                whole=whole,
                target=numbers.figure(column.target, ind, lang),
            )
        return label(
            "column.own_target",
            lang,
            name=indicator_name(ind, lang),
            places=label(f"places.{self.kind}", lang),
        )


def _places(tables: Tables) -> tuple[str, list[tuple[str, str]]]:
    """What the page's places are ("town" or "village") and each one's code and name."""
    level, _ = tables.place()
    if level == "town":
        names = place_names(tables)
        codes = tables.villages["code"].astype(str)
        return "village", [(code, names.get(code, code)) for code in codes]
    towns = tables.towns()
    return "town", list(zip(towns["code"].astype(str), towns["name"].astype(str), strict=True))


def status_grid(tables: Tables, *, catalog: Catalog | None = None) -> StatusGrid:
    """The page's places against its targets: the page's own targets as they apply to each
    place (the projections' rows of the places' level, a place without the target left out),
    and each place's own targets (a target over several villages is each of theirs), one column
    per indicator and kind, in catalog order."""
    catalog = catalog or default_catalog()
    kind, places = _places(tables)
    proj = tables.projections
    if proj.empty:
        return StatusGrid(kind, places, [], {})
    codes = {code for code, _ in places}
    status: dict[tuple[str, Column], str] = {}
    applied = proj[(proj["row_type"] == kind) & (proj["status_en"] != NO_STATUS)]
    for row in applied.itertuples():
        column = Column(str(row.indicator), True, float(row.target))
        status[(str(row.scope), column)] = str(row.status_en)
    own = proj[proj["row_type"] == "target"]
    for row in own.itertuples():
        scope = str(row.scope).split(";")
        if not all(len(code) == LEVELS[kind] and code in codes for code in scope):
            continue
        for code in scope:
            status[(code, Column(str(row.indicator), False))] = str(row.status_en)
    order = catalog.order
    columns = sorted(
        {column for _, column in status},
        key=lambda c: (order.get(c.indicator, len(order)), c.whole, c.target),
    )
    return StatusGrid(kind, places, columns, status)


def grid_table(
    grid: StatusGrid, tables: Tables, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """The status table as text: the place, then a status word (— without a target) for each
    target (the Word summary colours it; a page's cells also link)."""
    place, *headers = grid_headers(grid, tables, lang=lang, catalog=catalog)
    shown = {place: [name for _, name in grid.places]}
    for header, column in zip(headers, grid.columns, strict=True):
        shown[header] = [status_word(grid.cell(code, column), lang) for code, _ in grid.places]
    return pd.DataFrame(shown)


def grid_headers(
    grid: StatusGrid, tables: Tables, *, lang: str = "zh", catalog: Catalog | None = None
) -> list[str]:
    """The status table's headers: the place's, then each target's (:meth:`StatusGrid.header`)."""
    catalog = catalog or default_catalog()
    whole = whole_word(tables, lang)
    place = label(f"column.{'town' if grid.kind == 'town' else 'village_name'}", lang)
    return [place, *(grid.header(column, whole, lang, catalog) for column in grid.columns)]


def counted_statuses(grid: StatusGrid) -> list[str]:
    """The statuses the status table's cells hold, in the order of the status words (no target
    last): the columns of :func:`counts_table`."""
    found = set(grid.status.values())
    if any(grid.cell(code, c) == NO_STATUS for code, _ in grid.places for c in grid.columns):
        found.add(NO_STATUS)
    order = [*(status for status in STATUSES if status != NO_STATUS), NO_STATUS]
    return [status for status in order if status in found]


def counts_table(
    grid: StatusGrid, tables: Tables, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """The status table summed up by target: a row per target (its header in the status
    table), and how many places stand at each status of :func:`counted_statuses`."""
    catalog = catalog or default_catalog()
    whole = whole_word(tables, lang)
    statuses = counted_statuses(grid)
    rows = [
        [
            grid.header(column, whole, lang, catalog),
            *(sum(grid.cell(code, column) == s for code, _ in grid.places) for s in statuses),
        ]
        for column in grid.columns
    ]
    names = [label("column.target", lang), *(label(f"status.{s}", lang) for s in statuses)]
    return pd.DataFrame(rows, columns=names)


def status_word(status: str, lang: str) -> str:
    """已达成 … ; — for a cell without a target."""
    return numbers.MISSING if status == NO_STATUS else label(f"status.{status}", lang)


def whole_word(tables: Tables, lang: str) -> str:
    """全县 or 全镇: the page's place as a target's header names it."""
    level, _ = tables.place()
    return label(f"whole.{level}", lang)


def place_href(tables: Tables, code: str) -> str:
    """The page of a town or village, relative to the page of the tables' place: a county's
    towns/<code>.html, a town's ../villages/<code>.html (villages/ from a one-town top page)."""
    kind = "town" if len(code) == LEVELS["town"] else "village"
    up = "../" if kind == "village" and tables.scope is not None else ""
    return f"{up}{PAGE_DIRS[kind]}/{safe_filename(code)}.html"


# --- key figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """One key figure: its name, the figure of the year, its change on the year before as a
    card or table writes it (增加142.20公里; '' without a figure that year) and as a sentence
    says it (增加142.2公里), and whether the change is for the better (+1), the worse (-1) or
    neither."""

    name: str
    figure: str
    change: str
    said: str
    direction: int


def headlines(
    area: pd.DataFrame, year: int, *, lang: str = "zh", catalog: Catalog | None = None
) -> list[Headline]:
    """The place's :data:`HEADLINE` figures of ``year``, each with its change on the year
    before (同比减少832户 / 提高1.4个百分点); an indicator without a figure in ``year`` is left
    out (never the year before's in its place). A figure that counts a village value pending
    review is marked 待核实, as in the tables, and so is a change worked out from one."""
    catalog = catalog or default_catalog()
    now, before = values(area, year), values(area, year - 1)
    pending = pending_of(area)
    shown = []
    for indicator_id in HEADLINE:
        if indicator_id not in now or indicator_id not in catalog.by_id:
            continue
        ind = catalog[indicator_id]
        change, said, direction = "", "", 0
        if indicator_id in before:
            diff, marks = (
                now[indicator_id] - before[indicator_id],
                change_pending(pending, year, indicator_id),
            )
            change, direction = _change(diff, ind, lang, "column")
            said, _ = _change(diff, ind, lang, "level")
            change, said = marked_total(change, marks, lang), marked_total(said, marks, lang)
        shown.append(
            Headline(
                indicator_name(ind, lang),
                marked_total(
                    # Cards stand side by side as a table's figures do: the catalog's decimals
                    # kept (86.0% beside 81.7%), thousands grouped.
                    numbers.figure(now[indicator_id], ind, lang, context="column"),
                    pending.get((year, indicator_id), 0),
                    lang,
                ),
                change,
                said,
                direction,
            )
        )
    return shown


def _change(diff: float, ind: Indicator, lang: str, context: str) -> tuple[str, int]:
    """减少832户 / 提高1.4个百分点 / 持平, and whether it is for the better."""
    if numbers.is_zero(diff, ind):
        return label("change.same", lang), 0
    rising, falling = ("rate_up", "rate_down") if ind.kind == "rate" else ("up", "down")
    verb = label(f"change.{rising if diff > 0 else falling}", lang)
    better = (diff > 0) == ind.higher_is_better
    text = label(
        "join.change", lang, verb=verb, amount=numbers.change(diff, ind, lang, context=context)
    )
    return text, 1 if better else -1


def headline_table(headlines: list[Headline], year: int, *, lang: str = "zh") -> pd.DataFrame:
    """The key figures as the Word summary's first page sets them, across: a column per
    figure, its figure of ``year`` in the first row and its change in the second."""
    shown = {
        label("column.indicator", lang): [
            label("alt.year", lang, year=year),
            label("column.change", lang),
        ]
    }
    for h in headlines:
        shown[h.name] = [h.figure, h.change or numbers.MISSING]
    return pd.DataFrame(shown)


# --- the sentences -------------------------------------------------------------------------------


def _names(items: list[str], lang: str) -> str:
    return label("top.list_join", lang).join(items)


def _targets_sentence(tables: Tables, catalog: Catalog, lang: str) -> str:
    """全县4项2020年目标中，有望达成2项（未脱贫户数、硬化公路里程），需加速2项（…）。"""
    proj = tables.projections
    if proj.empty:
        return ""
    own = page_order(
        proj[(proj["row_type"] == "target") & (proj["scope"].astype(str) == own_scope(tables))],
        catalog,
    )
    if own.empty:
        return ""
    items = []
    for status in STATUSES:
        rows = own[own["status_en"] == status]
        if rows.empty:
            continue
        targets = [indicator_name(catalog[i], lang) for i in rows["indicator"]]
        items.append(
            label(
                "top.status_item",
                lang,
                status=label(f"status.{status}", lang),
                n=len(rows),
                targets=_names(targets, lang),
            )
        )
    return label(
        "top.targets",
        lang,
        whole=whole_word(tables, lang),
        n=len(own),
        years=_names([str(y) for y in sorted(own["target_year"].astype(int).unique())], lang),
        items=label("top.item_join", lang).join(items),
    )


def own_scope(tables: Tables) -> str:
    """The scope the page's own targets have: 'township' for a town, the county's code."""
    level, code = tables.place()
    return "township" if level == "town" else str(code)


def _year_sentence(headlines: list[Headline], year: int, lang: str) -> str:
    """与上年相比，未脱贫户数减少832户、医疗保险参保率提高1.4个百分点；但……。"""
    join = label("top.list_join", lang)
    better, worse = (
        join.join(
            label("top.moved", lang, name=h.name, change=h.said)
            for h in headlines
            if h.direction == sign
        )
        for sign in (1, -1)
    )
    if better and worse:
        return label("top.year", lang, year=year, better=better, worse=worse)
    if better or worse:
        return label("top.year_one", lang, year=year, moved=better or worse)
    return ""


def _where_sentence(grid: StatusGrid, status: str, catalog: Catalog, lang: str) -> str:
    """需加速的有嘉定镇、大塘埠镇等17个乡镇，主要是医疗保险参保率、卫生厕所普及率。"""
    places = [
        name
        for code, name in grid.places
        if any(grid.cell(code, c) == status for c in grid.columns)
    ]
    if not places:
        return ""
    counts = [
        (sum(grid.cell(code, c) == status for code, _ in grid.places), i, c)
        for i, c in enumerate(grid.columns)
    ]
    main = sorted((-n, i, c) for n, i, c in counts if n)[:NAMED_TARGETS]
    targets = list(dict.fromkeys(indicator_name(catalog[c.indicator], lang) for _, _, c in main))
    named = _names(places[:NAMED_PLACES], lang)
    key = "top.where_some" if len(places) > NAMED_PLACES else "top.where"
    return label(
        key,
        lang,
        status=label(f"status.{status}", lang),
        names=named,
        n=len(places),
        places=label(f"places.{grid.kind}", lang),
        targets=_names(targets, lang),
    )


def sentences(
    tables: Tables,
    year: int,
    grid: StatusGrid,
    headlines: list[Headline],
    *,
    lang: str = "zh",
    catalog: Catalog | None = None,
) -> list[str]:
    """Three to five sentences for a leader, each where it has something to say: how the
    place's own targets stand; what moved on the year before, for the better and the worse;
    then where (which places, and on which targets mostly) targets are achieved, need
    acceleration and are deteriorating, places grouped rather than named one by one."""
    catalog = catalog or default_catalog()
    said = [
        _targets_sentence(tables, catalog, lang),
        _year_sentence(headlines, year, lang),
        *(_where_sentence(grid, status, catalog, lang) for status in WHERE_STATUSES),
    ]
    return [text for text in said if text]
