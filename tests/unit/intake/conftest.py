"""Fixtures of the intake tests: the hand-written export files next to this module."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from services.intake import Document, ImportedCourse, Refusal, read_document

FIXTURES = Path(__file__).parent / "fixtures"


def read(data: bytes, provider_id: str = "vhs-kassel", **kwargs) -> Document:
    return read_document(io.BytesIO(data), provider_id, **kwargs)


def courses_of(document: Document) -> tuple[list[ImportedCourse], list[Refusal]]:
    records = list(document.records)
    return (
        [r for r in records if isinstance(r, ImportedCourse)],
        [r for r in records if isinstance(r, Refusal)],
    )


@pytest.fixture
def fixture_bytes():
    def load(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return load
