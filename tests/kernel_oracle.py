"""Brute-force, deliberately independent oracle for the viewshed kernels (pure Python + numpy).

It follows the R3 model stated in :mod:`terrain.kernels.horizon_exact` but is
written another way: the sight line is sampled densely in floating point, at
1/8 of a cell along the major axis (so every major grid-line crossing, a
multiple of 8 samples, is among the samples); a sample counts as a terrain
sample only when it lies on a major-axis grid line (R3 defines the terrain
nowhere else), and there the elevation is the linear interpolation across the
grid line between the two cells that bracket it (found with floor/fractional
parts of the float position, not integer bookkeeping). Voids are skipped.
"""

from __future__ import annotations

import math

import numpy as np

SUB = 8  # samples per cell along the major axis


def ground_distance(y_m, dx_m, r0, c0, r, c):
    """Distance in metres between cell centres, the equirectangular convention of the kernels."""
    north = float(y_m[r]) - float(y_m[r0])
    east = (c - c0) * (float(dx_m[r]) + float(dx_m[r0])) / 2.0
    return math.hypot(north, east)


def horizon_of(z, y_m, dx_m, r0, c0, r, c, eye_z, curv):
    """R3 horizon slope of one cell by dense sampling; -inf when no grid line lies strictly between."""
    n = max(abs(r - r0), abs(c - c0))
    if n < 2:
        return -math.inf
    D = ground_distance(y_m, dx_m, r0, c0, r, c)
    ts = np.arange(1, SUB * n) / (SUB * n)           # dense samples, endpoints excluded
    rows = r0 + ts * (r - r0)
    cols = c0 + ts * (c - c0)
    row_major = abs(r - r0) >= abs(c - c0)
    major = rows if row_major else cols
    on_line = np.abs(major - np.round(major)) < 1e-9
    rows, cols, ts = rows[on_line], cols[on_line], ts[on_line]
    best = -math.inf
    for rr, cc, t in zip(rows, cols, ts):
        if row_major:
            line = int(round(rr))
            lo = math.floor(cc + 1e-9)
            frac = cc - lo
            if frac < 1e-9:
                zp = float(z[line, lo])
            else:
                zp = (1 - frac) * float(z[line, lo]) + frac * float(z[line, lo + 1])
        else:
            line = int(round(cc))
            lo = math.floor(rr + 1e-9)
            frac = rr - lo
            if frac < 1e-9:
                zp = float(z[lo, line])
            else:
                zp = (1 - frac) * float(z[lo, line]) + frac * float(z[lo + 1, line])
        if math.isnan(zp):
            continue
        d = t * D
        best = max(best, (zp - curv * d * d - eye_z) / d)
    return best


def horizon_grid(z, y_m, dx_m, r0, c0, eye_z, curv):
    """Horizon of every cell (float64), the oracle's answer to ``horizon_exact``."""
    out = np.empty(z.shape)
    for r in range(z.shape[0]):
        for c in range(z.shape[1]):
            out[r, c] = horizon_of(z, y_m, dx_m, r0, c0, r, c, eye_z, curv)
    return out


def visible_grid(z, y_m, dx_m, r0, c0, eye_z, curv, target_h):
    """Boolean visibility of every cell for a target ``target_h`` above ground (voids False)."""
    vis = np.zeros(z.shape, dtype=bool)
    for r in range(z.shape[0]):
        for c in range(z.shape[1]):
            if math.isnan(z[r, c]):
                continue
            if (r, c) == (r0, c0):
                vis[r, c] = True
                continue
            D = ground_distance(y_m, dx_m, r0, c0, r, c)
            target = (float(z[r, c]) + target_h - curv * D * D - eye_z) / D
            vis[r, c] = horizon_of(z, y_m, dx_m, r0, c0, r, c, eye_z, curv) <= target
    return vis


def flat_geometry(nrows, cell_m=30.0):
    """``(y_m, dx_m)`` of a projected grid with square cells of ``cell_m`` metres."""
    return np.arange(nrows, dtype=np.float64) * cell_m, np.full(nrows, float(cell_m))


def load_srtm(path):
    """The SRTM .hgt tile as float32 plus its WGS84 row geometry ``(z, y_m, dx_m)``."""
    from affine import Affine

    from terrain.grid import row_geometry

    z = np.fromfile(path, ">i2").reshape(1201, 1201).astype(np.float32)
    z[z == -32768] = np.nan
    step = 1.0 / 1200.0
    lat_n, lon_w = 45.0, -72.0
    transform = Affine(step, 0.0, lon_w - step / 2, 0.0, -step, lat_n + step / 2)
    y_m, dx_m = row_geometry(transform, z.shape, "EPSG:4326")
    return z, y_m, dx_m


def fractal_dem(n, seed=0, relief_m=600.0, cell_m=30.0, roughness=0.85):
    """Deterministic spectral-synthesis fractal terrain, float32 ``n x n`` metres (hilly, ridged)."""
    rng = np.random.default_rng(seed)
    fy = np.fft.fftfreq(n)[:, None]
    fx = np.fft.rfftfreq(n)[None, :]
    f = np.sqrt(fx * fx + fy * fy)
    f[0, 0] = 1.0
    amp = f ** (-(1.0 + roughness))
    amp[0, 0] = 0.0
    phase = rng.uniform(0, 2 * np.pi, amp.shape)
    spec = amp * np.exp(1j * phase)
    z = np.fft.irfft2(spec, s=(n, n))
    z -= z.min()
    z *= relief_m / z.max()
    return z.astype(np.float32)


def iou(a, b):
    """Intersection over union of two boolean masks (1.0 when both are empty)."""
    union = np.logical_or(a, b).sum()
    return 1.0 if union == 0 else np.logical_and(a, b).sum() / union


def window(z, y_m, dx_m, r0, c0, radius_m):
    """Crop ``z`` to the rows/columns that can lie within ``radius_m`` of ``(r0, c0)``, like the API does.

    Returns ``(z_crop, y_crop, dx_crop, r0_crop, c0_crop)``.
    """
    dy = np.abs(y_m - y_m[r0])
    rows = np.nonzero(dy <= radius_m)[0]
    rlo, rhi = rows[0], rows[-1]
    half = int(radius_m / (0.5 * (dx_m[rlo:rhi + 1].min() + dx_m[r0]))) + 1
    clo, chi = max(0, c0 - half), min(z.shape[1] - 1, c0 + half)
    zc = np.ascontiguousarray(z[rlo:rhi + 1, clo:chi + 1])
    return zc, y_m[rlo:rhi + 1].copy(), dx_m[rlo:rhi + 1].copy(), r0 - rlo, c0 - clo


def viewshed(kernel, z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m, target_h=0.0):
    """``(visible, min_visible_height)`` of horizon ``kernel`` (a callable taking the horizon_* arguments)."""
    from terrain.kernels.visibility import viewshed_from_horizon

    H = kernel(z, y_m, dx_m, r0, c0, eye_z, curv, max_dist_m)
    vis, mvh, _ = viewshed_from_horizon(z, H, y_m, dx_m, r0, c0, eye_z, curv, target_h, 0.0, max_dist_m,
                                        0.0, 360.0, True, -90.0, 90.0)
    return vis, mvh
