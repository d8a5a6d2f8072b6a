"""High-ground reports: what observers see of a target area, as HTML, Markdown and JSON.

analyse          run the analysis (viewsheds, combined coverage, key terrain, named places)
build_report     write report.html (self-contained), report.md (+ PNGs) and report.json

Examples
--------
>>> from terrain.report import analyse, build_report
>>> a = analyse(None, ["Zayn al-Abidin", "Jabal Kafra"], "Hama", radius_m=15_000)  # doctest: +SKIP
>>> build_report(a, "reports/hama")["html"]                                         # doctest: +SKIP
PosixPath('reports/hama/report.html')
"""

from .analysis import ReportAnalysis, analyse
from .content import report_data
from .render import REPORT_FILES, build_report, render_html, render_markdown

__all__ = ["analyse", "build_report", "ReportAnalysis", "report_data", "render_html", "render_markdown",
           "REPORT_FILES"]
