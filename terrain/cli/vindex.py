"""``terrain vindex``: the visibility index (total viewshed) of a DEM."""

from __future__ import annotations

import click

from ..methods import DEFAULT_METHOD, METHOD_CHOICES
from ..output_paths import RASTER_SUFFIXES
from .cumulative import dask_options, use_dask
from .options import (load_cli_dem, check_heights, cog_option, curvature_options, echo_surfaces, height_options,
                      json_option,
                      obstacle_options, plot_option, print_json, progress_enabled, radius_option, radius_value,
                      refraction_value, write_output, write_plot)
from .preflight import OutputFile, TerrainCommand


@click.command("vindex", cls=TerrainCommand)
@click.argument("dem", nargs=-1, required=True, metavar="DEM...")
@radius_option(required=True)
@click.option("--stride", type=click.IntRange(min=1), default=1, show_default=True,
              help="Use every N-th row and column as an observer.")
@height_options(target_raster=True)
@curvature_options
@click.option("--method", type=click.Choice(METHOD_CHOICES), default=DEFAULT_METHOD, show_default=True)
@click.option("--out", "out_path", type=OutputFile(RASTER_SUFFIXES, styled=True),
              help="GeoTIFF of the index (km², float32, with a QGIS style .qml beside it); .nc writes NetCDF.")
@obstacle_options
@dask_options
@plot_option
@cog_option
@json_option
def vindex_command(dem, radius, stride, observer_height, target_height, absolute_heights, curvature, refraction,
                   curvature_coefficient, method, out_path, obstacles_path, targets_on_obstacles, observer_on_obstacle,
                   workers, scheduler, plot_path, cog, as_json):
    """Visibility index: the visible area (km²) within a radius from every cell.

    \b
    Example:
      terrain vindex dem_samples/hama_standin.tif --radius 10km --stride 4 --out vi.tif
      terrain vindex city.tif --radius 2km --stride 2 --obstacles buildings.tif --observer-on-obstacle
    """

    from ..dem import STREAM_ABOVE_BYTES, file_bytes_as_grid

    check_heights(observer_height, target_height, absolute_heights)
    options = dict(radius=radius_value(radius), stride=stride, observer_height=observer_height,
                   target_height=target_height, curvature=curvature,
                   refraction=refraction_value(refraction, curvature_coefficient), method=method,
                   absolute_heights=absolute_heights, progress=progress_enabled(as_json), obstacles=obstacles_path,
                   targets_on_obstacles=targets_on_obstacles, observer_on_obstacle=observer_on_obstacle)
    size = file_bytes_as_grid(dem[0]) if len(dem) == 1 else None
    if size is not None and size > STREAM_ABOVE_BYTES:
        # one large file (or VRT): band by band, each band with a halo of one radius, never the whole DEM
        from ..dem import stream_dem
        from ..multi.tiled import visibility_index_from_file
        from .options import DEM_BAND, say_band

        stream = stream_dem(dem[0], band=DEM_BAND.get())
        say_band(stream.band, stream.band_count)
        data = stream.grid_dataarray()
        opts = {k: v for k, v in options.items() if k not in ("radius", "stride", "progress")}
        if use_dask(workers, scheduler):
            from ..multi.distributed import dask_client

            with dask_client(scheduler, workers) as client:
                vi = visibility_index_from_file(dem[0], options["radius"], stride, opts, band=stream.band,
                                                progress=options["progress"], client=client)
        else:
            vi = visibility_index_from_file(dem[0], options["radius"], stride, opts, band=stream.band,
                                            progress=options["progress"])
        if not as_json:
            click.echo(f"Read band by band: {vi.attrs['bands']} bands of {vi.attrs['band_rows']} rows, each with "
                       "a halo of one radius (the DEM is larger than 512 MB as float32)", err=True)
        return _report(vi, data, options, stride, method, out_path, plot_path, cog, as_json, shade=False)
    data = load_cli_dem(dem)
    if use_dask(workers, scheduler):
        from ..multi.distributed import visibility_index

        vi = visibility_index(data, scheduler=scheduler, n_workers=workers, **options)
    else:
        from ..multi.vindex import visibility_index

        vi = visibility_index(data, **options)
    _report(vi, data, options, stride, method, out_path, plot_path, cog, as_json)


def _report(vi, data, options, stride, method, out_path, plot_path, cog, as_json, shade: bool = True) -> None:
    """Summary, files and figure of an index; ``data`` the DEM it ran on (only its grid when not ``shade``:
    the map then has no hillshade)."""
    import numpy as np

    v = vi.values
    finite = v[np.isfinite(v)]
    summary = {"cells": int(finite.size), "radius_m": options["radius"], "stride": stride, "method": method,
               "min_km2": round(float(finite.min()), 4) if finite.size else None,
               "mean_km2": round(float(finite.mean()), 4) if finite.size else None,
               "max_km2": round(float(finite.max()), 4) if finite.size else None, "written": {}}
    if finite.size:
        r, c = np.unravel_index(int(np.nanargmax(v)), v.shape)
        from ..coords import grid_to_latlon

        lat, lon = grid_to_latlon(data, r * stride, c * stride)
        summary["best"] = {"lat": round(float(lat), 6), "lon": round(float(lon), 6)}
    if out_path:
        summary["written"].update(write_output(vi, out_path, cog=cog, kind="index"))
    if plot_path:
        from ..plot import plot_visibility_index

        summary["written"]["plot"] = write_plot(lambda: plot_visibility_index(vi, dem=data if shade else None), plot_path)
    if as_json:
        print_json(summary)
        return
    click.echo(f"Visibility index of {summary['cells']} cells, radius {options['radius'] / 1000:g} km, "
               f"stride {stride}, method {method}")
    if finite.size:
        click.echo(f"  visible area  min {summary['min_km2']:.2f}, mean {summary['mean_km2']:.2f}, "
                   f"max {summary['max_km2']:.2f} km² (at {summary['best']['lat']:.4f}, {summary['best']['lon']:.4f})")
    echo_surfaces(vi.attrs)
    if data.attrs.get("synthetic"):
        click.echo(f"  data          {data.attrs.get('source')}")
    for kind, path in summary["written"].items():
        click.echo(f"  {kind:<13} {path}")
