"""The plain-text rule the services apply to partners' words, without any server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import BaseModel
from zll_contracts.payloads import CourseUpserted, EnrolmentCancelRequested, OpportunityUpserted

from tests.hostile.corpus import course, opportunity
from zll.platform.errors import Problem, Refused
from zll.platform.plain_text import check_plain_text, text_problems


def refused_for(payload: BaseModel) -> list[Problem]:
    """What the services call: a quick pass over all strings first, the named problems after."""
    try:
        check_plain_text(payload)
    except Refused as refusal:
        return list(refusal.problems)
    return []


# One rule in the platform, applied by catalog, enrolment and matching to what partners send;
# both of its entry points must judge alike.
RULES: list[Callable[[Any], list[Problem]]] = [text_problems, refused_for]


def _course(**changes: Any) -> BaseModel:
    # no description: only the catalog knows course descriptions as multi-line text
    data = course("vhs-x:k1", "vhs-x") | {"description": None}
    return CourseUpserted.model_validate(data | changes)


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize(
    "title",
    ["Kurs\x07", "Kurs\x00", "Zeile\nzwei", "Tab\tim Titel", "Kurs\x85",
     "<script>alert(1)</script>", "Kurs <b>fett</b>", "<!-- x -->", "<?php echo 1 ?>"],
)  # fmt: skip
def test_a_title_with_controls_or_markup_is_refused_naming_the_field(
    rule: Callable[[Any], list[Problem]], title: str
) -> None:
    (problem,) = rule(_course(title=title))
    assert problem.field == "title"
    assert "control character" in problem.message or "markup" in problem.message


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize(
    "title",
    ["Robert'); DROP TABLE courses;--", "a < b > c", "Deutsch für 3 < Kinder > 5",
     "Schweißen – Grundlagen", "C++ & C#", "Kurs \U0001f600"],
)  # fmt: skip
def test_plain_text_that_only_looks_dangerous_is_kept(
    rule: Callable[[Any], list[Problem]], title: str
) -> None:
    assert rule(_course(title=title)) == []


@pytest.mark.parametrize("rule", RULES)
def test_a_course_description_may_span_lines_and_contain_markup_as_text(
    rule: Callable[[Any], list[Problem]],
) -> None:
    described = _course(description="Erste Zeile\n\tzweite <b>Zeile</b>\r\n")
    assert rule(described) == []
    assert [p.field for p in rule(_course(description="a\x00"))] == ["description"]


@pytest.mark.parametrize("rule", RULES)
def test_nested_fields_are_named_by_their_path(rule: Callable[[Any], list[Problem]]) -> None:
    data = course("vhs-x:k1", "vhs-x")
    data["modules"][0]["title"] = "<i>Modul</i>"
    data["location"]["municipality"] = "Kassel\x1b"
    fields = [p.field for p in rule(CourseUpserted.model_validate(data))]
    assert fields == ["location.municipality", "modules.0.title"]


@pytest.mark.parametrize("rule", RULES)
def test_a_cancellation_reason_may_span_lines_but_not_hold_controls(
    rule: Callable[[Any], list[Problem]],
) -> None:
    ok = EnrolmentCancelRequested.model_validate(
        {"enrolment_id": "6f0f3c2e-5d0c-4c55-9c54-2f7a6a0e1a10", "reason": "krank\nbis Mai"}
    )
    assert rule(ok) == []
    bad = ok.model_copy(update={"reason": "krank\x07"})
    assert [p.field for p in rule(bad)] == ["reason"]


@pytest.mark.parametrize("rule", RULES)
def test_an_opportunity_title_with_markup_is_refused(rule: Callable[[Any], list[Problem]]) -> None:
    data = opportunity("o1", "firma", "http://data.europa.eu/esco/skill/x") | {
        "title": "<b>Job</b>"
    }
    problems = rule(OpportunityUpserted.model_validate(data))
    assert [p.field for p in problems] == ["title"]


def test_a_refused_module_title_is_worded_for_the_clerk() -> None:
    data = course("vhs-x:k1", "vhs-x") | {"description": None}
    data["modules"][0]["title"] = "Kurs <b>fett</b>"
    (problem,) = text_problems(CourseUpserted.model_validate(data))
    assert problem.field == "modules.0.title"
    assert problem.message_de == (
        "Modul 1: Der Titel enthält Auszeichnungen (<b>); Titel und Namen sind reiner Text."
    )
    assert problem.message_en == (
        "Module 1: The title contains markup (<b>); titles and names are plain text."
    )
