"""Reverse viewsheds: from where a point (with its height) can be seen.

By reciprocity of the sight line, an observer with eye height ``e`` at cell A
sees the top of a target ``t`` metres tall at cell B exactly when the straight
chord from A's eye to B's top clears the terrain -- the same chord as from B's
top to A's eye. So "from which cells would an observer with eye height
``observer_height`` see this point, ``target_height`` metres above its ground"
is the viewshed *from the point* with the heights swapped: observer height =
the point's height (``target_height``), target height = the would-be observers'
eye height (``observer_height``). With the exact (R3) method the chord, its
grid-line crossings and the curvature drop ``curv d (D - d)`` along it are the
same in both directions, so the answer agrees with running a single viewshed
from every returned cell (up to floating-point ties).
"""

from __future__ import annotations

import xarray as xr

from ..earth import DEFAULT_REFRACTION
from ..viewshed import viewshed


def reverse_viewshed(dem: xr.DataArray, point, observer_height: float = 2.0, target_height: float = 0.0,
                     max_distance: float | None = None, min_distance: float = 0.0, curvature: bool = True,
                     refraction: float = DEFAULT_REFRACTION, method: str = "exact",
                     absolute_heights: bool = False, obstacles=None, observers_on_obstacles: bool = False,
                     point_on_obstacle: bool = False) -> xr.Dataset:
    """Cells from which an observer would see ``point``.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`.
    point : str, tuple or point
        The thing to be seen: ``"lat,lon"``, ``(lat, lon)``, ``"xy:X,Y"`` or a place name.
    observer_height : float
        Eye height of the would-be observers above the ground, metres (default 2).
    target_height : float
        Height of the point above its ground, metres (a mast, a roof; default 0).
    max_distance, min_distance, curvature, refraction, absolute_heights :
        As for :func:`terrain.viewshed.viewshed`. With ``absolute_heights`` the seen point's
        height (``target_height``) is metres above sea level; the would-be observers' eye
        height stays metres above their own ground (one rule: :mod:`terrain.heights`).
    method : {"exact", "refined", "fast"}
        ``exact`` (default) keeps the reciprocity exact.
    obstacles : xarray.DataArray, array or path, optional
        Heights above the ground (buildings, canopy), metres, that block the sight lines, as for
        :func:`terrain.viewshed`.
    observers_on_obstacles : bool
        The would-be observers stand on their cells' obstacles (rooftops), not on the ground.
    point_on_obstacle : bool
        The point seen stands on its cell's obstacle (a mast on a roof).

    Returns
    -------
    xarray.Dataset
        The viewshed from the point with the heights swapped: ``visible`` is 1 on
        cells from which the point is seen; ``min_visible_height`` is how high
        above the ground an observer there must stand to see it. Attributes
        ``reverse=1``, ``seen_point_height_m`` and ``observers_eye_height_m``
        record the swap.

    Examples
    --------
    >>> dem = terrain.load_dem("dem_samples/hama_standin.tif")
    >>> rv = reverse_viewshed(dem, "Hama", observer_height=2, target_height=30, max_distance=15_000)
    >>> terrain.visible_area_km2(rv)  # doctest: +SKIP
    """
    ds = viewshed(dem, point, observer_height=target_height, target_height=observer_height,
                  max_distance=max_distance, min_distance=min_distance, curvature=curvature, refraction=refraction,
                  method=method, absolute_heights=absolute_heights, obstacles=obstacles,
                  targets_on_obstacles=observers_on_obstacles, observer_on_obstacle=point_on_obstacle)
    ds["visible"].attrs["long_name"] = "the point is visible from here"
    ds["min_visible_height"].attrs["long_name"] = "eye height above ground needed here to see the point"
    ds.attrs.update({"reverse": 1, "seen_point_height_m": float(target_height),
                     "observers_eye_height_m": float(observer_height),
                     "observers_on_obstacles": int(bool(observers_on_obstacles) and obstacles is not None),
                     "point_on_obstacle": int(bool(point_on_obstacle) and obstacles is not None)})
    return ds
