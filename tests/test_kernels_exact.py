"""Tests of terrain.kernels.horizon_exact: the R3 oracle, analytic cases and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kernel_oracle import flat_geometry, fractal_dem, horizon_grid, load_srtm, viewshed
from terrain.earth import curvature_factor, horizon_distance_m
from terrain.kernels.horizon_exact import horizon_exact, horizon_exact_cell

SRTM = "dem_samples/N44W072.hgt"


def _same_horizon(H, ref):
    fin = np.isfinite(ref)
    assert np.array_equal(np.isneginf(H), np.isneginf(ref))
    err = np.abs(H[fin] - ref[fin])
    assert err.max() <= 1e-6 * (1 + np.abs(ref[fin]).max())
    return err.max()


@pytest.mark.parametrize("r0,c0", [(20, 17), (0, 0), (40, 33), (3, 38)])
def test_exact_matches_oracle_on_fractal_with_voids(r0, c0):
    z = fractal_dem(41, seed=3, relief_m=300.0)
    z[5:8, 7] = np.nan
    z[30, 20:25] = np.nan
    y_m, dx_m = flat_geometry(41, 30.0)
    curv = curvature_factor(True, 0.13)
    eye = float(np.nan_to_num(z[r0, c0])) + 2.0
    H = horizon_exact(z, y_m, dx_m, r0, c0, eye, curv, 0.0)
    err = _same_horizon(H, horizon_grid(z, y_m, dx_m, r0, c0, eye, curv))
    print(f"exact vs oracle, fractal observer ({r0},{c0}): max |dH| = {err:.2e}")


def test_exact_matches_oracle_on_real_srtm_crop_geographic():
    z, y_m, dx_m = load_srtm(SRTM)
    z, y_m, dx_m = np.ascontiguousarray(z[860:893, 820:861]), y_m[860:893], dx_m[860:893]
    r0, c0 = 15, 16
    eye = float(z[r0, c0]) + 10.0
    curv = curvature_factor(True, 0.13)
    H = horizon_exact(z, y_m, dx_m, r0, c0, eye, curv, 0.0)
    err = _same_horizon(H, horizon_grid(z, y_m, dx_m, r0, c0, eye, curv))
    print(f"exact vs oracle, SRTM crop: max |dH| = {err:.2e}")


def test_cell_function_matches_grid_and_radius_gives_nan():
    z = fractal_dem(31, seed=1)
    y_m, dx_m = flat_geometry(31, 30.0)
    H = horizon_exact(z, y_m, dx_m, 10, 12, 400.0, 0.0, 300.0)
    R, C = np.indices(z.shape)
    D = np.hypot((R - 10) * 30.0, (C - 12) * 30.0)
    assert np.isnan(H[D > 300.0]).all() and not np.isnan(H[D <= 300.0]).any()
    for r, c in [(10, 12), (11, 13), (20, 3), (0, 30), (18, 12)]:
        if D[r, c] <= 300.0:
            assert H[r, c] == np.float32(horizon_exact_cell(z, y_m, dx_m, 10, 12, r, c, 400.0, 0.0))
    assert np.isneginf(H[9:12, 11:14]).all()


@pytest.mark.parametrize("target_h", [0.0, 3.0])
def test_curved_sea_visible_radius_matches_horizon_distance(target_h):
    n, cell = 321, 150.0
    z = np.zeros((n, n), np.float32)
    y_m, dx_m = flat_geometry(n, cell)
    r0 = c0 = n // 2
    h = 10.0
    curv = curvature_factor(True, 0.13)
    vis, _ = viewshed(horizon_exact, z, y_m, dx_m, r0, c0, h, curv, 0.0, target_h)
    R, C = np.indices(z.shape)
    D = np.hypot((R - r0) * cell, (C - c0) * cell)
    expected = horizon_distance_m(h, 0.13, target_h)
    seen = D[vis == 1].max()
    hidden = D[vis == 0].min()
    print(f"curved sea, h={h}, target {target_h}: visible out to {seen:.0f} m, hidden from {hidden:.0f} m, "
          f"theory {expected:.0f} m")
    assert abs(seen - expected) <= cell * math.sqrt(2)
    assert abs(hidden - expected) <= cell * math.sqrt(2)
    assert expected < (n // 2) * cell


def test_wall_casts_similar_triangles_shadow():
    n = 61
    z = np.zeros((n, n), np.float32)
    r0, c0, a, wall, h = 30, 10, 10, 5.0, 10.0
    z[:, c0 + a] = wall
    y_m, dx_m = flat_geometry(n, 10.0)
    vis, mvh = viewshed(horizon_exact, z, y_m, dx_m, r0, c0, h, 0.0, 0.0)
    R, C = np.indices(z.shape)
    dc, dr = C - c0, np.abs(R - r0)
    behind = (dc > a) & (dc >= dr)          # column-major cells past the wall: the crossing is on the wall line
    line = h + (wall - h) * dc / a          # similar triangles: sight line over the wall top, at the target
    np.testing.assert_allclose(mvh[behind], np.maximum(0.0, line[behind]), atol=1e-3)
    assert (vis[behind & (dc < 2 * a)] == 0).all()
    assert (vis[behind & (dc > 2 * a)] == 1).all()


def test_bowl_all_visible_and_cone_from_apex_all_visible():
    n = 41
    y_m, dx_m = flat_geometry(n, 30.0)
    R, C = np.indices((n, n))
    dist = np.hypot(R - 20, C - 20) * 30.0
    bowl = (0.002 * dist ** 2).astype(np.float32)
    vis, _ = viewshed(horizon_exact, bowl, y_m, dx_m, 20, 20, 2.0, 0.0, 0.0)
    assert (vis == 1).all()
    cone = (500.0 - 0.3 * dist).astype(np.float32)
    vis, _ = viewshed(horizon_exact, cone, y_m, dx_m, 20, 20, 500.5, 0.0, 0.0)
    assert (vis == 1).all()


terrains = st.integers(0, 10_000).map(lambda seed: fractal_dem(12, seed=seed, relief_m=50.0))
cells = st.tuples(st.integers(0, 11), st.integers(0, 11))
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FEW
@given(terrains, cells, st.floats(0.0, 20.0), st.floats(0.1, 30.0))
def test_raising_observer_never_hides(z, obs, h, dh):
    y_m, dx_m = flat_geometry(12, 30.0)
    r0, c0 = obs
    _, low = viewshed(horizon_exact, z, y_m, dx_m, r0, c0, float(z[r0, c0]) + h, 1e-7, 0.0)
    _, high = viewshed(horizon_exact, z, y_m, dx_m, r0, c0, float(z[r0, c0]) + h + dh, 1e-7, 0.0)
    assert (high <= low + 1e-3).all()      # the height a target needs never grows
    assert ((low <= 0.0) <= (high <= 1e-3)).all()


@FEW
@given(terrains, cells, st.floats(0.0, 20.0), st.floats(0.0, 10.0), st.floats(0.1, 20.0))
def test_raising_target_never_hides_and_visible_iff_height_enough(z, obs, h, t, dt):
    y_m, dx_m = flat_geometry(12, 30.0)
    r0, c0 = obs
    eye = float(z[r0, c0]) + h
    v1, m1 = viewshed(horizon_exact, z, y_m, dx_m, r0, c0, eye, 1e-7, 0.0, t)
    v2, m2 = viewshed(horizon_exact, z, y_m, dx_m, r0, c0, eye, 1e-7, 0.0, t + dt)
    assert ((v1 == 1) <= (v2 == 1)).all()
    assert np.array_equal(v1 == 1, m1 <= t) and np.array_equal(v2 == 1, m2 <= t + dt)
    assert np.array_equal(m1, m2)


@FEW
@given(terrains, cells, cells, st.floats(0.5, 10.0), st.sampled_from([0.0, 1e-7]))
def test_exact_is_symmetric_for_equal_heights(z, a, b, h, curv):
    # Same grid lines, same bracketing cells, d -> D - d: the chord test is symmetric (see horizon_exact doc).
    y_m, dx_m = flat_geometry(12, 30.0)
    _, m_ab = viewshed(horizon_exact, z, y_m, dx_m, a[0], a[1], float(z[a]) + h, curv, 0.0, h)
    _, m_ba = viewshed(horizon_exact, z, y_m, dx_m, b[0], b[1], float(z[b]) + h, curv, 0.0, h)
    need_ab, need_ba = float(m_ab[b]), float(m_ba[a])
    if abs(need_ab - h) < 1e-3 or abs(need_ba - h) < 1e-3:
        return  # a floating-point tie: either answer is right
    assert (need_ab <= h) == (need_ba <= h)
