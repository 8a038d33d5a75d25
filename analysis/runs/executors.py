"""Where jobs run: one interface, one class per route (this process, a local pool, Dask).

Every route calls :func:`analysis.runs.execute.run_job` on each job and yields the results as
they finish; the runner does not know which route it has.

The build's own work beside the jobs (``beside``) runs in this process once the jobs are handed
out, never on a thread of its own: a worker is a fork of this process, and a fork taken while
another thread holds a lock (an import's, a stream's) keeps that lock held for ever, so that
the worker hangs on its first use.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import itertools
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Protocol

from analysis.errors import ParameterError
from analysis.runs.execute import RunSettings, crashed, run_job, warm_worker
from analysis.runs.jobs import AnyJob, JobResult


def _nothing() -> None:
    """No work beside the jobs."""


class Executor(Protocol):
    def run(
        self, jobs: Sequence[AnyJob], settings: RunSettings, beside: Callable[[], None] = _nothing
    ) -> Iterator[JobResult]:
        """Run ``jobs`` and yield their results as they finish; ``beside()`` in this process
        while they run, before the first result."""
        ...


class SerialExecutor:
    """Every job in this process, one after another (``beside`` first)."""

    def run(
        self, jobs: Sequence[AnyJob], settings: RunSettings, beside: Callable[[], None] = _nothing
    ) -> Iterator[JobResult]:
        beside()
        for job in jobs:
            yield run_job(job, settings)


class PoolExecutor:
    """A local pool of worker processes, each warmed up once (its shell, or its kernel).

    A notebook that crashes its worker process (a segfault in a C library: in-process, no
    kernel stands between the two) breaks the whole pool. The jobs its workers were running
    are then run again one at a time, which tells the one that crashed; it is reported as
    crashed (:func:`~analysis.runs.execute.crashed`) and the other jobs go on in a new pool.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        #: The pool :meth:`start` started, which the first round runs on.
        self._started: cf.ProcessPoolExecutor | None = None

    def start(self, engine: str) -> None:
        """Start the workers now and warm each up for ``engine`` (its imports, its shell or
        kernel), before the jobs are known: a cold build's workers warm up while the build
        prepares the tables, on the core that prepare leaves idle."""
        if self._started is None:
            self._started = _new_pool(self.workers)
            for _ in range(self.workers):
                self._started.submit(warm_worker, engine)

    def close(self) -> None:
        """End the workers :meth:`start` started, where no round has run on them."""
        if self._started is not None:
            self._started.shutdown(cancel_futures=True)
            self._started = None

    def run(
        self, jobs: Sequence[AnyJob], settings: RunSettings, beside: Callable[[], None] = _nothing
    ) -> Iterator[JobResult]:
        left = list(jobs)
        if not left:
            beside()
        while left:
            done: set[str] = set()
            running = yield from self._round(left, settings, self.workers, done, beside)
            beside = _nothing  # done in the first round, whose workers were forked before it
            left = [job for job in left if job_name(job) not in done]
            suspects = [job for job in left if job_name(job) in running]
            for job in suspects:
                left.remove(job)
                # Several were running when the pool broke: each alone tells which one did it.
                if len(suspects) > 1 and not (yield from self._round([job], settings, 1, set())):
                    continue
                yield crashed(job, settings)

    def _round(
        self,
        jobs: Sequence[AnyJob],
        settings: RunSettings,
        workers: int,
        done: set[str],
        beside: Callable[[], None] = _nothing,
    ) -> Generator[JobResult, None, set[str]]:
        """Run ``jobs`` in a new pool (the first round: on the one :meth:`start` started, if
        it did), adding each finished one's name to ``done``, and ``beside()`` once every
        worker is forked; returns the names of the jobs its workers were running when it broke
        (none if it did not)."""
        started, self._started = self._started, None
        if started is not None and workers != self.workers:
            started.shutdown(cancel_futures=True)
            started = None
        with (
            tempfile.TemporaryDirectory(prefix="minsheng-running-") as marks,
            started or _new_pool(workers) as pool,
        ):
            try:
                futures = [pool.submit(_run_noted, job, settings, marks) for job in jobs]
                beside()
                for future in cf.as_completed(futures):
                    result = future.result()
                    done.add(_name(result.kind, result.key))
                    yield result
            except BrokenProcessPool:
                return {note.read_text(encoding="utf-8") for note in Path(marks).iterdir()} - done
        return set()


def _new_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A pool of ``workers`` processes that end with this one."""
    return cf.ProcessPoolExecutor(
        max_workers=workers, initializer=exit_with_parent, initargs=(os.getpid(),)
    )


def job_name(job: AnyJob) -> str:
    """A job's name among a build's jobs: a town's page and its documents share a key."""
    return _name(job.kind, job.key)


def _name(kind: str, key: str) -> str:
    """The name of a job of ``kind`` (:attr:`JobResult.kind`) for ``key``."""
    return f"{kind}:{key}"


def _run_noted(job: AnyJob, settings: RunSettings, marks: str) -> JobResult:
    """:func:`run_job` in a pool worker, having noted which job this process is on: should it
    die, the pool can tell which job it was running."""
    Path(marks, str(os.getpid())).write_text(job_name(job), encoding="utf-8")
    return run_job(job, settings)


class DaskExecutor:
    """A Dask distributed cluster; its workers must see the same paths as this machine."""

    def __init__(self, scheduler: str) -> None:
        self.scheduler = scheduler

    def run(
        self, jobs: Sequence[AnyJob], settings: RunSettings, beside: Callable[[], None] = _nothing
    ) -> Iterator[JobResult]:
        from distributed import Client, KilledWorker, as_completed

        with Client(self.scheduler) as client:
            # A job is handed out only when a worker is free, in the order given: the
            # scheduler would assign them all at once, and a long job queued behind another
            # on one worker would leave the other idle at the end.
            waiting = iter(jobs)
            # At least one: a cluster whose workers are still connecting takes it when they are.
            slots = max(1, sum(w["nthreads"] for w in client.scheduler_info()["workers"].values()))

            submitted: dict[str, AnyJob] = {}

            def submit(job: AnyJob):
                future = client.submit(
                    run_job, job, settings, key=f"minsheng-{job.key}-{uuid.uuid4().hex}"
                )
                submitted[future.key] = job
                return future

            running = as_completed([submit(job) for job in itertools.islice(waiting, slots)])
            beside()
            for future in running:
                for job in itertools.islice(waiting, 1):
                    running.add(submit(job))
                try:
                    result = future.result()
                except KilledWorker:  # its notebook crashed the worker process
                    result = crashed(submitted[future.key], settings)
                # Let go of it: a result still wanted on a worker that dies is computed again
                # elsewhere, and would write its page again, perhaps during the next build.
                future.release()
                yield result


@contextlib.contextmanager
def local_workers(
    workers: int | None = None, port: int = 8786, executor: str = "inprocess"
) -> Iterator[str]:
    """Workers on this machine kept between builds, each with its notebook shell made and
    warmed up: a Dask cluster of single-threaded worker processes on loopback. Yields the
    scheduler's address, for ``build(scheduler=...)``; the workers end with the block. They
    are warmed up for the builds' ``executor`` (a kernel each for ``"warm"``).

    A build on a pool warms each worker up (seconds of imports); on these, a rebuild after a
    correction pays only for its pages.
    """
    import dask
    from distributed import Client, LocalCluster

    if workers is not None and workers < 1:
        raise ParameterError(f"工作进程数须至少为 1 / --workers must be at least 1, not {workers}")
    _check_port_free(port)
    with (
        dask.config.set(
            {
                # Dask samples each worker's running task every 10 ms for its dashboard's
                # profile: a page with kept pictures took 0.099-0.119 s with it, 0.071-0.093 s
                # without.
                "distributed.worker.profile.enabled": False,
                # A worker runs one job at a time: the job running when it died killed it.
                # Reported at once, not tried again on the next worker, and the next.
                "distributed.scheduler.allowed-failures": 0,
            }
        ),
        LocalCluster(
            n_workers=workers or os.cpu_count() or 1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            scheduler_port=port,
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as client,
    ):
        # As tasks, not client.run: jobs run on the worker's task thread, not on its event
        # loop's, and a warm kernel's connection (--executor warm) belongs to its thread.
        client.gather(
            [
                client.submit(
                    warm_worker, executor, key=f"minsheng-warm-up-{address}", workers=[address]
                )
                for address in client.scheduler_info()["workers"]
            ]
        )
        yield cluster.scheduler_address


def _check_port_free(port: int) -> None:
    """A clear refusal where the scheduler's port is taken (most often: workers started
    earlier and still running), rather than Dask's traceback."""
    import socket

    if not 0 <= port <= 65535:
        raise ParameterError(f"端口须在 0–65535 之间 / --port must be 0–65535, not {port}")
    with socket.socket() as probe:
        # As the scheduler binds: a port whose last connections are closing is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise ParameterError(
                f"端口 {port} 已被占用（可能已有 minsheng workers 在运行），请换一个端口（--port）"
                f"或先停止已运行的工作进程。/ port {port} is in use (workers already running?); "
                "choose another with --port, or stop those first."
            ) from exc


def exit_with_parent(parent: int) -> None:
    """Pool-worker initializer: end this worker as soon as the build's main process is gone.

    A SIGKILLed main process runs no clean-up, and pool workers blocked on their task queue
    would live on with their kernels; a kernel already ends itself when its worker is gone
    (ipykernel polls its parent), so ending the worker ends the whole tree.
    """

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="minsheng-exit-with-parent", daemon=True).start()


def started_pool(workers: int | None, engine: str) -> PoolExecutor | None:
    """A pool of ``workers`` (one per core) started and warming up for ``engine`` now
    (:meth:`PoolExecutor.start`), for a build that will run many jobs; None where one worker
    would do."""
    count = workers or os.cpu_count() or 1
    if count < 2:
        return None
    pool = PoolExecutor(count)
    pool.start(engine)
    return pool


def executor_for(jobs: int, workers: int | None, scheduler: str | None) -> Executor:
    """Dask when a scheduler is named; else a pool of ``workers`` (one per core), or this
    process alone when one worker would do."""
    if scheduler:
        return DaskExecutor(scheduler)
    count = max(1, min(workers or os.cpu_count() or 1, jobs))
    return SerialExecutor() if count == 1 else PoolExecutor(count)
