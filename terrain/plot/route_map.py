"""Map of a covered approach: the least-exposed route and the shortest path over the ground the observers see."""

from __future__ import annotations

import numpy as np

from . import basemap as bm
from .style import OKABE_ITO, SYNTHETIC_NOTE, source_note
from ..dem import dem_crs

#: Ground seen by one observer, and by two or more (translucent over the hillshade); impassable ground.
SEEN_COLOUR = OKABE_ITO["sky"]
SEEN_MANY_COLOUR = OKABE_ITO["blue"]
SEEN_ALPHA = 0.42
IMPASSABLE_COLOUR = "#4d4d4d"
#: The covered route (bluish green), its stretches in sight (vermillion) and the shortest path (black, dashed).
ROUTE_COLOUR = OKABE_ITO["green"]
EXPOSED_COLOUR = OKABE_ITO["vermillion"]
SHORTEST_COLOUR = "#222222"


def ground_rgba(coverage) -> np.ndarray:
    """RGBA overlay of the searched ground: seen by one observer, by two or more, impassable; the rest clear."""
    from matplotlib.colors import to_rgba

    count = coverage["count"].values
    out = np.zeros(count.shape + (4,), np.float32)
    out[count == 1] = to_rgba(SEEN_COLOUR, SEEN_ALPHA)
    out[count >= 2] = to_rgba(SEEN_MANY_COLOUR, SEEN_ALPHA)
    if "impassable" in coverage:
        out[coverage["impassable"].values.astype(bool)] = to_rgba(IMPASSABLE_COLOUR, 0.55)
    return out


def _xy(crs, path):
    x, y = bm.latlon_to_map(crs, path.lat, path.lon)
    return np.atleast_1d(x), np.atleast_1d(y)


def _exposed_segments(x, y, seen):
    """Polylines of the consecutive cells in sight (a lone cell in sight gets a stub to its neighbours' midpoints)."""
    runs, i, n = [], 0, len(seen)
    while i < n:
        if not seen[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and seen[j + 1]:
            j += 1
        lo, hi = max(i - 1, 0), min(j + 1, n - 1)
        xs = np.concatenate([[0.5 * (x[lo] + x[i])], x[i:j + 1], [0.5 * (x[j] + x[hi])]])
        ys = np.concatenate([[0.5 * (y[lo] + y[i])], y[i:j + 1], [0.5 * (y[j] + y[hi])]])
        runs.append((xs, ys))
        i = j + 1
    return runs


def route_title(result) -> str:
    """Title: the approach, observers and model; a SYNTHETIC line for stand-in data."""
    names = [o["name"] or f"{o['lat']:.3f}, {o['lon']:.3f}" for o in result.observers]
    who = " and ".join(names) if len(names) <= 2 else f"{len(names)} observers"
    a = result.attrs
    parts = [f"exposure weight {a.get('exposure_weight', 0):g}"]
    if a.get("max_slope_deg") is not None:
        parts.append(f"max slope {a['max_slope_deg']:g}°")
    if a.get("avoid"):
        parts.append("avoid areas")
    lines = [f"Covered approach from {result.start.label()} to {result.end.label()}",
             f"hidden from {who} · " + " · ".join(parts)]
    if a.get("synthetic"):
        lines.append(SYNTHETIC_NOTE)
    return "\n".join(lines)


def plot_route(result, ax=None, dem=None, places=True, title=None, profile: bool = True):
    """Draw a covered approach on the dead-ground map: the route, the shortest path, the observers.

    The hillshade shows through where no observer sees the ground (the dead ground);
    ground one observer sees is tinted sky blue, ground two or more see darker blue, and
    impassable ground (too steep, avoided, void) dark grey. The covered route is a bluish-green
    line with its stretches in sight of an observer overdrawn in vermillion; the shortest path is
    a dashed black line. The legend gives each path's length, the length in sight and the
    longest stretch in sight (km). Observers are black triangles, the start a white circle, the
    end a white square; gazetteer places are labelled. Scale bar, north arrow, degree-minute ticks,
    "SYNTHETIC stand-in — not SRTM" in the title for synthetic DEMs, and the source underneath.
    With ``profile`` a strip under the map shows the ground along the covered route, vermillion where
    it is in sight.

    Parameters
    ----------
    result : terrain.route.CoveredRoute
        From :func:`terrain.covered_route`.
    ax : matplotlib.axes.Axes, optional
        Axes for the map; by default a new 8 x 10 inch figure (with the profile strip).
    dem : xarray.DataArray, optional
        The DEM, for the hillshade (default: the heights of the searched ground, ``result.coverage``).
    places : bool or list
        True: gazetteer places on the map; a list of ``(name, lat, lon)`` or objects with ``name``,
        ``lat``, ``lon``; False: none.
    title : str, optional
        Replaces the default title.
    profile : bool
        Draw the exposure profile under the map (only on a new figure).

    Returns
    -------
    matplotlib.axes.Axes
        The map's axes.

    Examples
    --------
    >>> r = terrain.covered_route(dem, "Souran", "Hama", ["Zayn al-Abidin", "Jabal Kafra"],
    ...                           observer_height=10, max_distance=15_000)            # doctest: +SKIP
    >>> save_figure(plot_route(r, dem=dem).figure, "approach.png")                      # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    coverage = result.coverage
    new_figure = ax is None
    if new_figure:
        fig = plt.figure(figsize=(8, 10.2 if profile else 8.6), dpi=100)
        ax = fig.add_axes((0.1, 0.36, 0.86, 0.55) if profile else (0.1, 0.21, 0.86, 0.67))
    fig = ax.figure
    crs = dem_crs(coverage)

    bm.draw_background(ax, dem if dem is not None else coverage["elevation"], coverage)
    extent = bm.map_extent(coverage)
    ax.imshow(ground_rgba(bm.display_grid(coverage)), extent=extent, origin="upper", interpolation="nearest",
              zorder=2, gid="route-ground")
    bm.setup_map_axes(ax, coverage, crs)

    import matplotlib.patheffects as pe

    sx, sy = _xy(crs, result.shortest)
    ax.plot(sx, sy, color=SHORTEST_COLOUR, lw=1.6, ls=(0, (5, 3)), zorder=5, gid="shortest-path",
            path_effects=[pe.Stroke(linewidth=3.2, foreground="white", alpha=0.8), pe.Normal()])
    rx, ry = _xy(crs, result.route)
    ax.plot(rx, ry, color=ROUTE_COLOUR, lw=2.6, zorder=6, gid="covered-route", solid_capstyle="round",
            path_effects=[pe.Stroke(linewidth=4.6, foreground="white"), pe.Normal()])
    for xs, ys in _exposed_segments(rx, ry, result.route.seen_by > 0):
        ax.plot(xs, ys, color=EXPOSED_COLOUR, lw=3.0, zorder=7, gid="route-exposed", solid_capstyle="butt")

    ends = [(result.start, "o", "start"), (result.end, "s", "end")]
    for p, marker, gid in ends:
        x, y = bm.latlon_to_map(crs, p.lat, p.lon)
        ax.plot([float(x)], [float(y)], ls="none", marker=marker, ms=10, mfc="white", mec="black", mew=1.8,
                zorder=9, gid=gid)
    ox, oy = bm.latlon_to_map(crs, [o["lat"] for o in result.observers], [o["lon"] for o in result.observers])
    ox, oy = np.atleast_1d(ox), np.atleast_1d(oy)
    ax.plot(ox, oy, ls="none", marker="^", ms=11, mfc=OKABE_ITO["black"], mec="white", mew=1.3, zorder=9,
            gid="observer")
    scale = bm.add_scale_bar(ax, crs)
    arrow = bm.add_north_arrow(ax)

    # labels: observers (bold), start and end, then gazetteer places not already named
    observer_labels = _observer_labels(ax, result.observers, ox, oy)
    items = []
    named = {o["name"] for o in result.observers if o["name"]}
    for p, _, role in ends:
        x, y = bm.latlon_to_map(crs, p.lat, p.lon)
        items.append(dict(text=f"{p.label()} ({role})", x=float(x), y=float(y), weight="bold", fontsize=8.5,
                          gap=9.0))
        named.add(p.name)
    place_list = bm.gazetteer_places(crs, extent) if places is True else \
        [bm.place_fields(p) for p in places] if places else []
    px, py = [], []
    for name, lat, lon in place_list:
        if name in named:
            continue
        x, y = bm.latlon_to_map(crs, lat, lon)
        px.append(float(x))
        py.append(float(y))
        items.append(dict(text=name, x=float(x), y=float(y), color="#333333"))
    if px:
        ax.plot(px, py, ls="none", marker="o", ms=5, mfc="#333333", mec="white", mew=0.8, zorder=8, gid="place")

    r, s = result.route, result.shortest
    handles = [
        Line2D([], [], color=ROUTE_COLOUR, lw=2.6,
               label=f"covered route: {r.length_km:.1f} km, {r.exposed_km:.1f} km in sight "
                     f"(longest {r.longest_exposed_km:.2f} km)"),
        Line2D([], [], color=SHORTEST_COLOUR, lw=1.6, ls=(0, (5, 3)),
               label=f"shortest path: {s.length_km:.1f} km, {s.exposed_km:.1f} km in sight "
                     f"(longest {s.longest_exposed_km:.2f} km)"),
        Line2D([], [], color=EXPOSED_COLOUR, lw=3.0, label="covered route in sight of an observer"),
        Patch(facecolor=SEEN_COLOUR, alpha=SEEN_ALPHA, edgecolor="#555555", lw=0.5, label="seen by one observer"),
    ]
    if len(result.observers) > 1:
        handles.append(Patch(facecolor=SEEN_MANY_COLOUR, alpha=SEEN_ALPHA, edgecolor="#555555", lw=0.5,
                             label="seen by two or more"))
    handles.append(Patch(facecolor="white", edgecolor="#555555", lw=0.5, label="dead ground (hillshade only)"))
    if "impassable" in coverage and bool(coverage["impassable"].values.any()):
        handles.append(Patch(facecolor=IMPASSABLE_COLOUR, alpha=0.55, edgecolor="none", label="impassable"))
    handles += [Line2D([], [], ls="none", marker="^", ms=9, mfc="black", mec="white", label="observer"),
                Line2D([], [], ls="none", marker="o", ms=8, mfc="white", mec="black", mew=1.6, label="start"),
                Line2D([], [], ls="none", marker="s", ms=8, mfc="white", mec="black", mew=1.6, label="end")]

    ax.apply_aspect()
    pos = ax.get_position()
    leg = ax.legend(handles=handles[:3], loc="upper center", bbox_to_anchor=(pos.x0 + 0.5 * pos.width, pos.y0 - 0.035),
                    bbox_transform=fig.transFigure, ncol=1, fontsize=8, frameon=False, handlelength=2.4)
    leg.set_gid("legend-routes")
    ax.add_artist(leg)
    leg2 = ax.legend(handles=handles[3:], loc="upper center",
                     bbox_to_anchor=(pos.x0 + 0.5 * pos.width, pos.y0 - 0.035 - 0.062 * (10.2 / fig.get_figheight())
                                     * (1 if profile else 1.15)),
                     bbox_transform=fig.transFigure, ncol=4, fontsize=7.5, frameon=False, handlelength=1.8,
                     columnspacing=1.4)
    leg2.set_gid("legend-ground")

    ax.set_title(title if title is not None else route_title(result), fontsize=9.5, linespacing=1.4)
    note = source_note(result.attrs) or "Data: unknown source"
    bm.add_footnote(fig, f"{note}   ·   viewsheds: method {result.attrs.get('method', '?')}")
    obstacles = observer_labels + bm.marker_bboxes(ax, ox, oy, 12) + bm.marker_bboxes(ax, px, py, 6) + scale + arrow
    obstacles += bm.marker_bboxes(ax, rx[::max(1, len(rx) // 200)], ry[::max(1, len(ry) // 200)], 5)
    bm.place_labels(ax, items, obstacles)

    if new_figure and profile:
        _profile_strip(fig.add_axes((0.1, 0.06, 0.86, 0.13)), result)
    return ax


def _observer_labels(ax, observers, xs, ys) -> list:
    """Observers' names in bold centred right above their triangles (below where that would overlap an
    earlier one), so that each name sits unmistakably on its own observer; returns the texts."""
    import matplotlib.patheffects as pe

    ax.apply_aspect()
    renderer = bm._renderer(ax.figure)
    placed = []
    for o, x, y in zip(observers, xs, ys):
        for dy, va in ((9.0, "bottom"), (-9.0, "top")):
            t = ax.annotate(o["name"] or "observer", xy=(float(x), float(y)), xytext=(0, dy), textcoords="offset points",
                            ha="center", va=va, fontsize=8.5, fontweight="bold", zorder=10, gid="observer-label",
                            path_effects=[pe.withStroke(**bm.HALO)])
            bb = t.get_window_extent(renderer)
            if not any(bb.overlaps(p.get_window_extent(renderer)) for p in placed):
                break
            if va == "bottom":
                t.remove()
        placed.append(t)
    return placed


def _profile_strip(ax, result) -> None:
    """Ground along the covered route (m) by distance (km), vermillion where an observer sees it."""
    p = result.route
    d = p.distance_m / 1000.0
    z = p.elevation_m
    ax.fill_between(d, np.nanmin(z) - 5, z, color="#d9d9d9", lw=0, gid="profile-ground")
    ax.plot(d, z, color=ROUTE_COLOUR, lw=1.4, gid="profile-line")
    seen = p.seen_by > 0
    ax.plot(d, np.where(seen, z, np.nan), color=EXPOSED_COLOUR, lw=2.4, gid="profile-exposed")
    ax.set_xlim(0, d[-1])
    ax.set_ylim(np.nanmin(z) - 5, np.nanmax(z) + 0.1 * (np.nanmax(z) - np.nanmin(z) + 10))
    ax.set_xlabel("distance along the covered route (km)", fontsize=8)
    ax.set_ylabel("ground (m)", fontsize=8)
    ax.tick_params(labelsize=7.5)
    ax.set_title(f"exposure profile: {p.exposed_km:.2f} km of {p.length_km:.1f} km in sight (vermillion)",
                 fontsize=8.5, loc="left")
