"""The report's figures, drawn with :mod:`terrain.plot` and kept in memory as PNG bytes.

Every figure made from a synthetic DEM carries "SYNTHETIC stand-in — not SRTM"
in its footnote (added when the plot function did not put it there).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from .analysis import ReportAnalysis

#: Resolution of the PNGs, dots per inch (an 8-inch map is 880 pixels wide).
DPI = 110
#: Colour of the target-area outline drawn on the maps (Okabe-Ito reddish purple).
TARGET_COLOUR = "#CC79A7"


@dataclass
class ReportFigure:
    """One figure: ``key`` (stable id), ``filename`` of its PNG, ``section``, ``title``, ``caption``, ``png`` bytes."""

    key: str
    filename: str
    section: str
    title: str
    caption: str
    png: bytes


def slug(text: str) -> str:
    """A file-name-safe form of a label: ``"Zayn al-Abidin"`` -> ``"zayn_al_abidin"``."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or "point"


def unique_slugs(labels) -> list[str]:
    """:func:`slug` of each label, numbered where two would share one (two non-Latin names both slug to
    ``point``: ``point``, ``point_2``), so no figure file replaces another."""
    out, seen = [], set()
    for label in labels:
        base = slug(label)
        name, k = base, 1
        while name in seen:
            k += 1
            name = f"{base}_{k}"
        seen.add(name)
        out.append(name)
    return out


def has_text(fig, needle: str) -> bool:
    """Whether any text of the figure (titles, labels, footnotes, legends) contains ``needle``."""
    from matplotlib.text import Text

    return any(needle in (t.get_text() or "") for t in fig.findobj(Text))


def ensure_footnote(fig, a: ReportAnalysis) -> None:
    """Add the synthetic-data footnote to a figure made from a synthetic DEM when the plot left it out."""
    from ..samples import SYNTHETIC_LABEL

    if a.synthetic and not has_text(fig, SYNTHETIC_LABEL):
        fig.text(0.99, 0.008, f"Data: {SYNTHETIC_LABEL}", fontsize=7, color="#a00000", ha="right", va="bottom",
                 gid="synthetic-note")


def png_bytes(fig, a: ReportAnalysis) -> bytes:
    """The figure as PNG bytes (footnote checked); the figure is closed."""
    import matplotlib.pyplot as plt

    ensure_footnote(fig, a)
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": "terrain"})
    finally:
        plt.close(fig)
    return buf.getvalue()


def draw_target_area(ax, crs, a: ReportAnalysis) -> None:
    """Outline the target area (a dashed circle) on a map in ``crs``."""
    from ..plot import basemap as bm

    if crs is None:
        return
    radius = a.parameters["target_radius_m"]
    xs, ys = bm.circle_map_xy(crs, a.target.lat, a.target.lon, radius)
    ax.plot(xs, ys, color=TARGET_COLOUR, lw=1.6, ls=(0, (5, 2)), zorder=6, gid="target-area")


def report_figures(a: ReportAnalysis, progress=None) -> list[ReportFigure]:
    """Draw every figure of the report: a viewshed map per observer, the combined coverage map,
    a profile per observer to the target and the key-terrain chart."""
    from ..dem import dem_crs
    from ..plot import plot_profile, plot_viewshed

    say = progress or (lambda msg: None)
    crs = dem_crs(a.dem)
    target = a.target.label()
    radius_km = a.parameters["target_radius_m"] / 1000.0
    note = f" Data: {a.source_label}." if a.synthetic else ""
    out = []
    names = unique_slugs(p.label() for p in a.observers)
    for p, name, vs, seen in zip(a.observers, names, a.viewsheds, a.target_seen):
        say(f"figure: viewshed of {p.label()}")
        ax = plot_viewshed(vs, dem=a.dem)
        draw_target_area(ax, crs, a)
        out.append(ReportFigure(
            f"viewshed_{name}", f"viewshed_{name}.png", "maps", f"Viewshed of {p.label()}",
            f"What {p.label()} sees within {a.parameters['radius_m'] / 1000:g} km (blue), and how tall anything "
            f"hidden must be to be seen (orange to brown). Dashed purple circle: the target area, {radius_km:g} km "
            f"around {target}; {seen['seen_percent']:.1f} % of it is seen.{note}", png_bytes(ax.figure, a)))

    say("figure: combined coverage")
    out.append(ReportFigure("coverage", "coverage.png", "maps", "Combined coverage",
                            f"Ground seen by {', '.join(a.observer_names())}, together and apart, and the dead ground "
                            f"none of them sees. Dashed purple circle: the target area around {target}.{note}",
                            png_bytes(_coverage_figure(a, crs), a)))

    for p, name, los in zip(a.observers, names, a.lines_of_sight):
        say(f"figure: profile {p.label()} to {target}")
        ax = plot_profile(los, source=f"Data: {a.source_label}")
        verdict = "clear" if los.visible else "blocked"
        out.append(ReportFigure(
            f"profile_{name}", f"profile_{name}.png", "lines_of_sight",
            f"{p.label()} → {target}",
            f"Terrain between {p.label()} and {target} and the sight line from the observer's eye "
            f"({verdict}); terrain lowered for the earth's curvature and refraction.{note}", png_bytes(ax.figure, a)))

    if a.key_terrain is not None and len(a.key_terrain.rows):
        say("figure: key terrain")
        out.append(ReportFigure("key_terrain", "key_terrain.png", "key_terrain", "Key terrain",
                                f"Summits around {target} ranked by the share of the target area each sees.{note}",
                                png_bytes(_key_terrain_figure(a), a)))

    if a.siting is not None and len(a.siting.posts.rows):
        from ..plot import plot_siting

        say("figure: observation posts")
        s = a.siting.attrs
        out.append(ReportFigure("siting", "siting.png", "siting", "Observation posts",
                                f"The best {len(a.siting.posts.rows)} posts over {target} in the order chosen, the "
                                f"ground of the target area they see (blue) and the dead ground they leave "
                                f"(vermillion, {s['dead_ground_km2']:.2f} km²); right, the coverage for 1..k "
                                f"posts.{note}", png_bytes(plot_siting(a.siting, dem=a.dem).figure, a)))
    if a.panorama is not None:
        from ..plot import plot_panorama

        say("figure: panorama")
        who = a.panorama.attrs["observer_name"] or a.observers[0].label()
        out.append(ReportFigure("panorama", "panorama.png", "panorama", f"Panorama from {who}",
                                f"The horizon from {who} looking towards {target} (azimuth across, elevation angle "
                                f"up, vertically exaggerated): ridges from the nearest (dark) to the farthest (pale), "
                                f"the places and summits seen marked with their distance.{note}",
                                png_bytes(plot_panorama(a.panorama).figure, a)))
    if a.route is not None:
        say("figure: covered approach")
        r = a.route
        out.append(ReportFigure(
            "route", "route.png", "route", f"Covered approach, {r.start.label()} to {r.end.label()}",
            f"The least-exposed route (green; vermillion where an observer sees it) and the shortest path (dashed) "
            f"over the ground the observers see (blue) and their dead ground (plain hillshade); underneath, the "
            f"ground along the route.{note}", png_bytes(_route_figure(a), a)))
    if a.buildings is not None:
        say("figure: what buildings hide")
        from ..plot import plot_obstacle_cover

        out.append(ReportFigure(
            "buildings", "buildings.png", "buildings", f"What buildings hide of {target}",
            f"The target area's streets and open ground (blue where an observer sees them, vermillion where "
            f"buildings or the terrain hide them) and its rooftops (sky blue seen, orange hidden), with the "
            f"obstacles blocking every sight line. {a.buildings.attrs.get('obstacles_source', '')}.{note}",
            png_bytes(plot_obstacle_cover(a.buildings, dem=a.dem).figure, a)))
    return out


def _route_figure(a: ReportAnalysis):
    from ..plot import plot_route

    return plot_route(a.route).figure


def _coverage_figure(a: ReportAnalysis, crs):
    from ..plot import plot_cumulative

    ax = plot_cumulative(a.coverage, dem=a.dem)
    draw_target_area(ax, crs, a)
    return ax.figure


def _key_terrain_figure(a: ReportAnalysis):
    from ..plot import plot_overlook

    return plot_overlook(a.key_terrain).figure

