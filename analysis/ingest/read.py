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
import pickle
import resource
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.ingest import xlsx
from analysis.ingest.cells import column_letter

#: Extensions read as spreadsheets / tables / layers.
WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".et"}
TABLE_SUFFIXES = {".csv", ".txt"}
LAYER_SUFFIXES = {".geojson", ".json", ".gpkg", ".shp"}
#: Workbooks read in this process, after a look at their XML (:mod:`analysis.ingest.xlsx`);
#: the others are read in a child process with capped memory (:mod:`analysis.ingest.isolated`).
_XML_WORKBOOKS = {".xlsx", ".xlsm"}

#: Largest file read, in bytes. Two million cells (the sheet limit) take ~20 MB as CSV and
#: ~15 MB as .xlsx; a larger file is refused before it is opened rather than risk the memory.
MAX_FILE_BYTES = 64 * 2**20
#: Largest sheet read, in cells (see :data:`analysis.ingest.xlsx.MAX_SHEET_CELLS`).
MAX_SHEET_CELLS = xlsx.MAX_SHEET_CELLS
#: Address space of the child reading an .xls/.xlsb/.ods/.et. calamine's grid of a full .xls
#: sheet (65,536 × 256 cells) needs ~1.1 GB and fits; an .ods sized by a far stray cell (tens
#: of GB) fails the child, and the file is refused.
CHILD_MEMORY_BYTES = 1536 * 2**20
#: Wall-clock limit of that child, in seconds: a full .xls sheet reads in ~5 s.
CHILD_SECONDS = 120
_ISOLATED = Path(__file__).with_name("isolated.py")

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
    """Something the reader saw in a file's structure, for the ledger: a file-level note
    (``row`` 0) or rows ``row``–``end_row`` that cannot be trusted and are quarantined (their
    cells are left blank in the grid, so no checker takes a value from them)."""

    rule: str
    row: int = 0
    end_row: int = 0
    column: str = ""
    value: object = ""
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
        ``empty_file`` for a file without bytes, ``file_too_large``, ``unknown_encoding`` or
        ``unreadable_file``.
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
    return Sheet(name, "", _grid(rows), encoding=encoding, findings=findings)


def read_workbook(path: Path | str, display_name: str | None = None) -> list[Sheet]:
    """Read every sheet of a workbook with python-calamine, keeping Excel positions.

    pandas' ``read_excel`` drops blank rows, which would shift every row number we report, so the
    grid comes straight from calamine (row 1 is Excel row 1). Each sheet is read by the extent
    of its non-blank cells, so a stray space far away costs nothing.

    Raises
    ------
    ReadError
        ``empty_file``, ``file_too_large``, ``sheet_too_large``, ``unsupported_format`` (a WPS
        ``.et`` calamine cannot read) or ``unreadable_file`` (a truncated download, a text file
        renamed ``.xlsx``, ...).
    """
    path = Path(path)
    name = display_name or path.name
    _check_size(path)
    suffix = path.suffix.lower()
    if suffix in _XML_WORKBOOKS and zipfile.is_zipfile(path):
        return _read_xml_workbook(path, name)
    if suffix in _XML_WORKBOOKS and not _is_ole2(path):
        raise ReadError("unreadable_file", "not an .xlsx workbook (the zip container is broken)")
    # An Excel 97-2003 book saved under .xlsx is read as what it is.
    return _read_isolated(path, name)


def _check_size(path: Path) -> None:
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty_file", "the file is empty")
    if size > MAX_FILE_BYTES:
        raise ReadError(
            "file_too_large",
            f"{size} bytes > {MAX_FILE_BYTES}",
            size=_mib(size),
            limit=_mib(MAX_FILE_BYTES),
        )


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MB"


def _is_ole2(path: Path) -> bool:
    """Whether the file is an OLE2 compound document (.xls, WPS .et)."""
    with path.open("rb") as stream:
        return stream.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _too_large(sheet: str, cells: int, corner: str = "") -> ReadError:
    return ReadError(
        "sheet_too_large",
        f"{cells} cells > {MAX_SHEET_CELLS}",
        sheet=sheet,
        count=f"{cells:,}",
        limit=f"{MAX_SHEET_CELLS:,}",
        extent_zh=f"（有内容的单元格延伸到 {corner}）" if corner else "",
        extent_en=f" (cells with content reach {corner})" if corner else "",
    )


def _read_xml_workbook(path: Path, name: str) -> list[Sheet]:
    """An .xlsx/.xlsm: look at each worksheet's XML, trim far blank cells, then calamine."""
    from python_calamine import CalamineWorkbook

    try:
        infos = xlsx.inspect(str(path), grid_limit=MAX_SHEET_CELLS)
    except xlsx.TooLarge as exc:
        if exc.what == "bytes":
            raise ReadError(
                "file_too_large",
                str(exc),
                sheet=exc.sheet,
                size=_mib(exc.found),
                limit=_mib(exc.limit),
            ) from None
        raise _too_large(exc.sheet, exc.found, exc.corner) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ReadError("unreadable_file", f"{type(exc).__name__}: {exc}") from None
    trimmed = any(info.trim_to for info in infos)
    percent = {info.name: info.percent_cells for info in infos}
    try:
        workbook = (
            CalamineWorkbook.from_filelike(xlsx.trimmed_copy(str(path), infos))
            if trimmed
            else CalamineWorkbook.from_path(str(path))
        )
        sheets = []
        for sheet_name in workbook.sheet_names:
            sheet = workbook.get_sheet_by_name(sheet_name)
            rows = sheet.to_python(skip_empty_area=False)
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            sheets.append(
                Sheet(
                    name,
                    sheet_name,
                    _grid(rows),
                    merged=merged,
                    percent_cells=percent.get(sheet_name, set()),
                )
            )
    except Exception as exc:  # calamine raises its own types for every kind of broken file
        raise ReadError("unreadable_file", f"{type(exc).__name__}: {exc}") from None
    return sheets


def _read_isolated(path: Path, name: str) -> list[Sheet]:
    """An .xls/.xlsb/.ods/.et, read by :mod:`analysis.ingest.isolated` in a capped child."""

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES))

    try:
        child = subprocess.run(
            [sys.executable, "-I", str(_ISOLATED), str(path), str(MAX_SHEET_CELLS)],
            capture_output=True,
            preexec_fn=cap,
            timeout=CHILD_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ReadError(
            "read_limit_exceeded",
            f"not read within {CHILD_SECONDS} s",
            limit=f"{CHILD_SECONDS} 秒 / s",
        ) from None
    message = child.stderr.decode("utf-8", "replace").strip()
    if child.returncode == 3:
        sheet, rows, cols = message.rsplit("\n", 1)[-1].split("\t")
        raise _too_large(sheet, int(rows) * int(cols), f"{column_letter(int(cols) - 1)}{rows}")
    if child.returncode == 2:
        detail = message.rsplit("\n", 1)[-1]
        if path.suffix.lower() == ".et":
            raise ReadError("unsupported_format", detail, value=".et")
        raise ReadError("unreadable_file", detail)
    if child.returncode != 0:
        # Killed by its memory or time limit (calamine aborts when an allocation fails).
        raise ReadError(
            "read_limit_exceeded",
            f"the reader stopped (exit {child.returncode})",
            limit=_mib(CHILD_MEMORY_BYTES),
        )
    return [
        Sheet(
            name,
            sheet_name,
            _grid(rows),
            merged=[(r0, c0, r1, c1) for (r0, c0), (r1, c1) in merged],
        )
        for sheet_name, rows, merged in pickle.loads(child.stdout)
    ]


def _grid(rows: Sequence[Sequence[object]]) -> pd.DataFrame:
    """Rows of unequal length → a rectangular object grid with ``""`` for empty cells."""
    width = max((len(r) for r in rows), default=0)
    padded = [list(r) + [""] * (width - len(r)) for r in rows]
    grid = pd.DataFrame(padded, dtype=object) if padded else pd.DataFrame(dtype=object)
    # A cell holding only spaces looks empty to the clerk, so it is empty here too.
    return grid.where(grid.notna(), "").replace(r"^\s+$", "", regex=True)
