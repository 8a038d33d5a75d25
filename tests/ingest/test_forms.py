"""Issue 12, the shapes offices send: every case ``tests/data/make_forms.py`` writes is read and
its exact outcome asserted — the values ingested equal the true ones, or the exact rule, file,
sheet, row and column of the problem — and every file's rows add up: rows read = accepted +
quarantined + structural, with the rows counted by a pass independent of the parser, a check
that can fail (the last tests make it fail)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from analysis import config
from analysis.core.aggregate import aggregate_area
from analysis.errors import MissingFileError
from analysis.ingest import read
from analysis.ingest.validate import validate

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
FORMS = DATA / "forms"
CASES = {c["name"]: c for c in json.loads((FORMS / "expected.json").read_text("utf-8"))}
COUNTY = "民生工作情况统计表_2019"
WORKBOOK = "民生工作台账_2019.xlsx"
POPULATION = "户数人口_2014-2019.csv"
QINGGUANG = "360722103203"

sys.path.insert(0, str(DATA))
import make_forms  # noqa: E402


@pytest.fixture(scope="module")
def sample():
    """The bundled sample, validated once: the true values every case is derived from."""
    return validate(config.RAW_DIR)


def _from(result, source_prefix: str, year: int = 2019) -> set[tuple[str, int, str, float]]:
    """(village, year, indicator, value) read from files whose source starts with the prefix."""
    v = result.values
    v = v[v["source"].str.startswith(source_prefix) & (v["year"] == year)]
    return {
        (c, int(y), i, round(float(x), 6))
        for c, y, i, x in v[["village_code", "year", "indicator", "value"]].itertuples(index=False)
    }


def _problems(result) -> list[tuple[str, str, str, str, int, str]]:
    """(rule, severity, file, sheet, row, column) of every problem outside the registry, but
    the review's flags and 乡不漏村's: these cases are about reading the forms, and a case of one
    year's file has no history, so its few villages are judged against each other (tests/ingest/
    test_explanations.py tests the review tier); :func:`_missing` names the villages a case
    loses."""
    p = result.problems[
        (result.problems["file"] != "villages.csv")
        & (result.problems["severity"] != "review")
        & (result.problems["rule"] != "village_missing")
    ]
    return sorted(
        zip(p["rule"], p["severity"], p["file"], p["sheet"], p["row"], p["column"], strict=True)
    )


def _missing(result) -> list[tuple[str, int]]:
    """(village code, year) of each village 乡不漏村 finds missing."""
    p = result.problems[result.problems["rule"] == "village_missing"]
    years = p["message_zh"].str.extract(r"(\d{4}) 年")[0].astype(int)
    return sorted(zip(p["village_code"], years, strict=True))


def _balanced(result) -> dict[tuple[str, str], dict]:
    """Every file's rows add up, and equal the independent count where there is one."""
    assert result.summary["accounting_ok"]
    entries = {(e["file"], e["sheet"]): e for e in result.summary["files"]}
    for entry in entries.values():
        assert entry["check"], entry
        assert entry["rows_read"] == (
            entry["rows_accepted"] + entry["rows_quarantined"] + entry["rows_structural"]
        )
        if "rows_counted" in entry:
            assert entry["rows_counted"] == entry["rows_read"]
    # Every message names the place, Chinese first.
    for item in result.problems.itertuples():
        assert item.message_zh.startswith(f"「{item.file}」")
        if item.sheet:
            assert f"工作表「{item.sheet}」" in item.message_zh
        if item.row:
            assert f"第 {item.row} 行" in item.message_zh
        if item.column:
            assert f"{item.column} 列" in item.message_zh
    return entries


def _sums(result, year: int = 2019) -> dict[str, float]:
    v = result.values[result.values["year"] == year]
    return v.groupby("indicator")["value"].sum().round(6).to_dict()


def test_every_case_of_the_generator_is_tested_here():
    tested = {name for name in CASES if f'"{name}"' in Path(__file__).read_text("utf-8")}
    assert tested == set(CASES)


# --- county forms: title, 填报单位, grouped merged headers, 合计, 填表人/审核人 ----------------------

COUNTY_CASES = [
    "county_form",
    "county_form_subheaders",
    "county_form_labels_below",
    "county_form_3row",
    "county_form_year_in_title",
    "county_form_xls",
    "county_form_ods",
    "county_form_et",
]
COUNTY_INDICATORS = {
    "poor_households_remaining",
    "poor_people_remaining",
    "poverty_exit_households",
    "medical_insurance_rate",
    "pension_insurance_rate",
}


@pytest.mark.parametrize("name", COUNTY_CASES)
def test_county_forms_read_the_sample_figures_and_never_the_totals(name, sample):
    result = validate(FORMS / name)
    entries = _balanced(result)
    truth = CASES[name]["truth"]
    # The 45 values are the sample's own 2019 figures, village by village.
    expected = {item for item in _from(sample, WORKBOOK) if item[2] in COUNTY_INDICATORS}
    assert _from(result, COUNTY) == expected
    assert len(result.values) == truth["values"] == 45
    sums = _sums(result)
    assert sums["poor_households_remaining"] == truth["poor_households_remaining"] == 7
    assert sums["poor_people_remaining"] == truth["poor_people_remaining"] == 9
    assert sums["poverty_exit_households"] == truth["poverty_exit_households"] == 24
    # 户数 / 人口 under a group are never all households and people.
    assert not {"households", "population"} & set(result.values["indicator"])
    # The 合计 row was checked against the villages and agrees; nothing else is said ...
    expected_problems = []
    if name == "county_form_year_in_title":
        # ... except where the year came from the title (never the footer's 填报日期 2020).
        expected_problems = [("year_from_title", "warning", f"{COUNTY}.xlsx", "统计表", 1, "")]
        assert set(result.values["year"]) == {2019}
    assert _problems(result) == expected_problems
    (entry,) = [e for key, e in entries.items() if key[0].startswith(COUNTY)]
    header_rows = 3 if name == "county_form_3row" else 2
    totals = 12 + header_rows  # title, 填报单位, the header, nine villages, then 合计
    assert entry["rows_read"] == totals + 1
    assert (entry["rows_accepted"], entry["rows_quarantined"]) == (9, 0)
    reasons = {s["row"]: s["reason"] for s in entry["structural"]}
    assert reasons == {
        1: "title",
        2: "title",
        **{3 + i: "header" for i in range(header_rows)},
        totals: "totals",
        totals + 1: "note",
    }


def test_a_generic_subheader_alone_is_households(sample):
    """The guard is the group: the same 户数 in a one-row header is all households."""
    result = validate(DATA / "forms" / "own_registry")
    assert {"households", "population"} <= set(result.values["indicator"])


# --- other workbook formats ------------------------------------------------------------------


def test_an_xls_workbook_reads_as_the_xlsx_it_was(sample):
    result = validate(FORMS / "workbook_xls")
    _balanced(result)
    assert _problems(result) == []
    got = _from(result, "民生工作台账_2019.xls#")
    assert got == _from(sample, WORKBOOK)
    sums = _sums(result)
    assert (sums["poor_households_remaining"], sums["poor_people_remaining"]) == (7, 9)


def test_a_wps_et_that_cannot_be_read_is_refused_by_name(tmp_path):
    et = tmp_path / "民生工作情况统计表_2019.et"
    et.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    (tmp_path / "villages.csv").write_bytes(
        (FORMS / "county_form_et" / "villages.csv").read_bytes()
    )
    result = validate(tmp_path)
    assert _problems(result) == [("unsupported_format", "error", et.name, "", 0, "")]
    assert "WPS" in result.problems["message_zh"].iloc[0]
    assert "另存为" in result.problems["message_zh"].iloc[0]


# --- the long form and shapes that are not read -----------------------------------------------


def test_long_form_csv_reads_through_the_aliases():
    result = validate(FORMS / "long_form_csv")
    entries = _balanced(result)
    assert _problems(result) == [
        ("unknown_indicator", "error", "民生指标长表_2019.csv", "", 10, "C")
    ]
    assert len(result.values) == CASES["long_form_csv"]["truth"]["values"] == 63
    sums = _sums(result)
    assert (sums["households"], sums["population"]) == (7040, 25277)
    entry = entries[("民生指标长表_2019.csv", "")]
    assert (entry["rows_accepted"], entry["rows_quarantined"], entry["rows_structural"]) == (
        63,
        1,
        1,
    )


def test_long_form_workbook_converts_units_like_headers():
    result = validate(FORMS / "long_form_xlsx")
    _balanced(result)
    assert _problems(result) == []
    assert len(result.values) == 45
    sums = _sums(result)
    assert sums["toilets_upgraded"] == 62
    assert sums["environment_investment_wan"] == pytest.approx(101)
    assert sums["hardened_road_km"] == pytest.approx(61.3)


def test_years_as_columns_are_refused_saying_what_was_seen():
    result = validate(FORMS / "sheet_per_indicator")
    entries = _balanced(result)
    assert result.values.empty
    assert _problems(result) == [
        ("unsupported_layout", "error", "户数人口_按年.xlsx", sheet, 1, "")
        for sheet in ("人口", "户数")
    ]
    for message in result.problems["message_zh"]:
        assert "年份在列上（2014年" in message and "可读取的表格形式" in message
    for entry in entries.values():
        if entry["file"] == "户数人口_按年.xlsx":
            assert entry["rows_accepted"] == 0 and entry["rows_quarantined"] == 10


def test_a_header_nobody_can_read_is_refused_per_sheet_never_accepted():
    result = validate(FORMS / "unknown_header")
    entries = _balanced(result)
    assert result.values.empty
    sheets = ("产业发展", "人居环境", "社会保障", "脱贫攻坚")
    assert _problems(result) == [("no_header", "error", WORKBOOK, s, 0, "") for s in sheets]
    for message in result.problems["message_zh"]:
        assert "第 3 行为：编号、村别、统计期" in message and "可读取的表格形式" in message
    for s in sheets:
        assert entries[(WORKBOOK, s)]["rows_accepted"] == 0
        assert entries[(WORKBOOK, s)]["rows_quarantined"] == 13


# --- CSV records: a quote never closed, a number that shifts the row ----------------------------


def test_an_unclosed_quote_quarantines_the_lines_it_swallowed(sample):
    result = validate(FORMS / "unclosed_quote")
    entries = _balanced(result)
    assert _problems(result) == [("unclosed_quote", "error", POPULATION, "", 48, "A")]
    entry = entries[(POPULATION, "")]
    truth = CASES["unclosed_quote"]["truth"]
    assert entry["rows_read"] == entry["rows_counted"] == truth["csv_records_physical"] == 55
    assert entry["rows_quarantined"] == 8 and entry["rows_accepted"] == 46
    # Nothing from lines 48-55 went in; lines 2-47 are the sample's own values.
    assert result.values["row"].max() == 47
    good = _from(sample, POPULATION)
    got = _from(result, POPULATION)
    assert got < good and len(good - got) == 16  # 8 villages × (households, population)
    # 乡不漏村 names each of them: the lines swallowed are no village's report.
    assert len(_missing(result)) == 8
    assert {code for code, _ in _missing(result)} == {code for code, *_ in good - got}
    assert not result.ok  # a build refuses: the 2019 total would read 824, not 7,040
    assert "第 55 行" in result.problems["message_zh"].iloc[0]


def test_a_number_with_an_unquoted_comma_quarantines_its_row(sample):
    result = validate(FORMS / "extra_cell")
    entries = _balanced(result)
    assert _problems(result) == [("extra_cells", "error", POPULATION, "", 53, "E")]
    assert entries[(POPULATION, "")]["rows_quarantined"] == 1
    qingguang = result.values.query("village_code == @QINGGUANG and year == 2019")
    assert qingguang.empty  # never population 2, nor 119
    assert _missing(result) == [(QINGGUANG, 2019)]
    expected = {v for v in _from(sample, POPULATION) if v[0] != QINGGUANG}
    assert _from(result, POPULATION) == expected
    assert "5 个单元格" in result.problems["message_zh"].iloc[0]


def test_a_utf8_bom_before_gbk_is_read_as_gbk_with_a_warning(sample):
    result = validate(FORMS / "bom_gbk")
    _balanced(result)
    assert _problems(result) == [("bom_mismatch", "warning", POPULATION, "", 0, "")]
    assert _from(result, POPULATION) == _from(sample, POPULATION)
    assert _sums(result)["households"] == CASES["bom_gbk"]["truth"]["households_2019"] == 7040
    assert _from(result, WORKBOOK) == _from(sample, WORKBOOK)


# --- fractions among percentages ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["rate_fraction_cell", "rate_fraction_cell_plain"])
def test_a_fraction_among_percentages_is_read_as_the_percentage(name, sample, tmp_path):
    result = validate(FORMS / name)
    _balanced(result)
    assert _problems(result) == [("rate_fraction_cell", "warning", WORKBOOK, "社会保障", 10, "D")]
    why = "单元格格式为百分比" if name == "rate_fraction_cell" else "本列其他数值是百分数"
    assert why in result.problems["message_zh"].iloc[0]
    rate = result.values.query(
        "village_code == @QINGGUANG and indicator == 'medical_insurance_rate'"
    )["value"]
    assert rate.tolist() == [pytest.approx(82.1)]
    # Every other value is the sample's (the case only removed the 社会保障 合计 row).
    others = {
        v for v in _from(result, WORKBOOK) if v[:3] != (QINGGUANG, 2019, "medical_insurance_rate")
    }
    assert others == {
        v for v in _from(sample, WORKBOOK) if v[:3] != (QINGGUANG, 2019, "medical_insurance_rate")
    }
    # Laid over the sample, the township rate is the published 86 %.
    over = validate(make_forms.overlay(name, tmp_path / "raw"))
    town = aggregate_area(over.values).query(
        "year == 2019 and indicator == 'medical_insurance_rate'"
    )
    assert round(float(town["value"].iloc[0])) == CASES[name]["truth"]["medical_insurance_rate"]


# --- geometry, far stray cells, oversize files --------------------------------------------------


def test_an_open_ring_is_closed_and_a_cut_ring_quarantined():
    result = validate(FORMS / "open_ring")
    entries = _balanced(result)
    assert _problems(result) == [
        ("geometry_invalid", "error", "geo/villages.geojson", "", 9, ""),
        ("geometry_repaired", "warning", "geo/villages.geojson", "", 7, ""),
    ]
    layer = result.layers["villages"]
    codes = CASES["open_ring"]["truth"]["codes"]
    assert len(layer) == 8
    assert codes["青光村"] in set(layer["code"]) and codes["八角村"] not in set(layer["code"])
    assert entries[("geo/villages.geojson", "")]["rows_quarantined"] == 1


def _in_capped_child(code: str, memory: int = 3_000_000_000) -> dict:
    """Run ``code`` (printing one JSON line) in a child whose address space is capped, so a
    regression that would allocate gigabytes fails this test instead of killing pytest."""
    program = (
        f"import json, resource, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
        f"sys.path.insert(0, {str(DATA)!r})\n" + textwrap.dedent(code)
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("name", "cell"),
    [("stray_cell_xfd5000", "XFD5000"), ("stray_cell_xfd1048576", "XFD1048576")],
)
def test_a_far_stray_cell_costs_nothing(name, cell):
    answer = _in_capped_child(
        f"""
        import time, resource
        from analysis import config
        from analysis.ingest.validate import validate
        started = time.process_time()
        r = validate({str(FORMS / name)!r})
        seconds = time.process_time() - started
        s = validate(config.RAW_DIR)
        pick = lambda v: sorted(map(tuple, v[v["source"].str.startswith("{WORKBOOK}")][["village_code", "year", "indicator", "value"]].astype(str).values.tolist()))
        problems = r.problems[(r.problems["file"] != "villages.csv") & (r.problems["severity"] != "review")]
        print(json.dumps({{
            "same": pick(r.values) == pick(s.values),
            "problems": problems[["rule", "sheet", "value"]].values.tolist(),
            "ok": bool(r.summary["accounting_ok"]),
            "seconds": seconds,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }}))
        """
    )
    assert answer["same"] and answer["ok"]
    assert answer["problems"] == [["stray_blank_cells", "社会保障", cell]]
    assert answer["seconds"] < 30 and answer["peak_mb"] < 1000


def test_a_marked_copy_of_a_workbook_with_a_far_stray_cell_stays_small(tmp_path):
    answer = _in_capped_child(
        f"""
        import resource
        from analysis.ingest.mark import mark
        result = mark({str(FORMS / "stray_cell_xfd1048576")!r}, {str(tmp_path)!r})
        print(json.dumps({{
            "copies": sorted(result.copies),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }}))
        """
    )
    assert answer["copies"] == [WORKBOOK] and answer["peak_mb"] < 1000


def test_a_workbook_of_millions_of_blank_rows_is_refused_without_reading_it(tmp_path):
    assert CASES["oversize"]["expect"][0]["rule"] == "sheet_too_large"
    answer = _in_capped_child(
        f"""
        import resource
        from pathlib import Path
        import make_forms
        from analysis.ingest.validate import validate
        folder = Path({str(tmp_path)!r})
        (folder / "villages.csv").write_bytes(Path({str(config.RAW_DIR / "villages.csv")!r}).read_bytes())
        make_forms.make_oversize(folder / "oversize.xlsx")
        r = validate(folder)
        p = r.problems[r.problems["file"] != "villages.csv"]
        print(json.dumps({{
            "problems": p[["rule", "file", "sheet"]].values.tolist(),
            "message": p["message_zh"].tolist(),
            "values": len(r.values),
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }}))
        """
    )
    assert answer["problems"] == [["sheet_too_large", "oversize.xlsx", "社会保障"]]
    assert "超过可读取的上限（100.0 MB）" in answer["message"][0]
    assert answer["values"] == 0 and answer["peak_mb"] < 1500


def test_a_file_over_the_byte_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(read, "MAX_FILE_BYTES", 50_000)
    (tmp_path / "villages.csv").write_bytes((config.RAW_DIR / "villages.csv").read_bytes())
    make_forms.make_over_bytes(tmp_path / "over_bytes.csv", 50_000)
    result = validate(tmp_path)
    assert _problems(result) == [("file_too_large", "error", "over_bytes.csv", "", 0, "")]
    assert "超过可读取的上限 50,000 B" in result.problems["message_zh"].iloc[0]


def test_an_empty_workbook_is_a_problem_naming_it():
    result = validate(FORMS / "empty_workbook")
    _balanced(result)
    assert _problems(result) == [("empty_file", "error", WORKBOOK, "", 0, "")]
    assert not result.ok


# --- the registry beside a single file ----------------------------------------------------------


def test_a_single_file_is_matched_against_its_own_folders_registry():
    result = validate(FORMS / "own_registry" / "小江镇户数人口_2019.xlsx")
    entries = _balanced(result)
    truth = CASES["own_registry"]["truth"]
    assert _problems(result) == []
    assert result.registry.town_names == {truth["town"]}
    assert entries[("小江镇户数人口_2019.xlsx", "户数人口")]["rows_accepted"] == truth["villages"]
    # 老圩村 is 小江镇's, never 大桥镇's 老圩居委会 (360722103003).
    codes = set(result.values["village_code"])
    assert truth["laowei_code"] in codes and "360722103003" not in codes
    sums = _sums(result)
    assert (sums["households"], sums["population"]) == (truth["households"], truth["population"])


def test_a_single_file_without_a_registry_beside_it_is_refused(tmp_path):
    lone = tmp_path / "小江镇户数人口_2019.xlsx"
    lone.write_bytes((FORMS / "own_registry" / lone.name).read_bytes())
    with pytest.raises(MissingFileError, match=r"villages\.csv"):
        validate(lone)


# --- the accounting can fail ---------------------------------------------------------------------


def test_a_parser_that_loses_a_line_fails_the_accounting(monkeypatch):
    """The rows of a CSV are counted by the strict pass, not by the parser: if the parser
    swallowed a line, the sheet's rows no longer add up to the count, and it says so."""
    parse = read._parse_lines

    def swallowing(text, delimiter):
        rows = parse(text, delimiter)
        return rows[:-2] + rows[-1:]

    monkeypatch.setattr(read, "_parse_lines", swallowing)
    result = validate(DATA / "tricky" / "gbk.csv", registry=DATA / "villages.csv")
    assert not result.summary["accounting_ok"] and not result.ok
    entry = result.summary["files"][0]
    assert (entry["rows_counted"], entry["rows_read"], entry["check"]) == (4, 3, False)
    assert _problems(result) == [("row_count_mismatch", "error", "gbk.csv", "", 0, "")]


def test_the_count_of_a_swallowing_file_is_not_the_parsers(tmp_path):
    """The unclosed quote: a parse alone sees 48 records; the count sees 55 lines."""
    data = (FORMS / "unclosed_quote" / POPULATION).read_bytes()
    parsed = read._parse_lines(data.decode("gbk"), ",")
    assert (
        sum(1 for row in parsed if row)
        == CASES["unclosed_quote"]["truth"]["csv_records_if_swallowed"]
    )
    sheet = read.read_csv_sheet(FORMS / "unclosed_quote" / POPULATION)
    assert sheet.rows_counted == len(sheet.cells) == 55
    assert pd.Series([f.rule for f in sheet.findings]).tolist() == ["unclosed_quote"]


# --- issue 27: the county-form leftovers ---------------------------------------------------------

COUNTY_XLSX = f"{COUNTY}.xlsx"
DAQIAO_LAOWEI, XIAOJIANG_LAOWEI = "360722103003", "360722106213"


def _county_values(sample) -> set[tuple[str, int, str, float]]:
    return {item for item in _from(sample, WORKBOOK) if item[2] in COUNTY_INDICATORS}


def test_formulas_saved_without_values_are_computed(sample):
    """openpyxl saves no results: each rate is =ROUND(839/1000*100,1), each 合计 count a SUM.
    Before, all 18 rates were read as blanks and nothing was said."""
    result = validate(FORMS / "formula_without_value")
    _balanced(result)
    assert _from(result, COUNTY) == _county_values(sample)
    # The 合计 row's SUMs were computed and checked: no totals_mismatch.
    assert _problems(result) == [("formula_computed", "warning", COUNTY_XLSX, "统计表", 5, "G")]
    message = result.problems["message_zh"].iloc[0]
    assert "21 个公式单元格" in message and "=ROUND(839/1000*100,1)" in message


def test_a_formula_that_is_not_arithmetic_is_refused_by_its_cell(sample):
    result = validate(FORMS / "formula_refused")
    entries = _balanced(result)
    laowei = CASES["formula_refused"]["expect"][0]["row"]
    assert _problems(result) == [
        ("formula_computed", "warning", COUNTY_XLSX, "统计表", 5, "G"),
        ("formula_without_value", "error", COUNTY_XLSX, "统计表", laowei, "E"),
        ("formula_without_value", "error", COUNTY_XLSX, "统计表", 14, "E"),
    ]
    refused = result.problems[result.problems["rule"] == "formula_without_value"]
    assert all("Excel 或 WPS" in m for m in refused["message_zh"])
    assert "IF" in refused["message_zh"].iloc[0]
    assert f"E{laowei}" in refused["message_zh"].iloc[1]  # the SUM refers to the refused cell
    # Never a silent blank: the one cell missing is the refused one, its row partial.
    missing = _county_values(sample) - _from(result, COUNTY)
    assert {(code, ind) for code, _, ind, _ in missing} == {
        (DAQIAO_LAOWEI, "poor_people_remaining")
    }
    assert len(result.values) == CASES["formula_refused"]["truth"]["values"] == 44
    assert entries[(COUNTY_XLSX, "统计表")]["rows_accepted_partial"] == 1


def test_a_totals_row_under_the_town_column_is_checked(sample):
    """合计 typed under 乡镇 was a village with an empty name (two errors, the build refused);
    it is a totals row, and its 8 against the villages' 7 is named."""
    result = validate(FORMS / "totals_in_town_column")
    entries = _balanced(result)
    assert _from(result, COUNTY) == _county_values(sample)
    assert _problems(result) == [("totals_mismatch", "warning", COUNTY_XLSX, "统计表", 14, "E")]
    assert "为 8，各村合计为 7" in result.problems["message_zh"].iloc[0]
    reasons = {s["row"]: s["reason"] for s in entries[(COUNTY_XLSX, "统计表")]["structural"]}
    assert reasons[14] == "totals"


def test_a_towns_subtotal_is_checked_against_that_towns_villages():
    case = CASES["county_subtotals"]
    result = validate(FORMS / "county_subtotals")
    entries = _balanced(result)
    truth, (expect,) = case["truth"], case["expect"]
    assert len(result.values) == truth["values"] == 56
    assert _sums(result)["households"] == truth["households"]
    # Only 小江镇's 小计 disagrees; 大桥镇's and the 合计 agree with their own villages.
    assert _problems(result) == [
        ("totals_mismatch", "warning", expect["file"], "户数人口", expect["row"], "E")
    ]
    assert (
        f"小江镇各村合计为 {truth['xiaojiang_households']}" in result.problems["message_zh"].iloc[0]
    )
    # The merged 乡镇 cell gives each row its town: 老圩 is 大桥镇's 老圩居委会.
    assert DAQIAO_LAOWEI in set(result.values["village_code"])
    entry = entries[(expect["file"], "户数人口")]
    assert [s["row"] for s in entry["structural"] if s["reason"] == "totals"] == [12, 32, 33]


def test_sheets_named_after_towns_give_their_rows_the_town():
    result = validate(FORMS / "town_sheets")
    _balanced(result)
    assert _problems(result) == []
    assert len(result.values) == CASES["town_sheets"]["truth"]["values"] == 56
    laowei = result.values[result.values["village_code"].isin([DAQIAO_LAOWEI, XIAOJIANG_LAOWEI])]
    sheets = laowei["source"].str.split("#").str[1]
    assert set(zip(laowei["village_code"], sheets, strict=True)) == {
        (DAQIAO_LAOWEI, "大桥镇"),
        (XIAOJIANG_LAOWEI, "小江"),
    }


def test_a_sheet_named_after_a_town_is_no_key_without_its_name(tmp_path):
    """The same file with its sheets named otherwise: 老圩 is ambiguous again, as before."""
    from openpyxl import load_workbook

    wb = load_workbook(FORMS / "town_sheets" / "各乡镇户数人口_2019.xlsx")
    wb["大桥镇"].title, wb["小江"].title = "表一", "表二"
    wb.save(tmp_path / "各乡镇户数人口_2019.xlsx")
    (tmp_path / "villages.csv").write_bytes((FORMS / "town_sheets" / "villages.csv").read_bytes())
    rules = set(validate(tmp_path).problems["rule"])
    assert "ambiguous_village" in rules


def test_hidden_rows_and_columns_are_read_and_named(sample):
    case = CASES["hidden_rows"]
    result = validate(FORMS / "hidden_rows")
    _balanced(result)
    assert _from(result, WORKBOOK) == _from(sample, WORKBOOK)
    row = case["expect"][0]["row"]
    assert _problems(result) == [
        ("hidden_column", "warning", WORKBOOK, "社会保障", 0, "E"),
        ("hidden_row", "warning", WORKBOOK, "社会保障", row, ""),
    ]
    assert "八角村" in result.problems["message_zh"].iloc[1]


def test_hidden_rows_and_columns_of_an_ods_are_named(sample):
    case = CASES["hidden_rows_ods"]
    result = validate(FORMS / "hidden_rows_ods")
    _balanced(result)
    assert _from(result, COUNTY) == _county_values(sample)
    ods = f"{COUNTY}.ods"
    assert _problems(result) == [
        ("hidden_column", "warning", ods, "统计表", 0, "H"),
        ("hidden_row", "warning", ods, "统计表", case["expect"][0]["row"], ""),
    ]


def test_a_file_or_sheet_that_gives_no_data_is_named(sample):
    result = validate(FORMS / "no_data")
    entries = _balanced(result)
    assert _from(result, COUNTY) == _county_values(sample)
    assert _problems(result) == [
        ("no_data", "warning", "户数人口_冒号分隔.csv", "", 0, ""),
        ("no_data", "warning", COUNTY_XLSX, "Sheet2", 0, ""),
    ]
    assert "村（居）名称:年度" in result.problems["message_zh"].iloc[0]
    assert entries[("户数人口_冒号分隔.csv", "")]["rows_structural"] == 10


def test_a_link_out_of_the_raw_folder_is_refused_by_name(tmp_path):
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text("村（居）名称,年度,户数（户）\n青光村,2019,614\n", encoding="utf-8")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "villages.csv").write_bytes((FORMS / "county_form" / "villages.csv").read_bytes())
    link = make_forms.make_outside_link(raw, secret)
    assert [e["file"] for e in CASES["link_outside"]["expect"]] == [link.name]
    (raw / "folder").symlink_to(secret.parent, target_is_directory=True)
    result = validate(raw)
    assert _problems(result) == [
        ("link_outside_folder", "error", "folder", "", 0, ""),
        ("link_outside_folder", "error", "passwd.csv", "", 0, ""),
    ]
    assert len(result.values) == 0 and not result.ok
    assert all(str(secret.parent) in m for m in result.problems["message_zh"])
    # A link that stays inside the folder is read as its file.
    (raw / "passwd.csv").unlink()
    (raw / "folder").unlink()
    (raw / "inside.csv").symlink_to(raw / "villages.csv")
    assert "link_outside_folder" not in set(validate(raw).problems["rule"])
