"""Small synthetic terrains shared by the many-observer tests (and a check that they are what they claim)."""

from __future__ import annotations

import numpy as np

from terrain import dem_from_array


def rough_dem(n=80, m=None, cell=30.0, seed=0, relief=60.0, geographic=False):
    """A seeded rough terrain ``n`` x ``m`` cells: smooth hills plus noise, on a UTM (or lat/lon) grid."""
    m = n if m is None else m
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:n, 0:m].astype(np.float64)
    z = np.zeros((n, m))
    for _ in range(6):
        cy, cx = rng.uniform(0, n), rng.uniform(0, m)
        s = rng.uniform(4, 15)
        z += rng.uniform(0.3, 1.0) * relief * np.exp(-((y - cy) ** 2 + (x - cx) ** 2) / (2 * s * s))
    z += rng.normal(0, relief * 0.03, size=z.shape)
    z += 100.0
    if geographic:
        d = cell / 30.0 / 3600.0
        return dem_from_array(z.astype(np.float32), (36.7, d, 0, 35.2, 0, -d), crs="EPSG:4326")
    return dem_from_array(z.astype(np.float32), (500000, cell, 0, 3900000 + n * cell, 0, -cell), crs="EPSG:32637")


def xy(dem, r, c):
    """The ``xy:X,Y`` point at the centre of cell (r, c)."""
    t = dem.rio.transform()
    return f"xy:{t.c + (c + 0.5) * t.a},{t.f + (r + 0.5) * t.e}"


def test_rough_dem_is_seeded_and_rough():
    a, b = rough_dem(seed=3), rough_dem(seed=3)
    assert np.array_equal(a.values, b.values)
    assert float(a.max() - a.min()) > 20
