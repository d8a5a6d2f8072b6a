"""Fetch the tiles of a box, a circle or a named area into the cache, downloading only what is missing."""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from ..errors import FetchError, InputError
from ..numbers import check_number
from .cache import resolve_cache_dir
from .download import DEFAULT_MIN_RATE_BYTES_S, RATE_WINDOW_S, download_file
from .provenance import CORRUPT, UNRECORDED, check_cached_tile, make_record, write_record
from .sources import get_source
from .tiles import area_bounds, tiles_around, tiles_for_bounds

#: Most tiles one fetch may ask for unless ``max_tiles`` says otherwise (a 1" tile is up to 25 MB).
DEFAULT_MAX_TILES = 100

DOWNLOADED, CACHED, MISSING = "downloaded", "cached", "missing"

#: Note of a cached tile that has no provenance record.
UNRECORDED_NOTE = "no provenance record, origin unknown; --force downloads it again with one"


@dataclass(frozen=True)
class TileResult:
    """What fetching one tile gave.

    ``status`` is ``"downloaded"``, ``"cached"`` (already there and matching
    its provenance record, not asked again) or ``"missing"`` (no tile at the
    source: ocean or outside coverage; ``path`` is then None). ``note`` says
    what a user should know beyond that: a cached tile without a record, or a
    corrupt cached copy that was downloaded again.
    """

    tile: str
    source: str
    status: str
    path: Path | None
    url: str
    note: str = ""


def requested_tiles(bounds=None, around=None, area=None) -> list[str]:
    """Return the tile names for exactly one of ``bounds``, ``around = (lat, lon, radius_m)`` or ``area``."""
    given = [name for name, value in (("bounds", bounds), ("around", around), ("area", area)) if value is not None]
    if len(given) != 1:
        raise InputError("give exactly one of bounds, around or area"
                         + (f" (got {' and '.join(given)})" if given else ""))
    if bounds is not None:
        return tiles_for_bounds(bounds)
    if area is not None:
        return tiles_for_bounds(area_bounds(area))
    try:
        lat, lon, radius_m = around
    except (TypeError, ValueError):
        raise InputError(f"around {around!r} must be (lat, lon, radius_m)") from None
    return tiles_around(lat, lon, radius_m)


def iter_fetch(tiles: list[str], source: str = "skadi", cache_dir=None, base_url: str | None = None,
               progress: bool = True, *, timeout_s: float = 60.0, retries: int = 3,
               backoff_s: float = 1.0, deadline_s: float | None = None,
               min_rate_bytes_s: float = DEFAULT_MIN_RATE_BYTES_S,
               rate_window_s: float = RATE_WINDOW_S, force: bool = False) -> Iterator[TileResult]:
    """Fetch ``tiles`` one by one into the cache, yielding a :class:`TileResult` as each is done.

    Takes the arguments of :func:`fetch_tiles`. Raises FetchError (network,
    server, integrity) and stops at the first tile that fails; tiles fetched
    before it stay in the cache.
    """
    check_transfer_limits(timeout_s, deadline_s, min_rate_bytes_s, rate_window_s)
    src = get_source(source)
    folder = resolve_cache_dir(cache_dir)
    base = src.base_url(base_url)
    for tile in tiles:
        path = src.cache_path(tile, folder)
        url = src.tile_url(tile, base)
        found = check_cached_tile(path, src, tile)
        if found.usable and not force:
            yield TileResult(tile, src.name, CACHED, path, url, UNRECORDED_NOTE if found.state == UNRECORDED else "")
            continue
        note = f"the cached copy was corrupt: {found.problem}" if found.state == CORRUPT else ""

        def check_and_record(tmp: Path, tile=tile, url=url, path=path) -> None:
            # the record goes in place before the tile: a crash between the two leaves a tile that
            # disagrees with its record, which the next use downloads again
            rows, cols = src.check_download(tmp, tile, url)
            write_record(path, make_record(tmp, src, tile, url, rows, cols))

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise FetchError(f"could not create the cache folder {path.parent}: {exc.strerror or exc}; "
                             "pass --cache-dir or set TERRAIN_CACHE to a writable folder") from None
        there = download_file(url, path, max_bytes=src.max_download_bytes, check=check_and_record,
                              hint=src.url_hint(), label=tile, timeout_s=timeout_s, retries=retries,
                              backoff_s=backoff_s, progress=progress, deadline_s=deadline_s,
                              min_rate_bytes_s=min_rate_bytes_s, rate_window_s=rate_window_s)
        yield TileResult(tile, src.name, DOWNLOADED if there else MISSING, path if there else None, url, note)


def fetch_tile_results(bounds=None, around=None, area=None, source: str = "skadi", cache_dir=None,
                       base_url: str | None = None, progress: bool = True, *, max_tiles: int = DEFAULT_MAX_TILES,
                       **transfer) -> list[TileResult]:
    """Fetch the tiles of a box, circle or named area; return one :class:`TileResult` per tile.

    Takes the arguments of :func:`fetch_tiles`.
    """
    tiles = requested_tiles(bounds, around, area)
    check_tile_count(tiles, max_tiles)
    return list(iter_fetch(tiles, source, cache_dir, base_url, progress, **transfer))


def check_transfer_limits(timeout_s: float, deadline_s: float | None, min_rate_bytes_s: float,
                          rate_window_s: float) -> None:
    """Raise InputError unless the time limits of a fetch are finite numbers in range (seconds, bytes a second)."""
    check_number(timeout_s, "timeout", low=0.0, low_open=True, unit="s", hint="give --timeout in seconds above 0")
    if deadline_s is not None:
        check_number(deadline_s, "deadline", low=0.0, low_open=True, unit="s",
                     hint="give --deadline in seconds above 0, or leave it out for one scaled to the tile")
    check_number(min_rate_bytes_s, "minimum rate", low=0.0, unit="bytes/s",
                 hint="give --min-rate in kB/s, 0 for no minimum")
    check_number(rate_window_s, "rate window", low=0.0, low_open=True, unit="s")


def check_tile_count(tiles: list[str], max_tiles: int) -> None:
    """Raise InputError if more than ``max_tiles`` tiles are asked for (a typo like ``--radius 2000km``)."""
    if len(tiles) > max_tiles:
        raise InputError(f"that area needs {len(tiles)} tiles, more than the limit of {max_tiles}; "
                         "ask for a smaller area or raise the limit (--max-tiles)")


def fetch_tiles(bounds=None, around=None, area=None, source: str = "skadi", cache_dir=None,
                base_url: str | None = None, progress: bool = True, *, max_tiles: int = DEFAULT_MAX_TILES,
                timeout_s: float = 60.0, retries: int = 3, backoff_s: float = 1.0, deadline_s: float | None = None,
                min_rate_bytes_s: float = DEFAULT_MIN_RATE_BYTES_S,
                rate_window_s: float = RATE_WINDOW_S, force: bool = False) -> list[Path]:
    """Download the elevation tiles of an area into the cache; return the paths of the tile files.

    Tiles already cached are not downloaded again unless ``force``; each is
    first checked against its provenance record (size and SHA-256,
    :mod:`terrain.fetch.provenance`) and downloaded again if it does not match.
    Every downloaded tile has its grid checked against the source's tile size
    and gets a record. Tiles the source does not have (ocean, outside
    coverage) are left out of the result with a warning.

    Parameters
    ----------
    bounds : tuple of float, optional
        ``(west, south, east, north)`` in degrees.
    around : tuple of float, optional
        ``(lat, lon, radius_m)``: a point in degrees and a radius in metres.
    area : str, optional
        A name from :data:`terrain.fetch.NAMED_AREAS`, such as ``"hama"``.
    source : {"skadi", "copernicus"}
        SRTM-derived 1" tiles (gzipped .hgt) or Copernicus GLO-30 GeoTIFFs.
    cache_dir : path, optional
        Cache folder; default :func:`default_cache_dir`.
    base_url : str, optional
        Where the source lives; default ``TERRAIN_SKADI_URL`` / ``TERRAIN_COPERNICUS_URL`` or the public bucket.
    progress : bool
        Show a progress bar per download on a terminal.
    max_tiles : int
        Refuse areas that need more tiles than this.
    timeout_s, retries, backoff_s : float, int, float
        Seconds to wait for the server at each step (connecting, each read), retries after transient
        failures, first retry delay in seconds (doubling).
    deadline_s : float, optional
        Seconds one tile may take in all, retries included; None (default): 60 s plus one second per
        50 kB of the tile (:func:`terrain.fetch.download.default_deadline_s`).
    min_rate_bytes_s : float
        Give a download up (and retry it) when it averages under this many bytes a second over
        ``rate_window_s`` seconds (default 4000, 4 kB/s; 0: no minimum), so a server trickling
        bytes cannot hold the fetch.
    rate_window_s : float
        Seconds the rate is averaged over, and the grace before it is first judged (default 30).
    force : bool
        Download every tile again, even those already in the cache.

    Returns
    -------
    list of pathlib.Path
        Tile files in the cache, rows south to north, west to east.
        :func:`terrain.dem.load_dem` reads them (rasterio opens a ``.hgt.gz``
        as ``/vsigzip/<path>``).

    Raises
    ------
    InputError
        Not exactly one of bounds/around/area, or a bad value.
    FetchError
        The source cannot be reached, or sent a file that is not a whole tile.

    Examples
    --------
    >>> paths = fetch_tiles(area="hama")  # doctest: +SKIP
    >>> [p.name for p in paths]  # doctest: +SKIP
    ['N34E036.hgt.gz', 'N34E037.hgt.gz', 'N35E036.hgt.gz', 'N35E037.hgt.gz']
    """
    results = fetch_tile_results(bounds, around, area, source, cache_dir, base_url, progress,
                                 max_tiles=max_tiles, timeout_s=timeout_s, retries=retries, backoff_s=backoff_s,
                                 deadline_s=deadline_s, min_rate_bytes_s=min_rate_bytes_s,
                                 rate_window_s=rate_window_s, force=force)
    missing = [r.tile for r in results if r.status == MISSING]
    if missing:
        warnings.warn(f"{len(missing)} tile(s) have no data at the {source} source (ocean or outside coverage) "
                      f"and are left out: {', '.join(missing)}", stacklevel=2)
    return [r.path for r in results if r.path is not None]

