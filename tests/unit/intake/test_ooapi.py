"""OOAPI v5 offerings, read item by item."""

from __future__ import annotations

import json

from services.intake import Format
from tests.unit.intake.conftest import courses_of, read


def test_offerings_become_courses_and_a_bare_course_is_refused_for_its_missing_dates(
    fixture_bytes,
):
    document = read(fixture_bytes("ooapi-offerings.json"), "uni-kassel")
    courses, refusals = courses_of(document)

    assert document.header.format is Format.OOAPI
    assert document.header.full is True
    informatics = courses[0].payload_without_revision
    assert informatics["title"] == "Grundlagen der Wirtschaftsinformatik"
    assert informatics["format"] == "blended"
    assert informatics["language"] == "de"
    assert informatics["location"] == {
        "municipality": "Kassel",
        "postcode": "34109",
        "street": "Mönchebergstraße 19",
        "lat": 51.3226,
        "lon": 9.5057,
    }
    assert informatics["modules"][0]["eqf_level"] == 6  # bachelor
    assert informatics["modules"][0]["workload_hours"] == 125  # 5 ECTS
    assert informatics["modules"][0]["certificate"] == "module-certificate"
    data = courses[1].payload_without_revision
    assert (data["format"], data["language"], data["funding"]) == ("online", "en", ["stap"])
    assert refusals[0].source_line == 38
    assert "nur OOAPI-Angebote (offerings) haben Termine" in refusals[0].text()


def test_a_page_with_more_pages_after_it_is_not_a_full_export(fixture_bytes):
    page = json.loads(fixture_bytes("ooapi-offerings.json"))
    page["hasNextPage"] = True

    assert read(json.dumps(page).encode(), "uni-kassel").header.full is False


def test_a_bare_array_of_offerings_is_read_too(fixture_bytes):
    items = json.loads(fixture_bytes("ooapi-offerings.json"))["items"][:2]
    courses, _ = courses_of(read(json.dumps(items).encode(), "uni-kassel"))

    assert len(courses) == 2
