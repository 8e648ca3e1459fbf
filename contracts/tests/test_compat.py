"""What counts as a breaking change between two versions of a payload schema."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from zll_contracts.compat import breaking_changes, breaking_changes_in_set


def course_schema() -> dict[str, Any]:
    """A small schema shaped like pydantic's: $defs, $ref, anyOf for optionals."""
    return {
        "$defs": {
            "CourseFormat": {"enum": ["onsite", "online", "blended"], "type": "string"},
            "Module": {
                "properties": {
                    "module_id": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
                    "eqf_level": {"type": "integer", "minimum": 1, "maximum": 8},
                },
                "required": ["module_id", "eqf_level"],
                "type": "object",
            },
        },
        "properties": {
            "course_id": {"type": "string", "maxLength": 105},
            "title": {"type": "string", "minLength": 1, "maxLength": 200},
            "description": {
                "anyOf": [{"type": "string", "maxLength": 10000}, {"type": "null"}],
                "default": None,
            },
            "format": {"$ref": "#/$defs/CourseFormat"},
            "capacity": {"type": "integer", "minimum": 0},
            "modules": {"type": "array", "items": {"$ref": "#/$defs/Module"}, "minItems": 1},
        },
        "required": ["course_id", "title", "format", "capacity", "modules"],
        "type": "object",
    }


def changed(edit: Any) -> list[str]:
    new = copy.deepcopy(course_schema())
    edit(new)
    return breaking_changes(course_schema(), new)


def test_an_unchanged_schema_breaks_nothing():
    assert breaking_changes(course_schema(), course_schema()) == []


BREAKING: list[tuple[str, Any, str]] = [
    ("property removed", lambda s: s["properties"].pop("capacity"), "capacity: property removed"),
    (
        "type changed",
        lambda s: s["properties"]["capacity"].update(type="string"),
        "capacity: type changed from integer to string",
    ),
    (
        "optional property made required",
        lambda s: s["required"].append("description"),
        "description: property newly required",
    ),
    (
        "new required property",
        lambda s: (
            s["properties"].update(room={"type": "string"}),
            s["required"].append("room"),
        ),
        "room: property newly required",
    ),
    (
        "enum value removed (through $ref)",
        lambda s: s["$defs"]["CourseFormat"].update(enum=["onsite", "online"]),
        "format: enum value(s) removed: 'blended'",
    ),
    (
        "maxLength lowered",
        lambda s: s["properties"]["title"].update(maxLength=100),
        "title: maxLength tightened from 200 to 100",
    ),
    (
        "minLength raised",
        lambda s: s["properties"]["title"].update(minLength=3),
        "title: minLength tightened from 1 to 3",
    ),
    (
        "maximum lowered in a nested definition",
        lambda s: s["$defs"]["Module"]["properties"]["eqf_level"].update(maximum=7),
        "modules[].eqf_level: maximum tightened from 8 to 7",
    ),
    (
        "minimum raised",
        lambda s: s["properties"]["capacity"].update(minimum=1),
        "capacity: minimum tightened from 0 to 1",
    ),
    (
        "maximum newly set",
        lambda s: s["properties"]["capacity"].update(maximum=500),
        "capacity: maximum 500 newly set",
    ),
    (
        "pattern changed",
        lambda s: s["$defs"]["Module"]["properties"]["module_id"].update(pattern="^[a-z]+$"),
        "modules[].module_id: pattern changed",
    ),
    (
        "maxLength lowered inside anyOf",
        lambda s: s["properties"]["description"]["anyOf"][0].update(maxLength=500),
        "description: maxLength tightened from 10000 to 500",
    ),
    (
        "optional no longer nullable",
        lambda s: s["properties"].update(description={"type": "string", "maxLength": 10000}),
        "description: no longer accepts null",
    ),
    (
        "minItems raised",
        lambda s: s["properties"]["modules"].update(minItems=2),
        "modules: minItems tightened from 1 to 2",
    ),
    (
        "extra fields forbidden",
        lambda s: s.update(additionalProperties=False),
        "(root): additional properties are now forbidden",
    ),
]


@pytest.mark.parametrize(
    ("edit", "expected"), [b[1:] for b in BREAKING], ids=[b[0] for b in BREAKING]
)
def test_each_kind_of_breaking_change_is_detected(edit, expected):
    problems = changed(edit)
    assert len(problems) == 1, problems
    assert problems[0].startswith(expected)


ADDITIVE: list[tuple[str, Any]] = [
    ("optional property added", lambda s: s["properties"].update(room={"type": "string"})),
    (
        "enum value added",
        lambda s: s["$defs"]["CourseFormat"]["enum"].append("hybrid"),
    ),
    ("maxLength raised", lambda s: s["properties"]["title"].update(maxLength=300)),
    ("minimum dropped", lambda s: s["properties"]["capacity"].pop("minimum")),
    ("required dropped", lambda s: s["required"].remove("capacity")),
    ("description changed", lambda s: s.update(description="A course.", title="Course")),
    (
        "made nullable",
        lambda s: s["properties"].update(
            capacity={"anyOf": [{"type": "integer", "minimum": 0}, {"type": "null"}]}
        ),
    ),
    (
        "definition renamed",
        lambda s: (
            s["$defs"].update(Format=s["$defs"].pop("CourseFormat")),
            s["properties"].update(format={"$ref": "#/$defs/Format"}),
        ),
    ),
]


@pytest.mark.parametrize("edit", [a[1] for a in ADDITIVE], ids=[a[0] for a in ADDITIVE])
def test_additive_changes_are_accepted(edit):
    assert changed(edit) == []


def test_recursive_schemas_terminate():
    tree = {
        "$defs": {
            "Node": {
                "properties": {
                    "children": {"items": {"$ref": "#/$defs/Node"}, "type": "array"},
                    "parent": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]},
                },
                "type": "object",
            }
        },
        "$ref": "#/$defs/Node",
    }
    assert breaking_changes(tree, copy.deepcopy(tree)) == []


def test_a_removed_event_type_breaks_the_set():
    old = {"zll.a.v1": course_schema(), "zll.b.v1": course_schema()}
    new = {"zll.a.v1": course_schema(), "zll.c.v1": course_schema()}
    assert breaking_changes_in_set(old, new) == ["zll.b.v1: event type schema removed"]


def test_problems_in_a_set_name_their_event_type():
    new_schema = course_schema()
    new_schema["properties"].pop("title")
    assert breaking_changes_in_set({"zll.a.v1": course_schema()}, {"zll.a.v1": new_schema}) == [
        "zll.a.v1: title: property removed"
    ]
