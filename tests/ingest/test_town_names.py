"""A village name is unique only within its town: a 乡镇 column resolves names town by town;
without it a shared name stays a problem, never a guess (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest.cells import KEY_ALIASES
from analysis.ingest.registry import Registry, load_registry
from analysis.ingest.validate import validate

DAQIAO, XINTIAN = "360722103", "360722104"
REGISTRY = (
    "code,name,town_name,county_name\n"
    f"{DAQIAO}201,大桥村委会,大桥镇,信丰县\n"
    f"{DAQIAO}202,青光村委会,大桥镇,信丰县\n"
    f"{XINTIAN}201,大桥村委会,新田镇,信丰县\n"
    f"{XINTIAN}202,金鸡村委会,新田镇,信丰县\n"
    f"{XINTIAN}203,青龙村委会,新田镇,信丰县\n"
)


def folder(tmp_path: Path, table: str) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "villages.csv").write_text(REGISTRY, encoding="utf-8")
    (raw / "户数人口_2019.csv").write_text(table, encoding="utf-8")
    return raw


def test_a_town_column_resolves_a_name_two_towns_share(tmp_path):
    raw = folder(
        tmp_path,
        "乡镇,村（居）名称,年度,户数（户）\n大桥镇,大桥村,2019,300\n新田,大桥,2019,410\n"
        f"{XINTIAN},金鸡村,2019,120\n",
    )
    result = validate(raw)
    # Nothing but the one village of each town the file has no row of (乡不漏村).
    found = list(zip(result.problems["rule"], result.problems["village_code"], strict=True))
    assert found == [("village_missing", f"{DAQIAO}202"), ("village_missing", f"{XINTIAN}203")]
    values = result.values.set_index("village_code")["value"]
    assert values[f"{DAQIAO}201"] == 300 and values[f"{XINTIAN}201"] == 410
    assert values[f"{XINTIAN}202"] == 120


def test_without_a_town_column_a_shared_name_stays_a_problem(tmp_path):
    raw = folder(tmp_path, "村（居）名称,年度,户数（户）\n大桥村,2019,300\n青光村,2019,80\n")
    result = validate(raw)
    problems = result.problems[result.problems["rule"] != "village_missing"]  # partial file
    assert list(problems["rule"]) == ["ambiguous_village"]
    assert "乡镇" in problems["message_zh"].iloc[0]
    assert list(result.values["village_code"]) == [f"{DAQIAO}202"]


def test_a_short_name_one_village_has_and_another_reaches_by_its_suffix_is_ambiguous():
    # 老圩 is the short name of 大桥镇's 老圩居委会 and what 新田镇's 老圩村 is written without 村:
    # taking the first village that has the spelling would count a row under the wrong town.
    registry = Registry(
        pd.DataFrame(
            {
                "code": [f"{DAQIAO}210", f"{XINTIAN}210"],
                "name": ["老圩居委会", "老圩村委会"],
                "short_name": ["老圩", "老圩村"],
            }
        )
    )
    assert registry.resolve_name("老圩") == (None, "ambiguous")
    assert registry.resolve_name("老圩村") == (f"{XINTIAN}210", "ok")
    assert registry.resolve_name("老圩居委会") == (f"{DAQIAO}210", "ok")
    assert registry.resolve_name("老圩村委会") == (f"{XINTIAN}210", "ok")


def test_within_a_town_the_registrys_own_short_name_decides():
    # 小江镇 has 小江居委会 (short name 小江) and 小江村委会 (小江村): its clerks write them so.
    registry = Registry(
        pd.DataFrame(
            {
                "code": ["360722106001", "360722106200"],
                "name": ["小江居委会", "小江村委会"],
                "short_name": ["小江", "小江村"],
            }
        )
    )
    assert registry.resolve_name("小江") == ("360722106001", "ok")
    assert registry.resolve_name("小江村") == ("360722106200", "ok")


def test_a_town_the_registry_lacks_or_a_village_outside_its_town_is_a_problem(tmp_path):
    raw = folder(
        tmp_path,
        "乡镇,村（居）名称,年度,户数（户）\n大乔镇,大桥村,2019,300\n"
        "大桥镇,金鸡村,2019,120\n新田镇,青光村,2019,80\n,青光村,2019,81\n",
    )
    result = validate(raw)
    problems = result.problems.set_index("row")
    assert problems.loc[2, "rule"] == "unknown_town"
    assert "大桥镇" in problems.loc[2, "message_zh"]  # the closest town, as the clerk's hint
    # A name is never taken from another town than the one the row names.
    assert problems.loc[3, "rule"] == "village_not_in_town"
    assert "大桥镇" in problems.loc[3, "message_zh"]
    assert problems.loc[4, "rule"] == "village_not_in_town"
    assert "青龙" in problems.loc[4, "message_zh"]  # the town's own village first
    # A row with its town left blank is resolved in the whole registry.
    assert list(result.values["village_code"]) == [f"{DAQIAO}202"]


def test_a_town_name_in_the_first_column_is_no_totals_label(tmp_path):
    raw = folder(
        tmp_path,
        "乡镇,村（居）名称,年度,户数（户）\n大桥镇,大桥村,2019,300\n大桥镇,青光村,2019,80\n"
        ",合计,2019,380\n",
    )
    result = validate(raw)
    assert result.problems.empty, result.problems[["rule", "value"]]
    assert sorted(result.values["village_code"]) == [f"{DAQIAO}201", f"{DAQIAO}202"]


def test_the_registry_reads_its_town_column_by_the_same_aliases(tmp_path):
    path = tmp_path / "villages.csv"
    path.write_text(f"村代码,名称,乡（镇）\n{DAQIAO}201,大桥村委会,大桥镇\n", encoding="utf-8")
    assert "乡（镇）" in KEY_ALIASES["town"]
    assert load_registry(path).units("town") == {DAQIAO: "大桥镇"}


@pytest.fixture
def registry(tmp_path) -> Registry:
    path = tmp_path / "villages.csv"
    path.write_text(REGISTRY, encoding="utf-8")
    return load_registry(path)


def test_suggestions_search_the_towns_own_villages_first(registry):
    assert registry.suggest("青", n=1, town=XINTIAN) == ["青龙村"]
    assert registry.suggest("青", n=1, town=DAQIAO) == ["青光村"]
    # Fewer than asked within the town: the rest of the registry fills in.
    assert registry.suggest("青光", n=2, town=XINTIAN)[:2] == ["青龙村", "青光村"]


def test_town_names_resolve_by_full_name_short_name_or_code(registry):
    assert registry.resolve_unit("新田镇", "town") == (XINTIAN, "ok")
    assert registry.resolve_unit("新田", "town") == (XINTIAN, "ok")
    assert registry.resolve_unit(XINTIAN, "town") == (XINTIAN, "ok")
    assert registry.resolve_unit("360722999", "town") == (None, "unknown")
    assert registry.resolve_unit("信丰县", "county") == ("360722", "ok")
    two = Registry(
        pd.DataFrame(
            {
                "code": [f"{DAQIAO}201", "360723104201"],
                "name": ["甲村委会", "乙村委会"],
                "short_name": ["甲村", "乙村"],
                "town_name": ["新田镇", "新田乡"],
            }
        )
    )
    assert two.resolve_unit("新田", "town") == (None, "ambiguous")
    assert two.resolve_unit("新田镇", "town") == (DAQIAO, "ok")


@pytest.mark.parametrize(
    "town",
    [
        DAQIAO,
        XINTIAN,
        "36072210",  # a prefix of both towns' codes, not a town
        "360722105",  # a town of no village
        "",
    ],
)
def test_a_towns_registry_is_its_villages_as_a_scan_finds_them(tmp_path, town):
    path = tmp_path / "villages.csv"
    # The towns' rows interleaved, so a town's villages are not one run of the table.
    lines = REGISTRY.splitlines()
    path.write_text("\n".join([lines[0], *lines[1::2], *lines[2::2]]) + "\n", encoding="utf-8")
    registry = load_registry(path)
    scanned = registry.table[registry.table["code"].str[:9] == town].reset_index(drop=True)
    pd.testing.assert_frame_equal(registry.within_town(town).table, scanned)


def test_resolve_names_again_and_missing_cells_and_none(tmp_path):
    # Names met again come from the cache; a missing cell is unknown; an empty column is empty.
    (tmp_path / "villages.csv").write_text(REGISTRY, encoding="utf-8")
    registry = load_registry(tmp_path / "villages.csv")
    names = pd.Series(["青光村", None, "大桥村", "青光", float("nan"), "青光村"], dtype=object)
    for _ in range(2):
        resolved = registry.resolve(names)
        assert list(resolved["code"].fillna("")) == [
            f"{DAQIAO}202",
            "",
            "",
            f"{DAQIAO}202",
            "",
            f"{DAQIAO}202",
        ]
        assert list(resolved["status"]) == ["ok", "unknown", "ambiguous", "ok", "unknown", "ok"]
    assert registry.resolve(pd.Series([], dtype=object)).empty
