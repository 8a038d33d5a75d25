"""Reading raw files into sheets: grids of cells exactly where the clerk sees them.

- ``.csv``/``.txt`` in UTF-8, UTF-8 with BOM, GBK, GB18030 or UTF-16, comma- or tab-separated.
  Each physical line is a row of the grid (so row numbers are the lines a text editor shows);
  the records are also counted by a strict pass independent of the parser
  (:mod:`analysis.ingest.records`), and records it finds broken (a quote never closed, more
  cells than the table is wide) are left blank in the grid and quarantined under their rule;
- workbooks (``.xlsx``/``.xlsm``, ``.xls``, ``.xlsb``, ``.ods``; WPS ``.et`` saved as ``.xls``)
  through python-calamine, by the extent of their data (:mod:`analysis.ingest.bounded`), every
  sheet, row 1 being Excel row 1.

Whether the contents are right is for the checkers; how cells are normalised is
:mod:`analysis.ingest.cells`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.sheets import README_SHEET
from analysis.ingest import formula_cells
from analysis.ingest.bounded import SheetError, SheetTooLarge, read_workbook_bounded
from analysis.ingest.cells import cell_text, column_letter
from analysis.ingest.extent import MAX_CELLS, BoundedSheet, SheetMarks
from analysis.ingest.records import count_records, sniff_delimiter
from analysis.ingest.rules import RULES, Effect

_NUMERIC = re.compile(r"^[+-]?[\d,，.]+%?$")

#: Extensions read as spreadsheets / tables / layers.
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et"}
TABLE_SUFFIXES = {".csv", ".txt"}
LAYER_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}
#: Spreadsheets a marked copy can be made of.
COPYABLE = WORKBOOK_SUFFIXES | TABLE_SUFFIXES

#: Largest file read, in bytes: refused before it is opened. A CSV at the sheet budget
#: (:data:`analysis.ingest.extent.MAX_CELLS`, five million cells) is about 50 MB; an .xlsx
#: that large holds more XML than a sheet may (100 MB).
MAX_FILE_BYTES = 100_000_000

#: The problem list a marked copy (:mod:`analysis.ingest.mark`) carries, never data.
PROBLEM_SHEET = "问题清单"
#: The sheets the blank template carries beside its data (its instructions, the list its village
#: dropdown draws from) and the names county forms give instructions: read as any sheet, but
#: never named as giving no data.
INSTRUCTIONS_SHEET = "填表说明"
LIST_SHEET = "村名列表"
AUXILIARY_SHEETS = frozenset(
    {INSTRUCTIONS_SHEET, LIST_SHEET, "填报说明", "说明", "使用说明", "注意事项"}
)
#: The sheets a marked copy carries before the clerk's own: 说明 (what the copy is) and the list.
MARKED_SHEETS = frozenset({PROBLEM_SHEET, README_SHEET})

#: Strict decodes are tried in this order; GBK is tried before GB18030 because it is the
#: narrower code page (GBK ⊂ GB18030), so "gbk" is reported whenever the bytes are GBK.
ENCODINGS = ("utf-8", "gbk", "gb18030")


class ReadError(Exception):
    """A file that cannot be read at all; ``rule`` says why (for the problem record), ``sheet``
    where, and ``fields`` fill the rule's message."""

    def __init__(self, rule: str, detail: str, sheet: str = "", **fields: object) -> None:
        super().__init__(detail)
        self.rule = rule
        self.detail = detail
        self.sheet = sheet
        self.fields = fields


@dataclass(frozen=True)
class Finding:
    """Something the reader saw in a file's structure, for the ledger: a note on the file
    (``row`` 0) or on rows ``row``–``end_row``; with ``quarantine`` those rows cannot be
    trusted (their cells are left blank in the grid, so no checker takes a value from them)."""

    rule: str
    row: int = 0
    end_row: int = 0
    column: str = ""
    value: object = ""
    quarantine: bool = False
    fields: dict[str, object] = field(default_factory=dict)


@dataclass
class Sheet:
    """One grid of cells as the clerk sees it: ``cells.iloc[i, j]`` is Excel row i+1, column j.

    Empty cells are ``""``; numbers typed as numbers are floats; everything else is text.
    """

    file: str
    name: str
    cells: pd.DataFrame
    encoding: str | None = None
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    #: 0-based (row, column) of number cells formatted as a percentage (0.821 shown as 82.1 %).
    percent_cells: set[tuple[int, int]] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    #: Rows as counted by a pass independent of the grid's parser (CSV: physical lines), or None.
    rows_counted: int | None = None

    @property
    def source(self) -> str:
        """``file#sheet`` (just ``file`` for a CSV), as written in the processed tables."""
        return f"{self.file}#{self.name}" if self.name else self.file


# --- reading -------------------------------------------------------------------------------------


def detect_encoding(data: bytes) -> str:
    """The text encoding of a CSV's bytes, by strict decoding in a fixed order.

    Parameters
    ----------
    data
        The file's bytes.

    Returns
    -------
    str
        ``"utf-8-sig"`` (UTF-8 with BOM), ``"utf-16"`` (BOM, Excel's "Unicode text"),
        ``"utf-8"``, ``"gbk"`` or ``"gb18030"``: the first that decodes without error. A UTF-8
        BOM in front of GBK bytes (an editor added it) is not taken at its word: the bytes after
        it are decoded like any others, and the caller sees the BOM is not "utf-8-sig".

    Raises
    ------
    ReadError
        Rule ``unknown_encoding`` when none decodes.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    bom = data.startswith(b"\xef\xbb\xbf")
    if bom:
        data = data[3:]
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return "utf-8-sig" if bom and encoding == "utf-8" else encoding
    raise ReadError("unknown_encoding", "not UTF-8, GBK or GB18030 text")


def read_csv_sheet(path: Path | str, display_name: str | None = None) -> Sheet:
    """Read a CSV (comma- or tab-separated) into a :class:`Sheet` of text cells, one grid row
    per physical line, its records counted and checked by a strict pass.

    Parameters
    ----------
    path
        The file.
    display_name
        Name used in messages and sources (default: the file name).

    Raises
    ------
    ReadError
        ``empty_file`` for a file without bytes, ``file_too_large``, ``sheet_too_large``,
        ``unknown_encoding`` or ``unreadable_file``.
    """
    path = Path(path)
    name = display_name or path.name
    _check_size(path)
    data = path.read_bytes()
    if not data.strip():
        raise ReadError("empty_file", "the file is empty")
    encoding = detect_encoding(data)
    findings = []
    if data.startswith(b"\xef\xbb\xbf") and encoding != "utf-8-sig":
        data = data[3:]
        findings.append(Finding("bom_mismatch", fields={"encoding": encoding.upper()}))
    text = data.decode(encoding)
    delimiter = sniff_delimiter(text)
    rows = _parse_lines(text, delimiter)
    count = count_records(data, encoding, delimiter=delimiter)
    header_width = _header_width(rows)
    if header_width > count.width:
        # The header is wider than most records (a last column mostly left empty): records
        # are measured against the header.
        count = count_records(data, encoding, delimiter=delimiter, width=header_width)
    if len(count.records) * count.width > MAX_CELLS:
        cells = len(count.records) * count.width
        raise ReadError(
            "sheet_too_large",
            f"{cells} cells > {MAX_CELLS}",
            what_zh=f"有 {len(count.records):,} 行 × {count.width:,} 列",
            what_en=f"has {len(count.records):,} rows × {count.width:,} columns",
            limit_zh=f"{MAX_CELLS:,} 个单元格",
            limit_en=f"{MAX_CELLS:,} cells",
        )
    lines = re.split(r"\r\n|\n|\r", text) if count.problems else []
    for problem in count.problems:
        letter = column_letter(problem.column) if problem.column is not None else ""
        record = count.records[problem.record]
        shown = lines[problem.line - 1]
        findings.append(
            Finding(
                problem.rule,
                problem.line,
                problem.end_line,
                letter,
                # The line as a text editor shows it, so the clerk recognises it.
                value=shown if len(shown) <= 60 else f"{shown[:60]}…",
                quarantine=RULES[problem.rule].quarantines is Effect.ROW,
                fields={
                    "end": problem.end_line,
                    "cells": record.used,
                    "width": count.width,
                    "lines": problem.end_line - problem.line + 1,
                },
            )
        )
    grid = _grid(rows, text=True)
    return Sheet(name, "", grid, encoding=encoding, findings=findings, rows_counted=count.lines)


def rows_readable(sheets: Iterable[Sheet]) -> bool:
    """Whether a file's rows are its records as written: not where a CSV's records are broken
    (a quote never closed), whose text file itself must be corrected."""
    return not any(RULES[f.rule].breaks_records for sheet in sheets for f in sheet.findings)


def without_quarantined(sheet: Sheet) -> Sheet:
    """The sheet as the checkers see it: the rows its findings quarantine left blank, so no
    value is taken from them (the sheet itself keeps them, for a marked copy)."""
    spans = [(f.row, f.end_row) for f in sheet.findings if f.quarantine and f.row]
    if not spans:
        return sheet
    cells = sheet.cells.copy()
    for first, last in spans:
        cells.iloc[first - 1 : last] = ""
    return dataclasses.replace(sheet, cells=cells)


def _header_width(rows: list[list[str]]) -> int:
    """Used cells of the likely header: of the first 30 rows, the one with the most cells of
    text that is not a number."""
    best = width = 0
    for row in rows[:30]:
        texts = sum(1 for cell in row if cell.strip() and not _NUMERIC.match(cell.strip()))
        if texts > best:
            best = texts
            width = max((j + 1 for j, cell in enumerate(row) if cell.strip()), default=0)
    return width


def _parse_lines(text: str, delimiter: str) -> list[list[str]]:
    """The parser's rows placed at the physical line each starts on (the lines a quoted cell
    runs over are left empty): the grid's rows are lines, as :mod:`csv` read them."""
    old_limit = csv.field_size_limit()
    # A quote never closed makes one cell of the rest of the file; the file is bounded by
    # MAX_FILE_BYTES, so its own length is a safe limit.
    csv.field_size_limit(max(old_limit, len(text) + 1))
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        placed: list[list[str]] = list(reader)
        if reader.line_num != len(placed):  # a quoted cell runs over lines: place each row
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
            placed = []
            for row in reader:
                placed.append(row)
                placed.extend([] for _ in range(reader.line_num - len(placed)))
    except csv.Error as exc:  # a NUL byte
        raise ReadError("unreadable_file", f"CSV structure broken: {exc}") from None
    finally:
        csv.field_size_limit(old_limit)
    return placed


def read_workbook(path: Path | str, display_name: str | None = None) -> list[Sheet]:
    """Read every sheet of a workbook by the extent of its data (:mod:`analysis.ingest.bounded`).

    pandas' ``read_excel`` drops blank rows, which would shift every row number we report, so the
    grid comes from calamine's rows (row 1 is Excel row 1), cut to the last non-blank cell: a
    stray space far away costs nothing. A sheet beyond the budget is an empty sheet with a
    ``sheet_too_large`` finding; the workbook's other sheets are still read.

    Raises
    ------
    ReadError
        ``empty_file``, ``file_too_large``, ``sheet_too_large`` (the workbook as a whole),
        ``unsupported_format`` (a WPS ``.et`` that cannot be read) or ``unreadable_file``.
    """
    path = Path(path)
    name = display_name or path.name
    _check_size(path)
    try:
        found = read_workbook_bounded(path)
    except SheetTooLarge as exc:
        raise ReadError("sheet_too_large", str(exc), **_too_large_fields(exc)) from None
    except SheetError as exc:
        if path.suffix.lower() == ".et":
            raise ReadError("unsupported_format", str(exc), value=".et") from None
        raise ReadError("unreadable_file", str(exc)) from None
    sheets = []
    for item in found:
        if isinstance(item, SheetTooLarge):
            finding = Finding("sheet_too_large", fields=_too_large_fields(item))
            sheets.append(Sheet(name, item.sheet, _grid([]), findings=[finding]))
            continue
        findings = []
        if item.farthest_blank:
            findings.append(
                Finding(
                    "stray_blank_cells",
                    value=item.farthest_blank,
                    fields={"count": item.blank_cells},
                )
            )
        sheets.append(
            Sheet(
                name,
                item.name,
                _grid(item.rows),
                merged=item.merged,
                percent_cells=item.percent,
                findings=findings,
                rows_counted=item.counted,
            )
        )
    marks = {item.name: item.marks for item in found if isinstance(item, BoundedSheet)}
    _with_formulas(sheets, marks)
    for sheet in sheets:
        if marks.get(sheet.name) is not None:
            sheet.findings.extend(_hidden(sheet, marks[sheet.name]))
    return sheets


def _with_formulas(sheets: list[Sheet], marks: dict[str, SheetMarks | None]) -> None:
    """The formula cells saved without a value (:mod:`analysis.ingest.formula_cells`): those
    computed are put in the grid, with one note for the sheet; each refused is a finding naming
    its cell. The grids are first read with them all blank, as calamine gives them."""
    formulas = {name: m.formulas for name, m in marks.items() if m is not None and m.formulas}
    if not formulas:
        return
    by_name = {sheet.name: sheet for sheet in sheets}
    formulas = {name: cells for name, cells in formulas.items() if name in by_name}
    done = formula_cells.compute({s.name: s.cells for s in sheets}, formulas)
    for name, cells in formulas.items():
        sheet = by_name[name]
        computed = sorted(
            ((row, col), done.values[(name, row, col)])
            for row, col in cells
            if (name, row, col) in done.values
        )
        if computed:
            height = max(sheet.cells.shape[0], max(r for (r, _), _ in computed) + 1)
            width = max(sheet.cells.shape[1], max(c for (_, c), _ in computed) + 1)
            grid = np.full((height, width), "", dtype=object)
            grid[: sheet.cells.shape[0], : sheet.cells.shape[1]] = sheet.cells.to_numpy(object)
            for (row, col), value in computed:
                grid[row, col] = value
            sheet.cells = pd.DataFrame(grid, dtype=object)
            shown_percent = marks[name].percent & {cell for cell, _ in computed}
            sheet.percent_cells = sheet.percent_cells | shown_percent
            (row, col), value = computed[0]
            text = formula_cells.formula_text(*cells[(row, col)], (row, col))
            sheet.findings.append(
                Finding(
                    "formula_computed",
                    row + 1,
                    column=column_letter(col),
                    value=f"={text}",
                    fields={"count": len(computed), "result": cell_text(round(value, 6))},
                )
            )
        for (row, col), refused in sorted(
            ((r, c), done.refused[(name, r, c)]) for r, c in cells if (name, r, c) in done.refused
        ):
            sheet.findings.append(
                Finding(
                    "formula_without_value",
                    row + 1,
                    column=column_letter(col),
                    value=f"={refused.formula}",
                    fields={"why_zh": refused.why_zh, "why_en": refused.why_en},
                )
            )


def _hidden(sheet: Sheet, marks: SheetMarks) -> list[Finding]:
    """A note for each hidden row and column that holds something (a hidden stale row is
    counted like any other: the clerk is told where it is)."""
    cells = sheet.cells
    if cells.empty or not (marks.hidden_rows or marks.hidden_columns):
        return []
    filled = (cells != "").to_numpy()
    rows = sorted(r for r in marks.hidden_rows if r < filled.shape[0] and filled[r].any())
    columns = sorted(c for c in marks.hidden_columns if c < filled.shape[1] and filled[:, c].any())
    found = [Finding("hidden_row", r + 1, value=_row_start(cells.iloc[r])) for r in rows]
    found += [
        Finding(
            "hidden_column",
            column=column_letter(c),
            value=_row_start(cells[c]),
            fields={"count": int(filled[:, c].sum())},
        )
        for c in columns
    ]
    return found


def _row_start(values: pd.Series) -> str:
    """The first few texts of a row or column, for the clerk to recognise it."""
    texts = [cell_text(v).strip() for v in values if cell_text(v).strip()]
    shown = "、".join(texts[:4])
    return shown if len(texts) <= 4 else f"{shown}…"


def _too_large_fields(exc: SheetTooLarge) -> dict[str, str]:
    """The message fields of ``sheet_too_large``: what was too large, and the limit."""
    if exc.what == "cells":
        return {
            "what_zh": f"有内容的单元格延伸到 {exc.last_cell}（{exc.rows:,} 行 × {exc.columns:,} 列）",
            "what_en": f"holds cells up to {exc.last_cell} ({exc.rows:,} rows × {exc.columns:,} columns)",
            "limit_zh": f"{int(exc.limit):,} 个单元格",
            "limit_en": f"{int(exc.limit):,} cells",
        }
    if exc.what == "bytes":
        return {
            "what_zh": "的数据量过大",
            "what_en": "holds too much data",
            "limit_zh": _bytes(exc.limit),
            "limit_en": _bytes(exc.limit),
        }
    if exc.what == "memory":
        return {
            "what_zh": "读取时所需内存过大（常因表格以外很远处有内容的单元格）",
            "what_en": "needs too much memory to read (often a cell far beyond the table)",
            "limit_zh": f"{exc.limit / 1e9:.1f} GB",
            "limit_en": f"{exc.limit / 1e9:.1f} GB",
        }
    return {
        "what_zh": "读取时间过长",
        "what_en": "takes too long to read",
        "limit_zh": f"{exc.limit:.0f} 秒",
        "limit_en": f"{exc.limit:.0f} s",
    }


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty_file", "the file is empty")
    if size > MAX_FILE_BYTES:
        raise ReadError(
            "file_too_large",
            f"{size} bytes > {MAX_FILE_BYTES}",
            size=_bytes(size),
            limit=_bytes(MAX_FILE_BYTES),
        )


def _bytes(size: float) -> str:
    """A size as people read it: ``50,000 B``, ``12.3 MB``."""
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{int(size):,} B"


def _grid(rows: Sequence[Sequence[object]], *, text: bool = False) -> pd.DataFrame:
    """Rows of unequal length → a rectangular object grid with ``""`` for empty cells.
    ``text``: every cell is a ``str`` (a CSV's), none missing."""
    if not rows:
        return pd.DataFrame(dtype=object)
    width = max(map(len, rows))
    padded = (r if len(r) == width else [*r, *[""] * (width - len(r))] for r in rows)
    cells = np.fromiter(chain.from_iterable(padded), dtype=object, count=len(rows) * width)
    if not text:
        missing = pd.isna(cells)
        if missing.any():
            cells[missing] = ""
    # A cell holding only spaces looks empty to the clerk, so it is empty here too: each cell
    # looked at once, in C where every cell is text (a province's sheet has millions of cells).
    if text:
        spaces = list(map(str.isspace, cells))
    else:
        spaces = [isinstance(v, str) and v.isspace() for v in cells]
    if True in spaces:
        cells[np.array(spaces, dtype=bool)] = ""
    return pd.DataFrame(cells.reshape(len(rows), width), dtype=object)
