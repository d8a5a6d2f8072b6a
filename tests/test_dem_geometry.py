"""Geometry is right or refused (issue #10 §2): orientation, rotation, projected scale, antimeridian, poles,
packed heights and bands, through the API and the CLI."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import rasterio
from affine import Affine
from click.testing import CliRunner
from pyproj import Transformer

import terrain
from terrain.cli.main import cli
from terrain.dem import bounds_around, load_dem, read_dem
from terrain.errors import InputError
from terrain.grid import row_geometry


def _terrain(rows=120, cols=150, seed=3):
    """An asymmetric little landscape: a hill off-centre, a ridge to the east, noise."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:rows, 0:cols].astype(np.float64)
    z = 300.0 + 120.0 * np.exp(-((yy - 40) ** 2 + (xx - 50) ** 2) / 400.0)
    z += 80.0 * np.exp(-((xx - 120) ** 2) / 60.0) * (yy / rows)
    z += rng.normal(0.0, 3.0, z.shape)
    return z.astype(np.float32)


def _write(path, values, transform, crs="EPSG:4326", dtype="float32", nodata=None, **tags_scale):
    values = np.asarray(values)
    count = 1 if values.ndim == 2 else values.shape[0]
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[-1], height=values.shape[-2], count=count,
                       dtype=dtype, crs=crs, transform=transform, nodata=nodata) as ds:
        ds.write(values.astype(dtype) if values.ndim == 3 else values.astype(dtype)[None])
        if "scale" in tags_scale:
            ds.scales = (tags_scale["scale"],) * count
            ds.offsets = (tags_scale.get("offset", 0.0),) * count
    return path


NORTH_UP = Affine(1 / 1200, 0.0, 36.5, 0.0, -1 / 1200, 35.3)
OBSERVER = "35.2667,36.5417"   # on the hill (row 40, col 50)


def _south_up(z):
    t = NORTH_UP
    return z[::-1], Affine(t.a, 0.0, t.c, 0.0, -t.e, t.f + t.e * z.shape[0])


def _east_west(z):
    t = NORTH_UP
    return z[:, ::-1], Affine(-t.a, 0.0, t.c + t.a * z.shape[1], 0.0, t.e, t.f)


@pytest.mark.parametrize("flip", [_south_up, _east_west])
def test_flipped_rasters_load_north_up_with_the_same_cells(tmp_path, flip):
    z = _terrain()
    _write(tmp_path / "north.tif", z, NORTH_UP)
    zf, tf = flip(z)
    _write(tmp_path / "flipped.tif", zf, tf)
    a = load_dem(tmp_path / "north.tif")
    b = load_dem(tmp_path / "flipped.tif")
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_allclose(b.y.values, a.y.values, atol=1e-12)
    np.testing.assert_allclose(b.x.values, a.x.values, atol=1e-12)
    assert b.rio.transform().e < 0 and b.rio.transform().a > 0


@pytest.mark.parametrize("flip", [_south_up, _east_west])
def test_flipped_rasters_give_the_same_sector_viewshed(tmp_path, flip):
    z = _terrain()
    _write(tmp_path / "north.tif", z, NORTH_UP)
    zf, tf = flip(z)
    _write(tmp_path / "flipped.tif", zf, tf)
    kw = dict(observer_height=10.0, azimuth=(20.0, 110.0), method="exact")
    a = terrain.viewshed(load_dem(tmp_path / "north.tif"), OBSERVER, **kw)
    b = terrain.viewshed(load_dem(tmp_path / "flipped.tif"), OBSERVER, **kw)
    np.testing.assert_array_equal(a.visible.values, b.visible.values)
    # the sector is east of north: the analysed cells lie east of the observer and north of it mostly
    rows, cols = np.nonzero(a.visible.values != 255)
    assert cols.mean() > 50 and rows.mean() < 40


def test_flipped_array_gives_the_same_dem_and_leaves_the_callers_array(tmp_path):
    z = _terrain()
    zf, tf = _south_up(z)
    keep = zf.copy()
    d = terrain.dem_from_array(zf, tf, crs="EPSG:4326")
    np.testing.assert_array_equal(d.values, z)
    np.testing.assert_array_equal(zf, keep)


def test_flipped_raster_through_the_cli(tmp_path):
    z = _terrain()
    _write(tmp_path / "north.tif", z, NORTH_UP)
    _write(tmp_path / "flipped.tif", *_south_up(z))
    out = []
    for name in ("north.tif", "flipped.tif"):
        res = CliRunner().invoke(cli, ["viewshed", str(tmp_path / name), "--observer", OBSERVER,
                                       "--azimuth", "20,110", "--json"])
        assert res.exit_code == 0, res.output
        import json

        out.append(json.loads(res.stdout)["visible_km2"])
    assert out[0] == out[1] > 0


def test_rotated_raster_is_refused(tmp_path):
    rotated = Affine(1 / 1200, 1e-4, 36.5, 1e-4, -1 / 1200, 35.3)
    _write(tmp_path / "rot.tif", _terrain(), rotated)
    with pytest.raises(InputError, match="rotated or sheared"):
        load_dem(tmp_path / "rot.tif")
    with pytest.raises(InputError, match="rotated or sheared"):
        terrain.dem_from_array(_terrain(), rotated, crs="EPSG:4326")
    res = CliRunner().invoke(cli, ["info", str(tmp_path / "rot.tif")])
    assert res.exit_code != 0 and "rotated or sheared" in res.output and "gdalwarp" in res.output


def test_scale_and_offset_are_applied(tmp_path):
    z = _terrain()
    packed = np.round((z + 100.0) * 10.0).astype(np.uint16)   # decimetres above -100 m
    _write(tmp_path / "packed.tif", packed, NORTH_UP, dtype="uint16", nodata=0, scale=0.1, offset=-100.0)
    packed[0, 0] = 0
    _write(tmp_path / "packed_void.tif", packed, NORTH_UP, dtype="uint16", nodata=0, scale=0.1, offset=-100.0)
    d = load_dem(tmp_path / "packed.tif")
    np.testing.assert_allclose(d.values, z, atol=0.051)
    v = load_dem(tmp_path / "packed_void.tif")
    assert np.isnan(v.values[0, 0]) and np.isfinite(v.values[0, 1])
    res = CliRunner().invoke(cli, ["info", str(tmp_path / "packed.tif")])
    assert res.exit_code == 0
    assert f"{np.nanmax(z):.0f} m" in res.output


def test_band_is_chosen_and_checked(tmp_path):
    z = _terrain()
    _write(tmp_path / "bands.tif", np.stack([z, z + 1000.0, z * 0]), NORTH_UP)
    one = load_dem(tmp_path / "bands.tif")
    two = load_dem(tmp_path / "bands.tif", band=2)
    np.testing.assert_allclose(two.values, z + 1000.0)
    np.testing.assert_allclose(one.values, z)
    assert (one.attrs["band"], one.attrs["band_count"]) == (1, 3)
    assert two.attrs["band"] == 2
    with pytest.raises(InputError, match="has 3 bands, so there is no band 4"):
        load_dem(tmp_path / "bands.tif", band=4)
    with pytest.raises(InputError, match="counted from 1"):
        load_dem(tmp_path / "bands.tif", band=0)


def _mercator_flat(lat=60.0, cell=30.0, n=161):
    x, y = Transformer.from_crs(4326, 3857, always_xy=True).transform(10.0, lat)
    t = Affine(cell, 0.0, x - cell * n / 2, 0.0, -cell, y + cell * n / 2)
    return terrain.dem_from_array(np.full((n, n), 100.0, np.float32), t, crs="EPSG:3857")


def test_web_mercator_is_measured_on_the_ground():
    dem = _mercator_flat()
    y_m, dx_m = row_geometry(dem.rio.transform(), dem.shape, "EPSG:3857")
    # a 30 m Mercator cell at 60N is cos(60) x 30 = 15 m on the ground (spherical scale sec(lat))
    assert dx_m[80] == pytest.approx(15.0, rel=2e-3)
    assert np.diff(y_m)[80] == pytest.approx(15.0, rel=2e-3)
    vs = terrain.viewshed(dem, "60.0,10.0", max_distance=1000.0, method="exact")
    # the analysed disc is 1 km on the ground: pi km^2, not the 0.79 km^2 of a 500 m one
    assert terrain.analysed_area_km2(vs) == pytest.approx(math.pi, rel=0.02)


def test_web_mercator_info_reports_ground_cells(tmp_path):
    dem = _mercator_flat()
    _write(tmp_path / "merc.tif", dem.values, dem.rio.transform(), crs="EPSG:3857")
    res = CliRunner().invoke(cli, ["info", str(tmp_path / "merc.tif")])
    assert res.exit_code == 0, res.output
    assert "15.0 m east-west x 15.0 m north-south" in res.output


def test_utm_grid_stays_in_grid_metres():
    y_m, dx_m = row_geometry(Affine(30.0, 0.0, 500000.0, 0.0, -30.0, 5000000.0), (50, 50), "EPSG:32633")
    assert dx_m[0] == 30.0 and y_m[1] == 30.0


def test_projection_whose_scale_changes_along_rows_is_refused():
    t = Affine(1000.0, 0.0, 1.0e6, 0.0, -1000.0, 5.5e6)
    with pytest.raises(InputError, match="changes scale by .* along a row.*to_utm"):
        row_geometry(t, (4000, 4000), "EPSG:3035")


def _tile(path, west, values):
    n = values.shape[0]
    t = Affine(1.0 / (n - 1), 0.0, west - 0.5 / (n - 1), 0.0, -1.0 / (n - 1), 1.0 + 0.5 / (n - 1))
    return _write(path, values, t)


def test_tiles_across_the_antimeridian_are_neighbours(tmp_path):
    n = 121
    east = _tile(tmp_path / "N00E179.tif", 179.0, np.full((n, n), 50.0))
    west = _tile(tmp_path / "N00W180.tif", -180.0, np.full((n, n), 80.0))
    grid = read_dem([east, west])
    assert grid.values.shape == (n, 2 * n - 1)
    assert not np.isnan(grid.values).any()
    dem = load_dem([east, west])
    obs = terrain.locate(dem, "0.5,-179.5")
    assert dem.values[obs.r, obs.c] == 80.0
    vs = terrain.viewshed(dem, "0.5,179.9", max_distance=20000.0, method="fast")
    assert vs["observer_lon"].item() == pytest.approx(179.9)
    # the disc crosses the antimeridian: cells both sides of it were analysed
    lon_analysed = vs.x.values[np.nonzero((vs.visible.values != 255).any(axis=0))[0]]
    assert lon_analysed.min() < 180.0 < lon_analysed.max()
    res = CliRunner().invoke(cli, ["info", str(east), str(west)])
    assert res.exit_code == 0 and f"{n} rows x {2 * n - 1} columns" in res.output


def test_window_across_the_antimeridian(tmp_path):
    n = 121
    east = _tile(tmp_path / "N00E179.tif", 179.0, np.full((n, n), 50.0))
    west = _tile(tmp_path / "N00W180.tif", -180.0, np.full((n, n), 80.0))
    dem = load_dem([east, west], around=(0.5, 179.95, 10000.0))
    assert {50.0, 80.0} <= set(np.unique(dem.values).tolist())
    assert dem.shape[1] < 40


def test_tiles_far_apart_are_refused_before_allocating(tmp_path):
    n = 1201
    a = _tile(tmp_path / "a.tif", -72.0, np.zeros((n, n), np.float32))
    b = _tile(tmp_path / "b.tif", 100.0, np.zeros((n, n), np.float32))
    with pytest.raises(InputError, match="not neighbours"):
        read_dem([a, b])


def test_circle_over_a_pole_keeps_the_observer():
    west, south, east, north = bounds_around(89.5, 10.0, 100_000.0)
    assert (west, east, north) == (-180.0, 180.0, 90.0) and south < 89.5
    west, south, east, north = bounds_around(-89.9, 10.0, 50_000.0)
    assert south == -90.0 and north > -89.9 and (west, east) == (-180.0, 180.0)


def test_radius_beyond_the_antipode_is_capped_with_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        box = bounds_around(10.0, 10.0, 3.0e7)
    assert box == (-180.0, -90.0, 180.0, 90.0)
    assert any("antipode" in str(w.message) for w in caught)


def test_band_option_on_the_command_line(tmp_path):
    import json

    z = _terrain()
    path = _write(tmp_path / "bands.tif", np.stack([z, z + 1000.0, z * 0]), NORTH_UP)
    res = CliRunner().invoke(cli, ["info", str(path), "--band", "2", "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["elevation_max_m"] == pytest.approx(float(z.max()) + 1000.0, abs=0.01)
    assert (info["band"], info["band_count"]) == (2, 3)
    res = CliRunner().invoke(cli, ["info", str(path)])
    assert "band        1 of 3 (choose another with --band)" in res.output
    res = CliRunner().invoke(cli, ["viewshed", str(path), "--observer", OBSERVER, "--band", "2", "--json"])
    assert res.exit_code == 0, res.output
    assert "Heights from band 2 of 3" in res.stderr
    ground = terrain.locate(load_dem(path), OBSERVER).ground_m
    assert json.loads(res.stdout)["observer"]["ground_m"] == pytest.approx(ground + 1000.0, abs=0.01)
    res = CliRunner().invoke(cli, ["viewshed", str(path), "--observer", OBSERVER, "--band", "4"])
    assert res.exit_code == 2 and "has 3 bands, so there is no band 4" in res.output


def test_every_command_that_reads_a_dem_takes_band():
    for name, command in cli.commands.items():
        names = {p.name for p in command.params}
        assert ("band" in names) == ("dem" in names), name
