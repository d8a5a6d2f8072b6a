"""Options shared by the commands (``terrain/cli/options.py``): one meaning in every command, help = behaviour."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from terrain.cli.main import cli

WM = "dem_samples/N44W072.hgt"
PRESIDENTIALS = "Mount Washington;Mount Adams;Mount Jefferson"


@pytest.fixture
def run(monkeypatch):
    from conftest import REPO

    monkeypatch.chdir(REPO)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def shown_default(help_text: str, flag: str) -> str:
    """The ``[default: ...]`` click prints for ``flag`` (help lines unwrapped)."""
    flat = " ".join(help_text.split())
    m = re.search(re.escape(flag) + r" [A-Z]+ [^\[]*\[default: (.*?)\]", flat)
    assert m, f"no default shown for {flag}"
    return m.group(1)


def test_intervis_target_height_help_default_and_behaviour_agree(run):
    help_text = run("intervis", "--help").output
    assert shown_default(help_text, "--target-height") == "(same as --observer-height)"
    assert "defaults to the observer height" in " ".join(help_text.split())
    # not given: each point is looked at with the observer height (a symmetric matrix)
    res = run("intervis", WM, "--points", PRESIDENTIALS, "--observer-height", 7, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["observer_height_m"] == [7.0, 7.0, 7.0]
    assert data["target_height_m"] == [7.0, 7.0, 7.0]
    assert data["matrix"] == [list(r) for r in zip(*data["matrix"])]
    # given: it is used as given (0 m targets), and the observers keep their own height
    res = run("intervis", WM, "--points", PRESIDENTIALS, "--observer-height", 7, "--target-height", 0, "--json")
    data = json.loads(res.output)
    assert data["observer_height_m"] == [7.0, 7.0, 7.0] and data["target_height_m"] == [0.0, 0.0, 0.0]


def test_intervis_checks_a_given_target_height(run):
    res = run("intervis", WM, "--points", PRESIDENTIALS, "--target-height", -1)
    assert res.exit_code == 2 and "--target-height" in res.output


@pytest.mark.parametrize("command", ["viewshed", "cumulative", "vindex", "overlook", "keyterrain", "report"])
def test_radius_is_the_viewing_distance_in_every_command(run, command):
    flat = " ".join(run(command, "--help").output.split())
    assert "--radius TEXT Viewing distance: how far from each observer cells are analysed" in flat
    if command in ("overlook", "keyterrain", "report"):
        assert "--target-radius TEXT Radius of the target area around a target point" in flat


JEFFERSON = ("overlook", WM, "--target", "Mount Jefferson", "--candidates", "Mount Washington;Mount Adams", "--json")


def rows_by_name(output: str) -> dict:
    data = json.loads(output)
    return data["target_area_km2"], {r["name"]: r["visible_km2"] for r in data["rows"]}


def test_overlook_target_radius_and_radius(run):
    area, full = rows_by_name(run(*JEFFERSON).stdout)
    assert area == pytest.approx(3.12, abs=0.01)  # the default 1 km target area
    assert full == pytest.approx({"Mount Adams": 1.3915, "Mount Washington": 1.3855}, abs=2e-3)
    res = run(*JEFFERSON, "--target-radius", "1km", "--radius", "3km")
    assert res.exit_code == 0 and "Warning" not in res.stderr
    area3, short = rows_by_name(res.stdout)
    # --radius no longer changes the target area: it stops each candidate's view at 3 km, and Washington
    # (3.9 km from Jefferson) sees only the near edge of the target
    assert area3 == area
    assert short["Mount Adams"] == pytest.approx(full["Mount Adams"], abs=2e-3)
    assert short["Mount Washington"] == pytest.approx(0.09, abs=0.01)
    area2, _ = rows_by_name(run(*JEFFERSON, "--target-radius", "2km").stdout)
    assert area2 == pytest.approx(4 * area, rel=0.02)


def test_overlook_radius_alone_warns_that_its_meaning_changed(run):
    res = run(*JEFFERSON, "--radius", "3km")
    assert res.exit_code == 0
    warning = [ln for ln in res.stderr.splitlines() if ln.startswith("Warning:")]
    assert len(warning) == 1 and "viewing distance" in warning[0] and "--target-radius" in warning[0]
    assert rows_by_name(res.stdout) == rows_by_name(run(*JEFFERSON, "--target-radius", "1km", "--radius", "3km").stdout)


def test_report_takes_the_dem_first_and_dem_still_works(run, tmp_path):
    args = ("--observers", "Mount Washington,Mount Adams", "--target", "Mount Jefferson", "--radius", "5km",
            "--no-key-terrain", "--quiet", "--json")
    new = run("report", WM, *args, "--out", tmp_path / "a")
    assert new.exit_code == 0, new.output
    assert "Warning" not in new.stderr
    old = run("report", "--dem", WM, *args, "--out", tmp_path / "b")
    assert old.exit_code == 0, old.output
    assert old.stderr.count("Warning: report --dem is deprecated") == 1
    a, b = json.loads(new.stdout), json.loads(old.stdout)
    seen = [o["target_seen_percent"] for o in a["observers"]]
    assert seen == pytest.approx([20.75, 32.01], abs=0.01)
    assert seen == [o["target_seen_percent"] for o in b["observers"]]
    assert a["coverage"] == b["coverage"]
    help_text = run("report", "--help").output
    assert "terrain report dem_samples/N44W072.hgt --observers" in help_text and "report --dem" not in help_text
