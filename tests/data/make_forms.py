"""Write the real-shaped input cases of issue 12 into ``tests/data/forms/<case>/``.

Each case is a small raw folder: its own ``villages.csv`` registry and the file(s) that show one
shape township offices really send (county forms with grouped, merged headers; ``.xls``/``.ods``/
``.et``; the long form; a GBK CSV with an unclosed quote or an unquoted thousands separator; a
fraction among percentages; BOM + GBK; an unclosed polygon ring; a far stray cell; a registry
beside a single file; an empty workbook; a header nobody can read). Every figure is derived from
the bundled sample in ``data/raw`` (synthetic, 示例数据) so the true answer of each case is known;
``CASES.md`` (for people) and ``expected.json`` (for tests) state it, and are written by this
script from the same table so that they cannot disagree with the files.

The generated files are committed; run this again after changing it or the sample:

    .venv/bin/python tests/data/make_forms.py          # needs openpyxl, xlwt and odfpy

Every file is written with fixed timestamps, so regenerating gives identical bytes.

Two inputs are too big to commit and are made at test time by functions that need only the
standard library (import this module from a test; nothing heavy is imported at module level):

- :func:`make_oversize` — an ``.xlsx`` of the sample's table followed by millions of rows holding
  one space (about 9 MB for 3,000,000 rows);
- :func:`make_over_bytes` — a valid GBK CSV just over a given byte size.

:func:`overlay` copies ``data/raw`` and lays a case over it, for build-level tests (the 2019 report
must not state 2018 figures when the 2019 workbook is an ``.xls``, empty or unreadable, …).
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import random
import re
import shutil
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from openpyxl.utils import get_column_letter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RAW = ROOT / "data" / "raw"
FORMS = HERE / "forms"

FIXED = dt.datetime(2020, 1, 1, 0, 0, 0)
YEAR = 2019
WORKBOOK = f"民生工作台账_{YEAR}.xlsx"
POPULATION = "户数人口_2014-2019.csv"

#: 小江镇 (360722106), 信丰县: its 19 village-level units, from the project's reference copy of
#: the NBS 统计用区划代码 2023 (../shared/realdata/xinfeng_villages.csv, via china-division 2.7.0,
#: MIT/WTFPL). 老圩村委会 shares its short name with 大桥镇's 老圩居委会 (360722103003): matched
#: against the bundled sample it would silently get 大桥镇's code.
XIAOJIANG_CODE, XIAOJIANG_NAME = "360722106", "小江镇"
XIAOJIANG = [
    ("360722106001", "小江居委会"),
    ("360722106002", "柳塘圩居委会"),
    ("360722106200", "小江村委会"),
    ("360722106201", "井塘村委会"),
    ("360722106202", "柳塘村委会"),
    ("360722106203", "芫坝村委会"),
    ("360722106204", "山香村委会"),
    ("360722106205", "新庄村委会"),
    ("360722106206", "下围村委会"),
    ("360722106207", "莲青村委会"),
    ("360722106208", "排高村委会"),
    ("360722106209", "内江村委会"),
    ("360722106210", "湖东村委会"),
    ("360722106211", "铺下村委会"),
    ("360722106212", "圳下村委会"),
    ("360722106213", "老圩村委会"),
    ("360722106214", "中兴村委会"),
    ("360722106215", "新店村委会"),
    ("360722106216", "罗结村委会"),
]

FOOTER = "填表人：李明　　　　审核人：王芳　　　　填报日期：2020年1月10日"
FILLER = "填报单位（盖章）：大桥镇人民政府　　　　　　　　单位：户、人、%"


# --- the sample, read once ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """The figures every case is derived from (all from ``data/raw``)."""

    villages: list[dict[str, str]]  # the registry rows
    sheets: dict[str, list[list[object]]]  # the 2019 workbook, sheet → rows (Excel row 1 first)
    population_bytes: bytes  # 户数人口_2014-2019.csv as sent (GBK, CRLF)

    def sheet_rows(self, sheet: str) -> list[list[object]]:
        """Village rows of a 2019 sheet (between the header on row 3 and the 合计 row)."""
        return [r for r in self.sheets[sheet][3:] if r[1] != "合计"]

    def column(self, sheet: str, header: str) -> dict[str, object]:
        """Village short name → value of the column whose header is ``header``."""
        index = self.sheets[sheet][2].index(header)
        return {r[1]: r[index] for r in self.sheet_rows(sheet)}

    def population_lines(self) -> list[bytes]:
        return self.population_bytes.split(b"\r\n")

    def population(self, year: int) -> dict[str, tuple[int, int]]:
        """Official name → (households, population) in ``year``."""
        rows = csv.reader(io.StringIO(self.population_bytes.decode("gbk")))
        next(rows)
        return {r[0]: (int(r[2]), int(r[3])) for r in rows if r and int(r[1]) == year}

    def short(self, official: str) -> str:
        return next(v["short_name"] for v in self.villages if v["name"] == official)


def read_sample() -> Sample:
    from openpyxl import load_workbook

    with (RAW / "villages.csv").open(encoding="utf-8", newline="") as f:
        villages = list(csv.DictReader(f))
    wb = load_workbook(RAW / WORKBOOK, data_only=True)
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb}
    return Sample(villages, sheets, (RAW / POPULATION).read_bytes())


# --- writers ------------------------------------------------------------------------------------


def normalised_zip(data: bytes) -> bytes:
    """Rewrite a zip container (xlsx, ods) with fixed timestamps and dates, entry order kept.

    An ODS ``mimetype`` entry stays first and stored (uncompressed), as the format requires.
    """
    stamp = FIXED.strftime("%Y-%m-%dT%H:%M:%S")
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED.timetuple()[:6])
            info.compress_type = (
                zipfile.ZIP_STORED if item.filename == "mimetype" else zipfile.ZIP_DEFLATED
            )
            info.external_attr = item.external_attr
            content = src.read(item.filename)
            if item.filename in ("docProps/core.xml", "meta.xml"):
                content = re.sub(
                    rb"(<(dcterms:modified|dcterms:created|meta:creation-date|dc:date)[^>]*>)"
                    rb"[^<]*(</\2>)",
                    rb"\g<1>" + stamp.encode() + rb"Z\g<3>",
                    content,
                )
            dst.writestr(info, content)
    return out.getvalue()


def save_xlsx(wb, path: Path) -> None:
    """Save an openpyxl workbook with fixed timestamps (identical bytes on every run)."""
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.creator = "minsheng tests"
    wb.properties.lastModifiedBy = None
    buffer = io.BytesIO()
    wb.save(buffer)
    path.write_bytes(normalised_zip(buffer.getvalue()))


@dataclass
class Grid:
    """One sheet as a clerk laid it out: rows of values, merged ranges, number formats.

    ``merged`` holds 0-based inclusive (first_row, first_col, last_row, last_col), as calamine
    reports them; ``formats`` maps (row, col) → an Excel number format.
    """

    name: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formats: dict[tuple[int, int], str] = field(default_factory=dict)
    #: 0-based rows and columns the clerk hid (.ods only)
    hidden_rows: set[int] = field(default_factory=set)
    hidden_columns: set[int] = field(default_factory=set)

    @property
    def width(self) -> int:
        return max(len(r) for r in self.rows)


def write_xlsx(path: Path, grids: Sequence[Grid]) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for grid in grids:
        ws = wb.create_sheet(grid.name)
        for row in grid.rows:
            ws.append(list(row))
        for r0, c0, r1, c1 in grid.merged:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for (r, c), fmt in grid.formats.items():
            ws.cell(r + 1, c + 1).number_format = fmt
        ws.column_dimensions[get_column_letter(2)].width = 14
    save_xlsx(wb, path)


def write_xls(path: Path, grids: Sequence[Grid]) -> None:
    """Excel 97-2003 (BIFF8) through xlwt, merged cells kept (value in the top-left cell)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    for grid in grids:
        ws = book.add_sheet(grid.name, cell_overwrite_ok=True)
        covered = set()
        for r0, c0, r1, c1 in grid.merged:
            value = grid.rows[r0][c0] if c0 < len(grid.rows[r0]) else None
            ws.write_merge(r0, r1, c0, c1, "" if value is None else value)
            covered |= {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        styles: dict[str, object] = {}
        for r, row in enumerate(grid.rows):
            for c, value in enumerate(row):
                if (r, c) in covered or value is None:
                    continue
                fmt = grid.formats.get((r, c))
                if fmt:
                    style = styles.setdefault(fmt, xlwt.easyxf(num_format_str=fmt))
                    ws.write(r, c, value, style)
                else:
                    ws.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())


def write_ods(path: Path, grids: Sequence[Grid]) -> None:
    """OpenDocument spreadsheet through odfpy, merged cells as spanned + covered cells."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import CoveredTableCell, Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for grid in grids:
        table = Table(name=grid.name)
        if grid.hidden_columns:
            for c in range(grid.width):
                shown = "collapse" if c in grid.hidden_columns else "visible"
                table.addElement(TableColumn(visibility=shown))
        else:
            table.addElement(TableColumn(numbercolumnsrepeated=grid.width))
        spans = {(r0, c0): (r1 - r0 + 1, c1 - c0 + 1) for r0, c0, r1, c1 in grid.merged}
        covered = {
            (r, c)
            for r0, c0, r1, c1 in grid.merged
            for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)
        }
        for r, row in enumerate(grid.rows):
            tr = TableRow(visibility="collapse") if r in grid.hidden_rows else TableRow()
            for c in range(grid.width):
                value = row[c] if c < len(row) else None
                if (r, c) in covered:
                    tr.addElement(CoveredTableCell())
                    continue
                attrs = {}
                if (r, c) in spans:
                    rows_spanned, cols_spanned = spans[(r, c)]
                    attrs = {
                        "numberrowsspanned": rows_spanned,
                        "numbercolumnsspanned": cols_spanned,
                    }
                if isinstance(value, int | float):
                    cell = TableCell(valuetype="float", value=value, **attrs)
                    cell.addElement(P(text=str(value)))
                elif value is not None:
                    cell = TableCell(valuetype="string", **attrs)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(**attrs)
                tr.addElement(cell)
            table.addElement(tr)
        doc.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    doc.write(buffer)
    path.write_bytes(normalised_zip(buffer.getvalue()))


def write_csv(path: Path, rows: Sequence[Sequence[object]], encoding: str) -> None:
    """As Excel saves "CSV": CRLF line ends, minimal quoting."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))


def registry_rows(villages: Sequence[tuple[str, str]], town_code: str, town_name: str):
    """Registry rows (code, name, short_name, kind, town_code, town_name) as the sample writes
    them: 竹村村委会 → 竹村村, 新圩居委会 → 新圩, 莲花山社区居委会 → 莲花山社区."""
    rows = [["code", "name", "short_name", "kind", "town_code", "town_name"]]
    for code, name in villages:
        kind = "村委会" if name.endswith("村委会") else "居委会"
        short = name.removesuffix("委会") if kind == "村委会" else name.removesuffix("居委会")
        rows.append([code, name, short, kind, town_code, town_name])
    return rows


# --- the county form ----------------------------------------------------------------------------


def county_form(
    s: Sample,
    *,
    header_rows: int = 2,
    subheaders: bool = False,
    year_column: bool = True,
    labels_below: bool = False,
) -> Grid:
    """The county's 民生工作情况统计表 for 大桥镇 2019: title, 填报单位, grouped header with merged
    cells, nine village rows, a 合计 row (label merged over 序号 and name), a footer.

    ``header_rows=2, subheaders=False``: 脱贫攻坚 over 未脱贫户数 / 未脱贫人口 / 脱贫户数, 社会保障 over
    the two rates; 序号, 村（居）名称, 年度 merged down both rows.
    ``header_rows=2, subheaders=True``: 未脱贫情况 over 户数 / 人口 (the poor households and people,
    not the totals), 脱贫户数 merged down, 社会保障 over the rates.
    ``header_rows=3``: 脱贫攻坚 over (未脱贫情况 over 户数 / 人口) and 脱贫户数; 社会保障 over the rates.
    ``year_column=False``: no 年度 column; the year is only in the title (and 2020 in the footer's
    填报日期, which is not the data's year).
    ``labels_below=True``: no label is merged down; 序号, 村（居）名称, 年度 and 脱贫户数 sit in the last
    header row beside 户数 / 人口, and the first header row holds only the group labels.
    """
    poor_h = s.column("脱贫攻坚", "剩余贫困户（户）")
    poor_p = s.column("脱贫攻坚", "未脱贫人口(人)")
    exits = s.column("脱贫攻坚", "当年脱贫户数")
    medical = s.column("社会保障", "医疗保险参保率（%）")
    pension = s.column("社会保障", "养老保险参保率（%）")
    keys = ["序号", "村（居）名称", *(["年度"] if year_column else [])]
    k = len(keys)  # first figure column
    width = k + 5
    title = f"大桥镇{YEAR}年度民生工作情况统计表（示例数据）"
    rows: list[list[object]] = [[title] + [None] * (width - 1), [FILLER] + [None] * (width - 1)]
    merged = [(0, 0, 0, width - 1), (1, 0, 1, width - 1)]
    h0 = 2  # first header row (0-based)
    last = h0 + header_rows - 1
    blank = [None] * width
    header = [list(blank) for _ in range(header_rows)]
    for c, key in enumerate(keys):
        header[0][c] = key
        merged.append((h0, c, last, c))
    rates = ["医疗保险参保率（%）", "养老保险参保率（%）"]
    if header_rows == 2 and not subheaders:
        header[0][k], header[0][k + 3] = "脱贫攻坚", "社会保障"
        header[1][k : k + 5] = ["未脱贫户数", "未脱贫人口", "脱贫户数", *rates]
        merged += [(h0, k, h0, k + 2), (h0, k + 3, h0, k + 4)]
    elif header_rows == 2:
        header[0][k], header[0][k + 2], header[0][k + 3] = (
            "未脱贫情况",
            "脱贫户数（户）",
            "社会保障",
        )
        header[1][k : k + 2] = ["户数", "人口"]
        header[1][k + 3 : k + 5] = rates
        merged += [(h0, k, h0, k + 1), (h0, k + 2, last, k + 2), (h0, k + 3, h0, k + 4)]
    else:
        header[0][k], header[0][k + 3] = "脱贫攻坚", "社会保障"
        header[1][k], header[1][k + 2] = "未脱贫情况", "脱贫户数（户）"
        header[1][k + 3 : k + 5] = rates
        header[2][k : k + 2] = ["户数", "人口"]
        merged += [
            (h0, k, h0, k + 2),
            (h0, k + 3, h0, k + 4),
            (h0 + 1, k, h0 + 1, k + 1),
            (h0 + 1, k + 2, last, k + 2),
            (h0 + 1, k + 3, last, k + 3),
            (h0 + 1, k + 4, last, k + 4),
        ]
    if labels_below:
        for r0, c0, r1, c1 in [m for m in merged if m[0] == h0 and m[2] == last and m[1] == m[3]]:
            header[0][c0], header[-1][c0] = None, header[0][c0]
            merged.remove((r0, c0, r1, c1))
    rows += header
    for i, v in enumerate(s.sheet_rows("脱贫攻坚"), start=1):
        name = v[1]
        figures = [poor_h[name], poor_p[name], exits[name], medical[name], pension[name]]
        rows.append([i, name, *([YEAR] if year_column else []), *figures])
    t_poor = next(r for r in s.sheets["脱贫攻坚"] if r[1] == "合计")
    t_soc = next(r for r in s.sheets["社会保障"] if r[1] == "合计")
    total_row = len(rows)
    rows.append(
        [
            "合计",
            None,
            *([YEAR] if year_column else []),
            *(t_poor[3], t_poor[4], t_poor[5]),
            *(t_soc[3], t_soc[4]),
        ]
    )
    merged.append((total_row, 0, total_row, 1))
    rows.append([FOOTER] + [None] * (width - 1))
    merged.append((len(rows) - 1, 0, len(rows) - 1, width - 1))
    return Grid("统计表", rows, merged)


def sample_grids(s: Sample) -> list[Grid]:
    """The sample's 2019 workbook as grids (four sheets, values as stored)."""
    return [Grid(name, [list(r) for r in rows]) for name, rows in s.sheets.items()]


def sample_workbook(s: Sample, edit: Callable[[object], None] | None = None):
    """An openpyxl copy of the sample's 2019 workbook, optionally edited in place."""
    from openpyxl import load_workbook

    wb = load_workbook(RAW / WORKBOOK)
    if edit:
        edit(wb)
    return wb


# --- the cases ----------------------------------------------------------------------------------


@dataclass
class Expect:
    """One thing a correct implementation reports (or must not do)."""

    rule: str  # an existing rule in analysis/validate.RULES, or a proposed one (new=True)
    severity: str
    file: str
    row: int | None = None  # Excel row / CSV physical line, 1-based
    column: str | None = None
    sheet: str | None = None
    new: bool = False
    forbidden: bool = False  # a record that must NOT appear
    note: str = ""


@dataclass
class Case:
    name: str
    what: str
    correct: str
    files: list[str] = field(default_factory=list)
    expect: list[Expect] = field(default_factory=list)
    truth: dict[str, object] = field(default_factory=dict)
    #: files of data/raw this case replaces when laid over a copy of the sample (:func:`overlay`)
    replaces: list[str] = field(default_factory=list)
    generated: bool = False  # made at test time, not committed


def _registry(folder: Path, s: Sample) -> None:
    shutil.copyfile(RAW / "villages.csv", folder / "villages.csv")


def build_cases(s: Sample) -> list[tuple[Case, Callable[[Path], None]]]:
    """Every case with the function that writes its folder."""
    cases: list[tuple[Case, Callable[[Path], None]]] = []

    def case(**kw):
        def register(writer: Callable[[Path], None]):
            cases.append((Case(**kw), writer))
            return writer

        return register

    pop2019 = s.population(YEAR)
    households = sum(h for h, _ in pop2019.values())
    people = sum(p for _, p in pop2019.values())
    poor = next(r for r in s.sheets["脱贫攻坚"] if r[1] == "合计")
    soc = next(r for r in s.sheets["社会保障"] if r[1] == "合计")
    county_truth = {
        "year": YEAR,
        "villages": 9,
        "values": 45,
        "poor_households_remaining": poor[3],
        "poor_people_remaining": poor[4],
        "poverty_exit_households": poor[5],
        "medical_insurance_rate_totals_row": soc[3],
        "pension_insurance_rate_totals_row": soc[4],
        "never": "households / population (户数/人口 under a group are not the totals)",
    }
    form = "民生工作情况统计表_2019"

    # 1 — county forms
    grid = county_form(s)
    case(
        name="county_form",
        what="县里的统计表: title, 填报单位 row, two-row grouped header (脱贫攻坚 over 3 columns, "
        "社会保障 over 2; 序号/村（居）名称/年度 merged down both rows), 9 village rows, 合计 "
        "(merged over 序号+名称), 填表人/审核人 footer",
        correct="header = rows 3–4 read together; 45 values (9 villages × 5 indicators) "
        "accepted; rows 1, 2, 3, 4, 14, 15 structural (title, 填报单位, header ×2, 合计, footer); "
        "totals row checked and matching",
        files=[f"{form}.xlsx"],
        truth=county_truth,
        expect=[Expect("totals_mismatch", "warning", f"{form}.xlsx", 14, forbidden=True)],
    )(
        lambda d, g=grid: (_registry(d, s), write_xlsx(d / f"{form}.xlsx", [g])),
    )
    grid_sub = county_form(s, subheaders=True)
    case(
        name="county_form_subheaders",
        what="two-row header where 户数 / 人口 sit under the group 未脱贫情况 (D3:E3 merged), "
        "脱贫户数（户） merged down, 社会保障 over the two rates",
        correct="D, E are the POOR households / people (group + sub-header: 未脱贫户数, 未脱贫人口) "
        "— or, if the pair is not understood, unknown_column naming '未脱贫情况 户数'; NEVER "
        "households / population",
        files=[f"{form}.xlsx"],
        truth={**county_truth, "D": "poor_households_remaining", "E": "poor_people_remaining"},
        expect=[
            Expect(
                "unknown_column",
                "error",
                f"{form}.xlsx",
                4,
                "D",
                note="acceptable only if the group+sub-header is not resolved; never households",
            )
        ],
    )(lambda d, g=grid_sub: (_registry(d, s), write_xlsx(d / f"{form}.xlsx", [g])))
    grid_below = county_form(s, subheaders=True, labels_below=True)
    case(
        name="county_form_labels_below",
        what="two-row header whose first row holds only the groups (未脱贫情况 over D:E, 社会保障 "
        "over G:H) and whose second row holds 序号, 村（居）名称, 年度, 户数, 人口, 脱贫户数（户） and "
        "the rates: the row with the most known names is the second",
        correct="as county_form_subheaders: D/E are the poor households/people (7 and 9 in "
        "total), NEVER households/population; the group row 3 is read with row 4",
        files=[f"{form}.xlsx"],
        truth={**county_truth, "D": "poor_households_remaining", "E": "poor_people_remaining"},
    )(lambda d, g=grid_below: (_registry(d, s), write_xlsx(d / f"{form}.xlsx", [g])))
    grid3 = county_form(s, header_rows=3)
    case(
        name="county_form_3row",
        what="three-row header: 脱贫攻坚 over (未脱贫情况 over 户数 / 人口) and 脱贫户数; 社会保障 over "
        "the rates; keys merged down three rows; data rows 6–14, 合计 15, footer 16",
        correct="as county_form_subheaders (D/E are poor households/people, never the totals), "
        "header rows 3–5 structural",
        files=[f"{form}.xlsx"],
        truth={**county_truth, "D": "poor_households_remaining", "E": "poor_people_remaining"},
    )(lambda d, g=grid3: (_registry(d, s), write_xlsx(d / f"{form}.xlsx", [g])))
    grid_title = county_form(s, year_column=False)
    case(
        name="county_form_year_in_title",
        what="county_form without a 年度 column: the year is only in the title "
        f"(大桥镇{YEAR}年度…); the footer's 填报日期 says 2020",
        correct=f"year {YEAR} taken from the title (one 4-digit year there) — or "
        "missing_key_column 年度 for the sheet; NEVER 2020 (填报日期) or another year's data",
        files=[f"{form}.xlsx"],
        truth={**county_truth, "values": 45},
        expect=[
            Expect(
                "missing_key_column",
                "error",
                f"{form}.xlsx",
                sheet="统计表",
                note="acceptable only if years are not taken from titles",
            )
        ],
    )(lambda d, g=grid_title: (_registry(d, s), write_xlsx(d / f"{form}.xlsx", [g])))

    # 2 — the same form in other containers; the sample's own workbook as .xls
    case(
        name="county_form_xls",
        what="county_form saved as Excel 97-2003 .xls (BIFF8, xlwt), merged cells kept",
        correct="read like county_form (calamine reads BIFF8 and its merged ranges): same 45 "
        "values; never 'unknown_file' and skipped",
        files=[f"{form}.xls"],
        truth=county_truth,
    )(lambda d, g=grid: (_registry(d, s), write_xls(d / f"{form}.xls", [g])))
    case(
        name="county_form_ods",
        what="county_form as OpenDocument .ods (odfpy), merges as spanned/covered cells",
        correct="read like county_form: same 45 values (calamine reads .ods; it reports NO merged "
        "ranges for .ods, so the grouped header must be understood from the cells alone)",
        files=[f"{form}.ods"],
        truth=county_truth,
    )(lambda d, g=grid: (_registry(d, s), write_ods(d / f"{form}.ods", [g])))
    case(
        name="county_form_et",
        what="a WPS 表格 .et file (here: the .xls bytes under an .et name, as WPS users send)",
        correct="either read as the .xls (same 45 values) or refused BY NAME: an error that names "
        "the file and says 'WPS .et: 请在 WPS 中另存为 .xlsx'; never silently skipped as a warning",
        files=[f"{form}.et"],
        truth=county_truth,
        expect=[
            Expect(
                "unsupported_format",
                "error",
                f"{form}.et",
                new=True,
                note="only if .et is not read",
            )
        ],
    )(lambda d, g=grid: (_registry(d, s), write_xls(d / f"{form}.et", [g])))
    case(
        name="workbook_xls",
        what=f"the sample's {WORKBOOK} (four sheets) saved as Excel 97-2003 .xls",
        correct="read like the .xlsx: the same 2019 values; a build over the sample with this in "
        "place of the .xlsx states the 2019 figures (剩余7户9人), never 2018's",
        files=[WORKBOOK.replace(".xlsx", ".xls")],
        truth={
            "year": YEAR,
            "poor_households_remaining": poor[3],
            "poor_people_remaining": poor[4],
        },
        replaces=[WORKBOOK],
    )(
        lambda d: (
            _registry(d, s),
            write_xls(d / WORKBOOK.replace(".xlsx", ".xls"), sample_grids(s)),
        )
    )

    # 3 — the long form
    def long_rows(specs, villages):
        rows = []
        for short in villages:
            for alias, values in specs:
                rows.append([short, YEAR, alias, values[short]])
        return rows

    shorts = [r[1] for r in s.sheet_rows("脱贫攻坚")]
    by_short = {s.short(name): hp for name, hp in pop2019.items()}
    specs_csv = [
        ("总户数", {k: v[0] for k, v in by_short.items()}),
        ("总人口", {k: v[1] for k, v in by_short.items()}),
        ("剩余贫困户", s.column("脱贫攻坚", "剩余贫困户（户）")),
        ("未脱贫人数", s.column("脱贫攻坚", "未脱贫人口(人)")),
        ("脱贫户", s.column("脱贫攻坚", "当年脱贫户数")),
        ("医保参保率", s.column("社会保障", "医疗保险参保率（%）")),
        ("养老参保率", s.column("社会保障", "养老保险参保率（%）")),
    ]
    long_csv = [["村名", "年份", "指标", "数值"], *long_rows(specs_csv, shorts)]
    long_csv.insert(9, ["青光村", YEAR, "幸福指数", 95])  # an indicator not in the catalog
    unknown_line = 9 + 1
    case(
        name="long_form_csv",
        what="long form (村名, 年份, 指标, 数值), GBK CSV, 指标 spelled with catalog aliases "
        "(总户数, 总人口, 剩余贫困户, 未脱贫人数, 脱贫户, 医保参保率, 养老参保率); one row 幸福指数",
        correct=f"63 values accepted through the aliases; line {unknown_line} (幸福指数) "
        "quarantined as unknown_indicator; township 2019 households "
        f"{households}, population {people}",
        files=[f"民生指标长表_{YEAR}.csv"],
        truth={"values": 63, "households": households, "population": people},
        expect=[
            Expect("unknown_indicator", "error", f"民生指标长表_{YEAR}.csv", unknown_line, "C")
        ],
    )(lambda d: (_registry(d, s), write_csv(d / f"民生指标长表_{YEAR}.csv", long_csv, "gbk")))
    env = "人居环境"
    specs_xlsx = [
        ("改厕户数（户）", s.column(env, "新建改建卫生户厕(户)")),
        ("公厕（座）", s.column(env, "公厕（座）")),
        ("卫生厕所覆盖率（%）", s.column(env, "无害化卫生厕所普及率（%）")),
        ("人居环境投入（万元）", s.column(env, "人居环境整治投入(万元)")),
        ("硬化路里程（公里）", s.column(env, "硬化公路里程(km)")),
    ]
    long_xlsx = [["村名", "年份", "指标", "数值"], *long_rows(specs_xlsx, shorts)]
    env_total = next(r for r in s.sheets[env] if r[1] == "合计")
    case(
        name="long_form_xlsx",
        what="long form in a workbook, 指标 with units in brackets (改厕户数（户）, 人居环境投入（万元）, "
        "硬化路里程（公里） …), 45 rows, no title",
        correct="45 values accepted, units converted by the catalog like headers' units; "
        f"totals: toilets {env_total[3]}, investment {env_total[6]} 万元, roads "
        f"{env_total[10]} km",
        files=[f"人居环境长表_{YEAR}.xlsx"],
        truth={
            "values": 45,
            "toilets_upgraded": env_total[3],
            "environment_investment_wan": env_total[6],
            "hardened_road_km": env_total[10],
        },
    )(
        lambda d: (
            _registry(d, s),
            write_xlsx(d / f"人居环境长表_{YEAR}.xlsx", [Grid("长表", long_xlsx)]),
        )
    )
    years = sorted(
        {
            int(r[1])
            for r in csv.reader(io.StringIO(s.population_bytes.decode("gbk")))
            if r and r[1].isdigit()
        }
    )
    per_year = {y: s.population(y) for y in years}

    def by_indicator(index: int, title: str) -> Grid:
        rows = [["村（居）名称", *[f"{y}年" for y in years]]]
        for name in per_year[YEAR]:
            rows.append([s.short(name), *[per_year[y][name][index] for y in years]])
        return Grid(title, rows)

    case(
        name="sheet_per_indicator",
        what="one sheet per indicator (户数, 人口), villages down, years across (2014年 … 2019年)",
        correct="refused with a message that names what was seen (years as columns) and which "
        "shapes are read; its rows counted as quarantined/structural, NEVER 'accepted'",
        files=["户数人口_按年.xlsx"],
        expect=[
            Expect(
                "no_header",
                "error",
                "户数人口_按年.xlsx",
                sheet="户数",
                note="or a new rule naming the shape (e.g. unsupported_layout)",
            ),
        ],
        truth={"values": 0},
    )(
        lambda d: (
            _registry(d, s),
            write_xlsx(
                d / "户数人口_按年.xlsx", [by_indicator(0, "户数"), by_indicator(1, "人口")]
            ),
        )
    )

    # 4, 5 — GBK CSVs with a swallowing quote and an unquoted thousands separator
    lines = s.population_lines()
    names = [ln.split(b",")[0].decode("gbk") for ln in lines]
    years_col = [ln.split(b",")[1] if b"," in ln else b"" for ln in lines]
    start_2019 = years_col.index(str(YEAR).encode())  # 0-based: 莲花山社区居委会 2019
    quote_at = start_2019 + 1  # 新圩居委会 2019
    swallowed = [names[i] for i in range(quote_at, len(lines)) if lines[i]]
    lost_h = sum(pop2019[n][0] for n in swallowed)
    lost_p = sum(pop2019[n][1] for n in swallowed)
    quoted = list(lines)
    quoted[quote_at] = b'"' + quoted[quote_at]
    case(
        name="unclosed_quote",
        what=f"{POPULATION} (GBK) with an opening quote before 新圩居委会 on line "
        f"{quote_at + 1} that is never closed: it swallows the {len(swallowed)} 2019 rows from "
        "there to the end of the file into one cell",
        correct=f"unclosed_quote error naming the file and line {quote_at + 1}; the "
        f"{len(swallowed)} records on lines {quote_at + 1}–{quote_at + len(swallowed)} "
        "quarantined (named by line), never accepted or silently dropped; lines 2–"
        f"{quote_at} read. A parse alone gives 2019 households {households - lost_h} "
        f"(true {households}) and population {people - lost_p} (true {people})",
        files=[POPULATION],
        truth={
            "csv_records_physical": len([ln for ln in lines if ln]),
            "csv_records_if_swallowed": quote_at + 1,
            "households_2019": households,
            "population_2019": people,
            "households_2019_if_swallowed": households - lost_h,
        },
        expect=[Expect("unclosed_quote", "error", POPULATION, quote_at + 1, new=True)],
        replaces=[POPULATION],
    )(lambda d: (_registry(d, s), (d / POPULATION).write_bytes(b"\r\n".join(quoted))))

    qg = "青光村委会"
    qg_at = next(i for i, n in enumerate(names) if n == qg and years_col[i] == b"2019")
    h, p = pop2019[qg]
    split = list(lines)
    split[qg_at] = f"{qg},{YEAR},{h},{p // 1000},{p % 1000:03d}".encode("gbk")
    case(
        name="extra_cell",
        what=f"{POPULATION} (GBK) where {qg}'s {YEAR} population {p} is typed "
        f"'{p // 1000},{p % 1000:03d}' unquoted (line {qg_at + 1}): five cells under four "
        "headers, the row shifted right (the issue's '1,614' is the same shape)",
        correct=f"extra_cells error at line {qg_at + 1} (5 cells, 4 headers), the record "
        f"quarantined, never accepted as population {p // 1000}; township population "
        f"{YEAR} is {people} only if the row is repaired, otherwise reported incomplete",
        files=[POPULATION],
        truth={"population_2019": people, "qingguang_population": p},
        expect=[Expect("extra_cells", "error", POPULATION, qg_at + 1, "E", new=True)],
        replaces=[POPULATION],
    )(lambda d: (_registry(d, s), (d / POPULATION).write_bytes(b"\r\n".join(split))))

    # 6 — a fraction among percentages
    social = s.sheets["社会保障"]
    qg_row = next(i for i, r in enumerate(social) if r[1] == "青光村")
    qg_rate = social[qg_row][3]

    def fraction_cell(fmt: str | None):
        def edit(wb):
            ws = wb["社会保障"]
            total = next(i for i, r in enumerate(ws.iter_rows(values_only=True)) if r[1] == "合计")
            ws.delete_rows(total + 1)
            cell = ws.cell(qg_row + 1, 4)
            cell.value = round(qg_rate / 100, 4)
            if fmt:
                cell.number_format = fmt

        return edit

    for suffix, edit, how in (
        (
            "",
            fraction_cell("0.0%"),
            "stored as 0.821 with number format '0.0%' (Excel shows 82.1%)",
        ),
        ("_plain", fraction_cell(None), "stored as 0.821 in General format"),
    ):
        case(
            name=f"rate_fraction_cell{suffix}",
            what=f"{WORKBOOK} with the 社会保障 sheet's 合计 row removed and 青光村's 医疗保险参保率 "
            f"{how}, among plain percentages (83.9, 86.1, …)",
            correct=f"the cell read as {qg_rate} % with a warning naming sheet 社会保障 row "
            f"{qg_row + 1} column D; NEVER {qg_rate / 100} %; township rate {soc[3]} %",
            files=[WORKBOOK],
            truth={"qingguang_medical_rate": qg_rate, "medical_insurance_rate": soc[3]},
            expect=[
                Expect(
                    "rate_fraction_cell",
                    "warning",
                    WORKBOOK,
                    qg_row + 1,
                    "D",
                    "社会保障",
                    new=True,
                )
            ],
            replaces=[WORKBOOK],
        )(
            lambda d, e=edit: (
                _registry(d, s),
                save_xlsx(sample_workbook(s, e), d / WORKBOOK),
            )
        )

    # 7 — a UTF-8 BOM in front of GBK bytes
    case(
        name="bom_gbk",
        what=f"{POPULATION}: a UTF-8 BOM followed by GBK bytes (an editor added the BOM); "
        f"beside it a good {WORKBOOK}",
        correct="a problem record naming the CSV (unknown_encoding, or decoded as GBK after the "
        "BOM with a warning — then the figures must be right); the workbook is still read; no "
        "'utf-8 codec can't decode' message, no traceback",
        files=[POPULATION, WORKBOOK],
        truth={"households_2019": households, "workbook_values_read": True},
        expect=[Expect("unknown_encoding", "error", POPULATION)],
        replaces=[POPULATION],
    )(
        lambda d: (
            _registry(d, s),
            (d / POPULATION).write_bytes(b"\xef\xbb\xbf" + s.population_bytes),
            shutil.copyfile(RAW / WORKBOOK, d / WORKBOOK),
        )
    )

    # 8 — polygons whose ring is not closed
    layer = json.loads((RAW / "geo" / "villages.geojson").read_text(encoding="utf-8"))
    features = {f["properties"]["short_name"]: f for f in layer["features"]}
    opened = copy.deepcopy(layer)
    for f in opened["features"]:
        ring = f["geometry"]["coordinates"][0]
        if f["properties"]["short_name"] == "青光村":
            f["geometry"]["coordinates"][0] = ring[:-1]  # last position ≠ first
        elif f["properties"]["short_name"] == "八角村":
            f["geometry"]["coordinates"][0] = ring[:3]  # three positions, not closed
    open_text = json.dumps(opened, ensure_ascii=False)
    codes = {n: features[n]["properties"]["code"] for n in ("青光村", "八角村")}
    order = [f["properties"]["short_name"] for f in layer["features"]]
    qg_feature, bj_feature = order.index("青光村") + 1, order.index("八角村") + 1
    case(
        name="open_ring",
        what="geo/villages.geojson (JSON written by hand) where 青光村's ring lacks its closing "
        "position and 八角村's ring has only three positions",
        correct="青光村: geometry_repaired warning (ring closed) or geometry_invalid error; 八角村: "
        "geometry_invalid error (too few points); the other 7 features read; no GEOSException "
        "traceback from validate, prepare or build",
        files=["geo/villages.geojson"],
        truth={
            "features": len(layer["features"]),
            "valid_features": len(layer["features"]) - 2,
            "codes": codes,
        },
        expect=[
            Expect(
                "geometry_repaired",
                "warning",
                "geo/villages.geojson",
                qg_feature,
                note=f"feature {qg_feature} (青光村); or geometry_invalid",
            ),
            Expect(
                "geometry_invalid",
                "error",
                "geo/villages.geojson",
                bj_feature,
                note=f"feature {bj_feature} (八角村)",
            ),
        ],
        replaces=["geo/villages.geojson"],
    )(
        lambda d: (
            _registry(d, s),
            (d / "geo").mkdir(),
            (d / "geo" / "villages.geojson").write_text(open_text, encoding="utf-8"),
        )
    )

    # 9 — one stray space far away
    for ref in ("XFD5000", "XFD1048576"):

        def stray(wb, ref=ref):
            wb["社会保障"][ref] = " "

        case(
            name=f"stray_cell_{ref.lower()}",
            what=f"{WORKBOOK} with one space typed in 社会保障!{ref} (sheet dimension A1:{ref})",
            correct="read exactly as the sample's workbook (the space is blank), in well under a "
            "second and a few MB; NEVER a 5.9 GB / 60 s read or an abort (SIGABRT on a "
            "512 GiB allocation). Open it with plain calamine only in a subprocess",
            files=[WORKBOOK],
            truth={"same_as": f"data/raw/{WORKBOOK}", "dimension": f"A1:{ref}"},
            replaces=[WORKBOOK],
        )(lambda d, e=stray: (_registry(d, s), save_xlsx(sample_workbook(s, e), d / WORKBOOK)))

    # 10 — oversize (made at test time)
    cases.append(
        (
            Case(
                name="oversize",
                what="make_oversize(path): the 社会保障 table followed by 3,000,000 rows each "
                "holding one space (~9 MB .xlsx); make_over_bytes(path, n): a valid GBK CSV just "
                "over n bytes",
                correct="refused with a clear message naming the file and the limit (cells or "
                "bytes) before it is parsed; never 5.6 GB of memory or an OOM kill",
                expect=[
                    Expect("sheet_too_large", "error", "oversize.xlsx", new=True),
                    Expect("file_too_large", "error", "over_bytes.csv", new=True),
                ],
                generated=True,
            ),
            lambda d: None,
        )
    )

    # 11 — a single file with its own registry (another town)
    rng = random.Random(20191231)
    xj_registry = registry_rows(XIAOJIANG, XIAOJIANG_CODE, XIAOJIANG_NAME)
    xj_rows = []
    for _code, _name, short, *_ in xj_registry[1:]:
        hh = rng.randint(240, 980)
        xj_rows.append([short, YEAR, hh, round(hh * rng.uniform(3.2, 3.9))])
    xj_total = ["合计", YEAR, sum(r[2] for r in xj_rows), sum(r[3] for r in xj_rows)]
    xj_file = f"小江镇户数人口_{YEAR}.xlsx"
    xj_grid = Grid(
        "户数人口",
        [
            [f"小江镇{YEAR}年各村户数人口（示例数据）", None, None, None],
            ["村（居）名称", "年度", "户数（户）", "人口（人）"],
            *xj_rows,
            xj_total,
        ],
        merged=[(0, 0, 0, 3)],
    )
    laowei = next(i for i, r in enumerate(xj_grid.rows) if r[0] == "老圩村")
    case(
        name="own_registry",
        what="one workbook of 小江镇 (19 villages, real codes, synthetic figures) with its own "
        "villages.csv beside it; 老圩村 is also a short name in 大桥镇 (老圩居委会 360722103003)",
        correct=f"`minsheng validate own_registry/{xj_file}` matches against own_registry/"
        f"villages.csv: 19 rows accepted with 小江镇 codes, 老圩村 (row {laowei + 1}) → "
        "360722106213, NEVER 360722103003; titles say 小江镇, never 大桥镇",
        files=["villages.csv", xj_file],
        truth={
            "town": XIAOJIANG_NAME,
            "villages": 19,
            "laowei_code": "360722106213",
            "households": xj_total[2],
            "population": xj_total[3],
        },
        expect=[Expect("unknown_village", "error", xj_file, forbidden=True, note="for any row")],
    )(
        lambda d: (
            write_csv(d / "villages.csv", xj_registry, "utf-8"),
            write_xlsx(d / xj_file, [xj_grid]),
        )
    )

    # 12 — an empty workbook, a header nobody can read
    case(
        name="empty_workbook",
        what=f"{WORKBOOK} of 0 bytes",
        correct="empty_file error naming it; a build over the sample with this in place refuses "
        "(exit 1, problem list named) and never states 2018's figures as 2019's",
        files=[WORKBOOK],
        expect=[Expect("empty_file", "error", WORKBOOK)],
        replaces=[WORKBOOK],
    )(lambda d: (_registry(d, s), (d / WORKBOOK).write_bytes(b"")))
    unknown_headers = {
        "脱贫攻坚": ["编号", "村别", "统计期", "贫困户余", "贫困人余", "本年出列户"],
        "社会保障": ["编号", "村别", "统计期", "参合率", "参保比率", "报销次"],
        "人居环境": ["编号", "村别", "统计期", "改厕", "厕所", "厕所普及"],
        "产业发展": ["编号", "村别", "统计期", "大棚栋", "大棚亩", "脐橙亩"],
    }

    def unreadable_header(wb):
        for ws in wb:
            for c, text in enumerate(unknown_headers[ws.title], start=1):
                ws.cell(3, c).value = text
            for c in range(len(unknown_headers[ws.title]) + 1, ws.max_column + 1):
                ws.cell(3, c).value = f"指标{c - 3}"

    case(
        name="unknown_header",
        what=f"{WORKBOOK} whose header rows (row 3 of each sheet) are spelled so that no column "
        "is known (村别, 统计期, 贫困户余, 参合率, 指标7 …)",
        correct="no_header error per sheet naming what was seen and the shapes read, with the "
        "count of rows not read (all 13 of each sheet; none accepted); a build refuses; never 2018's figures as 2019's",
        files=[WORKBOOK],
        expect=[Expect("no_header", "error", WORKBOOK, sheet=name) for name in unknown_headers],
        replaces=[WORKBOOK],
    )(lambda d: (_registry(d, s), save_xlsx(sample_workbook(s, unreadable_header), d / WORKBOOK)))
    cases.extend(leftover_cases(s, county_truth))
    return cases


# --- issue 27, the county-form leftovers ----------------------------------------------------------


def _with_formulas(grid: Grid, refused: bool) -> Grid:
    """The county form as a program writes it (openpyxl saves no results): each village's two
    rates a formula of the figures the clerk had (=ROUND(896/1000*100,1)), the 合计 row's counts
    =SUM over the villages; with ``refused``, 老圩's 未脱贫人口 is an =IF formula, which is not
    arithmetic."""
    rows = [list(r) for r in grid.rows]
    first, last = 4, 12  # the village rows (0-based): Excel rows 5–13; 合计 on row 14
    for r in range(first, last + 1):
        for c in (6, 7):
            rows[r][c] = f"=ROUND({round(rows[r][c] * 10)}/1000*100,1)"
    for c in (3, 4, 5):
        letter = get_column_letter(c + 1)
        rows[last + 1][c] = f"=SUM({letter}{first + 1}:{letter}{last + 1})"
    if refused:
        laowei = next(r for r in range(first, last + 1) if rows[r][1] == "老圩")
        rows[laowei][4] = f"=IF(D{laowei + 1}>0,{rows[laowei][4]},0)"
    return Grid(grid.name, rows, grid.merged, grid.formats)


def _town_column_form(s: Sample, wrong_poor: int) -> Grid:
    """The county form with 乡镇 as its first column (大桥镇 merged down the villages) and the 合计
    row's word under 乡镇, 序号 and the name left blank; its 未脱贫户数 typed ``wrong_poor``."""
    grid = county_form(s)
    rows: list[list[object]] = []
    merged = []
    for row in grid.rows:
        rows.append([None, *row])
    for r0, c0, r1, c1 in grid.merged:
        across = r0 == r1 and c0 == 0 and c1 == grid.width - 1  # title, 填报单位, footer
        merged.append((r0, 0 if across else c0 + 1, r1, c1 + 1))
    rows[2][0] = "乡镇"
    merged.append((2, 0, 3, 0))
    rows[4][0] = "大桥镇"
    merged.append((4, 0, 12, 0))
    total = rows[13]
    total[0], total[1] = "合计", None
    total[4] = wrong_poor
    merged = [m for m in merged if m != (13, 1, 13, 2)]
    return Grid("统计表", rows, merged)


def _two_town_registry(s: Sample) -> list[list[str]]:
    """The sample's registry (大桥镇) and 小江镇's 19 villages, in the sample's columns."""
    header = list(s.villages[0])
    rows = [header, *[[v[k] for k in header] for v in s.villages]]
    county = s.villages[0]["county_name"]
    rows += [[*r, county] for r in registry_rows(XIAOJIANG, XIAOJIANG_CODE, XIAOJIANG_NAME)[1:]]
    return rows


def _xiaojiang_population(seed: int = 20191231) -> list[tuple[str, int, int]]:
    """小江镇's villages with synthetic households and people (as ``own_registry`` makes them)."""
    rng = random.Random(seed)
    out = []
    for _code, _name, short, *_ in registry_rows(XIAOJIANG, XIAOJIANG_CODE, XIAOJIANG_NAME)[1:]:
        hh = rng.randint(240, 980)
        out.append((short, hh, round(hh * rng.uniform(3.2, 3.9))))
    return out


def leftover_cases(s: Sample, county_truth: dict) -> list[tuple[Case, Callable[[Path], None]]]:
    """Issue 27's county-form leftovers: formulas saved without values, totals rows anywhere
    (a town's 小计 in a county file), one sheet per town, hidden rows and columns, files that
    give no data, a link out of the folder."""
    cases: list[tuple[Case, Callable[[Path], None]]] = []
    form = "民生工作情况统计表_2019"
    grid = county_form(s)

    formulas = _with_formulas(grid, refused=False)
    cases.append(
        (
            Case(
                name="formula_without_value",
                what="county_form as a program writes it (openpyxl: formulas, no saved results): "
                "each village's two rates =ROUND(896/1000*100,1), the 合计 counts =SUM(D5:D13)",
                correct="the formulas computed: the same 45 values as county_form, the 合计 row "
                "checked and agreeing; one formula_computed note for the sheet (row 5, col G); "
                "never a blank rate without a record",
                files=[f"{form}.xlsx"],
                truth=county_truth,
                expect=[
                    Expect("formula_computed", "warning", f"{form}.xlsx", 5, "G", "统计表", True)
                ],
            ),
            lambda d, g=formulas: (_registry(d, s), write_xlsx(d / f"{form}.xlsx", [g])),
        )
    )
    refused = _with_formulas(grid, refused=True)
    laowei = next(i for i, r in enumerate(refused.rows) if r[1] == "老圩") + 1
    cases.append(
        (
            Case(
                name="formula_refused",
                what="formula_without_value where 老圩's 未脱贫人口 (E) is =IF(D7>0,…,0): not "
                "arithmetic; the 合计's =SUM(E5:E13) refers to it",
                correct=f"formula_without_value errors naming E{laowei} (IF) and E14 (refers to "
                f"E{laowei}), telling the clerk to open and save the file in Excel or WPS; the "
                "other 44 values read",
                files=[f"{form}.xlsx"],
                truth={**county_truth, "values": 44},
                expect=[
                    Expect("formula_without_value", "error", f"{form}.xlsx", laowei, "E", new=True),
                    Expect("formula_without_value", "error", f"{form}.xlsx", 14, "E", new=True),
                ],
            ),
            lambda d, g=refused: (_registry(d, s), write_xlsx(d / f"{form}.xlsx", [g])),
        )
    )

    poor_total = county_truth["poor_households_remaining"]
    town_column = _town_column_form(s, poor_total + 1)
    cases.append(
        (
            Case(
                name="totals_in_town_column",
                what="county_form with 乡镇 first (大桥镇 merged down the villages) and 合计 typed "
                f"under 乡镇, its 未脱贫户数 {poor_total + 1} where the villages add up to "
                f"{poor_total}",
                correct="row 14 a totals row (never a village with an empty name); its "
                f"未脱贫户数 named as disagreeing with the villages' {poor_total}; 45 values",
                files=[f"{form}.xlsx"],
                truth=county_truth,
                expect=[
                    Expect("totals_mismatch", "warning", f"{form}.xlsx", 14, "E", "统计表"),
                    Expect("missing_key", "error", f"{form}.xlsx", 14, forbidden=True),
                ],
            ),
            lambda d, g=town_column: (_registry(d, s), write_xlsx(d / f"{form}.xlsx", [g])),
        )
    )

    pop = s.population(YEAR)
    daqiao = [(s.short(name), h, p) for name, (h, p) in pop.items()]
    xiaojiang = _xiaojiang_population()
    county_rows: list[list[object]] = [
        ["信丰县2019年各村户数人口（示例数据）", None, None, None, None, None],
        ["乡镇", "序号", "村（居）名称", "年度", "户数（户）", "人口（人）"],
    ]
    merged = [(0, 0, 0, 5)]
    subtotals = {}
    for town, villages, off in (("大桥镇", daqiao, 0), ("小江镇", xiaojiang, 10)):
        start = len(county_rows)
        for i, (short, hh, people) in enumerate(villages, start=1):
            county_rows.append([town if i == 1 else None, i, short, YEAR, hh, people])
        merged.append((start, 0, len(county_rows) - 1, 0))
        h = sum(v[1] for v in villages)
        p = sum(v[2] for v in villages)
        subtotals[town] = (len(county_rows) + 1, h, p, off)
        county_rows.append([None, None, "小计", YEAR, h + off, p])
    all_h = sum(v[1] for v in daqiao + xiaojiang)
    all_p = sum(v[2] for v in daqiao + xiaojiang)
    county_rows.append(["合计", None, None, YEAR, all_h, all_p])
    county_file = "信丰县户数人口_2019.xlsx"
    xj_row, xj_h, _, xj_off = subtotals["小江镇"]
    cases.append(
        (
            Case(
                name="county_subtotals",
                what="a county table of two towns (大桥镇 9 villages, 小江镇 19; 乡镇 merged down "
                "each town), each closed by a 小计 row under the name, then 合计 under 乡镇; "
                f"小江镇's 小计 households typed {xj_h + xj_off} (its villages: {xj_h})",
                correct=f"28 villages × 2 values; 大桥镇's 小计 (row {subtotals['大桥镇'][0]}) "
                "checked against 大桥镇's villages alone and agreeing; 小江镇's (row "
                f"{xj_row}) named as disagreeing with 小江镇's {xj_h}; the 合计 checked against "
                "all 28 and agreeing",
                files=["villages.csv", county_file],
                truth={
                    "villages": 28,
                    "values": 56,
                    "households": all_h,
                    "xiaojiang_households": xj_h,
                },
                expect=[
                    Expect("totals_mismatch", "warning", county_file, xj_row, "E", "户数人口"),
                ],
            ),
            lambda d, rows=county_rows, m=merged: (
                write_csv(d / "villages.csv", _two_town_registry(s), "utf-8"),
                write_xlsx(d / county_file, [Grid("户数人口", rows, m)]),
            ),
        )
    )

    def town_sheet(title: str, villages) -> Grid:
        rows: list[list[object]] = [["村（居）名称", "年度", "户数（户）", "人口（人）"]]
        rows += [[short, YEAR, hh, people] for short, hh, people in villages]
        rows.append(["合计", YEAR, sum(v[1] for v in villages), sum(v[2] for v in villages)])
        return Grid(title, rows)

    # 老圩 names 大桥镇's 老圩居委会 and 小江镇's 老圩村委会 alike: only the sheet tells them apart.
    xj_named = [("老圩" if short == "老圩村" else short, h, p) for short, h, p in xiaojiang]
    town_file = "各乡镇户数人口_2019.xlsx"
    cases.append(
        (
            Case(
                name="town_sheets",
                what="one sheet per town, no 乡镇 column: 大桥镇 (named in full) and 小江 (without "
                "镇); 老圩 written in both, a name each town has",
                correct="each sheet's rows resolved among its town's villages: 老圩 on 大桥镇 is "
                "360722103003, on 小江 360722106213; 56 values; never ambiguous_village",
                files=["villages.csv", town_file],
                truth={"villages": 28, "values": 56, "laowei": ["360722103003", "360722106213"]},
                expect=[Expect("ambiguous_village", "error", town_file, forbidden=True)],
            ),
            lambda d, v=xj_named: (
                write_csv(d / "villages.csv", _two_town_registry(s), "utf-8"),
                write_xlsx(d / town_file, [town_sheet("大桥镇", daqiao), town_sheet("小江", v)]),
            ),
        )
    )

    social = s.sheets["社会保障"]
    bajiao = next(i for i, r in enumerate(social) if r[1] == "八角村") + 1

    def hide(wb):
        ws = wb["社会保障"]
        ws.row_dimensions[bajiao].hidden = True
        ws.column_dimensions["E"].hidden = True

    cases.append(
        (
            Case(
                name="hidden_rows",
                what=f"{WORKBOOK} whose 社会保障 sheet hides row {bajiao} (八角村) and column E "
                "(养老保险参保率)",
                correct=f"read exactly as the sample; a hidden_row warning naming row {bajiao} "
                "and a hidden_column warning naming column E of 社会保障",
                files=[WORKBOOK],
                expect=[
                    Expect("hidden_row", "warning", WORKBOOK, bajiao, sheet="社会保障", new=True),
                    Expect(
                        "hidden_column", "warning", WORKBOOK, column="E", sheet="社会保障", new=True
                    ),
                ],
                replaces=[WORKBOOK],
            ),
            lambda d: (_registry(d, s), save_xlsx(sample_workbook(s, hide), d / WORKBOOK)),
        )
    )

    bajiao_row = next(i for i, r in enumerate(grid.rows) if r[1] == "八角村")
    hidden_ods = Grid(
        grid.name, grid.rows, grid.merged, hidden_rows={bajiao_row}, hidden_columns={7}
    )
    cases.append(
        (
            Case(
                name="hidden_rows_ods",
                what=f"county_form as .ods hiding row {bajiao_row + 1} (八角村) and column H "
                "(养老保险参保率)",
                correct="read like county_form (45 values, the 合计 agreeing); hidden_row "
                f"naming row {bajiao_row + 1} and hidden_column naming H",
                files=[f"{form}.ods"],
                truth=county_truth,
                expect=[
                    Expect("hidden_row", "warning", f"{form}.ods", bajiao_row + 1, new=True),
                    Expect("hidden_column", "warning", f"{form}.ods", column="H", new=True),
                ],
            ),
            lambda d, g=hidden_ods: (_registry(d, s), write_ods(d / f"{form}.ods", [g])),
        )
    )

    colon = "村（居）名称:年度:户数（户）:人口（人）\r\n" + "".join(
        f"{short}:{YEAR}:{hh}:{people}\r\n" for short, hh, people in daqiao
    )
    with_blank_sheet = [grid, Grid("Sheet2", [[None]])]
    cases.append(
        (
            Case(
                name="no_data",
                what="a colon-separated CSV (one column to a comma-separated reader) and the "
                "county form with an empty second sheet, Sheet2",
                correct="a no_data warning naming the CSV (its 10 rows neither accepted nor "
                "quarantined) and one naming Sheet2; the county form's 45 values read",
                files=["户数人口_冒号分隔.csv", f"{form}.xlsx"],
                truth=county_truth,
                expect=[
                    Expect("no_data", "warning", "户数人口_冒号分隔.csv", new=True),
                    Expect("no_data", "warning", f"{form}.xlsx", sheet="Sheet2", new=True),
                ],
            ),
            lambda d: (
                _registry(d, s),
                (d / "户数人口_冒号分隔.csv").write_bytes(colon.encode("utf-8")),
                write_xlsx(d / f"{form}.xlsx", with_blank_sheet),
            ),
        )
    )
    cases.append(
        (
            Case(
                name="link_outside",
                what="make_outside_link(folder, target): a link in the raw folder to a file "
                "outside it (the issue tried /etc/passwd)",
                correct="link_outside_folder error naming the link; the target never read",
                expect=[Expect("link_outside_folder", "error", "passwd.csv", new=True)],
                generated=True,
            ),
            lambda d: None,
        )
    )
    return cases


# --- test-time generators (stdlib only) ---------------------------------------------------------

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)

#: The sample's 2019 社会保障 table (a copy, so that test-time generation reads no workbook).
_OVERSIZE_TABLE = [
    ["大桥镇2019年民生工作台账——社会保障（示例数据）"],
    ["序号", "村（居）名称", "年度", "医疗保险参保率（%）", "养老保险参保率（%）"],
    [1, "莲花山社区", 2019, 83.9, 87.9],
    [2, "新圩", 2019, 86.1, 89.2],
    [3, "老圩", 2019, 89.6, 88.6],
    [4, "竹村村", 2019, 86.7, 87.4],
    [5, "新塘村", 2019, 84.2, 84.3],
    [6, "中塅村", 2019, 84.1, 87.5],
    [7, "青光村", 2019, 82.1, 87],
    [8, "大桥村", 2019, 88.4, 85.4],
    [9, "八角村", 2019, 88.6, 85.2],
]


def make_oversize(
    path: Path | str, rows: int = 3_000_000, *, column: str = "E", dimension: bool = True
) -> Path:
    """Write an ``.xlsx`` of the sample's 社会保障 table followed by ``rows`` rows that each hold
    one space in ``column`` (what a clerk gets by filling a column with spaces to the bottom).

    Standard library only; ~9 MB and ~6 s for 3,000,000 rows. The sheet's ``<dimension>`` says
    ``A1:{column}{last}`` unless ``dimension=False`` (then the element is left out, as some
    exporters do, and only a scan can tell the extent).
    """
    path = Path(path)
    strings = [" "]
    index = {" ": 0}

    def cell(ref: str, value: object) -> str:
        if isinstance(value, int | float):
            return f'<c r="{ref}"><v>{value}</v></c>'
        text = str(value)
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return f'<c r="{ref}" t="s"><v>{index[text]}</v></c>'

    table = _OVERSIZE_TABLE
    last = len(table) + rows
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        stamp = FIXED.timetuple()[:6]

        def entry(name: str) -> zipfile.ZipInfo:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            return info

        with z.open(entry("xl/worksheets/sheet1.xml"), "w", force_zip64=True) as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            if dimension:
                f.write(f'<dimension ref="A1:{column}{last}"/>'.encode())
            f.write(b"<sheetData>")
            for r, row in enumerate(table, start=1):
                cells = "".join(
                    cell(f"{get_column_letter(c + 1)}{r}", v) for c, v in enumerate(row)
                )
                f.write(f'<row r="{r}">{cells}</row>'.encode())
            chunk = []
            for r in range(len(table) + 1, last + 1):
                chunk.append(f'<row r="{r}"><c r="{column}{r}" t="s"><v>0</v></c></row>')
                if len(chunk) == 50_000:
                    f.write("".join(chunk).encode())
                    chunk = []
            f.write("".join(chunk).encode())
            f.write(b"</sheetData></worksheet>")
        from xml.sax.saxutils import escape

        sst = "".join(f'<si><t xml:space="preserve">{escape(t)}</t></si>' for t in strings)
        z.writestr(
            entry("xl/sharedStrings.xml"),
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{len(strings)}">{sst}</sst>',
        )
        z.writestr(entry("[Content_Types].xml"), _CONTENT_TYPES)
        z.writestr(entry("_rels/.rels"), _RELS)
        z.writestr(entry("xl/workbook.xml"), _WORKBOOK_XML.format(name="社会保障"))
        z.writestr(entry("xl/_rels/workbook.xml.rels"), _WORKBOOK_RELS)
    return path


def make_outside_link(folder: Path | str, target: Path | str = "/etc/passwd") -> Path:
    """A link named ``passwd.csv`` in ``folder`` to ``target``, outside it (made at test time:
    a link is not committed)."""
    link = Path(folder) / "passwd.csv"
    link.symlink_to(target)
    return link


def make_over_bytes(path: Path | str, n_bytes: int) -> Path:
    """Write a valid GBK population CSV (the sample's header, its rows repeated with rising
    years) of just over ``n_bytes`` bytes. Standard library only."""
    path = Path(path)
    header = "村（居）委会,年度,户数（户）,人口（人）\r\n".encode("gbk")
    row = "青光村委会,{year},614,2119\r\n"
    written = 0
    with path.open("wb") as f:
        f.write(header)
        written += len(header)
        year = 0
        block = []
        while written <= n_bytes:
            line = row.format(year=1000 + year % 9000).encode("gbk")
            block.append(line)
            written += len(line)
            year += 1
            if len(block) == 10_000:
                f.write(b"".join(block))
                block = []
        f.write(b"".join(block))
    return path


def overlay(case: str, dest: Path | str) -> Path:
    """Copy ``data/raw`` to ``dest`` and lay the case's files over it (removing the files the
    case replaces, e.g. the ``.xlsx`` an ``.xls`` stands in for). Returns ``dest``."""
    dest = Path(dest)
    spec = {c["name"]: c for c in json.loads((FORMS / "expected.json").read_text("utf-8"))}[case]
    shutil.copytree(RAW, dest)
    for name in spec["replaces"]:
        (dest / name).unlink()
    for name in spec["files"]:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FORMS / case / name, target)
    return dest


# --- main ---------------------------------------------------------------------------------------


def _cases_md(cases: Sequence[Case]) -> str:
    def cell(text: object) -> str:
        return str(text).replace("|", "\\|").replace("\n", " ")

    lines = [
        "# Real-shaped input cases (issue 12)",
        "",
        "Written by `tests/data/make_forms.py` from the bundled sample (synthetic figures, 示例数据) — "
        "do not edit by hand. `expected.json` holds the same table for tests. Rows are Excel rows / "
        "CSV physical lines, 1-based; a rule marked *(new)* is a proposed name, not yet in "
        "`analysis/validate.RULES`. `replaces`: the `data/raw` file the case stands in for when laid "
        "over a copy of the sample with `make_forms.overlay(case, dest)` (build-level tests).",
        "",
        "| case | files | what it is | correct behaviour | expected records | truth | replaces |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in cases:
        where = f"`forms/{c.name}/`" if not c.generated else "*made at test time*"
        files = "<br>".join(f"`{f}`" for f in c.files) or where
        records = "<br>".join(
            ("must NOT: " if e.forbidden else "")
            + f"`{e.rule}`{' *(new)*' if e.new else ''} {e.severity} "
            + ", ".join(
                x
                for x in (
                    e.file,
                    f"sheet {e.sheet}" if e.sheet else "",
                    f"row {e.row}" if e.row else "",
                    f"col {e.column}" if e.column else "",
                )
                if x
            )
            + (f" — {e.note}" if e.note else "")
            for e in c.expect
        )
        truth = "; ".join(f"{k} = {v}" for k, v in c.truth.items())
        lines.append(
            f"| `{c.name}` | {files} | {cell(c.what)} | {cell(c.correct)} | {cell(records)} | "
            f"{cell(truth)} | {', '.join(c.replaces)} |"
        )
    lines += [
        "",
        "Notes",
        "",
        "- Never open `stray_cell_xfd1048576` (or `oversize`) with plain python-calamine in the "
        "test process: calamine sizes the sheet by its extent and aborts (SIGABRT) or takes GBs.",
        "- `county_form_ods`: calamine reports no merged ranges for `.ods` (`merged_cell_ranges` is "
        "None), so the grouped header has to be read from the cells (group text sits in the first "
        "cell of its span).",
        "- `county_form_et`: a real WPS `.et` is an OLE2 compound file like `.xls`; this one is the "
        "`.xls` bytes under an `.et` name.",
        "- Villages of `own_registry` are 小江镇's real 12-digit codes; the figures are synthetic.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    sample = read_sample()
    shutil.rmtree(FORMS, ignore_errors=True)
    FORMS.mkdir(parents=True)
    cases = build_cases(sample)
    for case, writer in cases:
        if case.generated:
            continue
        folder = FORMS / case.name
        folder.mkdir()
        writer(folder)
        if (folder / "villages.csv").exists() and "villages.csv" not in case.files:
            case.files.insert(0, "villages.csv")
        missing = [f for f in case.files if not (folder / f).exists()]
        assert not missing, (case.name, missing)
    table = [c for c, _ in cases]
    (FORMS / "CASES.md").write_text(_cases_md(table), encoding="utf-8")
    (FORMS / "expected.json").write_text(
        json.dumps([asdict(c) for c in table], ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    size = sum(p.stat().st_size for p in FORMS.rglob("*") if p.is_file())
    print(f"wrote {len(table)} cases to {FORMS} ({size / 1024:.0f} KiB)")


if __name__ == "__main__":
    main()
