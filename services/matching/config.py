"""Matching's own settings, from ZLL_MATCHING_* environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class MatchingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ZLL_MATCHING_")

    gap_threshold: int = Field(
        default=10,
        ge=1,
        description="ZLL_MATCHING_GAP_THRESHOLD: a demand gap (demand - supply) of at least "
        "this many people publishes zll.demand.gap-detected.v1, once per crossing.",
    )
    unplaced_window_days: int = Field(
        default=365,
        ge=1,
        description="ZLL_MATCHING_UNPLACED_WINDOW_DAYS: learners left unplaced by a round count "
        "as demand for this many days.",
    )
    recommendations_limit: int = Field(
        default=10, ge=1, le=100, description="ZLL_MATCHING_RECOMMENDATIONS_LIMIT: courses shown."
    )


@lru_cache(maxsize=1)
def matching_settings() -> MatchingSettings:
    return MatchingSettings()
