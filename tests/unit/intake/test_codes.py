"""Course ids from export ids: stable, within the contract's rule, and collision-safe."""

from __future__ import annotations

import re

from services.intake import ImportedCourse, Refusal, course_code, refuse_duplicates

RULE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def test_an_id_that_fits_is_kept_as_it_is():
    assert course_code("0F48F5A8-C22C-4AFF-B891-77095CD84029") == (
        "0F48F5A8-C22C-4AFF-B891-77095CD84029"
    )


def test_ids_that_differ_only_in_replaced_characters_get_different_codes():
    codes = {course_code(i) for i in ("K 261/204", "K-261-204x", "K/261 204", "K_261_204")}

    assert len(codes) == 4
    assert all(RULE.match(code) for code in codes)


def test_a_long_or_foreign_id_is_cut_with_a_hash_and_stays_stable():
    long_id = "Kursnummer-" + "ä" * 200
    assert RULE.match(course_code(long_id))
    assert course_code(long_id) == course_code(long_id)
    assert course_code(long_id) != course_code(long_id + "x")
    assert RULE.match(course_code("////"))


def test_a_second_record_with_the_same_code_is_refused_in_german_and_english():
    course = ImportedCourse("K1", "K1", {"title": "Excel"}, 10, "/v[1]")
    again = ImportedCourse("K1", "K1", {"title": "Excel II"}, 40, "/v[2]")
    records = list(refuse_duplicates([course, again]))

    assert records[0] is course
    assert isinstance(records[1], Refusal)
    assert records[1].text() == (
        "Kurs 'Excel II' (Zeile 40): Die Kurs-ID 'K1' kommt in der Datei mehrfach vor; nur der "
        "erste Eintrag wurde übernommen."
    )
