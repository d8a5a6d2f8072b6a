"""What buildings hide of a target area (issue #12 §4): the shares against single viewsheds with obstacles,
zero obstacles changing nothing, and the invented Hama urban layer independent of the loaded window."""

from __future__ import annotations

import numpy as np
import pytest
from test_obstacles import T, _rough, _xy

import terrain
from terrain.grid import cell_areas_m2, row_geometry
from terrain.multi.obstacle_cover import obstacle_cover

POINTS = [_xy(20, 20), _xy(100, 95)]
CENTRE = _xy(60, 60)


def _buildings(shape):
    b = np.zeros(shape, np.float32)
    rows, cols = np.indices(shape)
    b[((rows % 4) != 0) & ((cols % 4) != 0)] = 10.0
    return b


def _share(dem, vs, where):
    """Area share (%) of ``where`` (bool on the DEM) that viewshed ``vs`` sees: the independent tally."""
    y_m, dx_m = row_geometry(dem.rio.transform(), dem.shape, dem.rio.crs)
    area = cell_areas_m2(y_m, dx_m)
    seen = np.zeros(dem.shape, bool)
    ri = dem.indexes["y"].get_indexer(vs.y)
    ci = dem.indexes["x"].get_indexer(vs.x)
    seen[np.ix_(ri, ci)] = vs["visible"].values == 1
    w = area[:, None] * np.ones((1, dem.shape[1]))
    return 100.0 * w[seen & where].sum() / w[where].sum()


@pytest.mark.parametrize("method", ["fast", "refined"])
def test_shares_are_those_of_the_single_viewsheds(method):
    dem = _rough()
    b = _buildings(dem.shape)
    cover = obstacle_cover(dem, POINTS, CENTRE, 900.0, b, method=method, observer_height=6.0, max_distance=3000.0)
    y_m, dx_m = row_geometry(dem.rio.transform(), dem.shape, dem.rio.crs)
    from terrain.multi.target_area import cell_distances_m

    mask = cell_distances_m(y_m, dx_m, 60, 60, dem.shape) <= 900.0
    for i, p in enumerate(POINTS):
        bare = terrain.viewshed(dem, p, method=method, observer_height=6.0, max_distance=3000.0)
        street = terrain.viewshed(dem, p, method=method, observer_height=6.0, max_distance=3000.0, obstacles=b)
        roof = terrain.viewshed(dem, p, method=method, observer_height=6.0, max_distance=3000.0, obstacles=b,
                                targets_on_obstacles=True)
        row = cover.rows[i]
        assert row["bare_percent"] == pytest.approx(_share(dem, bare, mask), abs=1e-3)
        assert row["street_percent"] == pytest.approx(_share(dem, street, mask & (b == 0)), abs=1e-3)
        assert row["roof_percent"] == pytest.approx(_share(dem, roof, mask & (b > 0)), abs=1e-3)
    together = cover.rows[-1]
    assert together["street_percent"] >= max(r["street_percent"] for r in cover.rows[:-1])
    assert together["street_percent"] < together["bare_percent"]


def test_zero_obstacles_see_the_streets_as_the_bare_ground():
    dem = _rough()
    cover = obstacle_cover(dem, POINTS, CENTRE, 900.0, np.zeros(dem.shape), method="fast", max_distance=3000.0)
    for row in cover.rows:
        assert row["street_percent"] == row["bare_percent"] and row["roof_percent"] is None


def test_the_hama_urban_layer_does_not_depend_on_the_window():
    from terrain.samples import hama_standin_path, hama_urban_layer

    dem = terrain.load_dem(hama_standin_path())
    whole = hama_urban_layer(dem)
    r = np.nonzero(whole.values.any(1))[0]
    c = np.nonzero(whole.values.any(0))[0]
    ys, xs = slice(r[0] - 37, r[-1] + 50), slice(c[0] - 13, c[-1] + 29)
    assert np.array_equal(hama_urban_layer(dem.isel(y=ys, x=xs)).values, whole.isel(y=ys, x=xs).values)
    assert whole.attrs["synthetic"] == 1 and "invented" in whole.attrs["source"]
    assert set(np.unique(whole.values)) == {0.0, 12.0}
    # georeferenced as the DEM: written out, it reads back onto the DEM's grid as --obstacles does
    assert whole.rio.crs == dem.rio.crs and whole.rio.transform() == dem.rio.transform()


def test_a_target_beyond_the_radius_is_not_seen():
    dem = _rough()
    cover = obstacle_cover(dem, POINTS[:1], _xy(110, 110), 200.0, _buildings(dem.shape), method="fast",
                           max_distance=400.0)
    assert cover.rows[0]["bare_percent"] == 0.0 and cover.rows[0]["street_percent"] == 0.0
