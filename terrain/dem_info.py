"""What a DEM holds: size, CRS, metric cell size, elevation range, where the highest point is, voids."""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from .coords import bounds_to_latlon, cells_to_latlon, dem_bounds_latlon, format_latlon
from .dem import DemGrid, DemStream, dem_crs, dem_transform
from .errors import DataError
from .grid import row_geometry, row_heights_m


def describe_dem(dem: xr.DataArray) -> dict:
    """Summarise a DEM.

    Returns
    -------
    dict
        ``rows``, ``cols``, ``crs``, ``cell_size_m`` (east-west min/max and
        north-south, metres), ``elevation_min_m``, ``elevation_max_m``,
        ``max_lat``/``max_lon`` (the highest cell), ``void_percent``, ``bounds_latlon``
        (west, south, east, north degrees), ``source``, ``synthetic``.
    """
    return _describe(dem.values, dem_transform(dem), dem_crs(dem), dem_bounds_latlon(dem), dem.attrs)


def describe_grid(grid: DemGrid) -> dict:
    """:func:`describe_dem` of the DataArray :func:`terrain.load_dem` makes of ``grid``, without making it.

    The same numbers, from :func:`terrain.dem.read_dem`'s grid, with no rioxarray import (``terrain info``).
    """
    return _describe(grid.values, grid.dataarray_transform(), grid.crs,
                     bounds_to_latlon(grid.dataarray_bounds(), grid.crs),
                     {"source": grid.source, "synthetic": int(grid.synthetic), "band": grid.band,
                      "band_count": grid.band_count})


#: Cells of one block of rows when a DEM is described block by block (64 MB of float32).
BLOCK_CELLS = 1 << 24


def describe_stream(stream: DemStream, rows_per_block: int | None = None) -> dict:
    """:func:`describe_grid` of a file read block by block (:func:`terrain.dem.stream_dem`): the same
    numbers in memory bounded by one block of rows (default about 64 MB), for rasters too large to hold
    (``terrain info``)."""
    rows_per_block = rows_per_block or max(1, BLOCK_CELLS // max(stream.shape[1], 1))
    row_geometry(stream.dataarray_transform(), stream.shape, stream.crs)  # a grid we cannot measure: before reading
    zmin, zmax, where_max, valid = math.inf, -math.inf, (0, 0), 0
    for r0, block in stream.blocks(rows_per_block):
        ok = np.isfinite(block)
        n = int(np.count_nonzero(ok))
        if not n:
            continue
        valid += n
        zmin = min(zmin, float(np.nanmin(block)))
        bmax = float(np.nanmax(block))
        if bmax > zmax:  # the first highest cell in row order, as np.nanargmax finds it in the whole grid
            zmax = bmax
            r, c = np.unravel_index(int(np.nanargmax(block)), block.shape)
            where_max = (r0 + int(r), int(c))
    if not valid:
        raise DataError("the DEM holds no elevation values at all (every cell is a void); check the file or the window")
    rows, cols = stream.shape
    return _summary(zmin, zmax, where_max, valid / (rows * cols), stream.shape, stream.dataarray_transform(),
                    stream.crs, bounds_to_latlon(stream.dataarray_bounds(), stream.crs),
                    {"source": stream.source, "synthetic": int(stream.synthetic), "band": stream.band,
                     "band_count": stream.band_count})


def _describe(z: np.ndarray, transform, crs, bounds_latlon, attrs) -> dict:
    valid = np.isfinite(z)
    if not valid.any():
        raise DataError("the DEM holds no elevation values at all (every cell is a void); check the file or the window")
    imax = int(np.nanargmax(z))
    rmax, cmax = np.unravel_index(imax, z.shape)
    return _summary(float(np.nanmin(z)), float(z.flat[imax]), (int(rmax), int(cmax)), float(valid.mean()), z.shape,
                    transform, crs, bounds_latlon, attrs)


def _summary(zmin: float, zmax: float, where_max, valid_fraction: float, shape, transform, crs, bounds_latlon,
             attrs) -> dict:
    """The description from the grid's statistics: one layout for a grid in memory and one streamed."""
    y_m, dx_m = row_geometry(transform, shape, crs)
    dy = row_heights_m(y_m) if shape[0] > 1 else np.array([np.nan])
    rmax, cmax = where_max
    lat, lon = cells_to_latlon(transform, crs, rmax, cmax)
    west, south, east, north = bounds_latlon
    return {
        "rows": int(shape[0]), "cols": int(shape[1]),
        "crs": crs.to_string() if crs is not None else None,
        "resolution": [abs(transform.a), abs(transform.e)],
        "cell_size_m": {"east_west_min": float(dx_m.min()), "east_west_max": float(dx_m.max()),
                        "north_south": float(np.nanmean(dy))},
        "elevation_min_m": zmin, "elevation_max_m": zmax,
        "max_row": int(rmax), "max_col": int(cmax),
        "max_lat": float(lat), "max_lon": float(lon),
        "void_percent": float(100.0 * (1.0 - valid_fraction)),
        "bounds_latlon": [float(west), float(south), float(east), float(north)],
        "source": attrs.get("source", ""), "synthetic": bool(attrs.get("synthetic", 0)),
        "band": int(attrs.get("band", 1)), "band_count": int(attrs.get("band_count", 1)),
    }


def _where(lat: float, lon: float) -> str:
    """A point as ``44.2708N 71.3033W``, or a note that it cannot be placed (a grid without a CRS)."""
    if not (math.isfinite(lat) and math.isfinite(lon)):
        return "(no CRS: position on the earth unknown)"
    return format_latlon(lat, lon)


def format_description(info: dict, name: str = "") -> str:
    """Readable lines for :func:`describe_dem`'s result."""
    cs = info["cell_size_m"]
    w, s, e, n = info["bounds_latlon"]
    ew = (f"{cs['east_west_min']:.1f}" if abs(cs["east_west_max"] - cs["east_west_min"]) < 0.05
          else f"{cs['east_west_min']:.1f}–{cs['east_west_max']:.1f}")
    lines = [
        f"{name}" if name else None,
        f"  size        {info['rows']} rows x {info['cols']} columns",
        f"  CRS         {info['crs'] or 'none'}",
        f"  band        {info['band']} of {info['band_count']} (choose another with --band)"
        if info.get("band_count", 1) > 1 else None,
        f"  cell size   {ew} m east-west x {cs['north_south']:.1f} m north-south",
        f"  elevation   {info['elevation_min_m']:.0f} to {info['elevation_max_m']:.0f} m",
        f"  highest     {info['elevation_max_m']:.0f} m at {_where(info['max_lat'], info['max_lon'])} "
        f"(row {info['max_row']}, column {info['max_col']})",
        f"  voids       {info['void_percent']:.2f} %",
        f"  bounds      {_where(s, w)} to {_where(n, e)}" if info["crs"] else
        f"  bounds      x {w:g} to {e:g}, y {s:g} to {n:g} in the grid's own units (no CRS: position on the "
        "earth unknown)",
        f"  source      {info['source']}",
    ]
    return "\n".join(line for line in lines if line is not None)
