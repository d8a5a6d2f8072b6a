"""Cumulative viewsheds: exactly the sum of the single viewsheds, bit masks, per-observer options, helpers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from test_multi_terrain import rough_dem, xy

from terrain import InputError, visible_area_km2
from terrain.multi import cumulative as cum
from terrain.multi.cumulative import (area_km2, coverage_summary, cumulative_viewshed, dead_ground, seen_by_all,
                                      seen_by_observer, union_coverage)
from terrain.viewshed import viewshed

DEM = rough_dem(70, 80, seed=1)
POINTS = [xy(DEM, 8, 8), xy(DEM, 35, 40), xy(DEM, 62, 75), xy(DEM, 20, 65)]


def on_grid(dem, vs, grid):
    """Place a viewshed's ``visible`` on ``grid``'s cells (255 outside its window)."""
    out = np.full((grid.sizes["y"], grid.sizes["x"]), 255, np.uint8)
    ri = grid.indexes["y"].get_indexer(vs.y)
    ci = grid.indexes["x"].get_indexer(vs.x)
    out[np.ix_(ri, ci)] = vs["visible"].values
    return out


def singles(points, method, **opts):
    return [viewshed(DEM, p, method=method, **opts) for p in points]


@pytest.mark.parametrize("method", ["fast", "refined", "exact"])
def test_count_and_bits_equal_single_viewsheds(method):
    opts = dict(observer_height=5.0, max_distance=1200.0)
    cv = cumulative_viewshed(DEM, POINTS, method=method, **opts)
    vs = singles(POINTS, method, **opts)
    grids = [on_grid(DEM, v, cv) for v in vs]
    assert np.array_equal(cv["count"].values, sum((g == 1).astype(int) for g in grids))
    assert np.array_equal(cv["analysed"].values, sum((g != 255).astype(int) for g in grids))
    for i, g in enumerate(grids):
        assert np.array_equal(seen_by_observer(cv, i).values, g == 1)
        assert cv["visible_km2"].values[i] == pytest.approx(visible_area_km2(vs[i]), rel=1e-12)
    assert cv["count"].dtype == np.uint16 and cv["seen_by"].dtype == np.uint64


def test_per_observer_options_lists_and_dicts():
    heights = [2.0, 20.0, 5.0]
    radii = [600.0, 1500.0, 900.0]
    cv = cumulative_viewshed(DEM, POINTS[:3], observer_height=heights, max_distance=radii,
                             azimuth=[None, (90, 270), None])
    cv2 = cumulative_viewshed(DEM, [{"point": p, "observer_height": h, "max_distance": r}
                                    for p, h, r in zip(POINTS[:3], heights, radii)],
                              azimuth=[None, (90, 270), None])
    assert np.array_equal(cv["seen_by"].values, cv2["seen_by"].values)
    vs = [viewshed(DEM, p, observer_height=h, max_distance=r, azimuth=a)
          for p, h, r, a in zip(POINTS[:3], heights, radii, [None, (90, 270), None])]
    assert np.array_equal(cv["count"].values, sum((on_grid(DEM, v, cv) == 1).astype(int) for v in vs))
    # the result's grid is the union of the observers' windows
    assert cv.sizes["y"] <= DEM.sizes["y"] and cv.sizes["y"] >= max(v.sizes["y"] for v in vs)


def test_threads_do_not_change_the_result():
    a = cumulative_viewshed(DEM, POINTS * 3, threads=1, max_distance=900.0)
    b = cumulative_viewshed(DEM, POINTS * 3, threads=2, max_distance=900.0)
    assert np.array_equal(a["count"].values, b["count"].values)
    assert np.array_equal(a["seen_by"].values, b["seen_by"].values)


def test_coverage_helpers_and_areas():
    cv = cumulative_viewshed(DEM, POINTS, observer_height=40.0)  # whole DEM
    count, analysed = cv["count"].values, cv["analysed"].values
    assert cv.sizes["y"] == DEM.sizes["y"] and cv.sizes["x"] == DEM.sizes["x"]
    assert np.array_equal(union_coverage(cv).values, count > 0)
    assert np.array_equal(seen_by_all(cv).values, count == len(POINTS))
    assert np.array_equal(dead_ground(cv).values, (analysed > 0) & (count == 0))
    assert dead_ground(cv).values.any() and seen_by_all(cv).values.any()
    cell_km2 = 0.03 * 0.03
    assert area_km2(union_coverage(cv)) == pytest.approx((count > 0).sum() * cell_km2, rel=1e-9)
    s = coverage_summary(cv)
    assert s["seen_by_any_km2"] + s["dead_ground_km2"] == pytest.approx(s["analysed_km2"], abs=2e-3)
    assert s["max_count"] == len(POINTS)


MANY = [xy(DEM, r, c) for r in range(3, 68, 5) for c in range(3, 78, 8)]  # 130 observers: three words


@pytest.mark.parametrize("method", ["fast", "refined"])
def test_seen_by_holds_any_number_of_observers(method):
    assert len(MANY) == 130
    opts = dict(observer_height=3.0, max_distance=350.0)
    cv = cumulative_viewshed(DEM, MANY, method=method, **opts)
    assert cv["seen_by"].dims == ("word", "y", "x") and cv["seen_by"].sizes["word"] == 3
    picked = [0, 1, 63, 64, 65, 100, 127, 128, 129]
    vs = {i: viewshed(DEM, MANY[i], method=method, **opts) for i in picked}
    for i in picked:
        assert np.array_equal(seen_by_observer(cv, i).values, on_grid(DEM, vs[i], cv) == 1), i
    bits = cv["seen_by"].values
    popcount = sum(((bits[i // 64] >> np.uint64(i % 64)) & np.uint64(1)).astype(int) for i in range(len(MANY)))
    assert np.array_equal(popcount, cv["count"].values)
    assert not (bits[2] >> np.uint64(2)).any()  # no bits past the last observer
    one_thread = cumulative_viewshed(DEM, MANY, method=method, threads=1, **opts)
    assert np.array_equal(one_thread["seen_by"].values, bits)
    # the helpers on a subset of the observers, from the bits
    subset = [1, 64, 129]
    singles_on_grid = [on_grid(DEM, vs[i], cv) == 1 for i in subset]
    assert np.array_equal(union_coverage(cv, subset).values, np.logical_or.reduce(singles_on_grid))
    assert np.array_equal(seen_by_all(cv, subset).values, np.logical_and.reduce(singles_on_grid))
    assert np.array_equal(dead_ground(cv, subset).values,
                          (cv["analysed"].values > 0) & ~np.logical_or.reduce(singles_on_grid))
    assert np.array_equal(union_coverage(cv, range(len(MANY))).values, union_coverage(cv).values)
    with pytest.raises(InputError, match="out of range"):
        seen_by_observer(cv, 130)


def test_outputs_name_the_grids_and_seen_by_is_left_out_when_too_large(monkeypatch):
    pts = MANY[:70]
    cv = cumulative_viewshed(DEM, pts, max_distance=300.0, outputs=("count", "analysed"))
    assert "seen_by" not in cv
    with pytest.raises(InputError, match="outputs="):
        seen_by_observer(cv, 0)
    only = cumulative_viewshed(DEM, pts, max_distance=300.0, outputs=("count",))
    assert "analysed" not in only and "seen_by" not in only
    assert np.array_equal(only["count"].values, cv["count"].values)
    assert np.array_equal(only["visible_km2"].values, cv["visible_km2"].values)
    with pytest.raises(InputError, match="analysed"):
        dead_ground(only)
    with pytest.raises(InputError, match="not understood"):
        cumulative_viewshed(DEM, pts, outputs=("visible",))
    monkeypatch.setattr(cum, "SEEN_BY_AUTO_BYTES", 1000)
    with pytest.warns(UserWarning, match="seen_by .* 70 observers"):
        auto = cumulative_viewshed(DEM, pts, max_distance=300.0)
    assert "seen_by" not in auto and np.array_equal(auto["count"].values, cv["count"].values)
    kept = cumulative_viewshed(DEM, pts, max_distance=300.0, outputs=("count", "analysed", "seen_by"))
    assert kept["seen_by"].sizes["word"] == 2 and int(kept["count"].max()) > 1
    bits = cumulative_viewshed(DEM, pts, max_distance=300.0, outputs="seen_by")
    assert set(bits.data_vars) >= {"seen_by"} and "count" not in bits
    assert np.array_equal(bits["seen_by"].values, kept["seen_by"].values)
    assert np.array_equal(union_coverage(bits, range(70)).values, union_coverage(kept).values)


def test_bad_input_is_refused():
    with pytest.raises(InputError):
        cumulative_viewshed(DEM, [])
    with pytest.raises(InputError):
        cumulative_viewshed(DEM, POINTS, observer_height=[1.0, 2.0])
    with pytest.raises(InputError, match="observer 2"):
        cumulative_viewshed(DEM, [POINTS[0], "xy:0,0"])
    with pytest.raises(InputError):
        cumulative_viewshed(DEM, POINTS, bogus=1)


@settings(max_examples=8, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 69), st.integers(0, 79)), min_size=1, max_size=5),
       st.floats(0.0, 30.0))
def test_count_is_the_sum_of_bits(cells, height):
    cv = cumulative_viewshed(DEM, [xy(DEM, r, c) for r, c in cells], observer_height=height, max_distance=700.0)
    bits = cv["seen_by"].values[0]
    popcount = sum(((bits >> np.uint64(i)) & np.uint64(1)).astype(int) for i in range(len(cells)))
    assert np.array_equal(popcount, cv["count"].values)
    assert (cv["count"].values <= cv["analysed"].values).all()


def test_count_files_keep_dead_ground_apart_from_not_analysed(tmp_path):
    """A count GeoTIFF or NetCDF used to write 0 both for dead ground and for cells no observer analysed."""
    import rasterio
    import xarray as xr

    from terrain.export import write_geotiff, write_netcdf

    cv = cumulative_viewshed(DEM, POINTS[:2], observer_height=3.0, max_distance=900.0)
    not_analysed = cv["analysed"].values == 0
    dead = dead_ground(cv).values
    assert not_analysed.any() and dead.any()
    write_geotiff(cv, tmp_path / "c.tif", "count")
    with rasterio.open(tmp_path / "c.tif") as src:
        a = src.read(1, masked=True)
        assert src.nodata == 65535
    assert np.array_equal(a.mask, not_analysed)
    assert np.array_equal(a.filled(1) == 0, dead)
    assert np.array_equal(a.data[~not_analysed], cv["count"].values[~not_analysed])
    write_netcdf(cv.drop_vars("observer_name"), tmp_path / "c.nc")
    with xr.open_dataset(tmp_path / "c.nc") as back:
        assert np.array_equal(back["count"].isnull().values, not_analysed)
        assert np.array_equal(back["seen_by"].values, cv["seen_by"].values)
    assert int(cv["count"].values[not_analysed].max()) == 0  # in memory the count stays a plain count
