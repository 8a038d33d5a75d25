"""A change on the year before worked out from a total that counts a village value pending
review (待核实) is marked as the total is: in the key figures, the leader's card and the
summary's sentence; a change from totals that count none is not."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from analysis.core.catalog import default_catalog
from analysis.reporting import leader
from analysis.reporting.narrative.sentences import change_remark
from analysis.reporting.review import change_pending, pending_of
from analysis.reporting.tables import key_figures

ROWS = [
    (2018, "medical_insurance_rate", 84.6),
    (2019, "medical_insurance_rate", 76.8),
    (2018, "households", 800.0),
    (2019, "households", 812.0),
]


@pytest.fixture
def area_in(area_of) -> Callable[[int], pd.DataFrame]:
    """The town's 医疗保险参保率 84.6 in 2018 and 76.8 in 2019 and its households, the rate of
    the year given counting a village value pending review."""

    def area(pending_year: int) -> pd.DataFrame:
        return area_of(
            ROWS,
            pending=lambda t: (
                (t["year"] == pending_year) & (t["indicator"] == "medical_insurance_rate")
            ),
        )

    return area


def test_the_key_figures_change_is_marked_with_its_total(area_in):
    table = key_figures(area_in(2019), 2019)
    changes = dict(zip(table.iloc[:, 1], table.iloc[:, -1], strict=True))
    rate = next(v for k, v in changes.items() if k.startswith("医疗保险参保率"))
    households = next(v for k, v in changes.items() if k.startswith("户数"))
    assert rate == "下降7.8个百分点（待核实）"
    assert households == "增加12"


def test_a_change_from_a_marked_year_before_is_marked_too(area_in):
    table = key_figures(area_in(2018), 2019)
    rate = table[table.iloc[:, 1].str.startswith("医疗保险参保率")].iloc[0]
    assert rate.iloc[-1] == "下降7.8个百分点（待核实）"
    assert rate.iloc[3] == "76.8"  # 2019's own total counts none


def test_the_leaders_card_marks_the_change(area_in):
    [rate] = [h for h in leader.headlines(area_in(2019), 2019) if h.name == "医疗保险参保率"]
    assert rate.figure == "76.8%（待核实）"
    assert rate.change == "下降7.8个百分点（待核实）"


def test_the_summarys_change_remark_is_marked(area_in):
    catalog = default_catalog()
    now = {"medical_insurance_rate": 76.8, "households": 812.0}
    before = {"medical_insurance_rate": 84.6, "households": 800.0}
    pending = pending_of(area_in(2019))
    inline, _ = change_remark(
        ["medical_insurance_rate"], now, before, catalog, "zh", pending=pending, year=2019
    )
    assert inline == "，比上年下降7.8个百分点（待核实）"
    inline, _ = change_remark(
        ["households"], now, before, catalog, "zh", pending=pending, year=2019
    )
    assert "待核实" not in inline
    assert change_pending(pending, 2020, "medical_insurance_rate") == 1
