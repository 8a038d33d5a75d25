"""Processed tables: determinism, township aggregation, reconciliation, the workbook, the template."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import cli, config
from analysis.core import trends
from analysis.core.aggregate import aggregate_area
from analysis.core.catalog import default_catalog
from analysis.ingest.validate import validate
from analysis.pipeline import store
from analysis.pipeline.prepare import prepare, reconcile
from analysis.pipeline.reconcile import REASONS, STATUSES, chinese_numerals, states_a_number
from analysis.tools import sample
from analysis.tools.template import DATA_SHEET, write_template

DATA = Path(__file__).parents[1] / "data"
REGISTRY = DATA / "villages.csv"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """The sample prepared twice, into two folders."""
    first = tmp_path_factory.mktemp("processed_a")
    second = tmp_path_factory.mktemp("processed_b")
    return prepare(config.RAW_DIR, first), prepare(config.RAW_DIR, second), first, second


def _tables(folder: Path) -> list[Path]:
    """Every file of a processed folder but the kept parts of its raw files (not tables)."""
    files = (p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
    return sorted(p for p in files if p.parts[0] != store.INGEST_CACHE_DIR)


def test_prepare_is_deterministic_byte_for_byte(prepared):
    result, _, first, second = prepared
    assert result.ok
    files_a, files_b = _tables(first), _tables(second)
    assert files_a == files_b
    for name in files_a:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    expected = {
        "indicators.parquet",
        "villages.parquet",
        "villages.gpkg",
        "area.parquet",
        "targets.parquet",
        "projects.parquet",
        "reconciliation.csv",
        "quarantine.csv",
        "summary.json",
        "livelihood.xlsx",
        "projections.parquet",
        "projection_paths.parquet",
        "aggregates.parquet",
        "review.parquet",
        "pending_review.parquet",
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
        "county_name",
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
    texts = {"scope_code": str, "published_text": str, "other_text": str}
    table = pd.read_csv(out / "reconciliation.csv", dtype=texts)
    differs = table[table["status"] == "differs"]
    assert sorted(differs["fact_id"]) == ["F09"]
    f09 = differs.set_index("fact_id").loc["F09"]
    assert (f09["published"], f09["computed"]) == (197, 194)
    # The document states the 青光村 base as 194 亩 elsewhere: the row says so.
    assert (f09["other_fact"], f09["other_text"]) == ("F35", "194")
    # 118 亩 is the document's own 118.35 亩 (F34) rounded: held to its own precision, ±0.5,
    # as 194 (F35) is, it matches; the finer statement is named.
    rows = table.set_index(["fact_id", "indicator"])
    f08 = rows.loc[("F08", "vegetable_greenhouse_area_mu")]
    assert (f08["published"], round(f08["computed"], 2), f08["status"]) == (118, 118.35, "rounding")
    assert (f08["other_fact"], f08["other_text"], f08["decimals"]) == ("F34", "118.35", 2)
    f35 = rows.loc[("F35", "vegetable_greenhouse_area_mu")]
    assert (f35["status"], f35["tolerance"], f08["tolerance"]) == ("match", 0.5, 0.5)
    checked = table[table["compared_with"].notna()]
    area = checked[checked["scope_code"] == "township"]
    assert len(area) >= 15 and (area["status"] == "match").all()
    # A two-valued fact becomes two rows: F34 "19;118.35" "栋;亩".
    f34 = table[table["fact_id"] == "F34"].set_index("indicator")["published"]
    assert f34.to_dict() == {"vegetable_greenhouses": 19, "vegetable_greenhouse_area_mu": 118.35}
    assert "no data" not in set(table["reason"].dropna())


def test_reconciliation_lists_every_published_figure(prepared):
    _, _, out, _ = prepared
    table = pd.read_csv(out / "reconciliation.csv", dtype=str, keep_default_na=False)
    published = pd.read_csv(config.RAW_DIR / config.PUBLISHED_FILE, dtype=str)
    assert list(table["fact_id"].unique()) == list(published["fact_id"]) and len(published) == 47
    assert set(table["status"]) <= set(STATUSES)
    unchecked = table[table["status"] == "not checked"]
    assert (unchecked["reason"] != "").all() and set(unchecked["reason"]) <= set(REASONS)
    assert (table.loc[table["status"] != "not checked", "reason"] == "").all()
    reason = table.groupby("fact_id")["reason"].first()
    # 全覆盖 (F02) and 没有发生一例 (F03) state no figure; no indicator holds F01, F26 …
    assert reason[["F02", "F03"]].tolist() == ["no number"] * 2
    no_indicator = ["F01", "F26", "F27", "F28", "F32"]
    no_indicator += ["F33", "F37", "F38", "F39", "F40", "F46", "F47"]
    assert set(reason[no_indicator]) == {"no indicator"}
    # Targets are held against the targets table; 7户9人脱贫任务 against what was left in 2019.
    compared = table.groupby("fact_id")["compared_with"].first()
    assert compared[["F42", "F43", "F44", "F45"]].tolist() == ["targets"] * 4
    assert compared["F41"] == "remaining"
    # The project figures (F15–F20) against the project list.
    assert set(compared[[f"F{i}" for i in range(15, 21)]]) == {"projects"}
    projects = table["fact_id"].isin([f"F{i}" for i in range(15, 21)])
    assert set(table.loc[projects, "status"]) == {"match"}  # and matched (issue 28)
    assert set(table.loc[table["fact_id"].isin(["F41", "F42", "F43", "F44", "F45"]), "status"]) == {
        "match"
    }
    # The document's own notes travel with the figure: 建设村 is read as 新塘村.
    assert "新塘村" in table.set_index("fact_id").loc["F08", "note"]


@pytest.mark.parametrize(
    ("quote", "text", "states"),
    [
        ("贫困患者住院治疗自费率控制在10%以内", "10", True),
        ("实现了“四道保障线”和家庭医生签约服务全覆盖", "100", False),
        ("全镇没有发生一例贫困学生因贫辍学失学情况", "0", False),
        ("打造青光、竹村三千亩高标准脐橙开发区", "3000", True),
        ("在八角村、竹村村打造了两个千亩脐橙带", "2", True),
        ("基本完成圩镇“十个一”项目建设", "10", True),
        ("报销资金335.26万元", "335.26", True),
        ("", "86", True),
    ],
)
def test_a_figure_is_stated_in_digits_or_words(quote, text, states):
    assert states_a_number(quote, text) is states


def test_chinese_numerals():
    assert chinese_numerals(3) == {"三"}
    assert chinese_numerals(2) == {"二", "两"}
    assert chinese_numerals(3000) == {"三千"}
    assert chinese_numerals(15) == {"一十五", "十五"}
    assert chinese_numerals(105) == {"一百零五"}
    assert chinese_numerals(1.5) == set()


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
        area = pd.DataFrame(
            {
                "year": [2019, 2019],
                "indicator": ["medical_insurance_rate", "medical_reimbursement_wan"],
                "value": [rate, amount],
            }
        )
        return list(reconcile(published, empty, area)["status"])

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
    area = aggregate_area(indicators, default_catalog()).set_index("indicator")["value"]
    assert area["medical_insurance_rate"] == pytest.approx((90 * 1000 + 50 * 100) / 1100)
    assert area["medical_insurance_rate"] != pytest.approx(70.0)
    assert area["sanitary_toilet_rate"] == pytest.approx((80 * 100 + 40 * 300) / 400)
    assert area["population"] == 1100 and area["households"] == 400


def test_village_without_weight_is_left_out_of_the_mean():
    indicators = pd.DataFrame(
        {
            "village_code": ["A", "A", "B"],
            "year": [2019] * 3,
            "indicator": ["medical_insurance_rate", "population", "medical_insurance_rate"],
            "value": [90.0, 1000.0, 10.0],
        }
    )
    area = aggregate_area(indicators).set_index("indicator")
    assert area.loc["medical_insurance_rate", "value"] == 90.0
    assert area.loc["medical_insurance_rate", "villages"] == 1


def test_workbook_has_chinese_headers_and_frozen_rows(prepared):
    _, _, out, _ = prepared
    wb = load_workbook(out / "livelihood.xlsx", read_only=False)
    assert wb.sheetnames[:3] == ["说明", "村级指标", "全镇汇总"]
    listed = [row[0] for row in wb["说明"].iter_rows(min_row=4, max_row=10, values_only=True)]
    assert listed == wb.sheetnames[1:]
    header = [c.value for c in wb["村级指标"][1]]
    assert header[:3] == ["村代码", "村（居）名称", "年度"]
    assert "医疗保险参保率(%)" in header and "户数(户)" in header
    for ws in wb.worksheets[1:]:
        # The village's code and name stay in view beside its figures.
        assert ws.freeze_panes == ("C2" if ws.title == "村级指标" else "A2")
        assert ws.print_title_rows == "$1:$1"
    assert wb["村级指标"].max_row == 1 + 9 * 6
    # Numbers carry the catalog's decimals; codes stay text.
    ws = wb["村级指标"]
    formats = {h: ws.cell(2, j).number_format for j, h in enumerate(header, start=1)}
    assert formats["户数(户)"] == "0" and formats["医疗保险参保率(%)"] == "0.0"
    assert isinstance(ws["A2"].value, str) and ws.column_dimensions["A"].width == 14


def test_the_totals_sheet_is_named_for_the_place_the_data_set_covers(tmp_path):
    """A county's totals are 全县汇总, not the whole-town sheet of a one-town data set (the
    sample's 全镇汇总 above), and hold the county's figures."""
    raw = sample.write_sample(tmp_path / "raw", sample.synthetic_villages(36))  # two towns
    prepare(raw, tmp_path / "processed")
    wb = load_workbook(tmp_path / "processed" / "livelihood.xlsx", read_only=True)
    assert wb.sheetnames[:3] == ["说明", "村级指标", "全县汇总"]
    county = pd.read_parquet(tmp_path / "processed" / "area.parquet")
    header, *body = wb["全县汇总"].iter_rows(values_only=True)
    column = header.index(default_catalog()["households"].label_zh)
    households = {row[0]: row[column] for row in body}
    expected = county[county["indicator"] == "households"].set_index("year")["value"]
    assert len(households) > 1 and households == pytest.approx(expected.to_dict())


def test_workbook_reconciliation_speaks_chinese(prepared):
    _, _, out, _ = prepared
    sheet = load_workbook(out / "livelihood.xlsx", read_only=True)["与公布数据核对"]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header, body = rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert {"编号", "范围", "核对", "说明", "原文"} <= set(header)
    assert {r["编号"] for r in body} == {f"F{i:02d}" for i in range(1, 48)}
    assert {r["核对"] for r in body} == {"一致", "一致（四舍五入）", "不一致", "未核对"}
    assert "township" not in {r["范围"] for r in body}
    f08 = next(r for r in body if r["编号"] == "F08")
    assert "新塘村" in f08["说明"] and "F34" in f08["说明"]


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
    assert wb.sheetnames == ["说明", "填表说明", DATA_SHEET, "村名列表"]
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
    # 乡不漏村: the town's other villages, not filled in, are each named as missing.
    registry = pd.read_csv(REGISTRY, dtype=str)
    assert set(result.problems["rule"]) == {"village_missing"}
    assert len(result.problems) == len(registry) - len(names)
    assert not set(result.problems["village"]) & {"青光", "竹村", "新圩", "莲花山"}
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
    rules = quarantine["rule"].tolist()
    # The error first; then 乡不漏村 names the town's villages the file does not report.
    assert rules[0] == "out_of_bounds" and set(rules[1:]) == {"village_missing"}


def test_no_running_total_is_projected_below_its_latest_value(prepared):
    _, _, out, _ = prepared
    projections = pd.read_parquet(out / "projections.parquet")
    catalog = default_catalog()
    grows = projections[projections["indicator"].map(lambda i: catalog[i].cumulative)]
    projected = grows[grows["ok"]]
    assert {"vegetable_greenhouse_area_mu", "navel_orange_area_mu", "hardened_road_km"} <= set(
        projected["indicator"]
    )
    assert (projected["last_year"] == 2019).all()
    for column in ("projected", "lower", "upper"):
        assert (projected[column] >= projected["last_value"]).all(), column
    area = projected.set_index(["scope", "indicator"]).loc[
        ("township", "vegetable_greenhouse_area_mu")
    ]
    assert area["last_value"] == pytest.approx(457.85) and area["projected"] > 457.85
    # Plans are counted, not extrapolated: 2 of 3 sewage sites built, none of 2020's 3 roads.
    plans = projections[(projections["row_type"] == "target") & (projections["tracking"] == "plan")]
    done = plans.set_index("indicator")[["done", "target"]]
    assert done.loc["sewage_sites"].tolist() == [2, 3]
    assert done.loc["road_hardening_works"].tolist() == [0, 3]
    assert plans["projected"].isna().all()


def test_projections_take_the_one_path_of_the_tests_and_charts(prepared):
    _, _, out, _ = prepared
    projections = pd.read_parquet(out / "projections.parquet")
    indicators = pd.read_parquet(out / "indicators.parquet")
    targets = pd.read_parquet(out / "targets.parquet")
    pd.testing.assert_frame_equal(projections, trends.assess_targets(indicators, targets))
    for row in projections[projections["row_type"] == "target"].itertuples():
        series = trends.scope_series(indicators, row.scope, row.indicator)
        assert (row.n_points, row.last_value) == (len(series), series.iloc[-1])
