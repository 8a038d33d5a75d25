"""analysis.geo.classes: classes from the data's own range, and proportional-symbol sizes."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.geo.classes import data_classes, legend_values
from analysis.geo.furniture import nice_number, scale_ticks


def _members(codes, edges):
    return [int((codes == i).sum()) for i in range(len(edges) - 1)]


@pytest.mark.parametrize(
    "values",
    [
        [2.9, 3.1, 3.4, 4.2, 4.8, 5.5, 6.1, 6.3, 6.8],  # the sample's toilets per 100 households
        [80.41, 80.66, 80.71, 81.2, 81.6, 82.0, 83.37, 84.8, 84.81],
        [5.0, 5.0, 5.0, 7.0],
        [12.0],
        list(np.random.default_rng(7).gamma(2.0, 10.0, 300)),
    ],
)
def test_classes_span_the_data_and_none_is_empty(values):
    values = np.asarray(values)
    codes, edges = data_classes(values, k=5, decimals=1)
    assert (codes >= 0).all()
    assert all(n > 0 for n in _members(codes, edges))
    assert len(edges) - 1 <= min(5, len(np.unique(values)))
    # The first class starts at the lowest value, the last ends at the highest (to 0.1).
    assert edges[0] <= values.min() < edges[0] + 0.1
    assert values.max() <= edges[-1] < values.max() + 0.1
    # Upper bounds rise; the first class may be one value ([5.0, 5.0]).
    assert list(edges[1:]) == sorted(set(edges[1:])) and edges[0] <= edges[1]
    # Each value lies in its class: (low, high], the first closed at its lower bound.
    for value, code in zip(values, codes, strict=True):
        low, high = edges[code], edges[code + 1]
        assert (low <= value if code == 0 else low < value) and value <= high


@pytest.mark.parametrize("k", [1, 3, 5])
def test_float_noise_beyond_the_decimals_is_classed_as_the_value_shown(k):
    # 0.1 * 846 is 84.60000000000001 and 0.7 - 0.4 is 0.29999999999999993: 84.6 and 0.3 shown.
    values = np.array([0.7 - 0.4, 12.5, 40.0, 61.3, 80.2, 0.1 * 846, 0.1 * 846])
    codes, edges = data_classes(values, k=k, decimals=1)
    assert edges[0] == 0.3 and edges[-1] == 84.6
    assert (codes >= 0).all() and all(n > 0 for n in _members(codes, edges))
    for value, code in zip(np.round(values, 1), codes, strict=True):
        low, high = edges[code], edges[code + 1]
        assert (low <= value if code == 0 else low < value) and value <= high
    codes, edges = data_classes(np.array([0.1 * 846] * 3), k=k, decimals=1)
    assert edges == [84.6, 84.6] and (codes == 0).all()


def test_missing_values_are_left_to_a_no_data_class():
    codes, edges = data_classes(np.array([1.0, np.nan, 3.0]))
    assert codes[1] == -1 and codes[0] >= 0 and codes[2] >= 0
    codes, edges = data_classes(np.array([np.nan, np.nan]))
    assert (codes == -1).all() and edges == []


def test_proportional_legend_shows_two_or_three_round_sizes():
    assert legend_values(np.array([150.0, 600.0])) == [100.0, 500.0]
    assert legend_values(np.array([30.0, 180.0, 1700.0])) == [100.0, 500.0, 2000.0]
    assert legend_values(np.array([np.nan, 0.0])) == []


def test_scale_bar_ticks_are_round():
    assert scale_ticks(24_000) == [0.0, 2_500.0, 5_000.0]
    assert scale_ticks(9_300) == [0.0, 1_000.0, 2_000.0]
    assert scale_ticks(2_100) == [0.0, 250.0, 500.0]
    assert [nice_number(v) for v in (0.7, 3.3, 7.6, 230)] == [0.5, 2.5, 10.0, 250.0]
