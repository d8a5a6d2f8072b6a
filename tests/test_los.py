"""Exact line of sight: analytic cases and a brute-force oracle on real SRTM."""

from __future__ import annotations

import math

import numpy as np
import pytest

from terrain import InputError, dem_from_array, line_of_sight
from terrain.earth import curvature_factor, horizon_distance_m


def flat_dem(n=400, cell=100.0, z=0.0):
    """A flat projected plane ``n`` x ``n`` cells of ``cell`` metres, origin at (0, n*cell)."""
    return dem_from_array(np.full((n, n), z, np.float32), (0, cell, 0, n * cell, 0, -cell), crs="EPSG:32633")


def xy(dem, r, c):
    t = dem.rio.transform()
    return f"xy:{t.c + (c + 0.5) * t.a},{t.f + (r + 0.5) * t.e}"


def test_flat_earth_beyond_curvature_horizon():
    dem = flat_dem(n=400, cell=100.0)
    h = 10.0
    d_h = horizon_distance_m(h)  # ~12.1 km for a 10 m eye
    near = int(d_h / 100) - 3
    far = int(d_h / 100) + 40
    assert line_of_sight(dem, xy(dem, 200, 10), xy(dem, 200, 10 + near), observer_height=h).visible
    los = line_of_sight(dem, xy(dem, 200, 10), xy(dem, 200, 10 + far), observer_height=h)
    assert not los.visible
    # to be seen the target must rise above the horizon tangent: sqrt(t) = (D - d_h) * sqrt(f)
    d = far * 100.0
    f = curvature_factor()
    expected = f * (d - d_h) ** 2
    assert los.extra_target_height_m == pytest.approx(expected, rel=0.05)
    # without curvature the flat plane is all visible
    assert line_of_sight(dem, xy(dem, 200, 10), xy(dem, 200, 10 + far), observer_height=h, curvature=False).visible


def test_wall_blocks_and_clearance():
    z = np.zeros((50, 200), np.float32)
    z[:, 100] = 20.0  # a 20 m wall, 100 cells (3 km at 30 m) from the observer
    dem = dem_from_array(z, (0, 30, 0, 1500, 0, -30), crs="EPSG:32633")
    los = line_of_sight(dem, xy(dem, 25, 0), xy(dem, 25, 199), observer_height=2, curvature=False)
    assert not los.visible
    # bilinear samples half a cell apart: the first blocked sample is on the wall's near flank
    assert 3000 - 30 <= los.obstruction.distance_m <= 3000
    assert 2 < los.obstruction.elevation_m <= 20
    # similar triangles: the sight line over the wall top reaches 2 + (20-2) * 199/100 at the target
    assert los.extra_target_height_m == pytest.approx(2 + 18 * 199 / 100, rel=0.01)
    high = line_of_sight(dem, xy(dem, 25, 0), xy(dem, 25, 199), observer_height=50, target_height=10,
                         curvature=False)
    assert high.visible
    # the tightest point is the wall top: sight line 50 - 40 * 100/199 m high there
    assert high.min_clearance_m == pytest.approx(50 - 40 * 100 / 199 - 20, abs=0.2)


def test_negative_height_refused(white_mountains):
    with pytest.raises(InputError, match="negative"):
        line_of_sight(white_mountains, "44.27,-71.30", "44.3,-71.2", observer_height=-1)


def oracle_visible(z, ra, ca, rb, cb, eye, top, dist, curv, density=16):
    """Brute force: bilinear samples every 1/density cell along the line, straight sight line test."""
    span = max(abs(rb - ra), abs(cb - ca))
    n = max(int(math.ceil(span * density)), 2)
    worst = -np.inf
    for i in range(1, n):
        t = i / n
        r, c = ra + t * (rb - ra), ca + t * (cb - ca)
        i0, j0 = int(math.floor(r)), int(math.floor(c))
        fr, fc = r - i0, c - j0
        v = ((1 - fr) * ((1 - fc) * z[i0, j0] + fc * z[i0, j0 + 1])
             + fr * ((1 - fc) * z[i0 + 1, j0] + fc * z[i0 + 1, j0 + 1]))
        d = t * dist
        line = eye + (top - curv * dist * dist - eye) * t
        worst = max(worst, v - curv * d * d - line)
    return worst <= 0.0, worst


def test_agrees_with_bruteforce_oracle_on_srtm(white_mountains):
    dem = white_mountains
    z = dem.values.astype(np.float64)
    rng = np.random.default_rng(42)
    f = curvature_factor()
    agree = 0
    pairs = 200
    for _ in range(pairs):
        ra, ca, rb, cb = rng.integers(5, 1195, size=4)
        if max(abs(ra - rb), abs(ca - cb)) < 2:
            rb = min(rb + 5, 1195)
        los = line_of_sight(dem, xy_latlon(dem, ra, ca), xy_latlon(dem, rb, cb), observer_height=10,
                            target_height=2)
        ok, worst = oracle_visible(z, los.observer.row, los.observer.col, los.target.row, los.target.col,
                                   los.observer_eye_m, los.target_top_m, los.distance_m, f)
        if ok == los.visible:
            agree += 1
        else:
            # a disagreement may only come from the sampling density, a hair's breadth from grazing
            assert abs(worst) < 1.0
    print(f"line_of_sight vs oracle: {agree}/{pairs} verdicts agree")
    assert agree >= pairs - 4


def xy_latlon(dem, r, c):
    return f"{float(dem.y[r])},{float(dem.x[c])}"


def test_profile_is_dense_and_consistent(white_mountains):
    los = line_of_sight(white_mountains, "Mount Washington" if False else "44.2708,-71.3033", "44.0,-71.9")
    d = np.diff(los.profile_distance_m)
    assert d.max() <= 0.5 * 92.7  # at most half a cell apart
    assert los.profile_terrain_m[0] == pytest.approx(1908, abs=5)
    assert not los.visible and los.obstruction is not None
    assert los.min_clearance_m < 0
    j = los.to_dict()
    assert j["visible"] is False and j["obstruction"]["distance_m"] > 0


def test_monotone_in_observer_height(white_mountains):
    rng = np.random.default_rng(7)
    for _ in range(20):
        ra, ca, rb, cb = rng.integers(5, 1195, size=4)
        a, b = xy_latlon(white_mountains, ra, ca), xy_latlon(white_mountains, rb, cb)
        seen = [line_of_sight(white_mountains, a, b, observer_height=h).visible for h in (2, 20, 200)]
        assert seen == sorted(seen)
