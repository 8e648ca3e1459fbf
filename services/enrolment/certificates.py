"""Issuing and checking module certificates with the region's signing key(s)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc.jwk import OKPKey
from zll_contracts.payloads import EnrolmentCertified

from services.enrolment import credentials, recognition_store, status_list, status_store, store
from services.enrolment.config import EnrolmentConfig, enrolment_config
from zll.platform.db import Connection
from zll.platform.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class RegionKeys:
    """The key that signs now, and every public key a credential of ours may carry."""

    kid: str
    signing: OKPKey
    known: Mapping[str, OKPKey]


_loaded: dict[str, RegionKeys] = {}


def parse_key(text: str) -> OKPKey:
    """An Ed25519 private key from JWK JSON or PEM."""
    source: Any = json.loads(text) if text.lstrip().startswith("{") else text
    key = OKPKey.import_key(source)
    if key.as_dict().get("crv") != "Ed25519" or not key.is_private:
        raise ValueError("the signing key must be an Ed25519 private key")
    return key


async def region_keys(conn: Connection, config: EnrolmentConfig | None = None) -> RegionKeys:
    """The configured key; in development without one, a key generated once and stored."""
    config = config or enrolment_config()
    if not config.signing_key:
        return await _development_keys(conn)  # one small query; the database is the truth
    if config.signing_key not in _loaded:
        key = parse_key(config.signing_key)
        _loaded[config.signing_key] = RegionKeys(key.thumbprint(), key, {key.thumbprint(): key})
    return _loaded[config.signing_key]


async def _development_keys(conn: Connection) -> RegionKeys:
    stored = await store.stored_signing_keys(conn)
    if not stored:
        fresh = OKPKey.generate_key("Ed25519")
        async with conn.transaction():
            private = fresh.as_dict(private=True)
            await store.store_signing_key_once(conn, fresh.thumbprint(), private)
        stored = await store.stored_signing_keys(conn)
    keys = [OKPKey.import_key(jwk) for jwk in stored]
    return RegionKeys(keys[0].thumbprint(), keys[0], {k.thumbprint(): k for k in keys})


def issuer(config: EnrolmentConfig | None = None) -> credentials.Issuer:
    config = config or enrolment_config()
    return credentials.Issuer(config.issuer_id, config.issuer_name, config.public_url.rstrip("/"))


async def certify(
    uow: UnitOfWork,
    enrolment: store.EnrolmentRow,
    course: store.KnownCourse,
    modules: Sequence[Mapping[str, Any]],
    completed_at: datetime,
) -> str:
    """Sign one certificate for what was passed, store it and announce it; returns its id."""
    keys = await region_keys(uow.conn)
    now = datetime.now(UTC)
    serial = await status_store.next_status_serial(uow.conn)
    region = issuer()
    recognised = await recognition_store.recognised_modules(
        uow.conn, enrolment.learner_id, course.course_id
    )
    passed_ids = {m["module_id"] for m in modules}
    passed = credentials.Passed(
        certificate_id=str(uuid.uuid4()),
        learner_id=enrolment.learner_id,
        course_id=course.course_id,
        course_title=course.title,
        provider_id=course.provider_id,
        modules=modules,
        completed_at=completed_at,
        issued_at=now,
        status=status_list.entries(region.public_url, status_list.Position.of(serial)),
        recognised=[
            m
            for m in course.modules
            if m["module_id"] in set(recognised) and m["module_id"] not in passed_ids
        ],
    )
    credential = credentials.build_credential(passed, region)
    token = credentials.sign(credential, keys.signing, keys.kid)
    await store.save_certificate(
        uow.conn,
        store.CertificateRow(
            passed.certificate_id,
            enrolment.enrolment_id,
            enrolment.learner_id,
            course.course_id,
            course.provider_id,
            keys.kid,
            credential,
            token,
            now,
            None,
            None,
            status_serial=serial,
        ),
    )
    certified = EnrolmentCertified(
        enrolment_id=enrolment.enrolment_id,
        course_id=course.course_id,
        learner_id=enrolment.learner_id,
        occurred_at=now,
        certificate_id=passed.certificate_id,
        modules=[m["module_id"] for m in modules],
        recognised_modules=[m["module_id"] for m in passed.recognised],
        **enrolment.contact_fields(),
    )
    uow.publish(certified, key=course.course_id)
    return passed.certificate_id


async def check(
    conn: Connection, token: str, presented: Mapping[str, Any] | None
) -> credentials.Verdict:
    """Signature and content first, then whether the region has revoked or suspended it.

    Our own copy of the status is the truth here; a third party reads the same bits from the
    published status lists (`published_list`)."""
    keys = await region_keys(conn)
    verdict = credentials.verify(token, keys.known, presented=presented)
    if not verdict.valid or verdict.credential is None:
        return verdict
    certificate_id = str(verdict.credential.get("id", "")).removeprefix("urn:uuid:")
    stored = await store.get_certificate(conn, certificate_id)
    if stored is not None and stored.revoked_at is not None:
        detail = f"Revoked on {stored.revoked_at.date().isoformat()}: {stored.revocation_reason}"
        return credentials.Verdict(False, "revoked", detail, verdict.credential)
    if stored is not None and stored.suspended_at is not None:
        detail = (
            f"Suspended since {stored.suspended_at.date().isoformat()}: {stored.suspension_reason}"
        )
        return credentials.Verdict(False, "suspended", detail, verdict.credential)
    return verdict


async def published_list(
    conn: Connection, purpose: status_list.Purpose, list_number: int
) -> str | None:
    """The signed status list credential (compact JWS), or None for a list not begun yet."""
    last = await status_store.last_status_serial(conn)
    if last is None or list_number > last // status_list.LIST_BITS:
        return None
    first = list_number * status_list.LIST_BITS
    serials = await status_store.status_serials_set(
        conn, purpose, first, first + status_list.LIST_BITS - 1
    )
    region = issuer()
    credential = status_list.list_credential(
        url=status_list.list_url(region.public_url, purpose, list_number),
        purpose=purpose,
        issuer={"id": region.id, "type": ["Profile"], "name": region.name},
        set_bits=[status_list.Position.of(s).index for s in serials],
        now=datetime.now(UTC),
    )
    keys = await region_keys(conn)
    return credentials.sign(credential, keys.signing, keys.kid)
