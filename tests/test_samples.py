"""Tests of terrain.samples and of the SYNTHETIC Hama stand-in it falls back to."""

from __future__ import annotations

import hashlib
import importlib.util
import math
import sys

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin
from scipy import ndimage

import terrain.fetch
from terrain import samples
from terrain.errors import DataError
from terrain.places import find_place
from terrain.samples import HAMA_BOUNDS, SYNTHETIC_LABEL, hama_dem_paths, samples_dir, white_mountains_dem_path

#: Stand-in heights the gazetteer's places must have (metres) and the tolerance (metres).
CONTROL_HEIGHTS_M = {"Hama": 305, "Zayn al-Abidin": 650, "Jabal Kafra": 640, "Qamhana": 338, "Souran": 350}
TOLERANCE_M = 10

K_REFRACTION = 0.13
EARTH_RADIUS_M = 6_371_008.8


# --- samples_dir and the White Mountains tile ---------------------------------------------------

def test_samples_dir_is_the_repository_folder(monkeypatch):
    monkeypatch.delenv("TERRAIN_SAMPLES", raising=False)
    folder = samples_dir()
    assert folder.name == "dem_samples" and folder.is_dir()
    assert (folder / "PROVENANCE.md").is_file()


def test_samples_dir_override_and_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("TERRAIN_SAMPLES", str(tmp_path))
    assert samples_dir() == tmp_path
    monkeypatch.setenv("TERRAIN_SAMPLES", str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="TERRAIN_SAMPLES"):
        samples_dir()


def test_missing_sample_file_is_a_data_error(tmp_path, monkeypatch):
    monkeypatch.setenv("TERRAIN_SAMPLES", str(tmp_path))
    with pytest.raises(DataError, match="N44W072.hgt is missing"):
        white_mountains_dem_path()
    with pytest.raises(DataError, match="hama_standin.tif is missing"):
        hama_dem_paths()


def test_white_mountains_tile():
    path = white_mountains_dem_path()
    assert path.name == "N44W072.hgt"
    assert path.stat().st_size == 2 * 1201 * 1201


# --- hama_dem_paths: real tiles from the cache, else the stand-in ---------------------------------

def test_hama_falls_back_to_standin_when_cache_is_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("TERRAIN_CACHE", str(tmp_path))
    paths, is_synthetic = hama_dem_paths()
    assert is_synthetic is True
    assert [p.name for p in paths] == ["hama_standin.tif"]
    assert paths[0].is_file()


def test_hama_uses_cached_tiles_when_they_cover_the_area(tmp_path, monkeypatch):
    tiles = [tmp_path / "N34E036.hgt.gz", tmp_path / "N35E036.hgt.gz"]
    asked = []

    def fake_find_cached_tiles(bounds):
        asked.append(tuple(bounds))
        return [str(t) for t in tiles]

    monkeypatch.setattr(terrain.fetch, "find_cached_tiles", fake_find_cached_tiles)
    assert hama_dem_paths() == (tiles, False)
    assert asked == [HAMA_BOUNDS]


def test_hama_falls_back_when_fetch_lacks_the_function(monkeypatch):
    monkeypatch.delattr(terrain.fetch, "find_cached_tiles")
    assert hama_dem_paths()[1] is True


def test_hama_falls_back_when_fetch_module_is_absent(monkeypatch):
    monkeypatch.setitem(sys.modules, "terrain.fetch", None)  # import now raises ImportError
    assert hama_dem_paths()[1] is True


# --- the stand-in GeoTIFF --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def standin():
    """(heights int16 array, dataset profile, tags, transform) of the committed stand-in."""
    with rasterio.open(samples_dir() / "hama_standin.tif") as ds:
        return ds.read(1), ds.profile, ds.tags(), ds.transform, ds.tags(ns="IMAGE_STRUCTURE"), ds.block_shapes


def _cell(transform, place):
    row, col = rasterio.transform.rowcol(transform, place.lon, place.lat)
    return int(row), int(col)


def test_standin_grid(standin):
    z, profile, _, transform, structure, blocks = standin
    assert profile["crs"].to_epsg() == 4326
    assert z.shape == (1800, 2160) and z.dtype == np.int16
    assert transform.almost_equals(from_origin(36.45, 35.45, 1 / 3600, 1 / 3600), precision=1e-12)
    west, north = transform * (0, 0)
    east, south = transform * (z.shape[1], z.shape[0])
    assert np.allclose((west, south, east, north), HAMA_BOUNDS, atol=1e-9)
    assert profile["nodata"] == -32768 and not (z == -32768).any()
    assert profile["tiled"] and blocks == [(256, 256)]
    assert structure["COMPRESSION"] == "DEFLATE" and structure["PREDICTOR"] == "2"
    assert (samples_dir() / "hama_standin.tif").stat().st_size < 8e6


def test_standin_is_tagged_synthetic(standin):
    tags = standin[2]
    assert SYNTHETIC_LABEL == "SYNTHETIC stand-in — not SRTM"
    assert tags["TIFFTAG_IMAGEDESCRIPTION"].startswith(SYNTHETIC_LABEL)
    assert tags["SOURCE"].startswith(SYNTHETIC_LABEL)
    assert tags["SYNTHETIC"] == "1"
    assert tags["GENERATOR"].startswith("make_hama_standin.py") and tags["SEED"] in tags["GENERATOR"]


@pytest.mark.parametrize("name, height_m", CONTROL_HEIGHTS_M.items())
def test_standin_heights_at_control_points(name, height_m):
    place = find_place(name)
    with rasterio.open(samples_dir() / "hama_standin.tif") as ds:
        value = next(ds.sample([(place.lon, place.lat)]))[0]
    assert abs(int(value) - height_m) <= TOLERANCE_M, (name, value)


def test_summit_ranges_match_the_sources(standin):
    z, transform = standin[0], standin[3]
    assert 620 <= z[_cell(transform, find_place("Zayn al-Abidin"))] <= 672
    assert 625 <= z[_cell(transform, find_place("Jabal Kafra"))] <= 648


def test_summits_are_local_maxima_with_prominence(standin):
    z, transform = standin[0], standin[3]
    zayn, kafra = _cell(transform, find_place("Zayn al-Abidin")), _cell(transform, find_place("Jabal Kafra"))
    assert z[zayn] == z.max() > z[kafra], "Zayn al-Abidin is the highest point of the stand-in"
    for r, c in (zayn, kafra):  # highest cell within ~1.5 km (50 rows, 60 columns)
        assert z[r, c] == z[r - 50:r + 51, c - 60:c + 61].max()
    # Key col of Jabal Kafra: the highest level at which it is still joined to Zayn al-Abidin.
    low, high = 300, int(z[kafra])  # joined at `low`, not at `high`
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (mid, high) if _joined(z > mid, zayn, kafra) else (low, mid)
    assert z[kafra] - low > 100
    # Zayn al-Abidin, the highest point of the map, is joined to no higher ground: its
    # prominence within the map is at least Jabal Kafra's.


def _joined(mask, a, b) -> bool:
    labels, _ = ndimage.label(mask)
    return labels[a] != 0 and labels[a] == labels[b]


def _sees(z, transform, observer, target, observer_height_m=2.0, target_height_m=0.0) -> bool:
    """Sampling line of sight over the nearest cells, curved earth with refraction k = 0.13."""
    (r0, c0), (r1, c1) = _cell(transform, observer), _cell(transform, target)
    lat_m = 111_000.0 * abs(transform.e)
    lon_m = 111_000.0 * abs(transform.a) * math.cos(math.radians((observer.lat + target.lat) / 2))
    x0, y0 = ~transform * (observer.lon, observer.lat)
    x1, y1 = ~transform * (target.lon, target.lat)
    distance = math.hypot((x1 - x0) * lon_m, (y1 - y0) * lat_m)
    t = np.linspace(0.0, 1.0, int(distance / 5.0) + 1)[1:-1]
    rows = np.floor(y0 + t * (y1 - y0)).astype(int)
    cols = np.floor(x0 + t * (x1 - x0)).astype(int)
    between = ~(((rows == r0) & (cols == c0)) | ((rows == r1) & (cols == c1)))
    d = t[between] * distance
    drop = (1 - K_REFRACTION) / (2 * EARTH_RADIUS_M)
    eye = z[r0, c0] + observer_height_m
    ground = z[rows[between], cols[between]] - drop * d ** 2
    aim = (z[r1, c1] + target_height_m - drop * distance ** 2 - eye) / distance
    return bool(np.all((ground - eye) / d < aim))


@pytest.mark.parametrize("summit", ["Zayn al-Abidin", "Jabal Kafra"])
def test_summits_see_hama(standin, summit):
    assert _sees(standin[0], standin[3], find_place(summit), find_place("Hama"))


@pytest.mark.parametrize("village", ["Souran", "Maardes"])
def test_hama_is_hidden_behind_the_hills(standin, village):
    assert not _sees(standin[0], standin[3], find_place(village), find_place("Hama"))
    assert not _sees(standin[0], standin[3], find_place(village), find_place("Hama"), 10.0, 10.0)


def test_los_oracle_sees_across_flat_ground():
    z = np.full((100, 100), 300, dtype=np.int16)
    transform = from_origin(36.0, 35.1, 1 / 3600, 1 / 3600)
    a = type("P", (), {"lat": 35.09, "lon": 36.005})
    b = type("P", (), {"lat": 35.08, "lon": 36.02})
    assert _sees(z, transform, a, b)
    z[60:65, :] = 320
    assert not _sees(z, transform, a, b)


def test_standin_has_competing_hills_valley_and_plain(standin):
    z, transform = standin[0], standin[3]

    def box(west, south, east, north):
        r0, c0 = rasterio.transform.rowcol(transform, west, north)
        r1, c1 = rasterio.transform.rowcol(transform, east, south)
        return z[r0:r1, c0:c1]

    assert 450 <= box(36.85, 34.95, 37.05, 35.15).max() <= 550  # a lower hill east/south-east
    assert 265 <= box(36.73, 35.11, 36.77, 35.15).min() <= 280  # the Orontes at Hama, ~30 m below the city
    assert 160 <= np.median(box(36.45, 35.40, 36.50, 35.45)) <= 210  # the plain in the north-west corner


# --- the generator ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def generator():
    path = samples_dir() / "make_hama_standin.py"
    spec = importlib.util.spec_from_file_location("make_hama_standin", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_matches_the_gazetteer(generator):
    assert generator.SYNTHETIC_LABEL == SYNTHETIC_LABEL
    assert generator.BOUNDS == HAMA_BOUNDS
    for name, (lat, lon, height) in generator.CONTROL_HEIGHTS_M.items():
        place = find_place(name)
        assert (place.lat, place.lon) == (lat, lon)
        assert CONTROL_HEIGHTS_M[name] == height


def test_generator_is_deterministic(generator):
    a, transform = generator.build_hama_standin(cells_per_degree=240, seed=7)
    b, _ = generator.build_hama_standin(cells_per_degree=240, seed=7)
    c, _ = generator.build_hama_standin(cells_per_degree=240, seed=8)
    assert a.shape == (120, 144) and a.dtype == np.int16
    assert hashlib.sha256(a.tobytes()).hexdigest() == hashlib.sha256(b.tobytes()).hexdigest()
    assert not np.array_equal(a, c)
    assert transform.almost_equals(from_origin(36.45, 35.45, 1 / 240, 1 / 240), precision=1e-12)


def test_generator_writes_a_tagged_geotiff(generator, tmp_path):
    path = generator.make_hama_standin(tmp_path / "small.tif", cells_per_degree=240, seed=7)
    expected, _ = generator.build_hama_standin(cells_per_degree=240, seed=7)
    with rasterio.open(path) as ds:
        assert np.array_equal(ds.read(1), expected)
        assert ds.crs.to_epsg() == 4326 and ds.nodata == -32768
        assert ds.tags()["SOURCE"].startswith(SYNTHETIC_LABEL)
        assert ds.tags()["GENERATOR"] == "make_hama_standin.py --seed 7"
        zayn = find_place("Zayn al-Abidin")
        assert next(ds.sample([(zayn.lon, zayn.lat)]))[0] == 650
