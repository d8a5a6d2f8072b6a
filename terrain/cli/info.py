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
    from ..dem import STREAM_ABOVE_BYTES, file_bytes_as_grid, read_dem, stream_dem
    from ..dem_info import describe_grid, describe_stream, format_description

    size = file_bytes_as_grid(dem[0]) if len(dem) == 1 else None
    if size is not None and size > STREAM_ABOVE_BYTES:
        # too large to hold whole (a sparse GeoTIFF can be tiny on disk): the same numbers, block by block
        info = describe_stream(stream_dem(dem[0], band=DEM_BAND.get()))
    else:
        # describe_dem(load_dem(...)) without the DataArray: rioxarray would import Dask
        info = describe_grid(read_dem(list(dem), band=DEM_BAND.get()))
    info["files"] = list(dem)
    if as_json:
        print_json(info)
    else:
        click.echo(format_description(info, ", ".join(dem)))
