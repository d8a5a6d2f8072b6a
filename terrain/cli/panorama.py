"""``terrain panorama``: the 360° horizon around an observer, as a table and a picture."""

from __future__ import annotations

import click

from ..horizon import CSV_SUFFIXES, DEFAULT_STEP_DEG
from ..output_paths import FIGURE_SUFFIXES
from .options import (absolute_heights_option, curvature_options, json_option, load_cli_dem, observer_height_option,
                      print_json, radius_option, radius_value, refraction_value)
from .preflight import OutputFile, TerrainCommand


@click.command("panorama", cls=TerrainCommand)
@click.argument("dem", nargs=-1, required=True, metavar="DEM...")
@click.option("--observer", required=True, help="Observer: 'lat,lon', 'xy:X,Y' or a place name.")
@observer_height_option
@absolute_heights_option
@radius_option(when_missing="the whole DEM (the horizon at its edge is flagged)")
@click.option("--step", type=float, default=DEFAULT_STEP_DEG, show_default=True,
              help="Degrees between azimuths (for the full circle a step that divides 360).")
@click.option("--azimuth", help="Only the sector START,END in degrees clockwise from north, e.g. 135,225.")
@curvature_options
@click.option("--csv", "csv_path", type=OutputFile(CSV_SUFFIXES),
              help="Write the horizon table (one row per azimuth) as CSV.")
@click.option("--plot", "plot_path", type=OutputFile(FIGURE_SUFFIXES), help="Write the panorama picture (PNG).")
@click.option("--no-landmarks", is_flag=True, help="Do not look for named places and summits to label.")
@json_option
def panorama_command(dem, observer, observer_height, absolute_heights, radius, step, azimuth, curvature, refraction,
                     curvature_coefficient, csv_path, plot_path, no_landmarks, as_json):
    """Panorama: the horizon seen from an observer, azimuth by azimuth.

    For each azimuth: the elevation angle of the horizon (degrees above the eye's horizontal, with the
    viewshed's curvature and refraction), its distance and position. The picture shows the ridges from
    nearest (dark) to farthest (pale), with the named places and summits the observer sees and their
    distance. Without --radius the rays run to the DEM's edge; where the horizon is that edge the table
    says so (at_limit = 1) and the picture dots it.

    \b
    Example:
      terrain panorama dem_samples/hama_standin.tif --observer "Zayn al-Abidin" \\
          --azimuth 90,270 --plot pano.png --csv horizon.csv
      terrain panorama dem_samples/N44W072.hgt --observer "Mount Washington" --radius 60km --plot wash.png
      terrain panorama dem_samples/N44W072.hgt --observer "Mount Adams" --step 1 --json
    """
    from ..horizon import horizon, horizon_summary, horizon_to_dict, landmark_rows, write_horizon_csv
    from ..units import parse_pair

    sector = parse_pair(azimuth, "--azimuth sector") if azimuth else None
    max_d = radius_value(radius)
    from ..coords import parse_point

    point = parse_point(observer)
    around = None if max_d is None or isinstance(point, tuple) else (point.lat, point.lon, max_d * 1.02)
    data = load_cli_dem(dem, around=around) if around else load_cli_dem(dem)
    hz = horizon(data, observer, observer_height=observer_height, max_distance=max_d, azimuth_step_deg=step,
                 azimuth=sector, curvature=curvature, refraction=refraction_value(refraction, curvature_coefficient),
                 absolute_heights=absolute_heights, landmarks=not no_landmarks)
    written = {}
    if csv_path:
        written["csv"] = str(write_horizon_csv(hz, csv_path))
    if plot_path:
        from ..plot import plot_panorama, save_figure

        written["plot"] = str(save_figure(plot_panorama(hz).figure, plot_path))
    if as_json:
        print_json({**horizon_to_dict(hz), "written": written})
        return
    a = hz.attrs
    s = horizon_summary(hz)
    name = a["observer_name"] or f"{a['observer_lat']:.4f}, {a['observer_lon']:.4f}"
    where = "all round" if a["full_circle"] else f"{a['azimuth_start_deg']:g}° to {a['azimuth_end_deg']:g}°"
    click.echo(f"Horizon from {name} (eye {a['observer_eye_m']:.1f} m a.s.l., ground {a['observer_ground_m']:.1f} m), "
               f"{where}, every {a['azimuth_step_deg']:g}°")
    for key, word in (("highest", "highest"), ("lowest", "lowest"), ("nearest", "nearest"), ("farthest", "farthest")):
        p = s.get(key)
        if p:
            click.echo(f"  {word:<9} {p['elevation_angle_deg']:+7.3f}° at {p['azimuth_deg']:6.2f}°, "
                       f"{p['distance_m'] / 1000:6.2f} km out (ground {p['ground_m']:.0f} m)")
    if s.get("at_limit_percent"):
        click.echo(f"  the horizon is the DEM's edge or the radius on {s['at_limit_percent']:.1f} % of the azimuths "
                   "(the true one may be farther)")
    marks = landmark_rows(hz)
    seen = [m for m in marks if m["visible"]]
    if seen:
        click.echo("  seen:")
        for m in seen:
            click.echo(f"    {m['name']:<22} {m['azimuth_deg']:6.1f}°  {m['distance_m'] / 1000:6.1f} km  "
                       f"{m['elevation_angle_deg']:+6.2f}°")
    hidden = [m["name"] for m in marks if not m["visible"]]
    if hidden:
        click.echo(f"  hidden: {', '.join(hidden)}")
    if a.get("synthetic"):
        click.echo(f"  data: {a.get('source')}")
    for kind, path in written.items():
        click.echo(f"  {kind:<5} {path}")
