"""Tests of terrain.kernels.refine: ambiguous cells are exact, accuracy targets on real SRTM."""

from __future__ import annotations

import numpy as np

from kernel_oracle import flat_geometry, fractal_dem
from terrain.earth import curvature_factor
from terrain.kernels.horizon_exact import horizon_exact
from terrain.kernels.horizon_fast import horizon_searched
from terrain.kernels.refine import LOOKAHEAD, ambiguous_cells, horizon_refined
from test_kernels_fast import measure


def _refined(z, y_m, dx_m, r0, c0, eye, curv, max_dist_m):
    return horizon_refined(z, y_m, dx_m, r0, c0, eye, curv, max_dist_m, 0.0)


def test_ambiguous_cells_become_exact_and_others_stay_searched():
    z = fractal_dem(80, seed=5, relief_m=300.0)
    y_m, dx_m = flat_geometry(80, 30.0)
    curv = curvature_factor(True, 0.13)
    eye = float(z[40, 40]) + 2.0
    Hs = horizon_searched(z, y_m, dx_m, 40, 40, eye, curv, 0.0, LOOKAHEAD)
    rows, cols = ambiguous_cells(z, Hs, y_m, dx_m, 40, 40, eye, curv, 0.0, 10.0)
    assert rows.size > 0
    He = horizon_exact(z, y_m, dx_m, 40, 40, eye, curv, 0.0)
    Hr = horizon_refined(z, y_m, dx_m, 40, 40, eye, curv, 0.0, 0.0, 10.0)
    amb = np.zeros(z.shape, bool)
    amb[rows, cols] = True
    np.testing.assert_array_equal(Hr[amb], He[amb])
    np.testing.assert_array_equal(Hr[~amb], Hs[~amb])


def test_refined_meets_targets_on_srtm_20km():
    ious, mvh_ok = measure(_refined)
    print(f"\nrefined, SRTM N44W072, 20 km, h 2/50 m, {ious.size} cases: IoU median {np.median(ious):.4f} "
          f"worst {ious.min():.4f}; mvh within 1 m: median {np.median(mvh_ok):.4f} worst {mvh_ok.min():.4f}")
    assert np.median(ious) >= 0.995
    assert ious.min() >= 0.98
    assert mvh_ok.min() >= 0.99
