"""terrain: terrain and line-of-sight analysis.

From this high ground, what can be seen, and what is hidden?

Public API
----------
load_dem, dem_from_array, to_utm      loading elevation data
describe_dem                          what a DEM holds
line_of_sight                         exact line of sight between two points
viewshed, visible_area_km2, ...       what an observer sees (exact, fast, refined)
write_geotiff, write_netcdf, ...      writing results for GIS
cumulative_viewshed, overlook, ...    many observers (terrain.distributed: the same on Dask)
locate, parse_point                   points, place names and grid positions
curvature_factor, horizon_distance_m  earth curvature and refraction
"""

__version__ = "0.1.0"

from .coords import GridPoint, LatLon, locate, parse_point
from .dem import dem_from_array, load_dem, to_utm
from .dem_info import describe_dem
from .earth import DEFAULT_REFRACTION, EARTH_RADIUS_M, curvature_factor, horizon_distance_m
from .errors import DataError, FetchError, InputError, TerrainError
from .los import LineOfSight, line_of_sight
from .viewshed import analysed_area_km2, viewshed, viewshed_summary, visible_area_km2, visible_percent
from .export import write_geojson, write_geotiff, write_netcdf
from .multi import (coverage_summary, cumulative_viewshed, dead_ground, find_summits, intervisibility, key_terrain,
                    overlook, reverse_viewshed, seen_by_all, union_coverage, visibility_index)

__all__ = [
    "__version__",
    "load_dem", "dem_from_array", "to_utm", "describe_dem",
    "line_of_sight", "LineOfSight",
    "viewshed", "viewshed_summary", "visible_area_km2", "visible_percent", "analysed_area_km2",
    "write_geotiff", "write_netcdf", "write_geojson",
    "cumulative_viewshed", "union_coverage", "seen_by_all", "dead_ground", "coverage_summary",
    "intervisibility", "overlook", "key_terrain", "find_summits", "reverse_viewshed", "visibility_index", "locate", "parse_point", "GridPoint", "LatLon",
    "curvature_factor", "horizon_distance_m", "DEFAULT_REFRACTION", "EARTH_RADIUS_M",
    "TerrainError", "InputError", "DataError", "FetchError",
]
