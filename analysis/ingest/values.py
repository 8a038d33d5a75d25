"""From cells to accepted values: parse, convert to the catalog unit, check, keep.

Both shapes of village table end here: the wide form melts its indicator columns into cells,
the long form has one cell a row. Everything is done on whole arrays; messages are built only
for the cells that have a problem.

Rates and fractions: Excel stores a cell shown as ``82.1%`` as ``0.821``, and calamine returns
the stored number. So

- a rate column (or, in the long form, an indicator) whose figures are all at most 1 is read as
  fractions, ×100, with one warning for the column (``rate_as_fraction``);
- a single cell at most 1 among percentages, or any cell whose number format is a percentage,
  is read ×100 with a warning naming that cell (``rate_fraction_cell``);
- a cell typed ``0.86%`` says what it means and is never rescaled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from analysis.core.catalog import Catalog
from analysis.ingest.cells import (
    FIGURE,
    MISSING,
    TEXT,
    Figures,
    cell_text,
    column_letter,
    decimals_of,
    parse_figures,
    unit_factor,
)
from analysis.ingest.read import Sheet
from analysis.ingest.run import Run


@dataclass
class Cells:
    """Cells holding an indicator's figure, one entry each (arrays of equal length)."""

    raw: pd.Series  # as typed: float, int or text
    indicator: np.ndarray  # catalog id
    factor: np.ndarray  # unit factor from the header or unit column (1 when none written)
    row: np.ndarray  # Excel row
    col: np.ndarray  # 0-based column
    code: np.ndarray  # village code (accepted rows only)
    year: np.ndarray
    group: np.ndarray  # the column (wide) or indicator (long) a rate's scale is judged over

    @cached_property
    def indicator_codes(self) -> tuple[np.ndarray, np.ndarray]:
        """Each cell's indicator as a code into the distinct ones: factorized once, as the
        catalog is looked up for units, kinds, bounds and integers."""
        return pd.factorize(self.indicator)

    def per_indicator(self, value_of: Callable[[object], object], dtype: object) -> np.ndarray:
        """``value_of(indicator)`` for each cell, computed once per distinct indicator."""
        codes, distinct = self.indicator_codes
        return np.array([value_of(k) for k in distinct], dtype=dtype)[codes]


def per_cell(keys: np.ndarray, value_of: Callable[[object], object], dtype: object) -> np.ndarray:
    """``value_of(key)`` for each cell, computed once per distinct key (columns are few, cells
    many)."""
    codes, distinct = pd.factorize(keys)
    return np.array([value_of(k) for k in distinct], dtype=dtype)[codes]


def to_canonical(parsed: Figures, cells: Cells, catalog: Catalog) -> tuple[np.ndarray, np.ndarray]:
    """Numbers in canonical units, and a mask of cells whose own unit cannot be converted."""
    canonical = cells.per_indicator(lambda i: catalog[i].unit, object)
    cell_units = parsed.unit
    factor = cells.factor.astype(float).copy()
    has_unit = cell_units != ""
    bad_unit = np.zeros(len(cell_units), bool)
    if has_unit.any():
        # Each distinct (unit, canonical unit) pair converted once.
        unit_at, units = pd.factorize(cell_units[has_unit])
        canonical_at, canonicals = pd.factorize(canonical[has_unit])
        pair_at, pairs = pd.factorize(unit_at * len(canonicals) + canonical_at)
        factors = np.array(
            [
                unit_factor(units[p // len(canonicals)], canonicals[p % len(canonicals)])
                for p in pairs
            ],
            dtype=object,
        )
        cell_factor = factors[pair_at]
        bad_unit[np.flatnonzero(has_unit)] = pd.isna(cell_factor)
        factor[np.flatnonzero(has_unit)] = np.where(
            pd.isna(cell_factor), np.nan, cell_factor
        ).astype(float)
    return parsed.number * factor, bad_unit


def _scale_rates(
    sheet: Sheet,
    run: Run,
    cells: Cells,
    value: np.ndarray,
    ok: np.ndarray,
    percent_typed: np.ndarray,
    header_row: int,
    labels: dict[object, str],
) -> None:
    """Read fractions of rates as percentages (in place), with warnings; see the module."""
    is_rate = cells.per_indicator(lambda i: run.catalog[i].kind == "rate", bool)
    formatted = np.zeros(len(cells.row), bool)
    if sheet.percent_cells and len(cells.row):
        # Each (row, column) as one number, looked up among the marked cells' all at once.
        marked = np.array(list(sheet.percent_cells), dtype=np.int64).reshape(-1, 2)
        width = int(max(marked[:, 1].max(), cells.col.max())) + 1
        formatted[:] = np.isin(
            (cells.row.astype(np.int64) - 1) * width + cells.col,
            marked[:, 0] * width + marked[:, 1],
        )
    for group in pd.unique(cells.group[is_rate & ok]):
        members = (cells.group == group) & ok & is_rate
        figures = value[members]
        if figures.max() <= 1 and figures.max() > 0 and not percent_typed[members].any():
            value[members] *= 100
            ind = run.catalog[cells.indicator[members][0]]
            column = column_letter(int(cells.col[members][0])) if header_row else ""
            run.ledger.add(
                "rate_as_fraction",
                sheet.file,
                sheet.name,
                header_row,
                column,
                labels.get(group, ""),
                name=ind.zh,
                name_en=ind.en,
            )
            continue
        among_percent = figures.max() > 1
        for k in np.flatnonzero(members):
            small = 0 < value[k] <= 1 and not percent_typed[k]
            if not (formatted[k] and value[k] <= 1) and not (small and among_percent):
                continue
            ind = run.catalog[cells.indicator[k]]
            shown = cell_text(round(float(value[k]) * 100, 6))
            value[k] *= 100
            why = (
                ("单元格格式为百分比", "the cell is formatted as a percentage")
                if formatted[k]
                else ("本列其他数值是百分数", "the column's other figures are percentages")
            )
            run.ledger.add(
                "rate_fraction_cell",
                sheet.file,
                sheet.name,
                int(cells.row[k]),
                column_letter(int(cells.col[k])),
                cells.raw.iat[k],
                name=ind.zh,
                name_en=ind.en,
                shown=shown,
                why_zh=why[0],
                why_en=why[1],
            )


def check_values(
    sheet: Sheet, run: Run, cells: Cells, header_row: int, labels: dict[object, str]
) -> np.ndarray:
    """Parse, convert and check the cells; keep the good ones in ``run.values`` and record the
    rest. ``header_row`` (Excel row, 0 for none) and ``labels`` (group → header text) place the
    warning about a column of fractions. Returns False for each cell that was quarantined."""
    catalog, ledger = run.catalog, run.ledger
    file, name = sheet.file, sheet.name
    parsed = parse_figures(cells.raw.to_numpy(dtype=object))
    value, bad_unit = to_canonical(parsed, cells, catalog)
    state = parsed.state
    ok = (state == FIGURE) & ~bad_unit
    percent_typed = parsed.unit == "%"
    _scale_rates(sheet, run, cells, value, ok, percent_typed, header_row, labels)

    by_id = catalog.by_id
    lower = cells.per_indicator(lambda i: _bound(by_id[i].bounds[0], -np.inf), float)
    upper = cells.per_indicator(lambda i: _bound(by_id[i].bounds[1], np.inf), float)
    integer = cells.per_indicator(lambda i: by_id[i].integer, bool)
    with np.errstate(invalid="ignore"):
        negative = ok & (value < 0) & (lower >= 0)
        outside = ok & ~negative & ((value < lower - 1e-9) | (value > upper + 1e-9))
        fractional = ok & ~negative & ~outside & integer & (np.abs(value - np.round(value)) > 1e-6)
    rejected = (state == TEXT) | bad_unit | negative | outside | fractional
    for k in np.flatnonzero(rejected):
        ind = by_id[cells.indicator[k]]
        rule = (
            "not_a_number"
            if state[k] == TEXT
            else "unknown_unit"
            if bad_unit[k]
            else "negative_value"
            if negative[k]
            else "out_of_bounds"
            if outside[k]
            else "not_integer"
        )
        ledger.add(
            rule,
            file,
            name,
            int(cells.row[k]),
            column_letter(int(cells.col[k])),
            cells.raw.iat[k],
            name=ind.zh,
            name_en=ind.en,
            canonical=ind.unit,
            unit=parsed.unit[k],
            low=_show(ind.bounds[0]),
            high=_show(ind.bounds[1]),
        )
    accepted = ok & ~rejected
    ledger.count(file, name, "cells_read", int((state != MISSING).sum()))
    ledger.count(file, name, "cells_quarantined", int(rejected.sum()))
    kept = int(accepted.sum())
    indicator_at, indicators = cells.indicator_codes
    village_at, villages = pd.factorize(cells.code[accepted])
    column_at, columns = pd.factorize(cells.col[accepted])
    one = np.zeros(kept, np.intp)
    run.values.append(
        pd.DataFrame(
            {
                "village_code": _column(villages, village_at),
                "year": cells.year[accepted],
                "indicator": _column(np.asarray(indicators, dtype=object), indicator_at[accepted]),
                "value": np.where(integer[accepted], np.round(value[accepted]), value[accepted]),
                "source": _column(np.array([sheet.source], dtype=object), one),
                "row": cells.row[accepted].astype("int64"),
                "file": _column(np.array([file], dtype=object), one),
                "sheet": _column(np.array([name], dtype=object), one),
                "column": _column(np.array([column_letter(c) for c in columns], object), column_at),
            }
        )
    )
    return ~rejected


def _column(distinct: np.ndarray, codes: np.ndarray) -> object:
    """``distinct[codes]`` as a frame holds it, made from the distinct values: a frame given
    every cell's text copies each into its text column one by one (millions a province)."""
    if not len(codes):
        return distinct[codes]
    used = np.bincount(codes, minlength=len(distinct)) > 0
    if not used.all():  # the column's type is inferred from the values it holds
        codes, distinct = (np.cumsum(used) - 1)[codes], distinct[used]
    return pd.Series(distinct).array.take(codes)


def keep_totals(sheet: Sheet, run: Run, cells: Cells, towns: np.ndarray | None = None) -> None:
    """Keep a totals row's figures (canonical units, written precision) for the later check;
    ``towns`` holds each cell's town code where its row totals one town ("" for the sheet)."""
    parsed = parse_figures(cells.raw.to_numpy(dtype=object))
    value, bad_unit = to_canonical(parsed, cells, run.catalog)
    keep = (parsed.state == FIGURE) & ~bad_unit & pd.notna(cells.year)
    raw = cells.raw[keep]
    run.totals.append(
        pd.DataFrame(
            {
                "file": sheet.file,
                "sheet": sheet.name,
                "row": cells.row[keep],
                "column": per_cell(cells.col[keep], column_letter, object),
                "indicator": cells.indicator[keep],
                "year": cells.year[keep].astype("int64"),
                "town": towns[keep] if towns is not None else "",
                "value": value[keep],
                "raw": raw.to_numpy(),
                "tolerance": [
                    0.5 * 10.0 ** -decimals_of(r) * f
                    for r, f in zip(raw, cells.factor[keep], strict=True)
                ],
            }
        )
    )


def _bound(value: float | None, default: float) -> float:
    return default if value is None else float(value)


def _show(value: float | None) -> str:
    return "" if value is None else cell_text(float(value))
