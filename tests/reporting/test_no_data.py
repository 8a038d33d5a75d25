"""A year without a figure is never described by another year's (issue 12)."""

from __future__ import annotations

import shutil

import pytest

from analysis import config
from analysis.pipeline.prepare import prepare
from analysis.pipeline.store import load_tables
from analysis.reporting import narrative
from analysis.reporting.tables import key_figures

YEAR = 2019


@pytest.fixture(scope="module")
def without_2019_ledger(tmp_path_factory):
    """The sample without its 2019 workbook: 2019 has households and population only."""
    root = tmp_path_factory.mktemp("no2019")
    raw = root / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    (raw / f"民生工作台账_{YEAR}.xlsx").unlink()
    prepare(raw, root / "processed")
    return load_tables(root / "processed", raw)


def test_key_figures_say_no_data_rather_than_last_years_figure(without_2019_ledger):
    table = key_figures(without_2019_ledger.township, YEAR)
    poor = table[table["指标"].str.startswith("未脱贫户数")].iloc[0]
    assert poor[str(YEAR)] == "无数据" and poor[str(YEAR - 1)] == "31"
    households = table[table["指标"].str.startswith("户数")].iloc[0]
    assert households[str(YEAR)] == "7,040"


def test_the_summary_states_no_task_from_the_year_before(without_2019_ledger):
    text = narrative.summary(YEAR, without_2019_ledger).to_text()
    assert "剩余31户" not in text and "围绕剩余" not in text
    assert "2018年" in text  # a projection made from 2018's figures says so
