"""Fast O(n) horizon of every cell: octant sweeps that reuse the horizons of the previous line.

Model
-----
The raster is split into 8 octants around the observer. In an octant the
*major* axis is the one along which the octant's cells are farther (rows for
the north and south octants, columns for east and west). Line ``i`` is the set
of cells ``i`` cells away along the major axis; cell ``(i, j)`` sits ``j``
cells away along the minor axis (``0 <= j <= i``).

The exact R3 sight line to ``(i, j)`` (see :mod:`terrain.kernels.horizon_exact`)
crosses line ``i - 1`` at minor offset ``j' = j (i - 1) / i``, between cells
``j - 1`` and ``j``. Everything nearer than that crossing lies on the same ray,
so exactly

    H(i, j) = max(Hray(i - 1, j'), slope of the terrain at (i - 1, j')).

The terrain term is taken exactly (the R3 sample: linear interpolation of z
between the two cells, at distance ``D (i - 1) / i``, curvature included). The
ray term is not interpolated (interpolating the two neighbours' horizon slopes
overestimates them, since a maximum is convex, and the bias piles up line after
line: that first version measured IoU 0.86-0.96 against exact on SRTM); instead each
cell remembers *which line* ``m`` holds its horizon, and the new cell evaluates
its own ray exactly at the lines ``m`` of its two neighbours on line ``i - 1``
(the rays that bracket it). Where those two disagree, the ridge runs across
the rays, so it also climbs from the best line to the neighbouring lines while
the slope increases (a local maximum). Hence

    H_fast(i, j) = max of exact R3 samples of the cell's own ray <= H_exact(i, j),

so a cell the fast kernel hides is hidden for R3 too; the approximation can only
miss the true maximum, when the ray's highest crossing is on a line that
neither bracketing ray has as its maximum (a third, farther ridge slipping into
view between two rays). On the axes and diagonals the recursion is exact.
:func:`horizon_searched` runs the same sweep climbing at every cell and past
``lookahead`` lower lines: slower, closer to exact (used by
:mod:`terrain.kernels.refine`).

Octants are independent (each keeps its previous line in a private buffer, so
it never reads cells another octant writes), and run in parallel. Shared axis
and diagonal cells are computed identically by both octants that touch them and
written only by one: the axes by the octant on the positive minor side, the
diagonals by the row-major (north/south) octants.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ..flags import NOT_ANALYSED
from .horizon_exact import radius_window
from .sweep_core import octant_setup, sweep_buffers, sweep_row
from .visibility import finish_cell, finish_limits, finish_plain_cell, is_plain, plain_finish, write_cell


@njit(cache=True, nogil=True)
def _fill_outside(a, value, rlo, rhi, clo, chi):
    """Set every cell of ``a`` outside rows ``rlo..rhi`` and columns ``clo..chi`` to ``value`` (no-op if empty)."""
    if a.shape[0] == 0:
        return
    for r in range(a.shape[0]):
        if r < rlo or r > rhi:
            a[r, :] = value
        else:
            a[r, :clo] = value
            a[r, chi + 1:] = value


@njit(cache=True, nogil=True)
def _octant(z, y_m, dx_m, r0, c0, eye_z, curv, max_d, lookahead, k, rlo, rhi, clo, chi, H, fin, vis, mvh, ang):
    """Sweep octant ``k`` and write the horizon of each cell it owns into ``H``, or, with ``H`` empty, finish
    it at once into the outputs (``fin`` = (target_h, min_d, max_d, a0, a1, wraps, full_circle, pitch_lo,
    pitch_hi); the horizon is rounded to float32, as ``H`` would hold it; an empty output is skipped)."""
    buf = sweep_buffers(np.int64(max(rhi - rlo, chi - clo) + 3))
    hbest = buf[4]
    dist = buf[2]
    fused = H.shape[0] == 0
    want_angle = ang.shape[0] > 0
    oc = octant_setup(y_m, dx_m, r0, c0, math.inf, k, rlo, rhi, clo, chi, buf)
    plain = is_plain(fin[6] != 0.0, fin[1], fin[7], fin[8])
    target_h = fin[0]
    want_vis = vis.shape[0] > 0
    want_mvh = mvh.shape[0] > 0
    for t in range(oc[5], oc[6] + 1):
        r, cs, k_lo, k_hi = sweep_row(z, y_m, dx_m, r0, c0, eye_z, curv, max_d, lookahead, oc, t, buf)
        if not fused:
            for k in range(k_lo, k_hi + 1):
                H[r, c0 + cs * k] = hbest[k]
            continue
        if plain and not want_angle:  # octants own no D = 0 cell
            for k in range(k_lo, k_hi + 1):
                c = c0 + cs * k
                flag, need32 = plain_finish(hbest[k], dist[k], np.float64(z[r, c]), eye_z, curv, target_h, max_d)
                if want_vis:
                    vis[r, c] = flag
                if want_mvh:
                    mvh[r, c] = need32
            continue
        if plain:
            for k in range(k_lo, k_hi + 1):
                c = c0 + cs * k
                finish_plain_cell(vis, mvh, ang, r, c, hbest[k], dist[k], np.float64(z[r, c]), eye_z, curv, target_h,
                                  max_d)
            continue
        for k in range(k_lo, k_hi + 1):
            c = c0 + cs * k
            flag, need32, angle = finish_cell(np.float64(z[r, c]), np.float64(np.float32(hbest[k])), dist[k], r, c,
                                              r0, c0, y_m, dx_m, eye_z, curv, fin[0], fin[1], fin[2], fin[3],
                                              fin[4], fin[5] != 0.0, fin[6] != 0.0, fin[7], fin[8], want_angle)
            write_cell(vis, mvh, ang, r, c, flag, need32, angle)


@njit(cache=True, parallel=True)
def _horizon_fast(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, H, lookahead, fin, vis, mvh, ang):
    """Run the octant sweeps into ``H``, or, with ``H`` empty, fused with the finish into ``vis``/``mvh``/``ang``.

    ``lookahead = -1``: climb only where the bracketing rays disagree. ``fin``: the finish parameters of
    :func:`_octant` (unused when ``H`` is filled). Octants are independent (each keeps its line buffers
    private and writes only the cells it owns), so they run in parallel.
    """
    nrows, ncols = z.shape
    rlo, rhi, clo, chi = radius_window(y_m, dx_m, r0, c0, nrows, ncols, max_dist_m)
    max_d = max_dist_m if max_dist_m > 0.0 else math.inf
    if H.shape[0] == 0:
        _fill_outside(vis, NOT_ANALYSED, rlo, rhi, clo, chi)
        _fill_outside(mvh, np.nan, rlo, rhi, clo, chi)
        _fill_outside(ang, np.nan, rlo, rhi, clo, chi)
        flag, need32, angle = finish_cell(np.float64(z[r0, c0]), -math.inf, 0.0, r0, c0, r0, c0, y_m, dx_m, eye_z,
                                          curv, fin[0], fin[1], fin[2], fin[3], fin[4], fin[5] != 0.0,
                                          fin[6] != 0.0, fin[7], fin[8], ang.shape[0] > 0)
        write_cell(vis, mvh, ang, r0, c0, flag, need32, angle)
    else:
        _fill_outside(H, np.nan, rlo, rhi, clo, chi)
        H[r0, c0] = -math.inf
    for k in prange(8):
        # an int64 octant (prange counts in uint64) and no literal arguments: one specialisation of each
        # kernel, shared by every caller
        _octant(z, y_m, dx_m, r0, c0, eye_z, curv, max_d, lookahead, np.int64(k), rlo, rhi, clo, chi, H, fin, vis,
                mvh, ang)


@njit(cache=True, nogil=True)
def horizon_into(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, lookahead, H):
    """The sweep of :func:`horizon_fast` (``lookahead = -1``) or :func:`horizon_searched` on one thread, into
    ``H`` (for kernels that already run observers in parallel); the same values bit for bit."""
    nrows, ncols = z.shape
    rlo, rhi, clo, chi = radius_window(y_m, dx_m, r0, c0, nrows, ncols, max_dist_m)
    max_d = max_dist_m if max_dist_m > 0.0 else math.inf
    _fill_outside(H, np.nan, rlo, rhi, clo, chi)
    H[r0, c0] = -math.inf
    e8 = np.empty((0, 0), dtype=np.uint8)
    e32 = np.empty((0, 0), dtype=np.float32)
    for k in range(8):
        _octant(z, y_m, dx_m, r0, c0, eye_z, curv, max_d, lookahead, k, rlo, rhi, clo, chi, H, np.zeros(9), e8, e32,
                e32)


# The entry points below are plain Python around the parallel kernel. A cached jitted wrapper around a
# parallel function was loaded from numba's cache, in one order of runs, with a parallel loop that was not
# its own, and crashed (empty cache; `terrain demo`; a script calling the kernels; the tests; then
# `viewshed(method="fast", outputs=("visible",))`: a segmentation fault, every time, until the wrapper's
# cache files were removed). Called from Python, the parallel kernels are loaded and linked on their own.

_E8 = np.empty((0, 0), dtype=np.uint8)
_E32 = np.empty((0, 0), dtype=np.float32)


# Model: O(n) octant recursion; each cell's horizon = max of exact R3 samples of its own ray at the
# previous line and at the horizon lines of the two bracketing rays (<= exact); see the module doc.
def horizon_fast(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m):
    """Approximate horizon slope of every cell in O(n), float32 array shaped like ``z``.

    Same parameters and outputs as :func:`terrain.kernels.horizon_exact.horizon_exact`
    (cells beyond ``max_dist_m > 0`` are NaN, the observer and its neighbours
    ``-inf``); never above the exact horizon (see the module docstring).
    """
    return _horizon_grid(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, -1)


# Model: as horizon_fast, but every cell climbs along its ray from its best line to the local maximum,
# passing up to `lookahead` lower lines; still <= exact.
def horizon_searched(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, lookahead=1):
    """Like :func:`horizon_fast` with a harder search at every cell (about 2-3x the time, closer to exact)."""
    return _horizon_grid(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, max(int(lookahead), 0))


def _horizon_grid(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, lookahead):
    H = np.empty(z.shape, dtype=np.float32)
    _horizon_fast(z, y_m, dx_m, int(r0), int(c0), float(eye_z), float(curv), float(max_dist_m), H, int(lookahead),
                  np.zeros(9), _E8, _E32, _E32)
    return H


# Model: the fast sweep with the finish of terrain.kernels.visibility fused in: no horizon grid is kept.
def viewshed_fast_into(z, y_m, dx_m, r0, c0, eye_z, curv, target_h, min_dist_m, max_dist_m, az_start_deg,
                       az_end_deg, full_circle, pitch_low_deg, pitch_high_deg, visible, min_visible_height,
                       elevation_angle):
    """The ``fast`` viewshed written straight into the outputs as the sweep goes (horizon in line buffers only).

    Bit for bit the result of :func:`horizon_fast` then
    :func:`terrain.kernels.visibility.viewshed_from_horizon_into` with the same arguments; an output given
    as an empty (0 x 0) array is neither computed into nor allocated, so with ``visible`` alone no
    raster-sized float array exists.
    """
    max_d, a0, a1, wraps = finish_limits(float(max_dist_m), float(az_start_deg), float(az_end_deg))
    fin = np.array([target_h, min_dist_m, max_d, a0, a1, 1.0 if wraps else 0.0, 1.0 if full_circle else 0.0,
                    pitch_low_deg, pitch_high_deg], dtype=np.float64)
    _horizon_fast(z, y_m, dx_m, int(r0), int(c0), float(eye_z), float(curv), float(max_dist_m), _E32, -1, fin,
                  visible, min_visible_height, elevation_angle)
