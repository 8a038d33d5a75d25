"""Fair comparisons on the county's pages (issue 28): towns are ranked on rates and figures per
household, never on totals, and verdicts are counted at the level they belong to."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core.catalog import default_catalog
from analysis.pipeline.store import Tables
from analysis.reporting import county
from analysis.reporting.index_page import _statuses_within

YEAR = 2019
BIG, SMALL = "360722100", "360722101"


def _tables(aggregates: pd.DataFrame = None, projections: pd.DataFrame = None) -> Tables:
    empty = pd.DataFrame()
    return Tables(
        processed_dir=Path("."),
        indicators=empty,
        township=empty,
        villages=empty,
        targets=empty,
        projections=empty if projections is None else projections,
        projects=empty,
        reconciliation=empty,
        summary={},
        sample=True,
        aggregates=empty if aggregates is None else aggregates,
    )


def _town_figures(figures: dict[str, dict[str, float]]) -> pd.DataFrame:
    rows = [
        {"level": "town", "code": code, "name": name, "year": YEAR, "indicator": i, "value": v}
        for (code, name), values in zip(
            ((BIG, "大镇"), (SMALL, "小镇")), figures.values(), strict=True
        )
        for i, v in values.items()
    ]
    return pd.DataFrame(rows)


@pytest.fixture
def towns() -> pd.DataFrame:
    # The big town has more poor households in all, but fewer for its size.
    return county.town_table(
        _tables(
            _town_figures(
                {
                    BIG: {
                        "households": 40000,
                        "population": 140000,
                        "poor_households_remaining": 40,
                        "medical_insurance_rate": 86.0,
                        "vegetable_greenhouse_area_mu": 1500,
                    },
                    SMALL: {
                        "households": 2000,
                        "population": 7000,
                        "poor_households_remaining": 10,
                        "medical_insurance_rate": 87.0,
                        "vegetable_greenhouse_area_mu": 100,
                    },
                }
            )
        ),
        YEAR,
    )


def test_towns_are_never_ranked_on_a_total(towns):
    catalog = default_catalog()
    totals = [ind.zh for ind in catalog if ind.kind != "rate"]
    ranked = [c.removesuffix("排名") for c in towns.columns if c.endswith("排名")]
    assert ranked and not [name for name in ranked if name in totals]
    assert "未脱贫户数(户)" in towns.columns  # shown, not ranked


def test_a_total_is_ranked_per_100_households(towns):
    per_100 = towns.set_index("乡镇")
    assert per_100.at["大镇", "每100户未脱贫户数(户)"] == "0.10"
    assert per_100.at["小镇", "每100户未脱贫户数(户)"] == "0.50"
    # Fewer poor households for its size ranks the big town first, though it has more in all.
    assert per_100.at["大镇", "每100户未脱贫户数排名"] == "1"
    assert per_100.at["大镇", "每100户蔬菜大棚面积排名"] == "2"
    assert per_100.at["大镇", "医疗保险参保率排名"] == "2"


def _projections() -> pd.DataFrame:
    # The big town: one of its own targets at risk, and 50 villages each at risk on one target.
    rows = [(BIG, "target", "需加速", "acceleration needed"), (BIG, "town", "有望达成", "on track")]
    rows += [(f"{BIG}{n:03d}", "village", "需加速", "acceleration needed") for n in range(50)]
    rows += [
        (SMALL, "target", "倒退", "deteriorating"),
        (SMALL, "town", "需加速", "acceleration needed"),
    ]
    return pd.DataFrame(rows, columns=["scope", "row_type", "status_zh", "status_en"])


def test_the_status_map_counts_each_towns_own_verdicts_not_its_villages():
    counts = county.town_at_risk(_projections(), pd.Series([BIG, SMALL]))
    assert counts.tolist() == [1, 2]


def test_the_index_header_counts_each_level_apart():
    texts = _statuses_within(_projections(), [BIG, SMALL], "zh")
    assert texts[BIG] == "镇级 需加速 1 · 有望达成 1；村级 需加速 50"
    assert texts[SMALL] == "镇级 倒退 1 · 需加速 1"
    english = _statuses_within(_projections(), [BIG], "en")[BIG]
    assert english.startswith("town: ") and "; villages: acceleration needed 50" in english
