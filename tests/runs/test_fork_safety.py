"""A build forks its workers while no other thread of its own runs: a fork copies only the
thread that forks, and a lock another thread held then (an import's, a stream's) stays held in
the worker for ever, which hangs on its first use of it."""

from __future__ import annotations

import os
import sys
import threading

import pandas as pd
import pytest

from analysis import config
from analysis.runs import runner

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux"),
]

CODES = pd.read_csv(config.RAW_DIR / config.REGISTRY_FILE, dtype=str)["code"].tolist()

#: The names of the threads alive at each fork, while a test records them.
_threads_at_forks: list[set[str]] | None = None


def _note_threads() -> None:
    if _threads_at_forks is not None:
        _threads_at_forks.append({thread.name for thread in threading.enumerate()})


os.register_at_fork(before=_note_threads)


def test_a_rebuild_forks_its_workers_while_no_other_thread_of_the_build_runs(
    tmp_path, processed_copy
):
    global _threads_at_forks

    def build(villages: list[str]) -> runner.BuildResult:
        return runner.build(
            config.RAW_DIR,
            tmp_path / "reports",
            processed_dir=processed_copy,
            villages=villages,
            workers=2,
            progress=False,
        )

    assert build(CODES[:1]).ok
    before = {thread.name for thread in threading.enumerate()}
    _threads_at_forks = []
    try:
        # Not cold: the pool is forked once the build knows its pages, beside its other work.
        assert build(CODES[:3]).ok
        forks = _threads_at_forks
    finally:
        _threads_at_forks = None
    assert forks, "the rebuild forked no worker"
    assert all(names <= before for names in forks), [names - before for names in forks]
