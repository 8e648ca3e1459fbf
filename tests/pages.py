"""Reading a whole list over HTTP: every page of `{items, next_cursor}`, following the cursor."""

from __future__ import annotations

from typing import Any

import httpx


async def every_item(client: httpx.AsyncClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """All items of a paged list (the other params, e.g. filters and headers, on each page)."""
    headers = params.pop("headers", None)
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page_params = params | ({"cursor": cursor} if cursor else {})
        response = await client.get(path, params=page_params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items
