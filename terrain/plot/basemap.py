"""Map furniture shared by the map figures: hillshade, degree-minute ticks, scale bar,
north arrow, range rings, named places with non-overlapping labels and the source footnote.

Maps are drawn in the grid's own coordinates: degrees for geographic grids (EPSG:4326,
as SRTM ships), with the axes' aspect set so that a kilometre east-west is as long as a
kilometre north-south; the grid's linear unit for projected grids (aspect equal).
"""

from __future__ import annotations

import math

import numpy as np
from pyproj import CRS, Geod, Transformer
import rioxarray  # noqa: F401  (registers the .rio accessor)

from . import style  # noqa: F401  (selects the Agg backend before pyplot is imported)
from ..dem import dem_crs, dem_transform
from ..grid import row_geometry, row_heights_m

_GEOD = Geod(ellps="WGS84")
_WGS84 = CRS.from_epsg(4326)

#: Halo drawn behind text on the map so that it reads on any background.
HALO = dict(linewidth=2.2, foreground="white")

#: Directions (offset in units of the label's gap) and alignments tried, in order, for a label
#: around its point: the four diagonals, then right, left, above, below.
LABEL_OFFSETS = (
    (0.9, 0.6, "left", "bottom"), (0.9, -0.6, "left", "top"), (-0.9, 0.6, "right", "bottom"),
    (-0.9, -0.6, "right", "top"), (1.1, 0.0, "left", "center"), (-1.1, 0.0, "right", "center"),
    (0.0, 1.1, "center", "bottom"), (0.0, -1.1, "center", "top"),
)


# --------------------------------------------------------------------------- coordinates

def is_geographic(crs) -> bool:
    """Whether a CRS (pyproj, rasterio or None) is geographic (degrees)."""
    if crs is None:
        return False
    return CRS.from_user_input(crs).is_geographic


def latlon_to_map(crs, lat, lon):
    """Map coordinates ``(x, y)`` in ``crs`` of WGS84 points (degrees); arrays or scalars."""
    lat = np.asarray(lat, dtype=np.float64)
    lon = np.asarray(lon, dtype=np.float64)
    if crs is None:
        return np.full_like(lon, np.nan), np.full_like(lat, np.nan)
    crs = CRS.from_user_input(crs)
    if crs.equals(_WGS84, ignore_axis_order=True):
        return lon, lat
    x, y = Transformer.from_crs(_WGS84, crs, always_xy=True).transform(lon, lat)
    return np.asarray(x), np.asarray(y)


def map_to_latlon(crs, x, y):
    """WGS84 ``(lat, lon)`` of map coordinates in ``crs``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    crs = CRS.from_user_input(crs)
    if crs.equals(_WGS84, ignore_axis_order=True):
        return y, x
    lon, lat = Transformer.from_crs(crs, _WGS84, always_xy=True).transform(x, y)
    return np.asarray(lat), np.asarray(lon)


def map_extent(da) -> tuple[float, float, float, float]:
    """``(left, right, bottom, top)`` of a gridded DataArray/Dataset, cell edges, for ``imshow``."""
    t = dem_transform(da)
    rows, cols = da.sizes["y"], da.sizes["x"]
    x0, x1 = t.c, t.c + t.a * cols
    y0, y1 = t.f, t.f + t.e * rows
    return min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)


def map_aspect(da) -> float:
    """Axes aspect (y units per x unit on screen) making a km a km: ``1/cos(mean lat)`` in degrees, else 1."""
    crs = dem_crs(da)
    if not is_geographic(crs):
        return 1.0
    left, right, bottom, top = map_extent(da)
    return 1.0 / math.cos(math.radians(0.5 * (bottom + top)))


def _unit_m(crs) -> float:
    """Metres per unit of a projected CRS's first axis (1 without a CRS)."""
    if crs is None:
        return 1.0
    crs = CRS.from_user_input(crs)
    axis = crs.axis_info[0] if crs.axis_info else None
    return float(axis.unit_conversion_factor) if axis is not None and axis.unit_conversion_factor else 1.0


# --------------------------------------------------------------------------- hillshade

def hillshade(dem, azimuth_deg: float = 315.0, altitude_deg: float = 45.0, vert_exag: float = 1.0) -> np.ndarray:
    """Illumination of a DEM, 0 (dark) to 1 (lit; flat ground is ``sin(altitude)``), NaN on voids, with metric slopes.

    Slopes are taken in metres per metre: on geographic grids the east-west cell width
    is measured on the ellipsoid row by row (it shrinks with latitude), so hills are not
    stretched or flattened as they would be by shading a lat/lon grid with ``dx = dy``.
    The light comes from ``azimuth_deg`` (clockwise from north; 315 = north-west, the
    cartographic convention) at ``altitude_deg`` above the horizon, via
    :class:`matplotlib.colors.LightSource`.
    """
    from matplotlib.colors import LightSource

    z = np.asarray(dem.values if hasattr(dem, "values") else dem, dtype=np.float64)
    void = ~np.isfinite(z)
    if void.all():
        return np.full(z.shape, np.nan)
    if void.any():
        z = np.where(void, np.nanmean(z), z)
    if hasattr(dem, "rio") and z.shape[0] > 1:
        y_m, dx_m = row_geometry(dem_transform(dem), z.shape, dem_crs(dem))
        dy_m = row_heights_m(y_m)
    else:
        dy_m = np.ones(z.shape[0])
        dx_m = np.ones(z.shape[0])
    # the same normals LightSource.hillshade builds, with a per-row east-west spacing
    ez = vert_exag * z
    d_row = np.gradient(ez, axis=0) / -dy_m[:, None] if z.shape[0] > 1 else np.zeros_like(z)
    d_col = np.gradient(ez, axis=1) / dx_m[:, None] if z.shape[1] > 1 else np.zeros_like(z)
    normal = np.empty(z.shape + (3,))
    normal[..., 0] = -d_col
    normal[..., 1] = -d_row
    normal[..., 2] = 1.0
    normal /= np.sqrt((normal ** 2).sum(axis=-1))[..., None]
    # Lambertian illumination clipped at 0 (GDAL's hillshade model: flat ground = sin(altitude)), not
    # LightSource.shade_normals, whose min-max stretch would make the shade depend on the whole scene
    direction = LightSource(azdeg=azimuth_deg, altdeg=altitude_deg).direction
    shade = np.clip(normal @ direction, 0.0, 1.0)
    shade[void] = np.nan
    return shade


def draw_hillshade(ax, dem, vmin_grey: float = 0.38, **kwargs):
    """Draw a grey hillshade of ``dem`` on ``ax`` (lightened so overlays stay readable); returns the image."""
    import matplotlib.colors as mcolors

    shade = hillshade(dem, **kwargs)
    grey = vmin_grey + (1.0 - vmin_grey) * shade
    cmap = mcolors.LinearSegmentedColormap.from_list("shade", ["#000000", "#ffffff"]).with_extremes(bad="#ffffff")
    return ax.imshow(np.ma.masked_invalid(grey), extent=map_extent(dem), origin="upper", cmap=cmap,
                     vmin=0.0, vmax=1.0, interpolation="bilinear", zorder=0, resample=True)


def dem_under(dem, grid):
    """The part of ``dem`` under ``grid``'s extent (a result on the DEM's grid, or a coarser one such as a
    strided visibility index), with its transform."""
    left, right, bottom, top = map_extent(grid)
    t = dem_transform(dem)
    ca, ra = ~t @ (left, top)
    cb, rb = ~t @ (right, bottom)
    c0, c1 = max(int(math.floor(min(ca, cb) + 1e-6)), 0), min(int(math.ceil(max(ca, cb) - 1e-6)), dem.sizes["x"])
    r0, r1 = max(int(math.floor(min(ra, rb) + 1e-6)), 0), min(int(math.ceil(max(ra, rb) - 1e-6)), dem.sizes["y"])
    if c1 <= c0 or r1 <= r0:
        raise ValueError("the DEM given for the map's background does not cover the result's grid; pass the DEM "
                         "the result was computed on")
    crop = dem.isel(y=slice(r0, r1), x=slice(c0, c1))
    return crop.rio.write_transform(t @ t.translation(c0, r0), inplace=True)


#: A map draws at most this many cells along its longer side (an 8-inch figure at 150 dpi is 1200 pixels):
#: larger rasters are thinned for display, so a 10000^2 result plots in the memory of a 2000^2 one.
MAX_DISPLAY_CELLS = 2000


def display_grid(da, max_cells: int = MAX_DISPLAY_CELLS):
    """``da`` (DataArray or Dataset on a DEM grid) thinned to at most ``max_cells`` cells a side for drawing,
    with its transform rewritten to match; ``da`` itself when it is small enough. Nearest-cell sampling:
    for the picture only, never for values (a place's verdict is read on the full grid)."""
    from ..grid import thinned_transform

    step = max(1, math.ceil(max(da.sizes["y"], da.sizes["x"]) / max_cells))
    if step == 1:
        return da
    thin = da.isel(y=slice(None, None, step), x=slice(None, None, step))
    return thin.rio.write_transform(thinned_transform(dem_transform(da), step))


def draw_background(ax, dem, grid):
    """A hillshade of the part of ``dem`` under ``grid``; light grey when there is no DEM."""
    if dem is None:
        ax.set_facecolor("#e6e6e6")
        return None
    return draw_hillshade(ax, display_grid(dem_under(dem, grid)))


# --------------------------------------------------------------------------- ticks

def format_dm(value: float, axis: str = "lat") -> str:
    """Format degrees as degrees-minutes, e.g. ``35°12'N`` or ``71°05'W``; seconds only when not whole minutes.

    ``axis`` is ``"lat"`` (N/S) or ``"lon"`` (E/W). Zero gets no hemisphere letter.
    """
    total_s = int(round(abs(float(value)) * 3600.0))
    d, rem = divmod(total_s, 3600)
    m, s = divmod(rem, 60)
    if total_s == 0:
        hemi = ""
    elif axis == "lat":
        hemi = "N" if value > 0 else "S"
    else:
        hemi = "E" if value > 0 else "W"
    if s:
        return f"{d}°{m:02d}'{s:02d}\"{hemi}"
    return f"{d}°{m:02d}'{hemi}"


#: Tick spacings tried for degree axes, in degrees (seconds to degrees).
_DM_STEPS = tuple(s / 3600 for s in (1, 2, 5, 10, 15, 30)) + tuple(m / 60 for m in (1, 2, 5, 10, 15, 20, 30)) \
    + (1.0, 2.0, 5.0, 10.0, 15.0, 30.0)


def dm_step(span_deg: float, max_ticks: int = 6) -> float:
    """The smallest "round" degree-minute spacing giving at most ``max_ticks`` ticks over ``span_deg``."""
    for step in _DM_STEPS:
        if span_deg / step <= max_ticks:
            return step
    return _DM_STEPS[-1]


def dm_ticks(vmin: float, vmax: float, max_ticks: int = 6) -> np.ndarray:
    """Tick positions (degrees) on round minutes (or seconds/degrees) between ``vmin`` and ``vmax``."""
    lo, hi = min(vmin, vmax), max(vmin, vmax)
    step = dm_step(hi - lo, max_ticks)
    first = math.ceil(lo / step - 1e-9)
    last = math.floor(hi / step + 1e-9)
    return np.round(np.arange(first, last + 1) * step * 3600.0) / 3600.0


def set_degree_ticks(ax, max_ticks: int = 5) -> None:
    """Degree-minute ticks (``35°12'N``, ``36°45'E``) on a map drawn in lon/lat degrees."""
    from matplotlib.ticker import FixedLocator, FuncFormatter

    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    ax.xaxis.set_major_locator(FixedLocator(dm_ticks(x0, x1, max_ticks)))
    ax.yaxis.set_major_locator(FixedLocator(dm_ticks(y0, y1, max_ticks)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_dm(v, "lon")))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: format_dm(v, "lat")))
    ax.tick_params(labelsize=8)


def set_km_ticks(ax, crs) -> None:
    """Easting/northing ticks in km on a map drawn in a projected CRS (or plain grid units without one)."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    unit = _unit_m(crs)
    fmt = FuncFormatter(lambda v, _: f"{v * unit / 1000:g}")
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(MaxNLocator(5))
        axis.set_major_formatter(fmt)
    label = "km" if crs is not None or unit == 1.0 else "grid units"
    ax.set_xlabel(f"easting ({label})", fontsize=8)
    ax.set_ylabel(f"northing ({label})", fontsize=8)
    ax.tick_params(labelsize=8)


# --------------------------------------------------------------------------- distances

def nice_length_km(target_km: float) -> float:
    """The largest 1-2-5 x 10^k length (km) not above ``target_km``."""
    if not target_km > 0:
        return 1.0
    k = math.floor(math.log10(target_km))
    for m in (5, 2, 1):
        if m * 10 ** k <= target_km:
            return float(m * 10 ** k)
    return float(10 ** k)


def ring_radii_km(max_km: float, max_rings: int = 4) -> list[float]:
    """Range-ring radii (km): round steps up to ``max_km``, at most ``max_rings`` of them, the last at ``max_km``."""
    if not max_km > 0:
        return []
    for step in (0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if max_km / step <= max_rings + 1e-9:
            break
    radii = [round(step * i, 6) for i in range(1, int(max_km / step + 1e-9) + 1)]
    if not radii or abs(radii[-1] - max_km) > 1e-6 * max_km:
        if radii and max_km - radii[-1] < 0.35 * step:
            radii[-1] = max_km  # a ring just inside the edge would crowd it
        else:
            radii.append(max_km)
    return [float(r) for r in radii]


def format_km(km: float) -> str:
    """``5 km``, ``2.5 km``, ``500 m``."""
    if km < 1:
        return f"{km * 1000:.0f} m"
    return f"{km:g} km"


def circle_map_xy(crs, lat: float, lon: float, radius_m: float, n: int = 361):
    """A geodesic circle of ``radius_m`` around (lat, lon), as map coordinates in ``crs``."""
    az = np.linspace(0.0, 360.0, n)
    lons, lats, _ = _GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, float(radius_m)))
    return latlon_to_map(crs, lats, lons)


# --------------------------------------------------------------------------- furniture

def add_range_rings(ax, crs, lat: float, lon: float, radii_km, label_bearing_deg: float = 160.0,
                    color: str = "#222222", centre_xy=None):
    """Draw geodesic range rings around an observer, labelled in km; returns the label texts.

    On a grid without a CRS, ``centre_xy`` (map units, metres) places plain circles.
    """
    import matplotlib.patheffects as pe

    texts = []
    radii_km = list(radii_km)
    for i, r_km in enumerate(radii_km):
        outer = i == len(radii_km) - 1
        if crs is not None:
            xs, ys = circle_map_xy(crs, lat, lon, r_km * 1000.0)
            lx, ly, _ = _GEOD.fwd(lon, lat, label_bearing_deg, r_km * 1000.0)
            tx, ty = latlon_to_map(crs, ly, lx)
        elif centre_xy is not None:
            t = np.radians(np.linspace(0, 360, 361))
            r = r_km * 1000.0
            xs, ys = centre_xy[0] + r * np.sin(t), centre_xy[1] + r * np.cos(t)
            b = math.radians(label_bearing_deg)
            tx, ty = centre_xy[0] + r * math.sin(b), centre_xy[1] + r * math.cos(b)
        else:
            continue
        ax.plot(xs, ys, color=color, lw=1.1 if outer else 0.7, ls="-" if outer else (0, (4, 3)),
                alpha=0.85, zorder=4, gid="range-ring")
        t = ax.text(float(tx), float(ty), format_km(r_km), fontsize=7.5, color=color, ha="center",
                    va="center", zorder=7, gid="ring-label",
                    path_effects=[pe.withStroke(**HALO)])
        texts.append(t)
    return texts


def add_scale_bar(ax, crs, loc: str = "lower left", fraction: float = 0.25):
    """A km scale bar (alternating black/white blocks) about ``fraction`` of the map width; returns its artists.

    On geographic maps the bar's length in degrees is measured along the parallel it is drawn on.
    """
    from matplotlib.patches import Rectangle

    x0, x1 = sorted(ax.get_xlim())
    y0, y1 = sorted(ax.get_ylim())
    w, h = x1 - x0, y1 - y0
    bx = x0 + 0.04 * w
    by = y0 + 0.05 * h
    if loc == "lower right":
        bx = x1 - 0.04 * w
    if is_geographic(crs):
        lat, _ = map_to_latlon(crs, bx, by)
        width_km = _GEOD.inv(x0, float(lat), x1, float(lat))[2] / 1000.0 if crs is not None else w / 1000.0
        km_per_unit = width_km / w
    else:
        km_per_unit = _unit_m(crs) / 1000.0
    length_km = nice_length_km(fraction * w * km_per_unit)
    length = length_km / km_per_unit
    if loc == "lower right":
        bx -= length
    lead = round(length_km / 10 ** math.floor(math.log10(length_km)))
    n = {1: 2, 2: 4, 5: 5}.get(lead, 2)
    bar_h = 0.012 * h
    artists = []
    # a white backing so the bar reads over hillshade and overlays
    back = Rectangle((bx - 0.02 * w, by - 0.02 * h), length + 0.07 * w, bar_h + 0.055 * h,
                     facecolor="white", edgecolor="none", alpha=0.8, zorder=8, gid="scale-bar")
    ax.add_patch(back)
    artists.append(back)
    for i in range(n):
        r = Rectangle((bx + i * length / n, by), length / n, bar_h, facecolor="black" if i % 2 == 0 else "white",
                      edgecolor="black", lw=0.8, zorder=9, gid="scale-bar")
        ax.add_patch(r)
        artists.append(r)
    for v, xv in ((0, bx), (length_km, bx + length)):
        artists.append(ax.text(xv, by + bar_h + 0.006 * h, "0" if v == 0 else format_km(v), ha="center", va="bottom",
                               fontsize=7.5, zorder=9, gid="scale-bar"))
    return artists


def add_north_arrow(ax, xy=(0.94, 0.90), size: float = 0.07):
    """A north arrow with an "N" in axes coordinates (north is up on these maps); returns its artists."""
    x, y = xy
    arrow = ax.annotate("", xy=(x, y), xytext=(x, y - size), xycoords="axes fraction",
                        arrowprops=dict(arrowstyle="-|>,head_width=0.45,head_length=0.9", lw=2.0, color="black",
                                        shrinkA=0, shrinkB=0),
                        zorder=9, gid="north-arrow")
    import matplotlib.patheffects as pe

    n = ax.text(x, y + 0.005, "N", transform=ax.transAxes, ha="center", va="bottom", fontsize=11,
                fontweight="bold", zorder=9, gid="north-arrow", path_effects=[pe.withStroke(**HALO)])
    return [arrow, n]


def add_footnote(fig, text: str, fontsize: float = 7.0):
    """The data-source footnote at the bottom left of the figure; returns the Text.

    A footnote naming synthetic data also puts :func:`mark_synthetic`'s label in the title area, so a
    figure cropped onto a slide still says so."""
    from ..places import position_caveats
    from .style import SYNTHETIC_NOTE

    if SYNTHETIC_NOTE in text:
        mark_synthetic(fig)
    labels = [t.get_text() for t in fig.texts] + [t.get_text() for ax in fig.axes for t in ax.texts]
    labels += [ax.get_title() for ax in fig.axes] + [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    caveats = position_caveats(labels)
    if caveats:  # a place drawn where nobody has verified it says so on the map
        text = f"{text}\n{'; '.join(caveats)}"
    return fig.text(0.01, 0.008, text, fontsize=fontsize, color="#333333", ha="left", va="bottom",
                    gid="source-note", wrap=True)


def mark_synthetic(fig):
    """The SYNTHETIC label at the top left of the figure, once (none when a title already says it)."""
    from .style import SYNTHETIC_NOTE

    if any(t.get_gid() == "synthetic-title" or "SYNTHETIC" in t.get_text() for t in fig.texts):
        return None
    if any("SYNTHETIC" in ax.get_title(loc) for ax in fig.axes for loc in ("left", "center", "right")):
        return None
    return fig.text(0.01, 0.995, SYNTHETIC_NOTE, ha="left", va="top", fontsize=9, color="#a00000",
                    fontweight="bold", gid="synthetic-title")


# --------------------------------------------------------------------------- places

#: Labelling priority of gazetteer kinds (earlier kinds are labelled first when labels compete).
KIND_RANK = {k: i for i, k in enumerate(("city", "town", "summit", "village", "dam"))}


def gazetteer_places(crs, extent) -> list:
    """Named places of the gazetteer inside a map extent ``(left, right, bottom, top)`` in ``crs``.

    Returns ``[(name, lat, lon), ...]``, cities and towns first (:data:`KIND_RANK`); an empty
    list when the grid has no CRS or no gazetteer is available.
    """
    if crs is None:
        return []
    left, right, bottom, top = extent
    if is_geographic(crs):
        west, south, east, north = left, bottom, right, top
    else:
        tr = Transformer.from_crs(crs, _WGS84, always_xy=True)
        west, south, east, north = tr.transform_bounds(left, bottom, right, top, densify_pts=21)
    try:
        from ..places import places_within

        found = places_within((west, south, east, north))
    except (ImportError, FileNotFoundError):  # no gazetteer installed: a map without places
        return []
    out = []
    for p in sorted(found, key=lambda p: KIND_RANK.get(getattr(p, "kind", ""), len(KIND_RANK))):
        name, lat, lon = place_fields(p)
        x, y = latlon_to_map(crs, lat, lon)
        if left <= float(x) <= right and bottom <= float(y) <= top:
            out.append((name, lat, lon))
    return out


def place_fields(p) -> tuple[str, float, float]:
    """``(name, lat, lon)`` of a place given as an object with ``name/lat/lon`` or a ``(name, lat, lon)`` tuple."""
    if isinstance(p, (tuple, list)):
        name, lat, lon = p[0], p[1], p[2]
    else:
        name, lat, lon = p.name, p.lat, p.lon
    return str(name), float(lat), float(lon)


def _renderer(fig):
    get = getattr(fig.canvas, "get_renderer", None)
    if get is not None:
        return get()
    return fig._get_renderer()  # pragma: no cover  (non-Agg canvases)


def _overlaps(bb, others, pad: float = 1.0) -> bool:
    for o in others:
        if bb.x0 - pad < o.x1 and bb.x1 + pad > o.x0 and bb.y0 - pad < o.y1 and bb.y1 + pad > o.y0:
            return True
    return False


def place_labels(ax, items, obstacles=(), fontsize: float = 7.5):
    """Label points without overlaps: a greedy placement trying :data:`LABEL_OFFSETS` around each point.

    ``items`` are dicts with ``text``, ``x``, ``y`` (map coordinates) and optional
    ``color``, ``weight``, ``style``, ``fontsize`` and ``gap`` (points between the point
    and its label, default 5.5); earlier items win. A label is dropped when none of
    its positions fits inside the axes clear of earlier labels and of ``obstacles``
    (artists or display-space bboxes: markers, ring labels, scale bar...). Call this last,
    once the axes' position is final; returns the labels placed.
    """
    import matplotlib.patheffects as pe
    from matplotlib.transforms import Bbox

    fig = ax.figure
    ax.apply_aspect()
    renderer = _renderer(fig)
    frame = ax.get_window_extent(renderer)
    taken = []
    for o in obstacles:
        if isinstance(o, Bbox):
            taken.append(o)
        else:
            try:
                bb = o.get_window_extent(renderer)
            except Exception:  # noqa: BLE001  (artists without an extent)
                continue
            if bb.width > 0 and bb.height > 0:
                taken.append(bb)
    placed = []
    for it in items:
        gap = it.get("gap", 5.5)
        for ux, uy, ha, va in LABEL_OFFSETS:
            t = ax.annotate(it["text"], xy=(it["x"], it["y"]), xytext=(gap * ux, gap * uy), textcoords="offset points",
                            ha=ha, va=va, fontsize=it.get("fontsize", fontsize), color=it.get("color", "black"),
                            fontweight=it.get("weight", "normal"), fontstyle=it.get("style", "normal"),
                            zorder=10, gid="place-label", annotation_clip=False,
                            path_effects=[pe.withStroke(**HALO)])
            bb = t.get_window_extent(renderer)
            inside = bb.x0 >= frame.x0 and bb.x1 <= frame.x1 and bb.y0 >= frame.y0 and bb.y1 <= frame.y1
            if inside and not _overlaps(bb, taken):
                taken.append(bb)
                placed.append(t)
                break
            t.remove()
    return placed


def marker_bboxes(ax, xs, ys, size_pt: float = 7.0):
    """Display-space boxes of point markers (``size_pt`` across) at map coordinates, as obstacles for labels."""
    from matplotlib.transforms import Bbox

    ax.apply_aspect()
    half = size_pt / 72.0 * ax.figure.dpi / 2.0
    out = []
    for x, y in zip(np.atleast_1d(xs), np.atleast_1d(ys)):
        px, py = ax.transData.transform((float(x), float(y)))
        out.append(Bbox.from_extents(px - half, py - half, px + half, py + half))
    return out


# --------------------------------------------------------------------------- base map

def setup_map_axes(ax, da, crs=None):
    """Limits, aspect and ticks of a map of the grid ``da`` (degree-minute ticks on geographic grids)."""
    crs = dem_crs(da) if crs is None else crs
    left, right, bottom, top = map_extent(da)
    ax.set_xlim(left, right)
    ax.set_ylim(bottom, top)
    ax.set_aspect(map_aspect(da), adjustable="box")
    if is_geographic(crs):
        set_degree_ticks(ax)
    else:
        set_km_ticks(ax, crs)


def plot_basemap(dem, ax=None, shade: bool = True, figsize=(8, 8), places: bool = True, **shade_kwargs):
    """A base map of ``dem``: metric hillshade, lat/lon ticks in degrees-minutes, scale bar and north arrow.

    Parameters
    ----------
    dem : xarray.DataArray
        A DEM from :func:`terrain.load_dem`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new ``figsize`` figure otherwise.
    shade : bool
        Draw the hillshade (else a light grey background).
    places : bool
        Mark and label the gazetteer's places on the map (default True).

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize, dpi=100)
    crs = dem_crs(dem)
    if shade:
        draw_hillshade(ax, dem, **shade_kwargs)
    else:
        ax.set_facecolor("#e6e6e6")
    setup_map_axes(ax, dem, crs)
    scale = add_scale_bar(ax, crs)
    arrow = add_north_arrow(ax)
    pts = []
    for name, lat, lon in (gazetteer_places(crs, map_extent(dem)) if places else []):
        x, y = latlon_to_map(crs, lat, lon)
        pts.append((name, float(x), float(y)))
    if pts:
        ax.plot([p[1] for p in pts], [p[2] for p in pts], ls="none", marker="o", ms=4.5, mfc="#222222",
                mec="white", mew=0.8, zorder=8, gid="place")
        place_labels(ax, [dict(text=p[0], x=p[1], y=p[2], color="#222222") for p in pts],
                     list(scale or []) + list(arrow or []))
    from .style import source_note

    note = source_note(dem.attrs)
    if note:
        add_footnote(ax.figure, note)
    return ax
