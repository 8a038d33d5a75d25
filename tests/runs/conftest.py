"""Fixtures of the build tests: a county of several towns, built once per test process; the\n``minsheng`` command started as a user starts it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis import config
from analysis.runs import runner
from analysis.tools import sample

VILLAGES = 60  # synthetic towns of 18 villages: four towns


@pytest.fixture(scope="session")
def county(tmp_path_factory) -> tuple[Path, Path, runner.BuildResult]:
    """A 60-village synthetic county, built: (processed folder, year folder, result). Tests
    only read it."""
    root = tmp_path_factory.mktemp("county")
    raw = sample.write_sample(root / "raw", sample.synthetic_villages(VILLAGES))
    result = runner.build(
        raw, root / "reports", processed_dir=root / "processed", progress=False, workers=2
    )
    return root / "processed", root / "reports" / "2019", result


#: ``minsheng`` with Ctrl-C's own handler set: a test run started in the background by a shell
#: (`make test &`) inherits SIGINT ignored, and Python then keeps it ignored.
_MINSHENG = (
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from analysis.cli import main; sys.exit(main(sys.argv[1:]))"
)


def _start_minsheng(*arguments: object) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _MINSHENG, *map(str, arguments)],
        cwd=config.PROJECT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONPATH": str(config.PROJECT_DIR)},
    )


@pytest.fixture
def start_minsheng() -> Callable[..., subprocess.Popen]:
    """Starts ``minsheng ARGUMENTS…`` in a process of its own, its output (both streams) read
    as text from ``stdout``; the test ends it."""
    return _start_minsheng
