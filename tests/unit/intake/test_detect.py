"""The format is told by a document's first bytes."""

from __future__ import annotations

import pytest

from services.intake import Format, IntakeDocumentError, detect_format


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("openvhs-kassel.xml", Format.OPENVHS),
        ("openvhs-lippe-latin1.xml", Format.OPENVHS),
        ("openqcat-full.xml", Format.OPENQCAT),
        ("openqcat-update.xml", Format.OPENQCAT),
        ("ooapi-offerings.json", Format.OOAPI),
    ],
)
def test_each_fixture_is_recognised(fixture_bytes, name, expected):
    assert detect_format(fixture_bytes(name)[:8192]) is expected


def test_a_bom_comments_and_a_default_namespace_prefix_do_not_confuse_it():
    head = (
        b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- Export KuferSQL -->\n"
        b'<veranstaltungen xmlns="http://www.dvv-vhs.de/Open-VHS" version="1.2">'
    )
    assert detect_format(head) is Format.OPENVHS


@pytest.mark.parametrize(
    "head",
    [b"<rss version='2.0'><channel>", b'{"data": []}', b"Kursnummer;Titel\n", b""],
)
def test_anything_else_is_refused_with_the_accepted_formats_named(head):
    with pytest.raises(IntakeDocumentError) as refused:
        detect_format(head)
    assert "open-Qcat 1.1" in refused.value.message.de
    assert "?format=" in refused.value.message.en
