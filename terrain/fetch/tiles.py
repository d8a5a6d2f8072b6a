"""One-degree tile names and the tiles that cover a box, a circle or a named area.

A tile is named after its south-west corner, SRTM style: ``N35E036`` covers
latitudes 35 to 36 degrees north and longitudes 36 to 37 degrees east;
``S01W072`` covers 1 to 0 degrees south and 72 to 71 degrees west. Boxes are
``(west, south, east, north)`` in degrees (WGS84 longitude, latitude).
"""

from __future__ import annotations

import math
import re

from ..earth import EARTH_RADIUS_M
from ..errors import InputError
from ..units import parse_distance_m

#: Named areas, ``name -> (west, south, east, north)`` in degrees.
NAMED_AREAS: dict[str, tuple[float, float, float, float]] = {
    "hama": (36.45, 34.95, 37.05, 35.45),
    "white-mountains": (-72.0, 44.0, -71.0, 45.0),
}

_TILE_RE = re.compile(r"^([NS])(\d{2})([EW])(\d{3})$")


def tile_name(lat_deg: int, lon_deg: int) -> str:
    """Return the name of the tile whose south-west corner is at integer ``lat_deg``, ``lon_deg``.

    Examples
    --------
    >>> tile_name(35, 36), tile_name(-1, -72), tile_name(0, -180)
    ('N35E036', 'S01W072', 'N00W180')
    """
    lat, lon = int(lat_deg), int(lon_deg)
    if lat != lat_deg or lon != lon_deg or not -90 <= lat < 90 or not -180 <= lon < 180:
        raise InputError(f"no tile has its south-west corner at latitude {lat_deg}, longitude {lon_deg}; "
                         "use whole degrees, latitude -90 to 89 and longitude -180 to 179")
    return f"{'N' if lat >= 0 else 'S'}{abs(lat):02d}{'E' if lon >= 0 else 'W'}{abs(lon):03d}"


def tile_corner(name: str) -> tuple[int, int]:
    """Return ``(lat_deg, lon_deg)`` of the south-west corner of tile ``name`` (such as ``"S01W072"``)."""
    match = _TILE_RE.match(name)
    if match is None:
        raise InputError(f"{name!r} is not a tile name; tile names look like N35E036 or S01W072")
    ns, lat, ew, lon = match.groups()
    lat_deg = int(lat) * (1 if ns == "N" else -1)
    lon_deg = int(lon) * (1 if ew == "E" else -1)
    if not -90 <= lat_deg < 90 or not -180 <= lon_deg < 180:
        raise InputError(f"tile {name} lies outside the earth; latitude must be -90 to 89, longitude -180 to 179")
    return lat_deg, lon_deg


def check_bounds(bounds) -> tuple[float, float, float, float]:
    """Return ``bounds`` as four floats ``(west, south, east, north)``, or raise InputError saying what is wrong."""
    try:
        west, south, east, north = (float(v) for v in bounds)
    except (TypeError, ValueError):
        raise InputError(f"bounds {bounds!r} are not four numbers; give west, south, east, north "
                         "in degrees, e.g. 36.45,34.95,37.05,35.45") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise InputError(f"bounds {bounds!r} contain a value that is not a finite number")
    if not (-180.0 <= west <= 180.0 and -180.0 <= east <= 180.0):
        raise InputError(f"longitudes {west} and {east} must lie from -180 to 180 degrees")
    if not (-90.0 <= south <= 90.0 and -90.0 <= north <= 90.0):
        raise InputError(f"latitudes {south} and {north} must lie from -90 to 90 degrees")
    if west > east:
        raise InputError(f"west {west} lies east of east {east}; give west,south,east,north, and split a box "
                         "across the 180th meridian into two")
    if south > north:
        raise InputError(f"south {south} lies north of north {north}; give west,south,east,north")
    return west, south, east, north


def _degree_range(low: float, high: float, top: int) -> range:
    """Integer degrees ``d`` whose cell ``[d, d + 1)`` overlaps ``[low, high]``, an edge on a whole degree excluded."""
    first = math.floor(low)
    last = max(first, math.ceil(high) - 1)  # high on a whole degree does not reach the next cell
    return range(max(first, -top), min(last, top - 1) + 1)


def tiles_for_bounds(bounds) -> list[str]:
    """Return the names of the tiles that cover ``bounds = (west, south, east, north)`` degrees.

    A box edge exactly on a whole degree does not pull in the neighbouring
    tile. Names run west to east within a row, rows south to north.

    Examples
    --------
    >>> tiles_for_bounds((36.45, 34.95, 37.05, 35.45))
    ['N34E036', 'N34E037', 'N35E036', 'N35E037']
    >>> tiles_for_bounds((-72.0, 44.0, -71.0, 45.0))
    ['N44W072']
    """
    west, south, east, north = check_bounds(bounds)
    return [tile_name(lat, lon)
            for lat in _degree_range(south, north, 90)
            for lon in _degree_range(west, east, 180)]


def bounds_around(lat_deg: float, lon_deg: float, radius_m: float) -> list[tuple[float, float, float, float]]:
    """Return the boxes ``(west, south, east, north)`` that hold the circle of ``radius_m`` metres around a point.

    The circle is on a sphere of the earth's mean radius. Usually one box; two
    when the circle crosses the 180th meridian; one box of all longitudes when
    it holds a pole.
    """
    lat, lon = float(lat_deg), float(lon_deg)
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise InputError(f"latitude {lat_deg} must lie from -90 to 90 degrees")
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise InputError(f"longitude {lon_deg} must lie from -180 to 180 degrees")
    radius = float(radius_m)
    if not (math.isfinite(radius) and radius > 0):
        raise InputError(f"radius {radius_m} m must be a distance above 0, such as 20km or 500m")
    angle = radius / EARTH_RADIUS_M  # radians of arc
    south = max(-90.0, lat - math.degrees(angle))
    north = min(90.0, lat + math.degrees(angle))
    ratio = math.sin(angle) / math.cos(math.radians(lat)) if abs(lat) < 90.0 else math.inf
    if south <= -90.0 or north >= 90.0 or angle >= math.pi / 2 or ratio >= 1.0:
        return [(-180.0, south, 180.0, north)]  # a pole lies inside: every longitude
    half_width = math.degrees(math.asin(ratio))
    west, east = lon - half_width, lon + half_width
    if west < -180.0:
        return [(west + 360.0, south, 180.0, north), (-180.0, south, east, north)]
    if east > 180.0:
        return [(west, south, 180.0, north), (-180.0, south, east - 360.0, north)]
    return [(west, south, east, north)]


def tiles_around(lat_deg: float, lon_deg: float, radius_m: float) -> list[str]:
    """Return the names of the tiles that cover the circle of ``radius_m`` metres around a point."""
    names: list[str] = []
    for box in bounds_around(lat_deg, lon_deg, radius_m):
        names += [n for n in tiles_for_bounds(box) if n not in names]
    return names


def area_bounds(area: str) -> tuple[float, float, float, float]:
    """Return the box ``(west, south, east, north)`` of a named area, such as ``"hama"``."""
    key = str(area).strip().lower()
    if key not in NAMED_AREAS:
        raise InputError(f"unknown area {area!r}; known areas: {', '.join(sorted(NAMED_AREAS))}")
    return NAMED_AREAS[key]


def parse_radius_m(text) -> float:
    """Return a radius in metres from ``"20km"``, ``"500m"`` or ``"20000"`` (metres); it must be above 0.

    Examples
    --------
    >>> parse_radius_m("20km"), parse_radius_m("500 m"), parse_radius_m(20000)
    (20000.0, 500.0, 20000.0)
    """
    value = parse_distance_m(text, what="radius")
    if not math.isfinite(value):
        raise InputError(f"the radius must be a finite distance such as 20km, got {text!r}")
    return value
