"""A target height per cell (issue #12 §4): ``viewshed(target_height=grid or raster)``, ``terrain viewshed
--target-height FILE``. Each cell is visible when its own target is: checked against the viewsheds of one
target height each and against the exact walk."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
from click.testing import CliRunner
from test_obstacles import T, _rough, _xy, write_tif

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
    assert data["parameters"]["target_height_m"] is None and data["target_height_grid"] is True
    text = CliRunner().invoke(cli, ["viewshed", str(dem_path), "--observer", OBS, "--target-height", str(t_path),
                                    "--method", "fast"]).output
    assert f"targets   a height per cell from {t_path}" in text
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


@pytest.mark.parametrize("method", ["fast", "refined", "exact"])
def test_cumulative_with_a_target_grid_is_the_sum_of_the_single_viewsheds(method):
    from test_multi_cumulative import on_grid

    dem = _rough()
    t = _masts(dem.shape, seed=4)
    points = [OBS, _xy(20, 30), _xy(90, 100)]
    opts = dict(observer_height=3.0, max_distance=1200.0, target_height=t)
    cv = terrain.cumulative_viewshed(dem, points, method=method, **opts)
    singles = [on_grid(dem, terrain.viewshed(dem, p, method=method, outputs=("visible",), **opts), cv)
               for p in points]
    assert np.array_equal(cv["count"].values, sum((g == 1).astype(int) for g in singles))
    for i, g in enumerate(singles):
        assert np.array_equal(terrain.seen_by_observer(cv, i).values, g == 1)
    assert cv.attrs["target_height_grid"] == 1
    ground = terrain.cumulative_viewshed(dem, points, method=method, observer_height=3.0, max_distance=1200.0)
    assert int(cv["count"].sum()) > int(ground["count"].sum())   # the masts stand out
    flat = terrain.cumulative_viewshed(dem, points, method=method, observer_height=3.0, max_distance=1200.0,
                                       target_height=np.zeros(dem.shape))
    assert np.array_equal(flat["count"].values, ground["count"].values)
    # with obstacles too: the masts stand on the ground (or the roofs) under the blocking surface
    roofs = np.where(np.random.default_rng(1).random(dem.shape) < 0.1, 10.0, 0.0).astype(np.float32)
    both = terrain.cumulative_viewshed(dem, points, method=method, obstacles=roofs, **opts)
    one = on_grid(dem, terrain.viewshed(dem, points[0], method=method, obstacles=roofs, outputs=("visible",),
                                        **opts), both)
    assert np.array_equal(terrain.seen_by_observer(both, 0).values, one == 1)


def test_cumulative_target_grid_on_dask_and_through_the_cli(tmp_path):
    distributed = pytest.importorskip("distributed")
    from terrain.multi.distributed import cumulative_viewshed as dask_cumulative

    dem = _rough()
    t = _masts(dem.shape, seed=4)
    points = [OBS, _xy(20, 30), _xy(90, 100)]
    local = terrain.cumulative_viewshed(dem, points, method="fast", observer_height=3.0, max_distance=1200.0,
                                        target_height=t)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = dask_cumulative(dem, points, method="fast", observer_height=3.0, max_distance=1200.0,
                                 target_height=t, client=client)
    assert np.array_equal(remote["count"].values, local["count"].values)
    assert remote.attrs["target_height_grid"] == 1
    dem_path, masts_path = tmp_path / "dem.tif", tmp_path / "masts.tif"
    write_tif(dem_path, dem.values)
    write_tif(masts_path, t)
    res = CliRunner().invoke(cli, ["cumulative", str(dem_path), "--observers", ";".join(points), "--method", "fast",
                                   "--observer-height", "3", "--radius", "1200", "--target-height", str(masts_path),
                                   "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["observers"]
    assert [r["visible_km2"] for r in rows] == pytest.approx(local["visible_km2"].values.tolist(), abs=1e-3)


def test_many_observer_functions_refuse_a_target_grid_with_one_sentence():
    dem = _rough()
    with pytest.raises(InputError, match="pitch window needs one target height"):
        terrain.cumulative_viewshed(dem, [OBS, _xy(30, 30)], target_height=np.zeros(dem.shape), pitch=(-10, 10))
    with pytest.raises(InputError, match="pitch window needs one target height"):
        terrain.multi.observers.split_target_grid({"target_height": np.zeros(dem.shape)},
                                                  [{"point": OBS, "pitch": (-5, 5)}])


@pytest.mark.parametrize("method", ["fast", "refined"])
def test_overlook_siting_key_terrain_and_vindex_take_a_target_grid(method):
    """A grid of one value is that target height, bit for bit; masts on a tenth of the cells raise what is
    seen; the index with masts equals the single viewsheds' areas."""
    from terrain.multi import visibility_index
    from terrain.viewshed import visible_area_km2

    dem = _rough()
    t = _masts(dem.shape, seed=6)
    cands = [OBS, _xy(20, 30), _xy(90, 100), _xy(100, 20)]
    kw = dict(target_radius=600.0, observer_height=3.0, max_distance=2500.0, method=method)
    one = terrain.overlook(dem, _xy(50, 70), cands, target_height=4.0, **kw)
    grid = terrain.overlook(dem, _xy(50, 70), cands, target_height=np.full(dem.shape, 4.0), **kw)
    assert [r["visible_km2"] for r in grid.rows] == [r["visible_km2"] for r in one.rows]
    assert grid.attrs["target_height_grid"] == 1 and grid.attrs["target_height_m"] is None
    masts = terrain.overlook(dem, _xy(50, 70), cands, target_height=t, **kw)
    ground = terrain.overlook(dem, _xy(50, 70), cands, **kw)
    assert sum(r["visible_km2"] for r in masts.rows) > sum(r["visible_km2"] for r in ground.rows)

    s_one = terrain.site_observers(dem, _xy(50, 70), cands, k=2, target_height=4.0, **kw)
    s_grid = terrain.site_observers(dem, _xy(50, 70), cands, k=2, target_height=np.full(dem.shape, 4.0), **kw)
    assert s_grid.posts.rows == s_one.posts.rows and s_grid.attrs["covered_km2"] == s_one.attrs["covered_km2"]

    kt = terrain.key_terrain(dem, _xy(50, 70), within=3000.0, target_radius=600.0, min_prominence=1.0, top=3,
                             observer_height=3.0, max_distance=2500.0, method=method, target_height=t)
    assert kt.rows and kt.attrs["target_height_grid"] == 1

    vi = visibility_index(dem, radius=500.0, stride=9, method=method, observer_height=3.0, target_height=t)
    assert vi.attrs["target_height_grid"] == 1
    for r, c in ((0, 0), (4, 5), (7, 2), (12, 12)):
        vs = terrain.viewshed(dem, _xy(9 * r, 9 * c), observer_height=3.0, target_height=t, max_distance=500.0,
                              method=method, outputs=("visible",))
        assert float(vi.values[r, c]) == pytest.approx(visible_area_km2(vs), rel=1e-6), (r, c)


def test_overlook_and_siting_commands_say_the_targets_come_from_a_raster(tmp_path):
    from test_obstacles import write_tif

    dem = _rough()
    dem_path, masts_path = tmp_path / "dem.tif", tmp_path / "masts.tif"
    write_tif(dem_path, dem.values)
    write_tif(masts_path, _masts(dem.shape))
    common = [str(dem_path), "--target", _xy(50, 70), "--target-radius", "600", "--radius", "2500", "--method",
              "fast", "--target-height", str(masts_path)]
    over = CliRunner().invoke(cli, ["overlook", *common, "--candidates", f"{OBS};{_xy(20, 30)}"])
    site = CliRunner().invoke(cli, ["siting", *common, "--candidates", f"{OBS};{_xy(20, 30)};{_xy(90, 100)}",
                                    "--k", "2"])
    for res in (over, site):
        assert res.exit_code == 0, res.output
        assert "targets: a height per cell from the raster given" in res.output
    plain = CliRunner().invoke(cli, ["overlook", *common[:-2], "--candidates", OBS])
    assert plain.exit_code == 0 and "targets:" not in plain.output


def test_cumulative_and_vindex_commands_say_the_targets_come_from_a_raster(tmp_path):
    from test_obstacles import write_tif

    dem = _rough()
    dem_path, masts_path = tmp_path / "dem.tif", tmp_path / "masts.tif"
    write_tif(dem_path, dem.values)
    write_tif(masts_path, _masts(dem.shape))
    cum = CliRunner().invoke(cli, ["cumulative", str(dem_path), "--observers", f"{OBS};{_xy(20, 30)}", "--radius",
                                   "1000", "--method", "fast", "--target-height", str(masts_path)])
    vix = CliRunner().invoke(cli, ["vindex", str(dem_path), "--radius", "500", "--stride", "20", "--method", "fast",
                                   "--target-height", str(masts_path)])
    for res in (cum, vix):
        assert res.exit_code == 0, res.output
        assert "targets: a height per cell from the raster given" in res.output
