"""A rule is one record: adding a check is adding its :class:`Rule` and its checker, and the
problem then reaches the ledger, ``quarantine.csv``, the marked workbook and the problems page
with nothing else changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.ingest import advice
from analysis.ingest import validate as validate_module
from analysis.ingest.cells import cell_text, column_letter
from analysis.ingest.mark import CELL_COLOURS, mark
from analysis.ingest.read import Sheet
from analysis.ingest.rules import RULES, Effect, Fix, Rule, Scope, Severity, rule_of
from analysis.ingest.run import Run
from analysis.pipeline.prepare import prepare
from analysis.reporting.problems import load_problems, problems_body

REGISTRY = Path(__file__).parents[1] / "data" / "villages.csv"

#: The new rule: all that is said of it, in one place.
PADDED = Rule(
    "padded_text",
    Severity.WARNING,
    Scope.CELL,
    Effect.NONE,
    message_zh="“{value}”前后有空格，已去掉空格读取。请删除空格。",
    message_en="'{value}' has spaces at either end; read without them. Delete the spaces.",
    title_zh="前后有空格",
    expected_zh="前后没有空格的文字",
    expected_en="text without spaces at either end",
    action_zh="删除前后的空格",
)


def check_padded(sheet: Sheet, run: Run) -> None:
    """The new checker: every text cell of a village table with spaces at either end."""
    for (row, col), value in sheet.cells.stack().items():
        text = cell_text(value)
        if text.strip() and text != text.strip():
            run.ledger.add("padded_text", sheet.file, sheet.name, row + 1, column_letter(col), text)


@pytest.fixture
def with_padded_rule(monkeypatch):
    """The registry of rules and the village table's checkers, with the new rule and checker."""
    table_checker = validate_module.SHEET_CHECKERS["village_table"]

    def checked_twice(sheet: Sheet, run: Run) -> None:
        table_checker(sheet, run)
        check_padded(sheet, run)

    monkeypatch.setitem(RULES, PADDED.id, PADDED)
    monkeypatch.setitem(validate_module.SHEET_CHECKERS, "village_table", checked_twice)


@pytest.fixture
def raw(tmp_path) -> Path:
    folder = tmp_path / "raw"
    folder.mkdir()
    (folder / "villages.csv").write_bytes(REGISTRY.read_bytes())
    (folder / "大桥镇.csv").write_text(
        "村（居）名称,年度,户数（户）\n青光村 ,2019,812\n竹村村,2019,640\n", encoding="utf-8"
    )
    return folder


def test_a_new_rule_and_its_checker_reach_every_output(with_padded_rule, raw, tmp_path):
    # The ledger words the problem from the rule.
    problems = validate_module.validate(raw).problems
    found = problems[problems["rule"] == "padded_text"]
    assert len(found) == 1
    problem = found.iloc[0]
    assert (problem["row"], problem["column"], problem["severity"]) == (2, "A", "warning")
    assert (
        problem["message_zh"]
        == "「大桥镇.csv」第 2 行 A 列：“青光村 ”前后有空格，已去掉空格读取。请删除空格。"
    )

    # quarantine.csv lists it in the village of its row.
    result = prepare(raw, tmp_path / "processed")
    quarantine = load_problems(tmp_path / "processed")
    row = quarantine[quarantine["rule"] == "padded_text"].iloc[0]
    assert (row["village_code"], row["village"]) == ("360722103203", "青光村")
    assert result.summary["problems"]["warning"] >= 1

    # The marked workbook colours the cell and says what is wrong, expected and to be done.
    marked = mark(raw, tmp_path / "marked")
    ws = load_workbook(marked.copies["大桥镇.csv"])["大桥镇"]
    assert ws["A2"].fill.fgColor.rgb == CELL_COLOURS["warning"]
    for words in (PADDED.title_zh, PADDED.expected_zh, PADDED.action_zh, "规则：padded_text"):
        assert words in ws["A2"].comment.text
    assert not any(cell.fill.fgColor.rgb == CELL_COLOURS["warning"] for cell in ws[3])

    # The problems page says it in the village's section, in either language.
    assert PADDED.expected_zh in problems_body(quarantine, "对照表", "zh")
    english = problems_body(quarantine, "checklist", "en")
    assert PADDED.expected_en in english and "has spaces at either end" in english


def test_a_rule_that_keeps_its_row_out_quarantines_it_in_the_ledger(monkeypatch, raw):
    """An :attr:`Effect.ROW` rule needs no row bookkeeping of its own checker."""
    rule = Rule(
        "padded_text",
        Severity.ERROR,
        Scope.CELL,
        Effect.ROW,
        message_zh="“{value}”",
        message_en="{value!r}",
        title_zh="前后有空格",
        expected_zh="前后没有空格的文字",
        expected_en="text without spaces at either end",
        action_zh="删除前后的空格",
    )
    monkeypatch.setitem(RULES, rule.id, rule)
    ledger = validate_module.Ledger()
    rows = ledger.open_sheet("a.csv", "", "village_table", 3)
    ledger.add("padded_text", "a.csv", "", 2, "A", "青光村 ")
    ledger.add("padded_text", "a.csv", "", 9, "A", "beyond the sheet")  # no row 9: none added
    assert list(rows["status"]) == ["structural", "quarantined", "structural"]
    assert len(rows) == 3


def test_every_rule_is_declared_whole():
    for rule_id, rule in RULES.items():
        assert rule.id == rule_id
        assert isinstance(rule.severity, Severity) and isinstance(rule.scope, Scope)
        assert isinstance(rule.quarantines, Effect)
        assert rule.message_zh and rule.message_en and rule.title_zh and rule.expected_zh
        assert all(isinstance(fix, Fix) for fix in rule.suggests)
    assert rule_of("poverty_exit_exceeds_remaining") is RULES["cross_rule"]


def test_every_correction_a_rule_may_suggest_is_made_somewhere():
    assert set(advice._FIXES) == set(Fix)


def test_problems_are_listed_heaviest_first():
    ledger = validate_module.Ledger()
    ledger.add(
        "duplicate_identical", "b.csv", village="v", year=2019, name="n", name_en="n", others="x"
    )
    ledger.add("empty_file", "c.csv")
    ledger.add("review_history", "a.csv", text_zh="", text_en="")
    frame = ledger.problems_frame()
    assert list(frame["severity"]) == [s.value for s in Severity]
    assert type(ledger.problems[0]["severity"]) is str  # plain text, as quarantine.csv holds
