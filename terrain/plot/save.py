"""Saving figures atomically (nothing half-written on failure)."""

from __future__ import annotations

from pathlib import Path

from ..atomic import atomic_path
from ..output_paths import check_output


def save_figure(fig, path, dpi: int = 150, overwrite: bool = False) -> Path:
    """Save a matplotlib figure to ``path`` atomically, close it, and return the path.

    ``path`` is checked by :func:`terrain.output_paths.check_output` (an existing read-only file is
    replaced only with ``overwrite=True``).
    """
    import matplotlib.pyplot as plt

    path = check_output(path, overwrite=overwrite, what="figure")
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".") or "png")
    plt.close(fig)
    return path
