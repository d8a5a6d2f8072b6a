"""Tests of ``terrain fetch`` through click's CliRunner, against a loopback HTTP server (no internet)."""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
from click.testing import CliRunner

from terrain.cli.fetch import fetch_command
from terrain.errors import FetchError
from terrain.fetch import copernicus_name

HAMA_TILES = ["N34E036", "N34E037", "N35E036", "N35E037"]


@pytest.fixture(scope="module")
def hgt_gz() -> bytes:
    grid = (np.arange(1201 * 1201) % 2000).astype(">i2")
    return gzip.compress(grid.tobytes(), compresslevel=1)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.requests.append(self.path)
        body = self.server.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path not in self.server.trickle:
            self.wfile.write(body)
            return
        try:  # a byte every 50 ms, each well within --timeout
            for i in range(len(body)):
                if self.server.stop.wait(0.05):
                    return
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def server():
    """A loopback server: ``server.files`` maps URL paths to bodies (others are 404), ``server.requests`` counts."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files, httpd.requests = {}, []
    httpd.trickle, httpd.stop = set(), threading.Event()  # paths sent a byte at a time
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.stop.set()
    httpd.shutdown()
    httpd.server_close()


def serve_skadi(server, tiles, body):
    for tile in tiles:
        server.files[f"/skadi/{tile[:3]}/{tile}.hgt.gz"] = body


def run(server, tmp_path, *args, env=None):
    options = ["--cache-dir", str(tmp_path), "--retries", "0"]
    if server is not None:
        options += ["--base-url", f"{server.url}/skadi"]
    return CliRunner().invoke(fetch_command, [*args, *options], env=env)


def test_help_has_an_example():
    result = CliRunner().invoke(fetch_command, ["--help"])
    assert result.exit_code == 0
    assert "terrain fetch --area hama" in result.output
    assert "--around" in result.output and "--source" in result.output


def test_fetch_area_then_cached(server, tmp_path, hgt_gz):
    serve_skadi(server, HAMA_TILES, hgt_gz)
    result = run(server, tmp_path, "--area", "hama")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    paths = [tmp_path / "skadi" / t[:3] / f"{t}.hgt.gz" for t in HAMA_TILES]
    for tile, path, line in zip(HAMA_TILES, paths, lines):
        assert line.split() == [tile, "downloaded", str(path)]
        assert path.is_file()
    assert f"Cache folder: {tmp_path}" in result.output
    assert lines[-1] == "Use them with: terrain info " + " ".join(map(str, paths))

    again = run(server, tmp_path, "--area", "hama")
    assert again.exit_code == 0
    assert [line.split()[1] for line in again.output.splitlines()[:4]] == ["cached"] * 4
    assert len(server.requests) == 4


def test_fetch_around_with_missing_tiles(server, tmp_path, hgt_gz):
    serve_skadi(server, ["N35E036"], hgt_gz)  # the other three are "sea"
    result = run(server, tmp_path, "--around", "35.05,36.02", "--radius", "20km")
    assert result.exit_code == 0, result.output
    assert "N35E036  downloaded" in result.output
    assert result.output.count("missing at source (ocean or outside coverage)") == 3


def test_fetch_bounds_json(server, tmp_path, hgt_gz):
    serve_skadi(server, ["N35E036"], hgt_gz)
    result = run(server, tmp_path, "--bounds", "36.5,35.2,37.5,35.8", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    path = str(tmp_path / "skadi" / "N35" / "N35E036.hgt.gz")
    assert report["source"] == "skadi" and report["cache_dir"] == str(tmp_path)
    assert report["paths"] == [path]
    assert [(t["tile"], t["status"], t["path"]) for t in report["tiles"]] == [
        ("N35E036", "downloaded", path), ("N35E037", "missing", None)]
    assert report["tiles"][1]["url"] == f"{server.url}/skadi/N35/N35E037.hgt.gz"


def test_quiet_prints_only_paths(server, tmp_path, hgt_gz):
    serve_skadi(server, ["N35E036"], hgt_gz)
    result = run(server, tmp_path, "--bounds", "36.2,35.2,36.8,35.8", "--quiet")
    assert result.exit_code == 0
    assert result.output == f"{tmp_path / 'skadi' / 'N35' / 'N35E036.hgt.gz'}\n"


def test_copernicus_source(server, tmp_path):
    from rasterio.io import MemoryFile
    from rasterio.transform import from_origin

    with MemoryFile() as mem:  # the grid of a GLO-30 tile at 35 N: 3600 x 3600 cells
        with mem.open(driver="GTiff", width=3600, height=3600, count=1, dtype="int16", crs="EPSG:4326",
                      transform=from_origin(36, 36, 1 / 3600, 1 / 3600), compress="deflate", tiled=True,
                      blockxsize=1024, blockysize=1024) as dst:
            dst.write(np.ones((1, 3600, 3600), "int16"))
        name = copernicus_name("N35E036")
        server.files[f"/{name}/{name}.tif"] = mem.read()
    result = CliRunner().invoke(fetch_command, ["--bounds", "36.2,35.2,36.8,35.8", "--source", "copernicus",
                                                "--base-url", server.url, "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "copernicus" / f"{name}.tif").is_file()


def test_environment_sets_cache_and_base_url(server, tmp_path, hgt_gz):
    serve_skadi(server, ["N44W072"], hgt_gz)
    env = {"TERRAIN_CACHE": str(tmp_path), "TERRAIN_SKADI_URL": f"{server.url}/skadi"}
    result = CliRunner().invoke(fetch_command, ["--area", "white-mountains", "--retries", "0"], env=env)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "skadi" / "N44" / "N44W072.hgt.gz").is_file()


def test_nothing_at_the_source_fails(server, tmp_path):
    result = run(server, tmp_path, "--bounds", "-30.5,10.2,-30.2,10.8")
    assert result.exit_code == 1
    assert isinstance(result.exception, FetchError)
    assert "ocean or outside coverage" in str(result.exception)


def test_unreachable_source_fails_with_one_sentence(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(fetch_command, ["--area", "hama", "--cache-dir", str(tmp_path), "--retries", "0",
                                                "--base-url", f"http://127.0.0.1:{port}"])
    assert result.exit_code == 1
    assert isinstance(result.exception, FetchError)
    assert str(result.exception).startswith(f"could not reach http://127.0.0.1:{port}/N34/N34E036.hgt.gz")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_trickling_server_is_given_up_at_the_deadline(server, tmp_path, hgt_gz):
    serve_skadi(server, ["N35E036"], hgt_gz)
    server.trickle.add("/skadi/N35/N35E036.hgt.gz")
    started = time.monotonic()
    result = run(server, tmp_path, "--bounds", "36.2,35.2,36.8,35.8", "--deadline", "0.5", "--timeout", "5")
    assert time.monotonic() - started < 2.0
    assert result.exit_code == 1 and isinstance(result.exception, FetchError)
    assert str(result.exception).startswith(f"the download of {server.url}/skadi/N35/N35E036.hgt.gz passed its "
                                            "deadline of 0.5 s (")
    assert "raise --deadline" in str(result.exception)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_a_corrupt_cached_tile_is_downloaded_again_and_force_always(server, tmp_path, hgt_gz):
    serve_skadi(server, ["N35E036"], hgt_gz)
    box = ["--bounds", "36.2,35.2,36.8,35.8"]
    path = tmp_path / "skadi" / "N35" / "N35E036.hgt.gz"
    assert run(server, tmp_path, *box).exit_code == 0
    assert sorted(p.name for p in path.parent.iterdir()) == ["N35E036.hgt.gz", "N35E036.hgt.gz.provenance.json"]
    path.write_bytes(hgt_gz[:200] + bytes([hgt_gz[200] ^ 0xFF]) + hgt_gz[201:])  # one byte changed on disk
    again = run(server, tmp_path, *box)
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[0].startswith(
        f"N35E036  downloaded   {path}  (the cached copy was corrupt: its SHA-256 differs from the one recorded")
    assert path.read_bytes() == hgt_gz and len(server.requests) == 2
    cached = run(server, tmp_path, *box)
    assert cached.output.splitlines()[0] == f"N35E036  cached       {path}"
    forced = run(server, tmp_path, *box, "--force")
    assert forced.output.splitlines()[0] == f"N35E036  downloaded   {path}"
    assert len(server.requests) == 3


def test_a_cached_tile_without_a_record_is_reported_as_such(server, tmp_path, hgt_gz):
    path = tmp_path / "skadi" / "N35" / "N35E036.hgt.gz"
    path.parent.mkdir(parents=True)
    path.write_bytes(hgt_gz)  # copied in by hand
    result = run(server, tmp_path, "--bounds", "36.2,35.2,36.8,35.8", "--json")
    assert result.exit_code == 0, result.output
    tile, = json.loads(result.output)["tiles"]
    assert (tile["status"], tile["note"]) == (
        "cached", "no provenance record, origin unknown; --force downloads it again with one")
    quiet = run(server, tmp_path, "--bounds", "36.2,35.2,36.8,35.8", "--quiet")
    assert quiet.stdout == f"{path}\n"
    assert "N35E036: no provenance record, origin unknown" in quiet.stderr
    assert server.requests == []


def test_help_names_the_time_limits():
    result = CliRunner().invoke(fetch_command, ["--help"])
    assert "--deadline SECONDS" in result.output and "--min-rate KB/S" in result.output
    assert "over 30 s; 0: no minimum" in " ".join(result.output.split())


@pytest.mark.parametrize("args, words", [
    (["--area", "hama", "--deadline", "nan"], "deadline is nan"),
    (["--area", "hama", "--deadline", "-3"], "deadline -3 s is too small"),
    (["--area", "hama", "--min-rate", "-1"], "minimum rate"),
    (["--area", "hama", "--timeout", "0"], "timeout 0 s is too small"),
    ([], "exactly one of"),
    (["--area", "hama", "--bounds", "1,2,3,4"], "exactly one of"),
    (["--area", "atlantis"], "hama, white-mountains"),
    (["--bounds", "1,2,3"], "four numbers"),
    (["--bounds", "37,34,36,35"], "west"),
    (["--around", "35.2,36.77"], "--radius"),
    (["--radius", "20km", "--area", "hama"], "--radius"),
    (["--around", "35.2,36.77", "--radius", "0"], "greater than zero"),
    (["--around", "35.2,36.77", "--radius", "far"], "20km"),
    (["--around", "135.2,36.77", "--radius", "1km"], "LAT,LON"),
    (["--around", "35.2", "--radius", "1km"], "two numbers"),
    (["--area", "hama", "--source", "nasa"], "nasa"),
    (["--area", "hama", "--max-tiles", "3"], "limit of 3"),
    (["--area", "hama", "--base-url", "example.org/tiles"], "scheme"),
])
def test_bad_usage_exits_2(tmp_path, args, words):
    result = CliRunner().invoke(fetch_command, [*args, "--cache-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert not list(tmp_path.iterdir())
