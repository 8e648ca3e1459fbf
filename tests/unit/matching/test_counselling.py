"""Recommendations honour every constraint, explain themselves, and pathways book in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from services.matching.domain.counselling import (
    CourseOffer,
    ModuleOffer,
    Profile,
    recommend,
    time_of_day,
    why_not,
)
from services.matching.domain.pathways import pathway

TODAY = date(2027, 1, 1)
S = "http://data.europa.eu/esco/skill/"
BOOK, TAX, PAYROLL, EXCEL, LAW = (S + s for s in ("book", "tax", "payroll", "excel", "law"))


def label(uri: str) -> str:
    return uri.rsplit("/", 1)[1]


def module(module_id: str, *skills: str, eqf: int = 3, hours: float = 40) -> ModuleOffer:
    return ModuleOffer(module_id, f"Modul {module_id}", hours, eqf, frozenset(skills))


def course(course_id: str, *modules: ModuleOffer, **changes: object) -> CourseOffer:
    base = CourseOffer(
        course_id=course_id,
        provider_id=course_id.split(":")[0],
        title=f"Kurs {course_id}",
        format="onsite",
        municipality="Kassel",
        lat=None,
        lon=None,
        start_date=date(2027, 3, 1),
        end_date=date(2027, 4, 30),
        schedule="Mo 18:00–20:15",
        capacity=12,
        price_eur=480.0,
        funding=frozenset({"bildungsgutschein"}),
        target_groups=frozenset({"working-age"}),
        language="de",
        modules=modules,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


LEARNER = Profile(
    goal_skills=frozenset({BOOK, TAX, PAYROLL, EXCEL, LAW}),
    held_skills=frozenset({EXCEL}),
    municipality="Baunatal",
    travel_km=20,
    formats=frozenset({"onsite", "online"}),
    budget_eur=100,
    languages=frozenset({"de"}),
    times_of_day=frozenset({"evening"}),
    life_phase="working-age",
    funding=frozenset({"bildungsgutschein"}),
)


def test_the_course_closing_most_of_the_gap_comes_first_and_says_why() -> None:
    courses = [
        course("vhs:one", module("m1", BOOK)),
        course("vhs:three", module("m1", BOOK, TAX), module("m2", PAYROLL)),
    ]
    first, second = recommend(LEARNER, courses, TODAY, label)
    assert (first.course_id, second.course_id) == ("vhs:three", "vhs:one")
    assert first.teaches == sorted([BOOK, TAX, PAYROLL])
    assert first.explanation == (
        "teaches 3 of the 4 skills your goal needs (book, payroll, tax); 8 km away; "
        "Bildungsgutschein accepted; free for you; starts 2027-03-01, Mo 18:00–20:15"
    )


def test_skills_already_held_are_not_taught_again() -> None:
    assert recommend(LEARNER, [course("vhs:excel", module("m1", EXCEL))], TODAY, label) == []


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"start_date": date(2026, 12, 1)}, "has already started"),
        ({"capacity": 0}, "has no seats"),
        ({"format": "blended"}, "is blended"),
        ({"language": "en"}, "is taught in en"),
        ({"target_groups": frozenset({"senior"})}, "is meant for another life phase"),
        ({"schedule": "Di 09:00–12:00"}, "runs in the morning"),
        ({"funding": frozenset(), "price_eur": 480.0}, "costs more than the budget"),
        ({"municipality": "Detmold"}, "is 85 km away"),
        ({"municipality": "Atlantis"}, "is at a place we cannot locate"),
    ],
)
def test_every_constraint_filters(changes: dict[str, object], reason: str) -> None:
    offer = course("vhs:x", module("m1", BOOK), **changes)
    assert why_not(offer, LEARNER, TODAY) == reason
    assert recommend(LEARNER, [offer], TODAY, label) == []


def test_an_online_course_is_never_too_far() -> None:
    offer = course("vhs:web", module("m1", BOOK), format="online", municipality=None)
    (rec,) = recommend(LEARNER, [offer], TODAY, label)
    assert rec.distance_km is None
    assert "online" in rec.explanation


def test_a_course_own_coordinates_win_over_its_town() -> None:
    offer = course("vhs:x", module("m1", BOOK), municipality="Detmold", lat=51.25, lon=9.41)
    assert why_not(offer, LEARNER, TODAY) is None


def test_schedule_times_map_to_parts_of_the_day() -> None:
    assert [
        time_of_day(s) for s in ("Mo 08:30", "Sa 13.00", "Do 19:15", "nach Absprache", None)
    ] == [
        "morning",
        "afternoon",
        "evening",
        None,
        None,
    ]


def test_a_pathway_covers_the_gap_in_order_without_clashes() -> None:
    basics = course(
        "vhs:basics",
        module("b1", BOOK, eqf=2, hours=30),
        start_date=date(2027, 2, 1),
        end_date=date(2027, 2, 28),
    )
    advanced = course(
        "kammer:adv",
        module("a1", TAX, PAYROLL, eqf=4, hours=60),
        provider_id="kammer",
        start_date=date(2027, 5, 1),
        end_date=date(2027, 6, 30),
        funding=frozenset(),
        price_eur=90.0,
    )
    clashing = course(
        "bs:clash",
        module("c1", BOOK, TAX, PAYROLL, LAW, eqf=3),
        start_date=date(2027, 2, 15),
        end_date=date(2027, 5, 15),
        schedule="Mo 09:00",  # morning: the learner can't, so it must not be booked
    )
    law = course(
        "vhs:law",
        module("l1", LAW, eqf=4, hours=20),
        start_date=date(2027, 7, 1),
        end_date=date(2027, 7, 31),
    )
    result = pathway(LEARNER, [law, clashing, advanced, basics], TODAY)
    assert [(s.course_id, s.module_id) for s in result.steps] == [
        ("vhs:basics", "b1"),
        ("kammer:adv", "a1"),
        ("vhs:law", "l1"),
    ]
    assert result.missing == []
    assert result.total_workload_hours == 110
    assert result.total_cost_eur == 90.0
    levels = [s.eqf_level for s in result.steps]
    assert levels == sorted(levels)
    assert all(
        a.end_date < b.start_date for a, b in zip(result.steps, result.steps[1:], strict=False)
    )


def test_a_pathway_does_not_book_two_courses_running_at_once() -> None:
    a = course("vhs:a", module("m", BOOK, TAX))
    b = course("vhs:b", module("m", PAYROLL))  # same dates as a
    result = pathway(LEARNER, [a, b], TODAY)
    assert [s.course_id for s in result.steps] == ["vhs:a"]
    assert result.missing == sorted([LAW, PAYROLL])
