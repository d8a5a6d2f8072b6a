"""The visibility index of a DEM larger than memory (issue #9 §7): read band by band from a file or a VRT of
tiles, each band with a halo of one radius; the result equals the in-memory index, locally and on Dask."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import rasterio
from affine import Affine

import terrain
from terrain.errors import InputError
from terrain.multi import visibility_index
from terrain.multi.tiled import visibility_index_from_file

CELL = 30.0
X0, Y0 = 500000.0, 4000000.0


def _terrain(n, m, seed):
    rng = np.random.default_rng(seed)
    z = np.cumsum(np.cumsum(rng.normal(0, 1.0, (n, m)), 0), 1) * 0.02 + 300.0
    return z.astype(np.float32)


def _mosaic(folder, tiles=2, size=200, seed=1):
    """A VRT of ``tiles x tiles`` synthetic GeoTIFF tiles of ``size`` cells a side (UTM 37N, 30 m); its path."""
    z = _terrain(tiles * size, tiles * size, seed)
    sources = []
    for i in range(tiles):
        for j in range(tiles):
            path = folder / f"tile_{i}_{j}.tif"
            t = Affine(CELL, 0, X0 + j * size * CELL, 0, -CELL, Y0 - i * size * CELL)
            with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=1, dtype="float32",
                               crs="EPSG:32637", transform=t, tiled=True, compress="deflate") as ds:
                ds.write(z[i * size:(i + 1) * size, j * size:(j + 1) * size][None])
            sources.append(f"""
    <SimpleSource>
      <SourceFilename relativeToVRT="1">{path.name}</SourceFilename>
      <SourceBand>1</SourceBand>
      <SrcRect xOff="0" yOff="0" xSize="{size}" ySize="{size}"/>
      <DstRect xOff="{j * size}" yOff="{i * size}" xSize="{size}" ySize="{size}"/>
    </SimpleSource>""")
    with rasterio.open(folder / "tile_0_0.tif") as ds:
        wkt = ds.crs.to_wkt()
    n = tiles * size
    vrt = folder / "mosaic.vrt"
    vrt.write_text(f"""<VRTDataset rasterXSize="{n}" rasterYSize="{n}">
  <SRS>{wkt.replace('"', '&quot;')}</SRS>
  <GeoTransform>{X0}, {CELL}, 0, {Y0}, 0, {-CELL}</GeoTransform>
  <VRTRasterBand dataType="Float32" band="1">{''.join(sources)}
  </VRTRasterBand>
</VRTDataset>
""")
    return vrt, z


@pytest.mark.parametrize("method", ["fast", "refined"])
def test_bands_of_a_vrt_mosaic_equal_the_index_in_memory_bit_for_bit(tmp_path, method):
    vrt, z = _mosaic(tmp_path)
    dem = terrain.load_dem(vrt)
    assert np.array_equal(dem.values, z)
    whole = visibility_index(dem, radius=900.0, stride=7, method=method, observer_height=3.0)
    banded = visibility_index_from_file(vrt, 900.0, 7, dict(method=method, observer_height=3.0), tile_rows=21)
    assert banded.attrs["bands"] == 20 and banded.attrs["band_rows"] == 21
    assert np.array_equal(banded.values, whole.values, equal_nan=True)
    assert banded.rio.transform() == whole.rio.transform() and banded.rio.crs == whole.rio.crs
    # through visibility_index itself, given the path: the same
    by_path = visibility_index(str(vrt), radius=900.0, stride=7, method=method, observer_height=3.0)
    assert np.array_equal(by_path.values, whole.values, equal_nan=True)


def test_bands_on_dask_read_their_own_rows(tmp_path):
    distributed = pytest.importorskip("distributed")
    vrt, _ = _mosaic(tmp_path, seed=2)
    local = visibility_index_from_file(vrt, 600.0, 9, dict(method="fast"), tile_rows=36)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = visibility_index(str(vrt), radius=600.0, stride=9, method="fast", backend="dask", client=client)
    assert np.array_equal(remote.values, local.values, equal_nan=True)


def test_a_lat_lon_tile_in_bands_agrees_with_the_whole(white_mountains_path, white_mountains):
    part = white_mountains.isel(y=slice(0, 240), x=slice(0, 240))
    whole = visibility_index(part, radius=1500.0, stride=20, method="fast")
    path = white_mountains_path.parent / "N44W072.hgt"
    banded = visibility_index_from_file(path, 1500.0, 20, dict(method="fast"), tile_rows=60)
    # the first 12 x 12 observers lie in the part analysed whole; the part's edges cut their discs, so compare
    # those far enough inside it
    a, b = whole.values[:9, :9], banded.values[:9, :9]
    np.testing.assert_allclose(b, a, rtol=1e-9)


def test_bad_inputs_are_refused_in_one_sentence(tmp_path):
    vrt, _ = _mosaic(tmp_path, tiles=1, size=60)
    with pytest.raises(InputError, match="must be a raster file"):
        visibility_index(str(vrt), radius=300.0, obstacles=np.zeros((60, 60)))
    with pytest.raises(InputError, match="needs more than"):
        visibility_index_from_file(vrt, 1500.0, 1, {}, band_bytes=4 * 60 * 20)


def test_memory_stays_at_one_band_while_the_mosaic_is_larger(tmp_path):
    """A 2 x 2 mosaic of 64 MB (float32): in bands of at most 8 MB the run's peak memory grows by less than
    48 MB (the limit set here: the band, GDAL's 16 MB block cache and its open files), while loading the
    mosaic whole grows it by more than 64 MB."""
    vrt, _ = _mosaic(tmp_path, tiles=2, size=2000, seed=3)
    code = textwrap.dedent(f"""
        import json, sys
        import numpy as np
        import terrain
        from terrain.multi import visibility_index
        from terrain.multi.tiled import visibility_index_from_file

        def rss(key):
            for line in open("/proc/self/status"):
                if line.startswith(key):
                    return int(line.split()[1]) * 1024

        small = terrain.dem_from_array(np.zeros((50, 50), np.float32), (0, 30.0, 0, 0, 0, -30.0), crs="EPSG:32637")
        visibility_index(small, radius=300.0, stride=10, method="fast")   # compile / load the kernels first
        open("/proc/self/clear_refs", "w").write("5")                    # reset the peak
        before = rss("VmRSS")
        if sys.argv[1] == "bands":
            vi = visibility_index_from_file({str(vrt)!r}, 600.0, 50, dict(method="fast"), band_bytes=8 * 2 ** 20)
        else:
            vi = visibility_index(terrain.load_dem({str(vrt)!r}), radius=600.0, stride=50, method="fast")
        print(json.dumps({{"growth": rss("VmHWM") - before, "sum": float(np.nansum(vi.values))}}))
    """)
    out = {}
    for mode in ("bands", "whole"):
        res = subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, check=False)
        assert res.returncode == 0, res.stderr[-2000:]
        out[mode] = json.loads(res.stdout.strip().splitlines()[-1])
    limit = 48 * 2 ** 20
    assert out["bands"]["growth"] < limit < 64 * 2 ** 20 < out["whole"]["growth"], out
    assert out["bands"]["sum"] == out["whole"]["sum"]


def test_terrain_vindex_reads_a_large_file_band_by_band(tmp_path):
    """A 12000 x 12000 float32 file (576 MB as a grid, a few kB sparse on disk: a plane at 0 m): the command
    runs it band by band, and every observer away from the edges sees the disc an in-memory plane gives."""
    path = tmp_path / "plane.tif"
    n = 12000
    with rasterio.open(path, "w", driver="GTiff", width=n, height=n, count=1, dtype="float32", crs="EPSG:32637",
                       transform=Affine(CELL, 0.0, X0, 0.0, -CELL, Y0), tiled=True, blockxsize=512,
                       blockysize=512, compress="deflate", sparse_ok=True):
        pass
    code = ("import sys; from terrain.cli.main import cli; sys.argv = ['terrain', 'vindex', "
            f"{str(path)!r}, '--radius', '600', '--stride', '1500', '--method', 'fast', '--json', '--out', "
            f"{str(tmp_path / 'vi.tif')!r}]\ntry:\n    cli()\nexcept SystemExit as e:\n    sys.exit(e.code)\n")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    out = json.loads(res.stdout)
    assert out["cells"] == 64
    with rasterio.open(tmp_path / "vi.tif") as ds:
        vi = ds.read(1)
        assert ds.transform.a == pytest.approx(1500 * CELL)
    small = terrain.dem_from_array(np.zeros((81, 81), np.float32), (X0, CELL, 0, Y0, 0, -CELL), crs="EPSG:32637")
    disc = float(visibility_index(small, radius=600.0, stride=40, method="fast").values[1, 1])
    assert disc == pytest.approx(np.pi * 0.36, rel=0.02)
    assert np.array_equal(vi[1:, 1:], np.full((7, 7), disc, np.float32))
