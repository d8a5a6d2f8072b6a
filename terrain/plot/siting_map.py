"""Map of an observation-post siting: the chosen posts numbered in order, what they see of the target area
and the dead ground left, beside the coverage curve for 1..k posts."""

from __future__ import annotations

import math

import numpy as np

from . import basemap as bm
from .style import OKABE_ITO, SYNTHETIC_NOTE, source_note
from ..dem import dem_crs, dem_transform

#: Target ground seen by a chosen post (Okabe-Ito sky blue) and dead ground (vermillion), over the hillshade.
SEEN_COLOUR = OKABE_ITO["sky"]
DEAD_COLOUR = OKABE_ITO["vermillion"]
OVERLAY_ALPHA = 0.55
POST_COLOUR = OKABE_ITO["black"]
CURVE_COLOUR = OKABE_ITO["blue"]
#: Ground shown around the target area and the posts, as a share of their extent.
MARGIN_SHARE = 0.12
#: The map's shorter side is at least this share of its longer one.
MIN_ASPECT = 1.0


def siting_title(result) -> str:
    """Title lines: target and candidates; coverage and dead ground; heights and method."""
    a = result.attrs
    n_posts = len(result.posts.rows)
    lines = [f"Observation posts over {a['target']}: the best {n_posts} of {a['candidates']} candidates "
             f"(lazy greedy)",
             f"together they see {a['covered_percent']:.1f} % of the target area ({a['covered_km2']:,.2f} of "
             f"{a['target_area_km2']:,.2f} km²) · dead ground {a['dead_ground_km2']:,.2f} km² "
             f"({a['dead_ground_percent']:.1f} %)"]
    parts = []
    h = a.get("observer_height_m")
    if isinstance(h, (int, float)):
        parts.append(f"eye {h:g} m above ground")
    t = a.get("target_height_m") or 0.0
    parts.append("targets on the ground" if not t else f"targets {t:g} m tall")
    if a.get("max_distance_m"):
        parts.append(f"radius {bm.format_km(a['max_distance_m'] / 1000.0)}")
    if a.get("min_separation_m"):
        parts.append(f"posts ≥ {bm.format_km(a['min_separation_m'] / 1000.0)} apart")
    parts.append(f"method {a.get('method', '?')}")
    lines.append(" · ".join(parts))
    return "\n".join(lines)


def _region(dem, result):
    """The part of ``dem`` holding the target block, the chosen posts and a margin, widened (or heightened)
    to at least :data:`MIN_ASPECT` so a map of posts north of a target does not come out as a strip."""
    t = dem_transform(dem)
    tb = dem_transform(result.dead_ground)
    c0, r0 = (~t) * (tb.c + 0.5 * tb.a, tb.f + 0.5 * tb.e)
    r0, c0 = int(math.floor(r0)), int(math.floor(c0))
    rows = [r0, r0 + result.dead_ground.sizes["y"]]
    cols = [c0, c0 + result.dead_ground.sizes["x"]]
    crs = dem_crs(dem)
    for p in result.posts.rows:
        x, y = bm.latlon_to_map(crs, p["lat"], p["lon"])
        c, r = (~t) * (float(x), float(y))
        rows.append(int(r))
        cols.append(int(c))
    pad_r = int(MARGIN_SHARE * (max(rows) - min(rows))) + 3
    pad_c = int(MARGIN_SHARE * (max(cols) - min(cols))) + 3
    r_lo, r_hi = min(rows) - pad_r, max(rows) + pad_r + 1
    c_lo, c_hi = min(cols) - pad_c, max(cols) + pad_c + 1
    aspect = bm.map_aspect(dem)  # map units of y per unit of x on screen; cells are |e| x |a|
    height = (r_hi - r_lo) * abs(t.e) * aspect
    width = (c_hi - c_lo) * abs(t.a)
    if width < MIN_ASPECT * height:
        extra = int((MIN_ASPECT * height - width) / abs(t.a) / 2) + 1
        c_lo, c_hi = c_lo - extra, c_hi + extra
    elif height < MIN_ASPECT * width:
        extra = int((MIN_ASPECT * width - height) / (abs(t.e) * aspect) / 2) + 1
        r_lo, r_hi = r_lo - extra, r_hi + extra
    rs = slice(max(0, r_lo), min(dem.sizes["y"], r_hi))
    cs = slice(max(0, c_lo), min(dem.sizes["x"], c_hi))
    region = dem.isel(y=rs, x=cs)
    return region.rio.write_transform(t * t.translation(cs.start, rs.start), inplace=True)


def plot_siting(result, dem=None, ax=None, title=None, places=True):
    """Draw an observation-post siting: a map of the posts and the dead ground, and the coverage curve.

    Left, a map of the target area and its surroundings: hillshade; the target area outlined
    (purple) with the ground the chosen posts see in sky blue and the dead ground they leave in
    vermillion; the chosen posts as black triangles numbered in the order chosen (1 = the best
    single post) with their names, the other candidates as small hollow triangles; gazetteer
    places; scale bar and north arrow. Right, the coverage curve: the share of the target area
    seen (and km², right axis) by the best 1, 2, ... k posts, each step labelled with its gain.
    The title gives the coverage and dead ground; "SYNTHETIC stand-in — not SRTM" stands under
    it for synthetic DEMs, and the data source in the footnote.

    Parameters
    ----------
    result : SitingResult
        From :func:`terrain.site_observers`.
    dem : xarray.DataArray, optional
        The DEM the siting ran on: hillshade and surroundings (the target block on grey without it).
    ax : matplotlib.axes.Axes, optional
        The map's axes; by default a new 12 x 7.4 inch figure with the curve beside it (given an
        ``ax``, only the map is drawn).
    title : str, optional
        Replaces the default title.
    places : bool
        Label the gazetteer's places on the map.

    Returns
    -------
    matplotlib.axes.Axes
        The map's axes (the curve's axes is ``ax.figure.axes[1]`` on a new figure).

    Examples
    --------
    >>> res = terrain.site_observers(dem, "Hama", k=3, target_radius=3000, observer_height=10)  # doctest: +SKIP
    >>> save_figure(plot_siting(res, dem=dem).figure, "siting.png")                             # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    own = ax is None
    if own:
        fig = plt.figure(figsize=(12, 7.4), dpi=100)
        ax = fig.add_axes((0.05, 0.17, 0.58, 0.64))
        cax = fig.add_axes((0.68, 0.30, 0.26, 0.45))
    fig = ax.figure
    dead, mask = result.dead_ground, result.target_mask
    grid = _region(dem, result) if dem is not None else dead
    crs = dem_crs(dead)
    bm.draw_background(ax, dem, grid)
    rgba = np.zeros(dead.shape + (4,), np.float32)
    rgba[mask.values & ~dead.values] = to_rgba(SEEN_COLOUR, OVERLAY_ALPHA)
    rgba[dead.values] = to_rgba(DEAD_COLOUR, 0.75)
    ax.imshow(rgba, extent=bm.map_extent(dead), origin="upper", interpolation="nearest", zorder=2,
              gid="siting-overlay")
    bm.setup_map_axes(ax, grid, crs)
    xs, ys = dead.x.values, dead.y.values
    ax.contour(xs, ys, mask.values.astype(np.float32), levels=[0.5], colors=[OKABE_ITO["purple"]],
               linewidths=1.6, zorder=5)

    chosen = {(p["lat"], p["lon"]) for p in result.posts.rows}
    others = [r for r in result.candidates.rows if (r["lat"], r["lon"]) not in chosen
              and _inside(bm.latlon_to_map(crs, r["lat"], r["lon"]), bm.map_extent(grid))]
    if others:
        ox, oy = bm.latlon_to_map(crs, np.array([r["lat"] for r in others]), np.array([r["lon"] for r in others]))
        many = len(others) > 40  # a grid of candidates: small and pale, so the posts stand out
        ax.plot(np.atleast_1d(ox), np.atleast_1d(oy), ls="none", marker="^", ms=4 if many else 6, mfc="white",
                mec="#777777" if many else "#333333", mew=0.7 if many else 1.0, zorder=8, gid="candidate")
    px, py = bm.latlon_to_map(crs, np.array([p["lat"] for p in result.posts.rows]),
                              np.array([p["lon"] for p in result.posts.rows]))
    px, py = np.atleast_1d(px), np.atleast_1d(py)
    ax.plot(px, py, ls="none", marker="^", ms=17, mfc=POST_COLOUR, mec="white", mew=1.4, zorder=9, gid="post")
    for x, y, p in zip(px, py, result.posts.rows):
        ax.annotate(str(p["order"]), (x, y), xytext=(0, -2), textcoords="offset points", ha="center",
                    va="center", fontsize=8, fontweight="bold", color="white", zorder=10, gid="post-number")
    scale = bm.add_scale_bar(ax, crs)
    arrow = bm.add_north_arrow(ax, xy=(0.95, 0.11))  # low: posts are often on the high ground at the top
    extent = bm.map_extent(grid)
    place_list = bm.gazetteer_places(crs, extent) if places else []
    post_names = {p["name"] for p in result.posts.rows}
    pts = []
    for name, lat, lon in place_list:
        if name in post_names:
            continue
        x, y = bm.latlon_to_map(crs, lat, lon)
        if extent[0] <= float(x) <= extent[1] and extent[2] <= float(y) <= extent[3]:
            pts.append((name, float(x), float(y)))
    if pts:
        ax.plot([p[1] for p in pts], [p[2] for p in pts], ls="none", marker="o", ms=4.5, mfc="#333333",
                mec="white", mew=0.8, zorder=8, gid="place")
    # named posts get their name beside the numbered triangle; unnamed ones are listed beside the curve
    items = [dict(text=p["name"], x=x, y=y, weight="bold", fontsize=8.5, gap=11.0)
             for x, y, p in zip(px, py, result.posts.rows) if not _unnamed(p["name"])]
    items += [dict(text=p[0], x=p[1], y=p[2], color="#333333", fontsize=7.5) for p in pts]
    obstacles = bm.marker_bboxes(ax, list(px), list(py), 18) + scale + arrow
    bm.place_labels(ax, items, obstacles)

    ax.apply_aspect()
    pos = ax.get_position()
    seen_km2 = result.attrs["covered_km2"]
    handles = [Patch(facecolor=SEEN_COLOUR, alpha=OVERLAY_ALPHA, edgecolor="#555555", lw=0.5,
                     label=f"target area seen by a post: {seen_km2:,.2f} km²"),
               Patch(facecolor=DEAD_COLOUR, alpha=0.75, edgecolor="#555555", lw=0.5,
                     label=f"dead ground left: {result.attrs['dead_ground_km2']:,.2f} km²"),
               Line2D([], [], color=OKABE_ITO["purple"], lw=1.6, label="target area"),
               Line2D([], [], ls="none", marker="^", ms=10, mfc=POST_COLOUR, mec="white",
                      label="chosen post (in order)")]
    if others:
        handles.append(Line2D([], [], ls="none", marker="^", ms=6, mfc="white", mec="#333333",
                              label="other candidate"))
    leg = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(pos.x0 + pos.width / 2, pos.y0 - 0.045),
                    bbox_transform=fig.transFigure, ncol=3, fontsize=8, frameon=False, columnspacing=1.6)
    leg.set_gid("legend")

    if own:
        plot_coverage_curve(result, cax)
    synthetic = bool(result.attrs.get("synthetic"))
    fig.suptitle(title if title is not None else siting_title(result), fontsize=10, linespacing=1.45,
                 y=0.975)
    if synthetic:
        fig.text(0.5, 0.84, f"Data: {SYNTHETIC_NOTE} — the numbers illustrate the method only", ha="center",
                 va="bottom", fontsize=9, color="#a00000", fontweight="bold", gid="synthetic-title")
    note = source_note(result.attrs) or "Data: unknown source"
    bm.add_footnote(fig, f"{note}   ·   {result.attrs.get('guarantee', '')}")
    return ax


def _inside(xy, extent, pad: float = 0.02) -> bool:
    """Whether map point ``xy`` lies inside ``extent`` less a margin (a marker on the edge would spill over)."""
    left, right, bottom, top = extent
    dx, dy = pad * (right - left), pad * (top - bottom)
    x, y = float(xy[0]), float(xy[1])
    return left + dx <= x <= right - dx and bottom + dy <= y <= top - dy


def _unnamed(name: str) -> bool:
    """Whether a post's name is only its position (``35.1349N 36.7282E``, ``summit 574 m at ...``)."""
    import re

    return bool(re.match(r"^(summit .* at )?-?[\d.]+[NS] -?[\d.]+[EW]$", name))


def _gain_text(row) -> str:
    """``+7.9 %``, or hectares for a gain under 0.05 % (so it does not read as nothing)."""
    if row["gain_percent"] >= 0.05:
        return f"+{row['gain_percent']:.1f} %"
    return f"+{row['gain_km2'] * 100:.1f} ha"


def plot_coverage_curve(result, ax):
    """The coverage curve of a siting on ``ax``: % of the target area (left) and km² (right) against the
    number of posts, each point labelled with the post added and its gain."""
    rows = result.posts.rows
    total = result.attrs["target_area_km2"]
    ks = [0] + [r["order"] for r in rows]
    pct = [0.0] + [r["cumulative_percent"] for r in rows]
    ax.plot(ks, pct, color=CURVE_COLOUR, lw=2.0, marker="o", ms=6, zorder=3, gid="coverage-curve")
    ax.bar([r["order"] for r in rows], [r["gain_percent"] for r in rows], width=0.45, color=CURVE_COLOUR,
           alpha=0.25, zorder=2, gid="gain-bars", label="what that post adds")
    ax.legend(loc="center right", fontsize=7.5, frameon=False)
    for r in rows:
        ax.annotate(_gain_text(r), (r["order"], r["cumulative_percent"]), xytext=(0, 7), textcoords="offset points",
                    ha="center", va="bottom", fontsize=8, zorder=4)
    lines = [f"{r['order']}. {r['name']}: +{r['gain_km2']:,.2f} km², total {r['cumulative_percent']:.1f} %"
             for r in rows]
    if result.attrs.get("stopped") and len(rows) < int(result.attrs.get("k", len(rows))):
        lines.append(f"stopped at {len(rows)} of {result.attrs['k']}: {result.attrs['stopped']}")
    ax.text(0.0, -0.2, "\n".join(lines), transform=ax.transAxes, ha="left", va="top", fontsize=8,
            linespacing=1.5, gid="post-list")
    ax.set_xlim(-0.3, max(ks) + 0.6)
    ax.set_ylim(0, 112)
    ax.set_yticks(range(0, 101, 20))
    ax.set_xticks(ks)
    ax.set_xlabel("number of posts", fontsize=9)
    ax.set_ylabel("share of the target area seen (%)", fontsize=9)
    ax.tick_params(labelsize=8.5)
    ax.grid(axis="y", color="#dddddd", lw=0.8, zorder=0)
    right = ax.twinx()
    right.set_ylim(0, 1.12 * total)
    right.set_ylabel("km² seen", fontsize=9)
    right.tick_params(labelsize=8.5)
    ax.set_title("Coverage by the best 1..k posts", fontsize=9.5)
    return ax
