"""Intake's HTTP API: a provider uploads its export and reads what became of it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from services.intake import Format, IntakeDocumentError, Limits, domain, importing, store
from services.intake.messages import MESSAGES, said
from services.intake.schemas import ImportCounts, ImportReport, ImportReportPage, RefusedRecord
from services.intake.upload import TooLarge, read_whole, spool
from zll.platform.auth import Principal, require_role
from zll.platform.database import Db
from zll.platform.i18n import Language, request_language
from zll.platform.pagination import PageRequest, pages
from zll.platform.problems import ProblemError

router = APIRouter(tags=["imports"])
ProviderId = Annotated[str, Path(pattern=r"^[a-z0-9-]{2,40}$", description="e.g. vhs-kassel")]
Caller = Annotated[Principal, Depends(require_role("provider", "operator"))]
Lang = Annotated[Language, Depends(request_language)]
LIMITS = Limits()

_OPENVHS_EXAMPLE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<openvhs:veranstaltungen version="1.2" xmlns:openvhs="http://www.dvv-vhs.de/Open-VHS">'
    "<veranstaltung><guid>K261-204</guid><name>Excel für Einsteiger</name>…</veranstaltung>"
    "</openvhs:veranstaltungen>"
)
_OOAPI_EXAMPLE = {"pageSize": 1, "pageNumber": 1, "hasNextPage": False, "items": []}
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "description": "The export as it comes out of the provider's system: OpenVHS 1.2 or "
        "open-Qcat 1.1 XML, or an OOAPI v5 page of offerings (JSON). Detected from its start.",
        "content": {
            "application/xml": {
                "schema": {"type": "string", "format": "binary"},
                "example": _OPENVHS_EXAMPLE,
            },
            "application/json": {"schema": {"type": "object"}, "example": _OOAPI_EXAMPLE},
        },
    }
}


def check_acts_for(caller: Principal, provider_id: str) -> None:
    """A provider's token is good for its own imports only; an operator may act for any."""
    if caller.role == "provider" and caller.sub != provider_id:
        raise ProblemError(
            403,
            MESSAGES("other-provider"),
            MESSAGES("other-provider.detail", provider_id=provider_id),
        )


@router.post(
    "/providers/{provider_id}/imports",
    status_code=201,
    response_model=ImportReport,
    openapi_extra=_UPLOAD_BODY,
    responses={413: {"description": "The file is larger than the limit; nothing was taken."}},
)
async def upload_import(
    db: Db,
    request: Request,
    response: Response,
    provider_id: ProviderId,
    caller: Caller,
    language: Lang,
    format: Annotated[Format | None, Query(description="overrides the detected format")] = None,
    dry_run: Annotated[bool, Query(description="the same report, nothing published")] = False,
    confirm_withdrawals: Annotated[
        bool, Query(description="take a full export that withdraws most of the courses")
    ] = False,
) -> ImportReport:
    """Import an export: each real change becomes one course event on the provider's behalf.

    A full export (OpenVHS always, open-Qcat `FULLCATALOG="true"`) withdraws this provider's
    uploaded courses it no longer holds; an open-Qcat `UPDATE_CATALOG` applies its entries.
    A document that cannot be read as a whole is refused (422, 413) and nothing is published.
    """
    check_acts_for(caller, provider_id)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > LIMITS.max_bytes:
        raise _too_large(LIMITS.max_bytes)
    try:
        stream = await spool(request.stream(), LIMITS.max_bytes)
    except TooLarge as error:
        raise _too_large(error.limit) from error
    try:
        reading = await run_in_threadpool(read_whole, stream, provider_id, format, LIMITS)
    except IntakeDocumentError as error:
        status = 413 if error.too_large else 422
        raise ProblemError(status, MESSAGES("document-refused"), said(error.message)) from error
    finally:
        stream.close()
    import_id = str(uuid.uuid4())
    try:
        async with db.unit_of_work() as uow:
            job = importing.Import(
                provider_id, import_id, domain.UPLOAD_FEED, dry_run, confirm_withdrawals
            )
            report = await importing.take(uow, reading, job)
    except domain.ImportRefused as error:
        raise ProblemError(422, MESSAGES("document-refused"), said(error.message)) from error
    finally:
        reading.courses.close()
    response.headers["Location"] = f"/imports/{import_id}"
    response.headers["Content-Language"] = language
    return _out(report, language)


def _too_large(limit: int) -> ProblemError:
    return ProblemError(413, MESSAGES("too-large"), MESSAGES("too-large.detail", limit=limit))


@router.get("/imports/{import_id}", response_model=ImportReport)
async def get_import(
    db: Db,
    response: Response,
    import_id: Annotated[str, Path(max_length=64)],
    caller: Caller,
    language: Lang,
) -> ImportReport:
    """The report of one import: counts, and each refused record with its line and reason."""
    async with db.connection() as conn:
        report = await store.get_report(conn, import_id)
    if report is None or (caller.role == "provider" and caller.sub != report.provider_id):
        # Another provider's import is not found rather than forbidden: ids say nothing.
        raise ProblemError(
            404,
            MESSAGES("import-not-found"),
            MESSAGES("import-not-found.detail", import_id=import_id),
        )
    response.headers["Content-Language"] = language
    return _out(report, language)


@router.get("/providers/{provider_id}/imports", response_model=ImportReportPage)
async def list_imports(
    db: Db,
    response: Response,
    provider_id: ProviderId,
    caller: Caller,
    language: Lang,
    page: Annotated[PageRequest, Depends(pages(default=20, maximum=100))],
) -> ImportReportPage:
    """The provider's imports, newest first."""
    check_acts_for(caller, provider_id)
    after = page.after(datetime, str)
    async with db.connection() as conn:
        found = await store.reports_of(
            conn,
            provider_id,
            after=(after[0], after[1]) if after else None,
            limit=page.limit + 1,
        )
    shown, next_cursor = page.cut(found, key=lambda r: (r.created_at, r.import_id))
    response.headers["Content-Language"] = language
    return ImportReportPage(items=[_out(r, language) for r in shown], next_cursor=next_cursor)


def _out(report: store.ImportReport, language: Language) -> ImportReport:
    refused: list[dict[str, Any]] = report.refused
    return ImportReport(
        import_id=report.import_id,
        provider_id=report.provider_id,
        feed_id=report.feed_id,
        format=report.format,
        full_export=report.full_export,
        dry_run=report.dry_run,
        created_at=report.created_at,
        counts=ImportCounts(
            new=report.new,
            changed=report.changed,
            unchanged=report.unchanged,
            withdrawn=report.withdrawn,
            refused=len(refused),
        ),
        refused=[
            RefusedRecord(
                line=r["line"],
                path=r["path"],
                export_id=r["export_id"],
                title=r["title"],
                message=r[language],
            )
            for r in refused
        ],
        warnings=[w[language] for w in report.warnings],
    )
