"""analysis.geo.layers: layers and CRS, GCJ-02/BD-09 conversion, corridor analysis, geometry repair."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import LineString, Polygon, box

from analysis.geo import layers as geo
from analysis.geo import offsets

# Published reference pairs.
#
# googollee/eviltransform, python/test.py (commit 3416646abc64972e899118271bd98030224d9d6c), the
# same three pairs as its go/transform_test.go and javascript/test.js:
# (wgs_lat, wgs_lon, gcj_lat, gcj_lon).
EVILTRANSFORM_WGS_GCJ = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]
# wandergis/coordtransform, README.md "示例用法" (commit 0148136a26bbcbfb3f9aabd808d9bb401f13e9bf),
# all four functions applied to (116.404, 39.915); (function, lon, lat) -> (lon, lat).
# Its gcj02towgs84 line is the one-step inverse, which this project deliberately improves on.
COORDTRANSFORM_README = {
    "wgs84_to_gcj02": (116.41024449916938, 39.91640428150164),
    "gcj02_to_bd09": (116.41036949371029, 39.92133699351021),
    "bd09_to_gcj02": (116.39762729119315, 39.90865673957631),
}

# Ganzhou, with a margin: every county boundary lies inside.
GANZHOU_LON = (113.9, 116.7)
GANZHOU_LAT = (24.4, 27.2)

# Round numbers in EPSG:4547 near 信丰 (about 115.0°E 25.4°N); exact in floating point.
X0, Y0 = 500_000.0, 2_810_000.0


def _metres(dlon, dlat, lat):
    """Ground distance of a small lon/lat difference (spherical, ample for a 1 m bound)."""
    return np.hypot(
        np.radians(dlon) * 6_371_000 * np.cos(np.radians(lat)), np.radians(dlat) * 6_371_000
    )


def _ganzhou_grid(step=0.02):
    lon, lat = np.meshgrid(
        np.arange(GANZHOU_LON[0], GANZHOU_LON[1] + 1e-9, step),
        np.arange(GANZHOU_LAT[0], GANZHOU_LAT[1] + 1e-9, step),
    )
    return lon.ravel(), lat.ravel()


# --------------------------------------------------------------------------------------------
# Coordinate conversion


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), EVILTRANSFORM_WGS_GCJ)
def test_wgs84_to_gcj02_matches_eviltransform(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    lon, lat = offsets.wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert lon == pytest.approx(gcj_lon, abs=1e-9)
    assert lat == pytest.approx(gcj_lat, abs=1e-9)


@pytest.mark.parametrize("name", sorted(COORDTRANSFORM_README))
def test_conversions_match_coordtransform_readme(name):
    lon, lat = getattr(offsets, name)(116.404, 39.915)
    assert (lon, lat) == pytest.approx(COORDTRANSFORM_README[name], abs=1e-9)


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), EVILTRANSFORM_WGS_GCJ)
def test_gcj02_to_wgs84_iterates_to_the_published_point(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    lon, lat = offsets.gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert abs(lon - wgs_lon) < 1e-7
    assert abs(lat - wgs_lat) < 1e-7


def test_vectorised_over_arrays_of_any_shape():
    lon = np.array([[114.9, 115.0], [115.1, 115.2]])
    lat = np.full((2, 2), 25.4)
    glon, glat = offsets.wgs84_to_gcj02(lon, lat)
    assert glon.shape == glat.shape == (2, 2)
    one_by_one = [
        offsets.wgs84_to_gcj02(x, y) for x, y in zip(lon.ravel(), lat.ravel(), strict=True)
    ]
    assert glon.ravel() == pytest.approx([p[0] for p in one_by_one], abs=0)
    with pytest.raises(ValueError, match="shape"):
        offsets.wgs84_to_gcj02([115.0, 115.1], [25.4])


def test_gcj02_round_trip_within_1m_over_ganzhou():
    glon, glat = _ganzhou_grid()
    wlon, wlat = offsets.gcj02_to_wgs84(glon, glat)
    # The offset really is there (hundreds of metres), and really is removed.
    assert _metres(glon - wlon, glat - wlat, glat).min() > 100
    back_lon, back_lat = offsets.wgs84_to_gcj02(wlon, wlat)
    assert np.abs(back_lon - glon).max() < 1e-7
    assert np.abs(back_lat - glat).max() < 1e-7
    assert _metres(back_lon - glon, back_lat - glat, glat).max() < 1.0


def test_bd09_round_trips_within_1m_over_ganzhou():
    glon, glat = _ganzhou_grid()
    blon, blat = offsets.gcj02_to_bd09(glon, glat)
    lon, lat = offsets.bd09_to_gcj02(blon, blat)
    assert _metres(lon - glon, lat - glat, glat).max() < 1.0
    # BD-09 → WGS84 → GCJ-02 → BD-09 returns to the start.
    wlon, wlat = offsets.bd09_to_wgs84(blon, blat)
    again = offsets.gcj02_to_bd09(*offsets.wgs84_to_gcj02(wlon, wlat))
    assert _metres(again[0] - blon, again[1] - blat, blat).max() < 1.0


def test_outside_china_gcj02_is_wgs84_and_nan_passes_through():
    lon, lat = offsets.gcj02_to_wgs84([2.35, np.nan], [48.85, np.nan])
    assert lon[0] == 2.35 and lat[0] == 48.85
    assert np.isnan(lon[1]) and np.isnan(lat[1])


def test_points_from_table_converts_each_row_by_its_system():
    df = pd.DataFrame(
        {
            "kind": ["public_toilet", "sewage_site", "household_toilet", "public_toilet", "x"],
            "lon": [115.005, 115.012, 115.0, 115.02, None],
            "lat": [25.405, 25.401, 25.4, 25.39, 25.4],
            "coord_sys": ["gcj02", "BD-09", "WGS84", "cgcs2000", "gcj02"],
        }
    )
    pts = geo.points_from_table(df)
    assert pts.crs.to_epsg() == 4490
    assert list(pts.columns) == [*df.columns, "geometry"]
    expected = [
        offsets.gcj02_to_wgs84(115.005, 25.405),
        offsets.bd09_to_wgs84(115.012, 25.401),
        (115.0, 25.4),
        (115.02, 25.39),
    ]
    for point, (lon, lat) in zip(pts.geometry[:4], expected, strict=True):
        assert (point.x, point.y) == pytest.approx((float(lon), float(lat)), abs=1e-12)
    assert pts.geometry.iloc[4] is None  # missing lon: no geometry, for validation to report

    all_gcj = geo.points_from_table(df.drop(columns="coord_sys"), crs="gcj02")
    assert all_gcj.geometry.iloc[1].x == pytest.approx(
        float(offsets.gcj02_to_wgs84(115.012, 25.401)[0])
    )
    with pytest.raises(ValueError, match="unknown coordinate system 'mars'"):
        geo.points_from_table(df.assign(coord_sys="mars"))
    with pytest.raises(ValueError, match="no column 'coord_sys'"):
        geo.points_from_table(df.drop(columns="coord_sys"))


# --------------------------------------------------------------------------------------------
# Layers, CRS and areas


def _village_layer(crs="EPSG:4547"):
    return gpd.GeoDataFrame(
        {"code": ["360722103200", "360722103201"], "name": ["青光村", "竹村村"]},
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 1000), box(X0 + 1000, Y0, X0 + 3000, Y0 + 1500)],
        crs=crs,
    )


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg", ".fgb", ".parquet"])
def test_read_layer_returns_storage_crs_with_chinese_names(tmp_path, suffix):
    path = tmp_path / f"villages{suffix}"
    layer = _village_layer()
    if suffix == ".parquet":
        layer.to_parquet(path)
    else:
        layer.to_crs(4326 if suffix == ".geojson" else 4547).to_file(path, engine="pyogrio")
    # FlatGeobuf's spatial index may reorder features.
    got = geo.read_layer(path).sort_values("code", ignore_index=True)
    assert got.crs.to_epsg() == 4490
    assert list(got["name"]) == ["青光村", "竹村村"]
    assert geo.area_mu(got).to_numpy() == pytest.approx([1500.0, 4500.0], rel=1e-6)


def test_read_layer_without_crs_names_the_file(tmp_path):
    path = tmp_path / "no_crs.fgb"
    with pytest.warns(UserWarning, match="crs"):
        _village_layer(crs=None).to_file(path, engine="pyogrio")
    with pytest.raises(ValueError, match=r"no_crs\.fgb.*assume_crs"):
        geo.read_layer(path)
    got = geo.read_layer(path, assume_crs="EPSG:4547")
    assert got.crs.to_epsg() == 4490


def test_read_layer_removes_gcj02_offset(tmp_path):
    wgs = _village_layer().to_crs(4326)
    # Write the layer as a DataV/AMap file would hold it: GCJ-02 lon/lat declared as WGS84.
    gcj = wgs.set_geometry(
        shapely.transform(
            wgs.geometry.values,
            lambda xy: np.column_stack(offsets.wgs84_to_gcj02(xy[:, 0], xy[:, 1])),
        )
    )
    path = tmp_path / "datav.geojson"
    gcj.to_file(path, engine="pyogrio")
    got = geo.read_layer(path, coord_sys="gcj02")
    shift = shapely.hausdorff_distance(
        got.to_crs(4547).geometry.values, _village_layer().geometry.values
    )
    assert shift.max() < 0.01  # metres
    with pytest.raises(ValueError, match="lon/lat"):
        geo.from_offset_lonlat(_village_layer(), "gcj02")


def test_to_storage_and_to_measure():
    layer = _village_layer()
    stored = geo.to_storage(layer)
    assert stored.crs.to_epsg() == 4490
    assert geo.to_measure(stored).crs.to_epsg() == 4547
    assert geo.to_measure(layer) is layer  # already there: no copy
    with pytest.raises(ValueError, match="no CRS"):
        geo.to_storage(_village_layer(crs=None))


def test_area_mu_is_10000_over_15_square_metres():
    square_km = gpd.GeoSeries([box(X0, Y0, X0 + 1000, Y0 + 1000)], crs=4547)
    assert geo.area_mu(square_km).iloc[0] == pytest.approx(1500.0, rel=1e-12)


# --------------------------------------------------------------------------------------------
# Corridor


@pytest.fixture
def straight_road():
    # 20 km due east (grid east) along y = Y0.
    return gpd.GeoDataFrame(
        {"name": ["G357"]}, geometry=[LineString([(X0, Y0), (X0 + 20_000, Y0)])], crs=4547
    )


def test_corridor_band(straight_road):
    band = geo.corridor(straight_road, width_km=2.0)
    assert band.crs.to_epsg() == 4490
    assert band["width_km"].tolist() == [2.0]
    area_km2 = geo.to_measure(band).area.iloc[0] / 1e6
    # 20 km × 2 km plus two half-discs of radius 1 km (round ends).
    assert area_km2 == pytest.approx(40.0 + math.pi, rel=1e-3)
    with pytest.raises(ValueError, match="positive"):
        geo.corridor(straight_road, width_km=0)


def test_corridor_merges_road_segments(straight_road):
    pieces = gpd.GeoDataFrame(
        geometry=[
            LineString([(X0, Y0), (X0 + 7000, Y0)]),
            LineString([(X0 + 7000, Y0), (X0 + 20_000, Y0)]),
        ],
        crs=4547,
    )
    merged = geo.to_measure(geo.corridor(pieces, 2.0)).geometry.iloc[0]
    whole = geo.to_measure(geo.corridor(straight_road, 2.0)).geometry.iloc[0]
    # One band, not two overlapping at the joint: the same polygon as the unbroken road's.
    assert merged.geom_type == "Polygon"
    assert merged.symmetric_difference(whole).area < 1.0  # m², against a 43 km² band


# --------------------------------------------------------------------------------------------
# Geometry validation


def test_validate_geometries_repairs_and_reports():
    bow_tie = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])
    hole_outside = Polygon(
        [(0, 0), (10, 0), (10, 10), (0, 10)], [[(20, 20), (21, 20), (21, 21), (20, 21)]]
    )
    flat = Polygon([(0, 0), (1, 1), (2, 2), (0, 0)])
    gdf = gpd.GeoDataFrame(
        {"name": ["好", "蝴蝶结", "空", "缺", "洞在外", "压扁"]},
        geometry=[box(0, 0, 1, 1), bow_tie, Polygon(), None, hole_outside, flat],
        index=list("abcdef"),
        crs=4547,
    )
    fixed, problems = geo.validate_geometries(gdf)

    assert fixed.index.equals(gdf.index) and fixed.crs == gdf.crs
    by_row = problems.set_index("row")
    assert list(by_row.index) == ["b", "c", "d", "e", "f"]
    assert by_row.loc["b", "rule"] == "geometry_invalid"
    assert "Self-intersection" in by_row.loc["b", "reason"]
    assert by_row.loc["b", "repaired"]
    repaired = fixed.geometry["b"]
    assert repaired.is_valid and repaired.geom_type == "MultiPolygon"
    assert repaired.area == pytest.approx(2.0)
    assert (by_row.loc["c", "rule"], by_row.loc["d", "rule"]) == (
        "geometry_empty",
        "geometry_missing",
    )
    # make_valid turns the outside hole into an island (+2 % area) and the flat ring into a line:
    # neither repair is trusted, both are reported and the geometry is left as it was.
    assert not by_row.loc["e", "repaired"] and "面积变化" in by_row.loc["e", "message"]
    assert not by_row.loc["f", "repaired"] and "几何类型改变" in by_row.loc["f", "message"]
    assert shapely.equals_exact(fixed.geometry["e"], hole_outside)
    assert shapely.equals_exact(fixed.geometry["a"], box(0, 0, 1, 1))
    assert shapely.equals_exact(gdf.geometry["b"], bow_tie)  # the input is not modified


def test_validate_geometries_on_clean_layer_reports_nothing():
    fixed, problems = geo.validate_geometries(_village_layer())
    assert problems.empty
    assert list(problems.columns) == ["row", "rule", "reason", "repaired", "message"]
    assert fixed.geometry.equals(_village_layer().geometry)


def test_validate_geometries_keeps_points_from_table_missing_rows():
    df = pd.DataFrame({"lon": [115.0, np.nan], "lat": [25.4, 25.4], "coord_sys": ["gcj02"] * 2})
    _, problems = geo.validate_geometries(geo.points_from_table(df))
    assert problems[["row", "rule"]].values.tolist() == [[1, "geometry_missing"]]


def test_validate_geometries_reports_what_geos_cannot_repair():
    nan_point = shapely.Point(np.nan, np.nan)
    bow_tie_and_point = shapely.GeometryCollection(
        [Polygon([(0, 0), (2, 2), (2, 0), (0, 2)]), shapely.Point(5, 5)]
    )
    fixed, problems = geo.validate_geometries(
        gpd.GeoDataFrame(geometry=[nan_point, bow_tie_and_point], crs=4547)
    )
    assert problems["repaired"].tolist() == [False, True]
    assert "Invalid Coordinate" in problems["reason"].iloc[0]
    assert fixed.geometry.iloc[1].is_valid
