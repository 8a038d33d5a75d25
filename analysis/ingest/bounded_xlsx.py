"""The bounded reader's ``.xlsx``/``.xlsm`` route: the sheet's XML streamed once for the extent
calamine would allocate, the extent of the data, the blank cells beyond it and the numbers shown
as percentages; calamine then reads the file as it is, or a copy made in memory without the
blank cells (see :mod:`analysis.ingest.bounded`)."""

from __future__ import annotations

import html
import io
import itertools
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from analysis.ingest.extent import (
    BoundedSheet,
    Extent,
    SheetError,
    SheetMarks,
    SheetTooLarge,
    calamine_sheets,
    column_index,
    direct,
    make_sheet,
    over_budget,
)

_CHUNK = 1 << 20
#: A sheet whose XML reaches at most this many cells (last row × widest column named) is read
#: by calamine directly, without a cell-by-cell scan: its grid costs at most ~32 MB.
SMALL_BOX = 1_000_000

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

# The marks: hidden rows and columns, formulas saved without a value.
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b([^>]*?\bhidden="(?:1|true)"[^>]*)>')
_COLUMN = re.compile(rb"<(?:\w+:)?col\b([^>]*?)/?>")
_FORMULA = re.compile(rb"<(?:\w+:)?f\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)


def xlsx_sheets(z: zipfile.ZipFile) -> list[tuple[str, str]]:
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
            f"{max_part_bytes:,} read",
            what="bytes",
            limit=max_part_bytes,
            sheet=name,
        )
    carry, total = b"", 0
    with z.open(part) as f:
        while chunk := f.read(_CHUNK):
            total += len(chunk)
            if total > max_part_bytes:  # the zip's stated size was wrong
                raise SheetTooLarge(
                    f"sheet {name!r} holds more than {max_part_bytes:,} bytes",
                    what="bytes",
                    limit=max_part_bytes,
                    sheet=name,
                )
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


def _unusual(piece: bytes) -> bool:
    """Whether a piece of a sheet's XML is written unusually: a cell without its reference
    first, or a prefixed name (``x:c``, ``x:row``)."""
    cells = piece.count(b'<c r="')
    # Every "<c" a cell with its reference first settles it with two counts; a prefixed name
    # needs a colon, looked for at memchr speed.
    if piece.count(b"<c") != cells and (piece.count(b"<c ") + piece.count(b"<c>") != cells):
        return True
    return b":" in piece and (b":c " in piece or b":row" in piece)


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
    cols = [column_index(c) for c in set(map(itemgetter(0), refs))]
    return min(rows) - 1, min(cols), max(rows) - 1, max(cols)


def _scan_plain(
    z: zipfile.ZipFile, part: str, max_part_bytes: int, name: str, strings, percent_styles
) -> tuple[Extent, set[tuple[int, int]]]:
    blank_cell, blank_hint = _blank_cell_pattern(strings)
    percent_cell = _percent_pattern(percent_styles)
    extent, percent = Extent(), set()
    for piece in _xlsx_chunks(z, part, max_part_bytes, name):
        if _unusual(piece):
            raise _NotPlain
        valued = _NO_VALUE.sub(b"", piece) if b"/>" in piece or b"></c>" in piece else piece
        box = _refs_extent(_CELL_REF.findall(valued))
        if box:
            extent.valued(*box)
        blanks = blank_cell.findall(valued) if blank_hint.search(valued) else []
        if blanks:
            last = max(int(r) for r in set(map(itemgetter(1), blanks)))
            col = max((c for c, r in blanks if int(r) == last), key=lambda c: (len(c), c))
            extent.blank(last - 1, column_index(col), len(blanks))
            data = blank_cell.sub(b"", valued)
            box = _refs_extent(_CELL_REF.findall(data))
        else:
            data = valued
        if box:
            extent.data(box[2], box[3])
        if percent_cell:
            percent |= {(int(r) - 1, column_index(c)) for c, r in percent_cell.findall(data)}
    return extent, percent


def _scan_exact(
    z: zipfile.ZipFile, part: str, max_part_bytes: int, name: str, strings, percent_styles
) -> tuple[Extent, set[tuple[int, int]]]:
    """Every row and cell looked at in Python: slower, for sheets written unusually."""
    extent, percent = Extent(), set()
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
                col, row = column_index(found.group(1)), int(found.group(2)) - 1
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


class _MarksScan:
    """The rows and columns a sheet hides, and its formula cells saved without a value (a
    file written by a program, or by WPS with recalculation off), fed the sheet's XML piece by
    piece, the pieces without either looked at by byte search only. A shared formula's other
    cells get the formula of the cell that defines it, moved as Excel moves it (see
    :mod:`analysis.ingest.formula_cells`): here its text and the cell it is written for."""

    def __init__(self, percent_styles: set[int]) -> None:
        self.percent_styles = percent_styles
        self.marks = SheetMarks()
        self.masters: dict[bytes, tuple[str, tuple[int, int]]] = {}
        self.followers: dict[tuple[int, int], bytes] = {}
        self.first = True

    def feed(self, piece: bytes) -> None:
        marks = self.marks
        if self.first:
            head = piece[: piece.find(b"sheetData")] if b"sheetData" in piece else piece
            for attrs in _COLUMN.findall(head):
                found = dict(_ATTR.findall(attrs))
                if found.get(b"hidden") in (b"1", b"true"):
                    low, high = int(found.get(b"min", b"1")), int(found.get(b"max", b"1"))
                    marks.hidden_columns.update(range(low - 1, min(high, 16384)))
            self.first = False
        if b'hidden="' in piece:
            for attrs in _HIDDEN_ROW.findall(piece):
                r = dict(_ATTR.findall(attrs)).get(b"r")
                if r:
                    marks.hidden_rows.add(int(r) - 1)
        if b"f" not in piece or (b"<f" not in piece and b":f" not in piece):
            return
        row, col = -1, -1
        for m in _TOKEN.finditer(piece):
            if m.group(1) is not None:
                r = dict(_ATTR.findall(m.group(1))).get(b"r")
                row, col = (int(r) - 1 if r else row + 1), -1
                continue
            attrs = dict(_ATTR.findall(m.group(3)))
            ref = _REF.fullmatch(attrs.get(b"r", b""))
            col, row = (
                (column_index(ref.group(1)), int(ref.group(2)) - 1) if ref else (col + 1, row)
            )
            body = m.group(4) or b""
            formula = _FORMULA.search(body)
            if formula is None:
                continue
            f_attrs = dict(_ATTR.findall(formula.group(1)))
            text = html.unescape((formula.group(2) or b"").decode("utf-8", "replace")).strip()
            shared = f_attrs.get(b"si") if f_attrs.get(b"t") == b"shared" else None
            if shared is not None and text:
                self.masters[shared] = (text, (row, col))
            value = _VALUE.search(body)
            if value is not None and (value.group(1) or b"").strip():
                continue
            if text:
                marks.formulas[(row, col)] = (text, (row, col))
            elif shared is not None:
                self.followers[(row, col)] = shared
            style = attrs.get(b"s", b"")
            if style.isdigit() and int(style) in self.percent_styles:
                marks.percent.add((row, col))

    def result(self) -> SheetMarks:
        for cell, shared in self.followers.items():
            if shared in self.masters:
                self.marks.formulas[cell] = self.masters[shared]
        return self.marks


def _marks_of(plan: _Plan) -> SheetMarks:
    if isinstance(plan.marks, Exception):
        raise plan.marks
    return plan.marks


@dataclass
class _Plan:
    """How one sheet will be read: what its scan found, and the route."""

    name: str
    part: str
    extent: Extent | None  # None: small enough to be read without a scan
    percent: set[tuple[int, int]]
    route: str  # "direct" or "trimmed"
    plain: bool
    marks: SheetMarks | Exception  # the error reading them, raised where they are used


def _percent_pattern(percent_styles: set[int]) -> re.Pattern[bytes] | None:
    """A number cell ``<c r="…" s="…">`` whose style shows a percentage (groups: column, row)."""
    if not percent_styles:
        return None
    return re.compile(
        rb'<c r="([A-Z]+)(\d+)" s="(?:'
        + b"|".join(str(i).encode() for i in sorted(percent_styles))
        + rb')"(?: t="n")?><v>'
    )


_TWO_LETTERS = re.compile(rb'<c r="[A-Z]{2}')
_THREE_LETTERS = re.compile(rb'<c r="[A-Z]{3}')
_LAST_ROW = re.compile(rb'<c r="[A-Z]+(\d+)"')
#: A row's number, where the sheet's XML writes it (``<row r="12"``, ``<x:row r="12"``).
_ROW_NUMBER = re.compile(rb'<(?:\w+:)?row r="(\d+)"')
#: The same where no row tag has a prefix: a pattern starting with a rare literal is searched
#: for quickly, one starting with ``<`` stops at every tag (6x the time on a province's sheet).
_PLAIN_ROW_NUMBER = re.compile(rb'row r="(\d+)"')


def _rows_in_order(piece: bytes, previous: int, name: str) -> int:
    """The last row number ``piece`` writes (``previous`` if none); a SheetError where a row
    comes after a later one: calamine would size its grid wrongly (a crash) or drop the row,
    and a row must never be lost. Excel writes rows in order; saving again puts them right."""
    # Every ``row r="`` right after ``<``: the quick pattern finds exactly the full one's rows.
    plain = piece.count(b'row r="') == piece.count(b'<row r="')
    found = (_PLAIN_ROW_NUMBER if plain else _ROW_NUMBER).findall(piece)
    if not found:
        return previous
    rows = [previous, *map(int, found)]
    for before, after in itertools.pairwise(rows):
        if after <= before:
            raise SheetError(
                f"工作表“{name}”的行顺序错乱：第{after}行写在第{before}行之后 / sheet "
                f"{name!r}: row {after} is written after row {before}"
            )
    return rows[-1]


@dataclass
class _FirstPass:
    """What one pass over a sheet's XML tells every sheet: whether calamine's grid is surely
    small (at most :data:`SMALL_BOX` cells: its last row times the widest column any reference
    names, found with byte searches only; a sheet written unusually is never taken as small),
    the number cells styled as percentages (looked for only while the sheet may be small) and
    the sheet's marks, or the error reading them raised (kept, for when they are used)."""

    small: bool
    percent: set[tuple[int, int]]
    marks: SheetMarks | Exception


def _first_pass(
    z: zipfile.ZipFile, part: str, max_part_bytes: int, name: str, percent_styles: set[int]
) -> _FirstPass:
    last_row, letters, plain = 0, 1, True
    pattern = _percent_pattern(percent_styles)
    percent: set[tuple[int, int]] = set()
    scan, failed = _MarksScan(percent_styles), None
    written = 0  # the last row number the XML wrote
    for piece in _xlsx_chunks(z, part, max_part_bytes, name):
        written = _rows_in_order(piece, written, name)
        if plain and _unusual(piece):
            plain = False
        if plain:
            if b'<c r="' in piece:
                row = _LAST_ROW.match(piece, piece.rfind(b'<c r="'))
                last_row = max(last_row, int(row.group(1)) if row else 0)
            if letters == 1 and _TWO_LETTERS.search(piece):
                letters = 2
            if letters == 2 and _THREE_LETTERS.search(piece):
                letters = 3
            if pattern:
                percent |= {(int(r) - 1, column_index(c)) for c, r in pattern.findall(piece)}
        if failed is None:
            try:
                scan.feed(piece)
            except (
                Exception
            ) as exc:  # raised where the marks are used, as a pass of their own would
                failed = exc
    small = plain and last_row * {1: 26, 2: 702, 3: 16384}[letters] <= SMALL_BOX
    return _FirstPass(small, percent if small else set(), failed or scan.result())


def _plan(
    z: zipfile.ZipFile,
    name: str,
    part: str,
    max_cells: int,
    max_part_bytes: int,
    strings: bytearray,
    percent_styles: set[int],
) -> _Plan:
    """Scan one sheet (cheaply when its box is surely small) and choose its route."""
    first = _first_pass(z, part, max_part_bytes, name, percent_styles)
    if first.small:
        return _Plan(name, part, None, first.percent, "direct", True, first.marks)
    plain = True
    try:
        extent, percent = _scan_plain(z, part, max_part_bytes, name, strings, percent_styles)
    except _NotPlain:
        plain = False
    if not plain or (extent.data_cells > max_cells and extent.calamine_cells > max_cells):
        # Written unusually, or blanks spelled in ways the fast scan takes for data.
        extent, percent = _scan_exact(z, part, max_part_bytes, name, strings, percent_styles)
        plain = False
    too_large = over_budget(extent, max_cells, name)
    if too_large:
        raise too_large
    route = "direct" if direct(extent, max_cells) else "trimmed"
    return _Plan(name, part, extent, percent, route, plain, first.marks)


def read_xlsx(
    path: Path, only: str | None, max_cells: int, max_part_bytes: int
) -> list[BoundedSheet | SheetTooLarge]:
    """The sheets of an ``.xlsx`` (or only the one named), each cut to its data; a sheet over
    the budget comes back as its :class:`SheetTooLarge`. The sheets that can be read as they
    are share one calamine workbook."""
    try:
        with zipfile.ZipFile(path) as z:
            parts = xlsx_sheets(z)
            if only is not None and only not in dict(parts):
                raise SheetError(f"no sheet named {only!r}")
            strings, percent_styles = _blank_strings(z), _percent_styles(z)
            plans: list[_Plan | SheetTooLarge] = []
            for name, part in parts:
                if only is not None and name != only:
                    continue
                try:
                    plans.append(
                        _plan(z, name, part, max_cells, max_part_bytes, strings, percent_styles)
                    )
                except SheetTooLarge as exc:
                    plans.append(exc)
            marks = {p.name: _marks_of(p) for p in plans if isinstance(p, _Plan)}
        ready = [p for p in plans if isinstance(p, _Plan)]
        direct_names = [p.name for p in ready if p.route == "direct"]
        read = calamine_sheets(str(path), direct_names) if direct_names else {}
        for plan in ready:
            if plan.route == "trimmed":
                copy = _xlsx_without_blanks(path, plan.part, strings, max_part_bytes, plan.plain)
                read |= calamine_sheets(io.BytesIO(copy), [plan.name])
    except SheetError:
        raise
    except Exception as exc:  # a broken zip member, bad XML, …
        raise SheetError(f"{type(exc).__name__}: {exc}") from None
    out: list[BoundedSheet | SheetTooLarge] = []
    for plan in plans:
        if isinstance(plan, SheetTooLarge):
            out.append(plan)
            continue
        rows, merged = read[plan.name]
        sheet = make_sheet(plan.name, "xlsx", rows, merged, plan.percent, plan.extent, plan.route)
        sheet.marks = marks[plan.name]
        out.append(sheet)
    return out
