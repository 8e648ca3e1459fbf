"""Wiring for the cooperative: what it learns from, what it announces, its routes."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from zll_contracts.payloads import (
    EnrolmentCertificateRevoked,
    EnrolmentCertificateSuspended,
    EnrolmentOffered,
    EnrolmentRejected,
    RecognitionAnswered,
    RecognitionDeclarationRecorded,
    RecognitionRequested,
)
from zll_contracts.topics import CATALOG_COURSES, DEMAND, ENROLMENTS, LEARNERS, PROJECTS

from services.cooperative.api import router
from services.cooperative.api_reports import router as reports
from services.cooperative.handlers import HANDLERS
from zll.platform.service import ServiceDefinition, create_service_app
from zll.platform.settings import Settings

DEFINITION = ServiceDefinition(
    name="cooperative",
    title="ZLL cooperative",
    description="Joint projects of the region's members: calls, consortium proposals from "
    "what each member offered, invitations and project states; and the region's education "
    "report with small cells suppressed.",
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    # An offered seat is still a waitlist place; recognition is counted once the report has it.
    # A certificate's later status does not undo taking part: the report counts participation.
    ignores=[
        EnrolmentCertificateRevoked,
        EnrolmentCertificateSuspended,
        EnrolmentRejected,
        EnrolmentOffered,
        RecognitionRequested,
        RecognitionAnswered,
        RecognitionDeclarationRecorded,
    ],
    topics=[CATALOG_COURSES, ENROLMENTS, DEMAND, LEARNERS],
    routers=[router, reports],
    publishes=[PROJECTS],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(DEFINITION, settings)
