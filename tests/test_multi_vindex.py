"""Visibility index: every cell's value is the visible area of its own single viewshed."""

from __future__ import annotations

import numpy as np
import pytest
from test_multi_terrain import rough_dem, xy

from terrain import InputError, visible_area_km2
from terrain.multi.vindex import visibility_index
from terrain.viewshed import viewshed


@pytest.mark.parametrize("method", ["fast", "exact"])
def test_index_equals_single_viewshed_areas(method):
    dem = rough_dem(24, 28, seed=2)
    vi = visibility_index(dem, radius=360.0, stride=1, observer_height=3.0, method=method)
    assert vi.shape == dem.shape and vi.dtype == np.float32
    for r in range(dem.shape[0]):
        for c in range(0, dem.shape[1], 3):
            vs = viewshed(dem, xy(dem, r, c), observer_height=3.0, max_distance=360.0, method=method)
            assert float(vi.values[r, c]) == pytest.approx(visible_area_km2(vs), rel=1e-6), (r, c)


def test_stride_grid_and_geographic_dem():
    dem = rough_dem(40, 44, seed=5, geographic=True)
    vi = visibility_index(dem, radius=500.0, stride=4)
    assert vi.shape == (10, 11)
    assert np.allclose(vi.y.values, dem.y.values[::4]) and np.allclose(vi.x.values, dem.x.values[::4])
    assert vi.rio.transform().a == pytest.approx(dem.rio.transform().a * 4)
    # geographic rows: the index sums true areas from the whole grid; a window's edge rows differ by < 0.1 %
    for r, c in [(0, 0), (20, 24), (36, 40)]:
        vs = viewshed(dem, xy(dem, r, c), max_distance=500.0, method="fast")
        assert float(vi.values[r // 4, c // 4]) == pytest.approx(visible_area_km2(vs), rel=1e-3)


def test_voids_and_bad_input():
    dem = rough_dem(20, 20, seed=1)
    dem.values[4, 4] = np.nan
    vi = visibility_index(dem, radius=200.0)
    assert np.isnan(vi.values[4, 4]) and np.isfinite(vi.values[5, 5])
    with pytest.raises(InputError):
        visibility_index(dem, radius=0)
    with pytest.raises(InputError):
        visibility_index(dem, radius=100, stride=0)
    with pytest.raises(InputError):
        visibility_index(dem, radius=100, method="refined")
