"""A worksheet's data rows as the exact XML openpyxl's write-only mode writes for them.

openpyxl builds a cell object and an lxml element for every value, about 7 µs a cell; the
officials' workbook of a province has some 3.5 million cells. :func:`rows_xml` writes the same
bytes from plain Python strings, a column at a time. It covers the values the workbook holds
(None, bool, int, float, ordinary text) and answers None for anything else, which then goes
through openpyxl as before, so openpyxl stays the reference for every byte
(``tests/pipeline/test_sheetxml.py`` compares the two).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from math import isfinite

import pandas as pd
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import get_column_letter

#: Rows serialised together: bounds the memory of a province's wide sheet.
CHUNK_ROWS = 20_000

#: Control characters openpyxl refuses in a worksheet.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: openpyxl cuts longer text; that case is left to it.
_MAX_TEXT = 32_767


def _text(value: str) -> str | None:
    """An inline string cell's tail, or None for text openpyxl refuses, cuts or stores as
    another type (a formula "=…", an error code "#N/A")."""
    if (
        len(value) > _MAX_TEXT
        or _CONTROL.search(value)
        or (len(value) > 1 and value.startswith("="))
        or value in ERROR_CODES
    ):
        return None
    if not value:
        return ' t="inlineStr"></c>'
    escaped = (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\r", "&#13;")
        .encode("ascii", "xmlcharrefreplace")
        .decode("ascii")
    )
    space = ' xml:space="preserve"' if value != value.strip() else ""
    return f' t="inlineStr"><is><t{space}>{escaped}</t></is></c>'


def _tail(value: object) -> str | None:
    """What follows ``<c r="A2"`` for one value; "" for a cell openpyxl leaves out, None for a
    value this module does not write."""
    kind = type(value)
    if value is None:
        return ""
    if kind is bool:
        return f' t="b"><v>{int(value)}</v></c>'
    if kind is int or kind is float:
        if not isfinite(value):
            return None
        return f' t="n"><v>{format(value, ".16g")}</v></c>'
    if kind is str:
        return _text(value)
    return None


def _column(values: list[object], style: int | None) -> list[str] | None:
    # Each distinct text escaped and each distinct number formatted once: a column repeats its
    # few names and values thousands of times. A zero is formatted where it stands, keeping
    # its sign (0.0 and -0.0 are one key).
    texts = {v: _text(v) for v in {v for v in values if type(v) is str}}
    floats = {v for v in values if type(v) is float}
    if not all(isfinite(v) for v in floats):
        return None
    numbers = {v: f' t="n"><v>{v:.16g}</v></c>' for v in floats}
    if 0.0 in numbers:
        numbers[0.0] = ""
    tails = [
        (numbers[v] or f' t="n"><v>{v:.16g}</v></c>')
        if type(v) is float
        else texts[v]
        if type(v) is str
        else _tail(v)
        for v in values
    ]
    if None in tails:
        return None
    if style is None:
        return tails
    # openpyxl writes a styled cell's style between its reference and its type.
    styled = f' s="{style}"'
    return [styled + tail if tail else tail for tail in tails]


def rows_xml(
    frame: pd.DataFrame,
    first_row: int,
    styles: Sequence[int | None] | None = None,
    heights: Mapping[int, int] | None = None,
) -> Iterator[bytes] | None:
    """The ``<row>`` elements of ``frame``'s values from ``first_row`` on, in chunks of bytes.

    ``frame`` holds the cells as written: objects, None where a cell is empty. ``styles`` gives
    each column's cell style id (openpyxl's ``cell.style_id``), None for an unstyled column; an
    empty cell is left out whatever its column's style. None when a value needs openpyxl
    itself (another type, a formula-like or illegal text). ``heights`` gives the height in
    points of a row (by its number) that is taller than a line.
    """
    styles = styles or [None] * frame.shape[1]
    letters = [get_column_letter(i + 1) for i in range(frame.shape[1])]
    columns = [_column(frame.iloc[:, i].tolist(), styles[i]) for i in range(frame.shape[1])]
    if any(column is None for column in columns):
        return None
    return _chunks(columns, letters, first_row, len(frame), heights or {})


def _chunks(
    columns: list[list[str]],
    letters: list[str],
    first_row: int,
    n_rows: int,
    heights: Mapping[int, int],
) -> Iterator[bytes]:
    # As openpyxl writes a row's dimensions (whole points: no heights of fractions are given).
    opened = {r: f'<row r="{r}" ht="{h}" customHeight="1">' for r, h in heights.items()}
    for start in range(0, n_rows, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n_rows)
        numbers = range(first_row + start, first_row + stop)
        cells = [
            [
                f'<c r="{letter}{r}"{tail}' if tail else ""
                for r, tail in zip(numbers, tails[start:stop], strict=True)
            ]
            for letter, tails in zip(letters, columns, strict=True)
        ]
        rows = zip(numbers, *cells, strict=True)
        yield "".join(
            (opened.get(r) or f'<row r="{r}">') + "".join(row) + "</row>" for r, *row in rows
        ).encode("ascii")
