"""Many observers on one DEM: their options, their windows, and batched kernel runs over the shared array.

Every observer is set up by :func:`terrain.viewshed.prepare` (the single-observer
checks and geometry), then packed into plain arrays for
:func:`terrain.kernels.observer_batch.observer_batch`, which reads windows of
one elevation array: the DEM is read once, whatever the number of observers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr

from ..dem import dem_crs, dem_transform
from ..earth import DEFAULT_REFRACTION
from ..errors import InputError
from ..grid import cell_areas_m2, row_geometry
from ..point_files import PointFile, is_point_file, read_points
from ..viewshed import ViewshedSetup, is_height_grid, prepare, refuse_pitch_with_target_grid

#: Options one observer may carry (the keyword arguments of :func:`terrain.viewshed.viewshed`).
OBSERVER_OPTIONS = ("observer_height", "target_height", "max_distance", "min_distance", "azimuth", "pitch",
                    "curvature", "refraction", "absolute_heights")
DEFAULTS = {"observer_height": 2.0, "target_height": 0.0, "max_distance": None, "min_distance": 0.0,
            "azimuth": None, "pitch": None, "curvature": True, "refraction": DEFAULT_REFRACTION,
            "absolute_heights": False}
_PAIRS = ("azimuth", "pitch")
BATCH_METHODS = ("fast", "refined", "exact")


def observer_specs(observers, options: dict) -> list[dict]:
    """One dict of viewshed options per observer, from shared options, per-observer lists and dicts.

    Parameters
    ----------
    observers : sequence
        Points (``"lat,lon"``, ``(lat, lon)``, ``"xy:X,Y"``, place names) or dicts
        ``{"point": ..., "observer_height": ..., ...}`` whose keys override ``options``.
    options : dict
        Keyword options of :func:`terrain.viewshed.viewshed`. A value may be a
        list as long as ``observers`` to give each observer its own (for
        ``azimuth``/``pitch``: a list of pairs).
    """
    if isinstance(observers, (str, dict)) or not hasattr(observers, "__len__"):
        observers = [observers]
    observers = list(observers)
    n = len(observers)
    if n == 0:
        raise InputError("no observers given; pass at least one point or place name")
    unknown = set(options) - set(OBSERVER_OPTIONS)
    if unknown:
        raise InputError(f"unknown observer option(s) {', '.join(sorted(unknown))}; "
                         f"choose from {', '.join(OBSERVER_OPTIONS)}")
    grid = options.get("target_height")
    # viewshed's rule for a grid of heights, less a 1-D array: here that is one height per observer
    if is_height_grid(grid) and not (isinstance(grid, np.ndarray) and grid.ndim == 1):
        raise InputError("a target height per cell (a grid or a raster file) is not taken here; give one target "
                         "height in metres (or one per observer)")
    specs = []
    for i, item in enumerate(observers):
        spec = dict(DEFAULTS)
        for key, value in options.items():
            spec[key] = _pick(key, value, i, n)
        if isinstance(item, dict):
            if "point" not in item:
                raise InputError(f"observer {i} is a dict without 'point'; give {{'point': 'lat,lon', ...}}")
            extra = set(item) - set(OBSERVER_OPTIONS) - {"point", "name"}
            if extra:
                raise InputError(f"observer {i} has unknown option(s) {', '.join(sorted(extra))}")
            spec.update({k: v for k, v in item.items() if k not in ("point", "name")})
            spec["point"] = item["point"]
        else:
            spec["point"] = item
        specs.append(spec)
    return specs


def split_target_grid(options: dict, observers=()) -> tuple[dict, object]:
    """``(options, grid)``: a target height per cell (a grid, a DataArray or a raster's path, as
    :func:`terrain.viewshed.viewshed` takes it) taken out of shared observer options, which then hold a
    target height of 0; ``grid`` is None when the target height is a number (or one per observer). The
    batch kernels judge targets on the ground plus this grid (:func:`with_obstacles`)."""
    grid = options.get("target_height")
    if not is_height_grid(grid) or (isinstance(grid, np.ndarray) and grid.ndim == 1):
        return options, None
    items = [observers] if isinstance(observers, (str, dict)) else list(observers)
    if options.get("pitch") is not None or any(isinstance(o, dict) and o.get("pitch") is not None for o in items):
        refuse_pitch_with_target_grid()
    return {**options, "target_height": 0.0}, grid


def _pick(key, value, i, n):
    """The value of option ``key`` for observer ``i``: per-observer when a list of ``n`` values."""
    if isinstance(value, (list, tuple, np.ndarray)) and not isinstance(value, str):
        per_observer = len(value) == n and (key not in _PAIRS or all(
            v is None or (isinstance(v, (list, tuple, np.ndarray)) and len(v) == 2) for v in value))
        if per_observer:
            return value[i]
        if key not in _PAIRS:
            raise InputError(f"{key} has {len(value)} values for {n} observers; give one value or one per observer")
    return value


def prepare_observers(dem: xr.DataArray, specs: list[dict], method: str) -> list[ViewshedSetup]:
    """:func:`terrain.viewshed.prepare` for every observer (checks, cell, window, geometry)."""
    setups = []
    for i, s in enumerate(specs):
        try:
            setups.append(prepare(dem, s["point"], s["observer_height"], s["target_height"], s["max_distance"],
                                  s["min_distance"], s["azimuth"], s["pitch"], s["curvature"], s["refraction"],
                                  s["absolute_heights"], method))
        except InputError as exc:
            raise InputError(f"observer {i + 1} ({s['point']!r}): {exc}") from None
    return setups


@dataclass(frozen=True)
class Surfaces:
    """The arrays a batch sweeps over: ``z`` the surface sight lines cross, ``zt`` the ground targets stand
    on (the same array without obstacles), both float32 on the whole DEM's grid."""

    z: np.ndarray
    zt: np.ndarray
    obstacles: bool = False


def sweep_surfaces(dem: xr.DataArray, z: np.ndarray, obstacles=None, targets_on_obstacles: bool = False,
                   observer_on_obstacle: bool = False, target_grid=None) -> tuple[Surfaces, np.ndarray | None]:
    """``(surfaces, obstacle heights)`` of many observers by the rules of :func:`terrain.viewshed.viewshed`:
    sight lines cross ground + obstacles (:mod:`terrain.obstacles`), targets stand on the ground (the roofs
    with ``targets_on_obstacles``), plus ``target_grid`` (from :func:`split_target_grid`: a target height per
    cell) where given. The obstacle heights are None without obstacles; without either, both surfaces are
    ``z`` itself. ``observer_on_obstacle`` is only checked here: where the observers stand is the caller's."""
    from ..obstacles import check_obstacle_flags

    check_obstacle_flags(obstacles, targets_on_obstacles, observer_on_obstacle)
    obst = None
    z_block = z_target = z
    if obstacles is not None:
        from ..obstacles import obstacle_grid, surfaces

        obst = obstacle_grid(dem, obstacles)
        z_block, z_target = surfaces(z, obst, targets_on_obstacles)
    if target_grid is not None:
        from ..obstacles import height_grid

        z_target = z_target + height_grid(dem, target_grid, "target heights")
    if z_block is z and z_target is z:
        return Surfaces(z, z), obst
    return Surfaces(np.ascontiguousarray(z_block), np.ascontiguousarray(z_target), obst is not None), obst


def with_obstacles(dem: xr.DataArray, z: np.ndarray, setups: list[ViewshedSetup], obstacles=None,
                   targets_on_obstacles: bool = False, observer_on_obstacle: bool = False, target_grid=None):
    """``(setups, surfaces)`` for many observers: :func:`sweep_surfaces`, and each observer on the ground, or
    on its roof with ``observer_on_obstacle`` (its eye raised by its cell's obstacle). The setups carry a
    target height of 0 where ``target_grid`` gives one per cell."""
    surf, obst = sweep_surfaces(dem, z, obstacles, targets_on_obstacles, observer_on_obstacle, target_grid)
    if observer_on_obstacle:
        import dataclasses

        setups = [dataclasses.replace(s, eye_z=s.eye_z + float(obst[s.observer.r, s.observer.c])) for s in setups]
    return setups, surf


@dataclass
class PackedObservers:
    """Observers as the arrays :func:`~terrain.kernels.observer_batch.observer_batch` reads."""

    win: np.ndarray   # int64 (n, 4): row_start, row_stop, col_start, col_stop in the DEM grid
    obs: np.ndarray   # int64 (n, 2): observer row, col within its window
    par: np.ndarray   # float64 (n, 10)

    def __len__(self) -> int:
        return int(self.win.shape[0])

    def union_window(self) -> tuple[int, int, int, int]:
        """``(row_start, row_stop, col_start, col_stop)`` of the block holding every observer's window."""
        return (int(self.win[:, 0].min()), int(self.win[:, 1].max()),
                int(self.win[:, 2].min()), int(self.win[:, 3].max()))

    def take(self, idx) -> "PackedObservers":
        return PackedObservers(self.win[idx], self.obs[idx], self.par[idx])


def pack(setups: list[ViewshedSetup]) -> PackedObservers:
    n = len(setups)
    win = np.empty((n, 4), np.int64)
    obs = np.empty((n, 2), np.int64)
    par = np.empty((n, 10), np.float64)
    for i, s in enumerate(setups):
        win[i] = (s.rows.start, s.rows.stop, s.cols.start, s.cols.stop)
        obs[i] = (s.r0, s.c0)
        par[i] = (s.eye_z, s.target_h, s.curv, s.min_d, s.max_d, s.az[0], s.az[1], float(s.full_circle),
                  s.pitch[0], s.pitch[1])
    return PackedObservers(win, obs, par)


def dem_geometry(dem: xr.DataArray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(z, y_m, dx_m, row_area_km2)`` of a whole DEM: the arrays every batch shares."""
    z = np.ascontiguousarray(dem.values, dtype=np.float32)
    y_m, dx_m = row_geometry(dem_transform(dem), dem.shape, dem_crs(dem))
    return z, y_m, dx_m, cell_areas_m2(y_m, dx_m) / 1e6


def check_batch_method(method: str) -> None:
    if method not in BATCH_METHODS:
        raise InputError(f"method {method!r} cannot run observers in batches; choose one of "
                         f"{', '.join(BATCH_METHODS)}")


#: Observers per word of a packed ``seen_by`` mask: bit ``i % 64`` of word ``i // 64`` is observer ``i``.
WORD_BITS = 64


def seen_words(n: int) -> int:
    """uint64 words that hold one bit for each of ``n`` observers."""
    return -(-int(n) // WORD_BITS)


@dataclass
class BatchResult:
    """What a run of observers leaves: accumulators over ``window`` and per-observer areas (km^2)."""

    count: np.ndarray | None      # uint16 (rows, cols)
    seen: np.ndarray | None       # uint64 (words, rows, cols): bit i % 64 of word i // 64 - word0 = observer i
    analysed: np.ndarray | None   # uint16 (rows, cols)
    area: np.ndarray              # float64 (n,)
    analysed_area: np.ndarray     # float64 (n,)
    window: tuple[int, int, int, int]
    word0: int = 0                # the global word index of seen[0]


def _batch_bounds(first_index: int, n: int, batch_size: int, with_seen: bool) -> list[tuple[int, int]]:
    """``(start, stop)`` of each batch; with ``seen`` no batch straddles two words of the mask."""
    cuts = set(range(0, n, max(1, batch_size)))
    if with_seen:
        cuts.update(range(-first_index % WORD_BITS, n, WORD_BITS))   # where global observer indices start a word
    cuts = sorted(cuts) + [n]
    return [(a, b) for a, b in zip(cuts[:-1], cuts[1:]) if b > a]


def run_batches(z, y_m, dx_m, row_area_km2, packed: PackedObservers, method: str, *, accumulate: bool = True,
                with_seen: bool = True, with_count: bool = True, with_analysed: bool = True, window=None,
                mask=None, first_index: int = 0, batch_size: int = 64, threads: int | None = None,
                progress=None, zt=None) -> BatchResult:
    """Run observers in batches of ``batch_size`` with the numba kernel; fold into accumulators over ``window``.

    ``with_count``/``with_analysed`` keep those accumulators; ``with_seen`` keeps the packed who-sees-what
    mask, one uint64 word per 64 observers (global observer
    ``first_index + i`` is bit ``(first_index + i) % 64`` of word ``(first_index + i) // 64``), for any
    number of observers: each batch lies inside one word and its chunks' bits are OR-ed into that word.
    ``progress``: a callable taking the number of observers just finished (e.g. ``tqdm.update``).
    ``threads``: numba threads (default: all); the result does not depend on it. ``zt``: the ground targets
    stand on where it is not ``z`` (obstacles: :func:`with_obstacles`).
    """
    import numba

    from ..kernels.observer_batch import EXACT, FAST, REFINED, observer_batch

    codes = {"fast": FAST, "exact": EXACT, "refined": REFINED}

    check_batch_method(method)
    n = len(packed)
    nthreads = numba.get_num_threads() if threads is None else max(1, min(int(threads), numba.config.NUMBA_NUM_THREADS))
    nchunks = max(1, min(nthreads, n))
    window = packed.union_window() if window is None else window
    rows, cols = window[1] - window[0], window[3] - window[2]
    shape = (nchunks, rows, cols) if accumulate else (nchunks, 0, 0)
    count = np.zeros(shape if with_count else (nchunks, 0, 0), np.uint16)
    analysed = np.zeros(shape if with_analysed else (nchunks, 0, 0), np.uint16)
    keep_seen = accumulate and with_seen and n > 0
    word0 = first_index // WORD_BITS
    seen_out = (np.zeros((seen_words(first_index + n) - word0, rows, cols), np.uint64) if keep_seen else None)
    # the chunks' bits of the batch's word, OR-ed into seen_out after the batch
    seen = np.zeros(shape if keep_seen else (nchunks, 0, 0), np.uint64)
    mask_arr = np.zeros((0, 0), np.uint8) if mask is None else np.ascontiguousarray(mask, dtype=np.uint8)
    area = np.zeros(n, np.float64)
    analysed_area = np.zeros(n, np.float64)
    previous = numba.get_num_threads()
    numba.set_num_threads(nthreads)
    try:
        bounds = _batch_bounds(first_index, n, batch_size, keep_seen)
        for j, (start, stop) in enumerate(bounds):
            part = packed.take(slice(start, stop))
            a = np.zeros(len(part), np.float64)
            b = np.zeros(len(part), np.float64)
            observer_batch(z, z if zt is None else zt, y_m, dx_m, part.win, part.obs, part.par, codes[method],
                           first_index + start,
                           window[0], window[2], count, seen, analysed, row_area_km2, mask_arr, a, b)
            word = (first_index + start) // WORD_BITS
            if keep_seen and (j + 1 == len(bounds) or (first_index + bounds[j + 1][0]) // WORD_BITS != word):
                # the word is complete: its bits are in the chunks' masks, and nowhere else
                np.bitwise_or.reduce(seen, axis=0, out=seen_out[word - word0])
                seen.fill(0)
            area[start:stop] = a
            analysed_area[start:stop] = b
            if progress is not None:
                progress(len(part))
    finally:
        numba.set_num_threads(previous)
    if not accumulate:
        return BatchResult(None, None, None, area, analysed_area, window)
    return BatchResult(_sum_u16(count) if with_count else None, seen_out,
                       _sum_u16(analysed) if with_analysed else None, area, analysed_area, window, word0)


def _sum_u16(parts: np.ndarray) -> np.ndarray:
    total = parts.sum(axis=0, dtype=np.uint32)
    if total.size and total.max() > np.iinfo(np.uint16).max:
        raise InputError("more than 65535 observers see one cell; split the observers into groups")
    return total.astype(np.uint16)


def window_slices(window) -> tuple[slice, slice]:
    return slice(window[0], window[1]), slice(window[2], window[3])



def read_point_list(text: str) -> PointFile:
    """The points a user gave: a typed list (see :func:`split_point_list`) or a file of points.

    ``@FILE``, or the path of an existing ``.csv``/``.tsv``/``.txt``/``.geojson``/``.json``/``.gpkg``/``.shp``
    file, is read by :func:`terrain.point_files.read_points` (CSV with a header, GeoJSON, GeoPackage or
    Shapefile points, or one point a line); its ``heights_m`` are the observers' own heights, if the file has
    a height column.
    """
    text = str(text).strip()
    path = text[1:].strip() if text.startswith("@") else (text if is_point_file(text) else None)
    if path is not None:
        return read_points(path)
    return PointFile("", _split_typed(text))


def split_point_list(text: str) -> list:
    """Split a typed list of points: ``"A;B;C"``, or ``"Zayn al-Abidin,Jabal Kafra"`` when no ``;`` is used.

    With commas only, two neighbouring numbers are kept together as one
    ``lat,lon`` or ``xy:X,Y`` (``"35.2,36.7,Hama"`` is two points). ``@FILE`` (or the path of a CSV,
    GeoJSON, GeoPackage or Shapefile) reads the file's points (:func:`read_point_list`).
    """
    return read_point_list(text).points


def _split_typed(text: str) -> list[str]:
    import re

    text = str(text).strip()
    if ";" in text:
        items = [p.strip() for p in text.split(";")]
    else:
        number = re.compile(r"^\s*[-+]?\d+(?:\.\d*)?\s*[NSEWnsew]?\s*$")
        tokens = [t.strip() for t in text.split(",")]
        items, i = [], 0
        while i < len(tokens):
            first = tokens[i][3:] if tokens[i].lower().startswith("xy:") else tokens[i]
            if number.match(first) and i + 1 < len(tokens) and number.match(tokens[i + 1]):
                items.append(f"{tokens[i]},{tokens[i + 1]}")
                i += 2
            else:
                items.append(tokens[i])
                i += 1
    items = [p for p in items if p]
    if not items:
        raise InputError(f"no points in {text!r}; separate points with ';', e.g. \"35.20,36.77;Hama\"")
    return items
