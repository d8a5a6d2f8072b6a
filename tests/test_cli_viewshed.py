"""``terrain viewshed`` from the command line: every option, outputs, and bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
from click.testing import CliRunner

from terrain.cli.main import cli

WM = "dem_samples/N44W072.hgt"
HAMA = "dem_samples/hama_standin.tif"


@pytest.fixture
def run(monkeypatch):
    from conftest import REPO

    monkeypatch.chdir(REPO)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, list(args), catch_exceptions=False)


def test_hama_with_every_output(run, tmp_path):
    out, gj, png, mvh = (tmp_path / n for n in ("vs.tif", "vs.geojson", "vs.png", "mvh.tif"))
    res = run("viewshed", HAMA, "--observer", "Zayn al-Abidin", "--observer-height", "10", "--radius", "8km",
              "--azimuth", "120,240", "--pitch", "-10,30", "--out", str(out), "--geojson", str(gj),
              "--plot", str(png), "--mvh-out", str(mvh))
    assert res.exit_code == 0, res.output
    assert "km²" in res.output and "SYNTHETIC stand-in — not SRTM" in res.output
    with rasterio.open(out) as ds:
        v = ds.read(1)
        assert ds.nodata == 255 and set(np.unique(v)) <= {0, 1, 255}
        assert (v == 1).any() and (v == 255).any()
        assert ds.tags()["azimuth_start_deg"] == "120.0"
    assert json.loads(gj.read_text())["features"][0]["geometry"]["type"] == "MultiPolygon"
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert mvh.exists()


def test_white_mountains_json_matches_api(run, white_mountains):
    import terrain

    res = run("viewshed", WM, "--observer", "Mount Washington", "--radius", "10km", "--method", "exact", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    api = terrain.viewshed(white_mountains, "Mount Washington", max_distance=10_000, method="exact")
    assert data["visible_km2"] == pytest.approx(terrain.visible_area_km2(api), rel=1e-3)
    assert data["method"] == "exact" and data["observer"]["name"] == "Mount Washington"


def test_netcdf_and_gdal_cc(run, tmp_path):
    nc = tmp_path / "vs.nc"
    res = run("viewshed", WM, "--observer", "44.2708,-71.3033", "--radius", "3km", "--cc", "0.85714",
              "--method", "fast", "--out", str(nc))
    assert res.exit_code == 0, res.output
    import xarray as xr

    ds = xr.open_dataset(nc)
    assert ds.attrs["refraction"] == pytest.approx(0.14286)
    assert set(ds.data_vars) >= {"visible", "min_visible_height", "elevation_angle"}
    ds.close()


@pytest.mark.parametrize("args, words", [
    (("--observer", "35.2,36.7"), "outside the DEM"),
    (("--observer", "44.27,-71.30", "--radius", "-5km"), "greater than zero"),
    (("--observer", "44.27,-71.30", "--radius", "0"), "greater than zero"),
    (("--observer", "44.27,-71.30", "--radius", "1km", "--min-distance", "2km"), "not below"),
    (("--observer", "44.27,-71.30", "--azimuth", "90,90"), "empty"),
    (("--observer", "44.27,-71.30", "--azimuth", "north"), "two numbers"),
    (("--observer", "44.27,-71.30", "--pitch", "30,-10"), "pitch"),
    (("--observer", "Nowhere Hill"), "unknown place"),
    (("--observer", "44.27,-71.30", "--observer-height", "-1"), "negative"),
])
def test_bad_input_exits_2_and_writes_nothing(run, tmp_path, args, words):
    out = tmp_path / "vs.tif"
    res = run("viewshed", WM, *args, "--out", str(out))
    assert res.exit_code == 2, res.output
    assert words in res.output and "Traceback" not in res.output
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_void_observer_and_no_crs(run, tmp_path):
    from synthetic import write_hgt

    vals = np.full((1201, 1201), 100, np.int16)
    vals[600, 600] = -32768
    tile = write_hgt(tmp_path / "N10E010.hgt", vals)
    res = run("viewshed", str(tile), "--observer", "10.5,10.5")
    assert res.exit_code == 2 and "void" in res.output
    nocrs = tmp_path / "nocrs.tif"
    with rasterio.open(nocrs, "w", driver="GTiff", width=20, height=20, count=1, dtype="float32") as ds:
        ds.write(np.zeros((20, 20), np.float32), 1)
    res = run("viewshed", str(nocrs), "--observer", "1,1")
    assert res.exit_code == 2 and "no CRS" in res.output
