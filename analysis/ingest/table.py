"""The wide village-year table: one row per village and year, one column per indicator.

:func:`check_table` reads one sheet in four steps, each its own function: find the header and
classify the columns (key roles, catalog indicators, unknown); classify the rows (blank, title,
totals, repeated header, note, candidate); resolve the keys (village by code or name, year);
then melt, parse, convert and check the accepted rows' cells, and keep the totals rows for the
cross-row check.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import config
from analysis.core.catalog import Catalog, normalise_header
from analysis.ingest.cells import (
    Column,
    cell_text,
    decimals_of,
    find_header_row,
    is_totals_label,
    key_index,
    match_headers,
    parse_cells,
    parse_year,
    suggest_headers,
    unit_factor,
)
from analysis.ingest.read import Sheet
from analysis.ingest.registry import normalise_code, village_problem
from analysis.ingest.run import Run

#: Header roles that are not indicators; the first column of each role is the one used.
_KEY_ROLES = ("village", "code", "year", "seq", "remark")

#: What the missing key is called, for messages.
_KEY_NAMES = {
    "village": ("村（居）名称或村代码", "village name or code"),
    "year": ("年度", "year"),
}

_MERGED_HINT = (
    "疑似合并单元格：请取消合并，在每一行都填上村名。",
    "Looks like a merged cell: unmerge it and fill the name in every row.",
)


def blank_rows(cells: pd.DataFrame) -> np.ndarray:
    """True for each row of ``cells`` with nothing in it."""
    return (cells == "").all(axis=1).to_numpy()


def _has_numbers(cells: pd.DataFrame) -> bool:
    flat = pd.Series(cells.to_numpy(dtype=object).ravel())
    return bool((parse_cells(flat)["state"] == "ok").any())


@dataclass
class _Rows:
    """The data rows below the header and what each is (one entry per row, in sheet order)."""

    data: pd.DataFrame
    excel_rows: np.ndarray
    blank: np.ndarray
    totals: np.ndarray
    repeated_header: np.ndarray
    note: np.ndarray
    candidate: np.ndarray
    village_blank: np.ndarray
    year_blank: np.ndarray


@dataclass
class _Keys:
    """Each data row's village (code, resolution status, as shown, column) and year."""

    codes: pd.Series
    status: pd.Series
    shown: pd.Series
    letter: pd.Series
    years: pd.Series
    years_ok: np.ndarray


def check_table(sheet: Sheet, run: Run) -> None:
    """Validate one sheet in the wide village-year form and collect its accepted values.

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
    header = find_header_row(cells, run.catalog) if n else None
    rows = ledger.open_sheet(
        sheet.file,
        sheet.name,
        "village_table",
        n,
        encoding=sheet.encoding,
        header_row=None if header is None else header + 1,
    )
    if header is None:
        _without_header(sheet, run, blank, rows)
        return
    above = np.arange(header)
    rows.loc[above[~blank[:header]] + 1, "reason"] = "title"
    rows.loc[header + 1, "reason"] = "header"
    columns = match_headers(list(cells.iloc[header]), run.catalog)
    data = cells.iloc[header + 1 :]
    first_of, indicator_cols = _classify_columns(columns, data, header, sheet, run)
    body = _classify_rows(data, blank[header + 1 :], header, columns, first_of, indicator_cols, run)
    rows.loc[body.excel_rows[body.blank], "reason"] = "blank"
    rows.loc[body.excel_rows[body.totals & ~body.blank], "reason"] = "totals"
    rows.loc[body.excel_rows[body.repeated_header], "reason"] = "repeated header"
    rows.loc[body.excel_rows[body.note], "reason"] = "note"
    if _missing_key_columns(sheet, run, first_of, header, body, rows):
        return
    keys = _resolve_keys(body.data, first_of, run)
    bad = body.candidate & (
        body.village_blank | (keys.status.to_numpy() != "ok") | body.year_blank | ~keys.years_ok
    )
    _report_bad_keys(sheet, run, first_of, body, keys, bad)
    good = body.candidate & ~bad
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
    if indicator_cols:
        _collect_values(
            sheet,
            run,
            body.data[good],
            body.excel_rows[good],
            good_codes,
            good_years,
            indicator_cols,
            header,
        )
    totals = body.totals & ~body.blank
    if totals.any():
        _collect_totals(
            sheet,
            run,
            body.data[totals],
            body.excel_rows[totals],
            first_of["year"],
            indicator_cols,
            np.unique(good_years),
        )


def _without_header(sheet: Sheet, run: Run, blank: np.ndarray, rows: pd.DataFrame) -> None:
    """A sheet with no header row: its rows quarantined if it holds figures, else it is text."""
    filled = np.flatnonzero(~blank) + 1
    if len(sheet.cells) and _has_numbers(sheet.cells):
        run.ledger.add("no_header", sheet.file, sheet.name, count=len(filled))
        rows.loc[filled, ["status", "reason"]] = ["quarantined", "no header row"]
    else:
        run.ledger.sheets[(sheet.file, sheet.name)]["kind"] = "text"
        rows.loc[filled, "reason"] = "text without a data table"


def _classify_rows(
    data: pd.DataFrame,
    blank: np.ndarray,
    header: int,
    columns: list[Column],
    first_of: dict[str, Column],
    indicator_cols: list[tuple[Column, float]],
    run: Run,
) -> _Rows:
    """Which data rows are blank, totals (合计, or the town's own name), a repeated header, a
    note (text with no figures and no complete key: 填表人：…, 注：…) or a village candidate."""
    n = len(data)
    village_col, code_col, year_col = (first_of.get(r) for r in ("village", "code", "year"))
    label_cols = {c.index: c for c in (village_col, code_col, first_of.get("seq"), columns[0]) if c}
    totals = np.zeros(n, bool)
    for col in label_cols.values():
        totals |= is_totals_label(data[col.index], run.registry.town_names).to_numpy()
    repeated_header = np.zeros(n, bool)
    if year_col is not None:
        keys = key_index()
        year_text = data[year_col.index].map(cell_text)
        repeated_header = np.asarray(
            [keys.get(normalise_header(t)) == "year" for t in year_text], dtype=bool
        )
    ind_idx = [c.index for c, _ in indicator_cols]
    has_values = (data[ind_idx] != "").any(axis=1).to_numpy() if ind_idx else np.zeros(n, bool)
    village_idx = [c.index for c in (village_col, code_col) if c is not None]
    village_blank = (
        (data[village_idx] == "").all(axis=1).to_numpy() if village_idx else np.ones(n, bool)
    )
    year_blank = (
        (data[year_col.index] == "").to_numpy() if year_col is not None else np.ones(n, bool)
    )
    structural = blank | totals | repeated_header
    note = ~structural & ~has_values & (village_blank | year_blank)
    return _Rows(
        data=data,
        excel_rows=np.arange(header + 2, header + 2 + n),
        blank=blank,
        totals=totals,
        repeated_header=repeated_header & ~totals,
        note=note,
        candidate=~structural & ~note,
        village_blank=village_blank,
        year_blank=year_blank,
    )


def _missing_key_columns(
    sheet: Sheet,
    run: Run,
    first_of: dict[str, Column],
    header: int,
    body: _Rows,
    rows: pd.DataFrame,
) -> bool:
    """Report a sheet without a village or year column (its candidate rows quarantined)."""
    village_col = first_of.get("village") or first_of.get("code")
    missing = [
        what
        for what, col in (("village", village_col), ("year", first_of.get("year")))
        if col is None
    ]
    if not missing:
        return False
    run.ledger.add(
        "missing_key_column",
        sheet.file,
        sheet.name,
        header + 1,
        what_zh="、".join(_KEY_NAMES[m][0] for m in missing),
        what_en=", ".join(_KEY_NAMES[m][1] for m in missing),
        count=int(body.candidate.sum()),
    )
    rows.loc[body.excel_rows[body.candidate], ["status", "reason"]] = [
        "quarantined",
        "missing key column",
    ]
    return True


def _resolve_keys(data: pd.DataFrame, first_of: dict[str, Column], run: Run) -> _Keys:
    """Village by code where a valid code is given, else by name; then the year."""
    village_col, code_col, year_col = (
        first_of.get("village"),
        first_of.get("code"),
        first_of["year"],
    )
    codes = pd.Series([None] * len(data), index=data.index, dtype=object)
    status = pd.Series("unknown", index=data.index, dtype=object)
    shown = pd.Series("", index=data.index, dtype=object)
    letter = pd.Series("", index=data.index, dtype=object)
    if village_col is not None:
        resolved = run.registry.resolve(data[village_col.index])
        codes, status = resolved["code"].astype(object), resolved["status"].astype(object)
        shown = data[village_col.index].map(cell_text)
        letter[:] = village_col.letter
    if code_col is not None:
        given = normalise_code(data[code_col.index])
        has_code = given != ""
        known = given.isin(run.registry.codes)
        use = has_code & (known | (codes.isna() if village_col is not None else True))
        codes = codes.where(~use, given.where(known, None))
        status = status.where(~use, np.where(known, "ok", "unknown"))
        shown = shown.where(~use, given)
        letter = letter.where(~use, code_col.letter)
    years, _ = parse_year(data[year_col.index])
    years_ok = years.notna() & years.between(config.FIRST_YEAR, config.LAST_YEAR)
    return _Keys(codes, status, shown, letter, years, years_ok.fillna(False).to_numpy(dtype=bool))


def _report_bad_keys(
    sheet: Sheet,
    run: Run,
    first_of: dict[str, Column],
    body: _Rows,
    keys: _Keys,
    bad: np.ndarray,
) -> None:
    """One record per unusable key of a candidate row (problems are rare: built only here)."""
    ledger, file, name = run.ledger, sheet.file, sheet.name
    village_col = first_of.get("village") or first_of.get("code")
    year_col = first_of["year"]
    merged_rows = {r for (r0, _c0, r1, _c1) in sheet.merged for r in range(r0 + 1, r1 + 1)}
    status = keys.status.to_numpy(dtype=object)
    years = keys.years.to_numpy(dtype=object)
    for pos in np.flatnonzero(bad):
        excel_row = int(body.excel_rows[pos])
        if body.village_blank[pos]:
            merged = body.data.index[pos] in merged_rows or (
                pos > 0 and not body.village_blank[pos - 1]
            )
            ledger.add(
                "missing_key",
                file,
                name,
                excel_row,
                village_col.letter,
                "",
                what_zh=_KEY_NAMES["village"][0],
                what_en=_KEY_NAMES["village"][1],
                hint_zh=_MERGED_HINT[0] if merged else "请填上村名。",
                hint_en=_MERGED_HINT[1] if merged else "",
            )
        elif status[pos] != "ok":
            village_problem(
                ledger,
                run.registry,
                status[pos],
                file,
                name,
                excel_row,
                keys.letter.iloc[pos],
                keys.shown.iloc[pos],
            )
        if body.year_blank[pos]:
            ledger.add(
                "missing_key",
                file,
                name,
                excel_row,
                year_col.letter,
                "",
                what_zh="年度",
                what_en="year",
                hint_zh="请填写年份，如 2019。",
                hint_en="Enter the year, e.g. 2019.",
            )
        elif pd.isna(years[pos]):
            cell = body.data.iat[pos, year_col.index]
            ledger.add("bad_year", file, name, excel_row, year_col.letter, cell)
        elif not keys.years_ok[pos]:
            ledger.add(
                "year_out_of_range",
                file,
                name,
                excel_row,
                year_col.letter,
                int(years[pos]),
                first=config.FIRST_YEAR,
                last=config.LAST_YEAR,
            )


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


def _convert(
    parsed: pd.DataFrame,
    col_of: np.ndarray,
    indicator_cols: list[tuple[Column, float]],
    catalog: Catalog,
) -> tuple[np.ndarray, np.ndarray]:
    """Numbers in canonical units, and a mask of cells whose unit cannot be converted."""
    header_factor = np.array([f for _, f in indicator_cols])[col_of]
    canonical = np.array([catalog[c.indicator].unit for c, _ in indicator_cols], dtype=object)[
        col_of
    ]
    cell_units = parsed["unit"].to_numpy(dtype=object)
    factor = header_factor.astype(float).copy()
    has_unit = cell_units != ""
    bad_unit = np.zeros(len(parsed), bool)
    if has_unit.any():
        pairs = pd.Series(list(zip(cell_units[has_unit], canonical[has_unit], strict=True)))
        table = {pair: unit_factor(*pair) for pair in pd.unique(pairs)}
        cell_factor = pairs.map(lambda p: table[p]).to_numpy(dtype=object)
        bad_unit[np.flatnonzero(has_unit)] = pd.isna(cell_factor)
        factor[np.flatnonzero(has_unit)] = np.where(
            pd.isna(cell_factor), np.nan, cell_factor
        ).astype(float)
    return parsed["number"].to_numpy() * factor, bad_unit


def _collect_values(
    sheet: Sheet,
    run: Run,
    data: pd.DataFrame,
    excel_rows: np.ndarray,
    codes: np.ndarray,
    years: np.ndarray,
    indicator_cols: list[tuple[Column, float]],
    header: int,
) -> None:
    """Melt the accepted rows' indicator cells, parse, convert and check them (vectorised)."""
    catalog, ledger = run.catalog, run.ledger
    file, name = sheet.file, sheet.name
    block = data[[c.index for c, _ in indicator_cols]].to_numpy(dtype=object)
    n_rows, n_cols = block.shape
    raw = pd.Series(block.ravel())
    row_of = np.repeat(np.arange(n_rows), n_cols)
    col_of = np.tile(np.arange(n_cols), n_rows)
    parsed = parse_cells(raw)
    value, bad_unit = _convert(parsed, col_of, indicator_cols, catalog)
    state = parsed["state"].to_numpy()
    ok = (state == "ok") & ~bad_unit

    # A rate column whose values are all fractions (0.86) is read as percentages, once per
    # column, with a warning: Excel stores a cell formatted as "86%" as 0.86, and calamine
    # returns the stored number. A cell typed "0.86%" is explicit and never rescaled.
    percent_typed = parsed["unit"].to_numpy(dtype=object) == "%"
    for j, (col, _) in enumerate(indicator_cols):
        ind = catalog[col.indicator]
        in_col = (col_of == j) & ok
        if ind.kind != "rate" or not in_col.any():
            continue
        col_values = value[in_col]
        if (
            np.nanmax(col_values) <= 1
            and np.nanmax(col_values) > 0
            and not percent_typed[in_col].any()
        ):
            value[in_col] *= 100
            ledger.add(
                "rate_as_fraction",
                file,
                name,
                header + 1,
                col.letter,
                col.header,
                name=ind.zh,
                name_en=ind.en,
            )

    ids = np.array([c.indicator for c, _ in indicator_cols], dtype=object)[col_of]
    lower = np.array([_bound(catalog[c.indicator].bounds[0], -np.inf) for c, _ in indicator_cols])[
        col_of
    ]
    upper = np.array([_bound(catalog[c.indicator].bounds[1], np.inf) for c, _ in indicator_cols])[
        col_of
    ]
    integer = np.array([catalog[c.indicator].integer for c, _ in indicator_cols])[col_of]
    with np.errstate(invalid="ignore"):
        negative = ok & (value < 0) & (lower >= 0)
        outside = ok & ~negative & ((value < lower - 1e-9) | (value > upper + 1e-9))
        fractional = ok & ~negative & ~outside & integer & (np.abs(value - np.round(value)) > 1e-6)
    rejected = (state == "text") | bad_unit | negative | outside | fractional
    for k in np.flatnonzero(rejected):
        col = indicator_cols[col_of[k]][0]
        ind = catalog[col.indicator]
        common = {
            "name": ind.zh,
            "name_en": ind.en,
            "canonical": ind.unit,
            "unit": parsed["unit"].iat[k],
            "low": _show(ind.bounds[0]),
            "high": _show(ind.bounds[1]),
        }
        rule = (
            "not_a_number"
            if state[k] == "text"
            else "unknown_unit"
            if bad_unit[k]
            else "negative_value"
            if negative[k]
            else "out_of_bounds"
            if outside[k]
            else "not_integer"
        )
        ledger.add(rule, file, name, int(excel_rows[row_of[k]]), col.letter, raw.iat[k], **common)
    accepted = ok & ~rejected
    letters = np.array([c.letter for c, _ in indicator_cols], dtype=object)
    ledger.count(file, name, "cells_read", int((state != "missing").sum()))
    ledger.count(file, name, "cells_quarantined", int(rejected.sum()))
    run.values.append(
        pd.DataFrame(
            {
                "village_code": codes[row_of[accepted]],
                "year": years[row_of[accepted]],
                "indicator": ids[accepted],
                "value": np.where(integer[accepted], np.round(value[accepted]), value[accepted]),
                "source": sheet.source,
                "row": excel_rows[row_of[accepted]].astype("int64"),
                "file": file,
                "sheet": name,
                "column": letters[col_of[accepted]],
            }
        )
    )


def _bound(value: float | None, default: float) -> float:
    return default if value is None else float(value)


def _show(value: float | None) -> str:
    return "" if value is None else cell_text(float(value))


def _collect_totals(
    sheet: Sheet,
    run: Run,
    data: pd.DataFrame,
    excel_rows: np.ndarray,
    year_col: Column,
    indicator_cols: list[tuple[Column, float]],
    sheet_years: np.ndarray,
) -> None:
    """Keep the totals rows' figures (canonical units, written precision) for the later check."""
    if not indicator_cols or not len(data):
        return
    years, _ = parse_year(data[year_col.index])
    default_year = int(sheet_years[0]) if len(sheet_years) == 1 else None
    block = data[[c.index for c, _ in indicator_cols]].to_numpy(dtype=object)
    n_rows, n_cols = block.shape
    raw = pd.Series(block.ravel())
    row_of = np.repeat(np.arange(n_rows), n_cols)
    col_of = np.tile(np.arange(n_cols), n_rows)
    parsed = parse_cells(raw)
    value, bad_unit = _convert(parsed, col_of, indicator_cols, run.catalog)
    header_factor = np.array([f for _, f in indicator_cols])[col_of]
    keep = (parsed["state"].to_numpy() == "ok") & ~bad_unit
    year_of = np.array([y if pd.notna(y) else default_year for y in years], dtype=object)[row_of]
    keep &= pd.notna(year_of)
    run.totals.append(
        pd.DataFrame(
            {
                "file": sheet.file,
                "sheet": sheet.name,
                "row": excel_rows[row_of[keep]],
                "column": np.array([c.letter for c, _ in indicator_cols], dtype=object)[
                    col_of[keep]
                ],
                "indicator": np.array([c.indicator for c, _ in indicator_cols], dtype=object)[
                    col_of[keep]
                ],
                "year": year_of[keep].astype("int64"),
                "value": value[keep],
                "raw": raw[keep].to_numpy(),
                "tolerance": [
                    0.5 * 10.0 ** -decimals_of(r) * f
                    for r, f in zip(raw[keep], header_factor[keep], strict=True)
                ],
            }
        )
    )
