"""Running one job in a worker process: execute its notebook and write its page (or an error
page), or write a page's documents."""

from __future__ import annotations

import atexit
import multiprocessing.util
import shutil
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from analysis import config
from analysis.errors import MinshengError, ParameterError, StaleWorkersError
from analysis.iorw import atomic_write_bytes
from analysis.reporting import publish
from analysis.reporting.index_page import TOP_KEYS, document_paths
from analysis.runs.jobs import AnyJob, DocumentJob, ExplorerJob, Job, JobResult
from analysis.version import code_fingerprint

if TYPE_CHECKING:  # importing nbformat costs ~2 s (jsonschema's format checkers); not at start-up
    import nbformat

#: The code this process loaded (read as this module is imported): a worker kept between
#: builds goes on running it after the package is updated or edited.
LOADED_CODE = code_fingerprint()
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


@dataclass(frozen=True)
class RunSettings:
    """What every job of one build shares (plain values: they travel to other processes)."""

    notebooks_dir: str
    year_dir: str
    sample: bool
    engine: str = "inprocess"
    accepted_errors: int = 0
    #: The build's code fingerprint; a worker that loaded other code refuses its jobs.
    code: str = ""


def _check_code(settings: RunSettings) -> None:
    """Refuse to build with code other than the build's: its pages would be kept under keys
    that say they are current."""
    if settings.code and settings.code != LOADED_CODE:
        raise StaleWorkersError(
            "工作进程仍在运行更新前的 minsheng 代码，本页未生成。请重启工作进程"
            "（停止 minsheng workers 或 dask worker 后重新启动），再运行 minsheng build。/ "
            "The workers still run minsheng's code from before it was updated; this page was "
            "not built. Restart the workers (minsheng workers, or dask worker), then build again."
        )


def run_job(job: AnyJob, settings: RunSettings) -> JobResult:
    """Run one job of any kind; never raises."""
    if isinstance(job, DocumentJob):
        return run_documents(job, settings)
    if isinstance(job, ExplorerJob):
        return run_explorer(job, settings)
    return run_page(job, settings)


def run_documents(job: DocumentJob, settings: RunSettings) -> JobResult:
    """Write ``job``'s Word summary and print maps; a failure is a failed result, not a raise,
    so the pages being built beside it go on."""
    # Imported here: drawing loads matplotlib and statsmodels, which a worker that only runs
    # notebooks (on its kernel) does without.
    from analysis.reporting import print_documents

    def write() -> None:
        print_documents.write_documents(
            Path(job.processed_dir),
            Path(settings.year_dir),
            job.year,
            job.lang,
            job.town_code,
            settings.accepted_errors,
            # The county's page shows maps of its own; a town's page, these.
            page_maps_kept=job.key != TOP_KEYS[1],
        )

    result = _written(job, settings, write)
    if not result.ok:
        _remove_documents(Path(settings.year_dir), job.town_code)
    return result


def run_explorer(job: ExplorerJob, settings: RunSettings) -> JobResult:
    """Write the explorer page and its files; a failure is a failed result, not a raise."""
    from analysis.reporting import explorer

    def write() -> None:
        explorer.write_explorer(
            Path(job.processed_dir),
            Path(settings.year_dir),
            job.year,
            job.sample,
            job.lang,
            job.accepted_errors,
        )

    return _written(job, settings, write, html=explorer.PAGE)


def _written(
    job: DocumentJob | ExplorerJob, settings: RunSettings, write: Callable[[], None], html: str = ""
) -> JobResult:
    """The result of ``write()``, the work of a job that writes files beside the pages."""
    started = time.perf_counter()
    try:
        _check_code(settings)
        write()
        ok, error, where = True, "", ""
    except Exception as exc:
        ok = False
        if isinstance(exc, MinshengError):  # a user's to fix: the message says how
            error, where = str(exc), type(exc).__name__
        else:  # a bug: its whole traceback, for whoever fixes it
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            error = traceback.format_exc().strip()
            where = f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
    return JobResult(
        key=job.key,
        title=job.title,
        html=html,
        ok=ok,
        seconds=time.perf_counter() - started,
        error=error,
        where=where,
        kind=job.kind,
    )


def _remove_documents(year_dir: Path, town_code: str | None) -> None:
    """Remove a page's earlier documents once writing new ones failed: they may state figures
    the data no longer has, and without them the next build tries again."""
    docx, maps_dir = document_paths(year_dir, town_code)
    docx.unlink(missing_ok=True)
    for path in maps_dir.glob("*"):
        if path.is_file():  # the top page's maps folder also holds each town's folder
            path.unlink()


#: What a page or a document says when its worker process died while making it.
CRASHED = (
    "生成时工作进程意外退出：笔记本中的代码使进程崩溃（例如某个 C 扩展库出错）。其他页面不受影响；"
    "用 --executor warm 重新生成，可在本页看到出错的单元格。/ The worker process died while "
    "building this (the notebook's code crashed the process, e.g. in a C library). Other pages "
    "are not affected; build again with --executor warm to see the failing cell on this page."
)


def crashed(job: AnyJob, settings: RunSettings) -> JobResult:
    """The result of a job whose worker process died while running it: its page says so (and
    its documents are removed, as after any failure), so that nothing earlier passes for it."""
    if isinstance(job, DocumentJob):
        _remove_documents(Path(settings.year_dir), job.town_code)
    if not isinstance(job, Job):
        return JobResult(
            key=job.key, title=job.title, html="", ok=False, error=CRASHED, kind=job.kind
        )
    _write_error_page(job, settings, CRASHED, "worker process")
    return JobResult(
        key=job.key, title=job.title, html=job.html, ok=False, error=CRASHED, where="worker"
    )


def _provenance(job: Job, settings: RunSettings) -> publish.Provenance:
    return publish.Provenance(
        data_fingerprint=job.data_fingerprint,
        parameters=job.parameters,
        sample=settings.sample,
        accepted_errors=settings.accepted_errors,
    )


def _home(job: Job) -> str:
    return f"{publish.up_to_year(job.html)}index.html"


def _write_error_page(job: Job, settings: RunSettings, error: str, where: str) -> None:
    publish.write_page(
        Path(settings.year_dir) / job.html,
        publish.error_page(
            job.title,
            error,
            where,
            _provenance(job, settings),
            home=_home(job),
            crumbs=job.crumbs,
            lang=job.parameters.get("lang", "zh"),
        ),
    )


def run_page(job: Job, settings: RunSettings) -> JobResult:
    """Execute ``job``'s notebook and write its page (or an error page); never raises."""
    started = time.perf_counter()
    year_path = Path(settings.year_dir)
    notebooks_dir, executor = settings.notebooks_dir, settings.engine
    provenance = _provenance(job, settings)
    home = _home(job)
    lang = job.parameters.get("lang", "zh")
    html_path = year_path / job.html
    executed_path = year_path / "notebooks" / f"{Path(job.html).stem}.ipynb"
    work = Path(tempfile.mkdtemp(prefix="minsheng-"))
    output = work / "executed.ipynb"
    nb = None
    try:
        _check_code(settings)
        parameters = job.notebook_parameters(year_path)
        nb = execute_notebook(Path(notebooks_dir) / job.notebook, output, parameters, executor)
        publish.write_page(
            html_path,
            publish.notebook_page(
                nb, job.title, provenance, home=home, crumbs=job.crumbs, lang=lang
            ),
        )
        ok, error, where = True, "", ""
    except Exception as exc:
        if nb is None and output.exists():
            import nbformat

            nb = nbformat.read(output, as_version=4)
        ok, where = False, _where(exc, nb)
        error = _error_text(exc)
        _write_error_page(job, settings, error, where)
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


#: Notebook executors: "inprocess" runs the cells in the worker's own IPython shell (fastest);
#: "warm" reuses one kernel per worker process; "papermill" starts a fresh kernel per notebook,
#: exactly as the plain papermill command does.
EXECUTORS = ("inprocess", "warm", "papermill")
_warm_kernel = None  # this process's WarmKernel, started on first use


def _kernel():
    """This worker process's warm kernel, (re)started when missing or dead."""
    global _warm_kernel
    from analysis.runs.warm import WarmKernel

    if _warm_kernel is None or not _warm_kernel.alive:
        _warm_kernel = WarmKernel(cwd=str(config.PROJECT_DIR))
        # Pool workers leave through os._exit, which skips atexit; multiprocessing's own
        # finalizers still run, so the kernel is shut down rather than orphaned.
        multiprocessing.util.Finalize(_warm_kernel, _warm_kernel.shutdown, exitpriority=10)
        atexit.register(_warm_kernel.shutdown)
    return _warm_kernel


def warm_worker(executor: str = "inprocess") -> None:
    """Warm this process up for ``executor`` now, not with its first page: for workers kept
    between builds, so that no build waits for a kernel or the imports."""
    if executor == "inprocess":
        from analysis.runs import inprocess

        if inprocess.available():
            inprocess.shell()
    elif executor == "warm":
        _kernel()


def execute_notebook(
    source: Path, output: Path, parameters: dict, executor: str = "inprocess"
) -> nbformat.NotebookNode:
    """Run one parameterised notebook through papermill; returns the executed notebook.

    With ``executor="inprocess"`` the cells run in this process's IPython shell, with
    ``"warm"`` on this process's warm kernel, each in a fresh namespace; their outputs are those
    of a plain papermill run (tests/runs/test_equivalence.py).
    """
    import papermill

    from analysis.runs import warm  # noqa: F401  (registers the warm engine and the translator)

    common = {
        "parameters": parameters,
        "kernel_name": "python3",
        "progress_bar": False,
        "cwd": str(config.PROJECT_DIR),
    }
    if executor == "papermill":
        return papermill.execute_notebook(str(source), str(output), **common)
    # The executed notebook is written once at the end, not after every cell as papermill does
    # for a human watching a long run: pages are built from the returned notebook.
    once = {"request_save_on_cell_execute": False, **common}
    if executor == "inprocess":
        from analysis.runs import inprocess  # registers the in-process engine

        if not inprocess.available():  # a build started from JupyterLab: its shell is taken
            return execute_notebook(source, output, parameters, "warm")
        return papermill.execute_notebook(
            str(source), str(output), engine_name="minsheng-inprocess", **once
        )
    if executor != "warm":
        raise ParameterError(f"executor must be one of {EXECUTORS}, not {executor!r}")
    return papermill.execute_notebook(
        str(source), str(output), engine_name="minsheng-warm", warm=_kernel(), **once
    )
