"""Every setting of a service, from environment variables with documented defaults."""

from __future__ import annotations

import os
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from zll.platform.kafka import FETCH_MAX_WAIT_MS

ServiceName = Literal["catalog", "enrolment", "matching", "notify", "intake", "cooperative"]
SERVICE_NAMES: tuple[ServiceName, ...] = (
    "catalog",
    "enrolment",
    "matching",
    "notify",
    "intake",
    "cooperative",
)
DEFAULT_PORTS: dict[str, int] = {
    "catalog": 8001,
    "enrolment": 8002,
    "matching": 8003,
    "notify": 8004,
    "intake": 8005,
    "cooperative": 8006,
}
# A key that anyone can read in this repository must never sign tokens outside development.
DEV_JWT_SECRET = "zll-dev-secret-change-me-in-production-0000"


class Settings(BaseSettings):
    """One validated settings object; `ZLL_*` variables override the defaults."""

    model_config = SettingsConfigDict(env_prefix="ZLL_", extra="ignore")

    service: ServiceName = "catalog"
    environment: Literal["development", "production"] = "development"
    kafka_bootstrap: str = "127.0.0.1:9092"
    # Usually given per service as ZLL_<SERVICE>_DATABASE_URL; `zll up` sets it for the dev stack.
    database_url: str = ""
    host: str = "127.0.0.1"
    port: int = 0
    jwt_secret: str = DEV_JWT_SECRET
    jwt_issuer: str = "zll"
    jwt_audience: str = "zll"
    consumer_batch_size: int = Field(default=1000, ge=1)
    # How long a poll waits for records when none are there. Not a wait to fill a batch (a
    # poll returns what has arrived at once), but FastStream sleeps as long again after an
    # empty poll: at 100 ms a record arriving at an idle consumer waited up to 200 ms.
    consumer_batch_timeout_ms: int = Field(default=20, ge=1)
    consumer_fetch_max_wait_ms: int = Field(default=FETCH_MAX_WAIT_MS, ge=0)
    # How soon the broker gives a silent (crashed) consumer's partitions to another member:
    # aiokafka's defaults. A killed instance's partitions wait this long plus a rebalance.
    consumer_session_timeout_ms: int = Field(default=10_000, ge=1)
    consumer_heartbeat_interval_ms: int = Field(default=3_000, ge=1)
    outbox_batch_size: int = Field(default=1000, ge=1)
    log_level: str = "INFO"
    # Browser origins allowed to call the APIs (comma-separated). Empty: none; the dev stack
    # allows its own portal. `*` is refused in production.
    cors_origins: str = ""

    @model_validator(mode="after")
    def _refuse_dev_secret_in_production(self) -> Settings:
        if self.environment == "production" and (
            self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < 32
        ):
            raise ValueError(
                "ZLL_JWT_SECRET must be set to a secret of 32+ characters in production"
            )
        if self.environment == "production" and "*" in self.allowed_origins:
            raise ValueError("ZLL_CORS_ORIGINS may not be * in production: name the origins")
        return self

    @property
    def allowed_origins(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]

    @property
    def consumer_group(self) -> str:
        return f"zll-{self.service}"

    @property
    def source(self) -> str:
        """`ce_source` of every event this service writes."""
        return f"/services/{self.service}"


def load_settings(service: ServiceName, **overrides: object) -> Settings:
    """Settings for one service; its own `ZLL_<SERVICE>_*` variables win over shared ones."""
    prefix = f"ZLL_{service.upper()}_"
    own = {k[len(prefix) :].lower(): v for k, v in os.environ.items() if k.startswith(prefix)}
    values: dict[str, object] = {"service": service, **own, **overrides}
    settings = Settings(**values)  # type: ignore[arg-type]
    if not settings.port:
        settings.port = DEFAULT_PORTS[service]
    return settings
