"""Accuracy of the fast and refined viewshed kernels against exact R3, as a table.

Usage::

    python benchmarks/accuracy_report.py                  # 30 observers x 2 heights x 2 radii, SRTM + Hama
    python benchmarks/accuracy_report.py --observers 8    # quicker
    python benchmarks/accuracy_report.py --terrains fractal

For each terrain (real SRTM N44W072, 3 arc-second, WGS84 geometry row by row;
the Hama DEM — the SYNTHETIC stand-in, 1 arc-second, unless real tiles are
cached; and optionally a 1201^2 fractal with 90 m cells), seeded random
observers at 2 m and 50 m, radius 20 km (DEM cropped to the window like the API
does) and unlimited: IoU of the visible sets vs exact, and the share of analysed
cells whose ``min_visible_height`` is within 1 m of exact. Prints median and
worst per method and case.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))

from kernel_oracle import iou, load_srtm, viewshed, window  # noqa: E402
from bench_viewshed_kernels import make_fractal_dem, square_geometry  # noqa: E402
from terrain.earth import curvature_factor  # noqa: E402
from terrain.kernels.horizon_exact import horizon_exact  # noqa: E402
from terrain.kernels.horizon_fast import horizon_fast  # noqa: E402
from terrain.kernels.refine import horizon_refined  # noqa: E402

SRTM = os.path.join(os.path.dirname(__file__), "..", "dem_samples", "N44W072.hgt")


def _refined(z, y_m, dx_m, r0, c0, eye, curv, max_dist_m):
    return horizon_refined(z, y_m, dx_m, r0, c0, eye, curv, max_dist_m, 0.0)


METHODS = {"fast": horizon_fast, "refined": _refined}


def report(name, z, y_m, dx_m, observers, seed=0):
    curv = curvature_factor(True, 0.13)
    rng = np.random.default_rng(seed)
    obs = [tuple(int(v) for v in rng.integers(0, z.shape[0], 2)) for _ in range(observers)]
    for radius in (20_000.0, 0.0):
        for h in (2.0, 50.0):
            stats = {m: ([], []) for m in METHODS}
            t0 = time.perf_counter()
            for r0, c0 in obs:
                if radius > 0:
                    zw, yw, dxw, rw, cw = window(z, y_m, dx_m, r0, c0, radius)
                else:
                    zw, yw, dxw, rw, cw = z, y_m, dx_m, r0, c0
                eye = float(zw[rw, cw]) + h
                ve, me = viewshed(horizon_exact, zw, yw, dxw, rw, cw, eye, curv, radius)
                an = ve != 255
                for m, kernel in METHODS.items():
                    vk, mk = viewshed(kernel, zw, yw, dxw, rw, cw, eye, curv, radius)
                    stats[m][0].append(iou(ve == 1, vk == 1))
                    stats[m][1].append(float((np.abs(mk - me)[an] <= 1.0).mean()))
            for m, (ious, ok) in stats.items():
                ious, ok = np.array(ious), np.array(ok)
                rad = f"{radius / 1000:.0f} km" if radius > 0 else "unlimited"
                print(f"{name:>9} {rad:>9} {h:4.0f} m {m:>8} {len(ious):4d}  IoU median {np.median(ious):.4f} "
                      f"worst {ious.min():.4f}   mvh<=1m median {np.median(ok):.4f} worst {ok.min():.4f}"
                      f"   ({time.perf_counter() - t0:.0f} s)", flush=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--observers", type=int, default=30)
    ap.add_argument("--terrains", default="srtm,hama", help="comma-separated from srtm, hama, fractal")
    args = ap.parse_args(argv)
    if "srtm" in args.terrains:
        report("SRTM", *load_srtm(SRTM), args.observers, seed=1)
    if "hama" in args.terrains:
        import terrain
        from terrain.grid import row_geometry
        from terrain.samples import HAMA_BOUNDS, hama_dem_paths

        dem = terrain.load_dem(hama_dem_paths()[0], bounds=HAMA_BOUNDS)
        y_m, dx_m = row_geometry(dem.rio.transform(), dem.shape, dem.rio.crs)
        name = "Hama*" if dem.attrs.get("synthetic") else "Hama"
        report(name, np.ascontiguousarray(dem.values), y_m, dx_m, args.observers, seed=3)
        if dem.attrs.get("synthetic"):
            print("  * Hama: SYNTHETIC stand-in — not SRTM")
    if "fractal" in args.terrains:
        z = make_fractal_dem(1201, seed=35, relief_m=500.0)
        y_m, dx_m = square_geometry(1201, 90.0)
        report("fractal", z, y_m, dx_m, args.observers, seed=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
