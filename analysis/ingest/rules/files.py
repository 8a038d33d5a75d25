"""The rules of reading a file: can it be opened, are its lines records, is its table one
that can be read (a header, the key columns, known column names)."""

from __future__ import annotations

from analysis.ingest.rules.rule import Effect, Fix, Rule, Scope, Severity

DECLARED: tuple[Rule, ...] = (
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
        suggests=(Fix.CLOSEST_COLUMN,),
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
        suggests=(Fix.CATALOG_NAME,),
    ),
    # A link that leads out of the raw folder (issue 27).
    Rule(
        "link_outside_folder",
        Severity.ERROR,
        Scope.FILE,
        Effect.FILE,
        message_zh=(
            "这是一个链接（快捷方式），指向数据文件夹以外的“{value}”，未读取。"
            "请把文件本身复制到数据文件夹中。"
        ),
        message_en=(
            "this is a link pointing outside the data folder, to '{value}'; not read. Copy the "
            "file itself into the data folder."
        ),
        title_zh="链接指向文件夹以外",
        expected_zh="数据文件夹中的文件本身",
        expected_en="the file itself, inside the data folder",
        action_zh="把文件本身复制进来",
    ),
)
