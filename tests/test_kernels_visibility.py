"""Tests of terrain.kernels.visibility: filters, the observer cell, outputs and reusing H's memory."""

from __future__ import annotations

import numpy as np

from kernel_oracle import flat_geometry, fractal_dem
from terrain.kernels.horizon_exact import horizon_exact
from terrain.kernels.visibility import viewshed_from_horizon, viewshed_from_horizon_into

N = 41
R0 = C0 = 20


def _setup():
    z = fractal_dem(N, seed=9, relief_m=200.0)
    z[3, 4] = np.nan
    y_m, dx_m = flat_geometry(N, 30.0)
    eye = float(z[R0, C0]) + 5.0
    return z, y_m, dx_m, eye, horizon_exact(z, y_m, dx_m, R0, C0, eye, 1e-7, 0.0)


def test_outputs_follow_the_model():
    z, y_m, dx_m, eye, H = _setup()
    vis, mvh, ang = viewshed_from_horizon(z, H, y_m, dx_m, R0, C0, eye, 1e-7, 1.5, 0.0, 0.0, 0, 360, True, -90, 90)
    assert vis[R0, C0] == 1 and mvh[R0, C0] == 0 and ang[R0, C0] == -90
    assert vis[3, 4] == 255 and np.isnan(mvh[3, 4]) and np.isnan(ang[3, 4])
    ok = vis != 255
    assert np.array_equal(vis[ok] == 1, mvh[ok] <= 1.5)
    assert (mvh[ok] >= 0).all()
    R, C = np.indices(z.shape)
    D = np.hypot(R - R0, C - C0) * 30.0
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.degrees(np.arctan2(z - 1e-7 * D ** 2 - eye, D))
    np.testing.assert_allclose(ang[ok & (D > 0)], expected[ok & (D > 0)], atol=1e-4)


def test_distance_sector_and_pitch_filters():
    z, y_m, dx_m, eye, H = _setup()
    R, C = np.indices(z.shape)
    D = np.hypot(R - R0, C - C0) * 30.0
    az = np.degrees(np.arctan2(C - C0, R0 - R)) % 360
    vis, _, _ = viewshed_from_horizon(z, H, y_m, dx_m, R0, C0, eye, 1e-7, 0.0, 100.0, 450.0, 300, 45, False, -90, 90)
    in_sector = (az >= 300) | (az <= 45)
    expect = (D >= 100) & (D <= 450) & in_sector & ~np.isnan(z)
    np.testing.assert_array_equal(vis != 255, expect)
    vis, _, _ = viewshed_from_horizon(z, H, y_m, dx_m, R0, C0, eye, 1e-7, 0.0, 0.0, 0.0, 0, 360, True, -5.0, 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        pitch = np.degrees(np.arctan2(z - 1e-7 * D ** 2 - eye, D))
    sure = (np.abs(pitch + 5.0) > 1e-3) & (np.abs(pitch - 2.0) > 1e-3) & (D > 0) & ~np.isnan(z)
    np.testing.assert_array_equal((vis != 255)[sure], ((pitch >= -5.0) & (pitch <= 2.0))[sure])


def test_min_visible_height_can_overwrite_H():
    z, y_m, dx_m, eye, H = _setup()
    vis, mvh, ang = viewshed_from_horizon(z, H, y_m, dx_m, R0, C0, eye, 1e-7, 0.0, 0.0, 0.0, 0, 360, True, -90, 90)
    vis2 = np.empty_like(vis)
    ang2 = np.empty_like(ang)
    viewshed_from_horizon_into(z, H, y_m, dx_m, R0, C0, eye, 1e-7, 0.0, 0.0, 0.0, 0, 360, True, -90, 90,
                               vis2, H, ang2)
    np.testing.assert_array_equal(vis, vis2)
    np.testing.assert_array_equal(mvh, H)
    np.testing.assert_array_equal(ang, ang2)
