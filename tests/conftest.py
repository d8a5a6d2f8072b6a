"""Shared fixtures: paths to the bundled DEMs and small synthetic terrains."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "dem_samples"
WHITE_MOUNTAINS = SAMPLES / "N44W072.hgt"


@pytest.fixture(scope="session")
def white_mountains_path() -> Path:
    return WHITE_MOUNTAINS


@pytest.fixture(scope="session")
def white_mountains():
    from terrain import load_dem

    return load_dem(WHITE_MOUNTAINS)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Keep every test away from the user's real download cache."""
    monkeypatch.setenv("TERRAIN_CACHE", str(tmp_path_factory.mktemp("cache")))
