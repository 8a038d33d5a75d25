"""Issue 27's done-when demo on the pages: the sample with two in-bounds typos and no 合计 rows.
老圩's page shows 8.96 marked 待核实 with the flag's words; a 核实说明 for 新圩's 60 confirms it and
新圩's page shows the explanation; ``build --strict`` refuses the unconfirmed one."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.errors import ValidationFailed
from analysis.runs import runner
from analysis.tools.sample import SAMPLE_EXPLANATIONS
from analysis.tools.template import write_explanations

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ingest"))
from test_explanations import typed_sample

pytestmark = pytest.mark.slow

LAOWEI, XINWEI = "360722103003", "360722103002"
NOTE = "新圩2019年集中改厕，经核实新建改建卫生户厕60户无误。"


@pytest.fixture(scope="module")
def typed_raw(tmp_path_factory) -> Path:
    raw = typed_sample(tmp_path_factory.mktemp("typed"))
    write_explanations(
        raw / "核实说明.csv",
        [*SAMPLE_EXPLANATIONS, ("大桥镇", "新圩", "", 2019, "新建改建卫生户厕", 60, NOTE)],
    )
    return raw


@pytest.fixture(scope="module")
def pages(typed_raw, tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("built")
    result = runner.build(
        typed_raw,
        root / "reports",
        processed_dir=root / "processed",
        villages=[LAOWEI, XINWEI],
        progress=False,
        workers=1,
    )
    assert result.ok
    year_dir = root / "reports" / "2019"
    return {
        "laowei": (year_dir / "villages" / f"{LAOWEI}.html").read_text(encoding="utf-8"),
        "xinwei": (year_dir / "villages" / f"{XINWEI}.html").read_text(encoding="utf-8"),
        "problems": (year_dir / "problems.html").read_text(encoding="utf-8"),
        "township": (year_dir / "township.html").read_text(encoding="utf-8"),
        "word": _docx_text(year_dir / "summary.docx"),
    }


def _docx_text(path: Path) -> str:
    from docx import Document

    return "\n".join(p.text for p in Document(str(path)).paragraphs)


def test_the_unconfirmed_typo_is_shown_as_typed_and_marked(pages):
    page = pages["laowei"]
    assert "8.96（待核实）" in page
    assert "疑似小数点错位" in page  # the flag's words, in the page's list of flagged values


def test_the_confirmed_figure_carries_its_explanation(pages):
    page = pages["xinwei"]
    assert "60 ※" in page and NOTE in page
    assert "60（待核实）" not in page


def test_the_towns_ranking_marks_the_flagged_rate(pages):
    assert "8.96（待核实）" in pages["township"]


def test_the_word_summary_names_both_values(pages):
    word = pages["word"]
    assert "【待核实】老圩2019年医疗保险参保率 8.96" in word and "疑似小数点错位" in word
    assert "※ 新圩2019年新建改建卫生户厕 60" in word and NOTE in word


def test_the_problems_page_lists_the_values_to_confirm(pages):
    assert "待核实" in pages["problems"] and "8.96" in pages["problems"]


def test_strict_refuses_unconfirmed_flags(typed_raw, tmp_path, capsys):
    with pytest.raises(ValidationFailed, match="待核实"):
        runner.build(
            typed_raw,
            tmp_path / "reports",
            processed_dir=tmp_path / "processed",
            villages=[LAOWEI],
            progress=False,
            workers=1,
            strict=True,
        )
    code = main(
        [
            "build",
            "--data",
            str(typed_raw),
            "--processed",
            str(tmp_path / "processed"),
            "--out",
            str(tmp_path / "reports"),
            "--year",
            "2019",
            "--village",
            LAOWEI,
            "--strict",
            "--quiet",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "quarantine.csv" in err and "--strict" in err


def test_validate_exits_0_and_counts_the_values_to_confirm(typed_raw, capsys):
    assert main(["validate", str(typed_raw)]) == 0
    assert "待核实" in capsys.readouterr().out
