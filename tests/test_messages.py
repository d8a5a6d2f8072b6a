"""Messages that used to mislead (issue #10 §5): each bad input gets one sentence naming the problem and the fix."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import terrain
from terrain.cli.main import cli
from terrain.errors import InputError

SAMPLE = "dem_samples/N44W072.hgt"


def test_observer_outside_names_the_files_extent_not_only_the_window(white_mountains):
    window = terrain.load_dem(SAMPLE, around=(44.27, -71.3, 3000))
    with pytest.raises(InputError) as caught:
        terrain.viewshed(window, (44.5, -71.3))
    msg = str(caught.value)
    assert "N44W072.hgt covers 43.9996N 72.0004W to 45.0004N 70.9996W" in msg
    assert "the part loaded covers" in msg


def test_cli_observer_outside_the_dem_names_the_point_and_the_dem():
    res = CliRunner().invoke(cli, ["viewshed", SAMPLE, "--observer", "45.5,-71.3", "--radius", "5km"])
    assert res.exit_code == 2
    assert "the point 45.5000N 71.3000W and the" in res.output
    assert "N44W072.hgt covers 43.9996N 72.0004W to 45.0004N 70.9996W" in res.output
    assert "requested area (" not in res.output


@pytest.mark.parametrize("spec", [(44.3, None), ("a", "b"), [None, -71.3]])
def test_bad_coordinates_are_one_sentence_not_a_type_error(white_mountains, spec):
    with pytest.raises(InputError, match="latitude and longitude must be numbers in degrees"):
        terrain.locate(white_mountains, spec)


def _write(tmp_path, name, obj):
    path = tmp_path / name
    path.write_text(json.dumps(obj))
    return str(path)


def test_geojson_point_target_is_the_centre_of_a_circle(tmp_path):
    point = _write(tmp_path, "pt.geojson", {"type": "Feature", "properties": {"name": "summit"},
                                            "geometry": {"type": "Point", "coordinates": [-71.30, 44.27]}})
    res = CliRunner().invoke(cli, ["overlook", SAMPLE, "--target", point, "--target-radius", "1km",
                                   "--candidates", "Mount Adams;Mount Jefferson", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    by_name = CliRunner().invoke(cli, ["overlook", SAMPLE, "--target", "44.27,-71.30", "--target-radius", "1km",
                                       "--candidates", "Mount Adams;Mount Jefferson", "--json"])
    ref = json.loads(by_name.stdout)
    area = [v for k, v in out.items() if "km2" in k and "target" in k]
    ref_area = [v for k, v in ref.items() if "km2" in k and "target" in k]
    assert area == ref_area and area[0] > 3.0   # a 1 km circle (pi km^2 less the cells' rounding), not one cell


@pytest.mark.parametrize("geometry, words", [
    (None, "feature 1 has no geometry (null)"),
    ({"type": "LineString", "coordinates": [[-71.3, 44.27], [-71.2, 44.3]]}, "LineString, which has no area"),
    ({"type": "MultiPoint", "coordinates": [[-71.3, 44.27]]}, "MultiPoint, which has no area"),
])
def test_target_without_area_is_refused_naming_the_feature(tmp_path, geometry, words):
    path = _write(tmp_path, "t.geojson", {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": geometry}]})
    res = CliRunner().invoke(cli, ["overlook", SAMPLE, "--target", path, "--candidates", "Mount Adams"])
    assert res.exit_code == 2
    assert words in res.output and "unknown place" not in res.output
