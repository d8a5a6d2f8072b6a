"""The 360° horizon seen from an observer, and the named places and summits on it.

This layer turns a DEM and an observer into one call of the ray kernel
(:mod:`terrain.kernels.panorama`, whose model it documents) and labels the
result as an :class:`xarray.Dataset` on the dimension ``azimuth`` (degrees
clockwise from north). The observer, eye height, curvature and refraction are
worked out exactly as for :func:`terrain.viewshed` (its ``prepare`` step), and
the horizon's elevation angle is the viewshed's:
``atan((z - curv D**2 - eye) / D)``.

Landmarks (gazetteer places and prominent summits) are judged visible by the
exact viewshed's own rule, the sight line of :mod:`terrain.kernels.sight_line`
(what :func:`terrain.line_of_sight` returns for a target on the ground).
"""

from __future__ import annotations

import csv
import math
from typing import TYPE_CHECKING

import numpy as np

from . import __version__
from .earth import DEFAULT_REFRACTION
from .errors import InputError
from .numbers import check_number

if TYPE_CHECKING:  # xarray is imported where a result is built, so the command line starts light
    import xarray as xr

#: Default angular step between azimuths, degrees.
DEFAULT_STEP_DEG = 0.25
#: Candidate distance band edges, metres: the bands a panorama's ridges are shaded by (cut at the reach).
BAND_EDGES_M = (0.0, 500.0, 1_000.0, 2_000.0, 3_000.0, 5_000.0, 7_500.0, 10_000.0, 15_000.0, 20_000.0, 30_000.0,
                40_000.0, 50_000.0, 75_000.0, 100_000.0, 150_000.0, 200_000.0, 300_000.0, 500_000.0)
#: Summits labelled at most (the most prominent visible ones).
MAX_SUMMITS = 12
#: Landmarks nearer than this many cells to the observer are its own ground and are left out.
NEAR_CELLS = 2
#: Columns of the horizon table (CSV), one row per azimuth.
TABLE_COLUMNS = ("azimuth_deg", "elevation_angle_deg", "distance_m", "lat", "lon", "ground_m", "at_limit")
#: Extensions the table writer writes.
CSV_SUFFIXES = (".csv",)


def azimuths_deg(step_deg: float = DEFAULT_STEP_DEG, sector=None) -> np.ndarray:
    """The azimuths of a panorama, degrees clockwise from north in ``[0, 360)``.

    Parameters
    ----------
    step_deg : float
        Angular step, degrees; for the full circle it must divide 360 (0.25, 0.5, 1, ...).
    sector : (float, float), optional
        ``(start, end)`` degrees clockwise from north, wrapping through 360 (``(300, 60)`` looks north);
        both ends included where the step lands on them. None: the full circle.
    """
    step = check_number(step_deg, "azimuth step", low=0.0, low_open=True, high=90.0, unit="degrees",
                        hint="give a step such as 0.25 or 1")
    if sector is None:
        n = int(round(360.0 / step))
        if abs(n * step - 360.0) > 1e-6:
            raise InputError(f"an azimuth step of {step:g} degrees does not divide 360; give one that does, "
                             "e.g. 0.25, 0.5 or 1")
        return np.arange(n, dtype=np.float64) * step
    a0, a1 = (float(v) for v in sector)
    if not (math.isfinite(a0) and math.isfinite(a1)):
        raise InputError("the azimuth sector's limits must be finite degrees clockwise from north, e.g. 135,225")
    span = (a1 - a0) % 360.0
    if span == 0.0:
        raise InputError(f"the azimuth sector {a0:g}..{a1:g} is empty; give two different bearings clockwise "
                         "from north, e.g. 135,225 (leave it out for the full circle)")
    n = int(math.floor(span / step + 1e-9)) + 1
    return (a0 + np.arange(n, dtype=np.float64) * step) % 360.0


def band_edges_for(reach_m: float, edges=BAND_EDGES_M) -> np.ndarray:
    """Distance band edges (metres) from 0 out to ``reach_m``: the candidates below it, then ``reach_m``.

    A last band narrower than a third of the one before it is merged into it.
    """
    inner = [float(e) for e in edges if float(e) < reach_m]
    if not inner or inner[0] != 0.0:
        inner = [0.0] + inner
    out = inner + [float(reach_m)]
    if len(out) > 3 and (out[-1] - out[-2]) < (out[-2] - out[-3]) / 3.0:
        del out[-2]
    return np.asarray(out, dtype=np.float64)


def horizon(dem: xr.DataArray, observer, observer_height: float = 2.0, max_distance: float | None = None,
            azimuth_step_deg: float = DEFAULT_STEP_DEG, azimuth=None, curvature: bool = True,
            refraction: float = DEFAULT_REFRACTION, absolute_heights: bool = False, band_edges_m=None,
            landmarks: bool = True, min_prominence: float = 30.0, azimuths=None) -> xr.Dataset:
    """The horizon around an observer: for each azimuth its elevation angle, distance and position.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem` (geographic grids are analysed without resampling).
    observer : str, tuple or point
        ``"lat,lon"``, ``(lat, lon)``, ``"xy:X,Y"`` or a place name.
    observer_height : float
        Eye height, metres above the ground (metres above sea level with ``absolute_heights``).
    max_distance : float, optional
        How far the rays reach, metres. None: to the DEM's edge (the horizon there is flagged ``at_limit``).
    azimuth_step_deg : float
        Degrees between azimuths (default 0.25: 1440 rays for the full circle).
    azimuth : (float, float), optional
        Only the sector ``(start, end)``, degrees clockwise from north, wrapping through 360.
    curvature, refraction :
        Earth curvature and refraction coefficient k, as in :func:`terrain.viewshed` (default k = 0.13).
    absolute_heights : bool
        Read ``observer_height`` as metres above sea level (:mod:`terrain.heights`).
    band_edges_m : sequence of float, optional
        Distance band edges for the silhouettes, metres; default :data:`BAND_EDGES_M` cut at the reach.
    landmarks : bool
        Also find the gazetteer places and the summits (at least ``min_prominence`` metres prominent, the
        :data:`MAX_SUMMITS` most prominent of those visible) within reach, with their bearing, distance,
        elevation angle and whether the observer sees them (dimension ``landmark``).
    min_prominence : float
        Metres of prominence a summit needs to be a landmark.
    azimuths : sequence of float, optional
        Exactly these azimuths (degrees clockwise from north), in this order, instead of a regular step;
        ``azimuth_step_deg`` and ``azimuth`` are then ignored.

    Returns
    -------
    xarray.Dataset
        On ``azimuth`` (degrees clockwise from north): ``elevation_angle_deg`` (degrees above the observer's
        horizontal, curvature and refraction applied), ``distance_m``, ``lat``, ``lon`` and ``ground_m``
        (height of the terrain there, metres) of the horizon point, ``at_limit`` (1 where the horizon is the
        last terrain the ray met: the true horizon may lie beyond the DEM or the radius) and ``reach_m``;
        on ``(azimuth, band)``: ``skyline_deg``, the highest elevation angle of the terrain within each
        distance band (``band_start_m`` to ``band_end_m``; NaN where the band holds no terrain), the layers
        a panorama is drawn from; and the ``landmark_*`` variables. Observer and parameters are attributes.

    Examples
    --------
    >>> dem = terrain.load_dem("dem_samples/hama_standin.tif")
    >>> hz = terrain.horizon(dem, "Zayn al-Abidin", observer_height=2, azimuth=(90, 270))
    >>> float(hz.elevation_angle_deg.sel(azimuth=180.0))  # doctest: +SKIP
    """
    import xarray as xr

    from .coords import grid_to_latlon
    from .grid import row_heights_m
    from .kernels.panorama import horizon_kernel
    from .viewshed import prepare

    if azimuths is not None:
        az = np.atleast_1d(np.asarray(azimuths, dtype=np.float64)) % 360.0
        if az.size == 0 or not np.all(np.isfinite(az)):
            raise InputError("azimuths must be one or more finite degrees clockwise from north")
        azimuth = (float(az[0]), float(az[-1]))
    else:
        az = azimuths_deg(azimuth_step_deg, azimuth)
    s = prepare(dem, observer, observer_height, 0.0, max_distance, 0.0, None, None, curvature, refraction,
                absolute_heights, "exact")
    window = dem.isel(y=s.rows, x=s.cols)
    z = np.ascontiguousarray(window.values, dtype=np.float32)
    if z.shape[0] < 2:
        raise InputError("the DEM window has a single row; load a larger area around the observer")
    dy0 = float(row_heights_m(s.y_m)[s.r0])
    reach = _farthest_m(s, z.shape) if s.max_d <= 0 else s.max_d
    if band_edges_m is None:
        edges = band_edges_for(reach)
    else:
        edges = np.asarray(sorted(float(e) for e in band_edges_m), dtype=np.float64)
        if edges.size < 2 or edges[0] < 0:
            raise InputError("band_edges_m needs at least two distances of 0 metres or more, e.g. [0, 5000, 20000]")
    out = horizon_kernel(z, s.y_m, s.dx_m, s.r0, s.c0, s.eye_z, s.curv, s.max_d, dy0, az, edges)
    angle = np.degrees(np.arctan(out["slope"]))
    lat, lon = grid_to_latlon(window, out["row"], out["col"])
    ds = xr.Dataset(
        {
            "elevation_angle_deg": ("azimuth", angle, {
                "long_name": "elevation angle of the horizon above the observer's horizontal", "units": "degree"}),
            "distance_m": ("azimuth", out["distance_m"], {"long_name": "ground distance to the horizon",
                                                          "units": "m"}),
            "lat": ("azimuth", np.asarray(lat, dtype=np.float64), {"long_name": "latitude of the horizon point",
                                                                   "units": "degrees_north"}),
            "lon": ("azimuth", np.asarray(lon, dtype=np.float64), {"long_name": "longitude of the horizon point",
                                                                   "units": "degrees_east"}),
            "ground_m": ("azimuth", out["ground_m"], {"long_name": "terrain height at the horizon point",
                                                      "units": "m"}),
            "at_limit": ("azimuth", out["at_limit"], {
                "long_name": "horizon is the last terrain on the ray (DEM edge or radius): the true one may "
                             "lie beyond", "flag_values": "0 no, 1 yes"}),
            "reach_m": ("azimuth", out["reach_m"], {"long_name": "distance the ray was followed", "units": "m"}),
            "skyline_deg": (("azimuth", "band"), out["band_angle_deg"], {
                "long_name": "highest elevation angle of the terrain within the distance band", "units": "degree"}),
        },
        coords={
            "azimuth": ("azimuth", az, {"long_name": "azimuth, clockwise from north", "units": "degree"}),
            "band_start_m": ("band", edges[:-1], {"long_name": "distance band start", "units": "m"}),
            "band_end_m": ("band", edges[1:], {"long_name": "distance band end", "units": "m"}),
        },
    )
    o = s.observer
    full = azimuth is None
    ds.attrs.update({
        "observer_name": o.name or "", "observer_lat": o.lat, "observer_lon": o.lon,
        "observer_ground_m": o.ground_m, "observer_eye_m": s.eye_z,
        "observer_height_m": float(observer_height), "absolute_heights": int(bool(absolute_heights)),
        "max_distance_m": float(max_distance) if max_distance is not None else float("nan"),
        "azimuth_step_deg": float(azimuth_step_deg) if azimuths is None else float("nan"),
        "azimuth_start_deg": 0.0 if full else float(azimuth[0]) % 360.0,
        "azimuth_end_deg": 360.0 if full else float(azimuth[1]) % 360.0,
        "full_circle": int(full),
        "curvature": int(bool(curvature)), "refraction": float(refraction),
        "model": "rays straight in grid space; terrain at the major-axis grid-line crossings by the R3 rule",
        "source": window.attrs.get("source", ""), "files": window.attrs.get("files", ""),
        "synthetic": int(window.attrs.get("synthetic", 0)), "terrain_version": __version__,
    })
    if landmarks:
        ds = ds.merge(_landmarks(window, s, az, reach, min_prominence, full, dy0))
    return ds


def _farthest_m(s, shape) -> float:
    """Distance from the observer to the window's farthest corner cell, metres (the most a ray can reach)."""
    from .kernels.geometry import cell_distance_m

    rows, cols = shape
    return max(cell_distance_m(r, c, s.r0, s.c0, s.y_m, s.dx_m) for r in (0, rows - 1) for c in (0, cols - 1))


def _in_sector(a: float, az: np.ndarray, full: bool, step: float) -> bool:
    if full:
        return True
    start = float(az[0])
    return (a - start) % 360.0 <= (float(az[-1]) - start) % 360.0 + 0.5 * step


def _landmarks(window, s, az, reach, min_prominence, full, dy0) -> xr.Dataset:
    """The gazetteer places and visible prominent summits within reach, as variables on ``landmark``."""
    import xarray as xr

    from .coords import dem_bounds_latlon, locate
    from .flags import VISIBLE
    from .kernels.geometry import cell_distance_m
    from .kernels.panorama import ray_azimuth_deg
    from .kernels.sight_line import sight_line
    from .multi.summits import find_summits
    from .places import normalize_name, places_within

    z = np.ascontiguousarray(window.values, dtype=np.float32)
    step = float(az[1] - az[0]) if az.size > 1 else 360.0
    dx0 = float(s.dx_m[s.r0])
    rows = []

    def judge(name, kind, spec, prominence=float("nan")):
        try:
            p = locate(window, spec, role="landmark")
        except InputError:
            return None
        dr, dc = p.r - s.r0, p.c - s.c0
        if max(abs(dr), abs(dc)) <= NEAR_CELLS:
            return None
        d = float(cell_distance_m(p.r, p.c, s.r0, s.c0, s.y_m, s.dx_m))
        a = float(ray_azimuth_deg(dr, dc, dx0, dy0))
        if d > reach or not _in_sector(a, az, full, step):
            return None
        flag = sight_line(z, s.y_m, s.dx_m, s.r0, s.c0, p.r, p.c, s.eye_z, s.curv, 0.0)[0]
        angle = math.degrees(math.atan2(p.ground_m - s.curv * d * d - s.eye_z, d))
        return {"name": name, "kind": kind, "azimuth_deg": a, "distance_m": d, "elevation_angle_deg": angle,
                "ground_m": p.ground_m, "lat": p.lat, "lon": p.lon, "visible": int(int(flag) == VISIBLE),
                "prominence_m": prominence}

    seen = set()
    for place in places_within(dem_bounds_latlon(window)):
        row = judge(place.name, place.kind or "place", (place.lat, place.lon))
        if row is not None and normalize_name(place.name) not in seen:
            seen.add(normalize_name(place.name))
            rows.append(row)
    summits = find_summits(window, min_prominence=min_prominence)
    summits.sort(key=lambda t: -t.prominence_m)
    n_summits = 0
    for t in summits:
        if n_summits >= MAX_SUMMITS:
            break
        if t.name and normalize_name(t.name) in seen:
            continue
        if t.row in (0, z.shape[0] - 1) or t.col in (0, z.shape[1] - 1):
            continue  # the DEM's edge, not a summit
        row = judge(t.name or f"{t.height_m:.0f} m", "summit", (t.lat, t.lon), t.prominence_m)
        if row is None or not row["visible"]:
            continue
        if t.name:
            seen.add(normalize_name(t.name))
        rows.append(row)
        n_summits += 1
    rows.sort(key=lambda r: r["azimuth_deg"])
    names = ("name", "kind", "azimuth_deg", "distance_m", "elevation_angle_deg", "ground_m", "lat", "lon",
             "visible", "prominence_m")
    units = {"azimuth_deg": "degree", "distance_m": "m", "elevation_angle_deg": "degree", "ground_m": "m",
             "lat": "degrees_north", "lon": "degrees_east", "prominence_m": "m"}
    data = {}
    for key in names:
        values = [r[key] for r in rows]
        if key in ("name", "kind"):
            arr = np.asarray(values, dtype=str) if values else np.empty(0, dtype=str)
        elif key == "visible":
            arr = np.asarray(values, dtype=np.uint8)
        else:
            arr = np.asarray(values, dtype=np.float64)
        attrs = {"units": units[key]} if key in units else {}
        if key == "visible":
            attrs = {"long_name": "seen from the observer's eye (exact sight line to the ground)",
                     "flag_values": "0 hidden, 1 visible"}
        data[f"landmark_{key}"] = ("landmark", arr, attrs)
    return xr.Dataset(data)


def horizon_rows(hz: xr.Dataset) -> list[dict]:
    """The horizon table: one dict per azimuth with the :data:`TABLE_COLUMNS` (NaN where no terrain)."""
    cols = {"azimuth_deg": hz.azimuth.values, "elevation_angle_deg": hz.elevation_angle_deg.values,
            "distance_m": hz.distance_m.values, "lat": hz.lat.values, "lon": hz.lon.values,
            "ground_m": hz.ground_m.values, "at_limit": hz.at_limit.values}
    digits = {"azimuth_deg": 4, "elevation_angle_deg": 4, "distance_m": 1, "lat": 6, "lon": 6, "ground_m": 1}
    out = []
    for i in range(hz.sizes["azimuth"]):
        row = {}
        for k in TABLE_COLUMNS:
            v = cols[k][i]
            row[k] = int(v) if k == "at_limit" else round(float(v), digits[k])
        out.append(row)
    return out


def landmark_rows(hz: xr.Dataset) -> list[dict]:
    """The landmarks of a horizon (empty without them): name, kind, bearing, distance, angle, visible."""
    if "landmark_name" not in hz:
        return []
    out = []
    for i in range(hz.sizes.get("landmark", 0)):
        out.append({
            "name": str(hz.landmark_name.values[i]), "kind": str(hz.landmark_kind.values[i]),
            "azimuth_deg": round(float(hz.landmark_azimuth_deg.values[i]), 2),
            "distance_m": round(float(hz.landmark_distance_m.values[i]), 1),
            "elevation_angle_deg": round(float(hz.landmark_elevation_angle_deg.values[i]), 3),
            "ground_m": round(float(hz.landmark_ground_m.values[i]), 1),
            "lat": round(float(hz.landmark_lat.values[i]), 6), "lon": round(float(hz.landmark_lon.values[i]), 6),
            "visible": bool(hz.landmark_visible.values[i]),
        })
    return out


def horizon_summary(hz: xr.Dataset) -> dict:
    """Headline figures of a horizon: its highest, lowest, nearest and farthest points, and how much of it
    lies at the DEM's edge or the radius. Angles in degrees, distances in metres."""
    angle = hz.elevation_angle_deg.values
    dist = hz.distance_m.values
    ok = np.isfinite(angle)
    out = {"azimuths": int(angle.size), "with_terrain": int(ok.sum()),
           "at_limit_percent": round(100.0 * float(hz.at_limit.values[ok].mean()), 1) if ok.any() else None}
    if ok.any():
        def point(i):
            return {"azimuth_deg": round(float(hz.azimuth.values[i]), 3),
                    "elevation_angle_deg": round(float(angle[i]), 3), "distance_m": round(float(dist[i]), 1),
                    "ground_m": round(float(hz.ground_m.values[i]), 1)}
        idx = np.flatnonzero(ok)
        out["highest"] = point(idx[np.argmax(angle[ok])])
        out["lowest"] = point(idx[np.argmin(angle[ok])])
        out["nearest"] = point(idx[np.argmin(dist[ok])])
        out["farthest"] = point(idx[np.argmax(dist[ok])])
        out["median_distance_m"] = round(float(np.median(dist[ok])), 1)
    return out


def towards(hz: xr.Dataset, azimuth_deg: float) -> dict:
    """The horizon at the computed azimuth nearest ``azimuth_deg`` (degrees clockwise from north); ``limit`` says
    whether it is the radius or the DEM's edge rather than a true horizon (None)."""
    a = hz.azimuth.values
    i = int(np.argmin(np.abs((a - float(azimuth_deg) + 180.0) % 360.0 - 180.0)))
    return {"azimuth_deg": float(a[i]), "elevation_angle_deg": float(hz.elevation_angle_deg.values[i]),
            "distance_m": float(hz.distance_m.values[i]), "ground_m": float(hz.ground_m.values[i]),
            "lat": float(hz.lat.values[i]), "lon": float(hz.lon.values[i]), "at_limit": bool(hz.at_limit.values[i]),
            "limit": _limit_of(hz, i)}


def _limit_of(hz: xr.Dataset, i: int) -> str | None:
    """What the horizon of azimuth ``i`` is when it is the last terrain on its ray: ``"radius"`` or
    ``"DEM edge"``; None when it is a true horizon."""
    if not hz.at_limit.values[i]:
        return None
    radius = hz.attrs.get("max_distance_m", float("nan"))
    ends_at_radius = math.isfinite(radius) and float(hz.reach_m.values[i]) > 0.98 * radius
    return "radius" if ends_at_radius else "DEM edge"


def horizon_to_dict(hz: xr.Dataset) -> dict:
    """A JSON-ready form: observer, parameters, summary, the table (one row per azimuth) and the landmarks."""
    a = hz.attrs
    return {
        "observer": {"name": a["observer_name"], "lat": round(a["observer_lat"], 6),
                     "lon": round(a["observer_lon"], 6), "ground_m": round(a["observer_ground_m"], 1),
                     "eye_m": round(a["observer_eye_m"], 1)},
        "parameters": {k: (None if isinstance(a[k], float) and not math.isfinite(a[k]) else a[k])
                       for k in ("observer_height_m", "absolute_heights", "max_distance_m", "azimuth_step_deg",
                                 "azimuth_start_deg", "azimuth_end_deg", "curvature", "refraction")},
        "source": a.get("source", ""), "synthetic": bool(a.get("synthetic", 0)),
        "summary": horizon_summary(hz),
        "landmarks": landmark_rows(hz),
        "horizon": horizon_rows(hz),
    }


def write_horizon_csv(hz: xr.Dataset, path, overwrite: bool = False):
    """Write the horizon table (:data:`TABLE_COLUMNS`, one row per azimuth) as CSV, atomically; return the path.

    Empty cells where an azimuth meets no terrain. A synthetic DEM's label is written on a first comment line
    (``# data: ...``).
    """
    from .atomic import atomic_path
    from .output_paths import check_output

    path = check_output(path, overwrite=overwrite, suffixes=CSV_SUFFIXES, what="horizon table")
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            if hz.attrs.get("synthetic"):
                f.write(f"# data: {hz.attrs.get('source', 'SYNTHETIC')}\n")
            w = csv.DictWriter(f, fieldnames=TABLE_COLUMNS)
            w.writeheader()
            for row in horizon_rows(hz):
                w.writerow({k: ("" if isinstance(v, float) and not math.isfinite(v) else v) for k, v in row.items()})
    return path
