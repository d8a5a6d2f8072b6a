"""Named places: small gazetteers shipped with the sample DEMs, and lookup by name.

A gazetteer is a CSV file ``<name>_places.csv`` in the samples folder
(:func:`terrain.samples.samples_dir`) with the header
``name,aliases,lat,lon,kind,source,note``: ``aliases`` separated by ``|``,
``lat``/``lon`` in decimal degrees (WGS84), ``source`` saying where the
coordinate came from and how far to trust it.

Names are matched loosely: case, accents (``Ḥamāh`` is ``Hamah``), punctuation,
hyphens, apostrophes and spaces are ignored, so ``"zayn al abidin"``,
``"ZAYN AL-ABIDIN"`` and ``"Zine al-Abdine Hill"`` all find the same summit.

Examples
--------
>>> from terrain.places import find_place
>>> p = find_place("zayn al abidin")
>>> p.name, p.lat, p.lon
('Zayn al-Abidin', 35.203, 36.7663)
>>> find_place("Mt. Washington").gazetteer
'white_mountains'
"""

from __future__ import annotations

import csv
import difflib
import functools
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from .errors import DataError, InputError

#: Columns every gazetteer file must have, in this order.
COLUMNS = ("name", "aliases", "lat", "lon", "kind", "source", "note")

_GAZETTEER_SUFFIX = "_places.csv"


@dataclass(frozen=True)
class Place:
    """A named point: ``lat``/``lon`` in decimal degrees (WGS84)."""

    name: str
    lat: float
    lon: float
    kind: str = ""
    aliases: tuple[str, ...] = ()
    source: str = ""
    note: str = ""
    gazetteer: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by the aliases."""
        return (self.name,) + self.aliases


def normalize_name(name: str) -> str:
    """Return ``name`` reduced to its matching key: lower case ASCII-like letters and digits only.

    Accents are stripped (Unicode NFKD, combining marks removed) and so are
    spaces, punctuation, hyphens, apostrophes and modifier letters such as
    the ʿayn sign.

    >>> normalize_name("Ḥamāh")
    'hamah'
    >>> normalize_name("Zine al-Abdine Hill")
    'zinealabdinehill'
    """
    decomposed = unicodedata.normalize("NFKD", str(name))
    kept = (c for c in decomposed
            if not unicodedata.combining(c) and c.isalnum() and unicodedata.category(c) != "Lm")
    return "".join(kept).casefold()


def gazetteer_name(path) -> str:
    """Return the gazetteer name of a file: ``hama_places.csv`` -> ``hama``."""
    name = Path(path).name
    return name[: -len(_GAZETTEER_SUFFIX)] if name.endswith(_GAZETTEER_SUFFIX) else Path(path).stem


def load_gazetteer(path) -> list[Place]:
    """Read one gazetteer CSV file and return its places, in file order.

    Raises
    ------
    DataError
        The file is missing, lacks a column, or a row has no name or a bad coordinate.
    """
    path = Path(path)
    gazetteer = gazetteer_name(path)
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
            header = rows and list(rows[0].keys())
    except FileNotFoundError:
        raise DataError(f"gazetteer file {path} does not exist; check the samples folder "
                        "(set TERRAIN_SAMPLES to the folder holding the *_places.csv files)") from None
    if rows and any(col not in header for col in COLUMNS):
        missing = [col for col in COLUMNS if col not in header]
        raise DataError(f"gazetteer file {path} lacks the column(s) {', '.join(missing)}; "
                        f"its header must be {','.join(COLUMNS)}")
    places = []
    for line, row in enumerate(rows, start=2):
        name = (row["name"] or "").strip()
        if not name:
            raise DataError(f"{path} line {line} has no name; give every place a name or delete the row")
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except (TypeError, ValueError):
            raise DataError(f"{path} line {line} ({name}) has lat={row['lat']!r}, lon={row['lon']!r}, "
                            "which are not decimal degrees; write them like 35.135 and 36.75") from None
        if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
            raise DataError(f"{path} line {line} ({name}) has lat={lat}, lon={lon} outside the globe; "
                            "check that latitude comes before longitude")
        aliases = tuple(a.strip() for a in (row["aliases"] or "").split("|") if a.strip())
        places.append(Place(name=name, lat=lat, lon=lon, kind=(row["kind"] or "").strip(), aliases=aliases,
                            source=(row["source"] or "").strip(), note=(row["note"] or "").strip(),
                            gazetteer=gazetteer))
    return places


@functools.lru_cache(maxsize=8)
def _gazetteers_in(folder: str) -> Mapping[str, tuple[Place, ...]]:
    return {gazetteer_name(p): tuple(load_gazetteer(p))
            for p in sorted(Path(folder).glob("*" + _GAZETTEER_SUFFIX))}


def gazetteers() -> Mapping[str, tuple[Place, ...]]:
    """Return every gazetteer of the samples folder: gazetteer name -> its places (read once, cached).

    The folder is :func:`terrain.samples.samples_dir` (``TERRAIN_SAMPLES`` overrides it).
    """
    from .samples import samples_dir

    return dict(_gazetteers_in(str(samples_dir())))


def all_places() -> list[Place]:
    """Return the places of every gazetteer, gazetteer by gazetteer."""
    return [p for places in gazetteers().values() for p in places]


def find_place(name: str, gazetteer: str | None = None) -> Place:
    """Return the place whose name or alias matches ``name`` (loosely, see :func:`normalize_name`).

    Parameters
    ----------
    name : str
        A place name or alias, e.g. ``"Zine al-Abdine Hill"`` or ``"Ḥamāh"``.
    gazetteer : str, optional
        Search only this gazetteer (``"hama"``, ``"white_mountains"``).

    Raises
    ------
    InputError
        No place matches; the message suggests the closest names and that a
        position can be given as lat,lon instead.

    Examples
    --------
    >>> find_place("Ḥamāh").name
    'Hama'
    """
    places = all_places() if gazetteer is None else list(gazetteers().get(gazetteer, ()))
    key = normalize_name(name)
    if key:
        for place in places:
            if any(normalize_name(n) == key for n in place.names):
                return place
    raise InputError(_unknown_place_message(name, places))


def _unknown_place_message(name: str, places: list[Place]) -> str:
    by_key: dict[str, str] = {}
    for place in places:
        for n in place.names:
            by_key.setdefault(normalize_name(n), place.name)
    close = difflib.get_close_matches(normalize_name(name), list(by_key), n=6, cutoff=0.5)
    suggestions = list(dict.fromkeys(by_key[k] for k in close))[:3]
    if suggestions:
        hint = f"closest known names: {', '.join(suggestions)}; or "
    elif places:
        hint = f"known places include {', '.join(list(dict.fromkeys(p.name for p in places))[:4])}; or "
    else:
        hint = "no gazetteer is loaded; "
    return (f"unknown place {name!r}; {hint}give the position as lat,lon in decimal degrees "
            "instead (e.g. 35.135,36.75)")


def places_within(bounds, gazetteer: str | None = None) -> list[Place]:
    """Return the places inside ``bounds = (west, south, east, north)`` degrees, edges included.

    Examples
    --------
    >>> [p.name for p in places_within((-71.35, 44.25, -71.28, 44.33))]
    ['Mount Washington', 'Mount Adams', 'Mount Jefferson', 'Mount Monroe']
    """
    west, south, east, north = (float(v) for v in bounds)
    if west > east or south > north:
        raise InputError(f"bounds {tuple(bounds)} are not (west, south, east, north) with west <= east "
                         "and south <= north; reorder them")
    places = all_places() if gazetteer is None else list(gazetteers().get(gazetteer, ()))
    return [p for p in places if west <= p.lon <= east and south <= p.lat <= north]


#: A gazetteer ``source`` naming this holds a position nobody has verified (the stand-in's Jabal Kafra).
LOW_CONFIDENCE = "low confidence"


def position_caveats(texts) -> list[str]:
    """One sentence for each low-confidence gazetteer place (:data:`LOW_CONFIDENCE`) named in ``texts``
    (map labels, a report's observers): ``"Jabal Kafra: position not verified (...)"``, in gazetteer order."""
    joined = "\n".join(str(t) for t in texts).casefold()
    out = []
    for place in all_places():
        if LOW_CONFIDENCE in place.source.casefold() and place.name.casefold() in joined:
            why = place.note.split("position NOT verified:")[-1].strip() if "NOT verified" in place.note else ""
            out.append(f"{place.name}: position not verified" + (f" ({why})" if why else ""))
    return out
