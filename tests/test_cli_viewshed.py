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


def _parse_qml(path):
    from xml.etree import ElementTree as ET

    text = path.read_text()
    assert text.startswith("<!DOCTYPE qgis")
    return ET.fromstring(text.split("\n", 1)[1])


def test_out_format_follows_the_extension(run, tmp_path):
    """One viewshed written as GeoTIFF (with its QGIS style), NetCDF, GeoJSON, GeoPackage, KML and KMZ."""
    import zipfile
    from xml.etree import ElementTree as ET

    import xarray as xr

    base = ("viewshed", HAMA, "--observer", "Zayn al-Abidin", "--radius", "4km", "--method", "fast")
    for name in ("vs.tif", "vs.nc", "vs.geojson", "vs.gpkg", "vs.kml", "vs.kmz"):
        res = run(*base, "--out", str(tmp_path / name), "--json")
        assert res.exit_code == 0, res.output
    with rasterio.open(tmp_path / "vs.tif") as ds:
        v = ds.read(1)
        assert ds.driver == "GTiff" and ds.nodata == 255
    qml = _parse_qml(tmp_path / "vs.qml")
    entries = {int(e.get("value")): (e.get("color"), e.get("label")) for e in qml.iter("paletteEntry")}
    assert entries[1] == ("#56b4e9", "visible") and entries[0][1].startswith("hidden") and 255 not in entries
    with xr.open_dataset(tmp_path / "vs.nc", mask_and_scale=False) as nc:
        np.testing.assert_array_equal(nc.visible.values, v)
        assert {"min_visible_height", "elevation_angle"} <= set(nc.data_vars)
    doc = json.loads((tmp_path / "vs.geojson").read_text())
    area = doc["features"][0]["properties"]["area_km2"]
    pyogrio = pytest.importorskip("pyogrio")
    assert pyogrio.read_info(tmp_path / "vs.gpkg")["geometry_type"] == "MultiPolygon"
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    kml = ET.parse(tmp_path / "vs.kml").getroot()
    assert kml.find("k:Document/k:name", ns).text == "visible from Zayn al-Abidin"
    kml_area = {d.get("name"): d.find("k:value", ns).text for d in kml.iterfind(".//k:Data", ns)}["area_km2"]
    assert float(kml_area) == pytest.approx(area)
    with zipfile.ZipFile(tmp_path / "vs.kmz") as z:
        assert z.read("doc.kml") == (tmp_path / "vs.kml").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vs.geojson", "vs.gpkg", "vs.kml", "vs.kmz", "vs.nc",
                                                          "vs.qml", "vs.tif"]


def test_cog_and_styles_of_every_raster(run, tmp_path):
    res = run("viewshed", HAMA, "--observer", "Zayn al-Abidin", "--radius", "4km", "--method", "fast", "--cog",
              "--out", str(tmp_path / "vs.tif"), "--mvh-out", str(tmp_path / "mvh.tif"), "--json")
    assert res.exit_code == 0, res.output
    written = json.loads(res.output)["written"]
    assert written["visible_style"] == str(tmp_path / "vs.qml")
    for name in ("vs.tif", "mvh.tif"):
        with rasterio.open(tmp_path / name) as ds:
            assert ds.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
    shader = _parse_qml(tmp_path / "mvh.qml").find(".//colorrampshader")
    assert shader.get("colorRampType") == "DISCRETE"
    items = [(i.get("value"), i.get("color")) for i in shader.iter("item")]
    from terrain.plot.viewshed_map import HIDDEN_CLASSES

    assert items == [("0.0", "#56b4e9")] + [("inf" if u == float("inf") else repr(u), c) for u, _, c in HIDDEN_CLASSES]


def test_unwritten_formats_and_a_style_over_an_input_are_refused(run, tmp_path):
    import shutil

    base = ("viewshed", HAMA, "--observer", "Zayn al-Abidin", "--radius", "4km", "--method", "fast")
    for name in ("vs.asc", "vs.shp", "vs.png"):
        res = run(*base, "--out", str(tmp_path / name))
        assert res.exit_code == 2 and "does not write" in res.output and ".kmz" in res.output, res.output
    res = run(*base, "--mvh-out", str(tmp_path / "mvh.nc"))
    assert res.exit_code == 2 and "use one of .tif, .tiff" in res.output
    # the style beside vs.tif would replace an input named vs.qml: refused before any work
    shutil.copy(HAMA, tmp_path / "vs.qml")
    res = run("viewshed", str(tmp_path / "vs.qml"), "--observer", "Zayn al-Abidin", "--radius", "4km",
              "--out", str(tmp_path / "vs.tif"))
    assert res.exit_code == 2 and "is the input" in res.output, res.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["vs.qml"]
