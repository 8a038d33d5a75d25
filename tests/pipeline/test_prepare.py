"""Processed tables: determinism, township aggregation, reconciliation, the workbook, the template."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import cli, config
from analysis.core.aggregate import aggregate_township
from analysis.core.catalog import default_catalog
from analysis.ingest.validate import validate
from analysis.pipeline.prepare import prepare, reconcile
from analysis.tools.template import DATA_SHEET, write_template

DATA = Path(__file__).parents[1] / "data"
REGISTRY = DATA / "villages.csv"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """The sample prepared twice, into two folders."""
    first = tmp_path_factory.mktemp("processed_a")
    second = tmp_path_factory.mktemp("processed_b")
    return prepare(config.RAW_DIR, first), prepare(config.RAW_DIR, second), first, second


def test_prepare_is_deterministic_byte_for_byte(prepared):
    result, _, first, second = prepared
    assert result.ok
    files_a = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_a == files_b
    for name in files_a:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    expected = {
        "indicators.parquet",
        "villages.parquet",
        "villages.gpkg",
        "township.parquet",
        "targets.parquet",
        "projects.parquet",
        "reconciliation.csv",
        "quarantine.csv",
        "summary.json",
        "livelihood.xlsx",
        "projections.parquet",
        "aggregates.parquet",
        "_fingerprint.json",
        "layers/g357.gpkg",
        "layers/industry_bases.gpkg",
        "layers/sanitation_points.gpkg",
    }
    assert {p.as_posix() for p in files_a} == expected
    assert not [p for p in first.rglob(".*tmp*")]


def test_processed_tables_have_the_documented_schema(prepared):
    _, _, out, _ = prepared
    indicators = pd.read_parquet(out / "indicators.parquet")
    assert list(indicators.columns) == [
        "village_code",
        "year",
        "indicator",
        "value",
        "source",
        "row",
    ]
    assert str(indicators["year"].dtype) == "int64" and str(indicators["row"].dtype) == "int64"
    assert indicators["village_code"].str.fullmatch(r"\d{12}").all()
    assert set(indicators["indicator"]) <= set(default_catalog().ids)
    assert {"households", "population"} <= set(indicators["indicator"])
    assert not indicators.duplicated(["village_code", "year", "indicator"]).any()
    assert len(indicators) == 9 * 6 * len(default_catalog())
    households = indicators.query("indicator == 'households'")["source"].unique()
    assert list(households) == ["户数人口_2014-2019.csv"]
    assert indicators["source"].str.contains("#").sum() > 0  # workbook values say file#sheet

    villages = pd.read_parquet(out / "villages.parquet")
    assert list(villages.columns) == [
        "code",
        "name",
        "short_name",
        "kind",
        "town_code",
        "town_name",
    ]
    gpkg = gpd.read_file(out / "villages.gpkg", layer="villages")
    assert gpkg.crs.to_epsg() == 4490 and len(gpkg) == 9
    points = gpd.read_file(out / "layers" / "sanitation_points.gpkg")
    assert points.crs.to_epsg() == 4490 and len(points) > 0

    targets = pd.read_parquet(out / "targets.parquet")
    assert list(targets.columns) == [
        "scope",
        "scope_name",
        "indicator",
        "target_year",
        "target_value",
        "unit",
        "source",
    ]
    orange = targets.query("indicator == 'navel_orange_area_mu'").iloc[0]
    assert orange["scope"] == "360722103203;360722103200"
    assert set(targets["scope"]) - {"township"} == {"360722103203;360722103200"}

    projects = pd.read_parquet(out / "projects.parquet")
    assert len(projects) == 21 and projects["started"].all() and projects["completed"].sum() == 20
    assert round(projects["amount_wan"].sum(), 1) == round(120 + 21.5 + 189 + 156.1 + 52, 1)

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["ok"] and summary["accounting_ok"] and "definition" in summary
    quarantine = (out / "quarantine.csv").read_bytes()
    assert quarantine.startswith(b"\xef\xbb\xbffile,sheet,row,column,value,rule")


def test_reconciliation_shows_the_documents_own_differences(prepared):
    _, _, out, _ = prepared
    table = pd.read_csv(out / "reconciliation.csv", dtype={"scope_code": str})
    differs = table[table["status"] == "differs"]
    assert sorted(differs["fact_id"]) == ["F08", "F09"]
    f09 = differs.set_index("fact_id").loc["F09"]
    assert (f09["published"], f09["computed"]) == (197, 194)
    f08 = differs.set_index("fact_id").loc["F08"]
    assert (f08["published"], round(f08["computed"], 2)) == (118, 118.35)
    township = table[table["scope_code"] == "township"]
    assert len(township) >= 15 and (township["status"] == "match").all()
    # A two-valued fact becomes two rows: F34 "19;118.35" "栋;亩".
    f34 = table[table["fact_id"] == "F34"].set_index("indicator")["published"]
    assert f34.to_dict() == {"vegetable_greenhouses": 19, "vegetable_greenhouse_area_mu": 118.35}
    assert "no data" not in set(table["status"])


def test_published_precision():
    """'86' matches 85.5 ≤ x < 86.5; '335.26' needs 335.255 ≤ x < 335.265."""
    published = pd.DataFrame(
        {
            "fact_id": ["A", "B"],
            "scope": ["township"] * 2,
            "scope_code": ["township"] * 2,
            "year": ["2019"] * 2,
            "kind": ["actual"] * 2,
            "value": ["86", "335.26"],
            "unit": ["%", "万元"],
            "indicator_id": ["medical_insurance_rate", "medical_reimbursement_wan"],
            "quote": ["", ""],
        }
    )
    empty = pd.DataFrame(columns=["village_code", "year", "indicator", "value"])

    def status(rate: float, amount: float) -> list[str]:
        township = pd.DataFrame(
            {
                "year": [2019, 2019],
                "indicator": ["medical_insurance_rate", "medical_reimbursement_wan"],
                "value": [rate, amount],
            }
        )
        return list(reconcile(published, empty, township)["status"])

    assert status(85.5, 335.255) == ["match", "match"]
    assert status(86.49, 335.2649) == ["match", "match"]
    assert status(86.5, 335.265) == ["differs", "differs"]
    assert status(85.49, 335.2549) == ["differs", "differs"]


def test_township_rates_are_weighted():
    """Two villages: 90 % of 1000 people and 50 % of 100 people is 86.4 %, not 70 %."""
    indicators = pd.DataFrame(
        {
            "village_code": ["A", "A", "B", "B", "A", "B"],
            "year": [2019] * 6,
            "indicator": ["medical_insurance_rate", "population"] * 2
            + ["sanitary_toilet_rate"] * 2,
            "value": [90.0, 1000, 50.0, 100, 80.0, 40.0],
        }
    )
    indicators = pd.concat(
        [
            indicators,
            pd.DataFrame(
                {
                    "village_code": ["A", "B"],
                    "year": [2019, 2019],
                    "indicator": ["households", "households"],
                    "value": [100.0, 300.0],
                }
            ),
        ],
        ignore_index=True,
    )
    township = aggregate_township(indicators, default_catalog()).set_index("indicator")["value"]
    assert township["medical_insurance_rate"] == pytest.approx((90 * 1000 + 50 * 100) / 1100)
    assert township["medical_insurance_rate"] != pytest.approx(70.0)
    assert township["sanitary_toilet_rate"] == pytest.approx((80 * 100 + 40 * 300) / 400)
    assert township["population"] == 1100 and township["households"] == 400


def test_village_without_weight_is_left_out_of_the_mean():
    indicators = pd.DataFrame(
        {
            "village_code": ["A", "A", "B"],
            "year": [2019] * 3,
            "indicator": ["medical_insurance_rate", "population", "medical_insurance_rate"],
            "value": [90.0, 1000.0, 10.0],
        }
    )
    township = aggregate_township(indicators).set_index("indicator")
    assert township.loc["medical_insurance_rate", "value"] == 90.0
    assert township.loc["medical_insurance_rate", "villages"] == 1


def test_workbook_has_chinese_headers_and_frozen_rows(prepared):
    _, _, out, _ = prepared
    wb = load_workbook(out / "livelihood.xlsx", read_only=False)
    assert wb.sheetnames[:2] == ["村级指标", "全镇汇总"]
    header = [c.value for c in wb["村级指标"][1]]
    assert header[:3] == ["村代码", "村（居）名称", "年度"]
    assert "医疗保险参保率(%)" in header and "户数(户)" in header
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"
    assert wb["村级指标"].max_row == 1 + 9 * 6


def test_prepare_a_single_file(tmp_path):
    result = prepare(DATA / "tricky" / "gbk.csv", tmp_path, registry=REGISTRY)
    assert result.ok
    indicators = pd.read_parquet(tmp_path / "indicators.parquet")
    assert len(indicators) == 9  # three villages × households, population, insurance rate
    assert pd.read_parquet(tmp_path / "targets.parquet").empty
    assert not (tmp_path / "villages.gpkg").exists()


def test_template_round_trip(tmp_path):
    """The blank template, filled in as its instructions ask, validates clean."""
    catalog = default_catalog()
    template = tmp_path / "template.xlsx"
    assert cli.main(["template", str(template), "--registry", str(REGISTRY)]) == 0
    wb = load_workbook(template)
    assert wb.sheetnames == ["填表说明", DATA_SHEET, "村名列表"]
    ws = wb[DATA_SHEET]
    header = [c.value for c in ws[1]]
    assert header == ["村（居）名称", "年度", *[ind.label_zh for ind in catalog]]
    kinds = {dv.type for dv in ws.data_validations.dataValidation}
    assert kinds == {"list", "whole", "decimal"}
    village_list = next(dv for dv in ws.data_validations.dataValidation if dv.type == "list")
    assert village_list.formula1.startswith("'村名列表'!$A$2:$A$10")
    rate = next(
        dv
        for dv in ws.data_validations.dataValidation
        if dv.type == "decimal" and dv.operator == "between"
    )
    assert (rate.formula1, rate.formula2) == ("0", "100")

    names = ["青光村", "竹村村", "新圩", "莲花山社区"]
    for i, name in enumerate(names, start=2):
        ws.cell(i, 1, name)
        ws.cell(i, 2, 2019)
        for j, ind in enumerate(catalog, start=3):
            value = 80.5 if ind.kind == "rate" else 10 if ind.integer else 12.25
            if ind.id == "public_welfare_jobs":
                value = 30
            ws.cell(i, j, value)
    wb.save(tmp_path / "filled.xlsx")
    result = validate(tmp_path / "filled.xlsx", registry=REGISTRY)
    assert result.problems.empty, result.problems["message_en"].tolist()
    assert len(result.values) == len(names) * len(catalog)
    data = next(e for e in result.summary["files"] if e["sheet"] == DATA_SHEET)
    assert data["rows_accepted_full"] == len(names)


def test_template_prefilled_for_a_year_validates(tmp_path):
    path = write_template(tmp_path / "t.xlsx", registry=REGISTRY, year=2020)
    result = validate(path, registry=REGISTRY)
    assert result.ok and result.values.empty
    data = next(e for e in result.summary["files"] if e["sheet"] == DATA_SHEET)
    assert data["rows_accepted"] == 9


def test_cli_prepare(tmp_path, capsys):
    code = cli.main(
        ["prepare", str(DATA / "bad" / "rate_130.csv"), str(tmp_path), "--registry", str(REGISTRY)]
    )
    assert code == 1
    assert "rows read" in capsys.readouterr().out
    quarantine = pd.read_csv(tmp_path / "quarantine.csv", encoding="utf-8-sig")
    assert quarantine["rule"].tolist() == ["out_of_bounds"]
