"""Tests of the many-observer figures (terrain.plot.cumulative_map, overlook_chart, intervisibility_map,
vindex_map), checked on their rendered content."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pytest
from affine import Affine

import terrain
from terrain.multi import cumulative_viewshed, intervisibility, overlook, visibility_index
from terrain.multi.table import ResultTable
from terrain.plot import plot_cumulative, plot_intervisibility, plot_overlook, plot_visibility_index, save_figure
from terrain.plot.cumulative_map import BOTH, DEAD, pair_classes
from terrain.plot.intervisibility_map import sight_pairs
from terrain.plot.style import SYNTHETIC_NOTE
from figure_checks import rgb_at, uniform_cell

RES = 1 / 1200  # 3 arc-seconds, ~90 m
N = 61
LAT0, LON0 = 35.0, 36.0


def cell_latlon(r: int, c: int) -> tuple[float, float]:
    """(lat, lon) of the centre of cell (r, c) of the test grids."""
    return LAT0 + (N - r - 0.5) * RES, LON0 + (c + 0.5) * RES


def walled_plain():
    """A gently rolling plain at ~100 m with a walled enclosure (400 m walls) in the north: dead ground to all."""
    yy, xx = np.mgrid[0:N, 0:N]
    z = 100 + 5 * np.sin(xx / 4.0) * np.cos(yy / 6.0)
    box = (slice(4, 17), slice(22, 39))
    z[box] = 400
    z[6:15, 24:37] = 100  # the enclosed floor
    transform = Affine(RES, 0, LON0, 0, -RES, LAT0 + N * RES)
    return terrain.dem_from_array(z, transform, crs="EPSG:4326", source="synthetic test plain", synthetic=True)


@pytest.fixture(scope="module")
def dem():
    return walled_plain()


@pytest.fixture(scope="module")
def pair(dem):
    obs = [(*cell_latlon(40, 15), "West Post"), (*cell_latlon(40, 45), "East Post")]
    cv = cumulative_viewshed(dem, [f"{lat},{lon}" for lat, lon, _ in obs], observer_height=10, max_distance=2500,
                             method="fast")
    cv["observer_name"].values[:] = [o[2] for o in obs]  # named observers, as places would give
    return cv, obs


@pytest.fixture(autouse=True)
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def _notes(fig):
    return [t.get_text() for t in fig.texts if t.get_gid() == "source-note"]


# --------------------------------------------------------------------------- cumulative

def test_cumulative_png_not_blank(pair, dem, tmp_path):
    import matplotlib.image as mpimg

    cv, _ = pair
    img = mpimg.imread(save_figure(plot_cumulative(cv, dem=dem, places=False).figure, tmp_path / "cv.png"))
    assert img.shape[0] >= 1000 and img.shape[1] >= 1000
    assert img[..., :3].std() > 0.05


def test_cumulative_observer_markers_at_observers(pair, dem):
    cv, obs = pair
    ax = plot_cumulative(cv, dem=dem, places=False)
    (marker,) = [ln for ln in ax.lines if ln.get_gid() == "observer"]
    assert marker.get_marker() == "^"
    assert marker.get_xydata() == pytest.approx(np.array([[o[1], o[0]] for o in obs]), abs=1e-9)
    labels = {t.get_text() for t in ax.texts if t.get_gid() == "place-label"}
    assert {"West Post", "East Post"} <= labels


def test_cumulative_both_and_dead_ground_differ(pair, dem):
    cv, _ = pair
    cls = pair_classes(cv)
    both = uniform_cell(cls == BOTH)
    dead = uniform_cell(cls == DEAD)
    ax = plot_cumulative(cv, dem=dem, places=False)
    xy = lambda rc: (float(cv.x.values[rc[1]]), float(cv.y.values[rc[0]]))  # noqa: E731
    rgb_both, rgb_dead = rgb_at(ax, *xy(both)), rgb_at(ax, *xy(dead))
    assert np.abs(rgb_both - rgb_dead).sum() > 100
    assert rgb_both[1] > rgb_both[0]  # bluish green
    assert rgb_dead[0] > rgb_dead[2]  # vermillion


def test_cumulative_legend_names_observers_and_title_areas(pair, dem):
    from terrain.multi import coverage_summary

    cv, _ = pair
    ax = plot_cumulative(cv, dem=dem, places=False)
    (leg,) = [a for a in ax.get_children() if getattr(a, "get_gid", lambda: None)() == "legend-ground"]
    texts = [t.get_text() for t in leg.get_texts()]
    assert texts[0].startswith("seen by West Post only") and texts[1].startswith("seen by East Post only")
    assert texts[2].startswith("seen by both") and texts[3].startswith("dead ground")
    s = coverage_summary(cv)
    title = ax.get_title()
    assert f"{s['seen_by_any_km2']:,.1f} km²" in title and f"dead ground {s['dead_ground_km2']:,.1f} km²" in title


def test_cumulative_synthetic_footnote(pair, dem):
    cv, _ = pair
    ax = plot_cumulative(cv, dem=dem, places=False)
    (note,) = _notes(ax.figure)
    assert SYNTHETIC_NOTE in note


def test_cumulative_many_observers_count_scale(dem):
    pts = [f"{lat},{lon}" for lat, lon in (cell_latlon(40, 15), cell_latlon(40, 45), cell_latlon(55, 30))]
    cv = cumulative_viewshed(dem, pts, observer_height=10, max_distance=2000, method="fast")
    ax = plot_cumulative(cv, dem=dem, places=[("Village", *cell_latlon(50, 30))])
    (cax,) = [a for a in ax.figure.axes if a.get_gid() == "count-colourbar"]
    assert [int(t) for t in cax.get_xticks()] == [1, 2, 3]
    assert "3 observers" in ax.get_title()


# --------------------------------------------------------------------------- overlook

def test_overlook_bars_in_rank_order(dem):
    target = "{},{}".format(*cell_latlon(45, 30))
    cands = ["{},{}".format(*cell_latlon(r, c)) for r, c in ((40, 15), (58, 58), (10, 30))]
    table = overlook(dem, target, cands, target_radius=400, observer_height=10)
    ax = plot_overlook(table)
    bars = sorted((p for p in ax.patches if p.get_gid() and p.get_gid().startswith("bar-")),
                  key=lambda p: p.get_y())  # top of the chart first (inverted y axis)
    assert [b.get_gid() for b in bars] == [f"bar-{r['rank']}" for r in table.rows]
    assert [b.get_width() for b in bars] == pytest.approx([r["visible_percent"] for r in table.rows])
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert [t.split("\n")[0] for t in ticks] == [f"{r['rank']}. {r['name']}" for r in table.rows]
    assert ax.yaxis_inverted()
    (note,) = _notes(ax.figure)
    assert SYNTHETIC_NOTE in note


def test_overlook_labels_give_km2_and_heights():
    rows = [dict(rank=1, name="High Hill", ground_m=650.0, distance_km=7.7, visible_km2=25.1, visible_percent=88.7,
                 prominence_m=492.0),
            dict(rank=2, name="summit 518 m at 35.0899N 36.9365E", ground_m=518.0, distance_km=17.7, visible_km2=0.0,
                 visible_percent=0.0)]
    ax = plot_overlook(ResultTable(rows, {"target": "Town", "target_area_km2": 28.3, "source": "SRTM test"}))
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "bar-label"]
    assert labels[0] == "88.7 %  ·  25.10 km²" and labels[1] == "sees none of it"
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[0] == "1. High Hill\n650 m · prominence 492 m · 7.7 km away"
    assert ticks[1].startswith("2. summit at 35.0899N 36.9365E\n518 m")
    assert "Town (28.3 km²)" in ax.get_title()
    assert _notes(ax.figure) == ["Data: SRTM test"]


# --------------------------------------------------------------------------- intervisibility

def test_network_line_count_equals_intervisible_pairs(dem):
    cells = ((40, 15), (40, 45), (55, 30), (10, 30), (58, 5))
    pts = [(round(lat, 4), round(lon, 4)) for lat, lon in (cell_latlon(r, c) for r, c in cells)]
    table = intervisibility(dem, pts, observer_height=[30.0, 5.0, 5.0, 5.0, 5.0], target_height=5.0)
    mutual, one_way = sight_pairs(table.matrix)
    assert mutual and one_way  # the tall mast sees more than it is seen
    m = table.matrix
    n_pairs = sum(1 for i, j in itertools.combinations(range(len(pts)), 2) if m[i, j] or m[j, i])
    assert 0 < n_pairs < len(pts) * (len(pts) - 1) // 2  # the enclosure blocks some
    ax = plot_intervisibility(table, dem)
    solid = [ln for ln in ax.lines if ln.get_gid() == "sight-mutual"]
    dashed = [ln for ln in ax.lines if ln.get_gid() == "sight-one-way"]
    assert len(solid) + len(dashed) == n_pairs
    assert len(solid) == len(mutual) and len(dashed) == len(one_way)
    blocked = [ln for ln in ax.lines if ln.get_gid() == "sight-blocked"]
    assert len(blocked) == len(pts) * (len(pts) - 1) // 2 - n_pairs > 0  # every pair tested is drawn
    for ln in blocked:
        (i, j) = [k for k, (lat, lon) in enumerate(pts)
                  if any(np.allclose((x, y), (lon, lat), atol=RES) for x, y in ln.get_xydata())]
        assert not m[i, j] and not m[j, i]
    assert "blocked both ways" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert all(ln.get_linestyle() == "-" for ln in solid) and all(ln.get_linestyle() != "-" for ln in dashed)
    (points,) = [ln for ln in ax.lines if ln.get_gid() == "points"]
    assert points.get_xydata() == pytest.approx(np.array([[lon, lat] for lat, lon in pts]), abs=RES)
    (note,) = _notes(ax.figure)
    assert SYNTHETIC_NOTE in note


def test_network_symmetric_heights_all_solid_and_xy_points(dem):
    t = dem.rio.transform()
    cells = ((40, 15), (40, 45), (58, 58))
    pts = [f"xy:{t.c + (c + 0.5) * t.a},{t.f + (r + 0.5) * t.e}" for r, c in cells]
    table = intervisibility(dem, pts, observer_height=5.0)
    ax = plot_intervisibility(table, dem, points=pts)
    assert not [ln for ln in ax.lines if ln.get_gid() == "sight-one-way"]
    solid = [ln for ln in ax.lines if ln.get_gid() == "sight-mutual"]
    assert len(solid) == int(np.triu(table.matrix, 1).sum())
    with pytest.raises(ValueError):
        plot_intervisibility(table, dem, points=pts[:2])


# --------------------------------------------------------------------------- visibility index

def test_vindex_colourbar_spans_index_range(dem, tmp_path):
    import matplotlib.image as mpimg

    vi = visibility_index(dem, radius=1500, stride=6, observer_height=2)
    ax = plot_visibility_index(vi, dem=dem, places=False)
    (cax,) = [a for a in ax.figure.axes if a.get_gid() == "vindex-colourbar"]
    lo, hi = float(np.nanmin(vi.values)), float(np.nanmax(vi.values))
    assert cax.get_ylim() == pytest.approx((lo, hi), rel=1e-6)
    (im,) = [i for i in ax.images if i.get_gid() == "vindex-image"]
    assert im.get_clim() == pytest.approx((lo, hi), rel=1e-6)
    assert im.get_cmap().name == "cividis"
    assert "km²" in cax.get_ylabel()
    (note,) = _notes(ax.figure)
    assert SYNTHETIC_NOTE in note
    img = mpimg.imread(save_figure(ax.figure, tmp_path / "vi.png"))
    assert img[..., :3].std() > 0.05


# --------------------------------------------------------------------------- package

def test_exports_and_lazy_import():
    import terrain.plot as tp

    for name in ("plot_cumulative", "plot_overlook", "plot_intervisibility", "plot_visibility_index",
                 "plot_viewshed", "plot_basemap"):
        assert name in tp.__all__ and callable(getattr(tp, name))
    code = "import sys, terrain, terrain.multi; sys.exit('matplotlib' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_basemap_shows_the_gazetteer_places_and_the_data_source():
    """Notebook 01's hillshade promised the gazetteer's places and showed none."""
    import terrain
    from terrain.plot import plot_basemap
    from terrain.samples import hama_standin_path

    dem = terrain.load_dem(hama_standin_path())
    ax = plot_basemap(dem)
    labels = {t.get_text() for t in ax.texts}
    assert {"Hama", "Souran"} <= labels and ("Zayn al-Abidin" in labels or "Jabal Kafra" in labels)
    notes = [t.get_text() for t in ax.figure.texts if t.get_gid() == "source-note"]
    assert len(notes) == 1 and "SYNTHETIC" in notes[0] and "Jabal Kafra: position not verified" in notes[0]
    assert [t for t in ax.figure.texts if t.get_gid() == "synthetic-title"]
    assert not {t.get_text() for t in plot_basemap(dem, places=False).texts} & {"Hama", "Souran"}
