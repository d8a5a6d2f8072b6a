"""Analyses of many observers on one DEM.

cumulative_viewshed, union_coverage, seen_by_all, dead_ground, area_km2   how many observers see each cell
intervisibility                                                          line of sight between every pair
overlook, key_terrain                                                    who sees most of a target area
find_summits                                                             summits and their prominence
reverse_viewshed                                                         from where a point can be seen
visibility_index                                                         visible area from every cell
site_observers                                                           the k posts that see most of a target
terrain.multi.distributed                                                the same on a Dask cluster
"""

from .cumulative import (area_km2, coverage_summary, cumulative_viewshed, dead_ground, seen_by_all,
                         seen_by_observer, union_coverage)
from .intervisibility import intervisibility
from .overlook import key_terrain, overlook
from .reverse import reverse_viewshed
from .siting import SitingResult, site_observers
from .summits import Summit, find_summits
from .vindex import visibility_index

__all__ = ["cumulative_viewshed", "union_coverage", "seen_by_all", "dead_ground", "seen_by_observer", "area_km2",
           "coverage_summary", "intervisibility", "overlook", "key_terrain", "find_summits", "Summit",
           "reverse_viewshed", "visibility_index", "site_observers", "SitingResult"]
