"""Target areas on a DEM's grid: a circle around a point, or a GeoJSON polygon in lat/lon, as a cell mask."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import xarray as xr

from .._geojson_file import read_geojson_file
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
    """The cells of ``target``: a point (any form :func:`terrain.locate` reads, or a GeoJSON Point) with
    ``target_radius`` metres, or a GeoJSON Polygon/MultiPolygon (a dict, a Feature/FeatureCollection, or a
    path to a file) in lat/lon. Lines, null geometries and other kinds are refused: they have no area."""
    geometry, name = _geojson(target)
    if geometry is not None and geometry["type"] == "Point":
        lon, lat = (float(v) for v in geometry["coordinates"][:2])
        target = (lat, lon)
        geometry = None
    if geometry is None:
        if not target_radius > 0:
            raise InputError(f"the target radius must be greater than zero, got {target_radius} m")
        centre = locate(dem, target, role="target", allow_void=True)
        mask = (cell_distances_m(y_m, dx_m, centre.r, centre.c, dem.shape) <= target_radius).astype(np.uint8)
        label = name or centre.label()
    else:
        mask = _rasterize(dem, geometry)
        rows, cols = np.nonzero(mask)
        r, c = int(round(rows.mean())), int(round(cols.mean()))
        lat, lon = grid_to_latlon(dem, r, c)
        centre = locate(dem, (float(lat), float(lon)), role="target centre", allow_void=True)
        label = name or (str(target) if not isinstance(target, dict) else "polygon")
    mask &= np.isfinite(dem.values).astype(np.uint8)
    area = float((mask * row_area_km2[:, None]).sum())
    if area <= 0:
        raise InputError("the target area holds no cell with data; give a larger radius or polygon")
    return TargetArea(mask=mask, centre=centre, label=label or "target", area_km2=area)


_AREA_KINDS = ("Polygon", "MultiPolygon")


def _geojson(target) -> tuple[dict | None, str | None]:
    """``(geometry, name)`` if ``target`` is GeoJSON (dict or path to a .geojson/.json file), else
    ``(None, None)``. The geometry is a Polygon, MultiPolygon, a GeometryCollection of those, or one Point
    (the centre of a circular target); anything else is refused with a sentence naming the feature."""
    where = "the target GeoJSON"
    if isinstance(target, (str, Path)) and str(target).lower().endswith((".geojson", ".json")):
        path = Path(target)
        where = str(path)
        target = read_geojson_file(path, f"no such GeoJSON file: {path}")
    if not isinstance(target, dict):
        return None, None
    kind = target.get("type")
    if kind == "FeatureCollection":
        features = target.get("features") or []
        if not features:
            raise InputError(f"{where} is a FeatureCollection with no features; give a Polygon or MultiPolygon")
    elif kind == "Feature":
        features = [target]
    else:
        features = [{"type": "Feature", "geometry": target, "properties": {}}]
    geoms = []
    for i, f in enumerate(features, start=1):
        g = f.get("geometry") if isinstance(f, dict) else None
        label = f"feature {i}" if len(features) > 1 or kind in ("Feature", "FeatureCollection") else "its geometry"
        geoms.extend(_area_parts(g, where, label))
    names = [(f.get("properties") or {}).get("name") for f in features if isinstance(f, dict)]
    name = names[0] if len(names) == 1 and names[0] else None
    points = [g for g in geoms if g["type"] == "Point"]
    if points:
        if len(geoms) > 1:
            raise InputError(f"{where} mixes a Point with other geometries; give one Point (the centre of a "
                             "circle of --target-radius) or polygons only")
        return points[0], name
    if len(geoms) == 1:
        return geoms[0], name
    return {"type": "GeometryCollection", "geometries": geoms}, name


def _area_parts(g, where: str, label: str) -> list[dict]:
    """The polygon parts (or one Point) of geometry ``g``; refuse a null geometry or one without area."""
    if g is None:
        raise InputError(f"{where}: {label} has no geometry (null); give a Polygon or MultiPolygon in lat/lon, "
                         "or a Point for the centre of a circle of --target-radius")
    kind = g.get("type") if isinstance(g, dict) else None
    if kind in _AREA_KINDS or kind == "Point":
        if not g.get("coordinates"):
            raise InputError(f"{where}: {label} is an empty {kind}; give its coordinates (lon, lat)")
        return [g]
    if kind == "GeometryCollection":
        return [part for sub in g.get("geometries") or [] for part in _area_parts(sub, where, label)]
    raise InputError(f"{where}: {label} is a {kind}, which has no area; give a Polygon or MultiPolygon in lat/lon "
                     "(buffer a line first, e.g. in QGIS), or a Point for the centre of a circle of --target-radius")


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
