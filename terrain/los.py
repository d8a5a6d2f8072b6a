"""Exact line of sight between two points: the profile, the verdict, the obstruction and the clearance.

Model: the terrain is sampled along the straight line (in grid space) from A to
B at most half a cell apart, by bilinear interpolation of the four surrounding
cell centres. Ground at distance ``d`` from A is lowered by the earth's
curvature and refraction, ``d**2 / (2R) * (1 - k)``. B is visible when no sample
strictly between A and B rises above the straight sight line from A's eye to
B's top. Samples on a data void are skipped (they neither block nor count).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr
from pyproj import Geod

from .coords import GridPoint, grid_to_latlon, locate
from .dem import dem_crs
from .earth import DEFAULT_REFRACTION, curvature_factor
from .errors import InputError
from .numbers import check_number

_GEOD = Geod(ellps="WGS84")


@dataclass
class Obstruction:
    """Where the sight line is first blocked."""

    distance_m: float
    lat: float
    lon: float
    elevation_m: float
    height_above_sight_line_m: float


@dataclass
class LineOfSight:
    """Result of :func:`line_of_sight`. Distances in metres from A, heights in metres above sea level."""

    observer: GridPoint
    target: GridPoint
    observer_eye_m: float
    target_top_m: float
    distance_m: float
    visible: bool
    min_clearance_m: float
    extra_target_height_m: float
    obstruction: Obstruction | None
    profile_distance_m: np.ndarray = field(repr=False)
    profile_terrain_m: np.ndarray = field(repr=False)
    profile_terrain_curved_m: np.ndarray = field(repr=False)
    profile_sight_line_m: np.ndarray = field(repr=False)
    profile_lat: np.ndarray = field(repr=False)
    profile_lon: np.ndarray = field(repr=False)
    parameters: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """A JSON-ready summary (no profile arrays)."""
        def point(p: GridPoint, height):
            return {"name": p.name, "lat": round(p.lat, 6), "lon": round(p.lon, 6),
                    "ground_m": round(p.ground_m, 2), "height_m": round(height, 2)}
        return {
            "observer": point(self.observer, self.observer_eye_m),
            "target": point(self.target, self.target_top_m),
            "distance_m": round(self.distance_m, 1),
            "visible": bool(self.visible),
            "min_clearance_m": round(self.min_clearance_m, 2),
            "extra_target_height_m": round(self.extra_target_height_m, 2),
            "obstruction": None if self.obstruction is None else {
                "distance_m": round(self.obstruction.distance_m, 1),
                "lat": round(self.obstruction.lat, 6), "lon": round(self.obstruction.lon, 6),
                "elevation_m": round(self.obstruction.elevation_m, 1),
                "height_above_sight_line_m": round(self.obstruction.height_above_sight_line_m, 2)},
            "parameters": self.parameters,
        }

    def summary(self) -> str:
        """A few readable lines describing the verdict."""
        a, b = self.observer.label(), self.target.label()
        lines = [f"{a} -> {b}: {self.distance_m / 1000:.2f} km, "
                 f"{'VISIBLE' if self.visible else 'HIDDEN'}"]
        lines.append(f"  eye {self.observer_eye_m:.1f} m a.s.l. (ground {self.observer.ground_m:.1f} m), "
                     f"target top {self.target_top_m:.1f} m (ground {self.target.ground_m:.1f} m)")
        if self.visible:
            lines.append(f"  minimum clearance {self.min_clearance_m:.1f} m above the terrain")
        else:
            o = self.obstruction
            lines.append(f"  first blocked {o.distance_m / 1000:.2f} km out at {o.lat:.4f}, {o.lon:.4f} "
                         f"(ground {o.elevation_m:.0f} m, {o.height_above_sight_line_m:.1f} m above the sight line)")
            lines.append(f"  the target would need to be {self.extra_target_height_m:.1f} m taller to be seen")
        return "\n".join(lines)


def bilinear(z: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Bilinear interpolation of ``z`` at fractional (row, col) positions; NaN if any neighbour is a void."""
    nr, nc = z.shape
    rows = np.clip(rows, 0.0, nr - 1.0)
    cols = np.clip(cols, 0.0, nc - 1.0)
    r0 = np.minimum(np.floor(rows).astype(np.int64), max(nr - 2, 0))
    c0 = np.minimum(np.floor(cols).astype(np.int64), max(nc - 2, 0))
    r1 = np.minimum(r0 + 1, nr - 1)
    c1 = np.minimum(c0 + 1, nc - 1)
    fr = rows - r0
    fc = cols - c0
    top = z[r0, c0] * (1 - fc) + z[r0, c1] * fc
    bottom = z[r1, c0] * (1 - fc) + z[r1, c1] * fc
    return (top * (1 - fr) + bottom * fr).astype(np.float64)


def point_distance_m(dem: xr.DataArray, a: GridPoint, b: GridPoint) -> float:
    """Ground distance between two located points, metres (geodesic on CRS-ful DEMs)."""
    if dem_crs(dem) is not None:
        return float(_GEOD.inv(a.lon, a.lat, b.lon, b.lat)[2])
    return math.hypot(b.x - a.x, b.y - a.y)


def line_of_sight(dem: xr.DataArray, a, b, observer_height: float = 2.0, target_height: float = 0.0,
                  curvature: bool = True, refraction: float = DEFAULT_REFRACTION,
                  absolute_heights: bool = False) -> LineOfSight:
    """Exact line of sight from ``a`` to ``b`` over a DEM.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`.
    a, b : str, tuple or point
        Observer and target: ``"lat,lon"``, ``(lat, lon)``, ``"xy:X,Y"`` or a place name.
    observer_height, target_height : float
        Metres above the ground (default), or above sea level with ``absolute_heights``.
    curvature : bool
        Account for the earth's curvature (default True).
    refraction : float
        Refraction coefficient k (0.13 default; GDAL's ``-cc`` is 1 - k).
    absolute_heights : bool
        Read the two heights as metres above sea level instead of above the ground.

    Returns
    -------
    LineOfSight
        Profile arrays (distance, terrain, curvature-adjusted terrain, sight line),
        the verdict, the first obstruction, the minimum clearance of the sight
        line over the terrain and the extra target height needed to be seen.

    Examples
    --------
    >>> los = line_of_sight(dem, "Mount Washington", "44.3203,-71.2914", observer_height=2)
    >>> los.visible
    True
    """
    above = {} if absolute_heights else dict(low=0.0, hint="give 0 or more metres above the ground "
                                                           "(or pass absolute heights above sea level)")
    observer_height = check_number(observer_height, "observer height", unit="m", **above)
    target_height = check_number(target_height, "target height", unit="m", **above)
    pa = locate(dem, a, role="observer")
    pb = locate(dem, b, role="target")
    curv = curvature_factor(curvature, refraction)
    z = dem.values
    span = max(abs(pb.row - pa.row), abs(pb.col - pa.col))
    n = max(int(math.ceil(span * 2.0)), 2)
    t = np.linspace(0.0, 1.0, n + 1)
    rows = pa.row + t * (pb.row - pa.row)
    cols = pa.col + t * (pb.col - pa.col)
    terrain = bilinear(z, rows, cols)
    ground_a = terrain[0] if math.isfinite(terrain[0]) else pa.ground_m
    ground_b = terrain[-1] if math.isfinite(terrain[-1]) else pb.ground_m
    eye = observer_height if absolute_heights else ground_a + observer_height
    top = target_height if absolute_heights else ground_b + target_height
    dist = point_distance_m(dem, pa, pb)
    d = t * dist
    curved = terrain - curv * d * d
    top_curved = top - curv * dist * dist
    sight = eye + (top_curved - eye) * t
    inner = slice(1, n)
    clearance = (sight - curved)[inner]
    valid = np.isfinite(clearance)
    if valid.any():
        min_clear = float(np.min(clearance[valid]))
        slopes = (curved[inner] - eye) / d[inner]
        needed = eye + float(np.max(slopes[valid])) * dist
        extra = max(0.0, needed - top_curved)
    else:
        min_clear, extra = float("inf"), 0.0
    blocked = np.flatnonzero(valid & (clearance < 0.0))
    visible = blocked.size == 0
    obstruction = None
    if not visible:
        i = int(blocked[0]) + 1
        lat, lon = grid_to_latlon(dem, rows[i], cols[i])
        obstruction = Obstruction(float(d[i]), float(lat), float(lon), float(terrain[i]), float(-clearance[i - 1]))
    lat, lon = grid_to_latlon(dem, rows, cols)
    params = {"observer_height_m": observer_height, "target_height_m": target_height,
              "absolute_heights": absolute_heights, "curvature": curvature, "refraction": refraction,
              "samples": int(n + 1), "sample_spacing_cells": float(span / n) if n else 0.0}
    return LineOfSight(observer=pa, target=pb, observer_eye_m=float(eye), target_top_m=float(top),
                       distance_m=float(dist), visible=bool(visible), min_clearance_m=min_clear,
                       extra_target_height_m=float(extra), obstruction=obstruction,
                       profile_distance_m=d, profile_terrain_m=terrain, profile_terrain_curved_m=curved,
                       profile_sight_line_m=sight, profile_lat=np.asarray(lat), profile_lon=np.asarray(lon),
                       parameters=params)
