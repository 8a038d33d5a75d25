"""What the report notebooks show: loading the processed tables and shaping them for display.

Notebooks stay thin (parameters, then a call per section); everything they display is built
here, so it can be tested without running a notebook.
"""

from __future__ import annotations

import io
from html import escape

import numpy as np
import pandas as pd
import PIL.Image
from IPython.display import HTML, Image, display

from analysis import config
from analysis.core.catalog import Catalog, default_catalog
from analysis.core.labels import SECTION_EN, SECTION_ZH
from analysis.core.style import PageCanvas
from analysis.pipeline.store import Tables
from analysis.reporting import narrative
from analysis.reporting.charts import release, status_table


def _label(indicator_id: str, catalog: Catalog, lang: str) -> str:
    ind = catalog[indicator_id]
    return f"{ind.zh}({ind.unit})" if lang == "zh" else f"{ind.en} ({ind.unit})"


def _format_value(value: float, indicator_id: str, catalog: Catalog) -> str:
    if pd.isna(value):
        return "—"
    ind = catalog[indicator_id]
    if ind.integer:
        return f"{value:,.0f}"
    if ind.unit == "万元" or indicator_id.endswith("_mu"):
        return f"{value:,.2f}"
    return f"{value:,.1f}"


def key_figures(
    table: pd.DataFrame, year: int, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """Each indicator's value in ``year``, the year before and the change, by section.

    ``table`` has columns year, indicator, value (the township table, or one village's rows).
    """
    catalog = catalog or default_catalog()
    wide = table.pivot_table(index="indicator", columns="year", values="value", aggfunc="first")
    rows = []
    for ind in catalog:
        if ind.id not in wide.index or year not in wide.columns:
            continue
        now = wide.at[ind.id, year]
        before = wide.at[ind.id, year - 1] if year - 1 in wide.columns else float("nan")
        change = now - before
        if pd.isna(change):
            trend = "—"
        elif abs(change) < 1e-9:
            trend = "持平" if lang == "zh" else "unchanged"
        elif lang == "zh":
            trend = (
                f"{'增加' if change > 0 else '减少'}{_format_value(abs(change), ind.id, catalog)}"
            )
        else:
            trend = (
                f"{'up' if change > 0 else 'down'} {_format_value(abs(change), ind.id, catalog)}"
            )
        rows.append(
            {
                ("板块" if lang == "zh" else "Section"): (
                    SECTION_ZH if lang == "zh" else SECTION_EN
                )[ind.category],
                ("指标" if lang == "zh" else "Indicator"): _label(ind.id, catalog, lang),
                f"{year - 1}": _format_value(before, ind.id, catalog),
                f"{year}": _format_value(now, ind.id, catalog),
                ("同比" if lang == "zh" else "Change"): trend,
            }
        )
    return pd.DataFrame(rows)


def village_history(
    tables: Tables, code: str, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """One village's indicators over the years: a row per indicator, a column per year."""
    catalog = catalog or default_catalog()
    rows = tables.indicators[tables.indicators["village_code"] == str(code)]
    wide = rows.pivot_table(index="indicator", columns="year", values="value", aggfunc="first")
    order = [i for i in catalog.ids if i in wide.index]
    shown = pd.DataFrame(
        {
            str(year): [_format_value(wide.at[i, year], i, catalog) for i in order]
            for year in wide.columns
        },
        index=[_label(i, catalog, lang) for i in order],
    )
    shown.index.name = "指标" if lang == "zh" else "Indicator"
    return shown


def village_vs_township(
    tables: Tables, code: str, year: int, *, lang: str = "zh", catalog: Catalog | None = None
) -> pd.DataFrame:
    """The village's figure for ``year`` beside the township's, with its share or difference."""
    catalog = catalog or default_catalog()
    village = tables.indicators[
        (tables.indicators["village_code"] == str(code)) & (tables.indicators["year"] == year)
    ].set_index("indicator")["value"]
    town = tables.township[tables.township["year"] == year].set_index("indicator")["value"]
    rows = []
    for ind in catalog:
        if ind.id not in village.index or ind.id not in town.index:
            continue
        v, t = village[ind.id], town[ind.id]
        if ind.kind == "rate":
            relation = f"{v - t:+.1f} 个百分点" if lang == "zh" else f"{v - t:+.1f} pp"
        else:
            relation = f"{v / t:.0%}" if t else "—"
        rows.append(
            {
                ("指标" if lang == "zh" else "Indicator"): _label(ind.id, catalog, lang),
                ("本村" if lang == "zh" else "Village"): _format_value(v, ind.id, catalog),
                ("全镇" if lang == "zh" else "Township"): _format_value(t, ind.id, catalog),
                ("占全镇/差值" if lang == "zh" else "Share / difference"): relation,
            }
        )
    return pd.DataFrame(rows)


def village_projects(tables: Tables, code: str) -> pd.DataFrame:
    """The village's projects from the project list, with Chinese headers."""
    if tables.projects.empty:
        return pd.DataFrame()
    mine = tables.projects[tables.projects["village_code"] == str(code)]
    return pd.DataFrame(
        {
            "项目名称": mine["project"],
            "批次": mine["batch"],
            "资金(万元)": mine["amount_wan"].map(lambda x: f"{x:,.2f}"),
            "开工": mine["started"].map({True: "是", False: "否"}),
            "竣工": mine["completed"].map({True: "是", False: "否"}),
        }
    ).reset_index(drop=True)


# --- display helpers for the notebooks --------------------------------------------------------


def heading(text: str, level: int = 2):
    """An escaped HTML heading for a notebook output (names never become markup)."""
    return HTML(f"<h{level}>{escape(str(text))}</h{level}>")


def paragraph(text: str):
    """An escaped HTML paragraph."""
    return HTML(f"<p>{escape(str(text))}</p>")


def show(fig, *, dpi: int = 100) -> None:
    """Display a figure as an embedded PNG, once (no-op for None).

    The maps are plain ``Figure`` objects (no pyplot), which IPython would print as text;
    rendering the PNG here also keeps the image identical in every front end. The figures lay
    themselves out, so the image is the figure as it is, not cropped again. A chart grid is
    then handed back to be drawn on again (:func:`analysis.reporting.charts.release`): the
    figure is not to be used after this.
    """
    if fig is None:
        return
    display(Image(data=png_bytes(fig, dpi=dpi), format="png"))
    release(fig)


def png_bytes(fig, *, dpi: int = 100) -> bytes:
    """The figure as PNG at ``dpi``, encoded for a page: RGB where the figure is opaque (a
    quarter fewer bytes to compress than RGBA) at zlib level 3, which here is both faster and
    smaller than the default 6."""
    fig.set_dpi(dpi)
    canvas = PageCanvas(fig)
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    pixels = rgba[..., :3] if rgba[..., 3].min() == 255 else rgba
    buffer = io.BytesIO()
    PIL.Image.fromarray(pixels).save(buffer, format="png", compress_level=3)
    return buffer.getvalue()


def show_table(table: pd.DataFrame) -> None:
    """Display a table as plain escaped HTML, without the row numbers pandas adds."""
    if table.index.name is not None:
        table = table.reset_index()
    display(HTML(table.to_html(index=False, escape=True, border=0, na_rep="—")))


# --- sections of the notebooks ----------------------------------------------------------------


def township_title(tables: Tables, year: int, lang: str = "zh") -> str:
    town = (
        str(tables.villages["town_name"].iloc[0])
        if "town_name" in tables.villages.columns and len(tables.villages)
        else config.SAMPLE_TOWN_NAME
    )
    return f"{town}{year}年民生工作总览" if lang == "zh" else f"{town}: livelihood overview {year}"


def village_title(village: pd.Series, year: int, lang: str = "zh") -> str:
    name = village["name"]
    return f"{name} {year}年民生工作报告" if lang == "zh" else f"{name}: livelihood report {year}"


def validation_overview(result) -> pd.DataFrame:
    """Per file and sheet: rows read, accepted, quarantined, structural, and whether they add up."""
    rows = [
        {
            "文件 File": f["file"],
            "工作表 Sheet": f.get("sheet", ""),
            "读取 Read": f["rows_read"],
            "接受 Accepted": f["rows_accepted"],
            "隔离 Quarantined": f["rows_quarantined"],
            "结构行 Structural": f["rows_structural"],
            "核对 Adds up": "✓" if f["check"] else "✗",
        }
        for f in result.summary["files"]
        if f.get("kind") != "documentation"
    ]
    return pd.DataFrame(rows)


def quarantine_table(result, limit: int = 200) -> pd.DataFrame:
    """The quarantined rows with the Chinese message a clerk acts on (first ``limit``)."""
    q = result.quarantine
    if q.empty:
        return pd.DataFrame({"结果 Result": ["没有被隔离的行 / nothing was quarantined"]})
    # Errors first: they were not ingested; warnings were, but deserve a look.
    shown = q.sort_values("severity", key=lambda s: s.ne("error"), kind="stable")
    shown = shown[["severity", "file", "sheet", "row", "column", "value", "rule", "message_zh"]]
    return shown.head(limit).rename(
        columns={
            "severity": "级别",
            "file": "文件",
            "sheet": "工作表",
            "row": "行",
            "column": "列",
            "value": "值",
            "rule": "规则",
            "message_zh": "说明",
        }
    )


def target_table(tables: Tables, scope: str) -> pd.DataFrame:
    """The target status table of one scope ('township' or a village code), Chinese headers.

    For a village, its own targets and its projections of the township-scoped indicators.
    """
    rows = _scope_rows(tables.projections, str(scope))
    if rows.empty:
        return pd.DataFrame()
    names = dict(zip(tables.villages["code"], tables.villages["short_name"], strict=True))
    return status_table(rows.reset_index(drop=True), names)


def _scope_rows(projections: pd.DataFrame, scope: str) -> pd.DataFrame:
    """The projection rows shown for a scope: the targets for 'township', else the rows whose
    scope includes the village (its own projections and multi-village targets)."""
    if projections.empty:
        return projections
    if scope == "township":
        return projections[projections["row_type"] == "target"]
    includes = projections["scope"].astype(str).str.split(";").map(lambda codes: scope in codes)
    return projections[includes]


def reconciliation_table(tables: Tables) -> pd.DataFrame:
    """Published figures against the data, differences first; Chinese headers."""
    r = tables.reconciliation
    if r.empty:
        return pd.DataFrame(
            {"结果 Result": ["没有可核对的公布数据 / no published figures to check"]}
        )
    catalog = default_catalog()
    shown = r.assign(
        indicator=r["indicator"].map(lambda i: catalog[i].zh if i in catalog else i),
        status=r["status"]
        .map({"match": "一致", "differs": "不一致", "no data": "无数据"})
        .fillna(r["status"]),
    ).sort_values(
        ["status", "fact_id"],
        key=lambda s: (
            s.map({"不一致": 0, "无数据": 1, "一致": 2}).fillna(s) if s.name == "status" else s
        ),
    )
    return (
        shown[
            [
                "fact_id",
                "scope",
                "indicator",
                "unit",
                "published",
                "computed",
                "difference",
                "status",
                "quote",
            ]
        ]
        .rename(
            columns={
                "fact_id": "编号",
                "scope": "范围",
                "indicator": "指标",
                "unit": "单位",
                "published": "公布值",
                "computed": "计算值",
                "difference": "差值",
                "status": "核对",
                "quote": "原文",
            }
        )
        .reset_index(drop=True)
    )


def show_summary(tables: Tables, year: int, *, lang: str = "zh") -> None:
    """The written township summary (analysis.reporting.narrative), as escaped HTML."""
    display(HTML(narrative.summary(year, tables, lang=lang).to_html()))


def show_village_paragraph(tables: Tables, code: str, year: int, *, lang: str = "zh") -> None:
    display(paragraph(narrative.village_paragraph(code, year, tables, lang=lang)))
