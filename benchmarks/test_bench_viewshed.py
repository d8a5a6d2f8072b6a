"""pytest-benchmark timings of the viewshed methods (not part of the test suite: run them on purpose).

    pytest benchmarks/test_bench_viewshed.py --benchmark-only
    pytest benchmarks/test_bench_viewshed.py --benchmark-only --benchmark-compare   # against a saved run

The DEM is the deterministic 1201^2 fractal of ``bench_viewshed.py`` (30 m cells, UTM); the
observer stands 10 m above the centre. The side-by-side table with GDAL is ``bench_viewshed.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import terrain  # noqa: E402
from bench_viewshed import centre_xy, dem_path  # noqa: E402

N = 1201


@pytest.fixture(scope="module")
def dem():
    return terrain.load_dem(dem_path(N))


@pytest.fixture(scope="module")
def observer():
    x, y = centre_xy(N)
    return f"xy:{x},{y}"


@pytest.mark.parametrize("method", ["fast", "refined", "exact"])
def test_viewshed_whole_raster(benchmark, dem, observer, method):
    terrain.viewshed(dem, observer, observer_height=10, method=method)  # compile or load the cache first
    result = benchmark(terrain.viewshed, dem, observer, observer_height=10, method=method)
    assert (result.visible.values == 1).sum() > 0


@pytest.mark.parametrize("method", ["fast", "refined"])
def test_viewshed_10km(benchmark, dem, observer, method):
    terrain.viewshed(dem, observer, observer_height=10, max_distance=10_000, method=method)
    result = benchmark(terrain.viewshed, dem, observer, observer_height=10, max_distance=10_000, method=method)
    assert result.attrs["max_distance_m"] == 10_000


def test_load_and_fast_viewshed(benchmark, observer):
    path = dem_path(N)

    def run():
        return terrain.viewshed(terrain.load_dem(path), observer, observer_height=10, method="fast")

    run()
    benchmark(run)
