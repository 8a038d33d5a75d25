"""Problems back to the village as marked workbooks (筛查—整改—再筛查).

:func:`mark` writes, for every raw file with problems, a copy in the same layout in which each
problem cell is filled (errors red, warnings amber) and carries a Chinese comment saying what is
wrong, what is expected, the rule and, where there is one, a suggestion; a row that was not read
at all is tinted across. The copy's first sheet, 问题清单, lists the file's problems with a link
to each cell and a count by village. A CSV, ``.xls``, ``.xlsb`` or ``.ods`` becomes an ``.xlsx``
with the same rows and columns, so the row numbers and column letters of the messages still hold.

The copy reads like the original: fills and comments are not data, formulas are kept as the values
Excel last computed (what ingest reads), and ingest skips the 问题清单 sheet as structural, so a
clerk can correct the copy and send it back to be validated as it is. Raw files are only read.

Each problem comes with the village of its row, named by validation while it read the file
(:func:`analysis.ingest.registry.place_villages`): the lists count problems by village.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from analysis import config
from analysis.core import sheets as sheets_layout
from analysis.core.catalog import Catalog, default_catalog
from analysis.core.labels import label
from analysis.core.sheets import README_SHEET
from analysis.errors import ParameterError
from analysis.ingest.advice import (
    LETTERS,
    cell_ref,
    column_index,
    comment_text,
    problem_text,
    rule_text,
    suggestion,
    village_label,
)
from analysis.ingest.read import (
    COPYABLE,
    LAYER_SUFFIXES,
    PROBLEM_SHEET,
    TABLE_SUFFIXES,
    ReadError,
    Sheet,
    read_csv_sheet,
    read_workbook,
    rows_readable,
)
from analysis.ingest.registry import Registry
from analysis.ingest.rules import Scope, Severity, rule_of
from analysis.ingest.validate import ValidationResult, validate
from analysis.iorw import atomic_write_with
from analysis.version import fingerprint_files

#: The list of every problem of a run, beside the marked copies in the output folder.
OVERVIEW_NAME = f"{PROBLEM_SHEET}.xlsx"
AUTHOR = "minsheng"

#: Cell fills. Not Excel's built-in 差/适中 colours, so that marks of an earlier round can be
#: told from the clerk's own formatting and cleared when a returned copy is marked again.
CELL_COLOURS = {
    "error": sheets_layout.ERROR_FILL,
    "warning": sheets_layout.WARNING_FILL,
    "review": sheets_layout.REVIEW_FILL,
}
ROW_COLOUR = "FFFFE1E1"
_OUR_COLOURS = {*CELL_COLOURS.values(), ROW_COLOUR}
#: A cell with problems of several severities is coloured by the heaviest.
_HEAVIER = {severity.value: rank for rank, severity in enumerate(Severity)}

#: Of the spreadsheets a copy can be made of (COPYABLE), openpyxl keeps the layout of these; the
#: others are rebuilt cell by cell from what calamine or the CSV reader read.
_OPENPYXL = {".xlsx", ".xlsm"}

#: The problem list's columns (labels' ``column.*`` keys); the overview adds the marked copy.
_LIST_COLUMNS = ["number", "village_name", "file", "sheet", "cell", "value", "problem"]
_LIST_COLUMNS += ["expected", "advice", "severity", "rule", "explanation"]


@dataclass
class MarkResult:
    """What :func:`mark` wrote."""

    out_dir: Path
    copies: dict[str, Path] = field(default_factory=dict)  # raw file (as in messages) → copy
    overview: Path | None = None
    unmarked: list[str] = field(default_factory=list)  # files with problems but no copy
    validation: ValidationResult | None = None

    @property
    def written(self) -> list[Path]:
        return [*self.copies.values(), *([self.overview] if self.overview else [])]


# --- reading the sources -------------------------------------------------------------------------


def _read_sheets(path: Path, display: str) -> list[Sheet]:
    """Every sheet of a spreadsheet as ingest sees it (cells where Excel shows them; an .xls,
    .xlsb, .ods or .et by the extent of its data, as ingest reads it)."""
    if path.suffix.lower() in TABLE_SUFFIXES:
        return [read_csv_sheet(path, display)]
    return read_workbook(path, display)


class _Sources:
    """The raw files with problems, each read once."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self._sheets: dict[str, dict[str, Sheet] | None] = {}

    def path(self, display: str) -> Path:
        return self.base / display

    def sheets(self, display: str) -> dict[str, Sheet] | None:
        """Sheet name → grid, or None when the file is not a spreadsheet that can be read."""
        if display not in self._sheets:
            path = self.path(display)
            found = None
            if path.is_file() and path.suffix.lower() in COPYABLE:
                try:
                    found = {s.name: s for s in _read_sheets(path, display)}
                except ReadError:
                    found = None
            # A CSV whose records are broken (a quote never closed) has no faithful copy.
            if found and not rows_readable(found.values()):
                found = None
            self._sheets[display] = found
        return self._sheets[display]


def _base(raw: Path) -> Path:
    return raw if raw.is_dir() else raw.parent


# --- the marked copy -----------------------------------------------------------------------------


def _sheet_title(display: str) -> str:
    """A worksheet name for a CSV's only sheet: its file name, as Excel allows."""
    stem = ILLEGAL_CHARACTERS_RE.sub("", PurePosixPath(display).stem)
    title = re.sub(r"[\[\]:*?/\\]", "_", stem)[:31].strip("'")
    return title if title and title != PROBLEM_SHEET else "数据"


def _clean_value(value: object) -> object:
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def _workbook_from_grids(
    sheets: dict[str, Sheet], display: str, headers: dict[str, int]
) -> tuple[Workbook, dict]:
    """A new workbook holding every grid at its place, laid out as every workbook is
    (:mod:`analysis.core.sheets`) with the rows down to ``headers[name]`` as its header; sheet
    name map (``""`` for a CSV)."""
    wb = Workbook()
    wb.remove(wb.active)
    titles = {}
    for name, sheet in sheets.items():
        ws = wb.create_sheet(name or _sheet_title(display))
        titles[name] = ws.title
        layouts = [
            sheets_layout.column("", sheet.cells.iloc[:, j]) for j in range(sheet.cells.shape[1])
        ]
        sheets_layout.lay_out(ws, layouts, header_row=headers.get(name, 1))
        for (r, c), value in sheet.cells.stack().items():
            if value == "" or value is None:
                continue
            cell = ws.cell(int(r) + 1, int(c) + 1, _clean_value(value))
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: "=1+1" in a CSV is not a formula
            sheets_layout.data_style(cell, layouts[int(c)])
        heights = sheets_layout.row_heights(sheet.cells.to_numpy().tolist(), layouts, first_row=1)
        sheets_layout.set_heights(ws, heights)
        for r0, c0, r1, c1 in sheet.merged:
            if (r0, c0) != (r1, c1):
                ws.merge_cells(
                    start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1
                )
    return wb, titles


def _open_copy(
    path: Path, sheets: dict[str, Sheet], display: str, headers: dict[str, int]
) -> tuple[Workbook, dict]:
    """The source as an openpyxl workbook, earlier marks removed; sheet name map. An .xlsx
    keeps the clerk's own layout; a sheet rebuilt from its cells gets the house layout, with
    the rows down to ``headers[name]`` as its header."""
    if path.suffix.lower() in _OPENPYXL:
        try:
            # The values Excel last computed: what ingest reads. openpyxl cannot save a
            # formula with its value, and a formula without one would read as empty.
            wb = load_workbook(path, data_only=True)
        except Exception:  # openpyxl rejects some files calamine reads; rebuild those from cells
            return _workbook_from_grids(sheets, display, headers)
        if PROBLEM_SHEET in wb.sheetnames:
            # A returned copy: its 说明 is ours too.
            del wb[PROBLEM_SHEET]
            if README_SHEET in wb.sheetnames:
                del wb[README_SHEET]
        for ws in wb.worksheets:
            # Only as far as the data: iter_rows() would make a cell of every position up to a
            # stray far cell (XFD1048576), billions of them.
            height, width = sheets[ws.title].cells.shape if ws.title in sheets else (0, 0)
            for row in ws.iter_rows(max_row=max(height, 1), max_col=max(width, 1)):
                for cell in row:
                    if cell.fill is not None and cell.fill.fgColor.rgb in _OUR_COLOURS:
                        cell.fill = PatternFill()
                    if getattr(cell, "comment", None) is not None and cell.comment.author == AUTHOR:
                        cell.comment = None
        return wb, {name: name for name in wb.sheetnames}
    return _workbook_from_grids(sheets, display, headers)


def _on_file(rule: str) -> bool:
    """Whether a problem of ``rule`` is about a whole file, with no cell to be shown in."""
    return rule_of(rule).scope is Scope.FILE


def _merged_top_left(ws, row: int, col: int) -> tuple[int, int]:
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= col <= merged.max_col:
            return merged.min_row, merged.min_col
    return row, col


def _mark_sheet(
    ws, problems: pd.DataFrame, sheet: Sheet | None, rows: set[int], catalog: Catalog
) -> dict[int, str]:
    """Fill and comment the problem cells, tint the rows not read; suggestion per problem."""
    # As far right as the sheet has anything: a stray far cell must not make a row 16384 wide.
    used = (sheet.cells != "").any(axis=0).to_numpy().nonzero()[0] if sheet is not None else []
    width = int(used[-1]) + 1 if len(used) else 1
    for row in sorted(rows):
        for col in range(1, width + 1):
            ws.cell(row, col).fill = PatternFill("solid", fgColor=ROW_COLOUR)
    advice: dict[int, str] = {}
    notes: dict[tuple[int, int], list[str]] = {}
    worst: dict[tuple[int, int], str] = {}
    for index, item in problems.iterrows():
        if _on_file(item["rule"]):
            continue
        advice[index] = suggestion(item, sheet, catalog)
        row = int(item["row"]) or 1
        col = column_index(item["column"]) + 1 if LETTERS.fullmatch(item["column"]) else 1
        target = _merged_top_left(ws, row, col)
        for place in {(row, col), target}:
            if _HEAVIER[item["severity"]] <= _HEAVIER[worst.get(place, item["severity"])]:
                worst[place] = item["severity"]
        text = comment_text(item, advice[index], catalog)
        if target != (row, col):
            text = f"{get_column_letter(col)}{row}：{text}"
        notes.setdefault(target, []).append(text)
    for (row, col), severity in worst.items():
        ws.cell(row, col).fill = PatternFill("solid", fgColor=CELL_COLOURS[severity])
    for (row, col), texts in notes.items():
        cell = ws.cell(row, col)
        text = "\n\n".join(texts)
        if cell.comment is not None:  # the clerk's own note stays, after ours
            text += f"\n\n原批注：{cell.comment.text}"
        lines = sum(1 + len(line) // 22 for line in text.splitlines())
        height = min(16 * lines + 20, 600)
        cell.comment = Comment(_clean_value(text), AUTHOR, height=height, width=320)
    return advice


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _put_row(ws, row: int, values: list[object], font: Font | None = None) -> None:
    """Write one row of the list; text stays text (a value "=…" typed in a cell is no formula)."""
    for col, value in enumerate(values, start=1):
        if value is None or value == "":
            continue
        cell = ws.cell(row, col, _clean_value(value))
        if isinstance(value, str):
            cell.data_type = "s"
        if font is not None:
            cell.font = font


def _list_sheet(wb: Workbook, title: str, note: str, records: list[dict], overview: bool) -> None:
    """The first sheet: counts by village, then every problem with a link to its cell."""
    ws = wb.create_sheet(PROBLEM_SHEET, 0)
    wb.active = 0
    bold = Font(bold=True)
    _put_row(ws, 1, [title], Font(bold=True, size=14))
    _put_row(ws, 2, [note])
    # The counts sit under the list's village column, which is wide enough for a name.
    counts_header = ["by_village", "errors", "warnings", "total"]
    _put_row(ws, 4, [None, *(label(f"column.{k}") for k in counts_header)], bold)
    counts: dict[str, list[int]] = {}
    order: dict[str, tuple] = {}
    for rec in records:
        counts.setdefault(rec["village_name"], [0, 0])[rec["severity"] != "error"] += 1
        order[rec["village_name"]] = rec["village_order"]
    row = 4
    for village in sorted(counts, key=lambda v: (order[v], v)):
        errors, warnings = counts[village]
        row += 1
        _put_row(ws, row, [None, village, errors, warnings, errors + warnings])
    columns = list(_LIST_COLUMNS)
    if overview:
        columns.insert(3, "marked_copy")
    header_row = row + 2
    _put_row(ws, header_row, [label(f"column.{k}") for k in columns], bold)
    for number, rec in enumerate(records, start=1):
        row = header_row + number
        values = {**rec, "number": number, "severity": label(f"severity.{rec['severity']}")}
        _put_row(ws, row, [values[k] for k in columns])
        if rec["location"]:
            cell = ws.cell(row, columns.index("cell") + 1)
            target = rec["marked_copy"] if overview else None
            cell.hyperlink = Hyperlink(ref=cell.coordinate, target=target, location=rec["location"])
            cell.font = Font(color="FF0563C1", underline="single")
        ws.cell(row, columns.index("severity") + 1).fill = PatternFill(
            "solid", fgColor=CELL_COLOURS[rec["severity"]]
        )
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A{header_row}:{last}{header_row + len(records)}"
    # Widths from the counts and the list; the title and the note above them wrap.
    layouts = [
        sheets_layout.column("", [cell.value for cell in cells])
        for cells in ws.iter_cols(min_row=4, max_col=len(columns))
    ]
    sheets_layout.lay_out(ws, layouts, header_row=header_row, first_header_row=header_row)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(columns))
    ws.cell(2, 1).alignment = Alignment(wrap_text=True, vertical="top")
    width = sum(layout.width for layout in layouts)
    ws.row_dimensions[2].height = 15 * (1 + sheets_layout.text_width(note) // int(width))
    for cells in ws.iter_rows(min_row=header_row + 1, max_col=len(columns)):
        for cell, layout in zip(cells, layouts, strict=True):
            sheets_layout.data_style(cell, layout)
    listed = ws.iter_rows(min_row=header_row + 1, max_col=len(columns), values_only=True)
    sheets_layout.set_heights(
        ws, sheets_layout.row_heights(list(listed), layouts, first_row=header_row + 1)
    )


def _header_row(entry: dict | None) -> int:
    """The last header row of a sheet as ingest read it (1 where it found none)."""
    rows = [s["row"] for s in (entry or {}).get("structural", []) if s["reason"] == "header"]
    return max(rows, default=1)


def _readme(wb: Workbook, source: str, fingerprint: str | None) -> None:
    """说明 before the list: one line per sheet, the raw file and its fingerprint, the colours."""
    lines = {PROBLEM_SHEET: label("sheet.problem_list", "zh")}
    sheets_layout.readme_sheet(
        wb,
        [(name, lines.get(name, label("sheet.marked_copy", "zh"))) for name in wb.sheetnames],
        source=source,
        fingerprint=fingerprint,
    )
    wb.active = 0


def _has_formulas(path: Path) -> bool:
    """Whether an .xlsx holds a formula (its copy keeps only the computed values)."""
    with zipfile.ZipFile(path) as book:
        return any(
            re.search(rb"<f[ >]", book.read(name))
            for name in book.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def _note(display: str, errors: int, warnings: int, formulas: bool) -> str:
    text = (
        f"共 {errors + warnings} 条：错误 {errors} 条（未读入，须改正），提示 {warnings} 条"
        "（已读入，请核对）。红色格为错误，黄色格为提示，浅红整行表示该行未读入；"
        "鼠标移到格上可看批注，点“单元格”一列可跳到该格。改正后交回，再运行 minsheng validate 复查。"
        "本工作表不作数据读取。"
    )
    suffix = PurePosixPath(display).suffix.lower()
    if suffix not in _OPENPYXL:
        text += f"原文件为 {suffix}，已转存为 .xlsx，行号、列号不变；交回后用本文件替换原文件。"
    if formulas:
        text += "原表的公式已换成当时算出的数值（读取时也只读数值）；改正后请重新核对合计等公式格。"
    if PurePosixPath(display).name == config.REGISTRY_FILE:
        text += f"村名录须为 CSV：改正后请另存为 {config.REGISTRY_FILE}（CSV UTF-8）。"
    return text


# --- the run -------------------------------------------------------------------------------------


def _check_out_dir(raw: Path, out_dir: Path) -> None:
    """Refuse an output folder where a copy could replace a raw file or be read as one."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ParameterError(f"{out_dir} 不是目录 / is not a folder")
    out, base = out_dir.resolve(), _base(raw).resolve()
    inside = out == base or (raw.is_dir() and base in out.parents)
    if inside:
        raise ParameterError(
            f"标注文件不能写在原始数据目录里：{out_dir}（请另选目录）/ the marked copies cannot go "
            f"into the raw folder {base}: choose another folder"
        )


def _copy_names(displays: Iterable[str], raw: Path) -> dict[str, str]:
    """Copy file name per raw file: ``x.xlsx`` for ``x.csv``, unless a raw file has that name
    (the copy is to replace its original when it comes back)."""
    base = _base(raw)
    files = base.rglob("*") if raw.is_dir() else base.iterdir()
    existing = {p.relative_to(base).as_posix().lower() for p in files if p.is_file()}
    taken = {OVERVIEW_NAME.lower()}
    names = {}
    for display in sorted(displays):
        path = PurePosixPath(display)
        name = path.with_suffix(".xlsx").as_posix()
        if name.lower() in taken or (name.lower() in existing and name != display):
            name = path.with_name(f"{path.stem}_{path.suffix.lstrip('.').lower()}.xlsx").as_posix()
        taken.add(name.lower())
        names[display] = name
    return names


def _village_order(code: str, name: str) -> tuple:
    return (0, code) if code else (1, name) if name else (2, "")


def mark(
    raw: Path | str,
    out_dir: Path | str,
    *,
    registry: Path | str | Registry | None = None,
    catalog: Catalog | None = None,
    result: ValidationResult | None = None,
) -> MarkResult:
    """Write a marked copy of every raw file with problems, and the list of them all.

    Parameters
    ----------
    raw
        The raw folder, or one file, as given to :func:`~analysis.ingest.validate.validate`.
    out_dir
        Where the copies go (created if needed), mirroring the raw folder; never inside it.
        Besides the copies, ``问题清单.xlsx`` lists every problem of the run, those of files
        no copy can be made of (unreadable files, map layers) included.
    registry, catalog
        As for ``validate``.
    result
        The validation of ``raw`` when already done (the command validates once).

    Returns
    -------
    MarkResult
        Nothing is written when there is no problem.

    Raises
    ------
    ParameterError
        ``out_dir`` is the raw folder or inside it.
    """
    raw, out = Path(raw), Path(out_dir)
    catalog = catalog or default_catalog()
    _check_out_dir(raw, out)
    result = result or validate(raw, registry=registry, catalog=catalog)
    outcome = MarkResult(out_dir=out, validation=result)
    problems = result.problems
    if problems.empty:
        return outcome
    sources = _Sources(_base(raw))
    markable = [
        f
        for f in problems["file"].unique()
        if PurePosixPath(f).suffix.lower() not in LAYER_SUFFIXES and sources.sheets(f) is not None
    ]
    names = _copy_names(markable, raw)
    entries = {(e["file"], e["sheet"]): e for e in result.summary["files"]}
    records: list[dict] = []
    for display in problems["file"].unique():
        of_file = problems[problems["file"] == display]
        if display not in names:
            outcome.unmarked.append(display)
            records += _records(of_file, {}, {}, "", catalog)
            continue
        sheets = sources.sheets(display)
        source = sources.path(display)
        headers = {name: _header_row(entries.get((display, name))) for name in sheets}
        wb, titles = _open_copy(source, sheets, display, headers)
        formulas = source.suffix.lower() in _OPENPYXL and _has_formulas(source)
        advice: dict[int, str] = {}
        for sheet_name, of_sheet in of_file.groupby("sheet", sort=False):
            if titles.get(sheet_name) not in wb.sheetnames:
                continue
            states = result.rows.get((display, sheet_name))
            rows = set() if states is None else set(states.index[states["status"] == "quarantined"])
            ws = wb[titles[sheet_name]]
            advice |= _mark_sheet(ws, of_sheet, sheets.get(sheet_name), rows, catalog)
        own = _records(of_file, titles, advice, names[display], catalog)
        errors = sum(r["severity"] == "error" for r in own)
        _list_sheet(
            wb,
            f"问题清单：{display}",
            _note(display, errors, len(own) - errors, formulas),
            own,
            overview=False,
        )
        _readme(wb, display, fingerprint_files([source], root=source.parent))
        target = out / names[display]
        atomic_write_with(target, wb.save)
        outcome.copies[display] = target
        records += own
    errors = sum(r["severity"] == "error" for r in records)
    overview = Workbook()
    overview.remove(overview.active)
    note = (
        f"全部文件共 {len(records)} 条：错误 {errors} 条，提示 {len(records) - errors} 条。"
        "每个有问题的表格都有一份标注副本（“标注文件”一列），点“单元格”可打开到该格；"
        "无法生成副本的文件（打不开的文件、地图图层）只列在这里。"
    )
    _list_sheet(overview, "问题清单：全部文件", note, records, overview=True)
    _readme(overview, raw.name, None)
    outcome.overview = atomic_write_with(out / OVERVIEW_NAME, overview.save)
    return outcome


def _records(
    problems: pd.DataFrame, titles: dict, advice: dict[int, str], copy: str, catalog: Catalog
) -> list[dict]:
    """One list entry per problem: where it is in the copy, what it says, whose it is."""
    out = []
    for index, item in problems.iterrows():
        title = titles.get(item["sheet"], item["sheet"])
        ref = cell_ref(int(item["row"]), item["column"])
        anchor = ref if LETTERS.match(ref) else f"A{int(item['row']) or 1}"
        linked = bool(copy) and not _on_file(item["rule"]) and title
        _, expected, default_advice = rule_text(item["rule"], catalog)
        out.append(
            {
                "village_name": village_label(item["village_code"], item["village"]),
                "village_order": _village_order(item["village_code"], item["village"]),
                "file": item["file"],
                "marked_copy": copy,
                "sheet": title,
                "cell": ref,
                "value": item["value"],
                "problem": problem_text(item),
                "expected": expected,
                "advice": advice.get(index) or default_advice,
                "severity": item["severity"],
                "rule": item["rule"],
                "explanation": "",
                "location": f"{_quote_sheet(title)}!{anchor}" if linked else "",
            }
        )
    return out
