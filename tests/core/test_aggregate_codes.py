"""The aggregation by numbered keys gives, bit for bit, the tables grouping by their text gave."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from analysis.core.aggregate import (
    VALUE_KEY,
    aggregate_area,
    aggregate_levels,
    area_series,
    is_pending,
    level_series,
)
from analysis.core.catalog import Catalog, default_catalog
from tests.core.aggregate_by_text import area_by_text, levels_by_text

CATALOG = default_catalog()
#: The catalog with a largest-value indicator, which the package's has none of.
WITH_MAX = Catalog(
    tuple(
        dataclasses.replace(ind, aggregate="max") if ind.id == "workshops" else ind
        for ind in CATALOG
    )
)
INDICATORS = [
    "population",
    "households",
    "poor_households_remaining",
    "medical_insurance_rate",
    "sanitary_toilet_rate",
    "workshops",
    "not_in_the_catalog",
]


def village_values(seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values of villages in towns of two counties, with what trips an aggregation: missing
    values, zero, negative and missing weights, villages outside the registry, an indicator
    outside the catalog, rows in any order."""
    rng = np.random.default_rng(seed)
    codes = sorted(
        {
            f"3607{county}{town:03d}{village:03d}"
            for county, town, village in zip(
                rng.choice(["22", "23"], 30),
                rng.integers(100, 104, 30),
                rng.integers(0, 9, 30),
                strict=True,
            )
        }
    )
    villages = pd.DataFrame(
        {
            "code": codes,
            "name": [f"村{i}" for i in range(len(codes))],
            "town_name": rng.choice(["大桥镇", "", "新田镇"], len(codes)),
        }
    )
    stray = ["360722199001"]
    rows = []
    for code in [*codes, *stray]:
        for year in (2017, 2018, 2019):
            for indicator in INDICATORS:
                if rng.random() < 0.15:
                    continue
                value = float(
                    rng.choice(
                        [rng.uniform(0, 3000), 0.0, -5.0, np.nan], p=[0.85, 0.05, 0.05, 0.05]
                    )
                )
                rows.append((code, year, indicator, value))
    table = pd.DataFrame(rows, columns=["village_code", "year", "indicator", "value"])
    if seed % 2:
        table = table.sample(frac=1, random_state=seed).reset_index(drop=True)
    return table, villages


def pending_of(table: pd.DataFrame, seed: int) -> pd.DataFrame:
    return table.sample(frac=0.1, random_state=seed)[VALUE_KEY].reset_index(drop=True)


def same(made: pd.DataFrame, expected: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(made, expected, check_exact=True)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("catalog", [CATALOG, WITH_MAX], ids=["package", "with max"])
def test_area_and_levels_are_those_grouped_by_text(seed, catalog) -> None:
    table, villages = village_values(seed)
    pending = pending_of(table, seed)
    flags = is_pending(table, pending)
    for given in (None, pending, flags):
        same(
            aggregate_area(table, catalog, pending=given),
            area_by_text(table, catalog, pending=given),
        )
        same(
            aggregate_levels(table, villages, catalog, pending=given),
            levels_by_text(table, villages, catalog, pending=given),
        )
    assert (aggregate_area(table, catalog)["indicator"] == "workshops").any()


@pytest.mark.parametrize("seed", range(4))
def test_other_groupings_and_weights_are_those_grouped_by_text(seed) -> None:
    """Groupings of text and of objects, by several columns, weights from another table (with
    a village's weight given twice: each counts), as the totals check and the restatement
    aggregate."""
    table, _ = village_values(seed)
    rng = np.random.default_rng(seed)
    here = table.assign(
        file=rng.choice(["b.xlsx", "a.xlsx"], len(table)),
        sheet=pd.Series(rng.choice(["一", "二", None], len(table)), dtype=object),
        town=table["village_code"].str[:9],
    )
    weights = pd.concat([table, table.iloc[: len(table) // 20]], ignore_index=True)
    pending = pending_of(table, seed)
    for by in (("year",), ("file", "sheet", "year", "town"), ("town", "year")):
        for given in (None, pending):
            same(
                aggregate_area(here, CATALOG, by=by, weights=weights, pending=given),
                area_by_text(here, CATALOG, by=by, weights=weights, pending=given),
            )


def test_no_rows() -> None:
    table, villages = village_values(0)
    empty = table.iloc[:0]
    same(aggregate_area(empty, CATALOG), area_by_text(empty, CATALOG))
    same(aggregate_levels(empty, villages, CATALOG), levels_by_text(empty, villages, CATALOG))
    only_rates = table[table["indicator"] == "medical_insurance_rate"]
    same(aggregate_area(only_rates, CATALOG), area_by_text(only_rates, CATALOG))


def test_the_series_projected_are_those_grouped_by_text() -> None:
    table, _ = village_values(3)
    kept = table[table["value"].notna()]
    by_text = area_by_text(kept, CATALOG)
    assert area_series(table, CATALOG)[["year", "indicator", "value"]].shape[0] <= len(by_text)
    towns = level_series(table, "town", CATALOG)
    keyed = kept.assign(code=kept["village_code"].str[:9])
    expected = area_by_text(keyed, CATALOG, by=("code", "year"), weights=kept)
    merged = towns.merge(expected, on=["code", "year", "indicator"], suffixes=("", "_text"))
    assert len(merged) == len(towns) and (merged["value"] == merged["value_text"]).all()
