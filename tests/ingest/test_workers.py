"""Validation on forked workers gives what validation in one process gives, file order and errors
included; the helpers that fork (analysis.ingest.workers)."""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import sys
import threading
from pathlib import Path

import pandas as pd
import pytest

from analysis.errors import DataError, ParameterError
from analysis.ingest import validate as validate_module
from analysis.ingest import workers
from analysis.ingest.filecache import FileCache
from analysis.ingest.validate import ValidationResult, validate

DATA = Path(__file__).parents[1] / "data"
BAD = DATA / "bad"
REGISTRY = DATA / "villages.csv"

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux")


@pytest.fixture
def pooled(monkeypatch) -> list[int]:
    """Every folder read on two forked workers, whatever its size and the cores; the number of
    workers of each pool started."""
    started: list[int] = []
    real = validate_module.forked_pool

    def counting(count, *args, **kwargs):
        started.append(count)
        return real(count, *args, **kwargs)

    monkeypatch.setattr(validate_module, "POOL_BYTES", 0)
    monkeypatch.setattr(validate_module, "worker_count", lambda jobs: 2)
    monkeypatch.setattr(validate_module, "forked_pool", counting)
    return started


def _serial(raw: Path, monkeypatch, **options) -> ValidationResult:
    with monkeypatch.context() as serial:
        serial.setenv(workers.WORKERS_ENV, "1")
        serial.setattr(validate_module, "worker_count", workers.worker_count)
        return validate(raw, **options)


def _assert_same(found: ValidationResult, expected: ValidationResult) -> None:
    for name in ("values", "places", "problems", "targets", "projects", "review", "changes"):
        pd.testing.assert_frame_equal(getattr(found, name), getattr(expected, name), obj=name)
    assert found.summary == expected.summary
    # The files' sheets in the files' order: the ledger of each as read in turn.
    assert list(found.rows) == list(expected.rows)
    for key, rows in expected.rows.items():
        pd.testing.assert_frame_equal(found.rows[key], rows, obj=str(key))
    assert list(found.layers) == list(expected.layers)
    for name, layer in expected.layers.items():
        pd.testing.assert_frame_equal(found.layers[name], layer, obj=name)


def test_pooled_validation_is_the_serial_one(pooled, monkeypatch):
    """A folder of some forty files, most with problems of their own: read largest first on
    two workers, their parts are merged in the files' order, so every problem, row state and
    value is where reading them in turn puts it."""
    found = validate(BAD, registry=REGISTRY)
    assert pooled == [2]
    expected = _serial(BAD, monkeypatch, registry=REGISTRY)
    assert len(expected.problems["file"].unique()) > 30
    _assert_same(found, expected)


def test_pooled_parts_are_kept_and_replayed(pooled, monkeypatch, tmp_path):
    """Parts saved by the workers are kept in the cache this process prunes, and replay as
    read: nothing is read again, nothing pruned."""
    cache = tmp_path / "cache"
    found = validate(BAD, registry=REGISTRY, cache=FileCache(cache))
    entries = sorted(cache.iterdir())
    assert entries and pooled == [2]
    replayed = validate(BAD, registry=REGISTRY, cache=FileCache(cache))
    assert pooled == [2]  # nothing left to read: no second pool
    assert sorted(cache.iterdir()) == entries
    _assert_same(replayed, found)
    _assert_same(found, _serial(BAD, monkeypatch, registry=REGISTRY))


def test_a_user_error_in_a_worker_is_raised_as_itself(pooled, monkeypatch):
    real = validate_module._validate_file

    def failing(path, display, *args):
        if display == "rate_130.csv":
            raise DataError(f"cannot use {display}")
        return real(path, display, *args)

    monkeypatch.setattr(validate_module, "_validate_file", failing)
    with pytest.raises(DataError, match=r"cannot use rate_130\.csv"):
        validate(BAD, registry=REGISTRY)


def test_a_bug_in_a_worker_keeps_its_traceback(pooled, monkeypatch):
    def broken(path, display, *args):
        return {}["no such key"]

    monkeypatch.setattr(validate_module, "_validate_file", broken)
    with pytest.raises(KeyError) as raised:
        validate(BAD, registry=REGISTRY)
    # The worker's traceback, down to the line that failed, travels as the cause.
    assert "in broken" in str(raised.value.__cause__)


def test_a_small_folder_is_read_in_this_process(monkeypatch):
    """A folder of small files: no worker is forked (POOL_BYTES)."""
    monkeypatch.setattr(
        validate_module, "forked_pool", lambda *a, **k: pytest.fail("a pool was started")
    )
    assert validate(BAD, registry=REGISTRY).problems.shape[0] > 30


def test_workers_env_makes_one_process(monkeypatch):
    monkeypatch.setenv(workers.WORKERS_ENV, "1")
    assert workers.worker_count(8) == 1
    monkeypatch.setenv(workers.WORKERS_ENV, "several")
    with pytest.raises(ParameterError, match=workers.WORKERS_ENV):
        workers.worker_count(8)
    monkeypatch.setenv(workers.WORKERS_ENV, "0")
    with pytest.raises(ParameterError):
        workers.worker_count(8)


def _write(path: Path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return f"{os.getpid()}"


def test_meanwhile_runs_in_a_child_and_waits_for_it(tmp_path, monkeypatch):
    monkeypatch.setenv(workers.WORKERS_ENV, "2")
    monkeypatch.setattr(workers, "worker_count", lambda jobs: 2)
    with workers.meanwhile(_write, tmp_path / "a.txt", "written") as result:
        pass
    # The block's end waited for the child: its file is there.
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "written"
    assert result() != f"{os.getpid()}"  # written by another process
    with workers.meanwhile(_write, tmp_path / "b.txt", "here", fork=False) as result:
        assert not (tmp_path / "b.txt").exists()  # run when its result is asked for
        assert result() == f"{os.getpid()}"


def _fail(message: str) -> None:
    raise DataError(message)


def test_meanwhile_raises_the_childs_error(monkeypatch):
    monkeypatch.setattr(workers, "worker_count", lambda jobs: 2)
    with (
        pytest.raises(DataError, match="the child's"),
        workers.meanwhile(_fail, "the child's") as result,
    ):
        result()


def test_no_fork_while_another_thread_runs_but_a_pools_own(monkeypatch):
    """A thread of a Dask client or a watch may hold a lock a child would need for ever: the
    work stays in this process. A process pool's manager and feeder take none."""
    monkeypatch.delenv(workers.WORKERS_ENV, raising=False)
    before = set(threading.enumerate())
    with cf.ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        pool.submit(os.getpid).result()
        pools_own = [thread for thread in threading.enumerate() if thread not in before]
        assert pools_own
        with monkeypatch.context() as running:
            running.setattr(
                workers.threading, "enumerate", lambda: [threading.main_thread(), *pools_own]
            )
            assert workers.worker_count(8) == min(len(os.sched_getaffinity(0)), workers.MAX_WORKERS)
            other = threading.Thread(target=print)
            running.setattr(
                workers.threading,
                "enumerate",
                lambda: [threading.main_thread(), *pools_own, other],
            )
            assert workers.worker_count(8) == 1
