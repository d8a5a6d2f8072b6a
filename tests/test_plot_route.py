"""The covered-approach map: both paths, the exposed stretches, observers, legend figures, SYNTHETIC label."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from test_route import at, valley_terrain

from terrain.plot import plot_route, save_figure
from terrain.plot.route_map import _exposed_segments
from terrain.route import covered_route


@pytest.fixture(scope="module")
def case():
    dem, _ = valley_terrain()
    dem.attrs["synthetic"] = 1
    return dem, covered_route(dem, at(dem, 30, 5), at(dem, 30, 84), [at(dem, 4, 45)], observer_height=5.0)


def texts(fig):
    from matplotlib.text import Text

    return " ".join(t.get_text() for t in fig.findobj(Text))


def test_map_draws_both_paths_and_says_their_figures(case, tmp_path):
    dem, r = case
    ax = plot_route(r, dem=dem, places=False)
    gids = {a.get_gid() for a in ax.get_children()}
    assert {"covered-route", "shortest-path", "observer", "start", "end"} <= gids
    assert ("route-exposed" in gids) == (r.route.exposed_km > 0)
    words = texts(ax.figure)
    assert f"covered route: {r.route.length_km:.1f} km, {r.route.exposed_km:.1f} km in sight" in words
    assert f"shortest path: {r.shortest.length_km:.1f} km, {r.shortest.exposed_km:.1f} km in sight" in words
    assert "SYNTHETIC stand-in" in ax.get_title()
    assert any(a.get_gid() == "profile-exposed" for a in ax.figure.axes[1].get_children())
    path = save_figure(ax.figure, tmp_path / "route.png")
    assert path.stat().st_size > 20_000


def test_exposed_segments_cover_each_run_once():
    x = np.arange(8.0)
    runs = _exposed_segments(x, x, np.array([0, 1, 1, 0, 0, 1, 0, 1], bool))
    assert [list(r[0]) for r in runs] == [[0.5, 1, 2, 2.5], [4.5, 5, 5.5], [6.5, 7, 7]]
