"""Metric cell sizes on geographic and projected grids."""

from __future__ import annotations

import numpy as np
import pytest
from affine import Affine
from pyproj import Geod

from terrain.grid import cell_areas_m2, row_geometry
from terrain.kernels.geometry import cell_distance_m

GEOD = Geod(ellps="WGS84")


@pytest.mark.parametrize("lat_top", [0.5, 35.45, 44.0, 60.0, -45.0, 75.0])
def test_geographic_spacing_matches_geodesic(lat_top):
    res = 1 / 3600
    rows = 600
    t = Affine(res, 0, 36.0, 0, -res, lat_top)
    y_m, dx_m = row_geometry(t, (rows, 100), "EPSG:4326")
    for r in (0, 299, 599):
        lat = lat_top - res * (r + 0.5)
        assert dx_m[r] == pytest.approx(GEOD.inv(36.0, lat, 36.0 + res, lat)[2], rel=1e-3)
    lat0, lat1 = lat_top - res * 0.5, lat_top - res * (rows - 0.5)
    assert y_m[-1] == pytest.approx(GEOD.inv(36.0, lat0, 36.0, lat1)[2], rel=1e-4)


def test_kernel_distance_matches_geodesic_over_20km():
    res = 1 / 3600
    t = Affine(res, 0, 36.45, 0, -res, 35.45)
    y_m, dx_m = row_geometry(t, (1800, 2160), "EPSG:4326")
    r0, c0 = 900, 1000
    for r, c in [(900 + 600, 1000 + 500), (900 - 700, 1000 - 300), (900, 1000 + 800), (300, 1000)]:
        d = cell_distance_m(r, c, r0, c0, y_m, dx_m)
        lat = lambda rr: 35.45 - res * (rr + 0.5)
        lon = lambda cc: 36.45 + res * (cc + 0.5)
        geo = GEOD.inv(lon(c0), lat(r0), lon(c), lat(r))[2]
        assert d == pytest.approx(geo, rel=1e-3)


def test_projected_spacing_is_constant():
    # on the zone's central meridian (x = 500 km), where UTM's metres are ground metres
    y_m, dx_m = row_geometry(Affine(30, 0, 500000, 0, -20, 5000000), (4, 3), "EPSG:32633")
    np.testing.assert_allclose(y_m, [0, 20, 40, 60])
    np.testing.assert_allclose(dx_m, 30)
    np.testing.assert_allclose(cell_areas_m2(y_m, dx_m), 600)


def test_feet_are_converted():
    y_m, dx_m = row_geometry(Affine(10, 0, 0, 0, -10, 0), (2, 2), "EPSG:2263")  # NY state plane, US feet
    assert dx_m[0] == pytest.approx(3.048, rel=1e-4)


def test_geographic_areas_sum_to_ellipsoid_area():
    res = 1 / 1200
    t = Affine(res, 0, -72 - res / 2, 0, -res, 45 + res / 2)
    y_m, dx_m = row_geometry(t, (1201, 1201), "EPSG:4326")
    area = cell_areas_m2(y_m, dx_m).sum() * 1201
    poly_area, _ = GEOD.polygon_area_perimeter([-72 - res / 2, -71 + res / 2, -71 + res / 2, -72 - res / 2],
                                               [44 - res / 2, 44 - res / 2, 45 + res / 2, 45 + res / 2])
    assert area == pytest.approx(abs(poly_area), rel=2e-3)
