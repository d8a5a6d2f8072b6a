"""Metric geometry of a DEM's grid: row positions, cell widths and cell areas in metres.

Geographic grids (EPSG:4326, as SRTM ships) are measured on the ellipsoid row by
row, so they are analysed without resampling: the east-west spacing of a
1-arc-second cell shrinks with latitude, the north-south spacing barely changes.
Projected grids have constant spacing in their linear unit, converted to metres.
See :mod:`terrain.kernels.geometry` for how kernels use these arrays.
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import CRS

from .errors import InputError


def _ellipsoid(crs: CRS) -> tuple[float, float]:
    """Semi-major axis (m) and first eccentricity squared of a CRS's ellipsoid (WGS84 if unknown)."""
    ell = crs.ellipsoid if crs is not None else None
    if ell is None:
        return 6378137.0, 0.0066943799901413165
    a = ell.semi_major_metre
    b = ell.semi_minor_metre
    return a, 1.0 - (b * b) / (a * a)


def row_geometry(transform, shape, crs) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(y_m, dx_m)``: each row's north-south position and east-west cell width, metres.

    Parameters
    ----------
    transform : affine.Affine
        The grid's affine transform (north-up, no rotation).
    shape : tuple of int
        ``(rows, cols)``.
    crs : pyproj.CRS, rasterio CRS or None
        Geographic CRSs are measured on their ellipsoid; projected ones use their
        linear unit. ``None`` means the grid units are metres.

    Returns
    -------
    y_m : ndarray of float64, shape (rows,)
        Distance in metres of each row's centres from row 0's, increasing with the row index.
    dx_m : ndarray of float64, shape (rows,)
        East-west width of one cell in each row, metres.
    """
    if transform.b != 0 or transform.d != 0:
        raise InputError("the DEM's grid is rotated; warp it to a north-up grid first (gdalwarp or terrain.to_utm)")
    rows = int(shape[0])
    res_x = abs(transform.a)
    res_y = abs(transform.e)
    crs = CRS.from_user_input(crs) if crs is not None else None
    if crs is not None and crs.is_geographic:
        a, e2 = _ellipsoid(crs)
        lat_top = transform.f + transform.e * 0.5
        step = math.radians(transform.e)  # signed: negative for north-up
        lat = np.radians(lat_top) + step * np.arange(rows, dtype=np.float64)
        s = np.sin(lat)
        w = 1.0 - e2 * s * s
        # parallel-circle arc for one cell: prime vertical radius N times cos(lat)
        dx_m = a / np.sqrt(w) * np.cos(lat) * math.radians(res_x)
        # meridian arc between consecutive rows, measured at the mid latitude
        lat_mid = lat[:-1] + 0.5 * step
        sm = np.sin(lat_mid)
        meridian_radius = a * (1.0 - e2) / (1.0 - e2 * sm * sm) ** 1.5
        y_m = np.zeros(rows, dtype=np.float64)
        y_m[1:] = np.cumsum(meridian_radius * abs(step))
        return y_m, dx_m
    unit = 1.0
    if crs is not None:
        axis = crs.axis_info[0] if crs.axis_info else None
        if axis is not None and axis.unit_conversion_factor:
            unit = float(axis.unit_conversion_factor)
    y_m = np.arange(rows, dtype=np.float64) * res_y * unit
    dx_m = np.full(rows, res_x * unit, dtype=np.float64)
    return y_m, dx_m


def row_heights_m(y_m: np.ndarray) -> np.ndarray:
    """North-south extent of one cell in each row, metres (from the row positions)."""
    if y_m.size == 1:
        raise InputError("a one-row grid has no north-south spacing; load a larger window")
    d = np.diff(y_m)
    out = np.empty_like(y_m)
    out[0] = d[0]
    out[-1] = d[-1]
    out[1:-1] = 0.5 * (d[:-1] + d[1:])
    return out


def cell_areas_m2(y_m: np.ndarray, dx_m: np.ndarray) -> np.ndarray:
    """Area of one cell in each row, square metres (true areas, also on geographic grids)."""
    return row_heights_m(y_m) * dx_m
