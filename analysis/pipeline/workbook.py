"""The officials' workbook (livelihood.xlsx) and reproducible xlsx saving."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import sheets
from analysis.core.aggregate import PENDING_REVIEW
from analysis.core.catalog import Catalog
from analysis.core.labels import label
from analysis.core.numbers import decimals
from analysis.iorw import atomic_write_bytes
from analysis.pipeline.reconcile import explain
from analysis.pipeline.sheetxml import rows_xml
from analysis.pipeline.store import FIXED_TIMESTAMP

_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
_SHEET_DATA_END = b"</sheetData>"


def _normalised_zip(data: bytes, rows: Mapping[str, Iterable[bytes]] | None = None) -> bytes:
    """Rewrite a zip (xlsx) with fixed timestamps, the data ``rows`` spliced into their sheets.

    openpyxl stamps every zip entry, and ``docProps/core.xml``'s modified date, with "now"
    whatever ``wb.properties`` says. ``rows`` maps a sheet's entry (``xl/worksheets/sheet1.xml``)
    to the XML of its rows after those openpyxl wrote (:mod:`analysis.pipeline.sheetxml`).
    """
    rows = rows or {}
    stamp = FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIMESTAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = item.external_attr
            content = src.read(item.filename)
            if item.filename == "docProps/core.xml":
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            if item.filename not in rows:
                dst.writestr(info, content)
                continue
            head, tail = content.split(_SHEET_DATA_END, 1)
            with dst.open(info, "w") as entry:
                entry.write(head)
                for chunk in rows[item.filename]:
                    entry.write(chunk)
                entry.write(_SHEET_DATA_END + tail)
    return out.getvalue()


def save_workbook(
    wb,
    path: Path,
    rows: Mapping[str, Iterable[bytes]] | None = None,
    creator: str = "minsheng",
) -> Path:
    """Save an openpyxl workbook atomically, byte-for-byte reproducible, with the data ``rows``
    of its write-only sheets (:mod:`analysis.pipeline.sheetxml`, by zip entry) spliced in."""
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    wb.properties.creator = creator
    buffer = io.BytesIO()
    wb.save(buffer)
    return atomic_write_bytes(path, _normalised_zip(buffer.getvalue(), rows))


def append_columns(
    ws, columns: list[list[object]], first_row: int, rows: dict[str, Iterable[bytes]]
) -> None:
    """The rows of a write-only sheet's ``columns`` (a list of values each) from ``first_row``
    on: their XML kept in ``rows`` for :func:`save_workbook` to splice in (a province's sheets
    have millions of cells, at 7 µs a cell through openpyxl), or appended through openpyxl where
    a value needs it."""
    frame = pd.DataFrame({i: pd.Series(column, dtype=object) for i, column in enumerate(columns)})
    xml = rows_xml(frame, first_row)
    if xml is None:
        for record in zip(*columns, strict=True):
            ws.append(list(record))
        return
    # openpyxl numbers a write-only workbook's sheets in the order they were created.
    rows[f"xl/worksheets/sheet{len(ws.parent.worksheets)}.xml"] = xml


def _sheet(
    wb,
    rows: dict[str, Iterable[bytes]],
    title: str,
    frame: pd.DataFrame,
    places: Mapping[str, int] | None = None,
) -> None:
    """One write-only sheet laid out as every workbook is (:mod:`analysis.core.sheets`): widths
    from the content, header frozen and printed on every page, A4 one page wide; ``places``
    gives the decimals of a column's numbers, by header. Missing values are left empty.

    The values' XML goes into ``rows`` under the sheet's zip entry, to be spliced in when the
    workbook is saved; openpyxl writes them only when a value needs it.
    """
    from openpyxl.cell import WriteOnlyCell

    places = places or {}
    ws = wb.create_sheet(title)
    headers = [str(c) for c in frame.columns]
    # A column of floats is measured on its array (sheets.column), the rest on their cells.
    layouts = [
        sheets.column(
            header,
            frame.iloc[:, i] if frame.dtypes.iloc[i] == "float64" else _objects(frame.iloc[:, i]),
            places.get(header),
        )
        for i, header in enumerate(headers)
    ]
    sheets.lay_out(ws, layouts, frozen_columns=_frozen_columns(headers))
    # Only the wrapping columns make a row taller: a province's wide sheet has none.
    wrapping = [i for i, layout in enumerate(layouts) if layout.wrap]
    heights = sheets.row_heights(
        zip(*(_objects(frame.iloc[:, i]).tolist() for i in wrapping), strict=True)
        if wrapping
        else [],
        [layouts[i] for i in wrapping],
        first_row=2,
    )
    sheets.set_heights(ws, sheets.row_heights([headers], layouts, first_row=1, header=True))
    sheets.set_heights(ws, heights)
    header_cells = []
    for header in headers:
        header_cells.append(WriteOnlyCell(ws, header))
        sheets.header_style(header_cells[-1])
    ws.append(header_cells)
    styled = [None if sheets.is_plain(layout) else layout for layout in layouts]
    xml = rows_xml(frame, 2, [_style_id(ws, layout) for layout in styled], heights)
    if xml is not None:
        # openpyxl numbers a write-only workbook's sheets in the order they were created.
        rows[f"xl/worksheets/sheet{len(wb.worksheets)}.xml"] = xml
        return
    cells = frame.astype(object)
    for record in cells.where(cells.notna(), None).to_numpy().tolist():
        ws.append([_cell(ws, value, like) for value, like in zip(record, styled, strict=True)])


def _objects(column: pd.Series) -> pd.Series:
    """A column's cells as written: objects, None where a cell is empty."""
    cells = column.astype(object)
    return cells.where(cells.notna(), None)


def _cell(ws, value: object, layout: sheets.Column | None):
    """``value`` as a cell of a column laid out as ``layout`` (None: a plain value); an empty
    cell stays empty, as the fast path leaves it."""
    from openpyxl.cell import WriteOnlyCell

    if value is None or layout is None:
        return value
    cell = WriteOnlyCell(ws, value)
    sheets.data_style(cell, layout)
    return cell


def _style_id(ws, layout: sheets.Column | None) -> int | None:
    """The workbook's style id of the data cells of a column laid out as ``layout``."""
    from openpyxl.cell import WriteOnlyCell

    if layout is None:
        return None
    cell = WriteOnlyCell(ws)
    sheets.data_style(cell, layout)
    return cell.style_id


def _frozen_columns(headers: list[str]) -> int:
    """Columns that stay in view when scrolling right: the village's code and name."""
    return 2 if headers[:2] == ["村代码", "村（居）名称"] else 0


def village_years(indicators: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """One row per village and year of ``indicators``, sorted, one column per indicator of
    ``order``: ``indicators.pivot(index=["village_code", "year"], columns="indicator",
    values="value").reindex(columns=order).reset_index()``, put together from codes.

    Raises ValueError, as the pivot does, when a village has an indicator twice in a year.
    """
    villages, village_names = pd.factorize(indicators["village_code"], sort=True)
    years, year_values = pd.factorize(indicators["year"], sort=True)
    names, name_values = pd.factorize(indicators["indicator"])
    if (villages < 0).any() or (years < 0).any() or (names < 0).any():
        # A missing key: the pivot's own way with it.
        wide = indicators.pivot(index=["village_code", "year"], columns="indicator", values="value")
        return wide.reindex(columns=order).reset_index()
    row, keys = pd.factorize(villages.astype(np.int64) * len(year_values) + years, sort=True)
    if np.bincount(row * len(name_values) + names).max(initial=0) > 1:
        raise ValueError("Index contains duplicate entries, cannot reshape")
    position = {name: i for i, name in enumerate(order)}
    column = np.array([position.get(name, -1) for name in name_values], dtype=np.int64)[names]
    kept = column >= 0
    values = indicators["value"].to_numpy()
    table = np.full((len(keys), len(order)), np.nan, dtype=values.dtype)
    table[row[kept], column[kept]] = values[kept]
    wide = pd.DataFrame(table, columns=pd.Index(order, name="indicator"))
    wide.insert(0, "village_code", village_names[keys // len(year_values)])
    wide.insert(1, "year", year_values[keys % len(year_values)])
    return wide


def pending_notes(area: pd.DataFrame, catalog: Catalog) -> dict[int, str]:
    """Year → the totals of ``area`` that count village values pending review, as the totals
    sheet names them (医疗保险参保率，含待核实村数据 1 个); none where ``area`` has no count."""
    if PENDING_REVIEW not in area.columns:
        return {}
    rows = area[area[PENDING_REVIEW] > 0]
    notes: dict[int, list[str]] = {}
    for year, indicator, n in zip(
        rows["year"], rows["indicator"], rows[PENDING_REVIEW], strict=True
    ):
        what = catalog[str(indicator)].zh
        notes.setdefault(int(year), []).append(
            label("review.pending_total", "zh", what=what, n=int(n))
        )
    return {year: label("note.join", "zh").join(items) for year, items in notes.items()}


def write_workbook(
    path: Path,
    indicators: pd.DataFrame,
    area: pd.DataFrame,
    villages: pd.DataFrame,
    targets: pd.DataFrame,
    projects: pd.DataFrame,
    reconciliation: pd.DataFrame,
    quarantine: pd.DataFrame,
    catalog: Catalog,
    *,
    level: str,
    raw_name: str,
    fingerprint: str,
) -> Path:
    """``livelihood.xlsx`` for officials: Chinese headers with units, one sheet per table,
    after 说明 (what each sheet holds, the raw data ``raw_name`` and its ``fingerprint``).

    ``level`` is that of the place the data set covers (:func:`analysis.pipeline.store.place_of`):
    the sheet of ``township``'s totals is named for it, 全镇汇总 for a town, 全县汇总 for a county.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    rows: dict[str, Iterable[bytes]] = {}
    whole = label(f"whole.{level}", "zh")
    sheets.readme_sheet(
        wb,
        [
            ("村级指标", label("sheet.village_indicators", "zh")),
            (f"{whole}汇总", label("sheet.totals", "zh").format(whole=whole)),
            ("村（居）名录", label("sheet.villages", "zh")),
            ("2020年目标", label("sheet.targets", "zh")),
            ("扶贫项目库", label("sheet.projects", "zh")),
            (label("heading.reconciliation"), label("sheet.reconciliation", "zh")),
            ("问题清单", label("sheet.problems", "zh")),
        ],
        source=label("readme.source_processed", "zh").format(raw=raw_name),
        fingerprint=fingerprint,
    )
    names = villages.set_index("code")["short_name"]
    labels = {ind.id: ind.label_zh for ind in catalog}
    present = set(indicators["indicator"].unique())
    order = [i for i in catalog.ids if i in present]
    wide = village_years(indicators, order)
    wide.insert(1, "村（居）名称", wide["village_code"].map(names))
    wide = wide.rename(columns={"village_code": "村代码", "year": "年度", **labels})
    places = {ind.label_zh: decimals(ind) for ind in catalog}
    _sheet(wb, rows, "村级指标", wide, places)
    town = area.pivot(index="year", columns="indicator", values="value").reindex(columns=order)
    town = town.reset_index().rename(columns={"year": "年度", **labels})
    pending = pending_notes(area, catalog)
    if pending:
        # Beside a year's totals, those that count a village value pending review.
        town[label("review.to_confirm", "zh")] = town["年度"].map(pending)
    _sheet(wb, rows, f"{whole}汇总", town, places)
    _sheet(
        wb,
        rows,
        "村（居）名录",
        villages.rename(
            columns={
                "code": "村代码",
                "name": "名称",
                "short_name": "简称",
                "kind": "类型",
                "town_code": "乡镇代码",
                "town_name": "乡镇",
            }
        ),
    )
    zh = {ind.id: ind.zh for ind in catalog}
    _sheet(
        wb,
        rows,
        "2020年目标",
        targets.assign(indicator=targets["indicator"].map(zh)).rename(
            columns={
                "scope": "范围代码",
                "scope_name": "范围",
                "indicator": "指标",
                "target_year": "目标年份",
                "target_value": "目标值",
                "unit": "单位",
                "source": "来源",
            }
        ),
    )
    _sheet(
        wb,
        rows,
        "扶贫项目库",
        projects.assign(
            village=projects["village_code"].map(names),
            started=projects["started"].map({True: "是", False: "否"}),
            completed=projects["completed"].map({True: "是", False: "否"}),
        )[
            [
                "project",
                "batch",
                "village_code",
                "village",
                "amount_wan",
                "started",
                "completed",
                "source",
                "row",
            ]
        ].rename(
            columns={
                "project": "项目名称",
                "batch": "项目批次",
                "village_code": "村代码",
                "village": "所在村",
                "amount_wan": "资金规模(万元)",
                "started": "是否开工",
                "completed": "是否竣工",
                "source": "来源文件",
                "row": "行号",
            }
        ),
        {"资金规模(万元)": decimals("万元")},
    )
    # The reconciliation and problem headers are the pages' own (analysis.core.labels).
    reconciliation_columns = {
        "fact_id": "fact",
        "scope": "scope",
        "scope_code": "scope_code",
        "year": "year",
        "indicator": "indicator",
        "unit": "unit",
        "published": "published",
        "computed": "computed",
        "difference": "difference",
        "tolerance": "tolerance",
        "status": "check",
        "explained": "note",
        "quote": "quote",
    }
    records = reconciliation.to_dict("records")
    shown = reconciliation.assign(
        scope=reconciliation["scope"].replace({"township": label("cell.township")}),
        indicator=[zh.get(r["indicator"]) or r["indicator_zh"] for r in records],
        status=[label(f"reconciliation.{r['status']}") for r in records],
        explained=[explain(r) for r in records],
    )
    _sheet(
        wb,
        rows,
        label("heading.reconciliation"),
        shown[list(reconciliation_columns)].rename(
            columns={c: label(f"column.{k}") for c, k in reconciliation_columns.items()}
        ),
    )
    problem_columns = {
        "file": "file",
        "sheet": "sheet",
        "row": "row",
        "column": "column",
        "value": "value",
        "rule": "rule",
        "severity": "severity",
        "message_zh": "message",
        "message_en": "message_en",
        "village_code": "code",
        "village": "village_name",
    }
    _sheet(
        wb,
        rows,
        "问题清单",
        quarantine.rename(columns={c: label(f"column.{k}") for c, k in problem_columns.items()}),
    )
    return save_workbook(wb, path, rows)
