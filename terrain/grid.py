"""Metric geometry of a DEM's grid: row positions, cell widths and cell areas in metres.

Geographic grids (EPSG:4326, as SRTM ships) are measured on the ellipsoid row by
row, so they are analysed without resampling: the east-west spacing of a
1-arc-second cell shrinks with latitude, the north-south spacing barely changes.
Projected grids have constant spacing in their linear unit, converted to metres;
where the projection's scale strays from 1 by more than :data:`GROUND_SCALE_TOLERANCE`
(Web Mercator, a conic far from its standard parallels) the spacing is divided by
the projection's own scale factors, row by row, so distances and areas are on the
ground. A projection whose scale changes along a row is refused. See :mod:`terrain.kernels.geometry` for how kernels use these arrays.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from pyproj import CRS

from .errors import InputError

#: A projected grid whose scale factor stays within this fraction of 1 (UTM, national grids) is
#: taken to be in ground metres, as GDAL and GRASS take it; beyond it, the scale is corrected per row.
GROUND_SCALE_TOLERANCE = 0.0015
#: The most a projection's scale may change along one row (fraction) for the row-by-row geometry to hold.
ROW_SCALE_TOLERANCE = 0.002


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
    if crs is not None and crs.is_projected:
        scales = _row_scales(transform, shape, crs)
        if scales is not None:
            parallel, meridional_mid = scales
            dx_m = dx_m / parallel
            y_m = np.zeros(rows, dtype=np.float64)
            y_m[1:] = np.cumsum(res_y * unit / meridional_mid)
    return y_m, dx_m


@functools.lru_cache(maxsize=64)
def _row_scales_cached(transform, shape, wkt: str):
    return _measure_row_scales(transform, shape, CRS.from_wkt(wkt))


def _row_scales(transform, shape, crs: CRS):
    """Per-row scale factors of a projected grid, or None where its metres are ground metres.

    Returns ``(parallel, meridional_mid)``: the east-west scale at each row's centre and the
    north-south scale halfway between consecutive rows, both at the grid's middle column.
    """
    return _row_scales_cached(transform, (int(shape[0]), int(shape[1])), crs.to_wkt())


def _measure_row_scales(transform, shape, crs: CRS):
    from pyproj import Proj, Transformer

    rows, cols = shape
    # every row at the first, middle and last column; the middle also halfway between rows
    r = np.arange(rows, dtype=np.float64) + 0.5
    r_mid = np.arange(1, rows, dtype=np.float64)
    cs = np.array([0.5, cols / 2.0, cols - 0.5])
    col = np.concatenate([np.repeat(cs, rows), np.full(r_mid.size, cs[1])])
    row = np.concatenate([np.tile(r, 3), r_mid])
    x = transform.c + transform.a * col
    y = transform.f + transform.e * row
    geo = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True)
    lon, lat = geo.transform(x, y)
    with np.errstate(invalid="ignore"):
        factors = Proj(crs).get_factors(lon, lat, errcheck=False)
    par = np.asarray(factors.parallel_scale, dtype=np.float64)
    mer = np.asarray(factors.meridional_scale, dtype=np.float64)
    name = crs.to_string()
    if not (np.all(np.isfinite(par)) and np.all(np.isfinite(mer)) and np.all(par > 0) and np.all(mer > 0)):
        raise InputError(f"the DEM's projection ({name}) has no usable scale over part of the grid "
                         "(it reaches past the projection's valid area); reproject it with terrain.to_utm first")
    if np.all(np.abs(par - 1.0) <= GROUND_SCALE_TOLERANCE) and np.all(np.abs(mer - 1.0) <= GROUND_SCALE_TOLERANCE):
        return None
    par_rows = par[:3 * rows].reshape(3, rows)
    mer_rows = mer[:3 * rows].reshape(3, rows)
    spread = max(float(np.max(np.ptp(par_rows, axis=0) / par_rows[1])),
                 float(np.max(np.ptp(mer_rows, axis=0) / mer_rows[1])))
    if spread > ROW_SCALE_TOLERANCE:
        raise InputError(f"the DEM's projection ({name}) changes scale by {100 * spread:.1f} % along a row, "
                         "so distances on its grid are not ground distances; reproject it with terrain.to_utm "
                         "(or gdalwarp to a local UTM zone) first")
    return par_rows[1], mer[3 * rows:] if rows > 1 else np.empty(0)


def thinned_transform(transform, stride: int):
    """The transform of a grid thinned to every ``stride``-th row and column (``da.isel(y=::stride, x=::stride)``):
    cells ``stride`` times larger, their centres on the kept cells' centres."""
    from affine import Affine

    t = transform
    return Affine(t.a * stride, 0.0, t.c + t.a * 0.5 - t.a * stride * 0.5,
                  0.0, t.e * stride, t.f + t.e * 0.5 - t.e * stride * 0.5)


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
