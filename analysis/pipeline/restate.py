"""Series on today's boundaries: the values as reported, restated through the boundary changes.

Pure functions over tables (:mod:`analysis.ingest.crosswalk` reads the changes). Each value
reported by a former unit goes to the units of today it became, through every change after it:

- a merger (合并) adds its units' counts and amounts, and weights their rates by the catalog's
  weight of each (population or households) — as a town's figure is made; a split unit's part
  joining another unit is weighted by its share of its weight. A rate none of whose units has a
  weight that year cannot be made: validation says so (``restate_unweighted``);
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


def keys_of_today(keys: pd.DataFrame, paths: pd.DataFrame) -> pd.DataFrame:
    """``keys`` (rows naming a village's value: ``village_code``, ``year``, ``indicator``) with
    each former unit's rows also given under every unit of today it is restated into
    (``paths``: the changes' :func:`~analysis.ingest.crosswalk.lineage`)."""
    if paths.empty or keys.empty:
        return keys
    carried = keys.merge(paths[["code", "today"]], left_on="village_code", right_on="code")
    carried = carried.assign(village_code=carried["today"])[list(keys.columns)]
    return pd.concat([keys, carried], ignore_index=True).drop_duplicates(ignore_index=True)


def restate(
    values: pd.DataFrame, paths: pd.DataFrame, catalog: Catalog
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The values on today's units, and what is said of each restated one.

    Parameters
    ----------
    values
        The values as reported (``VALUE_COLUMNS``), sorted as validation sorts them.
    paths
        Each former unit's units of today: the boundary changes'
        :func:`~analysis.ingest.crosswalk.lineage`.
    catalog
        Says which indicators are summed, maximised or weighted, and by what.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The restated values (the columns of ``values``, in its order: a restated value's
        ``source`` and ``row`` are its first contributor's) and :data:`RESTATED_COLUMNS`. A
        rate made of several units none of which has a weight that year cannot be weighted
        and is not made (:func:`~analysis.ingest.crosswalk.check_rate_weights` says so).
    """
    if paths.empty:
        return values, pd.DataFrame(columns=RESTATED_COLUMNS)
    moved = values["village_code"].isin(paths["code"])
    kind = {ind.id: ind.aggregate for ind in catalog}
    # The cells a restated value is made of: the former units', each under every unit of
    # today it became (its counts scaled by its share there), and those of today's units that
    # absorbed them, in the same years.
    targets = values[moved].merge(paths, left_on="village_code", right_on="code")
    summed = targets["indicator"].map(kind) == "sum"
    targets["value"] = targets["value"].where(~summed, targets["value"] * targets["share"])
    keys = ["year", "indicator"]
    absorbing = (
        values[~moved]
        .reset_index()
        .merge(
            targets[["today", *keys]].drop_duplicates(),
            left_on=["village_code", *keys],
            right_on=["today", *keys],
        )
    )
    parts = pd.concat(
        [targets, absorbing.drop(columns="index").assign(share=1.0, kinds="")], ignore_index=True
    ).drop(columns="code")
    group = ["today", *keys]
    many = parts.groupby(group)["village_code"].transform("size") > 1
    made = parts[~many].rename(columns={"today": "code"})[["code", *keys, "value"]]
    if many.any():
        # Each part weighted by its own weight: a former unit's scaled by its share (a split
        # unit's part by its share of the weight, not the whole unit's), an absorbing unit's as
        # reported (every year's, not only those its own rows were restated in).
        absorbers = values[values["village_code"].isin(absorbing["village_code"])]
        weights = pd.concat(
            [_parts(targets), _parts(absorbers.assign(today=absorbers["village_code"]))]
        )
        combined = aggregate_area(
            _parts(parts[many]).rename(columns={"today": "code"}),
            catalog,
            by=("code", "year"),
            weights=weights,
        )
        made = pd.concat([made, combined[["code", *keys, "value"]]], ignore_index=True)
    first = parts.sort_values(["source", "row"], kind="stable").drop_duplicates(group)
    made = made.merge(
        first[[*group, "source", "row"]].rename(columns={"today": "code"}), on=["code", *keys]
    ).rename(columns={"code": "village_code"})
    untouched = values[~moved & ~values.index.isin(absorbing["index"])]
    order = {ind_id: i for i, ind_id in enumerate(catalog.ids)}
    out = pd.concat([untouched, made[values.columns]], ignore_index=True)
    out = (
        out.assign(_order=out["indicator"].map(order))
        .sort_values(["village_code", "year", "_order", "source", "row"], kind="stable")
        .drop(columns="_order")
        .reset_index(drop=True)
        .astype(values.dtypes.to_dict())
    )
    # What is said of each value made, and of no other (a rate that could not be weighted).
    said = parts.merge(
        made[["village_code", *keys]].rename(columns={"village_code": "today"}), on=group
    )
    said = said.assign(estimated=said["kinds"].str.contains("split")).groupby(group)
    notes = pd.DataFrame(
        {
            "sources": said["village_code"].agg(lambda c: ";".join(sorted(set(c)))),
            "kinds": said["kinds"].agg(lambda k: ";".join(sorted({x for x in k if x}))),
            "estimated": said["estimated"].any(),
        }
    ).reset_index()
    notes = notes.rename(columns={"today": "village_code"})[RESTATED_COLUMNS]
    return out, notes.sort_values(["village_code", "year", "indicator"]).reset_index(drop=True)


def _parts(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of units under a unit of today (``today``) keyed ``code@today`` in ``village_code``:
    a unit split into several is a part of each, each with its own weight."""
    keyed = frame["village_code"] + "@" + frame["today"]
    return frame[["today", "year", "indicator", "value"]].assign(village_code=keyed)


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
