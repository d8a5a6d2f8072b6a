"""Write ``hama_standin.tif``: a SYNTHETIC stand-in DEM of the Hama area, Syria.

This is NOT SRTM and NOT a measurement of the real ground. Real SRTM tiles for Hama
(N35E036, N34E036) cannot be downloaded on the machines where this project is built,
so this script draws a plausible landscape, deterministically from a seed, that keeps
the features the examples and tests need:

* Hama city on a plateau at about 305 m beside the Orontes;
* the Orontes valley, incised about 30 m, meandering from the south-east edge through
  Hama, north-west past Halfaya and the Mhardeh dam (with a small reservoir) and out
  at the north-west corner onto a plain at about 170-200 m (toward al-Ghab);
* a hill mass about 8 km north of the city with two summits, Zayn al-Abidin (650 m)
  and Jabal Kafra (640 m), whose southern slopes overlook the city, and villages
  behind it (Maardes, Souran) from which the city is hidden;
* lower competing hills to the east, south-east, south-west and north-east;
* seeded spectral (1/f) fractal relief: a few metres on the plateau, tens of metres
  on the hills.

Heights at the control points of ``CONTROL_HEIGHTS_M`` are pinned exactly by smooth
local corrections (about 1 km across); each summit is then its hill's highest cell (the
ground round it is capped by a cone falling 5 m per 100 m) and no cell within 300 m of
the city centre is higher than it. The grid is EPSG:4326 with edges exactly
34.95-35.45 N and 36.45-37.05 E; at 3600 cells per degree (1 arc-second) that is
1800 rows by 2160 columns of int16 metres.

Usage::

    python make_hama_standin.py [--seed 20240612] [--cells-per-degree 3600] [-o hama_standin.tif]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np

#: Seed of the committed ``hama_standin.tif``.
DEFAULT_SEED = 20240612

#: Cells per degree of the committed file (1 arc-second).
DEFAULT_CELLS_PER_DEGREE = 3600

#: Edges of the grid, degrees (west, south, east, north).
BOUNDS = (36.45, 34.95, 37.05, 35.45)

NODATA = -32768

SYNTHETIC_LABEL = "SYNTHETIC stand-in — not SRTM"
DESCRIPTION = (SYNTHETIC_LABEL + ": seeded fractal relief plus hand-placed hills, plateau and "
               "Orontes valley imitating the Hama area, Syria; not a measurement of the real ground.")

#: Local origin of the metric frame: Hama city centre (lat, lon).
_ORIGIN = (35.1350, 36.7500)
_KM_PER_DEG_LAT = 110.95
_KM_PER_DEG_LON = 111.32 * math.cos(math.radians(_ORIGIN[0]))

#: Heights (metres) pinned at control points: name -> (lat, lon, height_m).
CONTROL_HEIGHTS_M = {
    "Hama": (35.1350, 36.7500, 305.0),
    "Zayn al-Abidin": (35.2030, 36.7663, 650.0),
    "Jabal Kafra": (35.2050, 36.8050, 640.0),
    "Qamhana": (35.1972, 36.7347, 338.0),
    "Souran": (35.2897, 36.7433, 350.0),
}

#: Orontes centre line, upstream to downstream, (lat, lon). Hama's reach passes
#: about 800 m south-west of the city-centre point, which stays on the plateau edge.
_RIVER = [
    (34.930, 36.870), (34.985, 36.835), (35.035, 36.812), (35.080, 36.790),
    (35.110, 36.765), (35.130, 36.742), (35.148, 36.712), (35.170, 36.680),
    (35.200, 36.655), (35.228, 36.632), (35.246, 36.606), (35.2684, 36.5770),
    (35.300, 36.545), (35.345, 36.515), (35.392, 36.482), (35.440, 36.458),
    (35.470, 36.440),
]

#: River bed height (metres) at river-line vertices: index -> height; linear in between.
_BED_M = {0: 292.0, 5: 272.0, 11: 240.0, 16: 170.0}

#: Index of the Mhardeh dam in ``_RIVER``; the reservoir lies upstream of it.
_DAM_INDEX = 11


def _local_km(lat, lon):
    """Return (x east, y north) in km from Hama city centre (equirectangular)."""
    return (np.asarray(lon) - _ORIGIN[1]) * _KM_PER_DEG_LON, (np.asarray(lat) - _ORIGIN[0]) * _KM_PER_DEG_LAT


def _smoothstep(t):
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _fractal_noise(rng, shape, cell_km, beta=2.1, min_wavelength_km=0.12, max_wavelength_km=12.0):
    """Spectral 1/f**beta noise with unit standard deviation, periodic, float64."""
    ny, nx = shape
    ky = np.fft.fftfreq(ny, d=cell_km[0])[:, None]
    kx = np.fft.rfftfreq(nx, d=cell_km[1])[None, :]
    k = np.hypot(kx, ky)
    k[0, 0] = 1.0
    amp = k ** (-beta / 2.0 - 0.5)
    amp[k > 1.0 / min_wavelength_km] = 0.0
    amp *= 1.0 / (1.0 + (1.0 / (max_wavelength_km * k)) ** 4)  # roll off the longest waves
    amp[0, 0] = 0.0
    phase = rng.uniform(0.0, 2.0 * np.pi, amp.shape)
    field = np.fft.irfft2(amp * np.exp(1j * phase), s=shape)
    return field / field.std()


def _river_distance_km(line_x, line_y, line_s, x1, y1):
    """Return distance (km) from every cell to a densified polyline, and the line's arc length there.

    The line is burnt into the grid (``x1`` column and ``y1`` row centres, km) and an exact
    Euclidean distance transform gives each cell its nearest line cell; distances are
    therefore within half a cell of the true ones.
    """
    from scipy import ndimage

    dx, dy = x1[1] - x1[0], y1[1] - y1[0]
    cols = np.rint((line_x - x1[0]) / dx).astype(int)
    rows = np.rint((line_y - y1[0]) / dy).astype(int)
    inside = (rows >= 0) & (rows < len(y1)) & (cols >= 0) & (cols < len(x1))
    s_grid = np.zeros((len(y1), len(x1)))
    off_line = np.ones((len(y1), len(x1)), dtype=bool)
    off_line[rows[inside], cols[inside]] = False
    s_grid[rows[inside], cols[inside]] = line_s[inside]
    d, (ri, ci) = ndimage.distance_transform_edt(off_line, sampling=(abs(dy), abs(dx)),
                                                 return_indices=True)
    return d, s_grid[ri, ci]


def _meandering_river(rng):
    """Return the river centre line densified to ~10 m, with seeded meanders, in local km."""
    lat, lon = np.array(_RIVER).T
    vx, vy = _local_km(lat, lon)
    xs, ys, vertex_at = [], [], {}
    for i in range(len(vx) - 1):
        seg = math.hypot(vx[i + 1] - vx[i], vy[i + 1] - vy[i])
        n = max(2, int(seg / 0.01))
        t = np.arange(n) / n
        vertex_at[i] = len(xs)
        xs.extend(vx[i] + t * (vx[i + 1] - vx[i]))
        ys.extend(vy[i] + t * (vy[i + 1] - vy[i]))
    vertex_at[len(vx) - 1] = len(xs)
    xs.append(vx[-1])
    ys.append(vy[-1])
    xs, ys = np.array(xs), np.array(ys)
    s = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))])
    # Meanders: lateral offsets from a few seeded sines, zero at Hama and at the dam.
    off = np.zeros_like(s)
    for wavelength in (1.9, 3.3, 6.1):
        off += rng.uniform(0.15, 0.3) * np.sin(2 * np.pi * s / wavelength + rng.uniform(0, 2 * np.pi))
    for pinned in (5, _DAM_INDEX):
        off *= 1.0 - np.exp(-((s - s[vertex_at[pinned]]) / 0.9) ** 2)
    nx_, ny_ = np.gradient(ys), -np.gradient(xs)
    norm = np.hypot(nx_, ny_)
    xs, ys = xs + off * nx_ / norm, ys + off * ny_ / norm
    s = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(xs), np.diff(ys)))])
    knots = sorted(_BED_M)
    bed = np.interp(s, [s[vertex_at[i]] for i in knots], [_BED_M[i] for i in knots])
    return xs, ys, s, bed, s[vertex_at[_DAM_INDEX]]


def _cell_of(lat, lon, transform, n_rows, n_cols):
    """Return (row, col) of the grid cell holding (lat, lon), as rasterio's ``index`` finds it."""
    from rasterio.transform import rowcol

    row, col = rowcol(transform, lon, lat)
    return min(int(row), n_rows - 1), min(int(col), n_cols - 1)


def _hill(x, y, lat, lon, height_m, sx_km, sy_km, peak=1.0, angle_deg=0.0):
    """A hill centred at (lat, lon): height * exp(-r**peak), r the scaled distance.

    ``peak`` 1 gives a sharp cone-like top whose slopes flatten with distance (concave
    upward everywhere), so a summit sees down its own flanks; ``peak`` 2 a round Gaussian.
    """
    cx, cy = _local_km(lat, lon)
    a = math.radians(angle_deg)
    u = (x - cx) * math.cos(a) + (y - cy) * math.sin(a)
    v = -(x - cx) * math.sin(a) + (y - cy) * math.cos(a)
    r = np.sqrt((u / sx_km) ** 2 + (v / sy_km) ** 2 + 0.004)
    return height_m * np.exp(-(r ** peak))


def build_hama_standin(cells_per_degree: int = DEFAULT_CELLS_PER_DEGREE, seed: int = DEFAULT_SEED):
    """Return the stand-in heights (int16 metres, north-up) and its affine transform.

    Parameters
    ----------
    cells_per_degree : int
        Grid resolution; 3600 is 1 arc-second (1800 x 2160 cells). Smaller values give
        a quick, coarser landscape of the same shape (used by the tests).
    seed : int
        Seed of the random relief and meanders; the same seed gives the same heights.
    """
    from rasterio.transform import from_origin

    west, south, east, north = BOUNDS
    n_rows = round((north - south) * cells_per_degree)
    n_cols = round((east - west) * cells_per_degree)
    cell = 1.0 / cells_per_degree
    rng = np.random.default_rng(seed)
    transform = from_origin(west, north, cell, cell)

    lat = north - (np.arange(n_rows) + 0.5) * cell
    lon = west + (np.arange(n_cols) + 0.5) * cell
    x1, y1 = _local_km(lat, lon)
    x, y = np.broadcast_to(x1[None, :], (n_rows, n_cols)), np.broadcast_to(y1[:, None], (n_rows, n_cols))

    cell_km = (cell * _KM_PER_DEG_LAT, cell * _KM_PER_DEG_LON)
    shape = (n_rows, n_cols)
    broad = _fractal_noise(rng, shape, cell_km, beta=2.2, min_wavelength_km=0.15)
    fine = _fractal_noise(rng, shape, cell_km, beta=1.6, min_wavelength_km=0.09, max_wavelength_km=2.0)
    gully = _fractal_noise(rng, shape, cell_km, beta=2.0, min_wavelength_km=0.3, max_wavelength_km=2.5)
    warp_x = _fractal_noise(rng, shape, cell_km, beta=2.5, min_wavelength_km=1.0, max_wavelength_km=8.0)
    warp_y = _fractal_noise(rng, shape, cell_km, beta=2.5, min_wavelength_km=1.0, max_wavelength_km=8.0)

    # Around the control points the relief is damped and the hills are not warped: the
    # city stays flat and the pinned heights need only small corrections.
    quiet = np.ones(shape)
    unwarped = np.ones(shape)
    for name, (plat, plon, _) in CONTROL_HEIGHTS_M.items():
        px, py = _local_km(plat, plon)
        r2 = (x - px) ** 2 + (y - py) ** 2
        quiet *= 1.0 - 0.9 * np.exp(-r2 / (2.0 if name == "Hama" else 0.6) ** 2)
        unwarped *= 1.0 - np.exp(-r2 / 1.5 ** 2)

    # 1. Regional surface: a plateau rising gently east and south, an upland swell north
    #    of the city, falling north-west toward the al-Ghab plain.
    h = 302.0 + 2.4 * x - 0.4 * y
    h += 55.0 * np.exp(-(((x - 1.0) / 9.0) ** 2 + ((y - 15.0) / 9.0) ** 2))
    u_nw = (-x + y) / math.sqrt(2.0)  # km toward the north-west
    plain = 185.0 + 4.0 * np.sin(0.7 * x) * np.cos(0.5 * y)
    h = h + (plain - h) * _smoothstep((u_nw - 22.0) / 16.0)

    # 2. Hills: the hill mass north of Hama and lower competitors on domain-warped
    #    coordinates for irregular outlines; the two summit cones unwarped, so that they
    #    stay where the gazetteer puts them.
    xw = x + 0.7 * unwarped * warp_x
    yw = y + 0.7 * unwarped * warp_y
    hills = _hill(xw, yw, 35.2080, 36.7970, 110.0, 3.4, 1.7, peak=2.0, angle_deg=8.0)  # hill mass
    hills += _hill(x, y, 35.2030, 36.7663, 270.0, 1.05, 1.15, peak=1.0)   # Zayn al-Abidin
    hills += _hill(x, y, 35.2050, 36.8050, 212.0, 1.0, 1.15, peak=1.0)    # Jabal Kafra
    hills += _hill(xw, yw, 35.2300, 36.8400, 60.0, 2.0, 1.0, peak=1.5, angle_deg=35.0)  # NE spur
    hills += _hill(xw, yw, 35.0650, 36.9400, 175.0, 2.2, 1.5, peak=1.3, angle_deg=30.0)  # SE hill
    hills += _hill(xw, yw, 35.3700, 36.9700, 130.0, 2.5, 1.8, peak=1.5, angle_deg=-20.0)  # NE hill
    hills += _hill(xw, yw, 35.0100, 36.5600, 90.0, 2.0, 2.6, peak=1.6)      # SW hill
    hills += _hill(xw, yw, 35.1400, 37.0100, 110.0, 3.0, 2.0, peak=1.8)     # E hill
    h += hills

    # 3. Fractal relief: a few metres on the plateau, tens of metres on the hills, where
    #    V-shaped gullies (|noise|) score the slopes.
    rugged = np.clip(hills / 100.0, 0.0, 1.0)
    h += (9.0 + 10.0 * rugged) * quiet * broad + (0.8 + 2.0 * rugged) * quiet * fine
    h += 25.0 * rugged * quiet * (np.abs(gully) - 0.8)

    # 4. The Orontes: a valley ~1.2 km wide with a flat floor, carved to the bed profile;
    #    a reservoir upstream of the Mhardeh dam.
    rx, ry, rs, rbed, s_dam = _meandering_river(rng)
    d, s = _river_distance_km(rx, ry, rs, x1, y1)
    bed = np.interp(s, rs, rbed)
    floor_km, half_width_km = 0.12, 0.65
    wall = _smoothstep((d - floor_km) / (half_width_km - floor_km))  # 0 on the floor, 1 outside
    carved = bed + np.maximum(h - bed, 0.0) * wall
    h = np.minimum(h, carved)
    lake_level = float(np.interp(s_dam, rs, rbed)) + 6.0
    lake = (s > s_dam - 3.5) & (s <= s_dam) & (d < 0.35) & (h < lake_level + 12.0)
    h = np.where(lake, np.minimum(h, lake_level), h)
    dam = (np.abs(s - s_dam) < 0.04) & (d < 0.5)
    h = np.where(dam, np.maximum(h, lake_level + 4.0), h)

    # 5. Pin the control heights with smooth local corrections (~1 km across), then cap
    #    the ground round each summit by a cone falling 5 m per 100 m out to 2 km, so
    #    that each summit is its hill's highest cell and sees down its own flanks; and
    #    no cell within 300 m of the city centre is higher than it, so that sight lines
    #    reaching it are not cut by a neighbouring cell of the (nearly flat) plateau.
    for plat, plon, target in CONTROL_HEIGHTS_M.values():
        r, c = _cell_of(plat, plon, transform, n_rows, n_cols)
        bump = np.exp(-((x - x1[c]) ** 2 + (y - y1[r]) ** 2) / 0.45 ** 2)
        h += (target - h[r, c]) * bump
    for name, fall_m_per_km, radius_km in (("Zayn al-Abidin", 50.0, 2.0), ("Jabal Kafra", 50.0, 2.0),
                                          ("Hama", 0.0, 0.3)):
        plat, plon, target = CONTROL_HEIGHTS_M[name]
        r, c = _cell_of(plat, plon, transform, n_rows, n_cols)
        dist_km = np.hypot(x - x1[c], y - y1[r])
        h = np.where(dist_km < radius_km, np.minimum(h, target - fall_m_per_km * dist_km), h)

    heights = np.rint(h).astype(np.int16)
    return heights, transform


def write_geotiff(path, heights, transform, seed: int = DEFAULT_SEED) -> Path:
    """Write ``heights`` as the tagged, tiled, DEFLATE-compressed stand-in GeoTIFF at ``path``."""
    import rasterio

    path = Path(path)
    profile = dict(driver="GTiff", width=heights.shape[1], height=heights.shape[0], count=1,
                   dtype="int16", crs="EPSG:4326", transform=transform, nodata=NODATA,
                   tiled=True, blockxsize=256, blockysize=256, compress="deflate", predictor=2)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(heights, 1)
        dst.update_tags(TIFFTAG_IMAGEDESCRIPTION=DESCRIPTION, SOURCE=DESCRIPTION, SYNTHETIC="1",
                        GENERATOR=f"make_hama_standin.py --seed {seed}", SEED=str(seed),
                        AREA_OR_POINT="Area")
        dst.update_tags(1, UNITS="metre")
    return path


def make_hama_standin(path, cells_per_degree: int = DEFAULT_CELLS_PER_DEGREE,
                      seed: int = DEFAULT_SEED) -> Path:
    """Build the stand-in and write it to ``path``; return the path."""
    heights, transform = build_hama_standin(cells_per_degree, seed)
    return write_geotiff(path, heights, transform, seed)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cells-per-degree", type=int, default=DEFAULT_CELLS_PER_DEGREE)
    parser.add_argument("-o", "--output", default=str(Path(__file__).resolve().parent / "hama_standin.tif"))
    args = parser.parse_args(argv)
    path = make_hama_standin(args.output, args.cells_per_degree, args.seed)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
