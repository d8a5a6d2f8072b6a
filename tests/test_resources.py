"""Resources are bounded and work can be stopped (issue #10 §4): long runs are announced with an estimate,
the visibility index streams its plan, exact runs stop on Ctrl-C, maps of huge rasters are drawn thinned,
and what cannot fit in memory is refused before it is allocated."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import tracemalloc
import warnings

import numpy as np
import pytest
from affine import Affine
from click.testing import CliRunner

import terrain
import terrain._resources
from terrain.cli.main import cli
from terrain.errors import InputError, LongRunWarning

SAMPLE = "dem_samples/N44W072.hgt"
HAMA = "dem_samples/hama_standin.tif"


def _flat_dem(n, cell=30.0, seed=0):
    rng = np.random.default_rng(seed)
    z = (200.0 + rng.normal(0.0, 4.0, (n, n))).astype(np.float32)
    return terrain.dem_from_array(z, Affine(cell, 0, 500000.0, 0, -cell, 4000000.0), crs="EPSG:32637")


def test_exact_viewshed_stops_on_ctrl_c():
    script = textwrap.dedent("""
        import sys, numpy as np, terrain
        from affine import Affine
        z = (200 + np.random.default_rng(1).normal(0, 5, (2600, 2600))).astype(np.float32)
        dem = terrain.dem_from_array(z, Affine(30, 0, 500000.0, 0, -30, 4000000.0), crs="EPSG:32637")
        terrain.viewshed(dem.isel(y=slice(0, 40), x=slice(0, 40)), "xy:500600,3999400", method="exact")
        print("started", flush=True)
        terrain.viewshed(dem, "xy:539000,3961000", method="exact")
        print("finished", flush=True)
    """)
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env)
    try:
        assert proc.stdout.readline().strip() == "started"
        time.sleep(1.0)
        sent = time.perf_counter()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
        stopped_after = time.perf_counter() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "finished" not in out
    assert "KeyboardInterrupt" in err
    assert stopped_after < 5.0, stopped_after


def test_long_exact_run_is_announced_with_its_estimate():
    from terrain.viewshed import _warn_if_long_exact

    with pytest.warns(LongRunWarning, match=r"method 'exact' on this 10000 x 10000 window takes about .*Ctrl-C"):
        _warn_if_long_exact((10000, 10000))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _warn_if_long_exact((500, 500))   # seconds: no warning


def test_cli_prints_the_long_run_warning_as_one_line(monkeypatch):
    monkeypatch.setattr(sys.modules["terrain.viewshed"], "LONG_RUN_S", 0.0)
    res = CliRunner().invoke(cli, ["viewshed", SAMPLE, "--observer", "Mount Washington", "--radius", "1km",
                                   "--method", "exact"])
    assert res.exit_code == 0, res.output
    assert "Warning: method 'exact' on this" in res.output
    assert "UserWarning" not in res.output and "warnings.warn" not in res.output


def test_visibility_index_streams_its_plan(monkeypatch):
    dem = _flat_dem(400)
    from terrain.multi import vindex

    monkeypatch.setattr(vindex, "OBSERVERS_PER_BLOCK", 4096)
    whole = terrain.visibility_index(dem, radius=150.0, method="fast")
    tracemalloc.start()
    try:
        streamed = terrain.visibility_index(dem, radius=150.0, method="fast")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(whole.values, streamed.values)
    # 160,000 observers: the whole plan would be ~21 MB (130 bytes each); streamed, the DEM copy, the result
    # and one block of 4096 observers
    assert peak < 6e6, peak
    plan = vindex.plan_index(dem, 150.0, 1, 2.0, 0.0, True, 0.13, "fast", False)
    sizes = [len(p) for _, _, p, _ in plan.row_blocks(4096)]
    assert max(sizes) <= 4096 and sum(sizes) == 160_000


def test_visibility_index_announces_a_long_run():
    from terrain.multi.vindex import check_index_cost, plan_index

    dem = terrain.load_dem(HAMA)
    plan = plan_index(dem, 10_000.0, 1, 2.0, 0.0, True, 0.13, "refined", False)
    with pytest.warns(LongRunWarning, match=r"3,888,000 observers .* hours .* --stride 2"):
        est = check_index_cost(plan, threads=2)
    assert est["observers"] == 3_888_000
    assert 3e5 < est["cells_each"] < 5e5


def test_visibility_index_that_cannot_fit_is_refused(monkeypatch):
    monkeypatch.setattr(terrain._resources, "available_memory_bytes", lambda: 10_000)
    with pytest.raises(InputError, match=r"needs about .* MB beyond the DEM.*--stride"):
        terrain.visibility_index(_flat_dem(100), radius=100.0, method="fast")


def test_dem_that_cannot_fit_is_refused_before_reading(monkeypatch):
    import terrain.dem

    monkeypatch.setattr(terrain.dem, "available_memory_bytes", lambda: 1_000_000)
    with pytest.raises(InputError, match=r"1201 x 1201 grid needing 6 MB, more than the 1 MB.*--radius"):
        terrain.load_dem(SAMPLE)
    res = CliRunner().invoke(cli, ["info", SAMPLE])
    assert res.exit_code == 2 and "more than the" in res.output


def test_map_of_a_large_viewshed_is_drawn_thinned():
    import matplotlib

    matplotlib.use("Agg")
    from terrain.plot import plot_viewshed

    dem = _flat_dem(4500)
    vs = terrain.viewshed(dem, "xy:567500,3932500", method="fast", observer_height=30.0)
    ax = plot_viewshed(vs, dem=dem, places=False)
    shapes = [im.get_array().shape[:2] for im in ax.get_images()]
    assert shapes and all(max(s) <= 2000 for s in shapes), shapes
    overlay = [im for im in ax.get_images() if im.get_gid() == "viewshed-overlay"][0]
    left, right, bottom, top = overlay.get_extent()
    assert right - left == pytest.approx(4500 * 30.0, rel=1e-3)
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_local_cluster_gets_no_more_workers_than_cores_or_observers():
    from terrain.errors import TerrainWarning
    from terrain.multi.distributed import dask_client, local_worker_count

    cores = os.cpu_count() or 1
    with pytest.warns(TerrainWarning, match="12 workers is more than the 1 observer to share; starting 1"):
        assert local_worker_count(12, tasks=1) == 1
    with pytest.warns(TerrainWarning, match="cores of this machine"):
        assert local_worker_count(cores + 5) == cores
    assert local_worker_count(None) == cores
    assert local_worker_count(1, tasks=100) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with dask_client(n_workers=12, tasks=1) as c:
            assert len(c.scheduler_info()["workers"]) == 1


def test_xy_observer_with_a_radius_reads_only_the_window(monkeypatch, tmp_path):
    import json

    import rasterio

    import terrain.dem

    dem = _flat_dem(900)
    path = tmp_path / "utm.tif"
    with rasterio.open(path, "w", driver="GTiff", width=900, height=900, count=1, dtype="float32",
                       crs="EPSG:32637", transform=dem.rio.transform()) as ds:
        ds.write(dem.values[None])
    shapes = []
    real = terrain.dem._read_mosaic

    def recording(*args, **kwargs):
        grid = real(*args, **kwargs)
        shapes.append(grid.values.shape)
        return grid

    monkeypatch.setattr(terrain.dem, "_read_mosaic", recording)
    res = CliRunner().invoke(cli, ["viewshed", str(path), "--observer", "xy:513500,3986500", "--radius", "2km",
                                   "--json"])
    assert res.exit_code == 0, res.output
    assert shapes and max(shapes[-1]) < 200, shapes   # a 4 km box of 30 m cells, not the 900 x 900 file
    lat, lon = json.loads(res.stdout)["observer"]["lat"], json.loads(res.stdout)["observer"]["lon"]
    by_latlon = CliRunner().invoke(cli, ["viewshed", str(path), "--observer", f"{lat},{lon}", "--radius", "2km",
                                         "--json"])
    assert json.loads(by_latlon.stdout)["visible_km2"] == json.loads(res.stdout)["visible_km2"]


def test_progress_off_a_terminal_is_a_plain_line_every_few_seconds():
    import io

    from terrain._progress import LineProgress, progress_bar

    out = io.StringIO()
    bar = LineProgress(1000, "visibility index", every_s=0.0, file=out)
    bar.update(250)
    bar.update(250)
    bar.close()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("visibility index: 250 / 1,000 observers (25 %), ")
    assert "s left" in lines[0] and "\r" not in out.getvalue()
    assert lines[-1].startswith("visibility index: 500 observers done in ")
    quiet = io.StringIO()
    short = LineProgress(10, "overlook", file=quiet)   # ends before the first line is due: nothing
    short.update(10)
    short.close()
    assert quiet.getvalue() == ""
    assert isinstance(progress_bar(5, "x"), LineProgress)   # pytest's stderr is not a terminal
