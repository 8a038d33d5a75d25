"""Read a workbook with python-calamine in a child process whose memory is capped.

calamine builds each sheet's whole grid, sized by the farthest cell holding a value, before it
returns a row; for ``.xls``, ``.xlsb``, ``.ods`` and WPS ``.et`` there is no cheap way to look
at that extent first (as :mod:`analysis.ingest.xlsx` does for ``.xlsx``). So the read runs here,
in a process of its own under an address-space limit and a time limit: a file that would need
more fails this process, never the run. Only rows up to the last non-blank cell come back.

Run as ``python -I isolated.py PATH MAX_CELLS``; writes a pickle of
``[(sheet name, rows, merged ranges), …]`` to stdout. Exit 2: calamine could not read the
file (message on stderr); exit 3: a sheet's non-blank cells exceed MAX_CELLS. Standard library
and python-calamine only: the parent's package is not imported.
"""

from __future__ import annotations

import pickle
import sys


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _used(row: list[object]) -> list[object]:
    """The row up to its last non-blank cell."""
    end = len(row)
    while end and _blank(row[end - 1]):
        end -= 1
    return row[:end]


def read(path: str, max_cells: int) -> list[tuple[str, list[list[object]], list]]:
    """Every sheet's rows, trimmed to the box of its non-blank cells (row by row, so a far
    stray cell never becomes millions of Python objects)."""
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(path)
    sheets = []
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        rows = [_used(row) for row in sheet.iter_rows()]
        while rows and not rows[-1]:
            rows.pop()
        width = max(map(len, rows), default=0)
        if len(rows) * width > max_cells:
            print(f"{name}\t{len(rows)}\t{width}", file=sys.stderr)
            sys.exit(3)
        merged = [tuple(map(tuple, m)) for m in (sheet.merged_cell_ranges or [])]
        sheets.append((name, rows, merged))
    return sheets


if __name__ == "__main__":
    try:
        found = read(sys.argv[1], int(sys.argv[2]))
    except Exception as exc:  # calamine raises its own types for every kind of broken file
        print(f"{type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.stdout.buffer.write(pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
