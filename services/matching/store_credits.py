"""Matching's SQL for credits on a pathway: declarations, modules earned, decisions (migration 008),
and whether each certificate still counts (migration 011).

All learned from events on zll.enrolments.v1 and the catalog's courses; never from enrolment's
tables.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from zll_contracts.payloads import (
    EnrolmentCertified,
    RecognitionAnswered,
    RecognitionDeclarationRecorded,
)

from services.matching.domain.standing import Standing
from zll.platform.db import Connection
from zll.platform.recognition import Achievement, Declaration


async def remember_declaration(conn: Connection, d: RecognitionDeclarationRecorded) -> None:
    """A declaration replaces the provider's own with the same id; an older one changes nothing."""
    rule = {
        "named": [d.named.provider_id, d.named.course_id, d.named.module_id] if d.named else None,
        "skills": sorted(d.skills),
        "min_eqf_level": d.min_eqf_level,
        "min_workload_hours": d.min_workload_hours,
        "max_age_years": d.max_age_years,
        "accepts_external": d.accepts_external,
    }
    await conn.execute(
        "INSERT INTO recognition_rules"
        " (provider_id, declaration_id, course_id, module_id, rule, declared_at)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6)"
        " ON CONFLICT (provider_id, declaration_id) DO UPDATE SET course_id = $3,"
        " module_id = $4, rule = $5::jsonb, declared_at = $6"
        " WHERE recognition_rules.declared_at <= $6",
        d.provider_id,
        d.declaration_id,
        d.course_id,
        d.module_id,
        json.dumps(rule),
        d.occurred_at,
    )


async def declarations_for(
    conn: Connection, course_ids: Sequence[str]
) -> dict[str, list[Declaration]]:
    rows = await conn.fetch(
        "SELECT provider_id, declaration_id, course_id, module_id, rule::text AS rule"
        " FROM recognition_rules WHERE course_id = ANY($1::text[])"
        " ORDER BY course_id, declaration_id",
        list(course_ids),
    )
    found: dict[str, list[Declaration]] = {}
    for row in rows:
        rule = json.loads(row["rule"])
        named = rule["named"]
        found.setdefault(row["course_id"], []).append(
            Declaration(
                row["declaration_id"],
                row["provider_id"],
                row["course_id"],
                row["module_id"],
                (named[0], named[1], named[2]) if named else None,
                frozenset(rule["skills"]),
                rule["min_eqf_level"],
                rule["min_workload_hours"],
                rule["max_age_years"],
                rule["accepts_external"],
            )
        )
    return found


async def remember_earned_modules(conn: Connection, certified: EnrolmentCertified) -> None:
    """The modules the certificate says were passed, with their details from the stored course
    (the catalog's event came first: a certificate follows an enrolment in a known course)."""
    found = await conn.fetchval(
        "SELECT course::text FROM course_supply WHERE course_id = $1", certified.course_id
    )
    if found is None:
        return
    course: dict[str, Any] = json.loads(found)
    passed = set(certified.modules)
    await conn.executemany(
        "INSERT INTO earned_modules (certificate_id, module_id, learner_id, provider_id,"
        " course_id, title, eqf_level, workload_hours, skills, completed_on)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
        [
            (
                certified.certificate_id,
                m["module_id"],
                certified.learner_id,
                course["provider_id"],
                certified.course_id,
                m["title"],
                int(m["eqf_level"]),
                float(m["workload_hours"]),
                list(m["skills"]),
                certified.occurred_at.date(),
            )
            for m in course["modules"]
            if m["module_id"] in passed
        ],
    )


# Appended to a query on earned_modules or earned_skills (alias e): a certificate revoked or
# suspended counts for nothing.
COUNTS = (
    " AND NOT EXISTS (SELECT 1 FROM certificate_standing s"
    " WHERE s.certificate_id = e.certificate_id AND NOT s.counts)"
)


async def standing_of(conn: Connection, certificate_id: str) -> Standing:
    """What was heard of the certificate; one never heard of counts."""
    row = await conn.fetchrow(
        "SELECT revoked, suspended, as_of FROM certificate_standing WHERE certificate_id = $1"
        " FOR UPDATE",
        certificate_id,
    )
    return Standing(row["revoked"], row["suspended"], row["as_of"]) if row else Standing()


async def save_standing(
    conn: Connection, certificate_id: str, learner_id: str, standing: Standing
) -> None:
    await conn.execute(
        "INSERT INTO certificate_standing"
        " (certificate_id, learner_id, revoked, suspended, as_of, counts)"
        " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (certificate_id) DO UPDATE"
        " SET revoked = $3, suspended = $4, as_of = $5, counts = $6",
        certificate_id,
        learner_id,
        standing.revoked,
        standing.suspended,
        standing.as_of,
        standing.counts,
    )


async def has_record(conn: Connection, learner_id: str) -> bool:
    """Whether the learner passed a module in the region (on a certificate that counts) or has
    a recognition decision."""
    found = await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM earned_modules e WHERE learner_id = $1" + COUNTS + ")"
        " OR EXISTS (SELECT 1 FROM recognition_decisions WHERE learner_id = $1)",
        learner_id,
    )
    return bool(found)


async def achievements_of(conn: Connection, learner_id: str) -> list[Achievement]:
    rows = await conn.fetch(
        "SELECT certificate_id, provider_id, course_id, module_id, title, completed_on,"
        " eqf_level, workload_hours, skills FROM earned_modules e WHERE learner_id = $1" + COUNTS,
        learner_id,
    )
    return [
        Achievement(
            r["certificate_id"],
            r["provider_id"],
            r["provider_id"],
            r["course_id"],
            r["module_id"],
            r["title"],
            r["completed_on"],
            r["eqf_level"],
            r["workload_hours"],
            frozenset(r["skills"]),
        )
        for r in rows
    ]


async def remember_decision(conn: Connection, answered: RecognitionAnswered) -> None:
    """The provider's latest decision for the learner and the course; an older one is kept out."""
    await conn.execute(
        "INSERT INTO recognition_decisions (learner_id, course_id, decision_id, modules,"
        " decided_at) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (learner_id, course_id) DO UPDATE SET decision_id = $3, modules = $4,"
        " decided_at = $5 WHERE recognition_decisions.decided_at <= $5",
        answered.learner_id,
        answered.course_id,
        answered.decision_id,
        list(answered.modules),
        answered.occurred_at,
    )


async def decided_for(conn: Connection, learner_id: str) -> dict[str, list[str]]:
    """Per course, the modules its provider's latest decision recognised for the learner."""
    rows = await conn.fetch(
        "SELECT course_id, modules FROM recognition_decisions WHERE learner_id = $1",
        learner_id,
    )
    return {r["course_id"]: list(r["modules"]) for r in rows}
