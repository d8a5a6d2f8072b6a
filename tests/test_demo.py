"""terrain.demo: the Hama demonstration prints its summary and writes the full report."""

from __future__ import annotations

import json

import pytest

from conftest import SAMPLES

HAMA = SAMPLES / "hama_standin.tif"
pytestmark = pytest.mark.skipif(not HAMA.exists(), reason="Hama stand-in not generated")


def test_run_demo_writes_the_report_and_summarises_it(tmp_path):
    from terrain.demo import run_demo

    lines = []
    results = run_demo(tmp_path / "demo", echo=lines.append)
    text = "\n".join(lines)

    for name in ("report.html", "report.md", "report.json"):
        assert (tmp_path / "demo" / name).is_file()
    assert str(tmp_path / "demo" / "report.html") in text

    assert "SYNTHETIC stand-in — not SRTM" in text
    for hill in ("Zayn al-Abidin", "Jabal Kafra"):
        assert f"{hill} -> Hama" in text          # line of sight
        assert text.count(hill) >= 4              # viewshed, coverage, key terrain
    assert "Viewsheds (2 m eye, 15 km radius)" in text
    assert "Combined coverage of Hama" in text and "together" in text
    assert "dead ground to both" in text
    assert "Key terrain over Hama" in text

    top = [r["name"] for r in results["key_terrain"][:3]]
    assert "Zayn al-Abidin" in top and "Jabal Kafra" in top
    assert len(results["lines_of_sight"]) == 2 and len(results["viewsheds"]) == 2
    assert all(e["plot"] and (tmp_path / "demo").joinpath(e["plot"]).is_file()
               for e in results["lines_of_sight"] + results["viewsheds"])
    c = results["coverage"]
    assert 0 < c["seen_by_any_percent"] <= 100 and c["dead_ground_km2"] >= 0

    data = json.loads((tmp_path / "demo" / "report.json").read_text())
    assert data["coverage"]["seen_by_any_percent"] == c["seen_by_any_percent"]
    assert data["data"]["synthetic"] is True


def test_run_demo_without_a_folder_writes_nothing(tmp_path, monkeypatch):
    from terrain.demo import run_demo

    monkeypatch.chdir(tmp_path)
    lines = []
    results = run_demo(None, echo=lines.append, method="fast", radius_m=6_000)
    assert results["report"] is None and not any(tmp_path.iterdir())
    assert any("dead ground to both" in line for line in lines)
