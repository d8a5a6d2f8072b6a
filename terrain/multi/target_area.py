"""Target areas on a DEM's grid: a circle around a point, or a GeoJSON polygon in lat/lon, as a cell mask."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from ..coords import GridPoint, grid_to_latlon, locate
from ..dem import dem_crs, dem_transform
from ..errors import InputError


@dataclass
class TargetArea:
    """A set of cells (``mask``, uint8 shaped like the DEM), its centre and its true area."""

    mask: np.ndarray
    centre: GridPoint
    label: str
    area_km2: float

    def cells(self) -> tuple[np.ndarray, np.ndarray]:
        return np.nonzero(self.mask)


def cell_distances_m(y_m, dx_m, r0: int, c0: int, shape) -> np.ndarray:
    """Ground distance of every cell from cell ``(r0, c0)``, metres (the kernels' equirectangular rule)."""
    cols = np.arange(shape[1])[None, :]
    dy = (y_m - y_m[r0])[:, None]
    dx = (cols - c0) * 0.5 * (dx_m + dx_m[r0])[:, None]
    return np.hypot(dy, dx)


def target_area(dem: xr.DataArray, target, target_radius: float, y_m, dx_m, row_area_km2) -> TargetArea:
    """The cells of ``target``: a point (any form :func:`terrain.locate` reads) with ``target_radius`` metres,
    or a GeoJSON Polygon/MultiPolygon (a dict, a Feature/FeatureCollection, or a path to a file) in lat/lon."""
    geometry = _geojson(target)
    if geometry is None:
        if not target_radius > 0:
            raise InputError(f"the target radius must be greater than zero, got {target_radius} m")
        centre = locate(dem, target, role="target", allow_void=True)
        mask = (cell_distances_m(y_m, dx_m, centre.r, centre.c, dem.shape) <= target_radius).astype(np.uint8)
        label = centre.label()
    else:
        mask = _rasterize(dem, geometry)
        rows, cols = np.nonzero(mask)
        r, c = int(round(rows.mean())), int(round(cols.mean()))
        lat, lon = grid_to_latlon(dem, r, c)
        centre = locate(dem, (float(lat), float(lon)), role="target centre", allow_void=True)
        label = target.get("properties", {}).get("name", "polygon") if isinstance(target, dict) else str(target)
    mask &= np.isfinite(dem.values).astype(np.uint8)
    area = float((mask * row_area_km2[:, None]).sum())
    if area <= 0:
        raise InputError("the target area holds no cell with data; give a larger radius or polygon")
    return TargetArea(mask=mask, centre=centre, label=label or "target", area_km2=area)


def _geojson(target):
    """The geometry dict if ``target`` is GeoJSON (dict or path to a .geojson/.json file), else None."""
    if isinstance(target, (str, Path)) and str(target).lower().endswith((".geojson", ".json")):
        path = Path(target)
        if not path.exists():
            raise InputError(f"no such GeoJSON file: {path}")
        try:
            target = json.loads(path.read_text())
        except json.JSONDecodeError as exc:
            raise InputError(f"{path} is not valid GeoJSON ({exc})") from None
    if not isinstance(target, dict):
        return None
    kind = target.get("type")
    if kind == "FeatureCollection":
        geoms = [f["geometry"] for f in target.get("features", []) if f.get("geometry")]
        if not geoms:
            raise InputError("the GeoJSON FeatureCollection has no geometry")
        return {"type": "GeometryCollection", "geometries": geoms}
    if kind == "Feature":
        return target.get("geometry")
    if kind in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return target
    raise InputError(f"the target GeoJSON is a {kind!r}; give a Polygon or MultiPolygon in lat/lon")


def _rasterize(dem, geometry) -> np.ndarray:
    import rasterio.features
    from rasterio.warp import transform_geom

    crs = dem_crs(dem)
    if crs is None:
        raise InputError("the DEM has no CRS, so a lat/lon polygon cannot be placed on it")
    geom = transform_geom("EPSG:4326", crs.to_wkt(), geometry)
    out = rasterio.features.rasterize([(geom, 1)], out_shape=dem.shape, transform=dem_transform(dem), fill=0,
                                      dtype="uint8")
    if not out.any():  # a polygon smaller than a cell: take the cells it touches
        out = rasterio.features.rasterize([(geom, 1)], out_shape=dem.shape, transform=dem_transform(dem), fill=0,
                                          dtype="uint8", all_touched=True)
    if not out.any():
        raise InputError("the target polygon does not cover any cell of the DEM; check it is in lat/lon (lon first)")
    return out
