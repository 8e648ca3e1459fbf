"""The seat ledger's rules, as a course's seats fill, free up and change size."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from zll_contracts.payloads import RejectionReason

from services.enrolment.domain import Course, Ledger, Status, decide, may_cancel, may_enrol, may_see

TODAY = date(2027, 1, 10)


def course(capacity: int = 2, *, live: bool = True, ends: date = date(2027, 6, 30)) -> Course:
    return Course("vhs-x:excel", "vhs-x", live, capacity, ends)


def ledger(capacity: int = 2) -> Ledger:
    return Ledger(course(capacity), "vhs-x:excel", TODAY)


def test_a_learner_is_confirmed_while_seats_are_free_then_waitlisted_in_order() -> None:
    seats = ledger(capacity=2)
    answers = [seats.request(f"learner-{n}", f"e{n}") for n in range(4)]
    assert [(d.status, pos) for d, pos in answers] == [
        (Status.CONFIRMED, None),
        (Status.CONFIRMED, None),
        (Status.WAITLISTED, 1),
        (Status.WAITLISTED, 2),
    ]


def test_requests_that_cannot_be_met_are_rejected_with_a_reason_code() -> None:
    def code(c: Course | None, *, enrolled: bool = False) -> RejectionReason | None:
        return decide(
            c, confirmed=0, learner_is_enrolled=enrolled, today=TODAY, requested_course_id="x:y"
        ).reason_code

    assert code(None) is RejectionReason.UNKNOWN_COURSE
    assert code(course(live=False)) is RejectionReason.COURSE_WITHDRAWN
    assert code(course(ends=date(2027, 1, 9))) is RejectionReason.COURSE_ENDED
    assert code(course(), enrolled=True) is RejectionReason.ALREADY_ENROLLED
    assert code(course(ends=TODAY)) is None  # the last day still counts


def test_the_same_learner_cannot_hold_two_live_enrolments_in_one_course() -> None:
    seats = ledger(capacity=1)
    seats.request("ada", "e1")
    decision, _ = seats.request("ada", "e2")
    assert decision.reason_code is RejectionReason.ALREADY_ENROLLED


def test_a_freed_seat_goes_to_the_earliest_waitlisted() -> None:
    seats = ledger(capacity=1)
    seats.request("ada", "e1")
    seats.request("ben", "e2")
    seats.request("cem", "e3")
    assert seats.release("ada", "e1", held_seat=True) == ["e2"]
    assert seats.waitlist == ["e3"]


def test_leaving_the_waitlist_promotes_nobody_and_moves_the_rest_up() -> None:
    seats = ledger(capacity=1)
    for n, learner in enumerate(["ada", "ben", "cem"]):
        seats.request(learner, f"e{n}")
    assert seats.release("ben", "e1", held_seat=False) == []
    assert seats.waitlist == ["e2"]
    assert seats.request("ben", "e9")[1] == 2  # ben may ask again, at the back


def test_a_capacity_increase_promotes_from_the_waitlist() -> None:
    seats = ledger(capacity=1)
    for n in range(4):
        seats.request(f"l{n}", f"e{n}")
    assert seats.resize(3) == ["e1", "e2"]
    assert seats.confirmed == 3


def test_a_capacity_decrease_never_revokes_a_seat_but_stops_new_confirmations() -> None:
    seats = ledger(capacity=3)
    for n in range(4):
        seats.request(f"l{n}", f"e{n}")
    assert seats.resize(1) == []
    assert seats.confirmed == 3  # nobody loses a confirmed seat
    assert seats.request("late", "e9")[0].status is Status.WAITLISTED
    assert seats.release("l0", "e0", held_seat=True) == []  # still over capacity
    assert seats.release("l1", "e1", held_seat=True) == []  # now exactly at capacity
    assert seats.release("l2", "e2", held_seat=True) == ["e3"]  # under capacity: promote


def test_a_withdrawn_course_promotes_nobody() -> None:
    seats = Ledger(course(1, live=False), "vhs-x:excel", TODAY)
    seats.waitlist = ["e1"]
    assert seats.fill_free_seats() == []


# An operation: ("request", learner) | ("leave", learner) | ("resize", capacity)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("request"), st.integers(0, 15)),
        st.tuples(st.just("leave"), st.integers(0, 15)),
        st.tuples(st.just("resize"), st.integers(0, 8)),
    ),
    max_size=80,
)


@given(st.integers(0, 6), operations)
def test_confirmed_never_exceeds_capacity_unless_it_shrank_and_the_waitlist_is_fcfs(
    capacity: int, ops: list[tuple[str, int]]
) -> None:
    seats = ledger(capacity)
    holders: dict[str, str] = {}  # learner -> enrolment id, for live enrolments
    seated: set[str] = set()
    arrival: dict[str, int] = {}
    for n, (op, arg) in enumerate(ops):
        before = seats.confirmed
        if op == "request":
            decision, _ = seats.request(f"l{arg}", f"e{n}")
            if decision.status is not Status.REJECTED:
                holders[f"l{arg}"] = f"e{n}"
                arrival[f"e{n}"] = n
                if decision.status is Status.CONFIRMED:
                    seated.add(f"e{n}")
            promoted: list[str] = []
        elif op == "leave" and f"l{arg}" in holders:
            enrolment = holders.pop(f"l{arg}")
            promoted = seats.release(f"l{arg}", enrolment, held_seat=enrolment in seated)
            seated.discard(enrolment)
        elif op == "resize":
            promoted = seats.resize(arg)
        else:
            promoted = []
        seated |= set(promoted)
        assert seats.confirmed == len(seated)
        capacity_now = seats.course.capacity if seats.course else 0
        # A seat is only ever added while one is free.
        if seats.confirmed > before:
            assert seats.confirmed <= capacity_now
        # Promotions take the earliest arrivals, and whoever still waits came later.
        assert promoted == sorted(promoted, key=arrival.__getitem__)
        if promoted and seats.waitlist:
            assert arrival[promoted[-1]] < arrival[seats.waitlist[0]]
        assert seats.waitlist == sorted(seats.waitlist, key=arrival.__getitem__)


def test_who_may_see_enrol_and_cancel() -> None:
    assert may_see("learner", "ada", learner_id="ada", provider_id="vhs-x")
    assert not may_see("learner", "ben", learner_id="ada", provider_id="vhs-x")
    assert may_see("provider", "vhs-x", learner_id="ada", provider_id="vhs-x")
    assert not may_see("provider", "vhs-y", learner_id="ada", provider_id="vhs-x")
    assert may_see("counsellor", "c1", learner_id="ada", provider_id=None)
    assert not may_see("employer", "acme", learner_id="ada", provider_id="vhs-x")
    assert may_enrol("learner", "ada", "ada")
    assert not may_enrol("learner", "ada", "ben")
    assert may_enrol("counsellor", "c1", "ben")
    assert not may_enrol("provider", "vhs-x", "ben")
    assert not may_cancel("operator", "ops", learner_id="ada", provider_id="vhs-x")
    assert may_cancel("provider", "vhs-x", learner_id="ada", provider_id="vhs-x")
