"""What a cached tile is and where it came from: a record beside each tile, checked on every use.

``terrain fetch`` writes ``<tile file>.provenance.json`` beside every tile it
caches, atomically and before the tile itself is renamed into place: the source
and the label of its data, the URL, the fetch time (UTC), the size in bytes, the
SHA-256 and the grid's rows and columns. Every use of a cached tile (``terrain
fetch``, :func:`terrain.fetch.find_cached_tiles`, :func:`terrain.load_dem`)
checks the file against its record, the size first and then the SHA-256 (about
16 ms for a 26 MB tile), so a tile changed on disk is refused or downloaded
again, never trusted. A tile in the cache without a record (cached by an older
terrain, or copied in by hand) is still used, labelled as of unknown origin.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Sequence

from ..atomic import atomic_path
from ..errors import DataError
from .sources import SOURCES, Source
from .tiles import tile_corner

#: Appended to a tile's file name to name its record.
RECORD_SUFFIX = ".provenance.json"
#: Version of the record's layout.
RECORD_FORMAT = 1

#: States of a file where a tile should be (:func:`check_cached_tile`).
VERIFIED, UNRECORDED, CORRUPT, ABSENT = "verified", "unrecorded", "corrupt", "absent"


@dataclass(frozen=True)
class TileRecord:
    """The provenance and integrity of one cached tile, as written when it was fetched."""

    source: str
    tile: str
    label: str
    url: str
    fetched_utc: str
    size_bytes: int
    sha256: str
    rows: int
    cols: int


@dataclass(frozen=True)
class CachedTile:
    """What :func:`check_cached_tile` found: the ``state``, the record if any, and for a corrupt file why."""

    path: Path
    state: str
    record: TileRecord | None = None
    problem: str = ""

    @property
    def usable(self) -> bool:
        """Whether the file may be used: it matches its record, or it has none but is a whole tile."""
        return self.state in (VERIFIED, UNRECORDED)


def record_path(tile_path) -> Path:
    """Return the path of the record beside the tile file ``tile_path``."""
    tile_path = Path(tile_path)
    return tile_path.with_name(tile_path.name + RECORD_SUFFIX)


def sha256_of(path) -> str:
    """Return the SHA-256 of the file at ``path`` as 64 hex digits."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def make_record(path, source: Source, tile: str, url: str, rows: int, cols: int) -> TileRecord:
    """Return the record of the tile file at ``path``, fetched from ``url`` just now, of ``rows`` x ``cols`` cells."""
    path = Path(path)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return TileRecord(source=source.name, tile=tile, label=source.tile_label(rows, cols), url=url,
                      fetched_utc=now.isoformat().replace("+00:00", "Z"), size_bytes=path.stat().st_size,
                      sha256=sha256_of(path), rows=int(rows), cols=int(cols))


def write_record(tile_path, record: TileRecord) -> Path:
    """Write ``record`` beside ``tile_path`` atomically; return the record's path."""
    dest = record_path(tile_path)
    with atomic_path(dest, suffix=".part") as tmp:
        tmp.write_text(json.dumps({"format": RECORD_FORMAT, **asdict(record)}, indent=1, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    return dest


def read_record(tile_path) -> TileRecord | None:
    """Return the record beside ``tile_path``, or None if there is none; raise ValueError if it is unreadable."""
    path = record_path(tile_path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(getattr(exc, "strerror", None) or str(exc)) from None
    try:
        data = json.loads(text)
        values = {f.name: data[f.name] for f in fields(TileRecord)}
    except (ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"not a tile record: {type(exc).__name__} {exc}") from None
    if data.get("format") != RECORD_FORMAT:
        raise ValueError(f"record format {data.get('format')!r}, not {RECORD_FORMAT}")
    types = {"size_bytes": int, "rows": int, "cols": int}
    if not all(isinstance(values[k], types.get(k, str)) for k in values):
        raise ValueError("a field has the wrong type")
    return TileRecord(**values)


def check_cached_tile(path, source: Source, tile: str) -> CachedTile:
    """Check the file where ``tile`` of ``source`` is cached against its record.

    Returns a :class:`CachedTile` whose state is ``"verified"`` (size and
    SHA-256 match the record), ``"unrecorded"`` (no record, but a whole tile by
    the cheap check of :meth:`Source.is_complete`), ``"corrupt"`` (with the
    problem, a clause such as "it has 10 bytes where its record says 2884802")
    or ``"absent"``.
    """
    path = Path(path)
    if not path.is_file():
        return CachedTile(path, ABSENT)
    try:
        record = read_record(path)
    except ValueError as exc:
        return CachedTile(path, CORRUPT, problem=f"its provenance record {record_path(path)} is unreadable ({exc})")
    if record is None:
        if source.is_complete(path):
            return CachedTile(path, UNRECORDED)
        return CachedTile(path, CORRUPT, problem=f"it is not a whole {source.name} tile")
    if (record.source, record.tile) != (source.name, tile):
        return CachedTile(path, CORRUPT, record, f"its record describes tile {record.tile} from {record.source}")
    problem = _mismatch(path, record)
    return CachedTile(path, CORRUPT if problem else VERIFIED, record, problem)


def _mismatch(path: Path, record: TileRecord) -> str:
    """How the file at ``path`` differs from ``record`` (a clause), or "" if it matches: size first, then SHA-256."""
    size = path.stat().st_size
    if size != record.size_bytes:
        return f"it has {size} bytes where its record says {record.size_bytes}"
    if sha256_of(path) != record.sha256:
        return f"its SHA-256 differs from the one recorded when it was fetched on {record.fetched_utc[:10]}"
    return ""


def corrupt_message(path, source: str, tile: str, problem: str) -> str:
    """Return the one sentence that says a cached tile is corrupt and how to download it again."""
    lat, lon = tile_corner(tile)
    return (f"the cached tile {path} is corrupt: {problem}; download it again with "
            f"`terrain fetch --force --source {source} --bounds {lon},{lat},{lon + 1},{lat + 1}`")


def unrecorded_label(names: Sequence[str]) -> str:
    """Return the data label of cached tiles (file ``names``) that have no provenance record."""
    return f"{', '.join(names)} — origin unknown (in the tile cache without a provenance record)"


def cached_tiles_label(paths: Sequence) -> str | None:
    """Return the data label of DEM files from their provenance, or None if none of them is a cached tile.

    A file with a record is checked against it and labelled from it; a file
    where a source caches its tiles but without a record is labelled as of
    unknown origin; other files (``None`` for all of them) are left to the
    caller, who labels them from their own tags. Each label appears once,
    several joined with "; ".

    Raises
    ------
    DataError
        A file does not match its record (one sentence, with the command that downloads it again).
    """
    recorded, unrecorded, others = {}, [], []
    for p in map(Path, paths):
        label = _recorded_label(p)
        if label is not None:
            recorded[label] = None
        elif cache_slot(p) is not None:
            unrecorded.append(p.name)
        else:
            others.append(p.name)
    if not (recorded or unrecorded):
        return None
    return "; ".join([*recorded, *([unrecorded_label(unrecorded)] if unrecorded else []), *others])


def cache_slot(path) -> tuple[str, str] | None:
    """Return ``(source, tile)`` if ``path`` is where a source caches a tile (in any cache folder), else None."""
    path = Path(path)
    return next(((name, tile) for name, src in SOURCES.items() if (tile := src.cached_tile_name(path))), None)


def _recorded_label(path: Path) -> str | None:
    """The label in the record of ``path`` once the file is checked against it; None without a record."""
    slot = cache_slot(path)
    if slot is not None:
        found = check_cached_tile(path, SOURCES[slot[0]], slot[1])
        if found.state == CORRUPT:
            raise DataError(corrupt_message(path, *slot, found.problem))
        return found.record.label if found.record is not None else None
    try:  # outside the cache: a record that travelled with the file still labels it
        record = read_record(path)
    except ValueError as exc:
        raise DataError(f"the provenance record {record_path(path)} of {path} is unreadable ({exc}); "
                        "delete the record, or the tile and its record and download it again") from None
    if record is None:
        return None
    problem = _mismatch(path, record)
    if problem:
        raise DataError(corrupt_message(path, record.source, record.tile, problem))
    return record.label
