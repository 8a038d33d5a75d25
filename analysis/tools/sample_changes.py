"""The county sample's synthetic boundary changes (区划调整): one of each kind, made up.

The county sample's villages are 信丰县's real ones of today; these changes are not real. Each
is made from the figures the sample generated for today's villages, so that the county's series
are the same whichever way they are read:

- 合并: a village reported before 2017 as two former units (原X村 and X坪村), its counts 60/40
  (the figures the catalog's cross rules tie, but households and people, stay whole in the
  first), its rates the same;
- 拆分: two villages reported before 2017 as one former unit, their counts summed and rates
  weighted; the crosswalk's shares are their 2016 populations', so their restated early years
  are estimates (估算);
- 更名: a village written under an old name (旧X村) before 2016, its code kept;
- 改代码: a village reported under an old code before 2018, its name kept;
- 划转: a village reported before 2017 under a code of the town before it, its name kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.catalog import Catalog
from analysis.ingest.crosswalk import COLUMNS_ZH
from analysis.iorw import atomic_write_csv

#: The first year under the new units (a rename's 2016, a new code's 2018).
CHANGE_YEAR = 2017
#: What the county sample's README says of them.
README_NOTE = """
## 区划调整（合成）/ Boundary changes (synthetic)

`区划调整.csv` lists **synthetic** boundary changes, one of each kind (合并, 拆分, 更名, 改代码,
划转): none of them happened. The earlier years' files report the former units they name, so
that the pages show villages formed by a change and their restated series.
"""


@dataclass(frozen=True)
class SampleChanges:
    """The changes, the units each year's files list, and the figures as reported."""

    crosswalk: list[tuple[int, str, str, str, str, str, str]]
    units: dict[int, list]  # year → the Village units its files list, in order
    reported: pd.DataFrame  # the wide village-year table, by the units of each year
    #: former unit's code → the code of today's unit that shares its spelling
    twins: dict[str, str]


def _stem(short: str) -> str:
    return short.removesuffix("村")


def _unit(village, code: str, short: str):
    return replace(village, code=code, name=f"{short}委会", short=short)


def make_changes(
    villages: Sequence, table: pd.DataFrame, years: Sequence[int], catalog: Catalog
) -> SampleChanges:
    """One change of each kind among ``villages`` (the county's), the former units' figures
    made from ``table`` (the generated figures of today's units)."""
    towns: dict[str, list] = {}
    for v in villages:
        if v.kind == "村委会":
            towns.setdefault(v.code[:9], []).append(v)
    picks = [members for members in towns.values() if len(members) >= 3][:6]
    merged, (split_a, split_b), renamed = picks[0][0], picks[1][:2], picks[2][0]
    recoded, moved, before = picks[3][0], picks[4][0], picks[5][0]
    taken = {_stem(v.short) for v in villages}
    names = {
        "merge_a": f"原{merged.short}",
        "merge_b": f"{_stem(merged.short)}坪村",
        "split": f"原{_stem(split_a.short)}{_stem(split_b.short)}村",
        "rename": f"旧{renamed.short}",
    }
    assert not {_stem(n) for n in names.values()} & taken, "a synthetic name is a real one's"
    town = {key: v.code[:9] for key, v in (("merge", merged), ("split", split_a))}
    former = {
        "merge_a": _unit(merged, f"{town['merge']}290", names["merge_a"]),
        "merge_b": _unit(merged, f"{town['merge']}291", names["merge_b"]),
        "split": _unit(split_a, f"{town['split']}292", names["split"]),
        "rename": _unit(renamed, renamed.code, names["rename"]),
        "recode": replace(recoded, code=f"{recoded.code[:9]}293"),
        "move": replace(moved, code=f"{before.code[:9]}294"),
    }
    wide = table.set_index(["village_code", "year"])
    ids = [c for c in table.columns if c not in ("village_code", "village", "year")]
    # What the cross rules tie stays whole in the first unit, but for the households and people
    # every unit has (poor ones are a few of them): split, they could break a rule.
    whole = {i for rule in catalog.cross_rules for i in (*rule.left, *rule.right)}
    whole -= {"households", "population"}
    rows, replaced = [], set()

    def add(unit, year: int, values: pd.Series) -> None:
        rows.append({"village_code": unit.code, "village": unit.short, "year": year, **values})

    early = [y for y in years if y < CHANGE_YEAR]
    pop = wide.loc[[(split_a.code, early[-1]), (split_b.code, early[-1])], "population"]
    share = round(float(pop.iat[0] / pop.sum()), 2)
    for year in years:
        if year < CHANGE_YEAR:
            base = wide.loc[(merged.code, year), ids]
            first = base.copy()
            second = pd.Series(np.nan, index=ids)
            for i in ids:
                if catalog[i].aggregate == "sum" and i not in whole and pd.notna(base[i]):
                    decimals = 0 if catalog[i].integer else 2
                    first[i] = round(base[i] * 0.6, decimals)
                    second[i] = round(base[i] - first[i], decimals)
                elif catalog[i].aggregate != "sum":
                    second[i] = base[i]
            add(former["merge_a"], year, first)
            add(former["merge_b"], year, second)
            add(
                former["split"],
                year,
                _combined(wide, [split_a.code, split_b.code], year, ids, catalog),
            )
            add(former["move"], year, wide.loc[(moved.code, year), ids])
            replaced |= {(v.code, year) for v in (merged, split_a, split_b, moved)}
        if year < CHANGE_YEAR + 1:
            add(former["recode"], year, wide.loc[(recoded.code, year), ids])
            replaced.add((recoded.code, year))
    keep = [
        (c, y) not in replaced for c, y in zip(table["village_code"], table["year"], strict=True)
    ]
    reported = pd.concat([table[keep], pd.DataFrame(rows)], ignore_index=True)
    units = {}
    for year in years:
        listed = []
        for v in villages:
            if (v.code, year) not in replaced:
                listed.append(former["rename"] if v is renamed and year < CHANGE_YEAR - 1 else v)
            elif v is merged:
                listed += [former["merge_a"], former["merge_b"]]
            elif v is split_a:
                listed.append(former["split"])
            elif v in (recoded, moved):
                listed.append(former["recode" if v is recoded else "move"])
        units[year] = listed
    crosswalk = [
        (
            CHANGE_YEAR,
            former["merge_a"].code,
            names["merge_a"],
            merged.code,
            merged.short,
            "合并",
            "",
        ),
        (
            CHANGE_YEAR,
            former["merge_b"].code,
            names["merge_b"],
            merged.code,
            merged.short,
            "合并",
            "",
        ),
        (
            CHANGE_YEAR,
            former["split"].code,
            names["split"],
            split_a.code,
            split_a.short,
            "拆分",
            f"{share:.2f}",
        ),
        (
            CHANGE_YEAR,
            former["split"].code,
            names["split"],
            split_b.code,
            split_b.short,
            "拆分",
            f"{1 - share:.2f}",
        ),
        (CHANGE_YEAR - 1, renamed.code, names["rename"], renamed.code, renamed.short, "更名", ""),
        (
            CHANGE_YEAR + 1,
            former["recode"].code,
            recoded.short,
            recoded.code,
            recoded.short,
            "改代码",
            "",
        ),
        (CHANGE_YEAR, former["move"].code, moved.short, moved.code, moved.short, "划转", ""),
    ]
    twins = {former["recode"].code: recoded.code, former["move"].code: moved.code}
    return SampleChanges(crosswalk, units, reported, twins)


def _combined(
    wide: pd.DataFrame, codes: list[str], year: int, ids: list[str], catalog: Catalog
) -> pd.Series:
    """Two units' figures as one: counts summed, rates weighted by the catalog's weight,
    maxima the larger."""
    rows = wide.loc[[(code, year) for code in codes], ids]
    out = pd.Series(np.nan, index=ids)
    for i in ids:
        ind = catalog[i]
        if ind.aggregate == "sum":
            out[i] = rows[i].sum(min_count=1)
        elif ind.aggregate == "max":
            out[i] = rows[i].max()
        else:
            weight = rows[ind.weight]
            out[i] = round(float((rows[i] * weight).sum() / weight.sum()), 1)
    return out


def write_crosswalk(path: Path, changes: SampleChanges) -> None:
    """The sample's 区划调整.csv (UTF-8 with a BOM, as Excel saves it)."""
    atomic_write_csv(path, COLUMNS_ZH, changes.crosswalk)
