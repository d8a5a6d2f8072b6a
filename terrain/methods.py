"""The viewshed methods, and the one default every function and command uses.

``refined`` is the default everywhere (single viewsheds, every many-observer analysis, the report and
the command line), so one observer with the same options gets the same visible area from every function
and command. It is the only method that meets both accuracy bars of ``benchmarks/accuracy_report.py``
(visible set IoU 1.0000 against an exact R3 walk on real SRTM and the Hama DEM; ``min_visible_height``
within 1 m of exact on >= 99 % of analysed cells for every observer measured); ``fast`` is about 2-3x
quicker with a median IoU of 0.998-0.9996; ``exact`` is the R3 oracle itself.
"""

from __future__ import annotations

METHODS = ("fast", "refined", "exact")
DEFAULT_METHOD = "refined"
#: Choices for a ``--method`` option, the default first.
METHOD_CHOICES = ("refined", "fast", "exact")
