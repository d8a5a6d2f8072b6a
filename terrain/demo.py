"""The Hama high-ground demonstration: what the hills north of the city see of it, and the full report.

Lines of sight from Zayn al-Abidin and Jabal Kafra to Hama, their viewsheds,
their combined coverage of the city and the dead ground hidden from both, the
key-terrain ranking of the summits around it, the best observation posts, the panorama
from Zayn al-Abidin looking south over the city and the covered approach to the city
from Souran out of sight of both hills, printed as a summary and
written as a report (:mod:`terrain.report`).
"""

from __future__ import annotations

from pathlib import Path

from .methods import DEFAULT_METHOD
from .samples import SYNTHETIC_LABEL

HILLS = ("Zayn al-Abidin", "Jabal Kafra")
CITY = "Hama"
RADIUS_M = 15_000.0
#: How far the panorama from the first hill looks, metres (to the stand-in's southern edge, 28 km).
PANORAMA_RADIUS_M = 40_000.0
#: Radius of the city area whose coverage is measured, metres.
CITY_RADIUS_M = 2_000.0
#: Observation posts chosen over the city, and their candidates (summits and a 2 km grid, within RADIUS_M).
SITING_K = 3
SITING_CANDIDATES = "summits+grid:2km"
#: The siting screens ~190 candidates: the fast sweep (on the stand-in it chooses what refined chooses).
SITING_METHOD = "fast"
#: Where the covered approach to the city starts (out of sight of the hills as far as it can).
APPROACH_FROM = "Souran"


def run_demo(out_dir: str | Path | None = "terrain-demo", observer_height: float = 2.0, echo=print,
             method: str = DEFAULT_METHOD, radius_m: float = RADIUS_M, progress=None) -> dict:
    """Run the Hama case, print a readable summary and write the report; return the numbers as a dict.

    Parameters
    ----------
    out_dir : path or None
        Folder for the report (report.html, report.md, report.json and the figures); None writes nothing.
    observer_height : float
        Eye height above each summit, metres.
    echo : callable
        Where the summary lines go.
    method : {"refined", "fast", "exact"}
        Viewshed method.
    radius_m : float
        Viewshed radius of each hill, metres.
    progress : callable, optional
        Called with a line of text as each step of the analysis starts.

    Returns
    -------
    dict
        ``source``, ``synthetic``, ``lines_of_sight``, ``viewsheds`` (as before), ``coverage``
        (of the city area, together), ``key_terrain`` (ranked rows), ``siting`` (the best posts over the
        city, :func:`terrain.multi.siting.site_observers`) ``panorama`` (the horizon from the first
        hill looking over the city, :func:`terrain.horizon`), ``route`` (the covered approach from
        Souran and the shortest path, km), ``buildings`` (what an invented, labelled urban layer hides of
        the city: bare ground, streets, rooftops seen, %) and ``report`` (file paths, or None).
    """
    from .report import analyse, build_report, report_data

    a = analyse(None, list(HILLS), CITY, radius_m=radius_m, target_radius_m=CITY_RADIUS_M,
                observer_height=observer_height, method=method, progress=progress, siting_k=SITING_K,
                siting_candidates=SITING_CANDIDATES, siting_method=SITING_METHOD,
                panorama_radius_m=max(PANORAMA_RADIUS_M, radius_m))
    dem = a.dem
    label = SYNTHETIC_LABEL if a.synthetic else a.source  # the tiles' own provenance (terrain.fetch.provenance)
    echo(f"Hama high ground — data: {label}")
    files = str(dem.attrs.get("files", "")).replace("; ", ", ")
    echo(f"  DEM: {files} ({dem.shape[0]} x {dem.shape[1]} cells read)")
    if a.synthetic:
        echo("  (run `terrain fetch --area hama` on a networked machine to use real SRTM tiles instead)")

    results = {"source": label, "synthetic": a.synthetic, "lines_of_sight": [], "viewsheds": []}
    for los in a.lines_of_sight:
        echo("")
        echo(los.summary())
        results["lines_of_sight"].append(los.to_dict())

    data = report_data(a)
    echo("")
    echo(f"Viewsheds ({observer_height:g} m eye, {radius_m / 1000:g} km radius):")
    for o in data["observers"]:
        echo(f"  {o['name']:<16} sees {o['visible_km2']:7.1f} km² of {o['analysed_km2']:.1f} km² "
             f"({o['visible_percent']:.1f} %), method {method}")
        results["viewsheds"].append({"observer": o["name"], "visible_km2": o["visible_km2"],
                                     "analysed_km2": o["analysed_km2"], "visible_percent": o["visible_percent"],
                                     "method": method})

    c = data["coverage"]
    echo("")
    echo(f"Combined coverage of {CITY} (within {CITY_RADIUS_M / 1000:g} km of the centre, "
         f"{c['target_area_km2']:.1f} km²):")
    for o in data["observers"]:
        echo(f"  {o['name']:<16} sees {o['target_seen_percent']:5.1f} % ({o['target_seen_km2']:.2f} km²)")
    echo(f"  {'together':<16} see  {c['seen_by_any_percent']:5.1f} % ({c['seen_by_any_km2']:.2f} km²); "
         f"both see {c['seen_by_all_percent']:.1f} %")
    echo(f"  dead ground to both: {c['dead_ground_km2']:.2f} km² ({c['dead_ground_percent']:.1f} % of {CITY})")
    results["coverage"] = c

    echo("")
    rows = a.key_terrain.rows if a.key_terrain is not None else []
    if rows:
        kp = data["parameters"]["key_terrain"]
        echo(f"Key terrain over {CITY} (summits with {kp['min_prominence_m']:g} m prominence within "
             f"{kp['search_radius_m'] / 1000:g} km, by the share of {CITY} they see):")
        for r in rows[:5]:
            mark = "  <- observer" if r.get("observer") else ""
            echo(f"  {r['rank']:>2}. {r['name']:<34} {r['visible_percent']:5.1f} %{mark}")
    else:
        echo(f"Key terrain over {CITY}: {a.key_terrain_note}")
    results["key_terrain"] = rows

    echo("")
    results["siting"] = data["siting"]
    st = data["siting"]
    if st:
        echo(f"Observation posts over {CITY} (best {st['k']} of {st['candidates']} candidates: "
             f"{SITING_CANDIDATES}, lazy greedy):")
        for r in st["posts"]:
            echo(f"  {r['order']}. {r['name']:<34} +{r['gain_percent']:5.1f} %  together {r['cumulative_percent']:5.1f} %")
        for r in st["named_candidates"]:
            chosen = f"post {r['chosen']}" if r["chosen"] else "not chosen"
            echo(f"  {r['name']}: alone {r['solo_percent']:.1f} %, rank {r['solo_rank']} of {st['candidates']}, {chosen}")
    else:
        echo(f"Observation posts over {CITY}: {data['siting_note']}")
    pano = data.get("panorama")
    results["panorama"] = pano
    if pano:
        tt = pano["towards_target"]
        echo("")
        echo(f"Panorama from {pano['observer']} looking south over {CITY} ({pano['from_deg']:.0f}° to "
             f"{pano['to_deg']:.0f}°, out to {pano['radius_m'] / 1000:g} km):")
        limit = f" ({tt['limit']}: the true horizon may be farther)" if tt["limit"] else ""
        echo(f"  towards {CITY} ({pano['towards_target_deg']:.0f}°) the skyline is {tt['distance_km']:.1f} km away"
             f"{limit} at {tt['elevation_angle_deg']:+.2f}°")
        h = pano["highest"]
        echo(f"  highest skyline {h['elevation_angle_deg']:+.2f}° at {h['azimuth_deg']:.1f}°, "
             f"{h['distance_m'] / 1000:.1f} km out")
        seen = [m for m in pano["landmarks"] if m["visible"]]
        named = [f"{m['name']} ({m['distance_m'] / 1000:.1f} km)" for m in seen if m["kind"] != "summit"
                 or not m["name"].endswith(" m")]
        unnamed = len(seen) - len(named)
        if seen:
            echo(f"  seen: {', '.join(named)}" + (f" and {unnamed} unnamed summits" if unnamed else ""))
    from .route import covered_route

    say = progress or (lambda msg: None)
    say(f"covered approach: {APPROACH_FROM} to {CITY}, out of sight of {' and '.join(HILLS)}")
    a.route = covered_route(_route_dem(dem, APPROACH_FROM, CITY, radius_m), APPROACH_FROM, CITY, list(HILLS),
                            observer_height=observer_height,
                            max_distance=radius_m, method=method)
    r, s = a.route.route, a.route.shortest
    echo("")
    echo(f"Covered approach from {APPROACH_FROM} to {CITY}, out of sight of {' and '.join(HILLS)} "
         f"(exposure weight {a.route.attrs['exposure_weight']:g}):")
    echo(f"  covered route {r.length_km:5.1f} km, in sight {r.exposed_km:5.2f} km, longest stretch in sight "
         f"{r.longest_exposed_km:.2f} km")
    echo(f"  shortest path {s.length_km:5.1f} km, in sight {s.exposed_km:5.2f} km, longest stretch in sight "
         f"{s.longest_exposed_km:.2f} km")
    results["route"] = {"from": APPROACH_FROM, "to": CITY, "route": r.summary(), "shortest": s.summary()}

    from .multi.obstacle_cover import obstacle_cover
    from .samples import HAMA_URBAN_HEIGHT_M, hama_urban_layer

    say(f"what buildings hide: {CITY} with an invented urban layer")
    a.buildings = obstacle_cover(dem, list(HILLS), CITY, CITY_RADIUS_M, hama_urban_layer(dem, CITY, CITY_RADIUS_M),
                                 method=method, max_distance=radius_m, observer_height=observer_height)
    echo("")
    echo(f"What buildings hide of {CITY} (an invented urban layer: {HAMA_URBAN_HEIGHT_M:g} m blocks, "
         "labelled SYNTHETIC):")
    echo(f"  {'':<16} {'bare ground':>12} {'streets':>9} {'rooftops':>9}")
    for row in a.buildings.rows:
        echo(f"  {row['name']:<16} {row['bare_percent']:10.1f} % {row['street_percent']:7.1f} % "
             f"{row['roof_percent']:7.1f} %")
    results["buildings"] = a.buildings.to_dict()

    results["report"] = None
    if out_dir is not None:
        paths = build_report(a, out_dir, progress=progress)
        results["report"] = {k: (str(v) if not isinstance(v, (list, dict)) else v)
                             for k, v in paths.items() if k != "data"}
        results["report"]["figures"] = [str(p) for p in paths["figures"]]
        figs = {Path(p).name: str(p) for p in paths["figures"]}
        for entry, o in zip(results["lines_of_sight"], a.observers):
            entry["plot"] = figs.get(f"profile_{_slug(o.label())}.png")
        for entry, o in zip(results["viewsheds"], a.observers):
            entry["plot"] = figs.get(f"viewshed_{_slug(o.label())}.png")
        echo("")
        echo(f"Report: {paths['html']}")
        echo(f"  (also {paths['markdown'].name} with its figures, and {paths['json'].name}, in {Path(out_dir)})")
    return results


def _route_dem(dem, start, end, radius_m: float):
    """The DEM for the covered approach: the analysis's own when it holds the route's whole area (search box
    and the hills' radius), else the same files read over that area."""
    from .coords import dem_bounds_latlon
    from .dem import load_dem
    from .route import route_bounds

    need = route_bounds(start, end, list(HILLS), radius_m)
    west, south, east, north = dem_bounds_latlon(dem)
    files = [f for f in str(dem.attrs.get("files", "")).split("; ") if f]
    if need is None or not files or (west <= need[0] and south <= need[1] and east >= need[2] and north >= need[3]):
        return dem
    return load_dem(files, bounds=need)


def _slug(name: str) -> str:
    from .report.figures import slug

    return slug(name)
