"""The appendix at the foot of a county's or town's page: what a leader need not read, each part
with one plain sentence saying what it means.

The ESCAP and Eurostat measures of the page's own targets (the body's target table shows the
status alone), the projection models with their back-test errors, and the published figures
the reconciliation could not check (未核对; the body lists those it checked).
"""

from __future__ import annotations

import math

import pandas as pd

from analysis.core import numbers
from analysis.core.catalog import default_catalog
from analysis.core.labels import LABELS, indicator_name, label
from analysis.pipeline.store import Tables
from analysis.reporting.leader import own_scope
from analysis.reporting.tables import (
    page_order,
    place_names,
    reconciliation_rows,
    scope_rows,
    status_headers,
    status_table,
    target_table,
)

#: The columns of the target table that go to the appendix.
SUPPORTING = ("escap", "eurostat")


def body_target_table(tables: Tables, scope: str, *, lang: str = "zh") -> pd.DataFrame:
    """The target table of the page's body: :func:`~analysis.reporting.tables.target_table`
    without the ESCAP and Eurostat columns (:func:`supporting_table` has them)."""
    table = target_table(tables, scope, lang=lang)
    if table.empty:
        return table
    return table.drop(columns=[label(f"column.{k}", lang) for k in SUPPORTING])


def _own_rows(tables: Tables) -> pd.DataFrame:
    return page_order(scope_rows(tables.projections, own_scope(tables)))


def supporting_table(tables: Tables, *, lang: str = "zh") -> pd.DataFrame:
    """The page's own targets with their ESCAP and Eurostat measures (a word marked * differs
    from the status)."""
    rows = _own_rows(tables)
    if rows.empty:
        return pd.DataFrame()
    table = status_table(rows, place_names(tables), lang=lang, own=own_scope(tables))
    headers = status_headers(lang)
    kept = [headers[0], *(label(f"column.{k}", lang) for k in SUPPORTING), headers[-1]]
    shown = table[kept]
    if (shown[kept[1:3]] == numbers.MISSING).all().all():
        return pd.DataFrame()
    return shown


def supporting_note(table: pd.DataFrame, lang: str = "zh") -> str:
    """What the two measures are and where they draw the line; why a word marked * differs
    from the status, where one is."""
    note = label("note.supporting", lang)
    if not table.apply(lambda column: column.str.endswith("*")).any().any():
        return note
    return label(
        "note.with_contradicts", lang, note=note, contradicts=label("note.contradicts", lang)
    )


def model_table(tables: Tables, *, lang: str = "zh") -> pd.DataFrame:
    """The model each of the page's own projected targets was projected with, and its
    back-test mean absolute error, in the indicator's unit."""
    catalog = default_catalog()
    records = []
    for row in _own_rows(tables).to_dict("records"):
        model, error = row.get("model"), row.get("backtest_mae")
        if not isinstance(model, str) or not model or error is None or not math.isfinite(error):
            continue
        ind = catalog[row["indicator"]]
        records.append(
            (
                indicator_name(ind, lang),
                label(f"model.{model}", lang) if f"model.{model}" in LABELS else model,
                numbers.error(error, ind, lang),
            )
        )
    columns = [label(f"column.{k}", lang) for k in ("indicator", "model", "backtest_mae")]
    return pd.DataFrame(records, columns=columns) if records else pd.DataFrame()


def unchecked_table(tables: Tables, *, lang: str = "zh") -> pd.DataFrame:
    """The published figures the reconciliation could not check (未核对), each with why."""
    rows = tables.reconciliation
    if rows.empty:
        return pd.DataFrame()
    rows = rows[rows["status"] == "not checked"]
    return reconciliation_rows(rows, lang=lang) if len(rows) else pd.DataFrame()
