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

from analysis.core import numbers
from analysis.core.catalog import Catalog, Indicator, default_catalog
from analysis.core.labels import (
    check_lang,
    glossed,
    indicator_label,
    indicator_name,
    label,
    unit_header,
)
from analysis.pipeline.store import Tables

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
    return label("join.change", lang, verb=verb, amount=numbers.change(diff, ind, lang, unit=False))


def key_figures(
    table: pd.DataFrame, year: int, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """Each indicator's value in ``year`` beside the year before, with the change, by section.

    ``table`` has columns year, indicator, value (the township table, or one village's rows).
    An indicator without a value in ``year`` has no row. The township page and the Word
    document show this same table.
    """
    catalog = catalog or default_catalog()
    now, before = values(table, year), values(table, year - 1)
    columns = [
        label("column.section", lang),
        label("column.indicator", lang),
        str(year - 1),
        str(year),
        label("column.change", lang),
    ]
    rows = [
        (
            label(f"section.{ind.category}", lang),
            indicator_label(ind, lang),
            numbers.number(before.get(ind.id), ind, lang),
            numbers.number(now[ind.id], ind, lang),
            change_cell(now[ind.id], before.get(ind.id), ind, lang),
        )
        for ind in catalog
        if ind.id in now
    ]
    return pd.DataFrame(rows, columns=columns)


def village_history(
    tables: Tables, code: str, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """One village's indicators over the years: a row per indicator, a column per year."""
    catalog = catalog or default_catalog()
    rows = tables.indicators[tables.indicators["village_code"] == str(code)]
    wide = rows.pivot_table(index="indicator", columns="year", values="value", aggfunc="first")
    order = [catalog[i] for i in catalog.ids if i in wide.index]
    shown = pd.DataFrame(
        {
            str(year): [numbers.number(wide.at[ind.id, year], ind, lang) for ind in order]
            for year in wide.columns
        },
        index=[indicator_label(ind, lang) for ind in order],
    )
    shown.index.name = label("column.indicator", lang)
    return shown


def village_vs_township(
    tables: Tables, code: str, year: int, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """The village's figure for ``year`` beside the township's, with its share or difference."""
    catalog = catalog or default_catalog()
    village = tables.indicators[
        (tables.indicators["village_code"] == str(code)) & (tables.indicators["year"] == year)
    ].set_index("indicator")["value"]
    town = tables.township[tables.township["year"] == year].set_index("indicator")["value"]
    rows = []
    for ind in catalog:
        if ind.id not in village.index or ind.id not in town.index:
            continue
        v, t = village[ind.id], town[ind.id]
        if ind.kind == "rate":
            relation = numbers.change(v - t, ind, lang, signed=True)
        else:
            relation = numbers.percent(v / t) if t else MISSING
        rows.append(
            (
                indicator_label(ind, lang),
                numbers.number(v, ind, lang),
                numbers.number(t, ind, lang),
                relation,
            )
        )
    keys = ("indicator", "village", "township", "share_or_difference")
    return pd.DataFrame(rows, columns=[label(f"column.{k}", lang) for k in keys])


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
                lambda x: numbers.number(x, "万元", lang)
            ),
            label("column.started", lang): mine["started"].map(yes_no),
            label("column.completed", lang): mine["completed"].map(yes_no),
        }
    ).reset_index(drop=True)


# --- targets -----------------------------------------------------------------------------------

_STATUS_COLUMNS = (
    "indicator",
    "target",
    "projected",
    "interval",
    "probability",
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


def status_table(
    df: pd.DataFrame,
    names: Mapping[str, str] | None = None,
    *,
    lang: str = "zh",
    catalog: Catalog | None = None,
) -> pd.DataFrame:
    """Target status for reports: target, projection, interval, probability and status.

    Parameters
    ----------
    df : pandas.DataFrame
        Rows of :func:`analysis.core.trends.assess_targets` (filter to ``row_type == 'target'``
        for the target table). Needs indicator, scope, target, projected, lower, upper, level,
        probability, escap_measure, escap_category, eurostat_ratio, eurostat_band, status_en.
    names : mapping, optional
        Village code → name, to show a village scope by name rather than by code.
    lang : {'zh', 'en'}
        Language of headers and words.
    catalog : Catalog, optional
        Indicator definitions; defaults to the package catalog.

    Returns
    -------
    pandas.DataFrame
        Columns :func:`status_headers`, all text. A non-township scope is appended to the
        indicator name.
    """
    catalog = catalog or default_catalog()
    records = []
    for row in df.itertuples(index=False):
        ind = catalog[row.indicator]
        name = indicator_name(ind, lang)
        if row.scope != "township":
            name = label("join.scoped", lang, name=name, scope=scope_names(row.scope, names, lang))
        interval = MISSING
        if math.isfinite(row.lower) and math.isfinite(row.upper):
            interval = label(
                "join.interval_level",
                lang,
                interval=numbers.interval(row.lower, row.upper, ind, lang),
                level=numbers.percent(row.level),
            )
        escap = eurostat = MISSING
        if isinstance(row.escap_category, str):
            escap = _rated(row.escap_measure, label(f"escap.{row.escap_category}", lang))
        if isinstance(row.eurostat_band, str):
            eurostat = _rated(row.eurostat_ratio, label(f"eurostat.{row.eurostat_band}", lang))
        records.append(
            [
                name,
                numbers.figure(row.target, ind, lang),
                numbers.figure(row.projected, ind, lang),
                interval,
                numbers.probability(row.probability),
                escap,
                eurostat,
                label(f"status.{row.status_en}", lang),
            ]
        )
    return pd.DataFrame(records, columns=status_headers(lang))


def scope_rows(projections: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The projection rows shown for a scope: the targets for 'township', else the rows whose
    scope includes the village (its own projections and multi-village targets)."""
    if projections.empty:
        return projections
    if scope == "township":
        return projections[projections["row_type"] == "target"]
    includes = projections["scope"].astype(str).str.split(";").map(lambda codes: scope in codes)
    return projections[includes]


def target_table(tables: Tables, scope: str, *, lang: str = "zh") -> pd.DataFrame:
    """The target status table of one scope ('township' or a village code).

    For a village, its own targets and its projections of the township-scoped indicators.
    """
    rows = scope_rows(tables.projections, str(scope))
    if rows.empty:
        return pd.DataFrame()
    names = dict(zip(tables.villages["code"], tables.villages["short_name"], strict=True))
    return status_table(rows.reset_index(drop=True), names, lang=lang)


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


#: Reconciliation statuses, differences first.
_RECONCILIATION_ORDER = {"differs": 0, "no data": 1, "match": 2}


def _checked_places(tolerance: float | None) -> int | None:
    """Decimals that show a difference of ``tolerance`` (±0.5 → 1, ±0.005 → 3)."""
    if tolerance is None or not math.isfinite(tolerance) or tolerance <= 0:
        return None
    return max(0, -math.floor(math.log10(tolerance)))


def reconciliation_table(tables: Tables, *, lang: str = "zh") -> pd.DataFrame:
    """Published figures against the data, differences first.

    Published, computed and difference are written to the precision the figure was checked at
    (the published figure's last decimal), so that a difference shown is never rounded away.
    """
    r = tables.reconciliation
    if r.empty:
        return _nothing("cell.no_published", lang)
    catalog = default_catalog()
    order = r["status"].map(_RECONCILIATION_ORDER).fillna(len(_RECONCILIATION_ORDER))
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
        "quote",
    )
    rows = []
    for row in r.to_dict("records"):
        ind = catalog.by_id.get(row["indicator"])
        what = ind if ind is not None else str(row["unit"])
        places = _checked_places(row.get("tolerance"))
        status = str(row["status"])
        rows.append(
            (
                row["fact_id"],
                label("cell.township", lang) if row["scope"] == "township" else row["scope"],
                indicator_name(ind, lang) if ind is not None else row["indicator"],
                unit_header(str(row["unit"]), lang),
                *(
                    numbers.number(row[c], what, lang, places=places)
                    for c in ("published", "computed", "difference")
                ),
                label(f"reconciliation.{status}", lang)
                if status in _RECONCILIATION_ORDER
                else status,
                row["quote"],
            )
        )
    return pd.DataFrame(rows, columns=[label(f"column.{k}", lang) for k in keys])
