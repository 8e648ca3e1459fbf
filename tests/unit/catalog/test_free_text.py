"""A search box's words: what to search, and near where ("Excel Kurs 34117 25 km")."""

from __future__ import annotations

import pytest

from services.catalog.free_text import Understood, understand


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Excel Kurs 34117 25 km", Understood("Excel Kurs", "34117", 25.0)),
        ("Pflege Kassel 10km", Understood("Pflege", "Kassel", 10.0)),
        ("Pflege Kassel", Understood("Pflege", "Kassel")),
        ("Kassel 10 km", Understood(None, "Kassel", 10.0)),
        (
            "Deutschkurs in Bad Salzuflen am Abend",
            Understood("Deutschkurs am Abend", "Bad Salzuflen"),
        ),
        ("Deutsch B1 Frankfurt am Main", Understood("Deutsch B1", "Frankfurt am Main")),
        ("Schweißen im Umkreis von 30 km um Göttingen", Understood("Schweißen", "Göttingen", 30.0)),
        ("Excel 34117 Kassel", Understood("Excel", "34117")),  # an address: the town is its part
        ("Buchhaltung PLZ 34117", Understood("Buchhaltung", "34117")),
        ("Pflege in Lemgo, 5,5 km", Understood("Pflege", "Lemgo", 5.5)),
        ("34117", Understood(None, "34117")),
    ],
)
def test_place_and_radius_are_read_from_the_words(q: str, expected: Understood) -> None:
    assert understand(q) == expected


@pytest.mark.parametrize(
    "q",
    [
        "Excel Kurs",
        "Kassel",  # a town alone is the word searched (unless a radius is beside it)
        "Excel 2016",  # four digits: no postcode
        "Excel 12345",  # five digits, but no German postcode
        '"Gesund Essen"',  # quotes: as written
        "Pflege -Kassel",  # the web syntax: as written
        "Altenpflege Grundkurs",
    ],
)
def test_words_without_a_place_are_searched_as_typed(q: str) -> None:
    assert understand(q) == Understood(q)


def test_a_radius_beyond_what_search_allows_stays_a_word() -> None:
    assert understand("Deutsch 1000 km Kassel") == Understood("Deutsch 1000 km", "Kassel")
    assert understand("Excel 0 km 34117") == Understood("Excel 0 km", "34117")


def test_the_last_radius_said_counts() -> None:
    assert understand("Pflege 10 km Kassel 25 km") == Understood("Pflege 10 km", "Kassel", 25.0)


def test_the_towns_known_are_asked_not_guessed() -> None:
    assert understand("Pflege Atlantis", is_town=lambda name: name == "Atlantis") == Understood(
        "Pflege", "Atlantis"
    )
    assert understand("Pflege Kassel", is_town=lambda name: False) == Understood("Pflege Kassel")
