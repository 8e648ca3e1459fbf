"""Allocation rounds equal the `matching` library's resident-optimal hospital–resident answer."""

from __future__ import annotations

import random
import sys
import warnings
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from services.matching.domain.rounds import (
    Application,
    Offer,
    PriorityRule,
    RoundRefused,
    allocate,
)


def explicit_priority(offer: Offer, applications: Sequence[Application]) -> list[str]:
    """What a rule means, written out as a list: the oracle only knows lists."""
    if offer.priority is not None:
        return list(offer.priority)
    if offer.rule is PriorityRule.RESIDENTS_FIRST:
        residents = [a.learner_id for a in applications if a.municipality == offer.municipality]
        others = [a.learner_id for a in applications if a.municipality != offer.municipality]
        return residents + others
    return [a.learner_id for a in applications]


def oracle(offers: Sequence[Offer], applications: Sequence[Application]) -> dict[str, str | None]:
    """The library's answer; it cannot take capacity 0 or one-sided lists, so we trim those."""
    priority = {o.offer_id: explicit_priority(o, applications) for o in offers if o.capacity > 0}
    capacity = {o.offer_id: o.capacity for o in offers if o.capacity > 0}
    learner_prefs = {
        a.learner_id: [o for o in a.ranking if o in priority and a.learner_id in priority[o]]
        for a in applications
    }
    learner_prefs = {learner: prefs for learner, prefs in learner_prefs.items() if prefs}
    offer_prefs = {
        o: [learner for learner in p if o in learner_prefs.get(learner, ())]
        for o, p in priority.items()
    }
    offer_prefs = {o: p for o, p in offer_prefs.items() if p}
    learner_prefs = {
        learner: [o for o in prefs if o in offer_prefs] for learner, prefs in learner_prefs.items()
    }
    learner_prefs = {learner: prefs for learner, prefs in learner_prefs.items() if prefs}
    answer: dict[str, str | None] = dict.fromkeys(a.learner_id for a in applications)
    if not learner_prefs:
        return answer
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(
            learner_prefs, offer_prefs, {o: capacity[o] for o in offer_prefs}
        )
        matching = game.solve(optimal="resident")
    for hospital, residents in matching.items():
        for resident in residents:
            answer[resident.name] = hospital.name
    return answer


def random_round(
    rng: random.Random, learners: int, offers: int
) -> tuple[list[Offer], list[Application]]:
    towns = ["Kassel", "Detmold", "Lemgo"]
    ids = [f"l{i}" for i in range(learners)]
    offer_list: list[Offer] = []
    for j in range(offers):
        kind = rng.random()
        if kind < 0.6:
            listed = rng.sample(ids, rng.randint(0, learners))  # some learners unacceptable
            offer_list.append(Offer(f"o{j}", rng.randint(0, 3), priority=listed))
        elif kind < 0.8:
            offer_list.append(Offer(f"o{j}", rng.randint(0, 3), rule=PriorityRule.FIRST_COME))
        else:
            offer_list.append(
                Offer(
                    f"o{j}",
                    rng.randint(0, 3),
                    rule=PriorityRule.RESIDENTS_FIRST,
                    municipality=rng.choice(towns),
                )
            )
    applications = [
        Application(
            learner,
            rng.sample([o.offer_id for o in offer_list], rng.randint(0, min(4, offers))),
            municipality=rng.choice(towns),
        )
        for learner in ids
    ]
    return offer_list, applications


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), learners=st.integers(1, 25), offers=st.integers(1, 8))
def test_a_round_equals_the_reference_library(seed: int, learners: int, offers: int) -> None:
    offer_list, applications = random_round(random.Random(seed), learners, offers)
    assert allocate(offer_list, applications).assignments == oracle(offer_list, applications)


def test_a_larger_round_equals_the_reference_library() -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    offer_list, applications = random_round(random.Random(7), 400, 60)
    result = allocate(offer_list, applications)
    assert result.assignments == oracle(offer_list, applications)
    assert any(result.assignments.values())
    assert None in result.assignments.values()


def test_the_better_ranked_learner_gets_the_last_seat() -> None:
    offers = [Offer("pflege", 1, priority=["ben", "ada"]), Offer("it", 1, priority=["ada"])]
    applications = [Application("ada", ["pflege", "it"]), Application("ben", ["pflege"])]
    assert allocate(offers, applications).assignments == {"ada": "it", "ben": "pflege"}


def test_a_learner_missing_from_the_priority_list_is_not_placed_there() -> None:
    offers = [Offer("pflege", 5, priority=["ben"])]
    result = allocate(offers, [Application("ada", ["pflege"]), Application("ben", ["pflege"])])
    assert result.assignments == {"ada": None, "ben": "pflege"}
    assert result.unplaced == ["ada"]


def test_an_offer_without_seats_places_nobody() -> None:
    result = allocate(
        [Offer("voll", 0, rule=PriorityRule.FIRST_COME)], [Application("ada", ["voll"])]
    )
    assert result.assignments == {"ada": None}
    assert result.filled == {"voll": 0}


def test_first_come_prefers_earlier_applications() -> None:
    offers = [Offer("kurs", 1, rule=PriorityRule.FIRST_COME)]
    applications = [Application("frueh", ["kurs"]), Application("spaet", ["kurs"])]
    assert allocate(offers, applications).assignments == {"frueh": "kurs", "spaet": None}


def test_residents_first_prefers_the_offers_municipality() -> None:
    offers = [Offer("kurs", 1, rule=PriorityRule.RESIDENTS_FIRST, municipality="Detmold")]
    applications = [
        Application("aus-kassel", ["kurs"], municipality="Kassel"),
        Application("aus-detmold", ["kurs"], municipality="Detmold"),
    ]
    assert allocate(offers, applications).assignments == {"aus-kassel": None, "aus-detmold": "kurs"}


@pytest.mark.parametrize(
    ("offers", "applications", "field"),
    [
        (
            [Offer("a", 1, rule=PriorityRule.FIRST_COME)],
            [Application("x", ["b"])],
            "applications.0.ranking",
        ),
        (
            [Offer("a", 1, rule=PriorityRule.FIRST_COME)],
            [Application("x", ["a", "a"])],
            "applications.0.ranking",
        ),
        ([Offer("a", 1)], [], "offers.0.priority"),
        ([Offer("a", 1, priority=[], rule=PriorityRule.FIRST_COME)], [], "offers.0.priority"),
        ([Offer("a", -1, priority=[])], [], "offers.0.capacity"),
        ([Offer("a", 1, priority=[]), Offer("a", 1, priority=[])], [], "offers.1.offer_id"),
        ([Offer("a", 1, rule=PriorityRule.RESIDENTS_FIRST)], [], "offers.0.municipality"),
        (
            [Offer("a", 1, priority=[])],
            [Application("x", []), Application("x", [])],
            "applications.1.learner_id",
        ),
    ],
)
def test_a_broken_round_names_the_field(
    offers: list[Offer], applications: list[Application], field: str
) -> None:
    with pytest.raises(RoundRefused) as refusal:
        allocate(offers, applications)
    assert field in [problem.field for problem in refusal.value.problems]
