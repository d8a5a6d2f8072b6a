"""Loading elevation data: SRTM ``.hgt`` (plain, ``.zip``, ``.gz``), GeoTIFF/COG, anything rasterio opens.

:func:`load_dem` returns an :class:`xarray.DataArray` of float32 metres with NaN
for voids, carrying its CRS and transform (rioxarray) and attributes naming the
source. Several tiles become one mosaic on a common grid (the shared edge rows
and columns of SRTM tiles land on the same cells, so nothing is duplicated), and
``bounds``/``around`` read only the window needed from disk.
"""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import rasterio
import rasterio.windows
import xarray as xr
from affine import Affine
from pyproj import CRS, Geod, Transformer

from ._resources import available_memory_bytes, format_bytes
from .errors import DataError, InputError

SRTM_SIZES = {2 * 1201 * 1201: 1201, 2 * 3601 * 3601: 3601}
_HGT_NAME = re.compile(r"^([NS])(\d{2})([EW])(\d{3})", re.IGNORECASE)
SRTM_SOURCE = "SRTM — NASA/USGS, public domain"


class DEMNotFoundError(InputError, FileNotFoundError):
    """A DEM path that does not exist."""


def _gdal_path(path: Path) -> str:
    """The path rasterio/GDAL should open for ``path`` (``.hgt.zip`` and ``.hgt.gz`` through GDAL's virtual file systems)."""
    name = path.name.lower()
    path = path.absolute()  # GDAL's /vsizip/ and /vsigzip/ do not resolve a bare or ./ relative name
    if name.endswith(".hgt.zip"):
        return f"zip://{path}!/{path.name[:-4]}"
    if name.endswith(".hgt.gz"):
        return f"/vsigzip/{path}"
    return str(path)


def _check_hgt(path: Path) -> None:
    """Refuse a plain ``.hgt`` whose name or size is not SRTM's, with a sentence saying why."""
    if not _HGT_NAME.match(path.name):
        raise DataError(f"{path} is not named like an SRTM tile (e.g. N44W072.hgt), so its position is unknown; "
                        "rename it after its south-west corner")
    size = path.stat().st_size
    if size not in SRTM_SIZES:
        raise DataError(f"{path} has {size} bytes, not an SRTM tile's 2*1201^2 or 2*3601^2; "
                        "the file is truncated or corrupt, download it again (terrain fetch)")


def _open(path: Path):
    if not path.exists():
        raise DEMNotFoundError(f"no such DEM file: {path}; check the path, or get tiles with `terrain fetch`")
    if path.name.lower().endswith(".hgt"):
        _check_hgt(path)
    try:
        # NUM_THREADS lets GDAL decompress a GeoTIFF's blocks on every core
        return rasterio.open(_gdal_path(path), num_threads="all_cpus")
    except rasterio.errors.RasterioIOError as exc:
        raise DataError(f"{path} is not a readable elevation raster ({str(exc).splitlines()[0]}); "
                        "give a GeoTIFF, an SRTM .hgt/.hgt.zip/.hgt.gz or another GDAL raster") from None


def _as_paths(path_or_paths) -> list[Path]:
    if isinstance(path_or_paths, (str, os.PathLike)):
        items: Iterable = [path_or_paths]
    else:
        items = list(path_or_paths)
    paths = [Path(p).expanduser() for p in items]
    if not paths:
        raise InputError("no DEM files given; pass a path or a list of tile paths")
    return paths


#: Half the WGS84 meridian's length (metres): no point on the earth is farther than this from another.
ANTIPODE_M = 20_003_931.0


def bounds_around(lat: float, lon: float, radius_m: float) -> tuple[float, float, float, float]:
    """The (west, south, east, north) box in degrees that holds a circle of ``radius_m`` metres around a point.

    A circle that reaches over a pole gets the whole band of longitudes down to its far edge; a
    radius beyond the antipode (about 20,004 km) is capped there with a warning. East may exceed
    180 (or west go below -180) for a circle across the antimeridian.
    """
    import warnings

    if not radius_m > 0:
        raise InputError(f"radius {radius_m} m is not positive; give a radius above zero, e.g. 20km")
    if radius_m > ANTIPODE_M:
        warnings.warn(f"radius {radius_m / 1000:,.0f} km is farther than the antipode; "
                      f"capped at {ANTIPODE_M / 1000:,.0f} km (the whole earth)", stacklevel=2)
        radius_m = ANTIPODE_M
    geod = Geod(ellps="WGS84")
    to_north_pole = geod.inv(lon, lat, lon, 90.0)[2]
    to_south_pole = geod.inv(lon, lat, lon, -90.0)[2]
    if radius_m >= to_north_pole or radius_m >= to_south_pole:
        # over a pole: every longitude, from the far edge (down the opposite meridian) to the pole
        north = 90.0 if radius_m >= to_north_pole else geod.fwd(lon, lat, 0, radius_m)[1]
        south = -90.0 if radius_m >= to_south_pole else geod.fwd(lon, lat, 180, radius_m)[1]
        return -180.0, south, 180.0, north
    north = geod.fwd(lon, lat, 0, radius_m)[1]
    south = geod.fwd(lon, lat, 180, radius_m)[1]
    # widest east-west reach is at the circle's poleward latitude
    far_lat = max(abs(north), abs(south))
    dlon = math.degrees(radius_m / (6378137.0 * max(math.cos(math.radians(min(far_lat, 89.9))), 1e-6)))
    if dlon >= 180.0:
        return -180.0, south, 180.0, north
    return lon - dlon, south, lon + dlon, north


def _window_for(ds, bounds_deg, crs: CRS, transform: Affine | None = None) -> rasterio.windows.Window | None:
    """The window of ``ds`` covering ``bounds_deg`` (lon/lat box), rounded outwards, or None if disjoint.

    ``transform`` is the tile's transform as placed in the mosaic (shifted by 360 degrees across
    the antimeridian); the file's own by default.
    """
    transform = ds.transform if transform is None else transform
    west, south, east, north = bounds_deg
    if not crs.is_geographic:
        tr = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        west, south, east, north = tr.transform_bounds(west, south, east, north, densify_pts=21)
    win = rasterio.windows.from_bounds(west, south, east, north, transform=transform)
    col0 = max(int(math.floor(win.col_off)), 0)
    row0 = max(int(math.floor(win.row_off)), 0)
    col1 = min(int(math.ceil(win.col_off + win.width)), ds.width)
    row1 = min(int(math.ceil(win.row_off + win.height)), ds.height)
    if col1 <= col0 or row1 <= row0:
        return None
    # a box smaller than a cell still gets 3 x 3 cells (where the DEM has them), so the grid has a spacing
    # and a too-small radius is reported as such by the analysis instead of as a degenerate grid
    row0, row1 = _at_least(row0, row1, 3, ds.height)
    col0, col1 = _at_least(col0, col1, 3, ds.width)
    return rasterio.windows.Window(col0, row0, col1 - col0, row1 - row0)


def _at_least(lo: int, hi: int, n: int, size: int) -> tuple[int, int]:
    """Widen ``[lo, hi)`` around its middle to ``n`` cells within ``[0, size)`` if it is narrower."""
    if hi - lo >= n:
        return lo, hi
    mid = (lo + hi) // 2
    lo = max(0, min(mid - n // 2, size - n))
    return lo, min(size, lo + n)


def _source_label(ds, paths: Sequence[Path]) -> tuple[str, bool]:
    tags = ds.tags()
    src = tags.get("SOURCE") or tags.get("TIFFTAG_IMAGEDESCRIPTION") or ""
    synthetic = tags.get("SYNTHETIC") == "1" or src.upper().startswith("SYNTHETIC")
    if synthetic:
        return (src or "SYNTHETIC stand-in — not SRTM"), True
    from .fetch.provenance import cached_tiles_label  # cached tiles: labelled by their records, not format

    recorded = cached_tiles_label(paths)
    if recorded is not None:
        return recorded, False
    if ds.driver == "SRTMHGT":
        res = abs(ds.transform.a) * 3600
        return f"SRTM {res:.0f}\" — NASA/USGS, public domain", False
    if "copernicus" in " ".join(p.name.lower() for p in paths):
        return "Copernicus GLO-30 DEM — © DLR/Airbus, ESA licence", False
    return (src or ", ".join(p.name for p in paths)), False


def load_dem(path_or_paths, bounds=None, around=None, band: int = 1) -> xr.DataArray:
    """Load elevation data as a float32 DataArray in metres (NaN for voids).

    Parameters
    ----------
    path_or_paths : str, path or list of them
        An SRTM ``.hgt`` (1" 3601x3601 or 3" 1201x1201; position from the file
        name), ``.hgt.zip``, ``.hgt.gz``, a GeoTIFF/COG, or anything rasterio
        opens. Several paths are mosaicked onto one grid; they must share CRS
        and resolution.
    bounds : tuple of float, optional
        ``(west, south, east, north)`` in degrees (WGS84). Only this window is read.
    around : tuple of float, optional
        ``(lat, lon, radius_m)``: read only the box holding this circle (degrees, metres).
    band : int
        Which band of a multi-band raster holds the heights (1 is the first).

    Returns
    -------
    xarray.DataArray
        Dims ``("y", "x")`` with cell-centre coordinates, CRS and transform set
        through rioxarray, attributes ``units`` ("m"), ``source``, ``synthetic``
        (bool as int), ``files``, ``band`` and ``band_count``.

    Notes
    -----
    The grid always comes back north-up with columns west to east: a south-up or
    east-to-west raster is flipped on load, so rows, azimuths and sectors mean the
    same for every file. A rotated or sheared grid is refused (warp it first). A
    band's scale and offset (packed heights such as uint16 decimetres) are applied,
    and so is its nodata value.

    Examples
    --------
    >>> dem = load_dem("dem_samples/N44W072.hgt", around=(44.2708, -71.3033, 5000))
    >>> float(dem.max())
    1908.0
    """
    grid = read_dem(path_or_paths, bounds=bounds, around=around, band=band)
    da = _as_dataarray(grid.values, grid.transform, grid.crs, source=grid.source, synthetic=grid.synthetic,
                       files=grid.files)
    da.attrs.update({"band": grid.band, "band_count": grid.band_count})
    return da


@dataclass(frozen=True)
class DemGrid:
    """A DEM as :func:`read_dem` reads it: what :func:`load_dem` makes its DataArray of.

    ``values`` (float32 metres, NaN for voids), ``transform`` and ``crs`` of the grid, and the
    attributes ``source``, ``synthetic`` and ``files``. Reading one needs no rioxarray (which
    imports Dask when it is installed), so ``terrain info`` starts quickly.
    """

    values: np.ndarray
    transform: Affine
    crs: CRS | None
    source: str
    synthetic: bool
    files: list[str]
    band: int = 1
    band_count: int = 1

    def dataarray_transform(self) -> Affine:
        """The transform :func:`dem_transform` gives for this grid's DataArray.

        rioxarray recomputes the origin from the first cell centres, which can differ from
        ``transform`` in the last bit; this is the same arithmetic.
        """
        return _dataarray_transform(self.transform)

    def dataarray_bounds(self) -> tuple[float, float, float, float]:
        """``(left, bottom, right, top)`` as ``.rio.bounds(recalc=False)`` gives them for this grid's DataArray
        (north-up, west to east: :func:`read_dem` turns every grid so)."""
        return _dataarray_bounds(self.transform, self.values.shape)


def _dataarray_transform(t: Affine) -> Affine:
    xs, ys = _cell_centres(t, (1, 1))
    return Affine.translation(float(xs[0]) - t.a / 2.0, float(ys[0]) - t.e / 2.0) * Affine.scale(t.a, t.e)


def _dataarray_bounds(t: Affine, shape) -> tuple[float, float, float, float]:
    xs, ys = _cell_centres(t, shape)
    left, right = float(xs[0]) - t.a / 2.0, float(xs[-1]) + t.a / 2.0
    top, bottom = float(ys[0]) - t.e / 2.0, float(ys[-1]) + t.e / 2.0
    return left, bottom, right, top


#: ``terrain info`` reads one file larger than this (as float32) in blocks of rows rather than whole.
STREAM_ABOVE_BYTES = 512 * 2**20


@dataclass
class DemStream:
    """One DEM file read block by block, north-up (:func:`stream_dem`): its grid without its values.

    ``transform`` and ``shape`` are those :func:`read_dem` gives the whole file; :meth:`blocks` yields
    ``(first_row, values)`` in north-up row order, each block the rows :func:`read_dem` would hold there
    (float32 metres, NaN for voids), so a summary of the blocks is a summary of the grid.
    """

    path: Path
    band: int
    transform: Affine
    shape: tuple[int, int]
    crs: CRS | None
    source: str
    synthetic: bool
    band_count: int

    def dataarray_transform(self) -> Affine:
        return _dataarray_transform(self.transform)

    def dataarray_bounds(self) -> tuple[float, float, float, float]:
        return _dataarray_bounds(self.transform, self.shape)

    def blocks(self, rows_per_block: int = 1024):
        rows = self.shape[0]
        with _open(self.path) as ds:
            for r0 in range(0, rows, rows_per_block):
                yield r0, self._read_rows(ds, r0, min(r0 + rows_per_block, rows))

    def rows(self, r0: int, r1: int, out: np.ndarray | None = None) -> np.ndarray:
        """North-up rows ``r0:r1`` as :func:`read_dem` holds them (float32 metres, NaN for voids); ``out``: a
        buffer of at least that many rows to read them into (reused from band to band, so a long run does
        not fragment the heap with one large allocation a band)."""
        with _open(self.path) as ds:
            return self._read_rows(ds, r0, r1, out)

    def rows_dataarray(self, r0: int, r1: int, out: np.ndarray | None = None) -> xr.DataArray:
        """Rows ``r0:r1`` as a DEM DataArray, as :func:`load_dem` would give that part of the file (read into
        ``out`` when given, as :meth:`rows`)."""
        values = self.rows(r0, r1, out)
        transform = self.transform * Affine.translation(0, r0)
        da = _as_dataarray(values, transform, self.crs, source=self.source, synthetic=self.synthetic,
                           files=[str(self.path)])
        da.attrs.update({"band": self.band, "band_count": self.band_count})
        return da

    def grid_dataarray(self) -> xr.DataArray:
        """The whole grid as a DEM DataArray without its values (a read-only NaN view of no memory): the
        coordinates, transform, CRS and attributes, to label results on."""
        values = np.broadcast_to(np.float32(np.nan), self.shape)
        return _as_dataarray(values, self.transform, self.crs, source=self.source, synthetic=self.synthetic,
                             files=[str(self.path)])

    def _read_rows(self, ds, r0: int, r1: int, out: np.ndarray | None = None) -> np.ndarray:
        rows, cols = self.shape
        n = r1 - r0
        south_up, east_west = ds.transform.e > 0, ds.transform.a < 0
        file_r0 = rows - r0 - n if south_up else r0
        block = np.empty((n, cols), np.float32) if out is None else out.reshape(-1)[:n * cols].reshape(n, cols)
        try:
            ds.read(self.band, window=rasterio.windows.Window(0, file_r0, cols, n), out=block)
        except rasterio.errors.RasterioIOError as exc:
            raise DataError(f"{ds.name} could not be read ({str(exc).splitlines()[0]}); the file is "
                            "corrupt, download or copy it again") from None
        _to_metres(block, ds, self.band)
        if south_up:
            block = block[::-1]
        if east_west:
            block = block[:, ::-1]
        return np.ascontiguousarray(block)


def stream_dem(path, band: int = 1) -> DemStream:
    """A :class:`DemStream` of one DEM file: what :func:`read_dem` would read, to be read block by block."""
    band = _band_number(band)
    (p,) = _as_paths(path)
    with _open(p) as ds:
        _check_band(ds, p, band)
        _check_geotransform(ds.transform, p)
        shape = (ds.height, ds.width)
        source, synthetic = _source_label(ds, [p])
        crs = CRS.from_user_input(ds.crs) if ds.crs is not None else None
        return DemStream(p, band, north_up_transform(ds.transform, shape), shape, crs, source, synthetic,
                         int(ds.count))


def file_bytes_as_grid(path) -> int | None:
    """Bytes the float32 grid of one DEM file would take in memory, or None when it cannot be opened."""
    try:
        (p,) = _as_paths(path)
        with _open(p) as ds:
            return 4 * int(ds.width) * int(ds.height)
    except (InputError, DataError, ValueError):
        return None


def read_dem(path_or_paths, bounds=None, around=None, band: int = 1) -> DemGrid:
    """Read elevation data as :func:`load_dem` does, as a :class:`DemGrid` rather than a DataArray."""
    band = _band_number(band)
    if bounds is not None and around is not None:
        raise InputError("give either bounds or around, not both")
    area = None
    if around is not None:
        lat, lon, radius_m = around
        bounds = bounds_around(float(lat), float(lon), float(radius_m))
        from .coords import format_latlon

        area = (f"the point {format_latlon(float(lat), float(lon))} and the {float(radius_m) / 1000:g} km around it "
                "lie")
    if bounds is not None:
        w, s, e, n = (float(v) for v in bounds)
        if not (w < e and s < n):
            raise InputError(f"bounds {bounds} are empty; give (west, south, east, north) with west < east and south < north")
        bounds = (w, s, e, n)

    paths = _as_paths(path_or_paths)
    datasets = [_open(p) for p in paths]
    try:
        for ds, p in zip(datasets, paths):
            _check_band(ds, p, band)
            _check_geotransform(ds.transform, p)
        return _read_mosaic(datasets, paths, bounds, band, area)
    finally:
        for ds in datasets:
            ds.close()


def _band_number(band) -> int:
    if isinstance(band, bool) or not isinstance(band, (int, np.integer)) or band < 1:
        raise InputError(f"band {band!r} is not a band number; bands are counted from 1 (--band 1 is the first)")
    return int(band)


def _check_band(ds, path: Path, band: int) -> None:
    if band > ds.count:
        raise InputError(f"{path} has {ds.count} band{'s' if ds.count != 1 else ''}, so there is no band {band}; "
                         f"choose --band 1{f' to {ds.count}' if ds.count > 1 else ''}")


def _check_geotransform(transform: Affine, path) -> None:
    """Refuse a rotated or sheared grid: every analysis assumes rows along parallels (or grid x)."""
    if transform.b != 0 or transform.d != 0:
        raise InputError(f"{path}'s grid is rotated or sheared (geotransform terms {transform.b:g}, {transform.d:g}), "
                         "so its cells are not where a north-up grid would put them; warp it north-up first "
                         "(gdalwarp in.tif out.tif, or rasterio's reproject)")
    if transform.a == 0 or transform.e == 0:
        raise InputError(f"{path}'s geotransform has a zero cell size; fix the file's georeferencing first")


def north_up(values: np.ndarray, transform: Affine) -> tuple[np.ndarray, Affine]:
    """``values`` and ``transform`` with rows north (or grid +y) first and columns west to east.

    A south-up grid (positive y scale) or an east-to-west one (negative x scale) is flipped in
    place, a row pair at a time, so no second raster is made; the transform is rewritten to match.
    """
    rows, cols = values.shape
    if transform.e > 0:
        for r in range(rows // 2):
            top = values[r].copy()
            values[r] = values[rows - 1 - r]
            values[rows - 1 - r] = top
    if transform.a < 0:
        for r in range(rows):
            values[r] = values[r, ::-1].copy()
    return values, north_up_transform(transform, values.shape)


def north_up_transform(transform: Affine, shape) -> Affine:
    """The transform of a ``shape`` grid of ``transform`` once turned north-up and west to east (:func:`north_up`)."""
    rows, cols = shape
    a, e, c, f = transform.a, transform.e, transform.c, transform.f
    if e > 0:
        f, e = f + e * rows, -e
    if a < 0:
        c, a = c + a * cols, -a
    return Affine(a, 0.0, c, 0.0, e, f)


def describe_extent(datasets, paths) -> str:
    """``"N44W072.hgt covers 44.0000N 72.0000W to 45.0000N 71.0000W"``: what the files cover, for messages."""
    from .coords import bounds_to_latlon, format_latlon

    parts = []
    for ds, p in zip(datasets, paths):
        crs = CRS.from_user_input(ds.crs) if ds.crs is not None else None
        if crs is None:
            parts.append(f"{p.name} (no CRS)")
            continue
        w, s, e, n = bounds_to_latlon(tuple(ds.bounds), crs)
        parts.append(f"{p.name} covers {format_latlon(s, w)} to {format_latlon(n, e)}")
    return "; ".join(parts)


def files_crs(files) -> CRS | None:
    """The CRS of the first of these DEM files (read from its header only), or None without one."""
    ds = _open(Path(list(files)[0]).expanduser())
    try:
        return CRS.from_user_input(ds.crs) if ds.crs is not None else None
    finally:
        ds.close()


def files_extent(files) -> str | None:
    """:func:`describe_extent` of DEM files named by path (None if any cannot be opened)."""
    paths = [Path(f) for f in files]
    try:
        datasets = [_open(p) for p in paths]
    except Exception:
        return None
    try:
        return describe_extent(datasets, paths)
    finally:
        for ds in datasets:
            ds.close()


def _antimeridian_placement(datasets, crs: CRS | None, bounds) -> list[Affine]:
    """Each tile's transform as placed in the mosaic: on a lon/lat grid, shifted by whole turns (360
    degrees) to lie nearest the requested area's centre (or the first tile), so tiles either side of
    the antimeridian become neighbours instead of lying a world apart."""
    transforms = [ds.transform for ds in datasets]
    if crs is None or not crs.is_geographic:
        return transforms

    def centre(ds, t):
        return t.c + t.a * ds.width / 2.0

    ref = 0.5 * (bounds[0] + bounds[2]) if bounds is not None else centre(datasets[0], transforms[0])
    out = []
    for ds, t in zip(datasets, transforms):
        turns = round((ref - centre(ds, t)) / 360.0)
        out.append(Affine.translation(360.0 * turns, 0.0) * t if turns else t)
    return out


def _read_mosaic(datasets, paths, bounds, band: int = 1, area: str | None = None) -> DemGrid:
    first = datasets[0]
    if first.crs is None and bounds is not None:
        raise InputError(f"{paths[0]} has no CRS, so a lat/lon window cannot be placed on it; "
                         "assign a CRS first (gdal_edit.py -a_srs) or load it whole")
    crs = CRS.from_user_input(first.crs) if first.crs is not None else None
    res = (first.transform.a, first.transform.e)
    for ds, p in zip(datasets[1:], paths[1:]):
        other = CRS.from_user_input(ds.crs) if ds.crs is not None else None
        if other != crs:
            raise InputError(f"{p} is in {other.to_string() if other else 'no CRS'} but {paths[0]} is in "
                             f"{crs.to_string() if crs else 'no CRS'}; reproject the tiles to one CRS before mosaicking")
        if not np.allclose((ds.transform.a, ds.transform.e), res, rtol=1e-9, atol=0):
            raise InputError(f"{p} has a different cell size from {paths[0]}; resample the tiles to one grid first")

    placed_transforms = _antimeridian_placement(datasets, crs, bounds)
    pieces = []
    for ds, tt in zip(datasets, placed_transforms):
        win = (_window_for(ds, bounds, crs, tt) if bounds is not None
               else rasterio.windows.Window(0, 0, ds.width, ds.height))
        if win is not None:
            pieces.append((ds, win, tt))
    if not pieces:
        area = area or "the requested area ({:.4f}, {:.4f}, {:.4f}, {:.4f}) lies".format(*bounds)
        raise InputError(f"{area} outside the DEM ({describe_extent(datasets, paths)}); "
                         "choose an area the DEM covers or fetch tiles that cover it")

    # place every window on a common grid anchored at the first tile's origin
    a, e = res
    x0, y0 = placed_transforms[0].c, placed_transforms[0].f
    placed = []
    for ds, win, tt in pieces:
        wt = rasterio.windows.transform(win, tt)
        col_off = int(round((wt.c - x0) / a))
        row_off = int(round((wt.f - y0) / e))
        placed.append((ds, win, row_off, col_off))
    rmin = min(p[2] for p in placed)
    cmin = min(p[3] for p in placed)
    rmax = max(p[2] + int(p[1].height) for p in placed)
    cmax = max(p[3] + int(p[1].width) for p in placed)
    single = len(placed) == 1
    # a single window fills the whole output; a mosaic starts as voids where no tile reaches
    shape = (rmax - rmin, cmax - cmin)
    _check_mosaic_size(shape, sum(int(w.height) * int(w.width) for _, w, _, _ in placed), paths)
    out = np.empty(shape, dtype=np.float32) if single else np.full(shape, np.nan, dtype=np.float32)
    for ds, win, row_off, col_off in placed:
        r, c = row_off - rmin, col_off - cmin
        h, w = int(win.height), int(win.width)
        # one tile: read straight into the output; several: read each, then keep the values
        # already placed where this tile is void (the edges that neighbours share)
        dest = out[r:r + h, c:c + w] if single else np.empty((h, w), dtype=np.float32)
        try:
            ds.read(band, window=win, out=dest)
        except rasterio.errors.RasterioIOError as exc:
            raise DataError(f"{ds.name} could not be read ({str(exc).splitlines()[0]}); the file is corrupt, "
                            "download or copy it again") from None
        _to_metres(dest, ds, band)
        if not single:
            target = out[r:r + h, c:c + w]
            np.copyto(target, dest, where=~np.isnan(dest))
    out, transform = north_up(out, Affine(a, 0.0, x0 + cmin * a, 0.0, e, y0 + rmin * e))
    source, synthetic = _source_label(first, paths)
    return DemGrid(out, transform, crs, source=source, synthetic=synthetic, files=[str(p) for p in paths],
                   band=band, band_count=int(first.count))


#: A mosaic box may hold at most this many times the cells its tiles bring (the rest is void).
MOSAIC_FILL_LIMIT = 4.0


def _check_mosaic_size(shape, tile_cells: int, paths) -> None:
    """Refuse, before allocating, a grid that cannot fit in memory or is mostly empty box."""
    cells = int(shape[0]) * int(shape[1])
    nbytes = 4 * cells
    names = ", ".join(p.name for p in paths[:4]) + (" ..." if len(paths) > 4 else "")
    if len(paths) > 1 and cells > 4 * 10**7 and cells > MOSAIC_FILL_LIMIT * tile_cells:
        raise InputError(f"the tiles {names} are not neighbours: their mosaic would be a {shape[0]} x {shape[1]} grid "
                         f"({format_bytes(nbytes)}) of which {100 * (1 - tile_cells / cells):.0f} % is empty; "
                         "load tiles that touch, or give bounds/around to read one area")
    available = available_memory_bytes()
    if available is not None and nbytes > available:
        raise InputError(f"the DEM ({names}) would be a {shape[0]} x {shape[1]} grid needing "
                         f"{format_bytes(nbytes)}, more than the {format_bytes(available)} of memory available; "
                         "read a smaller area with bounds/around (--radius on the command line)")


def _to_metres(dest: np.ndarray, ds, band: int) -> None:
    """Band values as read turned into heights, in place: nodata to NaN, scale and offset, voids to NaN."""
    nodata = ds.nodatavals[band - 1]
    if nodata is None and ds.driver == "SRTMHGT":
        nodata = -32768
    if nodata is not None and not np.isnan(nodata):
        dest[dest == np.float32(nodata)] = np.nan
    _apply_scale_offset(dest, ds.scales[band - 1], ds.offsets[band - 1])
    voids_to_nan(dest)


def _apply_scale_offset(z: np.ndarray, scale, offset) -> None:
    """Turn stored values into metres in place: ``z * scale + offset`` (GDAL's unit scaling of a band)."""
    scale = 1.0 if scale is None else float(scale)
    offset = 0.0 if offset is None else float(offset)
    if scale != 1.0:
        np.multiply(z, np.float32(scale), out=z)
    if offset != 0.0:
        np.add(z, np.float32(offset), out=z)


#: Heights of this size or more (metres; float32's 3.4e38 fill value, infinities) are voids, not terrain.
VOID_ABOVE_M = 1e30


def voids_to_nan(z: np.ndarray, rows_per_block: int = 1024) -> np.ndarray:
    """Turn every non-finite cell and every cell with ``|z| >= VOID_ABOVE_M`` into NaN, in place; return ``z``.

    One rule for every reader, so the kernels, ``info`` and every method see the same voids. Done in
    blocks of rows so that no raster-sized temporary is made.
    """
    for r in range(0, z.shape[0], rows_per_block):
        block = z[r:r + rows_per_block]
        bad = ~(np.abs(block) < VOID_ABOVE_M)   # NaN compares False, so NaN stays NaN
        block[bad] = np.nan
    return z


def _has_huge(z: np.ndarray, rows_per_block: int = 1024) -> bool:
    """Whether ``z`` holds an infinite cell or one with ``|z| >= VOID_ABOVE_M`` (NaN voids do not count)."""
    for r in range(0, z.shape[0], rows_per_block):
        block = z[r:r + rows_per_block]
        if np.any(np.abs(block) >= VOID_ABOVE_M):
            return True
    return False


def _cell_centres(transform: Affine, shape) -> tuple[np.ndarray, np.ndarray]:
    """The x of every column's and the y of every row's cell centre: a DEM DataArray's coordinates."""
    rows, cols = shape
    return transform.c + transform.a * (np.arange(cols) + 0.5), transform.f + transform.e * (np.arange(rows) + 0.5)


def _as_dataarray(values: np.ndarray, transform: Affine, crs, *, source: str, synthetic: bool,
                  files: Sequence[str]) -> xr.DataArray:
    import rioxarray  # noqa: F401  (registers the .rio accessor)

    xs, ys = _cell_centres(transform, values.shape)
    da = xr.DataArray(values, dims=("y", "x"), coords={"y": ys, "x": xs}, name="elevation",
                      attrs={"units": "m", "long_name": "elevation above sea level", "source": source,
                             "synthetic": int(synthetic), "files": "; ".join(files)})
    # inplace: rioxarray's default returns a deep copy of the whole raster
    da.rio.write_transform(transform, inplace=True)
    if crs is not None:
        da.rio.write_crs(crs, inplace=True)
    da.rio.write_nodata(np.nan, encoded=False, inplace=True)
    return da


def dem_from_array(values, transform, crs=None, source: str = "array", synthetic: bool = False) -> xr.DataArray:
    """Wrap a 2-D array of heights (metres) as a DEM like :func:`load_dem` returns (for synthetic terrain and tests).

    Parameters
    ----------
    values : array_like
        Heights in metres, rows north to south; NaN for voids.
    transform : affine.Affine or tuple
        Affine transform of the grid (a 6-tuple in GDAL order is accepted too).
    crs : optional
        Anything pyproj understands; None for a grid in metres without a CRS.
    """
    if not isinstance(transform, Affine):
        transform = Affine.from_gdal(*transform) if len(transform) == 6 else Affine(*transform)
    arr = np.ascontiguousarray(values, dtype=np.float32)
    if arr.ndim != 2:
        raise InputError(f"a DEM must be a 2-D array, got {arr.ndim} dimensions")
    _check_geotransform(transform, "the array")
    flip = transform.e > 0 or transform.a < 0
    huge = _has_huge(arr)
    if (flip or huge) and np.shares_memory(arr, values):
        arr = arr.copy()   # the caller's array is not changed by the void rule or the flip
    if huge:
        voids_to_nan(arr)
    arr, transform = north_up(arr, transform)
    return _as_dataarray(arr, transform, CRS.from_user_input(crs) if crs is not None else None,
                         source=source, synthetic=synthetic, files=[])


def read_more_around(dem: xr.DataArray, lat: float, lon: float, radius_m: float) -> xr.DataArray | None:
    """The DEM widened from its own files to hold a circle of ``radius_m`` metres around ``(lat, lon)``.

    For a DEM from :func:`load_dem` (its ``files`` attribute) whose loaded window is smaller than the circle:
    the box around the circle is read from the same files and band, and the loaded DEM is laid over it,
    so values changed in memory are kept. None when there is nothing more to read: no files (a DEM built
    in memory), a file gone, a grid that is not the files' own (resampled or shifted), or files that end
    where the loaded DEM does.
    """
    from .errors import TerrainError

    files = [f for f in str(dem.attrs.get("files", "")).split("; ") if f]
    if not files or not all(Path(f).expanduser().exists() for f in files):
        return None
    t = dem_transform(dem)
    x0, y1 = t.c, t.f
    x1, y0 = t.c + t.a * dem.shape[1], t.f + t.e * dem.shape[0]
    tol_x, tol_y = 0.5 * abs(t.a), 0.5 * abs(t.e)
    try:
        whole = [_open(Path(f).expanduser()) for f in files]
    except TerrainError:
        return None
    try:
        if all(ds.bounds.left >= x0 - tol_x and ds.bounds.right <= x1 + tol_x and ds.bounds.bottom >= y0 - tol_y
               and ds.bounds.top <= y1 + tol_y for ds in whole):
            return None   # the files are loaded whole: nothing more to read
    finally:
        for ds in whole:
            ds.close()
    try:
        wider = load_dem(files, around=(lat, lon, radius_m), band=int(dem.attrs.get("band", 1)))
    except TerrainError:
        return None
    tw = dem_transform(wider)
    if not (math.isclose(t.a, tw.a, rel_tol=1e-9) and math.isclose(t.e, tw.e, rel_tol=1e-9)
            and t.b == tw.b == 0 and t.d == tw.d == 0):
        return None
    col, row = (t.c - tw.c) / tw.a, (t.f - tw.f) / tw.e
    c0, r0 = round(col), round(row)
    if abs(col - c0) > 1e-6 or abs(row - r0) > 1e-6:
        return None
    # the overlap of the loaded DEM with the wider read, in both grids' rows and columns
    rows, cols = dem.shape
    wr0, wr1 = max(r0, 0), min(r0 + rows, wider.shape[0])
    wc0, wc1 = max(c0, 0), min(c0 + cols, wider.shape[1])
    if wr1 <= wr0 or wc1 <= wc0 or (wr1 - wr0) * (wc1 - wc0) == wider.size:
        return None
    wider.values[wr0:wr1, wc0:wc1] = dem.values[wr0 - r0:wr1 - r0, wc0 - c0:wc1 - c0]
    wider.attrs.update({k: v for k, v in dem.attrs.items() if k != "_FillValue"})
    return wider


def dem_transform(dem: xr.DataArray) -> Affine:
    """The affine transform of a DEM DataArray (kept on its ``.rio`` accessor: rioxarray takes about a
    millisecond to work it out, and a many-observer run asks once per observer)."""
    import rioxarray  # noqa: F401  (registers the .rio accessor)

    acc = dem.rio
    cached = getattr(acc, "_terrain_transform", None)
    if cached is None:
        cached = acc.transform(recalc=False)
        acc._terrain_transform = cached
    return cached


def dem_crs(dem: xr.DataArray):
    """The CRS of a DEM DataArray as a pyproj CRS, or None."""
    import rioxarray  # noqa: F401  (registers the .rio accessor)

    acc = dem.rio
    if not hasattr(acc, "_terrain_crs"):
        crs = acc.crs
        acc._terrain_crs = CRS.from_user_input(crs) if crs is not None else None
    return acc._terrain_crs


def to_utm(dem: xr.DataArray, resolution_m: float | None = None) -> xr.DataArray:
    """Reproject a DEM to its local UTM zone (bilinear), for users who want a metric grid.

    Parameters
    ----------
    dem : xarray.DataArray
        A DEM with a CRS, e.g. from :func:`load_dem`.
    resolution_m : float, optional
        Output cell size in metres; by default about the input's cell size.
    """
    import rioxarray  # noqa: F401  (registers the .rio accessor)
    from rasterio.enums import Resampling

    if dem.rio.crs is None:
        raise InputError("the DEM has no CRS, so its UTM zone is unknown; assign a CRS first")
    utm = dem.rio.estimate_utm_crs()
    kwargs = {"resampling": Resampling.bilinear, "nodata": np.nan}
    if resolution_m is not None:
        kwargs["resolution"] = float(resolution_m)
    out = dem.rio.reproject(utm, **kwargs).astype(np.float32)
    out.attrs.update({k: v for k, v in dem.attrs.items() if k not in out.attrs})
    return out
