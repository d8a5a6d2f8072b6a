"""The panorama picture: the horizon around an observer, ridges layered from near (dark) to far (pale)."""

from __future__ import annotations

import math

import numpy as np

from .basemap import add_footnote
from .style import OKABE_ITO, SYNTHETIC_NOTE, source_note

#: Colour of the nearest ridges and of the farthest (atmospheric perspective: far ground is paler).
NEAR_COLOUR = "#1d2b36"
FAR_COLOUR = "#d3dde5"
SKY_COLOUR = "#f4f8fb"
#: Colour of the markers and labels of visible landmarks.
LABEL_COLOUR = OKABE_ITO["vermillion"]
COMPASS = ("N", "NE", "E", "SE", "S", "SW", "W", "NW")


def band_colours(n: int) -> list[str]:
    """``n`` colours from :data:`NEAR_COLOUR` (band 0, nearest) to :data:`FAR_COLOUR` (farthest)."""
    from matplotlib.colors import to_hex, to_rgb

    a, b = np.array(to_rgb(NEAR_COLOUR)), np.array(to_rgb(FAR_COLOUR))
    t = np.linspace(0.0, 1.0, max(n, 1)) ** 0.8
    return [to_hex(a + (b - a) * v) for v in t]


def unwrap_azimuth(az, start: float):
    """Azimuths (degrees) as positions on the picture's axis: ``start`` to ``start + 360``."""
    return start + (np.asarray(az, dtype=np.float64) - start) % 360.0


def azimuth_label(deg: float) -> str:
    """A tick label: the compass point on 45° multiples above the degrees (``"S\\n180°"``), else degrees."""
    d = deg % 360.0
    k = d / 45.0
    if abs(k - round(k)) < 1e-9:
        return f"{COMPASS[int(round(k)) % 8]}\n{d:.0f}°"
    return f"{d:.0f}°"


def _deg(value: float) -> str:
    """An azimuth for a title: whole degrees when it is one, else one decimal."""
    return f"{value:.0f}°" if abs(value - round(value)) < 0.05 else f"{value:.1f}°"


def _km(d_m: float) -> str:
    return f"{d_m / 1000:.1f} km" if d_m < 10_000 else f"{d_m / 1000:.0f} km"


def _band_label(a_m: float, b_m: float) -> str:
    return f"{a_m / 1000:g}–{b_m / 1000:.3g} km"


def plot_panorama(hz, ax=None, title: str | None = None, source: str | None = None, hidden_note: bool = True):
    """Draw the panorama of a :func:`terrain.horizon` result.

    Azimuth runs across (N/E/S/W and degrees clockwise from north), elevation angle up (degrees above the
    observer's horizontal, with the vertical exaggeration stated on the axis). Each distance band's
    skyline is filled from the farthest band (pale) to the nearest (dark), so nearer ridges cover farther
    ones as they do in the view; the horizon is outlined, dotted where it is the DEM's edge or the radius
    (the true horizon may lie beyond). Landmarks the observer sees (gazetteer places, prominent summits)
    are marked where they appear, labelled with their distance; hidden ones are listed under the picture.
    A SYNTHETIC DEM is said so in the title area.

    Parameters
    ----------
    hz : xarray.Dataset
        From :func:`terrain.horizon`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; by default a new figure, wider for wider sectors.
    title : str, optional
        Replaces the default title.
    source : str, optional
        Data footnote; default from the result's ``source`` attribute.
    hidden_note : bool
        List the landmarks the observer does not see under the picture.

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    a = hz.attrs
    full = bool(a.get("full_circle", 1))
    start = 0.0 if full else float(a.get("azimuth_start_deg", float(hz.azimuth.values[0])))
    x = unwrap_azimuth(hz.azimuth.values, start)
    order = np.argsort(x, kind="stable")
    x = x[order]
    sky = np.asarray(hz.skyline_deg.values, dtype=np.float64)[order]
    angle = np.asarray(hz.elevation_angle_deg.values, dtype=np.float64)[order]
    at_limit = np.asarray(hz.at_limit.values, dtype=bool)[order]
    if full and x.size:  # close the circle: the first azimuth again at start + 360
        x = np.append(x, x[0] + 360.0)
        sky = np.vstack([sky, sky[:1]])
        angle = np.append(angle, angle[0])
        at_limit = np.append(at_limit, at_limit[0])
    span = 360.0 if full else max(float(x[-1] - x[0]), 1.0)
    x_lo, x_hi = (x[0], x[0] + 360.0) if full else (x[0], x[-1])

    lm = _landmarks(hz, start)
    visible = [m for m in lm if m["visible"] and x_lo <= m["x"] <= x_hi]
    hidden = [m for m in lm if not m["visible"] and x_lo <= m["x"] <= x_hi]

    finite = angle[np.isfinite(angle)]
    if finite.size == 0:
        top, bottom = 1.0, -1.0
    else:
        h_lo, h_hi = float(finite.min()), float(finite.max())
        rng = max(h_hi - h_lo, 0.2)
        low = h_lo - 1.2 * rng
        if visible:  # keep the visible landmarks in the picture, without flattening the skyline to nothing
            low = min(low, max(min(m["angle"] for m in visible), h_lo - 4.0 * rng))
        bottom = low - 0.05 * rng
        top = h_hi + 0.55 * rng + (0.25 * rng * min(len(visible), 4) / 4.0)

    if ax is None:
        width = float(np.clip(4.0 + span / 26.0, 8.0, 17.0))
        fig, ax = plt.subplots(figsize=(width, 4.8), dpi=150)
        fig.subplots_adjust(left=0.075 * 12 / width, right=0.985, top=0.84, bottom=0.31)
    fig = ax.figure
    ax.set_facecolor(SKY_COLOUR)

    starts = hz.band_start_m.values
    ends = hz.band_end_m.values
    colours = band_colours(len(starts))
    floor = bottom - 1.0
    for b in range(len(starts) - 1, -1, -1):
        y = sky[:, b]
        ok = np.isfinite(y)
        if not ok.any():
            continue
        ax.fill_between(x, floor, np.where(ok, y, floor), where=ok, color=colours[b], lw=0, zorder=2 + 0.01 * (len(starts) - b),
                        step=None, interpolate=False)
        ax.plot(x, np.where(ok, y, np.nan), color=colours[max(b - 1, 0)], lw=0.35, zorder=2.005 + 0.01 * (len(starts) - b))
    line = np.where(at_limit, np.nan, angle)
    ax.plot(x, line, color="#000000", lw=0.8, zorder=4, label="horizon")
    if at_limit.any():
        edge = np.where(at_limit, angle, np.nan)
        ax.plot(x, edge, color="#000000", lw=1.0, ls=(0, (1, 1.5)), zorder=4,
                label="horizon at the DEM's edge or the radius (the true one may be farther)")
    if bottom < 0.0 < top - 0.04 * (top - bottom):
        ax.axhline(0.0, color="#555555", lw=0.6, ls="--", zorder=3.5)
        ax.text(x_lo + 0.004 * span, 0.0, "eye level", fontsize=6.5, color="#555555", va="bottom", zorder=3.5)

    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(bottom, top)
    _label_landmarks(ax, visible, top, bottom, x_lo, x_hi)
    step_major = 45.0 if span > 120 else (15.0 if span > 40 else 5.0)
    first = math.ceil(x_lo / step_major) * step_major
    ticks = np.arange(first, x_hi + 1e-9, step_major)
    ax.set_xticks(ticks)
    ax.set_xticklabels([azimuth_label(t) for t in ticks], fontsize=8)
    minor = step_major / (3.0 if step_major == 45.0 else 5.0)
    ax.set_xticks(np.arange(math.ceil(x_lo / minor) * minor, x_hi + 1e-9, minor), minor=True)
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("azimuth, degrees clockwise from north", fontsize=8.5)
    ax.grid(True, axis="x", color="#ffffff", lw=0.4, alpha=0.5, zorder=5)

    fig.canvas.draw()
    pos = ax.get_position()
    w_in, h_in = pos.width * fig.get_figwidth(), pos.height * fig.get_figheight()
    exaggeration = ((x_hi - x_lo) / w_in) / ((top - bottom) / h_in)
    ax.set_ylabel(f"elevation angle (°)\nvertical scale ×{exaggeration:.0f}" if exaggeration >= 1.5
                  else "elevation angle (°)", fontsize=8.5)

    who = a.get("observer_name") or f"{a['observer_lat']:.4f}, {a['observer_lon']:.4f}"
    eye, ground = a.get("observer_eye_m"), a.get("observer_ground_m")
    looking = "all round" if full else f"looking {_deg(a['azimuth_start_deg'])}–{_deg(a['azimuth_end_deg'])}"
    reach = a.get("max_distance_m")
    reach_text = (f"out to {reach / 1000:g} km" if reach is not None and math.isfinite(reach)
                  else "out to the DEM's edge")
    ax.set_title(title or f"Panorama from {who}, {looking}\neye {eye:.0f} m a.s.l. ({eye - ground:.0f} m above the "
                 f"ground), {reach_text}", fontsize=10, loc="left")
    if a.get("synthetic"):
        ax.text(1.0, 1.02, SYNTHETIC_NOTE, transform=ax.transAxes, ha="right", va="bottom", fontsize=9,
                color="#a00000", fontweight="bold", gid="synthetic-title")

    from matplotlib.lines import Line2D

    handles = [Patch(color=colours[b], label=_band_label(starts[b], ends[b])) for b in range(len(starts))]
    handles.append(Line2D([], [], color="#000000", lw=0.8, label="horizon"))
    if at_limit.any():
        handles.append(Line2D([], [], color="#000000", lw=1.0, ls=(0, (1, 1.5)),
                              label="horizon at the DEM's edge\nor the radius: may be farther"))
    if visible:
        handles.append(Line2D([], [], color=LABEL_COLOUR, marker="^", ls="none", ms=5, label="summit seen (height)"))
        handles.append(Line2D([], [], color=LABEL_COLOUR, marker="o", ls="none", ms=4.5, label="place seen"))
    ax.legend(handles=handles, title="distance of the ridges", title_fontsize=7, fontsize=6.5,
              ncol=int(math.ceil(len(handles) / 2)), loc="upper center", bbox_to_anchor=(0.5, -0.23), frameon=False,
              handlelength=1.4, columnspacing=0.9)
    curv = f"curvature on, k = {a.get('refraction')}" if a.get("curvature") else "curvature off"
    note = source if source is not None else source_note(a)
    extra = ""
    if hidden_note and hidden:
        names = ", ".join(f"{m['name']} ({_km(m['distance'])})" for m in hidden[:8])
        more = f" and {len(hidden) - 8} more" if len(hidden) > 8 else ""
        extra = f"   Hidden from the observer: {names}{more}."
    add_footnote(fig, f"{note}   ({curv}; step {a.get('azimuth_step_deg'):g}°){extra}".strip(), fontsize=6.5)
    return ax


def _landmarks(hz, start: float) -> list[dict]:
    if "landmark_name" not in hz:
        return []
    out = []
    for i in range(hz.sizes.get("landmark", 0)):
        out.append({"name": str(hz.landmark_name.values[i]), "kind": str(hz.landmark_kind.values[i]),
                    "x": float(unwrap_azimuth(hz.landmark_azimuth_deg.values[i], start)),
                    "angle": float(hz.landmark_elevation_angle_deg.values[i]),
                    "distance": float(hz.landmark_distance_m.values[i]),
                    "visible": bool(hz.landmark_visible.values[i]),
                    "prominence": float(np.nan_to_num(hz.landmark_prominence_m.values[i]))})
    return out


def _label_landmarks(ax, marks: list[dict], top: float, bottom: float, x_lo: float, x_hi: float) -> None:
    """Mark each visible landmark where it appears and label it in the sky above the skyline.

    Labels go on up to four staggered rows and never overlap: places first, then named summits, then
    unnamed ones by prominence; a summit label that finds no room is left out (its marker stays). A
    landmark seen below the picture's lower edge is labelled at that edge with its angle.
    """
    if not marks:
        return
    fig = ax.figure
    pos = ax.get_position()
    deg_per_pt = (x_hi - x_lo) / (pos.width * fig.get_figwidth() * 72.0)
    fontsize = 6.8
    rows_y = [top - (top - bottom) * (0.045 + 0.08 * k) for k in range(4)]
    taken: list[list[tuple[float, float]]] = [[] for _ in rows_y]

    def rank(m):
        return (0 if m["kind"] != "summit" else (1 if not m["name"].endswith(" m") else 2), -m["prominence"])

    for m in sorted(marks, key=rank):
        place = m["kind"] != "summit"
        below = m["angle"] < bottom
        y_mark = bottom if below else m["angle"]
        text = f"{m['name']}  {_km(m['distance'])}" + (f"  ({m['angle']:.1f}° ↓)" if below else "")
        half = 0.5 * (len(text) * 0.56 * fontsize + 6.0) * deg_per_pt
        lo_x = min(max(m["x"], x_lo + half), x_hi - half)
        unnamed = not place and m["name"].endswith(" m")
        usable = range(2) if unnamed else range(len(rows_y))  # unnamed summits only where the sky is clear
        free = [k for k in usable if all(lo_x + half < a or lo_x - half > b for a, b in taken[k])]
        ax.plot([m["x"]], [y_mark], marker=("v" if below else ("o" if place else "^")), ms=4.5 if place else 5,
                color=LABEL_COLOUR, mec="white", mew=0.6, zorder=7, ls="none", clip_on=False)
        if not free:
            if not place:
                continue
            free = [len(rows_y) - 1]
        k = free[0]
        taken[k].append((lo_x - half, lo_x + half))
        y_text = rows_y[k]
        ax.plot([m["x"], m["x"]], [y_mark, y_text], color=LABEL_COLOUR, lw=0.5, alpha=0.8, zorder=6)
        ax.text(lo_x, y_text, text, fontsize=fontsize, ha="center", va="bottom", color="#111111", zorder=8,
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.85))
