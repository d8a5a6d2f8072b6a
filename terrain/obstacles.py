"""Surface obstacles: heights above the ground (buildings, canopy) that block sight lines.

A viewshed with obstacles walks its sight lines over the blocking surface ``ground + obstacle``, while
each target stands on the ground (or on the obstacle's top with ``targets_on_obstacles``, rooftops)
and the observer on the ground (or on its cell's obstacle with ``observer_on_obstacle``). A cell's own
obstacle never hides that cell's target: the horizon of a cell is made of the cells between it and the
observer, as without obstacles. Zero obstacles give exactly the viewshed without them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from .errors import InputError


def check_obstacle_flags(obstacles, targets_on_obstacles: bool, observer_on_obstacle: bool) -> None:
    """Refuse ``targets_on_obstacles`` or ``observer_on_obstacle`` without obstacles (one sentence, the fix)."""
    if obstacles is None and (targets_on_obstacles or observer_on_obstacle):
        raise InputError("targets_on_obstacles and observer_on_obstacle need obstacles; give the obstacle heights "
                         "(obstacles=, --obstacles FILE) or leave them out")


def obstacle_grid(dem: xr.DataArray, obstacles) -> np.ndarray:
    """The obstacle heights on ``dem``'s grid, float32 metres above the ground (NaN read as 0): :func:`height_grid`."""
    return height_grid(dem, obstacles, "obstacles")


def height_grid(dem: xr.DataArray, heights, what: str = "obstacles") -> np.ndarray:
    """Heights above the ground on ``dem``'s grid, float32 metres (NaN read as 0): obstacles, or the target
    height of every cell (``what`` names them in messages).

    Parameters
    ----------
    dem : xarray.DataArray
        The DEM the viewshed runs on.
    obstacles : xarray.DataArray, numpy array or path
        Heights above the ground, metres: an array shaped like ``dem``, a DataArray on its grid, or a raster
        file (read onto the DEM's grid with nearest-cell resampling).

    Raises
    ------
    InputError
        A shape that does not match, a negative or infinite height, or an unreadable file.
    """
    if isinstance(heights, (str, Path)):
        heights = _read_onto(dem, Path(heights), what)
    values = np.asarray(heights.values if isinstance(heights, xr.DataArray) else heights, dtype=np.float32)
    if values.shape != dem.shape:
        shape = " x ".join(str(n) for n in values.shape) or "a single value"
        raise InputError(f"the {what} grid is {shape} cells but the DEM is {dem.shape[0]} x {dem.shape[1]}; "
                         "give heights on the DEM's grid (or a file to read onto it)")
    values = np.where(np.isnan(values), np.float32(0.0), values)
    if not np.all(np.isfinite(values)):
        raise InputError(f"the {what} hold infinite heights; give metres above the ground (0 where there is none)")
    if (values < 0).any():
        raise InputError(f"the {what} hold negative heights (down to {float(values.min()):g} m); give metres "
                         "above the ground, 0 where there is none")
    return values


def _read_onto(dem: xr.DataArray, path: Path, what: str = "obstacles") -> xr.DataArray:
    import rioxarray
    from rasterio.enums import Resampling

    if not path.exists():
        raise InputError(f"no such {what} file: {path}")
    try:
        src = rioxarray.open_rasterio(path, masked=True).squeeze("band", drop=True)
    except Exception as exc:  # rasterio's errors vary by driver
        raise InputError(f"{path} is not a readable raster of {what} ({exc})") from None
    if src.rio.crs is None or dem.rio.crs is None:
        if src.shape != dem.shape:
            raise InputError(f"{path} has no CRS and is not on the DEM's grid; give it a CRS or the DEM's shape")
        return src
    return src.rio.reproject_match(dem, resampling=Resampling.nearest)


def surfaces(z: np.ndarray, obstacles: np.ndarray | None, targets_on_obstacles: bool):
    """``(blocking, target_ground)`` float32 windows: the surface sight lines cross and the one targets stand on."""
    if obstacles is None:
        return z, z
    blocking = z + obstacles
    return blocking, (blocking if targets_on_obstacles else z)
