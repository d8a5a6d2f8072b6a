"""``terrain intervis``: which of a set of points see each other."""

from __future__ import annotations

import click

from .options import (load_cli_dem, check_heights, curvature_options, height_options, json_option, obstacle_options,
                      observer_points, plot_option, print_json, refraction_value, write_plot)
from .preflight import TerrainCommand


@click.command("intervis", cls=TerrainCommand)
@click.argument("dem", nargs=-1, required=True, metavar="DEM...")
@click.option("--points", required=True,
              help="Points separated by ';': 'lat,lon', 'xy:X,Y' or place names; or a file of points (CSV with a "
                   "header, GeoJSON, GeoPackage, Shapefile; @FILE: one a line).")
@height_options(target_default_observer=True)
@curvature_options
@obstacle_options
@plot_option
@json_option
def intervis_command(dem, points, observer_height, target_height, absolute_heights, curvature, refraction,
                     curvature_coefficient, obstacles_path, targets_on_obstacles, observer_on_obstacle, plot_path,
                     as_json):
    """Intervisibility: exact line of sight between every pair of points.

    The target height defaults to the observer height (masts looking at each
    other), which makes the matrix symmetric; give --target-height to differ.
    With --absolute-heights the observer height is metres above sea level (and, by
    default, so is each point's top when it is looked at). With --obstacles the
    sight lines run over the buildings' and trees' tops; --observer-on-obstacle
    puts each point's eye on its roof, --targets-on-obstacles its top when seen.

    \b
    Example:
      terrain intervis dem_samples/hama_standin.tif --points "Zayn al-Abidin;Jabal Kafra;Hama;35.25,36.70" \\
          --observer-height 10
      terrain intervis city.tif --points posts.csv --obstacles buildings.tif --observer-on-obstacle \
          --targets-on-obstacles
    """
    from ..multi.intervisibility import intervisibility
    check_heights(observer_height, target_height, absolute_heights)
    names, heights = observer_points(points, observer_height)
    data = load_cli_dem(dem)
    table = intervisibility(data, names, observer_height=heights, target_height=target_height,
                            curvature=curvature,
                            refraction=refraction_value(refraction, curvature_coefficient),
                            absolute_heights=absolute_heights, obstacles=obstacles_path,
                            targets_on_obstacles=targets_on_obstacles, observer_on_obstacle=observer_on_obstacle)
    plot = None
    if plot_path:
        from ..plot import plot_intervisibility

        plot = write_plot(lambda: plot_intervisibility(table, data), plot_path)
    if as_json:
        print_json({**table.to_dict(), "plot": plot})
        return
    n = len(table.names)
    click.echo(f"Intervisibility of {n} points ('+' sees, '.' hidden; row = observer)")
    width = max(len(s) for s in table.names)
    for i, name in enumerate(table.names):
        marks = " ".join("+" if table.matrix[i, j] else "." for j in range(n))
        click.echo(f"  {i + 1:>2} {name:<{width}}  {marks}")
    symmetric = bool((table.matrix == table.matrix.T).all())
    for r in table.rows:
        if not symmetric or r["from_index"] < r["to_index"]:
            verdict = "visible" if r["visible"] else f"hidden (needs {r['extra_target_height_m']:.1f} m more)"
            click.echo(f"  {r['from']} -> {r['to']}: {r['distance_km']:.2f} km, {verdict}")
    if plot:
        click.echo(f"  plot: {plot}")
