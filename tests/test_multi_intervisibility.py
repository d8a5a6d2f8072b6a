"""Intervisibility: symmetric for equal heights, and each pair is line_of_sight."""

from __future__ import annotations

import numpy as np
import pytest
from test_multi_terrain import rough_dem, xy

from terrain import InputError, line_of_sight
from terrain.multi.intervisibility import intervisibility

DEM = rough_dem(60, 60, seed=11)
POINTS = [xy(DEM, r, c) for r, c in [(5, 5), (30, 30), (55, 50), (10, 52), (45, 8), (28, 12)]]


def test_symmetric_for_equal_heights_and_agrees_with_line_of_sight():
    t = intervisibility(DEM, POINTS, observer_height=4.0)
    n = len(POINTS)
    assert t.matrix.shape == (n, n) and t.matrix.dtype == bool
    assert np.array_equal(t.matrix, t.matrix.T)
    assert t.matrix.diagonal().all() and not t.matrix.all() and t.matrix.sum() > n
    assert len(t.rows) == n * (n - 1)
    for row in t.rows:
        los = line_of_sight(DEM, POINTS[row["from_index"]], POINTS[row["to_index"]], observer_height=4.0,
                            target_height=4.0)
        assert row["visible"] == los.visible == t.matrix[row["from_index"], row["to_index"]]
        assert row["distance_km"] == pytest.approx(los.distance_m / 1000, abs=1e-4)
        assert row["clearance_m"] == pytest.approx(los.min_clearance_m, abs=1e-3)
        assert (row["clearance_m"] >= 0) == row["visible"]


def test_unequal_heights_and_dataframe():
    t = intervisibility(DEM, POINTS[:3], observer_height=[30.0, 0.0, 0.0], target_height=0.0)
    assert t.matrix[0].sum() >= t.matrix[:, 0].sum()
    df = t.to_dataframe()
    assert list(df.columns[:2]) == ["from", "to"] and len(df) == 6
    assert t.to_dict()["matrix"][0][0] == 1


def test_bad_input():
    with pytest.raises(InputError):
        intervisibility(DEM, POINTS[:1])
    with pytest.raises(InputError):
        intervisibility(DEM, POINTS[:3], observer_height=[1.0, 2.0])
