"""A placement is answered once: accepted or declined, and repeating the answer changes nothing."""

from __future__ import annotations

import pytest

from services.matching.domain.placements import PlacementAlreadyDecided, PlacementStatus, decide

PROPOSED, ACCEPTED, DECLINED = PlacementStatus


@pytest.mark.parametrize("answer", [ACCEPTED, DECLINED])
def test_a_proposed_placement_takes_the_first_answer(answer: PlacementStatus) -> None:
    assert decide(PROPOSED, answer) is True


@pytest.mark.parametrize("answer", [ACCEPTED, DECLINED])
def test_repeating_the_answer_changes_nothing(answer: PlacementStatus) -> None:
    assert decide(answer, answer) is False


@pytest.mark.parametrize(("current", "answer"), [(ACCEPTED, DECLINED), (DECLINED, ACCEPTED)])
def test_the_other_answer_is_refused(current: PlacementStatus, answer: PlacementStatus) -> None:
    with pytest.raises(PlacementAlreadyDecided, match=str(current)):
        decide(current, answer)
