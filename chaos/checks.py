"""The contract's invariants, checked against what was sent and accepted once the region is quiet.

Plain functions over plain data (the ledger, the topic's events, what the services answered):
tests/unit/test_chaos_checks.py feeds them deliberately broken histories.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from chaos.load import CourseRevision, Ledger

CONFIRMED = "zll.enrolment.confirmed.v1"
WAITLISTED = "zll.enrolment.waitlisted.v1"
REJECTED = "zll.enrolment.rejected.v1"
CANCELLED = "zll.enrolment.cancelled.v1"
CERTIFIED = "zll.enrolment.certified.v1"
# Timed offers: a seat held for the next one waiting, until accepted (CONFIRMED), declined
# or expired.
OFFERED = "zll.enrolment.offered.v1"
OFFER_DECLINED = "zll.enrolment.offer-declined.v1"
OFFER_EXPIRED = "zll.enrolment.offer-expired.v1"
DECISIONS = (CONFIRMED, WAITLISTED, REJECTED)
HTTP_ANSWERS = {"confirmed": CONFIRMED, "waitlisted": WAITLISTED, "rejected": REJECTED}
FIRST_NOTICE = {CONFIRMED: "enrolment.confirmed", WAITLISTED: "enrolment.waitlisted"}
HOLDS_SEAT = ("confirmed", "completed")
STATUSES = (
    "confirmed", "waitlisted", "rejected", "cancelled", "completed",
    "offered", "declined", "expired",
)  # fmt: skip


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
    def course_id(self) -> str:
        return str(self.data["course_id"])

    @property
    def at(self) -> datetime:
        return datetime.fromisoformat(str(self.data["occurred_at"]))

    @property
    def promoted(self) -> bool:
        return self.ce_type == CONFIRMED and bool(self.data.get("promoted_from_waitlist"))

    @property
    def learner_kind(self) -> str | None:
        """The kind of the learner's notification this event must cause exactly once."""
        if self.promoted:
            return "enrolment.promoted"
        return {
            **FIRST_NOTICE,
            CANCELLED: "enrolment.cancelled",
            CERTIFIED: "certificate.issued",
            OFFERED: "offer.made",
            OFFER_EXPIRED: "offer.expired",
        }.get(self.ce_type)

    @property
    def first_decision(self) -> bool:
        return self.ce_type in DECISIONS and not self.promoted


@dataclass(frozen=True)
class CourseState:
    """A course as the services answer once the region is quiet (nothing restored yet)."""

    revision: int  # the catalog's
    capacity: int  # the enrolment service's, and its seat counts
    confirmed: int
    waitlisted: int
    offered: int = 0  # seats held by open timed offers


@dataclass
class Answers:
    """What the services answered over HTTP after the load."""

    statuses: dict[str, str] = field(default_factory=dict)  # enrolment_id -> status or "HTTP n"
    courses: dict[str, CourseState] = field(default_factory=dict)
    inboxes: dict[str, Counter[tuple[str, str]]] = field(default_factory=dict)  # learner -> notes


@dataclass
class Findings:
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    overbooked: list[str] = field(default_factory=list)
    not_promoted: list[str] = field(default_factory=list)  # a free seat while someone waits
    out_of_order: list[str] = field(default_factory=list)  # a promotion that skipped the queue
    notified_twice: list[str] = field(default_factory=list)
    not_notified: list[str] = field(default_factory=list)
    not_quiet: list[str] = field(default_factory=list)  # outbox or lag never reached zero
    redelivered_copies: int = 0  # the same ce_id more than once: allowed (at-least-once relay)
    confirmations: int = 0  # replayed against the capacity in force
    bound_by_decrease: int = 0  # of those, held to less than the largest capacity sent before

    NAMES = (
        "lost",
        "duplicated",
        "overbooked",
        "not_promoted",
        "out_of_order",
        "notified_twice",
        "not_notified",
        "not_quiet",
    )

    def counts(self) -> dict[str, int]:
        return {name.replace("_", "-"): len(getattr(self, name)) for name in self.NAMES}

    def details(self) -> list[tuple[str, str]]:
        return [(name, d) for name in self.NAMES for d in getattr(self, name)]


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


def first_decisions(events: list[Outcome]) -> dict[str, str]:
    decisions: dict[str, str] = {}
    for event in events:
        if event.first_decision:
            decisions.setdefault(event.enrolment_id, event.ce_type)
    return decisions


def check_events(ledger: Ledger, events: list[Outcome], findings: Findings) -> None:
    """Every accepted request has its event, no effect has two, and the topic says what the
    HTTP answer said."""
    by_enrolment: dict[str, Counter[str]] = defaultdict(Counter)
    for event in events:
        key = "promoted" if event.promoted else event.ce_type
        by_enrolment[event.enrolment_id][key] += 1
        findings.redelivered_copies += event.copies - 1
    for eid, types in sorted(by_enrolment.items()):
        first = sum(n for t, n in types.items() if t in DECISIONS)
        if first > 1:
            findings.duplicated.append(f"{eid}: {first} first decisions")
        for ce_type, n in types.items():
            if n > 1 and ce_type not in DECISIONS:
                findings.duplicated.append(f"{eid}: {n} distinct {ce_type} events")
    decisions = first_decisions(events)
    for eid, sent in sorted(ledger.enrolments.items()):
        if eid not in decisions:
            findings.lost.append(f"enrolment {eid}: no decision on zll.enrolments.v1")
        elif sent.status is not None and HTTP_ANSWERS.get(sent.status) != decisions[eid]:
            findings.lost.append(f"enrolment {eid}: answered {sent.status}, {decisions[eid]}")
    for eid, via in sorted(ledger.cancels.items()):
        if decisions.get(eid) != REJECTED and not by_enrolment[eid][CANCELLED]:
            findings.lost.append(f"cancellation of {eid} ({via}): no cancelled event")
    for eid in sorted(ledger.completions):
        if not by_enrolment[eid][CERTIFIED]:
            findings.lost.append(f"completion {eid}: no certified event")


def allowed_capacity(
    revisions: list[CourseRevision], seen: list[tuple[datetime, int]], at: datetime
) -> int:
    """The largest capacity that can have been in force in the enrolment service at `at`.

    A revision cannot be in force before it was sent, and the service applies revisions in
    order: once the chaos load saw it answer capacity c (`seen`), the one in force is at least
    the earliest revision with capacity c not older than what was seen before. So a decrease
    bounds every decision taken after it was seen in force.
    """
    floor = 0
    for seen_at, capacity in sorted(seen):
        if seen_at > at:
            break
        floor = next(
            (
                i
                for i in range(floor, len(revisions))
                if revisions[i].capacity == capacity and revisions[i].sent_at <= seen_at
            ),
            floor,
        )
    return max((r.capacity for r in revisions[floor:] if r.sent_at <= at), default=0)


def check_seats(
    ledger: Ledger, events: list[Outcome], answers: Answers, findings: Findings
) -> None:
    """Replay each course's events in topic order (one key, one partition, decision order):
    no seat confirmed or held by an offer beyond the capacity in force when it was given,
    promotions and offers first come first served; then the final seats against the final
    capacity and the events."""
    held: dict[str, set[str]] = defaultdict(set)
    offered: dict[str, set[str]] = defaultdict(set)
    waiting: dict[str, list[str]] = defaultdict(list)
    for event in events:
        course, eid = event.course_id, event.enrolment_id
        if event.ce_type == WAITLISTED:
            waiting[course].append(eid)
        elif event.ce_type in (CANCELLED, OFFER_DECLINED, OFFER_EXPIRED):
            held[course].discard(eid)
            offered[course].discard(eid)
            if eid in waiting[course]:
                waiting[course].remove(eid)
        elif event.ce_type == CONFIRMED and eid in offered[course]:
            offered[course].remove(eid)  # an accepted offer: its seat was given when offered
            held[course].add(eid)
        elif event.ce_type in (CONFIRMED, OFFERED):
            if event.promoted or event.ce_type == OFFERED:
                _moved_up_in_order(course, eid, waiting[course], findings)
            (offered if event.ce_type == OFFERED else held)[course].add(eid)
            _check_capacity(ledger, event, len(held[course]) + len(offered[course]), findings)
    for course, state in sorted(answers.courses.items()):
        revisions = ledger.courses.get(course, [])
        final = next(
            (r.capacity for r in reversed(revisions) if r.revision == state.revision), None
        )
        if final is not None and state.capacity != final:
            findings.lost.append(
                f"course {course}: enrolment knows capacity {state.capacity}, not {final}"
            )
        seats = (state.confirmed, state.waitlisted, state.offered)
        replayed = (len(held[course]), len(waiting[course]), len(offered[course]))
        if seats != replayed:
            findings.lost.append(
                f"course {course}: seats say {state.confirmed} held, {state.waitlisted} waiting,"
                f" {state.offered} offered; its events {replayed[0]}, {replayed[1]} and"
                f" {replayed[2]}"
            )
        if state.waitlisted and state.confirmed + state.offered < state.capacity:
            offers = f" ({state.offered} offered)" if state.offered else ""
            findings.not_promoted.append(
                f"course {course}: {state.confirmed} of {state.capacity} seats held{offers}"
                f" while {state.waitlisted} wait"
            )


def _moved_up_in_order(course: str, eid: str, queue: list[str], findings: Findings) -> None:
    """A promotion or offer goes to the earliest one waiting; it leaves the queue."""
    if eid not in queue:
        findings.out_of_order.append(f"{course}: {eid} promoted, never waiting")
        return
    if queue[0] != eid:
        skipped = queue[: queue.index(eid)]
        ahead = ", ".join(skipped[:3]) + (" …" if len(skipped) > 3 else "")
        findings.out_of_order.append(f"{course}: {eid} promoted before {ahead}")
    queue.remove(eid)


def _check_capacity(ledger: Ledger, event: Outcome, taken: int, findings: Findings) -> None:
    """A seat given (confirmed, or held by an offer) fits the capacity in force then."""
    course = event.course_id
    revisions = ledger.courses.get(course, [])
    allowed = allowed_capacity(revisions, ledger.seen.get(course, []), event.at)
    findings.confirmations += 1
    sent = [r.capacity for r in revisions if r.sent_at <= event.at]
    findings.bound_by_decrease += allowed < max(sent, default=0)
    if taken > allowed:
        findings.overbooked.append(
            f"{course}: {taken} seats held after {event.ce_id}"
            f" at {event.at.isoformat()}, capacity in force ≤ {allowed}"
        )


def check_states(ledger: Ledger, answers: Answers, findings: Findings) -> None:
    """What the services answer over HTTP: every accepted request has its one effect."""
    for eid, sent in sorted(ledger.enrolments.items()):
        status = answers.statuses.get(eid, "unanswered")
        if status not in STATUSES:
            findings.lost.append(f"enrolment {eid} ({sent.via}): GET answered {status}")
            continue
        if eid in ledger.cancels and status not in ("cancelled", "rejected"):
            findings.lost.append(f"cancellation of {eid} ({ledger.cancels[eid]}): still {status}")
        if eid in ledger.completions and status != "completed":
            findings.lost.append(f"completion of {eid}: still {status}")
        answer = ledger.answers.get(eid)
        if answer == "declined" and status not in ("declined", "cancelled"):
            findings.lost.append(f"declined offer {eid}: still {status}")
        if answer == "accepted" and status not in ("confirmed", "completed", "cancelled"):
            findings.lost.append(f"accepted offer {eid}: still {status}")
    for course, revisions in sorted(ledger.courses.items()):
        acked = [r.revision for r in revisions if r.acked]
        state = answers.courses.get(course)
        if acked and (state is None or state.revision < max(acked)):
            findings.lost.append(
                f"course {course}: revision {state and state.revision} < {max(acked)}"
            )


def expected_notices(
    ledger: Ledger, events: list[Outcome], answers: Answers
) -> dict[str, Counter[tuple[str, str]]]:
    """Each learner's notices due, from what was accepted: a decision notice for every accepted
    enrolment (its kind from the HTTP answer, else the decision event), a promotion for every
    waitlisted one that now holds a seat, a cancellation for every accepted cancellation of a
    live enrolment, a certificate for every accepted completion. Enrolments the ledger does not
    know (a partner send that timed out but arrived) and cancellations whose answer was lost
    are due what their events say."""
    due: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    decisions = first_decisions(events)
    promoted = {e.enrolment_id for e in events if e.promoted}
    cancelled = {e.enrolment_id for e in events if e.ce_type == CANCELLED}
    cancels = set(ledger.cancels) | (ledger.cancels_in_doubt & cancelled)
    for eid, sent in ledger.enrolments.items():
        learner = due[sent.learner_id]
        decision = HTTP_ANSWERS.get(sent.status or "") or decisions.get(eid)
        if decision is None:
            learner[(eid, "a decision")] += 1
        elif decision in FIRST_NOTICE:
            learner[(eid, FIRST_NOTICE[decision])] += 1
        status = answers.statuses.get(eid)
        if decision == WAITLISTED and (eid in promoted or status in HOLDS_SEAT):
            learner[(eid, "enrolment.promoted")] += 1
        if eid in cancels and decision != REJECTED:
            learner[(eid, "enrolment.cancelled")] += 1
        if eid in ledger.completions:
            learner[(eid, "certificate.issued")] += 1
    for event in events:
        known = event.enrolment_id in ledger.enrolments
        if event.learner_kind is not None and (
            not known or event.ce_type in (OFFERED, OFFER_EXPIRED)
        ):
            due[str(event.data["learner_id"])][(event.enrolment_id, event.learner_kind)] += 1
    return due


def check_notifications(
    ledger: Ledger, events: list[Outcome], answers: Answers, findings: Findings
) -> None:
    """Every learner heard of every accepted request about them exactly once (notify's inbox)."""
    due = expected_notices(ledger, events, answers)
    for learner in sorted(set(due) | set(answers.inboxes)):
        wanted, got = due.get(learner, Counter()), Counter(answers.inboxes.get(learner, {}))
        for eid, kind in list(wanted):
            if kind == "a decision":  # its kind unknown: either first notice will do
                got[(eid, kind)] = sum(got.pop((eid, k), 0) for k in FIRST_NOTICE.values())
        for key in sorted(set(wanted) | set(got)):
            if got[key] > wanted[key]:
                findings.notified_twice.append(f"{learner} {key}: {got[key]} for {wanted[key]}")
            elif got[key] < wanted[key]:
                findings.not_notified.append(f"{learner} {key}: {got[key]} for {wanted[key]}")


def check_all(ledger: Ledger, events: list[Outcome], answers: Answers, findings: Findings) -> None:
    check_events(ledger, events, findings)
    check_seats(ledger, events, answers, findings)
    check_states(ledger, answers, findings)
    check_notifications(ledger, events, answers, findings)
