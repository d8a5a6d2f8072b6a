"""The visibility index (total viewshed): for every cell, how much ground an observer standing there would see.

Each cell (or every ``stride``-th cell in both directions) becomes an observer
whose viewshed within ``radius`` is exactly the single-observer one
(:func:`terrain.viewshed.viewshed` with ``max_distance=radius`` and the same
method); the index is its visible area in km^2, summed with true cell areas. The
observers run as parallel batches over the one shared elevation array: with
``method="fast"`` the kernel :func:`terrain.kernels.observer_batch.visible_areas_fast`,
which runs the fast sweep and counts the visible area as it goes (no horizon
grid per observer); with ``"exact"`` the general
:func:`terrain.kernels.observer_batch.observer_batch`.
"""

from __future__ import annotations

from dataclasses import dataclass

import math

import numpy as np
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr

from ..heights import eye_elevations_m
from ..methods import DEFAULT_METHOD
from .. import __version__
from ..earth import DEFAULT_REFRACTION, curvature_factor
from ..errors import InputError
from .observers import PackedObservers, check_batch_method, dem_geometry, run_batches


def observer_cells(shape, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the observer cells: every ``stride``-th cell, starting at the first."""
    return np.arange(0, shape[0], stride), np.arange(0, shape[1], stride)


def pack_grid_observers(z, y_m, dx_m, rows, cols, radius_m, observer_height, target_height, curv,
                        absolute_heights=False) -> tuple[PackedObservers, np.ndarray]:
    """Observers on cells ``rows x cols`` with windows as :func:`terrain.viewshed.prepare` draws them.

    Returns the packed observers (void cells left out) and the flat indices
    (into the ``rows x cols`` grid) of those that were packed.
    """
    nrows, ncols = z.shape
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    rr, cc = rr.ravel(), cc.ravel()
    ground = z[rr, cc].astype(np.float64)
    keep = np.flatnonzero(np.isfinite(ground))
    rr, cc, ground = rr[keep], cc[keep], ground[keep]
    # the window of prepare(): rows within radius along y, columns by the narrowest cell in those rows
    rlo = np.searchsorted(y_m, y_m - radius_m, side="left")
    rhi = np.searchsorted(y_m, y_m + radius_m, side="right")
    span = np.array([int(math.ceil(radius_m / float(dx_m[max(a, 0):b].min()))) + 1 for a, b in zip(rlo, rhi)])
    n = rr.size
    win = np.empty((n, 4), np.int64)
    win[:, 0] = np.maximum(rlo[rr], 0)
    win[:, 1] = np.minimum(rhi[rr], nrows)
    win[:, 2] = np.maximum(cc - span[rr], 0)
    win[:, 3] = np.minimum(cc + span[rr] + 1, ncols)
    obs = np.stack([rr - win[:, 0], cc - win[:, 2]], axis=1).astype(np.int64)
    par = np.empty((n, 10), np.float64)
    par[:, 0] = eye_elevations_m(ground, observer_height, absolute_heights)
    par[:, 1] = float(target_height)
    par[:, 2] = curv
    par[:, 3] = 0.0
    par[:, 4] = float(radius_m)
    par[:, 5], par[:, 6], par[:, 7] = 0.0, 360.0, 1.0
    par[:, 8], par[:, 9] = -90.0, 90.0
    return PackedObservers(win, obs, par), keep


def visibility_index(dem: xr.DataArray, radius: float = 10_000.0, stride: int = 1, observer_height: float = 2.0,
                     target_height: float = 0.0, curvature: bool = True, refraction: float = DEFAULT_REFRACTION,
                     method: str = DEFAULT_METHOD, absolute_heights: bool = False, threads: int | None = None,
                     progress: bool = False, batch_size: int = 2048) -> xr.DataArray:
    """Visible area (km^2) within ``radius`` from every ``stride``-th cell: the total viewshed.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`.
    radius : float
        Metres; each observer's viewshed is limited to it.
    stride : int
        Use every ``stride``-th row and column as an observer (1: every cell).
    observer_height, target_height : float
        Metres above the ground (or above sea level with ``absolute_heights``).
    curvature, refraction :
        As for :func:`terrain.viewshed.viewshed`.
    method : {"refined", "fast", "exact"}
        Horizon method of every viewshed.
    threads : int, optional
        Numba threads (default: all).
    progress : bool
        Show a tqdm progress bar.

    Returns
    -------
    xarray.DataArray
        float32 km^2 on the grid of the observer cells (the DEM's grid thinned by
        ``stride``: cell centres at the observers, cells ``stride`` times larger);
        NaN on voids. Attributes give the radius, heights and method.

    Examples
    --------
    >>> dem = terrain.load_dem("dem_samples/hama_standin.tif").isel(y=slice(None, None, 3), x=slice(None, None, 3))
    >>> vi = visibility_index(dem, radius=10_000, stride=4)  # doctest: +SKIP
    """
    plan = plan_index(dem, radius, stride, observer_height, target_height, curvature, refraction, method,
                      absolute_heights)
    z, y_m, dx_m, row_area = plan.geometry
    packed = plan.packed
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(packed), unit="observer", desc="visibility index")
    try:
        if method == "fast":
            area = visible_areas(z, y_m, dx_m, row_area, packed, threads=threads, batch_size=batch_size,
                                 progress=bar.update if bar else None)
        else:
            area = run_batches(z, y_m, dx_m, row_area, packed, method, accumulate=False, threads=threads,
                               batch_size=batch_size, progress=bar.update if bar else None).area
    finally:
        if bar:
            bar.close()
    return index_dataarray(dem, plan, area)


@dataclass(frozen=True)
class IndexPlan:
    """A visibility-index job laid out: the DEM geometry, the observer cells and their packed parameters."""

    geometry: tuple
    rows: np.ndarray
    cols: np.ndarray
    packed: PackedObservers
    keep: np.ndarray
    stride: int
    params: dict


def plan_index(dem, radius, stride, observer_height, target_height, curvature, refraction, method,
               absolute_heights) -> IndexPlan:
    """Check a visibility index's arguments and lay out its observers (shared by the local and Dask paths)."""
    check_batch_method(method)
    if not radius > 0:
        raise InputError(f"the radius must be greater than zero, got {radius} m")
    stride = int(stride)
    if stride < 1:
        raise InputError(f"stride must be a whole number of cells, 1 or more, got {stride}")
    if not absolute_heights and (observer_height < 0 or target_height < 0):
        raise InputError("heights above the ground cannot be negative; give 0 or more metres")
    z, y_m, dx_m, row_area = dem_geometry(dem)
    rows, cols = observer_cells(z.shape, stride)
    packed, keep = pack_grid_observers(z, y_m, dx_m, rows, cols, float(radius), observer_height, target_height,
                                       curvature_factor(curvature, refraction), absolute_heights)
    params = dict(radius_m=float(radius), stride=stride, observer_height_m=float(observer_height),
                  target_height_m=float(target_height), absolute_heights=int(bool(absolute_heights)),
                  curvature=int(bool(curvature)), refraction=float(refraction), method=method)
    return IndexPlan((z, y_m, dx_m, row_area), rows, cols, packed, keep, stride, params)


def index_dataarray(dem, plan: IndexPlan, area) -> xr.DataArray:
    """The index as a DataArray: ``area`` (km^2, one per kept observer) on the observer grid, NaN on voids."""
    values = np.full(plan.rows.size * plan.cols.size, np.nan, np.float32)
    values[plan.keep] = area
    return as_dataarray(dem, values.reshape(plan.rows.size, plan.cols.size), plan.stride, plan.params)


def visible_areas(z, y_m, dx_m, row_area_km2, packed: PackedObservers, threads: int | None = None,
                  batch_size: int = 2048, block: int = 4, progress=None) -> np.ndarray:
    """Visible area (km^2) of each packed observer's fast viewshed, float64.

    Batches of ``batch_size`` observers run in the kernel
    :func:`terrain.kernels.observer_batch.visible_areas_fast`, blocks of ``block``
    observers handed to the threads as they come free (a busy core does not
    hold the others up). ``progress``: a callable taking the number of
    observers just finished.
    """
    import numba

    from ..kernels.observer_batch import visible_areas_fast

    n = len(packed)
    nthreads = numba.get_num_threads() if threads is None else max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS))
    area = np.zeros(n, np.float64)
    previous = numba.get_num_threads()
    numba.set_num_threads(nthreads)
    try:
        with numba.parallel_chunksize(1):
            for start in range(0, n, batch_size):
                stop = min(n, start + batch_size)
                part = np.zeros(stop - start, np.float64)
                visible_areas_fast(z, y_m, dx_m, row_area_km2, packed.win[start:stop], packed.obs[start:stop],
                                   packed.par[start:stop], block, part)
                area[start:stop] = part
                if progress is not None:
                    progress(stop - start)
    finally:
        numba.set_num_threads(previous)
    return area


def as_dataarray(dem: xr.DataArray, values: np.ndarray, stride: int, params: dict) -> xr.DataArray:
    """Label index values on the thinned grid of the observer cells."""
    thin = dem.isel(y=slice(None, None, stride), x=slice(None, None, stride))
    da = xr.DataArray(values, dims=("y", "x"), coords={"y": thin.y, "x": thin.x}, name="visibility_index",
                      attrs={"long_name": "visible area within the radius", "units": "km2"})
    t = dem.rio.transform(recalc=False)
    from affine import Affine

    # cell centres stay on the observers: the thinned cell's corner is half a (big) cell before it
    transform = Affine(t.a * stride, 0.0, t.c + t.a * 0.5 - t.a * stride * 0.5,
                       0.0, t.e * stride, t.f + t.e * 0.5 - t.e * stride * 0.5)
    if dem.rio.crs is not None:
        da.rio.write_crs(dem.rio.crs, inplace=True)
    da.rio.write_transform(transform, inplace=True)
    da.attrs.update(params)
    da.attrs.update({"terrain_version": __version__, "source": dem.attrs.get("source", ""),
                     "files": dem.attrs.get("files", ""),
                     "synthetic": int(dem.attrs.get("synthetic", 0))})
    return da
