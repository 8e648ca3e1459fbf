"""The SQL of recognition: providers' declarations, learners' requests, append-only decisions."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from services.enrolment.recognition import Case, Decision, Declaration
from zll.platform.db import Connection


def _rule(d: Declaration) -> dict[str, Any]:
    return {
        "named": list(d.named) if d.named else None,
        "skills": sorted(d.skills),
        "min_eqf_level": d.min_eqf_level,
        "min_workload_hours": d.min_workload_hours,
        "max_age_years": d.max_age_years,
        "accepts_external": d.accepts_external,
    }


def declaration_of(row: Any) -> Declaration:
    rule = json.loads(row["rule"])
    named = rule.get("named")
    return Declaration(
        row["declaration_id"],
        row["provider_id"],
        row["course_id"],
        row["module_id"],
        (named[0], named[1], named[2]) if named else None,
        frozenset(rule.get("skills", [])),
        rule.get("min_eqf_level"),
        rule.get("min_workload_hours"),
        rule.get("max_age_years"),
        bool(rule.get("accepts_external")),
    )


async def save_declaration(conn: Connection, d: Declaration, declared_at: datetime) -> None:
    """A declaration replaces the provider's own with the same id (never another's)."""
    await conn.execute(
        "INSERT INTO recognition_declarations"
        " (declaration_id, provider_id, course_id, module_id, rule, declared_at)"
        " VALUES ($1, $2, $3, $4, $5::jsonb, $6)"
        " ON CONFLICT (provider_id, declaration_id) DO UPDATE SET course_id = $3,"
        " module_id = $4, rule = $5::jsonb, declared_at = $6"
        " WHERE recognition_declarations.declared_at <= $6",
        d.declaration_id,
        d.provider_id,
        d.course_id,
        d.module_id,
        json.dumps(_rule(d)),
        declared_at,
    )


async def declarations_for(conn: Connection, course_id: str) -> list[Declaration]:
    rows = await conn.fetch(
        "SELECT declaration_id, provider_id, course_id, module_id, rule::text AS rule"
        " FROM recognition_declarations WHERE course_id = $1 ORDER BY declaration_id",
        course_id,
    )
    return [declaration_of(r) for r in rows]


@dataclass(frozen=True, slots=True)
class RequestRow:
    case: Case
    reasons: list[str]
    contact: dict[str, Any] | None
    requested_at: datetime


async def save_request(conn: Connection, row: RequestRow) -> bool:
    """False when the request id exists already (a retry: no second request)."""
    case = row.case
    done = await conn.fetchval(
        "INSERT INTO recognition_requests (request_id, learner_id, provider_id, course_id,"
        " modules, reasons, contact, requested_at)"
        " VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8)"
        " ON CONFLICT (request_id) DO NOTHING RETURNING true",
        UUID(case.request_id),
        case.learner_id,
        case.provider_id,
        case.course_id,
        list(case.requested),
        json.dumps(row.reasons),
        json.dumps(row.contact) if row.contact else None,
        row.requested_at,
    )
    return bool(done)


async def get_request(
    conn: Connection, request_id: UUID, *, lock: bool = False
) -> RequestRow | None:
    found = await conn.fetchrow(
        "SELECT request_id, learner_id, provider_id, course_id, modules, reasons::text AS reasons,"
        " contact::text AS contact, requested_at FROM recognition_requests WHERE request_id = $1"
        + (" FOR UPDATE" if lock else ""),
        request_id,
    )
    if found is None:
        return None
    decisions = await conn.fetch(
        "SELECT decision_id, outcome, modules, reason, decided_by, supersedes"
        " FROM recognition_decisions WHERE request_id = $1 ORDER BY seq",
        request_id,
    )
    case = Case(
        str(found["request_id"]),
        found["learner_id"],
        found["provider_id"],
        found["course_id"],
        tuple(found["modules"]),
        tuple(
            Decision(
                d["decision_id"],
                d["outcome"],
                tuple(d["modules"]),
                d["reason"],
                d["decided_by"],
                d["supersedes"],
            )
            for d in decisions
        ),
    )
    contact = json.loads(found["contact"]) if found["contact"] else None
    return RequestRow(case, json.loads(found["reasons"]), contact, found["requested_at"])


async def append_decision(
    conn: Connection, request_id: UUID, seq: int, decision: Decision, decided_at: datetime
) -> bool:
    """False when this decision id is already recorded (a redelivery)."""
    done = await conn.fetchval(
        "INSERT INTO recognition_decisions (request_id, seq, decision_id, outcome, modules,"
        " reason, decided_by, supersedes, decided_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        " ON CONFLICT DO NOTHING RETURNING true",
        request_id,
        seq,
        decision.decision_id,
        decision.outcome,
        list(decision.modules),
        decision.reason,
        decision.decided_by,
        decision.supersedes,
        decided_at,
    )
    return bool(done)


async def recognised_modules(conn: Connection, learner_id: str, course_id: str) -> list[str]:
    """The modules of the course recognised for the learner by the latest decision there."""
    found = await conn.fetchval(
        "SELECT d.modules FROM recognition_decisions d"
        " JOIN recognition_requests r USING (request_id)"
        " WHERE r.learner_id = $1 AND r.course_id = $2"
        " ORDER BY d.decided_at DESC, d.seq DESC LIMIT 1",
        learner_id,
        course_id,
    )
    return list(found or [])
