"""``terrain siting`` through click's CliRunner: text, JSON, CSV, GeoJSON and figure outputs, errors."""

from __future__ import annotations

import csv
import json

import click
import pytest
from click.testing import CliRunner
from test_multi_terrain import rough_dem, xy

from terrain import write_geotiff
from terrain.cli.main import TerrainGroup
from terrain.cli.siting import siting_command


@click.group(cls=TerrainGroup)
@click.pass_context
def cli(ctx):
    ctx.ensure_object(dict)


cli.add_command(siting_command)


@pytest.fixture(scope="module")
def dem_path(tmp_path_factory):
    dem = rough_dem(60, 60, seed=8, relief=120)
    path = tmp_path_factory.mktemp("dem") / "dem.tif"
    write_geotiff(dem, path)
    return str(path), dem


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_siting_json_csv_geojson_and_plot(dem_path, tmp_path):
    path, dem = dem_path
    cands = ";".join(xy(dem, r, c) for r, c in ((5, 5), (5, 55), (55, 5), (55, 55), (30, 10)))
    out = {s: tmp_path / f"posts.{s}" for s in ("csv", "geojson", "png")}
    res = run("siting", path, "--target", xy(dem, 30, 30), "--target-radius", "400m", "--radius", "2km",
              "--candidates", cands, "--k", 2, "--observer-height", 5, "--json", "--csv", out["csv"],
              "--geojson", out["geojson"], "--plot", out["png"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.output)
    posts = doc["posts"]
    assert 1 <= len(posts) <= 2 and posts[0]["order"] == 1
    assert [p["cumulative_km2"] for p in posts] == sorted(p["cumulative_km2"] for p in posts)
    assert doc["target_area_km2"] > 0 and doc["candidates"] == 5
    rows = list(csv.DictReader(out["csv"].open()))
    assert [r["name"] for r in rows] == [p["name"] for p in posts]
    gj = json.loads(out["geojson"].read_text())
    assert gj["features"][0]["geometry"]["coordinates"] == [posts[0]["lon"], posts[0]["lat"]]
    assert out["png"].read_bytes()[:4] == b"\x89PNG" and out["png"].stat().st_size > 20_000


def test_siting_text_and_grid_candidates(dem_path):
    path, dem = dem_path
    res = run("siting", path, "--target", xy(dem, 30, 30), "--target-radius", "400m", "--radius", "2km",
              "--candidates", "grid:600m", "--within", "900m", "--method", "fast", "--k", 2,
              "--min-separation", "500m")
    assert res.exit_code == 0, res.output
    assert "Observation posts over" in res.output and " 1. " in res.output
    assert "dead ground left" in res.output and "no (1 - 1/e) guarantee" in res.output


def test_siting_bad_input_exits_2(dem_path):
    path, dem = dem_path
    assert run("siting", path, "--target", xy(dem, 30, 30), "--candidates", "grid:fast").exit_code == 2
    assert run("siting", path, "--target", xy(dem, 30, 30), "--k", 0).exit_code == 2


def test_help_has_examples():
    res = run("siting", "--help")
    assert "Examples:" in res.output and "terrain siting" in res.output and "--min-separation" in res.output
