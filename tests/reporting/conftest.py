"""Fixtures of the reporting tests: the sample's tables, pictures kept by no test for the next,
the top page's documents as bytes, a script's output from a new process, and a place's area
table made from a few figures."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from analysis import config
from analysis.core.aggregate import PENDING_REVIEW
from analysis.pipeline.store import Tables, load_tables
from analysis.reporting import index_page, pictures, print_documents


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
    print_documents.write_documents(processed, year_dir, config.DEFAULT_YEAR, "zh")
    docx, maps_dir = index_page.document_paths(year_dir)
    with zipfile.ZipFile(docx) as archive:
        parts = {f"docx:{name}": archive.read(name) for name in archive.namelist()}
    return parts | {path.name: path.read_bytes() for path in sorted(maps_dir.glob("*.*"))}


@pytest.fixture
def top_documents() -> Callable[[Path, Path], dict[str, bytes]]:
    """Writes the top page's documents from a processed folder into a year folder and gives
    every one of them, a Word file's parts read one by one (its zip's dates are its own)."""
    return _top_documents


def _printed_in_a_new_process(script: str, *args: object) -> str:
    run = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, check=True
    )
    return run.stdout.strip()


@pytest.fixture
def printed_in_a_new_process() -> Callable[..., str]:
    """Runs a Python script, with arguments, in a new process and gives what it printed: a
    picture's digest must be the same in every process (ids, the salt of string hashes)."""
    return _printed_in_a_new_process


def _area_of(
    rows: list[tuple[int, str, float]], pending: Callable[[pd.DataFrame], pd.Series] | None = None
) -> pd.DataFrame:
    """An area table of ``(year, indicator, value)`` rows; ``pending`` picks the rows whose
    figure counts a village value pending review (none by default)."""
    area = pd.DataFrame(rows, columns=["year", "indicator", "value"])
    counted = pending(area).astype("int64") if pending is not None else 0
    return area.assign(**{PENDING_REVIEW: counted})


@pytest.fixture
def area_of() -> Callable[..., pd.DataFrame]:
    return _area_of
