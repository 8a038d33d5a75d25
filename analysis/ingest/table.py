"""The wide village-year table: one row per village (and year), one column per indicator.

:func:`check_table` reads one sheet in steps, each its own function: find the header block
(:mod:`analysis.ingest.forms`: one row or a grouped header over several) and classify the
columns (key roles, catalog indicators, unknown); classify the rows (blank, title, totals,
repeated header, form note, candidate); resolve the keys (village by code or name, year from
its column or the title); then hand the accepted rows' cells to :mod:`analysis.ingest.values`
and keep the totals rows for the cross-row check. A sheet in the long form goes to
:mod:`analysis.ingest.longform`; any other shape is refused with a message saying so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.ingest import forms
from analysis.ingest.cells import (
    Column,
    cell_text,
    parse_cells,
    parse_year,
    suggest_headers,
    unit_factor,
)
from analysis.ingest.keys import (
    classify_rows,
    missing_key_columns,
    report_bad_keys,
    resolve_keys,
    sheet_town,
    totals_towns,
)
from analysis.ingest.longform import check_long
from analysis.ingest.read import Sheet
from analysis.ingest.run import Run
from analysis.ingest.values import Cells, check_values, keep_totals

#: Header roles that are not indicators; the first column of each role is the one used.
_KEY_ROLES = ("village", "code", "year", "town", "seq", "remark")


def blank_rows(cells: pd.DataFrame) -> np.ndarray:
    """True for each row of ``cells`` with nothing in it."""
    return (cells == "").all(axis=1).to_numpy()


def cell_texts(cells: pd.DataFrame) -> pd.DataFrame:
    """``cells.map(cell_text)``: a column of texts (every cell of a CSV) is taken as it is,
    not cell by cell; any other column each of its cells."""
    if cells.empty:
        return cells.map(cell_text)
    texts = {}
    for position in range(cells.shape[1]):
        column = cells.iloc[:, position]
        if pd.api.types.infer_dtype(column, skipna=False) == "string":
            texts[position] = column.to_numpy(dtype=object)
        else:
            texts[position] = np.array([cell_text(v) for v in column], dtype=object)
    frame = pd.DataFrame({p: pd.Series(t, index=cells.index, dtype=str) for p, t in texts.items()})
    frame.columns = cells.columns
    return frame


def _has_numbers(cells: pd.DataFrame) -> bool:
    flat = pd.Series(cells.to_numpy(dtype=object).ravel())
    return bool((parse_cells(flat)["state"] == "ok").any())


def check_table(sheet: Sheet, run: Run) -> None:
    """Validate one sheet of a village table and collect its accepted values.

    Parameters
    ----------
    sheet
        The grid as read.
    run
        The run's catalog, registry and ledger; values and totals rows are appended to it.
    """
    cells, ledger = sheet.cells, run.ledger
    n = len(cells)
    blank = blank_rows(cells) if n else np.zeros(0, bool)
    block = forms.find_header_block(cells, sheet.merged, run.catalog) if n else None
    rows = ledger.open_sheet(
        sheet.file,
        sheet.name,
        "village_table",
        n,
        encoding=sheet.encoding,
        header_row=None if block is None else block.top + 1,
    )
    if block is None:
        _without_header(sheet, run, blank, rows)
        return
    top, bottom = block.top, block.bottom
    above = np.arange(top)
    rows.loc[above[~blank[:top]] + 1, "reason"] = "title"
    rows.loc[top + 1 : bottom + 1, "reason"] = "header"
    years_across = forms.years_as_columns(block.labels)
    if years_across:
        _refuse_layout(sheet, run, blank, rows, bottom, years_across)
        return
    long_columns = forms.long_form_columns(block.labels)
    if long_columns:
        check_long(sheet, run, block, long_columns, blank, rows)
        return
    columns = forms.match_block(block, run.catalog)
    data = cells.iloc[bottom + 1 :]
    first_of, indicator_cols = _classify_columns(columns, data, bottom, sheet, run)
    if "town" in first_of:
        data = _merged_filled(data, first_of["town"].index, sheet.merged)
    sheet_year = None if "year" in first_of else forms.title_year(cells.iloc[:top])
    value_idx = [c.index for c, _ in indicator_cols]
    body = classify_rows(
        data, blank[bottom + 1 :], bottom, columns, first_of, value_idx, run, sheet_year
    )
    rows.loc[body.excel_rows[body.blank], "reason"] = "blank"
    rows.loc[body.excel_rows[body.totals & ~body.blank], "reason"] = "totals"
    rows.loc[body.excel_rows[body.repeated_header], "reason"] = "repeated header"
    rows.loc[body.excel_rows[body.note], "reason"] = "note"
    if missing_key_columns(sheet, run, first_of, bottom, body, rows, sheet_year):
        return
    if sheet_year is not None:
        ledger.add(
            "year_from_title",
            sheet.file,
            sheet.name,
            sheet_year.row,
            value=sheet_year.title,
            year=sheet_year.year,
        )
    town = sheet_town(sheet, first_of, run)
    keys = resolve_keys(body.data, first_of, run, sheet_year, town)
    bad = body.candidate & (
        body.village_blank | (keys.status.to_numpy() != "ok") | body.year_blank | ~keys.years_ok
    )
    report_bad_keys(sheet, run, first_of, body, keys, bad)
    good = body.candidate & ~bad
    if not indicator_cols:
        # Nothing could be taken from these rows: they are not "accepted" (the unknown
        # columns are reported above).
        rows.loc[body.excel_rows[good], ["status", "reason"]] = ["quarantined", "no known column"]
        rows.loc[body.excel_rows[bad], ["status", "reason"]] = ["quarantined", "keys"]
        return
    rows.loc[body.excel_rows[bad], ["status", "reason"]] = ["quarantined", "keys"]
    rows.loc[body.excel_rows[good], ["status", "reason"]] = ["accepted", ""]

    good_codes = keys.codes[good].astype(str).to_numpy()
    good_years = keys.years[good].astype("int64").to_numpy()
    run.sheet_villages.append(
        pd.DataFrame(
            {
                "file": sheet.file,
                "sheet": sheet.name,
                "village_code": good_codes,
                "year": good_years,
            }
        )
    )
    accepted = _melt(body.data[good], body.excel_rows[good], indicator_cols)
    accepted.code = good_codes[accepted.code]
    accepted.year = good_years[accepted.year]
    labels = {c.index: c.header for c, _ in indicator_cols}
    check_values(sheet, run, accepted, bottom + 1, labels)
    totals = body.totals & ~body.blank
    if totals.any():
        totals_cells = _melt(body.data[totals], body.excel_rows[totals], indicator_cols)
        default = int(good_years[0]) if len(np.unique(good_years)) == 1 else None
        if "year" in first_of:
            years, _ = parse_year(body.data[totals][first_of["year"].index])
            row_years = np.array([y if pd.notna(y) else default for y in years], dtype=object)
        else:
            row_years = np.full(int(totals.sum()), default, dtype=object)
        totals_cells.year = row_years[totals_cells.year]
        towns = totals_towns(body, keys, good, first_of, run, town)
        keep_totals(sheet, run, totals_cells, towns[totals_cells.code])


def _merged_filled(
    data: pd.DataFrame, column: int, merged: list[tuple[int, int, int, int]]
) -> pd.DataFrame:
    """The rows with a merged cell of ``column`` (a 乡镇 merged down its villages) holding its
    text on every row it covers, as the clerk sees it: each village is then resolved among its
    own town's."""
    spans = [
        (r0, r1) for r0, c0, r1, c1 in merged if c0 <= column <= c1 and r1 > r0 and r0 in data.index
    ]
    if not spans:
        return data
    data = data.copy()
    for r0, r1 in spans:
        covered = data.index[(data.index > r0) & (data.index <= r1)]
        data.loc[covered, column] = data.at[r0, column]
    return data


def _melt(
    data: pd.DataFrame, excel_rows: np.ndarray, indicator_cols: list[tuple[Column, float]]
) -> Cells:
    """The indicator cells of ``data``, row by row. ``code`` and ``year`` hold each cell's
    position among the rows, for the caller to map to the rows' keys."""
    block = data[[c.index for c, _ in indicator_cols]].to_numpy(dtype=object)
    n_rows, n_cols = block.shape
    row_of = np.repeat(np.arange(n_rows), n_cols)
    col_of = np.tile(np.arange(n_cols), n_rows)
    index = np.array([c.index for c, _ in indicator_cols])[col_of]
    return Cells(
        raw=pd.Series(block.ravel(), dtype=object),
        indicator=np.array([c.indicator for c, _ in indicator_cols], dtype=object)[col_of],
        factor=np.array([f for _, f in indicator_cols], dtype=float)[col_of],
        row=excel_rows[row_of].astype("int64"),
        col=index,
        code=row_of,
        year=row_of,
        group=index,
    )


def _without_header(sheet: Sheet, run: Run, blank: np.ndarray, rows: pd.DataFrame) -> None:
    """A sheet with no header row: its rows quarantined if it holds figures, else it is text."""
    filled = np.flatnonzero(~blank) + 1
    if not (len(sheet.cells) and _has_numbers(sheet.cells)):
        run.ledger.sheets[(sheet.file, sheet.name)]["kind"] = "text"
        rows.loc[filled, "reason"] = "text without a data table"
        return
    seen = forms.first_text_row(sheet.cells)
    years = forms.years_as_columns([[t] for t in seen[1].split("、")]) if seen else []
    if years:
        run.ledger.add(
            "unsupported_layout",
            sheet.file,
            sheet.name,
            seen[0],
            value=seen[1],
            count=len(filled),
            seen_zh=f"年份在列上（{'、'.join(years[:3])}…）",
            seen_en=f"years as columns ({', '.join(years[:3])}…)",
            shapes_zh=forms.SHAPES_ZH,
            shapes_en=forms.SHAPES_EN,
        )
    else:
        run.ledger.add(
            "no_header",
            sheet.file,
            sheet.name,
            count=len(filled),
            seen_zh=f"第 {seen[0]} 行为：{seen[1]}。" if seen else "",
            seen_en=f"Row {seen[0]} reads: {seen[1]}. " if seen else "",
            shapes_zh=forms.SHAPES_ZH,
            shapes_en=forms.SHAPES_EN,
        )
    rows.loc[filled, ["status", "reason"]] = ["quarantined", "no header row"]


def _refuse_layout(
    sheet: Sheet,
    run: Run,
    blank: np.ndarray,
    rows: pd.DataFrame,
    bottom: int,
    years: list[str],
) -> None:
    """A header with years across: a shape that is not read; its rows are quarantined."""
    below = np.flatnonzero(~blank[bottom + 1 :]) + bottom + 2
    run.ledger.add(
        "unsupported_layout",
        sheet.file,
        sheet.name,
        bottom + 1,
        value="、".join(years[:3]) + "…",
        count=len(below),
        seen_zh=f"年份在列上（{'、'.join(years[:3])}…）",
        seen_en=f"years as columns ({', '.join(years[:3])}…)",
        shapes_zh=forms.SHAPES_ZH,
        shapes_en=forms.SHAPES_EN,
    )
    rows.loc[below, ["status", "reason"]] = ["quarantined", "layout not read"]


def _classify_columns(
    columns: list[Column], data: pd.DataFrame, header: int, sheet: Sheet, run: Run
) -> tuple[dict[str, Column], list[tuple[Column, float]]]:
    """The key columns (first of each role) and the usable indicator columns with their unit
    factor. An unknown header, a repeated key column or a header unit that cannot be converted
    is reported once for the column, and its values are counted as unmapped."""
    ledger, catalog = run.ledger, run.catalog
    file, name = sheet.file, sheet.name
    ledger.sheets[(file, name)]["columns_ignored"] = [
        f"{c.letter} {c.header}" for c in columns if c.role in ("seq", "remark")
    ]
    first_of: dict[str, Column] = {}
    for col in columns:
        if col.role in _KEY_ROLES and col.role not in first_of:
            first_of[col.role] = col
    indicator_cols: list[tuple[Column, float]] = []
    for col in columns:
        count = int((data[col.index] != "").sum())
        duplicate_key = col.role in _KEY_ROLES and first_of[col.role] is not col
        if col.role is None or duplicate_key:
            if not col.header and count == 0:
                continue  # an empty column without a header: nothing there
            suggestions = suggest_headers(col.header, catalog) if col.header else []
            hint_zh = (
                f"是否指：{'、'.join(suggestions)}？" if suggestions else "请改用指标目录中的列名。"
            )
            hint_en = f"Closest: {', '.join(suggestions)}." if suggestions else ""
            if duplicate_key:
                hint_zh, hint_en = "与前面的关键列重复。", "It repeats an earlier key column."
            ledger.add(
                "unknown_column",
                file,
                name,
                header + 1,
                col.letter,
                col.header,
                count=count,
                hint_zh=hint_zh,
                hint_en=hint_en,
            )
            ledger.count(file, name, "cells_unmapped", count)
            continue
        if col.role != "indicator":
            continue
        ind = catalog[col.indicator]
        factor = unit_factor(col.unit, ind.unit)
        if factor is None:
            ledger.add(
                "unit_mismatch",
                file,
                name,
                header + 1,
                col.letter,
                col.header,
                unit=col.unit,
                name=ind.zh,
                name_en=ind.en,
                canonical=ind.unit,
                count=count,
            )
            ledger.count(file, name, "cells_unmapped", count)
            continue
        indicator_cols.append((col, factor))
    return first_of, indicator_cols
