"""terrain.report: the report's numbers match the API, and its HTML, Markdown and JSON are whole and readable."""

from __future__ import annotations

import base64
import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from conftest import SAMPLES

HAMA = SAMPLES / "hama_standin.tif"
pytestmark = pytest.mark.skipif(not HAMA.exists(), reason="Hama stand-in not generated")

OBSERVERS = ["Zayn al-Abidin", "Jabal Kafra"]
PARAMS = dict(radius_m=10_000.0, target_radius_m=2_000.0, observer_height=5.0, target_height=1.0, method="fast")


@pytest.fixture(scope="module")
def dem():
    from terrain import load_dem

    return load_dem(HAMA, around=(35.17, 36.77, 14_000))


@pytest.fixture(scope="module")
def analysis(dem):
    from terrain.report import analyse

    return analyse(dem, "Zayn al-Abidin,Jabal Kafra", "Hama", min_prominence_m=40.0, key_terrain_top=5, **PARAMS)


@pytest.fixture(scope="module")
def report(analysis, tmp_path_factory):
    from terrain.report import build_report

    out = tmp_path_factory.mktemp("report")
    lines = []
    paths = build_report(analysis, out, progress=lines.append)
    return out, paths, lines


# --------------------------------------------------------------------------- JSON against the API

def test_json_matches_direct_api_calls(dem, report):
    from terrain import line_of_sight, viewshed, visible_area_km2
    from terrain.places import find_place

    out, paths, _ = report
    data = json.loads((out / "report.json").read_text())
    assert [o["name"] for o in data["observers"]] == OBSERVERS
    for o in data["observers"]:
        vs = viewshed(dem, o["name"], observer_height=PARAMS["observer_height"],
                      target_height=PARAMS["target_height"], max_distance=PARAMS["radius_m"], method="fast")
        assert o["visible_km2"] == pytest.approx(visible_area_km2(vs), abs=1e-3)
        assert o["eye_m"] == pytest.approx(vs["observer_eye_m"].item(), abs=0.051)
    assert len(data["places"]) >= 5
    checked = 0
    for place in data["places"]:
        p = find_place(place["name"])
        for o, cell in zip(OBSERVERS, place["observers"]):
            if cell is None:  # the observer stands there
                assert place["name"] == o
                continue
            los = line_of_sight(dem, o, (p.lat, p.lon), observer_height=PARAMS["observer_height"],
                                target_height=PARAMS["target_height"])
            assert cell["visible"] == los.visible, (o, place["name"])
            assert cell["clearance_m"] == pytest.approx(los.min_clearance_m, abs=0.06)
            assert 0.0 <= cell["bearing_deg"] < 360.0 and cell["distance_km"] > 0
            checked += 1
    assert checked >= 10


def test_target_coverage_matches_overlook(dem, report):
    from terrain.multi import overlook

    data = json.loads((report[0] / "report.json").read_text())
    table = overlook(dem, "Hama", OBSERVERS, target_radius=PARAMS["target_radius_m"],
                     observer_height=PARAMS["observer_height"], target_height=PARAMS["target_height"],
                     max_distance=PARAMS["radius_m"], method="fast")
    by_name = {r["name"]: r for r in table.rows}
    for o in data["observers"]:
        assert o["target_seen_percent"] == pytest.approx(by_name[o["name"]]["visible_percent"], abs=0.02)
    c = data["coverage"]
    best = max(o["target_seen_km2"] for o in data["observers"])
    worst = min(o["target_seen_km2"] for o in data["observers"])
    assert best - 1e-3 <= c["seen_by_any_km2"] <= c["target_area_km2"] + 1e-3
    assert c["seen_by_all_km2"] <= worst + 1e-3
    assert c["seen_by_any_km2"] + c["dead_ground_km2"] + c["not_analysed_km2"] == pytest.approx(
        c["target_area_km2"], abs=2e-3)
    assert data["dead_ground_to_all_km2"] == c["dead_ground_km2"]


def test_json_holds_parameters_provenance_and_key_terrain(report):
    import terrain

    data = json.loads((report[0] / "report.json").read_text())
    assert data["terrain_version"] == terrain.__version__
    p = data["parameters"]
    assert p["radius_m"] == PARAMS["radius_m"] and p["method"] == "fast" and p["observer_height_m"] == 5.0
    assert data["data"]["synthetic"] is True and data["data"]["files"][0].endswith("hama_standin.tif")
    assert data["data"]["label"] == "SYNTHETIC stand-in — not SRTM"
    ranked = [r["name"] for r in data["key_terrain"]["rows"]]
    assert set(OBSERVERS) <= set(ranked[:3])
    assert [r["rank"] for r in data["key_terrain"]["rows"]] == list(range(1, len(ranked) + 1))
    marked = [r["observer"] for r in data["key_terrain"]["rows"] if r["observer"]]
    assert sorted(marked) == sorted(OBSERVERS)
    for o in data["observers"]:
        assert {"lat", "lon", "ground_m", "eye_m", "target_seen_percent"} <= set(o)


# --------------------------------------------------------------------------- HTML

class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.ids, self.tags, self.meta = [], set(), [], {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag == "img":
            self.imgs.append(a)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "meta" and "name" in a:
            self.meta[a["name"]] = a.get("content", "")


def _decode_png(data: bytes) -> np.ndarray:
    import matplotlib.image as mpimg

    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return mpimg.imread(io.BytesIO(data), format="png")


def test_html_is_self_contained_and_every_image_decodes(report):
    out, paths, _ = report
    html = (out / "report.html").read_text(encoding="utf-8")
    parser = _Images()
    parser.feed(html)
    parser.close()
    assert len(parser.imgs) == len(paths["figures"]) >= 6
    for img in parser.imgs:
        src = img["src"]
        assert src.startswith("data:image/png;base64,"), src[:60]
        pixels = _decode_png(base64.b64decode(src.split(",", 1)[1], validate=True))
        assert pixels.shape[0] > 200 and pixels.shape[1] > 400
        assert float(np.ptp(pixels[..., :3])) > 0.2, "blank figure"
        assert img.get("alt")
    # nothing fetched from elsewhere: no scripts, stylesheets links or remote URLs
    assert "script" not in parser.tags and "link" not in parser.tags
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "url(" not in html
    assert "width=device-width" in parser.meta["viewport"]
    assert "@media print" in html and "@media (max-width" in html
    for section in ("summary", "maps", "lines_of_sight", "key_terrain", "places", "provenance"):
        assert section in parser.ids


def test_html_says_synthetic_first_and_names_the_version(report):
    import terrain

    html = (report[0] / "report.html").read_text(encoding="utf-8")
    body = html.split("<body>", 1)[1]
    banner = body.find("SYNTHETIC stand-in — not SRTM")
    assert 0 <= banner < body.find("<h1>")
    assert html.count("SYNTHETIC stand-in — not SRTM") >= 8  # banner, every caption, provenance
    assert f"terrain {terrain.__version__}" in html
    for name in OBSERVERS + ["Hama", "Qamhana", "Dead ground to all"]:
        assert name in html


def test_every_figure_carries_the_synthetic_footnote(analysis):
    import matplotlib.pyplot as plt

    from terrain.report.figures import ensure_footnote, has_text
    from terrain.samples import SYNTHETIC_LABEL

    fig, _ = plt.subplots()
    ensure_footnote(fig, analysis)
    assert has_text(fig, SYNTHETIC_LABEL)
    plt.close(fig)
    from terrain.plot import plot_profile, plot_viewshed

    for fig in (plot_viewshed(analysis.viewsheds[0], dem=analysis.dem).figure,
                plot_profile(analysis.lines_of_sight[0], source=f"Data: {analysis.source_label}").figure):
        assert has_text(fig, SYNTHETIC_LABEL)
        plt.close(fig)


# --------------------------------------------------------------------------- Markdown and files

def test_markdown_references_existing_pngs(report):
    out, paths, _ = report
    md = (out / "report.md").read_text(encoding="utf-8")
    refs = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", md)
    assert len(refs) == len(paths["figures"])
    for ref in refs:
        assert not ref.startswith(("/", "http", "data:")), ref
        png = out / ref
        assert png.is_file()
        assert float(np.ptp(_decode_png(png.read_bytes())[..., :3])) > 0.2
    assert md.lstrip().startswith("# ") and "SYNTHETIC stand-in — not SRTM" in md.split("## Summary")[0]
    for heading in ("## Summary", "## Maps", "## Lines of sight", "## Key terrain", "## Named places",
                    "## Parameters and data provenance"):
        assert heading in md
    # every table row has as many cells as its header
    for block in re.findall(r"((?:^\|.*\|\n)+)", md, flags=re.M):
        rows = block.strip().splitlines()
        widths = {len(re.findall(r"(?<!\\)\|", r)) for r in rows}
        assert len(widths) == 1, rows


def test_files_are_whole_and_progress_is_reported(report):
    out, paths, lines = report
    names = {p.name for p in out.iterdir()}
    assert {"report.html", "report.md", "report.json"} <= names
    assert not [n for n in names if n.startswith(".")], "temporary files left behind"
    assert any("figure" in line for line in lines) and any("writing" in line for line in lines)


def test_a_failure_writes_nothing(analysis, tmp_path, monkeypatch):
    from terrain.report import build_report, render

    def boom(*args, **kwargs):
        raise RuntimeError("template failed")

    monkeypatch.setattr(render, "render_markdown", boom)
    with pytest.raises(RuntimeError):
        build_report(analysis, tmp_path / "rep")
    assert not (tmp_path / "rep").exists() or not any((tmp_path / "rep").iterdir())


# --------------------------------------------------------------------------- inputs and the command line

def test_bad_input_is_refused(dem):
    from terrain.errors import InputError
    from terrain.report import analyse
    from terrain.report.analysis import default_dem_paths, split_points

    assert split_points("Zayn al-Abidin,Jabal Kafra") == OBSERVERS
    assert split_points("35.203,36.766") == ["35.203,36.766"]
    assert split_points("35.203,36.766; 35.205,36.805") == ["35.203,36.766", "35.205,36.805"]
    with pytest.raises(InputError, match="radius"):
        analyse(dem, OBSERVERS, "Hama", radius_m=-1)
    with pytest.raises(InputError, match="method"):
        analyse(dem, OBSERVERS, "Hama", method="slow")
    with pytest.raises(InputError, match="unknown place"):
        analyse(dem, ["Atlantis"], "Hama")
    with pytest.raises(InputError, match="terrain report dem_samples"):
        default_dem_paths(["Mount Washington"])


@pytest.fixture()
def run():
    from click.testing import CliRunner

    from terrain.cli.main import TerrainGroup
    from terrain.cli.report import report_command

    group = TerrainGroup(commands={"report": report_command})

    def invoke(*args):
        return CliRunner().invoke(group, list(args), obj={})
    return invoke


def test_cli_report_writes_and_prints_json(run, tmp_path):
    out = tmp_path / "hama"
    res = run("report", "--observers", "Zayn al-Abidin,Jabal Kafra", "--target", "Hama", "--radius", "6km",
              "--method", "fast", "--no-key-terrain", "--out", str(out), "--json", "--quiet")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert data["parameters"]["radius_m"] == 6000.0 and data["key_terrain"] is None
    assert json.loads((out / "report.json").read_text())["observers"] == data["observers"]
    assert (out / "report.html").is_file() and (out / "report.md").is_file()


def test_cli_report_errors_and_help(run, tmp_path):
    res = run("report", "--observers", "Zayn al-Abidin", "--target", "Hama", "--radius", "-3km")
    assert res.exit_code == 2 and "radius" in res.output
    res = run("report", "--observers", "Mount Washington", "--target", "Mount Adams", "--out", str(tmp_path))
    assert res.exit_code == 2 and "terrain report dem_samples/N44W072.hgt" in res.output
    res = run("report", "--observers", "Zayn al-Abidin", "--target", "Hama", "--observer-height", "-1")
    assert res.exit_code == 2 and "negative" in res.output
    res = run("report", "--help")
    assert res.exit_code == 0 and "Example" in res.output and "--observers" in res.output


def test_markdown_escapes_everything_that_comes_from_data(analysis):
    """Names and provenance are text in report.md: no HTML, no Markdown syntax, tables whole."""
    import copy

    from terrain.report import render_markdown, report_data

    payload = "<img src=x onerror=alert(1)> *bold* [link](javascript:alert(2)) | `tick` _u_"
    data = copy.deepcopy(report_data(analysis))
    data["target"]["name"] = payload
    data["observers"][0]["name"] = payload
    data["parameters"]["observers"] = [payload, data["parameters"]["observers"][1]]
    data["data"]["files"] = ["/tmp/a`b|c_d.tif"]
    md = render_markdown(data, [])
    assert "<img" not in md and "<script" not in md
    assert "&lt;img src=x onerror=alert\\(1\\)&gt;" in md
    assert "\\*bold\\*" in md and "\\[link\\]\\(javascript:alert\\(2\\)\\)" in md and "\\_u\\_" in md
    assert "*bold*" not in md.replace("\\*bold\\*", "")
    # a data pipe never splits a table row: every row of the observers' table has its 6 columns
    rows = [ln for ln in md.splitlines() if ln.startswith("| &lt;img")]
    assert rows and all(len(re.split(r"(?<!\\)\|", r)) == 8 for r in rows)
    assert "`/tmp/a'b\\|c_d.tif`" in md    # a code span: backtick made a quote, pipe escaped, _ left as is


def test_figure_names_are_unique_for_names_that_slug_alike():
    from terrain.report.figures import slug, unique_slugs

    assert slug("زين العابدين") == "point" and slug("جبل كفرا") == "point"
    assert unique_slugs(["زين العابدين", "جبل كفرا", "Zayn al-Abidin", "Zayn al Abidin"]) == [
        "point", "point_2", "zayn_al_abidin", "zayn_al_abidin_2"]


def test_a_new_report_removes_the_figures_of_the_earlier_one_and_nothing_else(dem, analysis, tmp_path):
    from terrain.report import analyse, build_report

    first = build_report(analysis, tmp_path)
    mine = tmp_path / "my_notes.png"
    mine.write_bytes(b"not terrain's")
    one = analyse(dem, "Zayn al-Abidin", "Hama", key_terrain=False, **PARAMS)
    second = build_report(one, tmp_path)
    old = {p.name for p in first["figures"]} - {p.name for p in second["figures"]}
    assert old, "the two reports should differ in their figures"
    for name in old:
        assert not (tmp_path / name).exists(), name
    for p in second["figures"]:
        assert p.exists()
    assert mine.read_bytes() == b"not terrain's"
    pngs = {p.name for p in tmp_path.glob("*.png")}
    assert pngs == {p.name for p in second["figures"]} | {"my_notes.png"}


def test_one_rounding_rule_the_same_share_prints_the_same_everywhere(dem, report):
    """Issue #11 §5: a share stored to two decimals (86.25) printed 86.2 beside 86.3 printed from the raw value;
    stored percentages now keep four decimals (terrain.rounding), so one-decimal text rounds once."""
    from terrain.multi import overlook
    from terrain.rounding import PERCENT_DIGITS

    data = json.loads((report[0] / "report.json").read_text())
    table = overlook(dem, "Hama", OBSERVERS, target_radius=PARAMS["target_radius_m"],
                     observer_height=PARAMS["observer_height"], target_height=PARAMS["target_height"],
                     max_distance=PARAMS["radius_m"], method="fast")
    by_name = {r["name"]: r for r in table.rows}
    for o in data["observers"]:
        row = by_name[o["name"]]
        assert f"{o['target_seen_percent']:.1f}" == f"{row['visible_percent']:.1f}"
        assert row["visible_percent"] == round(row["visible_percent"], PERCENT_DIGITS)


def test_no_absolute_paths_and_places_beyond_the_radius_are_not_analysed(report):
    """The report named the DEM by its absolute path on the user's machine, and called a place beyond the
    radius "visible" (from its sight line) where the maps show it not analysed."""
    out = report[0]
    data = json.loads((out / "report.json").read_text())
    assert data["data"]["files"] == ["hama_standin.tif"]
    for name in ("report.html", "report.md", "report.json"):
        assert str(HAMA.parent) not in (out / name).read_text(), name
    beyond = [(p["name"], i) for p in data["places"] for i, v in enumerate(p["observers"])
              if v is not None and v["viewshed"] == "not analysed"]
    assert beyond, "the fixture's radius leaves some place beyond it"
    md = (out / "report.md").read_text()
    html = (out / "report.html").read_text()
    name, i = beyond[0]
    kind = next(p["kind"] for p in data["places"] if p["name"] == name)
    overview = next(line for line in md.splitlines() if line.startswith(f"| {name} | {kind} |"))
    cells = [c.strip() for c in overview.strip("|").split("|")]
    assert cells[2 + i] == "not analysed", overview
    assert "not analysed</span>" in html


def test_every_figure_of_synthetic_data_says_so_in_its_title_area(analysis):
    """The SYNTHETIC label was only in a small footer of most figures, which crops off a slide."""
    import matplotlib.pyplot as plt

    from terrain.plot import plot_cumulative, plot_overlook, plot_profile, plot_viewshed
    from terrain.plot.style import SYNTHETIC_NOTE

    a = analysis
    figures = [plot_viewshed(a.viewsheds[0], dem=a.dem).figure, plot_cumulative(a.coverage, dem=a.dem).figure,
               plot_overlook(a.key_terrain).figure,
               plot_profile(a.lines_of_sight[0], source=f"Data: {a.source_label}").figure]
    for fig in figures:
        fig.canvas.draw()
        marks = [t for t in fig.texts if t.get_gid() == "synthetic-title"]
        assert len(marks) == 1 and marks[0].get_text() == SYNTHETIC_NOTE
        # in the title area: above every axes
        top = max(ax.get_position().y1 for ax in fig.axes)
        assert marks[0].get_position()[1] > top
        plt.close(fig)


def test_the_unverified_position_of_jabal_kafra_is_stated_in_the_report_and_on_the_maps(report, analysis):
    from terrain.plot import plot_cumulative, plot_overlook

    out = report[0]
    data = json.loads((out / "report.json").read_text())
    assert any(c.startswith("Jabal Kafra: position not verified") for c in data["position_caveats"])
    assert "Jabal Kafra: position not verified" in (out / "report.md").read_text()
    assert 'id="position-caveat"' in (out / "report.html").read_text()
    for fig in (plot_cumulative(analysis.coverage, dem=analysis.dem).figure, plot_overlook(analysis.key_terrain).figure):
        notes = [t.get_text() for t in fig.texts if t.get_gid() == "source-note"]
        assert len(notes) == 1 and "Jabal Kafra: position not verified" in notes[0]
    assert "Zayn al-Abidin: position" not in data["position_caveats"]
