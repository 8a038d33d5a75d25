"""Which pages a change to one village's figure makes stale (analysis.build.jobs.page_fingerprints):
that village's and its town's always; its town's other villages only when what they show
changed (their town's figure of the report year, their rank)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import config
from analysis.build.jobs import page_fingerprints
from analysis.pipeline.prepare import prepare

YEAR = 2019
CODES = pd.read_csv(config.RAW_DIR / config.REGISTRY_FILE, dtype=str)["code"].tolist()
VILLAGE = CODES[5]
TOWN = VILLAGE[:9]


@pytest.fixture(scope="module")
def before(tmp_path_factory):
    root = tmp_path_factory.mktemp("fingerprints")
    prepare(config.RAW_DIR, root / "processed")
    return page_fingerprints(root / "processed", CODES, YEAR)


def _changed_after(tmp_path, before, workbook_year: int, delta: float = 1) -> set[str]:
    """Add ``delta`` to one count of VILLAGE in a year's workbook (and to the 合计 row, as a
    clerk would), prepare, and name the pages whose fingerprint moved."""
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    path = raw / f"民生工作台账_{workbook_year}.xlsx"
    book = load_workbook(path)
    sheet = book["社会保障"]
    rows = list(sheet.iter_rows())
    header = next(row for row in rows if row[0].value == "序号")
    column = next(i for i, cell in enumerate(header) if "人次" in str(cell.value or ""))
    number = CODES.index(VILLAGE) + 1  # the 序号 column follows the registry's order
    for row in rows:
        if row[0].value == number or row[1].value == "合计":
            row[column].value += delta
    book.save(path)
    prepare(raw, tmp_path / "processed")
    after = page_fingerprints(tmp_path / "processed", CODES, YEAR)
    return {key for key in after if after[key] != before[key]}


def test_nothing_changed_moves_no_fingerprint(tmp_path, before):
    prepare(config.RAW_DIR, tmp_path / "processed")
    assert page_fingerprints(tmp_path / "processed", CODES, YEAR) == before


def test_a_past_years_figure_rebuilds_that_village_and_its_town_only(tmp_path, before):
    assert _changed_after(tmp_path, before, 2017) == {VILLAGE, TOWN}


def test_a_report_years_figure_rebuilds_the_villages_that_quote_the_towns(tmp_path, before):
    # Every village page sets its figure beside its town's, which has changed.
    assert _changed_after(tmp_path, before, YEAR) == {*CODES, TOWN}
