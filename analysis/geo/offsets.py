"""GCJ-02 and BD-09: the offset coordinates of Chinese phone map apps, to and from WGS84.

Points recorded with AMap/高德 or Tencent come in GCJ-02, with Baidu in BD-09; they are converted
here with the standard published algorithms before they meet any other layer. At this project's
precision WGS84 and CGCS2000 coincide (see :mod:`analysis.geo.layers`).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

# GCJ-02 parameters as published: the Krasovsky 1940 semi-major axis and eccentricity squared.
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
# BD-09's constant: π·3000/180.
_X_PI = math.pi * 3000.0 / 180.0
# The rectangle inside which GCJ-02 applies an offset; outside it GCJ-02 equals WGS84.
_CHINA_LON = (72.004, 137.8347)
_CHINA_LAT = (0.8293, 55.8271)
# The inverse iteration stops when a step is below this (degrees; 1e-10° ≈ 0.01 mm), far inside
# the 1e-7° promised. It contracts by ~1e-4 per step, so three or four steps suffice.
_INVERSE_TOL = 1e-10
_INVERSE_MAX_STEPS = 30

#: Names accepted for a point's coordinate system, after lower-casing and removing ``-``/``_``/
#: spaces, mapped to the converter that brings them to WGS84 (≈ CGCS2000).
_COORD_SYSTEMS = {
    "gcj02": "gcj02",
    "bd09": "bd09",
    "bd09ll": "bd09",
    "wgs84": "wgs84",
    "epsg:4326": "wgs84",
    "cgcs2000": "wgs84",
    "epsg:4490": "wgs84",
}


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Offset WGS84 lon/lat to GCJ-02 (the published forward algorithm).

    Parameters
    ----------
    lon, lat
        Degrees; scalars or arrays of one shape. Points outside China are returned unchanged,
        as GCJ-02 defines.

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 ``(lon, lat)``.
    """
    lon, lat = _arrays(lon, lat)
    dlon, dlat = _gcj_offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Remove the GCJ-02 offset by fixed-point iteration.

    The common one-step inverse (subtract the offset computed at the GCJ-02 point) is off by up
    to ~1 m; iterating ``w ← g − offset(w)`` converges to better than 1e-10° within a few steps.

    Parameters
    ----------
    lon, lat
        GCJ-02 degrees; scalars or arrays of one shape.

    Returns
    -------
    tuple of numpy.ndarray
        WGS84 ``(lon, lat)``.
    """
    glon, glat = _arrays(lon, lat)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(_INVERSE_MAX_STEPS):
        dlon, dlat = _gcj_offset(wlon, wlat)
        step_lon = glon - dlon - wlon
        step_lat = glat - dlat - wlat
        wlon += step_lon
        wlat += step_lat
        # NaN compares False, so missing coordinates do not keep the loop going.
        if not (np.any(np.abs(step_lon) > _INVERSE_TOL) or np.any(np.abs(step_lat) > _INVERSE_TOL)):
            return wlon, wlat
    raise RuntimeError("GCJ-02 → WGS84 did not converge; are the inputs finite degrees?")


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert GCJ-02 lon/lat to Baidu's BD-09 (published algorithm, x_pi = π·3000/180).

    Parameters
    ----------
    lon, lat
        GCJ-02 degrees; scalars or arrays of one shape.

    Returns
    -------
    tuple of numpy.ndarray
        BD-09 ``(lon, lat)``.
    """
    x, y = _arrays(lon, lat)
    z = np.hypot(x, y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert Baidu BD-09 lon/lat to GCJ-02 (published algorithm; round trip < 1 m).

    Parameters
    ----------
    lon, lat
        BD-09 degrees; scalars or arrays of one shape.

    Returns
    -------
    tuple of numpy.ndarray
        GCJ-02 ``(lon, lat)``.
    """
    lon, lat = _arrays(lon, lat)
    x = lon - 0.0065
    y = lat - 0.006
    z = np.hypot(x, y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Convert BD-09 lon/lat to WGS84 (via GCJ-02, with the iterative inverse).

    Parameters
    ----------
    lon, lat
        BD-09 degrees; scalars or arrays of one shape.

    Returns
    -------
    tuple of numpy.ndarray
        WGS84 ``(lon, lat)``.
    """
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def _arrays(lon, lat):
    lon = np.array(lon, dtype=float)
    lat = np.array(lat, dtype=float)
    if lon.shape != lat.shape:
        raise ValueError(f"lon and lat differ in shape: {lon.shape} vs {lat.shape}")
    return lon, lat


def _gcj_offset(lon, lat):
    """GCJ-02 minus WGS84 at a WGS84 point, in degrees (zero outside China)."""
    x = lon - 105.0
    y = lat - 35.0
    periodic = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + periodic
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + periodic
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    rad_lat = np.radians(lat)
    magic = 1.0 - _GCJ_EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_GCJ_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    inside = ((lon >= _CHINA_LON[0]) & (lon <= _CHINA_LON[1]) & (lat >= _CHINA_LAT[0])) & (
        lat <= _CHINA_LAT[1]
    )
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def normalise_coord_sys(name: object) -> str:
    """A coordinate system's name as one of ``gcj02``, ``bd09``, ``wgs84``; ValueError if unknown."""
    key = str(name).strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    if key not in _COORD_SYSTEMS:
        raise ValueError(
            f"unknown coordinate system {name!r}; use one of gcj02, bd09, wgs84, cgcs2000"
        )
    return _COORD_SYSTEMS[key]


def to_wgs84_function(coord_sys: str):
    """The function that converts ``coord_sys`` lon/lat arrays to WGS84 (≈ CGCS2000)."""
    kind = normalise_coord_sys(coord_sys)
    if kind == "gcj02":
        return gcj02_to_wgs84
    if kind == "bd09":
        return bd09_to_wgs84
    return _arrays
