"""terrain against GDAL 3.10 in the same process (the libgdal that rasterio's wheel bundles), DEM in memory.

Usage::

    python benchmarks/bench_gdal_inprocess.py            # 3601^2
    python benchmarks/bench_gdal_inprocess.py --big      # also 10000^2

Both sides get the same projected fractal DEM (UTM 33N, 30 m cells; GDAL mishandles lat/lon grids), the
observer 10 m above the centre cell, the whole raster, refraction k = 0.13 (GDAL ``curv_coeff`` 0.87).
GDAL's band is opened once and warmed; terrain's DataArray is loaded once and every kernel compiled
before timing. GDAL is called through ctypes: ``GDALViewshedGenerate`` into a MEM dataset, NORMAL mode
(visible or not) and GROUND mode (the height a target needs to be seen). Medians of ``--runs`` runs.
Run it on a quiet machine: nothing else running.
"""

from __future__ import annotations

import argparse
import ctypes
import glob
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_viewshed import OBSERVER_HEIGHT_M, REFRACTION, dem_path  # noqa: E402


def find_libgdal() -> str | None:
    """The libgdal bundled in rasterio's wheel (``site-packages/rasterio.libs/libgdal-*.so*``), if any."""
    import rasterio

    libs = Path(rasterio.__file__).resolve().parent.parent / "rasterio.libs"
    found = sorted(glob.glob(str(libs / "libgdal*.so*")))
    return found[0] if found else None


class InProcessGDAL:
    """GDALViewshedGenerate on a band opened once."""

    def __init__(self, lib_path: str, raster: Path):
        self.lib = ctypes.CDLL(lib_path)
        lib = self.lib
        lib.GDALAllRegister()
        lib.GDALOpen.restype = ctypes.c_void_p
        lib.GDALOpen.argtypes = [ctypes.c_char_p, ctypes.c_int]
        lib.GDALGetRasterBand.restype = ctypes.c_void_p
        lib.GDALGetRasterBand.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.GDALVersionInfo.restype = ctypes.c_char_p
        lib.GDALVersionInfo.argtypes = [ctypes.c_char_p]
        d = ctypes.c_double
        lib.GDALViewshedGenerate.restype = ctypes.c_void_p
        lib.GDALViewshedGenerate.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p,
                                             d, d, d, d, d, d, d, d, d, ctypes.c_int, d, ctypes.c_void_p,
                                             ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        lib.GDALClose.argtypes = [ctypes.c_void_p]
        self.version = lib.GDALVersionInfo(b"RELEASE_NAME").decode()
        self.ds = lib.GDALOpen(str(raster).encode(), 0)
        self.band = lib.GDALGetRasterBand(self.ds, 1)

    def close(self) -> None:
        """Close the DEM (the band goes with it)."""
        if self.ds:
            self.lib.GDALClose(self.ds)
            self.ds = self.band = None

    def viewshed(self, x: float, y: float, mode: int) -> None:
        out = self.lib.GDALViewshedGenerate(self.band, b"MEM", b"", None, x, y, OBSERVER_HEIGHT_M, 0.0, 255.0,
                                            0.0, 0.0, -1.0, 1.0 - REFRACTION, 2, 0.0, None, None, mode, None)
        if not out:
            raise RuntimeError("GDALViewshedGenerate failed")
        self.lib.GDALClose(out)


def median_time(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", action="store_true", help="also 10000^2")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    import rasterio

    import terrain

    lib = find_libgdal()
    sizes = [3601] + ([10000] if args.big else [])
    print(f"cells | GDAL NORMAL s | GDAL GROUND s | terrain fast visible s (x GDAL NORMAL) | "
          f"fast visible+mvh s (x GDAL GROUND) | fast all three s | refined all three s")
    for n in sizes:
        path = dem_path(n)
        dem = terrain.load_dem(path)
        with rasterio.open(path) as ds:
            x, y = ds.xy(n // 2, n // 2)
        obs = f"xy:{x},{y}"
        common = dict(observer_height=OBSERVER_HEIGHT_M, refraction=REFRACTION)
        if lib:
            gdal = InProcessGDAL(lib, path)
            g_norm = median_time(lambda: gdal.viewshed(x, y, 1), args.runs)
            g_ground = median_time(lambda: gdal.viewshed(x, y, 3), args.runs)
            label = gdal.version
        else:
            print("no libgdal found in rasterio's wheel: the GDAL columns are skipped")
            g_norm = g_ground = float("nan")
            label = "-"
        t_vis = median_time(lambda: terrain.viewshed(dem, obs, method="fast", outputs=("visible",), **common),
                            args.runs)
        t_vm = median_time(lambda: terrain.viewshed(dem, obs, method="fast",
                                                    outputs=("visible", "min_visible_height"), **common), args.runs)
        t_all = median_time(lambda: terrain.viewshed(dem, obs, method="fast", **common), args.runs)
        t_ref = median_time(lambda: terrain.viewshed(dem, obs, method="refined", **common), args.runs)
        print(f"{n}^2 | {g_norm:.3f} | {g_ground:.3f} | {t_vis:.3f} ({g_norm / t_vis:.2f}x) | "
              f"{t_vm:.3f} ({g_ground / t_vm:.2f}x) | {t_all:.3f} | {t_ref:.3f}   (GDAL {label}, "
              f"{os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
