"""Every event a service can receive is handled or ignored on purpose, and no handler waits
for an event that never arrives on the service's topics."""

from __future__ import annotations

import importlib

import pytest
from zll_contracts.payloads import event_type_of
from zll_contracts.topics import TOPICS

from zll.platform.service import ServiceDefinition

SERVICES = ["catalog", "cooperative", "enrolment", "intake", "matching", "notify"]


def definition(service: str) -> ServiceDefinition:
    found: ServiceDefinition = importlib.import_module(f"services.{service}.app").DEFINITION
    return found


def arriving(d: ServiceDefinition) -> set[str]:
    """The event types that can arrive on the topics the service consumes."""
    return {event_type for name in d.topics for event_type in TOPICS[name].event_types}


@pytest.mark.parametrize("service", SERVICES)
def test_every_event_on_a_consumed_topic_is_handled_or_ignored_on_purpose(service: str) -> None:
    d = definition(service)
    decided = set(d.handlers) | {event_type_of(model) for model in d.ignores}
    assert sorted(arriving(d) - decided) == []


@pytest.mark.parametrize("service", SERVICES)
def test_no_handler_waits_for_an_event_that_never_arrives(service: str) -> None:
    d = definition(service)
    assert sorted(set(d.handlers) - arriving(d)) == []


@pytest.mark.parametrize("service", SERVICES)
def test_an_ignored_event_has_no_handler(service: str) -> None:
    d = definition(service)
    assert sorted(set(d.handlers) & {event_type_of(m) for m in d.ignores}) == []
