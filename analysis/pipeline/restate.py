"""Series on today's boundaries: the values as reported, restated through the boundary changes.

Pure functions over tables (:mod:`analysis.ingest.crosswalk` reads the changes). Each value
reported by a former unit goes to the units of today it became, through every change after it:

- a merger (合并) adds its units' counts and amounts, and weights their rates by the catalog's
  weight of each (population or households) — as a town's figure is made;
- a rename (更名), a new code (改代码) or a move to another town (划转) carries the value through;
  a move so restates both towns' series, as a town's villages are found by their codes;
- a split (拆分) divides a count or an amount by the share stated for each new unit and carries
  a rate; such a value is an estimate (估算), and marked so.

A unit of today that no change touches keeps its rows as read. The values as reported are kept
beside the restated ones (``indicators_reported.parquet``).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.aggregate import aggregate_area
from analysis.core.catalog import Catalog

#: What is said of each restated value (``restated.parquet``): its unit of today, year and
#: indicator, the former units it came from (``;``-joined), the kinds of change, and whether it
#: is an estimate (a split's share of a count, or a split's rate).
RESTATED_COLUMNS = ["village_code", "year", "indicator", "sources", "kinds", "estimated"]


def lineage(changes: pd.DataFrame) -> pd.DataFrame:
    """Each former unit's units of today: ``code``, ``today``, ``share`` (the product of the
    shares along the way), ``kinds`` (the changes, in order, ``;``-joined).

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

    rows = [(code, *found) for code in sorted(after) for found in walk(code, 1.0, ())]
    return pd.DataFrame(rows, columns=["code", "today", "share", "kinds"])


def keys_of_today(
    keys: pd.DataFrame, changes: pd.DataFrame, paths: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``keys`` (rows naming a village's value: ``village_code``, ``year``, ``indicator``) with
    each former unit's rows also given under every unit of today it is restated into.
    ``paths`` is the changes' :func:`lineage` where the caller has it already."""
    if changes.empty or keys.empty:
        return keys
    paths = (lineage(changes) if paths is None else paths)[["code", "today"]]
    carried = keys.merge(paths, left_on="village_code", right_on="code")
    carried = carried.assign(village_code=carried["today"])[list(keys.columns)]
    return pd.concat([keys, carried], ignore_index=True).drop_duplicates(ignore_index=True)


def restate(
    values: pd.DataFrame,
    changes: pd.DataFrame,
    catalog: Catalog,
    paths: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The values on today's units, and what is said of each restated one.

    Parameters
    ----------
    values
        The values as reported (``VALUE_COLUMNS``), sorted as validation sorts them.
    changes
        The boundary changes (:data:`~analysis.ingest.crosswalk.CHANGE_COLUMNS`).
    catalog
        Says which indicators are summed, maximised or weighted, and by what.
    paths
        The changes' :func:`lineage`, where the caller has it already.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The restated values (the columns of ``values``, in its order: a restated value's
        ``source`` and ``row`` are its first contributor's) and :data:`RESTATED_COLUMNS`.
    """
    if changes.empty:
        return values, pd.DataFrame(columns=RESTATED_COLUMNS)
    paths = lineage(changes) if paths is None else paths
    moved = values["village_code"].isin(paths["code"])
    # The cells a restated value is made of: the former units', and those of today's units
    # that absorbed them, in the same years.
    targets = values[moved].merge(paths, left_on="village_code", right_on="code")
    keys = ["year", "indicator"]
    absorbing = values[~moved].merge(
        targets[["today", *keys]].drop_duplicates(),
        left_on=["village_code", *keys],
        right_on=["today", *keys],
    )
    parts = pd.concat([targets, absorbing.assign(share=1.0, kinds="")], ignore_index=True).drop(
        columns="code"
    )
    kind = parts["indicator"].map({ind.id: ind.aggregate for ind in catalog})
    parts["value"] = parts["value"].where(kind != "sum", parts["value"] * parts["share"])
    group = ["today", *keys]
    many = parts.groupby(group)["village_code"].transform("size") > 1
    made = parts[~many].rename(columns={"today": "code"})[["code", *keys, "value"]]
    if many.any():
        combined = aggregate_area(
            parts[many].rename(columns={"today": "code"}),
            catalog,
            by=("code", "year"),
            weights=values,
        )
        made = pd.concat([made, combined[["code", *keys, "value"]]], ignore_index=True)
    first = parts.sort_values(["source", "row"], kind="stable").drop_duplicates(group)
    made = made.merge(
        first[[*group, "source", "row"]].rename(columns={"today": "code"}), on=["code", *keys]
    ).rename(columns={"code": "village_code"})
    untouched = values[~moved & ~values.index.isin(absorbing_index(values, absorbing, keys))]
    order = {ind_id: i for i, ind_id in enumerate(catalog.ids)}
    out = pd.concat([untouched, made[values.columns]], ignore_index=True)
    out = (
        out.assign(_order=out["indicator"].map(order))
        .sort_values(["village_code", "year", "_order", "source", "row"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
        .astype(values.dtypes.to_dict())
    )
    said = parts.assign(estimated=parts["kinds"].str.contains("split")).groupby(group)
    notes = pd.DataFrame(
        {
            "sources": said["village_code"].agg(lambda c: ";".join(sorted(set(c)))),
            "kinds": said["kinds"].agg(lambda k: ";".join(sorted({x for x in k if x}))),
            "estimated": said["estimated"].any(),
        }
    ).reset_index()
    notes = notes.rename(columns={"today": "village_code"})[RESTATED_COLUMNS]
    return out, notes.sort_values(["village_code", "year", "indicator"]).reset_index(drop=True)


def absorbing_index(values: pd.DataFrame, absorbing: pd.DataFrame, keys: list[str]) -> pd.Index:
    """The rows of ``values`` of today's units that absorbed a former one in their year."""
    marked = (
        values[["village_code", *keys]]
        .reset_index()
        .merge(absorbing[["village_code", *keys]].drop_duplicates(), on=["village_code", *keys])
    )
    return pd.Index(marked["index"])


def changes_of(changes: pd.DataFrame, names: dict[str, str], towns: dict[str, str]) -> pd.DataFrame:
    """The boundary changes as pages show them: each with its old and new unit's names (the
    crosswalk's, else the registry's short name, else the code) and towns (``old_town``,
    ``new_town``: the names of the towns of their codes, else the town's code)."""
    out = changes.copy()
    for side in ("old", "new"):
        code, name = out[f"{side}_code"], out[f"{side}_name"]
        out[f"{side}_name"] = name.where(name != "", code.map(names).fillna(code))
        town = code.str[:9]
        out[f"{side}_town"] = town.map(towns).replace("", None).fillna(town)
    return out.sort_values(["year", "new_code", "old_code"], kind="stable").reset_index(drop=True)
