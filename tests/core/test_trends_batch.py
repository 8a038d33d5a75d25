"""The batched village projections give the per-series numbers (issue 17)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core import trends
from analysis.core.catalog import default_catalog
from analysis.core.trends import batch

YEARS = list(range(2014, 2020))


def one_by_one(monkeypatch, indicators: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """``assess_targets`` with the batch turned off: every village projected alone."""
    with monkeypatch.context() as patch:
        patch.setattr(batch, "batch_fits", lambda *args, **kwargs: [])
        return trends.assess_targets(indicators, targets)


def assert_same(batched: pd.DataFrame, alone: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(batched, alone, check_exact=False, rtol=1e-9, atol=1e-12)


def village_table(n_villages: int, years: list[int], seed: int) -> pd.DataFrame:
    """Villages of every awkward shape: gaps, short series, zeros, flat lines, rates at their
    bounds, running totals."""
    rng = np.random.default_rng(seed)
    rows = []
    for v in range(n_villages):
        code = f"3607{v:08d}"
        shape = v % 8
        kept = list(years)
        if shape == 1:
            kept = [y for y in years if y != years[2]]  # one gap
        elif shape == 2:
            kept = years[-2:]  # too short: refused
        elif shape == 3:
            kept = years[-3:]
        elif shape == 4:
            kept = [years[0], years[2], years[3], years[-1]]  # two gaps
        t = np.arange(len(kept), dtype=float)
        poor = np.maximum(0.0, 40 - (6 + v % 5) * t + rng.normal(0, 3, len(kept))).round()
        if shape == 5:
            poor = np.full(len(kept), 7.0)  # flat
        if shape == 6:
            poor[-2:] = 0.0  # reached zero: no log model
        centre = [50.0, 99.6, 0.3, 100.0, 85.0, 10.0, 70.0, 99.95][v % 8]
        medical = np.clip(centre + rng.normal(0, 0.4, len(kept)).cumsum(), 0.0, 100.0)
        toilet = np.clip(30 + (v % 7) * 8 * t / len(kept) + rng.normal(0, 2, len(kept)), 0, 100)
        additions = rng.choice([0.0, 0.5, 1.5, 3.0], len(kept))
        road = (5.0 + additions.cumsum()) if shape != 7 else np.full(len(kept), 4.0)
        for i, year in enumerate(kept):
            for indicator, value in (
                ("poor_households_remaining", poor[i]),
                ("medical_insurance_rate", medical[i]),
                ("sanitary_toilet_rate", toilet[i]),
                ("hardened_road_km", road[i]),
                ("population", 800.0 + v),
                ("households", 250.0 + v),
            ):
                rows.append((code, year, indicator, float(value)))
    return pd.DataFrame(rows, columns=["village_code", "year", "indicator", "value"])


TARGETS = pd.DataFrame(
    {
        "scope": ["township", "township", "township", "township", "township", "360700000003"],
        "indicator": [
            "poor_households_remaining",
            "medical_insurance_rate",
            "sanitary_toilet_rate",
            "hardened_road_km",
            "sanitary_toilet_rate",
            "medical_insurance_rate",
        ],
        "target_year": [2020, 2020, 2020, 2020, 2019, 2021],
        "target_value": [0.0, 99.0, 85.0, 500.0, 60.0, 100.0],
        "source": ["", "", "", "", "", ""],
    }
)


def test_batched_equals_one_by_one_on_awkward_villages(monkeypatch) -> None:
    indicators = village_table(48, YEARS, seed=3)
    batched = trends.assess_targets(indicators, TARGETS)
    alone = one_by_one(monkeypatch, indicators, TARGETS)
    assert_same(batched, alone)
    villages = batched[batched["row_type"] == "village"]
    # The awkward shapes are all there: refusals, models skipped, several models chosen.
    assert (~villages["ok"]).any() and villages["ok"].sum() > 100
    assert villages["candidates"].str.contains("skipped").any()
    assert villages["model"].nunique() >= 5


def village_jobs(by_code: dict, ind, target: float, target_year: int) -> list:
    """The rows :func:`batch.batch_fits` takes: one a village, scope its code."""
    return [(code, "village", ind, "", s, target, target_year) for code, s in by_code.items()]


def projected_codes(by_code: dict, ind, target: float, target_year: int) -> set[str]:
    """The villages the batch projects (the rest go to the one-series path)."""
    jobs = village_jobs(by_code, ind, target, target_year)
    fits = batch.batch_fits(jobs, 0.8)
    return {jobs[i][0] for rows, fit in fits for k, i in enumerate(rows) if fit.settled[k]}


def test_nothing_falls_back_on_plain_series() -> None:
    catalog = default_catalog()
    indicators = village_table(48, YEARS, seed=5)
    relevant = batch._relevant(indicators, set(TARGETS["indicator"]), catalog)
    series = batch._split(relevant, ["village_code", "indicator"])
    for indicator in ("poor_households_remaining", "medical_insurance_rate", "hardened_road_km"):
        by_code = {code: s for (code, i), s in series.items() if i == indicator}
        projected = projected_codes(by_code, catalog[indicator], 0.0, 2020)
        long_enough = {code for code, (years, _) in by_code.items() if len(years) >= 3}
        assert set(projected) == long_enough


def test_ets_rows_fall_back_and_agree(monkeypatch) -> None:
    """Twelve consecutive years make damped ETS usable: those rows go to the one-series path."""
    catalog = default_catalog()
    indicators = village_table(6, list(range(2008, 2020)), seed=11)
    relevant = batch._relevant(indicators, {"poor_households_remaining"}, catalog)
    series = batch._split(relevant, ["village_code", "indicator"])
    full = {code: s for (code, _), s in series.items() if len(s[0]) == 12}
    ind = catalog["poor_households_remaining"]
    assert full and projected_codes(full, ind, 0.0, 2020) == set()
    targets = TARGETS.iloc[:1]
    assert_same(
        trends.assess_targets(indicators, targets), one_by_one(monkeypatch, indicators, targets)
    )


def test_batched_equals_one_by_one_on_the_sample(prepared_sample: Path, monkeypatch) -> None:
    indicators = pd.read_parquet(prepared_sample / "indicators.parquet")
    targets = pd.read_parquet(prepared_sample / "targets.parquet")
    assert_same(
        trends.assess_targets(indicators, targets), one_by_one(monkeypatch, indicators, targets)
    )


def test_each_row_of_a_batch_is_projected_for_its_own_target() -> None:
    """A target at or below 0 rules out the log models for its row only (as project_arrays)."""
    years = np.arange(2014, 2020)
    rng = np.random.default_rng(7)
    values = np.maximum(1.0, 40 - 5 * np.arange(6) + rng.normal(0, 2, (6, 6))).round()
    values[1, -1] = 0.0  # a value at 0: no log model whatever the target
    targets = np.array([0.0, 5.0, 5.0, -1.0, np.nan, 10.0])
    batched = trends.projection.project_batch(
        years, values, 2020, "count", (0.0, None), 0.8, targets
    )
    for row, target in enumerate(targets):
        alone = trends.projection.project_arrays(
            years, values[row], 2020, "count", (0.0, None), 0.8, target
        )
        assert repr(batched[row]) == repr(alone)
    notes = [p.candidates_text() for p in batched]
    assert "log-linear skipped" in notes[0] and "log-linear skipped" not in notes[2]


def test_project_batch_refuses_what_it_cannot_fit() -> None:
    with pytest.raises(ValueError, match="3 points"):
        trends.projection.project_batch(
            np.array([2018, 2019]), np.ones((2, 2)), 2020, "count", (0.0, None), 0.8
        )


def _below_by_scan(scope: str, villages: list[str]) -> tuple[list[str], str]:
    """The units below a scope found as they were before the binary search: every code tried."""
    level, codes = batch.scope_level(scope)
    if level == "township":
        return villages, "village"
    if level == "town":
        return [v for v in villages if v.startswith(codes[0])], "village"
    return sorted({v[:9] for v in villages if v.startswith(codes[0])}), "town"


@pytest.mark.parametrize(
    "scope",
    [
        "township",
        "360722100",  # the first town
        "360722101",  # a town whose code is the first's but one digit
        "360722199",  # the last town
        "360722150",  # a town of no village
        "360721100",  # a town before every village
        "360723100",  # a town after every village
        "360722",  # the county
        "360799",  # a county of no village
    ],
)
def test_units_below_are_those_a_scan_finds(scope):
    villages = sorted(
        [
            "360722100001",
            "360722100002",
            "360722101001",
            "360722101010",
            "360722110001",
            "360722199999",
            "360723000001",
        ]
    )
    assert batch._units_below(scope, villages) == _below_by_scan(scope, villages)
    assert batch._units_below(scope, []) == _below_by_scan(scope, [])


def test_starting_with_a_prefix_of_other_codes():
    codes = ["36", "360", "3600", "36000", "361", "37"]
    assert batch._starting_with(codes, "360") == ["360", "3600", "36000"]
    assert batch._starting_with(codes, "3600") == ["3600", "36000"]
    assert batch._starting_with(codes, "35") == []
    assert batch._starting_with(codes, "38") == []
    assert batch._starting_with(codes, "") == codes
