"""The octant sweep's core, written once: the crossings of a line with the previous one, and a cell's horizon.

Every kernel that sweeps (:mod:`~terrain.kernels.horizon_fast`: ``fast`` and the refine search;
:mod:`~terrain.kernels.vindex_sweep`: the visibility index; and through ``horizon_fast`` the
many-observer batch) walks its octants with these helpers, so the recursion described in
:mod:`terrain.kernels.horizon_fast` exists in one place. They are inlined into each caller
(``inline="always"``), so sharing them costs nothing at run time.

Conventions: in an octant, line ``i`` lies ``i`` cells from the observer along the major axis and cell
``(i, j)`` ``j`` cells along the minor axis. ``row_major`` octants (north, south) have their lines on grid
rows; the others (east, west) on grid columns. ``step`` is the cell's ground distance divided by ``i``
(``D / i``), ``s_new`` the slope of the exact R3 sample where its ray crosses line ``i - 1``, and
``m`` the line that holds a cell's horizon (0: none yet).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def sample_slope(z, row_major, r0, c0, s_maj, s_min, m, j, inv_i, step, eye_z, curv):
    """Slope of the R3 sample where the ray to cell (i, j) crosses line m >= 1 (step = D / i). Branch-free."""
    x = j * m * inv_i
    q = int(x + 1e-6)
    f = x - q
    on_cell = f <= 1e-6
    q2 = q if on_cell else q + 1
    f = 0.0 if on_cell else f
    if row_major:
        rr = r0 + s_maj * m
        za = np.float64(z[rr, c0 + s_min * q])
        zb = np.float64(z[rr, c0 + s_min * q2])
    else:
        cc = c0 + s_maj * m
        za = np.float64(z[r0 + s_min * q, cc])
        zb = np.float64(z[r0 + s_min * q2, cc])
    zp = za + f * (zb - za)
    d = m * step
    return (zp - curv * d * d - eye_z) / d


@njit(cache=True, inline="always")
def line_crossings(z, y_m, dx_m, r0, c0, eye_z, curv, s_maj, s_min, i, jm, jin, step, dist, s_new):
    """Pass 1 of line ``i`` of a row-major octant, cells ``j = 0 .. jm``: ``dist``, ``step`` and ``s_new``.

    ``jin``: the last cell strictly inside the octant whose crossing lies between two cells of line
    ``i - 1``; the axis cell (``j = 0``) and the diagonal (``jm == i``) cross line ``i - 1`` on a cell.
    """
    inv_i = 1.0 / i
    r = r0 + s_maj * i
    dy = y_m[r] - y_m[r0]
    dy2 = dy * dy
    mdx = 0.5 * (dx_m[r] + dx_m[r0])
    zrow = z[r - s_maj]
    for j in range(0, jm + 1):
        dx = j * mdx
        d = math.sqrt(dx * dx + dy2)
        dist[j] = d
        step[j] = d * inv_i
    if i >= 2:
        for j in range(1, jin + 1):
            w1 = j * inv_i           # weight of cell j - 1
            za = np.float64(zrow[c0 + s_min * (j - 1)])
            zb = np.float64(zrow[c0 + s_min * j])
            zp = za * w1 + zb * (1.0 - w1)
            d = (i - 1) * step[j]
            s_new[j] = (zp - curv * d * d - eye_z) / d
        d = (i - 1) * step[0]
        s_new[0] = (np.float64(zrow[c0]) - curv * d * d - eye_z) / d
        if jm == i:              # the diagonal: the crossing is cell i - 1 of line i - 1
            d = (i - 1) * step[i]
            s_new[i] = (np.float64(zrow[c0 + s_min * (i - 1)]) - curv * d * d - eye_z) / d


@njit(cache=True, inline="always")
def row_crossings(z, y_m, dx_m, r0, c0, eye_z, curv, s_maj, s_min, j, i_hi, inv, step, dist, s_new):
    """Pass 1 of grid row ``j`` of a column-major octant, cells ``i = max(j, 1) .. i_hi``: as :func:`line_crossings`.

    The row is swept away from the axis; the crossing of cell ``(i, j)`` with column line ``i - 1`` lies
    between rows ``j - 1`` and ``j`` (on row 0 for the axis row, on cell ``(j - 1, j - 1)`` for the diagonal).
    """
    r = r0 + s_min * j
    dy = y_m[r] - y_m[r0]
    dy2 = dy * dy
    mdx = 0.5 * (dx_m[r] + dx_m[r0])
    zrow = z[r]
    for i in range(max(j, 1), i_hi + 1):
        dx = i * mdx
        d = math.sqrt(dx * dx + dy2)
        dist[i] = d
        step[i] = d * inv[i]
    if j == 0:
        for i in range(2, i_hi + 1):
            d = (i - 1) * step[i]
            s_new[i] = (np.float64(zrow[c0 + s_maj * (i - 1)]) - curv * d * d - eye_z) / d
    else:
        zprev = z[r - s_min]            # the row nearer the axis, bracketing the crossings
        for i in range(j + 1, i_hi + 1):
            w1 = j * inv[i]             # weight of row j - 1
            za = np.float64(zprev[c0 + s_maj * (i - 1)])
            zb = np.float64(zrow[c0 + s_maj * (i - 1)])
            zp = za * w1 + zb * (1.0 - w1)
            d = (i - 1) * step[i]
            s_new[i] = (zp - curv * d * d - eye_z) / d
        if 2 <= j <= i_hi:              # the diagonal cell: the crossing is cell (j - 1, j - 1)
            d = (j - 1) * step[j]
            s_new[j] = (np.float64(zprev[c0 + s_maj * (j - 1)]) - curv * d * d - eye_z) / d


@njit(cache=True, inline="always")
def cell_horizon(z, row_major, r0, c0, eye_z, curv, s_maj, s_min, i, j, inv_i, st, s_first, ma, mb, lookahead):
    """The recursion: horizon slope of cell ``(i, j)`` and the line that holds it, ``(best, m)``.

    ``s_first``: the slope of the ray's crossing with line ``i - 1``; ``ma``, ``mb``: the horizon lines of the
    two bracketing cells of line ``i - 1`` (0: none). The cell's own ray is sampled exactly at those lines;
    where they disagree (always, with ``lookahead >= 0``) it climbs along the ray to the local maximum,
    passing up to ``lookahead`` lower lines (-1: stop at the first). Cells of lines 0 and 1 have no
    horizon (``-inf``, line 0).
    """
    best = -math.inf
    bm = 0
    if i < 2:
        return best, bm
    ok = s_first > best           # False for NaN: voids are skipped
    best = s_first if ok else best
    bm = i - 1 if ok else 0
    sa = sample_slope(z, row_major, r0, c0, s_maj, s_min, max(ma, 1), j, inv_i, st, eye_z, curv)
    sa = sa if ma > 0 else -math.inf
    take_a = sa > best
    best = sa if take_a else best
    bm = ma if take_a else bm
    if mb != ma:
        sb = sample_slope(z, row_major, r0, c0, s_maj, s_min, max(mb, 1), j, inv_i, st, eye_z, curv)
        sb = sb if mb > 0 else -math.inf
        take_b = sb > best
        best = sb if take_b else best
        bm = mb if take_b else bm
    if bm > 0 and (ma != mb or lookahead >= 0):
        for direction in (-1, 1):
            m = bm + direction
            miss = 0
            while 1 <= m <= i - 1:
                s = sample_slope(z, row_major, r0, c0, s_maj, s_min, m, j, inv_i, st, eye_z, curv)
                if s > best:
                    best = s
                    bm = m
                    miss = 0
                else:
                    miss += 1
                    if miss > lookahead:
                        break
                m += direction
    return best, bm
