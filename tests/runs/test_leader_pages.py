"""The top of the county's and the towns' pages and Word summaries, for a leader (issue 28):
a few sentences, the key figures, and the places against the targets, each cell coloured by
status and linking to the place's page. Read from a built synthetic county (``county`` in
conftest.py)."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import docx
import pandas as pd
import pytest
from docx.oxml.ns import qn

from analysis.core.labels import STATUS_ZH
from analysis.reporting import leader

pytestmark = pytest.mark.slow

#: The most times one template sentence may stand on a page (issue 28).
MOST_REPEATS = 3


def _top(page: str) -> str:
    top = re.search(r'<section class="top"[^>]*>(.*?)</section>', page, re.S)
    assert top, "the page has no top for a leader"
    return top.group(1)


def _leads(top: str) -> list[str]:
    return [html.unescape(t) for t in re.findall(r'<p class="lead">(.*?)</p>', top, re.S)]


def _grid_rows(top: str) -> list[list[tuple[str, str, str]]]:
    """The status table's rows: each cell as (class, link, text)."""
    table = re.search(r'<table class="status-grid">.*?<tbody>(.*?)</tbody>', top, re.S)
    assert table, "the top has no status table"
    return [
        [
            (kind, href, html.unescape(text))
            for kind, href, text in re.findall(
                r'<td(?: class="([^"]*)")?><a href="([^"]*)">(.*?)</a></td>', row
            )
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)
    ]


def test_the_county_page_opens_with_sentences_figures_and_a_town_by_target_table(county):
    processed, year_dir, _ = county
    page = (year_dir / "county.html").read_text(encoding="utf-8")
    assert page.index('<section class="top"') < page.index('<section class="minsheng-summary"')
    top = _top(page)
    leads = _leads(top)
    assert 3 <= len(leads) <= 5, leads
    assert all(text.endswith("。") and text.count("。") == 1 for text in leads), leads
    assert top.count('<dd class="figure">') >= 3  # the key figures, as cards
    towns = pd.read_parquet(processed / "villages.parquet").drop_duplicates("town_code")
    rows = _grid_rows(top)
    assert [row[0][2] for row in rows] == towns["town_name"].tolist()  # one row per town
    projections = pd.read_parquet(processed / "projections.parquet")
    applied = projections[
        (projections["row_type"] == "town") & (projections["indicator"] == "medical_insurance_rate")
    ].set_index("scope")["status_zh"]
    header = re.findall(r"<th>(.*?)</th>", top)
    column = header.index(html.escape("医疗保险参保率（全县目标90.0%）"))
    for code, row in zip(towns["town_code"], rows, strict=True):
        # Every cell links to the town's page, which exists.
        assert {href for _, href, _ in row} == {f"towns/{code}.html"}
        assert (year_dir / "towns" / f"{code}.html").exists()
        assert len(row) == len(header)
        # The cell states the town's status and is coloured by it.
        kind, _, word = row[column]
        assert word == applied[code]
        status = next(k for k, v in STATUS_ZH.items() if v == word)
        assert kind == f"s-{status.replace(' ', '-')}"


def test_a_town_page_opens_with_its_villages_against_the_targets(county):
    processed, year_dir, _ = county
    registry = pd.read_parquet(processed / "villages.parquet")
    code = registry["town_code"].iloc[-1]
    mine = registry[registry["town_code"] == code]
    top = _top((year_dir / "towns" / f"{code}.html").read_text(encoding="utf-8"))
    assert 3 <= len(_leads(top)) <= 5
    rows = _grid_rows(top)
    assert len(rows) == len(mine)
    for village, row in zip(mine["code"], rows, strict=True):
        assert {href for _, href, _ in row} == {f"../villages/{village}.html"}
        assert (year_dir / "villages" / f"{village}.html").exists()


def test_the_county_word_summary_holds_the_table_on_its_first_page(county, page_tables):
    processed, year_dir, _ = county
    document = docx.Document(str(year_dir / "summary.docx"))
    first, detail = page_tables(document)
    assert first and detail, "no page break after the top"
    figures, grid = first
    towns = pd.read_parquet(processed / "villages.parquet")["town_code"].nunique()
    assert len(grid.rows) == towns + 1
    # The status cells are shaded, each with its status's colour.
    from analysis.reporting.publish import STATUS_COLOURS

    fills = {status: fill.lstrip("#").upper() for status, (fill, _) in STATUS_COLOURS.items()}
    for row in grid.rows[1:]:
        for cell in row.cells[1:]:
            shading = cell._tc.tcPr.find(qn("w:shd"))
            status = next((k for k, v in STATUS_ZH.items() if v == cell.text), None)
            if status in fills:
                assert shading is not None and shading.get(qn("w:fill")) == fills[status]
    assert [c.text for c in figures.rows[0].cells][1:] == [
        h.name for h in leader.headlines(_area(processed), 2019)
    ]
    # Nothing of the detail before the break: the first heading after the title follows it.
    body = list(document.element.body.iterchildren())
    page_break = next(i for i, el in enumerate(body) if el.xpath('.//w:br[@w:type="page"]'))
    headings = [
        i
        for i, el in enumerate(body)
        if el.tag == qn("w:p") and el.xpath('./w:pPr/w:pStyle[@w:val="Heading1"]')
    ]
    assert headings and min(headings) > page_break


def _area(processed: Path) -> pd.DataFrame:
    table = pd.read_parquet(processed / "aggregates.parquet")
    return table[table["level"] == "county"][["year", "indicator", "value"]]


def test_no_summary_repeats_a_template_sentence_more_than_three_times(county, page_checks):
    _, year_dir, _ = county
    for path in [year_dir / "county.html", *sorted((year_dir / "towns").glob("*.html"))]:
        shapes = page_checks.sentence_shapes(path.read_text(encoding="utf-8"))
        assert shapes, path.name
        shape, times = shapes.most_common(1)[0]
        assert times <= MOST_REPEATS, f"{path.name}: {times}× {shape}"


def test_the_repeat_check_catches_a_repeated_sentence(page_checks):
    """Control: a summary stating each of five towns in the same sentence is caught."""
    page = '<section class="minsheng-summary">' + "".join(
        f"<p>{name}医疗保险参保率为8{n}.5%，需加速。</p>"
        for n, name in enumerate(["甲镇", "乙镇", "丙镇", "丁镇", "戊镇"])
    )
    assert page_checks.sentence_shapes(page + "</section>").most_common(1)[0][1] == 5


def test_a_where_sentence_groups_the_places_and_names_the_main_target():
    sanitation = leader.Column("sanitary_toilet_rate", True, 85.0)
    insurance = leader.Column("medical_insurance_rate", True, 90.0)
    towns = [(f"36072210{n}", name) for n, name in enumerate(["甲镇", "乙镇", "丙镇", "丁镇"])]
    status = {(code, sanitation): "deteriorating" for code, _ in towns[:3]}
    status[(towns[0][0], insurance)] = "deteriorating"
    grid = leader.StatusGrid("town", towns, [insurance, sanitation], status)
    from analysis.core.catalog import default_catalog

    said = leader._where_sentence(grid, "deteriorating", default_catalog(), "zh")
    assert said == "倒退的有甲镇、乙镇等3个乡镇，主要是卫生厕所普及率、医疗保险参保率。"
    assert leader._where_sentence(grid, "achieved", default_catalog(), "zh") == ""


def test_the_counts_table_counts_each_targets_places_by_status():
    insurance = leader.Column("medical_insurance_rate", True, 90.0)
    roads = leader.Column("hardened_road_km", False)
    towns = [(f"36072210{n}", name) for n, name in enumerate(["甲镇", "乙镇", "丙镇", "丁镇"])]
    status = {(code, insurance): "acceleration needed" for code, _ in towns[:3]}
    status[(towns[3][0], insurance)] = "achieved"
    status[(towns[0][0], roads)] = "achieved"
    grid = leader.StatusGrid("town", towns, [insurance, roads], status)
    assert leader.counted_statuses(grid) == ["achieved", "acceleration needed", "no target"]
    tables = type("Tables", (), {"place": lambda self: ("county", "360722")})()
    counts = leader.counts_table(grid, tables)
    assert counts.columns.tolist() == ["目标", "已达成", "需加速", "无目标"]
    assert counts.iloc[:, 1:].values.tolist() == [[1, 3, 0], [1, 0, 3]]
    assert counts.iloc[0, 0] == "医疗保险参保率（全县目标90.0%）"


def test_a_town_of_more_villages_than_a_screen_holds_is_summed_up_at_the_top(county, monkeypatch):
    """A town's top counts its villages by status for each target, coloured; the whole table
    follows in a <details> whose summary says how many villages it holds (printed open)."""
    from analysis.pipeline.store import load_tables
    from analysis.reporting import sections

    processed, _, _ = county
    tables = load_tables(processed)
    tables = tables.town(tables.towns()["code"].iloc[0])
    shown: list[str] = []
    monkeypatch.setattr(sections, "display", lambda html: shown.append(html.data))
    sections.show_top(tables, 2019)
    assert "status-counts" not in shown[0] and "<details" not in shown[0]  # 18 villages: whole
    monkeypatch.setattr(leader, "GRID_PLACES_SHOWN", 5)
    sections.show_top(tables, 2019)
    top = shown[1]
    n = len(tables.villages)
    counts = re.search(r'<table class="status-counts">.*?</table>', top, re.S).group(0)
    details = re.search(r'<details class="status-detail"><summary>(.*?)</summary>', top)
    assert top.index(counts) < details.start() and details.group(1) == f"逐村查看（{n}个村）"
    assert len(_grid_rows(top[details.start() :])) == n
    for row in re.findall(r"<tr><td>.*?</tr>", counts):
        cells = re.findall(r'<td class="num( s-[a-z-]+)?">(\d+)</td>', row)
        assert sum(int(v) for _, v in cells) == n  # every village counted once per target
    assert ' class="num s-' in counts  # a count coloured by its status


def _pages(year_dir: Path) -> list[Path]:
    return sorted(year_dir.rglob("*.html"))


def test_no_chart_of_any_page_carries_an_offset_multiplier(county, page_checks):
    """Every chart's value axis is written in the indicator's unit (1,400,000), never under a
    "1e6" or "×10⁶" multiplier: read from the texts of every page's SVG charts (issue 28)."""
    _, year_dir, _ = county
    multiplied = page_checks.multiplied
    found = [multiplied(page.read_text(encoding="utf-8")) for page in _pages(year_dir)]
    assert sum(n for n, _ in found) > 10
    assert [texts for _, texts in found if texts] == []
    # Control: a multiplier is caught.
    svg = base64.b64encode(b"<svg><text>2019</text><text>1e6</text></svg>").decode()
    assert multiplied(f'<img src="data:image/svg+xml;base64,{svg}">') == (1, ["2019 1e6"])


def test_no_page_has_a_table_of_headers_alone(county, page_checks):
    _, year_dir, _ = county
    rowless = page_checks.rowless
    pages = _pages(year_dir)
    assert len(pages) > 60
    assert [(p.name, t) for p in pages for t in rowless(p.read_text(encoding="utf-8"))] == []
    # Control: a header without rows is caught.
    assert rowless("<table><thead><tr><th>村</th></tr></thead><tbody></tbody></table>")


def test_every_word_file_numbers_its_pages(county):
    """GB/T 9704's "— 1 —" in the footer of the county's summary and of every town's."""
    _, year_dir, _ = county
    documents = sorted(year_dir.rglob("*.docx"))
    towns = pd.read_parquet(county[0] / "villages.parquet")["town_code"].nunique()
    assert len(documents) == 1 + towns
    for path in documents:
        footer = docx.Document(str(path)).sections[0].footer.paragraphs[0]
        assert "".join(n.text for n in footer._p.iter(qn("w:t"))) == "— 1 —", path.name
        assert 'w:instr="PAGE"' in footer._p.xml, path.name
