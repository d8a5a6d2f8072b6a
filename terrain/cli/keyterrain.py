"""``terrain keyterrain``: the high ground that matters for a target."""

from __future__ import annotations

import click

from ..methods import DEFAULT_METHOD, METHOD_CHOICES
from .cumulative import dask_options, use_dask
from .options import (load_cli_dem, check_heights, curvature_options, height_options, json_option, obstacle_options,
                      plot_option, progress_enabled,
                      radius_option, radius_value, refraction_value, target_option, target_radius_option)
from .overlook import REACH_TEXT, show_ranking
from .preflight import TerrainCommand


@click.command("keyterrain", cls=TerrainCommand)
@click.argument("dem", nargs=-1, required=True, metavar="DEM...")
@target_option
@click.option("--within", default="15km", show_default=True,
              help="Search radius for summits around the target (the default of terrain demo and report).")
@target_radius_option("2km")
@radius_option(when_missing=REACH_TEXT.replace("candidate", "summit"))
@click.option("--min-prominence", type=float, default=30.0, show_default=True,
              help="Metres of prominence a summit needs to count (the default of terrain demo and report).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="How many summits to list.")
@height_options(target_raster=True)
@curvature_options
@click.option("--method", type=click.Choice(METHOD_CHOICES), default=DEFAULT_METHOD, show_default=True)
@obstacle_options
@dask_options
@plot_option
@json_option
def keyterrain_command(dem, target, within, target_radius, radius, min_prominence, top, observer_height,
                       target_height, absolute_heights, curvature, refraction, curvature_coefficient, method,
                       obstacles_path, targets_on_obstacles, observer_on_obstacle, workers, scheduler, plot_path,
                       as_json):
    """Key terrain: the summits around a target, ranked by how much of it they overlook.

    Prominence is measured on the search circle widened to twice its radius (at
    least 10 km more), read from the DEM files, so it does not change with what
    else is loaded. The defaults (--within 15km, --min-prominence 30,
    --target-radius 2km) are those of terrain demo and terrain report.

    \b
    Example:
      terrain keyterrain dem_samples/hama_standin.tif --target Hama --within 20km --observer-height 10
    """

    check_heights(observer_height, target_height, absolute_heights)
    data = load_cli_dem(dem)
    options = dict(target_radius=radius_value(target_radius, "--target-radius"), max_distance=radius_value(radius),
                   within=radius_value(within, "--within"), min_prominence=min_prominence,
                   observer_height=observer_height, target_height=target_height, curvature=curvature,
                   refraction=refraction_value(refraction, curvature_coefficient), method=method,
                   absolute_heights=absolute_heights, progress=progress_enabled(as_json),
                   obstacles=obstacles_path, targets_on_obstacles=targets_on_obstacles,
                   observer_on_obstacle=observer_on_obstacle)
    options["top"] = top
    if use_dask(workers, scheduler):
        from ..multi.distributed import key_terrain

        table = key_terrain(data, target, scheduler=scheduler, n_workers=workers, **options)
    else:
        from ..multi.overlook import key_terrain

        table = key_terrain(data, target, **options)
    show_ranking(table, "Key terrain for", plot_path, as_json)
