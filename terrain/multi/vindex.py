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

from ..grid import thinned_transform
from ..heights import check_heights, eye_elevation_m, eye_elevations_m
from ..methods import DEFAULT_METHOD
from .. import __version__
from ..earth import DEFAULT_REFRACTION, curvature_factor
from ..errors import InputError
from .observers import PackedObservers, check_batch_method, dem_geometry, run_batches, sweep_surfaces


def observer_cells(shape, stride: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the observer cells: every ``stride``-th cell, starting at the first."""
    return np.arange(0, shape[0], stride), np.arange(0, shape[1], stride)


def pack_grid_observers(z, y_m, dx_m, rows, cols, radius_m, observer_height, target_height, curv,
                        absolute_heights=False, stand=None) -> tuple[PackedObservers, np.ndarray]:
    """Observers on cells ``rows x cols`` with windows as :func:`terrain.viewshed.prepare` draws them.

    ``stand``: the surface the observers stand on where it is not ``z`` (the bare ground, or the roofs, under
    a blocking surface with obstacles). Returns the packed observers (void cells left out) and the flat
    indices (into the ``rows x cols`` grid) of those that were packed.
    """
    nrows, ncols = z.shape
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    rr, cc = rr.ravel(), cc.ravel()
    ground = (z if stand is None else stand)[rr, cc].astype(np.float64)
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
                     progress: bool = False, batch_size: int = 2048, obstacles=None,
                     targets_on_obstacles: bool = False, observer_on_obstacle: bool = False, backend: str = "local",
                     client=None, scheduler: str | None = None, n_workers: int | None = None) -> xr.DataArray:
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
        Metres above the ground (or above sea level with ``absolute_heights``); ``target_height`` may also
        be a height for every cell (a grid, a DataArray or a raster's path, as for :func:`terrain.viewshed`).
    curvature, refraction :
        As for :func:`terrain.viewshed.viewshed`.
    method : {"refined", "fast", "exact"}
        Horizon method of every viewshed.
    threads : int, optional
        Numba threads (default: all).
    progress : bool
        Show progress on stderr (a bar on a terminal, a line every few seconds otherwise).
    obstacles : xarray.DataArray, array or path, optional
        Heights above the ground (buildings, canopy), metres, that block sight lines, as for
        :func:`terrain.viewshed` (:mod:`terrain.obstacles`).
    targets_on_obstacles, observer_on_obstacle : bool
        The ground seen is the obstacles' tops (rooftops); each observer stands on its cell's obstacle.
    backend, client, scheduler, n_workers :
        Where it runs, by the rule of :mod:`terrain.multi.backends`: ``"local"`` numba threads (default), or
        ``"dask"`` on the cluster they name; the same result, bit for bit.

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
    from .backends import use_dask

    dask = use_dask(backend, client, scheduler, n_workers)
    if not isinstance(dem, xr.DataArray):
        return _index_of_file(dem, radius, stride, dict(
            observer_height=observer_height, target_height=target_height, curvature=curvature,
            refraction=refraction, method=method, absolute_heights=absolute_heights, obstacles=obstacles,
            targets_on_obstacles=targets_on_obstacles, observer_on_obstacle=observer_on_obstacle),
            threads, progress, dask, client, scheduler, n_workers)
    if dask:
        from .distributed import visibility_index as on_dask

        return on_dask(dem, radius, stride, observer_height, target_height, curvature, refraction, method,
                       absolute_heights, scheduler=scheduler, n_workers=n_workers, client=client, progress=progress,
                       obstacles=obstacles, targets_on_obstacles=targets_on_obstacles,
                       observer_on_obstacle=observer_on_obstacle)
    plan = plan_index(dem, radius, stride, observer_height, target_height, curvature, refraction, method,
                      absolute_heights, obstacles, targets_on_obstacles, observer_on_obstacle)
    est = check_index_cost(plan, threads)
    bar = None
    if progress:
        from .._progress import progress_bar

        bar = progress_bar(est["observers"], "visibility index")
    try:
        values = run_plan(plan, threads, batch_size, bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    return index_dataarray(dem, plan, values)


def run_plan(plan: "IndexPlan", threads: int | None = None, batch_size: int = 2048, progress=None) -> np.ndarray:
    """The index values of a plan's observers (float32 km², NaN on voids), on this machine's threads;
    ``progress``: a callable taking the number of observers just finished."""
    z, y_m, dx_m, row_area = plan.geometry
    values = plan.empty_values()
    for i0, i1, packed, keep in plan.row_blocks():
        if plan.params["method"] == "fast" and plan.zt is None:
            area = visible_areas(z, y_m, dx_m, row_area, packed, threads=threads, batch_size=batch_size,
                                 progress=progress)
        else:
            # obstacles: targets stand on another surface than the one sight lines cross, which only the
            # general batch kernel takes
            area = run_batches(z, y_m, dx_m, row_area, packed, plan.params["method"], accumulate=False,
                               threads=threads, batch_size=batch_size, progress=progress, zt=plan.zt).area
        values[i0:i1].reshape(-1)[keep] = area
    return values


def _index_of_file(path, radius, stride, options, threads, progress, dask, client, scheduler, n_workers):
    """The index of a DEM given as a file or VRT, band by band (:mod:`terrain.multi.tiled`)."""
    import os

    from .tiled import visibility_index_from_file

    if not isinstance(path, (str, os.PathLike)):
        raise InputError("give the DEM as a DataArray (terrain.load_dem) or as one file (a GeoTIFF, an SRTM tile "
                         "or a VRT of tiles) to run it band by band")
    for name in ("obstacles", "target_height"):
        value = options[name]
        if isinstance(value, (np.ndarray, xr.DataArray)) and np.ndim(value) > 0:
            raise InputError(f"{name} on a DEM read band by band must be a raster file (read onto each band), "
                             "not an array")
    if not dask:
        return visibility_index_from_file(path, radius, stride, options, progress=progress, threads=threads)
    from .distributed import dask_client

    with dask_client(scheduler, n_workers, client) as c:
        return visibility_index_from_file(path, radius, stride, options, progress=progress, client=c)


#: Observers packed at a time: the plan is streamed in blocks of observer rows, so its memory (about
#: 130 bytes an observer) stays bounded whatever the DEM's size.
OBSERVERS_PER_BLOCK = 1 << 16

#: Seconds per analysed cell and thread, by method (measured on the Hama stand-in, 2-core AMD EPYC),
#: for the estimate printed before long runs.
SECONDS_PER_CELL = {"fast": 5.5e-8, "refined": 2.0e-7, "exact": 1.5e-6}


@dataclass(frozen=True)
class IndexPlan:
    """A visibility-index job laid out: the DEM geometry, the observer cells, and how to pack them.

    The packed observers are made block by block (:meth:`row_blocks`), never all at once. With obstacles,
    ``geometry``'s elevations are the blocking surface, ``zt`` the one targets stand on and ``stand`` the one
    observers stand on (None without obstacles: both are the DEM).
    """

    geometry: tuple
    rows: np.ndarray
    cols: np.ndarray
    stride: int
    params: dict
    pack_args: tuple
    zt: np.ndarray | None = None
    stand: np.ndarray | None = None

    def row_blocks(self, observers_per_block: int | None = None):
        """Yield ``(i0, i1, packed, keep)`` for observer rows ``i0:i1``: their packed observers (voids left
        out) and the flat indices, within those rows, of the packed ones."""
        z, y_m, dx_m, _ = self.geometry
        per_block = OBSERVERS_PER_BLOCK if observers_per_block is None else int(observers_per_block)
        per = max(1, per_block // max(1, self.cols.size))
        for i0 in range(0, self.rows.size, per):
            i1 = min(self.rows.size, i0 + per)
            packed, keep = pack_grid_observers(z, y_m, dx_m, self.rows[i0:i1], self.cols, *self.pack_args,
                                               stand=self.stand)
            yield i0, i1, packed, keep

    def empty_values(self) -> np.ndarray:
        """The index grid before any observer ran: float32 NaN, one cell per observer cell."""
        return np.full((self.rows.size, self.cols.size), np.nan, np.float32)

    def observer_count(self) -> int:
        """Observer cells that are not voids."""
        z = self.geometry[0]
        n = 0
        for r in range(0, self.rows.size, 1024):
            n += int(np.count_nonzero(np.isfinite(z[self.rows[r:r + 1024]][:, self.cols])))
        return n

    def estimate(self, threads: int) -> dict:
        """Rough cost before running: ``observers``, ``cells_each`` (mean analysed cells), ``seconds``
        (on ``threads`` threads) and ``memory_bytes`` (result and blocks in flight, beyond the DEM)."""
        z, y_m, dx_m, row_area = self.geometry
        radius = self.params["radius_m"]
        cell_m2 = float(np.mean(row_area)) * 1e6
        grid_m2 = cell_m2 * z.size
        cells_each = min(math.pi * radius * radius, grid_m2) / cell_m2
        n = self.observer_count()
        seconds = n * cells_each * SECONDS_PER_CELL[self.params["method"]] / max(1, threads)
        memory = 4 * self.rows.size * self.cols.size + 130 * OBSERVERS_PER_BLOCK
        return {"observers": n, "cells_each": cells_each, "seconds": seconds, "memory_bytes": memory}


def check_index_cost(plan: IndexPlan, threads: int | None = None) -> dict:
    """Refuse an index whose result cannot fit in memory, and announce a long one (:class:`LongRunWarning`)
    with its estimate, before any observer runs. Returns :meth:`IndexPlan.estimate`."""
    import warnings

    import numba

    from .._resources import available_memory_bytes, format_bytes, rough_duration
    from ..errors import LongRunWarning
    from ..viewshed import LONG_RUN_S

    threads = numba.get_num_threads() if threads is None else max(1, int(threads))
    est = plan.estimate(threads)
    stride = plan.stride
    available = available_memory_bytes()
    if available is not None and est["memory_bytes"] > available:
        raise InputError(f"the visibility index of {est['observers']:,} observers needs about "
                         f"{format_bytes(est['memory_bytes'])} beyond the DEM, more than the "
                         f"{format_bytes(available)} available; use a coarser --stride (stride={2 * stride}) "
                         "or a smaller area")
    if est["seconds"] > LONG_RUN_S:
        warnings.warn(f"the visibility index runs {est['observers']:,} observers of about {est['cells_each']:,.0f} "
                      f"cells each: {rough_duration(est['seconds'])} on {threads} threads "
                      f"(Ctrl-C stops it); --stride {2 * stride} would take about a quarter of that",
                      LongRunWarning, stacklevel=3)
    return est


def plan_index(dem, radius, stride, observer_height, target_height, curvature, refraction, method,
               absolute_heights, obstacles=None, targets_on_obstacles=False, observer_on_obstacle=False) -> IndexPlan:
    """Check a visibility index's arguments and lay out its observers (shared by the local and Dask paths)."""
    check_batch_method(method)
    if not radius > 0:
        raise InputError(f"the radius must be greater than zero, got {radius} m")
    stride = int(stride)
    if stride < 1:
        raise InputError(f"stride must be a whole number of cells, 1 or more, got {stride}")
    from ..viewshed import is_height_grid

    target_grid = target_height if is_height_grid(target_height) else None
    if target_grid is not None:
        target_height = 0.0   # the targets' tops: the ground they stand on plus the grid (below)
    observer_height, target_height = check_heights(observer_height, target_height, absolute_heights)
    ground, y_m, dx_m, row_area = dem_geometry(dem)
    surf, _ = sweep_surfaces(dem, ground, obstacles, targets_on_obstacles, observer_on_obstacle, target_grid)
    z = surf.z
    # None where the DEM itself serves (no obstacles, no target grid): the area-only kernel then runs
    zt = None if surf.z is ground and surf.zt is ground else surf.zt
    # observers stand on the bare ground under the blocking surface, or on their roofs
    stand = None if z is ground or observer_on_obstacle else ground
    rows, cols = observer_cells(z.shape, stride)
    if absolute_heights:
        with np.errstate(invalid="ignore"):
            base = (z if stand is None else stand)[::stride, ::stride]
            highest = float(np.nanmax(base)) if np.isfinite(base).any() else np.nan
        eye_elevation_m(highest, observer_height, True, label="the highest observer cell")
    params = dict(radius_m=float(radius), stride=stride, observer_height_m=float(observer_height),
                  target_height_m=float("nan") if target_grid is not None else float(target_height),
                  target_height_grid=int(target_grid is not None), absolute_heights=int(bool(absolute_heights)),
                  curvature=int(bool(curvature)), refraction=float(refraction), method=method,
                  obstacles=int(obstacles is not None),
                  targets_on_obstacles=int(bool(targets_on_obstacles) and obstacles is not None),
                  observer_on_obstacle=int(bool(observer_on_obstacle) and obstacles is not None))
    pack_args = (float(radius), observer_height, target_height, curvature_factor(curvature, refraction),
                 absolute_heights)
    return IndexPlan((z, y_m, dx_m, row_area), rows, cols, stride, params, pack_args, zt, stand)


def index_dataarray(dem, plan: IndexPlan, values: np.ndarray) -> xr.DataArray:
    """The index as a DataArray: ``values`` (km^2 on the observer grid, NaN on voids) labelled."""
    return as_dataarray(dem, values, plan.stride, plan.params)


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
    # cell centres stay on the observers: the thinned cell's corner is half a (big) cell before it
    transform = thinned_transform(dem.rio.transform(recalc=False), stride)
    if dem.rio.crs is not None:
        da.rio.write_crs(dem.rio.crs, inplace=True)
    da.rio.write_transform(transform, inplace=True)
    da.attrs.update(params)
    da.attrs.update({"terrain_version": __version__, "source": dem.attrs.get("source", ""),
                     "files": dem.attrs.get("files", ""),
                     "synthetic": int(dem.attrs.get("synthetic", 0))})
    return da
