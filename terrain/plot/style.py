"""Shared figure settings: a colour-blind-safe palette (Okabe-Ito) and the Agg backend."""

from __future__ import annotations

import matplotlib

if matplotlib.get_backend().lower() not in ("agg", "module://matplotlib_inline.backend_inline"):
    try:
        matplotlib.use("Agg")
    except Exception:  # an interactive backend already in use (notebook): keep it
        pass

#: Okabe & Ito (2008) colour-blind-safe colours.
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}

SYNTHETIC_NOTE = "SYNTHETIC stand-in — not SRTM"


def source_note(attrs: dict) -> str:
    """The data-source footnote for a figure made from a DEM with these attributes."""
    src = attrs.get("source", "")
    if attrs.get("synthetic"):
        return f"Data: {SYNTHETIC_NOTE}"
    return f"Data: {src}" if src else ""
