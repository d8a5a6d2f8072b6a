"""Overlook and key terrain: planted hills are found and ranked in the right order; targets as circles or polygons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_multi_terrain import xy

from terrain import InputError, dem_from_array, load_dem
from terrain.multi.overlook import key_terrain, overlook

HAMA = Path(__file__).resolve().parent.parent / "dem_samples" / "hama_standin.tif"


def planted_hills():
    """A 100 m plain with a town of 8 m blocks at the centre and three hills: 200 m, 120 m and 60 m high."""
    n = 161
    r, c = np.mgrid[0:n, 0:n].astype(np.float64)
    z = np.full((n, n), 100.0)
    for (hr, hc), h in {(80, 20): 120.0, (20, 80): 200.0, (150, 140): 60.0}.items():
        z += h * np.exp(-((r - hr) ** 2 + (c - hc) ** 2) / (2 * 6.0 ** 2))
    rng = np.random.default_rng(1)
    for br, bc in rng.integers(65, 96, size=(60, 2)):
        z[br:br + 2, bc:bc + 2] += 8.0
    return dem_from_array(z.astype(np.float32), (500000, 30, 0, 3900000, 0, -30), crs="EPSG:32637")


def test_key_terrain_returns_planted_hills_in_order():
    dem = planted_hills()
    table = key_terrain(dem, xy(dem, 80, 80), within=4000, target_radius=450, observer_height=2, min_prominence=30)
    heights = [r["ground_m"] for r in table.rows]
    assert len(table.rows) == 3
    assert heights == sorted(heights, reverse=True)
    assert [round(r["prominence_m"], -1) for r in table.rows] == [200.0, 120.0, 60.0]
    pct = [r["visible_percent"] for r in table.rows]
    assert pct[0] > pct[1] > pct[2] > 0
    assert [r["rank"] for r in table.rows] == [1, 2, 3]


def test_overlook_circle_polygon_and_dataframe():
    dem = planted_hills()
    cands = [xy(dem, 20, 80), xy(dem, 80, 20), xy(dem, 150, 140)]
    t = overlook(dem, xy(dem, 80, 80), cands, target_radius=450, observer_height=2)
    assert t.rows[0]["visible_percent"] <= 100 and t.attrs["target_area_km2"] == pytest.approx(
        np.pi * 0.45 ** 2, rel=0.05)
    # the same area as a polygon in lat/lon
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:32637", "EPSG:4326", always_xy=True)
    x0, y0 = 500000 + 80.5 * 30, 3900000 - 80.5 * 30
    ring = [list(tr.transform(x0 + 450 * np.cos(a), y0 + 450 * np.sin(a))) for a in np.linspace(0, 2 * np.pi, 73)]
    poly = {"type": "Feature", "properties": {"name": "town"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    tp = overlook(dem, poly, cands, observer_height=2)
    assert tp.attrs["target"] == "town"
    assert [r["name"] for r in tp.rows] == [r["name"] for r in t.rows]
    for a, b in zip(t.rows, tp.rows):
        assert a["visible_percent"] == pytest.approx(b["visible_percent"], abs=5)
    assert len(t.to_dataframe()) == 3


def test_overlook_bad_input():
    dem = planted_hills()
    with pytest.raises(InputError):
        overlook(dem, xy(dem, 80, 80), [], target_radius=300)
    with pytest.raises(InputError):
        overlook(dem, xy(dem, 80, 80), None, within=300, target_radius=300, min_prominence=500)
    with pytest.raises(InputError):
        overlook(dem, xy(dem, 80, 80), [xy(dem, 1, 1)], target_radius=0)


@pytest.mark.skipif(not HAMA.exists(), reason="Hama stand-in not generated")
def test_key_terrain_for_hama_finds_both_summits():
    dem = load_dem(HAMA, around=(35.135, 36.75, 22_000))
    table = key_terrain(dem, "Hama", within=20_000, target_radius=2000, observer_height=10)
    top = [r["name"] for r in table.rows[:3]]
    assert "Zayn al-Abidin" in top and "Jabal Kafra" in top


def test_radius_keyword_is_the_deprecated_spelling_of_within():
    """overlook(radius=) and key_terrain(radius=) meant the summit search radius; radius is the viewing
    distance everywhere else, so they are now within= and the old spelling warns but still works."""
    dem = planted_hills()
    target = xy(dem, 80, 80)
    new = key_terrain(dem, target, within=2000, target_radius=450, min_prominence=30)
    with pytest.warns(DeprecationWarning, match=r"key_terrain\(radius=\) .* within="):
        old = key_terrain(dem, target, radius=2000, target_radius=450, min_prominence=30)
    assert old.rows == new.rows and old.attrs["search_radius_m"] == new.attrs["search_radius_m"] == 2000
    assert len(new.rows) == 2  # the 200 m and 120 m hills lie 1.8 km off, the 60 m one 2.8 km
    with pytest.warns(DeprecationWarning, match=r"overlook\(radius=\)"):
        old = overlook(dem, target, None, radius=2000, target_radius=450, min_prominence=30)
    assert old.rows == overlook(dem, target, None, within=2000, target_radius=450, min_prominence=30).rows


def test_max_distance_is_the_viewing_distance():
    """A viewing distance short of the target area sees less of it than the default reach; the area is the same."""
    dem = planted_hills()
    cands = [xy(dem, 20, 80)]
    full = overlook(dem, xy(dem, 80, 80), cands, target_radius=450)
    short = overlook(dem, xy(dem, 80, 80), cands, target_radius=450, max_distance=1700)
    assert short.attrs["target_area_km2"] == full.attrs["target_area_km2"]
    assert short.rows[0]["visible_km2"] == pytest.approx(0.1836, abs=2e-4)   # the near edge only
    assert full.rows[0]["visible_km2"] == pytest.approx(0.5328, abs=2e-4)
