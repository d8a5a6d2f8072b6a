"""Cumulative viewsheds: how many observers see each cell, which ones, and what no one sees.

The observers' viewsheds are exactly the single-observer ones
(:func:`terrain.viewshed.viewshed` with the same method and options); they are
computed in parallel from windows of one elevation array and summed as they
go, so no per-observer raster is ever kept.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr

from ..rounding import percent
from ..methods import DEFAULT_METHOD
from .. import __version__
from ..errors import InputError
from ..viewshed import cell_areas
from .._resources import available_memory_bytes, format_bytes
from .engine import plan_observers
from .observers import (WORD_BITS, BatchResult, observer_specs, run_batches, seen_words, split_target_grid,
                        window_slices)

#: The default ``outputs`` keep the packed mask when it needs at most this many bytes (and memory allows).
SEEN_BY_AUTO_BYTES = 1 << 30
#: The most observers a uint16 count holds without wrapping.
MAX_COUNT = 65535


def cumulative_viewshed(dem: xr.DataArray, observers, method: str = DEFAULT_METHOD, threads: int | None = None,
                        progress: bool = False, outputs=None, obstacles=None, targets_on_obstacles: bool = False,
                        observer_on_obstacle: bool = False, backend: str = "local", client=None,
                        scheduler: str | None = None, n_workers: int | None = None, **viewshed_options) -> xr.Dataset:
    """Count, for every cell, the observers that see it.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`.
    observers : sequence
        Points (``"lat,lon"``, ``(lat, lon)``, ``"xy:X,Y"``, place names) or dicts
        ``{"point": ..., "observer_height": ..., "max_distance": ...}`` overriding
        the shared options for that observer.
    method : {"refined", "fast", "exact"}
        Horizon method of every viewshed (default ``refined``, as for
        :func:`terrain.viewshed.viewshed`; see :mod:`terrain.methods`). Every method
        runs as one parallel batch over the shared array, each observer's viewshed
        bit for bit the single one.
    threads : int, optional
        Numba threads for the batch (default: all); results do not depend on it.
    progress : bool
        Show a tqdm progress bar (observers done).
    outputs : sequence of str, optional
        The grids to compute, among ``"count"``, ``"analysed"`` and ``"seen_by"``; only those named are
        allocated. Default: count and analysed, and seen_by when it needs at most 1 GiB (and half the free
        memory), else left out with a warning. Naming ``"seen_by"`` keeps it for any number of observers
        (refused before any work when the memory is not there).
    obstacles, targets_on_obstacles, observer_on_obstacle
        Surface obstacles (buildings, canopy: heights above the ground, a grid or a raster file) that block
        the sight lines, as for :func:`terrain.viewshed.viewshed`; every observer's viewshed is then that
        viewshed with the same obstacles, bit for bit.
    backend, client, scheduler, n_workers :
        Where it runs, by the rule of :mod:`terrain.multi.backends`: ``"local"`` numba threads (default), or
        ``"dask"`` on the cluster they name; the same result, bit for bit.
    **viewshed_options
        ``observer_height``, ``target_height``, ``max_distance`` (metres),
        ``min_distance``, ``azimuth``, ``pitch``, ``curvature``, ``refraction``,
        ``absolute_heights`` as for :func:`terrain.viewshed.viewshed`; each may be
        a list with one value per observer. ``target_height`` may also be a height for every cell (a grid on
        the DEM's grid, a DataArray or a raster's path, as for :func:`terrain.viewshed.viewshed`; not with a
        pitch window).

    Returns
    -------
    xarray.Dataset
        On the block of the DEM holding every observer's window (the whole DEM
        when an observer has no ``max_distance``):

        * ``count`` (uint16): how many observers see the cell (files write cells no observer analysed as
          nodata, 65535, apart from dead ground, 0);
        * ``analysed`` (uint16): how many observers analysed it (within their
          radius, sector and pitch window, not void);
        * ``seen_by`` (uint64, dimensions ``word, y, x``): bit ``i % 64`` of word
          ``i // 64`` is set when ``observers[i]`` (in the order given) sees the
          cell; read it with :func:`seen_by_observer`;
        * per observer (dimension ``observer``, same order): ``observer_name``,
          ``observer_lat``, ``observer_lon``, ``observer_eye_m`` and
          ``visible_km2``.

    Examples
    --------
    >>> dem = terrain.load_dem("dem_samples/hama_standin.tif")
    >>> cv = cumulative_viewshed(dem, ["Zayn al-Abidin", "Jabal Kafra"], observer_height=10,
    ...                          max_distance=15_000)
    >>> round(area_km2(union_coverage(cv)), 1)  # doctest: +SKIP
    """
    from .backends import use_dask

    if use_dask(backend, client, scheduler, n_workers):
        from .distributed import cumulative_viewshed as on_dask

        return on_dask(dem, observers, method=method, scheduler=scheduler, n_workers=n_workers, client=client,
                       progress=progress, outputs=outputs, obstacles=obstacles,
                       targets_on_obstacles=targets_on_obstacles, observer_on_obstacle=observer_on_obstacle,
                       **viewshed_options)
    viewshed_options, target_grid = split_target_grid(viewshed_options, observers)
    specs = observer_specs(observers, viewshed_options)
    if len(specs) > MAX_COUNT:
        raise InputError(f"{len(specs):,} observers are more than the count can hold ({MAX_COUNT:,}: uint16); "
                         "run them in groups and add the groups' counts")
    names = cumulative_outputs(outputs)
    plan = plan_observers(dem, specs, method, (obstacles, targets_on_obstacles, observer_on_obstacle, target_grid))
    setups, surf, packed = plan.setups, plan.surfaces, plan.packed
    with_seen = keep_seen_by(names, len(setups), packed.union_window())
    bar = _progress_bar(len(setups), progress)
    try:
        result = run_batches(*plan.geometry, packed, method, with_seen=with_seen, zt=surf.zt,
                             with_count=names is None or "count" in names,
                             with_analysed=names is None or "analysed" in names, threads=threads,
                             progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    ds = as_dataset(dem, result, setups, method, specs, surf.obstacles, targets_on_obstacles, observer_on_obstacle)
    ds.attrs["target_height_grid"] = int(target_grid is not None)
    return ds


#: The grids a cumulative viewshed can hold.
CUMULATIVE_OUTPUTS = ("count", "analysed", "seen_by")


def cumulative_outputs(outputs) -> tuple[str, ...] | None:
    """The ``outputs`` of :func:`cumulative_viewshed`, checked; None: the default (seen_by if it fits)."""
    if outputs is None:
        return None
    names = (outputs,) if isinstance(outputs, str) else tuple(outputs)
    unknown = [o for o in names if o not in CUMULATIVE_OUTPUTS]
    if unknown or not names:
        raise InputError(f"outputs {unknown or list(names)!r} not understood; name one or more of "
                         f"{', '.join(CUMULATIVE_OUTPUTS)}")
    return tuple(dict.fromkeys(names))


def keep_seen_by(outputs: tuple[str, ...] | None, n: int, window) -> bool:
    """Whether a run of ``n`` observers over ``window`` keeps its ``seen_by`` mask (``outputs`` from
    :func:`cumulative_outputs`; see :func:`cumulative_viewshed`): the one rule for the local and the Dask runs."""
    seen_by = None if outputs is None else "seen_by" in outputs
    if seen_by is False:
        return False
    need = seen_words(n) * (window[1] - window[0]) * (window[3] - window[2]) * 8
    have = available_memory_bytes()
    fits = have is None or need <= have // 2
    if seen_by:
        if not fits:
            raise InputError(f"seen_by for {n:,} observers needs {format_bytes(need)}, more than half the "
                             f"{format_bytes(have)} of memory available; leave it out of outputs= (count and "
                             "analysed only) or run the observers in groups")
        return True
    if need <= SEEN_BY_AUTO_BYTES and fits:
        return True
    warnings.warn(f"seen_by (which observer sees which cell) for {n:,} observers would need {format_bytes(need)}; "
                  "the result holds count and analysed only (name it in outputs= to keep it)", UserWarning,
                  stacklevel=3)
    return False


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    from .._progress import progress_bar

    return progress_bar(total, "viewsheds")


def as_dataset(dem: xr.DataArray, result: BatchResult, setups, method: str, specs, obstacles: bool = False,
               targets_on_obstacles: bool = False, observer_on_obstacle: bool = False) -> xr.Dataset:
    """Label a run's accumulators as a Dataset on the DEM's grid (the union window)."""
    rows, cols = window_slices(result.window)
    window = dem.isel(y=rows, x=cols)
    n = len(setups)
    data = {}
    if result.count is not None:
        data["count"] = (("y", "x"), result.count, {"long_name": "number of observers that see the cell"})
    if result.analysed is not None:
        data["analysed"] = (("y", "x"), result.analysed,
                            {"long_name": "number of observers that analysed the cell"})
    if result.seen is not None:
        data["seen_by"] = (("word", "y", "x"), _all_words(result, n), {
            "long_name": "bit mask of the observers that see the cell",
            "bit_order": "bit i % 64 (value 2**(i % 64)) of word i // 64 = observers[i], in the order given"})
    names = [s.observer.name or "" for s in setups]
    data.update({
        "observer_name": (("observer",), np.array(names, dtype=object)),
        "observer_lat": (("observer",), np.array([s.observer.lat for s in setups])),
        "observer_lon": (("observer",), np.array([s.observer.lon for s in setups])),
        "observer_eye_m": (("observer",), np.array([s.eye_z for s in setups])),
        "visible_km2": (("observer",), result.area, {"long_name": "area the observer sees", "units": "km2"}),
    })
    ds = xr.Dataset(data, coords={"y": window.y, "x": window.x, "observer": np.arange(n)})
    if window.rio.crs is not None:
        ds.rio.write_crs(window.rio.crs, inplace=True)
    ds.rio.write_transform(window.rio.transform(recalc=False), inplace=True)
    ds.attrs.update({
        "n_observers": n, "method": method, "terrain_version": __version__,
        "source": dem.attrs.get("source", ""), "files": dem.attrs.get("files", ""),
        "synthetic": int(dem.attrs.get("synthetic", 0)),
        "obstacles": int(obstacles), "targets_on_obstacles": int(obstacles and targets_on_obstacles),
        "eye_on_obstacle": int(obstacles and observer_on_obstacle),
        "observer_order": "seen_by bit i % 64 of word i // 64 and the observer dimension follow the order the observers were given",
        "options": json.dumps([{k: v for k, v in s.items() if k != "point"} for s in specs[:64]], default=str),
    })
    return ds


def _all_words(result: BatchResult, n: int) -> np.ndarray:
    """The run's mask with every word of ``n`` observers (a partial run may start past word 0)."""
    words = seen_words(n)
    seen = result.seen
    if result.word0 == 0 and seen.shape[0] == words:
        return seen
    out = np.zeros((words,) + seen.shape[1:], np.uint64)
    out[result.word0:result.word0 + seen.shape[0]] = seen
    return out


def _n_observers(ds: xr.Dataset) -> int:
    return int(ds.attrs.get("n_observers", ds.sizes.get("observer", 0)))


def _grid(ds: xr.Dataset, name: str) -> xr.DataArray:
    if name not in ds:
        raise InputError(f"this result has no {name} grid; run cumulative_viewshed with {name!r} in outputs=")
    return ds[name]


def _observer_bits(ds: xr.Dataset, i: int) -> xr.DataArray:
    if "seen_by" not in ds:
        raise InputError("this result has no seen_by mask (it was left out to save memory); run "
                         "cumulative_viewshed(..., outputs=(\"count\", \"analysed\", \"seen_by\"))")
    n = _n_observers(ds)
    if not 0 <= int(i) < n:
        raise InputError(f"observer index {i} is out of range 0..{n - 1}")
    i = int(i)
    bits = ds["seen_by"]
    if "word" in bits.dims:
        bits = bits.isel(word=i // WORD_BITS)
    elif i >= WORD_BITS:  # a mask of one word written before the word dimension
        raise InputError(f"observer index {i} is past this result's one-word seen_by mask")
    return ((bits >> np.uint64(i % WORD_BITS)) & np.uint64(1)).astype(bool).drop_vars("word", errors="ignore")


def _subset_count(ds: xr.Dataset, observers) -> xr.DataArray:
    """How many of the observers with indices ``observers`` see each cell (from ``seen_by``)."""
    total = None

    for i in dict.fromkeys(int(i) for i in observers):
        bits = _observer_bits(ds, i).astype(np.uint32)
        total = bits if total is None else total + bits
    if total is None:
        raise InputError("observers= names no observer; give one or more indices")
    return total


def union_coverage(ds: xr.Dataset, observers=None) -> xr.DataArray:
    """Cells seen by at least one observer (bool); ``observers``: only these indices (needs ``seen_by``)."""
    count = _grid(ds, "count") if observers is None else _subset_count(ds, observers)
    return (count > 0).rename("seen_by_any")


def seen_by_all(ds: xr.Dataset, observers=None) -> xr.DataArray:
    """Cells seen by every observer (bool); ``observers``: every one of these indices (needs ``seen_by``)."""
    if observers is None:
        return (_grid(ds, "count") == _n_observers(ds)).rename("seen_by_all")
    wanted = list(dict.fromkeys(int(i) for i in observers))
    return (_subset_count(ds, wanted) == len(wanted)).rename("seen_by_all")


def dead_ground(ds: xr.Dataset, observers=None) -> xr.DataArray:
    """Cells analysed by at least one observer but seen by none (bool): the dead ground of the group;
    ``observers``: seen by none of these indices (needs ``seen_by``)."""
    return ((_grid(ds, "analysed") > 0) & ~union_coverage(ds, observers)).rename("dead_ground")


def analysed_cells(ds: xr.Dataset) -> xr.DataArray:
    """Cells analysed by at least one observer (bool)."""
    return (_grid(ds, "analysed") > 0).rename("analysed")


def seen_by_observer(ds: xr.Dataset, i: int) -> xr.DataArray:
    """Cells that observer ``i`` (in the order given, any number of observers) sees (bool); needs ``seen_by``."""
    return _observer_bits(ds, i).rename(f"seen_by_{int(i)}")


def area_km2(mask: xr.DataArray) -> float:
    """True area of the cells where ``mask`` is true, km^2 (also on geographic grids)."""
    return float((np.asarray(mask.values, dtype=bool) * cell_areas(mask)).sum())


def coverage_summary(ds: xr.Dataset) -> dict:
    """Headline areas (km^2) of a cumulative viewshed: analysed, seen by any, by all, dead ground."""
    analysed = area_km2(analysed_cells(ds))
    seen = area_km2(union_coverage(ds))
    return {
        "observers": _n_observers(ds),
        "analysed_km2": round(analysed, 3),
        "seen_by_any_km2": round(seen, 3),
        "seen_by_all_km2": round(area_km2(seen_by_all(ds)), 3),
        "dead_ground_km2": round(area_km2(dead_ground(ds)), 3),
        "seen_by_any_percent": percent(seen, analysed),
        "max_count": int(ds["count"].max()) if ds["count"].size else 0,
    }
