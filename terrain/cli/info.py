"""``terrain info``: what a DEM holds."""

from __future__ import annotations

import click

from .options import DEM_BAND, json_option, print_json
from .preflight import TerrainCommand


@click.command("info", cls=TerrainCommand)
@click.argument("dem", nargs=-1, required=True, metavar="DEM...")
@json_option
def info_command(dem, as_json):
    """Describe a DEM: size, CRS, cell size in metres, elevation range and the highest point.

    Several tiles are described as one mosaic.

    \b
    Example:
      terrain info dem_samples/N44W072.hgt
      terrain info dem_samples/hama_standin.tif --json
    """
    from ..dem import read_dem
    from ..dem_info import describe_grid, format_description

    # describe_dem(load_dem(...)) without the DataArray: rioxarray would import Dask
    grid = read_dem(list(dem), band=DEM_BAND.get())
    info = describe_grid(grid)
    info["files"] = list(dem)
    if as_json:
        print_json(info)
    else:
        click.echo(format_description(info, ", ".join(dem)))
