"""The enrolment service's own settings (`ZLL_ENROLMENT_*`), beside the platform's."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EnrolmentConfig(BaseSettings):
    """Who signs certificates and how the region names itself in them."""

    model_config = SettingsConfigDict(env_prefix="ZLL_ENROLMENT_", extra="ignore")

    # The region's Ed25519 private key as a JWK (JSON) or PEM. Unset in development: a key is
    # generated once and kept in the service's database. Production refuses to start without.
    signing_key: str | None = None
    issuer_id: str = "https://zll.example/regions/development"
    issuer_name: str = "ZLL Region (development)"
    # Where GET /certificates/{id} is reachable from outside; goes into each credential.
    public_url: str = "http://127.0.0.1:8002"
    # Group commit of POST /enrolments (services/enrolment/group_commit.py): requests for one
    # course queue in one of `http_batch_lanes` lanes; each lane decides whatever queued while
    # its last batch committed (at most `http_batch_max`) in one transaction, after waiting
    # `http_batch_window_ms` for a burst to gather (0: no extra wait).
    http_batch_lanes: int = Field(default=4, ge=1, le=32)
    http_batch_max: int = Field(default=500, ge=1, le=5000)
    http_batch_window_ms: float = Field(default=0.0, ge=0, le=100)


@lru_cache(maxsize=1)
def enrolment_config() -> EnrolmentConfig:
    return EnrolmentConfig()


def check_for_environment(environment: str, config: EnrolmentConfig) -> None:
    """A production region must sign with its own key, never with one made up on the spot."""
    if environment == "production" and not config.signing_key:
        raise RuntimeError(
            "ZLL_ENROLMENT_SIGNING_KEY must be set in production "
            "(an Ed25519 private key as JWK JSON or PEM)"
        )
