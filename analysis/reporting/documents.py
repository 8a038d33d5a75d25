"""What a build writes besides the notebook pages: the index, the Word summary, the print maps."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pandas as pd

from analysis.core.catalog import default_catalog
from analysis.geo import maps
from analysis.pipeline import store
from analysis.pipeline.store import load_tables
from analysis.reporting import figures, narrative, publish
from analysis.reporting.sections import _format_value, _label

SUMMARY_DOCX = "summary.docx"
MAPS_DIR = "maps"  # print versions (PDF, SVG) of the township maps


class PageOutcome(Protocol):
    """What the index needs to know of each built page (the build's job results)."""

    key: str
    html: str
    ok: bool
    error: str


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


def index_entries(
    processed_dir: Path | str, year: int, results: Sequence[PageOutcome]
) -> tuple[list[publish.IndexEntry], list[str]]:
    """Index rows (one per village page) with key figures and target status; and the columns."""
    catalog = default_catalog()
    registry = pd.read_parquet(store.path_of(processed_dir, "villages")).set_index("code")
    indicators = pd.read_parquet(store.path_of(processed_dir, "indicators"))
    projections_path = store.path_of(processed_dir, "projections")
    projections = pd.read_parquet(projections_path) if projections_path.exists() else pd.DataFrame()
    now = indicators[indicators["year"] == year].pivot_table(
        index="village_code", columns="indicator", values="value", aggfunc="first"
    )
    columns = [_label(i, catalog, "zh") for i in INDEX_INDICATORS]
    statuses = target_status_texts(projections)
    entries = []
    for result in results:
        if result.key == "township" or result.key not in registry.index:
            continue
        shown, sort_values = {}, {}
        for ind_id, column in zip(INDEX_INDICATORS, columns, strict=True):
            value = (
                now.at[result.key, ind_id]
                if (result.key in now.index and ind_id in now.columns)
                else float("nan")
            )
            shown[column] = _format_value(value, ind_id, catalog)
            sort_values[column] = float(value)
        entries.append(
            publish.IndexEntry(
                code=result.key,
                name=str(registry.at[result.key, "name"]),
                href=result.html,
                ok=result.ok,
                figures=shown,
                sort_values=sort_values,
                status=statuses.get(result.key, ""),
                error=result.error,
            )
        )
    return entries, columns


def township_documents_exist(year_dir: Path) -> bool:
    return (year_dir / SUMMARY_DOCX).exists() and (year_dir / MAPS_DIR).exists()


def write_township_documents(
    processed_dir: Path, year_dir: Path, year: int, lang: str
) -> list[Path]:
    """What an office passes on besides the pages: the summary as Word and the township maps
    as PDF and SVG for print."""
    tables = load_tables(processed_dir)
    written = [narrative.write_docx(year_dir / SUMMARY_DOCX, year, tables, lang=lang)]
    for name, figure in (
        ("corridor", figures.corridor_figure(tables)),
        ("sanitation", figures.sanitation_figure(tables, year)),
    ):
        if figure is None:
            continue
        for suffix in (".pdf", ".svg"):
            written.append(maps.save_figure(figure, year_dir / MAPS_DIR / f"{name}{suffix}"))
    return written


def write_index(
    processed_dir: Path,
    year_dir: Path,
    year: int,
    results: Sequence[PageOutcome],
    sample: bool,
    accepted_errors: int = 0,
) -> Path:
    """Write ``index.html`` from the processed tables and the pages' outcomes."""
    entries, columns = index_entries(processed_dir, year, results)
    provenance = publish.Provenance(
        data_fingerprint=store.fingerprint_dir(processed_dir),
        parameters={"year": year},
        sample=sample,
        accepted_errors=accepted_errors,
    )
    html = publish.index_page(
        f"{year}年民生工作报告目录",
        entries,
        provenance,
        township_ok=all(r.ok for r in results if r.key == "township"),
        figure_columns=columns,
        extra_links=[
            ("工作总结（Word） Summary (.docx)", SUMMARY_DOCX),
            ("产业走廊图（PDF，印刷用） Corridor map for print", f"{MAPS_DIR}/corridor.pdf"),
            ("卫生设施图（PDF，印刷用） Sanitation map for print", f"{MAPS_DIR}/sanitation.pdf"),
        ],
    )
    return publish.write_page(year_dir / "index.html", html)
