"""Notify's own settings, from `ZLL_NOTIFY_*` environment variables (documented in its README)."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class NotifySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZLL_NOTIFY_", extra="ignore")

    # E-mail: the dev stack runs a local sink (zll.devstack.mailsink) and sets host and port.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # SMTP sessions kept open and reused; each sends one message at a time.
    smtp_connections: int = Field(default=4, ge=1)
    mail_from: str = "ZLL Benachrichtigungen <benachrichtigung@zll.example>"
    # Message-IDs are <...@message_id_domain>; receivers deduplicate on them.
    message_id_domain: str = "notify.zll.example"

    # Webhooks: a receiver that hangs costs at most this long, and only one slot.
    webhook_timeout_seconds: float = Field(default=5.0, gt=0)
    # Connections per receiver (scheme, host, port): a receiver that hangs holds only these.
    webhook_connections_per_receiver: int = Field(default=8, ge=1)
    # How long a delivery waits for one of those connections before it is rescheduled.
    webhook_queue_seconds: float = Field(default=2.0, gt=0)
    # How many deliveries are in flight at once; each is scheduled on its own.
    concurrency: int = Field(default=64, ge=1)
    # Retry schedule: exponential from base to cap with jitter; after max_attempts, parked.
    retry_base_seconds: float = Field(default=10.0, gt=0)
    retry_cap_seconds: float = Field(default=3600.0, gt=0)
    max_attempts: int = Field(default=12, ge=1)
    # A claimed delivery is someone's for this long; a sender that crashed gives it back then.
    lease_seconds: float = Field(default=120.0, gt=0)
    # How often the dispatcher looks for due deliveries when nobody woke it.
    poll_seconds: float = Field(default=1.0, gt=0)
    dispatcher_enabled: bool = True
    # A partner's e-mails about refusals and import reports: at most one digest per address
    # and this many seconds (0: every look sends what waits); looked for every poll.
    partner_digest_seconds: float = Field(default=900.0, ge=0)
    digest_poll_seconds: float = Field(default=5.0, gt=0)

    # Live streams: how long a stream ticket may wait to be used, and the heartbeat comment.
    stream_ticket_seconds: float = Field(default=60.0, gt=0, le=600)
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0)

    # Links in texts: where a learner accepts a placement and anyone verifies a certificate.
    matching_url: str = "http://127.0.0.1:8003"
    enrolment_url: str = "http://127.0.0.1:8002"
    # Where an invited member answers a joint project's invitation.
    cooperative_url: str = "http://127.0.0.1:8006"


@lru_cache(maxsize=1)
def notify_settings() -> NotifySettings:
    """Read once, on first use (never at import time)."""
    return NotifySettings()
