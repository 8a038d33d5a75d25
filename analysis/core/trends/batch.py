"""Every target at once: the tidy indicator table and the targets table → the projections table.

Each target is assessed on one series, made one way (:func:`scope_series`): the township's is
the catalog aggregation less the years in which fewer villages reported a summed indicator
(:func:`analysis.core.aggregate.township_series`); a group of villages counts only the years in
which every one of them reported. The build, the charts and the tests all take this path.
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pandas as pd

from analysis.core.aggregate import township_series
from analysis.core.catalog import Catalog, Indicator, default_catalog
from analysis.core.trends.assessment import assess_arrays
from analysis.core.trends.projection import (
    DEFAULT_LEVEL,
    MIN_POINTS,
    Projection,
    project_batch,
    resolve_bounds,
)

_CODE = re.compile(r"^\d{12}$")

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

_Arrays = tuple[np.ndarray, np.ndarray]
_EMPTY: _Arrays = (np.array([], dtype=np.int64), np.array([], dtype=float))


def scope_codes(scope: str) -> list[str] | None:
    """None for 'township', else the village codes; raises on anything else."""
    scope = scope.strip()
    if scope == "township":
        return None
    codes = [code.strip() for code in scope.split(";") if code.strip()]
    bad = [code for code in codes if not _CODE.match(code)]
    if not codes or bad:
        raise ValueError(
            f"target scope {scope!r}: use 'township', a 12-digit village code, or codes "
            "joined by ';'"
        )
    return codes


def _split(frame: pd.DataFrame, keys: list[str]) -> dict[Any, _Arrays]:
    """Series per key as plain arrays, as :func:`~analysis.core.trends.projection.clean` makes
    them (NaN dropped, sorted by year), checked and sorted in one pass for all keys: pandas
    objects or numpy calls per village would cost more than the projection itself."""
    frame = frame[frame["value"].notna()]
    years = frame["year"].to_numpy(dtype=float)
    if not np.all(years == np.round(years)):
        raise ValueError("series must be indexed by whole years")
    if frame.duplicated([*keys, "year"]).any():
        raise ValueError("series has the same year twice")
    order = np.argsort(years, kind="stable")
    frame = frame.iloc[order]
    years = years[order].astype(np.int64)
    values = frame["value"].to_numpy(dtype=float)
    groups = frame.groupby(keys if len(keys) > 1 else keys[0], sort=False).indices
    return {key: (years[idx], values[idx]) for key, idx in groups.items()}


def _group(rows: pd.DataFrame, codes: list[str], indicator: str, catalog: Catalog) -> _Arrays:
    """Several villages' sum (a rate: weighted mean), over the years every one reported."""
    subset = rows[rows["village_code"].isin(codes)]
    reported = subset[subset["indicator"] == indicator].groupby("year")["village_code"]
    complete = reported.nunique()
    subset = subset[subset["year"].isin(complete.index[complete == len(codes)])]
    return _split(township_series(subset, catalog), ["indicator"]).get(indicator, _EMPTY)


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
        'township', a 12-digit village code, or codes joined by ';'.
    indicator : str
        Catalog id.

    Returns
    -------
    pandas.Series
        Values indexed by year, incomplete years left out as :func:`assess_targets` does.
    """
    catalog = catalog or default_catalog()
    codes = scope_codes(scope)
    rows = _relevant(indicators, {indicator}, catalog)
    if codes is None:
        years, values = _split(township_series(rows, catalog), ["indicator"]).get(indicator, _EMPTY)
    elif len(codes) == 1:
        years, values = _split(rows, ["village_code", "indicator"]).get(
            (codes[0], indicator), _EMPTY
        )
    else:
        years, values = _group(rows, codes, indicator, catalog)
    return pd.Series(values, index=pd.Index(years, name="year"), name=indicator, dtype=float)


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
    projection: Projection | None = None,
) -> dict[str, Any]:
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
        projection=projection,
    )
    return {
        "scope": scope,
        "row_type": row_type,
        "indicator": ind.id,
        "indicator_zh": ind.zh,
        "unit": ind.unit,
        "source": source,
        **result.to_dict(),
    }


def village_projections(
    series: dict[str, _Arrays],
    ind: Indicator,
    target: float,
    target_year: int,
    level: float,
) -> dict[str, Projection]:
    """The projections of many villages' series of one indicator, fitted together.

    Series observed in the same years are stacked and projected at once
    (:func:`~analysis.core.trends.projection.project_batch`), so gaps need no masking. Only the
    villages the batch projects are in the result: a plan, a series too short or already past
    the target year, and a row the batch hands back are left to the one-series path.
    """
    if ind.plan:
        return {}
    patterns: dict[bytes, list[str]] = {}
    for code, (years, _) in series.items():
        if len(years) >= MIN_POINTS and years[-1] < target_year:
            patterns.setdefault(years.tobytes(), []).append(code)
    bounds = resolve_bounds(ind.kind, ind.bounds)
    result: dict[str, Projection] = {}
    for codes in patterns.values():
        years = series[codes[0]][0]
        values = np.stack([series[code][1] for code in codes])
        projections = project_batch(
            years, values, target_year, ind.kind, bounds, level, target, ind.cumulative
        )
        result.update(
            (code, p) for code, p in zip(codes, projections, strict=True) if p is not None
        )
    return result


def assess_targets(
    indicators: pd.DataFrame,
    targets: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    level: float = DEFAULT_LEVEL,
    base_year: int | None = None,
) -> pd.DataFrame:
    """Assess every target, and project every village for the township-scoped indicators.

    Parameters
    ----------
    indicators : pandas.DataFrame
        Tidy table: village_code (12-digit str), year (int), indicator (catalog id), value.
    targets : pandas.DataFrame
        scope ('township', a 12-digit village code, or codes joined by ';' for the sum — or, for
        rates, the weighted mean — over those villages), indicator, target_year, target_value,
        source.
    catalog : Catalog, optional
        Defaults to the package catalog.
    level : float, default 0.8
        Central probability of the prediction intervals.
    base_year : int, optional
        Base year of the progress measures; None means each series' first observed year.

    Returns
    -------
    pandas.DataFrame
        :data:`COLUMNS`. ``row_type`` 'target' rows (one per target) come first, sorted by scope
        (township first), indicator and target year; then 'village' rows, one per village and
        indicator with a township target, carrying target NaN and status 'no target' / 无目标
        unless the township target applies to each village as it stands (a rate, or a count to
        bring to zero). Each series is the one :func:`scope_series` gives. Deterministic: no
        simulation is used.
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
    village_series = _split(relevant, ["village_code", "indicator"])
    town_series = _split(township_series(relevant, catalog), ["indicator"])

    rows = []
    for target in targets.itertuples(index=False):
        ind = catalog[str(target.indicator)]
        scope = str(target.scope).strip()
        codes = scope_codes(scope)
        if codes is None:
            series = town_series.get(ind.id, _EMPTY)
        elif len(codes) == 1:
            series = village_series.get((codes[0], ind.id), _EMPTY)
        else:
            series = _group(relevant, codes, ind.id, catalog)
        source = "" if pd.isna(target.source) else str(target.source)
        rows.append(
            _row(
                scope,
                "target",
                ind,
                source,
                series,
                float(target.target_value),
                int(target.target_year),
                base_year,
                level,
            )
        )

    township_targets = targets[targets["scope"].astype(str).str.strip() == "township"]
    township_levels = {
        (str(t.indicator), int(t.target_year)): float(t.target_value)
        for t in township_targets.itertuples(index=False)
    }
    villages = sorted(indicators["village_code"].astype(str).unique())
    for (indicator_id, target_year), township_value in sorted(township_levels.items()):
        ind = catalog[indicator_id]
        # A township rate (参保率 90%) or a count to bring to zero applies to every village as
        # it stands; a township total (65 km of road) says nothing about one village's share.
        applies = ind.kind == "rate" or township_value == 0
        village_target = township_value if applies else math.nan
        source = "全镇目标 township target" if applies else ""
        series = {code: village_series.get((code, indicator_id), _EMPTY) for code in villages}
        projections = village_projections(series, ind, village_target, target_year, level)
        for code in villages:
            rows.append(
                _row(
                    code,
                    "village",
                    ind,
                    source,
                    series[code],
                    village_target,
                    target_year,
                    base_year,
                    level,
                    projections.get(code),
                )
            )

    result = pd.DataFrame(rows, columns=COLUMNS)
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
    return result.loc[order.index].reset_index(drop=True)
