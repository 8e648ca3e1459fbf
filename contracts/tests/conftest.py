"""Shared payloads: one valid example per inbound event type, fresh for every test."""

from __future__ import annotations

from typing import Any

import pytest

ESCO_SKILL = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


@pytest.fixture
def course() -> dict[str, Any]:
    """An evening English course of the Volkshochschule Jena, as a partner would send it."""
    return {
        "course_id": "vhs-jena:ENG-B1-2025",
        "provider_id": "vhs-jena",
        "revision": 3,
        "title": "Englisch B1 am Abend",
        "description": "Konversation und Grammatik für den Beruf.",
        "language": "en",
        "format": "onsite",
        "location": {"municipality": "Jena", "postcode": "07743", "street": "Grietgasse 17a"},
        "start_date": "2025-09-01",
        "end_date": "2025-12-15",
        "schedule": "Mo 18:00–20:15",
        "capacity": 16,
        "price_eur": 189.5,
        "funding": ["bildungsgutschein", "bildungsurlaub"],
        "target_groups": ["working-age", "senior"],
        "modules": [
            {
                "module_id": "B1.1",
                "title": "Alltag und Beruf",
                "workload_hours": 30,
                "eqf_level": 3,
                "skills": [ESCO_SKILL],
                "certificate": "attendance",
            },
            {
                "module_id": "B1.2",
                "title": "Prüfungsvorbereitung",
                "workload_hours": 12.5,
                "eqf_level": 3,
                "skills": [],
                "certificate": "state-recognised",
            },
        ],
    }


@pytest.fixture
def enrolment_request() -> dict[str, Any]:
    return {
        "enrolment_id": "4b7d8f0e-2f7a-4c59-9d53-0d6c3b1a2e11",
        "course_id": "vhs-jena:ENG-B1-2025",
        "learner_id": "learner-0815",
        "requested_at": "2025-08-01T09:30:00+02:00",
        "contact": {"email": "anna@example.org", "locale": "de-DE"},
    }


@pytest.fixture
def demand_report() -> dict[str, Any]:
    return {
        "report_id": "ihk-2025-07",
        "partner_id": "ihk-ostthueringen",
        "skill": ESCO_SKILL,
        "headcount": 12,
        "horizon": "medium",
        "municipality": "Gera",
    }
