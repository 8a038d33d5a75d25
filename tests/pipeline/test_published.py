"""The sample's 2019 township totals equal the township's published figures."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from analysis import config

PUBLISHED = pd.read_csv(config.RAW_DIR / config.PUBLISHED_FILE, dtype=str, keep_default_na=False)
#: The figures issue 2 names: every catalog figure the document states for the township.
STATED = ["F04", "F05", "F06", "F07", "F11", "F13", "F14", "F21", "F22", "F23", "F24", "F25"]
STATED += ["F29", "F30", "F31"]


def _half_unit(text: str) -> float:
    """Half a unit of the last digit the document wrote: '86' → 0.5, '335.26' → 0.005."""
    return float(Decimal(1).scaleb(Decimal(text).as_tuple().exponent)) / 2


@pytest.mark.parametrize("fact_id", STATED)
def test_township_total_equals_published_figure(prepared_sample, fact_id):
    fact = PUBLISHED[PUBLISHED["fact_id"] == fact_id].iloc[0]
    township = pd.read_parquet(prepared_sample / "township.parquet")
    value = township[(township["year"] == 2019) & (township["indicator"] == fact["indicator_id"])]
    assert len(value) == 1, f"{fact_id} {fact['indicator_id']} missing from township.parquet"
    # To the document's own precision: a published 86 % admits 85.5 ≤ x < 86.5.
    assert abs(value["value"].item() - float(fact["value"])) < _half_unit(fact["value"])


def test_rates_are_population_weighted_means_of_the_villages(prepared_sample):
    tidy = pd.read_parquet(prepared_sample / "indicators.parquet")
    wide = tidy[tidy["year"] == 2019].pivot(
        index="village_code", columns="indicator", values="value"
    )
    township = pd.read_parquet(prepared_sample / "township.parquet").set_index(
        ["year", "indicator"]
    )
    for rate in ("medical_insurance_rate", "pension_insurance_rate"):
        expected = (wide[rate] * wide["population"]).sum() / wide["population"].sum()
        assert township.loc[(2019, rate), "value"] == pytest.approx(expected)


def test_targets_include_the_documents_2020_targets(prepared_sample):
    targets = pd.read_parquet(prepared_sample / "targets.parquet")
    assert {"F41", "F42", "F43", "F44", "F45"} <= set(targets["source"])
    poor = targets[targets["indicator"] == "poor_households_remaining"]
    assert poor["target_value"].tolist() == [0.0]


def test_reconciliation_shows_the_documents_own_disagreements(prepared_sample):
    reconciliation = pd.read_csv(prepared_sample / "reconciliation.csv", encoding="utf-8-sig")
    differs = set(reconciliation.loc[reconciliation["status"] == "differs", "fact_id"])
    assert differs == {"F09"}  # 197 亩 here, 194 亩 in section 三
    statuses = reconciliation.set_index("fact_id")["status"]
    assert statuses["F08"] == "rounding"  # 118 亩 here, 118.35 亩 in section 三
    township = reconciliation[
        (reconciliation["scope"] == "township") & reconciliation["compared_with"].notna()
    ]
    assert set(township["status"]) == {"match"}


def test_project_figures_are_checked_against_the_project_list(prepared_sample):
    reconciliation = pd.read_csv(
        prepared_sample / "reconciliation.csv", encoding="utf-8-sig", dtype=str
    ).fillna("")
    projects = reconciliation[reconciliation["fact_id"].isin([f"F{n}" for n in range(15, 21)])]
    assert len(projects) == 12  # F15–F19: projects and funds of a batch; F20: started, done
    assert set(projects["compared_with"]) == {"projects"}
    assert set(projects["status"]) == {"match"}
    assert (
        projects.set_index(["fact_id", "published_text"]).loc[("F15", "120"), "computed"] == "120.0"
    )


def test_a_project_figure_that_differs_from_the_list_is_said():
    from analysis.pipeline.reconcile import reconcile

    published = pd.DataFrame(
        {
            "fact_id": ["P1", "P2"],
            "kind": "actual",
            "scope": "township",
            "year": "2019",
            "value": ["2;30", "2;2"],
            "unit": ["个;万元", "个;个"],
            "quote": ["第一批项目2个，合计30万元", "2个项目均已开工，其中2个项目已竣工"],
        }
    )
    projects = pd.DataFrame(
        {
            "batch": ["第一批项目", "第一批项目", "其他"],
            "amount_wan": [10.0, 15.0, 5.0],
            "started": [True, True, True],
            "completed": [True, False, False],
        }
    )
    empty = pd.DataFrame(columns=["village_code", "year", "indicator", "value"])
    town = pd.DataFrame(columns=["year", "indicator", "value"])
    result = reconcile(published, empty, town, projects=projects)
    assert result["computed"].tolist() == [2, 25, 3, 1]
    assert result["status"].tolist() == ["match", "differs", "differs", "differs"]
    assert (result["other_fact"] == "").all()  # two batches' funds are not one quantity
    without = reconcile(published, empty, town)
    assert set(without["reason"]) == {"no indicator"}
