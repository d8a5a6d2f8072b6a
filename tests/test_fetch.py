"""Tests of terrain.fetch: tile naming, the cache, and the real download code against a loopback server.

No test reaches the internet: a ThreadingHTTPServer on 127.0.0.1 serves tiles
the tests build, and misbehaves on purpose (404, truncated, corrupt, bombs).
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
import math
import signal
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.io import MemoryFile
from rasterio.transform import from_origin

from terrain.errors import FetchError, InputError
from terrain.fetch import (NAMED_AREAS, bounds_around, copernicus_name, default_cache_dir, fetch_tile_results,
                           fetch_tiles, find_cached_tiles, parse_radius_m, requested_tiles, tile_name,
                           tiles_around, tiles_for_bounds)
from terrain.fetch.cache import platform_cache_dir
from terrain.fetch.download import default_deadline_s
from terrain.fetch.fetching import UNRECORDED_NOTE
from terrain.fetch.provenance import read_record, record_path
from terrain.fetch.sources import HGT_SIZES_BYTES, SOURCES, copernicus_shape
from terrain.fetch.tiles import area_bounds, tile_corner

BOX_N35E036 = (36.2, 35.2, 36.8, 35.8)  # inside one tile
COP_N35E036 = "Copernicus_DSM_COG_10_N35_00_E036_00_DEM"


# ---------------------------------------------------------------- tile data the server hands out

def hgt_bytes(size: int = 1201) -> bytes:
    """A synthetic .hgt grid: big-endian int16 ramp, ``size`` x ``size``."""
    return (np.arange(size * size, dtype=np.int64) % 3000).astype(">i2").tobytes()


@pytest.fixture(scope="module")
def hgt_gz() -> bytes:
    return gzip.compress(hgt_bytes(), compresslevel=1)


def cog_bytes(bands: int = 1, shape: tuple[int, int] = (12, 12), west: float = 36.0, north: float = 36.0,
              sparse: bool = False) -> bytes:
    """A Copernicus-like GeoTIFF (float32, EPSG:4326, heights 100 to 900 m north to south) of one degree.

    ``sparse``: declare ``shape`` but write no cells (a huge grid in a small file).
    """
    rows, cols = shape
    big = min(shape) >= 1024
    with MemoryFile() as mem:
        with mem.open(driver="GTiff", width=cols, height=rows, count=bands, dtype="float32", crs="EPSG:4326",
                      transform=from_origin(west, north, 1 / cols, 1 / rows), compress="deflate", zlevel=1,
                      tiled=big, sparse_ok=sparse, **({"blockxsize": 1024, "blockysize": 1024} if big else {})) as dst:
            if not sparse:
                column = np.linspace(100, 900, rows, dtype="float32")[:, None]
                for band in range(1, bands + 1):
                    dst.write(np.repeat(column, cols, axis=1), band)
        return mem.read()


@pytest.fixture(scope="module")
def cop_tile() -> bytes:
    """A GeoTIFF with the grid of the Copernicus GLO-30 tile N35E036: 3600 x 3600 cells."""
    return cog_bytes(shape=(3600, 3600))


# ---------------------------------------------------------------- the loopback server

class TileServer:
    """Routes ``path -> (kind, payload)``; counts the requests it gets."""

    def __init__(self, httpd: ThreadingHTTPServer):
        self.httpd = httpd
        self.routes: dict[str, tuple] = {}
        self.requests: list[str] = []
        self.release = threading.Event()  # lets "stall" handlers finish at teardown

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def skadi(self, tile: str, kind: str, payload=None) -> None:
        self.routes[f"/skadi/{tile[:3]}/{tile}.hgt.gz"] = (kind, payload)

    def copernicus(self, tile: str, kind: str, payload=None) -> None:
        name = copernicus_name(tile)
        self.routes[f"/cop/{name}/{name}.tif"] = (kind, payload)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass

    def _send_head(self, status: int, length: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def do_GET(self):
        server: TileServer = self.server.tiles
        server.requests.append(self.path)
        kind, payload = server.routes.get(self.path, ("status", 404))
        try:
            if kind == "status":
                self.send_error(payload)
            elif kind == "statuses":  # a list of statuses, then the body: a flaky server
                status = payload[0].pop(0) if payload[0] else 200
                if status != 200:
                    self.send_error(status)
                else:
                    self._send_head(200, len(payload[1]))
                    self.wfile.write(payload[1])
            elif kind == "body":
                self._send_head(200, len(payload))
                self.wfile.write(payload)
            elif kind == "truncated":  # announce more than is sent, then hang up
                self._send_head(200, len(payload) + 5000)
                self.wfile.write(payload)
                self.close_connection = True
            elif kind == "huge":  # announce a size no tile can have
                self._send_head(200, 10 ** 10)
                self.wfile.write(b"x" * 100)
            elif kind == "trickle":  # announce the whole body, then send it a byte every 50 ms
                self._send_head(200, len(payload))
                for i in range(len(payload)):
                    if server.release.wait(0.05):
                        break
                    self.wfile.write(payload[i:i + 1])
                    self.wfile.flush()
            elif kind == "stall":  # send a little, then wait
                self._send_head(200, len(payload))
                self.wfile.write(payload[:1000])
                self.wfile.flush()
                server.release.wait(10)
                self.wfile.write(payload[1000:])
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.tiles = TileServer(httpd)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd.tiles
    httpd.tiles.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def closed_port_url():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def fetch(server, source="skadi", cache_dir=None, bounds=BOX_N35E036, **kw):
    """fetch_tile_results against the loopback server, fast: no retries unless asked, no progress bar."""
    kw = {"retries": 0, "backoff_s": 0.0, "timeout_s": 5.0, "progress": False, **kw}
    base = f"{server.url}/skadi" if source == "skadi" else f"{server.url}/cop"
    return fetch_tile_results(bounds=bounds, source=source, cache_dir=cache_dir, base_url=base, **kw)


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


# ---------------------------------------------------------------- tile names

@pytest.mark.parametrize("lat, lon, name", [
    (35, 36, "N35E036"), (-1, -72, "S01W072"), (0, 0, "N00E000"), (-1, 0, "S01E000"), (0, -1, "N00W001"),
    (-90, -180, "S90W180"), (89, 179, "N89E179"), (44, -72, "N44W072"), (-34, 151, "S34E151"),
])
def test_tile_name_in_all_hemispheres(lat, lon, name):
    assert tile_name(lat, lon) == name
    assert tile_corner(name) == (lat, lon)


@pytest.mark.parametrize("lat, lon", [(90, 0), (0, 180), (-91, 0), (35.5, 36)])
def test_tile_name_refuses_impossible_corners(lat, lon):
    with pytest.raises(InputError):
        tile_name(lat, lon)


@pytest.mark.parametrize("bad", ["N35E36", "X35E036", "n35e036", "N90E000", ""])
def test_tile_corner_refuses_bad_names(bad):
    with pytest.raises(InputError, match="tile"):
        tile_corner(bad)


@pytest.mark.parametrize("tile, name", [
    ("N35E036", "Copernicus_DSM_COG_10_N35_00_E036_00_DEM"),
    ("S01W072", "Copernicus_DSM_COG_10_S01_00_W072_00_DEM"),
])
def test_copernicus_names(tile, name):
    assert copernicus_name(tile) == name


@pytest.mark.parametrize("bounds, tiles", [
    ((36.0, 35.0, 37.0, 36.0), ["N35E036"]),                       # edges on whole degrees: one tile
    ((36.0, 35.0, 37.000001, 36.0), ["N35E036", "N35E037"]),
    ((-72.0, 44.0, -71.0, 45.0), ["N44W072"]),
    ((-0.5, -0.5, 0.5, 0.5), ["S01W001", "S01E000", "N00W001", "N00E000"]),
    ((-1.0, -1.0, 0.0, 0.0), ["S01W001"]),
    ((151.1, -34.1, 151.3, -33.9), ["S35E151", "S34E151"]),
    ((36.0, 35.0, 36.0, 35.0), ["N35E036"]),                       # a point on a corner
    ((179.5, 89.5, 180.0, 90.0), ["N89E179"]),                     # the edges of the world
    ((-180.0, -90.0, -179.5, -89.5), ["S90W180"]),
    (NAMED_AREAS["hama"], ["N34E036", "N34E037", "N35E036", "N35E037"]),
])
def test_tiles_for_bounds(bounds, tiles):
    assert tiles_for_bounds(bounds) == tiles


@pytest.mark.parametrize("bounds, words", [
    ((37, 34, 36, 35), "west"), ((36, 35, 37, 34), "south"), ((36, 35, 181, 36), "longitude"),
    ((36, -91, 37, 36), "latitude"), ((1, 2, 3), "four numbers"), ("abcd", "four numbers"),
    ((36, 35, float("nan"), 36), "finite"),
])
def test_bad_bounds_are_input_errors(bounds, words):
    with pytest.raises(InputError, match=words):
        tiles_for_bounds(bounds)


def test_bounds_around_hold_the_circle():
    (west, south, east, north), = bounds_around(35.2, 36.77, 20_000)
    deg_lat = 20_000 / 111_195.0
    assert south == pytest.approx(35.2 - deg_lat, rel=1e-4) and north == pytest.approx(35.2 + deg_lat, rel=1e-4)
    assert east - 36.77 == pytest.approx(deg_lat / math.cos(math.radians(35.2)), rel=2e-3)
    assert tiles_around(35.2, 36.77, 20_000) == ["N35E036"]
    assert tiles_around(35.05, 36.02, 20_000) == ["N34E035", "N34E036", "N35E035", "N35E036"]


def test_circle_across_the_antimeridian_and_over_a_pole():
    assert tiles_around(0.5, 179.9, 20_000) == ["N00E179", "N00W180"]
    polar = bounds_around(89.95, 10.0, 20_000)
    assert polar == [(-180.0, pytest.approx(89.95 - 20_000 / 111_195.0, rel=1e-3), 180.0, 90.0)]


@pytest.mark.parametrize("lat, lon, radius", [(91, 0, 1000), (0, 181, 1000), (0, 0, 0), (0, 0, -5)])
def test_bounds_around_refuses_bad_values(lat, lon, radius):
    with pytest.raises(InputError):
        bounds_around(lat, lon, radius)


@pytest.mark.parametrize("text, metres", [("20km", 20_000.0), ("500m", 500.0), ("20000", 20_000.0),
                                          ("1.5 km", 1500.0), (20_000, 20_000.0), ("2KM", 2000.0)])
def test_parse_radius(text, metres):
    assert parse_radius_m(text) == metres


@pytest.mark.parametrize("text", ["0", "0km", "-5km", "abc", "20 parsecs", "", "1e999"])
def test_parse_radius_refuses_non_distances(text):
    with pytest.raises(InputError, match="radius"):
        parse_radius_m(text)


def test_named_areas():
    assert area_bounds("Hama") == NAMED_AREAS["hama"]
    with pytest.raises(InputError, match="hama, white-mountains"):
        area_bounds("atlantis")


def test_requested_tiles_needs_exactly_one_of_bounds_around_area():
    assert requested_tiles(area="white-mountains") == ["N44W072"]
    assert requested_tiles(around=(35.2, 36.77, 20_000)) == ["N35E036"]
    with pytest.raises(InputError, match="exactly one"):
        requested_tiles()
    with pytest.raises(InputError, match="bounds and area"):
        requested_tiles(bounds=BOX_N35E036, area="hama")
    with pytest.raises(InputError, match="lat, lon, radius_m"):
        requested_tiles(around=(35.2, 36.77))


def test_too_many_tiles_are_refused_before_any_request(server, tmp_path):
    with pytest.raises(InputError, match="limit of 3"):
        fetch(server, cache_dir=tmp_path, bounds=NAMED_AREAS["hama"], max_tiles=3)
    assert server.requests == []


# ---------------------------------------------------------------- the cache folder

def test_default_cache_dir_follows_terrain_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("TERRAIN_CACHE", str(tmp_path / "here"))
    assert default_cache_dir() == tmp_path / "here"
    monkeypatch.delenv("TERRAIN_CACHE")
    assert default_cache_dir().name == "terrain"


@pytest.mark.parametrize("platform, environ, expected", [
    ("linux", {"HOME": "/home/u", "XDG_CACHE_HOME": "/var/xdg"}, "/var/xdg/terrain"),
    ("linux", {"HOME": "/home/u"}, "/home/u/.cache/terrain"),
    ("linux", {"HOME": "/home/u", "XDG_CACHE_HOME": "relative"}, "/home/u/.cache/terrain"),
    ("darwin", {"HOME": "/Users/u"}, "/Users/u/Library/Caches/terrain"),
    ("win32", {"USERPROFILE": "C:/Users/u", "LOCALAPPDATA": "C:/Users/u/AppData/Local"},
     "C:/Users/u/AppData/Local/terrain/Cache"),
])
def test_platform_cache_dir(platform, environ, expected):
    assert platform_cache_dir(platform, environ) == Path(expected)


# ---------------------------------------------------------------- downloads that work

@pytest.mark.parametrize("size", [1201, 3601])
def test_skadi_tile_lands_in_the_cache_and_is_not_fetched_twice(server, tmp_path, size):
    payload = gzip.compress(hgt_bytes(1201) if size == 1201 else bytes(2 * 3601 ** 2), compresslevel=1)
    server.skadi("N35E036", "body", payload)
    first, = fetch(server, cache_dir=tmp_path)
    expected = tmp_path / "skadi" / "N35" / "N35E036.hgt.gz"
    assert (first.tile, first.status, first.path) == ("N35E036", "downloaded", expected)
    assert first.url == f"{server.url}/skadi/N35/N35E036.hgt.gz"
    assert expected.read_bytes() == payload
    assert files_under(tmp_path) == [expected, record_path(expected)]  # no temporary file left

    second, = fetch(server, cache_dir=tmp_path)
    assert (second.status, second.path) == ("cached", expected)
    assert len(server.requests) == 1


def test_downloaded_skadi_tile_opens_with_rasterio(server, tmp_path, hgt_gz):
    server.skadi("S01W072", "body", hgt_gz)
    path, = fetch_tiles(bounds=(-71.9, -0.9, -71.1, -0.1), cache_dir=tmp_path, base_url=f"{server.url}/skadi",
                        progress=False, retries=0)
    assert path == tmp_path / "skadi" / "S01" / "S01W072.hgt.gz"
    with rasterio.open(f"/vsigzip/{path}") as dataset:
        assert dataset.shape == (1201, 1201)
        assert round(dataset.bounds.left) == -72 and round(dataset.bounds.top) == 0
        assert dataset.read(1)[0, :3].tolist() == [0, 1, 2]


def test_copernicus_tile_lands_in_the_cache(server, tmp_path, cop_tile):
    server.copernicus("N35E036", "body", cop_tile)
    first, = fetch(server, "copernicus", tmp_path)
    expected = tmp_path / "copernicus" / f"{COP_N35E036}.tif"
    assert (first.status, first.path, first.source) == ("downloaded", expected, "copernicus")
    assert server.requests == [f"/cop/{COP_N35E036}/{COP_N35E036}.tif"]
    with rasterio.open(expected) as dataset:
        assert dataset.count == 1
    assert fetch(server, "copernicus", tmp_path)[0].status == "cached"
    assert len(server.requests) == 1


def test_base_url_and_cache_from_the_environment(server, tmp_path, hgt_gz, monkeypatch):
    server.skadi("N35E036", "body", hgt_gz)
    monkeypatch.setenv("TERRAIN_SKADI_URL", f"{server.url}/skadi/")
    monkeypatch.setenv("TERRAIN_CACHE", str(tmp_path))
    path, = fetch_tiles(bounds=BOX_N35E036, progress=False, retries=0)
    assert path == tmp_path / "skadi" / "N35" / "N35E036.hgt.gz"


def test_a_broken_cached_file_is_downloaded_again(server, tmp_path, hgt_gz):
    server.skadi("N35E036", "body", hgt_gz)
    broken = tmp_path / "skadi" / "N35" / "N35E036.hgt.gz"
    broken.parent.mkdir(parents=True)
    broken.write_bytes(hgt_gz[: len(hgt_gz) // 2])
    result, = fetch(server, cache_dir=tmp_path)
    assert result.status == "downloaded" and broken.read_bytes() == hgt_gz


def test_a_flaky_server_is_asked_again(server, tmp_path, hgt_gz):
    server.skadi("N35E036", "statuses", ([503, 500], hgt_gz))
    result, = fetch(server, cache_dir=tmp_path, retries=2)
    assert result.status == "downloaded" and len(server.requests) == 3


# ---------------------------------------------------------------- tiles the source does not have

def test_404_is_a_missing_tile_and_the_rest_still_comes(server, tmp_path, hgt_gz):
    server.skadi("N35E036", "body", hgt_gz)  # N35E037 is "sea": 404
    box = (36.5, 35.2, 37.5, 35.8)
    results = fetch(server, cache_dir=tmp_path, bounds=box)
    assert [(r.tile, r.status) for r in results] == [("N35E036", "downloaded"), ("N35E037", "missing")]
    assert results[1].path is None
    assert files_under(tmp_path) == [results[0].path, record_path(results[0].path)]
    with pytest.warns(UserWarning, match="N35E037"):
        paths = fetch_tiles(bounds=box, cache_dir=tmp_path, base_url=f"{server.url}/skadi", progress=False,
                            retries=0)
    assert paths == [results[0].path]
    assert find_cached_tiles(box, tmp_path) == []


# ---------------------------------------------------------------- failures: FetchError, nothing left behind

@pytest.mark.parametrize("kind, payload, words", [
    ("truncated", b"\x1f\x8b" + b"x" * 3000, "cut short"),
    ("body", b"\x1f\x8b\x08\x00 this is not gzip data", "not a valid gzip file"),
    ("body", b"<html>Access denied</html>", "not a valid gzip file"),
    ("body", gzip.compress(bytes(1000)), "1201 x 1201"),
    ("body", gzip.compress(bytes(2 * 1201 ** 2 + 2)), "1201 x 1201"),
    ("huge", None, "more than"),
    ("status", 403, "HTTP 403"),
    ("status", 500, "HTTP 500"),
])
def test_bad_downloads_raise_fetch_error_and_leave_nothing(server, tmp_path, kind, payload, words):
    server.skadi("N35E036", kind, payload)
    with pytest.raises(FetchError, match=words) as info:
        fetch(server, cache_dir=tmp_path)
    assert "N35E036" in str(info.value)
    assert files_under(tmp_path) == []


def test_corrupt_gzip_message_says_what_to_do(server, tmp_path):
    server.skadi("N35E036", "body", gzip.compress(hgt_bytes())[:-100])  # cut inside the stream
    with pytest.raises(FetchError, match=r"tile N35E036 .* run the fetch again") as info:
        fetch(server, cache_dir=tmp_path)
    assert "delete" in str(info.value)
    assert files_under(tmp_path) == []


def test_gzip_bomb_is_refused_while_decompressing(server, tmp_path):
    bomb = gzip.compress(bytes(max(HGT_SIZES_BYTES) + (1 << 20)), compresslevel=9)  # ~27 MB from ~26 kB
    assert len(bomb) < 100_000
    server.skadi("N35E036", "body", bomb)
    with pytest.raises(FetchError, match="gzip bomb"):
        fetch(server, cache_dir=tmp_path)
    assert files_under(tmp_path) == []


def test_transient_errors_are_retried_then_reported(server, tmp_path):
    server.skadi("N35E036", "status", 503)
    with pytest.raises(FetchError, match=r"could not reach .*N35E036.*HTTP 503.*TERRAIN_SKADI_URL"):
        fetch(server, cache_dir=tmp_path, retries=2)
    assert len(server.requests) == 3


def test_a_client_error_is_not_retried(server, tmp_path):
    server.skadi("N35E036", "status", 403)
    with pytest.raises(FetchError, match="--base-url"):
        fetch(server, cache_dir=tmp_path, retries=2)
    assert len(server.requests) == 1


@pytest.mark.parametrize("bands, body, words", [(2, None, "2 bands"), (1, b"<html>no</html>", "GeoTIFF")])
def test_a_copernicus_tile_must_be_a_one_band_geotiff(server, tmp_path, bands, body, words):
    server.copernicus("N35E036", "body", body or cog_bytes(bands))
    with pytest.raises(FetchError, match=words):
        fetch(server, "copernicus", tmp_path)
    assert files_under(tmp_path) == []


def test_connection_refused_is_one_sentence(closed_port_url, tmp_path):
    with pytest.raises(FetchError) as info:
        fetch_tiles(bounds=BOX_N35E036, cache_dir=tmp_path, base_url=closed_port_url, progress=False,
                    retries=1, backoff_s=0.0)
    message = str(info.value)
    assert message.startswith(f"could not reach {closed_port_url}/N35/N35E036.hgt.gz: ")
    assert message.endswith("check the network or set --base-url / TERRAIN_SKADI_URL")
    assert "\n" not in message
    assert files_under(tmp_path) == []


def test_a_stalled_server_times_out(server, tmp_path, hgt_gz):
    server.skadi("N35E036", "stall", hgt_gz)
    with pytest.raises(FetchError, match="timed out"):
        fetch(server, cache_dir=tmp_path, timeout_s=0.3)
    assert files_under(tmp_path) == []


def test_a_trickling_server_is_given_up_at_the_deadline(server, tmp_path, hgt_gz):
    # every read brings a byte well within --timeout, so only an overall deadline ends it
    server.skadi("N35E036", "trickle", hgt_gz)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"passed its deadline of 1 s \(\d+ bytes had arrived\).*--deadline"):
        fetch(server, cache_dir=tmp_path, timeout_s=5.0, deadline_s=1.0, min_rate_bytes_s=0)
    assert 1.0 <= time.monotonic() - started < 2.5
    assert files_under(tmp_path) == []


def test_a_trickling_server_is_given_up_below_the_minimum_rate_and_retried(server, tmp_path, hgt_gz):
    server.skadi("N35E036", "trickle", hgt_gz)  # about 20 bytes a second
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"slowed to 0\.0\d* kB/s over the last 0\.4\d* s, below the minimum of 1 kB/s"
                                         r".*--min-rate") as info:
        fetch(server, cache_dir=tmp_path, retries=1, deadline_s=60.0, min_rate_bytes_s=1000, rate_window_s=0.4)
    assert 0.8 <= time.monotonic() - started < 2.5  # one window per attempt, nowhere near the deadline
    assert len(server.requests) == 2
    assert "N35E036" in str(info.value)
    assert files_under(tmp_path) == []


def test_the_deadline_spans_the_retries(server, tmp_path, hgt_gz):
    server.skadi("N35E036", "trickle", hgt_gz)
    started = time.monotonic()
    with pytest.raises(FetchError, match="deadline of 1 s"):
        fetch(server, cache_dir=tmp_path, retries=5, deadline_s=1.0, min_rate_bytes_s=1000, rate_window_s=0.4)
    assert time.monotonic() - started < 2.0  # six attempts of 0.4 s each would need 2.4 s
    assert len(server.requests) in (2, 3)  # retried until the deadline, not six times


def test_the_default_deadline_grows_with_the_tile():
    assert default_deadline_s(0) == 60.0
    assert default_deadline_s(27_000_000) == 600.0  # a 1" tile on a 50 kB/s line


@pytest.mark.parametrize("limits, words", [
    ({"deadline_s": float("nan")}, "deadline is nan"), ({"deadline_s": 0}, "deadline 0 s is too small"),
    ({"min_rate_bytes_s": -1.0}, "minimum rate -1 bytes/s is negative"),
    ({"min_rate_bytes_s": float("inf")}, "not a finite number"), ({"timeout_s": float("nan")}, "timeout is nan"),
])
def test_bad_time_limits_are_refused_before_any_request(server, tmp_path, limits, words):
    with pytest.raises(InputError, match=words):
        fetch(server, cache_dir=tmp_path, **limits)
    assert server.requests == []


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs POSIX interval timers")
def test_keyboard_interrupt_leaves_no_partial_file(server, tmp_path, hgt_gz):
    server.skadi("N35E036", "stall", hgt_gz)

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.3)
        with pytest.raises(KeyboardInterrupt):
            fetch(server, cache_dir=tmp_path, timeout_s=5.0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert server.requests  # it was mid-download
    assert files_under(tmp_path) == []


def test_unknown_source_and_bad_base_url_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="skadi, copernicus"):
        fetch_tiles(bounds=BOX_N35E036, source="nasa", cache_dir=tmp_path)
    with pytest.raises(InputError, match="scheme"):
        fetch_tiles(bounds=BOX_N35E036, cache_dir=tmp_path, base_url="s3.amazonaws.com/elevation-tiles-prod")


# ---------------------------------------------------------------- find_cached_tiles

def put_skadi(cache: Path, tile: str, payload: bytes) -> Path:
    path = cache / "skadi" / tile[:3] / f"{tile}.hgt.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


def put_copernicus(cache: Path, tile: str, payload: bytes) -> Path:
    path = cache / "copernicus" / f"{copernicus_name(tile)}.tif"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return path


def test_find_cached_tiles_covers_or_returns_nothing(tmp_path, hgt_gz):
    hama = NAMED_AREAS["hama"]
    assert find_cached_tiles(hama, tmp_path) == []
    paths = [put_skadi(tmp_path, t, hgt_gz) for t in ["N34E036", "N34E037", "N35E036"]]
    assert find_cached_tiles(hama, tmp_path) == []  # N35E037 still missing
    assert find_cached_tiles((36.2, 34.2, 36.8, 35.8), tmp_path) == [paths[0], paths[2]]
    paths.append(put_skadi(tmp_path, "N35E037", hgt_gz))
    assert find_cached_tiles(hama, tmp_path) == paths


def test_find_cached_tiles_prefers_one_source_and_skadi(tmp_path, hgt_gz, monkeypatch):
    cog = cog_bytes()
    box = (36.5, 35.2, 37.5, 35.8)  # N35E036, N35E037
    cop = [put_copernicus(tmp_path, t, cog) for t in ["N35E036", "N35E037"]]
    skadi_west = put_skadi(tmp_path, "N35E036", hgt_gz)
    assert find_cached_tiles(box, tmp_path) == cop  # one source beats a mix
    skadi_east = put_skadi(tmp_path, "N35E037", hgt_gz)
    monkeypatch.setenv("TERRAIN_CACHE", str(tmp_path))
    assert find_cached_tiles(box) == [skadi_west, skadi_east]
    cop[0].unlink()
    (tmp_path / "skadi" / "N35" / "N35E037.hgt.gz").unlink()
    assert find_cached_tiles(box) == [skadi_west, cop[1]]  # a mix only when nothing else covers


def test_find_cached_tiles_ignores_broken_files(tmp_path, hgt_gz):
    put_skadi(tmp_path, "N35E036", hgt_gz[:-8])  # lost its gzip trailer
    put_copernicus(tmp_path, "N35E036", b"")
    with pytest.warns(UserWarning) as caught:
        assert find_cached_tiles(BOX_N35E036, tmp_path) == []
    assert [str(w.message).split(": ", 1)[1] for w in caught] == [
        "it is not a whole skadi tile; download it again with "
        "`terrain fetch --force --source skadi --bounds 36,35,37,36`",
        "it is not a whole copernicus tile; download it again with "
        "`terrain fetch --force --source copernicus --bounds 36,35,37,36`"]


# ---------------------------------------------------------------- provenance records: every use checks the tile

SKADI_N35E036 = ("skadi", "N35", "N35E036.hgt.gz")


def test_a_downloaded_tile_gets_a_provenance_record(server, tmp_path, hgt_gz):
    server.skadi("N35E036", "body", hgt_gz)
    before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    result, = fetch(server, cache_dir=tmp_path)
    record = json.loads(record_path(result.path).read_text())
    fetched = datetime.datetime.fromisoformat(record.pop("fetched_utc").replace("Z", "+00:00"))
    assert before <= fetched <= datetime.datetime.now(datetime.timezone.utc)
    assert record == {"format": 1, "source": "skadi", "tile": "N35E036",
                      "label": 'SRTM 3" (Terrain Tiles, skadi) — NASA/USGS, public domain',
                      "url": f"{server.url}/skadi/N35/N35E036.hgt.gz", "size_bytes": len(hgt_gz),
                      "sha256": hashlib.sha256(hgt_gz).hexdigest(), "rows": 1201, "cols": 1201}


def test_a_copernicus_record_holds_its_grid(server, tmp_path, cop_tile):
    server.copernicus("N35E036", "body", cop_tile)
    result, = fetch(server, "copernicus", tmp_path)
    record = read_record(result.path)
    assert (record.rows, record.cols, record.size_bytes) == (3600, 3600, len(cop_tile))
    assert record.label == "Copernicus GLO-30 DEM — © DLR/Airbus, ESA licence"


@pytest.mark.parametrize("damage, words", [
    (lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:], "its SHA-256 differs from the one recorded when it was "
                                                         "fetched on {day}"),   # same size, one bit flipped
    (lambda b: b[:100] + b"\0" * 10 + b[100:], "it has {n} bytes where its record says {m}"),  # ends intact
])
def test_a_corrupted_cached_tile_is_not_trusted_but_downloaded_again(server, tmp_path, hgt_gz, damage, words):
    server.skadi("N35E036", "body", hgt_gz)
    path = fetch(server, cache_dir=tmp_path)[0].path
    day = read_record(path).fetched_utc[:10]
    broken = damage(hgt_gz)
    path.write_bytes(broken)
    assert SOURCES["skadi"].is_complete(path)  # the old cheap check was fooled by both
    result, = fetch(server, cache_dir=tmp_path)
    assert (result.status, result.path) == ("downloaded", path)
    assert result.note == "the cached copy was corrupt: " + words.format(n=len(broken), m=len(hgt_gz), day=day)
    assert path.read_bytes() == hgt_gz and len(server.requests) == 2
    assert fetch(server, cache_dir=tmp_path)[0].status == "cached"


def test_force_downloads_a_cached_tile_again(server, tmp_path, hgt_gz):
    server.skadi("N35E036", "body", hgt_gz)
    fetch(server, cache_dir=tmp_path)
    first = read_record(tmp_path.joinpath(*SKADI_N35E036))
    result, = fetch(server, cache_dir=tmp_path, force=True)
    assert (result.status, result.note) == ("downloaded", "")
    assert len(server.requests) == 2
    assert read_record(result.path).sha256 == first.sha256


def test_a_cached_tile_without_a_record_is_used_and_says_so(server, tmp_path, hgt_gz):
    path = put_skadi(tmp_path, "N35E036", hgt_gz)  # cached by an older terrain, or copied in by hand
    result, = fetch(server, cache_dir=tmp_path)
    assert (result.status, result.path, result.note) == ("cached", path, UNRECORDED_NOTE)
    assert server.requests == []
    assert find_cached_tiles(BOX_N35E036, tmp_path) == [path]


def test_a_tile_changed_after_its_record_is_refused_by_find_cached_tiles(server, tmp_path, hgt_gz):
    server.skadi("N35E036", "body", hgt_gz)
    path = fetch(server, cache_dir=tmp_path)[0].path
    assert find_cached_tiles(BOX_N35E036, tmp_path) == [path]
    path.write_bytes(hgt_gz[:-1] + b"!")
    with pytest.warns(UserWarning, match=r"^the cached tile .*N35E036.hgt.gz is corrupt: its SHA-256 differs .*; "
                                         r"download it again with `terrain fetch --force --source skadi "
                                         r"--bounds 36,35,37,36`$"):
        assert find_cached_tiles(BOX_N35E036, tmp_path) == []


def test_an_unreadable_record_makes_the_tile_corrupt(server, tmp_path, hgt_gz):
    server.skadi("N35E036", "body", hgt_gz)
    path = fetch(server, cache_dir=tmp_path)[0].path
    record_path(path).write_text("{not json")
    result, = fetch(server, cache_dir=tmp_path)
    assert result.status == "downloaded" and "provenance record" in result.note and "unreadable" in result.note
    assert read_record(path).sha256 == hashlib.sha256(hgt_gz).hexdigest()


def test_load_dem_labels_a_cached_tile_from_its_record(server, tmp_path, hgt_gz):
    from terrain.dem import load_dem

    server.skadi("N35E036", "body", hgt_gz)
    path = fetch(server, cache_dir=tmp_path)[0].path
    assert load_dem(path).attrs["source"] == 'SRTM 3" (Terrain Tiles, skadi) — NASA/USGS, public domain'
    record_path(path).unlink()  # as if copied in by hand: its format says SRTM, its provenance nothing
    assert load_dem(path).attrs["source"] == ("N35E036.hgt.gz — origin unknown "
                                              "(in the tile cache without a provenance record)")


def test_load_dem_refuses_a_cached_tile_that_does_not_match_its_record(server, tmp_path, hgt_gz):
    from terrain.dem import load_dem
    from terrain.errors import DataError

    server.skadi("N35E036", "body", hgt_gz)
    path = fetch(server, cache_dir=tmp_path)[0].path
    # other heights in a valid gzip of the right size: readable, but not what was fetched
    path.write_bytes(gzip.compress(hgt_bytes()[::-1], compresslevel=1)[:len(hgt_gz)].ljust(len(hgt_gz), b"\0"))
    with pytest.raises(DataError, match=r"^the cached tile .* is corrupt: its SHA-256 differs .*; download it again "
                                        r"with `terrain fetch --force --source skadi --bounds 36,35,37,36`$"):
        load_dem(path)


def test_a_recorded_copernicus_tile_is_labelled_from_its_record_not_its_name(server, tmp_path, cop_tile):
    from terrain.dem import load_dem

    server.copernicus("N35E036", "body", cop_tile)
    path = fetch(server, "copernicus", tmp_path)[0].path
    assert load_dem(path, bounds=(36.1, 35.1, 36.2, 35.2)).attrs["source"] == read_record(path).label
    record_path(path).unlink()
    assert "origin unknown" in load_dem(path, bounds=(36.1, 35.1, 36.2, 35.2)).attrs["source"]


# ---------------------------------------------------------------- a download must have its tile's grid

@pytest.mark.parametrize("tile, west, north, shape, expected", [
    ("N35E036", 36.0, 36.0, (100_000, 100_000), "3600 x 3600"),   # a huge grid declared in a small file
    ("N35E036", 36.0, 36.0, (3600, 2400), "3600 x 3600"),
    ("N50E010", 10.0, 51.0, (3600, 3600), "3600 x 2400"),         # too wide for its latitude
])
def test_a_copernicus_tile_must_have_the_grid_of_its_latitude(server, tmp_path, tile, west, north, shape, expected):
    body = cog_bytes(shape=shape, west=west, north=north, sparse=True)
    assert len(body) < 2_000_000
    server.copernicus(tile, "body", body)
    with pytest.raises(FetchError, match=rf"^tile {tile} from .* declares {shape[0]} x {shape[1]} cells, not the "
                                         rf"{expected} of a Copernicus GLO-30 tile at its latitude; nothing was saved"):
        fetch(server, "copernicus", tmp_path, bounds=(west + 0.2, north - 0.8, west + 0.8, north - 0.2))
    assert files_under(tmp_path) == []


@pytest.mark.parametrize("tile, shape", [("N35E036", (3600, 3600)), ("N49E010", (3600, 3600)),
                                         ("N50E010", (3600, 2400)), ("S51W070", (3600, 2400)),
                                         ("S50W070", (3600, 3600)), ("N69E020", (3600, 1800)),
                                         ("N79E020", (3600, 1200)), ("N84E020", (3600, 720)),
                                         ("S90E000", (3600, 360))])
def test_copernicus_tile_shapes(tile, shape):
    assert copernicus_shape(tile) == shape
