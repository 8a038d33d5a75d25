"""Every malformed input in tests/data/bad is reported with the exact rule and place, and no row
is lost: each file's rows read equal rows accepted + quarantined + structural."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyogrio
import pytest
from openpyxl import load_workbook

from analysis import cli, config
from analysis.ingest.read import detect_encoding
from analysis.ingest.validate import load_registry, validate

DATA = Path(__file__).parents[1] / "data"
BAD = DATA / "bad"
REGISTRY = DATA / "villages.csv"

# input → the problems it must produce: (rule, severity, file, sheet, row, column).
# File-level problems have row 0 and no column; a header problem is on the header row.
EXPECTED = {
    "empty.csv": [("empty_file", "error", "empty.csv", "", 0, "")],
    "truncated.xlsx": [("unreadable_file", "error", "truncated.xlsx", "", 0, "")],
    "renamed_text.xlsx": [("unreadable_file", "error", "renamed_text.xlsx", "", 0, "")],
    "undecodable.csv": [("unknown_encoding", "error", "undecodable.csv", "", 0, "")],
    "broken_quote.csv": [("unclosed_quote", "error", "broken_quote.csv", "", 2, "A")],
    "no_header.csv": [("no_header", "error", "no_header.csv", "", 0, "")],
    "missing_year_column.csv": [
        ("missing_key_column", "error", "missing_year_column.csv", "", 1, "")
    ],
    "missing_village_column.xlsx": [
        ("missing_key_column", "error", "missing_village_column.xlsx", "数据", 1, "")
    ],
    "unknown_column.csv": [("unknown_column", "error", "unknown_column.csv", "", 1, "F")],
    "unit_mismatch.csv": [("unit_mismatch", "error", "unit_mismatch.csv", "", 1, "C")],
    "unknown_village.csv": [("unknown_village", "error", "unknown_village.csv", "", 3, "A")],
    "merged_village.xlsx": [
        ("missing_key", "error", "merged_village.xlsx", "数据", 3, "A"),
        ("missing_key", "error", "merged_village.xlsx", "数据", 4, "A"),
    ],
    "blank_year.csv": [("missing_key", "error", "blank_year.csv", "", 4, "B")],
    "bad_year.csv": [("bad_year", "error", "bad_year.csv", "", 2, "B")],
    "year_out_of_range.csv": [("year_out_of_range", "error", "year_out_of_range.csv", "", 3, "B")],
    "negative_count.csv": [("negative_value", "error", "negative_count.csv", "", 2, "C")],
    "rate_130.csv": [("out_of_bounds", "error", "rate_130.csv", "", 4, "E")],
    "text_in_number.xlsx": [("not_a_number", "error", "text_in_number.xlsx", "社会保障", 3, "D")],
    "fractional_count.csv": [("not_integer", "error", "fractional_count.csv", "", 3, "C")],
    "unknown_cell_unit.csv": [("unknown_unit", "error", "unknown_cell_unit.csv", "", 3, "C")],
    "duplicate_conflict.csv": [
        ("duplicate_conflict", "error", "duplicate_conflict.csv", "", 2, "D"),
        ("duplicate_conflict", "error", "duplicate_conflict.csv", "", 5, "D"),
        ("duplicate_identical", "warning", "duplicate_conflict.csv", "", 5, "C"),
        ("duplicate_identical", "warning", "duplicate_conflict.csv", "", 5, "E"),
    ],
    "duplicate_identical.csv": [
        ("duplicate_identical", "warning", "duplicate_identical.csv", "", 5, "C"),
        ("duplicate_identical", "warning", "duplicate_identical.csv", "", 5, "D"),
        ("duplicate_identical", "warning", "duplicate_identical.csv", "", 5, "E"),
    ],
    "duplicate_column.csv": [
        ("duplicate_conflict", "error", "duplicate_column.csv", "", 3, "C"),
        ("duplicate_conflict", "error", "duplicate_column.csv", "", 3, "D"),
        ("duplicate_identical", "warning", "duplicate_column.csv", "", 2, "D"),
    ],
    "totals_mismatch.xlsx": [
        ("totals_mismatch", "warning", "totals_mismatch.xlsx", "基本情况", 6, "C")
    ],
    "cross_rule.csv": [
        ("welfare_jobs_cover_cleaners_rangers", "error", "cross_rule.csv", "", 2, col)
        for col in "CDE"
    ],
    "poverty_exit.csv": [
        ("poverty_exit_exceeds_remaining", "error", "poverty_exit.csv", "", 2, "C"),
        ("poverty_exit_exceeds_remaining", "error", "poverty_exit.csv", "", 3, "D"),
    ],
    "rate_fraction.xlsx": [
        ("rate_as_fraction", "warning", "rate_fraction.xlsx", "社会保障", 5, "E")
    ],
    "sheet_without_header.xlsx": [
        ("no_header", "error", "sheet_without_header.xlsx", "草稿", 0, "")
    ],
    "bowtie.geojson": [("geometry_repaired", "warning", "bowtie.geojson", "", 1, "")],
    "hole_outside.geojson": [("geometry_invalid", "error", "hole_outside.geojson", "", 1, "")],
    "null_geometry.geojson": [("geometry_missing", "error", "null_geometry.geojson", "", 1, "")],
    "boundary_unknown_code.geojson": [
        ("unknown_village", "error", "boundary_unknown_code.geojson", "", 2, "code")
    ],
    "no_crs.shp": [("unknown_crs", "error", "no_crs.shp", "", 0, "")],
    "points_unknown_system.csv": [
        ("unknown_coord_sys", "error", "points_unknown_system.csv", "", 3, "F")
    ],
    "points_bad_lon.csv": [("not_a_number", "error", "points_bad_lon.csv", "", 2, "D")],
    "points_no_coord_sys.csv": [
        ("missing_key_column", "error", "points_no_coord_sys.csv", "", 1, "")
    ],
    "points_unknown_village.csv": [
        ("unknown_village", "error", "points_unknown_village.csv", "", 2, "B")
    ],
    "notes.docx": [("unknown_file", "warning", "notes.docx", "", 0, "")],
    "targets_folder": [
        ("unknown_indicator", "error", "targets_2020.csv", "", 3, "B"),
        ("unknown_village", "error", "targets_2020.csv", "", 4, "A"),
        ("not_a_number", "error", "targets_2020.csv", "", 5, "D"),
    ],
    "projects_folder": [
        ("unknown_village", "error", "扶贫项目库_2019.xlsx", "项目库", 3, "D"),
        ("not_a_number", "error", "扶贫项目库_2019.xlsx", "项目库", 4, "E"),
        ("not_yes_no", "error", "扶贫项目库_2019.xlsx", "项目库", 4, "G"),
    ],
    "cross_files_folder": [
        ("poor_people_within_population", "error", "户数人口.csv", "", 2, "D"),
        ("poor_people_within_population", "error", "脱贫攻坚.xlsx", "脱贫攻坚", 2, "D"),
    ],
    "registry_folder": [
        ("bad_code", "error", "villages.csv", "", 3, "A"),
        ("duplicate_code", "error", "villages.csv", "", 4, "A"),
    ],
}

#: Rows each input holds (counted independently of the code under test, see _physical_rows),
#: for inputs that cannot be opened at all: nothing can be read, and nothing is claimed.
UNREADABLE = {
    "empty.csv",
    "truncated.xlsx",
    "renamed_text.xlsx",
    "undecodable.csv",
}


def test_there_are_at_least_30_malformed_inputs():
    assert len(EXPECTED) >= 30
    on_disk = {p.name for p in BAD.iterdir() if p.suffix not in {".dbf", ".shx", ".cpg"}}
    assert on_disk == set(EXPECTED)


def _physical_rows(path: Path) -> dict[tuple[str, str], int]:
    """Rows per (file, sheet) as Excel / a CSV reader / GDAL count them."""
    base = path if path.is_dir() else path.parent
    files = sorted(path.iterdir()) if path.is_dir() else [path]
    counts = {}
    for file in files:
        name = file.relative_to(base).as_posix()
        if file.suffix == ".xlsx":
            wb = load_workbook(file)
            for ws in wb.worksheets:
                counts[(name, ws.title)] = ws.max_row
        elif file.suffix == ".csv":
            data = file.read_bytes()
            text = data.decode(detect_encoding(data))
            counts[(name, "")] = len(list(csv.reader(io.StringIO(text))))
        elif file.suffix in {".geojson", ".shp"}:
            counts[(name, "")] = int(pyogrio.read_info(file)["features"])
    return counts


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_input_is_reported_exactly_and_nothing_is_lost(name):
    path = BAD / name
    registry = None if name == "registry_folder" else REGISTRY
    result = validate(path, registry=registry)
    problems = result.problems
    if name != "registry_folder":
        problems = problems[problems["file"] != "villages.csv"]
    # Each file holds a few of the town's villages: 乡不漏村 has tests of its own.
    problems = problems[problems["rule"] != "village_missing"]
    found = sorted(
        zip(
            problems["rule"],
            problems["severity"],
            problems["file"],
            problems["sheet"],
            problems["row"],
            problems["column"],
            strict=True,
        )
    )
    assert found == sorted(EXPECTED[name])
    # Messages name the place in Chinese and English.
    for item in problems.itertuples():
        assert item.file in item.message_zh and item.file in item.message_en
        if item.row:
            assert f"第 {item.row} 行" in item.message_zh
        if item.column:
            assert f"{item.column} 列" in item.message_zh
    # Accounting: per file and sheet, read = accepted + quarantined + structural ...
    assert result.summary["accounting_ok"]
    entries = {(e["file"], e["sheet"]): e for e in result.summary["files"]}
    for entry in entries.values():
        assert entry["check"]
        assert (
            entry["rows_accepted"] == entry["rows_accepted_full"] + entry["rows_accepted_partial"]
        )
        assert entry["rows_structural"] == len(entry["structural"])
        if "cells_read" in entry:
            assert entry["cells_read"] == (
                entry["cells_accepted"] + entry["cells_quarantined"] + entry["cells_duplicate"]
            )
    # ... and read is every row the file has (unless it could not be opened at all).
    if name not in UNREADABLE:
        for key, rows in _physical_rows(path).items():
            assert entries[key]["rows_read"] == rows, key
    errors = any(severity == "error" for _, severity, *_ in EXPECTED[name])
    assert result.ok is not errors


def test_partial_rows_keep_their_good_cells():
    """A bad cell quarantines that cell; the rest of the row goes in."""
    result = validate(BAD / "rate_130.csv", registry=REGISTRY)
    entry = result.summary["files"][0]
    assert (entry["rows_accepted_full"], entry["rows_accepted_partial"]) == (2, 1)
    new_xu = result.values[result.values["village_code"] == "360722103002"]
    assert set(new_xu["indicator"]) == {"households", "population"}
    assert entry["cells_quarantined"] == 1


def test_conflicting_duplicates_are_quarantined_together():
    result = validate(BAD / "duplicate_conflict.csv", registry=REGISTRY)
    qingguang = result.values[result.values["village_code"] == "360722103203"]
    assert "population" not in set(qingguang["indicator"])
    assert qingguang.set_index("indicator").loc["households", "row"] == 2  # kept once, first
    message = result.problems.query("rule == 'duplicate_conflict' and row == 2")["message_zh"].iloc[
        0
    ]
    assert "第5行D列" in message and "2950" in message


def test_unknown_village_message_suggests_the_closest_name():
    result = validate(BAD / "unknown_village.csv", registry=REGISTRY)
    message = result.problems["message_zh"].iloc[0]
    assert "清光村" in message and "是否指：青光村" in message


def test_unknown_column_message_suggests_catalog_names():
    result = validate(BAD / "unknown_column.csv", registry=REGISTRY)
    assert "医疗保险参保率(%)" in result.problems["message_zh"].iloc[0]
    assert result.summary["files"][0]["cells_unmapped"] == 3


def test_rate_fractions_are_read_as_percent():
    result = validate(BAD / "rate_fraction.xlsx", registry=REGISTRY)
    rates = result.values.query("indicator == 'medical_insurance_rate'")["value"]
    assert sorted(rates.round(6)) == [85.2, 86.0, 87.4]


def test_totals_row_is_not_a_village():
    result = validate(BAD / "totals_mismatch.xlsx", registry=REGISTRY)
    assert len(result.values["village_code"].unique()) == 3
    structural = result.summary["files"][0]["structural"]
    assert {"row": 6, "reason": "totals"} in structural


def test_sample_validates_clean():
    result = validate(config.RAW_DIR)
    assert result.problems.empty, result.problems[["rule", "message_en"]].to_string()
    assert result.ok
    totals = result.summary["totals"]
    assert totals["rows_read"] == totals["rows_accepted"] + totals["rows_structural"]
    assert totals["rows_quarantined"] == 0


def test_registry_rows_are_accounted():
    from analysis.ingest.ledger import Ledger

    ledger = Ledger()
    registry = load_registry(BAD / "registry_folder" / "villages.csv", ledger)
    assert list(registry.table["code"]) == ["360722103203"]
    rows = ledger.rows[("villages.csv", "")]
    assert rows["status"].tolist() == ["structural", "accepted", "quarantined", "quarantined"]


def test_cli_validate_exit_codes_and_json(capsys):
    assert (
        cli.main(["validate", str(DATA / "tricky" / "gbk.csv"), "--registry", str(REGISTRY)]) == 0
    )
    capsys.readouterr()
    code = cli.main(["validate", str(BAD / "rate_130.csv"), "--registry", str(REGISTRY), "--json"])
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    rules = [p["rule"] for p in report["problems"]]
    # The error first; then 乡不漏村 names the town's villages the file does not report.
    assert rules[0] == "out_of_bounds" and set(rules[1:]) == {"village_missing"}
    assert report["summary"]["ok"] is False
