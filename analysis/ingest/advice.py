"""What a clerk is told about a problem: its name, what the cell should hold, what to change.

The marked workbooks (:mod:`analysis.ingest.mark`) and the problems page
(:mod:`analysis.reporting.problems`) take their words from here, so a village reads the same
sentence in its workbook and on the printed 对照表.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from analysis import config
from analysis.core.catalog import Catalog, default_catalog
from analysis.core.labels import label
from analysis.ingest.cells import match_headers, parse_year
from analysis.ingest.crossrow import EXIT_RULE_ZH
from analysis.ingest.read import Sheet

#: rule → (what the problem is called, what the cell should hold, what to do). The problem
#: record's message says what was found; the catalog's cross rules are added by :func:`rule_text`.
RULE_TEXT: dict[str, tuple[str, str, str]] = {
    "empty_file": ("空文件", "完整的数据文件", "重新导出完整的文件"),
    "unreadable_file": (
        "文件打不开",
        "能用 Excel 打开的 .xlsx 或 .csv",
        "用 Excel 打开后另存为 .xlsx",
    ),
    "unknown_encoding": ("文字编码无法识别", "UTF-8 编码的 CSV", "在 Excel 中另存为“CSV UTF-8”"),
    "bom_mismatch": ("编码标记与内容不符", "UTF-8 编码的 CSV", "核对中文，以后另存为“CSV UTF-8”"),
    "file_too_large": ("文件太大", "不超过上限的文件", "把数据分成几个文件"),
    "sheet_too_large": (
        "工作表太大",
        "只有表格本身的工作表",
        "删除表格以外多余的行和列，或把数据分成几个文件",
    ),
    "stray_blank_cells": ("表格以外有空格单元格", "表格以外没有内容", "删除这些单元格的内容"),
    "unsupported_format": ("WPS 文件无法读取", "Excel 工作簿（.xlsx）", "在 WPS 中另存为 .xlsx"),
    "unclosed_quote": ("引号没有配对", "每个引号都成对", "删除多余的引号，或用 Excel 另存为 CSV"),
    "quote_spans_lines": ("一个单元格跨了多行", "每行一条记录", "检查并删除多余的引号"),
    "stray_quote": ("引号后还有文字", "引号只包住整个单元格", "核对这个单元格"),
    "extra_cells": (
        "单元格比表头多",
        "每行的单元格数与表头相同",
        "去掉数字中的千位逗号后重新导出",
    ),
    "row_count_mismatch": ("行数清点不符", "读入的行数与文件中的行数相同", "另存为 .xlsx 后再放入"),
    "unsupported_layout": (
        "表格形式不能读取",
        "宽表（每行一个村、每列一个指标）或长表（村名、年度、指标、数值）",
        "按可读取的形式重排",
    ),
    "year_from_title": ("年度取自标题", "“年度”一列", "核对年度，或加上“年度”列"),
    "unknown_file": (
        "文件类型不认识",
        "数据用 .xlsx 或 .csv，地图用 .geojson/.gpkg/.shp",
        "用本标注副本（.xlsx）替换原文件",
    ),
    "no_header": (
        "找不到表头行",
        "数据上方有一行列名，如“村（居）名称”“年度”和指标名",
        "在数据上方插入一行列名",
    ),
    "missing_key_column": (
        "缺少必填列",
        "“村（居）名称”（或村代码）和“年度”两列",
        "加上缺少的列，每行都填上",
    ),
    "unknown_column": ("列名不认识", "指标目录中的列名", "改用目录中的列名；不是指标的列请删除"),
    "unit_mismatch": ("列名中的单位不对", "与指标相同或可以换算的单位", "核对列名和单位"),
    "rate_as_fraction": (
        "比率按小数填写",
        "百分数，如 86 表示 86%",
        "如确是小数比例可不改，否则请改正",
    ),
    "rate_fraction_cell": (
        "比率按小数填写",
        "百分数，如 86 表示 86%",
        "核对后改为百分数",
    ),
    "missing_key": ("必填项为空", "本格不能为空", "填上"),
    "unknown_village": ("村名不在名录中", "村（居）名录中的村名或 12 位村代码", ""),
    "ambiguous_village": (
        "村名对应多个村",
        "村的全称或 12 位村代码，或在“乡镇”列写明所属乡镇",
        "写全称、村代码或乡镇",
    ),
    "unknown_town": ("乡镇不在名录中", "村（居）名录中的乡镇名或 9 位乡镇代码", ""),
    "ambiguous_town": ("乡镇名对应多个乡镇", "乡镇全称或 9 位乡镇代码", "写全称或乡镇代码"),
    "village_not_in_town": ("村不在该乡镇名录中", "该乡镇的村名，或核对乡镇", ""),
    "unknown_scope": ("范围不在名录中", "名录中的县、乡镇或村：名称或代码", ""),
    "ambiguous_scope": ("范围对应多个地方", "9 位乡镇代码或 6 位县代码", "改填代码"),
    "scope_other_county": ("代码属于其他县", "本数据名录中的县、乡镇或村的代码", "核对代码"),
    "county_scope_one_town": (
        "全县目标只有一个乡镇的数据",
        "全县各乡镇的名录和数据，或乡镇目标",
        "",
    ),
    "township_scope_many_towns": (
        "“全镇”对应多个乡镇",
        "乡镇名称或 9 位乡镇代码；全县目标填县名或 6 位县代码",
        "写明乡镇",
    ),
    "bad_year": ("年度写法不对", "四位数字的年份，如 2019", ""),
    "year_out_of_range": (
        "年度超出范围",
        f"{config.FIRST_YEAR}–{config.LAST_YEAR} 之间的年份",
        "",
    ),
    "not_a_number": ("不是数字", "数字；没有数据请留空或填“—”", ""),
    "unknown_unit": ("单位无法换算", "数字，单位与列名一致或不写单位", "核实后改正"),
    "out_of_bounds": ("数值超出范围", "范围内的数值（范围见上）", "核实后改正"),
    "negative_value": ("数值为负", "不小于 0 的数", ""),
    "not_integer": ("应为整数", "整数", "核实后填整数"),
    "duplicate_conflict": (
        "重复填写且数值不同",
        "同一村、同一年、同一指标只填一处",
        "核实后保留正确的一处，删去其他各处",
    ),
    "duplicate_identical": (
        "重复填写",
        "同一村、同一年、同一指标只填一处",
        "删去重复的一处",
    ),
    "totals_mismatch": (
        "合计与各村不符",
        "合计等于各村之和（比率为加权平均）",
        "核对合计或各村数值",
    ),
    "cross_rule": ("数值之间不符", "相关数值互相一致", "核实相关各格的数值"),
    "bad_code": ("村代码不是 12 位", "12 位数字的村代码", "核对村代码"),
    "duplicate_code": ("村代码重复", "每个村代码只出现一次", "删去重复的一行"),
    "unknown_indicator": ("指标不在目录中", "指标目录中的指标名", "改用目录中的指标名"),
    "not_yes_no": ("应填“是”或“否”", "“是”或“否”", ""),
    "unknown_coord_sys": ("坐标系不认识", "gcj02、bd09、wgs84 或 cgcs2000", "核实后填写"),
    "unknown_crs": ("图层没有坐标系", "带坐标系的图层（如 EPSG:4490）", "另存为带坐标系的文件"),
    "geometry_missing": ("没有图形", "每个要素都有图形", "补上图形或删去该要素"),
    "geometry_empty": ("图形为空", "每个要素都有图形", "补上图形或删去该要素"),
    "geometry_invalid": ("图形无效", "有效的多边形", "在地图软件中修复"),
    "geometry_repaired": ("图形已自动修复", "有效的多边形", "核对修复后的图形"),
}

_SUGGESTED = re.compile(r"是否指：(.+?)？")
#: Problems of a name the registry or catalog lacks, whose hint names the closest ones.
_NAME_RULES = {
    "unknown_village",
    "unknown_indicator",
    "unknown_scope",
    "unknown_town",
    "village_not_in_town",
}
LETTERS = re.compile(r"[A-Z]{1,3}")


def _cross_rules(catalog: Catalog) -> dict[str, str]:
    return {
        "poverty_exit_exceeds_remaining": EXIT_RULE_ZH,
        **{rule.id: rule.zh for rule in catalog.cross_rules},
    }


def rule_text(rule: str, catalog: Catalog | None = None) -> tuple[str, str, str]:
    """(title, expected, advice) of a rule id; a catalog cross rule states its relation."""
    if rule in RULE_TEXT:
        return RULE_TEXT[rule]
    relation = _cross_rules(catalog or default_catalog()).get(rule)
    title, _, advice = RULE_TEXT["cross_rule"]
    return title, relation or RULE_TEXT["cross_rule"][1], advice


def cell_ref(row: int, column: str) -> str:
    """Where a problem is, as a clerk finds it: ``D3``, ``第 3 行`` or ``全表``."""
    if row and LETTERS.fullmatch(column or ""):
        return f"{column}{row}"
    return label("problems.row", row=row) if row else label("problems.whole_table")


def problem_text(problem: pd.Series | object) -> str:
    """A problem's Chinese message without the location prefix validate puts in front."""
    file, sheet, row = _get(problem, "file"), _get(problem, "sheet"), int(_get(problem, "row"))
    column, message = _get(problem, "column"), _get(problem, "message_zh")
    where = f"「{file}」" + (f"工作表「{sheet}」" if sheet else "")
    where += (f"第 {row} 行" if row else "") + (f" {column} 列" if column else "")
    return message[len(where) + 1 :] if message.startswith(f"{where}：") else message


def village_label(code: str, name: str) -> str:
    """The group a problem belongs to: the village, a name not in the registry, or none."""
    if code:
        return name or code
    return label("problems.unconfirmed", name=name) if name else label("problems.unassigned")


def _get(item: object, name: str) -> str:
    value = item[name] if isinstance(item, pd.Series) else getattr(item, name)
    return "" if value is None or (isinstance(value, float) and value != value) else value


def column_index(letter: str) -> int:
    """``A`` → 0, ``AA`` → 26."""
    index = 0
    for char in letter:
        index = index * 26 + ord(char) - 64
    return index - 1


def _only_year(sheet: Sheet, row: int, column: str) -> int | None:
    """The one year every other row of the column holds, if there is exactly one."""
    index = column_index(column)
    if index >= sheet.cells.shape[1]:
        return None
    values = sheet.cells[index].drop(index=row - 1, errors="ignore")
    years, _ = parse_year(values.astype(str))
    found = {int(y) for y in years.dropna() if config.FIRST_YEAR <= y <= config.LAST_YEAR}
    return found.pop() if len(found) == 1 else None


def suggestion(problem: object, sheet: Sheet | None, catalog: Catalog) -> str:
    """What to change, concretely, where the problem and its sheet say: ``改为“青光村”``."""
    rule, value = problem.rule, str(problem.value)
    row, column = int(problem.row), problem.column
    hint = _SUGGESTED.search(problem.message_zh)
    if rule in _NAME_RULES and hint:
        first, *others = hint.group(1).split("、")
        more = f"（相近的还有：{'、'.join(others)}）" if others else ""
        return f"如指“{first}”，改为“{first}”{more}"
    if rule == "unknown_column" and hint:
        return f"如是“{hint.group(1).split('、')[0]}”，改用该列名；不是指标的列请删除"
    if rule == "unit_mismatch":
        col = match_headers([value], catalog)[0]
        if col.indicator:
            label = catalog[col.indicator].label_zh
            return f"如数值确是“{catalog[col.indicator].unit}”，列名改为“{label}”"
    if rule == "missing_key" and sheet is not None and LETTERS.fullmatch(column):
        index = column_index(column)
        for r0, c0, r1, c1 in sheet.merged:
            if r0 < row - 1 <= r1 and c0 <= index <= c1:
                top = sheet.cells.iat[r0, c0]
                return f"取消合并单元格，每行都填上：本格填“{top}”"
    if rule in ("missing_key", "bad_year", "year_out_of_range") and sheet is not None:
        year = _only_year(sheet, row, column) if LETTERS.fullmatch(column) else None
        if year is not None:
            return f"本表其他行都是 {year} 年；如本行也是，改为“{year}”"
    if rule == "not_a_number":
        numbers = re.findall(r"\d+(?:\.\d+)?", unicodedata.normalize("NFKC", value))
        if len(numbers) == 1:
            return f"如数值是 {numbers[0]}，改为“{numbers[0]}”"
    if rule == "negative_value" and value.startswith("-"):
        return f"如负号是误填，改为“{value[1:]}”"
    return ""


def comment_text(problem: object, advice: str, catalog: Catalog) -> str:
    """The cell comment: what is wrong, what is expected, what to do, the rule."""
    title, expected, default_advice = rule_text(problem.rule, catalog)
    lines = [
        f"【{label(f'severity.{problem.severity}')}】{title}",
        problem_text(problem),
        f"应填：{expected}",
    ]
    if advice or default_advice:
        lines.append(f"建议：{advice or default_advice}")
    lines.append(f"规则：{problem.rule}")
    return "\n".join(lines)
