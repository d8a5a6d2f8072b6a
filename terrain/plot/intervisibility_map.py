"""Map of an intervisibility network: which points see each other, drawn as sight lines over the hillshade."""

from __future__ import annotations

import math

import numpy as np
import rioxarray  # noqa: F401  (registers the .rio accessor)

from . import basemap as bm
from .overlook_chart import table_source_note
from .style import OKABE_ITO
from ..dem import dem_crs, dem_transform

#: Sight lines: both points see each other (solid Okabe-Ito blue); only one sees the other (dashed vermillion,
#: which happens when the points' heights differ), with an arrowhead pointing at the point that is seen.
MUTUAL_STYLE = dict(color=OKABE_ITO["blue"], lw=2.2, ls="-")
ONE_WAY_STYLE = dict(color=OKABE_ITO["vermillion"], lw=1.8, ls=(0, (5, 3)))
#: Pairs blocked both ways: a thin dotted grey line, under the others, so the map shows every pair
#: that was tested and not only those that see each other.
BLOCKED_STYLE = dict(color="0.2", lw=1.4, ls=(0, (1, 2.2)))


def sight_pairs(matrix) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """``(mutual, one_way)`` pairs of an intervisibility matrix: ``(i, j)`` with ``i < j`` seeing each other, and
    ``(observer, seen)`` where only ``observer`` sees ``seen``."""
    mutual, one_way, _ = _classify_pairs(matrix)
    return mutual, one_way


def blocked_pairs(matrix) -> list[tuple[int, int]]:
    """``(i, j)`` with ``i < j`` of an intervisibility matrix where neither point sees the other."""
    return _classify_pairs(matrix)[2]


def _classify_pairs(matrix):
    m = np.asarray(matrix, dtype=bool)
    mutual, one_way, blocked = [], [], []
    for i in range(m.shape[0]):
        for j in range(i + 1, m.shape[0]):
            if m[i, j] and m[j, i]:
                mutual.append((i, j))
            elif m[i, j]:
                one_way.append((i, j))
            elif m[j, i]:
                one_way.append((j, i))
            else:
                blocked.append((i, j))
    return mutual, one_way, blocked


def point_positions(table, dem, points=None) -> list[tuple[str, float, float]]:
    """``[(name, x, y)]`` in the DEM's map coordinates of the table's points.

    The table's own located points are used; ``points`` (the list given to
    :func:`terrain.multi.intervisibility`) places them again on ``dem`` instead, and a
    table without points is placed from its names.
    """
    from ..coords import locate
    from ..errors import InputError

    names = list(table.names)
    if points is None and getattr(table, "points", None):
        return [(name, float(p.x), float(p.y)) for name, p in zip(names, table.points)]
    specs = list(points) if points is not None else names
    if len(specs) != len(names):
        raise ValueError(f"{len(specs)} points given for an intervisibility table of {len(names)}; "
                         "pass the points in the order given to intervisibility()")
    out = []
    for name, spec in zip(names, specs):
        try:
            p = locate(dem, spec, role="intervisibility point", allow_void=True)
        except InputError as err:
            raise ValueError(f"cannot place {name!r} on the DEM ({err}); pass points=[...] as given to "
                             "intervisibility()") from err
        out.append((name, float(p.x), float(p.y)))
    return out


def _crop_around(dem, xs, ys, pad_fraction: float = 0.18, min_pad_m: float = 1500.0, min_aspect: float = 0.8):
    """The part of ``dem`` around the points: their bounding box widened by ``pad_fraction`` of its larger side
    (at least ``min_pad_m`` metres), then its shorter side to ``min_aspect`` of the longer, clipped to the DEM."""
    crs = dem_crs(dem)
    t = dem_transform(dem)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    if bm.is_geographic(crs):
        lat = 0.5 * (y0 + y1)
        m_per_x = 111_320.0 * math.cos(math.radians(lat))
        m_per_y = 110_950.0
    else:
        m_per_x = m_per_y = bm._unit_m(crs)
    span_m = max((x1 - x0) * m_per_x, (y1 - y0) * m_per_y)
    pad_m = max(pad_fraction * span_m, min_pad_m)
    x0, x1 = x0 - pad_m / m_per_x, x1 + pad_m / m_per_x
    y0, y1 = y0 - pad_m / m_per_y, y1 + pad_m / m_per_y
    # not too narrow nor too flat: room for labels beside the outermost points, and a map that fills the page
    w_m, h_m = (x1 - x0) * m_per_x, (y1 - y0) * m_per_y
    if w_m < min_aspect * h_m:
        grow = 0.5 * (min_aspect * h_m - w_m) / m_per_x
        x0, x1 = x0 - grow, x1 + grow
    elif h_m < min_aspect * w_m:
        grow = 0.5 * (min_aspect * w_m - h_m) / m_per_y
        y0, y1 = y0 - grow, y1 + grow
    ca, ra = ~t * (x0, y0)
    cb, rb = ~t * (x1, y1)
    c0, c1 = max(int(math.floor(min(ca, cb))), 0), min(int(math.ceil(max(ca, cb))), dem.sizes["x"])
    r0, r1 = max(int(math.floor(min(ra, rb))), 0), min(int(math.ceil(max(ra, rb))), dem.sizes["y"])
    crop = dem.isel(y=slice(r0, r1), x=slice(c0, c1))
    return crop.rio.write_transform(t * t.translation(c0, r0), inplace=True)


def intervisibility_title(table) -> str:
    """Three-line title: number of points; heights and curvature; pairs that see each other."""
    a = table.attrs
    n = len(table.names)
    mutual, one_way = sight_pairs(table.matrix)
    pairs = n * (n - 1) // 2

    def heights(key, what):
        v = a.get(key)
        if v is None:
            return None
        v = [float(h) for h in (v if isinstance(v, (list, tuple)) else [v])]
        lo, hi = min(v), max(v)
        if hi == 0:
            return f"{what} on the ground"
        span = f"{lo:g} m" if lo == hi else f"{lo:g}–{hi:g} m (per point)"
        return f"{what} {span} above ground"

    parts = [h for h in (heights("observer_height_m", "eye"), heights("target_height_m", "target")) if h]
    if "curvature" in a:
        parts.append(f"curvature on, k = {a.get('refraction', 0):g}" if a["curvature"] else "curvature off")
    third = f"{len(mutual)} of {pairs} pairs see each other"
    if one_way:
        third += f" · {len(one_way)} one-way"
    return f"Intervisibility of {n} points\n{' · '.join(parts)}\n{third}"


def plot_intervisibility(table, dem, ax=None, points=None, title=None):
    """Draw an intervisibility network on a hillshade map.

    The points are black circles labelled with their names and how many of the other
    points each one sees; a solid blue line joins two points that see each other, a dashed
    vermillion line with an arrowhead (pointing at the point that is seen) joins a pair where
    only one sees the other (possible when observer and target heights differ); a thin
    dotted grey line joins a pair blocked both ways. The map covers the points with a margin; scale bar,
    north arrow, degree-minute ticks and the data source underneath.

    Parameters
    ----------
    table : IntervisibilityTable
        From :func:`terrain.multi.intervisibility`.
    dem : xarray.DataArray
        The DEM the table was computed on (hillshade, and to place the points).
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new 8 x 8.4 inch figure (A4-legible at 150 dpi).
    points : list, optional
        The points as given to :func:`terrain.multi.intervisibility` (needed only for
        ``xy:`` points: the table keeps names, not positions).
    title : str, optional
        Replaces the default title.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from terrain.multi import intervisibility                        # doctest: +SKIP
    >>> from terrain.plot import plot_intervisibility, save_figure        # doctest: +SKIP
    >>> t = intervisibility(dem, ["Zayn al-Abidin", "Jabal Kafra", "Hama"], observer_height=10)  # doctest: +SKIP
    >>> save_figure(plot_intervisibility(t, dem).figure, "network.png")  # doctest: +SKIP
    """
    import matplotlib.patheffects as pe
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    if ax is None:
        fig = plt.figure(figsize=(8, 8.4), dpi=100)
        ax = fig.add_axes((0.1, 0.14, 0.86, 0.74))
    fig = ax.figure
    crs = dem_crs(dem)
    pos = point_positions(table, dem, points)
    xs = [p[1] for p in pos]
    ys = [p[2] for p in pos]
    crop = _crop_around(dem, xs, ys)
    bm.draw_hillshade(ax, crop)
    bm.setup_map_axes(ax, crop, crs)

    mutual, one_way, blocked = _classify_pairs(table.matrix)
    for i, j in blocked:
        ax.plot([xs[i], xs[j]], [ys[i], ys[j]], zorder=3, gid="sight-blocked", **BLOCKED_STYLE)
    for i, j in mutual:
        ax.plot([xs[i], xs[j]], [ys[i], ys[j]], zorder=4, gid="sight-mutual", solid_capstyle="round",
                path_effects=[pe.Stroke(linewidth=4.0, foreground="white", alpha=0.8), pe.Normal()],
                **MUTUAL_STYLE)
    for i, j in one_way:  # i sees j
        ax.plot([xs[i], xs[j]], [ys[i], ys[j]], zorder=4, gid="sight-one-way",
                path_effects=[pe.Stroke(linewidth=3.6, foreground="white", alpha=0.8), pe.Normal()],
                **ONE_WAY_STYLE)
        f = 0.62  # arrowhead a little past the middle, towards the point seen
        ax.annotate("", xy=(xs[i] + f * (xs[j] - xs[i]), ys[i] + f * (ys[j] - ys[i])),
                    xytext=(xs[i] + (f - 0.02) * (xs[j] - xs[i]), ys[i] + (f - 0.02) * (ys[j] - ys[i])),
                    arrowprops=dict(arrowstyle="-|>,head_width=0.4,head_length=0.8", color=ONE_WAY_STYLE["color"],
                                    lw=0, shrinkA=0, shrinkB=0), zorder=5, gid="one-way-arrow")
    ax.plot(xs, ys, ls="none", marker="o", ms=9, mfc="black", mec="white", mew=1.5, zorder=8, gid="points")
    scale = bm.add_scale_bar(ax, crs)
    arrow = bm.add_north_arrow(ax)

    m = np.asarray(table.matrix, dtype=bool)
    sees = m.sum(axis=1) - 1
    handles = [Line2D([], [], label="both see each other", **MUTUAL_STYLE)]
    if one_way:
        handles.append(Line2D([], [], label="one-way (arrow points at the one seen)", **ONE_WAY_STYLE))
    if blocked:
        handles.append(Line2D([], [], label="blocked both ways", **BLOCKED_STYLE))
    handles.append(Line2D([], [], ls="none", marker="o", ms=8, mfc="black", mec="white",
                          label="point (number of the others it sees)"))
    ncol = len(handles) if len(handles) < 4 else 2
    leg = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=ncol, fontsize=8,
                    frameon=False, handlelength=2.6, columnspacing=1.8)
    leg.set_gid("legend-network")

    ax.set_title(title if title is not None else intervisibility_title(table), fontsize=9.5, linespacing=1.4)
    bm.add_footnote(fig, table_source_note(table.attrs, dem.attrs) or "Data: unknown source")

    items = [dict(text=f"{name} ({int(k)})", x=x, y=y, weight="bold", fontsize=8.5, gap=7.0)
             for (name, x, y), k in zip(pos, sees)]
    bm.place_labels(ax, items, bm.marker_bboxes(ax, xs, ys, 10) + scale + arrow)
    return ax
