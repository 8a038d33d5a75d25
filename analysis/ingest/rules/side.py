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
)
