"""Numba kernels: plain arrays in, plain arrays out; no files, no CRSs.

Numba's on-disk cache (``cache=True``) is keyed on each module's own source, but
kernels here compile in functions from their sibling modules: when a sibling
changes, a cached caller would silently keep the old machine code. So on import
the package hashes all kernel sources and drops the cached code when they differ
from the last import.

Numba caches beside the sources (``__pycache__``) or, where that cannot be
written, in the user's cache folder (``~/.cache/numba``). Where neither can be
written (a read-only install run without a writable HOME), numba would refuse to
load any kernel ("cannot cache function ...: no locator available"); so before
any kernel is compiled, the package checks both and, if need be, points numba at
a private folder in the temporary directory, with one warning. A
``NUMBA_CACHE_DIR`` already set is numba's to use and is left alone.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
import warnings
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _sources_digest() -> str:
    """SHA-256 of every kernel module's name and source."""
    digest = hashlib.sha256()
    for src in sorted(_HERE.glob("*.py")):
        digest.update(src.name.encode())
        digest.update(src.read_bytes())
    return digest.hexdigest()


def _drop_stale_cache(digest: str) -> None:
    try:
        cache = _HERE / "__pycache__"
        stamp = cache / "terrain_kernels.deps"
        if stamp.exists() and stamp.read_text() == digest:
            return
        for f in list(cache.glob("*.nbi")) + list(cache.glob("*.nbc")):
            f.unlink()
        cache.mkdir(exist_ok=True)
        stamp.write_text(digest)
    except OSError:  # a read-only install: numba caches elsewhere (_ensure_numba_can_cache)
        pass


def _writable_folder(path: Path) -> bool:
    """Whether a file can be created in ``path`` (made if missing), tested as numba tests it."""
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def _numba_user_cache_dir() -> Path | None:
    """The user-wide folder numba caches in when it cannot cache beside the sources, or None if unknown."""
    try:
        from numba.misc.appdirs import AppDirs

        return Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)
    except Exception:  # not where this numba keeps it: treat as unwritable
        return None


def _private_temp_folder(digest: str) -> Path:
    """A folder in the temporary directory only this user can write, named after the kernel sources.

    The same folder serves later runs (so kernels compile once per version) if it is a real
    folder owned by this user and closed to others; otherwise a fresh one is made.
    """
    if hasattr(os, "getuid"):
        folder = Path(tempfile.gettempdir()) / f"terrain-numba-{os.getuid()}-{digest[:16]}"
        try:
            folder.mkdir(mode=0o700, exist_ok=True)
            info = os.lstat(folder)
            if (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
                    and not info.st_mode & 0o077 and _writable_folder(folder)):
                return folder
        except OSError:
            pass
    return Path(tempfile.mkdtemp(prefix="terrain-numba-"))


def _ensure_numba_can_cache(digest: str) -> None:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    in_tree = _HERE / "__pycache__"
    if _writable_folder(in_tree):
        return
    user = _numba_user_cache_dir()
    if user is not None and _writable_folder(user):
        return
    try:
        folder = _private_temp_folder(digest)
    except OSError as exc:
        warnings.warn(f"numba cannot cache terrain's compiled kernels: {in_tree}, {user} and the temporary "
                      f"directory are not writable ({exc.strerror or exc}); set NUMBA_CACHE_DIR to a writable "
                      "folder", RuntimeWarning, stacklevel=2)
        return
    from numba.core import config

    config.CACHE_DIR = str(folder)             # this process (numba read its settings on import)
    os.environ["NUMBA_CACHE_DIR"] = str(folder)  # worker processes share it, without warning again
    warnings.warn(f"numba cannot cache terrain's compiled kernels beside them ({in_tree}) or in the user "
                  f"cache ({user or 'unknown'}), so they are cached in {folder}; set NUMBA_CACHE_DIR to a "
                  "writable folder to choose where", RuntimeWarning, stacklevel=2)


def _prepare_cache() -> None:
    try:
        digest = _sources_digest()
    except OSError:  # sources unreadable: numba will say what is wrong
        return
    _drop_stale_cache(digest)
    _ensure_numba_can_cache(digest)


_prepare_cache()
