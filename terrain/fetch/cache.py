"""The tile cache folder and the tiles already in it.

The folder is ``TERRAIN_CACHE`` when set, else the platform's user cache:
``$XDG_CACHE_HOME/terrain`` (``~/.cache/terrain``) on Linux,
``~/Library/Caches/terrain`` on macOS and ``%LOCALAPPDATA%\\terrain\\Cache``
on Windows.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

from .provenance import CORRUPT, check_cached_tile, corrupt_message
from .sources import SOURCES
from .tiles import tiles_for_bounds

#: Sources in the order :func:`find_cached_tiles` prefers them.
CACHE_PREFERENCE = ("skadi", "copernicus")


def default_cache_dir() -> Path:
    """Return the tile cache folder: ``TERRAIN_CACHE`` if set, else the platform's user cache folder."""
    override = os.environ.get("TERRAIN_CACHE")
    if override:
        return Path(override).expanduser()
    return platform_cache_dir(sys.platform, os.environ)


def platform_cache_dir(platform: str, environ) -> Path:
    """Return the user cache folder for terrain on ``platform`` (a ``sys.platform`` value) given ``environ``."""
    home = Path(environ.get("HOME") or environ.get("USERPROFILE") or Path.home())
    if platform.startswith("win"):
        local = environ.get("LOCALAPPDATA")
        base = Path(local) if local else home / "AppData" / "Local"
        return base / "terrain" / "Cache"
    if platform == "darwin":
        return home / "Library" / "Caches" / "terrain"
    xdg = environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else home / ".cache"  # XDG: ignore relative paths
    return base / "terrain"


def resolve_cache_dir(cache_dir=None) -> Path:
    """Return ``cache_dir`` as a Path, or :func:`default_cache_dir` when it is None."""
    return Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()


def cached_tile_path(tile: str, source: str, cache_dir=None) -> Path | None:
    """Return the cached file of ``tile`` from ``source`` if a usable one is there, else None.

    Usable: it matches its provenance record (size and SHA-256), or it has no
    record and is a whole tile. A corrupt one is not used, with a warning that
    says how to download it again.
    """
    src = SOURCES[source]
    found = check_cached_tile(src.cache_path(tile, resolve_cache_dir(cache_dir)), src, tile)
    if found.state == CORRUPT:
        warnings.warn(corrupt_message(found.path, source, tile, found.problem), stacklevel=3)
    return found.path if found.usable else None


def find_cached_tiles(bounds, cache_dir=None) -> list[Path]:
    """Return cached tile files that together cover ``bounds = (west, south, east, north)`` degrees, or [].

    One source is used for all tiles when it can (skadi first, then
    copernicus); only if neither covers the box alone are the sources mixed,
    skadi preferred tile by tile. Returns [] unless every tile is cached.
    Nothing is downloaded. Every file is checked against its provenance record
    (:func:`cached_tile_path`); a corrupt one counts as not cached.

    Examples
    --------
    >>> find_cached_tiles((36.45, 34.95, 37.05, 35.45), cache_dir="/nonexistent")
    []
    """
    tiles = tiles_for_bounds(bounds)
    folder = resolve_cache_dir(cache_dir)
    found = {source: [cached_tile_path(t, source, folder) for t in tiles] for source in CACHE_PREFERENCE}
    for source in CACHE_PREFERENCE:
        if all(found[source]):
            return found[source]
    mixed = [next((found[s][i] for s in CACHE_PREFERENCE if found[s][i]), None) for i in range(len(tiles))]
    return mixed if all(mixed) else []
