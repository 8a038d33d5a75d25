"""Looking inside an ``.xlsx`` before calamine reads it: size, extent, percent formats.

calamine sizes a sheet by the bounding box of every cell that holds a value, blank text
included, and allocates that whole grid (about 32 bytes a cell) before returning a row: one
space typed in XFD5000 costs 2.5 GB, in XFD1048576 the process aborts. So each worksheet's XML
is looked at first, with byte searches only:

- a worksheet with more cell entries than :data:`MAX_SHEET_CELLS`, or XML larger than
  :data:`MAX_SHEET_XML_BYTES`, is refused (:class:`~analysis.ingest.read.ReadError`);
- when the bounding box of the cells is larger than the limit, the cells are read one by one:
  blank ones (empty or white space) outside the box of the non-blank cells are dropped from an
  in-memory copy of the workbook, which calamine then reads. The raw file is never changed;
- cells whose number format is a percentage (Excel shows 0.821 as 82.1 %) are listed, so a
  fraction typed among percentages can be read as the percentage the clerk saw.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from analysis.ingest.cells import column_letter

#: Largest worksheet read, in cell entries. The grid costs ~100 bytes a cell with its parse, so
#: two million is ~0.2 GB; a province's 17,000 villages with 100 columns fit in one sheet.
MAX_SHEET_CELLS = 2_000_000
#: Largest worksheet XML inflated, in bytes. Two million cells take ~100 MB of XML; a small
#: file that inflates beyond this (a zip bomb, or millions of formatted rows) is refused.
MAX_SHEET_XML_BYTES = 256 * 2**20

_ROW_OR_CELL = re.compile(rb"<(?:\w+:)?(row|c)\b([^>]*?)(/?)>")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_REF = re.compile(rb'\br="([A-Z]{1,3})?(\d+)?"')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_STYLE = re.compile(rb'\bs="(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.S)
_TEXT = re.compile(rb"<(?:\w+:)?t\b[^>]*>(.*?)</(?:\w+:)?t>", re.S)
_SI = re.compile(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", re.S)
_CELL_REFS = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]{1,3})\d+"')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_NUMFMT = re.compile(rb'<(?:\w+:)?numFmt\b[^>]*?numFmtId="(\d+)"[^>]*?formatCode="([^"]*)"')
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)")
_NUMFMT_ID = re.compile(rb'numFmtId="(\d+)"')
#: Built-in number formats that show a percentage (0%, 0.00%).
_PERCENT_BUILTIN = {9, 10}


class TooLarge(Exception):
    """A worksheet beyond the stated limits; ``what`` says which (``cells`` or ``bytes``)."""

    def __init__(self, sheet: str, what: str, found: int, limit: int, corner: str = "") -> None:
        super().__init__(f"{sheet}: {found} {what} > {limit}")
        self.sheet, self.what, self.found, self.limit = sheet, what, found, limit
        self.corner = corner  # the far corner of the non-blank cells (XFD5000), when known


@dataclass
class SheetInfo:
    """What the XML of one worksheet says, found without building its grid."""

    name: str
    part: str
    percent_cells: set[tuple[int, int]] = field(default_factory=set)  # 0-based (row, column)
    trim_to: tuple[int, int] | None = None  # (rows, columns) of the non-blank cells, if trimmed


def column_number(letters: bytes) -> int:
    """``b"A"`` → 1, ``b"XFD"`` → 16384."""
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def inspect(path: str, *, grid_limit: int = MAX_SHEET_CELLS) -> list[SheetInfo]:
    """Every worksheet of an ``.xlsx``: its XML part, percent cells, and whether it must be
    trimmed to its non-blank cells to be read within ``grid_limit`` cells.

    Raises
    ------
    TooLarge
        A worksheet with more cell entries than ``grid_limit`` or more XML than
        :data:`MAX_SHEET_XML_BYTES`, or whose non-blank cells span more than ``grid_limit``.
    zipfile.BadZipFile, KeyError
        The container is broken.
    """
    with zipfile.ZipFile(path) as book:
        names = set(book.namelist())
        percent_styles = _percent_styles(book, names)
        blank_strings: list[bool] | None = None
        found = []
        for sheet_name, part in _sheet_parts(book, names):
            info = SheetInfo(sheet_name, part)
            xml = _read_bounded(book, part, sheet_name, grid_limit)
            if percent_styles:
                info.percent_cells = _percent_cells(xml, percent_styles)
            if _box_area(xml) > grid_limit:
                if blank_strings is None:
                    blank_strings = _blank_shared_strings(book, names)
                rows, cols = _non_blank_box(xml, blank_strings)
                if rows * cols > grid_limit:
                    corner = f"{column_letter(cols - 1)}{rows}"
                    raise TooLarge(sheet_name, "cells", rows * cols, grid_limit, corner)
                info.trim_to = (rows, cols)
            found.append(info)
    return found


def trimmed_copy(path: str, sheets: list[SheetInfo]) -> io.BytesIO:
    """An in-memory copy of the workbook with the blank cells outside each trimmed sheet's
    non-blank box removed (nothing else changes)."""
    trim = {s.part: s.trim_to for s in sheets if s.trim_to is not None}
    out = io.BytesIO()
    with zipfile.ZipFile(path) as book, zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for item in book.infolist():
            data = book.read(item)
            if item.filename in trim:
                data = _drop_outside(data, *trim[item.filename])
            copy.writestr(item.filename, data)
    out.seek(0)
    return out


def _read_bounded(book: zipfile.ZipFile, part: str, sheet: str, grid_limit: int) -> bytes:
    """A worksheet's XML, inflated chunk by chunk and given up as soon as it holds more cell
    entries than ``grid_limit`` or more bytes than :data:`MAX_SHEET_XML_BYTES`."""
    size = book.getinfo(part).file_size
    if size > MAX_SHEET_XML_BYTES:
        raise TooLarge(sheet, "bytes", size, MAX_SHEET_XML_BYTES)
    chunks, entries, tail = [], 0, b""
    with book.open(part) as stream:
        while chunk := stream.read(4 * 2**20):
            # The last two bytes of the previous chunk catch an entry cut in half.
            window = tail + chunk
            entries += window.count(b"<c ") + window.count(b"<c>") + window.count(b":c ")
            if entries > grid_limit:
                raise TooLarge(sheet, "cells", entries, grid_limit)
            chunks.append(chunk)
            tail = chunk[-2:]
    return b"".join(chunks)


def _sheet_parts(book: zipfile.ZipFile, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, worksheet part) in workbook order; chart sheets are left out."""
    workbook = book.read("xl/workbook.xml")
    rels = book.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
    targets = {}
    for attrs in re.findall(rb"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        fields = dict(_ATTR.findall(attrs))
        target = fields.get(b"Target", b"").decode()
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl", target))
        targets[fields.get(b"Id", b"").decode()] = part
    parts = []
    for attrs in _SHEET.findall(workbook):
        fields = {k.split(b":")[-1]: v for k, v in _ATTR.findall(attrs)}
        part = targets.get(fields.get(b"id", b"").decode(), "")
        if part in names:
            parts.append((html.unescape(fields.get(b"name", b"").decode()), part))
    return parts


def _percent_styles(book: zipfile.ZipFile, names: set[str]) -> set[int]:
    """Indexes of the cell styles whose number format shows a percentage."""
    if "xl/styles.xml" not in names:
        return set()
    styles = book.read("xl/styles.xml")
    percent_formats = set(_PERCENT_BUILTIN)
    for number, code in _NUMFMT.findall(styles):
        # A % outside quotes and not escaped is a percent format ("0.0%", not '0.0"%"').
        bare = re.sub(rb'"[^"]*"|\\.', b"", html.unescape(code.decode()).encode())
        if b"%" in bare:
            percent_formats.add(int(number))
    xfs = _CELL_XFS.search(styles)
    if not xfs:
        return set()
    found = set()
    for i, attrs in enumerate(_XF.findall(xfs.group(0))):
        number = _NUMFMT_ID.search(attrs)
        if number and int(number.group(1)) in percent_formats:
            found.add(i)
    return found


def _percent_cells(xml: bytes, styles: set[int]) -> set[tuple[int, int]]:
    """0-based (row, column) of the number cells styled as a percentage."""
    cells = set()
    for _start, _end, attrs, body, row, col in _cells(xml):
        style = _STYLE.search(attrs)
        if style is None or int(style.group(1)) not in styles:
            continue
        kind = _TYPE.search(attrs)
        if (kind is None or kind.group(1) == b"n") and _VALUE.search(body):
            cells.add((row - 1, col - 1))
    return cells


def _box_area(xml: bytes) -> int:
    """An upper bound of the grid calamine would build: last row × widest column referenced."""
    last = max(xml.rfind(b"<row "), xml.rfind(b"<row>"), xml.rfind(b":row "))
    if last < 0:
        return 0
    number = _ROW_NUMBER.search(xml, last, xml.find(b">", last))
    rows = int(number.group(1)) if number else xml.count(b"<row") + xml.count(b":row ")
    letters = set(_CELL_REFS.findall(xml))
    # Cells written without references: their width is unknown, so read them one by one.
    width = max(map(column_number, letters)) if letters else 16384
    return rows * width


def _cells(xml: bytes) -> Iterator[tuple[int, int, bytes, bytes, int, int]]:
    """(start, end, attributes, body, row, column) of every cell, 1-based, following the rules for
    rows and cells written without a reference (each one after the previous)."""
    row, col = 0, 0
    for match in _ROW_OR_CELL.finditer(xml):
        tag, attrs, closed = match.group(1), match.group(2), match.group(3)
        if tag == b"row":
            number = _ROW_NUMBER.search(attrs)
            row, col = (int(number.group(1)) if number else row + 1), 0
            continue
        ref = _REF.search(attrs)
        col = column_number(ref.group(1)) if ref and ref.group(1) else col + 1
        if ref and ref.group(2):
            row = int(ref.group(2))
        body, end = b"", match.end()
        if not closed:
            close = _CELL_END.search(xml, match.end())
            body = xml[match.end() : close.start()] if close else b""
            end = close.end() if close else len(xml)
        yield match.start(), end, attrs, body, row, col


def _is_blank(attrs: bytes, body: bytes, blank_strings: list[bool]) -> bool:
    kind = _TYPE.search(attrs)
    kind = kind.group(1) if kind else b"n"
    if kind == b"inlineStr":
        text = b"".join(_TEXT.findall(body))
        return not html.unescape(text.decode("utf-8", "replace")).strip()
    value = _VALUE.search(body)
    if value is None:
        return True
    text = value.group(1)
    if kind == b"s":
        index = int(text) if text.strip().isdigit() else -1
        return 0 <= index < len(blank_strings) and blank_strings[index]
    return not html.unescape(text.decode("utf-8", "replace")).strip()


def _blank_shared_strings(book: zipfile.ZipFile, names: set[str]) -> list[bool]:
    """For each shared string, whether it is blank (empty or white space)."""
    if "xl/sharedStrings.xml" not in names:
        return []
    strings = book.read("xl/sharedStrings.xml")
    return [
        not html.unescape(b"".join(_TEXT.findall(body or b"")).decode("utf-8", "replace")).strip()
        for body in _SI.findall(strings)
    ]


def _non_blank_box(xml: bytes, blank_strings: list[bool]) -> tuple[int, int]:
    """(last row, last column) holding a cell that is not blank."""
    rows = cols = 0
    for _start, _end, attrs, body, row, col in _cells(xml):
        if not _is_blank(attrs, body, blank_strings):
            rows, cols = max(rows, row), max(cols, col)
    return rows, cols


def _drop_outside(xml: bytes, rows: int, cols: int) -> bytes:
    """The worksheet XML without the cells beyond ``rows`` × ``cols`` (all blank, see
    :func:`_non_blank_box`)."""
    pieces, start = [], 0
    for begin, end, _attrs, _body, row, col in _cells(xml):
        if row > rows or col > cols:
            pieces.append(xml[start:begin])
            start = end
    pieces.append(xml[start:])
    return b"".join(pieces)
