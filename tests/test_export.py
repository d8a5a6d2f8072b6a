"""Writers: GeoTIFF, NetCDF and GeoJSON read back with the values and georeferencing they were given."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import rasterio
import xarray as xr
from pyproj import Geod

from terrain import viewshed, write_geojson, write_geotiff, write_netcdf
from terrain.viewshed import visible_area_km2


@pytest.fixture(scope="module")
def result(white_mountains):
    return viewshed(white_mountains, "44.2708,-71.3033", max_distance=6000, method="fast")


def test_geotiff_roundtrip(result, tmp_path):
    path = write_geotiff(result, tmp_path / "vs.tif")
    with rasterio.open(path) as ds:
        assert ds.nodata == 255 and ds.crs.to_epsg() == 4326
        assert ds.profile["compress"] == "deflate" and ds.profile["tiled"]
        np.testing.assert_array_equal(ds.read(1), result.visible.values)
        assert ds.transform.almost_equals(result.rio.transform())
        assert ds.tags()["method"] == "fast"
    mvh = write_geotiff(result, tmp_path / "mvh.tif", "min_visible_height")
    with rasterio.open(mvh) as ds:
        np.testing.assert_array_equal(ds.read(1), result.min_visible_height.values)
        assert math.isnan(ds.nodata)


def test_netcdf_roundtrip(result, tmp_path):
    path = write_netcdf(result, tmp_path / "vs.nc")
    with xr.open_dataset(path, mask_and_scale=False) as back:
        np.testing.assert_array_equal(back.visible.values, result.visible.values)
        assert back["observer_lat"].item() == pytest.approx(44.2708)
        assert back.visible.attrs["_FillValue"] == 255


def test_geojson_area_matches_raster(result, tmp_path):
    path = write_geojson(result, tmp_path / "vs.geojson")
    doc = json.loads(path.read_text())
    geom = doc["features"][0]["geometry"]
    assert geom["type"] == "MultiPolygon" and doc["features"][0]["properties"]["method"] == "fast"
    geod = Geod(ellps="WGS84")
    area = 0.0
    for poly in geom["coordinates"]:
        for k, ring in enumerate(poly):
            lon, lat = zip(*ring)
            a = abs(geod.polygon_area_perimeter(lon, lat)[0])
            area += a if k == 0 else -a
        assert -72 < poly[0][0][0] < -71 and 44 < poly[0][0][1] < 45  # lon, lat order
    assert area / 1e6 == pytest.approx(visible_area_km2(result), rel=0.005)


def test_failed_write_leaves_nothing(result, tmp_path, monkeypatch):
    def broken(self, *args, **kwargs):
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C in the middle of writing

    monkeypatch.setattr(rasterio.io.DatasetWriter, "write", broken)
    with pytest.raises(KeyboardInterrupt):
        write_geotiff(result, tmp_path / "x.tif")
    assert list(tmp_path.iterdir()) == []


def test_written_files_get_ordinary_permissions(result, tmp_path):
    import os
    import stat

    path = write_geotiff(result, tmp_path / "vs.tif")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
