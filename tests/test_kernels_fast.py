"""Tests of terrain.kernels.horizon_fast: never above exact, exact on axes/diagonals, accuracy on real SRTM."""

from __future__ import annotations

import numpy as np
import pytest

from kernel_oracle import flat_geometry, fractal_dem, iou, load_srtm, viewshed, window
from terrain.earth import curvature_factor
from terrain.kernels.horizon_exact import horizon_exact
from terrain.kernels.horizon_fast import horizon_fast, horizon_searched

SRTM = "dem_samples/N44W072.hgt"


@pytest.mark.parametrize("r0,c0", [(30, 30), (0, 5), (59, 59), (12, 47)])
@pytest.mark.parametrize("kernel", [horizon_fast, horizon_searched])
def test_fast_never_above_exact_and_exact_on_axes_and_diagonals(kernel, r0, c0):
    z = fractal_dem(60, seed=7, relief_m=400.0)
    z[20:23, 40] = np.nan
    y_m, dx_m = flat_geometry(60, 30.0)
    curv = curvature_factor(True, 0.13)
    eye = float(z[r0, c0]) + 5.0
    He = horizon_exact(z, y_m, dx_m, r0, c0, eye, curv, 0.0)
    Hf = kernel(z, y_m, dx_m, r0, c0, eye, curv, 0.0)
    fin = np.isfinite(He)
    assert np.array_equal(np.isneginf(He), np.isneginf(Hf))
    assert (Hf[fin] <= He[fin] + 1e-6).all()
    R, C = np.indices(z.shape)
    on_ray = (R == r0) | (C == c0) | (np.abs(R - r0) == np.abs(C - c0))
    np.testing.assert_allclose(Hf[on_ray & fin], He[on_ray & fin], rtol=1e-6, atol=1e-7)


def test_radius_gives_nan_outside_like_exact():
    z = fractal_dem(50, seed=2)
    y_m, dx_m = flat_geometry(50, 30.0)
    He = horizon_exact(z, y_m, dx_m, 20, 31, 300.0, 0.0, 500.0)
    Hf = horizon_fast(z, y_m, dx_m, 20, 31, 300.0, 0.0, 500.0)
    assert np.array_equal(np.isnan(He), np.isnan(Hf))


def _srtm_cases(n_obs, seed):
    z, y_m, dx_m = load_srtm(SRTM)
    rng = np.random.default_rng(seed)
    for _ in range(n_obs):
        r0, c0 = (int(v) for v in rng.integers(0, 1201, 2))
        for h in (2.0, 50.0):
            yield (z, y_m, dx_m, r0, c0, h)


def measure(kernel, n_obs=4, seed=11, radius_m=20_000.0):
    """IoU of the visible set and share of analysed cells whose min_visible_height is within 1 m, vs exact."""
    curv = curvature_factor(True, 0.13)
    ious, mvh_ok = [], []
    for z, y_m, dx_m, r0, c0, h in _srtm_cases(n_obs, seed):
        zw, yw, dxw, rw, cw = window(z, y_m, dx_m, r0, c0, radius_m)
        eye = float(zw[rw, cw]) + h
        ve, me = viewshed(horizon_exact, zw, yw, dxw, rw, cw, eye, curv, radius_m)
        vk, mk = viewshed(kernel, zw, yw, dxw, rw, cw, eye, curv, radius_m)
        analysed = ve != 255
        assert np.array_equal(analysed, vk != 255)
        ious.append(iou(ve == 1, vk == 1))
        mvh_ok.append(float((np.abs(mk - me)[analysed] <= 1.0).mean()))
    return np.array(ious), np.array(mvh_ok)


def test_fast_iou_on_srtm_20km():
    ious, mvh_ok = measure(horizon_fast)
    print(f"\nfast, SRTM N44W072, 20 km, h 2/50 m, {ious.size} cases: IoU median {np.median(ious):.4f} "
          f"worst {ious.min():.4f}; mvh within 1 m: median {np.median(mvh_ok):.4f} worst {mvh_ok.min():.4f}")
    assert np.median(ious) >= 0.98
    assert ious.min() >= 0.95
