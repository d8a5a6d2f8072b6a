"""Writing results: tiled compressed GeoTIFF, NetCDF, and GeoJSON polygons of the visible area in lat/lon.

Every writer writes to a temporary file beside the target and renames it into
place, so an interrupted run leaves nothing half-written.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import rasterio
import rasterio.features
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr
from pyproj import CRS, Transformer

from . import __version__
from .atomic import atomic_path
from .errors import InputError
from .output_paths import check_output

_NODATA = {"uint8": 255, "float32": np.nan, "uint16": 65535, "uint32": 4294967295, "uint64": None,
           "int32": -2147483648}


def _result_inputs(result) -> list[str]:
    """The files a result was computed from (its ``files`` attribute), which no writer may replace."""
    return [f for f in str(result.attrs.get("files", "")).split("; ") if f]


def write_geotiff(result: xr.Dataset | xr.DataArray, path, variable: str | None = None,
                  overwrite: bool = False) -> Path:
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
    """
    path = check_output(path, inputs=_result_inputs(result), overwrite=overwrite, what="output")
    da = result if isinstance(result, xr.DataArray) else result[variable or "visible"]
    values = np.asarray(da.values)
    dtype = values.dtype.name
    nodata = _NODATA.get(dtype)
    rows, cols = values.shape
    profile = dict(driver="GTiff", width=cols, height=rows, count=1, dtype=dtype,
                   transform=result.rio.transform(recalc=False), crs=result.rio.crs, nodata=nodata,
                   compress="deflate", tiled=True, blockxsize=256, blockysize=256,
                   predictor=3 if dtype.startswith("float") else 2)
    tags = {k: str(v) for k, v in result.attrs.items() if not k.startswith("_")}
    tags["TERRAIN_VARIABLE"] = da.name or ""
    tags["TERRAIN_VERSION"] = __version__
    with atomic_path(path, suffix=".tif") as tmp:
        with rasterio.open(tmp, "w", **profile) as dst:
            dst.write(values, 1)
            dst.update_tags(**tags)
            desc = da.attrs.get("long_name")
            if desc:
                dst.set_band_description(1, desc)
    return path


def write_netcdf(result: xr.Dataset, path, overwrite: bool = False) -> Path:
    """Write a result Dataset to NetCDF through xarray (CF grid mapping included by rioxarray)."""
    path = check_output(path, inputs=_result_inputs(result), overwrite=overwrite, what="output")
    out = result.copy(deep=False)
    out.attrs = {k: (v if isinstance(v, (int, float, str)) else str(v)) for k, v in result.attrs.items()}
    with atomic_path(path, suffix=".nc") as tmp:
        out.to_netcdf(tmp)
    return path


def visible_polygons(result: xr.Dataset, variable: str = "visible", value: int = 1) -> list[dict]:
    """GeoJSON polygon geometries (lon/lat, WGS84) of the cells where ``variable == value``."""
    da = result[variable]
    mask = np.asarray(da.values) == value
    crs = result.rio.crs
    if crs is None:
        raise InputError("the result has no CRS, so it cannot be written as lat/lon GeoJSON; use GeoTIFF instead")
    transform = result.rio.transform(recalc=False)
    shapes = rasterio.features.shapes(mask.astype(np.uint8), mask=mask, transform=transform, connectivity=4)
    src = CRS.from_user_input(crs)
    to_wgs84 = None if src.equals(CRS.from_epsg(4326), ignore_axis_order=True) else \
        Transformer.from_crs(src, CRS.from_epsg(4326), always_xy=True)
    geoms = []
    for geom, _ in shapes:
        if to_wgs84 is not None:
            geom = {"type": "Polygon",
                    "coordinates": [[list(to_wgs84.transform(x, y)) for x, y in ring] for ring in geom["coordinates"]]}
        geoms.append(geom)
    return geoms


def write_geojson(result: xr.Dataset, path, variable: str = "visible", value: int = 1,
                  overwrite: bool = False) -> Path:
    """Write the visible area (cells where ``variable == value``) as GeoJSON polygons in lat/lon.

    One MultiPolygon feature carrying the result's attributes, for QGIS or Google Earth.
    """
    path = check_output(path, inputs=_result_inputs(result), overwrite=overwrite, what="output")
    geoms = visible_polygons(result, variable, value)
    props = {k: (v if isinstance(v, (int, float, str)) and not (isinstance(v, float) and np.isnan(v)) else None)
             for k, v in result.attrs.items()}
    feature = {"type": "Feature", "properties": props,
               "geometry": {"type": "MultiPolygon", "coordinates": [g["coordinates"] for g in geoms]}}
    doc = {"type": "FeatureCollection", "features": [feature]}
    with atomic_path(path, suffix=".geojson") as tmp:
        tmp.write_text(json.dumps(doc))
    return path
