"""QGIS layer styles (``.qml``) for the rasters terrain writes, so they open in QGIS coloured as in our maps.

QGIS applies ``name.qml`` to ``name.tif`` when the layer is loaded. The colours are the maps' own
(:mod:`terrain.plot.viewshed_map`, :mod:`terrain.plot.cumulative_map`, :mod:`terrain.plot.vindex_map`):

- ``visible``: a paletted style, 1 visible (sky blue), 0 hidden (dead ground, vermillion); 255 is the
  raster's nodata and stays transparent;
- ``min_visible_height``: a discrete ramp of the maps' dead-ground classes (0-2, 2-10, 10-50, > 50 m),
  0 m (visible) in the visible colour;
- ``count`` (cumulative): a paletted style, 0 = seen by none in the dead-ground colour, 1..n on the
  maps' blue scale;
- anything else (the visibility index): a continuous ramp of the index map's colour map from the
  raster's minimum to its maximum.
"""

from __future__ import annotations

import math
from pathlib import Path
from xml.etree import ElementTree as ET

import numpy as np

from ..atomic import atomic_path
from ..output_paths import QML_SUFFIX, check_output, is_pass_through, qml_path


def _hex(rgba) -> tuple[str, int]:
    from matplotlib.colors import to_hex, to_rgba

    r = to_rgba(rgba)
    return to_hex(r, keep_alpha=False), int(round(r[3] * 255))


def _opaque(colour, alpha: float):
    from matplotlib.colors import to_rgba

    return to_rgba(colour, alpha)


def _document(renderer: ET.Element) -> bytes:
    qgis = ET.Element("qgis", version="3.28.0", styleCategories="Symbology")
    pipe = ET.SubElement(qgis, "pipe")
    pipe.append(renderer)
    body = ET.tostring(qgis, encoding="unicode")
    return ("<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + body + "\n").encode("utf-8")


def _paletted(entries) -> ET.Element:
    """``entries``: ``(value, colour, label)``."""
    r = ET.Element("rasterrenderer", type="paletted", band="1", opacity="1", alphaBand="-1", nodataColor="")
    palette = ET.SubElement(r, "colorPalette")
    for value, colour, label in entries:
        hex_colour, alpha = _hex(colour)
        ET.SubElement(palette, "paletteEntry", value=str(value), color=hex_colour, alpha=str(alpha), label=label)
    return r


def _pseudocolor(items, ramp_type: str, vmin: float, vmax: float) -> ET.Element:
    """``items``: ``(value, colour, label)``; DISCRETE items are upper bounds, INTERPOLATED ones stops."""
    r = ET.Element("rasterrenderer", type="singlebandpseudocolor", band="1", opacity="1", alphaBand="-1",
                   nodataColor="", classificationMin=repr(float(vmin)), classificationMax=repr(float(vmax)))
    shader = ET.SubElement(ET.SubElement(r, "rastershader"), "colorrampshader", colorRampType=ramp_type,
                           classificationMode="1", clip="0", minimumValue=repr(float(vmin)),
                           maximumValue=repr(float(vmax)))
    for value, colour, label in items:
        hex_colour, alpha = _hex(colour)
        ET.SubElement(shader, "item", value="inf" if math.isinf(value) else repr(float(value)), color=hex_colour,
                      alpha=str(alpha), label=label)
    return r


def style_for(da, n_observers: int | None = None) -> bytes:
    """The ``.qml`` text for the raster of ``da`` (a result's variable, by its name); ``n_observers`` of a count."""
    from .viewshed_map import HIDDEN_ALPHA, HIDDEN_CLASSES, VISIBLE_ALPHA, VISIBLE_COLOUR

    name = da.name or ""
    if name == "visible":
        return _document(_paletted([
            (1, _opaque(VISIBLE_COLOUR, VISIBLE_ALPHA), "visible"),
            (0, _opaque(HIDDEN_CLASSES[2][2], HIDDEN_ALPHA), "hidden (dead ground)"),
        ]))
    if name == "min_visible_height":
        items = [(0.0, _opaque(VISIBLE_COLOUR, VISIBLE_ALPHA), "visible (0 m)")]
        items += [(upper, _opaque(colour, HIDDEN_ALPHA), f"needs {label}") for upper, label, colour in HIDDEN_CLASSES]
        return _document(_pseudocolor(items, "DISCRETE", 0.0, HIDDEN_CLASSES[-2][0]))
    values = np.asarray(da.values)
    if name == "count":
        from .cumulative_map import CLASS_ALPHA, DEAD_COLOUR, count_colours

        n = int(n_observers or values[values != 65535].max(initial=0))
        entries = [(0, _opaque(DEAD_COLOUR, CLASS_ALPHA), "seen by none (dead ground)")]
        entries += [(k, tuple(c), f"seen by {k}") for k, c in enumerate(count_colours(max(n, 1)), start=1)][:n]
        return _document(_paletted(entries))
    from matplotlib import colormaps

    from .vindex_map import INDEX_ALPHA, INDEX_CMAP

    finite = values[np.isfinite(values)] if values.dtype.kind == "f" else values.ravel()
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if vmax <= vmin:
        vmax = vmin + 1.0
    cmap = colormaps[INDEX_CMAP]
    units = da.attrs.get("units", "")
    items = [(vmin + f * (vmax - vmin), _opaque(cmap(f), INDEX_ALPHA), f"{vmin + f * (vmax - vmin):.3g} {units}".strip())
             for f in np.linspace(0.0, 1.0, 5)]
    return _document(_pseudocolor(items, "INTERPOLATED", vmin, vmax))


def write_qml(result, raster_path, variable: str | None = None, overwrite: bool = False) -> Path | None:
    """Write the QGIS style of ``variable`` of ``result`` beside ``raster_path`` (``vs.tif`` -> ``vs.qml``).

    Returns the style's path, or None when the raster went to a device or pipe (``/dev/stdout``), which
    has no folder to put a style beside.
    """
    if is_pass_through(raster_path):
        return None
    da = result if not hasattr(result, "data_vars") else result[variable or "visible"]
    inputs = [f for f in str(result.attrs.get("files", "")).split("; ") if f]
    path = check_output(qml_path(raster_path), inputs=inputs, overwrite=overwrite, suffixes=(QML_SUFFIX,),
                        what="style")
    text = style_for(da, result.attrs.get("n_observers"))
    with atomic_path(path, suffix=QML_SUFFIX) as tmp:
        tmp.write_bytes(text)
    return path
