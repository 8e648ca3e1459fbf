"""Reading a Server-Sent-Events stream as a browser does: for the tests and the benches."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx


async def sse_messages(
    response: httpx.Response, on_first_line: Callable[[], None] | None = None
) -> AsyncIterator[dict[str, Any]]:
    """Fields until a blank line make a message (one with `data`); comments are skipped.
    `on_first_line` runs once the server has written anything (notify subscribes a stream
    before it does)."""
    message: dict[str, Any] = {}
    async for line in response.aiter_lines():
        if on_first_line is not None:
            on_first_line()
            on_first_line = None
        if not line:
            if "data" in message:
                yield message
            message = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            message[name] = value.removeprefix(" ")
