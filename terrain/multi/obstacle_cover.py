"""What buildings and trees hide of a target area: the ground seen over bare earth, at street level and on the roofs.

Three cumulative viewsheds of the same observers (:func:`terrain.multi.cumulative.cumulative_viewshed`):
bare earth (no obstacles), street level (sight lines over ground + obstacles, targets on the ground) and
rooftops (the same sight lines, targets on the obstacles' tops). Shares are of the target area's true area
(:func:`terrain.grid.cell_areas_m2`): bare earth of the whole area, street level of its open cells (no
obstacle), rooftops of its obstacle cells.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..methods import DEFAULT_METHOD
from .cumulative import cumulative_viewshed, seen_by_observer
from ..coords import locate
from .observers import dem_geometry, observer_specs
from .overlook import _reach_m
from .target_area import target_area


@dataclass
class ObstacleCover:
    """:func:`obstacle_cover`'s answer: per-observer and combined shares, and the grids behind them."""

    rows: list[dict]            # name, bare_percent, street_percent, roof_percent (per observer, then "together")
    bare: xr.Dataset            # cumulative viewsheds on the target area's block
    street: xr.Dataset
    roof: xr.Dataset
    target_mask: np.ndarray     # bool, on the cumulative grids
    obstacles: np.ndarray       # float32 metres, on the cumulative grids
    attrs: dict

    def to_dict(self) -> dict:
        return {"rows": self.rows, **self.attrs}


def obstacle_cover(dem: xr.DataArray, observers, target, target_radius_m: float, obstacles,
                   method: str = DEFAULT_METHOD, max_distance: float | None = None, **viewshed_options) -> ObstacleCover:
    """How much of a target area the observers see over bare earth, at street level and on the rooftops.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`.
    observers : sequence
        Observer points, as for :func:`terrain.cumulative_viewshed`.
    target : point
        The target area's centre (a place name, ``"lat,lon"``), or a GeoJSON area (as for
        :func:`terrain.overlook`).
    target_radius_m : float
        Radius of the target area around ``target``, metres.
    obstacles : xarray.DataArray, array or path
        Heights above the ground (buildings, canopy), metres, on the DEM's grid (:mod:`terrain.obstacles`).
    method, max_distance, **viewshed_options
        As for :func:`terrain.cumulative_viewshed` (``observer_height``, ``target_height``, ...).

    Returns
    -------
    ObstacleCover
        ``rows``: per observer (in order) and ``"together"``, the percentages of the target area seen on
        bare earth (``bare_percent``), of its open ground seen at street level (``street_percent``) and of
        its roofs seen (``roof_percent``); None where the area holds no such cells. Cells beyond
        ``max_distance`` count as not seen.
    """
    from ..obstacles import obstacle_grid

    obst = obstacle_grid(dem, obstacles)
    _, y_m, dx_m, row_area = dem_geometry(dem)
    area = target_area(dem, target, float(target_radius_m), y_m, dx_m, row_area)
    # each viewshed reaches just past the target area: a cell's verdict depends only on nearer cells, so the
    # area's verdicts are those of the full radius, at a fraction of the cost
    points = [s["point"] for s in observer_specs(observers, {})]
    reach = []
    for p in points:
        far = _reach_m(area, locate(dem, p, role="observer"), y_m, dx_m)
        reach.append(far if max_distance is None else min(float(max_distance), far))
    opts = dict(method=method, max_distance=reach, **viewshed_options)
    keep = ("count", "analysed", "seen_by")
    bare = cumulative_viewshed(dem, points, outputs=keep, **opts)
    street = cumulative_viewshed(dem, points, obstacles=obst, outputs=keep, **opts)
    roof = cumulative_viewshed(dem, points, obstacles=obst, targets_on_obstacles=True, outputs=keep, **opts)
    rows_i = dem.indexes["y"].get_indexer(bare.y)
    cols_i = dem.indexes["x"].get_indexer(bare.x)
    block = np.ix_(rows_i, cols_i)
    full = area.mask.astype(bool)
    mask = full[block]   # the target area's cells the viewsheds reach; the rest counts as not seen
    ob = obst[block]
    weights = row_area[rows_i][:, None] * np.ones((1, len(cols_i)))
    full_w = row_area[:, None] * np.ones((1, dem.shape[1]))
    open_cells, roof_cells = mask & (ob <= 0), mask & (ob > 0)
    totals = {"all": float(full_w[full].sum()), "open": float(full_w[full & (obst <= 0)].sum()),
              "roof": float(full_w[full & (obst > 0)].sum())}

    def pct(seen, where, kind):
        total = totals[kind]
        return round(100.0 * float(weights[seen & where].sum()) / total, 4) if total > 0 else None

    names = [str(n) or f"observer {i + 1}" for i, n in enumerate(bare["observer_name"].values)]
    rows = []
    for i, name in enumerate(names):
        rows.append({"name": name, "bare_percent": pct(seen_by_observer(bare, i).values, mask, "all"),
                     "street_percent": pct(seen_by_observer(street, i).values, open_cells, "open"),
                     "roof_percent": pct(seen_by_observer(roof, i).values, roof_cells, "roof")})
    rows.append({"name": "together", "bare_percent": pct(bare["count"].values > 0, mask, "all"),
                 "street_percent": pct(street["count"].values > 0, open_cells, "open"),
                 "roof_percent": pct(roof["count"].values > 0, roof_cells, "roof")})
    source = obstacles.attrs.get("source", "") if isinstance(obstacles, xr.DataArray) else str(obstacles) \
        if isinstance(obstacles, str) else "a grid of obstacle heights"
    attrs = {"target_area_km2": round(totals["all"], 4), "open_km2": round(totals["open"], 4),
             "roofs_km2": round(totals["roof"], 4),
             "obstacles_source": source,
             "obstacles_synthetic": bool(isinstance(obstacles, xr.DataArray) and obstacles.attrs.get("synthetic")),
             "obstacle_height_max_m": round(float(obst[full].max()), 2) if full.any() else 0.0}
    return ObstacleCover(rows, bare, street, roof, mask, ob, attrs)
