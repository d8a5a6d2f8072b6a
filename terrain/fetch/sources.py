"""Where tiles come from: URL and cache layout of each source, and the checks a downloaded tile must pass.

* ``skadi``: the SRTM-derived 1" tiles of the public Terrain Tiles dataset on
  AWS, gzipped ``.hgt`` files in ``skadi/N35/N35E036.hgt.gz``.
* ``copernicus``: Copernicus GLO-30 DEM cloud-optimised GeoTIFFs from the open
  AWS bucket, ``Copernicus_DSM_COG_10_N35_00_E036_00_DEM.tif``.

The cache mirrors each source: ``<cache>/skadi/N35/N35E036.hgt.gz`` and
``<cache>/copernicus/Copernicus_DSM_COG_10_N35_00_E036_00_DEM.tif``.
"""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import FetchError, InputError
from .tiles import tile_corner

#: Bytes of an uncompressed .hgt tile, 3" (1201 x 1201) and 1" (3601 x 3601) big-endian int16.
HGT_SIZES_BYTES = (2 * 1201 ** 2, 2 * 3601 ** 2)
#: Most bytes a gzipped .hgt download may have: a 1" tile that gzip could not shrink, plus headroom.
MAX_HGT_GZ_BYTES = 2 * 3601 ** 2 + (1 << 20)
#: Most bytes a Copernicus GeoTIFF download may have (real tiles are below 60 MB).
MAX_COG_BYTES = 200 * (1 << 20)

_TIFF_MAGICS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")


@dataclass(frozen=True)
class Source:
    """A public tile source: its name, default base URL and the variable that overrides it."""

    name: str
    default_url: str
    url_env: str
    max_download_bytes: int

    def base_url(self, base_url: str | None = None) -> str:
        """Return the base URL to use: ``base_url``, else the environment variable, else the public one."""
        url = base_url or os.environ.get(self.url_env) or self.default_url
        if "://" not in url:
            raise InputError(f"base URL {url!r} has no scheme; write it like {self.default_url}")
        return url.rstrip("/")

    def url_hint(self) -> str:
        """Return the advice given when the source cannot be reached."""
        return f"check the network or set --base-url / {self.url_env}"

    def tile_url(self, tile: str, base_url: str | None = None) -> str:
        """Return the URL of ``tile`` (such as ``"N35E036"``)."""
        return f"{self.base_url(base_url)}/{self.url_path(tile)}"

    def url_path(self, tile: str) -> str:
        """Return the path of ``tile`` below the base URL."""
        raise NotImplementedError

    def cache_path(self, tile: str, cache_dir: Path) -> Path:
        """Return where ``tile`` lives in the cache folder ``cache_dir``."""
        raise NotImplementedError

    def is_complete(self, path: Path) -> bool:
        """Return True if ``path`` holds a whole tile of this source (a cheap check of the file's ends)."""
        raise NotImplementedError

    def check_download(self, path: Path, tile: str, url: str) -> None:
        """Raise FetchError unless the file downloaded at ``path`` is a valid tile."""
        raise NotImplementedError


class SkadiSource(Source):
    """Gzipped SRTM ``.hgt`` tiles in the skadi layout, ``N35/N35E036.hgt.gz``."""

    def url_path(self, tile: str) -> str:
        return f"{tile[:3]}/{tile_checked(tile)}.hgt.gz"

    def cache_path(self, tile: str, cache_dir: Path) -> Path:
        return Path(cache_dir) / self.name / tile[:3] / f"{tile_checked(tile)}.hgt.gz"

    def is_complete(self, path: Path) -> bool:
        # gzip stores the uncompressed size modulo 2**32 in its last four bytes
        try:
            with open(path, "rb") as f:
                head = f.read(2)
                f.seek(-4, os.SEEK_END)
                size = int.from_bytes(f.read(4), "little")
        except OSError:
            return False
        return head == b"\x1f\x8b" and size in HGT_SIZES_BYTES

    def check_download(self, path: Path, tile: str, url: str) -> None:
        size = hgt_gz_size_bytes(path, tile, url)
        if size not in HGT_SIZES_BYTES:
            raise FetchError(f"tile {tile} from {url} holds {size} bytes of elevation, not a 1201 x 1201 or "
                             f"3601 x 3601 .hgt grid ({HGT_SIZES_BYTES[0]} or {HGT_SIZES_BYTES[1]} bytes); "
                             "nothing was saved: check --base-url")


class CopernicusSource(Source):
    """Copernicus GLO-30 cloud-optimised GeoTIFFs, ``Copernicus_DSM_COG_10_N35_00_E036_00_DEM.tif``."""

    def url_path(self, tile: str) -> str:
        stem = copernicus_name(tile)
        return f"{stem}/{stem}.tif"

    def cache_path(self, tile: str, cache_dir: Path) -> Path:
        return Path(cache_dir) / self.name / f"{copernicus_name(tile)}.tif"

    def is_complete(self, path: Path) -> bool:
        try:
            with open(path, "rb") as f:
                return f.read(4) in _TIFF_MAGICS and os.fstat(f.fileno()).st_size > 8
        except OSError:
            return False

    def check_download(self, path: Path, tile: str, url: str) -> None:
        import rasterio  # lazy: keeps `terrain --help` fast

        try:
            with rasterio.open(path) as dataset:
                count = dataset.count
        except rasterio.errors.RasterioError as exc:
            raise FetchError(f"tile {tile} from {url} is not a readable GeoTIFF ({exc}); nothing was saved: "
                             "run the fetch again, and check --base-url if it keeps failing") from None
        if count != 1:
            raise FetchError(f"tile {tile} from {url} has {count} bands, not the 1 band of a DEM; "
                             "nothing was saved: check --base-url")


SOURCES: dict[str, Source] = {
    "skadi": SkadiSource("skadi", "https://s3.amazonaws.com/elevation-tiles-prod/skadi",
                         "TERRAIN_SKADI_URL", MAX_HGT_GZ_BYTES),
    "copernicus": CopernicusSource("copernicus", "https://copernicus-dem-30m.s3.amazonaws.com",
                                   "TERRAIN_COPERNICUS_URL", MAX_COG_BYTES),
}


def get_source(name: str) -> Source:
    """Return the source called ``name`` (``"skadi"`` or ``"copernicus"``)."""
    try:
        return SOURCES[str(name).lower()]
    except KeyError:
        raise InputError(f"unknown source {name!r}; use one of: {', '.join(SOURCES)}") from None


def tile_checked(tile: str) -> str:
    """Return ``tile`` if it is a valid tile name, else raise InputError."""
    tile_corner(tile)
    return tile


def copernicus_name(tile: str) -> str:
    """Return the Copernicus GLO-30 name of ``tile``, e.g. ``Copernicus_DSM_COG_10_N35_00_E036_00_DEM``."""
    tile_corner(tile)
    return f"Copernicus_DSM_COG_10_{tile[:3]}_00_{tile[3:]}_00_DEM"


def hgt_gz_size_bytes(path: Path, tile: str, url: str) -> int:
    """Return the uncompressed size of the gzipped tile at ``path``, decompressing as a stream.

    Stops as soon as the data grows past the largest .hgt tile, so a gzip bomb
    costs neither memory nor time. Raises FetchError for a bomb or a corrupt file.
    """
    limit = max(HGT_SIZES_BYTES)
    total = 0
    try:
        with gzip.open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    raise FetchError(f"tile {tile} from {url} decompresses to more than {limit} bytes, larger "
                                     "than any .hgt tile (a gzip bomb?); nothing was saved: check --base-url")
    except (OSError, EOFError, zlib.error) as exc:
        raise FetchError(f"tile {tile} from {url} is not a valid gzip file ({exc}); nothing was saved: run the "
                         "fetch again, and if it keeps failing delete the tile from the cache and check "
                         "--base-url") from None
    return total
