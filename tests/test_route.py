"""Covered routes: the least-exposed path, checked against an independent Dijkstra and planted terrains."""

from __future__ import annotations

import heapq
import math

import numpy as np
import pytest
from pyproj import Geod

from terrain import InputError
from terrain.dem import dem_from_array
from terrain.route import covered_route, least_cost_path, step_lengths
from terrain.grid import row_geometry

CELL = 30.0
UTM = "EPSG:32637"


def utm_dem(z, cell=CELL):
    return dem_from_array(z, (500_000.0, cell, 0.0, 3_900_000.0, 0.0, -cell), crs=UTM)


def at(dem, r, c):
    """The ``xy:`` point at the centre of cell (r, c)."""
    t = dem.rio.transform()
    return f"xy:{t.c + (c + 0.5) * t.a},{t.f + (r + 0.5) * t.e}"


def dijkstra(weight, blocked, start, end, length):
    """Independent oracle: heapq Dijkstra, 8-connected, a step costing ``length(r, c, r2, c2)`` (metres) times
    the mean of the two cells' weights; returns ``(cost, path length)`` of the cheapest path."""
    rows, cols = weight.shape
    best = {start: (0.0, 0.0)}
    heap = [(0.0, 0.0, start)]
    done = set()
    while heap:
        cost, dist, cell = heapq.heappop(heap)
        if cell in done:
            continue
        done.add(cell)
        if cell == end:
            return cost, dist
        r, c = cell
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                r2, c2 = r + dr, c + dc
                if (dr or dc) and 0 <= r2 < rows and 0 <= c2 < cols and not blocked[r2, c2]:
                    step = length(r, c, r2, c2)
                    new = cost + step * 0.5 * (weight[r, c] + weight[r2, c2])
                    if (r2, c2) not in best or new < best[(r2, c2)][0]:
                        best[(r2, c2)] = (new, dist + step)
                        heapq.heappush(heap, (new, dist + step, (r2, c2)))
    return math.inf, math.inf


def geodesic_length(lat0, lon0, dlat, dlon):
    """Step lengths between cell centres of a lat/lon grid (row 0 centred at ``lat0``), measured on the WGS84
    ellipsoid by pyproj's geodesic, not by terrain's row geometry."""
    geod = Geod(ellps="WGS84")

    def length(r, c, r2, c2):
        return geod.inv(lon0 + c * dlon, lat0 - r * dlat, lon0 + c2 * dlon, lat0 - r2 * dlat)[2]

    return length


# a small geographic grid far north, where a cell's width changes by 0.6 % from its top row to its bottom one
GEO_ROWS, GEO_COLS = 24, 30
GEO_DLAT, GEO_DLON = 30 / 3600, 60 / 3600
GEO_TOP, GEO_WEST = 62.0, 10.0


def geo_dem(z):
    return dem_from_array(z, (GEO_WEST, GEO_DLON, 0.0, GEO_TOP, 0.0, -GEO_DLAT), crs="EPSG:4326")


def geo_oracle_length():
    return geodesic_length(GEO_TOP - GEO_DLAT / 2, GEO_WEST + GEO_DLON / 2, GEO_DLAT, GEO_DLON)


def test_row_widths_vary_on_the_geographic_test_grid():
    dem = geo_dem(np.zeros((GEO_ROWS, GEO_COLS)))
    _, dx = row_geometry(dem.rio.transform(), dem.shape, dem.rio.crs)
    assert dx[-1] / dx[0] > 1.006  # widths grow southwards by more than 0.6 %: one constant spacing would be wrong


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_least_cost_path_matches_dijkstra_on_a_geographic_grid(seed):
    rng = np.random.default_rng(seed)
    weight = 1.0 + 10.0 * (rng.random((GEO_ROWS, GEO_COLS)) < 0.4)
    blocked = rng.random((GEO_ROWS, GEO_COLS)) < 0.15
    start, end = (1, 1), (GEO_ROWS - 2, GEO_COLS - 2)
    blocked[start] = blocked[end] = False
    dem = geo_dem(np.zeros((GEO_ROWS, GEO_COLS)))
    y_m, dx_m = row_geometry(dem.rio.transform(), dem.shape, dem.rio.crs)
    lengths = step_lengths(y_m, dx_m)
    cells = least_cost_path(weight, blocked, lengths, start, end)
    r, c = cells[:, 0], cells[:, 1]
    step = lengths.of(r[:-1], c[:-1], r[1:], c[1:])
    cost = float((step * 0.5 * (weight[r[:-1], c[:-1]] + weight[r[1:], c[1:]])).sum())
    want_cost, _ = dijkstra(weight, blocked, start, end, geo_oracle_length())
    assert tuple(cells[0]) == start and tuple(cells[-1]) == end
    assert np.all(np.max(np.abs(np.diff(cells, axis=0)), axis=1) == 1)  # 8-connected steps
    assert not blocked[r, c].any()
    assert cost == pytest.approx(want_cost, rel=1e-7)  # measured: 3.6e-9


def test_zero_exposure_weight_is_the_shortest_path_by_dijkstra():
    rng = np.random.default_rng(7)
    z = 100.0 + rng.normal(0.0, 1.0, (GEO_ROWS, GEO_COLS))
    avoid = np.zeros((GEO_ROWS, GEO_COLS), bool)
    avoid[5:19, 12] = True        # a wall with a gap at its north end and a second one to its east
    avoid[0:4, 12] = True
    avoid[8:GEO_ROWS, 20] = True
    dem = geo_dem(z)
    start, end = (12, 2), (12, GEO_COLS - 3)
    r = covered_route(dem, at(dem, *start), at(dem, *end), [at(dem, 2, 25)], exposure_weight=0.0,
                      avoid=avoid, search_margin_m=50_000)
    _, want_m = dijkstra(np.ones(z.shape), avoid, start, end, geo_oracle_length())
    assert r.route.length_km * 1000 == pytest.approx(want_m, rel=1e-7)
    assert r.shortest.length_km == pytest.approx(r.route.length_km, rel=1e-12)
    assert not avoid[r.route.rows, r.route.cols].any()


def valley_terrain():
    """A plain at 100 m with the observer's hill to the north, an exposed ridge straight between start and end,
    and a trench 25 m deep looping south around it, hidden from the hill."""
    rows, cols = 70, 90
    yy, xx = np.mgrid[0:rows, 0:cols].astype(float)
    z = 100.0 + 4.0 * np.exp(-((yy - 30) ** 2) / 18.0)   # the low ridge along row 30, flanks gentler than the view
    trench = np.zeros((rows, cols), bool)
    trench[30:58, 4:8] = True                               # west leg, south from the start
    trench[54:58, 4:86] = True                              # the bottom of the loop
    trench[30:58, 82:86] = True                             # east leg, north to the end
    z[trench] = 75.0
    z += 60.0 * np.exp(-((yy - 4) ** 2 + (xx - 45) ** 2) / 60.0)   # the observer's hill
    return utm_dem(z), trench


def test_a_hidden_valley_is_taken_over_a_shorter_exposed_ridge():
    dem, trench = valley_terrain()
    start, end = at(dem, 30, 5), at(dem, 30, 84)
    r = covered_route(dem, start, end, [at(dem, 4, 45)], observer_height=5.0)
    s = r.shortest
    # the shortest path is the straight line along row 30, 79 cells of 30 m, seen all the way
    assert s.length_km == pytest.approx(79 * CELL / 1000, rel=1e-9)
    assert np.all(s.rows == 30)
    assert s.exposed_km > 0.9 * s.length_km
    # the covered route goes down the trench: longer, far less exposed
    assert r.route.length_km > 1.5 * s.length_km
    assert trench[r.route.rows, r.route.cols].mean() > 0.95
    assert r.route.exposed_km < 0.1 * s.exposed_km
    assert r.route.longest_exposed_km <= r.route.exposed_km
    assert r.route.cost < s.length_km * 1000 * (1 + 10 * 1)  # cheaper than walking the ridge in sight
    # the profile follows the route
    p = r.profile
    assert p.sizes["distance_km"] == r.route.rows.size
    assert float(p.distance_km[-1]) == pytest.approx(r.route.length_km)
    assert np.array_equal(p["exposed"].values, r.route.seen_by > 0)


def test_zero_weight_route_on_the_valley_terrain_is_the_straight_line():
    dem, _ = valley_terrain()
    r = covered_route(dem, at(dem, 30, 5), at(dem, 30, 84), [at(dem, 4, 45)], observer_height=5.0,
                      exposure_weight=0.0)
    assert r.route.length_km == pytest.approx(79 * CELL / 1000, rel=1e-9)


def test_exposed_length_and_longest_stretch_by_hand():
    # a straight 10-cell route east along row 5; cells 2-3 and 6-8 seen: half-steps shared by neighbours
    z = np.full((11, 12), 100.0)
    dem = utm_dem(z)
    from terrain.route import _route_path

    cells = np.array([[5, c] for c in range(10)])
    count = np.zeros((11, 12), np.uint16)
    count[5, [2, 3, 6, 7, 8]] = 1
    y_m, dx_m = row_geometry(dem.rio.transform(), dem.shape, dem.rio.crs)
    p = _route_path(dem, cells, 0, 0, z, count, 1.0 + count, step_lengths(y_m, dx_m))
    assert p.length_km == pytest.approx(0.27)
    assert p.exposed_km == pytest.approx(5 * 0.03)     # each seen inner cell holds one full step
    assert p.longest_exposed_km == pytest.approx(0.09)
    assert p.cost == pytest.approx(270 + 30 * (0.5 + 1 + 0.5 + 0.5 + 1 + 1 + 0.5))


@pytest.mark.parametrize("seed", [3, 4])
def test_the_route_never_enters_an_impassable_cell(seed):
    rng = np.random.default_rng(seed)
    rows, cols = 40, 50
    z = 100.0 + np.cumsum(rng.normal(0, 3.0, (rows, cols)), axis=1) * 0.3
    steep = rng.random((rows, cols)) < 0.05
    avoid = rng.random((rows, cols)) < 0.12
    start, end = (2, 2), (rows - 3, cols - 3)
    for r, c in (start, end):
        steep[r - 2:r + 3, c - 2:c + 3] = False
        avoid[r - 2:r + 3, c - 2:c + 3] = False
    z[steep] += 60.0                                        # spikes: steep all round
    dem = utm_dem(z)
    r = covered_route(dem, at(dem, *start), at(dem, *end), [at(dem, 20, 25)], max_slope=30.0, avoid=avoid,
                      search_margin_m=10_000)
    blocked = r.coverage["impassable"].values
    for path in (r.route, r.shortest):
        assert not blocked[path.rows, path.cols].any()
        assert not avoid[path.rows, path.cols].any()
    # every cell steeper than 30 degrees (central differences in metres, worked out here) is impassable
    gy, gx = np.gradient(z, CELL)
    assert blocked[np.degrees(np.arctan(np.hypot(gx, gy))) > 30.0].all()
    assert blocked[avoid].all()


def test_slope_limit_sends_the_route_through_the_gap():
    rows, cols = 30, 40
    z = np.full((rows, cols), 100.0)
    z[:, 17:24] = 150.0                                      # a wall 50 m high, 7 cells thick
    z[11:20, 17:24] = 100.0                                  # with a gap 9 cells wide
    dem = utm_dem(z)
    r = covered_route(dem, at(dem, 3, 5), at(dem, 3, 34), [at(dem, 28, 2)], max_slope=20.0, exposure_weight=0)
    near_wall = (r.route.cols >= 16) & (r.route.cols <= 24)
    assert near_wall.any() and np.all((r.route.rows[near_wall] >= 11) & (r.route.rows[near_wall] <= 19))
    free = covered_route(dem, at(dem, 3, 5), at(dem, 3, 34), [at(dem, 28, 2)], exposure_weight=0)
    assert free.route.length_km == pytest.approx(29 * CELL / 1000)
    assert r.route.length_km > free.route.length_km + 0.15   # the detour to the gap and back


def test_avoid_polygon_in_lat_lon_is_not_entered():
    dem, _ = valley_terrain()
    from terrain.coords import grid_to_latlon

    # a box over the middle of the straight line, rows 20-40, cols 30-60
    lat_n, lon_w = grid_to_latlon(dem, 19.5, 29.5)
    lat_s, lon_e = grid_to_latlon(dem, 40.5, 60.5)
    box = {"type": "Polygon", "coordinates": [[[float(lon_w), float(lat_n)], [float(lon_e), float(lat_n)],
                                               [float(lon_e), float(lat_s)], [float(lon_w), float(lat_s)],
                                               [float(lon_w), float(lat_n)]]]}
    feature = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}, "geometry": box}]}
    r = covered_route(dem, at(dem, 30, 5), at(dem, 30, 84), [at(dem, 4, 45)], exposure_weight=0, avoid=feature)
    assert not np.any((r.route.rows >= 21) & (r.route.rows <= 39) & (r.route.cols >= 31) & (r.route.cols <= 59))
    assert r.route.length_km > 79 * CELL / 1000


def test_avoid_file_and_shapely_like_objects(tmp_path):
    import json

    dem, _ = valley_terrain()
    from terrain.coords import grid_to_latlon

    lat, lon = grid_to_latlon(dem, np.array([25.0, 35.0]), np.array([40.0, 50.0]))
    ring = [[float(lon[0]), float(lat[0])], [float(lon[1]), float(lat[0])], [float(lon[1]), float(lat[1])],
            [float(lon[0]), float(lat[1])], [float(lon[0]), float(lat[0])]]
    geom = {"type": "Polygon", "coordinates": [ring]}
    path = tmp_path / "avoid.geojson"
    path.write_text(json.dumps(geom))

    class Shape:  # what shapely geometries offer
        __geo_interface__ = geom

    a = covered_route(dem, at(dem, 30, 5), at(dem, 30, 84), [at(dem, 4, 45)], exposure_weight=0, avoid=str(path))
    b = covered_route(dem, at(dem, 30, 5), at(dem, 30, 84), [at(dem, 4, 45)], exposure_weight=0, avoid=Shape())
    assert np.array_equal(a.route.rows, b.route.rows) and np.array_equal(a.route.cols, b.route.cols)
    assert not np.any((a.route.rows >= 25) & (a.route.rows <= 35) & (a.route.cols >= 40) & (a.route.cols <= 50))


def test_errors_say_what_to_do(tmp_path):
    dem, _ = valley_terrain()
    s, e, o = at(dem, 30, 5), at(dem, 30, 84), [at(dem, 4, 45)]
    wall = np.zeros(dem.shape, bool)
    wall[:, 45] = True
    with pytest.raises(InputError, match="no passable path"):
        covered_route(dem, s, e, o, avoid=wall)
    wall[:] = False
    wall[30, 5] = True
    with pytest.raises(InputError, match="start .* impassable"):
        covered_route(dem, s, e, o, avoid=wall)
    with pytest.raises(InputError, match="same cell"):
        covered_route(dem, s, s, o)
    with pytest.raises(InputError, match="exposure_weight"):
        covered_route(dem, s, e, o, exposure_weight=-1)
    with pytest.raises(InputError, match="max_slope"):
        covered_route(dem, s, e, o, max_slope=0)
    with pytest.raises(InputError, match="Polygons"):
        covered_route(dem, s, e, o, avoid={"type": "Point", "coordinates": [36.0, 35.0]})
    with pytest.raises(InputError, match="on the DEM's grid"):
        covered_route(dem, s, e, o, avoid=np.zeros((3, 3), bool))
    with pytest.raises(InputError, match="no such avoid file"):
        covered_route(dem, s, e, o, avoid=str(tmp_path / "missing.geojson"))


def test_summary_is_json_ready():
    import json

    dem, _ = valley_terrain()
    r = covered_route(dem, at(dem, 30, 5), at(dem, 30, 84), [at(dem, 4, 45)], observer_height=5.0)
    text = json.dumps(r.summary())
    assert '"length_km"' in text and '"exposed_km"' in text and '"longest_exposed_km"' in text
    assert r.summary()["route"]["exposed_km"] < r.summary()["shortest"]["exposed_km"]
