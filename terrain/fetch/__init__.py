"""Download public elevation tiles into a local cache.

Two open sources on AWS: ``skadi`` (SRTM-derived 1" tiles of the Terrain
Tiles dataset, gzipped .hgt) and ``copernicus`` (Copernicus GLO-30 GeoTIFFs).
Tiles are cached once in :func:`default_cache_dir` and found again, without
the network, by :func:`find_cached_tiles`.

Examples
--------
>>> from terrain.fetch import tiles_for_bounds, NAMED_AREAS
>>> tiles_for_bounds(NAMED_AREAS["hama"])
['N34E036', 'N34E037', 'N35E036', 'N35E037']
>>> fetch_tiles(area="hama")  # doctest: +SKIP
"""

from .cache import default_cache_dir, find_cached_tiles
from .fetching import TileResult, fetch_tile_results, fetch_tiles, iter_fetch, requested_tiles
from .sources import SOURCES, copernicus_name
from .tiles import NAMED_AREAS, area_bounds, bounds_around, parse_radius_m, tile_name, tiles_around, tiles_for_bounds

__all__ = [
    "NAMED_AREAS", "SOURCES", "TileResult", "area_bounds", "bounds_around", "copernicus_name",
    "default_cache_dir", "fetch_tile_results", "fetch_tiles", "find_cached_tiles", "iter_fetch",
    "parse_radius_m", "requested_tiles", "tile_name", "tiles_around", "tiles_for_bounds",
]
