"""Writers: GeoTIFF (and COG), NetCDF, GeoJSON, GeoPackage and KML/KMZ read back with the values and
georeferencing they were given."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import rasterio
import rasterio.features
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
        np.testing.assert_array_equal(back.min_visible_height.values, result.min_visible_height.values)
        assert back["observer_lat"].item() == pytest.approx(44.2708)
        assert back.visible.attrs["_FillValue"] == 255
    with xr.open_dataset(path) as back:  # CF decoding: not analysed is masked, the flags say what 0 and 1 mean
        assert np.isnan(back.visible.values[result.visible.values == 255]).all()
        assert list(back.visible.attrs["flag_values"]) == [0, 1]
        assert back.visible.attrs["flag_meanings"] == "hidden visible"


def test_netcdf_is_compressed_cf_that_gdal_reads(result, tmp_path):
    import netCDF4

    path = write_netcdf(result, tmp_path / "vs.nc")
    with netCDF4.Dataset(path) as nc:
        for name in ("visible", "min_visible_height", "elevation_angle"):
            var = nc[name]
            assert var.filters()["zlib"] and var.filters()["shuffle"], name
            assert var.grid_mapping == "spatial_ref" and "crs_wkt" in nc["spatial_ref"].ncattrs()
        assert nc["visible"]._FillValue == 255 and math.isnan(nc["min_visible_height"]._FillValue)
        assert "_FillValue" not in nc["x"].ncattrs()  # CF: no fill value on coordinates
    plain = tmp_path / "plain.nc"
    result.drop_vars("spatial_ref").to_netcdf(plain)  # what xarray writes without compression
    assert path.stat().st_size < 0.75 * plain.stat().st_size
    with rasterio.open(f"netcdf:{path}:visible") as ds:  # GDAL (and so QGIS) sees the nodata and the CRS
        assert ds.nodata == 255 and ds.crs.to_epsg() == 4326
        np.testing.assert_array_equal(ds.read(1), result.visible.values)
        assert ds.transform.almost_equals(result.rio.transform())


def test_geotiff_tags_carry_the_observer_and_no_timings(result, tmp_path):
    a = write_geotiff(result, tmp_path / "a.tif")
    b = write_geotiff(viewshed(result_dem(result), "44.2708,-71.3033", max_distance=6000, method="fast"),
                      tmp_path / "b.tif")
    with rasterio.open(a) as da, rasterio.open(b) as db:
        assert da.tags() == db.tags()
        assert float(da.tags()["observer_lat"]) == pytest.approx(44.2708)
        assert "kernel_seconds" not in da.tags()
        assert da.tags(1)["flag_meanings"] == "hidden visible" and da.tags(1)["flag_values"] == "0 1"


def result_dem(result):
    import terrain

    return terrain.load_dem(result.attrs["files"])


def test_cog(result, tmp_path):
    path = write_geotiff(result, tmp_path / "vs.tif", cog=True)
    with rasterio.open(path) as ds:
        assert ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT") == "COG"
        assert ds.profile["tiled"] and ds.nodata == 255 and ds.crs.to_epsg() == 4326
        np.testing.assert_array_equal(ds.read(1), result.visible.values)
        assert ds.tags()["method"] == "fast"


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


def _planar_area_km2(polygons) -> float:
    """Area of GeoJSON-like polygons (outer ring minus holes) in a projected CRS, km²."""
    def ring_area(ring):
        x, y = np.asarray(ring).T
        return abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))) / 2.0

    return sum(ring_area(p[0]) - sum(ring_area(h) for h in p[1:]) for p in polygons) / 1e6


@pytest.fixture(scope="module")
def projected():
    """A viewshed on a UTM grid (a ridge with dead ground behind it)."""
    from terrain import dem_from_array

    n, cell = 161, 30.0
    yy, xx = np.mgrid[0:n, 0:n]
    z = (40.0 * np.exp(-((xx - 110) / 6.0) ** 2) + 5.0 * np.sin(yy / 7.0)).astype(np.float32)
    dem = dem_from_array(z, (500000, cell, 0, 4000000 + n * cell, 0, -cell), crs="EPSG:32633")
    t = dem.rio.transform()
    return viewshed(dem, f"xy:{t.c + 40.5 * cell},{t.f - 80.5 * cell}", max_distance=2200, method="exact")


def test_geopackage_in_the_grids_crs(projected, tmp_path):
    pyogrio = pytest.importorskip("pyogrio")
    from pyproj import CRS

    from terrain.export import write_geopackage

    assert (projected.visible.values == 0).sum() > 100 and (projected.visible.values == 1).sum() > 100
    path = write_geopackage(projected, tmp_path / "vs.gpkg")
    info = pyogrio.read_info(path)
    assert info["geometry_type"] == "MultiPolygon" and info["features"] == 1
    assert CRS.from_user_input(info["crs"]).to_epsg() == 32633
    meta, _, geoms, values = pyogrio.raw.read(path)
    fields = dict(zip(meta["fields"], (v[0] for v in values)))
    assert fields["method"] == "exact" and fields["observer_x"] == pytest.approx(projected.observer_x.item())
    assert fields["area_km2"] == pytest.approx(visible_area_km2(projected), rel=1e-6)
    # the geometry, decoded by GDAL (rewritten as GeoJSON), covers exactly the visible cells
    pyogrio.raw.write(str(tmp_path / "back.geojson"), geoms, [], [], driver="GeoJSON",
                      geometry_type="MultiPolygon", crs="EPSG:32633")
    geom = json.loads((tmp_path / "back.geojson").read_text())["features"][0]["geometry"]
    assert _planar_area_km2(geom["coordinates"]) == pytest.approx(visible_area_km2(projected), rel=1e-9)
    burnt = rasterio.features.rasterize([geom], out_shape=projected.visible.shape,
                                        transform=projected.rio.transform())
    np.testing.assert_array_equal(burnt == 1, projected.visible.values == 1)


def test_geopackage_without_pyogrio_names_the_install(projected, tmp_path, monkeypatch):
    import sys

    from terrain.errors import InputError
    from terrain.export import write_geopackage

    monkeypatch.setitem(sys.modules, "pyogrio.raw", None)
    monkeypatch.setitem(sys.modules, "pyogrio", None)
    with pytest.raises(InputError, match="pip install pyogrio"):
        write_geopackage(projected, tmp_path / "vs.gpkg")
    assert list(tmp_path.iterdir()) == []


def _kml_polygons(text: bytes):
    from xml.etree import ElementTree as ET

    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.fromstring(text)
    polys = []
    for poly in root.iterfind(".//k:Placemark/k:MultiGeometry/k:Polygon", ns):
        rings = [poly.find("k:outerBoundaryIs/k:LinearRing/k:coordinates", ns)]
        rings += poly.findall("k:innerBoundaryIs/k:LinearRing/k:coordinates", ns)
        polys.append([[tuple(map(float, p.split(","))) for p in r.text.split()] for r in rings])
    return root, ns, polys


def test_kml_and_kmz(result, tmp_path):
    import zipfile

    from terrain.export import write_kml

    kml = write_kml(result, tmp_path / "vs.kml")
    root, ns, polys = _kml_polygons(kml.read_bytes())
    assert root.find("k:Document/k:name", ns).text == "visible"
    geod = Geod(ellps="WGS84")
    area = 0.0
    for poly in polys:
        for k, ring in enumerate(poly):
            lon, lat = zip(*ring)
            assert -72 < min(lon) and max(lon) < -71 and 44 < min(lat) and max(lat) < 45  # lon,lat order
            a = abs(geod.polygon_area_perimeter(lon, lat)[0])
            area += a if k == 0 else -a
    assert area / 1e6 == pytest.approx(visible_area_km2(result), rel=0.005)
    data = {d.get("name"): d.find("k:value", ns).text for d in root.iterfind(".//k:ExtendedData/k:Data", ns)}
    assert data["method"] == "fast" and float(data["observer_lat"]) == pytest.approx(44.2708)
    point = root.find(".//k:Point/k:coordinates", ns).text.split(",")
    assert float(point[0]) == pytest.approx(-71.3033, abs=1e-3) and float(point[1]) == pytest.approx(44.2708, abs=1e-3)
    kmz = write_kml(result, tmp_path / "vs.kmz")
    with zipfile.ZipFile(kmz) as z:
        assert z.namelist() == ["doc.kml"] and z.read("doc.kml") == kml.read_bytes()


@pytest.mark.parametrize("ext, check", [
    ("tif", lambda p: rasterio.open(p).read(1).dtype == np.uint8),
    ("nc", lambda p: "visible" in xr.open_dataset(p).data_vars),
    ("geojson", lambda p: json.loads(p.read_text())["type"] == "FeatureCollection"),
    ("kml", lambda p: p.read_bytes().startswith(b"<?xml")),
    ("kmz", lambda p: p.read_bytes()[:2] == b"PK"),
])
def test_write_result_follows_the_extension(result, tmp_path, ext, check):
    from terrain.export import write_result

    path = write_result(result, tmp_path / f"vs.{ext.upper()}")
    assert check(path)


@pytest.mark.parametrize("name", ["vs.asc", "vs.shp", "vs.png", "vs"])
def test_write_result_refuses_formats_it_does_not_write(result, tmp_path, name):
    from terrain.errors import InputError
    from terrain.export import write_result

    with pytest.raises(InputError, match="does not write|no extension"):
        write_result(result, tmp_path / name)
    with pytest.raises(InputError, match=r"\.tif, \.tiff"):
        write_geotiff(result, tmp_path / "vs.nc")
    assert list(tmp_path.iterdir()) == []
