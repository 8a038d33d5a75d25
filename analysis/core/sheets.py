"""One writer's conventions for every workbook Minsheng writes (an office opens, reads and prints it).

The officials' workbook, the marked copies with their 问题清单 and the collection template all
lay out their sheets here, through openpyxl's public API, the way an office sets a sheet up by
hand (冻结窗格, 打印标题行, 调整为一页宽):

* column widths from the content, a CJK character counting double, up to :data:`WIDTH_CAP`;
  text beyond the cap wraps;
* the header row frozen and repeated on every printed page;
* A4, fitted to one page wide, landscape when the columns are wider than a portrait page;
* numbers with the catalog's decimals as a number format (:func:`number_format`);
* a first sheet, 说明, listing the other sheets, the source, the data's fingerprint and what the
  colours and marks mean (:func:`readme_sheet`).

The model is the UK government's accessible spreadsheets (gptables, aftables): a cover sheet,
one table per sheet, header rows marked, widths set.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from analysis.core.labels import label

#: Widest column, in Excel's character units; longer text wraps within it.
WIDTH_CAP = 40
#: A header wraps beyond this width (its words break over two or three lines), so that a long
#: indicator name does not widen a column of short numbers.
HEADER_CAP = 10
#: Narrowest column.
MIN_WIDTH = 6
#: Room beside the text (Excel's own autofit leaves about this much).
PADDING = 2
#: Columns wider than this in all (character units) do not fit an A4 portrait page at 100%.
PORTRAIT_WIDTH = 90
#: Height of a line of text, in points: a wrapped cell's row is as many lines high (an office
#: client fits a row to its text only as it is edited, not when the file is opened).
LINE_HEIGHT = 15
#: The first sheet.
README_SHEET = "说明"

#: Colours of the marks, as ARGB: the cell fills the marked copies use and 说明 explains.
ERROR_FILL = "FFFF9E9E"
WARNING_FILL = "FFFFD966"
REVIEW_FILL = "FFBDD7EE"
HEADER_FILL = "FFDDEBF7"


class _Widths(dict):
    """Character → its width (:func:`text_width`), each character looked up once."""

    def __missing__(self, ch: str) -> int:
        width = self[ch] = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        return width


_WIDTHS = _Widths()


def text_width(value: object) -> int:
    """How wide ``value`` shows, in character units: a wide (CJK) character counts two."""
    text = value if isinstance(value, str) else str(value)
    if text.isascii():  # no ASCII character is wide
        return len(text)
    return sum(map(_WIDTHS.__getitem__, text))


def number_format(places: int) -> str:
    """Excel's number format for ``places`` decimals: ``0``, ``0.0``, ``0.00``."""
    return "0" if places <= 0 else "0." + "0" * places


@dataclass(frozen=True)
class Column:
    """How one column is laid out: its width, and the style of its data cells."""

    width: float
    wrap: bool = False
    number_format: str | None = None


def column(header: object, values: Iterable[object], places: int | None = None) -> Column:
    """A column's layout from its header and its values (``places``: decimals of its numbers).

    Text is measured once per distinct value; a number by its digits at ``places`` decimals.
    """
    widest = 0
    numbers = []
    if getattr(values, "dtype", None) == np.float64:
        # A column of floats: its range from the array, not from a set of its boxed values.
        values = np.asarray(values)
        found = values[~np.isnan(values)]
        if not found.size or np.signbit(found[found == 0]).any():
            values = found.tolist()  # a negative zero: the set decides which zero stands
        else:
            numbers, values = [float(found.min()), float(found.max())], []
    for value in set(values):
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            widest = max(widest, 1)
        elif isinstance(value, int | float):
            if value == value:  # NaN is an empty cell
                numbers.append(value)
        else:
            lines = str(value).splitlines()
            widest = max(widest, *(text_width(line) for line in lines), 0)
    for value in (min(numbers), max(numbers)) if numbers else ():
        shown = f"{value:.{places}f}" if places is not None else f"{value:.15g}"
        widest = max(widest, len(shown))
    head = min(text_width(header), HEADER_CAP)
    width = max(widest, head) + PADDING
    return Column(
        width=max(MIN_WIDTH, min(width, WIDTH_CAP)),
        wrap=widest + PADDING > WIDTH_CAP,
        number_format=number_format(places) if places is not None else None,
    )


def lines(value: object, width: float) -> int:
    """Lines ``value`` takes wrapped in a column ``width`` wide."""
    room = max(1, int(width) - PADDING)
    return sum(max(1, -(-text_width(line) // room)) for line in str(value).splitlines()) or 1


def row_heights(
    rows: Iterable[Sequence[object]], columns: Sequence[Column], first_row: int, *, header=False
) -> dict[int, int]:
    """Row number → height, for the rows a wrapped cell makes taller than one line.

    Only the wrapping columns count (every column of a ``header``, whose cells all wrap).
    """
    wrapping = [i for i, layout in enumerate(columns) if header or layout.wrap]
    heights = {}
    if not wrapping:
        return heights
    for number, row in enumerate(rows, start=first_row):
        tallest = max(
            (lines(row[i], columns[i].width) for i in wrapping if isinstance(row[i], str)),
            default=1,
        )
        if tallest > 1:
            heights[number] = LINE_HEIGHT * tallest
    return heights


def set_heights(ws, heights: dict[int, int]) -> None:
    """Give rows their heights (a write-only sheet: before they are appended)."""
    for number, height in heights.items():
        ws.row_dimensions[number].height = height


def header_style(cell, wrap: bool = True) -> None:
    """A header cell: bold on a light fill, wrapping, centred vertically."""
    from openpyxl.styles import Alignment, Font, PatternFill

    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
    cell.alignment = Alignment(wrap_text=wrap, vertical="center")


def data_style(cell, layout: Column) -> None:
    """A data cell of a column laid out as ``layout``; a cell of a plain column is left alone."""
    from openpyxl.styles import Alignment

    if layout.number_format is not None:
        cell.number_format = layout.number_format
    if layout.wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def is_plain(layout: Column) -> bool:
    """Whether a column's data cells need no style."""
    return layout.number_format is None and not layout.wrap


def lay_out(
    ws,
    columns: Sequence[Column],
    *,
    header_row: int = 1,
    first_header_row: int = 1,
    frozen_columns: int = 0,
) -> None:
    """Widths, frozen header, print titles and A4 page setup of a sheet (normal or write-only).

    ``header_row`` is the last row of the header (0: none): the rows above the data are frozen,
    those from ``first_header_row`` on repeated on every printed page. ``frozen_columns``
    columns at the left stay in view too.
    """
    from openpyxl.utils import get_column_letter

    for index, layout in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = layout.width
    if header_row:
        ws.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{header_row + 1}"
        ws.print_title_rows = f"{first_header_row}:{header_row}"
    page_setup(ws, sum(layout.width for layout in columns))


def page_setup(ws, width: float) -> None:
    """A4, fitted to one page wide (as many tall as it takes); landscape beyond portrait's width."""
    from openpyxl.worksheet.worksheet import Worksheet

    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if width > PORTRAIT_WIDTH else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True


def readme_sheet(
    wb,
    sheets: Sequence[tuple[str, str]],
    *,
    source: str,
    fingerprint: str | None = None,
    marks: Iterable[str] = ("error", "warning", "review", "unverified"),
) -> None:
    """The first sheet, 说明: what each sheet is, where the figures come from, what marks mean.

    ``sheets`` pairs each other sheet's title with one line about it; ``marks`` are the keys of
    the marks the workbook uses (``mark.<key>`` in :mod:`analysis.core.labels`), none for a
    workbook without them.
    """
    from openpyxl.styles import Alignment, Font, PatternFill

    write_only = getattr(wb, "write_only", False)
    ws = wb.create_sheet(README_SHEET, 0) if not write_only else wb.create_sheet(README_SHEET)
    rows: list[list[object]] = [
        [label("readme.title", "zh")],
        [],
        [label("readme.sheet", "zh"), label("readme.content", "zh")],
        *[[title, line] for title, line in sheets],
        [],
        [label("page.data", "zh"), source],
    ]
    if fingerprint is not None:
        rows.append([label("page.fingerprint", "zh"), fingerprint])
    if marks:
        rows += [[], [label("readme.marks", "zh")]]
    fills = {"error": ERROR_FILL, "warning": WARNING_FILL, "review": REVIEW_FILL}
    mark_rows = {}
    for key in marks:
        mark_rows[len(rows)] = fills.get(key)
        rows.append([label(f"mark.{key}", "zh"), label(f"mark.{key}.meaning", "zh")])
    heads = {0, 2, *(r for r, row in enumerate(rows) if row == [label("readme.marks", "zh")])}

    def style(cell, r: int, c: int) -> None:
        if r in heads:
            cell.font = Font(bold=True, size=14 if r == 0 else None)
        elif c == 0 and mark_rows.get(r):
            cell.fill = PatternFill("solid", fgColor=mark_rows[r])
        if c == 1:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    # A write-only sheet writes its widths and heights before its first row.
    layouts = [column("", [row[0] for row in rows[2:] if row]), Column(70, wrap=True)]
    lay_out(ws, layouts, header_row=0)
    set_heights(ws, row_heights([(*row, "", "")[:2] for row in rows], layouts, first_row=1))
    if write_only:
        from openpyxl.cell import WriteOnlyCell

        for r, row in enumerate(rows):
            cells = []
            for c, value in enumerate(row):
                cells.append(WriteOnlyCell(ws, value))
                style(cells[-1], r, c)
            ws.append(cells)
    else:
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                style(ws.cell(r + 1, c + 1, value), r, c)
