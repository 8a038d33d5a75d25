"""The aggregation as it was before issue 33, grouping, joining and ordering by the text of the
keys: the reference the numbered aggregation (:mod:`analysis.core.aggregate`) is held to, bit
for bit (``test_aggregate_codes.py``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.core.aggregate import (
    AGGREGATE_COLUMNS,
    LEVELS,
    PENDING_REVIEW,
    hierarchy,
    pending_rows,
)
from analysis.core.catalog import Catalog, default_catalog


def area_by_text(
    indicators: pd.DataFrame,
    catalog: Catalog | None = None,
    *,
    by: Sequence[str] = ("year",),
    weights: pd.DataFrame | None = None,
    pending: pd.DataFrame | pd.Series | None = None,
) -> pd.DataFrame:
    """Township (or county) figures per year, by each indicator's catalog rule.

    Sums add the villages; rates are means weighted by the indicator the catalog names
    (population or households) over the villages that have both the rate and a positive weight
    for that year — never an unweighted mean; ``max`` takes the largest village value.

    Parameters
    ----------
    indicators
        Tidy village values: ``village_code``, ``year``, ``indicator``, ``value`` and the
        columns named in ``by``.
    catalog
        Indicator catalog; default the package's.
    by
        Grouping columns besides ``indicator`` (must include ``year``).
    weights
        Where the weights (population, households) are looked up, by village and year;
        default ``indicators`` itself.
    pending
        The village values pending review (``village_code``, ``year``, ``indicator``): with
        it, a column :data:`PENDING_REVIEW` counts the villages whose value counted in a
        figure is pending, or, for a rate, whose value or weight is. It may be given as
        :func:`is_pending` of a table the values and weights are rows of (:func:`pending_rows`).

    Returns
    -------
    pandas.DataFrame
        ``by`` columns, ``indicator`` (str), ``value`` (float64) and ``villages`` (int64, how
        many villages contributed), sorted by ``by`` and catalog order; and
        :data:`PENDING_REVIEW` (int64) where ``pending`` is given.
    """
    catalog = catalog or default_catalog()
    keys = [*by, "indicator"]
    # Only the columns used: every other one would be copied by each selection below.
    indicators = indicators[list(dict.fromkeys([*keys, "village_code", "value"]))]
    counted = pending is not None
    if counted:
        indicators = indicators.assign(_pending=pending_rows(indicators, pending))
    rules = {ind.id: ind.aggregate for ind in catalog}
    kind = _map(indicators["indicator"], rules)
    frames = []
    # The village code only joins a rate to its weight: the sums and maxima leave it behind.
    summed = [*keys, "value", *(["_pending"] if counted else [])]
    for how in ("sum", "max"):
        grouped = indicators.loc[kind == how, summed].groupby(keys)
        part = grouped["value"]
        made = {"value": getattr(part, how)(), "villages": part.count()}
        if counted:
            # A value pending review counts whether or not it is the largest: it may be a
            # typo that hides the largest.
            made[PENDING_REVIEW] = grouped["_pending"].sum()
        frames.append(pd.DataFrame(made).reset_index())
    rates = indicators[kind == "weighted_mean"]
    if not rates.empty:
        weight_of = {ind.id: ind.weight for ind in catalog if ind.weight}
        source = indicators if weights is None else weights
        # Only the weights' own rows can join; the rest would only slow the merge down.
        source = source[source["indicator"].isin(set(weight_of.values()))]
        table = source[["village_code", "year", "indicator", "value"]]
        if counted:
            table = table.assign(_weight_pending=pending_rows(table, pending))
        table = table.rename(columns={"indicator": "weight_id", "value": "weight"})
        joined = rates.assign(weight_id=_map(rates["indicator"], weight_of)).merge(
            table, on=["village_code", "year", "weight_id"], how="inner"
        )
        joined = joined[joined["weight"] > 0]
        grouped = joined.assign(product=joined["value"] * joined["weight"]).groupby(keys)
        made = {
            "value": grouped["product"].sum() / grouped["weight"].sum(),
            "villages": grouped["value"].count(),
        }
        if counted:
            either = joined["_pending"] | joined["_weight_pending"]
            made[PENDING_REVIEW] = either.groupby([joined[k] for k in keys]).sum()
        frames.append(pd.DataFrame(made).reset_index())
    out = pd.concat(frames, ignore_index=True)
    order = catalog.order
    out = out.assign(_order=out["indicator"].map(order)).sort_values([*by, "_order"], kind="stable")
    types = {"year": "int64", "indicator": str, "value": "float64", "villages": "int64"}
    if counted:
        types[PENDING_REVIEW] = "int64"
    return out.drop(columns="_order").reset_index(drop=True).astype(types)


def _map(column: pd.Series, mapping: dict) -> pd.Series:
    """``column.map(mapping)``, looking each distinct value up once: an indicator column of a
    province has millions of rows and some thirty values."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    looked_up = pd.Series(uniques).map(mapping)
    return pd.Series(looked_up.to_numpy()[codes], index=column.index, dtype=looked_up.dtype)


def levels_by_text(
    indicators: pd.DataFrame,
    villages: pd.DataFrame,
    catalog: Catalog | None = None,
    *,
    pending: pd.DataFrame | pd.Series | None = None,
) -> pd.DataFrame:
    """Every level's figures per year: villages as they are, then each town, county and, when
    the data spans more than one county, prefecture — by the catalog's rules.

    Returns
    -------
    pandas.DataFrame
        :data:`AGGREGATE_COLUMNS`; ``villages`` is how many villages reported the figure (1 on
        the village level). Levels top down, then code, year and catalog order. With
        ``pending`` (the village values pending review), a column :data:`PENDING_REVIEW` too
        (:func:`aggregate_area`).
    """
    catalog = catalog or default_catalog()
    places = hierarchy(villages)
    values = indicators.loc[
        indicators["value"].notna(), ["village_code", "year", "indicator", "value"]
    ]
    # Villages outside the registry have no place in the hierarchy, as an inner join drops them.
    values = values[values["village_code"].isin(places["village_code"])]
    # Each distinct village's name looked up once and taken as text for every row: a
    # province's millions of rows made into Python strings and back cost seconds.
    codes, distinct = pd.factorize(values["village_code"])
    names = pd.Series(distinct).map(places.set_index("village_code")["village_name"])
    own = values.rename(columns={"village_code": "code"}).assign(
        name=pd.Series(names.array.take(codes), index=values.index),
        level="village",
        villages=1,
    )
    columns = list(AGGREGATE_COLUMNS)
    types = {"year": "int64", "value": "float64", "villages": "int64", "code": str, "name": str}
    if pending is not None:
        own[PENDING_REVIEW] = pending_rows(values, pending).astype("int64").to_numpy()
        columns.append(PENDING_REVIEW)
        types[PENDING_REVIEW] = "int64"
    frames = [own]
    counties = places["county_code"].nunique()
    for level in ("town", "county", "prefecture"):
        if level == "prefecture" and counties < 2:
            continue
        figures = _aggregate_level(values, level, catalog, pending)
        names = places.drop_duplicates(f"{level}_code").set_index(f"{level}_code")[f"{level}_name"]
        frames.append(figures.assign(level=level, name=figures["code"].map(names)))
    order = {level: i for i, level in enumerate(LEVELS)}
    rank = catalog.order
    # Levels top down: each level's rows come in their order already (the villages' as
    # validation sorts them), so a province's millions of rows need no sorting, only a look.
    out = pd.concat(frames[::-1], ignore_index=True)[columns]
    out = out.assign(_level=_map(out["level"], order), _ind=_map(out["indicator"], rank))
    keys = ["_level", "code", "year", "_ind"]
    if not in_order(out, keys):
        out = out.sort_values(keys, kind="stable")
    return out.drop(columns=["_level", "_ind"]).reset_index(drop=True).astype(types)


def in_order(frame: pd.DataFrame, keys: list[str]) -> bool:
    """Whether ``frame``'s rows are in the order ``frame.sort_values(keys, kind="stable")``
    gives, so that sorting would change nothing; False where a key is missing (NaN)."""
    undecided = np.ones(max(len(frame) - 1, 0), bool)  # pairs of rows equal on the keys so far
    for key in keys:
        ranks = pd.factorize(frame[key], sort=True)[0]
        if (ranks < 0).any():
            return False
        step = np.diff(ranks)
        if (undecided & (step < 0)).any():
            return False
        undecided &= step == 0
    return True


def _aggregate_level(
    values: pd.DataFrame,
    level: str,
    catalog: Catalog,
    pending: pd.DataFrame | pd.Series | None = None,
) -> pd.DataFrame:
    """:func:`aggregate_township` per unit of ``level``, a unit's villages found by the first
    digits of their codes (weights looked up among all villages)."""
    keyed = values.assign(code=values["village_code"].astype(str).str[: LEVELS[level]])
    return area_by_text(keyed, catalog, by=("code", "year"), weights=values, pending=pending)
