"""The field reference shows every field of every event, and only examples the region accepts."""

from __future__ import annotations

import pytest
from zll_contracts import reference
from zll_contracts.payloads.registry import EVENT_MODELS


@pytest.mark.parametrize("event_type", sorted(EVENT_MODELS))
def test_each_example_is_accepted_by_its_model(event_type: str) -> None:
    EVENT_MODELS[event_type].model_validate(reference.example(event_type))


@pytest.mark.parametrize("event_type", sorted(EVENT_MODELS))
def test_every_field_of_every_event_is_listed(event_type: str) -> None:
    text = reference.markdown()
    section = text.split(f"## `{event_type}`\n", 1)[1].split("\n## ", 1)[0]
    for name in EVENT_MODELS[event_type].model_fields:
        assert f"| `{name}` |" in section, f"{event_type}: {name} missing"


def test_nested_fields_are_listed_with_their_rules() -> None:
    section = reference.markdown().split("## `zll.course.upserted.v1`\n", 1)[1]
    assert "| `modules[].eqf_level` | integer | yes | ≥ 1; ≤ 8 |" in section
    assert "| `location.postcode` |" in section
