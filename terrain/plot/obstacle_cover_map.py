"""Map of what buildings hide of a target area: streets and roofs seen or hidden from the observers."""

from __future__ import annotations

import numpy as np

from . import basemap as bm
from .style import OKABE_ITO, SYNTHETIC_NOTE, source_note
from ..dem import dem_crs, dem_transform

#: Classes of the target area's cells: open ground (streets) seen / hidden, roofs seen / hidden.
STREET_SEEN, STREET_HIDDEN, ROOF_SEEN, ROOF_HIDDEN = 1, 2, 3, 4
CLASS_STYLE = {
    STREET_SEEN: (OKABE_ITO["blue"], "street or open ground seen"),
    STREET_HIDDEN: (OKABE_ITO["vermillion"], "street or open ground hidden by buildings or terrain"),
    ROOF_SEEN: (OKABE_ITO["sky"], "rooftop seen"),
    ROOF_HIDDEN: (OKABE_ITO["orange"], "rooftop hidden"),
}
#: Cells of ground shown around the target area.
MARGIN_CELLS = 12


def cover_classes(cover) -> np.ndarray:
    """The class of every cell of the cumulative grids (0 outside the target area), seen by any observer."""
    street = cover.street["count"].values > 0
    roof = cover.roof["count"].values > 0
    is_roof = cover.obstacles > 0
    out = np.zeros(cover.target_mask.shape, np.uint8)
    m = cover.target_mask
    out[m & ~is_roof & street] = STREET_SEEN
    out[m & ~is_roof & ~street] = STREET_HIDDEN
    out[m & is_roof & roof] = ROOF_SEEN
    out[m & is_roof & ~roof] = ROOF_HIDDEN
    return out


def plot_obstacle_cover(cover, dem=None, ax=None, title: str | None = None):
    """Map the target area's streets and roofs as the observers see them over the obstacles.

    Parameters
    ----------
    cover : terrain.multi.obstacle_cover.ObstacleCover
        From :func:`terrain.multi.obstacle_cover.obstacle_cover`.
    dem : xarray.DataArray, optional
        The DEM, for the hillshade under the map.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure otherwise.
    title : str, optional
        Replaces the default title (the shares seen together, the obstacles' source).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    classes = cover_classes(cover)
    if not cover.target_mask.any():
        from ..errors import InputError

        raise InputError("no cell of the target area lies within the observers' radius; nothing to map")
    rows, cols = np.nonzero(cover.target_mask)
    r0, r1 = max(rows.min() - MARGIN_CELLS, 0), min(rows.max() + MARGIN_CELLS + 1, classes.shape[0])
    c0, c1 = max(cols.min() - MARGIN_CELLS, 0), min(cols.max() + MARGIN_CELLS + 1, classes.shape[1])
    grid = cover.street.isel(y=slice(r0, r1), x=slice(c0, c1))
    t = dem_transform(cover.street)
    grid = grid.rio.write_transform(t @ t.translation(c0, r0))
    if ax is None:
        fig, ax = plt.subplots(figsize=(8.2, 8.8), dpi=110)
        fig.subplots_adjust(left=0.1, right=0.97, top=0.9, bottom=0.17)
    bm.draw_background(ax, dem, grid["count"])
    colours = ["#00000000"] + [CLASS_STYLE[k][0] for k in (STREET_SEEN, STREET_HIDDEN, ROOF_SEEN, ROOF_HIDDEN)]
    shown = np.ma.masked_equal(classes[r0:r1, c0:c1], 0)
    ax.imshow(shown, extent=bm.map_extent(grid["count"]), origin="upper", cmap=ListedColormap(colours),
              vmin=-0.5, vmax=4.5, interpolation="nearest", alpha=0.85, zorder=2)
    bm.setup_map_axes(ax, grid["count"])
    together = cover.rows[-1]
    names = [r["name"] for r in cover.rows[:-1]]
    if title is None:
        pct = lambda v: "—" if v is None else f"{v:.1f} %"  # noqa: E731
        title = (f"What buildings hide: {', '.join(names)} together see\n"
                 f"{pct(together['street_percent'])} of the streets and open ground, "
                 f"{pct(together['roof_percent'])} of the rooftops "
                 f"(with no buildings: {pct(together['bare_percent'])} of the area)")
    ax.set_title(title, fontsize=10)
    synthetic = cover.attrs.get("obstacles_synthetic")
    note = f"Buildings: {cover.attrs.get('obstacles_source', '')}"
    handles = [Patch(facecolor=CLASS_STYLE[k][0], alpha=0.85, label=CLASS_STYLE[k][1])
               for k in (STREET_SEEN, STREET_HIDDEN, ROOF_SEEN, ROOF_HIDDEN)]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.045), ncol=2, fontsize=8, frameon=False)
    bm.add_scale_bar(ax, dem_crs(grid["count"]))
    bm.add_north_arrow(ax)
    data_note = source_note(dem.attrs) if dem is not None else ""
    if synthetic and SYNTHETIC_NOTE not in data_note:
        data_note = (data_note + " · " if data_note else "") + "SYNTHETIC urban layer"
    bm.add_footnote(ax.figure, "\n".join(t for t in (note, data_note) if t))
    return ax
