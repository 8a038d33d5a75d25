"""Schematic geometry for the sample and synthetic counties (never real boundaries).

Village polygons are Voronoi cells of seed points near 115.0°E 25.4°N, built in EPSG:4547 metres;
a G357 line runs through the market towns; greenhouse bases sit beside the road and orange belts
away from it, each drawn to the area the village data states; toilet and sewage points are
written in GCJ-02, as a phone map app records them.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops
from shapely.geometry import LineString, Point, box

from analysis import config
from analysis.geo.layers import M2_PER_MU
from analysis.geo.offsets import wgs84_to_gcj02
from analysis.iorw import atomic_write_bytes, atomic_write_with

CENTRE_LONLAT = (115.0, 25.4)

#: Seed points of 大桥镇's villages, in km east and north of the centre.
DAQIAO_SEEDS_KM = {
    "青光村": (-7.0, 0.8),
    "新圩": (-2.5, 0.3),
    "老圩": (2.5, -0.2),
    "八角村": (7.0, 0.5),
    "新塘村": (-4.5, -5.0),
    "竹村村": (4.5, -5.5),
    "大桥村": (-4.5, 5.5),
    "莲花山社区": (0.5, 4.8),
    "中塅村": (5.5, 5.5),
}
DAQIAO_ROAD_KM = [(-13.0, 1.5), (-7.0, 0.8), (-2.5, 0.3), (2.5, -0.2), (7.0, 0.5), (13.0, 0.0)]


def _centre_xy() -> tuple[float, float]:
    centre = gpd.GeoSeries([Point(CENTRE_LONLAT)], crs=config.STORAGE_CRS).to_crs(
        config.MEASURE_CRS
    )
    return centre.iloc[0].x, centre.iloc[0].y


def _seeds(villages: Sequence, rng) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Seed points (km) and the road's vertices (km) for the given villages."""
    shorts = [v.short for v in villages]
    if set(shorts) == set(DAQIAO_SEEDS_KM):
        return np.array([DAQIAO_SEEDS_KM[s] for s in shorts]), DAQIAO_ROAD_KM
    n = len(villages)
    cols = int(np.ceil(np.sqrt(n * 1.5)))
    rows = int(np.ceil(n / cols))
    spacing = 3.0
    grid = [
        ((c - (cols - 1) / 2) * spacing, (r - (rows - 1) / 2) * spacing)
        for r in range(rows)
        for c in range(cols)
    ][:n]
    seeds = np.array(grid) + rng.uniform(-0.8, 0.8, (n, 2))
    half = (cols / 2 + 1) * spacing
    road = [(-half, 0.4), (-half / 3, -0.5), (half / 3, 0.6), (half, 0.0)]
    return seeds, road


def village_polygons(villages: Sequence, rng) -> tuple[gpd.GeoDataFrame, LineString]:
    """Voronoi village cells clipped to a rounded township outline, in EPSG:4547."""
    cx, cy = _centre_xy()
    seeds_km, road_km = _seeds(villages, rng)
    seeds = seeds_km * 1000 + (cx, cy)
    points = shapely.multipoints(seeds)
    cells = shapely.get_parts(shapely.voronoi_polygons(points))
    outline = shapely.convex_hull(points).buffer(2500, quad_segs=4)
    # Each seed lies inside its own cell only: a spatial index pairs them in one pass.
    seed_index, cell_index = shapely.STRtree(cells).query(shapely.points(seeds), predicate="within")
    own_cell = np.empty(len(seeds), dtype=object)
    own_cell[seed_index] = cells[cell_index]
    by_seed = list(shapely.intersection(own_cell, outline))
    gdf = gpd.GeoDataFrame(
        {
            "code": [v.code for v in villages],
            "name": [v.name for v in villages],
            "short_name": [v.short for v in villages],
        },
        geometry=by_seed,
        crs=config.MEASURE_CRS,
    )
    road = LineString([(cx + x * 1000, cy + y * 1000) for x, y in road_km])
    return gdf, road


def _square(centre: Point, area_m2: float):
    half = np.sqrt(area_m2) / 2
    return box(centre.x - half, centre.y - half, centre.x + half, centre.y + half)


def industry_bases(
    polygons: gpd.GeoDataFrame, road: LineString, final_year: pd.DataFrame
) -> gpd.GeoDataFrame:
    """Greenhouse bases beside the road and orange belts away from it, sized by the data."""
    records = []
    for village in polygons.itertuples():
        figures = final_year.loc[village.code]
        inner = village.geometry.representative_point()
        near_road = shapely.ops.nearest_points(village.geometry, road)[0]
        for kind, column, label, step in (
            ("greenhouse", "vegetable_greenhouse_area_mu", "蔬菜基地", -0.7),
            ("orange", "navel_orange_area_mu", "脐橙基地", 0.4),
        ):
            area_mu = float(figures[column])
            if not area_mu > 0:
                continue
            # Greenhouses from the inner point towards the road, orange belts away from it.
            centre = Point(
                inner.x + step * (inner.x - near_road.x), inner.y + step * (inner.y - near_road.y)
            )
            if not village.geometry.contains(centre):
                centre = inner
            shape = _square(centre, area_mu * M2_PER_MU).intersection(village.geometry)
            records.append(
                {
                    "name": f"{village.short_name}{label}",
                    "village_code": village.code,
                    "kind": kind,
                    "area_mu": round(shape.area / M2_PER_MU, 2),
                    "geometry": shape,
                }
            )
    return gpd.GeoDataFrame(records, geometry="geometry", crs=config.MEASURE_CRS)


def sanitation_points(
    polygons: gpd.GeoDataFrame, table: pd.DataFrame, year: int, rng
) -> pd.DataFrame:
    """Points recorded by phone, each dated the year it was built: every upgraded toilet of
    ``year``, every public toilet built up to ``year`` and every sewage site open then."""
    rows = table.set_index("village_code")
    final = rows[rows["year"] == year]
    # Each village's rows found once: a filter of the whole table per village grew with the
    # square of the villages.
    histories = dict(list(table.groupby("village_code", sort=False)))
    records = []
    for village in polygons.itertuples():
        history = histories[village.code].sort_values("year")
        built = history["public_toilets_built"].astype(int)
        dates = {
            "household_toilet": [year] * int(final.loc[village.code, "toilets_upgraded"]),
            "public_toilet": [
                y for y, n in zip(history["year"], built, strict=True) for _ in range(n)
            ],
            "sewage_site": _sites_open(history["year"], history["sewage_sites"]),
        }
        minx, miny, maxx, maxy = village.geometry.bounds
        for kind, years in dates.items():
            placed = 0
            while placed < len(years):
                candidate = Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy))
                if village.geometry.contains(candidate):
                    records.append((kind, village.code, int(years[placed]), candidate))
                    placed += 1
    points = gpd.GeoSeries([r[3] for r in records], crs=config.MEASURE_CRS).to_crs("EPSG:4326")
    lon, lat = wgs84_to_gcj02(points.x.to_numpy(), points.y.to_numpy())
    return pd.DataFrame(
        {
            "kind": [r[0] for r in records],
            "village_code": [r[1] for r in records],
            "year": [r[2] for r in records],
            "lon": np.round(lon, 6),
            "lat": np.round(lat, 6),
            "coord_sys": "gcj02",
        }
    )


def _sites_open(years: pd.Series, stock: pd.Series) -> list[int]:
    """The opening year of each site of a stock still open at the end: a rise opens sites that
    year, a fall closes the latest opened."""
    opened: list[int] = []
    for year, count in zip(years, stock.astype(int), strict=True):
        while len(opened) < count:
            opened.append(int(year))
        del opened[count:]
    return opened


def write_geometry(out_dir: Path, villages: Sequence, table: pd.DataFrame, rng) -> None:
    """Write villages.geojson, g357.geojson, industry_bases.gpkg and sanitation_points.csv."""
    polygons, road = village_polygons(villages, rng)
    final_year = int(table["year"].max())
    final = table[table["year"] == final_year].set_index("village_code")
    bases = industry_bases(polygons, road, final)

    def geojson(gdf: gpd.GeoDataFrame) -> bytes:
        return gdf.to_crs(config.STORAGE_CRS).to_json(drop_id=True, ensure_ascii=False).encode()

    atomic_write_bytes(out_dir / "villages.geojson", geojson(polygons))
    line = gpd.GeoDataFrame(
        {"name": ["G357"], "name_zh": ["357国道"]}, geometry=[road], crs=config.MEASURE_CRS
    )
    atomic_write_bytes(out_dir / "g357.geojson", geojson(line))
    atomic_write_with(
        out_dir / "industry_bases.gpkg",
        lambda tmp: bases.to_crs(config.STORAGE_CRS).to_file(
            tmp, driver="GPKG", layer="industry_bases"
        ),
    )
    points = sanitation_points(polygons, table, final_year, rng)
    buffer = io.StringIO()
    points.to_csv(buffer, index=False, lineterminator="\n")
    atomic_write_bytes(out_dir / "sanitation_points.csv", buffer.getvalue().encode("utf-8"))
