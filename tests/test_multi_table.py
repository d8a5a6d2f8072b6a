"""ResultTable: rows that convert to a DataFrame and print as a table."""

from __future__ import annotations

from terrain.multi.table import ResultTable


def test_prints_as_a_table_and_converts_to_a_dataframe():
    rows = [{"rank": i + 1, "name": f"hill {i}", "visible_km2": 10.0 / (i + 1)} for i in range(25)]
    t = ResultTable(rows, {"method": "refined"})
    text = repr(t)
    lines = text.splitlines()
    assert lines[0] == "ResultTable: 25 rows"
    assert lines[1].split() == ["rank", "name", "visible_km2"]
    assert lines[2].split()[:4] == ["0", "1", "hill", "0"] and "{" not in text
    assert lines[-1] == "... 5 more rows (.to_dataframe() for all)" and len(lines) == 23
    df = t.to_dataframe()
    assert list(df.columns) == ["rank", "name", "visible_km2"] and len(df) == 25
    assert df["visible_km2"].iloc[1] == 5.0
    assert "<table" in t._repr_html_()
    assert repr(ResultTable([])) == "ResultTable: 0 rows"
