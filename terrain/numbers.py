"""Every number a user gives is checked here, once, for the API and the command line alike.

A height, distance, radius, refraction or angle must be a finite number (NaN and infinity are refused with
a sentence saying which value and what to give) and inside its range.
"""

from __future__ import annotations

import math

from .errors import InputError


def check_number(value, what: str, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, unit: str = "", hint: str = "") -> float:
    """Return ``value`` as a float if it is finite and within ``[low, high]``; else raise :class:`InputError`.

    Parameters
    ----------
    value : number
        The value given.
    what : str
        How the value is named in the message, e.g. ``"observer height"`` or ``"--radius"``.
    low, high : float, optional
        Range limits; ``low_open``/``high_open`` exclude the limit itself.
    unit : str
        Unit in messages (``"m"``, ``"degrees"``).
    hint : str
        What to give instead, appended to the message.
    """
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"the {what} {value!r} is not a number; give a finite number"
                         + (f" of {unit}" if unit else "")) from None
    shown = f"{value:g}" if isinstance(value, (int, float)) else repr(value)
    tail = f"; {hint}" if hint else ""
    if not math.isfinite(x):
        raise InputError(f"the {what} is {shown}, not a finite number; "
                         + (hint or "give a finite number" + (f" of {unit}" if unit else "")))
    u = f" {unit}" if unit else ""
    if low == 0.0 and not low_open and x < 0.0:
        raise InputError(f"the {what} {shown}{u} is negative{tail}")
    if low is not None and (x < low or (low_open and x == low)):
        rel = "greater than" if low_open else "at least"
        limit = "zero" if low == 0.0 else f"{low:g}{u}"
        raise InputError(f"the {what} {shown}{u} is too small; it must be {rel} {limit}{tail}")
    if high is not None and (x > high or (high_open and x == high)):
        rel = "below" if high_open else "at most"
        raise InputError(f"the {what} {shown}{u} is too large; it must be {rel} {high:g}{u}{tail}")
    return x
