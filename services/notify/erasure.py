"""A learner's erasure in notify: their inbox, deliveries, addresses and preferences go.

Nothing is kept: a notification only matters to the person it was for. Events that arrive
later about the learner's pseudonymised enrolments notify nobody reachable.
"""

from __future__ import annotations

from zll.platform.db import Connection

_STATEMENTS = (
    "DELETE FROM deliveries WHERE recipient_kind = 'learner' AND recipient_id = $1",
    """
    DELETE FROM deliveries WHERE notification_id IN (
        SELECT id FROM notifications WHERE recipient_kind = 'learner' AND recipient_id = $1)
    """,
    "DELETE FROM notifications WHERE recipient_kind = 'learner' AND recipient_id = $1",
    "DELETE FROM recipients WHERE recipient_kind = 'learner' AND recipient_id = $1",
    "DELETE FROM enrolled WHERE learner_id = $1",
)


async def erase(conn: Connection, learner_id: str) -> None:
    for statement in _STATEMENTS:
        await conn.execute(statement, learner_id)
