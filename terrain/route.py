"""Covered approach: the least-exposed path from a start to an end, given observers who watch the ground.

The model
---------
The route moves from cell to cell of the DEM's grid, 8-connected. A step's length is
the ground distance between the two cell centres by the rule the kernels use
(:mod:`terrain.grid`): ``dx_m`` of the row east-west, the row spacing north-south, and
their hypotenuse (with the two rows' mean ``dx_m``) diagonally, so geographic grids are
measured in metres row by row. A step's cost is its length times the mean of its two
cells' weights, as scikit-image's ``MCP_Geometric`` takes it, where a cell's weight is

    1 + exposure_weight * (number of observers that see the cell)

and the count is :func:`terrain.multi.cumulative_viewshed`'s ``count`` (with the
observers' own heights and radii). ``exposure_weight=0`` gives the shortest path.
Cells are impassable where the DEM is void, where the slope (degrees, from metric
gradients) exceeds ``max_slope``, and inside ``avoid`` areas.

The search is scikit-image's minimum-cost-path search (:class:`skimage.graph.MCP_Flexible`,
Dijkstra on the lattice), with the step cost above supplied per edge so that the
row-dependent cell widths of geographic grids are exact (``MCP_Geometric`` takes one
constant spacing for the whole grid).

*Exposed length*: each step's length is shared half and half by its two cells; the
exposed length is the length so held by cells seen by at least one observer, and the
*longest exposed stretch* the longest such length over consecutive seen cells.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr

from ._geojson_file import read_geojson_file
from .coords import GridPoint, grid_to_latlon, locate
from .dem import dem_crs, dem_transform
from .errors import InputError
from .grid import row_geometry, row_heights_m
from .methods import DEFAULT_METHOD

#: Default weight of one observer's sight of a cell: a step seen by one observer costs 11 hidden ones.
DEFAULT_EXPOSURE_WEIGHT = 10.0
#: Without ``search_margin_m``: the box around start and end is widened by this share of their distance...
MARGIN_FRACTION = 0.75
#: ...and by at least this much, metres.
MIN_MARGIN_M = 2_000.0


@dataclass
class RoutePath:
    """One path on the grid and its figures. Lengths in km, heights in metres.

    ``rows``/``cols`` are DEM cells, start first; ``distance_m`` is the distance along the path
    of each cell; ``seen_by`` how many observers see each cell; ``cost`` the path's cost
    (exposure-weighted metres: a hidden metre costs 1).
    """

    rows: np.ndarray
    cols: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    distance_m: np.ndarray
    elevation_m: np.ndarray
    seen_by: np.ndarray
    length_km: float
    exposed_km: float
    longest_exposed_km: float
    cost: float

    @property
    def exposed_percent(self) -> float:
        """Share of the length in sight of at least one observer, %."""
        return 100.0 * self.exposed_km / self.length_km if self.length_km > 0 else 0.0

    def coordinates(self) -> list[list[float]]:
        """The path as GeoJSON ``[lon, lat]`` pairs (WGS84 degrees)."""
        return [[round(float(lo), 7), round(float(la), 7)] for la, lo in zip(self.lat, self.lon)]

    def summary(self) -> dict:
        """The path's figures (km, %), JSON-ready."""
        return {"length_km": round(self.length_km, 3), "exposed_km": round(self.exposed_km, 3),
                "longest_exposed_km": round(self.longest_exposed_km, 3),
                "exposed_percent": round(self.exposed_percent, 2), "cells": int(self.rows.size)}


@dataclass
class CoveredRoute:
    """What :func:`covered_route` finds: the covered route, the shortest path beside it, and the ground.

    ``coverage`` holds ``elevation`` (m), ``count`` (observers that see the cell), ``analysed``
    (observers that analysed it) and ``impassable`` (bool) on the searched window of the DEM, with
    its CRS and transform, for maps; ``attrs`` the parameters and the data's provenance.
    """

    route: RoutePath
    shortest: RoutePath
    start: GridPoint
    end: GridPoint
    observers: list[dict]
    coverage: xr.Dataset
    attrs: dict = field(default_factory=dict)

    @property
    def profile(self) -> xr.Dataset:
        """The exposure profile along the covered route: per cell, by distance from the start (km),
        ``elevation_m``, ``seen_by`` (observers that see it), ``exposed`` (seen by one or more), ``lat``, ``lon``."""
        r = self.route
        return xr.Dataset(
            {"elevation_m": ("distance_km", r.elevation_m, {"units": "m"}),
             "seen_by": ("distance_km", r.seen_by, {"long_name": "number of observers that see the cell"}),
             "exposed": ("distance_km", r.seen_by > 0),
             "lat": ("distance_km", r.lat, {"units": "degrees_north"}),
             "lon": ("distance_km", r.lon, {"units": "degrees_east"})},
            coords={"distance_km": ("distance_km", r.distance_m / 1000.0, {"units": "km"})},
            attrs={k: v for k, v in self.attrs.items() if isinstance(v, (str, int, float))})

    def summary(self) -> dict:
        """Both paths' figures and the parameters, JSON-ready."""
        return {"start": _point_dict(self.start), "end": _point_dict(self.end), "observers": self.observers,
                "route": self.route.summary(), "shortest": self.shortest.summary(),
                "exposure_weight": self.attrs.get("exposure_weight"),
                "max_slope_deg": self.attrs.get("max_slope_deg"),
                "source": self.attrs.get("source", ""), "synthetic": bool(self.attrs.get("synthetic", 0))}


def _point_dict(p: GridPoint) -> dict:
    return {"name": p.label(), "lat": round(p.lat, 6), "lon": round(p.lon, 6), "ground_m": round(p.ground_m, 1)}


def covered_route(dem: xr.DataArray, start, end, observers, exposure_weight: float = DEFAULT_EXPOSURE_WEIGHT,
                  observer_height=2.0, max_distance=None, max_slope: float | None = None, avoid=None,
                  search_margin_m: float | None = None, method: str = DEFAULT_METHOD,
                  **viewshed_options) -> CoveredRoute:
    """The least-exposed path from ``start`` to ``end`` in sight of ``observers``, and the shortest for comparison.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`; it must hold the start, the end and every observer.
    start, end : point
        ``"lat,lon"``, ``(lat, lon)``, ``"xy:X,Y"`` or a place name (:func:`terrain.locate`).
    observers : sequence
        As for :func:`terrain.cumulative_viewshed` (points, place names, or dicts with their own options).
    exposure_weight : float
        Extra cost of a metre in sight of one observer, in hidden metres (0: the shortest path;
        default 10: a metre seen by one observer costs as much as 11 hidden ones, by two 21).
    observer_height : float or list of float
        Observers' eye heights above the ground, metres (one per observer, or one for all).
    max_distance : float or list of float, optional
        Observers' viewing radii, metres (default: the whole DEM).
    max_slope : float, optional
        Cells steeper than this, degrees, are impassable (slope from metric gradients).
    avoid : optional
        Areas the route may not enter: a GeoJSON Polygon/MultiPolygon in lat/lon (dict, Feature,
        FeatureCollection, path of a ``.geojson``/``.json`` file, or a shapely geometry), or a
        boolean array / DataArray on the DEM's grid (True = avoid). Every cell a polygon touches is avoided.
    search_margin_m : float, optional
        The search covers the box around start and end widened by this much, metres (default:
        three quarters of their distance, at least 2 km), clipped to the DEM.
    method : {"refined", "fast", "exact"}
        Viewshed method of the observers.
    **viewshed_options
        ``target_height`` (height of the moving party above the ground, metres; default 0),
        ``curvature``, ``refraction``, ``absolute_heights``, ... as for :func:`terrain.cumulative_viewshed`.

    Returns
    -------
    CoveredRoute
        ``route`` and ``shortest`` (:class:`RoutePath`: cells, lat/lon, ``length_km``, ``exposed_km``,
        ``longest_exposed_km``), ``profile`` along the route, and the ``coverage`` searched.

    Raises
    ------
    InputError
        A point is off the DEM or on impassable ground, or no passable path joins start and end.

    Examples
    --------
    >>> dem = terrain.load_dem("dem_samples/hama_standin.tif")                      # doctest: +SKIP
    >>> r = terrain.covered_route(dem, "Souran", "Hama", ["Zayn al-Abidin", "Jabal Kafra"],
    ...                           observer_height=10, max_distance=15_000)          # doctest: +SKIP
    >>> r.route.exposed_km < r.shortest.exposed_km                                  # doctest: +SKIP
    True
    """
    from .multi.cumulative import cumulative_viewshed

    exposure_weight = _non_negative(exposure_weight, "exposure_weight")
    if max_slope is not None and not (math.isfinite(float(max_slope)) and 0 < float(max_slope) <= 90):
        raise InputError(f"max_slope is in degrees above 0 and at most 90, got {max_slope}")
    a = locate(dem, start, role="start")
    b = locate(dem, end, role="end")
    if (a.r, a.c) == (b.r, b.c):
        raise InputError("the start and the end are in the same cell; give two points farther apart")
    cv = cumulative_viewshed(dem, observers, method=method, observer_height=observer_height,
                             max_distance=max_distance, **viewshed_options)

    transform, crs = dem_transform(dem), dem_crs(dem)
    y_m, dx_m = row_geometry(transform, dem.shape, crs)
    rows, cols = _search_window(a, b, y_m, dx_m, dem.shape, search_margin_m)
    window = dem.isel(y=rows, x=cols)
    z = np.asarray(window.values, dtype=np.float64)
    count = _on_window(cv["count"], window)
    analysed = _on_window(cv["analysed"], window)
    wy, wdx = y_m[rows], dx_m[rows]

    blocked = ~np.isfinite(z)
    if max_slope is not None:
        blocked |= slope_deg(dem, rows, cols, y_m, dx_m) > float(max_slope)
    if avoid is not None:
        blocked |= avoid_mask(dem, avoid)[rows, cols]
    ra, ca = a.r - rows.start, a.c - cols.start
    rb, cb = b.r - rows.start, b.c - cols.start
    for p, (r, c), role in ((a, (ra, ca), "start"), (b, (rb, cb), "end")):
        if blocked[r, c]:
            raise InputError(f"the {role} {p.label()} is on impassable ground (steeper than max_slope, inside an "
                             "avoid area or void); move it or relax the limits")

    lengths = step_lengths(wy, wdx)
    paths = {}
    for key, weight in (("route", 1.0 + exposure_weight * count.astype(np.float64)),
                        ("shortest", np.ones(z.shape))):
        cells = least_cost_path(weight, blocked, lengths, (ra, ca), (rb, cb))
        paths[key] = _route_path(dem, cells, rows.start, cols.start, z, count, weight, lengths)

    if _on_search_edge(paths["route"], rows, cols, dem.shape):
        import warnings

        from .errors import TerrainWarning

        warnings.warn("the covered route runs along the edge of the area searched, so a wider search may find a "
                      "less exposed one; widen search_margin_m (--search-margin)", TerrainWarning, stacklevel=2)
    coverage = xr.Dataset({"elevation": (("y", "x"), z.astype(np.float32), {"units": "m"}),
                           "count": (("y", "x"), count), "analysed": (("y", "x"), analysed),
                           "impassable": (("y", "x"), blocked)},
                          coords={"y": window.y, "x": window.x})
    if crs is not None:
        coverage.rio.write_crs(crs, inplace=True)
    coverage.rio.write_transform(window.rio.transform(recalc=False), inplace=True)
    attrs = {"exposure_weight": exposure_weight, "max_slope_deg": None if max_slope is None else float(max_slope),
             "avoid": _describe_avoid(avoid), "method": method, "n_observers": int(cv.sizes["observer"]),
             "observer_height_m": json.dumps(observer_height), "max_distance_m": json.dumps(max_distance),
             "source": dem.attrs.get("source", ""), "files": dem.attrs.get("files", ""),
             "synthetic": int(dem.attrs.get("synthetic", 0)),
             "cost_model": "step length x mean of its two cells' (1 + exposure_weight x observers seeing the cell)"}
    coverage.attrs.update({k: v for k, v in attrs.items() if v is not None})
    obs = [{"name": str(n) or None, "lat": round(float(la), 6), "lon": round(float(lo), 6),
            "eye_m": round(float(e), 1)}
           for n, la, lo, e in zip(cv.observer_name.values, cv.observer_lat.values, cv.observer_lon.values,
                                   cv.observer_eye_m.values)]
    return CoveredRoute(route=paths["route"], shortest=paths["shortest"], start=a, end=b, observers=obs,
                        coverage=coverage, attrs=attrs)


def route_bounds(start, end, observers, max_distance=None, search_margin_m: float | None = None,
                 margin_m: float = 1_000.0) -> tuple[float, float, float, float] | None:
    """The (west, south, east, north) box, degrees, that a covered route needs read from a DEM: the search box
    around start and end (see ``search_margin_m`` of :func:`covered_route`) and every observer's radius, each
    widened by ``margin_m``; None when that is not known before reading (no radius, or ``xy:`` points)."""
    from pyproj import Geod

    from .coords import parse_point
    from .dem import bounds_around
    from .multi.observers import observer_specs

    radii = [s["max_distance"] for s in observer_specs(observers, {"max_distance": max_distance})]
    points = [parse_point(p) for p in (start, end)]
    obs = [parse_point(s["point"]) for s in observer_specs(observers, {})]
    if any(r is None for r in radii) or any(isinstance(p, tuple) for p in points + obs):
        return None
    a, b = points
    if search_margin_m is None:
        gap = Geod(ellps="WGS84").inv(a.lon, a.lat, b.lon, b.lat)[2]
        search_margin_m = max(MIN_MARGIN_M, MARGIN_FRACTION * gap)
    boxes = [bounds_around(p.lat, p.lon, float(search_margin_m) + margin_m) for p in points]
    boxes += [bounds_around(p.lat, p.lon, float(r) + margin_m) for p, r in zip(obs, radii)]
    return (min(x[0] for x in boxes), min(x[1] for x in boxes), max(x[2] for x in boxes), max(x[3] for x in boxes))


def _on_search_edge(path: RoutePath, rows: slice, cols: slice, shape) -> bool:
    """Whether a path touches a side of the search window that is not the DEM's own edge."""
    sides = ((path.rows == rows.start) & (rows.start > 0), (path.rows == rows.stop - 1) & (rows.stop < shape[0]),
             (path.cols == cols.start) & (cols.start > 0), (path.cols == cols.stop - 1) & (cols.stop < shape[1]))
    return bool(any(np.any(s) for s in sides))


def _non_negative(value, what: str) -> float:
    value = float(value)
    if not (math.isfinite(value) and value >= 0):
        raise InputError(f"{what} must be 0 or more, got {value:g}")
    return value


def _search_window(a: GridPoint, b: GridPoint, y_m, dx_m, shape, margin_m) -> tuple[slice, slice]:
    """Rows and columns of the box around ``a`` and ``b`` widened by ``margin_m`` metres, clipped to the grid."""
    if margin_m is None:
        dy = y_m[b.r] - y_m[a.r]
        dx = (b.c - a.c) * 0.5 * (dx_m[a.r] + dx_m[b.r])
        margin_m = max(MIN_MARGIN_M, MARGIN_FRACTION * math.hypot(dy, dx))
    margin_m = _non_negative(margin_m, "search_margin_m")
    r0, r1 = min(a.r, b.r), max(a.r, b.r)
    y0 = np.searchsorted(y_m, y_m[r0] - margin_m, side="left")
    y1 = np.searchsorted(y_m, y_m[r1] + margin_m, side="right")
    c_margin = int(math.ceil(margin_m / float(np.min(dx_m[y0:y1]))))
    c0, c1 = min(a.c, b.c) - c_margin, max(a.c, b.c) + c_margin + 1
    return slice(int(y0), int(y1)), slice(max(0, c0), min(shape[1], c1))


def _on_window(da: xr.DataArray, window: xr.DataArray) -> np.ndarray:
    """A cumulative-viewshed variable (on the observers' window) on the grid of ``window``; 0 outside it."""
    return np.asarray(da.reindex_like(window, method="nearest", tolerance=1e-9, fill_value=0).values,
                      dtype=np.uint16)


def slope_deg(dem: xr.DataArray, rows: slice, cols: slice, y_m, dx_m) -> np.ndarray:
    """Slope of the cells ``dem[rows, cols]``, degrees from horizontal (central differences in metres;
    NaN next to voids, which then count as passable unless void themselves)."""
    r0, r1 = max(rows.start - 1, 0), min(rows.stop + 1, dem.shape[0])
    c0, c1 = max(cols.start - 1, 0), min(cols.stop + 1, dem.shape[1])
    z = np.asarray(dem.values[r0:r1, c0:c1], dtype=np.float64)
    dy = row_heights_m(y_m)[r0:r1] if dem.shape[0] > 1 else np.ones(r1 - r0)
    dzdy = np.gradient(z, axis=0) / dy[:, None] if z.shape[0] > 1 else np.zeros_like(z)
    dzdx = np.gradient(z, axis=1) / dx_m[r0:r1, None] if z.shape[1] > 1 else np.zeros_like(z)
    s = np.degrees(np.arctan(np.hypot(dzdx, dzdy)))
    return s[rows.start - r0:rows.start - r0 + (rows.stop - rows.start),
             cols.start - c0:cols.start - c0 + (cols.stop - cols.start)]


def avoid_mask(dem: xr.DataArray, avoid) -> np.ndarray:
    """Cells to avoid on the DEM's grid (bool): from a boolean raster, or every cell lat/lon polygons touch."""
    if isinstance(avoid, (xr.DataArray, np.ndarray)):
        mask = np.asarray(avoid.values if isinstance(avoid, xr.DataArray) else avoid)
        if mask.shape != dem.shape:
            raise InputError(f"the avoid raster is {mask.shape[0]} x {mask.shape[1]} cells but the DEM is "
                             f"{dem.shape[0]} x {dem.shape[1]}; give it on the DEM's grid, or give polygons")
        return mask.astype(bool)
    import rasterio.features
    from rasterio.warp import transform_geom

    geometry = _avoid_geometry(avoid)
    crs = dem_crs(dem)
    if crs is None:
        raise InputError("the DEM has no CRS, so lat/lon avoid polygons cannot be placed on it; give a raster")
    geom = transform_geom("EPSG:4326", crs.to_wkt(), geometry)
    return rasterio.features.rasterize([(geom, 1)], out_shape=dem.shape, transform=dem_transform(dem), fill=0,
                                       dtype="uint8", all_touched=True).astype(bool)


def _avoid_geometry(avoid) -> dict:
    """A GeoJSON geometry dict from a file path, a GeoJSON dict or a shapely geometry (``__geo_interface__``)."""
    if isinstance(avoid, (str, Path)):
        path = Path(avoid)
        avoid = read_geojson_file(path, f"no such avoid file: {path}; give a GeoJSON file of polygons in lat/lon",
                                  "give a GeoJSON file of polygons")
    if hasattr(avoid, "__geo_interface__"):
        avoid = avoid.__geo_interface__
    if not isinstance(avoid, dict):
        raise InputError(f"cannot read {type(avoid).__name__} as avoid areas; give GeoJSON polygons, a shapely "
                         "geometry or a boolean raster on the DEM's grid")
    kind = avoid.get("type")
    if kind == "FeatureCollection":
        geoms = [f["geometry"] for f in avoid.get("features", []) if f.get("geometry")]
        avoid = {"type": "GeometryCollection", "geometries": geoms}
    elif kind == "Feature":
        avoid = avoid.get("geometry") or {}
    parts = avoid.get("geometries", [avoid]) if avoid.get("type") == "GeometryCollection" else [avoid]
    if not parts or any(p.get("type") not in ("Polygon", "MultiPolygon") for p in parts):
        found = ", ".join(sorted({str(p.get("type")) for p in parts})) or "nothing"
        raise InputError(f"the avoid areas must be Polygons or MultiPolygons in lat/lon, got {found}")
    return avoid


def _describe_avoid(avoid) -> str | None:
    if avoid is None:
        return None
    if isinstance(avoid, (str, Path)):
        return str(avoid)
    return "raster" if isinstance(avoid, (xr.DataArray, np.ndarray)) else "polygons"


# --------------------------------------------------------------------------- the search

@dataclass
class StepLengths:
    """Metric lengths of the 8 steps on a grid, metres: ``east[r]`` a step along row ``r``;
    ``south[r]`` and ``diagonal[r]`` a step between rows ``r`` and ``r + 1``."""

    east: np.ndarray
    south: np.ndarray
    diagonal: np.ndarray

    def of(self, r0: np.ndarray, c0: np.ndarray, r1: np.ndarray, c1: np.ndarray) -> np.ndarray:
        """Lengths of the steps from cells ``(r0, c0)`` to their neighbours ``(r1, c1)``, metres."""
        top = np.minimum(r0, r1)
        flat = r0 == r1
        straight = c0 == c1
        top_safe = np.minimum(top, max(self.south.size - 1, 0))
        return np.where(flat, self.east[r0], np.where(straight, self.south[top_safe], self.diagonal[top_safe]))


def step_lengths(y_m: np.ndarray, dx_m: np.ndarray) -> StepLengths:
    """The steps' lengths on a grid of rows at ``y_m`` with cell widths ``dx_m`` (metres; the kernels' rule)."""
    dy = np.diff(y_m)
    return StepLengths(east=np.asarray(dx_m, dtype=np.float64), south=dy,
                       diagonal=np.hypot(dy, 0.5 * (dx_m[:-1] + dx_m[1:])))


def least_cost_path(weight: np.ndarray, blocked: np.ndarray, lengths: StepLengths, start, end) -> np.ndarray:
    """Cells ``(n, 2)`` of the least-cost 8-connected path from ``start`` to ``end`` (row, col), found by
    scikit-image's MCP; a step costs its length times the mean of its two cells' ``weight``; ``blocked``
    cells are never entered."""
    mcp = _metric_mcp_class().on(weight, blocked, lengths)
    cumulative, _ = mcp.find_costs([tuple(start)], [tuple(end)])
    if not np.isfinite(cumulative[tuple(end)]):
        raise InputError("no passable path joins the start and the end (impassable ground or avoid areas cut "
                         "them apart); relax max_slope, shrink the avoid areas or widen search_margin_m")
    return np.asarray(mcp.traceback(tuple(end)), dtype=np.int64)


def _skimage_graph():
    try:
        from skimage import graph
    except ImportError:  # pragma: no cover  (a dependency; guarded for a broken install)
        raise InputError("covered routes need scikit-image; install it with pip install scikit-image") from None
    return graph


@functools.lru_cache(maxsize=1)
def _metric_mcp_class():
    graph = _skimage_graph()

    class MetricMCP(graph.MCP_Flexible):
        """MCP whose cost array carries each cell's flat index (-1: impassable, which MCP skips), so that
        :meth:`travel_cost`, handed the two cells' "costs", knows the two cells and returns the step's metric
        cost: its length (by row and direction) times the mean of the two cells' weights."""

        @classmethod
        def on(cls, weight, blocked, lengths: StepLengths):
            rows, cols = weight.shape
            carrier = np.arange(rows * cols, dtype=np.float64).reshape(rows, cols)
            carrier[blocked] = -1.0
            mcp = cls(carrier, fully_connected=True)
            mcp._cols = cols
            mcp._w = np.asarray(weight, dtype=np.float64).ravel().tolist()
            mcp._east = lengths.east.tolist()
            mcp._south = lengths.south.tolist()
            mcp._diag = lengths.diagonal.tolist()
            return mcp

        def find_costs(self, starts, ends=None, **kwargs):
            cumulative, traceback = super().find_costs(starts, ends, **kwargs)
            # MCP counts the start cell's own "cost" (its index); take it off
            (r, c), = starts
            return cumulative - float(r * self._cols + c), traceback

        def travel_cost(self, old_cost, new_cost, offset_length):
            i, j = int(old_cost), int(new_cost)
            d, cols = j - i, self._cols
            if d == 1 or d == -1:
                length = self._east[i // cols]
            elif d > 0:
                length = (self._south if d == cols else self._diag)[i // cols]
            else:
                length = (self._south if d == -cols else self._diag)[i // cols - 1]
            w = self._w
            return length * 0.5 * (w[i] + w[j])

    return MetricMCP


def _route_path(dem, cells: np.ndarray, r_off: int, c_off: int, z, count, weight, lengths: StepLengths) -> RoutePath:
    """A :class:`RoutePath` from window cells: lat/lon, distances, exposure figures."""
    r, c = cells[:, 0], cells[:, 1]
    step = lengths.of(r[:-1], c[:-1], r[1:], c[1:])
    distance = np.concatenate([[0.0], np.cumsum(step)])
    seen = count[r, c].astype(np.int64)
    # each step's length is shared half and half by its two cells
    held = np.zeros(r.size)
    held[:-1] += 0.5 * step
    held[1:] += 0.5 * step
    exposed = seen > 0
    longest, run = 0.0, 0.0
    for h, e in zip(held, exposed):
        run = run + h if e else 0.0
        longest = max(longest, run)
    cost = float((step * 0.5 * (weight[r[:-1], c[:-1]] + weight[r[1:], c[1:]])).sum())
    rows, cols = r + r_off, c + c_off
    lat, lon = grid_to_latlon(dem, rows, cols)
    return RoutePath(rows=rows, cols=cols, lat=np.asarray(lat), lon=np.asarray(lon), distance_m=distance,
                     elevation_m=z[r, c], seen_by=seen, length_km=float(distance[-1]) / 1000.0,
                     exposed_km=float(held[exposed].sum()) / 1000.0, longest_exposed_km=float(longest) / 1000.0,
                     cost=cost)
