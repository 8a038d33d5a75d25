"""The data-collection workbook for village cadres (``minsheng template OUT.xlsx``).

One sheet to fill in, in the wide village-year form that :mod:`analysis.ingest.validate` reads: the
village name (a dropdown of the registry's names), the year, and one column per catalog
indicator headed with its Chinese name and unit (``医疗保险参保率(%)``). Excel's data validation
stops the commonest mistakes at the keyboard: rates outside 0–100, counts that are negative or
fractional, years outside the range. A 填表说明 sheet explains it in Chinese, after 说明
(:mod:`analysis.core.sheets`), which says what each sheet is. Filled in as asked,
it validates clean.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from analysis import config
from analysis.core import sheets
from analysis.core.catalog import Catalog, default_catalog
from analysis.core.labels import label
from analysis.core.numbers import decimals
from analysis.ingest.crosswalk import COLUMNS_ZH as CROSSWALK_HEADERS
from analysis.ingest.explanations import COLUMNS_ZH as EXPLANATION_HEADERS
from analysis.ingest.read import INSTRUCTIONS_SHEET, LIST_SHEET
from analysis.ingest.registry import Registry
from analysis.ingest.validate import load_registry
from analysis.iorw import atomic_write_csv
from analysis.pipeline.workbook import save_workbook

DATA_SHEET = "村级数据"
#: Rows given data validation below the header when no rows are pre-filled.
BLANK_ROWS = 500

INSTRUCTIONS = (
    "填表说明",
    "",
    "一、每一行填一个村（居）一个年度的数据。",
    "二、“村（居）名称”请从下拉列表中选择，不要自己改写；年度填四位数字，例如二〇一九年填 2019。",
    "三、每一列标题括号里是单位。比率（%）填百分数，例如 86.5 表示 86.5%；户数、人数、个数填整数。",
    "四、金额按标题中的单位填写（元或万元），面积填亩，里程填公里。",
    "五、没有数据的格子请留空，或填“—”；不要填 0 代替“不知道”。",
    "六、不要合并单元格，不要在表中间插入合计行或空行；表头不要改动。",
    "七、如需补充说明，请写在本页，不要写在数据表里。",
    "",
    "各列含义（列名、单位、填写要求）：",
)


def _requirement(ind) -> str:
    if ind.kind == "rate":
        return f"0 到 100 之间的数（{ind.unit}）"
    if ind.integer:
        return f"不小于 0 的整数（{ind.unit}）"
    return f"不小于 0 的数（{ind.unit}）"


def write_explanations(path: Path | str, rows: Sequence[Sequence[object]] = ()) -> Path:
    """A 核实说明 file (:mod:`analysis.ingest.explanations`): its header and ``rows`` (乡镇,
    村（居）名称, 村代码, 年度, 指标, 数值, 核实说明), UTF-8 with a BOM as Excel saves a CSV; blank,
    the form an office fills to confirm the values the plausibility review flags."""
    return atomic_write_csv(path, EXPLANATION_HEADERS, rows)


def write_crosswalk(path: Path | str) -> Path:
    """A blank 区划调整 file (:mod:`analysis.ingest.crosswalk`): its header alone (年份, 原代码,
    原名称, 新代码, 新名称, 类型, 比例), UTF-8 with a BOM as Excel saves a CSV; the form an office
    fills where its villages were merged, split, renamed, recoded or moved."""
    return atomic_write_csv(path, CROSSWALK_HEADERS)


def write_template(
    path: Path | str,
    *,
    registry: Registry | Path | str,
    catalog: Catalog | None = None,
    year: int | None = None,
) -> Path:
    """Write the blank data-collection workbook.

    Parameters
    ----------
    path
        The ``.xlsx`` to write (atomically, reproducibly).
    registry
        Village registry for the name dropdown (never a default: a template with another
        town's names would send every clerk the wrong list).
    catalog
        Indicator catalog; default the package's.
    year
        When given, one row per registry village is pre-filled with its name and this year.

    Returns
    -------
    Path
        ``path``.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    catalog = catalog or default_catalog()
    if not isinstance(registry, Registry):
        registry = load_registry(registry)
    names = list(registry.table.sort_values("code")["short_name"])

    wb = Workbook()
    notes = wb.active
    notes.title = INSTRUCTIONS_SHEET
    for line in INSTRUCTIONS:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=14)
    for ind in catalog:
        notes.append([f"{ind.label_zh}：{_requirement(ind)}。{ind.en}"])
    # The instructions wrap within a portrait page.
    wrapped = sheets.Column(80, wrap=True)
    sheets.lay_out(notes, [wrapped], header_row=0)
    for cell in notes["A"]:
        sheets.data_style(cell, wrapped)
    lines = [[c.value] for c in notes["A"]]
    sheets.set_heights(notes, sheets.row_heights(lines, [wrapped], first_row=1))

    ws = wb.create_sheet(DATA_SHEET)
    header = ["村（居）名称", "年度", *[ind.label_zh for ind in catalog]]
    ws.append(header)
    for cell in ws[1]:
        sheets.header_style(cell)
    # Each column as wide as its header (wrapped) or the longest village name; the numbers
    # typed in take the catalog's decimals.
    layouts = [
        sheets.column(header[0], names),
        sheets.column(header[1], [config.LAST_YEAR]),
        *[sheets.column(ind.label_zh, [10**6], decimals(ind)) for ind in catalog],
    ]
    sheets.lay_out(ws, layouts, frozen_columns=2)
    sheets.set_heights(ws, sheets.row_heights([header], layouts, first_row=1, header=True))
    for j, layout in enumerate(layouts[2:], start=3):
        ws.column_dimensions[get_column_letter(j)].number_format = layout.number_format
    if year is not None:
        for name in names:
            ws.append([name, year])
    last = max(ws.max_row, 1 + BLANK_ROWS)

    listing = wb.create_sheet(LIST_SHEET)
    listing.append(["村（居）名称"])
    for name in names:
        listing.append([name])
    listing.sheet_state = "hidden"

    def rule(kind: str, operator: str, low, high, title: str, message: str) -> DataValidation:
        dv = DataValidation(
            type=kind,
            operator=operator,
            formula1=str(low),
            formula2=None if high is None else str(high),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=title,
            error=message,
        )
        ws.add_data_validation(dv)
        return dv

    village = DataValidation(
        type="list",
        formula1=f"'{LIST_SHEET}'!$A$2:$A${len(names) + 1}",
        allow_blank=False,
        showErrorMessage=True,
        errorTitle="村名",
        error="请从下拉列表中选择村（居）名称。",
    )
    ws.add_data_validation(village)
    village.add(f"A2:A{last}")
    years = rule(
        "whole", "between", config.FIRST_YEAR, config.LAST_YEAR, "年度", "请填写四位年份，如 2019。"
    )
    years.add(f"B2:B{last}")
    rates = rule("decimal", "between", 0, 100, "比率", "比率应在 0 到 100 之间（百分数）。")
    counts = rule("whole", "greaterThanOrEqual", 0, None, "整数", "应为不小于 0 的整数。")
    amounts = rule("decimal", "greaterThanOrEqual", 0, None, "数值", "应为不小于 0 的数。")
    for j, ind in enumerate(catalog, start=3):
        target = rates if ind.kind == "rate" else counts if ind.integer else amounts
        letter = get_column_letter(j)
        target.add(f"{letter}2:{letter}{last}")
    sheets.readme_sheet(
        wb,
        [
            (DATA_SHEET, label("sheet.template_data", "zh")),
            (INSTRUCTIONS_SHEET, label("sheet.template_instructions", "zh")),
        ],
        source=label("readme.source_template", "zh"),
        marks=(),
    )
    wb.active = wb.index(ws)
    return save_workbook(wb, Path(path))
