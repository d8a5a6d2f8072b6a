"""Start-up: ``terrain --help`` and ``terrain info`` load no heavy library they do not use.

Each check runs in a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import rasterio
from affine import Affine

from conftest import REPO, SAMPLES, WHITE_MOUNTAINS

HEAVY = ("numba", "matplotlib", "dask", "jinja2")

# prints the top-level packages of HEAVY + extra that the interpreter imported, as JSON, when it exits
_REPORT = """
import atexit, json, sys
def _report():
    top = {m.split(".")[0] for m in sys.modules}
    sys.__stderr__.write("MODULES " + json.dumps(sorted(top & set(sys.argv[1:]))) + "\\n")
atexit.register(_report)
"""


def imported(code: str, names, output: str = "") -> list[str]:
    """Run ``code`` in a fresh interpreter (it must succeed and print ``output``); which of ``names`` it imported."""
    proc = subprocess.run([sys.executable, "-c", _REPORT + code, *names], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0 and output in proc.stdout, proc.stdout + proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("MODULES ")]
    assert lines, proc.stderr
    return json.loads(lines[-1][len("MODULES "):])


def test_import_terrain_is_light():
    assert imported("import terrain", HEAVY + ("rasterio", "xarray", "numpy", "pyproj")) == []


def test_help_imports_no_heavy_library():
    code = "from terrain.cli.main import main\nmain(['--help'])"
    assert imported(code, HEAVY + ("rasterio", "xarray", "rioxarray", "pyproj"), "terrain info") == []


def test_info_imports_no_numba_matplotlib_dask_or_jinja2():
    code = f"from terrain.cli.main import main\nmain(['info', {str(WHITE_MOUNTAINS)!r}])"
    assert imported(code, HEAVY + ("rioxarray",), "highest     1908 m at 44.2708N 71.3033W") == []


def test_public_names_resolve_lazily():
    import terrain

    for name in terrain.__all__:
        assert getattr(terrain, name) is not None
    assert set(terrain.__all__) <= set(dir(terrain))
    with pytest.raises(AttributeError):
        terrain.no_such_name  # noqa: B018


@pytest.mark.parametrize("code", [
    "import terrain.viewshed; import terrain",
    "import terrain; from terrain.viewshed import viewshed_summary",
    "import terrain.multi.cumulative; import terrain",
    "import terrain; terrain.viewshed; import terrain.viewshed",
])
def test_viewshed_stays_the_function_after_importing_its_module(code):
    check = ("\nimport sys\n"
             "print(type(terrain.viewshed).__name__, terrain.viewshed is sys.modules['terrain.viewshed'].viewshed)")
    out = subprocess.run([sys.executable, "-c", code + check], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.stdout.split() == ["function", "True"], out.stderr


def _write_tif(path, values, transform, crs):
    with rasterio.open(path, "w", driver="GTiff", width=values.shape[1], height=values.shape[0], count=1,
                       dtype="float32", transform=transform, crs=crs, nodata=-9999) as ds:
        ds.write(values.astype(np.float32), 1)
    return path


def _cases(tmp_path):
    rng = np.random.default_rng(7)
    hills = rng.normal(500, 80, (37, 53))
    hills[3, 4] = -9999
    yield [WHITE_MOUNTAINS], {}
    yield [SAMPLES / "hama_standin.tif"], {}
    yield [WHITE_MOUNTAINS], {"around": (44.2708, -71.3033, 5000)}
    yield [SAMPLES / "hama_standin.tif"], {"bounds": (36.6, 35.1, 36.8, 35.3)}
    yield [_write_tif(tmp_path / "utm.tif", hills, Affine(30.7, 0, 612345.678, 0, -29.3, 4901234.321),
                      "EPSG:32619")], {}
    yield [_write_tif(tmp_path / "merc.tif", hills, Affine(101.1, 0, -7950123.4, 0, -99.9, 5501234.5),
                      "EPSG:3857")], {}
    # an origin small next to the cell size: rioxarray's origin (from the first cell centre) is not the file's
    yield [_write_tif(tmp_path / "origin.tif", hills, Affine(101.1, 0, 10.1, 0, -99.9, 10.1), "EPSG:3857")], {}
    yield [_write_tif(tmp_path / "nocrs.tif", hills, Affine(1.3, 0, 10.1, 0, -1.7, 77.7), None)], {}
    yield [_write_tif(tmp_path / "southup.tif", hills, Affine(0.001, 0, 36.1, 0, 0.001, 35.0), "EPSG:4326")], {}
    left = _write_tif(tmp_path / "a.tif", hills[:, :30], Affine(1 / 1200, 0, -71.9, 0, -1 / 1200, 44.4),
                      "EPSG:4326")
    right = _write_tif(tmp_path / "b.tif", hills[:, 29:], Affine(1 / 1200, 0, -71.9 + 29 / 1200, 0, -1 / 1200, 44.4),
                       "EPSG:4326")
    yield [left, right], {}


def test_info_without_dataarray_matches_describe_dem(tmp_path):
    """``terrain info`` describes the grid it read; every number is the one describe_dem gives for load_dem's DEM."""
    from terrain.dem import dem_transform, load_dem, read_dem
    from terrain.dem_info import describe_dem, describe_grid

    for paths, window in _cases(tmp_path):
        grid = read_dem(paths, **window)
        dem = load_dem(paths, **window)
        assert grid.dataarray_transform() == dem_transform(dem), (paths, window)
        assert grid.dataarray_bounds() == dem.rio.bounds(recalc=False), (paths, window)
        expected = describe_dem(dem)
        # as JSON: every float to its last digit, and NaN (no CRS: no lat/lon) equal to NaN
        assert json.dumps(describe_grid(grid)) == json.dumps(expected), (paths, window)
