"""The region's catalogue back out: what goes out as open-Qcat or OOAPI comes back the same."""

from __future__ import annotations

import io
import json

from lxml import etree

from services.intake import Format
from services.intake.export import ooapi_offering, ooapi_page, write_openqcat
from tests.unit.intake.conftest import courses_of, read


def _export(payloads: list[dict]) -> bytes:
    out = io.BytesIO()
    count = write_openqcat(
        payloads,
        out,
        catalog_id="ZLL-REGION",
        supplier_name="ZLL Region Kassel",
        generated_at="2026-12-04T05:00:00",
    )
    assert count == len(payloads)
    return out.getvalue()


def test_an_open_qcat_catalogue_imported_exported_and_imported_again_keeps_every_field(
    fixture_bytes,
):
    first, _ = courses_of(read(fixture_bytes("openqcat-full.xml"), "bw-nordhessen"))
    exported = _export([c.payload_without_revision for c in first])
    document = read(exported, "bw-nordhessen")
    again, refusals = courses_of(document)

    assert refusals == []
    assert document.header.format is Format.OPENQCAT
    assert document.header.full is True
    assert [c.payload_without_revision for c in again] == [
        c.payload_without_revision for c in first
    ]


def test_vhs_courses_go_out_as_open_qcat_and_keep_what_open_qcat_can_carry(fixture_bytes):
    vhs, _ = courses_of(read(fixture_bytes("openvhs-kassel.xml")))
    back, refusals = courses_of(read(_export([c.payload_without_revision for c in vhs])))

    assert refusals == []
    for before, after in zip(vhs, back, strict=True):
        original, returned = before.payload_without_revision, after.payload_without_revision
        assert returned["course_id"] == original["course_id"]
        for key in (
            "title",
            "description",
            "format",
            "location",
            "start_date",
            "end_date",
            "schedule",
            "capacity",
            "price_eur",
            "funding",
            "target_groups",
            "language",
        ):
            assert returned[key] == original[key], key
        assert returned["modules"][0]["workload_hours"] == original["modules"][0]["workload_hours"]


def test_the_exported_catalogue_is_what_kursnet_expects_at_the_top(fixture_bytes):
    courses, _ = courses_of(read(fixture_bytes("openvhs-kassel.xml")))
    out = io.BytesIO()
    write_openqcat(
        [courses[0].payload_without_revision],
        out,
        catalog_id="ZLL-REGION",
        supplier_name="ZLL Region Kassel",
        supplier_id="zll-kassel",
        generated_at="2026-12-04T05:00:00",
    )
    root = etree.fromstring(out.getvalue())
    service = root.find("NEW_CATALOG/SERVICE")

    assert [child.tag for child in service] == [
        "PRODUCT_ID",
        "COURSE_TYPE",
        "SUPPLIER_ID_REF",
        "SERVICE_DETAILS",
        "SERVICE_PRICE_DETAILS",
    ]
    assert service.findtext("PRODUCT_ID") == "4D1C7E2A-0B6F-4C3E-9A51-2F7E1D0C9B11"
    assert service.findtext("SUPPLIER_ID_REF") == "vhs-kassel"
    assert root.findtext("HEADER/SUPPLIER/SUPPLIER_ID") == "zll-kassel"
    assert root.tag == "OPENQCAT"
    assert root.get("version") == "1.1"
    assert root.find("NEW_CATALOG").get("FULLCATALOG") == "true"
    assert root.findtext("HEADER/CATALOG/CATALOG_ID") == "ZLL-REGION"


def test_ooapi_offerings_read_back_as_the_same_courses(fixture_bytes):
    vhs, _ = courses_of(read(fixture_bytes("openvhs-kassel.xml")))
    items = [ooapi_offering(c.payload_without_revision) for c in vhs]
    page = ooapi_page(items, page_number=1, page_size=50, has_next_page=False)
    back, refusals = courses_of(read(json.dumps(page).encode(), "vhs-kassel"))

    assert refusals == []
    assert page["items"][0]["modeOfDelivery"] == ["situated"]
    assert page["items"][1]["priceInformation"][0] == {
        "costType": "total costs",
        "amount": "0.00",
        "currency": "EUR",
    }
    for before, after in zip(vhs, back, strict=True):
        original, returned = before.payload_without_revision, after.payload_without_revision
        for key in (
            "title",
            "description",
            "format",
            "start_date",
            "end_date",
            "capacity",
            "price_eur",
            "language",
        ):
            assert returned[key] == original[key], key
        assert returned["location"] == original["location"]
