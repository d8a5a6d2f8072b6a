"""Earth curvature and atmospheric refraction for sight lines.

A sight line over a curved earth sees distant ground lower than it is. With
refraction coefficient ``k`` the ground at distance ``d`` drops by

    drop = d**2 / (2 R) * (1 - k)

which is the convention of ArcGIS and QGIS (k = 0.13 by default). GDAL calls
``1 - k`` the curvature coefficient (``-cc``, default 0.85714, i.e. k = 1/7).
"""

from __future__ import annotations

from .numbers import check_number

#: Mean radius of the WGS84 ellipsoid (IUGG R1), metres.
EARTH_RADIUS_M = 6_371_008.8

#: Default refraction coefficient (ArcGIS / QGIS convention).
DEFAULT_REFRACTION = 0.13


def refraction_from_curvature_coefficient(cc: float) -> float:
    """Return the refraction coefficient ``k`` for GDAL's curvature coefficient ``cc = 1 - k``."""
    return 1.0 - float(cc)


def curvature_factor(curvature: bool = True, refraction: float = DEFAULT_REFRACTION,
                     radius_m: float = EARTH_RADIUS_M) -> float:
    """Return ``(1 - k) / (2 R)`` in 1/metres, so that ``drop_m = factor * d_m**2``.

    Parameters
    ----------
    curvature : bool
        False gives 0: a flat earth.
    refraction : float
        Refraction coefficient ``k`` (dimensionless), 0 <= k < 1.
    radius_m : float
        Earth radius in metres.
    """
    if not curvature:
        return 0.0
    k = check_number(refraction, "refraction coefficient", low=0.0, high=1.0, high_open=True,
                     hint="use a value from 0 to below 1 (0.13 is usual, GDAL's -cc 0.85714 means k = 0.14286)")
    return (1.0 - k) / (2.0 * radius_m)


def curvature_drop_m(distance_m, curvature: bool = True, refraction: float = DEFAULT_REFRACTION):
    """Return how far ground at ``distance_m`` (metres) sits below the observer's horizontal plane, metres."""
    return curvature_factor(curvature, refraction) * distance_m ** 2


def horizon_distance_m(height_m: float, refraction: float = DEFAULT_REFRACTION,
                       target_height_m: float = 0.0) -> float:
    """Distance (metres) at which a target of ``target_height_m`` sinks below the horizon of an eye at ``height_m``.

    ``sqrt(2 R h / (1 - k)) + sqrt(2 R t / (1 - k))`` over a smooth sea-level earth.
    """
    f = curvature_factor(True, refraction)
    return (height_m / f) ** 0.5 + (target_height_m / f) ** 0.5
