"""The demo region's data is valid contract data and gives a demo something to show."""

from __future__ import annotations

import re
from datetime import date
from itertools import combinations
from typing import Any

import pytest
from zll_contracts.payloads import CourseUpserted

from zll.demo.region import DELIBERATE_OVERLAPS, DEMO_PROVIDERS, REGIONS, demo_courses

COURSES = demo_courses()
PROVIDER_IDS = {provider.provider_id for provider in DEMO_PROVIDERS}


def _skills(course: CourseUpserted) -> set[str]:
    return {skill for module in course.modules for skill in module.skills}


def _compete(a: CourseUpserted, b: CourseUpserted) -> bool:
    """Different providers, at least one shared skill, and running at the same time."""
    return (
        a.provider_id != b.provider_id
        and bool(_skills(a) & _skills(b))
        and a.start_date <= b.end_date
        and b.start_date <= a.end_date
    )


def _region_of(municipality: str) -> str:
    return next(name for name, towns in REGIONS.items() if municipality in towns)


@pytest.mark.parametrize("course", COURSES, ids=[c["course_id"] for c in COURSES])
def test_every_course_is_a_valid_course_upserted_payload(course: dict[str, Any]) -> None:
    parsed = CourseUpserted.model_validate(course)

    assert parsed.revision == 1
    assert date(2027, 1, 10) < parsed.start_date <= parsed.end_date < date(2028, 1, 1)
    assert 1 <= len(parsed.modules) <= 4


def test_every_course_belongs_to_a_demo_provider() -> None:
    assert {course["provider_id"] for course in COURSES} <= PROVIDER_IDS


def test_provider_ids_are_unique_and_well_formed() -> None:
    assert len(PROVIDER_IDS) == len(DEMO_PROVIDERS)
    assert all(re.fullmatch(r"[a-z0-9-]{2,40}", provider_id) for provider_id in PROVIDER_IDS)


def test_course_ids_are_unique() -> None:
    course_ids = [course["course_id"] for course in COURSES]
    assert len(course_ids) == len(set(course_ids))


def test_both_regions_have_providers_and_courses() -> None:
    provider_regions = {_region_of(provider.municipality) for provider in DEMO_PROVIDERS}
    course_regions = {
        _region_of(course["location"]["municipality"]) for course in COURSES if "location" in course
    }
    assert provider_regions == course_regions == set(REGIONS)


def test_a_course_is_small_enough_to_show_the_waitlist() -> None:
    assert any(course["capacity"] <= 2 for course in COURSES)


def test_courses_from_different_providers_compete_for_the_same_learners() -> None:
    parsed = [CourseUpserted.model_validate(course) for course in COURSES]
    assert any(_compete(a, b) for a, b in combinations(parsed, 2))


@pytest.mark.parametrize("pair", DELIBERATE_OVERLAPS, ids=lambda pair: " vs ".join(pair))
def test_the_deliberate_overlaps_do_overlap(pair: tuple[str, str]) -> None:
    by_id = {course["course_id"]: CourseUpserted.model_validate(course) for course in COURSES}
    first, second = (by_id[course_id] for course_id in pair)
    assert _compete(first, second)
    assert first.location is not None
    assert second.location is not None
    assert _region_of(first.location.municipality) == _region_of(second.location.municipality)
