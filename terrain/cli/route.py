"""``terrain route``: the covered approach, the least-exposed path from a start to an end past observers."""

from __future__ import annotations

import click

from ..methods import DEFAULT_METHOD, METHOD_CHOICES
from ..route_files import ROUTE_SUFFIXES
from .options import (check_heights, curvature_options, height_options, json_option, load_cli_dem, observer_points, observers_option,
                      plot_option, print_json, radius_option, radius_value, refraction_value, write_plot)
from .preflight import OutputFile, TerrainCommand

#: The API's default weight (terrain.route.DEFAULT_EXPOSURE_WEIGHT, kept out of the import so that --help loads
#: no heavy library; a test keeps the two equal).
EXPOSURE_WEIGHT_TEXT = "10"


@click.command("route", cls=TerrainCommand)
@click.argument("dem", nargs=-1, required=True, metavar="DEM...")
@click.option("--from", "start", required=True, help="Start: 'lat,lon', 'xy:X,Y' or a place name.")
@click.option("--to", "end", required=True, help="End: 'lat,lon', 'xy:X,Y' or a place name.")
@observers_option
@height_options
@radius_option()
@curvature_options
@click.option("--exposure-weight", type=click.FloatRange(min=0), default=None,
              help="Extra cost of a metre in sight of one observer, in hidden metres (0: the shortest path). "
                   f"Default: {EXPOSURE_WEIGHT_TEXT}.")
@click.option("--max-slope", type=click.FloatRange(min=0, max=90, min_open=True), default=None, metavar="DEG",
              help="Cells steeper than DEG degrees are impassable.")
@click.option("--avoid", "avoid_path", type=click.Path(exists=True, dir_okay=False), default=None, metavar="FILE",
              help="GeoJSON file of polygons (lat/lon) the route may not enter.")
@click.option("--search-margin", default=None,
              help="How far beyond the box around start and end the search goes, e.g. 5km. "
                   "Default: three quarters of the start-end distance, at least 2 km.")
@click.option("--method", type=click.Choice(METHOD_CHOICES), default=DEFAULT_METHOD, show_default=True,
              help="Horizon method of the observers' viewsheds.")
@click.option("--out", "out_path", type=OutputFile(ROUTE_SUFFIXES),
              help="Write the covered route and the shortest path: .geojson, .gpkg or .kml (lat/lon lines).")
@plot_option
@json_option
def route_command(dem, start, end, observers, observer_height, target_height, absolute_heights, radius, curvature,
                  refraction, curvature_coefficient, exposure_weight, max_slope, avoid_path, search_margin, method,
                  out_path, plot_path, as_json):
    """Covered approach: the least-exposed path from --from to --to in sight of --observers.

    A step costs its length times 1 + --exposure-weight x the number of observers that see
    the ground there (with their heights and --radius); the shortest path is found beside it
    for comparison. Prints both paths' length, the length in sight of the observers and the
    longest stretch in sight. --target-height is the height of the party on the move.

    \b
    Examples:
      terrain route dem_samples/hama_standin.tif --from Souran --to Hama \\
          --observers "Zayn al-Abidin,Jabal Kafra" --observer-height 10 --radius 15km \\
          --out approach.geojson --plot approach.png
      terrain route dem_samples/N44W072.hgt --from "44.30,-71.35" --to "Mount Washington" \\
          --observers "Mount Adams" --radius 10km --max-slope 25 --target-height 1.8 --out route.kml
    """
    from ..route import covered_route, route_bounds
    from ..route_files import write_route

    check_heights(observer_height, target_height, absolute_heights)
    points, heights = observer_points(observers, observer_height)
    max_d = radius_value(radius)
    margin = radius_value(search_margin, "--search-margin")
    bounds = route_bounds(start, end, points, max_d, margin)
    data = load_cli_dem(dem, bounds=bounds) if bounds is not None else load_cli_dem(dem)
    weight = {} if exposure_weight is None else {"exposure_weight": exposure_weight}
    result = covered_route(data, start, end, points, **weight, observer_height=heights,
                           max_distance=max_d, max_slope=max_slope, avoid=avoid_path, search_margin_m=margin,
                           method=method, target_height=target_height, curvature=curvature,
                           refraction=refraction_value(refraction, curvature_coefficient),
                           absolute_heights=absolute_heights)
    written = {}
    if out_path:
        written["route"] = str(write_route(result, out_path))
    if plot_path:
        from ..plot import plot_route

        written["plot"] = write_plot(lambda: plot_route(result, dem=data), plot_path)
    summary = result.summary()
    summary["written"] = written
    if as_json:
        print_json(summary)
        return
    click.echo(f"Covered approach from {result.start.label()} to {result.end.label()} "
               f"(exposure weight {result.attrs['exposure_weight']:g}{'' if max_slope is None else f', max slope {max_slope:g}°'})")
    names = [o["name"] or f"{o['lat']:.4f}, {o['lon']:.4f}" for o in result.observers]
    click.echo(f"  observers: {', '.join(names)}")
    for label, key in (("covered route", "route"), ("shortest path", "shortest")):
        s = summary[key]
        click.echo(f"  {label:<14} {s['length_km']:6.2f} km, in sight {s['exposed_km']:6.2f} km "
                   f"({s['exposed_percent']:.0f} %), longest stretch in sight {s['longest_exposed_km']:.2f} km")
    if result.attrs.get("synthetic"):
        click.echo(f"  data: {result.attrs.get('source')}")
    for kind, path in written.items():
        click.echo(f"  {kind:<14} {path}")
