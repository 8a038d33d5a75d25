"""Rules, problem records and the ledger that proves no raw row was lost.

What "a row" is
---------------
A row is one physical row of a sheet (Excel row, CSV line, or feature of a layer), counted from
Excel row 1, title rows included. Every row read ends in exactly one of three states:

``structural``
    not data: a title or note row, the header, a blank row, a 合计/小计/总计 totals row (checked
    against the villages, never ingested as one). Each is listed with its reason.
``quarantined``
    nothing from the row was ingested, because its keys are unusable (village unknown or blank,
    year missing or out of range) or the sheet itself cannot be used (no header, no key column).
``accepted``
    the row's village and year are known and its values went in, ``full`` when every value was
    accepted and ``partial`` when one or more cells were quarantined (bad value, conflicting
    duplicate, cross-field rule) while the other cells of the row were kept.

For every file and sheet the summary states ``rows_read == rows_accepted + rows_quarantined +
rows_structural`` (with ``rows_accepted = rows_accepted_full + rows_accepted_partial``) and
checks it. Cells are accounted the same way: ``cells_read`` (figures given in accepted rows
under known indicator columns; blanks and missing markers such as ``—`` are not figures)
``== cells_accepted + cells_quarantined + cells_duplicate``, where ``cells_duplicate`` are
identical repeats kept once. Figures in a column whose header is not in the catalog are counted
as ``cells_unmapped``: the column is reported once (``unknown_column``) rather than every row
being marked partial for it. A file that cannot be opened at all (empty, truncated, unknown
encoding) reads 0 rows and gets one file-level error.

Which file is what
------------------
In a raw folder, ``villages.csv`` is the registry, ``targets_2020.csv`` the targets,
``published_figures.csv`` the published figures, ``扶贫项目库*.xlsx`` the project list, a CSV with
``lon``/``lat`` columns a point layer, ``.geojson``/``.gpkg``/``.shp`` layers, ``README.md`` and
``SAMPLE`` documentation; every other ``.xlsx``/``.csv``/``.txt`` sheet is read in the wide
village-year form (one row per village and year, one column per indicator).

Severity
--------
``error``: something was not ingested (a row, a cell, a column, a file). ``warning``: ingested,
but a person should look (identical duplicates, a totals row that does not add up, rates given
as fractions, a geometry repaired). ``minsheng validate`` exits 1 when there is any error.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.core.aggregate import aggregate_township
from analysis.core.catalog import Catalog, default_catalog, normalise_header
from analysis.errors import DataError, MissingFileError
from analysis.ingest.read import (
    LAYER_SUFFIXES,
    PROBLEM_SHEET,
    REGISTRY_COLUMNS,
    TABLE_SUFFIXES,
    WORKBOOK_SUFFIXES,
    Column,
    ReadError,
    Registry,
    Sheet,
    cell_text,
    column_letter,
    decimals_of,
    find_header_row,
    is_totals_label,
    key_index,
    match_headers,
    normalise_code,
    parse_cells,
    parse_year,
    read_csv_sheet,
    read_workbook,
    suggest_headers,
    unit_factor,
)

PROBLEM_COLUMNS = [
    "file",
    "sheet",
    "row",
    "column",
    "value",
    "rule",
    "severity",
    "message_zh",
    "message_en",
]
VALUE_COLUMNS = ["village_code", "year", "indicator", "value", "source", "row"]

#: rule id → (severity, Chinese template, English template). Templates are ``str.format``-ed
#: with the problem's fields; the location ("「file」工作表「sheet」第 12 行 D 列") is prefixed.
RULES: dict[str, tuple[str, str, str]] = {
    "empty_file": (
        "error",
        "文件是空的。请重新导出完整的文件后再放入。",
        "the file is empty; export it again.",
    ),
    "unreadable_file": (
        "error",
        "文件无法打开（{detail}）。可能下载不完整或扩展名不对，请用 Excel 打开后另存为 .xlsx。",
        "cannot open the file ({detail}); it may be truncated or misnamed: save it again as .xlsx.",
    ),
    "unknown_encoding": (
        "error",
        "文字编码无法识别（不是 UTF-8、GBK 或 GB18030）。请在 Excel 中另存为“CSV UTF-8”。",
        "text encoding not recognised (not UTF-8, GBK or GB18030); save as 'CSV UTF-8'.",
    ),
    "unknown_file": (
        "warning",
        "不认识的文件类型“{value}”，未读取。数据请用 .xlsx 或 .csv，地图用 .geojson/.gpkg/.shp。",
        "file type {value!r} not recognised, not read; use .xlsx/.csv, or .geojson/.gpkg/.shp.",
    ),
    "no_header": (
        "error",
        "找不到表头行（一行中至少要有两个认识的列名，如“村（居）名称”“年度”或指标名）。"
        "本表 {count} 行数据未读取。",
        "no header row found (a row with two known column names such as 村（居）名称, 年度 or "
        "an indicator); {count} data rows not read.",
    ),
    "missing_key_column": (
        "error",
        "缺少必填列“{what_zh}”，本表 {count} 行数据未读取。请加上这一列。",
        "required column '{what_en}' is missing; {count} data rows not read. Add the column.",
    ),
    "unknown_column": (
        "error",
        "列名“{value}”不是已知指标，该列 {count} 个数值未读取。{hint_zh}",
        "column '{value}' is not a known indicator; its {count} values were not read. {hint_en}",
    ),
    "unit_mismatch": (
        "error",
        "列“{value}”的单位“{unit}”不能换算为“{name}”的单位“{canonical}”，该列 {count} 个数值未读取。",
        "unit '{unit}' of column '{value}' cannot be converted to {name_en} ({canonical}); "
        "{count} values not read.",
    ),
    "rate_as_fraction": (
        "warning",
        "“{name}”一列的数值都不大于 1，已按小数读取（0.86 读作 86%）。如果不是小数比例，请改正。",
        "all values of '{name_en}' are at most 1: read as fractions (0.86 → 86%). Check this.",
    ),
    "missing_key": (
        "error",
        "“{what_zh}”为空，该行未读取。{hint_zh}",
        "'{what_en}' is blank; the row was not read. {hint_en}",
    ),
    "unknown_village": (
        "error",
        "村名“{value}”不在村（居）名录（villages.csv）中，该行未读取。{hint_zh}",
        "village '{value}' is not in the registry (villages.csv); row not read. {hint_en}",
    ),
    "ambiguous_village": (
        "error",
        "村名“{value}”可对应多个村，该行未读取。请写全称或填写 12 位村代码。",
        "village name '{value}' matches several villages; row not read. Write the full name "
        "or the 12-digit code.",
    ),
    "bad_year": (
        "error",
        "年度“{value}”不是四位年份，该行未读取。请填写如 2019。",
        "year '{value}' is not a four-digit year; row not read. Write e.g. 2019.",
    ),
    "year_out_of_range": (
        "error",
        "年度 {value} 不在 {first}–{last} 之间，该行未读取。",
        "year {value} is outside {first}–{last}; row not read.",
    ),
    "not_a_number": (
        "error",
        "“{value}”不是数字，“{name}”未读取。请填数字；没有数据请留空或填“—”。",
        "'{value}' is not a number; {name_en} not read. Enter a number, or leave blank / '—'.",
    ),
    "unknown_unit": (
        "error",
        "“{value}”中的单位“{unit}”无法换算为“{name}”的单位“{canonical}”，未读取。",
        "unit '{unit}' in '{value}' cannot be converted to {name_en} ({canonical}); not read.",
    ),
    "out_of_bounds": (
        "error",
        "“{name}”为 {value}，超出范围（应在 {low} 到 {high} {canonical} 之间），未读取。",
        "{name_en} is {value}, outside {low}–{high} {canonical}; not read.",
    ),
    "negative_value": (
        "error",
        "“{name}”为负数 {value}，不应小于 0，未读取。",
        "{name_en} is negative ({value}); not read.",
    ),
    "not_integer": (
        "error",
        "“{name}”应为整数（单位：{canonical}），填的是 {value}，未读取。",
        "{name_en} must be a whole number of {canonical}, got {value}; not read.",
    ),
    "duplicate_conflict": (
        "error",
        "{village} {year} 年“{name}”填了不止一次且数值不同（本处 {value}；{others}）。"
        "各处均未读取，请核实后只保留一处。",
        "{village} {year} {name_en} is entered more than once with different values (here "
        "{value}; {others}); none was read. Keep one.",
    ),
    "duplicate_identical": (
        "warning",
        "{village} {year} 年“{name}”在 {others} 也填了相同的数值 {value}，只计一次。",
        "{village} {year} {name_en}: the same value {value} also appears at {others}; counted once.",
    ),
    "totals_mismatch": (
        "warning",
        "合计行“{name}”为 {value}，各村{how_zh}为 {computed}，两者不符。请核对合计或各村数值。",
        "totals row {name_en} is {value} but the villages' {how_en} is {computed}.",
    ),
    "cross_rule": (
        "error",
        "{village} {year} 年：{rule_zh}（{detail_zh}）。相关数值均未读取，请核实。",
        "{village} {year}: {rule_en} ({detail_en}); the values involved were not read.",
    ),
    "bad_code": (
        "error",
        "村代码“{value}”不是 12 位数字，该村未读取。",
        "village code '{value}' is not 12 digits; the village was not read.",
    ),
    "duplicate_code": (
        "error",
        "村代码 {value} 在名录中出现不止一次，后面的一行未读取。",
        "village code {value} appears more than once in the registry; the later row was not read.",
    ),
    "unknown_indicator": (
        "error",
        "指标“{value}”不在指标目录中，该行未读取。{hint_zh}",
        "indicator '{value}' is not in the catalog; row not read. {hint_en}",
    ),
    "not_yes_no": (
        "error",
        "“{value}”应填“是”或“否”，未读取。",
        "'{value}' should be 是 (yes) or 否 (no); not read.",
    ),
    "unknown_crs": (
        "error",
        "图层没有坐标系（CRS），无法使用。请另存为带坐标系的文件（如 EPSG:4490 的 GeoPackage）。",
        "the layer declares no coordinate reference system; save it with one (e.g. EPSG:4490).",
    ),
    "unknown_coord_sys": (
        "error",
        "坐标系“{value}”不认识，该点未读取。请填 gcj02、bd09、wgs84 或 cgcs2000。",
        "coordinate system '{value}' not recognised; point not read (gcj02, bd09, wgs84, cgcs2000).",
    ),
    "geometry_missing": ("error", "{detail}，该要素未读取。", "no geometry; feature not read."),
    "geometry_empty": ("error", "{detail}，该要素未读取。", "empty geometry; feature not read."),
    "geometry_invalid": (
        "error",
        "{detail}，该要素未读取。",
        "invalid geometry ({reason}) that cannot be repaired safely; feature not read.",
    ),
    "geometry_repaired": (
        "warning",
        "{detail}。",
        "invalid geometry ({reason}) repaired with make_valid.",
    ),
}

#: Header roles that are not indicators; the first column of each role is the one used.
_KEY_ROLES = ("village", "code", "year", "seq", "remark")

#: What the missing key is called, for messages.
_KEY_NAMES = {
    "village": ("村（居）名称或村代码", "village name or code"),
    "year": ("年度", "year"),
}

_OPS = {
    "<=": np.less_equal,
    "<": np.less,
    ">=": np.greater_equal,
    ">": np.greater,
    "==": np.isclose,
}

#: The rule that links years: households exiting poverty in year y cannot exceed the households
#: still poor at the end of y − 1. Not a catalog cross rule, which relates one village-year.
EXIT_RULE_ZH = "当年脱贫户数不应超过上年末未脱贫户数"
EXIT_RULE_EN = (
    "households exiting poverty should not exceed those remaining at the end of last year"
)


# --- the ledger ----------------------------------------------------------------------------------


@dataclass
class Ledger:
    """Problem records and the state of every row read, per file and sheet."""

    problems: list[dict] = field(default_factory=list)
    sheets: dict[tuple[str, str], dict] = field(default_factory=dict)
    rows: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)

    def add(
        self,
        rule: str,
        file: str,
        sheet: str = "",
        row: int = 0,
        column: str = "",
        value: object = "",
        *,
        severity: str | None = None,
        **fields: object,
    ) -> None:
        """Record one problem; messages are built from the rule's templates."""
        default_severity, zh, en = RULES[rule]
        text = cell_text(value)
        fields = {"value": text, "hint_zh": "", "hint_en": "", **fields}
        where_zh = f"「{file}」" + (f"工作表「{sheet}」" if sheet else "")
        where_zh += (f"第 {row} 行" if row else "") + (f" {column} 列" if column else "")
        where_en = file + (f" [{sheet}]" if sheet else "")
        where_en += (f" row {row}" if row else "") + (f" column {column}" if column else "")
        self.problems.append(
            {
                "file": file,
                "sheet": sheet,
                "row": int(row),
                "column": column,
                "value": text,
                "rule": fields.pop("rule_id", rule),
                "severity": severity or default_severity,
                "message_zh": f"{where_zh}：{zh.format(**fields)}".strip(),
                "message_en": f"{where_en}: {en.format(**fields)}".strip(),
            }
        )

    def open_sheet(
        self, file: str, sheet: str, kind: str, n_rows: int, **info: object
    ) -> pd.DataFrame:
        """Start the row states of a sheet: every row structural/blank until classified."""
        key = (file, sheet)
        self.sheets[key] = {"file": file, "sheet": sheet, "kind": kind, **info}
        rows = pd.DataFrame(
            {"status": "structural", "reason": "blank"},
            index=pd.RangeIndex(1, n_rows + 1, name="row"),
        )
        self.rows[key] = rows
        return rows

    def problems_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.problems, columns=PROBLEM_COLUMNS)
        frame = frame.astype({"row": "int64"})
        order = frame["severity"].map({"error": 0, "warning": 1})
        frame = frame.assign(_order=order).sort_values(
            ["_order", "file", "sheet", "row", "column", "rule"], kind="stable"
        )
        return frame.drop(columns="_order").reset_index(drop=True)


# --- results -------------------------------------------------------------------------------------


@dataclass
class ValidationResult:
    """Everything read from the raw files, and everything said about them."""

    values: pd.DataFrame  # VALUE_COLUMNS: accepted village values, canonical units
    problems: pd.DataFrame  # PROBLEM_COLUMNS
    summary: dict
    registry: Registry
    targets: pd.DataFrame
    projects: pd.DataFrame
    published: pd.DataFrame | None
    layers: dict[str, object]  # name → GeoDataFrame in EPSG:4490

    @property
    def ok(self) -> bool:
        """True when nothing was rejected and every file's rows add up."""
        return bool(self.summary["ok"])


# --- registry ------------------------------------------------------------------------------------

_REGISTRY_ALIASES = {
    "code": ("code", "村代码", "代码", "统计用区划代码", "区划代码", "village_code"),
    "name": ("name", "名称", "村名称", "村（居）名称", "村（居）委会"),
    "short_name": ("short_name", "简称", "常用名"),
    "kind": ("kind", "类型", "城乡分类"),
    "town_code": ("town_code", "乡镇代码"),
    "town_name": ("town_name", "乡镇", "乡镇名称", "所属乡镇"),
}


def _suggestion_hints(suggestions: Sequence[str]) -> dict[str, str]:
    """The "did you mean" hints of a problem record, in Chinese and English."""
    if not suggestions:
        return {"hint_zh": "", "hint_en": ""}
    return {
        "hint_zh": f"是否指：{'、'.join(suggestions)}？",
        "hint_en": f"Closest: {', '.join(suggestions)}.",
    }


def _short_name(name: str) -> str:
    """The name villagers write, from the official one: 青光村委会 → 青光村, 新圩居委会 → 新圩."""
    for suffix, keep in (
        ("村民委员会", "村"),
        ("居民委员会", ""),
        ("村委会", "村"),
        ("居委会", ""),
    ):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + keep
    return name


def load_registry(path: Path | str, ledger: Ledger | None = None) -> Registry:
    """Read the village registry (``villages.csv``), checking codes.

    Parameters
    ----------
    path
        CSV with ``code, name, short_name, kind, town_code, town_name`` (Chinese headers such as
        ``村代码``/``名称`` are accepted; a missing ``short_name`` is derived from ``name``).
    ledger
        Where to record problems and row states; a private one when None.

    Returns
    -------
    Registry

    Raises
    ------
    FileNotFoundError
        No such file.
    ValueError
        The file cannot be read or has no code/name columns.
    """
    path = Path(path)
    ledger = ledger or Ledger()
    try:
        sheet = read_csv_sheet(path)
    except ReadError as exc:
        ledger.add(exc.rule, path.name, detail=exc.detail)
        raise DataError(
            f"村（居）名录无法读取 / cannot read the registry {path}: {exc.detail}"
        ) from None
    cells = sheet.cells
    rows = ledger.open_sheet(path.name, "", "registry", len(cells), encoding=sheet.encoding)
    header = [normalise_header(h) for h in cells.iloc[0]] if len(cells) else []
    where = {}
    for role, aliases in _REGISTRY_ALIASES.items():
        for alias in aliases:
            if normalise_header(alias) in header:
                where[role] = header.index(normalise_header(alias))
                break
    if "code" not in where or "name" not in where:
        ledger.add(
            "missing_key_column",
            path.name,
            row=1,
            what_zh="code（村代码）、name（名称）",
            what_en="code, name",
            count=max(len(cells) - 1, 0),
        )
        raise DataError(
            f"村（居）名录 {path} 缺少 code（村代码）和 name（名称）列 / the registry needs 'code' "
            f"and 'name' columns, found {list(cells.iloc[0])}"
        )
    rows.loc[1, "reason"] = "header"
    body = cells.iloc[1:]
    table = pd.DataFrame(
        {role: body[where[role]].map(cell_text) for role in where}, index=body.index
    )
    table["code"] = normalise_code(body[where["code"]])
    for role in REGISTRY_COLUMNS:
        if role not in table:
            table[role] = table["name"].map(_short_name) if role == "short_name" else ""
    blank = (body == "").all(axis=1)
    good_code = table["code"].str.fullmatch(r"\d{12}")
    repeated = table["code"].duplicated() & good_code
    for idx in body.index[~blank & ~good_code]:
        ledger.add(
            "bad_code",
            path.name,
            row=idx + 1,
            column=column_letter(where["code"]),
            value=table.at[idx, "code"],
        )
    for idx in body.index[~blank & repeated]:
        ledger.add(
            "duplicate_code",
            path.name,
            row=idx + 1,
            column=column_letter(where["code"]),
            value=table.at[idx, "code"],
        )
    keep = ~blank & good_code & ~repeated
    rows.loc[body.index[keep] + 1, ["status", "reason"]] = ["accepted", ""]
    rows.loc[body.index[~blank & ~keep] + 1, ["status", "reason"]] = ["quarantined", "bad code"]
    clean = table.loc[keep, list(REGISTRY_COLUMNS)].reset_index(drop=True)
    return Registry(clean.astype(str))


# --- the wide village-year table -----------------------------------------------------------------


@dataclass
class _Run:
    """One validation run: catalog, registry, ledger, and what the tables yielded."""

    catalog: Catalog
    registry: Registry
    ledger: Ledger
    values: list[pd.DataFrame] = field(default_factory=list)
    totals: list[pd.DataFrame] = field(default_factory=list)
    sheet_villages: list[pd.DataFrame] = field(default_factory=list)


def _blank_rows(cells: pd.DataFrame) -> np.ndarray:
    return (cells == "").all(axis=1).to_numpy()


def _has_numbers(cells: pd.DataFrame) -> bool:
    flat = pd.Series(cells.to_numpy(dtype=object).ravel())
    return bool((parse_cells(flat)["state"] == "ok").any())


def check_table(sheet: Sheet, run: _Run) -> None:
    """Validate one sheet in the wide village-year form and collect its accepted values.

    Parameters
    ----------
    sheet
        The grid as read.
    run
        The run's catalog, registry and ledger; values and totals rows are appended to it.
    """
    cells, ledger, catalog = sheet.cells, run.ledger, run.catalog
    n = len(cells)
    file, name = sheet.file, sheet.name
    blank = _blank_rows(cells) if n else np.zeros(0, bool)
    header = find_header_row(cells, catalog) if n else None
    rows = ledger.open_sheet(
        file,
        name,
        "village_table",
        n,
        encoding=sheet.encoding,
        header_row=None if header is None else header + 1,
    )
    if header is None:
        if n and _has_numbers(cells):
            ledger.add("no_header", file, name, count=int((~blank).sum()))
            rows.loc[np.flatnonzero(~blank) + 1, ["status", "reason"]] = [
                "quarantined",
                "no header row",
            ]
        else:
            ledger.sheets[(file, name)]["kind"] = "text"
            rows.loc[np.flatnonzero(~blank) + 1, "reason"] = "text without a data table"
        return

    above = np.arange(header)
    rows.loc[above[~blank[:header]] + 1, "reason"] = "title"
    rows.loc[header + 1, "reason"] = "header"
    columns = match_headers(list(cells.iloc[header]), catalog)
    data = cells.iloc[header + 1 :]
    data_blank = blank[header + 1 :]
    first_of, indicator_cols = _classify_columns(columns, data, header, sheet, run)
    village_col, code_col, year_col = (
        first_of.get("village"),
        first_of.get("code"),
        first_of.get("year"),
    )

    excel_rows = np.arange(header + 2, n + 1)
    label_cols = {c.index: c for c in (village_col, code_col, first_of.get("seq"), columns[0]) if c}
    totals = np.zeros(len(data), bool)
    for col in label_cols.values():
        totals |= is_totals_label(data[col.index], run.registry.town_names).to_numpy()
    repeated_header = np.zeros(len(data), bool)
    if year_col is not None:
        keys = key_index()
        year_text = data[year_col.index].map(cell_text)
        repeated_header = np.asarray(
            [keys.get(normalise_header(t)) == "year" for t in year_text], dtype=bool
        )
    ind_idx = [c.index for c, _ in indicator_cols]
    has_values = (
        (data[ind_idx] != "").any(axis=1).to_numpy() if ind_idx else np.zeros(len(data), bool)
    )
    village_idx = [c.index for c in (village_col, code_col) if c is not None]
    village_blank = (
        (data[village_idx] == "").all(axis=1).to_numpy()
        if village_idx
        else np.ones(len(data), bool)
    )
    year_blank = (
        (data[year_col.index] == "").to_numpy()
        if year_col is not None
        else np.ones(len(data), bool)
    )

    structural = data_blank | totals | repeated_header
    # Text with no figures and no complete key (填表人：…, 注：…) is a note, not a village row.
    note = ~structural & ~has_values & (village_blank | year_blank)
    rows.loc[excel_rows[data_blank], "reason"] = "blank"
    rows.loc[excel_rows[totals & ~data_blank], "reason"] = "totals"
    rows.loc[excel_rows[repeated_header & ~totals], "reason"] = "repeated header"
    rows.loc[excel_rows[note], "reason"] = "note"
    candidate = ~structural & ~note

    missing = [
        what
        for what, col in (("village", village_col or code_col), ("year", year_col))
        if col is None
    ]
    if missing:
        what_zh = "、".join(_KEY_NAMES[m][0] for m in missing)
        what_en = ", ".join(_KEY_NAMES[m][1] for m in missing)
        ledger.add(
            "missing_key_column",
            file,
            name,
            header + 1,
            what_zh=what_zh,
            what_en=what_en,
            count=int(candidate.sum()),
        )
        rows.loc[excel_rows[candidate], ["status", "reason"]] = [
            "quarantined",
            "missing key column",
        ]
        return

    # Keys: village by code where a valid code is given, else by name; then the year.
    codes = pd.Series([None] * len(data), index=data.index, dtype=object)
    status = pd.Series("unknown", index=data.index, dtype=object)
    shown = pd.Series("", index=data.index, dtype=object)
    key_letter = pd.Series("", index=data.index, dtype=object)
    if village_col is not None:
        resolved = run.registry.resolve(data[village_col.index])
        codes, status = resolved["code"].astype(object), resolved["status"].astype(object)
        shown = data[village_col.index].map(cell_text)
        key_letter[:] = village_col.letter
    if code_col is not None:
        given = normalise_code(data[code_col.index])
        has_code = given != ""
        known = given.isin(run.registry.codes)
        use = has_code & (known | (codes.isna() if village_col is not None else True))
        codes = codes.where(~use, given.where(known, None))
        status = status.where(~use, np.where(known, "ok", "unknown"))
        shown = shown.where(~use, given)
        key_letter = key_letter.where(~use, code_col.letter)
    years, _ = parse_year(data[year_col.index])
    years_ok = years.notna() & years.between(config.FIRST_YEAR, config.LAST_YEAR)

    merged_rows = {r for (r0, _c0, r1, _c1) in sheet.merged for r in range(r0 + 1, r1 + 1)}
    status_of = status.to_numpy(dtype=object)
    year_of = years.to_numpy(dtype=object)
    year_ok = years_ok.fillna(False).to_numpy(dtype=bool)
    bad_rows = candidate & (village_blank | (status_of != "ok") | year_blank | ~year_ok)
    # Problems are rare: build messages only for the rows that have one.
    for pos in np.flatnonzero(bad_rows):
        excel_row = int(excel_rows[pos])
        if village_blank[pos]:
            merged = data.index[pos] in merged_rows or (pos > 0 and not village_blank[pos - 1])
            ledger.add(
                "missing_key",
                file,
                name,
                excel_row,
                (village_col or code_col).letter,
                "",
                what_zh=_KEY_NAMES["village"][0],
                what_en=_KEY_NAMES["village"][1],
                hint_zh=_MERGED_HINT[0] if merged else "请填上村名。",
                hint_en=_MERGED_HINT[1] if merged else "",
            )
        elif status_of[pos] != "ok":
            _village_problem(
                ledger,
                run.registry,
                status_of[pos],
                file,
                name,
                excel_row,
                key_letter.iloc[pos],
                shown.iloc[pos],
            )
        if year_blank[pos]:
            ledger.add(
                "missing_key",
                file,
                name,
                excel_row,
                year_col.letter,
                "",
                what_zh="年度",
                what_en="year",
                hint_zh="请填写年份，如 2019。",
                hint_en="Enter the year, e.g. 2019.",
            )
        elif pd.isna(year_of[pos]):
            cell = data.iat[pos, year_col.index]
            ledger.add("bad_year", file, name, excel_row, year_col.letter, cell)
        elif not year_ok[pos]:
            ledger.add(
                "year_out_of_range",
                file,
                name,
                excel_row,
                year_col.letter,
                int(year_of[pos]),
                first=config.FIRST_YEAR,
                last=config.LAST_YEAR,
            )
    good = candidate & ~bad_rows
    rows.loc[excel_rows[bad_rows], ["status", "reason"]] = ["quarantined", "keys"]
    rows.loc[excel_rows[good], ["status", "reason"]] = ["accepted", ""]

    good_codes = codes[good].astype(str).to_numpy()
    good_years = years[good].astype("int64").to_numpy()
    run.sheet_villages.append(
        pd.DataFrame({"file": file, "sheet": name, "village_code": good_codes, "year": good_years})
    )
    if indicator_cols:
        _collect_values(
            sheet, run, data[good], excel_rows[good], good_codes, good_years, indicator_cols, header
        )
    if totals.any():
        sheet_years = np.unique(good_years)
        _collect_totals(
            sheet,
            run,
            data[totals & ~data_blank],
            excel_rows[totals & ~data_blank],
            year_col,
            indicator_cols,
            sheet_years,
        )


def _classify_columns(
    columns: list[Column], data: pd.DataFrame, header: int, sheet: Sheet, run: _Run
) -> tuple[dict[str, Column], list[tuple[Column, float]]]:
    """The key columns (first of each role) and the usable indicator columns with their unit
    factor. An unknown header, a repeated key column or a header unit that cannot be converted
    is reported once for the column, and its values are counted as unmapped."""
    ledger, catalog = run.ledger, run.catalog
    file, name = sheet.file, sheet.name
    info = ledger.sheets[(file, name)]
    info["columns_ignored"] = [
        f"{c.letter} {c.header}" for c in columns if c.role in ("seq", "remark")
    ]
    first_of: dict[str, Column] = {}
    for col in columns:
        if col.role in _KEY_ROLES and col.role not in first_of:
            first_of[col.role] = col
    indicator_cols: list[tuple[Column, float]] = []
    for col in columns:
        count = int((data[col.index] != "").sum())
        duplicate_key = col.role in _KEY_ROLES and first_of[col.role] is not col
        if col.role is None or duplicate_key:
            if not col.header and count == 0:
                continue  # an empty column without a header: nothing there
            suggestions = suggest_headers(col.header, catalog) if col.header else []
            hint_zh = (
                f"是否指：{'、'.join(suggestions)}？" if suggestions else "请改用指标目录中的列名。"
            )
            hint_en = f"Closest: {', '.join(suggestions)}." if suggestions else ""
            if duplicate_key:
                hint_zh, hint_en = "与前面的关键列重复。", "It repeats an earlier key column."
            ledger.add(
                "unknown_column",
                file,
                name,
                header + 1,
                col.letter,
                col.header,
                count=count,
                hint_zh=hint_zh,
                hint_en=hint_en,
            )
            info["cells_unmapped"] = info.get("cells_unmapped", 0) + count
            continue
        if col.role != "indicator":
            continue
        ind = catalog[col.indicator]
        factor = unit_factor(col.unit, ind.unit)
        if factor is None:
            ledger.add(
                "unit_mismatch",
                file,
                name,
                header + 1,
                col.letter,
                col.header,
                unit=col.unit,
                name=ind.zh,
                name_en=ind.en,
                canonical=ind.unit,
                count=count,
            )
            info["cells_unmapped"] = info.get("cells_unmapped", 0) + count
            continue
        indicator_cols.append((col, factor))
    return first_of, indicator_cols


_MERGED_HINT = (
    "疑似合并单元格：请取消合并，在每一行都填上村名。",
    "Looks like a merged cell: unmerge it and fill the name in every row.",
)


def _village_problem(
    ledger: Ledger,
    registry: Registry,
    status: str,
    file: str,
    sheet: str,
    row: int,
    column: str,
    text: str,
) -> None:
    """Record an unknown or ambiguous village, with the closest registry names."""
    suggestions = registry.suggest(text)
    ledger.add(
        "ambiguous_village" if status == "ambiguous" else "unknown_village",
        file,
        sheet,
        row,
        column,
        text,
        hint_zh=f"是否指：{'、'.join(suggestions)}？" if suggestions else "请先在名录中添加该村。",
        hint_en=f"Closest: {', '.join(suggestions)}." if suggestions else "Add it to the registry.",
    )


def _convert(
    parsed: pd.DataFrame,
    col_of: np.ndarray,
    indicator_cols: list[tuple[Column, float]],
    catalog: Catalog,
) -> tuple[np.ndarray, np.ndarray]:
    """Numbers in canonical units, and a mask of cells whose unit cannot be converted."""
    header_factor = np.array([f for _, f in indicator_cols])[col_of]
    canonical = np.array([catalog[c.indicator].unit for c, _ in indicator_cols], dtype=object)[
        col_of
    ]
    cell_units = parsed["unit"].to_numpy(dtype=object)
    factor = header_factor.astype(float).copy()
    has_unit = cell_units != ""
    bad_unit = np.zeros(len(parsed), bool)
    if has_unit.any():
        pairs = pd.Series(list(zip(cell_units[has_unit], canonical[has_unit], strict=True)))
        table = {pair: unit_factor(*pair) for pair in pd.unique(pairs)}
        cell_factor = pairs.map(lambda p: table[p]).to_numpy(dtype=object)
        bad_unit[np.flatnonzero(has_unit)] = pd.isna(cell_factor)
        factor[np.flatnonzero(has_unit)] = np.where(
            pd.isna(cell_factor), np.nan, cell_factor
        ).astype(float)
    return parsed["number"].to_numpy() * factor, bad_unit


def _collect_values(
    sheet: Sheet,
    run: _Run,
    data: pd.DataFrame,
    excel_rows: np.ndarray,
    codes: np.ndarray,
    years: np.ndarray,
    indicator_cols: list[tuple[Column, float]],
    header: int,
) -> None:
    """Melt the accepted rows' indicator cells, parse, convert and check them (vectorised)."""
    catalog, ledger = run.catalog, run.ledger
    file, name = sheet.file, sheet.name
    block = data[[c.index for c, _ in indicator_cols]].to_numpy(dtype=object)
    n_rows, n_cols = block.shape
    raw = pd.Series(block.ravel())
    row_of = np.repeat(np.arange(n_rows), n_cols)
    col_of = np.tile(np.arange(n_cols), n_rows)
    parsed = parse_cells(raw)
    value, bad_unit = _convert(parsed, col_of, indicator_cols, catalog)
    state = parsed["state"].to_numpy()
    ok = (state == "ok") & ~bad_unit

    # A rate column whose values are all fractions (0.86) is read as percentages, once per
    # column, with a warning: Excel stores a cell formatted as "86%" as 0.86, and calamine
    # returns the stored number. A cell typed "0.86%" is explicit and never rescaled.
    percent_typed = parsed["unit"].to_numpy(dtype=object) == "%"
    for j, (col, _) in enumerate(indicator_cols):
        ind = catalog[col.indicator]
        in_col = (col_of == j) & ok
        if ind.kind != "rate" or not in_col.any():
            continue
        col_values = value[in_col]
        if (
            np.nanmax(col_values) <= 1
            and np.nanmax(col_values) > 0
            and not percent_typed[in_col].any()
        ):
            value[in_col] *= 100
            ledger.add(
                "rate_as_fraction",
                file,
                name,
                header + 1,
                col.letter,
                col.header,
                name=ind.zh,
                name_en=ind.en,
            )

    ids = np.array([c.indicator for c, _ in indicator_cols], dtype=object)[col_of]
    lower = np.array([_bound(catalog[c.indicator].bounds[0], -np.inf) for c, _ in indicator_cols])[
        col_of
    ]
    upper = np.array([_bound(catalog[c.indicator].bounds[1], np.inf) for c, _ in indicator_cols])[
        col_of
    ]
    integer = np.array([catalog[c.indicator].integer for c, _ in indicator_cols])[col_of]
    with np.errstate(invalid="ignore"):
        negative = ok & (value < 0) & (lower >= 0)
        outside = ok & ~negative & ((value < lower - 1e-9) | (value > upper + 1e-9))
        fractional = ok & ~negative & ~outside & integer & (np.abs(value - np.round(value)) > 1e-6)
    rejected = (state == "text") | bad_unit | negative | outside | fractional
    for k in np.flatnonzero(rejected):
        col = indicator_cols[col_of[k]][0]
        ind = catalog[col.indicator]
        common = {
            "name": ind.zh,
            "name_en": ind.en,
            "canonical": ind.unit,
            "unit": parsed["unit"].iat[k],
            "low": _show(ind.bounds[0]),
            "high": _show(ind.bounds[1]),
        }
        rule = (
            "not_a_number"
            if state[k] == "text"
            else "unknown_unit"
            if bad_unit[k]
            else "negative_value"
            if negative[k]
            else "out_of_bounds"
            if outside[k]
            else "not_integer"
        )
        ledger.add(rule, file, name, int(excel_rows[row_of[k]]), col.letter, raw.iat[k], **common)
    accepted = ok & ~rejected
    letters = np.array([c.letter for c, _ in indicator_cols], dtype=object)
    info = ledger.sheets[(file, name)]
    info["cells_read"] = info.get("cells_read", 0) + int((state != "missing").sum())
    info["cells_quarantined"] = info.get("cells_quarantined", 0) + int(rejected.sum())
    run.values.append(
        pd.DataFrame(
            {
                "village_code": codes[row_of[accepted]],
                "year": years[row_of[accepted]],
                "indicator": ids[accepted],
                "value": np.where(integer[accepted], np.round(value[accepted]), value[accepted]),
                "source": sheet.source,
                "row": excel_rows[row_of[accepted]].astype("int64"),
                "file": file,
                "sheet": name,
                "column": letters[col_of[accepted]],
            }
        )
    )


def _bound(value: float | None, default: float) -> float:
    return default if value is None else float(value)


def _show(value: float | None) -> str:
    return "" if value is None else cell_text(float(value))


def _collect_totals(
    sheet: Sheet,
    run: _Run,
    data: pd.DataFrame,
    excel_rows: np.ndarray,
    year_col: Column,
    indicator_cols: list[tuple[Column, float]],
    sheet_years: np.ndarray,
) -> None:
    """Keep the totals rows' figures (canonical units, written precision) for the later check."""
    if not indicator_cols or not len(data):
        return
    years, _ = parse_year(data[year_col.index])
    default_year = int(sheet_years[0]) if len(sheet_years) == 1 else None
    block = data[[c.index for c, _ in indicator_cols]].to_numpy(dtype=object)
    n_rows, n_cols = block.shape
    raw = pd.Series(block.ravel())
    row_of = np.repeat(np.arange(n_rows), n_cols)
    col_of = np.tile(np.arange(n_cols), n_rows)
    parsed = parse_cells(raw)
    value, bad_unit = _convert(parsed, col_of, indicator_cols, run.catalog)
    header_factor = np.array([f for _, f in indicator_cols])[col_of]
    keep = (parsed["state"].to_numpy() == "ok") & ~bad_unit
    year_of = np.array([y if pd.notna(y) else default_year for y in years], dtype=object)[row_of]
    keep &= pd.notna(year_of)
    run.totals.append(
        pd.DataFrame(
            {
                "file": sheet.file,
                "sheet": sheet.name,
                "row": excel_rows[row_of[keep]],
                "column": np.array([c.letter for c, _ in indicator_cols], dtype=object)[
                    col_of[keep]
                ],
                "indicator": np.array([c.indicator for c, _ in indicator_cols], dtype=object)[
                    col_of[keep]
                ],
                "year": year_of[keep].astype("int64"),
                "value": value[keep],
                "raw": raw[keep].to_numpy(),
                "tolerance": [
                    0.5 * 10.0 ** -decimals_of(r) * f
                    for r, f in zip(raw[keep], header_factor[keep], strict=True)
                ],
            }
        )
    )


# --- rules across rows and files -----------------------------------------------------------------


def _locations(frame: pd.DataFrame) -> pd.Series:
    """``file「sheet」第12行D列 为 86`` for each value, as messages name the other copies."""
    sheet = frame["sheet"].map(lambda s: f"「{s}」" if s else "")
    shown = frame["value"].map(lambda v: cell_text(float(v)))
    return (
        frame["file"]
        + sheet
        + "第"
        + frame["row"].astype(str)
        + "行"
        + frame["column"]
        + "列 为 "
        + shown
    )


def _check_duplicates(values: pd.DataFrame, run: _Run) -> pd.DataFrame:
    """Identical repeats are kept once (warning); conflicting ones are all quarantined together.

    A repeat is the same village, year and indicator from two cells, in one sheet or across
    files (a second header spelling of one indicator, a village written twice, households in
    both the workbook and the population CSV). The first cell in file order is the one kept.
    """
    keys = ["village_code", "year", "indicator"]
    repeated = values.duplicated(keys, keep=False)
    if not repeated.any():
        return values
    dup = values[repeated].assign(where=lambda d: _locations(d))
    grouped = dup.groupby(keys, sort=False)
    spread = grouped["value"].transform("max") - grouped["value"].transform("min")
    conflict = (spread > 1e-9).to_numpy()
    extra = dup.duplicated(keys, keep="first").to_numpy()
    first_where = grouped["where"].transform("first")
    group_id = grouped.ngroup().to_numpy()
    names = run.registry.names
    for pos in np.flatnonzero(conflict | extra):
        item = dup.iloc[pos]
        if conflict[pos]:
            peers = np.flatnonzero(group_id == group_id[pos])
            others = "；".join(dup["where"].iloc[peers[peers != pos]])
        else:
            others = first_where.iloc[pos].rsplit(" 为 ", 1)[0]
        ind = run.catalog[item["indicator"]]
        run.ledger.add(
            "duplicate_conflict" if conflict[pos] else "duplicate_identical",
            item["file"],
            item["sheet"],
            int(item["row"]),
            item["column"],
            cell_text(float(item["value"])),
            village=names.get(item["village_code"], item["village_code"]),
            year=int(item["year"]),
            name=ind.zh,
            name_en=ind.en,
            others=others,
        )
        info = run.ledger.sheets[(item["file"], item["sheet"])]
        counter = "cells_quarantined" if conflict[pos] else "cells_duplicate"
        info[counter] = info.get(counter, 0) + 1
    return values.drop(dup.index[conflict | extra])


def _check_cross_rules(values: pd.DataFrame, run: _Run) -> pd.DataFrame:
    """The catalog's cross rules per village-year, and the exit rule across years.

    The values are compared wherever they came from (population from the CSV, poverty figures
    from a workbook). Which value is wrong cannot be known, so every value involved in a
    violation is quarantined, each record naming the rule and the figures.
    """
    if values.empty:
        return values
    catalog = run.catalog
    wide = values.pivot(index=["village_code", "year"], columns="indicator", values="value")
    # (village, year, indicators involved, rule id, zh, en, detail zh, detail en)
    bad: list[tuple[str, int, tuple[str, ...], str, str, str, str, str]] = []
    for rule in catalog.cross_rules:
        involved = (*rule.left, *rule.right)
        if not set(involved) <= set(wide.columns):
            continue
        left = wide[list(rule.left)].sum(axis=1, min_count=len(rule.left))
        right = wide[list(rule.right)].sum(axis=1, min_count=len(rule.right))
        both = left.notna() & right.notna()
        holds = _OPS[rule.op](left[both].to_numpy(), right[both].to_numpy())
        for code, year in left[both].index[~holds]:
            figures = [(catalog[i], cell_text(wide.at[(code, year), i])) for i in involved]
            detail_zh = "实际：" + "，".join(f"{ind.zh} {v}" for ind, v in figures)
            detail_en = "found " + ", ".join(f"{ind.en} {v}" for ind, v in figures)
            bad.append((code, year, involved, rule.id, rule.zh, rule.en, detail_zh, detail_en))
    exit_id, remain_id = "poverty_exit_households", "poor_households_remaining"
    if {exit_id, remain_id} <= set(wide.columns):
        previous = wide[remain_id].rename(lambda y: y + 1, level="year").rename("previous")
        joined = pd.concat([wide[exit_id], previous], axis=1, join="inner").dropna()
        for code, year in joined.index[joined[exit_id] > joined["previous"] + 1e-9]:
            exits = cell_text(joined.at[(code, year), exit_id])
            left = cell_text(joined.at[(code, year), "previous"])
            detail_zh = f"{year} 年脱贫 {exits} 户，{year - 1} 年末未脱贫 {left} 户"
            detail_en = f"{exits} exits in {year}, {left} remaining at the end of {year - 1}"
            for cell_year, ind_id in ((year, exit_id), (year - 1, remain_id)):
                bad.append(
                    (
                        code,
                        cell_year,
                        (ind_id,),
                        "poverty_exit_exceeds_remaining",
                        EXIT_RULE_ZH,
                        EXIT_RULE_EN,
                        detail_zh,
                        detail_en,
                    )
                )
    # After the duplicate check each (village, year, indicator) is one row of ``values``.
    position = pd.Series(
        np.arange(len(values)),
        index=pd.MultiIndex.from_frame(values[["village_code", "year", "indicator"]]),
    )
    names = run.registry.names
    drop: set[int] = set()
    for code, year, involved, rule_id, zh, en, detail_zh, detail_en in bad:
        for ind_id in involved:
            pos = int(position[(code, year, ind_id)])
            item = values.iloc[pos]
            run.ledger.add(
                "cross_rule",
                item["file"],
                item["sheet"],
                int(item["row"]),
                item["column"],
                float(item["value"]),
                rule_id=rule_id,
                village=names.get(code, code),
                year=year,
                rule_zh=zh,
                rule_en=en,
                detail_zh=detail_zh,
                detail_en=detail_en,
            )
            if pos not in drop:
                info = run.ledger.sheets[(item["file"], item["sheet"])]
                info["cells_quarantined"] = info.get("cells_quarantined", 0) + 1
                drop.add(pos)
    return values.drop(values.index[sorted(drop)])


def _check_totals(values: pd.DataFrame, run: _Run) -> None:
    """Each totals row against the sum (or weighted mean) of the villages of its sheet and year.

    The villages are those the sheet lists for that year; their values are the accepted ones
    (wherever a duplicate was kept), aggregated by the catalog rule, weights from all files.
    """
    if not run.totals:
        return
    totals = pd.concat(run.totals, ignore_index=True)
    members = pd.concat(run.sheet_villages, ignore_index=True).drop_duplicates()
    keys = ["file", "sheet", "year"]
    wanted = totals[[*keys, "indicator"]].drop_duplicates().merge(members, on=keys)
    here = wanted.merge(values[["village_code", "year", "indicator", "value"]])
    if here.empty:
        return
    computed = aggregate_township(here, run.catalog, by=keys, weights=values)
    checked = totals.merge(computed.rename(columns={"value": "computed"}), on=[*keys, "indicator"])
    scale = np.maximum(1.0, checked["value"].abs())
    off = (checked["computed"] - checked["value"]).abs() > checked["tolerance"] + 1e-9 * scale
    for item in checked[off].itertuples(index=False):
        ind = run.catalog[item.indicator]
        weighted = ind.aggregate == "weighted_mean"
        run.ledger.add(
            "totals_mismatch",
            item.file,
            item.sheet,
            int(item.row),
            item.column,
            item.raw,
            name=ind.zh,
            name_en=ind.en,
            how_zh="加权平均" if weighted else "合计",
            how_en="weighted mean" if weighted else "sum",
            computed=cell_text(round(float(item.computed), 6)),
        )


# --- other inputs --------------------------------------------------------------------------------

_TARGET_COLUMNS = {
    "scope": ("范围", "scope", "对象"),
    "indicator": ("指标", "indicator", "指标名称"),
    "target_year": ("目标年份", "target_year", "年份", "年度"),
    "target_value": ("目标值", "target_value", "目标"),
    "unit": ("单位", "unit"),
    "source": ("来源", "source", "依据"),
}
_PROJECT_COLUMNS = {
    "seq": ("序号", "编号"),
    "project": ("项目名称", "项目", "project"),
    "batch": ("项目批次", "批次", "batch", "资金来源"),
    "village": ("所在村", "实施村", "村（居）名称", "村名", "村", "village"),
    "amount": ("资金规模", "资金", "金额", "投资", "投资额", "amount", "amount_wan"),
    "started": ("是否开工", "开工", "已开工", "started"),
    "completed": ("是否竣工", "竣工", "已竣工", "是否完工", "完工", "completed"),
}
_YES = {"是", "已", "已开工", "已竣工", "已完工", "√", "✓", "y", "yes", "true", "1", "完成"}
_NO = {"否", "未", "未开工", "未竣工", "未完工", "×", "✗", "n", "no", "false", "0", "未完成"}
TOWNSHIP_SCOPES = {"全镇", "全乡", "全县", "全市", "全区", "township", "county"}
PROJECT_COLUMNS = [
    "project",
    "batch",
    "village_code",
    "amount_wan",
    "started",
    "completed",
    "source",
    "row",
]
TARGET_COLUMNS = [
    "scope",
    "scope_name",
    "indicator",
    "target_year",
    "target_value",
    "unit",
    "source",
]


def _locate(
    header: Sequence[object], aliases: dict[str, tuple[str, ...]]
) -> dict[str, tuple[int, str | None]]:
    """Role → (column index, unit in the header) for a simple table's header row."""
    from analysis.core.catalog import header_unit

    folded = [normalise_header(h) for h in header]
    found: dict[str, tuple[int, str | None]] = {}
    for role, names in aliases.items():
        for alias in names:
            key = normalise_header(alias)
            if key in folded:
                i = folded.index(key)
                found[role] = (i, header_unit(str(header[i])))
                break
    return found


def _simple_table(
    sheet: Sheet, run: _Run, kind: str, aliases: dict[str, tuple[str, ...]], required: Sequence[str]
) -> tuple[pd.DataFrame, dict[str, tuple[int, str | None]], int, pd.DataFrame] | None:
    """Header detection, structural rows and required columns for the non-village tables."""
    cells, ledger = sheet.cells, run.ledger
    n = len(cells)
    blank = _blank_rows(cells) if n else np.zeros(0, bool)
    rows = ledger.open_sheet(sheet.file, sheet.name, kind, n, encoding=sheet.encoding)
    header = None
    for i in range(min(n, 30)):
        if len(_locate(list(cells.iloc[i]), aliases)) >= 2:
            header = i
            break
    if header is None:
        if n:
            ledger.add("no_header", sheet.file, sheet.name, count=int((~blank).sum()))
            rows.loc[np.flatnonzero(~blank) + 1, ["status", "reason"]] = [
                "quarantined",
                "no header row",
            ]
        return None
    rows.loc[np.flatnonzero(~blank[:header]) + 1, "reason"] = "title"
    rows.loc[header + 1, "reason"] = "header"
    where = _locate(list(cells.iloc[header]), aliases)
    data = cells.iloc[header + 1 :]
    data_blank = blank[header + 1 :]
    missing = [r for r in required if r not in where]
    if missing:
        ledger.add(
            "missing_key_column",
            sheet.file,
            sheet.name,
            header + 1,
            what_zh="、".join(aliases[m][0] for m in missing),
            what_en=", ".join(missing),
            count=int((~data_blank).sum()),
        )
        rows.loc[np.flatnonzero(~data_blank) + header + 2, ["status", "reason"]] = [
            "quarantined",
            "missing key column",
        ]
        return None
    return data[~data_blank], where, header, rows


def check_targets(sheet: Sheet, run: _Run) -> pd.DataFrame:
    """The 2020 targets table → TARGET_COLUMNS (scope 'township' or village codes joined by ';')."""
    found = _simple_table(
        sheet, run, "targets", _TARGET_COLUMNS, ("scope", "indicator", "target_value")
    )
    if found is None:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    data, where, _header, rows = found
    ledger, catalog, registry = run.ledger, run.catalog, run.registry
    headers = catalog.header_index()
    records = []
    for idx, row in data.iterrows():
        excel_row = idx + 1
        scope_text = cell_text(row[where["scope"][0]]).strip()
        ind_text = cell_text(row[where["indicator"][0]]).strip()
        ind_id = headers.get(normalise_header(ind_text))
        ok = True
        if ind_id is None:
            suggestions = suggest_headers(ind_text, catalog)
            ledger.add(
                "unknown_indicator",
                sheet.file,
                sheet.name,
                excel_row,
                column_letter(where["indicator"][0]),
                ind_text,
                **_suggestion_hints(suggestions),
            )
            ok = False
        parts = [p for p in re.split(r"[;；、,，]", scope_text) if p.strip()]
        if scope_text in TOWNSHIP_SCOPES or scope_text in registry.town_names or not parts:
            scope = "township"
        else:
            codes = []
            for part in parts:
                code, status = registry.resolve_name(part)
                if code is None:
                    suggestions = registry.suggest(part)
                    ledger.add(
                        "ambiguous_village" if status == "ambiguous" else "unknown_village",
                        sheet.file,
                        sheet.name,
                        excel_row,
                        column_letter(where["scope"][0]),
                        part,
                        **_suggestion_hints(suggestions),
                    )
                    ok = False
                codes.append(code)
            scope = ";".join(c for c in codes if c)
        raw_value = row[where["target_value"][0]]
        parsed = parse_cells(pd.Series([raw_value], dtype=object)).iloc[0]
        unit_text = cell_text(row[where["unit"][0]]).strip() if "unit" in where else ""
        value = np.nan
        if ind_id is not None:
            ind = catalog[ind_id]
            factor = unit_factor(parsed["unit"] or unit_text or where["target_value"][1], ind.unit)
            if parsed["state"] != "ok":
                ledger.add(
                    "not_a_number",
                    sheet.file,
                    sheet.name,
                    excel_row,
                    column_letter(where["target_value"][0]),
                    raw_value,
                    name=ind.zh,
                    name_en=ind.en,
                )
                ok = False
            elif factor is None:
                ledger.add(
                    "unknown_unit",
                    sheet.file,
                    sheet.name,
                    excel_row,
                    column_letter(
                        where["unit"][0] if "unit" in where else where["target_value"][0]
                    ),
                    raw_value,
                    unit=parsed["unit"] or unit_text,
                    name=ind.zh,
                    name_en=ind.en,
                    canonical=ind.unit,
                )
                ok = False
            else:
                value = float(parsed["number"]) * factor
        year_text = cell_text(row[where["target_year"][0]]) if "target_year" in where else ""
        year = (
            int(float(year_text))
            if re.fullmatch(r"\d{4}(\.0+)?", year_text)
            else config.TARGET_YEAR
        )
        rows.loc[excel_row, ["status", "reason"]] = (
            ["accepted", ""] if ok else ["quarantined", "target"]
        )
        if ok:
            records.append(
                {
                    "scope": scope,
                    "scope_name": scope_text,
                    "indicator": ind_id,
                    "target_year": year,
                    "target_value": value,
                    "unit": catalog[ind_id].unit,
                    "source": cell_text(row[where["source"][0]]).strip()
                    if "source" in where
                    else "",
                }
            )
    return pd.DataFrame(records, columns=TARGET_COLUMNS)


def _yes_no(text: str) -> bool | None:
    folded = text.strip().lower()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def check_projects(sheet: Sheet, run: _Run) -> pd.DataFrame:
    """The project list (扶贫项目库) → PROJECT_COLUMNS; totals rows are structural."""
    found = _simple_table(sheet, run, "projects", _PROJECT_COLUMNS, ("project", "village"))
    if found is None:
        return pd.DataFrame(columns=PROJECT_COLUMNS)
    data, where, _header, rows = found
    ledger = run.ledger
    records = []
    label_cols = [where[r][0] for r in ("seq", "project", "village") if r in where]
    totals = np.zeros(len(data), bool)
    for i in label_cols:
        totals |= is_totals_label(data[i]).to_numpy()
    rows.loc[data.index[totals] + 1, "reason"] = "totals"
    for idx, row in data[~totals].iterrows():
        excel_row = idx + 1
        village_text = cell_text(row[where["village"][0]]).strip()
        code, status = run.registry.resolve_name(village_text) if village_text else (None, "blank")
        if code is None:
            if status == "blank":
                ledger.add(
                    "missing_key",
                    sheet.file,
                    sheet.name,
                    excel_row,
                    column_letter(where["village"][0]),
                    "",
                    what_zh="所在村",
                    what_en="village",
                )
            else:
                suggestions = run.registry.suggest(village_text)
                ledger.add(
                    "ambiguous_village" if status == "ambiguous" else "unknown_village",
                    sheet.file,
                    sheet.name,
                    excel_row,
                    column_letter(where["village"][0]),
                    village_text,
                    **_suggestion_hints(suggestions),
                )
            rows.loc[excel_row, ["status", "reason"]] = ["quarantined", "keys"]
            continue
        amount = np.nan
        if "amount" in where:
            i, unit = where["amount"]
            parsed = parse_cells(pd.Series([row[i]], dtype=object)).iloc[0]
            factor = unit_factor(parsed["unit"] or unit or "万元", "万元")
            if parsed["state"] == "ok" and factor is not None:
                amount = float(parsed["number"]) * factor
            elif parsed["state"] != "missing":
                ledger.add(
                    "not_a_number",
                    sheet.file,
                    sheet.name,
                    excel_row,
                    column_letter(i),
                    row[i],
                    name="资金规模",
                    name_en="amount",
                )
        flags = {}
        for role in ("started", "completed"):
            flags[role] = None
            if role in where:
                text = cell_text(row[where[role][0]])
                flags[role] = _yes_no(text) if text.strip() else None
                if text.strip() and flags[role] is None:
                    ledger.add(
                        "not_yes_no",
                        sheet.file,
                        sheet.name,
                        excel_row,
                        column_letter(where[role][0]),
                        text,
                    )
        rows.loc[excel_row, ["status", "reason"]] = ["accepted", ""]
        records.append(
            {
                "project": cell_text(row[where["project"][0]]).strip(),
                "batch": cell_text(row[where["batch"][0]]).strip() if "batch" in where else "",
                "village_code": code,
                "amount_wan": amount,
                "started": flags["started"],
                "completed": flags["completed"],
                "source": sheet.source,
                "row": excel_row,
            }
        )
    frame = pd.DataFrame(records, columns=PROJECT_COLUMNS)
    return frame.astype(
        {"started": "boolean", "completed": "boolean", "amount_wan": "float64", "row": "int64"}
    )


def check_published(sheet: Sheet, run: _Run) -> pd.DataFrame | None:
    """The township's published figures: kept as text; rows without a fact id are quarantined."""
    cells = sheet.cells
    rows = run.ledger.open_sheet(
        sheet.file, sheet.name, "published", len(cells), encoding=sheet.encoding
    )
    if not len(cells):
        return None
    header = [cell_text(h).strip() for h in cells.iloc[0]]
    required = ["fact_id", "scope", "year", "kind", "value", "unit", "indicator_id"]
    missing = [c for c in required if c not in header]
    rows.loc[1, "reason"] = "header"
    body = cells.iloc[1:]
    blank = _blank_rows(body)
    if missing:
        run.ledger.add(
            "missing_key_column",
            sheet.file,
            row=1,
            what_zh="、".join(missing),
            what_en=", ".join(missing),
            count=int((~blank).sum()),
        )
        rows.loc[body.index[~blank] + 1, ["status", "reason"]] = [
            "quarantined",
            "missing key column",
        ]
        return None
    table = body[~blank].map(cell_text)
    table.columns = header
    rows.loc[table.index + 1, ["status", "reason"]] = ["accepted", ""]
    table = table.assign(row=table.index + 1)
    return table.reset_index(drop=True)


def check_points(sheet: Sheet, run: _Run) -> object | None:
    """A point table (``lon``, ``lat``, ``coord_sys``; optional ``village_code``) → points in
    EPSG:4490 through :func:`analysis.geo.layers.points_from_table` (GCJ-02/BD-09 converted there).

    The coordinate system is required on every row: phone apps record GCJ-02, and taking it
    for WGS84 would move a point by about half a kilometre.
    """
    from analysis.geo import layers as geo

    cells, ledger = sheet.cells, run.ledger
    rows = ledger.open_sheet(sheet.file, sheet.name, "points", len(cells), encoding=sheet.encoding)
    header = [cell_text(h).strip() for h in cells.iloc[0]]
    rows.loc[1, "reason"] = "header"
    body = cells.iloc[1:][~_blank_rows(cells.iloc[1:])]
    if "coord_sys" not in header:
        ledger.add(
            "missing_key_column",
            sheet.file,
            sheet.name,
            1,
            what_zh="coord_sys（坐标系：gcj02、bd09、wgs84 或 cgcs2000）",
            what_en="coord_sys",
            count=len(body),
        )
        rows.loc[body.index + 1, ["status", "reason"]] = ["quarantined", "missing key column"]
        return None
    table = body.map(cell_text)
    table.columns = header
    lon = pd.to_numeric(table["lon"], errors="coerce")
    lat = pd.to_numeric(table["lat"], errors="coerce")
    systems = {name: _coord_sys_known(name) for name in table["coord_sys"].unique()}
    known = table["coord_sys"].map(systems).astype(bool)
    in_registry = (
        table["village_code"].isin(run.registry.codes)
        if "village_code" in table
        else pd.Series(True, index=table.index)
    )
    good = pd.Series(True, index=table.index)
    for idx in table.index:
        row = idx + 1
        if pd.isna(lon[idx]) or pd.isna(lat[idx]):
            bad = "lon" if pd.isna(lon[idx]) else "lat"
            column = column_letter(header.index(bad))
            ledger.add(
                "not_a_number",
                sheet.file,
                sheet.name,
                row,
                column,
                table.at[idx, bad],
                name="经纬度",
                name_en=bad,
            )
            good[idx] = False
        elif not known[idx]:
            column = column_letter(header.index("coord_sys"))
            ledger.add(
                "unknown_coord_sys", sheet.file, sheet.name, row, column, table.at[idx, "coord_sys"]
            )
            good[idx] = False
        if not in_registry[idx]:
            text = table.at[idx, "village_code"]
            column = column_letter(header.index("village_code"))
            _village_problem(
                ledger, run.registry, "unknown", sheet.file, sheet.name, row, column, text
            )
            good[idx] = False
    rows.loc[table.index[good] + 1, ["status", "reason"]] = ["accepted", ""]
    rows.loc[table.index[~good] + 1, ["status", "reason"]] = ["quarantined", "point"]
    usable = table[good].assign(lon=lon[good], lat=lat[good])
    if "year" in usable:
        usable["year"] = pd.to_numeric(usable["year"], errors="coerce").astype("Int64")
    return geo.points_from_table(usable.reset_index(drop=True))


def _coord_sys_known(name: str) -> bool:
    """Whether :func:`analysis.geo.layers.points_from_table` accepts ``name`` as a coordinate system."""
    from analysis.geo import layers as geo

    try:
        geo.points_from_table(pd.DataFrame({"lon": [115.0], "lat": [25.4]}), crs=name)
    except ValueError:
        return False
    return True


def check_layer(path: Path, display: str, run: _Run) -> dict[str, object]:
    """Read every layer of a vector file, require a CRS, repair geometries where safe."""
    import pyogrio

    from analysis.geo import layers as geo

    out: dict[str, object] = {}
    try:
        names = [str(n) for n in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # pyogrio raises DataSourceError and friends for broken files
        run.ledger.open_sheet(display, "", "layer", 0)
        run.ledger.add("unreadable_file", display, detail=f"{type(exc).__name__}: {exc}")
        return out
    for layer in names:
        sheet = layer if len(names) > 1 else ""
        try:
            gdf = geo.read_layer(path, layer=layer)
        except ValueError:
            info = pyogrio.read_info(path, layer=layer)
            n = int(info["features"])
            rows = run.ledger.open_sheet(display, sheet, "layer", n)
            run.ledger.add("unknown_crs", display, sheet)
            rows.loc[:, ["status", "reason"]] = ["quarantined", "no CRS"]
            continue
        rows = run.ledger.open_sheet(display, sheet, "layer", len(gdf))
        gdf = gdf.reset_index(drop=True)
        fixed, problems = geo.validate_geometries(gdf)
        rejected = set()
        for item in problems.itertuples(index=False):
            rule = "geometry_repaired" if item.repaired else item.rule
            run.ledger.add(
                rule, display, sheet, int(item.row) + 1, detail=item.message, reason=item.reason
            )
            if not item.repaired:
                rejected.add(int(item.row))
        # Features tied to a village must name one in the registry.
        code_field = "village_code" if "village_code" in gdf else "code" if "code" in gdf else None
        if code_field is not None:
            codes = normalise_code(gdf[code_field].astype(object).fillna(""))
            for pos in np.flatnonzero(~codes.isin(run.registry.codes).to_numpy()):
                _village_problem(
                    run.ledger,
                    run.registry,
                    "unknown",
                    display,
                    sheet,
                    pos + 1,
                    code_field,
                    codes.iat[pos],
                )
                rejected.add(int(pos))
            fixed[code_field] = codes
        keep = ~fixed.index.isin(sorted(rejected))
        rows.loc[:, ["status", "reason"]] = ["accepted", ""]
        rows.loc[[r + 1 for r in sorted(rejected)], ["status", "reason"]] = [
            "quarantined",
            "geometry",
        ]
        out[Path(display).stem if not sheet else f"{Path(display).stem}.{sheet}"] = fixed[
            keep
        ].reset_index(drop=True)
    return out


# --- the run -------------------------------------------------------------------------------------


#: Files that belong to a shapefile and are read with its ``.shp``.
SHAPEFILE_PARTS = {".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd"}


def _files(raw: Path) -> list[Path]:
    """The files to read, in a fixed order; a shapefile's side files travel with its .shp."""
    if raw.is_file():
        return [raw]
    found = [p for p in raw.rglob("*") if p.is_file() and not p.name.startswith(".")]
    shapefiles = {p.with_suffix("") for p in found if p.suffix.lower() == ".shp"}
    found = [
        p
        for p in found
        if not (p.suffix.lower() in SHAPEFILE_PARTS and p.with_suffix("") in shapefiles)
    ]
    return sorted(found, key=lambda p: p.relative_to(raw).as_posix())


def validate(
    raw: Path | str,
    *,
    registry: Path | str | Registry | None = None,
    catalog: Catalog | None = None,
) -> ValidationResult:
    """Read and check a raw folder (or one village-year file) and account for every row.

    Parameters
    ----------
    raw
        ``data/raw``-like folder, or a single ``.xlsx``/``.csv`` in the wide village-year form.
    registry
        Village registry (path or :class:`Registry`); default ``raw/villages.csv`` for a folder
        and the project's ``data/raw/villages.csv`` for a single file.
    catalog
        Indicator catalog; default the package's.

    Returns
    -------
    ValidationResult
    """
    raw = Path(raw)
    if not raw.exists():
        raise MissingFileError(f"找不到 / not found: {raw}")
    catalog = catalog or default_catalog()
    ledger = Ledger()
    base = raw if raw.is_dir() else raw.parent
    registry_path = None
    if isinstance(registry, Registry):
        reg = registry
    else:
        if registry is not None:
            registry_path = Path(registry)
        elif raw.is_dir():
            registry_path = raw / config.REGISTRY_FILE
        else:
            registry_path = config.RAW_DIR / config.REGISTRY_FILE
        reg = load_registry(registry_path, ledger)
    run = _Run(catalog, reg, ledger)
    targets, projects, published, layers = [], [], None, {}
    for path in _files(raw):
        display = path.relative_to(base).as_posix()
        suffix = path.suffix.lower()
        if registry_path is not None and path.resolve() == registry_path.resolve():
            continue
        if raw.is_dir() and path.name == config.REGISTRY_FILE:
            # A folder's own registry, when another one was named: still checked and counted.
            with contextlib.suppress(ValueError):  # the problem is already in the ledger
                load_registry(path, ledger)
            continue
        if raw.is_dir() and (
            path.name.upper() in {"README.MD", config.SAMPLE_MARKER_FILE} or suffix == ".md"
        ):
            ledger.sheets[(display, "")] = {"file": display, "sheet": "", "kind": "documentation"}
            ledger.rows[(display, "")] = pd.DataFrame(columns=["status", "reason"])
            continue
        if suffix in LAYER_SUFFIXES:
            layers.update(check_layer(path, display, run))
            continue
        if suffix not in WORKBOOK_SUFFIXES | TABLE_SUFFIXES:
            ledger.sheets[(display, "")] = {"file": display, "sheet": "", "kind": "unknown"}
            ledger.rows[(display, "")] = pd.DataFrame(columns=["status", "reason"])
            ledger.add("unknown_file", display, value=suffix or path.name)
            continue
        try:
            sheets = (
                read_workbook(path, display)
                if suffix in WORKBOOK_SUFFIXES
                else [read_csv_sheet(path, display)]
            )
        except ReadError as exc:
            ledger.sheets[(display, "")] = {"file": display, "sheet": "", "kind": "unreadable"}
            ledger.rows[(display, "")] = pd.DataFrame(columns=["status", "reason"])
            ledger.add(exc.rule, display, detail=exc.detail)
            continue
        for sheet in sheets:
            # A table is known by its name whatever its format: a marked copy of a CSV is .xlsx.
            if sheet.name == PROBLEM_SHEET:
                rows = ledger.open_sheet(display, sheet.name, "problem_list", len(sheet.cells))
                rows.loc[np.flatnonzero(~_blank_rows(sheet.cells)) + 1, "reason"] = "problem list"
            elif path.stem == Path(config.TARGETS_FILE).stem:
                targets.append(check_targets(sheet, run))
            elif path.stem == Path(config.PUBLISHED_FILE).stem:
                published = check_published(sheet, run)
            elif path.name.startswith("扶贫项目库"):
                projects.append(check_projects(sheet, run))
            elif len(sheet.cells) and {"lon", "lat"} <= {
                cell_text(h).strip() for h in sheet.cells.iloc[0]
            }:
                points = check_points(sheet, run)
                if points is not None:
                    layers[Path(display).stem] = points
            else:
                check_table(sheet, run)

    values = pd.concat(run.values, ignore_index=True) if run.values else _empty_values()
    values = _check_duplicates(values, run)
    values = _check_cross_rules(values, run)
    _check_totals(values, run)
    problems = ledger.problems_frame()
    summary = _summary(ledger, problems)
    order = {ind_id: i for i, ind_id in enumerate(catalog.ids)}
    values = (
        values.assign(_order=values["indicator"].map(order))
        .sort_values(["village_code", "year", "_order", "source", "row"], kind="stable")
        .reset_index(drop=True)
    )
    tidy = values[VALUE_COLUMNS].astype(
        {
            "village_code": str,
            "year": "int64",
            "indicator": str,
            "value": "float64",
            "source": str,
            "row": "int64",
        }
    )
    return ValidationResult(
        values=tidy,
        problems=problems,
        summary=summary,
        registry=reg,
        targets=pd.concat(targets, ignore_index=True)
        if targets
        else pd.DataFrame(columns=TARGET_COLUMNS),
        projects=pd.concat(projects, ignore_index=True)
        if projects
        else pd.DataFrame(columns=PROJECT_COLUMNS),
        published=published,
        layers=layers,
    )


def _empty_values() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "village_code": pd.Series(dtype=str),
            "year": pd.Series(dtype="int64"),
            "indicator": pd.Series(dtype=str),
            "value": pd.Series(dtype="float64"),
            "source": pd.Series(dtype=str),
            "row": pd.Series(dtype="int64"),
            "file": pd.Series(dtype=str),
            "sheet": pd.Series(dtype=str),
            "column": pd.Series(dtype=str),
        }
    )


ROW_DEFINITION = (
    "A row is one physical row of a sheet (Excel row / CSV line / layer feature), title rows "
    "included. rows_read = rows_accepted + rows_quarantined + rows_structural; rows_accepted = "
    "rows_accepted_full + rows_accepted_partial (partial: some cells quarantined, the rest "
    "kept). Structural rows (title, header, blank, totals, note) are listed with their reason. "
    "cells_read (figures given in accepted rows; blanks and missing markers such as — not "
    "counted) = cells_accepted + cells_quarantined + cells_duplicate (identical repeats kept "
    "once); figures under an unknown column are cells_unmapped. Severity 'error' means "
    "something was not ingested; 'warning' means ingested but worth a look."
)


def _summary(ledger: Ledger, problems: pd.DataFrame) -> dict:
    """Per file and sheet: rows read and where each went, with the accounting check."""
    cell_errors = problems[
        (problems["severity"] == "error") & (problems["row"] > 0) & (problems["column"] != "")
    ]
    partial_keys = set(
        zip(cell_errors["file"], cell_errors["sheet"], cell_errors["row"], strict=True)
    )
    entries = []
    all_ok = True
    for key in sorted(ledger.sheets):
        info = dict(ledger.sheets[key])
        rows = ledger.rows[key]
        status = rows["status"]
        accepted_rows = rows.index[status == "accepted"]
        partial = sum((key[0], key[1], int(r)) in partial_keys for r in accepted_rows)
        structural = rows[status == "structural"]
        entry = {
            **info,
            "rows_read": len(rows),
            "rows_accepted": len(accepted_rows),
            "rows_accepted_full": int(len(accepted_rows) - partial),
            "rows_accepted_partial": int(partial),
            "rows_quarantined": int((status == "quarantined").sum()),
            "rows_structural": len(structural),
            "structural": [
                {"row": int(r), "reason": str(reason)} for r, reason in structural["reason"].items()
            ],
        }
        if info.get("kind") == "village_table":
            read = int(info.get("cells_read", 0))
            entry["cells_read"] = read
            entry["cells_quarantined"] = int(info.get("cells_quarantined", 0))
            entry["cells_duplicate"] = int(info.get("cells_duplicate", 0))
            entry["cells_unmapped"] = int(info.get("cells_unmapped", 0))
            entry["cells_accepted"] = read - entry["cells_quarantined"] - entry["cells_duplicate"]
        entry["check"] = (
            entry["rows_read"]
            == entry["rows_accepted"] + entry["rows_quarantined"] + entry["rows_structural"]
        )
        all_ok &= entry["check"]
        entries.append(entry)
    errors = int((problems["severity"] == "error").sum())
    totals = {
        name: int(sum(e[name] for e in entries))
        for name in (
            "rows_read",
            "rows_accepted",
            "rows_accepted_full",
            "rows_accepted_partial",
            "rows_quarantined",
            "rows_structural",
        )
    }
    return {
        "definition": ROW_DEFINITION,
        "files": entries,
        "totals": totals,
        "problems": {
            "error": errors,
            "warning": int((problems["severity"] == "warning").sum()),
            "by_rule": {k: int(v) for k, v in sorted(problems["rule"].value_counts().items())},
        },
        "accounting_ok": bool(all_ok),
        "ok": bool(all_ok and errors == 0),
    }


# --- the command ---------------------------------------------------------------------------------


def format_problems(problems: pd.DataFrame, summary: dict, *, lang: str = "zh") -> str:
    """A plain-text report for the terminal: per-file counts, then every problem."""
    lines = []
    for entry in summary["files"]:
        if entry.get("kind") == "documentation":
            continue
        where = entry["file"] + (f"#{entry['sheet']}" if entry["sheet"] else "")
        lines.append(
            f"{where}: 读入 {entry['rows_read']} 行 = 接受 {entry['rows_accepted']}"
            f"（部分 {entry['rows_accepted_partial']}）+ 隔离 {entry['rows_quarantined']}"
            f" + 结构行 {entry['rows_structural']}" + ("" if entry["check"] else "  ✗ 不平衡")
        )
    message = "message_zh" if lang == "zh" else "message_en"
    if len(problems):
        lines.append("")
        for item in problems.itertuples(index=False):
            mark = "错误" if item.severity == "error" else "提示"
            lines.append(f"[{mark} {item.rule}] {getattr(item, message)}")
    counts = summary["problems"]
    lines.append("")
    lines.append(
        f"错误 {counts['error']} 条，提示 {counts['warning']} 条 / {counts['error']} errors, {counts['warning']} warnings"
    )
    return "\n".join(lines)
