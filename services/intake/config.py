"""Intake's own settings, from `ZLL_INTAKE_*` environment variables (documented in its README)."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZLL_INTAKE_", extra="ignore")

    # How often an instance looks for feeds that are due, and how many it pulls per look.
    feed_poll_seconds: float = Field(default=30.0, gt=0)
    feed_batch: int = Field(default=2, ge=1)
    feeds_enabled: bool = True
    # A pull that takes longer than this (connect, redirects, body) fails; the feed is tried
    # again at its next turn. A claimed feed is the claimer's for the lease.
    feed_timeout_seconds: float = Field(default=120.0, gt=0)
    feed_lease_seconds: float = Field(default=900.0, gt=0)
    feed_max_redirects: int = Field(default=3, ge=0)
    # Which addresses feed URLs (and every redirect) may name: `public` in production (no
    # loopback, private or link-local address); `loopback` for a development region whose
    # exports are served by this machine: only 127.0.0.0/8, ::1 and localhost, nothing else
    # is ever connected to or even looked up (`make up` and the tests set it).
    feed_addresses: Literal["public", "loopback"] = "public"


@lru_cache(maxsize=1)
def intake_settings() -> IntakeSettings:
    """Read once, on first use (never at import time)."""
    return IntakeSettings()
