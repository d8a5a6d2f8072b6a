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
from .observers import (BatchResult, dem_geometry, observer_specs, pack, prepare_observers,
                        run_batches, window_slices)

MAX_SEEN_BY = 64
#: The most observers a uint16 count holds without wrapping.
MAX_COUNT = 65535


def cumulative_viewshed(dem: xr.DataArray, observers, method: str = DEFAULT_METHOD, threads: int | None = None,
                        progress: bool = False, **viewshed_options) -> xr.Dataset:
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
    **viewshed_options
        ``observer_height``, ``target_height``, ``max_distance`` (metres),
        ``min_distance``, ``azimuth``, ``pitch``, ``curvature``, ``refraction``,
        ``absolute_heights`` as for :func:`terrain.viewshed.viewshed`; each may be
        a list with one value per observer.

    Returns
    -------
    xarray.Dataset
        On the block of the DEM holding every observer's window (the whole DEM
        when an observer has no ``max_distance``):

        * ``count`` (uint16): how many observers see the cell;
        * ``analysed`` (uint16): how many observers analysed it (within their
          radius, sector and pitch window, not void);
        * ``seen_by`` (uint64, only for up to 64 observers): bit ``i`` is set
          when ``observers[i]`` (in the order given) sees the cell;
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
    specs = observer_specs(observers, viewshed_options)
    if len(specs) > MAX_COUNT:
        raise InputError(f"{len(specs):,} observers are more than the count can hold ({MAX_COUNT:,}: uint16); "
                         "run them in groups and add the groups' counts")
    if len(specs) > MAX_SEEN_BY:
        warnings.warn(f"seen_by (which observer sees which cell) is kept for up to {MAX_SEEN_BY} observers; "
                      f"with {len(specs)} the result holds count and analysed only", UserWarning, stacklevel=2)
    setups = prepare_observers(dem, specs, method)
    packed = pack(setups)
    with_seen = len(setups) <= MAX_SEEN_BY
    bar = _progress_bar(len(setups), progress)
    try:
        z, y_m, dx_m, row_area = dem_geometry(dem)
        result = run_batches(z, y_m, dx_m, row_area, packed, method, with_seen=with_seen, threads=threads,
                             progress=bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    return as_dataset(dem, result, setups, method, specs)


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    from .._progress import progress_bar

    return progress_bar(total, "viewsheds")


def as_dataset(dem: xr.DataArray, result: BatchResult, setups, method: str, specs) -> xr.Dataset:
    """Label a run's accumulators as a Dataset on the DEM's grid (the union window)."""
    rows, cols = window_slices(result.window)
    window = dem.isel(y=rows, x=cols)
    n = len(setups)
    data = {
        "count": (("y", "x"), result.count, {"long_name": "number of observers that see the cell"}),
        "analysed": (("y", "x"), result.analysed, {"long_name": "number of observers that analysed the cell"}),
    }
    if result.seen is not None:
        data["seen_by"] = (("y", "x"), result.seen, {
            "long_name": "bit mask of the observers that see the cell",
            "bit_order": "bit i (value 2**i) = observers[i], in the order given"})
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
        "observer_order": "seen_by bit i and the observer dimension follow the order the observers were given",
        "options": json.dumps([{k: v for k, v in s.items() if k != "point"} for s in specs[:64]], default=str),
    })
    return ds


def _n_observers(ds: xr.Dataset) -> int:
    return int(ds.attrs.get("n_observers", ds.sizes.get("observer", 0)))


def union_coverage(ds: xr.Dataset) -> xr.DataArray:
    """Cells seen by at least one observer (bool)."""
    return (ds["count"] > 0).rename("seen_by_any")


def seen_by_all(ds: xr.Dataset) -> xr.DataArray:
    """Cells seen by every observer (bool)."""
    return (ds["count"] == _n_observers(ds)).rename("seen_by_all")


def dead_ground(ds: xr.Dataset) -> xr.DataArray:
    """Cells analysed by at least one observer but seen by none (bool): the dead ground of the group."""
    return ((ds["analysed"] > 0) & (ds["count"] == 0)).rename("dead_ground")


def analysed_cells(ds: xr.Dataset) -> xr.DataArray:
    """Cells analysed by at least one observer (bool)."""
    return (ds["analysed"] > 0).rename("analysed")


def seen_by_observer(ds: xr.Dataset, i: int) -> xr.DataArray:
    """Cells that observer ``i`` (in the order given) sees (bool); needs ``seen_by`` (up to 64 observers)."""
    if "seen_by" not in ds:
        raise InputError(f"this result has no seen_by mask (more than {MAX_SEEN_BY} observers); "
                         "run the observers in groups of 64 or fewer")
    if not 0 <= i < _n_observers(ds):
        raise InputError(f"observer index {i} is out of range 0..{_n_observers(ds) - 1}")
    return ((ds["seen_by"] >> np.uint64(i)) & np.uint64(1)).astype(bool).rename(f"seen_by_{i}")


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
