"""Tests of terrain.plot.basemap: hillshade, degree-minute ticks, scale bar, rings, label placement."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys

import numpy as np
import pytest
from affine import Affine

import terrain
from terrain.plot import basemap as bm


@pytest.fixture
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


@pytest.mark.parametrize("value, axis, text", [
    (35.2, "lat", "35°12'N"),
    (-35.2, "lat", "35°12'S"),
    (-71.5, "lon", "71°30'W"),
    (36.75, "lon", "36°45'E"),
    (44.0, "lat", "44°00'N"),
    (35.99999, "lat", "36°00'N"),
    (36.7663, "lon", "36°45'59\"E"),
    (0.0, "lon", "0°00'"),
    (-0.5, "lat", "0°30'S"),
])
def test_format_dm(value, axis, text):
    assert bm.format_dm(value, axis) == text


def test_dm_ticks_on_round_minutes():
    ticks = bm.dm_ticks(36.5, 37.05)
    assert 2 <= len(ticks) <= 6
    minutes = ticks * 60
    assert np.allclose(minutes, np.round(minutes))
    step = np.diff(minutes)
    assert np.allclose(step, step[0]) and step[0] in (5, 10, 15, 20, 30)
    assert ticks[0] >= 36.5 and ticks[-1] <= 37.05
    small = bm.dm_ticks(35.20, 35.21)  # 36 seconds: ticks on round seconds
    assert len(small) >= 2 and np.allclose(small * 3600, np.round(small * 3600))


def test_ring_radii_and_lengths():
    assert bm.ring_radii_km(20) == [5, 10, 15, 20]
    assert bm.ring_radii_km(15) == [5, 10, 15]
    assert bm.ring_radii_km(2.5) == [1, 2, 2.5]
    assert bm.ring_radii_km(100)[-1] == 100 and len(bm.ring_radii_km(100)) <= 5
    assert bm.nice_length_km(7.3) == 5 and bm.nice_length_km(2.4) == 2 and bm.nice_length_km(0.9) == 0.5
    assert bm.format_km(0.5) == "500 m" and bm.format_km(2.5) == "2.5 km"


def _plane(lat0: float, geographic: bool, slope: float = 0.2, n: int = 40):
    """A plane rising ``slope`` m per m eastwards, on a geographic 3" grid or an equivalent metric grid."""
    res = 1 / 1200
    dx_m = 6378137.0 * math.cos(math.radians(lat0)) * math.radians(res)
    cols = np.arange(n)
    z = np.tile(slope * dx_m * cols, (n, 1))
    if geographic:
        return terrain.dem_from_array(z, Affine(res, 0, 10.0, 0, -res, lat0 + n * res / 2), crs="EPSG:4326")
    return terrain.dem_from_array(z, Affine(dx_m, 0, 0, 0, -dx_m, 0), crs="EPSG:32632")


def test_hillshade_uses_metric_slopes_on_geographic_grids():
    # the same 0.6 m/m slope (falling eastwards, away from the light) shades alike on a
    # lat/lon grid at 60N and on a metric grid
    geo = bm.hillshade(_plane(60.0, True, slope=-0.6))[5:-5, 5:-5]
    met = bm.hillshade(_plane(60.0, False, slope=-0.6))[5:-5, 5:-5]
    assert np.allclose(geo, met, atol=0.01)
    # shading the lat/lon grid as if its cells were square (dx = dy) halves the slope at 60N: clearly brighter
    half = bm.hillshade(_plane(60.0, False, slope=-0.3))[5:-5, 5:-5]
    assert abs(float(half.mean()) - float(geo.mean())) > 0.05


def test_hillshade_keeps_voids():
    dem = _plane(45.0, True)
    dem.values[3, 4] = np.nan
    shade = bm.hillshade(dem)
    assert np.isnan(shade[3, 4]) and np.isfinite(shade[10, 10])
    assert np.nanmin(shade) >= 0 and np.nanmax(shade) <= 1


def test_plot_basemap_scale_bar_and_north_arrow(close_figures):
    dem = _plane(44.0, True, slope=0.05)
    ax = bm.plot_basemap(dem)
    gids = {a.get_gid() for a in list(ax.patches) + list(ax.texts)}
    assert {"scale-bar", "north-arrow"} <= gids
    bar_km = [t.get_text() for t in ax.texts if t.get_gid() == "scale-bar" and t.get_text() != "0"]
    assert bar_km and bar_km[0].endswith(("km", "m"))
    assert ax.get_aspect() == pytest.approx(1 / math.cos(math.radians(float(dem.y.mean()))), rel=1e-3)


def test_scale_bar_length_is_true_km(close_figures):
    import matplotlib.pyplot as plt

    dem = _plane(60.0, True, slope=0.05, n=240)
    fig, ax = plt.subplots()
    bm.setup_map_axes(ax, dem)
    bm.add_scale_bar(ax, dem.rio.crs)
    blocks = [p for p in ax.patches if p.get_gid() == "scale-bar" and p.get_facecolor()[3] == 1.0]
    x0 = min(p.get_x() for p in blocks)
    x1 = max(p.get_x() + p.get_width() for p in blocks)
    lat = blocks[0].get_y()
    km = bm._GEOD.inv(x0, lat, x1, lat)[2] / 1000
    label = [t.get_text() for t in ax.texts if t.get_gid() == "scale-bar" and t.get_text() != "0"][0]
    assert km == pytest.approx(float(label.split()[0]) / (1000 if label.endswith(" m") else 1), rel=0.01)


def test_place_labels_avoid_each_other_and_obstacles(close_figures):
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 4))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    blocker = ax.text(5, 5.4, "BLOCK", fontsize=20, ha="center", va="bottom")
    items = [dict(text=f"Place {i}", x=5 + 0.05 * i, y=5 + 0.05 * i) for i in range(10)]
    placed = bm.place_labels(ax, items, obstacles=[blocker])
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in placed]
    assert 2 <= len(placed) < 10
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    assert not any(b.overlaps(blocker.get_window_extent(renderer)) for b in boxes)
    assert placed[0].get_text() == "Place 0"  # earlier items win


def test_importing_terrain_does_not_load_matplotlib():
    code = "import sys, terrain; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
