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
    by = list(by)
    flags = None if pending is None else _flags(pending_rows(indicators, pending))
    indicator, ids = pd.factorize(indicators["indicator"])
    group = _groups([indicators[column] for column in by])
    source = indicators if weights is None else weights

    def join(rows: np.ndarray, weight: np.ndarray, names: list[str]) -> pd.DataFrame:
        # The weights' own rows only: the rest would only slow the join down.
        if weights is None:
            wanted = np.flatnonzero(np.isin(indicator, [ids.get_loc(n) for n in names if n in ids]))
        else:
            wanted = np.flatnonzero(source["indicator"].isin(names).to_numpy())
        weight_flags = None
        if flags is not None:
            weight_flags = (
                flags[wanted]
                if weights is None
                else _flags(pending_rows(source.iloc[wanted], pending))
            )
        return _join(
            (indicators["village_code"].take(rows), indicators["year"].take(rows), weight),
            (
                source["village_code"].take(wanted),
                source["year"].take(wanted),
                _positions(source["indicator"].take(wanted), names),
            ),
            source["value"].to_numpy(dtype=float)[wanted],
            weight_flags,
        )

    figures = _figures(
        group, indicator, list(ids), indicators["value"].to_numpy(dtype=float), flags, join, catalog
    )
    out = pd.DataFrame({column: indicators[column].take(figures["first"]) for column in by})
    out["indicator"] = ids.take(figures["indicator"])
    for column in ("value", "villages", *([PENDING_REVIEW] if flags is not None else [])):
        out[column] = figures[column]
    types = {"year": "int64", "indicator": str, "value": "float64", "villages": "int64"}
    if flags is not None:
        types[PENDING_REVIEW] = "int64"
    return out.reset_index(drop=True).astype(types)


#: The catalog's rules of aggregation, numbered for :func:`_figures` (0: none).
_RULES = {"sum": 1, "max": 2, "weighted_mean": 3}


def _flags(pending: pd.Series) -> np.ndarray:
    """Pending flags as booleans: a value not asked about is not pending."""
    return pending.fillna(False).to_numpy(dtype=bool)


def _groups(columns: list[pd.Series]) -> np.ndarray:
    """Each row's combination of ``columns``' values, numbered in the order of the values
    (the first column's first); -1 where one is missing (a grouping leaves such rows out)."""
    n = len(columns[0]) if columns else 0
    group = np.zeros(n, dtype=np.int64)
    missing = np.zeros(n, dtype=bool)
    size = 1
    for column in columns:
        codes, uniques = pd.factorize(column, sort=True)
        missing |= codes < 0
        group = group * len(uniques) + codes
        size *= max(len(uniques), 1)
        if size > 2**40:
            # Numbered afresh, in the same order, so that the numbers stay small.
            group, kept = pd.factorize(group, sort=True)
            size = len(kept)
    group[missing] = -1
    return group


def _positions(names: pd.Series, wanted: list[str]) -> np.ndarray:
    """Where each of ``names`` is in ``wanted``; -1 where it is not."""
    codes, uniques = pd.factorize(names)
    at = {name: i for i, name in enumerate(wanted)}
    return np.array([at.get(u, -1) for u in uniques] + [-1], dtype=np.int64)[codes]


def _join(
    rows: tuple, weights: tuple, weight: np.ndarray, weight_flags: np.ndarray | None
) -> pd.DataFrame:
    """Each of ``rows`` (village, year, its weight's number) with the ``weights`` rows of the
    same village, year and weight (village, year, number): an inner join, in the rows' order
    (a row with several weights once for each, in their order). Columns ``at`` (the row's
    position in ``rows``), ``weight`` and ``weight_pending``."""
    left = pd.DataFrame(
        {"v": _array(rows[0]), "y": _array(rows[1]), "k": rows[2], "at": np.arange(len(rows[2]))}
    )
    right = pd.DataFrame({"v": _array(weights[0]), "y": _array(weights[1]), "k": weights[2]})
    right["weight"] = weight
    right["weight_pending"] = False if weight_flags is None else weight_flags
    return left.merge(right[right["k"] >= 0], on=["v", "y", "k"], how="inner")


def _array(column: pd.Series | np.ndarray):
    """A column's values without its labels."""
    return column.array if isinstance(column, pd.Series) else column


def _figures(
    group: np.ndarray,
    indicator: np.ndarray,
    ids: list[str],
    value: np.ndarray,
    flags: np.ndarray | None,
    join,
    catalog: Catalog,
) -> dict[str, np.ndarray]:
    """The figures of each group and indicator, by the catalog's rules, sorted by group and
    catalog order: ``first`` (the position of the group's first row), ``indicator`` (a code
    into ``ids``), ``value``, ``villages`` and, with ``flags``, :data:`PENDING_REVIEW`.

    ``group`` numbers each row's grouping (-1: left out), ``indicator`` codes its indicator
    (-1: none). ``join(rows, weight, names)`` joins the positions ``rows`` of the rates, each
    with the number of its weight in ``names``, to the weights' rows (:func:`_join`).
    pandas adds the values of each group up (compensated, in the rows' order), as it did
    grouping by the key columns themselves.
    """
    rules = {ind.id: _RULES.get(ind.aggregate, 0) for ind in catalog}
    rule = np.array([rules.get(i, 0) for i in ids] + [0], dtype=np.int64)[indicator]
    key = group * max(len(ids), 1) + indicator
    valid = group >= 0
    parts = []
    for how in ("sum", "max"):
        rows = np.flatnonzero(valid & (rule == _RULES[how]))
        frame = pd.DataFrame({"value": value[rows], "first": rows})
        if flags is not None:
            frame[PENDING_REVIEW] = flags[rows]
        grouped = frame.groupby(key[rows], sort=False)
        made = {
            "first": grouped["first"].first(),
            "value": getattr(grouped["value"], how)(),
            "villages": grouped["value"].count(),
        }
        if flags is not None:
            # A value pending review counts whether or not it is the largest: it may be a
            # typo that hides the largest.
            made[PENDING_REVIEW] = grouped[PENDING_REVIEW].sum()
        parts.append(pd.DataFrame(made))
    rates = np.flatnonzero(valid & (rule == _RULES["weighted_mean"]))
    if rates.size:
        weight_of = {ind.id: ind.weight for ind in catalog if ind.weight}
        names = sorted(set(weight_of.values()))
        number = np.array(
            [names.index(weight_of[i]) if i in weight_of else -1 for i in ids] + [-1],
            dtype=np.int64,
        )
        joined = join(rates, number[indicator[rates]], names)
        joined = joined[joined["weight"] > 0]
        rows = rates[joined["at"].to_numpy()]
        weight = joined["weight"].to_numpy()
        frame = pd.DataFrame({"value": value[rows], "weight": weight, "first": rows})
        frame["product"] = frame["value"] * frame["weight"]
        grouped = frame.groupby(key[rows], sort=False)
        made = {
            "first": grouped["first"].first(),
            "value": grouped["product"].sum() / grouped["weight"].sum(),
            "villages": grouped["value"].count(),
        }
        if flags is not None:
            either = flags[rows] | joined["weight_pending"].to_numpy(dtype=bool)
            made[PENDING_REVIEW] = pd.Series(either).groupby(key[rows], sort=False).sum()
        parts.append(pd.DataFrame(made))
    out = pd.concat(parts)
    codes = out.index.to_numpy() % max(len(ids), 1)
    groups = out.index.to_numpy() // max(len(ids), 1)
    order = catalog.order
    rank = np.array([order.get(i, len(order)) for i in ids] + [len(order)])[codes]
    sort = np.lexsort((rank, groups))
    figures = {column: out[column].to_numpy()[sort] for column in out.columns}
    figures["indicator"] = codes[sort]
    return figures


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
    columns = ["village_code", "year", "indicator", "value"]
    # Every village, year and indicator numbered once: a province's millions of rows are
    # grouped, joined and ordered by the numbers, never by their text again.
    village, distinct = pd.factorize(indicators["village_code"], sort=True)
    # Villages outside the registry have no place in the hierarchy, as an inner join drops them.
    known = np.append(pd.Index(places["village_code"]).get_indexer(distinct) >= 0, False)
    kept = indicators["value"].notna().to_numpy() & known[village]
    if kept.all():
        values = indicators[columns]
    else:
        values, village = indicators.loc[kept, columns], village[kept]
    indicator, ids = pd.factorize(values["indicator"])
    year, years = pd.factorize(values["year"], sort=True)
    value = values["value"].to_numpy(dtype=float)
    flags = None if pending is None else _flags(pending_rows(values, pending))
    names = pd.Series(distinct).map(places.set_index("village_code")["village_name"])
    order = catalog.order
    rank = np.array([order.get(i, len(order)) for i in ids] + [len(order)])[indicator]
    place = (village.astype(np.int64) * len(years) + year) * (len(order) + 1) + rank
    # Each level's rows as numbers: of its units (their codes and names), its years and its
    # indicators; the text of the table is taken from them once, in one piece a column.
    own = {
        "level": "village",
        "units": distinct,
        "names": names.to_numpy(),
        "unit": village,
        "year": year,
        "indicator": indicator,
        "value": value,
        "villages": np.ones(len(value), dtype=np.int64),
        **({PENDING_REVIEW: flags.astype("int64")} if flags is not None else {}),
    }
    # The villages' rows come in their order already (as validation sorts them): a province's
    # millions of rows need no sorting, only a look.
    if (np.diff(place) < 0).any():
        sort = np.argsort(place, kind="stable")
        each = ("unit", "year", "indicator", "value", "villages", PENDING_REVIEW)
        own.update({k: v[sort] for k, v in own.items() if k in each})
    out_columns = [*AGGREGATE_COLUMNS, *([PENDING_REVIEW] if flags is not None else [])]
    types = {"year": "int64", "value": "float64", "villages": "int64", "code": str, "name": str}
    if flags is not None:
        types[PENDING_REVIEW] = "int64"
    joined: list[pd.DataFrame] = []

    def join(rows: np.ndarray, weight: np.ndarray, weight_names: list[str]) -> pd.DataFrame:
        # The same rates and weights at every level: joined once.
        if not joined:
            number = np.array(
                [weight_names.index(i) if i in weight_names else -1 for i in ids] + [-1]
            )[indicator]
            wanted = np.flatnonzero(number >= 0)
            joined.append(
                _join(
                    (village[rows], year[rows], weight),
                    (village[wanted], year[wanted], number[wanted]),
                    value[wanted],
                    None if flags is None else flags[wanted],
                )
            )
        return joined[0]

    parts = [own]
    counties = places["county_code"].nunique()
    for level in ("town", "county", "prefecture"):
        if level == "prefecture" and counties < 2:
            continue
        unit, units = pd.factorize(distinct.str[: LEVELS[level]], sort=True)
        unit = unit[village]
        figures = _figures(
            unit * max(len(years), 1) + year, indicator, list(ids), value, flags, join, catalog
        )
        first = figures.pop("first")
        named = places.drop_duplicates(f"{level}_code").set_index(f"{level}_code")
        parts.append(
            {
                **figures,
                "level": level,
                "units": units,
                "names": units.map(named[f"{level}_name"]).to_numpy(),
                "unit": unit[first],
                "year": year[first],
            }
        )
    parts = parts[::-1]  # levels top down
    offsets = np.cumsum([0, *(len(part["units"]) for part in parts)])
    table = {
        "level": pd.array([part["level"] for part in parts], dtype="str").take(
            np.repeat(np.arange(len(parts)), [len(part["value"]) for part in parts])
        ),
        "code": _text([part["units"] for part in parts], parts, offsets, "unit"),
        "name": _text([part["names"] for part in parts], parts, offsets, "unit"),
        "year": years.take(np.concatenate([part["year"] for part in parts])),
        "indicator": ids.take(np.concatenate([part["indicator"] for part in parts])),
    }
    for column in ("value", "villages", *([PENDING_REVIEW] if flags is not None else [])):
        table[column] = np.concatenate([part[column] for part in parts])
    return pd.DataFrame(table)[out_columns].astype(types)


def _text(dictionaries: list, parts: list[dict], offsets: np.ndarray, key: str):
    """The text of each row of ``parts``: its ``key`` numbers its entry in its part's
    dictionary."""
    words = pd.array(
        np.concatenate([np.asarray(d, dtype=object) for d in dictionaries]), dtype="str"
    )
    return words.take(
        np.concatenate([part[key] + at for part, at in zip(parts, offsets, strict=False)])
    )


def _aggregate_level(
    values: pd.DataFrame,
    level: str,
    catalog: Catalog,
) -> pd.DataFrame:
    """:func:`aggregate_area` per unit of ``level``, a unit's villages found by the first
    digits of their codes (weights looked up among all villages)."""
    keyed = values.assign(code=values["village_code"].astype(str).str[: LEVELS[level]])
    return aggregate_area(keyed, catalog, by=("code", "year"), weights=values)


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
