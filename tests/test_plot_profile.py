"""Tests of terrain.plot.profile: the sight-line profile figure, with and without the Fresnel zone."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from figure_checks import rgb_at  # noqa: E402
from terrain import dem_from_array, line_of_sight  # noqa: E402
from terrain.plot import plot_profile  # noqa: E402
from terrain.plot.style import OKABE_ITO  # noqa: E402


def _link(frequency_mhz=None):
    z = np.zeros((101, 101), np.float32)
    z[:, 50] = 12.0  # a knife edge half-way
    dem = dem_from_array(z, (500000, 100, 0, 4010100, 0, -100), crs="EPSG:32633")
    t = dem.rio.transform()

    def xy(r, c):
        return f"xy:{t.c + (c + 0.5) * t.a},{t.f + (r + 0.5) * t.e}"
    return line_of_sight(dem, xy(50, 0), xy(50, 100), observer_height=30, target_height=30, curvature=False,
                         frequency_mhz=frequency_mhz)


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_fresnel_zone_is_drawn_as_a_band_with_its_60_percent_line():
    los = _link(1000.0)
    ax = plot_profile(los)
    labels = _legend(ax)
    assert "first Fresnel zone, 1000 MHz (radius up to 27.4 m)" in labels
    assert "60 % of the first zone" in labels
    assert "least Fresnel clearance: 66 % of the zone" in labels
    assert ax.get_title().endswith("first Fresnel zone at 1000 MHz >= 60 % clear (least 66 %)")
    # inside the zone, above the sight line at 2.5 km (r1 there is 23.7 m): the band's pale sky blue
    sky = np.array([int(OKABE_ITO["sky"][i:i + 2], 16) for i in (1, 3, 5)])
    expected = 0.7 * 255 + 0.3 * sky
    assert np.abs(rgb_at(ax, 2.5, 30.0 + 12.0) - expected).max() <= 6
    # outside it, above the zone: white background
    assert rgb_at(ax, 2.5, 30.0 + 27.0).min() >= 250
    plt.close(ax.figure)


def test_without_a_frequency_no_zone_is_drawn():
    ax = plot_profile(_link())
    assert not any("Fresnel" in t for t in _legend(ax)) and "Fresnel" not in ax.get_title()
    assert "min clearance 18.0 m (end cells excluded)" in ax.get_title()
    plt.close(ax.figure)


@pytest.mark.parametrize("frequency", [None, 2400.0])
def test_profile_png_is_written(tmp_path, frequency):
    from terrain.plot import save_figure

    path = save_figure(plot_profile(_link(frequency)).figure, tmp_path / "p.png")
    assert path.stat().st_size > 20_000 and path.read_bytes()[:4] == b"\x89PNG"
