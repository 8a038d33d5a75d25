"""The summary's figure sentences, and what every part of the narrative reads from the tables.

A sentence is rendered from a :class:`~analysis.reporting.narrative.wording.Sentence`: each
alternative whose figures are present is filled in, figures written by
:mod:`analysis.core.numbers`; the year-on-year remark and the village breakdown follow. A
figure that is absent or NaN produces nothing.
"""

from __future__ import annotations

import dataclasses
import string

import pandas as pd

from analysis.core import numbers, trends
from analysis.core.catalog import Catalog, Indicator
from analysis.core.labels import indicator_name, label, unit_word
from analysis.pipeline.store import Tables
from analysis.reporting.narrative.wording import PHRASES, Sentence
from analysis.reporting.review import Pending, change_pending, marked_total, pending_of
from analysis.reporting.tables import place_names, scope_names

#: A village breakdown names at most this many villages, then says how many more.
BREAKDOWN_LIMIT = 6


def verb(change: float, ind: Indicator, lang: str) -> str:
    """增加/减少 for amounts, 提高/下降 for rates; up/down."""
    rising, falling = ("rate_up", "rate_down") if ind.kind == "rate" else ("up", "down")
    return label(f"change.{rising if change > 0 else falling}", lang)


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Figure:
    """A figure for ``str.format``.

    ``{x}`` gives value and unit (1544人次); ``{x:workshop/workshops}`` the number with the
    noun in the right number (1 workshop, 2 workshops), for English nouns the unit cannot name.
    A total that counts village values pending review (``pending`` of them) reads 待核实.
    """

    def __init__(self, value: float, ind: Indicator, lang: str, pending: int = 0) -> None:
        self.value, self.ind, self.lang, self.pending = value, ind, lang, pending

    def __format__(self, spec: str) -> str:
        if not spec:
            return marked_total(
                numbers.figure(self.value, self.ind, self.lang), self.pending, self.lang
            )
        number = numbers.number(self.value, self.ind, self.lang)
        one, _, many = spec.partition("/")
        stated = f"{number} {one if number == '1' else many or one}"
        return marked_total(stated, self.pending, self.lang)


def _fields(template: str) -> list[str]:
    """The placeholder names of a template, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


# --- reading the tables ----------------------------------------------------------------------


def town_name(tables: Tables) -> str:
    """The place the summary speaks for: the town, or the county of a county's data set."""
    return tables.place_name()


def village_names(tables: Tables) -> dict[str, str]:
    """Code → the name villagers write (the short name, else the official one); the towns and
    counties a target's scope can name are in it too (:func:`~analysis.reporting.tables.place_names`)."""
    return place_names(tables)


def scope_label(scope: str, names: dict[str, str], lang: str) -> str:
    """'' for the township; 青光村、竹村村 for a scope of village codes; 嘉定镇 or 信丰县 for a
    town's or county's code."""
    return "" if scope == "township" else scope_names(scope, names, lang)


def as_of(tables: Tables, year: int) -> Tables:
    """The tables with the projections that could have been made at the end of ``year``.

    The processed projections use every year of data; the plan written in an earlier year's
    summary must not see the years after it, so it is projected again from the data up to
    ``year``.
    """
    indicators = tables.indicators
    if tables.targets.empty or indicators.empty or year >= int(indicators["year"].max()):
        return tables
    projections = trends.assess_targets(indicators[indicators["year"] <= year], tables.targets)
    return dataclasses.replace(tables, projections=projections)


# --- the figure sentences --------------------------------------------------------------------


def change_remark(
    stated: list[str],
    now: dict[str, float],
    before: dict[str, float],
    catalog: Catalog,
    lang: str,
    *,
    pending: Pending | None = None,
    year: int = 0,
) -> tuple[str, str]:
    """The year-on-year remark for the figures a sentence stated, as (inline, after).

    One figure gets an inline ，比上年增加12户; several get a sentence of their own after the
    sentence (与上年相比，…), so that the document's own sentence stays whole. A change worked
    out from a total of ``year`` or the year before that counts a village value pending review
    (``pending``) is marked 待核实, as the total is.
    """
    words = PHRASES[lang]
    compared = [i for i in stated if i in before]
    inline, items = "", []
    for indicator_id in compared:
        ind = catalog[indicator_id]
        change = now[indicator_id] - before[indicator_id]
        name = indicator_name(ind, lang)
        count = change_pending(pending or {}, year, indicator_id)
        if numbers.is_zero(change, ind):
            inline = marked_total(words["same_one"], count, lang)
            items.append(marked_total(words["same_item"].format(name=name), count, lang))
        else:
            said = verb(change, ind, lang)
            amount = marked_total(numbers.change(change, ind, lang), count, lang)
            inline = words["change_one"].format(verb=said, amount=amount)
            items.append(words["change_item"].format(name=name, verb=said, amount=amount))
    if len(compared) == 1:
        return inline, ""
    if compared:
        return "", words["changes"].format(items=words["changes_join"].join(items))
    return "", ""


def _breakdown(ids: tuple[str, ...], year: int, tables: Tables, catalog: Catalog, lang: str) -> str:
    """其中新塘村19栋118.35亩、青光村28栋194亩 — the villages holding a figure, largest first."""
    if not ids:
        return ""
    words = PHRASES[lang]
    rows = tables.indicators[
        (tables.indicators["year"] == year) & tables.indicators["indicator"].isin(ids)
    ]
    wide = rows.pivot_table(index="village_code", columns="indicator", values="value")
    present = [i for i in ids if i in wide.columns]
    if not present:
        return ""
    wide = wide[(wide[present].fillna(0) > 0).any(axis=1)]
    wide = wide.sort_values(present[0], ascending=False, kind="stable")
    names = village_names(tables)
    items = []
    for code, row in wide.head(BREAKDOWN_LIMIT).iterrows():
        parts = []
        for indicator_id in present:
            if pd.isna(row[indicator_id]):
                continue
            ind = catalog[indicator_id]
            text = numbers.figure(row[indicator_id], ind, lang)
            if not unit_word(ind.unit, lang):
                text = f"{text} {ind.en}"  # 栋 and 个 have no English word; say what is counted
            parts.append(text)
        name = names.get(str(code), str(code))
        items.append(name + words["space"] + words["breakdown_join"].join(parts))
    listed = words["list"].join(items)
    if len(wide) > BREAKDOWN_LIMIT:
        more = words["breakdown_more"].format(n=len(wide) - BREAKDOWN_LIMIT, total=len(wide))
        listed += words["breakdown_more_join"] + more
    return words["breakdown"].format(items=listed) if items else ""


def nothing_to_say(
    indicator_id: str, now: dict[str, float], before: dict[str, float], catalog: Catalog
) -> bool:
    """True for a zero that was zero the year before too, where zero is no achievement.

    No workshop in 2014 and none in 2013 is not news (全镇有0个扶贫车间 reads as a slip), but
    no poor household left (未脱贫0户) is the point of the work, and a fall to zero is a change.
    """
    ind = catalog[indicator_id]
    return (
        ind.higher_is_better
        and numbers.is_zero(now[indicator_id], ind)
        and numbers.is_zero(before.get(indicator_id, 0.0), ind)
    )


def sentence(
    template: Sentence,
    year: int,
    now: dict[str, float],
    before: dict[str, float],
    tables: Tables,
    catalog: Catalog,
    lang: str,
) -> str:
    """One topic's sentence, or '' when none of its figures is present."""
    words = PHRASES[lang]
    pending = pending_of(tables.area)
    figures = {
        i: _Figure(v, catalog[i], lang, pending.get((year, i), 0))
        for i, v in now.items()
        if i in catalog and not nothing_to_say(i, now, before, catalog)
    }
    clauses: list[str] = []
    stated: list[str] = []
    for alternatives in template.clauses:
        parts = []
        for alternative in alternatives:
            names = [n for n in _fields(alternative) if n != "year"]
            if all(n in figures and n not in stated for n in names):
                parts.append(alternative.format(year=year, **figures))
                stated.extend(names)
        if parts:
            clauses.append(words["comma"].join(parts))
    if not clauses:
        return ""
    text = template.lead.format(year=year) + template.sep.join(clauses)
    detail = _breakdown(template.breakdown, year, tables, catalog, lang)
    if detail:
        text += words["comma"] + detail
    inline, after = change_remark(stated, now, before, catalog, lang, pending=pending, year=year)
    text = capitalise(text + inline + words["stop"])
    return text + words["space"] + after if after else text


def projects_paragraph(year: int, tables: Tables, lang: str) -> str:
    """项目管理方面: the project list by batch, and how many projects started and finished."""
    projects = tables.projects
    if projects.empty:
        return ""
    if "year" in projects.columns:
        projects = projects[projects["year"] == year]
    elif tables.area.empty or year != int(tables.area["year"].max()):
        # A project list without a year is the current one (扶贫项目库_<latest year>.xlsx); it
        # says nothing about an earlier year.
        return ""
    if projects.empty:
        return ""
    words = PHRASES[lang]
    batches = projects.groupby("batch", sort=False)["amount_wan"].agg(["size", "sum"])
    items = words["semicolon"].join(
        words["project_item"].format(
            batch=batch, n=int(row["size"]), amount=numbers.figure(row["sum"], "万元", lang)
        )
        for batch, row in batches.iterrows()
    )
    n = len(projects)
    started = int(projects["started"].fillna(False).astype(bool).sum())
    done = int(projects["completed"].fillna(False).astype(bool).sum())
    head = words["projects"].format(
        batches=len(batches),
        n=n,
        items=items,
        amount=numbers.figure(float(projects["amount_wan"].sum()), "万元", lang),
    )
    if started == n == done:
        status = words["projects_all_done"].format(n=n)
    elif started == n:
        status = words["projects_all_started"].format(n=n, done=done)
    else:
        status = words["projects_started"].format(started=started, done=done)
    return head + words["space"] + status
