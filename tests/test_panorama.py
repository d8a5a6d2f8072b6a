"""The horizon around an observer (terrain.horizon), its picture and `terrain panorama`.

Checked against: the analytic dip of the sea horizon on a flat earth with curvature; a slow pure-Python ray
march written independently of the kernel (tests below, :func:`oracle_ray`); the exact viewshed and
``line_of_sight`` on the real SRTM tile; the Hama stand-in (labelled SYNTHETIC).
"""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from terrain import InputError, dem_from_array, horizon, line_of_sight, load_dem, viewshed
from terrain.earth import EARTH_RADIUS_M, curvature_factor, horizon_distance_m
from terrain.grid import row_geometry, row_heights_m
from terrain.horizon import azimuths_deg, band_edges_for, horizon_to_dict, towards, write_horizon_csv

from conftest import SAMPLES, WHITE_MOUNTAINS

HAMA = SAMPLES / "hama_standin.tif"


def flat_dem(n=501, cell=60.0, z=0.0):
    """A flat plane ``n`` x ``n`` cells of ``cell`` metres on UTM 33N's central meridian (ground metres)."""
    return dem_from_array(np.full((n, n), z, np.float32), (500000, cell, 0, 4000000 + n * cell, 0, -cell),
                          crs="EPSG:32633")


def centre(dem):
    t = dem.rio.transform()
    r, c = dem.shape[0] // 2, dem.shape[1] // 2
    return f"xy:{t.c + (c + 0.5) * t.a},{t.f + (r + 0.5) * t.e}"


@pytest.fixture(scope="module")
def wm():
    from terrain.dem import bounds_around

    return load_dem(WHITE_MOUNTAINS, bounds=bounds_around(44.2706, -71.3033, 16_000))


@pytest.fixture(scope="module")
def hama():
    return load_dem(HAMA)


# ----------------------------------------------------------------------------------------------- the oracle

def oracle_ray(z, y_m, dx_m, r0, c0, eye_z, curv, max_d, a_deg, edges):
    """Slow pure-Python horizon of one azimuth: ``(slope, distance, ground, at_limit, band_angles)``.

    Written apart from the kernel: the ray is parametrised by ``tau`` (metres at the observer's scale), the
    major-axis grid lines it crosses are found from ``tau_j = j / |v_major|``, and the terrain there is the
    linear interpolation across the grid line between the two cells bracketing the crossing (R3), found
    with floor and fractional parts; voids are skipped; the distance is the equirectangular rule with the
    row's position and width interpolated. The horizon is the largest slope, the farthest one on a tie.
    """
    nrows, ncols = z.shape
    dy0 = float(row_heights_m(y_m)[r0])
    a = math.radians(a_deg)
    vr, vc = -math.cos(a) / dy0, math.sin(a) / float(dx_m[r0])
    row_major = abs(vr) >= abs(vc)
    v_major, v_minor = (vr, vc) if row_major else (vc, vr)
    samples = []
    j = 1
    while True:
        tau = j / abs(v_major)
        major = (r0 if row_major else c0) + math.copysign(j, v_major)
        minor = (c0 if row_major else r0) + tau * v_minor
        if abs(minor - round(minor)) < 1e-9:
            minor = float(round(minor))
        lo = math.floor(minor)
        frac = minor - lo
        size_major, size_minor = (nrows, ncols) if row_major else (ncols, nrows)
        if not (0 <= major < size_major) or lo < 0 or lo >= size_minor or (frac > 0 and lo + 1 >= size_minor):
            break
        cell = (lambda m: float(z[int(major), m])) if row_major else (lambda m: float(z[m, int(major)]))
        zp = cell(lo) if frac == 0 else (1 - frac) * cell(lo) + frac * cell(lo + 1)
        rf, cf = (float(major), minor) if row_major else (minor, float(major))
        i = math.floor(rf)
        g = rf - i
        y = float(y_m[i]) if g == 0 else (1 - g) * float(y_m[i]) + g * float(y_m[i + 1])
        w = float(dx_m[i]) if g == 0 else (1 - g) * float(dx_m[i]) + g * float(dx_m[i + 1])
        d = math.hypot(y - float(y_m[r0]), (cf - c0) * (w + float(dx_m[r0])) / 2)
        if max_d > 0 and d > max_d:
            break
        samples.append((d, zp))
        j += 1
    best, best_d, best_z, last_d = -math.inf, math.nan, math.nan, None
    bands = [math.nan] * (len(edges) - 1)
    for d, zp in samples:
        if math.isnan(zp):
            continue
        last_d = d
        s = (zp - curv * d * d - eye_z) / d
        if s >= best:
            best, best_d, best_z = s, d, zp
        for b in range(len(edges) - 1):
            if edges[b] <= d < edges[b + 1]:
                ang = float(np.float32(math.degrees(math.atan(s))))
                bands[b] = ang if math.isnan(bands[b]) else max(bands[b], ang)
    return best, best_d, best_z, (last_d is not None and best_d == last_d), bands


# ------------------------------------------------------------------------------------- analytic flat earth

@pytest.mark.parametrize("eye_m,k", [(10.0, 0.13), (10.0, 0.0), (25.0, 0.25)])
def test_flat_earth_dip_of_the_horizon(eye_m, k):
    dem = flat_dem(n=801)
    hz = horizon(dem, centre(dem), observer_height=eye_m, refraction=k, azimuth_step_deg=5, landmarks=False)
    r_eff = EARTH_RADIUS_M / (1.0 - k)
    dip_deg = -math.degrees(math.sqrt(2.0 * eye_m / r_eff))  # small-angle dip of the horizon, about -0.1 deg
    d_h = horizon_distance_m(eye_m, refraction=k)            # sqrt(2 h R'): 11.3 to 20.6 km
    assert d_h < 0.9 * 400 * 60.0  # inside the plane in every direction
    # the exact maximum of atan((-curv d^2 - h) / d) is at d_h, where the slope is -2 sqrt(h curv)
    exact = math.degrees(math.atan(-2.0 * math.sqrt(eye_m * curvature_factor(True, k))))
    assert np.all(np.abs(hz.elevation_angle_deg.values - exact) < 1e-6)
    assert np.all(np.abs(hz.elevation_angle_deg.values - dip_deg) < 1e-5)  # small-angle formula
    # the maximum is flat, but the crossing nearest d_h is the largest: within one diagonal step of 60 m cells
    assert np.all(np.abs(hz.distance_m.values - d_h) < 60.0 * math.sqrt(2.0))
    assert not hz.at_limit.values.any()


def test_flat_earth_without_curvature_reaches_the_edge():
    dem = flat_dem(n=201, cell=50.0)
    hz = horizon(dem, centre(dem), observer_height=5.0, curvature=False, azimuth_step_deg=10, landmarks=False)
    assert hz.at_limit.values.all()  # the angle rises to the end of every ray
    reach = hz.reach_m.values
    np.testing.assert_allclose(hz.distance_m.values, reach)
    np.testing.assert_allclose(hz.elevation_angle_deg.values, -np.degrees(np.arctan(5.0 / reach)), atol=1e-12)
    assert reach.min() == pytest.approx(100 * 50.0)  # due north/south/east/west: 100 cells to the edge


def test_radius_stops_the_rays():
    dem = flat_dem(n=201, cell=50.0)
    hz = horizon(dem, centre(dem), observer_height=5.0, curvature=False, max_distance=2_000, azimuth_step_deg=15,
                 landmarks=False)
    assert hz.reach_m.values.max() <= 2_000.0
    assert hz.reach_m.values.min() > 2_000.0 - 50.0 * math.sqrt(2)
    assert hz.band_end_m.values[-1] == 2_000.0


# -------------------------------------------------------------------------------------------- the oracle

@pytest.mark.parametrize("observer,sector,radius", [("Mount Washington", None, 12_000.0),
                                                    ("44.2200,-71.3900", (3.1, 350.0), None)])
def test_kernel_matches_the_slow_ray_march(wm, observer, sector, radius):
    """Every azimuth's horizon (angle, distance, ground, edge flag) and band skylines equal the slow march's,
    on the real tile's geographic grid (row-dependent cell widths), with and without a radius."""
    from terrain.viewshed import prepare

    hz = horizon(wm, observer, observer_height=3.0, azimuth_step_deg=7.5, azimuth=sector, max_distance=radius,
                 landmarks=False)
    s = prepare(wm, observer, 3.0, 0.0, radius, 0.0, None, None, True, 0.13, False, "exact")
    z = np.ascontiguousarray(wm.isel(y=s.rows, x=s.cols).values, dtype=np.float32)
    edges = np.concatenate([hz.band_start_m.values, hz.band_end_m.values[-1:]])
    for i, a in enumerate(hz.azimuth.values):
        slope, d, g, last, bands = oracle_ray(z, s.y_m, s.dx_m, s.r0, s.c0, s.eye_z, s.curv, s.max_d, float(a), edges)
        assert hz.elevation_angle_deg.values[i] == pytest.approx(math.degrees(math.atan(slope)), abs=1e-9)
        assert hz.distance_m.values[i] == pytest.approx(d, abs=1e-6)
        assert hz.ground_m.values[i] == pytest.approx(g, abs=1e-4)
        assert bool(hz.at_limit.values[i]) == last
        np.testing.assert_allclose(hz.skyline_deg.values[i], bands, atol=1e-5)


# ---------------------------------------------------------------------------- against the exact viewshed

def test_horizon_points_are_seen_in_the_exact_viewshed(wm):
    """For every azimuth the horizon is seen in the exact viewshed.

    The horizon point is a grid-line crossing, usually between two cell centres, while the viewshed judges
    cell centres, each by its own R3 sight line a fraction of a cell off the ray: so the horizon counts as
    seen when its cell or one of the 8 around it is visible.
    """
    obs, radius = "Mount Washington", 12_000.0
    hz = horizon(wm, obs, observer_height=2.0, max_distance=radius, azimuth_step_deg=2, landmarks=False)
    vs = viewshed(wm, obs, observer_height=2.0, max_distance=radius, method="exact", outputs=("visible",))
    vis = vs.visible.values
    ys, xs = vs.y.values, vs.x.values
    for i, a in enumerate(hz.azimuth.values):
        iy = int(np.argmin(np.abs(ys - float(hz.lat.values[i]))))
        ix = int(np.argmin(np.abs(xs - float(hz.lon.values[i]))))
        assert (vis[max(iy - 1, 0):iy + 2, max(ix - 1, 0):ix + 2] == 1).any(), f"azimuth {a}: horizon not seen"


_UTM = {}


def utm_wm():
    """The White Mountains window warped to UTM (bilinear, 90 m), once."""
    from terrain import to_utm
    from terrain.dem import bounds_around

    if "dem" not in _UTM:
        _UTM["dem"] = to_utm(load_dem(WHITE_MOUNTAINS, bounds=bounds_around(44.2706, -71.3033, 16_000)), 90.0)
    return _UTM["dem"]


def _directions(n):
    """Grid steps ``(d_row, d_col)``, coprime, at most ``n`` cells either way: the rays through cell centres."""
    return [(p, q) for p in range(-n, n + 1) for q in range(-n, n + 1) if (p or q) and math.gcd(p, q) == 1]


@pytest.mark.parametrize("grid,delta_deg", [("geographic", 0.005), ("utm", 1e-5)])
def test_nothing_beyond_the_horizon_is_seen_below_it(wm, grid, delta_deg):
    """Along a ray through cell centres (a direction of whole cells), every third cell farther out than the
    horizon is checked with ``line_of_sight``: a target there reaching ``delta_deg`` below the horizon's
    angle is hidden, one reaching ``delta_deg`` above it is seen (so the horizon angle is the sight lines'
    own, and nothing beyond the horizon shows above it).

    Such a ray's grid-line crossings are those of the sight line to each cell centre on it, so no
    tolerance is needed for a ray passing beside a cell. On the projected (UTM) grid the two distance rules
    agree and the margin is 1e-5 degrees. On the geographic grid the sight line puts a crossing a fraction
    of the target's distance out, while the ray measures each crossing with its own row's cell width; the
    two differ by up to about 4e-4 of the distance over 12 km at 44 N (the cell width changes by that much),
    which for a steep near horizon (-7 degrees) is 0.003 degrees: the margin there is 0.005 degrees.
    """
    from terrain.coords import grid_to_latlon, locate
    from terrain.kernels.panorama import ray_azimuth_deg

    dem = wm if grid == "geographic" else utm_wm()
    obs, radius, eye = "Mount Washington", 12_000.0, 2.0
    o = locate(dem, obs)
    y_m, dx_m = row_geometry(dem.rio.transform(), dem.shape, dem.rio.crs)
    dy0 = float(row_heights_m(y_m)[o.r])
    steps = _directions(3)
    az = [float(ray_azimuth_deg(p, q, float(dx_m[o.r]), dy0)) for p, q in steps]
    hz = horizon(dem, obs, observer_height=eye, max_distance=radius, azimuths=az, landmarks=False)
    curv = curvature_factor()
    checked = ties = 0
    for i, (p, q) in enumerate(steps):
        d_h = float(hz.distance_m.values[i])
        alpha = float(hz.elevation_angle_deg.values[i])
        j = 1
        while True:
            r, c = o.r + j * p, o.c + j * q
            j += 1
            if not (0 <= r < dem.shape[0] and 0 <= c < dem.shape[1]):
                break
            tlat, tlon = grid_to_latlon(dem, r, c)
            target = (float(tlat), float(tlon))
            bare = line_of_sight(dem, obs, target, observer_height=eye)
            D = bare.distance_m
            if D > radius:
                break
            if D <= d_h + 1.0 or j % 3:  # beyond the horizon; every third cell is enough
                continue
            ground = bare.target.ground_m
            for delta, seen in ((-delta_deg, False), (delta_deg, True)):
                top = bare.observer_eye_m + D * math.tan(math.radians(alpha + delta)) + curv * D * D
                if top < ground:  # the ground itself is within delta of the horizon's angle: no target below it
                    assert not seen, f"ray {p},{q}: the ground at {D:.0f} m rises above the horizon's angle"
                    ties += 1
                    continue
                los = line_of_sight(dem, obs, target, observer_height=eye, target_height=max(top - ground, 0.0))
                assert los.visible is seen, f"ray {p},{q}: cell {r},{c} at {D:.0f} m, {alpha + delta:.4f} deg"
            checked += 1
    assert len(steps) == 32 and checked > 300 and ties < 0.05 * checked


# --------------------------------------------------------------------------------------- sectors, errors

def test_sector_is_the_full_circle_cut(wm):
    full = horizon(wm, "Mount Washington", azimuth_step_deg=1, max_distance=8_000, landmarks=False)
    part = horizon(wm, "Mount Washington", azimuth_step_deg=1, max_distance=8_000, azimuth=(350, 10),
                   landmarks=False)
    assert list(part.azimuth.values) == [float(v) for v in list(range(350, 360)) + list(range(0, 11))]
    np.testing.assert_array_equal(part.elevation_angle_deg.values,
                                  full.elevation_angle_deg.sel(azimuth=part.azimuth.values).values)


def test_azimuths_and_bands():
    assert azimuths_deg().size == 1440
    assert azimuths_deg(1, (135, 225))[[0, -1]].tolist() == [135.0, 225.0]
    with pytest.raises(InputError, match="does not divide 360"):
        azimuths_deg(0.7)
    with pytest.raises(InputError, match="empty"):
        azimuths_deg(1, (90, 90))
    with pytest.raises(InputError):
        azimuths_deg(0)
    assert band_edges_for(12_000).tolist() == [0, 500, 1000, 2000, 3000, 5000, 7500, 10000, 12000]
    assert band_edges_for(15_500).tolist()[-2:] == [10000, 15500]  # a sliver of a last band is merged


# --------------------------------------------------------------------------------------------- Hama case

def test_hama_panorama_from_zayn_al_abidin(hama):
    hz = horizon(hama, "Zayn al-Abidin", observer_height=2.0, azimuth=(90, 270))
    assert hz.attrs["synthetic"] == 1
    names = list(hz.landmark_name.values)
    i = names.index("Hama")
    los = line_of_sight(hama, "Zayn al-Abidin", "Hama", observer_height=2.0)
    assert bool(hz.landmark_visible.values[i]) == los.visible is True
    assert hz.landmark_distance_m.values[i] == pytest.approx(los.distance_m)
    to_city = towards(hz, float(hz.landmark_azimuth_deg.values[i]))
    # the city lies well inside the horizon: the skyline behind it is the plateau's far edge
    assert to_city["distance_m"] > 2.5 * los.distance_m
    assert to_city["elevation_angle_deg"] > float(hz.landmark_elevation_angle_deg.values[i]) + 1.0
    assert -1.2 < to_city["elevation_angle_deg"] < -0.4
    # the highest skyline of the southern half is the 518 m hill 24 km away at the east edge (35.14N 37.02E)
    s = horizon_to_dict(hz)["summary"]
    assert 105 < s["highest"]["azimuth_deg"] < 110 and 23_000 < s["highest"]["distance_m"] < 25_000


def test_hama_full_circle_1440_rays_is_fast(hama):
    import time

    horizon(hama, "Zayn al-Abidin", landmarks=False)  # compiled
    t0 = time.perf_counter()
    hz = horizon(hama, "Zayn al-Abidin", landmarks=False)
    assert hz.sizes["azimuth"] == 1440
    assert time.perf_counter() - t0 < 5.0  # about 0.05 s on 2 shared cores
    # Jabal Kafra, 3.5 km east and 10 m lower, stands highest on the skyline
    top = horizon_to_dict(hz)["summary"]["highest"]
    assert 85 < top["azimuth_deg"] < 88 and top["distance_m"] == pytest.approx(3550, abs=100)


# ---------------------------------------------------------------------------------------- table, picture

def test_csv_and_json(tmp_path, hama):
    hz = horizon(hama, "Zayn al-Abidin", azimuth_step_deg=1, azimuth=(180, 200), landmarks=False)
    path = write_horizon_csv(hz, tmp_path / "h.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# data: SYNTHETIC stand-in")
    rows = list(csv.DictReader(lines[1:]))
    assert len(rows) == 21 and rows[0]["azimuth_deg"] == "180.0"
    assert float(rows[5]["elevation_angle_deg"]) == pytest.approx(float(hz.elevation_angle_deg.values[5]), abs=1e-4)
    d = horizon_to_dict(hz)
    json.dumps(d, allow_nan=False)
    assert d["observer"]["name"] == "Zayn al-Abidin" and len(d["horizon"]) == 21
    with pytest.raises(InputError):
        write_horizon_csv(hz, tmp_path / "h.txt")


def test_picture(hama):
    import matplotlib.colors as mcolors
    from matplotlib.text import Text

    from terrain.plot import plot_panorama
    from terrain.plot.panorama_view import band_colours

    hz = horizon(hama, "Zayn al-Abidin", azimuth=(90, 270))
    ax = plot_panorama(hz)
    texts = [t.get_text() for t in ax.figure.findobj(Text)]
    assert any("SYNTHETIC stand-in" in t for t in texts)
    assert any(t.startswith("Hama  7.7 km") for t in texts)
    assert "vertical scale ×" in ax.get_ylabel()
    assert [t.get_text() for t in ax.get_xticklabels()][0] == "E\n90°"
    lum = [np.dot(mcolors.to_rgb(c), (0.2126, 0.7152, 0.0722)) for c in band_colours(hz.sizes["band"])]
    assert all(a < b for a, b in zip(lum, lum[1:]))  # nearest dark, farthest pale
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


# --------------------------------------------------------------------------------------------- command

def test_command(tmp_path):
    from terrain.cli.main import cli

    out_csv, out_png = tmp_path / "p.csv", tmp_path / "p.png"
    res = CliRunner().invoke(cli, ["panorama", str(HAMA), "--observer", "Zayn al-Abidin", "--step", "1",
                                   "--azimuth", "135,225", "--csv", str(out_csv), "--plot", str(out_png)])
    assert res.exit_code == 0, res.output
    assert "Hama" in res.output and "SYNTHETIC" in res.output
    assert out_png.stat().st_size > 10_000 and len(out_csv.read_text().splitlines()) == 1 + 1 + 91
    res = CliRunner().invoke(cli, ["panorama", str(HAMA), "--observer", "Zayn al-Abidin", "--step", "2",
                                   "--radius", "10km", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.output)
    assert len(d["horizon"]) == 180 and d["parameters"]["max_distance_m"] == 10_000
    res = CliRunner().invoke(cli, ["panorama", "--help"])
    assert "Example" in res.output and "terrain panorama" in res.output
    res = CliRunner().invoke(cli, ["panorama", str(HAMA), "--observer", "Zayn al-Abidin", "--step", "0.7"])
    assert res.exit_code == 2 and "divide 360" in res.output


# ----------------------------------------------------------------------------------------------- report

def test_report_has_the_panorama_towards_the_target(tmp_path):
    from terrain.report import analyse, build_report

    a = analyse(None, ["Zayn al-Abidin"], "Hama", radius_m=6_000, key_terrain=False, panorama_radius_m=20_000)
    paths = build_report(a, tmp_path / "r")
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    pano = data["panorama"]
    assert pano["observer"] == "Zayn al-Abidin" and pano["towards_target_deg"] == 191.0
    assert (pano["from_deg"], pano["to_deg"], pano["radius_m"]) == (101.0, 281.0, 20_000.0)
    direct = horizon(load_dem(HAMA), "Zayn al-Abidin", max_distance=20_000, azimuth=(101, 281), landmarks=False)
    at = towards(direct, 191.0)
    assert pano["towards_target"]["elevation_angle_deg"] == pytest.approx(at["elevation_angle_deg"], abs=1e-3)
    assert pano["towards_target"]["distance_km"] == pytest.approx(at["distance_m"] / 1000, abs=0.01)
    assert any(m["name"] == "Hama" and m["visible"] for m in pano["landmarks"])
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "## Panorama" in md and "(panorama.png)" in md and (tmp_path / "r" / "panorama.png").is_file()
    assert 'id="panorama"' in paths["html"].read_text(encoding="utf-8")
