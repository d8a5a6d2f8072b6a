"""The command line: happy paths and every kind of bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from terrain.cli.main import cli

WM = "dem_samples/N44W072.hgt"


@pytest.fixture
def run(monkeypatch):
    from conftest import REPO

    monkeypatch.chdir(REPO)
    runner = CliRunner()

    def invoke(*args):
        return runner.invoke(cli, list(args), catch_exceptions=False)

    return invoke


def test_info_reports_mount_washington(run):
    res = run("info", WM)
    assert res.exit_code == 0
    assert "1908 m at 44.2708N 71.3033W" in res.output
    data = json.loads(run("info", WM, "--json").output)
    assert data["elevation_max_m"] == 1908.0
    assert data["max_lat"] == pytest.approx(44.2708, abs=1e-3)
    assert data["max_lon"] == pytest.approx(-71.3033, abs=1e-3)
    assert data["void_percent"] == 0.0 and data["crs"] == "EPSG:4326"


def test_los_prints_verdict_and_writes_plot(run, tmp_path):
    png = tmp_path / "profile.png"
    res = run("los", WM, "--from", "44.2708,-71.3033", "--to", "44.5,-71.0", "--plot", str(png))
    assert res.exit_code == 0, res.output
    assert "VISIBLE" in res.output and "35.1" in res.output
    assert png.stat().st_size > 20_000 and png.read_bytes()[:4] == b"\x89PNG"
    data = json.loads(run("los", WM, "--from", "44.2708,-71.3033", "--to", "44.0,-71.9", "--json").output)
    assert data["visible"] is False and data["extra_target_height_m"] > 100


def _strict_json(text):
    def refuse(name):
        raise ValueError(f"not JSON: {name}")
    return json.loads(text, parse_constant=refuse)


def test_los_ground_is_the_cell_and_verdict_the_viewshed(run):
    """Mount Adams -> Mount Jefferson: seen, as viewshed_mount_adams.png draws it; eye = ground + height."""
    res = run("los", WM, "--from", "Mount Adams", "--to", "Mount Jefferson")
    assert res.exit_code == 0, res.output
    assert "Mount Adams -> Mount Jefferson: 2.66 km, VISIBLE" in res.output
    assert "eye 1740.0 m a.s.l. (ground 1738.0 m + 2.0 m), target top 1730.0 m (ground 1730.0 m + 0.0 m)" in res.output
    assert "(excluding the observer's and the target's cells)" in res.output


def test_los_fresnel_zone_in_text_json_and_plot(run, tmp_path):
    png = tmp_path / "radio.png"
    args = ("los", WM, "--from", "Mount Washington", "--to", "44.3658,-71.3733", "--observer-height", "10",
            "--target-height", "20", "--refraction", "0.25", "--frequency-mhz", "900")
    res = run(*args, "--plot", str(png))
    assert res.exit_code == 0, res.output
    assert "Fresnel zone at 900 MHz: first-zone radius up to 31.5 m; worst clearance 65 % of the zone" in res.output
    assert res.output.count(">= 60 % clear") == 1
    assert png.stat().st_size > 20_000
    data = _strict_json(run(*args, "--json").output)
    assert data["frequency_mhz"] == 900.0 and data["fresnel_verdict"] == ">= 60 % clear"
    assert data["fresnel_radius_max_m"] == pytest.approx(31.5, abs=0.05)
    assert 0.6 <= data["fresnel_clearance_ratio_min"] < 0.7 and data["visible"] is True
    plain = _strict_json(run(*args[:-2], "--json").output)
    assert "fresnel_verdict" not in plain and plain["visible"] is True


@pytest.mark.parametrize("args, code, words", [
    (("info", "no/such/file.hgt"), 2, "no such DEM file"),
    (("los", WM, "--from", "50,10", "--to", "44.5,-71"), 2, "outside the DEM"),
    (("los", WM, "--from", "44.3;;-71", "--to", "44.5,-71"), 2, "lat,lon"),
    (("los", WM, "--from", "Atlantis Peak", "--to", "44.5,-71"), 2, "Atlantis"),
    (("los", WM, "--from", "44.3,-71.3", "--to", "44.5,-71", "--observer-height", "-3"), 2, "negative"),
    (("los", WM, "--from", "44.3,-71.3", "--to", "44.5,-71", "--frequency-mhz", "0"), 2,
     "the --frequency-mhz 0 MHz is too small; it must be greater than zero"),
    (("los", WM, "--from", "44.3,-71.3", "--to", "44.5,-71", "--frequency-mhz", "nan"), 2, "MHz"),
])
def test_bad_input_is_one_sentence(run, args, code, words):
    res = run(*args)
    assert res.exit_code == code
    assert words in res.output
    assert "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_not_a_dem_and_void(run, tmp_path):
    bad = tmp_path / "notes.tif"
    bad.write_text("this is not a raster")
    res = run("info", str(bad))
    assert res.exit_code == 1 and "not a readable elevation raster" in res.output
    import numpy as np
    from synthetic import write_hgt

    vals = np.full((1201, 1201), 100, np.int16)
    vals[600, 600] = -32768
    tile = write_hgt(tmp_path / "N10E010.hgt", vals)
    res = run("los", str(tile), "--from", "10.5,10.5", "--to", "10.6,10.6")
    assert res.exit_code == 2 and "void" in res.output


def test_every_command_has_help_with_an_example(run):
    assert set(cli.commands) >= {"info", "los", "fetch", "demo", "viewshed", "cumulative", "overlook",
                                 "keyterrain", "intervis", "vindex", "report"}
    for cmd in cli.commands:
        res = run(cmd, "--help")
        assert res.exit_code == 0 and "Example" in res.output, cmd
