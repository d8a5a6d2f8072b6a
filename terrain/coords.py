"""Points given by users — ``"lat,lon"``, ``"xy:X,Y"`` in the DEM's CRS, ``(lat, lon)`` or a place name — placed on a DEM's grid.

pyproj does every coordinate transform. A point off the DEM, in a data void, or
given in lat/lon on a DEM without a CRS is refused with a sentence saying what
to do instead.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np
import xarray as xr
from pyproj import CRS, Transformer

from .dem import dem_crs, dem_transform
from .errors import InputError

WGS84 = CRS.from_epsg(4326)
_NUM = r"[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?"
_LATLON = re.compile(rf"^\s*({_NUM})\s*([NSns])?\s*[,; ]\s*({_NUM})\s*([EWew])?\s*$")
_XY = re.compile(rf"^\s*xy\s*:\s*({_NUM})\s*[,; ]\s*({_NUM})\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class LatLon:
    """A WGS84 point in degrees, with an optional name."""

    lat: float
    lon: float
    name: str | None = None

    def label(self) -> str:
        """A readable label: the name if any, else the coordinates."""
        return self.name or format_latlon(self.lat, self.lon)


@dataclass(frozen=True)
class XY:
    """A point in the DEM's CRS (``x``, ``y`` in its units), with an optional name: ``"xy:X,Y"`` with a name."""

    x: float
    y: float
    name: str | None = None


@dataclass(frozen=True)
class GridPoint:
    """A point placed on a DEM grid.

    ``row``/``col`` are fractional grid coordinates (0.0 is the centre of the first
    cell), ``r``/``c`` the cell holding the point, ``ground_m`` that cell's height.
    """

    lat: float
    lon: float
    x: float
    y: float
    row: float
    col: float
    r: int
    c: int
    ground_m: float
    name: str | None = None

    def label(self) -> str:
        """A readable label: the name if any, else the coordinates."""
        return self.name or format_latlon(self.lat, self.lon)



@functools.lru_cache(maxsize=32)
def transformer(src, dst) -> Transformer:
    """An ``always_xy`` pyproj Transformer from ``src`` to ``dst``, built once per pair (building one takes
    milliseconds)."""
    return Transformer.from_crs(src, dst, always_xy=True)

def wrap_lon(lon):
    """Longitude(s) in degrees brought into [-180, 180) (a mosaic across the antimeridian runs past 180)."""
    return (np.asarray(lon, dtype=np.float64) + 180.0) % 360.0 - 180.0 if np.ndim(lon) else (float(lon) + 180.0) % 360.0 - 180.0


def format_latlon(lat: float, lon: float, digits: int = 4) -> str:
    """Format a point as ``44.2708N 71.3033W``."""
    if math.isfinite(lon) and abs(lon) > 180.0:
        lon = wrap_lon(lon)
    return f"{abs(lat):.{digits}f}{'N' if lat >= 0 else 'S'} {abs(lon):.{digits}f}{'E' if lon >= 0 else 'W'}"


def parse_point(spec) -> LatLon | tuple[str, float, float]:
    """Turn a user's point into a :class:`LatLon`, or ``("xy", x, y)`` for DEM-CRS coordinates.

    Accepts ``"35.203,36.766"``, ``"44.27N,71.30W"``, ``"xy:500000,3900000"``,
    ``(lat, lon)``, a :class:`LatLon`/:class:`GridPoint`/:class:`XY`, or a place name from the
    gazetteers (case- and accent-insensitive).
    """
    if isinstance(spec, (LatLon, GridPoint)):
        return LatLon(spec.lat, spec.lon, spec.name)
    if isinstance(spec, XY):
        return ("xy", float(spec.x), float(spec.y))
    if isinstance(spec, (tuple, list, np.ndarray)) and len(spec) == 2:
        try:
            lat, lon = float(spec[0]), float(spec[1])
        except (TypeError, ValueError):
            raise InputError(f"cannot read {spec!r} as a point: latitude and longitude must be numbers in degrees, "
                             "e.g. (35.2030, 36.7663)") from None
        return _checked_latlon(lat, lon, None, spec)
    if not isinstance(spec, str):
        raise InputError(f"cannot read {spec!r} as a point; give 'lat,lon', 'xy:X,Y' or a place name")
    text = spec.strip()
    if not text:
        raise InputError("an empty point was given; give 'lat,lon', 'xy:X,Y' or a place name")
    m = _XY.match(text)
    if m:
        return ("xy", float(m.group(1)), float(m.group(2)))
    m = _LATLON.match(text)
    if m:
        lat, lon = float(m.group(1)), float(m.group(3))
        if m.group(2) and m.group(2).upper() == "S":
            lat = -abs(lat)
        if m.group(4) and m.group(4).upper() == "W":
            lon = -abs(lon)
        return _checked_latlon(lat, lon, None, spec)
    if re.match(rf"^\s*{_NUM}", text) and any(ch.isdigit() for ch in text):
        raise InputError(f"cannot read {spec!r} as a point; write it as 'lat,lon' in degrees "
                         "(e.g. '35.2030,36.7663') or 'xy:X,Y' in the DEM's CRS")
    from .places import find_place

    place = find_place(text)
    return LatLon(place.lat, place.lon, place.name)


def _checked_latlon(lat: float, lon: float, name, spec) -> LatLon:
    if not (math.isfinite(lat) and math.isfinite(lon)) or abs(lat) > 90 or abs(lon) > 180:
        raise InputError(f"{spec!r} is not a valid latitude,longitude; latitude must be within ±90 "
                         "and longitude within ±180 degrees (lat first)")
    return LatLon(lat, lon, name)


def locate(dem: xr.DataArray, spec, role: str = "point", allow_void: bool = False) -> GridPoint:
    """Place a user's point on the DEM grid.

    Parameters
    ----------
    dem : xarray.DataArray
        A DEM from :func:`terrain.load_dem`.
    spec : str, tuple or point
        See :func:`parse_point`.
    role : str
        Word used in error messages ("observer", "target", ...).
    allow_void : bool
        Accept a point on a void cell (its ``ground_m`` is then NaN).

    Raises
    ------
    InputError
        The point is off the DEM, on a void, or in lat/lon on a DEM without a CRS.
    """
    parsed = parse_point(spec)
    crs = dem_crs(dem)
    transform = dem_transform(dem)
    if isinstance(parsed, tuple):
        _, x, y = parsed
        name = spec.name if isinstance(spec, XY) else None
        if crs is not None:
            lon, lat = transformer(crs, WGS84).transform(x, y)
        else:
            lat = lon = float("nan")
    else:
        if crs is None:
            raise InputError(f"the {role} is given in lat/lon but the DEM has no CRS; "
                             "give it as 'xy:X,Y' in grid units or assign the DEM a CRS")
        lat, lon, name = parsed.lat, parsed.lon, parsed.name
        if crs.is_geographic and crs.equals(WGS84, ignore_axis_order=True):
            x, y = lon, lat
        else:
            x, y = transformer(WGS84, crs).transform(lon, lat)
        if crs.is_geographic:
            # the turn of longitude nearest the grid's middle: a mosaic across the antimeridian runs past 180
            x_mid = transform.c + transform.a * dem.shape[1] / 2.0
            x += 360.0 * round((x_mid - x) / 360.0)
    col_edge, row_edge = ~transform @ (x, y)
    # a point exactly on a cell edge must land in the same cell whichever window was read
    col_edge, row_edge = round(col_edge, 9), round(row_edge, 9)
    rows, cols = dem.shape
    label = name or (format_latlon(lat, lon) if math.isfinite(lat) else f"x={x:g}, y={y:g}")
    if not (0 <= row_edge < rows and 0 <= col_edge < cols):
        raise InputError(f"the {role} {label} is outside the DEM ({_extent_text(dem)}); choose a point inside it "
                         "or load a DEM that covers it")
    r, c = int(row_edge), int(col_edge)
    ground = float(dem.values[r, c])
    if not math.isfinite(ground) and not allow_void:
        raise InputError(f"the {role} {label} stands on a data void (no elevation there); "
                         "move it to a nearby cell with data or fill the void first")
    return GridPoint(lat=float(lat), lon=float(lon), x=float(x), y=float(y), row=row_edge - 0.5,
                     col=col_edge - 0.5, r=r, c=c, ground_m=ground, name=name)


def _extent_text(dem: xr.DataArray) -> str:
    """What the DEM covers, for a message: its files' whole extent where it was read from files (a window of
    them may have been loaded), and the loaded window's when that is smaller."""
    west, south, east, north = dem_bounds_latlon(dem)
    loaded = f"{format_latlon(south, west)} to {format_latlon(north, east)}"
    files = [f for f in str(dem.attrs.get("files", "")).split("; ") if f]
    if files:
        from .dem import files_extent

        whole = files_extent(files)
        if whole and whole.endswith(f"covers {loaded}"):   # the whole file was loaded
            return whole
        if whole:
            return f"{whole}; the part loaded covers {loaded}"
    return f"which covers {loaded}"


def dem_bounds_latlon(dem: xr.DataArray) -> tuple[float, float, float, float]:
    """The DEM's (west, south, east, north) in WGS84 degrees (its native bounds if it has no CRS)."""
    import rioxarray  # noqa: F401  (registers the .rio accessor)

    return bounds_to_latlon(dem.rio.bounds(recalc=False), dem_crs(dem))


def bounds_to_latlon(bounds, crs) -> tuple[float, float, float, float]:
    """Native ``(left, bottom, right, top)`` bounds in ``crs`` as (west, south, east, north) WGS84 degrees."""
    west, south, east, north = bounds
    if crs is None or crs.equals(WGS84, ignore_axis_order=True):
        return west, south, east, north
    tr = transformer(crs, WGS84)
    return tr.transform_bounds(west, south, east, north, densify_pts=21)


def grid_to_latlon(dem: xr.DataArray, rows, cols):
    """Latitude and longitude (degrees) of fractional grid positions (0.0 = first cell centre)."""
    return cells_to_latlon(dem_transform(dem), dem_crs(dem), rows, cols)


def cells_to_latlon(transform, crs, rows, cols):
    """Latitude and longitude (degrees) of fractional positions on a grid of this transform and CRS."""
    rows = np.asarray(rows, dtype=np.float64)
    cols = np.asarray(cols, dtype=np.float64)
    x, y = transform @ (cols + 0.5, rows + 0.5)
    if crs is None:
        return np.full_like(x, np.nan), np.full_like(x, np.nan)
    if crs.equals(WGS84, ignore_axis_order=True):
        return y, (wrap_lon(x) if np.any(np.abs(x) > 180.0) else x)
    lon, lat = transformer(crs, WGS84).transform(x, y)
    return np.asarray(lat), np.asarray(lon)
