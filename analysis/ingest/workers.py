"""The second core for a prepare: processes forked from this one, which inherit what it holds.

A prepare reads its raw files and writes its tables in one process, on one core. A forked child
sees the registry, the catalog and the tables already made without their being pickled: only its
arguments' names and what it returns travel. Fork only, and only on Linux: spawn (Windows, the
macOS default) would import the package again and pickle every argument, which costs more than
it saves at the sizes concerned; there every call here says to work in this process.

``MINSHENG_WORKERS=1`` in the environment makes every step work in this process (for tests,
for a debugger, for a profile); a larger number caps the processes.

A user-caused error raised in a child comes back as itself (:mod:`concurrent.futures` pickles
it); a bug comes back with the child's traceback as its cause.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import ctypes
import functools
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures.process import _ExecutorManagerThread
from typing import Any

from analysis.errors import ParameterError

#: The environment variable that caps the processes; 1 works in this process alone.
WORKERS_ENV = "MINSHENG_WORKERS"
#: At most this many: each child holding a province workbook's part takes some hundreds of MB.
MAX_WORKERS = 2
_PR_SET_PDEATHSIG = 1


def worker_count(jobs: int) -> int:
    """How many processes to give ``jobs`` independent jobs: one per core up to
    :data:`MAX_WORKERS` (or the cap of :data:`WORKERS_ENV`), never more than the jobs; 1 where
    there is no fork, or where forking now would not be sound (:func:`_safe_to_fork`)."""
    if not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0))
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    if wanted and not (wanted.isdigit() and int(wanted) >= 1):
        raise ParameterError(
            f"{WORKERS_ENV} 须为至少 1 的整数 / {WORKERS_ENV} must be a whole number of at least 1,"
            f" not {wanted!r}"
        )
    cap = int(wanted) if wanted else MAX_WORKERS
    if not _safe_to_fork():
        return 1
    return max(1, min(cores, cap, jobs))


def _safe_to_fork() -> bool:
    """Whether a fork of this process now would be sound: called from the main thread, and no
    other thread runs but a process pool's own (its manager, its queue's feeder: they take no
    lock a child uses). A fork copies only the thread that forks; a lock another thread held
    at that moment (an import's, an output stream's) stays held in the child for ever, and the
    child hangs the first time it needs it. A Dask client's event loop, a watch's threads:
    then the work is done here."""
    return threading.current_thread() is threading.main_thread() and all(
        thread is threading.main_thread()
        or isinstance(thread, _ExecutorManagerThread)  # it has no name of its own
        or thread.name == "QueueFeederThread"
        for thread in threading.enumerate()
    )


def forked_pool(
    workers: int, initializer: Callable[..., object] | None = None, initargs: tuple = ()
) -> cf.ProcessPoolExecutor:
    """A pool of ``workers`` forked processes, each having run ``initializer(*initargs)``: the
    arguments are inherited by the fork, never pickled. Its processes end with this one."""
    return cf.ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_start_worker,
        initargs=(os.getpid(), initializer, initargs),
    )


def _start_worker(parent: int, initializer: Callable[..., object] | None, initargs: tuple) -> None:
    # Ended by the kernel when the prepare's process dies, even by SIGKILL: nothing would
    # ever again send it work. A parent gone before this ran is seen by the check after.
    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
    if initializer is not None:
        initializer(*initargs)


_job: tuple[Callable[..., Any], tuple, dict] | None = None


def _keep(function: Callable[..., Any], args: tuple, kwargs: dict) -> None:
    global _job
    _job = (function, args, kwargs)


def _run_kept() -> Any:
    assert _job is not None  # set by the initializer, which runs first
    function, args, kwargs = _job
    return function(*args, **kwargs)


@contextlib.contextmanager
def meanwhile(
    function: Callable[..., Any], *args: Any, fork: bool = True, **kwargs: Any
) -> Iterator[Callable[[], Any]]:
    """``function(*args, **kwargs)`` started in a forked child while the block runs, its
    arguments inherited. Yields what gives its result (or raises its error): called in the
    block, it waits for the child. Without ``fork`` or a second core the function runs here
    when that is called, as it would have without a child. The block's end waits for the child,
    so that nothing it writes is still being written once the block is left, even by an error.
    """
    if not fork or worker_count(2) < 2:
        yield functools.partial(function, *args, **kwargs)
        return
    with forked_pool(1, _keep, (function, args, kwargs)) as pool:
        yield pool.submit(_run_kept).result
