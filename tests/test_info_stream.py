"""``terrain info`` on rasters too large to hold (issue #10 §4): the file is read block by block, with the
numbers of the whole-grid description, and memory stays bounded by a block however large the grid."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import rasterio
from affine import Affine
from conftest import REPO
from test_dem_geometry import NORTH_UP, _east_west, _south_up, _terrain, _write

from terrain.dem import read_dem, stream_dem
from terrain.dem_info import describe_grid, describe_stream


def _with_voids_and_ties(z):
    z = z.copy()
    z[3:9, 10:30] = np.nan
    z[50, 7] = np.inf            # a void by the one rule (voids_to_nan)
    top = float(np.nanmax(z[np.isfinite(z)]))
    z[70, 100] = z[90, 20] = top + 5.0   # two highest cells: the first in row order is named
    return z


@pytest.mark.parametrize("rows_per_block", [1, 7, 64, 1000])
def test_streamed_description_equals_the_whole_grids(tmp_path, rows_per_block):
    z = _with_voids_and_ties(_terrain())
    files = {"north_up": _write(tmp_path / "n.tif", z, NORTH_UP),
             "south_up": _write(tmp_path / "s.tif", *_south_up(z)),
             "east_west": _write(tmp_path / "e.tif", *_east_west(z)),
             "packed": _write(tmp_path / "p.tif", np.nan_to_num(np.round((z + 100) * 10), nan=0, posinf=0),
                              NORTH_UP, dtype="uint16", nodata=0, scale=0.1, offset=-100.0),
             "srtm": REPO / "dem_samples" / "N44W072.hgt",
             "hama": REPO / "dem_samples" / "hama_standin.tif"}
    for name, path in files.items():
        whole = describe_grid(read_dem(path))
        streamed = describe_stream(stream_dem(path), rows_per_block=rows_per_block)
        assert streamed == whole, name
    assert describe_stream(stream_dem(files["south_up"]))["max_row"] == 70


def test_all_void_file_is_refused_streamed(tmp_path):
    path = _write(tmp_path / "void.tif", np.full((20, 30), -9999.0), NORTH_UP, nodata=-9999.0)
    from terrain.errors import DataError

    with pytest.raises(DataError, match="no elevation values"):
        describe_stream(stream_dem(path), rows_per_block=4)


def test_info_on_a_huge_sparse_geotiff_stays_small(tmp_path):
    """A 20000 x 20000 sparse GeoTIFF of a few kB: whole it would take 1.6 GB; info reads it in blocks."""
    path = tmp_path / "sparse.tif"
    n = 20000
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=1, dtype="int16", nodata=-32768,
                       crs="EPSG:32637", transform=Affine(1.0, 0.0, 500000.0, 0.0, -1.0, 4000000.0),
                       tiled=True, blockxsize=512, blockysize=512, compress="deflate", sparse_ok=True) as ds:
        hill = (np.arange(100, dtype=np.int16)[:, None] + np.arange(200, dtype=np.int16)[None, :])
        ds.write(hill[None], window=rasterio.windows.Window(15000, 12000, 200, 100))
    assert path.stat().st_size < 200_000
    code = ("import json, sys; from terrain.cli.main import cli; sys.argv = ['terrain', 'info', "
            f"{str(path)!r}, '--json']\ntry:\n    cli()\nexcept SystemExit:\n    pass\n"
            # VmHWM, not ru_maxrss: the latter keeps the forked pytest's size across exec
            "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
            "print('MAXRSS', hwm, file=sys.stderr)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    info = json.loads(res.stdout)
    assert (info["rows"], info["cols"]) == (n, n)
    assert info["elevation_max_m"] == 298.0 and info["elevation_min_m"] == 0.0
    assert (info["max_row"], info["max_col"]) == (12099, 15199)
    assert info["void_percent"] == pytest.approx(100.0 * (1 - 20000 / n**2))
    assert info["cell_size_m"]["north_south"] == pytest.approx(1.0)
    maxrss_mb = int(res.stderr.split("MAXRSS")[-1]) / 1024
    assert maxrss_mb < 700, maxrss_mb   # the grid alone would be 1526 MB
