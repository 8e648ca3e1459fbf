"""The seat ledger's rules: who gets a seat, who waits, who moves up. Plain Python, no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo

from zll_contracts.payloads import RejectionReason


class Status(StrEnum):
    """Where an enrolment stands; `confirmed` and `completed` hold a seat, `offered` holds
    one for its learner until they answer or the offer expires."""

    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    COMPLETED = "completed"
    OFFERED = "offered"
    DECLINED = "declined"
    EXPIRED = "expired"


T = TypeVar("T")

# An enrolment that still counts for the learner: a second request for the course is refused.
LIVE = (Status.CONFIRMED, Status.WAITLISTED, Status.OFFERED)
# Courses start at midnight in the region: no offer runs past that.
REGION_TIME = ZoneInfo("Europe/Berlin")


@dataclass(frozen=True, slots=True)
class Course:
    """What the ledger needs to know of a course to decide on a seat."""

    course_id: str
    provider_id: str
    live: bool
    capacity: int
    end_date: date
    # None: a freed seat goes to the next one waiting at once. Hours: it is offered to them
    # for that long (never past the start), and passes on when declined or not taken in time.
    offer_hours: int | None = None
    start_date: date | None = None


def offer_deadline(now: datetime, hours: int, start_date: date | None) -> datetime:
    """When an offer made `now` lapses: after `hours`, or when the course starts if sooner."""
    deadline = now + timedelta(hours=hours)
    if start_date is None:
        return deadline
    return min(deadline, datetime.combine(start_date, time(0), REGION_TIME))


@dataclass(frozen=True, slots=True)
class PassedOn:
    """An offer that ended without a seat taken, and when: the only way FIFO skips anyone."""

    enrolment_id: str
    why: Literal["declined", "expired"]
    at: datetime


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
    waiting: int = 0,
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
    # A seat free while others wait is theirs (held for an offer, or once the course has
    # started no longer offered): a newcomer queues behind them.
    if confirmed < course.capacity and not waiting:
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
    # Seats held by open offers: taken for everybody but the learner they are offered to.
    held: int = 0
    waitlist: list[str] = field(default_factory=list)
    # Deciding requests needs only how many wait, not who: those are counted here, unloaded.
    unloaded_waiting: int = 0
    # Learners with a live enrolment here; the store loads at least those about to request.
    enrolled_learners: set[str] = field(default_factory=set)
    # Offers that ended without their seat taken, in the order they ended.
    passed_on: list[PassedOn] = field(default_factory=list)

    @property
    def offering(self) -> bool:
        """Freed seats are offered (not given) while the course has not started."""
        course = self.course
        return course is not None and course.offer_hours is not None

    def request(self, learner_id: str, enrolment_id: str) -> tuple[Decision, int | None]:
        """Decide one request; returns the decision and, when waitlisted, the position."""
        decision = decide(
            self.course,
            confirmed=self.confirmed + self.held,
            learner_is_enrolled=learner_id in self.enrolled_learners,
            today=self.today,
            requested_course_id=self.course_id,
            waiting=self.unloaded_waiting + len(self.waitlist),
        )
        if decision.status is Status.REJECTED:
            return decision, None
        self.enrolled_learners.add(learner_id)
        if decision.status is Status.CONFIRMED:
            self.confirmed += 1
            return decision, None
        self.waitlist.append(enrolment_id)
        return decision, self.unloaded_waiting + len(self.waitlist)

    def release(
        self, learner_id: str, enrolment_id: str, *, held_seat: bool, held_offer: bool = False
    ) -> list[str]:
        """A confirmed, offered or waitlisted enrolment ends; returns the waitlisted ones
        promoted (confirmed, or offered a seat when the course offers)."""
        self.enrolled_learners.discard(learner_id)
        if held_seat:
            self.confirmed -= 1
        elif held_offer:
            self.held -= 1
        elif enrolment_id in self.waitlist:
            self.waitlist.remove(enrolment_id)
        return self.fill_free_seats()

    def resize(self, capacity: int) -> list[str]:
        """The catalog changed the capacity: more seats promote, fewer never revoke one."""
        assert self.course is not None
        self.course = replace(self.course, capacity=capacity)
        return self.fill_free_seats()

    def fill_free_seats(self) -> list[str]:
        """The earliest waiting get the free seats: confirmed, or held for them as offers.

        Offers are made only before the course starts; after that a seat freed stays free
        rather than go to a newcomer past those waiting.
        """
        assert not self.unloaded_waiting, "promotions need the whole waitlist loaded"
        course = self.course
        if course is None or not course.live:
            return []
        if self.offering and course.start_date is not None and self.today >= course.start_date:
            return []
        promoted = promote(course.capacity, self.confirmed + self.held, self.waitlist)
        del self.waitlist[: len(promoted)]
        if self.offering:
            self.held += len(promoted)
        else:
            self.confirmed += len(promoted)
        return promoted

    def accept(self) -> None:
        """The learner takes the seat held for them: one held seat becomes a confirmed one."""
        assert self.held > 0, "only a held seat can be accepted"
        self.held -= 1
        self.confirmed += 1

    def pass_on(
        self, learner_id: str, enrolment_id: str, why: Literal["declined", "expired"], at: datetime
    ) -> list[str]:
        """An offer was declined or expired at `at`: its seat goes to the next ones waiting."""
        assert self.held > 0, "only a held seat can be passed on"
        self.enrolled_learners.discard(learner_id)
        self.held -= 1
        self.passed_on.append(PassedOn(enrolment_id, why, at))
        return self.fill_free_seats()


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
