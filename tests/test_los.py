"""Exact line of sight: analytic cases, the R3 oracle, agreement with the exact viewshed, Fresnel zones."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kernel_oracle import fractal_dem, horizon_of
from terrain import InputError, dem_from_array, line_of_sight, viewshed
from terrain.fresnel import first_zone_radius_m, wavelength_m
from terrain.grid import row_geometry
from terrain.earth import curvature_factor, horizon_distance_m


def flat_dem(n=400, cell=100.0, z=0.0):
    """A flat projected plane ``n`` x ``n`` cells of ``cell`` metres on UTM 33N's central meridian (where its
    metres are ground metres)."""
    return dem_from_array(np.full((n, n), z, np.float32), (500000, cell, 0, 4000000 + n * cell, 0, -cell), crs="EPSG:32633")


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
    dem = dem_from_array(z, (500000, 30, 0, 4001500, 0, -30), crs="EPSG:32633")
    los = line_of_sight(dem, xy(dem, 25, 0), xy(dem, 25, 199), observer_height=2, curvature=False)
    assert not los.visible
    # one sample per grid line crossed: the obstruction is the wall's own cell, 18 m above the line there
    assert los.obstruction.distance_m == pytest.approx(3000.0)
    assert los.obstruction.elevation_m == 20.0
    assert los.obstruction.height_above_sight_line_m == pytest.approx(18 + 2 * 100 / 199)
    # similar triangles: the sight line over the wall top reaches 2 + (20-2) * 199/100 at the target
    assert los.extra_target_height_m == pytest.approx(2 + 18 * 199 / 100, abs=1e-3)
    high = line_of_sight(dem, xy(dem, 25, 0), xy(dem, 25, 199), observer_height=50, target_height=10,
                         curvature=False)
    assert high.visible
    # the tightest point is the wall top: sight line 50 - 40 * 100/199 m high there
    assert high.min_clearance_m == pytest.approx(50 - 40 * 100 / 199 - 20, abs=1e-4)


def test_negative_height_refused(white_mountains):
    with pytest.raises(InputError, match="negative"):
        line_of_sight(white_mountains, "44.27,-71.30", "44.3,-71.2", observer_height=-1)


def test_monotone_in_observer_height(white_mountains):
    rng = np.random.default_rng(7)
    for _ in range(20):
        ra, ca, rb, cb = rng.integers(5, 1195, size=4)
        a, b = xy_latlon(white_mountains, ra, ca), xy_latlon(white_mountains, rb, cb)
        seen = [line_of_sight(white_mountains, a, b, observer_height=h).visible for h in (2, 20, 200)]
        assert seen == sorted(seen)


def xy_latlon(dem, r, c):
    return f"{float(dem.y[r])},{float(dem.x[c])}"


def test_profile_is_one_sample_per_cell_and_consistent(white_mountains):
    los = line_of_sight(white_mountains, "44.2708,-71.3033", "44.0,-71.9")
    # 716 columns west, 325 rows south: one sample per column crossed, equally spaced
    n = los.observer.c - los.target.c
    assert (n, los.target.r - los.observer.r) == (716, 325)
    assert len(los.profile_distance_m) == n + 1
    assert np.diff(los.profile_distance_m) == pytest.approx(np.full(n, los.distance_m / n))
    assert los.profile_terrain_m[0] == 1908.0 == los.observer.ground_m
    assert los.profile_terrain_m[-1] == los.target.ground_m
    assert not los.visible and los.obstruction is not None
    assert los.min_clearance_m < 0
    j = los.to_dict()
    assert j["visible"] is False and j["obstruction"]["distance_m"] > 0


def test_profile_matches_the_r3_oracle_on_srtm(white_mountains):
    """The profile's horizon is the independent R3 oracle's, and the verdict follows from it."""
    dem = white_mountains
    z = dem.values
    y_m, dx_m = row_geometry(dem.rio.transform(), dem.shape, dem.rio.crs)
    rng = np.random.default_rng(42)
    for _ in range(40):
        ra, ca = rng.integers(5, 1195, size=2)
        rb, cb = np.clip([ra, ca] + rng.integers(-150, 151, size=2), 0, 1200)
        los = line_of_sight(dem, xy_latlon(dem, ra, ca), xy_latlon(dem, rb, cb), observer_height=10,
                            target_height=2)
        eye = los.observer_eye_m
        ref = horizon_of(z, y_m, dx_m, ra, ca, rb, cb, eye, curvature_factor())
        d = los.profile_distance_m[1:-1]
        mine = float(np.max((los.profile_terrain_curved_m[1:-1] - eye) / d)) if d.size else -math.inf
        assert mine == pytest.approx(ref, rel=1e-9, abs=1e-12)
        top = (los.target_top_m - curvature_factor() * los.distance_m ** 2 - eye) / los.distance_m
        if abs(top - ref) > 1e-6:  # away from float ties the verdict is the R3 rule's
            assert los.visible == (ref <= top)


def _pairs(dem, n, seed, max_cells):
    """Seeded observer/target pairs anywhere inside their cells, with mixed heights."""
    rng = np.random.default_rng(seed)
    t = dem.rio.transform()
    nr, nc = dem.shape
    z = dem.values
    out = []
    while len(out) < n:
        ra, ca = int(rng.integers(0, nr)), int(rng.integers(0, nc))
        rb = int(np.clip(ra + rng.integers(-max_cells, max_cells + 1), 0, nr - 1))
        cb = int(np.clip(ca + rng.integers(-max_cells, max_cells + 1), 0, nc - 1))
        if np.isnan(z[ra, ca]) or np.isnan(z[rb, cb]):
            continue
        pts = []
        for r, c in ((ra, ca), (rb, cb)):
            fr, fc = rng.uniform(-0.49, 0.49, size=2)  # off the centre: the cell still decides the ground
            x, y = float(dem.x[c]) + fc * t.a, float(dem.y[r]) + fr * t.e
            pts.append(f"{y},{x}" if dem.rio.crs.is_geographic else f"xy:{x},{y}")
        out.append((pts[0], pts[1], rb, cb, float(rng.choice([0.0, 2.0, 10.0, 50.0])),
                    float(rng.choice([0.0, 2.0, 10.0]))))
    return out


def _synthetic():
    z = fractal_dem(160, seed=5, relief_m=400.0) + 200.0
    z[40:44, 60:90] = np.nan  # voids never block
    return dem_from_array(z, (500000, 30, 0, 4000000, 0, -30), crs="EPSG:32633")


@pytest.mark.parametrize("terrain", ["srtm", "synthetic"])
def test_verdict_is_the_exact_viewshed_at_the_target_cell(terrain, white_mountains):
    dem = white_mountains.isel(y=slice(750, 910), x=slice(760, 920)) if terrain == "srtm" else _synthetic()
    agree, pairs = 0, _pairs(dem, 200, seed=11, max_cells=80)
    for a, b, rb, cb, oh, th in pairs:
        los = line_of_sight(dem, a, b, observer_height=oh, target_height=th)
        vs = viewshed(dem, a, observer_height=oh, target_height=th, method="exact",
                      outputs=("visible", "min_visible_height"))
        agree += los.visible == (int(vs.visible.values[rb, cb]) == 1)
        assert los.observer_eye_m == float(vs["observer_eye_m"].item())
        if not los.visible:
            assert los.extra_target_height_m == pytest.approx(float(vs.min_visible_height.values[rb, cb]) - th,
                                                              abs=1e-3)
    print(f"{terrain}: line_of_sight agrees with the exact viewshed on {agree}/{len(pairs)} pairs")
    assert agree == len(pairs)


def test_ground_is_the_cell_and_eye_is_ground_plus_height(white_mountains):
    """Mount Adams -> Mount Jefferson: Jefferson's summit cell is seen, as the viewshed draws it."""
    los = line_of_sight(white_mountains, "Mount Adams", "Mount Jefferson", observer_height=2)
    r, c = los.target.r, los.target.c
    assert los.observer.ground_m == float(white_mountains.values[los.observer.r, los.observer.c]) == 1738.0
    assert los.target.ground_m == 1730.0 and los.target_top_m == 1730.0
    assert los.observer_eye_m == 1740.0
    assert "eye 1740.0 m a.s.l. (ground 1738.0 m + 2.0 m), target top 1730.0 m (ground 1730.0 m + 0.0 m)" \
        in los.summary()
    vs = viewshed(white_mountains, "Mount Adams", observer_height=2, max_distance=5000, method="exact")
    cell = vs.visible.sel(y=white_mountains.y[r], x=white_mountains.x[c])
    assert los.visible and int(cell) == 1
    # the sight line runs between the cell centres: its length is the geodesic between them, to 1 cm
    from pyproj import Geod

    g = Geod(ellps="WGS84").inv(float(white_mountains.x[los.observer.c]), float(white_mountains.y[los.observer.r]),
                                float(white_mountains.x[c]), float(white_mountains.y[r]))[2]
    assert los.distance_m == pytest.approx(g, abs=0.05)


def test_clearance_leaves_out_the_end_cells():
    """On a plane a target on the ground is met at its foot; the clearance is the last crossing's."""
    dem = flat_dem(n=120, cell=100.0)
    los = line_of_sight(dem, xy(dem, 60, 10), xy(dem, 60, 110), observer_height=10, curvature=False)
    # the sight line falls from 10 m to 0 over 100 cells: 10 * 1/100 m one cell before the target
    assert los.min_clearance_m == pytest.approx(0.1, abs=1e-9)
    j = los.to_dict()
    assert j["min_clearance_m"] == 0.1 and j["clearance_excludes"] == "the observer's and the target's cells"
    assert "minimum clearance 0.1 m above the terrain (excluding the observer's and the target's cells)" \
        in los.summary()
    # neighbours have nothing in between
    near = line_of_sight(dem, xy(dem, 60, 10), xy(dem, 60, 11), curvature=False)
    assert near.visible and math.isinf(near.min_clearance_m)


def knife_edge_dem(height_m, n=101, cell=100.0):
    """A flat plane at 0 m, ``n`` x ``n`` cells, with a knife-edge wall of ``height_m`` across column n // 2."""
    z = np.zeros((n, n), np.float32)
    z[:, n // 2] = height_m
    return dem_from_array(z, (500000, cell, 0, 4000000 + n * cell, 0, -cell), crs="EPSG:32633")


FREQ_MHZ = 1000.0
R1_MID = math.sqrt(wavelength_m(FREQ_MHZ) * 5000.0 * 5000.0 / 10000.0)  # 27.38 m


@pytest.mark.parametrize("ratio, verdict", [(1.01, "clear"), (0.99, ">= 60 % clear"), (0.61, ">= 60 % clear"),
                                            (0.59, "obstructed"), (-0.2, "obstructed")])
def test_fresnel_knife_edge_at_midpoint(ratio, verdict):
    """30 m masts 10 km apart over a plane, a knife edge half-way: the ratio is (30 - edge) / r1."""
    edge = 30.0 - ratio * R1_MID
    dem = knife_edge_dem(edge)
    stored = float(dem.values[50, 50])  # the edge as float32 holds it
    los = line_of_sight(dem, xy(dem, 50, 0), xy(dem, 50, 100), observer_height=30, target_height=30,
                        curvature=False, frequency_mhz=FREQ_MHZ)
    assert los.distance_m == 10000.0
    assert los.fresnel_radius_max_m == pytest.approx(R1_MID, abs=1e-9)
    assert los.fresnel_worst_distance_m == 5000.0
    # millimetre level: ratio * r1 is the clearance over the edge
    assert los.fresnel_clearance_ratio_min * R1_MID == pytest.approx(30.0 - stored, abs=1e-3)
    assert los.fresnel_verdict == verdict
    assert los.visible == (ratio > 0)
    assert los.fresnel_radius_m[0] == los.fresnel_radius_m[-1] == 0.0
    assert los.fresnel_radius_m == pytest.approx(first_zone_radius_m(los.profile_distance_m,
                                                                     10000.0 - los.profile_distance_m, FREQ_MHZ))
    j = los.to_dict()
    assert j["frequency_mhz"] == FREQ_MHZ and j["fresnel_verdict"] == verdict
    assert j["fresnel_radius_max_m"] == round(R1_MID, 2)


def test_fresnel_over_a_curved_plane_sees_the_earth_bulge():
    """With curvature the ground at mid-path rises by the bulge curv * d1 * d2 into the sight line."""
    dem = knife_edge_dem(10.0)
    los = line_of_sight(dem, xy(dem, 50, 0), xy(dem, 50, 100), observer_height=30, target_height=30,
                        frequency_mhz=FREQ_MHZ)
    bulge = curvature_factor() * 5000.0 * 5000.0  # 1.71 m
    assert los.fresnel_clearance_ratio_min * R1_MID == pytest.approx(30.0 - 10.0 - bulge, abs=1e-3)
    assert los.fresnel_verdict == ">= 60 % clear"


@pytest.mark.parametrize("bad", [0, -900, float("nan"), float("inf"), "fast"])
def test_bad_frequency_refused(bad):
    dem = knife_edge_dem(0.0)
    with pytest.raises(InputError, match="frequency"):
        line_of_sight(dem, xy(dem, 50, 0), xy(dem, 50, 100), frequency_mhz=bad)
