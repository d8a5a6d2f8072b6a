"""Tests of terrain.plot.viewshed_map: the viewshed map, checked on its rendered content."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from affine import Affine

import terrain
from terrain.plot import plot_viewshed, save_figure
from terrain.plot.style import SYNTHETIC_NOTE
from terrain.plot.viewshed_map import HIDDEN_CLASSES, dead_ground_class, overlay_rgba, viewshed_title
from figure_checks import rgb_at, uniform_cell

RES = 1 / 1200  # 3 arc-seconds
N = 81
LAT0, LON0 = 35.0, 36.0


def _plain_with_wall() -> terrain.GridPoint:
    """A gently rolling plain at ~100 m with a 300 m wall 1.1 km east of the centre (deep dead ground behind it)."""
    yy, xx = np.mgrid[0:N, 0:N]
    c = N // 2
    z = 100 + 8 * np.sin(xx / 5.0) * np.cos(yy / 7.0)
    z[(xx >= c + 14) & (xx <= c + 15) & (np.abs(yy - c) <= 12)] = 400
    transform = Affine(RES, 0, LON0, 0, -RES, LAT0 + N * RES)
    return terrain.dem_from_array(z, transform, crs="EPSG:4326", source="synthetic test plain", synthetic=True)


@pytest.fixture(scope="module")
def plain():
    dem = _plain_with_wall()
    c = N // 2
    lat = LAT0 + (N - c - 0.5) * RES
    lon = LON0 + (c + 0.5) * RES
    vs = terrain.viewshed(dem, (lat, lon), observer_height=30, max_distance=2500, method="fast")
    return dem, vs


@pytest.fixture
def close_figures():
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def _cell_xy(vs, r, c):
    return float(vs.x.values[c]), float(vs.y.values[r])


def test_png_is_written_and_not_blank(plain, tmp_path, close_figures):
    import matplotlib.image as mpimg

    dem, vs = plain
    ax = plot_viewshed(vs, dem=dem)
    path = save_figure(ax.figure, tmp_path / "vs.png")
    img = mpimg.imread(path)  # decodes the PNG
    assert img.ndim == 3 and img.shape[0] >= 1000 and img.shape[1] >= 1000  # 8 in at 150 dpi
    assert img[..., :3].std() > 0.05


def test_observer_marker_at_observer(plain, close_figures):
    dem, vs = plain
    ax = plot_viewshed(vs, dem=dem, places=False)
    (marker,) = [ln for ln in ax.lines if ln.get_gid() == "observer"]
    x, y = marker.get_xydata()[0]
    assert x == pytest.approx(vs["observer_lon"].item(), abs=1e-12)
    assert y == pytest.approx(vs["observer_lat"].item(), abs=1e-12)
    assert marker.get_marker() == "^"
    # and it is drawn there: the rendered pixel a little below the apex is the marker's black
    fig = ax.figure
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    px, py = ax.transData.transform((x, y))
    assert img[img.shape[0] - int(round(py)) + 1, int(round(px))].max() < 60


def test_overlay_differs_between_visible_and_dead_ground(plain, close_figures):
    dem, vs = plain
    vis = vs["visible"].values
    mvh = vs["min_visible_height"].values
    visible_cell = uniform_cell(vis == 1)
    deep_cell = uniform_cell((vis == 0) & (mvh > 50))
    ax = plot_viewshed(vs, dem=dem, places=False, rings_km=[])
    rgb_visible = rgb_at(ax, *_cell_xy(vs, *visible_cell))
    rgb_deep = rgb_at(ax, *_cell_xy(vs, *deep_cell))
    assert np.abs(rgb_visible - rgb_deep).sum() > 120
    assert rgb_visible[2] > rgb_visible[0]  # sky blue: more blue than red
    assert rgb_deep[0] > rgb_deep[2]  # dead ground: orange-brown


def test_not_analysed_is_plain_hillshade(plain):
    _, vs = plain
    rgba = overlay_rgba(vs)
    out = vs["visible"].values == 255
    assert out.any() and np.all(rgba[out, 3] == 0)
    assert np.all(rgba[vs["visible"].values != 255, 3] > 0)


def test_dead_ground_classes():
    h = np.array([0.5, 2.0, 2.1, 10.0, 49.0, 50.0, 51.0, 900.0, np.nan])
    assert dead_ground_class(h).tolist() == [0, 0, 1, 1, 2, 2, 3, 3, -1]
    assert [c[1] for c in HIDDEN_CLASSES] == ["0–2 m", "2–10 m", "10–50 m", "> 50 m"]


def test_synthetic_footnote(plain, close_figures):
    dem, vs = plain
    ax = plot_viewshed(vs, dem=dem, places=False)
    notes = [t.get_text() for t in ax.figure.texts if t.get_gid() == "source-note"]
    assert len(notes) == 1 and SYNTHETIC_NOTE in notes[0]
    assert SYNTHETIC_NOTE == "SYNTHETIC stand-in — not SRTM"


def test_title_states_observer_heights_radius_and_area(plain):
    _, vs = plain
    title = viewshed_title(vs, "Test Tower")
    assert "Test Tower" in title and "eye 30 m" in title and "radius 2.5 km" in title
    assert f"{terrain.visible_area_km2(vs):,.1f} km²" in title
    assert f"({terrain.visible_percent(vs):.1f} %" in title


def test_geographic_aspect_makes_a_km_a_km(plain, close_figures):
    dem, vs = plain
    ax = plot_viewshed(vs, dem=dem, places=False)
    lat = float(vs.y.mean())
    assert ax.get_aspect() == pytest.approx(1 / math.cos(math.radians(lat)), rel=1e-3)
    # 1 km east and 1 km north span the same number of pixels
    ax.apply_aspect()
    lon0, lat0 = vs["observer_lon"].item(), vs["observer_lat"].item()
    dlat = 1 / 110.95
    dlon = 1 / (111.32 * math.cos(math.radians(lat0)))
    p0 = ax.transData.transform((lon0, lat0))
    pe = ax.transData.transform((lon0 + dlon, lat0))
    pn = ax.transData.transform((lon0, lat0 + dlat))
    assert abs(pe[0] - p0[0]) == pytest.approx(abs(pn[1] - p0[1]), rel=0.01)


def test_degree_minute_tick_labels(plain, close_figures):
    dem, vs = plain
    ax = plot_viewshed(vs, dem=dem, places=False)
    ax.figure.canvas.draw()
    xl = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    yl = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    assert xl and yl
    assert all(s.startswith("36°") and s.endswith("E") for s in xl)
    assert all(s.startswith("35°") and s.endswith("N") for s in yl)


def test_places_marked_visible_or_hidden(plain, close_figures):
    dem, vs = plain
    vis = vs["visible"].values
    rv, cv = uniform_cell(vis == 1)
    rh, ch = uniform_cell((vis == 0) & (vs["min_visible_height"].values > 50))
    xv, yv = _cell_xy(vs, rv, cv)
    xh, yh = _cell_xy(vs, rh, ch)
    ax = plot_viewshed(vs, dem=dem, places=[("Seen", yv, xv), ("Unseen", yh, xh)])
    by_gid = {ln.get_gid(): ln for ln in ax.lines}
    assert by_gid["place-visible"].get_xydata().tolist() == [[xv, yv]]
    assert by_gid["place-hidden"].get_xydata().tolist() == [[xh, yh]]
    assert by_gid["place-visible"].get_markerfacecolor() != by_gid["place-hidden"].get_markerfacecolor()
    labels = {t.get_text() for t in ax.texts if t.get_gid() == "place-label"}
    assert {"Seen", "Unseen"} <= labels


def test_place_at_observer_names_the_observer(plain, close_figures):
    dem, vs = plain
    lat, lon = vs["observer_lat"].item(), vs["observer_lon"].item()
    ax = plot_viewshed(vs, dem=dem, places=[("Tower Hill", lat + 0.0005, lon)])
    assert "Viewshed from Tower Hill" in ax.get_title()
    assert not [ln for ln in ax.lines if ln.get_gid() in ("place-visible", "place-hidden")]
    assert [t for t in ax.texts if t.get_gid() == "place-label" and t.get_text() == "Tower Hill"]


def test_crowded_place_labels_do_not_overlap(plain, close_figures):
    dem, vs = plain
    rng = np.random.default_rng(3)
    lat0, lon0 = vs["observer_lat"].item(), vs["observer_lon"].item()
    places = [(f"Village {i}", lat0 + rng.uniform(-0.012, 0.012), lon0 + rng.uniform(-0.015, 0.015))
              for i in range(80)]
    ax = plot_viewshed(vs, dem=dem, places=places)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in ax.texts if t.get_gid() == "place-label"]
    assert 10 <= len(labels) < 80  # many placed, the crowd thinned
    boxes = [t.get_window_extent(renderer) for t in labels]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    frame = ax.get_window_extent(renderer)
    assert all(frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1 for b in boxes)


def test_range_rings_labelled_in_km(plain, close_figures):
    dem, vs = plain
    ax = plot_viewshed(vs, dem=dem, places=False)
    labels = [t.get_text() for t in ax.texts if t.get_gid() == "ring-label"]
    assert labels == ["1 km", "2 km", "2.5 km"]
    rings = [ln for ln in ax.lines if ln.get_gid() == "range-ring"]
    assert len(rings) == 3


def test_without_dem_light_grey_background(plain, close_figures):
    _, vs = plain
    ax = plot_viewshed(vs, places=False)
    assert not [im for im in ax.images if im.get_gid() != "viewshed-overlay"]
    corner = rgb_at(ax, float(vs.x.values[0]), float(vs.y.values[0]))  # not analysed
    assert np.all(np.abs(corner - 0xE6) <= 3)


def test_on_given_axes_and_projected_grid(close_figures):
    import matplotlib.pyplot as plt

    dem = terrain.to_utm(_plain_with_wall(), resolution_m=90)
    vs = terrain.viewshed(dem, (35.0337, 36.0337), observer_height=30, max_distance=2000, method="fast")
    fig, ax = plt.subplots(figsize=(6, 6))
    out = plot_viewshed(vs, ax=ax, dem=dem, places=False)
    assert out is ax
    assert ax.get_aspect() == 1.0
    assert "km" in ax.get_xlabel()
    (marker,) = [ln for ln in ax.lines if ln.get_gid() == "observer"]
    assert marker.get_xydata()[0] == pytest.approx([vs["observer_x"].item(), vs["observer_y"].item()])


def test_real_tile_footnote_says_srtm(white_mountains_path, tmp_path, close_figures):
    import matplotlib.image as mpimg

    dem = terrain.load_dem(white_mountains_path, around=(44.2708, -71.3033, 5500))
    vs = terrain.viewshed(dem, "44.2708,-71.3033", max_distance=5000, method="fast")
    ax = plot_viewshed(vs, dem=dem)
    (note,) = [t.get_text() for t in ax.figure.texts if t.get_gid() == "source-note"]
    assert "SRTM" in note and "SYNTHETIC" not in note
    img = mpimg.imread(save_figure(ax.figure, tmp_path / "wm.png"))
    assert img[..., :3].std() > 0.05
