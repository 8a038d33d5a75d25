"""Targets a county leader can act on (issue 13): one status per target, explained under every
target table, plans counted rather than extrapolated, the same figures on the page, in the text
and in Word, and every published figure reconciled."""

from __future__ import annotations

import json
import re
from html import unescape

import docx
import pandas as pd
import pytest

from analysis import config
from analysis.core import numbers, trends
from analysis.core.catalog import default_catalog
from analysis.core.labels import label
from analysis.pipeline.store import Tables, load_tables
from analysis.reporting import narrative, sections
from analysis.reporting.tables import (
    reconciliation_table,
    status_note,
    status_table,
    target_table,
)

YEAR = 2019
QINGGUANG = "360722103203"


@pytest.fixture(scope="module")
def tables(prepared_sample) -> Tables:
    return load_tables(prepared_sample, config.RAW_DIR)


@pytest.mark.parametrize("scope", ["township", QINGGUANG])
def test_every_target_table_on_a_page_has_the_note_that_states_the_rule(tables, scope, monkeypatch):
    shown = []
    monkeypatch.setattr(sections, "display", shown.append)
    sections.show_target_table(tables, scope)
    html = unescape("".join(item.data for item in shown))
    assert "<table" in html
    assert html.index(label("note.status")) > html.index("</table>")


def test_the_report_notebooks_show_target_tables_with_their_note():
    for name in ("10_township.ipynb", "20_village.ipynb"):
        cells = json.loads((config.NOTEBOOKS_DIR / name).read_text(encoding="utf-8"))["cells"]
        source = "".join("".join(c["source"]) for c in cells)
        assert "report.show_target_table(" in source and "report.target_table(" not in source


def test_the_word_target_table_is_the_pages_with_the_note(tables, tmp_path, page_tables):
    document = docx.Document(str(narrative.write_docx(tmp_path / "s.docx", YEAR, tables)))
    page = target_table(tables, "township")
    _, targets = page_tables(document)[1]
    # A bracketed year or share starts its own line in Word (（2019年） never broken).
    cells = [[c.text.replace("\n", "") for c in row.cells] for row in targets.rows]
    assert cells[0] == list(page.columns)
    assert cells[1:] == page.to_numpy().tolist()
    assert status_note(page) in [p.text for p in document.paragraphs]


def test_a_supporting_word_that_differs_from_the_status_is_marked_and_explained():
    # 10, 10, 10, 10, 20, 30 → 38: the drift from 30 falls short (需加速) while the average
    # growth since 2014 is 99 % of what was required (Eurostat 进展顺利).
    tidy = pd.DataFrame(
        {
            "village_code": QINGGUANG,
            "year": range(2014, 2020),
            "indicator": "workshop_employed",
            "value": [10.0, 10, 10, 10, 20, 30],
        }
    )
    targets = pd.DataFrame(
        {
            "scope": ["township"],
            "indicator": ["workshop_employed"],
            "target_year": [2020],
            "target_value": [38.0],
            "source": ["test"],
        }
    )
    rows = trends.assess_targets(tidy, targets)
    table = status_table(rows[rows["row_type"] == "target"])
    row = table.iloc[0]
    assert row["状态"] == "需加速"
    assert row["Eurostat"] == "0.99 进展顺利*" and not row["ESCAP"].endswith("*")
    assert label("note.contradicts") in status_note(table)


def test_the_note_explains_marks_only_where_there_are_marks(tables):
    table = target_table(tables, "township")
    projections = tables.projections[tables.projections["row_type"] == "target"]
    marked = table[["ESCAP", "Eurostat"]].apply(lambda c: c.str.endswith("*"))
    expected = pd.DataFrame(
        {
            column: [
                trends.contradicts(status, word)
                for status, word in zip(projections["status_en"], projections[key], strict=True)
            ]
            for column, key in (("ESCAP", "escap_category"), ("Eurostat", "eurostat_band"))
        }
    )
    pd.testing.assert_frame_equal(marked.reset_index(drop=True), expected)
    assert (label("note.contradicts") in status_note(table)) == bool(marked.any().any())


def test_plans_show_done_of_planned_not_a_projection(tables):
    table = target_table(tables, "township").set_index("指标")
    assert table.loc["公路硬化工程", "预测值"] == "2020年计划3条，已完成0条"
    assert table.loc["生活污水处理村点", "预测值"] == "2020年计划3个，已完成2个"
    assert (
        (table.loc[["公路硬化工程", "生活污水处理村点"], ["区间", "达成概率"]] == "—").all().all()
    )
    text = narrative.summary(YEAR, tables).to_text()
    assert "全镇公路硬化工程2020年计划3条，已完成0条，尚需3条，以往年均完成2.7条" in text
    assert "公路硬化工程预计" not in text and "生活污水处理村点预计" not in text


def test_projection_and_what_is_still_to_go_read_the_same_in_the_table_and_the_text(tables):
    catalog = default_catalog()
    text = narrative.summary(YEAR, tables).to_text()
    page = target_table(tables, "township")
    rows = tables.projections[
        (tables.projections["row_type"] == "target")
        & (tables.projections["tracking"] == "trend")
        & (tables.projections["target"] != 0)
    ]
    assert len(rows) >= 5
    for row in rows.itertuples():
        ind = catalog[row.indicator]
        cells = page[page["指标"].str.startswith(ind.zh)].iloc[0]
        projected = numbers.figure(row.projected, ind)
        remaining = numbers.change(row.remaining, ind)
        assert cells["预测值"] == projected and cells["尚差（年均需）"].startswith(remaining)
        sentence = re.search(rf"预计达到{re.escape(projected)}[^。]*", text)
        assert sentence, (row.indicator, projected)
        assert f"距目标尚差{remaining}" in sentence.group()


def test_reconciliation_table_lists_every_published_figure_in_chinese(tables):
    table = reconciliation_table(tables)
    published = pd.read_csv(config.RAW_DIR / config.PUBLISHED_FILE, dtype=str)
    assert set(table["编号"]) == set(published["fact_id"]) and len(published) == 47
    assert set(table["核对"]) == {"一致", "一致（四舍五入）", "不一致", "未核对"}
    shown = table.drop(columns=["原文"]).astype(str)
    assert not shown.apply(lambda c: c.str.contains("township")).any().any()
    numbers_shown = table[["公布值", "计算值", "差值"]].astype(str)
    assert not numbers_shown.apply(lambda c: c.str.contains(r"\.\d{4,}")).any().any()

    def row(fact: str, indicator: str = "蔬菜大棚面积") -> pd.Series:
        return table[(table["编号"] == fact) & (table["指标"] == indicator)].iloc[0]

    f08 = row("F08")
    assert (f08["公布值"], f08["计算值"], f08["核对"]) == ("118", "118.35", "一致（四舍五入）")
    assert "原文另处记为118.35亩（F34）" in f08["说明"] and "新塘村" in f08["说明"]
    assert (row("F35")["公布值"], row("F35")["计算值"], row("F35")["核对"]) == (
        "194",
        "194",
        "一致",
    )
    assert row("F09")["核对"] == "不一致" and "原文另处记为194亩（F35）" in row("F09")["说明"]
    assert row("F02", "家庭医生签约覆盖率")["说明"] == label("not_checked.no number")
    assert row("F15", "大村长扶贫项目")["说明"] == label("note.compared_projects")
    assert row("F37", "千亩脐橙带")["范围"] == "八角村、竹村村"
