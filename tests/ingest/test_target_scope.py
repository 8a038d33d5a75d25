"""A target's 范围 names a village, town or county, by name or code; anything else is a problem
record a clerk can act on (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest.registry import Registry
from analysis.ingest.side import target_scope
from analysis.ingest.validate import validate

COUNTY = "360722"
DAQIAO, XINTIAN = "360722103", "360722104"


def registry(rows: list[tuple[str, str, str, str]]) -> Registry:
    """(code, name, town name, county name) rows as a registry."""
    table = pd.DataFrame(rows, columns=["code", "name", "town_name", "county_name"])
    table["short_name"] = table["name"].str.removesuffix("委会")
    table["kind"] = "村委会"
    table["town_code"] = table["code"].str[:9]
    return Registry(table.astype(str))


@pytest.fixture
def two_towns() -> Registry:
    """Two towns of 信丰县, each with a 大桥村."""
    return registry(
        [
            (f"{DAQIAO}201", "大桥村委会", "大桥镇", "信丰县"),
            (f"{DAQIAO}202", "青光村委会", "大桥镇", "信丰县"),
            (f"{XINTIAN}201", "大桥村委会", "新田镇", "信丰县"),
            (f"{XINTIAN}202", "金鸡村委会", "新田镇", "信丰县"),
        ]
    )


def rules(found: tuple[str, list]) -> list[str]:
    return [rule for rule, _value, _fields in found[1]]


@pytest.mark.parametrize(
    ("text", "scope"),
    [
        ("大桥镇", DAQIAO),
        ("新田", XINTIAN),
        (XINTIAN, XINTIAN),
        ("信丰县", COUNTY),
        ("全县", COUNTY),
        (COUNTY, COUNTY),
        ("青光村", f"{DAQIAO}202"),
        (f"{XINTIAN}201", f"{XINTIAN}201"),
        ("青光村；金鸡", f"{DAQIAO}202;{XINTIAN}202"),
    ],
)
def test_a_scope_names_a_village_town_or_county_by_name_or_code(two_towns, text, scope):
    assert target_scope(text, two_towns) == (scope, [])


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("全镇", "township_scope_many_towns"),
        ("", "township_scope_many_towns"),
        ("大桥村", "ambiguous_village"),
        ("360799", "scope_other_county"),
        ("360799100", "scope_other_county"),
        ("360799100200", "scope_other_county"),
        ("360722999", "unknown_scope"),
        ("3607221", "unknown_scope"),
        ("大乔镇", "unknown_scope"),
        ("清光村", "unknown_village"),
    ],
)
def test_a_bad_scope_is_a_problem_not_a_guess(two_towns, text, rule):
    scope, problems = target_scope(text, two_towns)
    assert scope == ""
    assert [p[0] for p in problems] == [rule]


def test_the_whole_town_keeps_meaning_the_one_town_of_a_one_town_data_set():
    one = registry(
        [
            (f"{DAQIAO}201", "大桥村委会", "大桥镇", "信丰县"),
            (f"{DAQIAO}202", "青光村委会", "大桥镇", "信丰县"),
        ]
    )
    for text in ("全镇", "township", "大桥镇", DAQIAO, ""):
        assert target_scope(text, one) == ("township", [])
    # A county target cannot be judged on one town's villages.
    assert rules(target_scope("全县", one)) == ["county_scope_one_town"]
    assert rules(target_scope("信丰县", one)) == ["county_scope_one_town"]


def test_a_town_name_two_counties_share_is_ambiguous():
    reg = registry(
        [
            (f"{DAQIAO}201", "大桥村委会", "新田镇", "信丰县"),
            ("360723104201", "金鸡村委会", "新田镇", "大余县"),
        ]
    )
    scope, problems = target_scope("新田镇", reg)
    assert scope == "" and problems[0][0] == "ambiguous_scope"
    assert DAQIAO in problems[0][2]["names"] and "360723104" in problems[0][2]["names"]
    assert target_scope(DAQIAO, reg) == (DAQIAO, [])
    assert rules(target_scope("全县", reg)) == ["ambiguous_scope"]


def test_bad_scopes_in_a_targets_file_are_problem_records_with_chinese_messages(tmp_path: Path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "villages.csv").write_text(
        "code,name,town_name,county_name\n"
        f"{DAQIAO}201,大桥村委会,大桥镇,信丰县\n{DAQIAO}202,青光村委会,大桥镇,信丰县\n"
        f"{XINTIAN}201,大桥村委会,新田镇,信丰县\n{XINTIAN}202,金鸡村委会,新田镇,信丰县\n",
        encoding="utf-8",
    )
    (raw / "targets_2020.csv").write_text(
        "范围,指标,目标年份,目标值,单位\n"
        "全县,医疗保险参保率,2020,90,%\n"
        "大桥镇,硬化公路里程,2020,20,km\n"
        "全镇,医疗保险参保率,2020,90,%\n"
        "360799,医疗保险参保率,2020,90,%\n"
        "大桥村,脐橙种植面积,2020,10,亩\n",
        encoding="utf-8",
    )
    result = validate(raw)
    targets = result.targets.set_index("scope_name")
    assert targets.loc["全县", "scope"] == COUNTY
    assert targets.loc["大桥镇", "scope"] == DAQIAO
    problems = result.problems.set_index("rule")
    assert set(problems.index) >= {
        "township_scope_many_towns",
        "scope_other_county",
        "ambiguous_village",
    }
    assert "2 个乡镇" in problems.loc["township_scope_many_towns", "message_zh"]
    assert "360799" in problems.loc["scope_other_county", "message_zh"]
    assert "信丰县" in problems.loc["scope_other_county", "message_zh"]
    assert len(result.targets) == 2
