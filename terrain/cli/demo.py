"""``terrain demo``: the Hama high-ground case on the bundled data."""

from __future__ import annotations

import click

from ..output_paths import REPORT_SUFFIXES
from .preflight import OutputFolder, TerrainCommand

@click.command("demo", cls=TerrainCommand)
@click.option("--out", "out_dir", default="terrain-demo", show_default=True, type=OutputFolder(REPORT_SUFFIXES),
              help="Folder for the report (report.html, report.md, report.json and figures).")
@click.option("--observer-height", type=float, default=2.0, show_default=True,
              help="Eye height above the summits, metres.")
@click.option("--no-plots", is_flag=True, help="Only print the summary; write no report.")
def demo_command(out_dir, observer_height, no_plots):
    """Run the Hama case: what Zayn al-Abidin and Jabal Kafra overlook, as a full report.

    Lines of sight to the city, both viewsheds, their combined coverage, the dead
    ground to both, the key-terrain ranking and the best 3 observation posts over
    the city (summits and a 2 km grid); written as report.html (one file to send),
    report.md and report.json. Viewsheds reach 15 km; key terrain ranks the summits
    of 30 m prominence or more within 15 km of Hama by what they see of the 2 km
    around it (the defaults of terrain keyterrain and terrain report).

    Uses the tiles `terrain fetch --area hama` put in the cache, labelled by
    their provenance records, and otherwise the bundled SYNTHETIC stand-in
    (labelled as such).

    \b
    Example:
      terrain demo
      terrain demo --out /tmp/hama --observer-height 10
    """
    if observer_height < 0:
        from ..errors import InputError

        raise InputError(f"--observer-height {observer_height} is negative; give metres above the ground")
    from ..demo import run_demo

    run_demo(out_dir=None if no_plots else out_dir, observer_height=observer_height, echo=click.echo,
             progress=lambda message: click.echo(f"  {message}", err=True))
