"""Metric geometry of a raster grid, shared by every kernel.

Model
-----
A grid is described by two float64 arrays with one value per row:

* ``y_m[r]``: position of row ``r``'s centres along the north-south axis, in
  metres, increasing with the row index (row 0 is the first row of the raster);
* ``dx_m[r]``: east-west width of one cell in row ``r``, in metres.

For a projected grid these are ``r * res_y`` and a constant ``res_x``. For a
geographic grid (EPSG:4326) they come from the ellipsoid row by row, so a
lat/lon DEM is analysed without resampling.

The ground distance from the observer cell ``(r0, c0)`` to cell ``(r, c)`` is

    D = hypot(y_m[r] - y_m[r0], (c - c0) * (dx_m[r] + dx_m[r0]) / 2)

(an equirectangular distance with the mean east-west spacing of the two rows,
within 0.1 % of the geodesic over tens of kilometres). Sight lines are straight
in grid space; a point a fraction ``t`` of the way along one is ``t * D`` from
the observer.
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True, inline="always")
def cell_distance_m(r, c, r0, c0, y_m, dx_m):
    """Ground distance in metres from cell (r0, c0) to cell (r, c) (integers)."""
    dy = y_m[r] - y_m[r0]
    dx = (c - c0) * 0.5 * (dx_m[r] + dx_m[r0])
    return math.sqrt(dx * dx + dy * dy)


@njit(cache=True, inline="always")
def cell_azimuth_deg(r, c, r0, c0, y_m, dx_m):
    """Azimuth in degrees clockwise from north (0..360) of cell (r, c) seen from (r0, c0)."""
    north = y_m[r0] - y_m[r]
    east = (c - c0) * 0.5 * (dx_m[r] + dx_m[r0])
    a = math.degrees(math.atan2(east, north))
    if a < 0.0:
        a += 360.0
    return a


@njit(cache=True, inline="always")
def point_distance_m(rf, cf, r0, c0, y_m, dx_m):
    """Ground distance in metres from cell (r0, c0) to the fractional grid position (rf, cf).

    The rule of :func:`cell_distance_m` with the row's position and cell width interpolated linearly
    between the two rows that bracket ``rf`` (equal to it where ``rf`` is a whole row); ``rf`` must lie
    within ``0 .. len(y_m) - 1``.
    """
    lo = int(math.floor(rf))
    f = rf - lo
    if f > 0.0:
        y = y_m[lo] + f * (y_m[lo + 1] - y_m[lo])
        w = dx_m[lo] + f * (dx_m[lo + 1] - dx_m[lo])
    else:
        y = y_m[lo]
        w = dx_m[lo]
    dy = y - y_m[r0]
    dx = (cf - c0) * 0.5 * (w + dx_m[r0])
    return math.sqrt(dx * dx + dy * dy)
