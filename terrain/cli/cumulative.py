"""``terrain cumulative``: how many of a group of observers see each cell."""

from __future__ import annotations

from pathlib import Path

import click

from ..methods import DEFAULT_METHOD, METHOD_CHOICES
from ..output_paths import NETCDF_SUFFIXES, RASTER_SUFFIXES
from .options import (load_cli_dem, check_heights, cog_option, curvature_options, echo_surfaces, height_options,
                      json_option,
                      obstacle_options, plot_option, print_json, observer_points, observers_option, progress_enabled,
                      radius_option, radius_value, refraction_value, write_output, write_plot)
from .preflight import OutputFile, TerrainCommand


def dask_options(f):
    """``--workers`` and ``--scheduler``: run on a Dask cluster instead of in-process threads."""
    f = click.option("--scheduler", envvar="TERRAIN_SCHEDULER",
                     help="Address of a running Dask scheduler (tcp://host:8786); also $TERRAIN_SCHEDULER.")(f)
    f = click.option("--workers", type=click.IntRange(min=1),
                     help="Run on a local Dask cluster of N worker processes (default: threads in this process).")(f)
    return f


def point_label(row: dict) -> str:
    """A row's name, or its coordinates."""
    return row.get("name") or f"{row['lat']:.4f}, {row['lon']:.4f}"


def use_dask(workers, scheduler) -> bool:
    return bool(workers or scheduler)


@click.command("cumulative", cls=TerrainCommand)
@click.argument("dem", nargs=-1, required=True, metavar="DEM...")
@observers_option
@height_options(target_raster=True)
@radius_option()
@curvature_options
@click.option("--method", type=click.Choice(METHOD_CHOICES), default=DEFAULT_METHOD, show_default=True,
              help="Horizon method of every viewshed.")
@click.option("--out", "out_path", type=OutputFile(RASTER_SUFFIXES, styled=True),
              help="GeoTIFF of the count (uint16, with a QGIS style .qml beside it); .nc writes count, analysed "
                   "and seen_by (which observer sees each cell) as NetCDF. Cells no observer analysed are nodata "
                   "(65535), dead ground 0.")
@obstacle_options
@dask_options
@plot_option
@cog_option
@json_option
def cumulative_command(dem, observers, observer_height, target_height, absolute_heights, radius, curvature,
                       refraction, curvature_coefficient, method, out_path, obstacles_path, targets_on_obstacles,
                       observer_on_obstacle, workers, scheduler, plot_path, cog, as_json):
    """Cumulative viewshed: how many observers see each cell, and the group's dead ground.

    Prints the area seen by any, by all and by none (dead ground) of the observers.

    \b
    Example:
      terrain cumulative dem_samples/hama_standin.tif --observers "Zayn al-Abidin,Jabal Kafra" \\
          --observer-height 10 --radius 15km --out c.tif
      terrain cumulative city.tif --observers posts.csv --radius 3km --obstacles buildings.tif
      terrain cumulative dem.tif --observers posts.csv --radius 20km --target-height masts.tif
    """
    from ..multi.cumulative import coverage_summary
    check_heights(observer_height, target_height, absolute_heights)
    points, heights = observer_points(observers, observer_height)
    max_d = radius_value(radius)
    data = load_cli_dem(dem)
    options = dict(observer_height=heights, target_height=target_height, max_distance=max_d,
                   curvature=curvature, refraction=refraction_value(refraction, curvature_coefficient),
                   absolute_heights=absolute_heights, method=method, obstacles=obstacles_path,
                   targets_on_obstacles=targets_on_obstacles, observer_on_obstacle=observer_on_obstacle)
    if use_dask(workers, scheduler):
        from ..multi.distributed import cumulative_viewshed

        result = cumulative_viewshed(data, points, scheduler=scheduler, n_workers=workers,
                                     progress=progress_enabled(as_json), **options)
    else:
        from ..multi.cumulative import cumulative_viewshed

        result = cumulative_viewshed(data, points, progress=progress_enabled(as_json), **options)
    summary = coverage_summary(result)
    summary["observers"] = [{"name": str(n) or None, "lat": round(float(la), 6), "lon": round(float(lo), 6),
                             "visible_km2": round(float(v), 3)}
                            for n, la, lo, v in zip(result.observer_name.values, result.observer_lat.values,
                                                    result.observer_lon.values, result.visible_km2.values)]
    written = {}
    if out_path:
        if Path(out_path).suffix.lower() in NETCDF_SUFFIXES:
            written.update(write_output(result.drop_vars("observer_name"), out_path, kind="netcdf"))
        else:
            written.update(write_output(result, out_path, "count", cog=cog, kind="count"))
    summary["method"] = method
    summary["written"] = written
    if plot_path:
        from ..plot import plot_cumulative

        written["plot"] = write_plot(lambda: plot_cumulative(result, dem=data), plot_path)
    if as_json:
        print_json(summary)
        return
    click.echo(f"Cumulative viewshed of {len(points)} observers (method {method})")
    for o in summary["observers"]:
        click.echo(f"  {point_label(o)}: {o['visible_km2']:.2f} km² visible")
    click.echo(f"  seen by any   {summary['seen_by_any_km2']:.2f} km² of {summary['analysed_km2']:.2f} km² analysed "
               f"({summary['seen_by_any_percent']:.1f} %)")
    click.echo(f"  seen by all   {summary['seen_by_all_km2']:.2f} km²")
    click.echo(f"  dead ground   {summary['dead_ground_km2']:.2f} km²")
    echo_surfaces(result.attrs)
    if result.attrs.get("synthetic"):
        click.echo(f"  data          {result.attrs.get('source')}")
    for kind, path in written.items():
        click.echo(f"  {kind:<13} {path}")
