"""What the machine can give a run: memory, for the checks made before long or large work starts."""

from __future__ import annotations


def rough_duration(seconds: float) -> str:
    """A duration for an estimate: ``"about 40 s"``, ``"about 12 minutes"``, ``"about 44 hours"``."""
    if seconds < 90:
        return f"about {seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"about {seconds / 60:.0f} minutes"
    return f"about {seconds / 3600:.0f} hours"


def format_bytes(n: float) -> str:
    """A size for a message: ``"640 MB"``, ``"5.2 GiB"``."""
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MB"


def available_memory_bytes() -> int | None:
    """Memory the system can still give (Linux ``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
