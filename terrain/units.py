"""Reading distances and angles that users type: ``"20km"``, ``"500 m"``, ``"120,240"``."""

from __future__ import annotations

import math
import re

from .errors import InputError

_DIST = re.compile(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)\s*(km|m|mi|nmi|ft)?\s*$", re.IGNORECASE)
_FACTORS = {None: 1.0, "m": 1.0, "km": 1000.0, "mi": 1609.344, "nmi": 1852.0, "ft": 0.3048}


def parse_distance_m(text, what: str = "distance", positive: bool = True) -> float:
    """Parse ``"20km"``, ``"500m"``, ``"20000"`` (metres) or a number into metres.

    Raises
    ------
    InputError
        Unreadable text, or a value that is not above zero when ``positive``.
    """
    if isinstance(text, (int, float)):
        value = float(text)
    else:
        m = _DIST.match(str(text))
        if not m:
            raise InputError(f"cannot read {text!r} as a {what}; write it like 20km, 500m or 20000 (metres)")
        value = float(m.group(1)) * _FACTORS[m.group(2).lower() if m.group(2) else None]
    if not math.isfinite(value):
        raise InputError(f"the {what} is {text!r}; give a finite distance, e.g. 20km")
    if positive and not value > 0:
        raise InputError(f"the {what} must be greater than zero, got {text!r}")
    if not positive and value < 0:
        raise InputError(f"the {what} cannot be negative, got {text!r}")
    return value


def parse_pair(text, what: str) -> tuple[float, float]:
    """Parse ``"120,240"`` into two floats."""
    if isinstance(text, (tuple, list)) and len(text) == 2:
        return float(text[0]), float(text[1])
    parts = [p for p in re.split(r"[,;\s]+", str(text).strip()) if p]
    if len(parts) != 2:
        raise InputError(f"cannot read {text!r} as the {what}; give two numbers separated by a comma, e.g. 120,240")
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        raise InputError(f"cannot read {text!r} as the {what}; give two numbers separated by a comma, e.g. 120,240") from None
