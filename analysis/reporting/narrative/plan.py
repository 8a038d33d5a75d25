"""The plan for the next year (五、2020年工作打算): the targets, as the projections see them.

A count of target statuses, then a numbered paragraph per section: an open zero target reads
as the task it is (围绕剩余7户9人脱贫任务…), a projected target gives its projection, interval,
probability and shortfall, and a target already met, too short to project or never assessed
says so. A plan (works to complete) gives its works done of works planned and the pace so far,
never a projection. Every figure is the projections table's.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from analysis.core import numbers, trends
from analysis.core.aggregate import LEVELS
from analysis.core.catalog import Catalog, Indicator
from analysis.core.labels import STATUSES, indicator_name, label
from analysis.pipeline.store import Tables
from analysis.reporting.narrative.sentences import capitalise, scope_label, verb, village_names
from analysis.reporting.narrative.wording import PHRASES
from analysis.reporting.tables import page_order, status_table

#: The summary's figure sections, in the document's order; the plan section follows them.
CATEGORIES = ("poverty", "social_security", "environment", "industry")
#: Statuses whose target has a projection to state.
PROJECTED = ("on track", "acceleration needed", "deteriorating")
#: The most places one target may be stated for sentence by sentence: more (a county's 17
#: towns) read as a lead sentence and a table, as a 统计公报 writes them.
SENTENCES_PER_TARGET = 3
#: Places a lead sentence names in each status before it says how many (嘉定镇、大塘埠镇等17个).
LEAD_NAMES = 2
#: The columns of a table of places (the target table's, less the supporting measures).
PLACE_COLUMNS = ("latest", "target", "projected", "probability", "remaining", "status")


def _probability(p: float, lang: str) -> str:
    words = PHRASES[lang]
    if p < 0.01:
        return words["p_low"]
    if p > 0.99:
        return words["p_high"]
    return words["p_about"].format(p=numbers.probability(p))


def _possessive(scope: str, lang: str) -> str:
    """The scope as it precedes an indicator name: 青光村、竹村村 / "青光村 and 竹村村's "."""
    words = PHRASES[lang]
    return words["of_scope"].format(scope=scope) if scope else words["of_township"]


def _subject(scope: str, lang: str) -> str:
    """The scope as the subject of a sentence: 全镇 or 青光村、竹村村 / "the township's "."""
    words = PHRASES[lang]
    return words["subject_scope"].format(scope=scope) if scope else words["subject_township"]


def _projection_clause(
    row: Any, ind: Indicator, names: dict[str, str], lang: str, *, shortfall: bool = True
) -> str:
    """2020年医疗保险参保率预计达到88.1%（80%区间86.9%–89.3%），达到90%目标的概率约为23%…

    ``shortfall=False`` leaves out what is still to go, where the sentence has stated it as a
    task (围绕剩余7户9人脱贫任务).
    """
    words = PHRASES[lang]
    text = words["reach"].format(
        year=int(row.target_year),
        scope=_possessive(scope_label(str(row.scope), names, lang), lang),
        name=indicator_name(ind, lang),
        verb=words["reach_up" if ind.higher_is_better else "reach_down"],
        value=numbers.figure(row.projected, ind, lang),
    )
    # A bounded projection can be certain (0 poor households, interval 0–0): no interval then.
    written = {numbers.number(v, ind, lang) for v in (row.projected, row.lower, row.upper)}
    if len(written) > 1:
        text += words["interval"].format(
            level=numbers.percent(row.level),
            interval=numbers.interval(row.lower, row.upper, ind, lang),
        )
    if math.isfinite(row.probability):
        p, target = _probability(row.probability, lang), numbers.figure(row.target, ind, lang)
        if ind.higher_is_better:
            text += words["chance_goal"].format(p=p, target=target)
        elif row.target == 0:
            text += words["chance_zero"].format(p=p)
        else:
            text += words["chance_cap"].format(p=p, target=target)
    # Still to go from the latest value: the table's column, and the pace below counts from it.
    to_go = row.remaining if ind.higher_is_better else -row.remaining
    if shortfall and to_go > 0 and not numbers.is_zero(to_go, ind):
        text += words["shortfall"].format(
            year=int(row.last_year), gap=numbers.change(to_go, ind, lang)
        )
    status = str(row.status_en)
    if status == "on track":
        text += words[status]
    elif status in ("acceleration needed", "deteriorating"):
        required = row.required_change_per_year
        text += words[status].format(
            verb=verb(required, ind, lang), amount=numbers.change(required, ind, lang)
        )
    return text


def _plan_sentence(row: Any, ind: Indicator, names: dict[str, str], lang: str) -> str:
    """公路硬化工程2020年计划3条，已完成0条，尚需3条，以往年均完成2.7条，需加快推进.

    A plan already complete reads as any target met (:func:`_target_sentence`).
    """
    words = PHRASES[lang]
    text = words["plan_works"].format(
        scope=_subject(scope_label(str(row.scope), names, lang), lang),
        name=indicator_name(ind, lang),
        target_year=int(row.target_year),
        target=numbers.figure(row.target, ind, lang),
        done=numbers.figure(row.done, ind, lang),
    )
    if row.status_en != "insufficient data":
        text += words["plan_pace"].format(
            remaining=numbers.figure(row.remaining, ind, lang),
            pace=numbers.figure(row.observed_change_per_year, ind, lang, context="spread"),
        )
    return text + words["plan_status"][row.status_en]


def _target_sentence(row: Any, ind: Indicator, names: dict[str, str], lang: str) -> str:
    """A target that needs no trend clause: already achieved, refused, or never assessed."""
    words = PHRASES[lang]
    fields = {
        "scope": _subject(scope_label(str(row.scope), names, lang), lang),
        "name": indicator_name(ind, lang),
        "target_year": int(row.target_year),
        "target": numbers.figure(row.target, ind, lang),
    }
    if row.status_en == "achieved":
        return words["achieved"].format(
            **fields,
            year=int(row.last_year),
            verb=words["achieved_up" if ind.higher_is_better else "achieved_down"],
            value=numbers.figure(row.last_value, ind, lang),
        )
    if row.status_en == "insufficient data":
        text = words["refused"].format(**fields, n=int(row.n_points), min=trends.MIN_POINTS)
        if math.isfinite(row.last_value):
            text += words["refused_last"].format(
                year=int(row.last_year), value=numbers.figure(row.last_value, ind, lang)
            )
        return text
    return words["unassessed"].format(**fields)


def target_rows(tables: Tables, catalog: Catalog) -> pd.DataFrame:
    """One row per target, township first, then in catalog order.

    A target's row is its projection row; a target without one (no projections table, or a
    target added after it was written) gets status 'not assessed' rather than disappearing.
    """
    columns = ["scope", "indicator", "target_year", "target"]
    proj = tables.projections
    if not proj.empty:
        proj = proj[proj["row_type"] == "target"].assign(scope=lambda f: f["scope"].astype(str))
    targets = tables.targets
    if not targets.empty:
        targets = pd.DataFrame(
            {
                "scope": targets["scope"].astype(str),
                "indicator": targets["indicator"].astype(str),
                "target_year": targets["target_year"].astype(int),
                "target": targets["target_value"].astype(float),
            }
        )
    if not proj.empty and not targets.empty:
        known = set(
            zip(proj["scope"], proj["indicator"], proj["target_year"].astype(int), strict=True)
        )
        keys = zip(targets["scope"], targets["indicator"], targets["target_year"], strict=True)
        targets = targets[[key not in known for key in keys]]
    frames = [f for f in (proj, targets.assign(status_en="not assessed", ok=False)) if len(f)]
    if not frames:
        return pd.DataFrame(columns=[*columns, "status_en", "ok"])
    return page_order(pd.concat(frames, ignore_index=True), catalog)


def target_years(rows: pd.DataFrame, lang: str) -> str:
    """The years of the targets: 2020, or 2020、2025 / 2020 and 2025."""
    years = sorted(rows["target_year"].astype(int).unique())
    return label("join.names", lang).join(str(y) for y in years)


def _zero_task(group: pd.DataFrame, catalog: Catalog, names: dict[str, str], lang: str) -> str:
    """围绕剩余7户9人脱贫任务，按当前趋势… — open zero targets of one scope, as a task."""
    words = PHRASES[lang]
    inds = [catalog[i] for i in group["indicator"]]
    items = words["and"].join(
        numbers.figure(value, ind, lang)
        for value, ind in zip(group["last_value"], inds, strict=True)
    )
    if all(ind.category == "poverty" for ind in inds):
        task = words["task_poverty"].format(items=items)
    else:
        task = words["task_zero"].format(
            items=items,
            scope=_subject(scope_label(str(group["scope"].iloc[0]), names, lang), lang),
            name=label("join.names", lang).join(indicator_name(ind, lang) for ind in inds),
        )
    clauses = [
        _projection_clause(r, catalog[r.indicator], names, lang, shortfall=False)
        for r in group.itertuples()
    ]
    return capitalise(task + words["trend"] + words["semicolon"].join(clauses) + words["stop"])


#: The header of a table of places, by the places' level.
PLACE_HEADERS = {"town": "column.town", "village": "column.village_name", "scope": "column.scope"}


def _place_kind(scopes: pd.Series) -> str:
    """What the places of a table are: towns, villages, or scopes of several villages."""
    lengths = set(scopes.astype(str).str.len())
    for kind in ("town", "village"):
        if lengths == {LEVELS[kind]}:
            return kind
    return "scope"


def place_table(
    rows: pd.DataFrame, names: dict[str, str], catalog: Catalog, lang: str
) -> pd.DataFrame:
    """One target's status in each of many places: the place, then the target table's figures
    (:func:`~analysis.reporting.tables.status_table`) less the supporting measures."""
    table = status_table(rows, names, lang=lang, catalog=catalog)
    shown = table[[label(f"column.{key}", lang) for key in PLACE_COLUMNS]]
    header = label(PLACE_HEADERS[_place_kind(rows["scope"])], lang)
    places = [scope_label(str(scope), names, lang) for scope in rows["scope"]]
    return pd.concat([pd.DataFrame({header: places}), shown.reset_index(drop=True)], axis=1)


def _places_lead(rows: pd.DataFrame, ind: Indicator, names: dict[str, str], lang: str) -> str:
    """各乡镇医疗保险参保率目标中，需加速的有嘉定镇、大塘埠镇等17个，见下表。"""
    words = PHRASES[lang]
    items = []
    for status in STATUSES:
        scopes = rows.loc[rows["status_en"] == status, "scope"].astype(str).tolist()
        if not scopes:
            continue
        shown = [scope_label(scope, names, lang) for scope in scopes[:LEAD_NAMES]]
        named = label("join.names", lang).join(shown)
        if len(scopes) > LEAD_NAMES:
            named = words["lead_more"].format(
                names=words["count_join"].join(shown),
                n=len(scopes),
                more=len(scopes) - LEAD_NAMES,
            )
        items.append(words["lead_item"].format(status=label(f"status.{status}", lang), names=named))
    if len(items) == 1 and len(rows) > LEAD_NAMES:
        text = words["lead_all"].format(
            places=label(f"places.{_place_kind(rows['scope'])}", lang),
            name=indicator_name(ind, lang),
            status=label(f"status.{rows['status_en'].iloc[0]}", lang),
            n=len(rows),
        )
        return capitalise(text + words["stop"])
    text = words["lead"].format(
        places=label(f"places.{_place_kind(rows['scope'])}", lang),
        name=indicator_name(ind, lang),
        items=words["semicolon"].join(items),
    )
    return capitalise(text + words["stop"])


def _tabled(mine: pd.DataFrame, own: set[str]) -> pd.DataFrame:
    """The rows of a section stated in a table: a target set for more places than sentences
    may state (:data:`SENTENCES_PER_TARGET`), the place's own target excepted."""
    others = mine[~mine["scope"].astype(str).isin(own)]
    many = others.groupby(["indicator", "target_year"], sort=False)["scope"].transform("size")
    return others[many > SENTENCES_PER_TARGET]


def plan_paragraphs(
    tables: Tables, catalog: Catalog, lang: str, year: int
) -> tuple[list[str], dict[int, pd.DataFrame]]:
    """The plan: a count of target statuses, then a numbered paragraph per section; and the
    tables that follow a paragraph, by the paragraph's position.

    A target set for many places (each of a county's towns) is one lead sentence in its
    section's paragraph and a table of the places after it (:func:`place_table`). A task
    "still to do" (剩余7户9人) is stated only from the report year's own figures: a year
    without them is never described by the year before.
    """
    rows = target_rows(tables, catalog)
    if rows.empty:
        return [], {}
    words = PHRASES[lang]
    names = village_names(tables)
    own = {"township", str(tables.place()[1])}
    counts = rows["status_en"].value_counts()
    items = words["count_join"].join(
        words["plan_count_item"].format(
            status=label(f"status.{status}", lang), n=int(counts[status])
        )
        for status in STATUSES
        if status in counts.index
    )
    paragraphs = [
        words["plan_counts"].format(years=target_years(rows, lang), n=len(rows), items=items)
    ]
    tabled: dict[int, pd.DataFrame] = {}

    category = rows["indicator"].map(lambda i: catalog[i].category)
    present = set(category)
    for number, name in enumerate(c for c in (*CATEGORIES, "base") if c in present):
        mine = rows[category == name]
        in_tables = _tabled(mine, own)
        mine = mine.drop(in_tables.index)
        # Zero targets still open (剩余7户9人 → 0) read as the task they are.
        open_zero = mine[
            (mine["target"] == 0)
            & ~mine["indicator"].map(lambda i: catalog[i].higher_is_better)
            & mine["status_en"].isin(PROJECTED)
            & (mine.get("last_year", pd.Series(year, index=mine.index)) == year)
        ]
        sentences = [
            _zero_task(group, catalog, names, lang)
            for _, group in open_zero.groupby("scope", sort=False)
        ]
        for row in mine.drop(open_zero.index).itertuples():
            ind = catalog[row.indicator]
            if getattr(row, "tracking", "") == "plan" and row.status_en in words["plan_status"]:
                text = _plan_sentence(row, ind, names, lang)
            elif row.status_en in PROJECTED:
                text = words["trend"] + _projection_clause(row, ind, names, lang)
            else:
                text = _target_sentence(row, ind, names, lang)
            sentences.append(capitalise(text + words["stop"]))
        head = words["plan_head"].format(
            ordinal=words["ordinals"][number], head=words["plan_heads"][name]
        )
        paragraphs.append(words["space"].join([head, *sentences]))
        for (indicator, _), group in in_tables.groupby(["indicator", "target_year"], sort=False):
            tabled[len(paragraphs)] = place_table(group, names, catalog, lang)
            paragraphs.append(_places_lead(group, catalog[indicator], names, lang))
    return paragraphs, tabled
