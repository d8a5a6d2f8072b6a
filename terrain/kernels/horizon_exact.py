"""Exact (R3) horizon of every cell seen from one observer.

Model (R3, Franklin & Ray 1994)
-------------------------------
The sight line runs straight in grid space from the observer cell centre
``(r0, c0)`` to the target cell centre ``(r, c)``. Along the *major* axis (the
one with the larger number of cells between them, rows on a tie) it crosses the
integer grid lines ``k = 1 .. n-1`` strictly between the two cells. At each
crossing the terrain is the linear interpolation between the two cell centres
on that grid line that bracket the crossing (the cell itself when the crossing
falls on a centre); a crossing with a void (NaN) among its bracketing cells is
skipped, so voids never block. The crossing at fraction ``t = k / n`` lies
``t * D`` metres from the observer, ``D`` the ground distance of the target
(:func:`terrain.kernels.geometry.cell_distance_m`), and its effective height is
``z - curv * d**2`` (earth curvature and refraction, ``curv = (1 - k)/(2 R)``).

The horizon slope of a cell is

    H = max over crossings of (z_p - curv * d_p**2 - eye_z) / d_p

(``-inf`` where there are no crossings: the observer and its 8 neighbours). A
target at height ``h`` above the cell is seen iff its own slope
``(z + h - curv * D**2 - eye_z) / D`` is at least ``H``.

Symmetry: the crossings, their interpolated heights and their distances are
the same for the line B->A as for A->B (same grid lines, same bracketing cells,
``d`` becomes ``D - d``), and the condition "every crossing lies on or below
the chord between the two end points", with the curvature drop ``curv * d * (D - d)``
of the chord's midspan, is symmetric in A and B. So with equal observer and
target heights exact visibility is symmetric, up to floating-point ties.

The horizon is also computed for void cells (it is a property of the place, not
of its elevation); the viewshed marks those cells not analysed.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .geometry import cell_distance_m


# Model: H = max slope over the R3 grid-line crossings strictly between observer and target (see module doc).
@njit(cache=True, nogil=True, inline="always")
def r3_walk(z, y_m, dx_m, r0, c0, r, c, eye_z, curv, heights):
    """The R3 walk from ``(r0, c0)`` to ``(r, c)``: the horizon slope, and the crossings' heights on request.

    Returns the exact R3 horizon slope (float64, dimensionless; ``-inf`` when the line has no crossing
    strictly between the cells). When ``heights`` is an array (of ``n - 1`` float64 values, ``n`` the
    number of cells along the major axis) crossing ``k`` writes its interpolated terrain height, metres
    above sea level before curvature (NaN for a void), into ``heights[k - 1]``; ``None`` skips that at
    compile time (numba prunes the branch), so the viewshed kernels pay nothing for it. ``z`` is
    float32 2-D (NaN = void), ``y_m``/``dx_m`` float64 per row, ``eye_z`` metres above sea level,
    ``curv`` the curvature factor in 1/m.
    """
    dr = r - r0
    dc = c - c0
    adr = abs(dr)
    adc = abs(dc)
    h = -math.inf
    if adr >= adc:
        n = adr
        m = adc
    else:
        n = adc
        m = adr
    if n < 2:
        return h
    D = cell_distance_m(r, c, r0, c0, y_m, dx_m)
    step = D / n
    inv_n = 1.0 / n
    s_maj = 1 if (dr if adr >= adc else dc) > 0 else -1
    s_min = 1 if (dc if adr >= adc else dr) > 0 else -1
    # minor offset at crossing k is m*k/n = q + rem/n, kept exactly in integers
    q = 0
    rem = 0
    if adr >= adc:
        for k in range(1, n):
            rem += m
            if rem >= n:
                rem -= n
                q += 1
            rr = r0 + s_maj * k
            cc = c0 + s_min * q
            za = z[rr, cc]
            if rem == 0:
                zp = np.float64(za)
            else:
                f = rem * inv_n
                zp = za + f * (np.float64(z[rr, cc + s_min]) - za)
            if heights is not None:
                heights[k - 1] = zp
            d = k * step
            s = (zp - curv * d * d - eye_z) / d
            if s > h:  # False for NaN: voids are skipped
                h = s
    else:
        for k in range(1, n):
            rem += m
            if rem >= n:
                rem -= n
                q += 1
            cc = c0 + s_maj * k
            rr = r0 + s_min * q
            za = z[rr, cc]
            if rem == 0:
                zp = np.float64(za)
            else:
                f = rem * inv_n
                zp = za + f * (np.float64(z[rr + s_min, cc]) - za)
            if heights is not None:
                heights[k - 1] = zp
            d = k * step
            s = (zp - curv * d * d - eye_z) / d
            if s > h:
                h = s
    return h


@njit(cache=True, nogil=True)
def horizon_exact_cell(z, y_m, dx_m, r0, c0, r, c, eye_z, curv):
    """Exact R3 horizon slope (float64, dimensionless) of cell ``(r, c)`` seen from ``(r0, c0)``.

    Returns ``-inf`` when the line has no crossing strictly between the cells.
    ``z`` is float32 2-D (NaN = void), ``y_m``/``dx_m`` float64 per row, ``eye_z``
    metres above sea level, ``curv`` the curvature factor in 1/m. The walk is :func:`r3_walk`.
    """
    return r3_walk(z, y_m, dx_m, r0, c0, r, c, eye_z, curv, None)


@njit(cache=True, inline="always")
def radius_window(y_m, dx_m, r0, c0, nrows, ncols, max_dist_m):
    """Row and column bounds ``(rlo, rhi, clo, chi)`` (inclusive) of the cells that can lie within ``max_dist_m``."""
    if max_dist_m <= 0.0:
        return 0, nrows - 1, 0, ncols - 1
    rlo = r0
    while rlo > 0 and abs(y_m[rlo - 1] - y_m[r0]) <= max_dist_m:
        rlo -= 1
    rhi = r0
    while rhi < nrows - 1 and abs(y_m[rhi + 1] - y_m[r0]) <= max_dist_m:
        rhi += 1
    mdx = math.inf
    for r in range(rlo, rhi + 1):
        w = 0.5 * (dx_m[r] + dx_m[r0])
        if w < mdx:
            mdx = w
    half = int(max_dist_m / mdx) + 1
    clo = max(0, c0 - half)
    chi = min(ncols - 1, c0 + half)
    return rlo, rhi, clo, chi


# Model: every cell gets its own R3 sight line (O(n^1.5)); cells beyond max_dist_m (> 0) are NaN.
@njit(cache=True, parallel=True)
def horizon_exact_rows(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, row_lo, row_hi, H):
    """Rows ``row_lo:row_hi`` of :func:`horizon_exact`'s grid, written into ``H`` (float32, shaped like ``z``)."""
    nrows, ncols = z.shape
    rlo, rhi, clo, chi = radius_window(y_m, dx_m, r0, c0, nrows, ncols, max_dist_m)
    limited = max_dist_m > 0.0
    for r in prange(row_lo, row_hi):
        if r < rlo or r > rhi:
            for c in range(ncols):
                H[r, c] = np.nan
            continue
        for c in range(ncols):
            if c < clo or c > chi:
                H[r, c] = np.nan
                continue
            if limited and cell_distance_m(r, c, r0, c0, y_m, dx_m) > max_dist_m:
                H[r, c] = np.nan
                continue
            H[r, c] = horizon_exact_cell(z, y_m, dx_m, r0, c0, r, c, eye_z, curv)


#: Seconds per sight-line step and thread (measured, 2-core AMD EPYC), for the estimate before long runs.
SECONDS_PER_STEP = 4e-9


def exact_seconds(shape, threads: int) -> float:
    """Rough seconds :func:`horizon_exact` takes on a ``shape`` window, observer near its middle."""
    rows, cols = int(shape[0]), int(shape[1])
    return rows * cols * 0.4 * max(rows, cols) * SECONDS_PER_STEP / max(1, threads)


#: Sight-line steps one call of :func:`horizon_exact_rows` takes at most (about a tenth of a second of
#: work): between calls Python sees Ctrl-C, so a long exact run can be stopped.
STEPS_PER_CALL = 4e7


def horizon_exact(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, progress=None):
    """Exact R3 horizon slope of every cell, float32 array shaped like ``z``.

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
        Cells farther than this are NaN; ``<= 0`` means unlimited.
    progress : callable, optional
        Called with the number of rows just finished.

    Returns
    -------
    float32[:, :]
        ``H``; ``-inf`` for the observer and its neighbours.

    Notes
    -----
    Runs in chunks of rows (:data:`STEPS_PER_CALL`), so Ctrl-C stops it within a fraction of a second.
    """
    import numba

    nrows, ncols = z.shape
    H = np.empty((nrows, ncols), dtype=np.float32)
    threads = numba.get_num_threads()
    walk = max(1.0, 0.5 * max(nrows, ncols))
    per_call = max(threads, int(STEPS_PER_CALL / (max(ncols, 1) * walk)))
    r0, c0, eye_z, curv, max_dist_m = int(r0), int(c0), float(eye_z), float(curv), float(max_dist_m)
    for lo in range(0, nrows, per_call):
        hi = min(nrows, lo + per_call)
        horizon_exact_rows(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, lo, hi, H)
        if progress is not None:
            progress(hi - lo)
    return H
