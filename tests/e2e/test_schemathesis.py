"""Schemathesis against every service's OpenAPI: never a 500, every error a problem document.

Each operation of each running service gets a few generated requests that fit its schema
(positive) and a few that break it (negative), as a staff role that reaches most handlers and
anonymously. Generation is derandomized, so a run is repeatable and bounded in time.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from zll.devstack.stack import DevStack
from zll.platform.auth import Role, mint_token
from zll.platform.settings import SERVICE_NAMES, Settings

pytestmark = pytest.mark.e2e

PROBLEM_JSON = "application/problem+json"
EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 4}
# Counsellors reach learner-facing handlers (profiles, enrolling, cancelling); operators the
# administrative ones (providers, revocations, parked deliveries).
ROLES: tuple[Role | None, ...] = ("operator", "counsellor", None)


def _problems(response: Any) -> list[str]:
    """What is wrong with one response: a 5xx, or an error that is not an RFC 9457 document."""
    status = response.status_code
    if status >= 500:
        return [f"{status}: {response.text[:300]}"]
    if status < 400:
        return []
    content_type = _header(response, "content-type")
    if not content_type.startswith(PROBLEM_JSON):
        return [f"{status} as {content_type!r}: {response.text[:200]}"]
    body = response.json()
    missing = [k for k in ("type", "title", "status") if k not in body]
    if missing or body["status"] != status:
        return [f"{status} problem document lacks {missing or 'the right status'}: {body}"]
    return []


def _header(response: Any, name: str) -> str:
    # schemathesis' Response keeps every value of a header in a list
    values = {k.lower(): v for k, v in response.headers.items()}.get(name, "")
    return str(values[0] if isinstance(values, list) and values else values)


def _explore(
    operation: Any, mode: GenerationMode, examples: int, base_url: str, headers: dict[str, str]
) -> list[str]:
    """A few derandomized cases of one operation; what went wrong with their answers."""
    found: list[str] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        response = case.call(base_url=base_url, headers=headers, timeout=5)
        found.extend(
            f"{case.method} {case.formatted_path} ({mode}): {p}" for p in _problems(response)
        )

    try:
        call()
    except Unsatisfiable:
        # Nothing to break: an operation without parameters has no negative cases.
        assert mode is GenerationMode.NEGATIVE, operation.label
    return found


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_no_server_error_and_every_error_is_a_problem_document(
    region: DevStack, service: str, role: Role | None
) -> None:
    base_url = region.layout.url(service)
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    headers = {}
    if role is not None:
        token = mint_token(Settings(), role=role, sub=f"schemathesis-{role}")
        headers["Authorization"] = f"Bearer {token}"
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/stream"):
            continue  # server-sent events: a valid request keeps its connection open by design
        for mode, examples in EXAMPLES.items():
            found += _explore(operation, mode, examples, base_url, headers)
    assert sorted(set(found)) == []


@pytest.mark.parametrize("owner", ["learners/lea", "partners/vhs-kassel"])
def test_a_delivery_id_beyond_bigint_is_an_ordinary_not_found(region: DevStack, owner: str) -> None:
    """Found by the run above: the replay route's integer path parameter is unbounded."""
    token = mint_token(Settings(), role="operator", sub="ops")
    response = httpx.post(
        f"{region.layout.url('notify')}/{owner}/deliveries/{2**70}/replay",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code in (404, 422), response.text
    assert _problems(response) == []
