"""The annual summary written from the tables (analysis.reporting.narrative)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from docx.oxml.ns import qn

from analysis import config
from analysis.core import numbers, trends
from analysis.core.catalog import default_catalog, normalise_header
from analysis.errors import ParameterError
from analysis.pipeline.prepare import ensure_processed
from analysis.pipeline.store import Tables, load_tables
from analysis.reporting import narrative

YEAR = 2019
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
A, B = "360722103201", "360722103202"


def document_form(value: str, unit: str) -> str:
    """A published figure as the document writes it: 86%, 335.26万元, 101万元, 1544人次."""
    number = f"{float(value):.2f}".rstrip("0").rstrip(".")
    return f"{number}{unit}"


def catalog_form(value: str, unit: str) -> str:
    """The same figure with its indicator's decimals, as GB/T 15835 keeps one figure beside
    another (issue 28): 86.0%, 335.26万元, 101.00万元, 1544人次."""
    return f"{float(value):.{numbers.decimals(unit)}f}{unit}"


def published() -> pd.DataFrame:
    return pd.read_csv(config.RAW_DIR / config.PUBLISHED_FILE, dtype=str, encoding="utf-8")


def area_actuals(tables: Tables) -> pd.DataFrame:
    """The published single-valued township figures of 2019 that the tables hold."""
    facts = published()
    held = set(tables.area.loc[tables.area["year"] == YEAR, "indicator"])
    return facts[
        (facts["scope"] == "township")
        & (facts["kind"] == "actual")
        & (facts["year"] == str(YEAR))
        & facts["indicator_id"].isin(held)
        & ~facts["value"].str.contains(";")
    ]


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> Tables:
    processed = tmp_path_factory.mktemp("processed")
    ensure_processed(config.RAW_DIR, processed)
    return load_tables(processed, config.RAW_DIR)


@pytest.fixture(scope="module")
def text(tables) -> str:
    return narrative.summary(YEAR, tables).to_text()


def without(tables: Tables, *indicator_ids: str) -> Tables:
    """The tables with some indicators gone from the village and township tables."""
    return dataclasses.replace(
        tables,
        indicators=tables.indicators[~tables.indicators["indicator"].isin(indicator_ids)],
        area=tables.area[~tables.area["indicator"].isin(indicator_ids)],
    )


def hand_made(
    values: dict[str, dict[int, float]],
    targets: Sequence[tuple[str, str, float]] = (),
    *,
    code: str = A,
) -> Tables:
    """Tables for one village from {indicator: {year: value}}, with targets assessed."""
    catalog = default_catalog()
    indicators = pd.DataFrame(
        [
            {"village_code": code, "year": year, "indicator": indicator, "value": value}
            for indicator, series in values.items()
            for year, value in series.items()
        ]
    )
    area = trends.area_series(indicators, catalog)
    target_frame = pd.DataFrame(
        [
            {
                "scope": scope,
                "indicator": indicator,
                "target_year": 2020,
                "target_value": value,
                "unit": catalog[indicator].unit,
                "source": "test",
            }
            for scope, indicator, value in targets
        ]
    )
    projections = trends.assess_targets(indicators, target_frame) if targets else pd.DataFrame()
    villages = pd.DataFrame(
        {"code": [code], "name": ["新塘村委会"], "short_name": ["新塘村"], "town_name": ["测试镇"]}
    )
    return Tables(
        processed_dir=Path("."),
        indicators=indicators,
        area=area,
        villages=villages,
        targets=target_frame,
        projections=projections,
        projects=pd.DataFrame(),
        reconciliation=pd.DataFrame(),
        summary={},
        sample=False,
    )


# ------------------------------------------------------------ the document's 2019 figures


def test_summary_states_every_published_figure_in_the_documents_form(tables, text):
    facts = area_actuals(tables)
    # The document's 17 single-valued township figures with a catalog indicator (F04–F31),
    # each written with its indicator's decimals (101.00万元 for the document's 101万元):
    # guards against this test passing by checking nothing.
    assert len(facts) == 17
    missing = [
        (fact.fact_id, catalog_form(fact.value, fact.unit))
        for fact in facts.itertuples()
        if catalog_form(fact.value, fact.unit) not in text
    ]
    assert not missing, text


def test_summary_reads_like_the_document(tables, text):
    # The document's own phrases (the `quote` column) appear word for word, except where the
    # document says what the data cannot: F05's 全部 (all of a plan we do not have) and F22's
    # typo 贫苦户, written 贫困户.
    facts = area_actuals(tables)
    # Their figures with the indicator's decimals: 医疗保险参保率为86.0%.
    quotes = [
        fact.quote.replace(
            document_form(fact.value, fact.unit), catalog_form(fact.value, fact.unit)
        )
        for fact in facts[~facts["fact_id"].isin(["F05", "F22"])].itertuples()
    ]
    absent = [quote for quote in quotes if quote not in text]
    assert not absent, text
    for section in (
        "一、脱贫攻坚",
        "二、社会保障",
        "三、人居环境",
        "四、产业发展",
        "五、2020年工作打算",
    ):
        assert f"\n{section}\n" in text


def test_plan_phrases_the_zero_target_as_the_task(tables, text):
    task = published().set_index("fact_id").loc["F41"]
    counts = "".join(
        document_form(value, unit)
        for value, unit in zip(task["value"].split(";"), task["unit"].split(";"), strict=True)
    )
    assert f"围绕剩余{counts}脱贫任务，按当前趋势" in text


def test_plan_states_projection_interval_probability_and_gap_for_a_rate(tables, text):
    row = tables.projections.set_index(["scope", "indicator"]).loc[
        ("township", "medical_insurance_rate")
    ]
    # What is still to go counts from the latest value, as the pace it takes does.
    gap = f"{row['target'] - row['last_value']:.1f}"
    assert row["remaining"] == pytest.approx(row["target"] - row["last_value"])
    sentence = re.search(r"按当前趋势，2020年医疗保险参保率预计达到[^。]*。", text)
    assert sentence, text
    assert "80%区间" in sentence.group()
    assert "达到90.0%目标的概率" in sentence.group()
    assert f"2019年底距目标尚差{gap}个百分点" in sentence.group()
    assert f"实现目标需年均提高{gap}个百分点" in sentence.group()


def test_village_breakdown_names_the_villages(tables, text):
    assert re.search(r"其中[^。]*青光村\d+栋\d+(\.\d+)?亩", text)


# ------------------------------------------------------------ absent figures


@pytest.mark.parametrize("how", ["dropped", "nan"])
def test_an_absent_figure_has_no_sentence(tables, how):
    if how == "dropped":
        changed = without(tables, "industry_subsidy_yuan")
    else:
        area = tables.area.copy()
        area.loc[area["indicator"] == "industry_subsidy_yuan", "value"] = float("nan")
        changed = dataclasses.replace(tables, area=area)
    yuan = tables.area.set_index(["indicator", "year"]).loc[
        ("industry_subsidy_yuan", YEAR), "value"
    ]
    text = narrative.summary(YEAR, changed).to_text()
    assert f"{yuan:.0f}元" not in text
    assert "产业奖补金额" not in text  # nor in the year-on-year remark
    assert "贫困户申报了产业奖补" in text  # the households still are stated
    assert not re.search(r"nan|NaN|(?<![\d.])0元", text)


def test_a_topic_without_figures_disappears(tables):
    text = narrative.summary(
        YEAR, without(tables, "industry_subsidy_households", "industry_subsidy_yuan")
    ).to_text()
    assert "产业扶贫方面" not in text
    empty = dataclasses.replace(
        tables,
        area=tables.area.iloc[0:0],
        indicators=tables.indicators.iloc[0:0],
        projects=pd.DataFrame(),
        targets=pd.DataFrame(),
        projections=pd.DataFrame(),
    )
    assert narrative.summary(YEAR, empty).sections == []


def test_a_zero_is_stated_only_where_it_says_something():
    tables = hand_made(
        {
            "workshops": {2018: 0, 2019: 0},
            "public_toilets_built": {2018: 2, 2019: 0},
            "poor_households_remaining": {2018: 0, 2019: 0},
        }
    )
    text = narrative.summary(YEAR, tables).to_text()
    assert "扶贫车间" not in text  # none this year, none the year before: not news
    assert "新建乡村公厕0座，比上年减少2座。" in text
    assert "截至年底剩余未脱贫户0户，与上年持平。" in text  # zero poor is the achievement


# ------------------------------------------------------------ year-on-year phrasing


def test_year_on_year_changes_are_phrased_naturally():
    tables = hand_made(
        {
            "toilets_upgraded": {2018: 50, 2019: 62},
            "public_toilets_built": {2018: 1, 2019: 1},
            "environment_investment_wan": {2018: 120, 2019: 101},
            "medical_insurance_rate": {2018: 85, 2019: 86.4},
            "population": {2018: 1000, 2019: 1000},
            "pension_paid_wan": {2019: 295.56},
        }
    )
    text = narrative.summary(YEAR, tables).to_text()
    assert "新建、改建卫生户厕所62户、乡村公厕1座" in text
    assert "与上年相比，新建改建卫生户厕增加12户，新建乡村公厕持平。" in text
    assert "全年投入101.00万元用于农村人居环境整治，比上年减少19.00万元。" in text
    assert "医疗保险参保率为86.4%，比上年提高1.4个百分点。" in text
    # No figure for the year before: no remark.
    assert "累计发放养老金295.56万元。" in text
    english = narrative.summary(YEAR, tables, lang="en").to_text()
    assert "household sanitary toilets built or rebuilt up 12 households" in english
    assert "village public toilets built unchanged" in english
    assert "down 190,000 yuan on the year before" in english


def test_an_unchanged_single_figure_says_so():
    tables = hand_made({"environment_investment_wan": {2018: 101, 2019: 101.001}})
    text = narrative.summary(YEAR, tables).to_text()
    assert "全年投入101.00万元用于农村人居环境整治，与上年持平。" in text


# ------------------------------------------------------------ the plan


def test_plan_says_a_target_is_met_or_cannot_be_projected():
    tables = hand_made(
        {
            "sewage_sites": {2017: 1, 2018: 2, 2019: 3},
            "hardened_road_km": {2018: 50.0, 2019: 52.5},
        },
        [("township", "sewage_sites", 3), ("township", "hardened_road_km", 65)],
    )
    text = narrative.summary(YEAR, tables).to_text()
    assert "全镇生活污水处理村点2019年已达到3个，2020年3个的目标已提前实现" in text
    assert "全镇硬化公路里程2020年目标为65.00公里，目前仅有2年数据" in text
    assert f"至少需要{trends.MIN_POINTS}年" in text
    assert "已达成1项、数据不足1项" in text
    assert "预计" not in text  # nothing was projected
    english = narrative.summary(YEAR, tables, lang="en").to_text()
    assert "meeting the 2020 target of 3 early" in english
    assert "only 2 years of data exist" in english


def test_an_earlier_years_plan_sees_only_its_own_data(tables):
    town = tables.area.set_index(["indicator", "year"])["value"]
    households = town[("poor_households_remaining", 2017)]
    people = town[("poor_people_remaining", 2017)]
    text = narrative.summary(2017, tables).to_text()
    assert "\n五、2018年工作打算\n" in text
    assert f"围绕剩余{households:.0f}户{people:.0f}人脱贫任务，按当前趋势" in text
    assert "项目管理方面" not in text  # the project list is the latest year's


def test_plan_states_targets_without_projections():
    tables = hand_made(
        {"sewage_sites": {2017: 1, 2018: 1, 2019: 2}}, [("township", "sewage_sites", 3)]
    )
    tables = dataclasses.replace(tables, projections=pd.DataFrame())
    text = narrative.summary(YEAR, tables).to_text()
    assert "全镇生活污水处理村点2020年目标为3个，尚未作趋势测算" in text


# ------------------------------------------------------------ villages, English, escaping


def test_village_paragraph_gives_figures_change_and_outlook(tables):
    code = "360722103203"
    name = tables.village(code)["short_name"]
    rows = tables.indicators[tables.indicators["village_code"] == code]
    area = rows[(rows["year"] == YEAR) & (rows["indicator"] == "navel_orange_area_mu")]["value"]
    text = narrative.village_paragraph(code, YEAR, tables)
    assert text.startswith(f"{name}{YEAR}年共有")
    assert f"脐橙种植面积{area.iloc[0]:.2f}亩" in text
    assert "比上年" in text
    assert "按当前趋势，2020年本村" in text and "（全镇目标90.0%）" in text
    assert "本村参与" in text and "脐橙种植面积3000.00亩目标" in text
    with pytest.raises(ParameterError, match="999999999999"):
        narrative.village_paragraph("999999999999", YEAR, tables)


def test_a_community_speaks_of_itself_as_a_community(tables):
    """A 居委会 (莲花山社区) is 本社区 in its paragraph and its comparison table, never 本村."""
    from analysis.reporting.ranking import village_rank_table
    from analysis.reporting.tables import village_vs_area

    community, village = "360722103001", "360722103203"
    assert tables.village(community)["kind"] == "居委会"
    text = narrative.village_paragraph(community, YEAR, tables)
    assert "按当前趋势，2020年本社区" in text and "本村" not in text
    assert list(village_vs_area(tables, community, YEAR).columns)[1] == "本社区"
    assert list(village_vs_area(tables, village, YEAR).columns)[1] == "本村"
    english = village_vs_area(tables, community, YEAR, lang="en")
    assert list(english.columns)[1] == "This community"
    assert list(village_rank_table(tables, community, YEAR).columns)[1] == "本社区"


def test_english_has_no_chinese_except_names(tables):
    names = {*tables.villages["name"], *tables.villages["short_name"]}
    names |= set(tables.villages["town_name"])
    texts = [narrative.summary(YEAR, tables, lang="en").to_text()]
    texts += [
        narrative.village_paragraph(c, YEAR, tables, lang="en") for c in tables.villages["code"]
    ]
    for text in texts:
        for name in sorted(names, key=len, reverse=True):
            text = text.replace(name, "")
        assert not CJK.findall(text), text
    assert "1,544 reimbursements" in texts[0]
    assert "3,352,600 yuan" in texts[0]


def test_names_are_escaped_in_html_and_markdown(tables):
    hostile = "<script>alert(1)</script>"
    villages = tables.villages.copy()
    villages.loc[villages["code"] == "360722103201", "short_name"] = hostile
    result = narrative.summary(YEAR, dataclasses.replace(tables, villages=villages))
    assert hostile in result.to_text()  # the greenhouse breakdown names the village
    html = result.to_html()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>" not in result.to_markdown()


def test_unknown_language_is_refused(tables):
    with pytest.raises(ValueError, match="lang"):
        narrative.summary(YEAR, tables, lang="fr")


# ------------------------------------------------------------ Word


def test_docx_holds_title_sample_note_summary_and_tables(tables, tmp_path, page_tables):
    path = narrative.write_docx(tmp_path / "总结.docx", YEAR, tables)
    document = docx.Document(str(path))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == f"{tables.villages['town_name'].iloc[0]}{YEAR}年民生工作总结"
    assert config.SAMPLE_LABEL_ZH in paragraphs[1]
    body = "\n".join(paragraphs)
    for fact in area_actuals(tables).itertuples():
        assert catalog_form(fact.value, fact.unit) in body
    figures, targets = page_tables(document)[1]
    assert [c.text for c in figures.rows[0].cells] == ["板块", "指标", "2018", "2019", "同比"]
    assert any(row.cells[1].text == "医疗保险参保率(%)" for row in figures.rows)
    assert len(targets.rows) == len(tables.targets) + 1
    # Chinese needs its own font slot: w:eastAsia, with no theme font overriding it.
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == narrative.BODY_FONT_ZH
    defaults = document.styles.element.find(qn("w:docDefaults"))
    default_fonts = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:rFonts"))
    assert default_fonts.get(qn("w:eastAsia")) == narrative.BODY_FONT_ZH
    assert default_fonts.get(qn("w:eastAsiaTheme")) is None
    assert not list(tmp_path.glob(".*tmp*"))  # written atomically, nothing left behind


def test_english_docx(tables, tmp_path, page_tables):
    document = docx.Document(
        str(narrative.write_docx(tmp_path / "s.docx", YEAR, tables, lang="en"))
    )
    assert document.paragraphs[0].text.endswith("livelihood work summary 2019")
    headers = [row.cells[1].text for row in page_tables(document)[1][0].rows]
    assert "medical reimbursement amount (10k yuan)" in headers


# ------------------------------------------------------------ raw data → text


def test_a_changed_raw_cell_changes_the_text(tables, tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(config.RAW_DIR, raw)
    book_path = raw / f"民生工作台账_{YEAR}.xlsx"
    book = openpyxl.load_workbook(book_path)
    sheet = book["人居环境"]
    index = default_catalog().header_index()
    rows = list(sheet.iter_rows())
    header = next(
        r
        for r in rows
        if any(index.get(normalise_header(c.value or "")) == "toilets_upgraded" for c in r)
    )
    column = next(
        c.column for c in header if index.get(normalise_header(c.value or "")) == "toilets_upgraded"
    )
    names = {row[1].value: row for row in rows}
    # A clerk corrects 新圩's figure and the total beside it.
    for label in ("新圩", "合计"):
        cell = sheet.cell(row=names[label][0].row, column=column)
        cell.value += 5
    book.save(book_path)
    before = tables.area.set_index(["indicator", "year"]).loc[("toilets_upgraded", YEAR), "value"]
    ensure_processed(raw, tmp_path / "processed")
    changed = load_tables(tmp_path / "processed", raw)
    text = narrative.summary(YEAR, changed).to_text()
    assert f"卫生户厕所{before + 5:.0f}户" in text
    assert f"卫生户厕所{before:.0f}户" not in text
