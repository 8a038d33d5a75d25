"""Layers, coordinate systems and measurements for the township's maps.

Everything is stored in EPSG:4490 (CGCS2000 geographic) and measured in EPSG:4547 (CGCS2000 /
3-degree Gauss-Kruger CM 114E, the zone used for Ganzhou). Points recorded with Chinese phone map
apps come in GCJ-02 (AMap/高德, Tencent) or BD-09 (Baidu); :mod:`analysis.geo.offsets` converts
them before they meet any other layer.

At the precision of this project (metres), CGCS2000 and WGS84 coincide: their ellipsoids differ by
0.1 mm at most and their realisations by a few centimetres. Coordinates converted "to WGS84" are
therefore labelled EPSG:4490 without a datum transformation.
"""

from __future__ import annotations

import math
from os import PathLike
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from analysis import config
from analysis.geo.offsets import normalise_coord_sys, to_wgs84_function

#: 1 亩 = 10000/15 m² (市亩, the unit of Chinese land statistics).
M2_PER_MU = 10000.0 / 15.0

_FAMILIES = {
    "Polygon": "polygonal",
    "MultiPolygon": "polygonal",
    "LineString": "lineal",
    "MultiLineString": "lineal",
    "LinearRing": "lineal",
    "Point": "puntal",
    "MultiPoint": "puntal",
}
_MULTI = {
    "polygonal": shapely.multipolygons,
    "lineal": shapely.multilinestrings,
    "puntal": shapely.multipoints,
}
_AREA_TOLERANCE = 0.01


# --------------------------------------------------------------------------------------------
# Layers and CRS


def read_layer(
    path: str | PathLike[str],
    *,
    layer: str | int | None = None,
    assume_crs: str | None = None,
    coord_sys: str | None = None,
    on_invalid: str = "raise",
) -> gpd.GeoDataFrame:
    """Read a vector layer and return it in EPSG:4490.

    Parameters
    ----------
    path
        GeoJSON, GeoPackage, Shapefile (``.shp`` or zipped), FlatGeobuf (read with pyogrio) or
        GeoParquet (``.parquet``/``.geoparquet``).
    layer
        Layer name or index inside a multi-layer file such as a GeoPackage.
    assume_crs
        CRS to use when the file declares none. Without it such a file raises.
    coord_sys
        ``"gcj02"`` or ``"bd09"`` when the lon/lat in the file carry a Chinese map provider's
        offset (e.g. DataV/AMap boundaries); they are converted to WGS84 first. GeoJSON always
        *declares* WGS84, so the file cannot tell you this: it comes from the data's provenance.
    on_invalid
        What to do with a geometry GEOS cannot even build (a ring that is not closed):
        ``"raise"``, ``"fix"`` (close the ring; shapely's ``from_wkb``) or ``"ignore"`` (None).

    Returns
    -------
    geopandas.GeoDataFrame
        The layer in EPSG:4490.

    Raises
    ------
    ValueError
        The layer has no CRS and ``assume_crs`` was not given, or ``coord_sys`` was given for a
        layer in projected coordinates.
    """
    path = Path(path)
    if path.suffix.lower() in {".parquet", ".geoparquet"}:
        gdf = gpd.read_parquet(path)
    else:
        gdf = gpd.read_file(path, layer=layer, engine="pyogrio", on_invalid=on_invalid)
    if gdf.crs is None:
        if assume_crs is None:
            raise ValueError(
                f"{path}: the layer declares no coordinate reference system; "
                "pass assume_crs= (e.g. 'EPSG:4490') if you know it"
            )
        gdf = gdf.set_crs(assume_crs)
    if coord_sys is not None:
        gdf = from_offset_lonlat(gdf, coord_sys)
    return to_storage(gdf)


def from_offset_lonlat(gdf: gpd.GeoDataFrame, coord_sys: str) -> gpd.GeoDataFrame:
    """Convert a layer whose lon/lat are in GCJ-02 or BD-09 to EPSG:4490.

    Parameters
    ----------
    gdf
        A layer with a geographic CRS (or none) whose coordinates are really GCJ-02/BD-09.
    coord_sys
        ``"gcj02"``, ``"bd09"``, or ``"wgs84"``/``"cgcs2000"`` (no conversion).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy with converted vertices, labelled EPSG:4490.
    """
    if gdf.crs is not None and not gdf.crs.is_geographic:
        raise ValueError(f"coord_sys={coord_sys!r} applies to lon/lat, not to {gdf.crs.name}")
    convert = to_wgs84_function(coord_sys)
    out = gdf.copy()
    geoms = shapely.transform(
        np.asarray(out.geometry.values), lambda xy: np.column_stack(convert(xy[:, 0], xy[:, 1]))
    )
    return out.set_geometry(gpd.GeoSeries(geoms, index=out.index), crs=config.STORAGE_CRS)


def to_storage(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` in the storage CRS, EPSG:4490 (CGCS2000 geographic).

    Parameters
    ----------
    gdf
        Any layer with a CRS.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    return _to_crs(gdf, config.STORAGE_CRS)


def to_measure(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``gdf`` in the measuring CRS, EPSG:4547 (metres, CM 114E).

    Ganzhou's eastern counties lie beyond the zone's nominal 112.5–115.5°E; at 116.7°E the
    scale error is about 2×10⁻⁴ (0.04 % in area), below anything the reports show.

    Parameters
    ----------
    gdf
        Any layer with a CRS.

    Returns
    -------
    geopandas.GeoDataFrame
    """
    return _to_crs(gdf, config.MEASURE_CRS)


def _to_crs(gdf, crs):
    if gdf.crs is None:
        raise ValueError("the layer has no CRS; set one (GeoDataFrame.set_crs) before converting")
    return gdf if gdf.crs.equals(crs) else gdf.to_crs(crs)


def area_mu(gdf: gpd.GeoDataFrame | gpd.GeoSeries) -> pd.Series:
    """Area of each feature in 亩 (1 亩 = 10000/15 m²), measured in EPSG:4547.

    Parameters
    ----------
    gdf
        Polygons with a CRS; lines and points have area 0.

    Returns
    -------
    pandas.Series
        Indexed like ``gdf``.
    """
    return _to_crs(gdf, config.MEASURE_CRS).area / M2_PER_MU


def points_from_table(
    df: pd.DataFrame,
    *,
    lon: str = "lon",
    lat: str = "lat",
    crs_column: str = "coord_sys",
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Turn a table of phone-app coordinates into points in EPSG:4490.

    CGCS2000 is treated as WGS84: at this precision they are the same (see the module notes).

    Parameters
    ----------
    df
        One row per point.
    lon, lat
        Columns holding degrees.
    crs_column
        Column naming each row's system (``gcj02``, ``bd09``, ``wgs84``, ``cgcs2000``; case,
        hyphens and underscores ignored). Used when ``crs`` is None.
    crs
        One system for every row; overrides ``crs_column``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``df``'s columns plus point geometry; rows with a missing lon or lat get no geometry
        (``validate_geometries`` reports them).

    Raises
    ------
    ValueError
        A system is unknown or missing, or ``crs_column`` is absent and ``crs`` not given.
    """
    x = pd.to_numeric(df[lon]).to_numpy(dtype=float)
    y = pd.to_numeric(df[lat]).to_numpy(dtype=float)
    if crs is not None:
        systems = pd.Series(normalise_coord_sys(crs), index=df.index)
    elif crs_column in df.columns:
        missing = df.index[df[crs_column].isna()]
        if len(missing):
            raise ValueError(f"column {crs_column!r} is empty in rows {list(missing)}")
        systems = df[crs_column].map(normalise_coord_sys)
    else:
        raise ValueError(f"no column {crs_column!r}; pass crs='gcj02'|'bd09'|'wgs84'|'cgcs2000'")
    out_x, out_y = x.copy(), y.copy()
    for kind in systems.unique():
        rows = (systems == kind).to_numpy()
        out_x[rows], out_y[rows] = to_wgs84_function(kind)(x[rows], y[rows])
    geoms = shapely.points(out_x, out_y)
    geoms[np.isnan(out_x) | np.isnan(out_y)] = None
    return gpd.GeoDataFrame(df.copy(), geometry=geoms, crs=config.STORAGE_CRS)


# --------------------------------------------------------------------------------------------
# Corridor analysis


def _road_line(road):
    """The road's features as one merged line in EPSG:4547."""
    geoms = _to_crs(road, config.MEASURE_CRS).geometry
    return shapely.line_merge(shapely.union_all(np.asarray(geoms.values)))


def _band(line, width_km):
    # Round ends and 32 segments per quarter circle keep the band within ~1.2 m of the exact
    # width_km/2 at 1 km.
    return shapely.buffer(line, width_km * 1000.0 / 2.0, quad_segs=32)


def corridor(road: gpd.GeoDataFrame | gpd.GeoSeries, width_km: float) -> gpd.GeoDataFrame:
    """The band of total width ``width_km`` centred on a road (``width_km/2`` either side).

    Parameters
    ----------
    road
        Line features in any CRS; they are merged into one line.
    width_km
        Total width of the band, km.

    Returns
    -------
    geopandas.GeoDataFrame
        One row (column ``width_km``), buffered in EPSG:4547 and returned in EPSG:4490.
    """
    if width_km <= 0:
        raise ValueError(f"width_km must be positive, got {width_km}")
    band = _band(_road_line(road), width_km)
    measured = gpd.GeoDataFrame({"width_km": [width_km]}, geometry=[band], crs=config.MEASURE_CRS)
    return to_storage(measured)


# --------------------------------------------------------------------------------------------
# Geometry validation


def _ring_filled_area(ring) -> float:
    return shapely.make_valid(shapely.Polygon(ring)).area


def _drawn_area(geom) -> float:
    """The area the rings describe, each ring filled on its own and holes subtracted.

    Equal to the GEOS area for valid polygons; unlike it, a self-intersecting ring counts both
    lobes (GEOS's signed sum cancels them: a symmetric bow-tie has area 0).
    """
    total = 0.0
    for part in shapely.get_parts(geom):
        if isinstance(part, shapely.Polygon):
            total += _ring_filled_area(part.exterior)
            total -= sum(_ring_filled_area(hole) for hole in part.interiors)
    return total


def _repair(geom):
    """``make_valid`` restricted to the input's geometry family, or None with the reason."""
    try:
        fixed = shapely.make_valid(geom)
    except shapely.errors.GEOSException as error:  # e.g. NaN coordinates
        return None, f"无法自动修复（{error}）"
    family = _FAMILIES.get(geom.geom_type)
    if family is None:  # a GeometryCollection has no single family to keep
        return fixed, ""
    parts = [p for p in shapely.get_parts(fixed) if _FAMILIES.get(p.geom_type) == family]
    if not parts:
        return None, f"修复结果为 {fixed.geom_type}，几何类型改变"
    if len(parts) > 1:
        fixed = _MULTI[family]([q for p in parts for q in shapely.get_parts(p)])
    else:
        fixed = parts[0]
    if family == "polygonal":
        before = _drawn_area(geom)
        change = abs(fixed.area - before) / before if before > 0 else math.inf
        if change > _AREA_TOLERANCE:
            return None, f"修复后面积变化 {change:.1%}（超过 1%），请人工核对边界"
    return fixed, ""


def validate_geometries(gdf: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Repair invalid geometries where that is safe, and report every problem.

    An invalid geometry is replaced by ``shapely.make_valid``'s result when that result stays in
    the same family (polygonal, lineal, puntal; collapsed slivers of another family are dropped)
    and, for polygons, its area is within 1 % of the area the rings describe (each ring filled
    on its own, holes subtracted). Otherwise (or when GEOS cannot repair it, as with NaN
    coordinates) it is left as it was and reported unrepaired. A GeometryCollection takes
    ``make_valid``'s result as is. Missing and empty geometries are reported and left alone.

    Parameters
    ----------
    gdf
        Any layer.

    Returns
    -------
    fixed : geopandas.GeoDataFrame
        ``gdf`` with repaired geometries; same rows, index and CRS.
    problems : pandas.DataFrame
        One row per problem: ``row`` (index label in ``gdf``), ``rule`` (``geometry_missing``,
        ``geometry_empty``, ``geometry_invalid``), ``reason`` (GEOS's explanation),
        ``repaired`` (bool) and ``message`` (Chinese, for the clerk).
    """
    geoms = np.asarray(gdf.geometry.values)
    fixed_geoms = geoms.copy()
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    invalid = ~missing & ~empty & ~shapely.is_valid(geoms)
    records = []
    for i in np.flatnonzero(missing | empty | invalid):
        label = gdf.index[i]
        if missing[i]:
            records.append((label, "geometry_missing", "", False, "缺少几何（无坐标或无边界）"))
        elif empty[i]:
            records.append((label, "geometry_empty", "", False, "几何为空"))
        else:
            reason = shapely.is_valid_reason(geoms[i])
            repaired, why = _repair(geoms[i])
            if repaired is None:
                records.append((label, "geometry_invalid", reason, False, f"几何无效：{why}"))
            else:
                fixed_geoms[i] = repaired
                records.append(
                    (label, "geometry_invalid", reason, True, "几何无效，已用 make_valid 修复")
                )
    problems = pd.DataFrame.from_records(
        records, columns=["row", "rule", "reason", "repaired", "message"]
    ).astype({"repaired": bool})
    fixed = gdf.copy()
    fixed[fixed.geometry.name] = gpd.GeoSeries(fixed_geoms, index=gdf.index, crs=gdf.crs)
    return fixed, problems
