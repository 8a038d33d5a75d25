"""The one aggregation: village values to the figures of a town, county or any group.

Sums add the villages, rates are weighted means (never unweighted), ``max`` takes the largest;
the catalog says which rule each indicator follows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.core.catalog import Catalog, default_catalog

#: How many of an aggregate's village values are pending review (核实性审核: flagged, and no
#: 核实说明 confirms them), a column of :func:`aggregate_area` and :func:`aggregate_levels`
#: given the values ``pending``.
PENDING_REVIEW = "pending_review"
#: What names a village value: the key of the values pending review.
VALUE_KEY = ["village_code", "year", "indicator"]


def aggregate_area(
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


def is_pending(values: pd.DataFrame, pending: pd.DataFrame) -> pd.Series:
    """Which of ``values`` (rows with :data:`VALUE_KEY`) are among ``pending``'s, aligned with
    ``values``."""
    if pending.empty or values.empty:
        return pd.Series(False, index=values.index)
    wanted = pd.MultiIndex.from_arrays(
        [
            pending["village_code"].astype(str),
            pending["year"].astype("int64"),
            pending["indicator"].astype(str),
        ]
    )
    # Only the rows of a pending village can match: a province's millions are not keyed.
    candidates = values["village_code"].astype(str).isin(set(wanted.get_level_values(0)))
    found = pd.Series(False, index=values.index)
    if candidates.any():
        rows = values[candidates]
        keys = pd.MultiIndex.from_arrays(
            [
                rows["village_code"].astype(str),
                rows["year"].astype("int64"),
                rows["indicator"].astype(str),
            ]
        )
        found[candidates] = keys.isin(wanted)
    return found


def pending_rows(values: pd.DataFrame, pending: pd.DataFrame | pd.Series) -> pd.Series:
    """:func:`is_pending` of ``values``; ``pending`` is the values pending review, or what
    :func:`is_pending` said of a table ``values``' rows are taken from (by row label): the
    prepare asks once and hands that to every aggregation."""
    if isinstance(pending, pd.Series):
        return pending.reindex(values.index)
    return is_pending(values, pending)


def _map(column: pd.Series, mapping: dict) -> pd.Series:
    """``column.map(mapping)``, looking each distinct value up once: an indicator column of a
    province has millions of rows and some thirty values."""
    codes, uniques = pd.factorize(column, use_na_sentinel=False)
    looked_up = pd.Series(uniques).map(mapping)
    return pd.Series(looked_up.to_numpy()[codes], index=column.index, dtype=looked_up.dtype)


def incomplete_years(town: pd.DataFrame, catalog: Catalog) -> pd.Series:
    """Which rows of :func:`aggregate_township` output are incomplete years.

    A year in which fewer villages reported a summed indicator than in its best-covered year is
    incomplete: a sum over fewer villages would read as a fall (each unit judged on its own where
    the rows carry a ``code``). Rates and maxima are not affected (a weighted mean over the villages that reported is still a mean).

    Returns
    -------
    pandas.Series
        Boolean, aligned with ``town``.
    """
    rules = {ind.id: ind.aggregate for ind in catalog}
    summed = town["indicator"].map(rules) == "sum"
    units = ["code", "indicator"] if "code" in town.columns else ["indicator"]
    best = town.groupby(units)["villages"].transform("max")
    return summed & (town["villages"] < best)


def area_series(indicators: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Township series per year to project from: the catalog aggregation of
    :func:`aggregate_township`, less the :func:`incomplete_years`.

    Returns
    -------
    pandas.DataFrame
        Columns year, indicator, value.
    """
    town = aggregate_area(indicators[indicators["value"].notna()], catalog)
    complete = town[~incomplete_years(town, catalog)]
    return complete[["year", "indicator", "value"]].reset_index(drop=True)


#: The levels of the administrative hierarchy, top down, with the length of their codes: a
#: village's 12-digit code starts with its town's 9 digits, its county's 6 and its
#: prefecture's 4 (国家统计局 统计用区划代码).
LEVELS: dict[str, int] = {"prefecture": 4, "county": 6, "town": 9, "village": 12}
AGGREGATE_COLUMNS = ["level", "code", "name", "year", "indicator", "value", "villages"]


def hierarchy(villages: pd.DataFrame) -> pd.DataFrame:
    """Each village's town, county and prefecture: code and name, from the registry.

    Names come from the registry's ``town_name``/``county_name``/``prefecture_name`` columns
    (the first name given among a unit's villages); a unit no row names is named by its code,
    never by the sample's.
    """
    out = pd.DataFrame({"village_code": villages["code"].astype(str)})
    out["village_name"] = villages["name"].astype(str).to_numpy()
    for level, width in LEVELS.items():
        if level == "village":
            continue
        codes = out["village_code"].str[:width]
        out[f"{level}_code"] = codes
        column = f"{level}_name"
        named = pd.Series(dtype=object)
        if column in villages.columns:
            given = pd.Series(villages[column].fillna("").astype(str).str.strip().to_numpy())
            named = given[given != ""].groupby(codes[given != ""]).first()
        out[column] = codes.map(named).astype(object).fillna(codes)
    return out


def aggregate_levels(
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
    return aggregate_area(keyed, catalog, by=("code", "year"), weights=values, pending=pending)


#: The aggregates that count a village value pending review (:func:`pending_totals`).
PENDING_COLUMNS = ["level", "code", "year", "indicator", PENDING_REVIEW]
#: The level :func:`pending_totals` gives the whole data set's figures (``area.parquet``).
WHOLE_LEVEL = "area"


def pending_totals(area: pd.DataFrame, aggregates: pd.DataFrame) -> pd.DataFrame:
    """The figures above a village that count a village value pending review: the whole's
    (``area``, level :data:`WHOLE_LEVEL`, code '') and each town's, county's and prefecture's,
    both made with ``pending`` (:func:`aggregate_area`, :func:`aggregate_levels`).

    Returns
    -------
    pandas.DataFrame
        :data:`PENDING_COLUMNS`, only the figures whose :data:`PENDING_REVIEW` is above 0: the
        whole's first, then as ``aggregates`` is ordered.
    """
    whole = area[area[PENDING_REVIEW] > 0].assign(level=WHOLE_LEVEL, code="")
    units = aggregates[(aggregates["level"] != "village") & (aggregates[PENDING_REVIEW] > 0)]
    return (
        pd.concat([whole[PENDING_COLUMNS], units[PENDING_COLUMNS]], ignore_index=True)
        .astype({"level": str, "code": str, "year": "int64", "indicator": str})
        .astype({PENDING_REVIEW: "int64"})
    )


def level_series(indicators: pd.DataFrame, level: str, catalog: Catalog) -> pd.DataFrame:
    """Every unit of ``level`` ('town', 'county'): its yearly series to project from — the
    aggregation of :func:`aggregate_levels`, less each unit's :func:`incomplete_years`.

    Returns
    -------
    pandas.DataFrame
        Columns code, year, indicator, value.
    """
    figures = _aggregate_level(indicators[indicators["value"].notna()], level, catalog)
    complete = figures[~incomplete_years(figures, catalog)]
    return complete[["code", "year", "indicator", "value"]].reset_index(drop=True)
