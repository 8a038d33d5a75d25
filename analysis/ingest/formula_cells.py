"""Formula cells saved without their value, computed where they are arithmetic.

A workbook written by a program (openpyxl, a county system's export) or by WPS with
recalculation off keeps a formula's text but no result; calamine reads such a cell as blank.
Where the formula is arithmetic (``+ - * / ^ %``, numbers, parentheses, ``SUM``, ``ROUND`` and
``ABS``) on cells of the same workbook, the library ``formulas`` (EUPL-1.1+) computes it from the
cells as read, following chains of such formulas; every other one (``IF``, ``VLOOKUP``, a defined
name, another workbook, a text, a loop, an Excel error such as ``#DIV/0!``) is refused with its
reason, so the clerk is told to open and save the file in Excel or WPS. Nothing is guessed: a
cell is either computed as Excel would, or named.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.ingest.cells import column_letter

#: The functions a formula may call and still be computed: sums and rounding of cells.
ARITHMETIC_FUNCTIONS = frozenset({"SUM", "ROUND", "ABS"})

#: A range's cells read at most: a whole column (D:D) is a million cells, refused.
MAX_RANGE_CELLS = 100_000

_REFERENCE = re.compile(
    r"^(?:(?:'(?P<quoted>(?:[^']|'')+)'|(?P<plain>[^'!:\[\]]+))!)?"
    r"\$?(?P<c0>[A-Z]{1,3})\$?(?P<r0>\d+)(?::\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+))?$"
)


@dataclass(frozen=True)
class Refused:
    """A formula that is not computed, and why (Chinese, English)."""

    formula: str
    why_zh: str
    why_en: str


@dataclass
class Computed:
    """What the formulas of a workbook gave: each cell's number, or why it was refused; keys
    are (sheet, row, column), 0-based."""

    values: dict[tuple[str, int, int], float] = field(default_factory=dict)
    refused: dict[tuple[str, int, int], Refused] = field(default_factory=dict)


class _Refusal(Exception):
    def __init__(self, why_zh: str, why_en: str) -> None:
        super().__init__(why_en)
        self.why_zh, self.why_en = why_zh, why_en


def cell_ref(row: int, col: int) -> str:
    """(4, 3) → ``D5``."""
    return f"{column_letter(col)}{row + 1}"


def formula_text(text: str, origin: tuple[int, int], cell: tuple[int, int]) -> str:
    """The formula of ``cell``: ``text`` as written for ``origin``, moved as Excel moves a
    shared formula (``B5/C5`` written for D5 is ``B6/C6`` in D6)."""
    if origin == cell:
        return text
    from openpyxl.formula.translate import Translator

    moved = Translator(f"={text}", origin=cell_ref(*origin)).translate_formula(cell_ref(*cell))
    return moved.removeprefix("=")


def compute(
    grids: Mapping[str, pd.DataFrame],
    formulas: Mapping[str, Mapping[tuple[int, int], tuple[str, tuple[int, int]]]],
) -> Computed:
    """Compute every formula saved without a value.

    Parameters
    ----------
    grids
        Sheet name → its cells as read (``""`` blank), 0-based.
    formulas
        Sheet name → (row, column) → (formula text, the cell it is written for), as
        :class:`analysis.ingest.extent.SheetMarks` holds them.

    Returns
    -------
    Computed
        Each formula cell once: its number, or why it was refused.
    """
    done = Computed()
    by_upper = {name.upper(): name for name in grids}
    pending = {
        (sheet, *cell): formula_text(text, origin, cell)
        for sheet, cells in formulas.items()
        for cell, (text, origin) in cells.items()
    }
    active: set[tuple[str, int, int]] = set()

    def value_of(key: tuple[str, int, int]) -> object:
        """A referenced cell as Excel sees it: a number, a text, or empty."""
        import schedula

        if key in pending:
            evaluate(key)
            if key in done.refused:
                raise _Refusal(
                    f"它引用的 {_where(key)} 也无法计算",
                    f"it refers to {_where(key)}, which cannot be computed either",
                )
            return done.values[key]
        sheet, row, col = key
        grid = grids[sheet]
        if row >= grid.shape[0] or col >= grid.shape[1]:
            return schedula.EMPTY
        value = grid.iat[row, col]
        return schedula.EMPTY if isinstance(value, str) and not value.strip() else value

    def argument(name: str, sheet: str) -> object:
        found = _REFERENCE.match(name)
        if not found:
            raise _Refusal(
                f"引用的“{name}”不是单元格", f"'{name}' it refers to is not a cell reference"
            )
        named = found["quoted"].replace("''", "'") if found["quoted"] else found["plain"]
        target = by_upper.get(named.upper()) if named else sheet
        if target is None:
            raise _Refusal(
                f"引用的工作表“{named}”不在本文件中",
                f"the sheet '{named}' it refers to is not in this file",
            )
        r0, c0 = int(found["r0"]) - 1, _column(found["c0"])
        if found["c1"] is None:
            return value_of((target, r0, c0))
        r1, c1 = int(found["r1"]) - 1, _column(found["c1"])
        rows, cols = range(min(r0, r1), max(r0, r1) + 1), range(min(c0, c1), max(c0, c1) + 1)
        if len(rows) * len(cols) > MAX_RANGE_CELLS:
            raise _Refusal(f"引用的区域 {name} 太大", f"the range {name} it refers to is too large")
        return np.array([[value_of((target, r, c)) for c in cols] for r in rows], dtype=object)

    def evaluate(key: tuple[str, int, int]) -> None:
        if key in done.values or key in done.refused:
            return
        text = pending[key]
        if key in active:
            done.refused[key] = Refused(text, "公式循环引用", "the formula refers to itself")
            return
        active.add(key)
        try:
            done.values[key] = _run(text, key[0], argument)
        except _Refusal as why:
            # A loop through this cell was already said of it: keep that reason.
            done.refused.setdefault(key, Refused(text, why.why_zh, why.why_en))
        finally:
            active.discard(key)

    for key in pending:
        evaluate(key)
    return done


def _run(text: str, sheet: str, argument) -> float:
    """One formula's number, its references given by ``argument(name, sheet)``."""
    import formulas
    from formulas.tokens.function import Function
    from formulas.tokens.operand import Range, String

    try:
        tokens, builder = formulas.Parser().ast(f"={text}")
    except Exception:  # the library's own parse errors have no common base
        raise _Refusal("公式无法解析", "the formula cannot be parsed") from None
    for token in tokens:
        if isinstance(token, Function) and token.name.upper() not in ARITHMETIC_FUNCTIONS:
            raise _Refusal(
                f"公式用到函数 {token.name}，不是单纯的四则运算",
                f"it calls {token.name}, not plain arithmetic",
            )
        if isinstance(token, String):
            raise _Refusal("公式中有文字", "it holds text")
        if isinstance(token, Range) and "[" in token.name:
            raise _Refusal("公式引用了其他文件", "it refers to another file")
    function = builder.compile()
    result = function(*(argument(name, sheet) for name in function.inputs))
    value = np.asarray(result, dtype=object)
    if value.size != 1:
        raise _Refusal("公式的结果不是一个数", "its result is not one number")
    number = value.reshape(-1)[0]
    if isinstance(number, bool) or not isinstance(number, int | float | np.number):
        raise _Refusal(f"公式的结果为 {number}", f"its result is {number}")
    if not math.isfinite(float(number)):
        raise _Refusal("公式的结果不是有限的数", "its result is not a finite number")
    return float(number)


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1


def _where(key: tuple[str, int, int]) -> str:
    return cell_ref(key[1], key[2])
