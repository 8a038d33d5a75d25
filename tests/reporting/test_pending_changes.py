"""A change on the year before worked out from a total that counts a village value pending
review (待核实) is marked as the total is: in the key figures, the leader's card and the
summary's sentence; a change from totals that count none is not."""

from __future__ import annotations

import pandas as pd

from analysis.core.aggregate import PENDING_REVIEW
from analysis.core.catalog import default_catalog
from analysis.reporting import leader
from analysis.reporting.narrative.sentences import change_remark
from analysis.reporting.review import change_pending, pending_of
from analysis.reporting.tables import key_figures


def _area(pending_year: int) -> pd.DataFrame:
    """The town's 医疗保险参保率 84.6 in 2018 and 76.8 in 2019 and its households, the rate of
    ``pending_year`` counting a village value pending review."""
    rows = [
        (2018, "medical_insurance_rate", 84.6),
        (2019, "medical_insurance_rate", 76.8),
        (2018, "households", 800.0),
        (2019, "households", 812.0),
    ]
    area = pd.DataFrame(rows, columns=["year", "indicator", "value"])
    pending = (area["year"] == pending_year) & (area["indicator"] == "medical_insurance_rate")
    return area.assign(**{PENDING_REVIEW: pending.astype("int64")})


def test_the_key_figures_change_is_marked_with_its_total():
    table = key_figures(_area(2019), 2019)
    changes = dict(zip(table.iloc[:, 1], table.iloc[:, -1], strict=True))
    rate = next(v for k, v in changes.items() if k.startswith("医疗保险参保率"))
    households = next(v for k, v in changes.items() if k.startswith("户数"))
    assert rate == "下降7.8个百分点（待核实）"
    assert households == "增加12"


def test_a_change_from_a_marked_year_before_is_marked_too():
    table = key_figures(_area(2018), 2019)
    rate = table[table.iloc[:, 1].str.startswith("医疗保险参保率")].iloc[0]
    assert rate.iloc[-1] == "下降7.8个百分点（待核实）"
    assert rate.iloc[3] == "76.8"  # 2019's own total counts none


def test_the_leaders_card_marks_the_change():
    [rate] = [h for h in leader.headlines(_area(2019), 2019) if h.name == "医疗保险参保率"]
    assert rate.figure == "76.8%（待核实）"
    assert rate.change == "下降7.8个百分点（待核实）"


def test_the_summarys_change_remark_is_marked():
    catalog = default_catalog()
    now = {"medical_insurance_rate": 76.8, "households": 812.0}
    before = {"medical_insurance_rate": 84.6, "households": 800.0}
    pending = pending_of(_area(2019))
    inline, _ = change_remark(
        ["medical_insurance_rate"], now, before, catalog, "zh", pending=pending, year=2019
    )
    assert inline == "，比上年下降7.8个百分点（待核实）"
    inline, _ = change_remark(
        ["households"], now, before, catalog, "zh", pending=pending, year=2019
    )
    assert "待核实" not in inline
    assert change_pending(pending, 2020, "medical_insurance_rate") == 1
