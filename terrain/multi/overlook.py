"""Overlook and key terrain: which observers see most of a target area, and which high ground matters for it.

For each candidate observer the viewshed (exactly the single-observer one,
same method) is folded over the target's cells: the visible part of the target
in km^2 (true cell areas) and as a percentage of the target's area. Candidates
are ranked by that area, largest first. :func:`key_terrain` takes the summits
around the target (:func:`terrain.multi.summits.find_summits`) as candidates.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..rounding import percent
from ..methods import DEFAULT_METHOD
from ..coords import locate
from ..earth import DEFAULT_REFRACTION
from ..errors import InputError
from .engine import plan_observers
from .observers import dem_geometry, observer_specs, run_batches, split_target_grid
from .summits import Summit, find_summits
from .table import ResultTable
from .target_area import TargetArea, target_area


#: Key-terrain defaults, shared by :func:`key_terrain`, ``terrain keyterrain``, ``terrain report`` and
#: ``terrain demo``: summits of at least 30 m prominence within 15 km of the target, ranked by what they
#: see of the 2 km around it.
KEY_TERRAIN_WITHIN_M = 15_000.0
KEY_TERRAIN_MIN_PROMINENCE_M = 30.0
KEY_TERRAIN_TARGET_RADIUS_M = 2_000.0

def overlook(dem: xr.DataArray, target, candidates=None, within: float = 15_000.0, target_radius: float = 1_000.0,
             observer_height: float = 2.0, target_height: float = 0.0, max_distance: float | None = None,
             min_prominence: float = 30.0, curvature: bool = True, refraction: float = DEFAULT_REFRACTION,
             method: str = DEFAULT_METHOD, absolute_heights: bool = False, limit: int | None = None,
             threads: int | None = None, progress: bool = False, areas_fn=None,
             radius: float | None = None, obstacles=None, targets_on_obstacles: bool = False,
             observer_on_obstacle: bool = False, backend: str = "local", client=None,
             scheduler: str | None = None, n_workers: int | None = None) -> ResultTable:
    """How much of a target area each candidate observer sees, ranked by visible area (descending).

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`.
    target : point, GeoJSON dict or path
        A point (``"lat,lon"``, ``(lat, lon)``, a place name) taken with
        ``target_radius``, or a GeoJSON Polygon/MultiPolygon/Feature(Collection)
        in lat/lon (a dict or a ``.geojson`` path).
    candidates : sequence, optional
        Observer points (place names, ``"lat,lon"``, ``(lat, lon)``,
        :class:`~terrain.multi.summits.Summit`). None: the summits with at least
        ``min_prominence`` metres of prominence within ``within`` of the target.
    within : float
        Metres around the target's centre searched for summits (only when
        ``candidates`` is None).
    target_radius : float
        Metres, the target circle's radius (when ``target`` is a point).
    observer_height : float or sequence
        Eye height of the observers above the ground, metres: one value, or one per candidate.
    target_height : float
        Height of the targets above the ground, metres.
    max_distance : float, optional
        Viewing distance of every candidate, metres. Default: just far enough to
        reach the target's farthest cell from that candidate.
    method : {"refined", "fast", "exact"}
        Viewshed method (default ``refined``, as everywhere; see :mod:`terrain.methods`).
    limit : int, optional
        Keep only the best ``limit`` rows.
    areas_fn : callable, optional
        Replaces :func:`overlook_areas` (the Dask path of
        :func:`terrain.multi.distributed.overlook` passes its own).
    radius : float, optional
        Deprecated spelling of ``within`` (it warns): ``radius`` is the viewing
        distance everywhere else, which here is ``max_distance``.
    obstacles, targets_on_obstacles, observer_on_obstacle :
        Surface obstacles (buildings, canopy) that block the sight lines, as for :func:`terrain.viewshed`;
        with ``observer_on_obstacle`` each candidate stands on its cell's roof (its ``eye_m`` says so).
    backend, client, scheduler, n_workers :
        Where it runs, by the rule of :mod:`terrain.multi.backends`: ``"local"`` numba threads (default), or
        ``"dask"`` on the cluster they name; the same result, bit for bit.

    Returns
    -------
    ResultTable
        Rows (best first) with ``rank``, ``name``, ``lat``, ``lon``, ``ground_m``,
        ``eye_m``, ``distance_km`` (to the target's centre), ``visible_km2``,
        ``visible_percent`` (of the target's area) and, for summits,
        ``prominence_m``; ``attrs`` describe the target.

    Examples
    --------
    >>> dem = terrain.load_dem("dem_samples/hama_standin.tif")
    >>> table = overlook(dem, "Hama", ["Zayn al-Abidin", "Jabal Kafra", "Souran"], target_radius=3000,
    ...                  observer_height=10)
    >>> table.rows[0]["name"]  # doctest: +SKIP
    'Zayn al-Abidin'
    """
    from .backends import use_dask

    if use_dask(backend, client, scheduler, n_workers):
        from .distributed import overlook as on_dask

        return on_dask(dem, target, candidates, scheduler=scheduler, n_workers=n_workers, client=client,
                       within=within, target_radius=target_radius, observer_height=observer_height,
                       target_height=target_height, max_distance=max_distance, min_prominence=min_prominence,
                       curvature=curvature, refraction=refraction, method=method, absolute_heights=absolute_heights,
                       limit=limit, progress=progress, radius=radius, obstacles=obstacles,
                       targets_on_obstacles=targets_on_obstacles, observer_on_obstacle=observer_on_obstacle)
    within = _search_radius(within, radius, "overlook")
    z, y_m, dx_m, row_area = dem_geometry(dem)
    area = target_area(dem, target, target_radius, y_m, dx_m, row_area)
    if candidates is None:
        if not within > 0:
            raise InputError(f"the summit search radius must be greater than zero, got {within} m")
        candidates = find_summits(dem, min_prominence=min_prominence,
                                  within=((area.centre.lat, area.centre.lon), within))
        if not candidates:
            raise InputError(f"no summit with {min_prominence:g} m of prominence within {within / 1000:g} km of "
                             f"{area.label}; lower --min-prominence or widen the search (--within)")
    candidates = list(candidates)
    if not candidates:
        raise InputError("no candidate observers given")
    points, names, prominence = [], [], []
    for cand in candidates:
        if isinstance(cand, Summit):
            points.append(cand.as_point())
            names.append(cand.label())
            prominence.append(cand.prominence_m)
        else:
            points.append(cand)
            names.append(None)
            prominence.append(None)
    located = [locate(dem, p, role="candidate observer") for p in points]
    names = [n or p.label() for n, p in zip(names, located)]
    radii = [max_distance if max_distance is not None else _reach_m(area, p, y_m, dx_m) for p in located]
    options, target_grid = split_target_grid(dict(observer_height=observer_height, target_height=target_height,
                                                  max_distance=radii, curvature=curvature, refraction=refraction,
                                                  absolute_heights=absolute_heights))
    specs = observer_specs(points, options)
    visible, _, eyes = (areas_fn or overlook_areas)(dem, specs, area, method, threads=threads, progress=progress,
                                                    obstacle_options=(obstacles, targets_on_obstacles,
                                                                      observer_on_obstacle, target_grid))
    rows = []
    for i, (p, s) in enumerate(zip(located, specs)):
        d = _distance_m(y_m, dx_m, area.centre.r, area.centre.c, p.r, p.c)
        eye = eyes[i]
        row = {"name": names[i], "lat": round(p.lat, 6), "lon": round(p.lon, 6), "ground_m": round(p.ground_m, 1),
               "eye_m": round(eye, 1), "distance_km": round(float(d) / 1000, 3),
               "visible_km2": round(float(visible[i]), 4),
               "visible_percent": percent(float(visible[i]), area.area_km2)}
        if prominence[i] is not None:
            row["prominence_m"] = round(prominence[i], 1)
        rows.append(row)
    order = sorted(range(len(rows)), key=lambda i: (-visible[i], i))
    ranked = [dict(rank=k + 1, **rows[i]) for k, i in enumerate(order)]
    if limit is not None:
        ranked = ranked[:int(limit)]
    attrs = {"target": area.label, "target_lat": round(area.centre.lat, 6), "target_lon": round(area.centre.lon, 6),
             "target_area_km2": round(area.area_km2, 4), "observer_height_m": observer_height,
             "target_height_m": None if target_grid is not None else target_height,
             "target_height_grid": int(target_grid is not None), "method": method,
             "obstacles": int(obstacles is not None), "source": dem.attrs.get("source", ""),
             "synthetic": int(dem.attrs.get("synthetic", 0))}
    return ResultTable(ranked, attrs)


def _search_radius(within: float, radius: float | None, func: str) -> float:
    """``within``, or the deprecated ``radius=`` that meant it (with a DeprecationWarning)."""
    if radius is None:
        return within
    import warnings

    warnings.warn(f"{func}(radius=) is the summit search radius and is renamed within=; radius means the "
                  "viewing distance everywhere else (here max_distance=), so pass within= instead",
                  DeprecationWarning, stacklevel=3)
    return radius


def _distance_m(y_m, dx_m, r0, c0, r, c) -> float:
    dy = y_m[r] - y_m[r0]
    dx = (c - c0) * 0.5 * (dx_m[r] + dx_m[r0])
    return float(np.hypot(dy, dx))


def _reach_m(area: TargetArea, p, y_m, dx_m) -> float:
    """Distance from observer ``p`` to the target's farthest cell, plus a cell: the radius that covers it."""
    rows, cols = area.cells()
    dy = y_m[rows] - y_m[p.r]
    dx = (cols - p.c) * 0.5 * (dx_m[rows] + dx_m[p.r])
    far = float(np.sqrt(dy * dy + dx * dx).max())
    return far + float(max(dx_m.max(), np.abs(np.diff(y_m)).max() if y_m.size > 1 else 0.0)) + 1.0


def overlook_areas(dem, specs, area: TargetArea, method: str, threads=None, progress=False,
                   obstacle_options=(None, False, False)):
    """Visible and analysed area (km^2) of the target from each observer of ``specs``, and each one's eye
    (metres above sea level); ``obstacle_options``: ``(obstacles, targets_on_obstacles, observer_on_obstacle)``
    and optionally a target height per cell
    of :func:`terrain.multi.observers.with_obstacles`."""
    plan = plan_observers(dem, specs, method, obstacle_options)
    bar = None
    if progress:
        from .._progress import progress_bar

        bar = progress_bar(len(plan.setups), "overlook")
    try:
        res = run_batches(*plan.geometry, plan.packed, method, accumulate=False, mask=area.mask,
                          threads=threads, progress=bar.update if bar else None, zt=plan.surfaces.zt)
        return res.area, res.analysed_area, plan.eyes_m()
    finally:
        if bar:
            bar.close()


def key_terrain(dem: xr.DataArray, target, within: float = KEY_TERRAIN_WITHIN_M,
                target_radius: float = KEY_TERRAIN_TARGET_RADIUS_M, observer_height: float = 2.0,
                min_prominence: float = KEY_TERRAIN_MIN_PROMINENCE_M, top: int = 10,
                radius: float | None = None, **options) -> ResultTable:
    """The high ground that matters for a target: nearby summits ranked by how much of the target they overlook.

    Finds the summits with at least ``min_prominence`` metres of prominence
    within ``within`` metres of the target (:func:`terrain.multi.summits.find_summits`)
    and ranks them with :func:`overlook` (visible target area, descending).

    Prominence is measured on a context that does not depend on the window the caller loaded: the
    search circle widened to twice its radius (at least 10 km more), read from the DEM's own files
    (:func:`terrain.multi.summits.context_radius_m`); a DEM made from an array is used as given. The
    defaults (15 km, 30 m, 2 km) are those of ``terrain keyterrain``, ``terrain report`` and ``terrain demo``.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`.
    target : point, GeoJSON dict or path
        As for :func:`overlook`.
    within : float
        Metres around the target searched for summits.
    target_radius : float
        Metres, radius of the target area around a target point.
    observer_height : float
        Eye height on each summit, metres above the ground.
    min_prominence : float
        Metres; summits less prominent are ignored.
    top : int
        Return the best ``top`` summits.
    radius : float, optional
        Deprecated spelling of ``within`` (it warns).
    **options
        Further options of :func:`overlook` (``max_distance`` -- the viewing distance, by default just
        far enough to reach the target area --, ``target_height``, ``method``, ``curvature``, ``backend``
        and its ``client``/``scheduler``/``n_workers``, ...).

    Examples
    --------
    >>> dem = terrain.load_dem("dem_samples/hama_standin.tif")
    >>> [r["name"] for r in key_terrain(dem, "Hama", within=20_000).rows[:2]]  # doctest: +SKIP
    ['Zayn al-Abidin', 'Jabal Kafra']
    """
    within = _search_radius(within, radius, "key_terrain")
    table = overlook(dem, target, candidates=None, within=within, target_radius=target_radius,
                     observer_height=observer_height, min_prominence=min_prominence, limit=top, **options)
    table.attrs.update({"search_radius_m": within, "min_prominence_m": min_prominence})
    return table
