"""Schematic geometry for the sample and synthetic counties (never real boundaries).

Village polygons are Voronoi cells of seed points near 115.0°E 25.4°N, built in EPSG:4547 metres;
a G357 line runs through the market towns; greenhouse bases sit beside the road and orange belts
away from it, each drawn to the area the village data states; toilet and sewage points are
written in GCJ-02, as a phone map app records them.

A county is laid out as one: each town a compact area (a Voronoi cell of the town's centre
within the county's outline) tiled by its villages' cells, 信丰县's towns placed roughly where
they lie around the county seat, and the G357 drawn through the towns of :data:`G357_TOWNS`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.affinity
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


#: Where 信丰县's towns lie, schematically: km east and north of the county seat (嘉定镇), by
#: the last three digits of the town's code. Their outlines are Voronoi cells, not boundaries.
XINFENG_TOWNS_KM = {
    "100": (0.0, 0.0),  # 嘉定镇, the county seat
    "101": (2.0, 16.0),  # 大塘埠镇
    "102": (21.0, 1.0),  # 古陂镇
    "103": (11.0, 11.0),  # 大桥镇
    "104": (15.0, -13.0),  # 新田镇
    "105": (-3.0, -15.0),  # 安西镇
    "106": (5.0, -27.0),  # 小江镇
    "107": (-15.0, 3.0),  # 铁石口镇
    "108": (-13.0, 17.0),  # 大阿镇
    "109": (-26.0, -9.0),  # 油山镇
    "110": (-4.0, 29.0),  # 小河镇
    "111": (9.0, 27.0),  # 西牛镇
    "112": (28.0, -12.0),  # 正平镇
    "200": (-13.0, -27.0),  # 虎山乡
    "201": (24.0, -26.0),  # 崇仙乡
    "202": (-27.0, 10.0),  # 万隆乡
    "400": (7.0, -5.0),  # 信丰县工业园
}
XINFENG_CODE = "360722"
#: The towns the schematic G357 crosses, east to west (as the 大桥镇 sample has it): from the
#: county's eastern edge through 古陂镇, 大桥镇 and the county seat, 铁石口镇 and 万隆乡 to the west.
G357_TOWNS = ("102", "103", "100", "107", "202")
#: Area of a village cell of a synthetic county, km² (信丰县: 2,878 km² for 312 villages).
VILLAGE_KM2 = 9.0
#: Rounds of Lloyd's relaxation of a town's village seeds: even cells, not a random tiling.
LLOYD_ROUNDS = 3


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
    """Voronoi village cells clipped to a rounded township outline, in EPSG:4547; a county's
    towns laid out as compact areas (:func:`_county_cells`)."""
    cx, cy = _centre_xy()
    if len({v.code[:9] for v in villages}) > 1:
        by_seed, road_km = _county_cells(villages, rng)
        by_seed = [shapely.affinity.translate(cell, cx, cy) for cell in by_seed]
    else:
        seeds_km, road_km = _seeds(villages, rng)
        seeds = seeds_km * 1000 + (cx, cy)
        points = shapely.multipoints(seeds)
        cells = shapely.get_parts(shapely.voronoi_polygons(points))
        outline = shapely.convex_hull(points).buffer(2500, quad_segs=4)
        # Each seed lies inside its own cell only: a spatial index pairs them in one pass.
        seed_index, cell_index = shapely.STRtree(cells).query(
            shapely.points(seeds), predicate="within"
        )
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


def _town_centres_km(towns: Sequence[str], sizes: Sequence[int]) -> np.ndarray:
    """Each town's centre, km: 信丰县's where they lie, else on a sunflower spiral (compact
    whatever the number of towns) spaced by the towns' mean size."""
    if all(t[:6] == XINFENG_CODE and t[6:] in XINFENG_TOWNS_KM for t in towns):
        return np.array([XINFENG_TOWNS_KM[t[6:]] for t in towns])
    spacing = float(np.sqrt(np.mean(sizes) * VILLAGE_KM2))
    i = np.arange(len(towns)) + 0.5
    angle = i * np.pi * (3 - np.sqrt(5))
    return np.column_stack([np.cos(angle), np.sin(angle)]) * spacing * np.sqrt(i)[:, None]


def _county_cells(villages: Sequence, rng) -> tuple[list, list[tuple[float, float]]]:
    """Village cells of a county (metres from the centre, in the villages' order) and the road
    (km): town cells are the Voronoi cells of the towns' centres within the county's outline,
    and each is tiled by the Voronoi cells of its villages' seeds, spread evenly over it."""
    towns = sorted({v.code[:9] for v in villages})
    members = {t: [i for i, v in enumerate(villages) if v.code[:9] == t] for t in towns}
    centres = _town_centres_km(towns, [len(members[t]) for t in towns]) * 1000
    spacing = float(np.median(np.linalg.norm(centres - centres.mean(axis=0), axis=1)))
    outline = shapely.convex_hull(shapely.multipoints(centres)).buffer(
        max(spacing, 1.0) * 0.3, quad_segs=8
    )
    town_cells = _cells_of(centres, outline)
    cells: list = [None] * len(villages)
    for town, town_cell in zip(towns, town_cells, strict=True):
        seeds = _spread(town_cell, len(members[town]), rng)
        for i, cell in zip(members[town], _cells_of(seeds, town_cell), strict=True):
            cells[i] = cell
    road = _road_through(towns, centres / 1000, outline)
    return cells, road


def _cells_of(seeds: np.ndarray, within) -> list:
    """The Voronoi cell of each seed (in order) within a convex polygon ``within``."""
    if len(seeds) == 1:
        return [within]
    cells = shapely.get_parts(
        shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=within)
    )
    seed_index, cell_index = shapely.STRtree(cells).query(shapely.points(seeds), predicate="within")
    own = np.empty(len(seeds), dtype=object)
    own[seed_index] = cells[cell_index]
    return list(shapely.intersection(own, within))


def _spread(polygon, n: int, rng) -> np.ndarray:
    """``n`` seed points spread evenly over ``polygon``: random points inside it, moved
    :data:`LLOYD_ROUNDS` times to the centroids of their cells."""
    minx, miny, maxx, maxy = polygon.bounds
    seeds: list[tuple[float, float]] = []
    while len(seeds) < n:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if polygon.contains(Point(x, y)):
            seeds.append((x, y))
    points = np.array(seeds)
    for _ in range(LLOYD_ROUNDS if n > 1 else 0):
        points = shapely.get_coordinates(shapely.centroid(_cells_of(points, polygon)))
    return points


def _road_through(towns: Sequence[str], centres_km: np.ndarray, outline) -> list:
    """The road, km: through the centres of the towns of :data:`G357_TOWNS` (a synthetic
    county's: those nearest the east–west line through its middle), from edge to edge."""
    crossed = [towns.index(t) for t in towns if t[6:] in G357_TOWNS and t[:6] == XINFENG_CODE]
    if crossed:
        crossed.sort(key=lambda i: G357_TOWNS.index(towns[i][6:]))
    else:
        middle = np.argsort(np.abs(centres_km[:, 1]))[: max(2, len(towns) // 4)]
        crossed = sorted(middle.tolist(), key=lambda i: -centres_km[i, 0])
    path = [tuple(centres_km[i]) for i in crossed]
    minx, _, maxx, _ = (b / 1000 for b in outline.bounds)
    # Beyond the county's outline at either end, so the road leaves the county.
    east = (maxx + 3.0, path[0][1] + 1.0)
    west = (minx - 3.0, path[-1][1] - 1.0)
    return [east, *path, west]


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
    # Each village's history as arrays, found once: pandas per village cost more than the
    # points.
    ordered = table.sort_values(["village_code", "year"], kind="stable")
    found, firsts, lengths = np.unique(
        ordered["village_code"].to_numpy(), return_index=True, return_counts=True
    )
    spans = {code: slice(a, a + n) for code, a, n in zip(found, firsts, lengths, strict=True)}
    years_of = ordered["year"].to_numpy()
    built_of = ordered["public_toilets_built"].to_numpy().astype(int)
    sites_of = ordered["sewage_sites"].to_numpy()
    upgraded = ordered.loc[ordered["year"] == year].set_index("village_code")["toilets_upgraded"]
    kinds, codes, dated, xs, ys = [], [], [], [], []
    for village in polygons.itertuples():
        history = spans[village.code]
        history_years = years_of[history]
        dates = {
            "household_toilet": [year] * int(upgraded[village.code]),
            "public_toilet": np.repeat(history_years, built_of[history]).tolist(),
            "sewage_site": _sites_open(history_years, sites_of[history]),
        }
        shapely.prepare(village.geometry)
        for kind, years in dates.items():
            x, y = _points_within(village.geometry, len(years), rng)
            kinds += [kind] * len(years)
            codes += [village.code] * len(years)
            dated += [int(built) for built in years]
            xs.append(x)
            ys.append(y)
    points = gpd.GeoSeries(
        gpd.points_from_xy(np.concatenate(xs), np.concatenate(ys)), crs=config.MEASURE_CRS
    ).to_crs("EPSG:4326")
    lon, lat = wgs84_to_gcj02(points.x.to_numpy(), points.y.to_numpy())
    return pd.DataFrame(
        {
            "kind": kinds,
            "village_code": codes,
            "year": dated,
            "lon": np.round(lon, 6),
            "lat": np.round(lat, 6),
            "coord_sys": "gcj02",
        }
    )


def _points_within(shape, count: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """``count`` points drawn uniformly within ``shape``: candidates over its bounds, x then y,
    each kept if inside, exactly as drawing them one by one with ``rng.uniform`` would (the
    same numbers, and the generator left where that would leave it), but tested in batches."""
    minx, miny, maxx, maxy = shape.bounds
    xs, ys = [], []
    while count:
        saved = rng.bit_generator.state
        # A village fills about half its bounds: twice the candidates, and a few, mostly do.
        drawn = rng.random(2 * (2 * count + 8))
        x = minx + (maxx - minx) * drawn[0::2]
        y = miny + (maxy - miny) * drawn[1::2]
        inside = np.flatnonzero(shapely.contains_xy(shape, x, y))
        if len(inside) >= count:
            # Back to where the last point kept was drawn: the rest were never drawn.
            inside = inside[:count]
            rng.bit_generator.state = saved
            rng.random(2 * (int(inside[-1]) + 1))
        xs.append(x[inside])
        ys.append(y[inside])
        count -= len(inside)
    return np.concatenate([np.empty(0), *xs]), np.concatenate([np.empty(0), *ys])


def _sites_open(years: np.ndarray, stock: np.ndarray) -> list[int]:
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
