"""terrain: terrain and line-of-sight analysis.

From this high ground, what can be seen, and what is hidden?

Public API
----------
load_dem, dem_from_array, to_utm      loading elevation data
describe_dem                          what a DEM holds
line_of_sight                         exact line of sight between two points
viewshed, visible_area_km2, ...       what an observer sees (exact, fast, refined)
horizon, plot_panorama                the 360° horizon around an observer, and its picture
write_geotiff, write_netcdf, ...      writing results for GIS
cumulative_viewshed, overlook, ...    many observers (terrain.distributed: the same on Dask)
site_observers, plot_siting           the k observation posts that see most of a target area
covered_route, plot_route             the least-exposed path past observers, and its map
locate, parse_point                   points, place names and grid positions
curvature_factor, horizon_distance_m  earth curvature and refraction
"""

__version__ = "0.1.0"

import importlib as _importlib
import sys as _sys
import types as _types

# Every public name is imported from its submodule on first use (PEP 562), so that
# ``import terrain`` and the command line's start-up load none of rasterio, xarray,
# numba or matplotlib until a command needs them.
_SUBMODULE = {
    "coords": ("GridPoint", "LatLon", "locate", "parse_point"),
    "dem": ("dem_from_array", "load_dem", "to_utm"),
    "dem_info": ("describe_dem",),
    "horizon": ("horizon",),
    "plot": ("plot_panorama",),
    "earth": ("DEFAULT_REFRACTION", "EARTH_RADIUS_M", "curvature_factor", "horizon_distance_m"),
    "errors": ("DataError", "FetchError", "InputError", "TerrainError"),
    "los": ("LineOfSight", "line_of_sight"),
    "viewshed": ("analysed_area_km2", "viewshed", "viewshed_summary", "visible_area_km2", "visible_percent"),
    "export": ("write_geojson", "write_geotiff", "write_netcdf"),
    "multi": ("coverage_summary", "cumulative_viewshed", "dead_ground", "find_summits", "intervisibility",
              "key_terrain", "overlook", "reverse_viewshed", "seen_by_all", "seen_by_observer", "union_coverage",
              "visibility_index"),
    "multi.siting": ("site_observers",),
    "plot.siting_map": ("plot_siting",),
    "route": ("covered_route",),
    "plot.route_map": ("plot_route",),
    "multi.obstacle_cover": ("obstacle_cover",),
    "plot.obstacle_cover_map": ("plot_obstacle_cover",),
}
_WHERE = {name: module for module, names in _SUBMODULE.items() for name in names}


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is not None:
        value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value
    if not name.startswith("_"):
        # a submodule used as an attribute (``terrain.multi``), as when everything was imported eagerly
        try:
            return _importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))


class _Package(_types.ModuleType):
    """The package module: a public function named like its submodule stays the function.

    Importing ``terrain.viewshed`` (the module) makes Python set the package attribute
    ``viewshed`` to that module; here it is set to the module's function ``viewshed``
    instead, which is what ``terrain.viewshed`` is.
    """

    def __setattr__(self, name, value):
        if (name in _WHERE and _WHERE[name] == name and isinstance(value, _types.ModuleType)
                and value.__name__ == f"{self.__name__}.{name}"):
            value = getattr(value, name)
        super().__setattr__(name, value)


_sys.modules[__name__].__class__ = _Package

__all__ = [
    "__version__",
    "load_dem", "dem_from_array", "to_utm", "describe_dem",
    "line_of_sight", "LineOfSight", "horizon", "plot_panorama",
    "viewshed", "viewshed_summary", "visible_area_km2", "visible_percent", "analysed_area_km2",
    "write_geotiff", "write_netcdf", "write_geojson",
    "cumulative_viewshed", "union_coverage", "seen_by_all", "seen_by_observer", "dead_ground", "coverage_summary",
    "intervisibility", "overlook", "key_terrain", "find_summits", "reverse_viewshed", "visibility_index",
    "site_observers", "plot_siting", "covered_route", "plot_route", "obstacle_cover", "plot_obstacle_cover", "locate", "parse_point", "GridPoint", "LatLon",
    "curvature_factor", "horizon_distance_m", "DEFAULT_REFRACTION", "EARTH_RADIUS_M",
    "TerrainError", "InputError", "DataError", "FetchError",
]
