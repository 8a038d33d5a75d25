"""The table store: one name → file map for the processed folder, reading and writing it.

Loading never prepares: the processed tables are made by :func:`analysis.pipeline.prepare.prepare`,
which stamps them with the raw folder they came from; :func:`load_tables` reads them and, given
the raw folder, refuses tables that were made from another one.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import pickle
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import config
from analysis.core.aggregate import LEVELS, PENDING_REVIEW, WHOLE_LEVEL
from analysis.errors import MissingFileError, ParameterError, StaleTablesError
from analysis.geo.layers import to_measure
from analysis.iorw import atomic_path, atomic_write_bytes, atomic_write_with, folder_files
from analysis.pipeline.reconcile import read_reconciliation
from analysis.version import __version__, fingerprint_files

#: Every file of the processed folder, by the name code uses for it.
FILES = {
    "indicators": "indicators.parquet",
    "villages": "villages.parquet",
    "villages_gpkg": "villages.gpkg",
    "area": "area.parquet",
    "aggregates": "aggregates.parquet",
    "targets": "targets.parquet",
    "projects": "projects.parquet",
    "projections": "projections.parquet",
    "projection_paths": "projection_paths.parquet",
    "review": "review.parquet",
    "pending_review": "pending_review.parquet",
    # Written only where the raw folder has boundary changes (区划调整).
    "indicators_reported": "indicators_reported.parquet",
    "restated": "restated.parquet",
    "changes": "boundary_changes.parquet",
    "reconciliation": "reconciliation.csv",
    "quarantine": "quarantine.csv",
    "summary": "summary.json",
    "livelihood_xlsx": "livelihood.xlsx",
    "stamp": "_fingerprint.json",
}
LAYERS_DIR = "layers"
#: What validating each raw file added (:mod:`analysis.ingest.filecache`), so that the next
#: prepare reads only the files that changed. Hidden: not a table, and not in any fingerprint.
INGEST_CACHE_DIR = ".ingest-cache"
#: Raised whenever a table is added or changes shape, so tables of an older layout are prepared
#: again rather than read (the package version alone does not move between releases).
LAYOUT = 4


def path_of(processed_dir: Path | str, name: str) -> Path:
    """The file of table ``name`` (a key of :data:`FILES`) in ``processed_dir``."""
    return Path(processed_dir) / FILES[name]


def layer_path(processed_dir: Path | str, layer: str) -> Path:
    return Path(processed_dir) / LAYERS_DIR / f"{layer}.gpkg"


FIXED_TIMESTAMP = dt.datetime(2020, 1, 1, 0, 0, 0)


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


# --- fingerprints and the stamp ------------------------------------------------------------------


def data_files(folder: Path) -> list[Path]:
    """The files below ``folder`` a run reads (:func:`~analysis.iorw.folder_files`: nothing
    hidden, no temporary): of the raw folder, exactly those validation reads."""
    return sorted(p for p in folder_files(folder) if p.is_file())


def fingerprint_dir(folder: Path) -> str:
    """Fingerprint of the content of every data file below ``folder`` (or of one file)."""
    folder = Path(folder)
    return fingerprint_files(data_files(folder), root=folder.parent if folder.is_file() else folder)


def stat_signature(folder: Path) -> str:
    """A cheap signature (names, sizes, modification times) to skip hashing unchanged data."""
    folder = Path(folder)
    root = folder.parent if folder.is_file() else folder
    digest = hashlib.sha256()
    for path in data_files(folder):
        stat = path.stat()
        digest.update(f"{path.relative_to(root)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def raw_stamp(raw_dir: Path) -> dict:
    """What the processed tables record about the raw data they were made from."""
    raw = Path(raw_dir)
    return {
        "raw": fingerprint_dir(raw),
        "stat": stat_signature(raw),
        "raw_dir": str(raw.resolve()),
        "version": __version__,
        "layout": LAYOUT,
        "sample": (raw / config.SAMPLE_MARKER_FILE).exists(),
    }


#: Kept with the ingest cache (hidden, so in no fingerprint): what the last prepare into the
#: folder was made from (:func:`prepared_key`), the state it left every file of the folder in,
#: and what it returned. A prepare of the same into the folder as it was left does nothing.
PREPARED_STAMP = "prepared.stamp"
#: Raised whenever what :func:`write_prepared` keeps changes meaning.
PREPARED_FORMAT = 1


def prepared_key(items: list[str]) -> str:
    """The key a prepare is made under: SHA-256 over ``items`` (what it reads and depends on)."""
    digest = hashlib.sha256(f"prepared {PREPARED_FORMAT} layout {LAYOUT}".encode())
    for item in items:
        digest.update(item.encode("utf-8") + b"\0")
    return digest.hexdigest()


def _prepared_path(processed_dir: Path | str) -> Path:
    return Path(processed_dir) / INGEST_CACHE_DIR / PREPARED_STAMP


def _folder_files(processed_dir: Path) -> dict[str, tuple[int, int]]:
    """Every file below the processed folder but the prepared stamp, hidden ones included:
    relative path → (size, modification time). A copy that keeps the times (``cp -p``) is the
    same folder."""
    stamp = _prepared_path(processed_dir)
    found = {}
    for path in sorted(processed_dir.rglob("*")):
        if path.is_file() and path != stamp:
            stat = path.stat()
            found[path.relative_to(processed_dir).as_posix()] = (stat.st_size, stat.st_mtime_ns)
    return found


def write_prepared(processed_dir: Path | str, key: str, kept: object) -> None:
    """Stamp the folder as prepared under ``key``, as its files now are; ``kept`` is what the
    prepare returned, handed back by :func:`read_prepared`. Written last, atomically."""
    processed = Path(processed_dir)
    data = pickle.dumps((key, _folder_files(processed), kept), pickle.HIGHEST_PROTOCOL)
    atomic_write_bytes(_prepared_path(processed), data)


def read_prepared(processed_dir: Path | str, key: str) -> object | None:
    """What the prepare stamped under ``key`` returned, when the folder was prepared under that
    key and every file of it is as that prepare left it; else None (prepare again)."""
    processed = Path(processed_dir)
    try:
        stored_key, files, kept = pickle.loads(_prepared_path(processed).read_bytes())
    except Exception:  # none, damaged or of other code: prepare again, never trust it
        return None
    if stored_key != key or files != _folder_files(processed):
        return None
    return kept


def forget_prepared(processed_dir: Path | str) -> None:
    """The folder is about to change: no later prepare may take it for the stamped one."""
    _prepared_path(processed_dir).unlink(missing_ok=True)


def read_stamp(processed_dir: Path | str) -> dict | None:
    path = path_of(processed_dir, "stamp")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def read_summary(processed_dir: Path | str) -> dict:
    """``summary.json``: the row accounting and problem counts of the last prepare."""
    path = path_of(processed_dir, "summary")
    if not path.exists():
        raise MissingFileError(
            f"{processed_dir} 中没有 summary.json；请先运行 minsheng prepare / "
            f"no summary.json in {processed_dir}: run `minsheng prepare` first"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def is_current(raw_dir: Path | str, processed_dir: Path | str) -> bool:
    """True when the processed tables were made by this version from ``raw_dir`` as it is now."""
    raw = Path(raw_dir)
    recorded = read_stamp(processed_dir)
    if recorded is None:
        return False
    if (
        recorded.get("version") != __version__
        or recorded.get("layout") != LAYOUT
        or recorded.get("raw_dir") != str(raw.resolve())
    ):
        return False
    if recorded.get("stat") == stat_signature(raw):
        return True
    return recorded.get("raw") == fingerprint_dir(raw)


# --- reading -------------------------------------------------------------------------------------


T = TypeVar("T")


@dataclasses.dataclass
class Tables:
    """The processed tables a report reads, each from its file of :data:`FILES`."""

    processed_dir: Path
    indicators: pd.DataFrame
    area: pd.DataFrame
    villages: gpd.GeoDataFrame | pd.DataFrame
    targets: pd.DataFrame
    projections: pd.DataFrame
    projects: pd.DataFrame
    reconciliation: pd.DataFrame
    summary: dict
    sample: bool
    aggregates: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    #: What each targeted projection's fan chart draws, made with the projections
    #: (:func:`analysis.core.trends.assess_targets_with_paths`).
    projection_paths: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    #: The plausibility review's flags (核实性审核), confirmed (with their 核实说明) or not
    #: (:data:`analysis.ingest.explanations.REVIEW_COLUMNS`).
    review: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    #: The boundary changes (区划调整) and what is said of each restated value
    #: (:mod:`analysis.pipeline.restate`); empty where the raw folder has none.
    changes: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    restated: pd.DataFrame = dataclasses.field(default_factory=pd.DataFrame)
    #: The town the tables are limited to (:meth:`town`), or None for the whole data set.
    scope: str | None = None
    # Layers read, shapes projected and town views made, shared by every copy handed out of one
    # cached load (see load_tables).
    _derived: dict = dataclasses.field(default_factory=dict, repr=False, compare=False)
    # The frames a copy was handed (by identity): while they are still its own, its town views
    # are the ones made for the first copy.
    _handed: tuple = dataclasses.field(default=(), repr=False, compare=False)

    def village(self, code: str) -> pd.Series:
        """The registry row of one village; a clear error for an unknown code."""
        match = self.villages[self.villages["code"] == str(code)]
        if match.empty:
            known = ", ".join(
                f"{c} {n}"
                for c, n in zip(self.villages["code"], self.villages["name"], strict=True)
            )
            raise ParameterError(
                f"村代码 {code} 不在村名录中 / village code {code} is not in the registry. Known: {known}"
            )
        return match.iloc[0]

    def layer(self, name: str) -> gpd.GeoDataFrame | None:
        """A layer of the processed folder (``layers/<name>.gpkg``), limited to the town the
        tables are, or None where absent. Read once per state of the file: a warm worker's
        later notebooks get a copy."""
        path = layer_path(self.processed_dir, name)
        try:
            state = _file_state(path)
        except FileNotFoundError:
            return None
        cached = self._derived.get(("layer", name))
        if cached is None or cached[0] != state:
            layer = gpd.read_file(path)
            if "village_code" in layer.columns and self.scope is not None:
                layer = layer[layer["village_code"].astype(str).isin(self.villages["code"])]
            cached = self._derived[("layer", name)] = (state, layer)
        return cached[1].copy(deep=False)

    def measured_villages(self) -> gpd.GeoDataFrame | None:
        """The village polygons in the measuring CRS (EPSG:4547), or None without geometry.

        Projected once per loaded state of the tables (and town), so the maps of a warm
        worker's notebooks reuse it rather than projecting the polygons for every page.
        """
        if not isinstance(self.villages, gpd.GeoDataFrame):
            return None
        if "measured_villages" not in self._derived:
            self._derived["measured_villages"] = to_measure(self.villages)
        return self._derived["measured_villages"].copy(deep=False)

    def derived(self, key: str, make: Callable[[Tables], T]) -> T:
        """``make(self)``, made once per loaded state of the folder (and town) and shared by the
        copies :func:`load_tables` hands out while their frames are the ones handed: a warm
        worker's pages of one town look their names up in one dict, not the county's frames each.
        Tables with a frame replaced get theirs made afresh. The result is shared: don't change it.
        """
        if not (self._handed and self._handed == tuple(map(id, self._frames()))):
            return make(self)
        if ("derived", key) not in self._derived:
            self._derived[("derived", key)] = make(self)
        return self._derived[("derived", key)]

    def _frames(self) -> tuple:
        return (
            self.indicators,
            self.area,
            self.villages,
            self.targets,
            self.projections,
            self.projects,
            self.reconciliation,
            self.aggregates,
            self.projection_paths,
            self.review,
        )

    def _copy(self, processed_dir: Path) -> Tables:
        """A copy whose frames can be changed without changing this one's (copy-on-write)."""
        copied = dataclasses.replace(
            self,
            processed_dir=processed_dir,
            indicators=self.indicators.copy(deep=False),
            area=self.area.copy(deep=False),
            villages=self.villages.copy(deep=False),
            targets=self.targets.copy(deep=False),
            projections=self.projections.copy(deep=False),
            projects=self.projects.copy(deep=False),
            reconciliation=self.reconciliation.copy(deep=False),
            aggregates=self.aggregates.copy(deep=False),
            projection_paths=self.projection_paths.copy(deep=False),
            review=self.review.copy(deep=False),
            # A deep copy; the summary is plain data, and pickling copies it ~10× faster than
            # copy.deepcopy (a warm worker copies it twice a page).
            summary=pickle.loads(pickle.dumps(self.summary, pickle.HIGHEST_PROTOCOL)),
        )
        copied._handed = tuple(map(id, copied._frames()))
        return copied

    def place(self) -> tuple[str, str | None]:
        """(level, code) of the place the tables cover (:func:`place_of`)."""
        return place_of(self.aggregates, self.scope)

    def place_name(self) -> str:
        """The name of the place the tables cover (:func:`place_name_of`)."""
        return place_name_of(self.aggregates, self.scope)

    def unit_names(self) -> dict[str, str]:
        """Code → name of the towns and counties (and a prefecture) of the data set."""
        units = self.aggregates
        if units.empty:
            return {}
        units = units[units["level"] != "village"].drop_duplicates("code")
        return dict(zip(units["code"].astype(str), units["name"].astype(str), strict=True))

    def frame(
        self,
        indicator: str | Sequence[str] | None = None,
        level: str = "village",
        years: Iterable[int] | None = None,
        *,
        wide: bool = False,
    ) -> pd.DataFrame:
        """The figures of one level, tidy: code, name, year, indicator, value (the processed
        ``aggregates``, limited to the town where the tables are). ``indicator`` is an id or
        several (None: every one); ``years`` some years (None: all). ``wide`` gives one row a
        place (code, name) and one column a year, for one indicator: e.g.
        ``tables.frame(indicator="medical_insurance_rate", level="town", years=[2018, 2019])``.
        """
        if level not in LEVELS:
            raise ParameterError(
                f"级别只能是 {'、'.join(LEVELS)} / level must be one of {list(LEVELS)}, "
                f"not {level!r}"
            )
        rows = self.aggregates[self.aggregates["level"] == level]
        if self.scope is not None:
            rows = rows[rows["code"].astype(str).str.startswith(self.scope)]
        if indicator is not None:
            wanted = [indicator] if isinstance(indicator, str) else list(indicator)
            unknown = sorted(set(wanted) - set(self.aggregates["indicator"]))
            if unknown:
                raise ParameterError(
                    f"数据中没有指标 {', '.join(unknown)} / no such indicator in the data: "
                    f"{', '.join(unknown)}"
                )
            rows = rows[rows["indicator"].isin(wanted)]
        if years is not None:
            rows = rows[rows["year"].isin([int(y) for y in years])]
        tidy = rows[["code", "name", "year", "indicator", "value"]].reset_index(drop=True)
        if not wide:
            return tidy
        if tidy["indicator"].nunique() > 1:
            raise ParameterError("wide=True 只用于一个指标 / wide=True takes one indicator")
        return tidy.pivot_table(
            index=["code", "name"], columns="year", values="value", aggfunc="first"
        )

    def towns(self) -> pd.DataFrame:
        """The towns of the data set: code and name, in code order."""
        towns = self.aggregates[self.aggregates["level"] == "town"]
        return towns.drop_duplicates("code")[["code", "name"]].reset_index(drop=True)

    def town_of(self, village_code: str | int) -> Tables:
        """The tables of a village's own town (what its page is compared and ranked within)."""
        return self.town(str(village_code)[: LEVELS["town"]])

    def town(self, town_code: str) -> Tables:
        """The same tables limited to one town: its villages, and the town's own figures and
        targets in the place of the whole data set's (its targets' scope reads 'township'), so
        every section reads as that town's page.

        Tables as :func:`load_tables` handed them out (no frame replaced) are limited once per
        state of the folder and town: a warm worker's pages of one town share the work.
        """
        code = str(town_code)
        handed = bool(self._handed) and self._handed == tuple(map(id, self._frames()))
        if handed and ("town", code) in self._derived:
            return self._derived[("town", code)]._copy(self.processed_dir)
        view = self._limited(code)
        if not handed:
            return view
        self._derived[("town", code)] = view
        return view._copy(self.processed_dir)

    def _limited(self, code: str) -> Tables:
        villages = self.villages[self.villages["code"].astype(str).str[:9] == code]
        if villages.empty:
            known = ", ".join(f"{c} {n}" for c, n in self.towns().itertuples(index=False))
            raise ParameterError(
                f"乡镇代码 {code} 不在村名录中 / town code {code} is not in the registry. Known: {known}"
            )
        codes = set(villages["code"].astype(str))
        # In a one-town data set the whole ("township") is this town.
        names = {code, "township"} if len(self.towns()) == 1 else {code}

        def within(scope: pd.Series) -> pd.Series:
            parts = scope.astype(str).str.split(";")
            return parts.map(lambda p: (len(p) == 1 and p[0] in names) or set(p) <= codes)

        town = self.aggregates[
            (self.aggregates["level"] == "town") & (self.aggregates["code"] == code)
        ]

        def own(frame: pd.DataFrame) -> pd.DataFrame:
            # The town's own targets are the view's top scope, as a one-town data set's are.
            kept = frame[within(frame["scope"])]
            return kept.assign(scope=kept["scope"].astype(str).replace(code, "township"))

        return dataclasses.replace(
            self,
            _derived={},
            _handed=(),
            indicators=self.indicators[self.indicators["village_code"].astype(str).isin(codes)],
            area=town[[c for c in TOWN_COLUMNS if c in town.columns]].reset_index(drop=True),
            villages=villages,
            targets=own(self.targets) if len(self.targets) else self.targets,
            projections=own(self.projections) if len(self.projections) else self.projections,
            projection_paths=own(self.projection_paths)
            if len(self.projection_paths)
            else self.projection_paths,
            review=self.review[self.review["village_code"].astype(str).isin(codes)]
            if len(self.review)
            else self.review,
            projects=self.projects[self.projects["village_code"].astype(str).isin(codes)]
            if len(self.projects)
            else self.projects,
            reconciliation=self.reconciliation[within(self.reconciliation["scope_code"])]
            if len(self.reconciliation)
            else self.reconciliation,
            scope=code,
        )


def with_pending(
    figures: pd.DataFrame, pending: pd.DataFrame, level: str | None = None
) -> pd.DataFrame:
    """``figures`` (``area``, or ``aggregates`` when ``level`` is None) with the column
    :data:`PENDING_REVIEW` of the table ``pending_review``: how many of each figure's village
    values are pending review, 0 for those the table does not name."""
    counts = pd.Series(0, index=figures.index, dtype="int64")
    if len(pending):
        if level is not None:
            pending = pending[pending["level"] == level]
        keys = (
            ["year", "indicator"] if level is not None else ["level", "code", "year", "indicator"]
        )
        found = figures[keys].merge(
            pending[[*keys, PENDING_REVIEW]], on=keys, how="left", validate="many_to_one"
        )[PENDING_REVIEW]
        counts = pd.Series(found.fillna(0).astype("int64").to_numpy(), index=figures.index)
    return figures.assign(**{PENDING_REVIEW: counts})


def _read_optional(path: Path, reader) -> pd.DataFrame:
    return reader(path) if path.exists() else pd.DataFrame()


#: Tables read in this process, by resolved processed folder: (state, tables). A warm worker
#: keeps this module across ``%reset -f``, so its notebooks read the folder once, not each.
_CACHE: dict[Path, tuple[tuple, Tables]] = {}
#: Folders kept in :data:`_CACHE`; a build reads one, a test session many.
_CACHE_SIZE = 2


def _file_state(path: Path) -> tuple[int, int, int]:
    """Size, modification time and inode: an atomic replacement changes at least the inode."""
    stat = path.stat()
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def _folder_state(processed: Path) -> tuple:
    """What identifies the tables in ``processed`` as they are now: the stamp's content and the
    size, modification time and inode of every file :func:`load_tables` reads."""
    states = []
    for name in _LOADED_FILES:
        try:
            states.append((name, _file_state(path_of(processed, name))))
        except FileNotFoundError:
            states.append((name, None))
    stamp = path_of(processed, "stamp")
    return (stamp.read_bytes() if stamp.exists() else b"", tuple(states))


#: The files :func:`load_tables` reads; a change to any of them is a new state of the tables.
_LOADED_FILES = (
    "stamp",
    "indicators",
    "area",
    "villages",
    "villages_gpkg",
    "aggregates",
    "targets",
    "projections",
    "projection_paths",
    "review",
    "pending_review",
    "projects",
    "reconciliation",
    "summary",
)


#: A town's own figures in its view of the tables (:meth:`Tables.town`): its ``area``.
TOWN_COLUMNS = ("year", "indicator", "value", "villages", PENDING_REVIEW)


def place_of(aggregates: pd.DataFrame, scope: str | None = None) -> tuple[str, str | None]:
    """(level, code) of the place an aggregates table covers: the town ``scope`` limits it to,
    the one town of a one-town data set, else the county, or the prefecture of several counties.
    """
    if scope is not None:
        return "town", scope
    if aggregates.empty:
        return "town", None
    towns = aggregates[aggregates["level"] == "town"]["code"].unique()
    if len(towns) == 1:
        return "town", str(towns[0])
    counties = aggregates[aggregates["level"] == "county"]["code"].unique()
    return ("county", str(counties[0])) if len(counties) == 1 else ("prefecture", None)


def place_name_of(aggregates: pd.DataFrame, scope: str | None = None) -> str:
    """The name of that place (:func:`place_of`); '' where the registry names none. The index
    reads it from the aggregates alone, without the other tables."""
    if aggregates.empty:
        return ""
    level, code = place_of(aggregates, scope)
    names = aggregates[aggregates["level"] == level]
    names = names if code is None else names[names["code"] == code]
    return str(names["name"].iloc[0]) if len(names) else ""


def load_tables(
    processed_dir: Path | str | None = None,
    raw_dir: Path | str | None = None,
    *,
    town_code: str | None = None,
) -> Tables:
    """Read the processed tables; never prepares them.

    The tables are read once per state of the folder in a process (a warm worker's notebooks
    share one read); every call gets its own copy, checked against ``raw_dir`` as given, and
    a folder changed in any file since is read again.

    Parameters
    ----------
    processed_dir
        Folder of processed tables; defaults to the project's ``data/processed``.
    raw_dir
        The raw folder the tables must have been made from; when given, tables made from another
        folder, or from an earlier state of this one, are refused (:class:`StaleTablesError`).
    town_code
        Limit the tables to one town (:meth:`Tables.town`): its page, or its villages' pages.

    Raises
    ------
    MissingFileError
        The folder holds no prepared tables (run ``minsheng prepare RAW PROCESSED`` first).
    """
    processed = Path(processed_dir or config.PROCESSED_DIR)
    stamp = read_stamp(processed)
    if stamp is None or not path_of(processed, "indicators").exists():
        raise MissingFileError(
            f"{processed} 中没有处理后的数据表；请先运行 minsheng prepare 原始数据目录 {processed} / "
            f"no prepared tables in {processed}: run `minsheng prepare RAW {processed}` first"
        )
    if raw_dir is not None and not is_current(raw_dir, processed):
        raise StaleTablesError(
            f"{processed} 中的数据表来自 {stamp.get('raw_dir')}，与 {Path(raw_dir).resolve()} 的当前内容不符；"
            f"请重新运行 minsheng prepare / the tables in {processed} were made from "
            f"{stamp.get('raw_dir')}, not from {Path(raw_dir).resolve()} as it is now: prepare again"
        )
    key = processed.resolve()
    before = _folder_state(processed)
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == before:
        tables = cached[1]._copy(processed)
    else:
        tables = _read_tables(processed)
        # Cached only when no file changed while it was read (prepare running meanwhile).
        if _folder_state(processed) == before:
            _CACHE.pop(key, None)
            _CACHE[key] = (before, tables)
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
        tables = tables._copy(processed)
    return tables.town(town_code) if town_code else tables


def _read_tables(processed: Path) -> Tables:
    stamp = read_stamp(processed) or {}
    gpkg = path_of(processed, "villages_gpkg")
    villages = (
        gpd.read_file(gpkg) if gpkg.exists() else pd.read_parquet(path_of(processed, "villages"))
    )
    pending = _read_optional(path_of(processed, "pending_review"), pd.read_parquet)
    aggregates = _read_optional(path_of(processed, "aggregates"), pd.read_parquet)
    return Tables(
        processed_dir=processed,
        indicators=pd.read_parquet(path_of(processed, "indicators")),
        area=with_pending(pd.read_parquet(path_of(processed, "area")), pending, WHOLE_LEVEL),
        villages=villages,
        targets=_read_optional(path_of(processed, "targets"), pd.read_parquet),
        projections=_read_optional(path_of(processed, "projections"), pd.read_parquet),
        projects=_read_optional(path_of(processed, "projects"), pd.read_parquet),
        reconciliation=_read_optional(path_of(processed, "reconciliation"), read_reconciliation),
        summary=read_summary(processed),
        sample=bool(stamp.get("sample", False)),
        aggregates=with_pending(aggregates, pending) if len(aggregates) else aggregates,
        projection_paths=_read_optional(path_of(processed, "projection_paths"), pd.read_parquet),
        review=_read_optional(path_of(processed, "review"), pd.read_parquet),
        changes=_read_optional(path_of(processed, "changes"), pd.read_parquet),
        restated=_read_optional(path_of(processed, "restated"), pd.read_parquet),
    )
