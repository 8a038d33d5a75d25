"""The rules a raw file is checked against, as declarations: id → severity and wording.

Nothing here runs a check (the table, cross-row and side-table checkers do, and the ledger
records what they find); this is the one place a clerk's message is worded, Chinese first.

Severity
--------
``error``: something was not ingested (a row, a cell, a column, a file). ``warning``: ingested,
but a person should look (identical duplicates, a totals row that does not add up, rates given
as fractions, a geometry repaired). ``minsheng validate`` exits 1 when there is any error.
"""

from __future__ import annotations

from typing import NamedTuple

from analysis import config


class Rule(NamedTuple):
    """One rule, worded once: the problem record's message and what a clerk is told to do.

    ``zh`` and ``en`` are ``str.format`` templates over the problem's fields; the location
    ("「file」工作表「sheet」第 12 行 D 列") is prefixed. ``title``, ``expected`` and ``action`` are
    what the marked workbooks and the problems page say of every problem of the rule.
    """

    severity: str
    zh: str
    en: str
    title: str
    expected: str
    action: str
    #: ``expected`` in English, for an English problems page.
    expected_en: str


#: rule id → its rule; the catalog's cross rules state their relation in ``expected`` at use.
RULES: dict[str, Rule] = {
    "empty_file": Rule(
        "error",
        "文件是空的。请重新导出完整的文件后再放入。",
        "the file is empty; export it again.",
        "空文件",
        "完整的数据文件",
        "重新导出完整的文件",
        "a complete data file",
    ),
    "unreadable_file": Rule(
        "error",
        "文件无法打开（{detail}）。可能下载不完整或扩展名不对，请用 Excel 打开后另存为 .xlsx。",
        "cannot open the file ({detail}); it may be truncated or misnamed: save it again as .xlsx.",
        "文件打不开",
        "能用 Excel 打开的 .xlsx 或 .csv",
        "用 Excel 打开后另存为 .xlsx",
        "an .xlsx or .csv that Excel opens",
    ),
    "file_too_large": Rule(
        "error",
        "文件大小 {size} 超过可读取的上限 {limit}，未读取。请把数据分成几个文件后再放入。",
        "the file is {size}, over the {limit} that is read; not read. Split it into several files.",
        "文件太大",
        "不超过上限的文件",
        "把数据分成几个文件",
        "a file within the size limit",
    ),
    "sheet_too_large": Rule(
        "error",
        "工作表{what_zh}，超过可读取的上限（{limit_zh}），未读取。"
        "请删除表格以外多余的行和列，或把数据分成几个文件。",
        "the sheet {what_en}, over the limit ({limit_en}); not read. Delete the rows and columns "
        "beyond the table, or split the data into several files.",
        "工作表太大",
        "只有表格本身的工作表",
        "删除表格以外多余的行和列，或把数据分成几个文件",
        "a sheet holding only the table",
    ),
    "stray_blank_cells": Rule(
        "warning",
        "表格以外的单元格 {value} 等（共 {count} 个）只有空格，已忽略。建议删除这些单元格的内容。",
        "cells beyond the table such as {value} ({count} in all) hold only spaces and were "
        "ignored; delete their content.",
        "表格以外有空格单元格",
        "表格以外没有内容",
        "删除这些单元格的内容",
        "nothing outside the table",
    ),
    "unclosed_quote": Rule(
        "error",
        '这一行（{value}）的引号（"）没有配对，从这里到第 {end} 行的 {lines} 行被并成了'
        "一个单元格，这些行都未读取。请删除多余的引号，或用 Excel 另存为 CSV。",
        'a quote (") opened in this line ({value}) is never closed: the {lines} lines to line '
        "{end} became one cell and none was read. Remove the stray quote, or save the CSV "
        "again from Excel.",
        "引号没有配对",
        "每个引号都成对",
        "删除多余的引号，或用 Excel 另存为 CSV",
        "every quote mark closed",
    ),
    "quote_spans_lines": Rule(
        "error",
        "一个带引号的单元格从这一行（{value}）延续到第 {end} 行，中间的行像是数据行，"
        "这些行都未读取。请检查引号是否多余。",
        "a quoted cell runs from this line ({value}) to line {end} over lines that look like "
        "records; none was read. Check for a stray quote.",
        "一个单元格跨了多行",
        "每行一条记录",
        "检查并删除多余的引号",
        "one record a line",
    ),
    "stray_quote": Rule(
        "warning",
        "这一行（{value}）的引号后面还有文字，已按原样连在一起读取。请核对这个单元格。",
        "text follows a closing quote in this line ({value}); it was read joined to the "
        "cell. Check it.",
        "引号后还有文字",
        "引号只包住整个单元格",
        "核对这个单元格",
        "quote marks around a whole cell only",
    ),
    "extra_cells": Rule(
        "error",
        "这一行（{value}）有 {cells} 个单元格，比表头的 {width} 列多，数值可能错位（常因"
        "数字中的千位逗号“1,614”未加引号），该行未读取。请去掉数字中的逗号后重新导出。",
        "the row ({value}) has {cells} cells but the table is {width} wide: its figures may be "
        "shifted "
        "(often a thousands comma such as 1,614 left unquoted); not read. Remove the commas "
        "and export again.",
        "单元格比表头多",
        "每行的单元格数与表头相同",
        "去掉数字中的千位逗号后重新导出",
        "as many cells a row as the header has",
    ),
    "row_count_mismatch": Rule(
        "error",
        "逐行清点为 {counted} 行，实际读入 {read} 行，两者不符：可能有行被漏读或并行。"
        "请另存为 .xlsx 或 CSV UTF-8 后再放入。",
        "{counted} rows counted line by line but {read} read: rows may have been lost or "
        "merged. Save the file again as .xlsx or CSV UTF-8.",
        "行数清点不符",
        "读入的行数与文件中的行数相同",
        "另存为 .xlsx 后再放入",
        "as many rows read as the file holds",
    ),
    "unsupported_format": Rule(
        "error",
        "WPS 表格文件（{value}）无法读取（{detail}）。请在 WPS 中“另存为” Excel 工作簿（.xlsx）后再放入。",
        "WPS spreadsheet ({value}) cannot be read ({detail}); save it as an Excel workbook "
        "(.xlsx) in WPS.",
        "WPS 文件无法读取",
        "Excel 工作簿（.xlsx）",
        "在 WPS 中另存为 .xlsx",
        "an Excel workbook (.xlsx)",
    ),
    "unknown_encoding": Rule(
        "error",
        "文字编码无法识别（不是 UTF-8、GBK 或 GB18030）。请在 Excel 中另存为“CSV UTF-8”。",
        "text encoding not recognised (not UTF-8, GBK or GB18030); save as 'CSV UTF-8'.",
        "文字编码无法识别",
        "UTF-8 编码的 CSV",
        "在 Excel 中另存为“CSV UTF-8”",
        "a UTF-8 CSV",
    ),
    "bom_mismatch": Rule(
        "warning",
        "文件开头有 UTF-8 标记（BOM），但内容是 {encoding} 编码，已按 {encoding} 读取。"
        "请核对中文是否显示正确；以后请另存为“CSV UTF-8”。",
        "the file starts with a UTF-8 byte-order mark but its text is {encoding}: read as "
        "{encoding}. Check the Chinese reads right; save as 'CSV UTF-8' next time.",
        "编码标记与内容不符",
        "UTF-8 编码的 CSV",
        "核对中文，以后另存为“CSV UTF-8”",
        "a UTF-8 CSV",
    ),
    "unknown_file": Rule(
        "warning",
        "不认识的文件类型“{value}”，未读取。数据请用 .xlsx、.xls、.ods 或 .csv，"
        "地图用 .geojson/.gpkg/.shp。",
        "file type {value!r} not recognised, not read; use .xlsx/.xls/.ods/.csv, or "
        ".geojson/.gpkg/.shp.",
        "文件类型不认识",
        "数据用 .xlsx 或 .csv，地图用 .geojson/.gpkg/.shp",
        "用本标注副本（.xlsx）替换原文件",
        "data as .xlsx or .csv, maps as .geojson/.gpkg/.shp",
    ),
    "no_header": Rule(
        "error",
        "找不到表头行（一行中至少要有两个认识的列名，如“村（居）名称”“年度”或指标名）。"
        "{seen_zh}本表 {count} 行数据未读取。{shapes_zh}",
        "no header row found (a row with two known column names such as 村（居）名称, 年度 or "
        "an indicator). {seen_en}{count} data rows not read; {shapes_en}",
        "找不到表头行",
        "数据上方有一行列名，如“村（居）名称”“年度”和指标名",
        "在数据上方插入一行列名",
        "a row of column names above the data, such as 村（居）名称, 年度 and the indicators' names",
    ),
    "unsupported_layout": Rule(
        "error",
        "表格形式为{seen_zh}，不能直接读取，本表 {count} 行数据未读取。{shapes_zh}",
        "the table has {seen_en}, a shape that is not read; {count} data rows not read. "
        "{shapes_en}",
        "表格形式不能读取",
        "宽表（每行一个村、每列一个指标）或长表（村名、年度、指标、数值）",
        "按可读取的形式重排",
        "a wide table (a village a row, an indicator a column) or a long one (village, year, indicator, value)",
    ),
    "year_from_title": Rule(
        "warning",
        "表中没有“年度”列，年度取自标题“{value}”：{year} 年。如果不对，请加上“年度”列。",
        "no year column: the year {year} is taken from the title '{value}'. Add a year column "
        "if that is wrong.",
        "年度取自标题",
        "“年度”一列",
        "核对年度，或加上“年度”列",
        "a 年度 (year) column",
    ),
    "missing_key_column": Rule(
        "error",
        "缺少必填列“{what_zh}”，本表 {count} 行数据未读取。请加上这一列。",
        "required column '{what_en}' is missing; {count} data rows not read. Add the column.",
        "缺少必填列",
        "“村（居）名称”（或村代码）和“年度”两列",
        "加上缺少的列，每行都填上",
        "a 村（居）名称 (village name, or village code) column and a 年度 (year) column",
    ),
    "unknown_column": Rule(
        "error",
        "列名“{value}”不是已知指标，该列 {count} 个数值未读取。{hint_zh}",
        "column '{value}' is not a known indicator; its {count} values were not read. {hint_en}",
        "列名不认识",
        "指标目录中的列名",
        "改用目录中的列名；不是指标的列请删除",
        "a column name of the indicator catalog",
    ),
    "unit_mismatch": Rule(
        "error",
        "列“{value}”的单位“{unit}”不能换算为“{name}”的单位“{canonical}”，该列 {count} 个数值未读取。",
        "unit '{unit}' of column '{value}' cannot be converted to {name_en} ({canonical}); "
        "{count} values not read.",
        "列名中的单位不对",
        "与指标相同或可以换算的单位",
        "核对列名和单位",
        "the indicator's unit, or one that converts to it",
    ),
    "rate_as_fraction": Rule(
        "warning",
        "“{name}”一列的数值都不大于 1，已按小数读取（0.86 读作 86%）。如果不是小数比例，请改正。",
        "all values of '{name_en}' are at most 1: read as fractions (0.86 → 86%). Check this.",
        "比率按小数填写",
        "百分数，如 86 表示 86%",
        "如确是小数比例可不改，否则请改正",
        "a percentage: 86 for 86%",
    ),
    "rate_fraction_cell": Rule(
        "warning",
        "“{name}”填的是 {value}，{why_zh}，已按小数读作 {shown}%。如果不对，请改正。",
        "{name_en} is {value} and {why_en}: read as the fraction {shown}%. Correct it if wrong.",
        "比率按小数填写",
        "百分数，如 86 表示 86%",
        "核对后改为百分数",
        "a percentage: 86 for 86%",
    ),
    "missing_key": Rule(
        "error",
        "“{what_zh}”为空，该行未读取。{hint_zh}",
        "'{what_en}' is blank; the row was not read. {hint_en}",
        "必填项为空",
        "本格不能为空",
        "填上",
        "a value: this cell may not be empty",
    ),
    "unknown_village": Rule(
        "error",
        "村名“{value}”不在村（居）名录（villages.csv）中，该行未读取。{hint_zh}",
        "village '{value}' is not in the registry (villages.csv); row not read. {hint_en}",
        "村名不在名录中",
        "村（居）名录中的村名或 12 位村代码",
        "",
        "a village name of the registry, or a 12-digit village code",
    ),
    "ambiguous_village": Rule(
        "error",
        "村名“{value}”可对应多个村，该行未读取。请写全称、填写 12 位村代码，或加一列“乡镇”写明所属乡镇。",
        "village name '{value}' matches several villages; row not read. Write the full name "
        "or the 12-digit code, or add a 乡镇 (town) column naming the village's town.",
        "村名对应多个村",
        "村的全称或 12 位村代码，或在“乡镇”列写明所属乡镇",
        "写全称、村代码或乡镇",
        "the village's full name or 12-digit code, or its town in a 乡镇 (town) column",
    ),
    "unknown_town": Rule(
        "error",
        "乡镇“{value}”不在村（居）名录中，该行未读取。{hint_zh}",
        "town '{value}' is not in the registry (villages.csv); row not read. {hint_en}",
        "乡镇不在名录中",
        "村（居）名录中的乡镇名或 9 位乡镇代码",
        "",
        "a town name of the registry, or a 9-digit town code",
    ),
    "ambiguous_town": Rule(
        "error",
        "乡镇名“{value}”可对应多个乡镇，该行未读取。请写乡镇全称或 9 位乡镇代码。",
        "town name '{value}' matches several towns; row not read. Write the full name or the "
        "9-digit town code.",
        "乡镇名对应多个乡镇",
        "乡镇全称或 9 位乡镇代码",
        "写全称或乡镇代码",
        "the town's full name or 9-digit code",
    ),
    "village_not_in_town": Rule(
        "error",
        "村名“{value}”不在{town}的村（居）名录中，该行未读取。{hint_zh}",
        "village '{value}' is not in the registry under {town}; row not read. {hint_en}",
        "村不在该乡镇名录中",
        "该乡镇的村名，或核对乡镇",
        "",
        "a village of that town, or the right town",
    ),
    "unknown_scope": Rule(
        "error",
        "范围“{value}”不是名录中的县、乡镇或村（名称或代码），该目标未读取。{hint_zh}",
        "scope '{value}' is no county, town or village of the registry (by name or code); target "
        "not read. {hint_en}",
        "范围不在名录中",
        "名录中的县、乡镇或村：名称或代码",
        "",
        "a county, town or village of the registry: its name or code",
    ),
    "ambiguous_scope": Rule(
        "error",
        "范围“{value}”可对应多个{what_zh}（{names}），该目标未读取。请改填 9 位乡镇代码或 6 位县代码。",
        "scope '{value}' matches several {what_en} ({names}); target not read. Write the 9-digit "
        "town code or the 6-digit county code.",
        "范围对应多个地方",
        "9 位乡镇代码或 6 位县代码",
        "改填代码",
        "a 9-digit town code or a 6-digit county code",
    ),
    "scope_other_county": Rule(
        "error",
        "代码“{value}”属于县（市、区）{county}，不在本数据的名录中（本数据为 {counties}），该目标"
        "未读取。请核对代码。",
        "code '{value}' belongs to county {county}, which is not in this data's registry "
        "({counties}); target not read. Check the code.",
        "代码属于其他县",
        "本数据名录中的县、乡镇或村的代码",
        "核对代码",
        "the code of a county, town or village of this data's registry",
    ),
    "county_scope_one_town": Rule(
        "error",
        "范围“{value}”是全县，但村（居）名录只有一个乡镇（{town}），全县目标无法用一个乡镇的数据评估，"
        "该目标未读取。请放入全县各乡镇的名录和数据，或把目标改为该乡镇的目标。",
        "scope '{value}' is the whole county, but the registry holds one town ({town}): a county "
        "target cannot be assessed on one town's data; target not read. Add every town's "
        "registry and data, or make it the town's target.",
        "全县目标只有一个乡镇的数据",
        "全县各乡镇的名录和数据，或乡镇目标",
        "",
        "the registry and data of every town of the county, or a town's targets",
    ),
    "township_scope_many_towns": Rule(
        "error",
        "范围“{value}”指全镇，但数据有 {count} 个乡镇，该目标未读取。请写明乡镇名称或 9 位乡镇代码"
        "（如 {example}）；全县的目标请写县名或 6 位县代码。",
        "scope '{value}' means the whole town, but the data has {count} towns; target not read. "
        "Name the town or give its 9-digit code (e.g. {example}); for the county, its name or "
        "6-digit code.",
        "“全镇”对应多个乡镇",
        "乡镇名称或 9 位乡镇代码；全县目标填县名或 6 位县代码",
        "写明乡镇",
        "a town's name or 9-digit code; for a county target, the county's name or 6-digit code",
    ),
    "bad_year": Rule(
        "error",
        "年度“{value}”不是四位年份，该行未读取。请填写如 2019。",
        "year '{value}' is not a four-digit year; row not read. Write e.g. 2019.",
        "年度写法不对",
        "四位数字的年份，如 2019",
        "",
        "a four-digit year, such as 2019",
    ),
    "year_out_of_range": Rule(
        "error",
        "年度 {value} 不在 {first}–{last} 之间，该行未读取。",
        "year {value} is outside {first}–{last}; row not read.",
        "年度超出范围",
        f"{config.FIRST_YEAR}–{config.LAST_YEAR} 之间的年份",
        "",
        "a year from 2000 to 2035",
    ),
    "not_a_number": Rule(
        "error",
        "“{value}”不是数字，“{name}”未读取。请填数字；没有数据请留空或填“—”。",
        "'{value}' is not a number; {name_en} not read. Enter a number, or leave blank / '—'.",
        "不是数字",
        "数字；没有数据请留空或填“—”",
        "",
        "a number; leave the cell empty or write — where there is no figure",
    ),
    "unknown_unit": Rule(
        "error",
        "“{value}”中的单位“{unit}”无法换算为“{name}”的单位“{canonical}”，未读取。",
        "unit '{unit}' in '{value}' cannot be converted to {name_en} ({canonical}); not read.",
        "单位无法换算",
        "数字，单位与列名一致或不写单位",
        "核实后改正",
        "a number, in the column's unit or with no unit",
    ),
    "out_of_bounds": Rule(
        "error",
        "“{name}”为 {value}，超出范围（应在 {low} 到 {high} {canonical} 之间），未读取。",
        "{name_en} is {value}, outside {low}–{high} {canonical}; not read.",
        "数值超出范围",
        "范围内的数值（范围见上）",
        "核实后改正",
        "a value within the range (given above)",
    ),
    "negative_value": Rule(
        "error",
        "“{name}”为负数 {value}，不应小于 0，未读取。",
        "{name_en} is negative ({value}); not read.",
        "数值为负",
        "不小于 0 的数",
        "",
        "a number not below 0",
    ),
    "not_integer": Rule(
        "error",
        "“{name}”应为整数（单位：{canonical}），填的是 {value}，未读取。",
        "{name_en} must be a whole number of {canonical}, got {value}; not read.",
        "应为整数",
        "整数",
        "核实后填整数",
        "a whole number",
    ),
    "duplicate_conflict": Rule(
        "error",
        "{village} {year} 年“{name}”填了不止一次且数值不同（本处 {value}；{others}）。"
        "各处均未读取，请核实后只保留一处。",
        "{village} {year} {name_en} is entered more than once with different values (here "
        "{value}; {others}); none was read. Keep one.",
        "重复填写且数值不同",
        "同一村、同一年、同一指标只填一处",
        "核实后保留正确的一处，删去其他各处",
        "one entry for each village, year and indicator",
    ),
    "duplicate_identical": Rule(
        "warning",
        "{village} {year} 年“{name}”在 {others} 也填了相同的数值 {value}，只计一次。",
        "{village} {year} {name_en}: the same value {value} also appears at {others}; counted once.",
        "重复填写",
        "同一村、同一年、同一指标只填一处",
        "删去重复的一处",
        "one entry for each village, year and indicator",
    ),
    "totals_mismatch": Rule(
        "warning",
        "合计行“{name}”为 {value}，{scope_zh}各村{how_zh}为 {computed}，两者不符。请核对合计或各村数值。",
        "totals row {name_en} is {value} but the {scope_en}villages' {how_en} is {computed}.",
        "合计与各村不符",
        "合计等于各村之和（比率为加权平均）",
        "核对合计或各村数值",
        "a total equal to the villages' sum (a rate: their weighted mean)",
    ),
    "points_ledger_mismatch": Rule(
        "warning",
        "点位图层中{kind_zh}（{scope_zh}）共 {points} 处，台账{name}（{scope_zh}）为 {ledger}，"
        "两者不符。该年地图的图例会同时标注这两个数字；请核对点位或台账。",
        "the points layer has {points} {kind_en} ({scope_en}) but the ledger's {name_en} "
        "({scope_en}) is {ledger}; that year's map states both figures.",
        "点位与台账不符",
        "地图上的点位数等于台账中同一口径的数字",
        "核对点位的类别和建成年份，或核对台账",
        "as many points on the map as the ledger's figure for the same thing",
    ),
    "cross_rule": Rule(
        "error",
        "{village} {year} 年：{rule_zh}（{detail_zh}）。相关数值均未读取，请核实。",
        "{village} {year}: {rule_en} ({detail_en}); the values involved were not read.",
        "数值之间不符",
        "相关数值互相一致",
        "核实相关各格的数值",
        "related figures that agree",
    ),
    "bad_code": Rule(
        "error",
        "村代码“{value}”不是 12 位数字，该村未读取。",
        "village code '{value}' is not 12 digits; the village was not read.",
        "村代码不是 12 位",
        "12 位数字的村代码",
        "核对村代码",
        "a 12-digit village code",
    ),
    "duplicate_code": Rule(
        "error",
        "村代码 {value} 在名录中出现不止一次，后面的一行未读取。",
        "village code {value} appears more than once in the registry; the later row was not read.",
        "村代码重复",
        "每个村代码只出现一次",
        "删去重复的一行",
        "each village code once",
    ),
    "unknown_indicator": Rule(
        "error",
        "指标“{value}”不在指标目录中，该行未读取。{hint_zh}",
        "indicator '{value}' is not in the catalog; row not read. {hint_en}",
        "指标不在目录中",
        "指标目录中的指标名",
        "改用目录中的指标名",
        "an indicator name of the catalog",
    ),
    "not_yes_no": Rule(
        "error",
        "“{value}”应填“是”或“否”，未读取。",
        "'{value}' should be 是 (yes) or 否 (no); not read.",
        "应填“是”或“否”",
        "“是”或“否”",
        "",
        "是 (yes) or 否 (no)",
    ),
    "unknown_crs": Rule(
        "error",
        "图层没有坐标系（CRS），无法使用。请另存为带坐标系的文件（如 EPSG:4490 的 GeoPackage）。",
        "the layer declares no coordinate reference system; save it with one (e.g. EPSG:4490).",
        "图层没有坐标系",
        "带坐标系的图层（如 EPSG:4490）",
        "另存为带坐标系的文件",
        "a layer with its coordinate system (such as EPSG:4490)",
    ),
    "unknown_coord_sys": Rule(
        "error",
        "坐标系“{value}”不认识，该点未读取。请填 gcj02、bd09、wgs84 或 cgcs2000。",
        "coordinate system '{value}' not recognised; point not read (gcj02, bd09, wgs84, cgcs2000).",
        "坐标系不认识",
        "gcj02、bd09、wgs84 或 cgcs2000",
        "核实后填写",
        "gcj02, bd09, wgs84 or cgcs2000",
    ),
    "geometry_missing": Rule(
        "error",
        "{detail}，该要素未读取。",
        "no geometry; feature not read.",
        "没有图形",
        "每个要素都有图形",
        "补上图形或删去该要素",
        "a shape for every feature",
    ),
    "geometry_empty": Rule(
        "error",
        "{detail}，该要素未读取。",
        "empty geometry; feature not read.",
        "图形为空",
        "每个要素都有图形",
        "补上图形或删去该要素",
        "a shape for every feature",
    ),
    "geometry_invalid": Rule(
        "error",
        "{detail}，该要素未读取。",
        "invalid geometry ({reason}) that cannot be repaired safely; feature not read.",
        "图形无效",
        "有效的多边形",
        "在地图软件中修复",
        "a valid polygon",
    ),
    "geometry_repaired": Rule(
        "warning",
        "{detail}。",
        "invalid geometry ({reason}) repaired with make_valid.",
        "图形已自动修复",
        "有效的多边形",
        "核对修复后的图形",
        "a valid polygon",
    ),
}

#: The county-form leftovers (issue 27): formulas saved without values, hidden rows and columns,
#: files that give no data, links that lead out of the raw folder.
RULES.update(
    {
        "formula_without_value": Rule(
            "error",
            "公式 {value} 没有保存计算结果，且无法代为计算（{why_zh}），该格未读取。"
            "请在 Excel 或 WPS 中打开本文件，保存一次后再放入。",
            "the formula {value} was saved without its result and cannot be computed here "
            "({why_en}); the cell was not read. Open the file in Excel or WPS, save it, and put "
            "it back.",
            "公式没有保存结果",
            "保存了计算结果的公式，或直接填写的数值",
            "在 Excel 或 WPS 中打开后保存一次",
            "a formula saved with its result, or a figure typed in",
        ),
        "formula_computed": Rule(
            "warning",
            "本表 {count} 个公式单元格没有保存计算结果（如本格 {value}），已按公式用本文件中的数值"
            "算出（本格为 {result}）。请核对；在 Excel 或 WPS 中打开后保存一次即可消除本提示。",
            "{count} formula cells of the sheet were saved without their results (such as this "
            "one, {value}); they were computed from the file's own figures (this one: {result}). "
            "Check them; opening and saving the file in Excel or WPS clears this note.",
            "公式结果由本系统算出",
            "保存了计算结果的公式",
            "核对后在 Excel 或 WPS 中打开并保存一次",
            "formulas saved with their results",
        ),
        "hidden_row": Rule(
            "warning",
            "这一行被隐藏（{value}），已照常读取。隐藏的行常是旧数据，会重复计算，请核对后删除或取消隐藏。",
            "this row is hidden ({value}) and was read like any other. A hidden row is often "
            "stale data counted twice: check it, then delete or unhide it.",
            "隐藏的行",
            "没有隐藏的行",
            "取消隐藏后核对，不要的行删除",
            "no hidden rows",
        ),
        "hidden_column": Rule(
            "warning",
            "这一列被隐藏（{value}，共 {count} 个单元格有内容），已照常读取。请核对后删除或取消隐藏。",
            "this column is hidden ({value}; {count} cells hold something) and was read like any "
            "other. Check it, then delete or unhide it.",
            "隐藏的列",
            "没有隐藏的列",
            "取消隐藏后核对，不要的列删除",
            "no hidden columns",
        ),
        "no_data": Rule(
            "warning",
            "{what_zh}没有读到任何数据：{rows_zh}，没有一行被接受或隔离。{seen_zh}"
            "如果它不是数据，请移出数据文件夹；如果是，请检查表头和分隔符（CSV 用逗号分隔）。",
            "no data was read from {what_en}: {rows_en}; no row was accepted or quarantined. "
            "{seen_en}If it is not data, move it out of the data folder; if it is, check its "
            "header and separator (a CSV is comma-separated).",
            "没有读到数据",
            "一张有表头和数据行的表",
            "不是数据就移出文件夹；是数据就检查表头和分隔符",
            "a table with a header and data rows",
        ),
        "link_outside_folder": Rule(
            "error",
            "这是一个链接（快捷方式），指向数据文件夹以外的“{value}”，未读取。请把文件本身复制到数据文件夹中。",
            "this is a link pointing outside the data folder, to '{value}'; not read. Copy the "
            "file itself into the data folder.",
            "链接指向文件夹以外",
            "数据文件夹中的文件本身",
            "把文件本身复制进来",
            "the file itself, inside the data folder",
        ),
    }
)
