"""What a clerk is told about a problem: its name, what the cell should hold, what to change.

The marked workbooks (:mod:`analysis.ingest.mark`) and the problems page
(:mod:`analysis.reporting.problems`) take their words from here, and this from each rule's one
declaration in :mod:`analysis.ingest.rules`, so a village reads the same sentence in its workbook
and on the printed 对照表.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd
from openpyxl.utils import column_index_from_string

from analysis import config
from analysis.core.catalog import Catalog, default_catalog
from analysis.core.labels import label
from analysis.ingest.cells import match_headers, parse_year
from analysis.ingest.crossrow import EXIT_RULE_EN, EXIT_RULE_ZH
from analysis.ingest.read import Sheet
from analysis.ingest.rules import RULES, rule_of

_SUGGESTED = re.compile(r"是否指：(.+?)？")
LETTERS = re.compile(r"[A-Z]{1,3}")


def _cross_rules(catalog: Catalog, lang: str) -> dict[str, str]:
    english = lang == "en"
    return {
        "poverty_exit_exceeds_remaining": EXIT_RULE_EN if english else EXIT_RULE_ZH,
        **{rule.id: rule.en if english else rule.zh for rule in catalog.cross_rules},
    }


def rule_text(rule: str, catalog: Catalog | None = None) -> tuple[str, str, str]:
    """(title, expected, advice) of a rule id, in Chinese; a catalog cross rule states its
    relation."""
    own = rule_of(rule)
    return own.title_zh, expected_text(rule, catalog), own.action_zh


def expected_text(rule: str, catalog: Catalog | None = None, lang: str = "zh") -> str:
    """What the cell of a problem of ``rule`` should hold, in ``lang``; for a catalog cross
    rule, its relation."""
    own = rule_of(rule)
    relation = (
        _cross_rules(catalog or default_catalog(), lang).get(rule) if rule not in RULES else ""
    )
    return relation or (own.expected_en if lang == "en" else own.expected_zh)


def cell_ref(row: int, column: str, lang: str = "zh") -> str:
    """Where a problem is, as a clerk finds it: ``D3``, ``第 3 行`` or ``全表``."""
    if row and LETTERS.fullmatch(column or ""):
        return f"{column}{row}"
    return label("problems.row", lang, row=row) if row else label("problems.whole_table", lang)


def problem_text(problem: pd.Series | object, lang: str = "zh") -> str:
    """A problem's message without the location prefix validate puts in front; in English
    the ledger's English message, as it stands."""
    if lang == "en":
        return _get(problem, "message_en")
    file, sheet, row = _get(problem, "file"), _get(problem, "sheet"), int(_get(problem, "row"))
    column, message = _get(problem, "column"), _get(problem, "message_zh")
    where = f"「{file}」" + (f"工作表「{sheet}」" if sheet else "")
    where += (f"第 {row} 行" if row else "") + (f" {column} 列" if column else "")
    return message[len(where) + 1 :] if message.startswith(f"{where}：") else message


def village_label(code: str, name: str, lang: str = "zh") -> str:
    """The group a problem belongs to: the village, a name not in the registry, or none."""
    if code:
        return name or code
    if name:
        return label("problems.unconfirmed", lang, name=name)
    return label("problems.unassigned", lang)


def _get(item: object, name: str) -> str:
    value = item[name] if isinstance(item, pd.Series) else getattr(item, name)
    return "" if value is None or (isinstance(value, float) and value != value) else value


def column_index(letter: str) -> int:
    """``A`` → 0, ``AA`` → 26."""
    return column_index_from_string(letter) - 1


def _only_year(sheet: Sheet, row: int, column: str) -> int | None:
    """The one year every other row of the column holds, if there is exactly one."""
    index = column_index(column)
    if index >= sheet.cells.shape[1]:
        return None
    values = sheet.cells[index].drop(index=row - 1, errors="ignore")
    years, _ = parse_year(values.astype(str))
    found = {int(y) for y in years.dropna() if config.FIRST_YEAR <= y <= config.LAST_YEAR}
    return found.pop() if len(found) == 1 else None


def suggestion(problem: object, sheet: Sheet | None, catalog: Catalog) -> str:
    """What to change, concretely, where the problem and its sheet say: ``改为“青光村”``."""
    rule, value = problem.rule, str(problem.value)
    row, column = int(problem.row), problem.column
    hint = _SUGGESTED.search(problem.message_zh)
    if rule_of(rule).names_closest and hint:
        first, *others = hint.group(1).split("、")
        more = f"（相近的还有：{'、'.join(others)}）" if others else ""
        return f"如指“{first}”，改为“{first}”{more}"
    if rule == "unknown_column" and hint:
        return f"如是“{hint.group(1).split('、')[0]}”，改用该列名；不是指标的列请删除"
    if rule == "unit_mismatch":
        col = match_headers([value], catalog)[0]
        if col.indicator:
            label = catalog[col.indicator].label_zh
            return f"如数值确是“{catalog[col.indicator].unit}”，列名改为“{label}”"
    if rule == "missing_key" and sheet is not None and LETTERS.fullmatch(column):
        index = column_index(column)
        for r0, c0, r1, c1 in sheet.merged:
            if r0 < row - 1 <= r1 and c0 <= index <= c1:
                top = sheet.cells.iat[r0, c0]
                return f"取消合并单元格，每行都填上：本格填“{top}”"
    if rule in ("missing_key", "bad_year", "year_out_of_range") and sheet is not None:
        year = _only_year(sheet, row, column) if LETTERS.fullmatch(column) else None
        if year is not None:
            return f"本表其他行都是 {year} 年；如本行也是，改为“{year}”"
    if rule == "not_a_number":
        numbers = re.findall(r"\d+(?:\.\d+)?", unicodedata.normalize("NFKC", value))
        if len(numbers) == 1:
            return f"如数值是 {numbers[0]}，改为“{numbers[0]}”"
    if rule == "negative_value" and value.startswith("-"):
        return f"如负号是误填，改为“{value[1:]}”"
    return ""


def comment_text(problem: object, advice: str, catalog: Catalog) -> str:
    """The cell comment: what is wrong, what is expected, what to do, the rule."""
    title, expected, default_advice = rule_text(problem.rule, catalog)
    lines = [
        f"【{label(f'severity.{problem.severity}')}】{title}",
        problem_text(problem),
        f"应填：{expected}",
    ]
    if advice or default_advice:
        lines.append(f"建议：{advice or default_advice}")
    lines.append(f"规则：{problem.rule}")
    return "\n".join(lines)
