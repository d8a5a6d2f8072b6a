"""Time the viewshed kernels on deterministic synthetic fractal DEMs.

Usage::

    python benchmarks/bench_viewshed_kernels.py                 # 1201^2 and 3601^2
    python benchmarks/bench_viewshed_kernels.py --big           # also 10000^2
    python benchmarks/bench_viewshed_kernels.py --sizes 1301 --radius-m 20000 --kernels fast,refined,exact

Each DEM is an ``n x n`` spectral fractal with 30 m square cells (see
:func:`make_fractal_dem`); the observer stands 10 m above the centre cell.
Reported per kernel: first-call time (includes JIT compilation or cache
loading), the median of ``--runs`` timed calls (and of its two stages: the
horizon kernel, and the finish that turns it into visibility, height needed
and elevation angle), Mcells/s over the analysed
window, and memory: the bytes of the arrays the kernel returns (tracemalloc
cannot see numba's allocations) plus the process's peak RSS growth.

The functions :func:`make_fractal_dem`, :func:`time_kernel` and
:func:`run_kernel` are importable (for comparisons against other tools).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time

import numpy as np

from terrain.earth import curvature_factor
from terrain.kernels.horizon_exact import horizon_exact
from terrain.kernels.horizon_fast import horizon_fast
from terrain.kernels.refine import horizon_refined
from terrain.kernels.visibility import viewshed_from_horizon_into

KERNELS = ("fast", "refined", "exact")


def make_fractal_dem(n: int, seed: int = 0, relief_m: float = 800.0, roughness: float = 0.9) -> np.ndarray:
    """Deterministic ``n x n`` float32 fractal terrain in metres (0..relief_m), spectral synthesis.

    Power spectrum ~ f**(-2 (1 + roughness)) with random phases from ``seed``:
    rolling hills with ridges and valleys, like 30 m SRTM of hilly country.
    """
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(n).astype(np.float32)[:, None]
    fx = np.fft.rfftfreq(n).astype(np.float32)[None, :]
    f = np.sqrt(fx * fx + fy * fy)
    f[0, 0] = 1.0
    spec = f ** np.float32(-(1.0 + roughness))
    spec[0, 0] = 0.0
    spec = spec * np.exp(1j * rng.uniform(0, 2 * np.pi, spec.shape).astype(np.float32)).astype(np.complex64)
    z = np.fft.irfft2(spec, s=(n, n)).astype(np.float32)
    del spec
    z -= z.min()
    z *= np.float32(relief_m / z.max())
    return np.ascontiguousarray(z, dtype=np.float32)


def square_geometry(n: int, cell_m: float = 30.0):
    """``(y_m, dx_m)`` of an ``n``-row grid of square ``cell_m`` cells."""
    return np.arange(n, dtype=np.float64) * cell_m, np.full(n, float(cell_m))


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_kernel(kind: str, z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, target_h=0.0):
    """Run one complete viewshed (horizon + finish, H reused as min_visible_height).

    Returns ``(visible, horizon_seconds, finish_seconds)``.
    """
    t0 = time.perf_counter()
    if kind == "fast":
        H = horizon_fast(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m)
    elif kind == "refined":
        H = horizon_refined(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, target_h)
    elif kind == "exact":
        H = horizon_exact(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m)
    else:
        raise ValueError(f"unknown kernel {kind!r}; use one of {', '.join(KERNELS)}")
    t1 = time.perf_counter()
    visible = np.empty(z.shape, dtype=np.uint8)
    angle = np.empty(z.shape, dtype=np.float32)
    viewshed_from_horizon_into(z, H, y_m, dx_m, r0, c0, eye_z, curv, target_h, 0.0, max_dist_m,
                               0.0, 360.0, True, -90.0, 90.0, visible, H, angle)
    return visible, t1 - t0, time.perf_counter() - t1


def time_kernel(kind: str, z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m=0.0, runs=5, target_h=0.0):
    """Time :func:`run_kernel`; return a dict of first-call seconds, median seconds, all run times, Mcells/s, memory."""
    rss0 = _peak_rss_mb()
    t = time.perf_counter()
    run_kernel(kind, z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, target_h)
    first = time.perf_counter() - t
    times, horizon, finish = [], [], []
    for _ in range(runs):
        t = time.perf_counter()
        _, th, tf = run_kernel(kind, z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, target_h)
        times.append(time.perf_counter() - t)
        horizon.append(th)
        finish.append(tf)
    med = statistics.median(times)
    if max_dist_m > 0:
        cells = min(z.size, np.pi * (max_dist_m / float(dx_m[r0])) ** 2)
    else:
        cells = z.size
    return {
        "kernel": kind,
        "first_s": first,
        "median_s": med,
        "times_s": times,
        "horizon_median_s": statistics.median(horizon),
        "finish_median_s": statistics.median(finish),
        "mcells_per_s": cells / med / 1e6,
        # outputs: H (float32, reused as min_visible_height) + visible (uint8) + angle (float32)
        "output_mb": z.size * (4 + 1 + 4) / 2**20,
        "input_mb": z.nbytes / 2**20,
        "peak_rss_growth_mb": _peak_rss_mb() - rss0,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1201,3601", help="comma-separated DEM sizes (cells per side)")
    ap.add_argument("--big", action="store_true", help="also run 10000^2")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--kernels", default="fast,refined", help=f"comma-separated from {','.join(KERNELS)}")
    ap.add_argument("--radius-m", type=float, default=0.0, help="maximum distance, metres (0 = unlimited)")
    ap.add_argument("--observer-height-m", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.big:
        sizes.append(10000)
    curv = curvature_factor(True, 0.13)
    print(f"{'n':>6} {'kernel':>8} {'first s':>8} {'median s':>9} {'horizon s':>9} {'finish s':>8} "
          f"{'Mcells/s':>9} {'out MB':>7} {'RSS+ MB':>8}")
    for n in sizes:
        z = make_fractal_dem(n, args.seed)
        y_m, dx_m = square_geometry(n)
        r0 = c0 = n // 2
        eye = float(z[r0, c0]) + args.observer_height_m
        for kind in args.kernels.split(","):
            res = time_kernel(kind, z, y_m, dx_m, r0, c0, eye, curv, args.radius_m, args.runs)
            print(f"{n:>6} {kind:>8} {res['first_s']:8.3f} {res['median_s']:9.4f} {res['horizon_median_s']:9.4f} "
                  f"{res['finish_median_s']:8.4f} {res['mcells_per_s']:9.1f} "
                  f"{res['output_mb']:7.1f} {res['peak_rss_growth_mb']:8.1f}", flush=True)
        del z
    return 0


if __name__ == "__main__":
    sys.exit(main())
