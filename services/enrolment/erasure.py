"""A learner's erasure in the seat ledger: pseudonymise their enrolments, drop signed credentials.

Kept, and why: each enrolment row stays under a pseudonym, so seat counts, waitlist order and
a provider's attendance records stay true; each certificate keeps its id, course, provider,
modules, dates and revocation status, so a credential the learner still holds verifies at
`POST /certificates/verify` (that checks the signature and the status, never the stored copy).
Dropped: the learner id everywhere, the contact (e-mail, locale) and the signed credential,
which names the learner; the same for requests for recognition (their decisions stay, under
the pseudonym, so a provider's record of what it decided stays true) and for external
evidence (the presented credential is dropped, what it proved stays under the pseudonym).
"""

from __future__ import annotations

import uuid

from zll.platform.db import Connection

_PSEUDONYMISE_ENROLMENTS = """
    UPDATE enrolments SET learner_id = $2, contact = NULL WHERE learner_id = $1
"""
_DROP_CREDENTIALS = """
    UPDATE certificates
    SET learner_id = $2,
        credential = jsonb_build_object('id', credential->'id', 'erased', true),
        jwt = ''
    WHERE learner_id = $1
"""

_RECOGNITION = """
    UPDATE recognition_requests SET learner_id = $2, contact = NULL WHERE learner_id = $1
"""
_EVIDENCE = """
    UPDATE external_evidence SET learner_id = $2, jwt = '' WHERE learner_id = $1
"""


async def erase(conn: Connection, learner_id: str) -> str:
    """Returns the pseudonym the learner's rows now carry (one per erasure, unlinkable)."""
    pseudonym = f"erased-{uuid.uuid4().hex[:16]}"
    await conn.execute(_PSEUDONYMISE_ENROLMENTS, learner_id, pseudonym)
    await conn.execute(_DROP_CREDENTIALS, learner_id, pseudonym)
    await conn.execute(_RECOGNITION, learner_id, pseudonym)
    await conn.execute(_EVIDENCE, learner_id, pseudonym)
    return pseudonym
