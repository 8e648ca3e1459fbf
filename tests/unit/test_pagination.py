"""Cursor pagination: keyset positions in opaque cursors, bound to the request they continue."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest
from pydantic import BaseModel, ConfigDict

from zll.platform.pagination import Page, PageRequest
from zll.platform.problems import ProblemError


def test_a_cursor_carries_the_last_key_of_its_page_in_its_types() -> None:
    first = PageRequest(limit=2, cursor=None, scope="s")
    rows = [(date(2027, 1, 1), "a"), (date(2027, 1, 2), "b"), (date(2027, 1, 3), "c")]
    page, cursor = first.cut(rows, key=lambda r: r)
    assert page == rows[:2]
    assert cursor is not None
    after = PageRequest(limit=2, cursor=cursor, scope="s").after(date, str)
    assert after == (date(2027, 1, 2), "b")


def test_the_last_page_has_no_cursor() -> None:
    page, cursor = PageRequest(limit=5, cursor=None, scope="s").cut([1, 2], key=lambda r: (r,))
    assert (page, cursor) == ([1, 2], None)


def test_every_value_kind_survives_a_cursor() -> None:
    key = (42, 0.5, "x", date(2027, 2, 1), datetime(2027, 2, 1, 8, tzinfo=UTC), UUID(int=7))
    cursor = PageRequest(1, None, "s").cursor_at(key)
    assert PageRequest(1, cursor, "s").after(int, float, str, date, datetime, UUID) == key


def test_a_window_over_a_sorted_list_is_keyset_not_offset() -> None:
    ordered = [(1, "a"), (2, "b"), (3, "c"), (4, "d")]
    page, cursor = PageRequest(2, None, "s").window(ordered, lambda r: r, int, str)
    assert page == [(1, "a"), (2, "b")]
    # (1, "a") disappears meanwhile: the next page still starts after (2, "b").
    rest, end = PageRequest(2, cursor, "s").window(ordered[1:], lambda r: r, int, str)
    assert (rest, end) == ([(3, "c"), (4, "d")], None)


def _refusal(cursor: str, *kinds: type, scope: str = "s") -> str:
    with pytest.raises(ProblemError) as refused:
        PageRequest(10, cursor, scope).after(*kinds)
    assert refused.value.status == 400
    assert refused.value.errors is not None
    assert refused.value.errors[0]["field"] == "cursor"
    return str(refused.value.errors[0]["message"])


@pytest.mark.parametrize("cursor", ["kaputt", "", "W10", "eyJhIjogMX0", "WzEsMl0", "!!"])
def test_a_garbled_cursor_is_a_400_naming_the_field(cursor: str) -> None:
    _refusal(cursor, int)


def test_a_cursor_of_another_key_shape_is_a_400() -> None:
    cursor = PageRequest(1, None, "s").cursor_at(("not a number",))
    _refusal(cursor, int)
    _refusal(cursor, str, str)


def test_a_cursor_for_other_parameters_is_a_400() -> None:
    cursor = PageRequest(1, None, "one query").cursor_at((1,))
    assert "andere" in _refusal(cursor, int, scope="another query")


def test_a_page_of_a_model_is_documented_with_an_example_of_its_items() -> None:
    class Thing(BaseModel):
        model_config = ConfigDict(json_schema_extra={"examples": [{"name": "Kurs"}]})
        name: str

    schema = Page[Thing].model_json_schema()
    assert schema["examples"][0]["items"] == [{"name": "Kurs"}]
    assert set(schema["properties"]) == {"items", "next_cursor"}
