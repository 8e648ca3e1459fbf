"""Revoking and suspending a certificate: the change and its event, in one transaction.

Each change is announced once, when it happens (`zll.enrolment.certificate-revoked.v1`,
`zll.enrolment.certificate-suspended.v1`), so whoever counts the certificate's modules
(matching's counselling) stops counting them; repeating a request that changes nothing
announces nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from zll_contracts.payloads import EnrolmentCertificateRevoked, EnrolmentCertificateSuspended

from services.enrolment import status_store, store
from zll.platform.unit_of_work import UnitOfWork


async def revoke(uow: UnitOfWork, certificate_id: str, reason: str) -> store.CertificateRow | None:
    """Revoke (final); None when there is no such certificate."""

    def change() -> Awaitable[object]:
        return status_store.revoke_certificate(uow.conn, certificate_id, reason)

    changed = await _changed(uow, certificate_id, change)
    if changed is None:
        return None
    before, after = changed
    assert after.revoked_at is not None
    if before.revoked_at is None:
        revoked = EnrolmentCertificateRevoked(
            **await _outcome(uow, after),
            occurred_at=after.revoked_at,
            reason=after.revocation_reason or reason,
        )
        uow.publish(revoked, key=after.course_id)
    return after


async def set_suspension(
    uow: UnitOfWork, certificate_id: str, reason: str | None
) -> store.CertificateRow | None:
    """Suspend with a reason, or lift the suspension (None); None when there is no such
    certificate. A new reason for a suspended certificate is announced as well."""

    def change() -> Awaitable[object]:
        return status_store.suspend_certificate(uow.conn, certificate_id, reason)

    changed = await _changed(uow, certificate_id, change)
    if changed is None:
        return None
    before, after = changed
    was, now = before.suspended_at is not None, after.suspended_at is not None
    if was != now or before.suspension_reason != after.suspension_reason:
        announced = EnrolmentCertificateSuspended(
            **await _outcome(uow, after),
            occurred_at=after.suspended_at or await _now(uow),
            suspended=now,
            reason=after.suspension_reason,
        )
        uow.publish(announced, key=after.course_id)
    return after


async def _changed(
    uow: UnitOfWork, certificate_id: str, change: Callable[[], Awaitable[object]]
) -> tuple[store.CertificateRow, store.CertificateRow] | None:
    """The certificate locked, before and after `change`; None (nothing changed) when
    there is no such certificate."""
    if not await status_store.lock_certificate(uow.conn, certificate_id):
        return None
    before = await store.get_certificate(uow.conn, certificate_id)
    await change()
    after = await store.get_certificate(uow.conn, certificate_id)
    assert before is not None
    assert after is not None
    return before, after


async def _outcome(uow: UnitOfWork, row: store.CertificateRow) -> dict[str, Any]:
    """The fields every outcome carries; the contact from the enrolment, so notify can reach
    the learner (none after an erasure)."""
    enrolment = await store.get_enrolment(uow.conn, row.enrolment_id)
    contact = enrolment.contact_fields() if enrolment is not None else {}
    return {
        "enrolment_id": row.enrolment_id,
        "course_id": row.course_id,
        "learner_id": row.learner_id,
        "certificate_id": row.certificate_id,
        **contact,
    }


async def _now(uow: UnitOfWork) -> datetime:
    """The transaction's time, as the status columns use."""
    found: datetime = await uow.conn.fetchval("SELECT now()")
    return found
