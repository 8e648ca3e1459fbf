"""The demo region's members: chambers and an employer, and a call with the rule "at least
three members, one of them a chamber" that the demo's offers can answer."""

from __future__ import annotations

from services.cooperative.domain.consortium import ONLINE, Call, Offer, propose
from zll.demo.partners import WELDING_CALL, member_kind
from zll.demo.region import DEMO_PROVIDERS, demo_courses


def demo_offers(skills: list[str], towns: list[str]) -> list[Offer]:
    """What the cooperative learns from the demo's course events (as store_projects.offers)."""
    grouped: dict[tuple[str, str, str], list[Offer]] = {}
    for c in demo_courses():
        place = c["location"]["municipality"] if "location" in c else ONLINE
        course_skills = {s for m in c["modules"] for s in m["skills"]}
        for skill in course_skills & set(skills):
            if place in towns or place == ONLINE:
                offer = Offer(c["provider_id"], skill, place, frozenset(c["target_groups"]), 1,
                              c["capacity"])  # fmt: skip
                grouped.setdefault((c["provider_id"], skill, place), []).append(offer)
    return [
        Offer(p, s, m, frozenset().union(*(o.target_groups for o in found)), len(found),
              sum(o.seats for o in found))
        for (p, s, m), found in grouped.items()
    ]  # fmt: skip


def test_the_demo_members_include_chambers_and_an_employer() -> None:
    kinds = {p.provider_id: member_kind(p.kind) for p in DEMO_PROVIDERS}
    assert {"ihk-kassel-marburg", "hwk-kassel"} <= {p for p, k in kinds.items() if k == "chamber"}
    assert "employer" in kinds.values()


def test_the_demo_welding_call_gets_three_members_with_a_chamber() -> None:
    kinds = {p.provider_id: member_kind(p.kind) for p in DEMO_PROVIDERS}
    call = Call(tuple(WELDING_CALL["skills"]), tuple(WELDING_CALL["municipalities"]),
                tuple(WELDING_CALL["target_groups"]), WELDING_CALL["min_members"],
                WELDING_CALL["chamber_required"])  # fmt: skip
    offers = demo_offers(WELDING_CALL["skills"], WELDING_CALL["municipalities"])
    found = propose(call, offers, kinds)
    assert found.proposals, "the demo's welding call has no proposal"
    best = found.proposals[0]
    assert len(best.members) >= 3
    assert any(kinds[p] == "chamber" for p in best.provider_ids)
    assert best.uncovered == ()
    assert all(rule.met for rule in best.rules)
