"""OpenVHS exports as VHS software writes them, in UTF-8 and in ISO-8859-1."""

from __future__ import annotations

from services.intake import Format
from tests.unit.intake.conftest import courses_of, read


def test_a_vhs_export_becomes_courses_with_every_field_it_carries(fixture_bytes):
    document = read(fixture_bytes("openvhs-kassel.xml"))
    courses, _ = courses_of(document)

    assert document.header.format is Format.OPENVHS
    assert document.header.full is True
    assert document.header.creator == "vhs Region Kassel"
    assert document.header.creator_id == "vhs-region-kassel"
    assert len(courses) == 3
    excel = courses[0].payload_without_revision
    assert excel["course_id"] == "vhs-kassel:4D1C7E2A-0B6F-4C3E-9A51-2F7E1D0C9B11"
    assert "revision" not in excel
    assert excel["title"] == "Excel für Einsteiger & Umsteiger"
    assert excel["description"].startswith("Tabellen, Formeln, Diagramme\n\nSie lernen Zellbezüge")
    assert excel["format"] == "onsite"
    assert excel["location"] == {
        "municipality": "Kassel",
        "postcode": "34117",
        "street": "Wilhelmshöher Allee 19–21",
        "lat": None,
        "lon": None,
    }
    assert (excel["start_date"], excel["end_date"]) == ("2027-01-13", "2027-02-03")
    assert excel["schedule"] == "Mi 18:00–20:15 (4 Termine)"
    assert (excel["capacity"], excel["price_eur"]) == (12, 96.0)
    assert excel["target_groups"] == ["working-age"]
    # 12 Unterrichtseinheiten of 45 minutes; one module spanning the course.
    assert excel["modules"] == [
        {
            "module_id": "kurs",
            "title": "Excel für Einsteiger & Umsteiger",
            "workload_hours": 9.0,
            "eqf_level": 2,
            "skills": [],  # ESCO names no skill for "Excel …": none rather than a guess
            "certificate": "attendance",
            "skills_inferred": False,
        }
    ]
    assert courses[0].source_line == 10
    assert courses[0].path == "/veranstaltungen/veranstaltung[1]"


def test_kursart_digital_funding_and_target_groups_are_mapped(fixture_bytes):
    courses, _ = courses_of(read(fixture_bytes("openvhs-kassel.xml")))
    online, retreat = courses[1].payload_without_revision, courses[2].payload_without_revision

    assert online["format"] == "online"
    assert online["location"] is None
    assert online["schedule"] == "Mo, Mi"
    assert online["price_eur"] == 0.0
    assert online["modules"][0]["certificate"] == "module-certificate"
    assert retreat["format"] == "blended"
    assert retreat["funding"] == ["bildungsurlaub"]
    assert retreat["price_eur"] == 289.5  # written "289,50"
    assert retreat["target_groups"] == ["transition", "working-age", "senior"]


def test_an_export_id_outside_the_code_rule_gets_a_stable_safe_code(fixture_bytes):
    first, _ = courses_of(read(fixture_bytes("openvhs-kassel.xml")))
    again, _ = courses_of(read(fixture_bytes("openvhs-kassel.xml")))

    assert first[1].export_id == "VHS/K261 305"
    assert first[1].code.startswith("VHS-K261-305-")
    assert first[1].code == again[1].code


def test_a_broken_course_is_refused_with_its_title_line_and_a_german_reason(fixture_bytes):
    _, refusals = courses_of(read(fixture_bytes("openvhs-kassel.xml")))

    assert len(refusals) == 1
    assert refusals[0].text() == "Kurs 'Excel' (Zeile 129): Das Enddatum liegt vor dem Beginn."
    assert refusals[0].text("en") == "Course 'Excel' (line 129): The end date is before the start."
    assert refusals[0].path == "/veranstaltungen/veranstaltung[4]"


def test_an_iso_8859_1_export_is_read_with_its_umlauts(fixture_bytes):
    document = read(fixture_bytes("openvhs-lippe-latin1.xml"), "vhs-lippe-west")
    courses, refusals = courses_of(document)

    assert refusals == []
    assert courses[0].payload_without_revision["title"] == (
        "Töpfern für Groß und Klein: Schälchen & Krüge"
    )
    assert courses[0].payload_without_revision["target_groups"] == ["school"]
    assert courses[1].payload_without_revision["target_groups"] == ["senior"]
    assert document.warnings == []


def test_an_iso_8859_1_export_that_declares_utf_8_is_repaired_and_says_so(fixture_bytes):
    latin1 = fixture_bytes("openvhs-lippe-latin1.xml")
    for lie in (
        latin1.replace(b'encoding="ISO-8859-1"', b'encoding="UTF-8"'),
        latin1.replace(b'<?xml version="1.0" encoding="ISO-8859-1"?>\n', b""),
    ):
        document = read(lie, "vhs-lippe-west")
        courses, _ = courses_of(document)

        assert courses[1].payload_without_revision["title"] == "Rückenfit für Senioren"
        assert len(document.warnings) == 1
        assert "ISO-8859-1" in document.warnings[0].de


def test_a_utf_8_export_that_declares_iso_8859_1_is_read_as_utf_8(fixture_bytes):
    utf8 = fixture_bytes("openvhs-kassel.xml").replace(
        b'encoding="UTF-8"', b'encoding="ISO-8859-1"'
    )
    document = read(utf8)
    courses, _ = courses_of(document)

    assert courses[0].payload_without_revision["title"] == "Excel für Einsteiger & Umsteiger"
    assert "ist aber UTF-8" in document.warnings[0].de


def test_a_number_that_is_no_number_refuses_only_its_course(fixture_bytes):
    data = fixture_bytes("openvhs-kassel.xml").replace(
        b"<dauer>12.0</dauer>", b"<dauer>zw\xc3\xb6lf</dauer>"
    )
    courses, refusals = courses_of(read(data))

    assert len(courses) == 2
    assert refusals[0].text() == (
        "Kurs 'Excel für Einsteiger & Umsteiger' (Zeile 10): Eine Zahl ist ungültig: 'zwölf'."
    )
