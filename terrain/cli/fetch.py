"""``terrain fetch``: download public elevation tiles for an area into the local cache."""

from __future__ import annotations

import click

from ..errors import FetchError, InputError
from ..fetch import NAMED_AREAS, SOURCES, iter_fetch, parse_radius_m, requested_tiles, tiles_for_bounds
from ..fetch.cache import resolve_cache_dir
from ..fetch.download import DEFAULT_MIN_RATE_BYTES_S, RATE_WINDOW_S
from ..fetch.fetching import CACHED, DEFAULT_MAX_TILES, DOWNLOADED, MISSING, check_tile_count
from ..units import parse_pair
from .options import json_option, print_json
from .preflight import TerrainCommand

_STATUS_TEXT = {DOWNLOADED: "downloaded", CACHED: "cached", MISSING: "missing at source (ocean or outside coverage)"}


def _bounds_value(ctx, param, value):
    if value is None:
        return None
    parts = [p for p in value.replace(";", ",").split(",") if p.strip()]
    try:
        bounds = tuple(float(p) for p in parts)
        if len(bounds) != 4:
            raise ValueError
        tiles_for_bounds(bounds)  # checks order and ranges
    except InputError as exc:
        raise click.BadParameter(str(exc)) from None
    except ValueError:
        raise click.BadParameter(f"{value!r} is not four numbers; give W,S,E,N in degrees, "
                                 "e.g. 36.45,34.95,37.05,35.45") from None
    return bounds


def _around_value(ctx, param, value):
    if value is None:
        return None
    try:
        lat, lon = parse_pair(value, "point (LAT,LON)")
    except InputError as exc:
        raise click.BadParameter(str(exc)) from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise click.BadParameter(f"{value!r} is not a point; give LAT,LON in degrees, latitude first, "
                                 "e.g. 35.2,36.77")
    return lat, lon


def _radius_value(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_radius_m(value)
    except InputError as exc:
        raise click.BadParameter(str(exc)) from None


def _area_value(ctx, param, value):
    if value is None:
        return None
    if value.strip().lower() not in NAMED_AREAS:
        raise click.BadParameter(f"unknown area {value!r}; known areas: {', '.join(sorted(NAMED_AREAS))}")
    return value.strip().lower()


@click.command("fetch", cls=TerrainCommand)
@click.option("--area", callback=_area_value, metavar="NAME",
              help=f"A named area: {', '.join(sorted(NAMED_AREAS))}.")
@click.option("--bounds", callback=_bounds_value, metavar="W,S,E,N",
              help="A box in degrees: west,south,east,north.")
@click.option("--around", callback=_around_value, metavar="LAT,LON",
              help="A point in degrees (with --radius).")
@click.option("--radius", callback=_radius_value, metavar="DISTANCE",
              help="Radius around --around: 20km, 500m or 20000 (metres).")
@click.option("--source", type=click.Choice(sorted(SOURCES)), default="skadi", show_default=True,
              help="skadi: SRTM-derived 1\" tiles (.hgt.gz); copernicus: Copernicus GLO-30 GeoTIFFs.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Cache folder [default: TERRAIN_CACHE or the user cache folder].")
@click.option("--base-url", default=None, metavar="URL",
              help="Where the source lives [default: TERRAIN_SKADI_URL / TERRAIN_COPERNICUS_URL or the "
                   "public AWS bucket].")
@click.option("--max-tiles", type=click.IntRange(min=1), default=DEFAULT_MAX_TILES, show_default=True,
              help="Refuse areas needing more tiles than this.")
@click.option("--timeout", "timeout_s", type=float, default=60.0, show_default=True,
              help="Seconds to wait for the server at each step (connecting, each read).")
@click.option("--deadline", "deadline_s", type=float, default=None, metavar="SECONDS",
              help="Seconds one tile may take in all, retries included [default: 60 s plus 1 s per 50 kB of "
                   "the tile, 600 s for a 27 MB tile].")
@click.option("--min-rate", "min_rate_kb_s", type=float, default=DEFAULT_MIN_RATE_BYTES_S / 1000, show_default=True,
              metavar="KB/S", help=f"Give a download up (and retry it) when it averages under this many kB/s "
                                   f"over {RATE_WINDOW_S:g} s; 0: no minimum.")
@click.option("--retries", type=click.IntRange(min=0), default=3, show_default=True,
              help="Times to ask again after a network failure (waiting 1 s, 2 s, 4 s...).")
@click.option("--force", is_flag=True,
              help="Download every tile again, even those in the cache (which are otherwise checked against "
                   "their provenance records and downloaded again only if corrupt).")
@click.option("--quiet", "-q", is_flag=True,
              help="No progress bars; print only the tile paths, one a line (missing tiles go to stderr).")
@json_option
def fetch_command(area, bounds, around, radius, source, cache_dir, base_url, max_tiles, timeout_s, deadline_s,
                  min_rate_kb_s, retries, force, quiet, as_json):
    """Download public elevation tiles for an area into the local cache.

    Give exactly one of --area, --bounds or --around with --radius. Tiles
    already in the cache are checked against their provenance records (size
    and SHA-256) and not downloaded again unless corrupt or --force is given;
    tiles the source does not have (open sea) are listed as missing.

    \b
    Examples:
      terrain fetch --area hama
      terrain fetch --bounds 36.45,34.95,37.05,35.45 --source copernicus
      terrain fetch --around 35.2,36.77 --radius 20km
    """
    given = [name for name, value in (("--area", area), ("--bounds", bounds), ("--around", around))
             if value is not None]
    if len(given) != 1:
        raise click.UsageError("give exactly one of --area, --bounds or --around (with --radius)"
                               + (f", not {' and '.join(given)}" if given else ""))
    if (around is None) != (radius is None):
        raise click.UsageError("--around and --radius go together, e.g. --around 35.2,36.77 --radius 20km")
    try:
        tiles = requested_tiles(bounds=bounds, area=area,
                                around=None if around is None else (around[0], around[1], radius))
        check_tile_count(tiles, max_tiles)
        folder = resolve_cache_dir(cache_dir)
        results = []
        for result in iter_fetch(tiles, source, folder, base_url, progress=not quiet, timeout_s=timeout_s,
                                 retries=retries, deadline_s=deadline_s, min_rate_bytes_s=min_rate_kb_s * 1000,
                                 force=force):
            results.append(result)
            if not (quiet or as_json):
                note = f"  ({result.note})" if result.note else ""
                click.echo(f"{result.tile}  {_STATUS_TEXT[result.status]:<11}  {result.path or result.url}{note}")
            elif quiet and result.note:
                click.echo(f"{result.tile}: {result.note}", err=True)
    except InputError as exc:
        raise click.UsageError(str(exc)) from None
    paths = [str(r.path) for r in results if r.path is not None]
    if as_json:
        print_json({"source": source, "cache_dir": str(folder), "paths": paths,
                    "tiles": [{"tile": r.tile, "status": r.status, "path": None if r.path is None else str(r.path),
                               "url": r.url, "note": r.note} for r in results]})
    elif quiet:
        for r in results:
            if r.path is None:
                click.echo(f"{r.tile}: {_STATUS_TEXT[r.status]}", err=True)
            else:
                click.echo(str(r.path))
    else:
        click.echo(f"Cache folder: {folder}")
    if not paths:
        raise FetchError(f"the {source} source has none of the {len(tiles)} tile(s) of this area (ocean or "
                         "outside coverage); try another area or --source")
    if not (quiet or as_json):
        click.echo(f"Use them with: terrain info {' '.join(paths)}")
