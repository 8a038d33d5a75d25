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

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
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
    return _styled(tails, style)


def _styled(tails: list[str], style: int | None) -> list[str]:
    if style is None:
        return tails
    # openpyxl writes a styled cell's style between its reference and its type.
    styled = f' s="{style}"'
    return [styled + tail if tail else tail for tail in tails]


def _factorised(column: pd.Series) -> tuple[np.ndarray, list[object]] | None:
    """A column of one type of value as codes into its distinct values (None where a cell is
    empty), each as the cell holds it; None for a column of objects, which may mix types
    that compare equal (1, 1.0, True) but are written apart."""
    dtype = column.dtype
    values = column.to_numpy()
    if dtype == np.float64:
        # By their bits: 0.0 and -0.0 are written apart, every NaN is an empty cell.
        codes, bits = pd.factorize(values.view(np.int64))
        return codes, [None if v != v else v for v in bits.view(np.float64).tolist()]
    if dtype.kind in "iub" and isinstance(dtype, np.dtype):
        codes, uniques = pd.factorize(values)
        return codes, uniques.tolist()
    if isinstance(dtype, pd.StringDtype):
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        # An empty cell, coded -1: the last of the list.
        return np.where(codes < 0, len(uniques), codes), [*uniques.tolist(), None]
    return None


def _cells(column: pd.Series, style: int | None) -> pa.Array | None:
    """Each cell's XML after its reference ("" where openpyxl leaves it out: null)."""
    found = _factorised(column)
    if found is None:
        values = column.astype(object)
        tails = _column(values.where(values.notna(), None).tolist(), style)
        return None if tails is None else pa.array([t or None for t in tails], pa.string())
    codes, distinct = found
    tails = [_tail(v) for v in distinct]
    if None in tails:
        return None
    return pa.array([t or None for t in _styled(tails, style)], pa.string()).take(pa.array(codes))


def rows_xml(
    frame: pd.DataFrame,
    first_row: int,
    styles: Sequence[int | None] | None = None,
    heights: Mapping[int, int] | None = None,
) -> Iterator[bytes] | None:
    """The ``<row>`` elements of ``frame``'s values from ``first_row`` on, in chunks of bytes.

    Missing values (None, NaN, NA) are empty cells. ``styles`` gives each column's cell style
    id (openpyxl's ``cell.style_id``), None for an unstyled column; an empty cell is left out
    whatever its column's style. None when a value needs openpyxl itself (another type, a
    formula-like or illegal text). ``heights`` gives the height in points of a row (by its
    number) that is taller than a line.
    """
    styles = styles or [None] * frame.shape[1]
    columns = [_cells(frame.iloc[:, i], styles[i]) for i in range(frame.shape[1])]
    if any(column is None for column in columns):
        return None
    return _chunks(columns, first_row, len(frame), heights or {})


def _chunks(
    columns: list[pa.Array], first_row: int, n_rows: int, heights: Mapping[int, int]
) -> Iterator[bytes]:
    # Joined by Arrow, a column at a time: a province's wide sheet has 3.5 million cells.
    starts = [f'<c r="{get_column_letter(i + 1)}' for i in range(len(columns))]
    for start in range(0, n_rows, CHUNK_ROWS):
        stop = min(start + CHUNK_ROWS, n_rows)
        numbers = range(first_row + start, first_row + stop)
        refs = pc.cast(pa.array(numbers, pa.int64()), pa.string())
        if heights:
            # As openpyxl writes a row's dimensions (whole points: no heights of fractions).
            opened = pa.array(
                [
                    f'<row r="{r}" ht="{heights[r]}" customHeight="1">'
                    if r in heights
                    else f'<row r="{r}">'
                    for r in numbers
                ],
                pa.string(),
            )
        else:
            opened = pc.binary_join_element_wise('<row r="', refs, '">', "")
        cells = [
            pc.binary_join_element_wise(
                begin, refs, '"', tails.slice(start, stop - start), "", null_handling="emit_null"
            )
            for begin, tails in zip(starts, columns, strict=True)
        ]
        rows = pc.binary_join_element_wise(
            opened, *cells, "</row>", "", null_handling="replace", null_replacement=""
        )
        offsets = np.frombuffer(rows.buffers()[1], np.int32, len(rows) + 1, rows.offset * 4)
        yield rows.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]
