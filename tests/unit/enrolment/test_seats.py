"""The seat ledger's rules, as a course's seats fill, free up and change size."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st
from zll_contracts.payloads import RejectionReason

from services.enrolment.domain import (
    Course,
    Ledger,
    PassedOn,
    Status,
    decide,
    may_cancel,
    may_enrol,
    may_see,
    offer_deadline,
)

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


# --- timed offers: a freed seat is held for the next one waiting --------------------------------

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
STARTS = date(2027, 2, 1)


def offering(capacity: int = 1, *, today: date = TODAY) -> Ledger:
    course = Course("vhs-x:excel", "vhs-x", True, capacity, date(2027, 6, 30), 48, STARTS)
    return Ledger(course, "vhs-x:excel", today)


def full_with_queue(seats: Ledger, waiting: int) -> None:
    seats.request("ada", "e0")
    for n in range(1, waiting + 1):
        seats.request(f"l{n}", f"e{n}")


def test_a_freed_seat_is_held_for_the_earliest_waiting_and_counts_as_taken() -> None:
    seats = offering(capacity=1)
    full_with_queue(seats, 2)
    assert seats.release("ada", "e0", held_seat=True) == ["e1"]
    assert (seats.confirmed, seats.held, seats.waitlist) == (0, 1, ["e2"])
    decision, position = seats.request("newcomer", "e9")
    assert decision.status is Status.WAITLISTED
    assert position == 2


def test_an_accepted_offer_becomes_a_confirmed_seat_and_frees_nothing() -> None:
    seats = offering(capacity=1)
    full_with_queue(seats, 2)
    seats.release("ada", "e0", held_seat=True)
    seats.accept()
    assert (seats.confirmed, seats.held, seats.waitlist) == (1, 0, ["e2"])


def test_a_declined_or_expired_offer_passes_to_the_next_and_is_recorded_with_its_time() -> None:
    seats = offering(capacity=1)
    full_with_queue(seats, 3)
    seats.release("ada", "e0", held_seat=True)
    assert seats.pass_on("l1", "e1", "declined", NOW) == ["e2"]
    later = NOW + timedelta(hours=48)
    assert seats.pass_on("l2", "e2", "expired", later) == ["e3"]
    assert seats.passed_on == [PassedOn("e1", "declined", NOW), PassedOn("e2", "expired", later)]
    assert seats.request("l1", "e7")[0].status is Status.WAITLISTED  # may ask again, at the back


def test_the_last_offer_passed_on_leaves_the_seat_free_for_the_next_request() -> None:
    seats = offering(capacity=1)
    full_with_queue(seats, 1)
    seats.release("ada", "e0", held_seat=True)
    assert seats.pass_on("l1", "e1", "expired", NOW) == []
    assert seats.request("late", "e5")[0].status is Status.CONFIRMED


def test_a_capacity_decrease_keeps_open_offers_but_makes_no_new_ones() -> None:
    seats = offering(capacity=3)
    for n in range(3):
        seats.request(f"c{n}", f"c{n}")
    full_with_queue_from = [seats.request(f"l{n}", f"e{n}") for n in range(3)]
    assert all(d.status is Status.WAITLISTED for d, _ in full_with_queue_from)
    seats.release("c0", "c0", held_seat=True)
    seats.release("c1", "c1", held_seat=True)
    assert seats.held == 2
    assert seats.resize(1) == []
    seats.accept()  # an offer made stands, like a seat given: it may still be taken
    assert (seats.confirmed, seats.held) == (2, 1)
    assert seats.pass_on("l1", "e1", "declined", NOW) == []  # still over the new capacity
    assert seats.waitlist == ["e2"]


def test_no_offer_is_made_once_the_course_has_started_and_nobody_jumps_the_queue() -> None:
    seats = offering(capacity=1, today=STARTS)
    full_with_queue(seats, 1)
    assert seats.release("ada", "e0", held_seat=True) == []
    assert seats.request("late", "e5")[0].status is Status.WAITLISTED


def test_an_offer_lapses_after_its_hours_or_at_the_course_start_whichever_comes_first() -> None:
    assert offer_deadline(NOW, 48, STARTS) == NOW + timedelta(hours=48)
    on_the_eve = datetime(2027, 1, 31, 12, 0, tzinfo=UTC)
    assert offer_deadline(on_the_eve, 48, STARTS) == datetime(2027, 1, 31, 23, 0, tzinfo=UTC)


def test_a_withdrawn_offer_course_offers_nothing() -> None:
    seats = Ledger(
        Course("vhs-x:excel", "vhs-x", False, 1, date(2027, 6, 30), 48, STARTS),
        "vhs-x:excel",
        TODAY,
    )
    seats.waitlist = ["e1"]
    assert seats.fill_free_seats() == []


# An operation on an offering course: the ones above, plus a held offer's answer.
offer_operations = st.lists(
    st.one_of(
        st.tuples(st.just("request"), st.integers(0, 6)),
        st.tuples(st.just("leave"), st.integers(0, 6)),
        st.tuples(st.just("resize"), st.integers(0, 6)),
        st.tuples(st.just("accept"), st.integers(0, 6)),
        st.tuples(st.just("decline"), st.integers(0, 6)),
        st.tuples(st.just("expire"), st.integers(0, 6)),
    ),
    max_size=100,
)


@settings(max_examples=300)
@given(st.integers(0, 5), offer_operations)
# A newcomer arriving while the only free seat is held for someone else.
@example(1, [("request", 1), ("request", 2), ("leave", 1), ("request", 3)])
def test_held_seats_never_overbook_and_fifo_is_skipped_only_by_a_recorded_decline_or_expiry(
    capacity: int, ops: list[tuple[str, int]]
) -> None:
    seats = offering(capacity)
    live: dict[str, str] = {}  # learner -> enrolment, for live enrolments
    state: dict[str, str] = {}  # enrolment -> confirmed | offered | waiting | gone
    arrival: dict[str, int] = {}
    left: set[str] = set()  # enrolments their learner cancelled
    for n, (op, arg) in enumerate(ops):
        learner = f"l{arg}"
        enrolment = live.get(learner)
        taken_before = seats.confirmed + seats.held
        moved: list[str] = []
        if op == "request":
            decision, _ = seats.request(learner, f"e{n}")
            if decision.status is not Status.REJECTED:
                live[learner], arrival[f"e{n}"] = f"e{n}", n
                state[f"e{n}"] = "confirmed" if decision.status is Status.CONFIRMED else "waiting"
        elif op == "resize":
            moved = seats.resize(arg)
        elif enrolment is None:
            continue
        elif op == "leave":
            moved = seats.release(
                learner,
                enrolment,
                held_seat=state[enrolment] == "confirmed",
                held_offer=state[enrolment] == "offered",
            )
            del live[learner]
            state[enrolment] = "gone"
            left.add(enrolment)
        elif state[enrolment] == "offered" and op == "accept":
            seats.accept()
            state[enrolment] = "confirmed"
        elif state[enrolment] == "offered":
            why = "declined" if op == "decline" else "expired"
            moved = seats.pass_on(learner, enrolment, why, NOW + timedelta(minutes=n))
            del live[learner]
            state[enrolment] = "gone"
        for promoted in moved:
            assert state[promoted] == "waiting"
            state[promoted] = "offered"
        # A held seat is taken: confirmed and held together are what the ledger counts.
        assert seats.held == sum(1 for s in state.values() if s == "offered")
        assert seats.confirmed == sum(1 for s in state.values() if s == "confirmed")
        capacity_now = seats.course.capacity if seats.course else 0
        if seats.confirmed + seats.held > taken_before:
            assert seats.confirmed + seats.held <= capacity_now
        # FIFO: whoever still waits arrived after everyone who ever got an offer or a seat
        # from the list, unless that one's offer was passed on (recorded, with its time).
        assert moved == sorted(moved, key=arrival.__getitem__)
        assert seats.waitlist == sorted(seats.waitlist, key=arrival.__getitem__)
        assert [e for e, s in state.items() if s == "waiting"] == seats.waitlist
        passed = {p.enrolment_id: p for p in seats.passed_on}
        for gone in (e for e, s in state.items() if s == "gone"):
            assert gone in left or passed[gone].at is not None
        if moved and seats.waitlist:
            assert arrival[moved[-1]] < arrival[seats.waitlist[0]]
        # Nobody waits while a seat is free, before the course starts.
        if seats.waitlist:
            assert seats.confirmed + seats.held >= capacity_now
