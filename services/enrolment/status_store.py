"""The SQL of status lists: revocation, suspension, serial numbers and which bits are set."""

from __future__ import annotations

from zll.platform.db import Connection


async def lock_certificate(conn: Connection, certificate_id: str) -> bool:
    """Hold the certificate's row until the transaction ends (a status change is one at a
    time, so each is announced once); False when there is none."""
    found = await conn.fetchval(
        "SELECT true FROM certificates WHERE certificate_id = $1 FOR UPDATE", certificate_id
    )
    return bool(found)


async def revoke_certificate(conn: Connection, certificate_id: str, reason: str) -> bool:
    """Revokes once: a second revocation keeps the first's time and reason."""
    done = await conn.fetchval(
        "UPDATE certificates SET revoked_at = coalesce(revoked_at, now()),"
        " revocation_reason = coalesce(revocation_reason, $2)"
        " WHERE certificate_id = $1 RETURNING true",
        certificate_id,
        reason,
    )
    return bool(done)


async def suspend_certificate(conn: Connection, certificate_id: str, reason: str | None) -> bool:
    """Suspends (a reason) or lifts the suspension (None); a revoked one stays revoked."""
    done = await conn.fetchval(
        "UPDATE certificates SET suspended_at = CASE WHEN $2::text IS NULL THEN NULL"
        " ELSE coalesce(suspended_at, now()) END, suspension_reason = $2"
        " WHERE certificate_id = $1 RETURNING true",
        certificate_id,
        reason,
    )
    return bool(done)


async def next_status_serial(conn: Connection) -> int:
    return int(await conn.fetchval("SELECT nextval('certificate_status_serial')"))


async def status_serials_set(conn: Connection, purpose: str, first: int, last: int) -> list[int]:
    """Serials in [first, last] whose `purpose` bit is set: revoked, or suspended now."""
    column = "revoked_at" if purpose == "revocation" else "suspended_at"
    rows = await conn.fetch(
        f"SELECT status_serial FROM certificates WHERE status_serial BETWEEN $1 AND $2"
        f" AND {column} IS NOT NULL",
        first,
        last,
    )
    return [int(r["status_serial"]) for r in rows]


async def last_status_serial(conn: Connection) -> int | None:
    found = await conn.fetchval("SELECT max(status_serial) FROM certificates")
    return int(found) if found is not None else None
