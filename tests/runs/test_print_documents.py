"""What a rebuild writes again besides changed figures: the Word summary and print maps (build
jobs, written beside the pages, only when their page is rebuilt or they are missing, a failure
reported without stale documents left), and the pages whose count of accepted errors changed."""

from __future__ import annotations

import shutil

import pytest

from analysis import config
from analysis.reporting import index_page, print_documents
from analysis.runs import runner

pytestmark = pytest.mark.slow

QINGGUANG = "360722103203"


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


def test_documents_are_written_with_their_page_and_again_only_when_missing(root):
    first = _build(root)
    assert [(r.key, r.kind, r.ok) for r in first.documents] == [("township", "documents", True)]
    docx, maps_dir = index_page.document_paths(first.out_dir)
    assert docx.exists() and (maps_dir / "corridor.pdf").exists()

    again = _build(root)
    assert again.documents == [] and all(r.cached for r in again.results)

    docx.unlink()
    restored = _build(root)
    assert [r.key for r in restored.documents] == ["township"]
    assert all(r.cached for r in restored.results) and docx.exists()


def test_a_failed_document_fails_the_build_and_leaves_no_stale_document(root, monkeypatch):
    _build(root)
    year_dir = root / "reports" / "2019"
    docx, maps_dir = index_page.document_paths(year_dir)
    assert docx.exists()

    def broken(*args, **kwargs):
        raise RuntimeError("drawing failed")

    monkeypatch.setattr(print_documents, "write_documents", broken)
    result = _build(root, force=True)

    assert not result.ok
    (failure,) = result.failed
    assert (failure.key, failure.kind) == ("township", "documents")
    assert "RuntimeError: drawing failed" in failure.error and "Traceback" in failure.error
    assert failure.where.endswith("broken")
    # The pages themselves were built; the old documents, of older figures, are gone.
    assert result.results and all(r.ok for r in result.results)
    assert not docx.exists() and not list(maps_dir.glob("*.pdf"))

    monkeypatch.undo()
    retried = _build(root)
    assert [r.key for r in retried.documents] == ["township"] and retried.ok and docx.exists()


def test_a_page_stating_another_count_of_accepted_errors_is_built_again(root, monkeypatch):
    # Every page states how many errors were accepted: a page of a build that accepted none (or
    # another number) would state a wrong count, though its own figures are unchanged.
    first = _build(root)
    assert first.ok and not any(r.cached for r in first.results)
    monkeypatch.setattr(runner, "_check_validation", lambda processed, accept: 2)
    again = _build(root)
    assert again.results and not any(r.cached for r in again.results)
    page = (again.out_dir / "villages" / f"{QINGGUANG}.html").read_text(encoding="utf-8")
    assert "本报告所用数据有 2 处错误未经更正" in page
