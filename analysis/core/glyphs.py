"""Rare characters (生僻字) and their component spellings.

Village names in the national division codes hold characters outside the Basic Multilingual
Plane (CJK Extension B and later: 小𣵦村委会, 东于𨟠村委会). A GBK file cannot hold them, so the
statistics bureau and the clerks spell such a character by its components in full-width
brackets: 𣵦 is written （氵甸）, so 小（氵甸）村委会. ``rare_characters.csv`` beside this module is
the one table of these spellings: a name in either form matches the other (the registry folds
both to the character), and a picture drawn where no installed font has the character shows the
component form instead of an empty box.

The office extends the table by adding a row: the character, its code point (``U+23D66``), its
components as the bureau writes them between the brackets, and an example name.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

#: A character of CJK Extension A, or of planes 2 and 3 (Extensions B to I): one that the
#: everyday fonts of offices (Microsoft YaHei, 仿宋_GB2312, Noto Sans SC) may lack.
RARE_IDEOGRAPH = re.compile("[\u3400-\u4dbf\U00020000-\U0003ffff]")
#: Windows' font of Extension B, named where a document sets a rare character's font.
WINDOWS_EXT_B_FONT = "SimSun-ExtB"
#: The equivalence table: character, code point, components, an example name.
TABLE = Path(__file__).with_name("rare_characters.csv")
#: The brackets a component spelling stands in (full width as written; ASCII once NFKC-folded).
_OPEN, _CLOSE = "（", "）"


@cache
def component_forms() -> dict[str, str]:
    """Each rare character of the table to its components, as the bureau writes them between
    brackets: ``{"𣵦": "氵甸"}``. A row whose code point is not its character's is a bug in the
    table and stops here."""
    forms: dict[str, str] = {}
    with TABLE.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            char, components = row["character"].strip(), row["components"].strip()
            if len(char) != 1 or f"U+{ord(char):04X}" != row["code_point"].strip().upper():
                raise ValueError(f"{TABLE.name}: {row['character']!r} is not {row['code_point']}")
            forms[char] = components
    return forms


def spelled_out(char: str) -> str:
    """The component form of a rare character as a name shows it: 𣵦 → （氵甸）."""
    return f"{_OPEN}{component_forms()[char]}{_CLOSE}"


@cache
def _components_pattern() -> re.Pattern[str] | None:
    forms = component_forms()
    if not forms:
        return None
    alternatives = "|".join(re.escape(parts) for parts in sorted(forms.values(), key=len)[::-1])
    return re.compile(rf"[(（]({alternatives})[)）]")


def fold_components(text: str) -> str:
    """``text`` with every component spelling of the table written as its character:
    小（氵甸）村委会 and 小(氵甸)村委会 → 小𣵦村委会; other bracketed text is left alone."""
    pattern = _components_pattern()
    if pattern is None or ("(" not in text and _OPEN not in text):
        return text
    return pattern.sub(lambda m: _characters_by_components()[m.group(1)], text)


@cache
def _characters_by_components() -> dict[str, str]:
    """The table read the other way: ``{"氵甸": "𣵦"}``."""
    return {parts: char for char, parts in component_forms().items()}
