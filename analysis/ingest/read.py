"""Reading raw files into sheets: grids of cells exactly where the clerk sees them.

- ``.csv``/``.txt`` in UTF-8, UTF-8 with BOM, GBK, GB18030 or UTF-16, comma- or tab-separated;
- workbooks (``.xlsx``/``.xlsm``, ``.xls``, ``.xlsb``, ``.ods``; WPS ``.et``) through
  python-calamine, every sheet, row 1 being Excel row 1.

Whether the contents are right is for the checkers; how cells are normalised is
:mod:`analysis.ingest.cells`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

#: Extensions read as spreadsheets / tables / layers.
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm"}
TABLE_SUFFIXES = {".csv", ".txt"}
LAYER_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}

#: Strict decodes are tried in this order; GBK is tried before GB18030 because it is the
#: narrower code page (GBK ⊂ GB18030), so "gbk" is reported whenever the bytes are GBK.
ENCODINGS = ("utf-8", "gbk", "gb18030")


class ReadError(Exception):
    """A file that cannot be read at all; ``rule`` says why (for the problem record)."""

    def __init__(self, rule: str, detail: str) -> None:
        super().__init__(detail)
        self.rule = rule
        self.detail = detail


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
        ``"utf-8"``, ``"gbk"`` or ``"gb18030"``: the first that decodes without error.

    Raises
    ------
    ReadError
        Rule ``unknown_encoding`` when none decodes.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    for encoding in ENCODINGS:
        try:
            data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return encoding
    raise ReadError("unknown_encoding", "not UTF-8, GBK or GB18030 text")


def read_csv_sheet(path: Path | str, display_name: str | None = None) -> Sheet:
    """Read a CSV (comma- or tab-separated) into a :class:`Sheet` of text cells.

    Parameters
    ----------
    path
        The file.
    display_name
        Name used in messages and sources (default: the file name).

    Raises
    ------
    ReadError
        ``empty_file`` for a file without bytes, ``unknown_encoding`` or ``unreadable_file``.
    """
    path = Path(path)
    name = display_name or path.name
    data = path.read_bytes()
    if not data.strip():
        raise ReadError("empty_file", "the file is empty")
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    first_lines = text[:4000].splitlines()[:5]
    delimiter = (
        "\t"
        if sum(x.count("\t") for x in first_lines) > sum(x.count(",") for x in first_lines)
        else ","
    )
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as exc:
        raise ReadError("unreadable_file", f"CSV structure broken: {exc}") from None
    return Sheet(name, "", _grid(rows), encoding=encoding)


def read_workbook(path: Path | str, display_name: str | None = None) -> list[Sheet]:
    """Read every sheet of an ``.xlsx`` workbook with python-calamine, keeping Excel positions.

    pandas' ``read_excel`` drops blank rows, which would shift every row number we report, so the
    grid comes straight from calamine with ``skip_empty_area=False`` (row 1 is Excel row 1).

    Raises
    ------
    ReadError
        ``empty_file`` or ``unreadable_file`` (a truncated download, a renamed ``.xls``, ...).
    """
    from python_calamine import CalamineWorkbook

    path = Path(path)
    name = display_name or path.name
    if path.stat().st_size == 0:
        raise ReadError("empty_file", "the file is empty")
    if not zipfile.is_zipfile(path):
        raise ReadError("unreadable_file", "not an .xlsx workbook (the zip container is broken)")
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheets = []
        for sheet_name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(sheet_name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            sheets.append(Sheet(name, sheet_name, _grid(rows), merged=merged))
    except Exception as exc:  # calamine raises its own types for every kind of broken file
        raise ReadError("unreadable_file", f"{type(exc).__name__}: {exc}") from None
    return sheets


def _grid(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Rows of unequal length → a rectangular object grid with ``""`` for empty cells."""
    width = max((len(r) for r in rows), default=0)
    padded = [list(r) + [""] * (width - len(r)) for r in rows]
    grid = pd.DataFrame(padded, dtype=object) if padded else pd.DataFrame(dtype=object)
    # A cell holding only spaces looks empty to the clerk, so it is empty here too.
    return grid.where(grid.notna(), "").replace(r"^\s+$", "", regex=True)
