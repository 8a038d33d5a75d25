"""A prepare that writes its workbook in a forked child while it writes the other tables and
reads its files on forked workers writes what a prepare in one process writes, byte for byte."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from analysis import config
from analysis.errors import DataError
from analysis.ingest import validate as validate_module
from analysis.ingest import workers
from analysis.pipeline import prepare as prepare_module
from analysis.pipeline import store
from analysis.pipeline.prepare import prepare

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux")


def _tables(folder: Path) -> dict[str, bytes]:
    files = (p for p in sorted(folder.rglob("*")) if p.is_file())
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in files
        if p.relative_to(folder).parts[0] != store.INGEST_CACHE_DIR
    }


@pytest.fixture
def forking(monkeypatch) -> None:
    """Every prepare forks, whatever the size of its data and the cores."""
    monkeypatch.setattr(prepare_module, "WORKBOOK_FORK_VALUES", 0)
    monkeypatch.setattr(validate_module, "POOL_BYTES", 0)
    monkeypatch.setattr(validate_module, "CHECKS_FORK_VALUES", 0)
    monkeypatch.setattr(workers, "worker_count", lambda jobs: 2)
    monkeypatch.setattr(validate_module, "worker_count", lambda jobs: 2)


def test_a_forking_prepare_writes_what_one_process_writes(forking, monkeypatch, tmp_path):
    forked = prepare(config.RAW_DIR, tmp_path / "forked")
    with monkeypatch.context() as serial:
        serial.setenv(workers.WORKERS_ENV, "1")
        serial.setattr(workers, "worker_count", lambda jobs: 1)
        serial.setattr(validate_module, "worker_count", lambda jobs: 1)
        alone = prepare(config.RAW_DIR, tmp_path / "alone")
    assert forked.paths == {
        name: tmp_path / "forked" / path.relative_to(tmp_path / "alone")
        for name, path in alone.paths.items()
    }
    assert list(forked.paths) == list(alone.paths)
    found, expected = _tables(tmp_path / "forked"), _tables(tmp_path / "alone")
    assert list(found) == list(expected)
    for name, data in expected.items():
        assert found[name] == data, name


def test_the_checks_made_by_a_child_are_recorded_where_they_would_have_been(forking, monkeypatch):
    """The totals and 乡不漏村 checks' problems, found by a forked child, in the order and with
    the villages one process gives them."""
    bad = Path(__file__).parents[1] / "data" / "bad"
    registry = Path(__file__).parents[1] / "data" / "villages.csv"
    forked = validate_module.validate(bad / "totals_mismatch.xlsx", registry=registry)
    with monkeypatch.context() as serial:
        serial.setattr(workers, "worker_count", lambda jobs: 1)
        alone = validate_module.validate(bad / "totals_mismatch.xlsx", registry=registry)
    assert "totals_mismatch" in set(alone.problems["rule"])
    assert forked.problems.equals(alone.problems)


def _failing_workbook(path: Path, *args, **kwargs) -> Path:
    raise DataError("no workbook today")


def test_an_error_writing_the_workbook_comes_back(forking, monkeypatch, tmp_path):
    """Raised by the child as itself; the other tables written, but no stamp: the folder is not
    taken for a current one."""
    monkeypatch.setattr(prepare_module, "write_workbook", _failing_workbook)
    with pytest.raises(DataError, match="no workbook today"):
        prepare(config.RAW_DIR, tmp_path)
    assert (tmp_path / "indicators.parquet").exists()
    assert not store.path_of(tmp_path, "stamp").exists()
    assert not store.path_of(tmp_path, "livelihood_xlsx").exists()
