"""Figures (matplotlib, Agg-safe). Import this package only when a figure is wanted: it loads matplotlib."""

from .basemap import hillshade, plot_basemap
from .profile import plot_profile
from .save import save_figure
from .viewshed_map import plot_viewshed

__all__ = ["plot_profile", "plot_viewshed", "plot_basemap", "hillshade", "save_figure"]
