"""Visible area of many observers with the fast octant sweep: the kernel of the visibility index.

Model
-----
Each observer's viewshed is *exactly* the single-observer ``fast`` one
(:func:`terrain.kernels.horizon_fast.horizon_fast` on the observer's window,
then the rule of :mod:`terrain.kernels.visibility` with the whole circle, no
inner radius and no pitch limits): the sweep below is the octant recursion of
:mod:`terrain.kernels.horizon_fast` operation for operation (same samples,
same order, the horizon rounded to float32 as ``H`` stores it), and a cell
counts as visible when

* it is not a void and its distance ``D <= max_d`` (also as the sweep measures
  it, ``(D / i) * i <= max_d``: where ``horizon_fast`` writes NaN);
* ``float32(max(0, eye_z + H D + curv D**2 - z)) <= target_h``
  (the observer cell, ``D = 0``, is visible).

Only the visible area is kept, so nothing the size of a window is written:

* each observer sweeps only the cells that can lie within ``max_d`` (the
  corners of its square window are skipped), plus those their horizons are
  built from (a cell needs its two bracketing cells on the previous line, which
  are nearer; the extents are widened so that they are always there);
* every line of an octant lies on one grid row, so the visible cells are
  counted per row; the area then adds ``row_area_km2[row]`` once per visible
  cell, row after row, exactly as the general kernel's fold does (the same
  float64 sum, bit for bit);
* the line buffers are allocated once per block of observers, not per observer;
* observers run in parallel (``prange`` over blocks), each on one thread: no
  nested parallel regions.

Arrays describing observer ``i`` are those of
:mod:`terrain.kernels.observer_batch` (``win``, ``obs``, ``par``); only
``eye_z = par[i, 0]``, ``target_h = par[i, 1]``, ``curv = par[i, 2]`` and
``max_d = par[i, 4]`` (``<= 0``: unlimited) are read.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .horizon_exact import radius_window
from .sweep_core import cell_horizon, line_crossings, row_crossings
from .visibility import needed_height


@njit(cache=True, inline="always")
def _visible(best, D, sweep_d, zc, eye_z, curv, target_h, max_d):
    """1 if a cell at distance ``D`` (``sweep_d`` as the sweep measures it) is visible, else 0. Branch-free.

    ``best``: the cell's horizon slope before H's float32; ``zc``: its ground.
    Beyond ``max_d`` H is NaN or the cell is not analysed. ``best`` is never
    NaN (the sweep starts at -inf and only takes greater samples), so a NaN
    ``need`` comes from a void ``zc``, and fails the test.
    """
    h = np.float64(np.float32(best))   # what H holds
    return np.int64((needed_height(h, D, zc, eye_z, curv) <= target_h) & (sweep_d <= max_d) & (D <= max_d))


@njit(cache=True, inline="always")
def _disc_extent(y_m, dx_m, r, r0, max_d):
    """Last cell offset along row ``r`` that may lie within ``max_d`` of row ``r0``'s observer (one cell to spare)."""
    dy = y_m[r] - y_m[r0]
    rem = max_d * max_d - dy * dy
    if rem <= 0.0:
        return 0
    reach = math.sqrt(rem) / (0.5 * (dx_m[r] + dx_m[r0]))
    if reach > 1e9:
        return 1 << 30
    return int(reach) + 1


@njit(cache=True, nogil=True)
def _octant_count(z, y_m, dx_m, r0, c0, eye_z, curv, target_h, max_d, s_maj, s_min, imax, jedge,
                 prev_m, cur_m, step, dist, s_new, hbest, extent, seen_in_row):
    """Add the visible cells a row-major (north or south) octant owns to ``seen_in_row``: ``_octant`` of horizon_fast.

    ``extent[i]``: last minor offset swept on line ``i`` (the disc, widened so
    every cell swept finds its two bracketing cells on line ``i - 1`` swept).
    """
    for i in range(imax, 0, -1):
        e = _disc_extent(y_m, dx_m, r0 + s_maj * i, r0, max_d)
        if i < imax and extent[i + 1] > e:
            e = extent[i + 1]
        extent[i] = min(e, i, jedge)
    for i in range(1, imax + 1):
        jm = extent[i]
        jin = min(i - 1, jedge)        # cells strictly inside the octant
        inv_i = 1.0 / i
        r = r0 + s_maj * i
        line_crossings(z, y_m, dx_m, r0, c0, eye_z, curv, s_maj, s_min, i, jm, min(jin, jm), step, dist, s_new)
        zcur = z[r]
        for j in range(0, jm + 1):
            ma = prev_m[j - 1] if j >= 1 else 0
            mb = prev_m[j] if j <= jin else 0
            best, bm = cell_horizon(z, True, r0, c0, eye_z, curv, s_maj, s_min, i, j, inv_i, step[j], s_new[j],
                                    ma, mb, -1)
            cur_m[j] = bm
            hbest[j] = best
        seen = 0
        if s_min > 0:
            for j in range(0, jm + 1):
                seen += _visible(hbest[j], dist[j], step[j] * i, np.float64(zcur[c0 + j]), eye_z, curv, target_h,
                                 max_d)
        else:
            for j in range(1, jm + 1):
                seen += _visible(hbest[j], dist[j], step[j] * i, np.float64(zcur[c0 - j]), eye_z, curv, target_h,
                                 max_d)
        seen_in_row[r] += seen
        prev_m, cur_m = cur_m, prev_m


@njit(cache=True, nogil=True)
def _octant_by_rows_count(z, y_m, dx_m, r0, c0, eye_z, curv, target_h, max_d, s_maj, s_min, imax, jedge,
                         inv, prev_m, cur_m, step, dist, s_new, hbest, extent, seen_in_row):
    """Add the visible cells a column-major (east or west) octant owns to ``seen_in_row``: ``_octant_by_rows``.

    Rows ``j`` are swept away from the axis, each outward up to ``extent[j]``
    (the disc, widened so that cell ``(i, j)`` finds ``(i - 1, j - 1)`` swept).
    """
    jtop = min(jedge, imax)
    for j in range(jtop, -1, -1):
        e = _disc_extent(y_m, dx_m, r0 + s_min * j, r0, max_d)
        if j < jtop and extent[j + 1] - 1 > e:
            e = extent[j + 1] - 1
        extent[j] = min(e, imax)
    for j in range(0, jtop + 1):
        i_hi = extent[j]
        r = r0 + s_min * j
        zrow = z[r]
        row_crossings(z, y_m, dx_m, r0, c0, eye_z, curv, s_maj, s_min, j, i_hi, inv, step, dist, s_new)
        owned_row = j >= 1 or s_min > 0  # the axis row belongs to the positive-minor octant
        for i in range(max(j, 1), i_hi + 1):
            ma = prev_m[i - 1] if j >= 1 else 0
            mb = cur_m[i - 1] if i - 1 >= j else 0
            best, bm = cell_horizon(z, False, r0, c0, eye_z, curv, s_maj, s_min, i, j, inv[i], step[i], s_new[i],
                                    ma, mb, -1)
            cur_m[i] = bm
            hbest[i] = best
        seen = 0
        if owned_row:
            if s_maj > 0:
                for i in range(j + 1, i_hi + 1):
                    seen += _visible(hbest[i], dist[i], step[i] * i, np.float64(zrow[c0 + i]), eye_z, curv,
                                     target_h, max_d)
            else:
                for i in range(j + 1, i_hi + 1):
                    seen += _visible(hbest[i], dist[i], step[i] * i, np.float64(zrow[c0 - i]), eye_z, curv,
                                     target_h, max_d)
        seen_in_row[r] += seen
        prev_m, cur_m = cur_m, prev_m


@njit(cache=True, nogil=True)
def observer_visible_area(z, y_m, dx_m, row_km2, r0, c0, eye_z, curv, target_h, max_dist_m, inv, prev_m, cur_m,
                          step, dist, s_new, hbest, extent, seen_in_row):
    """Visible area (km^2) of one observer at ``(r0, c0)`` of the window ``z`` (rows ``y_m``, ``dx_m``, ``row_km2``).

    The scratch buffers (``inv[i] = 1 / i``, then ``prev_m``, ``cur_m``
    int32, ``step``, ``dist``, ``s_new``, ``hbest`` float64, ``extent``, ``seen_in_row`` int64) hold at
    least ``max(z.shape) + 2`` values; their contents on entry do not matter.
    """
    nrows, ncols = z.shape
    rlo, rhi, clo, chi = radius_window(y_m, dx_m, r0, c0, nrows, ncols, max_dist_m)
    max_d = max_dist_m if max_dist_m > 0.0 else math.inf
    seen_in_row[:nrows] = 0
    if not math.isnan(z[r0, c0]):
        seen_in_row[r0] = 1         # the observer's own cell: D = 0, visible
    # octant k: bit 2 = column-major, bit 1 = major sign, bit 0 = minor sign (as in horizon_fast)
    for k in range(8):
        s_maj = 1 if (k >> 1) & 1 else -1
        s_min = 1 if k & 1 else -1
        if k < 4:
            imax = (rhi - r0) if s_maj > 0 else (r0 - rlo)
            jedge = (chi - c0) if s_min > 0 else (c0 - clo)
            _octant_count(z, y_m, dx_m, r0, c0, eye_z, curv, target_h, max_d, s_maj, s_min, imax, jedge,
                          prev_m, cur_m, step, dist, s_new, hbest, extent, seen_in_row)
        else:
            imax = (chi - c0) if s_maj > 0 else (c0 - clo)
            jedge = (rhi - r0) if s_min > 0 else (r0 - rlo)
            _octant_by_rows_count(z, y_m, dx_m, r0, c0, eye_z, curv, target_h, max_d, s_maj, s_min, imax, jedge,
                                  inv, prev_m, cur_m, step, dist, s_new, hbest, extent, seen_in_row)
    # cell by cell in row order, as observer_batch's fold adds them: the same float64 sum, bit for bit
    area = 0.0
    for r in range(nrows):
        w = row_km2[r]
        for _ in range(seen_in_row[r]):
            area += w
    return area


# Model: each observer's visible area is that of its single fast viewshed (horizon_fast's octant sweep, the
# visibility rule of kernels.visibility, whole circle, no inner radius or pitch limits); see the module doc.
@njit(cache=True, parallel=True)
def visible_areas_fast(z, y_m, dx_m, row_area_km2, win, obs, par, block, area):
    """Write the visible area (km^2) of observers ``0 .. len(win) - 1`` into ``area``, in parallel.

    Parameters
    ----------
    z : float32[:, :]
        The whole elevation array (NaN = void); observers read views of it.
    y_m, dx_m, row_area_km2 : float64[:]
        Row geometry and true cell area (km^2) of each row of ``z``.
    win, obs, par : int64[:, 4], int64[:, 2], float64[:, 10]
        As for :func:`terrain.kernels.observer_batch.observer_batch`.
    block : int
        Observers per parallel work item (each allocates its line buffers once).
    area : float64[:]
        Written: visible area of each observer, km^2.
    """
    n = win.shape[0]
    size = 2
    for i in range(n):
        size = max(size, win[i, 1] - win[i, 0] + 2, win[i, 3] - win[i, 2] + 2)
    inv = np.empty(size)
    inv[0] = 0.0
    for i in range(1, size):
        inv[i] = 1.0 / i
    block = max(1, block)
    nblocks = (n + block - 1) // block
    for b in prange(nblocks):
        prev_m = np.zeros(size, dtype=np.int32)
        cur_m = np.zeros(size, dtype=np.int32)
        step = np.empty(size)
        dist = np.empty(size)
        s_new = np.empty(size)
        hbest = np.empty(size)
        extent = np.empty(size, dtype=np.int64)
        seen_in_row = np.empty(size, dtype=np.int64)
        for i in range(b * block, min(n, (b + 1) * block)):
            rs, re_, cs, ce = win[i, 0], win[i, 1], win[i, 2], win[i, 3]
            area[i] = observer_visible_area(z[rs:re_, cs:ce], y_m[rs:re_], dx_m[rs:re_], row_area_km2[rs:re_],
                                            obs[i, 0], obs[i, 1], par[i, 0], par[i, 2], par[i, 1], par[i, 4], inv,
                                            prev_m, cur_m, step, dist, s_new, hbest, extent, seen_in_row)
