"""The sample elevation data shipped in the repository's ``dem_samples`` folder.

* ``N44W072.hgt``: real SRTM 3" tile of the White Mountains, New Hampshire.
* ``hama_standin.tif``: a SYNTHETIC stand-in for the Hama area, Syria, drawn by
  ``make_hama_standin.py`` because real tiles could not be downloaded where the
  project is built. :func:`hama_dem_paths` prefers real tiles whenever the
  download cache (``terrain fetch``) covers the area.
* ``*_places.csv``: gazetteers of named places (see :mod:`terrain.places`).

Examples
--------
>>> from terrain.samples import hama_dem_paths
>>> paths, is_synthetic = hama_dem_paths()
>>> paths[0].name if is_synthetic else "real tiles"  # doctest: +SKIP
'hama_standin.tif'
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from .errors import DataError

#: The Hama sample area in degrees: (west, south, east, north).
HAMA_BOUNDS = (36.45, 34.95, 37.05, 35.45)

#: The White Mountains sample tile N44W072 in degrees: (west, south, east, north).
WHITE_MOUNTAINS_BOUNDS = (-72.0, 44.0, -71.0, 45.0)

#: Label carried by the stand-in (its SOURCE and TIFFTAG_IMAGEDESCRIPTION tags start with it).
SYNTHETIC_LABEL = "SYNTHETIC stand-in — not SRTM"

#: Bounds of the sample DEM each gazetteer describes: gazetteer name -> (west, south, east, north).
GAZETTEER_BOUNDS = {"hama": HAMA_BOUNDS, "white_mountains": WHITE_MOUNTAINS_BOUNDS}

HAMA_STANDIN_NAME = "hama_standin.tif"
WHITE_MOUNTAINS_NAME = "N44W072.hgt"


def samples_dir() -> Path:
    """Return the sample data folder: ``TERRAIN_SAMPLES`` if set, else the repository's ``dem_samples``.

    Raises
    ------
    DataError
        The folder does not exist.
    """
    override = os.environ.get("TERRAIN_SAMPLES")
    folder = Path(override).expanduser() if override else Path(__file__).resolve().parent.parent / "dem_samples"
    if not folder.is_dir():
        how = ("TERRAIN_SAMPLES points to it; set it to the folder holding N44W072.hgt and the *_places.csv files"
               if override else
               "it ships with the source repository; run from a git checkout or set TERRAIN_SAMPLES to a copy")
        raise DataError(f"sample data folder {folder} is missing; {how}")
    return folder


def _sample_file(name: str) -> Path:
    path = samples_dir() / name
    if not path.is_file():
        raise DataError(f"sample file {path} is missing; restore it from the repository "
                        "(git checkout -- dem_samples) or point TERRAIN_SAMPLES at a complete copy")
    return path


def white_mountains_dem_path() -> Path:
    """Return the path of the real SRTM 3" tile N44W072.hgt (White Mountains, New Hampshire)."""
    return _sample_file(WHITE_MOUNTAINS_NAME)


def hama_standin_path() -> Path:
    """Return the path of the SYNTHETIC Hama stand-in GeoTIFF (not SRTM)."""
    return _sample_file(HAMA_STANDIN_NAME)


def _cached_tiles(bounds) -> list[Path]:
    """Tiles in the download cache covering ``bounds``, or [] (also when the fetch module is not there)."""
    try:
        find_cached_tiles = importlib.import_module(f"{__package__}.fetch").find_cached_tiles
    except (ImportError, AttributeError):
        return []
    return [Path(p) for p in find_cached_tiles(bounds)]


def hama_dem_paths() -> tuple[list[Path], bool]:
    """Return the DEM files for the Hama area and whether they are the synthetic stand-in.

    Real tiles from the download cache (``terrain fetch --area hama``) are used
    when they cover :data:`HAMA_BOUNDS` entirely: ``(tiles, False)``. Otherwise
    ``([hama_standin.tif], True)``; its heights are invented, so results from it
    must be labelled :data:`SYNTHETIC_LABEL`.
    """
    tiles = _cached_tiles(HAMA_BOUNDS)
    if tiles:
        return tiles, False
    return [hama_standin_path()], True


#: The invented urban layer of the Hama showcase (:func:`hama_urban_layer`).
HAMA_URBAN_HEIGHT_M = 12.0
HAMA_URBAN_RADIUS_M = 2_000.0
HAMA_URBAN_STREET_EVERY = 4
HAMA_URBAN_LABEL = ("SYNTHETIC urban layer, invented: 12 m buildings over 2 km around Hama's centre, a street "
                    "every 4th row and column of cells; not real buildings")


def hama_urban_layer(dem, centre="Hama", radius_m: float = HAMA_URBAN_RADIUS_M,
                     height_m: float = HAMA_URBAN_HEIGHT_M, street_every: int = HAMA_URBAN_STREET_EVERY):
    """An invented urban layer for the Hama showcase: obstacle heights (metres above the ground) on ``dem``'s grid.

    Blocks of ``height_m`` buildings within ``radius_m`` metres of ``centre``, cut by open streets along every
    ``street_every``-th row and column of cells; 0 elsewhere. It is **not** a survey of Hama's buildings (none
    can be had here): it shows, on the labelled stand-in, how much of a city high ground sees over rooftops
    against at street level. The DataArray's ``source`` attribute says so.
    """
    import numpy as np
    import rioxarray  # noqa: F401  (registers the .rio accessor)
    import xarray as xr

    from .multi.observers import dem_geometry
    from .multi.target_area import target_area

    _, y_m, dx_m, row_area = dem_geometry(dem)
    inside = target_area(dem, centre, float(radius_m), y_m, dx_m, row_area).mask.astype(bool)
    # streets on a fixed lattice of the grid's coordinates (not the window's first cell), so every window of
    # the same grid carries the same buildings
    t = dem.rio.transform(recalc=False)
    rows = np.floor(np.asarray(dem.y.values, dtype=np.float64) / abs(t.e)).astype(np.int64)[:, None]
    cols = np.floor(np.asarray(dem.x.values, dtype=np.float64) / abs(t.a)).astype(np.int64)[None, :]
    street = (rows % street_every == 0) | (cols % street_every == 0)
    values = np.where(inside & ~street, np.float32(height_m), np.float32(0.0)).astype(np.float32)
    layer = xr.DataArray(values, coords={"y": dem.y, "x": dem.x}, dims=("y", "x"), name="obstacle_height",
                         attrs={"units": "m", "long_name": "building height above the ground", "synthetic": 1,
                                "source": HAMA_URBAN_LABEL})
    # georeferenced like the DEM, so layer.rio.to_raster() writes a file any GIS places (and --obstacles reads)
    layer.rio.write_transform(t, inplace=True)
    if dem.rio.crs is not None:
        layer.rio.write_crs(dem.rio.crs, inplace=True)
    return layer
