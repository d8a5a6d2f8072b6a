"""Helpers that look at rendered figures (imported by the plot test modules)."""

from __future__ import annotations

import numpy as np


def rgb_at(ax, x, y) -> np.ndarray:
    """The rendered RGB at map coordinates (x, y)."""
    fig = ax.figure
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    px, py = ax.transData.transform((x, y))
    return img[img.shape[0] - int(round(py)), int(round(px))]


def uniform_cell(mask: np.ndarray) -> tuple[int, int]:
    """A cell whose 5 x 5 neighbourhood is entirely inside ``mask`` (far from class edges)."""
    rows, cols = mask.shape
    for r in range(2, rows - 2):
        for c in range(2, cols - 2):
            if mask[r - 2:r + 3, c - 2:c + 3].all():
                return r, c
    raise AssertionError("no uniform 5x5 block in the mask")
