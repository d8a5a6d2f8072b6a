"""The ``terrain`` command group and its error handling.

Errors raised on purpose (:class:`terrain.errors.TerrainError`) become one
sentence on stderr and an exit status: 2 for bad usage (:class:`InputError`),
1 for failures. ``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..errors import InputError, TerrainError, TerrainWarning


class TerrainGroup(click.Group):
    """A click group that turns terrain's errors into one line and an exit code."""

    def invoke(self, ctx):
        import warnings

        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            return self._invoke(ctx)

    def _invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except TerrainError as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2 if isinstance(exc, InputError) else 1)
        except KeyboardInterrupt as exc:
            click.echo("Interrupted; nothing was written.", err=True)
            ctx.exit(143 if isinstance(exc, Terminated) else 130)
        except Exception as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)",
                       err=True)
            ctx.exit(1)


@click.group(cls=TerrainGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="terrain")
@click.option("--debug", is_flag=True, help="Show full tracebacks on errors.")
@click.pass_context
def cli(ctx, debug):
    """Terrain and line-of-sight analysis: what can be seen from high ground, and what is hidden.

    \b
    Start with:
      terrain demo                       # the Hama high-ground case on the bundled data
      terrain info dem_samples/N44W072.hgt
      terrain los dem_samples/N44W072.hgt --from "Mount Washington" --to "Mount Adams"
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _register():
    from .demo import demo_command
    from .info import info_command
    from .los import los_command

    from .cumulative import cumulative_command
    from .fetch import fetch_command
    from .intervis import intervis_command
    from .keyterrain import keyterrain_command
    from .overlook import overlook_command
    from .panorama import panorama_command
    from .report import report_command
    from .siting import siting_command
    from .route import route_command
    from .viewshed import viewshed_command
    from .vindex import vindex_command

    for cmd in (info_command, los_command, viewshed_command, cumulative_command, overlook_command,
                keyterrain_command, intervis_command, vindex_command, siting_command, panorama_command, route_command, report_command, fetch_command, demo_command):
        cli.add_command(cmd)


_register()


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """terrain's own warnings as one line on stderr; others as Python shows them."""
    import warnings

    if issubclass(category, TerrainWarning):
        click.echo(f"Warning: {message}", err=True)
    else:
        sys.stderr.write(warnings.formatwarning(message, category, filename, lineno, line))


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every temporary file is removed on the way out."""


def _on_sigterm(signum, frame):
    raise Terminated()


def main(argv=None):
    """Console-script entry point (SIGTERM cleans up as Ctrl-C does, and exits 143)."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _on_sigterm)
    return cli.main(args=argv, prog_name="terrain")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
