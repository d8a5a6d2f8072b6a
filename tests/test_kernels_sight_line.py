"""Tests of terrain.kernels.sight_line: one sight line is the exact viewshed's cell, with its R3 profile."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kernel_oracle import flat_geometry, fractal_dem, load_srtm, viewshed
from terrain.earth import curvature_factor
from terrain.kernels.horizon_exact import horizon_exact, horizon_exact_cell
from terrain.kernels.sight_line import sight_line

SRTM = "dem_samples/N44W072.hgt"


def _oracle_heights(z, r0, c0, r, c):
    """Each crossing's height written another way: float positions, floor and fraction (cf. kernel_oracle)."""
    n = max(abs(r - r0), abs(c - c0))
    out = []
    for k in range(1, n):
        t = k / n
        rr, cc = r0 + t * (r - r0), c0 + t * (c - c0)
        if abs(r - r0) >= abs(c - c0):
            lo = math.floor(cc + 1e-9)
            f = cc - lo
            out.append(float(z[round(rr), lo]) if f < 1e-9 else
                       (1 - f) * float(z[round(rr), lo]) + f * float(z[round(rr), lo + 1]))
        else:
            lo = math.floor(rr + 1e-9)
            f = rr - lo
            out.append(float(z[lo, round(cc)]) if f < 1e-9 else
                       (1 - f) * float(z[lo, round(cc)]) + f * float(z[lo + 1, round(cc)]))
    return np.array(out)


def test_each_cell_is_the_viewshed_cell_and_the_horizon_cell():
    z = fractal_dem(41, seed=4, relief_m=300.0)
    z[10:13, 25] = np.nan
    y_m, dx_m = flat_geometry(41, 30.0)
    r0, c0 = 20, 17
    curv = curvature_factor()
    eye = float(z[r0, c0]) + 2.0
    for target_h in (0.0, 5.0):
        vis, mvh = viewshed(horizon_exact, z, y_m, dx_m, r0, c0, eye, curv, 0.0, target_h)
        for r in range(41):
            for c in range(41):
                flag, need, h, D, heights = sight_line(z, y_m, dx_m, r0, c0, r, c, eye, curv, target_h)
                assert flag == vis[r, c]
                assert need == mvh[r, c] or (np.isnan(need) and np.isnan(mvh[r, c]))
                assert h == horizon_exact_cell(z, y_m, dx_m, r0, c0, r, c, eye, curv)
                assert D == pytest.approx(30.0 * math.hypot(r - r0, c - c0), rel=1e-12)
                assert len(heights) == max(max(abs(r - r0), abs(c - c0)) - 1, 0)


def test_profile_heights_match_an_independent_walk_on_srtm():
    z, y_m, dx_m = load_srtm(SRTM)
    rng = np.random.default_rng(3)
    for _ in range(30):
        r0, c0 = rng.integers(0, 1201, size=2)
        r, c = np.clip([r0, c0] + rng.integers(-200, 201, size=2), 0, 1200)
        _, _, h, D, heights = sight_line(z, y_m, dx_m, r0, c0, r, c, float(z[r0, c0]) + 2.0, curvature_factor(), 0.0)
        np.testing.assert_allclose(heights, _oracle_heights(z, r0, c0, r, c), rtol=0, atol=1e-3)
        n = len(heights) + 1
        if n >= 2:
            d = np.arange(1, n) * D / n
            slopes = (heights - curvature_factor() * d * d - float(z[r0, c0]) - 2.0) / d
            assert h == pytest.approx(np.max(slopes), rel=1e-12)


def test_voids_are_skipped_and_reported_as_nan():
    z = np.zeros((5, 30), np.float32)
    z[2, 10] = np.nan
    z[2, 20] = 50.0
    y_m, dx_m = flat_geometry(5, 10.0)
    flag, need, h, D, heights = sight_line(z, y_m, dx_m, 2, 0, 2, 29, 2.0, 0.0, 0.0)
    assert np.isnan(heights[9]) and heights[19] == 50.0 and np.isfinite(np.delete(heights, 9)).all()
    assert flag == 0 and h == pytest.approx((50.0 - 2.0) / 200.0)
    # what the target needs: the line over the wall, (50 - 2) * 290 / 200 + 2 m at 290 m
    assert need == pytest.approx(2 + 48 * 290 / 200 - 0.0, abs=1e-4)
