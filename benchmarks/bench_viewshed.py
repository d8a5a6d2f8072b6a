"""Viewshed speed side by side: terrain (fast, refined, exact) against GDAL 3.10, gdal_viewshed and xarray-spatial.

Usage (from a clean checkout, after ``pip install -e '.[test]'``)::

    python benchmarks/bench_viewshed.py            # 1201^2 and 3601^2
    python benchmarks/bench_viewshed.py --big      # also 10000^2 (needs ~3 GB of RAM and a few minutes)

Every tool gets the same deterministic fractal DEM (30 m cells, UTM 33N GeoTIFF
written to ``benchmarks/data/``, not committed), the observer 10 m above the
centre cell, the whole raster, and matched curvature (refraction k = 0.13, GDAL
``-cc 0.87``). Times are medians of ``--runs`` runs measured in this same run;
"loading included" means the GeoTIFF is read from disk inside the timed region.
The first column is the baseline every rasterio user already has: GDAL 3.10 in this same process (the
libgdal bundled in rasterio's wheel, through ctypes; see ``bench_gdal_inprocess.py`` for the DEM-in-memory
comparison), opening the GeoTIFF and running ``GDALViewshedGenerate`` in NORMAL mode inside the timed
region; skipped with a line saying so when no libgdal is found. ``gdal_viewshed`` (3.6, Debian) is timed
as a whole process, as a user would run it. Peak memory is the
growth of the peak RSS of a fresh process running one viewshed. Also reported:
visible-set IoU of each tool against terrain's exact R3 walk on the 1201^2 DEM.

The table is printed and written to ``benchmarks/results/viewshed.md`` together
with a description of the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_viewshed_kernels import make_fractal_dem  # noqa: E402

DATA = HERE / "data"
RESULTS = HERE / "results"
CELL_M = 30.0
OBSERVER_HEIGHT_M = 10.0
REFRACTION = 0.13


def machine_description() -> str:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError):
        mem_gb = float("nan")
    import numba

    return (f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores, {mem_gb:.0f} GiB RAM; "
            f"Python {platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
            f"rasterio {rasterio.__version__} (GDAL {rasterio.__gdal_version__})")


def dem_path(n: int) -> Path:
    """Write (once) and return the benchmark GeoTIFF of size n x n."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"fractal_{n}.tif"
    if not path.exists():
        z = make_fractal_dem(n, seed=0)
        with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=1, dtype="float32",
                           crs="EPSG:32633", transform=from_origin(500000.0, 4500000.0, CELL_M, CELL_M),
                           tiled=True, compress="deflate", predictor=3) as ds:
            ds.write(z, 1)
    return path


def centre_xy(n: int) -> tuple[float, float]:
    c = n // 2
    return 500000.0 + (c + 0.5) * CELL_M, 4500000.0 - (c + 0.5) * CELL_M


def median_time(fn, runs: int) -> tuple[float, float]:
    """First-call seconds and median seconds of ``runs`` further calls."""
    t = time.perf_counter()
    fn()
    first = time.perf_counter() - t
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return first, statistics.median(times)


def terrain_run(path: Path, n: int, method: str, radius_m=None, outputs=None):
    import terrain

    x, y = centre_xy(n)
    extra = {} if outputs is None else {"outputs": outputs}

    def run():
        dem = terrain.load_dem(path)
        return terrain.viewshed(dem, f"xy:{x},{y}", observer_height=OBSERVER_HEIGHT_M, method=method,
                                refraction=REFRACTION, max_distance=radius_m, **extra)
    return run


def gdal_inprocess_run(path: Path, n: int):
    """``(version, run)`` of GDAL 3.10 in this process, opening the DEM and computing a NORMAL viewshed in
    every call; ``None`` when rasterio's wheel has no libgdal."""
    from bench_gdal_inprocess import InProcessGDAL, find_libgdal

    lib = find_libgdal()
    if lib is None:
        return None
    x, y = centre_xy(n)
    version = InProcessGDAL(lib, path)
    version.close()

    def run():
        gdal = InProcessGDAL(lib, path)
        gdal.viewshed(x, y, 1)
        gdal.close()
    return version.version, run


def gdal_run(path: Path, n: int, out: Path):
    exe = shutil.which("gdal_viewshed")
    x, y = centre_xy(n)
    cmd = [exe, "-q", "-oz", str(OBSERVER_HEIGHT_M), "-ox", str(x), "-oy", str(y), "-cc", str(1 - REFRACTION),
           "-vv", "1", "-iv", "0", "-ov", "255", str(path), str(out)]

    def run():
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return run


def gdal_version() -> str | None:
    exe = shutil.which("gdal_viewshed")
    if not exe:
        return None
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout.strip()
    return out.split(",")[0]


def xrspatial_run(path: Path, n: int):
    import xarray as xr
    from xrspatial import viewshed as xrs_viewshed

    x, y = centre_xy(n)

    def run():
        with rasterio.open(path) as ds:
            z = ds.read(1)
        xs = 500000.0 + (np.arange(n) + 0.5) * CELL_M
        ys = 4500000.0 - (np.arange(n) + 0.5) * CELL_M
        raster = xr.DataArray(z, dims=("y", "x"), coords={"y": ys, "x": xs})
        return xrs_viewshed(raster, x=x, y=y, observer_elev=OBSERVER_HEIGHT_M)
    return run


def peak_memory_mb(path: Path, n: int, method: str) -> float:
    """Peak RSS growth (MB) of a fresh process running one terrain viewshed (after warm-up on a tiny DEM)."""
    x, y = centre_xy(n)
    code = f"""
import resource, numpy as np, terrain
from terrain.dem import dem_from_array
tiny = dem_from_array(np.zeros((64, 64), np.float32), (0, 30, 0, 1920, 0, -30), crs="EPSG:32633")
terrain.viewshed(tiny, "xy:975,975", method={method!r})
import gc; gc.collect()
base = int(open('/proc/self/status').read().split('VmRSS:')[1].split()[0]) / 1024
dem = terrain.load_dem({str(path)!r})
terrain.viewshed(dem, "xy:{x},{y}", observer_height={OBSERVER_HEIGHT_M}, method={method!r})
peak = int(open('/proc/self/status').read().split('VmHWM:')[1].split()[0]) / 1024
print(peak - base)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    try:
        return float(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return float("nan")


def iou(a: np.ndarray, b: np.ndarray) -> float:
    a = a == 1
    b = b == 1
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1201,3601")
    ap.add_argument("--big", action="store_true", help="also 10000^2")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory subprocesses")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s] + ([10000] if args.big else [])
    gdal = gdal_version()
    try:
        import xrspatial  # noqa: F401
        have_xrs = True
    except ImportError:
        have_xrs = False

    rows = []
    accuracy = {}
    tmp = Path(tempfile.mkdtemp())
    for n in sizes:
        path = dem_path(n)
        cells = n * n
        gdal310 = gdal_inprocess_run(path, n)
        if gdal310 is None and n == sizes[0]:
            print("GDAL 3.10 in-process: no libgdal in rasterio's wheel (rasterio.libs); column skipped", flush=True)
        entry = {"n": n}
        if gdal310:
            first, med = median_time(gdal310[1], args.runs)
            entry["gdal310"] = {"median_s": med, "mcells_s": cells / med / 1e6}
            print(f"{n}^2 GDAL {gdal310[0]} in-process median {med:.3f} s (opening the GeoTIFF included)",
                  flush=True)
        first, med = median_time(terrain_run(path, n, "fast", outputs=("visible",)), args.runs)
        entry["fast_visible"] = {"first_s": first, "median_s": med, "mcells_s": cells / med / 1e6}
        print(f"{n}^2 terrain fast, visible only, median {med:.3f} s", flush=True)
        for method in ("fast", "refined"):
            first, med = median_time(terrain_run(path, n, method), args.runs)
            entry[method] = {"first_s": first, "median_s": med, "mcells_s": cells / med / 1e6}
            if not args.no_memory:
                entry[method]["peak_mb"] = peak_memory_mb(path, n, method)
            print(f"{n}^2 terrain {method:<8} median {med:.3f} s ({cells / med / 1e6:.0f} Mcells/s), "
                  f"first call {first:.2f} s", flush=True)
        if n <= 1301:
            first, med = median_time(terrain_run(path, n, "exact"), max(1, args.runs // 2))
            entry["exact"] = {"first_s": first, "median_s": med, "mcells_s": cells / med / 1e6}
            print(f"{n}^2 terrain exact    median {med:.3f} s", flush=True)
        if gdal:
            out = tmp / f"gdal_{n}.tif"
            first, med = median_time(gdal_run(path, n, out), args.runs)
            entry["gdal"] = {"median_s": med, "mcells_s": cells / med / 1e6}
            print(f"{n}^2 {gdal} median {med:.3f} s (whole process)", flush=True)
        if have_xrs and n <= 1201:
            first, med = median_time(xrspatial_run(path, n), 1)
            entry["xrspatial"] = {"first_s": first, "median_s": med, "mcells_s": cells / med / 1e6}
            print(f"{n}^2 xarray-spatial median {med:.3f} s (first call {first:.1f} s)", flush=True)
        if n <= 1301:
            exact = terrain_run(path, n, "exact")().visible.values
            accuracy[n] = {m: iou(terrain_run(path, n, m)().visible.values, exact) for m in ("fast", "refined")}
            if gdal:
                with rasterio.open(tmp / f"gdal_{n}.tif") as ds:
                    accuracy[n]["gdal"] = iou(ds.read(1), exact)
            print(f"{n}^2 visible-set IoU against exact: "
                  + ", ".join(f"{k} {v:.4f}" for k, v in accuracy[n].items()), flush=True)
        rows.append(entry)

    # a 20 km radius on a 1" grid (~30 m cells): the exact and refined targets
    path = dem_path(3601)
    radius = {}
    for method in ("fast", "refined", "exact"):
        first, med = median_time(terrain_run(path, 3601, method, radius_m=20_000), 3)
        radius[method] = med
        print(f"20 km radius, 3601^2 grid: terrain {method:<8} median {med:.3f} s", flush=True)

    report = render(rows, accuracy, radius, gdal, have_xrs, args.runs)
    print()
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "viewshed.md").write_text(report)
    (RESULTS / "viewshed.json").write_text(json.dumps({"rows": rows, "accuracy": accuracy, "radius_20km": radius,
                                                        "machine": machine_description()}, indent=2))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


def render(rows, accuracy, radius, gdal, have_xrs, runs) -> str:
    lines = ["# Viewshed benchmark", "", f"Machine: {machine_description()}", "",
             f"Observer 10 m above the centre of a deterministic fractal DEM (30 m cells), whole raster, "
             f"curvature k = 0.13 for every tool; median of {runs} runs, loading from GeoTIFF included.", "",
             "| cells | GDAL 3.10 in-process s | terrain fast `visible` s (x GDAL 3.10) | terrain fast s | Mcells/s | "
             f"terrain refined s | terrain exact s | {gdal or 'gdal_viewshed (not installed)'} s | "
             "fast / gdal_viewshed | xarray-spatial s | peak MB fast (DEM float32 MB) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for e in rows:
        n = e["n"]
        g = e.get("gdal", {}).get("median_s")
        fast = e["fast"]["median_s"]
        g310 = e.get("gdal310", {}).get("median_s")
        fv = e["fast_visible"]["median_s"]
        head = (f"| {n}^2 | {g310:.3f} | {fv:.3f} ({g310 / fv:.2f}x)" if g310 else f"| {n}^2 | — | {fv:.3f}")
        lines.append(
            f"{head} | {fast:.3f} | {e['fast']['mcells_s']:.0f} | {e['refined']['median_s']:.3f} | "
            f"{e['exact']['median_s']:.2f}" if "exact" in e else
            f"{head} | {fast:.3f} | {e['fast']['mcells_s']:.0f} | {e['refined']['median_s']:.3f} | —")
        lines[-1] += (f" | {g:.3f} | {g / fast:.2f}x" if g else " | — | —")
        x = e.get("xrspatial", {}).get("median_s")
        lines[-1] += f" | {x:.2f}" if x else " | —"
        pk = e["fast"].get("peak_mb")
        lines[-1] += f" | {pk:.0f} ({n * n * 4 / 2**20:.0f}) |" if pk is not None else " | — |"
    lines += ["", "First call (JIT compile or cache load): "
              + ", ".join(f"{e['n']}^2 fast {e['fast']['first_s']:.2f} s" for e in rows), ""]
    if accuracy:
        lines += ["Visible-set IoU against terrain's exact R3 walk:", "", "| cells | fast | refined | GDAL |",
                  "|---|---|---|---|"]
        for n, acc in accuracy.items():
            lines.append(f"| {n}^2 | {acc['fast']:.4f} | {acc['refined']:.4f} | "
                         f"{acc['gdal']:.4f} |" if "gdal" in acc else f"| {n}^2 | {acc['fast']:.4f} | "
                         f"{acc['refined']:.4f} | — |")
        lines.append("")
    if radius:
        lines += ["20 km radius on the 3601^2 grid (~1330^2 cells analysed): "
                  + ", ".join(f"{m} {s:.3f} s" for m, s in radius.items())
                  + f"; refined / fast = {radius['refined'] / radius['fast']:.2f}", ""]
    if not have_xrs:
        lines.append("xarray-spatial not installed (pip install xarray-spatial to include it).")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
