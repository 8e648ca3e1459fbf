"""Consortia for a call: the smallest sets of members that cover it, checked against brute force."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.cooperative.domain import cover
from services.cooperative.domain.consortium import Call, Need, Offer, propose

WELD = "http://data.europa.eu/esco/skill/weld"
CARE = "http://data.europa.eu/esco/skill/care"
EXCEL = "http://data.europa.eu/esco/skill/excel"


def offer(pid: str, skill: str, town: str, seats: int = 10, groups: str = "working-age") -> Offer:
    return Offer(pid, skill, town, frozenset(groups.split(",")), 1, seats)


def test_one_member_that_offers_everything_is_proposed_alone() -> None:
    call = Call(skills=(WELD, CARE), municipalities=("Lemgo",))
    found = propose(call, [offer("vhs", WELD, "Lemgo"), offer("vhs", CARE, "Lemgo"),
                           offer("bbs", WELD, "Lemgo")], {})  # fmt: skip
    assert found.proposals[0].provider_ids == ("vhs",)
    assert found.proposals[0].uncovered == ()


def test_two_members_that_each_cover_a_part_are_proposed_together_with_who_covers_what() -> None:
    call = Call(skills=(WELD, CARE), municipalities=("Lemgo", "Detmold"))
    offers = [offer("bbs", WELD, "online"), offer("vhs", CARE, "Lemgo"),
              offer("drk", CARE, "Detmold"), offer("diakonie", CARE, "Lemgo"),
              offer("diakonie", CARE, "Detmold")]  # fmt: skip
    best = propose(call, offers, {}).proposals[0]
    assert sorted(best.provider_ids) == ["bbs", "diakonie"]
    roles = {r.provider_id: r for r in best.members}
    assert Need("skill", WELD, "Detmold") in roles["bbs"].covers  # online counts everywhere
    assert {r.code for r in roles["diakonie"].reasons} >= {"offered", "only-one"}


def test_what_nobody_offered_is_named_and_the_rest_is_still_covered() -> None:
    call = Call(skills=(WELD, EXCEL), municipalities=("Lemgo",))
    found = propose(call, [offer("bbs", WELD, "Lemgo")], {})
    assert found.uncoverable == (Need("skill", EXCEL, "Lemgo"),)
    assert found.proposals[0].provider_ids == ("bbs",)
    assert found.proposals[0].uncovered == (Need("skill", EXCEL, "Lemgo"),)


def test_a_call_that_needs_a_chamber_gets_one_even_if_a_smaller_team_would_cover_it() -> None:
    call = Call(skills=(WELD,), municipalities=("Lemgo",), chamber_required=True)
    offers = [offer("bbs", WELD, "Lemgo", seats=50), offer("hwk", WELD, "Lemgo", seats=5)]
    best = propose(call, offers, {"hwk": "chamber"}).proposals[0]
    assert best.provider_ids == ("hwk",)
    assert all(rule.met for rule in best.rules)


def test_a_chamber_that_offers_nothing_joins_for_its_seal_when_the_call_asks_for_one() -> None:
    call = Call(skills=(WELD,), municipalities=("Lemgo",), chamber_required=True)
    best = propose(call, [offer("bbs", WELD, "Lemgo")], {"ihk": "chamber"}).proposals[0]
    assert sorted(best.provider_ids) == ["bbs", "ihk"]


def test_without_any_chamber_the_rule_is_reported_unmet() -> None:
    call = Call(skills=(WELD,), municipalities=("Lemgo",), chamber_required=True)
    best = propose(call, [offer("bbs", WELD, "Lemgo")], {}).proposals[0]
    assert [r.met for r in best.rules if r.rule == "chamber"] == [False]


def test_a_minimum_of_members_is_filled_with_second_sources() -> None:
    call = Call(skills=(WELD,), municipalities=("Lemgo",), min_members=3)
    offers = [offer(p, WELD, "Lemgo", seats=s) for p, s in (("a", 9), ("b", 30), ("c", 20))]
    best = propose(call, offers, {}).proposals[0]
    assert len(best.provider_ids) == 3
    assert best.provider_ids[0] == "b"  # the strongest covers, the others back it up


def test_courses_for_other_life_phases_do_not_count() -> None:
    call = Call(skills=(CARE,), municipalities=("Lemgo",), target_groups=("senior",))
    found = propose(call, [offer("vhs", CARE, "Lemgo", groups="school")], {})
    assert set(found.uncoverable) == {Need("skill", CARE, "Lemgo"), Need("life-phase", "senior")}


def test_the_trade_off_says_what_fewer_members_would_cover() -> None:
    call = Call(skills=(WELD, CARE, EXCEL), municipalities=("Lemgo",))
    offers = [offer("a", WELD, "Lemgo"), offer("b", CARE, "Lemgo"), offer("c", EXCEL, "Lemgo")]
    found = propose(call, offers, {})
    assert [(t.size, t.covered, t.of) for t in found.trade_offs] == [(1, 1, 3), (2, 2, 3)]


# --- against brute force ---------------------------------------------------------------------

masks = st.lists(st.integers(min_value=0, max_value=(1 << 7) - 1), min_size=0, max_size=8)


def brute_minimum(target: int, candidates: list[int]) -> int:
    union = 0
    for m in candidates:
        union |= m
    target &= union
    for size in range(0, len(candidates) + 1):
        for team in combinations(candidates, size):
            got = 0
            for m in team:
                got |= m
            if got & target == target:
                return size
    raise AssertionError("the union always covers")


@settings(max_examples=300, deadline=None)
@given(masks, st.integers(min_value=0, max_value=(1 << 7) - 1))
def test_the_smallest_cover_is_as_small_as_brute_force_finds(
    candidates: list[int], target: int
) -> None:
    found = cover.minimum_covers(target, candidates, limit=3)
    reach = 0
    for m in candidates:
        reach |= m
    assert found, "there is always an answer"
    for team in found:
        got = 0
        for m in team:
            got |= m
        assert got & target == target & reach, "covers all that can be covered"
        assert len(team) == brute_minimum(target, candidates)
    assert len({frozenset(t) for t in found}) == len(found), "alternatives differ"


offers_strategy = st.lists(
    st.builds(
        offer,
        st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        st.sampled_from([WELD, CARE, EXCEL]),
        st.sampled_from(["Lemgo", "Detmold", "online"]),
        st.integers(min_value=1, max_value=40),
    ),
    max_size=12,
)


@settings(max_examples=200, deadline=None)
@given(offers_strategy, st.sets(st.sampled_from([WELD, CARE, EXCEL]), min_size=1))
def test_every_proposal_is_a_smallest_team_covering_all_that_members_offered(
    offers: list[Offer], skills: set[str]
) -> None:
    call = Call(skills=tuple(sorted(skills)), municipalities=("Lemgo", "Detmold"))
    found = propose(call, offers, {})
    providers = sorted({o.provider_id for o in offers})

    def covered(team: tuple[str, ...]) -> set[Need]:
        out: set[Need] = set()
        for o in offers:
            if o.provider_id in team and o.skill in skills:
                towns = ("Lemgo", "Detmold") if o.municipality == "online" else (o.municipality,)
                out |= {Need("skill", o.skill, t) for t in towns}
        return out

    reachable = covered(tuple(providers))
    smallest = next(
        size for size in range(len(providers) + 1)
        for team in combinations(providers, size) if covered(team) == reachable
    )  # fmt: skip
    assert set(found.uncoverable) == set(found.needs) - reachable
    for proposal in found.proposals:
        assert covered(proposal.provider_ids) == reachable
        assert len(proposal.provider_ids) == smallest
        assert set(proposal.uncovered) == set(found.needs) - reachable


def test_the_cover_is_smaller_than_taking_the_widest_member_first() -> None:
    # Greedy takes the four-need mask first and then needs two more; two members suffice.
    widest, left, right = 0b011011, 0b000111, 0b111000
    assert len(cover.greedy(0b111111, [widest, left, right])) == 3
    assert cover.minimum_covers(0b111111, [widest, left, right]) == [[left, right]]
