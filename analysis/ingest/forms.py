"""The shapes of the forms offices send, and their header blocks.

A sheet is read in one of two shapes:

``wide``
    one row per village (and year), one column per indicator, under a header of one row or a
    grouped header of up to four rows (脱贫攻坚 merged over 未脱贫户数 / 未脱贫人口 / 脱贫户数;
    序号 and 村（居）名称 merged down). Title rows, a 填报单位 row above, 合计 rows and a
    填表人 / 审核人 footer below are structural.
``long``
    one row per village, year and indicator: 村名, 年份, 指标, 数值 (and optionally 单位); the
    indicator is named as in the catalog (aliases and units in brackets included).

Anything else (years as columns, one sheet per indicator, a header no column of which is known)
is refused with a message that says what was seen and which shapes are read.

A grouped header is read column by column, top to bottom: the group and the sub-header
together. A sub-header that only says how something is counted (户数, 人口, 人数) is matched
only together with its group (``未脱贫情况/户数`` in the catalog's aliases), never to the bare
indicator of that name: 户数 under 未脱贫情况 are the poor households, not all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from analysis.core.catalog import Catalog, header_unit, normalise_header
from analysis.ingest.cells import (
    Column,
    cell_text,
    find_header_row,
    is_totals_label,
    key_index,
    match_header,
    parse_cells,
)

#: Sub-headers that say how something is counted, not what: never matched without their group.
GENERIC_SUBHEADERS = frozenset(
    normalise_header(word)
    for word in ("户数", "户", "人口", "人数", "人", "数量", "数", "个数", "金额", "资金", "面积")
)

#: Form rows that are not data: the reporting unit, signatures, dates, notes.
FORM_NOTE = re.compile(
    r"^\s*(填报单位|填表单位|报送单位|填报人|填表人|制表人|审核人|审核|负责人|单位负责人|"
    r"统计负责人|联系人|联系电话|电话|填报日期|填表日期|报送日期|日期|注|说明|备注)\s*[:：（(\s]"
)

#: A grouped header is at most this deep.
MAX_HEADER_ROWS = 4

#: Column roles of the long form, by normalised header spelling.
LONG_ALIASES = {
    "indicator_name": ("指标", "指标名称", "指标项", "统计指标", "indicator"),
    "value": ("数值", "值", "指标值", "数据", "填报值", "填报数", "数量", "value"),
    "unit": ("单位", "计量单位", "unit"),
}

#: What the clerk is told is read, when a sheet is in another shape.
SHAPES_ZH = (
    "可读取的表格形式：① 宽表：每行一个村（及年度），每列一个指标，表头可为一行或多行合并表头；"
    "② 长表：村名、年度、指标、数值四列。"
)
SHAPES_EN = (
    "shapes read: (1) wide: one row per village (and year), one column per indicator, under a "
    "header of one or more (merged) rows; (2) long: village, year, indicator, value columns."
)

_YEAR_HEADER = re.compile(r"^(19|20)\d{2}(年度?|年末|年底)?$")
_TITLE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")


@dataclass(frozen=True)
class HeaderBlock:
    """The header of a wide sheet: rows ``top``–``bottom`` (0-based), each column's texts from
    top to bottom with merged cells filled in and repeats dropped."""

    top: int
    bottom: int
    labels: list[list[str]]


def find_header_block(
    cells: pd.DataFrame, merged: list[tuple[int, int, int, int]], catalog: Catalog
) -> HeaderBlock | None:
    """The header block of a sheet. Its key row is the first with two known header cells; the
    rows above belong to it while they hold groups (text over the figure columns only, none
    over a key column: a title or a 填报单位 line starts over the keys), the rows below while a
    merged cell of the block reaches them or they read as sub-headers (text only, no village
    named, under a group)."""
    first = find_header_row(cells, catalog)
    if first is None:
        return None
    keys = key_index()
    roles = [keys.get(normalise_header(cell_text(v).strip())) for v in cells.iloc[first]]
    key_cols = [
        j for j, role in enumerate(roles) if role in ("village", "code", "year", "seq", "town")
    ]
    top = first
    while (
        top > 0
        and first - top + 1 < MAX_HEADER_ROWS
        and _is_group_row(cells.iloc[top - 1], key_cols)
    ):
        top -= 1
    text = cells.iloc[top : top + MAX_HEADER_ROWS].map(lambda v: cell_text(v).strip())
    filled = _fill_merged(text, merged, top)
    depth = max((r1 - top for r0, _c0, r1, _c1 in merged if top <= r0 <= first), default=0)
    bottom = max(first, top + min(depth, MAX_HEADER_ROWS - 1, len(text) - 1))
    village_cols = [j for j, role in enumerate(roles) if role in ("village", "code")]
    spanned = (filled.iloc[: first - top + 1] != text.iloc[: first - top + 1]).any(axis=0)
    blank_above = (text.iloc[: first - top + 1] == "").any(axis=0)
    while bottom + 1 < top + len(text) and _is_subheader(
        cells.iloc[bottom + 1], village_cols, spanned | blank_above
    ):
        bottom += 1
    block = _fill_groups(filled.iloc[: bottom - top + 1], keys)
    labels = []
    for j in range(block.shape[1]):
        parts: list[str] = []
        for value in block[block.columns[j]]:
            if value and (not parts or parts[-1] != value):
                parts.append(value)
        labels.append(parts)
    return HeaderBlock(top, bottom, labels)


def _is_group_row(row: pd.Series, key_cols: list[int]) -> bool:
    """A row above the key row that names groups: text only, nothing over a key column."""
    values = [cell_text(v).strip() for v in row]
    filled = [j for j, v in enumerate(values) if v]
    if not filled or any(j in key_cols for j in filled) or FORM_NOTE.match(values[filled[0]]):
        return False
    return not (parse_cells(row.iloc[filled].reset_index(drop=True))["state"] == "ok").any()


def _fill_merged(
    text: pd.DataFrame, merged: list[tuple[int, int, int, int]], top: int
) -> pd.DataFrame:
    """Every cell of a merged range inside the block holds the range's text."""
    filled = text.copy()
    last = top + len(text) - 1
    for r0, c0, r1, c1 in merged:
        if r0 < top or r0 > last or c0 >= text.shape[1]:
            continue
        value = text.iat[r0 - top, c0]
        for r in range(r0, min(r1, last) + 1):
            for c in range(c0, min(c1, text.shape[1] - 1) + 1):
                filled.iat[r - top, c] = value
    return filled


def _is_subheader(row: pd.Series, village_cols: list[int], under_group: pd.Series) -> bool:
    """A row below the header that refines it: at least two text cells, no number, no village,
    not a totals or form note, and at least one cell under a group (``under_group``: columns
    whose header above is merged across or left blank)."""
    values = [cell_text(v).strip() for v in row]
    filled = [j for j, v in enumerate(values) if v]
    if len(filled) < 2 or any(values[j] for j in village_cols):
        return False
    if (parse_cells(row.iloc[filled].reset_index(drop=True))["state"] == "ok").any():
        return False
    if is_totals_label(pd.Series([values[filled[0]]])).iat[0]:
        return False
    if FORM_NOTE.match(values[filled[0]]):
        return False
    return any(under_group.iat[j] for j in filled if j < len(under_group))


def _fill_groups(block: pd.DataFrame, keys: dict[str, str]) -> pd.DataFrame:
    """Without merge information (.ods), a group's text sits in the first cell of its span:
    a blank cell takes the text on its left when a row below has a sub-header in its column."""
    filled = block.copy()
    for r in range(len(block) - 1):
        for k in range(1, block.shape[1]):
            left = filled.iat[r, k - 1]
            if (
                not filled.iat[r, k]
                and left
                and normalise_header(left) not in keys
                and (block.iloc[r + 1 :, k] != "").any()
            ):
                filled.iat[r, k] = left
    return filled


def match_block(block: HeaderBlock, catalog: Catalog) -> list[Column]:
    """Each column of a header block as a key role, a catalog indicator, or unknown."""
    keys, headers = key_index(), catalog.header_index()
    columns = []
    for j, parts in enumerate(block.labels):
        if not parts:
            columns.append(Column(j, "", None))
            continue
        label = " ".join(parts)
        sub, groups = parts[-1], parts[:-1]
        bare = match_header(j, sub, keys, headers)
        found = None
        if bare.role is not None and bare.role != "indicator":
            found = bare
        for group in reversed(groups):
            if found is not None:
                break
            qualified = f"{normalise_header(group)}/{normalise_header(sub)}"
            if qualified in headers:
                unit = header_unit(sub) or header_unit(group)
                found = Column(j, label, "indicator", headers[qualified], unit)
        if found is None and groups and normalise_header(sub) in GENERIC_SUBHEADERS:
            found = Column(j, label, None, None, header_unit(sub))
        if found is None:
            found = bare
        columns.append(
            Column(found.index, label, found.role, found.indicator, found.unit)
            if found.header != label
            else found
        )
    return columns


def years_as_columns(labels: list[list[str]]) -> list[str]:
    """The header texts that are years (2014年, 2015 …), when there are two or more: a sheet
    with years across is a shape that is not read."""
    found = [parts[-1] for parts in labels if parts and _YEAR_HEADER.match(parts[-1])]
    return found if len(found) >= 2 else []


def long_form_columns(labels: list[list[str]]) -> dict[str, int]:
    """Role → column of the long form's 指标 / 数值 / 单位 columns (empty unless both 指标 and
    数值 are there)."""
    wanted = {
        normalise_header(alias): role for role, aliases in LONG_ALIASES.items() for alias in aliases
    }
    found: dict[str, int] = {}
    for j, parts in enumerate(labels):
        role = wanted.get(normalise_header(parts[-1])) if len(parts) == 1 else None
        if role and role not in found:
            found[role] = j
    return found if {"indicator_name", "value"} <= set(found) else {}


@dataclass(frozen=True)
class TitleYear:
    """The year a sheet's title names, the title, and its Excel row."""

    year: int
    title: str
    row: int


def title_year(cells: pd.DataFrame) -> TitleYear | None:
    """The one year named in the title rows above a header (大桥镇2019年度…统计表); None when
    there is none or more than one. Dates (填报日期：2020年1月) do not count."""
    years: set[int] = set()
    first: tuple[str, int] | None = None
    for i, row in enumerate(cells.itertuples(index=False)):
        for value in row:
            text = cell_text(value).strip()
            if not text or FORM_NOTE.match(text) or "日期" in text:
                continue
            found = _TITLE_YEAR.findall(text)
            if found:
                years.update(int(y) for y in found)
                first = first or (text, i + 1)
    if len(years) != 1 or first is None:
        return None
    return TitleYear(years.pop(), *first)


def first_text_row(cells: pd.DataFrame, limit: int = 8) -> tuple[int, str] | None:
    """The first row holding two or more cells, as Excel row and its first texts (for telling
    the clerk what was seen where a header was expected)."""
    for i, row in enumerate(cells.head(30).itertuples(index=False)):
        texts = [cell_text(v).strip() for v in row if cell_text(v).strip()]
        if len(texts) >= 2:
            shown = "、".join(texts[:limit]) + ("…" if len(texts) > limit else "")
            return i + 1, shown
    return None
