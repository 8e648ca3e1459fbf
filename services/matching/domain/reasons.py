"""Why each learner got what they got, and each offer's cut-off: published with every wave.

Ranks are 1-based positions in an offer's order of its applicants in this wave (priority, then
the round's lottery). A block's cut-off is the position of the last learner it admitted when it
is full; None when seats stayed free (then nobody it could admit was turned away).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from services.matching.domain.allocation import Wave
from services.matching.domain.rounds import Application, Offer


@dataclass(frozen=True, slots=True)
class BlockCutoff:
    group: str | None  # None: the open seats
    seats: int
    filled: int
    cutoff: int | None
    kept: bool = False


@dataclass(frozen=True, slots=True)
class Missed:
    """A wish above the learner's place, and why it did not come through."""

    wish: int  # 1-based, in the learner's own ranking
    offer_id: str
    rank: int | None  # None: not acceptable to the offer, or withdrawn by the learner
    withdrawn: bool
    blocks: tuple[BlockCutoff, ...]  # the offer's reserves, then its open seats


@dataclass(frozen=True, slots=True)
class Outcome:
    learner_id: str
    offer_id: str | None
    wish: int | None  # 1-based position of the place in the learner's ranking
    rank: int | None  # the learner's rank at that offer
    missed: tuple[Missed, ...]
    groups: frozenset[str] = frozenset()

    def member(self, block: BlockCutoff) -> bool:
        """Whether the learner may take a block's seats as of right (open seats: everyone)."""
        return block.group is None or block.group in self.groups


def cutoffs(offers: Sequence[Offer], wave: Wave) -> dict[str, list[BlockCutoff]]:
    """Per offer, its blocks (reserved first, open last) with their cut-off ranks."""
    out: dict[str, list[BlockCutoff]] = {o.offer_id: [] for o in offers}
    for b, block in enumerate(wave.blocks):
        heap = wave.held[b]
        full = block.capacity > 0 and len(heap) == block.capacity
        cutoff = wave.position(block.offer, -heap[0][0]) if full else None
        out[offers[block.offer].offer_id].append(
            BlockCutoff(block.group, block.capacity, len(heap), cutoff, block.kept)
        )
    return out


def outcomes(offers: Sequence[Offer], original: Sequence[Application], wave: Wave) -> list[Outcome]:
    """Every learner's outcome, in the order of `original` (the wave's learners, same order)."""
    offer_index = {o.offer_id: j for j, o in enumerate(offers)}
    by_offer = {offer_id: tuple(blocks) for offer_id, blocks in cutoffs(offers, wave).items()}
    result: list[Outcome] = []
    for i, a in enumerate(original):
        mine = wave.assignments[a.learner_id]
        still = wave.applications[i].ranking
        missed: list[Missed] = []
        wish: int | None = None
        for k, offer_id in enumerate(a.ranking, start=1):
            if offer_id == mine:
                wish = k
                break
            withdrawn = offer_id not in still
            rank = None if withdrawn else wave.rank(i, offer_index[offer_id])
            missed.append(Missed(k, offer_id, rank, withdrawn, by_offer[offer_id]))
        rank = wave.rank(i, offer_index[mine]) if mine is not None else None
        result.append(Outcome(a.learner_id, mine, wish, rank, tuple(missed), a.groups))
    return result
