"""``minsheng build --watch``: a build now, another after each change to the raw folder once
it has settled; an error in the data is reported and the watch goes on; a bug ends it."""

from __future__ import annotations

import os
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

from analysis import config
from analysis.errors import ValidationFailed
from analysis.runs.watch import Rebuild, watch
from analysis.tools import sample

#: Short enough for tests; the watch's own defaults are a tenth and a fifth of a second.
POLL, SETTLE = 0.02, 0.1


class Watching:
    """A watch running in a thread on a fake build, with what it reported."""

    def __init__(self, raw: Path, build_once, read_ahead=lambda: None) -> None:
        self.reports: list[Rebuild] = []
        self.stop = threading.Event()
        self.errors: list[BaseException] = []

        def run() -> None:
            try:
                watch(
                    build_once,
                    raw,
                    self.reports.append,
                    stop=self.stop,
                    poll=POLL,
                    settle=SETTLE,
                    read_ahead=read_ahead,
                )
            except BaseException as exc:  # handed to the test
                self.errors.append(exc)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def wait_for(self, count: int, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while len(self.reports) < count and not self.errors and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.reports) >= count, f"{len(self.reports)} builds, {self.errors}"

    def end(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


def _change(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    # A later change in the same clock tick must still be seen: the size differs too.
    os.utime(path, ns=(time.time_ns(), time.time_ns()))


def test_builds_at_once_then_after_each_change(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("1", encoding="utf-8")
    builds = []
    watching = Watching(tmp_path, lambda: builds.append(time.monotonic()) or "result")
    try:
        watching.wait_for(1)
        time.sleep(5 * POLL)
        assert len(builds) == 1, "nothing changed: no second build"
        _change(tmp_path / "a.csv", "12")
        watching.wait_for(2)
        (tmp_path / "b.csv").write_text("new file", encoding="utf-8")
        watching.wait_for(3)
    finally:
        watching.end()
    assert [r.result for r in watching.reports] == ["result"] * 3
    assert all(r.error is None and r.seconds >= 0 for r in watching.reports)
    # A change is built once it has stayed as it is for the settling time.
    assert watching.reports[1].seconds >= SETTLE


def test_a_file_still_being_written_is_built_once_it_settles(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("0", encoding="utf-8")
    watching = Watching(tmp_path, lambda: book.read_text(encoding="utf-8"))
    try:
        watching.wait_for(1)
        for size in range(1, 6):  # written in parts, faster than it settles
            _change(book, "x" * size)
            time.sleep(SETTLE / 3)
        watching.wait_for(2)
        time.sleep(3 * SETTLE)
    finally:
        watching.end()
    assert [r.result for r in watching.reports] == ["0", "xxxxx"]


def test_the_files_are_read_while_they_settle_and_a_half_saved_read_is_not_reported(
    tmp_path: Path,
) -> None:
    book = tmp_path / "book.csv"
    book.write_text("0", encoding="utf-8")
    reads, builds = [], []

    def read_ahead() -> None:
        reads.append(time.monotonic())
        if book.read_text(encoding="utf-8") == "half":
            raise ValidationFailed("半存的文件 / a file half-saved")

    def build_once() -> str:
        builds.append(time.monotonic())
        return book.read_text(encoding="utf-8")

    watching = Watching(tmp_path, build_once, read_ahead)
    try:
        watching.wait_for(1)
        _change(book, "half")
        time.sleep(SETTLE / 3)
        _change(book, "whole")
        watching.wait_for(2)
        time.sleep(3 * SETTLE)
    finally:
        watching.end()
    assert [r.result for r in watching.reports] == ["0", "whole"]
    assert all(r.error is None for r in watching.reports)
    # Read as soon as the change was seen, the settling time before the build.
    last_read = max(t for t in reads if t < builds[1])
    assert builds[1] - last_read >= 0.9 * SETTLE


def test_an_error_in_the_data_is_reported_and_the_watch_goes_on(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("good", encoding="utf-8")

    def build_once() -> str:
        text = book.read_text(encoding="utf-8")
        if text == "bad":
            raise ValidationFailed("1 个错误 / 1 error")
        return text

    watching = Watching(tmp_path, build_once)
    try:
        watching.wait_for(1)
        _change(book, "bad")
        watching.wait_for(2)
        _change(book, "fixed")
        watching.wait_for(3)
    finally:
        watching.end()
    first, failed, fixed = watching.reports
    assert first.result == "good" and fixed.result == "fixed"
    assert failed.result is None and isinstance(failed.error, ValidationFailed)


def test_a_bug_ends_the_watch_with_its_traceback(tmp_path: Path) -> None:
    def build_once():
        raise KeyError("a bug")

    watching = Watching(tmp_path, build_once)
    watching.thread.join(timeout=10)
    assert not watching.thread.is_alive()
    assert [type(e) for e in watching.errors] == [KeyError]


def test_a_change_during_a_build_is_built_after_it(tmp_path: Path) -> None:
    book = tmp_path / "book.csv"
    book.write_text("0", encoding="utf-8")
    building = threading.Event()
    go_on = threading.Event()

    def build_once() -> str:
        text = book.read_text(encoding="utf-8")
        if text == "0":
            building.set()
            go_on.wait(10)
        return text

    watching = Watching(tmp_path, build_once)
    try:
        assert building.wait(10)
        _change(book, "changed while building")
        go_on.set()
        watching.wait_for(2)
    finally:
        watching.end()
    assert [r.result for r in watching.reports] == ["0", "changed while building"]


QINGGUANG = "360722103203"


@pytest.mark.slow
def test_minsheng_build_watch_rebuilds_a_corrected_village_until_ctrl_c(
    tmp_path: Path, start_minsheng
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    watching = start_minsheng(
        "build",
        "--watch",
        "--workers",
        "1",
        "--data",
        raw,
        "--out",
        tmp_path / "reports",
        "--processed",
        tmp_path / "processed",
        "--village",
        QINGGUANG,
    )

    def built() -> int:
        """Read up to the next watching line; the pages the build before it built."""
        lines: list[str] = []
        while line := watching.readline(timeout=240):
            lines.append(line)
            if "watching for changes" in line:
                pages = re.search(r"built (\d+) pages", lines[-2])
                assert pages, watching.output()
                return int(pages.group(1))
        raise AssertionError(watching.output())

    try:
        assert built() >= 2  # the village and the township
        page = tmp_path / "reports" / str(config.DEFAULT_YEAR) / "villages" / f"{QINGGUANG}.html"
        before = page.read_bytes()
        sample.correct_one_count(raw, QINGGUANG, config.DEFAULT_YEAR)
        assert built() >= 1
        assert page.read_bytes() != before, "the corrected village's page was rebuilt"
        watching.send_signal(signal.SIGINT)
        assert watching.wait(timeout=60) == 0, watching.output()
        assert "watch stopped" in watching.output()
    finally:
        if watching.poll() is None:
            watching.kill()


def test_a_raw_folder_that_is_not_there_is_refused_not_watched(tmp_path: Path) -> None:
    from analysis.errors import MissingFileError

    def build_once():
        raise AssertionError("nothing is built")

    with pytest.raises(MissingFileError, match="raw data folder not found"):
        watch(build_once, tmp_path / "not-there", lambda rebuild: None)
