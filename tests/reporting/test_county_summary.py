"""The county summary a leader reads (issue 28): a target set for many places is a lead
sentence and a table, not a sentence per place; the wording slips stay fixed."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import docx
import pandas as pd
import pytest

from analysis import config
from analysis.core import numbers
from analysis.core.labels import label
from analysis.pipeline.store import Tables, load_tables
from analysis.reporting import narrative, sections
from analysis.reporting.narrative.plan import SENTENCES_PER_TARGET
from analysis.reporting.narrative.sentences import projects_paragraph
from analysis.reporting.tables import status_note, target_table

YEAR = 2019
#: Six of the sample's villages, each given the township's medical insurance target.
VILLAGES = [f"3607221032{n:02d}" for n in range(6)]


@pytest.fixture(scope="module")
def tables(prepared_sample) -> Tables:
    return load_tables(prepared_sample, config.RAW_DIR)


@pytest.fixture(scope="module")
def many_places(tables) -> Tables:
    """The township's medical insurance target set again for each of six villages."""
    proj = tables.projections
    own = proj[(proj["row_type"] == "target") & (proj["indicator"] == "medical_insurance_rate")]
    copies = pd.concat([own.assign(scope=code) for code in VILLAGES], ignore_index=True)
    return dataclasses.replace(tables, projections=pd.concat([proj, copies], ignore_index=True))


def _plan(summary: narrative.Summary) -> narrative.Section:
    return summary.sections[-1]


def test_a_target_of_many_places_is_one_lead_sentence_and_a_table(many_places):
    plan = _plan(narrative.summary(YEAR, many_places))
    [(position, table)] = plan.tables.items()
    lead = plan.paragraphs[position]
    assert lead.startswith("各村医疗保险参保率目标") and lead.endswith("见下表。")
    assert table.columns[0] == "村（居）" and len(table) == len(VILLAGES)
    assert "状态" in table.columns and "ESCAP" not in table.columns
    # The township's own target is still a sentence; the villages' are not.
    text = "".join(plan.paragraphs)
    assert text.count("医疗保险参保率预计达到") == 1


def test_no_template_sentence_is_repeated_more_than_allowed(many_places):
    text = narrative.summary(YEAR, many_places).to_text()
    # A sentence's template is what is left once its figures and names are taken out.
    shapes = Counter(
        re.sub(r"[\d.%–]+|[^，。；（）]*?(村|镇|县)", "#", s)
        for s in re.split(r"(?<=。)", text)
        if s.strip()
    )
    assert max(shapes.values()) <= SENTENCES_PER_TARGET


def test_the_table_follows_its_lead_on_the_page_and_in_word(many_places, tmp_path, page_tables):
    summary = narrative.summary(YEAR, many_places)
    html = summary.to_html()
    assert html.index("见下表") < html.index("<table>") < html.index("第三，")
    document = docx.Document(str(narrative.write_docx(tmp_path / "s.docx", YEAR, many_places)))
    first = page_tables(document)[1][0]
    assert first.rows[0].cells[0].text == "村（居）"
    assert len(first.rows) == len(VILLAGES) + 1


def test_a_few_places_are_still_sentences(tables):
    plan = _plan(narrative.summary(YEAR, tables))
    assert plan.tables == {}


def test_a_breakdown_closes_with_the_count_of_all_villages_and_no_stray_comma(tables):
    text = narrative.summary(YEAR, tables).to_text()
    assert "、等" not in text
    for listed, total in re.findall(r"其中((?:[^，。]+?、){5}[^，。、]+?)等(\d+)个村", text):
        assert int(total) > listed.count("、") + 1


def test_projects_all_finished_are_not_said_twice(tables):
    done = tables.projects.assign(started=True, completed=True)
    text = projects_paragraph(YEAR, dataclasses.replace(tables, projects=done), "zh")
    n = len(done[done["year"] == YEAR]) if "year" in done.columns else len(done)
    assert text.endswith(f"{n}个项目均已开工并竣工。")
    assert "其中" not in text.split("。")[-2]


def test_the_target_note_explains_the_escap_and_eurostat_columns_where_they_show(tables):
    table = target_table(tables, "township")
    assert label("note.supporting") in status_note(table)
    blank = table.assign(ESCAP=numbers.MISSING, Eurostat=numbers.MISSING)
    assert label("note.supporting") not in status_note(blank)


@pytest.mark.parametrize(("lang", "sentence"), [("zh", "本村2019年无扶贫项目。"), ("en", "2019.")])
def test_a_village_without_projects_says_so_rather_than_show_an_empty_table(
    tables, monkeypatch, lang, sentence
):
    shown = []
    monkeypatch.setattr(sections, "display", shown.append)
    code = VILLAGES[-1]
    none = dataclasses.replace(
        tables, projects=tables.projects[tables.projects["village_code"] != code]
    )
    sections.show_village_projects(none, code, YEAR, lang=lang)
    html = "".join(item.data for item in shown)
    assert "<table" not in html and html.endswith(f"{sentence}</p>")
    shown.clear()
    sections.show_village_projects(tables, VILLAGES[1], YEAR, lang=lang)
    assert "<table" in "".join(item.data for item in shown)


def test_a_value_axis_is_in_the_indicators_unit_without_an_offset():
    # No matplotlib.use() here: it sets rcParams (backend_fallback) that later tests of picture
    # digests, taken in this process and in a new one, would see differ.
    from analysis.reporting.charts import trend_chart

    figure = trend_chart(
        pd.Series([600_000.0, 900_000.0, 1_400_000.0], index=[2017, 2018, 2019]),
        title="产业奖补金额",
        unit="元",
    )
    figure.canvas.draw()
    axis = figure.axes[0].yaxis
    ticks = [t.get_text() for t in axis.get_ticklabels() if t.get_text()]
    assert axis.get_offset_text().get_text() == ""
    assert "1,400,000" in ticks or "1,200,000" in ticks, ticks
