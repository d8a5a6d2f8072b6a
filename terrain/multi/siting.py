"""Observation-post siting: the ``k`` candidate posts that together see the most of a target area.

Each candidate's viewshed (exactly the single-observer one, same method; computed in batches by
:func:`terrain.multi.observers.run_batches`) is kept only over the target area's cells, bit-packed
(``np.packbits``: candidates x target cells / 8 bytes). Coverage is the true area of the target cells
seen by at least one chosen post (:func:`terrain.grid.cell_areas_m2`, so geographic grids weigh each row
by its own cell area).

Choosing the best ``k`` of ``n`` candidates is maximum coverage, NP-hard. Coverage is monotone and
submodular (a post adds less the more the others already see), so the greedy choice -- repeatedly the
post that adds the most -- covers at least ``1 - (1 - 1/k)**k > 1 - 1/e`` (63.2 %) of the best ``k``
posts' coverage (Nemhauser, Wolsey & Fisher 1978). :func:`greedy_max_coverage` runs it lazily
(Minoux 1978): a priority queue holds each candidate's last gain, an upper bound on its gain now; only
the top is recomputed, and it is taken when it stays on top. Ties go to the candidate given first.
With ``min_separation_m`` the candidates too close to a chosen post are dropped; the bound is then no
longer guaranteed.
"""

from __future__ import annotations

import heapq
import math
import re
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from ..rounding import percent
from .. import __version__
from ..coords import locate
from ..earth import DEFAULT_REFRACTION
from ..errors import InputError
from ..methods import DEFAULT_METHOD
from .engine import plan_observers
from .observers import dem_geometry, observer_specs, run_batches, split_target_grid, window_slices
from .overlook import _reach_m
from .summits import Summit, find_summits
from .table import ResultTable
from .target_area import TargetArea, target_area

#: The greedy guarantee for large ``k``: at least this share of the best ``k`` posts' coverage.
GREEDY_BOUND = 1.0 - 1.0 / math.e
#: Share of the available memory the candidates' packed masks may take.
MEMORY_SHARE = 0.5
_GRID = re.compile(r"^\s*grid\s*:\s*(.+)$", re.IGNORECASE)


def greedy_bound(k: int) -> float:
    """The greedy guarantee for ``k`` posts: ``1 - (1 - 1/k)**k`` (1 for k = 1, falling to ``1 - 1/e``)."""
    return 1.0 - (1.0 - 1.0 / k) ** k if k >= 1 else 1.0


@dataclass
class GreedyChoice:
    """What :func:`greedy_max_coverage` chose: candidate indices in order, each one's gain, and the work done."""

    order: list[int]
    gains: list[float]
    evaluations: int
    stopped: str = ""


def greedy_max_coverage(packed: np.ndarray, weights: np.ndarray, k: int, blocked_by=None) -> GreedyChoice:
    """Lazy greedy maximum coverage of weighted cells by ``k`` of ``n`` sets.

    Parameters
    ----------
    packed : uint8 array (n, ceil(cells / 8))
        ``np.packbits`` of each set's boolean mask over the cells (axis 1).
    weights : float array (cells,)
        Weight of each cell (its area, km^2); non-negative.
    k : int
        Sets to choose.
    blocked_by : callable, optional
        ``blocked_by(j)`` -> bool array (n,): the sets that may no longer be chosen once ``j`` is
        (``min_separation_m``).

    Returns
    -------
    GreedyChoice
        ``order`` (at most ``k`` indices: fewer when no set is left or none adds anything), ``gains``
        (each one's marginal gain, in ``weights``' units, non-increasing), ``evaluations`` (gains computed).
    """
    n = packed.shape[0]
    cells = weights.shape[0]
    covered = np.zeros(cells, bool)
    allowed = np.ones(n, bool)

    def gain(j: int) -> float:
        seen = np.unpackbits(packed[j], count=cells).view(bool)
        return float(weights[seen & ~covered].sum())

    # the heap holds (-gain bound, index, step at which the bound was computed): ties by index
    heap = [(-gain(j), j, 0) for j in range(n)]
    evaluations = n
    heapq.heapify(heap)
    order: list[int] = []
    gains: list[float] = []
    stopped = ""
    while len(order) < k:
        if not heap:
            stopped = "no candidate left" + (" (min_separation)" if blocked_by is not None else "")
            break
        bound, j, step = heapq.heappop(heap)
        if not allowed[j]:
            continue
        if step != len(order):  # stale: recompute; taken next time only if still on top
            heapq.heappush(heap, (-gain(j), j, len(order)))
            evaluations += 1
            continue
        if -bound <= 0.0:
            stopped = "no remaining candidate adds coverage"
            break
        order.append(j)
        gains.append(-bound)
        covered |= np.unpackbits(packed[j], count=cells).view(bool)
        allowed[j] = False
        if blocked_by is not None:
            allowed &= ~np.asarray(blocked_by(j), bool)
    return GreedyChoice(order, gains, evaluations, stopped)


@dataclass
class SitingResult:
    """The chosen posts and what they leave unseen.

    Attributes
    ----------
    posts : ResultTable
        One row per chosen post, in the order chosen: ``order``, ``name``, ``lat``, ``lon``,
        ``ground_m``, ``eye_m``, ``gain_km2``, ``gain_percent`` (of the target area),
        ``cumulative_km2``, ``cumulative_percent``, ``solo_km2``, ``solo_rank``.
    curve : ResultTable
        Coverage for 1..k posts: ``k``, ``cumulative_km2``, ``cumulative_percent`` and, without
        ``min_separation_m``, ``best_at_most_km2`` (the greedy bound: no ``k`` posts see more).
    candidates : ResultTable
        Every candidate ranked by what it sees alone (``solo_rank``, ``solo_km2``,
        ``solo_percent``) with ``chosen`` (its order, or None).
    dead_ground : xarray.DataArray
        Bool, on the target area's bounding block of the DEM: target cells no chosen post sees.
    target_mask : xarray.DataArray
        Bool, same grid: the target area's cells.
    attrs : dict
        The target, its area, the options, the guarantee and the work done.
    """

    posts: ResultTable
    curve: ResultTable
    candidates: ResultTable
    dead_ground: xr.DataArray
    target_mask: xr.DataArray
    attrs: dict = field(default_factory=dict)

    def to_dataframe(self):
        """The chosen posts as a :class:`pandas.DataFrame`."""
        return self.posts.to_dataframe()

    def named_ranks(self) -> list[dict]:
        """The candidates that have a name (gazetteer summits, named points): solo rank and whether chosen."""
        return [r for r in self.candidates.rows if r.get("named")]

    def to_dict(self) -> dict:
        """JSON-ready: attributes, posts, curve and the named candidates' ranks."""
        return {**self.attrs, "posts": self.posts.rows, "curve": self.curve.rows,
                "named_candidates": self.named_ranks()}


def site_observers(dem: xr.DataArray, target=None, candidates="summits", k: int = 3, *,
                   target_radius: float = 1_000.0, within: float = 15_000.0, min_separation_m: float = 0.0,
                   observer_height=2.0, target_height: float = 0.0, max_distance: float | None = None,
                   min_prominence: float = 30.0, curvature: bool = True, refraction: float = DEFAULT_REFRACTION,
                   method: str = DEFAULT_METHOD, absolute_heights: bool = False, threads: int | None = None,
                   progress: bool = False, obstacles=None, targets_on_obstacles: bool = False,
                   observer_on_obstacle: bool = False, backend: str = "local", client=None,
                   scheduler: str | None = None, n_workers: int | None = None) -> SitingResult:
    """Choose ``k`` observation posts that together see the most of a target area (lazy greedy).

    The greedy choice covers at least ``1 - (1 - 1/k)**k`` (> 1 - 1/e, 63.2 %) of what the best ``k``
    candidates together could see (coverage is submodular); see the module docstring.

    Parameters
    ----------
    dem : xarray.DataArray
        From :func:`terrain.load_dem`.
    target : point, GeoJSON dict or path, optional
        A point (``"lat,lon"``, ``(lat, lon)``, a place name) with ``target_radius``, or a GeoJSON
        Polygon in lat/lon, as for :func:`terrain.overlook`. None: every cell of the DEM with data.
    candidates : str or sequence
        ``"summits"`` (default: :func:`terrain.find_summits` with ``min_prominence`` within ``within``
        metres of the target), ``"grid:SPACING"`` (cells every SPACING, e.g. ``"grid:500m"``, within
        ``within`` of the target), both (``"summits+grid:2km"``), a file of points or a typed list (as ``terrain overlook
        --candidates``; a height column gives each post its own height), or a sequence of points
        and :class:`~terrain.multi.summits.Summit`.
    k : int
        Posts to choose (at least 1).
    target_radius : float
        Metres, the target circle's radius around a target point.
    within : float
        Metres around the target's centre where summit and grid candidates are taken.
    min_separation_m : float
        Metres: no two posts closer than this (ground distance, the kernels' metric rule). 0: no limit.
    observer_height : float or sequence
        Eye height above the ground, metres: one value or one per candidate.
    target_height : float
        Height of the watched targets above the ground, metres.
    max_distance : float, optional
        Viewing distance of every post, metres. Default: far enough from each candidate to take in
        the whole target area.
    min_prominence : float
        Metres of prominence a summit needs (``candidates="summits"``).
    curvature, refraction, method, absolute_heights :
        As for :func:`terrain.viewshed`.
    threads : int, optional
        Numba threads (results do not depend on it).
    progress : bool
        Show a tqdm progress bar over the candidates' viewsheds.
    obstacles, targets_on_obstacles, observer_on_obstacle :
        Surface obstacles (buildings, canopy) that block the sight lines, as for :func:`terrain.viewshed`;
        with ``observer_on_obstacle`` each post stands on its cell's roof (its ``eye_m`` says so).
    backend : {"local", "dask"}
        ``"local"`` (default): numba threads here; ``"dask"``: the candidates' viewsheds on a
        ``dask.distributed`` cluster (``client``, ``scheduler`` or ``n_workers``), one task per 64
        candidates; the same posts, bit for bit (:mod:`terrain.multi.backends`).

    Returns
    -------
    SitingResult

    Raises
    ------
    InputError
        No candidate, ``k`` below 1, or masks larger than the memory available.

    Examples
    --------
    >>> dem = terrain.load_dem("dem_samples/hama_standin.tif")
    >>> res = site_observers(dem, "Hama", k=3, target_radius=3000, observer_height=10)
    >>> [r["name"] for r in res.posts][:1]  # doctest: +SKIP
    ['Zayn al-Abidin']
    """
    import time

    from .backends import use_dask

    dask = dict(client=client, scheduler=scheduler, n_workers=n_workers) if use_dask(
        backend, client, scheduler, n_workers) else None
    clock = time.perf_counter()
    k = int(k)
    if k < 1:
        raise InputError(f"k is the number of posts to choose; give 1 or more, got {k}")
    if not min_separation_m >= 0:
        raise InputError(f"min_separation_m must be 0 or more metres, got {min_separation_m}")
    z, y_m, dx_m, row_area = dem_geometry(dem)
    area = _target(dem, target, target_radius, y_m, dx_m, row_area)
    points, names, named, heights, prominence = _candidate_points(dem, candidates, area, target, within,
                                                           min_prominence, y_m, dx_m, observer_height)
    n = len(points)
    rows_t, cols_t = area.cells()
    ncells = rows_t.size
    _check_memory(n, ncells)
    located = [locate(dem, p, role=f"candidate post {i + 1}") for i, p in enumerate(points)]
    names = [nm or p.label() for nm, p in zip(names, located)]
    radii = [max_distance if max_distance is not None else
             (None if target is None else _reach_m(area, p, y_m, dx_m)) for p in located]
    options, target_grid = split_target_grid(dict(observer_height=heights, target_height=target_height,
                                                  max_distance=radii, curvature=curvature, refraction=refraction,
                                                  absolute_heights=absolute_heights))
    specs = observer_specs(points, options)
    packed, eyes = _coverage_masks(dem, specs, area, method, threads, progress, dask,
                                   (obstacles, targets_on_obstacles, observer_on_obstacle, target_grid))
    weights = row_area[rows_t].astype(np.float64)
    rr = np.array([p.r for p in located])
    cc = np.array([p.c for p in located])

    def too_close(j):
        return _distances_m(y_m, dx_m, rr[j], cc[j], rr, cc) < min_separation_m
    choice = greedy_max_coverage(packed, weights, k, too_close if min_separation_m > 0 else None)
    solo = np.array([float(weights[np.unpackbits(packed[j], count=ncells).view(bool)].sum()) for j in range(n)])
    solo_order = sorted(range(n), key=lambda j: (-solo[j], j))
    solo_rank = {j: r + 1 for r, j in enumerate(solo_order)}
    chosen_at = {j: i + 1 for i, j in enumerate(choice.order)}
    total = area.area_km2

    def pct(v):
        return percent(v, total)

    def base(j):
        p = located[j]
        return {"name": names[j], "lat": round(p.lat, 6), "lon": round(p.lon, 6), "ground_m": round(p.ground_m, 1),
                "eye_m": round(eyes[j], 1)}

    posts, cumulative = [], 0.0
    covered = np.zeros(ncells, bool)
    curve = []
    for i, (j, g) in enumerate(zip(choice.order, choice.gains)):
        covered |= np.unpackbits(packed[j], count=ncells).view(bool)
        cumulative = float(weights[covered].sum())
        posts.append({"order": i + 1, **base(j), "gain_km2": round(g, 4), "gain_percent": pct(g),
                      "cumulative_km2": round(cumulative, 4), "cumulative_percent": pct(cumulative),
                      "solo_km2": round(float(solo[j]), 4), "solo_rank": solo_rank[j]})
        point = {"k": i + 1, "cumulative_km2": round(cumulative, 4), "cumulative_percent": pct(cumulative)}
        if min_separation_m <= 0:
            point["best_at_most_km2"] = round(min(total, cumulative / greedy_bound(i + 1)), 4)
        curve.append(point)
    cand_rows = []
    for j in solo_order:
        row = {"solo_rank": solo_rank[j], **base(j), "solo_km2": round(float(solo[j]), 4), "solo_percent": pct(float(solo[j])),
               "chosen": chosen_at.get(j), "named": bool(named[j] or located[j].name)}
        if prominence[j] is not None:
            row["prominence_m"] = round(prominence[j], 1)
        cand_rows.append(row)
    dead, mask = _dead_ground(dem, area, covered)
    attrs = {"target": area.label, "target_lat": round(area.centre.lat, 6), "target_lon": round(area.centre.lon, 6),
             "target_area_km2": round(total, 4), "k": k, "candidates": n,
             "candidate_source": candidates if isinstance(candidates, str) else "list",
             "observer_height_m": observer_height if np.isscalar(observer_height) else "per candidate",
             "target_height_m": None if target_grid is not None else target_height,
             "target_height_grid": int(target_grid is not None),
             "max_distance_m": max_distance, "min_separation_m": min_separation_m,
             "method": method, "obstacles": int(obstacles is not None),
             "covered_km2": round(cumulative, 4), "covered_percent": pct(cumulative),
             "dead_ground_km2": round(total - cumulative, 4), "dead_ground_percent": pct(total - cumulative),
             "guarantee": _guarantee(k, choice.stopped, min_separation_m),
             "gain_evaluations": choice.evaluations, "stopped": choice.stopped,
             "source": dem.attrs.get("source", ""), "synthetic": int(dem.attrs.get("synthetic", 0)),
             "terrain_version": __version__, "seconds": round(time.perf_counter() - clock, 2)}
    dead.attrs["synthetic"] = attrs["synthetic"]
    return SitingResult(ResultTable(posts, attrs), ResultTable(curve, attrs), ResultTable(cand_rows, attrs),
                        dead, mask, attrs)


def _guarantee(k: int, stopped: str, min_separation_m: float) -> str:
    """What the choice is worth, in words: optimal, within the greedy bound, or without a bound."""
    if min_separation_m > 0:
        return "greedy with min_separation: no (1 - 1/e) guarantee"
    if stopped.startswith("no remaining"):
        return "optimal: the posts see all of the target that any candidate sees"
    return (f"greedy: at least {100 * greedy_bound(k):.1f} % (1 - (1 - 1/k)^k > 1 - 1/e) of the best {k} "
            "posts' coverage")


def _target(dem, target, target_radius, y_m, dx_m, row_area) -> TargetArea:
    """The target area's cells (:func:`terrain.multi.target_area.target_area`); None: every cell with data."""
    if target is not None:
        return target_area(dem, target, target_radius, y_m, dx_m, row_area)
    from ..coords import grid_to_latlon

    mask = np.isfinite(dem.values).astype(np.uint8)
    if not mask.any():
        raise InputError("the DEM holds no cell with data")
    lat, lon = grid_to_latlon(dem, dem.shape[0] // 2, dem.shape[1] // 2)
    centre = locate(dem, (float(lat), float(lon)), role="DEM centre", allow_void=True)
    return TargetArea(mask=mask, centre=centre, label="the whole DEM",
                      area_km2=float((mask * row_area[:, None]).sum()))


def _candidate_points(dem, candidates, area, target, within, min_prominence, y_m, dx_m, observer_height):
    """``(points, labels, named, heights, prominence)`` of the candidates (see :func:`site_observers`): a
    summit's label (None for other points, named later from their cell) and whether it has a gazetteer name."""
    heights = observer_height
    search = None if target is None else ((area.centre.lat, area.centre.lon), within)
    parts = candidates.split("+") if isinstance(candidates, str) else []
    if len(parts) > 1 and all(p.strip().lower() == "summits" or _GRID.match(p) for p in parts):
        if not np.isscalar(observer_height):
            raise InputError("give one observer_height for summit and grid candidates")
        found = [_candidate_points(dem, p, area, target, within, min_prominence, y_m, dx_m, observer_height)
                 for p in parts]
        return tuple([x for f in found for x in f[i]] for i in range(3)) + (observer_height,
                                                                           [x for f in found for x in f[4]])
    if isinstance(candidates, str) and candidates.strip().lower() == "summits":
        if search is not None and not within > 0:
            raise InputError(f"the candidate search radius must be greater than zero, got {within} m")
        summits = find_summits(dem, min_prominence=min_prominence, within=search)
        if not summits:
            where = f"within {within / 1000:g} km of {area.label}" if search else "on the DEM"
            raise InputError(f"no summit with {min_prominence:g} m of prominence {where}; lower min_prominence, "
                             "widen the search (within) or give candidates=\"grid:500m\"")
        candidates = summits
    elif isinstance(candidates, str) and _GRID.match(candidates):
        candidates = _grid_points(dem, _GRID.match(candidates).group(1), area, within if search else None, y_m, dx_m)
    elif isinstance(candidates, str):
        from .observers import read_point_list

        found = read_point_list(candidates)
        if found.heights_m is not None:
            if not np.isscalar(observer_height):
                raise InputError("the candidates' file gives each a height; pass one observer_height for the rest")
            heights = [observer_height if h is None else h for h in found.heights_m]
        candidates = found.points
    candidates = list(candidates)
    if not candidates:
        raise InputError("no candidate posts given")
    points, names, named, prominence = [], [], [], []
    for cand in candidates:
        if isinstance(cand, Summit):
            points.append(cand.as_point())
            names.append(cand.label())
            named.append(cand.name is not None)
            prominence.append(cand.prominence_m)
        else:
            points.append(cand)
            names.append(None)
            named.append(False)
            prominence.append(None)
    return points, names, named, heights, prominence


def _grid_points(dem, spacing_text, area, within, y_m, dx_m) -> list[tuple[float, float]]:
    """Cells every ``spacing`` metres (rows and columns, the grid's own metric sizes) with data, within
    ``within`` metres of the target's centre (None: everywhere)."""
    from ..coords import grid_to_latlon
    from ..units import parse_distance_m
    from .target_area import cell_distances_m

    spacing = parse_distance_m(spacing_text, "candidate grid spacing")
    dy = float(np.abs(np.diff(y_m)).mean()) if y_m.size > 1 else float(dx_m.mean())
    r0, c0 = area.centre.r, area.centre.c
    row_step = max(1, int(round(spacing / dy)))
    col_step = max(1, int(round(spacing / float(dx_m[r0]))))
    rows = np.arange(r0 % row_step, dem.shape[0], row_step)
    cols = np.arange(c0 % col_step, dem.shape[1], col_step)
    rr, cc = np.meshgrid(rows, cols, indexing="ij")
    keep = np.isfinite(dem.values[rr, cc])
    if within is not None:
        keep &= cell_distances_m(y_m, dx_m, r0, c0, dem.shape)[rr, cc] <= within
    rr, cc = rr[keep], cc[keep]
    if rr.size == 0:
        raise InputError(f"no grid cell every {spacing:g} m has data within the search radius; "
                         "give a smaller spacing or a larger radius")
    lat, lon = grid_to_latlon(dem, rr, cc)
    if not np.all(np.isfinite(np.atleast_1d(lat))):  # no CRS: grid positions
        return [f"xy:{x},{y}" for x, y in zip(dem.x.values[cc], dem.y.values[rr])]
    return [(float(a), float(b)) for a, b in zip(np.atleast_1d(lat), np.atleast_1d(lon))]


def _distances_m(y_m, dx_m, r0, c0, rows, cols) -> np.ndarray:
    """Ground distance from cell ``(r0, c0)`` to each cell ``(rows[i], cols[i])``, metres (the kernels' rule,
    as :func:`terrain.multi.overlook._distance_m`)."""
    dy = y_m[rows] - y_m[r0]
    dx = (cols - c0) * 0.5 * (dx_m[rows] + dx_m[r0])
    return np.hypot(dy, dx)


def available_memory_bytes() -> int:
    """Memory this process can still take, bytes (psutil when installed, else the free pages)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:  # pragma: no cover - psutil comes with the dev tools
        import os

        return int(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))


def _check_memory(n: int, ncells: int) -> None:
    need = n * ((ncells + 7) // 8)
    have = available_memory_bytes()
    if need > MEMORY_SHARE * have:
        raise InputError(f"{n:,} candidates x {ncells:,} target cells need {need / 2**30:.2f} GiB of coverage "
                         f"masks, more than half the {have / 2**30:.2f} GiB available; use fewer candidates "
                         "(a coarser grid:SPACING, a higher min_prominence) or a smaller target area")


def _coverage_masks(dem, specs, area: TargetArea, method, threads, progress, dask=None,
                    obstacle_options=(None, False, False)):
    """Each candidate's visible cells of the target area, bit-packed: uint8 (n, ceil(cells / 8)), and each
    candidate's eye (metres above sea level, on its roof with ``observer_on_obstacle``). ``dask``: the
    cluster options of :func:`terrain.multi.distributed.dask_client`, one task per 64 candidates; None: here."""
    plan = plan_observers(dem, specs, method, obstacle_options)
    setups, surf, all_packed = plan.setups, plan.surfaces, plan.packed
    geometry = (surf.z, surf.zt, plan.y_m, plan.dx_m, plan.row_area)
    rows_t, cols_t = area.cells()
    ncells = rows_t.size
    out = np.zeros((len(setups), (ncells + 7) // 8), np.uint8)
    groups = [slice(start, min(start + 64, len(setups))) for start in range(0, len(setups), 64)]
    if dask is not None:
        from .distributed import dask_client

        with dask_client(tasks=len(groups), **dask) as c:
            shared = c.scatter([*geometry, area.mask, rows_t, cols_t], hash=False)
            futures = [c.submit(_group_masks, *shared, all_packed.take(g), method, 1, pure=False) for g in groups]
            for g, masks in zip(groups, c.gather(futures)):
                out[g] = masks
        return out, plan.eyes_m()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(setups), unit="candidate", desc="siting viewsheds")
    try:
        for g in groups:
            out[g] = _group_masks(*geometry, area.mask, rows_t, cols_t, all_packed.take(g), method, threads,
                                  bar.update if bar else None)
    finally:
        if bar:
            bar.close()
    return out, plan.eyes_m()


def _group_masks(z, zt, y_m, dx_m, row_area, mask, rows_t, cols_t, part, method, threads=None, progress=None):
    """The bit-packed target masks (uint8, ``len(part)`` rows) of up to 64 packed candidates: one batch."""
    ncells = rows_t.size
    res = run_batches(z, y_m, dx_m, row_area, part, method, with_seen=True, mask=mask, threads=threads,
                      progress=progress, zt=zt)
    w = res.window
    inside = (rows_t >= w[0]) & (rows_t < w[1]) & (cols_t >= w[2]) & (cols_t < w[3])
    bits = np.zeros(ncells, np.uint64)
    bits[inside] = res.seen[0, rows_t[inside] - w[0], cols_t[inside] - w[2]]  # one word: 64 candidates
    out = np.zeros((len(part), (ncells + 7) // 8), np.uint8)
    for i in range(len(part)):
        out[i] = np.packbits(((bits >> np.uint64(i)) & np.uint64(1)).astype(bool))
    return out


def _dead_ground(dem, area: TargetArea, covered: np.ndarray) -> tuple[xr.DataArray, xr.DataArray]:
    """The target cells not covered, and the target mask, on the target's bounding block of the DEM (bool)."""
    rows_t, cols_t = area.cells()
    window = (int(rows_t.min()), int(rows_t.max()) + 1, int(cols_t.min()), int(cols_t.max()) + 1)
    rs, cs = window_slices(window)
    block = dem.isel(y=rs, x=cs)
    mask = np.zeros(block.shape, bool)
    mask[rows_t - window[0], cols_t - window[2]] = True
    dead = np.zeros(block.shape, bool)
    dead[rows_t - window[0], cols_t - window[2]] = ~covered

    def label(values, name, long_name):
        da = xr.DataArray(values, coords={"y": block.y, "x": block.x}, dims=("y", "x"), name=name,
                          attrs={"long_name": long_name, "source": dem.attrs.get("source", "")})
        if block.rio.crs is not None:
            da.rio.write_crs(block.rio.crs, inplace=True)
        da.rio.write_transform(block.rio.transform(recalc=False), inplace=True)
        return da

    return (label(dead, "dead_ground", "target cells no chosen post sees"),
            label(mask, "target_area", "cells of the target area"))
