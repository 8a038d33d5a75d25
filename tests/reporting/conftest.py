"""Fixtures of the reporting tests: the sample's tables, pictures kept by no test for the next,
and the top page's documents as bytes."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from analysis import config
from analysis.pipeline.store import Tables, load_tables
from analysis.reporting import documents, pictures, printed


@pytest.fixture(scope="module")
def tables(prepared_sample) -> Tables:
    """The committed sample's tables (a module may define its own ``tables``)."""
    return load_tables(prepared_sample, config.RAW_DIR)


@pytest.fixture(autouse=True)
def no_pictures_kept():
    """Each test starts, and leaves the process, drawing every page picture."""
    pictures.keep_pictures(None)
    yield
    pictures.keep_pictures(None)


def _top_documents(processed: Path, year_dir: Path) -> dict[str, bytes]:
    printed.write_documents(processed, year_dir, config.DEFAULT_YEAR, "zh")
    docx, maps_dir = documents.document_paths(year_dir)
    with zipfile.ZipFile(docx) as archive:
        parts = {f"docx:{name}": archive.read(name) for name in archive.namelist()}
    return parts | {path.name: path.read_bytes() for path in sorted(maps_dir.glob("*.*"))}


@pytest.fixture
def top_documents() -> Callable[[Path, Path], dict[str, bytes]]:
    """Writes the top page's documents from a processed folder into a year folder and gives
    every one of them, a Word file's parts read one by one (its zip's dates are its own)."""
    return _top_documents
