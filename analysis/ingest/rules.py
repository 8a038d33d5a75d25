"""The rules a raw file is checked against: one :class:`Rule` a rule, everything said of it.

Nothing here runs a check (the table, cross-row and side-table checkers do, and the ledger
records what they find). A rule's record is all the rest of the package knows of it: the ledger
words the problem from it, the marked workbooks colour, place and comment it, the problems page
and the advice say what the cell should hold. So adding a check is adding its :class:`Rule` to
:data:`RULES` and the checker that calls ``ledger.add(rule_id, …)``; nothing else.

Severity
--------
``error``: something was not ingested (a row, a cell, a column, a file). ``warning``: ingested,
but a person should look (identical duplicates, a totals row that does not add up, rates given
as fractions, a geometry repaired). ``minsheng validate`` exits 1 when there is a problem of a
severity that :attr:`Severity.blocks`. Problems are listed in the order of :class:`Severity`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from analysis import config


class Severity(StrEnum):
    """How much a problem weighs, heaviest first (the order problems are listed in)."""

    ERROR = "error"
    WARNING = "warning"

    @property
    def blocks(self) -> bool:
        """Whether a problem of this severity makes the data not ok (validate exits 1)."""
        return self is Severity.ERROR


class Scope(StrEnum):
    """What a problem is about, and so where it is shown: a cell or a row can be marked in a
    copy and belongs to the village of its row; a column or a sheet belongs to no village; a
    file's problem has no cell to be marked in."""

    CELL = "cell"
    ROW = "row"
    COLUMN = "column"
    SHEET = "sheet"
    FILE = "file"


class Effect(StrEnum):
    """What a problem does to what was read: the widest thing it keeps out."""

    #: Read as it stands (a warning says what to check).
    NONE = "none"
    #: The cell's value is not read; the rest of the row is.
    VALUE = "value"
    #: The column's values are not read.
    COLUMN = "column"
    #: The row is not read: the ledger quarantines it when the problem is recorded.
    ROW = "row"
    #: No row of the sheet is read.
    SHEET = "sheet"
    #: The file is not read.
    FILE = "file"


@dataclass(frozen=True)
class Rule:
    """One rule, worded once: the problem record's message and what a clerk is told to do.

    ``message_zh`` and ``message_en`` are ``str.format`` templates over the problem's fields;
    the location ("「file」工作表「sheet」第 12 行 D 列") is prefixed. ``title_zh``,
    ``expected_zh``/``expected_en`` and ``action_zh`` are what the marked workbooks (Chinese, the
    clerks' words) and the problems page (either language) say of every problem of the rule.
    """

    id: str
    severity: Severity
    scope: Scope
    #: What the problem keeps out of the data.
    quarantines: Effect
    message_zh: str
    message_en: str
    title_zh: str
    #: What the cell should hold.
    expected_zh: str
    expected_en: str
    #: What to do about it, when the problem has no more concrete suggestion.
    action_zh: str
    #: The file's lines are not its records (a CSV quote never closed): no copy can keep its
    #: rows, so it is corrected as a text file and no marked copy is made.
    breaks_records: bool = False
    #: The message's hint names the closest known names (``是否指：…？``): the first is
    #: suggested as the correction.
    names_closest: bool = False

    @property
    def village_row(self) -> bool:
        """Whether a problem of this rule is on one row, and so belongs to that row's village."""
        return self.scope in (Scope.CELL, Scope.ROW)


_RULES = (
    Rule(
        "empty_file",
        Severity.ERROR,
        Scope.FILE,
        Effect.FILE,
        message_zh="文件是空的。请重新导出完整的文件后再放入。",
        message_en="the file is empty; export it again.",
        title_zh="空文件",
        expected_zh="完整的数据文件",
        expected_en="a complete data file",
        action_zh="重新导出完整的文件",
    ),
    Rule(
        "unreadable_file",
        Severity.ERROR,
        Scope.FILE,
        Effect.FILE,
        message_zh=(
            "文件无法打开（{detail}）。可能下载不完整或扩展名不对，请用 Excel 打开后另存为 .xlsx。"
        ),
        message_en=(
            "cannot open the file ({detail}); it may be truncated or misnamed: save it again as "
            ".xlsx."
        ),
        title_zh="文件打不开",
        expected_zh="能用 Excel 打开的 .xlsx 或 .csv",
        expected_en="an .xlsx or .csv that Excel opens",
        action_zh="用 Excel 打开后另存为 .xlsx",
    ),
    Rule(
        "file_too_large",
        Severity.ERROR,
        Scope.FILE,
        Effect.FILE,
        message_zh="文件大小 {size} 超过可读取的上限 {limit}，未读取。请把数据分成几个文件后再放入。",
        message_en=(
            "the file is {size}, over the {limit} that is read; not read. Split it into several "
            "files."
        ),
        title_zh="文件太大",
        expected_zh="不超过上限的文件",
        expected_en="a file within the size limit",
        action_zh="把数据分成几个文件",
    ),
    Rule(
        "sheet_too_large",
        Severity.ERROR,
        Scope.SHEET,
        Effect.SHEET,
        message_zh=(
            "工作表{what_zh}，超过可读取的上限（{limit_zh}），未读取。"
            "请删除表格以外多余的行和列，或把数据分成几个文件。"
        ),
        message_en=(
            "the sheet {what_en}, over the limit ({limit_en}); not read. Delete the rows and "
            "columns beyond the table, or split the data into several files."
        ),
        title_zh="工作表太大",
        expected_zh="只有表格本身的工作表",
        expected_en="a sheet holding only the table",
        action_zh="删除表格以外多余的行和列，或把数据分成几个文件",
    ),
    Rule(
        "stray_blank_cells",
        Severity.WARNING,
        Scope.SHEET,
        Effect.NONE,
        message_zh=(
            "表格以外的单元格 {value} 等（共 {count} 个）只有空格，已忽略。"
            "建议删除这些单元格的内容。"
        ),
        message_en=(
            "cells beyond the table such as {value} ({count} in all) hold only spaces and were "
            "ignored; delete their content."
        ),
        title_zh="表格以外有空格单元格",
        expected_zh="表格以外没有内容",
        expected_en="nothing outside the table",
        action_zh="删除这些单元格的内容",
    ),
    Rule(
        "unclosed_quote",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh=(
            '这一行（{value}）的引号（"）没有配对，从这里到第 {end} 行的 {lines} '
            "行被并成了一个单元格，这些行都未读取。请删除多余的引号，或用 Excel 另存为 CSV。"
        ),
        message_en=(
            'a quote (") opened in this line ({value}) is never closed: the {lines} lines to '
            "line {end} became one cell and none was read. Remove the stray quote, or save the "
            "CSV again from Excel."
        ),
        title_zh="引号没有配对",
        expected_zh="每个引号都成对",
        expected_en="every quote mark closed",
        action_zh="删除多余的引号，或用 Excel 另存为 CSV",
        breaks_records=True,
    ),
    Rule(
        "quote_spans_lines",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh=(
            "一个带引号的单元格从这一行（{value}）延续到第 {end} 行，中间的行像是数据行，"
            "这些行都未读取。请检查引号是否多余。"
        ),
        message_en=(
            "a quoted cell runs from this line ({value}) to line {end} over lines that look like "
            "records; none was read. Check for a stray quote."
        ),
        title_zh="一个单元格跨了多行",
        expected_zh="每行一条记录",
        expected_en="one record a line",
        action_zh="检查并删除多余的引号",
        breaks_records=True,
    ),
    Rule(
        "stray_quote",
        Severity.WARNING,
        Scope.ROW,
        Effect.NONE,
        message_zh="这一行（{value}）的引号后面还有文字，已按原样连在一起读取。请核对这个单元格。",
        message_en=(
            "text follows a closing quote in this line ({value}); it was read joined to the "
            "cell. Check it."
        ),
        title_zh="引号后还有文字",
        expected_zh="引号只包住整个单元格",
        expected_en="quote marks around a whole cell only",
        action_zh="核对这个单元格",
    ),
    Rule(
        "extra_cells",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh=(
            "这一行（{value}）有 {cells} 个单元格，比表头的 {width} 列多，"
            "数值可能错位（常因数字中的千位逗号“1,614”未加引号），该行未读取。"
            "请去掉数字中的逗号后重新导出。"
        ),
        message_en=(
            "the row ({value}) has {cells} cells but the table is {width} wide: its figures may "
            "be shifted (often a thousands comma such as 1,614 left unquoted); not read. Remove "
            "the commas and export again."
        ),
        title_zh="单元格比表头多",
        expected_zh="每行的单元格数与表头相同",
        expected_en="as many cells a row as the header has",
        action_zh="去掉数字中的千位逗号后重新导出",
        breaks_records=True,
    ),
    Rule(
        "row_count_mismatch",
        Severity.ERROR,
        Scope.SHEET,
        Effect.NONE,
        message_zh=(
            "逐行清点为 {counted} 行，实际读入 {read} 行，两者不符：可能有行被漏读或并行。"
            "请另存为 .xlsx 或 CSV UTF-8 后再放入。"
        ),
        message_en=(
            "{counted} rows counted line by line but {read} read: rows may have been lost or "
            "merged. Save the file again as .xlsx or CSV UTF-8."
        ),
        title_zh="行数清点不符",
        expected_zh="读入的行数与文件中的行数相同",
        expected_en="as many rows read as the file holds",
        action_zh="另存为 .xlsx 后再放入",
    ),
    Rule(
        "unsupported_format",
        Severity.ERROR,
        Scope.FILE,
        Effect.FILE,
        message_zh=(
            "WPS 表格文件（{value}）无法读取（{detail}）。请在 WPS 中“另存为” Excel "
            "工作簿（.xlsx）后再放入。"
        ),
        message_en=(
            "WPS spreadsheet ({value}) cannot be read ({detail}); save it as an Excel workbook "
            "(.xlsx) in WPS."
        ),
        title_zh="WPS 文件无法读取",
        expected_zh="Excel 工作簿（.xlsx）",
        expected_en="an Excel workbook (.xlsx)",
        action_zh="在 WPS 中另存为 .xlsx",
    ),
    Rule(
        "unknown_encoding",
        Severity.ERROR,
        Scope.FILE,
        Effect.FILE,
        message_zh="文字编码无法识别（不是 UTF-8、GBK 或 GB18030）。请在 Excel 中另存为“CSV UTF-8”。",
        message_en="text encoding not recognised (not UTF-8, GBK or GB18030); save as 'CSV UTF-8'.",
        title_zh="文字编码无法识别",
        expected_zh="UTF-8 编码的 CSV",
        expected_en="a UTF-8 CSV",
        action_zh="在 Excel 中另存为“CSV UTF-8”",
    ),
    Rule(
        "bom_mismatch",
        Severity.WARNING,
        Scope.FILE,
        Effect.NONE,
        message_zh=(
            "文件开头有 UTF-8 标记（BOM），但内容是 {encoding} 编码，已按 {encoding} 读取。"
            "请核对中文是否显示正确；以后请另存为“CSV UTF-8”。"
        ),
        message_en=(
            "the file starts with a UTF-8 byte-order mark but its text is {encoding}: read as "
            "{encoding}. Check the Chinese reads right; save as 'CSV UTF-8' next time."
        ),
        title_zh="编码标记与内容不符",
        expected_zh="UTF-8 编码的 CSV",
        expected_en="a UTF-8 CSV",
        action_zh="核对中文，以后另存为“CSV UTF-8”",
    ),
    Rule(
        "unknown_file",
        Severity.WARNING,
        Scope.FILE,
        Effect.FILE,
        message_zh=(
            "不认识的文件类型“{value}”，未读取。数据请用 .xlsx、.xls、.ods 或 .csv，地图用 "
            ".geojson/.gpkg/.shp。"
        ),
        message_en=(
            "file type {value!r} not recognised, not read; use .xlsx/.xls/.ods/.csv, or "
            ".geojson/.gpkg/.shp."
        ),
        title_zh="文件类型不认识",
        expected_zh="数据用 .xlsx 或 .csv，地图用 .geojson/.gpkg/.shp",
        expected_en="data as .xlsx or .csv, maps as .geojson/.gpkg/.shp",
        action_zh="用本标注副本（.xlsx）替换原文件",
    ),
    Rule(
        "no_header",
        Severity.ERROR,
        Scope.SHEET,
        Effect.SHEET,
        message_zh=(
            "找不到表头行（一行中至少要有两个认识的列名，如“村（居）名称”“年度”或指标名）。"
            "{seen_zh}本表 {count} 行数据未读取。{shapes_zh}"
        ),
        message_en=(
            "no header row found (a row with two known column names such as 村（居）名称, 年度 "
            "or an indicator). {seen_en}{count} data rows not read; {shapes_en}"
        ),
        title_zh="找不到表头行",
        expected_zh="数据上方有一行列名，如“村（居）名称”“年度”和指标名",
        expected_en=(
            "a row of column names above the data, such as 村（居）名称, 年度 and the "
            "indicators' names"
        ),
        action_zh="在数据上方插入一行列名",
    ),
    Rule(
        "unsupported_layout",
        Severity.ERROR,
        Scope.SHEET,
        Effect.SHEET,
        message_zh="表格形式为{seen_zh}，不能直接读取，本表 {count} 行数据未读取。{shapes_zh}",
        message_en=(
            "the table has {seen_en}, a shape that is not read; {count} data rows not read. "
            "{shapes_en}"
        ),
        title_zh="表格形式不能读取",
        expected_zh="宽表（每行一个村、每列一个指标）或长表（村名、年度、指标、数值）",
        expected_en=(
            "a wide table (a village a row, an indicator a column) or a long one (village, year, "
            "indicator, value)"
        ),
        action_zh="按可读取的形式重排",
    ),
    Rule(
        "year_from_title",
        Severity.WARNING,
        Scope.SHEET,
        Effect.NONE,
        message_zh="表中没有“年度”列，年度取自标题“{value}”：{year} 年。如果不对，请加上“年度”列。",
        message_en=(
            "no year column: the year {year} is taken from the title '{value}'. Add a year "
            "column if that is wrong."
        ),
        title_zh="年度取自标题",
        expected_zh="“年度”一列",
        expected_en="a 年度 (year) column",
        action_zh="核对年度，或加上“年度”列",
    ),
    Rule(
        "missing_key_column",
        Severity.ERROR,
        Scope.SHEET,
        Effect.SHEET,
        message_zh="缺少必填列“{what_zh}”，本表 {count} 行数据未读取。请加上这一列。",
        message_en="required column '{what_en}' is missing; {count} data rows not read. Add the column.",
        title_zh="缺少必填列",
        expected_zh="“村（居）名称”（或村代码）和“年度”两列",
        expected_en="a 村（居）名称 (village name, or village code) column and a 年度 (year) column",
        action_zh="加上缺少的列，每行都填上",
    ),
    Rule(
        "unknown_column",
        Severity.ERROR,
        Scope.COLUMN,
        Effect.COLUMN,
        message_zh="列名“{value}”不是已知指标，该列 {count} 个数值未读取。{hint_zh}",
        message_en=(
            "column '{value}' is not a known indicator; its {count} values were not read. {hint_en}"
        ),
        title_zh="列名不认识",
        expected_zh="指标目录中的列名",
        expected_en="a column name of the indicator catalog",
        action_zh="改用目录中的列名；不是指标的列请删除",
    ),
    Rule(
        "unit_mismatch",
        Severity.ERROR,
        Scope.COLUMN,
        Effect.COLUMN,
        message_zh=(
            "列“{value}”的单位“{unit}”不能换算为“{name}”的单位“{canonical}”，该列 {count} "
            "个数值未读取。"
        ),
        message_en=(
            "unit '{unit}' of column '{value}' cannot be converted to {name_en} ({canonical}); "
            "{count} values not read."
        ),
        title_zh="列名中的单位不对",
        expected_zh="与指标相同或可以换算的单位",
        expected_en="the indicator's unit, or one that converts to it",
        action_zh="核对列名和单位",
    ),
    Rule(
        "rate_as_fraction",
        Severity.WARNING,
        Scope.COLUMN,
        Effect.NONE,
        message_zh=(
            "“{name}”一列的数值都不大于 1，已按小数读取（0.86 读作 86%）。如果不是小数比例，"
            "请改正。"
        ),
        message_en="all values of '{name_en}' are at most 1: read as fractions (0.86 → 86%). Check this.",
        title_zh="比率按小数填写",
        expected_zh="百分数，如 86 表示 86%",
        expected_en="a percentage: 86 for 86%",
        action_zh="如确是小数比例可不改，否则请改正",
    ),
    Rule(
        "rate_fraction_cell",
        Severity.WARNING,
        Scope.CELL,
        Effect.NONE,
        message_zh="“{name}”填的是 {value}，{why_zh}，已按小数读作 {shown}%。如果不对，请改正。",
        message_en=(
            "{name_en} is {value} and {why_en}: read as the fraction {shown}%. Correct it if wrong."
        ),
        title_zh="比率按小数填写",
        expected_zh="百分数，如 86 表示 86%",
        expected_en="a percentage: 86 for 86%",
        action_zh="核对后改为百分数",
    ),
    Rule(
        "missing_key",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="“{what_zh}”为空，该行未读取。{hint_zh}",
        message_en="'{what_en}' is blank; the row was not read. {hint_en}",
        title_zh="必填项为空",
        expected_zh="本格不能为空",
        expected_en="a value: this cell may not be empty",
        action_zh="填上",
    ),
    Rule(
        "unknown_village",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="村名“{value}”不在村（居）名录（villages.csv）中，该行未读取。{hint_zh}",
        message_en="village '{value}' is not in the registry (villages.csv); row not read. {hint_en}",
        title_zh="村名不在名录中",
        expected_zh="村（居）名录中的村名或 12 位村代码",
        expected_en="a village name of the registry, or a 12-digit village code",
        action_zh="",
        names_closest=True,
    ),
    Rule(
        "ambiguous_village",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh=(
            "村名“{value}”可对应多个村，该行未读取。请写全称、填写 12 位村代码，"
            "或加一列“乡镇”写明所属乡镇。"
        ),
        message_en=(
            "village name '{value}' matches several villages; row not read. Write the full name "
            "or the 12-digit code, or add a 乡镇 (town) column naming the village's town."
        ),
        title_zh="村名对应多个村",
        expected_zh="村的全称或 12 位村代码，或在“乡镇”列写明所属乡镇",
        expected_en="the village's full name or 12-digit code, or its town in a 乡镇 (town) column",
        action_zh="写全称、村代码或乡镇",
    ),
    Rule(
        "unknown_town",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="乡镇“{value}”不在村（居）名录中，该行未读取。{hint_zh}",
        message_en="town '{value}' is not in the registry (villages.csv); row not read. {hint_en}",
        title_zh="乡镇不在名录中",
        expected_zh="村（居）名录中的乡镇名或 9 位乡镇代码",
        expected_en="a town name of the registry, or a 9-digit town code",
        action_zh="",
        names_closest=True,
    ),
    Rule(
        "ambiguous_town",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="乡镇名“{value}”可对应多个乡镇，该行未读取。请写乡镇全称或 9 位乡镇代码。",
        message_en=(
            "town name '{value}' matches several towns; row not read. Write the full name or the "
            "9-digit town code."
        ),
        title_zh="乡镇名对应多个乡镇",
        expected_zh="乡镇全称或 9 位乡镇代码",
        expected_en="the town's full name or 9-digit code",
        action_zh="写全称或乡镇代码",
    ),
    Rule(
        "village_not_in_town",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="村名“{value}”不在{town}的村（居）名录中，该行未读取。{hint_zh}",
        message_en="village '{value}' is not in the registry under {town}; row not read. {hint_en}",
        title_zh="村不在该乡镇名录中",
        expected_zh="该乡镇的村名，或核对乡镇",
        expected_en="a village of that town, or the right town",
        action_zh="",
        names_closest=True,
    ),
    Rule(
        "unknown_scope",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="范围“{value}”不是名录中的县、乡镇或村（名称或代码），该目标未读取。{hint_zh}",
        message_en=(
            "scope '{value}' is no county, town or village of the registry (by name or code); "
            "target not read. {hint_en}"
        ),
        title_zh="范围不在名录中",
        expected_zh="名录中的县、乡镇或村：名称或代码",
        expected_en="a county, town or village of the registry: its name or code",
        action_zh="",
        names_closest=True,
    ),
    Rule(
        "ambiguous_scope",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh=(
            "范围“{value}”可对应多个{what_zh}（{names}），该目标未读取。请改填 9 位乡镇代码或 6 "
            "位县代码。"
        ),
        message_en=(
            "scope '{value}' matches several {what_en} ({names}); target not read. Write the "
            "9-digit town code or the 6-digit county code."
        ),
        title_zh="范围对应多个地方",
        expected_zh="9 位乡镇代码或 6 位县代码",
        expected_en="a 9-digit town code or a 6-digit county code",
        action_zh="改填代码",
    ),
    Rule(
        "scope_other_county",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh=(
            "代码“{value}”属于县（市、区）{county}，不在本数据的名录中（本数据为 {counties}），"
            "该目标未读取。请核对代码。"
        ),
        message_en=(
            "code '{value}' belongs to county {county}, which is not in this data's registry "
            "({counties}); target not read. Check the code."
        ),
        title_zh="代码属于其他县",
        expected_zh="本数据名录中的县、乡镇或村的代码",
        expected_en="the code of a county, town or village of this data's registry",
        action_zh="核对代码",
    ),
    Rule(
        "county_scope_one_town",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh=(
            "范围“{value}”是全县，但村（居）名录只有一个乡镇（{town}），"
            "全县目标无法用一个乡镇的数据评估，该目标未读取。请放入全县各乡镇的名录和数据，"
            "或把目标改为该乡镇的目标。"
        ),
        message_en=(
            "scope '{value}' is the whole county, but the registry holds one town ({town}): a "
            "county target cannot be assessed on one town's data; target not read. Add every "
            "town's registry and data, or make it the town's target."
        ),
        title_zh="全县目标只有一个乡镇的数据",
        expected_zh="全县各乡镇的名录和数据，或乡镇目标",
        expected_en="the registry and data of every town of the county, or a town's targets",
        action_zh="",
    ),
    Rule(
        "township_scope_many_towns",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh=(
            "范围“{value}”指全镇，但数据有 {count} 个乡镇，该目标未读取。请写明乡镇名称或 9 "
            "位乡镇代码（如 {example}）；全县的目标请写县名或 6 位县代码。"
        ),
        message_en=(
            "scope '{value}' means the whole town, but the data has {count} towns; target not "
            "read. Name the town or give its 9-digit code (e.g. {example}); for the county, its "
            "name or 6-digit code."
        ),
        title_zh="“全镇”对应多个乡镇",
        expected_zh="乡镇名称或 9 位乡镇代码；全县目标填县名或 6 位县代码",
        expected_en=(
            "a town's name or 9-digit code; for a county target, the county's name or 6-digit code"
        ),
        action_zh="写明乡镇",
    ),
    Rule(
        "bad_year",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="年度“{value}”不是四位年份，该行未读取。请填写如 2019。",
        message_en="year '{value}' is not a four-digit year; row not read. Write e.g. 2019.",
        title_zh="年度写法不对",
        expected_zh="四位数字的年份，如 2019",
        expected_en="a four-digit year, such as 2019",
        action_zh="",
    ),
    Rule(
        "year_out_of_range",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="年度 {value} 不在 {first}–{last} 之间，该行未读取。",
        message_en="year {value} is outside {first}–{last}; row not read.",
        title_zh="年度超出范围",
        expected_zh=f"{config.FIRST_YEAR}–{config.LAST_YEAR} 之间的年份",
        expected_en="a year from 2000 to 2035",
        action_zh="",
    ),
    Rule(
        "not_a_number",
        Severity.ERROR,
        Scope.CELL,
        Effect.VALUE,
        message_zh="“{value}”不是数字，“{name}”未读取。请填数字；没有数据请留空或填“—”。",
        message_en="'{value}' is not a number; {name_en} not read. Enter a number, or leave blank / '—'.",
        title_zh="不是数字",
        expected_zh="数字；没有数据请留空或填“—”",
        expected_en="a number; leave the cell empty or write — where there is no figure",
        action_zh="",
    ),
    Rule(
        "unknown_unit",
        Severity.ERROR,
        Scope.CELL,
        Effect.VALUE,
        message_zh="“{value}”中的单位“{unit}”无法换算为“{name}”的单位“{canonical}”，未读取。",
        message_en="unit '{unit}' in '{value}' cannot be converted to {name_en} ({canonical}); not read.",
        title_zh="单位无法换算",
        expected_zh="数字，单位与列名一致或不写单位",
        expected_en="a number, in the column's unit or with no unit",
        action_zh="核实后改正",
    ),
    Rule(
        "out_of_bounds",
        Severity.ERROR,
        Scope.CELL,
        Effect.VALUE,
        message_zh="“{name}”为 {value}，超出范围（应在 {low} 到 {high} {canonical} 之间），未读取。",
        message_en="{name_en} is {value}, outside {low}–{high} {canonical}; not read.",
        title_zh="数值超出范围",
        expected_zh="范围内的数值（范围见上）",
        expected_en="a value within the range (given above)",
        action_zh="核实后改正",
    ),
    Rule(
        "negative_value",
        Severity.ERROR,
        Scope.CELL,
        Effect.VALUE,
        message_zh="“{name}”为负数 {value}，不应小于 0，未读取。",
        message_en="{name_en} is negative ({value}); not read.",
        title_zh="数值为负",
        expected_zh="不小于 0 的数",
        expected_en="a number not below 0",
        action_zh="",
    ),
    Rule(
        "not_integer",
        Severity.ERROR,
        Scope.CELL,
        Effect.VALUE,
        message_zh="“{name}”应为整数（单位：{canonical}），填的是 {value}，未读取。",
        message_en="{name_en} must be a whole number of {canonical}, got {value}; not read.",
        title_zh="应为整数",
        expected_zh="整数",
        expected_en="a whole number",
        action_zh="核实后填整数",
    ),
    Rule(
        "duplicate_conflict",
        Severity.ERROR,
        Scope.CELL,
        Effect.VALUE,
        message_zh=(
            "{village} {year} 年“{name}”填了不止一次且数值不同（本处 {value}；{others}）。"
            "各处均未读取，请核实后只保留一处。"
        ),
        message_en=(
            "{village} {year} {name_en} is entered more than once with different values (here "
            "{value}; {others}); none was read. Keep one."
        ),
        title_zh="重复填写且数值不同",
        expected_zh="同一村、同一年、同一指标只填一处",
        expected_en="one entry for each village, year and indicator",
        action_zh="核实后保留正确的一处，删去其他各处",
    ),
    Rule(
        "duplicate_identical",
        Severity.WARNING,
        Scope.CELL,
        Effect.NONE,
        message_zh="{village} {year} 年“{name}”在 {others} 也填了相同的数值 {value}，只计一次。",
        message_en=(
            "{village} {year} {name_en}: the same value {value} also appears at {others}; "
            "counted once."
        ),
        title_zh="重复填写",
        expected_zh="同一村、同一年、同一指标只填一处",
        expected_en="one entry for each village, year and indicator",
        action_zh="删去重复的一处",
    ),
    Rule(
        "totals_mismatch",
        Severity.WARNING,
        Scope.COLUMN,
        Effect.NONE,
        message_zh=(
            "合计行“{name}”为 {value}，各村{how_zh}为 {computed}，两者不符。请核对合计或各村数值。"
        ),
        message_en="totals row {name_en} is {value} but the villages' {how_en} is {computed}.",
        title_zh="合计与各村不符",
        expected_zh="合计等于各村之和（比率为加权平均）",
        expected_en="a total equal to the villages' sum (a rate: their weighted mean)",
        action_zh="核对合计或各村数值",
    ),
    Rule(
        "points_ledger_mismatch",
        Severity.WARNING,
        Scope.SHEET,
        Effect.NONE,
        message_zh=(
            "点位图层中{kind_zh}（{scope_zh}）共 {points} 处，台账{name}（{scope_zh}）为 "
            "{ledger}，两者不符。该年地图的图例会同时标注这两个数字；请核对点位或台账。"
        ),
        message_en=(
            "the points layer has {points} {kind_en} ({scope_en}) but the ledger's {name_en} "
            "({scope_en}) is {ledger}; that year's map states both figures."
        ),
        title_zh="点位与台账不符",
        expected_zh="地图上的点位数等于台账中同一口径的数字",
        expected_en="as many points on the map as the ledger's figure for the same thing",
        action_zh="核对点位的类别和建成年份，或核对台账",
    ),
    Rule(
        "cross_rule",
        Severity.ERROR,
        Scope.CELL,
        Effect.VALUE,
        message_zh="{village} {year} 年：{rule_zh}（{detail_zh}）。相关数值均未读取，请核实。",
        message_en="{village} {year}: {rule_en} ({detail_en}); the values involved were not read.",
        title_zh="数值之间不符",
        expected_zh="相关数值互相一致",
        expected_en="related figures that agree",
        action_zh="核实相关各格的数值",
    ),
    Rule(
        "bad_code",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="村代码“{value}”不是 12 位数字，该村未读取。",
        message_en="village code '{value}' is not 12 digits; the village was not read.",
        title_zh="村代码不是 12 位",
        expected_zh="12 位数字的村代码",
        expected_en="a 12-digit village code",
        action_zh="核对村代码",
    ),
    Rule(
        "duplicate_code",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh="村代码 {value} 在名录中出现不止一次，后面的一行未读取。",
        message_en=(
            "village code {value} appears more than once in the registry; the later row was not "
            "read."
        ),
        title_zh="村代码重复",
        expected_zh="每个村代码只出现一次",
        expected_en="each village code once",
        action_zh="删去重复的一行",
    ),
    Rule(
        "unknown_indicator",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="指标“{value}”不在指标目录中，该行未读取。{hint_zh}",
        message_en="indicator '{value}' is not in the catalog; row not read. {hint_en}",
        title_zh="指标不在目录中",
        expected_zh="指标目录中的指标名",
        expected_en="an indicator name of the catalog",
        action_zh="改用目录中的指标名",
        names_closest=True,
    ),
    Rule(
        "not_yes_no",
        Severity.ERROR,
        Scope.CELL,
        Effect.VALUE,
        message_zh="“{value}”应填“是”或“否”，未读取。",
        message_en="'{value}' should be 是 (yes) or 否 (no); not read.",
        title_zh="应填“是”或“否”",
        expected_zh="“是”或“否”",
        expected_en="是 (yes) or 否 (no)",
        action_zh="",
    ),
    Rule(
        "unknown_crs",
        Severity.ERROR,
        Scope.FILE,
        Effect.FILE,
        message_zh=(
            "图层没有坐标系（CRS），无法使用。请另存为带坐标系的文件（如 EPSG:4490 的 "
            "GeoPackage）。"
        ),
        message_en=(
            "the layer declares no coordinate reference system; save it with one (e.g. EPSG:4490)."
        ),
        title_zh="图层没有坐标系",
        expected_zh="带坐标系的图层（如 EPSG:4490）",
        expected_en="a layer with its coordinate system (such as EPSG:4490)",
        action_zh="另存为带坐标系的文件",
    ),
    Rule(
        "unknown_coord_sys",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="坐标系“{value}”不认识，该点未读取。请填 gcj02、bd09、wgs84 或 cgcs2000。",
        message_en=(
            "coordinate system '{value}' not recognised; point not read (gcj02, bd09, wgs84, "
            "cgcs2000)."
        ),
        title_zh="坐标系不认识",
        expected_zh="gcj02、bd09、wgs84 或 cgcs2000",
        expected_en="gcj02, bd09, wgs84 or cgcs2000",
        action_zh="核实后填写",
    ),
    Rule(
        "geometry_missing",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh="{detail}，该要素未读取。",
        message_en="no geometry; feature not read.",
        title_zh="没有图形",
        expected_zh="每个要素都有图形",
        expected_en="a shape for every feature",
        action_zh="补上图形或删去该要素",
    ),
    Rule(
        "geometry_empty",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh="{detail}，该要素未读取。",
        message_en="empty geometry; feature not read.",
        title_zh="图形为空",
        expected_zh="每个要素都有图形",
        expected_en="a shape for every feature",
        action_zh="补上图形或删去该要素",
    ),
    Rule(
        "geometry_invalid",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh="{detail}，该要素未读取。",
        message_en="invalid geometry ({reason}) that cannot be repaired safely; feature not read.",
        title_zh="图形无效",
        expected_zh="有效的多边形",
        expected_en="a valid polygon",
        action_zh="在地图软件中修复",
    ),
    Rule(
        "geometry_repaired",
        Severity.WARNING,
        Scope.ROW,
        Effect.NONE,
        message_zh="{detail}。",
        message_en="invalid geometry ({reason}) repaired with make_valid.",
        title_zh="图形已自动修复",
        expected_zh="有效的多边形",
        expected_en="a valid polygon",
        action_zh="核对修复后的图形",
    ),
)

#: rule id → its rule.
RULES: dict[str, Rule] = {rule.id: rule for rule in _RULES}
assert len(RULES) == len(_RULES), "two rules share an id"

#: The rule a catalog cross rule's problem is worded by: such a problem carries the catalog
#: rule's own id (``rule_id``), which is not in :data:`RULES`.
CROSS_RULE = RULES["cross_rule"]


def rule_of(rule_id: str) -> Rule:
    """The rule of a problem's ``rule`` id: its own, or :data:`CROSS_RULE` for a catalog cross
    rule's id."""
    return RULES.get(rule_id, CROSS_RULE)
