"""Curvature and refraction conventions."""

import math

import pytest

from terrain import InputError
from terrain.earth import (EARTH_RADIUS_M, curvature_drop_m, curvature_factor, horizon_distance_m,
                           refraction_from_curvature_coefficient)


def test_drop_formula():
    assert curvature_drop_m(10_000) == pytest.approx(10_000 ** 2 / (2 * EARTH_RADIUS_M) * 0.87)
    assert curvature_drop_m(10_000, curvature=False) == 0
    assert curvature_drop_m(10_000, refraction=0) == pytest.approx(7.848, abs=1e-3)


def test_gdal_cc_is_one_minus_k():
    assert refraction_from_curvature_coefficient(0.85714) == pytest.approx(0.14286)


def test_horizon_distance():
    h = 10.0
    assert horizon_distance_m(h) == pytest.approx(math.sqrt(2 * EARTH_RADIUS_M * h / 0.87))
    assert horizon_distance_m(h, target_height_m=h) == pytest.approx(2 * horizon_distance_m(h))


def test_bad_refraction():
    with pytest.raises(InputError, match="refraction"):
        curvature_factor(True, 1.2)
