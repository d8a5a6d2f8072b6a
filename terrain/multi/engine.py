"""The many-observer plan: observers resolved to grid cells, the surfaces their sight lines cross, and the
packed arrays the batch kernels read.

Every many-observer analysis (cumulative viewshed, overlook and key terrain, siting) is a plan from this
module and a reduction of :func:`terrain.multi.observers.run_batches`' accumulators: counts and the
who-sees-whom bits over a window, or visible areas inside a target mask. The visibility index plans its
observer cells itself (:func:`terrain.multi.vindex.plan_index`), a grid of them being too many to resolve
one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..viewshed import ViewshedSetup
from .observers import PackedObservers, Surfaces, dem_geometry, pack, prepare_observers, with_obstacles


@dataclass(frozen=True)
class ObserverPlan:
    """Observers laid out for the batch kernels.

    ``setups``: one :class:`~terrain.viewshed.ViewshedSetup` each (cell, eye, window, options);
    ``surfaces``: the blocking surface and the ground targets stand on; ``packed``: the kernels' arrays;
    ``y_m``, ``dx_m``, ``row_area``: the DEM's row geometry (metres, km²).
    """

    setups: list[ViewshedSetup]
    surfaces: Surfaces
    packed: PackedObservers
    y_m: np.ndarray
    dx_m: np.ndarray
    row_area: np.ndarray

    @property
    def geometry(self) -> tuple:
        """``(z, y_m, dx_m, row_area)`` as the batch kernels take them (``z``: the blocking surface)."""
        return self.surfaces.z, self.y_m, self.dx_m, self.row_area

    def eyes_m(self) -> list[float]:
        """Each observer's eye, metres above sea level (on its roof with ``observer_on_obstacle``)."""
        return [float(s.eye_z) for s in self.setups]


def plan_observers(dem: xr.DataArray, specs: list[dict], method: str, obstacle_options=()) -> ObserverPlan:
    """Resolve observer specs (:func:`terrain.multi.observers.observer_specs`) on ``dem`` for ``method``.

    ``obstacle_options``: ``(obstacles, targets_on_obstacles, observer_on_obstacle[, target_grid])`` of
    :func:`terrain.multi.observers.with_obstacles` (none by default).
    """
    setups = prepare_observers(dem, specs, method)
    z, y_m, dx_m, row_area = dem_geometry(dem)
    setups, surfaces = with_obstacles(dem, z, setups, *obstacle_options)
    return ObserverPlan(setups, surfaces, pack(setups), y_m, dx_m, row_area)
