"""The side tables and layers: targets, the project list, published figures, point tables and
vector layers. Each has its own small shape, so each has its own checker here; the wide
village-year tables are :mod:`analysis.ingest.table`.

The geographic readers (:mod:`analysis.geo.layers`, which imports geopandas) are imported inside
the functions that need them, so a folder without layers never pays for that import.
"""

from __future__ import annotations

import difflib
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.core.catalog import header_unit, normalise_header
from analysis.ingest.cells import (
    cell_text,
    column_letter,
    is_totals_label,
    parse_cells,
    suggest_headers,
    unit_factor,
)
from analysis.ingest.read import Sheet
from analysis.ingest.registry import (
    Registry,
    normalise_code,
    suggestion_hints,
    village_problem,
)
from analysis.ingest.run import Run
from analysis.ingest.table import blank_rows, cell_texts

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
#: Scope words for the whole town of a one-town data set, and for the whole county.
TOWNSHIP_SCOPES = {"全镇", "全乡", "全街道", "township"}
COUNTY_SCOPES = {"全县", "全市", "全区", "county"}
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
    sheet: Sheet, run: Run, kind: str, aliases: dict[str, tuple[str, ...]], required: Sequence[str]
) -> tuple[pd.DataFrame, dict[str, tuple[int, str | None]], int, pd.DataFrame] | None:
    """Header detection, structural rows and required columns for the non-village tables."""
    cells, ledger = sheet.cells, run.ledger
    n = len(cells)
    blank = blank_rows(cells) if n else np.zeros(0, bool)
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


def check_targets(sheet: Sheet, run: Run) -> pd.DataFrame:
    """The 2020 targets table → TARGET_COLUMNS, each scope as :func:`target_scope` reads it."""
    found = _simple_table(
        sheet, run, "targets", _TARGET_COLUMNS, ("scope", "indicator", "target_value")
    )
    if found is None:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    data, where, _header, rows = found
    ledger, catalog, registry = run.ledger, run.catalog, run.registry
    headers = catalog.header_index()
    # Every value parsed at once: one call a row cost 3.5 ms (a province's thousands of town
    # targets, seconds).
    parsed_values = parse_cells(data[where["target_value"][0]].astype(object))
    records, quarantined = [], []
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
                **suggestion_hints(suggestions),
            )
            ok = False
        scope, problems = target_scope(scope_text, registry)
        for rule, value, fields in problems:
            ledger.add(
                rule,
                sheet.file,
                sheet.name,
                excel_row,
                column_letter(where["scope"][0]),
                value,
                **fields,
            )
            ok = False
        raw_value = row[where["target_value"][0]]
        parsed = parsed_values.loc[idx]
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
        if not ok:
            quarantined.append(excel_row)
        else:
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
    rows.loc[data.index + 1, ["status", "reason"]] = ["accepted", ""]
    rows.loc[quarantined, ["status", "reason"]] = ["quarantined", "target"]
    return pd.DataFrame(records, columns=TARGET_COLUMNS)


def target_scope(
    text: str, registry: Registry
) -> tuple[str, list[tuple[str, str, dict[str, object]]]]:
    """A targets table's 范围 cell → (scope, problems), scope as
    :func:`analysis.core.trends.scope_level` reads it.

    全镇 (or blank) is the single town of a one-town data set ('township'); 全县 is the county.
    A town or county by name or code is its 9- or 6-digit code — a one-town data set's own town
    is 'township'; anything else is one or more villages (names or codes joined by ; 、 ,).
    Each problem is (rule, value, fields) for the ledger; the scope is '' when there is one.
    """
    towns, counties = registry.units("town"), registry.units("county")
    one_town = len(towns) == 1
    folded = text.strip()
    if folded in TOWNSHIP_SCOPES or not folded:
        if one_town:
            return "township", []
        code, name = next(iter(towns.items()))
        fields = {"count": len(towns), "example": f"{name or code}、{code}"}
        return "", [("township_scope_many_towns", text, fields)]
    if folded in COUNTY_SCOPES:
        if len(counties) != 1:
            names = "、".join(n or c for c, n in counties.items())
            return "", [("ambiguous_scope", text, _several("county", names))]
        folded = next(iter(counties))
    if folded.isdigit():
        level = _UNIT_LEVEL.get(len(folded))
        if len(folded) == 12 and folded in registry.codes:
            return folded, []
        if level is None and len(folded) != 12:
            hints = {"hint_zh": _CODE_HINT[0], "hint_en": _CODE_HINT[1]}
            return "", [("unknown_scope", text, hints)]
    else:
        level = None
    for candidate in (level,) if level else ("town", "county"):
        matches = registry.unit_matches(folded, candidate)
        if len(matches) > 1:
            units = registry.units(candidate)
            names = "、".join(f"{units[c]}（{c}）" for c in matches)
            return "", [("ambiguous_scope", text, _several(candidate, names))]
        if not matches:
            continue
        if candidate == "county" and one_town:
            town = next(iter(towns.values())) or next(iter(towns))
            return "", [("county_scope_one_town", text, {"town": town})]
        return ("township" if candidate == "town" and one_town else matches[0]), []
    if folded.isdigit():
        return "", [_foreign_code(folded, counties)]
    codes, problems = [], []
    for part in (p.strip() for p in re.split(r"[;；、,，]", folded) if p.strip()):
        code, status = registry.resolve_name(part)
        if code is None and re.fullmatch(r"\d{12}", part):
            problems.append(_foreign_code(part, counties))
        elif code is None:
            rule = "ambiguous_village" if status == "ambiguous" else "unknown_village"
            if status != "ambiguous" and _PLACE_SUFFIX.search(part):
                rule = "unknown_scope"
            problems.append((rule, part, suggestion_hints(_close_places(part, registry))))
        else:
            codes.append(code)
    return ("" if problems else ";".join(codes)), problems


#: A name that reads as a town's or a county's, not a village's.
_PLACE_SUFFIX = re.compile(r"(镇|乡|街道|县|市|区)$")
#: The level of a unit's code by its length (国家统计局 统计用区划代码).
_UNIT_LEVEL = {9: "town", 6: "county"}
_CODE_HINT = (
    "代码应为 6 位县代码、9 位乡镇代码或 12 位村代码。",
    "A code has 6 (county), 9 (town) or 12 (village) digits.",
)


def _several(level: str, names: str) -> dict[str, object]:
    words = {"town": ("乡镇", "towns"), "county": ("县（市、区）", "counties")}[level]
    return {"what_zh": words[0], "what_en": words[1], "names": names}


def _close_places(text: str, registry: Registry) -> list[str]:
    """The names closest to a scope no place has: towns and counties where it reads as one
    (大乔镇, 信风县), else villages."""
    if not _PLACE_SUFFIX.search(text):
        return registry.suggest(text)
    names = {n for level in ("town", "county") for n in registry.units(level).values() if n}
    return difflib.get_close_matches(text, sorted(names), n=3, cutoff=0.3)


def _foreign_code(code: str, counties: dict[str, str]) -> tuple[str, str, dict[str, object]]:
    """A code the registry does not hold: of another county, or unknown within this one."""
    known = "、".join(f"{n}（{c}）" if n else c for c, n in counties.items())
    if code[:6] not in counties:
        return "scope_other_county", code, {"county": code[:6], "counties": known}
    hints = {"hint_zh": "请核对代码。", "hint_en": "Check the code."}
    return "unknown_scope", code, hints


def _yes_no(text: str) -> bool | None:
    folded = text.strip().lower()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def check_projects(sheet: Sheet, run: Run) -> pd.DataFrame:
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
                    **suggestion_hints(suggestions),
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


def check_published(sheet: Sheet, run: Run) -> pd.DataFrame | None:
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
    blank = blank_rows(body)
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
    table = cell_texts(body[~blank])
    table.columns = header
    rows.loc[table.index + 1, ["status", "reason"]] = ["accepted", ""]
    table = table.assign(row=table.index + 1)
    return table.reset_index(drop=True)


def check_points(sheet: Sheet, run: Run) -> object | None:
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
    body = cells.iloc[1:][~blank_rows(cells.iloc[1:])]
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
    table = cell_texts(body)
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
    good = lon.notna() & lat.notna() & known & in_registry
    # Only the rows with a problem need a look each; they are reported in row order.
    for idx in table.index[~good]:
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
        elif not known[idx]:
            column = column_letter(header.index("coord_sys"))
            ledger.add(
                "unknown_coord_sys", sheet.file, sheet.name, row, column, table.at[idx, "coord_sys"]
            )
        if not in_registry[idx]:
            text = table.at[idx, "village_code"]
            column = column_letter(header.index("village_code"))
            village_problem(
                ledger, run.registry, "unknown", sheet.file, sheet.name, row, column, text
            )
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


def check_layer(path: Path, display: str, run: Run) -> dict[str, object]:
    """Read every layer of a vector file, require a CRS, repair geometries where safe.

    Nothing in a layer stops the run: a file or layer that cannot be read is one problem
    record, a feature whose geometry cannot be built or repaired is quarantined.
    """
    import pyogrio

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
            found = _check_one_layer(path, layer, display, sheet, run)
        except Exception as exc:  # GDAL and GEOS raise their own types for broken content
            run.ledger.rows.pop((display, sheet), None)
            run.ledger.open_sheet(display, sheet, "layer", 0)
            run.ledger.add("unreadable_file", display, sheet, detail=f"{type(exc).__name__}: {exc}")
            continue
        if found is not None:
            out[Path(display).stem if not sheet else f"{Path(display).stem}.{sheet}"] = found
    return out


def _unbuildable(path: Path, layer: str) -> np.ndarray:
    """Positions of the features whose geometry GEOS cannot build as written (a ring that is
    not closed): they are read with the ring closed, and said so."""
    import pyogrio.raw
    import shapely

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL: "Non closed ring detected"
        wkb = pyogrio.raw.read(path, layer=layer, columns=[])[2]
    built = shapely.from_wkb(wkb, on_invalid="ignore")
    return np.flatnonzero(pd.notna(wkb) & pd.isna(built))


def _check_one_layer(path: Path, layer: str, display: str, sheet: str, run: Run) -> object | None:
    """One layer → its features in EPSG:4490 that can be used, or None without a CRS."""
    import pyogrio
    import shapely

    from analysis.geo import layers as geo

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # GDAL: "Non closed ring detected"
        try:
            gdf = geo.read_layer(path, layer=layer, on_invalid="fix")
        except ValueError:
            n = int(pyogrio.read_info(path, layer=layer)["features"])
            rows = run.ledger.open_sheet(display, sheet, "layer", n)
            run.ledger.add("unknown_crs", display, sheet)
            rows.loc[:, ["status", "reason"]] = ["quarantined", "no CRS"]
            return None
    rows = run.ledger.open_sheet(display, sheet, "layer", len(gdf))
    gdf = gdf.reset_index(drop=True)
    geoms = np.asarray(gdf.geometry.values)
    rejected = set()
    for pos in _unbuildable(path, layer):
        # Closing a ring repairs only a missing last position: a ring still needs four (three
        # corners and the close). Fewer means the boundary was cut short, not left open.
        rings = shapely.get_rings(geoms[pos]) if geoms[pos] is not None else []
        shortest = min((shapely.get_num_coordinates(r) for r in rings), default=0)
        if shortest >= 5 and shapely.is_valid(geoms[pos]):
            detail = "多边形的边界没有闭合（首尾坐标不同），已自动闭合"
            run.ledger.add(
                "geometry_repaired",
                display,
                sheet,
                int(pos) + 1,
                detail=detail,
                reason="ring not closed",
            )
            continue
        detail = f"多边形的边界没有闭合，且只有 {max(shortest - 1, 0)} 个点，无法构成边界"
        run.ledger.add(
            "geometry_invalid",
            display,
            sheet,
            int(pos) + 1,
            detail=detail,
            reason="ring not closed, too few positions",
        )
        rejected.add(int(pos))
    fixed, problems = geo.validate_geometries(gdf)
    for item in problems.itertuples(index=False):
        if int(item.row) in rejected:
            continue
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
            village_problem(
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
    rows.loc[[r + 1 for r in sorted(rejected)], ["status", "reason"]] = ["quarantined", "geometry"]
    return fixed[keep].reset_index(drop=True)
