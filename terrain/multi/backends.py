"""Where a many-observer analysis runs: ``backend="local"`` (numba threads on this machine, the default) or
``backend="dask"`` (a ``dask.distributed`` cluster: ``client=`` a :class:`distributed.Client`, ``scheduler=``
an address, or ``n_workers=`` for a LocalCluster started for the call). Results are the same, bit for bit,
on either. ``client``, ``scheduler`` and ``n_workers`` go only with ``backend="dask"``."""

from __future__ import annotations

from ..errors import InputError

#: The backends every many-observer function takes.
BACKENDS = ("local", "dask")


def use_dask(backend: str, client=None, scheduler: str | None = None, n_workers: int | None = None) -> bool:
    """Whether to run on Dask, with the backend options checked (one sentence naming the fix when not)."""
    if backend not in BACKENDS:
        raise InputError(f"unknown backend {backend!r}; choose 'local' (numba threads, the default) or 'dask' "
                         "(with client=, scheduler= or n_workers=)")
    if backend == "local" and (client is not None or scheduler is not None or n_workers is not None):
        raise InputError("client=, scheduler= and n_workers= choose a Dask cluster; add backend='dask' to use it, "
                         "or leave them out to run on this machine's threads")
    return backend == "dask"
