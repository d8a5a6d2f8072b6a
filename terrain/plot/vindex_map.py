"""Map of a visibility index: how much ground (km²) an observer standing on each cell would see."""

from __future__ import annotations


import numpy as np

from . import basemap as bm
from .style import source_note
from ..dem import dem_crs, dem_transform

#: Perceptually uniform, colour-blind-safe colour map of the index (dark: sees little; yellow: sees most).
INDEX_CMAP = "cividis"
#: Opacity of the index over the hillshade (the relief stays readable through it).
INDEX_ALPHA = 0.72


def index_range(index) -> tuple[float, float]:
    """``(min, max)`` of the index in km², voids ignored (``(0, 1)`` when all void)."""
    v = np.asarray(index.values, dtype=np.float64)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return 0.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    return (lo, hi) if hi > lo else (lo, lo + max(abs(lo) * 1e-3, 1e-6))


def _spacing_m(index) -> float | None:
    """North-south spacing of the index's observers, metres (None without a CRS)."""
    crs = dem_crs(index)
    if crs is None:
        return None
    dy = abs(dem_transform(index).e)
    return dy * 110_950.0 if bm.is_geographic(crs) else dy * bm._unit_m(crs)


def vindex_title(index) -> str:
    """Three-line title: what the index is, the heights and spacing; its range and median in km²."""
    a = index.attrs
    radius = a.get("radius_m")
    rad = f"within {bm.format_km(radius / 1000.0)}" if radius else ""
    eye = a.get("observer_height_m")
    parts = []
    if eye is not None:
        parts.append(f"eye at {eye:g} m a.s.l." if int(a.get("absolute_heights", 0)) else f"eye {eye:g} m above ground")
    tgt = a.get("target_height_m") or 0.0
    parts.append("targets on the ground" if not tgt else f"targets {tgt:g} m tall")
    stride = int(a.get("stride", 1))
    spacing = _spacing_m(index)
    apart = f", ≈ {spacing:,.0f} m apart" if spacing else ""
    if stride > 1:
        nth = f"{stride}th" if stride > 3 else f"{stride}{'nd' if stride == 2 else 'rd'}"
        parts.append(f"observers on every {nth} cell{apart}")
    elif apart:
        parts.append(f"observers on every cell{apart}")
    v = np.asarray(index.values, dtype=np.float64)
    v = v[np.isfinite(v)]
    stats = (f"{v.min():,.2f} to {v.max():,.2f} km² (median {np.median(v):,.2f} km²)" if v.size else "no data")
    return (f"Visibility index: ground visible {rad} from each point".replace("  ", " ") +
            f"\n{' · '.join(parts)}\n{stats}")


def plot_visibility_index(index, dem=None, ax=None, title=None, places=True):
    """Draw a visibility index (total viewshed) on a map, in km² of visible ground per cell.

    Each cell is coloured by the area an observer standing there would see within the
    index's radius, on the perceptually uniform, colour-blind-safe ``cividis`` scale (dark:
    sees little, yellow: sees most) over a hillshade, with a colour bar in km² spanning the
    index's minimum to maximum. Gazetteer places are marked, with labels that do not overlap;
    scale bar, north arrow, degree-minute ticks and the data source underneath
    ("SYNTHETIC stand-in — not SRTM" for synthetic DEMs).

    Parameters
    ----------
    index : xarray.DataArray
        From :func:`terrain.multi.visibility_index`.
    dem : xarray.DataArray, optional
        The DEM the index was computed on, for the hillshade (light grey without it).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new 8 x 8.4 inch figure (A4-legible at 150 dpi).
    title : str, optional
        Replaces the default title (radius, heights, range and median).
    places : bool or list
        True: gazetteer places inside the map; a list of ``(name, lat, lon)``; False: none.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from terrain.multi import visibility_index                      # doctest: +SKIP
    >>> from terrain.plot import plot_visibility_index, save_figure      # doctest: +SKIP
    >>> vi = visibility_index(dem, radius=3000, stride=8)                # doctest: +SKIP
    >>> save_figure(plot_visibility_index(vi, dem).figure, "vindex.png")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    own_figure = ax is None
    if own_figure:
        fig = plt.figure(figsize=(8, 8.4), dpi=100)
        ax = fig.add_axes((0.1, 0.1, 0.74, 0.78))
    fig = ax.figure
    crs = dem_crs(index)
    bm.draw_background(ax, dem, index)
    vmin, vmax = index_range(index)
    extent = bm.map_extent(index)
    im = ax.imshow(np.ma.masked_invalid(np.asarray(index.values, dtype=np.float64)), extent=extent, origin="upper",
                   cmap=INDEX_CMAP, vmin=vmin, vmax=vmax, alpha=INDEX_ALPHA if dem is not None else 1.0,
                   interpolation="nearest", zorder=2, gid="vindex-image")
    bm.setup_map_axes(ax, index, crs)
    scale = bm.add_scale_bar(ax, crs)
    arrow = bm.add_north_arrow(ax)

    ax.apply_aspect()
    pos = ax.get_position()
    cax = fig.add_axes((pos.x1 + 0.02, pos.y0, 0.025, pos.height))
    cb = fig.colorbar(im, cax=cax)
    cb.solids.set_alpha(1.0)
    cb.set_label(f"visible area within {bm.format_km(index.attrs['radius_m'] / 1000.0)} (km²)"
                 if index.attrs.get("radius_m") else "visible area (km²)", fontsize=8.5)
    cb.ax.tick_params(labelsize=8)
    cax.set_gid("vindex-colourbar")

    if places is True:
        place_list = bm.gazetteer_places(crs, extent)
    elif places:
        place_list = [bm.place_fields(p) for p in places]
    else:
        place_list = []
    pts = []
    for name, lat, lon in place_list:
        x, y = bm.latlon_to_map(crs, lat, lon)
        x, y = float(x), float(y)
        if extent[0] <= x <= extent[1] and extent[2] <= y <= extent[3]:
            pts.append((name, x, y))
    if pts:
        ax.plot([p[1] for p in pts], [p[2] for p in pts], ls="none", marker="o", ms=6, mfc="white", mec="black",
                mew=1.2, zorder=8, gid="place")

    ax.set_title(title if title is not None else vindex_title(index), fontsize=9.5, linespacing=1.4)
    note = source_note(index.attrs) or "Data: unknown source"
    curv = (f"curvature on, k = {index.attrs.get('refraction', 0):g}" if int(index.attrs.get("curvature", 0))
            else "curvature off")
    bm.add_footnote(fig, f"{note}   ·   method {index.attrs.get('method', '?')}, {curv}")
    if pts:
        bm.place_labels(ax, [dict(text=p[0], x=p[1], y=p[2], weight="bold") for p in pts],
                        bm.marker_bboxes(ax, [p[1] for p in pts], [p[2] for p in pts], 7) + scale + arrow)
    return ax
