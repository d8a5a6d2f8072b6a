"""Reading points and placing them on a DEM."""

from __future__ import annotations

import numpy as np
import pytest

from terrain import InputError, LatLon, locate, parse_point
from terrain.dem import dem_from_array


def test_parse_latlon_forms():
    assert parse_point("35.2030,36.7663") == LatLon(35.2030, 36.7663)
    assert parse_point("44.27N, 71.30W") == LatLon(44.27, -71.30)
    assert parse_point("44.27 -71.30") == LatLon(44.27, -71.30)
    assert parse_point((1.5, 2.5)) == LatLon(1.5, 2.5)
    assert parse_point("xy: 500000, 3900000") == ("xy", 500000.0, 3900000.0)


@pytest.mark.parametrize("bad", ["95,10", "10,200", "10,", "12.5.3,4", ""])
def test_malformed_points(bad):
    with pytest.raises(InputError):
        parse_point(bad)


def test_locate_on_white_mountains(white_mountains):
    p = locate(white_mountains, "44.2708,-71.3033")
    assert (p.r, p.c) == (875, 836)
    assert p.ground_m == 1908.0
    assert p.row == pytest.approx(875, abs=0.5) and p.col == pytest.approx(836, abs=0.5)


def test_locate_errors(white_mountains):
    with pytest.raises(InputError, match="outside the DEM"):
        locate(white_mountains, "35.0,36.7", role="observer")
    dem = white_mountains.copy()
    dem.values[875, 836] = np.nan
    with pytest.raises(InputError, match="void"):
        locate(dem, "44.2708,-71.3033", role="observer")
    nocrs = dem_from_array(np.zeros((10, 10)), (0, 30, 0, 300, 0, -30))
    with pytest.raises(InputError, match="no CRS"):
        locate(nocrs, "1,1")
    p = locate(nocrs, "xy:45,285")
    assert (p.r, p.c) == (0, 1)


def test_projected_dem_takes_latlon():
    # a 30 m UTM 33N grid around 15E 45N
    from pyproj import Transformer

    x, y = Transformer.from_crs(4326, 32633, always_xy=True).transform(15.0, 45.0)
    dem = dem_from_array(np.ones((100, 100)), (x - 1500, 30, 0, y + 1500, 0, -30), crs="EPSG:32633")
    p = locate(dem, "45,15")
    assert (p.r, p.c) == (50, 50)
    assert p.lat == pytest.approx(45.0) and p.lon == pytest.approx(15.0)
