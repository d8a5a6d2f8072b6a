"""The Dask path gives exactly the local results, on a real LocalCluster of two worker processes."""

from __future__ import annotations

import numpy as np
import pytest
from test_multi_terrain import rough_dem, xy

distributed = pytest.importorskip("distributed")

from terrain.multi import distributed as D  # noqa: E402
from terrain.multi.cumulative import cumulative_viewshed  # noqa: E402
from terrain.multi.overlook import overlook  # noqa: E402
from terrain.multi.vindex import visibility_index  # noqa: E402

DEM = rough_dem(50, 56, seed=4)
POINTS = [xy(DEM, r, c) for r, c in [(5, 5), (25, 28), (44, 50), (8, 50), (40, 8)]]


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


def test_cumulative_equals_local(client):
    local = cumulative_viewshed(DEM, POINTS, observer_height=4.0, max_distance=[900.0, 700, 900, 500, 800])
    dask = D.cumulative_viewshed(DEM, POINTS, observer_height=4.0, max_distance=[900.0, 700, 900, 500, 800],
                                 client=client, batch_size=2)
    for v in ("count", "analysed", "seen_by", "visible_km2"):
        assert np.array_equal(local[v].values, dask[v].values), v
    assert local.rio.transform() == dask.rio.transform()


def test_packed_seen_by_of_many_observers_equals_local(client):
    """130 observers (three words of the mask) in tasks that start inside a word."""
    pts = [xy(DEM, r, c) for r in range(2, 50, 4) for c in range(2, 56, 5)][:130]
    local = cumulative_viewshed(DEM, pts, max_distance=300.0, method="fast")
    dask = D.cumulative_viewshed(DEM, pts, max_distance=300.0, method="fast", client=client, batch_size=37)
    assert dask["seen_by"].sizes["word"] == 3
    for v in ("count", "analysed", "seen_by", "visible_km2"):
        assert np.array_equal(local[v].values, dask[v].values), v
    only = D.cumulative_viewshed(DEM, pts, max_distance=300.0, method="fast", client=client, outputs=("count",))
    assert "analysed" not in only and "seen_by" not in only
    assert np.array_equal(only["count"].values, local["count"].values)


def test_cumulative_with_obstacles_equals_local(client):
    rng = np.random.default_rng(3)
    obst = np.where(rng.random(DEM.shape) < 0.2, 15.0, 0.0).astype(np.float32)
    opts = dict(observer_height=4.0, max_distance=800.0, method="fast", obstacles=obst, observer_on_obstacle=True)
    local = cumulative_viewshed(DEM, POINTS, **opts)
    dask = D.cumulative_viewshed(DEM, POINTS, client=client, batch_size=2, **opts)
    for v in ("count", "analysed", "seen_by", "visible_km2", "observer_eye_m"):
        assert np.array_equal(local[v].values, dask[v].values), v
    assert dask.attrs["obstacles"] == 1


def test_visibility_index_and_overlook_equal_local(client):
    a = visibility_index(DEM, radius=450.0, stride=4)
    b = D.visibility_index(DEM, radius=450.0, stride=4, client=client, batch_size=40)
    assert np.array_equal(a.values, b.values, equal_nan=True)
    ta = overlook(DEM, xy(DEM, 25, 30), POINTS, target_radius=250.0)
    tb = D.overlook(DEM, xy(DEM, 25, 30), POINTS, target_radius=250.0, client=client, batch_size=2)
    assert ta.rows == tb.rows


def test_scheduler_address_from_environment(client, monkeypatch):
    monkeypatch.setenv(D.SCHEDULER_ENV, client.scheduler.address)
    out = D.cumulative_viewshed(DEM, POINTS[:2], max_distance=600.0)
    assert np.array_equal(out["count"].values, cumulative_viewshed(DEM, POINTS[:2], max_distance=600.0)["count"].values)


def test_keyterrain_on_two_workers_equals_the_local_run_attribute_for_attribute():
    import json

    from click.testing import CliRunner

    from terrain.cli.main import cli

    args = ["keyterrain", "dem_samples/hama_standin.tif", "--target", "Hama", "--within", "10km", "--method", "fast",
            "--json"]
    local = CliRunner().invoke(cli, args)
    dask = CliRunner().invoke(cli, args + ["--workers", "2"])
    assert local.exit_code == 0 and dask.exit_code == 0, (local.output, dask.output)
    a, b = json.loads(local.stdout), json.loads(dask.stdout)
    assert a == b
    assert a["search_radius_m"] == 10_000.0 and a["rows"]


@pytest.mark.parametrize("method", ["fast", "refined", "exact"])
def test_backend_dask_on_every_many_observer_function_equals_local(client, method):
    """backend="dask" with client= gives the local result, bit for bit, for every method."""
    import terrain

    kw = dict(observer_height=4.0, max_distance=700.0, method=method)
    a = terrain.cumulative_viewshed(DEM, POINTS, **kw)
    b = terrain.cumulative_viewshed(DEM, POINTS, backend="dask", client=client, **kw)
    for v in ("count", "analysed", "seen_by", "visible_km2"):
        assert np.array_equal(a[v].values, b[v].values), v
    a = terrain.visibility_index(DEM, radius=400.0, stride=6, method=method)
    b = terrain.visibility_index(DEM, radius=400.0, stride=6, method=method, backend="dask", client=client)
    assert np.array_equal(a.values, b.values, equal_nan=True)
    target = xy(DEM, 25, 30)
    a = terrain.overlook(DEM, target, POINTS, target_radius=250.0, method=method)
    b = terrain.overlook(DEM, target, POINTS, target_radius=250.0, method=method, backend="dask", client=client)
    assert a.rows == b.rows and a.attrs == b.attrs
    a = terrain.key_terrain(DEM, target, within=1500.0, target_radius=250.0, min_prominence=1.0, method=method)
    b = terrain.key_terrain(DEM, target, within=1500.0, target_radius=250.0, min_prominence=1.0, method=method,
                            backend="dask", client=client)
    assert a.rows and a.rows == b.rows and a.attrs == b.attrs


def test_backend_options_are_checked_in_one_sentence(client):
    import terrain
    from terrain.errors import InputError

    with pytest.raises(InputError, match="unknown backend 'spark'"):
        terrain.cumulative_viewshed(DEM, POINTS, backend="spark")
    with pytest.raises(InputError, match="add backend='dask'"):
        terrain.visibility_index(DEM, radius=400.0, client=client)
    with pytest.raises(InputError, match="add backend='dask'"):
        terrain.overlook(DEM, xy(DEM, 25, 30), POINTS, scheduler="tcp://127.0.0.1:1")


def test_siting_on_dask_chooses_the_same_posts(client):
    import terrain

    cands = [xy(DEM, r, c) for r in range(2, 50, 6) for c in range(2, 56, 6)]   # 72 candidates: two tasks
    kw = dict(k=3, target_radius=300.0, max_distance=900.0, observer_height=4.0, method="refined")
    local = terrain.site_observers(DEM, xy(DEM, 25, 28), cands, **kw)
    dask = terrain.site_observers(DEM, xy(DEM, 25, 28), cands, backend="dask", client=client, **kw)
    assert dask.posts.rows == local.posts.rows and dask.curve.rows == local.curve.rows
    assert np.array_equal(dask.dead_ground.values, local.dead_ground.values)
    assert {k: v for k, v in dask.attrs.items() if k != "seconds"} == {
        k: v for k, v in local.attrs.items() if k != "seconds"}


def test_report_analysis_on_dask_equals_local(client):
    """The report's many-observer steps (combined coverage, key terrain, siting) on one Dask cluster."""
    from terrain.report import analyse
    from terrain.samples import hama_standin_path

    kw = dict(radius_m=10_000.0, target_radius_m=1500.0, method="fast", key_terrain_method="fast", siting_k=2,
              siting_method="fast", places=False, panorama=False, min_prominence_m=30.0)
    local = analyse(hama_standin_path(), "Zayn al-Abidin,Jabal Kafra", "Hama", **kw)
    dask = analyse(hama_standin_path(), "Zayn al-Abidin,Jabal Kafra", "Hama", backend="dask", client=client, **kw)
    assert dask.combined == local.combined and dask.target_seen == local.target_seen
    for v in ("count", "analysed", "seen_by"):
        assert np.array_equal(dask.coverage[v].values, local.coverage[v].values), v
    assert dask.key_terrain.rows == local.key_terrain.rows and local.key_terrain.rows
    assert dask.siting.posts.rows == local.siting.posts.rows


def test_an_unreachable_scheduler_is_one_sentence():
    import dask

    from terrain.errors import InputError

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(InputError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
            D.cumulative_viewshed(DEM, POINTS[:2], max_distance=600.0, scheduler="tcp://127.0.0.1:9")
