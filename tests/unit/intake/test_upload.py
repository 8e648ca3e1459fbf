"""An upload is spooled within its size limit: one byte over is refused before it is read."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.intake.upload import TooLarge, spool


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_a_body_within_the_limit_is_spooled_whole_and_rewound() -> None:
    spooled = await spool(chunks(b"<openvhs", b":veranstaltungen/>"), limit=26)

    assert spooled.read() == b"<openvhs:veranstaltungen/>"


async def test_one_byte_over_the_limit_is_too_large() -> None:
    with pytest.raises(TooLarge) as refused:
        await spool(chunks(b"<openvhs", b":veranstaltungen/>", b"x"), limit=26)

    assert refused.value.limit == 26
