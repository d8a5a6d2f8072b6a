"""``terrain siting``: the k observation posts that together see the most of a target area."""

from __future__ import annotations

import click

from ..methods import DEFAULT_METHOD, METHOD_CHOICES
from ..output_paths import GEOJSON_SUFFIXES
from .cumulative import dask_options, point_label, use_dask
from .options import (check_heights, curvature_options, echo_surfaces, height_options, json_option, load_cli_dem,
                      obstacle_options,
                      plot_option,
                      print_json, progress_enabled, radius_option, radius_value, refraction_value, target_option,
                      target_radius_option, write_plot)
from .overlook import REACH_TEXT
from .preflight import OutputFile, TerrainCommand

CSV_SUFFIXES = (".csv",)


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def print_siting(result) -> None:
    """The chosen posts, the dead ground left, the guarantee and the named candidates' ranks, as text."""
    a = result.attrs
    click.echo(f"Observation posts over {a['target']} ({a['target_area_km2']:.2f} km²; {a['candidates']} "
               f"candidates from {a['candidate_source']}; method {a['method']})")
    for r in result.posts.rows:
        click.echo(f"  {r['order']:>2}. {point_label(r)}: +{r['gain_km2']:.2f} km² (+{r['gain_percent']:.1f} %), "
                   f"together {r['cumulative_km2']:.2f} km² ({r['cumulative_percent']:.1f} %); "
                   f"eye {r['eye_m']:.0f} m; alone rank {r['solo_rank']}")
    click.echo(f"  dead ground left: {a['dead_ground_km2']:.2f} km² ({a['dead_ground_percent']:.1f} % of the target)")
    if a.get("stopped") and len(result.posts.rows) < a["k"]:
        click.echo(f"  stopped at {len(result.posts.rows)} of {a['k']}: {a['stopped']}")
    click.echo(f"  {a['guarantee']}")
    echo_surfaces(a)
    named = result.named_ranks()
    if named:
        click.echo("  named candidates, ranked alone:")
        for r in named:
            chosen = f"chosen {_ordinal(r['chosen'])}" if r["chosen"] else "not chosen"
            click.echo(f"    {r['name']}: rank {r['solo_rank']} of {a['candidates']} ({r['solo_percent']:.1f} % "
                       f"alone), {chosen}")
    if a.get("synthetic"):
        click.echo(f"  data: {a['source']}")


def write_posts_csv(result, path) -> str:
    """The posts table as CSV (one row per post, in order), written atomically."""
    import csv

    from ..atomic import atomic_path

    rows = result.posts.rows
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0]) if rows else ["order"])
            w.writeheader()
            w.writerows(rows)
    return str(path)


def write_posts_geojson(result, path) -> str:
    """The posts as a GeoJSON FeatureCollection of Points (lon, lat) with their table's columns, atomically."""
    import json

    from ..atomic import atomic_path

    features = [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                 "properties": dict(r)} for r in result.posts.rows]
    doc = {"type": "FeatureCollection", "features": features,
           "properties": {k: v for k, v in result.attrs.items() if isinstance(v, (str, int, float, type(None)))}}
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False, default=str), encoding="utf-8")
    return str(path)


@click.command("siting", cls=TerrainCommand)
@click.argument("dem", nargs=-1, required=True, metavar="DEM...")
@target_option
@target_radius_option("1km")
@radius_option(when_missing=REACH_TEXT)
@click.option("--k", "k", type=click.IntRange(min=1), default=3, show_default=True, help="Number of posts to choose.")
@click.option("--candidates", default="summits", show_default=True,
              help="'summits' (summits within --within), 'grid:SPACING' (cells every SPACING, e.g. grid:500m, "
                   "within --within), both ('summits+grid:2km'), points separated by ';', or a file of points "
                   "(CSV with a header, GeoJSON, GeoPackage; a height column gives each post its own height).")
@click.option("--within", default="15km", show_default=True,
              help="Radius around the target where summit and grid candidates are taken.")
@click.option("--min-prominence", type=float, default=30.0, show_default=True,
              help="Metres of prominence a summit needs to be a candidate.")
@click.option("--min-separation", default=None,
              help="No two posts closer than this, e.g. 1km (drops the (1 - 1/e) guarantee).")
@height_options(target_raster=True)
@curvature_options
@click.option("--method", type=click.Choice(METHOD_CHOICES), default=DEFAULT_METHOD, show_default=True,
              help="Viewshed method of every candidate (fast screens many grid candidates quickly).")
@click.option("--csv", "csv_path", type=OutputFile(CSV_SUFFIXES), help="Write the chosen posts as CSV.")
@click.option("--geojson", "geojson_path", type=OutputFile(GEOJSON_SUFFIXES),
              help="Write the chosen posts as GeoJSON points.")
@obstacle_options
@dask_options
@plot_option
@json_option
def siting_command(dem, target, target_radius, radius, k, candidates, within, min_prominence, min_separation,
                   observer_height, target_height, absolute_heights, curvature, refraction, curvature_coefficient,
                   method, csv_path, geojson_path, obstacles_path, targets_on_obstacles, observer_on_obstacle,
                   workers, scheduler, plot_path, as_json):
    """Siting: choose the K observation posts that together see the most of a target area.

    Lazy greedy maximum coverage: each post is the candidate that adds the most target ground not yet
    seen; the K posts see at least 1 - (1 - 1/K)^K (more than 1 - 1/e, 63 %) of what the best K
    candidates could (not guaranteed with --min-separation). Prints the posts in order with what
    each adds, the dead ground left, and where named candidates rank alone.

    \b
    Examples:
      terrain siting dem_samples/hama_standin.tif --target Hama --target-radius 3km --radius 15km \\
          --k 3 --observer-height 10 --plot siting.png
      terrain siting dem_samples/hama_standin.tif --target Hama --target-radius 3km --radius 15km \\
          --candidates grid:1km --method fast --min-separation 2km --csv posts.csv --geojson posts.geojson
      terrain siting dem_samples/N44W072.hgt --target "Mount Washington" --target-radius 2km \\
          --candidates summits --within 10km --k 2 --json
      terrain siting city.tif --target 35.13,36.75 --target-radius 1km --candidates grid:200m \\
          --obstacles buildings.tif --observer-on-obstacle --k 4
    """
    from ..multi.siting import site_observers

    check_heights(observer_height, target_height, absolute_heights)
    data = load_cli_dem(dem)
    result = site_observers(
        data, target, candidates, k, target_radius=radius_value(target_radius, "--target-radius"),
        within=radius_value(within, "--within"), max_distance=radius_value(radius),
        min_separation_m=radius_value(min_separation, "--min-separation") or 0.0, min_prominence=min_prominence,
        observer_height=observer_height, target_height=target_height, curvature=curvature,
        refraction=refraction_value(refraction, curvature_coefficient), method=method,
        absolute_heights=absolute_heights, progress=progress_enabled(as_json), obstacles=obstacles_path,
        targets_on_obstacles=targets_on_obstacles, observer_on_obstacle=observer_on_obstacle,
        **(dict(backend="dask", scheduler=scheduler, n_workers=workers) if use_dask(workers, scheduler) else {}))
    written = {}
    if csv_path:
        written["csv"] = write_posts_csv(result, csv_path)
    if geojson_path:
        written["geojson"] = write_posts_geojson(result, geojson_path)
    if plot_path:
        from ..plot import plot_siting

        written["plot"] = write_plot(lambda: plot_siting(result, dem=data), plot_path)
    if as_json:
        print_json({**result.to_dict(), "files": written})
        return
    print_siting(result)
    for kind, path in written.items():
        click.echo(f"  {kind}: {path}")
