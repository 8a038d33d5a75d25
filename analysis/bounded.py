"""Read the sheets of a workbook by the extent of their data, within a stated budget.

python-calamine materialises a sheet as a dense grid sized by the bounding box of every cell that
holds a value, blank text included, and gives no way to look first: one space typed in ``XFD5000``
costs 2.5 GB, in ``XFD1048576`` the process aborts (SIGABRT on a 512 GiB allocation, which no
``try`` can catch). For ``.ods`` and ``.xls`` it does so for every sheet as soon as the workbook is
opened. This module looks before calamine does:

``.xlsx`` / ``.xlsm``
    the sheet's XML is streamed once (zipfile + regular expressions) for the extent calamine
    would allocate, the extent of the data (cells that are not empty or only spaces), the blank
    cells beyond it and the numeric cells whose number format shows a percentage. When calamine's
    extent fits the budget calamine reads the file as it is; when only the data fits, it reads a
    copy made in memory without the blank cells; otherwise :class:`SheetTooLarge`.
``.ods``
    the same from ``content.xml`` for every table (repeats counted, never expanded); merged ranges
    and ``percentage`` cells come from the XML, since calamine reports neither for ``.ods``.
``.xls`` (and a WPS ``.et`` saved as BIFF8), ``.xlsb``
    no look inside without a BIFF parser, so calamine reads the workbook in a child process with
    a memory limit (a BIFF8 sheet is at most 65,536 × 256 cells, ~0.5 GB in calamine); rows are
    kept only to the data, and a child that dies is a :class:`SheetTooLarge`, never the caller's
    death.

Rows come back as calamine gives them (``rows[i][j]`` is Excel row i+1, column j+1; empty cells
``""``), cut to the data's extent. Only the standard library and python-calamine are used.
"""

from __future__ import annotations

import html
import io
import os
import pickle
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

__all__ = [
    "CHILD_MEMORY_BYTES",
    "MAX_CELLS",
    "MAX_PART_BYTES",
    "BoundedSheet",
    "SheetError",
    "SheetTooLarge",
    "read_sheet_bounded",
    "read_workbook_bounded",
    "sheet_names",
]

#: Data cells (rows × columns, from A1 to the last non-blank cell) read at most per sheet. A
#: county of 17,000 villages × 40 indicators in one sheet is 680,000; calamine holds 32 bytes a
#: cell and Python ~8 more.
MAX_CELLS = 5_000_000
#: Uncompressed bytes of one sheet's XML (an ODS's whole content.xml) read at most. ~60 bytes a
#: cell: 100 MB is about 1.6 million cells written.
MAX_PART_BYTES = 100_000_000
#: Address space of the child process that reads ``.xls``/``.xlsb`` workbooks.
CHILD_MEMORY_BYTES = 3_000_000_000

_CHUNK = 1 << 20
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class SheetError(Exception):
    """A workbook or sheet that cannot be read; ``rule`` names why, for the problem record."""

    rule = "unreadable_file"


class SheetTooLarge(SheetError):
    """Beyond the budget (cells, bytes or memory); nothing big was materialised."""

    rule = "sheet_too_large"

    def __init__(
        self, message: str, *, rows: int = 0, columns: int = 0, last_cell: str | None = None
    ) -> None:
        super().__init__(message)
        self.rows, self.columns, self.last_cell = rows, columns, last_cell


@dataclass
class BoundedSheet:
    """One sheet, cut to its data."""

    name: str
    format: str  # "xlsx", "ods", "xls", "xlsb"
    rows: list[list[object]]
    #: (first_row, first_col, last_row, last_col), 0-based inclusive
    merged: list[tuple[int, int, int, int]]
    #: (row, col) of numeric cells shown as percentages (xlsx number format, ods value type;
    #: always empty for xls/xlsb, whose formats calamine does not expose)
    percent: set[tuple[int, int]] = field(default_factory=set)
    #: cells holding only spaces (or empty text): read as blank
    blank_cells: int = 0
    #: the farthest of them when it lies beyond the data, e.g. "XFD1048576" (for a warning a
    #: clerk can act on: "delete the content of XFD1048576")
    farthest_blank: str | None = None
    #: how calamine was used: "direct", "trimmed" (a copy without blank cells), "child"
    route: str = "direct"

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


# --- entry points ---------------------------------------------------------------------------------


def sheet_names(path: Path | str) -> list[str]:
    """The sheet names in workbook order, without reading any sheet."""
    path = Path(path)
    kind = _kind(path)
    try:
        if kind == "xlsx":
            with zipfile.ZipFile(path) as z:
                return [name for name, _ in _xlsx_sheets(z)]
        if kind == "ods":
            with zipfile.ZipFile(path) as z, z.open("content.xml") as f:
                return [
                    el.get(f"{_T}name", "")
                    for _, el in ET.iterparse(f, events=("start",))
                    if el.tag == f"{_T}table"
                ]
    except SheetError:
        raise
    except Exception as exc:
        raise SheetError(f"{type(exc).__name__}: {exc}") from None
    return [s.name for s in _read_child(path, kind, None, MAX_CELLS, names_only=True)]


def read_workbook_bounded(
    path: Path | str,
    max_cells: int = MAX_CELLS,
    *,
    max_part_bytes: int = MAX_PART_BYTES,
    child_memory: int = CHILD_MEMORY_BYTES,
) -> list[BoundedSheet | SheetTooLarge]:
    """Every sheet of a workbook, each cut to its data; a sheet beyond the budget is returned as
    its :class:`SheetTooLarge` (the other sheets are still read).

    Raises
    ------
    SheetTooLarge
        The workbook as a whole cannot be read within the budget (an ``.ods`` content.xml over
        ``max_part_bytes``, an ``.xls`` whose reader ran out of ``child_memory``).
    SheetError
        The file is empty, not a workbook, or broken.
    """
    path = Path(path)
    kind = _kind(path)
    if kind == "xlsx":
        out: list[BoundedSheet | SheetTooLarge] = []
        for name in sheet_names(path):
            try:
                out.append(_read_xlsx(path, name, max_cells, max_part_bytes))
            except SheetTooLarge as exc:
                out.append(exc)
        return out
    if kind == "ods":
        return _read_ods(path, None, max_cells, max_part_bytes)
    return _read_child(path, kind, None, max_cells, memory=child_memory)


def read_sheet_bounded(
    path: Path | str,
    sheet: str | int,
    max_cells: int = MAX_CELLS,
    *,
    max_part_bytes: int = MAX_PART_BYTES,
    child_memory: int = CHILD_MEMORY_BYTES,
) -> BoundedSheet:
    """Read one sheet without ever holding more than its data, and without ever aborting.

    Parameters
    ----------
    path
        An ``.xlsx``/``.xlsm``, ``.ods``, ``.xls`` (or BIFF8 ``.et``) or ``.xlsb`` workbook; the
        format is told from the bytes, not the name.
    sheet
        Sheet name, or 0-based index.
    max_cells
        Budget for the data's extent: rows × columns counted from A1.
    max_part_bytes
        Budget for the uncompressed XML (xlsx: the sheet; ods: content.xml).
    child_memory
        Address-space limit of the child process reading ``.xls``/``.xlsb``.

    Raises
    ------
    SheetTooLarge
        Beyond a budget; the message names the extent and the last cell.
    SheetError
        The file is empty, not a workbook, broken, or has no such sheet.
    """
    path = Path(path)
    kind = _kind(path)
    if kind in ("xls", "xlsb"):  # one child reads the workbook (calamine opens it whole)
        only = sheet if isinstance(sheet, str) else None
        results = _read_child(path, kind, only, max_cells, memory=child_memory)
        if isinstance(sheet, int):
            results = results[sheet : sheet + 1] if 0 <= sheet < len(results) else []
        if not results:
            raise SheetError(f"no sheet {sheet!r} in the workbook")
        if isinstance(results[0], SheetTooLarge):
            raise results[0]
        return results[0]
    names = sheet_names(path)
    if isinstance(sheet, int):
        if not 0 <= sheet < len(names):
            raise SheetError(f"no sheet number {sheet}; the workbook has {len(names)}")
        name = names[sheet]
    elif sheet in names:
        name = sheet
    else:
        raise SheetError(f"no sheet named {sheet!r}; the workbook has {names}")
    if kind == "xlsx":
        return _read_xlsx(path, name, max_cells, max_part_bytes)
    (result,) = _read_ods(path, name, max_cells, max_part_bytes)
    if isinstance(result, SheetTooLarge):
        raise result
    return result


# --- shared ---------------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """0 → ``A``, 16383 → ``XFD``."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _kind(path: Path) -> str:
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except OSError as exc:
        raise SheetError(f"cannot open the file ({exc.strerror})") from None
    if not head:
        raise SheetError("the file is empty")
    if head.startswith(_OLE):
        return "xls"
    if not head.startswith(b"PK"):
        raise SheetError("not a workbook (neither a zip container nor an OLE2 file)")
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except zipfile.BadZipFile as exc:
        raise SheetError(f"the zip container is broken ({exc})") from None
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "xl/workbook.bin" in names:
        return "xlsb"
    if "content.xml" in names:
        return "ods"
    raise SheetError("a zip file, but not an xlsx, xlsb or ods workbook")


@dataclass
class _Extent:
    """What a scan of one sheet's cells found (0-based; -1 = nothing)."""

    lo_row: int = 1 << 40
    lo_col: int = 1 << 40
    hi_row: int = -1  # cells holding a value, blank or not: what calamine allocates
    hi_col: int = -1
    data_row: int = -1  # cells that are not blank
    data_col: int = -1
    blank_count: int = 0  # cells holding only spaces (or empty text)
    blank_far: tuple[int, int] | None = None  # the farthest of them (row, col)

    def valued(self, row: int, col: int, last_row: int | None = None, last_col: int | None = None):
        self.lo_row, self.lo_col = min(self.lo_row, row), min(self.lo_col, col)
        self.hi_row = max(self.hi_row, row if last_row is None else last_row)
        self.hi_col = max(self.hi_col, col if last_col is None else last_col)

    def data(self, row: int, col: int) -> None:
        self.data_row, self.data_col = max(self.data_row, row), max(self.data_col, col)

    def blank(self, row: int, col: int, count: int = 1) -> None:
        self.blank_count += count
        if self.blank_far is None or (row, col) > self.blank_far:
            self.blank_far = (row, col)

    @property
    def calamine_cells(self) -> int:
        if self.hi_row < 0:
            return 0
        return (self.hi_row - self.lo_row + 1) * (self.hi_col - self.lo_col + 1)

    @property
    def data_cells(self) -> int:
        return (self.data_row + 1) * (self.data_col + 1)


def _too_large(extent: _Extent, max_cells: int, name: str) -> SheetTooLarge | None:
    if extent.data_cells <= max_cells:
        return None
    last = f"{column_letter(extent.data_col)}{extent.data_row + 1}"
    return SheetTooLarge(
        f"sheet {name!r} holds data up to {last}: {extent.data_row + 1:,} rows × "
        f"{extent.data_col + 1:,} columns = {extent.data_cells:,} cells, more than the "
        f"{max_cells:,} read",
        rows=extent.data_row + 1,
        columns=extent.data_col + 1,
        last_cell=last,
    )


def _direct(extent: _Extent, max_cells: int) -> bool:
    """Let calamine read the file as it is? Only when what it allocates fits the budget and is
    not mostly blank cells beyond the data (a column of spaces to row 1,048,576)."""
    if extent.calamine_cells > max_cells:
        return False
    return extent.blank_far is None or extent.calamine_cells <= 2 * extent.data_cells + 100_000


def _is_blank(value: object) -> bool:
    return value == "" or value is None or (isinstance(value, str) and not value.strip())


def _data_extent(rows: list[list[object]]) -> tuple[int, int]:
    """(height, width) up to the last cell that is not blank."""
    height = width = 0
    for i, row in enumerate(rows):
        for j in range(len(row) - 1, -1, -1):
            if not _is_blank(row[j]):
                height, width = i + 1, max(width, j + 1)
                break
    return height, width


def _cut(rows: list[list[object]], height: int, width: int) -> list[list[object]]:
    """Rows cut (or padded with "") to exactly ``height`` × ``width``."""
    out = []
    for i in range(height):
        row = list(rows[i][:width]) if i < len(rows) else []
        out.append(row + [""] * (width - len(row)))
    return out


def _merged(ranges) -> list[tuple[int, int, int, int]]:
    return sorted((r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges or [])


def _calamine_sheets(source, names: list[str]) -> dict[str, tuple[list[list[object]], list]]:
    """Rows and merged ranges of sheets whose extent is known to fit."""
    from python_calamine import CalamineWorkbook

    try:
        with CalamineWorkbook.from_object(source) as wb:
            out = {}
            for name in names:
                sh = wb.get_sheet_by_name(name)
                out[name] = (sh.to_python(skip_empty_area=False), _merged(sh.merged_cell_ranges))
            return out
    except Exception as exc:
        raise SheetError(f"{type(exc).__name__}: {exc}") from None


def _sheet(name, kind, rows, merged, percent, extent: _Extent, route) -> BoundedSheet:
    height, width = _data_extent(rows)
    far = extent.blank_far
    beyond = far is not None and (far[0] >= height or far[1] >= width)
    return BoundedSheet(
        name,
        kind,
        _cut(rows, height, width),
        merged,
        {(r, c) for r, c in percent if r < height and c < width},
        extent.blank_count,
        f"{column_letter(far[1])}{far[0] + 1}" if beyond else None,
        route,
    )


# --- xlsx -----------------------------------------------------------------------------------------

_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PERCENT_BUILTIN = {9, 10}
_PREFIX = re.compile(rb"<\w+:")

# The exact scan: every row and cell, prefixes and missing references allowed.
_TOKEN = re.compile(
    rb"<(?:\w+:)?row\b([^>]*?)(/?)>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S
)
_ATTR = re.compile(rb'(\w+)="([^"]*)"')
_TAG = re.compile(rb"<((?:\w+:)?c)\b")
_REF = re.compile(rb"([A-Z]+)(\d+)")
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>|<(?:\w+:)?v/>", re.S)
_TEXT = re.compile(rb"<(?:\w+:)?t(?:\s[^>]*)?>(.*?)</(?:\w+:)?t>", re.S)
_PHONETIC = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)

# The fast scan, for sheets written the usual way (<c r="A1" …>, no prefixes): C-speed passes.
_WS = rb"(?:\s|&#(?:32|x20|9|x9|10|xA|xa|13|xD|xd|160|xA0|xa0|12288|x3000);|\xe3\x80\x80|\xc2\xa0)*"
_CELL_REF = re.compile(rb'<c r="([A-Z]+)(\d+)"')
_NO_VALUE = re.compile(rb'<c r="[A-Z]+\d+"[^>]*/>|<c r="[A-Z]+\d+"[^>]*>\s*</c>')
#: A cell holding only spaces, written inline, as a formula's text or as an empty value; the
#: shared-string alternative is added per workbook (:func:`_blank_cell_pattern`).
_BLANK_ALTERNATIVES = [
    rb'[^>]*?\bt="inlineStr"[^>]*><is>(?:<t(?:\s[^>]*)?>' + _WS + rb"</t>|<t/>)?</is></c>",
    rb'(?![^>]*\bt="(?:s|inlineStr)")[^>]*>(?:<f[^>]*>[^<]*</f>|<f[^>]*/>)?'
    rb"(?:<v>" + _WS + rb"</v>|<v/>)</c>",
]
_EMPTY_ROW = re.compile(rb"<((?:\w+:)?)row\b[^>]*>\s*</\1row>")


def _xlsx_sheets(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(name, zip member) of every sheet, in workbook order."""
    workbook = ET.fromstring(z.read("xl/workbook.xml"))
    rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = []
    for el in workbook.iter():
        if el.tag.endswith("}sheet"):
            target = targets.get(el.get(_NS_REL), "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            out.append((el.get("name", ""), part))
    return out


def _blank_strings(z: zipfile.ZipFile) -> bytearray:
    """Per shared string: 1 when it is empty or only spaces (phonetic runs ignored)."""
    flags = bytearray()
    if "xl/sharedStrings.xml" not in z.namelist():
        return flags
    with z.open("xl/sharedStrings.xml") as f:
        for _, el in ET.iterparse(f, events=("end",)):
            if el.tag.endswith("}si"):
                for ph in [c for c in el if c.tag.endswith("}rPh")]:
                    el.remove(ph)
                flags.append(0 if "".join(el.itertext()).strip() else 1)
                el.clear()
    return flags


def _percent_styles(z: zipfile.ZipFile) -> set[int]:
    """Indexes into cellXfs whose number format shows a percentage."""
    if "xl/styles.xml" not in z.namelist():
        return set()
    root = ET.fromstring(z.read("xl/styles.xml"))
    custom = {
        int(el.get("numFmtId", "-1")): el.get("formatCode", "")
        for el in root.iter()
        if el.tag.endswith("}numFmt")
    }
    xfs = next((el for el in root.iter() if el.tag.endswith("}cellXfs")), None)
    return {
        i
        for i, xf in enumerate(xfs if xfs is not None else [])
        if int(xf.get("numFmtId", "0")) in _PERCENT_BUILTIN
        or shows_percent(custom.get(int(xf.get("numFmtId", "0")), ""))
    }


def shows_percent(code: str) -> bool:
    """True when an Excel number format multiplies by 100: a ``%`` that is not inside quotes,
    escaped (``\\%``) or in brackets. ``0.0%`` → True, ``0.0"%"`` → False."""
    return "%" in re.sub(r'"[^"]*"|\\.|\[[^\]]*\]', "", code)


def _last_row_start(buffer: bytes) -> int | None:
    """Offset of the last ``<row`` (or ``<x:row``) start tag in ``buffer``."""
    i = len(buffer)
    while (i := buffer.rfind(b"row", 0, i)) > 0:
        if buffer[i + 3 : i + 4] in (b" ", b">", b"/", b"\t", b"\n", b"\r"):
            if buffer[i - 1 : i] == b"<":
                return i - 1
            if buffer[i - 1 : i] == b":":
                k = buffer.rfind(b"<", 0, i)
                if k >= 0 and _PREFIX.fullmatch(buffer, k, i):
                    return k
    return None


def _xlsx_chunks(z: zipfile.ZipFile, part: str, max_part_bytes: int, name: str) -> Iterator[bytes]:
    """The sheet XML in pieces that end where a row starts, so no row is ever cut."""
    info = z.getinfo(part)
    if info.file_size > max_part_bytes:
        raise SheetTooLarge(
            f"sheet {name!r} is {info.file_size:,} bytes of XML, more than the "
            f"{max_part_bytes:,} read"
        )
    carry, total = b"", 0
    with z.open(part) as f:
        while chunk := f.read(_CHUNK):
            total += len(chunk)
            if total > max_part_bytes:  # the zip's stated size was wrong
                raise SheetTooLarge(f"sheet {name!r} holds more than {max_part_bytes:,} bytes")
            buffer = carry + chunk
            cut = _last_row_start(buffer)
            if not cut:
                carry = buffer
                continue
            yield buffer[:cut]
            carry = buffer[cut:]
    if carry:
        yield carry


class _NotPlain(Exception):
    """The sheet is not written the usual way: use the exact scan."""


def _blank_cell_pattern(strings: bytearray) -> tuple[re.Pattern[bytes], re.Pattern[bytes]]:
    """A ``<c r="…">`` cell that holds only spaces (groups: column, row), and a cheap pattern
    that finds nothing in a piece without such cells."""
    blank_ids = [str(i).encode() for i, flag in enumerate(strings) if flag]
    if len(blank_ids) > 200:
        raise _NotPlain
    alternatives = list(_BLANK_ALTERNATIVES)
    hints = rb">" + _WS + rb"</(?:t|v)>|<(?:t|v)/>"
    if blank_ids:
        ids = b"|".join(blank_ids)
        alternatives.append(rb'[^>]*?\bt="s"[^>]*><v>\s*(?:' + ids + rb")\s*</v></c>")
        hints += rb'|t="s"[^>]*><v>\s*(?:' + ids + rb")\s*</v>"
    cell = re.compile(rb'<c r="([A-Z]+)(\d+)"(?:' + b"|".join(alternatives) + rb")")
    return cell, re.compile(hints)


def _refs_extent(refs: list[tuple[bytes, bytes]]) -> tuple[int, int, int, int] | None:
    """(min row, min col, max row, max col) of cell references, 0-based."""
    if not refs:
        return None
    rows = [int(r) for r in set(map(itemgetter(1), refs))]
    cols = [_column_index(c) for c in set(map(itemgetter(0), refs))]
    return min(rows) - 1, min(cols), max(rows) - 1, max(cols)


def _scan_plain(
    z: zipfile.ZipFile, part: str, max_part_bytes: int, name: str, strings, percent_styles
) -> tuple[_Extent, set[tuple[int, int]]]:
    blank_cell, blank_hint = _blank_cell_pattern(strings)
    percent_cell = (
        re.compile(
            rb'<c r="([A-Z]+)(\d+)" s="(?:'
            + b"|".join(str(i).encode() for i in sorted(percent_styles))
            + rb')"(?: t="n")?><v>'
        )
        if percent_styles
        else None
    )
    extent, percent = _Extent(), set()
    for piece in _xlsx_chunks(z, part, max_part_bytes, name):
        if (
            piece.count(b"<c ") + piece.count(b"<c>") != piece.count(b'<c r="')
            or b":c " in piece
            or b":row" in piece
        ):
            raise _NotPlain
        valued = _NO_VALUE.sub(b"", piece) if b"/>" in piece or b"></c>" in piece else piece
        box = _refs_extent(_CELL_REF.findall(valued))
        if box:
            extent.valued(*box)
        blanks = blank_cell.findall(valued) if blank_hint.search(valued) else []
        if blanks:
            last = max(int(r) for r in set(map(itemgetter(1), blanks)))
            col = max((c for c, r in blanks if int(r) == last), key=lambda c: (len(c), c))
            extent.blank(last - 1, _column_index(col), len(blanks))
            data = blank_cell.sub(b"", valued)
            box = _refs_extent(_CELL_REF.findall(data))
        else:
            data = valued
        if box:
            extent.data(box[2], box[3])
        if percent_cell:
            percent |= {(int(r) - 1, _column_index(c)) for c, r in percent_cell.findall(data)}
    return extent, percent


def _scan_exact(
    z: zipfile.ZipFile, part: str, max_part_bytes: int, name: str, strings, percent_styles
) -> tuple[_Extent, set[tuple[int, int]]]:
    """Every row and cell looked at in Python: slower, for sheets written unusually."""
    extent, percent = _Extent(), set()
    row, col = -1, -1
    for piece in _xlsx_chunks(z, part, max_part_bytes, name):
        for m in _TOKEN.finditer(piece):
            if m.group(1) is not None:  # <row …>
                r = dict(_ATTR.findall(m.group(1))).get(b"r")
                row, col = (int(r) - 1 if r else row + 1), -1
                continue
            attrs = dict(_ATTR.findall(m.group(3)))
            found = _REF.fullmatch(attrs.get(b"r", b""))
            if found:
                col, row = _column_index(found.group(1)), int(found.group(2)) - 1
            else:
                col += 1
            blank = _cell_is_blank(attrs, m.group(4), strings)
            if blank is None:
                continue  # no value: calamine does not see the cell
            extent.valued(row, col)
            if blank:
                extent.blank(row, col)
                continue
            extent.data(row, col)
            style = attrs.get(b"s")
            if attrs.get(b"t", b"n") == b"n" and style and int(style) in percent_styles:
                percent.add((row, col))
    return extent, percent


def _cell_is_blank(attrs: dict[bytes, bytes], body: bytes | None, strings) -> bool | None:
    """True (only spaces), False (a value), None (no value at all)."""
    if not body:
        return None
    kind = attrs.get(b"t", b"n")
    if kind == b"inlineStr":
        if b"is>" not in body:
            return None
        raw = b"".join(_TEXT.findall(_PHONETIC.sub(b"", body)))
        return not html.unescape(raw.decode("utf-8", "replace")).strip()
    v = _VALUE.search(body)
    if v is None:
        return None
    raw = v.group(1) or b""
    if kind == b"s":
        index = int(raw) if raw.strip().isdigit() else -1
        return 0 <= index < len(strings) and strings[index] == 1
    return not html.unescape(raw.decode("utf-8", "replace")).strip()


def _xlsx_without_blanks(
    path: Path, part: str, strings: bytearray, max_part_bytes: int, plain: bool
) -> bytes:
    """A copy of the workbook whose sheet ``part`` keeps only the cells that are not blank."""
    blank_cell = _blank_cell_pattern(strings)[0] if plain else None

    def keep(m: re.Match[bytes]) -> bytes:
        if m.group(1) is not None:
            return m.group(0)
        attrs = dict(_ATTR.findall(m.group(3)))
        if _cell_is_blank(attrs, m.group(4), strings) is not True:
            return m.group(0)
        if b"r" in attrs:
            return b""
        # A cell placed by its order in the row: leave an empty one, so the next keep their place.
        return b"<" + _TAG.match(m.group(0)).group(1) + b"/>"

    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != part:
                dst.writestr(item, src.read(item))
                continue
            info = zipfile.ZipInfo(part, item.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(info, "w", force_zip64=True) as f:
                for piece in _xlsx_chunks(src, part, max_part_bytes, part):
                    if blank_cell is not None:
                        piece = blank_cell.sub(b"", _NO_VALUE.sub(b"", piece))
                    else:
                        piece = _TOKEN.sub(keep, piece)
                    f.write(_EMPTY_ROW.sub(b"", piece))
    return out.getvalue()


def _read_xlsx(path: Path, name: str, max_cells: int, max_part_bytes: int) -> BoundedSheet:
    try:
        with zipfile.ZipFile(path) as z:
            parts = dict(_xlsx_sheets(z))
            if name not in parts:
                raise SheetError(f"no sheet named {name!r}")
            part = parts[name]
            strings, percent_styles = _blank_strings(z), _percent_styles(z)
            plain = True
            try:
                extent, percent = _scan_plain(
                    z, part, max_part_bytes, name, strings, percent_styles
                )
            except _NotPlain:
                plain = False
            if not plain or (extent.data_cells > max_cells and extent.calamine_cells > max_cells):
                # Written unusually, or blanks spelled in ways the fast scan takes for data.
                extent, percent = _scan_exact(
                    z, part, max_part_bytes, name, strings, percent_styles
                )
                plain = False
        too_large = _too_large(extent, max_cells, name)
        if too_large:
            raise too_large
        if _direct(extent, max_cells):
            source, route = str(path), "direct"
        else:
            source = io.BytesIO(_xlsx_without_blanks(path, part, strings, max_part_bytes, plain))
            route = "trimmed"
        rows, merged = _calamine_sheets(source, [name])[name]
    except SheetError:
        raise
    except Exception as exc:  # a broken zip member, bad XML, …
        raise SheetError(f"{type(exc).__name__}: {exc}") from None
    return _sheet(name, "xlsx", rows, merged, percent, extent, route)


# --- ods ------------------------------------------------------------------------------------------

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CELLS = (f"{_T}table-cell", f"{_T}covered-table-cell")


@dataclass
class _OdsTable:
    name: str
    extent: _Extent = field(default_factory=_Extent)
    percent: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    row: int = 0


def _ods_cell(cell: ET.Element) -> tuple[bool, bool, bool]:
    """(holds a value for calamine, is blank, is a percentage). calamine takes a cell's value
    only from its ``office:value-type``; text without one is not read."""
    kind = cell.get(f"{_O}value-type")
    if kind is None:
        return False, True, False
    if kind == "string":
        return True, not "".join(cell.itertext()).strip(), False
    return True, False, kind == "percentage"


def _ods_row(table: _OdsTable, tr: ET.Element, empty_blanks: bool) -> None:
    """Account one ``table:table-row`` (with its repeats); with ``empty_blanks`` the blank
    valued cells are emptied, and the cells after the last value removed, in place."""
    repeat_rows = int(tr.get(f"{_T}number-rows-repeated", "1"))
    extent, row, col, last_data = table.extent, table.row, 0, -1
    cells = [c for c in tr if c.tag in _CELLS]
    for index, cell in enumerate(cells):
        repeat = int(cell.get(f"{_T}number-columns-repeated", "1"))
        spans = (
            int(cell.get(f"{_T}number-rows-spanned", "1")),
            int(cell.get(f"{_T}number-columns-spanned", "1")),
        )
        if spans != (1, 1):
            table.merged.append((row, col, row + spans[0] - 1, col + spans[1] - 1))
        valued, blank, is_percent = _ods_cell(cell)
        if valued:
            last_row, last_col = row + repeat_rows - 1, col + repeat - 1
            extent.valued(row, col, last_row, last_col)
            if blank:
                extent.blank(last_row, last_col, repeat_rows * repeat)
                if empty_blanks:
                    for key in [k for k in cell.attrib if not k.startswith(_T)]:
                        del cell.attrib[key]
                    for child in list(cell):
                        cell.remove(child)
            else:
                extent.data(last_row, last_col)
                last_data = index
                if is_percent:
                    table.percent |= {
                        (r, c)
                        for r in range(row, min(last_row, row + 999) + 1)
                        for c in range(col, min(last_col, col + 999) + 1)
                    }
        col += repeat
    if empty_blanks:
        for cell in cells[last_data + 1 :]:
            tr.remove(cell)
    table.row += repeat_rows


def _scan_ods_stream(stream) -> list[_OdsTable]:
    tables: list[_OdsTable] = []
    for event, el in ET.iterparse(stream, events=("start", "end")):
        if el.tag == f"{_T}table":
            if event == "start":
                tables.append(_OdsTable(el.get(f"{_T}name", "")))
            else:
                el.clear()
        elif event == "end" and el.tag == f"{_T}table-row" and tables:
            _ods_row(tables[-1], el, empty_blanks=False)
            el.clear()
    return tables


def _ods_without_blanks(path: Path, keep: str) -> bytes:
    """A copy holding only table ``keep``, its blank cells emptied (calamine reads every table
    of an ``.ods`` when it opens it, so the others go)."""
    with zipfile.ZipFile(path) as z:
        content = z.read("content.xml")
        for _, (prefix, uri) in ET.iterparse(io.BytesIO(content), events=("start-ns",)):
            ET.register_namespace(prefix, uri)
        root = ET.fromstring(content)
        parents = [p for p in root.iter() if any(c.tag == f"{_T}table" for c in p)]
        for parent in parents:
            for table in [t for t in parent if t.tag == f"{_T}table"]:
                if table.get(f"{_T}name") != keep:
                    parent.remove(table)
                    continue
                state = _OdsTable(keep)
                for tr in table.iter(f"{_T}table-row"):
                    _ods_row(state, tr, empty_blanks=True)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for item in z.infolist():
                data = z.read(item)
                if item.filename == "content.xml":
                    data = ET.tostring(root, xml_declaration=True, encoding="UTF-8")
                dst.writestr(item, data, item.compress_type)
    return out.getvalue()


def _read_ods(
    path: Path, only: str | None, max_cells: int, max_part_bytes: int
) -> list[BoundedSheet | SheetTooLarge]:
    try:
        with zipfile.ZipFile(path) as z:
            size = z.getinfo("content.xml").file_size
            if size > max_part_bytes:
                raise SheetTooLarge(
                    f"content.xml is {size:,} bytes, more than the {max_part_bytes:,} read"
                )
            with z.open("content.xml") as f:
                tables = _scan_ods_stream(f)
        wanted = [t for t in tables if only is None or t.name == only]
        results: dict[str, BoundedSheet | SheetTooLarge] = {}
        fits = []
        for t in wanted:
            too_large = _too_large(t.extent, max_cells, t.name)
            if too_large:
                results[t.name] = too_large
            else:
                fits.append(t)
        total = _Extent(lo_row=0, lo_col=0, hi_row=0, hi_col=-1)
        total.hi_col = sum(t.extent.calamine_cells for t in tables) - 1  # cells, as one row
        total.data_row, total.data_col = 0, sum(t.extent.data_cells for t in tables) - 1
        total.blank_far = next((t.extent.blank_far for t in tables if t.extent.blank_far), None)
        if _direct(total, max_cells):
            read = _calamine_sheets(str(path), [t.name for t in fits])
            route = "direct"
        else:  # one table at a time, each in a copy without blanks and without the others
            read = {}
            for t in fits:
                copy = io.BytesIO(_ods_without_blanks(path, t.name))
                read |= _calamine_sheets(copy, [t.name])
            route = "trimmed"
        for t in fits:
            rows, _ = read[t.name]
            results[t.name] = _sheet(
                t.name, "ods", rows, sorted(t.merged), t.percent, t.extent, route
            )
    except SheetError:
        raise
    except Exception as exc:
        raise SheetError(f"{type(exc).__name__}: {exc}") from None
    return [results[t.name] for t in wanted]


# --- xls, xlsb: calamine in a child process -------------------------------------------------------

_CHILD = r"""
import pickle, resource, sys
path, only, memory, max_cells, names_only = sys.argv[1:6]
max_cells = int(max_cells)
resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
try:  # die with the parent (Linux): no reader outlives a killed build
    import ctypes
    ctypes.CDLL(None).prctl(1, 9)
except Exception:
    pass
from python_calamine import CalamineWorkbook

def blank(v):
    return v == "" or v is None or (isinstance(v, str) and not v.strip())

out = []
with CalamineWorkbook.from_path(path) as wb:
    for name in wb.sheet_names:
        if names_only == "1" or (only and name != only):
            out.append((name, None))
            continue
        sh = wb.get_sheet_by_name(name)
        start = sh.start or (0, 0)
        rows, data_row, data_col, blanks, far = [], -1, -1, 0, None
        # iter_rows yields rows from Excel row 1 but columns from the range's first column
        for r, values in enumerate(sh.iter_rows()):
            last = -1
            for j, v in enumerate(values):
                if not blank(v):
                    last = j
                elif v != "":
                    blanks += 1
                    far = max(far or (r, start[1] + j), (r, start[1] + j))
            if last >= 0:
                data_row, data_col = r, max(data_col, start[1] + last)
                rows.append([""] * start[1] + list(values[: last + 1]))
            else:
                rows.append([])
            if (data_row + 1) * (data_col + 1) > max_cells:
                break
        merged = sorted((a, b, c, d) for (a, b), (c, d) in (sh.merged_cell_ranges or []))
        out.append((name, (rows[: data_row + 1], data_row, data_col, merged, blanks, far)))
sys.stdout.buffer.write(pickle.dumps(out))
"""


def _read_child(
    path: Path,
    kind: str,
    only: str | None,
    max_cells: int,
    *,
    memory: int = CHILD_MEMORY_BYTES,
    names_only: bool = False,
    timeout: float = 600,
) -> list[BoundedSheet | SheetTooLarge]:
    """Read a workbook with calamine in a child process limited to ``memory`` bytes; an abort,
    an out-of-memory or a timeout there becomes a :class:`SheetTooLarge`, never the caller's."""
    args = [str(path), only or "", str(memory), str(max_cells), "1" if names_only else "0"]
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, *args],
            capture_output=True,
            timeout=timeout,
            env={**os.environ, "RUST_BACKTRACE": "0"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise SheetTooLarge(f"the workbook was not read within {timeout:.0f} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        if "MemoryError" in message[0] or "memory allocation" in message[0] or done.returncode < 0:
            raise SheetTooLarge(
                f"the workbook could not be read within {memory / 1e9:.1f} GB of memory "
                f"(reader exit {done.returncode})"
            )
        raise SheetError(message[0][:300] or f"reader exit {done.returncode}")
    results: list[BoundedSheet | SheetTooLarge] = []
    for name, answer in pickle.loads(done.stdout):
        if answer is None:
            if names_only:
                results.append(BoundedSheet(name, kind, [], [], route="child"))
            continue
        rows, data_row, data_col, merged, blanks, far = answer
        extent = _Extent(data_row=data_row, data_col=data_col)
        extent.blank_count, extent.blank_far = blanks, far
        too_large = _too_large(extent, max_cells, name)
        results.append(too_large or _sheet(name, kind, rows, merged, set(), extent, "child"))
    return results
