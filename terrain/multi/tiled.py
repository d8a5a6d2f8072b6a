"""The visibility index of a DEM larger than memory: read and run one band of observer rows at a time.

A DEM given as a file (a GeoTIFF, an SRTM tile, or a GDAL VRT holding a mosaic of tiles) is cut into bands
of observer rows. Each band is read with a halo of one radius (plus a row) above and below, across the
whole width, so every observer's viewshed sees exactly the cells it would see in the whole DEM; the band
runs as the in-memory index does, and only its rows of the result are kept. Memory is one band and its
halo, not the DEM: :data:`BAND_BYTES` by default. On Dask each task reads its own band from the file,
so nothing ships the DEM.

On a projected grid the result equals the in-memory index bit for bit; on a lat/lon grid each band
measures its rows from its own first row, which moves distances in the last bits (area sums within
1e-12 relative, and a verdict exactly on a tie could flip).
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from ..errors import InputError

#: Default memory of one band of the DEM with its halo (bytes of float32 heights).
BAND_BYTES = 256 * 2 ** 20

#: GDAL's block cache while a band is read, MB.
GDAL_CACHE_MB = 16


def band_rows_of(stream, radius_m: float, stride: int, band_bytes: int | None = None,
                 tile_rows: int | None = None) -> list[tuple[int, int, int, int]]:
    """``[(o0, o1, r0, r1)]``: observer rows ``o0:o1`` (global, ``o0`` a multiple of ``stride``) and the DEM rows
    ``r0:r1`` read for them (the band and its halo of one radius and a row)."""
    from ..grid import row_geometry

    rows, cols = stream.shape
    y_m, _ = row_geometry(stream.transform, stream.shape, stream.crs)
    spacing = abs(float(y_m[1] - y_m[0])) if rows > 1 else 1.0
    halo = int(math.ceil(radius_m / spacing)) + 2
    if tile_rows is None:
        budget_rows = int((BAND_BYTES if band_bytes is None else band_bytes) // (4 * max(cols, 1)))
        tile_rows = budget_rows - 2 * halo
        if tile_rows < stride:
            raise InputError(f"a band of this {rows} x {cols} DEM with its halo of {halo} rows (the radius "
                             f"{radius_m / 1000:g} km) needs more than the {_mib(budget_rows * 4 * cols)} allowed; "
                             "give a smaller radius, or more memory (band_bytes=)")
    tile_rows = max(stride, int(tile_rows) // stride * stride)
    out = []
    for o0 in range(0, rows, tile_rows):
        o1 = min(o0 + tile_rows, rows)
        # rows within the radius of the band's observers (the same rule as terrain.viewshed.prepare)
        r0 = int(np.searchsorted(y_m, y_m[o0] - radius_m, side="left")) - 1
        r1 = int(np.searchsorted(y_m, y_m[o1 - 1] + radius_m, side="right")) + 1
        out.append((o0, o1, max(r0, 0), min(r1, rows)))
    return out


def _mib(n: int) -> str:
    return f"{n / 2 ** 20:,.0f} MiB"


def band_index(path, band, o0, o1, r0, r1, stride, options: dict, threads=None,
               buffer: np.ndarray | None = None) -> tuple[np.ndarray, dict]:
    """The index values of observer rows ``o0:o1`` of the DEM file ``path``, reading its rows ``r0:r1`` (into
    ``buffer`` when given), and the index's parameters."""
    import dataclasses

    from ..dem import stream_dem
    from .vindex import plan_index, run_plan

    import rasterio

    # GDAL's block cache would keep every band read (5 % of the machine's memory by default)
    with rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB):
        part = stream_dem(path, band=band).rows_dataarray(r0, r1, buffer)
    plan = plan_index(part, stride=stride, **options)
    first = o0 - r0   # the band's first observer row, in the part
    plan = dataclasses.replace(plan, rows=np.arange(first, first + (o1 - o0), stride))
    return run_plan(plan, threads=threads), plan.params


def visibility_index_from_file(path, radius: float, stride: int, options: dict, band: int = 1,
                               band_bytes: int | None = None, tile_rows: int | None = None, progress: bool = False,
                               threads: int | None = None, client=None) -> xr.DataArray:
    """:func:`terrain.multi.vindex.visibility_index` of a DEM file, band by band (see the module docstring).

    ``options``: the index's options after ``radius`` and ``stride`` (``observer_height``, ``method``, ...).
    ``client``: a Dask client, one task a band (each reads its band); None runs the bands here.
    """
    from ..dem import stream_dem
    from .vindex import as_dataarray

    stream = stream_dem(path, band=band)
    bands = band_rows_of(stream, radius, stride, band_bytes, tile_rows)
    n_rows = -(-stream.shape[0] // stride)
    n_cols = -(-stream.shape[1] // stride)
    values = np.full((n_rows, n_cols), np.nan, np.float32)
    from ..earth import DEFAULT_REFRACTION
    from ..methods import DEFAULT_METHOD

    opts = dict(dict(observer_height=2.0, target_height=0.0, curvature=True, refraction=DEFAULT_REFRACTION,
                     method=DEFAULT_METHOD, absolute_heights=False), **options, radius=radius)
    params = {}
    bar = None
    if progress:
        from .._progress import progress_bar

        bar = progress_bar(len(bands), "visibility index bands")
    try:
        if client is None:
            buffer = np.empty(max(r1 - r0 for _, _, r0, r1 in bands) * stream.shape[1], np.float32)
            for o0, o1, r0, r1 in bands:
                part, params = band_index(stream.path, band, o0, o1, r0, r1, stride, opts, threads, buffer)
                values[o0 // stride:o0 // stride + part.shape[0]] = part
                if bar:
                    bar.update(1)
        else:
            futures = [client.submit(band_index, str(stream.path), band, o0, o1, r0, r1, stride, opts, 1,
                                     pure=False) for o0, o1, r0, r1 in bands]
            for (o0, _, _, _), fut in zip(bands, futures):
                part, params = fut.result()
                values[o0 // stride:o0 // stride + part.shape[0]] = part
                if bar:
                    bar.update(1)
    finally:
        if bar:
            bar.close()
    grid = stream.grid_dataarray()
    params = dict(params, band_rows=bands[0][1] - bands[0][0], bands=len(bands))
    return as_dataarray(grid, values, stride, params)
