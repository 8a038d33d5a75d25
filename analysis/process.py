"""Processed tables: village values, township aggregates, reconciliation, the officials' workbook.

:func:`prepare` is the one entry point (``minsheng prepare RAW OUT`` and ``01_prepare.ipynb``):
it validates the raw files (:mod:`analysis.validate`) and writes every table into the processed
folder, atomically and byte-for-byte the same on every run (fixed row order, no timestamps in
Parquet, GeoPackage or xlsx).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import config
from analysis.catalog import Catalog, default_catalog
from analysis.ingest import Registry, decimals_of, unit_factor
from analysis.iorw import atomic_path, atomic_write_bytes, atomic_write_text, atomic_write_with
from analysis.validate import PROBLEM_COLUMNS, ValidationResult, validate

#: Stamp written into the xlsx and GeoPackage metadata instead of "now".
FIXED_TIMESTAMP = dt.datetime(2020, 1, 1, 0, 0, 0)
RECONCILIATION_COLUMNS = [
    "fact_id",
    "scope",
    "scope_code",
    "year",
    "indicator",
    "unit",
    "published",
    "computed",
    "difference",
    "tolerance",
    "status",
    "quote",
]


@dataclass
class PrepareResult:
    """What :func:`prepare` wrote and found."""

    summary: dict
    quarantine: pd.DataFrame  # every problem (PROBLEM_COLUMNS), errors first
    paths: dict[str, Path]  # output name → file
    validation: ValidationResult

    @property
    def ok(self) -> bool:
        """True when no row or value was rejected and every file's rows add up."""
        return bool(self.summary["ok"])


# --- aggregation and reconciliation --------------------------------------------------------------


def aggregate_township(
    indicators: pd.DataFrame,
    catalog: Catalog | None = None,
    *,
    by: Sequence[str] = ("year",),
    weights: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Township (or county) figures per year, by each indicator's catalog rule.

    Sums add the villages; rates are means weighted by the indicator the catalog names
    (population or households) over the villages that have both the rate and a positive weight
    for that year — never an unweighted mean; ``max`` takes the largest village value.

    Parameters
    ----------
    indicators
        Tidy village values: ``village_code``, ``year``, ``indicator``, ``value`` and the
        columns named in ``by``.
    catalog
        Indicator catalog; default the package's.
    by
        Grouping columns besides ``indicator`` (must include ``year``).
    weights
        Where the weights (population, households) are looked up, by village and year;
        default ``indicators`` itself.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``indicator`` (str), ``value`` (float64) and ``villages`` (int64, how
        many villages contributed), sorted by ``by`` and catalog order.
    """
    catalog = catalog or default_catalog()
    keys = [*by, "indicator"]
    rules = {ind.id: ind.aggregate for ind in catalog}
    kind = indicators["indicator"].map(rules)
    frames = []
    for how in ("sum", "max"):
        part = indicators[kind == how].groupby(keys)["value"]
        frames.append(
            pd.DataFrame({"value": getattr(part, how)(), "villages": part.count()}).reset_index()
        )
    rates = indicators[kind == "weighted_mean"]
    if not rates.empty:
        weight_of = {ind.id: ind.weight for ind in catalog if ind.weight}
        source = indicators if weights is None else weights
        table = source[["village_code", "year", "indicator", "value"]].rename(
            columns={"indicator": "weight_id", "value": "weight"}
        )
        joined = rates.assign(weight_id=rates["indicator"].map(weight_of)).merge(
            table, on=["village_code", "year", "weight_id"], how="inner"
        )
        joined = joined[joined["weight"] > 0]
        grouped = joined.assign(product=joined["value"] * joined["weight"]).groupby(keys)
        frames.append(
            pd.DataFrame(
                {
                    "value": grouped["product"].sum() / grouped["weight"].sum(),
                    "villages": grouped["value"].count(),
                }
            ).reset_index()
        )
    out = pd.concat(frames, ignore_index=True)
    order = {ind_id: i for i, ind_id in enumerate(catalog.ids)}
    out = out.assign(_order=out["indicator"].map(order)).sort_values([*by, "_order"], kind="stable")
    return (
        out.drop(columns="_order")
        .reset_index(drop=True)
        .astype({"year": "int64", "indicator": str, "value": "float64", "villages": "int64"})
    )


def _split(text: str, n: int | None = None) -> list[str]:
    parts = [p.strip() for p in str(text).split(";")]
    return parts if n is None or len(parts) == n else [str(text).strip()] * n


def published_precision(facts: pd.DataFrame) -> pd.Series:
    """Half a unit of the last decimal each fact is written with, refined within the document.

    A figure written ``86`` is known to ±0.5, ``335.26`` to ±0.005. When the same document
    states the same quantity (scope, indicator, year) more precisely elsewhere, the document
    knows it to that precision, so the coarser statement is held to it too: "118 亩" beside
    "118.35 亩" for one base is a disagreement to show, not a rounding to hide.
    """
    decimals = facts["published_text"].map(decimals_of)
    finest = decimals.groupby([facts["scope_code"], facts["indicator"], facts["year"]]).transform(
        "max"
    )
    return 0.5 * 10.0 ** (-finest.astype(float))


def reconcile(
    published: pd.DataFrame,
    indicators: pd.DataFrame,
    township: pd.DataFrame,
    catalog: Catalog | None = None,
) -> pd.DataFrame:
    """Published township figures against the figures computed from the village data.

    Facts of kind ``actual`` with an ``indicator_id`` are compared; a fact with several values
    (``"19;118.35"``, units ``"栋;亩"``, ids ``"a;b"``) becomes one row per value. Township facts
    are compared with the township aggregate, village facts (``scope_code`` a village code, or
    several joined by ``;``) with the sum of those villages' values.

    Parameters
    ----------
    published
        ``published_figures.csv`` as text columns.
    indicators
        Tidy village values.
    township
        Output of :func:`aggregate_township`.
    catalog
        Indicator catalog; default the package's.

    Returns
    -------
    pandas.DataFrame
        RECONCILIATION_COLUMNS. ``status`` is ``match`` when the computed value lies within
        the published precision (``published − tol ≤ computed < published + tol``, see
        :func:`published_precision`), ``differs`` otherwise, ``no data`` when nothing was
        computed.
    """
    catalog = catalog or default_catalog()
    facts = published[
        (published["kind"] == "actual") & (published["indicator_id"].str.strip() != "")
    ]
    records = []
    for fact in facts.itertuples(index=False):
        ids = _split(fact.indicator_id)
        values = _split(fact.value, len(ids))
        units = _split(fact.unit, len(ids))
        for ind_id, text, unit in zip(ids, values, units, strict=True):
            if ind_id not in catalog:
                continue
            factor = unit_factor(unit, catalog[ind_id].unit) or 1.0
            records.append(
                {
                    "fact_id": fact.fact_id,
                    "scope": fact.scope,
                    "scope_code": (getattr(fact, "scope_code", "") or "township").strip(),
                    "year": int(float(fact.year)),
                    "indicator": ind_id,
                    "unit": catalog[ind_id].unit,
                    "published_text": text,
                    "published": float(text) * factor,
                    "factor": factor,
                    "quote": fact.quote,
                }
            )
    if not records:
        return pd.DataFrame(columns=RECONCILIATION_COLUMNS)
    table = pd.DataFrame(records)
    table["tolerance"] = published_precision(table) * table["factor"]
    town = township.set_index(["year", "indicator"])["value"]
    village = indicators.set_index(["village_code", "year", "indicator"])["value"]
    computed = []
    for row in table.itertuples(index=False):
        if row.scope_code == "township":
            computed.append(town.get((row.year, row.indicator), np.nan))
        else:
            parts = [
                village.get((code, row.year, row.indicator), np.nan)
                for code in row.scope_code.split(";")
            ]
            computed.append(np.nan if any(pd.isna(parts)) else float(sum(parts)))
    table["computed"] = computed
    table["difference"] = table["computed"] - table["published"]
    table["status"] = [
        "no data" if pd.isna(c) else "match" if _within(c, p, t) else "differs"
        for c, p, t in zip(table["computed"], table["published"], table["tolerance"], strict=True)
    ]
    return table[RECONCILIATION_COLUMNS].reset_index(drop=True)


def _within(computed: float, published: float, tolerance: float) -> bool:
    """``published − tol ≤ computed < published + tol`` in decimal, free of binary float noise."""
    value = Decimal(repr(round(float(computed), 9)))
    centre, tol = Decimal(repr(round(published, 9))), Decimal(repr(round(tolerance, 12)))
    return centre - tol <= value < centre + tol


# --- writing -------------------------------------------------------------------------------------


def write_parquet(df: pd.DataFrame, path: Path) -> Path:
    """Parquet without the index and without anything that changes from run to run."""
    table = pa.Table.from_pandas(df.reset_index(drop=True), preserve_index=False)
    return atomic_write_with(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def write_csv_bom(df: pd.DataFrame, path: Path) -> Path:
    """UTF-8 with BOM, so Excel on a Chinese Windows PC opens it without mojibake."""
    return atomic_write_bytes(path, df.to_csv(index=False, lineterminator="\n").encode("utf-8-sig"))


def write_gpkg(gdf, path: Path, layer: str) -> Path:
    """A GeoPackage layer in EPSG:4490, with GDAL's "last change" stamp fixed for determinism."""
    import pyogrio

    data = gdf.to_crs(config.STORAGE_CRS).reset_index(drop=True)
    previous = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options(
        {"OGR_CURRENT_DATE": FIXED_TIMESTAMP.strftime("%Y-%m-%dT%H:%M:%SZ")}
    )
    try:
        with atomic_path(path) as tmp:
            tmp.unlink()  # GDAL refuses to create a GeoPackage over an existing (empty) file
            data.to_file(tmp, driver="GPKG", layer=layer, engine="pyogrio")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": previous})
    return path


_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")


def _normalised_zip(data: bytes) -> bytes:
    """Rewrite a zip (xlsx) with fixed timestamps.

    openpyxl stamps every zip entry, and ``docProps/core.xml``'s modified date, with "now"
    whatever ``wb.properties`` says.
    """
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
            dst.writestr(info, content)
    return out.getvalue()


def save_workbook(wb, path: Path) -> Path:
    """Save an openpyxl workbook atomically, byte-for-byte reproducible."""
    wb.properties.created = FIXED_TIMESTAMP
    wb.properties.modified = FIXED_TIMESTAMP
    wb.properties.creator = "minsheng"
    buffer = io.BytesIO()
    wb.save(buffer)
    return atomic_write_bytes(path, _normalised_zip(buffer.getvalue()))


def _sheet(wb, title: str, frame: pd.DataFrame) -> None:
    """One write-only sheet: header row frozen, values as plain cells (missing left empty)."""
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    ws.append([str(c) for c in frame.columns])
    cells = frame.astype(object)
    for record in cells.where(cells.notna(), None).to_numpy().tolist():
        ws.append(record)


def write_workbook(
    path: Path,
    indicators: pd.DataFrame,
    township: pd.DataFrame,
    villages: pd.DataFrame,
    targets: pd.DataFrame,
    projects: pd.DataFrame,
    reconciliation: pd.DataFrame,
    quarantine: pd.DataFrame,
    catalog: Catalog,
) -> Path:
    """``livelihood.xlsx`` for officials: Chinese headers with units, one sheet per table."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    names = villages.set_index("code")["short_name"]
    labels = {ind.id: ind.label_zh for ind in catalog}
    present = set(indicators["indicator"].unique())
    order = [i for i in catalog.ids if i in present]
    wide = indicators.pivot(index=["village_code", "year"], columns="indicator", values="value")
    wide = wide.reindex(columns=order).reset_index()
    wide.insert(1, "村（居）名称", wide["village_code"].map(names))
    wide = wide.rename(columns={"village_code": "村代码", "year": "年度", **labels})
    _sheet(wb, "村级指标", wide)
    town = township.pivot(index="year", columns="indicator", values="value").reindex(columns=order)
    _sheet(wb, "全镇汇总", town.reset_index().rename(columns={"year": "年度", **labels}))
    _sheet(
        wb,
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
    )
    _sheet(
        wb,
        "与公布数核对",
        reconciliation.assign(indicator=reconciliation["indicator"].map(zh)).rename(
            columns={
                "fact_id": "编号",
                "scope": "范围",
                "scope_code": "范围代码",
                "year": "年度",
                "indicator": "指标",
                "unit": "单位",
                "published": "公布数",
                "computed": "计算数",
                "difference": "差额",
                "tolerance": "容差",
                "status": "状态",
                "quote": "原文",
            }
        ),
    )
    _sheet(
        wb,
        "问题清单",
        quarantine.rename(
            columns={
                "file": "文件",
                "sheet": "工作表",
                "row": "行",
                "column": "列",
                "value": "填写内容",
                "rule": "规则",
                "severity": "级别",
                "message_zh": "说明",
                "message_en": "说明(英文)",
            }
        ),
    )
    return save_workbook(wb, path)


def villages_table(registry: Registry) -> pd.DataFrame:
    """The registry as ``villages.parquet``: code, name, short_name, kind, town_code, town_name."""
    return registry.table.sort_values("code", kind="stable").reset_index(drop=True).astype(str)


def prepare(
    raw_dir: Path | str,
    processed_dir: Path | str,
    *,
    registry: Path | str | Registry | None = None,
    catalog: Catalog | None = None,
) -> PrepareResult:
    """Validate the raw data and write every processed table.

    Parameters
    ----------
    raw_dir
        The raw folder (``data/raw``) or a single village-year ``.xlsx``/``.csv``.
    processed_dir
        Output folder; created if needed. Files are replaced atomically.
    registry
        Village registry; default ``raw_dir/villages.csv`` (the project's for a single file).
    catalog
        Indicator catalog; default the package's.

    Returns
    -------
    PrepareResult
        ``summary`` (also ``summary.json``), ``quarantine`` (also ``quarantine.csv``), ``paths``
        (output name → path) and ``ok``.
    """
    catalog = catalog or default_catalog()
    out = Path(processed_dir)
    out.mkdir(parents=True, exist_ok=True)
    result = validate(raw_dir, registry=registry, catalog=catalog)
    indicators = result.values
    township = aggregate_township(indicators, catalog)
    villages = villages_table(result.registry)
    reconciliation = (
        reconcile(result.published, indicators, township, catalog)
        if result.published is not None
        else pd.DataFrame(columns=RECONCILIATION_COLUMNS)
    )
    quarantine = result.problems[PROBLEM_COLUMNS]
    paths: dict[str, Path] = {
        "indicators": write_parquet(indicators, out / "indicators.parquet"),
        "villages": write_parquet(villages, out / "villages.parquet"),
        "township": write_parquet(township, out / "township.parquet"),
        "targets": write_parquet(result.targets, out / "targets.parquet"),
        "projects": write_parquet(result.projects, out / "projects.parquet"),
        "reconciliation": write_csv_bom(reconciliation, out / "reconciliation.csv"),
        "quarantine": write_csv_bom(quarantine, out / "quarantine.csv"),
    }
    layers = dict(result.layers)
    boundaries = layers.pop("villages", None)
    if boundaries is not None and "code" in boundaries.columns:
        shapes = boundaries[["code", "geometry"]].drop_duplicates("code")
        joined = shapes.merge(villages, on="code", how="inner")[[*villages.columns, "geometry"]]
        paths["villages_gpkg"] = write_gpkg(
            joined.sort_values("code"), out / "villages.gpkg", "villages"
        )
    for name, gdf in sorted(layers.items()):
        paths[f"layer:{name}"] = write_gpkg(gdf, out / "layers" / f"{name}.gpkg", name)
    _remove_stale(out, paths)
    paths["livelihood_xlsx"] = write_workbook(
        out / "livelihood.xlsx",
        indicators,
        township,
        villages,
        result.targets,
        result.projects,
        reconciliation,
        quarantine,
        catalog,
    )
    summary = dict(result.summary)
    summary["outputs"] = {
        name: path.relative_to(out).as_posix() for name, path in sorted(paths.items())
    }
    paths["summary"] = atomic_write_text(
        out / "summary.json",
        json.dumps(summary, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
    )
    return PrepareResult(summary=summary, quarantine=quarantine, paths=paths, validation=result)


def _remove_stale(out: Path, written: dict[str, Path]) -> None:
    """Drop layers a previous run wrote that this run did not (their source is gone)."""
    keep = {p.resolve() for p in written.values()}
    candidates = [out / "villages.gpkg", *sorted((out / "layers").glob("*.gpkg"))]
    for path in candidates:
        if path.exists() and path.resolve() not in keep:
            path.unlink()


def cmd_prepare(args: argparse.Namespace) -> int:
    """``minsheng prepare RAW OUT [--registry PATH]``: exit 1 when anything was rejected."""
    result = prepare(args.raw, args.out, registry=args.registry)
    totals = result.summary["totals"]
    counts = result.summary["problems"]
    print(
        f"读入 {totals['rows_read']} 行：接受 {totals['rows_accepted']}，隔离 {totals['rows_quarantined']}，"
        f"结构行 {totals['rows_structural']}；错误 {counts['error']} 条，提示 {counts['warning']} 条"
    )
    print(
        f"rows read {totals['rows_read']}: accepted {totals['rows_accepted']}, quarantined "
        f"{totals['rows_quarantined']}, structural {totals['rows_structural']}; "
        f"{counts['error']} errors, {counts['warning']} warnings"
    )
    print(f"输出 written to {Path(args.out)}")
    if counts["error"] or counts["warning"]:
        print(f"问题清单 problems: {result.paths['quarantine']}")
    return 0 if result.ok else 1
