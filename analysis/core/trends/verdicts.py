"""The assessments of a batch of series at once: :func:`assess_fit`.

A province has tens of thousands of villages and towns below its targets; assessing each row
alone (:func:`~analysis.core.trends.assessment.assess_arrays`) costs more than projecting them
all (:func:`~analysis.core.trends.projection.fit_batch`). :func:`assess_fit` gives every row a
batch projected the columns :meth:`~analysis.core.trends.assessment.Assessment.to_dict` gives,
by the same rule and to the last bit: sums, differences, products, quotients and comparisons
are the same in numpy as in Python, and the powers of the growth rates are taken in Python, as
:mod:`~analysis.core.trends.measures` takes them (``tests/core/test_trends_batch.py`` compares
every row with :func:`assess_arrays` by repr).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis.core.labels import STATUS_ZH
from analysis.core.trends import models
from analysis.core.trends.measures import ACCELERATION_RATIO, ON_TRACK_RATIO
from analysis.core.trends.projection import BatchFit, clip, direction_sign

_NAN = math.nan


def assess_fit(
    fit: BatchFit,
    targets: np.ndarray,
    target_year: int,
    base_year: int | None,
    direction: str,
) -> tuple[np.ndarray, dict[str, list], dict[str, list]]:
    """The rows of ``fit`` it settled, assessed against their ``targets`` (one a row of the
    fit, NaN for none) due in ``target_year``.

    Returns the rows (indices into the fit), their columns as ``Assessment.to_dict`` names
    them (a list a column, a value a row), and what the fan charts of those with a target draw:
    ``row`` (an index into the rows), ``year``, ``observed``, ``projected``, ``lower``,
    ``upper``, a list each.
    """
    rows = np.flatnonzero(fit.settled)
    years, values, targets = fit.years, fit.values[rows], np.asarray(targets, float)[rows]
    sign = direction_sign(direction)
    start = years[0] if base_year is None else base_year
    after = np.flatnonzero(years >= start)
    index = int(after[0]) if after.size else len(years) - 1
    base_y, last_y = int(years[index]), int(years[-1])
    base_v, last_v = values[:, index], values[:, -1]
    has_target = np.isfinite(targets)
    chosen = fit.chosen[rows]
    projected = fit.mean[rows, -1]
    m = len(rows)
    nan = np.full(m, _NAN)
    with np.errstate(invalid="ignore", divide="ignore"):
        observed = (last_v - base_v) / (last_y - base_y) if last_y > base_y else nan
        required = (
            np.where(has_target, (targets - last_v) / (target_year - last_y), _NAN)
            if target_year > last_y
            else nan
        )
    achieved = _meets(last_v, targets, sign)
    measured = has_target & np.isfinite(base_v) & np.isfinite(last_v)
    ratio = _eurostat_ratio(base_v, last_v, targets, measured, base_y, last_y, target_year, sign)
    measure, anticipated = _escap(
        base_v, last_v, targets, measured, base_y, last_y, target_year, fit.bounds
    )
    change = np.where(np.isfinite(observed), observed, projected - last_v)
    status_en = np.select(
        [~has_target, achieved, sign * change < 0, _meets(projected, targets, sign)],
        ["no target", "achieved", "deteriorating", "on track"],
        "acceleration needed",
    ).tolist()
    columns: dict[str, list] = {
        "target_year": [int(target_year)] * m,
        "target": targets.tolist(),
        "direction": [direction] * m,
        "tracking": ["trend"] * m,
        "base_year": [base_y] * m,
        "base_value": base_v.tolist(),
        "last_year": [last_y] * m,
        "last_value": last_v.tolist(),
        "done": [_NAN] * m,
        "n_points": [len(years)] * m,
        "ok": [True] * m,
        "reason": [""] * m,
        "model": [fit.candidates[j].name for j in chosen.tolist()],
        "backtest_mae": fit.maes[rows, chosen].tolist(),
        "candidates": _candidates_text(fit, rows),
        "widening": fit.factors[rows, chosen].tolist(),
        "projected": projected.tolist(),
        "lower": fit.lower[rows, -1].tolist(),
        "upper": fit.upper[rows, -1].tolist(),
        "level": [fit.level] * m,
        "probability": _probability(fit, rows, targets, has_target, sign).tolist(),
        "escap_measure": measure.tolist(),
        "escap_category": _escap_category(measure, base_v, anticipated, targets, measured, sign),
        "eurostat_ratio": ratio.tolist(),
        "eurostat_band": _eurostat_band(ratio, achieved, has_target),
        "status_zh": [STATUS_ZH[s] for s in status_en],
        "status_en": status_en,
        "remaining": (targets - last_v).tolist(),
        "required_change_per_year": required.tolist(),
        "observed_change_per_year": observed.tolist(),
        "gap": (targets - projected).tolist(),
    }
    return rows, columns, _paths(fit, rows, has_target)


def _meets(value: np.ndarray, target: np.ndarray, sign: int) -> np.ndarray:
    """:func:`~analysis.core.trends.measures.meets`, elementwise."""
    finite = np.isfinite(value) & np.isfinite(target)
    with np.errstate(invalid="ignore"):
        return finite & ((value >= target) if sign > 0 else (value <= target))


def _cagr(start: np.ndarray, end: np.ndarray, years: int) -> np.ndarray:
    """:func:`~analysis.core.trends.measures.cagr` of values all > 0 over ``years`` > 0; the
    power in Python, as the one-row function takes it."""
    exponent = 1.0 / years
    return np.array([q**exponent - 1.0 for q in (end / start).tolist()], dtype=float)


def _eurostat_ratio(
    base: np.ndarray,
    current: np.ndarray,
    target: np.ndarray,
    measured: np.ndarray,
    base_year: int,
    current_year: int,
    target_year: int,
    sign: int,
) -> np.ndarray:
    """:func:`~analysis.core.trends.measures.eurostat_ratio`, elementwise (NaN where not
    ``measured``)."""
    ratio = np.full(len(base), _NAN)
    if current_year <= base_year:
        return ratio
    observed, required = ratio.copy(), ratio.copy()
    growth = measured & (base > 0) & (current > 0) & (target > 0)
    growth &= (target != base) & (target_year > base_year)
    linear = measured & ~growth
    if target_year > current_year:
        observed[linear] = (current[linear] - base[linear]) / (current_year - base_year)
        required[linear] = (target[linear] - current[linear]) / (target_year - current_year)
    if growth.any():
        observed[growth] = _cagr(base[growth], current[growth], current_year - base_year)
        required[growth] = _cagr(base[growth], target[growth], target_year - base_year)
    # A required change of NaN gives NaN, as the one-row function's division does.
    found = required != 0
    ratio[found] = sign * observed[found] / np.abs(required[found])
    return ratio


def _escap(
    base: np.ndarray,
    current: np.ndarray,
    target: np.ndarray,
    measured: np.ndarray,
    base_year: int,
    current_year: int,
    target_year: int,
    bounds: tuple[float | None, float | None],
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~analysis.core.trends.measures.escap_measure`, elementwise: (measure,
    anticipated), NaN where not ``measured``."""
    measure, anticipated = np.full(len(base), _NAN), np.full(len(base), _NAN)
    if not (current_year > base_year and target_year >= current_year):
        return measure, anticipated
    horizon = target_year - current_year
    growth = measured & (base > 0) & (current > 0) & (target > 0)
    linear = measured & ~growth
    anticipated[linear] = (
        current[linear] + (current[linear] - base[linear]) / (current_year - base_year) * horizon
    )
    if growth.any():
        rates = _cagr(base[growth], current[growth], current_year - base_year).tolist()
        anticipated[growth] = [
            c * (1.0 + r) ** horizon for c, r in zip(current[growth].tolist(), rates, strict=True)
        ]
    anticipated = clip(anticipated, bounds)
    apart = measured & (target != base)
    measure[apart] = (anticipated[apart] - base[apart]) / (target[apart] - base[apart])
    return measure, anticipated


def _escap_category(
    measure: np.ndarray,
    base: np.ndarray,
    anticipated: np.ndarray,
    target: np.ndarray,
    measured: np.ndarray,
    sign: int,
) -> list[str | None]:
    """:func:`~analysis.core.trends.measures.escap_category`, elementwise (None where not
    ``measured``)."""
    known = measured & np.isfinite(anticipated) & np.isfinite(target)
    with np.errstate(invalid="ignore"):
        onward = measure >= 0
    category = np.select(
        [
            ~known,
            _meets(anticipated, target, sign),
            _meets(base, target, sign) | ~np.isfinite(measure),
            onward,
        ],
        [None, "maintain progress", "reverse trend", "accelerate"],
        "reverse trend",
    )
    return category.tolist()


def _eurostat_band(
    ratio: np.ndarray, achieved: np.ndarray, has_target: np.ndarray
) -> list[str | None]:
    """:func:`~analysis.core.trends.measures.eurostat_band`, elementwise (None where there is
    no target)."""
    finite = np.isfinite(ratio)
    with np.errstate(invalid="ignore"):
        band = np.select(
            [
                ~has_target,
                achieved,
                ~finite,
                ratio >= ON_TRACK_RATIO,
                ratio >= ACCELERATION_RATIO,
                ratio >= 0,
            ],
            [None, "achieved", None, "on track", "acceleration needed", "limited progress"],
            "deterioration",
        )
    return band.tolist()


def _probability(
    fit: BatchFit, rows: np.ndarray, targets: np.ndarray, has_target: np.ndarray, sign: int
) -> np.ndarray:
    """:meth:`~analysis.core.trends.projection.Projection.probability` of each row."""
    probability = np.full(len(rows), _NAN)
    lo, hi = fit.bounds
    decided = np.zeros(len(rows), dtype=bool)
    floor: Any = lo
    if fit.cumulative:
        floor = np.maximum(fit.values[rows, -1], -math.inf if lo is None else lo)
    if floor is not None:
        with np.errstate(invalid="ignore"):
            below = has_target & (targets < floor)
        probability[below] = 0.0 if sign < 0 else 1.0
        decided |= below
    if hi is not None:
        above = has_target & ~decided & (targets > hi)
        probability[above] = 1.0 if sign < 0 else 0.0
        decided |= above
    left = has_target & ~decided
    chosen = fit.chosen[rows]
    for j, model in enumerate(fit.candidates):
        these = np.flatnonzero(left & (chosen == j))
        if not these.size:
            continue
        scale = models.Scale(model.scale.name, lo or 0.0, hi or 0.0)
        z = scale.forward(targets[these])
        loc, sd = fit.loc[rows[these], -1], fit.sd[rows[these], -1]
        df = float(fit.df[rows[these[0]]])
        infinite = np.isinf(z)
        # A perfect fit predicts a point: on the target it meets it whichever the direction.
        point = ~infinite & (sd <= 1e-12 * np.fmax(1.0, np.abs(loc)))
        tolerance = 1e-9 * np.fmax(1.0, np.abs(z))
        met = (loc <= z + tolerance) if sign < 0 else (loc >= z - tolerance)
        below = np.where(z > 0, 1.0, 0.0)
        spread = ~infinite & ~point
        if spread.any():
            below[spread] = models.t_cdf((z[spread] - loc[spread]) / sd[spread], df)
        chances = below if sign < 0 else 1.0 - below
        probability[these] = np.where(point, np.where(met, 1.0, 0.0), chances)
    return probability


def _candidates_text(fit: BatchFit, rows: np.ndarray) -> list[str]:
    """:meth:`~analysis.core.trends.projection.Projection.candidates_text` of each row."""
    parts = []
    for i, model in enumerate(fit.candidates):
        notes = fit.notes[i][rows].tolist()
        maes = fit.maes[rows, i].tolist()
        parts.append(
            [
                f"{model.name} skipped ({note})" if note else f"{model.name} {mae:.4g}"
                for note, mae in zip(notes, maes, strict=True)
            ]
        )
    return ["; ".join(row) for row in zip(*parts, strict=True)]


def _paths(fit: BatchFit, rows: np.ndarray, has_target: np.ndarray) -> dict[str, list]:
    """What the fan chart of each row with a target draws: the series observed, then the
    path projected with its interval (a row a year)."""
    charted = np.flatnonzero(has_target)
    n, h = len(fit.years), len(fit.new_years)
    picked = rows[charted]
    none_observed = np.full((len(charted), h), _NAN)
    none_projected = np.full((len(charted), n), _NAN)
    return {
        "row": np.repeat(charted, n + h).tolist(),
        "year": np.tile(np.concatenate([fit.years, fit.new_years]), len(charted)).tolist(),
        "observed": np.concatenate([fit.values[picked], none_observed], axis=1).ravel().tolist(),
        "projected": _after(none_projected, fit.mean[picked]),
        "lower": _after(none_projected, fit.lower[picked]),
        "upper": _after(none_projected, fit.upper[picked]),
    }


def _after(observed: np.ndarray, projected: np.ndarray) -> list[float]:
    return np.concatenate([observed, projected], axis=1).ravel().tolist()
