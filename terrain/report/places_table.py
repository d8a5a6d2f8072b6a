"""The table of named places: for each place and observer, distance, bearing, line of sight and the height needed.

The verdict and clearance come from the exact :func:`terrain.los.line_of_sight`
(observer's eye to the place's ``target_height``); the height a target needs to
be seen comes from the observer's viewshed (its ``min_visible_height`` at the
place's cell; None where the viewshed did not analyse it, e.g. beyond its radius).
"""

from __future__ import annotations

import math

import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr
from pyproj import Geod

from ..coords import GridPoint, dem_bounds_latlon, locate
from ..errors import InputError

_GEOD = Geod(ellps="WGS84")

#: A place this close to an observer (metres) is the observer's own position and gets no row for it.
SAME_PLACE_M = 300.0


def places_on(dem: xr.DataArray) -> list:
    """The gazetteer's places inside the DEM (:func:`terrain.places.places_within`); [] without a CRS."""
    from ..dem import dem_crs
    from ..places import places_within

    if dem_crs(dem) is None:
        return []
    return places_within(dem_bounds_latlon(dem))


def bearing_distance(a: GridPoint, lat: float, lon: float) -> tuple[float, float]:
    """Bearing (degrees clockwise from north, 0-360) and geodesic distance (metres) from ``a`` to a point."""
    az, _, dist = _GEOD.inv(a.lon, a.lat, lon, lat)
    return float(az) % 360.0, float(dist)


def _viewshed_cell(vs: xr.Dataset, p: GridPoint) -> tuple[int, float | None]:
    """The viewshed's ``visible`` flag and ``min_visible_height`` at a point (255, None when not analysed)."""
    t = vs.rio.transform(recalc=False)
    col, row = ~t * (p.x, p.y)
    r, c = int(math.floor(row)), int(math.floor(col))
    if not (0 <= r < vs.sizes["y"] and 0 <= c < vs.sizes["x"]):
        return 255, None
    flag = int(vs["visible"].values[r, c])
    mvh = float(vs["min_visible_height"].values[r, c])
    return flag, (mvh if flag != 255 and math.isfinite(mvh) else None)


def place_rows(dem: xr.DataArray, observers: list[GridPoint], viewsheds: list[xr.Dataset], places,
               observer_height: float = 2.0, target_height: float = 0.0, curvature: bool = True,
               refraction: float = 0.13) -> list[dict]:
    """One row per place: its name, kind and position, and what each observer makes of it.

    Returns
    -------
    list of dict
        ``name``, ``kind``, ``lat``, ``lon``, ``ground_m`` and ``observers``: one dict per
        observer (``observer``, ``distance_km``, ``bearing_deg``, ``visible`` from the line
        of sight, ``clearance_m`` -- the sight line's least height above the terrain,
        the two end cells left out, negative when blocked --, ``extra_height_m`` the target would need,
        ``min_visible_height_m`` from the viewshed, ``viewshed`` "visible", "hidden" or
        "not analysed"), or ``None`` for the observer standing on the place.
    """
    from ..los import line_of_sight

    rows = []
    for place in places:
        try:
            p = locate(dem, (place.lat, place.lon), role="place")
        except InputError:  # off the DEM or on a void: nothing to say about it
            continue
        entry = {"name": place.name, "kind": getattr(place, "kind", "") or "", "lat": round(place.lat, 5),
                 "lon": round(place.lon, 5), "ground_m": round(p.ground_m, 1), "observers": []}
        for obs, vs in zip(observers, viewsheds):
            bearing, dist = bearing_distance(obs, place.lat, place.lon)
            if dist <= SAME_PLACE_M:
                entry["observers"].append(None)
                entry["observer_here"] = obs.label()
                continue
            los = line_of_sight(dem, obs, p, observer_height=observer_height, target_height=target_height,
                                curvature=curvature, refraction=refraction)
            flag, mvh = _viewshed_cell(vs, p)
            clear = los.min_clearance_m
            entry["observers"].append({
                "observer": obs.label(),
                "distance_km": round(dist / 1000.0, 3),
                "bearing_deg": round(bearing, 1),
                "visible": bool(los.visible),
                "clearance_m": round(clear, 1) if math.isfinite(clear) else None,
                "extra_height_m": round(los.extra_target_height_m, 1),
                "min_visible_height_m": None if mvh is None else round(mvh, 1),
                "viewshed": {1: "visible", 0: "hidden"}.get(flag, "not analysed"),
            })
        rows.append(entry)
    return rows


def compass_point(bearing_deg: float) -> str:
    """The 16-point compass name of a bearing: 0 -> N, 22.5 -> NNE, ..."""
    names = ("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW")
    return names[int((bearing_deg % 360.0) / 22.5 + 0.5) % 16]
