"""Rounds with quotas, a lottery and waves, checked against a brute-force enumeration."""

from __future__ import annotations

import hashlib
import itertools
import random
from collections.abc import Sequence

from hypothesis import given, settings
from hypothesis import strategies as st

from services.matching.domain.allocation import Answers, Quota, Unused, lottery, run_wave
from services.matching.domain.reasons import outcomes
from services.matching.domain.rounds import Application, Offer, PriorityRule
from services.matching.round_texts import explain_all

Assignment = dict[str, str | None]
GROUPS = ("wiedereinstieg", "bildungsgutschein")


def choose(
    offer: Offer, quotas: Sequence[Quota], candidates: set[str], groups: dict[str, set[str]]
) -> set[str]:
    """The offer's choice from `candidates`, written from the documented rule, not the code:
    each reserve in turn takes its best members, then (if released) the best of the rest;
    the open seats take the best of whoever is left."""
    assert offer.priority is not None
    rest = [learner for learner in offer.priority if learner in candidates]
    chosen: list[str] = []
    for quota in quotas:
        take = [learner for learner in rest if quota.group in groups[learner]][: quota.seats]
        if quota.unused is Unused.RELEASED:
            take += [learner for learner in rest if learner not in take][: quota.seats - len(take)]
        chosen += take
        rest = [learner for learner in rest if learner not in take]
    chosen += rest[: offer.capacity - sum(q.seats for q in quotas)]
    return set(chosen)


def stable(
    offers: Sequence[Offer],
    quotas: dict[str, list[Quota]],
    applications: Sequence[Application],
    matching: Assignment,
) -> bool:
    groups = {a.learner_id: set(a.groups) for a in applications}
    holders = {o.offer_id: {le for le, m in matching.items() if m == o.offer_id} for o in offers}
    for o in offers:
        if (
            choose(o, quotas.get(o.offer_id, []), holders[o.offer_id], groups)
            != holders[o.offer_id]
        ):
            return False  # the offer would not keep someone it holds
    for a in applications:
        for offer_id in a.ranking:
            if offer_id == matching[a.learner_id]:
                break
            o = next(o for o in offers if o.offer_id == offer_id)
            wanted = holders[offer_id] | {a.learner_id}
            if a.learner_id in choose(o, quotas.get(offer_id, []), wanted, groups):
                return False  # a blocking pair
    return True


def all_stable(
    offers: Sequence[Offer], quotas: dict[str, list[Quota]], applications: Sequence[Application]
) -> list[Assignment]:
    options = [[None, *a.ranking] for a in applications]
    found: list[Assignment] = []
    for pick in itertools.product(*options):
        matching = {a.learner_id: m for a, m in zip(applications, pick, strict=True)}
        if stable(offers, quotas, applications, matching):
            found.append(matching)
    return found


def weakly_better(application: Application, mine: str | None, other: str | None) -> bool:
    ranking = list(application.ranking)
    at = lambda m: len(ranking) if m is None else ranking.index(m)  # noqa: E731
    return at(mine) <= at(other)


def small_round(
    rng: random.Random,
) -> tuple[list[Offer], dict[str, list[Quota]], list[Application]]:
    learners = [f"l{i}" for i in range(rng.randint(1, 5))]
    offers = [
        Offer(f"o{j}", rng.randint(0, 3), priority=rng.sample(learners, len(learners)))
        for j in range(rng.randint(1, 3))
    ]
    quotas: dict[str, list[Quota]] = {}
    for o in offers:
        seats_left = o.capacity
        for group in GROUPS:
            if seats_left and rng.random() < 0.5:
                seats = rng.randint(1, seats_left)
                seats_left -= seats
                quotas.setdefault(o.offer_id, []).append(
                    Quota(group, seats, rng.choice(list(Unused)))
                )
    applications = [
        Application(
            learner,
            rng.sample([o.offer_id for o in offers], rng.randint(0, len(offers))),
            groups=frozenset(g for g in GROUPS if rng.random() < 0.4),
        )
        for learner in learners
    ]
    return offers, quotas, applications


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_round_with_quotas_is_the_learner_optimal_stable_matching(seed: int) -> None:
    offers, quotas, applications = small_round(random.Random(seed))
    ours = run_wave(offers, applications, quotas, "seed").assignments
    everything = all_stable(offers, quotas, applications)
    assert ours in everything
    for other in everything:
        for a in applications:
            assert weakly_better(a, ours[a.learner_id], other[a.learner_id])


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_a_held_place_is_never_lost_to_a_lower_wish_and_the_last_wave_is_a_single_run(
    seed: int,
) -> None:
    rng = random.Random(seed)
    offers, quotas, applications = small_round(rng)
    by_id = {a.learner_id: a for a in applications}
    accepted: dict[str, str] = {}
    declined: dict[str, frozenset[str]] = {}
    wave = run_wave(offers, applications, quotas, "s")
    for _ in range(2):
        before = wave.assignments
        for learner, offer_id in before.items():
            if offer_id is None or learner in accepted:
                continue
            answer = rng.choice(["accept", "decline", "pending"])
            if answer == "accept":
                accepted[learner] = offer_id
            elif answer == "decline":
                declined[learner] = declined.get(learner, frozenset()) | {offer_id}
        answers = Answers(accepted, declined)
        wave = run_wave(offers, applications, quotas, "s", answers)
        for learner, offer_id in before.items():
            if offer_id is None or offer_id in declined.get(learner, ()):
                continue
            now = wave.assignments[learner]
            assert now is not None
            assert weakly_better(by_id[learner], now, offer_id)
            if learner in accepted:
                assert now == accepted[learner]
    # The last wave is the learner-optimal stable matching of what remains, computed afresh.
    rest = wave.applications
    everything = all_stable(offers, quotas, rest)
    assert wave.assignments in everything
    for other in everything:
        for a in rest:
            assert weakly_better(a, wave.assignments[a.learner_id], other[a.learner_id])


def test_a_kept_reserve_stays_empty_and_a_released_one_goes_to_the_next_in_line() -> None:
    offers = [Offer("pflege", 2, priority=["ada", "ben", "cem"])]
    applications = [Application(x, ["pflege"]) for x in ("ada", "ben")] + [
        Application("cem", ["pflege"], groups=frozenset({"wiedereinstieg"}))
    ]
    kept = {"pflege": [Quota("bildungsgutschein", 1, Unused.KEPT)]}
    assert run_wave(offers, applications, kept, "x").assignments == {
        "ada": "pflege",
        "ben": None,
        "cem": None,
    }
    released = {"pflege": [Quota("bildungsgutschein", 1, Unused.RELEASED)]}
    assert run_wave(offers, applications, released, "x").assignments == {
        "ada": "pflege",
        "ben": "pflege",
        "cem": None,
    }
    for_cem = {"pflege": [Quota("wiedereinstieg", 1, Unused.KEPT)]}
    assert run_wave(offers, applications, for_cem, "x").assignments == {
        "ada": "pflege",
        "ben": None,
        "cem": "pflege",
    }


def test_the_lottery_is_recomputable_from_the_published_seed() -> None:
    learners = [f"l{i}" for i in range(50)]
    by_hand = sorted(learners, key=lambda x: hashlib.sha256(f"2026-R1:{x}".encode()).hexdigest())
    assert lottery("2026-R1", learners) == {x: n for n, x in enumerate(by_hand)}
    assert lottery("2026-R1", learners) != lottery("2026-R2", learners)


def test_a_tie_in_priority_goes_to_the_better_lottery_number() -> None:
    tied = ["ada", "ben", "cem"]
    offers = [Offer("kurs", 1, priority=[tied])]
    applications = [Application(x, ["kurs"]) for x in tied]
    for seed in ("a", "b", "c", "d"):
        numbers = lottery(seed, tied)
        winner = min(tied, key=numbers.__getitem__)
        got = run_wave(offers, applications, {}, seed).assignments
        assert got == {x: "kurs" if x == winner else None for x in tied}


def test_first_come_at_the_same_time_is_a_tie_broken_by_the_lottery() -> None:
    from datetime import UTC, datetime

    early, late = datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 12, 1, 10, tzinfo=UTC)
    offers = [Offer("kurs", 2, rule=PriorityRule.FIRST_COME)]
    applications = [
        Application("spaet", ["kurs"], applied_at=late),
        Application("ada", ["kurs"], applied_at=early),
        Application("ben", ["kurs"], applied_at=early),
        Application("cem", ["kurs"], applied_at=early),
    ]
    for seed in ("a", "b", "c"):
        numbers = lottery(seed, ["spaet", "ada", "ben", "cem"])
        losers = max(["ada", "ben", "cem"], key=numbers.__getitem__)
        got = run_wave(offers, applications, {}, seed).assignments
        assert got["spaet"] is None
        assert [x for x, o in got.items() if o is None] == ["spaet", losers]


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_every_wish_missed_is_explained_by_a_full_block_with_a_better_cutoff(seed: int) -> None:
    offers, quotas, applications = small_round(random.Random(seed))
    wave = run_wave(offers, applications, quotas, "s")
    for outcome in outcomes(offers, applications, wave):
        for missed in outcome.missed:
            if missed.rank is None:
                continue  # not on the offer's list
            for block in missed.blocks:
                if outcome.member(block):
                    assert block.seats == 0 or (
                        block.cutoff is not None and block.cutoff < missed.rank
                    )
                elif not block.kept and block.seats:
                    assert block.cutoff is not None
        if outcome.offer_id is not None:
            assert (
                applications_by_id(applications)[outcome.learner_id].ranking[
                    outcome.wish - 1  # type: ignore[operator]
                ]
                == outcome.offer_id
            )


def applications_by_id(applications: Sequence[Application]) -> dict[str, Application]:
    return {a.learner_id: a for a in applications}


def test_a_learner_reads_why_in_german_and_english() -> None:
    offers = [
        Offer("pflege", 2, priority=["ben", "ada", "cem"]),
        Offer("it", 1, priority=["cem", "ada"]),
    ]
    quotas = {"pflege": [Quota("wiedereinstieg", 1, Unused.KEPT)]}
    applications = [
        Application("ada", ["pflege", "it"]),
        Application("ben", ["pflege"]),
        Application("cem", ["pflege"], groups=frozenset({"wiedereinstieg"})),
    ]
    wave = run_wave(offers, applications, quotas, "s")
    ada = outcomes(offers, applications, wave)[0]
    assert explain_all(ada) == {
        "de": "Bei Ihrem 1. Wunsch (pflege) ging der letzte Platz an Rang 1, Ihr Rang war 2. "
        "Für „wiedereinstieg“ reservierte Plätze dort: 1; Sie gehören nicht zu dieser Gruppe. "
        "Platz bei Ihrem 2. Wunsch (it); Ihr Rang dort: 1.",
        "en": "At your 1st wish (pflege) the last place went to priority rank 1, yours was 2. "
        "Places reserved there for 'wiedereinstieg': 1; you are not in that group. "
        "Placed at your 2nd wish (it); your rank there: 1.",
    }
