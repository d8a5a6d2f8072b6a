"""Map of a viewshed: what an observer sees, and how tall anything hidden must be to be seen."""

from __future__ import annotations

import math

import numpy as np

from . import basemap as bm
from .style import OKABE_ITO, source_note
from ..dem import dem_crs, dem_transform

#: Colour of visible ground (Okabe-Ito sky blue) and its opacity over the hillshade.
VISIBLE_COLOUR = OKABE_ITO["sky"]
VISIBLE_ALPHA = 0.55

#: Dead-ground classes by the height (m above ground) a target needs to be seen:
#: (upper bound, legend label, colour), light to dark (a sequential orange-brown scale).
HIDDEN_CLASSES = (
    (2.0, "0–2 m", "#fdd8a0"),
    (10.0, "2–10 m", "#f5a340"),
    (50.0, "10–50 m", "#d55e00"),
    (math.inf, "> 50 m", "#7a2a00"),
)
HIDDEN_ALPHA = 0.62


def dead_ground_class(min_visible_height_m) -> np.ndarray:
    """Class index 0-3 of :data:`HIDDEN_CLASSES` for each height a target needs (m); -1 for NaN."""
    h = np.asarray(min_visible_height_m, dtype=np.float64)
    bounds = np.array([c[0] for c in HIDDEN_CLASSES[:-1]])
    cls = np.searchsorted(bounds, h, side="left")  # (0, 2] -> 0, (2, 10] -> 1, ...
    return np.where(np.isfinite(h), cls, -1)


def overlay_rgba(result) -> np.ndarray:
    """The RGBA overlay of a viewshed result: visible cells sky blue, hidden cells by dead-ground class,
    cells not analysed transparent."""
    from matplotlib.colors import to_rgba

    vis = result["visible"].values
    out = np.zeros(vis.shape + (4,), dtype=np.float32)
    out[vis == 1] = to_rgba(VISIBLE_COLOUR, VISIBLE_ALPHA)
    hidden = vis == 0
    cls = dead_ground_class(result["min_visible_height"].values)
    cls = np.where(hidden & (cls < 0), len(HIDDEN_CLASSES) - 1, cls)  # hidden with no height: darkest
    for i, (_, _, colour) in enumerate(HIDDEN_CLASSES):
        out[hidden & (cls == i)] = to_rgba(colour, HIDDEN_ALPHA)
    return out


def _observer_points(result, observers):
    """``[(name, lat, lon, x, y)]`` of the observer(s) to mark."""
    from ..viewshed import observer_of

    crs = dem_crs(result)
    if observers is None:
        o = observer_of(result)
        return [(o.get("name") or "", o["lat"], o["lon"], o["x"], o["y"])]
    from ..coords import parse_point

    out = []
    for o in observers:
        if isinstance(o, (tuple, list)) and len(o) == 3:
            lat, lon, name = float(o[0]), float(o[1]), str(o[2])
        else:
            p = parse_point(o)
            if isinstance(p, tuple):  # ("xy", x, y) in the grid's CRS
                out.append(("", math.nan, math.nan, p[1], p[2]))
                continue
            lat, lon, name = p.lat, p.lon, p.name or ""
        x, y = bm.latlon_to_map(crs, lat, lon)
        out.append((name, lat, lon, float(x), float(y)))
    return out


def _cell_value(result, x: float, y: float) -> int:
    """The result's ``visible`` flag at map coordinates (255 when off the grid)."""
    col, row = ~dem_transform(result) @ (x, y)
    if not (math.isfinite(col) and math.isfinite(row)):
        return 255
    r, c = int(math.floor(row)), int(math.floor(col))
    vis = result["visible"]
    if 0 <= r < vis.shape[0] and 0 <= c < vis.shape[1]:
        return int(vis.values[r, c])
    return 255


def _name_observers(obs, place_list, within_m: float = 300.0):
    """Give an unnamed observer the name of a place within ``within_m`` of it, and drop places at observers
    (the observer's label says them); returns ``(observers, places)``."""
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    named = list(obs)
    keep = []
    for name, lat, lon in place_list:
        at = None
        for i, o in enumerate(named):
            if math.isfinite(o[1]) and (o[0].casefold() == name.casefold()
                                        or geod.inv(o[2], o[1], lon, lat)[2] <= within_m):
                at = i
                break
        if at is None:
            keep.append((name, lat, lon))
        elif not named[at][0]:
            named[at] = (name,) + tuple(named[at][1:])
    return named, keep


def viewshed_title(result, observer_name: str | None = None) -> str:
    """Three-line title: observer, heights and radius; visible area in km^2 and percent."""
    from ..coords import format_latlon
    from ..viewshed import visible_area_km2, visible_percent

    from ..viewshed import observer_of

    a = result.attrs
    o = observer_of(result)
    where = format_latlon(o["lat"], o["lon"])
    name = o.get("name") or observer_name
    name = f"{name} ({where})" if name else where
    if int(a.get("absolute_heights", 0)):
        eye = f"eye at {o['eye_m']:.0f} m a.s.l."
    else:
        eye = f"eye {a['observer_height_m']:g} m above ground ({o['eye_m']:.0f} m a.s.l.)"
    tgt = a.get("target_height_m", 0.0)
    target = "targets on the ground" if not tgt else f"targets {tgt:g} m tall"
    radius = a.get("max_distance_m", math.nan)
    rad = f"radius {bm.format_km(radius / 1000.0)}" if math.isfinite(radius) else "whole DEM"
    return (f"Viewshed from {name}\n{eye} · {target} · {rad}\n"
            f"visible {visible_area_km2(result):,.1f} km² ({visible_percent(result):.1f} % of the area analysed)")


def plot_viewshed(result, ax=None, dem=None, places=True, rings_km=None, title=None, observers=None):
    """Draw a viewshed on a map.

    Visible ground is tinted sky blue over a hillshade; dead ground is shaded by the
    height a target must have to be seen from the observer (0–2, 2–10, 10–50, > 50 m,
    light to dark); cells not analysed are left plain. The observer is a triangle,
    range rings are labelled in km, named places are filled circles where visible and
    hollow circles where hidden, with labels that do not overlap. Scale bar in km,
    north arrow, lat/lon ticks in degrees-minutes and the data source underneath
    ("SYNTHETIC stand-in — not SRTM" for synthetic DEMs).

    Parameters
    ----------
    result : xarray.Dataset
        From :func:`terrain.viewshed`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new 8 x 8 inch figure (A4-legible at 150 dpi).
    dem : xarray.DataArray, optional
        The DEM the viewshed was computed on, for the hillshade; without it the map has a
        light grey background.
    places : bool or list
        True: places of the gazetteer inside the map; a list of ``(name, lat, lon)`` or
        objects with ``name``, ``lat``, ``lon``; False: none.
    rings_km : list of float, optional
        Range-ring radii in km; by default round steps up to the viewshed's radius.
    title : str, optional
        Replaces the default title (observer, heights, radius, visible km² and %).
    observers : list, optional
        Observers to mark (``(lat, lon)``, ``(lat, lon, name)``, ``"lat,lon"``, points);
        by default the result's observer.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from terrain.plot import plot_viewshed, save_figure           # doctest: +SKIP
    >>> ax = plot_viewshed(vs, dem=dem)                                 # doctest: +SKIP
    >>> save_figure(ax.figure, "viewshed.png")                          # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    own_figure = ax is None
    if own_figure:
        fig = plt.figure(figsize=(8, 8), dpi=100)
        ax = fig.add_axes((0.1, 0.16, 0.86, 0.72))
    fig = ax.figure
    crs = dem_crs(result)
    a = result.attrs

    # base: hillshade of the DEM on the result's grid, else light grey
    bm.draw_background(ax, dem, result)
    extent = bm.map_extent(result)
    shown = bm.display_grid(result)
    ax.imshow(overlay_rgba(shown), extent=bm.map_extent(shown), origin="upper", interpolation="nearest",
              zorder=2, gid="viewshed-overlay")
    bm.setup_map_axes(ax, result, crs)

    # observers, rings
    obs = _observer_points(result, observers)
    obs_x = [o[3] for o in obs]
    obs_y = [o[4] for o in obs]
    ax.plot(obs_x, obs_y, ls="none", marker="^", ms=11, mfc=OKABE_ITO["black"], mec="white", mew=1.3, zorder=9,
            gid="observer")
    max_m = float(a.get("max_distance_m", math.nan))
    if rings_km is None:
        rings_km = bm.ring_radii_km(max_m / 1000.0) if math.isfinite(max_m) else []
    ring_labels = []
    if rings_km:
        o = obs[0]
        ring_labels = bm.add_range_rings(ax, crs, o[1], o[2], rings_km, centre_xy=(o[3], o[4]))
    scale = bm.add_scale_bar(ax, crs)
    arrow = bm.add_north_arrow(ax)

    # places: visible filled, hidden hollow, outside the analysed area grey
    if places is True:
        place_list = bm.gazetteer_places(crs, extent)
    elif places:
        place_list = [bm.place_fields(p) for p in places]
    else:
        place_list = []
    obs, place_list = _name_observers(obs, place_list)
    pts = []
    for name, lat, lon in place_list:
        x, y = bm.latlon_to_map(crs, lat, lon)
        x, y = float(x), float(y)
        if not (extent[0] <= x <= extent[1] and extent[2] <= y <= extent[3]):
            continue
        pts.append((name, x, y, _cell_value(result, x, y)))
    styles = {1: dict(mfc="black", mec="white", mew=1.0, gid="place-visible"),
              0: dict(mfc="white", mec="black", mew=1.4, gid="place-hidden"),
              255: dict(mfc="none", mec="#555555", mew=1.0, gid="place-not-analysed")}
    for flag, st in styles.items():
        xs = [p[1] for p in pts if p[3] == flag]
        ys = [p[2] for p in pts if p[3] == flag]
        if xs:
            ax.plot(xs, ys, ls="none", marker="o", ms=6, zorder=8, **st)

    # legends below the map: the ground classes, then the symbols
    ground = [Patch(facecolor=VISIBLE_COLOUR, alpha=VISIBLE_ALPHA, edgecolor="#555555", lw=0.5, label="visible")]
    ground += [Patch(facecolor=c, alpha=HIDDEN_ALPHA, edgecolor="#555555", lw=0.5, label=lab)
               for _, lab, c in HIDDEN_CLASSES]
    leg1 = ax.legend(handles=ground, loc="upper center", bbox_to_anchor=(0.5, -0.055), ncol=5, fontsize=8,
                     frameon=False,
                     title="ground visible, or hidden — shaded by how tall a target must be to be seen",
                     title_fontsize=8, handlelength=2.2, columnspacing=1.6)
    leg1.set_gid("legend-ground")
    ax.add_artist(leg1)
    handles = [Line2D([], [], ls="none", marker="^", ms=9, mfc="black", mec="white", label="observer")]
    if pts:
        handles += [Line2D([], [], ls="none", marker="o", ms=6, mfc="black", mec="white", label="place, visible"),
                    Line2D([], [], ls="none", marker="o", ms=6, mfc="white", mec="black", mew=1.4,
                           label="place, hidden")]
    if any(p[3] == 255 for p in pts):
        handles += [Line2D([], [], ls="none", marker="o", ms=6, mfc="none", mec="#555555",
                           label="place, not analysed")]
    if rings_km:
        handles += [Line2D([], [], color="#222222", lw=0.7, ls=(0, (4, 3)), label="range ring")]
    leg2 = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.125), ncol=min(len(handles), 5),
                     fontsize=8, frameon=False, handlelength=1.6, columnspacing=1.6)
    leg2.set_gid("legend-symbols")

    ax.set_title(title if title is not None else viewshed_title(result, obs[0][0] or None), fontsize=9.5,
                 linespacing=1.4)
    note = source_note(a) or "Data: unknown source"
    curv = f"curvature on, k = {a['refraction']:g}" if int(a.get("curvature", 0)) else "curvature off"
    bm.add_footnote(fig, f"{note}   ·   method {a.get('method', '?')}, {curv}")

    # labels last, once the axes' position is final: observers first, then places
    items = [dict(text=o[0], x=o[3], y=o[4], weight="bold", fontsize=8.5, gap=9.0) for o in obs if o[0]]
    label_style = {1: dict(), 0: dict(), 255: dict(color="#555555", style="italic")}
    items += [dict(text=p[0], x=p[1], y=p[2], **label_style[p[3]]) for p in pts]
    obstacles = bm.marker_bboxes(ax, obs_x, obs_y, 12) + bm.marker_bboxes(ax, [p[1] for p in pts],
                                                                          [p[2] for p in pts], 7)
    obstacles += ring_labels + scale + arrow
    bm.place_labels(ax, items, obstacles)
    return ax
