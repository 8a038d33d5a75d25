"""Raw → processed: every table, the projections included, stamped with the raw data it came from.

:func:`prepare` is the one entry point (``minsheng prepare RAW OUT``, ``01_prepare.ipynb`` and
``minsheng build``): it validates the raw files (:mod:`analysis.ingest.validate`) and writes every
table into the processed folder, atomically and byte-for-byte the same on every run (fixed row
order, no timestamps in Parquet, GeoPackage or xlsx). Nothing else writes that folder.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.core import trends
from analysis.core.aggregate import (
    PENDING_REVIEW,
    VALUE_KEY,
    aggregate_area,
    aggregate_levels,
    is_pending,
    pending_totals,
)
from analysis.core.catalog import Catalog, default_catalog
from analysis.errors import MissingFileError
from analysis.ingest.filecache import FileCache, code_items
from analysis.ingest.registry import Registry
from analysis.ingest.validate import ValidationResult, validate
from analysis.ingest.workers import meanwhile
from analysis.iorw import atomic_write_text, remove_stale_temporaries
from analysis.pipeline import store
from analysis.pipeline.reconcile import RECONCILIATION_COLUMNS, reconcile
from analysis.pipeline.restate import changes_of, keys_of_today, restate
from analysis.pipeline.store import path_of, write_csv_bom, write_gpkg, write_parquet
from analysis.pipeline.workbook import write_workbook


@dataclass
class PrepareResult:
    """What :func:`prepare` wrote and found."""

    summary: dict
    quarantine: pd.DataFrame  # every problem (PROBLEM_COLUMNS, with its village), errors first
    paths: dict[str, Path]  # output name → file
    #: What validation found; None when nothing had changed and nothing was done.
    validation: ValidationResult | None

    @property
    def ok(self) -> bool:
        """True when no row or value was rejected and every file's rows add up."""
        return bool(self.summary["ok"])


def villages_table(registry: Registry) -> pd.DataFrame:
    """The registry as ``villages.parquet``: code, name, short_name, kind, town_code, town_name."""
    return registry.table.sort_values("code", kind="stable").reset_index(drop=True).astype(str)


def prepare(
    raw_dir: Path | str,
    processed_dir: Path | str,
    *,
    registry: Path | str | Registry | None = None,
    catalog: Catalog | None = None,
    force: bool = False,
) -> PrepareResult:
    """Validate the raw data and write every processed table.

    Nothing changed, nothing done: when the raw folder, the registry, the catalog and the code
    are those of the last prepare into this folder, and every file of the folder is as it left
    them (:func:`_prepare_key`, :func:`analysis.pipeline.store.read_prepared`), the folder is
    left as it is and that prepare's result handed back.

    Incremental by file: what validating each raw file added is kept in the processed folder
    (``.ingest-cache/``), keyed by the file's content and name, the registry, the catalog and the
    package's code, and a file whose key is unchanged is not read again; the checks across files,
    the aggregation, the projections, the reconciliation and every write always run on the whole,
    so the tables are byte for byte those a prepare from scratch writes.

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
    force
        Read every raw file again, trusting no kept part (the parts are kept anew).

    Returns
    -------
    PrepareResult
        ``summary`` (also ``summary.json``), ``quarantine`` (also ``quarantine.csv``), ``paths``
        (output name → path) and ``ok``.
    """
    catalog = catalog or default_catalog()
    out = Path(processed_dir)
    if not Path(raw_dir).exists():
        raise MissingFileError(f"原始数据目录不存在 / raw data folder not found: {raw_dir}")
    stamp = store.raw_stamp(Path(raw_dir))
    key = _prepare_key(raw_dir, registry, catalog, stamp["raw"])
    if not force and key is not None and out.is_dir():
        kept = store.read_prepared(out, key)
        if kept is not None:
            summary, quarantine, names = kept
            paths = {name: out / relative for name, relative in names.items()}
            return PrepareResult(
                summary=summary, quarantine=quarantine, paths=paths, validation=None
            )
    out.mkdir(parents=True, exist_ok=True)
    store.forget_prepared(out)
    remove_stale_temporaries(out)
    # Tables half-written by an interrupted run must never pass for current ones.
    path_of(out, "stamp").unlink(missing_ok=True)
    cache = FileCache(out / store.INGEST_CACHE_DIR, reuse=not force)
    result = validate(raw_dir, registry=registry, catalog=catalog, cache=cache)
    # The analysis series on today's boundaries; the values as reported kept beside them.
    indicators, restated = restate(result.values, result.lineage, catalog)
    # The values no 核实说明 confirms: every figure that counts one says so on the pages. A
    # former unit's value counts in the figures of the units it is restated into.
    review = result.review
    pending = keys_of_today(
        review.loc[~review["confirmed"].astype(bool), VALUE_KEY], result.lineage
    )
    # Which values are pending, asked once: every aggregation below takes its rows from these.
    pending_flags = is_pending(indicators, pending)
    area = aggregate_area(indicators, catalog, pending=pending_flags)
    villages = villages_table(result.registry)
    reconciliation = (
        reconcile(result.published, indicators, area, catalog, result.targets, result.projects)
        if result.published is not None
        else pd.DataFrame(columns=RECONCILIATION_COLUMNS)
    )
    # Each problem with the village of its row, so the problems page can go village by village.
    quarantine = result.problems
    aggregates = aggregate_levels(indicators, villages, catalog, pending=pending_flags)
    # The workbook for officials, the longest write, is written by a forked child while the
    # other tables are written, where there are enough values for it to pay; else after them.
    with meanwhile(
        write_workbook,
        path_of(out, "livelihood_xlsx"),
        indicators,
        area,
        villages,
        result.targets,
        result.projects,
        reconciliation,
        quarantine,
        catalog,
        level=store.place_of(aggregates)[0],
        raw_name=Path(raw_dir).name,
        fingerprint=stamp["raw"],
        fork=len(indicators) >= WORKBOOK_FORK_VALUES,
    ) as workbook:
        paths = _write_tables(
            out, result, indicators, restated, area, aggregates, villages, reconciliation
        )
        paths.update(_write_projections(out, indicators, result.targets))
        _remove_stale(out, paths)
        paths["livelihood_xlsx"] = workbook()
    summary = dict(result.summary)
    summary["outputs"] = {
        name: path.relative_to(out).as_posix() for name, path in sorted(paths.items())
    }
    paths["summary"] = atomic_write_text(
        path_of(out, "summary"),
        json.dumps(summary, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
    )
    paths["stamp"] = atomic_write_text(path_of(out, "stamp"), json.dumps(stamp, indent=1) + "\n")
    if key is not None:
        names = {name: path.relative_to(out).as_posix() for name, path in paths.items()}
        store.write_prepared(out, key, (summary, quarantine, names))
    return PrepareResult(summary=summary, quarantine=quarantine, paths=paths, validation=result)


#: The village values from which the workbook is written by a forked child while the other
#: tables are written and the projections made. A county's (some 56,000) are written here: its
#: workbook takes well under a second, and a build's page workers warm up on the other core.
WORKBOOK_FORK_VALUES = 200_000


def _write_tables(
    out: Path,
    result: ValidationResult,
    indicators: pd.DataFrame,
    restated: pd.DataFrame,
    area: pd.DataFrame,
    aggregates: pd.DataFrame,
    villages: pd.DataFrame,
    reconciliation: pd.DataFrame,
) -> dict[str, Path]:
    """Every table but the projections and the workbook, written: output name → path."""
    paths: dict[str, Path] = {
        "indicators": write_parquet(indicators, path_of(out, "indicators")),
        "villages": write_parquet(villages, path_of(out, "villages")),
        # The counts pending review are a table of their own, the few figures that have one.
        "area": write_parquet(area.drop(columns=PENDING_REVIEW), path_of(out, "area")),
        "aggregates": write_parquet(
            aggregates.drop(columns=PENDING_REVIEW), path_of(out, "aggregates")
        ),
        "pending_review": write_parquet(
            pending_totals(area, aggregates), path_of(out, "pending_review")
        ),
        "targets": write_parquet(result.targets, path_of(out, "targets")),
        "projects": write_parquet(result.projects, path_of(out, "projects")),
        "reconciliation": write_csv_bom(reconciliation, path_of(out, "reconciliation")),
        "quarantine": write_csv_bom(result.problems, path_of(out, "quarantine")),
        "review": write_parquet(result.review, path_of(out, "review")),
    }
    if not result.changes.empty:
        changes = changes_of(result.changes, result.registry.names, result.registry.units("town"))
        paths["indicators_reported"] = write_parquet(
            result.values, path_of(out, "indicators_reported")
        )
        paths["restated"] = write_parquet(restated, path_of(out, "restated"))
        paths["changes"] = write_parquet(changes, path_of(out, "changes"))
    layers = dict(result.layers)
    boundaries = layers.pop("villages", None)
    if boundaries is not None and "code" in boundaries.columns:
        shapes = boundaries[["code", "geometry"]].drop_duplicates("code")
        joined = shapes.merge(villages, on="code", how="inner")[[*villages.columns, "geometry"]]
        paths["villages_gpkg"] = write_gpkg(
            joined.sort_values("code"), path_of(out, "villages_gpkg"), "villages"
        )
    for name, gdf in sorted(layers.items()):
        paths[f"layer:{name}"] = write_gpkg(gdf, store.layer_path(out, name), name)
    return paths


def _write_projections(
    out: Path, indicators: pd.DataFrame, targets: pd.DataFrame
) -> dict[str, Path]:
    """The projections to the targets, and the paths the fan charts draw, written."""
    projections, projection_paths = trends.assess_targets_with_paths(indicators, targets)
    return {
        "projections": write_parquet(projections, path_of(out, "projections")),
        # What the fan charts draw, so that pages read the projections rather than make them
        # again.
        "projection_paths": write_parquet(projection_paths, path_of(out, "projection_paths")),
    }


def _prepare_key(
    raw_dir: Path | str, registry: Path | str | Registry | None, catalog: Catalog, raw: str
) -> str | None:
    """What a prepare's output depends on: the raw folder as named and its content (``raw``,
    its fingerprint), the registry's content, the catalog and the code
    (:func:`analysis.ingest.filecache.code_items`). None when the registry cannot be read (the
    prepare says why)."""
    if isinstance(registry, Registry):
        registry_text = registry.table.to_csv(index=False)
    else:
        folder = Path(raw_dir) if Path(raw_dir).is_dir() else Path(raw_dir).parent
        path = Path(registry) if registry is not None else folder / config.REGISTRY_FILE
        try:
            registry_text = f"{path}\0{hashlib.sha256(path.read_bytes()).hexdigest()}"
        except OSError:
            return None
    items = [*code_items(catalog), str(raw_dir), str(Path(raw_dir).resolve()), raw, registry_text]
    return store.prepared_key(items)


def _remove_stale(out: Path, written: dict[str, Path]) -> None:
    """Drop layers a previous run wrote that this run did not (their source is gone)."""
    keep = {p.resolve() for p in written.values()}
    candidates = [
        *(
            path_of(out, name)
            for name in ("villages_gpkg", "indicators_reported", "restated", "changes")
        ),
        *sorted((out / store.LAYERS_DIR).glob("*.gpkg")),
    ]
    for path in candidates:
        if path.exists() and path.resolve() not in keep:
            path.unlink()


def ensure_processed(
    raw_dir: Path | str, processed_dir: Path | str, *, force: bool = False
) -> PrepareResult | None:
    """Prepare the processed tables unless they are current for ``raw_dir``; with ``force``,
    prepare them whatever they are, reading every raw file again.

    Returns the :class:`PrepareResult` when it prepared, None when the tables were current.
    """
    raw, processed = Path(raw_dir), Path(processed_dir)
    if not raw.exists():
        raise MissingFileError(f"原始数据目录不存在 / raw data folder not found: {raw}")
    if not force and store.is_current(raw, processed):
        return None
    return prepare(raw, processed, force=force)
