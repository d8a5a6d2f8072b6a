"""Download one file over HTTP(S) into place atomically, with a size cap, retries and a progress bar.

The file is written to a temporary file in the destination folder, checked,
and only then renamed over the destination (:func:`terrain.atomic.atomic_path`);
on any error, KeyboardInterrupt included, the temporary file is removed, so the
destination either holds a whole checked file or does not exist.

Time is bounded three ways: ``timeout_s`` for each wait on the server (connect,
each read), an overall deadline for the whole file, retries included
(:func:`default_deadline_s` unless given), and a minimum average rate over a
sliding window of :data:`RATE_WINDOW_S` seconds, so that a server trickling a
byte a second is given up within a window instead of holding the fetch forever.
"""

from __future__ import annotations

import http.client
import time
from collections import deque
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
#: Default lowest average transfer rate, bytes a second (4 kB/s), before a download is given up and retried.
DEFAULT_MIN_RATE_BYTES_S = 4_000.0
#: Seconds over which the transfer rate is averaged; the rate is first checked once this long has passed.
RATE_WINDOW_S = 30.0
#: The default deadline allows this many seconds for connecting and retries ...
DEADLINE_BASE_S = 60.0
#: ... plus the file's size at this rate, bytes a second (a slow 400 kbit/s line).
DEADLINE_RATE_BYTES_S = 50_000.0


class _Transient(Exception):
    """A failure that may pass if asked again (network trouble, busy server, cut-short body)."""


class _NotFound(Exception):
    """The server has no such file (HTTP 404)."""


def default_deadline_s(size_bytes: int) -> float:
    """Return the default overall deadline, seconds, for downloading ``size_bytes`` bytes.

    :data:`DEADLINE_BASE_S` plus the size at :data:`DEADLINE_RATE_BYTES_S`: 600 s for a 27 MB
    1" SRTM tile.
    """
    return DEADLINE_BASE_S + size_bytes / DEADLINE_RATE_BYTES_S


class _Pace:
    """The clock of one file's download: its overall deadline and its minimum average rate.

    ``deadline_s=None`` takes :func:`default_deadline_s` of the announced size (of ``max_bytes``
    until a size is announced). ``min_rate_bytes_s=0`` sets no minimum.
    """

    def __init__(self, url: str, deadline_s: float | None, max_bytes: int, min_rate_bytes_s: float,
                 window_s: float):
        self.url = url
        self.given_deadline_s = deadline_s
        self.deadline_s = deadline_s if deadline_s is not None else default_deadline_s(max_bytes)
        self.min_rate = min_rate_bytes_s
        self.window_s = window_s
        self.started = time.monotonic()
        self.attempt_started = self.started
        self.samples: deque = deque()

    def remaining_s(self) -> float:
        """Seconds left before the deadline."""
        return self.deadline_s - (time.monotonic() - self.started)

    def announce(self, length: int | None) -> None:
        """Scale the default deadline to the size the server announced."""
        if self.given_deadline_s is None and length is not None:
            self.deadline_s = default_deadline_s(length)

    def start_attempt(self) -> None:
        self.attempt_started = time.monotonic()
        self.samples = deque([(self.attempt_started, 0)])
        self.check_deadline(0)

    def check_deadline(self, received: int) -> None:
        """Raise FetchError once the deadline has passed."""
        if self.remaining_s() < 0:
            raise FetchError(f"the download of {self.url} passed its deadline of {self.deadline_s:g} s "
                             f"({received} bytes had arrived); nothing was saved: on a slow line raise --deadline, "
                             "or check --base-url")

    def check(self, received: int) -> None:
        """Raise FetchError past the deadline, _Transient when the rate over the window fell below the minimum."""
        self.check_deadline(received)
        if self.min_rate <= 0:
            return
        now = time.monotonic()
        samples = self.samples
        samples.append((now, received))
        while len(samples) > 1 and samples[1][0] <= now - self.window_s:
            samples.popleft()  # keep the one sample at or before the window's start
        if now - self.attempt_started < self.window_s:
            return  # grace: a transfer is judged only over a whole window
        t0, r0 = samples[0]
        rate = (received - r0) / (now - t0) if now > t0 else float("inf")
        if rate < self.min_rate:
            raise _Transient(f"the download of {self.url} slowed to {rate / 1000:.2g} kB/s over the last "
                             f"{now - t0:.3g} s, below the minimum of {self.min_rate / 1000:g} kB/s; nothing was "
                             "saved: run the fetch again later, or on a slow line lower --min-rate")


def download_file(url: str, dest: Path, *, max_bytes: int, check: Callable[[Path], None],
                  hint: str, label: str = "", timeout_s: float = 60.0, retries: int = 3,
                  backoff_s: float = 1.0, progress: bool = True, deadline_s: float | None = None,
                  min_rate_bytes_s: float = DEFAULT_MIN_RATE_BYTES_S, rate_window_s: float = RATE_WINDOW_S) -> bool:
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
        ``check(path)`` raises FetchError if the downloaded file is unfit; it is called on the whole
        temporary file just before that is renamed to ``dest``.
    hint : str
        Advice appended to network failures, e.g. "check the network or set --base-url".
    label : str
        Progress bar label.
    timeout_s : float
        Seconds to wait for the server at each step (connecting, each read).
    retries : int
        How many times to ask again after a transient failure.
    backoff_s : float
        Seconds before the first retry, doubled for each later one.
    progress : bool
        Show a progress bar on a terminal (never when stderr is not a TTY).
    deadline_s : float, optional
        Seconds the whole download may take, retries included; None: :func:`default_deadline_s`
        of the size the server announces.
    min_rate_bytes_s : float
        Give an attempt up (and retry) when its average rate over ``rate_window_s`` seconds falls
        below this many bytes a second; 0 sets no minimum.
    rate_window_s : float
        Seconds the rate is averaged over, and the grace before it is first judged.
    """
    pace = _Pace(url, deadline_s, max_bytes, min_rate_bytes_s, rate_window_s)
    try:
        with atomic_path(dest, suffix=".part") as tmp, open(tmp, "wb") as out:
            for attempt in range(retries + 1):
                try:
                    out.seek(0)
                    out.truncate()
                    if not _download_once(url, out, max_bytes, label, timeout_s, progress, hint, pace):
                        raise _NotFound
                    break
                except _Transient as exc:
                    if attempt == retries:
                        raise FetchError(str(exc)) from None
                    time.sleep(max(0.0, min(backoff_s * 2 ** attempt, pace.remaining_s())))
            out.close()
            check(tmp)
    except _NotFound:
        return False
    return True


def _download_once(url: str, out, max_bytes: int, label: str, timeout_s: float, progress: bool,
                   hint: str, pace: _Pace) -> bool:
    """Write the body of ``url`` to ``out``; return False on 404, raise _Transient or FetchError."""
    pace.start_attempt()
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        # never wait on one step past the deadline
        response = urllib.request.urlopen(request, timeout=max(1e-3, min(timeout_s, pace.remaining_s())))
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
        pace.check_deadline(0)  # a wait cut short by the deadline is reported as the deadline
        raise _Transient(f"could not reach {url}: {exc or type(exc).__name__}; {hint}") from None
    with response:
        length = _content_length(response)
        if length is not None and length > max_bytes:
            raise FetchError(f"{url} announces {length} bytes, more than the {max_bytes} a tile can be; "
                             "nothing was saved: check --base-url")
        pace.announce(length)
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
                    pace.check(received)
        except (OSError, http.client.HTTPException) as exc:
            pace.check_deadline(received)
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
