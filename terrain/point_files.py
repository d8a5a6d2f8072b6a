"""Files of points (observers, candidates, places): CSV with a header, GeoJSON, GeoPackage and Shapefile points.

:func:`read_points` reads every kind, chosen by the file's extension:

- ``.geojson`` / ``.json``: a FeatureCollection of Point features (or one Feature, or a Point), in lon/lat
  (RFC 7946; a legacy ``crs`` member is honoured); the name from ``properties.name``.
- ``.gpkg`` / ``.shp``: Point features read with pyogrio (``pip install pyogrio``), in the layer's CRS;
  without a CRS (a Shapefile without ``.prj``) the coordinates are taken in the DEM's CRS.
- anything else (``.csv``, ``.tsv``, ``.txt``): a table whose header names the columns, in any order and
  any case, separated by commas, semicolons or tabs -- ``lat``/``latitude`` and ``lon``/``lng``/``longitude``
  in degrees, or ``x``/``easting`` and ``y``/``northing`` in the DEM's CRS, an optional ``name``/``label``
  and an optional ``height_m``/``observer_height`` (metres, the observer's own height). A file without a
  header holds one point a line as typed on the command line (``35.2,36.7``, ``xy:X,Y``, a place name);
  ``#`` starts a comment line.

Reading is bounded: a file over :data:`MAX_BYTES` or with more than :data:`MAX_POINTS` points is refused,
so ``@/dev/zero`` fails at once instead of reading forever.

Examples
--------
>>> from terrain.point_files import read_points
>>> pts = read_points("observers.csv")                        # doctest: +SKIP
>>> [p.name for p in pts.points], pts.heights_m               # doctest: +SKIP
(['Mount Washington', 'Mount Adams'], None)
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError

#: Largest file of points read, bytes.
MAX_BYTES = 100 * 1024 * 1024
#: Most points a file may hold.
MAX_POINTS = 1_000_000
#: Extensions read as GeoJSON, and with pyogrio (the files that make up a Shapefile are all inputs).
GEOJSON_SUFFIXES = (".geojson", ".json")
VECTOR_SUFFIXES = (".gpkg", ".shp")
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
#: Extensions of every file of points, headers or not.
POINT_FILE_SUFFIXES = (".csv", ".tsv", ".txt") + GEOJSON_SUFFIXES + VECTOR_SUFFIXES

#: Column (or property) names understood, case-insensitive; the first one present is used.
COLUMNS = {
    "name": ("name", "label"),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "x": ("x", "easting"),
    "y": ("y", "northing"),
    "height": ("height_m", "observer_height", "observer_height_m"),
}
_NUMBER = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*[NSEWnsew]?\s*$")


@dataclass(frozen=True)
class PointFile:
    """The points of a file, in file order.

    ``points`` are :class:`terrain.coords.LatLon` (lat/lon degrees), :class:`terrain.coords.XY` (the DEM's
    CRS) or, for a file of one point a line, the text of each line. ``heights_m`` is None when the file has no
    height column, else one observer height (metres) or None (not given) per point.
    """

    path: str
    points: list
    heights_m: list | None = None

    def __len__(self) -> int:
        return len(self.points)


def is_point_file(text: str) -> bool:
    """True when ``text`` names an existing file with the extension of a file of points."""
    return str(text).lower().endswith(POINT_FILE_SUFFIXES) and os.path.isfile(text)


def point_file_parts(path) -> list[str]:
    """The files reading ``path`` opens: the file itself, and for a Shapefile its ``.shx``/``.dbf``/... beside it."""
    path = str(path)
    if not path.lower().endswith(".shp"):
        return [path]
    stem = path[:-4]
    return [path] + [stem + s for s in SHAPEFILE_PARTS[1:] + tuple(x.upper() for x in SHAPEFILE_PARTS[1:])
                     if os.path.isfile(stem + s)]


def read_points(path) -> PointFile:
    """Read a file of points (see the module docstring for the formats).

    Parameters
    ----------
    path : str or path
        The file; its extension chooses the reader.

    Returns
    -------
    PointFile

    Raises
    ------
    InputError
        The file is missing, too large, not of a format read here, has no recognisable columns, or a
        point is not a valid Point (the message names the line or the feature index).
    """
    path = str(path)
    suffix = Path(path).suffix.lower()
    if suffix in VECTOR_SUFFIXES:
        result = _read_vector(path)
    elif suffix in GEOJSON_SUFFIXES:
        result = _read_geojson(path, _read_text(path))
    else:
        result = _read_table(path, _read_text(path))
    if not result.points:
        raise InputError(f"{path} holds no points; give at least one")
    return result


# --- reading, bounded ---------------------------------------------------------------------------------

def _checked_file(path: str) -> os.stat_result:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"no such file of points: {path}") from None
    except OSError as exc:
        raise InputError(f"cannot read the file of points {path} ({exc.strerror})") from None
    if stat.S_ISDIR(st.st_mode):
        raise InputError(f"{path} is a folder; give a file of points (CSV, GeoJSON, GeoPackage or Shapefile)")
    if stat.S_ISREG(st.st_mode) and st.st_size > MAX_BYTES:
        raise InputError(f"{path} is {st.st_size / 2**20:.0f} MB, over the {MAX_BYTES // 2**20} MB a file of "
                         "points may have; split it or keep only the points you need")
    return st


def _read_text(path: str) -> str:
    """The file's text (UTF-8, a BOM dropped), reading at most MAX_BYTES (pipes and devices too)."""
    _checked_file(path)
    chunks, size = [], 0
    try:
        with open(path, "rb") as f:
            while True:
                chunk = f.read(1 << 20)
                if not chunk:
                    break
                if b"\0" in chunk:
                    raise InputError(f"{path} holds NUL bytes, so it is not a text file of points; give a CSV, "
                                     "GeoJSON, GeoPackage (.gpkg) or Shapefile (.shp)")
                size += len(chunk)
                if size > MAX_BYTES:
                    raise InputError(f"{path} is over the {MAX_BYTES // 2**20} MB a file of points may have; "
                                     "split it or keep only the points you need")
                chunks.append(chunk)
    except OSError as exc:
        raise InputError(f"cannot read the file of points {path} ({exc.strerror})") from None
    try:
        return b"".join(chunks).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not UTF-8 text (byte {exc.start}); save it as UTF-8 CSV or GeoJSON") from None


def _too_many(path: str, n: int) -> InputError:
    return InputError(f"{path} holds {n:,} points, more than the {MAX_POINTS:,} a file of points may have; "
                      "keep only the points you need")


def _pick_column(names: list[str], key: str) -> int | None:
    lowered = [n.strip().lower() for n in names]
    for alias in COLUMNS[key]:
        if alias in lowered:
            return lowered.index(alias)
    return None


# --- CSV and one point a line --------------------------------------------------------------------------

def _read_table(path: str, text: str) -> PointFile:
    lines = text.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")), None)
    if first is None:
        return PointFile(path, [])
    header_line = lines[first]
    delimiter = max((",", ";", "\t"), key=header_line.count)
    fields = next(csv.reader([header_line], delimiter=delimiter))
    if not _is_header(header_line, fields):
        points = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
        if len(points) > MAX_POINTS:
            raise _too_many(path, len(points))
        return PointFile(path, points)
    cols = {key: _pick_column(fields, key) for key in COLUMNS}
    if cols["lat"] is not None and cols["lon"] is not None:
        a, b, geographic = cols["lat"], cols["lon"], True
    elif cols["x"] is not None and cols["y"] is not None:
        a, b, geographic = cols["x"], cols["y"], False
    else:
        found = ", ".join(f.strip() for f in fields if f.strip()) or "none"
        raise InputError(f"{path} has the columns {found}, but a file of points needs lat and lon in degrees "
                         "(or x and y in the DEM's CRS), with name and height_m optional, in any order")
    from .coords import XY, LatLon, parse_point

    points, heights = [], []
    reader = csv.reader(io.StringIO("\n".join(lines[first + 1:])), delimiter=delimiter)
    for offset, row in enumerate(reader):
        line = first + 2 + offset
        if not any(v.strip() for v in row) or row[0].lstrip().startswith("#"):
            continue
        if len(points) >= MAX_POINTS:
            raise _too_many(path, MAX_POINTS + 1)
        name = _cell(row, cols["name"]) or None
        where = f"{path} line {line}" + (f" ({name})" if name else "")
        u = _number(row, a, fields, where)
        v = _number(row, b, fields, where)
        if geographic:
            try:
                p = parse_point((u, v))
            except InputError as exc:
                raise InputError(f"{where}: {exc}") from None
            points.append(LatLon(p.lat, p.lon, name))
        else:
            points.append(XY(u, v, name))
        if cols["height"] is not None:
            heights.append(_number(row, cols["height"], fields, where) if _cell(row, cols["height"]) else None)
    return PointFile(path, points, heights if cols["height"] is not None else None)


def _is_header(line: str, fields: list[str]) -> bool:
    """A first line of two or more fields, none of them a number or an ``xy:`` point, names columns."""
    if line.strip().lower().startswith("xy:") or len(fields) < 2:
        return False
    if any(_NUMBER.match(f) for f in fields):
        return False
    if any(_pick_column(fields, key) is not None for key in COLUMNS):
        return True
    from .places import find_place  # a place name with a comma in it, one a line

    try:
        find_place(line.strip())
        return False
    except InputError:
        return True


def _cell(row: list[str], i: int | None) -> str:
    return row[i].strip() if i is not None and i < len(row) else ""


def _number(row: list[str], i: int, fields: list[str], where: str) -> float:
    text = _cell(row, i)
    column = fields[i].strip()
    if not text:
        raise InputError(f"{where} has no {column}; give a number in every row or delete the row")
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"{where}: {column} {text!r} is not a number; write decimal numbers like 44.2706") from None
    if not math.isfinite(value):
        raise InputError(f"{where}: {column} is {text}, not a finite number")
    return value


# --- GeoJSON -----------------------------------------------------------------------------------------

def _read_geojson(path: str, text: str) -> PointFile:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path} is not valid GeoJSON ({exc.msg} at line {exc.lineno}); check the file") from None
    kind = doc.get("type") if isinstance(doc, dict) else None
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise InputError(f"{path} is a FeatureCollection without a list of features")
    elif kind == "Feature":
        features = [doc]
    elif kind == "Point":
        features = [{"type": "Feature", "geometry": doc, "properties": {}}]
    else:
        raise InputError(f"{path} is GeoJSON of type {kind!r}; give a FeatureCollection of Point features")
    if len(features) > MAX_POINTS:
        raise _too_many(path, len(features))
    crs = _geojson_crs(path, doc)
    coords, names, heights = [], [], []
    for i, feature in enumerate(features):
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        if geometry is None:
            raise InputError(f"{path}: feature index {i} has no geometry (null); give every feature a Point "
                             "or delete it")
        gtype = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        if gtype != "Point":
            raise InputError(f"{path}: feature index {i} is a {gtype}, not a Point; observers are read from "
                             "Point features only")
        xy = geometry.get("coordinates")
        if (not isinstance(xy, (list, tuple)) or len(xy) < 2
                or not all(isinstance(v, (int, float)) and math.isfinite(v) for v in xy[:2])):
            raise InputError(f"{path}: feature index {i} has the coordinates {xy!r}; a Point needs [lon, lat]")
        props = feature.get("properties") or {}
        coords.append((float(xy[0]), float(xy[1])))
        names.append(_property(props, "name"))
        heights.append(_property(props, "height"))
    return _points_from_coordinates(path, coords, names, heights, crs, "feature index")


def _geojson_crs(path: str, doc: dict):
    """The legacy GeoJSON ``crs`` member as a pyproj CRS; None for lon/lat (RFC 7946's only CRS)."""
    member = doc.get("crs")
    if not member:
        return None
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    name = (member.get("properties") or {}).get("name") if isinstance(member, dict) else None
    try:
        crs = CRS.from_user_input(name)
    except (CRSError, TypeError):
        raise InputError(f"{path} names the CRS {name!r}, which is not one pyproj knows; "
                         "write the points in lon/lat (EPSG:4326) as RFC 7946 asks") from None
    return None if crs.equals("OGC:CRS84") or crs.equals("EPSG:4326", ignore_axis_order=True) else crs


def _property(props: dict, key: str):
    lowered = {str(k).lower(): v for k, v in props.items()} if isinstance(props, dict) else {}
    for alias in COLUMNS[key]:
        if lowered.get(alias) not in (None, ""):
            return lowered[alias]
    return None


def _points_from_coordinates(path, coords, names, heights, crs, what: str, ids=None) -> PointFile:
    """LatLon points from (x, y) in ``crs`` (None: lon/lat; ``"dem"``: XY points in the DEM's CRS)."""
    from .coords import WGS84, XY, LatLon, parse_point, transformer

    points = []
    if crs == "dem":
        points = [XY(x, y, _name(n)) for (x, y), n in zip(coords, names)]
    else:
        tr = transformer(crs, WGS84) if crs is not None else None
        for i, ((x, y), n) in enumerate(zip(coords, names)):
            lon, lat = tr.transform(x, y) if tr else (x, y)
            try:
                p = parse_point((lat, lon))
            except InputError as exc:
                label = ids[i] if ids is not None else i
                raise InputError(f"{path}: {what} {label}: {exc}") from None
            points.append(LatLon(p.lat, p.lon, _name(n)))
    if all(h is None for h in heights):
        return PointFile(path, points)
    values = []
    for i, h in enumerate(heights):
        try:
            values.append(None if h is None else float(h))
        except (TypeError, ValueError):
            label = ids[i] if ids is not None else i
            raise InputError(f"{path}: {what} {label} has the height {h!r}, which is not a number of metres") from None
    return PointFile(path, points, values)


def _name(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


# --- GeoPackage and Shapefile (pyogrio) ----------------------------------------------------------------

_WKB_TYPES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString",
              6: "MultiPolygon", 7: "GeometryCollection"}


def _read_vector(path: str) -> PointFile:
    for part in point_file_parts(path):
        _checked_file(part)
    try:
        import pyogrio
        from pyogrio.raw import read
    except ImportError:
        raise InputError(f"reading {Path(path).suffix} files needs pyogrio (pip install pyogrio, or terrain[vector]); "
                         "or save the points as CSV or GeoJSON") from None
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        points_layers = [str(name) for name, kind in pyogrio.list_layers(path) if str(kind).startswith("Point")]
        if len(layers) == 1:
            layer = layers[0]
        elif len(points_layers) == 1:
            layer = points_layers[0]
        else:
            raise InputError(f"{path} has the layers {', '.join(layers)}; save the observers in a file of "
                             "their own (one layer of Points)")
        info = pyogrio.read_info(path, layer=layer)
        if info["features"] > MAX_POINTS:
            raise _too_many(path, int(info["features"]))
        meta, fids, geometry, field_data = read(path, layer=layer, return_fids=True)
    except InputError:
        raise
    except Exception as exc:  # pyogrio's DataSourceError, DataLayerError, ...
        raise InputError(f"cannot read {path} as a {Path(path).suffix} file of points ({exc})") from None
    fields = [str(f) for f in meta["fields"]]
    name_i = _pick_column(fields, "name")
    height_i = _pick_column(fields, "height")
    coords = []
    for i, wkb in enumerate(geometry):
        fid = int(fids[i]) if fids is not None else i
        where = f"{path}: feature index {i} (FID {fid})"
        if wkb is None:
            raise InputError(f"{where} has no geometry (null); give every feature a Point or delete it")
        kind, xy = _wkb_point(bytes(wkb))
        if kind != "Point":
            raise InputError(f"{where} is a {kind}, not a Point; observers are read from Point features only")
        if xy is None:
            raise InputError(f"{where} is an empty Point; give it coordinates or delete it")
        coords.append(xy)
    names = list(field_data[name_i]) if name_i is not None else [None] * len(coords)
    heights = list(field_data[height_i]) if height_i is not None else [None] * len(coords)
    heights = [None if h is None or (isinstance(h, float) and math.isnan(h)) else h for h in heights]
    crs = meta.get("crs")
    if crs is None:
        crs = "dem"  # no CRS (a Shapefile without .prj): the coordinates are in the DEM's CRS
    else:
        from pyproj import CRS

        crs = CRS.from_user_input(crs)
        if crs.equals("EPSG:4326", ignore_axis_order=True):
            crs = None
    return _points_from_coordinates(path, coords, names, heights, crs, "feature index")


def _wkb_point(wkb: bytes) -> tuple[str, tuple[float, float] | None]:
    """The geometry type of a WKB (ISO or EWKB) and, for a Point, its x and y (None when empty)."""
    if len(wkb) < 5:
        return "invalid geometry", None
    order = "<" if wkb[0] == 1 else ">"
    (code,) = struct.unpack(order + "I", wkb[1:5])
    offset = 9 if code & 0x20000000 else 5           # EWKB with an SRID
    base = (code & 0x0FFFFFFF) % 1000                 # ISO Z/M/ZM: 1001, 2001, 3001
    kind = _WKB_TYPES.get(base, f"geometry of WKB type {code}")
    if kind != "Point":
        return kind, None
    if len(wkb) < offset + 16:
        return "invalid Point", None
    x, y = struct.unpack(order + "dd", wkb[offset:offset + 16])
    return "Point", None if (math.isnan(x) or math.isnan(y)) else (x, y)
