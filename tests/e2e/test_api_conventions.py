"""The same conventions on every service, checked over every running service's OpenAPI document.

Each test states one rule and names each operation that breaks it, as `GET /path (service)`.
The rules: lists are pages (`cursor`, `limit` in; `items`, `next_cursor` out) like catalog's
`GET /courses`; errors are RFC 9457 problem documents, documented and real; dates are ISO
(`format: date` / `date-time`); every body has an example that fits its schema; texts for
people follow `Accept-Language` (German by default, English on request).
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.e2e.test_notify_api import outcome, publish_outcome
from tests.support.partner import eventually
from zll.devstack.stack import DevStack
from zll.platform.auth import Role, mint_token
from zll.platform.settings import SERVICE_NAMES, Settings

pytestmark = pytest.mark.e2e

PROBLEM_JSON = "application/problem+json"
OWNER = f"conventions-{uuid.uuid4().hex[:6]}"
# Names a date or a time: these must be declared as ISO 8601 dates or date-times.
DATE_NAME = re.compile(r"(_at|_date|_on|^date|^starts_(after|before))$")


@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    path: str
    spec: dict[str, Any]
    document: dict[str, Any]

    def __str__(self) -> str:
        return f"{self.method} {self.path} ({self.service})"

    def parameters(self, where: str) -> dict[str, dict[str, Any]]:
        return {p["name"]: p for p in self.spec.get("parameters", []) if p["in"] == where}

    def success(self) -> tuple[str, dict[str, Any]] | None:
        """The 2xx JSON response: its status and media type object."""
        for status, response in sorted(self.spec.get("responses", {}).items()):
            media = response.get("content", {}).get("application/json")
            if status.startswith("2") and media is not None:
                return status, media
        return None


@functools.cache
def _document(base_url: str) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(region: DevStack) -> Iterator[Operation]:
    for service in SERVICE_NAMES:
        document = _document(region.layout.url(service))
        for path, item in document["paths"].items():
            for method, spec in item.items():
                yield Operation(service, method.upper(), path, spec, document)


def _listed(offenders: list[str]) -> str:
    return "breaks the rule:\n" + "\n".join(offenders)


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def is_list(document: dict[str, Any], schema: dict[str, Any]) -> bool:
    """A bare array, or an object carrying its list in `items`."""
    schema = resolve(document, schema)
    items = schema.get("properties", {}).get("items", {})
    return schema.get("type") == "array" or items.get("type") == "array"


def lists(region: DevStack) -> list[Operation]:
    return [
        op
        for op in operations(region)
        if op.method == "GET"
        and (found := op.success())
        and is_list(op.document, found[1]["schema"])
    ]


# --- lists are pages, like GET /courses -------------------------------------------------------


def test_every_list_is_a_page_with_cursor_limit_items_and_next_cursor(region: DevStack) -> None:
    offenders = []
    for op in lists(region):
        status_media = op.success()
        assert status_media is not None
        schema = resolve(op.document, status_media[1]["schema"])
        properties = schema.get("properties", {})
        query = op.parameters("query")
        if schema.get("type") == "array":
            offenders.append(f"{op}: a bare array, not {{items, next_cursor}}")
        if "next_cursor" not in properties or "next_cursor" not in schema.get("required", []):
            offenders.append(f"{op}: no next_cursor")
        if not {"cursor", "limit"} <= query.keys():
            offenders.append(f"{op}: pages with {sorted(query)}, not cursor and limit")
        for other in {"offset", "page", "before", "after", "skip"} & query.keys():
            if not query[other].get("deprecated"):
                offenders.append(f"{op}: pages with {other!r} (only as a deprecated alias)")
    assert offenders == [], _listed(offenders)


def test_the_rule_sees_the_lists_it_is_about(region: DevStack) -> None:
    names = {str(op) for op in lists(region)}
    assert {
        "GET /courses (catalog)",
        "GET /providers (catalog)",
        "GET /learners/{learner_id}/enrolments (enrolment)",
        "GET /learners/{id}/notifications (notify)",
    } <= names


def _auth(role: Role, sub: str = OWNER) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(Settings(), role=role, sub=sub)}"}


def _call(region: DevStack, op: Operation, **params: str) -> httpx.Response:
    """The operation on the caller's own resources, as the first role it admits."""
    url = op.path
    for name in op.parameters("path"):
        url = url.replace("{" + name + "}", f"{OWNER}:k1" if name == "course_id" else OWNER)
    roles: tuple[Role, ...] = ("operator", "counsellor", "learner", "provider")
    response = None
    for role in roles:
        response = httpx.get(
            region.layout.url(op.service) + url, params=params, headers=_auth(role), timeout=10
        )
        if response.status_code not in (401, 403):
            break
    assert response is not None
    return response


def test_a_garbled_cursor_is_a_400_problem_naming_the_field_on_every_list(
    region: DevStack,
) -> None:
    offenders = []
    for op in lists(region):
        response = _call(region, op, cursor="kein-cursor", **_required_query(op))
        body = response.json() if response.headers["content-type"].endswith("json") else {}
        fields = [e.get("field") for e in body.get("errors", [])]
        if response.status_code != 400 or not _is_problem(response) or fields != ["cursor"]:
            offenders.append(f"{op}: {response.status_code} {fields}")
    assert offenders == [], _listed(offenders)


def _required_query(op: Operation) -> dict[str, str]:
    """Example values for the query parameters an operation needs."""
    required = {n: p for n, p in op.parameters("query").items() if p.get("required")}
    return {n: str(p["schema"]["examples"][0]) for n, p in required.items()}


async def test_pages_are_keyset_so_an_insert_before_the_cursor_shifts_nothing(
    region: DevStack,
) -> None:
    """Offsets would show the second provider twice after a new first one appears."""
    prefix = f"zz-{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=region.layout.url("catalog"), timeout=10) as catalog:

        async def register(provider_id: str) -> None:
            body = {"name": provider_id, "kind": "volkshochschule", "municipality": "Kassel"}
            put = await catalog.put(
                f"/providers/{provider_id}", json=body, headers=_auth("operator")
            )
            assert put.status_code == 200, put.text

        for suffix in ("b", "c", "d"):
            await register(f"{prefix}-{suffix}")
        everything = (await catalog.get("/providers", params={"limit": 500})).json()["items"]
        before = [p["provider_id"] for p in everything if p["provider_id"] < f"{prefix}-b"]
        first = (await catalog.get("/providers", params={"limit": len(before) + 1})).json()
        assert first["items"][-1]["provider_id"] == f"{prefix}-b"
        await register(f"{prefix}-a")  # sorts before the cursor
        rest = await catalog.get("/providers", params={"limit": 2, "cursor": first["next_cursor"]})
        other_filter = await catalog.get("/courses", params={"cursor": first["next_cursor"]})

    assert [p["provider_id"] for p in rest.json()["items"]] == [f"{prefix}-c", f"{prefix}-d"]
    assert other_filter.status_code == 400  # a cursor belongs to the list it came from


# --- errors are problem documents -------------------------------------------------------------


def test_every_documented_error_is_a_problem_document(region: DevStack) -> None:
    offenders = []
    for op in operations(region):
        for status, response in op.spec.get("responses", {}).items():
            if status[:1] not in "45":
                continue
            content = response.get("content", {})
            schema = resolve(op.document, content.get(PROBLEM_JSON, {}).get("schema", {}))
            if set(content) != {PROBLEM_JSON}:
                offenders.append(f"{op}: {status} as {sorted(content)}")
            elif not {"type", "title", "status"} <= set(schema.get("properties", {})):
                offenders.append(f"{op}: {status} schema is not RFC 9457")
    assert offenders == [], _listed(offenders)


def _is_problem(response: httpx.Response) -> bool:
    if not response.headers.get("content-type", "").startswith(PROBLEM_JSON):
        return False
    body = response.json()
    return body.get("status") == response.status_code and bool(body.get("title"))


# Real errors each service answers: unknown paths, wrong methods, bad input, missing tokens.
REAL_ERRORS: dict[str, list[tuple[str, str, dict[str, str]]]] = {
    "catalog": [
        ("GET", "/providers/gibt-es-nicht", {}),
        ("GET", "/courses?limit=0", {}),
        ("PUT", "/providers/vhs-x", {}),
    ],
    "enrolment": [
        ("GET", f"/learners/{OWNER}/enrolments", {}),
        ("GET", "/certificates/unbekannt", {}),
        ("GET", f"/learners/{OWNER}/enrolments", _auth("learner", "someone-else")),
    ],
    "matching": [
        ("GET", "/demand?horizon=bald", _auth("counsellor")),
        ("GET", f"/learners/{OWNER}/profile", _auth("learner")),
    ],
    "notify": [
        ("GET", f"/learners/{OWNER}/notifications", _auth("learner", "someone-else")),
        ("POST", f"/partners/{OWNER}/deliveries/1/replay", _auth("provider")),
    ],
    "intake": [
        ("GET", "/imports/unbekannt", _auth("operator")),
        ("POST", f"/providers/{OWNER}/imports", {}),
        ("GET", f"/providers/{OWNER}/imports", _auth("provider", "someone-else")),
    ],
    "cooperative": [
        ("GET", "/projects/unbekannt", _auth("operator")),
        ("GET", "/reports/education?period=2026-13", {}),
        ("POST", "/calls", _auth("provider")),
    ],
}


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_real_errors_are_problem_documents_in_german_or_english(
    region: DevStack, service: str
) -> None:
    base = region.layout.url(service)
    calls = [("GET", "/nirgendwo", {}), ("DELETE", "/healthz", {}), *REAL_ERRORS[service]]
    offenders = []
    for method, path, headers in calls:
        german = httpx.request(method, base + path, headers=headers, timeout=10)
        english = httpx.request(
            method, base + path, headers=headers | {"Accept-Language": "en"}, timeout=10
        )
        if german.status_code < 400 or not _is_problem(german) or not _is_problem(english):
            offenders.append(f"{method} {path}: {german.status_code} {german.text[:80]}")
            continue
        languages = (german.headers["content-language"], english.headers["content-language"])
        titles = (german.json()["title"], english.json()["title"])
        if languages != ("de", "en") or titles[0] == titles[1]:
            offenders.append(f"{method} {path}: the same in {languages}: {titles}")
    assert offenders == [], _listed(offenders)


# --- dates are ISO 8601, declared so ----------------------------------------------------------


def _date_fields(schema: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, schema) of every property, at any depth, whose name says it is a date."""
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            if DATE_NAME.search(name):
                yield f"{where}.{name}", sub
        for key, sub in schema.items():
            yield from _date_fields(sub, f"{where}.{key}" if key != "properties" else where)
    elif isinstance(schema, list):
        for sub in schema:
            yield from _date_fields(sub, where)


def _formats(schema: dict[str, Any]) -> set[str | None]:
    variants = schema.get("anyOf", [schema])
    return {v.get("format") for v in variants if v.get("type") != "null"}


def test_every_date_is_declared_as_an_iso_date_or_date_time(region: DevStack) -> None:
    offenders = set()
    for service in SERVICE_NAMES:
        document = _document(region.layout.url(service))
        for where, schema in _date_fields(document, service):
            if not _formats(schema) <= {"date", "date-time"}:
                offenders.add(f"{where}: {_formats(schema)}")
    for op in operations(region):
        for name, parameter in op.parameters("query").items():
            if DATE_NAME.search(name) and not _formats(parameter["schema"]) <= {
                "date",
                "date-time",
            }:
                offenders.add(f"{op}: query {name}")
    assert sorted(offenders) == [], _listed(sorted(offenders))


# --- every body has an example, and it fits ---------------------------------------------------


def _bodies(op: Operation) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(what, JSON pointer, media type object) of the request body and the 2xx response."""
    method = op.method.lower()
    escaped = op.path.replace("~", "~0").replace("/", "~1")
    body = op.spec.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None:
        yield "request", f"/paths/{escaped}/{method}/requestBody/content/application~1json", body
    found = op.success()
    if found is not None:
        status, media = found
        yield (
            "response",
            f"/paths/{escaped}/{method}/responses/{status}/content/application~1json",
            media,
        )


def _examples(document: dict[str, Any], media: dict[str, Any]) -> list[Any]:
    if "example" in media:
        return [media["example"]]
    if "examples" in media:
        return [e["value"] for e in media["examples"].values()]
    schema = resolve(document, media.get("schema", {}))
    # An optional body (`X | None`) is documented as anyOf: X's examples are its own.
    variants = [resolve(document, v) for v in schema.get("anyOf", [schema])]
    return [e for v in variants for e in v.get("examples", [])]


def test_every_request_and_response_body_has_an_example_that_fits(region: DevStack) -> None:
    offenders = []
    for op in operations(region):
        registry = Registry().with_resource(
            "urn:openapi", Resource(contents=op.document, specification=DRAFT202012)
        )
        for what, pointer, media in _bodies(op):
            examples = _examples(op.document, media)
            if not examples:
                offenders.append(f"{op}: {what} has no example")
            validator = Draft202012Validator(
                {"$ref": f"urn:openapi#{pointer}/schema"},
                registry=registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
            for example in examples:
                for error in validator.iter_errors(example):
                    offenders.append(f"{op}: {what} example: {error.message[:120]}")
    assert offenders == [], _listed(offenders)


# --- texts for people follow Accept-Language --------------------------------------------------


def test_every_operation_declares_accept_language(region: DevStack) -> None:
    offenders = [
        str(op) for op in operations(region) if "Accept-Language" not in op.parameters("header")
    ]
    assert offenders == [], _listed(offenders)


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_problem_texts_are_german_unless_english_is_asked_for(
    region: DevStack, service: str
) -> None:
    url = region.layout.url(service) + "/nirgendwo"
    german = httpx.get(url)
    english = httpx.get(url, headers={"Accept-Language": "en-GB,en;q=0.9"})
    french = httpx.get(url, headers={"Accept-Language": "fr"})

    assert (german.json()["title"], german.headers["content-language"]) == ("Nicht gefunden", "de")
    assert (english.json()["title"], english.headers["content-language"]) == ("Not found", "en")
    assert french.headers["content-language"] == "de"


async def test_notification_texts_are_german_unless_english_is_asked_for(
    region: DevStack,
) -> None:
    learner, course_id = f"lang-{uuid.uuid4().hex[:8]}", f"vhs-e2e-{uuid.uuid4().hex[:6]}:k1"
    confirmed = outcome(learner, course_id, source="http")
    await publish_outcome(region, "zll.enrolment.confirmed.v1", confirmed)
    path = f"/learners/{learner}/notifications"
    async with httpx.AsyncClient(base_url=region.layout.url("notify"), timeout=10) as notify:

        async def inbox(**headers: str) -> httpx.Response | None:
            response = await notify.get(path, headers=_auth("learner", learner) | headers)
            return response if response.json()["items"] else None

        german = await eventually(inbox)
        english = await inbox(**{"Accept-Language": "en"})
        assert german is not None
        assert english is not None

    assert german.headers["content-language"] == "de"
    assert german.json()["items"][0]["subject"] == f"Anmeldung bestätigt: {course_id}"
    assert english.headers["content-language"] == "en"
    assert english.json()["items"][0]["subject"] == f"Enrolment confirmed: {course_id}"
    assert english.json()["items"][0]["locale"] == "en"
