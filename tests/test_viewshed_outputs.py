"""``outputs=``: only the outputs asked for, computed by the fused fast sweep, bit for bit the two-pass result."""

from __future__ import annotations

import numpy as np
import pytest

import terrain
from terrain.errors import InputError
from terrain.kernels.horizon_fast import horizon_fast, viewshed_fast_into
from terrain.kernels.visibility import viewshed_from_horizon_into

CASES = [
    dict(),
    dict(max_distance=8000, min_distance=700),
    dict(max_distance=12000, azimuth=(300, 60), pitch=(-4, 2), target_height=3),
    dict(azimuth=(90, 200), observer_height=30),
]


@pytest.fixture(scope="module")
def hama():
    from conftest import REPO

    return terrain.load_dem(REPO / "dem_samples" / "hama_standin.tif")


def _two_pass(dem, **kw):
    """The unfused reference: the fast horizon grid, then the finish over the whole raster."""
    import importlib

    vs = importlib.import_module("terrain.viewshed")  # the module, not the function the package re-exports
    s = vs.prepare(dem, "Zayn al-Abidin", **{k: v for k, v in kw.items()}, method="fast")
    z = np.ascontiguousarray(dem.isel(y=s.rows, x=s.cols).values, dtype=np.float32)
    H = horizon_fast(z, s.y_m, s.dx_m, s.r0, s.c0, s.eye_z, s.curv, s.max_d)
    out = (np.empty(z.shape, np.uint8), np.empty(z.shape, np.float32), np.empty(z.shape, np.float32))
    viewshed_from_horizon_into(z, H, s.y_m, s.dx_m, s.r0, s.c0, s.eye_z, s.curv, s.target_h, s.min_d, s.max_d,
                               s.az[0], s.az[1], s.full_circle, s.pitch[0], s.pitch[1], *out)
    return dict(zip(("visible", "min_visible_height", "elevation_angle"), out))


@pytest.mark.parametrize("kw", CASES)
def test_fused_fast_equals_two_pass_for_every_output_subset(hama, kw):
    ref = _two_pass(hama, **kw)
    assert (ref["visible"] == 1).sum() > 1000 and (ref["visible"] == 0).sum() > 1000
    for outputs in [("visible",), ("visible", "min_visible_height"), ("elevation_angle",),
                    ("visible", "min_visible_height", "elevation_angle")]:
        res = terrain.viewshed(hama, "Zayn al-Abidin", method="fast", outputs=outputs, **kw)
        assert sorted(res.data_vars) == sorted(outputs)
        for name in outputs:
            np.testing.assert_array_equal(res[name].values, ref[name], err_msg=f"{name} {outputs} {kw}")


@pytest.mark.parametrize("method", ["refined", "exact"])
def test_other_methods_compute_only_what_is_named(hama, method):
    kw = dict(max_distance=4000, min_distance=200)
    full = terrain.viewshed(hama, "Jabal Kafra", method=method, **kw)
    only = terrain.viewshed(hama, "Jabal Kafra", method=method, outputs=("visible",), **kw)
    assert list(only.data_vars) == ["visible"]
    np.testing.assert_array_equal(only.visible.values, full.visible.values)
    mvh = terrain.viewshed(hama, "Jabal Kafra", method=method, outputs=["min_visible_height"], **kw)
    np.testing.assert_array_equal(mvh.min_visible_height.values, full.min_visible_height.values)
    assert terrain.visible_area_km2(only) == terrain.visible_area_km2(full)


def test_fused_kernel_on_voids_and_the_observer_cell():
    """Voids are never visible; the observer cell is visible with mvh 0 and angle -90 (as the two-pass finish)."""
    rng = np.random.default_rng(3)
    z = (rng.random((61, 75)) * 40).astype(np.float32)
    z[10:14, 20:30] = np.nan
    y = np.arange(61) * 30.0
    dx = np.full(61, 30.0)
    args = (z, y, dx, 30, 37, 60.0, 0.87 / (2 * 6371008.8), 0.0, 0.0, 0.0, 0.0, 360.0, True, -90.0, 90.0)
    vis = np.empty(z.shape, np.uint8)
    mvh = np.empty(z.shape, np.float32)
    ang = np.empty(z.shape, np.float32)
    viewshed_fast_into(*args, vis, mvh, ang)
    assert (vis[10:14, 20:30] == 255).all() and np.isnan(mvh[10:14, 20:30]).all()
    assert vis[30, 37] == 1 and mvh[30, 37] == 0 and ang[30, 37] == -90
    H = horizon_fast(z, y, dx, 30, 37, 60.0, args[6], 0.0)
    ref = [np.empty(z.shape, np.uint8), np.empty(z.shape, np.float32), np.empty(z.shape, np.float32)]
    viewshed_from_horizon_into(z, H, y, dx, *args[3:], *ref)
    np.testing.assert_array_equal(vis, ref[0])
    np.testing.assert_array_equal(mvh, ref[1])
    np.testing.assert_array_equal(ang, ref[2])


@pytest.mark.parametrize("outputs, words", [(("visibility",), "unknown viewshed output 'visibility'"),
                                            ((), "outputs is empty")])
def test_bad_outputs_are_refused(hama, outputs, words):
    with pytest.raises(InputError, match=words):
        terrain.viewshed(hama, "Hama", max_distance=1000, outputs=outputs)


def test_cli_outputs_option(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from conftest import REPO

    from terrain.cli.main import cli

    monkeypatch.chdir(REPO)
    base = ["viewshed", "dem_samples/hama_standin.tif", "--observer", "Zayn al-Abidin", "--radius", "3km",
            "--method", "fast", "--json"]
    import json

    one = CliRunner().invoke(cli, base + ["--outputs", "visible"], catch_exceptions=False)
    full = CliRunner().invoke(cli, base + ["--outputs", "visible,min_visible_height,elevation_angle"],
                              catch_exceptions=False)
    assert one.exit_code == 0 and full.exit_code == 0, one.output
    assert json.loads(one.output)["visible_km2"] == json.loads(full.output)["visible_km2"] > 1
    bad = CliRunner().invoke(cli, base + ["--outputs", "visible", "--mvh-out", str(tmp_path / "m.tif")])
    assert bad.exit_code == 2 and "leaves out min_visible_height" in bad.output
    assert not (tmp_path / "m.tif").exists()
    bad = CliRunner().invoke(cli, base + ["--outputs", "heights"])
    assert bad.exit_code == 2 and "unknown viewshed output 'heights'" in bad.output
