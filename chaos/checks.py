"""The contract's invariants, checked against what was sent once the region is quiet."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from chaos.load import Ledger

CONFIRMED = "zll.enrolment.confirmed.v1"
WAITLISTED = "zll.enrolment.waitlisted.v1"
REJECTED = "zll.enrolment.rejected.v1"
CANCELLED = "zll.enrolment.cancelled.v1"
CERTIFIED = "zll.enrolment.certified.v1"
DECISIONS = (CONFIRMED, WAITLISTED, REJECTED)


@dataclass(frozen=True)
class Outcome:
    """One distinct event on zll.enrolments.v1 (its redeliveries folded in)."""

    ce_id: str
    ce_type: str
    data: dict[str, Any]
    copies: int = 1

    @property
    def enrolment_id(self) -> str:
        return str(self.data["enrolment_id"])

    @property
    def learner_kind(self) -> str | None:
        """The kind of the learner's notification this event must cause exactly once."""
        if self.ce_type == CONFIRMED:
            return (
                "enrolment.promoted"
                if self.data.get("promoted_from_waitlist")
                else ("enrolment.confirmed")
            )
        return {
            WAITLISTED: "enrolment.waitlisted",
            CANCELLED: "enrolment.cancelled",
            CERTIFIED: "certificate.issued",
        }.get(self.ce_type)

    @property
    def first_decision(self) -> bool:
        promoted = self.ce_type == CONFIRMED and self.data.get("promoted_from_waitlist")
        return self.ce_type in DECISIONS and not promoted


@dataclass
class Findings:
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    overbooked: list[str] = field(default_factory=list)
    notified_twice: list[str] = field(default_factory=list)
    not_notified: list[str] = field(default_factory=list)
    not_quiet: list[str] = field(default_factory=list)  # outbox or lag never reached zero
    redelivered_copies: int = 0  # the same ce_id more than once: allowed (at-least-once relay)

    def counts(self) -> dict[str, int]:
        return {
            "lost": len(self.lost),
            "duplicated": len(self.duplicated),
            "overbooked": len(self.overbooked),
            "notified-twice": len(self.notified_twice),
            "not-notified": len(self.not_notified),
            "not-quiet": len(self.not_quiet),
        }


def header(record: Any, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return bytes(value).decode()
    return None


def distinct_events(records: list[Any], provider: str) -> list[Outcome]:
    """This run's events in topic order, each ce_id once (at its first position)."""
    seen: dict[str, Outcome] = {}
    for record in records:
        if not record.key or not record.key.decode().startswith(f"{provider}:"):
            continue
        ce_id = header(record, "ce_id") or ""
        if ce_id in seen:
            seen[ce_id] = Outcome(
                ce_id, seen[ce_id].ce_type, seen[ce_id].data, seen[ce_id].copies + 1
            )
        else:
            seen[ce_id] = Outcome(ce_id, header(record, "ce_type") or "", json.loads(record.value))
    return list(seen.values())


def check_events(ledger: Ledger, events: list[Outcome], findings: Findings) -> None:
    """No request lost and no effect doubled, as the topic tells it."""
    by_enrolment: dict[str, Counter[str]] = defaultdict(Counter)
    for event in events:
        by_enrolment[event.enrolment_id][event.ce_type] += 1
        findings.redelivered_copies += event.copies - 1
    for eid, types in sorted(by_enrolment.items()):
        first = sum(n for t, n in types.items() if t in DECISIONS) - _promotions(events, eid)
        if first > 1:
            findings.duplicated.append(f"{eid}: {first} first decisions")
        for ce_type, n in types.items():
            if n > 1:
                findings.duplicated.append(f"{eid}: {n} distinct {ce_type} events")
    for eid in ledger.enrolments:
        if not any(by_enrolment[eid][t] for t in DECISIONS):
            findings.lost.append(f"enrolment {eid}: no decision on zll.enrolments.v1")
    for eid in ledger.completions:
        if not by_enrolment[eid][CERTIFIED]:
            findings.lost.append(f"completion {eid}: no certified event")


def _promotions(events: list[Outcome], eid: str) -> int:
    return sum(
        1
        for e in events
        if e.enrolment_id == eid and e.ce_type == CONFIRMED and e.data.get("promoted_from_waitlist")
    )


def check_overbooking(ledger: Ledger, events: list[Outcome], findings: Findings) -> None:
    """Replay each course's events in order: after every confirmation the seats held may not
    exceed the largest capacity sent for the course before that decision was taken (a capacity
    decrease never revokes a seat, so the bound is the largest one that could be in force)."""
    held: dict[str, set[str]] = defaultdict(set)
    for event in events:
        course = str(event.data["course_id"])
        if event.ce_type == CONFIRMED:
            held[course].add(event.enrolment_id)
            at = datetime.fromisoformat(str(event.data["occurred_at"]))
            allowed = max(
                (r.capacity for r in ledger.courses.get(course, []) if r.sent_at <= at), default=0
            )
            if len(held[course]) > allowed:
                findings.overbooked.append(
                    f"{course}: {len(held[course])} seats held after {event.ce_id},"
                    f" capacity ≤ {allowed}"
                )
        elif event.ce_type == CANCELLED:
            held[course].discard(event.enrolment_id)


async def check_ledger(
    ledger: Ledger, enrolment: httpx.AsyncClient, catalog: httpx.AsyncClient, findings: Findings
) -> None:
    """What the services answer over HTTP: every accepted request has its one effect."""
    for eid, sent in sorted(ledger.enrolments.items()):
        response = await enrolment.get(f"/enrolments/{eid}")
        if response.status_code != 200:
            findings.lost.append(
                f"enrolment {eid} ({sent.via}): GET answered {response.status_code}"
            )
            continue
        status = response.json()["status"]
        if eid in ledger.cancels and status not in ("cancelled", "rejected"):
            findings.lost.append(f"cancellation of {eid} ({ledger.cancels[eid]}): still {status}")
        if eid in ledger.completions and status != "completed":
            findings.lost.append(f"completion of {eid}: still {status}")
    for course, revisions in sorted(ledger.courses.items()):
        last = max(r.revision for r in revisions if r.acked)
        stored = (await catalog.get(f"/courses/{course}")).json()
        if stored.get("revision", 0) < last:
            findings.lost.append(f"course {course}: revision {stored.get('revision')} < {last}")
        seats = (await enrolment.get(f"/courses/{course}/seats")).json()
        final = next(
            r.capacity for r in reversed(revisions) if r.revision == stored.get("revision")
        )
        if seats["capacity"] != final:
            findings.lost.append(
                f"course {course}: enrolment knows capacity {seats['capacity']}, not {final}"
            )
        if seats["confirmed"] > seats["capacity"]:
            findings.overbooked.append(
                f"course {course}: {seats['confirmed']} > {seats['capacity']}"
            )


async def check_notifications(
    events: list[Outcome], notify: httpx.AsyncClient, findings: Findings
) -> None:
    """Every learner heard of every event about them exactly once (notify's inbox)."""
    expected: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for event in events:
        if event.learner_kind is not None:
            expected[str(event.data["learner_id"])][(event.enrolment_id, event.learner_kind)] += 1
    for learner, wanted in sorted(expected.items()):
        got: Counter[tuple[str, str]] = Counter()
        for note in await _inbox(notify, learner):
            if "enrolment_id" in note["data"]:
                got[(str(note["data"]["enrolment_id"]), note["kind"])] += 1
        for key in sorted(set(wanted) | set(got)):
            if got[key] > wanted[key]:
                findings.notified_twice.append(
                    f"{learner} {key}: {got[key]} for {wanted[key]} events"
                )
            elif got[key] < wanted[key]:
                findings.not_notified.append(
                    f"{learner} {key}: {got[key]} for {wanted[key]} events"
                )


async def _inbox(notify: httpx.AsyncClient, learner: str) -> list[dict[str, Any]]:
    """The whole inbox, page by page (the cursor of each page leads to the next)."""
    notes: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        response = await notify.get(f"/learners/{learner}/notifications", params=params)
        response.raise_for_status()
        page = response.json()
        notes += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return notes
