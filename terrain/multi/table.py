"""Tabular results of the many-observer analyses: a list of row dicts, as JSON or a pandas DataFrame."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ResultTable:
    """Rows of a result (one dict each, same keys) and attributes describing how they were made."""

    rows: list[dict]
    attrs: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self):
        return iter(self.rows)

    def __getitem__(self, i):
        return self.rows[i]

    def to_dataframe(self):
        """The rows as a :class:`pandas.DataFrame` (pandas is installed with xarray)."""
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas comes with xarray
            raise ImportError("to_dataframe needs pandas; pip install pandas") from exc
        return pd.DataFrame(self.rows)

    def __repr__(self) -> str:
        """A table (as pandas prints one), not a wall of dicts; the first 20 rows of long tables."""
        n = len(self.rows)
        head = f"{type(self).__name__}: {n} row{'s' if n != 1 else ''}"
        if not n:
            return head
        df = self.to_dataframe()
        shown = df.head(20).to_string(max_colwidth=32)
        more = f"\n... {n - 20} more rows (.to_dataframe() for all)" if n > 20 else ""
        return f"{head}\n{shown}{more}"

    def _repr_html_(self) -> str:
        """The table in a notebook."""
        return self.to_dataframe()._repr_html_()

    def to_dict(self) -> dict:
        """JSON-ready: the attributes and the rows."""
        return {**self.attrs, "rows": self.rows}
