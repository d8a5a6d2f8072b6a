"""Options and helpers shared by the commands."""

from __future__ import annotations

import json

import contextvars
from pathlib import Path

import click

from ..earth import DEFAULT_REFRACTION, refraction_from_curvature_coefficient
from ..output_paths import FIGURE_SUFFIXES
from ..units import parse_distance_m
from .preflight import OutputFile


#: The ``--band`` of the command being run (every command that reads a DEM has it; see preflight).
DEM_BAND = contextvars.ContextVar("terrain_dem_band", default=1)


def load_cli_dem(paths, **kwargs):
    """:func:`terrain.load_dem` of a command's DEM paths, with its ``--band``; says which band of a
    multi-band raster the heights came from (on stderr)."""
    from ..dem import load_dem

    dem = load_dem(list(paths), band=DEM_BAND.get(), **kwargs)
    say_band(dem.attrs.get("band", 1), dem.attrs.get("band_count", 1))
    return dem


def say_band(band: int, count: int) -> None:
    """One line on stderr naming the band used, for a raster of more than one band."""
    if count > 1:
        click.echo(f"Heights from band {band} of {count} (choose another with --band).", err=True)


def dem_argument(f):
    return click.argument("dem", metavar="DEM", required=False)(f)


class HeightOrRaster(click.ParamType):
    """A height in metres, or the path of a raster of heights (one a cell): ``--target-height 2`` or
    ``--target-height masts.tif``."""

    name = "METRES|FILE"

    def convert(self, value, param, ctx):
        try:
            return float(value)
        except ValueError:
            pass
        if Path(value).is_file():
            return str(value)
        self.fail(f"{value!r} is neither a height in metres nor a raster file of heights; give e.g. 2 or "
                  "masts.tif", param, ctx)


def height_options(f=None, *, target_default_observer: bool = False, target_raster: bool = False):
    """``--observer-height``, ``--target-height`` and ``--absolute-heights``.

    With ``target_default_observer=True`` (``terrain intervis``) the target height defaults to the
    observer height (points that look at each other): the option's value is then None when not given,
    and its help shows that default. With ``target_raster=True`` (``terrain viewshed``) the target height
    may be a raster file of heights, one a cell (the value is then the path).
    """
    def decorate(f):
        f = click.option("--absolute-heights", is_flag=True,
                         help="Read --observer-height as metres above sea level, not above the ground "
                              "(target heights stay above their own ground).")(f)
        if target_default_observer:
            f = click.option("--target-height", type=float, default=None,
                             show_default=TARGET_HEIGHT_FOLLOWS_OBSERVER,
                             help="Height of a point when it is looked at, metres above the ground.")(f)
        elif target_raster:
            f = click.option("--target-height", type=HeightOrRaster(), default=0.0, show_default=True,
                             help="Target height above the ground, metres; or a raster of heights, one a cell "
                                  "(masts, tree crowns), read onto the DEM's grid.")(f)
        else:
            f = click.option("--target-height", type=float, default=0.0, show_default=True,
                             help="Target height above the ground, metres.")(f)
        return observer_height_option(f)

    return decorate if f is None else decorate(f)


def observer_height_option(f):
    """``--observer-height`` alone, for commands without targets (``terrain panorama``)."""
    return click.option("--observer-height", type=float, default=2.0, show_default=True,
                        help="Observer eye height above the ground, metres.")(f)


def absolute_heights_option(f):
    """``--absolute-heights`` for commands whose only height is the observer's."""
    return click.option("--absolute-heights", is_flag=True,
                        help="Read --observer-height as metres above sea level, not above the ground.")(f)


#: How ``--help`` shows the target height's default where it follows the observer height.
TARGET_HEIGHT_FOLLOWS_OBSERVER = "same as --observer-height"


def curvature_options(f):
    f = click.option("--cc", "curvature_coefficient", type=float, default=None,
                     help="GDAL's curvature coefficient (1 - k); overrides --refraction.")(f)
    f = click.option("--refraction", type=float, default=DEFAULT_REFRACTION, show_default=True,
                     help="Refraction coefficient k (drop = d^2/2R * (1-k)).")(f)
    f = click.option("--curvature/--no-curvature", default=True, show_default=True,
                     help="Account for the earth's curvature.")(f)
    return f


def plot_option(f):
    return click.option("--plot", "plot_path", type=OutputFile(FIGURE_SUFFIXES),
                        help="Write the result as a PNG figure.")(f)


def write_plot(draw, path) -> str:
    """Draw a figure with ``draw()`` (returning its Axes) and save it atomically to ``path``."""
    from ..plot import save_figure

    return str(save_figure(draw().figure, path))


def cog_option(f):
    return click.option("--cog", is_flag=True,
                        help="Write GeoTIFF outputs as Cloud-Optimized GeoTIFF (rasterio's COG driver).")(f)


def write_output(result, path, variable: str | None = None, cog: bool = False, kind: str = "out") -> dict:
    """Write ``result`` to ``path`` in the format its extension names (:func:`terrain.export.write_result`);
    a GeoTIFF gets its QGIS style beside it. Returns ``{kind: path}`` (and ``{kind}_style``) for the summary."""
    from ..export import write_result
    from ..output_paths import GEOTIFF_SUFFIXES

    written = {kind: str(write_result(result, path, variable, cog=cog))}
    if Path(path).suffix.lower() in GEOTIFF_SUFFIXES:
        from ..plot.qgis_style import write_qml

        style = write_qml(result, path, variable)
        if style is not None:
            written[f"{kind}_style"] = str(style)
    return written


def obstacle_options(f):
    """``--obstacles FILE``, ``--targets-on-obstacles`` and ``--observer-on-obstacle`` (:mod:`terrain.obstacles`)."""
    f = click.option("--observer-on-obstacle", is_flag=True,
                     help="Observers stand on their cell's obstacle (a roof).")(f)
    f = click.option("--targets-on-obstacles", is_flag=True, help="Targets stand on the obstacles' tops (rooftops).")(f)
    return click.option("--obstacles", "obstacles_path", type=click.Path(exists=True, dir_okay=False),
                        help="Raster of heights above the ground (buildings, trees), metres, that block sight lines; "
                             "read onto the DEM's grid.")(f)


def echo_surfaces(attrs: dict) -> None:
    """Say, under a many-observer summary, when the targets had a height per cell and obstacles were in the way
    (from the result's ``target_height_grid`` and ``obstacles`` attributes)."""
    if attrs.get("target_height_grid"):
        click.echo("  targets: a height per cell from the raster given (a cell counts when its own target is seen)")
    if attrs.get("obstacles"):
        click.echo("  obstacles: in the way (sight lines over their tops)")


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")(f)


def refraction_value(refraction: float, curvature_coefficient: float | None) -> float:
    """The refraction k from --refraction or GDAL's --cc."""
    if curvature_coefficient is not None:
        return refraction_from_curvature_coefficient(curvature_coefficient)
    return refraction


def check_heights(observer_height: float, target_height: float | None, absolute: bool) -> None:
    """The two heights, checked by the rule the API uses (:func:`terrain.heights.check_heights`).

    A ``target_height`` of None (it follows the observer height) is not checked twice.
    """
    from ..heights import check_heights as check

    check(observer_height, 0.0 if target_height is None or isinstance(target_height, str) else target_height, absolute,
          observer_what="--observer-height", target_what="--target-height")


def radius_option(when_missing: str | None = "the whole DEM", default: str | None = None, required: bool = False):
    """``--radius``: the viewing distance (how far from each observer cells are analysed), in every command.

    Parameters
    ----------
    when_missing : str, optional
        What the command does without ``--radius`` (shown in the help), e.g. ``"the whole DEM"``.
    default, required :
        As for :func:`click.option`; the value is text for :func:`radius_value`.
    """
    text = "Viewing distance: how far from each observer cells are analysed, e.g. 15km or 5000 (metres)."
    if when_missing and default is None and not required:
        text += f" Default: {when_missing}."
    return click.option("--radius", default=default, required=required, show_default=default is not None,
                        help=text)


def target_radius_option(default: str):
    """``--target-radius``: the radius of the target area around a target point, in every command."""
    return click.option("--target-radius", default=default, show_default=True,
                        help="Radius of the target area around a target point, e.g. 2km or 500 (metres).")


def observers_option(f):
    """``--observers``: the observers of a many-observer command, typed or from a file of points."""
    return click.option("--observers", required=True,
                        help="Observers separated by ';' (or ',' between place names): 'lat,lon', 'xy:X,Y', place "
                             "names; or a file of points (CSV with a header, GeoJSON, GeoPackage, Shapefile; "
                             "@FILE: one a line).")(f)


def target_option(f):
    """``--target``: the target area, a point (with ``--target-radius``) or a GeoJSON polygon file."""
    return click.option("--target", required=True,
                        help="Target: a place name, 'lat,lon' (with --target-radius) or a GeoJSON polygon file.")(f)


def radius_value(text, what: str = "--radius") -> float | None:
    """Metres from a distance the user typed (``15km``, ``500m``, ``5000``), or None when not given."""
    return None if text is None else parse_distance_m(text, what)


def warn(message: str) -> None:
    """One line on stderr: ``Warning: message`` (deprecated spellings, changed meanings)."""
    click.echo(f"Warning: {message}", err=True)


def observer_points(text: str, observer_height: float) -> tuple[list, float | list[float]]:
    """The points of ``--observers``/``--points``/``--candidates`` (typed, ``@FILE`` or a file of points) and
    the observer height of each: ``observer_height``, or a list where the file has a height column (its blank
    cells take ``observer_height``)."""
    from ..multi.observers import read_point_list

    found = read_point_list(text)
    if found.heights_m is None:
        return found.points, observer_height
    return found.points, [observer_height if h is None else h for h in found.heights_m]


def resolve_dem_path(dem: str | None, default_hint: str = "") -> str:
    if dem is None:
        raise click.UsageError("give a DEM file (e.g. dem_samples/N44W072.hgt)" + default_hint)
    return dem


def print_json(obj) -> None:
    """Print ``obj`` as strict JSON: NaN and infinities become null (JSON has neither), numpy values plain."""
    click.echo(json.dumps(_finite(obj), indent=2, ensure_ascii=False, default=_json_default, allow_nan=False))


def _finite(o):
    import math

    import numpy as np

    if isinstance(o, dict):
        return {k: _finite(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_finite(v) for v in o]
    if isinstance(o, np.ndarray):
        return _finite(o.tolist())
    if isinstance(o, (float, np.floating)):
        return float(o) if math.isfinite(o) else None
    return o


def _json_default(o):
    import numpy as np

    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def progress_enabled(quiet: bool = False) -> bool:
    """Progress on stderr unless ``quiet``: a bar on a terminal, a line every few seconds otherwise
    (:mod:`terrain._progress`)."""
    return not quiet
