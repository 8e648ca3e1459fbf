"""A counsellor runs a round with a quota, a published lottery seed and two waves; learners
answer between the waves and read why they got what they got."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from services.matching.api_rounds import _domain
from services.matching.domain.allocation import Answers, run_wave
from services.matching.schemas import RoundIn
from tests.e2e.matching_helpers import eventually
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


def quota_round(tag: str) -> tuple[dict[str, Any], dict[str, str]]:
    """Care has two seats, one kept for people returning to work (Dora); Ada and Cem tie for
    the one IT seat, so the published lottery decides between them in wave 1."""
    ids = {name: f"{name}-{tag}" for name in ("ada", "ben", "cem", "dora")}
    ids |= {"pflege": f"vhs-kassel:pflege-{tag}", "it": f"vhs-kassel:it-{tag}"}
    ada, ben, cem, dora = ids["ada"], ids["ben"], ids["cem"], ids["dora"]
    body = {
        "offers": [
            {
                "offer_id": ids["pflege"],
                "capacity": 2,
                "priority": [ben, ada, cem, dora],
                "quotas": [{"group": "wiedereinstieg", "seats": 1, "unused": "kept"}],
            },
            {"offer_id": ids["it"], "capacity": 1, "priority": [[ada, cem]]},
        ],
        "applications": [
            {"learner_id": ada, "ranking": [ids["pflege"], ids["it"]]},
            {"learner_id": ben, "ranking": [ids["pflege"]]},
            {"learner_id": cem, "ranking": [ids["pflege"], ids["it"]]},
            {"learner_id": dora, "ranking": [ids["pflege"]], "groups": ["wiedereinstieg"]},
        ],
        "publish": True,
        "seed": f"beratung-kassel-{tag}",
        "waves": 2,
    }
    return body, ids


def single_run(body: dict[str, Any], answers: Answers | None = None) -> dict[str, str | None]:
    """The same round computed in this process from the published seed: anyone can."""
    instance = RoundIn.model_validate(body).model_dump(
        mode="json", include={"offers", "applications"}
    )
    offers, applications, quotas = _domain(instance)
    return run_wave(offers, applications, quotas, body["seed"], answers).assignments


async def test_a_round_runs_in_waves_with_a_quota_and_a_published_lottery(
    region: DevStack, counsellor: httpx.AsyncClient
) -> None:
    body, ids = quota_round(uuid.uuid4().hex[:8])
    first = await counsellor.post("/rounds", json=body)
    assert first.status_code == 201, first.text
    wave1 = first.json()
    round_id, placements = wave1["round_id"], wave1["placements"]
    assert wave1["seed"] == body["seed"]
    assert wave1["wave"] == 1
    assert wave1["assignments"] == single_run(body)
    assert wave1["assignments"][ids["dora"]] == ids["pflege"]  # the kept reserve
    assert wave1["assignments"][ids["ben"]] == ids["pflege"]
    lucky = next(x for x in ("ada", "cem") if wave1["assignments"][ids[x]] == ids["it"])
    assert [c["group"] for c in wave1["cutoffs"][ids["pflege"]]] == ["wiedereinstieg", None]

    async with client(region, "learner", ids["ben"]) as ben:
        declined = await ben.post(f"/placements/{placements[ids['ben']]}/decline")
        assert declined.status_code == 200, declined.text
    async with client(region, "learner", ids["dora"]) as dora:
        await dora.post(f"/placements/{placements[ids['dora']]}/accept")

    second = await counsellor.post(f"/rounds/{round_id}/waves")
    assert second.status_code == 201, second.text
    wave2 = second.json()
    answers = Answers({ids["dora"]: ids["pflege"]}, {ids["ben"]: frozenset({ids["pflege"]})})
    assert wave2["wave"] == 2
    assert wave2["assignments"] == single_run(body, answers)
    # Ben's declined seat went back: Ada moved up to it; Cem holds IT (never lost a place).
    assert wave2["assignments"] == {
        ids["ada"]: ids["pflege"],
        ids["ben"]: None,
        ids["cem"]: ids["it"],
        ids["dora"]: ids["pflege"],
    }
    assert set(wave2["placements"]) == {ids["ada"]} | ({ids["cem"]} if lucky == "ada" else set())

    finished = await counsellor.post(f"/rounds/{round_id}/waves")
    assert finished.status_code == 409
    assert "replaces" in finished.json()["detail"]

    async with client(region, "learner", ids["cem"]) as cem:
        mine = await cem.get(f"/rounds/{round_id}/learners/{ids['cem']}")
        other = await cem.get(f"/rounds/{round_id}/learners/{ids['ada']}")
    assert other.status_code == 403
    outcome = mine.json()
    assert (outcome["wave"], outcome["offer_id"], outcome["wish"]) == (2, ids["it"], 2)
    assert outcome["missed"] == [
        {"wish": 1, "offer_id": ids["pflege"], "rank": 2, "withdrawn": False}
    ]
    assert outcome["explanation"]["en"].startswith(
        f"At your 1st wish ({ids['pflege']}) the last place went to priority rank 1, yours was 2."
    )
    assert "Ihr Rang war 2" in outcome["explanation"]["de"]
    assert "'wiedereinstieg'" in outcome["explanation"]["en"]
    ben_says = (await counsellor.get(f"/rounds/{round_id}/learners/{ids['ben']}")).json()
    assert ben_says["offer_id"] is None
    assert ben_says["missed"][0]["withdrawn"] is True

    def of_round(records: list[Any]) -> list[Any]:
        return [r for r in records if json.loads(r.value).get("round_id") == round_id]

    records = of_round(
        await read_topic(
            region.bootstrap,
            "zll.placements.v1",
            until=lambda rs: any(json.loads(r.value).get("wave") == 2 for r in of_round(rs)),
        )
    )
    proposed2 = [
        r
        for r in records
        if header(r, "ce_type") == "zll.placement.proposed.v1" and json.loads(r.value)["wave"] == 2
    ]
    assert ids["ada"] in {r.key.decode() for r in proposed2}


async def test_a_rerun_is_a_new_round_and_the_old_stays_on_record(
    counsellor: httpx.AsyncClient,
) -> None:
    body, _ = quota_round(uuid.uuid4().hex[:8])
    body |= {"publish": False, "waves": 1}
    old = (await counsellor.post("/rounds", json=body)).json()
    new = await counsellor.post("/rounds", json=body | {"replaces": old["round_id"]})
    assert new.status_code == 201, new.text
    assert new.json()["assignments"] == old["assignments"]  # same seed, same result
    kept = (await counsellor.get(f"/rounds/{old['round_id']}")).json()
    assert kept["rerun_as"] == [new.json()["round_id"]]
    assert kept["assignments"] == old["assignments"]
    assert kept["seed"] == body["seed"]


async def test_a_round_whose_reserves_exceed_the_capacity_is_refused(
    counsellor: httpx.AsyncClient,
) -> None:
    body, _ = quota_round(uuid.uuid4().hex[:8])
    body["offers"][0]["quotas"].append({"group": "bildungsgutschein", "seats": 2})
    body["waves"] = 3
    body["publish"] = False
    response = await counsellor.post("/rounds", json=body, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"offers.0.quotas", "waves"}


async def test_an_erased_learner_is_a_pseudonym_in_the_round_record(
    region: DevStack, counsellor: httpx.AsyncClient
) -> None:
    body, ids = quota_round(uuid.uuid4().hex[:8])
    body |= {"publish": False, "waves": 1}
    round_id = (await counsellor.post("/rounds", json=body)).json()["round_id"]
    async with client(region, "learner", ids["dora"]) as dora:
        asked = await dora.post(f"/learners/{ids['dora']}/erasure")
        assert asked.status_code == 202, asked.text

        async def forgotten() -> bool:
            mine = await dora.get(f"/rounds/{round_id}/learners/{ids['dora']}")
            return mine.status_code == 404

        assert await eventually(forgotten)
    stored = (await counsellor.get(f"/rounds/{round_id}")).json()
    assert ids["dora"] not in stored["assignments"]
    conn = await asyncpg.connect(region.database_url("matching"))
    try:
        instance = await conn.fetchval(
            "SELECT instance::text FROM rounds WHERE round_id = $1", uuid.UUID(round_id)
        )
    finally:
        await conn.close()
    assert ids["dora"] not in instance
    assert ids["ada"] in instance
