"""One default method: the same observer and options give the same visible area from every function and command."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from test_multi_terrain import rough_dem, xy

from terrain import cumulative_viewshed, viewshed, visible_area_km2
from terrain.cli.main import cli
from terrain.methods import DEFAULT_METHOD
from terrain.multi.vindex import visibility_index

RADIUS = 600.0


@pytest.fixture(scope="module")
def dem_file(tmp_path_factory):
    dem = rough_dem(50, 50, seed=11, relief=90.0)
    path = tmp_path_factory.mktemp("dm") / "dem.tif"
    dem.rio.to_raster(path)
    return dem, path


def test_api_functions_agree(dem_file):
    dem, _ = dem_file
    for r, c in [(25, 25), (10, 38), (40, 12)]:
        p = xy(dem, r, c)
        vs = viewshed(dem, p, max_distance=RADIUS, observer_height=3.0)
        assert vs.attrs["method"] == DEFAULT_METHOD
        single = visible_area_km2(vs)
        cv = cumulative_viewshed(dem, [p], max_distance=RADIUS, observer_height=3.0)
        assert cv.attrs["method"] == DEFAULT_METHOD
        assert float(cv["visible_km2"].values[0]) == pytest.approx(single, rel=1e-12)
    vi = visibility_index(dem, radius=RADIUS, stride=1, observer_height=3.0)
    for r, c in [(25, 25), (10, 38), (40, 12)]:
        vs = viewshed(dem, xy(dem, r, c), max_distance=RADIUS, observer_height=3.0)
        assert float(vi.values[r, c]) == pytest.approx(visible_area_km2(vs), rel=1e-6)


def test_cli_commands_agree(dem_file):
    dem, path = dem_file
    p = xy(dem, 25, 25)
    run = CliRunner().invoke
    a = run(cli, ["viewshed", str(path), "--observer", p, "--radius", f"{RADIUS}m", "--observer-height", "3", "--json"])
    assert a.exit_code == 0, a.output
    b = run(cli, ["cumulative", str(path), "--observers", p, "--radius", f"{RADIUS}m", "--observer-height", "3", "--json"])
    assert b.exit_code == 0, b.output
    va = json.loads(a.output)
    vb = json.loads(b.output)
    assert va["method"] == DEFAULT_METHOD
    assert round(va["visible_km2"], 3) == vb["observers"][0]["visible_km2"]
