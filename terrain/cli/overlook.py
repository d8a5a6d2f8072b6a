"""``terrain overlook``: how much of a target area each candidate observer sees."""

from __future__ import annotations

import click

from ..methods import DEFAULT_METHOD, METHOD_CHOICES
from .cumulative import dask_options, point_label, use_dask
from .options import (load_cli_dem, check_heights, curvature_options, echo_surfaces, height_options, json_option,
                      obstacle_options, observer_points,
                      plot_option,
                      print_json, progress_enabled, radius_option, radius_value, refraction_value, target_option,
                      target_radius_option, warn, write_plot)
from .preflight import TerrainCommand

#: Without --radius, each candidate's viewshed reaches just past the target area (the API's default).
REACH_TEXT = "just far enough to take in the whole target area from each candidate"


def show_ranking(table, title: str, plot_path, as_json: bool) -> None:
    """Write the ranking's chart if asked, then print the ranking as JSON or text."""
    plot = None
    if plot_path:
        from ..plot import plot_overlook

        plot = write_plot(lambda: plot_overlook(table), plot_path)
    if as_json:
        print_json({**table.to_dict(), "plot": plot})
        return
    print_ranking(table, title)
    if plot:
        click.echo(f"  plot: {plot}")


def print_ranking(table, title: str) -> None:
    a = table.attrs
    click.echo(f"{title} {a['target']} ({a['target_area_km2']:.2f} km², method {a['method']})")
    for r in table.rows:
        extra = f", prominence {r['prominence_m']:.0f} m" if "prominence_m" in r else ""
        click.echo(f"  {r['rank']:>2}. {point_label(r)}: {r['visible_km2']:.2f} km² ({r['visible_percent']:.1f} %) "
                   f"from {r['distance_km']:.1f} km, eye {r['eye_m']:.0f} m{extra}")
    echo_surfaces(a)
    if "SYNTHETIC" in str(a.get("source", "")):
        click.echo(f"  data: {a['source']}")


@click.command("overlook", cls=TerrainCommand)
@click.argument("dem", nargs=-1, required=True, metavar="DEM...")
@target_option
@target_radius_option("1km")
@radius_option(when_missing=REACH_TEXT)
@click.option("--candidates",
              help="Observers separated by ';' (or ',' between place names), or a file of points (CSV with a header, "
                   "GeoJSON, GeoPackage, Shapefile; @FILE: one a line). Default: summits within --within.")
@click.option("--within", default="15km", show_default=True,
              help="Search radius for summits around the target when no --candidates are given.")
@click.option("--min-prominence", type=float, default=30.0, show_default=True,
              help="Metres of prominence a summit needs to be a candidate.")
@height_options(target_raster=True)
@curvature_options
@click.option("--method", type=click.Choice(METHOD_CHOICES), default=DEFAULT_METHOD, show_default=True)
@click.option("--top", type=click.IntRange(min=1), help="Show only the best N.")
@obstacle_options
@dask_options
@plot_option
@json_option
def overlook_command(dem, target, target_radius, radius, candidates, within, min_prominence, observer_height,
                     target_height, absolute_heights, curvature, refraction, curvature_coefficient, method, top,
                     obstacles_path, targets_on_obstacles, observer_on_obstacle, workers, scheduler, plot_path,
                     as_json):
    """Overlook: rank observers by how much of a target area they see.

    --target-radius is the target area's radius; --radius, as in every command, is the viewing distance
    (overlook's --radius used to be the target area's radius).

    \b
    Example:
      terrain overlook dem_samples/hama_standin.tif --target Hama --target-radius 3km \\
          --candidates "Zayn al-Abidin,Jabal Kafra,Souran" --observer-height 10
    """
    ctx = click.get_current_context()
    if radius is not None and ctx.get_parameter_source("target_radius") == click.core.ParameterSource.DEFAULT:
        warn(f"overlook --radius is now the viewing distance of every candidate, as in every other command, and "
             f"no longer the target area's radius: give that with --target-radius (default {target_radius}).")
    check_heights(observer_height, target_height, absolute_heights)
    points, heights = observer_points(candidates, observer_height) if candidates else (None, observer_height)
    data = load_cli_dem(dem)
    options = dict(target_radius=radius_value(target_radius, "--target-radius"), max_distance=radius_value(radius),
                   within=radius_value(within, "--within"), min_prominence=min_prominence,
                   observer_height=heights, target_height=target_height, curvature=curvature,
                   refraction=refraction_value(refraction, curvature_coefficient), method=method,
                   absolute_heights=absolute_heights, limit=top, progress=progress_enabled(as_json),
                   obstacles=obstacles_path, targets_on_obstacles=targets_on_obstacles,
                   observer_on_obstacle=observer_on_obstacle)
    if use_dask(workers, scheduler):
        from ..multi.distributed import overlook

        table = overlook(data, target, points, scheduler=scheduler, n_workers=workers, **options)
    else:
        from ..multi.overlook import overlook

        table = overlook(data, target, points, **options)
    show_ranking(table, "Overlook of", plot_path, as_json)
