"""Every target at once: the tidy indicator table and the targets table → the projections table.

Each target is assessed on one series, made one way (:func:`scope_series`): a township's, a
town's or a county's is the catalog aggregation less the years in which fewer villages reported a
summed indicator (:func:`analysis.core.aggregate.township_series`,
:func:`analysis.core.aggregate.level_series`); a group of villages counts only the years in which
every one of them reported. The build, the charts and the tests all take this path.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.aggregate import LEVELS, area_series, level_series
from analysis.core.catalog import Catalog, Indicator, default_catalog
from analysis.core.trends.assessment import assess_arrays
from analysis.core.trends.projection import (
    DEFAULT_LEVEL,
    MIN_POINTS,
    BatchFit,
    fit_batch,
    resolve_bounds,
)
from analysis.core.trends.verdicts import assess_fit

#: The levels a target's scope names by the length of its code (国家统计局 统计用区划代码).
_LEVEL_OF_WIDTH = {width: level for level, width in LEVELS.items() if level != "prefecture"}
#: What a target of each level is called where it applies to the units below it.
_APPLIED_SOURCE = {
    "township": "全镇目标 township target",
    "town": "乡镇目标 town target",
    "county": "全县目标 county target",
}

#: Columns of :func:`assess_targets`, in order.
COLUMNS = [
    "scope",
    "row_type",
    "indicator",
    "indicator_zh",
    "unit",
    "source",
    "target_year",
    "target",
    "direction",
    "tracking",
    "base_year",
    "base_value",
    "last_year",
    "last_value",
    "done",
    "n_points",
    "ok",
    "reason",
    "model",
    "backtest_mae",
    "candidates",
    "widening",
    "projected",
    "lower",
    "upper",
    "level",
    "probability",
    "escap_measure",
    "escap_category",
    "eurostat_ratio",
    "eurostat_band",
    "status_zh",
    "status_en",
    "remaining",
    "required_change_per_year",
    "observed_change_per_year",
    "gap",
]

#: Columns of :func:`assess_targets_with_paths`' second table: a targeted projection row's key
#: (its scope, row type, indicator, target year and target), then a row per year of what its
#: fan chart draws: the series observed, or the path projected with its interval.
PATH_COLUMNS = [
    "scope",
    "row_type",
    "indicator",
    "target_year",
    "target",
    "year",
    "observed",
    "projected",
    "lower",
    "upper",
]
#: The columns that name a projection row in :data:`PATH_COLUMNS`.
PATH_KEY = PATH_COLUMNS[:5]

_Arrays = tuple[np.ndarray, np.ndarray]
_EMPTY: _Arrays = (np.array([], dtype=np.int64), np.array([], dtype=float))


def scope_level(scope: str) -> tuple[str, list[str]]:
    """A target's scope → (level, codes).

    'township' (the one town of a one-town data set) → ('township', []); a 6-digit county or
    9-digit town code → ('county' | 'town', [code]); a 12-digit village code, or village codes
    joined by ';' → ('village', codes). Raises ValueError on anything else.
    """
    scope = scope.strip()
    if scope == "township":
        return "township", []
    codes = [code.strip() for code in scope.split(";") if code.strip()]
    levels = {_LEVEL_OF_WIDTH.get(len(code)) if code.isdigit() else None for code in codes}
    if len(levels) == 1 and (len(codes) == 1 or levels == {"village"}) and None not in levels:
        return levels.pop(), codes
    raise ValueError(
        f"target scope {scope!r}: use 'township', a 6-digit county, 9-digit town or 12-digit "
        "village code, or village codes joined by ';'"
    )


def _split(frame: pd.DataFrame, keys: list[str]) -> dict[Any, _Arrays]:
    """Series per key as plain arrays, as :func:`~analysis.core.trends.projection.clean` makes
    them (NaN dropped, sorted by year), checked and sorted in one pass for all keys: pandas
    objects or numpy calls per village would cost more than the projection itself."""
    frame = frame[frame["value"].notna()]
    years = frame["year"].to_numpy(dtype=float)
    if not np.all(years == np.round(years)):
        raise ValueError("series must be indexed by whole years")
    # Sorted by key, and within a key by year (stably): each key's series is one run of the
    # sorted arrays, cut out without a copy. A missing key is a key of its own (0) here.
    factorised = [pd.factorize(frame[key]) for key in keys]
    group = np.zeros(len(frame), dtype=np.int64)
    missing = np.zeros(len(frame), dtype=bool)
    for codes, uniques in factorised:
        group = group * (len(uniques) + 1) + codes + 1
        missing |= codes < 0
    by_year = np.argsort(years, kind="stable")
    order = by_year[np.argsort(group[by_year], kind="stable")]
    if ((np.diff(group[order]) == 0) & (np.diff(years[order]) == 0)).any():
        raise ValueError("series has the same year twice")
    # A missing key names no series, as a grouping leaves it out.
    order = order[~missing[order]]
    group, years = group[order], years[order].astype(np.int64)
    values = frame["value"].to_numpy(dtype=float)[order]
    starts = np.flatnonzero(np.diff(group, prepend=-1) != 0)
    stops = [*starts[1:].tolist(), len(group)]
    named = [uniques.take(codes[order[starts]]).tolist() for codes, uniques in factorised]
    names = named[0] if len(keys) == 1 else list(zip(*named, strict=True))
    return {
        name: (years[start:stop], values[start:stop])
        for name, start, stop in zip(names, starts.tolist(), stops, strict=True)
    }


def _group(rows: pd.DataFrame, codes: list[str], indicator: str, catalog: Catalog) -> _Arrays:
    """Several villages' sum (a rate: weighted mean), over the years every one reported."""
    subset = rows[rows["village_code"].isin(codes)]
    reported = subset[subset["indicator"] == indicator].groupby("year")["village_code"]
    complete = reported.nunique()
    subset = subset[subset["year"].isin(complete.index[complete == len(codes)])]
    return _split(area_series(subset, catalog), ["indicator"]).get(indicator, _EMPTY)


def _relevant(indicators: pd.DataFrame, ids: set[str], catalog: Catalog) -> pd.DataFrame:
    """The rows of the target indicators and of their weights, as clean types."""
    weights = {catalog[i].weight for i in ids if catalog[i].weight}
    rows = indicators.loc[
        indicators["indicator"].isin(ids | weights), ["village_code", "year", "indicator", "value"]
    ]
    return rows.astype({"village_code": str, "year": int, "value": float})


def scope_series(
    indicators: pd.DataFrame, scope: str, indicator: str, *, catalog: Catalog | None = None
) -> pd.Series:
    """The yearly series a target of ``scope`` on ``indicator`` is assessed on.

    Parameters
    ----------
    indicators : pandas.DataFrame
        Tidy table: village_code, year, indicator, value.
    scope : str
        As :func:`scope_level` reads it: 'township', a county, town or village code, or
        village codes joined by ';'.
    indicator : str
        Catalog id.

    Returns
    -------
    pandas.Series
        Values indexed by year, incomplete years left out as :func:`assess_targets` does.
    """
    return scopes_series(indicators, [(scope, indicator)], catalog=catalog)[0]


def scopes_series(
    indicators: pd.DataFrame,
    targets: Iterable[tuple[str, str]],
    *,
    catalog: Catalog | None = None,
) -> list[pd.Series]:
    """:func:`scope_series` of each ``(scope, indicator)``, each level aggregated once for all
    of them (a county page's dozens of targets cost one aggregation, not one each)."""
    catalog = catalog or default_catalog()
    pairs = [(str(scope), str(indicator)) for scope, indicator in targets]
    made = _Series(_relevant(indicators, {ind for _, ind in pairs}, catalog), catalog)
    out = []
    for scope, indicator in pairs:
        years, values = made.of(scope, indicator)
        out.append(
            pd.Series(values, index=pd.Index(years, name="year"), name=indicator, dtype=float)
        )
    return out


class _Series:
    """The series of every scope, each level's made once, when a scope of it is first asked for."""

    def __init__(self, rows: pd.DataFrame, catalog: Catalog) -> None:
        self.rows, self.catalog = rows, catalog
        self.levels: dict[str, dict[Any, _Arrays]] = {}

    def _level(self, level: str) -> dict[Any, _Arrays]:
        if level not in self.levels:
            if level == "village":
                made = _split(self.rows, ["village_code", "indicator"])
            elif level == "township":
                made = _split(area_series(self.rows, self.catalog), ["indicator"])
            else:
                made = _split(level_series(self.rows, level, self.catalog), ["code", "indicator"])
            self.levels[level] = made
        return self.levels[level]

    def of(self, scope: str, indicator: str) -> _Arrays:
        level, codes = scope_level(scope)
        if level == "township":
            return self._level(level).get(indicator, _EMPTY)
        if len(codes) > 1:
            return _group(self.rows, codes, indicator, self.catalog)
        return self.unit(level, codes[0], indicator)

    def unit(self, level: str, code: str, indicator: str) -> _Arrays:
        """One unit's series, its level known ('village', 'town' or 'county')."""
        return self._level(level).get((code, indicator), _EMPTY)


def _row(
    scope: str,
    row_type: str,
    ind: Indicator,
    source: str,
    series: _Arrays,
    target: float,
    target_year: int,
    base_year: int | None,
    level: float,
) -> tuple[dict[str, Any], list[tuple]]:
    """The projections row of one unit and target, and the rows of what its fan chart draws
    (:data:`PATH_COLUMNS`; none where there is no target to chart): the one-series path of a
    row no batch projected."""
    years, values = series
    result = assess_arrays(
        years,
        values,
        target,
        target_year,
        base_year,
        ind.direction,
        ind.kind,
        resolve_bounds(ind.kind, ind.bounds),
        level,
        cumulative=ind.cumulative,
        plan=ind.plan,
        flow=ind.flow,
    )
    row = {**_job_columns(scope, row_type, ind, source), **result.to_dict()}
    if not math.isfinite(target):
        return row, []
    key = (scope, row_type, ind.id, int(target_year), float(target))
    nan = math.nan
    path = [(*key, int(y), float(v), nan, nan, nan) for y, v in zip(years, values, strict=True)]
    path += [(*key, int(y), nan, p, lo, hi) for y, p, lo, hi in result.projection.path]
    return row, path


def _job_columns(scope: str, row_type: str, ind: Indicator, source: str) -> dict[str, Any]:
    """The columns of a projections row that name it."""
    return {
        "scope": scope,
        "row_type": row_type,
        "indicator": ind.id,
        "indicator_zh": ind.zh,
        "unit": ind.unit,
        "source": source,
    }


#: One row of the projections table to make: scope, row type, indicator, source, series,
#: target and target year.
_Job = tuple[str, str, Indicator, str, _Arrays, float, int]


def batch_fits(jobs: list[_Job], level: float) -> list[tuple[list[int], BatchFit]]:
    """The projections of many rows' series, fitted together: the rows (indices into
    ``jobs``) of each batch, and its fit.

    Series of one indicator and target year observed in the same years are stacked and
    projected at once (:func:`~analysis.core.trends.projection.fit_batch`, each with its
    own target), whatever their scope, so gaps need no masking and a province's thousands of
    towns cost a few array fits. A plan, a series too short or already past the target year,
    and a row a fit does not settle are left to the one-series path.
    """
    groups: dict[tuple[str, int, bytes], list[int]] = {}
    for i, (_, _, ind, _, (years, _), _, target_year) in enumerate(jobs):
        if not ind.plan and len(years) >= MIN_POINTS and years[-1] < target_year:
            groups.setdefault((ind.id, target_year, years.tobytes()), []).append(i)
    fits: list[tuple[list[int], BatchFit]] = []
    for (_, target_year, _), rows in groups.items():
        ind = jobs[rows[0]][2]
        years = jobs[rows[0]][4][0]
        values = np.stack([jobs[i][4][1] for i in rows])
        targets = np.array([jobs[i][5] for i in rows], dtype=float)
        fit = fit_batch(
            years,
            values,
            target_year,
            ind.kind,
            resolve_bounds(ind.kind, ind.bounds),
            level,
            targets,
            ind.cumulative,
        )
        if fit is not None:
            fits.append((rows, fit))
    return fits


def assess_targets(
    indicators: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    level: float = DEFAULT_LEVEL,
    base_year: int | None = None,
) -> pd.DataFrame:
    """Assess every target, and project every unit below a township, town or county target:
    the projections table of :func:`assess_targets_with_paths`, without what the charts draw."""
    return assess_targets_with_paths(
        indicators, targets, catalog=catalog, level=level, base_year=base_year
    )[0]


def assess_targets_with_paths(
    indicators: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    level: float = DEFAULT_LEVEL,
    base_year: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Assess every target, and project every unit below a township, town or county target.

    Parameters
    ----------
    indicators : pandas.DataFrame
        Tidy table: village_code (12-digit str), year (int), indicator (catalog id), value.
    targets : pandas.DataFrame
        scope (as :func:`scope_level` reads it: 'township', a 6-digit county or 9-digit town
        code, a 12-digit village code, or codes joined by ';' for the sum — or, for rates, the
        weighted mean — over those villages), indicator, target_year, target_value, source.
    catalog : Catalog, optional
        Defaults to the package catalog.
    level : float, default 0.8
        Central probability of the prediction intervals.
    base_year : int, optional
        Base year of the progress measures; None means each series' first observed year.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The projections table, and what each of its rows with a target draws on its fan chart
        (:data:`PATH_COLUMNS`: the series observed, then the path projected with its interval,
        a row per year), so that charts read the projections rather than make them again.

        The projections table has :data:`COLUMNS`. ``row_type`` 'target' rows (one per target) come first, sorted by scope
        (township first), indicator and target year; then one row per unit below a target and
        indicator: 'village' rows for the villages of a township or town target, 'town' rows
        for the towns of a county target. They carry target NaN and status 'no target' / 无目标
        unless the target applies to each unit as it stands (a rate, or a count to bring to
        zero): a county total says nothing about one town's share. Each series is the one
        :func:`scope_series` gives. Deterministic: no simulation is used.
    """
    catalog = catalog or default_catalog()
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1, got {level}")
    duplicated = indicators.duplicated(["village_code", "year", "indicator"])
    if duplicated.any():
        first = indicators[duplicated].iloc[0]
        raise ValueError(
            f"indicator table has {int(duplicated.sum())} duplicate rows, e.g. village "
            f"{first['village_code']}, {first['year']}, {first['indicator']}"
        )

    target_ids = sorted(set(targets["indicator"].astype(str)))
    unknown = [i for i in target_ids if i not in catalog]
    if unknown:
        raise KeyError(f"target indicators not in the catalog: {unknown}")
    # Only the villages' series for target indicators (and their weights) are ever touched, so
    # the cost grows with villages × targeted indicators, not with the whole table.
    relevant = _relevant(indicators, set(target_ids), catalog)
    series = _Series(relevant, catalog)

    jobs: list[_Job] = []
    for target in targets.itertuples(index=False):
        ind = catalog[str(target.indicator)]
        scope = str(target.scope).strip()
        source = "" if pd.isna(target.source) else str(target.source)
        jobs.append(
            (
                scope,
                "target",
                ind,
                source,
                series.of(scope, ind.id),
                float(target.target_value),
                int(target.target_year),
            )
        )

    villages = sorted(indicators["village_code"].astype(str).unique())
    for scope, (indicator_id, target_year), value in _applied(targets):
        below, row_type = _units_below(scope, villages)
        ind = catalog[indicator_id]
        # A rate (参保率 90%) or a count to bring to zero applies to every unit below as it
        # stands; a total (65 km of road) says nothing about one unit's share.
        applies = ind.kind == "rate" or value == 0
        unit_target = value if applies else math.nan
        source = _APPLIED_SOURCE[scope_level(scope)[0]] if applies else ""
        jobs.extend(
            (
                code,
                row_type,
                ind,
                source,
                series.unit(row_type, code, indicator_id),
                unit_target,
                target_year,
            )
            for code in below
        )

    result, paths = _tables(jobs, base_year, level)
    for column in ("base_year", "last_year"):
        result[column] = result[column].astype("Int64")
    order = pd.DataFrame(
        {
            "row": (result["row_type"] != "target").astype(int),
            "town": (result["scope"] != "township").astype(int),
            "scope": result["scope"],
            "indicator": result["indicator"],
            "year": result["target_year"],
        }
    ).sort_values(["row", "town", "scope", "indicator", "year"], kind="stable")
    # A target stated twice is charted once.
    paths = paths.drop_duplicates([*PATH_KEY, "year"]).sort_values([*PATH_KEY, "year"])
    return result.loc[order.index].reset_index(drop=True), paths.reset_index(drop=True)


def _tables(
    jobs: list[_Job], base_year: int | None, level: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The projections row of every job, in their order, and what their fan charts draw: the
    rows a batch settled assessed whole-array (:func:`~analysis.core.trends.verdicts.assess_fit`),
    the rest one by one (:func:`_row`)."""
    columns = {column: np.empty(len(jobs), dtype=object) for column in COLUMNS}
    paths: dict[str, list] = {column: [] for column in PATH_COLUMNS}
    done = np.zeros(len(jobs), dtype=bool)
    for rows, fit in batch_fits(jobs, level):
        ind, target_year = jobs[rows[0]][2], jobs[rows[0]][6]
        targets = np.array([jobs[i][5] for i in rows], dtype=float)
        settled, assessed, drawn = assess_fit(fit, targets, target_year, base_year, ind.direction)
        at = np.asarray(rows)[settled]
        done[at] = True
        named = {
            "scope": [jobs[i][0] for i in at.tolist()],
            "row_type": [jobs[i][1] for i in at.tolist()],
            "source": [jobs[i][3] for i in at.tolist()],
        }
        for column, value in _job_columns("", "", ind, "").items():
            named.setdefault(column, [value] * len(at))
        for column in COLUMNS:
            columns[column][at] = _objects(assessed.get(column, named.get(column)))
        charted = np.asarray(drawn["row"], dtype=np.int64)
        for column in ("scope", "row_type"):
            paths[column] += _objects(named[column])[charted].tolist()
        paths["indicator"] += [ind.id] * len(charted)
        paths["target_year"] += [int(target_year)] * len(charted)
        paths["target"] += targets[settled][charted].tolist()
        for column in PATH_COLUMNS[len(PATH_KEY) :]:
            paths[column] += drawn[column]
    for i in np.flatnonzero(~done).tolist():
        row, path = _row(*jobs[i], base_year, level)
        for column in COLUMNS:
            columns[column][i] = row[column]
        if path:
            for column, values in zip(PATH_COLUMNS, zip(*path, strict=True), strict=True):
                paths[column] += values
    result = pd.DataFrame({column: values.tolist() for column, values in columns.items()})
    drawn_paths = pd.DataFrame(paths, columns=PATH_COLUMNS)
    return result, drawn_paths.astype({"target_year": "int64", "year": "int64"})


def _objects(values: list) -> np.ndarray:
    """``values`` as an array of the objects themselves (numpy would make a list of floats a
    float array, and a list of ``(a, b)`` a 2-D one)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _applied(targets: pd.DataFrame) -> list[tuple[str, tuple[str, int], float]]:
    """(scope, (indicator, target year), value) of the targets that reach the units below
    them: the township's and each town's (to their villages) and each county's (to its towns),
    in scope order; the last row of a repeated key wins."""
    found: dict[tuple[str, tuple[str, int]], float] = {}
    for t in targets.itertuples(index=False):
        scope = str(t.scope).strip()
        if scope_level(scope)[0] in ("township", "town", "county"):
            found[(scope, (str(t.indicator), int(t.target_year)))] = float(t.target_value)
    return [(scope, key, value) for (scope, key), value in sorted(found.items())]


def _units_below(scope: str, villages: list[str]) -> tuple[list[str], str]:
    """The codes one level below a township, town or county scope, and their row type.

    ``villages`` is sorted, so the codes that start with a prefix are one run of it, found by a
    binary search: a province's thousands of town targets each cost a search, not a pass over
    every village."""
    level, codes = scope_level(scope)
    if level == "township":
        return villages, "village"
    within = _starting_with(villages, codes[0])
    if level == "town":
        return within, "village"
    return sorted({v[: LEVELS["town"]] for v in within}), "town"


def _starting_with(codes: list[str], prefix: str) -> list[str]:
    """The codes of the sorted list ``codes`` that start with ``prefix``, in their order."""
    start = bisect.bisect_left(codes, prefix)
    end = start
    while end < len(codes) and codes[end].startswith(prefix):
        end += 1
    return codes[start:end]
