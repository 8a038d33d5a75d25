"""Every published figure held against the data: matched, a rounding, differing, or not checked.

Each figure of the published document (``published_figures.csv``) gives one row per value (a
fact "19;118.35" in "栋;亩" gives two), and every row gets one status:

* ``match`` (一致) — the figure computed from the village data lies within the published
  figure's own precision: half a unit of its last written digit (``86`` admits
  85.5 ≤ x < 86.5, ``335.26`` admits 335.255 ≤ x < 335.265). The same rule for every figure;
* ``rounding`` (一致（四舍五入）) — a match where the document itself states the same quantity
  more precisely elsewhere, and this figure is that one rounded (118 亩 beside 118.35 亩);
* ``differs`` (不一致) — outside that precision; ``other_fact`` names another statement of the
  same quantity in the document where there is one (197 亩 here, 194 亩 there);
* ``not checked`` (未核对) — with a ``reason``: ``no number`` (the document says it in words,
  such as 全覆盖, with no figure to hold to a precision), ``no indicator`` (no catalog indicator
  holds it), ``no data`` (the data has no value for it), ``no target`` (a target the targets
  table does not hold).

Actual figures are compared with the data: the township aggregate, or the sum over the
villages of the fact's scope. Target figures are compared with the targets table the
projections use; a target to bring a count to zero is written in documents as the task still
to do (7户9人脱贫任务), so it is compared with the latest actual before the target year
(``compared_with`` says which).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.core import numbers
from analysis.core.catalog import Catalog, default_catalog
from analysis.core.labels import check_lang, label, unit_word
from analysis.ingest.cells import decimals_of, unit_factor

RECONCILIATION_COLUMNS = [
    "fact_id",
    "section",
    "kind",
    "scope",
    "scope_code",
    "year",
    "indicator",
    "indicator_zh",
    "indicator_en",
    "unit",
    "published_text",
    "published",
    "compared_with",
    "computed",
    "difference",
    "tolerance",
    "decimals",
    "status",
    "reason",
    "other_fact",
    "other_text",
    "note",
    "quote",
]
#: The reconciliation's numeric columns; the others are text, kept as written ("118", "194").
NUMERIC_COLUMNS = ("year", "published", "computed", "difference", "tolerance", "decimals")
#: Statuses in the order a reader looks at them: the differences first.
STATUSES = ("differs", "not checked", "rounding", "match")
#: Why a figure was not checked.
REASONS = ("no number", "no indicator", "no data", "no target")
#: What a figure was compared with.
COMPARED_WITH = ("data", "targets", "remaining", "projects")
#: A count of projects started or completed as a document writes it: 21个项目均已开工.
_PROJECTS_STATE = re.compile(r"(\d+)个项目[^，。；,;]*?(开工|竣工)")
#: The project list's column each word counts.
_STATE_COLUMNS = {"开工": "started", "竣工": "completed"}

_DIGITS = "零一二三四五六七八九"


def _split(text: object, n: int | None = None) -> list[str]:
    parts = [p.strip() for p in str(text).split(";")]
    return parts if n is None or len(parts) == n else [str(text).strip()] * n


def chinese_numerals(value: float) -> set[str]:
    """How a whole number below 100,000 is written in Chinese words: 3 → 三, 2 → 二/两,
    3000 → 三千, 10 → 十/一十, 15 → 十五; the empty set for anything else."""
    if not (math.isfinite(value) and value == int(value) and 0 <= value < 100_000):
        return set()
    number = int(value)
    if number == 0:
        return {"零"}
    words = ""
    for power, name in ((10_000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, number = divmod(number, power)
        if digit:
            words += _DIGITS[digit] + name
        elif words and number and not words.endswith("零"):
            words += "零"
    forms = {words}
    if words.startswith("一十"):
        forms.add(words[1:])
    if words.startswith("二"):
        forms.add("两" + words[1:])
    return forms


def states_a_number(quote: str, text: str) -> bool:
    """Whether ``quote`` writes the figure ``text`` at all, in digits or in Chinese words.

    "实现了家庭医生签约服务全覆盖" read as 100 % and "没有发生一例" read as 0 are statements
    without a number: there is no written figure whose precision a check could hold to. Without
    a quote there is nothing to tell by, and the figure is taken as written.
    """
    if not quote.strip():
        return True
    digits = re.sub(r"\.0+$", "", text.strip())
    if digits and digits in re.sub(r"[,，]", "", quote):
        return True
    try:
        value = float(text)
    except ValueError:
        return False
    return any(form in quote for form in chinese_numerals(value))


def published_precision(texts: pd.Series) -> pd.Series:
    """Half a unit of the last decimal each figure is written with: ``86`` → 0.5, ``335.26``
    → 0.005. A figure is held to its own precision, whatever else the document says."""
    return 0.5 * 10.0 ** (-texts.map(decimals_of).astype(float))


def _facts(published: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """One record per published value, the value in the catalog unit where it has one."""
    records = []
    for fact in published.itertuples(index=False):
        values = _split(fact.value)
        ids = _split(getattr(fact, "indicator_id", "") or "", len(values))
        units = _split(fact.unit, len(values))
        for part, (ind_id, text, unit) in enumerate(zip(ids, values, units, strict=True)):
            known = ind_id if ind_id in catalog else ""
            factor = (unit_factor(unit, catalog[known].unit) or 1.0) if known else 1.0
            number = pd.to_numeric(text, errors="coerce")
            records.append(
                {
                    "fact_id": fact.fact_id,
                    "section": getattr(fact, "section", ""),
                    "kind": fact.kind,
                    "scope": fact.scope,
                    "scope_code": (getattr(fact, "scope_code", "") or "township").strip(),
                    "year": int(float(fact.year)),
                    "indicator": known,
                    "indicator_zh": getattr(fact, "indicator_zh", ""),
                    "indicator_en": getattr(fact, "indicator_en", ""),
                    "unit": catalog[known].unit if known else unit,
                    "published_text": text,
                    "repeats": values[:part].count(text),
                    "published": float(number) * factor,
                    "factor": factor,
                    "note": getattr(fact, "note", "") or "",
                    "quote": fact.quote,
                    "has_number": states_a_number(str(fact.quote), text),
                }
            )
    table = pd.DataFrame(records)
    table["tolerance"] = published_precision(table["published_text"]) * table["factor"]
    return table


def reconcile(
    published: pd.DataFrame,
    indicators: pd.DataFrame,
    township: pd.DataFrame,
    catalog: Catalog | None = None,
    targets: pd.DataFrame | None = None,
    projects: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every published figure against the data, the targets and the project list, by the rules
    of this module.

    Parameters
    ----------
    published
        ``published_figures.csv`` as text columns.
    indicators
        Tidy village values.
    township
        Output of :func:`aggregate_township`.
    catalog
        Indicator catalog; default the package's.
    targets
        The targets table (scope, indicator, target_year, target_value); without it every
        target figure is 'not checked' for 'no target'.
    projects
        The project list (batch, amount_wan, started, completed): a figure no indicator holds
        is compared with it where its quote names a batch (6个, 120万元: the batch's projects
        and funds) or counts projects started or completed (21个项目均已开工).

    Returns
    -------
    pandas.DataFrame
        RECONCILIATION_COLUMNS, one row per published value in the document's order.
        ``decimals`` is the precision to show ``computed`` and ``difference`` with: the finest
        the document writes that quantity with.
    """
    catalog = catalog or default_catalog()
    if published.empty:
        return pd.DataFrame(columns=RECONCILIATION_COLUMNS)
    table = _facts(published, catalog)
    town = township.set_index(["year", "indicator"])["value"]
    village = indicators.set_index(["village_code", "year", "indicator"])["value"]

    def actual(scope_code: str, year: int, indicator: str) -> float:
        if scope_code == "township":
            return float(town.get((year, indicator), np.nan))
        parts = [village.get((code, year, indicator), np.nan) for code in scope_code.split(";")]
        return np.nan if any(pd.isna(parts)) else float(sum(parts))

    goals = (
        targets.assign(scope=targets["scope"].astype(str).str.strip())
        .set_index(["scope", "indicator", "target_year"])["target_value"]
        .to_dict()
        if targets is not None and not targets.empty
        else {}
    )
    # The same quantity stated more than once in the document: (scope, indicator, year, kind);
    # a value without an indicator is a quantity of its own.
    own = table["published_text"].map(decimals_of)
    quantity = table["indicator"].where(table["indicator"] != "", table.index.astype(str))
    keys = [table["scope_code"], quantity, table["year"], table["kind"]]
    finest = own.groupby(keys).transform("max")
    shift = np.round(np.log10(table["factor"])).astype(int)
    table["decimals"] = (finest - shift).clip(lower=0).astype(int)

    rows = []
    for row in table.itertuples(index=False):
        record = row._asdict()
        record.update(compared_with="", computed=np.nan, status="not checked", reason="")
        record.update(other_fact="", other_text="")
        if not row.has_number:
            record["reason"] = "no number"
        elif not row.indicator:
            computed = _from_projects(record, projects)
            if math.isnan(computed):
                record["reason"] = "no indicator"
            else:
                record.update(compared_with="projects", computed=computed)
        elif row.kind == "target":
            _target(record, goals, catalog, actual)
        else:
            record.update(compared_with="data", computed=actual(*_key(row)))
        if record["compared_with"] and pd.isna(record["computed"]):
            record["reason"] = record["reason"] or "no data"
        elif record["compared_with"]:
            _judge(record, table)
        rows.append(record)
    out = pd.DataFrame(rows)
    out["difference"] = out["computed"] - out["published"]
    return out[RECONCILIATION_COLUMNS].reset_index(drop=True)


def _key(row: object) -> tuple[str, int, str]:
    return row.scope_code, row.year, row.indicator  # type: ignore[attr-defined]


def _target(
    record: dict, goals: dict, catalog: Catalog, actual: Callable[[str, int, str], float]
) -> None:
    """Compare a target figure with the targets table, or a clear-to-zero task with the data."""
    key = (record["scope_code"], record["indicator"], record["year"])
    if key not in goals:
        record.update(reason="no target")
        return
    goal = float(goals[key])
    if catalog[record["indicator"]].direction == "lower" and goal == 0:
        # 7户9人脱贫任务: what is left to clear, i.e. the latest actual before the target year.
        latest = actual(record["scope_code"], record["year"] - 1, record["indicator"])
        record.update(compared_with="remaining", computed=latest)
    else:
        record.update(compared_with="targets", computed=goal)


def _from_projects(record: dict, projects: pd.DataFrame | None) -> float:
    """A published figure as the project list gives it, NaN where the list does not hold it.

    The batch the quote names (the longest batch name in it) gives its number of projects (个)
    and its funds (万元); a count of projects started or completed (21个项目均已开工，其中20个
    项目已竣工) gives the list's count of those. A list with a year column is read for the
    figure's year; one without is the current list.
    """
    if projects is None or projects.empty or record["scope_code"] != "township":
        return math.nan
    if "year" in projects.columns:
        projects = projects[projects["year"] == record["year"]]
    quote, unit = str(record["quote"]), str(record["unit"])
    named = [b for b in projects["batch"].dropna().astype(str).unique() if b and b in quote]
    if named:
        batch = projects[projects["batch"] == max(named, key=len)]
        if unit == "个":
            return float(len(batch))
        if unit == "万元":
            return float(batch["amount_wan"].sum())
        return math.nan
    states = [word for n, word in _PROJECTS_STATE.findall(quote) if n == record["published_text"]]
    if unit != "个" or len(states) <= record["repeats"]:
        return math.nan
    column = _STATE_COLUMNS[states[record["repeats"]]]
    return float(projects[column].fillna(False).astype(bool).sum())


def _judge(record: dict, table: pd.DataFrame) -> None:
    """match / rounding / differs, and the document's other statement of the quantity (of an
    indicator: figures no indicator holds are each a quantity of their own)."""
    others = table[
        (table["indicator"] != "")
        & (table["scope_code"] == record["scope_code"])
        & (table["indicator"] == record["indicator"])
        & (table["year"] == record["year"])
        & (table["kind"] == record["kind"])
        & (table["fact_id"] != record["fact_id"])
    ]
    published, tolerance = record["published"], record["tolerance"]
    if not within(record["computed"], published, tolerance):
        record["status"] = "differs"
        other = others[others["published"] != published]
    else:
        finer = others[
            (others["published_text"].map(decimals_of) > decimals_of(record["published_text"]))
            & np.array([within(v, published, tolerance) for v in others["published"]], dtype=bool)
        ]
        record["status"] = "rounding" if len(finer) else "match"
        other = finer
    if len(other):
        record.update(
            other_fact=other["fact_id"].iloc[0], other_text=other["published_text"].iloc[0]
        )


def within(computed: float, published: float, tolerance: float) -> bool:
    """``published − tol ≤ computed < published + tol`` in decimal, free of binary float noise."""
    value = Decimal(repr(round(float(computed), 9)))
    centre, tol = Decimal(repr(round(published, 9))), Decimal(repr(round(tolerance, 12)))
    return centre - tol <= value < centre + tol


def _in_language(text: str, lang: str) -> str:
    """The part of a published note in ``lang``: notes are written "中文 / English"."""
    zh, sep, en = str(text).partition(" / ")
    return en.strip() if sep and check_lang(lang) == "en" else zh.strip()


def _text(value: object) -> str:
    """A text cell, empty for a missing one (NaN from a reader, None)."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def explain(row: Mapping[str, Any], lang: str = "zh") -> str:
    """What a reader needs beside a reconciliation row's status, in ``lang``.

    Why it was not checked, what a target was compared with, the document's other statement of
    the same quantity, and the published file's own note (建设村 read as 新塘村), joined.
    """
    parts = []
    reason, compared = _text(row.get("reason")), _text(row.get("compared_with"))
    if reason:
        parts.append(label(f"not_checked.{reason}", lang))
    if compared == "targets":
        parts.append(label("note.compared_targets", lang))
    elif compared == "remaining":
        parts.append(label("note.compared_remaining", lang, year=int(row["year"]) - 1))
    elif compared == "projects":
        parts.append(label("note.compared_projects", lang))
    if _text(row.get("other_fact")):
        word = unit_word(_text(row["unit"]), lang)
        value = f"{_text(row['other_text'])}{numbers.UNIT_SPACE[lang]}{word}"
        parts.append(label("note.other_fact", lang, value=value, fact=row["other_fact"]))
    if _text(row.get("note")):
        parts.append(_in_language(_text(row["note"]), lang))
    return label("note.join", lang).join(parts)


def read_reconciliation(path: Path) -> pd.DataFrame:
    """``reconciliation.csv`` as written: text as text (a figure "194" is not 194.0, a scope
    code keeps its digits), empty text empty, and the numeric columns as numbers."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    for column in NUMERIC_COLUMNS:
        if column in table.columns:
            table[column] = pd.to_numeric(table[column], errors="coerce")
    return table
