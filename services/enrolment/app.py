"""Wiring for the enrolment service: migrations, handler map, topics and routes."""

from __future__ import annotations

import contextlib
from pathlib import Path

from fastapi import FastAPI
from zll_contracts.topics import (
    CATALOG_COURSES,
    ENROLMENTS,
    FEEDBACK,
    LEARNERS,
    PLACEMENTS,
    PROVIDER_ENROLMENTS,
)

from services.enrolment import (
    api,
    api_certificates,
    api_offers,
    api_recognition,
    api_record,
    group_commit,
)
from services.enrolment.certificates import parse_key
from services.enrolment.config import check_for_environment, enrolment_config
from services.enrolment.handlers import HANDLERS, IGNORES
from services.enrolment.offers import OfferSweep
from zll.platform.service import (
    ServiceDefinition,
    create_service_app,
    extend_lifespan,
    running_task,
)
from zll.platform.settings import Settings, load_settings

DEFINITION = ServiceDefinition(
    name="enrolment",
    title="ZLL enrolment",
    description="One seat ledger for the region, fair waitlists, verifiable module certificates.",
    migrations=Path(__file__).parent / "migrations",
    handlers=HANDLERS,
    ignores=IGNORES,
    topics=[CATALOG_COURSES, PROVIDER_ENROLMENTS, PLACEMENTS, LEARNERS],
    publishes=[ENROLMENTS, FEEDBACK],
    routers=[
        api.router,
        api_offers.router,
        api_certificates.router,
        api_recognition.router,
        api_record.router,
    ],
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or load_settings("enrolment")
    config = enrolment_config()
    check_for_environment(settings.environment, config)
    if config.signing_key:
        parse_key(config.signing_key)  # a broken key stops the start, not the first certificate
    app = create_service_app(DEFINITION, settings)
    extend_lifespan(app, _sweeping_offers)
    extend_lifespan(app, group_commit.running)
    return app


def _sweeping_offers(app: FastAPI) -> contextlib.AbstractAsyncContextManager[None]:
    sweep = OfferSweep(app.state.pool, app.state.database.source)
    return running_task(sweep.run(), name="offer-sweep")
