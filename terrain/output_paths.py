"""Where results may be written: the one rule every writer and every command checks before any work starts.

An output path is refused, with one sentence naming the problem and the fix, when it

- is empty, ends in a path separator or names a folder;
- names one of the inputs (the DEM, a tile of a mosaic, a file of points or a target area), compared by
  the file itself (device and inode), so symbolic and hard links to an input are caught too;
- is a socket, or any other existing thing that is neither a regular file nor a device or FIFO;
- is an existing read-only file (unless ``overwrite=True``, ``--overwrite`` on the command line);
- lies in a folder where no file can be created (the atomic write needs a temporary file beside it);
- has an extension that the writer does not write.

What is accepted is written by :func:`terrain.atomic.atomic_path`: a regular file (a symbolic link is
followed to its target first) is replaced atomically; a device or FIFO (``/dev/null``, ``/dev/stdout``) is
written through, never renamed over.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import stat
import tempfile
from pathlib import Path
from typing import Iterable, Sequence

from .errors import InputError

#: Every file format terrain's writers write, by name: its extensions (lower case, with the dot) and what it
#: holds. The one table the command line (``OutputFile`` types) and the Python writers
#: (:mod:`terrain.export`) both check against; the format of an output follows its extension.
FORMATS = {
    "GeoTIFF": ((".tif", ".tiff"), "raster, one variable (tiled, DEFLATE; --cog: Cloud-Optimized)"),
    "NetCDF": ((".nc", ".nc4", ".netcdf"), "raster, every variable (zlib, CF)"),
    "GeoJSON": ((".geojson", ".json"), "polygons of the visible area, lon/lat"),
    "GeoPackage": ((".gpkg",), "polygons of the visible area, the grid's CRS (needs pyogrio)"),
    "KML": ((".kml",), "polygons of the visible area for Google Earth, lon/lat"),
    "KMZ": ((".kmz",), "zipped KML"),
}
GEOTIFF_SUFFIXES = FORMATS["GeoTIFF"][0]
NETCDF_SUFFIXES = FORMATS["NetCDF"][0]
GEOJSON_SUFFIXES = FORMATS["GeoJSON"][0]
GPKG_SUFFIXES = FORMATS["GeoPackage"][0]
KML_SUFFIXES = FORMATS["KML"][0]
KMZ_SUFFIXES = FORMATS["KMZ"][0]
#: Rasters (one variable or every variable).
RASTER_SUFFIXES = GEOTIFF_SUFFIXES + NETCDF_SUFFIXES
#: Polygons of a result's visible (or seen) area.
POLYGON_SUFFIXES = GEOJSON_SUFFIXES + GPKG_SUFFIXES + KML_SUFFIXES + KMZ_SUFFIXES
#: The QGIS layer style written beside each GeoTIFF the command line writes (``vs.tif`` -> ``vs.qml``).
QML_SUFFIX = ".qml"


def qml_path(raster_path) -> Path:
    """Where QGIS looks for the style of ``raster_path``: the same name with ``.qml``."""
    return Path(os.fspath(raster_path)).with_suffix(QML_SUFFIX)


def format_of(path, suffixes: Sequence[str] | None = None) -> str:
    """The name in :data:`FORMATS` of the format ``path``'s extension names (among ``suffixes`` if given)."""
    suffix = Path(os.fspath(path)).suffix.lower()
    for name, (exts, _) in FORMATS.items():
        if suffix in exts and (suffixes is None or suffix in suffixes):
            return name
    allowed = suffixes if suffixes is not None else tuple(e for exts, _ in FORMATS.values() for e in exts)
    raise InputError(f"{os.fspath(path)} has extension {suffix!r}, which terrain does not write here; "
                     f"use one of {', '.join(allowed)}")


#: Figure formats matplotlib writes without extra software.
FIGURE_SUFFIXES = (".png", ".pdf", ".svg", ".jpg", ".jpeg")
#: What a report folder holds (report.html, report.md, report.json and PNG figures).
REPORT_SUFFIXES = (".html", ".md", ".json", ".png")


_OVERWRITE = contextvars.ContextVar("terrain_overwrite", default=False)


@contextlib.contextmanager
def allow_overwrite(allowed: bool = True):
    """Within the block, every writer may replace existing read-only outputs (``--overwrite``)."""
    token = _OVERWRITE.set(bool(allowed))
    try:
        yield
    finally:
        _OVERWRITE.reset(token)


def _describe(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _identity(path: str | os.PathLike) -> tuple[int, int] | None:
    """(device, inode) of the file ``path`` names, following links; None if it does not exist."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def input_identities(inputs: Iterable) -> dict[tuple[int, int], str]:
    """The files among ``inputs`` (paths; others are ignored), keyed by (device, inode)."""
    found = {}
    for item in inputs:
        if not isinstance(item, (str, os.PathLike)) or not str(item):
            continue
        ident = _identity(item)
        if ident is not None and stat.S_ISREG(os.stat(item).st_mode):
            found.setdefault(ident, str(item))
    return found


def is_pass_through(path: str | os.PathLike) -> bool:
    """True when ``path`` exists and is a device or FIFO: written through, never replaced by a rename."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode)


def _nearest_existing_folder(path: Path) -> Path:
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def _probe_folder(folder: Path, what: str, name: str) -> None:
    """Refuse unless a file can be created in ``folder`` (tried for real: permissions, read-only mounts)."""
    if not folder.is_dir():
        raise InputError(f"{what} {name}: {folder} is not a folder; give a path inside an existing folder")
    try:
        fd, probe = tempfile.mkstemp(prefix=".terrain-probe.", dir=folder)
    except OSError as exc:
        raise InputError(f"{what} {name}: cannot create files in {folder} ({exc.strerror}); "
                         "choose a folder you can write to") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(probe)


def check_output(path, *, inputs: Iterable = (), overwrite: bool = False,
                 suffixes: Sequence[str] | None = None, what: str = "output") -> Path:
    """Check that ``path`` can be written as an output, before any work; return it as a Path.

    Parameters
    ----------
    path : str or path
        The output file.
    inputs : iterable of paths
        Files the run reads (DEM tiles, files of points, target areas); ``path`` must not be one of them.
    overwrite : bool
        Replace an existing read-only file (a writable one is always replaced).
    suffixes : sequence of str, optional
        The extensions the writer writes (lower case, with the dot); None accepts any.
    what : str
        How the output is named in messages, e.g. ``"--out"``.

    Raises
    ------
    InputError
        With one sentence naming the problem and the fix.
    """
    text = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{what} is empty; give a file name, e.g. {what} result.tif")
    if text.endswith((os.sep, "/")):
        raise InputError(f"{what} {text} names a folder; give a file name inside it, e.g. {text}result.tif")
    p = Path(text).expanduser()
    try:
        mode = os.stat(p).st_mode
    except FileNotFoundError:
        mode = None
    except NotADirectoryError:
        raise InputError(f"{what} {text}: part of the path is a file, so it is not a folder; "
                         "give a path inside an existing folder") from None
    except OSError as exc:
        raise InputError(f"{what} {text} cannot be checked ({exc.strerror}); choose another path") from None
    if mode is not None:
        ident = _identity(p)
        clash = input_identities(inputs).get(ident)
        if clash is not None:
            raise InputError(f"{what} {text} is the input {clash}; writing it would destroy the input, "
                             "so give another output path")
        if stat.S_ISDIR(mode):
            raise InputError(f"{what} {text} is a folder; give a file name inside it, e.g. {text}/result.tif")
        if not stat.S_ISREG(mode):
            if is_pass_through(p):
                return p
            raise InputError(f"{what} {text} is {_describe(mode)}; give the path of a regular file")
        if not (overwrite or _OVERWRITE.get()) and (not mode & 0o222 or not os.access(p, os.W_OK)):
            raise InputError(f"{what} {text} exists and is read-only; pass --overwrite (overwrite=True) "
                             "to replace it, or give another path")
    if suffixes is not None:
        suffix = p.suffix.lower()
        if suffix not in suffixes:
            given = f"extension {p.suffix!r}" if p.suffix else "no extension"
            raise InputError(f"{what} {text} has {given}, which terrain does not write here; "
                             f"use one of {', '.join(suffixes)}")
    target = Path(os.path.realpath(p))
    _probe_folder(_nearest_existing_folder(target), what, text)
    return p


def check_output_folder(path, *, inputs: Iterable = (), owned_suffixes: Sequence[str] = (),
                        what: str = "--out") -> Path:
    """Check that ``path`` can be a folder of outputs (made if missing), before any work; return it.

    A folder that holds one of the ``inputs`` under a name ending in one of ``owned_suffixes`` (the kinds
    of file the writer puts there) is refused, so a report never replaces its own input.
    """
    text = os.fspath(path) if isinstance(path, os.PathLike) else path
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{what} is empty; give a folder, e.g. {what} report/")
    p = Path(text).expanduser()
    if p.exists() and not p.is_dir():
        raise InputError(f"{what} {text} is a file, not a folder; give a folder for the outputs")
    real = Path(os.path.realpath(p))
    for name in input_identities(inputs).values():
        src = Path(os.path.realpath(name))
        if src.parent == real and src.suffix.lower() in owned_suffixes:
            raise InputError(f"{what} {text} holds the input {name}, which the outputs could replace; "
                             "give another folder")
    if p.exists():
        _probe_folder(real, what, text)
    else:
        _probe_folder(_nearest_existing_folder(real / "x"), what, text)
    return p
