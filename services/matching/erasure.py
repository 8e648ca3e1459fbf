"""A learner's erasure in matching: the profile goes, placements and demand stay pseudonymous.

Kept, and why: placements, waitlist entries, unplaced applications and round assignments,
instances and outcomes stay under a pseudonym, because demand figures and round results are
counted from them. Dropped:
the profile (goals, place, budget, languages, life phase, funding), the skills and modules
earned, and the providers' recognition decisions for the learner.
"""

from __future__ import annotations

import hashlib
import json
import uuid

from zll_contracts.payloads import LearnerErasureRequested

from zll.platform.db import Connection

_DELETIONS = (
    "DELETE FROM learner_profiles WHERE learner_id = $1",
    "DELETE FROM earned_skills WHERE learner_id = $1",
    "DELETE FROM earned_modules WHERE learner_id = $1",
    "DELETE FROM recognition_decisions WHERE learner_id = $1",
    "DELETE FROM certificate_standing WHERE learner_id = $1",
)
_PSEUDONYMISATIONS = (
    "UPDATE placements SET learner_id = $2 WHERE learner_id = $1",
    "UPDATE waitlist_entries SET learner_id = $2 WHERE learner_id = $1",
    "UPDATE round_unplaced SET learner_id = $2 WHERE learner_id = $1",
    "UPDATE round_outcomes SET learner_id = $2 WHERE learner_id = $1",
    """
    UPDATE rounds
    SET assignments = (assignments - $1::text)
        || jsonb_build_object($2::text, assignments -> $1::text)
    WHERE assignments ? $1::text
    """,
)
# A round's instance (kept to run its next wave) names the learner too: same pseudonym there.
_PSEUDONYMISE_INSTANCES = """
    UPDATE rounds SET instance = replace(instance::text, $1, $2)::jsonb
    WHERE strpos(instance::text, $1) > 0
"""
_RECORD_REQUEST = """
    INSERT INTO erasure_requests (learner_hash, requested_at, requested_by) VALUES ($1, $2, $3)
"""


async def erase(conn: Connection, learner_id: str) -> str:
    pseudonym = f"erased-{uuid.uuid4().hex[:16]}"
    for statement in _DELETIONS:
        await conn.execute(statement, learner_id)
    for statement in _PSEUDONYMISATIONS:
        await conn.execute(statement, learner_id, pseudonym)
    quoted = json.dumps(learner_id, ensure_ascii=False)  # as jsonb writes a string
    await conn.execute(_PSEUDONYMISE_INSTANCES, quoted, json.dumps(pseudonym))
    return pseudonym


async def record_request(conn: Connection, request: LearnerErasureRequested) -> None:
    """The request itself is kept as proof it was honoured, under a hash, not the id."""
    learner_hash = hashlib.sha256(request.learner_id.encode()).hexdigest()
    await conn.execute(_RECORD_REQUEST, learner_hash, request.requested_at, request.requested_by)
