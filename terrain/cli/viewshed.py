"""``terrain viewshed``: what one observer sees."""

from __future__ import annotations

import math
from pathlib import Path

import click

from ..methods import DEFAULT_METHOD, METHOD_CHOICES
from ..errors import InputError
from ..output_paths import (FIGURE_SUFFIXES, GEOJSON_SUFFIXES, GEOTIFF_SUFFIXES, NETCDF_SUFFIXES, POLYGON_SUFFIXES,
                            RASTER_SUFFIXES)
from ..units import parse_distance_m, parse_pair
from .options import (load_cli_dem, check_heights, cog_option, curvature_options, height_options, json_option,
                      obstacle_options, print_json, radius_option, radius_value, refraction_value, write_output)
from .preflight import OutputFile, TerrainCommand


@click.command("viewshed", cls=TerrainCommand)
@click.argument("dem", nargs=-1, required=True, metavar="DEM...")
@click.option("--observer", required=True, help="Observer: 'lat,lon', 'xy:X,Y' or a place name.")
@height_options(target_raster=True)
@radius_option()
@click.option("--min-distance", default="0", show_default=True, help="Inner radius, e.g. 500m.")
@click.option("--azimuth", help="Sector START,END in degrees clockwise from north, e.g. 120,240.")
@click.option("--pitch", help="Vertical field of view LOW,HIGH in degrees above horizontal, e.g. -10,30.")
@curvature_options
@click.option("--method", type=click.Choice(METHOD_CHOICES), default=DEFAULT_METHOD, show_default=True,
              help="exact: R3 walk of every sight line; fast: O(n) sweep; refined: fast + exact re-walk of doubtful cells.")
@click.option("--out", "out_path", type=OutputFile(RASTER_SUFFIXES + POLYGON_SUFFIXES, styled=True),
              help="The format follows the extension: .tif GeoTIFF of `visible` (1 visible, 0 hidden, 255 not "
                   "analysed; a QGIS style .qml beside it); .nc NetCDF of every variable; .geojson, .gpkg, .kml, "
                   ".kmz polygons of the visible area.")
@click.option("--mvh-out", type=OutputFile(GEOTIFF_SUFFIXES, styled=True),
              help="GeoTIFF of min_visible_height (metres a target needs to be seen), with its .qml.")
@click.option("--geojson", "geojson_path", type=OutputFile(GEOJSON_SUFFIXES),
              help="GeoJSON polygons of the visible area in lat/lon.")
@click.option("--plot", "plot_path", type=OutputFile(FIGURE_SUFFIXES), help="PNG map of the viewshed.")
@click.option("--outputs", "outputs_text", metavar="NAMES",
              help="Outputs to compute, comma-separated: visible, min_visible_height, elevation_angle. "
                   "Default: what --out, --mvh-out, --geojson and --plot need (visible alone without them).")
@obstacle_options
@cog_option
@json_option
def viewshed_command(dem, observer, observer_height, target_height, absolute_heights, radius, min_distance,
                     azimuth, pitch, curvature, refraction, curvature_coefficient, method, out_path, mvh_out,
                     geojson_path, plot_path, outputs_text, obstacles_path, targets_on_obstacles,
                     observer_on_obstacle, cog, as_json):
    """Viewshed of one observer: the visible area and the dead ground.

    Prints the visible area (km², % of the analysed area) and where the results went.

    \b
    Example:
      terrain viewshed dem_samples/hama_standin.tif --observer "Zayn al-Abidin" \\
          --observer-height 10 --radius 20km --out vs.tif --geojson vs.geojson --plot vs.png
      terrain viewshed dem_samples/N44W072.hgt --observer "Mount Washington" --radius 20km --out vs.kmz
      terrain viewshed dem_samples/N44W072.hgt --observer "Mount Washington" --azimuth 120,240 --pitch -10,30
      terrain viewshed dem_samples/N44W072.hgt --observer "Mount Washington" --method fast --outputs visible --out v.tif
      terrain viewshed city.tif --observer 35.20,36.77 --radius 5km --obstacles buildings.tif --targets-on-obstacles
      terrain viewshed dem.tif --observer "Mount Washington" --radius 30km --target-height masts.tif
    """
    from ..export import write_geojson
    from ..viewshed import OUTPUTS, check_outputs, viewshed, viewshed_summary

    netcdf = bool(out_path) and Path(out_path).suffix.lower() in NETCDF_SUFFIXES
    needed = {"visible"}
    if netcdf:
        needed |= set(OUTPUTS)
    if mvh_out or plot_path:   # the map shades dead ground by the height a target needs
        needed.add("min_visible_height")
    if outputs_text is None:
        outputs = check_outputs(needed)
    else:
        outputs = check_outputs([t.strip() for t in outputs_text.split(",") if t.strip()])
        missing = [n for n in OUTPUTS if n in needed and n not in outputs]
        if missing:
            raise InputError(f"--outputs {outputs_text} leaves out {', '.join(missing)}, which the summary and the "
                             f"files asked for need; add it to --outputs or leave --outputs out")
    check_heights(observer_height, target_height, absolute_heights)
    max_d = radius_value(radius)
    min_d = parse_distance_m(min_distance, "--min-distance", positive=False)
    az = parse_pair(azimuth, "--azimuth sector") if azimuth else None
    pt = parse_pair(pitch, "--pitch limits") if pitch else None
    from ..coords import parse_point

    point = parse_point(observer)
    around = None
    if max_d is not None and not isinstance(point, tuple):
        around = (point.lat, point.lon, max_d * 1.02)
    elif max_d is not None:
        # an xy: observer is in the DEM's CRS: place it from the file's header, so only the window is read
        from ..coords import WGS84, transformer
        from ..dem import files_crs

        crs = files_crs(dem)
        if crs is not None:
            lon, lat = transformer(crs, WGS84).transform(point[1], point[2])
            if math.isfinite(lat) and math.isfinite(lon):
                around = (float(lat), float(lon), max_d * 1.02)
    data = load_cli_dem(dem, around=around) if around else load_cli_dem(dem)
    result = viewshed(data, observer, observer_height=observer_height, target_height=target_height,
                      max_distance=max_d, min_distance=min_d, azimuth=az, pitch=pt, curvature=curvature,
                      refraction=refraction_value(refraction, curvature_coefficient), method=method,
                      absolute_heights=absolute_heights, outputs=outputs,
                      obstacles=obstacles_path, targets_on_obstacles=targets_on_obstacles,
                      observer_on_obstacle=observer_on_obstacle)
    written = {}
    if out_path:
        suffix = Path(out_path).suffix.lower()
        kind = "netcdf" if netcdf else "visible" if suffix in GEOTIFF_SUFFIXES else "polygons"
        written.update(write_output(result, out_path, "visible", cog=cog, kind=kind))
    if mvh_out:
        written.update(write_output(result, mvh_out, "min_visible_height", cog=cog, kind="min_visible_height"))
    if geojson_path:
        written["geojson"] = str(write_geojson(result, geojson_path))
    if plot_path:
        from ..plot import plot_viewshed, save_figure

        ax = plot_viewshed(result, dem=data)
        written["plot"] = str(save_figure(ax.figure, plot_path))
    summary = viewshed_summary(result)
    summary["written"] = written
    if as_json:
        print_json(summary)
        return
    o = summary["observer"]
    name = o["name"] or f"{o['lat']:.4f}, {o['lon']:.4f}"
    click.echo(f"Viewshed from {name} (eye {o['eye_m']:.1f} m a.s.l., ground {o['ground_m']:.1f} m), "
               f"method {summary['method']}")
    click.echo(f"  visible   {summary['visible_km2']:.2f} km² of {summary['analysed_km2']:.2f} km² analysed "
               f"({summary['visible_percent']:.1f} %)")
    if summary["target_height_grid"]:
        click.echo(f"  targets   a height per cell from {target_height} (a cell is visible when its own target is)")
    if summary["obstacles"]:
        on = "the roofs" if summary["targets_on_obstacles"] else "the ground"
        click.echo(f"  obstacles {obstacles_path}: sight lines over their tops, targets on {on}"
                   + (", the observer on its roof" if summary["observer_on_obstacle"] else ""))
    if result.attrs.get("synthetic"):
        click.echo(f"  data      {result.attrs.get('source')}")
    for kind, path in written.items():
        click.echo(f"  {kind:<{max(9, *map(len, written))}} {path}")
