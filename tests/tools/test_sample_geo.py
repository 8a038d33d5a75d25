"""The sample's points are drawn in batches exactly as one by one: the same points, and the
random generator left where drawing them one by one would leave it (the rest of the sample
depends on it)."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from analysis.tools.sample_geo import _points_within

#: A village's shape: an L, a little over half its bounds.
SHAPE = Polygon([(0, 0), (300, 0), (300, 120), (130, 120), (130, 260), (0, 260)])


def _one_by_one(shape, count: int, rng) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = shape.bounds
    points = []
    while len(points) < count:
        candidate = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if shape.contains(candidate):
            points.append((candidate.x, candidate.y))
    return points


@pytest.mark.parametrize("count", [0, 1, 2, 7, 50, 400])
def test_points_drawn_in_batches_are_those_drawn_one_by_one(count):
    batched, single = np.random.default_rng(11), np.random.default_rng(11)
    x, y = _points_within(SHAPE, count, batched)
    assert list(zip(x.tolist(), y.tolist(), strict=True)) == _one_by_one(SHAPE, count, single)
    assert batched.random() == single.random(), "the generator was left elsewhere"


def test_a_thin_shape_takes_several_batches():
    sliver = Polygon([(0, 0), (1000, 0), (0, 10)])  # 0.5 % of its bounds
    batched, single = np.random.default_rng(3), np.random.default_rng(3)
    x, y = _points_within(sliver, 30, batched)
    assert list(zip(x.tolist(), y.tolist(), strict=True)) == _one_by_one(sliver, 30, single)
    assert batched.random() == single.random()
