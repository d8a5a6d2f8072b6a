"""Visibility index: every cell's value is the visible area of its own single viewshed."""

from __future__ import annotations

import numpy as np
import pytest
from test_multi_terrain import rough_dem, xy

from terrain import InputError, visible_area_km2
from terrain.multi.vindex import visibility_index
from terrain.viewshed import viewshed


@pytest.mark.parametrize("method", ["fast", "refined", "exact"])
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
        visibility_index(dem, radius=100, method="bogus")


def _areas_both_ways(dem, radius, observer_height=3.0, target_height=0.0, curvature=True, absolute_heights=False,
                     stride=1, threads=None, block=4):
    """Visible areas of every ``stride``-th cell from the index kernel and from the general batch kernel."""
    from terrain.earth import DEFAULT_REFRACTION, curvature_factor
    from terrain.multi.observers import dem_geometry, run_batches
    from terrain.multi.vindex import observer_cells, pack_grid_observers, visible_areas

    z, y_m, dx_m, row_area = dem_geometry(dem)
    rows, cols = observer_cells(z.shape, stride)
    packed, _ = pack_grid_observers(z, y_m, dx_m, rows, cols, radius, observer_height, target_height,
                                    curvature_factor(curvature, DEFAULT_REFRACTION), absolute_heights)
    new = visible_areas(z, y_m, dx_m, row_area, packed, threads=threads, batch_size=97, block=block)
    old = run_batches(z, y_m, dx_m, row_area, packed, "fast", accumulate=False).area
    return new, old, float(row_area.min())


@pytest.mark.parametrize("case", [
    dict(n=30, m=26, seed=3, radius=420.0),                          # the disc cuts the square window
    dict(n=22, m=31, seed=4, radius=5000.0),                         # windows clipped by the grid on every side
    dict(n=28, m=28, seed=6, radius=300.0, geographic=True),         # rows of different widths
    dict(n=24, m=24, seed=7, radius=400.0, target_height=4.0, curvature=False),
    dict(n=24, m=20, seed=8, radius=350.0, absolute_heights=True, observer_height=260.0, target_height=0.5),
    dict(n=26, m=24, seed=9, radius=380.0, voids=True),
])
def test_index_kernel_counts_the_cells_the_batch_kernel_sees(case):
    """The index kernel (sweep + counting, disc only) sees exactly the cells of the general kernel (H + fold)."""
    case = dict(case)
    dem = rough_dem(case.pop("n"), case.pop("m"), seed=case.pop("seed"), geographic=case.pop("geographic", False))
    if case.pop("voids", False):
        rng = np.random.default_rng(0)
        dem.values[rng.integers(0, dem.shape[0], 40), rng.integers(0, dem.shape[1], 40)] = np.nan
    new, old, cell_km2 = _areas_both_ways(dem, **case)
    assert np.all(old > 0)
    # the same cells, summed in the same order: equal to the last bit
    assert np.array_equal(new, old), np.max(np.abs(new - old)) / cell_km2


def test_index_kernel_does_not_depend_on_threads_or_blocks():
    dem = rough_dem(30, 30, seed=11)
    a, _, _ = _areas_both_ways(dem, 400.0, stride=2, threads=1, block=1)
    b, _, _ = _areas_both_ways(dem, 400.0, stride=2, threads=2, block=7)
    assert np.array_equal(a, b)
