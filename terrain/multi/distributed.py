"""The many-observer analyses as tasks on a Dask cluster: cumulative viewsheds, overlook, visibility index.

The client prepares the observers (small arrays), scatters the elevation
array and its row geometry once (each worker fetches it when its first task
needs it; not ``broadcast=True``, whose replication is fragile and, with
content-hashed keys shared with an earlier call's release, lost keys and
cancelled tasks in CI; the keys are random, ``hash=False``), and
submits one task per batch of observers; each task runs the same numba kernel
as the local path (:func:`terrain.multi.observers.run_batches`, one thread per
task). Cumulative partial results (count, analysed, seen_by over the batch's
window) are merged pairwise on the workers (a tree reduction) and only the
final one travels back. Integer sums and bit ORs are exact, so the results are
identical to the single-process ones.

The cluster is an existing scheduler (``scheduler="tcp://host:8786"`` or the
``TERRAIN_SCHEDULER`` environment variable), an existing ``client``, or a
:class:`distributed.LocalCluster` of ``n_workers`` processes with one thread
each, started and closed around the call.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np
import xarray as xr

from ..methods import DEFAULT_METHOD
from ..earth import DEFAULT_REFRACTION
from ..errors import InputError
from .cumulative import as_dataset, cumulative_outputs, keep_seen_by
from .engine import plan_observers
from .observers import (BatchResult, PackedObservers, check_batch_method, observer_specs, run_batches,
                        split_target_grid)

SCHEDULER_ENV = "TERRAIN_SCHEDULER"


def _require_distributed():
    try:
        import distributed  # noqa: F401
    except ImportError as exc:
        raise InputError("the Dask path needs dask.distributed: pip install 'dask[distributed]'") from exc


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, n_workers: int | None = None, client=None, tasks: int | None = None):
    """Yield a :class:`distributed.Client`: ``client`` itself, one connected to ``scheduler`` (or
    ``$TERRAIN_SCHEDULER``), or one on a new LocalCluster of ``n_workers`` single-threaded processes.

    A local cluster gets no more workers than the machine has cores, nor than there are ``tasks``
    (observers) to share: a worker is a process of its own, and an idle one only costs memory.
    """
    if client is not None:
        yield client
        return
    _require_distributed()
    from distributed import Client, LocalCluster

    address = scheduler or os.environ.get(SCHEDULER_ENV)
    if address:
        try:
            c = Client(address)
        except OSError as exc:
            raise InputError(f"cannot reach the Dask scheduler at {address} ({exc}); start it (dask scheduler) "
                             "or leave out --scheduler and $TERRAIN_SCHEDULER to run on this machine") from None
        with c:
            yield c
        return
    workers = local_worker_count(n_workers, tasks)
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as c:
            yield c


def local_worker_count(n_workers: int | None, tasks: int | None = None) -> int:
    """Worker processes for a local cluster: ``n_workers`` (default: the cores), capped at the cores and the
    tasks, with a :class:`TerrainWarning` saying so when the request was larger."""
    import warnings

    from ..errors import TerrainWarning

    cores = max(1, os.cpu_count() or 1)
    want = int(n_workers) if n_workers else cores
    cap = min(cores, tasks) if tasks else cores
    cap = max(1, cap)
    if want > cap:
        why = (f"the {cores} cores of this machine" if cap == cores
               else f"the {tasks} observer{'s' if tasks != 1 else ''} to share")
        if n_workers:
            warnings.warn(f"{want} workers is more than {why}; starting {cap}", TerrainWarning, stacklevel=3)
        want = cap
    return want


def _batches(n: int, n_tasks: int, batch_size: int | None) -> list[slice]:
    size = batch_size or max(1, -(-n // max(n_tasks, 1)))
    return [slice(s, min(s + size, n)) for s in range(0, n, size)]


#: Tasks a worker of a cumulative job, by method. Every partial covers about the whole union window, so each
#: extra task adds a grid-sized merge: ``fast`` observers cost about the same, and one task a worker is
#: best. ``refined`` and ``exact`` ones vary (the cells in doubt, the terrain), and four tasks a worker
#: balance the load: 1,000 observers at 10 km on 3601^2, refined, 1 vs 2 workers went from 1.78x to 1.87x
#: (fast: 1.63x with one task a worker, 1.70x with four but 5 % slower on one worker).
CUMULATIVE_TASKS_PER_WORKER = {"fast": 1, "refined": 4, "exact": 4}


def _cumulative_task(z, zt, y_m, dx_m, row_area, packed: PackedObservers, method, first_index, with_seen, wide):
    window = packed.union_window()
    r = run_batches(z, y_m, dx_m, row_area, packed, method, with_seen=with_seen, window=window,
                    first_index=first_index, threads=1, zt=zt)
    # partials travel between worker processes: keep counts 16-bit unless the total could overflow them
    dtype = np.uint32 if wide else np.uint16
    return {"window": window, "count": r.count.astype(dtype, copy=False),
            "analysed": r.analysed.astype(dtype, copy=False),
            "seen": r.seen, "word0": r.word0, "start": first_index, "area": r.area,
            "analysed_area": r.analysed_area}


def _embed(part, window, words):
    """A partial's arrays placed in the larger ``window``, and its mask in the global words ``words = (w0, w1)``."""
    same_words = part["seen"] is None or words == _words(part)
    if part["window"] == window and same_words:
        return part["count"], part["analysed"], part["seen"]
    shape = (window[1] - window[0], window[3] - window[2])
    rs = slice(part["window"][0] - window[0], part["window"][1] - window[0])
    cs = slice(part["window"][2] - window[2], part["window"][3] - window[2])
    out = []
    for a in (part["count"], part["analysed"]):
        b = np.zeros(shape, a.dtype)
        b[rs, cs] = a
        out.append(b)
    seen = part["seen"]
    if seen is not None:
        b = np.zeros((words[1] - words[0],) + shape, seen.dtype)
        w = part["word0"] - words[0]
        b[w:w + seen.shape[0], rs, cs] = seen
        seen = b
    return out[0], out[1], seen


def _words(part) -> tuple[int, int]:
    """The global words ``[w0, w1)`` of a partial's mask."""
    if part["seen"] is None:
        return (0, 0)
    return part["word0"], part["word0"] + part["seen"].shape[0]


def _combine(a, b):
    """Merge two cumulative partials (sum counts, OR bit masks) over the window and the words holding both."""
    wa, wb = a["window"], b["window"]
    window = (min(wa[0], wb[0]), max(wa[1], wb[1]), min(wa[2], wb[2]), max(wa[3], wb[3]))
    (a0, a1), (b0, b1) = _words(a), _words(b)
    words = (min(a0, b0), max(a1, b1))
    ca, na, sa = _embed(a, window, words)
    cb, nb, sb = _embed(b, window, words)
    seen = None if sa is None else (sa | sb)
    return {"window": window, "count": ca + cb, "analysed": na + nb, "seen": seen, "word0": words[0],
            "start": min(a["start"], b["start"]),
            "area": np.concatenate([a["area"], b["area"]]) if a["start"] < b["start"] else
            np.concatenate([b["area"], a["area"]]),
            "analysed_area": np.concatenate([a["analysed_area"], b["analysed_area"]]) if a["start"] < b["start"]
            else np.concatenate([b["analysed_area"], a["analysed_area"]])}


def _tree_reduce(client, futures):
    while len(futures) > 1:
        nxt = [client.submit(_combine, futures[i], futures[i + 1], pure=False) for i in range(0, len(futures) - 1, 2)]
        if len(futures) % 2:
            nxt.append(futures[-1])
        futures = nxt
    return futures[0]


def _show_progress(futures, progress):
    if progress:
        from distributed import progress as dask_progress

        dask_progress(futures)


def cumulative_viewshed(dem: xr.DataArray, observers, method: str = DEFAULT_METHOD, scheduler: str | None = None,
                        n_workers: int | None = None, client=None, batch_size: int | None = None,
                        progress: bool = False, outputs=None, obstacles=None, targets_on_obstacles: bool = False,
                        observer_on_obstacle: bool = False, **viewshed_options) -> xr.Dataset:
    """:func:`terrain.multi.cumulative.cumulative_viewshed` on a Dask cluster (same arguments and result).

    ``scheduler``/``n_workers``/``client`` choose the cluster (see the module
    docstring); ``batch_size`` observers per task (default: about four tasks
    per worker).

    Examples
    --------
    >>> cv = cumulative_viewshed(dem, points, observer_height=10, max_distance=10_000, n_workers=2)  # doctest: +SKIP
    """
    check_batch_method(method)
    names = cumulative_outputs(outputs)
    viewshed_options, target_grid = split_target_grid(viewshed_options, observers)
    specs = observer_specs(observers, viewshed_options)
    plan = plan_observers(dem, specs, method, (obstacles, targets_on_obstacles, observer_on_obstacle, target_grid))
    setups, surf, packed = plan.setups, plan.surfaces, plan.packed
    with_seen = keep_seen_by(names, len(setups), packed.union_window())
    with dask_client(scheduler, n_workers, client, tasks=len(setups)) as c:
        geom = c.scatter(list(plan.geometry), hash=False)
        zt = geom[0] if surf.zt is surf.z else c.scatter(surf.zt, hash=False)
        nw = max(len(c.scheduler_info().get("workers", {})), 1)
        wide = len(setups) > np.iinfo(np.uint16).max
        futures = [c.submit(_cumulative_task, geom[0], zt, *geom[1:], packed.take(b), method, b.start, with_seen, wide,
                            pure=False)
                   for b in _batches(len(packed), CUMULATIVE_TASKS_PER_WORKER[method] * nw, batch_size)]
        _show_progress(futures, progress)
        part = _tree_reduce(c, futures).result()
    window = packed.union_window()
    count, analysed, seen = _embed(part, window, _words(part))
    if count.size and count.max() > np.iinfo(np.uint16).max:
        raise InputError("more than 65535 observers see one cell; split the observers into groups")
    result = BatchResult(count.astype(np.uint16), seen, analysed.astype(np.uint16), part["area"],
                         part["analysed_area"], window, part["word0"] if seen is not None else 0)
    ds = as_dataset(dem, result, setups, method, specs, surf.obstacles, targets_on_obstacles, observer_on_obstacle)
    ds.attrs["target_height_grid"] = int(target_grid is not None)
    # the partials always carry count and analysed (they are merged by them); keep what was asked for
    return ds.drop_vars([v for v in ("count", "analysed") if names is not None and v not in names])


def _fast_areas_task(z, y_m, dx_m, row_area, packed):
    from .vindex import visible_areas

    return visible_areas(z, y_m, dx_m, row_area, packed, threads=1)


def _areas_task(z, y_m, dx_m, row_area, packed, method, mask, zt=None):
    r = run_batches(z, y_m, dx_m, row_area, packed, method, accumulate=False, mask=mask, threads=1, zt=zt)
    return r.area, r.analysed_area


def _areas(c, geom, packed, method, mask_future, batch_size, progress, zt_future=None):
    nw = max(len(c.scheduler_info().get("workers", {})), 1)
    futures = [c.submit(_areas_task, *geom, packed.take(b), method, mask_future, zt_future, pure=False)
               for b in _batches(len(packed), 4 * nw, batch_size)]
    _show_progress(futures, progress)
    parts = c.gather(futures)
    if not parts:
        return np.zeros(0), np.zeros(0)
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def visibility_index(dem: xr.DataArray, radius: float = 10_000.0, stride: int = 1, observer_height: float = 2.0,
                     target_height: float = 0.0, curvature: bool = True, refraction: float = DEFAULT_REFRACTION,
                     method: str = DEFAULT_METHOD, absolute_heights: bool = False, scheduler: str | None = None,
                     n_workers: int | None = None, client=None, batch_size: int | None = None,
                     progress: bool = False, obstacles=None, targets_on_obstacles: bool = False,
                     observer_on_obstacle: bool = False) -> xr.DataArray:
    """:func:`terrain.multi.vindex.visibility_index` on a Dask cluster (same arguments and result)."""
    from .vindex import index_dataarray, plan_index

    plan = plan_index(dem, radius, stride, observer_height, target_height, curvature, refraction, method,
                      absolute_heights, obstacles, targets_on_obstacles, observer_on_obstacle)
    values = plan.empty_values()
    with dask_client(scheduler, n_workers, client, tasks=plan.observer_count()) as c:
        geom = c.scatter(list(plan.geometry), hash=False)
        zt_future = c.scatter(plan.zt, hash=False) if plan.zt is not None else None
        for i0, i1, packed, keep in plan.row_blocks():
            if method == "fast" and plan.zt is None:
                # the area-only sweep of terrain.kernels.observer_batch.visible_areas_fast, one thread per task
                nw = max(1, len(c.scheduler_info().get("workers", {})))
                futures = [c.submit(_fast_areas_task, *geom, packed.take(b), pure=False)
                           for b in _batches(len(packed), 4 * nw, batch_size)]
                _show_progress(futures, progress)
                area = np.concatenate(c.gather(futures)) if futures else np.zeros(0)
            else:
                area, _ = _areas(c, geom, packed, method, None, batch_size, progress, zt_future)
            values[i0:i1].reshape(-1)[keep] = area
    return index_dataarray(dem, plan, values)


def _target_areas_on(c, batch_size):
    """An ``areas_fn`` for :func:`terrain.multi.overlook.overlook`: the candidates' visible target areas on
    the Dask client ``c``."""
    def areas(dem_, specs, area, method_, threads=None, progress=False, obstacle_options=(None, False, False)):
        plan = plan_observers(dem_, specs, method_, obstacle_options)
        surf = plan.surfaces
        geom = c.scatter(list(plan.geometry), hash=False)
        zt = None if surf.zt is surf.z else c.scatter(surf.zt, hash=False)
        [mask] = c.scatter([area.mask], hash=False)
        visible, analysed = _areas(c, geom, plan.packed, method_, mask, batch_size, progress, zt)
        return visible, analysed, plan.eyes_m()

    return areas


def overlook(dem: xr.DataArray, target, candidates=None, scheduler: str | None = None, n_workers: int | None = None,
             client=None, batch_size: int | None = None, **options):
    """:func:`terrain.multi.overlook.overlook` with the candidates' viewsheds run on a Dask cluster."""
    from .overlook import overlook as local_overlook

    method = options.get("method", DEFAULT_METHOD)
    check_batch_method(method)
    options.pop("threads", None)
    with dask_client(scheduler, n_workers, client) as c:
        return local_overlook(dem, target, candidates, areas_fn=_target_areas_on(c, batch_size), **options)


def key_terrain(dem: xr.DataArray, target, scheduler: str | None = None, n_workers: int | None = None,
                client=None, batch_size: int | None = None, **options):
    """:func:`terrain.multi.overlook.key_terrain` with the summits' viewsheds run on a Dask cluster (the same
    table, attributes included)."""
    from .overlook import key_terrain as local_key_terrain

    check_batch_method(options.get("method", DEFAULT_METHOD))
    options.pop("threads", None)
    with dask_client(scheduler, n_workers, client) as c:
        return local_key_terrain(dem, target, areas_fn=_target_areas_on(c, batch_size), **options)
