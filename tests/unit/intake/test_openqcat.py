"""open-Qcat catalogues: full ones are authoritative, updates carry NEW/UPDATE/DELETE."""

from __future__ import annotations

from services.intake import Action, Format, ImportedWithdrawal
from tests.unit.intake.conftest import courses_of, read


def test_a_full_catalogue_says_so_and_lends_the_angebot_to_its_veranstaltung(fixture_bytes):
    document = read(fixture_bytes("openqcat-full.xml"), "bw-nordhessen")
    courses, _ = courses_of(document)

    assert document.header.format is Format.OPENQCAT
    assert document.header.full is True
    assert document.header.catalog_id == "BWN-2027"
    assert document.header.creator_id == "204711"
    assert [c.code for c in courses] == ["SCHW-MAG-135-V001", "PFL-DIGI-07"]
    welding = courses[0].payload_without_revision
    assert welding["title"] == "Schweißen MAG 135 – Grundlehrgang nach DIN EN ISO 9606-1"
    assert welding["description"].startswith("Praxisnaher Lehrgang")
    assert welding["funding"] == ["azav", "bildungsgutschein"]
    assert welding["format"] == "onsite"
    assert welding["schedule"] == "Mo–Fr 07:30–15:45"
    assert welding["location"]["street"] == "Sandershäuser Straße 34"
    assert (welding["capacity"], welding["price_eur"]) == (8, 3480.0)
    assert welding["modules"][0]["workload_hours"] == 320
    assert welding["modules"][0]["eqf_level"] == 4
    assert welding["modules"][0]["certificate"] == "module-certificate"
    care = courses[1].payload_without_revision
    assert care["format"] == "online"
    assert care["location"] is None
    assert care["funding"] == ["qualifizierungschancengesetz"]
    assert (care["start_date"], care["end_date"]) == ("2027-04-12", "2027-04-16")
    assert all(c.action is Action.UPSERT for c in courses)


def test_a_service_without_a_price_is_refused_by_name(fixture_bytes):
    _, refusals = courses_of(read(fixture_bytes("openqcat-full.xml"), "bw-nordhessen"))

    assert [r.text() for r in refusals] == [
        "Kurs 'Staplerschein (Flurförderzeuge)' (Zeile 114): Der Preis (PRICE_AMOUNT) fehlt."
    ]
    assert refusals[0].path == "/OPENQCAT/NEW_CATALOG/SERVICE[4]"


def test_an_update_catalogue_is_not_full_and_carries_deletes(fixture_bytes):
    document = read(fixture_bytes("openqcat-update.xml"), "bw-nordhessen")
    records = list(document.records)

    assert document.header.full is False
    withdrawal = records[0]
    assert isinstance(withdrawal, ImportedWithdrawal)
    assert (withdrawal.code, withdrawal.action) == ("STAP-FL-02", Action.DELETE)
    assert withdrawal.path == "/OPENQCAT/UPDATE_CATALOG/DELETE/SERVICE[1]"
    assert records[1].payload_without_revision["capacity"] == 24
    assert records[2].payload_without_revision["format"] == "blended"
    assert (
        records[2]
        .payload_without_revision["course_id"]
        .startswith("bw-nordhessen:ELEK-EFK-2027-1-")
    )


def test_a_new_catalogue_without_fullcatalog_is_not_authoritative(fixture_bytes):
    data = fixture_bytes("openqcat-full.xml").replace(b' FULLCATALOG="true"', b"")

    assert read(data, "bw-nordhessen").header.full is False
