"""The long form: one row per village, year and indicator (村名, 年份, 指标, 数值 [, 单位]).

The indicator is named as a header would be (catalog names and aliases, a unit in brackets:
改厕户数（户）, 人居环境投入（万元）); a 单位 column, or a unit typed in the value cell, is
converted the same way. A row naming an indicator the catalog does not know is quarantined.
Totals rows (合计) are structural and not checked: in this shape they carry no column of
figures to add up against.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.ingest import forms
from analysis.ingest.cells import cell_text, column_letter, match_header, suggest_headers
from analysis.ingest.cells import unit_factor as to_factor
from analysis.ingest.keys import (
    classify_rows,
    missing_key_columns,
    report_bad_keys,
    resolve_keys,
)
from analysis.ingest.read import Sheet
from analysis.ingest.registry import suggestion_hints
from analysis.ingest.run import Run
from analysis.ingest.values import Cells, check_values

_KEY_ROLES = ("village", "code", "year", "town", "seq", "remark")


def check_long(
    sheet: Sheet,
    run: Run,
    block: forms.HeaderBlock,
    long_columns: dict[str, int],
    blank: np.ndarray,
    rows: pd.DataFrame,
) -> None:
    """Validate one sheet in the long form and collect its accepted values."""
    ledger, catalog = run.ledger, run.catalog
    ledger.sheets[(sheet.file, sheet.name)]["kind"] = "village_table_long"
    bottom = block.bottom
    columns = forms.match_block(block, catalog)
    used = set(long_columns.values())
    first_of: dict[str, object] = {}
    for col in columns:
        if col.index in used:
            continue
        if col.role in _KEY_ROLES and col.role not in first_of:
            first_of[col.role] = col
        elif col.header:
            count = int((sheet.cells.iloc[bottom + 1 :, col.index] != "").sum())
            ledger.add(
                "unknown_column",
                sheet.file,
                sheet.name,
                bottom + 1,
                col.letter,
                col.header,
                count=count,
                hint_zh="长表只读村名、年度、指标、数值、单位列。",
                hint_en="The long form reads village, year, indicator, value and unit columns.",
            )
            ledger.count(sheet.file, sheet.name, "cells_unmapped", count)
    data = sheet.cells.iloc[bottom + 1 :]
    value_j, name_j = long_columns["value"], long_columns["indicator_name"]
    body = classify_rows(data, blank[bottom + 1 :], bottom, columns, first_of, [value_j], run, None)
    rows.loc[body.excel_rows[body.blank], "reason"] = "blank"
    rows.loc[body.excel_rows[body.totals & ~body.blank], "reason"] = "totals"
    rows.loc[body.excel_rows[body.repeated_header], "reason"] = "repeated header"
    rows.loc[body.excel_rows[body.note], "reason"] = "note"
    if missing_key_columns(sheet, run, first_of, bottom, body, rows, None):
        return
    keys = resolve_keys(body.data, first_of, run, None)
    bad = body.candidate & (
        body.village_blank | (keys.status.to_numpy() != "ok") | body.year_blank | ~keys.years_ok
    )
    report_bad_keys(sheet, run, first_of, body, keys, bad)

    headers = catalog.header_index()
    names = body.data[name_j].map(lambda v: cell_text(v).strip()).to_numpy(dtype=object)
    units = (
        body.data[long_columns["unit"]].map(lambda v: cell_text(v).strip()).to_numpy(dtype=object)
        if "unit" in long_columns
        else np.full(len(body.data), "", dtype=object)
    )
    matched = {text: match_header(name_j, text, {}, headers) for text in set(names[~bad])}
    ids = np.array([matched[t].indicator if t in matched else None for t in names], dtype=object)
    factors = np.ones(len(names))
    unusable = np.zeros(len(names), bool)
    for pos in np.flatnonzero(body.candidate & ~bad):
        excel_row = int(body.excel_rows[pos])
        text = names[pos]
        if ids[pos] is None:
            ledger.add(
                "unknown_indicator",
                sheet.file,
                sheet.name,
                excel_row,
                column_letter(name_j),
                text,
                **suggestion_hints(suggest_headers(text, catalog) if text else []),
            )
            unusable[pos] = True
            continue
        ind = catalog[ids[pos]]
        unit = matched[text].unit or units[pos]
        factor = to_factor(unit, ind.unit)
        if factor is None:
            ledger.add(
                "unknown_unit",
                sheet.file,
                sheet.name,
                excel_row,
                column_letter(long_columns["unit"] if units[pos] else name_j),
                units[pos] or text,
                unit=unit,
                name=ind.zh,
                name_en=ind.en,
                canonical=ind.unit,
            )
            unusable[pos] = True
            continue
        factors[pos] = factor
    good = body.candidate & ~bad & ~unusable
    rows.loc[body.excel_rows[bad], ["status", "reason"]] = ["quarantined", "keys"]
    rows.loc[body.excel_rows[unusable], ["status", "reason"]] = ["quarantined", "indicator"]
    rows.loc[body.excel_rows[good], ["status", "reason"]] = ["accepted", ""]
    if not good.any():
        return
    cells = Cells(
        raw=body.data[value_j][good].reset_index(drop=True).astype(object),
        indicator=ids[good],
        factor=factors[good],
        row=body.excel_rows[good].astype("int64"),
        col=np.full(int(good.sum()), value_j),
        code=keys.codes[good].astype(str).to_numpy(),
        year=keys.years[good].astype("int64").to_numpy(),
        group=ids[good],
    )
    labels = {ind_id: catalog[ind_id].zh for ind_id in set(ids[good])}
    rejected = ~check_values(sheet, run, cells, 0, labels)
    rows.loc[cells.row[rejected], ["status", "reason"]] = ["quarantined", "value"]
