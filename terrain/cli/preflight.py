"""Checks every command makes before any work: its outputs can be written and destroy none of its inputs.

Output options are declared with :class:`OutputFile` or :class:`OutputFolder` as their click type, and
every command is a :class:`TerrainCommand`. Before the command's body runs, ``TerrainCommand`` collects
the files the command will read (every argument or option value that names an existing file, ``@FILE``
lists included) and checks every output against them with :func:`terrain.output_paths.check_output`.
Commands with outputs get an ``--overwrite`` flag for existing read-only files.
"""

from __future__ import annotations

import os

import click

from ..output_paths import (GEOTIFF_SUFFIXES, QML_SUFFIX, allow_overwrite, check_output, check_output_folder,
                            is_pass_through, qml_path)

class OutputFile(click.ParamType):
    """A file the command writes; ``suffixes`` are the extensions its writer writes (None: any).

    ``styled``: a GeoTIFF written here gets its QGIS style beside it (``vs.tif`` -> ``vs.qml``), checked too.
    """

    name = "file"

    def __init__(self, suffixes: tuple[str, ...] | None = None, styled: bool = False):
        self.suffixes = suffixes
        self.styled = styled

    def convert(self, value, param, ctx):
        return value if value is None else str(value)


class OutputFolder(click.ParamType):
    """A folder the command writes into (made if missing); ``owned_suffixes`` are the kinds of file it puts there."""

    name = "folder"

    def __init__(self, owned_suffixes: tuple[str, ...] = ()):
        self.owned_suffixes = owned_suffixes

    def convert(self, value, param, ctx):
        return value if value is None else str(value)


def _input_files(ctx: click.Context) -> list[str]:
    """Every parameter value that names an existing file (``@FILE`` lists and files of points too, with the
    ``.dbf``/``.shx``/``.prj`` beside a Shapefile), outputs excepted."""
    from ..point_files import point_file_parts

    found = []
    for param in ctx.command.params:
        if isinstance(param.type, (OutputFile, OutputFolder)):
            continue
        value = ctx.params.get(param.name)
        values = value if isinstance(value, (tuple, list)) else (value,)
        for v in values:
            if not isinstance(v, str) or not v:
                continue
            for candidate in (v, v[1:] if v.startswith("@") else None):
                if candidate and os.path.isfile(candidate):
                    found.extend(point_file_parts(candidate))
    return found


def _flag(param: click.Parameter) -> str:
    return param.opts[0] if param.opts else param.name


class TerrainCommand(click.Command):
    """A command whose outputs are checked against its inputs before it runs (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if any(p.name == "dem" for p in self.params):
            self.params.append(click.Option(["--band"], type=click.IntRange(min=1), default=1, show_default=True,
                                            help="Band of a multi-band raster that holds the heights (1 = first)."))
        if any(isinstance(p.type, (OutputFile, OutputFolder)) for p in self.params):
            self.params.append(click.Option(["--overwrite"], is_flag=True,
                                            help="Replace existing read-only output files."))

    def invoke(self, ctx: click.Context):
        from .options import DEM_BAND

        overwrite = bool(ctx.params.pop("overwrite", False))
        token = DEM_BAND.set(int(ctx.params.pop("band", 1) or 1))
        try:
            return self._checked_invoke(ctx, overwrite)
        finally:
            DEM_BAND.reset(token)

    def _checked_invoke(self, ctx: click.Context, overwrite: bool):
        inputs = _input_files(ctx)
        for param in self.params:
            value = ctx.params.get(param.name)
            if value is None:
                continue
            if isinstance(param.type, OutputFile):
                check_output(value, inputs=inputs, overwrite=overwrite, suffixes=param.type.suffixes,
                             what=_flag(param))
                if (param.type.styled and os.path.splitext(value)[1].lower() in GEOTIFF_SUFFIXES
                        and not is_pass_through(value)):
                    check_output(qml_path(value), inputs=inputs, overwrite=overwrite, suffixes=(QML_SUFFIX,),
                                 what=f"{_flag(param)}'s QGIS style")
            elif isinstance(param.type, OutputFolder):
                check_output_folder(value, inputs=inputs, owned_suffixes=param.type.owned_suffixes,
                                    what=_flag(param))
        with allow_overwrite(overwrite):
            return super().invoke(ctx)
