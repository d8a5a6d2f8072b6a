"""``terrain los``: exact line of sight between two points."""

from __future__ import annotations

import click

from ..output_paths import FIGURE_SUFFIXES
from .options import (load_cli_dem, check_heights, curvature_options, height_options, json_option, obstacle_options,
                      print_json, refraction_value)
from .preflight import OutputFile, TerrainCommand


@click.command("los", cls=TerrainCommand)
@click.argument("dem", nargs=-1, required=True, metavar="DEM...")
@click.option("--from", "point_a", required=True, help="Observer: 'lat,lon', 'xy:X,Y' or a place name.")
@click.option("--to", "point_b", required=True, help="Target: 'lat,lon', 'xy:X,Y' or a place name.")
@height_options
@curvature_options
@click.option("--frequency-mhz", type=float, default=None,
              help="Radio frequency in MHz: also report the first Fresnel zone's clearance (and draw it).")
@obstacle_options
@click.option("--plot", "plot_path", type=OutputFile(FIGURE_SUFFIXES), help="Write the terrain profile as PNG.")
@json_option
def los_command(dem, point_a, point_b, observer_height, target_height, absolute_heights, curvature,
                refraction, curvature_coefficient, frequency_mhz, obstacles_path, targets_on_obstacles,
                observer_on_obstacle, plot_path, as_json):
    """Line of sight from one point to another: verdict, obstruction, clearance.

    Each point stands on its DEM cell (the cell's height is its ground), as in
    `terrain viewshed`, so the verdict is the exact viewshed's. The clearance
    leaves out the two end cells. With --frequency-mhz the first Fresnel zone
    is checked too: clear, >= 60 % clear or obstructed. With --obstacles the
    sight line runs over the buildings' and trees' tops.

    \b
    Example:
      terrain los dem_samples/N44W072.hgt --from "Mount Washington" --to "Mount Adams" --plot profile.png
      terrain los dem_samples/hama_standin.tif --from "Zayn al-Abidin" --to Hama --observer-height 10
      terrain los dem_samples/N44W072.hgt --from "Mount Adams" --to "Mount Jefferson" \\
          --observer-height 10 --target-height 10 --frequency-mhz 900 --refraction 0.25
      terrain los city.tif --from 35.1998,36.7712 --to Hama --obstacles buildings.tif --observer-on-obstacle
    """
    from ..fresnel import check_frequency_mhz
    from ..los import line_of_sight

    check_heights(observer_height, target_height, absolute_heights)
    if frequency_mhz is not None:
        frequency_mhz = check_frequency_mhz(frequency_mhz, "--frequency-mhz")
    data = load_cli_dem(dem)
    los = line_of_sight(data, point_a, point_b, observer_height=observer_height, target_height=target_height,
                        curvature=curvature, refraction=refraction_value(refraction, curvature_coefficient),
                        absolute_heights=absolute_heights, frequency_mhz=frequency_mhz, obstacles=obstacles_path,
                        targets_on_obstacles=targets_on_obstacles, observer_on_obstacle=observer_on_obstacle)
    if plot_path:
        from ..plot import plot_profile, save_figure
        from ..plot.style import source_note

        ax = plot_profile(los, source=source_note(data.attrs))
        save_figure(ax.figure, plot_path)
    if as_json:
        out = los.to_dict()
        out["source"] = data.attrs.get("source", "")
        if plot_path:
            out["plot"] = plot_path
        print_json(out)
    else:
        click.echo(los.summary())
        if data.attrs.get("synthetic"):
            click.echo(f"  data: {data.attrs.get('source')}")
        if plot_path:
            click.echo(f"  profile written to {plot_path}")
