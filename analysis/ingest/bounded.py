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

import os
import pickle
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from analysis.ingest.bounded_ods import TABLE_NS, read_ods
from analysis.ingest.bounded_xlsx import read_xlsx, xlsx_sheets
from analysis.ingest.extent import (
    CHILD_MEMORY_BYTES,
    MAX_CELLS,
    MAX_PART_BYTES,
    BoundedSheet,
    Extent,
    SheetError,
    SheetTooLarge,
    make_sheet,
    over_budget,
)

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

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


# --- entry points ---------------------------------------------------------------------------------


def sheet_names(path: Path | str) -> list[str]:
    """The sheet names in workbook order, without reading any sheet."""
    path = Path(path)
    kind = workbook_kind(path)
    try:
        if kind == "xlsx":
            with zipfile.ZipFile(path) as z:
                return [name for name, _ in xlsx_sheets(z)]
        if kind == "ods":
            with zipfile.ZipFile(path) as z, z.open("content.xml") as f:
                return [
                    el.get(f"{TABLE_NS}name", "")
                    for _, el in ET.iterparse(f, events=("start",))
                    if el.tag == f"{TABLE_NS}table"
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
    kind = workbook_kind(path)
    if kind == "xlsx":
        return read_xlsx(path, None, max_cells, max_part_bytes)
    if kind == "ods":
        return read_ods(path, None, max_cells, max_part_bytes)
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
    kind = workbook_kind(path)
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
        (result,) = read_xlsx(path, name, max_cells, max_part_bytes)
        if isinstance(result, SheetTooLarge):
            raise result
        return result
    (result,) = read_ods(path, name, max_cells, max_part_bytes)
    if isinstance(result, SheetTooLarge):
        raise result
    return result


def workbook_kind(path: Path) -> str:
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
        raise SheetTooLarge(
            f"the workbook was not read within {timeout:.0f} s", what="seconds", limit=timeout
        ) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        if "MemoryError" in message[0] or "memory allocation" in message[0] or done.returncode < 0:
            raise SheetTooLarge(
                f"the workbook could not be read within {memory / 1e9:.1f} GB of memory "
                f"(reader exit {done.returncode})",
                what="memory",
                limit=memory,
            )
        raise SheetError(message[0][:300] or f"reader exit {done.returncode}")
    results: list[BoundedSheet | SheetTooLarge] = []
    for name, answer in pickle.loads(done.stdout):
        if answer is None:
            if names_only:
                results.append(BoundedSheet(name, kind, [], [], route="child"))
            continue
        rows, data_row, data_col, merged, blanks, far = answer
        extent = Extent(data_row=data_row, data_col=data_col)
        extent.blank_count, extent.blank_far = blanks, far
        too_large = over_budget(extent, max_cells, name)
        results.append(too_large or make_sheet(name, kind, rows, merged, set(), extent, "child"))
    return results
