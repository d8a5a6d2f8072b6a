"""Summits: the local high points of a DEM with their topographic prominence, named from the gazetteer.

Prominence comes from :func:`terrain.kernels.summits.summit_prominence` (a
union-find merge over the cells sorted by height). It is computed on a context of
its own, so that it does not depend on how much DEM the caller happened to load:

* summits searched within a circle (``within``) of a DEM read from files: the
  circle widened by :func:`context_radius_m` (the radius again, at least 10 km),
  read from those files;
* otherwise (no circle, or a DEM made from an array): the DEM as given.

A summit's key col may lie outside the circle, inside the context.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr
from pyproj import Geod

from ..coords import grid_to_latlon, locate
from ..errors import InputError

NAME_WITHIN_M = 300.0
#: The least margin (metres) the prominence context adds around a search circle.
CONTEXT_MARGIN_M = 10_000.0
#: Gazetteer kinds preferred when naming a summit (a village nearer than the hill top does not name it).
SUMMIT_KINDS = ("summit", "peak", "hill", "mountain", "mount", "ridge")
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class Summit:
    """A summit: position (degrees, grid cell), height and prominence (metres), and a name if one is near."""

    lat: float
    lon: float
    height_m: float
    prominence_m: float
    row: int
    col: int
    name: str | None = None
    col_height_m: float | None = None

    def label(self) -> str:
        from ..coords import format_latlon

        return self.name or f"summit {self.height_m:.0f} m at {format_latlon(self.lat, self.lon)}"

    def as_point(self) -> tuple[float, float]:
        """``(lat, lon)``, usable wherever a point is expected."""
        return (self.lat, self.lon)

    def to_dict(self) -> dict:
        return asdict(self)


def find_summits(dem: xr.DataArray, min_prominence: float = 30.0, within=None, limit: int | None = None,
                 name_within_m: float = NAME_WITHIN_M) -> list[Summit]:
    """Summits with at least ``min_prominence`` metres of topographic prominence, highest first.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`.
    min_prominence : float
        Metres; lower summits (bumps of the noise) are left out.
    within : (point, radius_m), optional
        Keep only summits within ``radius_m`` metres of the point: ``(lat, lon,
        radius_m)`` or ``(point, radius_m)`` with any point
        :func:`terrain.locate` accepts (place names too).
    limit : int, optional
        Return at most this many (the highest).
    name_within_m : float
        A gazetteer place within this distance (default 300 m) names the summit
        (places of kind summit/peak/hill/mountain first, then the nearest).

    Returns
    -------
    list of Summit
        Sorted by height, highest first (ties: larger prominence first).

    Examples
    --------
    >>> dem = terrain.load_dem("dem_samples/hama_standin.tif")
    >>> [s.name for s in find_summits(dem, 100, within=("Hama", 15_000))][:2]  # doctest: +SKIP
    ['Zayn al-Abidin', 'Jabal Kafra']
    """
    from ..kernels.summits import summit_prominence

    if not min_prominence >= 0:
        raise InputError(f"min_prominence must be 0 or more metres, got {min_prominence}")
    centre, radius_m = _circle(dem, within)
    grid = dem
    if centre is not None and np.isfinite(centre.lat):
        grid = _context(dem, centre, radius_m)
    z = np.ascontiguousarray(grid.values, dtype=np.float32)
    order = np.argsort(-z, axis=None, kind="stable").astype(np.int64)
    idx, prom, col, _parent = summit_prominence(z, order)
    keep = prom >= float(min_prominence)
    idx, prom, col = idx[keep], prom[keep], col[keep]
    rows, cols = np.divmod(idx, z.shape[1])
    lat, lon = grid_to_latlon(grid, rows, cols)
    lat, lon = np.atleast_1d(lat), np.atleast_1d(lon)
    if centre is not None:
        if np.all(np.isfinite(lat)):
            dist = _GEOD.inv(np.full(lat.size, centre.lon), np.full(lat.size, centre.lat), lon, lat)[2]
        else:  # no CRS: grid units are metres
            t = dem.rio.transform(recalc=False)
            dist = np.hypot((cols - centre.col) * t.a, (rows - centre.row) * t.e)
        inside = np.asarray(dist) <= radius_m
        idx, prom, col, rows, cols, lat, lon = (a[inside] for a in (idx, prom, col, rows, cols, lat, lon))
    heights = z[rows, cols].astype(np.float64)
    order2 = np.lexsort((-prom, -heights))
    if grid is not dem:
        # the context's cells on the caller's grid (the same file grid); summits outside the loaded DEM go
        on_dem = [_cell_on(dem, float(lat[k]), float(lon[k])) for k in order2]
        order2 = np.array([k for k, rc in zip(order2, on_dem) if rc is not None], dtype=np.int64)
        placed = [rc for rc in on_dem if rc is not None]
    else:
        placed = [(int(rows[k]), int(cols[k])) for k in order2]
    if limit is not None:
        order2, placed = order2[:int(limit)], placed[:int(limit)]
    names = _names_near(lat[order2], lon[order2], name_within_m)
    out = []
    for k, name, (r, c) in zip(order2, names, placed):
        ch = None
        if col[k] >= 0:
            cr, cc = divmod(int(col[k]), z.shape[1])
            ch = float(z[cr, cc])
        out.append(Summit(lat=float(lat[k]), lon=float(lon[k]), height_m=float(heights[k]),
                          prominence_m=float(prom[k]), row=r, col=c, name=name, col_height_m=ch))
    return out


def context_radius_m(radius_m: float) -> float:
    """Radius of the prominence context around a search circle of ``radius_m`` metres: twice the radius, and
    at least the radius plus :data:`CONTEXT_MARGIN_M`."""
    return float(radius_m) + max(CONTEXT_MARGIN_M, float(radius_m))


def _context(dem: xr.DataArray, centre, radius_m: float) -> xr.DataArray:
    """The DEM that prominence is computed on for a search circle: read from the DEM's own files around the
    circle (:func:`context_radius_m`), whatever window the caller loaded; the DEM itself without files."""
    from pathlib import Path

    from ..dem import load_dem

    files = [f for f in str(dem.attrs.get("files", "")).split("; ") if f]
    if not files or not all(Path(f).exists() for f in files):
        return dem
    return load_dem(files, around=(centre.lat, centre.lon, context_radius_m(radius_m)),
                    band=int(dem.attrs.get("band", 1)))


def _cell_on(dem: xr.DataArray, lat: float, lon: float):
    """``(row, col)`` of the caller's cell holding a point, or None when the point is off the loaded DEM."""
    try:
        p = locate(dem, (lat, lon), allow_void=True)
    except InputError:
        return None
    return p.r, p.c


def _circle(dem, within):
    if within is None:
        return None, None
    if not isinstance(within, (tuple, list)) or len(within) not in (2, 3):
        raise InputError("within must be (lat, lon, radius_m) or (point, radius_m)")
    point = (within[0], within[1]) if len(within) == 3 else within[0]
    radius_m = float(within[-1])
    if not radius_m > 0:
        raise InputError(f"the search radius must be greater than zero, got {radius_m} m")
    return locate(dem, point, role="search centre", allow_void=True), radius_m


def _names_near(lat, lon, within_m: float) -> list[str | None]:
    """The nearest gazetteer name within ``within_m`` metres of each point (None where none)."""
    names: list[str | None] = [None] * len(lat)
    if len(lat) == 0 or not np.all(np.isfinite(lat)):
        return names
    try:
        from ..places import places_within
    except ImportError:  # gazetteer not available: summits stay unnamed
        return names
    pad_lat = within_m / 111_000.0 + 1e-4
    pad_lon = pad_lat / max(math.cos(math.radians(float(np.max(np.abs(lat))))), 0.01)
    bounds = (float(np.min(lon)) - pad_lon, float(np.min(lat)) - pad_lat,
              float(np.max(lon)) + pad_lon, float(np.max(lat)) + pad_lat)
    places = places_within(bounds)
    if not places:
        return names
    plat = np.array([p.lat for p in places])
    plon = np.array([p.lon for p in places])
    for i in range(len(lat)):
        d = _GEOD.inv(np.full(plat.size, lon[i]), np.full(plat.size, lat[i]), plon, plat)[2]
        near = np.flatnonzero(d <= within_m)
        if near.size:
            hills = [j for j in near if places[j].kind.lower() in SUMMIT_KINDS]
            pool = hills or list(near)
            names[i] = places[min(pool, key=lambda j: d[j])].name
    return names
