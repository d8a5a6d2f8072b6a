"""``terrain report``: a high-ground report (HTML, Markdown, JSON) of what observers see of a target area."""

from __future__ import annotations

import click

from ..methods import DEFAULT_METHOD, METHOD_CHOICES
from ..output_paths import REPORT_SUFFIXES
from .cumulative import dask_options, use_dask
from .options import DEM_BAND, json_option, print_json, radius_option, radius_value, target_radius_option, warn
from .preflight import OutputFolder, TerrainCommand


@click.command("report", cls=TerrainCommand)
@click.argument("dem", nargs=-1, metavar="[DEM]...")
@click.option("--dem", "dem_option", multiple=True, metavar="DEM",
              help="Deprecated: give the DEM as the first argument, as in every command.")
@click.option("--observers", required=True,
              help="Observers: place names separated by commas, e.g. \"Zayn al-Abidin,Jabal Kafra\", or "
                   "points separated by semicolons, e.g. \"35.203,36.766;35.205,36.805\"; or a file of points "
                   "(CSV with a header, GeoJSON, GeoPackage, Shapefile; @FILE: one a line).")
@click.option("--target", required=True, help="Target centre: a place name or 'lat,lon', e.g. Hama.")
@radius_option(default="15km")
@target_radius_option("2km")
@click.option("--observer-height", type=float, default=2.0, show_default=True,
              help="Observer eye height above the ground, metres.")
@click.option("--target-height", type=float, default=0.0, show_default=True,
              help="Target height above the ground, metres.")
@click.option("--method", type=click.Choice(METHOD_CHOICES), default=DEFAULT_METHOD, show_default=True,
              help="Viewshed method (refined: fast sweep + exact re-walk of doubtful cells).")
@click.option("--min-prominence", type=float, default=30.0, show_default=True,
              help="Key terrain: summits at least this prominent (metres) are ranked.")
@click.option("--no-key-terrain", is_flag=True, help="Skip the key-terrain ranking.")
@click.option("--out", "out_dir", default="report", show_default=True, type=OutputFolder(REPORT_SUFFIXES),
              help="Folder for report.html, report.md, report.json and the figures.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines on stderr.")
@dask_options
@json_option
def report_command(dem, dem_option, observers, target, radius, target_radius, observer_height, target_height, method,
                   min_prominence, no_key_terrain, out_dir, quiet, workers, scheduler, as_json):
    """Write a high-ground report: what each observer sees of a target area, together, and the dead ground.

    DEM is one or more elevation files (tiles of a mosaic); without one, the Hama sample data is used when
    every point lies in the Hama area. The report folder gets report.html (self-contained: open it in any
    browser, print it, mail it), report.md with its PNG figures, and report.json with every number.
    Progress goes to stderr.

    \b
    Example:
      terrain report --observers "Zayn al-Abidin,Jabal Kafra" --target Hama --radius 15km --out reports/hama/
      terrain report dem_samples/N44W072.hgt --observers "Mount Washington,Mount Adams" \\
          --target "Mount Jefferson" --radius 10km --observer-height 10 --out reports/presidentials
    """
    from ..errors import InputError
    from ..report import analyse, build_report

    if observer_height < 0:
        raise InputError(f"--observer-height {observer_height} is negative; give metres above the ground (0 or more)")
    if target_height < 0:
        raise InputError(f"--target-height {target_height} is negative; give metres above the ground (0 or more)")
    if min_prominence < 0:
        raise InputError(f"--min-prominence {min_prominence} is negative; give metres (0 or more)")
    radius_m = radius_value(radius)
    target_radius_m = radius_value(target_radius, "--target-radius")
    if dem_option:
        warn("report --dem is deprecated: give the DEM as the first argument, as in every command "
             f"(terrain report {' '.join(dem_option)} --observers ...).")
    dem_paths = list(dem) + list(dem_option)

    def say(message: str) -> None:
        if not quiet:
            click.echo(f"  {message}", err=True)

    analysis = analyse(dem_paths or None, observers, target, radius_m=radius_m,
                       target_radius_m=target_radius_m, observer_height=observer_height,
                       target_height=target_height, method=method, key_terrain=not no_key_terrain,
                       min_prominence_m=min_prominence, progress=say, band=DEM_BAND.get(),
                       **(dict(backend="dask", scheduler=scheduler, n_workers=workers)
                          if use_dask(workers, scheduler) else {}))
    paths = build_report(analysis, out_dir, progress=say)
    if as_json:
        print_json(paths["data"])
        return
    data = paths["data"]
    c = data["coverage"]
    if analysis.synthetic:
        click.echo("Data: SYNTHETIC stand-in — not SRTM")
    for o in data["observers"]:
        click.echo(f"{o['name']:<20} sees {o['target_seen_percent']:5.1f} % of the target area")
    click.echo(f"{'together':<20} see  {c['seen_by_any_percent']:5.1f} %; dead ground to all "
               f"{c['dead_ground_km2']:.2f} km² ({c['dead_ground_percent']:.1f} %)")
    click.echo(f"Report: {paths['html']}  (also {paths['markdown'].name}, {paths['json'].name})")
