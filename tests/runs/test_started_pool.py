"""A cold build starts its workers before it prepares the tables, so that they warm up on the
core prepare leaves idle; a rebuild starts none before it knows there is a page to build."""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.runs import executors, jobs, runner


class _Pool:
    """Stands in for a started pool: says whether the build ended it."""

    closed = False

    def close(self) -> None:
        self.closed = True


class _Stop(Exception):
    """Raised by the stand-in prepare: the test ends the build there."""


def _build_until_prepare(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **options) -> list:
    """What a build does before and at its prepare (which stops it), in order."""
    events: list = []
    pool = _Pool()

    def started(workers, engine):
        events.append(("started", workers, engine))
        return pool

    def prepare(*args, **kwargs):
        events.append("prepare")
        raise _Stop

    monkeypatch.setattr(runner, "started_pool", started)
    monkeypatch.setattr(runner, "prepare_tables", prepare)
    with pytest.raises(_Stop):
        runner.build(tmp_path / "raw", tmp_path / "reports", progress=False, **options)
    events.append(("closed", pool.closed))
    return events


def test_a_cold_build_starts_its_workers_before_it_prepares_and_ends_them_if_it_stops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events = _build_until_prepare(tmp_path, monkeypatch, workers=2)
    assert events == [("started", 2, "inprocess"), "prepare", ("closed", True)]


def test_a_rebuild_starts_no_worker_before_it_prepares_unless_forced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    year_dir = tmp_path / "reports" / "2019"
    year_dir.mkdir(parents=True)
    (year_dir / jobs.CACHE_FILE).write_text("{}", encoding="utf-8")
    assert _build_until_prepare(tmp_path, monkeypatch, workers=2, year=2019) == [
        "prepare",
        ("closed", False),
    ]
    forced = _build_until_prepare(tmp_path, monkeypatch, workers=2, year=2019, force=True)
    assert forced[0] == ("started", 2, "inprocess")


def test_one_worker_is_not_started_early() -> None:
    assert executors.started_pool(1, "inprocess") is None
