"""A partner institution publishes its courses: what is accepted and what is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from zll_contracts import (
    CourseFormat,
    CourseUpserted,
    CourseWithdrawn,
    PayloadRefused,
    TargetGroup,
    parse_payload,
)

UPSERTED = "zll.course.upserted.v1"


def refused_fields(event_type: str, data: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(PayloadRefused) as refused:
        parse_payload(event_type, data)
    return {error.field: error.message for error in refused.value.errors}


def test_a_valid_course_upsert_parses(course):
    parsed = parse_payload(UPSERTED, course)

    assert isinstance(parsed, CourseUpserted)
    assert parsed.course_id == "vhs-jena:ENG-B1-2025"
    assert parsed.format is CourseFormat.ONSITE
    assert parsed.location is not None
    assert parsed.location.municipality == "Jena"
    assert parsed.start_date == date(2025, 9, 1)
    assert parsed.price_eur == Decimal("189.5")
    assert parsed.target_groups == [TargetGroup.WORKING_AGE, TargetGroup.SENIOR]
    assert [m.module_id for m in parsed.modules] == ["B1.1", "B1.2"]


def test_language_defaults_to_german(course):
    del course["language"]
    assert CourseUpserted.model_validate(course).language == "de"


def test_optional_fields_may_be_left_out(course):
    for name in ("description", "schedule", "language"):
        del course[name]
    course["location"] = {"municipality": "Jena"}
    assert CourseUpserted.model_validate(course).description is None


def test_fields_from_a_later_version_are_ignored(course):
    course["accessibility"] = {"wheelchair": True}
    course["modules"][0]["exam_fee_eur"] = 40
    parsed = CourseUpserted.model_validate(course)
    assert "accessibility" not in parsed.model_dump()


def test_unknown_funding_schemes_are_kept(course):
    course["funding"] = ["bildungsgutschein", "aufstiegs-bafoeg", "landesprogramm-xy"]
    parsed = CourseUpserted.model_validate(course)
    assert parsed.funding == ["bildungsgutschein", "aufstiegs-bafoeg", "landesprogramm-xy"]


@pytest.mark.parametrize("price", [189.5, "189.50", "189.5", 0, "0"])
def test_price_is_accepted_as_number_or_string(course, price):
    course["price_eur"] = price
    assert CourseUpserted.model_validate(course).price_eur == Decimal(str(price))


def test_price_is_written_as_a_json_number(course):
    course["price_eur"] = "189.50"
    dumped = CourseUpserted.model_validate(course).model_dump(mode="json")
    assert dumped["price_eur"] == 189.5
    assert isinstance(dumped["price_eur"], float)


def test_an_online_course_needs_no_location(course):
    course["format"] = "online"
    del course["location"]
    assert CourseUpserted.model_validate(course).location is None


@pytest.mark.parametrize("course_format", ["onsite", "blended"])
def test_a_course_that_meets_somewhere_needs_a_location(course, course_format):
    course["format"] = course_format
    del course["location"]
    fields = refused_fields(UPSERTED, course)
    assert list(fields) == ["location"]
    assert "required unless format is online" in fields["location"]


def test_a_course_id_outside_the_providers_prefix_names_course_id(course):
    course["course_id"] = "vhs-gera:ENG-B1-2025"
    fields = refused_fields(UPSERTED, course)
    assert list(fields) == ["course_id"]
    assert "vhs-jena" in fields["course_id"]


def test_a_course_ending_before_it_starts_names_end_date(course):
    course["end_date"] = "2025-08-31"
    assert list(refused_fields(UPSERTED, course)) == ["end_date"]


def test_a_one_day_course_may_end_on_its_start_date(course):
    course["end_date"] = course["start_date"]
    assert CourseUpserted.model_validate(course).end_date == date(2025, 9, 1)


def test_module_ids_must_be_unique(course):
    course["modules"][1]["module_id"] = "B1.1"
    fields = refused_fields(UPSERTED, course)
    assert list(fields) == ["modules"]
    assert "B1.1" in fields["modules"]


def test_every_broken_field_is_named_once(course):
    course["title"] = ""
    course["capacity"] = -1
    course["modules"][0]["eqf_level"] = 9
    course["modules"][1]["skills"] = ["https://example.org/skill"]
    assert sorted(refused_fields(UPSERTED, course)) == [
        "capacity",
        "modules.0.eqf_level",
        "modules.1.skills.0",
        "title",
    ]


MEGABYTE = "x" * 1_000_000

# (what to change, the value, the field that must be named)
RULES: list[tuple[str, Any, str]] = [
    ("provider_id", "VHS_Jena", "provider_id"),
    ("provider_id", "v", "provider_id"),
    ("provider_id", "a" * 41, "provider_id"),
    ("course_id", "vhs-jena", "course_id"),
    ("course_id", "vhs-jena:", "course_id"),
    ("course_id", "vhs-jena:ENG B1", "course_id"),
    ("course_id", "vhs-jena:" + "x" * 65, "course_id"),
    ("revision", 0, "revision"),
    ("revision", "three", "revision"),
    ("revision", 2**64, "revision"),
    ("title", "", "title"),
    ("title", "x" * 201, "title"),
    ("title", MEGABYTE, "title"),
    ("description", "x" * 10_001, "description"),
    ("language", "deu", "language"),
    ("language", "DE", "language"),
    ("format", "hybrid", "format"),
    ("location", {"postcode": "07743"}, "location.municipality"),
    ("location", {"municipality": "Jena", "lat": 91}, "location.lat"),
    ("start_date", "1. September", "start_date"),
    ("schedule", MEGABYTE, "schedule"),
    ("capacity", -1, "capacity"),
    ("capacity", 2.5, "capacity"),
    ("price_eur", -0.01, "price_eur"),
    ("price_eur", "gratis", "price_eur"),
    ("price_eur", "NaN", "price_eur"),
    ("price_eur", "12.345", "price_eur"),
    ("funding", "bildungsgutschein", "funding"),
    ("funding", [MEGABYTE], "funding.0"),
    ("target_groups", ["adults"], "target_groups.0"),
    ("modules", [], "modules"),
]


@pytest.mark.parametrize(("field", "value", "named"), RULES)
def test_each_rule_refuses_with_the_right_field(course, field, value, named):
    course[field] = value
    assert list(refused_fields(UPSERTED, course)) == [named]


MODULE_RULES: list[tuple[str, Any]] = [
    ("module_id", "B1 1"),
    ("module_id", ""),
    ("title", ""),
    ("workload_hours", 0),
    ("workload_hours", -3),
    ("eqf_level", 0),
    ("eqf_level", 9),
    ("skills", ["http://data.europa.eu/esco/occupation/abc"]),
    ("certificate", "diploma"),
]


@pytest.mark.parametrize(("field", "value"), MODULE_RULES)
def test_each_module_rule_refuses_with_the_modules_path(course, field, value):
    course["modules"][1][field] = value
    (named,) = refused_fields(UPSERTED, course)
    assert named.startswith(f"modules.1.{field}")


@pytest.mark.parametrize("missing", ["course_id", "provider_id", "title", "format", "modules"])
def test_required_fields_are_named_when_missing(course, missing):
    del course[missing]
    assert refused_fields(UPSERTED, course) == {missing: "Field required"}


def test_a_withdrawal_names_the_course_and_a_reason(course):
    withdrawn = {
        "course_id": "vhs-jena:ENG-B1-2025",
        "provider_id": "vhs-jena",
        "revision": 4,
        "reason": "Dozentin erkrankt",
    }
    parsed = parse_payload("zll.course.withdrawn.v1", withdrawn)
    assert isinstance(parsed, CourseWithdrawn)
    assert parsed.revision == 4


def test_a_withdrawal_outside_the_providers_prefix_names_course_id():
    withdrawn = {
        "course_id": "vhs-gera:ENG",
        "provider_id": "vhs-jena",
        "revision": 1,
        "reason": "",
    }
    assert list(refused_fields("zll.course.withdrawn.v1", withdrawn)) == ["course_id"]
