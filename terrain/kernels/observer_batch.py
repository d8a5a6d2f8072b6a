"""Viewsheds of many observers over one shared elevation array, reduced as they are computed.

Model
-----
Each observer's viewshed is *exactly* the single-observer one of
:func:`terrain.viewshed.viewshed` with the same method: the horizon comes from
the same code (the octant sweep of :mod:`terrain.kernels.sweep_core` for
``fast``, folded row by row as it goes so that no horizon grid is kept;
:func:`terrain.kernels.horizon_exact.horizon_exact_cell` for ``exact``; the
searched sweep and re-walks of :mod:`terrain.kernels.refine` for ``refined``) run on
the observer's window of the shared ``z`` (a view, never a copy of the DEM),
and a cell is analysed and visible by the rule of
:func:`terrain.kernels.visibility.finish_cell`:

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

from ..flags import NOT_ANALYSED, VISIBLE
from .geometry import cell_distance_m
from .horizon_exact import horizon_exact_cell, radius_window
from .horizon_fast import horizon_into
from .refine import DEFAULT_MARGIN_M, LOOKAHEAD, refine_into
from .sweep_core import octant_setup, sweep_buffers, sweep_row
from .visibility import finish_cell, finish_limits, is_plain, plain_verdict

NPAR = 10

#: ``method`` codes of :func:`observer_batch`.
FAST, EXACT, REFINED = 0, 1, 2


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
def _verdict(zw, yw, dxw, r0, c0, fp, r, c, h, D):
    """``(analysed, visible)`` (0 or 1) of cell ``(r, c)`` of an observer's window: the rule of
    :func:`terrain.kernels.visibility.finish_cell` (``fp`` from :func:`_finish_params`)."""
    eye_z, curv, target_h, min_d, max_d, a0, a1, wraps, full_circle, pitch_lo, pitch_hi, plain = fp
    flag = finish_cell(np.float64(zw[r, c]), np.float64(np.float32(h)), D, r, c, r0, c0, yw, dxw, eye_z, curv,
                       target_h, min_d, max_d, a0, a1, wraps, full_circle, pitch_lo, pitch_hi, False)[0]
    return np.int64(flag != NOT_ANALYSED), np.int64(flag == VISIBLE)


@njit(cache=True, inline="always")
def _accumulate(r, c, ana, vis, rs, cs, acc_r0, acc_c0, bit, count, seen, analysed, mask):
    """Add one cell's verdict to the accumulators (adding 0 or 1: no branch per cell); returns
    ``(analysed, visible)`` inside the mask, for the row's tallies."""
    if mask.shape[0] > 0:
        inside = np.int64(mask[rs + r, cs + c] != 0)
        vis = vis & inside
        inside = ana & inside
    else:
        inside = ana
    ar = rs + r - acc_r0
    ac = cs + c - acc_c0
    if analysed.shape[0] > 0:
        analysed[ar, ac] += np.uint16(ana)
    if count.shape[0] > 0:
        count[ar, ac] += np.uint16(vis)
    if seen.shape[0] > 0:
        seen[ar, ac] |= bit * np.uint64(vis)
    return inside, vis


@njit(cache=True, inline="always")
def _finish_params(p):
    """The finish rule's parameters from an observer's row ``p`` of ``par`` (module docstring), as scalars,
    and whether the observer is plain (:func:`terrain.kernels.visibility.plain_verdict`)."""
    max_d, a0, a1, wraps = finish_limits(p[4], p[5], p[6])
    full_circle = p[7] != 0.0
    plain = is_plain(full_circle, p[3], p[8], p[9])
    return p[0], p[2], p[1], p[3], max_d, a0, a1, wraps, full_circle, p[8], p[9], plain


@njit(cache=True, nogil=True)
def _areas(row_area_km2, rs, nrows, tally, area, analysed_area, i):
    """Visible and analysed km^2 of observer ``i`` from its row tallies: cell by cell in row order, so the
    float64 sum is the same whichever order the cells were folded in."""
    vis_km2 = 0.0
    ana_km2 = 0.0
    for r in range(nrows):
        w = row_area_km2[rs + r]
        for _ in range(tally[0, r]):
            vis_km2 += w
        for _ in range(tally[1, r]):
            ana_km2 += w
    area[i] = vis_km2
    analysed_area[i] = ana_km2


@njit(cache=True, nogil=True)
def sweep_observer(z, zt, y_m, dx_m, win, obs, par, i, bit, acc_r0, acc_c0, count, seen, analysed, row_area_km2,
                   mask, area, analysed_area, buf, tally):
    """Observer ``i``'s ``fast`` viewshed folded into one chunk's accumulators as the sweep goes (no grid kept).

    The sweep is :func:`terrain.kernels.horizon_fast.horizon_fast`'s over ``z`` (the surface sight lines
    cross), limited to the disc of the radius; targets stand on ``zt`` (``z`` itself without obstacles).
    ``buf`` from :func:`~terrain.kernels.sweep_core.sweep_buffers`, ``tally`` int64 ``(2, >= rows)``.
    """
    rs, re_, cs, ce = win[i, 0], win[i, 1], win[i, 2], win[i, 3]
    zw = z[rs:re_, cs:ce]
    ztw = zt[rs:re_, cs:ce]
    yw = y_m[rs:re_]
    dxw = dx_m[rs:re_]
    nrows = re_ - rs
    r0 = obs[i, 0]
    c0 = obs[i, 1]
    fp = _finish_params(par[i])
    eye_z, curv, max_d = fp[0], fp[1], fp[4]
    rlo, rhi, clo, chi = radius_window(yw, dxw, r0, c0, nrows, ce - cs, par[i, 4])
    tally[:, :nrows] = 0
    ana, vis = _verdict(ztw, yw, dxw, r0, c0, fp, r0, c0, -math.inf, 0.0)
    ana, vis = _accumulate(r0, c0, ana, vis, rs, cs, acc_r0, acc_c0, bit, count, seen, analysed, mask)
    tally[0, r0] += vis
    tally[1, r0] += ana
    plain = fp[11]
    target_h = fp[2]
    hbest = buf[4]
    dist = buf[2]
    for k in range(8):
        oc = octant_setup(yw, dxw, r0, c0, max_d, k, rlo, rhi, clo, chi, buf)
        for t in range(oc[5], oc[6] + 1):
            r, sc, k_lo, k_hi = sweep_row(zw, yw, dxw, r0, c0, eye_z, curv, max_d, -1, oc, t, buf)
            zrow = ztw[r]
            row_vis = 0
            row_ana = 0
            if plain:       # the branch-free rule, row by row (it vectorises)
                for q in range(k_lo, k_hi + 1):
                    c = c0 + sc * q
                    ana, vis = plain_verdict(hbest[q], dist[q], np.float64(zrow[c]), eye_z, curv, target_h, max_d)
                    ana, vis = _accumulate(r, c, ana, vis, rs, cs, acc_r0, acc_c0, bit, count, seen, analysed, mask)
                    row_ana += ana
                    row_vis += vis
            else:
                for q in range(k_lo, k_hi + 1):
                    c = c0 + sc * q
                    ana, vis = _verdict(ztw, yw, dxw, r0, c0, fp, r, c, hbest[q], dist[q])
                    ana, vis = _accumulate(r, c, ana, vis, rs, cs, acc_r0, acc_c0, bit, count, seen, analysed, mask)
                    row_ana += ana
                    row_vis += vis
            tally[0, r] += row_vis
            tally[1, r] += row_ana
    _areas(row_area_km2, rs, nrows, tally, area, analysed_area, i)


@njit(cache=True, nogil=True)
def fold_observer(zt, y_m, dx_m, win, obs, par, i, bit, acc_r0, acc_c0, count, seen, analysed, row_area_km2, mask,
                  area, analysed_area, H, tally):
    """Fold observer ``i``'s verdicts, from its window's horizon grid ``H``, into the accumulators (targets on
    the ground ``zt``)."""
    rs, re_, cs, ce = win[i, 0], win[i, 1], win[i, 2], win[i, 3]
    zw = zt[rs:re_, cs:ce]
    yw = y_m[rs:re_]
    dxw = dx_m[rs:re_]
    r0 = obs[i, 0]
    c0 = obs[i, 1]
    fp = _finish_params(par[i])
    tally[:, :re_ - rs] = 0
    for r in range(re_ - rs):
        for c in range(ce - cs):
            ana, vis = _verdict(zw, yw, dxw, r0, c0, fp, r, c, H[r, c], cell_distance_m(r, c, r0, c0, yw, dxw))
            ana, vis = _accumulate(r, c, ana, vis, rs, cs, acc_r0, acc_c0, bit, count, seen, analysed, mask)
            tally[0, r] += vis
            tally[1, r] += ana
    _areas(row_area_km2, rs, re_ - rs, tally, area, analysed_area, i)


@njit(cache=True, nogil=True)
def grid_observer(z, zt, y_m, dx_m, win, obs, par, exact, i, bit, acc_r0, acc_c0, count, seen, analysed,
                  row_area_km2, mask, area, analysed_area, tally):
    """Observer ``i``'s ``exact`` (or else ``refined``) horizon grid over its window of ``z``, folded into one
    chunk's accumulators (targets on ``zt``)."""
    rs, re_, cs, ce = win[i, 0], win[i, 1], win[i, 2], win[i, 3]
    H = np.empty((re_ - rs, ce - cs), dtype=np.float32)
    # a contiguous copy of the window (cheap next to the walk): the kernels below then run the very
    # specialisations the single viewshed compiled, instead of compiling again for strided views
    zw = np.ascontiguousarray(z[rs:re_, cs:ce])
    yw = np.ascontiguousarray(y_m[rs:re_])
    dxw = np.ascontiguousarray(dx_m[rs:re_])
    r0, c0, eye_z, curv = obs[i, 0], obs[i, 1], par[i, 0], par[i, 2]
    if exact:
        horizon_exact_serial(zw, yw, dxw, r0, c0, eye_z, curv, par[i, 4], H)
    else:
        horizon_into(zw, yw, dxw, r0, c0, eye_z, curv, par[i, 4], np.int64(LOOKAHEAD), H)
        refine_into(zw, np.ascontiguousarray(zt[rs:re_, cs:ce]), H, yw, dxw, r0, c0, eye_z, curv, par[i, 1],
                    np.float64(DEFAULT_MARGIN_M))
    fold_observer(zt, y_m, dx_m, win, obs, par, i, bit, acc_r0, acc_c0, count, seen, analysed, row_area_km2, mask,
                  area, analysed_area, H, tally)


def observer_batch(z, zt, y_m, dx_m, win, obs, par, method, first_index, acc_r0, acc_c0, count, seen, analysed,
                   row_area_km2, mask, area, analysed_area):
    """Run observers ``0 .. len(win) - 1`` in parallel and fold their viewsheds into the accumulators.

    Parameters
    ----------
    z, zt : float32[:, :]
        The whole elevation array (NaN = void) sight lines cross, and the ground targets stand on (``z``
        itself, or ``z`` without the obstacles on it); observers read views of them.
    y_m, dx_m : float64[:]
        Row geometry of ``z`` (see :mod:`terrain.kernels.geometry`).
    win, obs : int64[:, 4], int64[:, 2]
        Window and observer cell of each observer (see the module docstring).
    par : float64[:, 10]
        Heights, curvature and filters of each observer (see the module docstring).
    method : int
        ``FAST`` (the O(n) sweep, folded as it goes), ``EXACT`` (R3 horizons) or ``REFINED`` (the searched
        sweep and exact re-walks of :mod:`terrain.kernels.refine`), each into a horizon grid of the
        observer's window, then folded.
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
    # one kernel per kind, so that a command compiles only what it runs
    if method == FAST:
        _batch_fast(z, zt, y_m, dx_m, win, obs, par, first_index, acc_r0, acc_c0, count, seen, analysed,
                    row_area_km2, mask, area, analysed_area)
    else:
        _batch_grid(z, zt, y_m, dx_m, win, obs, par, method == EXACT, first_index, acc_r0, acc_c0, count, seen,
                    analysed, row_area_km2, mask, area, analysed_area)


@njit(cache=True, inline="always")
def _window_size(win):
    """Line-buffer size for the largest window of ``win``."""
    size = 2
    for i in range(win.shape[0]):
        size = max(size, win[i, 1] - win[i, 0] + 3, win[i, 3] - win[i, 2] + 3)
    return size


@njit(cache=True, parallel=True)
def _batch_fast(z, zt, y_m, dx_m, win, obs, par, first_index, acc_r0, acc_c0, count, seen, analysed, row_area_km2,
                mask, area, analysed_area):
    """:func:`observer_batch` for ``FAST``: chunk ``k`` runs observers ``k, k + nchunks, ...``."""
    n = win.shape[0]
    nchunks = count.shape[0]
    size = _window_size(win)
    for k in prange(nchunks):
        buf = sweep_buffers(np.int64(size))
        tally = np.zeros((2, size), dtype=np.int64)
        for i in range(k, n, nchunks):
            bit = np.uint64(1) << np.uint64((first_index + i) & 63)
            sweep_observer(z, zt, y_m, dx_m, win, obs, par, i, bit, acc_r0, acc_c0, count[k], seen[k], analysed[k],
                           row_area_km2, mask, area, analysed_area, buf, tally)


@njit(cache=True, parallel=True)
def _batch_grid(z, zt, y_m, dx_m, win, obs, par, exact, first_index, acc_r0, acc_c0, count, seen, analysed,
                row_area_km2, mask, area, analysed_area):
    """:func:`observer_batch` for ``EXACT`` (``exact``) and ``REFINED``, as :func:`_batch_fast`."""
    n = win.shape[0]
    nchunks = count.shape[0]
    size = _window_size(win)
    for k in prange(nchunks):
        tally = np.zeros((2, size), dtype=np.int64)
        for i in range(k, n, nchunks):
            bit = np.uint64(1) << np.uint64((first_index + i) & 63)
            grid_observer(z, zt, y_m, dx_m, win, obs, par, exact, i, bit, acc_r0, acc_c0, count[k], seen[k],
                          analysed[k],
                          row_area_km2, mask, area, analysed_area, tally)


# Model: each observer's visible area is that of its single fast viewshed (the sweep above, whole circle, no
# inner radius or pitch limits); no accumulators.
@njit(cache=True, parallel=True)
def visible_areas_fast(z, y_m, dx_m, row_area_km2, win, obs, par, block, area):
    """Write the visible area (km^2) of observers ``0 .. len(win) - 1`` into ``area``, in parallel: the
    kernel of the visibility index.

    Parameters as :func:`observer_batch` (``par`` of plain observers: whole circle, no inner radius, no
    pitch window); ``block``: observers per parallel work item (each allocates its line buffers once).
    The areas are those :func:`observer_batch` gives, bit for bit, without any accumulator.
    """
    n = win.shape[0]
    size = _window_size(win)
    block = max(1, block)
    nblocks = (n + block - 1) // block
    e16 = np.zeros((0, 0), dtype=np.uint16)
    e64 = np.zeros((0, 0), dtype=np.uint64)
    e8 = np.zeros((0, 0), dtype=np.uint8)
    analysed_area = np.zeros(n)
    for b in prange(nblocks):
        buf = sweep_buffers(np.int64(size))
        tally = np.zeros((2, size), dtype=np.int64)
        for i in range(b * block, min(n, (b + 1) * block)):
            sweep_observer(z, z, y_m, dx_m, win, obs, par, i, np.uint64(0), np.int64(0), np.int64(0), e16, e64, e16,
                           row_area_km2, e8,
                           area, analysed_area, buf, tally)
