"""The bounded reader's ``.ods`` route: every table of ``content.xml`` scanned (repeats counted,
never expanded) for its extent, merged ranges, percentage cells and hidden rows and columns,
which calamine does not report for ``.ods``; calamine then reads the file, or per table a copy without blank cells
(see :mod:`analysis.ingest.bounded`)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from analysis.ingest.extent import (
    BoundedSheet,
    Extent,
    SheetError,
    SheetMarks,
    SheetTooLarge,
    calamine_sheets,
    direct,
    make_sheet,
    over_budget,
)

TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_CELLS = (f"{TABLE_NS}table-cell", f"{TABLE_NS}covered-table-cell")


@dataclass
class _OdsTable:
    name: str
    extent: Extent = field(default_factory=Extent)
    percent: set[tuple[int, int]] = field(default_factory=set)
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    row: int = 0
    column: int = 0
    #: (first, count) of the rows and columns hidden (``table:visibility`` collapse or filter)
    hidden_rows: list[tuple[int, int]] = field(default_factory=list)
    hidden_columns: list[tuple[int, int]] = field(default_factory=list)

    def marks(self, height: int, width: int) -> SheetMarks:
        """The hidden rows and columns within the data (repeats are never expanded beyond)."""
        return SheetMarks(
            hidden_rows={
                r for first, n in self.hidden_rows for r in range(first, min(first + n, height))
            },
            hidden_columns={
                c for first, n in self.hidden_columns for c in range(first, min(first + n, width))
            },
        )


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
    repeat_rows = int(tr.get(f"{TABLE_NS}number-rows-repeated", "1"))
    extent, row, col, last_data = table.extent, table.row, 0, -1
    if tr.get(f"{TABLE_NS}visibility", "visible") != "visible":
        table.hidden_rows.append((row, repeat_rows))
    cells = [c for c in tr if c.tag in _CELLS]
    for index, cell in enumerate(cells):
        repeat = int(cell.get(f"{TABLE_NS}number-columns-repeated", "1"))
        spans = (
            int(cell.get(f"{TABLE_NS}number-rows-spanned", "1")),
            int(cell.get(f"{TABLE_NS}number-columns-spanned", "1")),
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
                    for key in [k for k in cell.attrib if not k.startswith(TABLE_NS)]:
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
        if el.tag == f"{TABLE_NS}table":
            if event == "start":
                tables.append(_OdsTable(el.get(f"{TABLE_NS}name", "")))
            else:
                el.clear()
        elif event == "end" and el.tag == f"{TABLE_NS}table-row" and tables:
            _ods_row(tables[-1], el, empty_blanks=False)
            el.clear()
        elif event == "end" and el.tag == f"{TABLE_NS}table-column" and tables:
            table, repeat = tables[-1], int(el.get(f"{TABLE_NS}number-columns-repeated", "1"))
            if el.get(f"{TABLE_NS}visibility", "visible") != "visible":
                table.hidden_columns.append((table.column, repeat))
            table.column += repeat
    return tables


def _ods_without_blanks(path: Path, keep: str) -> bytes:
    """A copy holding only table ``keep``, its blank cells emptied (calamine reads every table
    of an ``.ods`` when it opens it, so the others go)."""
    with zipfile.ZipFile(path) as z:
        content = z.read("content.xml")
        for _, (prefix, uri) in ET.iterparse(io.BytesIO(content), events=("start-ns",)):
            ET.register_namespace(prefix, uri)
        root = ET.fromstring(content)
        parents = [p for p in root.iter() if any(c.tag == f"{TABLE_NS}table" for c in p)]
        for parent in parents:
            for table in [t for t in parent if t.tag == f"{TABLE_NS}table"]:
                if table.get(f"{TABLE_NS}name") != keep:
                    parent.remove(table)
                    continue
                state = _OdsTable(keep)
                for tr in table.iter(f"{TABLE_NS}table-row"):
                    _ods_row(state, tr, empty_blanks=True)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for item in z.infolist():
                data = z.read(item)
                if item.filename == "content.xml":
                    data = ET.tostring(root, xml_declaration=True, encoding="UTF-8")
                dst.writestr(item, data, item.compress_type)
    return out.getvalue()


def read_ods(
    path: Path, only: str | None, max_cells: int, max_part_bytes: int
) -> list[BoundedSheet | SheetTooLarge]:
    try:
        with zipfile.ZipFile(path) as z:
            size = z.getinfo("content.xml").file_size
            if size > max_part_bytes:
                raise SheetTooLarge(
                    f"content.xml is {size:,} bytes, more than the {max_part_bytes:,} read",
                    what="bytes",
                    limit=max_part_bytes,
                )
            with z.open("content.xml") as f:
                tables = _scan_ods_stream(f)
        wanted = [t for t in tables if only is None or t.name == only]
        results: dict[str, BoundedSheet | SheetTooLarge] = {}
        fits = []
        for t in wanted:
            too_large = over_budget(t.extent, max_cells, t.name)
            if too_large:
                results[t.name] = too_large
            else:
                fits.append(t)
        total = Extent(lo_row=0, lo_col=0, hi_row=0, hi_col=-1)
        total.hi_col = sum(t.extent.calamine_cells for t in tables) - 1  # cells, as one row
        total.data_row, total.data_col = 0, sum(t.extent.data_cells for t in tables) - 1
        total.blank_far = next((t.extent.blank_far for t in tables if t.extent.blank_far), None)
        if direct(total, max_cells):
            read = calamine_sheets(str(path), [t.name for t in fits])
            route = "direct"
        else:  # one table at a time, each in a copy without blanks and without the others
            read = {}
            for t in fits:
                copy = io.BytesIO(_ods_without_blanks(path, t.name))
                read |= calamine_sheets(copy, [t.name])
            route = "trimmed"
        for t in fits:
            rows, _ = read[t.name]
            sheet = make_sheet(t.name, "ods", rows, sorted(t.merged), t.percent, t.extent, route)
            sheet.marks = t.marks(sheet.height, sheet.width)
            results[t.name] = sheet
    except SheetError:
        raise
    except Exception as exc:
        raise SheetError(f"{type(exc).__name__}: {exc}") from None
    return [results[t.name] for t in wanted]
