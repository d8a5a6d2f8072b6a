"""The analysis behind a high-ground report: viewsheds, combined coverage of a target area, key terrain, places.

:func:`analyse` runs every computation a report shows, through the public API
(:func:`terrain.viewshed.viewshed`, :func:`terrain.los.line_of_sight`,
:func:`terrain.multi.cumulative_viewshed`, :func:`terrain.multi.key_terrain`),
and keeps the results in a :class:`ReportAnalysis`; :mod:`terrain.report.render`
only formats them.

The *target area* is the circle of ``target_radius_m`` metres around the
target (the same cells :func:`terrain.multi.overlook` uses). Each observer's
viewshed reaches ``radius_m`` metres; target cells beyond it count as not seen
by that observer. *Dead ground to all* is the part of the target area that
some observer analysed and none sees.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr

from .. import __version__
from ..coords import GridPoint, LatLon, dem_bounds_latlon, locate, parse_point
from ..earth import DEFAULT_REFRACTION
from ..errors import InputError
from ..flags import NOT_ANALYSED
from ..viewshed import DEFAULT_METHOD, METHODS, cell_areas

from ..multi.overlook import KEY_TERRAIN_MIN_PROMINENCE_M, KEY_TERRAIN_TARGET_RADIUS_M, KEY_TERRAIN_WITHIN_M

#: Default radius of the target area around the target point, metres (key terrain's).
DEFAULT_TARGET_RADIUS_M = KEY_TERRAIN_TARGET_RADIUS_M
#: Default viewshed radius of every observer, metres; also key terrain's search radius.
DEFAULT_RADIUS_M = KEY_TERRAIN_WITHIN_M
#: Summits less prominent than this (metres) are left out of the key-terrain ranking by default.
DEFAULT_MIN_PROMINENCE_M = KEY_TERRAIN_MIN_PROMINENCE_M
#: The report's panorama spans the target's bearing plus and minus this many degrees.
PANORAMA_HALF_WIDTH_DEG = 90.0
#: Margin added around the analysis circles when a DEM is read from files, metres.
LOAD_MARGIN_M = 1_000.0


@dataclass
class ReportAnalysis:
    """Everything a report shows. Distances in metres, areas in km^2, heights in metres.

    ``viewsheds[i]``, ``lines_of_sight[i]`` (observer ``i`` to the target) and
    ``target_seen[i]`` follow ``observers``; ``coverage`` is the cumulative
    viewshed of all observers (:func:`terrain.multi.cumulative_viewshed`);
    ``target_mask`` marks the target area's cells on ``coverage``'s grid.
    """

    dem: xr.DataArray
    observers: list[GridPoint]
    target: GridPoint
    parameters: dict
    viewsheds: list[xr.Dataset]
    lines_of_sight: list
    coverage: xr.Dataset
    target_mask: np.ndarray
    target_area_km2: float
    target_seen: list[dict]
    combined: dict
    key_terrain: object | None
    key_terrain_note: str
    places: list[dict]
    timings_s: dict = field(default_factory=dict)
    siting: object | None = None
    siting_note: str = "not requested"
    #: The horizon seen from the first observer, looking towards the target (:func:`terrain.horizon`), or None.
    panorama: xr.Dataset | None = None
    #: A covered approach to show (:func:`terrain.covered_route`), set by ``terrain demo``; None: no such section.
    route: object | None = None
    #: What buildings hide of the target area (:func:`terrain.multi.obstacle_cover.obstacle_cover`), set by
    #: ``terrain demo`` on its labelled synthetic urban layer; None: no such section.
    buildings: object | None = None

    @property
    def synthetic(self) -> bool:
        """Whether the DEM is a synthetic stand-in (its results must say so)."""
        return bool(int(self.dem.attrs.get("synthetic", 0)))

    @property
    def source(self) -> str:
        """The DEM's source string."""
        return str(self.dem.attrs.get("source", "")) or "unknown source"

    @property
    def source_label(self) -> str:
        """A short data label for captions: the synthetic label, or the source."""
        from ..samples import SYNTHETIC_LABEL

        return SYNTHETIC_LABEL if self.synthetic else self.source

    def observer_names(self) -> list[str]:
        return [o.label() for o in self.observers]


def analyse(dem, observers, target, radius_m: float = DEFAULT_RADIUS_M,
            target_radius_m: float = DEFAULT_TARGET_RADIUS_M, observer_height: float = 2.0,
            target_height: float = 0.0, method: str = DEFAULT_METHOD, curvature: bool = True,
            refraction: float = DEFAULT_REFRACTION, key_terrain: bool = True,
            min_prominence_m: float = DEFAULT_MIN_PROMINENCE_M, key_terrain_top: int = 10,
            key_terrain_method: str = DEFAULT_METHOD, places=True, progress=None, band: int = 1,
            siting_k: int = 0, siting_candidates: str = "summits",
            siting_method: str = DEFAULT_METHOD,
            panorama: bool = True, panorama_radius_m: float | None = None, backend: str = "local",
            client=None, scheduler: str | None = None, n_workers: int | None = None) -> ReportAnalysis:
    """Run the analysis of a high-ground report: what the observers see of a target area, and what no one sees.

    Parameters
    ----------
    dem : xarray.DataArray, path, list of paths or None
        A DEM from :func:`terrain.load_dem`, or files to read (only the area the
        analysis needs is read). None: the Hama sample data
        (:func:`terrain.samples.hama_dem_paths`) when every point lies in the Hama area.
    observers : sequence or str
        Observer points: place names, ``"lat,lon"``, ``(lat, lon)``; a string
        may hold several names separated by commas (``"Zayn al-Abidin,Jabal Kafra"``) or
        several points separated by semicolons (``"35.203,36.766;35.205,36.805"``), or be
        ``"@FILE"`` or the path of a file of points (:mod:`terrain.point_files`; without a height column).
    target : point
        The target's centre (place name, ``"lat,lon"``, ``(lat, lon)``).
    radius_m : float
        Viewshed radius of every observer, metres; also the radius searched for key-terrain summits.
    target_radius_m : float
        Radius of the target area around the target, metres.
    observer_height, target_height : float
        Eye height of the observers and height of the targets, metres above the ground.
    method : {"refined", "fast", "exact"}
        Viewshed method (as :func:`terrain.viewshed`).
    curvature, refraction :
        Earth curvature and refraction coefficient k, as :func:`terrain.viewshed`.
    key_terrain : bool
        Rank the summits around the target (:func:`terrain.multi.key_terrain`).
    min_prominence_m, key_terrain_top, key_terrain_method :
        Summits at least this prominent (metres) are ranked; keep the best ``key_terrain_top``;
        viewshed method of the ranking (``fast`` screens many summits quickly).
    places : bool or list
        True: the gazetteer's places inside the DEM; a list of
        :class:`terrain.places.Place` (or objects with ``name``, ``lat``, ``lon``); False: none.
    progress : callable, optional
        Called with one line of text as each step starts.
    band : int
        Band of a multi-band raster holding the heights, when ``dem`` names files (1 = first).
    siting_k, siting_candidates, siting_method :
        Choose the best ``siting_k`` observation posts over the target area among ``siting_candidates``
        (:func:`terrain.multi.siting.site_observers`, viewing distance ``radius_m``, viewshed method
        ``siting_method``; ``fast`` screens many grid candidates quickly); 0: no siting section.
    panorama : bool
        Also compute the horizon seen from the first observer over the half circle centred on the target
        (:func:`terrain.horizon`).
    panorama_radius_m : float, optional
        How far the panorama looks, metres (default ``radius_m``); when ``dem`` names files, the area it
        needs is read for it alone.
    backend, client, scheduler, n_workers :
        Where the many-observer parts run (combined coverage, key terrain, siting): ``"local"`` threads
        (default) or ``"dask"`` (:mod:`terrain.multi.backends`; one cluster for the whole report). The
        report is the same on either.

    Returns
    -------
    ReportAnalysis

    Examples
    --------
    >>> from terrain.report import analyse, build_report
    >>> a = analyse(None, "Zayn al-Abidin,Jabal Kafra", "Hama", radius_m=15_000)  # doctest: +SKIP
    >>> build_report(a, "reports/hama")                                           # doctest: +SKIP
    """
    arguments = dict(locals())   # the parameters, as given
    from ..multi.backends import use_dask

    if use_dask(backend, client, scheduler, n_workers) and client is None:
        # one cluster for every many-observer step of the report, not one each
        from ..multi.distributed import dask_client

        with dask_client(scheduler, n_workers) as c:
            return analyse(**dict(arguments, client=c, scheduler=None, n_workers=None))
    multi = dict(backend="dask", client=client) if backend == "dask" else {}
    say = progress or (lambda msg: None)
    observers = split_points(observers)
    if not observers:
        raise InputError("no observers given; name at least one, e.g. \"Zayn al-Abidin,Jabal Kafra\"")
    if method not in METHODS:
        raise InputError(f"unknown viewshed method {method!r}; choose one of {', '.join(METHODS)}")
    radius_m = _positive(radius_m, "radius")
    target_radius_m = _positive(target_radius_m, "target radius")
    if observer_height < 0 or target_height < 0:
        raise InputError("observer and target heights are metres above the ground; give 0 or more")
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    dem_arg = dem
    dem = _load(dem, observers, target, radius_m, target_radius_m, say, band)
    timings["load_dem"] = time.perf_counter() - clock
    obs_points = [locate(dem, o, role=f"observer {i + 1}") for i, o in enumerate(observers)]
    target_point = locate(dem, target, role="target", allow_void=True)
    opts = dict(observer_height=float(observer_height), target_height=float(target_height),
                curvature=bool(curvature), refraction=float(refraction))

    from ..los import line_of_sight
    from ..viewshed import viewshed

    viewsheds, sight_lines = [], []
    for i, (spec, p) in enumerate(zip(observers, obs_points)):
        say(f"viewshed {i + 1}/{len(observers)}: {p.label()} ({method}, radius {radius_m / 1000:g} km)")
        t0 = time.perf_counter()
        viewsheds.append(viewshed(dem, spec, max_distance=radius_m, method=method, **opts))
        sight_lines.append(line_of_sight(dem, spec, target, **opts))
        timings[f"viewshed {p.label()}"] = time.perf_counter() - t0

    say(f"combined coverage of {len(observers)} observer(s)")
    t0 = time.perf_counter()
    from ..multi import cumulative_viewshed

    coverage = cumulative_viewshed(dem, list(observers), method=method, max_distance=radius_m, **opts, **multi)
    timings["combined coverage"] = time.perf_counter() - t0

    mask_dem, target_km2 = _target_mask(dem, target, target_radius_m)
    target_seen = [_target_seen(dem, vs, mask_dem, target_km2) for vs in viewsheds]
    coverage_mask = _window_of(dem, coverage, mask_dem)
    combined = _combined(coverage, coverage_mask, target_km2)

    table, note = None, ""
    if key_terrain:
        say(f"key terrain: summits with {min_prominence_m:g} m prominence within {radius_m / 1000:g} km")
        t0 = time.perf_counter()
        table, note = _key_terrain(dem, target, obs_points, radius_m, target_radius_m, min_prominence_m,
                                   key_terrain_top, key_terrain_method, opts, multi)
        timings["key terrain"] = time.perf_counter() - t0
    else:
        note = "key-terrain ranking not requested"

    siting, siting_note = None, "not requested"
    if siting_k:
        say(f"observation posts: best {siting_k} of {siting_candidates} within {radius_m / 1000:g} km")
        t0 = time.perf_counter()
        siting, siting_note = _siting(dem, target, siting_k, siting_candidates, radius_m, target_radius_m,
                                      min_prominence_m, siting_method, opts, multi)
        timings["siting"] = time.perf_counter() - t0

    say("named places: lines of sight")
    t0 = time.perf_counter()
    from .places_table import place_rows, places_on

    place_list = places_on(dem) if places is True else list(places or [])
    rows = place_rows(dem, obs_points, viewsheds, place_list, **opts)
    timings["places"] = time.perf_counter() - t0

    hz = None
    if panorama:
        from ..horizon import horizon
        from .places_table import bearing_distance

        first = obs_points[0]
        bearing, _ = bearing_distance(first, target_point.lat, target_point.lon)
        bearing = float(round(bearing))  # whole degrees: the sector's ends and ticks read cleanly
        say(f"panorama from {first.label()} towards {target_point.label()}")
        t0 = time.perf_counter()
        reach = radius_m if panorama_radius_m is None else _positive(panorama_radius_m, "panorama radius")
        pano_dem = dem if (reach <= radius_m or isinstance(dem_arg, xr.DataArray)) else \
            _load(dem_arg, observers[:1], observers[0], reach, 0.0, say, band)
        hz = horizon(pano_dem, observers[0], max_distance=reach, azimuth=(bearing - PANORAMA_HALF_WIDTH_DEG,
                                                                        bearing + PANORAMA_HALF_WIDTH_DEG),
                     observer_height=float(observer_height), curvature=bool(curvature), refraction=float(refraction))
        hz.attrs["towards_deg"] = float(bearing)
        timings["panorama"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - clock

    parameters = {
        "observers": [o.label() for o in obs_points],
        "target": target_point.label(),
        "radius_m": radius_m, "target_radius_m": target_radius_m,
        "observer_height_m": float(observer_height), "target_height_m": float(target_height),
        "method": method, "curvature": bool(curvature), "refraction": float(refraction),
        "key_terrain": {"enabled": bool(key_terrain), "search_radius_m": radius_m,
                        "min_prominence_m": float(min_prominence_m), "top": int(key_terrain_top),
                        "method": key_terrain_method},
        "siting": {"k": int(siting_k), "candidates": siting_candidates, "within_m": radius_m,
                   "method": siting_method},
    }
    return ReportAnalysis(dem=dem, observers=obs_points, target=target_point, parameters=parameters,
                          viewsheds=viewsheds, lines_of_sight=sight_lines, coverage=coverage,
                          target_mask=coverage_mask, target_area_km2=target_km2, target_seen=target_seen,
                          combined=combined, key_terrain=table, key_terrain_note=note, places=rows,
                          timings_s={k: round(v, 3) for k, v in timings.items()}, siting=siting,
                          siting_note=siting_note, panorama=hz)


def split_points(points) -> list:
    """Observers as a list: ``"A;B"`` and ``"Name A,Name B"`` are split, ``"lat,lon"`` stays one point, and
    ``"@FILE"`` or a file's path is read (:func:`terrain.multi.observers.split_point_list`, the rule every
    command uses)."""
    if isinstance(points, str):
        from ..multi.observers import read_point_list

        if not points.strip():
            return []
        found = read_point_list(points)
        if found.heights_m is not None:
            raise InputError(f"{found.path} gives each observer a height, but a report uses one observer height "
                             "for all (--observer-height); remove the height column, or use terrain cumulative "
                             "or overlook for observers of different heights")
        return found.points
    if isinstance(points, (LatLon, GridPoint)):
        return [points]
    if isinstance(points, tuple) and len(points) == 2 and all(isinstance(v, (int, float)) for v in points):
        return [points]
    return list(points)


def _positive(value, what: str) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise InputError(f"the {what} must be a distance above zero metres, got {value:g}")
    return value


def default_dem_paths(points) -> tuple[list, bool]:
    """The Hama sample data (:func:`terrain.samples.hama_dem_paths`) when every point lies in the Hama area.

    Raises
    ------
    InputError
        A point lies outside the Hama area (a DEM must then be given).
    """
    from ..samples import HAMA_BOUNDS, hama_dem_paths

    west, south, east, north = HAMA_BOUNDS
    for p in points:
        parsed = parse_point(p)
        if isinstance(parsed, tuple) or not (west <= parsed.lon <= east and south <= parsed.lat <= north):
            label = p if isinstance(p, str) else (p.label() if hasattr(p, "label") else str(p))
            raise InputError(f"{label} is outside the bundled Hama sample area, so no default DEM covers it; "
                             "give a DEM that does (the first argument of terrain report, e.g. "
                             "terrain report dem_samples/N44W072.hgt ...)")
    return hama_dem_paths()


def _load(dem, observers, target, radius_m, target_radius_m, say, band: int = 1) -> xr.DataArray:
    """The DEM: as given, or the files (the Hama sample when None) read over the area the analysis needs."""
    if isinstance(dem, xr.DataArray):
        return dem
    from ..dem import bounds_around, load_dem

    if dem is None:
        paths, _ = default_dem_paths(list(observers) + [target])
    else:
        paths = dem if isinstance(dem, (list, tuple)) else [dem]
    circles = []
    for p in list(observers) + [target]:
        parsed = parse_point(p)
        if isinstance(parsed, tuple):  # "xy:" points: the CRS is only known after reading, read it whole
            circles = None
            break
        reach = radius_m if p is not target else max(radius_m, target_radius_m)
        circles.append(bounds_around(parsed.lat, parsed.lon, reach + LOAD_MARGIN_M))
    say(f"reading {', '.join(str(p) for p in paths)}")
    if circles is None:
        return load_dem(list(paths), band=band)
    bounds = (min(b[0] for b in circles), min(b[1] for b in circles),
              max(b[2] for b in circles), max(b[3] for b in circles))
    return load_dem(list(paths), bounds=bounds, band=band)


def _target_mask(dem, target, target_radius_m) -> tuple[np.ndarray, float]:
    """The target area's cells on the DEM's grid (bool) and its true area, km^2."""
    from ..multi.observers import dem_geometry
    from ..multi.target_area import target_area

    _, y_m, dx_m, row_area = dem_geometry(dem)
    area = target_area(dem, target, target_radius_m, y_m, dx_m, row_area)
    return area.mask.astype(bool), float(area.area_km2)


def window_offset(dem: xr.DataArray, result) -> tuple[int, int]:
    """Row and column of the DEM cell where the window ``result`` (a result on a part of its grid) starts."""
    t_dem = dem.rio.transform(recalc=False)
    t_win = result.rio.transform(recalc=False)
    col, row = ~t_dem * (t_win.c + 0.5 * t_win.a, t_win.f + 0.5 * t_win.e)
    return int(math.floor(row)), int(math.floor(col))


def _window_of(dem, result, mask_dem: np.ndarray) -> np.ndarray:
    """``mask_dem`` (on the DEM's grid) cut to the grid of ``result``."""
    r0, c0 = window_offset(dem, result)
    h, w = result.sizes["y"], result.sizes["x"]
    return mask_dem[r0:r0 + h, c0:c0 + w]


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole > 0 else 0.0


def _target_seen(dem, vs: xr.Dataset, mask_dem: np.ndarray, target_km2: float) -> dict:
    """How much of the target area one viewshed sees (km^2, % of the target area); cells beyond it are not seen."""
    mask = _window_of(dem, vs, mask_dem)
    v = vs["visible"].values
    areas = cell_areas(vs)
    seen = float((((v == 1) & mask) * areas).sum())
    analysed = float((((v != NOT_ANALYSED) & mask) * areas).sum())
    return {"seen_km2": seen, "seen_percent": _pct(seen, target_km2), "analysed_km2": analysed,
            "analysed_percent": _pct(analysed, target_km2)}


def _combined(coverage: xr.Dataset, mask: np.ndarray, target_km2: float) -> dict:
    """Coverage of the target area by the observers together: any, all, and the dead ground to all."""
    from ..multi import coverage_summary, dead_ground, seen_by_all, union_coverage

    areas = cell_areas(coverage)

    def km2(flags) -> float:
        return float(((np.asarray(flags.values, dtype=bool) & mask) * areas).sum())

    any_km2 = km2(union_coverage(coverage))
    all_km2 = km2(seen_by_all(coverage))
    dead_km2 = km2(dead_ground(coverage))
    analysed_km2 = float((((coverage["analysed"].values > 0) & mask) * areas).sum())
    return {
        "target_area_km2": target_km2,
        "seen_by_any_km2": any_km2, "seen_by_any_percent": _pct(any_km2, target_km2),
        "seen_by_all_km2": all_km2, "seen_by_all_percent": _pct(all_km2, target_km2),
        "dead_ground_km2": dead_km2, "dead_ground_percent": _pct(dead_km2, target_km2),
        "not_analysed_km2": max(0.0, target_km2 - analysed_km2),
        "whole_area": coverage_summary(coverage),
    }


def _key_terrain(dem, target, obs_points, radius_m, target_radius_m, min_prominence_m, top, method, opts,
                 multi=None):
    """The key-terrain ranking (a ResultTable, rows marked ``observer`` when a summit is one), and a note."""
    from pyproj import Geod

    from ..multi import key_terrain

    try:
        table = key_terrain(dem, target, within=radius_m, target_radius=target_radius_m,
                            min_prominence=min_prominence_m, top=top, method=method, **opts, **(multi or {}))
    except InputError as exc:
        return None, str(exc)
    geod = Geod(ellps="WGS84")
    for row in table.rows:
        row["observer"] = None
        for p in obs_points:
            near = geod.inv(p.lon, p.lat, row["lon"], row["lat"])[2] <= 300.0
            if near or (p.name and p.name == row["name"]):
                row["observer"] = p.label()
                break
    note = (f"summits with at least {min_prominence_m:g} m of prominence within {radius_m / 1000:g} km of "
            f"{table.attrs.get('target', 'the target')}, ranked by how much of the target area "
            f"({target_radius_m / 1000:g} km radius) each sees from {opts['observer_height']:g} m above its top "
            f"(method {method})")
    return table, note


def _siting(dem, target, k, candidates, radius_m, target_radius_m, min_prominence_m, method, opts, multi=None):
    """The siting result (:func:`terrain.multi.siting.site_observers`) and a note on how it was made."""
    from ..multi.siting import site_observers

    try:
        res = site_observers(dem, target, candidates, k, target_radius=target_radius_m, within=radius_m,
                             max_distance=radius_m, min_prominence=min_prominence_m, method=method, **opts,
                             **(multi or {}))
    except InputError as exc:
        return None, str(exc)
    note = (f"the best {k} of {res.attrs['candidates']} candidate posts ({candidates} within "
            f"{radius_m / 1000:g} km of the target), {opts['observer_height']:g} m above the ground, chosen by "
            f"lazy greedy maximum coverage of the target area (method {method}); {res.attrs['guarantee']}")
    return res, note


def dem_description(dem: xr.DataArray) -> dict:
    """Grid facts for the provenance section: size, cell size, CRS, bounds (degrees)."""
    from ..dem import dem_crs

    crs = dem_crs(dem)
    t = dem.rio.transform(recalc=False)
    west, south, east, north = dem_bounds_latlon(dem)
    if crs is not None and crs.is_geographic:
        cell = f"{abs(t.a) * 3600:.3g}\" x {abs(t.e) * 3600:.3g}\" (arc-seconds)"
    else:
        from ..grid import row_geometry

        cell = f"{abs(t.a):g} x {abs(t.e):g} m"
        y_m, dx_m = row_geometry(t, dem.shape, crs)
        mid = dem.shape[0] // 2
        if crs is not None and abs(float(dx_m[mid]) - abs(t.a)) > 1e-3 * abs(t.a):
            cell += f" in the grid's units, about {float(dx_m[mid]):.3g} m on the ground"
    return {"rows": int(dem.shape[0]), "cols": int(dem.shape[1]), "cell_size": cell,
            "crs": crs.to_string() if crs is not None else None,
            "bounds_deg": [round(float(v), 5) for v in (west, south, east, north)],
            "terrain_version": __version__}
