"""Writing covered routes: GeoJSON, GeoPackage and KML read back with their figures and coordinates."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from test_route import at, valley_terrain

from terrain import InputError
from terrain.route import covered_route
from terrain.route_files import write_route


@pytest.fixture(scope="module")
def result():
    dem, _ = valley_terrain()
    return covered_route(dem, at(dem, 30, 5), at(dem, 30, 84), [at(dem, 4, 45)], observer_height=5.0)


def test_geojson_holds_both_paths_with_units_in_the_names(tmp_path, result):
    path = write_route(result, tmp_path / "route.geojson")
    doc = json.loads(path.read_text())
    covered, shortest = doc["features"]
    assert covered["properties"]["kind"] == "covered" and shortest["properties"]["kind"] == "shortest"
    assert covered["geometry"]["type"] == "LineString"
    assert covered["properties"]["length_km"] == pytest.approx(result.route.length_km, abs=1e-3)
    assert covered["properties"]["exposed_km"] == pytest.approx(result.route.exposed_km, abs=1e-3)
    assert shortest["properties"]["longest_exposed_km"] == pytest.approx(result.shortest.longest_exposed_km,
                                                                         abs=1e-3)
    lon, lat = covered["geometry"]["coordinates"][0]
    assert (lat, lon) == pytest.approx((result.route.lat[0], result.route.lon[0]), abs=1e-6)
    assert len(covered["geometry"]["coordinates"]) == result.route.rows.size


def test_gpkg_reads_back(tmp_path, result):
    pyogrio = pytest.importorskip("pyogrio")
    path = write_route(result, tmp_path / "route.gpkg")
    meta, _, geometry, fields = pyogrio.raw.read(str(path))
    names = list(meta["fields"])
    assert meta["geometry_type"] == "LineString" and "4326" in meta["crs"]
    assert list(fields[names.index("kind")]) == ["covered", "shortest"]
    assert fields[names.index("exposed_km")][0] == pytest.approx(result.route.exposed_km, abs=1e-3)
    assert len(geometry) == 2


def test_kml_has_lon_lat_coordinates(tmp_path, result):
    path = write_route(result, tmp_path / "route.kml")
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.parse(path).getroot()
    marks = root.findall(".//k:Placemark", ns)
    assert [m.find("k:name", ns).text for m in marks] == ["Covered route", "Shortest path"]
    first = marks[0].find(".//k:coordinates", ns).text.split()[0]
    lon, lat = map(float, first.split(","))
    assert (lat, lon) == pytest.approx((result.route.lat[0], result.route.lon[0]), abs=1e-6)
    data = {d.get("name"): d.find("k:value", ns).text for d in marks[1].findall(".//k:Data", ns)}
    assert float(data["length_km"]) == pytest.approx(result.shortest.length_km, abs=1e-3)


def test_unknown_extension_is_refused_before_writing(tmp_path, result):
    with pytest.raises(InputError, match="geojson"):
        write_route(result, tmp_path / "route.shp")
    assert not list(tmp_path.iterdir())
