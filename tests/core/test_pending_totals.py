"""A total that counts a village value pending review (核实性审核) says how many: a sum or a
maximum by the value, a weighted rate by the value or its weight; made with the aggregates."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.aggregate import (
    PENDING_COLUMNS,
    PENDING_REVIEW,
    WHOLE_LEVEL,
    aggregate_area,
    aggregate_levels,
    is_pending,
    pending_totals,
)
from analysis.core.catalog import default_catalog
from analysis.pipeline.store import with_pending

A, B, C = "360722103201", "360722103202", "360722104200"


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.DataFrame]:
    villages = pd.DataFrame(
        {
            "code": [A, B, C],
            "name": ["甲村", "乙村", "丙村"],
            "town_name": ["大桥镇", "大桥镇", "新田镇"],
        }
    )
    rows = []
    for year in (2018, 2019):
        for code, population in ((A, 1000.0), (B, 2000.0), (C, 1500.0)):
            rows += [
                (code, year, "population", population),
                (code, year, "poor_households_remaining", 10.0),
                (code, year, "medical_insurance_rate", 90.0),
            ]
    return pd.DataFrame(rows, columns=["village_code", "year", "indicator", "value"]), villages


def _pending(*keys: tuple[str, int, str]) -> pd.DataFrame:
    return pd.DataFrame(keys, columns=["village_code", "year", "indicator"])


def _count(table: pd.DataFrame, year: int, indicator: str, **where: str) -> int:
    rows = table[(table["year"] == year) & (table["indicator"] == indicator)]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    assert len(rows) == 1
    return int(rows[PENDING_REVIEW].iloc[0])


def test_a_sum_counts_its_pending_value_in_its_year_only(data):
    indicators, _ = data
    area = aggregate_area(indicators, pending=_pending((A, 2019, "poor_households_remaining")))
    assert _count(area, 2019, "poor_households_remaining") == 1
    assert _count(area, 2018, "poor_households_remaining") == 0
    assert _count(area, 2019, "population") == 0
    assert _count(area, 2019, "medical_insurance_rate") == 0


def test_a_rate_counts_a_pending_weight_too(data):
    indicators, _ = data
    area = aggregate_area(indicators, pending=_pending((B, 2019, "population")))
    assert _count(area, 2019, "medical_insurance_rate") == 1  # weighted by the pending population
    assert _count(area, 2019, "population") == 1
    assert _count(area, 2019, "poor_households_remaining") == 0
    both = aggregate_area(
        indicators,
        pending=_pending((B, 2019, "population"), (B, 2019, "medical_insurance_rate")),
    )
    assert _count(both, 2019, "medical_insurance_rate") == 1  # one village, counted once


def test_the_figures_are_unchanged_by_the_count(data):
    indicators, villages = data
    pending = _pending((A, 2019, "poor_households_remaining"))
    counted = aggregate_area(indicators, pending=pending)
    pd.testing.assert_frame_equal(counted.drop(columns=PENDING_REVIEW), aggregate_area(indicators))
    levels = aggregate_levels(indicators, villages, pending=pending)
    pd.testing.assert_frame_equal(
        levels.drop(columns=PENDING_REVIEW), aggregate_levels(indicators, villages)
    )


def test_the_values_asked_once_count_as_the_keys_do(data):
    """The prepare hands every aggregation what is_pending said of the whole table."""
    indicators, villages = data
    pending = _pending((A, 2019, "poor_households_remaining"), (B, 2019, "population"))
    flags = is_pending(indicators, pending)
    assert flags.any()
    pd.testing.assert_frame_equal(
        aggregate_area(indicators, pending=flags), aggregate_area(indicators, pending=pending)
    )
    pd.testing.assert_frame_equal(
        aggregate_levels(indicators, villages, pending=flags),
        aggregate_levels(indicators, villages, pending=pending),
    )


def test_each_level_counts_its_own_villages(data):
    indicators, villages = data
    pending = _pending(
        (A, 2019, "poor_households_remaining"), (C, 2019, "poor_households_remaining")
    )
    levels = aggregate_levels(indicators, villages, default_catalog(), pending=pending)
    key = (2019, "poor_households_remaining")
    assert _count(levels, *key, level="town", code=A[:9]) == 1
    assert _count(levels, *key, level="town", code=C[:9]) == 1
    assert _count(levels, *key, level="county", code=A[:6]) == 2
    assert _count(levels, *key, level="village", code=B) == 0
    assert _count(levels, *key, level="village", code=A) == 1


def test_the_table_of_pending_totals_holds_only_those_and_joins_back(data):
    indicators, villages = data
    pending = _pending((A, 2019, "poor_households_remaining"))
    area = aggregate_area(indicators, pending=pending)
    levels = aggregate_levels(indicators, villages, pending=pending)
    table = pending_totals(area, levels)
    assert list(table.columns) == PENDING_COLUMNS
    assert list(zip(table["level"], table["code"], strict=True)) == [
        (WHOLE_LEVEL, ""),
        ("county", A[:6]),
        ("town", A[:9]),
    ]
    joined = with_pending(aggregate_levels(indicators, villages), table)
    pd.testing.assert_series_equal(
        joined[PENDING_REVIEW].where(joined["level"] != "village", 0),
        levels[PENDING_REVIEW].where(levels["level"] != "village", 0),
    )
    whole = with_pending(aggregate_area(indicators), table, WHOLE_LEVEL)
    pd.testing.assert_series_equal(whole[PENDING_REVIEW], area[PENDING_REVIEW])


def test_nothing_pending_counts_nothing(data):
    indicators, villages = data
    area = aggregate_area(indicators, pending=_pending())
    assert (area[PENDING_REVIEW] == 0).all()
    assert pending_totals(area, aggregate_levels(indicators, villages, pending=_pending())).empty
