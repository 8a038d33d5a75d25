"""Villages ranked within their own town (analysis.reporting.ranking)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from analysis import config
from analysis.pipeline.store import Tables, load_tables
from analysis.reporting.ranking import (
    rank_indicators,
    ranking_table,
    village_rank_table,
    village_ranks,
)

YEAR = 2019
QINGGUANG = "360722103203"


@pytest.fixture(scope="module")
def tables(prepared_sample) -> Tables:
    return load_tables(prepared_sample, config.RAW_DIR)


def _with_rates(tables: Tables, rates: dict[str, float | None]) -> Tables:
    """The tables with the villages' 2019 medical insurance rates replaced (None: no figure)."""
    rows = tables.indicators
    keep = ~((rows["year"] == YEAR) & (rows["indicator"] == "medical_insurance_rate"))
    new = pd.DataFrame(
        {
            "village_code": list(rates),
            "year": YEAR,
            "indicator": "medical_insurance_rate",
            "value": [float("nan") if v is None else v for v in rates.values()],
        }
    )
    return dataclasses.replace(tables, indicators=pd.concat([rows[keep], new], ignore_index=True))


def test_only_rates_are_ranked():
    assert [ind.id for ind in rank_indicators()] == [
        "medical_insurance_rate",
        "pension_insurance_rate",
        "sanitary_toilet_rate",
    ]


def test_ranks_are_within_the_town_best_first_with_ties_sharing_and_gaps_left_out(tables):
    codes = tables.villages["code"].astype(str).tolist()
    rates = dict.fromkeys(codes, 80.0)
    rates.update({codes[0]: 95.0, codes[1]: 90.0, codes[2]: 90.0, codes[3]: None})
    # A village of another town is ranked in its own town, never in this one.
    rates["360722104201"] = 99.0
    ranked = village_ranks(_with_rates(tables, rates), YEAR)["medical_insurance_rate"]
    assert ranked.at[codes[0], "rank"] == 1
    assert ranked.at[codes[1], "rank"] == ranked.at[codes[2], "rank"] == 2
    assert ranked.at[codes[4], "rank"] == 4
    assert codes[3] not in ranked.index
    assert ranked.at[codes[0], "ranked"] == len(codes) - 1
    assert ranked.at["360722104201", "rank"] == 1 and ranked.at["360722104201", "ranked"] == 1


def test_a_village_page_states_its_rank_in_its_own_town(tables):
    town = tables.town_of(QINGGUANG)
    table = village_rank_table(town, QINGGUANG, YEAR)
    assert list(table.columns) == ["指标", "本村", "本镇排名"]
    rates = town.indicators[
        (town.indicators["year"] == YEAR)
        & (town.indicators["indicator"] == "medical_insurance_rate")
    ].set_index("village_code")["value"]
    better = int((rates > rates[QINGGUANG]).sum())
    row = table.set_index("指标").loc["医疗保险参保率(%)"]
    assert row["本镇排名"] == f"在本镇{len(rates)}个村中排第{better + 1}"
    english = village_rank_table(town, QINGGUANG, YEAR, lang="en")
    assert english.iloc[0, 2] == f"{better + 1} of {len(rates)} in the town"


def test_the_town_page_ranks_every_village(tables):
    table = ranking_table(tables, YEAR)
    assert len(table) == len(tables.villages)
    assert list(table.columns)[:3] == ["村（居）", "医疗保险参保率(%)", "医疗保险参保率排名"]
    ranks = sorted(int(r) for r in table["医疗保险参保率排名"])
    assert ranks[0] == 1 and ranks[-1] <= len(table)
    # The best-ranked village has the highest rate, written by the one formatter.
    best = table.loc[table["医疗保险参保率排名"] == "1", "医疗保险参保率(%)"].iloc[0]
    assert float(best) == max(float(v) for v in table["医疗保险参保率(%)"])


def test_a_village_without_a_figure_reads_a_dash_and_is_not_ranked(tables):
    codes = tables.villages["code"].astype(str).tolist()
    rates = dict.fromkeys(codes, 85.0)
    rates[QINGGUANG] = None
    changed = _with_rates(tables, rates)
    table = ranking_table(changed, YEAR).set_index("村（居）")
    name = tables.village(QINGGUANG)["name"]
    assert table.at[name, "医疗保险参保率(%)"] == "—"
    assert table.at[name, "医疗保险参保率排名"] == "—"
    rows = village_rank_table(changed.town_of(QINGGUANG), QINGGUANG, YEAR)
    assert "医疗保险参保率(%)" not in rows["指标"].tolist()
