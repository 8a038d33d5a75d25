"""The leader's cards are written as a table's figures are (the catalog's decimals kept,
thousands grouped), and their changes too; the leader's sentence keeps the same decimals."""

from __future__ import annotations

import pytest

from analysis.reporting import leader

ROWS = [
    (2018, "medical_insurance_rate", 84.6),
    (2019, "medical_insurance_rate", 86.0),
    (2018, "hardened_road_km", 1982.9),
    (2019, "hardened_road_km", 2125.1),
]


@pytest.fixture
def cards(area_of) -> dict[str, leader.Headline]:
    return {h.name: h for h in leader.headlines(area_of(ROWS), 2019)}


def test_a_card_keeps_the_catalogs_decimals_beside_the_others(cards):
    assert cards["医疗保险参保率"].figure == "86.0%"
    assert cards["硬化公路里程"].figure == "2,125.10公里"


def test_a_cards_change_and_the_sentence_keep_the_catalogs_decimals(cards):
    road = cards["硬化公路里程"]
    assert road.change == road.said == "增加142.20公里"
