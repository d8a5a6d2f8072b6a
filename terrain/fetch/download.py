"""Download one file over HTTP(S) into place atomically, with a size cap, retries and a progress bar.

The file is written to a temporary file in the destination folder, checked,
and only then renamed over the destination (:func:`terrain.atomic.atomic_path`);
on any error, KeyboardInterrupt included, the temporary file is removed, so the
destination either holds a whole checked file or does not exist.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from tqdm import tqdm

from .. import __version__
from ..atomic import atomic_path
from ..errors import FetchError

USER_AGENT = f"terrain/{__version__} (+https://pypi.org/project/terrain)"
#: HTTP statuses worth asking again for.
TRANSIENT_HTTP_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
CHUNK_BYTES = 1 << 16


class _Transient(Exception):
    """A failure that may pass if asked again (network trouble, busy server, cut-short body)."""


class _NotFound(Exception):
    """The server has no such file (HTTP 404)."""


def download_file(url: str, dest: Path, *, max_bytes: int, check: Callable[[Path], None],
                  hint: str, label: str = "", timeout_s: float = 60.0, retries: int = 3,
                  backoff_s: float = 1.0, progress: bool = True) -> bool:
    """Download ``url`` to ``dest``; return True, or False when the server answers 404 (no such file).

    Parameters
    ----------
    url : str
        What to download (http, https or file URL).
    dest : pathlib.Path
        Where the checked file goes; its folder is created if needed.
    max_bytes : int
        Refuse a download announced as or growing beyond this many bytes.
    check : callable
        ``check(path)`` raises FetchError if the downloaded file is unfit.
    hint : str
        Advice appended to network failures, e.g. "check the network or set --base-url".
    label : str
        Progress bar label.
    timeout_s : float
        Seconds to wait for the server at each step.
    retries : int
        How many times to ask again after a transient failure.
    backoff_s : float
        Seconds before the first retry, doubled for each later one.
    progress : bool
        Show a progress bar on a terminal (never when stderr is not a TTY).
    """
    try:
        with atomic_path(dest, suffix=".part") as tmp, open(tmp, "wb") as out:
            for attempt in range(retries + 1):
                try:
                    out.seek(0)
                    out.truncate()
                    if not _download_once(url, out, max_bytes, label, timeout_s, progress, hint):
                        raise _NotFound
                    break
                except _Transient as exc:
                    if attempt == retries:
                        raise FetchError(str(exc)) from None
                    time.sleep(backoff_s * 2 ** attempt)
            out.close()
            check(tmp)
    except _NotFound:
        return False
    return True


def _download_once(url: str, out, max_bytes: int, label: str, timeout_s: float, progress: bool,
                   hint: str) -> bool:
    """Write the body of ``url`` to ``out``; return False on 404, raise _Transient or FetchError."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as exc:
        exc.close()
        if exc.code == 404:
            return False
        if exc.code in TRANSIENT_HTTP_STATUSES:
            raise _Transient(f"could not reach {url}: HTTP {exc.code} {exc.reason}; {hint}") from None
        raise FetchError(f"could not download {url}: HTTP {exc.code} {exc.reason}; {hint}") from None
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, FileNotFoundError):  # file:// base URL without the tile
            return False
        reason = getattr(exc.reason, "strerror", None) or exc.reason  # "Connection refused", not "[Errno 111] ..."
        raise _Transient(f"could not reach {url}: {reason}; {hint}") from None
    except (OSError, http.client.HTTPException) as exc:
        raise _Transient(f"could not reach {url}: {exc or type(exc).__name__}; {hint}") from None
    with response:
        length = _content_length(response)
        if length is not None and length > max_bytes:
            raise FetchError(f"{url} announces {length} bytes, more than the {max_bytes} a tile can be; "
                             "nothing was saved: check --base-url")
        received = 0
        try:
            with tqdm(total=length, desc=label or None, unit="B", unit_scale=True, unit_divisor=1024,
                      leave=False, disable=None if progress else True) as bar:
                read = getattr(response, "read1", response.read)  # read1: what has arrived, no waiting for more
                while chunk := read(CHUNK_BYTES):
                    received += len(chunk)
                    if received > max_bytes:
                        raise FetchError(f"{url} sent more than the {max_bytes} bytes a tile can be; "
                                         "nothing was saved: check --base-url")
                    out.write(chunk)
                    bar.update(len(chunk))
        except (OSError, http.client.HTTPException) as exc:
            raise _Transient(f"the download of {url} broke off after {received} bytes "
                             f"({exc or type(exc).__name__}); run the fetch again, or {hint}") from None
    if length is not None and received != length:
        raise _Transient(f"the download of {url} was cut short at {received} of {length} bytes; "
                         f"run the fetch again, or {hint}")
    return True


def _content_length(response) -> int | None:
    """Return the Content-Length the server announced, or None."""
    value = response.headers.get("Content-Length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
