"""The rules of the plausibility review (核实性审核, :mod:`analysis.ingest.review`) and of the
explanations that confirm its flags (核实说明, :mod:`analysis.ingest.explanations`).

A review flag is worded by the review itself (the village, the year, the typo it suspects, the
earlier years and the range expected), so its rule's templates pass that text through.
"""

from __future__ import annotations

from analysis.ingest.rules.rule import Effect, Rule, Scope, Severity

_CONFIRM_ZH = "核实数值；如无误，在“核实说明”栏或核实说明表中写明原因"
_EXPECTED_ZH = "核实后的数值；如无误，填写核实说明"
_EXPECTED_EN = "the value checked; if it is right, a written explanation (核实说明)"


def _flag(rule_id: str, title_zh: str) -> Rule:
    return Rule(
        rule_id,
        Severity.REVIEW,
        Scope.CELL,
        Effect.NONE,
        message_zh="{text_zh}",
        message_en="{text_en}",
        title_zh=f"待核实：{title_zh}",
        expected_zh=_EXPECTED_ZH,
        expected_en=_EXPECTED_EN,
        action_zh=_CONFIRM_ZH,
    )


def _explanation(rule_id: str, message_zh: str, message_en: str, title_zh: str) -> Rule:
    return Rule(
        rule_id,
        Severity.WARNING,
        Scope.ROW,
        Effect.NONE,
        message_zh=message_zh + "该条核实说明未采用。",
        message_en=message_en + " The explanation was not used.",
        title_zh=title_zh,
        expected_zh="名录中的村、指标目录中的指标、与数据相同的数值",
        expected_en="a village of the registry, a catalog indicator, the value in the data",
        action_zh="按数据核对该行的村、年度、指标和数值",
    )


DECLARED: tuple[Rule, ...] = (
    _flag("review_history", "与往年相比变化异常"),
    _flag("review_peers", "与本镇各村相差悬殊"),
    _flag("review_stock_fell", "累计数比上年减少"),
    _explanation(
        "explanation_unknown_village",
        "核实说明中的村“{value}”不在名录中{hint_zh}。",
        "village '{value}' of the explanations is not in the registry{hint_en}.",
        "核实说明：村不在名录中",
    ),
    _explanation(
        "explanation_unknown_indicator",
        "核实说明中的指标“{value}”不在指标目录中。",
        "indicator '{value}' of the explanations is not in the catalog.",
        "核实说明：指标不在目录中",
    ),
    _explanation(
        "explanation_value_not_in_data",
        "核实说明给出的数值 {value} 与数据不符（数据中为 {found}）。",
        "the explanations give {value}, but the data hold {found}.",
        "核实说明：数值与数据不符",
    ),
    _explanation(
        "explanation_not_flagged",
        "核实说明所说明的数值（{what_zh}）现已不在待核实之列，无需核实说明。",
        "the value it explains ({what_en}) is no longer flagged by the review: "
        "there is nothing to confirm.",
        "核实说明：数值已无需核实",
    ),
    _explanation(
        "explanation_cell_not_accepted",
        "问题清单中的核实说明所指的单元格（工作表「{place_sheet}」{place_cell}）中没有采用的数值。",
        "the cell this 问题清单 explanation is for ([{place_sheet}] {place_cell}) holds no "
        "accepted value.",
        "核实说明：单元格中没有采用的数值",
    ),
    _explanation(
        "explanation_incomplete",
        "核实说明缺少{missing_zh}。",
        "the explanation lacks {missing_en}.",
        "核实说明：缺少内容",
    ),
)
