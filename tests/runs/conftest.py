"""Fixtures of the build tests: a county of several towns, built once per test process; the\n``minsheng`` command started as a user starts it."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
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


class StartedMinsheng:
    """``minsheng`` in a process of its own, its output (both streams) written to a file that
    the test reads with a deadline: a silent or hung command fails its test instead of blocking
    the test run, and a grandchild still holding the output cannot keep a read waiting (as it
    can a pipe's)."""

    def __init__(self, arguments: tuple[object, ...], log: Path) -> None:
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _MINSHENG, *map(str, arguments)],
                cwd=config.PROJECT_DIR,
                stdout=output,
                stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONPATH": str(config.PROJECT_DIR)},
            )
        self.pid = self.process.pid
        self._consumed = 0

    def output(self) -> str:
        """Everything the command has printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def readline(self, timeout: float) -> str:
        """The next whole line of output, waiting at most ``timeout`` seconds for it; what is
        left, or "", once the command has ended."""
        deadline = time.monotonic() + timeout
        while True:
            ended = self.process.poll() is not None
            text = self.output()
            end = text.find("\n", self._consumed)
            if end >= 0 or ended:
                line = text[self._consumed : end + 1 if end >= 0 else len(text)]
                self._consumed += len(line)
                return line
            if time.monotonic() > deadline:
                raise TimeoutError(f"no line in {timeout} s; the output so far:\n{text}")
            time.sleep(0.1)

    def send_signal(self, signal_number: int) -> None:
        self.process.send_signal(signal_number)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def poll(self) -> int | None:
        return self.process.poll()

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(timeout=30)


@pytest.fixture
def start_minsheng(tmp_path: Path) -> Callable[..., StartedMinsheng]:
    """Starts ``minsheng ARGUMENTS…`` in a process of its own, its output read with deadlines
    (:class:`StartedMinsheng`); the test ends it."""
    started = itertools.count()
    return lambda *arguments: StartedMinsheng(arguments, tmp_path / f"minsheng-{next(started)}.log")
