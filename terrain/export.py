"""Writing results in the format their extension names: GeoTIFF (or COG), NetCDF, and the visible area as
GeoJSON, GeoPackage or KML/KMZ polygons.

The formats and their extensions are one table, :data:`terrain.output_paths.FORMATS`, which the command
line checks too; :func:`write_result` picks the writer from it. Every writer checks its path first
(:func:`terrain.output_paths.check_output`: never an input, only its own extensions) and writes to a
temporary file beside the target that is renamed into place (:func:`terrain.atomic.atomic_path`), so an
interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import json
import math
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np
import rasterio
import rasterio.features
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr
from pyproj import CRS, Transformer

from . import __version__
from .atomic import atomic_path
from .errors import InputError
from .flags import COUNT_NOT_ANALYSED
from .output_paths import (GEOJSON_SUFFIXES, GEOTIFF_SUFFIXES, GPKG_SUFFIXES, KML_SUFFIXES,
                           KMZ_SUFFIXES, NETCDF_SUFFIXES, POLYGON_SUFFIXES, RASTER_SUFFIXES, check_output,
                           format_of, is_pass_through)

_NODATA = {"uint8": 255, "float32": np.nan, "uint16": 65535, "uint32": 4294967295, "uint64": None,
           "int32": -2147483648}
#: Every extension :func:`write_result` writes.
ALL_SUFFIXES = RASTER_SUFFIXES + POLYGON_SUFFIXES


def _result_inputs(result) -> list[str]:
    """The files a result was computed from (its ``files`` attribute), which no writer may replace."""
    return [f for f in str(result.attrs.get("files", "")).split("; ") if f]


def _scalar_coords(result) -> dict:
    """The result's scalar coordinates (a viewshed's observer), as plain Python values."""
    out = {}
    for name, c in result.coords.items():
        if c.ndim == 0 and name != "spatial_ref":
            v = c.values.item()
            out[name] = v.decode() if isinstance(v, bytes) else v
    return out


def _file_values(result, da: xr.DataArray) -> xr.DataArray:
    """The grid as files hold it: a cumulative ``count`` is :data:`~terrain.flags.COUNT_NOT_ANALYSED` (the
    nodata) where no observer analysed the cell, so dead ground (0) stays apart from not analysed."""
    if da.name == "count" and isinstance(result, xr.Dataset) and "analysed" in result:
        return da.where(result["analysed"] > 0, COUNT_NOT_ANALYSED).astype(da.dtype).assign_attrs(da.attrs)
    return da


def _metadata(result) -> dict:
    """Attributes and scalar coordinates: what a file records about how the result was made."""
    return {**{k: v for k, v in result.attrs.items() if not k.startswith("_")}, **_scalar_coords(result)}


def write_result(result: xr.Dataset | xr.DataArray, path, variable: str | None = None, overwrite: bool = False,
                 cog: bool = False) -> Path:
    """Write a result in the format its extension names (:data:`terrain.output_paths.FORMATS`).

    ``.tif``/``.tiff``: one variable as GeoTIFF (``cog=True``: Cloud-Optimized); ``.nc``: every variable as
    NetCDF; ``.geojson``/``.json``, ``.gpkg``, ``.kml``, ``.kmz``: polygons of the cells where ``variable``
    (default ``visible``) is 1. Any other extension is refused with the list of those written.
    """
    check_output(path, inputs=_result_inputs(result), overwrite=overwrite, suffixes=ALL_SUFFIXES, what="output")
    if is_pass_through(path) and Path(path).suffix.lower() not in ALL_SUFFIXES:
        fmt = "GeoTIFF"  # a device or pipe (/dev/stdout) without an extension gets the default format
    else:
        fmt = format_of(path)
    if fmt == "GeoTIFF":
        return write_geotiff(result, path, variable, overwrite=overwrite, cog=cog)
    if fmt == "NetCDF":
        ds = result.to_dataset(name=result.name or "value") if isinstance(result, xr.DataArray) else result
        return write_netcdf(ds, path, overwrite=overwrite)
    return write_polygons(result, path, variable or "visible", overwrite=overwrite)


def write_geotiff(result: xr.Dataset | xr.DataArray, path, variable: str | None = None,
                  overwrite: bool = False, cog: bool = False) -> Path:
    """Write one variable of a result as a tiled, DEFLATE-compressed GeoTIFF with CRS and nodata.

    Parameters
    ----------
    result : xarray.Dataset or DataArray
        A viewshed (or other) result with a CRS and transform.
    path : path
        Output file.
    variable : str, optional
        Which variable of a Dataset (default ``visible``; nodata 255 for uint8, NaN for float32).
    overwrite : bool
        Replace an existing read-only file. Whatever ``overwrite`` says, the DEM the result came from is
        never replaced (:func:`terrain.output_paths.check_output`).
    cog : bool
        Write a Cloud-Optimized GeoTIFF (rasterio's COG driver: 256 x 256 tiles, overviews).

    The result's attributes and scalar coordinates (the observer) become dataset tags; the variable's
    attributes (CF ``flag_values``/``flag_meanings``, units) band tags. No timings: identical runs write
    identical tags.
    """
    path = check_output(path, inputs=_result_inputs(result), overwrite=overwrite, suffixes=GEOTIFF_SUFFIXES,
                        what="output")
    da = result if isinstance(result, xr.DataArray) else _file_values(result, result[variable or "visible"])
    values = np.asarray(da.values)
    dtype = values.dtype.name
    nodata = _NODATA.get(dtype)
    rows, cols = values.shape
    profile = dict(driver="GTiff", width=cols, height=rows, count=1, dtype=dtype,
                   transform=result.rio.transform(recalc=False), crs=result.rio.crs, nodata=nodata,
                   compress="deflate", predictor=3 if dtype.startswith("float") else 2)
    if cog:
        profile.update(driver="COG", blocksize=256, overviews="AUTO")
    else:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    tags = {k: str(v) for k, v in _metadata(result).items()}
    tags["TERRAIN_VARIABLE"] = da.name or ""
    tags["TERRAIN_VERSION"] = __version__
    band_tags = {k: (" ".join(str(x) for x in np.ravel(v)) if isinstance(v, np.ndarray) else str(v))
                 for k, v in da.attrs.items() if not k.startswith("_")}
    with atomic_path(path, suffix=".tif") as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(values, 1)
            dst.update_tags(**tags)
            dst.update_tags(1, **band_tags)
            desc = da.attrs.get("long_name")
            if desc:
                dst.set_band_description(1, desc)
    return path


def write_netcdf(result: xr.Dataset, path, overwrite: bool = False, complevel: int = 4) -> Path:
    """Write a result Dataset to NetCDF-4: zlib-compressed, CF-conventions metadata.

    Every grid variable is compressed (zlib ``complevel``, shuffle) and names its ``grid_mapping`` (the
    ``spatial_ref`` variable rioxarray writes, with ``crs_wkt``); nodata is each variable's ``_FillValue``
    (255 for ``visible``, NaN for the float grids), and ``visible`` keeps its CF ``flag_values`` /
    ``flag_meanings``, so GDAL and QGIS see the nodata and xarray masks it on reading.
    """
    path = check_output(path, inputs=_result_inputs(result), overwrite=overwrite, suffixes=NETCDF_SUFFIXES,
                        what="output")
    out = result.copy(deep=False)
    if "count" in out:
        out["count"] = _file_values(result, result["count"])
    out.attrs = {k: (v if isinstance(v, (int, float, str)) else str(v)) for k, v in result.attrs.items()}
    out.attrs.setdefault("Conventions", "CF-1.8")
    encoding = {}
    for name, var in out.variables.items():
        if name in out.dims:
            encoding[name] = {"_FillValue": None}  # CF: coordinate variables have no fill value
        elif var.ndim >= 2 and var.dtype != object:
            encoding[name] = {"zlib": True, "complevel": int(complevel), "shuffle": True}
    if "count" in encoding:
        encoding["count"]["_FillValue"] = COUNT_NOT_ANALYSED
    grid_mapping = "spatial_ref" if "spatial_ref" in out.coords else None
    for name in out.data_vars:
        if grid_mapping and {"y", "x"} <= set(out[name].dims):
            out[name].attrs.pop("grid_mapping", None)
            encoding.setdefault(name, {})["grid_mapping"] = grid_mapping
    with atomic_path(path, suffix=".nc") as tmp:
        out.to_netcdf(tmp, format="NETCDF4", encoding=encoding)
    return path


def _polygons(result: xr.Dataset | xr.DataArray, variable: str, value: int, lonlat: bool) -> list[dict]:
    """Polygon geometries (GeoJSON-like dicts) of the cells where ``variable == value``; lon/lat or the grid's CRS."""
    da = result if isinstance(result, xr.DataArray) else result[variable]
    mask = np.asarray(da.values) == value
    crs = result.rio.crs
    if crs is None:
        raise InputError("the result has no CRS, so its polygons cannot be placed on the map; "
                         "write it as GeoTIFF instead")
    transform = result.rio.transform(recalc=False)
    shapes = rasterio.features.shapes(mask.astype(np.uint8), mask=mask, transform=transform, connectivity=4)
    src = CRS.from_user_input(crs)
    to_wgs84 = None if not lonlat or src.equals(CRS.from_epsg(4326), ignore_axis_order=True) else \
        Transformer.from_crs(src, CRS.from_epsg(4326), always_xy=True)
    geoms = []
    for geom, _ in shapes:
        if to_wgs84 is not None:
            geom = {"type": "Polygon",
                    "coordinates": [[list(to_wgs84.transform(x, y)) for x, y in ring] for ring in geom["coordinates"]]}
        geoms.append(geom)
    return geoms


def visible_polygons(result: xr.Dataset, variable: str = "visible", value: int = 1) -> list[dict]:
    """GeoJSON polygon geometries (lon/lat, WGS84) of the cells where ``variable == value``."""
    return _polygons(result, variable, value, lonlat=True)


def _properties(result, variable: str, value: int) -> dict:
    """What a polygon feature records: the result's attributes, the observer and the area (km²); JSON-ready."""
    from .viewshed import cell_areas

    da = result if isinstance(result, xr.DataArray) else result[variable]
    props = {}
    for k, v in _metadata(result).items():
        if isinstance(v, (bool, np.bool_)):
            v = int(v)
        elif isinstance(v, (np.integer, np.floating)):
            v = v.item()
        props[k] = v if isinstance(v, (int, float, str)) and not (isinstance(v, float) and math.isnan(v)) else None
    props["variable"] = da.name or variable
    props["value"] = int(value)
    props["area_km2"] = round(float(((np.asarray(da.values) == value) * cell_areas(result)).sum()), 6)
    return props


def write_geojson(result: xr.Dataset, path, variable: str = "visible", value: int = 1,
                  overwrite: bool = False) -> Path:
    """Write the visible area (cells where ``variable == value``) as GeoJSON polygons in lat/lon.

    One MultiPolygon feature carrying the result's attributes, the observer and ``area_km2``, for QGIS
    or Google Earth.
    """
    path = check_output(path, inputs=_result_inputs(result), overwrite=overwrite, suffixes=GEOJSON_SUFFIXES,
                        what="output")
    geoms = visible_polygons(result, variable, value)
    feature = {"type": "Feature", "properties": _properties(result, variable, value),
               "geometry": {"type": "MultiPolygon", "coordinates": [g["coordinates"] for g in geoms]}}
    doc = {"type": "FeatureCollection", "features": [feature]}
    with atomic_path(path, suffix=".geojson") as tmp:
        tmp.write_text(json.dumps(doc, allow_nan=False))
    return path


def _multipolygon_wkb(geoms: list[dict]) -> bytes:
    """ISO WKB (little-endian) of a MultiPolygon made of GeoJSON-like polygons."""
    parts = [np.array([1], "<u1").tobytes(), np.array([6, len(geoms)], "<u4").tobytes()]
    for g in geoms:
        rings = g["coordinates"]
        parts.append(np.array([1], "<u1").tobytes())
        parts.append(np.array([3, len(rings)], "<u4").tobytes())
        for ring in rings:
            parts.append(np.array([len(ring)], "<u4").tobytes())
            parts.append(np.asarray(ring, dtype="<f8").reshape(-1, 2).tobytes())
    return b"".join(parts)


def write_geopackage(result: xr.Dataset, path, variable: str = "visible", value: int = 1,
                     overwrite: bool = False, layer: str | None = None) -> Path:
    """Write the visible area (cells where ``variable == value``) as a GeoPackage MultiPolygon, in the grid's CRS.

    One feature with the result's attributes, the observer and ``area_km2`` as fields; the cell edges are
    kept exactly (no reprojection). Needs pyogrio (``pip install pyogrio``).
    """
    path = check_output(path, inputs=_result_inputs(result), overwrite=overwrite, suffixes=GPKG_SUFFIXES,
                        what="output")
    try:
        from pyogrio.raw import write as ogr_write
    except ImportError:
        raise InputError(f"writing GeoPackage ({path}) needs pyogrio: pip install pyogrio "
                         "(or write GeoJSON, .geojson, which needs nothing more)") from None
    geoms = _polygons(result, variable, value, lonlat=False)
    props = _properties(result, variable, value)
    fields, data = [], []
    for k, v in props.items():
        fields.append(k)
        if isinstance(v, str) or v is None:
            data.append(np.array(["" if v is None else v], dtype=object))
        elif isinstance(v, int):
            data.append(np.array([v], dtype=np.int64))
        else:
            data.append(np.array([v], dtype=np.float64))
    geometry = np.array([_multipolygon_wkb(geoms)], dtype=object)
    crs = CRS.from_user_input(result.rio.crs).to_wkt()
    with atomic_path(path, suffix=".gpkg") as tmp:
        tmp.unlink(missing_ok=True)  # GDAL makes the GeoPackage itself
        ogr_write(str(tmp), geometry, data, fields, layer=layer or (props["variable"] or "visible"),
                  driver="GPKG", geometry_type="MultiPolygon", crs=crs)
    return path


def _kml_colour(hex_rgb: str, alpha: float) -> str:
    """A ``#rrggbb`` colour and an opacity as KML's ``aabbggrr``."""
    r, g, b = hex_rgb[1:3], hex_rgb[3:5], hex_rgb[5:7]
    return f"{round(alpha * 255):02x}{b}{g}{r}".lower()


def _kml_document(result, variable: str, value: int) -> bytes:
    from .flags import VISIBLE
    from .plot.style import OKABE_ITO
    from .plot.viewshed_map import VISIBLE_ALPHA, VISIBLE_COLOUR  # the area coloured as on our maps
    from .viewshed import OBSERVER_COORDS

    props = _properties(result, variable, value)
    geoms = visible_polygons(result, variable, value)
    observer = props.get("observer_name") or ""
    what = "visible" if (variable == "visible" and value == VISIBLE) else f"{props['variable']} = {value}"
    title = f"{what} from {observer}" if observer else what
    ns = "http://www.opengis.net/kml/2.2"
    kml = ET.Element("kml", xmlns=ns)
    doc = ET.SubElement(kml, "Document")
    ET.SubElement(doc, "name").text = title
    ET.SubElement(doc, "description").text = (f"{props['area_km2']:.3f} km²; made by terrain {__version__}"
                                              + (f"; data: {props['source']}" if props.get("source") else ""))
    style = ET.SubElement(doc, "Style", id="area")
    line = ET.SubElement(style, "LineStyle")
    ET.SubElement(line, "color").text = _kml_colour(OKABE_ITO["blue"], 1.0)
    ET.SubElement(line, "width").text = "1"
    poly_style = ET.SubElement(style, "PolyStyle")
    ET.SubElement(poly_style, "color").text = _kml_colour(VISIBLE_COLOUR, VISIBLE_ALPHA)
    mark = ET.SubElement(doc, "Placemark")
    ET.SubElement(mark, "name").text = title
    ET.SubElement(mark, "styleUrl").text = "#area"
    ext = ET.SubElement(mark, "ExtendedData")
    for k, v in props.items():
        if v is not None:
            data = ET.SubElement(ext, "Data", name=k)
            ET.SubElement(data, "value").text = str(v)
    multi = ET.SubElement(mark, "MultiGeometry")

    def ring_text(ring):
        return " ".join(f"{x:.7f},{y:.7f}" for x, y in ring)

    for g in geoms:
        polygon = ET.SubElement(multi, "Polygon")
        ET.SubElement(polygon, "tessellate").text = "1"
        outer, *holes = g["coordinates"]
        lr = ET.SubElement(ET.SubElement(polygon, "outerBoundaryIs"), "LinearRing")
        ET.SubElement(lr, "coordinates").text = ring_text(outer)
        for hole in holes:
            lr = ET.SubElement(ET.SubElement(polygon, "innerBoundaryIs"), "LinearRing")
            ET.SubElement(lr, "coordinates").text = ring_text(hole)
    if "observer_lat" in props and "observer_lon" in props and set(OBSERVER_COORDS) & set(result.coords):
        point = ET.SubElement(doc, "Placemark")
        ET.SubElement(point, "name").text = observer or "observer"
        ET.SubElement(ET.SubElement(point, "Point"), "coordinates").text = \
            f"{props['observer_lon']:.7f},{props['observer_lat']:.7f}"
    return ET.tostring(kml, encoding="utf-8", xml_declaration=True)


def write_kml(result: xr.Dataset, path, variable: str = "visible", value: int = 1, overwrite: bool = False) -> Path:
    """Write the visible area as KML polygons (lon/lat) for Google Earth; ``.kmz`` zips it as ``doc.kml``.

    One Placemark with the area as a MultiGeometry of polygons (holes kept), coloured as on our maps, the
    result's attributes as ExtendedData, and the observer as a point.
    """
    path = check_output(path, inputs=_result_inputs(result), overwrite=overwrite,
                        suffixes=KML_SUFFIXES + KMZ_SUFFIXES, what="output")
    text = _kml_document(result, variable, value)
    kmz = path.suffix.lower() in KMZ_SUFFIXES
    with atomic_path(path, suffix=path.suffix.lower()) as tmp:
        if kmz:
            with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
                z.writestr("doc.kml", text)
        else:
            tmp.write_bytes(text)
    return path


def write_polygons(result: xr.Dataset, path, variable: str = "visible", value: int = 1,
                   overwrite: bool = False) -> Path:
    """Write the cells where ``variable == value`` as polygons in the format the extension names:
    GeoJSON (``.geojson``, ``.json``), GeoPackage (``.gpkg``), KML (``.kml``) or KMZ (``.kmz``)."""
    check_output(path, inputs=_result_inputs(result), overwrite=overwrite, suffixes=POLYGON_SUFFIXES,
                 what="output")
    fmt = "GeoJSON" if is_pass_through(path) and Path(path).suffix.lower() not in POLYGON_SUFFIXES else \
        format_of(path, POLYGON_SUFFIXES)
    writer = {"GeoJSON": write_geojson, "GeoPackage": write_geopackage, "KML": write_kml, "KMZ": write_kml}[fmt]
    return writer(result, path, variable, value, overwrite=overwrite)
