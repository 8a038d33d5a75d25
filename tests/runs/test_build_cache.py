"""The build cache is saved after a page, but saving never takes more than a small share of the build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.runs import jobs
from analysis.runs.jobs import BuildCache, JobResult


def _result(key: str) -> JobResult:
    return JobResult(key=key, title=key, html=f"villages/{key}.html", ok=True, seconds=1.0)


class _Clock:
    """time.monotonic for the cache: moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_each_page_is_saved_at_once_while_saving_is_cheap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = _Clock()
    monkeypatch.setattr(jobs.time, "monotonic", clock)
    cache = BuildCache(tmp_path / jobs.CACHE_FILE)
    for i in range(3):
        cache.record({f"v{i}": f"k{i}"}, _result(f"v{i}"))
        saved = json.loads((tmp_path / jobs.CACHE_FILE).read_text(encoding="utf-8"))
        assert len(saved) == i + 1
        clock.now += 0.2  # a page


def test_a_slow_save_waits_its_share_and_nothing_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = _Clock()
    monkeypatch.setattr(jobs.time, "monotonic", clock)
    written = []

    def slow_write(path: Path, text: str) -> Path:
        clock.now += 1.0  # a save of a big cache: one second
        written.append(len(json.loads(text)))
        return Path(path).write_text(text, encoding="utf-8") and Path(path)

    monkeypatch.setattr(jobs, "atomic_write_text", slow_write)
    path = tmp_path / jobs.CACHE_FILE
    cache = BuildCache(path)
    keys = {f"v{i}": f"k{i}" for i in range(30)}
    for i in range(30):
        cache.record(keys, _result(f"v{i}"))
        clock.now += 1.0  # a page: one second
    # A save of one second allows the next twenty seconds after it began (5 %): the first
    # page is saved at once, the next save holds the twenty pages finished by then.
    assert written == [1, 20]
    cache.save()
    assert written == [1, 20, 30]
    assert BuildCache(path).entries == cache.entries
    cache.save()  # nothing new: not written again
    assert written == [1, 20, 30]


def _job(key: str) -> jobs.Job:
    return jobs.Job(key, key, jobs.VILLAGE_NOTEBOOK, {}, f"villages/{key}.html", "fingerprint")


def _documents(key: str) -> jobs.DocumentJob:
    return jobs.DocumentJob(key, key, "processed", 2019, "zh")


def _took(key: str, seconds: float, kind: str = "page") -> JobResult:
    return JobResult(key=key, title=key, html="", ok=True, seconds=seconds, kind=kind)


def test_jobs_run_longest_first_by_what_they_took_the_last_time(tmp_path: Path) -> None:
    path = tmp_path / jobs.CACHE_FILE
    cache = BuildCache(path)
    keys = {k: f"key-{k}" for k in ("town", "county", "v1")}
    # A documents job finished before its page is kept until the page is recorded.
    cache.record(keys, _took("county", 1.7, "documents"))
    assert "county" not in cache.entries
    for key, seconds in (("town", 1.5), ("county", 0.8), ("v1", 0.3)):
        cache.record(keys, _took(key, seconds))
    cache.record(keys, _took("town", 0.5, "documents"))
    cache.save()

    reloaded = BuildCache(path)
    runs = [_documents("town"), _documents("county"), _job("v1"), _job("county"), _job("town")]
    ordered = [(type(r).__name__, r.key) for r in reloaded.longest_first(runs)]
    assert ordered == [
        ("DocumentJob", "county"),
        ("Job", "town"),
        ("Job", "county"),
        ("DocumentJob", "town"),
        ("Job", "v1"),
    ]
    assert reloaded.entries["town"]["cache_key"] == "key-town"  # a page's entry as it was


def test_jobs_never_run_before_keep_their_order_after_documents_never_written(
    tmp_path: Path,
) -> None:
    cache = BuildCache(tmp_path / jobs.CACHE_FILE)
    cache.record({"v2": "k"}, _took("v2", 0.3))
    runs = [_job("county"), _job("v1"), _documents("county"), _job("v2"), _job("v3")]
    ordered = [r.key for r in cache.longest_first(runs)]
    # Unknown documents first (they take several pages' time), then what is known, then the
    # pages never built, in the order planned.
    assert ordered == ["county", "v2", "county", "v1", "v3"]
    assert isinstance(cache.longest_first(runs)[0], jobs.DocumentJob)
