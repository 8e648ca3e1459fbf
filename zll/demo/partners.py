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

_SKILL = "http://data.europa.eu/esco/skill/"
# The same ESCO skills as the region's other welding courses (zll/demo/region.py).
MAG_WELDING = _SKILL + "60ff3eac-7d4d-4e51-87b8-74c3b5d62498"  # perform metal active gas welding
WELDING_EQUIPMENT = _SKILL + "2fcd95a4-1f9a-41cf-95a9-4701bde476b4"  # operate welding equipment
PROTECTIVE_GEAR = _SKILL + "6122d586-5978-431f-8e7a-96e61fc1f3fc"  # wear protective gear

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


def _course(course_id: str, title: str, description: str, town: str, postcode: str,
            street: str, dates: tuple[str, str], schedule: str, capacity: int, price_eur: int,
            funding: list[str], module: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    """One `zll.course.upserted.v1` data object at revision 1, on site, for working age."""
    return {
        "course_id": course_id, "provider_id": course_id.split(":", 1)[0], "revision": 1,
        "title": title, "description": description, "language": "de", "format": "onsite",
        "location": {"municipality": town, "postcode": postcode, "street": street},
        "start_date": dates[0], "end_date": dates[1], "schedule": schedule,
        "capacity": capacity, "price_eur": price_eur, "funding": funding,
        "target_groups": ["working-age"], "modules": [module],
    }  # fmt: skip


def partner_courses() -> list[dict[str, Any]]:
    """The Handwerkskammer's and the employer's courses (part of `demo_courses()`)."""
    welding = [MAG_WELDING, WELDING_EQUIPMENT, PROTECTIVE_GEAR]
    return [
        _course(
            "hwk-kassel:SCHWEISS-HWK-27", "Schweißkurs im Handwerk (MAG, Prüfung nach DVS)",
            "Im Bildungszentrum der Handwerkskammer: MAG-Schweißen an Blech und Profil bis zur "
            "Schweißerprüfung, mit Arbeitsschutz am Schweißplatz.",
            "Kassel", "34117", "Scheidemannplatz 2", ("2027-09-06", "2027-11-26"),
            "Di + Do 16:30–20:30", 12, 1490, ["bildungsgutschein", "aufstiegs-bafoeg"],
            {"module_id": "MAG-HWK", "title": "MAG-Schweißen (135) mit Prüfung",
             "workload_hours": 80, "eqf_level": 3, "skills": welding,
             "certificate": "state-recognised"},
        ),
        _course(
            "vw-werk-kassel:SCHWEISSEN-FERTIGUNG-27", "Schweißen in der Fahrzeugfertigung",
            "Qualifizierung im Werk für Beschäftigte und Quereinsteigende: Schutzgasschweißen "
            "an Fahrzeugteilen, Schweißgeräte einrichten, Sicherheit in der Fertigung.",
            "Baunatal", "34225", "Dr.-Rudolf-Leiding-Platz 1", ("2027-05-03", "2027-07-16"),
            "Mo–Fr 14:00–18:00", 16, 0, [],
            {"module_id": "MAG-FERTIGUNG", "title": "Schutzgasschweißen in der Fertigung",
             "workload_hours": 120, "eqf_level": 3, "skills": welding,
             "certificate": "module-certificate"},
        ),
    ]  # fmt: skip
