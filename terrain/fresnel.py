"""The first Fresnel zone of a radio path: its radius along the path, and how clear of the terrain it is.

Model
-----
A radio link of frequency ``f`` needs more than a bare optical line: the first
Fresnel zone, an ellipsoid around the straight line between the antennas, should
stay clear of the ground. At a point ``d1`` metres from one end and ``d2`` from
the other its radius is

    r1 = sqrt(lambda * d1 * d2 / (d1 + d2)),    lambda = c / f

(zero at the antennas, largest, ``sqrt(lambda * D) / 2``, at mid-path). The
clearance of a path is the least ratio ``(sight-line height - terrain) / r1``
over the path (the terrain lowered by curvature and refraction, as for the
optical line): 1 or more means the whole first zone is clear, 0.6 or more the
usual engineering rule of "60 % of the first zone clear", below 0.6 obstructed
(negative: the optical line itself is blocked).

Radio planners usually take an effective earth radius factor of 4/3, i.e. a
refraction coefficient ``k = 0.25`` (``refraction=0.25``), where sight lines use 0.13.
"""

from __future__ import annotations

import numpy as np

from .numbers import check_number

#: Speed of light in vacuum, m/s.
SPEED_OF_LIGHT_M_S = 299_792_458.0

#: Fraction of the first zone that must be clear for a path to count as ">= 60 % clear".
SIXTY_PERCENT = 0.6

#: The verdicts, best first.
CLEAR, SIXTY_PERCENT_CLEAR, OBSTRUCTED = "clear", ">= 60 % clear", "obstructed"


def check_frequency_mhz(value, what: str = "frequency") -> float:
    """The radio frequency in MHz, checked (finite and above zero) by the shared number rule."""
    return check_number(value, what, low=0.0, low_open=True, unit="MHz",
                        hint="give the radio frequency in MHz, e.g. 2400 for 2.4 GHz")


def wavelength_m(frequency_mhz: float) -> float:
    """Wavelength in metres of a radio frequency in MHz (``c / f``)."""
    return SPEED_OF_LIGHT_M_S / (float(frequency_mhz) * 1e6)


def first_zone_radius_m(d1_m, d2_m, frequency_mhz: float) -> np.ndarray:
    """Radius of the first Fresnel zone, metres, ``d1_m`` and ``d2_m`` metres from the two ends.

    Examples
    --------
    >>> round(float(first_zone_radius_m(5000.0, 5000.0, 2400.0)), 2)  # mid-path of a 10 km link at 2.4 GHz
    17.67
    """
    d1 = np.asarray(d1_m, dtype=np.float64)
    d2 = np.asarray(d2_m, dtype=np.float64)
    total = d1 + d2
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.sqrt(wavelength_m(frequency_mhz) * d1 * d2 / total)
    return np.where(total > 0, r, 0.0)


def fresnel_verdict(ratio: float) -> str:
    """``"clear"`` (ratio >= 1), ``">= 60 % clear"`` (>= 0.6) or ``"obstructed"``, for the least clearance ratio."""
    if ratio >= 1.0:
        return CLEAR
    if ratio >= SIXTY_PERCENT:
        return SIXTY_PERCENT_CLEAR
    return OBSTRUCTED
