"""Where tiles come from: URL and cache layout of each source, and the checks a downloaded tile must pass.

* ``skadi``: the SRTM-derived 1" tiles of the public Terrain Tiles dataset on
  AWS, gzipped ``.hgt`` files in ``skadi/N35/N35E036.hgt.gz``.
* ``copernicus``: Copernicus GLO-30 DEM cloud-optimised GeoTIFFs from the open
  AWS bucket, ``Copernicus_DSM_COG_10_N35_00_E036_00_DEM.tif``.

The cache mirrors each source: ``<cache>/skadi/N35/N35E036.hgt.gz`` and
``<cache>/copernicus/Copernicus_DSM_COG_10_N35_00_E036_00_DEM.tif``, each tile
with its provenance record beside it (:mod:`terrain.fetch.provenance`).

A download is cached only if it has the grid a tile of its source has: 1201 x
1201 or 3601 x 3601 cells for skadi, 3600 rows by 3600 to 360 columns
(narrower towards the poles, :func:`copernicus_shape`) for Copernicus.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import FetchError, InputError
from .tiles import tile_corner

#: Bytes of an uncompressed .hgt tile, 3" (1201 x 1201) and 1" (3601 x 3601) big-endian int16.
HGT_SIZES_BYTES = (2 * 1201 ** 2, 2 * 3601 ** 2)
#: Cells along each side of an .hgt tile of each size in HGT_SIZES_BYTES.
HGT_SIDES = {2 * 1201 ** 2: 1201, 2 * 3601 ** 2: 3601}
#: Rows of a Copernicus GLO-30 COG tile (one degree of latitude at 1").
COPERNICUS_ROWS = 3600
#: Columns of a Copernicus GLO-30 COG tile by latitude: ``(degrees from the equator up to, columns)``.
COPERNICUS_COLUMNS = ((50, 3600), (60, 2400), (70, 1800), (80, 1200), (85, 720), (90, 360))
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
    #: What the data is and whose, as shown beside results made from it.
    label: str = ""

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

    def cached_tile_name(self, path: Path) -> str | None:
        """Return the tile whose cache file ``path`` is, in any cache folder, or None if it is not one."""
        raise NotImplementedError

    def is_complete(self, path: Path) -> bool:
        """Return True if ``path`` holds a whole tile of this source (a cheap check of the file's ends)."""
        raise NotImplementedError

    def check_download(self, path: Path, tile: str, url: str) -> tuple[int, int]:
        """Return ``(rows, columns)`` of the tile downloaded at ``path``; raise FetchError unless it is a valid tile."""
        raise NotImplementedError

    def tile_label(self, rows: int, cols: int) -> str:
        """Return the label of a tile of ``rows`` x ``cols`` cells from this source."""
        return self.label


class SkadiSource(Source):
    """Gzipped SRTM ``.hgt`` tiles in the skadi layout, ``N35/N35E036.hgt.gz``."""

    def url_path(self, tile: str) -> str:
        return f"{tile[:3]}/{tile_checked(tile)}.hgt.gz"

    def cache_path(self, tile: str, cache_dir: Path) -> Path:
        return Path(cache_dir) / self.name / tile[:3] / f"{tile_checked(tile)}.hgt.gz"

    def cached_tile_name(self, path: Path) -> str | None:
        match = _SKADI_NAME.match(path.name)
        return _cached_name(self, path, match and match.group(1), folder=path.parent.parent.parent)

    def tile_label(self, rows: int, cols: int) -> str:
        return self.label.format(arcsec=1 if rows == 3601 else 3)

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

    def check_download(self, path: Path, tile: str, url: str) -> tuple[int, int]:
        size = hgt_gz_size_bytes(path, tile, url)
        if size not in HGT_SIZES_BYTES:
            raise FetchError(f"tile {tile} from {url} holds {size} bytes of elevation, not a 1201 x 1201 or "
                             f"3601 x 3601 .hgt grid ({HGT_SIZES_BYTES[0]} or {HGT_SIZES_BYTES[1]} bytes); "
                             "nothing was saved: check --base-url")
        side = HGT_SIDES[size]  # an .hgt grid's shape is its size: GDAL reads it so
        return side, side


class CopernicusSource(Source):
    """Copernicus GLO-30 cloud-optimised GeoTIFFs, ``Copernicus_DSM_COG_10_N35_00_E036_00_DEM.tif``."""

    def url_path(self, tile: str) -> str:
        stem = copernicus_name(tile)
        return f"{stem}/{stem}.tif"

    def cache_path(self, tile: str, cache_dir: Path) -> Path:
        return Path(cache_dir) / self.name / f"{copernicus_name(tile)}.tif"

    def cached_tile_name(self, path: Path) -> str | None:
        match = _COPERNICUS_NAME.match(path.name)
        return _cached_name(self, path, match and match.group(1) + match.group(2), folder=path.parent.parent)

    def is_complete(self, path: Path) -> bool:
        try:
            with open(path, "rb") as f:
                return f.read(4) in _TIFF_MAGICS and os.fstat(f.fileno()).st_size > 8
        except OSError:
            return False

    def check_download(self, path: Path, tile: str, url: str) -> tuple[int, int]:
        import rasterio  # lazy: keeps `terrain --help` fast

        try:
            with rasterio.open(path) as dataset:  # reads the header only, whatever size it declares
                count, shape = dataset.count, dataset.shape
        except rasterio.errors.RasterioError as exc:
            raise FetchError(f"tile {tile} from {url} is not a readable GeoTIFF ({exc}); nothing was saved: "
                             "run the fetch again, and check --base-url if it keeps failing") from None
        if count != 1:
            raise FetchError(f"tile {tile} from {url} has {count} bands, not the 1 band of a DEM; "
                             "nothing was saved: check --base-url")
        expected = copernicus_shape(tile)
        if shape != expected:
            raise FetchError(f"tile {tile} from {url} declares {shape[0]} x {shape[1]} cells, not the "
                             f"{expected[0]} x {expected[1]} of a Copernicus GLO-30 tile at its latitude; "
                             "nothing was saved: check --base-url")
        return shape


_SKADI_NAME = re.compile(r"^([NS]\d{2}[EW]\d{3})\.hgt\.gz$")
_COPERNICUS_NAME = re.compile(r"^Copernicus_DSM_COG_10_([NS]\d{2})_00_([EW]\d{3})_00_DEM\.tif$")


def _cached_name(src: Source, path: Path, tile: str | None, folder: Path) -> str | None:
    """``tile`` if ``path`` is where ``src`` caches it below ``folder``, else None."""
    try:
        return tile if tile and src.cache_path(tile, folder) == path else None
    except InputError:  # a name like N95E036: no such tile
        return None


SOURCES: dict[str, Source] = {
    "skadi": SkadiSource("skadi", "https://s3.amazonaws.com/elevation-tiles-prod/skadi",
                         "TERRAIN_SKADI_URL", MAX_HGT_GZ_BYTES,
                         'SRTM {arcsec}" (Terrain Tiles, skadi) — NASA/USGS, public domain'),
    "copernicus": CopernicusSource("copernicus", "https://copernicus-dem-30m.s3.amazonaws.com",
                                   "TERRAIN_COPERNICUS_URL", MAX_COG_BYTES,
                                   "Copernicus GLO-30 DEM — © DLR/Airbus, ESA licence"),
}


def copernicus_shape(tile: str) -> tuple[int, int]:
    """Return ``(rows, columns)`` of the Copernicus GLO-30 COG tile ``tile``: 3600 rows, fewer columns nearer a pole.

    Examples
    --------
    >>> copernicus_shape("N35E036"), copernicus_shape("N50E010"), copernicus_shape("S51W070")
    ((3600, 3600), (3600, 2400), (3600, 2400))
    """
    lat, _ = tile_corner(tile)
    from_equator = min(abs(lat), abs(lat + 1))  # the tile's edge nearest the equator
    cols = next(c for limit, c in COPERNICUS_COLUMNS if from_equator < limit)
    return COPERNICUS_ROWS, cols


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
