"""The indicator catalog: complete, consistent, and the only place an indicator is defined."""

from __future__ import annotations

import pytest

from analysis.core.catalog import default_catalog, header_unit, load_catalog, normalise_header

REQUIRED_IDS = [
    "poor_households_remaining",
    "poor_people_remaining",
    "poverty_exit_households",
    "relocated_poor_households",
    "relocated_other_households",
    "industry_subsidy_households",
    "industry_subsidy_yuan",
    "workshop_employed",
    "village_cleaners",
    "forest_rangers",
    "medical_insurance_rate",
    "pension_insurance_rate",
    "medical_reimbursement_visits",
    "medical_reimbursement_wan",
    "pension_paid_wan",
    "toilets_upgraded",
    "public_toilets_built",
    "sanitary_toilet_rate",
    "environment_investment_wan",
    "mud_brick_houses_demolished",
    "sewage_sites",
    "vegetable_greenhouses",
    "vegetable_greenhouse_area_mu",
    "navel_orange_area_mu",
    "hardened_road_km",
]


def test_catalog_has_every_required_indicator_with_names_units_and_rule():
    catalog = default_catalog()
    for ind_id in REQUIRED_IDS:
        ind = catalog[ind_id]
        assert ind.zh and ind.en and ind.unit and ind.aggregate


def test_rates_are_weighted_by_an_indicator_in_the_catalog():
    catalog = default_catalog()
    rates = [ind for ind in catalog if ind.kind == "rate"]
    assert rates
    for ind in rates:
        assert ind.aggregate == "weighted_mean"
        assert ind.weight in catalog
        assert ind.bounds == (0, 100)


def test_every_header_spelling_points_to_one_indicator():
    catalog = default_catalog()
    seen: dict[str, str] = {}
    for ind in catalog:
        for spelling in (ind.zh, ind.label_zh, *ind.aliases):
            key = normalise_header(spelling)
            assert seen.setdefault(key, ind.id) == ind.id, f"{spelling!r} names two indicators"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("参保率（%）", "参保率"),
        (" 参保率 (%) ", "参保率"),
        ("金额（万元）", "金额"),
        ("ＡＢＣ", "abc"),
    ],
)
def test_normalise_header_folds_width_space_and_unit(header, expected):
    assert normalise_header(header) == expected


def test_header_unit_reads_trailing_brackets():
    assert header_unit("金额（万元）") == "万元"
    assert header_unit("参保率(%)") == "%"
    assert header_unit("户数") is None


def test_catalog_rejects_a_rate_without_weight(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "indicators:\n  - {id: r, zh: 率, en: r, unit: '%', kind: rate, aggregate: weighted_mean,"
        " direction: higher, category: base}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="needs a weight"):
        load_catalog(bad)


def test_catalog_rejects_duplicate_ids(tmp_path):
    bad = tmp_path / "dup.yaml"
    row = "  - {id: a, zh: 甲, en: a, unit: 户, kind: count, aggregate: sum, direction: higher, category: base}\n"
    bad.write_text("indicators:\n" + row + row, encoding="utf-8")
    with pytest.raises(ValueError, match="defined twice"):
        load_catalog(bad)


def test_running_totals_and_plans_are_marked():
    catalog = default_catalog()
    # Running totals of what was built, planted or moved to date: they only grow.
    assert {ind.id for ind in catalog if ind.cumulative} == {
        "relocated_poor_households",
        "relocated_other_households",
        "sewage_sites",
        "hardened_road_km",
        "vegetable_greenhouses",
        "vegetable_greenhouse_area_mu",
        "navel_orange_area_mu",
    }
    # Counts of works to complete: tracked as done / planned.
    assert {ind.id for ind in catalog if ind.plan} == {
        "public_toilets_built",
        "sewage_sites",
        "road_hardening_works",
    }
    # Stocks that can shrink and within-year flows are not running totals.
    for ind_id in ("workshops", "public_welfare_jobs", "toilets_upgraded", "population"):
        assert not catalog[ind_id].cumulative


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("kind: count, flow: true, cumulative: true", "cumulative needs a stock"),
        ("kind: count, direction: lower, cumulative: true", "cumulative needs a stock"),
        ("kind: area, plan: true", "a plan counts works"),
    ],
)
def test_catalog_rejects_a_running_total_or_plan_that_cannot_be_one(tmp_path, fields, message):
    bad = tmp_path / "bad.yaml"
    direction = "" if "direction" in fields else "direction: higher, "
    bad.write_text(
        "indicators:\n  - {id: a, zh: 甲, en: a, unit: 个, aggregate: sum, category: base, "
        f"{direction}{fields}}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=message):
        load_catalog(bad)
