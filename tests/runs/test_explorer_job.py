"""The explorer is a job of the build's pool (written where the tables are loaded and mapclassify
imported), not work of the build's own process: reported with the build's results, a failure
failing the build without stopping the pages, and written again only when it is not current."""

from __future__ import annotations

import shutil

import pytest

from analysis import config
from analysis.reporting import explorer
from analysis.runs import runner

pytestmark = pytest.mark.slow

QINGGUANG = "360722103203"


def test_a_cold_build_writes_the_explorer_as_a_job(county):
    _, year_dir, result = county
    assert result.explorer is not None
    assert (result.explorer.key, result.explorer.kind, result.explorer.ok) == (
        "explore",
        "explorer",
        True,
    )
    assert (year_dir / explorer.PAGE).exists()
    assert (year_dir / explorer.FOLDER / "data" / "index.js").exists()
    # Not a page: neither among the pages nor in the build cache the index lists.
    assert "explore" not in {r.key for r in result.results}


@pytest.fixture
def root(tmp_path, prepared_sample):
    shutil.copytree(prepared_sample, tmp_path / "processed")
    return tmp_path


def _build(root, **kwargs):
    return runner.build(
        config.RAW_DIR,
        root / "reports",
        processed_dir=root / "processed",
        villages=[QINGGUANG],
        progress=False,
        workers=1,
        **kwargs,
    )


def test_a_failed_explorer_fails_the_build_and_is_written_by_the_next(root, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("explorer failed")

    monkeypatch.setattr(explorer, "write_explorer", broken)
    result = _build(root)
    assert not result.ok
    (failure,) = result.failed
    assert (failure.key, failure.kind) == ("explore", "explorer")
    assert "RuntimeError: explorer failed" in failure.error and "Traceback" in failure.error
    # The pages, the index and the documents were made all the same.
    assert result.results and all(r.ok for r in result.results)
    assert result.index.exists() and result.documents

    monkeypatch.undo()
    retried = _build(root)
    assert retried.ok and retried.explorer is not None and retried.explorer.ok
    assert (retried.out_dir / explorer.PAGE).exists()
    again = _build(root)
    assert again.ok and again.explorer is None  # current: no job
