"""Reading a GeoJSON file a user names (a target area, areas to avoid), with one sentence when it cannot be."""

from __future__ import annotations

import json
from pathlib import Path

from .errors import InputError


def read_geojson_file(path: Path, missing: str, hint: str = "") -> dict:
    """The parsed JSON of ``path``; ``missing`` is the message for a file that does not exist, ``hint`` what
    to give instead, appended to the message for one that is not valid JSON."""
    if not path.is_file():
        raise InputError(missing)
    try:
        return json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path} is not valid GeoJSON ({exc}){'; ' + hint if hint else ''}") from None
