"""Progress of long many-observer runs, on stderr: a tqdm bar on a terminal, else a line every few seconds.

Logs and batch jobs see progress too (``done / total, rate, time left``), without the carriage returns a
bar writes. A run that ends before the first line prints nothing.
"""

from __future__ import annotations

import sys
import time

#: Seconds between progress lines when stderr is not a terminal.
LINE_EVERY_S = 5.0


class LineProgress:
    """tqdm's ``update``/``close`` interface, writing one plain line every :data:`LINE_EVERY_S` seconds."""

    def __init__(self, total: int, desc: str, unit: str = "observer", every_s: float = LINE_EVERY_S, file=None):
        self.total, self.desc, self.unit, self.every_s = int(total), desc, unit, float(every_s)
        self.file = file if file is not None else sys.stderr
        self.n = 0
        self.start = self.last = time.monotonic()
        self.lines = 0

    def _line(self, now: float) -> str:
        elapsed = max(now - self.start, 1e-9)
        rate = self.n / elapsed
        pct = 100.0 * self.n / self.total if self.total else 100.0
        left = (self.total - self.n) / rate if rate > 0 else float("inf")
        eta = f"about {left:.0f} s left" if left < float("inf") else "time left unknown"
        return (f"{self.desc}: {self.n:,} / {self.total:,} {self.unit}s ({pct:.0f} %), {rate:,.1f}/s, {eta}")

    def update(self, n: int = 1) -> None:
        self.n += int(n)
        now = time.monotonic()
        if now - self.last >= self.every_s:
            self.last = now
            self.lines += 1
            print(self._line(now), file=self.file, flush=True)

    def close(self) -> None:
        if self.lines:
            elapsed = time.monotonic() - self.start
            print(f"{self.desc}: {self.n:,} {self.unit}s done in {elapsed:.0f} s", file=self.file, flush=True)


def progress_bar(total: int, desc: str, unit: str = "observer"):
    """A progress reporter with ``update(n)`` and ``close()``: tqdm on a terminal, :class:`LineProgress` else."""
    if sys.stderr.isatty():
        from tqdm.auto import tqdm

        return tqdm(total=total, unit=unit, desc=desc)
    return LineProgress(total, desc, unit)
