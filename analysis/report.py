"""What the report notebooks show: loading the processed tables and shaping them for display.

Notebooks stay thin (parameters, then a call per section); everything they display is built
here, so it can be tested without running a notebook.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis import config
from analysis.catalog import Catalog, default_catalog

SECTION_ZH = {
    "base": "基本情况",
    "poverty": "脱贫攻坚",
    "social_security": "社会保障",
    "environment": "人居环境",
    "industry": "产业发展",
}
SECTION_EN = {
    "base": "Population",
    "poverty": "Poverty alleviation",
    "social_security": "Social security",
    "environment": "Living environment",
    "industry": "Industry",
}


@dataclass
class Tables:
    """The processed tables a report reads (see DESIGN.md, data/processed/)."""

    processed_dir: Path
    indicators: pd.DataFrame
    township: pd.DataFrame
    villages: gpd.GeoDataFrame | pd.DataFrame
    targets: pd.DataFrame
    projections: pd.DataFrame
    projects: pd.DataFrame
    reconciliation: pd.DataFrame
    summary: dict
    sample: bool

    def village(self, code: str) -> pd.Series:
        """The registry row of one village; a clear error for an unknown code."""
        match = self.villages[self.villages["code"] == str(code)]
        if match.empty:
            known = ", ".join(
                f"{c} {n}"
                for c, n in zip(self.villages["code"], self.villages["name"], strict=True)
            )
            raise KeyError(
                f"村代码 {code} 不在村名录中 / village code {code} is not in the registry. Known: {known}"
            )
        return match.iloc[0]

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        path = self.processed_dir / "layers" / f"{name}.gpkg"
        return gpd.read_file(path) if path.exists() else None


def _read_optional(path: Path, reader) -> pd.DataFrame:
    return reader(path) if path.exists() else pd.DataFrame()


def load_tables(
    processed_dir: Path | str | None = None, raw_dir: Path | str | None = None
) -> Tables:
    """Read the processed tables, preparing them from ``raw_dir`` first when missing or stale.

    Parameters
    ----------
    processed_dir
        Folder of processed tables; defaults to the project's ``data/processed``.
    raw_dir
        Raw data the tables come from; defaults to the project's ``data/raw``.
    """
    from analysis.runner import ensure_processed

    processed = Path(processed_dir or config.PROCESSED_DIR)
    raw = Path(raw_dir or config.RAW_DIR)
    ensure_processed(raw, processed)
    gpkg = processed / "villages.gpkg"
    villages = (
        gpd.read_file(gpkg) if gpkg.exists() else pd.read_parquet(processed / "villages.parquet")
    )
    summary_path = processed / "summary.json"
    return Tables(
        processed_dir=processed,
        indicators=pd.read_parquet(processed / "indicators.parquet"),
        township=pd.read_parquet(processed / "township.parquet"),
        villages=villages,
        targets=_read_optional(processed / "targets.parquet", pd.read_parquet),
        projections=_read_optional(processed / "projections.parquet", pd.read_parquet),
        projects=_read_optional(processed / "projects.parquet", pd.read_parquet),
        reconciliation=_read_optional(processed / "reconciliation.csv", pd.read_csv),
        summary=json.loads(summary_path.read_text(encoding="utf-8"))
        if summary_path.exists()
        else {},
        sample=(raw / config.SAMPLE_MARKER_FILE).exists(),
    )


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


#: Key figures shown for each village on the index page.
INDEX_INDICATORS = (
    "population",
    "poor_households_remaining",
    "medical_insurance_rate",
    "sanitary_toilet_rate",
)


def target_status_texts(projections: pd.DataFrame) -> dict[str, str]:
    """Scope → '有望达成 2 · 需加速 1': the statuses of the targets assessed for each scope."""
    if projections.empty or "status_zh" not in projections.columns:
        return {}
    counts = projections.groupby([projections["scope"].astype(str), "status_zh"], sort=False).size()
    texts: dict[str, list[str]] = {}
    for (scope, status), n in counts.sort_values(ascending=False, kind="stable").items():
        texts.setdefault(scope, []).append(f"{status} {n}")
    return {scope: " · ".join(parts) for scope, parts in texts.items()}


def index_entries(processed_dir: Path | str, year: int, results) -> tuple[list, list[str]]:
    """Index rows (one per village page) with key figures and target status; and the columns."""
    from analysis.publish import IndexEntry

    catalog = default_catalog()
    processed = Path(processed_dir)
    registry = pd.read_parquet(processed / "villages.parquet").set_index("code")
    indicators = pd.read_parquet(processed / "indicators.parquet")
    projections_path = processed / "projections.parquet"
    projections = pd.read_parquet(projections_path) if projections_path.exists() else pd.DataFrame()
    now = indicators[indicators["year"] == year].pivot_table(
        index="village_code", columns="indicator", values="value", aggfunc="first"
    )
    columns = [_label(i, catalog, "zh") for i in INDEX_INDICATORS]
    statuses = target_status_texts(projections)
    entries = []
    for result in results:
        if result.key == "township":
            continue
        figures, sort_values = {}, {}
        for ind_id, column in zip(INDEX_INDICATORS, columns, strict=True):
            value = (
                now.at[result.key, ind_id]
                if (result.key in now.index and ind_id in now.columns)
                else float("nan")
            )
            figures[column] = _format_value(value, ind_id, catalog)
            sort_values[column] = float(value)
        entries.append(
            IndexEntry(
                code=result.key,
                name=str(registry.at[result.key, "name"])
                if result.key in registry.index
                else result.key,
                href=result.html,
                ok=result.ok,
                figures=figures,
                sort_values=sort_values,
                status=statuses.get(result.key, ""),
                error=result.error,
            )
        )
    return entries, columns


# --- display helpers for the notebooks --------------------------------------------------------


def heading(text: str, level: int = 2):
    """An escaped HTML heading for a notebook output (names never become markup)."""
    from html import escape

    from IPython.display import HTML

    return HTML(f"<h{level}>{escape(str(text))}</h{level}>")


def paragraph(text: str):
    """An escaped HTML paragraph."""
    from html import escape

    from IPython.display import HTML

    return HTML(f"<p>{escape(str(text))}</p>")


def show(fig, *, dpi: int = 100) -> None:
    """Display a figure as an embedded PNG, once, and release it (no-op for None).

    The maps are plain ``Figure`` objects (no pyplot), which IPython would print as text;
    rendering the PNG here also keeps the image identical in every front end.
    """
    import io

    from IPython.display import Image, display

    if fig is None:
        return
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    display(Image(data=buffer.getvalue(), format="png"))
    fig.clear()


def show_table(table: pd.DataFrame) -> None:
    """Display a table as plain escaped HTML, without the row numbers pandas adds."""
    from IPython.display import HTML, display

    if table.index.name is not None:
        table = table.reset_index()
    display(HTML(table.to_html(index=False, escape=True, border=0, na_rep="—")))


def source_line(tables: Tables) -> str:
    return "来源：各村年度报表汇总" + ("（示例数据）" if tables.sample else "")


def corridor_figure(tables: Tables, *, width_km: float = 2.0):
    """The G357 corridor map of the township, or None where the layers are missing."""
    from analysis import maps

    road, bases = tables.layer("g357"), tables.layer("industry_bases")
    if road is None or bases is None or not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    return maps.corridor_map(
        tables.villages,
        road,
        bases,
        width_km=width_km,
        label_column="short_name",
        source=source_line(tables),
        sample=tables.sample,
    )


def toilets_per_100_households(tables: Tables, year: int) -> pd.Series:
    """Household toilets upgraded up to ``year`` per 100 households, by village code."""
    rows = tables.indicators[tables.indicators["year"] <= year]
    upgraded = rows[rows["indicator"] == "toilets_upgraded"].groupby("village_code")["value"].sum()
    households = rows[(rows["indicator"] == "households") & (rows["year"] == year)].set_index(
        "village_code"
    )["value"]
    return (upgraded / households * 100).rename("toilets_per_100")


#: Fixed classes (upper bounds) for household toilets upgraded since the first year per 100
#: households: the same legend every year, so maps of two years compare at a glance.
TOILET_CLASSES_PER_100 = (2.0, 4.0, 6.0, 8.0, 100.0)


def sanitation_figure(tables: Tables, year: int):
    """Toilets upgraded per 100 households (fixed classes) with public toilets and sewage sites."""
    from analysis import maps

    points = tables.layer("sanitation_points")
    if points is None or not isinstance(tables.villages, gpd.GeoDataFrame):
        return None
    villages = tables.villages.merge(
        toilets_per_100_households(tables, year), left_on="code", right_index=True, how="left"
    )
    return maps.sanitation_map(
        villages,
        "toilets_per_100",
        points,
        bins=TOILET_CLASSES_PER_100,
        title=f"{year}年卫生厕所改造与污水处理设施",
        legend_title="累计改厕",
        label_column="short_name",
        source=source_line(tables),
        sample=tables.sample,
    )


#: Beyond this many villages the locator shows the village's own town, not the whole layer:
#: 300 labelled villages are unreadable at page size and cost seconds to draw.
LOCATOR_MAX_VILLAGES = 40


def locator_figure(tables: Tables, code: str):
    """The village highlighted among its neighbours (its town, in a large county)."""
    from analysis import maps

    villages = tables.villages
    if not isinstance(villages, gpd.GeoDataFrame):
        return None
    if len(villages) > LOCATOR_MAX_VILLAGES and "town_code" in villages.columns:
        town = villages.loc[villages["code"] == str(code), "town_code"]
        villages = villages[villages["town_code"].isin(town)]
    return maps.locator_map(villages, str(code), label_column="short_name", sample=tables.sample)


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
    from analysis.charts import status_table

    rows = _scope_rows(tables.projections, str(scope))
    if rows.empty:
        return pd.DataFrame()
    names = dict(zip(tables.villages["code"], tables.villages["short_name"], strict=True))
    return status_table(rows.reset_index(drop=True), names)


def _series(tables: Tables, scope: str, indicator: str) -> pd.Series:
    """The yearly series a projection was made from: township aggregate or village(s)."""
    if scope == "township":
        rows = tables.township[tables.township["indicator"] == indicator]
        return rows.set_index("year")["value"].sort_index()
    from analysis.trends import township_series

    codes = str(scope).split(";")
    rows = tables.indicators[tables.indicators["village_code"].isin(codes)]
    if len(codes) == 1:
        chosen = rows[rows["indicator"] == indicator]
        return chosen.set_index("year")["value"].sort_index()
    combined = township_series(rows, default_catalog())
    return combined[combined["indicator"] == indicator].set_index("year")["value"].sort_index()


def target_figure(tables: Tables, scope: str, *, columns: int = 2):
    """Fan charts (history, projection with interval, target) for the scope's targets, as one
    grid figure: one image per page section, drawn and encoded once."""
    from matplotlib.figure import Figure

    from analysis import charts, trends
    from analysis.style import use_house_style

    catalog = default_catalog()
    rows = _scope_rows(tables.projections, scope)
    # Charts for the targets only; projections without a target stay in the table.
    rows = rows[rows["target"].notna()] if not rows.empty else rows
    if rows.empty:
        return None
    use_house_style()
    count = len(rows)
    grid_rows = -(-count // columns)
    figure = Figure(figsize=(5.2 * columns, 3.9 * grid_rows), layout="constrained")
    axes = figure.subplots(grid_rows, columns, squeeze=False).ravel()
    for ax, row in zip(axes, rows.itertuples(), strict=False):
        ind = catalog[row.indicator]
        series = _series(tables, str(row.scope), row.indicator)
        if pd.isna(row.target):
            result = trends.project(series, int(row.target_year), kind=ind.kind, bounds=ind.bounds)
        else:
            result = trends.assess(
                series,
                float(row.target),
                int(row.target_year),
                base_year=None if pd.isna(row.base_year) else int(row.base_year),
                direction=ind.direction,
                kind=ind.kind,
                bounds=ind.bounds,
            )
        charts.fan_chart(
            series,
            result,
            title=ind.zh,
            unit=ind.unit,
            ax=ax,
            sample=tables.sample,
            source=source_line(tables),
        )
    for ax in axes[count:]:
        ax.set_visible(False)
    return figure


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
    """The written township summary (analysis.narrative), as escaped HTML."""
    from IPython.display import HTML, display

    from analysis import narrative

    display(HTML(narrative.summary(year, tables, lang=lang).to_html()))


def show_village_paragraph(tables: Tables, code: str, year: int, *, lang: str = "zh") -> None:
    from IPython.display import display

    from analysis import narrative

    display(paragraph(narrative.village_paragraph(code, year, tables, lang=lang)))
