"""CPU-bound work of a round (a wave, its reasons) off the event loop, collector paused."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")
_lock = threading.Lock()
_state = {"depth": 0, "was_enabled": True}


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """A wave allocates millions of small objects without cycles, which reference counting
    frees; the cyclic collector would walk them all again and again (measured 3-10x slower
    on a DoSV-sized round). Paused while any wave computes; as it was when the last ends."""
    with _lock:
        if _state["depth"] == 0:
            _state["was_enabled"] = gc.isenabled()
            gc.disable()
        _state["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _state["depth"] -= 1
            if _state["depth"] == 0 and _state["was_enabled"]:
                gc.enable()


async def off_loop(work: Callable[..., T], *args: Any) -> T:
    """`work(*args)` in a worker thread, so other requests are still answered meanwhile."""

    def paused() -> T:
        with cycle_collection_paused():
            return work(*args)

    return await asyncio.to_thread(paused)
