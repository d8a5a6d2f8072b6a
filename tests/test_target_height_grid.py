"""A target height per cell (issue #12 §4): ``viewshed(target_height=grid or raster)``, ``terrain viewshed
--target-height FILE``. Each cell is visible when its own target is: checked against the viewsheds of one
target height each and against the exact walk."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
from click.testing import CliRunner
from test_obstacles import T, _rough, _xy

import terrain
from terrain.cli.main import cli
from terrain.errors import InputError

OBS = _xy(60, 60)


def _masts(shape, seed=2):
    """Targets of 0 m almost everywhere, 25 m masts on a random tenth of the cells."""
    rng = np.random.default_rng(seed)
    return np.where(rng.random(shape) < 0.1, 25.0, 0.0).astype(np.float32)


@pytest.mark.parametrize("method", ["exact", "fast", "refined"])
def test_a_grid_of_one_value_is_that_target_height_bit_for_bit(method):
    dem = _rough()
    a = terrain.viewshed(dem, OBS, observer_height=5.0, target_height=4.0, method=method)
    b = terrain.viewshed(dem, OBS, observer_height=5.0, target_height=np.full(dem.shape, 4.0), method=method)
    for v in ("visible", "min_visible_height", "elevation_angle"):
        assert np.array_equal(a[v].values, b[v].values, equal_nan=True), v
    assert b.attrs["target_height_grid"] == 1 and np.isnan(b.attrs["target_height_m"])


@pytest.mark.parametrize("method", ["exact", "fast", "refined"])
def test_each_cell_is_seen_as_its_own_target_is(method):
    dem = _rough()
    t = _masts(dem.shape)
    grid = terrain.viewshed(dem, OBS, observer_height=3.0, target_height=t, max_distance=1500.0, method=method)
    # min_visible_height is a height above the ground, whatever the targets
    ground = terrain.viewshed(dem, OBS, observer_height=3.0, max_distance=1500.0, method=method)
    rows = dem.indexes["y"].get_indexer(grid.y)
    cols = dem.indexes["x"].get_indexer(grid.x)
    tw = t[np.ix_(rows, cols)]
    mvh = grid["min_visible_height"].values
    analysed = np.isfinite(mvh)
    assert np.array_equal(grid["visible"].values == 255, ~analysed)
    assert np.array_equal(grid["visible"].values[analysed] == 1, mvh[analysed] <= tw[analysed])
    # the oracle: the exact walk with one target height at a time, composed cell by cell
    exact = {h: terrain.viewshed(dem, OBS, observer_height=3.0, target_height=h, max_distance=1500.0,
                                 method="exact")["visible"].values for h in (0.0, 25.0)}
    composed = np.where(tw == 25.0, exact[25.0], exact[0.0])
    wrong = int((grid["visible"].values != composed).sum())
    if method == "fast":
        assert wrong <= 0.01 * analysed.sum()   # as fast is against exact without masts
    else:
        assert wrong == 0, wrong
    if method != "refined":   # fast and exact horizons do not depend on the target height
        assert np.array_equal(mvh, ground["min_visible_height"].values, equal_nan=True)
    masts_seen = (grid["visible"].values == 1) & (tw == 25.0) & (ground["visible"].values == 0)
    assert masts_seen.any()   # masts stand out of dead ground


def test_target_height_raster_file_through_the_cli(tmp_path):
    dem = _rough()
    t = _masts(dem.shape)
    dem_path, t_path, out = tmp_path / "dem.tif", tmp_path / "masts.tif", tmp_path / "v.tif"
    for path, values in ((dem_path, dem.values), (t_path, t)):
        with rasterio.open(path, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=1,
                           dtype="float32", crs="EPSG:32637", transform=T) as ds:
            ds.write(values.astype(np.float32), 1)
    res = CliRunner().invoke(cli, ["viewshed", str(dem_path), "--observer", OBS, "--observer-height", "3",
                                   "--target-height", str(t_path), "--method", "exact", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["parameters"]["target_height_m"] is None
    api = terrain.viewshed(terrain.load_dem(dem_path), OBS, observer_height=3.0, target_height=str(t_path),
                           method="exact")
    with rasterio.open(out) as src:
        assert np.array_equal(src.read(1), api["visible"].values)
    bad = CliRunner().invoke(cli, ["viewshed", str(dem_path), "--observer", OBS, "--target-height", "nope.tif"])
    assert bad.exit_code == 2 and "neither a height in metres nor a raster file" in bad.output
    # an output may not replace the raster of target heights
    clash = CliRunner().invoke(cli, ["viewshed", str(dem_path), "--observer", OBS, "--target-height", str(t_path),
                                     "--out", str(t_path)])
    assert clash.exit_code != 0 and rasterio.open(t_path).read(1).dtype == np.float32


def test_bad_target_grids_are_refused():
    dem = _rough()
    with pytest.raises(InputError, match="target heights grid is 3 x 3"):
        terrain.viewshed(dem, OBS, target_height=np.zeros((3, 3)))
    with pytest.raises(InputError, match="negative"):
        terrain.viewshed(dem, OBS, target_height=np.full(dem.shape, -1.0))
    with pytest.raises(InputError, match="pitch window needs one target height"):
        terrain.viewshed(dem, OBS, target_height=np.zeros(dem.shape), pitch=(-10, 10))
    with pytest.raises(InputError, match="no such target heights file"):
        terrain.viewshed(dem, OBS, target_height="nowhere.tif")


def test_many_observer_functions_refuse_a_target_grid_with_one_sentence():
    dem = _rough()
    with pytest.raises(InputError, match="viewshed\\(\\) only so far"):
        terrain.cumulative_viewshed(dem, [OBS, _xy(30, 30)], target_height=np.zeros(dem.shape))
