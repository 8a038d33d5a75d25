"""Where jobs run: one interface, one class per route (this process, a local pool, Dask).

Every route calls :func:`analysis.build.execute.run_job` on each job and yields the results as
they finish; the runner does not know which route it has.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Protocol

from analysis.build.execute import RunSettings, run_job
from analysis.build.jobs import DocumentJob, Job, JobResult


class Executor(Protocol):
    def run(self, jobs: Sequence[Job | DocumentJob], settings: RunSettings) -> Iterator[JobResult]:
        """Run ``jobs`` and yield their results as they finish."""
        ...


class SerialExecutor:
    """Every job in this process, one after another."""

    def run(self, jobs: Sequence[Job | DocumentJob], settings: RunSettings) -> Iterator[JobResult]:
        for job in jobs:
            yield run_job(job, settings)


class PoolExecutor:
    """A local pool of worker processes, each with its own warm kernel."""

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def run(self, jobs: Sequence[Job | DocumentJob], settings: RunSettings) -> Iterator[JobResult]:
        with cf.ProcessPoolExecutor(
            max_workers=self.workers, initializer=exit_with_parent, initargs=(os.getpid(),)
        ) as pool:
            futures = [pool.submit(run_job, job, settings) for job in jobs]
            for future in cf.as_completed(futures):
                yield future.result()


class DaskExecutor:
    """A Dask distributed cluster; its workers must see the same paths as this machine."""

    def __init__(self, scheduler: str) -> None:
        self.scheduler = scheduler

    def run(self, jobs: Sequence[Job | DocumentJob], settings: RunSettings) -> Iterator[JobResult]:
        from distributed import Client, as_completed

        with Client(self.scheduler) as client:
            futures = [
                client.submit(run_job, job, settings, key=f"minsheng-{job.key}-{uuid.uuid4().hex}")
                for job in jobs
            ]
            for future in as_completed(futures):
                yield future.result()


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


def executor_for(jobs: int, workers: int | None, scheduler: str | None) -> Executor:
    """Dask when a scheduler is named; else a pool of ``workers`` (one per core), or this
    process alone when one worker would do."""
    if scheduler:
        return DaskExecutor(scheduler)
    count = max(1, min(workers or os.cpu_count() or 1, jobs))
    return SerialExecutor() if count == 1 else PoolExecutor(count)
