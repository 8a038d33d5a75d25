"""Village names with rare characters (issue 31): the bureau's component notation (竹（氵甸）村,
as a GBK file must write 竹𣵦村) and the real character match each other through the one
equivalence table; a character GBK turned into "?" is refused as before, with the suggestion.
The data set is tests/data/rare_names, written by tests/data/make_rare_names.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest.registry import Registry, load_registry
from analysis.ingest.validate import validate

HERE = Path(__file__).resolve().parents[1] / "data"
RARE = HERE / "rare_names"
ZHU, BA = "\U00023d66", "\U00020bb7"  # 𣵦 (氵甸), 𠮷 (土口)
ZHU_CODE, BA_CODE = "360722103200", "360722103205"
POPULATION = "户数人口_2014-2019.csv"


def test_the_data_set_has_two_extension_b_names_in_the_registry_workbook_and_gbk_csv():
    registry = load_registry(RARE / "villages.csv")
    assert registry.names[ZHU_CODE] == f"竹{ZHU}村" and registry.names[BA_CODE] == f"八{BA}村"
    assert all(0x20000 <= ord(c) <= 0x2A6DF for c in (ZHU, BA))  # CJK Extension B
    population = (RARE / POPULATION).read_bytes().decode("gbk")
    assert "竹（氵甸）村委会" in population and "八（土口）村委会" in population
    from openpyxl import load_workbook

    cells = {
        c.value
        for sheet in load_workbook(RARE / "民生工作台账_2019.xlsx")
        for row in sheet.iter_rows()
        for c in row
    }
    assert f"竹{ZHU}村" in cells and f"八{BA}村" in cells


def test_component_form_rows_of_a_gbk_csv_are_read_into_the_right_villages():
    result = validate(RARE)
    # One year of figures: the review may judge a value by its town (a flag, never a block).
    problems = result.problems[result.problems["severity"] != "review"]
    assert problems.empty, problems[["rule", "value"]]
    values = result.values
    from_csv = values[values["source"] == POPULATION].set_index(
        ["village_code", "year", "indicator"]
    )
    # 竹（氵甸）村委会's first row in the CSV: 2014, 711 households, 2,544 people.
    assert from_csv.loc[(ZHU_CODE, 2014, "households"), "value"] == 711
    assert from_csv.loc[(ZHU_CODE, 2014, "population"), "value"] == 2544
    assert from_csv.loc[(BA_CODE, 2014, "households"), "value"] == 588
    # And the workbook's real characters reach the same villages.
    from_xlsx = values[values["source"].str.startswith("民生工作台账_2019.xlsx")]
    assert {ZHU_CODE, BA_CODE} <= set(from_xlsx["village_code"])


@pytest.mark.parametrize(
    "written",
    ["竹（氵甸）村委会", "竹(氵甸)村", "竹（氵甸）", f"竹{ZHU}村委会", f"竹{ZHU}村"],
)
def test_either_spelling_matches_a_registry_that_has_the_character(written):
    registry = load_registry(RARE / "villages.csv")
    assert registry.resolve_name(written) == (ZHU_CODE, "ok")


def test_a_registry_in_component_form_matches_the_real_character():
    registry = Registry(
        pd.DataFrame(
            {
                "code": [ZHU_CODE, "360722103201"],
                "name": ["竹（氵甸）村委会", "新塘村委会"],
                "short_name": ["竹（氵甸）村", "新塘村"],
                "town_code": ["360722103"] * 2,
            }
        )
    )
    assert registry.resolve_name(f"竹{ZHU}村") == (ZHU_CODE, "ok")
    assert registry.resolve_name("竹(氵甸)村委会") == (ZHU_CODE, "ok")


def test_a_name_gbk_turned_into_a_question_mark_is_refused_with_the_suggestion(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copyfile(RARE / "villages.csv", raw / "villages.csv")
    (raw / "户数人口_2019.csv").write_bytes(
        "村（居）委会,年度,户数（户）\n竹?村委会,2019,711\n".encode("gbk")
    )
    result = validate(raw)
    assert list(result.problems["rule"]) == ["unknown_village"]
    assert f"竹{ZHU}村" in result.problems["message_zh"].iloc[0]
    assert result.values.empty
