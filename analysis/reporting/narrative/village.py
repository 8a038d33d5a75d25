"""The paragraph of a village's page: its key figures, their change, and its outlook."""

from __future__ import annotations

import math

from analysis.core import numbers
from analysis.core.catalog import Catalog, default_catalog
from analysis.core.labels import check_lang, indicator_name, label
from analysis.pipeline.store import Tables
from analysis.reporting.narrative.sentences import (
    as_of,
    capitalise,
    change_remark,
    nothing_to_say,
    scope_label,
    village_names,
)
from analysis.reporting.narrative.wording import PHRASES
from analysis.reporting.tables import self_word, values

#: A village paragraph states these figures (where present) with their change.
VILLAGE_KEYS = (
    "poor_households_remaining",
    "poor_people_remaining",
    "medical_insurance_rate",
    "pension_insurance_rate",
    "sanitary_toilet_rate",
    "toilets_upgraded",
    "vegetable_greenhouse_area_mu",
    "navel_orange_area_mu",
)


def village_paragraph(
    code: str,
    year: int,
    tables: Tables,
    *,
    lang: str = "zh",
    catalog: Catalog | None = None,
) -> str:
    """A short paragraph for one village's report: key figures, their change, target status.

    Parameters
    ----------
    code : str
        12-digit village code; an unknown code raises a ParameterError naming the known ones.
    year : int
        The year described.
    tables : Tables
        The processed tables.
    lang : {'zh', 'en'}, default 'zh'
        Language of the text.
    catalog : Catalog, optional
        Indicator definitions; defaults to the package catalog.

    Returns
    -------
    str
        Households and population; the :data:`VILLAGE_KEYS` figures that are present (a zero
        only where it says something, as in :func:`~analysis.reporting.narrative.summary`),
        each with its change on the year before; then the village's projections for those of
        them its town has targets for, beside the town's target where it applies to the village
        as it stands (a rate, a count to clear; never a total), and the status of the targets
        the village shares.
    """
    check_lang(lang)
    catalog = catalog or default_catalog()
    tables = as_of(tables, year)
    words = PHRASES[lang]
    code = str(code)
    tables.village(code)  # a clear error for an unknown code
    name = village_names(tables)[code]
    rows = tables.indicators[tables.indicators["village_code"].astype(str) == code]
    now, before = values(rows, year), values(rows, year - 1)
    if not now:
        return words["village_no_data"].format(name=name, year=year)

    clauses = []
    base = [
        numbers.figure(now[i], catalog[i], lang) for i in ("households", "population") if i in now
    ]
    if base:
        figures = words["base_join"].join(base)
        clauses.append(words["village_intro"].format(name=name, year=year, figures=figures))
    for indicator_id in VILLAGE_KEYS:
        if indicator_id not in now or nothing_to_say(indicator_id, now, before, catalog):
            continue
        ind = catalog[indicator_id]
        template = words["village_rate" if ind.kind == "rate" else "village_figure"]
        text = template.format(
            name=indicator_name(ind, lang), value=numbers.figure(now[indicator_id], ind, lang)
        )
        inline, _ = change_remark([indicator_id], now, before, catalog, lang)
        clauses.append(text + inline)
    sentences = [capitalise(words["semicolon"].join(clauses) + words["stop"])] if clauses else []
    sentences += _village_outlook(code, tables, catalog, lang)
    return words["space"].join(sentences)


def _village_outlook(code: str, tables: Tables, catalog: Catalog, lang: str) -> list[str]:
    """The village's projections (beside its town's target where that applies to it) and the
    targets it shares."""
    proj = tables.projections
    if proj.empty:
        return []
    words = PHRASES[lang]
    scope = proj["scope"].astype(str)
    is_target = proj["row_type"] == "target"
    mine = proj[(proj["row_type"] == "village") & (scope == code)]
    itself = self_word(tables, code, lang)
    sentences = []
    # Only the columns read: itertuples over every column of the wide table costs the page.
    mine = mine.loc[
        mine["indicator"].isin(VILLAGE_KEYS),
        ["target_year", "indicator", "ok", "last_value", "projected", "target"],
    ]
    for target_year, group in mine.groupby("target_year"):
        items = []
        for row in group.itertuples(index=False):
            ind = catalog[row.indicator]
            if not row.ok:
                items.append(words["village_refused"].format(name=indicator_name(ind, lang)))
                continue
            if numbers.is_zero(row.last_value, ind) and numbers.is_zero(row.projected, ind):
                continue  # none now and none expected (no greenhouses here): nothing to say
            text = words["village_projection"].format(
                name=indicator_name(ind, lang),
                verb=words["reach_up" if ind.higher_is_better else "reach_down"],
                value=numbers.figure(row.projected, ind, lang),
            )
            # The village's own target: a town's rate (or count to clear) as it stands; a
            # town's total is no target of one village's, so it is never quoted beside one.
            if math.isfinite(row.target):
                text += words["village_goal"].format(target=numbers.figure(row.target, ind, lang))
            items.append(text)
        if items:
            sentences.append(
                words["village_trend"].format(
                    year=int(target_year), items=words["semicolon"].join(items), self=itself
                )
            )
    names = village_names(tables)
    shared = proj.loc[
        is_target & scope.str.split(";").map(lambda codes: code in codes),
        ["indicator", "scope", "target", "status_en"],
    ]
    for row in shared.itertuples(index=False):
        ind = catalog[row.indicator]
        sentences.append(
            words["village_share"].format(
                self=itself,
                scope=scope_label(str(row.scope), names, lang),
                name=indicator_name(ind, lang),
                target=numbers.figure(row.target, ind, lang),
                status=label(f"status.{row.status_en}", lang),
            )
        )
    return sentences
