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
