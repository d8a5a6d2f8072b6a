"""Small synthetic terrains and files for tests (imported by test modules)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def write_hgt(path: Path, values: np.ndarray) -> Path:
    """Write an SRTM .hgt (big-endian int16) with ``values``."""
    np.asarray(values, dtype=">i2").tofile(path)
    return path
