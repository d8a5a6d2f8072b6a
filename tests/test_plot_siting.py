"""plot_siting: posts numbered in order at their places, dead ground shaded, the curve, the synthetic label."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.text import Text
from test_multi_terrain import rough_dem, xy

from terrain import dem_from_array, site_observers
from terrain.plot import plot_siting
from terrain.plot.siting_map import DEAD_COLOUR


@pytest.fixture(scope="module")
def case():
    base = rough_dem(60, 60, seed=8, relief=120)
    dem = dem_from_array(base.values, base.rio.transform(), crs=base.rio.crs, synthetic=True,
                         source="SYNTHETIC test terrain")
    cands = [xy(dem, r, c) for r, c in ((5, 5), (5, 55), (55, 5), (55, 55), (30, 10))]
    res = site_observers(dem, xy(dem, 30, 30), cands, 3, target_radius=400, max_distance=2000, observer_height=5)
    return dem, res


def _texts(fig):
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def test_posts_numbered_in_order_with_curve_and_synthetic_label(case):
    dem, res = case
    ax = plot_siting(res, dem=dem)
    fig = ax.figure
    numbers = [t.get_text() for t in ax.texts if t.get_gid() == "post-number"]
    assert numbers == [str(p["order"]) for p in res.posts.rows]
    assert len(fig.axes) >= 2  # the map and the coverage curve
    curve = [line for line in fig.axes[1].lines if line.get_gid() == "coverage-curve"][0]
    assert list(curve.get_ydata()) == [0.0] + [p["cumulative_percent"] for p in res.posts.rows]
    texts = " ".join(_texts(fig))
    assert "SYNTHETIC" in texts and f"{res.attrs['covered_percent']:.1f} %" in texts


def test_dead_ground_is_vermillion():
    z = np.full((60, 60), 100.0, np.float32)
    z[:, 24:27] = 160.0  # a wall between the post (west) and the east half of the target
    dem = dem_from_array(z, (500000, 30, 0, 3901800, 0, -30), crs="EPSG:32637")
    res = site_observers(dem, xy(dem, 30, 25), [xy(dem, 30, 5)], 1, target_radius=450, max_distance=2500)
    assert 0.3 < res.attrs["dead_ground_percent"] < 70
    ax = plot_siting(res, dem=dem)
    from figure_checks import rgb_at, uniform_cell
    from matplotlib.colors import to_rgb

    r, c = uniform_cell(res.dead_ground.values)
    rgb = rgb_at(ax, float(res.dead_ground.x[c]), float(res.dead_ground.y[r]))
    assert np.argmax(rgb) == np.argmax(np.array(to_rgb(DEAD_COLOUR)))  # red dominates
