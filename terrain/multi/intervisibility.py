"""Intervisibility: exact line of sight between every ordered pair of a set of points.

Each pair is an exact :func:`terrain.los.line_of_sight` (from point ``i``'s eye
to point ``j``'s top). With equal observer and target heights the sight chord
from ``i`` to ``j`` is the one from ``j`` to ``i``, so the matrix is symmetric.
"""

from __future__ import annotations

import math

import numpy as np
import xarray as xr

from ..heights import check_heights, eye_elevation_m
from ..coords import locate
from ..earth import DEFAULT_REFRACTION
from ..errors import InputError
from ..los import line_between, sight_ground
from .table import ResultTable


class IntervisibilityTable(ResultTable):
    """Rows of every ordered pair, ``matrix[i, j]`` (point ``j`` is visible from point ``i``), and the
    located points (``points``: :class:`terrain.coords.GridPoint`, in the order given)."""

    def __init__(self, rows, attrs, matrix, names, points=()):
        super().__init__(rows, attrs)
        self.matrix = matrix
        self.names = names
        self.points = list(points)

    def to_dict(self) -> dict:
        return {**self.attrs, "names": self.names, "matrix": self.matrix.astype(int).tolist(), "rows": self.rows}


def intervisibility(dem: xr.DataArray, points, observer_height=2.0, target_height=None, curvature: bool = True,
                    refraction: float = DEFAULT_REFRACTION, absolute_heights: bool = False, obstacles=None,
                    targets_on_obstacles: bool = False, observer_on_obstacle: bool = False) -> IntervisibilityTable:
    """Exact line of sight between every ordered pair of ``points``.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`.
    points : sequence
        Two or more points: ``"lat,lon"``, ``(lat, lon)``, ``"xy:X,Y"`` or place names.
    observer_height : float or sequence
        Eye height at each point when it observes, metres above ground (one value or one per point).
    target_height : float or sequence, optional
        Height of each point when it is looked at, metres above its ground; default: the observer
        height (masts that look at each other; with ``absolute_heights``, the eye's elevation), which
        makes the matrix symmetric.
    curvature, refraction, absolute_heights :
        As for :func:`terrain.los.line_of_sight`.
    obstacles : xarray.DataArray, array or path, optional
        Heights above the ground (buildings, canopy), metres, that block the sight lines, as for
        :func:`terrain.viewshed` (read once for every pair).
    targets_on_obstacles, observer_on_obstacle : bool
        A point looked at stands on its cell's obstacle (a roof), and a point looking stands on it.

    Returns
    -------
    IntervisibilityTable
        ``.matrix`` (bool N x N, ``[i, j]``: ``j`` seen from ``i``; the diagonal
        is True), ``.rows`` (one dict per ordered pair: ``from``, ``to``,
        ``distance_km``, ``visible``, ``clearance_m`` -- the sight line's least
        height above the terrain, the two end cells left out, negative when blocked -- and
        ``extra_target_height_m``) and ``.to_dataframe()``.

    Examples
    --------
    >>> dem = terrain.load_dem("dem_samples/hama_standin.tif")
    >>> t = intervisibility(dem, ["Zayn al-Abidin", "Jabal Kafra", "Hama"], observer_height=10)
    >>> t.matrix  # doctest: +SKIP
    """
    points = list(points)
    n = len(points)
    if n < 2:
        raise InputError("intervisibility needs at least two points")
    obs_h = _per_point(observer_height, n, "observer_height")
    located = [locate(dem, p, role=f"point {i + 1}") for i, p in enumerate(points)]
    if target_height is not None:
        tgt_h = _per_point(target_height, n, "target_height")
    elif absolute_heights:
        # looked at, a point stands where its eye is: its absolute eye height over its own ground
        tgt_h = [eye_elevation_m(p.ground_m, h, True, label=f"point {i + 1}") - p.ground_m
                 for i, (p, h) in enumerate(zip(located, obs_h))]
    else:
        tgt_h = obs_h
    from ..obstacles import check_obstacle_flags

    check_obstacle_flags(obstacles, targets_on_obstacles, observer_on_obstacle)
    for h_obs, h_tgt in zip(obs_h, tgt_h):
        check_heights(h_obs, h_tgt, absolute_heights)
    # the surface, the obstacles and the row geometry once, not once a pair
    ground = sight_ground(dem, obstacles)
    names = [p.label() for p in located]
    matrix = np.eye(n, dtype=bool)
    rows = []
    for i in range(n):
        for j in range(n):
            if i == j:
                continue
            los = line_between(dem, located[i], located[j], ground, obs_h[i], tgt_h[j], curvature, refraction,
                               absolute_heights, targets_on_obstacles=targets_on_obstacles,
                               observer_on_obstacle=observer_on_obstacle)
            matrix[i, j] = los.visible
            clear = los.min_clearance_m
            rows.append({"from": names[i], "to": names[j], "from_index": i, "to_index": j,
                         "distance_km": round(los.distance_m / 1000.0, 4), "visible": bool(los.visible),
                         "clearance_m": round(clear, 3) if math.isfinite(clear) else None,
                         "extra_target_height_m": round(los.extra_target_height_m, 3)})
    attrs = {"points": n, "observer_height_m": obs_h, "target_height_m": tgt_h,
             "curvature": bool(curvature), "refraction": refraction, "obstacles": obstacles is not None,
             "targets_on_obstacles": bool(targets_on_obstacles), "observer_on_obstacle": bool(observer_on_obstacle),
             "source": dem.attrs.get("source", ""),
             "synthetic": int(dem.attrs.get("synthetic", 0)),
             "lat": [round(p.lat, 6) for p in located], "lon": [round(p.lon, 6) for p in located]}
    return IntervisibilityTable(rows, attrs, matrix, names, located)


def _per_point(value, n, what) -> list[float]:
    if isinstance(value, (list, tuple, np.ndarray)):
        if len(value) != n:
            raise InputError(f"{what} has {len(value)} values for {n} points; give one value or one per point")
        return [float(v) for v in value]
    return [float(value)] * n
