"""Rules across rows and files: duplicates, the catalog's cross rules, and totals rows.

These run once over every accepted value of the run, wherever it came from (population from
the CSV, poverty figures from a workbook), after all the tables were read.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from analysis.core import numbers
from analysis.core.aggregate import aggregate_area
from analysis.core.labels import label
from analysis.geo.points import checks_of_layer
from analysis.ingest.cells import cell_text
from analysis.ingest.run import Run

_OPS = {
    "<=": np.less_equal,
    "<": np.less,
    ">=": np.greater_equal,
    ">": np.greater,
    "==": np.isclose,
}

#: The rule that links years: households exiting poverty in year y cannot exceed the households
#: still poor at the end of y − 1. Not a catalog cross rule, which relates one village-year.
EXIT_RULE_ZH = "当年脱贫户数不应超过上年末未脱贫户数"
EXIT_RULE_EN = (
    "households exiting poverty should not exceed those remaining at the end of last year"
)


def _locations(frame: pd.DataFrame) -> pd.Series:
    """``file「sheet」第12行D列 为 86`` for each value, as messages name the other copies."""
    sheet = frame["sheet"].map(lambda s: f"「{s}」" if s else "")
    shown = frame["value"].map(lambda v: cell_text(float(v)))
    return (
        frame["file"]
        + sheet
        + "第"
        + frame["row"].astype(str)
        + "行"
        + frame["column"]
        + "列 为 "
        + shown
    )


def check_duplicates(values: pd.DataFrame, run: Run) -> pd.DataFrame:
    """Identical repeats are kept once (warning); conflicting ones are all quarantined together.

    A repeat is the same village, year and indicator from two cells, in one sheet or across
    files (a second header spelling of one indicator, a village written twice, households in
    both the workbook and the population CSV). The first cell in file order is the one kept.
    """
    keys = ["village_code", "year", "indicator"]
    repeated = values.duplicated(keys, keep=False)
    if not repeated.any():
        return values
    dup = values[repeated].assign(where=lambda d: _locations(d))
    grouped = dup.groupby(keys, sort=False)
    spread = grouped["value"].transform("max") - grouped["value"].transform("min")
    conflict = (spread > 1e-9).to_numpy()
    extra = dup.duplicated(keys, keep="first").to_numpy()
    first_where = grouped["where"].transform("first")
    group_id = grouped.ngroup().to_numpy()
    names = run.registry.names
    for pos in np.flatnonzero(conflict | extra):
        item = dup.iloc[pos]
        if conflict[pos]:
            peers = np.flatnonzero(group_id == group_id[pos])
            others = "；".join(dup["where"].iloc[peers[peers != pos]])
        else:
            others = first_where.iloc[pos].rsplit(" 为 ", 1)[0]
        ind = run.catalog[item["indicator"]]
        run.ledger.add(
            "duplicate_conflict" if conflict[pos] else "duplicate_identical",
            item["file"],
            item["sheet"],
            int(item["row"]),
            item["column"],
            cell_text(float(item["value"])),
            village_code=item["village_code"],
            village=names.get(item["village_code"], item["village_code"]),
            year=int(item["year"]),
            name=ind.zh,
            name_en=ind.en,
            others=others,
        )
        counter = "cells_quarantined" if conflict[pos] else "cells_duplicate"
        run.ledger.count(item["file"], item["sheet"], counter)
    return values.drop(dup.index[conflict | extra])


def check_cross_rules(values: pd.DataFrame, run: Run) -> pd.DataFrame:
    """The catalog's cross rules per village-year, and the exit rule across years.

    The values are compared wherever they came from (population from the CSV, poverty figures
    from a workbook). Which value is wrong cannot be known, so every value involved in a
    violation is quarantined, each record naming the rule and the figures.
    """
    if values.empty:
        return values
    catalog = run.catalog
    exit_id, remain_id = "poverty_exit_households", "poor_households_remaining"
    involved = {i for rule in catalog.cross_rules for i in (*rule.left, *rule.right)}
    wide = _Wide(values, involved | {exit_id, remain_id})
    # (village, year, indicators involved, rule id, zh, en, detail zh, detail en)
    bad: list[tuple[str, int, tuple[str, ...], str, str, str, str, str]] = []
    for rule in catalog.cross_rules:
        involved = (*rule.left, *rule.right)
        if not set(involved) <= set(wide.row):
            continue
        left, right = wide.total(rule.left), wide.total(rule.right)
        both = np.flatnonzero(~np.isnan(left) & ~np.isnan(right))
        holds = _OPS[rule.op](left[both], right[both])
        for pair in both[~holds]:
            code, year = wide.place(pair)
            figures = [(catalog[i], cell_text(wide.value(i, pair))) for i in involved]
            detail_zh = "实际：" + "，".join(f"{ind.zh} {v}" for ind, v in figures)
            detail_en = "found " + ", ".join(f"{ind.en} {v}" for ind, v in figures)
            bad.append((code, year, involved, rule.id, rule.zh, rule.en, detail_zh, detail_en))
    if {exit_id, remain_id} <= set(wide.row):
        exits, previous = wide.total((exit_id,)), wide.total((remain_id,))[wide.previous]
        previous[wide.previous < 0] = np.nan
        both = ~np.isnan(exits) & ~np.isnan(previous)
        for pair in np.flatnonzero(both & (exits > previous + 1e-9)):
            code, year = wide.place(pair)
            exited = cell_text(exits[pair])
            left = cell_text(previous[pair])
            detail_zh = f"{year} 年脱贫 {exited} 户，{year - 1} 年末未脱贫 {left} 户"
            detail_en = f"{exited} exits in {year}, {left} remaining at the end of {year - 1}"
            for cell_year, ind_id in ((year, exit_id), (year - 1, remain_id)):
                bad.append(
                    (
                        code,
                        cell_year,
                        (ind_id,),
                        "poverty_exit_exceeds_remaining",
                        EXIT_RULE_ZH,
                        EXIT_RULE_EN,
                        detail_zh,
                        detail_en,
                    )
                )
    if not bad:  # the usual case: the table (millions of rows) is not keyed nor copied
        return values
    # After the duplicate check each (village, year, indicator) is one row of ``values``; only
    # the rows of the villages named are keyed.
    rows = np.flatnonzero(values["village_code"].isin({code for code, *_ in bad}).to_numpy())
    position = pd.Series(
        rows,
        index=pd.MultiIndex.from_frame(values[["village_code", "year", "indicator"]].iloc[rows]),
    )
    names = run.registry.names
    drop: set[int] = set()
    for code, year, involved, rule_id, zh, en, detail_zh, detail_en in bad:
        for ind_id in involved:
            pos = int(position[(code, year, ind_id)])
            item = values.iloc[pos]
            run.ledger.add(
                "cross_rule",
                item["file"],
                item["sheet"],
                int(item["row"]),
                item["column"],
                float(item["value"]),
                village_code=code,
                rule_id=rule_id,
                village=names.get(code, code),
                year=year,
                rule_zh=zh,
                rule_en=en,
                detail_zh=detail_zh,
                detail_en=detail_en,
            )
            if pos not in drop:
                run.ledger.count(item["file"], item["sheet"], "cells_quarantined")
                drop.add(pos)
    kept = np.ones(len(values), dtype=bool)
    kept[list(drop)] = False
    return values[kept]


class _Wide:
    """The values of some indicators as one row each, one column per (village, year) pair in
    the order of village and year, NaN where none: the table ``values.pivot`` would give
    (millions of values, a province's), laid out by integer codes."""

    def __init__(self, values: pd.DataFrame, wanted: set[str]) -> None:
        village, self.villages = pd.factorize(values["village_code"], sort=True)
        year, self.years = pd.factorize(values["year"], sort=True)
        indicator, indicators = pd.factorize(values["indicator"])
        pairs, pair = np.unique(
            village.astype(np.int64) * len(self.years) + year, return_inverse=True
        )
        self.village_of, self.year_of = pairs // len(self.years), pairs % len(self.years)
        kept = [i for i in indicators if i in wanted]
        self.row = {ind_id: r for r, ind_id in enumerate(kept)}
        row_of = np.array([self.row.get(i, -1) for i in indicators], dtype=np.int64)[indicator]
        used = row_of >= 0
        self.table = np.full((len(kept), len(pairs)), np.nan)
        self.table[row_of[used], pair[used]] = values["value"].to_numpy(dtype=float)[used]
        # The pair of the same village the year before, -1 where there is none.
        earlier = np.searchsorted(pairs, pairs - 1)
        found = np.minimum(earlier, len(pairs) - 1)
        before = np.asarray(self.years, dtype=np.int64)[self.year_of] - 1
        same = (pairs[found] == pairs - 1) & (self.year_of > 0)
        same &= np.asarray(self.years, dtype=np.int64)[np.maximum(self.year_of - 1, 0)] == before
        self.previous = np.where(same, found, -1)

    def total(self, indicators: tuple[str, ...]) -> np.ndarray:
        """The indicators added up in each pair, NaN where one is missing (as the pivot's
        ``sum(axis=1, min_count=len(indicators))``: the same additions in the same order)."""
        return np.add.reduce(self.table[[self.row[i] for i in indicators]], axis=0)

    def value(self, indicator: str, pair: int) -> float:
        return float(self.table[self.row[indicator], pair])

    def place(self, pair: int) -> tuple[str, int]:
        """The village code and year of a pair."""
        return self.villages[self.village_of[pair]], int(self.years[self.year_of[pair]])


def check_totals(values: pd.DataFrame, run: Run) -> None:
    """Each totals row against the sum (or weighted mean) of the villages of its sheet and year.

    The villages are those the sheet lists for that year; their values are the accepted ones
    (wherever a duplicate was kept), aggregated by the catalog rule, weights from all files.
    """
    if not run.totals:
        return
    totals = pd.concat(run.totals, ignore_index=True)
    keys = ["file", "sheet", "year", "town"]
    wanted = totals[[*keys, "indicator"]].drop_duplicates().reset_index(drop=True)
    here, weights = _totalled(values, run, wanted)
    if here.empty:
        return
    # Grouped by the total's rank, as by its keys themselves: the same groups in the same order.
    computed = aggregate_area(here, run.catalog, by=["_total", "year"], weights=weights)
    ranked = wanted.sort_values([*keys, "indicator"], kind="stable")
    found = ranked.iloc[computed["_total"].to_numpy()].reset_index(drop=True)
    found = found.assign(computed=computed["value"].to_numpy())
    checked = totals.merge(found, on=[*keys, "indicator"])
    scale = np.maximum(1.0, checked["value"].abs())
    off = (checked["computed"] - checked["value"]).abs() > checked["tolerance"] + 1e-9 * scale
    towns = run.registry.units("town")
    for item in checked[off].itertuples(index=False):
        ind = run.catalog[item.indicator]
        weighted = ind.aggregate == "weighted_mean"
        run.ledger.add(
            "totals_mismatch",
            item.file,
            item.sheet,
            int(item.row),
            item.column,
            item.raw,
            name=ind.zh,
            name_en=ind.en,
            how_zh="加权平均" if weighted else "合计",
            how_en="weighted mean" if weighted else "sum",
            computed=cell_text(round(float(item.computed), 6)),
            scope_zh=towns.get(item.town, item.town),
            scope_en=f"{towns.get(item.town, item.town)} " if item.town else "",
        )


def _totalled(
    values: pd.DataFrame, run: Run, wanted: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The village values each total of ``wanted`` adds up, and the weights its rates need.

    A total's villages are those its sheet lists for its year (of its town alone for a town's
    小计, ``town`` "" being the whole sheet), in the sheet's order, each with its accepted value
    of the total's indicator: the rows, in the order, that joining the totals to the sheets'
    villages and then to the values gives, found by integer keys instead (a province's sheets
    list millions of village-years). ``_total`` is the total's rank by its keys; the village
    codes are numbers, as they only join a rate to its weight."""
    members = pd.concat(run.sheet_villages, ignore_index=True).drop_duplicates()
    village, villages = pd.factorize(values["village_code"])
    indicator, indicators = pd.factorize(values["indicator"])
    year, years = pd.factorize(values["year"])
    n_years, n_indicators = len(years), len(indicators)

    def key(village: np.ndarray, year: np.ndarray | int, indicator: np.ndarray | int) -> np.ndarray:
        return (village.astype(np.int64) * n_years + year) * n_indicators + indicator

    # After the duplicate check each (village, year, indicator) is one row of ``values``.
    find = _finder(key(village, year, indicator), len(villages) * n_years * n_indicators)
    member = pd.Index(villages).get_indexer(members["village_code"])
    sheets = members.groupby(["file", "sheet", "year"], sort=False).indices
    year_at = pd.Index(years).get_indexer(wanted["year"])
    indicator_at = pd.Index(indicators).get_indexer(wanted["indicator"])
    towns = members["village_code"].str[:9].to_numpy() if (wanted["town"] != "").any() else None
    rank = np.empty(len(wanted), dtype=np.int64)
    rank[wanted.sort_values(list(wanted.columns), kind="stable").index.to_numpy()] = np.arange(
        len(wanted)
    )
    total_of, found = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.intp)]
    for j, (file, sheet, year_j, town) in enumerate(
        wanted[["file", "sheet", "year", "town"]].itertuples(index=False)
    ):
        rows = sheets.get((file, sheet, year_j))
        if rows is None or year_at[j] < 0 or indicator_at[j] < 0:
            continue
        if town:
            rows = rows[towns[rows] == town]
        rows = rows[member[rows] >= 0]
        at = find(key(member[rows], year_at[j], indicator_at[j]))
        at = at[at >= 0]
        total_of.append(np.full(len(at), rank[j]))
        found.append(at)
    at = np.concatenate(found)
    here = pd.DataFrame(
        {
            "_total": np.concatenate(total_of),
            "year": values["year"].to_numpy()[at],
            "indicator": values["indicator"].array.take(at),
            "village_code": village[at],
            "value": values["value"].to_numpy()[at],
        }
    )
    # The weights of the rates' villages alone: the rest would join nothing.
    weight_of = {ind.id: ind.weight for ind in run.catalog if ind.weight}
    weight_at = pd.Index(indicators).get_indexer(
        [weight_of.get(i, "") for i in indicators.astype(object)]
    )[indicator[at]]
    rated = weight_at >= 0
    weight_rows = find(key(village[at][rated], year[at][rated], weight_at[rated]))
    used = np.zeros(len(values), dtype=bool)
    used[weight_rows[weight_rows >= 0]] = True
    weights = values.loc[used, ["year", "indicator", "value"]].assign(village_code=village[used])
    return here, weights


def _finder(keys: np.ndarray, space: int) -> Callable[[np.ndarray], np.ndarray]:
    """Where each of some keys is among ``keys`` (distinct, from 0 to ``space`` - 1), -1 where
    it is not: a table of the whole space when it is not much larger than the keys, else a
    hash of them."""
    if space <= 4 * len(keys) + 1024:
        table = np.full(space, -1, dtype=np.intp)
        table[keys] = np.arange(len(keys))
        return table.__getitem__
    return pd.Index(keys).get_indexer


def check_complete(run: Run) -> None:
    """乡不漏村: each year a town's files report, every unit of the town that existed that year
    (the registry's, and the former ones of the boundary changes in their years) has a row of
    its own; a missing one is named with the year."""
    if not run.sheet_villages:
        return
    seen = pd.concat(run.sheet_villages, ignore_index=True)[["village_code", "year", "file"]]
    registry = run.registry
    names = registry.names
    units = pd.DataFrame({"village_code": list(names), "short_name": list(names.values())})
    units = units.assign(town=units["village_code"].str[:9])
    reported = (
        seen.assign(town=seen["village_code"].str[:9])
        .sort_values("file", kind="stable")
        .drop_duplicates(["town", "year"])[["town", "year", "file"]]
    )
    expected = units.merge(reported, on="town")
    expected = expected[registry.span_status(expected["village_code"], expected["year"]) == "ok"]
    present = seen[["village_code", "year"]].drop_duplicates().assign(present=True)
    missing = expected.merge(present, on=["village_code", "year"], how="left")
    missing = missing[missing["present"].isna()].sort_values(["year", "village_code"])
    for item in missing.itertuples(index=False):
        run.ledger.add(
            "village_missing",
            item.file,
            value=item.short_name,
            village_code=item.village_code,
            village=item.short_name,
            code=item.village_code,
            year=int(item.year),
        )


def check_points_ledger(values: pd.DataFrame, points: object, file: str, run: Run) -> None:
    """A points layer against the ledger (:func:`analysis.geo.points.checks_of_layer`): a
    warning naming both figures wherever they differ."""
    if "kind" not in getattr(points, "columns", ()) or values.empty:
        return
    found = checks_of_layer(points, values, run.catalog)
    for row in found[~found["agree"].astype(bool)].itertuples(index=False):
        ind = run.catalog[row.indicator]
        scope = "map.scope_year" if row.scope == "year" else "map.scope_to_date"
        run.ledger.add(
            "points_ledger_mismatch",
            file,
            value=row.points,
            kind_zh=label(f"map.{row.kind}", "zh"),
            kind_en=label(f"map.{row.kind}", "en").lower(),
            scope_zh=label(scope, "zh", year=row.year),
            scope_en=label(scope, "en", year=row.year),
            points=row.points,
            name=ind.zh,
            name_en=ind.en,
            ledger=numbers.figure(row.ledger, ind, "zh"),
        )
