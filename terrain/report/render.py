"""Writing a report: ``report.html`` (self-contained), ``report.md`` (with PNGs beside it) and ``report.json``.

Everything is drawn and rendered in memory first; then each file is written
atomically (:func:`terrain.atomic.atomic_path`), figures first, so a failure or
Ctrl-C never leaves a half-written file.
"""

from __future__ import annotations

import base64
import json
import math
import re
from pathlib import Path

from ..atomic import atomic_path
from ..output_paths import check_output
from .analysis import ReportAnalysis
from .content import report_data
from .figures import ReportFigure, report_figures

REPORT_FILES = ("report.html", "report.md", "report.json")

#: Order and titles of the report's sections (the anchors both templates use).
SECTIONS = (("summary", "Summary"), ("maps", "Maps"), ("lines_of_sight", "Lines of sight to the target"),
            ("key_terrain", "Key terrain"), ("siting", "Observation posts"), ("panorama", "Panorama"), ("route", "Covered approach"),
            ("buildings", "What buildings hide"), ("places", "Named places"),
            ("provenance", "Parameters and data provenance"))


def fmt(value, digits: int = 1, unit: str = "") -> str:
    """A number for a table cell: ``1,234.5``; an em dash for None/NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = f"{value:,.{digits}f}" if isinstance(value, (int, float)) else str(value)
    return f"{text} {unit}".rstrip() if unit else text


class _MarkdownSafe(str):
    """Text already escaped for Markdown (or written by terrain itself, like figure file names)."""


# every ASCII punctuation mark that starts or ends Markdown syntax; a backslash before one renders it as is
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~])")


def md_cell(value) -> str:
    """Text from data (place names, file provenance, ...) made literal in Markdown, tables included: HTML
    special characters become entities, Markdown punctuation is backslash-escaped, newlines flattened."""
    if isinstance(value, _MarkdownSafe):
        return value
    text = str(value).replace("\r", " ").replace("\n", " ")
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MarkdownSafe(_MD_SPECIAL.sub(r"\\\1", text))


def md_code(value) -> str:
    """Text from data as a Markdown code span (inside one nothing is interpreted, but nothing can be
    escaped either: backticks become quotes; pipes keep the table whole)."""
    text = str(value).replace("\r", " ").replace("\n", " ").replace("`", "'").replace("|", "\\|")
    return _MarkdownSafe(f"`{text}`")


def _finalize_markdown(value):
    """Applied to every ``{{ ... }}`` of the Markdown template: strings from data are escaped (numbers and
    text terrain formats come through unchanged, having nothing to escape)."""
    return md_cell(value) if isinstance(value, str) else value


def _environment(markdown: bool = False):
    import jinja2

    env = jinja2.Environment(loader=jinja2.PackageLoader("terrain.report", "templates"),
                             autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",),
                                                                 default_for_string=False, default=False),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined,
                             **({"finalize": _finalize_markdown} if markdown else {}))
    env.filters["fmt"] = fmt
    env.filters["md"] = md_cell
    env.filters["code"] = md_code
    return env


def _context(data: dict, figures: list[ReportFigure], embed: bool) -> dict:
    figs = []
    for f in figures:
        # the file names are terrain's own slugs: kept as they are so that the Markdown image links work
        src = ("data:image/png;base64," + base64.b64encode(f.png).decode("ascii")) if embed else \
            _MarkdownSafe(f.filename)
        figs.append({"key": f.key, "section": f.section, "title": f.title, "caption": f.caption, "src": src,
                     "filename": _MarkdownSafe(f.filename)})
    sections = tuple(s for s in SECTIONS if s[0] != "route" or data.get("route"))
    return {"d": data, "figures": figs, "sections": sections,
            "by_section": {s: [f for f in figs if f["section"] == s] for s, _ in SECTIONS}}


def render_html(data: dict, figures: list[ReportFigure]) -> str:
    """The self-contained HTML report (figures as base64 PNG data URIs, CSS inline, no scripts)."""
    return _environment().get_template("report.html.j2").render(**_context(data, figures, embed=True))


def render_markdown(data: dict, figures: list[ReportFigure]) -> str:
    """The Markdown report (figures as relative PNG file names)."""
    return _environment(markdown=True).get_template("report.md.j2").render(**_context(data, figures, embed=False))


def build_report(analysis: ReportAnalysis, out_dir, progress=None) -> dict:
    """Write the report of an analysis into ``out_dir``: report.html, report.md, report.json and the PNGs.

    Parameters
    ----------
    analysis : ReportAnalysis
        From :func:`terrain.report.analyse`.
    out_dir : path
        Folder to write into (created if missing; files of an earlier report are replaced).
    progress : callable, optional
        Called with one line of text as each step starts.

    Returns
    -------
    dict
        ``{"html": path, "markdown": path, "json": path, "figures": [paths], "data": the JSON content}``.

    Examples
    --------
    >>> from terrain.report import analyse, build_report
    >>> paths = build_report(analyse(None, "Zayn al-Abidin,Jabal Kafra", "Hama"), "reports/hama")  # doctest: +SKIP
    >>> paths["html"]  # doctest: +SKIP
    PosixPath('reports/hama/report.html')
    """
    say = progress or (lambda msg: None)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        from ..errors import InputError

        raise InputError(f"{out} is a file; give a folder for the report (it is created if missing)")
    figures = report_figures(analysis, progress=say)
    data = report_data(analysis, figures={f.key: f.filename for f in figures})
    say("rendering report.html, report.md, report.json")
    html = render_html(data, figures)
    markdown = render_markdown(data, figures)
    text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"

    say(f"writing {out}/")
    earlier = _earlier_figures(out)
    written = []
    for f in figures:
        written.append(_write(out / f.filename, f.png))
    paths = {"json": _write(out / "report.json", text.encode("utf-8")),
             "markdown": _write(out / "report.md", markdown.encode("utf-8")),
             "html": _write(out / "report.html", html.encode("utf-8")),
             "figures": written, "data": data}
    _remove_stale(out, earlier - {f.filename for f in figures})
    return paths


def _earlier_figures(out: Path) -> set[str]:
    """File names of the figures an earlier report in ``out`` wrote (from its report.json): the files this
    report owns and may remove. Nothing else in the folder is ever touched."""
    try:
        data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    names = data.get("figures") if isinstance(data, dict) else None
    if not isinstance(names, dict):
        return set()
    return {n for n in names.values()
            if isinstance(n, str) and n == Path(n).name and n.lower().endswith(".png")}


def _remove_stale(out: Path, names: set[str]) -> None:
    """Remove the earlier report's figures this one did not write again (regular files only)."""
    for name in sorted(names):
        path = out / name
        if path.is_file() and not path.is_symlink():
            path.unlink()


def _write(path: Path, payload: bytes) -> Path:
    check_output(path, what="report file")
    with atomic_path(path) as tmp:
        tmp.write_bytes(payload)
    return path
