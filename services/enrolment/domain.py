"""The seat ledger's rules: who gets a seat, who waits, who moves up. Plain Python, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TypeVar

from zll_contracts.payloads import RejectionReason


class Status(StrEnum):
    """Where an enrolment stands; `confirmed` and `completed` hold a seat."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


T = TypeVar("T")

# An enrolment that still counts for the learner: a second request for the course is refused.
LIVE = (Status.CONFIRMED, Status.WAITLISTED)


@dataclass(frozen=True, slots=True)
class Course:
    """What the ledger needs to know of a course to decide on a seat."""

    course_id: str
    provider_id: str
    live: bool
    capacity: int
    end_date: date


@dataclass(frozen=True, slots=True)
class Decision:
    """The answer to one request: a status, and for a refusal its code and prose."""

    status: Status
    reason_code: RejectionReason | None = None
    reason: str | None = None


def reject(code: RejectionReason, reason: str) -> Decision:
    return Decision(Status.REJECTED, code, reason)


def decide(
    course: Course | None,
    *,
    confirmed: int,
    learner_is_enrolled: bool,
    today: date,
    requested_course_id: str,
) -> Decision:
    """Confirmed while seats are free, waitlisted when full, rejected when it cannot be."""
    if course is None:
        return reject(
            RejectionReason.UNKNOWN_COURSE, f"The region knows no course {requested_course_id!r}."
        )
    if not course.live:
        return reject(RejectionReason.COURSE_WITHDRAWN, "The course was withdrawn.")
    if course.end_date < today:
        return reject(
            RejectionReason.COURSE_ENDED, f"The course ended on {course.end_date.isoformat()}."
        )
    if learner_is_enrolled:
        return reject(
            RejectionReason.ALREADY_ENROLLED,
            "The learner already holds a confirmed or waitlisted enrolment in this course.",
        )
    if confirmed < course.capacity:
        return Decision(Status.CONFIRMED)
    return Decision(Status.WAITLISTED)


def free_seats(capacity: int, confirmed: int) -> int:
    """Seats that may be given now; after a capacity decrease there may be none for a while."""
    return max(0, capacity - confirmed)


def promote(capacity: int, confirmed: int, waitlist: Sequence[T]) -> list[T]:
    """Who moves up from the waitlist (given in arrival order): the earliest, one per free seat."""
    return list(waitlist[: free_seats(capacity, confirmed)])


@dataclass
class Ledger:
    """One course's seats in memory: the rules above applied to a run of requests in order.

    The store loads it under the course's row lock, applies a run of requests, and writes the
    outcome back; the unit tests drive it directly.
    """

    course: Course | None
    course_id: str
    today: date
    confirmed: int = 0
    waitlist: list[str] = field(default_factory=list)
    # Deciding requests needs only how many wait, not who: those are counted here, unloaded.
    unloaded_waiting: int = 0
    # Learners with a live enrolment here; the store loads at least those about to request.
    enrolled_learners: set[str] = field(default_factory=set)

    def request(self, learner_id: str, enrolment_id: str) -> tuple[Decision, int | None]:
        """Decide one request; returns the decision and, when waitlisted, the position."""
        decision = decide(
            self.course,
            confirmed=self.confirmed,
            learner_is_enrolled=learner_id in self.enrolled_learners,
            today=self.today,
            requested_course_id=self.course_id,
        )
        if decision.status is Status.REJECTED:
            return decision, None
        self.enrolled_learners.add(learner_id)
        if decision.status is Status.CONFIRMED:
            self.confirmed += 1
            return decision, None
        self.waitlist.append(enrolment_id)
        return decision, self.unloaded_waiting + len(self.waitlist)

    def release(self, learner_id: str, enrolment_id: str, *, held_seat: bool) -> list[str]:
        """A confirmed or waitlisted enrolment ends; returns the waitlisted ones promoted."""
        self.enrolled_learners.discard(learner_id)
        if held_seat:
            self.confirmed -= 1
        elif enrolment_id in self.waitlist:
            self.waitlist.remove(enrolment_id)
        return self.fill_free_seats()

    def resize(self, capacity: int) -> list[str]:
        """The catalog changed the capacity: more seats promote, fewer never revoke one."""
        assert self.course is not None
        self.course = Course(
            self.course.course_id,
            self.course.provider_id,
            self.course.live,
            capacity,
            self.course.end_date,
        )
        return self.fill_free_seats()

    def fill_free_seats(self) -> list[str]:
        assert not self.unloaded_waiting, "promotions need the whole waitlist loaded"
        if self.course is None or not self.course.live:
            return []
        promoted = promote(self.course.capacity, self.confirmed, self.waitlist)
        del self.waitlist[: len(promoted)]
        self.confirmed += len(promoted)
        return promoted


# --- who may see and act on what --------------------------------------------------------------

STAFF = ("counsellor", "operator")


def may_see(role: str, sub: str, *, learner_id: str, provider_id: str | None) -> bool:
    """A learner sees their own, a provider its own courses' enrolments, staff everything."""
    if role in STAFF:
        return True
    if role == "learner":
        return sub == learner_id
    return role == "provider" and provider_id is not None and sub == provider_id


def may_enrol(role: str, sub: str, learner_id: str) -> bool:
    """A learner enrols themself; a counsellor enrols anyone."""
    return role == "counsellor" or (role == "learner" and sub == learner_id)


def may_cancel(role: str, sub: str, *, learner_id: str, provider_id: str | None) -> bool:
    """Learner, counsellor, or the course's provider; an operator only looks."""
    return role != "operator" and may_see(role, sub, learner_id=learner_id, provider_id=provider_id)
