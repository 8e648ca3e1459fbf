"""A VHS uploads its OpenVHS export with curl's request, and its courses turn up in search.

Against the running region: intake publishes on the provider's behalf, the catalog takes the
events as that provider's own, and the reports say what became of every record.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.e2e.test_walking_skeleton import eventually
from tests.kafka_tools import header, read_topic
from zll.devstack.stack import DevStack
from zll.platform.auth import Role, mint_token
from zll.platform.settings import Settings

pytestmark = pytest.mark.e2e

PROVIDER = f"vhs-intake-{uuid.uuid4().hex[:6]}"
FIXTURES = Path(__file__).parents[1] / "unit" / "intake" / "fixtures"
MARKER = "aquarell" + uuid.uuid4().hex[:6]  # one word only this test's courses carry


def _token(role: Role, sub: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(Settings(), role=role, sub=sub)}"}


def veranstaltung(guid: str, title: str, *, start: str = "2027-03-03", end: str = "") -> str:
    return f"""
  <veranstaltung>
    <guid>{guid}</guid>
    <nummer>{guid}</nummer>
    <name><![CDATA[{title}]]></name>
    <maximale_teilnehmerzahl>12</maximale_teilnehmerzahl>
    <beginn_datum>{start}</beginn_datum>
    <ende_datum>{end or start}</ende_datum>
    <dauer>8</dauer>
    <zielgruppe>Erwachsene</zielgruppe>
    <text><eigenschaft>text</eigenschaft><text>Farben, Pinsel und Papier.</text></text>
    <veranstaltungsort><adresse><plz>34117</plz><ort>Kassel</ort></adresse></veranstaltungsort>
    <preis><betrag>49,00</betrag></preis>
  </veranstaltung>"""


def export(*courses: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<openvhs:veranstaltungen version="1.2" xmlns:openvhs="http://www.dvv-vhs.de/Open-VHS">'
        f"<export><erstellungszeitpunkt>2026-12-04T02:00:00+01:00</erstellungszeitpunkt></export>"
        f"{''.join(courses)}\n</openvhs:veranstaltungen>\n"
    ).encode()


AUTUMN = veranstaltung("A-101", f"{MARKER} für Einsteiger")
SPRING = veranstaltung("A-102", f"{MARKER} im Frühling", start="2027-04-07")
BROKEN = veranstaltung("A-103", f"{MARKER} rückwärts", start="2027-05-05", end="2027-05-01")


@pytest.fixture(scope="module")
async def clients(region: DevStack) -> Any:
    async with (
        httpx.AsyncClient(base_url=region.layout.url("intake"), timeout=30) as intake,
        httpx.AsyncClient(base_url=region.layout.url("catalog"), timeout=10) as catalog,
    ):
        registered = await catalog.put(
            f"/providers/{PROVIDER}",
            json={"name": "vhs Intake-Test", "kind": "volkshochschule", "municipality": "Kassel"},
            headers=_token("operator", "ops"),
        )
        assert registered.status_code == 200, registered.text
        yield intake, catalog


async def upload(intake: httpx.AsyncClient, body: bytes, **params: str) -> httpx.Response:
    return await intake.post(
        f"/providers/{PROVIDER}/imports",
        content=body,
        params=params,
        headers=_token("provider", PROVIDER) | {"Content-Type": "application/xml"},
    )


async def live_titles(catalog: httpx.AsyncClient) -> set[str]:
    found = (await catalog.get("/courses", params={"q": MARKER, "provider": PROVIDER})).json()
    return {c["title"] for c in found["items"]}


def counts(response: httpx.Response) -> dict[str, int]:
    assert response.status_code == 201, response.text
    return dict(response.json()["counts"])


async def test_an_upload_becomes_searchable_and_a_reimport_publishes_nothing(clients) -> None:
    intake, catalog = clients
    dry = await upload(intake, export(AUTUMN, SPRING, BROKEN), dry_run="true")
    assert counts(dry) == {"new": 2, "changed": 0, "unchanged": 0, "withdrawn": 0, "refused": 1}
    assert dry.json()["dry_run"] is True

    first = await upload(intake, export(AUTUMN, SPRING, BROKEN))
    assert counts(first) == {"new": 2, "changed": 0, "unchanged": 0, "withdrawn": 0, "refused": 1}

    async def both_findable() -> bool:
        return len(await live_titles(catalog)) == 2

    assert await eventually(both_findable, timeout=30)
    # The dry run published nothing: both courses are at their first revision.
    course = (await catalog.get(f"/courses/{PROVIDER}:A-101")).json()
    assert course["revision"] == 1

    again = await upload(intake, export(AUTUMN, SPRING, BROKEN))
    assert counts(again) == {"new": 0, "changed": 0, "unchanged": 2, "withdrawn": 0, "refused": 1}

    report = (
        await intake.get(
            f"/imports/{first.json()['import_id']}", headers=_token("provider", PROVIDER)
        )
    ).json()
    english = (
        await intake.get(
            f"/imports/{first.json()['import_id']}",
            headers=_token("provider", PROVIDER) | {"Accept-Language": "en"},
        )
    ).json()
    [refused] = report["refused"]
    assert refused["export_id"] == "A-103"
    assert refused["line"] is not None
    assert "Enddatum" in refused["message"]
    assert "end date" in english["refused"][0]["message"].lower()


async def test_a_full_export_without_a_course_withdraws_it_from_search(clients) -> None:
    intake, catalog = clients
    await upload(intake, export(AUTUMN, SPRING))

    async def both_findable() -> bool:
        return len(await live_titles(catalog)) == 2

    assert await eventually(both_findable, timeout=30)

    without_spring = await upload(intake, export(AUTUMN))
    assert counts(without_spring)["withdrawn"] == 1

    async def spring_gone() -> bool:
        return await live_titles(catalog) == {f"{MARKER} für Einsteiger"}

    assert await eventually(spring_gone, timeout=30)
    course = (await catalog.get(f"/courses/{PROVIDER}:A-102")).json()
    assert course["status"] == "withdrawn"


async def test_only_real_changes_were_published_on_the_providers_behalf_with_provenance(
    region: DevStack, clients
) -> None:
    """The dry run and the unchanged re-imports published nothing: two new courses, then one
    withdrawal, each with the provider's ce_source and the import that caused it."""
    intake, _ = clients
    listing = await intake.get(
        f"/providers/{PROVIDER}/imports", params={"limit": 100}, headers=_token("operator", "ops")
    )
    taken = {r["import_id"] for r in listing.json()["items"] if not r["dry_run"]}

    def mine(records: list[Any]) -> list[Any]:
        return [r for r in records if r.key and r.key.decode().startswith(f"{PROVIDER}:")]

    records = mine(
        await read_topic(
            region.bootstrap, "zll.provider.courses.v1", until=lambda rs: len(mine(rs)) >= 3
        )
    )

    assert sorted((header(r, "ce_type"), r.key.decode()) for r in records) == [
        ("zll.course.upserted.v1", f"{PROVIDER}:A-101"),
        ("zll.course.upserted.v1", f"{PROVIDER}:A-102"),
        ("zll.course.withdrawn.v1", f"{PROVIDER}:A-102"),
    ]
    assert {header(r, "ce_source") for r in records} == {f"/providers/{PROVIDER}"}
    assert {header(r, "ce_zllfeed") for r in records} == {"upload"}
    assert {header(r, "ce_zllimport") for r in records} <= taken


async def test_an_empty_full_export_is_refused_and_withdraws_nothing(clients) -> None:
    intake, catalog = clients
    before = await live_titles(catalog)

    refused = await upload(intake, export())

    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "keinen übernehmbaren Kurs" in refused.json()["detail"]
    assert await live_titles(catalog) == before


async def test_a_truncated_file_is_a_422_in_the_callers_language(clients) -> None:
    intake, _ = clients
    body = export(AUTUMN, SPRING).replace(b"</openvhs:veranstaltungen>", b"")  # cut short

    german = await upload(intake, body)
    english = await intake.post(
        f"/providers/{PROVIDER}/imports",
        content=body,
        headers=_token("provider", PROVIDER) | {"Accept-Language": "en"},
    )

    assert (german.status_code, english.status_code) == (422, 422)
    assert "Es wurde nichts übernommen." in german.json()["detail"]
    assert "Nothing was taken." in english.json()["detail"]


async def test_a_file_declared_larger_than_the_limit_is_a_413_before_it_is_sent(
    region: DevStack,
) -> None:
    """A client announcing 300 MB gets its answer without sending a byte of the body."""
    url = urlsplit(region.layout.url("intake"))
    token = _token("provider", PROVIDER)["Authorization"]
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(
            (
                f"POST /providers/{PROVIDER}/imports HTTP/1.1\r\nHost: {url.netloc}\r\n"
                f"Authorization: {token}\r\nContent-Type: application/xml\r\n"
                f"Content-Length: {300 * 1024 * 1024}\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        body = await asyncio.wait_for(reader.readexactly(length), timeout=10)
    finally:
        writer.close()

    assert head.startswith(b"HTTP/1.1 413"), head
    assert b"application/problem+json" in head
    assert json.loads(body)["title"] == "Datei zu groß"


async def test_another_providers_token_is_refused(clients) -> None:
    intake, _ = clients
    other = await intake.post(
        f"/providers/{PROVIDER}/imports",
        content=export(AUTUMN),
        headers=_token("provider", "vhs-lippe-west"),
    )
    learner = await intake.post(
        f"/providers/{PROVIDER}/imports",
        content=export(AUTUMN),
        headers=_token("learner", PROVIDER),
    )
    listing = await intake.get(
        f"/providers/{PROVIDER}/imports", headers=_token("provider", "vhs-lippe-west")
    )

    assert (other.status_code, learner.status_code, listing.status_code) == (403, 403, 403)


async def test_the_reports_are_a_page_newest_first(clients) -> None:
    intake, _ = clients
    mine = _token("provider", PROVIDER)
    first = await intake.get(f"/providers/{PROVIDER}/imports", params={"limit": 2}, headers=mine)
    assert first.status_code == 200, first.text
    page = first.json()
    assert len(page["items"]) == 2
    rest = await intake.get(
        f"/providers/{PROVIDER}/imports",
        params={"limit": 100, "cursor": page["next_cursor"]},
        headers=mine,
    )
    times = [r["created_at"] for r in page["items"] + rest.json()["items"]]
    assert times == sorted(times, reverse=True)
    assert len(times) >= 5


async def test_an_open_qcat_update_catalogue_applies_only_its_own_entries(clients) -> None:
    """KURSNET's full catalogue, then an update: the course the update does not name stays."""
    intake, catalog = clients
    provider = f"bz-intake-{uuid.uuid4().hex[:6]}"
    registered = await catalog.put(
        f"/providers/{provider}",
        json={"name": "Bildungszentrum Test", "kind": "bildungstraeger", "municipality": "Kassel"},
        headers=_token("operator", "ops"),
    )
    assert registered.status_code == 200, registered.text

    async def upload_as_operator(name: str) -> httpx.Response:
        return await intake.post(
            f"/providers/{provider}/imports",
            content=(FIXTURES / name).read_bytes(),
            headers=_token("operator", "ops"),
        )

    full = await upload_as_operator("openqcat-full.xml")
    assert counts(full) == {"new": 2, "changed": 0, "unchanged": 0, "withdrawn": 0, "refused": 1}
    update = await upload_as_operator("openqcat-update.xml")
    assert counts(update) == {"new": 1, "changed": 1, "unchanged": 0, "withdrawn": 0, "refused": 0}
    assert update.json()["full_export"] is False

    async def at(course_id: str, revision: int) -> bool:
        found = await catalog.get(f"/courses/{provider}:{course_id}")
        return found.status_code == 200 and found.json()["revision"] == revision

    assert await eventually(lambda: at("PFL-DIGI-07", 2), timeout=30)
    assert await at("SCHW-MAG-135-V001", 1)  # named only by the full catalogue: still live
    kept = (await catalog.get(f"/courses/{provider}:SCHW-MAG-135-V001")).json()
    assert kept["status"] == "live"
