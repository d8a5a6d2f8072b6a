"""Surface obstacles (issue #12 §4): buildings and trees block sight lines; targets stand on the ground
unless on rooftops; zero obstacles change nothing, bit for bit."""

from __future__ import annotations

import json

import numpy as np
import pytest
import rasterio
from affine import Affine
from click.testing import CliRunner

import terrain
from terrain.cli.main import cli
from terrain.errors import InputError

CELL = 30.0
T = Affine(CELL, 0.0, 500000.0, 0.0, -CELL, 4000000.0)   # UTM 37N central meridian: ground metres


def write_tif(path, values) -> None:
    """Write a float32 GeoTIFF on the tests' UTM grid ``T``."""
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=1,
                       dtype="float32", crs="EPSG:32637", transform=T) as ds:
        ds.write(np.asarray(values, np.float32)[None])


def _plane(n=81, m=201):
    return terrain.dem_from_array(np.zeros((n, m), np.float32), T, crs="EPSG:32637")


def _xy(r, c):
    return f"xy:{T.c + (c + 0.5) * CELL},{T.f - (r + 0.5) * CELL}"


def _rough(n=120, seed=4):
    rng = np.random.default_rng(seed)
    z = np.cumsum(np.cumsum(rng.normal(0, 1.0, (n, n)), 0), 1) * 0.05 + 300.0
    return terrain.dem_from_array(z.astype(np.float32), T, crs="EPSG:32637")


@pytest.mark.parametrize("method", ["exact", "fast", "refined"])
def test_zero_obstacles_change_nothing_bit_for_bit(method):
    dem = _rough()
    a = terrain.viewshed(dem, _xy(60, 60), observer_height=5.0, method=method)
    b = terrain.viewshed(dem, _xy(60, 60), observer_height=5.0, method=method, obstacles=np.zeros(dem.shape))
    for v in ("visible", "min_visible_height", "elevation_angle"):
        np.testing.assert_array_equal(a[v].values, b[v].values)


def test_a_wall_of_buildings_casts_the_shadow_of_similar_triangles():
    """Flat plane, no curvature, eye 20 m, a 12 m wall 30 cells east: ground at distance d behind the wall is
    hidden iff the sight line over the wall's top, 20 - 8 d / dw, is above the ground there, i.e. d < 2.5 dw."""
    dem = _plane()
    wall = np.zeros(dem.shape, np.float32)
    c0, dw = 20, 30
    wall[:, c0 + dw] = 12.0
    vs = terrain.viewshed(dem, _xy(40, c0), observer_height=20.0, curvature=False, method="exact", obstacles=wall)
    row = vs.visible.values[40]
    for c in range(c0 + dw + 1, dem.shape[1]):
        d = c - c0
        assert row[c] == (0 if d < 2.5 * dw - 1e-9 else 1), (c, d)
    assert row[c0 + dw] == 1 and row[c0 + dw - 1] == 1   # the wall's own ground and the cell before it
    # the height a target needs behind the wall: the sight line over the top, 20 - 8 d / dw, at distance d
    d = 50
    assert vs.min_visible_height.values[40, c0 + d] == pytest.approx(20.0 - 8.0 * d / dw, abs=1e-4)
    without = terrain.viewshed(dem, _xy(40, c0), observer_height=20.0, curvature=False, method="exact")
    assert (without.visible.values[40, c0 + 1:] == 1).all()


def test_rooftop_targets_and_an_observer_on_a_roof():
    dem = _plane()
    roofs = np.zeros(dem.shape, np.float32)
    roofs[30:50, 60:70] = 15.0
    roofs[40, 20] = 25.0   # the observer's tower
    kw = dict(observer_height=2.0, curvature=False, method="exact", obstacles=roofs)
    ground = terrain.viewshed(dem, _xy(40, 20), **kw)
    tops = terrain.viewshed(dem, _xy(40, 20), targets_on_obstacles=True, **kw)
    tower = terrain.viewshed(dem, _xy(40, 20), observer_on_obstacle=True, **kw)
    # from 2 m: the block's front cell is seen (a cell's own obstacle does not hide it), the ground inside and
    # behind the block is hidden; its front roof is seen, the roofs behind the front are hidden by nearer ones
    # (the line from 2 m to 15 m at 49 cells is 12.6 m high over the front row)
    assert ground.visible.values[40, 60] == 1
    assert ground.visible.values[40, 65] == 0 and ground.visible.values[40, 75] == 0
    assert tops.visible.values[40, 60] == 1 and tops.visible.values[40, 69] == 0
    roof_tower = terrain.viewshed(dem, _xy(40, 20), observer_on_obstacle=True, targets_on_obstacles=True, **kw)
    assert float(roof_tower.visible.values[30:50, 60:70].mean()) == 1.0   # from the 27 m tower every roof
    assert float(tower["observer_eye_m"]) == pytest.approx(27.0)
    assert (tower.visible.values == 1).sum() > (ground.visible.values == 1).sum()


def test_fast_and_refined_agree_with_exact_as_without_obstacles():
    dem = _rough(160)
    rng = np.random.default_rng(9)
    blocks = np.zeros(dem.shape, np.float32)
    for _ in range(60):
        r, c = rng.integers(5, 150, 2)
        blocks[r:r + rng.integers(2, 6), c:c + rng.integers(2, 6)] = rng.uniform(5, 20)
    kw = dict(observer_height=10.0, obstacles=blocks)
    ex = terrain.viewshed(dem, _xy(80, 80), method="exact", **kw).visible.values == 1
    for method, floor in (("fast", 0.97), ("refined", 0.999)):
        v = terrain.viewshed(dem, _xy(80, 80), method=method, **kw).visible.values == 1
        iou = (v & ex).sum() / (v | ex).sum()
        assert iou >= floor, (method, iou)


def test_bad_obstacles_are_refused():
    dem = _plane()
    with pytest.raises(InputError, match="negative heights"):
        terrain.viewshed(dem, _xy(40, 20), obstacles=np.full(dem.shape, -1.0))
    with pytest.raises(InputError, match="is 3 x 3 cells but the DEM"):
        terrain.viewshed(dem, _xy(40, 20), obstacles=np.zeros((3, 3)))
    with pytest.raises(InputError, match="need obstacles"):
        terrain.viewshed(dem, _xy(40, 20), targets_on_obstacles=True)


def test_cli_reads_an_obstacles_file_onto_the_dem_grid(tmp_path):
    dem = _plane()
    dem_path = tmp_path / "plane.tif"
    wall_path = tmp_path / "wall.tif"
    wall = np.zeros(dem.shape, np.float32)
    wall[:, 50] = 12.0
    write_tif(dem_path, dem.values)
    write_tif(wall_path, wall)
    base = ["viewshed", str(dem_path), "--observer", _xy(40, 20), "--observer-height", "20", "--no-curvature",
            "--method", "exact", "--json"]
    res = CliRunner().invoke(cli, base + ["--obstacles", str(wall_path)])
    free = CliRunner().invoke(cli, base)
    assert res.exit_code == 0 and free.exit_code == 0, (res.output, free.output)
    hidden, seen = json.loads(res.stdout), json.loads(free.stdout)
    assert hidden["visible_km2"] < seen["visible_km2"]
    out = CliRunner().invoke(cli, base + ["--obstacles", str(wall_path), "--out", str(wall_path)])
    assert out.exit_code == 2 and "destroy the input" in out.output
    # terrain cumulative takes the same options: its count is the single viewshed's, wall and all
    cum = CliRunner().invoke(cli, ["cumulative", str(dem_path), "--observers", f"{_xy(40, 20)};{_xy(10, 150)}",
                                   "--observer-height", "20", "--no-curvature", "--method", "exact", "--json",
                                   "--obstacles", str(wall_path)])
    assert cum.exit_code == 0, cum.output
    assert json.loads(cum.stdout)["observers"][0]["visible_km2"] == pytest.approx(hidden["visible_km2"], abs=1e-3)


def _blocks(shape, seed=5):
    """Buildings: random blocks 8-20 m high on about a fifth of the cells."""
    rng = np.random.default_rng(seed)
    b = np.where(rng.random(shape) < 0.2, rng.uniform(8.0, 20.0, shape), 0.0)
    return b.astype(np.float32)


@pytest.mark.parametrize("method", ["fast", "refined", "exact"])
@pytest.mark.parametrize("roofs", [False, True])
def test_cumulative_with_obstacles_is_the_sum_of_the_single_viewsheds(method, roofs):
    from test_multi_cumulative import on_grid

    dem = _rough()
    obst = _blocks(dem.shape)
    points = [_xy(60, 60), _xy(20, 30), _xy(90, 100)]
    opts = dict(observer_height=4.0, max_distance=1200.0, obstacles=obst, targets_on_obstacles=roofs,
                observer_on_obstacle=roofs)
    cv = terrain.cumulative_viewshed(dem, points, method=method, **opts)
    singles = [terrain.viewshed(dem, p, method=method, **opts) for p in points]
    grids = [on_grid(dem, v, cv) for v in singles]
    assert np.array_equal(cv["count"].values, sum((g == 1).astype(int) for g in grids))
    assert np.array_equal(cv["analysed"].values, sum((g != 255).astype(int) for g in grids))
    for i, g in enumerate(grids):
        assert np.array_equal(terrain.seen_by_observer(cv, i).values, g == 1)
        assert cv["observer_eye_m"].values[i] == singles[i]["observer_eye_m"].item()
    assert cv.attrs["obstacles"] == 1 and cv.attrs["targets_on_obstacles"] == int(roofs)
    plain = terrain.cumulative_viewshed(dem, points, method=method, observer_height=4.0, max_distance=1200.0)
    assert int(cv["count"].sum()) < int(plain["count"].sum())   # the buildings hide ground
    zero = terrain.cumulative_viewshed(dem, points, method=method, observer_height=4.0, max_distance=1200.0,
                                       obstacles=np.zeros(dem.shape))
    for v in ("count", "analysed", "seen_by"):
        assert np.array_equal(zero[v].values, plain[v].values), v
    with pytest.raises(InputError, match="need obstacles"):
        terrain.cumulative_viewshed(dem, points, targets_on_obstacles=True)


def test_siting_with_obstacles_counts_what_each_post_sees_over_the_roofs():
    from terrain.grid import cell_areas_m2, row_geometry
    from terrain.multi.target_area import cell_distances_m

    dem = _rough()
    obst = _blocks(dem.shape)
    cands = [_xy(20, 20), _xy(100, 95), _xy(60, 110), _xy(25, 90)]
    opts = dict(observer_height=5.0, max_distance=2500.0, method="fast", obstacles=obst, observer_on_obstacle=True)
    res = terrain.site_observers(dem, _xy(60, 60), cands, k=2, target_radius=600.0, **opts)
    y_m, dx_m = row_geometry(dem.rio.transform(), dem.shape, dem.rio.crs)
    w = cell_areas_m2(y_m, dx_m)[:, None] * np.ones((1, dem.shape[1])) / 1e6
    mask = cell_distances_m(y_m, dx_m, 60, 60, dem.shape) <= 600.0
    for c in cands:
        vs = terrain.viewshed(dem, c, **opts)
        seen = np.zeros(dem.shape, bool)
        seen[np.ix_(dem.indexes["y"].get_indexer(vs.y), dem.indexes["x"].get_indexer(vs.x))] = vs.visible.values == 1
        solo = float(w[seen & mask].sum())
        match = [r for r in res.candidates.rows if r["eye_m"] == round(vs["observer_eye_m"].item(), 1)
                 and abs(r["lat"] - vs["observer_lat"].item()) < 1e-6]
        assert len(match) == 1 and match[0]["solo_km2"] == pytest.approx(solo, abs=1e-4)
    plain = terrain.site_observers(dem, _xy(60, 60), cands, k=2, target_radius=600.0, observer_height=5.0,
                                   max_distance=2500.0, method="fast")
    assert res.attrs["obstacles"] == 1 and res.attrs["covered_km2"] < plain.attrs["covered_km2"]


def test_overlook_and_key_terrain_with_obstacles_locally_and_on_dask():
    """Each candidate's share of the target is its single viewshed's with the obstacles; Dask gives the same."""
    distributed = pytest.importorskip("distributed")
    from terrain.grid import cell_areas_m2, row_geometry
    from terrain.multi import distributed as D
    from terrain.multi.target_area import cell_distances_m

    dem = _rough()
    obst = _blocks(dem.shape)
    cands = [_xy(20, 20), _xy(100, 95), _xy(60, 110)]
    opts = dict(observer_height=5.0, max_distance=2500.0, method="fast", obstacles=obst, observer_on_obstacle=True)
    table = terrain.overlook(dem, _xy(60, 60), cands, target_radius=600.0, **opts)
    y_m, dx_m = row_geometry(dem.rio.transform(), dem.shape, dem.rio.crs)
    w = cell_areas_m2(y_m, dx_m)[:, None] * np.ones((1, dem.shape[1])) / 1e6
    mask = cell_distances_m(y_m, dx_m, 60, 60, dem.shape) <= 600.0
    by_lat = {round(r["lat"], 6): r for r in table.rows}
    for c in cands:
        vs = terrain.viewshed(dem, c, **opts)
        seen = np.zeros(dem.shape, bool)
        seen[np.ix_(dem.indexes["y"].get_indexer(vs.y), dem.indexes["x"].get_indexer(vs.x))] = vs.visible.values == 1
        row = by_lat[round(vs["observer_lat"].item(), 6)]
        assert row["visible_km2"] == pytest.approx(float(w[seen & mask].sum()), abs=1e-4)
        assert row["eye_m"] == round(vs["observer_eye_m"].item(), 1)
    assert table.attrs["obstacles"] == 1
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        dask = D.overlook(dem, _xy(60, 60), cands, target_radius=600.0, client=client, **opts)
    assert dask.rows == table.rows
    # key terrain passes the obstacles on to overlook
    kt = terrain.key_terrain(dem, _xy(60, 60), within=3000.0, target_radius=600.0, min_prominence=1.0, top=3,
                             **opts)
    plain = terrain.key_terrain(dem, _xy(60, 60), within=3000.0, target_radius=600.0, min_prominence=1.0, top=3,
                                observer_height=5.0, max_distance=2500.0, method="fast")
    assert kt.attrs["obstacles"] == 1 and sum(r["visible_km2"] for r in kt.rows) < sum(
        r["visible_km2"] for r in plain.rows)


@pytest.mark.parametrize("roofs", [False, True])
def test_line_of_sight_and_intervisibility_with_obstacles_equal_the_exact_viewshed(roofs):
    """line_of_sight(a, b, obstacles=).visible is the exact viewshed's cell at b, on a seeded set of pairs;
    intervisibility's matrix is line_of_sight pair by pair."""
    dem = _rough()
    obst = _blocks(dem.shape, seed=11)
    opts = dict(obstacles=obst, targets_on_obstacles=roofs, observer_on_obstacle=roofs)
    rng = np.random.default_rng(21)
    a = (60, 55)
    vs = terrain.viewshed(dem, _xy(*a), observer_height=25.0, target_height=1.5, method="exact", **opts)
    checked = hidden = 0
    for r, c in rng.integers(2, 118, (60, 2)):
        if (r, c) == a:
            continue
        los = terrain.line_of_sight(dem, _xy(*a), _xy(r, c), observer_height=25.0, target_height=1.5, **opts)
        assert los.visible == (vs.visible.values[r, c] == 1), (r, c)
        if not los.visible:
            hidden += 1
            assert los.extra_target_height_m == pytest.approx(float(vs.min_visible_height.values[r, c]) - 1.5,
                                                              abs=1e-3)
        checked += 1
    assert checked >= 55 and hidden >= 5 and checked - hidden >= 1
    los = terrain.line_of_sight(dem, _xy(*a), _xy(20, 30), observer_height=25.0, **opts)
    assert los.observer_eye_m == pytest.approx(float(dem.values[a]) + 25.0 + (float(obst[a]) if roofs else 0.0))
    assert ("obstacle" in los.summary()) and los.parameters["obstacles"]
    # the profile's terrain is ground + obstacles between the ends
    bare = terrain.line_of_sight(dem, _xy(*a), _xy(20, 30), observer_height=25.0)
    assert (los.profile_terrain_m[1:-1] >= bare.profile_terrain_m[1:-1] - 1e-9).all()
    assert (los.profile_terrain_m[1:-1] > bare.profile_terrain_m[1:-1] + 1.0).any()

    points = [_xy(60, 55), _xy(20, 30), _xy(90, 100), _xy(100, 20)]
    table = terrain.multi.intervisibility(dem, points, observer_height=25.0, target_height=1.5, **opts)
    for i, p in enumerate(points):
        for j, q in enumerate(points):
            if i != j:
                los = terrain.line_of_sight(dem, p, q, observer_height=25.0, target_height=1.5, **opts)
                assert table.matrix[i, j] == los.visible
    assert table.attrs["obstacles"] is True and table.attrs["targets_on_obstacles"] is roofs
    plain = terrain.multi.intervisibility(dem, points, observer_height=25.0, target_height=1.5)
    zero = terrain.multi.intervisibility(dem, points, observer_height=25.0, target_height=1.5,
                                         obstacles=np.zeros(dem.shape))
    assert np.array_equal(zero.matrix, plain.matrix)
    with pytest.raises(InputError, match="need obstacles"):
        terrain.line_of_sight(dem, points[0], points[1], targets_on_obstacles=True)


def test_reverse_viewshed_with_obstacles_by_reciprocity():
    """From where is a 10 m mast on a roof seen by 2 m eyes on the rooftops: each cell's answer equals the
    viewshed from that cell to the mast's top."""
    dem = _rough()
    obst = _blocks(dem.shape, seed=12)
    mast = (60, 60)
    rv = terrain.reverse_viewshed(dem, _xy(*mast), observer_height=2.0, target_height=10.0, method="exact",
                                  obstacles=obst, observers_on_obstacles=True, point_on_obstacle=True)
    assert rv.attrs["observers_on_obstacles"] == 1 and rv.attrs["point_on_obstacle"] == 1
    rng = np.random.default_rng(5)
    seen = 0
    for r, c in rng.integers(5, 115, (25, 2)):
        if (r, c) == mast:
            continue
        fwd = terrain.line_of_sight(dem, _xy(r, c), _xy(*mast), observer_height=2.0, target_height=10.0,
                                    obstacles=obst, observer_on_obstacle=True, targets_on_obstacles=True)
        assert fwd.visible == (rv.visible.values[r, c] == 1), (r, c)
        seen += fwd.visible
    assert 0 < seen < 24
    bare = terrain.reverse_viewshed(dem, _xy(*mast), observer_height=2.0, target_height=10.0, method="exact")
    assert rv.attrs["obstacles"] == 1 and bare.attrs["obstacles"] == 0


def test_cli_los_and_intervis_take_obstacles(tmp_path):
    """Flat plane, eye 20 m, a 12 m wall 30 cells east: a target 60 cells east (2 dw, inside the 2.5 dw shadow)
    is hidden over the wall and needs 20 - 8 * 60 / 30 = 4 m to be seen."""
    dem = _plane()
    dem_path, wall_path = tmp_path / "plane.tif", tmp_path / "wall.tif"
    wall = np.zeros(dem.shape, np.float32)
    wall[:, 50] = 12.0
    write_tif(dem_path, dem.values)
    write_tif(wall_path, wall)
    base = ["los", str(dem_path), "--from", _xy(40, 20), "--to", _xy(40, 80), "--observer-height", "20",
            "--no-curvature"]
    res = CliRunner().invoke(cli, base + ["--obstacles", str(wall_path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["visible"] is False and out["extra_target_height_m"] == pytest.approx(4.0, abs=0.01)
    assert out["obstruction"]["elevation_m"] == pytest.approx(12.0)
    text = CliRunner().invoke(cli, base + ["--obstacles", str(wall_path)]).output
    assert "ground + obstacle 12 m" in text and "over the obstacles' tops" in text
    assert json.loads(CliRunner().invoke(cli, base + ["--json"]).stdout)["visible"] is True
    bad = CliRunner().invoke(cli, base + ["--targets-on-obstacles"])
    assert bad.exit_code == 2 and "need obstacles" in bad.output

    pts = f"{_xy(40, 20)};{_xy(40, 80)};{_xy(40, 45)}"
    iv = CliRunner().invoke(cli, ["intervis", str(dem_path), "--points", pts, "--observer-height", "2",
                                  "--no-curvature", "--obstacles", str(wall_path), "--json"])
    assert iv.exit_code == 0, iv.output
    m = np.array(json.loads(iv.stdout)["matrix"])
    assert m.tolist() == [[1, 0, 1], [0, 1, 0], [1, 0, 1]]   # the wall parts the two sides


@pytest.mark.parametrize("method", ["fast", "exact"])
def test_visibility_index_with_obstacles_equals_the_single_viewsheds(method):
    from terrain.multi import visibility_index
    from terrain.viewshed import visible_area_km2

    dem = _rough(60)
    obst = _blocks(dem.shape, seed=13)
    for roofs in (False, True):
        opts = dict(observer_height=3.0, obstacles=obst, targets_on_obstacles=roofs, observer_on_obstacle=roofs)
        vi = visibility_index(dem, radius=600.0, stride=7, method=method, **opts)
        assert vi.attrs["obstacles"] == 1 and vi.attrs["observer_on_obstacle"] == int(roofs)
        for r, c in ((0, 0), (3, 4), (5, 8), (8, 2)):
            vs = terrain.viewshed(dem, _xy(7 * r, 7 * c), max_distance=600.0, method=method, **opts)
            assert float(vi.values[r, c]) == pytest.approx(visible_area_km2(vs), rel=1e-6), (roofs, r, c)
    plain = visibility_index(dem, radius=600.0, stride=7, method=method, observer_height=3.0)
    assert float(np.nansum(vi.values)) != float(np.nansum(plain.values))
    zero = visibility_index(dem, radius=600.0, stride=7, method=method, observer_height=3.0,
                            obstacles=np.zeros(dem.shape))
    np.testing.assert_allclose(zero.values, plain.values, rtol=1e-12)
    with pytest.raises(InputError, match="need obstacles"):
        visibility_index(dem, radius=600.0, stride=7, observer_on_obstacle=True)


def test_visibility_index_with_obstacles_on_dask_equals_local():
    distributed = pytest.importorskip("distributed")
    from terrain.multi import visibility_index
    from terrain.multi.distributed import visibility_index as dask_index

    dem = _rough(60)
    obst = _blocks(dem.shape, seed=13)
    opts = dict(radius=600.0, stride=5, observer_height=3.0, obstacles=obst, observer_on_obstacle=True,
                targets_on_obstacles=True)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc, \
            distributed.Client(lc) as client:
        for method in ("fast", "refined"):
            local = visibility_index(dem, method=method, **opts)
            remote = dask_index(dem, method=method, client=client, **opts)
            np.testing.assert_array_equal(remote.values, local.values)


def test_cli_vindex_takes_obstacles(tmp_path):
    dem = _plane(41, 61)
    dem_path, wall_path = tmp_path / "plane.tif", tmp_path / "wall.tif"
    wall = np.zeros(dem.shape, np.float32)
    wall[:, 30] = 12.0
    write_tif(dem_path, dem.values)
    write_tif(wall_path, wall)
    base = ["vindex", str(dem_path), "--radius", "600", "--stride", "5", "--no-curvature", "--json"]
    free = CliRunner().invoke(cli, base)
    walled = CliRunner().invoke(cli, base + ["--obstacles", str(wall_path)])
    assert free.exit_code == 0 and walled.exit_code == 0, (free.output, walled.output)
    a, b = json.loads(free.stdout), json.loads(walled.stdout)
    assert b["mean_km2"] < a["mean_km2"]
    api = terrain.multi.visibility_index(terrain.load_dem(dem_path), radius=600.0, stride=5, curvature=False,
                                         obstacles=str(wall_path))
    assert b["mean_km2"] == pytest.approx(round(float(np.nanmean(api.values)), 4), abs=1e-4)
