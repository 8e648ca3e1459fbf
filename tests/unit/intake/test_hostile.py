"""Hostile and broken uploads: refused as a whole with a reason, never half taken."""

from __future__ import annotations

import io
import json

import pytest

from services.intake import (
    Format,
    ImportedCourse,
    IntakeDocumentError,
    Limits,
    Refusal,
    read_document,
)
from tests.unit.intake.conftest import FIXTURES, read

HEAD = b'<?xml version="1.0"?>\n'
VHS_ROOT = b'<openvhs:veranstaltungen xmlns:openvhs="http://www.dvv-vhs.de/Open-VHS">'


def refused(data: bytes, **kwargs) -> IntakeDocumentError:
    def read_all() -> None:
        list(read(data, **kwargs).records)

    with pytest.raises(IntakeDocumentError) as error:
        read_all()
    return error.value


@pytest.mark.parametrize(
    "doctype",
    [
        # XXE: a local file as entity.
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        # XXE over the network.
        b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "http://169.254.169.254/latest/meta-data/">]>',
        # Billion laughs.
        b'<!DOCTYPE x [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>',
        # Quadratic blow-up: one large entity referenced many times.
        b'<!DOCTYPE x [<!ENTITY big "' + b"A" * 50_000 + b'">]>',
        # Parameter entities pulling in an external DTD.
        b'<!DOCTYPE x [<!ENTITY % ext SYSTEM "http://example.org/evil.dtd"> %ext;]>',
    ],
)
def test_entity_declarations_are_refused_before_parsing(doctype):
    body = b"<veranstaltung><name>&xxe;&big;&d;</name></veranstaltung></openvhs:veranstaltungen>"
    error = refused(HEAD + doctype + VHS_ROOT + body)

    assert error.kind == "entities"
    assert "Entitäten" in error.message.de


def test_an_external_dtd_is_never_loaded(tmp_path, fixture_bytes):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY secret "GEHEIM">')
    data = fixture_bytes("openvhs-kassel.xml").replace(
        b"<openvhs:veranstaltungen",
        b'<!DOCTYPE x SYSTEM "' + dtd.as_uri().encode() + b'">\n<openvhs:veranstaltungen',
    )
    data = data.replace(b"<![CDATA[Excel]]>", b"Excel &secret;")
    records = list(read(data).records)

    assert len(records) == 4
    assert not any("GEHEIM" in (getattr(r, "title", None) or "") for r in records)
    assert not any("GEHEIM" in str(getattr(r, "payload_without_revision", "")) for r in records)


def test_a_truncated_export_is_refused_as_a_whole(fixture_bytes):
    data = fixture_bytes("openvhs-kassel.xml")
    cut = data[: data.index(b"<veranstaltung>", 2000) + 200]
    document = read(cut)
    taken = []
    with pytest.raises(IntakeDocumentError) as error:
        taken.extend(document.records)

    assert error.value.kind == "truncated"
    assert "Es wurde nichts übernommen" in error.value.message.de
    # The records seen before the end must not be published: the service keeps them back.
    assert len(taken) >= 1


def test_a_truncated_ooapi_page_is_refused(fixture_bytes):
    data = fixture_bytes("ooapi-offerings.json")
    error = refused(data[: len(data) // 2])

    assert error.kind == "truncated"


def test_a_file_beyond_the_size_limit_is_too_large(fixture_bytes):
    error = refused(fixture_bytes("openvhs-kassel.xml"), limits=Limits(max_bytes=4096))

    assert error.too_large
    assert "größer als" in error.message.de


def test_nesting_beyond_the_depth_limit_is_refused():
    deep = b"<a>" * 100 + b"</a>" * 100
    error = refused(HEAD + VHS_ROOT + deep + b"</openvhs:veranstaltungen>")

    assert error.kind == "too_deep"


def test_deeply_nested_json_is_refused_not_a_crash():
    page = b'{"items": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"
    error = refused(page, format=Format.OOAPI)

    assert error.kind == "malformed"


def test_an_unsupported_declared_encoding_is_named(fixture_bytes):
    data = fixture_bytes("openvhs-kassel.xml").replace(b'encoding="UTF-8"', b'encoding="EBCDIC-US"')
    error = refused(data)

    assert error.kind == "encoding"
    assert "EBCDIC-US".lower() in error.message.de.lower()


def test_utf_16_with_a_bom_is_read(fixture_bytes):
    text = fixture_bytes("openvhs-kassel.xml").decode("utf-8").replace("UTF-8", "UTF-16")
    document = read(text.encode("utf-16"))

    assert len([r for r in document.records if hasattr(r, "payload_without_revision")]) == 3


def test_a_forced_format_that_does_not_fit_is_refused(fixture_bytes):
    error = refused(fixture_bytes("openqcat-full.xml"), format=Format.OPENVHS)

    assert error.kind == "wrong_format"
    assert "OPENQCAT" in error.message.de


def test_garbage_after_a_json_value_in_items_is_refused():
    error = refused(b'{"items": [{"offeringId": "x"} {"offeringId": "y"}]}', format=Format.OOAPI)

    assert error.kind == "malformed"


def test_a_long_description_is_cut_not_refused(fixture_bytes):
    long_text = "Sehr ausführlich. " * 1000
    data = fixture_bytes("openvhs-kassel.xml").replace(
        b"Sie lernen Zellbez", long_text.encode() + b"Sie lernen Zellbez"
    )
    first = next(iter(read(data).records))

    assert len(first.payload_without_revision["description"]) == 10_000


def test_records_are_streamed_not_loaded_first():
    # A stream that fails after the first course: the first course was already yielded.
    class Broken(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self.data = data

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            if not self.data:
                raise OSError("connection reset")
            piece, self.data = self.data[:size], self.data[size:]
            return piece

    from bench.openvhs_corpus import write_corpus

    buffer = io.BytesIO()
    write_corpus(buffer, 400)
    document = read_document(Broken(buffer.getvalue()[:300_000]), "vhs-kassel")  # type: ignore[arg-type]
    records = document.records
    assert next(records).payload_without_revision["title"].startswith("Excel")
    with pytest.raises(OSError, match="connection reset"):
        list(records)


def test_a_json_number_too_large_is_refused():
    data = json.dumps({"items": []}).replace("[]", "[" + "9" * 5000 + "]").encode()
    error = refused(data, format=Format.OOAPI)

    assert error.kind == "malformed"


def test_an_ooapi_page_cut_after_its_items_is_refused(fixture_bytes):
    data = fixture_bytes("ooapi-offerings.json").rstrip()
    assert data.endswith(b"]\n}")

    assert refused(data[:-1]).kind == "truncated"
    assert len(list(read(data + b"\n").records)) == 3
    assert len(list(read(data[:-1] + b', "ext": {"a": 1}}').records)) == 3


@pytest.mark.parametrize(
    "item",
    [
        {"offeringId": "x1", "name": 5, "addresses": "Kassel", "startDate": "2027-01-01"},
        {"offeringId": "x2", "priceInformation": [{"amount": "1e999999"}], "startDate": "x"},
        {"offeringId": "x3", "maxNumberStudents": [], "modeOfDelivery": {"a": 1}},
        {"offeringId": "x4", "course": {"ects": "viel"}, "startDate": "2027-01-01"},
    ],
)
def test_an_ooapi_item_of_wrong_types_is_refused_alone(item):
    good = json.loads((FIXTURES / "ooapi-offerings.json").read_bytes())["items"][0]
    records = list(read(json.dumps([item, good]).encode(), format=Format.OOAPI).records)

    assert isinstance(records[0], Refusal)
    assert records[0].path == "/items/0"
    assert isinstance(records[1], ImportedCourse)


def test_a_vhs_course_with_broken_times_and_huge_numbers_is_refused_alone(fixture_bytes):
    data = (
        fixture_bytes("openvhs-kassel.xml")
        .replace(
            b"<ende_uhrzeit>20:15:00</ende_uhrzeit>", b"<ende_uhrzeit>abends</ende_uhrzeit>", 1
        )
        .replace(b"<dauer>12.0</dauer>", b"<dauer></dauer>")
        .replace(b"<betrag>0</betrag>", b"<betrag>1e999999</betrag>")
    )
    records = list(read(data).records)

    assert [type(r).__name__ for r in records] == [
        "Refusal",
        "Refusal",
        "ImportedCourse",
        "Refusal",
    ]
    assert records[0].text() == (
        "Kurs 'Excel für Einsteiger & Umsteiger' (Zeile 10): Der Eintrag enthält Werte, die "
        "nicht gelesen werden können."
    )
    assert records[1].text().endswith("Preis ist zu groß.")
