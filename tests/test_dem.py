"""Loading DEMs: every format, windows, mosaics, voids, errors."""

from __future__ import annotations

import gzip
import zipfile

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from terrain import DataError, InputError, load_dem
from terrain.dem import bounds_around, dem_from_array, to_utm

from synthetic import write_hgt


def tile_values(n=1201, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 3000, size=(n, n)).astype(np.int16)


def test_white_mountains_summit(white_mountains):
    dem = white_mountains
    assert dem.shape == (1201, 1201) and dem.dtype == np.float32
    assert float(dem.max()) == 1908.0
    r, c = np.unravel_index(int(np.nanargmax(dem.values)), dem.shape)
    assert (r, c) == (875, 836)
    assert float(dem.y[r]) == pytest.approx(44.2708, abs=1e-3)
    assert float(dem.x[c]) == pytest.approx(-71.3033, abs=1e-3)
    assert dem.rio.crs.to_epsg() == 4326
    assert dem.attrs["units"] == "m" and "SRTM" in dem.attrs["source"]
    # SRTM pixel centres sit on whole degrees
    assert float(dem.x[0]) == pytest.approx(-72.0) and float(dem.y[0]) == pytest.approx(45.0)


@pytest.mark.parametrize("kind", ["hgt", "zip", "gz", "tif"])
def test_every_format_reads_the_same(tmp_path, kind):
    vals = tile_values()
    vals[10, 20] = -32768
    hgt = write_hgt(tmp_path / "N35E036.hgt", vals)
    if kind == "zip":
        path = tmp_path / "N35E036.hgt.zip"
        with zipfile.ZipFile(path, "w") as zf:
            zf.write(hgt, "N35E036.hgt")
        hgt.unlink()
    elif kind == "gz":
        path = tmp_path / "N35E036.hgt.gz"
        path.write_bytes(gzip.compress(hgt.read_bytes()))
        hgt.unlink()
    elif kind == "tif":
        path = tmp_path / "dem.tif"
        res = 1 / 1200
        with rasterio.open(path, "w", driver="GTiff", width=1201, height=1201, count=1, dtype="int16",
                           crs="EPSG:4326", transform=from_origin(36 - res / 2, 36 + res / 2, res, res),
                           nodata=-32768, tiled=True, compress="deflate") as ds:
            ds.write(vals, 1)
    else:
        path = hgt
    dem = load_dem(path)
    assert dem.shape == (1201, 1201)
    assert np.isnan(dem.values[10, 20])
    ref = vals.astype(np.float32)
    ref[10, 20] = np.nan
    np.testing.assert_array_equal(dem.values, ref)
    assert float(dem.x[0]) == pytest.approx(36.0) and float(dem.y[0]) == pytest.approx(36.0)


def test_one_arc_second_tile(tmp_path):
    vals = np.arange(3601 * 3601, dtype=np.int64).reshape(3601, 3601) % 2000
    path = write_hgt(tmp_path / "S01W001.hgt", vals)
    dem = load_dem(path, bounds=(-0.51, -0.51, -0.49, -0.49))
    assert dem.rio.resolution()[0] == pytest.approx(1 / 3600)
    # the window holds the cell whose centre is -0.5, -0.5
    r = int(np.argmin(np.abs(dem.y.values + 0.5)))
    c = int(np.argmin(np.abs(dem.x.values + 0.5)))
    assert dem.values[r, c] == vals[1800, 1800]


def test_window_equals_slice_of_full_read(white_mountains_path, white_mountains):
    win = load_dem(white_mountains_path, bounds=(-71.5, 44.2, -71.2, 44.4))
    full = white_mountains
    r0 = int(np.argmin(np.abs(full.y.values - float(win.y[0]))))
    c0 = int(np.argmin(np.abs(full.x.values - float(win.x[0]))))
    np.testing.assert_array_equal(win.values, full.values[r0:r0 + win.shape[0], c0:c0 + win.shape[1]])
    assert float(win.x[0]) <= -71.5 + 1 / 2400 and float(win.x[-1]) >= -71.2 - 1 / 2400
    assert win.rio.transform().c == pytest.approx(float(win.x[0]) - 1 / 2400)


def test_around_reads_a_circle_box(white_mountains_path):
    dem = load_dem(white_mountains_path, around=(44.2708, -71.3033, 5000))
    assert float(dem.max()) == 1908.0
    w, s, e, n = dem.rio.bounds()
    assert n - s == pytest.approx(10000 / 111_100, rel=0.05)
    assert (e - w) * np.cos(np.radians(44.27)) * 111_300 == pytest.approx(10000, rel=0.06)


def test_window_is_read_from_disk_not_cropped(white_mountains_path, monkeypatch):
    calls = []
    real_read = rasterio.io.DatasetReader.read

    def spy(self, *args, **kwargs):
        calls.append(kwargs.get("window"))
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(rasterio.io.DatasetReader, "read", spy)
    dem = load_dem(white_mountains_path, around=(44.27, -71.30, 2000))
    assert calls and calls[0] is not None and calls[0].width < 100
    assert dem.shape[1] == calls[0].width


def test_mosaic_2x2_has_no_seam_duplication(tmp_path):
    n = 1201
    # one global field sampled on the four tiles: the shared edges hold equal values
    glob = (np.arange(2 * n - 1)[:, None] * 3 + np.arange(2 * n - 1)[None, :]) % 3000
    paths = []
    for i, lat in enumerate((36, 35)):
        for j, lon in enumerate((36, 37)):
            block = glob[i * (n - 1):i * (n - 1) + n, j * (n - 1):j * (n - 1) + n]
            paths.append(write_hgt(tmp_path / f"N{lat}E0{lon}.hgt", block))
    dem = load_dem(paths)
    assert dem.shape == (2 * n - 1, 2 * n - 1)
    np.testing.assert_array_equal(dem.values, glob.astype(np.float32))
    assert float(dem.y[0]) == pytest.approx(37.0) and float(dem.y[-1]) == pytest.approx(35.0)
    sub = load_dem(paths, bounds=(36.9, 35.9, 37.1, 36.1))
    assert sub.shape[0] == pytest.approx(0.2 * 1200 + 1, abs=2)
    assert np.isfinite(sub.values).all()


def test_errors_are_one_clear_sentence(tmp_path, white_mountains_path):
    with pytest.raises(FileNotFoundError, match="no such DEM file"):
        load_dem(tmp_path / "missing.hgt")
    bad = tmp_path / "N44W072.hgt"
    bad.write_bytes(b"\0" * 1000)
    with pytest.raises(DataError, match="truncated or corrupt"):
        load_dem(bad)
    notdem = tmp_path / "notes.tif"
    notdem.write_text("hello")
    with pytest.raises(DataError, match="not a readable elevation raster"):
        load_dem(notdem)
    with pytest.raises(InputError, match="outside the DEM"):
        load_dem(white_mountains_path, bounds=(10, 10, 11, 11))
    with pytest.raises(InputError, match="radius"):
        load_dem(white_mountains_path, around=(44.3, -71.3, -5))
    with pytest.raises(InputError, match="empty"):
        load_dem(white_mountains_path, bounds=(-71, 44, -72, 45))


def test_mismatched_crs_is_refused(tmp_path, white_mountains_path):
    path = tmp_path / "utm.tif"
    with rasterio.open(path, "w", driver="GTiff", width=10, height=10, count=1, dtype="float32",
                       crs="EPSG:32619", transform=from_origin(300000, 4900000, 30, 30)) as ds:
        ds.write(np.zeros((10, 10), np.float32), 1)
    with pytest.raises(InputError, match="reproject"):
        load_dem([white_mountains_path, path])


def test_projected_dem_and_utm_helper(white_mountains_path):
    dem = load_dem(white_mountains_path, around=(44.2708, -71.3033, 3000))
    utm = to_utm(dem, resolution_m=90)
    assert utm.rio.crs.to_epsg() == 32619
    assert float(np.nanmax(utm.values)) == pytest.approx(1908, abs=25)
    assert utm.dtype == np.float32


def test_dem_from_array_roundtrip():
    dem = dem_from_array(np.ones((5, 4)), (0, 30, 0, 150, 0, -30), crs="EPSG:32633")
    assert dem.shape == (5, 4) and dem.rio.resolution() == (30.0, -30.0)
    assert float(dem.x[0]) == 15.0 and float(dem.y[0]) == 135.0


def test_bounds_around_contains_circle():
    w, s, e, n = bounds_around(60.0, 10.0, 10_000)
    assert n - 60.0 == pytest.approx(0.0898, abs=2e-3)
    assert e - 10.0 >= 10_000 / (111_320 * np.cos(np.radians(n)))


@pytest.mark.parametrize("name", ["N44W072.hgt.zip", "./N44W072.hgt.zip", "N44W072.hgt.gz", "./N44W072.hgt.gz"])
def test_compressed_tiles_by_relative_name(tmp_path, monkeypatch, white_mountains_path, white_mountains, name):
    raw = white_mountains_path.read_bytes()
    with zipfile.ZipFile(tmp_path / "N44W072.hgt.zip", "w") as z:
        z.writestr("N44W072.hgt", raw)
    (tmp_path / "N44W072.hgt.gz").write_bytes(gzip.compress(raw))
    monkeypatch.chdir(tmp_path)
    dem = load_dem(name)
    np.testing.assert_array_equal(dem.values, white_mountains.values)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, 3e38, -3.4e38])
def test_infinite_and_fill_cells_are_voids(tmp_path, bad):
    """+-inf and float32 fill values load as NaN voids: info counts them, and every method sees them as voids."""
    import terrain

    z = np.full((41, 41), 100.0, dtype=np.float32)
    z[5, 7] = bad
    z[30, 30] = bad
    path = tmp_path / "dem.tif"
    with rasterio.open(path, "w", driver="GTiff", width=41, height=41, count=1, dtype="float32",
                       crs="EPSG:32633", transform=from_origin(500000, 4500000, 30, 30)) as dst:
        dst.write(z, 1)
    for dem in (load_dem(path), dem_from_array(z, from_origin(500000, 4500000, 30, 30), "EPSG:32633")):
        assert np.isnan(dem.values[5, 7]) and np.isnan(dem.values[30, 30])
        assert np.isfinite(dem.values).sum() == 41 * 41 - 2
        for method in ("fast", "refined", "exact"):
            vs = terrain.viewshed(dem, "xy:500615,4499385", method=method)
            assert vs.visible.values[5, 7] == 255 and np.isnan(vs.min_visible_height.values[5, 7])
    assert z[5, 7] == bad   # the caller's array is left as it was
    assert terrain.describe_dem(load_dem(path))["void_percent"] == pytest.approx(100 * 2 / 41**2)
