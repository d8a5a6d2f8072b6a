"""The report's content as one JSON-ready dict: what ``report.json`` holds and both templates read."""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path

from ..rounding import PERCENT_DIGITS
from .. import __version__
from .analysis import ReportAnalysis, dem_description
from .places_table import bearing_distance, compass_point


def _r(value, digits: int = 3):
    """Round a float for the report; None for NaN/inf (JSON has no NaN)."""
    if value is None:
        return None
    value = float(value)
    return round(value, digits) if math.isfinite(value) else None


def clean(obj):
    """``obj`` with numpy scalars turned into Python numbers and NaN/inf into None, recursively."""
    import numpy as np

    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.ndarray):
        return clean(obj.tolist())
    return obj


def report_data(a: ReportAnalysis, figures: dict | None = None) -> dict:
    """Everything the report says, JSON-ready (areas km^2, distances km or m as named, heights m).

    ``figures``: figure key -> file name, recorded under ``figures``.
    """
    from ..viewshed import viewshed_summary

    target = a.target
    observers = []
    for p, vs, los, seen in zip(a.observers, a.viewsheds, a.lines_of_sight, a.target_seen):
        s = viewshed_summary(vs)
        bearing, dist = bearing_distance(p, target.lat, target.lon)
        ld = los.to_dict()
        observers.append({
            "name": p.label(), "lat": _r(p.lat, 6), "lon": _r(p.lon, 6), "ground_m": _r(p.ground_m, 1),
            "eye_m": _r(s["observer"]["eye_m"], 1),
            "visible_km2": s["visible_km2"], "analysed_km2": s["analysed_km2"],
            "visible_percent": s["visible_percent"],
            "target_seen_km2": _r(seen["seen_km2"]), "target_seen_percent": _r(seen["seen_percent"], PERCENT_DIGITS),
            "target_analysed_percent": _r(seen["analysed_percent"], PERCENT_DIGITS),
            "distance_to_target_km": _r(dist / 1000.0), "bearing_to_target_deg": _r(bearing, 1),
            "bearing_to_target_compass": compass_point(bearing),
            "line_of_sight_to_target": {k: ld[k] for k in ("visible", "distance_m", "min_clearance_m",
                                                           "extra_target_height_m", "obstruction")},
        })
    c = a.combined
    combined = {
        "target_area_km2": _r(c["target_area_km2"]),
        "seen_by_any_km2": _r(c["seen_by_any_km2"]), "seen_by_any_percent": _r(c["seen_by_any_percent"], PERCENT_DIGITS),
        "seen_by_all_km2": _r(c["seen_by_all_km2"]), "seen_by_all_percent": _r(c["seen_by_all_percent"], PERCENT_DIGITS),
        "dead_ground_km2": _r(c["dead_ground_km2"]), "dead_ground_percent": _r(c["dead_ground_percent"], PERCENT_DIGITS),
        "not_analysed_km2": _r(c["not_analysed_km2"]),
        "whole_area": c["whole_area"],
    }
    key = None
    if a.key_terrain is not None:
        key = {"note": a.key_terrain_note, **a.key_terrain.to_dict()}
    # file names only: a report is shared, and the user's folders are nobody else's business
    files = [Path(f).name for f in str(a.dem.attrs.get("files", "")).split("; ") if f]
    data = {
        "title": f"High ground over {target.label()}",
        "terrain_version": __version__,
        "generated_utc": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "parameters": a.parameters,
        "target": {"name": target.label(), "lat": _r(target.lat, 6), "lon": _r(target.lon, 6),
                   "ground_m": _r(target.ground_m, 1), "radius_m": a.parameters["target_radius_m"],
                   "area_km2": _r(a.target_area_km2)},
        "observers": observers,
        "coverage": combined,
        "dead_ground_to_all_km2": combined["dead_ground_km2"],
        "places": a.places,
        "key_terrain": key,
        "key_terrain_note": a.key_terrain_note,
        "siting": a.siting.to_dict() if a.siting is not None else None,
        "siting_note": a.siting_note,
        "data": {"source": a.source, "synthetic": a.synthetic, "label": a.source_label, "files": files,
                 "grid": dem_description(a.dem)},
        "route": route_data(a.route),
        "position_caveats": _position_caveats(a),
        "buildings": a.buildings.to_dict() if a.buildings is not None else None,
        "timings_s": a.timings_s,
        "figures": dict(figures or {}),
        "panorama": _panorama(a),
    }
    return clean(data)


def _panorama(a: ReportAnalysis) -> dict | None:
    """The panorama's headline figures: the horizon towards the target, its highest point, the landmarks."""
    hz = a.panorama
    if hz is None:
        return None
    from ..horizon import horizon_summary, landmark_rows, towards

    at = towards(hz, hz.attrs["towards_deg"])
    s = horizon_summary(hz)
    return {"observer": hz.attrs["observer_name"] or a.observers[0].label(),
            "from_deg": hz.attrs["azimuth_start_deg"], "to_deg": hz.attrs["azimuth_end_deg"],
            "radius_m": hz.attrs["max_distance_m"], "towards_target_deg": _r(hz.attrs["towards_deg"], 1),
            "towards_target": {"elevation_angle_deg": _r(at["elevation_angle_deg"]),
                               "distance_km": _r(at["distance_m"] / 1000.0, 2), "at_limit": at["at_limit"],
                               "limit": {"radius": "the radius", "DEM edge": "the DEM's edge"}.get(at["limit"])},
            "highest": s.get("highest"), "at_limit_percent": s.get("at_limit_percent"),
            "landmarks": landmark_rows(hz)}
def route_data(route) -> dict | None:
    """The covered approach's figures for the report (km, %), or None when the report has none."""
    if route is None:
        return None
    s = route.summary()
    return {"start": s["start"]["name"], "end": s["end"]["name"],
            "observers": [o["name"] or f"{o['lat']}, {o['lon']}" for o in s["observers"]],
            "exposure_weight": s["exposure_weight"], "max_slope_deg": s["max_slope_deg"],
            "route": s["route"], "shortest": s["shortest"]}


def _position_caveats(a: ReportAnalysis) -> list[str]:
    """The unverified positions among the report's observers, key terrain and places (:mod:`terrain.places`)."""
    from ..places import position_caveats

    names = [o.label() for o in a.observers] + [p["name"] for p in a.places]
    if a.key_terrain is not None:
        names += [r["name"] for r in a.key_terrain.rows]
    return position_caveats(names)
