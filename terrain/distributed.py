"""Many-observer analyses on a dask.distributed cluster (``terrain.distributed``).

The implementation lives in :mod:`terrain.multi.distributed`; this module is the
public name users import. A LocalCluster is started by default, or give an
existing scheduler's address (``scheduler="tcp://host:8786"`` or the
``TERRAIN_SCHEDULER`` environment variable).
"""

from .multi.distributed import cumulative_viewshed, dask_client, overlook, visibility_index

__all__ = ["cumulative_viewshed", "visibility_index", "overlook", "dask_client"]
