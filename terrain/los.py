"""Exact line of sight between two points: the profile, the verdict, the obstruction and the clearance.

Model: the same as the exact viewshed's (:mod:`terrain.kernels.horizon_exact`),
so that ``line_of_sight(dem, a, b).visible`` is the exact viewshed of ``a`` at
``b``'s cell. Each point stands on its cell: the ground under it is that
cell's value and the sight line runs between the two cell centres. The
terrain along the line is sampled where it crosses the grid lines of its major
axis (once per cell), by linear interpolation between the two cells on that
grid line; ground at distance ``d`` from A is lowered by the earth's curvature
and refraction, ``d**2 / (2R) * (1 - k)``. B is visible when no crossing rises
above the straight line from A's eye to B's top (the rule of
:mod:`terrain.kernels.visibility`). Crossings with a data void are skipped (they
neither block nor count).

The clearance is the sight line's least height above the terrain over the
crossings, i.e. the whole path except the observer's and the target's own
cells (a target on the ground always has zero clearance at its own foot).
With a radio frequency the first Fresnel zone is measured too
(:mod:`terrain.fresnel`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from .coords import GridPoint, grid_to_latlon, locate
from .dem import dem_crs, dem_transform
from .earth import DEFAULT_REFRACTION, curvature_factor
from .flags import VISIBLE
from .fresnel import check_frequency_mhz, first_zone_radius_m, fresnel_verdict
from .grid import row_geometry
from .heights import check_heights, eye_elevation_m


#: The part of the path the clearance leaves out, as stated in summaries and JSON.
CLEARANCE_EXCLUDES = "the observer's and the target's cells"


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
    """Result of :func:`line_of_sight`. Distances in metres from A, heights in metres above sea level.

    ``min_clearance_m`` is the sight line's least height above the (curvature-lowered) terrain over the
    path excluding the observer's and the target's cells (negative when blocked; infinite when the two
    cells are neighbours and nothing lies between them). The ``fresnel_*`` fields are set when a
    ``frequency_mhz`` was given: ``fresnel_radius_m`` the first-zone radius at each profile sample (0 at
    the ends), ``fresnel_radius_max_m`` its largest value, ``fresnel_clearance_ratio_min`` the least
    clearance as a fraction of the local radius (end cells excluded, where the radius goes to zero),
    ``fresnel_worst_distance_m`` where that is, and ``fresnel_verdict`` one of ``"clear"``,
    ``">= 60 % clear"``, ``"obstructed"``.
    """

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
    frequency_mhz: float | None = None
    fresnel_radius_m: np.ndarray | None = field(default=None, repr=False)
    fresnel_radius_max_m: float | None = None
    fresnel_clearance_ratio_min: float | None = None
    fresnel_worst_distance_m: float | None = None
    fresnel_verdict: str | None = None

    def to_dict(self) -> dict:
        """A JSON-ready summary (no profile arrays)."""
        def point(p: GridPoint, height):
            return {"name": p.name, "lat": round(p.lat, 6), "lon": round(p.lon, 6),
                    "ground_m": round(p.ground_m, 2), "height_m": round(height, 2)}
        out = {
            "observer": point(self.observer, self.observer_eye_m),
            "target": point(self.target, self.target_top_m),
            "distance_m": round(self.distance_m, 1),
            "visible": bool(self.visible),
            "min_clearance_m": round(self.min_clearance_m, 2),
            "clearance_excludes": CLEARANCE_EXCLUDES,
            "extra_target_height_m": round(self.extra_target_height_m, 2),
            "obstruction": None if self.obstruction is None else {
                "distance_m": round(self.obstruction.distance_m, 1),
                "lat": round(self.obstruction.lat, 6), "lon": round(self.obstruction.lon, 6),
                "elevation_m": round(self.obstruction.elevation_m, 1),
                "height_above_sight_line_m": round(self.obstruction.height_above_sight_line_m, 2)},
            "parameters": self.parameters,
        }
        if self.frequency_mhz is not None:
            out.update({
                "frequency_mhz": self.frequency_mhz,
                "fresnel_radius_max_m": round(self.fresnel_radius_max_m, 2),
                "fresnel_clearance_ratio_min": round(self.fresnel_clearance_ratio_min, 3),
                "fresnel_worst_distance_m": (None if self.fresnel_worst_distance_m is None
                                             else round(self.fresnel_worst_distance_m, 1)),
                "fresnel_verdict": self.fresnel_verdict,
            })
        return out

    def summary(self) -> str:
        """A few readable lines describing the verdict."""
        a, b = self.observer.label(), self.target.label()
        lines = [f"{a} -> {b}: {self.distance_m / 1000:.2f} km, "
                 f"{'VISIBLE' if self.visible else 'HIDDEN'}"]
        on_a = float(self.parameters.get("observer_obstacle_m", 0.0))
        on_b = float(self.parameters.get("target_obstacle_m", 0.0))

        def above(top, ground, roof):
            if roof:
                return f"ground {ground:.1f} m + {roof:.1f} m obstacle + {top - ground - roof:.1f} m"
            return f"ground {ground:.1f} m + {top - ground:.1f} m"

        eye = above(self.observer_eye_m, self.observer.ground_m, on_a)
        top = above(self.target_top_m, self.target.ground_m, on_b)
        lines.append(f"  eye {self.observer_eye_m:.1f} m a.s.l. ({eye}), target top {self.target_top_m:.1f} m ({top})")
        if self.parameters.get("obstacles"):
            lines.append("  sight line over the obstacles' tops (ground + obstacle heights)")
        if self.visible:
            if math.isfinite(self.min_clearance_m):
                lines.append(f"  minimum clearance {self.min_clearance_m:.1f} m above the terrain "
                             f"(excluding {CLEARANCE_EXCLUDES})")
            else:
                lines.append("  no terrain between the two cells (neighbours)")
        else:
            o = self.obstruction
            surface = "ground + obstacle" if self.parameters.get("obstacles") else "ground"
            lines.append(f"  first blocked {o.distance_m / 1000:.2f} km out at {o.lat:.4f}, {o.lon:.4f} "
                         f"({surface} {o.elevation_m:.0f} m, {o.height_above_sight_line_m:.1f} m above the sight line)")
            lines.append(f"  the target would need to be {self.extra_target_height_m:.1f} m taller to be seen")
        if self.frequency_mhz is not None:
            ratio = self.fresnel_clearance_ratio_min
            where = ("" if self.fresnel_worst_distance_m is None
                     else f" at {self.fresnel_worst_distance_m / 1000:.2f} km")
            shown = "no terrain in between" if not math.isfinite(ratio) else f"{100 * ratio:.0f} % of the zone"
            lines.append(f"  Fresnel zone at {self.frequency_mhz:g} MHz: first-zone radius up to "
                         f"{self.fresnel_radius_max_m:.1f} m; worst clearance {shown}{where}: "
                         f"{self.fresnel_verdict}")
        return "\n".join(lines)


def line_of_sight(dem: xr.DataArray, a, b, observer_height: float = 2.0, target_height: float = 0.0,
                  curvature: bool = True, refraction: float = DEFAULT_REFRACTION,
                  absolute_heights: bool = False, frequency_mhz: float | None = None, obstacles=None,
                  targets_on_obstacles: bool = False, observer_on_obstacle: bool = False) -> LineOfSight:
    """Exact line of sight from ``a`` to ``b`` over a DEM, by the exact viewshed's rule.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`.
    a, b : str, tuple or point
        Observer and target: ``"lat,lon"``, ``(lat, lon)``, ``"xy:X,Y"`` or a place name. Each stands on
        the cell holding it: its ground is that cell's value, and the sight line runs between the two
        cell centres (as in :func:`terrain.viewshed`).
    observer_height, target_height : float
        Metres above the ground; with ``absolute_heights`` the observer's is metres above sea level.
    curvature : bool
        Account for the earth's curvature (default True).
    refraction : float
        Refraction coefficient k (0.13 default; GDAL's ``-cc`` is 1 - k; radio planners use 0.25).
    absolute_heights : bool
        Read ``observer_height`` as metres above sea level (refused below the observer's ground); the
        target's height stays above its own ground, as in every analysis (:mod:`terrain.heights`).
    frequency_mhz : float, optional
        Radio frequency in MHz: also measure the first Fresnel zone's clearance (:mod:`terrain.fresnel`).
    obstacles : xarray.DataArray, array or path, optional
        Heights above the ground (buildings, canopy), metres, on the DEM's grid or a raster file read onto
        it, that block the sight line as in :func:`terrain.viewshed` (:mod:`terrain.obstacles`): the
        profile's terrain is then the ground plus the obstacles, and the clearance is over their tops.
    targets_on_obstacles : bool
        The target stands on its cell's obstacle (a roof) rather than on the ground under it.
    observer_on_obstacle : bool
        The observer stands on its cell's obstacle (a roof, a tower) rather than on the ground.

    Returns
    -------
    LineOfSight
        Profile arrays (distance, terrain, curvature-adjusted terrain, sight line; one sample per grid
        line crossed, plus the two end cells), the verdict (equal to ``viewshed(dem, a, method="exact")``
        at ``b``'s cell), the first obstruction, the minimum clearance of the sight line over the terrain
        excluding the two end cells, the extra target height needed to be seen and, with
        ``frequency_mhz``, the Fresnel-zone clearance. ``distance_m`` is between the two cell centres.

    Examples
    --------
    >>> los = line_of_sight(dem, "Mount Washington", "44.3203,-71.2914", observer_height=2)
    >>> los.visible
    True
    >>> line_of_sight(dem, "Mount Adams", "Mount Jefferson", frequency_mhz=900).fresnel_verdict
    'clear'
    """
    from .obstacles import check_obstacle_flags

    observer_height, target_height = check_heights(observer_height, target_height, absolute_heights)
    if frequency_mhz is not None:
        frequency_mhz = check_frequency_mhz(frequency_mhz)
    pa = locate(dem, a, role="observer")
    pb = locate(dem, b, role="target")
    check_obstacle_flags(obstacles, targets_on_obstacles, observer_on_obstacle)
    return line_between(dem, pa, pb, sight_ground(dem, obstacles), observer_height, target_height, curvature,
                        refraction, absolute_heights, frequency_mhz, targets_on_obstacles, observer_on_obstacle)


@dataclass(frozen=True)
class SightGround:
    """What sight lines over one DEM walk, worked out once for many lines (:func:`sight_ground`): the surface
    (the ground, plus the obstacles where there are any), the obstacle heights (None without) and the row
    geometry."""

    z: np.ndarray
    obstacles: np.ndarray | None
    y_m: np.ndarray
    dx_m: np.ndarray


def sight_ground(dem: xr.DataArray, obstacles=None) -> SightGround:
    """The :class:`SightGround` of ``dem``, with ``obstacles`` (as :func:`line_of_sight` takes them) read once."""
    z = np.ascontiguousarray(dem.values, dtype=np.float32)
    y_m, dx_m = row_geometry(dem_transform(dem), dem.shape, dem_crs(dem))
    obst = None
    if obstacles is not None:
        from .obstacles import obstacle_grid, surfaces

        obst = obstacle_grid(dem, obstacles)
        z = surfaces(z, obst, False)[0]   # sight lines cross the tops; each end stands as chosen by the caller
    return SightGround(z, obst, y_m, dx_m)


def line_between(dem: xr.DataArray, pa: GridPoint, pb: GridPoint, ground: SightGround, observer_height: float,
                 target_height: float, curvature: bool = True, refraction: float = DEFAULT_REFRACTION,
                 absolute_heights: bool = False, frequency_mhz: float | None = None,
                 targets_on_obstacles: bool = False, observer_on_obstacle: bool = False) -> LineOfSight:
    """:func:`line_of_sight` between two located points over a :class:`SightGround` (heights and frequency
    already checked): for many lines over one DEM, such as :func:`terrain.multi.intervisibility`."""
    from .kernels.sight_line import sight_line

    z, obst, y_m, dx_m = ground.z, ground.obstacles, ground.y_m, ground.dx_m
    curv = curvature_factor(curvature, refraction)
    eye = eye_elevation_m(pa.ground_m, observer_height, absolute_heights, label=f"the observer {pa.label()}")
    on_a = on_b = 0.0
    if obst is not None:
        on_a = float(obst[pa.r, pa.c]) if observer_on_obstacle else 0.0
        on_b = float(obst[pb.r, pb.c]) if targets_on_obstacles else 0.0
        eye += on_a
    stand = pb.ground_m + on_b   # the ground, or the roof, the target stands on
    top = stand + target_height
    flag, need32, _, dist, heights = sight_line(z, y_m, dx_m, pa.r, pa.c, pb.r, pb.c, float(eye), curv,
                                                float(target_height), float(stand))
    visible = int(flag) == VISIBLE
    n = max(len(heights) + 1, 1)
    t = np.arange(n + 1, dtype=np.float64) / n
    rows = pa.r + t * (pb.r - pa.r)
    cols = pa.c + t * (pb.c - pa.c)
    terrain = np.concatenate(([pa.ground_m + on_a], heights, [pb.ground_m + on_b]))
    d = t * dist
    curved = terrain - curv * d * d
    top_curved = top - curv * dist * dist
    sight = eye + (top_curved - eye) * t
    clearance = (sight - curved)[1:-1]
    valid = np.isfinite(clearance)
    min_clear = float(np.min(clearance[valid])) if valid.any() else math.inf
    extra = 0.0 if visible else max(0.0, float(need32) - float(target_height))
    lat, lon = grid_to_latlon(dem, rows, cols)
    obstruction = None
    if not visible:
        blocked = np.flatnonzero(valid & (clearance < 0.0))
        if blocked.size:
            i = int(blocked[0]) + 1
        else:  # a tie the float32 horizon broke towards hidden: the crossing that sets the horizon
            i = int(np.nanargmax((curved[1:-1] - eye) / d[1:-1])) + 1
        obstruction = Obstruction(float(d[i]), float(lat[i]), float(lon[i]), float(terrain[i]),
                                  float(curved[i] - sight[i]))
    params = {"observer_height_m": observer_height, "target_height_m": target_height,
              "absolute_heights": absolute_heights, "curvature": curvature, "refraction": refraction,
              "samples": int(n + 1), "ground": "cell value", "sight_line": "between cell centres"}
    if obst is not None:
        params.update({"obstacles": True, "observer_obstacle_m": on_a, "target_obstacle_m": on_b})
    fresnel = {}
    if frequency_mhz is not None:
        radius = first_zone_radius_m(d, dist - d, frequency_mhz)
        inner = radius[1:-1]
        ok = valid & (inner > 0)
        if ok.any():
            ratios = np.where(ok, clearance / np.where(ok, inner, 1.0), np.inf)
            j = int(np.argmin(ratios))
            ratio, worst = float(ratios[j]), float(d[j + 1])
        else:
            ratio, worst = math.inf, None
        fresnel = dict(frequency_mhz=frequency_mhz, fresnel_radius_m=radius,
                       fresnel_radius_max_m=float(radius.max()), fresnel_clearance_ratio_min=ratio,
                       fresnel_worst_distance_m=worst, fresnel_verdict=fresnel_verdict(ratio))
    return LineOfSight(observer=pa, target=pb, observer_eye_m=float(eye), target_top_m=float(top),
                       distance_m=float(dist), visible=bool(visible), min_clearance_m=min_clear,
                       extra_target_height_m=float(extra), obstruction=obstruction,
                       profile_distance_m=d, profile_terrain_m=terrain, profile_terrain_curved_m=curved,
                       profile_sight_line_m=sight, profile_lat=np.asarray(lat), profile_lon=np.asarray(lon),
                       parameters=params, **fresnel)
