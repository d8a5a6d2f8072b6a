"""Benchmarks of the many-observer analyses (not timed tests): cumulative viewshed, visibility index, Dask scaling.

Run ``python benchmarks/bench_multi.py [--quick]``; prints a table and writes
``benchmarks/results/multi.md`` with the machine description. ``--vi-only`` runs
the visibility index alone and replaces only its row there.

1. Cumulative viewshed of N observers (default 1000), 10 km radius, on a
   3601 x 3601 1-arc-second synthetic grid (lat/lon, about 35.5 N).
2. Visibility index, 10 km radius, on the Hama stand-in downsampled by 3
   (3 arc-seconds, 600 x 720), every ``--vi-stride``-th cell (1: every cell).
3. The cumulative job of ``--dask-observers`` observers on 1 and on 2 Dask
   worker processes (LocalCluster, one thread each): the speed-up ratio.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parent.parent


def synthetic_1s(n=3601, seed=0):
    """A rough 1" lat/lon grid: a smooth random-walk landscape (hundreds of metres) plus metre-scale noise."""
    import terrain

    rng = np.random.default_rng(seed)
    coarse = rng.normal(0.0, 1.0, (62, 62)).cumsum(0).cumsum(1)
    coarse = (coarse - coarse.mean()) * (300.0 / coarse.std())
    y = np.linspace(0, 61, n)
    cy = np.array([np.interp(y, np.arange(62), coarse[:, j]) for j in range(62)]).T  # (n, 62)
    z = np.array([np.interp(y, np.arange(62), cy[i]) for i in range(n)], dtype=np.float32)
    z += rng.normal(0.0, 4.0, (n, n)).astype(np.float32) + 600.0
    d = 1.0 / 3600.0
    return terrain.dem_from_array(z, (36.0 - d / 2, d, 0, 36.0 + d / 2, 0, -d), crs="EPSG:4326",
                                  source="synthetic benchmark grid", synthetic=True)


def machine() -> str:
    import numba

    from bench_viewshed import machine_description

    return (f"{machine_description()}; numba threading layer {numba.config.THREADING_LAYER} requested, "
            f"{numba.get_num_threads()} threads")


def bench_cumulative(dem, n_obs, radius, method, seed=1):
    from terrain.multi.cumulative import coverage_summary, cumulative_viewshed

    rng = np.random.default_rng(seed)
    lat = rng.uniform(35.05, 35.95, n_obs)
    lon = rng.uniform(36.05, 36.95, n_obs)
    pts = list(zip(lat, lon))
    cumulative_viewshed(dem, pts[:2], observer_height=10, max_distance=radius, method=method)  # compile / cache
    t = time.perf_counter()
    # count and analysed: seen_by for 1000 observers over the whole grid would be 1.5 GiB (left out anyway)
    cv = cumulative_viewshed(dem, pts, observer_height=10, max_distance=radius, method=method,
                             outputs=("count", "analysed"))
    dt = time.perf_counter() - t
    cells = cv["analysed"].values.astype(np.int64).sum()  # observer-cells analysed
    return dt, cells, coverage_summary(cv), pts


def bench_vindex(stride, radius):
    import terrain
    from terrain.multi.vindex import visibility_index

    dem = terrain.load_dem(REPO / "dem_samples" / "hama_standin.tif")
    dem3 = terrain.dem_from_array(dem.values[1::3, 1::3], _thin_transform(dem, 3), crs=dem.rio.crs)
    visibility_index(dem3.isel(y=slice(0, 40), x=slice(0, 40)), radius=1000)  # compile / load the cache
    t = time.perf_counter()
    vi = visibility_index(dem3, radius=radius, stride=stride)
    dt = time.perf_counter() - t
    return dt, dem3.shape, int(np.isfinite(vi.values).sum()), float(np.nanmax(vi.values))


def _thin_transform(dem, k):
    from affine import Affine

    t = dem.rio.transform()
    return Affine(t.a * k, 0, t.c, 0, t.e * k, t.f)


def vindex_row(args) -> tuple[str, str, str]:
    """The table row of the visibility index (with the load average, since the machine is shared)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    vdt, shape, n_obs, best = bench_vindex(args.vi_stride, args.radius)
    full = vdt * (shape[0] * shape[1]) / max(n_obs, 1)
    every = "" if args.vi_stride == 1 else f"every cell would take ~{full:.0f} s; "
    return (f"visibility index, r = {args.radius / 1000:g} km, Hama 3\" {shape[0]}x{shape[1]}, "
            f"stride {args.vi_stride} ({n_obs} observers)", f"{vdt:.1f} s",
            f"{vdt / n_obs * 1000:.2f} ms/observer; {every}max {best:.1f} km²; "
            f"load average {load:.1f} at the start")


def replace_vindex_row(path: Path, row, argv) -> None:
    """Put ``row`` in place of the visibility-index row of an existing results table (append if none)."""
    line = f"| {row[0]} | {row[1]} | {row[2]} |"
    lines = path.read_text().splitlines() if path.exists() else ["| job | time | notes |", "|---|---|---|"]
    lines = [text for text in lines if not text.startswith("Visibility-index row:")]
    while lines and not lines[-1].strip():
        lines.pop()
    at = [k for k, text in enumerate(lines) if text.startswith("| visibility index")]
    if at:
        lines[at[0]] = line
    else:
        lines.append(line)
    command = f"`python benchmarks/bench_multi.py {' '.join(sys.argv[1:] if argv is None else argv)}`"
    lines.append("")
    lines.append(f"Visibility-index row: {command} ({machine()}).")
    path.write_text("\n".join(lines) + "\n")


def bench_dask(dem, pts, radius):
    from distributed import Client, LocalCluster

    from terrain.multi import distributed as D

    times = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
                Client(cl) as client:
            D.cumulative_viewshed(dem, pts[:2], observer_height=10, max_distance=radius, client=client)  # warm
            t = time.perf_counter()
            D.cumulative_viewshed(dem, pts, observer_height=10, max_distance=radius, client=client)
            times[workers] = time.perf_counter() - t
    return times


def bench_dask_vindex(stride, radius):
    """The visibility index of the Hama 3" grid on 1 and 2 single-threaded workers: ``{workers: seconds}``."""
    from distributed import Client, LocalCluster

    import terrain
    from terrain.multi import distributed as D

    dem = terrain.load_dem(REPO / "dem_samples" / "hama_standin.tif")
    dem3 = terrain.dem_from_array(dem.values[1::3, 1::3], _thin_transform(dem, 3), crs=dem.rio.crs)
    times = {}
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cl, \
                Client(cl) as client:
            D.visibility_index(dem3.isel(y=slice(0, 40), x=slice(0, 40)), radius=1000, client=client)  # warm
            t = time.perf_counter()
            D.visibility_index(dem3, radius=radius, stride=stride, client=client)
            times[workers] = time.perf_counter() - t
    return times


def dask_rows(args, dem, pts) -> list[tuple[str, str, str]]:
    """The rows of the 1 vs 2 worker jobs: the cumulative job and the visibility index."""
    from terrain.methods import DEFAULT_METHOD

    times = bench_dask(dem, pts[:args.dask_observers], args.radius)
    rows = [(f"Dask LocalCluster, cumulative of {args.dask_observers} observers (same job, method {DEFAULT_METHOD})",
             f"1 worker {times[1]:.1f} s, 2 workers {times[2]:.1f} s", f"speed-up {times[1] / times[2]:.2f}x")]
    print(rows[-1])
    vtimes = bench_dask_vindex(args.dask_vi_stride, args.radius)
    rows.append((f"Dask LocalCluster, visibility index, r = {args.radius / 1000:g} km, Hama 3\" 600x720, "
                 f"stride {args.dask_vi_stride}, method {DEFAULT_METHOD}",
                 f"1 worker {vtimes[1]:.1f} s, 2 workers {vtimes[2]:.1f} s", f"speed-up {vtimes[1] / vtimes[2]:.2f}x"))
    print(rows[-1])
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--observers", type=int, default=1000)
    ap.add_argument("--grid", type=int, default=3601)
    ap.add_argument("--radius", type=float, default=10_000.0)
    ap.add_argument("--vi-stride", type=int, default=1)
    ap.add_argument("--dask-observers", type=int, default=1000, help="observers in the 1 vs 2 worker job (default: the cumulative job's)")
    ap.add_argument("--vi-only", action="store_true",
                    help="only the visibility index; replace its row in the existing results file")
    ap.add_argument("--quick", action="store_true", help="small sizes (a minute)")
    ap.add_argument("--cumulative-only", action="store_true", help="only the cumulative rows (fast and the default)")
    ap.add_argument("--dask-only", action="store_true",
                    help="only the 1 vs 2 worker rows (printed; the results file is left as it is)")
    ap.add_argument("--dask-vi-stride", type=int, default=6, help="observer stride of the Dask visibility index")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "multi.md"))
    args = ap.parse_args(argv)
    if args.quick:
        args.observers, args.vi_stride, args.dask_observers, args.dask_vi_stride = 100, 4, 40, 12
    if args.vi_only:
        row = vindex_row(args)
        print(row)
        replace_vindex_row(Path(args.out), row, argv)
        return
    rows = []
    dem = synthetic_1s(args.grid)
    from terrain.methods import DEFAULT_METHOD

    if args.dask_only:
        rng = np.random.default_rng(1)
        pts = list(zip(rng.uniform(35.05, 35.95, args.observers), rng.uniform(36.05, 36.95, args.observers)))
        dask_rows(args, dem, pts)
        return

    for method in dict.fromkeys(("fast", DEFAULT_METHOD)):
        dt, cells, summary, pts = bench_cumulative(dem, args.observers, args.radius, method)
        rows.append((f"cumulative viewshed, {args.observers} observers, r = {args.radius / 1000:g} km, "
                     f"{args.grid}^2 1\" grid, method {method}", f"{dt:.1f} s",
                     f"{dt / args.observers * 1000:.1f} ms/observer; {cells / args.observers / 1e6:.2f} Mcells "
                     f"analysed per observer; {cells / dt / 1e6:.1f} Mcells/s overall "
                     f"({cells / dt / 1e6 / (os.cpu_count() or 1):.1f} per core)"))
        print(rows[-1])
    if args.cumulative_only:
        return
    rows.append(vindex_row(args))
    print(rows[-1])
    rows += dask_rows(args, dem, pts)
    text = ["# Many-observer benchmarks", "", f"Machine: {machine()}", "",
            f"Command: `python benchmarks/bench_multi.py {' '.join(sys.argv[1:] if argv is None else argv)}`".rstrip(), "",
            "| job | time | notes |", "|---|---|---|"]
    text += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("\n".join(text) + "\n")
    print("\n".join(text))


if __name__ == "__main__":
    main()
