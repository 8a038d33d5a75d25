"""The rules of the registry, the side tables (targets, projects, points) and the map layers."""

from __future__ import annotations

from analysis.ingest.rules.rule import Effect, Fix, Rule, Scope, Severity

DECLARED: tuple[Rule, ...] = (
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
        suggests=(Fix.CLOSEST_NAME,),
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
    Rule(
        "crosswalk_bad_row",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh="区划调整表的这一行{what_zh}，未读取。",
        message_en="this boundary change {what_en}; not read.",
        title_zh="区划调整行不完整",
        expected_zh="年份、原代码、新代码（12 位）和类型（合并、拆分、更名、改代码、划转）",
        expected_en="a year, 12-digit old and new codes, and a 类型 (合并, 拆分, 更名, 改代码, 划转)",
        action_zh="补全或改正该行",
    ),
    Rule(
        "crosswalk_missing_column",
        Severity.ERROR,
        Scope.SHEET,
        Effect.SHEET,
        message_zh="区划调整表缺少必填列“{what_zh}”，{count} 行调整未读取。请加上这一列。",
        message_en=(
            "the boundary changes lack the required column(s) {what_en}; {count} rows not read. "
            "Add the column."
        ),
        title_zh="区划调整表缺少必填列",
        expected_zh="年份、原代码、新代码和类型各一列（拆分另填比例）",
        expected_en=(
            "columns 年份 (year), 原代码 (old code), 新代码 (new code) and 类型 (kind), and "
            "比例 (share) for a split"
        ),
        action_zh="加上缺少的列，每行都填上",
    ),
    Rule(
        "crosswalk_cycle",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh="区划调整形成循环：{path}，调整后的村又变回了原来的村。这些行未读取。",
        message_en="the boundary changes form a cycle ({path}): a unit becomes itself again; not read.",
        title_zh="区划调整形成循环",
        expected_zh="每个村只向后调整，不回到原来的村",
        expected_en="changes that lead forward, never back to an earlier unit",
        action_zh="核对原代码和新代码",
    ),
    Rule(
        "crosswalk_old_current",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh=(
            "原代码 {value} 在 {year} 年已调整，但仍是村（居）名录（villages.csv）中的现有村，"
            "该行未读取。"
        ),
        message_en=(
            "old code {value} changed in {year} but is still a current village of the registry "
            "(villages.csv); not read."
        ),
        title_zh="原代码仍在名录中",
        expected_zh="已撤销的村不在名录中",
        expected_en="an old unit no longer in the registry",
        action_zh="从名录中删去已撤销的村，或核对原代码",
    ),
    Rule(
        "crosswalk_shares",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh="{year} 年拆分的“{value}”各部分比例合计为 {total}，不是 1，这些行未读取。",
        message_en=(
            "the shares of {value}'s split in {year} add up to {total}, not 1; these rows were "
            "not read."
        ),
        title_zh="拆分比例合计不为 1",
        expected_zh="拆分各行的比例合计为 1（如 0.6 与 0.4）",
        expected_en="a split's shares adding up to 1 (0.6 and 0.4)",
        action_zh="改正比例",
    ),
    Rule(
        "crosswalk_new_unknown",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh="新代码 {value} 不在村（居）名录（villages.csv）中，该行未读取。",
        message_en="new code {value} is not in the registry (villages.csv); not read.",
        title_zh="新代码不在名录中",
        expected_zh="名录中现有村的 12 位代码",
        expected_en="the 12-digit code of a village of the registry",
        action_zh="核对新代码，或在名录中添加该村",
    ),
    Rule(
        "restate_unweighted",
        Severity.WARNING,
        Scope.FILE,
        Effect.NONE,
        message_zh=(
            "{value} {year} 年的“{name}”由{sources}合成，但这一年它们都没有“{weight}”，无法加权，"
            "按现行区划重述的数据中缺这一项。请补上{weight}。"
        ),
        message_en=(
            "{value}'s {name_en} of {year} is made of {sources}, none of which has its "
            "{weight_en} that year: it cannot be weighted and is missing from the restated "
            "series. Add the {weight_en}."
        ),
        title_zh="合并的比率无法加权",
        expected_zh="合并或拆分前各村每年的人口数（或户数）",
        expected_en="each former unit's population (or households) in every year",
        action_zh="补上这一年的人口数（或户数）",
    ),
    Rule(
        "crosswalk_year_outside",
        Severity.ERROR,
        Scope.ROW,
        Effect.ROW,
        message_zh="调整年份 {value} 不在数据的年份（{first}—{last}）之内，该行未用于重述。",
        message_en=(
            "change year {value} is outside the data's years ({first}–{last}); not used to "
            "restate the series."
        ),
        title_zh="调整年份超出数据年份",
        expected_zh="数据年份之内的调整年份（调整后的第一年）",
        expected_en="a year within the data's (the first year under the new unit)",
        action_zh="核对年份",
    ),
)
