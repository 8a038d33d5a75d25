"""The keys of a village row: which village (by code or name) and which year.

Shared by both shapes of village table: the rows below the header are classified (blank,
totals, repeated header, note, candidate), a candidate's village and year resolved, and every
unusable key reported once, with a hint (a blank name under a filled one is likely a merged
cell).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis import config
from analysis.core.catalog import normalise_header
from analysis.core.labels import label
from analysis.ingest import forms
from analysis.ingest.cells import (
    TOTALS_PATTERN,
    TOWN_TOTALS_PATTERN,
    Column,
    cell_text,
    distinct_cells,
    key_index,
    parse_year,
    totals_text,
)
from analysis.ingest.read import Sheet
from analysis.ingest.registry import normalise_code, suggestion_hints, village_problem
from analysis.ingest.run import Run

#: What the missing key is called, for messages.
_KEY_NAMES = {
    "village": ("村（居）名称或村代码", "village name or code"),
    "year": ("年度", "year"),
}

_MERGED_HINT = (
    "疑似合并单元格：请取消合并，在每一行都填上村名。",
    "Looks like a merged cell: unmerge it and fill the name in every row.",
)


@dataclass
class Rows:
    """The data rows below the header and what each is (one entry per row, in sheet order)."""

    data: pd.DataFrame
    excel_rows: np.ndarray
    blank: np.ndarray
    totals: np.ndarray
    repeated_header: np.ndarray
    note: np.ndarray
    candidate: np.ndarray
    village_blank: np.ndarray
    year_blank: np.ndarray
    #: the label of each totals row (合计, 大桥镇小计, 大桥镇), "" elsewhere
    totals_label: np.ndarray | None = None


@dataclass
class Keys:
    """Each data row's village (code, resolution status, as shown, column), year, and town
    (its code where a 乡镇 column names one; status ``town_unknown``/``town_ambiguous`` where
    that cell names no single town)."""

    codes: pd.Series
    status: pd.Series
    shown: pd.Series
    letter: pd.Series
    years: pd.Series
    years_ok: np.ndarray
    towns: pd.Series | None = None


def classify_rows(
    data: pd.DataFrame,
    blank: np.ndarray,
    header: int,
    columns: list[Column],
    first_of: dict[str, Column],
    value_idx: list[int],
    run: Run,
    sheet_year: forms.TitleYear | None,
) -> Rows:
    """Which data rows are blank, totals (合计, or the town's own name), a repeated header, a
    note (a form's 填表人 / 审核人 / 注 line, or text with no figures and no complete key) or a
    village candidate. ``header`` is the header block's last row (0-based); ``value_idx`` the
    columns that hold figures."""
    n = len(data)
    village_col, code_col, year_col = (first_of.get(r) for r in ("village", "code", "year"))
    totals, totals_label = _totals(data, columns, first_of, value_idx, run)
    repeated_header = np.zeros(n, bool)
    if year_col is not None:
        keys = key_index()
        # Years repeat: each distinct cell is looked at once.
        codes, distinct = pd.factorize(data[year_col.index].astype(object))
        said_year = np.array(
            [keys.get(normalise_header(cell_text(v))) == "year" for v in distinct] + [False]
        )
        repeated_header = said_year[codes]
    has_values = (data[value_idx] != "").any(axis=1).to_numpy() if value_idx else np.zeros(n, bool)
    village_idx = [c.index for c in (village_col, code_col) if c is not None]
    village_blank = (
        (data[village_idx] == "").all(axis=1).to_numpy() if village_idx else np.ones(n, bool)
    )
    year_blank = (
        (data[year_col.index] == "").to_numpy()
        if year_col is not None
        else np.full(n, sheet_year is None)
    )
    structural = blank | totals | repeated_header
    # Rows without figures are few: only they are looked at for a form's note.
    form_note = np.zeros(n, bool)
    for pos in np.flatnonzero(~structural & ~has_values):
        first = next((cell_text(v) for v in data.iloc[pos] if v != ""), "")
        form_note[pos] = bool(forms.FORM_NOTE.match(first))
    note = ~structural & ~has_values & (village_blank | year_blank | form_note)
    return Rows(
        data=data,
        excel_rows=np.arange(header + 2, header + 2 + n),
        blank=blank,
        totals=totals,
        totals_label=totals_label,
        repeated_header=repeated_header & ~totals,
        note=note,
        candidate=~structural & ~note,
        village_blank=village_blank,
        year_blank=year_blank,
    )


def _totals(
    data: pd.DataFrame,
    columns: list[Column],
    first_of: dict[str, Column],
    value_idx: list[int],
    run: Run,
) -> tuple[np.ndarray, np.ndarray]:
    """Which rows are totals, and the label that says so. The word (合计, 小计, 总计, 大桥镇小计)
    is looked for in every column before the figures and in the key columns, wherever a form
    puts it (under 乡镇, 序号 or the village's name); the town's own name alone (大桥镇) marks a
    totals row only where a village or its number is written, never under 乡镇, where every
    row names its town."""
    n = len(data)
    labels = run.registry.totals_labels
    first_figure = min(value_idx, default=len(columns))
    town_col = first_of.get("town")
    named_cols = {c.index for c in (first_of.get(r) for r in ("village", "code", "seq")) if c}
    if columns and columns[0].role != "town":
        named_cols.add(columns[0].index)
    totals = np.zeros(n, bool)
    label = np.full(n, "", dtype=object)
    for col in columns:
        if col.index not in named_cols and col.index >= first_figure and col is not town_col:
            continue
        if col.role == "indicator":
            continue
        found = labels.find(data[col.index], named=col.index in named_cols)
        new = found & ~totals
        if new.any():
            label[new] = [cell_text(v) for v in data[col.index].to_numpy(dtype=object)[new]]
        totals |= found
    return totals, label


def missing_key_columns(
    sheet: Sheet,
    run: Run,
    first_of: dict[str, Column],
    header: int,
    body: Rows,
    rows: pd.DataFrame,
    sheet_year: forms.TitleYear | None,
) -> bool:
    """Report a sheet without a village column, or without a year column and a title naming
    one year (its candidate rows quarantined)."""
    village_col = first_of.get("village") or first_of.get("code")
    year_known = "year" in first_of or sheet_year is not None
    missing = [
        what for what, known in (("village", village_col), ("year", year_known)) if not known
    ]
    if not missing:
        return False
    run.ledger.add(
        "missing_key_column",
        sheet.file,
        sheet.name,
        header + 1,
        what_zh="、".join(_KEY_NAMES[m][0] for m in missing),
        what_en=", ".join(_KEY_NAMES[m][1] for m in missing),
        count=int(body.candidate.sum()),
    )
    rows.loc[body.excel_rows[body.candidate], ["status", "reason"]] = [
        "quarantined",
        "missing key column",
    ]
    return True


def resolve_keys(
    data: pd.DataFrame,
    first_of: dict[str, Column],
    run: Run,
    sheet_year: forms.TitleYear | None,
    sheet_town: str | None = None,
) -> Keys:
    """Village by code where a valid code is given, else by name (among its town's villages
    where a 乡镇 column names the town, or, without one, the sheet is named after the town:
    ``sheet_town``, its code); then the year (from its column, else the one the title
    names)."""
    village_col, code_col, year_col = (first_of.get(r) for r in ("village", "code", "year"))
    codes = pd.Series([None] * len(data), index=data.index, dtype=object)
    status = pd.Series("unknown", index=data.index, dtype=object)
    # What the clerk wrote, for messages: built lazily, as few rows have a problem.
    shown = pd.Series("", index=data.index, dtype=object)
    letter = pd.Series("", index=data.index, dtype=object)
    towns, town_status = _towns(data, first_of.get("town"), run)
    if towns is None and sheet_town is not None:
        towns = pd.Series(sheet_town, index=data.index, dtype=object)
    if village_col is not None:
        resolved = run.registry.resolve(data[village_col.index], towns)
        codes, status = resolved["code"].astype(object), resolved["status"].astype(object)
        shown = data[village_col.index]
        letter[:] = village_col.letter
    if town_status is not None:
        bad_town = town_status != "ok"
        codes = codes.where(~bad_town, None)
        status = status.where(~bad_town, "town_" + town_status)
    if code_col is not None:
        given = normalise_code(data[code_col.index])
        has_code = given != ""
        known = given.isin(run.registry.codes)
        use = has_code & (known | (codes.isna() if village_col is not None else True))
        codes = codes.where(~use, given.where(known, None))
        status = status.where(~use, np.where(known, "ok", "unknown"))
        shown = shown.where(~use, given)
        letter = letter.where(~use, code_col.letter)
    if year_col is not None:
        years, _ = parse_year(data[year_col.index])
    else:
        years = pd.Series(sheet_year.year, index=data.index, dtype="Int64")
    years_ok = years.notna() & years.between(config.FIRST_YEAR, config.LAST_YEAR)
    # A unit the boundary changes ended or formed is read in its own years alone: a name an
    # old and a new unit share (a village recoded or moved keeps its name) names the one of
    # the row's year.
    span = run.registry.span_status(codes, years.where(years_ok))
    if village_col is not None:
        for pos in np.flatnonzero((span != "ok").to_numpy()):
            town = towns.iat[pos] if towns is not None else None
            registry = run.registry if pd.isna(town) else run.registry.within_town(str(town))
            name = cell_text(data[village_col.index].iat[pos])
            code, found = registry.resolve_in_year(name, int(years.iat[pos]), codes.iat[pos])
            if found == "ok" and not is_code(name):
                codes.iat[pos], span.iat[pos] = code, "ok"
    status = status.where((status != "ok") | (span == "ok"), span)
    return Keys(
        codes, status, shown, letter, years, years_ok.fillna(False).to_numpy(dtype=bool), towns
    )


def is_code(text: str) -> bool:
    """Whether a village cell is a 12-digit code (which names its unit whatever the year)."""
    return bool(re.fullmatch(r"\d{12}(\.0+)?", text.strip()))


def sheet_town(sheet: Sheet, first_of: dict[str, Column], run: Run) -> str | None:
    """The code of the town a sheet is named after (大桥镇 or 大桥), where it has no 乡镇 column:
    a county's workbook of one sheet per town gives each sheet's rows its town."""
    if not sheet.name or "town" in first_of:
        return None
    code, status = run.registry.resolve_unit(sheet.name, "town")
    return code if status == "ok" else None


def totals_towns(
    body: Rows,
    keys: Keys,
    good: np.ndarray,
    first_of: dict[str, Column],
    run: Run,
    town: str | None,
) -> np.ndarray:
    """The town each totals row totals (its code), or "" for the whole sheet: the town its label
    names (大桥镇小计, 大桥镇), else its 乡镇 cell, else the town the sheet is named after; a 小计
    naming none totals the villages listed since the totals row before it, when they are of one
    town (a county's table, town after town, each closed by its 小计)."""
    rows = np.flatnonzero(body.totals & ~body.blank)
    town_col = first_of.get("town")
    found = np.full(len(rows), "", dtype=object)
    previous = -1
    for k, pos in enumerate(rows):
        text = totals_text(pd.Series([body.totals_label[pos]])).iat[0]
        words, town_words = TOTALS_PATTERN.match(text), TOWN_TOTALS_PATTERN.match(text)
        if words:
            prefix, word = "", words.group(2)
        elif town_words:
            prefix, word = town_words.group(1), town_words.group(2)
        else:  # the town's own name
            prefix, word = text, ""
        candidates = [prefix]
        if town_col is not None:
            candidates.append(cell_text(body.data.iat[pos, town_col.index]).strip())
        code = next(
            (
                c
                for c, status in (run.registry.resolve_unit(t, "town") for t in candidates if t)
                if status == "ok"
            ),
            town,
        )
        if code is None and word == "小计":
            listed = {
                str(c)[:9]
                for c in keys.codes.to_numpy(dtype=object)[previous + 1 : pos][
                    good[previous + 1 : pos]
                ]
            }
            code = listed.pop() if len(listed) == 1 else None
        found[k] = code or ""
        previous = pos
    return found


def _towns(
    data: pd.DataFrame, town_col: Column | None, run: Run
) -> tuple[pd.Series | None, pd.Series | None]:
    """Each row's town code from its 乡镇 cell (None where blank) and that cell's resolution
    status (``ok``, ``unknown``, ``ambiguous``; ``ok`` where blank); (None, None) without the
    column."""
    if town_col is None:
        return None, None
    column = data[town_col.index]
    # A column names its few towns thousands of times: each distinct cell resolved once.
    codes, distinct = distinct_cells(column)
    towns, status = [], []
    for cell in distinct:
        text = cell_text(cell).strip()
        code, state = run.registry.resolve_unit(text, "town") if text else (None, "ok")
        towns.append(code)
        status.append(state)

    def per_row(found: list[str | None]) -> pd.Series:
        return pd.Series(np.array(found, dtype=object)[codes], index=data.index, name=column.name)

    return per_row(towns).astype(object), per_row(status).astype(object)


def report_bad_keys(
    sheet: Sheet,
    run: Run,
    first_of: dict[str, Column],
    body: Rows,
    keys: Keys,
    bad: np.ndarray,
) -> None:
    """One record per unusable key of a candidate row (problems are rare: built only here)."""
    ledger, file, name = run.ledger, sheet.file, sheet.name
    village_col = first_of.get("village") or first_of.get("code")
    year_col = first_of.get("year")
    merged_rows = {r for (r0, _c0, r1, _c1) in sheet.merged for r in range(r0 + 1, r1 + 1)}
    status = keys.status.to_numpy(dtype=object)
    years = keys.years.to_numpy(dtype=object)
    for pos in np.flatnonzero(bad):
        excel_row = int(body.excel_rows[pos])
        if body.village_blank[pos]:
            merged = body.data.index[pos] in merged_rows or (
                pos > 0 and not body.village_blank[pos - 1]
            )
            ledger.add(
                "missing_key",
                file,
                name,
                excel_row,
                village_col.letter,
                "",
                what_zh=_KEY_NAMES["village"][0],
                what_en=_KEY_NAMES["village"][1],
                hint_zh=_MERGED_HINT[0] if merged else "请填上村名。",
                hint_en=_MERGED_HINT[1] if merged else "",
            )
        elif str(status[pos]).startswith("town_"):
            town_col = first_of["town"]
            text = cell_text(body.data.iat[pos, town_col.index])
            hints = suggestion_hints(_close_towns(text, run))
            rule = "ambiguous_town" if status[pos] == "town_ambiguous" else "unknown_town"
            ledger.add(rule, file, name, excel_row, town_col.letter, text, **hints)
        elif status[pos] in ("ended", "not_started"):
            _span_problem(run, file, name, excel_row, keys, pos)
        elif status[pos] != "ok":
            town = keys.towns.iloc[pos] if keys.towns is not None else None
            village_problem(
                ledger,
                run.registry,
                status[pos],
                file,
                name,
                excel_row,
                keys.letter.iloc[pos],
                cell_text(keys.shown.iloc[pos]),
                town=town if isinstance(town, str) else None,
            )
        if year_col is None:
            continue
        if body.year_blank[pos]:
            ledger.add(
                "missing_key",
                file,
                name,
                excel_row,
                year_col.letter,
                "",
                what_zh="年度",
                what_en="year",
                hint_zh="请填写年份，如 2019。",
                hint_en="Enter the year, e.g. 2019.",
            )
        elif pd.isna(years[pos]):
            cell = body.data.iat[pos, year_col.index]
            ledger.add("bad_year", file, name, excel_row, year_col.letter, cell)
        elif not keys.years_ok[pos]:
            ledger.add(
                "year_out_of_range",
                file,
                name,
                excel_row,
                year_col.letter,
                int(years[pos]),
                first=config.FIRST_YEAR,
                last=config.LAST_YEAR,
            )


def _span_problem(run: Run, file: str, sheet: str, row: int, keys: Keys, pos: int) -> None:
    """A row of a unit outside its span: after the change that ended it, or before the one
    that formed it."""
    registry = run.registry
    code, year = str(keys.codes.iloc[pos]), int(keys.years.iloc[pos])
    where = (file, sheet, row, keys.letter.iloc[pos], cell_text(keys.shown.iloc[pos]))
    if keys.status.iloc[pos] == "not_started":
        run.ledger.add("unit_not_started", *where, start=registry.starts[code], year=year)
        return
    successor = registry.successors.get(code, ("", ""))
    run.ledger.add(
        "unit_ended",
        *where,
        end=registry.ends[code],
        year=year,
        successor=successor[0],
        kind_zh=label(f"change.{successor[1]}", "zh"),
        kind_en=label(f"change.{successor[1]}", "en").lower(),
    )


def _close_towns(text: str, run: Run) -> list[str]:
    """The registry's town names closest to a 乡镇 cell that names none."""
    names = sorted({n for n in run.registry.units("town").values() if n})
    return difflib.get_close_matches(text.strip(), names, n=3, cutoff=0.3)
