"""Notify's SQL."""

from __future__ import annotations

from typing import Any

from zll.platform.db import Connection


async def add_partner_message(conn: Connection, partner_id: str, kind: str, payload: str) -> None:
    await conn.execute(
        "INSERT INTO partner_messages (partner_id, kind, payload) VALUES ($1, $2, $3::jsonb)",
        partner_id,
        kind,
        payload,
    )


async def partner_messages(conn: Connection, partner_id: str) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        "SELECT kind, payload::text AS payload, created_at FROM partner_messages"
        " WHERE partner_id = $1 ORDER BY id",
        partner_id,
    )
    return [dict(r) for r in rows]
