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
    assert "Panorama from Zayn al-Abidin looking south over Hama" in text
    assert (tmp_path / "demo" / "panorama.png").is_file() and results["panorama"]["towards_target_deg"] == 191.0

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

    # observation posts: three, coverage rising, the best single post first, the hills ranked
    st = results["siting"]
    assert "Observation posts over Hama" in text
    cum = [p["cumulative_percent"] for p in st["posts"]]
    assert len(cum) == 3 and cum == sorted(cum) and cum[-1] <= 100
    assert st["posts"][0]["solo_rank"] == 1
    assert {r["name"] for r in st["named_candidates"]} >= {"Zayn al-Abidin", "Jabal Kafra"}
    assert (tmp_path / "demo" / "siting.png").is_file()
    md = (tmp_path / "demo" / "report.md").read_text()
    assert "## Observation posts" in md and "](siting.png)" in md
    assert data["siting"]["posts"] == st["posts"]
    # the covered approach from Souran: far less in sight of the hills than the shortest path
    assert "Covered approach from Souran to Hama" in text
    r = results["route"]
    assert r["route"]["exposed_km"] < 0.5 * r["shortest"]["exposed_km"]
    assert data["route"]["route"]["length_km"] == r["route"]["length_km"]
    assert (tmp_path / "demo" / "route.png").is_file()
    assert "## Covered approach" in (tmp_path / "demo" / "report.md").read_text()
    # what buildings hide: the invented urban layer, labelled; streets far less seen than rooftops or bare ground
    assert "What buildings hide of Hama (an invented urban layer" in text
    b = results["buildings"]
    together = b["rows"][-1]
    assert together["name"] == "together" and b["obstacles_synthetic"] is True
    assert together["street_percent"] < 0.5 * together["bare_percent"] <= together["roof_percent"]
    assert together["bare_percent"] == pytest.approx(c["seen_by_any_percent"], abs=0.05)
    assert data["buildings"]["rows"] == b["rows"] and (tmp_path / "demo" / "buildings.png").is_file()
    md = (tmp_path / "demo" / "report.md").read_text()
    assert "## What buildings hide" in md and "The buildings are invented" in md and "](buildings.png)" in md
    html = (tmp_path / "demo" / "report.html").read_text()
    assert html.count('<section id="places">') == 1 and '<section id="buildings">' in html


def test_run_demo_without_a_folder_writes_nothing(tmp_path, monkeypatch):
    from terrain.demo import run_demo

    monkeypatch.chdir(tmp_path)
    lines = []
    results = run_demo(None, echo=lines.append, method="fast", radius_m=6_000)
    assert results["report"] is None and not any(tmp_path.iterdir())
    assert any("dead ground to both" in line for line in lines)


def _hgt_gz(seed: int) -> bytes:
    """A 3" .hgt tile of gentle random hills (metres), gzipped as the skadi source serves it."""
    import gzip

    import numpy as np

    rng = np.random.default_rng(seed)
    z = 200 + np.cumsum(np.cumsum(rng.normal(0, 1, (1201, 1201)), axis=0), axis=1) / 100
    return gzip.compress(z.astype(">i2").tobytes(), compresslevel=1)


def test_run_demo_labels_cached_tiles_by_their_provenance(tmp_path, monkeypatch):
    """Tiles in the cache are labelled from their records; without one, as of unknown origin, never as SRTM."""
    from terrain.demo import run_demo
    from terrain.fetch.provenance import record_path
    from terrain.fetch.sources import SOURCES
    from terrain.samples import HAMA_BOUNDS
    from terrain.fetch import tiles_for_bounds

    cache = tmp_path / "cache"
    monkeypatch.setenv("TERRAIN_CACHE", str(cache))
    tiles = tiles_for_bounds(HAMA_BOUNDS)
    for i, tile in enumerate(tiles):  # copied in by hand: the right format, but no provenance
        path = SOURCES["skadi"].cache_path(tile, cache)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(_hgt_gz(i))
    lines = []
    results = run_demo(None, echo=lines.append, method="fast", radius_m=3_000)
    label = ("N34E036.hgt.gz, N34E037.hgt.gz, N35E036.hgt.gz, N35E037.hgt.gz — origin unknown "
             "(in the tile cache without a provenance record)")
    assert lines[0] == f"Hama high ground — data: {label}"
    assert results["source"] == label and results["synthetic"] is False
    assert not any(record_path(SOURCES["skadi"].cache_path(t, cache)).exists() for t in tiles)
