"""Terrain profile along a sight line."""

from __future__ import annotations

import numpy as np

from .style import OKABE_ITO


def plot_profile(los, ax=None, title: str | None = None, source: str | None = None):
    """Draw the terrain profile of a :class:`terrain.los.LineOfSight`.

    Shows the terrain, the terrain lowered by curvature and refraction (what the
    sight line actually meets), the sight line from the observer's eye to the
    target, the first obstruction and the clearance or the missing height.
    When the line of sight was computed for a radio frequency, the first
    Fresnel zone is shaded around the sight line, with its 60 % limit below it
    and the point of least clearance marked. Distances in km, heights in
    metres above sea level.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 4.2), dpi=150)
    km = los.profile_distance_m / 1000.0
    ax.fill_between(km, np.nanmin(los.profile_terrain_curved_m) - 20, los.profile_terrain_curved_m,
                    color="#d9cbb3", zorder=1, label="terrain (curvature-adjusted)")
    ax.plot(km, los.profile_terrain_m, color="#7f6a4f", lw=0.8, ls="--", zorder=2,
            label="terrain (flat earth)")
    colour = OKABE_ITO["green"] if los.visible else OKABE_ITO["vermillion"]
    ax.plot(km, los.profile_sight_line_m, color=colour, lw=1.6, zorder=3,
            label="sight line (clear)" if los.visible else "sight line (blocked)")
    if los.frequency_mhz is not None:
        r1 = los.fresnel_radius_m
        sight = los.profile_sight_line_m
        ax.fill_between(km, sight - r1, sight + r1, color=OKABE_ITO["sky"], alpha=0.30, lw=0, zorder=2.5,
                        label=f"first Fresnel zone, {los.frequency_mhz:g} MHz (radius up to "
                              f"{los.fresnel_radius_max_m:.1f} m)")
        ax.plot(km, sight - 0.6 * r1, color=OKABE_ITO["blue"], lw=0.9, ls=":", zorder=2.6,
                label="60 % of the first zone")
        if los.fresnel_worst_distance_m is not None:
            j = int(np.argmin(np.abs(los.profile_distance_m - los.fresnel_worst_distance_m)))
            ax.plot([km[j]], [los.profile_terrain_curved_m[j]], marker="v", ms=7, color=OKABE_ITO["blue"],
                    zorder=6, ls="none", label=f"least Fresnel clearance: "
                                               f"{100 * los.fresnel_clearance_ratio_min:.0f} % of the zone")
    ax.plot([km[0]], [los.observer_eye_m], marker="^", ms=9, color=OKABE_ITO["blue"], zorder=5,
            ls="none", label=f"observer: {los.observer.label()}")
    target_curved = los.profile_sight_line_m[-1]
    ax.plot([km[-1]], [target_curved], marker="o", ms=8, color=OKABE_ITO["orange"], zorder=5,
            ls="none", label=f"target: {los.target.label()}")
    if los.obstruction is not None:
        o = los.obstruction
        i = int(np.argmin(np.abs(los.profile_distance_m - o.distance_m)))
        ax.plot([km[i]], [los.profile_terrain_curved_m[i]], marker="X", ms=10, color=OKABE_ITO["black"],
                zorder=6, ls="none", label=f"first obstruction, {o.distance_m / 1000:.2f} km")
        if los.extra_target_height_m > 0:
            ax.annotate("", xy=(km[-1], target_curved + los.extra_target_height_m), xytext=(km[-1], target_curved),
                        arrowprops=dict(arrowstyle="->", color=OKABE_ITO["vermillion"], lw=1.4), zorder=6)
            ax.text(km[-1], target_curved + los.extra_target_height_m, f"  +{los.extra_target_height_m:.0f} m needed",
                    color=OKABE_ITO["vermillion"], va="bottom", ha="right", fontsize=8)
    verdict = "VISIBLE" if los.visible else "HIDDEN"
    detail = (f"min clearance {los.min_clearance_m:.1f} m (end cells excluded)" if los.visible
              else f"target needs +{los.extra_target_height_m:.1f} m")
    if los.frequency_mhz is not None:
        detail += (f"; first Fresnel zone at {los.frequency_mhz:g} MHz {los.fresnel_verdict} "
                   f"(least {100 * los.fresnel_clearance_ratio_min:.0f} %)")
    ax.set_title(title or f"{los.observer.label()} → {los.target.label()}: {verdict}\n"
                 f"{los.distance_m / 1000:.2f} km, {detail}", fontsize=10)
    ax.set_xlabel("distance from observer (km)")
    ax.set_ylabel("height above sea level (m)")
    ax.set_xlim(km[0], km[-1])
    ax.grid(True, color="#dddddd", lw=0.5)
    ax.legend(fontsize=7, loc="best", framealpha=0.9)
    note = source or ""
    p = los.parameters
    curv = (f"curvature on, k = {p.get('refraction')}" if p.get("curvature") else "curvature off")
    from .basemap import add_footnote

    text = add_footnote(ax.figure, f"{note}   ({curv})".strip(), fontsize=6.5)
    lines = text.get_text().count("\n") + 1
    marked = any(t.get_gid() == "synthetic-title" for t in ax.figure.texts)
    ax.figure.tight_layout(rect=(0, 0.03 * lines, 1, 0.97 if marked else 1))
    return ax
