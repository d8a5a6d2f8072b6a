"""Figures (matplotlib, Agg-safe). Import this package only when a figure is wanted: it loads matplotlib."""

from .basemap import hillshade, plot_basemap
from .cumulative_map import plot_cumulative
from .intervisibility_map import plot_intervisibility
from .overlook_chart import plot_overlook
from .panorama_view import plot_panorama
from .profile import plot_profile
from .route_map import plot_route
from .save import save_figure
from .siting_map import plot_siting
from .obstacle_cover_map import plot_obstacle_cover
from .viewshed_map import plot_viewshed
from .vindex_map import plot_visibility_index

__all__ = ["plot_profile", "plot_viewshed", "plot_basemap", "hillshade", "save_figure",
           "plot_cumulative", "plot_overlook", "plot_intervisibility", "plot_visibility_index", "plot_siting", "plot_panorama", "plot_route",
           "plot_obstacle_cover"]
