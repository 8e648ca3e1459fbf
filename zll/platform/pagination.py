"""Cursor pagination, the same on every list: `?cursor=…&limit=…` in, `{items, next_cursor}` out.

Keyset, never offsets: a cursor carries the sort key of the last item of its page, and the
next page starts strictly after that key. Rows added or removed meanwhile therefore neither
repeat nor push others out of sight, and a deep page costs what the first one does.

Cursors are opaque to callers (base64url of JSON) and bound to the request they continue:
the path and every query parameter except `cursor` and `limit`. A cursor that is garbled,
or used with other filters, is a 400 problem naming the field `cursor`.
"""

# No `from __future__ import annotations`: FastAPI reads the dependency's parameter types at
# runtime, and they use `maximum` from the enclosing call.
import base64
import binascii
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import Query, Request
from pydantic import (
    BaseModel,
    Field,
    GetJsonSchemaHandler,
    SerializerFunctionWrapHandler,
    model_serializer,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from zll.platform.messages import MESSAGES
from zll.platform.problems import ProblemError

T = TypeVar("T")
R = TypeVar("R")
EXAMPLE_CURSOR = "WyI1ZjJjOWE0MWQ3YjMiLCA0Ml0"
_NEXT_CURSOR_DOC = (
    "Pass as `cursor` (with the same other parameters) for the next page; null on the last page."
)


class Page(BaseModel, Generic[T]):
    """One page of a list. Its example is built from the item model's first example."""

    items: list[T]
    next_cursor: str | None = Field(description=_NEXT_CURSOR_DOC)

    # The return type is left out on purpose: pydantic would make it the serialization schema.
    @model_serializer(mode="wrap")
    def _always_says_whether_more_follow(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]
        # A route that leaves out absent values (`response_model_exclude_none`) must not drop
        # `next_cursor`: the schema requires it, and `null` is how a client knows it is done.
        data: dict[str, Any] = handler(self)
        data.setdefault("next_cursor", None)
        return data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        if "examples" not in target:
            item = _item_example(cls)
            if item is not None:
                target["examples"] = [{"items": [item], "next_cursor": EXAMPLE_CURSOR}]
        return schema


def _item_example(page: type[BaseModel]) -> Any:
    # A named page (`class CoursePage(Page[CourseOut])`) has its item type on a base class.
    parametrized = (
        c.__pydantic_generic_metadata__.get("args")
        for c in page.__mro__
        if issubclass(c, BaseModel)
    )
    item = next((args[0] for args in parametrized if args), None)
    if isinstance(item, type) and issubclass(item, BaseModel):
        examples = item.model_json_schema().get("examples") or [None]
        return examples[0]
    return None


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):  # datetime is a date: both in ISO 8601
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _typed(kind: type, value: Any) -> Any:
    """A position value back in its type; ValueError/TypeError for anything else."""
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is date:
        return date.fromisoformat(value)
    if kind is UUID:
        return UUID(value)
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, kind) and not isinstance(value, bool):
        return value
    raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")


def _bad_cursor(reason: str) -> ProblemError:
    return ProblemError(
        400,
        MESSAGES("invalid-cursor"),
        MESSAGES("invalid-cursor.detail"),
        errors=[{"field": "cursor", "message": MESSAGES(f"invalid-cursor.{reason}")}],
    )


class PageRequest:
    """What a list endpoint was asked for: how many items, and after which position."""

    def __init__(self, limit: int, cursor: str | None, scope: str) -> None:
        self.limit = limit
        self.scope = scope
        self._position: list[Any] | None = None
        if cursor is not None:
            self._position = self._decode(cursor)

    def _decode(self, cursor: str) -> list[Any]:
        try:
            raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        except (ValueError, binascii.Error) as error:
            raise _bad_cursor("garbled") from error
        if not isinstance(raw, list) or len(raw) < 2 or not isinstance(raw[0], str):
            raise _bad_cursor("garbled")
        if raw[0] != self.scope:
            raise _bad_cursor("other-query")
        return raw[1:]

    def after(self, *kinds: type) -> tuple[Any, ...] | None:
        """The sort key the cursor stands for, each value as `kinds`; None on the first page."""
        if self._position is None:
            return None
        if len(self._position) != len(kinds):
            raise _bad_cursor("garbled")
        try:
            return tuple(_typed(k, v) for k, v in zip(kinds, self._position, strict=True))
        except (ValueError, TypeError) as error:
            raise _bad_cursor("garbled") from error

    def cursor_at(self, key: Sequence[Any]) -> str:
        raw = json.dumps([self.scope, *(_plain(v) for v in key)], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    def cut(
        self, rows: Sequence[R], key: Callable[[R], Sequence[Any]]
    ) -> tuple[list[R], str | None]:
        """This page of `rows` (fetched with `limit + 1`, so one more says there is a next page)
        and the cursor after its last row."""
        page = list(rows[: self.limit])
        more = len(rows) > self.limit
        return page, self.cursor_at(key(page[-1])) if more and page else None

    def window(
        self, ordered: Sequence[R], key: Callable[[R], tuple[Any, ...]], *kinds: type
    ) -> tuple[list[R], str | None]:
        """The same over a list computed in memory and sorted ascending by `key`."""
        after = self.after(*kinds)
        rest = [r for r in ordered if after is None or key(r) > after]
        return self.cut(rest[: self.limit + 1], key)


def _scope(request: Request) -> str:
    """What a cursor is bound to: the path and every parameter but cursor and limit."""
    query = sorted((k, v) for k, v in request.query_params.multi_items() if k not in PAGE_PARAMS)
    digest = hashlib.sha256(json.dumps([request.url.path, query]).encode())
    return digest.hexdigest()[:12]


PAGE_PARAMS = frozenset({"cursor", "limit"})


def pages(default: int = 50, maximum: int = 500) -> Callable[..., Awaitable[PageRequest]]:
    """A dependency declaring `cursor` and `limit` the same way on every list endpoint."""

    async def page_request(  # async: a plain `def` dependency would run in a worker thread
        request: Request,
        limit: Annotated[int, Query(ge=1, le=maximum, description="Items per page.")] = default,
        cursor: Annotated[
            str | None,
            Query(max_length=1000, description="`next_cursor` of the previous page; opaque."),
        ] = None,
    ) -> PageRequest:
        return PageRequest(limit, cursor, _scope(request))

    return page_request
