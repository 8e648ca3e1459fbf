"""The running notify service: events in, inbox over HTTP, e-mail in the dev stack's sink."""

from __future__ import annotations

import asyncio
import base64
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from standardwebhooks.webhooks import Webhook
from zll_contracts import new_event, to_record

from tests.integration.test_notify_delivery import Receiver
from tests.support.partner import PROVIDER, course, eventually, publish_binary
from zll.devstack.mailsink import read_mail, stored_mails
from zll.devstack.stack import DevStack
from zll.platform.auth import Role, mint_token
from zll.platform.kafka import new_producer
from zll.platform.settings import Settings

pytestmark = pytest.mark.e2e


def token(role: Role, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(Settings(), role=role, sub=sub)}"}


@pytest.fixture(scope="module")
async def notify(region: DevStack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=region.layout.url("notify")) as client:
        yield client


async def publish_outcome(region: DevStack, ce_type: str, data: dict[str, Any]) -> None:
    """As the enrolment service publishes its outcomes on zll.enrolments.v1."""
    record = to_record(new_event(ce_type, "/services/enrolment", data), data["course_id"])
    producer = new_producer(region.bootstrap, "test-notify")
    await producer.start()
    try:
        await producer.send_and_wait(
            "zll.enrolments.v1", record.value, key=record.key, headers=list(record.headers)
        )
    finally:
        await producer.stop()


def outcome(learner: str, course_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "enrolment_id": str(uuid.uuid4()),
        "course_id": course_id,
        "learner_id": learner,
        "occurred_at": "2026-11-23T10:00:00Z",
        **extra,
    }


async def test_a_learner_reads_their_confirmation_in_the_inbox_and_their_mailbox(
    region: DevStack, notify: httpx.AsyncClient
) -> None:
    lena, course_id = f"lena-{uuid.uuid4().hex[:8]}", f"vhs-e2e-{uuid.uuid4().hex[:6]}:k1"
    address = f"{lena}@example.org"
    await publish_outcome(region, "zll.enrolment.confirmed.v1", outcome(
        lena, course_id, source="provider", contact_email=address, locale="de"))  # fmt: skip

    async def notifications() -> list[dict[str, Any]]:
        response = await notify.get(
            f"/learners/{lena}/notifications", headers=token("learner", lena)
        )
        return response.json()["items"] if response.status_code == 200 else []

    [confirmed] = await eventually(notifications)
    assert confirmed["kind"] == "enrolment.confirmed"
    assert confirmed["subject"] == f"Anmeldung bestätigt: {course_id}"
    assert confirmed["read_at"] is None

    async def mails() -> list[Any]:
        return [m for m in stored_mails(region.layout.mail) if m.to == address]

    [mail] = await eventually(mails)
    message = read_mail(mail.path)
    assert message["Subject"] == confirmed["subject"]
    assert "ist bestätigt" in message.get_body(("plain",)).get_content()
    assert "<strong>" in message.get_body(("html",)).get_content()
    assert mail.message_id.endswith("@notify.zll.example>")

    read = await notify.post(
        f"/learners/{lena}/notifications/{confirmed['id']}/read", headers=token("learner", lena)
    )
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    unread = await notify.get(
        f"/learners/{lena}/notifications?unread=true", headers=token("learner", lena)
    )
    assert unread.json() == {"items": [], "next_cursor": None}


async def test_only_the_learner_and_their_counsellor_read_the_inbox(
    notify: httpx.AsyncClient,
) -> None:
    lena = f"lena-{uuid.uuid4().hex[:8]}"
    other = await notify.get(f"/learners/{lena}/notifications", headers=token("learner", "tom"))
    counsellor = await notify.get(
        f"/learners/{lena}/notifications", headers=token("counsellor", "c1")
    )
    anonymous = await notify.get(f"/learners/{lena}/notifications")
    marks = await notify.post(
        f"/learners/{lena}/notifications/1/read", headers=token("counsellor", "c1")
    )

    assert other.status_code == 403
    assert other.headers["content-type"].startswith("application/problem+json")
    assert counsellor.status_code == 200
    assert anonymous.status_code == 401
    assert marks.status_code == 403


async def test_a_partner_hears_of_its_refused_course_and_of_a_new_enrolment(
    region: DevStack, notify: httpx.AsyncClient
) -> None:
    # The catalog refuses a course with an impossible EQF level; notify tells the provider.
    bad = course(f"bad-{uuid.uuid4().hex[:6]}")
    bad["modules"][0]["eqf_level"] = 9
    ce_id = str(uuid.uuid4())
    await region_catalog_knows_provider(region)
    await publish_binary(region.bootstrap, bad, source=f"/providers/{PROVIDER}", ce_id=ce_id)
    await publish_outcome(region, "zll.enrolment.confirmed.v1", outcome(
        "learner-x", f"{PROVIDER}:k-{ce_id[:6]}", source="http"))  # fmt: skip

    async def inbox() -> list[dict[str, Any]]:
        response = await notify.get(
            f"/partners/{PROVIDER}/notifications?limit=500", headers=token("provider", PROVIDER)
        )
        found = response.json()["items"]
        kinds = {n["kind"] for n in found if ce_id in n["text"] or ce_id[:6] in n["text"]}
        return found if kinds == {"feedback.rejected", "enrolment.new"} else []

    found = await eventually(inbox)
    [refusal] = [n for n in found if n["data"].get("original_ce_id") == ce_id]
    # The clerk reads which course, and what to fix in words, not the validator's English.
    assert refusal["subject"] == f"Kurs „{bad['title']}“ nicht übernommen"
    assert f"(Kurs-Kennung {bad['course_id']})" in refusal["text"]
    assert (
        "Modul 1: Das EQF-Niveau muss zwischen 1 und 8 liegen; angegeben war 9."
        in (refusal["text"])
    )
    assert "modules.0.eqf_level" in refusal["text"]  # the path, for the partner's IT
    english = await notify.get(
        f"/partners/{PROVIDER}/notifications?limit=500",
        headers={**token("provider", PROVIDER), "Accept-Language": "en"},
    )
    [in_english] = [n for n in english.json()["items"] if n["data"].get("original_ce_id") == ce_id]
    assert "Module 1: The EQF level must be between 1 and 8; 9 was given." in in_english["text"]
    foreign = await notify.get(
        f"/partners/{PROVIDER}/notifications", headers=token("provider", "someone-else")
    )
    assert foreign.status_code == 403


async def region_catalog_knows_provider(region: DevStack) -> None:
    """The refusal must be about the EQF level, not an unknown provider: register it."""
    async with httpx.AsyncClient(base_url=region.layout.url("catalog")) as catalog:
        response = await catalog.put(
            f"/providers/{PROVIDER}",
            json={"name": "VHS Testhausen", "kind": "volkshochschule", "municipality": "Kassel"},
            headers=token("operator", "ops"),
        )
        assert response.status_code == 200


async def test_a_webhook_is_registered_with_a_standard_secret_and_the_log_is_readable(
    notify: httpx.AsyncClient,
) -> None:
    partner = f"p-{uuid.uuid4().hex[:8]}"
    headers = token("provider", partner)
    bad = await notify.put(
        f"/partners/{partner}/webhook",
        json={"url": "https://partner.example/hook", "secret": "geheim", "events": []},
        headers=headers,
    )
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    good = await notify.put(
        f"/partners/{partner}/webhook",
        json={"url": "https://partner.example/hook", "secret": secret, "events": ["demand.gap"]},
        headers=headers,
    )
    log = await notify.get(f"/partners/{partner}/deliveries", headers=headers)
    missing = await notify.post(f"/partners/{partner}/deliveries/999999/replay", headers=headers)

    assert bad.status_code == 422
    assert [e["field"] for e in bad.json()["errors"]] == ["secret"]
    assert good.status_code == 200
    assert good.json()["events"] == ["demand.gap"]
    assert "secret" not in good.json()
    assert log.status_code == 200
    assert log.json() == {"items": [], "next_cursor": None}
    assert missing.status_code == 404


async def test_preferences_are_kept_and_validated(notify: httpx.AsyncClient) -> None:
    lena = f"lena-{uuid.uuid4().hex[:8]}"
    headers = token("learner", lena)
    wanted = {"channels_off": ["email"], "categories_off": ["placement"], "locale": "en",
              "email": "lena@example.org"}  # fmt: skip
    put = await notify.put(f"/learners/{lena}/preferences", json=wanted, headers=headers)
    bad = await notify.put(
        f"/learners/{lena}/preferences", json={"categories_off": ["spam"]}, headers=headers
    )
    got = await notify.get(f"/learners/{lena}/preferences", headers=headers)

    assert put.status_code == 200
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "categories_off"
    assert {k: got.json()[k] for k in wanted} == wanted


async def test_the_running_service_signs_and_logs_webhooks_and_an_operator_can_replay(
    region: DevStack, notify: httpx.AsyncClient
) -> None:
    partner = f"p-{uuid.uuid4().hex[:8]}"
    secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    async with Receiver() as receiver:
        registered = await notify.put(
            f"/partners/{partner}/webhook",
            json={"url": receiver.url, "secret": secret, "events": ["feedback.rejected"]},
            headers=token("provider", partner),
        )
        assert registered.status_code == 200
        await publish_feedback(region, partner)

        async def sent() -> list[dict[str, Any]]:
            response = await notify.get(
                f"/partners/{partner}/deliveries?status=sent", headers=token("operator", "ops")
            )
            return response.json()["items"]

        [delivery] = await eventually(sent)
        replayed = await notify.post(
            f"/partners/{partner}/deliveries/{delivery['id']}/replay",
            headers=token("operator", "ops"),
        )
        assert replayed.status_code == 200
        await eventually(lambda: asyncio.sleep(0, len(receiver.requests) == 2))

    assert delivery["channel"] == "webhook"
    first, second = receiver.requests
    assert first[0]["webhook-id"] == second[0]["webhook-id"]
    payload = Webhook(secret).verify(second[1], second[0])
    assert payload["data"]["kind"] == "feedback.rejected"
    assert payload["data"]["recipient"] == {"kind": "partner", "id": partner}


async def publish_feedback(region: DevStack, partner: str) -> None:
    """As the catalog refuses a partner's event: zll.provider.feedback.v1."""
    data = {
        "provider_id": partner,
        "original_ce_id": str(uuid.uuid4()),
        "topic": "zll.provider.courses.v1",
        "errors": [{"field": "title", "message": "must not be empty"}],
    }
    record = to_record(new_event("zll.feedback.rejected.v1", "/services/catalog", data), partner)
    producer = new_producer(region.bootstrap, "test-notify")
    await producer.start()
    try:
        await producer.send_and_wait(
            "zll.provider.feedback.v1", record.value, key=record.key, headers=list(record.headers)
        )
    finally:
        await producer.stop()
