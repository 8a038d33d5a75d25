"""What a rule is: its severity, what it is about, what it keeps out, and its words.

The rules themselves are declared by what they are about, in :mod:`analysis.ingest.rules.files`,
:mod:`analysis.ingest.rules.tables` and :mod:`analysis.ingest.rules.side`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    """How much a problem weighs, heaviest first (the order problems are listed in)."""

    ERROR = "error"
    WARNING = "warning"
    #: 核实性审核: read and published, but the value is to be confirmed (never blocks).
    REVIEW = "review"

    @property
    def blocks(self) -> bool:
        """Whether a problem of this severity makes the data not ok (validate exits 1)."""
        return self is Severity.ERROR


class Scope(StrEnum):
    """What a problem is about, and so where it is shown: a cell or a row can be marked in a
    copy and belongs to the village of its row; a column or a sheet belongs to no village; a
    file's problem has no cell to be marked in."""

    CELL = "cell"
    ROW = "row"
    COLUMN = "column"
    SHEET = "sheet"
    FILE = "file"


class Effect(StrEnum):
    """What a problem does to what was read: the widest thing it keeps out."""

    #: Read as it stands (a warning says what to check).
    NONE = "none"
    #: The cell's value is not read; the rest of the row is.
    VALUE = "value"
    #: The column's values are not read.
    COLUMN = "column"
    #: The row is not read: the ledger quarantines it when the problem is recorded.
    ROW = "row"
    #: No row of the sheet is read.
    SHEET = "sheet"
    #: The file is not read.
    FILE = "file"


class Fix(StrEnum):
    """A concrete correction a problem's cell can be given
    (:func:`analysis.ingest.advice.suggestion`), where the problem and its sheet allow it; else
    the rule's ``action_zh`` is said."""

    #: The first of the closest known names the message offers (``是否指：…？``).
    CLOSEST_NAME = "closest_name"
    #: The closest catalog column name the message offers.
    CLOSEST_COLUMN = "closest_column"
    #: The catalog's name for the indicator, when the values are in its unit.
    CATALOG_NAME = "catalog_name"
    #: A blank key under a merged cell: unmerge, and fill every row.
    UNMERGE = "unmerge"
    #: The one year every other row of the column holds.
    YEAR_OF_SHEET = "year_of_sheet"
    #: The one number in a text.
    ONE_NUMBER = "one_number"
    #: The number without its minus sign.
    WITHOUT_MINUS = "without_minus"


@dataclass(frozen=True)
class Rule:
    """One rule, worded once: the problem record's message and what a clerk is told to do.

    ``message_zh`` and ``message_en`` are ``str.format`` templates over the problem's fields;
    the location ("「file」工作表「sheet」第 12 行 D 列") is prefixed. ``title_zh``,
    ``expected_zh``/``expected_en`` and ``action_zh`` are what the marked workbooks (Chinese, the
    clerks' words) and the problems page (either language) say of every problem of the rule.
    """

    id: str
    severity: Severity
    scope: Scope
    #: What the problem keeps out of the data.
    quarantines: Effect
    message_zh: str
    message_en: str
    title_zh: str
    #: What the cell should hold.
    expected_zh: str
    expected_en: str
    #: What to do about it, when the problem has no more concrete suggestion.
    action_zh: str
    #: The file's lines are not its records (a CSV quote never closed): no copy can keep its
    #: rows, so it is corrected as a text file and no marked copy is made.
    breaks_records: bool = False
    #: The corrections that may be suggested, the first that applies.
    suggests: tuple[Fix, ...] = ()
    #: The problem's value is its row's village as written, which the registry does not know:
    #: the row's problems are listed under that name.
    value_is_village: bool = False

    @property
    def village_row(self) -> bool:
        """Whether a problem of this rule is on one row, and so belongs to that row's village."""
        return self.scope in (Scope.CELL, Scope.ROW)
