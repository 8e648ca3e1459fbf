"""Who may call what: bad tokens are refused everywhere, and every endpoint has its roles.

The endpoint list comes from each running service's OpenAPI document; an endpoint missing
from MATRIX fails the test, so a new endpoint must be classified before it ships. Path
parameters name the caller's *own* resources where a role owns any (the learner's id, the
provider's id), so "allowed" means "allowed on what is theirs". Those resources exist (the
`seeded` fixture registers the provider, publishes its course, saves the learner's profile
and the provider's webhook), so an allowed caller gets the operation's success status; only
ids made up for the test (an enrolment, a placement, a certificate…) answer 404.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import schemathesis
from hypothesis import Phase, find, settings

from tests.e2e.matching_helpers import course, module, publish, skill
from zll.devstack.stack import DevStack
from zll.platform.auth import ROLES, mint_token
from zll.platform.settings import SERVICE_NAMES, Settings

pytestmark = pytest.mark.e2e

PUBLIC = frozenset({"anonymous", *ROLES})
STAFF = frozenset({"counsellor", "operator"})
LEARNER = "matrix-learner"
PROVIDER = "matrix-provider"
SUBS: dict[str, str] = {
    "learner": LEARNER, "provider": PROVIDER, "employer": "matrix-employer",
    "counsellor": "matrix-counsellor", "operator": "matrix-operator",
}  # fmt: skip
OPS = frozenset({"GET /healthz", "GET /readyz", "GET /asyncapi.json"})
TOWN = "Kassel"
SKILL = skill("bookkeeping")
COURSE = course(PROVIDER, "kurs", TOWN, [module("m1", [SKILL])])
COURSE_ID = COURSE["course_id"]

# service -> "METHOD /path" -> the roles allowed (on their own resources). Everyone else is
# refused: anonymous with 401, a wrong role with 403 (or 404 where existence is hidden).
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    "catalog": {
        **dict.fromkeys(OPS, PUBLIC),
        "PUT /providers/{provider_id}": frozenset({"operator"}),
        "GET /providers/{provider_id}": PUBLIC,
        "GET /providers": PUBLIC,
        "GET /courses": PUBLIC,
        "GET /courses/facets": PUBLIC,
        "GET /courses/suggest": PUBLIC,
        "GET /courses/{course_id}": PUBLIC,
        "GET /modules": PUBLIC,
        "GET /coordination/overlaps": PUBLIC,
    },
    "enrolment": {
        **dict.fromkeys(OPS, PUBLIC),
        "POST /enrolments": frozenset({"learner", "counsellor"}),
        "GET /enrolments/{enrolment_id}": frozenset({"learner", "counsellor", "operator"}),
        "POST /enrolments/{enrolment_id}/cancel": frozenset({"learner", "counsellor"}),
        "POST /enrolments/{enrolment_id}/offer/accept": frozenset({"learner", "counsellor"}),
        "POST /enrolments/{enrolment_id}/offer/decline": frozenset({"learner", "counsellor"}),
        "GET /learners/{learner_id}/enrolments": frozenset({"learner", *STAFF}),
        "GET /courses/{course_id}/seats": PUBLIC,
        "GET /courses/{course_id}/enrolments": frozenset({"provider", *STAFF}),
        "GET /certificates/{certificate_id}": PUBLIC,
        "POST /certificates/verify": PUBLIC,
        "POST /certificates/{certificate_id}/revoke": frozenset({"operator"}),
        "POST /certificates/{certificate_id}/suspend": frozenset({"operator"}),
        "POST /certificates/{certificate_id}/reinstate": frozenset({"operator"}),
        "GET /status-lists/{purpose}/{list_number}": PUBLIC,
        "PUT /courses/{course_id}/recognitions/{declaration_id}": frozenset({"provider"}),
        "GET /courses/{course_id}/recognitions": PUBLIC,
        "GET /learners/{learner_id}/europass": frozenset({"learner", *STAFF}),
        "GET /learners/{learner_id}/presentation": frozenset({"learner", *STAFF}),
        "POST /learners/{learner_id}/evidence": frozenset({"learner", "counsellor"}),
        "GET /learners/{learner_id}/evidence": frozenset({"learner", *STAFF}),
        "GET /learners/{learner_id}/recognition": frozenset({"learner", *STAFF}),
        "POST /recognition-requests": frozenset({"learner", "counsellor"}),
        "GET /recognition-requests/{request_id}": frozenset(
            {"learner", "provider", "counsellor", "operator"}
        ),
        "POST /recognition-requests/{request_id}/decisions": frozenset({"provider"}),
        "GET /.well-known/jwks.json": PUBLIC,
        "GET /learners/{learner_id}/certificates": frozenset({"learner", *STAFF}),
    },
    "matching": {
        **dict.fromkeys(OPS, PUBLIC),
        "POST /rounds": STAFF,
        "POST /placements": STAFF,
        "GET /rounds/{round_id}": STAFF,
        "POST /rounds/{round_id}/waves": STAFF,
        "GET /rounds/{round_id}/learners/{learner_id}": frozenset({"learner", *STAFF}),
        "GET /placements/{placement_id}": frozenset({"learner", "counsellor"}),
        "GET /learners/{learner_id}/placements": frozenset({"learner", "counsellor"}),
        "POST /placements/{placement_id}/accept": frozenset({"learner", "counsellor"}),
        "POST /placements/{placement_id}/decline": frozenset({"learner", "counsellor"}),
        "PUT /learners/{learner_id}/profile": frozenset({"learner", "counsellor"}),
        "GET /learners/{learner_id}/profile": frozenset({"learner", "counsellor"}),
        "GET /learners/{learner_id}/recommendations": frozenset({"learner", "counsellor"}),
        "GET /demand": frozenset(ROLES),
        "GET /demand/report": frozenset(ROLES),
        "POST /learners/{learner_id}/erasure": frozenset({"learner", "operator"}),
        "GET /skills/names": PUBLIC,
    },
    "notify": {
        **dict.fromkeys(OPS, PUBLIC),
        "POST /learners/{id}/notifications/stream-ticket": frozenset({"learner", *STAFF}),
        "GET /learners/{id}/notifications/stream": frozenset({"learner", *STAFF}),
        "POST /partners/{id}/notifications/stream-ticket": frozenset({"provider", "operator"}),
        "GET /partners/{id}/notifications/stream": frozenset({"provider", "operator"}),
        "GET /learners/{id}/notifications": frozenset({"learner", *STAFF}),
        "POST /learners/{id}/notifications/{nid}/read": frozenset({"learner"}),
        "GET /learners/{id}/preferences": frozenset({"learner", *STAFF}),
        "PUT /learners/{id}/preferences": frozenset({"learner"}),
        "GET /partners/{id}/notifications": frozenset({"provider", "operator"}),
        "POST /partners/{id}/notifications/{nid}/read": frozenset({"provider"}),
        "GET /partners/{id}/preferences": frozenset({"provider", "operator"}),
        "PUT /partners/{id}/preferences": frozenset({"provider"}),
        "PUT /partners/{id}/webhook": frozenset({"provider", "operator"}),  # onboarding
        "GET /partners/{id}/webhook": frozenset({"provider", "operator"}),
        "DELETE /partners/{id}/webhook": frozenset({"provider", "operator"}),  # offboarding
        "GET /partners/{id}/deliveries": frozenset({"provider", "operator"}),
        "POST /partners/{id}/deliveries/{did}/replay": frozenset({"provider", "operator"}),
        "GET /learners/{id}/deliveries": frozenset({"learner", *STAFF}),
        "POST /learners/{id}/deliveries/{did}/replay": frozenset({"operator"}),
        "GET /deliveries/failed": frozenset({"operator"}),
    },
    "intake": {
        **dict.fromkeys(OPS, PUBLIC),
        "POST /providers/{provider_id}/imports": frozenset({"provider", "operator"}),
        "GET /providers/{provider_id}/imports": frozenset({"provider", "operator"}),
        "GET /imports/{import_id}": frozenset({"provider", "operator"}),
        "PUT /providers/{provider_id}/feed": frozenset({"provider", "operator"}),
        "GET /providers/{provider_id}/feed": frozenset({"provider", "operator"}),
        "DELETE /providers/{provider_id}/feed": frozenset({"provider", "operator"}),
        "POST /providers/{provider_id}/feed/pulls": frozenset({"provider", "operator"}),
        "GET /exports/openqcat": PUBLIC,
        "GET /ooapi/v5/offerings": PUBLIC,
        "GET /ooapi/v5/courses": PUBLIC,
    },
    "cooperative": {
        **dict.fromkeys(OPS, PUBLIC),
        "PUT /members/{provider_id}": frozenset({"operator"}),
        "GET /members": frozenset({"provider", "operator"}),
        "GET /gaps": frozenset({"operator"}),
        "POST /gaps/{gap_id}/call": frozenset({"operator"}),
        "POST /calls": frozenset({"operator"}),
        "GET /calls/{call_id}": frozenset({"provider", "operator"}),
        "GET /calls/{call_id}/proposals": frozenset({"provider", "operator"}),
        "POST /calls/{call_id}/projects": frozenset({"operator"}),
        "POST /projects/{project_id}/answers": frozenset({"provider", "operator"}),
        "POST /projects/{project_id}/state": frozenset({"operator"}),
        "GET /projects/{project_id}": frozenset({"provider", "operator"}),
        # Aggregates only, small cells suppressed: the region publishes it.
        "GET /reports/education": PUBLIC,
        "GET /reports/education.csv": PUBLIC,
    },
}
# One protected endpoint per service for the bad-token checks.
PROTECTED = {
    "catalog": ("PUT", f"/providers/{PROVIDER}", {"name": "X", "kind": "vhs", "municipality": "K"}),
    "enrolment": ("GET", f"/learners/{LEARNER}/enrolments", None),
    "matching": ("GET", "/demand", None),
    "notify": ("GET", f"/learners/{LEARNER}/notifications", None),
    "intake": ("GET", f"/providers/{PROVIDER}/imports", None),
    "cooperative": ("GET", "/gaps", None),
}


def _openapi(region: DevStack, service: str) -> dict[str, Any]:
    return _document(region.layout.url(service))


@functools.cache
def _document(base_url: str) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _endpoints(document: dict[str, Any]) -> set[str]:
    return {f"{m.upper()} {path}" for path, ops in document["paths"].items() for m in ops}


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_every_endpoint_is_classified(region: DevStack, service: str) -> None:
    served = _endpoints(_openapi(region, service))
    assert sorted(served - MATRIX[service].keys()) == [], "classify these endpoints in MATRIX"
    assert sorted(MATRIX[service].keys() - served) == [], "MATRIX names endpoints that are gone"


def _path_value(path: str, name: str, schema: dict[str, Any]) -> str:
    """The caller-owned or made-up value for one path parameter."""
    if name == "learner_id" or (name == "id" and path.startswith("/learners/")):
        return LEARNER
    if name == "provider_id" or (name == "id" and path.startswith("/partners/")):
        return PROVIDER
    if name == "course_id":
        return COURSE_ID
    if schema.get("type") == "integer":
        return "1"
    if schema.get("enum"):  # e.g. a status list's purpose: a known word, an unknown list
        return str(schema["enum"][0])
    return str(uuid.uuid4())


WEBHOOK = {
    "url": "https://partner.example/zll-hooks",
    "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
}
PROFILE = {"goal": {"skills": [SKILL]}, "municipality": TOWN, "travel_km": 25}
# Bodies whose rules go beyond their JSON Schema (a checked secret format, a live offer, ...).
# A feed nobody serves: a pull is answered 200 with `last_outcome: failed`.
FEED = {"url": "http://127.0.0.1:9/export.xml", "format": "openvhs"}
BODIES: dict[str, Any] = {
    "PUT /partners/{id}/webhook": WEBHOOK,
    "PUT /providers/{provider_id}/feed": FEED,
    # An OOAPI page of offerings, as a university's platform exports it.
    "POST /providers/{provider_id}/imports": json.loads(
        (
            Path(__file__).parents[1] / "unit" / "intake" / "fixtures" / "ooapi-offerings.json"
        ).read_text(encoding="utf-8")
    ),
    "PUT /learners/{learner_id}/profile": PROFILE,
    "POST /placements": {"learner_id": LEARNER, "offer_id": COURSE_ID, "offer_kind": "course"},
    "PUT /courses/{course_id}/recognitions/{declaration_id}": {
        "module_id": "m1",
        "min_eqf_level": 1,
    },
    "POST /recognition-requests": {"learner_id": LEARNER, "course_id": COURSE_ID},
}
# Required query parameters, with values that name something that exists.
QUERIES: dict[str, dict[str, str]] = {
    "GET /modules": {"skill": SKILL},
    "GET /skills/names": {"uri": SKILL},
    "GET /courses/suggest": {"q": "Buch"},
    "POST /providers/{provider_id}/imports": {"dry_run": "true"},  # a report, nothing published
    "GET /learners/{learner_id}/recognition": {"course_id": COURSE_ID},
}
# Path parameters that name the caller's own (seeded) resources; any other is made up.
OWNED = frozenset({"learner_id", "provider_id", "id", "course_id", "declaration_id"})
# What an allowed caller gets where it is not 200 (404 for made-up ids is the rule below).
SUCCESS: dict[str, int] = {
    "POST /providers/{provider_id}/imports": 201,
    "POST /enrolments": 201,
    "POST /rounds": 201,
    "POST /calls": 201,
    "POST /placements": 201,
    "POST /learners/{learner_id}/erasure": 202,
    "DELETE /partners/{id}/webhook": 204,
    "POST /recognition-requests": 422,  # the learner has no certificate: nothing to recognise
    "POST /learners/{learner_id}/evidence": 422,  # the schema's simplest jwt is no credential
    "DELETE /providers/{provider_id}/feed": 204,
}
# Operations that remove what later ones read run last (reads, then writes, then removals).
REMOVES = frozenset(
    {
        "POST /learners/{learner_id}/erasure",
        "DELETE /partners/{id}/webhook",
        "DELETE /providers/{provider_id}/feed",
    }
)


def _expected_when_allowed(document: dict[str, Any], key: str) -> int:
    method, path = key.split(" ", 1)
    parameters = document["paths"][path][method.lower()].get("parameters", [])
    made_up = [p["name"] for p in parameters if p["in"] == "path" and p["name"] not in OWNED]
    return 404 if made_up else SUCCESS.get(key, 200)


def _in_order(keys: list[str]) -> list[str]:
    return sorted(keys, key=lambda k: (k in REMOVES, not k.startswith("GET "), k))


@pytest.fixture(scope="module")
def seeded(region: DevStack) -> None:
    """The callers' own resources: the provider and its course (known to catalog, enrolment
    and matching), the learner's profile, the provider's webhook."""
    operator = _auth(mint_token(Settings(), role="operator", sub="ops"))
    learner = _auth(mint_token(Settings(), role="learner", sub=LEARNER))
    provider = _auth(mint_token(Settings(), role="provider", sub=PROVIDER))
    registered = httpx.put(
        f"{region.layout.url('catalog')}/providers/{PROVIDER}",
        json={"name": "Matrix VHS", "kind": "volkshochschule", "municipality": TOWN},
        headers=operator,
    )
    assert registered.status_code == 200, registered.text
    published = publish(
        region.bootstrap, "zll.provider.courses.v1", COURSE, key=COURSE_ID,
        ce_type="zll.course.upserted.v1", sender=PROVIDER,
    )  # fmt: skip
    with ThreadPoolExecutor(1) as thread:  # no event loop of pytest-asyncio's is touched
        thread.submit(asyncio.run, published).result()
    profile = httpx.put(
        f"{region.layout.url('matching')}/learners/{LEARNER}/profile", json=PROFILE, headers=learner
    )
    assert profile.status_code == 200, profile.text
    webhook = httpx.put(
        f"{region.layout.url('notify')}/partners/{PROVIDER}/webhook", json=WEBHOOK, headers=provider
    )
    assert webhook.status_code == 200, webhook.text
    feed = httpx.put(
        f"{region.layout.url('intake')}/providers/{PROVIDER}/feed", json=FEED, headers=provider
    )
    assert feed.status_code == 200, feed.text
    known = {  # where each service shows it knows the course (the seats name no course id)
        "catalog": (f"/courses/{COURSE_ID}", COURSE_ID),
        "enrolment": (f"/courses/{COURSE_ID}/seats", '"capacity"'),
        "matching": (f"/learners/{LEARNER}/recommendations", COURSE_ID),
    }
    deadline = time.monotonic() + 30
    for service, (path, shows) in known.items():
        while True:
            answer = httpx.get(f"{region.layout.url(service)}{path}", headers=learner)
            if answer.status_code == 200 and shows in answer.text:
                break
            assert time.monotonic() < deadline, f"{service} never learned {COURSE_ID}"
            time.sleep(0.2)


@functools.cache
def _minimal_body(base_url: str, method: str, path: str) -> Any:
    """The simplest body the schema accepts, so a refusal is about the caller, not the body."""
    if f"{method.upper()} {path}" in BODIES:
        return BODIES[f"{method.upper()} {path}"]
    document = _document(base_url)
    operation = schemathesis.openapi.from_dict(document)[path][method]
    if operation.body is None or len(operation.body) == 0:
        return None
    body = _documented_example(document, path, method)
    if body is None:  # the first case Hypothesis generates is its simplest; shrinking adds
        # nothing to a condition every case meets, and cost ~1.5 min across the services
        settled = settings(database=None, derandomize=True, phases=[Phase.generate])
        body = find(operation.as_strategy(), lambda c: True, settings=settled).body
    if isinstance(body, dict) and "learner_id" in body:
        return body | {"learner_id": LEARNER}  # the learner's own request
    return body


def _documented_example(document: dict[str, Any], path: str, method: str) -> Any:
    """The request model's first documented example, which the service must accept."""
    content = document["paths"][path][method]["requestBody"]["content"]
    schema = next(iter(content.values())).get("schema", {})
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    examples = schema.get("examples")
    return examples[0] if isinstance(examples, list) and examples else schema.get("example")


def _status(client: httpx.Client, region: DevStack, service: str, key: str, role: str) -> int:
    """The status one role gets; a stream is closed as soon as its headers arrive."""
    method, path = key.split(" ", 1)
    document = _openapi(region, service)
    parameters = document["paths"][path][method.lower()].get("parameters", [])
    url = path
    for p in parameters:
        if p["in"] == "path":
            value = _path_value(path, p["name"], p.get("schema", {}))
            url = url.replace("{" + p["name"] + "}", value)
    headers = {}
    if role != "anonymous":
        token = mint_token(Settings(), role=role, sub=SUBS[role])  # type: ignore[arg-type]
        headers["Authorization"] = f"Bearer {token}"
    base_url = region.layout.url(service)
    if key == "DELETE /partners/{id}/webhook":  # each caller finds the webhook there to remove
        provider = _auth(mint_token(Settings(), role="provider", sub=PROVIDER))
        restored = client.put(
            f"{base_url}/partners/{PROVIDER}/webhook", json=WEBHOOK, headers=provider
        )
        assert restored.status_code == 200, restored.text
    body = _minimal_body(base_url, method.lower(), path) if method != "GET" else None
    query = QUERIES.get(key, {})
    with client.stream(
        method, f"{base_url}{url}", headers=headers, json=body, params=query
    ) as response:
        return response.status_code


def _refusal(role: str, key: str) -> str:
    if role == "anonymous":
        return "anonymous"
    return "hidden" if key in HIDDEN else "wrong role"


# anonymous: 401; a wrong role: 403, except where the service hides whether a resource exists
# (HIDDEN: 404, as for an id that does not exist). An allowed caller gets the operation's own
# answer on what is theirs (see _expected_when_allowed).
REFUSED: dict[str, set[int]] = {"anonymous": {401}, "wrong role": {403}, "hidden": {404}}
# Whether an enrolment or a request for recognition exists is the learner's business (and
# the provider's): anyone else gets 404 for it.
HIDDEN = frozenset(
    {
        "GET /enrolments/{enrolment_id}",
        "POST /enrolments/{enrolment_id}/cancel",
        "GET /recognition-requests/{request_id}",
    }
)


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_each_role_reaches_exactly_its_endpoints(
    region: DevStack, seeded: None, service: str
) -> None:
    document = _openapi(region, service)
    wrong = []
    with httpx.Client(timeout=10) as client:
        answers = {
            (key, role): _status(client, region, service, key, role)
            for key in _in_order(list(MATRIX[service]))
            for role in ("anonymous", *ROLES)
        }
    for (key, role), status in answers.items():
        if role in MATRIX[service][key]:
            expected = _expected_when_allowed(document, key)
            if status != expected:
                wrong.append(f"{key} as {role}: {status} (allowed: {expected} expected)")
        elif status not in REFUSED[_refusal(role, key)]:
            refused = REFUSED[_refusal(role, key)]
            wrong.append(f"{key} as {role}: {status} ({refused} expected)")
    assert wrong == [], "\n".join(wrong)


def _forged(settings_: Settings, **changes: Any) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": "ops", "role": "operator", "iss": settings_.jwt_issuer,
        "aud": settings_.jwt_audience, "iat": now, "exp": now + timedelta(hours=1),
    }  # fmt: skip
    key = changes.pop("_key", settings_.jwt_secret)
    claims.update(changes)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="HS256")


def _alg_none(settings_: Settings) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(datetime.now(UTC).timestamp())
    claims = {
        "sub": "ops", "role": "operator", "iss": settings_.jwt_issuer,
        "aud": settings_.jwt_audience, "iat": now, "exp": now + 3600,
    }  # fmt: skip
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def _bad_tokens() -> dict[str, str]:
    s = Settings()
    past = datetime.now(UTC) - timedelta(hours=2)
    return {
        "wrong signature": _forged(s, _key="not-the-region-key-but-long-enough-0123456789"),
        "alg none": _alg_none(s),
        "expired": _forged(s, iat=past - timedelta(hours=1), exp=past),
        "wrong audience": _forged(s, aud="someone-else"),
        "wrong issuer": _forged(s, iss="https://evil.example"),
        "unknown role": _forged(s, role="superuser"),
        "no expiry": _forged(s, exp=None),
        "garbage": "not.a.jwt",
    }


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_bad_tokens_are_refused_with_a_401_problem(region: DevStack, service: str) -> None:
    method, path, body = PROTECTED[service]
    url = f"{region.layout.url(service)}{path}"
    good = mint_token(Settings(), role="operator", sub="ops")
    assert httpx.request(method, url, json=body, headers=_auth(good)).status_code < 400
    answers = {
        name: httpx.request(method, url, json=body, headers=_auth(token))
        for name, token in _bad_tokens().items()
    }
    wrong = {
        name: (r.status_code, r.headers.get("content-type"))
        for name, r in answers.items()
        if r.status_code != 401
        or not r.headers.get("content-type", "").startswith("application/problem+json")
        or r.json().get("status") != 401
    }
    assert wrong == {}


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
