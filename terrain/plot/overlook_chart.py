"""Bar chart of an overlook ranking: how much of a target area each candidate observer sees."""

from __future__ import annotations

import re

from .basemap import add_footnote
from .style import OKABE_ITO, SYNTHETIC_NOTE, source_note

#: Bar colour (Okabe-Ito blue) and the colour of the best candidate's bar (Okabe-Ito vermillion).
BAR_COLOUR = OKABE_ITO["blue"]
BEST_COLOUR = OKABE_ITO["vermillion"]

_UNNAMED_SUMMIT = re.compile(r"^summit (\d+) m at (.+)$")


def table_source_note(attrs: dict, dem_attrs: dict | None = None) -> str:
    """The data-source footnote of a result table: the synthetic warning alone for synthetic DEMs.

    Tables carry the DEM's ``synthetic`` flag; for tables without one it is taken from
    ``dem_attrs`` when given, else from the source text saying "synthetic"."""
    src = str(attrs.get("source", "") or (dem_attrs or {}).get("source", ""))
    synthetic = attrs.get("synthetic", (dem_attrs or {}).get("synthetic"))
    if synthetic or (synthetic is None and "synthetic" in src.casefold()):
        return f"Data: {SYNTHETIC_NOTE}"
    return source_note({"source": src})


def candidate_label(row: dict) -> str:
    """Two-line bar label: the candidate's name, then its ground height, prominence and distance to the target."""
    name = str(row.get("name", ""))
    m = _UNNAMED_SUMMIT.match(name)
    if m:  # "summit 518 m at 35.0899N 36.9365E": the height goes on the second line like the others
        name = f"summit at {m.group(2)}"
    facts = []
    if row.get("ground_m") is not None:
        facts.append(f"{row['ground_m']:.0f} m")
    if row.get("prominence_m") is not None:
        facts.append(f"prominence {row['prominence_m']:.0f} m")
    if row.get("distance_km") is not None:
        facts.append(f"{row['distance_km']:.1f} km away")
    return f"{name}\n{' · '.join(facts)}" if facts else name


def overlook_title(table) -> str:
    """Two-line title: the target and its area; observer and target heights."""
    a = table.attrs
    target = a.get("target", "the target")
    area = a.get("target_area_km2")
    area_txt = f" ({area:,.1f} km²)" if area is not None else ""
    eye = a.get("observer_height_m")
    tgt = a.get("target_height_m") or 0.0
    parts = []
    if eye is not None:
        parts.append(f"eye {eye:g} m above ground")
    parts.append("targets on the ground" if not tgt else f"targets {tgt:g} m tall")
    lines = [f"How much of {target}{area_txt} each candidate sees", " · ".join(parts)]
    if a.get("search_radius_m"):
        lines.append(f"candidates: summits within {a['search_radius_m'] / 1000:g} km with at least "
                     f"{a.get('min_prominence_m', 0):g} m of prominence")
    return "\n".join(lines)


def plot_overlook(table, ax=None, title=None):
    """Rank candidate observers by how much of a target area they see, as horizontal bars.

    One bar per row of the table, best (rank 1) at the top, in the table's order: the
    length is the percentage of the target's area the candidate sees (0–100 %), the
    label at the bar's end gives it in km² too; each bar is named with the candidate's
    name, ground height, prominence (summits) and distance to the target. The best bar is
    vermillion, the others blue (Okabe-Ito). The data source is underneath
    ("SYNTHETIC stand-in — not SRTM" for synthetic DEMs).

    Parameters
    ----------
    table : ResultTable
        From :func:`terrain.multi.overlook` or :func:`terrain.multi.key_terrain`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure 8 inches wide, taller with more rows.
    title : str, optional
        Replaces the default title (target, its area, heights).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from terrain.multi import key_terrain                          # doctest: +SKIP
    >>> from terrain.plot import plot_overlook, save_figure             # doctest: +SKIP
    >>> ax = plot_overlook(key_terrain(dem, "Hama", observer_height=10))  # doctest: +SKIP
    >>> save_figure(ax.figure, "overlook.png")                          # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    rows = list(table.rows)
    n = len(rows)
    own_figure = ax is None
    if own_figure:
        height = 2.1 + 0.62 * max(n, 1)
        fig = plt.figure(figsize=(8, height), dpi=100)
        ax = fig.add_axes((0.33, 0.8 / height, 0.6, 1 - 1.55 / height))
    fig = ax.figure
    ys = list(range(n))  # row 0 (rank 1) at y = 0, drawn at the top (inverted axis)
    pct = [float(r.get("visible_percent", 0.0)) for r in rows]
    colours = [BEST_COLOUR if i == 0 and pct[0] > 0 else BAR_COLOUR for i in range(n)]
    bars = ax.barh(ys, pct, height=0.62, color=colours, edgecolor="none", zorder=2, gid="overlook-bars")
    for i, (bar, r) in enumerate(zip(bars, rows)):
        bar.set_gid(f"bar-{r.get('rank', i + 1)}")
        km2 = float(r.get("visible_km2", 0.0))
        text = f"{pct[i]:.1f} %  ·  {km2:,.2f} km²" if pct[i] > 0 else "sees none of it"
        inside = pct[i] > 70
        ax.text(pct[i] - 1.2 if inside else pct[i] + 1.2, i, text, ha="right" if inside else "left", va="center",
                fontsize=8.5, color="white" if inside else "#222222", fontweight="bold" if inside else "normal",
                zorder=3, gid="bar-label")
    ax.set_yticks(ys)
    ax.set_yticklabels([f"{r.get('rank', i + 1)}. {candidate_label(r)}" for i, r in enumerate(rows)], fontsize=8.5)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the target area seen (%)", fontsize=9)
    ax.tick_params(axis="x", labelsize=8.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="x", color="#dddddd", lw=0.8, zorder=0)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.set_title(title if title is not None else overlook_title(table), fontsize=9.5, linespacing=1.4)
    note = table_source_note(table.attrs) or "Data: unknown source"
    method = table.attrs.get("method")
    add_footnote(fig, note + (f"   ·   method {method}" if method else ""))
    if own_figure:
        _fit_left_margin(ax)
    return ax


def _fit_left_margin(ax, pad: float = 0.025, right: float = 0.96) -> None:
    """Widen the left margin to the longest bar name, and centre the title on the figure."""
    from .basemap import _renderer

    fig = ax.figure
    renderer = _renderer(fig)
    widths = [t.get_window_extent(renderer).width for t in ax.get_yticklabels() if t.get_text()]
    left = (max(widths) / fig.bbox.width if widths else 0.0) + pad
    left = min(max(left, 0.12), 0.6)
    pos = ax.get_position()
    ax.set_position((left, pos.y0, right - left, pos.height))
    ax.title.set_x((0.5 - left) / (right - left))
