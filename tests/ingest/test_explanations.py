"""The review tier (核实性审核) in validation, and the explanations (核实说明) that confirm its
flags: the done-when demo of issue 27 on the bundled sample."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import config
from analysis.ingest.mark import mark
from analysis.ingest.validate import validate
from analysis.tools.sample import SAMPLE_EXPLANATIONS
from analysis.tools.template import write_explanations

WORKBOOK = "民生工作台账_2019.xlsx"
#: The two in-bounds typos of issue 27: (sheet, village, header, typed, meant).
TYPOS = (
    ("社会保障", "老圩", "medical_insurance_rate", 8.96, 89.6),
    ("人居环境", "新圩", "toilets_upgraded", 60, 6),
)


def typed_sample(folder: Path, *, typos=TYPOS) -> Path:
    """The sample with the typos typed into its 2019 workbook and its 合计 rows deleted, as an
    office sends it."""
    raw = folder / "raw"
    shutil.copytree(config.RAW_DIR, raw)  # with the sample's own 核实说明.csv
    from analysis.core.catalog import default_catalog

    catalog = default_catalog()
    wb = load_workbook(raw / WORKBOOK)
    for ws in wb.worksheets:
        for row in range(ws.max_row, 0, -1):
            if ws.cell(row, 2).value == "合计":
                ws.delete_rows(row)
    for sheet, village, indicator, typed, _ in typos:
        ws = wb[sheet]
        headers = {catalog.header_index().get(_fold(c.value)): c.column for c in ws[3] if c.value}
        row = next(r for r in range(4, ws.max_row + 1) if ws.cell(r, 2).value == village)
        ws.cell(row, headers[indicator]).value = typed
    wb.save(raw / WORKBOOK)
    return raw


def _fold(text: object) -> str:
    from analysis.core.catalog import normalise_header

    return normalise_header(str(text))


def _cell(raw: Path, sheet: str, village: str, indicator: str) -> tuple[int, str]:
    r = validate(raw)
    places = pd.concat([r.values.drop(columns=["row"]), r.places], axis=1)
    code = r.registry.resolve_name(village)[0]
    hit = places[
        (places["village_code"] == code)
        & (places["year"] == 2019)
        & (places["indicator"] == indicator)
    ]
    return int(hit["row"].iloc[0]), str(hit["column"].iloc[0])


@pytest.fixture(scope="module")
def typed(tmp_path_factory) -> Path:
    return typed_sample(tmp_path_factory.mktemp("typed"))


def test_validate_names_both_typed_cells_and_still_passes(typed):
    result = validate(typed)
    assert result.ok  # review flags never block
    flagged = result.problems[result.problems["severity"] == "review"]
    for sheet, village, indicator, typed_value, _ in TYPOS:
        row, column = _cell(typed, sheet, village, indicator)
        hit = flagged[(flagged["sheet"] == sheet) & (flagged["row"] == row)]
        assert list(hit["column"]) == [column], (village, indicator)
        assert float(hit["value"].iloc[0]) == typed_value
        assert hit["village"].iloc[0] == village
    assert result.summary["problems"]["review"] == len(flagged) == 2
    confirmed = result.review[result.review["confirmed"]]
    assert list(zip(confirmed["village"], confirmed["year"], strict=True)) == [
        ("老圩", 2014)
    ]  # the sample's


def test_the_decimal_slip_is_named_as_one(typed):
    result = validate(typed)
    rate = result.problems[result.problems["value"] == "8.96"]
    assert "小数点" in rate["message_zh"].iloc[0] and "89.6" not in rate["value"].iloc[0]


def test_an_explanation_of_the_figure_held_confirms_it_and_stays_with_it(tmp_path):
    raw = typed_sample(tmp_path)
    note = "新圩2019年集中改厕，经核实新建改建卫生户厕60户。"
    write_explanations(
        raw / "核实说明.csv",
        [*SAMPLE_EXPLANATIONS, ("大桥镇", "新圩", "", 2019, "新建改建卫生户厕", 60, note)],
    )
    result = validate(raw)
    flagged = result.problems[result.problems["severity"] == "review"]
    assert "60" not in set(flagged["value"]) and "8.96" in set(flagged["value"])
    confirmed = result.review[result.review["confirmed"]]
    assert sorted(zip(confirmed["village"], confirmed["year"], strict=True)) == [
        ("新圩", 2019),
        ("老圩", 2014),
    ]
    assert confirmed.loc[confirmed["village"] == "新圩", "explanation"].tolist() == [note]


def test_a_changed_figure_brings_the_flag_back_and_names_the_stale_explanation(tmp_path):
    raw = typed_sample(tmp_path)
    write_explanations(
        raw / "核实说明.csv",
        [("", "新圩", "", 2019, "新建改建卫生户厕", 61, "写错了的说明")],
    )
    result = validate(raw)
    assert "60" in set(result.problems.loc[result.problems["severity"] == "review", "value"])
    stale = result.problems[result.problems["rule"] == "explanation_value_not_in_data"]
    assert len(stale) == 1 and "60" in stale["message_zh"].iloc[0]
    assert stale["file"].iloc[0] == "核实说明.csv" and stale["row"].iloc[0] == 2


def test_bad_explanation_rows_are_named(tmp_path):
    raw = typed_sample(tmp_path)
    write_explanations(
        raw / "核实说明.csv",
        [
            ("", "不存在村", "", 2019, "新建改建卫生户厕", 60, "说明"),
            ("", "新圩", "", 2019, "不存在的指标", 60, "说明"),
            ("", "新圩", "", 2019, "新建改建卫生户厕", 60, ""),
        ],
    )
    result = validate(raw)
    rules = result.problems.set_index("row").loc[[2, 3, 4], "rule"]
    assert list(rules) == [
        "explanation_unknown_village",
        "explanation_unknown_indicator",
        "explanation_incomplete",
    ]
    assert result.ok  # the data are not touched


def test_a_marked_copy_returned_with_its_explanation_confirms_the_value(tmp_path):
    raw = typed_sample(tmp_path)
    marked = mark(raw, tmp_path / "marked")
    copy = tmp_path / "marked" / WORKBOOK
    wb = load_workbook(copy)
    ws = wb["问题清单"]
    header = next(r for r in ws.iter_rows() if any(c.value == "核实说明" for c in r))
    at = {c.value: c.column for c in header}
    for row in range(header[0].row + 1, ws.max_row + 1):
        if str(ws.cell(row, at["填写内容"]).value) == "8.96":
            ws.cell(row, at["核实说明"]).value = "经核实无误"
    wb.save(copy)
    shutil.copy(copy, raw / WORKBOOK)
    result = validate(raw)
    assert marked is not None
    confirmed = result.review[result.review["confirmed"] & (result.review["year"] == 2019)]
    assert list(confirmed["value"]) == [8.96]
    assert list(confirmed["explanation"]) == ["经核实无误"]


def test_the_bundled_sample_has_one_flag_and_its_explanation_confirms_it():
    result = validate(config.RAW_DIR)
    assert result.problems.empty
    assert len(result.review) == 1 and result.review["confirmed"].all()


@pytest.mark.parametrize("year", ["inf", "nan", "2019.5"])
def test_a_year_that_is_no_year_is_named_not_read(tmp_path, year):
    raw = typed_sample(tmp_path)
    write_explanations(
        raw / "核实说明.csv", [("", "新圩", "", year, "新建改建卫生户厕", 60, "说明")]
    )
    result = validate(raw)
    named = result.problems[result.problems["row"] == 2]
    assert list(named["rule"]) == ["explanation_incomplete"]
    assert "有效的年度" in named["message_zh"].iloc[0]


def _explained_in_problem_list(raw: Path, tmp_path: Path, value: str, note: str) -> Path:
    """The marked copy of the 2019 workbook, ``note`` typed as the 核实说明 of the 问题清单 row of
    the cell holding ``value``, returned into ``raw``; the copy's path."""
    mark(raw, tmp_path / "marked")
    copy = tmp_path / "marked" / WORKBOOK
    wb = load_workbook(copy)
    ws = wb["问题清单"]
    header = next(r for r in ws.iter_rows() if any(c.value == "核实说明" for c in r))
    at = {c.value: c.column for c in header}
    for row in range(header[0].row + 1, ws.max_row + 1):
        if str(ws.cell(row, at["填写内容"]).value) == value:
            ws.cell(row, at["核实说明"]).value = note
    wb.save(copy)
    shutil.copy(copy, raw / WORKBOOK)
    return copy


def test_a_problem_list_explanation_of_a_value_no_longer_flagged_is_named(tmp_path):
    import dataclasses

    from analysis.ingest.review import load_thresholds

    raw = typed_sample(tmp_path)
    _explained_in_problem_list(raw, tmp_path, "8.96", "经核实无误")
    # Thresholds no figure passes: the review flags nothing now, so 8.96 needs no explanation.
    lenient = dataclasses.replace(
        load_thresholds(),
        history_z=1e9,
        history_z_typo=1e9,
        peers_z=1e9,
        peers_z_typo=1e9,
    )
    result = validate(raw, review_thresholds=lenient)
    assert not result.review["year"].eq(2019).any()
    named = result.problems[result.problems["rule"] == "explanation_not_flagged"]
    # The sample's own 核实说明.csv row (老圩 2014) confirms nothing either now.
    assert list(named["file"]) == ["核实说明.csv", WORKBOOK]
    named = named[named["file"] == WORKBOOK]
    assert named["sheet"].iloc[0] == "问题清单"
    assert "老圩2019年医疗保险参保率 8.96" in named["message_zh"].iloc[0]
    assert "no longer flagged" in named["message_en"].iloc[0]
    assert named["severity"].iloc[0] == "warning" and result.ok


def test_a_problem_list_explanation_of_a_cell_emptied_since_is_named(tmp_path):
    raw = typed_sample(tmp_path)
    _explained_in_problem_list(raw, tmp_path, "8.96", "经核实无误")
    row, column = _cell(raw, "社会保障", "老圩", "medical_insurance_rate")
    wb = load_workbook(raw / WORKBOOK)
    wb["社会保障"][f"{column}{row}"].value = None  # the clerk deleted the figure instead
    wb.save(raw / WORKBOOK)
    result = validate(raw)
    named = result.problems[result.problems["rule"] == "explanation_cell_not_accepted"]
    assert len(named) == 1
    assert named["sheet"].iloc[0] == "问题清单"
    assert f"工作表「社会保障」{column}{row}" in named["message_zh"].iloc[0]
    assert "holds no accepted value" in named["message_en"].iloc[0]


def test_an_explanations_file_row_for_a_value_never_flagged_is_named(tmp_path):
    raw = typed_sample(tmp_path)
    # 新圩's 2018 figure (8) is held and not flagged.
    write_explanations(
        raw / "核实说明.csv", [("", "新圩", "", 2018, "新建改建卫生户厕", 8, "说明")]
    )
    result = validate(raw)
    named = result.problems[result.problems["rule"] == "explanation_not_flagged"]
    assert list(named["row"]) == [2] and list(named["file"]) == ["核实说明.csv"]


def test_a_used_explanation_is_not_named(tmp_path):
    raw = typed_sample(tmp_path)
    _explained_in_problem_list(raw, tmp_path, "8.96", "经核实无误")
    rules = set(validate(raw).problems["rule"])
    assert not rules & {"explanation_not_flagged", "explanation_cell_not_accepted"}
