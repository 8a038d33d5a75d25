"""The rules a raw file is checked against: one :class:`Rule` a rule, everything said of it.

Nothing here runs a check (the table, cross-row and side-table checkers do, and the ledger
records what they find). A rule's record is all the rest of the package knows of it: the ledger
words the problem from it, the marked workbooks colour, place and comment it, the problems page
and the advice say what the cell should hold. So adding a check is adding its :class:`Rule` to the
``DECLARED`` rules of the module it belongs with (:mod:`~analysis.ingest.rules.files`,
:mod:`~analysis.ingest.rules.tables`, :mod:`~analysis.ingest.rules.side` or
:mod:`~analysis.ingest.rules.review`) and the checker that
calls ``ledger.add(rule_id, …)``; nothing else.

Severity
--------
``error``: something was not ingested (a row, a cell, a column, a file). ``warning``: ingested,
but a person should look (identical duplicates, a totals row that does not add up, rates given
as fractions, a geometry repaired). ``review``: read, but a value its own history or its town's
villages make implausible (:mod:`analysis.ingest.review`), to be corrected or confirmed with a
核实说明; it never blocks, and is never silent. ``minsheng validate`` exits 1 when there is a problem of a
severity that :attr:`Severity.blocks`. Problems are listed in the order of :class:`Severity`.
"""

from __future__ import annotations

from analysis.ingest.rules import files, review, side, tables
from analysis.ingest.rules.rule import Effect, Fix, Rule, Scope, Severity

__all__ = ["CROSS_RULE", "RULES", "Effect", "Fix", "Rule", "Scope", "Severity", "rule_of"]

_DECLARED = (*files.DECLARED, *tables.DECLARED, *side.DECLARED, *review.DECLARED)
#: rule id → its rule.
RULES: dict[str, Rule] = {rule.id: rule for rule in _DECLARED}
assert len(RULES) == len(_DECLARED), "two rules share an id"

#: The rule a catalog cross rule's problem is worded by: such a problem carries the catalog
#: rule's own id (``rule_id``), which is not in :data:`RULES`.
CROSS_RULE = RULES["cross_rule"]


def rule_of(rule_id: str) -> Rule:
    """The rule of a problem's ``rule`` id: its own, or :data:`CROSS_RULE` for a catalog cross
    rule's id."""
    return RULES.get(rule_id, CROSS_RULE)
