"""Schemathesis against every service's OpenAPI: never a 500, every error a problem document,
every success the shape the schema promises.

Each operation of each running service gets generated requests that fit its schema
(positive), requests that break it (negative), and positive requests whose path names
resources that exist (seeded: a registered provider, its course, a learner enrolled in it),
so operations are exercised past their 404. It runs as two staff roles that reach most
handlers and anonymously. A 2xx answer's body is validated against the operation's response
schema. Generation is derandomized, so a run is repeatable and bounded in time.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.e2e.matching_helpers import course, module, publish, skill
from zll.devstack.stack import DevStack
from zll.platform.auth import Role, mint_token
from zll.platform.settings import SERVICE_NAMES, Settings

pytestmark = pytest.mark.e2e

PROBLEM_JSON = "application/problem+json"
EXAMPLES = {GenerationMode.POSITIVE: 8, GenerationMode.NEGATIVE: 5}
SEEDED_EXAMPLES = 5
PROVIDER = f"st-vhs-{uuid.uuid4().hex[:6]}"
LEARNER = f"st-learner-{uuid.uuid4().hex[:6]}"
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
    return _problem_document(response)


def _problem_document(response: Any) -> list[str]:
    status = response.status_code
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


def _unlike_its_schema(case: Any, response: Any) -> list[str]:
    """A success whose body (and content type) is not what the operation's schema promises."""
    if not 200 <= response.status_code < 300:
        return []
    try:
        case.validate_response(response, checks=[response_schema_conformance])
    except (Exception, BaseExceptionGroup) as failure:  # schemathesis' own failure (group)
        return [f"{response.status_code} unlike its schema: {str(failure)[:400]}"]
    return []


def _explore(
    operation: Any,
    mode: GenerationMode,
    examples: int,
    base_url: str,
    roles: dict[str, dict[str, str]],
    seeded: dict[str, str] | None = None,
) -> list[str]:
    """A few derandomized cases of one operation (their path ids replaced by `seeded` ones
    when given), each sent as every role; what went wrong with their answers.

    A case is drawn once and sent as each role: drawing it is most of the cost (schemathesis
    rejects most candidates it draws), and derandomized it would be the same case anyway."""
    found: list[str] = []

    @settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=seeded))
    def call(case: Any) -> None:
        label = f"{mode}, seeded" if seeded is not None else str(mode)
        for role, headers in roles.items():
            response = case.call(base_url=base_url, headers=headers, timeout=5)
            wrong = _problems(response) + _unlike_its_schema(case, response)
            found.extend(
                f"{case.method} {case.formatted_path} ({label}, {role}): {p}" for p in wrong
            )

    try:
        call()
    except Unsatisfiable:
        # Nothing to break: an operation without parameters has no negative cases.
        assert mode is GenerationMode.NEGATIVE, operation.label
    return found


@pytest.fixture(scope="module")
def existing(region: DevStack) -> dict[str, str]:
    """Resources that exist, by path parameter name: a provider, its course, an enrolment."""
    operator = _bearer("operator")
    catalog, enrolment = region.layout.url("catalog"), region.layout.url("enrolment")
    registered = httpx.put(
        f"{catalog}/providers/{PROVIDER}",
        json={"name": "VHS Schemathesis", "kind": "volkshochschule", "municipality": "Kassel"},
        headers=operator,
    )
    assert registered.status_code == 200, registered.text
    data = course(PROVIDER, "kurs", "Kassel", [module("m1", [skill("bookkeeping")])])
    published = publish(
        region.bootstrap, "zll.provider.courses.v1", data, key=data["course_id"],
        ce_type="zll.course.upserted.v1", sender=PROVIDER,
    )  # fmt: skip
    with ThreadPoolExecutor(1) as thread:  # no event loop of pytest-asyncio's is touched
        thread.submit(asyncio.run, published).result()
    seats = f"{enrolment}/courses/{data['course_id']}/seats"
    assert _eventually(lambda: httpx.get(seats).status_code == 200), "the ledger never learned it"
    enrolled = httpx.post(
        f"{enrolment}/enrolments",
        json={"course_id": data["course_id"], "learner_id": LEARNER},
        headers=_bearer("counsellor"),
    )
    assert enrolled.status_code in (200, 201), enrolled.text
    return {
        "provider_id": PROVIDER,
        "course_id": data["course_id"],
        "learner_id": LEARNER,
        "enrolment_id": enrolled.json()["enrolment_id"],
    }


def _seeded(path: str, path_names: list[str], existing: dict[str, str]) -> dict[str, str] | None:
    """Existing ids for every path parameter of the operation; None when one is unknown."""
    owner = {"learners": existing["learner_id"], "partners": existing["provider_id"]}
    known = existing | ({"id": owner[path.split("/")[1]]} if path.split("/")[1] in owner else {})
    if not path_names or any(name not in known for name in path_names):
        return None
    return {name: known[name] for name in path_names}


def _bearer(role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(Settings(), role=role, sub=f'st-{role}')}"}


def _eventually(check: Any, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_no_server_error_every_error_a_problem_every_success_its_schema(
    region: DevStack, existing: dict[str, str], service: str
) -> None:
    base_url = region.layout.url(service)
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    roles = {role or "anonymous": _bearer(role) if role else {} for role in ROLES}
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path.endswith("/stream"):
            continue  # server-sent events: a valid request keeps its connection open by design
        for mode, examples in EXAMPLES.items():
            found += _explore(operation, mode, examples, base_url, roles)
        seeded = _seeded(operation.path, re.findall(r"\{(\w+)\}", operation.path), existing)
        if seeded is not None:
            positive = GenerationMode.POSITIVE
            found += _explore(operation, positive, SEEDED_EXAMPLES, base_url, roles, seeded)
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


def test_a_nul_character_is_an_invalid_request_not_a_server_error(region: DevStack) -> None:
    """Found by the run above: PostgreSQL cannot store U+0000, in a query or in a body."""
    catalog = region.layout.url("catalog")
    searched = httpx.get(f"{catalog}/courses", params={"q": "Excel\x00"})
    registered = httpx.put(
        f"{catalog}/providers/{PROVIDER}-nul",
        json={"name": "VHS \x00", "kind": "volkshochschule", "municipality": "Kassel"},
        headers=_bearer("operator"),
    )

    for response in (searched, registered):
        assert response.status_code == 422, response.text
        assert _problems(response) == []
        assert "U+0000" in response.json()["detail"]
