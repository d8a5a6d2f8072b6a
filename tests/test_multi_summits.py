"""Summits and prominence: analytic two-peak terrain, an independent brute-force oracle, names, the circle."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_multi_terrain import rough_dem

from terrain import dem_from_array, load_dem
from terrain.multi.summits import find_summits

HAMA = Path(__file__).resolve().parent.parent / "dem_samples" / "hama_standin.tif"


def two_cones(cell=30.0):
    """Cones of slope 1 m per cell, summits 100 m at (50, 20) and 80 m at (50, 60), on a 0 m floor.

    Along the line between them max(100 - d1, 80 - d2) is lowest where the two
    are equal, 30 cells from the first summit: the col is exactly 70 m, so the
    second summit's prominence is 80 - 70 = 10 m.
    """
    r, c = np.mgrid[0:100, 0:80].astype(np.float64)
    d1 = np.hypot(r - 50, c - 20)
    d2 = np.hypot(r - 50, c - 60)
    z = np.maximum(np.maximum(100 - d1, 80 - d2), 0.0)
    return dem_from_array(z.astype(np.float32), (500000, cell, 0, 3900000, 0, -cell), crs="EPSG:32637")


def test_two_peak_prominence_is_analytic():
    dem = two_cones()
    summits = find_summits(dem, min_prominence=5)
    assert [(s.row, s.col) for s in summits] == [(50, 20), (50, 60)]
    # the highest summit: its height above the lowest cell of the DEM
    assert summits[0].prominence_m == pytest.approx(100.0 - float(dem.values.min()), abs=1e-6)
    assert summits[0].col_height_m is None
    assert summits[1].prominence_m == 10.0 and summits[1].col_height_m == 70.0
    assert [s.height_m for s in find_summits(two_cones(), min_prominence=11)] == [100.0]


def brute_prominence(z, r, c):
    """Independent oracle: the highest level h at which (r, c)'s region of cells >= h holds no higher cell,
    found by flood fill at every distinct height below the summit (8-connectivity)."""
    top = z[r, c]
    levels = np.unique(z[z < top])[::-1]
    for h in levels:
        region = np.zeros(z.shape, bool)
        stack = [(r, c)]
        region[r, c] = True
        higher = False
        while stack and not higher:
            a, b = stack.pop()
            for da in (-1, 0, 1):
                for db in (-1, 0, 1):
                    x, y = a + da, b + db
                    if 0 <= x < z.shape[0] and 0 <= y < z.shape[1] and not region[x, y] and z[x, y] >= h:
                        if z[x, y] > top:
                            higher = True
                        region[x, y] = True
                        stack.append((x, y))
        if higher:
            return float(top - h)
    return float(top - z.min())


def test_prominence_matches_flood_fill_oracle():
    dem = rough_dem(24, 24, seed=9, relief=40)
    z = dem.values.astype(np.float64)
    for s in find_summits(dem, min_prominence=3):
        assert s.prominence_m == pytest.approx(brute_prominence(z, s.row, s.col), abs=1e-3)


def test_within_circle_and_voids():
    dem = two_cones()
    near = find_summits(dem, min_prominence=5, within=("xy:500615,3898485", 400.0))  # cell (50, 20)
    assert [(s.row, s.col) for s in near] == [(50, 20)]
    dem.values[50, 40] = np.nan
    assert len(find_summits(dem, min_prominence=5)) == 2


@pytest.mark.skipif(not HAMA.exists(), reason="Hama stand-in not generated")
def test_hama_summits_are_named():
    dem = load_dem(HAMA)
    names = [s.name for s in find_summits(dem, min_prominence=50, within=("Hama", 15_000))]
    assert names[:2] == ["Zayn al-Abidin", "Jabal Kafra"]


def test_prominence_does_not_depend_on_the_loaded_window():
    """Issue #9 item 4: the same summit gets the same prominence however much DEM the caller loaded."""
    import terrain

    hama = "dem_samples/hama_standin.tif"
    seen = []
    for kw in ({}, {"around": (35.135, 36.75, 25_000)}, {"around": (35.135, 36.75, 16_500)}):
        dem = terrain.load_dem(hama, **kw)
        summits = terrain.find_summits(dem, 30, within=("Hama", 15_000))
        seen.append([(s.name, s.lat, s.lon, s.prominence_m, s.col_height_m) for s in summits])
        for s in summits:   # row/col are on the caller's grid
            assert dem.values[s.row, s.col] == pytest.approx(s.height_m)
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][0][0] == "Zayn al-Abidin"


def test_keyterrain_command_report_and_api_agree_on_prominence(tmp_path):
    import json

    from click.testing import CliRunner

    import terrain
    from terrain.cli.main import cli
    from terrain.report import analyse

    res = CliRunner().invoke(cli, ["keyterrain", "dem_samples/hama_standin.tif", "--target", "Hama", "--json",
                                   "--method", "fast"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    cli_prom = {r["name"]: r["prominence_m"] for r in rows if r.get("name")}
    report = analyse(None, "Zayn al-Abidin,Jabal Kafra", "Hama", method="fast", key_terrain_method="fast")
    rep_prom = {r["name"]: r["prominence_m"] for r in report.key_terrain.rows if r.get("name")}
    api = terrain.key_terrain(terrain.load_dem("dem_samples/hama_standin.tif", around=(35.135, 36.75, 18_000)),
                              "Hama", method="fast")
    api_prom = {r["name"]: r["prominence_m"] for r in api.rows if r.get("name")}
    assert cli_prom["Zayn al-Abidin"] == rep_prom["Zayn al-Abidin"] == api_prom["Zayn al-Abidin"]
    assert cli_prom == rep_prom == api_prom
