"""The demo region's chamber of crafts and employer, and how the cooperative knows members.

The cooperative proposes consortia from its *members*; a call's rule "at least three members,
one of them a chamber" needs chambers among them and is stronger with employers. The demo
registers every demo provider as a member too, with the cooperative's kind (`chamber`,
`employer`, or the catalog's kind as it is). With the Handwerkskammer's and the employer's
welding courses, the demo's welding call (`WELDING_CALL`, README) has a proposal of three
members with a chamber: the smallest cover needs two, the chamber rule and the minimum add.
"""

from __future__ import annotations

from typing import Any

from zll.demo.region import MAG_WELDING, PROTECTIVE_GEAR, WELDING_EQUIPMENT, _at, _course, _module

# The catalog's kind of provider → the cooperative's kind of member.
MEMBER_KINDS = {"kammer": "chamber", "arbeitgeber": "employer"}

# The call an operator opens in the demo (README, Joint projects): welding in Kassel and
# Baunatal in 2027, at least three members, one of them a chamber.
WELDING_CALL: dict[str, Any] = {
    "title": "Schweißen in Stadt und Landkreis Kassel 2027",
    "skills": [MAG_WELDING, WELDING_EQUIPMENT],
    "municipalities": ["Kassel", "Baunatal"],
    "target_groups": ["working-age"],
    "starts_on": "2027-01-01", "ends_on": "2027-12-31",
    "min_members": 3, "chamber_required": True,
}  # fmt: skip


def member_kind(provider_kind: str) -> str:
    return MEMBER_KINDS.get(provider_kind, provider_kind)


def partner_courses() -> list[dict[str, Any]]:
    """The Handwerkskammer's and the employer's courses (part of `demo_courses()`)."""
    # fmt: off
    return [
        _course(
            "hwk-kassel:SCHWEISS-HWK-27", "Schweißkurs im Handwerk (MAG, Prüfung nach DVS)",
            "Im Bildungszentrum der Handwerkskammer: MAG-Schweißen an Blech und Profil bis zur "
            "Schweißerprüfung, mit Arbeitsschutz am Schweißplatz.",
            format="onsite", location=_at("Kassel", "34117", "Scheidemannplatz 2"),
            dates=("2027-09-06", "2027-11-26"), schedule="Di + Do 16:30–20:30",
            capacity=12, price_eur=1490, funding=["bildungsgutschein", "aufstiegs-bafoeg"],
            target_groups=["working-age"],
            modules=[
                _module("MAG-HWK", "MAG-Schweißen (135) mit Prüfung", 80, 3, "state-recognised",
                        MAG_WELDING, WELDING_EQUIPMENT, PROTECTIVE_GEAR),
            ],
        ),
        _course(
            "vw-werk-kassel:SCHWEISSEN-FERTIGUNG-27", "Schweißen in der Fahrzeugfertigung",
            "Qualifizierung im Werk für Beschäftigte und Quereinsteigende: Schutzgasschweißen "
            "an Fahrzeugteilen, Schweißgeräte einrichten, Sicherheit in der Fertigung.",
            format="onsite", location=_at("Baunatal", "34225", "Dr.-Rudolf-Leiding-Platz 1"),
            dates=("2027-05-03", "2027-07-16"), schedule="Mo–Fr 14:00–18:00",
            capacity=16, price_eur=0, funding=[], target_groups=["working-age"],
            modules=[
                _module("MAG-FERTIGUNG", "Schutzgasschweißen in der Fertigung", 120, 3,
                        "module-certificate", MAG_WELDING, WELDING_EQUIPMENT, PROTECTIVE_GEAR),
            ],
        ),
    ]
