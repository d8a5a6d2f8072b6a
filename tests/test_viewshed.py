"""The viewshed API: options, windows, attributes, summaries — on top of the kernels (tested in test_kernels_*)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import terrain
from terrain import InputError, dem_from_array, viewshed
from terrain.viewshed import analysed_area_km2, visible_area_km2, visible_percent, viewshed_summary


def plane(n=201, cell=30.0, z=0.0, crs="EPSG:32633"):
    return dem_from_array(np.full((n, n), z, np.float32), (500000, cell, 0, 4000000 + n * cell, 0, -cell), crs=crs)


def centre(dem):
    t = dem.rio.transform()
    n = dem.shape[0] // 2
    return f"xy:{t.c + (n + 0.5) * t.a},{t.f + (n + 0.5) * t.e}"


def test_flat_plane_is_all_visible_without_curvature():
    dem = plane()
    vs = viewshed(dem, centre(dem), curvature=False, method="exact")
    assert (vs.visible.values == 1).all()
    assert np.nanmax(vs.min_visible_height.values) == 0.0
    assert visible_percent(vs) == pytest.approx(100.0)
    assert visible_area_km2(vs) == pytest.approx(201 * 201 * 0.0009, rel=1e-6)


def test_radius_window_and_ring():
    dem = plane(n=301)
    vs = viewshed(dem, centre(dem), max_distance=1500, min_distance=300, curvature=False, method="fast")
    # only the window within the radius comes back: 2 * 1500 / 30 + 1 cells, plus rounding
    assert vs.sizes["x"] <= 103 and vs.sizes["y"] <= 103
    ring = np.pi * (1.5 ** 2 - 0.3 ** 2)
    assert analysed_area_km2(vs) == pytest.approx(ring, rel=0.03)
    r0, c0 = vs["observer_row"].item(), vs["observer_col"].item()
    assert vs.visible.values[r0, c0] == 255  # inside the inner radius
    assert vs.visible.values[r0, c0 + 20] == 1
    assert np.isnan(vs.min_visible_height.values[0, 0])


def test_sector_and_pitch():
    dem = plane(n=201)
    vs = viewshed(dem, centre(dem), azimuth=(45, 135), curvature=False, method="fast")
    r0, c0 = vs["observer_row"].item(), vs["observer_col"].item()
    v = vs.visible.values
    assert v[r0, c0 + 50] == 1  # due east
    assert v[r0 - 50, c0] == 255  # due north: outside the sector
    assert analysed_area_km2(vs) == pytest.approx(visible_area_km2(vs))
    wrap = viewshed(dem, centre(dem), azimuth=(300, 60), curvature=False, method="fast")
    assert wrap.visible.values[r0 - 50, c0] == 1 and wrap.visible.values[r0 + 50, c0] == 255
    # a 10 m eye over a flat plane looks down on everything: pitch -1..30 keeps only the far ground
    far = viewshed(dem, centre(dem), observer_height=10, pitch=(-1, 30), curvature=False, method="fast")
    w = far.visible.values
    assert w[r0, c0 + 10] == 255  # 300 m away, 1.9 degrees down
    assert w[r0, c0 + 95] == 1  # 2850 m away, 0.2 degrees down


@pytest.mark.parametrize("kwargs, words", [
    (dict(max_distance=-5), "greater than zero"),
    (dict(max_distance=0), "greater than zero"),
    (dict(max_distance=1000, min_distance=2000), "not below"),
    (dict(azimuth=(90, 90)), "empty"),
    (dict(pitch=(30, -10)), "pitch"),
    (dict(observer_height=-2), "negative"),
    (dict(method="magic"), "unknown viewshed method"),
])
def test_bad_options(kwargs, words):
    dem = plane(n=21)
    with pytest.raises(InputError, match=words):
        viewshed(dem, centre(dem), **kwargs)


def test_observer_off_map_or_in_void(white_mountains):
    with pytest.raises(InputError, match="outside the DEM"):
        viewshed(white_mountains, "35.2,36.7")
    dem = white_mountains.isel(x=slice(800, 900), y=slice(800, 900)).copy()
    dem.values[75, 36] = np.nan
    with pytest.raises(InputError, match="void"):
        viewshed(dem, f"{float(dem.y[75])},{float(dem.x[36])}")
    nocrs = dem_from_array(np.zeros((9, 9)), (0, 30, 0, 270, 0, -30))
    with pytest.raises(InputError, match="no CRS"):
        viewshed(nocrs, "1,1")


def test_attributes_record_everything(white_mountains):
    vs = viewshed(white_mountains, "44.2708,-71.3033", observer_height=10, target_height=2, max_distance=5000,
                  method="fast")
    a = vs.attrs
    assert a["observer_height_m"] == 10 and a["target_height_m"] == 2 and a["max_distance_m"] == 5000
    assert a["method"] == "fast" and a["terrain_version"] == terrain.__version__
    assert vs["observer_lat"].item() == pytest.approx(44.2708) and vs["observer_eye_m"].item() == 1918.0
    assert "kernel_seconds" not in a  # no timings: identical runs give identical results
    assert vs.rio.crs.to_epsg() == 4326
    assert vs.visible.dtype == np.uint8 and vs.min_visible_height.dtype == np.float32
    # on the DEM's grid: coordinates are a subset of the DEM's
    assert np.isin(vs.x.values, white_mountains.x.values).all()
    s = viewshed_summary(vs)
    assert 0 < s["visible_km2"] < s["analysed_km2"] <= math.pi * 25 * 1.02


def test_visible_iff_mvh_below_target(white_mountains):
    vs = viewshed(white_mountains, "44.2708,-71.3033", target_height=5, max_distance=8000, method="exact")
    v, m = vs.visible.values, vs.min_visible_height.values
    analysed = v != 255
    np.testing.assert_array_equal(v[analysed] == 1, m[analysed] <= 5)


def test_absolute_heights(white_mountains):
    rel = viewshed(white_mountains, "44.2708,-71.3033", observer_height=10, max_distance=5000, method="fast")
    ab = viewshed(white_mountains, "44.2708,-71.3033", observer_height=1918, absolute_heights=True,
                  max_distance=5000, method="fast")
    np.testing.assert_array_equal(rel.visible.values, ab.visible.values)


def test_geographic_area_uses_true_cell_areas(white_mountains):
    vs = viewshed(white_mountains, "44.2708,-71.3033", max_distance=10_000, curvature=False, method="fast")
    # the analysed disc has the area of a 10 km circle, measured on the ellipsoid
    assert analysed_area_km2(vs) == pytest.approx(math.pi * 100, rel=0.02)


def test_cf_flags_nodata_and_observer_coordinates(white_mountains):
    """CF flag attributes and nodata the rioxarray way; the observer as scalar coordinates."""
    vs = viewshed(white_mountains, "44.2708,-71.3033", max_distance=4000, method="fast")
    v = vs.visible
    assert list(v.attrs["flag_values"]) == [0, 1] and v.attrs["flag_meanings"] == "hidden visible"
    assert v.rio.nodata == 255 and v.attrs["_FillValue"] == 255 and (v.values == 255).any()
    assert math.isnan(vs.min_visible_height.rio.nodata) and math.isnan(vs.elevation_angle.rio.nodata)
    assert vs["observer_lat"].ndim == 0 and vs["observer_lat"].item() == pytest.approx(44.2708)
    assert vs["observer_eye_m"].item() == pytest.approx(vs["observer_ground_m"].item() + 2.0)
    assert not any(k.startswith("observer_") and k != "observer_height_m" for k in vs.attrs)


def test_viewsheds_concat_along_observer_as_cumulative_results(white_mountains):
    import xarray as xr

    a = viewshed(white_mountains, "44.2708,-71.3033", method="fast", outputs=("visible",))
    b = viewshed(white_mountains, "44.2,-71.4", method="fast", outputs=("visible",))
    both = xr.concat([a, b], dim="observer")
    assert both.visible.dims == ("observer", "y", "x") and both.visible.dtype == np.uint8
    np.testing.assert_allclose(both.observer_lat.values, [44.2708, 44.2], atol=1e-3)
    assert both.observer_eye_m.dims == ("observer",)
    np.testing.assert_array_equal(both.visible.isel(observer=1).values, b.visible.values)


def test_identical_runs_have_identical_attributes(white_mountains):
    """No timings in the attributes: two runs of the same viewshed are equal, attributes included."""
    a = viewshed(white_mountains, "44.2708,-71.3033", max_distance=3000, method="fast")
    b = viewshed(white_mountains, "44.2708,-71.3033", max_distance=3000, method="fast")
    assert a.identical(b) and "kernel_seconds" not in a.attrs


def test_rio_to_raster_writes_nodata_and_flags(white_mountains, tmp_path):
    import rasterio

    vs = viewshed(white_mountains, "44.2708,-71.3033", max_distance=4000, method="fast")
    vs.visible.rio.to_raster(tmp_path / "v.tif")
    with rasterio.open(tmp_path / "v.tif") as ds:
        assert ds.nodata == 255 and ds.dtypes[0] == "uint8" and ds.crs.to_epsg() == 4326
        np.testing.assert_array_equal(ds.read(1), vs.visible.values)
        assert ds.tags()["flag_meanings"] == "hidden visible"
    vs[["min_visible_height", "elevation_angle"]].rio.to_raster(tmp_path / "f.tif")
    with rasterio.open(tmp_path / "f.tif") as ds:
        assert ds.count == 2 and math.isnan(ds.nodata)
        np.testing.assert_array_equal(ds.read(1), vs.min_visible_height.values)


def test_radius_past_the_dem_warns_with_the_area_lost(white_mountains):
    import warnings

    from terrain.errors import TerrainWarning

    with pytest.warns(TerrainWarning, match=r"runs past the edge of the DEM: ([\d.]+) km² of the 1256\.6 km²") as rec:
        vs = viewshed(white_mountains, "44.95,-71.5", max_distance=20_000, method="fast", outputs=("visible",))
    msg = next(str(w.message) for w in rec if issubclass(w.category, TerrainWarning))
    lost = float(msg.split("DEM: ")[1].split(" km²")[0])
    assert lost == pytest.approx(math.pi * 20.0 ** 2 - analysed_area_km2(vs), abs=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TerrainWarning)
        viewshed(white_mountains, "Mount Washington", max_distance=20_000, method="fast", outputs=("visible",))
        # a sector that looks away from the edge loses nothing
        viewshed(white_mountains, "44.95,-71.5", max_distance=20_000, azimuth=(120, 240), method="fast",
                 outputs=("visible",))


def test_radius_past_a_window_loaded_from_a_file_reads_the_rest(white_mountains, white_mountains_path):
    import warnings

    from terrain import load_dem
    from terrain.errors import TerrainWarning

    small = load_dem(white_mountains_path, around=(44.2708, -71.3033, 5000))
    with warnings.catch_warnings():
        warnings.simplefilter("error", TerrainWarning)
        vs = viewshed(small, "Mount Washington", max_distance=15_000, method="fast")
    whole = viewshed(white_mountains, "Mount Washington", max_distance=15_000, method="fast")
    assert vs.sizes == whole.sizes and vs.sizes["y"] > small.sizes["y"]
    for name in ("visible", "min_visible_height", "elevation_angle"):
        np.testing.assert_array_equal(vs[name].values, whole[name].values)
    assert analysed_area_km2(vs) == pytest.approx(math.pi * 15.0 ** 2, rel=0.01)

    # values changed in memory are kept: a 500 m wall just east of the summit, inside the loaded window
    walled = small.copy(deep=True)
    r, c = np.unravel_index(int(np.nanargmax(walled.values)), walled.shape)
    walled.values[r - 3:r + 4, c + 3] = 2500.0
    vw = viewshed(walled, "Mount Washington", max_distance=15_000, method="fast")
    assert vw.sizes == whole.sizes
    assert analysed_area_km2(vw) == pytest.approx(analysed_area_km2(whole))
    assert int((vw.visible == 1).sum()) < int((whole.visible == 1).sum()) - 1000

    # a DEM built in memory has no files to read: the warning stands
    from terrain import dem_from_array

    mem = dem_from_array(small.values, small.rio.transform(), crs=small.rio.crs)
    with pytest.warns(TerrainWarning, match="runs past the edge of the DEM"):
        viewshed(mem, "44.2708,-71.3033", max_distance=15_000, method="fast", outputs=("visible",))
