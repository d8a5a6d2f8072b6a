"""One meaning of absolute heights everywhere (issue #10 §3): the observer's eye above sea level, targets
above their own ground; an absolute eye below the ground is refused (API and CLI)."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

import terrain
from terrain.cli.main import cli
from terrain.errors import InputError
from terrain.heights import check_heights, eye_elevation_m

SAMPLE = "dem_samples/N44W072.hgt"
WASHINGTON = "44.2706,-71.3033"


def test_absolute_eye_and_relative_eye_give_the_same_viewshed(white_mountains):
    obs = terrain.locate(white_mountains, WASHINGTON)
    rel = terrain.viewshed(white_mountains, WASHINGTON, observer_height=10.0, target_height=5.0,
                           max_distance=8000, method="fast")
    ab = terrain.viewshed(white_mountains, WASHINGTON, observer_height=obs.ground_m + 10.0, target_height=5.0,
                          max_distance=8000, method="fast", absolute_heights=True)
    np.testing.assert_array_equal(rel.visible.values, ab.visible.values)
    assert ab["observer_eye_m"].item() == pytest.approx(obs.ground_m + 10.0)


def test_target_height_is_above_the_ground_also_with_absolute_heights(white_mountains):
    with pytest.raises(InputError, match="target height"):
        terrain.viewshed(white_mountains, WASHINGTON, observer_height=2500.0, target_height=-5.0,
                         max_distance=5000, absolute_heights=True)


def test_absolute_eye_below_the_ground_is_refused(white_mountains):
    with pytest.raises(InputError, match="below the ground there"):
        terrain.viewshed(white_mountains, WASHINGTON, observer_height=100.0, max_distance=5000,
                         absolute_heights=True)
    with pytest.raises(InputError, match="below the ground"):
        terrain.visibility_index(white_mountains.isel(y=slice(0, 60), x=slice(0, 60)), radius=1000.0,
                                 observer_height=10.0, absolute_heights=True)


def test_the_rule_itself():
    assert eye_elevation_m(100.0, 5.0, False) == 105.0
    assert eye_elevation_m(100.0, 150.0, True) == 150.0
    with pytest.raises(InputError):
        eye_elevation_m(100.0, 50.0, True)
    assert check_heights(-3.0, 0.0, True) == (-3.0, 0.0)   # below sea level is a place (Dead Sea shore)
    with pytest.raises(InputError):
        check_heights(2.0, -1.0, True)


@pytest.mark.parametrize("command", [["viewshed", "--radius", "3km"], ["cumulative", "--radius", "3km"]])
def test_cli_refuses_an_absolute_eye_below_the_ground(command):
    args = [command[0], SAMPLE, "--observer" if command[0] == "viewshed" else "--observers", WASHINGTON,
            *command[1:], "--observer-height", "100", "--absolute-heights"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code != 0
    assert "below the ground" in res.output


def test_line_of_sight_and_viewshed_read_absolute_heights_alike(white_mountains):
    obs = terrain.locate(white_mountains, WASHINGTON)
    vs = terrain.viewshed(white_mountains, WASHINGTON, observer_height=obs.ground_m + 5.0, target_height=0.0,
                          max_distance=6000, method="exact", absolute_heights=True)
    rng = np.random.default_rng(5)
    checked = 0
    for r, c in zip(rng.integers(0, vs.sizes["y"], 40), rng.integers(0, vs.sizes["x"], 40)):
        flag = int(vs.visible.values[r, c])
        if flag == 255:
            continue
        target = f"{float(vs.y.values[r]):.6f},{float(vs.x.values[c]):.6f}"
        los = terrain.line_of_sight(white_mountains, WASHINGTON, target, observer_height=obs.ground_m + 5.0,
                                    target_height=0.0, absolute_heights=True)
        assert los.visible == (flag == 1), target
        checked += 1
    assert checked > 20
    with pytest.raises(InputError, match="below the ground there"):
        terrain.line_of_sight(white_mountains, WASHINGTON, "Mount Adams", observer_height=100.0,
                              absolute_heights=True)
