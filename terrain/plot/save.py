"""Saving figures atomically (nothing half-written on failure)."""

from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_path


def save_figure(fig, path, dpi: int = 150) -> Path:
    """Save a matplotlib figure to ``path`` atomically, close it, and return the path."""
    import matplotlib.pyplot as plt

    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".") or "png")
    plt.close(fig)
    return path
