"""The whole-array assessments of a batch are, row by row and bit by bit, the one-row ones."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.core import trends
from analysis.core.trends import batch
from analysis.core.trends.assessment import assess_arrays
from analysis.core.trends.projection import fit_batch
from analysis.core.trends.verdicts import assess_fit

YEARS = np.arange(2014, 2020)


def awkward_values(kind: str, cumulative: bool, n: int, seed: int) -> np.ndarray:
    """Series of every shape a verdict turns on: rising, falling, flat, at zero, at the
    bounds, crossing the targets."""
    rng = np.random.default_rng(seed)
    t = np.arange(n, dtype=float)
    rows = [
        40 - 6 * t + rng.normal(0, 3, n),
        5 + 4 * t + rng.normal(0, 1, n),
        np.full(n, 7.0),
        np.full(n, 0.0),
        np.r_[np.full(n - 2, 3.0), 0.0, 0.0],
        20 + rng.normal(0, 5, n),
        np.full(n, 100.0),
        99.5 + 0.1 * t,
        2.0 * t,
        np.r_[10.0, np.full(n - 1, 12.0)],
    ]
    values = np.vstack([rows, rng.uniform(0, 100, (30, n))])
    values = np.clip(values, 0.0, 100.0) if kind == "rate" else np.maximum(values, 0.0).round(1)
    if cumulative:
        values = np.maximum.accumulate(values, axis=1)
    return values


def targets_for(values: np.ndarray, seed: int) -> np.ndarray:
    """Targets below, on, between and above the values, none, at zero, below zero and above
    a rate's bound; each row gets one."""
    rng = np.random.default_rng(seed)
    special = [math.nan, 0.0, -1.0, 150.0, 100.0, 7.0, 12.0, 3.0]
    targets = []
    for i, row in enumerate(values):
        choice = i % 12
        if choice < len(special):
            targets.append(special[choice])
        elif choice == 8:
            targets.append(float(row[0]))  # the base value itself
        elif choice == 9:
            targets.append(float(row[-1]))  # the latest value itself
        else:
            targets.append(float(rng.uniform(0, 120)))
    return np.array(targets)


CASES = [
    ("count", (0.0, None), False),
    ("rate", (0.0, 100.0), False),
    ("length", (0.0, None), True),
    ("amount", (None, None), False),
]


@pytest.mark.parametrize("kind, bounds, cumulative", CASES)
@pytest.mark.parametrize("direction", ["higher", "lower"])
@pytest.mark.parametrize("base_year", [None, 2015, 2013, 2030])
@pytest.mark.parametrize("years", [YEARS, np.array([2014, 2016, 2017, 2019]), YEARS[-3:]])
def test_each_row_is_the_one_row_assessment(kind, bounds, cumulative, direction, base_year, years):
    values = awkward_values(kind, cumulative, len(years), seed=len(years))
    targets = targets_for(values, seed=7)
    for target_year in (2020, 2025):
        fit = fit_batch(years, values, target_year, kind, bounds, 0.8, targets, cumulative)
        assert fit is not None
        rows, columns, paths = assess_fit(fit, targets, target_year, base_year, direction)
        assert rows.size > len(values) // 2
        for k, row in enumerate(rows.tolist()):
            alone = assess_arrays(
                years,
                values[row],
                float(targets[row]),
                target_year,
                base_year,
                direction,
                kind,
                bounds,
                0.8,
                cumulative=cumulative,
                projection=fit.projection(row),
            ).to_dict()
            assert repr({c: columns[c][k] for c in alone}) == repr(alone)
        charted = [int(r) for r in rows if math.isfinite(targets[r])]
        assert sorted(set(paths["row"])) == [k for k, r in enumerate(rows) if r in charted]


def one_row_each(fit, targets, target_year, base_year, direction):
    """:func:`assess_fit` made of :func:`assess_arrays`, one row at a time."""
    rows = np.flatnonzero(fit.settled)
    made = [
        assess_arrays(
            fit.years,
            fit.values[row],
            float(targets[row]),
            target_year,
            base_year,
            direction,
            "count",  # the kind only chooses the models, and the projection is made
            fit.bounds,
            fit.level,
            cumulative=fit.cumulative,
            projection=fit.projection(row),
        )
        for row in rows
    ]
    columns = {c: [a.to_dict()[c] for a in made] for c in trends.COLUMNS[6:]}
    paths: dict[str, list] = {c: [] for c in ("row", *trends.PATH_COLUMNS[5:])}
    for k, a in enumerate(made):
        if not math.isfinite(a.target):
            continue
        observed = zip(fit.years, fit.values[rows[k]], strict=True)
        drawn = [(y, v, math.nan, math.nan, math.nan) for y, v in observed]
        drawn += [(y, math.nan, p, lo, hi) for y, p, lo, hi in a.projection.path]
        for y, *numbers in drawn:
            paths["row"].append(k)
            paths["year"].append(int(y))
            for column, number in zip(trends.PATH_COLUMNS[6:], numbers, strict=True):
                paths[column].append(float(number))
    return rows, columns, paths


@pytest.mark.parametrize("base_year", [None, 2016])
def test_the_tables_are_those_of_one_row_at_a_time(monkeypatch, base_year) -> None:
    from tests.core.test_trends_batch import TARGETS, village_table

    indicators = village_table(48, list(YEARS), seed=3)
    whole = trends.assess_targets_with_paths(indicators, TARGETS, base_year=base_year)
    monkeypatch.setattr(batch, "assess_fit", one_row_each)
    alone = trends.assess_targets_with_paths(indicators, TARGETS, base_year=base_year)
    assert (whole[0]["row_type"] == "village").sum() > 200
    for made, expected in zip(whole, alone, strict=True):
        pd.testing.assert_frame_equal(made, expected, check_exact=True)
