"""Search, facets, modules and the overlap report, as a frontend and a coordinator use them."""

from __future__ import annotations

import copy
import uuid
from typing import Any

import httpx
import pytest

from tests.e2e.test_catalog_ingestion import (
    UPSERTED,
    WITHDRAWN,
    Partner,
    eventually,
    http,
    partner,
    stored,
)
from tests.pages import every_item
from zll.demo.region import DELIBERATE_OVERLAPS, DEMO_PROVIDERS, demo_courses
from zll.devstack.stack import DevStack

pytestmark = pytest.mark.e2e
__all__ = ["http", "partner"]  # fixtures shared with the ingestion tests
SKILL = "http://data.europa.eu/esco/skill/"


def module(module_id: str, title: str, level: int, *skills: str) -> dict[str, Any]:
    return {"module_id": module_id, "title": title, "workload_hours": 20, "eqf_level": level,
            "skills": list(skills), "certificate": "module-certificate"}  # fmt: skip


async def publish_all(http: httpx.AsyncClient, partner: Partner, courses: list[dict]) -> None:
    for data in courses:
        await partner.send(UPSERTED, data)
    for data in courses:
        assert await eventually(lambda d=data: stored(http, d["course_id"], revision=d["revision"]))
        # Search follows storage within moments (the indexer): wait until it finds the course
        # by its title as published, so that a search right after sees this revision.
        assert await eventually(lambda d=data: findable(http, d))


async def findable(http: httpx.AsyncClient, data: dict[str, Any]) -> bool:
    params = {"provider": data["provider_id"], "q": f'"{data["title"]}"', "limit": 100}
    found = (await http.get("/courses", params=params)).json()["items"]
    return data["course_id"] in [c["course_id"] for c in found]


@pytest.fixture
async def offer(http: httpx.AsyncClient, partner: Partner) -> dict[str, Any]:
    """Five courses of one provider, each with a feature the filters can find."""
    p, tag = partner, uuid.uuid4().hex[:8]
    courses = {
        "pflege": p.course("pflege", title="Pflegekräfte gesucht: Einstieg",
                           start_date="2027-01-10", end_date="2027-02-10", price_eur=100,
                           modules=[module("m", "Grundpflege", 3, SKILL + "care-" + tag)]),
        "schweissen": p.course("schweissen", title="Schweißen MAG", start_date="2027-02-01",
                               end_date="2027-03-01", funding=["bildungsurlaub"],
                               location={"municipality": "Detmold"},
                               modules=[module("m", "Schutzgasschweißen", 2,
                                               SKILL + "mag-" + tag)]),
        "lager": p.course("lager", title="Lagerlogistik", description="Für Pflegekräfte nicht",
                          start_date="2027-03-01", end_date="2027-04-01", format="online",
                          location=None, target_groups=["transition"],
                          modules=[module("m", "Staplerschein Praxis", 4, SKILL + "care-" + tag),
                                   module("n", "Lagerverwaltung", 5, SKILL + "lager-" + tag)]),
        "excel": p.course("excel", title="Excel", start_date="2027-04-01",
                          end_date="2027-05-01", price_eur=2000, funding=[],
                          modules=[module("m", "Tabellen", 6, SKILL + "excel-" + tag)]),
        "deutsch": p.course("deutsch", title="Deutsch B1", start_date="2027-05-01",
                            end_date="2027-06-01", format="blended",
                            modules=[module("m", "Sprechen", 2, SKILL + "de-" + tag)]),
    }  # fmt: skip
    await publish_all(http, partner, list(courses.values()))
    return {
        "provider": p.provider_id,
        "tag": tag,
        **{k: v["course_id"] for k, v in courses.items()},
    }


async def ids(http: httpx.AsyncClient, offer: dict[str, Any], **params: Any) -> list[str]:
    response = await http.get("/courses", params={"provider": offer["provider"], **params})
    assert response.status_code == 200, response.text
    return [c["course_id"] for c in response.json()["items"]]


async def test_german_word_forms_find_titles_and_module_titles(
    http: httpx.AsyncClient, offer: dict[str, Any]
) -> None:
    assert await ids(http, offer, q="Pflegekraft") == [offer["pflege"], offer["lager"]]
    assert await ids(http, offer, q="schweissen") == [offer["schweissen"]]
    assert await ids(http, offer, q="Staplerschein") == [offer["lager"]]
    assert await ids(http, offer, q="Quantenphysik") == []


async def test_filters_combine(http: httpx.AsyncClient, offer: dict[str, Any]) -> None:
    o = offer
    assert await ids(http, o, municipality="Detmold") == [o["schweissen"]]
    assert await ids(http, o, format="online") == [o["lager"]]
    assert await ids(http, o, skill=f"{SKILL}care-{o['tag']}") == [o["pflege"], o["lager"]]
    assert await ids(http, o, eqf_level=2) == [o["schweissen"], o["deutsch"]]
    assert await ids(http, o, eqf_min=4, eqf_max=5) == [o["lager"]]
    assert await ids(http, o, eqf_min=6) == [o["excel"]]
    assert await ids(http, o, starts_after="2027-02-01", starts_before="2027-05-01") == [
        o["lager"], o["excel"],
    ]  # fmt: skip
    assert await ids(http, o, funding="bildungsurlaub") == [o["schweissen"]]
    assert await ids(http, o, target_group="transition") == [o["lager"]]
    assert await ids(http, o, max_price=100) == [o["pflege"]]
    assert await ids(http, o, q="Pflegekraft", format="onsite", max_price=500) == [o["pflege"]]


async def test_pages_stay_stable_while_courses_change(
    http: httpx.AsyncClient, partner: Partner, offer: dict[str, Any]
) -> None:
    first = (await http.get("/courses", params={"provider": offer["provider"], "limit": 2})).json()
    early = partner.course("neu", start_date="2026-12-01", end_date="2027-01-01")
    await publish_all(http, partner, [early])
    seen = [c["course_id"] for c in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = await http.get(
            "/courses", params={"provider": offer["provider"], "limit": 2, "cursor": cursor}
        )
        seen += [c["course_id"] for c in page.json()["items"]]
        cursor = page.json()["next_cursor"]
    five = ["pflege", "schweissen", "lager", "excel", "deutsch"]
    assert seen == [offer[k] for k in five]


async def test_ranked_pages_follow_each_other_without_gaps(
    http: httpx.AsyncClient, offer: dict[str, Any]
) -> None:
    everything = await ids(http, offer, q="Pflegekraft")
    page = (await http.get("/courses", params={"provider": offer["provider"],
                                               "q": "Pflegekraft", "limit": 1})).json()  # fmt: skip
    rest = await http.get(
        "/courses",
        params={"provider": offer["provider"], "q": "Pflegekraft", "cursor": page["next_cursor"]},
    )
    assert [c["course_id"] for c in page["items"] + rest.json()["items"]] == everything


async def test_bad_cursors_and_filters_are_problems_naming_the_field(
    http: httpx.AsyncClient,
) -> None:
    bad = await http.get("/courses", params={"cursor": "kaputt"})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "cursor"
    page = (await http.get("/courses", params={"limit": 1})).json()
    other = await http.get("/courses", params={"cursor": page["next_cursor"], "q": "Excel"})
    assert (other.status_code, other.json()["errors"][0]["field"]) == (400, "cursor")
    for params, field in (
        ({"eqf_level": 9}, "eqf_level"),
        ({"eqf_min": 5, "eqf_max": 3}, "eqf_min"),
        ({"skill": "Schweißen"}, "skill"),
        ({"starts_after": "morgen"}, "starts_after"),
        ({"format": "fernkurs"}, "format"),
    ):
        response = await http.get("/courses", params=params)
        assert response.status_code == 422, params
        assert response.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in response.json()["errors"]] == [field]


async def test_facets_count_the_current_filter(
    http: httpx.AsyncClient, offer: dict[str, Any]
) -> None:
    response = await http.get("/courses/facets", params={"provider": offer["provider"]})
    facets = response.json()
    assert facets["total"] == 5
    assert facets["municipality"] == {"Detmold": 1, "Kassel": 3, "online": 1}
    assert facets["format"] == {"blended": 1, "online": 1, "onsite": 3}
    assert facets["eqf_level"] == {"2": 2, "3": 1, "4": 1, "5": 1, "6": 1}
    assert facets["funding"] == {"bildungsgutschein": 3, "bildungsurlaub": 1}
    narrowed = await http.get(
        "/courses/facets", params={"provider": offer["provider"], "format": "onsite"}
    )
    assert narrowed.json()["municipality"] == {"Detmold": 1, "Kassel": 2}


async def test_modules_teaching_a_skill_across_providers(
    http: httpx.AsyncClient, offer: dict[str, Any]
) -> None:
    response = await http.get("/modules", params={"skill": f"{SKILL}care-{offer['tag']}"})
    modules = response.json()["items"]
    assert [(m["course_id"], m["title"]) for m in modules] == [
        (offer["pflege"], "Grundpflege"), (offer["lager"], "Staplerschein Praxis"),
    ]  # fmt: skip
    assert {m["eqf_level"] for m in modules} == {3, 4}
    assert all(m["workload_hours"] == 20 and m["certificate"] for m in modules)
    # One module a page: the same modules in the same order, then the end.
    params = {"skill": f"{SKILL}care-{offer['tag']}", "limit": 1}
    first = (await http.get("/modules", params=params)).json()
    second = (await http.get("/modules", params=params | {"cursor": first["next_cursor"]})).json()
    assert [m["course_id"] for m in first["items"] + second["items"]] == [
        offer["pflege"], offer["lager"],
    ]  # fmt: skip
    assert second["next_cursor"] is None


async def test_the_overlap_report_finds_exactly_the_planted_pairs(
    region: DevStack, http: httpx.AsyncClient, partner: Partner
) -> None:
    """The demo region under fresh provider ids, so other tests' data cannot interfere."""
    suffix = uuid.uuid4().hex[:6]
    renamed = {p.provider_id: f"{p.provider_id[:30]}-{suffix}" for p in DEMO_PROVIDERS}
    for old, new in renamed.items():
        body = {"name": old, "kind": "volkshochschule", "municipality": "Kassel"}
        assert (await http.put(f"/providers/{new}", json=body)).status_code == 200
    courses = []
    for data in demo_courses():
        data = copy.deepcopy(data)
        provider = renamed[data["provider_id"]]
        data["provider_id"] = provider
        data["course_id"] = provider + ":" + data["course_id"].split(":", 1)[1]
        courses.append(data)
    for data in courses:
        await Partner(data["provider_id"], partner.producer).send(UPSERTED, data)
    for data in courses:
        assert await eventually(lambda d=data: stored(http, d["course_id"]))

    found: dict[frozenset[str], dict[str, Any]] = {}
    for provider in renamed.values():
        listed = await every_item(http, "/coordination/overlaps", provider=provider)
        for overlap in listed:
            pair = frozenset(c["course_id"] for c in overlap["courses"])
            assert overlap["courses"][0]["provider_id"] == provider
            if all(c["provider_id"] in renamed.values() for c in overlap["courses"]):
                found[pair] = overlap
    planted = {
        frozenset(renamed[i.split(":")[0]] + ":" + i.split(":")[1] for i in pair)
        for pair in DELIBERATE_OVERLAPS
    }
    assert set(found) == planted
    welding = next(o for p, o in found.items() if any("SCHW" in i for i in p))
    assert 0 < welding["score"] <= 1
    assert "Kassel und Baunatal (Nachbargemeinden)" in welding["reason"]
    assert "zeitgleich Feb–Mär 2027" in welding["reason"]
    in_lemgo = await every_item(http, "/coordination/overlaps", municipality="Lemgo")
    assert any(frozenset(c["course_id"] for c in o["courses"]) in planted
               for o in in_lemgo)  # fmt: skip


@pytest.fixture
async def apiary(http: httpx.AsyncClient, partner: Partner) -> dict[str, Any]:
    """One word (Imkerei) in a title, in a module title, and only in two descriptions."""
    p = partner
    plain = "Ein Kurs im Grünen."
    courses = {
        "title": p.course("titel", title="Imkerei für Einsteiger", description=plain,
                          start_date="2027-09-01", end_date="2027-10-01"),
        "module": p.course("modul", title="Naturschutz", description=plain,
                           start_date="2027-02-01", end_date="2027-03-01",
                           modules=[module("m", "Imkerei im Jahreslauf", 2, SKILL + "bees")]),
        # Saying it four times in the description does not lift a course above the others.
        "often": p.course("oft", title="Obstbau",
                          description="Imkerei, Imkerei, Imkerei und noch einmal Imkerei.",
                          start_date="2027-06-01", end_date="2027-07-01"),
        "trip": p.course("ausflug", title="Wildkräuter",
                         description="Mit einem Ausflug zur Imkerei am Stadtrand.",
                         start_date="2027-01-15", end_date="2027-02-15"),
        "other": p.course("anders", title="Gartenbau", description=plain,
                          start_date="2027-01-01", end_date="2027-02-01"),
    }  # fmt: skip
    await publish_all(http, partner, list(courses.values()))
    return {"provider": p.provider_id, **{k: v["course_id"] for k, v in courses.items()}}


async def test_title_and_module_matches_rank_first_then_description_matches_by_start_date(
    http: httpx.AsyncClient, apiary: dict[str, Any]
) -> None:
    a = apiary
    assert await ids(http, a, q="Imkerei") == [a["title"], a["module"], a["trip"], a["often"]]
    assert await ids(http, a, q="Imkerei", starts_before="2027-07-01") == [
        a["module"], a["trip"], a["often"],
    ]  # fmt: skip
    # `-word` excludes in the description too; ts_rank orders the two ranked ones its own way.
    *ranked, last = await ids(http, a, q="Imkerei -Ausflug")
    assert (sorted(ranked), last) == (sorted([a["title"], a["module"]]), a["often"])
    assert await ids(http, a, q="Ausflug") == [a["trip"]]


async def test_pages_run_from_ranked_into_description_matches_without_gaps(
    http: httpx.AsyncClient, apiary: dict[str, Any]
) -> None:
    everything = await ids(http, apiary, q="Imkerei")
    for limit in (1, 2, 3):
        seen: list[str] = []
        params: dict[str, Any] = {"provider": apiary["provider"], "q": "Imkerei", "limit": limit}
        while True:
            page = (await http.get("/courses", params=params)).json()
            seen += [c["course_id"] for c in page["items"]]
            if not page["next_cursor"]:
                break
            params["cursor"] = page["next_cursor"]
        assert seen == everything, limit


async def test_phrases_match_the_whole_text_and_changes_reach_search(
    http: httpx.AsyncClient, partner: Partner, apiary: dict[str, Any]
) -> None:
    a = apiary
    assert await ids(http, a, q='"Imkerei im Jahreslauf"') == [a["module"]]
    # Title and first module title are not neighbours in the text (the description is between).
    assert await ids(http, a, q='"Naturschutz Imkerei"') == []
    await partner.send(WITHDRAWN, partner.withdrawal("ausflug", revision=2))
    assert await eventually(lambda: stored(http, a["trip"], status="withdrawn"))
    assert await ids(http, a, q="Imkerei") == [a["title"], a["module"], a["often"]]
    renamed = partner.course("oft", revision=2, title="Imkerei am Obsthof",
                             start_date="2027-06-01", end_date="2027-07-01")  # fmt: skip
    await publish_all(http, partner, [renamed])
    assert await ids(http, a, q="Imkerei") == [a["often"], a["title"], a["module"]]


async def test_search_as_typed_over_http(http: httpx.AsyncClient, offer: dict[str, Any]) -> None:
    """Compounds, typos, suggestions and near me through the catalog's HTTP API."""
    # Pflegekräfte and Grundpflege in title and module first; "Pflege" in descriptions after.
    assert (await ids(http, offer, q="Pflege"))[0] == offer["pflege"]
    # The compound itself first; then courses using its parts ("Grundlagen der Pflege").
    assert (await ids(http, offer, q="Grundpflege"))[0] == offer["pflege"]
    assert await ids(http, offer, q="Schweisen") == [offer["schweissen"]]  # a typo
    assert await ids(http, offer, near="32756", radius_km=10) == [offer["schweissen"]]  # Detmold
    # Place and radius typed into the search box; what was read comes back, with distances.
    typed = await http.get(
        "/courses", params={"provider": offer["provider"], "q": "Schweißen 32756 10 km"}
    )
    assert [c["course_id"] for c in typed.json()["items"]] == [offer["schweissen"]]
    assert typed.json()["understood"] == {"q": "Schweißen", "near": "32756", "radius_km": 10}
    assert 0 <= typed.json()["items"][0]["distance_km"] <= 10
    assert await ids(http, offer, q="Schweißen Kassel 10 km") == []  # Detmold is 80 km away
    # Explicit parameters win over what the words say.
    assert await ids(http, offer, q="Schweißen Kassel", near="Detmold") == [offer["schweissen"]]
    assert await ids(http, offer, q="Schweißen Detmold 1 km", radius_km=30) == [offer["schweissen"]]
    nothing = await http.get("/courses", params={"provider": offer["provider"], "q": "Excle"})
    assert nothing.json()["items"] == []
    assert nothing.json()["did_you_mean"] == "excel"  # two edits in 5 letters: too many to guess
    unknown = await http.get("/courses", params={"near": "Atlantis"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"] == "near"
    assert "Atlantis" in unknown.json()["errors"][0]["message"]
    suggested = await http.get("/courses/suggest", params={"q": "Lagerlog"})
    assert suggested.status_code == 200
    assert {"kind": "title", "label": "Lagerlogistik"} in [
        {k: s[k] for k in ("kind", "label")} for s in suggested.json()["suggestions"]
    ]
