"""A counsellor runs an allocation round; learners accept or decline the places it proposes."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.kafka_tools import header, read_topic
from zll.devstack.stack import DevStack
from zll.platform.auth import mint_token
from zll.platform.settings import Settings

pytestmark = pytest.mark.e2e


def client(region: DevStack, role: str, sub: str) -> httpx.AsyncClient:
    token = mint_token(Settings(), role=role, sub=sub)  # type: ignore[arg-type]
    return httpx.AsyncClient(
        base_url=region.layout.url("matching"), headers={"Authorization": f"Bearer {token}"}
    )


@pytest.fixture
async def counsellor(region: DevStack) -> AsyncIterator[httpx.AsyncClient]:
    async with client(region, "counsellor", "beate") as c:
        yield c


def scarce_round(tag: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Two learners want the one seat in care; the course prefers Ben, so Ada gets IT."""
    ada, ben, cem = f"ada-{tag}", f"ben-{tag}", f"cem-{tag}"
    pflege, it = f"vhs-kassel:pflege-{tag}", f"vhs-kassel:it-{tag}"
    body = {
        "offers": [
            {"offer_id": pflege, "capacity": 1, "priority": [ben, ada]},
            {"offer_id": it, "capacity": 1, "rule": "first-come"},
        ],
        "applications": [
            {"learner_id": ada, "ranking": [pflege, it]},
            {"learner_id": ben, "ranking": [pflege]},
            {"learner_id": cem, "ranking": [it]},
        ],
        "publish": True,
    }
    return body, {"ada": ada, "ben": ben, "cem": cem, "pflege": pflege, "it": it}


async def test_a_published_round_proposes_each_assignment(
    region: DevStack, counsellor: httpx.AsyncClient
) -> None:
    body, ids = scarce_round(uuid.uuid4().hex[:8])
    response = await counsellor.post("/rounds", json=body)
    assert response.status_code == 201, response.text
    result = response.json()
    assert result["assignments"] == {
        ids["ada"]: ids["it"],
        ids["ben"]: ids["pflege"],
        ids["cem"]: None,
    }
    assert result["unplaced"] == 1

    stored = await counsellor.get(f"/rounds/{result['round_id']}")
    assert stored.json()["assignments"] == result["assignments"]

    def proposed(records: list[Any]) -> list[Any]:
        return [
            r
            for r in records
            if header(r, "ce_type") == "zll.placement.proposed.v1"
            and r.key.decode() in (ids["ada"], ids["ben"])
        ]

    records = proposed(
        await read_topic(
            region.bootstrap, "zll.placements.v1", until=lambda rs: len(proposed(rs)) == 2
        )
    )
    assert sorted(r.key.decode() for r in records) == sorted([ids["ada"], ids["ben"]])
    assert {r.key.decode(): _json(r)["offer_id"] for r in records} == {
        ids["ada"]: ids["it"],
        ids["ben"]: ids["pflege"],
    }
    assert all(
        _json(r)["offer_kind"] == "course" and _json(r)["round_id"] == result["round_id"]
        for r in records
    )


async def test_the_learner_accepts_and_another_declines(
    region: DevStack, counsellor: httpx.AsyncClient
) -> None:
    body, ids = scarce_round(uuid.uuid4().hex[:8])
    placements = (await counsellor.post("/rounds", json=body)).json()["placements"]
    async with (
        client(region, "learner", ids["ada"]) as ada,
        client(region, "learner", ids["ben"]) as ben,
    ):
        accepted = await ada.post(f"/placements/{placements[ids['ada']]}/accept")
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["status"] == "accepted"
        again = await ada.post(f"/placements/{placements[ids['ada']]}/accept")
        assert again.json()["status"] == "accepted"
        other = await ada.post(f"/placements/{placements[ids['ben']]}/accept")
        assert other.status_code == 404
        declined = await ben.post(
            f"/placements/{placements[ids['ben']]}/decline", json={"reason": "zu weit"}
        )
        assert declined.json()["status"] == "declined"
        conflict = await ben.post(f"/placements/{placements[ids['ben']]}/accept")
        assert conflict.status_code == 409

    def answers(records: list[Any]) -> list[Any]:
        return [
            r
            for r in records
            if header(r, "ce_type") in ("zll.placement.accepted.v1", "zll.placement.declined.v1")
            and r.key.decode() in (ids["ada"], ids["ben"])
        ]

    records = answers(
        await read_topic(
            region.bootstrap, "zll.placements.v1", until=lambda rs: len(answers(rs)) >= 2
        )
    )
    assert {r.key.decode(): header(r, "ce_type") for r in records} == {
        ids["ada"]: "zll.placement.accepted.v1",
        ids["ben"]: "zll.placement.declined.v1",
    }
    assert len(records) == 2  # the repeated accept published nothing
    assert [_json(r)["reason"] for r in records if r.key.decode() == ids["ben"]] == ["zu weit"]


async def test_a_round_with_an_unknown_offer_names_the_field(counsellor: httpx.AsyncClient) -> None:
    response = await counsellor.post(
        "/rounds",
        json={"offers": [], "applications": [{"learner_id": "x", "ranking": ["nirgends"]}]},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "applications.0.ranking"


async def test_a_learner_cannot_run_a_round(region: DevStack) -> None:
    async with client(region, "learner", "lena") as lena:
        response = await lena.post("/rounds", json={"offers": [], "applications": []})
    assert response.status_code == 403


def _json(record: Any) -> dict[str, Any]:
    return dict(json.loads(record.value))
