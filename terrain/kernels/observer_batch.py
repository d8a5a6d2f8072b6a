"""Viewsheds of many observers over one shared elevation array, reduced as they are computed.

Model
-----
Each observer's viewshed is *exactly* the single-observer one of
:func:`terrain.viewshed.viewshed` with the same method: the horizon comes from
the same code (the public :func:`terrain.kernels.horizon_fast.horizon_fast` for
``fast``, :func:`terrain.kernels.horizon_exact.horizon_exact_cell` for
``exact``) run on the observer's window of the shared ``z`` (a view, never a
copy of the DEM), and a cell is analysed and visible by the rule of
:mod:`terrain.kernels.visibility`, restated here cell by cell:

* analysed: not a void, ``min_d <= D <= max_d``, inside the azimuth sector and
  the pitch window (the observer cell itself is analysed and visible unless
  ``min_d > 0``), and the horizon is defined (not NaN);
* visible: ``float32(max(0, eye_z + H D + curv D**2 - z)) <= target_h``.

Nothing per cell is stored: each observer's verdicts are folded at once into

* ``count[k]`` (uint16, one accumulator per chunk of observers): observers seeing the cell;
* ``seen[k]`` (uint64, optional): bit ``i`` set when observer ``i`` sees it (``i < 64``);
* ``analysed[k]`` (uint16): observers that analysed the cell;
* ``area[i]``/``analysed_area[i]``: visible/analysed area of observer ``i``,
  km^2, weighted by ``row_area_km2[r]`` and, if given, restricted to cells
  where ``mask`` is non-zero.

The fast horizon is the public parallel kernel called from inside this
kernel's parallel loop: with numba's OpenMP (or TBB) threading layer the inner
loop then runs on the calling thread. (numba's fallback "workqueue" layer
refuses nested parallelism; ``run_batches`` then runs on one thread.)

Observers are independent, so they run in parallel (``prange`` over chunks;
chunk ``k`` holds observers ``k, k + nchunks, ...`` and owns its
accumulators, so no two threads write one cell). Summing the chunks is exact
(integers), so results do not depend on the number of threads.

Arrays describing observer ``i`` (all indices in the full ``z`` grid):
``win[i] = (row_start, row_stop, col_start, col_stop)`` the analysis window,
``obs[i] = (r0, c0)`` the observer cell relative to the window, and
``par[i] = (eye_z, target_h, curv, min_d, max_d, az_start, az_end, full_circle,
pitch_low, pitch_high)`` (``max_d <= 0``: unlimited). The accumulators cover
the grid block starting at ``(acc_r0, acc_c0)``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from ..flags import HIDDEN, NOT_ANALYSED, VISIBLE
from .geometry import cell_distance_m
from .horizon_exact import horizon_exact_cell, radius_window
from .horizon_fast import horizon_fast
from .visibility import OBSERVER_CELL, OUTSIDE, analysed_state, needed_height

NPAR = 10




@njit(cache=True, nogil=True)
def horizon_exact_serial(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, H):
    """The R3 walk of :func:`terrain.kernels.horizon_exact.horizon_exact`, one thread, into ``H``."""
    nrows, ncols = z.shape
    rlo, rhi, clo, chi = radius_window(y_m, dx_m, r0, c0, nrows, ncols, max_dist_m)
    limited = max_dist_m > 0.0
    for r in range(nrows):
        for c in range(ncols):
            if r < rlo or r > rhi or c < clo or c > chi:
                H[r, c] = np.nan
            elif limited and cell_distance_m(r, c, r0, c0, y_m, dx_m) > max_dist_m:
                H[r, c] = np.nan
            else:
                H[r, c] = horizon_exact_cell(z, y_m, dx_m, r0, c0, r, c, eye_z, curv)


@njit(cache=True, inline="always")
def cell_verdict(zc, h, D, r, c, r0, c0, y_m, dx_m, eye_z, curv, target_h, min_d, max_d, a0, a1, wraps,
                 full_circle, pitch_lo, pitch_hi):
    """0 hidden, 1 visible, 255 not analysed: the rule of :func:`viewshed_from_horizon_into`, one cell."""
    state = analysed_state(zc, D, r, c, r0, c0, y_m, dx_m, eye_z, curv, target_h, min_d, max_d, a0, a1, wraps,
                           full_circle, pitch_lo, pitch_hi)
    if state == OBSERVER_CELL:
        return VISIBLE
    if state == OUTSIDE or math.isnan(h):
        return NOT_ANALYSED
    return VISIBLE if needed_height(h, D, zc, eye_z, curv) <= target_h else HIDDEN


@njit(cache=True, nogil=True)
def one_observer(z, y_m, dx_m, win, obs, par, exact, i, bit, acc_r0, acc_c0, count, seen, analysed,
                 row_area_km2, mask, area, analysed_area):
    """Viewshed of observer ``i`` folded into one chunk's accumulators (``count``/``seen``/``analysed`` 2-D)."""
    rs, re_, cs, ce = win[i, 0], win[i, 1], win[i, 2], win[i, 3]
    zw = z[rs:re_, cs:ce]
    yw = y_m[rs:re_]
    dxw = dx_m[rs:re_]
    eye_z, curv, max_dist = par[i, 0], par[i, 2], par[i, 4]
    if exact:
        H = np.empty((re_ - rs, ce - cs), dtype=np.float32)
        horizon_exact_serial(zw, yw, dxw, obs[i, 0], obs[i, 1], eye_z, curv, max_dist, H)
    else:
        # the public kernel itself; called from a parallel region its inner parallel loop runs on this thread
        H = horizon_fast(zw, yw, dxw, obs[i, 0], obs[i, 1], eye_z, curv, max_dist)
    fold_observer(z, y_m, dx_m, win, obs, par, i, bit, acc_r0, acc_c0, count, seen, analysed, row_area_km2, mask,
                  area, analysed_area, H)


@njit(cache=True, nogil=True)
def fold_observer(z, y_m, dx_m, win, obs, par, i, bit, acc_r0, acc_c0, count, seen, analysed, row_area_km2, mask,
                  area, analysed_area, H):
    """Fold observer ``i``'s verdicts, from its window's horizon grid ``H``, into the accumulators."""
    rs, re_, cs, ce = win[i, 0], win[i, 1], win[i, 2], win[i, 3]
    zw = z[rs:re_, cs:ce]
    yw = y_m[rs:re_]
    dxw = dx_m[rs:re_]
    r0 = obs[i, 0]
    c0 = obs[i, 1]
    eye_z, target_h, curv, min_d, max_dist = par[i, 0], par[i, 1], par[i, 2], par[i, 3], par[i, 4]
    full_circle = par[i, 7] != 0.0
    pitch_lo, pitch_hi = par[i, 8], par[i, 9]
    a0 = par[i, 5] % 360.0
    a1 = par[i, 6] % 360.0
    wraps = a0 > a1
    max_d = max_dist if max_dist > 0.0 else math.inf
    has_count = count.shape[0] > 0
    has_seen = seen.shape[0] > 0
    has_analysed = analysed.shape[0] > 0
    has_mask = mask.shape[0] > 0
    vis_km2 = 0.0
    ana_km2 = 0.0
    for r in range(re_ - rs):
        wr = row_area_km2[rs + r]
        ar = rs + r - acc_r0
        for c in range(ce - cs):
            h = np.float64(H[r, c])
            zc = np.float64(zw[r, c])
            D = cell_distance_m(r, c, r0, c0, yw, dxw)
            v = cell_verdict(zc, h, D, r, c, r0, c0, yw, dxw, eye_z, curv, target_h, min_d, max_d, a0, a1,
                             wraps, full_circle, pitch_lo, pitch_hi)
            if v == NOT_ANALYSED:
                continue
            ac = cs + c - acc_c0
            if has_analysed:
                analysed[ar, ac] += 1
            if has_mask and mask[rs + r, cs + c] == 0:
                continue
            ana_km2 += wr
            if v == VISIBLE:
                vis_km2 += wr
                if has_count:
                    count[ar, ac] += 1
                if has_seen:
                    seen[ar, ac] |= bit
    area[i] = vis_km2
    analysed_area[i] = ana_km2


# Model: each observer's viewshed is the single-observer one (same horizon code, same visibility rule); see module doc.
@njit(cache=True, parallel=True)
def observer_batch(z, y_m, dx_m, win, obs, par, exact, first_index, acc_r0, acc_c0, count, seen, analysed,
                   row_area_km2, mask, area, analysed_area):
    """Run observers ``0 .. len(win) - 1`` in parallel and fold their viewsheds into the accumulators.

    Parameters
    ----------
    z : float32[:, :]
        The whole elevation array (NaN = void); observers read views of it.
    y_m, dx_m : float64[:]
        Row geometry of ``z`` (see :mod:`terrain.kernels.geometry`).
    win, obs : int64[:, 4], int64[:, 2]
        Window and observer cell of each observer (see the module docstring).
    par : float64[:, 10]
        Heights, curvature and filters of each observer (see the module docstring).
    exact : bool
        R3 horizons (``exact``) instead of the O(n) sweep (``fast``).
    first_index : int
        Index of this batch's first observer in the whole list: observer ``i``
        sets bit ``first_index + i`` of ``seen``.
    acc_r0, acc_c0 : int
        Grid position of the accumulators' first cell.
    count, analysed : uint16[:, :, :]
        Per-chunk accumulators ``(nchunks, rows, cols)``, added to (not zeroed);
        ``(nchunks, 0, 0)`` to skip. Their first dimension sets the number of chunks.
    seen : uint64[:, :, :]
        Per-chunk bit masks ``(nchunks, rows, cols)``, OR-ed into; ``(nchunks, 0, 0)`` to skip.
    row_area_km2 : float64[:]
        True cell area of each row of ``z``, km^2.
    mask : uint8[:, :]
        Cells counted in ``area``/``analysed_area`` (non-zero), shaped like ``z``;
        shape ``(0, 0)`` for all cells.
    area, analysed_area : float64[:]
        Per observer, written: visible and analysed area within the mask, km^2.
    """
    n = win.shape[0]
    nchunks = count.shape[0]
    for k in prange(nchunks):
        for i in range(k, n, nchunks):
            bit = np.uint64(1) << np.uint64((first_index + i) & 63)
            one_observer(z, y_m, dx_m, win, obs, par, exact, i, bit, acc_r0, acc_c0, count[k], seen[k],
                         analysed[k], row_area_km2, mask, area, analysed_area)
