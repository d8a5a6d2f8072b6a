"""The horizon around an observer: rays marched outwards azimuth by azimuth.

Model
-----
A ray leaves the observer cell centre ``(r0, c0)`` at azimuth ``a`` (degrees
clockwise from north) and runs straight in grid space, as every sight line of
the viewshed does (:mod:`terrain.kernels.geometry`). Its direction in cells is
fixed at the observer: ``-cos(a) / dy0_m`` rows and ``sin(a) / dx_m[r0]``
columns per metre, ``dy0_m`` the north-south spacing of the observer's row
(:func:`ray_azimuth_deg` is the inverse). Along its *major* axis (rows when the
row component is at least the column component) it crosses the grid lines
``k = 1, 2, ...``; there the terrain is the R3 rule of
:func:`terrain.kernels.horizon_exact.r3_walk`: the linear interpolation between
the two cells that bracket the crossing (the cell itself when the crossing
falls on a centre), a crossing with a void among them skipped. A crossing lies
``d`` metres from the observer by :func:`terrain.kernels.geometry.point_distance_m`
and its elevation slope is, as the viewshed computes it,

    s = (z - curv * d**2 - eye_z) / d        (curv = (1 - k) / (2 R))

The ray ends where it leaves the grid or passes ``max_dist_m`` (``> 0``).

The *horizon* of the azimuth is the crossing of the largest slope, the farthest
one on a tie (the farthest ground that reaches the highest apparent angle); its
elevation angle is ``degrees(atan(s))``. A point farther along the ray at an
angle at most the horizon's is hidden behind it, and the horizon crossing
itself is seen (nothing before it rises above its angle).

For the picture the slopes are also reduced per distance band: the highest
elevation angle of the terrain within ``band_edges_m[b] <= d < band_edges_m[b + 1]``
(NaN where the band holds no crossing), the skyline of that band.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .geometry import point_distance_m

#: Minor-axis offsets closer than this to a whole cell (cells) are taken as the cell centre.
_SNAP = 1e-9


def ray_azimuth_deg(d_row, d_col, dx0_m: float, dy0_m: float):
    """Azimuth (degrees clockwise from north, 0..360) of the ray through grid offset ``(d_row, d_col)`` cells.

    The inverse of the direction rule of :func:`horizon_rays` (rows and columns scaled by the observer row's
    north-south spacing ``dy0_m`` and cell width ``dx0_m``, metres); arrays are accepted.
    """
    return np.degrees(np.arctan2(np.asarray(d_col, dtype=np.float64) * dx0_m,
                                 -np.asarray(d_row, dtype=np.float64) * dy0_m)) % 360.0


# Model: a ray per azimuth, terrain at its major-axis grid-line crossings by the R3 rule, the horizon the
# farthest crossing of the largest slope (z - curv d^2 - eye) / d; band skylines the largest angle per band.
@njit(cache=True, parallel=True)
def horizon_rays(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, dy0_m, azimuths_deg, band_edges_m,
                 slope_out, dist_out, row_out, col_out, ground_out, reach_out, last_out, band_out):
    """March one ray per azimuth from ``(r0, c0)`` and write its horizon and band skylines.

    Parameters
    ----------
    z : float32[:, :]
        Elevations, metres, rows north to south, NaN = void.
    y_m, dx_m : float64[:]
        Row geometry (see :mod:`terrain.kernels.geometry`).
    r0, c0 : int
        Observer cell.
    eye_z : float
        Absolute eye elevation, metres.
    curv : float
        Curvature factor ``(1 - k) / (2 R)``, 1/m (0 = flat earth).
    max_dist_m : float
        Rays stop beyond this distance, metres; ``<= 0`` means at the grid's edge only.
    dy0_m : float
        North-south spacing of the observer's row, metres.
    azimuths_deg : float64[:]
        Azimuths, degrees clockwise from north.
    band_edges_m : float64[:]
        Increasing distance band edges, metres (``nb + 1`` values).
    slope_out, dist_out, row_out, col_out, ground_out, reach_out : float64[:]
        Per azimuth: the horizon slope (dimensionless), its distance (m), fractional grid row and column
        (0.0 = first cell centre), terrain height (m, before curvature), and the distance of the ray's last
        crossing (m). NaN (the first five) where the ray meets no terrain.
    last_out : uint8[:]
        1 where the horizon is the ray's last crossing with terrain: the true horizon may lie beyond the
        grid or the radius.
    band_out : float32[:, :]
        ``(n_azimuths, nb)``: highest elevation angle (degrees) of the terrain in each band, NaN if none.
    """
    nrows, ncols = z.shape
    nb = band_edges_m.size - 1
    limited = max_dist_m > 0.0
    for i in prange(azimuths_deg.size):
        a = math.radians(azimuths_deg[i])
        vr = -math.cos(a) / dy0_m
        vc = math.sin(a) / dx_m[r0]
        row_major = abs(vr) >= abs(vc)
        if row_major:
            s = 1 if vr > 0.0 else -1
            u = vc / abs(vr)
        else:
            s = 1 if vc > 0.0 else -1
            u = vr / abs(vc)
        for b in range(nb):
            band_out[i, b] = np.nan
        best = -math.inf
        best_d = np.nan
        best_r = np.nan
        best_c = np.nan
        best_z = np.nan
        reach = 0.0
        last_valid_d = -1.0
        b = 0
        k = 1
        while True:
            major = (r0 if row_major else c0) + s * k
            if major < 0 or major >= (nrows if row_major else ncols):
                break
            m = (c0 if row_major else r0) + u * k
            lo = int(math.floor(m + _SNAP))
            f = m - lo
            if f < _SNAP:
                f = 0.0
            limit = ncols if row_major else nrows
            if lo < 0 or lo >= limit or (f > 0.0 and lo + 1 >= limit):
                break
            if row_major:
                rf = np.float64(major)
                cf = lo + f
                za = np.float64(z[major, lo])
                zp = za if f == 0.0 else za + f * (np.float64(z[major, lo + 1]) - za)
            else:
                rf = lo + f
                cf = np.float64(major)
                za = np.float64(z[lo, major])
                zp = za if f == 0.0 else za + f * (np.float64(z[lo + 1, major]) - za)
            d = point_distance_m(rf, cf, r0, c0, y_m, dx_m)
            if limited and d > max_dist_m:
                break
            reach = d
            if not math.isnan(zp):  # voids are skipped
                last_valid_d = d
                sl = (zp - curv * d * d - eye_z) / d
                if sl >= best:
                    best = sl
                    best_d = d
                    best_r = rf
                    best_c = cf
                    best_z = zp
                while b < nb and d >= band_edges_m[b + 1]:
                    b += 1
                if b < nb and d >= band_edges_m[b]:
                    ang = np.float32(math.degrees(math.atan(sl)))
                    if math.isnan(band_out[i, b]) or ang > band_out[i, b]:
                        band_out[i, b] = ang
            k += 1
        slope_out[i] = best if best > -math.inf else np.nan
        dist_out[i] = best_d
        row_out[i] = best_r
        col_out[i] = best_c
        ground_out[i] = best_z
        reach_out[i] = reach
        last_out[i] = 1 if (last_valid_d > 0.0 and best_d == last_valid_d) else 0


def horizon_kernel(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, dy0_m, azimuths_deg, band_edges_m):
    """Allocate the outputs and run :func:`horizon_rays` (plain Python: the parallel kernel's wrapper).

    Returns
    -------
    dict of ndarray
        ``slope``, ``distance_m``, ``row``, ``col``, ``ground_m``, ``reach_m`` (float64, per azimuth),
        ``at_limit`` (uint8) and ``band_angle_deg`` (float32, azimuth x band); see :func:`horizon_rays`.
    """
    az = np.ascontiguousarray(azimuths_deg, dtype=np.float64)
    edges = np.ascontiguousarray(band_edges_m, dtype=np.float64)
    n = az.size
    out = {name: np.empty(n, dtype=np.float64) for name in ("slope", "distance_m", "row", "col", "ground_m",
                                                             "reach_m")}
    out["at_limit"] = np.empty(n, dtype=np.uint8)
    out["band_angle_deg"] = np.empty((n, max(edges.size - 1, 0)), dtype=np.float32)
    horizon_rays(z, y_m, dx_m, int(r0), int(c0), float(eye_z), float(curv), float(max_dist_m), float(dy0_m), az,
                 edges, out["slope"], out["distance_m"], out["row"], out["col"], out["ground_m"], out["reach_m"],
                 out["at_limit"], out["band_angle_deg"])
    return out
