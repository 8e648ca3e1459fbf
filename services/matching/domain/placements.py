"""Placements: a proposed place is accepted or declined once; repeating an answer is a no-op."""

from __future__ import annotations

from enum import StrEnum


class PlacementStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class PlacementAlreadyDecided(ValueError):
    """The learner already gave the other answer; a placement is decided only once."""

    def __init__(self, status: PlacementStatus) -> None:
        super().__init__(f"the placement was already {status}")
        self.status = status


def decide(current: PlacementStatus, answer: PlacementStatus) -> bool:
    """True when the answer changes the placement; False when it repeats the answer given."""
    if answer is PlacementStatus.PROPOSED:
        raise ValueError("an answer is accepted or declined")
    if current is PlacementStatus.PROPOSED:
        return True
    if current is answer:
        return False
    raise PlacementAlreadyDecided(current)
