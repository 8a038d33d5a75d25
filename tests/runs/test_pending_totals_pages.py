"""A town total that counts a village value pending review is marked 待核实 where it is shown:
the town page's key figures and history, a village page's comparison with its town, the
summary's sentence, Word and the officials' workbook; the other totals are not; once a 核实说明
confirms the value, none is."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.runs import runner
from analysis.tools.sample import SAMPLE_EXPLANATIONS
from analysis.tools.template import write_explanations

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from test_explanations import typed_sample

pytestmark = pytest.mark.slow

#: 老圩's 2019 医疗保险参保率 typed 8.96 for 89.6: the town's rate counts it.
TYPO = (("社会保障", "老圩", "medical_insurance_rate", 8.96, 89.6),)
OTHER_VILLAGE, LAOWEI = "360722103201", "360722103003"
NOTE = "老圩2019年医疗保险参保率经核实为8.96%。"


def _build(raw: Path, root: Path) -> dict[str, str]:
    result = runner.build(
        raw,
        root / "reports",
        processed_dir=root / "processed",
        villages=[OTHER_VILLAGE, LAOWEI],
        progress=False,
        workers=1,
    )
    assert result.ok
    from docx import Document

    year_dir = root / "reports" / "2019"
    document = Document(str(year_dir / "summary.docx"))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    totals = load_workbook(root / "processed" / "livelihood.xlsx")["全镇汇总"]
    return {
        "town": (year_dir / "township.html").read_text(encoding="utf-8"),
        "village": (year_dir / "villages" / f"{OTHER_VILLAGE}.html").read_text(encoding="utf-8"),
        "index": (year_dir / "index.html").read_text(encoding="utf-8"),
        "explore": (year_dir / "explore.html").read_text(encoding="utf-8"),
        "word": "\n".join([p.text for p in document.paragraphs] + cells),
        "workbook": "\n".join(str(v) for row in totals.iter_rows(values_only=True) for v in row),
    }


@pytest.fixture(scope="module")
def unconfirmed(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("pending")
    return _build(typed_sample(root, typos=TYPO), root)


@pytest.fixture(scope="module")
def confirmed(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("confirmed")
    raw = typed_sample(root, typos=TYPO)
    write_explanations(
        raw / "核实说明.csv",
        [*SAMPLE_EXPLANATIONS, ("大桥镇", "老圩", "", 2019, "医疗保险参保率", 8.96, NOTE)],
    )
    return _build(raw, root)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_town_total_is_marked_on_the_town_page(unconfirmed):
    text = _text(unconfirmed["town"])
    # The leader's card, the key figures and the history table: 2019's rate marked, 2018's not.
    assert '<dd class="figure">76.8%（待核实）</dd>' in unconfirmed["town"]
    assert text.count("76.8（待核实）") == 2
    assert "84.6（待核实）" not in text
    assert "2019年医疗保险参保率 76.8，含待核实村数据 1 个" in text
    # The summary's sentence says so.
    assert "医疗保险参保率为76.8%（待核实）" in text
    # The change on 2018 worked out from it too: the leader's card and the key figures.
    assert "同比下降7.8个百分点（待核实）" in text
    assert "下降7.8个百分点（待核实）" in text.replace("同比下降7.8个百分点（待核实）", "")


def test_only_that_total_is_marked(unconfirmed):
    text = _text(unconfirmed["town"])
    marked = re.findall(r"([\d.,]+)（待核实）", text)
    # The town's rate (key figures, history) and 老圩's own figure in the ranking.
    assert sorted(set(marked)) == ["76.8", "8.96"]
    assert "含待核实村数据" in text and text.count("含待核实村数据") == 2


def test_the_town_column_of_a_village_page_is_marked(unconfirmed):
    text = _text(unconfirmed["village"])
    assert "76.8（待核实）" in text
    assert "全镇2019年医疗保险参保率 76.8，含待核实村数据 1 个" in text


def test_word_marks_the_total_and_its_sentence(unconfirmed):
    word = unconfirmed["word"]
    assert "76.8（待核实）" in word  # the key figures' cell
    assert "下降7.8个百分点（待核实）" in word  # its change on 2018
    assert "【待核实】2019年医疗保险参保率 76.8，含待核实村数据 1 个" in word
    assert "医疗保险参保率为76.8%（待核实）" in word
    assert "84.6（待核实）" not in word


def test_the_index_marks_the_village_figure_as_its_page_does(unconfirmed, confirmed):
    assert "8.96（待核实）" in unconfirmed["index"]
    assert "8.96 ※" in confirmed["index"] and "（待核实）" not in confirmed["index"]


def test_the_explorer_says_which_figures_it_marks_to_confirm(unconfirmed, confirmed):
    # 老圩's value and the town's 2019 rate that counts it (the town and the whole area).
    assert "标有“待核实”的数字有待核实：1 个村数据待核实" in _text(unconfirmed["explore"])
    assert 'class="pending"' in unconfirmed["explore"]
    assert 'class="pending"' not in confirmed["explore"]


def test_the_workbook_names_the_total(unconfirmed):
    assert "医疗保险参保率，含待核实村数据 1 个" in unconfirmed["workbook"]


@pytest.mark.parametrize("output", ["town", "village", "word", "workbook"])
def test_a_confirmed_value_leaves_the_totals_unmarked(confirmed, output):
    text = confirmed[output]
    assert "76.8（待核实）" not in text
    assert "7.8个百分点（待核实）" not in text
    assert "含待核实村数据" not in text
