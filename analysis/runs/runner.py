"""Executing the report notebooks: prepare once, then the township and every village.

Runs are parallel (one worker per core by default), cached (a report whose notebook,
parameters, input data and package version are unchanged is not run again), failure-isolated
(a failing village gets an error page; the others go on) and safe to interrupt (every file is
written atomically; executed notebooks are assembled outside ``reports/``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

import pandas as pd

from analysis import config
from analysis.errors import DataError, ValidationFailed
from analysis.iorw import remove_stale_temporaries
from analysis.pipeline.prepare import ensure_processed
from analysis.pipeline.store import path_of, read_stamp, read_summary
from analysis.reporting import explorer, index_page, kept, problems, publish
from analysis.reporting.index_page import TOP_KEYS
from analysis.runs.execute import RunSettings
from analysis.runs.executors import executor_for, started_pool
from analysis.runs.jobs import (
    CACHE_FILE,
    BuildCache,
    BuildResult,
    ExplorerJob,
    JobResult,
    document_jobs,
    pages_not_planned,
    plan_jobs,
    reuse,
)
from analysis.version import code_fingerprint


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
    executor: str = "inprocess",
    scheduler: str | None = None,
    progress: bool | Callable[[JobResult], None] = True,
    accept_errors: bool = False,
    strict: bool = False,
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
        ``"inprocess"`` (cells run in each worker's own IPython shell), ``"warm"`` (a
        kept-alive kernel per worker) or ``"papermill"`` (a fresh kernel per run).
    scheduler
        Address of a Dask distributed scheduler (``tcp://host:8786``) to run the notebooks on;
        the workers must see the same data, notebooks and reports paths.
    progress
        True for a progress bar, False for none, or a callable receiving each result.
    accept_errors
        Publish even though validation found errors; every page then says how many, with a
        link to the problem list. Without it such data stops the build (:class:`ValidationFailed`).
    strict
        Refuse values the plausibility review flagged and no 核实说明 confirms
        (:class:`ValidationFailed`), for offices that publish nothing before every 核实 is done.

    Returns
    -------
    BuildResult
        Each page's outcome; ``.ok`` is False when any page failed (its page says why).
    """
    raw = Path(data_dir)
    processed = _processed(processed_dir)
    # Absolute: jobs may run on Dask workers on other machines, whose working folder differs.
    notebooks = Path(notebooks_dir).resolve()
    year_dir = (Path(out_dir) / str(year)).resolve()
    year_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(year_dir)

    # A first build (or a forced one) runs every page: its workers start and warm up now,
    # while the tables are prepared, rather than once they are.
    cold = scheduler is None and (force or not (year_dir / CACHE_FILE).exists())
    started = started_pool(workers, executor) if cold else None
    try:
        prepared = prepare_tables(raw, processed, force=force)
        sample = bool(read_stamp(processed).get("sample"))
        try:
            accepted_errors = _check_validation(processed, accept_errors)
        except ValidationFailed:
            _mark_refused(processed, year_dir, year, sample, lang)
            raise
        if strict:
            _check_confirmed(processed)
        _check_year(processed, year)
        jobs = plan_jobs(
            processed, year, raw_dir=raw, villages=villages, lang=lang, notebooks_dir=notebooks
        )

        cache = BuildCache(year_dir / CACHE_FILE)
        keys = {job.key: job.cache_key(notebooks, accepted_errors=accepted_errors) for job in jobs}
        results, pending = reuse(jobs, cache.entries, keys, year_dir, force=force)

        drawn = document_jobs(jobs, pending, year_dir)
        # The explorer is written by a worker, which has the tables loaded and mapclassify
        # imported for its classes: in this process both would be work on no core of its own.
        explore = (
            []
            if explorer.is_current(processed, year_dir, year, sample, lang, accepted_errors)
            else [ExplorerJob(str(processed.resolve()), year, sample, lang, accepted_errors)]
        )
        written: list[JobResult] = []
        explored: JobResult | None = None
        report = _progress_callback(progress, len(pending) + len(drawn) + len(explore))
        failed_besides: list[Exception] = []

        def beside() -> None:
            # The downloads and the problem list need only the processed tables: written while
            # the workers build the pages, not after them. An error is raised once the pages
            # are recorded.
            for write in (
                lambda: index_page.write_downloads(processed, year_dir),
                lambda: problems.write_problems_page(processed, year_dir, year, sample, lang),
            ):
                try:
                    write()
                except Exception as error:
                    failed_besides.append(error)

        try:
            settings = RunSettings(
                str(notebooks),
                str(year_dir),
                sample,
                executor,
                accepted_errors,
                code_fingerprint(),
            )
            runs = cache.longest_first([*explore, *drawn, *pending])
            run = started if started is not None and runs else None
            for result in (run or executor_for(len(runs), workers, scheduler)).run(
                runs, settings, beside
            ):
                if result.kind == "explorer":
                    explored = result
                else:
                    cache.record(keys, result)
                    (written if result.kind == "documents" else results).append(result)
                report(result)
        finally:
            cache.save()
            report(None)
        if failed_besides:
            raise failed_besides[0]

        results.sort(key=lambda r: (r.key not in TOP_KEYS, r.key))
        kept.prune_pages(year_dir)
        _clear_refused(year_dir)
        listed = sorted(
            [*results, *pages_not_planned(cache.entries, jobs, year_dir)],
            key=lambda r: (r.key not in TOP_KEYS, r.key),
        )
        index = index_page.write_index(
            processed, year_dir, year, listed, sample, accepted_errors, lang=lang
        )
        return BuildResult(
            year=year,
            out_dir=year_dir,
            index=index,
            results=results,
            prepared=prepared,
            documents=sorted(written, key=lambda r: (r.key not in TOP_KEYS, r.key)),
            explorer=explored,
        )
    finally:
        if started is not None:
            started.close()


def prepare_tables(
    data_dir: Path | str = config.RAW_DIR,
    processed_dir: Path | str | None = None,
    *,
    force: bool = False,
) -> bool:
    """A build's first step on its own: the processed tables of ``data_dir`` (in
    ``processed_dir``, ``data/processed`` when None), prepared unless they are current. True
    when they were prepared. A watch calls it as soon as a file changes, while it settles."""
    return ensure_processed(Path(data_dir), _processed(processed_dir), force=force) is not None


def _processed(processed_dir: Path | str | None) -> Path:
    return Path(processed_dir or config.PROCESSED_DIR)


def _check_validation(processed: Path, accept_errors: bool) -> int:
    """The number of error-level problems the pages must admit to; raises when they may not.

    Data that failed validation (rejected rows or values, or rows that do not add up) is
    published only when the user accepts it.
    """
    summary = read_summary(processed)
    errors = int(summary["problems"]["error"])
    failed = errors + (0 if summary["accounting_ok"] else 1)
    if failed and not accept_errors:
        rules = "，".join(f"{rule} {n}" for rule, n in summary["problems"]["by_rule"].items())
        raise ValidationFailed(
            f"数据检查未通过：{errors} 处错误{'' if summary['accounting_ok'] else '，且行数核对不符'}"
            f"（{rules}），未生成任何报告。问题清单：{path_of(processed, 'quarantine')}\n"
            "请改正原始数据后重新运行；如确需照样生成，加 --accept-errors（每页将注明数据有误）。\n"
            f"Validation failed: {errors} errors"
            f"{'' if summary['accounting_ok'] else ' and rows that do not add up'}; no report was "
            f"built. Problems: {path_of(processed, 'quarantine')}. Fix the raw data and run again, "
            "or pass --accept-errors to publish anyway (every page will say so)."
        )
    return failed


def _check_confirmed(processed: Path) -> None:
    """Raise when a value the review flagged is not confirmed (``build --strict``)."""
    waiting = int(read_summary(processed)["problems"].get("review", 0))
    if waiting:
        where = path_of(processed, "quarantine")
        raise ValidationFailed(
            f"有 {waiting} 个数值待核实（核实性审核），未生成任何报告（--strict）。"
            f"待核实清单：{where}（严重程度为 review 的各行）。请改正数值，或在原始数据文件夹的"
            "核实说明.csv 中写明核实说明后重新运行。\n"
            f"{waiting} values flagged by the plausibility review are not confirmed; no report "
            f"was built (--strict). The list: {where} (its rows of severity review). Correct "
            "each value, or confirm it in 核实说明.csv in the raw folder, and run again."
        )


#: In a year's folder while its pages carry the notice of refused data (:func:`_mark_refused`).
REFUSED_MARKER = ".refused"


def _mark_refused(processed: Path, year_dir: Path, year: int, sample: bool, lang: str) -> None:
    """Where reports were built before, list the refused data's problems and say at the top of
    the index and of every page that the reports were not updated: a page opened on its own
    must not pass for the data as it is now."""
    if not (year_dir / "index.html").exists():
        return
    problems.write_problems_page(processed, year_dir, year, sample, lang)
    errors = int(read_summary(processed)["problems"]["error"])
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    (year_dir / REFUSED_MARKER).touch()
    for page in _pages_built(year_dir):
        publish.mark_refused(year_dir, page, errors, when, lang)


def _clear_refused(year_dir: Path) -> None:
    """After a build that succeeds, no page says its data was refused: the pages it reused
    (and those it did not plan) are given back as they were built."""
    marker = year_dir / REFUSED_MARKER
    if not marker.exists():
        return
    for page in _pages_built(year_dir):
        publish.clear_refused(year_dir / page)
    marker.unlink()


def _pages_built(year_dir: Path) -> list[str]:
    """The index, the explorer and every page the build cache lists that is there, as paths
    under ``year_dir``."""
    entries = BuildCache(year_dir / CACHE_FILE).entries.values()
    pages = ["index.html", explorer.PAGE, *(entry["result"]["html"] for entry in entries)]
    return [page for page in pages if (year_dir / page).exists()]


def _check_year(processed: Path, year: int) -> None:
    """Refuse a report year the data has no figure for, rather than show another year's."""
    years = pd.read_parquet(path_of(processed, "indicators"), columns=["year"])["year"].unique()
    if year not in years:
        have = "、".join(str(y) for y in sorted(years)) or "无"
        raise DataError(
            f"原始数据中没有{year}年的任何数据（已有年份：{have}），不能生成{year}年报告；"
            f"请检查{year}年的台账是否已放入数据目录、能否被读取（见 minsheng validate）。/ "
            f"the raw data holds no figure for {year} (years present: {have}); no {year} "
            "report can be built. Check that the year's workbook is in the folder and readable."
        )


def _progress_callback(progress, total: int) -> Callable[[JobResult | None], None]:
    if callable(progress):
        return lambda r: r is not None and progress(r)
    if not progress or total == 0:
        return lambda r: None
    from tqdm import tqdm

    # Pages and each page's documents (Word, print maps) count alike: "项", not "页".
    bar = tqdm(total=total, unit="项", desc="生成报告 Building", dynamic_ncols=True)

    def update(result: JobResult | None) -> None:
        if result is None:
            bar.close()
            return
        what = {"documents": f"{result.key} Word/PDF", "explorer": explorer.PAGE}.get(
            result.kind, result.key
        )
        bar.set_postfix_str(f"{what} {'✓' if result.ok else '✗ 失败'}")
        bar.update(1)

    return update
