"""One rounding rule for the numbers results carry: percentages keep four decimals, so that a table, a
summary line and a report that print them to one decimal round once, from the same value, and agree
(a share stored as 86.25 printed as 86.2 beside the same share printed from 86.2537 as 86.3 was the bug)."""

from __future__ import annotations

#: Decimals a stored percentage keeps (printing rounds it once more, to what the text shows).
PERCENT_DIGITS = 4


def percent(part: float, whole: float) -> float:
    """``100 * part / whole`` to :data:`PERCENT_DIGITS` decimals (0.0 for an empty whole)."""
    return round(100.0 * float(part) / float(whole), PERCENT_DIGITS) if whole else 0.0
