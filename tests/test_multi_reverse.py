"""Reverse viewsheds agree with single viewsheds run from the cells they return (exact method)."""

from __future__ import annotations

import numpy as np
from test_multi_terrain import rough_dem, xy

from terrain.multi.reverse import reverse_viewshed
from terrain.viewshed import viewshed


def test_reciprocity_with_single_viewsheds():
    dem = rough_dem(50, 50, seed=7)
    point, eye, mast = (25, 25), 2.0, 6.0
    rv = reverse_viewshed(dem, xy(dem, *point), observer_height=eye, target_height=mast, method="exact")
    vis = rv["visible"].values
    assert rv.attrs["reverse"] == 1 and (vis == 1).any() and (vis == 0).any()
    rng = np.random.default_rng(0)
    cells = [(int(r), int(c)) for r, c in rng.integers(0, 50, size=(60, 2)) if (r, c) != point]
    checked = 0
    for r, c in cells:
        vs = viewshed(dem, xy(dem, r, c), observer_height=eye, target_height=mast, method="exact")
        need = float(vs["min_visible_height"].values[point])
        if abs(need - mast) < 1e-3:  # a floating-point tie: either answer is right
            continue
        assert vs["visible"].values[point] == vis[r, c], (r, c)
        checked += 1
    assert checked > 50


def test_heights_are_swapped():
    dem = rough_dem(30, 30, seed=3)
    rv = reverse_viewshed(dem, xy(dem, 10, 10), observer_height=5.0, target_height=20.0, method="fast")
    vs = viewshed(dem, xy(dem, 10, 10), observer_height=20.0, target_height=5.0, method="fast")
    assert np.array_equal(rv["visible"].values, vs["visible"].values)
    assert rv["observer_eye_m"].item() == vs["observer_eye_m"].item()
