"""Numbers are finite or refused: one check (terrain.numbers) for the API and the command line."""

from __future__ import annotations

import math

import numpy as np
import pytest
from click.testing import CliRunner

import terrain
from terrain.cli.main import cli
from terrain.errors import InputError
from terrain.numbers import check_number

HAMA = "dem_samples/hama_standin.tif"
BAD = [float("nan"), float("inf"), -float("inf")]


@pytest.fixture(scope="module")
def hama():
    from conftest import REPO

    return terrain.load_dem(REPO / HAMA)


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("name", ["observer_height", "target_height", "max_distance", "min_distance", "refraction"])
def test_viewshed_refuses_non_finite(hama, name, bad):
    kw = {"max_distance": 2000.0, name: bad}
    with pytest.raises(InputError, match="not a finite number"):
        terrain.viewshed(hama, "Hama", **kw)


@pytest.mark.parametrize("bad", BAD)
def test_line_of_sight_and_many_observers_refuse_non_finite(hama, bad):
    with pytest.raises(InputError, match="not a finite number"):
        terrain.line_of_sight(hama, "Zayn al-Abidin", "Hama", observer_height=bad)
    with pytest.raises(InputError, match="not a finite number"):
        terrain.cumulative_viewshed(hama, ["Zayn al-Abidin", "Hama"], max_distance=2000, target_height=bad)


@pytest.mark.parametrize("args", [
    ("viewshed", HAMA, "--observer", "Hama", "--radius", "2km", "--observer-height", "nan"),
    ("viewshed", HAMA, "--observer", "Hama", "--radius", "2km", "--observer-height", "inf"),
    ("viewshed", HAMA, "--observer", "Hama", "--radius", "2km", "--refraction", "nan"),
    ("viewshed", HAMA, "--observer", "Hama", "--radius", "inf"),
    ("viewshed", HAMA, "--observer", "Hama", "--radius", "2km", "--min-distance", "nan"),
    ("los", HAMA, "--from", "Zayn al-Abidin", "--to", "Hama", "--observer-height", "nan"),
    ("cumulative", HAMA, "--observers", "Zayn al-Abidin,Hama", "--radius", "2km", "--target-height", "inf"),
])
def test_cli_refuses_non_finite_with_exit_2(args, monkeypatch):
    from conftest import REPO

    monkeypatch.chdir(REPO)
    res = CliRunner().invoke(cli, list(args))
    assert res.exit_code == 2, res.output
    assert res.output.startswith("Error: ") and "Traceback" not in res.output
    assert "nan" in res.output.lower() or "inf" in res.output.lower()


def test_check_number_ranges():
    assert check_number("2.5", "x") == 2.5
    with pytest.raises(InputError, match="is negative"):
        check_number(-1, "height", low=0.0)
    with pytest.raises(InputError, match="must be greater than zero"):
        check_number(0, "radius", low=0.0, low_open=True)
    with pytest.raises(InputError, match="must be below 1"):
        check_number(1.0, "k", high=1.0, high_open=True)
    with pytest.raises(InputError, match="is not a number"):
        check_number("abc", "x")
    assert math.isclose(check_number(0.13, "k", low=0.0, high=1.0, high_open=True), 0.13)


def _strict(text):
    import json

    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_json_output_never_holds_nan(monkeypatch, tmp_path):
    """viewshed --json without --radius used to print NaN, which JSON.parse rejects; info without a CRS too."""
    import numpy as np
    import rasterio
    from conftest import REPO
    from rasterio.transform import from_origin

    monkeypatch.chdir(REPO)
    res = CliRunner().invoke(cli, ["viewshed", HAMA, "--observer", "Hama", "--method", "fast", "--json"])
    assert res.exit_code == 0, res.output
    assert _strict(res.output)["parameters"]["max_distance_m"] is None
    path = tmp_path / "nocrs.tif"
    with rasterio.open(path, "w", driver="GTiff", width=30, height=20, count=1, dtype="float32",
                       transform=from_origin(0, 600, 30, 30)) as dst:
        dst.write(np.arange(600, dtype="float32").reshape(20, 30), 1)
    res = CliRunner().invoke(cli, ["info", str(path), "--json"])
    assert _strict(res.output)["max_lat"] is None
    text = CliRunner().invoke(cli, ["info", str(path)]).output
    assert "nan" not in text.lower() and "no CRS" in text


def test_many_observers_keep_seen_by_and_refuse_a_wrapping_count(hama):
    """seen_by used to stop at 64 observers with a warning; it is now packed in words of 64."""
    cv = terrain.cumulative_viewshed(hama, ["Hama"] * 65, max_distance=300, method="fast")
    assert cv["seen_by"].sizes["word"] == 2 and int(cv["count"].values.max()) == 65
    assert np.array_equal(terrain.seen_by_observer(cv, 64).values, terrain.seen_by_observer(cv, 0).values)
    with pytest.raises(InputError, match="more than the count can hold"):
        terrain.cumulative_viewshed(hama, ["Hama"] * 65536, max_distance=300, method="fast")


def test_radius_under_a_cell_names_the_radius_and_the_cell(hama, monkeypatch):
    """`--radius 20` (metres) used to fail with 'a one-row grid has no north-south spacing'."""
    from conftest import REPO

    monkeypatch.chdir(REPO)
    res = CliRunner().invoke(cli, ["viewshed", HAMA, "--observer", "Hama", "--radius", "20"])
    assert res.exit_code == 2
    assert "the radius 20 m is less than one cell" in res.output and "one-row" not in res.output
    with pytest.raises(InputError, match="less than one cell"):
        terrain.viewshed(hama, "Hama", max_distance=10.0)
    small = terrain.load_dem(REPO / HAMA, around=(35.135, 36.75, 5.0))
    assert min(small.shape) >= 3
