"""Executing the report notebooks: prepare once, then the township and every village.

Runs are parallel (one worker per core by default), cached (a report whose notebook,
parameters, input data and package version are unchanged is not run again), failure-isolated
(a failing village gets an error page; the others go on) and safe to interrupt (every file is
written atomically; executed notebooks are assembled outside ``reports/``).
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import hashlib
import json
import multiprocessing.util
import os
import shutil
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import __version__, config
from analysis.iorw import atomic_write_bytes, atomic_write_text, remove_stale_temporaries

if TYPE_CHECKING:  # importing nbformat costs ~2 s (jsonschema's format checkers); not at start-up
    import nbformat

PREPARE_NOTEBOOK = "01_prepare.ipynb"
TOWNSHIP_NOTEBOOK = "10_township.ipynb"
VILLAGE_NOTEBOOK = "20_village.ipynb"
FINGERPRINT_FILE = "_fingerprint.json"
CACHE_FILE = ".build-cache.json"
SUMMARY_DOCX = "summary.docx"
MAPS_DIR = "maps"  # print versions (PDF, SVG) of the township maps


# --- fingerprints ------------------------------------------------------------------------------


def fingerprint_files(paths: Iterable[Path], root: Path | None = None) -> str:
    """SHA-256 over the names (relative to ``root``) and bytes of ``paths``, in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(Path(p) for p in paths):
        name = path.relative_to(root) if root else path.name
        digest.update(str(name).encode("utf-8") + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _data_files(folder: Path) -> list[Path]:
    """Regular files below ``folder``, hidden files and temporaries excluded."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def fingerprint_dir(folder: Path) -> str:
    """Fingerprint of the content of every data file below ``folder``."""
    folder = Path(folder)
    return fingerprint_files(_data_files(folder), root=folder)


def _stat_signature(folder: Path) -> str:
    """A cheap signature (names, sizes, modification times) to skip hashing unchanged data."""
    digest = hashlib.sha256()
    for path in _data_files(folder):
        stat = path.stat()
        digest.update(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def _processed_is_current(raw_dir: Path, processed_dir: Path) -> bool:
    stamp = processed_dir / FINGERPRINT_FILE
    if not stamp.exists():
        return False
    recorded = json.loads(stamp.read_text(encoding="utf-8"))
    if recorded.get("version") != __version__ or recorded.get("raw_dir") != str(raw_dir.resolve()):
        return False
    if recorded.get("stat") == _stat_signature(raw_dir):
        return True
    return recorded.get("raw") == fingerprint_dir(raw_dir)


def prepare_stage(raw_dir: Path | str, processed_dir: Path | str):
    """Raw → processed tables and projections; records the raw fingerprint when done.

    Returns the :class:`analysis.process.PrepareResult`.
    """
    from analysis import process

    raw, processed = Path(raw_dir), Path(processed_dir)
    stamp = {
        "raw": fingerprint_dir(raw),
        "stat": _stat_signature(raw),
        "raw_dir": str(raw.resolve()),
        "version": __version__,
    }
    if processed.exists():
        remove_stale_temporaries(processed)
    result = process.prepare(raw, processed)
    write_projections(processed)
    atomic_write_text(processed / FINGERPRINT_FILE, json.dumps(stamp, indent=1) + "\n")
    return result


def write_projections(processed_dir: Path | str) -> Path:
    """Stage: processed indicators, township and targets → ``projections.parquet``."""
    import pandas as pd

    from analysis import trends
    from analysis.iorw import atomic_write_with

    processed = Path(processed_dir)
    projections = trends.assess_targets(
        pd.read_parquet(processed / "indicators.parquet"),
        pd.read_parquet(processed / "targets.parquet"),
        township=pd.read_parquet(processed / "township.parquet"),
    )
    return atomic_write_with(
        processed / "projections.parquet", lambda tmp: projections.to_parquet(tmp, index=False)
    )


def ensure_processed(
    raw_dir: Path | str, processed_dir: Path | str, *, force: bool = False
) -> bool:
    """Prepare the processed tables unless they are current for ``raw_dir``; True if it ran."""
    raw, processed = Path(raw_dir), Path(processed_dir)
    if not raw.is_dir():
        raise FileNotFoundError(f"原始数据目录不存在 / raw data folder not found: {raw}")
    if not force and _processed_is_current(raw, processed):
        return False
    prepare_stage(raw, processed)
    return True


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
    import pandas as pd

    digests = {code: hashlib.sha256() for code in codes}
    for name in ("indicators.parquet", "projections.parquet", "projects.parquet"):
        path = processed / name
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
    shared = [processed / n for n in ("villages.parquet", "targets.parquet", "villages.gpkg")]
    common = fingerprint_files([p for p in shared if p.exists()]).encode()
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
    import pandas as pd

    processed = Path(processed_dir)
    registry = pd.read_parquet(processed / "villages.parquet")
    known = dict(zip(registry["code"].astype(str), registry["name"], strict=True))
    wanted = list(known) if not villages else [str(v) for v in villages]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise KeyError(
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
            data_fingerprint=fingerprint_dir(processed),
        )
    ]
    from analysis.publish import safe_filename

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


# --- executing one job (in a worker process) ---------------------------------------------------


#: Cells papermill adds to an executed notebook; not part of the notebook the analyst wrote.
_PAPERMILL_TAGS = {"injected-parameters", "papermill-error-cell-tag"}


def _where(exc: BaseException, nb: nbformat.NotebookNode | None) -> str:
    """'cell N: first line' for the failed cell, N counted in the notebook as written."""
    if nb is None:
        return type(exc).__name__
    own = [c for c in nb.cells if not _PAPERMILL_TAGS & set(c.get("metadata", {}).get("tags", []))]
    for number, cell in enumerate(own, start=1):
        if any(o.get("output_type") == "error" for o in cell.get("outputs", [])):
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            return f"单元格 cell {number}: {first[:120]}"
    return type(exc).__name__


def run_job(
    job: Job, notebooks_dir: str, year_dir: str, sample: bool, executor: str = "warm"
) -> JobResult:
    """Execute ``job``'s notebook and write its page (or an error page); never raises."""
    from analysis import publish

    started = time.perf_counter()
    year_path = Path(year_dir)
    provenance = publish.Provenance(
        data_fingerprint=job.data_fingerprint, parameters=job.parameters, sample=sample
    )
    home = "../index.html" if "/" in job.html else "index.html"
    html_path = year_path / job.html
    executed_path = year_path / "notebooks" / f"{Path(job.html).stem}.ipynb"
    work = Path(tempfile.mkdtemp(prefix="minsheng-"))
    output = work / "executed.ipynb"
    nb = None
    try:
        nb = execute_notebook(Path(notebooks_dir) / job.notebook, output, job.parameters, executor)
        publish.write_page(html_path, publish.notebook_page(nb, job.title, provenance, home=home))
        ok, error, where = True, "", ""
    except Exception as exc:
        if nb is None and output.exists():
            import nbformat

            nb = nbformat.read(output, as_version=4)
        ok, where = False, _where(exc, nb)
        error = _error_text(exc)
        publish.write_page(
            html_path, publish.error_page(job.title, error, where, provenance, home=home)
        )
    finally:
        if output.exists():
            atomic_write_bytes(executed_path, output.read_bytes())
        shutil.rmtree(work, ignore_errors=True)
    return JobResult(
        key=job.key,
        title=job.title,
        html=job.html,
        ok=ok,
        seconds=time.perf_counter() - started,
        error=error,
        where=where,
    )


def _error_text(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        return f"{exc.ename}: {exc.evalue}"
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


#: Notebook executors: "warm" reuses one kernel per worker process (fast); "papermill" starts a
#: fresh kernel per notebook, exactly as the plain papermill command does.
EXECUTORS = ("warm", "papermill")
_warm_kernel = None  # this process's WarmKernel, started on first use


def _kernel():
    """This worker process's warm kernel, (re)started when missing or dead."""
    global _warm_kernel
    from analysis.engines import WarmKernel

    if _warm_kernel is None or not _warm_kernel.alive:
        _warm_kernel = WarmKernel(cwd=str(config.PROJECT_DIR))
        # Pool workers leave through os._exit, which skips atexit; multiprocessing's own
        # finalizers still run, so the kernel is shut down rather than orphaned.
        multiprocessing.util.Finalize(_warm_kernel, _warm_kernel.shutdown, exitpriority=10)
        atexit.register(_warm_kernel.shutdown)
    return _warm_kernel


def execute_notebook(
    source: Path, output: Path, parameters: dict, executor: str = "warm"
) -> nbformat.NotebookNode:
    """Run one parameterised notebook through papermill; returns the executed notebook.

    With ``executor="warm"`` the notebook runs on this process's warm kernel in a fresh
    namespace; its outputs are those of a plain papermill run (tests/test_equivalence.py).
    """
    import papermill

    from analysis import engines  # noqa: F401  (registers the warm engine and the translator)

    common = {
        "parameters": parameters,
        "kernel_name": "python3",
        "progress_bar": False,
        "cwd": str(config.PROJECT_DIR),
    }
    if executor == "papermill":
        return papermill.execute_notebook(str(source), str(output), **common)
    if executor != "warm":
        raise ValueError(f"executor must be one of {EXECUTORS}, not {executor!r}")
    # The executed notebook is written once at the end, not after every cell as papermill does
    # for a human watching a long run: pages are built from the returned notebook.
    return papermill.execute_notebook(
        str(source),
        str(output),
        engine_name="minsheng-warm",
        warm=_kernel(),
        request_save_on_cell_execute=False,
        **common,
    )


# --- the build ---------------------------------------------------------------------------------


def _load_cache(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def build(
    data_dir: Path | str = config.RAW_DIR,
    out_dir: Path | str = config.REPORTS_DIR,
    *,
    year: int = config.DEFAULT_YEAR,
    villages: Sequence[str] | None = None,
    workers: int | None = None,
    force: bool = False,
    processed_dir: Path | str | None = None,
    notebooks_dir: Path | str = config.NOTEBOOKS_DIR,
    lang: str = "zh",
    executor: str = "warm",
    scheduler: str | None = None,
    progress: bool | Callable[[JobResult], None] = True,
) -> BuildResult:
    """Build the reports for ``year``: prepare, then the township and every village, then the index.

    Parameters
    ----------
    data_dir
        Raw data folder (never modified).
    out_dir
        Reports root; pages go to ``out_dir/<year>/``.
    year
        Report year.
    villages
        Village codes to build; all in the registry when None.
    workers
        Parallel notebook runs; one per core when None.
    force
        Rebuild everything, ignoring the cache.
    processed_dir
        Where processed tables go; ``data/processed`` when None.
    notebooks_dir
        Folder holding the report notebooks.
    lang
        ``"zh"`` or ``"en"``.
    executor
        ``"warm"`` (a kept-alive kernel per worker) or ``"papermill"`` (a fresh kernel per run).
    scheduler
        Address of a Dask distributed scheduler (``tcp://host:8786``) to run the notebooks on;
        the workers must see the same data, notebooks and reports paths.
    progress
        True for a progress bar, False for none, or a callable receiving each result.

    Returns
    -------
    BuildResult
        Each page's outcome; ``.ok`` is False when any page failed (its page says why).
    """
    raw = Path(data_dir)
    processed = Path(processed_dir or config.PROCESSED_DIR)
    # Absolute: jobs may run on Dask workers on other machines, whose working folder differs.
    notebooks = Path(notebooks_dir).resolve()
    year_dir = (Path(out_dir) / str(year)).resolve()
    year_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(year_dir)

    prepared = ensure_processed(raw, processed, force=force)
    sample = (raw / config.SAMPLE_MARKER_FILE).exists()
    jobs = plan_jobs(processed, year, raw_dir=raw, villages=villages, lang=lang)

    cache_path = year_dir / CACHE_FILE
    cache = {} if force else _load_cache(cache_path)
    keys = {job.key: job.cache_key(notebooks) for job in jobs}
    results: list[JobResult] = []
    pending = []
    for job in jobs:
        entry = cache.get(job.key)
        if (
            entry
            and entry["cache_key"] == keys[job.key]
            and entry["ok"]
            and (year_dir / job.html).exists()
        ):
            results.append(JobResult(**{**entry["result"], "cached": True}))
        else:
            pending.append(job)

    report = _progress_callback(progress, len(pending))
    try:
        for result in _execute(
            pending, str(notebooks), str(year_dir), sample, executor, workers, scheduler
        ):
            _record(cache, cache_path, keys, result)
            results.append(result)
            report(result)
    finally:
        report(None)

    order = {job.key: i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order[r.key])
    docx = year_dir / SUMMARY_DOCX
    township_rebuilt = any(r.key == "township" and not r.cached for r in results)
    if township_rebuilt or not docx.exists() or not (year_dir / MAPS_DIR).exists():
        write_township_documents(processed, raw, year_dir, year, lang)
    index = write_index(processed, year_dir, year, results, sample)
    return BuildResult(year=year, out_dir=year_dir, index=index, results=results, prepared=prepared)


def _execute(
    jobs: Sequence[Job],
    notebooks: str,
    year_dir: str,
    sample: bool,
    executor: str,
    workers: int | None,
    scheduler: str | None,
) -> Iterator[JobResult]:
    """Run ``jobs`` and yield their results as they finish: in this process, in a local pool
    of worker processes, or on a Dask cluster. Every route calls :func:`run_job`."""
    if not jobs:
        return
    args = (notebooks, year_dir, sample, executor)
    if scheduler:
        from distributed import Client, as_completed

        with Client(scheduler) as client:
            futures = [
                client.submit(run_job, job, *args, key=f"minsheng-{job.key}-{uuid.uuid4().hex}")
                for job in jobs
            ]
            for future in as_completed(futures):
                yield future.result()
        return
    max_workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    if max_workers == 1:
        for job in jobs:
            yield run_job(job, *args)
        return
    with cf.ProcessPoolExecutor(max_workers=max_workers) as pool:
        futures = [pool.submit(run_job, job, *args) for job in jobs]
        for future in cf.as_completed(futures):
            yield future.result()


def _record(cache: dict, cache_path: Path, keys: dict, result: JobResult) -> None:
    """Remember a finished page at once, so an interrupted build resumes where it stopped."""
    cache[result.key] = {"cache_key": keys[result.key], "ok": result.ok, "result": asdict(result)}
    atomic_write_text(cache_path, json.dumps(cache, ensure_ascii=False, indent=1))


def _progress_callback(progress, total: int) -> Callable[[JobResult | None], None]:
    if callable(progress):
        return lambda r: r is not None and progress(r)
    if not progress or total == 0:
        return lambda r: None
    from tqdm import tqdm

    bar = tqdm(total=total, unit="页", desc="生成报告 Building", dynamic_ncols=True)

    def update(result: JobResult | None) -> None:
        if result is None:
            bar.close()
            return
        bar.set_postfix_str(f"{result.key} {'✓' if result.ok else '✗ 失败'}")
        bar.update(1)

    return update


def write_township_documents(
    processed_dir: Path, raw_dir: Path, year_dir: Path, year: int, lang: str
) -> list[Path]:
    """What an office passes on besides the pages: the summary as Word (analysis.narrative)
    and the township maps as PDF and SVG for print (analysis.maps)."""
    from analysis import maps, narrative, report

    tables = report.load_tables(processed_dir, raw_dir)
    written = [narrative.write_docx(year_dir / SUMMARY_DOCX, year, tables, lang=lang)]
    for name, figure in (
        ("corridor", report.corridor_figure(tables)),
        ("sanitation", report.sanitation_figure(tables, year)),
    ):
        if figure is None:
            continue
        for suffix in (".pdf", ".svg"):
            written.append(maps.save_figure(figure, year_dir / MAPS_DIR / f"{name}{suffix}"))
    return written


def write_index(
    processed_dir: Path, year_dir: Path, year: int, results: Sequence[JobResult], sample: bool
) -> Path:
    """Write ``index.html`` from the processed tables and the pages' outcomes."""
    from analysis import publish
    from analysis.report import index_entries

    entries, columns = index_entries(processed_dir, year, results)
    provenance = publish.Provenance(
        data_fingerprint=fingerprint_dir(processed_dir), parameters={"year": year}, sample=sample
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
