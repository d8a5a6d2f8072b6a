"""Writing covered routes: GeoJSON, GeoPackage (through pyogrio) and KML, as lat/lon LineStrings.

Each file holds two features, the covered route (``kind = "covered"``) and the shortest path
(``kind = "shortest"``), with their figures under names that carry their units:
``length_km``, ``exposed_km``, ``longest_exposed_km``, ``exposed_percent``. Coordinates are
WGS84 longitude, latitude (degrees). Every file is written atomically (:mod:`terrain.atomic`)
after :func:`terrain.output_paths.check_output` has accepted its path.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from xml.sax.saxutils import escape

from . import __version__
from .atomic import atomic_path
from .errors import InputError
from .output_paths import check_output

GEOJSON_SUFFIXES = (".geojson", ".json")
GPKG_SUFFIXES = (".gpkg",)
KML_SUFFIXES = (".kml",)
#: Every extension :func:`write_route` writes.
ROUTE_SUFFIXES = GEOJSON_SUFFIXES + GPKG_SUFFIXES + KML_SUFFIXES

#: KML line colours (aabbggrr): the covered route Okabe-Ito blue, the shortest path vermillion.
_KML_COLOURS = {"covered": "ffb27200", "shortest": "ff005ed5"}


def route_features(result) -> list[dict]:
    """The two GeoJSON Features of a :class:`terrain.route.CoveredRoute`: covered route, then shortest path."""
    common = {"start": result.start.label(), "end": result.end.label(),
              "observers": "; ".join(o["name"] or f"{o['lat']},{o['lon']}" for o in result.observers),
              "exposure_weight": result.attrs.get("exposure_weight"),
              "max_slope_deg": result.attrs.get("max_slope_deg"),
              "source": str(result.attrs.get("source", "")), "synthetic": int(result.attrs.get("synthetic", 0)),
              "terrain_version": __version__}
    out = []
    for kind, path in (("covered", result.route), ("shortest", result.shortest)):
        s = path.summary()
        props = {"kind": kind, "length_km": s["length_km"], "exposed_km": s["exposed_km"],
                 "longest_exposed_km": s["longest_exposed_km"], "exposed_percent": s["exposed_percent"], **common}
        out.append({"type": "Feature", "properties": props,
                    "geometry": {"type": "LineString", "coordinates": path.coordinates()}})
    return out


def write_route(result, path, overwrite: bool = False) -> Path:
    """Write a covered route and its shortest path as GeoJSON, GeoPackage or KML, chosen by the extension.

    Parameters
    ----------
    result : terrain.route.CoveredRoute
        From :func:`terrain.covered_route`.
    path : path
        ``.geojson``/``.json``, ``.gpkg`` (needs pyogrio: ``pip install pyogrio``) or ``.kml``.
    overwrite : bool
        Replace an existing read-only file.

    Returns
    -------
    pathlib.Path
    """
    inputs = [f for f in str(result.attrs.get("files", "")).split("; ") if f]
    path = check_output(path, inputs=inputs, overwrite=overwrite, suffixes=ROUTE_SUFFIXES, what="route file")
    features = route_features(result)
    suffix = path.suffix.lower()
    if suffix in GPKG_SUFFIXES:
        return _write_gpkg(features, path)
    if suffix in KML_SUFFIXES:
        text = route_kml(features)
    else:
        text = json.dumps({"type": "FeatureCollection", "features": features}, allow_nan=False)
    with atomic_path(path, suffix=suffix) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return path


def _wkb_linestring(coords) -> bytes:
    """ISO WKB (little-endian) of a 2-D LineString."""
    return struct.pack(f"<BII{2 * len(coords)}d", 1, 2, len(coords), *[v for xy in coords for v in xy])


def _write_gpkg(features: list[dict], path: Path) -> Path:
    try:
        import pyogrio.raw
    except ImportError:
        raise InputError("writing GeoPackage needs pyogrio (pip install pyogrio); write .geojson or .kml "
                         "instead") from None
    import numpy as np

    keys = list(features[0]["properties"])
    geometry = np.array([_wkb_linestring(f["geometry"]["coordinates"]) for f in features], dtype=object)
    fields = np.array(keys, dtype=object)
    data = []
    for k in keys:
        values = [f["properties"][k] for f in features]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            data.append(np.array(values, dtype=np.float64 if any(isinstance(v, float) for v in values) else np.int64))
        else:
            data.append(np.array(["" if v is None else str(v) for v in values], dtype=object))
    with atomic_path(path, suffix=".gpkg") as tmp:
        tmp.unlink()  # GDAL makes the GeoPackage itself
        pyogrio.raw.write(str(tmp), geometry, data, fields, layer="route", driver="GPKG",
                          geometry_type="LineString", crs="EPSG:4326")
    return path


def route_kml(features: list[dict]) -> str:
    """A KML document of the route features: one styled Placemark each, figures in ExtendedData."""
    styles = "".join(f'<Style id="{k}"><LineStyle><color>{c}</color><width>4</width></LineStyle></Style>'
                     for k, c in _KML_COLOURS.items())
    marks = []
    for f in features:
        p = f["properties"]
        name = "Covered route" if p["kind"] == "covered" else "Shortest path"
        desc = (f"{p['length_km']:.2f} km, {p['exposed_km']:.2f} km in sight of the observers "
                f"(longest stretch {p['longest_exposed_km']:.2f} km)")
        data = "".join(f'<Data name="{escape(k)}"><value>{escape("" if v is None else str(v))}</value></Data>'
                       for k, v in p.items())
        coords = " ".join(f"{lon},{lat}" for lon, lat in f["geometry"]["coordinates"])
        marks.append(f"<Placemark><name>{escape(name)}</name><description>{escape(desc)}</description>"
                     f"<styleUrl>#{p['kind']}</styleUrl><ExtendedData>{data}</ExtendedData>"
                     f"<LineString><tessellate>1</tessellate><coordinates>{coords}</coordinates></LineString>"
                     "</Placemark>")
    title = escape(f"Covered approach, {features[0]['properties']['start']} to {features[0]['properties']['end']}")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
            f"<name>{title}</name>{styles}{''.join(marks)}</Document></kml>\n")
