"""The texts learners and partners read, rendered from the templates in both languages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.notify import domain, texts
from services.notify.domain import CourseFacts, Notice

COURSE = CourseFacts(
    "vhs-kassel:sw-101", "vhs-kassel", "Schweißen <Grundkurs>", date(2027, 3, 1),
    date(2027, 4, 30), "34117 Kassel",
)  # fmt: skip
SKILL = "http://data.europa.eu/esco/skill/welding"


TAKEN = {
    "import_id": "imp-1",
    "feed_id": "feed",
    "format": "openvhs",
    "outcome": "taken",
    "counts": {"new": 12, "changed": 3, "unchanged": 240, "withdrawn": 1, "refused": 2},
    "refused": [
        {
            "export_id": "K261-330",
            "title": "Excel kompakt",
            "line": 129,
            "message_de": "Kurs 'Excel kompakt' (Zeile 129): Das Enddatum liegt vor dem Beginn.",
            "message_en": "Course 'Excel kompakt' (line 129): the end date is before the start.",
        }
    ],
    "reason_de": None,
    "reason_en": None,
}


def every_kind() -> list[Notice]:
    moved = CourseFacts(*[getattr(COURSE, f) for f in COURSE.__dataclass_fields__][:3],
                        date(2027, 3, 8), COURSE.end_date, None)  # fmt: skip
    return [
        *domain.enrolment_confirmed("e1", COURSE.course_id, "lena", False, COURSE),
        *domain.enrolment_confirmed("e1", COURSE.course_id, "lena", True, None),
        *domain.enrolment_waitlisted("e1", COURSE.course_id, "lena", 3, COURSE),
        *domain.enrolment_cancelled("e1", COURSE.course_id, "lena", "provider", None, COURSE),
        *domain.certificate_issued("e1", COURSE.course_id, "lena", "c1", ["m1"], COURSE, "u"),
        *domain.certificate_revoked("e1", COURSE.course_id, "lena", "c1", "Irrtum", COURSE),
        *domain.placement_proposed("p1", "lena", "job-7", "job", None, "http://a", "http://d"),
        *domain.course_changed(COURSE, moved, ["lena"]),
        *domain.demand_gap(SKILL, None, "Kassel", "medium", 9, 2, 7, ["vhs-kassel"]),
        *domain.feedback_rejected("vhs-kassel", "ce-1", "t", [{"field": "f", "message": "m"}]),
        *domain.project_invited(
            "vhs-lippe",
            "proj-1",
            "Pflege Lippe",
            [{"skill": SKILL, "municipality": "Lemgo"}],
            ["Hat 2 passende Kurse angeboten."],
            "http://c/answers",
        ),
        *domain.offer_made("e1", COURSE.course_id, "lena", DEADLINE, COURSE, "http://e"),
        *domain.offer_declined("e1", COURSE.course_id, "lena", None),
        *domain.offer_expired("e1", COURSE.course_id, "lena", COURSE),
        *domain.recognition_requested("r1", COURSE.course_id, "lena", ["Modul 2 …"], COURSE),
        *domain.recognition_answered(
            "r1", COURSE.course_id, "lena", "partial", ["m2"], "alt", COURSE
        ),
        *domain.import_reported("vhs-kassel", TAKEN),
    ]


DEADLINE = datetime(2027, 2, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "words"),
    [("de", ["bis 2027-02-20 10:00 Uhr", "offer/accept"]), ("en", ["until 2027-02-20 10:00"])],
)
def test_a_learner_offered_a_seat_reads_the_deadline_in_the_regions_time_and_how_to_answer(
    locale: str, words: list[str]
) -> None:
    learner, provider = domain.offer_made("e1", COURSE.course_id, "lena", DEADLINE, COURSE, "u")
    assert (learner.recipient.kind, provider.recipient.id) == ("learner", "vhs-kassel")
    text = texts.render(learner.kind, locale, learner.data)
    for word in words:
        assert word in text.text


def test_every_kind_has_texts_in_both_languages() -> None:
    rendered = {n.kind for n in every_kind()}
    assert rendered == set(domain.KINDS)
    for notice in every_kind():
        for locale in domain.LOCALES:
            text = texts.render(notice.kind, locale, notice.data)
            assert text.subject
            assert "\n" not in text.subject
            assert text.text.strip()
            assert text.html.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("locale", "words"),
    [("de", ["Warteliste", "Platz 3"]), ("en", ["waiting list", "number 3"])],
)
def test_a_waitlisted_learner_reads_their_position_in_their_language(
    locale: str, words: list[str]
) -> None:
    [notice] = domain.enrolment_waitlisted("e1", COURSE.course_id, "lena", 3, COURSE)
    text = texts.render(notice.kind, locale, notice.data)
    for word in words:
        assert word in text.text
        assert word in text.html


def test_a_cancellation_says_why() -> None:
    cases = {"withdrawal": "abgesagt", "provider": "Bildungsanbieter", "learner": "eigenen Wunsch"}
    for cancelled_by, why in cases.items():
        [notice] = domain.enrolment_cancelled("e1", COURSE.course_id, "l", cancelled_by, "x", None)
        assert why in texts.render(notice.kind, "de", notice.data).text


def test_html_is_escaped_and_plain_text_is_not() -> None:
    [notice, _] = domain.enrolment_confirmed("e1", COURSE.course_id, "lena", False, COURSE)
    text = texts.render(notice.kind, "de", notice.data)

    assert "Schweißen <Grundkurs>" in text.text
    assert "Schweißen &lt;Grundkurs&gt;" in text.html
    assert "<Grundkurs>" not in text.html


def test_a_placement_text_tells_how_to_accept() -> None:
    [notice] = domain.placement_proposed("p1", "lena", "job-7", "job", None, "http://a", "http://d")
    assert "http://a" in texts.render(notice.kind, "en", notice.data).text
    assert "So nehmen Sie an" in texts.render(notice.kind, "de", notice.data).text


def test_a_refusal_lists_every_broken_field() -> None:
    errors = [{"field": "title", "message": "too long"}, {"field": "capacity", "message": "< 0"}]
    [notice] = domain.feedback_rejected("vhs-kassel", "ce-1", "zll.provider.courses.v1", errors)
    text = texts.render(notice.kind, "de", notice.data).text
    assert "- title: too long" in text
    assert "- capacity: < 0" in text


def test_a_refused_course_is_named_and_each_field_worded_for_the_clerk() -> None:
    errors = [
        {
            "field": "modules.0.eqf_level",
            "message": "Input should be less than or equal to 8",
            "message_de": "Modul 1: Das EQF-Niveau muss zwischen 1 und 8 liegen; angegeben war 9.",
            "message_en": "Module 1: The EQF level must be between 1 and 8; 9 was given.",
        }
    ]
    about = {"course_id": "vhs-kassel:sw-101", "title": "Schweißen <Grundkurs>"}
    [notice] = domain.feedback_rejected(
        "vhs-kassel", "ce-1", "zll.provider.courses.v1", errors, about
    )

    german = texts.render(notice.kind, "de", notice.data)
    assert german.subject == "Kurs „Schweißen <Grundkurs>“ nicht übernommen"
    assert "Ihr Kurs „Schweißen <Grundkurs>“ (Kurs-Kennung vhs-kassel:sw-101)" in german.text
    assert "- Modul 1: Das EQF-Niveau muss zwischen 1 und 8 liegen; angegeben war 9." in german.text
    assert "Input should be" not in german.text  # the validator's English is for programs
    assert "Felder modules.0.eqf_level" in german.text  # …and the field path for their IT
    assert "Schweißen &lt;Grundkurs&gt;" in german.html
    assert "<li>Modul 1: Das EQF-Niveau muss zwischen 1 und 8 liegen" in german.html

    english = texts.render(notice.kind, "en", notice.data)
    assert english.subject == "Course “Schweißen <Grundkurs>” not accepted"
    assert "- Module 1: The EQF level must be between 1 and 8; 9 was given." in english.text


def test_a_refusal_without_a_course_or_worded_fields_still_reads() -> None:
    errors = [{"field": "data", "message": "Input should be a valid dictionary"}]
    [notice] = domain.feedback_rejected("vhs-kassel", "ce-9", "zll.provider.enrolments.v1", errors)
    text = texts.render(notice.kind, "de", notice.data)
    assert text.subject == "Ihre Meldung wurde nicht übernommen"
    assert "- data: Input should be a valid dictionary" in text.text
    assert "ce_id ce-9" in text.text


@pytest.mark.parametrize(
    ("locale", "words"),
    [
        ("de", ["12 neu", "Zeile 129", "Enddatum", "1 weitere"]),
        ("en", ["12 new", "line 129", "end date", "1 more"]),
    ],
)
def test_an_import_report_names_the_counts_and_each_refused_course(
    locale: str, words: list[str]
) -> None:
    [notice] = domain.import_reported("vhs-kassel", TAKEN)
    text = texts.render(notice.kind, locale, notice.data)
    for word in words:
        assert word in text.subject + text.text
        assert word in text.subject + text.html


def test_a_refused_export_says_why_and_that_nothing_changed() -> None:
    refused = {**TAKEN, "outcome": "refused", "counts": None, "refused": []}
    refused |= {"reason_de": "Die Datei ist unvollständig.", "reason_en": "The file is truncated."}
    [notice] = domain.import_reported("vhs-kassel", refused)
    german = texts.render(notice.kind, "de", notice.data)
    english = texts.render(notice.kind, "en", notice.data)
    assert "nicht übernommen" in german.subject
    assert "Die Datei ist unvollständig." in german.text
    assert "The file is truncated." in english.html


@pytest.mark.parametrize(("locale", "word"), [("de", "2 Meldungen"), ("en", "2 messages")])
def test_a_partner_digest_holds_every_waiting_message(locale: str, word: str) -> None:
    items = [
        {"subject": "Export übernommen", "text": "12 neu"},
        {"subject": "Kurs <X>", "text": "…"},
    ]
    text = texts.render("partner.digest", locale, {"items": items})
    assert word in text.subject
    assert "Export übernommen" in text.text
    assert "12 neu" in text.text
    assert "Kurs &lt;X&gt;" in text.html
