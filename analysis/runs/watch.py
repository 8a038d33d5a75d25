"""Rebuilding on every change to the raw data: ``minsheng build --watch``.

An analyst correcting figures saves a workbook and wants its pages. A watch keeps what a
build sets up once (the command's imports, warm workers with their shells, the kept
pictures) and builds again each time the raw folder changes; the build cache rebuilds only
the pages the change reaches.

Pages are built only from files that have stayed as they are for :data:`SETTLE_SECONDS`. The
files are read meanwhile (``read_ahead``, the build's prepare step), since reading takes longer
than settling: a read of a file still being saved is thrown away, as the processed tables'
stamp then names a raw folder that is no more, and the build prepares again.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis.errors import MinshengError, MissingFileError
from analysis.pipeline.store import stat_signature
from analysis.runs.jobs import BuildResult

#: How often the raw folder is looked at, seconds: its files' names, sizes and times only.
POLL_SECONDS = 0.1
#: How long the files must stay as they are before a build reads them, seconds: a workbook
#: being saved is not read half-written.
SETTLE_SECONDS = 0.2


@dataclass
class Rebuild:
    """One build of a watch: its result, or the error in the data that stopped it."""

    result: BuildResult | None
    error: MinshengError | None
    #: From the change seen (the first build: from its start) to the build's end.
    seconds: float


def watch(
    build_once: Callable[[], BuildResult],
    raw_dir: Path | str,
    report: Callable[[Rebuild], None],
    *,
    stop: threading.Event | None = None,
    poll: float = POLL_SECONDS,
    settle: float = SETTLE_SECONDS,
    read_ahead: Callable[[], object] = lambda: None,
) -> None:
    """Build now, then again after each change to ``raw_dir``, until ``stop`` is set.

    ``read_ahead`` is called as soon as a change is seen, while the files settle: the part of
    a build that reads them (an error in the data it raises is left to the build to report,
    once the files have settled).

    A build that an error in the data stops (:class:`~analysis.errors.MinshengError`, such as
    data that failed validation) is reported and the watch goes on: the next save may fix it.
    Any other exception is a bug and ends the watch with its traceback. A change made while
    a build runs is built after it. A raw folder that is not there is refused at once
    (:class:`~analysis.errors.MissingFileError`), not watched for ever.
    """
    raw = watched_folder(raw_dir)
    stop = stop or threading.Event()
    seen = stat_signature(raw)
    report(_build(build_once, time.perf_counter()))
    while True:
        change = _next_change(raw, seen, stop, poll, settle, read_ahead)
        if change is None:
            return
        seen, noticed = change
        report(_build(build_once, noticed))


def watched_folder(raw_dir: Path | str) -> Path:
    """The raw folder to watch; one that is not there is refused
    (:class:`~analysis.errors.MissingFileError`), before any worker is started for it."""
    raw = Path(raw_dir)
    if not raw.exists():
        raise MissingFileError(f"原始数据目录不存在 / raw data folder not found: {raw}")
    return raw


def _build(build_once: Callable[[], BuildResult], since: float) -> Rebuild:
    try:
        result, error = build_once(), None
    except MinshengError as exc:
        result, error = None, exc
    return Rebuild(result, error, time.perf_counter() - since)


def _next_change(
    raw: Path,
    seen: str,
    stop: threading.Event,
    poll: float,
    settle: float,
    read_ahead: Callable[[], object],
) -> tuple[str, float] | None:
    """The raw folder's signature once it differs from ``seen`` and has stayed the same for
    ``settle`` seconds (``read_ahead`` called at the start of each wait), with the time the
    change was first seen; None once ``stop`` is set."""
    while not stop.wait(poll):
        now = stat_signature(raw)
        if now == seen:
            continue
        noticed = time.perf_counter()
        while True:
            started = time.perf_counter()
            with contextlib.suppress(MinshengError):  # a file half-saved, or the build's to say
                read_ahead()
            if stop.wait(max(0.0, settle - (time.perf_counter() - started))):
                return None
            latest = stat_signature(raw)
            if latest == now:
                return now, noticed
            now = latest
    return None
