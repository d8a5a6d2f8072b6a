"""Tests of terrain.fresnel: the first-zone radius, the verdict thresholds and the frequency check."""

from __future__ import annotations

import math

import numpy as np
import pytest

from terrain import InputError
from terrain.fresnel import (CLEAR, OBSTRUCTED, SIXTY_PERCENT_CLEAR, check_frequency_mhz, first_zone_radius_m,
                             fresnel_verdict, wavelength_m)


def test_radius_follows_the_formula():
    assert wavelength_m(2400.0) == pytest.approx(299_792_458.0 / 2.4e9, rel=1e-15)  # 12.49 cm
    # mid-path of a 10 km link at 2.4 GHz: sqrt(lambda * 5000 * 5000 / 10000)
    assert float(first_zone_radius_m(5000.0, 5000.0, 2400.0)) == pytest.approx(17.6716, abs=1e-4)
    # the zone is largest at mid-path, symmetric, and zero at both ends
    d = np.linspace(0.0, 10000.0, 101)
    r = first_zone_radius_m(d, 10000.0 - d, 900.0)
    assert r[0] == r[-1] == 0.0 and int(np.argmax(r)) == 50
    np.testing.assert_allclose(r, r[::-1], rtol=1e-12)
    assert r.max() == pytest.approx(math.sqrt(wavelength_m(900.0) * 10000.0) / 2, rel=1e-12)
    # same-cell path: no zone at all, and no division by zero
    assert float(first_zone_radius_m(0.0, 0.0, 900.0)) == 0.0


@pytest.mark.parametrize("ratio, verdict", [(5.0, CLEAR), (1.0, CLEAR), (0.9999, SIXTY_PERCENT_CLEAR),
                                            (0.6, SIXTY_PERCENT_CLEAR), (0.5999, OBSTRUCTED),
                                            (-1.0, OBSTRUCTED), (math.inf, CLEAR)])
def test_verdict_thresholds(ratio, verdict):
    assert fresnel_verdict(ratio) == verdict


@pytest.mark.parametrize("bad, words", [(0, "greater than zero"), (-5, "greater than zero"),
                                        (float("nan"), "not a finite number"), ("2.4GHz", "not a number")])
def test_frequency_check(bad, words):
    with pytest.raises(InputError, match=words):
        check_frequency_mhz(bad, "--frequency-mhz")
    assert check_frequency_mhz("2400") == 2400.0
