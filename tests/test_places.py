"""Tests of terrain.places: the gazetteers and loose name matching."""

from __future__ import annotations

import pytest

from terrain import places
from terrain.errors import DataError, InputError
from terrain.places import Place, find_place, gazetteers, load_gazetteer, normalize_name, places_within
from terrain.samples import GAZETTEER_BOUNDS, HAMA_BOUNDS

HEADER = "name,aliases,lat,lon,kind,source,note\n"
KINDS = {"city", "town", "village", "summit", "dam", "visitor centre", "hotel"}


@pytest.mark.parametrize("spelling", [
    "Zayn al-Abidin", "Zine al-Abdine Hill", "Jabal Zayn al-Abidin", "Jabal Zain al-Abidin", "Zein al-Abidin",
    "Zayn al-Abidin hill", "zayn al abidin", "ZAYN AL-ABIDIN", "  Zayn   al-Abidin ", "zaynalabidin",
    "Zayn al‐Abidin",  # Unicode hyphen
])
def test_zayn_al_abidin_spellings(spelling):
    place = find_place(spelling)
    assert place.name == "Zayn al-Abidin"
    assert (place.lat, place.lon) == (35.2030, 36.7663)
    assert place.kind == "summit"
    assert place.gazetteer == "hama"


@pytest.mark.parametrize("spelling", ["Hama", "Hama city centre", "Hamah", "Ḥamāh", "Hama city", "HAMA", "hamah",
                                      "Ḥamah", "hama city-centre"])
def test_hama_spellings(spelling):
    place = find_place(spelling)
    assert place.name == "Hama"
    assert (place.lat, place.lon) == (35.1350, 36.7500)
    assert place.kind == "city"


@pytest.mark.parametrize("spelling", ["Jabal Kafra", "Kafra", "Jebel Kafra", "Jabal Kafra summit", "jabal-kafra"])
def test_jabal_kafra_spellings_and_low_confidence(spelling):
    place = find_place(spelling)
    assert place.name == "Jabal Kafra"
    assert "low confidence" in place.source


@pytest.mark.parametrize("spelling", ["Mount Washington", "Mt Washington", "Mt. Washington", "mt washington",
                                      "MOUNT WASHINGTON"])
def test_mount_washington_spellings(spelling):
    place = find_place(spelling)
    assert (place.name, place.lat, place.lon) == ("Mount Washington", 44.2708, -71.3033)
    assert place.gazetteer == "white_mountains"


def test_every_name_and_alias_finds_its_own_place():
    for place in places.all_places():
        for name in place.names:
            assert find_place(name) == place


def test_names_and_aliases_are_unambiguous_across_gazetteers():
    owner = {}
    for place in places.all_places():
        for name in place.names:
            key = normalize_name(name)
            assert owner.setdefault(key, place.name) == place.name, f"{name!r} names two places"


def test_normalize_name_strips_case_accents_punctuation_and_spaces():
    assert normalize_name("Ḥamāh") == "hamah"
    assert normalize_name("Ma'ardes") == normalize_name("Maardes") == "maardes"
    assert normalize_name("Zine al-Abdine  Hill") == "zinealabdinehill"
    assert normalize_name("Taybat ʿal-Imam") == "taybatalimam"  # modifier letter ayn dropped
    assert normalize_name("Mt. Washington") == normalize_name("mt washington")


def test_unknown_place_error_suggests_close_names_and_lat_lon():
    with pytest.raises(InputError) as info:
        find_place("Hamma")
    message = str(info.value)
    assert "'Hamma'" in message and "Hama" in message.replace("'Hamma'", "")
    assert "lat,lon" in message
    assert "\n" not in message
    assert isinstance(info.value, ValueError)


def test_unknown_place_without_close_names_still_lists_some():
    with pytest.raises(InputError, match=r"unknown place 'Xyzzy'; known places include .*lat,lon"):
        find_place("Xyzzy")


@pytest.mark.parametrize("blank", ["", "   ", "--"])
def test_blank_name_is_unknown(blank):
    with pytest.raises(InputError, match="unknown place"):
        find_place(blank)


def test_find_place_in_one_gazetteer():
    assert find_place("Hama", gazetteer="hama").name == "Hama"
    with pytest.raises(InputError):
        find_place("Hama", gazetteer="white_mountains")


def test_gazetteers_are_the_sample_files():
    gaz = gazetteers()
    assert set(gaz) == {"hama", "white_mountains"}
    assert {p.name for p in gaz["hama"]} >= {"Hama", "Zayn al-Abidin", "Jabal Kafra", "Qamhana", "Maardes",
                                             "Souran", "Tayyibat al-Imam", "Halfaya", "Mhardeh dam"}
    assert len(gaz["white_mountains"]) >= 7


def test_every_place_is_inside_its_sample_dem():
    for name, gaz_places in gazetteers().items():
        west, south, east, north = GAZETTEER_BOUNDS[name]
        for p in gaz_places:
            assert west < p.lon < east and south < p.lat < north, f"{p.name} is outside the {name} DEM"


def test_gazetteer_rows_are_complete():
    for p in places.all_places():
        assert p.kind in KINDS, p
        assert p.source, p
        assert all(a.strip() == a and a for a in p.aliases), p


def test_places_within_hama_bounds_gives_hama_places_only():
    inside = places_within(HAMA_BOUNDS)
    assert {p.gazetteer for p in inside} == {"hama"}
    assert len(inside) == len(gazetteers()["hama"])


def test_places_within_small_box_and_edges():
    names = [p.name for p in places_within((-71.35, 44.25, -71.28, 44.33))]
    assert names == ["Mount Washington", "Mount Adams", "Mount Jefferson", "Mount Monroe"]
    washington = find_place("Mount Washington")
    on_edge = (washington.lon, washington.lat, washington.lon, washington.lat)
    assert [p.name for p in places_within(on_edge)] == ["Mount Washington"]
    assert places_within((0, 0, 1, 1)) == []


def test_places_within_rejects_swapped_bounds():
    with pytest.raises(InputError, match="west, south, east, north"):
        places_within((37.05, 34.95, 36.45, 35.45))


def test_load_gazetteer_reads_aliases_and_fields(tmp_path):
    path = tmp_path / "test_places.csv"
    path.write_text(HEADER + 'Tell,"A|B | C",1.5,-2.25,summit,"made up, high",a note\n', encoding="utf-8")
    assert load_gazetteer(path) == [Place("Tell", 1.5, -2.25, "summit", ("A", "B", "C"), "made up, high",
                                          "a note", "test")]


@pytest.mark.parametrize("body, match", [
    ("name,lat,lon\nX,1,2\n", "lacks the column"),
    (HEADER + "X,,north,2,summit,s,\n", "not decimal degrees"),
    (HEADER + "X,,95,2,summit,s,\n", "outside the globe"),
    (HEADER + ",,1,2,summit,s,\n", "has no name"),
])
def test_load_gazetteer_refuses_bad_files(tmp_path, body, match):
    path = tmp_path / "bad_places.csv"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(DataError, match=match):
        load_gazetteer(path)


def test_load_gazetteer_missing_file(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        load_gazetteer(tmp_path / "none_places.csv")


def test_gazetteers_follow_terrain_samples(tmp_path, monkeypatch):
    (tmp_path / "extra_places.csv").write_text(HEADER + "Somewhere,Elsewhere,10,20,town,test,\n",
                                               encoding="utf-8")
    monkeypatch.setenv("TERRAIN_SAMPLES", str(tmp_path))
    assert set(gazetteers()) == {"extra"}
    assert find_place("elsewhere").lon == 20.0
    with pytest.raises(InputError):
        find_place("Hama")
