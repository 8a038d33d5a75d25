"""The one number formatter: every figure on a page, in the written summary and in Word.

The catalog decides how a figure is written, so that the same figure reads the same wherever
it appears (86.4%, 335.26万元, 1544人次):

* in a sentence, a figure with the decimals of its indicator, as GB/T 15835 sets one figure
  beside another: whole numbers for counts and 元, one decimal for rates (and their changes, in
  percentage points: 86.0% beside 81.6%), two for 万元, 亩, km and other amounts (101.00亩);
  thousands grouped in English only (1544人次 / 1,544 visits). A large Chinese figure reads as
  a reader says it, in 万 or 亿 (1314871人 → 131.5万人, 1400000元 → 140.00万元, 13500万元 →
  1.35亿元); a table gives it in full;
* in a table's column of figures (``context="column"``), as GB/T 15835 sets a table: every
  decimal of the indicator kept (82.0 beside 81.6) and thousands grouped in both languages
  (1,314,871), so that a Chinese table and its English twin read alike;
* English has no 万: a 万元 figure written with its unit is given in yuan (335.26万元 →
  3,352,600 yuan, exact for the two decimals a 万元 figure carries); in a table whose header
  names the unit (10k yuan) the number stays as it is.

A unit alone (``"万元"``, ``"户"``) stands for the catalog's indicators measured in it, for
figures that belong to no indicator (a project's funds, a chart's target line).
"""

from __future__ import annotations

import math
import re
from functools import cache

from analysis.core import labels
from analysis.core.catalog import Indicator, default_catalog

#: What a figure is: a catalog indicator, or a unit standing for the indicators measured in it.
Measure = Indicator | str

MISSING = "—"
#: Decimals of a unit no catalog indicator uses.
DEFAULT_DECIMALS = 2
#: Thousands grouping in a sentence, by language: 1544人次 / 1,544 visits (a table's column
#: groups in both).
GROUPING = {"zh": False, "en": True}
#: How a figure is written: in a sentence (``level``, a figure or a change of it), as an error
#: or spread (``spread``), in a table's column of figures (``column``) or on a chart's axis
#: (``axis``: grouped as a table is, every tick with the decimals its step needs).
CONTEXTS = ("level", "spread", "column", "axis")
#: Between a number and its unit word: 1544人次 / 1,544 visits (never before % or a bare count).
UNIT_SPACE = {"zh": "", "en": " "}
#: Units a language does not write, as (factor, the unit written): English has no 万.
WRITTEN_AS = {"zh": {}, "en": {"万元": (10_000, "元")}}
#: How a sentence says a large Chinese figure, by unit, largest first: from this size on
#: (in the unit), divided by the factor, written with the unit word and these decimals. 元 go
#: to 万元 from a million on, so that a township's 190905元 stays as its documents write it.
LARGE = {
    "元": ((100_000_000, 100_000_000, "亿元", 2), (1_000_000, 10_000, "万元", 2)),
    "万元": ((10_000, 10_000, "亿元", 2),),
    **{
        unit: ((100_000_000, 100_000_000, f"亿{unit}", 2), (100_000, 10_000, f"万{unit}", 1))
        for unit in ("户", "人", "人次", "亩")
    },
}


def _indicator_decimals(ind: Indicator) -> int:
    if ind.integer or ind.unit == "元":
        return 0
    if ind.kind == "rate":
        return 1
    return 2


@cache
def _unit_decimals(unit: str) -> int:
    found = [_indicator_decimals(i) for i in default_catalog() if i.unit == unit]
    return max(found) if found else DEFAULT_DECIMALS


def _unit(what: Measure) -> str:
    return what if isinstance(what, str) else what.unit


def _is_rate(what: Measure) -> bool:
    return what == "%" if isinstance(what, str) else what.kind == "rate"


def decimals(what: Measure) -> int:
    """The decimals a figure of ``what`` is written with (at most; trailing zeros go)."""
    return _unit_decimals(what) if isinstance(what, str) else _indicator_decimals(what)


def _missing(value: float | None) -> bool:
    return value is None or not math.isfinite(float(value))


def _trim(value: float, places: int, grouping: bool, *, trim: bool = True) -> str:
    """``value`` with at most ``places`` decimals and no trailing zeros (21.50 → 21.5); with
    exactly ``places`` where ``trim`` is false (21.50)."""
    text = f"{value:,.{places}f}" if grouping else f"{value:.{places}f}"
    if re.fullmatch(r"-0(\.0*)?", text):
        text = text[1:]
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def number(
    value: float | None,
    what: Measure,
    lang: str = "zh",
    *,
    context: str = "level",
    places: int | None = None,
) -> str:
    """The bare number of a figure, in the unit of ``what``: 1544, 86.4, 335.26 (— if missing).

    Parameters
    ----------
    value
        The figure; None or NaN gives "—".
    what
        The indicator (or unit) the figure measures: it decides the decimals.
    lang
        ``"zh"`` or ``"en"`` (thousands grouped in both).
    context
        ``"level"`` for a figure or a change of it; ``"spread"`` for an error or spread of a
        count, which keeps one decimal (a back-test error of 0.4 households is not 0);
        ``"column"`` for a figure in a table's column: every decimal of its indicator kept
        (82.0 beside 81.6) and thousands grouped in both languages; ``"axis"`` for a chart's
        tick, grouped, with exactly ``places`` decimals (1,400,000; 82.5 beside 85.0).
    places
        At least this many decimals, trailing zeros dropped: a reconciliation shows a figure
        to the precision it was checked at.
    """
    labels.check_lang(lang)
    if context not in CONTEXTS:
        raise ValueError(f"context must be one of {CONTEXTS}, not {context!r}")
    if _missing(value):
        return MISSING
    digits = decimals(what)
    if context == "spread":
        digits = max(digits, 1)
    if context == "axis" and places is not None:
        digits = places
    elif places is not None:
        digits = max(digits, places)
    fixed = context in ("column", "axis")
    # An error or spread is no figure of the indicator (0.4户, not 0.40户), and a figure
    # checked to a precision is written to it (197亩 against a published 197).
    trim = not fixed and (context == "spread" or places is not None)
    return _trim(float(value), digits, grouping=fixed or GROUPING[lang], trim=trim)


def _written(value: float, what: Measure, lang: str) -> tuple[float, Measure]:
    """The value and measure a language writes a figure in (335.26 万元 → 3352600 元)."""
    factor, unit = WRITTEN_AS[labels.check_lang(lang)].get(_unit(what), (1, what))
    return float(value) * factor, unit


def _large(size: float, what: Measure, lang: str, context: str) -> tuple[float, str, int] | None:
    """(factor, unit word, decimals) a sentence says a figure of this size in: 万 or 亿 for a
    large Chinese figure (131.5万人); None for any other."""
    if lang != "zh" or context != "level":
        return None
    for least, factor, word, places in LARGE.get(_unit(what), ()):
        if abs(size) >= least:
            return factor, word, places
    return None


def figure(
    value: float | None,
    what: Measure,
    lang: str = "zh",
    *,
    context: str = "level",
    places: int | None = None,
) -> str:
    """The figure with its unit: 1544人次, 86.4%, 335.26万元, 131.5万人 / 1,544 visits, 3,352,600
    yuan.

    ``context`` and ``places`` as in :func:`number`: ``"spread"`` keeps one decimal of a count
    (a pace of 2.7 works a year is not 3); ``places=0`` writes a round figure chosen to mark a
    scale with the decimals it has (a legend's 100亩).
    """
    if _missing(value):
        return MISSING
    value, what = _written(value, what, lang)
    large = _large(value, what, lang, context)
    if large is not None:
        factor, word, places = large
        return _trim(value / factor, places, grouping=False, trim=False) + word
    text = number(value, what, lang, context=context, places=places)
    word = labels.unit_word(_unit(what), lang, one=text == "1")
    space = UNIT_SPACE[lang] if word not in ("", "%") else ""
    return f"{text}{space}{word}"


def change(
    value: float,
    what: Measure,
    lang: str = "zh",
    *,
    unit: bool = True,
    signed: bool = False,
    context: str = "level",
) -> str:
    """A difference between two figures: percentage points for rates, else the figure's unit.

    ``unit=False`` leaves out the unit a table header already names (a rate's points stay);
    ``signed`` writes +1.2个百分点 / -3户 rather than the size of the change alone; ``context``
    as in :func:`number` (``"column"``: the change in a table, written as its figures are).
    """
    if _missing(value):
        return MISSING
    size = abs(float(value))
    if _is_rate(what):
        text = labels.label("change.points", lang, n=number(size, what, lang, context=context))
    elif unit:
        text = figure(size, what, lang, context=context)
    else:
        text = number(size, what, lang, context=context)
    if signed and not is_zero(value, what):
        return ("+" if value > 0 else "-") + text
    return text


def error(value: float | None, what: Measure, lang: str = "zh") -> str:
    """An error or spread of a figure, with its unit: 0.4个百分点 for a rate, 659元, 0.4户 (a
    back-test error of 0.4 households is not 0)."""
    return change(value, what, lang, context="spread")


def interval(lower: float, upper: float, what: Measure, lang: str = "zh") -> str:
    """A range: 86.9%–89.3% (percentages each with its sign), 1–3个, 64.39–65.54公里."""
    if _missing(lower) or _missing(upper):
        return MISSING
    if _unit(what) == "%":
        return f"{figure(lower, what, lang)}–{figure(upper, what, lang)}"
    upper_written, unit = _written(upper, what, lang)
    large = _large(upper_written, unit, lang, "level")
    if large is not None:  # both ends in the upper's 万 or 亿: 12.5–13.1万人
        factor, word, places = large
        ends = (_written(end, what, lang)[0] / factor for end in (lower, upper))
        return "–".join(_trim(end, places, grouping=False, trim=False) for end in ends) + word
    return f"{number(*_written(lower, what, lang), lang)}–{figure(upper, what, lang)}"


def is_zero(value: float, what: Measure) -> bool:
    """True when ``value`` is written as zero, so that 增加0户 is never written."""
    return float(number(abs(value), what, "en").replace(",", "")) == 0


def percent(fraction: float | None) -> str:
    """A fraction as a whole percentage: a share (15%) or an interval's level (80%)."""
    return MISSING if _missing(fraction) else f"{fraction:.0%}"


def probability(p: float | None) -> str:
    """A probability: 23%; never 0% or 100%, which a model cannot promise (<1%, >99%)."""
    if _missing(p):
        return MISSING
    if p < 0.01:
        return "<1%"
    if p > 0.99:
        return ">99%"
    return f"{p:.0%}"


def ratio(value: float | None) -> str:
    """A ratio of progress (ESCAP's measure, Eurostat's ratio), to two decimals: 0.85."""
    return MISSING if _missing(value) else f"{value:.2f}"
