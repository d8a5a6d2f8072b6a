"""Viewsheds: which cells an observer sees, and how tall something must be to be seen.

This layer turns a DEM and a user's observer into kernel calls
(:mod:`terrain.kernels`) and the kernels' arrays back into a labelled
:class:`xarray.Dataset`. The kernels' models are documented in their modules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr

from . import __version__
from .coords import GridPoint, locate
from .methods import DEFAULT_METHOD, METHODS  # noqa: F401  (re-exported)
from .dem import dem_crs, dem_transform
from .earth import DEFAULT_REFRACTION, curvature_factor
from .errors import InputError
from .flags import HIDDEN, NOT_ANALYSED, VISIBLE
from .grid import cell_areas_m2, row_geometry
from .heights import check_heights, eye_elevation_m
from .numbers import check_number

#: The outputs a viewshed can compute (``outputs=``); the default is all of them.
OUTPUTS = ("visible", "min_visible_height", "elevation_angle")


@dataclass(frozen=True)
class ViewshedSetup:
    """Everything a kernel call needs, worked out from the user's arguments."""

    observer: GridPoint
    rows: slice
    cols: slice
    r0: int
    c0: int
    eye_z: float
    target_h: float
    curv: float
    min_d: float
    max_d: float
    az: tuple[float, float]
    full_circle: bool
    pitch: tuple[float, float]
    y_m: np.ndarray
    dx_m: np.ndarray


def _check_options(observer_height, target_height, max_distance, min_distance, azimuth, pitch, method,
                   absolute_heights):
    if method not in METHODS:
        raise InputError(f"unknown viewshed method {method!r}; choose one of {', '.join(METHODS)}")
    check_heights(observer_height, target_height, absolute_heights)
    if max_distance is not None:
        max_distance = check_number(max_distance, "radius (max_distance)", low=0.0, low_open=True, unit="m",
                                    hint="give a radius above zero, e.g. 20000")
    if min_distance is None:
        raise InputError("min_distance must be 0 or more metres, got None")
    min_distance = check_number(min_distance, "min_distance", low=0.0, unit="m")
    if max_distance is not None and min_distance >= max_distance:
        raise InputError(f"min_distance {min_distance} m is not below max_distance {max_distance} m; "
                         "the ring between them would be empty")
    if azimuth is not None:
        a0, a1 = (float(v) for v in azimuth)
        if not (math.isfinite(a0) and math.isfinite(a1)):
            raise InputError("azimuth limits must be finite degrees clockwise from north")
        if a0 == a1:
            raise InputError(f"the azimuth sector {a0:g}..{a1:g} is empty; give two different bearings "
                             "clockwise from north, e.g. 120,240")
    if pitch is not None:
        lo, hi = (float(v) for v in pitch)
        if not (-90.0 <= lo < hi <= 90.0):
            raise InputError(f"pitch limits {lo:g},{hi:g} are not a range within -90..90 degrees "
                             "(low first, e.g. -10,30)")


def prepare(dem: xr.DataArray, observer, observer_height=2.0, target_height=0.0, max_distance=None,
            min_distance=0.0, azimuth=None, pitch=None, curvature=True, refraction=DEFAULT_REFRACTION,
            absolute_heights=False, method=DEFAULT_METHOD) -> ViewshedSetup:
    """Check the options and work out the observer, analysis window and geometry (no kernel call)."""
    _check_options(observer_height, target_height, max_distance, min_distance, azimuth, pitch, method,
                   absolute_heights)
    obs = locate(dem, observer, role="observer")
    curv = curvature_factor(curvature, refraction)
    y_all, dx_all = row_geometry(dem_transform(dem), dem.shape, dem_crs(dem))
    nrows, ncols = dem.shape
    if max_distance is not None:
        cell = float(dx_all[obs.r]) if nrows < 2 else min(float(dx_all[obs.r]), abs(float(y_all[1] - y_all[0])))
        if max_distance < cell:
            raise InputError(f"the radius {max_distance:g} m is less than one cell ({cell:.1f} m); give a radius "
                             f"of several cells, e.g. {max(1000.0, 10 * cell):.0f} m (a bare number is metres)")
        rlo = int(np.searchsorted(y_all, y_all[obs.r] - max_distance, side="left"))
        rhi = int(np.searchsorted(y_all, y_all[obs.r] + max_distance, side="right"))
        span_c = int(math.ceil(max_distance / float(dx_all[max(rlo, 0):rhi].min()))) + 1
        rows = slice(max(rlo, 0), min(rhi, nrows))
        cols = slice(max(obs.c - span_c, 0), min(obs.c + span_c + 1, ncols))
    else:
        rows, cols = slice(0, nrows), slice(0, ncols)
    eye = eye_elevation_m(obs.ground_m, observer_height, absolute_heights, label=f"the observer {obs.label()}")
    full = azimuth is None or (float(azimuth[1]) - float(azimuth[0])) % 360.0 == 0.0
    az = (0.0, 360.0) if full else (float(azimuth[0]), float(azimuth[1]))
    pt = (-90.0, 90.0) if pitch is None else (float(pitch[0]), float(pitch[1]))
    y_m = np.ascontiguousarray(y_all[rows])
    dx_m = np.ascontiguousarray(dx_all[rows])
    return ViewshedSetup(observer=obs, rows=rows, cols=cols, r0=obs.r - rows.start, c0=obs.c - cols.start,
                         eye_z=eye, target_h=float(target_height), curv=curv, min_d=float(min_distance),
                         max_d=float(max_distance) if max_distance is not None else 0.0, az=az,
                         full_circle=full, pitch=pt, y_m=y_m, dx_m=dx_m)


def horizon(method: str, z: np.ndarray, s: ViewshedSetup, z_target: np.ndarray | None = None) -> np.ndarray:
    """Run the horizon kernel of ``method`` on the window ``z`` (the surface sight lines cross); float32
    horizon slopes. ``z_target``: the ground targets stand on, where it differs (obstacles)."""
    if method == "exact":
        from .kernels.horizon_exact import horizon_exact

        return horizon_exact(z, s.y_m, s.dx_m, s.r0, s.c0, s.eye_z, s.curv, s.max_d)
    if method == "fast":
        from .kernels.horizon_fast import horizon_fast

        return horizon_fast(z, s.y_m, s.dx_m, s.r0, s.c0, s.eye_z, s.curv, s.max_d)
    from .kernels.refine import horizon_refined

    return horizon_refined(z, s.y_m, s.dx_m, s.r0, s.c0, s.eye_z, s.curv, s.max_d, s.target_h, z_target=z_target)


def viewshed(dem: xr.DataArray, observer, observer_height: float = 2.0, target_height: float = 0.0,
             max_distance: float | None = None, min_distance: float = 0.0, azimuth=None, pitch=None,
             curvature: bool = True, refraction: float = DEFAULT_REFRACTION, method: str = DEFAULT_METHOD,
             absolute_heights: bool = False, outputs=OUTPUTS, obstacles=None, targets_on_obstacles: bool = False,
             observer_on_obstacle: bool = False) -> xr.Dataset:
    """Compute the viewshed of one observer.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem` (geographic grids are analysed without resampling).
    observer : str, tuple or point
        ``"lat,lon"``, ``(lat, lon)``, ``"xy:X,Y"`` or a place name.
    observer_height : float
        Eye height, metres above the ground (default 2 m, as GDAL).
    target_height : float, or xarray.DataArray, array or path
        Height of the targets above the ground, metres (default 0: the ground itself); or a height for
        every cell (a mast, a tree crown; a grid on the DEM's grid or a raster file read onto it, as
        ``obstacles``): each cell is visible when its own target is. Not with ``pitch``.
    max_distance : float, optional
        Radius in metres; only the window within it is read and returned. None: the whole DEM. A radius
        that runs past a DEM loaded from files (:func:`terrain.load_dem` with ``around=`` or ``bounds=``)
        reads the rest from the same files, keeping the loaded values; past the files' own edge, or past a
        DEM built in memory or given with obstacle or target-height grids, a :class:`TerrainWarning`
        gives the area lost.
    min_distance : float
        Inner radius in metres; nearer cells are not analysed.
    azimuth : (float, float), optional
        Sector ``(start, end)`` in degrees clockwise from north, wrapping through 360.
    pitch : (float, float), optional
        ``(low, high)`` degrees above the horizontal: targets outside this vertical field of view are not analysed.
    curvature : bool
        Account for the earth's curvature (default True).
    refraction : float
        Refraction coefficient k (default 0.13; GDAL's ``-cc`` is 1 - k).
    method : {"refined", "fast", "exact"}
        ``exact`` walks every sight line (R3); ``fast`` is an O(n) sweep; ``refined``
        (default) re-walks exactly the cells the fast sweep leaves in doubt.
    absolute_heights : bool
        Read ``observer_height`` as metres above sea level (refused below the observer's ground);
        ``target_height`` stays metres above each target's own ground (:mod:`terrain.heights`).
    outputs : sequence of str
        Which of ``"visible"``, ``"min_visible_height"``, ``"elevation_angle"`` to compute (default all
        three). Only those are computed and allocated: with ``method="fast"`` the finish is fused into the
        sweep, so ``outputs=("visible",)`` allocates one byte a cell and no raster-sized float array.
    obstacles : xarray.DataArray, array or path, optional
        Heights above the ground (buildings, canopy), metres, on the DEM's grid or a raster file read onto
        it: they block sight lines (:mod:`terrain.obstacles`). ``min_visible_height`` stays a height above
        the target's ground.
    targets_on_obstacles : bool
        Targets stand on the obstacles' tops (rooftops), not on the ground under them.
    observer_on_obstacle : bool
        The observer stands on its cell's obstacle (a roof, a tower) rather than on the ground.

    Returns
    -------
    xarray.Dataset
        ``visible`` (uint8: 1 visible, 0 hidden, 255 not analysed), ``min_visible_height``
        (float32 metres above ground a target needs to be seen; NaN where not analysed)
        and ``elevation_angle`` (float32 degrees of the ground above the observer's
        horizontal), on the DEM's grid (the window within ``max_distance``), with the
        CRS and every parameter in the attributes; only the variables named in ``outputs``. ``visible``
        carries CF ``flag_values``/``flag_meanings`` and each variable its nodata as ``_FillValue`` (255,
        NaN), so ``vs.rio.nodata`` and ``vs.rio.to_raster`` see it. The observer is a set of scalar
        coordinates (``observer_name``, ``observer_lat``, ``observer_lon``, ``observer_x``, ``observer_y``,
        ``observer_row``, ``observer_col``, ``observer_ground_m``, ``observer_eye_m``), so viewsheds
        ``xr.concat`` along an ``observer`` dimension as cumulative results are laid out.

    Examples
    --------
    >>> dem = terrain.load_dem("dem_samples/N44W072.hgt")
    >>> vs = terrain.viewshed(dem, "Mount Washington", observer_height=2, max_distance=20_000)
    >>> round(terrain.visible_area_km2(vs))  # doctest: +SKIP
    """
    wanted = check_outputs(outputs)
    target_grid = is_height_grid(target_height)
    if target_grid and pitch is not None:
        refuse_pitch_with_target_grid()
    from .obstacles import check_obstacle_flags

    check_obstacle_flags(obstacles, targets_on_obstacles, observer_on_obstacle)
    setup_args = (observer_height, 0.0 if target_grid else target_height, max_distance, min_distance, azimuth,
                  pitch, curvature, refraction, absolute_heights, method)
    s = prepare(dem, observer, *setup_args)
    past = _lost_past_the_edge(dem, s)
    if past and obstacles is None and not target_grid:
        # the radius runs past the loaded window: read the rest from the DEM's files where it came from some
        # (obstacle and target-height grids are on the loaded grid, so with them the warning below stands)
        from .dem import read_more_around

        # a margin of a few cells: the window below reaches a cell past the radius
        wider = read_more_around(dem, s.observer.lat, s.observer.lon, 1.01 * s.max_d + 3 * float(s.dx_m.max()))
        if wider is not None:
            dem = wider
            s = prepare(dem, observer, *setup_args)
            past = _lost_past_the_edge(dem, s)
    _warn_if_past_the_edge(past, s)
    window = dem.isel(y=s.rows, x=s.cols)
    if method == "exact":
        _warn_if_long_exact(window.shape)
    z = np.ascontiguousarray(window.values, dtype=np.float32)
    obst = None
    if obstacles is not None:
        import dataclasses

        from .obstacles import obstacle_grid

        obst = np.ascontiguousarray(obstacle_grid(dem, obstacles)[s.rows, s.cols])
        if observer_on_obstacle:
            s = dataclasses.replace(s, eye_z=s.eye_z + float(obst[s.r0, s.c0]))
    from .obstacles import surfaces

    z_block, z_target = surfaces(z, obst, targets_on_obstacles)
    shape = z.shape
    tgrid = None
    if target_grid:
        from .obstacles import height_grid

        tgrid = np.ascontiguousarray(height_grid(dem, target_height, "target heights")[s.rows, s.cols])
    # with a target height per cell the kernels give min_visible_height, and visible follows from it
    computed = (set(wanted) | {"min_visible_height"}) - {"visible"} if target_grid else set(wanted)
    visible = np.empty(shape if "visible" in computed else (0, 0), dtype=np.uint8)
    angle = np.empty(shape if "elevation_angle" in computed else (0, 0), dtype=np.float32)
    finish = (s.r0, s.c0, s.eye_z, s.curv, s.target_h, s.min_d, s.max_d, s.az[0], s.az[1], s.full_circle,
              s.pitch[0], s.pitch[1])
    if method == "fast" and obst is None:
        # fused: no horizon grid at all (the sweep finishes each cell as it goes); as fast as the two passes or
        # faster (3601^2, kernels: `visible` 0.33 s against 0.37 s) and no raster-sized float beyond the outputs
        from .kernels.horizon_fast import viewshed_fast_into

        mvh = np.empty(shape if "min_visible_height" in computed else (0, 0), dtype=np.float32)
        viewshed_fast_into(z, s.y_m, s.dx_m, *finish, visible, mvh, angle)
    else:
        from .kernels.visibility import viewshed_from_horizon_into

        # the refine search re-walks the cells in doubt for the targets' tops (ground + target height)
        doubt_ground = (z_target + tgrid if tgrid is not None else z_target if obst is not None else None)
        H = horizon(method, z_block, s, doubt_ground)
        del doubt_ground
        # H's memory becomes min_visible_height: no extra raster-sized copy
        mvh = H if "min_visible_height" in computed else np.empty((0, 0), dtype=np.float32)
        viewshed_from_horizon_into(z_target, H, s.y_m, s.dx_m, *finish, visible, mvh, angle)
        del H
    if tgrid is not None:
        from .kernels.visibility import verdict_from_needed_into

        if "visible" in wanted:
            visible = np.empty(shape, dtype=np.uint8)
            verdict_from_needed_into(mvh, tgrid, visible)
        if "min_visible_height" not in wanted:
            mvh = np.empty((0, 0), dtype=np.float32)
    return _as_dataset(window, visible, mvh, angle, s, method, dict(
        observer_height_m=float(observer_height), target_height_m=float("nan") if target_grid else float(target_height),
        target_height_grid=int(target_grid),
        absolute_heights=int(bool(absolute_heights)),
        max_distance_m=float(max_distance) if max_distance is not None else float("nan"),
        min_distance_m=float(min_distance), azimuth_start_deg=s.az[0], azimuth_end_deg=s.az[1],
        pitch_low_deg=s.pitch[0], pitch_high_deg=s.pitch[1], curvature=int(bool(curvature)),
        refraction=float(refraction), obstacles=int(obst is not None),
        targets_on_obstacles=int(bool(targets_on_obstacles) and obst is not None),
        eye_on_obstacle=int(bool(observer_on_obstacle) and obst is not None)))


def refuse_pitch_with_target_grid() -> None:
    """A pitch window with a target height per cell: refused in one sentence (the pitch is measured to one
    target top)."""
    raise InputError("a pitch window needs one target height (the pitch is measured to the target's top); "
                     "give target_height as a number, or leave pitch out")


def is_height_grid(value) -> bool:
    """Whether a height argument is a grid (a DataArray, an array of two dimensions, a raster's path) rather
    than one number."""
    import os

    if isinstance(value, (str, os.PathLike)):
        return True
    if isinstance(value, xr.DataArray):
        return value.ndim > 0
    return isinstance(value, np.ndarray) and value.ndim > 0


#: Runs estimated to take longer than this (seconds) are announced with a :class:`LongRunWarning` first.
LONG_RUN_S = 60.0


def _warn_if_long_exact(shape) -> None:
    import warnings

    import numba

    from ._resources import rough_duration
    from .errors import LongRunWarning
    from .kernels.horizon_exact import exact_seconds

    threads = numba.get_num_threads()
    seconds = exact_seconds(shape, threads)
    if seconds > LONG_RUN_S:
        warnings.warn(f"method 'exact' on this {shape[0]} x {shape[1]} window takes {rough_duration(seconds)} "
                      f"on {threads} threads (Ctrl-C stops it); a radius (--radius, max_distance) or "
                      "method 'refined', exact wherever the verdict is in doubt, is far faster", LongRunWarning,
                      stacklevel=3)


def lost_area_km2(dem: xr.DataArray, s: ViewshedSetup) -> tuple[float, float]:
    """``(lost, wanted)``: km² of the area asked for (the ring within the radius, in the sector) that lies
    off the DEM, and of the whole area asked for. ``(0, 0)`` without a radius."""
    if not s.max_d:
        return 0.0, 0.0
    sector = 1.0 if s.full_circle else ((s.az[1] - s.az[0]) % 360.0) / 360.0
    wanted = math.pi * (s.max_d ** 2 - s.min_d ** 2) * sector
    y_all, dx_all = row_geometry(dem_transform(dem), dem.shape, dem_crs(dem))
    obs = s.observer
    nrows, ncols = dem.shape
    half_h = 0.5 * abs(float(y_all[1] - y_all[0])) if nrows > 1 else 0.5 * float(dx_all[0])
    # cheap test first: does the disc reach past an edge of the DEM at all?
    reach_c = int(math.ceil(s.max_d / float(dx_all[s.rows].min())))
    if (y_all[obs.r] - s.max_d >= y_all[0] - half_h and y_all[obs.r] + s.max_d <= y_all[-1] + half_h
            and obs.c - reach_c >= 0 and obs.c + reach_c < ncols):
        return 0.0, wanted / 1e6
    dy = (s.y_m - y_all[obs.r])[:, None]
    dx = (np.arange(s.cols.start, s.cols.stop) - obs.c)[None, :] * s.dx_m[:, None]
    d2 = dy * dy + dx * dx
    inside = (d2 <= s.max_d ** 2) & (d2 >= s.min_d ** 2)
    if not s.full_circle:
        bearing = np.degrees(np.arctan2(dx, -dy)) % 360.0
        inside &= (bearing - s.az[0]) % 360.0 <= (s.az[1] - s.az[0]) % 360.0
    covered = float((inside * cell_areas_m2(s.y_m, s.dx_m)[:, None]).sum())
    return max(wanted - covered, 0.0) / 1e6, wanted / 1e6


def _lost_past_the_edge(dem: xr.DataArray, s: ViewshedSetup) -> tuple[float, float] | None:
    """``(lost, wanted)`` km² (:func:`lost_area_km2`) when the radius runs past the DEM by more than 1 % of the
    area asked for and two cells; None when it does not."""
    lost, wanted = lost_area_km2(dem, s)
    cell_km2 = float(cell_areas_m2(s.y_m, s.dx_m)[s.r0]) / 1e6
    return (lost, wanted) if lost > 0.01 * wanted and lost > 2 * cell_km2 else None


def _warn_if_past_the_edge(past: tuple[float, float] | None, s: ViewshedSetup) -> None:
    """Warn (:class:`TerrainWarning`) with the area lost (``past``, from :func:`_lost_past_the_edge`) when the
    radius runs past the DEM."""
    import warnings

    from .errors import TerrainWarning

    if past:
        lost, wanted = past

        def km2(a):
            return f"{a:.1f}" if a >= 10 else f"{a:.3g}"

        warnings.warn(f"the radius {s.max_d / 1000:g} km runs past the edge of the DEM: {km2(lost)} km² of the "
                      f"{km2(wanted)} km² asked for ({100 * lost / wanted:.0f} %) is off the DEM and not analysed; "
                      "load the neighbouring tiles (several DEM files) to cover it", TerrainWarning, stacklevel=3)


def check_outputs(outputs) -> tuple[str, ...]:
    """The ``outputs=`` names, checked: a non-empty selection of :data:`OUTPUTS`, in their canonical order."""
    names = (outputs,) if isinstance(outputs, str) else tuple(outputs)
    unknown = [n for n in names if n not in OUTPUTS]
    if unknown or not names:
        raise InputError(f"unknown viewshed output {unknown[0]!r}; choose from {', '.join(OUTPUTS)}" if unknown
                         else f"outputs is empty; name at least one of {', '.join(OUTPUTS)}")
    return tuple(n for n in OUTPUTS if n in names)


#: The observer's scalar coordinates on a viewshed (1-D along ``observer`` once viewsheds are concatenated,
#: as in a cumulative result): name, lat/lon (degrees), x/y (the grid's CRS), row/col (in the window),
#: ground and eye (metres above sea level).
OBSERVER_COORDS = ("observer_name", "observer_lat", "observer_lon", "observer_x", "observer_y", "observer_row",
                   "observer_col", "observer_ground_m", "observer_eye_m")


def _as_dataset(window, visible, mvh, angle, s: ViewshedSetup, method, params) -> xr.Dataset:
    o = s.observer
    observer = {"observer_name": o.name or "", "observer_lat": float(o.lat), "observer_lon": float(o.lon),
                "observer_x": float(o.x), "observer_y": float(o.y), "observer_row": int(s.r0),
                "observer_col": int(s.c0), "observer_ground_m": float(o.ground_m),
                "observer_eye_m": float(s.eye_z)}
    coords = {"y": window.y, "x": window.x, **{k: ((), v) for k, v in observer.items()}}
    variables = {
        # CF flags; 255 is the _FillValue (written below), so GDAL, QGIS and rioxarray see it as nodata
        "visible": (("y", "x"), visible, {"long_name": "visible from the observer",
                                          "flag_values": np.array([HIDDEN, VISIBLE], dtype=np.uint8),
                                          "flag_meanings": "hidden visible",
                                          "comment": f"{NOT_ANALYSED} (_FillValue): not analysed (a void, or "
                                                     "outside the radius, sector or pitch limits)"}),
        "min_visible_height": (("y", "x"), mvh, {"long_name": "height above ground a target needs to be seen",
                                                 "units": "m"}),
        "elevation_angle": (("y", "x"), angle, {"long_name": "angle of the ground above the observer's horizontal",
                                                "units": "degree"}),
    }
    ds = xr.Dataset({k: v for k, v in variables.items() if v[1].shape == window.shape},
                    coords=coords)
    for name in ds.data_vars:
        nodata = NOT_ANALYSED if ds[name].dtype == np.uint8 else np.nan
        # _FillValue in the attributes (rioxarray's encoded=False): the values stay as computed
        ds[name].rio.write_nodata(nodata, encoded=False, inplace=True)
    crs = window.rio.crs
    if crs is not None:
        ds.rio.write_crs(crs, inplace=True)  # inplace: the default deep-copies every variable
    ds.rio.write_transform(window.rio.transform(recalc=False), inplace=True)
    ds.attrs.update(params)
    # no timings here: identical runs give identical results (and GeoTIFF tags)
    ds.attrs.update({
        "method": method, "terrain_version": __version__,
        "source": window.attrs.get("source", ""), "files": window.attrs.get("files", ""),
        "synthetic": int(window.attrs.get("synthetic", 0)),
    })
    return ds


def observer_of(result: xr.Dataset) -> dict:
    """The observer of a single viewshed (its scalar coordinates) as a dict, names without ``observer_``."""
    out = {}
    for k in OBSERVER_COORDS:
        if k in result.coords:
            v = result.coords[k].values.item()
            out[k[len("observer_"):]] = v if isinstance(v, str) else (int(v) if k.endswith(("_row", "_col"))
                                                                      else float(v))
    return out


def cell_areas(result: xr.Dataset | xr.DataArray) -> np.ndarray:
    """True area of every cell of a result's grid, km^2, as a (rows, 1) array that broadcasts over columns."""
    transform = result.rio.transform(recalc=False)
    shape = (result.sizes["y"], result.sizes["x"])
    y_m, dx_m = row_geometry(transform, shape, result.rio.crs)
    return (cell_areas_m2(y_m, dx_m) / 1e6)[:, None]


def visible_area_km2(result: xr.Dataset) -> float:
    """Visible area of a viewshed, km^2 (true cell areas, also on geographic grids)."""
    return float(((result["visible"].values == 1) * cell_areas(result)).sum())


def analysed_area_km2(result: xr.Dataset) -> float:
    """Area that was analysed (within radius and sector, not void), km^2."""
    return float(((result["visible"].values != NOT_ANALYSED) * cell_areas(result)).sum())


def visible_percent(result: xr.Dataset) -> float:
    """Visible area as a percentage of the analysed area."""
    analysed = analysed_area_km2(result)
    return 100.0 * visible_area_km2(result) / analysed if analysed > 0 else 0.0


def viewshed_summary(result: xr.Dataset) -> dict:
    """The headline numbers of a viewshed: visible and analysed area (km^2), percent, observer, method."""
    a = result.attrs
    o = observer_of(result)
    return {
        "observer": {"name": o.get("name") or None, "lat": o["lat"], "lon": o["lon"],
                     "ground_m": o["ground_m"], "eye_m": o["eye_m"]},
        "visible_km2": round(visible_area_km2(result), 3),
        "analysed_km2": round(analysed_area_km2(result), 3),
        "visible_percent": round(visible_percent(result), 3),
        "method": a["method"],
        "parameters": {k: a[k] for k in ("observer_height_m", "target_height_m", "max_distance_m",
                                         "min_distance_m", "azimuth_start_deg", "azimuth_end_deg",
                                         "pitch_low_deg", "pitch_high_deg", "curvature", "refraction",
                                         "absolute_heights")},
        "target_height_grid": bool(a.get("target_height_grid", 0)),
        "obstacles": bool(a.get("obstacles", 0)),
        "targets_on_obstacles": bool(a.get("targets_on_obstacles", 0)),
        "observer_on_obstacle": bool(a.get("eye_on_obstacle", 0)),
        "source": a.get("source", ""),
    }
