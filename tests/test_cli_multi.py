"""The many-observer commands through click's CliRunner: output, JSON, files, errors."""

from __future__ import annotations

import json

import click
import numpy as np
import pytest
import rasterio
from click.testing import CliRunner
from test_multi_terrain import rough_dem, xy

from terrain import write_geotiff
from terrain.cli.cumulative import cumulative_command
from terrain.cli.intervis import intervis_command
from terrain.cli.keyterrain import keyterrain_command
from terrain.cli.main import TerrainGroup
from terrain.cli.overlook import overlook_command
from terrain.cli.vindex import vindex_command
from terrain.multi.observers import split_point_list


@click.group(cls=TerrainGroup)
@click.pass_context
def cli(ctx):
    ctx.ensure_object(dict)


for _cmd in (cumulative_command, overlook_command, keyterrain_command, intervis_command, vindex_command):
    cli.add_command(_cmd)


@pytest.fixture(scope="module")
def dem_path(tmp_path_factory):
    dem = rough_dem(60, 60, seed=8, relief=120)
    path = tmp_path_factory.mktemp("dem") / "dem.tif"
    write_geotiff(dem, path)
    return str(path), dem


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_split_point_list():
    assert split_point_list("Zayn al-Abidin,Jabal Kafra") == ["Zayn al-Abidin", "Jabal Kafra"]
    assert split_point_list("35.2,36.7,Hama,xy:1,2") == ["35.2,36.7", "Hama", "xy:1,2"]
    assert split_point_list("35.2,36.7; Hama ;xy:1,2") == ["35.2,36.7", "Hama", "xy:1,2"]


def test_cumulative_json_and_geotiff(dem_path, tmp_path):
    path, dem = dem_path
    out = tmp_path / "c.tif"
    res = run("cumulative", path, "--observers", f"{xy(dem, 10, 10)};{xy(dem, 40, 40)}", "--observer-height", 10,
              "--radius", "1km", "--out", out, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert len(data["observers"]) == 2 and data["seen_by_any_km2"] > 0
    with rasterio.open(out) as src:
        assert src.dtypes[0] == "uint16" and src.read(1, masked=True).max() == data["max_count"]
        assert src.nodata == 65535 and src.read(1, masked=True).mask.any()  # not analysed, apart from 0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left behind
    text = run("cumulative", path, "--observers", xy(dem, 10, 10), "--radius", "1km")
    assert "dead ground" in text.output


def test_overlook_keyterrain_intervis_vindex(dem_path, tmp_path):
    path, dem = dem_path
    res = run("overlook", path, "--target", xy(dem, 30, 30), "--target-radius", "300m",
              "--candidates", f"{xy(dem, 5, 5)};{xy(dem, 50, 50)}", "--json")
    rows = json.loads(res.output)["rows"]
    assert [r["rank"] for r in rows] == [1, 2] and rows[0]["visible_km2"] >= rows[1]["visible_km2"]
    res = run("keyterrain", path, "--target", xy(dem, 30, 30), "--within", "1.5km", "--min-prominence", 20)
    assert res.exit_code == 0 and "Key terrain for" in res.output and "prominence" in res.output
    res = run("intervis", path, "--points", f"{xy(dem, 5, 5)};{xy(dem, 30, 30)};{xy(dem, 50, 50)}", "--json")
    m = np.array(json.loads(res.output)["matrix"])
    assert m.shape == (3, 3) and (m == m.T).all()
    out = tmp_path / "vi.tif"
    res = run("vindex", path, "--radius", "400m", "--stride", 6, "--out", out)
    assert res.exit_code == 0 and "Visibility index of 100 cells" in res.output
    with rasterio.open(out) as src:
        assert src.shape == (10, 10) and src.dtypes[0] == "float32"


def test_bad_input_exits_2(dem_path, tmp_path):
    path, dem = dem_path
    assert run("cumulative", path, "--observers", "xy:0,0").exit_code == 2
    assert run("intervis", path, "--points", xy(dem, 5, 5)).exit_code == 2
    assert run("vindex", path, "--radius", "-3km").exit_code == 2
    assert run("overlook", path, "--target", xy(dem, 30, 30), "--target-radius", "0m", "--candidates", xy(dem, 5, 5)).exit_code == 2


def test_help_has_examples():
    for name in ("cumulative", "overlook", "keyterrain", "intervis", "vindex"):
        res = run(name, "--help")
        assert "Example:" in res.output and f"terrain {name}" in res.output


def test_every_command_writes_its_figure(dem_path, tmp_path):
    path, dem = dem_path
    pts = f"{xy(dem, 5, 5)};{xy(dem, 30, 30)};{xy(dem, 50, 50)}"
    jobs = {
        "cumulative": ("cumulative", path, "--observers", pts, "--radius", "1km"),
        "overlook": ("overlook", path, "--target", xy(dem, 30, 30), "--target-radius", "300m", "--candidates",
                     f"{xy(dem, 5, 5)};{xy(dem, 50, 50)}"),
        "intervis": ("intervis", path, "--points", pts),
        "vindex": ("vindex", path, "--radius", "400m", "--stride", 6),
    }
    for name, args in jobs.items():
        png = tmp_path / f"{name}.png"
        res = run(*args, "--plot", png)
        assert res.exit_code == 0, res.output
        assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 20_000, name
        assert str(png) in res.output


def test_cumulative_and_vindex_rasters_get_qgis_styles_and_cog(dem_path, tmp_path):
    from xml.etree import ElementTree as ET

    import xarray as xr

    from terrain.plot.cumulative_map import DEAD_COLOUR

    path, dem = dem_path
    out = tmp_path / "c.tif"
    res = run("cumulative", path, "--observers", f"{xy(dem, 10, 10)};{xy(dem, 40, 40)}", "--observer-height", 10,
              "--radius", "1km", "--out", out, "--cog")
    assert res.exit_code == 0, res.output
    with rasterio.open(out) as src:
        assert src.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
    root = ET.fromstring((tmp_path / "c.qml").read_text().split("\n", 1)[1])
    entries = {int(e.get("value")): e.get("color") for e in root.iter("paletteEntry")}
    assert sorted(entries) == [0, 1, 2] and entries[0] == DEAD_COLOUR.lower()
    res = run("vindex", path, "--radius", "400m", "--stride", 6, "--out", tmp_path / "vi.tif")
    assert res.exit_code == 0, res.output
    with rasterio.open(tmp_path / "vi.tif") as src:
        v = src.read(1)
    shader = ET.fromstring((tmp_path / "vi.qml").read_text().split("\n", 1)[1]).find(".//colorrampshader")
    assert shader.get("colorRampType") == "INTERPOLATED"
    assert float(shader.get("minimumValue")) == pytest.approx(np.nanmin(v))
    assert float(shader.get("maximumValue")) == pytest.approx(np.nanmax(v))
    res = run("vindex", path, "--radius", "400m", "--stride", 6, "--out", tmp_path / "vi.nc")
    assert res.exit_code == 0, res.output
    with xr.open_dataset(tmp_path / "vi.nc") as nc:
        np.testing.assert_array_equal(nc.visibility_index.values, v)
