"""The rules of a table's rows: their keys (village, town, year, a target's scope), their values
and how the values agree (duplicates, 合计 rows, the points, the catalog's cross rules)."""

from __future__ import annotations

from analysis import config
from analysis.ingest.rules.rule import Effect, Fix, Rule, Scope, Severity

DECLARED: tuple[Rule, ...] = (
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
        suggests=(Fix.UNMERGE, Fix.YEAR_OF_SHEET),
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
        suggests=(Fix.CLOSEST_NAME,),
        value_is_village=True,
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
        value_is_village=True,
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
        suggests=(Fix.CLOSEST_NAME,),
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
        suggests=(Fix.CLOSEST_NAME,),
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
        suggests=(Fix.CLOSEST_NAME,),
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
        suggests=(Fix.YEAR_OF_SHEET,),
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
        suggests=(Fix.YEAR_OF_SHEET,),
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
        suggests=(Fix.ONE_NUMBER,),
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
        suggests=(Fix.WITHOUT_MINUS,),
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
            "合计行“{name}”为 {value}，{scope_zh}各村{how_zh}为 {computed}，两者不符。"
            "请核对合计或各村数值。"
        ),
        message_en=(
            "totals row {name_en} is {value} but the {scope_en}villages' {how_en} is {computed}."
        ),
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
    # The county-form leftovers (issue 27): formulas saved without their results, hidden rows
    # and columns, files that give no data, links that lead out of the raw folder.
    Rule(
        "formula_without_value",
        Severity.ERROR,
        Scope.CELL,
        Effect.VALUE,
        message_zh=(
            "公式 {value} 没有保存计算结果，且无法代为计算（{why_zh}），该格未读取。"
            "请在 Excel 或 WPS 中打开本文件，保存一次后再放入。"
        ),
        message_en=(
            "the formula {value} was saved without its result and cannot be computed here "
            "({why_en}); the cell was not read. Open the file in Excel or WPS, save it, and put "
            "it back."
        ),
        title_zh="公式没有保存结果",
        expected_zh="保存了计算结果的公式，或直接填写的数值",
        expected_en="a formula saved with its result, or a figure typed in",
        action_zh="在 Excel 或 WPS 中打开后保存一次",
    ),
    Rule(
        "formula_computed",
        Severity.WARNING,
        Scope.SHEET,
        Effect.NONE,
        message_zh=(
            "本表 {count} 个公式单元格没有保存计算结果（如本格 {value}），已按公式用本文件中的"
            "数值算出（本格为 {result}）。请核对；在 Excel 或 WPS 中打开后保存一次即可消除本提示。"
        ),
        message_en=(
            "{count} formula cells of the sheet were saved without their results (such as this "
            "one, {value}); they were computed from the file's own figures (this one: {result}). "
            "Check them; opening and saving the file in Excel or WPS clears this note."
        ),
        title_zh="公式结果由本系统算出",
        expected_zh="保存了计算结果的公式",
        expected_en="formulas saved with their results",
        action_zh="核对后在 Excel 或 WPS 中打开并保存一次",
    ),
    Rule(
        "hidden_row",
        Severity.WARNING,
        Scope.ROW,
        Effect.NONE,
        message_zh=(
            "这一行被隐藏（{value}），已照常读取。隐藏的行常是旧数据，会重复计算，"
            "请核对后删除或取消隐藏。"
        ),
        message_en=(
            "this row is hidden ({value}) and was read like any other. A hidden row is often "
            "stale data counted twice: check it, then delete or unhide it."
        ),
        title_zh="隐藏的行",
        expected_zh="没有隐藏的行",
        expected_en="no hidden rows",
        action_zh="取消隐藏后核对，不要的行删除",
    ),
    Rule(
        "hidden_column",
        Severity.WARNING,
        Scope.COLUMN,
        Effect.NONE,
        message_zh=(
            "这一列被隐藏（{value}，共 {count} 个单元格有内容），已照常读取。"
            "请核对后删除或取消隐藏。"
        ),
        message_en=(
            "this column is hidden ({value}; {count} cells hold something) and was read like any "
            "other. Check it, then delete or unhide it."
        ),
        title_zh="隐藏的列",
        expected_zh="没有隐藏的列",
        expected_en="no hidden columns",
        action_zh="取消隐藏后核对，不要的列删除",
    ),
    Rule(
        "no_data",
        Severity.WARNING,
        Scope.SHEET,
        Effect.NONE,
        message_zh=(
            "{what_zh}没有读到任何数据：{rows_zh}，没有一行被接受或隔离。{seen_zh}"
            "如果它不是数据，请移出数据文件夹；如果是，请检查表头和分隔符（CSV 用逗号分隔）。"
        ),
        message_en=(
            "no data was read from {what_en}: {rows_en}; no row was accepted or quarantined. "
            "{seen_en}If it is not data, move it out of the data folder; if it is, check its "
            "header and separator (a CSV is comma-separated)."
        ),
        title_zh="没有读到数据",
        expected_zh="一张有表头和数据行的表",
        expected_en="a table with a header and data rows",
        action_zh="不是数据就移出文件夹；是数据就检查表头和分隔符",
    ),
    Rule(
        "unit_ended",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh=(
            "“{value}”在 {end} 年后已{kind_zh}为{successor}（见区划调整表），不应有 {year} 年的数据，"
            "该行未读取。"
        ),
        message_en=(
            "'{value}' ended after {end} ({kind_en}: {successor}; see the boundary changes "
            "file): it has no {year} row; row not read."
        ),
        title_zh="该村已撤销或调整",
        expected_zh="当年存在的村（居）",
        expected_en="a village that existed that year",
        action_zh="改为调整后的村名或代码，或核对年度与区划调整表",
    ),
    Rule(
        "unit_not_started",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh=(
            "“{value}”{start} 年才设立（见区划调整表），不应有 {year} 年的数据，该行未读取。"
            "请按当年的村填报。"
        ),
        message_en=(
            "'{value}' was formed in {start} (see the boundary changes file): it has no {year} "
            "row; row not read. Report that year under the villages of that year."
        ),
        title_zh="该村当年尚未设立",
        expected_zh="当年存在的村（居）",
        expected_en="a village that existed that year",
        action_zh="改为当年的村名或代码，或核对年度与区划调整表",
    ),
    Rule(
        "village_missing",
        Severity.WARNING,
        Scope.FILE,
        Effect.NONE,
        message_zh="{year} 年的数据中没有“{village}”（{code}），而该村当年存在（乡不漏村）。",
        message_en=(
            "no {year} data for {village} ({code}), a village that existed that year: each "
            "village of the town is reported every year."
        ),
        title_zh="漏报村",
        expected_zh="当年存在的每个村都有一行",
        expected_en="a row for every village that existed that year",
        action_zh="补报该村当年的数据",
    ),
)
