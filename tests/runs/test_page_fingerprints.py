"""Which pages a change to one village's figure makes stale (analysis.runs.jobs.page_fingerprints):
that village's and its town's always; its town's other villages only when what they show
changed (their town's figure of the report year, their rank)."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis import config
from analysis.pipeline.prepare import prepare
from analysis.reporting import reads
from analysis.runs.jobs import page_fingerprints, page_slices
from analysis.tools import sample

YEAR = 2019
CODES = pd.read_csv(config.RAW_DIR / config.REGISTRY_FILE, dtype=str)["code"].tolist()
VILLAGE = CODES[5]
TOWN = VILLAGE[:9]


@pytest.fixture(scope="module")
def before(tmp_path_factory):
    root = tmp_path_factory.mktemp("fingerprints")
    prepare(config.RAW_DIR, root / "processed")
    return page_fingerprints(root / "processed", CODES, YEAR)


def _changed_after(tmp_path, before, workbook_year: int) -> set[str]:
    """Correct one count of VILLAGE in a year's workbook, prepare, and name the pages whose
    fingerprint moved."""
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    sample.correct_one_count(raw, VILLAGE, workbook_year)
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


#: A section the village page does not have: the figures of every village of its town.
NEIGHBOURS = reads.Slice(
    "neighbours",
    "the figures of every village of the page's town",
    frozenset({"indicators"}),
    lambda folder: {},  # the parts are the town's villages' rows (VILLAGE_ROWS')
    lambda table, frame, page, year: None,
    lambda page, folder: reads.VILLAGE_ROWS.page_parts(reads.Page("town", page.code[:9]), folder),
)


def test_a_section_that_reads_more_makes_the_pages_that_show_it_stale(tmp_path, before):
    slices = page_slices()
    with_neighbours = {**slices, "village": slices["village"] | {NEIGHBOURS}}
    root = tmp_path / "before"
    prepare(config.RAW_DIR, root)
    first = page_fingerprints(root, CODES, YEAR, slices=with_neighbours)
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    sample.correct_one_count(raw, VILLAGE, 2017)
    prepare(raw, tmp_path / "processed")
    after = page_fingerprints(tmp_path / "processed", CODES, YEAR, slices=with_neighbours)
    # A past year's figure of one village, shown now on every page of its town.
    assert {key for key in after if after[key] != first[key]} == {*CODES, TOWN}
