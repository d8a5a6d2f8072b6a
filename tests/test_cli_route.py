"""``terrain route`` through click's CliRunner: text, JSON, files, avoid areas, errors."""

from __future__ import annotations

import json

import click
import numpy as np
import pytest
from click.testing import CliRunner
from test_route import at, valley_terrain

from terrain import write_geotiff
from terrain.cli.main import TerrainGroup
from terrain.cli.route import route_command


@click.group(cls=TerrainGroup)
@click.pass_context
def cli(ctx):
    ctx.ensure_object(dict)


cli.add_command(route_command)


@pytest.fixture(scope="module")
def dem_path(tmp_path_factory):
    dem, _ = valley_terrain()
    path = tmp_path_factory.mktemp("dem") / "valley.tif"
    write_geotiff(dem, path)
    return str(path), dem


def args(dem_path, *more):
    path, dem = dem_path
    return ["route", path, "--from", at(dem, 30, 5), "--to", at(dem, 30, 84), "--observers", at(dem, 4, 45),
            "--observer-height", "5", *more]


def test_help_has_examples():
    out = CliRunner().invoke(cli, ["route", "--help"])
    assert out.exit_code == 0
    assert "terrain route dem_samples/hama_standin.tif --from Souran --to Hama" in out.output
    from terrain.cli.route import EXPOSURE_WEIGHT_TEXT
    from terrain.route import DEFAULT_EXPOSURE_WEIGHT

    assert float(EXPOSURE_WEIGHT_TEXT) == DEFAULT_EXPOSURE_WEIGHT
    for flag in ("--exposure-weight", "--max-slope", "--avoid", "--out", "--plot", "--radius"):
        assert flag in out.output


def test_json_and_files(dem_path, tmp_path):
    out = CliRunner().invoke(cli, args(dem_path, "--json", "--out", str(tmp_path / "r.geojson"),
                                       "--plot", str(tmp_path / "r.png")))
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["route"]["exposed_km"] < data["shortest"]["exposed_km"]
    assert data["shortest"]["length_km"] == pytest.approx(79 * 0.03, abs=1e-3)
    doc = json.loads((tmp_path / "r.geojson").read_text())
    assert doc["features"][0]["properties"]["length_km"] == data["route"]["length_km"]
    assert (tmp_path / "r.png").stat().st_size > 10_000


def test_text_and_zero_weight(dem_path):
    out = CliRunner().invoke(cli, args(dem_path, "--exposure-weight", "0"))
    assert out.exit_code == 0, out.output
    text = " ".join(out.output.split())
    assert "covered route 2.37 km" in text and "shortest path 2.37 km" in text


def test_avoid_file_and_errors(dem_path, tmp_path):
    _, dem = dem_path
    from terrain.coords import grid_to_latlon

    lat, lon = grid_to_latlon(dem, np.array([0.0, 69.0]), np.array([40.0, 42.0]))
    ring = [[float(lon[0]), float(lat[0])], [float(lon[1]), float(lat[0])], [float(lon[1]), float(lat[1])],
            [float(lon[0]), float(lat[1])], [float(lon[0]), float(lat[0])]]
    wall = tmp_path / "wall.geojson"
    wall.write_text(json.dumps({"type": "Polygon", "coordinates": [ring]}))
    out = CliRunner().invoke(cli, args(dem_path, "--avoid", str(wall)))
    assert out.exit_code == 2 and "no passable path" in out.output
    out = CliRunner().invoke(cli, args(dem_path, "--out", str(tmp_path / "r.shp")))
    assert out.exit_code == 2 and ".geojson" in out.output
