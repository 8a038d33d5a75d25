"""Where jobs run: a pool started early has its kernels warm before its first job, and is used
by the build rather than a second pool; no early pool where none would be used."""

from __future__ import annotations

import pytest

from analysis.build import execute
from analysis.build.executors import (
    DaskExecutor,
    PoolExecutor,
    SerialExecutor,
    early_pool,
    executor_for,
)

pytestmark = pytest.mark.slow


def _kernel_alive() -> bool:
    kernel = execute._warm_kernel
    return kernel is not None and kernel.alive


def test_a_started_pool_has_its_kernels_running_before_any_job():
    pool = PoolExecutor(2).start()
    try:
        futures = [pool._started.submit(_kernel_alive) for _ in range(4)]
        assert all(future.result(timeout=180) for future in futures)
        assert executor_for(5, 2, None, pool) is pool
    finally:
        pool.close()
    assert pool._started is None


def test_a_pool_started_without_jobs_to_run_is_not_used():
    pool = PoolExecutor(2)  # not started: nothing to clean up
    assert isinstance(executor_for(0, 2, None, pool), SerialExecutor)


@pytest.mark.parametrize(
    ("workers", "engine", "scheduler"),
    [(1, "warm", None), (2, "papermill", None), (2, "warm", "tcp://127.0.0.1:8786")],
)
def test_no_early_pool_where_the_build_would_not_use_one(workers, engine, scheduler):
    assert early_pool(workers, engine, scheduler) is None


def test_a_scheduler_always_means_dask():
    assert isinstance(executor_for(3, 2, "tcp://127.0.0.1:8786"), DaskExecutor)
