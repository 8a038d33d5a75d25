"""Jobs: one notebook run per page, its cache key, and the build cache that skips unchanged pages."""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.core.aggregate import LEVELS
from analysis.core.labels import check_lang, label
from analysis.errors import ParameterError
from analysis.iorw import atomic_write_text
from analysis.pipeline import store
from analysis.reporting import reads
from analysis.reporting.index_page import TOP_KEYS, documents_exist
from analysis.reporting.kept import pages_dir
from analysis.reporting.publish import PAGE_DIRS, safe_filename
from analysis.version import __version__, code_fingerprint

PREPARE_NOTEBOOK = "01_prepare.ipynb"
COUNTY_NOTEBOOK = "05_county.ipynb"
TOWNSHIP_NOTEBOOK = "10_township.ipynb"
VILLAGE_NOTEBOOK = "20_village.ipynb"
CACHE_FILE = ".build-cache.json"
#: In a page's cache entry: how long its documents took to write the last time.
DOCUMENTS_SECONDS = "documents_seconds"
TOWN_CODE_LENGTH = LEVELS["town"]


# --- jobs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One notebook run that produces one page."""

    key: str  # "township" or "county" (TOP_KEYS), a town code or a village code
    title: str
    notebook: str
    parameters: dict
    html: str  # path relative to the year's report folder
    data_fingerprint: str
    #: The pages above this one, top first: (name, link relative to this page).
    crumbs: tuple[tuple[str, str], ...] = ()
    #: What a job makes (:attr:`JobResult.kind`): a page.
    kind = "page"

    def cache_key(self, notebooks_dir: Path, *, accepted_errors: int) -> str:
        """What the page is made of; ``accepted_errors``, which every page states, among it: a
        page of an earlier build that stated another count (or none) is not current, though
        its own figures are."""
        digest = hashlib.sha256()
        digest.update(str(accepted_errors).encode())
        digest.update((notebooks_dir / self.notebook).read_bytes())
        digest.update(json.dumps(self.parameters, sort_keys=True, ensure_ascii=False).encode())
        digest.update(self.data_fingerprint.encode())
        digest.update(__version__.encode())
        digest.update(code_fingerprint().encode())
        return digest.hexdigest()

    def notebook_parameters(self, year_dir: Path) -> dict:
        """The parameters the notebook runs with: the page's own, and the folder where the
        year's pages keep their pictures (:func:`analysis.reporting.kept.pages_dir`).

        The folder is not among what the page is made of (:meth:`cache_key`, the page's
        provenance): a kept picture is what drawing it afresh gives."""
        return {**self.parameters, "pictures_dir": str(pages_dir(year_dir))}


@dataclass(frozen=True)
class DocumentJob:
    """Writing what an office prints besides a page: the Word summary and the print maps of
    the top page (``key`` in TOP_KEYS) or of one town (``key`` its code).

    A job of its own, so the pool draws documents beside the pages rather than the main
    process drawing them one after another once every page is done."""

    key: str
    title: str
    processed_dir: str
    year: int
    lang: str
    kind = "documents"

    @property
    def town_code(self) -> str | None:
        return None if self.key in TOP_KEYS else self.key


@dataclass(frozen=True)
class ExplorerJob:
    """Writing the explorer (``explore.html``, its script and data): a job of the pool, where
    the workers have the processed tables loaded and mapclassify imported for its classes,
    rather than work of the build's own process beside the pages."""

    processed_dir: str
    year: int
    sample: bool
    lang: str
    accepted_errors: int
    key = "explore"
    kind = "explorer"

    @property
    def title(self) -> str:
        return label("explore.job", self.lang)


def document_jobs(jobs: Sequence[Job], pending: Sequence[Job], year_dir: Path) -> list[DocumentJob]:
    """The documents to write: those of the top page and the towns whose page is rebuilt
    (their figures may have changed) or whose documents are missing."""
    rebuilt = {job.key for job in pending}
    out = []
    for job in jobs:
        if job.key not in TOP_KEYS and len(job.key) != TOWN_CODE_LENGTH:
            continue
        parameters = job.parameters
        drawn = DocumentJob(
            job.key,
            label("title.documents", parameters["lang"], page=job.title),
            parameters["processed_dir"],
            parameters["year"],
            parameters["lang"],
        )
        if job.key in rebuilt or not documents_exist(year_dir, drawn.town_code):
            out.append(drawn)
    return out


#: Any job of a build.
AnyJob = Job | DocumentJob | ExplorerJob


@dataclass
class JobResult:
    key: str
    title: str
    html: str
    ok: bool
    cached: bool = False
    seconds: float = 0.0
    error: str = ""
    where: str = ""
    #: "page" (a notebook's page), "documents" (a page's Word summary and print maps) or
    #: "explorer" (:class:`ExplorerJob`).
    kind: str = "page"


@dataclass
class BuildResult:
    """What ``build`` did: the index page, each page's outcome, the failures."""

    year: int
    out_dir: Path
    index: Path
    results: list[JobResult] = field(default_factory=list)
    prepared: bool = False
    #: The Word summaries and print maps written (kind "documents"), not pages.
    documents: list[JobResult] = field(default_factory=list)
    #: Writing the explorer, where it was not current (kind "explorer").
    explorer: JobResult | None = None

    @property
    def failed(self) -> list[JobResult]:
        extra = [] if self.explorer is None else [self.explorer]
        return [r for r in [*self.results, *self.documents, *extra] if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    @property
    def built(self) -> int:
        """Pages run in this build (the others were current and reused)."""
        return sum(not r.cached for r in self.results)


def page_slices(
    notebooks_dir: Path = config.NOTEBOOKS_DIR, top_notebook: str = TOWNSHIP_NOTEBOOK
) -> dict[str, frozenset[reads.Slice]]:
    """What the top page (made by ``top_notebook``), a town's and a village's page read, by
    page level: the slices the sections of their notebooks declare
    (:func:`analysis.reporting.reads.notebook_slices`)."""
    notebooks = Path(notebooks_dir)
    return {
        "top": reads.notebook_slices(notebooks / top_notebook),
        "town": reads.notebook_slices(notebooks / TOWNSHIP_NOTEBOOK),
        "village": reads.notebook_slices(notebooks / VILLAGE_NOTEBOOK),
    }


def page_fingerprints(
    processed: Path,
    codes: Sequence[str],
    year: int,
    *,
    slices: Mapping[str, frozenset[reads.Slice]] | None = None,
    top: str | None = None,
) -> dict[str, str]:
    """For each village of ``codes``, each of their towns and the top page (under the key
    ``top``, where given), a fingerprint of what its page reads: the slices its notebook's
    sections declare (:func:`page_slices`, or ``slices`` by page level), and nothing else.

    A village page reads its own rows, its town's figures of ``year`` and its rank in its
    town, among others; a town page its own figures and all its villages' rows. So a change in
    one village rebuilds that village, its town, and the town's other villages only where what
    they show changed (the town's figure of the report year, their rank): never a page that
    would be stale, never the whole county. Each table is read once, whatever the number of
    villages (:func:`analysis.reporting.reads.page_fingerprints`).
    """
    slices = page_slices() if slices is None else slices
    towns = sorted({code[:TOWN_CODE_LENGTH] for code in codes})
    pages = [
        *((code, reads.Page("village", code), slices["village"]) for code in codes),
        *((town, reads.Page("town", town), slices["town"]) for town in towns),
        *([(top, reads.Page("top"), slices["top"])] if top is not None else []),
    ]
    return reads.page_fingerprints(processed, pages, year)


def plan_jobs(
    processed_dir: Path,
    year: int,
    *,
    raw_dir: Path | None = None,
    villages: Sequence[str] | None = None,
    lang: str = "zh",
    notebooks_dir: Path = config.NOTEBOOKS_DIR,
) -> list[Job]:
    """Every page to build: the top page, one per town where there are several, one per village
    (all, or those in ``villages``, with their towns' pages), each with the fingerprint of what
    the sections of its notebook in ``notebooks_dir`` read (:func:`page_fingerprints`).

    A one-town data set has ``township.html`` at the top, as it always had; a data set of
    several towns has ``county.html`` and ``towns/<town_code>.html``.
    """
    check_lang(lang)
    processed = Path(processed_dir)
    registry = pd.read_parquet(store.path_of(processed, "villages"))
    known = dict(zip(registry["code"].astype(str), registry["name"], strict=True))
    wanted = list(known) if not villages else [str(v) for v in villages]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise ParameterError(
            f"村代码不在村名录中 / village codes not in the registry: {', '.join(unknown)}"
        )
    towns = dict(
        zip(
            registry["code"].astype(str).str[:TOWN_CODE_LENGTH], registry["town_name"], strict=False
        )
    )
    # Absolute paths: the cache must not depend on how a path was spelled on the command line.
    common = {"processed_dir": str(processed.resolve()), "year": int(year), "lang": lang}
    if raw_dir is not None:
        common["raw_dir"] = str(Path(raw_dir).resolve())
    top_key, top_notebook = (
        (TOP_KEYS[0], TOWNSHIP_NOTEBOOK) if len(towns) == 1 else (TOP_KEYS[1], COUNTY_NOTEBOOK)
    )
    fingerprints = page_fingerprints(
        processed,
        list(known),
        int(year),
        slices=page_slices(notebooks_dir, top_notebook),
        top=top_key,
    )
    index = (label("crumb.index", lang), "../index.html")
    if len(towns) == 1:
        (town_name,) = towns.values()
        top = Job(
            top_key,
            label("title.township", lang, town=town_name, year=year),
            top_notebook,
            common,
            "township.html",
            fingerprints[top_key],
            ((index[0], "index.html"),),
        )
        jobs, above = [top], {next(iter(towns)): (index, (town_name, "../township.html"))}
    else:
        county = (label("crumb.county", lang), "../county.html")
        names = registry.get("county_name", pd.Series(dtype=str)).dropna().astype(str).str.strip()
        counties = sorted(set(names) - {""})
        title = (
            label("title.county", lang, county=counties[0], year=year)
            if len(counties) == 1
            else label("title.county_page", lang, year=year)
        )
        top = Job(
            top_key,
            title,
            top_notebook,
            common,
            "county.html",
            fingerprints[top_key],
            ((index[0], "index.html"),),
        )
        jobs, above = [top], {}
        for town in sorted({code[:TOWN_CODE_LENGTH] for code in wanted}):
            page = f"{PAGE_DIRS['town']}/{safe_filename(town)}.html"
            jobs.append(
                Job(
                    town,
                    label("title.township", lang, town=towns[town], year=year),
                    TOWNSHIP_NOTEBOOK,
                    {**common, "town_code": town},
                    page,
                    fingerprints[town],
                    (index, county),
                )
            )
            above[town] = (index, county, (towns[town], f"../{page}"))
    for code in wanted:
        jobs.append(
            Job(
                code,
                label(
                    "title.village_tab",
                    lang,
                    name=known[code],
                    town=towns[code[:TOWN_CODE_LENGTH]],
                    year=year,
                ),
                VILLAGE_NOTEBOOK,
                {**common, "village_code": code},
                f"{PAGE_DIRS['village']}/{safe_filename(code)}.html",
                fingerprints[code],
                above[code[:TOWN_CODE_LENGTH]],
            )
        )
    return jobs


def load_cache(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def reuse(
    jobs: Sequence[Job], cache: dict, keys: dict[str, str], year_dir: Path, *, force: bool
) -> tuple[list[JobResult], list[Job]]:
    """The results of pages still current (same cache key, built fine, page on disk) and the
    jobs left to run; with ``force`` every job given runs."""
    reused, pending = [], []
    for job in jobs:
        entry = cache.get(job.key)
        current = (
            not force
            and entry
            and entry["cache_key"] == keys[job.key]
            and entry["ok"]
            and (year_dir / job.html).exists()
        )
        if current:
            reused.append(JobResult(**{**entry["result"], "cached": True}))
        else:
            pending.append(job)
    return reused, pending


def pages_not_planned(cache: dict, planned: Sequence[Job], year_dir: Path) -> list[JobResult]:
    """Pages an earlier build made that this one did not plan (a build of a few villages),
    still on disk: the index keeps listing them."""
    keys = {job.key for job in planned}
    return [
        JobResult(**{**entry["result"], "cached": True})
        for key, entry in cache.items()
        if key not in keys and (year_dir / entry["result"]["html"]).exists()
    ]


class BuildCache:
    """The build cache (:data:`CACHE_FILE`): each page's cache key and outcome.

    Saved after a finished page, so an interrupted build resumes where it stopped, but never
    so often that saving takes more than about :data:`SAVE_SHARE` of the build's time: the
    file grows with the pages, and rewriting it after each of a province's thousands of pages
    would cost more than the pages. :meth:`save` at the end writes what is left.
    """

    #: The most of the build's time that saving the cache may take.
    SAVE_SHARE = 0.05

    def __init__(self, path: Path) -> None:
        self.path = path
        self.entries = load_cache(path)
        self._unsaved = False
        self._next_save = 0.0
        self._documents_seconds: dict[str, float] = {}

    def record(self, keys: dict[str, str], result: JobResult) -> None:
        """Remember a finished page, or how long its documents took (kept with the page's
        entry, for :meth:`longest_first`); saved now unless the last save was too recent."""
        if result.kind == "documents":
            self._documents_seconds[result.key] = result.seconds
            if result.key not in self.entries:  # its page is not built yet: kept with it
                return
            self.entries[result.key][DOCUMENTS_SECONDS] = result.seconds
        else:
            seconds = self._documents_seconds.get(
                result.key, self.entries.get(result.key, {}).get(DOCUMENTS_SECONDS)
            )
            self.entries[result.key] = {
                "cache_key": keys[result.key],
                "ok": result.ok,
                "result": asdict(result),
                **({} if seconds is None else {DOCUMENTS_SECONDS: seconds}),
            }
        self._unsaved = True
        if time.monotonic() >= self._next_save:
            self.save()

    def longest_first(self, runs: Sequence[AnyJob]) -> list[AnyJob]:
        """``runs`` ordered by how long each took the last time, longest first: on a few
        workers, a rebuild of a handful of pages ends soonest when no long job starts last.
        The explorer and documents never written before go first (they take several pages'
        time), and pages never built keep their order after the others."""

        def seconds(run: AnyJob) -> float:
            if isinstance(run, ExplorerJob):
                return math.inf
            entry = self.entries.get(run.key, {})
            if isinstance(run, DocumentJob):
                return entry.get(DOCUMENTS_SECONDS, math.inf)
            return entry.get("result", {}).get("seconds", 0.0)

        return sorted(runs, key=seconds, reverse=True)

    def save(self) -> None:
        """Write the entries not yet on disk (atomically)."""
        if not self._unsaved:
            return
        started = time.monotonic()
        atomic_write_text(self.path, json.dumps(self.entries, ensure_ascii=False, indent=1))
        self._unsaved = False
        took = time.monotonic() - started
        self._next_save = started + took / self.SAVE_SHARE
