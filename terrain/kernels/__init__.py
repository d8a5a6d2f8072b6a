"""Numba kernels: plain arrays in, plain arrays out; no files, no CRSs.

Numba's on-disk cache (``cache=True``) is keyed on each module's own source, but
kernels here compile in functions from their sibling modules: when a sibling
changes, a cached caller would silently keep the old machine code. So on import
the package hashes all kernel sources and drops the cached code when they differ
from the last import.
"""

from __future__ import annotations


def _drop_stale_cache() -> None:
    import hashlib
    from pathlib import Path

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    try:
        for src in sorted(here.glob("*.py")):
            digest.update(src.name.encode())
            digest.update(src.read_bytes())
        cache = here / "__pycache__"
        stamp = cache / "terrain_kernels.deps"
        if stamp.exists() and stamp.read_text() == digest.hexdigest():
            return
        for f in list(cache.glob("*.nbi")) + list(cache.glob("*.nbc")):
            f.unlink()
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest.hexdigest())
    except OSError:  # a read-only install: numba compiles afresh anyway
        pass


_drop_stale_cache()
