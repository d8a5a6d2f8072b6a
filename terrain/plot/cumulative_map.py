"""Map of a cumulative viewshed: which observers see each cell, and the dead ground that none of them sees."""

from __future__ import annotations

import json
import math

import numpy as np

from . import basemap as bm
from .style import OKABE_ITO, source_note
from .viewshed_map import _name_observers
from ..dem import dem_crs, dem_transform

#: Two observers (or one): categorical classes ``(key, colour)`` of analysed cells, Okabe-Ito colours that stay
#: apart under the common colour-vision deficiencies (blue / yellow / bluish green / vermillion).
PAIR_COLOURS = {
    "a_only": OKABE_ITO["sky"],
    "b_only": OKABE_ITO["yellow"],
    "both": OKABE_ITO["green"],
    "dead": OKABE_ITO["vermillion"],
}
#: Opacity of the class colours over the hillshade.
CLASS_ALPHA = 0.55

#: Three or more observers: cells seen by 1..N observers on a sequential light-to-dark blue scale;
#: dead ground keeps the vermillion of :data:`PAIR_COLOURS` so it never reads as a low count.
COUNT_CMAP = "Blues"
DEAD_COLOUR = PAIR_COLOURS["dead"]

#: Class codes of :func:`pair_classes`.
NOT_ANALYSED, DEAD, A_ONLY, B_ONLY, BOTH = 0, 1, 2, 3, 4


def n_observers(result) -> int:
    """Number of observers of a cumulative viewshed."""
    return int(result.attrs.get("n_observers", result.sizes.get("observer", 0)))


def observer_labels(result) -> list[str]:
    """Observer names in the order given (``observer A``, ``observer B``... for unnamed ones)."""
    names = [str(n) if n is not None else "" for n in result["observer_name"].values]
    return [n or f"observer {_letter(i)}" for i, n in enumerate(names)]


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else str(i + 1)


def pair_classes(result) -> np.ndarray:
    """Class code of every cell for one or two observers: :data:`NOT_ANALYSED`, :data:`DEAD` (analysed, seen
    by none), :data:`A_ONLY`, :data:`B_ONLY` (seen by the second observer only) or :data:`BOTH`."""
    count = result["count"].values
    analysed = result["analysed"].values > 0
    out = np.zeros(count.shape, np.uint8)
    out[analysed & (count == 0)] = DEAD
    if "seen_by" in result and n_observers(result) <= 2:
        from ..multi.cumulative import seen_by_observer

        a = seen_by_observer(result, 0).values
        b = seen_by_observer(result, 1).values if n_observers(result) == 2 else np.zeros(count.shape, bool)
    else:  # no mask: one observer, or tell only "seen by some" (drawn as both)
        a = count > 0 if n_observers(result) == 1 else np.zeros(count.shape, bool)
        b = np.zeros(count.shape, bool)
    out[a & ~b] = A_ONLY
    out[b & ~a] = B_ONLY
    out[a & b] = BOTH
    out[(count > 0) & (out < A_ONLY)] = BOTH  # defensive: seen but no bit (more than two observers)
    return out


def cumulative_rgba(result) -> np.ndarray:
    """The RGBA overlay of a cumulative viewshed: classes (one or two observers) or counts (three or more);
    dead ground vermillion, cells no observer analysed transparent."""
    from matplotlib.colors import to_rgba

    n = n_observers(result)
    shape = result["count"].shape
    out = np.zeros(shape + (4,), np.float32)
    if n <= 2:
        cls = pair_classes(result)
        for code, key in ((DEAD, "dead"), (A_ONLY, "a_only"), (B_ONLY, "b_only"), (BOTH, "both")):
            out[cls == code] = to_rgba(PAIR_COLOURS[key], CLASS_ALPHA)
        return out
    count = result["count"].values.astype(np.int64)
    analysed = result["analysed"].values > 0
    colours = count_colours(n)
    seen = count > 0
    out[seen] = colours[np.clip(count[seen], 1, n) - 1]
    out[analysed & ~seen] = to_rgba(DEAD_COLOUR, CLASS_ALPHA)
    return out


def count_colours(n: int) -> np.ndarray:
    """RGBA (``n`` x 4) of the counts 1..n on :data:`COUNT_CMAP` (light to dark, the palest tints skipped)."""
    from matplotlib import colormaps

    cmap = colormaps[COUNT_CMAP]
    rgba = cmap(np.linspace(0.3, 1.0, n))
    rgba[:, 3] = 0.75
    return rgba.astype(np.float32)


def _options(result) -> list[dict]:
    try:
        opts = json.loads(result.attrs.get("options", "[]"))
    except (TypeError, ValueError):
        return []
    return opts if isinstance(opts, list) else []


def _shared(values):
    """The one value all observers share, or None when they differ or none is known."""
    vals = {json.dumps(v) for v in values}
    return values[0] if len(vals) == 1 and values else None


def _class_area_km2(result, mask: np.ndarray) -> float:
    from ..viewshed import cell_areas

    return float((mask * cell_areas(result)).sum())


def cumulative_title(result) -> str:
    """Three-line title: observers, heights and radius; union coverage and dead ground in km^2."""
    from ..multi.cumulative import coverage_summary

    n = n_observers(result)
    labels = observer_labels(result)
    who = " and ".join(labels) if n <= 2 else f"{n} observers"
    opts = _options(result)
    parts = []
    h = _shared([o.get("observer_height") for o in opts])
    if h is not None:
        abs_h = _shared([bool(o.get("absolute_heights")) for o in opts])
        parts.append(f"eye at {h:g} m a.s.l." if abs_h else f"eye {h:g} m above ground")
    t = _shared([o.get("target_height") or 0.0 for o in opts])
    if t is not None:
        parts.append("targets on the ground" if not t else f"targets {t:g} m tall")
    r = _shared([o.get("max_distance") for o in opts])
    if r is not None:
        parts.append(f"radius {bm.format_km(float(r) / 1000.0)}")
    elif opts:
        parts.append("radius per observer")
    s = coverage_summary(result)
    second = " · ".join(parts + [f"method {result.attrs.get('method', '?')}"])
    return (f"Cumulative viewshed of {who}\n{second}\n"
            f"seen by at least one {s['seen_by_any_km2']:,.1f} km² ({s['seen_by_any_percent']:.1f} % of the area "
            f"analysed) · dead ground {s['dead_ground_km2']:,.1f} km²")


def _observer_points(result):
    """``[(label, lat, lon, x, y)]`` of the observers, in the order given."""
    crs = dem_crs(result)
    lat = result["observer_lat"].values.astype(np.float64)
    lon = result["observer_lon"].values.astype(np.float64)
    x, y = bm.latlon_to_map(crs, lat, lon)
    names = [str(n) if n is not None else "" for n in result["observer_name"].values]
    return [(names[i], float(lat[i]), float(lon[i]), float(np.atleast_1d(x)[i]), float(np.atleast_1d(y)[i]))
            for i in range(len(names))]


def _seen_at(result, x: float, y: float) -> int:
    """``count`` at map coordinates; -1 not analysed or off the grid."""
    col, row = ~dem_transform(result) @ (x, y)
    if not (math.isfinite(col) and math.isfinite(row)):
        return -1
    r, c = int(math.floor(row)), int(math.floor(col))
    if 0 <= r < result.sizes["y"] and 0 <= c < result.sizes["x"]:
        if int(result["analysed"].values[r, c]) == 0:
            return -1
        return int(result["count"].values[r, c])
    return -1


def plot_cumulative(result, ax=None, dem=None, places=True, title=None, rings_km=None):
    """Draw a cumulative viewshed on a map: who sees each cell, and the dead ground no one sees.

    With one or two observers every analysed cell is classed *seen by A only*, *seen by B
    only*, *seen by both* or *dead ground* (seen by neither), in Okabe-Ito colours
    (sky blue, yellow, bluish green, vermillion) with a legend naming the observers and
    giving each class's area. With three or more observers the cells are shaded by how many
    observers see them on a light-to-dark blue scale with a colour bar, dead ground
    vermillion. Cells no observer analysed are plain hillshade. Observers are black triangles
    labelled with their names; gazetteer places are filled circles where at least one
    observer sees them and hollow circles on dead ground. Scale bar, north arrow,
    degree-minute ticks, and the data source underneath ("SYNTHETIC stand-in — not SRTM"
    for synthetic DEMs).

    Parameters
    ----------
    result : xarray.Dataset
        From :func:`terrain.multi.cumulative_viewshed`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new 8 x 8.6 inch figure (A4-legible at 150 dpi).
    dem : xarray.DataArray, optional
        The DEM the viewsheds were computed on, for the hillshade (light grey without it).
    places : bool or list
        True: gazetteer places inside the map; a list of ``(name, lat, lon)`` or objects with
        ``name``, ``lat``, ``lon``; False: none.
    title : str, optional
        Replaces the default title (observers, heights, radius, union coverage and dead
        ground in km²).
    rings_km : list of float, optional
        Range rings (km) drawn around every observer; none by default (the analysed area's
        edge already shows each radius).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from terrain.multi import cumulative_viewshed                  # doctest: +SKIP
    >>> from terrain.plot import plot_cumulative, save_figure           # doctest: +SKIP
    >>> cv = cumulative_viewshed(dem, ["Zayn al-Abidin", "Jabal Kafra"], observer_height=10,
    ...                          max_distance=15_000)                   # doctest: +SKIP
    >>> save_figure(plot_cumulative(cv, dem=dem).figure, "cumulative.png")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    n = n_observers(result)
    if ax is None:
        fig = plt.figure(figsize=(8, 8.6), dpi=100)
        ax = fig.add_axes((0.1, 0.21, 0.86, 0.67))
    fig = ax.figure
    crs = dem_crs(result)

    bm.draw_background(ax, dem, result)
    extent = bm.map_extent(result)
    ax.imshow(cumulative_rgba(result), extent=extent, origin="upper", interpolation="nearest", zorder=2,
              gid="cumulative-overlay")
    bm.setup_map_axes(ax, result, crs)

    # places (named from the gazetteer; a place at an observer names it and is not marked twice)
    if places is True:
        place_list = bm.gazetteer_places(crs, extent)
    elif places:
        place_list = [bm.place_fields(p) for p in places]
    else:
        place_list = []
    obs, place_list = _name_observers(_observer_points(result), place_list)
    labels = [o[0] or f"observer {_letter(i)}" for i, o in enumerate(obs)]
    obs_x = [o[3] for o in obs]
    obs_y = [o[4] for o in obs]
    ax.plot(obs_x, obs_y, ls="none", marker="^", ms=11, mfc=OKABE_ITO["black"], mec="white", mew=1.3, zorder=9,
            gid="observer")
    ring_labels = []
    for o in obs if rings_km else ():
        ring_labels += bm.add_range_rings(ax, crs, o[1], o[2], rings_km, centre_xy=(o[3], o[4]))
    scale = bm.add_scale_bar(ax, crs)
    arrow = bm.add_north_arrow(ax)

    pts = []
    for name, lat, lon in place_list:
        x, y = bm.latlon_to_map(crs, lat, lon)
        x, y = float(x), float(y)
        if extent[0] <= x <= extent[1] and extent[2] <= y <= extent[3]:
            pts.append((name, x, y, _seen_at(result, x, y)))
    styles = {"seen": dict(mfc="black", mec="white", mew=1.0, gid="place-seen"),
              "dead": dict(mfc="white", mec="black", mew=1.4, gid="place-dead-ground"),
              "out": dict(mfc="none", mec="#555555", mew=1.0, gid="place-not-analysed")}
    kind = [("seen" if p[3] > 0 else "dead" if p[3] == 0 else "out") for p in pts]
    for k, st in styles.items():
        xs = [p[1] for p, kk in zip(pts, kind) if kk == k]
        ys = [p[2] for p, kk in zip(pts, kind) if kk == k]
        if xs:
            ax.plot(xs, ys, ls="none", marker="o", ms=6, zorder=8, **st)

    # legends below the map, placed in figure coordinates under the axes' final (aspect-fitted) box
    ax.apply_aspect()
    pos = ax.get_position()
    cx = pos.x0 + 0.5 * pos.width
    below = pos.y0 - 0.06  # clear of the tick labels
    if n <= 2:
        cls = pair_classes(result)
        names = labels + ["B"] * (2 - len(labels))
        entries = [(A_ONLY, "a_only", f"seen by {names[0]} only" if n == 2 else f"seen by {names[0]}")]
        if n == 2:
            entries += [(B_ONLY, "b_only", f"seen by {names[1]} only"), (BOTH, "both", "seen by both")]
        entries += [(DEAD, "dead", "dead ground — seen by neither" if n == 2 else "dead ground — not seen")]
        ground = [Patch(facecolor=PAIR_COLOURS[key], alpha=CLASS_ALPHA, edgecolor="#555555", lw=0.5,
                        label=f"{lab}: {_class_area_km2(result, cls == code):,.1f} km²")
                  for code, key, lab in entries]
        leg1 = ax.legend(handles=ground, loc="upper center", bbox_to_anchor=(cx, below),
                         bbox_transform=fig.transFigure, ncol=2, fontsize=8, frameon=False,
                         title="ground, by the observers that see it (within an observer's radius; the rest unshaded)",
                         title_fontsize=8, handlelength=2.2, columnspacing=2.0)
        sym_top = below - 0.085
    else:
        _count_colourbar(fig, ax, n, (cx - 0.3 * 0.86, below - 0.025, 0.6 * 0.86, 0.018))
        dead_km2 = _class_area_km2(result, (result["analysed"].values > 0) & (result["count"].values == 0))
        leg1 = ax.legend(handles=[Patch(facecolor=DEAD_COLOUR, alpha=CLASS_ALPHA, edgecolor="#555555", lw=0.5,
                                        label=f"dead ground — seen by none: {dead_km2:,.1f} km²")],
                         loc="upper center", bbox_to_anchor=(cx, below - 0.075), bbox_transform=fig.transFigure,
                         fontsize=8, frameon=False)
        sym_top = below - 0.105
    leg1.set_gid("legend-ground")
    ax.add_artist(leg1)
    handles = [Line2D([], [], ls="none", marker="^", ms=9, mfc="black", mec="white", label="observer")]
    if any(k == "seen" for k in kind):
        handles.append(Line2D([], [], ls="none", marker="o", ms=6, mfc="black", mec="white",
                              label="place, seen"))
    if any(k == "dead" for k in kind):
        handles.append(Line2D([], [], ls="none", marker="o", ms=6, mfc="white", mec="black", mew=1.4,
                              label="place, dead ground"))
    if any(k == "out" for k in kind):
        handles.append(Line2D([], [], ls="none", marker="o", ms=6, mfc="none", mec="#555555",
                              label="place, not analysed"))
    if rings_km:
        handles.append(Line2D([], [], color="#222222", lw=0.7, ls=(0, (4, 3)), label="range ring"))
    leg2 = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(cx, sym_top),
                     bbox_transform=fig.transFigure, ncol=min(len(handles), 5), fontsize=8, frameon=False,
                     handlelength=1.6, columnspacing=1.6)
    leg2.set_gid("legend-symbols")

    ax.set_title(title if title is not None else cumulative_title(result), fontsize=9.5, linespacing=1.4)
    note = source_note(result.attrs) or "Data: unknown source"
    bm.add_footnote(fig, f"{note}   ·   {n} observer{'s' if n != 1 else ''}, method {result.attrs.get('method', '?')}")

    items = [dict(text=lab, x=o[3], y=o[4], weight="bold", fontsize=8.5, gap=9.0) for lab, o in zip(labels, obs)]
    items += [dict(text=p[0], x=p[1], y=p[2], **(dict(color="#555555", style="italic") if k == "out" else {}))
              for p, k in zip(pts, kind)]
    obstacles = bm.marker_bboxes(ax, obs_x, obs_y, 12) + bm.marker_bboxes(ax, [p[1] for p in pts],
                                                                          [p[2] for p in pts], 7)
    obstacles += ring_labels + scale + arrow
    bm.place_labels(ax, items, obstacles)
    return ax


def _count_colourbar(fig, ax, n: int, rect):
    """A horizontal colour bar of the counts 1..n at ``rect`` (figure coordinates); returns it."""
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import BoundaryNorm, ListedColormap

    cmap = ListedColormap(count_colours(n))
    norm = BoundaryNorm(np.arange(0.5, n + 1.5), n)
    cax = fig.add_axes(rect)
    cb = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=cax, orientation="horizontal")
    step = max(1, int(math.ceil(n / 12)))
    cb.set_ticks(np.arange(1, n + 1, step))
    cb.ax.tick_params(labelsize=8)
    cb.set_label("number of observers that see the cell", fontsize=8)
    cax.set_gid("count-colourbar")
    return cb
