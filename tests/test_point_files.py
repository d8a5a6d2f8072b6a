"""Files of points (``terrain/point_files.py``): CSV with a header, GeoJSON, GeoPackage and Shapefile points,
read the same way by every command that takes a list of observers, and refused with a sentence when wrong."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from click.testing import CliRunner

from terrain.cli.main import cli
from terrain.coords import XY, LatLon
from terrain.errors import InputError
from terrain.point_files import read_points

try:
    import pyogrio  # noqa: F401  (GeoPackage and Shapefile points are read with it: an optional dependency)

    HAVE_PYOGRIO = True
except ImportError:
    HAVE_PYOGRIO = False
needs_pyogrio = pytest.mark.skipif(not HAVE_PYOGRIO, reason="pyogrio is not installed (pip install terrain[vector])")
FORMATS = ["csv", "geojson", pytest.param("gpkg", marks=needs_pyogrio), pytest.param("shp", marks=needs_pyogrio)]

WM = "dem_samples/N44W072.hgt"
# the gazetteer's coordinates (dem_samples/white_mountains_places.csv)
PEAKS = [("Mount Washington", 44.2706, -71.3033), ("Mount Adams", 44.3203, -71.2914),
         ("Mount Jefferson", 44.3042, -71.3170)]
TYPED = ";".join(f"{lat},{lon}" for _, lat, lon in PEAKS)
NAMES = [n for n, _, _ in PEAKS]


@pytest.fixture
def run(monkeypatch):
    from conftest import REPO

    monkeypatch.chdir(REPO)
    runner = CliRunner()
    return lambda *args: runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def geojson(features) -> str:
    return json.dumps({"type": "FeatureCollection", "features": features})


def point_feature(name, lat, lon, **props):
    return {"type": "Feature", "properties": {"name": name, **props},
            "geometry": {"type": "Point", "coordinates": [lon, lat]}}


def wkb_point(x, y) -> bytes:
    return struct.pack("<BIdd", 1, 1, x, y)


def write_vector(path, points, driver, crs="EPSG:4326", fields=("name",)):
    pyogrio_raw = pytest.importorskip("pyogrio.raw")
    geometry = np.array([wkb_point(x, y) if x is not None else None for _, x, y in points], dtype=object)
    names = np.array([n for n, _, _ in points], dtype=object)
    pyogrio_raw.write(str(path), geometry, [names], list(fields), geometry_type="Point", crs=crs, driver=driver)
    return path


@pytest.fixture
def files(tmp_path):
    """The three summits in every format read, each with its names."""
    out = {}
    # columns in another order and case, a semicolon between them, a name holding the separator's neighbour
    csv = tmp_path / "peaks.csv"
    csv.write_text("LON;Name;Lat\n" + "".join(f"{lon};{n};{lat}\n" for n, lat, lon in PEAKS))
    out["csv"] = csv
    gj = tmp_path / "peaks.geojson"
    gj.write_text(geojson([point_feature(n, lat, lon) for n, lat, lon in PEAKS]))
    out["geojson"] = gj
    if HAVE_PYOGRIO:
        vector = [(n, lon, lat) for n, lat, lon in PEAKS]
        out["gpkg"] = write_vector(tmp_path / "peaks.gpkg", vector, "GPKG")
        out["shp"] = write_vector(tmp_path / "peaks.shp", vector, "ESRI Shapefile", fields=("NAME",))
    return out


# --- the reader --------------------------------------------------------------------------------------

def test_csv_with_a_header_in_any_order_and_case(tmp_path):
    f = tmp_path / "o.csv"
    f.write_text("\ufefflatitude,Longitude,label,height_m\n44.2706,-71.3033,Mount Washington,10\n"
                 "# a comment\n\n44.3203,-71.2914,,\n")
    got = read_points(f)
    assert got.points == [LatLon(44.2706, -71.3033, "Mount Washington"), LatLon(44.3203, -71.2914, None)]
    assert got.heights_m == [10.0, None]


def test_csv_of_x_y_is_in_the_dem_crs_and_keeps_names(tmp_path, run):
    f = tmp_path / "xy.csv"
    f.write_text("y\tx\tname\n" + "".join(f"{lat}\t{lon}\t{n}\n" for n, lat, lon in PEAKS[:2]))
    assert read_points(f).points == [XY(-71.3033, 44.2706, "Mount Washington"), XY(-71.2914, 44.3203, "Mount Adams")]
    res = run("intervis", WM, "--points", f, "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["names"] == NAMES[:2]


def test_one_point_a_line_still_works(tmp_path):
    f = tmp_path / "o.txt"
    f.write_text("# summits\nMount Washington\n44.3203,-71.2914\nxy:-71.3170,44.3042\n")
    assert read_points(f).points == ["Mount Washington", "44.3203,-71.2914", "xy:-71.3170,44.3042"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_the_same_points(files, fmt):
    got = read_points(files[fmt])
    assert [p.name for p in got.points] == NAMES
    assert [(round(p.lat, 6), round(p.lon, 6)) for p in got.points] == [(lat, lon) for _, lat, lon in PEAKS]


@needs_pyogrio
def test_a_layer_in_another_crs_is_transformed(tmp_path):
    from pyproj import Transformer

    tr = Transformer.from_crs("EPSG:4326", "EPSG:32619", always_xy=True)
    utm = [(n, *tr.transform(lon, lat)) for n, lat, lon in PEAKS]
    got = read_points(write_vector(tmp_path / "utm.gpkg", utm, "GPKG", crs="EPSG:32619"))
    for p, (_, lat, lon) in zip(got.points, PEAKS):
        assert (p.lat, p.lon) == pytest.approx((lat, lon), abs=1e-7)


def test_unrecognised_columns_name_what_was_found_and_what_is_wanted(tmp_path):
    f = tmp_path / "o.csv"
    f.write_text("site,northing_km,east\nA,1,2\n")
    with pytest.raises(InputError) as e:
        read_points(f)
    msg = str(e.value)
    assert "has the columns site, northing_km, east" in msg and "lat and lon" in msg and "x and y" in msg
    assert msg.count(";") <= 1 and "\n" not in msg


def test_bad_rows_name_the_line(tmp_path):
    f = tmp_path / "o.csv"
    f.write_text("name,lat,lon\nA,44.27,-71.30\nB,north,-71.29\n")
    with pytest.raises(InputError, match=r"line 3 \(B\): lat 'north' is not a number"):
        read_points(f)
    f.write_text("name,lat,lon\nA,-95.30,44.27\n")
    with pytest.raises(InputError, match=r"line 2 \(A\).*latitude must be within"):
        read_points(f)


@pytest.mark.parametrize("geometry, kind", [
    (None, "has no geometry \\(null\\)"),
    ({"type": "LineString", "coordinates": [[-71.3, 44.2], [-71.2, 44.3]]}, "is a LineString, not a Point"),
    ({"type": "MultiPoint", "coordinates": [[-71.3, 44.2]]}, "is a MultiPoint, not a Point"),
])
def test_geojson_feature_that_is_not_a_point_is_named_by_index(tmp_path, geometry, kind):
    f = tmp_path / "o.geojson"
    f.write_text(geojson([point_feature("a", 44.27, -71.30), point_feature("b", 44.3, -71.2),
                          {"type": "Feature", "properties": {"name": "c"}, "geometry": geometry}]))
    with pytest.raises(InputError, match="feature index 2 " + kind):
        read_points(f)


@needs_pyogrio
def test_gpkg_null_and_non_point_geometries_are_named_by_index(tmp_path):
    pyogrio_raw = pytest.importorskip("pyogrio.raw")
    path = write_vector(tmp_path / "null.gpkg", [("a", -71.30, 44.27), ("b", None, None)], "GPKG")
    with pytest.raises(InputError, match=r"feature index 1 \(FID 2\) has no geometry"):
        read_points(path)
    line = struct.pack("<BII", 1, 2, 2) + struct.pack("<4d", -71.3, 44.2, -71.2, 44.3)
    pyogrio_raw.write(str(tmp_path / "line.gpkg"), np.array([line], dtype=object), [np.array(["l"], dtype=object)],
                      ["name"], geometry_type="LineString", crs="EPSG:4326", driver="GPKG")
    with pytest.raises(InputError, match=r"feature index 0 \(FID 1\) is a LineString, not a Point"):
        read_points(tmp_path / "line.gpkg")


def test_reading_is_bounded(tmp_path, monkeypatch):
    import terrain.point_files as pf

    with pytest.raises(InputError, match="NUL bytes"):
        read_points("/dev/zero")                  # refused at the first block, not read forever
    f = tmp_path / "big.csv"
    f.write_text("lat,lon\n" + "44.27,-71.30\n" * 50)
    monkeypatch.setattr(pf, "MAX_BYTES", 300)
    with pytest.raises(InputError, match="over the 0 MB|is 0 MB, over"):
        read_points(f)
    monkeypatch.setattr(pf, "MAX_BYTES", 10**6)
    monkeypatch.setattr(pf, "MAX_POINTS", 20)
    with pytest.raises(InputError, match="more than the 20 a file of points may have"):
        read_points(f)
    gj = tmp_path / "big.geojson"
    gj.write_text(geojson([point_feature("a", 44.27, -71.30)] * 21))
    with pytest.raises(InputError, match="holds 21 points, more than the 20"):
        read_points(gj)


# --- through every command ---------------------------------------------------------------------------

def observers_of(res) -> list:
    data = json.loads(res.stdout)
    return [(o["name"], o["visible_km2"]) for o in data["observers"]]


@pytest.mark.parametrize("fmt", FORMATS)
def test_cumulative_reads_each_format(run, files, fmt):
    typed = run("cumulative", WM, "--observers", TYPED, "--radius", "3km", "--json")
    for spelling in (files[fmt], f"@{files[fmt]}"):
        res = run("cumulative", WM, "--observers", spelling, "--radius", "3km", "--json")
        assert res.exit_code == 0, res.output
        got = observers_of(res)
        assert [n for n, _ in got] == NAMES
        assert [v for _, v in got] == [v for _, v in observers_of(typed)]   # the same cells as typed by hand


def test_intervis_overlook_and_report_read_files(run, files, tmp_path):
    res = run("intervis", WM, "--points", files["geojson"], "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["names"] == NAMES
    res = run("overlook", WM, "--target", "Mount Jefferson", "--candidates", files["csv"], "--json")
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)["rows"]
    assert sorted(r["name"] for r in rows) == sorted(NAMES)
    assert {r["name"]: r["visible_km2"] for r in rows}["Mount Adams"] == pytest.approx(1.3915, abs=2e-3)
    two = tmp_path / "two.csv"
    two.write_text("name,lat,lon\n" + "".join(f"{n},{lat},{lon}\n" for n, lat, lon in PEAKS[:2]))
    res = run("report", WM, "--observers", two, "--target", "Mount Jefferson", "--radius", "5km",
              "--no-key-terrain", "--quiet", "--json", "--out", tmp_path / "rep")
    assert res.exit_code == 0, res.output
    seen = {o["name"]: o["target_seen_percent"] for o in json.loads(res.stdout)["observers"]}
    assert seen == pytest.approx({"Mount Washington": 20.75, "Mount Adams": 32.01}, abs=0.01)


def test_a_height_column_gives_each_observer_its_height(run, tmp_path):
    f = tmp_path / "h.csv"
    f.write_text("name,lat,lon,height_m\n" + f"{PEAKS[0][0]},{PEAKS[0][1]},{PEAKS[0][2]},25\n"
                 + f"{PEAKS[1][0]},{PEAKS[1][1]},{PEAKS[1][2]},\n")
    res = run("cumulative", WM, "--observers", f, "--radius", "3km", "--observer-height", 2, "--json")
    got = dict(observers_of(res))
    alone = {h: observers_of(run("cumulative", WM, "--observers", "Mount Washington", "--radius", "3km",
                                 "--observer-height", h, "--json"))[0][1] for h in (2, 25)}
    assert alone[25] > alone[2]
    assert got["Mount Washington"] == alone[25]
    assert got["Mount Adams"] == observers_of(run("cumulative", WM, "--observers", "Mount Adams", "--radius", "3km",
                                                  "--json"))[0][1]
    data = json.loads(run("intervis", WM, "--points", f, "--json").stdout)
    assert data["observer_height_m"] == data["target_height_m"] == [25.0, 2.0]  # looked at with its own height
    rows = json.loads(run("overlook", WM, "--target", "Mount Jefferson", "--candidates", f, "--json").stdout)["rows"]
    assert {r["name"]: round(r["eye_m"] - r["ground_m"], 1) for r in rows} == {"Mount Washington": 25.0,
                                                                             "Mount Adams": 2.0}
    res = run("report", WM, "--observers", f, "--target", "Mount Jefferson", "--out", tmp_path / "rep")
    assert res.exit_code == 2 and "one observer height for all" in res.output


@pytest.mark.parametrize("fmt, command", [
    ("csv", ("cumulative", WM, "--radius", "3km", "--observers", "{f}", "--out", "{f}")),
    ("geojson", ("intervis", WM, "--points", "@{f}", "--plot", "{f}")),
    pytest.param("gpkg", ("overlook", WM, "--target", "Mount Jefferson", "--candidates", "{f}", "--plot", "{f}"),
                 marks=needs_pyogrio),
    pytest.param("shp", ("cumulative", WM, "--radius", "3km", "--observers", "{f}", "--out", "{dbf}"),
                 marks=needs_pyogrio),
])
def test_an_output_over_the_file_of_points_is_refused(run, files, fmt, command):
    f = files[fmt]
    before = f.read_bytes()
    dbf = f.with_suffix(".dbf")
    res = run(*[a.format(f=f, dbf=dbf) if isinstance(a, str) else a for a in command])
    assert res.exit_code == 2 and "is the input" in res.output and "writing it would destroy the input" in res.output
    assert f.read_bytes() == before and (fmt != "shp" or dbf.exists())


def test_bad_files_exit_2_with_one_line(run, tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("site,where\nA,B\n")
    res = run("cumulative", WM, "--observers", f)
    assert res.exit_code == 2 and res.output.count("\n") == 1 and "has the columns site, where" in res.output
    res = run("cumulative", WM, "--observers", "@/dev/zero")
    assert res.exit_code == 2 and "NUL bytes" in res.output
    res = run("cumulative", WM, "--observers", f"@{tmp_path / 'missing.csv'}")
    assert res.exit_code == 2 and "no such file of points" in res.output
