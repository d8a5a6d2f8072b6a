"""report.html in a real browser: headless Chromium loads it with the network cut off; no image may be broken,
no script error or console error may occur, and the page may not overflow a phone's width.

A copy of the report gets two small probe scripts (the report itself has none): one at the top of <head>
recording error events (also failed resource loads) and console.error calls, one at the end of <body> that,
on load, writes the number of images, broken images (naturalWidth 0) and errors into <body data-...>.
Chromium's ``--dump-dom`` prints the DOM after load; its stderr (``--enable-logging=stderr``) is scanned for
"Uncaught" console lines. A control page with a broken image and a thrown error proves the probe sees both.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import SAMPLES

HAMA = SAMPLES / "hama_standin.tif"


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


CHROMIUM = _chromium()
pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed: apt-get install chromium"),
    pytest.mark.skipif(not HAMA.exists(), reason="Hama stand-in not generated"),
]

PROBE_HEAD = """<script>
window.__errs = [];
window.addEventListener('error', function (e) {
  var t = (e.target && e.target !== window) ? ('failed to load ' + (e.target.tagName || 'resource'))
                                           : ('uncaught: ' + (e.message || 'error'));
  window.__errs.push(t);
}, true);
(function () { var orig = console.error; console.error = function () {
  window.__errs.push('console.error: ' + Array.prototype.join.call(arguments, ' '));
  return orig.apply(console, arguments);
}; })();
</script>"""

PROBE_TAIL = """<script>
function __terrainProbe() {
  var imgs = document.images, broken = 0;
  for (var i = 0; i < imgs.length; i++) { if (!imgs[i].complete || imgs[i].naturalWidth === 0) broken++; }
  var d = document.body.dataset;
  d.images = imgs.length; d.brokenImages = broken; d.errors = window.__errs.length;
  d.errorText = window.__errs.join(' | ');
  d.overflow = document.documentElement.scrollWidth - window.innerWidth;
  d.probeDone = '1';
}
if (document.readyState === 'complete') __terrainProbe(); else window.addEventListener('load', __terrainProbe);
</script>"""


class _Body(HTMLParser):
    def __init__(self):
        super().__init__()
        self.attrs = None

    def handle_starttag(self, tag, attrs):
        if tag == "body" and self.attrs is None:
            self.attrs = dict(attrs)


def probe(html_path: Path, work: Path, width: int = 1200, height: int = 2000) -> tuple[dict, str]:
    """Load a probed copy of ``html_path`` in headless Chromium; return <body>'s data attributes and stderr."""
    html = html_path.read_text(encoding="utf-8")
    probed = html.replace("<head>", "<head>" + PROBE_HEAD, 1).replace("</body>", PROBE_TAIL + "</body>", 1)
    page = work / f"probe_{html_path.stem}.html"
    page.write_text(probed, encoding="utf-8")
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={work / 'chromium-profile'}", "--enable-logging=stderr",
           "--v=0", "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=5000",
           f"--window-size={width},{height}", "--dump-dom", page.as_uri()]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    parser = _Body()
    parser.feed(res.stdout)
    attrs = parser.attrs or {}
    assert attrs.get("data-probe-done") == "1", (
        f"Chromium did not run the probe (exit {res.returncode}); stderr:\n{res.stderr[-2000:]}")
    return attrs, res.stderr


def console_errors(stderr: str) -> list[str]:
    """Chromium's console lines from the page that report an error."""
    return [line for line in stderr.splitlines()
            if "CONSOLE" in line and re.search(r"Uncaught|Error|Failed to load", line)]


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    from terrain import load_dem
    from terrain.report import analyse, build_report

    dem = load_dem(HAMA, around=(35.17, 36.77, 10_000))
    # within 6 km of Hama the most prominent summit has 23 m (measured on a context read from the file;
    # the 10 km window alone made it 55 m, its key col lying outside the window)
    a = analyse(dem, ["Zayn al-Abidin", "Jabal Kafra"], "Hama", radius_m=6_000, method="fast",
                min_prominence_m=20.0, key_terrain_top=4)
    return build_report(a, tmp_path_factory.mktemp("browser"))["html"]


def test_report_renders_without_broken_images_or_errors(report_html, tmp_path):
    attrs, stderr = probe(report_html, tmp_path, width=400, height=2000)  # a phone's width
    assert int(attrs["data-images"]) >= 6
    assert attrs["data-broken-images"] == "0"
    assert attrs["data-errors"] == "0", attrs.get("data-error-text")
    assert console_errors(stderr) == []
    assert int(attrs["data-overflow"]) <= 0, "the page is wider than a phone's screen"


def test_probe_sees_broken_images_and_errors(tmp_path):
    control = tmp_path / "control.html"
    control.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
                       "<img src='data:image/png;base64,AAAA' alt='broken'>"
                       "<img src='https://example.invalid/remote.png' alt='remote'>"
                       "<script>undefinedFunctionCall();</script></body></html>", encoding="utf-8")
    attrs, stderr = probe(control, tmp_path)
    assert attrs["data-broken-images"] == "2"
    assert int(attrs["data-errors"]) >= 1
    assert any("Uncaught" in line for line in console_errors(stderr))
