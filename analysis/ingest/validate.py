"""Validation of a raw folder: which file is what, which checker reads it, and the result.

This module only orchestrates (in the manner of papermill's ``execute``): it lists the files,
picks each one's checker from a dispatch table, runs the rules across rows and files, and hands
back every accepted value with every problem found. The wording of the rules is
:mod:`analysis.ingest.rules`; the ledger and the row accounting :mod:`analysis.ingest.ledger`;
the registry :mod:`analysis.ingest.registry`; the checkers :mod:`analysis.ingest.table`,
:mod:`analysis.ingest.crossrow` and :mod:`analysis.ingest.side`.

Which file is what
------------------
In a raw folder, ``villages.csv`` is the registry, ``targets_2020.csv`` the targets,
``published_figures.csv`` the published figures, ``扶贫项目库*.xlsx`` the project list, a CSV with
``lon``/``lat`` columns a point layer, ``.geojson``/``.gpkg``/``.shp`` layers, ``README.md`` and
``SAMPLE`` documentation; every other ``.xlsx``/``.csv``/``.txt`` sheet is read in the wide
village-year form (one row per village and year, one column per indicator).
"""

from __future__ import annotations

import contextlib
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import config
from analysis.core.catalog import Catalog, default_catalog
from analysis.errors import DataError, MissingFileError
from analysis.ingest.cells import cell_text
from analysis.ingest.crossrow import (
    check_complete,
    check_cross_rules,
    check_duplicates,
    check_points_ledger,
    check_totals,
)
from analysis.ingest.crosswalk import (
    CHANGE_COLUMNS,
    check_change_years,
    check_rate_weights,
    crosswalk_file,
    empty_changes,
    is_crosswalk,
    lineage,
    read_crosswalk,
)
from analysis.ingest.explanations import (
    EXPLANATION_COLUMNS,
    PLACED_COLUMNS,
    REVIEW_COLUMNS,
    is_explanations,
    placed,
    read_explanations,
    read_list_explanations,
    reviewed,
)
from analysis.ingest.filecache import FileCache, FilePart, context_key, file_key
from analysis.ingest.ledger import (
    PROBLEM_COLUMNS,
    VALUE_COLUMNS,
    Ledger,
    format_problems,
    summarise,
)
from analysis.ingest.read import (
    AUXILIARY_SHEETS,
    LAYER_SUFFIXES,
    MARKED_SHEETS,
    TABLE_SUFFIXES,
    WORKBOOK_SUFFIXES,
    ReadError,
    Sheet,
    read_csv_sheet,
    read_workbook,
    without_quarantined,
)
from analysis.ingest.registry import Registry, load_registry, place_villages
from analysis.ingest.review import Thresholds
from analysis.ingest.run import Run
from analysis.ingest.side import (
    PROJECT_COLUMNS,
    TARGET_COLUMNS,
    check_layer,
    check_points,
    check_projects,
    check_published,
    check_targets,
)
from analysis.ingest.table import blank_rows, check_table
from analysis.ingest.workers import forked_pool, meanwhile, worker_count
from analysis.iorw import folder_files, leads_outside

__all__ = [
    "PLACE_COLUMNS",
    "PROBLEM_COLUMNS",
    "VALUE_COLUMNS",
    "ValidationResult",
    "format_problems",
    "load_registry",
    "validate",
]

#: Where a value was read: file, sheet, row and column letter (a CSV's sheet is blank).
PLACE_COLUMNS = ["file", "sheet", "row", "column"]

#: Files that belong to a shapefile and are read with its ``.shp``.
SHAPEFILE_PARTS = {".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".qmd"}


def check_problem_list(sheet: Sheet, run: Run) -> pd.DataFrame:
    """The sheets a marked copy carries before the clerk's own (:mod:`analysis.ingest.mark`),
    说明 and the problem list: structural, never data; the 核实说明 a clerk filled in the list
    confirm the review flags of this file's cells."""
    rows = run.ledger.open_sheet(sheet.file, sheet.name, "problem_list", len(sheet.cells))
    rows.loc[np.flatnonzero(~blank_rows(sheet.cells)) + 1, "reason"] = "problem list"
    return read_list_explanations(sheet)


#: Sheet kinds that are never data, so never named as giving none.
NOT_DATA = {"problem_list", "explanations"}


def check_explanations(sheet: Sheet, run: Run) -> pd.DataFrame:
    """The 核实说明 file (:mod:`analysis.ingest.explanations`): its rows confirm review flags,
    never data."""
    rows = run.ledger.open_sheet(sheet.file, sheet.name, "explanations", len(sheet.cells))
    rows.loc[np.flatnonzero(~blank_rows(sheet.cells)) + 1, "reason"] = "explanation"
    return read_explanations([sheet], run.registry, run.catalog, run.ledger)


#: Sheet kind → the checker that reads it. What each returns is gathered by kind.
SHEET_CHECKERS: dict[str, Callable[[Sheet, Run], object]] = {
    "problem_list": check_problem_list,
    "explanations": check_explanations,
    "targets": check_targets,
    "published": check_published,
    "projects": check_projects,
    "points": check_points,
    "village_table": check_table,
}


@dataclass
class ValidationResult:
    """Everything read from the raw files, and everything said about them."""

    values: pd.DataFrame  # VALUE_COLUMNS: accepted village values, canonical units
    places: pd.DataFrame  # PLACE_COLUMNS: where each value was read, row by row with values
    problems: pd.DataFrame  # PROBLEM_COLUMNS, each with the village of its row
    summary: dict
    #: (file, sheet) → the state of each Excel row read (``status``, ``reason``: the ledger's).
    rows: dict[tuple[str, str], pd.DataFrame]
    registry: Registry
    targets: pd.DataFrame
    projects: pd.DataFrame
    published: pd.DataFrame | None
    layers: dict[str, object]  # name → GeoDataFrame in EPSG:4490
    #: The review flags (:data:`~analysis.ingest.explanations.REVIEW_COLUMNS`), confirmed or not.
    review: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REVIEW_COLUMNS))
    #: The boundary changes used (:data:`~analysis.ingest.crosswalk.CHANGE_COLUMNS`); none
    #: without a crosswalk file.
    changes: pd.DataFrame = field(default_factory=empty_changes)
    #: Each former unit's units of today (:func:`~analysis.ingest.crosswalk.lineage`), which
    #: the series are restated through.
    lineage: pd.DataFrame = field(default_factory=lambda: lineage(empty_changes()))

    @property
    def ok(self) -> bool:
        """True when nothing was rejected and every file's rows add up."""
        return bool(self.summary["ok"])


def _files(raw: Path) -> list[Path]:
    """The files to read, in a fixed order; a shapefile's side files travel with its .shp. A
    link that leads out of the folder (to a file or a folder) is listed too, to be refused by
    name (:func:`~analysis.iorw.leads_outside`)."""
    if raw.is_file():
        return [raw]
    found = folder_files(raw)
    shapefiles = {p.with_suffix("") for p in found if p.suffix.lower() == ".shp"}
    found = [
        p
        for p in found
        if not (p.suffix.lower() in SHAPEFILE_PARTS and p.with_suffix("") in shapefiles)
    ]
    return sorted(found, key=lambda p: p.relative_to(raw).as_posix())


def _refuse_link(path: Path, display: str) -> FilePart:
    """A link leading out of the raw folder: refused by name, its target never opened."""
    part = FilePart()
    part.ledger.note_file(display, "link")
    part.ledger.add("link_outside_folder", display, value=str(path.resolve()))
    return part


def _file_kind(path: Path, in_folder: bool, registry_path: Path | None) -> str:
    """What a file is: the registry in use, another registry, documentation, a layer, a file of
    sheets, or an unknown type."""
    suffix = path.suffix.lower()
    if registry_path is not None and path.resolve() == registry_path.resolve():
        return "registry_in_use"
    if in_folder and path.name == config.REGISTRY_FILE:
        return "registry"
    if in_folder and is_crosswalk(path.name):
        return "crosswalk"
    if in_folder and (
        path.name.upper() in {"README.MD", config.SAMPLE_MARKER_FILE} or suffix == ".md"
    ):
        return "documentation"
    if suffix in LAYER_SUFFIXES:
        return "layer"
    if suffix in WORKBOOK_SUFFIXES | TABLE_SUFFIXES:
        return "sheets"
    return "unknown"


def _sheet_kind(path: Path, sheet: Sheet) -> str:
    """Which checker reads a sheet (the keys of :data:`SHEET_CHECKERS`). A table is known by
    its name whatever its format: a marked copy of a CSV is an .xlsx."""
    if sheet.name in MARKED_SHEETS:
        return "problem_list"
    if is_explanations(path.name):
        return "explanations"
    if path.stem == Path(config.TARGETS_FILE).stem:
        return "targets"
    if path.stem == Path(config.PUBLISHED_FILE).stem:
        return "published"
    if path.name.startswith("扶贫项目库"):
        return "projects"
    if len(sheet.cells) and {"lon", "lat"} <= {cell_text(h).strip() for h in sheet.cells.iloc[0]}:
        return "points"
    return "village_table"


def _read_sheets(path: Path, display: str, ledger: Ledger) -> list[Sheet]:
    """Every sheet of a workbook or the one of a CSV; none (and a file-level problem) when the
    file cannot be read."""
    try:
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            return read_workbook(path, display)
        return [read_csv_sheet(path, display)]
    except ReadError as exc:
        ledger.note_file(display, "unreadable")
        ledger.add(exc.rule, display, exc.sheet, detail=exc.detail, **exc.fields)
        return []
    except OSError as exc:  # no permission, a folder named like a file, a vanished file
        ledger.note_file(display, "unreadable")
        ledger.add("unreadable_file", display, detail=f"{type(exc).__name__}: {exc.strerror}")
        return []


def _record_findings(sheet: Sheet, ledger: Ledger) -> None:
    """What the reader saw in the sheet's structure, in the ledger; the rows it names are
    quarantined (the checker saw them blank), and the independent row count is kept for the
    accounting check."""
    key = (sheet.file, sheet.name)
    for item in sheet.findings:
        ledger.add(
            item.rule, sheet.file, sheet.name, item.row, item.column, item.value, **item.fields
        )
        if item.quarantine:
            ledger.rows[key].loc[item.row : item.end_row, ["status", "reason"]] = [
                "quarantined",
                item.rule,
            ]
    if sheet.rows_counted is not None:
        ledger.sheets[key]["rows_counted"] = sheet.rows_counted
        read = len(ledger.rows[key])
        if read != sheet.rows_counted:
            ledger.add(
                "row_count_mismatch", sheet.file, sheet.name, counted=sheet.rows_counted, read=read
            )


def _note_no_data(sheet: Sheet, ledger: Ledger) -> None:
    """A file or sheet from which no row was accepted or quarantined, and about which nothing
    was said that is an error, is named: a file dropped in the folder by mistake (a text, a
    colon-separated list) or an empty sheet never passes unseen."""
    key = (sheet.file, sheet.name)
    status = ledger.rows[key]["status"]
    if status.isin(["accepted", "quarantined"]).any():
        return
    if any(
        p["file"] == sheet.file and p["sheet"] == sheet.name and p["severity"] == "error"
        for p in ledger.problems
    ):
        return
    row, seen = 0, ""
    for i, values in enumerate(sheet.cells.head(30).itertuples(index=False), start=1):
        texts = [cell_text(v).strip() for v in values if cell_text(v).strip()]
        if texts:
            row, seen = i, "、".join(texts[:6])
            break
    ledger.add(
        "no_data",
        sheet.file,
        sheet.name,
        what_zh="本工作表" if sheet.name else "本文件",
        what_en="the sheet" if sheet.name else "the file",
        rows_zh=f"{len(status)} 行都不是数据行" if len(status) else "是空的",
        rows_en=f"none of its {len(status)} rows is data" if len(status) else "it is empty",
        seen_zh=f"第 {row} 行为：{seen}。" if row else "",
        seen_en=f"Row {row} reads: {seen}. " if row else "",
    )


#: The kinds of file whose part is read from the file's content, and so can be kept.
READ_KINDS = {"registry", "layer", "sheets"}


def _validate_file(
    path: Path, display: str, kind: str, catalog: Catalog, registry: Registry
) -> FilePart:
    """Read and check one file on its own: what it adds to the run, in a part of its own."""
    part = FilePart()
    run = Run(catalog, registry, part.ledger, part.values, part.totals, part.sheet_villages)
    sheets: list[Sheet] = []
    if kind == "registry":
        # A folder's own registry, when another one was named: still checked and counted.
        with contextlib.suppress(DataError):  # the problem is already in the ledger
            load_registry(path, part.ledger)
    elif kind in ("documentation", "unknown"):
        part.ledger.note_file(display, kind)
        if kind == "unknown":
            part.ledger.add("unknown_file", display, value=path.suffix.lower() or path.name)
    elif kind == "layer":
        part.layers.update(check_layer(path, display, run))
    elif kind == "sheets":
        sheets = _read_sheets(path, display, part.ledger)
        for sheet in sheets:
            sheet_kind = _sheet_kind(path, sheet)
            found = SHEET_CHECKERS[sheet_kind](without_quarantined(sheet), run)
            _record_findings(sheet, part.ledger)
            if sheet_kind not in NOT_DATA and sheet.name not in AUXILIARY_SHEETS:
                _note_no_data(sheet, part.ledger)
            if sheet_kind == "points" and found is not None:
                part.layers[Path(display).stem] = found
                part.point_files[Path(display).stem] = display
            part.found.append((sheet_kind, found))
    # The village of each problem's row, while the file's rows are at hand.
    place_villages(part.ledger.problems, registry, display, sheets)
    return part


#: The bytes of raw files to read below which they are read in this process. A county's
#: (0.5 MB) are: the workers' start and the parts' way back would eat most of the gain, and a
#: build's page workers warm up on the other core meanwhile. A 3,000-village set's (4.2 MB)
#: are not.
POOL_BYTES = 4_000_000


@dataclass(frozen=True)
class _FileJob:
    """A file to read and check: where it is, the name it is shown by, its kind, the key its
    part is kept under (None: not kept)."""

    path: Path
    display: str
    kind: str
    key: str | None

    def size(self) -> int:
        try:
            return self.path.stat().st_size
        except OSError:
            return 0


def _parts(
    raw: Path,
    base: Path,
    changes_path: Path | None,
    registry_path: Path | None,
    catalog: Catalog,
    registry: Registry,
    cache: FileCache | None,
    context: str,
) -> list[FilePart]:
    """Each file's part, in the order of :func:`_files`: replayed from ``cache`` where kept,
    else read, across the idle cores when there is enough to read (:func:`_read_parts`)."""
    parts: list[FilePart | None] = []
    jobs: dict[int, _FileJob] = {}  # position in parts → the file to read there
    for path in _files(raw):
        display = path.relative_to(base).as_posix()
        if path == changes_path:
            continue  # read before every other file
        part = None
        if leads_outside(path, raw):
            part = _refuse_link(path, display)
        else:
            kind = _file_kind(path, raw.is_dir(), registry_path)
            # A key only for a file read for its content, and readable (else it is not kept).
            kept = cache is not None and kind in READ_KINDS
            key = file_key(context, path, display, kind) if kept else None
            part = cache.load(key, display) if key is not None else None
            if part is None:
                jobs[len(parts)] = _FileJob(path, display, kind, key)
        parts.append(part)
    for index, part in _read_parts(jobs, catalog, registry, cache).items():
        parts[index] = part
    return [part for part in parts if part is not None]


def _read_parts(
    jobs: dict[int, _FileJob], catalog: Catalog, registry: Registry, cache: FileCache | None
) -> dict[int, FilePart]:
    """The part of each file of ``jobs``, by its position. Files read for their content go to
    forked workers when there are two or more and enough bytes (:data:`POOL_BYTES`), largest
    first so that no worker is left with a big file at the end; the rest are noted here."""
    content = {i: job for i, job in jobs.items() if job.kind in READ_KINDS}
    sizes = {i: job.size() for i, job in content.items()}
    workers = worker_count(len(content))
    if workers < 2 or len(content) < 2 or sum(sizes.values()) < POOL_BYTES:
        return {i: _read_part(job, catalog, registry, cache) for i, job in jobs.items()}
    parts: dict[int, FilePart] = {}
    with forked_pool(workers, _keep_context, (catalog, registry, cache)) as pool:
        try:
            futures = {
                i: pool.submit(_read_part_in_worker, content[i])
                for i in sorted(content, key=lambda i: -sizes[i])
            }
            # In the files' order: the error raised is the one reading them in turn raises.
            for i, job in jobs.items():
                if i in futures:
                    sent = futures[i].result()
                    parts[i] = pickle.loads(sent) if isinstance(sent, bytes) else sent
                else:  # documentation, an unknown file: nothing to read
                    parts[i] = _read_part(job, catalog, registry, cache)
        except BaseException:
            pool.shutdown(cancel_futures=True)
            raise
    return parts


def _read_part(
    job: _FileJob, catalog: Catalog, registry: Registry, cache: FileCache | None
) -> FilePart:
    """Read and check one file, and keep its part under its key."""
    part = _validate_file(job.path, job.display, job.kind, catalog, registry)
    if job.key is not None and cache is not None:
        cache.save(job.key, job.display, part)
    return part


#: What a worker reads every file with: the catalog, the registry and the cache (set in each
#: worker as it starts, inherited by the fork, never pickled).
_context: tuple[Catalog, Registry, FileCache | None] | None = None


def _keep_context(catalog: Catalog, registry: Registry, cache: FileCache | None) -> None:
    global _context
    _context = (catalog, registry, cache)


def _read_part_in_worker(job: _FileJob) -> FilePart | bytes:
    """A file's part, read in a worker; a part kept in the cache as the pickle the cache made
    of it, not pickled a second time to be sent."""
    assert _context is not None  # set by the pool's initializer, which runs first
    catalog, registry, cache = _context
    part = _validate_file(job.path, job.display, job.kind, catalog, registry)
    if job.key is not None and cache is not None:
        return cache.save(job.key, job.display, part)
    return part


def _open_registry(
    raw: Path, registry: Path | str | Registry | None, ledger: Ledger
) -> tuple[Registry, Path | None]:
    """The registry to match villages against, and its path when it was read from a file: the
    one named, else the ``villages.csv`` of the folder (of the file's own folder for a file).
    Never the bundled sample's unless that is the one named."""
    if isinstance(registry, Registry):
        return registry, None
    folder = raw if raw.is_dir() else raw.parent
    path = Path(registry) if registry is not None else folder / config.REGISTRY_FILE
    return load_registry(path, ledger), path


def validate(
    raw: Path | str,
    *,
    registry: Path | str | Registry | None = None,
    catalog: Catalog | None = None,
    cache: FileCache | None = None,
    review_thresholds: Thresholds | Path | str | None = None,
) -> ValidationResult:
    """Read and check a raw folder (or one village-year file) and account for every row.

    Parameters
    ----------
    raw
        ``data/raw``-like folder, or a single ``.xlsx``/``.csv`` in the wide village-year form.
    registry
        Village registry (path or :class:`Registry`); default the ``villages.csv`` of the folder,
        or of the file's own folder for a single file. There is no other default: without one
        a :class:`~analysis.errors.MissingFileError` says where it was looked for.
    catalog
        Indicator catalog; default the package's.
    cache
        Where each file's own part of the run is kept (:mod:`analysis.ingest.filecache`): a
        file whose content, name, registry, catalog and code are those of a kept part is not
        read, its part is replayed; the checks across files always run on every file, so the
        result is the one reading every file gives. Entries of files gone or changed are
        removed. None (the default) reads every file and keeps nothing.
    review_thresholds
        The plausibility review's thresholds (:mod:`analysis.ingest.review`): an office's own
        ``review.yaml``; default the package's. Its flags not confirmed by a 核实说明 are
        problems of severity ``review``.

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
    reg, registry_path = _open_registry(raw, registry, ledger)
    # The boundary changes before any table: they say which former units a row may name.
    changes, changes_path = empty_changes(), crosswalk_file(raw)
    changes_file = changes_path.relative_to(base).as_posix() if changes_path is not None else ""
    if changes_path is not None:
        changes = read_crosswalk(changes_path, changes_file, reg, ledger)
        reg = reg.with_changes(changes)
    run = Run(catalog, reg, ledger)
    layers: dict[str, object] = {}
    point_files: dict[str, str] = {}  # points layer name → the file it was read from
    by_kind: dict[str, list[object]] = {kind: [] for kind in SHEET_CHECKERS}
    context = context_key(catalog, reg) if cache is not None else ""
    for part in _parts(raw, base, changes_path, registry_path, catalog, reg, cache, context):
        ledger.merge(part.ledger)
        run.values.extend(part.values)
        run.totals.extend(part.totals)
        run.sheet_villages.extend(part.sheet_villages)
        layers.update(part.layers)
        point_files.update(part.point_files)
        for sheet_kind, found in part.found:
            by_kind[sheet_kind].append(found)
    if cache is not None:
        cache.prune()

    values = pd.concat(run.values, ignore_index=True) if run.values else _empty_values()
    values = check_duplicates(values, run)
    values = check_cross_rules(values, run)
    # The checks across files that only find problems (totals, 乡不漏村, points against the
    # ledger) on the second core while the values are sorted and reviewed; their problems are
    # recorded where they would have been, had they been found here in turn.
    fork, before = len(values) >= CHECKS_FORK_VALUES, len(ledger.problems)
    with meanwhile(_problems_only, values, run, layers, point_files, fork=fork) as checked:
        tidy = _tidy(values, catalog)
        if not changes.empty:
            changes = check_change_years(changes, values["year"].unique(), changes_file, ledger)
        paths = lineage(changes)
        if not paths.empty:
            check_rate_weights(values, paths, catalog, reg.names, changes_file, ledger)
        between = len(ledger.problems)
        explanations = pd.concat(
            [
                _concat(by_kind["explanations"], EXPLANATION_COLUMNS),
                placed(_concat(by_kind["problem_list"], PLACED_COLUMNS), tidy, ledger),
            ],
            ignore_index=True,
        )
        flags = reviewed(
            tidy.drop(columns="source"),
            reg,
            catalog,
            explanations,
            ledger,
            thresholds=review_thresholds,
        )
        found, points = checked()
        ledger.problems[between:between] = points
        ledger.problems[before:before] = found
    place_villages(ledger.problems, reg)  # the checks across files give their rows' villages
    problems = ledger.problems_frame()
    published = [p for p in by_kind["published"] if p is not None]
    return ValidationResult(
        values=tidy[VALUE_COLUMNS],
        places=tidy[PLACE_COLUMNS],
        problems=problems,
        summary={
            **summarise(ledger, problems),
            "review": {
                "flagged": len(flags),
                "confirmed": int(flags["confirmed"].sum()),
                "to_confirm": int((~flags["confirmed"]).sum()),
            },
        },
        rows=ledger.rows,
        registry=reg,
        targets=_concat(by_kind["targets"], TARGET_COLUMNS),
        projects=_concat(by_kind["projects"], PROJECT_COLUMNS),
        published=published[-1] if published else None,
        layers=layers,
        review=flags,
        changes=changes[CHANGE_COLUMNS],
        lineage=paths,
    )


#: The values from which the checks that only find problems are made by a forked child while
#: the values are sorted and reviewed: a province's (some 3 million) take seconds; a county's
#: (some 56,000) are checked here.
CHECKS_FORK_VALUES = 200_000


def _problems_only(
    values: pd.DataFrame, run: Run, layers: dict[str, object], point_files: dict[str, str]
) -> tuple[list[dict], list[dict]]:
    """The problems :func:`check_totals` with :func:`check_complete` (乡不漏村: each year's files
    against the units of that year), and :func:`check_points_ledger`, find, each recorded on a
    ledger of their own: none of their rules quarantines a row, so the problems are all they
    add. Nothing between the two groups reads the problems."""
    totals = Run(
        run.catalog, run.registry, Ledger(), totals=run.totals, sheet_villages=run.sheet_villages
    )
    check_totals(values, totals)
    check_complete(totals)
    points = Run(run.catalog, run.registry, Ledger())
    for name, display in point_files.items():
        check_points_ledger(values, layers[name], display, points)
    return totals.ledger.problems, points.ledger.problems


def _concat(frames: list[object], columns: list[str]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _tidy(values: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """The accepted values in VALUE_COLUMNS and where each was read (PLACE_COLUMNS), sorted
    by village, year and catalog order."""
    order = {ind_id: i for i, ind_id in enumerate(catalog.ids)}
    # Each distinct indicator looked up once: a dict mapped over millions of cells is slow.
    codes, distinct = pd.factorize(values["indicator"], use_na_sentinel=False)
    position = np.array([order.get(i, np.nan) for i in distinct], dtype=float)[codes]
    values = (
        values.assign(_order=position)
        .sort_values(["village_code", "year", "_order", "source", "row"], kind="stable")
        .reset_index(drop=True)
    )
    return values[[*VALUE_COLUMNS, "file", "sheet", "column"]].astype(
        {
            "village_code": str,
            "year": "int64",
            "indicator": str,
            "value": "float64",
            "source": str,
            "row": "int64",
            "file": str,
            "sheet": str,
            "column": str,
        }
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
