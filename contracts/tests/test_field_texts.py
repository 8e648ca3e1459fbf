"""A refusal in a clerk's words: the field's human name, modules from 1, what is allowed."""

from __future__ import annotations

from typing import Any

import pytest
from zll_contracts import PayloadRefused, parse_payload
from zll_contracts.field_texts import describe_problem


def refused(event_type: str, data: Any) -> dict[str, tuple[str | None, str | None]]:
    """Each refused field (as programs see it) with its German and English sentence."""
    with pytest.raises(PayloadRefused) as refusal:
        parse_payload(event_type, data)
    return {e.field: (e.message_de, e.message_en) for e in refusal.value.errors}


def test_a_module_is_counted_from_one_and_its_allowed_range_is_named(course):
    course["modules"][0]["eqf_level"] = 9
    course["modules"][1]["eqf_level"] = 0
    texts = refused("zll.course.upserted.v1", course)

    assert texts["modules.0.eqf_level"] == (
        "Modul 1: Das EQF-Niveau muss zwischen 1 und 8 liegen; angegeben war 9.",
        "Module 1: The EQF level must be between 1 and 8; 9 was given.",
    )
    assert texts["modules.1.eqf_level"][0] == (
        "Modul 2: Das EQF-Niveau muss zwischen 1 und 8 liegen; angegeben war 0."
    )


def test_numbers_are_written_as_each_language_writes_them(course):
    course["capacity"] = -1
    assert refused("zll.course.upserted.v1", course)["capacity"] == (
        "Die Zahl der Plätze muss zwischen 0 und 1.000.000 liegen; angegeben war -1.",
        "The number of seats must be between 0 and 1,000,000; -1 was given.",
    )


@pytest.mark.parametrize(
    ("change", "field", "german", "english"),
    [
        (
            {"title": None},
            "title",
            "Der Titel fehlt, ist aber Pflicht.",
            "The title is missing; it is required.",
        ),
        (
            {"title": ""},
            "title",
            "Der Titel darf nicht leer sein.",
            "The title must not be empty.",
        ),
        (
            {"format": "hybrid"},
            "format",
            "Die Kursform muss einer dieser Werte sein: onsite, online, blended;"
            ' angegeben war "hybrid".',
            'The course format must be one of: onsite, online, blended; "hybrid" was given.',
        ),
        (
            {"start_date": "01.03.2027"},
            "start_date",
            "Das Anfangsdatum muss ein Datum der Form JJJJ-MM-TT sein (2027-03-01);"
            ' angegeben war "01.03.2027".',
            'The start date must be a date as YYYY-MM-DD (2027-03-01); "01.03.2027" was given.',
        ),
        (
            {"end_date": "2025-08-01"},
            "end_date",
            "Das Enddatum darf nicht vor dem Anfangsdatum (2025-09-01) liegen.",
            "The end date must not be before the start date (2025-09-01).",
        ),
        (
            {"course_id": "vhs-gera:ENG-B1"},
            "course_id",
            "Die Kurs-Kennung (course_id) muss mit der Anbieter-Kennung und einem Doppelpunkt"
            " beginnen (vhs-jena:…).",
            "The course id must start with the provider id and a colon (vhs-jena:…).",
        ),
        (
            {"language": "deutsch"},
            "language",
            "Die Kurssprache muss genau 2 Zeichen lang sein; angegeben waren 7 Zeichen.",
            "The course language must be exactly 2 characters long; 7 characters were given.",
        ),
        (
            {"modules": []},
            "modules",
            "Die Module müssen 1 bis 200 Einträge haben; angegeben waren 0.",
            "The modules must have 1 to 200 entries; 0 were given.",
        ),
        (
            {"price_eur": "12.345"},
            "price_eur",
            "Der Preis in Euro muss ein Betrag in ganzen Cent sein (höchstens zwei"
            ' Nachkommastellen); angegeben war "12.345".',
            "The price in euros must be an amount in whole cents (at most two decimals);"
            ' "12.345" was given.',
        ),
    ],
)
def test_each_kind_of_rule_says_what_is_allowed(course, change, field, german, english):
    course.update(change)
    if change.get("title", "") is None:
        del course["title"]
    assert refused("zll.course.upserted.v1", course)[field] == (german, english)


def test_an_item_of_a_list_is_named_by_its_place(course):
    course["modules"][0]["skills"] = [course["modules"][0]["skills"][0], "Schweißen"]
    german, english = refused("zll.course.upserted.v1", course)["modules.0.skills.1"]
    assert german == (
        "Modul 1: Kompetenz 2 muss eine ESCO-Kompetenz sein (http://data.europa.eu/esco/skill/…);"
        ' angegeben war "Schweißen".'
    )
    assert english.startswith("Module 1: Skill 2 must be an ESCO skill")


def test_a_long_value_is_quoted_short(course):
    course["modules"][0]["certificate"] = "x" * 500
    german, _ = refused("zll.course.upserted.v1", course)["modules.0.certificate"]
    assert german.endswith(f'angegeben war "{"x" * 59}…".')


def test_the_machine_readable_field_and_message_stay_as_they_were(course):
    course["modules"][0]["eqf_level"] = 9
    with pytest.raises(PayloadRefused) as refusal:
        parse_payload("zll.course.upserted.v1", course)
    [error] = refusal.value.errors
    assert (error.field, error.message) == (
        "modules.0.eqf_level",
        "Input should be less than or equal to 8",
    )


def test_a_services_own_rule_names_the_field_and_keeps_its_message():
    worded = describe_problem("modules.1.module_id", "'B1.9' is not a module of this course")
    assert worded.de == "Modul 2: Die Modul-Kennung: 'B1.9' is not a module of this course"
    assert worded.en == "Module 2: The module id: 'B1.9' is not a module of this course"
    assert describe_problem("colour", "wrong").de == "Das Feld colour: wrong"


def test_an_enrolment_refusal_is_worded_too(enrolment_request):
    enrolment_request["contact"]["email"] = "anna at example.org"
    assert refused("zll.enrolment.requested.v1", enrolment_request)["contact.email"] == (
        'Die E-Mail-Adresse muss eine E-Mail-Adresse sein; angegeben war "anna at example.org".',
        'The e-mail address must be an e-mail address; "anna at example.org" was given.',
    )


def test_unprintable_characters_are_not_quoted_back(course):
    # A lone surrogate cannot be encoded as UTF-8: quoted back, it would break the feedback.
    course["format"] = "on\ud800site\x1b[31m"
    german, english = refused("zll.course.upserted.v1", course)["format"]
    assert german.endswith('angegeben war "on site [31m".')
    assert english.encode("utf-8")
