"""The octant sweep's core, written once: the crossings of a line with the previous one, and a cell's horizon.

The recursion described in :mod:`terrain.kernels.horizon_fast` exists here once, as
:func:`sweep_row`: one grid row of an octant, from the horizon lines the previous row left in the
buffers. The two kernels that sweep (the horizon grid and the fused viewshed of
:mod:`~terrain.kernels.horizon_fast`, ``fast`` and the refine search; the many-observer fold and
the visibility index of :mod:`~terrain.kernels.observer_batch`) are the same three lines around what
they do with a row::

    oc = octant_setup(y_m, dx_m, r0, c0, disc_radius_m, k, rlo, rhi, clo, chi, buf)
    for t in range(oc[5], oc[6] + 1):
        r, cs, k_lo, k_hi = sweep_row(z, y_m, dx_m, r0, c0, eye_z, curv, max_d, lookahead, oc, t, buf)
        ...  # cells k_lo..k_hi of grid row r: column c0 + cs * k, horizon buf[4][k], distance buf[2][k]

The observer's own cell belongs to no octant (its horizon is ``-inf``, its distance 0). The helpers are
inlined (``inline="always"``), so sharing them costs nothing at run time. (A jitted "sink" passed into
one driver would be tidier, but numba then refuses to cache the callers.)

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


@njit(cache=True, inline="always")
def octant_bounds(k, r0, c0, rlo, rhi, clo, chi):
    """Octant ``k`` of the window ``rlo..rhi`` x ``clo..chi``: ``(row_major, s_maj, s_min, imax, jedge)``.

    Bit 2 of ``k``: column-major (east, west); bit 1: sign of the major axis; bit 0: of the minor.
    ``imax``: the last line inside the window; ``jedge``: the last minor offset inside it.
    """
    s_maj = 1 if (k >> 1) & 1 else -1
    s_min = 1 if k & 1 else -1
    if k < 4:
        imax = (rhi - r0) if s_maj > 0 else (r0 - rlo)
        jedge = (chi - c0) if s_min > 0 else (c0 - clo)
        return True, s_maj, s_min, imax, jedge
    imax = (chi - c0) if s_maj > 0 else (c0 - clo)
    jedge = (rhi - r0) if s_min > 0 else (r0 - rlo)
    return False, s_maj, s_min, imax, jedge


@njit(cache=True)
def sweep_buffers(size):
    """Line buffers for :func:`octant_setup`/:func:`sweep_row` over windows of up to ``size - 3`` cells a side.

    ``(m, step, dist, s_new, hbest, extent, inv)``: ``m[t & 1]`` the horizon lines of row ``t``, ``step``
    ``D / i``, ``dist`` the ground distance and ``s_new`` the slope of the crossing with the previous line of
    each cell of the row, ``hbest`` its horizon slope, ``extent[t]`` the last cell swept on row ``t``,
    ``inv[i] = 1 / i``. Reusable from octant to octant and observer to observer.
    """
    inv = np.empty(size)
    inv[0] = 0.0
    for i in range(1, size):
        inv[i] = 1.0 / i
    return (np.zeros((2, size), dtype=np.int32), np.empty(size), np.empty(size), np.empty(size), np.empty(size),
            np.empty(size, dtype=np.int64), inv)


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
def octant_setup(y_m, dx_m, r0, c0, disc_radius_m, k, rlo, rhi, clo, chi, buf):
    """Prepare octant ``k`` of the window ``rlo..rhi`` x ``clo..chi``; returns the octant ``oc`` for :func:`sweep_row`.

    ``oc = (row_major, s_maj, s_min, imax, jedge, t_first, t_last)``: the octant is swept by calling
    :func:`sweep_row` for ``t = t_first .. t_last`` in order. With a finite ``disc_radius_m`` only the cells
    that may lie within that many metres are swept (the corners of the square are skipped), widened so that every cell
    swept finds the two bracketing cells it is built from swept (they are nearer).
    """
    row_major, s_maj, s_min, imax, jedge = octant_bounds(k, r0, c0, rlo, rhi, clo, chi)
    disc = disc_radius_m < math.inf
    m = buf[0]
    m[:, :] = 0
    extent = buf[5]
    if row_major:
        t_first, t_last = 1, imax
        for i in range(imax, 0, -1):
            e = min(i, jedge)
            if disc:
                e = _disc_extent(y_m, dx_m, r0 + s_maj * i, r0, disc_radius_m)
                if i < imax and extent[i + 1] > e:
                    e = extent[i + 1]
                e = min(e, i, jedge)
            extent[i] = e
    else:
        t_first, t_last = 0, min(jedge, imax)
        for j in range(t_last, -1, -1):
            e = imax
            if disc:
                e = _disc_extent(y_m, dx_m, r0 + s_min * j, r0, disc_radius_m)
                if j < t_last and extent[j + 1] - 1 > e:
                    e = extent[j + 1] - 1
                e = min(e, imax)
            extent[j] = e
    return row_major, s_maj, s_min, imax, jedge, t_first, t_last


@njit(cache=True, inline="always")
def sweep_row(z, y_m, dx_m, r0, c0, eye_z, curv, max_d, lookahead, oc, t, buf):
    """Sweep row ``t`` of octant ``oc`` (after rows ``t_first .. t - 1``): the horizons of its cells.

    Returns ``(r, cs, k_lo, k_hi)``: the grid row, and the cells ``k_lo <= k <= k_hi`` of it the octant
    owns, in column ``c0 + cs * k``, with horizon slope ``buf[4][k]`` (``hbest``, float64 before any
    float32 rounding; NaN beyond ``max_d`` as the sweep measures it, ``(D / i) * i``) and ground distance
    ``buf[2][k]`` (equal to :func:`terrain.kernels.geometry.cell_distance_m`). Shared axis and diagonal
    cells are computed identically by both octants that touch them and owned by one: the axes by the
    octant on the positive minor side, the diagonals by the row-major ones.

    Row-major octants are swept line by line outward (line ``i`` is grid row ``r0 + s_maj i``).
    Column-major ones are swept so that memory is read along rows: cell ``(i, j)`` needs ``(i - 1, j - 1)``
    and ``(i - 1, j)`` only, so grid row ``j`` after row ``j - 1``, each outward.
    """
    row_major, s_maj, s_min, imax, jedge, t_first, t_last = oc
    m, step, dist, s_new, hbest, extent, inv = buf
    prev_m = m[(t + 1) & 1]
    cur_m = m[t & 1]
    k_hi = extent[t]
    if row_major:
        jin = min(t - 1, jedge)            # cells strictly inside the octant
        line_crossings(z, y_m, dx_m, r0, c0, eye_z, curv, s_maj, s_min, t, k_hi, min(jin, k_hi), step, dist, s_new)
        k_lo = 0
        r = r0 + s_maj * t
        cs = s_min
        own_lo = 0 if s_min > 0 else 1     # the axis belongs to the positive-minor octant
    else:
        jin = 0
        row_crossings(z, y_m, dx_m, r0, c0, eye_z, curv, s_maj, s_min, t, k_hi, inv, step, dist, s_new)
        k_lo = max(t, 1)
        r = r0 + s_min * t
        cs = s_maj
        own_lo = t + 1 if (t >= 1 or s_min > 0) else k_hi + 1
    for k in range(k_lo, k_hi + 1):
        if row_major:
            i = t
            j = k
            ma = prev_m[k - 1] if k >= 1 else 0
            mb = prev_m[k] if k <= jin else 0
        else:
            i = k
            j = t
            ma = prev_m[k - 1] if t >= 1 else 0
            mb = cur_m[k - 1] if k - 1 >= t else 0
        best, bm = cell_horizon(z, row_major, r0, c0, eye_z, curv, s_maj, s_min, i, j, inv[i], step[k], s_new[k],
                                ma, mb, lookahead)
        cur_m[k] = bm
        hbest[k] = best if step[k] * i <= max_d else np.nan
    return r, cs, own_lo, k_hi
