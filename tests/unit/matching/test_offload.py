"""A wave pauses the cyclic collector while it computes and leaves it as it found it."""

from __future__ import annotations

import gc

from services.matching.offload import cycle_collection_paused, off_loop


async def test_the_collector_is_paused_during_the_work_and_back_on_after() -> None:
    assert gc.isenabled()
    assert await off_loop(gc.isenabled) is False
    assert gc.isenabled()


def test_nested_pauses_turn_it_back_on_only_when_the_last_ends() -> None:
    with cycle_collection_paused():
        with cycle_collection_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_someone_turned_off_stays_off() -> None:
    gc.disable()
    try:
        with cycle_collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
