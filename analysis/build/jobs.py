"""Jobs: one notebook run per page, its cache key, and the build cache that skips unchanged pages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from analysis.errors import ParameterError
from analysis.iorw import atomic_write_text
from analysis.pipeline import store
from analysis.reporting.publish import safe_filename
from analysis.version import __version__

PREPARE_NOTEBOOK = "01_prepare.ipynb"
TOWNSHIP_NOTEBOOK = "10_township.ipynb"
VILLAGE_NOTEBOOK = "20_village.ipynb"
CACHE_FILE = ".build-cache.json"


# --- jobs --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One notebook run that produces one page."""

    key: str  # "township" or a village code
    title: str
    notebook: str
    parameters: dict
    html: str  # path relative to the year's report folder
    data_fingerprint: str

    def cache_key(self, notebooks_dir: Path) -> str:
        digest = hashlib.sha256()
        digest.update((notebooks_dir / self.notebook).read_bytes())
        digest.update(json.dumps(self.parameters, sort_keys=True, ensure_ascii=False).encode())
        digest.update(self.data_fingerprint.encode())
        digest.update(__version__.encode())
        return digest.hexdigest()


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


@dataclass
class BuildResult:
    """What ``build`` did: the index page, each page's outcome, the failures."""

    year: int
    out_dir: Path
    index: Path
    results: list[JobResult] = field(default_factory=list)
    prepared: bool = False

    @property
    def failed(self) -> list[JobResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed


def village_fingerprints(processed: Path, codes: Sequence[str]) -> dict[str, str]:
    """For each village, a fingerprint of what its report reads: its own rows of the
    indicator, projection and project tables, the registry, targets and village shapes.

    The village page also quotes township figures; those follow from every village's rows, so
    a change in one village rebuilds that village's page and the township page, not all pages.
    Each table is read once, whatever the number of villages.
    """
    digests = {code: hashlib.sha256() for code in codes}
    for name in ("indicators", "projections", "projects"):
        path = store.path_of(processed, name)
        if not path.exists():
            continue
        table = pd.read_parquet(path)
        column = "village_code" if "village_code" in table.columns else "scope"
        keys = table[column].astype(str)
        if column == "scope":  # a target over several villages ("a;b") belongs to each of them
            table = table.assign(_code=keys.str.split(";")).explode("_code")
            keys = table.pop("_code")
        hashes = pd.util.hash_pandas_object(table, index=False)
        for code, row_hashes in hashes.groupby(keys.to_numpy(), sort=False):
            if code in digests:
                digests[code].update(row_hashes.to_numpy().tobytes())
    shared = [store.path_of(processed, n) for n in ("villages", "targets", "villages_gpkg")]
    common = store.fingerprint_files([p for p in shared if p.exists()]).encode()
    for digest in digests.values():
        digest.update(common)
    return {code: digest.hexdigest() for code, digest in digests.items()}


def plan_jobs(
    processed_dir: Path,
    year: int,
    *,
    raw_dir: Path | None = None,
    villages: Sequence[str] | None = None,
    lang: str = "zh",
) -> list[Job]:
    """The township job and one job per village (all, or those in ``villages``)."""
    processed = Path(processed_dir)
    registry = pd.read_parquet(store.path_of(processed, "villages"))
    known = dict(zip(registry["code"].astype(str), registry["name"], strict=True))
    wanted = list(known) if not villages else [str(v) for v in villages]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise ParameterError(
            f"村代码不在村名录中 / village codes not in the registry: {', '.join(unknown)}"
        )
    # Absolute paths: the cache must not depend on how a path was spelled on the command line.
    common = {"processed_dir": str(processed.resolve()), "year": int(year), "lang": lang}
    if raw_dir is not None:
        common["raw_dir"] = str(Path(raw_dir).resolve())
    jobs = [
        Job(
            key="township",
            title=f"{year}年全镇民生工作总览",
            notebook=TOWNSHIP_NOTEBOOK,
            parameters=common,
            html="township.html",
            data_fingerprint=store.fingerprint_dir(processed),
        )
    ]
    fingerprints = village_fingerprints(processed, wanted)
    for code in wanted:
        jobs.append(
            Job(
                key=code,
                title=f"{known[code]} {year}年民生工作报告",
                notebook=VILLAGE_NOTEBOOK,
                parameters={**common, "village_code": code},
                html=f"villages/{safe_filename(code)}.html",
                data_fingerprint=fingerprints[code],
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


def record(cache: dict, cache_path: Path, keys: dict, result: JobResult) -> None:
    """Remember a finished page at once, so an interrupted build resumes where it stopped."""
    cache[result.key] = {"cache_key": keys[result.key], "ok": result.ok, "result": asdict(result)}
    atomic_write_text(cache_path, json.dumps(cache, ensure_ascii=False, indent=1))
