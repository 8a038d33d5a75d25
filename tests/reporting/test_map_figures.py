"""The township page's maps on the sample: one source line, classes from the data, the
卫生厕所普及率 map with its target, and sanitation points stated as the ledger counts them."""

from __future__ import annotations

import re

import pytest
from matplotlib.text import Text

from analysis.pipeline.store import load_tables
from analysis.reporting import page_maps

YEAR = 2019


@pytest.fixture(scope="module")
def tables(prepared_sample):
    return load_tables(prepared_sample)


def _texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def _legend(fig):
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def _classes(labels):
    return [
        tuple(map(float, m.groups()))
        for t in labels
        if (m := re.match(r"[\[(]([\d.]+), ([\d.]+)\]", t))
    ]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_map_names_its_source_once(tables, lang):
    maps = [
        page_maps.corridor_figure(tables, lang=lang),
        page_maps.sanitation_figure(tables, YEAR, lang=lang),
        page_maps.sanitary_rate_figure(tables, YEAR, lang=lang),
    ]
    word = {"zh": "来源", "en": "Source"}[lang]
    for fig in maps:
        assert " ".join(_texts(fig)).count(word) == 1


def test_sanitation_classes_come_from_the_data_and_none_is_empty(tables):
    fig = page_maps.sanitation_figure(tables, YEAR)
    values = page_maps.toilets_per_100_households(tables, YEAR).dropna()
    classes = _classes(_legend(fig))
    assert 2 <= len(classes) <= 5
    assert classes[0][0] <= values.min() < classes[0][0] + 0.1
    assert values.max() <= classes[-1][1] < values.max() + 0.1  # no class up to 100
    for i, (low, high) in enumerate(classes):
        inside = values[(values > low) | ((values == low) & (i == 0))]
        assert (inside <= high).any(), (low, high)


def test_sanitation_points_say_what_they_are_and_agree_with_the_ledger(tables):
    # An entry's bracket on a line of its own (the legend would take the map's room).
    legend = [t.replace("\n", "") for t in _legend(page_maps.sanitation_figure(tables, YEAR))]
    # The ledger: public toilets built 2016–2019 1 + 2 + 1; 2 sewage sites; 62 toilets in 2019.
    assert "公共厕所（2019年及以前建成，4座）" in legend
    assert "污水处理设施（2019年及以前建成，2个）" in legend
    assert "户厕改造（2019年建成，62户）" in legend
    english = [
        t.replace("\n", " ") for t in _legend(page_maps.sanitation_figure(tables, YEAR, lang="en"))
    ]
    assert "Public toilets (built in 2019 or before: 4)" in english


def test_a_map_whose_points_disagree_with_the_ledger_states_both(tables):
    points = tables.layer("sanitation_points")
    one_toilet = points.drop(points.index[points["kind"] == "public_toilet"][1:])
    words = page_maps.point_labels(tables, one_toilet, YEAR)
    assert words["public_toilet"] == "公共厕所（2019年及以前建成：点位 1 处，台账 4座，不符）"
    assert words["household_toilet"] == "户厕改造（2019年建成，62户）"


def test_sanitary_rate_map_shows_the_indicator_with_its_target(tables):
    fig = page_maps.sanitary_rate_figure(tables, YEAR)
    assert fig.axes[0].get_title() == "2019年各村卫生厕所普及率"
    heading = fig.axes[0].get_legend().get_title().get_text()
    assert heading == "卫生厕所普及率（%）\n大桥镇2020年目标 85.0%"
    rates = tables.indicators.query("indicator == 'sanitary_toilet_rate' and year == @YEAR")
    classes = _classes(_legend(fig))
    assert classes[0][0] <= rates["value"].min() and rates["value"].max() <= classes[-1][1]
    assert classes[-1][1] < 100
    english = page_maps.sanitary_rate_figure(tables, YEAR, lang="en")
    assert english.axes[0].get_title() == "Sanitary toilet coverage by village, 2019"
    assert "target for 2020: 85.0%" in english.axes[0].get_legend().get_title().get_text()
