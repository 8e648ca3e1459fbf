"""What intake's HTTP API answers: import reports, in the caller's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field

from services.intake.model import Format
from zll.platform.pagination import Page

_REFUSED_EXAMPLE: dict[str, Any] = {
    "line": 129,
    "path": "/openvhs:veranstaltungen/veranstaltung[7]",
    "export_id": "K261-330",
    "title": "Excel kompakt",
    "message": "Kurs 'Excel kompakt' (Zeile 129): Das Enddatum liegt vor dem Beginn.",
}
REPORT_EXAMPLE: dict[str, Any] = {
    "import_id": "0f8e2c1a-6b9d-4f3e-8a21-5c7d9e0b1f2a",
    "provider_id": "vhs-region-kassel",
    "feed_id": "upload",
    "format": "openvhs",
    "full_export": True,
    "dry_run": False,
    "created_at": "2026-12-04T06:00:00Z",
    "counts": {"new": 12, "changed": 3, "unchanged": 240, "withdrawn": 1, "refused": 1},
    "refused": [_REFUSED_EXAMPLE],
    "warnings": [],
}


class RefusedRecord(BaseModel):
    """A record that was not taken: where it is in the file and why."""

    model_config = ConfigDict(json_schema_extra={"examples": [_REFUSED_EXAMPLE]})

    line: int | None = Field(description="line in the file, where the format has lines")
    path: str = Field(description="element path or JSON pointer of the record")
    export_id: str | None
    title: str | None
    message: str = Field(description="why, in the language of Accept-Language")


class ImportCounts(BaseModel):
    new: int
    changed: int
    unchanged: int
    withdrawn: int
    refused: int


class ImportReport(BaseModel):
    """What one import took, changed, withdrew and refused."""

    model_config = ConfigDict(json_schema_extra={"examples": [REPORT_EXAMPLE]})

    import_id: str
    provider_id: str
    feed_id: str = Field(description="`upload` for uploaded files")
    format: str = Field(description="openvhs, openqcat or ooapi")
    full_export: bool = Field(description="a full export withdraws the feed's absent courses")
    dry_run: bool = Field(description="a dry run published nothing")
    created_at: datetime
    counts: ImportCounts
    refused: list[RefusedRecord]
    warnings: list[str]


class ImportReportPage(Page[ImportReport]):
    pass


class FeedIn(BaseModel):
    """Where the provider's system puts its export, and how often the region pulls it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://vhs-kassel.example/export/openvhs.xml",
                    "format": "openvhs",
                    "interval_minutes": 1440,
                }
            ]
        },
    )

    url: AnyHttpUrl = Field(description="http(s) address of the export; public addresses only")
    format: Format | None = Field(default=None, description="detected when absent")
    interval_minutes: int = Field(
        default=1440, ge=15, le=10080, description="15 minutes to a week; nightly by default"
    )


_FEED_EXAMPLE: dict[str, Any] = {
    "provider_id": "vhs-region-kassel",
    "url": "https://vhs-kassel.example/export/openvhs.xml",
    "format": "openvhs",
    "interval_minutes": 1440,
    "next_pull_at": "2026-12-05T02:00:00Z",
    "last_pulled_at": "2026-12-04T02:00:03Z",
    "last_outcome": "taken",
    "last_import_id": "0f8e2c1a-6b9d-4f3e-8a21-5c7d9e0b1f2a",
}


class FeedState(BaseModel):
    """A registered feed: its schedule and how its last pull went."""

    model_config = ConfigDict(json_schema_extra={"examples": [_FEED_EXAMPLE]})

    provider_id: str
    url: str
    format: str | None
    interval_minutes: int
    next_pull_at: datetime
    last_pulled_at: datetime | None
    last_outcome: str | None = Field(description="taken, not_modified, refused or failed")
    last_import_id: str | None = Field(description="the report of the last export taken")
    last_error: str | None = Field(
        default=None, description="why the last pull was refused or failed"
    )
