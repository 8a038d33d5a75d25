"""Boundary changes (区划调整): the crosswalk read, former units in their years, its errors, and
the 竹村村 split of the issue end to end (validate, restated series, the village's page)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.catalog import default_catalog
from analysis.ingest.crosswalk import lineage
from analysis.ingest.validate import validate
from analysis.pipeline.restate import keys_of_today, restate

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "raw"
ZHUCUN, OLD, XIAPING = "360722103200", "360722103290", "360722103291"
HEADER = "年份,原代码,原名称,新代码,新名称,类型,比例\n"


def _write_crosswalk(raw: Path, lines: list[str]) -> None:
    (raw / "区划调整.csv").write_text(
        HEADER + "".join(f"{line}\n" for line in lines), encoding="utf-8"
    )


def _split_zhucun(raw: Path) -> None:
    """The sample with 竹村村 reported as 原竹村 and 下坪村 in 2014–2016: counts 60/40 (a few
    people stay whole), rates and maxima equal."""
    from openpyxl import load_workbook

    catalog = default_catalog()
    original = validate(SAMPLE)
    places = pd.concat([original.values.drop(columns="row"), original.places], axis=1)
    places = places[(places["village_code"] == ZHUCUN) & (places["year"] <= 2016)]
    for year in (2014, 2015, 2016):
        name = f"民生工作台账_{year}.xlsx"
        book = load_workbook(raw / name)
        mine = places[(places["file"] == name)]
        for sheet_name, cells in mine.groupby("sheet"):
            ws = book[sheet_name]
            row = int(cells["row"].iat[0])
            ws.insert_rows(row + 1)
            for col in range(1, ws.max_column + 1):
                ws.cell(row + 1, col).value = ws.cell(row, col).value
            name_col = next(
                c
                for c in range(1, ws.max_column + 1)
                if str(ws.cell(row, c).value).startswith("竹村")
            )
            ws.cell(row, name_col).value = "原竹村"
            ws.cell(row + 1, name_col).value = "下坪村"
            for item in cells.itertuples():
                if catalog[item.indicator].aggregate != "sum":
                    continue
                col = _column_number(item.column)
                value = float(ws.cell(row, col).value)
                # A few people (保洁员 3, 公益岗 4) stay whole: split, they would break the
                # catalog's cross rules, which hold of the whole.
                first = round(value * 0.6) if value.is_integer() else round(value * 0.6, 2)
                first = value if value.is_integer() and value < 10 else first
                ws.cell(row, col).value = first
                ws.cell(row + 1, col).value = round(value - first, 2)
        book.save(raw / name)
    population = next(raw.glob("户数人口_*.csv"))
    rows = list(csv.reader(io.StringIO(population.read_bytes().decode("gbk"))))
    out = [rows[0]]
    for row in rows[1:]:
        if row[0].startswith("竹村") and int(row[1]) <= 2016:
            counts = [int(v) for v in row[2:]]
            firsts = [round(v * 0.6) for v in counts]
            out.append(["原竹村", row[1], *map(str, firsts)])
            out.append(
                ["下坪村", row[1], *(str(v - f) for v, f in zip(counts, firsts, strict=True))]
            )
        else:
            out.append(row)
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(out)
    population.write_bytes(text.getvalue().encode("gbk"))


def _column_number(letter: str) -> int:
    number = 0
    for char in letter:
        number = number * 26 + ord(char) - 64
    return number


@pytest.fixture(scope="module")
def split_raw(tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("split") / "raw"
    shutil.copytree(SAMPLE, raw)
    _split_zhucun(raw)
    return raw


def _rules(result) -> list[str]:
    problems = result.problems
    return sorted(problems.loc[problems["severity"] == "error", "rule"])


def test_without_the_crosswalk_both_old_names_are_problems(split_raw):
    result = validate(split_raw)
    unknown = result.problems[result.problems["rule"] == "unknown_village"]
    assert {"原竹村", "下坪村"} <= set(unknown["value"])
    assert not result.ok


@pytest.fixture(scope="module")
def merged_raw(split_raw, tmp_path_factory) -> Path:
    raw = tmp_path_factory.mktemp("merged") / "raw"
    shutil.copytree(split_raw, raw)
    _write_crosswalk(
        raw,
        [
            f"2017,{OLD},原竹村,{ZHUCUN},竹村村,合并,",
            f"2017,{XIAPING},下坪村,{ZHUCUN},竹村村,合并,",
        ],
    )
    return raw


def test_with_the_merger_the_series_is_the_original(merged_raw):
    result = validate(merged_raw)
    assert result.ok, result.problems[result.problems["severity"] == "error"]["message_en"].tolist()
    assert {OLD, XIAPING} <= set(result.values["village_code"])
    catalog = default_catalog()
    restated, notes = restate(result.values, result.lineage, catalog)
    original = validate(SAMPLE).values
    key = ["village_code", "year", "indicator"]
    mine = restated[restated["village_code"] == ZHUCUN].merge(
        original[original["village_code"] == ZHUCUN], on=key, suffixes=("", "_original")
    )
    assert len(mine) == (original["village_code"] == ZHUCUN).sum()
    assert np.allclose(mine["value"], mine["value_original"], rtol=1e-9, atol=1e-6)
    assert set(restated["village_code"]) == set(original["village_code"])
    early = notes[notes["year"] <= 2016]
    assert (early["village_code"] == ZHUCUN).all() and not early["estimated"].any()
    assert set(early["sources"]) == {f"{OLD};{XIAPING}"}


def test_the_township_series_is_unchanged(merged_raw, tmp_path):
    from analysis.pipeline.prepare import prepare

    merged = prepare(merged_raw, tmp_path / "merged")
    assert merged.ok
    area = pd.read_parquet(merged.paths["area"])
    base = prepare(SAMPLE, tmp_path / "base")
    before = pd.read_parquet(base.paths["area"])
    joined = area.merge(before, on=["year", "indicator"], suffixes=("", "_before"))
    assert len(joined) == len(before) == len(area)
    assert np.allclose(joined["value"], joined["value_before"], rtol=1e-9, atol=1e-6)
    reported = pd.read_parquet(merged.paths["indicators_reported"])
    assert {OLD, XIAPING} <= set(reported["village_code"])
    villages = pd.read_parquet(merged.paths["villages"])
    assert OLD not in set(villages["code"])


def test_the_village_page_says_it_was_formed_from_both(merged_raw, tmp_path):
    from analysis.pipeline.prepare import prepare
    from analysis.pipeline.store import load_tables
    from analysis.reporting.changes import village_change_lines

    prepare(merged_raw, tmp_path / "p")
    tables = load_tables(tmp_path / "p", merged_raw)
    assert village_change_lines(tables, ZHUCUN, "zh") == [
        "2017年由原竹村、下坪村合并设立；2014—2016年数据为两村合计。"
    ]
    assert "merging 原竹村, 下坪村" in village_change_lines(tables, ZHUCUN, "en")[0]
    assert village_change_lines(tables, "360722103203", "zh") == []


def test_rows_of_a_unit_outside_its_span_are_problems(merged_raw, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(merged_raw, raw)
    population = next(raw.glob("户数人口_*.csv"))
    text = population.read_bytes().decode("gbk")
    text = text.replace("竹村村委会,2017", "原竹村,2017").replace("下坪村,2014", "竹村村,2014", 1)
    population.write_bytes(text.encode("gbk"))
    result = validate(raw)
    rules = _rules(result)
    assert "unit_ended" in rules and "unit_not_started" in rules
    ended = result.problems[result.problems["rule"] == "unit_ended"]["message_zh"].iat[0]
    assert "2016 年后已合并为竹村村" in ended


def test_a_unit_missing_from_a_year_is_named(merged_raw, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(merged_raw, raw)
    (raw / "民生工作台账_2015.xlsx").unlink()
    population = next(raw.glob("户数人口_*.csv"))
    lines = population.read_bytes().decode("gbk").split("\r\n")
    population.write_bytes(
        "\r\n".join(line for line in lines if not line.startswith("下坪村,2015")).encode("gbk")
    )
    result = validate(raw)
    missing = result.problems[result.problems["rule"] == "village_missing"]
    assert missing[["village_code", "village"]].values.tolist() == [[XIAPING, "下坪村"]]
    assert "2015 年的数据中没有“下坪村”" in missing["message_zh"].iat[0]
    assert result.ok  # a warning: nothing was kept out


@pytest.mark.parametrize(
    ("lines", "rule"),
    [
        (
            [
                f"2017,{OLD},原竹村,{XIAPING},下坪村,改代码,",
                f"2018,{XIAPING},下坪村,{OLD},原竹村,改代码,",
            ],
            "crosswalk_cycle",
        ),
        ([f"2017,{ZHUCUN},竹村村,360722103201,新塘村,合并,"], "crosswalk_old_current"),
        (
            [
                f"2017,{OLD},原竹村,{ZHUCUN},竹村村,拆分,0.5",
                f"2017,{OLD},原竹村,360722103201,新塘村,拆分,0.4",
            ],
            "crosswalk_shares",
        ),
        ([f"2017,{OLD},原竹村,360722103299,新村,改代码,"], "crosswalk_new_unknown"),
        ([f"2031,{OLD},原竹村,{ZHUCUN},竹村村,合并,"], "crosswalk_year_outside"),
        ([f"2017,{OLD},原竹村,{ZHUCUN},竹村村,撤并,"], "crosswalk_bad_row"),
    ],
)
def test_each_crosswalk_error_is_a_problem(lines, rule, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    _write_crosswalk(raw, lines)
    result = validate(raw)
    found = result.problems[result.problems["rule"] == rule]
    assert len(found) >= 1, result.problems[["rule", "message_en"]]
    assert found["file"].eq("区划调整.csv").all()
    assert not result.ok
    assert (found["message_zh"].str.len() > 0).all()
    assert result.rows[("区划调整.csv", "")].loc[found["row"], "status"].eq("quarantined").all()


def _values(rows: list[tuple[str, int, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["village_code", "year", "indicator", "value"])
    return frame.assign(source="f.xlsx", row=range(2, 2 + len(frame)))


def _changes(rows: list[tuple[int, str, str, str, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["year", "old_code", "new_code", "kind", "share"])
    return frame.assign(old_name="", new_name="")


A, B, C = "360722103290", "360722103291", "360722103200"
MOVED = "360722104201"


def test_a_merger_sums_counts_and_weights_rates():
    values = _values(
        [
            (A, 2016, "population", 600.0),
            (B, 2016, "population", 200.0),
            (A, 2016, "medical_insurance_rate", 90.0),
            (B, 2016, "medical_insurance_rate", 98.0),
            (C, 2017, "population", 800.0),
        ]
    )
    out, notes = restate(
        values,
        lineage(_changes([(2017, A, C, "merge", 1.0), (2017, B, C, "merge", 1.0)])),
        default_catalog(),
    )
    got = out.set_index(["village_code", "year", "indicator"])["value"]
    assert got[(C, 2016, "population")] == 800.0
    assert got[(C, 2016, "medical_insurance_rate")] == pytest.approx((90 * 600 + 98 * 200) / 800)
    assert got[(C, 2017, "population")] == 800.0
    assert set(out["village_code"]) == {C}
    assert not notes["estimated"].any()


def test_a_split_divides_counts_carries_rates_and_is_estimated():
    values = _values([(A, 2016, "population", 1000.0), (A, 2016, "medical_insurance_rate", 95.0)])
    changes = _changes([(2017, A, C, "split", 0.7), (2017, A, B, "split", 0.3)])
    out, notes = restate(values, lineage(changes), default_catalog())
    got = out.set_index(["village_code", "indicator"])["value"]
    assert got[(C, "population")] == pytest.approx(700) and got[(B, "population")] == pytest.approx(
        300
    )
    assert got[(C, "medical_insurance_rate")] == got[(B, "medical_insurance_rate")] == 95.0
    assert notes["estimated"].all()


@pytest.mark.parametrize("kind", ["rename", "recode", "move"])
def test_a_rename_new_code_or_move_carries_the_value(kind):
    values = _values([(A, 2016, "population", 500.0), (MOVED, 2017, "population", 510.0)])
    out, notes = restate(
        values, lineage(_changes([(2017, A, MOVED, kind, 1.0)])), default_catalog()
    )
    assert out[["village_code", "year", "value"]].values.tolist() == [
        [MOVED, 2016, 500.0],
        [MOVED, 2017, 510.0],
    ]
    assert notes["kinds"].tolist() == [kind]


def test_a_rename_keeping_its_code_reads_the_old_name(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    population = next(raw.glob("户数人口_*.csv"))
    text = population.read_bytes().decode("gbk").replace("竹村村委会,2014", "老竹村,2014")
    population.write_bytes(text.encode("gbk"))
    _write_crosswalk(raw, [f"2015,{ZHUCUN},老竹村,{ZHUCUN},竹村村,更名,"])
    result = validate(raw)
    assert result.ok, result.problems["message_en"].tolist()


def test_a_chain_of_changes_leads_to_today():
    paths = lineage(_changes([(2016, A, B, "recode", 1.0), (2018, B, C, "merge", 1.0)]))
    assert paths[paths["code"] == A][["today", "kinds"]].values.tolist() == [[C, "recode;merge"]]


def test_a_former_units_value_pending_review_counts_under_the_units_of_today():
    keys = pd.DataFrame(
        [(A, 2015, "medical_insurance_rate"), (C, 2019, "toilets")],
        columns=["village_code", "year", "indicator"],
    )
    changes = _changes([(2017, A, B, "split", 0.6), (2017, A, C, "split", 0.4)])
    today = keys_of_today(keys, lineage(changes))
    assert sorted(map(tuple, today.to_numpy().tolist())) == sorted(
        [
            (A, 2015, "medical_insurance_rate"),
            (B, 2015, "medical_insurance_rate"),
            (C, 2015, "medical_insurance_rate"),
            (C, 2019, "toilets"),
        ]
    )
    assert keys_of_today(keys, lineage(changes.iloc[0:0])) is keys


@pytest.mark.parametrize(
    ("old_code", "kind"), [("360722103293", "改代码"), ("360722104293", "划转")]
)
def test_a_unit_recoded_or_moved_keeps_its_name_and_its_series(old_code, kind, tmp_path):
    """青光村 reported under its old code until 2016 (in 大桥镇, or moved in from another town):
    its name names the old unit in those years and itself after, and its series is the
    original."""
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    _write_crosswalk(raw, [f"2017,{old_code},青光村,360722103203,青光村,{kind},"])
    result = validate(raw)
    assert result.ok, result.problems["message_en"].tolist()
    values = result.values
    assert set(values.loc[values["village_code"] == old_code, "year"]) == {2014, 2015, 2016}
    restated, notes = restate(values, result.lineage, default_catalog())
    original = validate(SAMPLE).values
    pd.testing.assert_frame_equal(
        restated[["village_code", "year", "indicator", "value"]],
        original[["village_code", "year", "indicator", "value"]],
    )
    assert set(notes["kinds"]) == {"recode" if kind == "改代码" else "move"}


def test_template_writes_a_blank_crosswalk_that_changes_nothing(tmp_path):
    from analysis import cli

    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    assert (
        cli.main(["template", str(raw / "采集表.xlsx"), "--registry", str(raw / "villages.csv")])
        == 0
    )
    (raw / "采集表.xlsx").unlink()  # the blank workbook is not data
    blank = raw / "区划调整.csv"
    assert blank.read_bytes().decode("utf-8-sig").strip() == HEADER.strip()
    result = validate(raw)
    assert result.ok and result.changes.empty
    assert result.problems.empty, result.problems["message_en"].tolist()
    pd.testing.assert_frame_equal(result.values, validate(SAMPLE).values)


def test_a_split_part_joining_another_unit_is_weighted_by_its_share():
    """A (1,000 people) splits 30/70 into C and B, and D (300 people) joins C: C's rate is
    A's and D's weighted by the 300 people of A's part, not A's whole 1,000."""
    values = _values(
        [
            (A, 2016, "population", 1000.0),
            (A, 2016, "medical_insurance_rate", 90.0),
            (MOVED, 2016, "population", 300.0),
            (MOVED, 2016, "medical_insurance_rate", 60.0),
        ]
    )
    changes = _changes(
        [(2017, A, C, "split", 0.3), (2017, A, B, "split", 0.7), (2017, MOVED, C, "merge", 1.0)]
    )
    out, _ = restate(values, lineage(changes), default_catalog())
    got = out.set_index(["village_code", "indicator"])["value"]
    assert got[(C, "population")] == pytest.approx(600)
    assert got[(C, "medical_insurance_rate")] == pytest.approx((90 * 300 + 60 * 300) / 600)
    assert got[(B, "medical_insurance_rate")] == 90.0


def test_a_unit_reached_twice_is_one_part_with_both_shares():
    """A splits into B and C, and B later joins C: A's whole is C's, in one part."""
    paths = lineage(
        _changes(
            [(2016, A, B, "split", 0.6), (2016, A, C, "split", 0.4), (2018, B, C, "merge", 1.0)]
        )
    )
    mine = paths[paths["code"] == A]
    assert mine[["today", "share"]].values.tolist() == [[C, 1.0]]


def test_a_merged_rate_no_part_of_which_has_a_weight_is_a_warning():
    """原A and B merge into C; neither gave its population in 2016: C's 2016 rate cannot be
    weighted, and the gap is said (never a rate that silently drops out)."""
    from analysis.ingest.crosswalk import check_rate_weights
    from analysis.ingest.ledger import Ledger

    values = _values(
        [
            (A, 2016, "medical_insurance_rate", 90.0),
            (B, 2016, "medical_insurance_rate", 98.0),
            (A, 2015, "population", 600.0),
            (A, 2015, "medical_insurance_rate", 91.0),
            (B, 2015, "medical_insurance_rate", 97.0),
        ]
    )
    paths = lineage(_changes([(2017, A, C, "merge", 1.0), (2017, B, C, "merge", 1.0)]))
    out, notes = restate(values, paths, default_catalog())
    assert out[out["year"] == 2016].empty
    assert notes[notes["year"] == 2016].empty  # nothing is said of a value not made
    assert out.loc[out["year"] == 2015, "value"].tolist() == [600.0, 91.0]
    ledger = Ledger()
    check_rate_weights(
        values,
        paths,
        default_catalog(),
        {A: "原竹村", B: "下坪村", C: "竹村村"},
        "区划调整.csv",
        ledger,
    )
    [problem] = ledger.problems
    assert problem["rule"] == "restate_unweighted" and problem["severity"] == "warning"
    assert problem["village_code"] == C
    assert "2016" in problem["message_zh"] and "原竹村、下坪村" in problem["message_zh"]
    assert "人口" in problem["message_zh"]


def test_former_units_without_a_weight_are_named_by_validate(merged_raw, tmp_path):
    """原竹村 and 下坪村 without their 2015 people and households: each of 竹村村's 2015 rates
    is a warning, on the problems list under 竹村村, and what it says the series lacks."""
    from analysis.pipeline.prepare import prepare

    raw = tmp_path / "raw"
    shutil.copytree(merged_raw, raw)
    population = next(raw.glob("户数人口_*.csv"))
    lines = population.read_bytes().decode("gbk").split("\r\n")
    kept = [line for line in lines if not line.startswith(("原竹村,2015", "下坪村,2015"))]
    population.write_bytes("\r\n".join(kept).encode("gbk"))
    result = validate(raw)
    gaps = result.problems[result.problems["rule"] == "restate_unweighted"]
    assert len(gaps) >= 1
    assert gaps["village_code"].eq(ZHUCUN).all()
    assert gaps["message_zh"].str.contains("2015").all()
    restated, _ = restate(result.values, result.lineage, default_catalog())
    rates = {i.id for i in default_catalog() if i.aggregate == "weighted_mean"}
    missing = restated[
        (restated["village_code"] == ZHUCUN)
        & (restated["year"] == 2015)
        & restated["indicator"].isin(rates)
    ]
    assert missing.empty  # what the warnings say is what the series lacks
    assert len(gaps) == len(
        result.values[
            (result.values["village_code"] == OLD)
            & (result.values["year"] == 2015)
            & result.values["indicator"].isin(rates)
        ]
    )
    prepared = prepare(raw, tmp_path / "processed")
    listed = prepared.quarantine[prepared.quarantine["rule"] == "restate_unweighted"]
    assert listed["village"].eq("竹村村").all() and len(listed) == len(gaps)
    assert prepared.summary["problems"]["by_rule"]["restate_unweighted"] == len(gaps)
    said = pd.read_parquet(prepared.paths["restated"])
    assert said[(said["year"] == 2015) & said["indicator"].isin(rates)].empty


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("年份,原名称,新代码,新名称,类型,比例", "原代码"),
        ("年份,原代码,原名称,新名称,类型,比例", "新代码"),
        ("年份,原名称,新名称,类型,比例", "原代码、新代码"),
    ],
)
def test_a_crosswalk_without_a_code_column_names_it_once(header, missing, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE, raw)
    columns = HEADER.strip().split(",")
    row = dict(zip(columns, ["2017", OLD, "原竹村", ZHUCUN, "竹村村", "合并", ""], strict=True))
    body = [",".join(row[c] for c in header.split(",")) for _ in range(3)]
    (raw / "区划调整.csv").write_text("\n".join([header, *body]) + "\n", encoding="utf-8")
    result = validate(raw)
    mine = result.problems[result.problems["file"] == "区划调整.csv"]
    assert mine["rule"].tolist() == ["crosswalk_missing_column"]
    assert f"“{missing}”" in mine["message_zh"].iat[0]
    assert "3 行" in mine["message_zh"].iat[0]
    rows = result.rows[("区划调整.csv", "")]
    assert rows.loc[[2, 3, 4], "status"].eq("quarantined").all()
    assert result.changes.empty and not result.ok
