"""What a build writes besides the notebook pages: the index and the downloads (the Word summary
and the print maps are :mod:`analysis.reporting.print_documents`'s).

The build (:mod:`analysis.runs.runner`) calls these once the pages are done; the index lists
every page with the village's key figures and target statuses, in the build's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import pandas as pd

from analysis.core import numbers
from analysis.core.aggregate import LEVELS
from analysis.core.catalog import default_catalog
from analysis.core.labels import glossed, indicator_label, label
from analysis.iorw import atomic_write_bytes, atomic_write_text
from analysis.pipeline import store
from analysis.reporting import publish
from analysis.reporting.review import flags_of, marked

SUMMARY_DOCX = "summary.docx"
#: The key of the top page: the township of a one-town data set, else the county.
TOP_KEYS = ("township", "county")
TOWN_CODE_LENGTH = LEVELS["town"]
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


def target_status_texts(projections: pd.DataFrame, lang: str = "zh") -> dict[str, str]:
    """Scope → '有望达成 2 · 需加速 1': the statuses of the targets assessed for each scope."""
    if projections.empty or "status_en" not in projections.columns:
        return {}
    counts = projections.groupby([projections["scope"].astype(str), "status_en"], sort=False).size()
    texts: dict[str, list[str]] = {}
    for (scope, status), n in counts.sort_values(ascending=False, kind="stable").items():
        texts.setdefault(scope, []).append(f"{label(f'status.{status}', lang)} {n}")
    return {scope: " · ".join(parts) for scope, parts in texts.items()}


def _statuses_within(projections: pd.DataFrame, towns: Sequence[str], lang: str) -> dict[str, str]:
    """Town → its statuses, each level counted apart: the town's own targets (and the county's
    as they apply to it), then its villages' ('镇级 需加速 3 · 有望达成 1；村级 需加速 58'); a
    sum over both levels would count the town's size."""
    if projections.empty or "status_zh" not in projections.columns:
        return {}
    scope = projections["scope"].astype(str)
    town = scope.str.split(";").str[0].str[:TOWN_CODE_LENGTH]
    inside = town.isin(towns)
    levels = {
        "town": target_status_texts(projections[inside & (scope == town)], lang),
        "village": target_status_texts(
            projections[inside & (scope != town)].assign(scope=town), lang
        ),
    }
    texts = {}
    for code in towns:
        parts = [
            label(
                "index.level_statuses", lang, level=label(f"level.{level}", lang), statuses=by[code]
            )
            for level, by in levels.items()
            if code in by
        ]
        if parts:
            texts[code] = label("note.join", lang).join(parts)
    return texts


def index_entries(
    processed_dir: Path | str, year: int, results: Sequence[PageOutcome], lang: str = "zh"
) -> tuple[list[publish.IndexEntry], list[publish.TownEntry], list[str]]:
    """Index rows (one per village page) with key figures and target status; the towns (where
    the data set has several); and the figure columns."""
    catalog = default_catalog()
    registry = pd.read_parquet(store.path_of(processed_dir, "villages")).set_index("code")
    indicators = pd.read_parquet(store.path_of(processed_dir, "indicators"))
    projections_path = store.path_of(processed_dir, "projections")
    projections = pd.read_parquet(projections_path) if projections_path.exists() else pd.DataFrame()
    review_path = store.path_of(processed_dir, "review")
    flags = flags_of(pd.read_parquet(review_path)) if review_path.exists() else {}
    now = indicators[indicators["year"] == year].pivot_table(
        index="village_code", columns="indicator", values="value", aggfunc="first"
    )
    columns = [indicator_label(catalog[i], lang) for i in INDEX_INDICATORS]
    statuses = target_status_texts(projections, lang)
    entries = []
    for result in results:
        if result.key not in registry.index:
            continue
        shown, sort_values = {}, {}
        for ind_id, column in zip(INDEX_INDICATORS, columns, strict=True):
            value = (
                now.at[result.key, ind_id]
                if (result.key in now.index and ind_id in now.columns)
                else float("nan")
            )
            # A village figure the review flagged reads as on its page: 8.96（待核实）.
            shown[column] = marked(
                numbers.number(value, catalog[ind_id], lang, context="column"),
                flags.get((result.key, int(year), ind_id)),
                catalog[ind_id],
                lang,
            )
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
                town=result.key[:TOWN_CODE_LENGTH],
            )
        )
    town_results = [r for r in results if len(r.key) == TOWN_CODE_LENGTH]
    town_status = _statuses_within(projections, [r.key for r in town_results], lang)
    names = dict(zip(registry.index.str[:TOWN_CODE_LENGTH], registry["town_name"], strict=False))
    towns = [
        publish.TownEntry(
            r.key, str(names.get(r.key, r.key)), r.html, r.ok, town_status.get(r.key, "")
        )
        for r in town_results
    ]
    return entries, towns, columns


def document_paths(year_dir: Path, town_code: str | None = None) -> tuple[Path, Path]:
    """Where the Word summary and the print maps of the top page (or of one town) go."""
    if town_code is None:
        return year_dir / SUMMARY_DOCX, year_dir / MAPS_DIR
    safe = publish.safe_filename(town_code)
    return year_dir / "towns" / f"{safe}.docx", year_dir / MAPS_DIR / safe


def documents_exist(year_dir: Path, town_code: str | None = None) -> bool:
    docx, maps_dir = document_paths(year_dir, town_code)
    return docx.exists() and maps_dir.exists()


#: The tables published as CSV beside the officials' workbook, by their store names.
DOWNLOAD_TABLES = (
    "indicators",
    "aggregates",
    "villages",
    "targets",
    "projections",
    "projects",
    "reconciliation",
    "quarantine",
)


def write_downloads(processed_dir: Path, year_dir: Path) -> list[Path]:
    """``data/``: the officials' workbook and a CSV (UTF-8 with BOM, for Excel) per table.

    Rewritten only when the processed tables changed: a stamp inside records whose they are.
    """
    folder = year_dir / publish.DOWNLOADS_DIR
    stamp = store.fingerprint_dir(processed_dir)
    marker = folder / ".fingerprint"
    if marker.exists() and marker.read_text(encoding="utf-8") == stamp:
        return []
    workbook = store.path_of(processed_dir, "livelihood_xlsx")
    written = [atomic_write_bytes(folder / workbook.name, workbook.read_bytes())]
    for name in DOWNLOAD_TABLES:
        source = store.path_of(processed_dir, name)
        if not source.exists():
            continue
        if source.suffix == ".csv":
            written.append(atomic_write_bytes(folder / source.name, source.read_bytes()))
        else:
            table = pd.read_parquet(source)
            written.append(store.write_csv_bom(table, folder / f"{name}.csv"))
    atomic_write_text(marker, stamp)
    return written


def write_index(
    processed_dir: Path,
    year_dir: Path,
    year: int,
    results: Sequence[PageOutcome],
    sample: bool,
    accepted_errors: int = 0,
    *,
    lang: str = "zh",
) -> Path:
    """Write ``index.html`` from the processed tables and the pages' outcomes."""
    entries, towns, columns = index_entries(processed_dir, year, results, lang)
    top = next((r for r in results if r.key in TOP_KEYS), None)
    provenance = publish.Provenance(
        data_fingerprint=store.fingerprint_dir(processed_dir),
        parameters={"year": year},
        sample=sample,
        accepted_errors=accepted_errors,
    )
    html = publish.index_page(
        label("title.index", lang, place=_place_name(processed_dir), year=year),
        entries,
        provenance,
        county=top is not None and top.key == TOP_KEYS[1],
        top_ok=top is None or top.ok,
        towns=towns,
        figure_columns=columns,
        extra_links=[
            (glossed("index.summary_docx", lang), SUMMARY_DOCX),
            (glossed("index.workbook", lang), f"{publish.DOWNLOADS_DIR}/livelihood.xlsx"),
            (glossed("index.csv", lang), f"{publish.DOWNLOADS_DIR}/"),
            (glossed("page.problems", lang), publish.PROBLEMS_PAGE),
            (glossed("index.corridor_pdf", lang), f"{MAPS_DIR}/corridor.pdf"),
            (glossed("index.sanitation_pdf", lang), f"{MAPS_DIR}/sanitation.pdf"),
            (glossed("index.sanitary_rate_pdf", lang), f"{MAPS_DIR}/sanitary_rate.pdf"),
        ],
        lang=lang,
    )
    return publish.write_page(year_dir / "index.html", html)


def _place_name(processed_dir: Path) -> str:
    return store.place_name_of(pd.read_parquet(store.path_of(processed_dir, "aggregates")))
