"""Where jobs run: one interface, one class per route (this process, a local pool, Dask).

Every route calls :func:`analysis.build.execute.run_job` on each job and yields the results as
they finish; the runner does not know which route it has.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import os
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Protocol

from analysis.build.execute import RunSettings, run_job, warm_kernel
from analysis.build.jobs import Job, JobResult


class Executor(Protocol):
    def run(self, jobs: Sequence[Job], settings: RunSettings) -> Iterator[JobResult]:
        """Run ``jobs`` and yield their results as they finish."""
        ...


class SerialExecutor:
    """Every job in this process, one after another."""

    def run(self, jobs: Sequence[Job], settings: RunSettings) -> Iterator[JobResult]:
        for job in jobs:
            yield run_job(job, settings)


class PoolExecutor:
    """A local pool of worker processes, each with its own warm kernel."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._started: cf.ProcessPoolExecutor | None = None

    def start(self) -> PoolExecutor:
        """Start the workers and their kernels now, so that starting them (seconds) overlaps
        the caller's own work, preparing the tables; :meth:`run` then uses them."""
        if self._started is None:
            self._started = self._pool(warm=True)
            for _ in range(self.workers):  # the pool starts a worker per task while none is idle
                self._started.submit(int)
        return self

    def close(self) -> None:
        """Stop workers :meth:`start` started that no :meth:`run` used."""
        if self._started is not None:
            self._started.shutdown(cancel_futures=True)
            self._started = None

    def run(self, jobs: Sequence[Job], settings: RunSettings) -> Iterator[JobResult]:
        pool, self._started = self._started or self._pool(warm=False), None
        with pool:
            futures = [pool.submit(run_job, job, settings) for job in jobs]
            for future in cf.as_completed(futures):
                yield future.result()

    def _pool(self, *, warm: bool) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers, initializer=start_worker, initargs=(os.getpid(), warm)
        )


class DaskExecutor:
    """A Dask distributed cluster; its workers must see the same paths as this machine."""

    def __init__(self, scheduler: str) -> None:
        self.scheduler = scheduler

    def run(self, jobs: Sequence[Job], settings: RunSettings) -> Iterator[JobResult]:
        from distributed import Client, as_completed

        with Client(self.scheduler) as client:
            futures = [
                client.submit(run_job, job, settings, key=f"minsheng-{job.key}-{uuid.uuid4().hex}")
                for job in jobs
            ]
            for future in as_completed(futures):
                yield future.result()


def start_worker(parent: int, warm: bool) -> None:
    """Pool-worker initializer: end with the build's main process; with ``warm``, start this
    worker's kernel at once rather than at its first page."""
    exit_with_parent(parent)
    if warm:
        # A kernel that fails to start here is started again by the first page, whose error
        # page then says why: a failing initializer would break the whole pool instead.
        with contextlib.suppress(Exception):
            warm_kernel()


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


def early_pool(workers: int | None, engine: str, scheduler: str | None) -> PoolExecutor | None:
    """A pool started now, its kernels warming while the build prepares the tables; None
    where the build will not run a local pool of warm kernels (Dask, one worker, the
    fresh-kernel route)."""
    count = workers or os.cpu_count() or 1
    if scheduler or engine != "warm" or count == 1:
        return None
    return PoolExecutor(count).start()


def executor_for(
    jobs: int, workers: int | None, scheduler: str | None, started: PoolExecutor | None = None
) -> Executor:
    """Dask when a scheduler is named; else the pool ``started`` early when there is one, or
    a pool of ``workers`` (one per core), or this process alone when one worker would do."""
    if scheduler:
        return DaskExecutor(scheduler)
    if started is not None and jobs:
        return started
    count = max(1, min(workers or os.cpu_count() or 1, jobs))
    return SerialExecutor() if count == 1 else PoolExecutor(count)
