"""What the heights a user gives mean: one rule for every function and command.

The observer's height is metres above the ground under it, or metres above sea level with
``absolute_heights``. A target's height is always metres above the ground under the target (a
mast, a person, a roof), in every analysis: an absolute height describes where the eye is,
and a viewshed has a target on every cell, each on its own ground.
"""

from __future__ import annotations

import math

from .errors import InputError
from .numbers import check_number

ABOVE_GROUND_HINT = "give metres above the ground (0 or more)"


def check_heights(observer_height, target_height, absolute_heights: bool, *, observer_what: str = "observer height",
                  target_what: str = "target height") -> tuple[float, float]:
    """Both heights as floats, checked: finite; the target 0 or more; the observer too unless absolute."""
    above = dict(low=0.0, unit="m", hint=ABOVE_GROUND_HINT)
    observer_height = check_number(observer_height, observer_what,
                                   **(dict(unit="m") if absolute_heights else above))
    target_height = check_number(target_height, target_what, **above)
    return observer_height, target_height


def eye_elevation_m(ground_m: float, observer_height: float, absolute_heights: bool, label: str = "the observer") -> float:
    """The eye's elevation above sea level, metres, from the ground under the observer and its height.

    Raises
    ------
    InputError
        An absolute eye height below the ground it stands on.
    """
    if not absolute_heights:
        return float(ground_m) + float(observer_height)
    if math.isfinite(ground_m) and float(observer_height) < float(ground_m):
        raise InputError(f"{label} is given an eye height of {float(observer_height):g} m above sea level, below "
                         f"the ground there ({float(ground_m):.1f} m); give a height above {float(ground_m):.1f} m "
                         "or leave out absolute heights to give metres above the ground")
    return float(observer_height)


def eye_elevations_m(ground_m, observer_height: float, absolute_heights: bool):
    """:func:`eye_elevation_m` of many observers at once (``ground_m`` an array of metres)."""
    import numpy as np

    ground_m = np.asarray(ground_m, dtype=np.float64)
    if not absolute_heights:
        return ground_m + float(observer_height)
    below = ground_m > float(observer_height)
    if below.any():
        raise InputError(f"an absolute eye height of {float(observer_height):g} m above sea level is below the ground "
                         f"under {int(below.sum())} of the {below.size} observers (up to {ground_m.max():.1f} m); "
                         "give a height above the highest ground or leave out absolute heights")
    return np.full(ground_m.shape, float(observer_height))
