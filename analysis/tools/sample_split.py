"""How the sample generator splits a township's yearly figures among its villages: totals that
add up to the last digit, running totals that never fall, rates whose weighted mean is the
township's."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def split_total(total: float, weights: np.ndarray, decimals: int) -> np.ndarray:
    """Split ``total`` into parts proportional to ``weights`` that sum exactly at ``decimals``.

    Largest-remainder rounding on integer units, so the village figures add up to the township
    figure to the last digit, as a clerk's spreadsheet would.
    """
    scale = 10**decimals
    units = round(total * scale)
    weights = np.asarray(weights, dtype=float)
    if units == 0 or weights.sum() == 0:
        return np.zeros(len(weights))
    raw = units * weights / weights.sum()
    parts = np.floor(raw).astype(np.int64)
    remainder = units - parts.sum()
    order = np.argsort(-(raw - parts), kind="stable")
    parts[order[:remainder]] += 1
    return parts / scale


def monotone_split(path: Sequence[float], weights: np.ndarray, rng) -> np.ndarray:
    """Split a falling township path so no village's figure ever rises (years × villages)."""
    n_years, n = len(path), len(weights)
    out = np.zeros((n_years, n))
    out[-1] = split_total(path[-1], weights * rng.uniform(0.5, 1.5, n), 0)
    for y in range(n_years - 2, -1, -1):
        extra = path[y] - path[y + 1]
        out[y] = out[y + 1] + split_total(extra, weights * rng.uniform(0.5, 1.5, n), 0)
    return out


def cumulative_split(
    path: Sequence[float], year_weights: Sequence[np.ndarray], decimals: int
) -> np.ndarray:
    """Split a running total so every village's figure never falls (years × villages).

    The first year is split afresh; each later year adds its township increase, split among the
    villages. Each year's parts still add up to the township figure to the last digit.
    """
    scale = 10**decimals
    steps = np.diff(np.round(np.asarray(path, dtype=float) * scale))
    if (steps < 0).any():
        raise ValueError(f"a cumulative township path falls: {tuple(path)}")
    out = np.zeros((len(path), len(year_weights[0])))
    out[0] = split_total(path[0], year_weights[0], decimals)
    for y in range(1, len(path)):
        increase = split_total(steps[y - 1] / scale, year_weights[y], decimals)
        out[y] = np.round(out[y - 1] + increase, decimals)
    return out


def village_rates(
    path: Sequence[float], weight_by_year: np.ndarray, rng, spread: float
) -> np.ndarray:
    """Village rates around a township path whose weighted mean hits the path to 0.05."""
    n = weight_by_year.shape[1]
    offsets = rng.normal(0, spread, n)
    out = np.zeros((len(path), n))
    for y, level in enumerate(path):
        rates = np.clip(level + offsets + rng.normal(0, spread / 4, n), 0, 99.5)
        w = weight_by_year[y]
        rates = np.round(rates + (level - np.average(rates, weights=w)), 1)
        out[y] = np.clip(rates, 0, 100)
    return out
