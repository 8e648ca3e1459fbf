"""The chaos checks catch what they name: each is fed a history broken in one way and must
report it, and the correct history must report nothing (one mutation test per invariant)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chaos import checks
from chaos.__main__ import exit_code
from chaos.checks import (
    CANCELLED,
    CERTIFIED,
    CONFIRMED,
    OFFER_EXPIRED,
    OFFERED,
    WAITLISTED,
    Answers,
    CourseState,
)
from chaos.load import CourseRevision, Enrolment, Ledger
from chaos.runner import Report

T0 = datetime(2026, 12, 4, 5, 0, tzinfo=UTC)
COURSE = "p:c0"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@dataclass
class History:
    """One course of capacity 2, later decreased to 1, told as the chaos run would see it:

    e1 (HTTP) and e2 (partner) confirmed, e3 (partner) and e4 (HTTP) waitlisted; e1 cancelled
    over HTTP and e3 promoted in its place; the decrease to 1 seen in force; e2 cancelled by the
    partner (nobody moves up: one seat, held by e3); e3 completed.
    """

    ledger: Ledger = field(default_factory=lambda: Ledger("p"))
    events: list[checks.Outcome] = field(default_factory=list)
    answers: Answers = field(default_factory=Answers)

    def event(self, ce_type: str, eid: str, when: float, **data: Any) -> None:
        learner = f"l{eid[1:]}"
        payload = {"enrolment_id": eid, "course_id": COURSE, "learner_id": learner, **data}
        payload["occurred_at"] = at(when).isoformat()
        self.events.append(checks.Outcome(f"ce-{len(self.events)}", ce_type, payload))

    def notice(self, eid: str, kind: str, n: int = 1) -> None:
        self.answers.inboxes.setdefault(f"l{eid[1:]}", Counter())[(eid, kind)] += n

    def findings(self) -> checks.Findings:
        found = checks.Findings()
        checks.check_all(self.ledger, self.events, self.answers, found)
        return found


def correct() -> History:
    h = History()
    h.ledger.courses[COURSE] = [CourseRevision(at(0), 1, 2, acked=True)]
    h.ledger.seen[COURSE] = [(at(1), 2)]
    h.ledger.enrolments = {
        "e1": Enrolment(COURSE, "l1", "http", "confirmed"),
        "e2": Enrolment(COURSE, "l2", "partner"),
        "e3": Enrolment(COURSE, "l3", "partner"),
        "e4": Enrolment(COURSE, "l4", "http", "waitlisted"),
    }
    h.event(CONFIRMED, "e1", 2)
    h.event(CONFIRMED, "e2", 3)
    h.event(WAITLISTED, "e3", 4, waitlist_position=1)
    h.event(WAITLISTED, "e4", 5, waitlist_position=2)
    h.ledger.cancels["e1"] = "http"
    h.event(CANCELLED, "e1", 6)
    h.event(CONFIRMED, "e3", 6, promoted_from_waitlist=True)
    h.ledger.courses[COURSE].append(CourseRevision(at(7), 2, 1, acked=True))
    h.event(WAITLISTED, "e5", 7.5, waitlist_position=2)  # between the decrease sent and seen
    h.event(CANCELLED, "e5", 7.6)
    h.ledger.seen[COURSE].append((at(8), 1))
    h.ledger.cancels["e2"] = "partner"
    h.event(CANCELLED, "e2", 9)
    h.ledger.completions.add("e3")
    h.event(CERTIFIED, "e3", 10)
    h.answers.statuses = {
        "e1": "cancelled",
        "e2": "cancelled",
        "e3": "completed",
        "e4": "waitlisted",
    }
    h.answers.courses[COURSE] = CourseState(revision=2, capacity=1, confirmed=1, waitlisted=1)
    for eid, kind in [
        ("e1", "enrolment.confirmed"),
        ("e1", "enrolment.cancelled"),
        ("e2", "enrolment.confirmed"),
        ("e2", "enrolment.cancelled"),
        ("e3", "enrolment.waitlisted"),
        ("e3", "enrolment.promoted"),
        ("e3", "certificate.issued"),
        ("e4", "enrolment.waitlisted"),
        ("e5", "enrolment.waitlisted"),  # a partner send that timed out, yet arrived
        ("e5", "enrolment.cancelled"),
    ]:
        h.notice(eid, kind)
    return h


def reported(found: checks.Findings) -> dict[str, int]:
    return {name: n for name, n in found.counts().items() if n}


def test_a_correct_history_reports_nothing() -> None:
    assert reported(correct().findings()) == {}


def test_a_confirmation_after_a_capacity_decrease_is_overbooking() -> None:
    """The old check allowed the largest capacity ever sent (2); the decrease to 1 was in force."""
    h = correct()
    h.event(CONFIRMED, "e4", 11, promoted_from_waitlist=True)
    h.answers.statuses["e4"] = "confirmed"
    h.answers.courses[COURSE] = CourseState(revision=2, capacity=1, confirmed=2, waitlisted=0)
    h.notice("e4", "enrolment.promoted")
    found = h.findings()
    assert reported(found) == {"overbooked": 1}
    assert "capacity in force ≤ 1" in found.overbooked[0]
    assert (found.confirmations, found.bound_by_decrease) == (4, 1)


def test_a_confirmation_before_the_decrease_was_seen_in_force_may_use_the_old_capacity() -> None:
    """Sent is not applied: until the service was seen answering the decrease, 2 seats may go."""
    h = correct()
    for n, e in enumerate(h.events):  # e2 leaves earlier, and e4 moves up at 7.2 s
        if e.enrolment_id == "e2" and e.ce_type == CANCELLED:
            h.events[n] = checks.Outcome(e.ce_id, CANCELLED, {**e.data, "occurred_at": at(6.5)})
    h.event(CONFIRMED, "e4", 7.2, promoted_from_waitlist=True)
    h.events.sort(key=lambda e: e.at)
    h.answers.statuses["e4"] = "confirmed"
    h.answers.courses[COURSE] = CourseState(revision=2, capacity=1, confirmed=2, waitlisted=0)
    h.notice("e4", "enrolment.promoted")
    assert reported(h.findings()) == {}


def test_the_final_capacity_is_the_last_revision_the_catalog_kept() -> None:
    h = correct()
    h.answers.courses[COURSE] = CourseState(revision=2, capacity=2, confirmed=1, waitlisted=1)
    found = h.findings()
    assert "enrolment knows capacity 2, not 1" in " ".join(found.lost)
    assert found.not_promoted  # and with 2 seats, one is free while e4 waits


def test_an_accepted_cancellation_without_its_event_is_lost() -> None:
    h = correct()
    h.events = [e for e in h.events if not (e.enrolment_id == "e2" and e.ce_type == CANCELLED)]
    found = h.findings()
    assert any("cancellation of e2 (partner): no cancelled event" in d for d in found.lost)


def test_a_free_seat_while_someone_waits_is_reported() -> None:
    """The decrease never came: after e2 left, a seat is free and e4 still waits."""
    h = correct()
    del h.ledger.courses[COURSE][1:]
    h.answers.courses[COURSE] = CourseState(revision=1, capacity=2, confirmed=1, waitlisted=1)
    found = h.findings()
    assert reported(found) == {"not-promoted": 1}
    assert "1 of 2 seats held while 1 wait" in found.not_promoted[0]


def test_a_promotion_out_of_arrival_order_is_reported() -> None:
    h = correct()
    for n, e in enumerate(h.events):  # e4 moves up instead of e3, who came first
        if e.promoted:
            h.events[n] = checks.Outcome(e.ce_id, CONFIRMED, {**e.data, "enrolment_id": "e4"})
    found = h.findings()
    assert found.out_of_order == [f"{COURSE}: e4 promoted before e3"]


def test_a_lost_notification_is_reported() -> None:
    h = correct()
    h.answers.inboxes["l4"].pop(("e4", "enrolment.waitlisted"))
    assert reported(h.findings()) == {"not-notified": 1}


def test_an_enrolment_whose_event_and_notice_are_both_missing_is_still_owed_its_notice() -> None:
    """Expected notices come from what was accepted, not from what reached the topic."""
    h = correct()
    h.events = [e for e in h.events if e.enrolment_id != "e4"]
    h.answers.inboxes["l4"].pop(("e4", "enrolment.waitlisted"))
    h.answers.courses[COURSE] = CourseState(revision=2, capacity=1, confirmed=1, waitlisted=0)
    found = h.findings()
    assert found.not_notified == ["l4 ('e4', 'enrolment.waitlisted'): 0 for 1"]
    assert any("e4: no decision" in d for d in found.lost)


def test_a_doubled_notification_is_reported() -> None:
    h = correct()
    h.notice("e1", "enrolment.confirmed")
    assert reported(h.findings()) == {"notified-twice": 1}


def test_a_missing_cancellation_notice_is_reported_even_without_its_event() -> None:
    h = correct()
    h.events = [e for e in h.events if not (e.enrolment_id == "e2" and e.ce_type == CANCELLED)]
    h.answers.inboxes["l2"].pop(("e2", "enrolment.cancelled"))
    found = h.findings()
    assert found.not_notified == ["l2 ('e2', 'enrolment.cancelled'): 0 for 1"]


def test_a_promotion_the_state_shows_but_nobody_was_told_of_is_reported() -> None:
    h = correct()
    h.events = [e for e in h.events if not e.promoted]
    h.answers.inboxes["l3"].pop(("e3", "enrolment.promoted"))
    found = h.findings()
    assert "l3 ('e3', 'enrolment.promoted'): 0 for 1" in found.not_notified


@pytest.mark.parametrize("doubled", [CONFIRMED, CANCELLED])
def test_a_doubled_effect_is_reported(doubled: str) -> None:
    h = correct()
    h.event(doubled, "e1", 12)
    found = h.findings()
    assert any(d.startswith("e1:") for d in found.duplicated)


def test_a_violation_makes_the_run_exit_non_zero() -> None:
    report = Report(Counter(), Counter())
    assert exit_code(report) == 0
    report.findings.out_of_order.append("p:c0: e4 promoted before e3")
    assert exit_code(report) == 1


# --- timed offers: a held seat counts as taken --------------------------------------------------


def with_offers() -> History:
    """The correct history, but e3's seat came as an offer it accepted a moment later."""
    h = correct()
    n = next(i for i, e in enumerate(h.events) if e.promoted and e.enrolment_id == "e3")
    accepted = h.events[n]
    h.events[n : n + 1] = []
    h.event(OFFERED, "e3", 6, offer_expires_at=at(60).isoformat())
    h.events.insert(n, h.events.pop())
    h.events.insert(n + 1, checks.Outcome("ce-accept", CONFIRMED, {**accepted.data}))
    h.notice("e3", "offer.made")
    return h


def test_an_accepted_offer_is_a_correct_promotion() -> None:
    assert reported(with_offers().findings()) == {}


def test_an_offer_beyond_the_capacity_in_force_is_overbooking() -> None:
    h = with_offers()
    h.event(OFFERED, "e4", 11, offer_expires_at=at(60).isoformat())
    h.answers.statuses["e4"] = "offered"
    h.answers.courses[COURSE] = CourseState(2, 1, confirmed=1, waitlisted=0, offered=1)
    h.notice("e4", "offer.made")
    found = h.findings()
    assert reported(found) == {"overbooked": 1}
    assert "2 seats held" in found.overbooked[0]


def test_an_offer_past_the_earliest_waiting_is_out_of_order() -> None:
    h = with_offers()
    for n, e in enumerate(h.events):  # the offer goes to e4, who came after e3
        if e.ce_type == OFFERED:
            h.events[n] = checks.Outcome(e.ce_id, OFFERED, {**e.data, "enrolment_id": "e4"})
    found = h.findings()
    assert found.out_of_order == [f"{COURSE}: e4 promoted before e3"]


def test_a_seat_held_by_an_expired_offer_is_free_again() -> None:
    h = with_offers()
    h.ledger.courses[COURSE][1:] = []  # capacity stays 2
    h.event(OFFERED, "e4", 11, offer_expires_at=at(12).isoformat())
    h.event(OFFER_EXPIRED, "e4", 12, offer_expires_at=at(12).isoformat())
    h.answers.statuses["e4"] = "expired"
    h.answers.courses[COURSE] = CourseState(1, 2, confirmed=1, waitlisted=0, offered=0)
    h.notice("e4", "offer.made")
    h.notice("e4", "offer.expired")
    assert reported(h.findings()) == {}
    h.answers.courses[COURSE] = CourseState(1, 2, confirmed=1, waitlisted=0, offered=1)
    assert reported(h.findings()) == {"lost": 1}  # the seats still count the expired offer


def test_an_answered_offer_that_did_not_take_effect_is_lost() -> None:
    h = with_offers()
    h.ledger.answers["e4"] = "declined"
    assert reported(h.findings()) == {"lost": 1}  # e4 still waits: the decline had no effect
    h.answers.statuses["e4"] = "declined"
    assert reported(h.findings()) == {}


def test_a_cancellation_whose_answer_was_lost_is_owed_the_notice_its_event_shows() -> None:
    """e4's HTTP cancel took effect, but a fault cut the connection before its answer."""
    h = correct()
    h.ledger.cancels_in_doubt.add("e4")
    h.event(CANCELLED, "e4", 11)
    h.answers.statuses["e4"] = "cancelled"
    h.answers.courses[COURSE] = CourseState(revision=2, capacity=1, confirmed=1, waitlisted=0)
    h.notice("e4", "enrolment.cancelled")
    assert reported(h.findings()) == {}

    h.notice("e4", "enrolment.cancelled")
    assert reported(h.findings()) == {"notified-twice": 1}


def test_a_cancellation_whose_answer_was_lost_and_that_never_happened_is_owed_nothing() -> None:
    h = correct()
    h.ledger.cancels_in_doubt.add("e4")
    assert reported(h.findings()) == {}

    h.notice("e4", "enrolment.cancelled")
    assert reported(h.findings()) == {"notified-twice": 1}
