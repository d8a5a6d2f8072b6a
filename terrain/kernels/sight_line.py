"""One sight line, judged by the viewshed's own rules: its R3 profile and the verdict at the target cell.

Model
-----
The line runs from the observer cell centre ``(r0, c0)`` to the target cell
centre ``(r, c)``; its terrain is the R3 walk of
:func:`terrain.kernels.horizon_exact.r3_walk` (the grid-line crossings strictly
between the two cells, each the linear interpolation of the two cells that
bracket it), and its verdict is :func:`terrain.kernels.visibility.finish_cell`
for that cell with the horizon slope rounded to float32, as a horizon grid
holds it. So the verdict is, bit for bit, the exact viewshed's flag at the
target cell (whole circle, no inner or outer radius, no pitch window).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .geometry import cell_distance_m
from .horizon_exact import r3_walk
from .visibility import finish_cell


# Model: the exact viewshed of one cell (R3 horizon, float32 as stored, the shared finish rule) plus its profile.
@njit(cache=True)
def sight_line(z, y_m, dx_m, r0, c0, r, c, eye_z, curv, target_h, target_ground=math.nan):
    """The R3 sight line from cell ``(r0, c0)`` to cell ``(r, c)`` and the viewshed's verdict on ``(r, c)``.

    Parameters
    ----------
    z : float32[:, :]
        Elevations, metres, NaN = void.
    y_m, dx_m : float64[:]
        Row geometry (see :mod:`terrain.kernels.geometry`).
    r0, c0, r, c : int
        Observer and target cells.
    eye_z : float
        Absolute eye elevation, metres.
    curv : float
        Curvature factor ``(1 - k) / (2 R)``, 1/m (0 = flat earth).
    target_h : float
        Target height above its cell's ground, metres.
    target_ground : float, optional
        The ground the target stands on, metres, when it is not the walked surface ``z[r, c]`` (a target
        under a roof when ``z`` holds the obstacles' tops); ``min_visible_height`` is measured from it.

    Returns
    -------
    flag : uint8
        ``VISIBLE`` or ``HIDDEN`` (``NOT_ANALYSED`` only for a void target cell).
    min_visible_height : float32
        Metres above the target's ground its top must reach to be seen.
    horizon : float64
        The horizon slope (``-inf`` without crossings).
    distance_m : float64
        Ground distance between the two cell centres, metres.
    heights : float64[:]
        Terrain height at crossing ``k = 1 .. n - 1`` (index ``k - 1``), metres, before curvature; NaN on voids.
    """
    n = max(abs(r - r0), abs(c - c0))
    heights = np.full(max(n - 1, 0), np.nan)
    h = r3_walk(z, y_m, dx_m, r0, c0, r, c, eye_z, curv, heights)
    D = cell_distance_m(r, c, r0, c0, y_m, dx_m)
    stored = np.float64(np.float32(h))  # the value a horizon grid (float32) holds
    ground = np.float64(z[r, c]) if math.isnan(target_ground) else np.float64(target_ground)
    flag, need32, _ = finish_cell(ground, stored, D, r, c, r0, c0, y_m, dx_m, eye_z, curv, target_h,
                                  0.0, math.inf, 0.0, 360.0, False, True, -90.0, 90.0, False)
    return flag, need32, h, D, heights
