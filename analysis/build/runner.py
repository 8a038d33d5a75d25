"""Executing the report notebooks: prepare once, then the township and every village.

Runs are parallel (one worker per core by default), cached (a report whose notebook,
parameters, input data and package version are unchanged is not run again), failure-isolated
(a failing village gets an error page; the others go on) and safe to interrupt (every file is
written atomically; executed notebooks are assembled outside ``reports/``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from analysis import config
from analysis.build.executors import RunSettings, executor_for
from analysis.build.jobs import CACHE_FILE, BuildResult, JobResult, load_cache, plan_jobs, record
from analysis.iorw import remove_stale_temporaries
from analysis.pipeline.prepare import ensure_processed
from analysis.pipeline.store import read_stamp
from analysis.reporting import documents


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

    prepared = ensure_processed(raw, processed, force=force) is not None
    sample = bool(read_stamp(processed).get("sample"))
    jobs = plan_jobs(processed, year, raw_dir=raw, villages=villages, lang=lang)

    cache_path = year_dir / CACHE_FILE
    cache = {} if force else load_cache(cache_path)
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
        settings = RunSettings(str(notebooks), str(year_dir), sample, executor)
        for result in executor_for(len(pending), workers, scheduler).run(pending, settings):
            record(cache, cache_path, keys, result)
            results.append(result)
            report(result)
    finally:
        report(None)

    order = {job.key: i for i, job in enumerate(jobs)}
    results.sort(key=lambda r: order[r.key])
    township_rebuilt = any(r.key == "township" and not r.cached for r in results)
    if township_rebuilt or not documents.township_documents_exist(year_dir):
        documents.write_township_documents(processed, year_dir, year, lang)
    index = documents.write_index(processed, year_dir, year, results, sample, lang)
    return BuildResult(year=year, out_dir=year_dir, index=index, results=results, prepared=prepared)


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
