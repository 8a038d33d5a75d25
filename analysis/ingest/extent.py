"""What every bounded workbook reader shares: the budget, the errors, a sheet cut to its data,
and the extent a scan of a sheet's cells finds (see :mod:`analysis.ingest.bounded`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.ingest.cells import column_letter

#: Data cells (rows × columns, from A1 to the last non-blank cell) read at most per sheet. A
#: county of 17,000 villages × 40 indicators in one sheet is 680,000; calamine holds 32 bytes a
#: cell and Python ~8 more.
MAX_CELLS = 5_000_000
#: Uncompressed bytes of one sheet's XML (an ODS's whole content.xml) read at most. ~60 bytes a
#: cell: 100 MB is about 1.6 million cells written.
MAX_PART_BYTES = 100_000_000
#: Address space of the child process that reads ``.xls``/``.xlsb`` workbooks.
CHILD_MEMORY_BYTES = 3_000_000_000


class SheetError(Exception):
    """A workbook or sheet that cannot be read; ``rule`` names why, for the problem record."""

    rule = "unreadable_file"


class SheetTooLarge(SheetError):
    """Beyond the budget; nothing big was materialised. ``what`` is the budget exceeded
    (``cells``, ``bytes``, ``memory`` or ``seconds``), ``limit`` its value, ``sheet`` the sheet
    ("" for the whole workbook)."""

    rule = "sheet_too_large"

    def __init__(
        self,
        message: str,
        *,
        what: str,
        limit: float,
        sheet: str = "",
        rows: int = 0,
        columns: int = 0,
        last_cell: str | None = None,
    ) -> None:
        super().__init__(message)
        self.what, self.limit, self.sheet = what, limit, sheet
        self.rows, self.columns, self.last_cell = rows, columns, last_cell


@dataclass
class SheetMarks:
    """What a sheet's XML says beside its values: the rows and columns hidden (0-based), and
    the formula cells saved without a value, which calamine reads as blank: (row, column) →
    (the formula without its ``=``, the cell it is written for: itself, or the first cell of a
    shared formula), all 0-based."""

    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)
    formulas: dict[tuple[int, int], tuple[str, tuple[int, int]]] = field(default_factory=dict)
    #: the formula cells among them whose number format shows a percentage
    percent: set[tuple[int, int]] = field(default_factory=set)


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
    #: rows up to the last non-blank cell as the scan of the file counted them, independently
    #: of calamine's rows (None where calamine itself was the only reader: .xls, .xlsb)
    counted: int | None = None
    #: what the sheet's XML says that calamine does not (.xlsx only; see :class:`SheetMarks`)
    marks: SheetMarks | None = None

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return len(self.rows[0]) if self.rows else 0


def column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


@dataclass
class Extent:
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


def over_budget(extent: Extent, max_cells: int, name: str) -> SheetTooLarge | None:
    """The error for a sheet whose data spans more than ``max_cells``; None when it fits."""
    if extent.data_cells <= max_cells:
        return None
    last = f"{column_letter(extent.data_col)}{extent.data_row + 1}"
    return SheetTooLarge(
        f"sheet {name!r} holds data up to {last}: {extent.data_row + 1:,} rows × "
        f"{extent.data_col + 1:,} columns = {extent.data_cells:,} cells, more than the "
        f"{max_cells:,} read",
        what="cells",
        limit=max_cells,
        sheet=name,
        rows=extent.data_row + 1,
        columns=extent.data_col + 1,
        last_cell=last,
    )


def direct(extent: Extent, max_cells: int) -> bool:
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
        if not row:
            continue
        last = row[-1]
        # Most rows end in a value: seen without a call (a province's sheets have 100,000 rows).
        if last.__class__ is float or (last.__class__ is str and last.strip()):
            height, width = i + 1, max(width, len(row))
            continue
        for j in range(len(row) - 1, -1, -1):
            if not _is_blank(row[j]):
                height, width = i + 1, max(width, j + 1)
                break
    return height, width


def _cut(rows: list[list[object]], height: int, width: int) -> list[list[object]]:
    """Rows cut (or padded with "") to exactly ``height`` × ``width``."""
    if height <= len(rows) and all(type(r) is list and len(r) == width for r in rows[:height]):
        return rows[:height]  # calamine's own rows, already the right size, kept as they are
    out = []
    for i in range(height):
        row = rows[i] if i < len(rows) else []
        if len(row) != width or type(row) is not list:
            row = list(row[:width])
            row += [""] * (width - len(row))
        out.append(row)
    return out


def _merged(ranges) -> list[tuple[int, int, int, int]]:
    return sorted((r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges or [])


def calamine_sheets(source, names: list[str]) -> dict[str, tuple[list[list[object]], list]]:
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


def make_sheet(
    name: str,
    kind: str,
    rows: list[list[object]],
    merged: list[tuple[int, int, int, int]],
    percent: set[tuple[int, int]],
    extent: Extent | None,
    route: str,
) -> BoundedSheet:
    """Calamine's rows cut to the data; the scan's own count kept where a scan was made
    (``extent`` None: the sheet was small enough to be read without one)."""
    height, width = _data_extent(rows)
    far = extent.blank_far if extent is not None else None
    beyond = far is not None and (far[0] >= height or far[1] >= width)
    return BoundedSheet(
        name,
        kind,
        _cut(rows, height, width),
        merged,
        {(r, c) for r, c in percent if r < height and c < width},
        extent.blank_count if extent is not None else 0,
        f"{column_letter(far[1])}{far[0] + 1}" if beyond else None,
        route,
        None if extent is None or route == "child" else extent.data_row + 1,
    )
