"""The cells of a raw row that could name its village: what the village of a problem's row is
read from (:func:`analysis.ingest.mark.attach_villages`). One place for both readings of a
row: at validation, while the file is read anyway, and later, by reading the file again."""

from __future__ import annotations

from collections.abc import Iterable

from analysis.ingest.read import TABLE_SUFFIXES, WORKBOOK_SUFFIXES, Sheet
from analysis.ingest.rules import RULES

#: Spreadsheets a copy can be made of, and whose rows can be read again.
COPYABLE = WORKBOOK_SUFFIXES | TABLE_SUFFIXES


def rows_readable(sheets: Iterable[Sheet]) -> bool:
    """Whether a file's rows are its records as written: not where a CSV's records are broken
    (a quote never closed), whose text file itself must be corrected."""
    return not any(RULES[f.rule].breaks_records for sheet in sheets for f in sheet.findings)


def row_values(sheet: Sheet, row: int) -> list[object]:
    """The cells of Excel row ``row``, a merged range's value repeated over it."""
    values = list(sheet.cells.iloc[row - 1])
    for r0, c0, r1, c1 in sheet.merged:
        if r0 <= row - 1 <= r1:
            for c in range(c0, min(c1, len(values) - 1) + 1):
                values[c] = sheet.cells.iat[r0, c0]
    return values


def row_texts(sheet: Sheet, row: int) -> list[str]:
    """The cells of a row that could name a village: text, and 12-digit codes typed as numbers."""
    if not 0 < row <= len(sheet.cells):
        return []
    texts = []
    for value in row_values(sheet, row):
        if isinstance(value, float) and value.is_integer() and len(str(int(value))) == 12:
            texts.append(str(int(value)))
        elif isinstance(value, str) and value.strip():
            texts.append(value)
    return texts
