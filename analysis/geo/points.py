"""Sanitation points against the ledger: what a map of a year shows, and whether its count is
the ledger's figure for the same thing.

A map of year Y shows the public toilets and sewage sites built in Y or before (the facilities
there are) and the household toilets rebuilt in Y (the year's work, as the points are recorded
when a toilet is finished). :func:`compare_points` sets each count beside the ledger's figure
for the same thing: for a flow (toilets built in a year) the year's figure or the sum up to Y,
for a stock (sewage sites) the figure of Y. The build records a problem where they differ
(:func:`analysis.ingest.crossrow.check_points_ledger`) and the map's legend states both.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd

from analysis.core.catalog import Catalog, default_catalog

#: Each kind of point: the ledger indicator it stands for and what a map of year Y shows,
#: "year" (built in Y) or "to_date" (built in Y or before).
POINT_LEDGER = {
    "public_toilet": ("public_toilets_built", "to_date"),
    "sewage_site": ("sewage_sites", "to_date"),
    "household_toilet": ("toilets_upgraded", "year"),
}
COMPARISON_COLUMNS = ["kind", "indicator", "scope", "year", "points", "ledger", "agree"]


def _dated(points: gpd.GeoDataFrame) -> bool:
    return "year" in points.columns


def shown_points(points: gpd.GeoDataFrame, year: int) -> gpd.GeoDataFrame:
    """The points a map of ``year`` shows: each kind by its scope in :data:`POINT_LEDGER`.

    Points without a ``year`` column are all shown (their dates are unknown); points of a
    kind not in :data:`POINT_LEDGER` are kept as they are.
    """
    if not _dated(points):
        return points
    built = pd.to_numeric(points["year"], errors="coerce")
    scope = points["kind"].map({kind: s for kind, (_, s) in POINT_LEDGER.items()})
    keep = scope.isna() | ((scope == "year") & (built == year))
    keep |= (scope == "to_date") & (built <= year)
    return points[keep.fillna(False).to_numpy(dtype=bool)]


def ledger_figure(
    values: pd.DataFrame, indicator: str, scope: str, year: int, catalog: Catalog | None = None
) -> float:
    """The ledger's figure for what a map of ``year`` shows of ``indicator`` (NaN: none reported).

    ``values`` are indicator values (``indicator``, ``year``, ``value``) of the villages mapped.
    """
    catalog = catalog or default_catalog()
    rows = values[values["indicator"] == indicator]
    years = pd.to_numeric(rows["year"])
    if scope == "to_date" and catalog[indicator].flow:
        chosen = rows[years <= year]
    else:
        chosen = rows[years == year]
    return float(chosen["value"].sum()) if len(chosen) else math.nan


def compare_points(
    points: gpd.GeoDataFrame,
    values: pd.DataFrame,
    year: int,
    catalog: Catalog | None = None,
) -> pd.DataFrame:
    """Each kind of point a map of ``year`` shows, its count and the ledger's figure.

    One row per kind of :data:`POINT_LEDGER` present in ``points``: ``points`` (the count shown),
    ``ledger`` (NaN where the ledger has no figure) and ``agree`` (False only where both are
    known and differ).
    """
    shown = shown_points(points, year)
    rows = []
    for kind, (indicator, scope) in POINT_LEDGER.items():
        if not (points["kind"] == kind).any():
            continue
        count = int((shown["kind"] == kind).sum())
        figure = ledger_figure(values, indicator, scope, year, catalog)
        agree = math.isnan(figure) or math.isclose(count, figure)
        rows.append((kind, indicator, scope, year, count, figure, agree))
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS)


def checks_of_layer(
    points: gpd.GeoDataFrame, values: pd.DataFrame, catalog: Catalog | None = None
) -> pd.DataFrame:
    """Every comparison the build makes of a points layer with the ledger, disagreeing or not.

    Each kind is compared as a map shows it (:func:`compare_points`) for every year it has
    points, and the kinds counted to date also for the layer's latest year, so that points
    missing from later years are found; a stock (sewage sites) only for the latest year. A flow counted to date (public toilets) is compared
    year by year as well, so that points dated the wrong year are found: four toilets dated
    2019 where the ledger built one that year. Undated points are compared at the ledger's
    latest year.
    """
    catalog = catalog or default_catalog()
    if "year" not in points.columns:
        latest = int(pd.to_numeric(values["year"]).max())
        return compare_points(points, values, latest, catalog)
    built = pd.to_numeric(points["year"], errors="coerce")
    last = {int(built.max())} if built.notna().any() else set()
    found = []
    for kind, (indicator, scope) in POINT_LEDGER.items():
        of_kind = points["kind"] == kind
        if not of_kind.any():
            continue
        years = set(built[of_kind].dropna().astype(int))
        if scope == "to_date" and not catalog[indicator].flow:
            # A stock's points are the sites open when the layer was recorded: a site closed
            # since is in an earlier year's figure but not on the map, so only then compare.
            checked = last
        else:
            checked = years | (last if scope == "to_date" else set())
        for year in sorted(checked):
            row = compare_points(points[of_kind], values, year, catalog)
            found.append(row)
            if scope == "to_date" and catalog[indicator].flow and year in years:
                count = int((built[of_kind] == year).sum())
                figure = ledger_figure(values, indicator, "year", year, catalog)
                agree = math.isnan(figure) or math.isclose(count, figure)
                found.append(
                    pd.DataFrame(
                        [(kind, indicator, "year", year, count, figure, agree)],
                        columns=COMPARISON_COLUMNS,
                    )
                )
    return (
        pd.concat(found, ignore_index=True) if found else pd.DataFrame(columns=COMPARISON_COLUMNS)
    )
