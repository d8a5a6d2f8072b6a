"""Writing files atomically: a temporary file in the same folder, renamed into place only on success.

An interrupted or failed write leaves nothing half-written behind. A symbolic link is followed to the
file it names (the link stays a link); an existing device or FIFO (``/dev/null``, ``/dev/stdout``) is
written through once the result is complete, never renamed over. Which paths may be written at all is
decided by :mod:`terrain.output_paths`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from .output_paths import is_pass_through

# read once at import (os.umask can only be read by setting it, which is not thread-safe later)
_UMASK = os.umask(0o022)
os.umask(_UMASK)


@contextlib.contextmanager
def atomic_path(path, suffix: str | None = None):
    """Yield a temporary path for ``path``; put it in place only if the block succeeds.

    A regular file (or a new one) is replaced by a rename in its own folder; a device or FIFO is
    written through from a temporary file elsewhere.
    """
    path = Path(path)
    if is_pass_through(path):
        folder = tempfile.mkdtemp(prefix=".terrain-")
        tmp = Path(folder) / f"out{suffix or path.suffix}"
        try:
            yield tmp
            with open(tmp, "rb") as src, open(path, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    path = Path(os.path.realpath(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix or path.suffix, dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp makes the file private (0600); give it the permissions a plain open() would
        os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
