"""Summits and their topographic prominence, by merging regions over the cells sorted by height.

Model
-----
Cells are flooded from the top down (heights descending, ties in the order
given). A cell with no already-flooded 8-neighbour starts a new region: it is a
summit (a flat top is one summit, its first cell). A cell touching flooded
regions joins them; when it touches two or more, it is a *col*: every region
but the one with the highest summit (the earliest flooded on a tie) ends
there, and its summit's prominence is ``summit height - col height``, its
*parent* the higher summit. This is the union-find (watershed merge)
definition of topographic prominence: the height of a summit above the lowest
contour line that encircles it and no higher summit.

A region that never meets a higher one (the highest summit of a connected
patch of data) gets the height above the lowest cell of the patch. Voids
(NaN) are never flooded, so they separate regions; the DEM's edge acts like a
sea at the lowest cell, so a summit whose key col lies outside the DEM is
given at most the prominence seen inside it.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def _find(parent, i):
    root = i
    while parent[root] != root:
        root = parent[root]
    while parent[i] != root:  # path compression
        nxt = parent[i]
        parent[i] = root
        i = nxt
    return root


# Model: top-down flooding with union-find; a region ends at the col where it meets a higher summit's region.
@njit(cache=True)
def summit_prominence(z, order):
    """Summits of ``z`` and their prominence.

    Parameters
    ----------
    z : float32[:, :]
        Heights, metres (NaN = void).
    order : int64[:]
        Flat cell indices by descending height (voids last), e.g.
        ``np.argsort(-z, axis=None, kind="stable")``.

    Returns
    -------
    summits : int64[:]
        Flat index of every summit, in flooding order (highest first).
    prominence : float64[:]
        Metres, for each summit.
    col : int64[:]
        Flat index of the key col (-1 for the highest summit of a data patch).
    parent : int64[:]
        Flat index of the higher summit met at the col (-1 when none).
    """
    nrows, ncols = z.shape
    n = nrows * ncols
    parent = np.full(n, -1, dtype=np.int64)
    peak = np.full(n, -1, dtype=np.int64)     # summit of the region rooted here
    low = np.full(n, -1, dtype=np.int64)      # lowest cell joined so far to the region rooted here
    rank = np.full(n, -1, dtype=np.int64)     # flooding rank of each cell (ties: earlier is higher)
    out_summit = np.empty(n, dtype=np.int64)
    out_prom = np.empty(n, dtype=np.float64)
    out_col = np.empty(n, dtype=np.int64)
    out_parent = np.empty(n, dtype=np.int64)
    slot = np.full(n, -1, dtype=np.int64)     # output row of each summit
    count = 0
    roots = np.empty(8, dtype=np.int64)
    for k in range(order.size):
        idx = order[k]
        r = idx // ncols
        c = idx - r * ncols
        h = z[r, c]
        if np.isnan(h):
            break
        rank[idx] = k
        nroots = 0
        for dr in range(-1, 2):
            rr = r + dr
            if rr < 0 or rr >= nrows:
                continue
            for dc in range(-1, 2):
                cc = c + dc
                if (dr == 0 and dc == 0) or cc < 0 or cc >= ncols:
                    continue
                j = rr * ncols + cc
                if parent[j] < 0:
                    continue
                root = _find(parent, j)
                seen = False
                for q in range(nroots):
                    if roots[q] == root:
                        seen = True
                if not seen:
                    roots[nroots] = root
                    nroots += 1
        if nroots == 0:
            parent[idx] = idx
            peak[idx] = idx
            low[idx] = idx
            slot[idx] = count
            out_summit[count] = idx
            out_prom[count] = 0.0
            out_col[count] = -1
            out_parent[count] = -1
            count += 1
            continue
        best = roots[0]
        for q in range(1, nroots):
            if rank[peak[roots[q]]] < rank[peak[best]]:
                best = roots[q]
        for q in range(nroots):
            other = roots[q]
            if other == best:
                continue
            s = slot[peak[other]]
            pr = peak[other]
            out_prom[s] = np.float64(z[pr // ncols, pr % ncols]) - np.float64(h)
            out_col[s] = idx
            out_parent[s] = peak[best]
            parent[other] = best
        parent[idx] = best
        low[best] = idx
    # regions that met no higher summit: prominence down to their lowest cell
    for s in range(count):
        if out_col[s] < 0:
            idx = out_summit[s]
            root = _find(parent, idx)
            lo = low[root]
            out_prom[s] = np.float64(z[idx // ncols, idx % ncols]) - np.float64(z[lo // ncols, lo % ncols])
    return out_summit[:count].copy(), out_prom[:count].copy(), out_col[:count].copy(), out_parent[:count].copy()
