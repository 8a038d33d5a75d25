"""The boundary changes (区划调整): the crosswalk file, read before the village tables.

A raw folder's ``区划调整.csv`` (or ``.xlsx``) says how its village-level units changed: each row
a change from an old unit (原代码, 原名称) to a new one (新代码, 新名称) in the first year under the
new unit (年份), of a kind (类型: 合并, 拆分, 更名, 改代码, 划转) and, for a split, the old unit's
share going to the new one (比例). The registry (``villages.csv``) holds today's units; the
crosswalk gives the former ones their names and spans (:meth:`Registry.with_changes`), so rows
of an old unit are read in its years, and a row of a unit outside its span is a problem.

A row that cannot be used is an error here, and left out: a malformed row, a cycle, an old code
still a current unit, a split whose shares do not add up to 1, a new code the registry does not
know. A change year outside the data's years is found once the data are read
(:func:`check_change_years`). The series are restated on today's units by
:mod:`analysis.pipeline.restate`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.catalog import Catalog, normalise_header
from analysis.ingest.cells import cell_text
from analysis.ingest.ledger import Ledger
from analysis.ingest.read import ReadError, read_csv_sheet, read_workbook
from analysis.ingest.registry import Registry, normalise_code

#: The crosswalk file of a raw folder, by stem (``.csv`` or ``.xlsx``).
STEM = "区划调整"
#: Its columns, as a blank one is written (``minsheng template``).
COLUMNS_ZH = ["年份", "原代码", "原名称", "新代码", "新名称", "类型", "比例"]
#: 类型 → the kind of change the code uses.
KINDS = {"合并": "merge", "拆分": "split", "更名": "rename", "改代码": "recode", "划转": "move"}
#: The columns of the changes table (``boundary_changes.parquet``).
CHANGE_COLUMNS = ["year", "old_code", "old_name", "new_code", "new_name", "kind", "share"]

_ROLES = {
    "年份": "year",
    "年度": "year",
    "year": "year",
    "原代码": "old_code",
    "原名称": "old_name",
    "新代码": "new_code",
    "新名称": "new_name",
    "类型": "kind",
    "比例": "share",
}
_SHARE_TOLERANCE = 1e-6
#: The columns without which no row can be read, by role, as the file names them.
_REQUIRED = {"year": "年份", "old_code": "原代码", "new_code": "新代码", "kind": "类型"}


def is_crosswalk(name: str) -> bool:
    """Whether a raw folder's file is the crosswalk file."""
    return name.rsplit(".", 1)[0] == STEM and name.rsplit(".", 1)[-1].lower() in {"csv", "xlsx"}


def crosswalk_file(raw: Path) -> Path | None:
    """The crosswalk file of a raw folder, if it has one (``.csv`` before ``.xlsx``)."""
    if not raw.is_dir():
        return None
    found = [raw / f"{STEM}.csv", raw / f"{STEM}.xlsx"]
    return next((p for p in found if p.is_file()), None)


def empty_changes() -> pd.DataFrame:
    """A changes table with no row."""
    return pd.DataFrame(
        {
            "year": pd.Series(dtype="int64"),
            **{c: pd.Series(dtype=str) for c in ("old_code", "old_name", "new_code", "new_name")},
            "kind": pd.Series(dtype=str),
            "share": pd.Series(dtype="float64"),
            "row": pd.Series(dtype="int64"),
            "sheet": pd.Series(dtype=str),
        }
    )


def read_crosswalk(path: Path, display: str, registry: Registry, ledger: Ledger) -> pd.DataFrame:
    """The usable changes of the crosswalk file (:data:`CHANGE_COLUMNS` and ``row``, its Excel
    row), every row accounted in ``ledger`` and every unusable one an error there."""
    try:
        sheets = (
            read_workbook(path, display)[:1]
            if path.suffix.lower() == ".xlsx"
            else [read_csv_sheet(path, display)]
        )
    except ReadError as exc:
        ledger.note_file(display, "unreadable")
        ledger.add(exc.rule, display, exc.sheet, detail=exc.detail, **exc.fields)
        return empty_changes()
    if not sheets:
        return empty_changes()
    sheet = sheets[0]
    cells = sheet.cells
    rows = ledger.open_sheet(display, sheet.name, "crosswalk", len(cells), encoding=sheet.encoding)
    if cells.empty:
        return empty_changes()
    rows.loc[1, "reason"] = "header"
    header = [normalise_header(cell_text(h)) for h in cells.iloc[0]]
    where: dict[str, int] = {}
    for alias, role in _ROLES.items():
        if normalise_header(alias) in header:
            where.setdefault(role, header.index(normalise_header(alias)))
    body = cells.iloc[1:]
    blank = (body.map(lambda v: cell_text(v).strip()) == "").all(axis=1)
    body = body[~blank]
    missing = [role for role in _REQUIRED if role not in where]
    if missing:
        # Said once of the file: each row's own problem would only repeat it.
        ledger.add(
            "crosswalk_missing_column",
            display,
            sheet.name,
            1,
            what_zh="、".join(_REQUIRED[role] for role in missing),
            what_en=", ".join(missing),
            count=len(body),
        )
        rows.loc[body.index + 1, ["status", "reason"]] = ["quarantined", "missing key column"]
        return empty_changes()

    def column(role: str) -> pd.Series:
        if role not in where:
            return pd.Series("", index=body.index, dtype=object)
        return body[where[role]].map(lambda v: cell_text(v).strip())

    year = pd.to_numeric(column("year"), errors="coerce")
    share = pd.to_numeric(column("share"), errors="coerce")
    table = pd.DataFrame(
        {
            "year": year,
            "old_code": normalise_code(body[where["old_code"]]),
            "old_name": column("old_name"),
            "new_code": normalise_code(body[where["new_code"]]),
            "new_name": column("new_name"),
            "kind": column("kind").map(KINDS),
            "share": share,
            "row": body.index + 1,
            "sheet": sheet.name,
        },
        index=body.index,
    )
    rows.loc[table["row"], ["status", "reason"]] = ["accepted", ""]
    ok = _check_rows(table, column("kind"), column("share"), display, sheet.name, ledger)
    table = table[ok]
    table = table[_check_old_current(table, registry, display, sheet.name, ledger)]
    table = table[_check_cycles(table, display, sheet.name, ledger)]
    table = table[_check_new_known(table, registry, display, sheet.name, ledger)]
    table = table[_check_shares(table, display, sheet.name, ledger)]
    table = table.assign(
        year=table["year"].astype("int64"),
        share=table["share"].where(table["kind"] == "split", 1.0).astype("float64"),
    )
    return table[[*CHANGE_COLUMNS, "row", "sheet"]].reset_index(drop=True)


def _check_rows(
    table: pd.DataFrame,
    kind_text: pd.Series,
    share_text: pd.Series,
    file: str,
    sheet: str,
    ledger: Ledger,
) -> pd.Series:
    """Rows with a whole year, two 12-digit codes, a known 类型 and (a split) a share in (0, 1]."""
    code_ok = table[["old_code", "new_code"]].apply(lambda c: c.str.fullmatch(r"\d{12}"))
    year_ok = table["year"].notna() & (table["year"] % 1 == 0)
    split = table["kind"] == "split"
    share_ok = ~split | (table["share"] > 0) & (table["share"] <= 1)
    bad = ~(year_ok & code_ok.all(axis=1) & table["kind"].notna() & share_ok)
    for idx in table.index[bad]:
        what = []
        if not year_ok[idx]:
            what.append(("没有有效的年份", "has no valid year"))
        if not code_ok.at[idx, "old_code"]:
            what.append(("原代码不是 12 位数字", "has no 12-digit old code"))
        if not code_ok.at[idx, "new_code"]:
            what.append(("新代码不是 12 位数字", "has no 12-digit new code"))
        if pd.isna(table.at[idx, "kind"]):
            what.append(
                (f"类型“{kind_text[idx]}”不是合并、拆分、更名、改代码或划转", "has no known 类型")
            )
        elif not share_ok[idx]:
            what.append(
                (f"拆分比例“{share_text[idx]}”不是 0 到 1 之间的数", "has no share in (0, 1]")
            )
        ledger.add(
            "crosswalk_bad_row",
            file,
            sheet,
            int(table.at[idx, "row"]),
            what_zh="，".join(zh for zh, _ in what),
            what_en=", ".join(en for _, en in what),
        )
    return ~bad


def _check_old_current(
    table: pd.DataFrame, registry: Registry, file: str, sheet: str, ledger: Ledger
) -> pd.Series:
    """An old unit that is not its own new one (a village absorbing another keeps its code)
    must be gone from the registry."""
    bad = table["old_code"].isin(registry.codes) & (table["old_code"] != table["new_code"])
    for item in table[bad].itertuples():
        ledger.add(
            "crosswalk_old_current", file, sheet, item.row, value=item.old_code, year=int(item.year)
        )
    return ~bad


def _check_new_known(
    table: pd.DataFrame, registry: Registry, file: str, sheet: str, ledger: Ledger
) -> pd.Series:
    """A new unit is a current one, or the old unit of a later change (a chain of changes)."""
    later_old = table[["old_code", "year"]].rename(
        columns={"old_code": "new_code", "year": "later"}
    )
    chained = table[["new_code", "year"]].reset_index().merge(later_old, on="new_code")
    chained = set(chained.loc[chained["later"] > chained["year"], "index"])
    bad = ~table["new_code"].isin(registry.codes) & ~table.index.isin(chained)
    for item in table[bad].itertuples():
        ledger.add("crosswalk_new_unknown", file, sheet, item.row, value=item.new_code)
    return ~bad


def _check_shares(table: pd.DataFrame, file: str, sheet: str, ledger: Ledger) -> pd.Series:
    """Each split's shares (by year and old unit) add up to 1."""
    split = table[table["kind"] == "split"]
    totals = split.groupby(["year", "old_code"])["share"].transform("sum")
    off = (totals - 1).abs() > _SHARE_TOLERANCE
    for item in split[off].assign(total=totals[off]).itertuples():
        ledger.add(
            "crosswalk_shares",
            file,
            sheet,
            item.row,
            value=item.old_name or item.old_code,
            year=int(item.year),
            total=f"{item.total:g}",
        )
    return ~table.index.isin(split.index[off])


def _check_cycles(table: pd.DataFrame, file: str, sheet: str, ledger: Ledger) -> pd.Series:
    """No unit leads back to itself through the changes (its code kept by a merger or split
    aside)."""
    moves = table[table["old_code"] != table["new_code"]]
    successors: dict[str, set[str]] = {}
    for old, new in zip(moves["old_code"], moves["new_code"], strict=True):
        successors.setdefault(old, set()).add(new)
    in_cycle: set[str] = set()
    for start in successors:
        path, stack, seen = [start], [iter(sorted(successors[start]))], {start}
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                path.pop()
            elif step == start:
                in_cycle.update(path)
                stack.clear()
            elif step not in seen and step in successors:
                seen.add(step)
                path.append(step)
                stack.append(iter(sorted(successors[step])))
    bad = table["old_code"].isin(in_cycle) & table["new_code"].isin(in_cycle)
    bad &= table["old_code"] != table["new_code"]
    if bad.any():
        shown = " → ".join([*sorted(in_cycle), min(in_cycle)])
        for item in table[bad].itertuples():
            ledger.add("crosswalk_cycle", file, sheet, item.row, value=item.old_code, path=shown)
    return ~bad


def check_change_years(
    changes: pd.DataFrame, years: np.ndarray, file: str, ledger: Ledger
) -> pd.DataFrame:
    """The changes whose year is within the data's years; each other one an error, and left out
    of the restating."""
    if changes.empty or len(years) == 0:
        return changes
    first, last = int(np.min(years)), int(np.max(years))
    outside = (changes["year"] < first) | (changes["year"] > last)
    for item in changes[outside].itertuples():
        ledger.add(
            "crosswalk_year_outside",
            file,
            item.sheet,
            item.row,
            value=item.year,
            first=first,
            last=last,
        )
    return changes[~outside].reset_index(drop=True)


def lineage(changes: pd.DataFrame) -> pd.DataFrame:
    """Each former unit's units of today: ``code``, ``today``, ``share`` (the product of the
    shares along the way; summed where two ways lead to the same unit), ``kinds`` (the changes,
    in order, ``;``-joined).

    The crosswalk's few rows are walked; a unit kept by its own merger or split (a village
    absorbing another keeps its code) is its own unit of today.
    """
    moves = changes[changes["old_code"] != changes["new_code"]]
    after: dict[str, list[tuple[str, float, str]]] = {}
    for old, new, share, kind in moves[["old_code", "new_code", "share", "kind"]].itertuples(
        index=False
    ):
        after.setdefault(old, []).append((new, float(share), kind))

    def walk(code: str, share: float, kinds: tuple[str, ...]) -> list[tuple[str, float, str]]:
        if code not in after:
            return [(code, share, ";".join(kinds))]
        return [
            found
            for new, part, kind in after[code]
            for found in walk(new, share * part, (*kinds, kind))
        ]

    # A unit split and its part later merged into another of its parts reaches that unit
    # twice: one part of it, with both shares, so that each part is one unit under one of today.
    found: dict[tuple[str, str], tuple[float, list[str]]] = {}
    for code in sorted(after):
        for today, share, kinds in walk(code, 1.0, ()):
            total, ways = found.get((code, today), (0.0, []))
            found[(code, today)] = (total + share, [*ways, kinds])
    rows = [
        (code, today, share, ";".join(dict.fromkeys(";".join(ways).split(";"))))
        for (code, today), (share, ways) in found.items()
    ]
    return pd.DataFrame(rows, columns=["code", "today", "share", "kinds"])


def check_rate_weights(
    values: pd.DataFrame,
    paths: pd.DataFrame,
    catalog: Catalog,
    names: dict[str, str],
    file: str,
    ledger: Ledger,
) -> None:
    """A rate of a unit of today made of several units' in a year (a merger's, a split's part
    joining another unit) is weighted by each one's weight (population or households) that
    year; where none of them has one, it cannot be restated: a warning, never a rate that
    drops out of the series unsaid.

    ``paths`` is :func:`lineage` of the changes; ``names`` names the units (code → name).
    """
    weight_of = {ind.id: ind.weight for ind in catalog if ind.aggregate == "weighted_mean"}
    key = ["village_code", "year", "indicator"]
    # Only the changed units' and their units of today's rows can be parts.
    values = values[values["village_code"].isin({*paths["code"], *paths["today"]})]
    rates = values.loc[values["indicator"].isin(set(weight_of)), key]
    former = rates.merge(paths[["code", "today"]], left_on="village_code", right_on="code")
    if former.empty:
        return
    group = ["today", "year", "indicator"]
    own = rates[~rates["village_code"].isin(paths["code"])].merge(
        former[group].drop_duplicates(), left_on=key, right_on=group
    )
    parts = pd.concat([former[[*group, "village_code"]], own[[*group, "village_code"]]])
    weights = values.loc[values["value"] > 0, key].rename(columns={"indicator": "weight_id"})
    parts = parts.assign(weight_id=parts["indicator"].map(weight_of)).merge(
        weights.assign(weighted=True), on=["village_code", "year", "weight_id"], how="left"
    )
    grouped = parts.assign(weighted=parts["weighted"].eq(True)).groupby(group)
    found = pd.DataFrame(
        {
            "parts": grouped.size(),
            "weighted": grouped["weighted"].any(),
            "sources": grouped["village_code"].agg(
                lambda c: "、".join(names.get(code, code) for code in dict.fromkeys(c))
            ),
        }
    ).reset_index()
    for gap in found[(found["parts"] > 1) & ~found["weighted"]].itertuples():
        rate, weight = catalog[gap.indicator], catalog[weight_of[gap.indicator]]
        ledger.add(
            "restate_unweighted",
            file,
            value=names.get(gap.today, gap.today),
            village_code=gap.today,
            year=int(gap.year),
            sources=gap.sources,
            name=rate.zh,
            name_en=rate.en,
            weight=weight.zh,
            weight_en=weight.en,
        )
